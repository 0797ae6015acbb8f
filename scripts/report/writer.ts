/**
 * Writes a simulation run to `<out>/<run-id>/`: `report.md` for people, `summary.json` for programs,
 * one CSV per table (slots, trades, blocks, TRP levels, gas) and one SVG chart per topic.
 *
 * The input is a `SimulationResult`, which the day simulation fills from the chain. Money, prices and
 * scores stay in the suite's own units (TRC base units, wad) as bigints, so nothing is rounded before
 * the report formats it; charts convert to plain numbers.
 */
import fs from "node:fs";
import path from "node:path";
import { formatUnits } from "ethers";
import { barChart, lineChart, stackedBarChart, type LineSeries } from "./svg";

/** What the run was asked to do (the simulation's command-line options, resolved). */
export interface SimulationParameters {
  prosumers: number;
  consumers: number;
  malicious: number;
  microgrids: number;
  validators: number;
  dishonestValidators: number;
  slots: number;
  slotSeconds: number;
  seed: number;
  /** Simulated day, YYYY-MM-DD. */
  date: string;
  siteLatDeg: number;
  siteLonDeg: number;
  /** "built-in generator", or the `--profiles` directory. */
  profiles: string;
}

/** One microgrid in one slot. Prices are TRC base units per kWh (SPEC §2). */
export interface SlotRow {
  slot: number;
  /** Slot start, unix seconds. */
  timeUnix: number;
  microgrid: number;
  p1SellWadPerKWh: bigint;
  p1BuyWadPerKWh: bigint;
  p2SellWadPerKWh: bigint;
  p2BuyWadPerKWh: bigint;
  tariffSellWadPerKWh: bigint;
  tariffBuyWadPerKWh: bigint;
  /** Energy filled in the forward market. */
  tradedWh: number;
  meteredImportWh: number;
  meteredExportWh: number;
}

/** One scored trade (SPEC §5.1): a trader's side in one slot. */
export interface TradeRow {
  trader: string;
  honest: boolean;
  slot: number;
  microgrid: number;
  side: "sell" | "buy";
  qtyWh: number;
  /** 1..5 */
  alpha: number;
  /** Trader score after this trade, wad (0..15e18). */
  scoreAfterWad: bigint;
}

/** One final trade block and its proposer's validator-score update (SPEC §6). */
export interface BlockRow {
  validator: string;
  honest: boolean;
  slot: number;
  microgrid: number;
  tvWad: bigint;
  scoreAfterWad: bigint;
}

/** How a slot's microgrid-slots reached finality, and the validators then (SPEC §6.2, §6.3). */
export interface ConsensusRow {
  slot: number;
  /** Members of the committee of the slot's epoch (0: none, too few eligible at selection). */
  committeeMembers: number;
  /** Validators eligible (score ≥ minValidatorScore, not ejected) when the slot settled. */
  eligibleValidators: number;
  minCommittee: number;
  /** Microgrid-slots final by their committee's block, and by default. */
  finalByCommittee: number;
  finalByDefault: number;
  /** Mean validator score of the honest and of the dishonest validators when the slot settled, wad. */
  meanHonestValidatorScoreWad: bigint | null;
  meanDishonestValidatorScoreWad: bigint | null;
}

/** How many traders sit at TRP levels 1..4 after a slot settled. */
export interface TrpLevelRow {
  slot: number;
  levels: [number, number, number, number];
}

export interface GasRow {
  /** e.g. "placeBid", "submitReadings". */
  name: string;
  count: number;
  totalGas: bigint;
  meanGas: number;
}

/** TRC totals, base units. The checks of SPEC §3 and §8.3 are made from these. */
export interface MoneyTotals {
  issuedWad: bigint;
  redeemedWad: bigint;
  burnedWad: bigint;
  rewardsMintedWad: bigint;
  totalSupplyWad: bigint;
  /** Level-1/level-2 settlement: all charges collected, all payouts made, dust left. */
  settlementInWad: bigint;
  settlementOutWad: bigint;
  settlementDustWad: bigint;
}

export interface SimulationResult {
  parameters: SimulationParameters;
  /** TRP thresholds for levels 2, 3, 4 (SPEC §5.4), wad. */
  trpThresholdsWad: [bigint, bigint, bigint];
  slots: SlotRow[];
  trades: TradeRow[];
  blocks: BlockRow[];
  trpLevels: TrpLevelRow[];
  /** Per slot, in settlement order (optional: runs before vote batching did not record it). */
  consensus?: ConsensusRow[];
  gas: GasRow[];
  money: MoneyTotals;
}

