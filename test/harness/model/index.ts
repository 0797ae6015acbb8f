// The whole suite as one TypeScript model: the references of test/reference/ composed into coin, registry,
// market, metering, consensus, settlement and trust models, with the suite's parameters (read once from the
// deployed contracts: they are configuration, not predictions) and the chain clock the harness drives.
import { CoinModel } from "./coin";
import { ConsensusModel } from "./consensus";
import { MarketModel } from "./market";
import { MeteringModel } from "./metering";
import { RegistryModel } from "./registry";
import { SettlementModel } from "./settlement";
import { TrustModel } from "./trust";
import type { Suite } from "../world";

/** Deliberate model bugs, switched on only by the test that proves the harness can fail. */
export interface InjectedBugs {
  depositOffByOne?: boolean;
}

export interface Addresses {
  market: string;
  validators: string;
  others: Record<string, string>;
  grid: string;
}

export class SuiteModel {
  /** Timestamp of the latest mined block; the next transaction is mined at `now + 1`. */
  now = 0n;
  /** Every slot in which a book was opened (orders or clearing), ascending. */
  readonly activeSlots = new Set<bigint>();
  bugs: InjectedBugs = {};
  /** Meter wallets by key address (fixture keys, registrations and rotations of this run). */
  readonly meterWallets = new Map<string, import("ethers").Wallet>();
  /** Payment references used in this run (a retry must revert). */
  readonly usedFiatRefs: string[] = [];
  /** Events that must happen at most once, seen so far in this run. */
  readonly seenOnce = new Set<string>();
  /** Counter for fresh meter keys. */
  keyCounter = 0;

  constructor(
    readonly clock: { genesis: bigint; slotLength: bigint; gateLead: bigint; maxLeadSlots: bigint },
    readonly addresses: Addresses,
    readonly coin: CoinModel,
    readonly registry: RegistryModel,
    readonly market: MarketModel,
    readonly metering: MeteringModel,
    readonly consensus: ConsensusModel,
    readonly settlement: SettlementModel,
    readonly trust: TrustModel,
  ) {}

  /** The time the next transaction is mined at. */
  get next(): bigint {
    return this.now + 1n;
  }

  slotAt(t: bigint): bigint {
    return (t - this.clock.genesis) / this.clock.slotLength;
  }

  slotStart(slot: bigint): bigint {
    return this.clock.genesis + slot * this.clock.slotLength;
  }

  slotEnd(slot: bigint): bigint {
    return this.slotStart(slot + 1n);
  }

  gate(slot: bigint): bigint {
    return this.slotStart(slot) - this.clock.gateLead;
  }

  isOrderWindowOpen(slot: bigint, t: bigint): boolean {
    if (slot > this.slotAt(t) + this.clock.maxLeadSlots) return false;
    return t < this.gate(slot);
  }

  get grid(): string {
    return this.addresses.grid;
  }

