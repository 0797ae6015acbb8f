/**
 * The scaling benchmark's outputs: `bench.json` (every figure), `BENCH.md` (tables) and two charts rendered
 * with scripts/report/svg.ts — `scaling.svg` (gas per user per phase against users, log x) and `alg1.svg`
 * (gas per trader-score update against earlier trades, running totals vs the thesis' scan).
 */
import fs from "node:fs";
import path from "node:path";
import { lineChart } from "../report/svg";
import { SLOT_PHASES, type ScalingRun, type ScanComparisonRow, type SlotPhase } from "./scaling-run";

/** Per-user gas at the largest size may be at most this multiple of that at the smallest (issue 7). */
export const FLATNESS_LIMIT = 1.1;

export interface BenchReport {
  generatedAt: string;
  machine: { cpus: number; node: string };
  runs: ScalingRun[];
  perUserRatio: Record<SlotPhase | "total", number> | null;
  flat: boolean | null;
  algorithm1: ScanComparisonRow[];
}

function ratioOf(runs: ScalingRun[]): Record<SlotPhase | "total", number> | null {
  if (runs.length < 2) return null;
  const first = runs[0];
  const last = runs[runs.length - 1];
  const out = {} as Record<SlotPhase | "total", number>;
  for (const p of SLOT_PHASES) out[p] = last.phases[p].gasPerUser / first.phases[p].gasPerUser;
  out.total = last.total.gasPerUser / first.total.gasPerUser;
  return out;
}

export function buildReport(runs: ScalingRun[], algorithm1: ScanComparisonRow[], cpus: number): BenchReport {
  const sorted = [...runs].sort((a, b) => a.users - b.users);
  const perUserRatio = ratioOf(sorted);
  return {
    generatedAt: new Date().toISOString(),
    machine: { cpus, node: process.version },
    runs: sorted,
    perUserRatio,
    flat: perUserRatio === null ? null : perUserRatio.total <= FLATNESS_LIMIT,
    algorithm1,
  };
}

const int = (x: number | bigint) => Math.round(Number(x)).toLocaleString("en-US");
const secs = (ms: number) => (ms / 1000).toFixed(1);

