/**
 * The day simulation (issue 7): deploys the suite on the embedded Hardhat network, creates the population
 * and runs a day of slots end to end through the real contracts and the real off-chain parts — orders from
 * each trader's forecast, gate closure, clearing, the meter feeder relaying signed readings, validator agents
 * proposing and attesting trade blocks, level-2 and level-1 settlement, trust scoring, platform feedback,
 * validator rewards and committee rotation — and returns what the report writer needs.
 *
 * Clock. Slot 0 of the chain (genesis) lies `LEAD_SLOTS` slots before the simulated day's 00:00 UTC, so that
 * deployment and registration happen before the first order window closes; day slot `i` is chain slot
 * `LEAD_SLOTS + i`. The driver moves the chain clock itself: tick `k` stands at `start(k)` (and two more
 * sub-ticks 5 and 10 minutes later, so that rounds a withholding proposer skips can lapse), and one tick
 * handles several slots at different phases:
 *
 *   orders for k + 2 (before gate(k + 2) = start(k + 1)) → clearing of k + 1 (its gate closed at start(k)) →
 *   readings of k − 1 (its window is slot k) → validator agents (whose keeper duty accounts the silent meters
 *   of k − 2, whose window closed, and who vote in batches through a shared VotePool) → the driver's own
 *   `accountMissing` for k − 2 as a fallback for accounts the agents left, and the agents again if it sent
 *   any → level 2 and settlement of every slot whose microgrid-slots are all final → platform feedback.
 *
 * Everything is sent one transaction at a time on the automining in-process network (fast enough: see the
 * README for the wall time of the default day). Deterministic for a seed: every random choice comes from
 * seeded generators and every address from a seeded key.
 */
import {
  AbiCoder,
  Wallet,
  ZeroAddress,
  keccak256,
  MaxUint256,
  type ContractTransactionResponse,
} from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deploySuite } from "../../deploy/suite";
import { specDefaults, type DeployConfig } from "../../deploy/config/types";
import {
  EnergyMarket__factory,
  MeterReadings__factory,
  Registry__factory,
  Settlement__factory,
  TradeBlocks__factory,
  TrustCoin__factory,
  TrustScoreOracle__factory,
  ValidatorRegistry__factory,
  type EnergyMarket,
  type MeterReadings,
  type Registry,
  type Settlement,
  type TradeBlocks,
  type TrustCoin,
  type TrustScoreOracle,
  type ValidatorRegistry,
} from "../../typechain-types";
import type { CsvReading } from "../feeder/csv";
import { MeterKeyRing } from "../feeder/keys";
import { feedReadings, readingSignerFor } from "../feeder/relay";
import { agentContractsAt, ValidatorAgent, type AgentActions, type Behaviour } from "../validator/agent";
import { EvidencePool } from "../validator/evidence";
import { VotePool } from "../validator/votes";
import { slotGrid, simulationParameters, type SimOptions } from "./cli";
import {
  buildProfiles,
  drawHouseholds,
  loadProfileSource,
  type HouseholdProfile,
  type ProfileSource,
} from "./profiles";
import { Rng } from "./rng";
import {
  trpLevel,
  type BlockRow,
  type ConsensusRow,
  type GasRow,
  type MoneyTotals,
  type SimulationResult,
  type SlotRow,
  type TradeRow,
  type TrpLevelRow,
} from "../report/writer";

/** Chain slots before the simulated day: deployment, registration and the first order windows. */
export const LEAD_SLOTS = 10;
/** TRC issued to each trader (thesis Table 4.3) and the share of it deposited into the market. */
export const TRADER_COINS_TRC = 100n;
export const TRADER_DEPOSIT_TRC = 50n;
/** Validators hold 2 000–5 000 TRC and burn it all as their deposit (weight). */
export const VALIDATOR_COINS_TRC: readonly [number, number] = [2000, 5000];
/** The grid account's float in the market (it pays the level-2 surplus at the feed-in tariff). */
export const GRID_FLOAT_TRC = 10_000n;
/** Relative standard deviation of a trader's forecast of its load and PV. */
export const FORECAST_SIGMA = 0.1;
/** A malicious seller delivers this share of what it offers. */
export const DELIVERY_SHARE: readonly [number, number] = [0.3, 0.6];
/** Chance that a trader who traded in a slot rates the platform. */
export const FEEDBACK_CHANCE = 0.15;
/** Sub-ticks per slot, seconds after the slot's start (proposalTimeout and attestWindow are 300 s). */
const SUB_TICKS = [0n, 301n, 602n];
/** Slots after the day's last one the driver keeps running until every slot is settled. */
const MAX_TAIL_SLOTS = 14;

const TRC = 10n ** 18n;
/**
 * Gas limits of the frequent transactions, well above what they use (see the report's gas table), so that
 * sending them skips a gas estimate (a second execution of each).
 */
export const GAS_LIMIT = {
  order: 2_000_000n,
  clear: 16_000_000n,
  accountMissing: 10_000_000n,
  runLevel2: 4_000_000n,
  settle: 2_000_000n,
  feedback: 500_000n,
} as const;
const ONE_HUNDRED_ETH = "0x56bc75e2d63100000";