  sortedSlots(): bigint[] {
    return [...this.activeSlots].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** The model of a freshly loaded fixture, from its parameters and initial state. */
export async function modelOf(f: Suite): Promise<SuiteModel> {
  const { coin, registry, market, meter, oracle, validators, committees, blocks } = f;
  const clock = {
    genesis: await registry.genesis(),
    slotLength: await registry.slotLength(),
    gateLead: await registry.gateLead(),
    maxLeadSlots: await registry.maxLeadSlots(),
  };
  const others: Record<string, string> = {};
  for (const [name, address] of Object.entries(f.addresses))
    if (name !== "EnergyMarket") others[name] = address;
  const addresses: Addresses = {
    market: f.addresses.EnergyMarket,
    validators: f.addresses.ValidatorRegistry,
    others,
    grid: await registry.gridAccount(),
  };
  const coinModel = new CoinModel();
  coinModel.issued = await coin.totalIssued();
  coinModel.redeemed = await coin.totalRedeemed();
  coinModel.burned = await coin.totalBurned();
  coinModel.minted = await coin.totalRewardsMinted();
  const everyone = [f.dso, ...f.traders.map((t) => t.actor), ...f.validatorActors, ...f.spares];
  for (const a of [...everyone.map((x) => x.address), ...Object.values(f.addresses)])
    coinModel.wallet.set(a, await coin.balanceOf(a));

  const registryModel = new RegistryModel();
  const currentSlot = await registry.currentSlot();
  for (let i = 0; i < Number(await registry.microgridCount()); i++)
    registryModel.microgrids.push(Number(await registry.microgridAt(i)));
  const [buy, sell] = await registry.tariffAt(currentSlot);
  registryModel.tariffs.push({ fromSlot: 0n, value: { gridBuyPrice: buy, gridSellPrice: sell } });
  for (const a of everyone) {
    const p = await registry.participant(a.address);
    if (p.kind === 0n) continue;
    const key = await registry.meterKeyAt(a.address, currentSlot);
    const [maxImportWh, maxExportWh] = await registry.capacityAt(a.address, currentSlot);
    registryModel.participants.set(a.address, {
      kind: Number(p.kind),
      microgrid: Number(p.microgrid),
      registeredAt: p.registeredAt,
      suspended: p.suspended,
      indebted: p.indebted,
      keys: [{ fromSlot: 0n, value: key }],
      capacity: [{ fromSlot: 0n, value: { maxImportWh, maxExportWh } }],
    });
    registryModel.ownerOfKey.set(key, a.address);
  }

  const access = await oracle.accessFractions();
  const marketModel = new MarketModel({
    tickSize: await market.tickSize(),
    feeBps: await market.feeBps(),
    penaltyBps: await market.penaltyBps(),
    minOrderWh: await market.minOrderWh(),
    settleGrace: await market.settleGrace(),
    settleDeadline: await market.settleDeadline(),
    maxOrdersPerSlot: await market.maxOrdersPerSlot(),
    gridFloat: await market.gridFloat(),
    accessWad: [access[0], access[1], access[2], access[3]],
  });
  for (const a of everyone) {
    const balance = await market.balanceOf(a.address);
    if (balance !== 0n) marketModel.balances.set(a.address, balance);
  }
  marketModel.totalPrepaid = await market.totalPrepaid();
  marketModel.totalEscrow = await market.totalEscrow();
  marketModel.pool = await market.settlementPool();

  const metering = new MeteringModel(clock.genesis, clock.slotLength, await meter.readingWindow());
  const consensus = new ConsensusModel({
    proposalTimeout: await blocks.proposalTimeout(),
    attestWindow: await blocks.attestWindow(),
    finalityDeadlineSlots: await blocks.finalityDeadline(),
    attesterPenalty: await blocks.attesterPenalty(),
    maxExclusions: await blocks.maxExclusions(),
    slotLength: clock.slotLength,
    epochSlots: await committees.epochSlots(),
    minDeposit: await validators.minDeposit(),
    minTraderScoreToValidate: await validators.minTraderScoreToValidate(),
  });
  const thresholds = await oracle.trpThresholds();
  const trust = new TrustModel({
    initialTraderScore: await oracle.initialTraderScore(),
    initialTraderWeight: await oracle.initialTraderWeight(),
    timeUnit: await oracle.timeUnit(),
    coinUnit: await oracle.coinUnit(),
    thresholds: [thresholds[0], thresholds[1], thresholds[2]],
    blockReward: await oracle.blockReward(),
    baseValidatorScore: await oracle.baseValidatorScore(),
  });
  for (const v of f.validatorActors) {
    const record = await validators.validator(v.address);
    consensus.validators.set(v.address, { weight: record.weight, joinedAt: record.joinedAt, left: false });
    const [score, proposedBlocks, joinedAt] = await oracle.validatorState(v.address);
    trust.validators.set(v.address, { score, proposedBlocks, joinedAt });
  }
  const model = new SuiteModel(
    clock,
    addresses,
    coinModel,
    registryModel,
    marketModel,
    metering,
    consensus,
    new SettlementModel(),
    trust,
  );
  const latest = await f.registry.runner!.provider!.getBlock("latest");
  model.now = BigInt(latest!.timestamp);
  for (const wallet of f.meterKeys.values()) model.meterWallets.set(wallet.address, wallet);
  return model;
}