export function benchMarkdown(report: BenchReport): string {
  const runs = report.runs;
  const lines = [
    "# Scaling benchmark (`npm run bench`)",
    "",
    `Generated ${report.generatedAt} on ${report.machine.cpus} CPUs, Node ${report.machine.node}; in-process ` +
      "Hardhat network. One slot end to end per size: half prosumers (one offer each), half consumers (one bid " +
      "each), 4 microgrids, 10 validators, about 1 % of the users without a reading. Gas is the sum of the " +
      "receipts' `gasUsed` per phase; setup (deployment, registration, funding) is not part of the slot.",
    "",
    "## Wall time [s]",
    "",
    `| users | setup | ${SLOT_PHASES.join(" | ")} | slot |`,
    `|---:|---:|${SLOT_PHASES.map(() => "---:").join("|")}|---:|`,
    ...runs.map(
      (r) =>
        `| ${r.users} | ${secs(r.setup.wallMs)} | ${SLOT_PHASES.map((p) => secs(r.phases[p].wallMs)).join(" | ")} | ${secs(r.total.wallMs)} |`,
    ),
    "",
    "## Gas per user per phase",
    "",
    `| users | ${SLOT_PHASES.join(" | ")} | total |`,
    `|---:|${SLOT_PHASES.map(() => "---:").join("|")}|---:|`,
    ...runs.map(
      (r) =>
        `| ${r.users} | ${SLOT_PHASES.map((p) => int(r.phases[p].gasPerUser)).join(" | ")} | ${int(r.total.gasPerUser)} |`,
    ),
  ];
  if (report.perUserRatio) {
    const ratio = report.perUserRatio;
    lines.push(
      `| **${runs[runs.length - 1].users} : ${runs[0].users}** | ${SLOT_PHASES.map((p) => ratio[p].toFixed(3)).join(" | ")} | **${ratio.total.toFixed(3)}** |`,
      "",
      `Per-user gas of the whole slot at ${runs[runs.length - 1].users} users is ${ratio.total.toFixed(3)}× that at ` +
        `${runs[0].users} (limit ${FLATNESS_LIMIT}×): ${report.flat ? "flat" : "NOT flat"}.`,
      "",
      "Reading the ratios: `orders`, `readings` and `settlement` are one transaction (or one batch entry) per " +
        "user and stay flat. `blocks`, `level2` and `accountMissing` are per microgrid-slot or per slot (a " +
        "trade block per microgrid, its attestations, one level-2 run, one `accountMissing` per microgrid), so " +
        "their gas per user falls as 1/N. `clearing` has a fixed part per book (closing the book, the price " +
        "levels walked) next to its per-order part, so it falls too; `orders` falls slightly as more orders " +
        "share a price level that already exists. None grows with N.",
    );
  }
  lines.push(
    "",
    "## Gas per phase (slot totals) and transactions",
    "",
    `| users | ${SLOT_PHASES.join(" | ")} | total | transactions |`,
    `|---:|${SLOT_PHASES.map(() => "---:").join("|")}|---:|---:|`,
    ...runs.map(
      (r) =>
        `| ${r.users} | ${SLOT_PHASES.map((p) => int(r.phases[p].gas)).join(" | ")} | ${int(r.total.gas)} | ${r.total.transactions} |`,
    ),
    "",
    "## Algorithm 1: running totals vs the thesis' scan",
    "",
    "Gas of one trader-score update after n earlier trades of the trader: `TrustScoreOracle.recordTrade` " +
      "(running totals, O(1)) against `contracts/test/ThesisScanTrustHarness.sol` (every trade in one list, " +
      "each update scans it: `listOfTrans`, O(n)). Execution gas measured around the external call; both " +
      "gave the same score (asserted).",
    "",
    "| earlier trades | running totals | thesis scan | scan : totals | tx gas (totals) | tx gas (scan) |",
    "|---:|---:|---:|---:|---:|---:|",
    ...report.algorithm1.map(
      (r) =>
        `| ${r.earlierTrades} | ${int(r.runningTotalsGas)} | ${int(r.thesisScanGas)} | ${r.ratio.toFixed(1)}× | ${int(r.runningTotalsTxGas)} | ${int(r.thesisScanTxGas)} |`,
    ),
    "",
  );
  return lines.join("\n");
}

export function scalingChart(report: BenchReport): string {
  const xs = report.runs.map((r) => r.users);
  return lineChart({
    title: "Gas per user per phase of one slot",
    x: { label: "Users", log: true, ticks: xs },
    y: { label: "Gas per user", unit: "gas", min: 0 },
    series: [
      ...SLOT_PHASES.map((p) => ({
        name: p,
        points: report.runs.map((r) => ({ x: r.users, y: r.phases[p].gasPerUser })),
      })),
      {
        name: "total",
        dashed: true,
        points: report.runs.map((r) => ({ x: r.users, y: r.total.gasPerUser })),
      },
    ],
  });
}

export function algorithm1Chart(report: BenchReport): string {
  return lineChart({
    title: "Algorithm 1: gas per trader-score update",
    x: {
      label: "Earlier trades of the trader",
      log: true,
      ticks: report.algorithm1.map((r) => r.earlierTrades),
    },
    y: { label: "Gas per update", unit: "gas", min: 0 },
    series: [
      {
        name: "running totals",
        points: report.algorithm1.map((r) => ({ x: r.earlierTrades, y: r.runningTotalsGas })),
      },
      {
        name: "thesis scan",
        points: report.algorithm1.map((r) => ({ x: r.earlierTrades, y: r.thesisScanGas })),
      },
    ],
  });
}

/** Writes bench.json, BENCH.md, scaling.svg and alg1.svg to `dir`; returns the paths. */
export function writeBenchReport(report: BenchReport, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ["bench.json", JSON.stringify(report, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n"],
    ["BENCH.md", benchMarkdown(report)],
    ["alg1.svg", algorithm1Chart(report)],
  ];
  if (report.runs.length > 0) files.push(["scaling.svg", scalingChart(report)]);
  return files.map(([name, text]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  });
}
