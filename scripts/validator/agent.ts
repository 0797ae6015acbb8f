/**
 * A validator agent (SPEC §6.2, §6.3): one {@link ValidatorAgent.step} is a pass over the chain that
 *
 * 1. keeps committees coming — selects the next epoch's committee from the current epoch's middle slot on
 *    (`selectNextCommittee`), and selects or shuffles any epoch of its window whose committee is due;
 * 2. for each microgrid-slot `(m, s)` of a bounded window of recent slots (microgrids from the registry) that
 *    is proposable and not final: proposes when it is the current round's proposer and the round has no
 *    proposal (exclusions from its plausibility check, signed EIP-712 and submitted); accepts or rejects the
 *    round's proposal when it is another member and has not voted (accept iff its own check gives the same
 *    exclusions); finalizes by default once that is due (deadline passed, or the epoch has no committee);
 * 3. submits equivocation evidence from the shared {@link EvidencePool};
 * 4. re-syncs its own rank (`syncRankScore` with hints) after a `ValidatorScoresChanged` event names it.
 *
 * Votes (`voteMode`). In `"batch"` mode (the default) a member does not send `attest`: it signs its vote
 * (EIP-712 `Attestation`) and publishes it to the shared {@link VotePool}; the first member of the committee
 * (proposer or voter) that finds every other member it expects online (seen on the pool) voted — or finds the
 * batch deadline passed (`batchDeadlineBps` of `attestWindow` after the proposal, in chain time) — submits the
 * round's unrecorded votes in ONE `attestBatch`. TradeBlocks counts all of them before it judges, so members
 * who voted in time are not penalised as silent because finality came one transaction earlier (SPEC §6.3).
 * Agents stepped one after another make the submitter deterministic; a duplicate submission by a racing peer is
 * harmless (the contract skips recorded votes with `AttestationSkipped`, or the round is over and it reverts).
 * In `"tx"` mode every member sends its own `attest` as before.
 *
 * Keeper duty. Once a microgrid-slot's reading window has closed and its clearing is done, the round-0
 * proposer of (m, s) (anyone, when the epoch has no committee) calls `meter.accountMissing(m, s, accounts)`,
 * in chunks of `keeperChunk`, for the accounts that placed orders in (m, s) (the market's `OfferPlaced` and
 * `BidPlaced` events) with live orders and no meter record — what makes the slot proposable.
 *
 * Readings come from the meter's `ReadingAccepted` / `SubstituteAccepted` events, fetched once per
 * microgrid-slot (a proposable slot's reading window has closed, so its readings no longer change).
 * Committee orders are cached once drawn and finality once reached, so a pass over settled slots costs
 * one call per slot that is not proposable yet.
 *
 * `behaviour` makes dishonest agents for the simulation: `"withhold"` never proposes; `"equivocate"` signs
 * two different proposals for each round it proposes, submits the first and publishes both to the evidence
 * pool; `"offline"` does nothing. Apart from that, a withholding or equivocating agent attests and finalizes
 * like an honest one; only honest agents submit evidence.
 */
import type { ContractRunner, ContractTransactionResponse, Signer } from "ethers";
import {
  ICommittees__factory,
  IEnergyMarket__factory,
  IMeterReadings__factory,
  IRegistry__factory,
  ITrustScoreOracle__factory,
  IValidatorRegistry__factory,
  TradeBlocks__factory,
  type ICommittees,
  type IEnergyMarket,
  type IMeterReadings,
  type IRegistry,
  type ITrustScoreOracle,
  type IValidatorRegistry,
  type TradeBlocks,
} from "../../typechain-types";
import {
  blocksDomain,
  sameExclusions,
  signAttestation,
  signProposal,
  sortAddresses,
  type BlocksDomain,
  type EquivocationEvidence,
  type ProposalBody,
  type RoundRef,
} from "../lib/blocks";
import { EvidencePool } from "./evidence";
import { defaultPlausibility, type PlausibilityCheck, type SlotReading } from "./plausibility";
import { VotePool, type PooledVote } from "./votes";

/** How an agent behaves (see the module's notes). */
export type Behaviour = "honest" | "withhold" | "equivocate" | "offline";

/** How an agent casts its votes: one `attest` transaction each, or signed votes batched through a pool. */
export type VoteMode = "tx" | "batch";