/** How a trader misbehaves: `oversell` offers more than it will deliver; `missing` never sends readings. */
export type TraderMode = "honest" | "oversell" | "missing";

export interface Trader {
  index: number;
  address: string;
  signer: HardhatEthersSigner;
  meter: Wallet;
  kind: "prosumer" | "consumer";
  microgrid: number;
  mode: TraderMode;
  profile: HouseholdProfile;
  maxImportWh: bigint;
  maxExportWh: bigint;
  peakPvWh: number;
}

export interface SimValidator {
  address: string;
  wallet: Wallet;
  behaviour: Behaviour;
  agent: ValidatorAgent;
}

/** A progress bar of one phase. */
export interface PhaseBar {
  tick(n?: number): void;
  finish(): void;
}

export interface SimHooks {
  /** Opens the progress bar of a phase (default: none). */
  progress?: (phase: string, total: number) => PhaseBar;
  /** Notices (rejected orders, skipped readings…). */
  log?: (line: string) => void;
  /** Wall time spent per phase, ms, once the run is over. */
  onPhaseTimes?: (times: Record<string, number>) => void;
}

/** A run's outcome as the driver saw it, beyond the report (for tests and the command line). */
export interface SimulationChecks {
  microgridSlotsFinal: number;
  microgridSlots: number;
  participantSlotsSettled: number;
  slotsClosed: number;
}

interface OrderRecord {
  side: "offer" | "bid";
  qtyWh: bigint;
  /** Malicious sellers: the share of the offer they deliver. */
  deliveryShare?: number;
}

interface SlotWork {
  chainSlot: bigint;
  day: number;
  orders: Map<number, OrderRecord>;
  readings: Set<number>;
  meteredImportWh: number[];
  meteredExportWh: number[];
  settled: boolean;
}

const silentBar: PhaseBar = { tick() {}, finish() {} };

/** A private key derived from the seed, a role name and an index (every simulated address comes from one). */
export function seededKey(seed: number, role: string, index: number): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["string", "uint256", "string", "uint256"],
      ["gridtrust-sim", seed, role, index],
    ),
  );
}