export interface WrittenReport {
  runId: string;
  dir: string;
  /** File names inside `dir`. */
  files: string[];
}

// ---------------------------------------------------------------- CSV

export type CsvValue = string | number | bigint | boolean;

/** One CSV field: quoted when it holds a comma, quote, line break or outer space; quotes doubled. */
export function csvField(value: CsvValue): string {
  const s = String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document with a header row; every row must have as many fields as the header. */
export function toCsv(header: string[], rows: CsvValue[][]): string {
  rows.forEach((r, i) => {
    if (r.length !== header.length)
      throw new RangeError(`CSV row ${i + 1} has ${r.length} fields, header has ${header.length}`);
  });
  return [header, ...rows].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

// ---------------------------------------------------------------- numbers

/** `2026-06-21-seed1`: the simulated day and the seed, so a rerun lands in the same directory. */
export function runId(date: string, seed: number): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`run date "${date}" is not YYYY-MM-DD`);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed ${seed} is not a non-negative integer`);
  return `${date}-seed${seed}`;
}

const wadToNumber = (wad: bigint): number => Number(formatUnits(wad, 18));

/** TRP level of a score (SPEC §5.4): 1 below the first threshold, … 4 at or above the third. */
export function trpLevel(scoreWad: bigint, thresholdsWad: readonly [bigint, bigint, bigint]): 1 | 2 | 3 | 4 {
  if (scoreWad < thresholdsWad[0]) return 1;
  if (scoreWad < thresholdsWad[1]) return 2;
  if (scoreWad < thresholdsWad[2]) return 3;
  return 4;
}

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

const show = (x: number | null, digits = 2): string => (x === null ? "n/a" : x.toFixed(digits));
const trc = (wad: bigint): string => `${formatUnits(wad, 18)} TRC`;

export interface GroupHeadline {
  traders: number;
  trades: number;
  meanFinalScore: number | null;
  meanFinalLevel: number | null;
  meanAlpha: number | null;
}

export interface Headline {
  honest: GroupHeadline;
  malicious: GroupHeadline;
  tradedWh: number;
  meteredImportWh: number;
  meteredExportWh: number;
  supplyConserved: boolean;
  rewardsWithinBurns: boolean;
  settlementBalanced: boolean;
  honestValidatorsMeanFinalScore: number | null;
  dishonestValidatorsMeanFinalScore: number | null;
}

/** The headline numbers of a run; final score = score after each trader's last trade. */
export function headline(result: SimulationResult): Headline {
  const group = (honest: boolean): GroupHeadline => {
    const trades = result.trades.filter((t) => t.honest === honest);
    const finals = new Map<string, bigint>();
    for (const t of trades) finals.set(t.trader, t.scoreAfterWad); // rows are in settlement order
    return {
      traders: finals.size,
      trades: trades.length,
      meanFinalScore: mean([...finals.values()].map(wadToNumber)),
      meanFinalLevel: mean([...finals.values()].map((s) => trpLevel(s, result.trpThresholdsWad))),
      meanAlpha: mean(trades.map((t) => t.alpha)),
    };
  };
  const validatorFinal = (honest: boolean): number | null => {
    const finals = new Map<string, bigint>();
    for (const b of result.blocks) if (b.honest === honest) finals.set(b.validator, b.scoreAfterWad);
    return mean([...finals.values()].map(wadToNumber));
  };
  const m = result.money;
  const total = (key: "tradedWh" | "meteredImportWh" | "meteredExportWh") =>
    result.slots.reduce((a, s) => a + s[key], 0);
  return {
    honest: group(true),
    malicious: group(false),
    tradedWh: total("tradedWh"),
    meteredImportWh: total("meteredImportWh"),
    meteredExportWh: total("meteredExportWh"),
    supplyConserved: m.totalSupplyWad === m.issuedWad - m.redeemedWad - m.burnedWad + m.rewardsMintedWad,
    rewardsWithinBurns: m.rewardsMintedWad <= m.burnedWad,
    settlementBalanced:
      m.settlementDustWad >= 0n && m.settlementInWad === m.settlementOutWad + m.settlementDustWad,
    honestValidatorsMeanFinalScore: validatorFinal(true),
    dishonestValidatorsMeanFinalScore: validatorFinal(false),
  };
}

// ---------------------------------------------------------------- charts

function hourOfDay(result: SimulationResult, timeUnix: number): number {
  const first = Math.min(...result.slots.map((s) => s.timeUnix));
  const midnight = Math.floor(first / 86_400) * 86_400;
  return (timeUnix - midnight) / 3600;
}

function slotTimes(result: SimulationResult): Map<number, number> {
  const times = new Map<number, number>();
  for (const s of result.slots) times.set(s.slot, s.timeUnix);
  return times;
}

/** The SVG charts of a run, by file name. */
export function charts(result: SimulationResult): Record<string, string> {
  const times = slotTimes(result);
  const slotHour = (slot: number) => hourOfDay(result, times.get(slot) ?? NaN);
  const slotNumbers = [...times.keys()].sort((a, b) => a - b);
  const timeAxis = { label: "Time of day", unit: "h, UTC" };

  // Trust: mean score after the k-th trade of each trader, honest vs malicious.
  const trustSeries = [true, false].map((honest): LineSeries => {
    const byTrader = new Map<string, number[]>();
    for (const t of result.trades.filter((r) => r.honest === honest))
      byTrader.set(t.trader, [...(byTrader.get(t.trader) ?? []), wadToNumber(t.scoreAfterWad)]);
    const longest = Math.max(0, ...[...byTrader.values()].map((s) => s.length));
    const points = Array.from({ length: longest }, (_, k) => ({
      x: k + 1,
      y: mean([...byTrader.values()].filter((s) => s.length > k).map((s) => s[k])) ?? NaN,
    }));
    return { name: honest ? "honest traders (mean)" : "malicious traders (mean)", points, dashed: !honest };
  });

  const validatorSeries = [true, false].map((honest): LineSeries => {
    const points = slotNumbers.map((slot) => ({
      x: slotHour(slot),
      y:
        mean(
          result.blocks
            .filter((b) => b.honest === honest && b.slot === slot)
            .map((b) => wadToNumber(b.scoreAfterWad)),
        ) ?? NaN,
    }));
    return { name: honest ? "honest validators" : "dishonest validators", points, dashed: !honest };
  });

  const microgrids = [...new Set(result.slots.map((s) => s.microgrid))].sort((a, b) => a - b);
  const priceOf = (rows: SlotRow[], key: keyof SlotRow) =>
    rows.map((r) => ({ x: hourOfDay(result, r.timeUnix), y: wadToNumber(r[key] as bigint) }));
  const firstPerSlot = slotNumbers.map((slot) => result.slots.find((s) => s.slot === slot)!);
  const priceSeries: LineSeries[] = [
    ...microgrids.flatMap((m): LineSeries[] => {
      const rows = result.slots.filter((s) => s.microgrid === m);
      return [
        { name: `P1 sell, microgrid ${m}`, points: priceOf(rows, "p1SellWadPerKWh"), step: true },
        { name: `P1 buy, microgrid ${m}`, points: priceOf(rows, "p1BuyWadPerKWh"), step: true },
      ];
    }),
    { name: "P2 sell", points: priceOf(firstPerSlot, "p2SellWadPerKWh"), step: true, color: "#333333" },
    { name: "P2 buy", points: priceOf(firstPerSlot, "p2BuyWadPerKWh"), step: true, color: "#999999" },
    {
      name: "grid tariff, sell",
      points: priceOf(firstPerSlot, "tariffSellWadPerKWh"),
      step: true,
      dashed: true,
      color: "#333333",
    },
    {
      name: "grid tariff, buy",
      points: priceOf(firstPerSlot, "tariffBuyWadPerKWh"),
      step: true,
      dashed: true,
      color: "#999999",
    },
  ];

  const energyOf = (key: "tradedWh" | "meteredImportWh" | "meteredExportWh") =>
    slotNumbers.map((slot) => ({
      x: slotHour(slot),
      y: result.slots.filter((s) => s.slot === slot).reduce((a, s) => a + s[key], 0) / 1000,
    }));

  const trpRows = [...result.trpLevels].sort((a, b) => a.slot - b.slot);
  const clock = (slot: number) => {
    const h = slotHour(slot);
    return `${String(Math.floor(h) % 24).padStart(2, "0")}:${String(Math.round((h % 1) * 60)).padStart(2, "0")}`;
  };

  return {
    "trust-scores.svg": lineChart({
      title: "Trader score over successive trades",
      x: { label: "Trade number of the trader" },
      y: { label: "Trader score", min: 0, max: 15 },
      series: trustSeries,
    }),
    "validator-scores.svg": lineChart({
      title: "Validator score after each block",
      x: timeAxis,
      y: { label: "Validator score", min: 0, max: 5 },
      series: validatorSeries,
    }),
    "prices.svg": lineChart({
      title: "Settlement prices per slot against the grid tariff",
      x: timeAxis,
      y: { label: "Price", unit: "TRC/kWh" },
      series: priceSeries,
      height: 460,
    }),
    "energy.svg": lineChart({
      title: "Traded and metered energy per slot",
      x: timeAxis,
      y: { label: "Energy", unit: "kWh per slot" },
      series: [
        { name: "traded (forward market)", points: energyOf("tradedWh"), step: true },
        { name: "metered import", points: energyOf("meteredImportWh"), step: true },
        { name: "metered export", points: energyOf("meteredExportWh"), step: true },
      ],
    }),
    "trp-levels.svg": stackedBarChart({
      title: "Traders per TRP level over the day",
      x: { label: "Slot start", unit: "UTC" },
      y: { label: "Traders" },
      categories: trpRows.map((r) => clock(r.slot)),
      series: [0, 1, 2, 3].map((i) => ({ name: `level ${i + 1}`, values: trpRows.map((r) => r.levels[i]) })),
    }),
    "gas.svg": barChart({
      title: "Mean gas per operation",
      x: { label: "Operation" },
      y: { label: "Mean gas", unit: "gas" },
      categories: result.gas.map((g) => g.name),
      series: [{ name: "mean gas", values: result.gas.map((g) => g.meanGas) }],
    }),
  };
}

// ---------------------------------------------------------------- tables

/** The CSV files of a run, by file name. Money and prices as decimal TRC, scores as decimals. */
export function tables(result: SimulationResult): Record<string, string> {
  const dec = (wad: bigint) => formatUnits(wad, 18);
  const iso = (t: number) => new Date(t * 1000).toISOString();
  return {
    "slots.csv": toCsv(
      [
        "slot",
        "time",
        "microgrid",
        "p1SellTrcPerKWh",
        "p1BuyTrcPerKWh",
        "p2SellTrcPerKWh",
        "p2BuyTrcPerKWh",
        "tariffSellTrcPerKWh",
        "tariffBuyTrcPerKWh",
        "tradedWh",
        "meteredImportWh",
        "meteredExportWh",
      ],
      result.slots.map((s) => [
        s.slot,
        iso(s.timeUnix),
        s.microgrid,
        dec(s.p1SellWadPerKWh),
        dec(s.p1BuyWadPerKWh),
        dec(s.p2SellWadPerKWh),
        dec(s.p2BuyWadPerKWh),
        dec(s.tariffSellWadPerKWh),
        dec(s.tariffBuyWadPerKWh),
        s.tradedWh,
        s.meteredImportWh,
        s.meteredExportWh,
      ]),
    ),
    "trades.csv": toCsv(
      ["trader", "honest", "slot", "microgrid", "side", "qtyWh", "alpha", "scoreAfter"],
      result.trades.map((t) => [
        t.trader,
        t.honest,
        t.slot,
        t.microgrid,
        t.side,
        t.qtyWh,
        t.alpha,
        dec(t.scoreAfterWad),
      ]),
    ),
    "blocks.csv": toCsv(
      ["validator", "honest", "slot", "microgrid", "tv", "scoreAfter"],
      result.blocks.map((b) => [
        b.validator,
        b.honest,
        b.slot,
        b.microgrid,
        dec(b.tvWad),
        dec(b.scoreAfterWad),
      ]),
    ),
    "trp-levels.csv": toCsv(
      ["slot", "level1", "level2", "level3", "level4"],
      result.trpLevels.map((r) => [r.slot, ...r.levels]),
    ),
    "gas.csv": toCsv(
      ["operation", "count", "totalGas", "meanGas"],
      result.gas.map((g) => [g.name, g.count, g.totalGas, Math.round(g.meanGas)]),
    ),
    ...(result.consensus === undefined
      ? {}
      : {
          "consensus.csv": toCsv(
            [
              "slot",
              "committeeMembers",
              "eligibleValidators",
              "minCommittee",
              "finalByCommittee",
              "finalByDefault",
              "meanHonestValidatorScore",
              "meanDishonestValidatorScore",
            ],
            result.consensus.map((c) => [
              c.slot,
              c.committeeMembers,
              c.eligibleValidators,
              c.minCommittee,
              c.finalByCommittee,
              c.finalByDefault,
              c.meanHonestValidatorScoreWad === null ? "" : dec(c.meanHonestValidatorScoreWad),
              c.meanDishonestValidatorScoreWad === null ? "" : dec(c.meanDishonestValidatorScoreWad),
            ]),
          ),
        }),
  };
}

/** The consensus paragraph of the report: finality by committee or default, and validator scores over the day. */
function consensusMarkdown(rows: ConsensusRow[] | undefined): string {
  if (rows === undefined || rows.length === 0) return "";
  const sum = (f: (c: ConsensusRow) => number) => rows.reduce((a, c) => a + f(c), 0);
  const byCommittee = sum((c) => c.finalByCommittee);
  const byDefault = sum((c) => c.finalByDefault);
  const eligibleSlots = rows.filter((c) => c.eligibleValidators >= c.minCommittee);
  const defaultWhileEligible = eligibleSlots.filter((c) => c.finalByDefault > 0).map((c) => c.slot);
  const withoutCommittee = rows.filter((c) => c.committeeMembers === 0).length;
  const score = (wad: bigint | null) => (wad === null ? "n/a" : wadToNumber(wad).toFixed(2));
  const step = Math.max(1, Math.floor(rows.length / 8));
  const sampled = rows.filter((_, i) => i % step === 0 || i === rows.length - 1);
  return `
Trade blocks: ${byCommittee} microgrid-slots final by their committee, ${byDefault} by default; ${withoutCommittee}
of ${rows.length} slots had no committee. ${eligibleSlots.length} slots settled with at least minCommittee eligible
validators; ${
    defaultWhileEligible.length === 0
      ? "none of them had a microgrid-slot final by default"
      : `of those, slots ${defaultWhileEligible.join(", ")} had microgrid-slots final by default`
  }. Per slot in \`consensus.csv\`; a sample:

${mdTable(
  ["slot", "committee", "eligible", "final by committee", "by default", "mean score honest", "dishonest"],
  sampled.map((c) => [
    String(c.slot),
    String(c.committeeMembers),
    String(c.eligibleValidators),
    String(c.finalByCommittee),
    String(c.finalByDefault),
    score(c.meanHonestValidatorScoreWad),
    score(c.meanDishonestValidatorScoreWad),
  ]),
)}
`;
}