/** The contracts an agent talks to. */
export interface AgentContracts {
  blocks: TradeBlocks;
  committees: ICommittees;
  meter: IMeterReadings;
  registry: IRegistry;
  validators: IValidatorRegistry;
  oracle: ITrustScoreOracle;
  /** The market (order events and positions for keeper duty); default TradeBlocks' `MARKET()`. */
  market?: IEnergyMarket;
}

/** The agent's contracts from the TradeBlocks address alone (the rest are its immutables), on `runner`. */
export async function agentContractsAt(
  blocksAddress: string,
  runner: ContractRunner,
): Promise<AgentContracts> {
  const blocks = TradeBlocks__factory.connect(blocksAddress, runner);
  const [committees, meter, registry, validators, oracle, market] = await Promise.all([
    blocks.COMMITTEES(),
    blocks.METER(),
    blocks.REGISTRY(),
    blocks.VALIDATORS(),
    blocks.ORACLE(),
    blocks.MARKET(),
  ]);
  return {
    blocks,
    committees: ICommittees__factory.connect(committees, runner),
    meter: IMeterReadings__factory.connect(meter, runner),
    registry: IRegistry__factory.connect(registry, runner),
    validators: IValidatorRegistry__factory.connect(validators, runner),
    oracle: ITrustScoreOracle__factory.connect(oracle, runner),
    market: IEnergyMarket__factory.connect(market, runner),
  };
}

/** Options of a {@link ValidatorAgent}. */
export interface AgentOptions {
  /** The validator's key (a signer with a provider). */
  signer: Signer;
  contracts: AgentContracts;
  /** Decides exclusions; default {@link defaultPlausibility} with its defaults. */
  plausibility?: PlausibilityCheck;
  /** Default `"honest"`. */
  behaviour?: Behaviour;
  /** Shared evidence of equivocation; default a pool of the agent's own. */
  evidencePool?: EvidencePool;
  /** Default `"batch"`. */
  voteMode?: VoteMode;
  /**
   * The signed votes of the committee (batch mode); the agents of one committee must share it. Default a pool
   * of the agent's own: its votes then go out alone at the batch deadline.
   */
  votePool?: VotePool;
  /** When a member submits the votes it holds without waiting for the rest: this share (in basis points) of
   * `attestWindow` after the proposal (default 5 000, half the window). */
  batchDeadlineBps?: number;
  /** Accounts per `accountMissing` call of keeper duty (default 50). */
  keeperChunk?: number;
  /** The microgrids to serve; default every microgrid registered (re-read when the count changes). */
  microgrids?: bigint[];
  /** How many slots before the current one a pass looks at (default 8). */
  lookbackSlots?: bigint;
  /** The first block to read events from (default 0; a deployment's block saves work on long chains). */
  logsFromBlock?: number;
  /** Where to report what it does (default: nowhere). */
  log?: (line: string) => void;
}

/** A microgrid-slot. */
export interface SlotRef {
  microgrid: bigint;
  slot: bigint;
}

/** What one {@link ValidatorAgent.step} did. Transactions that reverted (lost races) are in `failed`. */
export interface AgentActions {
  committees: { epoch: bigint; call: "selectNextCommittee" | "ensureCommittee" | "shuffle" }[];
  proposed: (RoundRef & { exclusions: string[] })[];
  /** Votes cast: sent by `attest` (tx mode) or signed and published to the vote pool (batch mode). */
  attested: (RoundRef & { accept: boolean })[];
  /** `attestBatch` calls sent, with the number of votes each carried. */
  batchesSubmitted: (RoundRef & { votes: number })[];
  /** Keeper duty: `accountMissing` calls sent. */
  accountedMissing: (SlotRef & { accounts: string[] })[];
  finalizedByDefault: SlotRef[];
  evidencePublished: RoundRef[];
  evidenceSubmitted: (RoundRef & { proposer: string })[];
  rankSynced: { oldRankScore: bigint; newRankScore: bigint }[];
  failed: { action: string; reason: string }[];
}

/** An empty {@link AgentActions}. */
export function noActions(): AgentActions {
  return {
    committees: [],
    proposed: [],
    attested: [],
    batchesSubmitted: [],
    accountedMissing: [],
    finalizedByDefault: [],
    evidencePublished: [],
    evidenceSubmitted: [],
    rankSynced: [],
    failed: [],
  };
}

/** The readings of a proposable microgrid-slot and each reader's traded position. */
interface SlotReadings {
  readings: SlotReading[];
  positions: Map<string, bigint>;
}