/** Runs the simulation described by `options` on `hre`'s network (the in-process Hardhat network). */
export async function runSimulation(
  hre: HardhatRuntimeEnvironment,
  options: SimOptions,
  hooks: SimHooks = {},
): Promise<SimulationResult & { checks: SimulationChecks }> {
  const bar = hooks.progress ?? (() => silentBar);
  const log = hooks.log ?? (() => {});
  const phaseMs: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await work();
    } finally {
      phaseMs[phase] = (phaseMs[phase] ?? 0) + Date.now() - t0;
    }
  };
  if (hre.network.name !== "hardhat")
    throw new Error(`the simulation runs on the embedded Hardhat network, not "${hre.network.name}"`);
  const provider = hre.ethers.provider;
  const grid = slotGrid(options);
  const slotLength = BigInt(options.slotSeconds);
  const lead = BigInt(LEAD_SLOTS);
  const genesis = BigInt(grid.startUnix) - lead * slotLength;
  const N = options.slots;
  const M = options.microgrids;

  // ------------------------------------------------------------------ randomness and population
  const rng = new Rng(options.seed);
  const rngHouseholds = rng.split();
  const rngProfiles = rng.split();
  const rngRoles = rng.split();
  const rngForecast = rng.split();
  const rngPrices = rng.split();
  const rngFeedback = rng.split();
  const rngValidators = rng.split();
  const households = drawHouseholds(rngHouseholds, options.prosumers, options.consumers);
  const source: ProfileSource =
    options.profilesDir === undefined
      ? { kind: "generator", site: { latitudeDeg: options.siteLatDeg, longitudeDeg: options.siteLonDeg } }
      : loadProfileSource(options.profilesDir);
  const profiles = buildProfiles(source, households, grid, rngProfiles);
  const metered = (p: HouseholdProfile, i: number): { importWh: number; exportWh: number } =>
    source.kind === "feeder"
      ? { importWh: p.loadWh[i], exportWh: p.pvWh[i] }
      : { importWh: Math.max(0, p.loadWh[i] - p.pvWh[i]), exportWh: Math.max(0, p.pvWh[i] - p.loadWh[i]) };
  const traderCount = households.length;
  const maliciousSet = new Set(rngRoles.shuffle([...Array(traderCount).keys()]).slice(0, options.malicious));
  let maliciousProsumers = 0;
  const modeOf = (j: number): TraderMode => {
    if (!maliciousSet.has(j)) return "honest";
    if (households[j].kind === "consumer") return "missing";
    return maliciousProsumers++ % 2 === 0 ? "oversell" : "missing";
  };
  const dishonestSet = new Set(
    rngValidators.shuffle([...Array(options.validators).keys()]).slice(0, options.dishonestValidators),
  );

  // ------------------------------------------------------------------ clock
  const latestTime = async (): Promise<bigint> => BigInt((await provider.getBlock("latest"))!.timestamp);
  const clockTo = async (t: bigint): Promise<void> => {
    if (t > (await latestTime())) {
      await provider.send("evm_setNextBlockTimestamp", [Number(t)]);
      await provider.send("evm_mine", []);
    }
  };
  const slotStartOf = (chainSlot: bigint) => genesis + chainSlot * slotLength;
  const now0 = await latestTime();
  if (now0 > genesis + slotLength)
    throw new Error(
      `the chain's clock (${new Date(Number(now0) * 1000).toISOString()}) is past the simulation's set-up time ` +
        `(${new Date(Number(genesis) * 1000).toISOString()}, ${LEAD_SLOTS} slots before ${options.date} 00:00 UTC): ` +
        `simulate a later --date, or start the chain earlier`,
    );
  await clockTo(genesis);

  // ------------------------------------------------------------------ gas
  const gas = new Map<string, { count: number; total: bigint }>();
  const addGas = (name: string, used: bigint, count = 1) => {
    const g = gas.get(name) ?? { count: 0, total: 0n };
    g.count += count;
    g.total += used;
    gas.set(name, g);
  };
  const send = async (name: string, tx: Promise<ContractTransactionResponse>) => {
    const receipt = await (await tx).wait();
    if (!receipt || receipt.status !== 1) throw new Error(`${name} failed`);
    addGas(name, receipt.gasUsed);
    return receipt;
  };

  // ------------------------------------------------------------------ deploy
  const [deployer, keeper] = await hre.ethers.getSigners();
  const deployBar = bar("deploy", 1);
  const config: DeployConfig = {
    ...specDefaults,
    clock: { ...specDefaults.clock, genesis: Number(genesis) },
  };
  const { record } = await timed("deploy", () => deploySuite(hre, { config }));
  deployBar.tick();
  deployBar.finish();
  const deployBlock = await provider.getBlockNumber();
  const at = record.contracts;
  const coin: TrustCoin = TrustCoin__factory.connect(at.TrustCoin, deployer);
  const registry: Registry = Registry__factory.connect(at.Registry, deployer);
  const oracle: TrustScoreOracle = TrustScoreOracle__factory.connect(at.TrustScoreOracle, deployer);
  const validatorRegistry: ValidatorRegistry = ValidatorRegistry__factory.connect(
    at.ValidatorRegistry,
    deployer,
  );
  const market: EnergyMarket = EnergyMarket__factory.connect(at.EnergyMarket, deployer);
  const meter: MeterReadings = MeterReadings__factory.connect(at.MeterReadings, deployer);
  const settlement: Settlement = Settlement__factory.connect(at.Settlement, deployer);
  const blocks: TradeBlocks = TradeBlocks__factory.connect(at.TradeBlocks, deployer);

  // ------------------------------------------------------------------ population
  const setupBar = bar("population", M + traderCount + options.validators + 1);
  const traders: Trader[] = [];
  const validators: SimValidator[] = [];
  const evidencePool = new EvidencePool();
  // The validators' gossip channel for signed votes, in-process shared memory (see scripts/validator/votes.ts).
  const votePool = new VotePool();
  const agentContracts = await agentContractsAt(at.TradeBlocks, deployer);
  let fiatRefs = 0;
  const fiatRef = () =>
    keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ["string", "uint256", "uint256"],
        ["gridtrust-sim issue", options.seed, fiatRefs++],
      ),
    );
  await timed("population", async () => {
    for (let m = 1; m <= M; m++) {
      await send("registerMicrogrid", registry.registerMicrogrid(m));
      setupBar.tick();
    }
    // The grid account (the deployer) keeps a float in the market.
    await send("issue", coin.issue(deployer.address, GRID_FLOAT_TRC * TRC, fiatRef()));
    await send("approve", coin.approve(at.EnergyMarket, MaxUint256));
    await send("deposit", market.deposit(GRID_FLOAT_TRC * TRC));
    setupBar.tick();

    for (let j = 0; j < traderCount; j++) {
      const address = new Wallet(seededKey(options.seed, "trader", j)).address;
      await provider.send("hardhat_setBalance", [address, ONE_HUNDRED_ETH]);
      const signer = await hre.ethers.getImpersonatedSigner(address);
      const meterWallet = new Wallet(seededKey(options.seed, "meter", j));
      const profile = profiles[j];
      const peakImport = Math.max(...profile.loadWh.map((_, i) => metered(profile, i).importWh));
      const peakExport = Math.max(...profile.pvWh.map((_, i) => metered(profile, i).exportWh));
      const kind = households[j].kind;
      const trader: Trader = {
        index: j,
        address,
        signer,
        meter: meterWallet,
        kind,
        microgrid: (j % M) + 1,
        mode: modeOf(j),
        profile,
        maxImportWh: BigInt(Math.max(200, Math.ceil(peakImport * 1.25))),
        maxExportWh: kind === "prosumer" ? BigInt(Math.max(200, Math.ceil(peakExport * 1.25))) : 0n,
        peakPvWh: Math.max(...profile.pvWh),
      };
      await send(
        "registerParticipant",
        registry.registerParticipant(
          address,
          kind === "prosumer" ? 1 : 2,
          trader.microgrid,
          meterWallet.address,
          trader.maxImportWh,
          trader.maxExportWh,
        ),
      );
      await send("issue", coin.issue(address, TRADER_COINS_TRC * TRC, fiatRef()));
      await send("approve", coin.connect(signer).approve(at.EnergyMarket, MaxUint256));
      await send("deposit", market.connect(signer).deposit(TRADER_DEPOSIT_TRC * TRC));
      traders.push(trader);
      setupBar.tick();
    }

    const baseScore = await oracle.baseValidatorScore();
    for (let v = 0; v < options.validators; v++) {
      const wallet = new Wallet(seededKey(options.seed, "validator", v), provider);
      await provider.send("hardhat_setBalance", [wallet.address, ONE_HUNDRED_ETH]);
      const holding = BigInt(rngValidators.int(VALIDATOR_COINS_TRC[0], VALIDATOR_COINS_TRC[1])) * TRC;
      await send(
        "registerParticipant",
        registry.registerParticipant(
          wallet.address,
          2,
          (v % M) + 1,
          new Wallet(seededKey(options.seed, "validator-meter", v)).address,
          1,
          0,
        ),
      );
      await send("issue", coin.issue(wallet.address, holding, fiatRef()));
      await send("approve", coin.connect(wallet).approve(at.ValidatorRegistry, MaxUint256));
      const [prev, next] = await validatorRegistry.findInsertPosition(holding, baseScore, wallet.address);
      await send("join", validatorRegistry.connect(wallet).join(holding, prev, next));
      const behaviour: Behaviour = !dishonestSet.has(v)
        ? "honest"
        : [...dishonestSet].sort((a, b) => a - b).indexOf(v) % 2 === 0
          ? "withhold"
          : "equivocate";
      const agent = new ValidatorAgent({
        signer: wallet,
        contracts: agentContracts,
        behaviour,
        evidencePool,
        votePool,
        voteMode: "batch",
        logsFromBlock: deployBlock,
        microgrids: Array.from({ length: M }, (_, m) => BigInt(m + 1)),
        log: (line) => agentLine(line),
      });
      validators.push({ address: wallet.address, wallet, behaviour, agent });
      setupBar.tick();
    }
  });
  setupBar.finish();

  /** Agents report each mined transaction as `action(args): block N, gas G`. */
  function agentLine(line: string): void {
    const mined = /^([A-Za-z]+)[^:]*: block \d+, gas (\d+)$/.exec(line);
    if (mined) addGas(mined[1], BigInt(mined[2]));
  }

  // ------------------------------------------------------------------ market terms
  const [gridBuyPrice, gridSellPrice] = await registry.tariffAt(lead);
  const tickSize = await market.tickSize();
  const minOrderWh = Number(await market.minOrderWh());
  const sellTick = Number((gridSellPrice + tickSize - 1n) / tickSize);
  const buyTick = Number(gridBuyPrice / tickSize);
  const tickAt = (share: number) => BigInt(Math.round(sellTick + (buyTick - sellTick) * share));
  const thresholds = (await oracle.trpThresholds()) as unknown as bigint[];
  const trpThresholdsWad: [bigint, bigint, bigint] = [thresholds[0], thresholds[1], thresholds[2]];
  const initialScore = await oracle.initialTraderScore();
  const scores = new Map<string, bigint>(traders.map((t) => [t.address, initialScore]));
  const honestTrader = new Map<string, boolean>(traders.map((t) => [t.address, t.mode === "honest"]));
  const honestValidator = new Map<string, boolean>(
    validators.map((v) => [v.address, v.behaviour === "honest"]),
  );

  // ------------------------------------------------------------------ per-slot work
  const work = new Map<number, SlotWork>();
  const workOf = (day: number): SlotWork => {
    let w = work.get(day);
    if (!w) {
      w = {
        chainSlot: lead + BigInt(day),
        day,
        orders: new Map(),
        readings: new Set(),
        meteredImportWh: Array(M + 1).fill(0),
        meteredExportWh: Array(M + 1).fill(0),
        settled: false,
      };
      work.set(day, w);
    }
    return w;
  };
  const slotRows: SlotRow[] = [];
  const tradeRows: TradeRow[] = [];
  const blockRows: BlockRow[] = [];
  const trpRows: TrpLevelRow[] = [];
  const consensusRows: ConsensusRow[] = [];
  const minCommittee = await agentContracts.committees.minCommittee();
  let rejectedOrders = 0;

  const forecast = (x: number) => Math.max(0, x * (1 + rngForecast.normal(0, FORECAST_SIGMA)));

  async function placeOrders(day: number): Promise<void> {
    const w = workOf(day);
    for (const t of traders) {
      const load = forecast(t.profile.loadWh[day]);
      const pv = forecast(t.profile.pvWh[day]);
      const net = Math.round(pv - load);
      let order: OrderRecord | undefined;
      let price: bigint;
      if (t.mode === "oversell") {
        const share = rngForecast.uniform(DELIVERY_SHARE[0], DELIVERY_SHARE[1]);
        const base = Math.max(net, Math.round(0.1 * t.peakPvWh), minOrderWh);
        const qty = Math.min(Number(t.maxExportWh), Math.round(base / share));
        order = { side: "offer", qtyWh: BigInt(qty), deliveryShare: share };
        price = tickAt(rngPrices.uniform(0.1, 0.4));
      } else if (t.kind === "prosumer" && net >= minOrderWh) {
        order = { side: "offer", qtyWh: BigInt(Math.min(net, Number(t.maxExportWh))) };
        price = tickAt(rngPrices.uniform(0.2, 0.6));
      } else if (-net >= minOrderWh) {
        order = { side: "bid", qtyWh: BigInt(Math.min(-net, Number(t.maxImportWh))) };
        price = tickAt(rngPrices.uniform(0.5, 1));
      } else continue;
      const m = market.connect(t.signer);
      try {
        if (order.side === "offer")
          await send(
            "placeOffer",
            m.placeOffer(w.chainSlot, order.qtyWh, price, { gasLimit: GAS_LIMIT.order }),
          );
        else
          await send("placeBid", m.placeBid(w.chainSlot, order.qtyWh, price, { gasLimit: GAS_LIMIT.order }));
        w.orders.set(t.index, order);
      } catch (error) {
        rejectedOrders++;
        log(`order of trader ${t.index} for slot ${day} refused: ${reason(error)}`);
      }
    }
  }

  async function clearSlot(day: number): Promise<void> {
    const s = workOf(day).chainSlot;
    for (let m = 1; m <= M; m++) {
      for (let calls = 0; !(await market.isCleared(m, s)); calls++) {
        if (calls > 200) throw new Error(`clearing of microgrid ${m}, day slot ${day} does not complete`);
        await send("clear", market.connect(keeper).clear(m, s, { gasLimit: GAS_LIMIT.clear }));
      }
    }
  }

  const keyRing = new MeterKeyRing();
  traders.forEach((t) => keyRing.add(t.meter.privateKey, t.address, "simulation", `trader ${t.index}`));
  const signReading = await readingSignerFor(meter);
  const relayContext = { meterReadings: meter, registry, relayer: keeper, signReading };

  async function relayReadings(day: number): Promise<void> {
    const w = workOf(day);
    const rows: CsvReading[] = [];
    const byAddress = new Map<string, Trader>();
    for (const t of traders) {
      if (t.mode === "missing") continue;
      let { importWh, exportWh } = metered(t.profile, day);
      const order = w.orders.get(t.index);
      if (order?.deliveryShare !== undefined) {
        // The malicious seller curtails its export to its share of the offer.
        exportWh = Math.min(exportWh, Math.round(order.deliveryShare * Number(order.qtyWh)));
      }
      rows.push({
        line: rows.length + 1,
        by: "participant",
        address: t.address,
        slot: w.chainSlot,
        importWh: BigInt(importWh),
        exportWh: BigInt(exportWh),
      });
      byAddress.set(t.address, t);
    }
    if (rows.length === 0) return;
    const summary = await feedReadings(relayContext, rows, keyRing, { pollIntervalMs: 1 });
    addGas("submitReadings", summary.gasUsed, summary.transactions);
    if (summary.accepted > 0) addGas("submitReadings (per reading)", summary.gasUsed, summary.accepted);
    for (const p of summary.problems) log(`reading of line ${p.line}, day slot ${day}: ${p.reason}`);
    const skipped = new Set(summary.skipped.map((s) => s.participant));
    for (const s of summary.skipped) log(`reading of ${s.participant}, day slot ${day} skipped: ${s.reason}`);
    const problems = new Set(summary.problems.map((p) => p.line));
    for (const row of rows) {
      if (skipped.has(row.address) || problems.has(row.line)) continue;
      const t = byAddress.get(row.address)!;
      w.readings.add(t.index);
      w.meteredImportWh[t.microgrid] += Number(row.importWh);
      w.meteredExportWh[t.microgrid] += Number(row.exportWh);
    }
  }

  /**
   * The fallback of the validators' keeper duty: accounts as missing every trader of day slot `day` with an
   * order and no reading that has no meter record yet (the agents' keeper accounted the rest). Returns how many
   * accounts it accounted.
   */
  async function accountMissingFallback(day: number): Promise<number> {
    const w = workOf(day);
    let accounted = 0;
    for (let m = 1; m <= M; m++) {
      const missing: string[] = [];
      for (const t of traders) {
        if (t.microgrid !== m || !w.orders.has(t.index) || w.readings.has(t.index)) continue;
        if ((await meter.meterRecord(t.address, w.chainSlot)).status === 0n) missing.push(t.address);
      }
      if (missing.length > 0) {
        await send(
          "accountMissing (driver fallback)",
          meter
            .connect(keeper)
            .accountMissing(m, w.chainSlot, missing, { gasLimit: GAS_LIMIT.accountMissing }),
        );
        log(`day slot ${day}, microgrid ${m}: the driver accounted ${missing.length} missing accounts`);
        accounted += missing.length;
      }
    }
    return accounted;
  }

  let scannedBlock = deployBlock;
  const membersByEpoch = new Map<bigint, Set<string>>();
  const epochSlots = await agentContracts.committees.epochSlots();
  async function membersOf(epoch: bigint): Promise<Set<string>> {
    let members = membersByEpoch.get(epoch);
    if (!members) {
      members = new Set(await agentContracts.committees.membersOf(epoch));
      if (members.size > 0) membersByEpoch.set(epoch, members);
    }
    return members;
  }

  /**
   * Agent passes until nobody acts: the first pass steps every agent (committees, proposals, default
   * finality); later passes only the members of the committees that have a proposal to attest.
   */
  async function stepAgents(): Promise<void> {
    let stepping = validators;
    for (let pass = 0; pass < 6 && stepping.length > 0; pass++) {
      const epochs = new Set<bigint>();
      let acted = false;
      for (const v of stepping) {
        const actions: AgentActions = await v.agent.step();
        for (const f of actions.failed)
          log(`validator ${v.address} (${v.behaviour}): ${f.action} failed: ${f.reason}`);
        for (const r of [...actions.proposed, ...actions.attested, ...actions.batchesSubmitted])
          epochs.add(r.slot / epochSlots);
        if (
          actions.proposed.length +
            actions.attested.length +
            actions.batchesSubmitted.length +
            actions.accountedMissing.length +
            actions.finalizedByDefault.length +
            actions.committees.length +
            actions.evidenceSubmitted.length >
          0
        )
          acted = true;
      }
      if (!acted) break;
      const members = new Set<string>();
      for (const e of epochs) for (const a of await membersOf(e)) members.add(a);
      stepping = pass === 0 && epochs.size === 0 ? [] : validators.filter((v) => members.has(v.address));
    }
    await recordBlocks();
  }

  /** Whether a day slot whose blocks can be proposed (`≤ chainSlot`) still has a microgrid-slot not final. */
  async function openBlocksUpTo(chainSlot: bigint): Promise<boolean> {
    for (const w of work.values()) {
      if (w.settled || w.chainSlot > chainSlot) continue;
      for (let m = 1; m <= M; m++)
        if ((await meter.slotMeter(m, w.chainSlot)).finalizedAt === 0n) return true;
    }
    return false;
  }

  /**
   * Validator-score updates of the day's microgrid-slots since the last scan: final blocks (tv of the block),
   * rounds that ended without one (skipped, rejected or lapsed: tv 0) and ejections for equivocation (score 0).
   * Each trade-blocks event is paired, in log order, with the oracle's `ValidatorScoreUpdated` for the same
   * validator in the same transaction.
   */
  async function recordBlocks(): Promise<void> {
    const latest = await provider.getBlockNumber();
    if (latest <= scannedBlock) return;
    const from = scannedBlock + 1;
    scannedBlock = latest;
    const hashes = new Set<string>();
    for (const filter of [
      blocks.filters.BlockFinalized(),
      blocks.filters.RoundEnded(),
      blocks.filters.EquivocationPunished(),
    ]) {
      for (const e of await blocks.queryFilter(filter, from, latest)) hashes.add(e.transactionHash);
    }
    const receipts = [];
    for (const hash of hashes) receipts.push((await provider.getTransactionReceipt(hash))!);
    receipts.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const tbAddress = at.TradeBlocks.toLowerCase();
    const oracleAddress = at.TrustScoreOracle.toLowerCase();
    for (const receipt of receipts) {
      const events: { validator: string; day: number; microgrid: number; tv: bigint; ejected: boolean }[] =
        [];
      const updates = new Map<string, bigint[]>();
      for (const entry of receipt.logs) {
        const address = entry.address.toLowerCase();
        if (address === tbAddress) {
          const parsed = blocks.interface.parseLog(entry);
          if (!parsed) continue;
          const name = parsed.name;
          if (name !== "BlockFinalized" && name !== "RoundEnded" && name !== "EquivocationPunished") continue;
          const validator = parsed.args.proposer as string;
          if (validator === ZeroAddress) continue;
          events.push({
            validator,
            day: Number((parsed.args.slot as bigint) - lead),
            microgrid: Number(parsed.args.microgrid),
            tv: name === "BlockFinalized" ? (parsed.args.tv as bigint) : 0n,
            ejected: name === "EquivocationPunished",
          });
        } else if (address === oracleAddress) {
          const parsed = oracle.interface.parseLog(entry);
          if (parsed?.name !== "ValidatorScoreUpdated") continue;
          const validator = parsed.args.validator as string;
          updates.set(validator, [...(updates.get(validator) ?? []), parsed.args.newScore as bigint]);
        }
      }
      for (const e of events) {
        const scoreAfterWad = e.ejected
          ? 0n
          : (updates.get(e.validator)?.shift() ?? (await oracle.validatorScore(e.validator)));
        if (e.day < 0 || e.day >= N) continue;
        blockRows.push({
          validator: e.validator,
          honest: honestValidator.get(e.validator) ?? true,
          slot: e.day,
          microgrid: e.microgrid,
          tvWad: e.tv,
          scoreAfterWad,
        });
      }
    }
  }

  const dayBar = bar("day", N);
  let settledSlots = 0;
  let participantSlotsSettled = 0;

  async function settleReady(): Promise<void> {
    for (let day = 0; day < N; day++) {
      const w = work.get(day);
      if (!w || w.settled) continue;
      if (day > 0 && !work.get(day - 1)?.settled) return; // in slot order
      const s = w.chainSlot;
      let allFinal = true;
      for (let m = 1; m <= M && allFinal; m++) allFinal = (await meter.slotMeter(m, s)).finalizedAt !== 0n;
      if (!allFinal) return;
      await timed("settlement", () => settleSlot(w));
      settledSlots++;
      dayBar.tick();
    }
  }

  /**
   * How the day slot's microgrid-slots reached finality (by the committee or by default), the committee's size,
   * the validators eligible when the slot settles, and the mean validator scores then.
   */
  async function recordConsensus(w: SlotWork): Promise<void> {
    let finalByCommittee = 0;
    let finalByDefault = 0;
    for (let m = 1; m <= M; m++) {
      const status = (await blocks.blockState(m, w.chainSlot)).status;
      if (status === 2n) finalByCommittee++;
      else if (status === 3n) finalByDefault++;
    }
    const epoch = await agentContracts.committees.epochOf(w.chainSlot);
    const committee = await agentContracts.committees.committeeInfo(epoch);
    let eligible = 0;
    const sums = { honest: [0n, 0], dishonest: [0n, 0] } as Record<string, [bigint, number]>;
    for (const v of validators) {
      if (await validatorRegistry.isEligible(v.address)) eligible++;
      const side = sums[v.behaviour === "honest" ? "honest" : "dishonest"];
      side[0] += await oracle.validatorScore(v.address);
      side[1]++;
    }
    const mean = ([sum, n]: [bigint, number]) => (n === 0 ? null : sum / BigInt(n));
    consensusRows.push({
      slot: w.day,
      committeeMembers: Number(committee.memberCount),
      eligibleValidators: eligible,
      minCommittee: Number(minCommittee),
      finalByCommittee,
      finalByDefault,
      meanHonestValidatorScoreWad: mean(sums.honest),
      meanDishonestValidatorScoreWad: mean(sums.dishonest),
    });
  }

  async function settleSlot(w: SlotWork): Promise<void> {
    const s = w.chainSlot;
    if (!(await settlement.level2Of(s)).done)
      await send("runLevel2", settlement.connect(keeper).runLevel2(s, { gasLimit: GAS_LIMIT.runLevel2 }));
    const participants = traders.filter((t) => w.orders.has(t.index) || w.readings.has(t.index));
    const traded: Trader[] = [];
    for (const t of participants) {
      const position = await market.positionOf(t.address, s);
      const receipt = await send(
        "settle",
        settlement.connect(keeper).settle(t.address, s, { gasLimit: GAS_LIMIT.settle }),
      );
      participantSlotsSettled++;
      for (const entry of receipt.logs) {
        if (entry.address.toLowerCase() !== at.TrustScoreOracle.toLowerCase()) continue;
        const parsed = oracle.interface.parseLog(entry);
        if (parsed?.name !== "TraderScoreUpdated") continue;
        const newScore = parsed.args.newScore as bigint;
        scores.set(t.address, newScore);
        tradeRows.push({
          trader: t.address,
          honest: t.mode === "honest",
          slot: w.day,
          microgrid: t.microgrid,
          side: position.side === 1n ? "sell" : "buy",
          qtyWh: Number(position.filledWh),
          alpha: Number(parsed.args.alpha),
          scoreAfterWad: newScore,
        });
        traded.push(t);
      }
    }
    await recordConsensus(w);
    const levels: [number, number, number, number] = [0, 0, 0, 0];
    for (const t of traders) levels[trpLevel(scores.get(t.address)!, trpThresholdsWad) - 1]++;
    trpRows.push({ slot: w.day, levels });

    const level2 = await settlement.level2Of(s);
    const [tariffBuy, tariffSell] = await registry.tariffAt(s);
    for (let m = 1; m <= M; m++) {
      const level1 = await settlement.level1Of(m, s);
      const aggregates = await market.slotAggregates(m, s);
      slotRows.push({
        slot: w.day,
        timeUnix: Number(slotStartOf(s)),
        microgrid: m,
        p1SellWadPerKWh: level1.sellPrice,
        p1BuyWadPerKWh: level1.buyPrice,
        p2SellWadPerKWh: level2.sellPrice,
        p2BuyWadPerKWh: level2.buyPrice,
        tariffSellWadPerKWh: tariffSell,
        tariffBuyWadPerKWh: tariffBuy,
        tradedWh: Number(aggregates.tradedWh),
        meteredImportWh: w.meteredImportWh[m],
        meteredExportWh: w.meteredExportWh[m],
      });
    }
    for (const t of traded) {
      if (rngFeedback.uniform() >= FEEDBACK_CHANCE) continue;
      const delta = rngFeedback.int(2, 5);
      const epsilon = rngFeedback.int(2, 5);
      await send(
        "giveFeedback",
        oracle.connect(t.signer).giveFeedback(s, delta, epsilon, { gasLimit: GAS_LIMIT.feedback }),
      );
    }
    w.settled = true;
  }

  // ------------------------------------------------------------------ the day
  const day = (chainSlot: number) => chainSlot - LEAD_SLOTS;
  const inDay = (d: number) => d >= 0 && d < N;
  const firstTick = LEAD_SLOTS - 2;
  const lastTick = LEAD_SLOTS + N - 1 + MAX_TAIL_SLOTS;
  for (let k = firstTick; k <= lastTick; k++) {
    if (settledSlots === N) break;
    const start = slotStartOf(BigInt(k));
    for (const [j, offset] of SUB_TICKS.entries()) {
      if (j > 0 && !(await openBlocksUpTo(BigInt(k - 2)))) continue;
      await clockTo(start + offset);
      if (j === 0) {
        if (inDay(day(k + 2))) await timed("orders", () => placeOrders(day(k + 2)));
        if (inDay(day(k + 1))) await timed("clearing", () => clearSlot(day(k + 1)));
        if (inDay(day(k - 1))) await timed("readings", () => relayReadings(day(k - 1)));
      }
      await timed("consensus", () => stepAgents());
      if (j === 0 && inDay(day(k - 2))) {
        // The agents had their chance at keeper duty; whatever they left, the driver accounts, so no slot stalls.
        if ((await timed("readings", () => accountMissingFallback(day(k - 2)))) > 0)
          await timed("consensus", () => stepAgents());
      }
      await settleReady();
    }
  }
  dayBar.finish();
  if (settledSlots !== N)
    throw new Error(
      `${N - settledSlots} slots were not final ${MAX_TAIL_SLOTS} slots after the day: the consensus stalled`,
    );
  if (rejectedOrders > 0) log(`${rejectedOrders} orders were refused`);

  // ------------------------------------------------------------------ checks
  const checkBar = bar("checks", N + 1);
  const money = await timed("checks", async () => {
    let settlementIn = 0n;
    let settlementOut = 0n;
    let microgridSlotsFinal = 0;
    for (const w of work.values()) {
      const m$ = await settlement.slotMoney(w.chainSlot);
      if (!m$.closed)
        throw new Error(`day slot ${w.day}: settlement not closed (not every participant-slot settled)`);
      if (m$.moneyIn < m$.moneyOut)
        throw new Error(
          `day slot ${w.day}: settlement paid out ${m$.moneyOut} but took in only ${m$.moneyIn}`,
        );
      settlementIn += m$.moneyIn;
      settlementOut += m$.moneyOut;
      for (let m = 1; m <= M; m++) {
        const progress = await settlement.microgridProgress(m, w.chainSlot);
        if (!progress.done)
          throw new Error(`day slot ${w.day}, microgrid ${m}: not every participant-slot settled`);
        if ((await meter.slotMeter(m, w.chainSlot)).finalizedAt !== 0n) microgridSlotsFinal++;
      }
      checkBar.tick();
    }
    const totals: MoneyTotals = {
      issuedWad: await coin.totalIssued(),
      redeemedWad: await coin.totalRedeemed(),
      burnedWad: await coin.totalBurned(),
      rewardsMintedWad: await coin.totalRewardsMinted(),
      totalSupplyWad: await coin.totalSupply(),
      settlementInWad: settlementIn,
      settlementOutWad: settlementOut,
      settlementDustWad: settlementIn - settlementOut,
    };
    if (
      totals.totalSupplyWad !==
      totals.issuedWad - totals.redeemedWad - totals.burnedWad + totals.rewardsMintedWad
    )
      throw new Error(
        `money not conserved: supply ${totals.totalSupplyWad} ≠ issued − redeemed − burned + minted`,
      );
    if (totals.rewardsMintedWad > totals.burnedWad)
      throw new Error(`rewards minted ${totals.rewardsMintedWad} exceed burns ${totals.burnedWad}`);
    const held = await coin.balanceOf(at.EnergyMarket);
    const owed = (await market.totalPrepaid()) + (await market.totalEscrow());
    const pool = await market.settlementPool();
    if (BigInt(held) !== owed + pool)
      throw new Error(`the market holds ${held} TRC base units but owes ${owed} + settlement pool ${pool}`);
    const expectedPool = (await settlement.dust()) - (await settlement.gridDebt());
    if (pool !== expectedPool)
      throw new Error(`settlement pool ${pool} ≠ dust − grid debt = ${expectedPool} with every slot closed`);
    // Every coin is held by someone the simulation knows.
    const holders = [
      deployer.address,
      keeper.address,
      at.EnergyMarket,
      ...traders.map((t) => t.address),
      ...validators.map((v) => v.address),
    ];
    let held$ = 0n;
    for (const h of holders) held$ += await coin.balanceOf(h);
    if (held$ !== totals.totalSupplyWad)
      throw new Error(`the known holders hold ${held$}, the supply is ${totals.totalSupplyWad}`);
    checkBar.tick();
    return { totals, microgridSlotsFinal };
  });
  checkBar.finish();
  hooks.onPhaseTimes?.(phaseMs);

  const gasRows: GasRow[] = [...gas.entries()].map(([name, g]) => ({
    name,
    count: g.count,
    totalGas: g.total,
    meanGas: g.count === 0 ? 0 : Number(g.total) / g.count,
  }));
  return {
    parameters: simulationParameters(options),
    trpThresholdsWad,
    slots: slotRows,
    trades: tradeRows,
    blocks: blockRows,
    trpLevels: trpRows,
    consensus: consensusRows,
    gas: gasRows,
    money: money.totals,
    checks: {
      microgridSlotsFinal: money.microgridSlotsFinal,
      microgridSlots: N * M,
      participantSlotsSettled,
      slotsClosed: N,
    },
  };
}

function reason(error: unknown): string {
  const e = error as { revert?: { name: string; args: unknown[] }; shortMessage?: string; message?: string };
  if (e.revert) return `${e.revert.name}(${e.revert.args.map(String).join(", ")})`;
  return e.shortMessage ?? e.message ?? String(error);
}