/** summary.json: parameters, headline numbers, money totals (decimal strings) and gas. */
export function summary(result: SimulationResult, id: string): object {
  const dec = (wad: bigint) => formatUnits(wad, 18);
  return {
    runId: id,
    parameters: result.parameters,
    trpThresholds: result.trpThresholdsWad.map(dec),
    headline: headline(result),
    money: Object.fromEntries(
      Object.entries(result.money).map(([k, v]) => [k.replace(/Wad$/, "Trc"), dec(v as bigint)]),
    ),
    gas: result.gas.map((g) => ({ ...g, totalGas: g.totalGas.toString() })),
    counts: { slotRows: result.slots.length, trades: result.trades.length, blocks: result.blocks.length },
  };
}

// ---------------------------------------------------------------- report.md

function mdTable(header: string[], rows: string[][]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** The human-readable report. */
export function reportMarkdown(result: SimulationResult, id: string): string {
  const p = result.parameters;
  const h = headline(result);
  const m = result.money;
  const ok = (b: boolean) => (b ? "holds" : "**VIOLATED**");
  const kWh = (wh: number) => `${(wh / 1000).toFixed(1)} kWh`;
  const traders = p.prosumers + p.consumers;
  return `# GridTrust simulation ${id}

## What was run

A simulated day of ${p.slots} trading slots of ${p.slotSeconds / 60} minutes on ${p.date}, on a local Hardhat chain.
${traders} households (${p.prosumers} with rooftop PV, "prosumers", and ${p.consumers} without, "consumers") in
${p.microgrids} microgrids traded energy ahead of each slot in a forward market. After each slot their smart meters
reported what they really imported and exported; the difference to what they traded was settled at the two-level
prices (inside the microgrid, P1; between microgrids, P2), and each trade was scored: delivering what you sold
(or using what you bought) earns a high score. ${p.malicious} traders were **malicious**: they did not keep
their trades. ${p.validators} validators proposed and attested the trade blocks; ${p.dishonestValidators} of them
were dishonest. Household profiles came from: ${p.profiles}.

## Parameters

${mdTable(
  ["parameter", "value"],
  [
    ["prosumers / consumers", `${p.prosumers} / ${p.consumers}`],
    ["malicious traders", String(p.malicious)],
    ["microgrids", String(p.microgrids)],
    ["validators (dishonest)", `${p.validators} (${p.dishonestValidators})`],
    ["slots × length", `${p.slots} × ${p.slotSeconds} s`],
    ["date, site", `${p.date}, ${p.siteLatDeg}° N ${p.siteLonDeg}° E`],
    ["seed", String(p.seed)],
    ["profiles", p.profiles],
  ],
)}

## Headline numbers

${mdTable(
  ["", "honest traders", "malicious traders"],
  [
    ["traders with trades", String(h.honest.traders), String(h.malicious.traders)],
    ["trades scored", String(h.honest.trades), String(h.malicious.trades)],
    ["mean rating α (1–5)", show(h.honest.meanAlpha), show(h.malicious.meanAlpha)],
    ["mean final trader score (0–15)", show(h.honest.meanFinalScore), show(h.malicious.meanFinalScore)],
    ["mean final TRP level (1–4)", show(h.honest.meanFinalLevel), show(h.malicious.meanFinalLevel)],
  ],
)}

A higher TRP level gives a trader access to a larger share of the market. The run works as intended when the
malicious traders end on a lower score and level than the honest ones.

![Trader score over successive trades](trust-scores.svg)

## Money conservation

${mdTable(
  ["check", "values", "result"],
  [
    [
      "supply = issued − redeemed − burned + rewards minted",
      `${trc(m.totalSupplyWad)} = ${trc(m.issuedWad)} − ${trc(m.redeemedWad)} − ${trc(m.burnedWad)} + ${trc(m.rewardsMintedWad)}`,
      ok(h.supplyConserved),
    ],
    ["rewards minted ≤ burned", `${trc(m.rewardsMintedWad)} ≤ ${trc(m.burnedWad)}`, ok(h.rewardsWithinBurns)],
    [
      "settlement: money in = money out + dust (dust ≥ 0)",
      `${trc(m.settlementInWad)} = ${trc(m.settlementOutWad)} + ${trc(m.settlementDustWad)}`,
      ok(h.settlementBalanced),
    ],
  ],
)}

## Prices

P1 is the price inside a microgrid, P2 between microgrids; both lie between the grid's sell and buy tariff.

![Settlement prices per slot against the grid tariff](prices.svg)

## Energy

Traded ${kWh(h.tradedWh)} in the forward market; meters recorded ${kWh(h.meteredImportWh)} imported and
${kWh(h.meteredExportWh)} exported.

![Traded and metered energy per slot](energy.svg)

## TRP levels

![Traders per TRP level over the day](trp-levels.svg)

## Validators

Mean final validator score (0–5): honest ${show(h.honestValidatorsMeanFinalScore)}, dishonest
${show(h.dishonestValidatorsMeanFinalScore)}.
${consensusMarkdown(result.consensus)}
![Validator score after each block](validator-scores.svg)

## Gas per operation

${mdTable(
  ["operation", "calls", "total gas", "mean gas"],
  result.gas.map((g) => [g.name, String(g.count), g.totalGas.toString(), String(Math.round(g.meanGas))]),
)}

![Mean gas per operation](gas.svg)

## Files

\`summary.json\` (machine-readable), \`slots.csv\` (per slot and microgrid), \`trades.csv\` (per scored trade),
\`blocks.csv\` (per trade block), \`trp-levels.csv\`, \`gas.csv\`, \`consensus.csv\` (per slot, when recorded), and
the charts above as SVG.
`;
}

/** Writes everything into `<outDir>/<run-id>/` (created; files there are replaced). */
export function writeReport(result: SimulationResult, outDir: string): WrittenReport {
  const id = runId(result.parameters.date, result.parameters.seed);
  const dir = path.join(outDir, id);
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {
    "report.md": reportMarkdown(result, id),
    "summary.json": JSON.stringify(summary(result, id), null, 2) + "\n",
    ...tables(result),
    ...charts(result),
  };
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return { runId: id, dir, files: Object.keys(files) };
}