/** `ITradeBlocks.BlockStatus`. */
const Status = { Unopened: 0n, Open: 1n, Final: 2n, FinalByDefault: 3n } as const;
/** TradeBlocks tracks votes in 64-bit masks. */
const MAX_COMMITTEE = 64;
/**
 * Gas added to the estimate of a proposal or attestation, which may turn into the one that reaches finality
 * (Algorithms 3 and 4, a penalty per silent member) when other votes land first: a base plus a share per member.
 */
const FINALITY_GAS_BASE = 400_000n;
const FINALITY_GAS_PER_MEMBER = 40_000n;
/** Gas added per member to the estimate of a call that may shuffle: the draw of its block decides the writes. */
const SHUFFLE_GAS_PER_MEMBER = 25_000n;

/** The name and arguments of a custom error a transaction reverted with, or the error's message. */
export function revertReason(error: unknown): string {
  const e = error as { revert?: { name: string; args: unknown[] }; shortMessage?: string; message?: string };
  if (e.revert) return `${e.revert.name}(${e.revert.args.map(String).join(", ")})`;
  return e.shortMessage ?? e.message ?? String(error);
}

export class ValidatorAgent {
  readonly behaviour: Behaviour;
  readonly evidencePool: EvidencePool;
  readonly voteMode: VoteMode;
  readonly votePool: VotePool;
  private readonly batchDeadlineBps: bigint;
  private readonly keeperChunk: number;
  private readonly signer: Signer;
  private readonly c: AgentContracts;
  private market: IEnergyMarket | undefined;
  private readonly plausibility: PlausibilityCheck;
  private readonly lookbackSlots: bigint;
  private readonly logsFromBlock: number;
  private readonly log: (line: string) => void;
  private readonly fixedMicrogrids: bigint[] | undefined;

  private me = "";
  private domain: BlocksDomain | undefined;
  private clock: { genesis: bigint; slotLength: bigint; epochSlots: bigint } | undefined;
  private microgrids: bigint[] = [];
  private readonly orders = new Map<bigint, string[]>();
  private readonly epochsWithout = new Set<bigint>();
  private readonly finals = new Set<string>();
  private readonly readingsCache = new Map<string, Promise<SlotReadings>>();
  private readonly proposedRounds = new Set<string>();
  private readonly windowCloses = new Map<bigint, bigint>();
  private scoresScannedTo = -1;

  constructor(options: AgentOptions) {
    this.signer = options.signer;
    const runner = options.signer;
    const c = options.contracts;
    this.c = {
      blocks: c.blocks.connect(runner),
      committees: c.committees.connect(runner),
      meter: c.meter.connect(runner),
      registry: c.registry.connect(runner),
      validators: c.validators.connect(runner),
      oracle: c.oracle.connect(runner),
    };
    this.market = c.market?.connect(runner);
    this.plausibility = options.plausibility ?? defaultPlausibility();
    this.behaviour = options.behaviour ?? "honest";
    this.evidencePool = options.evidencePool ?? new EvidencePool();
    this.voteMode = options.voteMode ?? "batch";
    this.votePool = options.votePool ?? new VotePool();
    const bps = options.batchDeadlineBps ?? 5_000;
    if (!Number.isInteger(bps) || bps < 0 || bps > 10_000)
      throw new RangeError("batchDeadlineBps must be a whole number in [0, 10000]");
    this.batchDeadlineBps = BigInt(bps);
    this.keeperChunk = options.keeperChunk ?? 50;
    if (!Number.isInteger(this.keeperChunk) || this.keeperChunk < 1)
      throw new RangeError("keeperChunk must be a whole number of at least 1");
    // Present on the vote pool from the start when the signer's address is known synchronously (a Wallet or a
    // Hardhat signer), so that a round proposed before this agent's first step waits for its vote.
    const known = (options.signer as { address?: unknown }).address;
    if (this.behaviour !== "offline" && typeof known === "string") this.votePool.announce(known);
    this.fixedMicrogrids = options.microgrids;
    this.lookbackSlots = options.lookbackSlots ?? 8n;
    if (this.lookbackSlots < 1n) throw new RangeError("lookbackSlots must be at least 1");
    this.logsFromBlock = options.logsFromBlock ?? 0;
    this.scoresScannedTo = this.logsFromBlock - 1;
    this.log = options.log ?? (() => undefined);
  }

  /** The validator's address (known after the first step). */
  get address(): string {
    return this.me;
  }

  /** One pass: committees, the window's microgrid-slots, evidence, rank. */
  async step(): Promise<AgentActions> {
    const actions = noActions();
    if (this.behaviour === "offline") return actions;
    await this.init();
    this.votePool.announce(this.me);
    const clock = this.clock!;
    const latest = await this.signer.provider!.getBlock("latest");
    if (!latest) return actions;
    const now = BigInt(latest.timestamp);
    if (now < clock.genesis) return actions;
    const current = (now - clock.genesis) / clock.slotLength;

    await this.tendCommittees(current, latest.number, actions);
    const microgrids = await this.microgridList();
    const first = current > this.lookbackSlots ? current - this.lookbackSlots : 0n;
    for (let slot = first; slot < current; ++slot) {
      for (const microgrid of microgrids) await this.tendSlot(microgrid, slot, now, actions);
    }
    if (this.behaviour === "honest") await this.submitEvidence(actions);
    await this.syncOwnRank(actions);
    return actions;
  }

  // ---------------------------------------------------------------- setup

  private async init(): Promise<void> {
    if (this.clock) return;
    this.me = await this.signer.getAddress();
    const [genesis, slotLength, epochSlots, domain] = await Promise.all([
      this.c.registry.genesis(),
      this.c.registry.slotLength(),
      this.c.committees.epochSlots(),
      blocksDomain(this.c.blocks),
    ]);
    this.clock = { genesis, slotLength, epochSlots };
    this.domain = domain;
    this.market ??= IEnergyMarket__factory.connect(await this.c.blocks.MARKET(), this.signer);
  }

  private async microgridList(): Promise<bigint[]> {
    if (this.fixedMicrogrids) return this.fixedMicrogrids;
    const count = await this.c.registry.microgridCount();
    for (let i = this.microgrids.length; i < Number(count); ++i) {
      this.microgrids.push(await this.c.registry.microgridAt(i));
    }
    return this.microgrids;
  }

  /** Sends a transaction and waits for it; a revert is recorded in `actions.failed`, not thrown. */
  private async send(
    actions: AgentActions,
    action: string,
    transaction: () => Promise<ContractTransactionResponse>,
  ): Promise<boolean> {
    try {
      const receipt = await (await transaction()).wait();
      if (!receipt || receipt.status !== 1) throw new Error("transaction failed");
      this.log(`${action}: block ${receipt.blockNumber}, gas ${receipt.gasUsed}`);
      return true;
    } catch (error) {
      const reason = revertReason(error);
      actions.failed.push({ action, reason });
      this.log(`${action} failed: ${reason}`);
      return false;
    }
  }

  // ---------------------------------------------------------------- committees

  /**
   * Selects and shuffles the committees of the epochs of the window, and from the current epoch's middle slot
   * on selects the next one; caches each order once drawn.
   */
  private async tendCommittees(current: bigint, blockNumber: number, actions: AgentActions): Promise<void> {
    const epochSlots = this.clock!.epochSlots;
    const firstSlot = current > this.lookbackSlots ? current - this.lookbackSlots : 0n;
    const currentEpoch = current / epochSlots;
    const nextEpoch = currentEpoch + 1n;
    const nextDue = current >= (await this.c.committees.selectionSlot(nextEpoch));
    const last = nextDue ? nextEpoch : currentEpoch;
    for (let epoch = firstSlot / epochSlots; epoch <= last; ++epoch) {
      if (this.orders.has(epoch) || this.epochsWithout.has(epoch)) continue;
      let info = await this.c.committees.committeeInfo(epoch);
      if (!info.selected) {
        const call = epoch === nextEpoch ? "selectNextCommittee" : "ensureCommittee";
        // Selection may shuffle the current epoch too: room for a shuffle of the largest committee.
        const headroom = SHUFFLE_GAS_PER_MEMBER * BigInt(MAX_COMMITTEE);
        const sent = await this.send(actions, `${call}(${epoch})`, async () => {
          if (epoch === nextEpoch) {
            const gas = await this.c.committees.selectNextCommittee.estimateGas();
            return this.c.committees.selectNextCommittee({ gasLimit: gas + headroom });
          }
          const gas = await this.c.committees.ensureCommittee.estimateGas(epoch);
          return this.c.committees.ensureCommittee(epoch, { gasLimit: gas + headroom });
        });
        if (sent) actions.committees.push({ epoch, call });
        info = await this.c.committees.committeeInfo(epoch);
      } else if (info.memberCount > 0n && !info.shuffled && BigInt(blockNumber) + 1n >= info.seedBlock) {
        // The draw decides how many entries move: room for every member's entry to be rewritten.
        const headroom = SHUFFLE_GAS_PER_MEMBER * info.memberCount;
        const shuffle = async () => {
          const gas = await this.c.committees.shuffle.estimateGas(epoch);
          return this.c.committees.shuffle(epoch, { gasLimit: gas + headroom });
        };
        if (await this.send(actions, `shuffle(${epoch})`, shuffle))
          actions.committees.push({ epoch, call: "shuffle" });
        info = await this.c.committees.committeeInfo(epoch);
      }
      if (info.selected && info.memberCount === 0n) this.epochsWithout.add(epoch);
      else if (info.shuffled) this.orders.set(epoch, [...(await this.c.committees.committeeOf(epoch))]);
    }
  }

  // ---------------------------------------------------------------- microgrid-slots

  private async tendSlot(microgrid: bigint, slot: bigint, now: bigint, actions: AgentActions): Promise<void> {
    const key = `${microgrid}:${slot}`;
    if (this.finals.has(key)) return;
    const state = await this.c.blocks.blockState(microgrid, slot);
    if (state.status === Status.Final || state.status === Status.FinalByDefault) {
      this.markFinal(microgrid, slot);
      return;
    }
    let [round, openedAt, open] = await this.c.blocks.currentRound(microgrid, slot);
    if (state.status === Status.Unopened && openedAt === 0n) {
      // Not proposable yet: keeper duty may be what it waits for.
      if (!(await this.keeperDuty(microgrid, slot, now, actions))) return;
      [round, openedAt, open] = await this.c.blocks.currentRound(microgrid, slot);
      if (openedAt === 0n) return;
    }
    const epoch = slot / this.clock!.epochSlots;
    if (!open || this.epochsWithout.has(epoch)) {
      // `open` is also false once final: another agent may have finalized it since the state was read.
      const status = (await this.c.blocks.blockState(microgrid, slot)).status;
      if (status === Status.Final || status === Status.FinalByDefault) {
        this.markFinal(microgrid, slot);
        return;
      }
      if (
        await this.send(actions, `finalizeByDefault(${microgrid}, ${slot})`, () =>
          this.c.blocks.finalizeByDefault(microgrid, slot),
        )
      ) {
        actions.finalizedByDefault.push({ microgrid, slot });
        this.markFinal(microgrid, slot);
      }
      return;
    }
    const order = this.orders.get(epoch);
    if (!order || order.length > MAX_COMMITTEE) return;
    const position = order.findIndex((member) => member.toLowerCase() === this.me.toLowerCase());
    if (position < 0) return;
    const k = BigInt(order.length);
    const proposerPosition = Number((slot + microgrid + round) % k);
    const ref: RoundRef = { microgrid, slot, round };
    const proposed = state.status === Status.Open && state.round === round && state.proposedAt !== 0n;
    if (position === proposerPosition) {
      if (!proposed && !this.proposedRounds.has(`${key}:${round}`)) await this.propose(ref, actions);
    } else if (proposed) {
      const voted = ((state.acceptMask | state.rejectMask) >> BigInt(position)) & 1n;
      if (this.voteMode === "tx") {
        if (voted === 0n) await this.attest(ref, actions);
        return;
      }
      if (voted === 0n && !this.votePool.hasVoted(ref, state.proposalHash, this.me))
        await this.publishVote(ref, state.proposalHash, actions);
    }
    if (proposed && this.voteMode === "batch") {
      const round$ = { ...ref, proposalHash: state.proposalHash, proposedAt: state.proposedAt };
      const masks = { acceptMask: state.acceptMask, rejectMask: state.rejectMask };
      await this.relayVotes(round$, masks, order, proposerPosition, now, actions);
    }
  }

  private markFinal(microgrid: bigint, slot: bigint): void {
    const key = `${microgrid}:${slot}`;
    this.finals.add(key);
    this.readingsCache.delete(key);
    this.votePool.forgetSlot(microgrid, slot);
  }

  // ---------------------------------------------------------------- keeper duty

  /**
   * Keeper duty for (`microgrid`, `slot`) once its reading window has closed and its clearing is done: if this
   * agent is its keeper (round-0 proposer; anyone without a committee), accounts every account with live
   * orders and no meter record as missing. Returns whether it sent anything.
   */
  private async keeperDuty(
    microgrid: bigint,
    slot: bigint,
    now: bigint,
    actions: AgentActions,
  ): Promise<boolean> {
    let closesAt = this.windowCloses.get(slot);
    if (closesAt === undefined) {
      closesAt = (await this.c.meter.readingWindowOf(slot))[1];
      this.windowCloses.set(slot, closesAt);
    }
    if (now < closesAt) return false;
    const epoch = slot / this.clock!.epochSlots;
    const order = this.orders.get(epoch);
    if (order) {
      if (order.length === 0 || order.length > MAX_COMMITTEE) return false;
      const keeper = order[Number((slot + microgrid) % BigInt(order.length))];
      if (keeper.toLowerCase() !== this.me.toLowerCase()) return false;
    } else if (!this.epochsWithout.has(epoch)) return false; // committee not drawn yet
    const market = this.market!;
    if (!(await market.isCleared(microgrid, slot))) return false;
    const slotMeter = await this.c.meter.slotMeter(microgrid, slot);
    if (slotMeter.proposableAt !== 0n || slotMeter.finalizedAt !== 0n) return false;
    const missing = await this.missingAccounts(microgrid, slot);
    let sent = false;
    for (let i = 0; i < missing.length; i += this.keeperChunk) {
      const accounts = missing.slice(i, i + this.keeperChunk);
      const label = `accountMissing(${microgrid}, ${slot}, ${accounts.length} accounts)`;
      if (await this.send(actions, label, () => this.c.meter.accountMissing(microgrid, slot, accounts))) {
        actions.accountedMissing.push({ microgrid, slot, accounts });
        sent = true;
      }
    }
    return sent;
  }

  /** Accounts that placed orders in (`microgrid`, `slot`), still have live orders and have no meter record. */
  private async missingAccounts(microgrid: bigint, slot: bigint): Promise<string[]> {
    const market = this.market!;
    const [offers, bids] = await Promise.all([
      market.queryFilter(market.filters.OfferPlaced(undefined, microgrid, slot), this.logsFromBlock),
      market.queryFilter(market.filters.BidPlaced(undefined, microgrid, slot), this.logsFromBlock),
    ]);
    const accounts = [...new Set([...offers, ...bids].map((e) => e.args.account))];
    const missing: string[] = [];
    for (const account of accounts) {
      const [record, position] = await Promise.all([
        this.c.meter.meterRecord(account, slot),
        market.positionOf(account, slot),
      ]);
      if (record.status === 0n && position.liveOrders > 0n) missing.push(account);
    }
    return missing;
  }

  /** The readings of (`microgrid`, `slot`) from the meter's events, once per microgrid-slot. */
  private slotReadings(microgrid: bigint, slot: bigint): Promise<SlotReadings> {
    const key = `${microgrid}:${slot}`;
    let cached = this.readingsCache.get(key);
    if (!cached) {
      cached = this.fetchReadings(microgrid, slot);
      cached.catch(() => this.readingsCache.delete(key));
      this.readingsCache.set(key, cached);
    }
    return cached;
  }

  private async fetchReadings(microgrid: bigint, slot: bigint): Promise<SlotReadings> {
    const meter = this.c.meter;
    const [read, substituted] = await Promise.all([
      meter.queryFilter(meter.filters.ReadingAccepted(undefined, microgrid, slot), this.logsFromBlock),
      meter.queryFilter(meter.filters.SubstituteAccepted(undefined, microgrid, slot), this.logsFromBlock),
    ]);
    const events = [
      ...read.map((e) => ({ e, substitute: false })),
      ...substituted.map((e) => ({ e, substitute: true })),
    ].sort((x, y) => x.e.blockNumber - y.e.blockNumber || x.e.index - y.e.index);
    const readings: SlotReading[] = [];
    const positions = new Map<string, bigint>();
    for (const { e, substitute } of events) {
      const { participant, importWh, exportWh, imbalanceWh } = e.args;
      const [maxImportWh, maxExportWh] = await this.c.registry.capacityAt(participant, slot);
      readings.push({ participant, importWh, exportWh, substitute, maxImportWh, maxExportWh });
      // I = (export − import) − P, so P = export − import − I.
      positions.set(participant, exportWh - importWh - imbalanceWh);
    }
    return { readings, positions };
  }

  /**
   * The exclusions this agent stands for: its check's verdict restricted to participants with an accepted
   * reading, sorted ascending, capped at the smaller `maxExclusions` of TradeBlocks and the meter.
   */
  private async judge(microgrid: bigint, slot: bigint): Promise<string[]> {
    const { readings, positions } = await this.slotReadings(microgrid, slot);
    const verdict = await this.plausibility({ microgrid, slot, readings, positions });
    const readers = new Set(readings.map((r) => r.participant.toLowerCase()));
    const [blocksMax, meterMax] = await Promise.all([
      this.c.blocks.maxExclusions(),
      this.c.meter.maxExclusions(),
    ]);
    const cap = Number(blocksMax < meterMax ? blocksMax : meterMax);
    return sortAddresses(verdict.filter((a) => readers.has(a.toLowerCase()))).slice(0, cap);
  }

  private async propose(ref: RoundRef, actions: AgentActions): Promise<void> {
    const label = `propose(${ref.microgrid}, ${ref.slot}, round ${ref.round})`;
    if (this.behaviour === "withhold") return;
    const exclusions = await this.judge(ref.microgrid, ref.slot);
    const [digest, count] = await this.c.meter.readingDigest(ref.microgrid, ref.slot);
    const body: ProposalBody = { digest, count, exclusions };
    const signature = await signProposal(this.signer, this.domain!, ref, body);
    if (this.behaviour === "equivocate") {
      const { readings } = await this.slotReadings(ref.microgrid, ref.slot);
      const other: ProposalBody = { digest, count, exclusions: this.otherExclusions(exclusions, readings) };
      const evidence: EquivocationEvidence = {
        ...ref,
        proposer: this.me,
        a: { body, signature },
        b: { body: other, signature: await signProposal(this.signer, this.domain!, ref, other) },
      };
      this.evidencePool.publish(evidence);
      actions.evidencePublished.push(ref);
    }
    this.proposedRounds.add(`${ref.microgrid}:${ref.slot}:${ref.round}`);
    const headroom = this.finalityHeadroom(ref.slot);
    if (
      await this.send(actions, label, async () => {
        const args = [ref.microgrid, ref.slot, ref.round, body, signature] as const;
        const gas = await this.c.blocks.propose.estimateGas(...args);
        return this.c.blocks.propose(...args, { gasLimit: gas + headroom });
      })
    ) {
      actions.proposed.push({ ...ref, exclusions });
    }
  }

  /** The gas a vote of `slot`'s committee may need beyond its estimate, should it reach finality. */
  private finalityHeadroom(slot: bigint): bigint {
    const k = BigInt(this.orders.get(slot / this.clock!.epochSlots)?.length ?? MAX_COMMITTEE);
    return FINALITY_GAS_BASE + FINALITY_GAS_PER_MEMBER * k;
  }

  /** A second, different exclusion list for an equivocating proposal. */
  private otherExclusions(exclusions: string[], readings: SlotReading[]): string[] {
    if (exclusions.length > 0) return exclusions.slice(1);
    return sortAddresses([readings[0]?.participant ?? this.me]);
  }

  private async attest(ref: RoundRef, actions: AgentActions): Promise<void> {
    const [mine, proposed] = await Promise.all([
      this.judge(ref.microgrid, ref.slot),
      this.c.blocks.exclusionsOf(ref.microgrid, ref.slot, ref.round),
    ]);
    const accept = sameExclusions(mine, proposed);
    const label = `attest(${ref.microgrid}, ${ref.slot}, round ${ref.round}, ${accept ? "accept" : "reject"})`;
    const headroom = this.finalityHeadroom(ref.slot);
    if (
      await this.send(actions, label, async () => {
        const args = [ref.microgrid, ref.slot, ref.round, accept] as const;
        const gas = await this.c.blocks.attest.estimateGas(...args);
        return this.c.blocks.attest(...args, { gasLimit: gas + headroom });
      })
    ) {
      actions.attested.push({ ...ref, accept });
    }
  }

  /** Batch mode: judges the round's proposal like {@link attest} and publishes the signed vote to the pool. */
  private async publishVote(ref: RoundRef, proposalHash: string, actions: AgentActions): Promise<void> {
    const [mine, proposed] = await Promise.all([
      this.judge(ref.microgrid, ref.slot),
      this.c.blocks.exclusionsOf(ref.microgrid, ref.slot, ref.round),
    ]);
    const accept = sameExclusions(mine, proposed);
    const signature = await signAttestation(this.signer, this.domain!, ref, proposalHash, accept);
    this.votePool.publish({ ...ref, proposalHash, attester: this.me, accept, signature });
    this.log(
      `vote(${ref.microgrid}, ${ref.slot}, round ${ref.round}, ${accept ? "accept" : "reject"}) published`,
    );
    actions.attested.push({ ...ref, accept });
  }

  /**
   * Batch mode: submits the round's votes from the pool that the chain has not recorded, in one `attestBatch`,
   * once every member other than the proposer that is present on the pool has voted, or once the batch deadline
   * (`batchDeadlineBps` of `attestWindow` after the proposal) has passed.
   */
  private async relayVotes(
    round: RoundRef & { proposalHash: string; proposedAt: bigint },
    masks: { acceptMask: bigint; rejectMask: bigint },
    order: string[],
    proposerPosition: number,
    now: bigint,
    actions: AgentActions,
  ): Promise<void> {
    const recorded = masks.acceptMask | masks.rejectMask;
    const positionOf = new Map(order.map((member, i) => [member.toLowerCase(), i]));
    const pending = this.votePool.votesFor(round, round.proposalHash).filter((vote: PooledVote) => {
      const position = positionOf.get(vote.attester.toLowerCase());
      return (
        position !== undefined &&
        position !== proposerPosition &&
        ((recorded >> BigInt(position)) & 1n) === 0n
      );
    });
    if (pending.length === 0) return;
    const complete = order.every(
      (member, i) =>
        i === proposerPosition ||
        ((recorded >> BigInt(i)) & 1n) === 1n ||
        this.votePool.hasVoted(round, round.proposalHash, member) ||
        !this.votePool.isPresent(member),
    );
    if (!complete) {
      const window = await this.c.blocks.attestWindow();
      if (now < round.proposedAt + (window * this.batchDeadlineBps) / 10_000n) return;
    }
    const votes = pending.map(({ attester, accept, signature }) => ({ attester, accept, signature }));
    const { microgrid, slot } = round;
    const label = `attestBatch(${microgrid}, ${slot}, round ${round.round}, ${votes.length} votes)`;
    const headroom = this.finalityHeadroom(slot);
    if (
      await this.send(actions, label, async () => {
        const args = [microgrid, slot, round.round, votes] as const;
        const gas = await this.c.blocks.attestBatch.estimateGas(...args);
        return this.c.blocks.attestBatch(...args, { gasLimit: gas + headroom });
      })
    ) {
      actions.batchesSubmitted.push({ microgrid, slot, round: round.round, votes: votes.length });
    }
  }

  // ---------------------------------------------------------------- evidence and rank

  private async submitEvidence(actions: AgentActions): Promise<void> {
    for (const evidence of this.evidencePool.pending()) {
      if ((await this.c.validators.validator(evidence.proposer)).ejected) {
        this.evidencePool.resolve(evidence);
        continue;
      }
      const { microgrid, slot, round, a, b } = evidence;
      const sent = await this.send(actions, `submitEquivocation(${microgrid}, ${slot}, round ${round})`, () =>
        this.c.blocks.submitEquivocation(microgrid, slot, round, a.body, a.signature, b.body, b.signature),
      );
      if (sent) {
        actions.evidenceSubmitted.push({ microgrid, slot, round, proposer: evidence.proposer });
        this.evidencePool.resolve(evidence);
      }
    }
  }

  /** After a `ValidatorScoresChanged` naming this validator, re-positions it at its live score. */
  private async syncOwnRank(actions: AgentActions): Promise<void> {
    const latest = await this.signer.provider!.getBlockNumber();
    if (latest <= this.scoresScannedTo) return;
    const events = await this.c.blocks.queryFilter(
      this.c.blocks.filters.ValidatorScoresChanged(),
      this.scoresScannedTo + 1,
      latest,
    );
    this.scoresScannedTo = latest;
    const me = this.me.toLowerCase();
    if (!events.some((e) => e.args.validators.some((v) => v.toLowerCase() === me))) return;
    const v = this.c.validators;
    if (!(await v.isRanked(this.me))) return;
    const [score, rankScore, record] = await Promise.all([
      this.c.oracle.validatorScore(this.me),
      v.rankScore(this.me),
      v.validator(this.me),
    ]);
    if (score === rankScore) return;
    const [prevHint, nextHint] = await v.findInsertPosition(record.weight, score, this.me);
    if (await this.send(actions, "syncRankScore", () => v.syncRankScore(this.me, prevHint, nextHint)))
      actions.rankSynced.push({ oldRankScore: rankScore, newRankScore: score });
  }
}
