// Every user action of the suite as a fast-check command. A command holds one random seed; at run time it
// draws its arguments from that seed AND the model state (mostly valid, sometimes deliberately invalid), the
// MODEL predicts success or the exact custom error, the contract call must agree, then the model is updated
// (reading back only what the model files say is adopted) and SPEC §10 plus model == chain are checked.
// Time advance is an action too, so slots move through their whole life cycle (SPEC §9).
//
// Read from the chain rather than predicted (each named where it happens): the committee order (keeper,
// model/consensus.ts); how far one gas-bounded `clear` call gets (the phase); integer fills, positions and
// slot aggregates once a book is cleared (checked against the exact shares first, model/market.ts); the wad
// results of the fixed-point scores and the block reward (checked with the reference's `closeTo` first,
// model/trust.ts); the coin allowance of a would-be validator (allowances are not modelled).
import fc from "fast-check";
import { ethers } from "hardhat";
import type { ContractTransactionResponse, TransactionReceipt } from "ethers";

import { finalityReference } from "../reference/blocks";
import { Fraction } from "../reference/clearing";
import { imbalanceOf } from "../reference/meter";
import { gridFlow } from "../reference/sdr";
import { signReading } from "../../scripts/lib/readings";
import { blocksDomain, signProposal } from "../../scripts/lib/blocks";
import { type SuiteModel } from "./model";
import { BlockStatus, cloneClock } from "./model/consensus";
import { MAX_TICK, Phase, Side, bidEscrow, bookKey, positionKey, reserveOf } from "./model/market";
import { expectClose } from "./model/trust";
import { Violation, checkAfterStep, checkClearing, checkOnce, noneTouched, type Touched } from "./invariants";
import {
  type Actor,
  GAS,
  Kind,
  type Suite,
  TRC,
  freshFiatRef,
  keepCommittee,
  latestTime,
  meterWallet,
  mineAt,
  sendAt,
} from "./world";

const WAD = 10n ** 18n;
const BPS = 10_000n;
const ZERO_HASH = "0x" + "00".repeat(32);

// ------------------------------------------------------------------------------------------- randomness

/** A small deterministic generator (mulberry32) seeded by the command's fast-check integer. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  big(lo: bigint, hi: bigint): bigint {
    return lo + BigInt(Math.floor(this.next() * Number(hi - lo + 1n)));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.next() * items.length)];
  }
}

// ------------------------------------------------------------------------------------------- statistics

export interface ActionStats {
  ran: number;
  succeeded: number;
  reverted: number;
  idle: number;
  /** Reverts by error name. */
  errors: Map<string, number>;
}
export const stats = new Map<string, ActionStats>();
/** Steps executed so far (idle ones, with nothing to act on, not counted; shrinking included) and runs started. */
export const counters = { steps: 0, runs: 0, partialClears: 0, rejectedRounds: 0, finalWithExclusions: 0 };
export function resetStats(): void {
  stats.clear();
}
function stat(name: string): ActionStats {
  let s = stats.get(name);
  if (!s) {
    s = { ran: 0, succeeded: 0, reverted: 0, idle: 0, errors: new Map() };
    stats.set(name, s);
  }
  return s;
}

// ------------------------------------------------------------------------------------------- plumbing

/** What an action will do: its description, the model's prediction, the call and the model update. */
export interface Plan {
  desc: string;
  expect: string;
  send: () => Promise<ContractTransactionResponse>;
  apply?: (receipt: TransactionReceipt) => Promise<void> | void;
  touched: Touched;
}

type Planner = (m: SuiteModel, f: Suite, r: Rng) => Promise<Plan | string>;

const actorCache = new WeakMap<Suite, Map<string, Actor>>();
function actors(f: Suite): Map<string, Actor> {
  let map = actorCache.get(f);
  if (!map) {
    map = new Map();
    for (const a of [f.dso, ...f.traders.map((t) => t.actor), ...f.validatorActors, ...f.spares])
      map.set(a.address, a);
    actorCache.set(f, map);
  }
  return map;
}
function actorOf(f: Suite, address: string): Actor {
  const a = actors(f).get(address);
  if (!a) throw new Error(`no actor ${address}`);
  return a;
}
const nameOf = (f: Suite, address: string) => actors(f).get(address)?.name ?? address.slice(0, 8);

/** Registered accounts that trade (every registered account but the validators of the fixture). */
function traders(m: SuiteModel, f: Suite): string[] {
  const validators = new Set(f.validatorActors.map((v) => v.address));
  return [...actors(f).keys()].filter((a) => m.registry.get(a) && !validators.has(a));
}

function touched(
  parts: Partial<{
    accounts: string[];
    positions: string[];
    books: string[];
    slots: bigint[];
    validators: boolean;
  }>,
): Touched {
  const t = noneTouched();
  for (const a of parts.accounts ?? []) t.accounts.add(a);
  for (const p of parts.positions ?? []) t.positions.add(p);
  for (const b of parts.books ?? []) t.books.add(b);
  for (const s of parts.slots ?? []) t.slots.add(s);
  t.validators = parts.validators ?? false;
  return t;
}

function fmtTrc(x: bigint): string {
  return `${Number(x) / 1e18}TRC`;
}

// ------------------------------------------------------------------------------------------- shared model steps

/** `_moveGrid` of the settlement: credit the grid account (first against its debt), charge it, the rest is debt. */
function moveGrid(m: SuiteModel, credit: bigint, charge: bigint): void {
  const debt = m.settlement.gridDebt;
  const reduced = debt < credit ? debt : credit;
  const creditPaid = credit - reduced;
  let charged = 0n;
  if (creditPaid !== 0n || charge !== 0n)
    charged = m.market.settleAccount(m.grid, undefined, creditPaid, charge).charged;
  m.settlement.gridDebt = debt - reduced + (charge - charged);
  syncDebtFlag(m, m.grid);
}

function settleGrid(m: SuiteModel, slot: bigint, credit: bigint, charge: bigint): void {
  if (credit === 0n && charge === 0n) return;
  const money = m.settlement.money(slot);
  money.moneyOut += credit;
  money.moneyIn += charge;
  moveGrid(m, credit, charge);
}

function syncDebtFlag(m: SuiteModel, account: string): void {
  const p = m.registry.get(account);
  if (!p) return;
  p.indebted = m.settlement.debtOf(account) !== 0n || (m.settlement.gridDebt !== 0n && account === m.grid);
}

function participantsOf(m: SuiteModel, microgrid: number, slot: bigint): number {
  const book = m.market.book(microgrid, slot);
  const data = m.metering.peek(microgrid, slot);
  return (book?.participants ?? 0) + (data ? data.ref.readings - data.ref.readingsWithOrders : 0);
}

function closeIfDone(m: SuiteModel, slot: bigint): void {
  const money = m.settlement.money(slot);
  const level2 = m.settlement.level2.get(slot);
  if (money.closed || !level2?.done || money.microgridsDone !== money.microgrids) return;
  if (money.moneyIn < money.moneyOut)
    throw new Violation(`slot ${slot}: money in ${money.moneyIn} < money out ${money.moneyOut}`);
  money.closed = true;
  m.settlement.dust += money.moneyIn - money.moneyOut;
}

function markDoneIfComplete(m: SuiteModel, microgrid: number, slot: bigint): void {
  const pr = m.settlement.progressOf(microgrid, slot);
  if (pr.done || !pr.feesPaid || pr.settled !== participantsOf(m, microgrid, slot)) return;
  pr.done = true;
  if (!pr.inLevel2) return;
  m.settlement.money(slot).microgridsDone += 1;
  closeIfDone(m, slot);
}

/** `payBlockFees`: λ_b (capped by the fee aggregate) to the proposer, the rest of the aggregate burned. */
function payBlockFees(
  m: SuiteModel,
  microgrid: number,
  slot: bigint,
  proposer: string | undefined,
  feePayout: bigint,
): void {
  const book = m.market.book(microgrid, slot)!;
  const aggregate = (book.aggregates!.buyerCost * book.feeBps) / BPS;
  const paid = proposer === undefined ? 0n : feePayout < aggregate ? feePayout : aggregate;
  const burned = aggregate - paid;
  m.settlement.progressOf(microgrid, slot).feesPaid = true;
  m.settlement.money(slot).moneyOut += aggregate;
  m.market.pool -= aggregate;
  if (burned !== 0n) m.coin.burnToBudget(m.addresses.market, burned);
  if (paid !== 0n) m.coin.transfer(m.addresses.market, proposer!, paid);
  markDoneIfComplete(m, microgrid, slot);
}

/** `finalizeMeterData`: exclusions count as missing; the microgrid-slot is final at `t`. */
function finalizeMeter(m: SuiteModel, microgrid: number, slot: bigint, t: bigint, excluded: string[]): void {
  const data = m.metering.slot(microgrid, slot);
  const book = m.market.book(microgrid, slot);
  const proposableAt = m.metering.proposableAt(
    microgrid,
    slot,
    t,
    book?.phase === Phase.Cleared,
    book?.participants ?? 0,
  );
  for (const a of excluded) data.ref.exclude(a);
  data.proposableAt = proposableAt;
  data.finalized = true;
  data.finalizedAt = t;
}

function proposableAt(m: SuiteModel, microgrid: number, slot: bigint, t: bigint): bigint {
  const book = m.market.book(microgrid, slot);
  return m.metering.proposableAt(microgrid, slot, t, book?.phase === Phase.Cleared, book?.participants ?? 0);
}

/** `_prepare` of the trade blocks on a copy of the round clock: the error, or the advanced clock. */
function prepareBlock(m: SuiteModel, microgrid: number, slot: bigint, t: bigint, k: number) {
  const b = m.consensus.blocks.get(bookKey(microgrid, slot));
  if (b && (b.status === BlockStatus.Final || b.status === BlockStatus.FinalByDefault))
    return { error: "AlreadyFinal" } as const;
  let clock;
  if (!b || b.status === BlockStatus.Unopened) {
    const at = proposableAt(m, microgrid, slot, t);
    if (at === 0n) return { error: "NotProposable" } as const;
    clock = m.consensus.newClock(at);
  } else clock = cloneClock(b.clock!);
  const ended = k > 0 && k <= 64 ? clock.advanceTo(t) : [];
  return { clock, ended } as const;
}

/** Commits a prepared clock: ended rounds score their proposers 0 and penalise as SPEC §6.3 says. */
function commitBlock(
  m: SuiteModel,
  microgrid: number,
  slot: bigint,
  prepared: {
    clock: import("../reference/blocks").RoundClock;
    ended: import("../reference/blocks").EndedRound[];
  },
  order: string[],
): void {
  const b = m.consensus.block(microgrid, slot);
  b.status = BlockStatus.Open;
  b.clock = prepared.clock;
  for (const e of prepared.ended) endRound(m, microgrid, slot, order, e.round, e.outcome);
}

function endRound(
  m: SuiteModel,
  microgrid: number,
  slot: bigint,
  order: string[],
  round: number,
  outcome: string,
): void {
  const b = m.consensus.block(microgrid, slot);
  const k = order.length;
  const proposerIdx = m.consensus.proposerIndex(microgrid, slot, round, k);
  m.trust.missedRound(order[proposerIdx]);
  if (outcome !== "Skipped" && m.consensus.params.attesterPenalty !== 0n) {
    for (let i = 0; i < k; i++) {
      const spared =
        outcome === "Rejected"
          ? b.rejected.has(i) || i === proposerIdx
          : b.accepted.has(i) || b.rejected.has(i);
      if (!spared) m.trust.penalise(order[i], m.consensus.params.attesterPenalty);
    }
  }
  if (outcome !== "Skipped") {
    b.accepted = new Set();
    b.rejected = new Set();
  }
}

// ------------------------------------------------------------------------------------------- coin and balances

const issue: Planner = async (m, f, r) => {
  const who = r.pick([...traders(m, f), ...f.spares.map((s) => s.address)])!;
  const variant = r.int(0, 9);
  const amount = variant === 0 ? 0n : r.big(1n, 200n) * TRC;
  const reuse = variant === 1 && m.usedFiatRefs.length > 0;
  const ref = reuse ? r.pick(m.usedFiatRefs)! : freshFiatRef();
  const expect = amount === 0n ? "ZeroAmount" : reuse ? "FiatRefAlreadyUsed" : "ok";
  return {
    desc: `issue ${fmtTrc(amount)} to ${nameOf(f, who)}${reuse ? " (reused payment reference)" : ""}`,
    expect,
    send: () => f.coin.issue(who, amount, ref, GAS),
    apply: () => {
      m.coin.issue(who, amount);
      m.usedFiatRefs.push(ref);
    },
    touched: touched({ accounts: [who] }),
  };
};

const redeem: Planner = async (m, f, r) => {
  const who = r.pick(traders(m, f))!;
  const wallet = m.coin.balanceOf(who);
  const variant = r.int(0, 9);
  const amount = variant === 0 ? 0n : variant === 1 ? wallet + 1n : r.big(0n, wallet / TRC / 4n) * TRC + 1n;
  const expect = amount === 0n ? "ZeroAmount" : amount > wallet ? "ERC20InsufficientBalance" : "ok";
  return {
    desc: `redeem ${fmtTrc(amount)} by ${nameOf(f, who)}`,
    expect,
    send: () => f.coin.connect(actorOf(f, who).signer).redeem(amount, freshFiatRef(), GAS),
    apply: () => m.coin.redeem(who, amount),
    touched: touched({ accounts: [who] }),
  };
};

const register: Planner = async (m, f, r) => {
  const t = m.next;
  const variant = r.int(0, 9);
  const unregistered = f.spares.map((s) => s.address).filter((a) => !m.registry.get(a));
  let who = r.pick(unregistered);
  if (variant === 0 || who === undefined) who = r.pick(traders(m, f))!;
  const kind = r.chance(0.5) ? Kind.Prosumer : Kind.Consumer;
  const microgrid = variant === 1 ? 9 : r.pick(m.registry.microgrids)!;
  const maxImportWh = r.big(500n, 3_000n);
  const maxExportWh = kind === Kind.Prosumer ? r.big(500n, 3_000n) : variant === 2 ? 100n : 0n;
  m.keyCounter += 1;
  const wallet = meterWallet(`reg-${m.keyCounter}`);
  let expect = "ok";
  if (m.registry.get(who)) expect = "AlreadyRegistered";
  else if (!m.registry.microgrids.includes(microgrid)) expect = "UnknownMicrogrid";
  else if (kind === Kind.Consumer && maxExportWh !== 0n) expect = "InvalidCapacity";
  else if (m.registry.ownerOfKey.has(wallet.address)) expect = "MeterKeyInUse";
  return {
    desc: `register ${nameOf(f, who)} as ${kind === Kind.Prosumer ? "prosumer" : "consumer"} in m${microgrid} (import ${maxImportWh}, export ${maxExportWh})`,
    expect,
    send: () =>
      f.registry.registerParticipant(who, kind, microgrid, wallet.address, maxImportWh, maxExportWh, GAS),
    apply: () => {
      m.registry.register(who, kind, microgrid, wallet.address, maxImportWh, maxExportWh, t, m.slotAt(t));
      m.meterWallets.set(wallet.address, wallet);
    },
    touched: touched({ accounts: [who] }),
  };
};

const deposit: Planner = async (m, f, r) => {
  const indebted = traders(m, f).filter((a) => m.settlement.debtOf(a) > 0n);
  const who = (r.chance(0.8) ? r.pick(indebted) : undefined) ?? r.pick([...traders(m, f), f.dso.address])!;
  const wallet = m.coin.balanceOf(who);
  const variant = r.int(0, 9);
  const amount = variant === 0 ? 0n : variant === 1 ? wallet + 1n : r.big(1n, 50n) * TRC;
  const expect = amount === 0n ? "ZeroAmount" : amount > wallet ? "ERC20InsufficientBalance" : "ok";
  return {
    desc: `deposit ${fmtTrc(amount)} by ${nameOf(f, who)}`,
    expect,
    send: () => f.market.connect(actorOf(f, who).signer).deposit(amount, GAS),
    apply: () => {
      m.coin.transfer(who, m.addresses.market, amount);
      m.market.deposit(who, amount + (m.bugs.depositOffByOne ? 1n : 0n));
    },
    touched: touched({ accounts: [who] }),
  };
};

const withdraw: Planner = async (m, f, r) => {
  const t = m.next;
  const who = r.pick([...traders(m, f), f.dso.address])!;
  const free = m.market.withdrawableOf(who, m.grid);
  const variant = r.int(0, 9);
  const amount =
    variant === 0 ? 0n : variant === 1 ? free + 1n : free === 0n ? 1n : r.big(1n, free / 2n + 1n);
  let expect = "ok";
  if (amount === 0n) expect = "ZeroAmount";
  else if (m.market.isFrozen(who, m.slotAt(t))) expect = "AccountFrozen";
  else if (amount > free) expect = "InsufficientFreeBalance";
  return {
    desc: `withdraw ${fmtTrc(amount)} by ${nameOf(f, who)} (free ${fmtTrc(free)})`,
    expect,
    send: () => f.market.connect(actorOf(f, who).signer).withdraw(amount, GAS),
    apply: () => {
      m.market.withdraw(who, amount);
      m.coin.transfer(m.addresses.market, who, amount);
    },
    touched: touched({ accounts: [who] }),
  };
};

// ------------------------------------------------------------------------------------------- orders

/** The model's verdict on an order (SPEC §4, §7.1), in the contract's order of checks. */
function predictOrder(
  m: SuiteModel,
  who: string,
  side: number,
  slot: bigint,
  qtyWh: bigint,
  tick: number,
  t: bigint,
): string {
  const p = m.registry.get(who);
  if (!p) return "NotRegistered";
  if (p.suspended || p.indebted) return "NotInGoodStanding";
  if (m.market.isFrozen(who, m.slotAt(t))) return "AccountFrozen";
  if (!m.isOrderWindowOpen(slot, t)) return "OrderWindowClosed";
  const book = m.market.book(p.microgrid, slot);
  const tariff = book ?? m.registry.tariffAt(slot);
  const tickSize = book?.tickSize ?? m.market.params.tickSize;
  if (tick === 0 || tick > MAX_TICK) return "OrderBookTickOutOfRange";
  const price = BigInt(tick) * tickSize;
  if (price < tariff.gridSellPrice || price > tariff.gridBuyPrice) return "PriceOutsideBand";
  if (qtyWh < m.market.params.minOrderWh) return "OrderBelowMinimum";
  if (side === Side.Offer && p.kind !== Kind.Prosumer) return "ConsumerCannotOffer";
  const pos = m.market.position(who, slot);
  if (BigInt(pos?.orderIds.length ?? 0) > m.market.params.maxOrdersPerSlot - 1n) return "OrderLimitReached";
  const first = !pos || pos.liveOrders === 0;
  if (!first && pos.side !== side) return "OppositeSideInSlot";
  const capacity = m.registry.capacityAt(who, slot);
  const cap = side === Side.Offer ? capacity.maxExportWh : first ? capacity.maxImportWh : pos.maxImportWh;
  const total = (pos?.orderedWh ?? 0n) + qtyWh;
  if (total > cap) return "CapacityExceeded";
  const penaltyBps = book?.penaltyBps ?? m.market.params.penaltyBps;
  if (side === Side.Offer) {
    const reserve = reserveOf(capacity.maxImportWh, total, penaltyBps, tariff.gridBuyPrice);
    const reserved = m.market.reservedOf(who) - (pos?.reserve ?? 0n) + reserve;
    if (m.market.balanceOf(who) < reserved) return "ReserveNotCovered";
  } else {
    const feeBps = book?.feeBps ?? m.market.params.feeBps;
    if (m.coin.balanceOf(who) < bidEscrow(tickSize, feeBps, qtyWh, tick)) return "ERC20InsufficientBalance";
  }
  return "ok";
}

function orderSlot(m: SuiteModel, r: Rng, t: bigint): bigint {
  const current = m.slotAt(t);
  const v = r.int(0, 99);
  if (v < 6) return current + 1n; // gate passed
  if (v < 9) return current + m.clock.maxLeadSlots - BigInt(r.int(0, 1)); // far ahead (tariff changes)
  if (v < 10) return current + m.clock.maxLeadSlots + 1n; // beyond the horizon
  // Trading concentrates on every fourth slot, so the pipeline behind it (clearing, readings, three blocks,
  // level 2, settlement) keeps up within a run.
  const next = current + 2n;
  return next + ((4n - (next % 4n)) % 4n);
}

function placeOrder(side: number): Planner {
  return async (m, f, r) => {
    const t = m.next;
    const all = traders(m, f);
    const prosumers = all.filter((a) => m.registry.get(a)!.kind === Kind.Prosumer);
    const variant = r.int(0, 99);
    const slot = orderSlot(m, r, t);
    // Mostly a trader of a microgrid whose book already holds the other side, so books cross.
    const otherSide = side === Side.Offer ? Side.Bid : Side.Offer;
    const crossing = all.filter((a) =>
      m.market
        .book(m.registry.get(a)!.microgrid, slot)
        ?.orders.some((o) => !o.cancelled && o.side === otherSide && o.owner !== a),
    );
    const who =
      variant < 3
        ? (r.pick(f.spares.map((s) => s.address).filter((a) => !m.registry.get(a))) ?? r.pick(all)!)
        : side === Side.Offer && variant >= 8
          ? ((r.chance(0.6) ? r.pick(crossing.filter((a) => prosumers.includes(a))) : undefined) ??
            r.pick(prosumers)!)
          : ((r.chance(0.6) ? r.pick(crossing) : undefined) ?? r.pick(all)!);
    const qtyWh = variant === 4 ? 5n : variant === 5 ? 4_000n : r.big(10n, 1_200n);
    const tick =
      variant === 6 ? 40 : variant === 7 ? 400 : side === Side.Offer ? r.int(80, 200) : r.int(110, 300);
    const expect = predictOrder(m, who, side, slot, qtyWh, tick, t);
    const market = f.market.connect(actorOf(f, who).signer);
    const sideName = side === Side.Offer ? "offer" : "bid";
    const p = m.registry.get(who);
    const mg = p?.microgrid ?? 0;
    return {
      desc: `${sideName} ${qtyWh} Wh @${tick} by ${nameOf(f, who)} for slot ${slot} (now slot ${m.slotAt(t)})`,
      expect,
      send: () =>
        side === Side.Offer
          ? market.placeOffer(slot, qtyWh, tick, GAS)
          : market.placeBid(slot, qtyWh, tick, GAS),
      apply: (receipt) => {
        const book = m.market.openBook(mg, slot, m.registry.tariffAt(slot));
        m.activeSlots.add(slot);
        const pos = m.market.positionOrNew(who, slot);
        const first = pos.liveOrders === 0;
        const capacity = m.registry.capacityAt(who, slot);
        if (first) {
          const score = m.trust.traderScore(who);
          pos.side = side;
          pos.level = m.trust.trpLevel(score);
          pos.scoreWad = score;
        }
        if (first || side === Side.Offer) pos.maxImportWh = capacity.maxImportWh;
        const id = BigInt(book.orders.length + 1);
        book.orders.push({
          id,
          owner: who,
          side,
          qtyWh,
          tick,
          level: pos.level,
          scoreWad: pos.scoreWad,
          cancelled: false,
        });
        if (first) book.participants += 1;
        pos.orderIds.push(id);
        pos.liveOrders += 1;
        pos.orderedWh += qtyWh;
        let escrow = 0n;
        if (side === Side.Bid) {
          escrow = bidEscrow(book.tickSize, book.feeBps, qtyWh, tick);
          pos.escrow += escrow;
          m.market.totalEscrow += escrow;
          m.coin.transfer(who, m.addresses.market, escrow);
          if (first) m.market.refreshReserve(pos, book);
        } else m.market.refreshReserve(pos, book);
        // The event tells the order id, level and escrow the contract recorded.
        const event = receipt.logs
          .map((log) => {
            try {
              return f.market.interface.parseLog(log);
            } catch {
              return null;
            }
          })
          .find((e) => e?.name === (side === Side.Offer ? "OfferPlaced" : "BidPlaced"));
        if (!event || event.args.orderId !== id || Number(event.args.level) !== pos.level)
          throw new Violation(
            `${sideName}: order id/level ${event?.args.orderId}/${event?.args.level} != model ${id}/${pos.level}`,
          );
        if (side === Side.Bid && event.args.escrow !== escrow)
          throw new Violation(`bid escrow ${event.args.escrow} != model ${escrow}`);
      },
      touched: touched({ accounts: [who], positions: [positionKey(who, slot)], books: [bookKey(mg, slot)] }),
    };
  };
}

const cancel: Planner = async (m, f, r) => {
  const t = m.next;
  const live = [...m.market.positions.values()].filter((p) => p.liveOrders > 0 && !p.released);
  const open = live.filter((p) => m.isOrderWindowOpen(p.slot, t));
  const variant = r.int(0, 9);
  const pos = (variant === 0 ? r.pick(live) : r.pick(open)) ?? r.pick(live);
  if (!pos) return "no live orders";
  const mgOfOwner = m.registry.get(pos.account)!.microgrid;
  const book = m.market.book(mgOfOwner, pos.slot)!;
  let who = pos.account;
  let id = r.pick(pos.orderIds.filter((i) => !book.orders[Number(i) - 1].cancelled))!;
  if (variant === 1) {
    const cancelled = pos.orderIds.filter((i) => book.orders[Number(i) - 1].cancelled);
    id = r.pick(cancelled) ?? id;
  } else if (variant === 2) id = 999n;
  else if (variant === 3)
    who =
      r.pick(traders(m, f).filter((a) => m.registry.get(a)!.microgrid === mgOfOwner && a !== pos.account)) ??
      who;
  const senderMg = m.registry.get(who)!.microgrid;
  const order = m.market.book(senderMg, pos.slot)?.orders[Number(id) - 1];
  let expect = "ok";
  if (!m.isOrderWindowOpen(pos.slot, t)) expect = "OrderWindowClosed";
  else if (!order) expect = "UnknownOrder";
  else if (order.owner !== who) expect = "NotOrderOwner";
  else if (order.cancelled) expect = "OrderBookOrderCancelled";
  return {
    desc: `cancel order ${id} of slot ${pos.slot} by ${nameOf(f, who)}`,
    expect,
    send: () => f.market.connect(actorOf(f, who).signer).cancel(pos.slot, id, GAS),
    apply: () => {
      const o = order!;
      o.cancelled = true;
      pos.orderedWh -= o.qtyWh;
      pos.liveOrders -= 1;
      if (o.side === Side.Bid) {
        const refund = bidEscrow(book.tickSize, book.feeBps, o.qtyWh, o.tick);
        pos.escrow -= refund;
        m.market.totalEscrow -= refund;
        m.coin.transfer(m.addresses.market, who, refund);
      }
      if (pos.liveOrders === 0) {
        book.participants -= 1;
        pos.side = Side.None;
      }
      m.market.refreshReserve(pos, book);
    },
    touched: touched({
      accounts: [who],
      positions: [positionKey(who, pos.slot)],
      books: [bookKey(senderMg, pos.slot)],
    }),
  };
};

// ------------------------------------------------------------------------------------------- clearing

/** Adopts a completed clearing: fills per order checked against the exact shares, positions, aggregates. */
async function adoptClearing(m: SuiteModel, f: Suite, microgrid: number, slot: bigint): Promise<string[]> {
  const book = m.market.book(microgrid, slot)!;
  const { ref, exact } = m.market.clearExact(book);
  book.reference = ref;
  for (const o of book.orders) {
    if (o.cancelled) continue;
    const fill = await f.market.fillOf(microgrid, slot, o.id);
    book.fills.set(o.id, { filledWh: fill.filledWh, money: fill.money, fee: fill.fee });
  }
  checkClearing(book, ref, exact);
  const accounts = [...new Set(book.orders.filter((o) => !o.cancelled).map((o) => o.owner))];
  for (const a of accounts) {
    const pos = m.market.position(a, slot)!;
    const own = pos.orderIds.filter((id) => !book.orders[Number(id) - 1].cancelled);
    const sum = { filledWh: 0n, money: 0n, fee: 0n };
    for (const id of own) {
      const fill = book.fills.get(id)!;
      sum.filledWh += fill.filledWh;
      sum.money += fill.money;
      sum.fee += fill.fee;
    }
    const chain = await f.market.positionOf(a, slot);
    if (chain.filledWh !== sum.filledWh || chain.money !== sum.money || chain.fee !== sum.fee)
      throw new Violation(
        `position ${nameOf(f, a)}:${slot} (${chain.filledWh}, ${chain.money}, ${chain.fee}) != sum of its order fills (${sum.filledWh}, ${sum.money}, ${sum.fee})`,
      );
    pos.filled = sum;
  }
  const agg = await f.market.slotAggregates(microgrid, slot);
  const n = BigInt(book.orders.length) + 1n;
  const near = (what: string, chain: bigint, e: Fraction, slack: bigint) => {
    const diff = chain - e.floor();
    if (diff > 1n || diff < -slack)
      throw new Violation(`${what} of ${microgrid}:${slot}: chain ${chain} vs exact ${e}`);
  };
  near("traded Wh", agg.tradedWh, ref.tradedWh, n);
  near("buyer cost θ", agg.buyerCost, ref.buyerCost, n);
  near("Σ fee·score", agg.feeScoreWad, ref.feeScoreWad, n * 10n ** 18n + ref.feeScoreWad.floor() / 10n ** 9n);
  const buyers = m.market.exactBuyers(book, exact);
  if (agg.buyers !== buyers)
    throw new Violation(`buyers of ${microgrid}:${slot}: chain ${agg.buyers} != model ${buyers}`);
  book.aggregates = {
    buyers: agg.buyers,
    tradedWh: agg.tradedWh,
    buyerCost: agg.buyerCost,
    feeScoreWad: agg.feeScoreWad,
  };
  return accounts;
}

const clear: Planner = async (m, f, r) => {
  const t = m.next;
  const due: [number, bigint][] = [];
  for (const s of m.sortedSlots())
    for (const mg of m.registry.microgrids)
      if (t >= m.gate(s) && m.market.book(mg, s)?.phase !== Phase.Cleared) due.push([mg, s]);
  const variant = r.int(0, 9);
  let target: [number, bigint] | undefined = r.chance(0.6) ? due[0] : r.pick(due);
  if (variant === 0 || !target) target = [r.pick(m.registry.microgrids)!, m.slotAt(t) + 2n];
  if (variant === 1) target = [7, target[1]];
  if (variant === 2) {
    const cleared = [...m.market.books.values()].filter((b) => b.phase === Phase.Cleared);
    const b = r.pick(cleared);
    if (b) target = [b.microgrid, b.slot];
  }
  const [mg, slot] = target;
  let expect = "ok";
  if (!m.registry.microgrids.includes(mg)) expect = "UnknownMicrogrid";
  else if (t < m.gate(slot)) expect = "GateNotPassed";
  else if (m.market.book(mg, slot)?.phase === Phase.Cleared) expect = "OrderBookAlreadyCleared";
  const t2 = touched({ books: [bookKey(mg, slot)], slots: [slot] });
  return {
    desc: `clear m${mg} slot ${slot}`,
    expect,
    send: () => f.market.clear(mg, slot, GAS),
    apply: async () => {
      const book = m.market.openBook(mg, slot, m.registry.tariffAt(slot));
      m.activeSlots.add(slot);
      const phase = Number(await f.market.bookPhase(mg, slot));
      if (phase === Phase.Open) throw new Violation(`clear of ${mg}:${slot} made no progress`);
      book.phase = phase;
      if (phase === Phase.Clearing) counters.partialClears += 1;
      if (phase === Phase.Cleared) {
        const accounts = await adoptClearing(m, f, mg, slot);
        for (const a of accounts) t2.positions.add(positionKey(a, slot));
      }
    },
    touched: t2,
  };
};

const withdrawUnfilled: Planner = async (m, f, r) => {
  const bids = [...m.market.positions.values()].filter(
    (p) =>
      p.side === Side.Bid &&
      m.market.book(m.registry.get(p.account)!.microgrid, p.slot)?.phase === Phase.Cleared,
  );
  const variant = r.int(0, 9);
  let pos = r.pick(variant < 7 ? bids.filter((p) => !p.unfilledWithdrawn && !p.released) : bids);
  let who = pos?.account;
  let slot = pos?.slot;
  if (variant === 9 || !pos) {
    who = r.pick(traders(m, f))!;
    slot = r.pick(m.sortedSlots()) ?? m.slotAt(m.next) + 2n;
    pos = m.market.position(who, slot);
  }
  const mg = m.registry.get(who!)!.microgrid;
  let expect = "ok";
  if (m.market.book(mg, slot!)?.phase !== Phase.Cleared) expect = "BookNotCleared";
  else if (!pos || pos.side !== Side.Bid) expect = "NoBids";
  else if (pos.unfilledWithdrawn) expect = "UnfilledAlreadyWithdrawn";
  else if (pos.released) expect = "AccountSlotSettled";
  return {
    desc: `withdraw unfilled escrow of ${nameOf(f, who!)} slot ${slot}`,
    expect,
    send: () => f.market.connect(actorOf(f, who!).signer).withdrawUnfilled(slot!, GAS),
    apply: () => {
      const p = pos!;
      const refund = p.escrow - p.filled!.money - p.filled!.fee;
      p.unfilledWithdrawn = true;
      p.escrow -= refund;
      m.market.totalEscrow -= refund;
      m.coin.transfer(m.addresses.market, who!, refund);
    },
    touched: touched({ accounts: [who!], positions: [positionKey(who!, slot!)] }),
  };
};

// ------------------------------------------------------------------------------------------- meter readings

interface ReadingPlan {
  participant: string;
  slot: bigint;
  importWh: bigint;
  exportWh: bigint;
  signer?: import("ethers").Wallet;
  substitute: boolean;
}

function predictReading(m: SuiteModel, rd: ReadingPlan, t: bigint, pending: Set<string>): string {
  const key = m.registry.keyAt(rd.participant, rd.slot);
  if (!key) return "UnknownParticipant";
  const p = m.registry.get(rd.participant)!;
  const data = m.metering.peek(p.microgrid, rd.slot);
  if (data?.finalized) return "AlreadyFinalized";
  const { opensAt, closesAt } = m.metering.window(rd.slot);
  if (t < opensAt) return "ReadingWindowNotOpen";
  if (t >= closesAt) return "ReadingWindowClosed";
  if (m.market.book(p.microgrid, rd.slot)?.phase !== Phase.Cleared) return "ClearingNotDone";
  if (data?.ref.records.has(rd.participant) || pending.has(rd.participant)) return "ReadingExists";
  if (!rd.substitute && rd.signer!.address !== key) return "WrongMeterKey";
  const cap = m.registry.capacityAt(rd.participant, rd.slot);
  if (rd.importWh > cap.maxImportWh) return "ImportAboveCapacity";
  if (rd.exportWh > cap.maxExportWh) return "ExportAboveCapacity";
  return "ok";
}

function acceptReading(m: SuiteModel, rd: ReadingPlan): void {
  const p = m.registry.get(rd.participant)!;
  const pos = m.market.position(rd.participant, rd.slot);
  const hasOrders = !!pos && pos.liveOrders > 0;
  const filled = pos?.filled?.filledWh ?? 0n;
  const positionWh = !hasOrders ? 0n : pos.side === Side.Offer ? filled : -filled;
  const cap = m.registry.capacityAt(rd.participant, rd.slot);
  m.metering.slot(p.microgrid, rd.slot).ref.accept(rd, rd.substitute, cap.maxImportWh, positionWh, hasOrders);
}

/** A plausible (or deliberately wrong) reading for a participant of the slot. */
function drawReading(m: SuiteModel, r: Rng, participant: string, slot: bigint): ReadingPlan {
  const cap = m.registry.capacityAt(participant, slot);
  const pos = m.market.position(participant, slot);
  const filled = pos?.filled?.filledWh ?? 0n;
  const v = r.int(0, 9);
  let importWh = r.big(0n, cap.maxImportWh / 3n);
  let exportWh = 0n;
  if (pos?.side === Side.Offer) exportWh = v < 6 ? filled : v < 8 ? 0n : r.big(0n, cap.maxExportWh);
  else if (pos?.side === Side.Bid) importWh = v < 6 ? filled : r.big(0n, cap.maxImportWh);
  else if (cap.maxExportWh > 0n) exportWh = r.big(0n, cap.maxExportWh);
  if (exportWh > cap.maxExportWh) exportWh = cap.maxExportWh;
  if (importWh > cap.maxImportWh) importWh = cap.maxImportWh;
  const key = m.registry.keyAt(participant, slot);
  return {
    participant,
    slot,
    importWh,
    exportWh,
    signer: key ? m.meterWallets.get(key) : undefined,
    substitute: false,
  };
}

const reading: Planner = async (m, f, r) => {
  const t = m.next;
  const open: [number, bigint][] = [];
  const closed: [number, bigint][] = [];
  for (const s of m.sortedSlots()) {
    const { opensAt, closesAt } = m.metering.window(s);
    for (const mg of m.registry.microgrids) {
      if (t >= opensAt && t < closesAt && m.market.book(mg, s)?.phase === Phase.Cleared) open.push([mg, s]);
      else closed.push([mg, s]);
    }
  }
  const variant = r.int(0, 19);
  const target = variant === 0 ? r.pick(closed) : r.chance(0.6) ? open[0] : r.pick(open);
  if (!target) return "no reading window open";
  const [mg, slot] = target;
  const members = traders(m, f).filter((a) => m.registry.get(a)!.microgrid === mg);
  const data = m.metering.peek(mg, slot);
  const unread = members.filter((a) => !data?.ref.records.has(a));
  const withOrders = unread.filter((a) => (m.market.position(a, slot)?.liveOrders ?? 0) > 0);
  const batch = variant >= 8;
  const count = batch ? r.int(2, 5) : 1;
  const plans: ReadingPlan[] = [];
  for (let i = 0; i < count; i++) {
    const who =
      (variant === 1 ? r.pick(members) : r.chance(0.7) ? r.pick(withOrders) : r.pick(unread)) ??
      r.pick(unread) ??
      r.pick(members)!;
    const rd = drawReading(m, r, who, slot);
    if (variant === 2 || (batch && i === 0 && r.chance(0.5))) rd.signer = meterWallet("forger");
    if (variant === 3) rd.importWh = m.registry.capacityAt(who, slot).maxImportWh + 1n;
    if (variant === 4) {
      rd.substitute = true;
      rd.signer = undefined;
    }
    if (variant === 5) rd.participant = ethers.Wallet.createRandom().address;
    if (!rd.substitute && !rd.signer) rd.signer = meterWallet("forger");
    plans.push(rd);
  }
  const pending = new Set<string>();
  const verdicts = plans.map((rd) => {
    const v = predictReading(m, rd, t, pending);
    if (v === "ok") pending.add(rd.participant);
    return v;
  });
  const domain = {
    name: "GridTrust MeterReadings",
    version: "1",
    chainId: 31337n,
    verifyingContract: m.addresses.others.MeterReadings,
  };
  const body = (rd: ReadingPlan) => ({
    participant: rd.participant,
    slot: rd.slot,
    importWh: rd.importWh,
    exportWh: rd.exportWh,
  });
  const signatures = await Promise.all(
    plans.map((rd) => (rd.signer ? signReading(rd.signer, domain, body(rd)) : "0x")),
  );
  const kindOf = (rd: ReadingPlan) =>
    rd.substitute
      ? "substitute"
      : rd.signer?.address === m.registry.keyAt(rd.participant, rd.slot)
        ? "signed"
        : "forged";
  const desc = `${batch ? "batch of readings" : "reading"} m${mg} slot ${slot}: ${plans
    .map((rd) => `${nameOf(f, rd.participant)} import ${rd.importWh} export ${rd.exportWh} (${kindOf(rd)})`)
    .join("; ")}`;
  const t2 = touched({ books: [bookKey(mg, slot)] });
  if (batch) {
    const accepted = verdicts.filter((v) => v === "ok").length;
    return {
      desc: `${desc} → ${accepted} accepted`,
      expect: "ok",
      send: () => f.meter.submitReadings(plans.map(body), signatures, GAS),
      apply: (receipt) => {
        const names = receipt.logs.map((log) => f.meter.interface.parseLog(log)?.name);
        const got = names.filter((n) => n === "ReadingAccepted").length;
        const skipped = names.filter((n) => n === "ReadingSkipped").length;
        if (got !== accepted || skipped !== plans.length - accepted)
          throw new Violation(
            `batch: chain accepted ${got} skipped ${skipped}, model ${accepted}/${plans.length - accepted}`,
          );
        plans.forEach((rd, i) => verdicts[i] === "ok" && acceptReading(m, rd));
      },
      touched: t2,
    };
  }
  const rd = plans[0];
  return {
    desc,
    expect: verdicts[0],
    send: () =>
      rd.substitute
        ? f.meter.submitSubstitute(body(rd), GAS)
        : f.meter.submitReading(body(rd), signatures[0], GAS),
    apply: () => acceptReading(m, rd),
    touched: t2,
  };
};

const accountMissing: Planner = async (m, f, r) => {
  const t = m.next;
  const candidates: [number, bigint][] = [];
  for (const s of m.sortedSlots())
    for (const mg of m.registry.microgrids) if (!m.metering.peek(mg, s)?.finalized) candidates.push([mg, s]);
  const ready = candidates.filter(
    ([mg, s]) => t >= m.metering.window(s).closesAt && m.market.book(mg, s)?.phase === Phase.Cleared,
  );
  const variant = r.int(0, 9);
  const target = variant === 0 ? r.pick(candidates) : r.chance(0.6) ? ready[0] : r.pick(ready);
  if (!target) return "no microgrid-slot past its reading window";
  const [mg, slot] = target;
  const data = m.metering.peek(mg, slot);
  const silent = [...m.market.positions.values()]
    .filter(
      (p) =>
        p.slot === slot &&
        p.liveOrders > 0 &&
        m.registry.get(p.account)!.microgrid === mg &&
        !data?.ref.records.has(p.account),
    )
    .map((p) => p.account);
  let accounts = silent.filter(() => r.chance(0.8));
  if (variant === 1) accounts = [...accounts, r.pick(traders(m, f))!];
  let expect = "ok";
  if (data?.finalized) expect = "AlreadyFinalized";
  else if (t < m.metering.window(slot).closesAt) expect = "ReadingWindowNotClosed";
  else if (m.market.book(mg, slot)?.phase !== Phase.Cleared) expect = "ClearingNotDone";
  else {
    const seen = new Set<string>();
    for (const a of accounts) {
      const pos = m.market.position(a, slot);
      const rec = data?.ref.records.get(a);
      if (m.registry.get(a)?.microgrid !== mg) expect = "NotInMicrogrid";
      else if (rec || seen.has(a)) expect = "AlreadyAccounted";
      else if (!pos || pos.liveOrders === 0) expect = "NoOrders";
      if (expect !== "ok") break;
      seen.add(a);
    }
  }
  return {
    desc: `account missing m${mg} slot ${slot}: [${accounts.map((a) => nameOf(f, a)).join(", ")}]`,
    expect,
    send: () => f.meter.accountMissing(mg, slot, accounts, GAS),
    apply: () => {
      const d = m.metering.slot(mg, slot);
      for (const a of accounts) {
        const pos = m.market.position(a, slot)!;
        const filled = pos.filled?.filledWh ?? 0n;
        d.ref.accountMissing(
          a,
          m.registry.capacityAt(a, slot).maxImportWh,
          pos.side === Side.Offer ? filled : -filled,
        );
      }
      const book = m.market.book(mg, slot)!;
      if (d.proposableAt === 0n && d.ref.readingsWithOrders + d.ref.missing === book.participants)
        d.proposableAt = t;
    },
    touched: touched({ books: [bookKey(mg, slot)] }),
  };
};

// ------------------------------------------------------------------------------------------- consensus

/** Microgrid-slots that are not final, their books cleared (so they may become proposable). */
function pendingBlocks(m: SuiteModel): [number, bigint][] {
  const out: [number, bigint][] = [];
  for (const s of m.sortedSlots())
    for (const mg of m.registry.microgrids) {
      const st = m.consensus.blocks.get(bookKey(mg, s))?.status ?? 0;
      if (st === BlockStatus.Final || st === BlockStatus.FinalByDefault) continue;
      if (m.market.book(mg, s)?.phase === Phase.Cleared) out.push([mg, s]);
    }
  return out;
}

async function committeeOrder(m: SuiteModel, f: Suite, slot: bigint): Promise<string[]> {
  const order = await keepCommittee(f, m.consensus.epochOf(slot), m.next);
  m.now = await latestTime();
  return order;
}

/** Finality by committee (SPEC §6.3–6.5): meter data, proposer score and reward, fees, penalties. */
async function finalizeBlock(
  m: SuiteModel,
  f: Suite,
  mg: number,
  slot: bigint,
  order: string[],
  t: bigint,
): Promise<void> {
  const b = m.consensus.block(mg, slot);
  const k = order.length;
  const round = b.clock!.round;
  const proposerIdx = m.consensus.proposerIndex(mg, slot, round, k);
  const proposer = order[proposerIdx];
  b.status = BlockStatus.Final;
  finalizeMeter(m, mg, slot, t, b.exclusions);
  if (b.exclusions.length > 0) counters.finalWithExclusions += 1;
  const book = m.market.book(mg, slot)!;
  const agg = book.aggregates!;
  const acceptorScores = [...b.accepted]
    .filter((i) => i !== proposerIdx)
    .sort((x, y) => x - y)
    .map((i) => m.trust.validatorScore(order[i]));
  const v = m.trust.validators.get(proposer)!;
  const reference = finalityReference({
    prevScore: v.score,
    proposedBlocks: v.proposedBlocks,
    joinedAt: v.joinedAt,
    now: t,
    timeUnit: m.trust.params.timeUnit,
    coinUnit: m.trust.params.coinUnit,
    theta: agg.buyerCost,
    buyers: agg.buyers,
    acceptorScores,
    feeScoreWad: agg.feeScoreWad,
    blockReward: m.trust.params.blockReward,
  });
  const [score, proposedBlocks] = await f.oracle.validatorState(proposer);
  expectClose(`validator score of proposer ${proposer} at ${mg}:${slot}`, score, reference.newScore);
  if (proposedBlocks !== v.proposedBlocks + 1n) throw new Violation(`|PB| of ${proposer}: ${proposedBlocks}`);
  v.score = score;
  v.proposedBlocks = proposedBlocks;
  payBlockFees(m, mg, slot, proposer, reference.feePayout);
  const minted = (await f.coin.totalRewardsMinted()) - m.coin.minted;
  if (minted < m.coin.rewardBudget)
    expectClose(`block reward of ${mg}:${slot}`, minted, reference.rewardMint);
  m.coin.mintReward(proposer, minted);
  for (let i = 0; i < k; i++)
    if (!b.accepted.has(i)) m.trust.penalise(order[i], m.consensus.params.attesterPenalty);
}

const propose: Planner = async (m, f, r) => {
  const pending = pendingBlocks(m);
  const unproposed = pending.filter(
    ([mg, s]) =>
      proposableAt(m, mg, s, m.next) !== 0n &&
      m.consensus.blocks.get(bookKey(mg, s))?.clock?.proposedAt === undefined,
  );
  const variant = r.int(0, 19);
  const target = variant < 18 ? (r.chance(0.6) ? unproposed[0] : r.pick(unproposed)) : r.pick(pending);
  if (!target) return "no proposable block";
  const [mg, slot] = target;
  const order = await committeeOrder(m, f, slot);
  const t = m.next;
  const k = order.length;
  const prepared = prepareBlock(m, mg, slot, t, k);
  const data = m.metering.peek(mg, slot);
  let digest = data?.ref.digest ?? ZERO_HASH;
  const count = data?.ref.readings ?? 0;
  const round = "clock" in prepared && prepared.clock ? prepared.clock.round + (variant === 1 ? 1 : 0) : 0;
  if (variant === 2) digest = ethers.id("not the digest");
  const excludable = data
    ? [...data.ref.records.entries()].filter(([, rec]) => rec.status !== "Missing").map(([a]) => a)
    : [];
  const exclusions = variant >= 15 && excludable.length > 0 ? [r.pick(excludable)!] : [];
  const proposerIdx = k > 0 ? m.consensus.proposerIndex(mg, slot, round, k) : 0;
  const signerAddress =
    k === 0
      ? f.validatorActors[0].address
      : variant === 4
        ? order[(proposerIdx + 1) % k]
        : order[proposerIdx];
  let expect = "ok";
  if ("error" in prepared) expect = prepared.error!;
  else if (k === 0) expect = "NoCommittee";
  else if (!prepared.clock.open) expect = "NoOpenRound";
  else if (round !== prepared.clock.round) expect = "WrongRound";
  else if (prepared.clock.proposedAt !== undefined) expect = "AlreadyProposed";
  else if (digest !== (data?.ref.digest ?? ZERO_HASH)) expect = "DigestMismatch";
  else if (signerAddress !== order[proposerIdx]) expect = "NotProposer";
  const body = { digest, count, exclusions };
  const signature = await signProposal(
    actorOf(f, signerAddress).signer,
    await blocksDomain(f.blocks),
    { microgrid: BigInt(mg), slot: BigInt(slot), round: BigInt(round) },
    { ...body, count: BigInt(count) },
  );
  return {
    desc: `propose m${mg} slot ${slot} round ${round} by ${nameOf(f, signerAddress)}${exclusions.length ? ` excluding ${nameOf(f, exclusions[0])}` : ""}${variant === 2 ? " (wrong digest)" : ""}`,
    expect,
    send: () => f.blocks.propose(mg, slot, round, body, signature, GAS),
    apply: () => {
      if ("error" in prepared) return;
      commitBlock(m, mg, slot, prepared, order);
      const b = m.consensus.block(mg, slot);
      b.clock!.propose(t);
      b.accepted = new Set([proposerIdx]);
      b.rejected = new Set();
      b.exclusions = exclusions;
    },
    touched: touched({ books: [bookKey(mg, slot)], validators: true }),
  };
};

const attest: Planner = async (m, f, r) => {
  const pending = pendingBlocks(m).filter(
    ([mg, s]) => m.consensus.blocks.get(bookKey(mg, s))?.clock?.proposedAt !== undefined,
  );
  const variant = r.int(0, 19);
  const target = variant === 0 ? r.pick(pendingBlocks(m)) : r.chance(0.6) ? pending[0] : r.pick(pending);
  if (!target) return "no proposed block";
  const [mg, slot] = target;
  const order = await committeeOrder(m, f, slot);
  const t = m.next;
  const k = order.length;
  const prepared = prepareBlock(m, mg, slot, t, k);
  const b = m.consensus.blocks.get(bookKey(mg, slot));
  const round = "clock" in prepared && prepared.clock ? prepared.clock.round : 0;
  const proposerIdx = k > 0 ? m.consensus.proposerIndex(mg, slot, round, k) : -1;
  // Votes of the current round: gone if the round ended in the tentative clock.
  const lapsed = "ended" in prepared && (prepared.ended?.length ?? 0) > 0;
  const accepted = lapsed ? new Set<number>() : new Set(b?.accepted ?? []);
  const rejected = lapsed ? new Set<number>() : new Set(b?.rejected ?? []);
  const unvoted = order
    .map((_, i) => i)
    .filter((i) => i !== proposerIdx && !accepted.has(i) && !rejected.has(i));
  let who: string;
  if (variant === 1)
    who =
      r.pick(f.validatorActors.map((v) => v.address).filter((a) => !order.includes(a))) ??
      r.pick(traders(m, f))!;
  else if (variant === 2 && k > 0) who = order[proposerIdx];
  else if (variant === 3 && accepted.size + rejected.size > 1)
    who = order[r.pick([...accepted, ...rejected].filter((i) => i !== proposerIdx))!];
  else {
    const i = r.pick(unvoted);
    who = i === undefined ? (r.pick(order) ?? f.validatorActors[0].address) : order[i];
  }
  // Attesters mostly agree with a proposal without exclusions and mostly dispute one with exclusions (so
  // rounds are rejected and re-proposed as well as finalized with exclusions).
  const accept = r.chance((b?.exclusions.length ?? 0) > 0 ? 0.3 : 0.9);
  const position = order.indexOf(who);
  let expect = "ok";
  if ("error" in prepared) expect = prepared.error!;
  else if (k === 0) expect = "NoCommittee";
  else if (!prepared.clock.open) expect = "NoOpenRound";
  else if (prepared.clock.proposedAt === undefined) expect = "NotProposed";
  else if (position < 0) expect = "NotMember";
  else if (position === proposerIdx) expect = "ProposerCannotAttest";
  else if (accepted.has(position) || rejected.has(position)) expect = "AlreadyVoted";
  const t2 = touched({ books: [bookKey(mg, slot)], validators: true, slots: [slot] });
  return {
    desc: `${accept ? "accept" : "reject"} m${mg} slot ${slot} round ${round} by ${nameOf(f, who)}`,
    expect,
    send: () => f.blocks.connect(actorOf(f, who).signer).attest(mg, slot, round, accept, GAS),
    apply: async () => {
      if ("error" in prepared) return;
      commitBlock(m, mg, slot, prepared, order);
      const block = m.consensus.block(mg, slot);
      (accept ? block.accepted : block.rejected).add(position);
      if (block.accepted.size * 3 + 1 > 2 * k) {
        const proposer = order[proposerIdx];
        t2.accounts.add(proposer);
        await finalizeBlock(m, f, mg, slot, order, t);
      } else if (block.rejected.size * 3 > k) {
        counters.rejectedRounds += 1;
        block.clock!.reject(t);
        endRound(m, mg, slot, order, round, "Rejected");
      }
    },
    touched: t2,
  };
};

const finalizeByDefault: Planner = async (m, f, r) => {
  const pending = pendingBlocks(m);
  const t0 = m.next;
  const due = pending.filter(([mg, s]) => {
    const clock = m.consensus.blocks.get(bookKey(mg, s))?.clock;
    const at = clock ? clock.openedAt : proposableAt(m, mg, s, t0);
    return (
      at !== 0n &&
      t0 >= (clock?.deadlineAt ?? at + m.consensus.params.finalityDeadlineSlots * m.clock.slotLength)
    );
  });
  const target = r.chance(0.2) ? r.pick(pending) : r.pick(due);
  if (!target) return "no block due for default finality";
  const [mg, slot] = target;
  const order = await committeeOrder(m, f, slot);
  const info = await f.committees.committeeInfo(m.consensus.epochOf(slot));
  const t = m.next;
  const k = order.length;
  const prepared = prepareBlock(m, mg, slot, t, k);
  let expect = "ok";
  if ("error" in prepared) expect = prepared.error!;
  else {
    const due = t >= prepared.clock.deadlineAt || (info.selected && info.memberCount === 0n) || k > 64;
    if (!due) expect = "DefaultFinalityNotDue";
  }
  return {
    desc: `finalize by default m${mg} slot ${slot}`,
    expect,
    send: () => f.blocks.finalizeByDefault(mg, slot, GAS),
    apply: () => {
      if ("error" in prepared) return;
      commitBlock(m, mg, slot, prepared, order);
      m.consensus.block(mg, slot).status = BlockStatus.FinalByDefault;
      finalizeMeter(m, mg, slot, t, []);
      payBlockFees(m, mg, slot, undefined, 0n);
    },
    touched: touched({ books: [bookKey(mg, slot)], validators: true, slots: [slot] }),
  };
};

// ------------------------------------------------------------------------------------------- settlement

const runLevel2: Planner = async (m, f, r) => {
  const t = m.next;
  const todo = m
    .sortedSlots()
    .filter(
      (s) =>
        !m.settlement.level2.get(s)?.done &&
        (t >= m.slotEnd(s + m.market.params.settleDeadline) ||
          m.registry.microgrids.every((mg) => m.metering.peek(mg, s)?.finalized)),
    );
  const variant = r.int(0, 9);
  const slot = variant === 0 ? r.pick(m.sortedSlots()) : r.chance(0.6) ? todo[0] : r.pick(todo);
  if (slot === undefined) return "no slot ready for level 2";
  const deadline = m.slotEnd(slot + m.market.params.settleDeadline);
  let expect = "ok";
  if (m.settlement.level2.get(slot)?.done) expect = "Level2AlreadyRun";
  else
    for (const mg of m.registry.microgrids)
      if ((m.metering.peek(mg, slot)?.finalizedAt ?? 0n) === 0n && t < deadline) {
        expect = "Level2NotReady";
        break;
      }
  return {
    desc: `run level 2 of slot ${slot}`,
    expect,
    send: () => f.settlement.runLevel2(slot, GAS),
    apply: () => {
      const microgrids = m.registry.microgrids.map((mg) => {
        const data = m.metering.peek(mg, slot);
        const at = data?.finalizedAt ?? 0n;
        const totals = data?.ref.totals() ?? { surplusWh: 0n, deficitWh: 0n };
        return {
          microgrid: mg,
          counted: at !== 0n && at <= deadline - 1n,
          tesWh: totals.surplusWh,
          tepWh: totals.deficitWh,
          buyerCost: 0n,
        };
      });
      const tariff = m.registry.tariffAt(slot);
      const { result, paidToGrid, paidByGrid } = m.settlement.level2Prices(microgrids, tariff);
      m.settlement.level2.set(slot, {
        done: true,
        surplusWh: result.supplyWh,
        demandWh: result.demandWh,
        sellPrice: result.p2Sell,
        buyPrice: result.p2Buy,
        microgrids,
      });
      const money = m.settlement.money(slot);
      money.microgrids = microgrids.length;
      money.microgridsDone = 0;
      for (const input of microgrids) {
        const pr = m.settlement.progressOf(input.microgrid, slot);
        pr.inLevel2 = true;
        if (pr.done) money.microgridsDone += 1;
        if (!input.counted) continue;
        const p1 = result.level1.get(input.microgrid)!;
        pr.level1 = { counted: true, sellPrice: p1.sell, buyPrice: p1.buy };
        pr.priced = true;
      }
      settleGrid(m, slot, paidToGrid, paidByGrid);
      closeIfDone(m, slot);
    },
    touched: touched({
      slots: [slot],
      books: m.registry.microgrids.map((mg) => bookKey(mg, slot)),
      accounts: [m.grid],
    }),
  };
};

const settle: Planner = async (m, f, r) => {
  const t = m.next;
  const ready: [string, bigint][] = [];
  const others: [string, bigint][] = [];
  for (const s of m.sortedSlots()) {
    for (const a of traders(m, f)) {
      const mg = m.registry.get(a)!.microgrid;
      const pos = m.market.position(a, s);
      const rec = m.metering.peek(mg, s)?.ref.records.get(a);
      if (!(pos && pos.liveOrders > 0) && !rec) continue;
      const ok =
        m.settlement.level2.get(s)?.done &&
        m.metering.peek(mg, s)?.finalized &&
        !m.settlement.settled.has(positionKey(a, s));
      (ok ? ready : others).push([a, s]);
    }
  }
  const variant = r.int(0, 9);
  let target = variant === 0 ? r.pick(others) : r.chance(0.5) ? ready[0] : r.pick(ready);
  if (variant === 1) target = [r.pick(traders(m, f))!, r.pick(m.sortedSlots()) ?? m.slotAt(t)];
  if (!target) return "no participant-slot ready to settle";
  const [who, slot] = target;
  const mg = m.registry.get(who)!.microgrid;
  const level2 = m.settlement.level2.get(slot);
  const data = m.metering.peek(mg, slot);
  const pos = m.market.position(who, slot);
  const rec = data?.ref.records.get(who);
  const hasOrders = !!pos && pos.liveOrders > 0;
  let expect = "ok";
  if (m.settlement.settled.has(positionKey(who, slot))) expect = "AlreadySettled";
  else if (!level2?.done) expect = "Level2NotRun";
  else if (!data?.finalized) expect = "MeterDataNotFinal";
  else if (!hasOrders && !rec) expect = "NothingToSettle";
  // The outcome, with the grid residual of a microgrid priced on first use, as the contract computes it.
  let plan: { outcome: import("../reference/settlement").RefOutcome; sell: bigint; buy: bigint } | undefined;
  let residual = { paidToGrid: 0n, paidByGrid: 0n };
  const pr = m.settlement.progress.get(bookKey(mg, slot));
  const tariff = m.registry.tariffAt(slot);
  const book = m.market.book(mg, slot);
  if (expect === "ok") {
    const totals = data!.ref.totals();
    const microgrids = level2!.microgrids.map((x) =>
      x.microgrid === mg && !x.counted ? { ...x, tesWh: totals.surplusWh, tepWh: totals.deficitWh } : x,
    );
    if (!pr?.priced) {
      residual = gridFlow(totals.surplusWh, totals.deficitWh, tariff.gridSellPrice, tariff.gridBuyPrice);
    }
    const filled = pos?.filled ?? { filledWh: 0n, money: 0n, fee: 0n };
    const positionWh = !hasOrders ? 0n : pos.side === Side.Offer ? filled.filledWh : -filled.filledWh;
    const imbalanceWh = rec ? imbalanceOf(rec) : -m.registry.capacityAt(who, slot).maxImportWh - positionWh;
    plan = m.settlement.participantOutcome(
      { ...level2!, microgrids },
      {
        account: who,
        microgrid: mg,
        side: !hasOrders ? "none" : pos.side === Side.Offer ? "offer" : "bid",
        filledWh: hasOrders ? filled.filledWh : 0n,
        money: hasOrders ? filled.money : 0n,
        fee: hasOrders ? filled.fee : 0n,
        escrow: hasOrders && pos.side === Side.Bid ? pos.escrow : 0n,
        imbalanceWh,
        accepted: !!rec && rec.status !== "Missing",
        balance: m.market.balanceOf(who),
      },
      tariff,
      book?.penaltyBps ?? m.market.params.penaltyBps,
    );
    // `_checkPayout`: with grid debt, a net payout must not take the pool below zero.
    const o = plan.outcome;
    if (m.settlement.gridDebt !== 0n && o.credit >= o.charge + 1n) {
      const debt = m.settlement.gridDebt;
      const reduced = debt < residual.paidToGrid ? debt : residual.paidToGrid;
      const creditPaid = residual.paidToGrid - reduced;
      const gridAvailable = m.market.balanceOf(m.grid) + creditPaid;
      const charged = residual.paidByGrid < gridAvailable ? residual.paidByGrid : gridAvailable;
      const poolAfterResidual = m.market.pool + charged - creditPaid;
      const debtAfter = debt - reduced + residual.paidByGrid - charged;
      if (debtAfter !== 0n && poolAfterResidual + o.escrowReleased + o.charge - o.credit < 0n)
        expect = "GridAccountUnderfunded";
    }
  }
  const t2 = touched({
    accounts: [who, m.grid],
    positions: [positionKey(who, slot)],
    books: [bookKey(mg, slot)],
    slots: [slot],
  });
  return {
    desc: `settle ${nameOf(f, who)} slot ${slot}${plan ? ` (credit ${plan.outcome.credit}, charge ${plan.outcome.charge}, α ${plan.outcome.alpha})` : ""}`,
    expect,
    send: () => f.settlement.settle(who, slot, GAS),
    apply: async (receipt) => {
      const o = plan!.outcome;
      const progress = m.settlement.progressOf(mg, slot);
      if (!progress.priced) {
        progress.level1 = { counted: false, sellPrice: plan!.sell, buyPrice: plan!.buy };
        progress.priced = true;
        settleGrid(m, slot, residual.paidToGrid, residual.paidByGrid);
      }
      const key = positionKey(who, slot);
      const filled = hasOrders ? (pos.filled?.filledWh ?? 0n) : 0n;
      m.settlement.settled.add(key);
      if (filled !== 0n) m.settlement.traded.add(key);
      progress.settled += 1;
      const { escrowReleased, charged } = m.market.settleAccount(who, slot, o.credit, o.charge);
      if (escrowReleased !== o.escrowReleased || charged !== o.charged)
        throw new Violation(
          `settle ${who}: released/charged ${escrowReleased}/${charged} vs reference ${o.escrowReleased}/${o.charged}`,
        );
      const money = m.settlement.money(slot);
      money.moneyIn += escrowReleased + charged;
      money.moneyOut += o.credit;
      if (o.burned !== 0n) {
        money.moneyOut += o.burned;
        m.market.pool -= o.burned;
        m.coin.burnToBudget(m.addresses.market, o.burned);
      }
      if (o.advanced !== 0n) {
        m.settlement.debts.set(who, m.settlement.debtOf(who) + o.advanced);
        syncDebtFlag(m, who);
        settleGrid(m, slot, 0n, o.advanced);
      }
      const event = receipt.logs
        .map((log) => {
          try {
            return f.settlement.interface.parseLog(log);
          } catch {
            return null;
          }
        })
        .find((e) => e?.name === "ParticipantSettled")!;
      const a = event.args;
      if (
        a.credit !== o.credit ||
        a.charge !== o.charge ||
        a.charged !== o.charged ||
        a.penaltyBurned !== o.burned ||
        a.advanced !== o.advanced ||
        (filled !== 0n && Number(a.alpha) !== o.alpha)
      )
        throw new Violation(
          `settle ${nameOf(f, who)} slot ${slot}: chain (credit ${a.credit}, charge ${a.charge}, charged ${a.charged}, burned ${a.penaltyBurned}, advanced ${a.advanced}, α ${a.alpha}) != model (${o.credit}, ${o.charge}, ${o.charged}, ${o.burned}, ${o.advanced}, α ${o.alpha})`,
        );
      if (filled !== 0n) {
        const reg = m.registry.get(who)!;
        const predicted = m.trust.predictTrade(who, reg.registeredAt, m.slotEnd(slot), o.alpha);
        const [score] = await f.oracle.traderState(who);
        expectClose(`trader score of ${nameOf(f, who)} after slot ${slot}`, score, predicted);
        m.trust.recordTrade(who, score, pos!.filled!.money);
      }
      markDoneIfComplete(m, mg, slot);
    },
    touched: t2,
  };
};

const feedback: Planner = async (m, f, r) => {
  const variant = r.int(0, 9);
  const tradedKeys = [...m.settlement.traded].filter((k) => !m.trust.feedbackGiven.has(k));
  let key = variant === 0 ? r.pick([...m.trust.feedbackGiven]) : r.pick(tradedKeys);
  if (variant === 1) key = positionKey(r.pick(traders(m, f))!, r.pick(m.sortedSlots()) ?? 0n);
  if (!key) return "no settled trade without feedback";
  const [who, slotText] = key.split(":");
  const slot = BigInt(slotText);
  const delta = variant === 2 ? 0 : r.int(1, 5);
  const epsilon = variant === 3 ? 6 : r.int(1, 5);
  let expect = "ok";
  if (delta === 0 || delta > 5 || epsilon === 0 || epsilon > 5) expect = "RatingOutOfRange";
  else if (m.trust.feedbackGiven.has(key)) expect = "FeedbackAlreadyGiven";
  else if (!m.settlement.traded.has(key)) expect = "NoSettledTrade";
  return {
    desc: `platform feedback δ ${delta} ε ${epsilon} by ${nameOf(f, who)} for slot ${slot}`,
    expect,
    send: () => f.oracle.connect(actorOf(f, who).signer).giveFeedback(slot, delta, epsilon, GAS),
    apply: async () => {
      const predicted = m.trust.predictFeedback(delta, epsilon);
      const score = await f.oracle.platformScore();
      expectClose("platform score", score, predicted);
      m.trust.platform = { score, feedbacks: m.trust.platform.feedbacks + 1n };
      m.trust.feedbackGiven.add(key!);
    },
    touched: touched({}),
  };
};

const repayDebt: Planner = async (m, f, r) => {
  const debtors = traders(m, f).filter((a) => m.settlement.debtOf(a) > 0n);
  const variant = r.int(0, 9);
  const who = (variant === 0 ? undefined : r.pick(debtors)) ?? r.pick(traders(m, f))!;
  const debt = m.settlement.debtOf(who);
  const free = m.market.withdrawableOf(who, m.grid);
  const cap = debt < free ? debt : free;
  const amount =
    variant === 1
      ? debt + 1n
      : variant === 2
        ? 0n
        : variant === 3
          ? free + 1n
          : cap === 0n
            ? 1n
            : r.big(1n, cap);
  let expect = "ok";
  if (amount === 0n) expect = "ZeroAmount";
  else if (amount > debt) expect = "RepayExceedsDebt";
  else if (amount > free) expect = "RepayNotCovered";
  return {
    desc: `repay ${amount} of debt ${debt} by ${nameOf(f, who)} (free ${free})`,
    expect,
    send: () => f.settlement.connect(actorOf(f, who).signer).repayDebt(amount, GAS),
    apply: () => {
      const left = debt - amount;
      m.settlement.debts.set(who, left);
      m.market.settleAccount(who, undefined, 0n, amount);
      moveGrid(m, amount, 0n);
      if (left === 0n) syncDebtFlag(m, who);
    },
    touched: touched({ accounts: [who, m.grid] }),
  };
};

const burnDust: Planner = async (m, f) => {
  const amount =
    m.market.pool > 0n ? (m.settlement.dust < m.market.pool ? m.settlement.dust : m.market.pool) : 0n;
  let expect = "ok";
  if (m.settlement.gridDebt !== 0n) expect = "GridAccountUnderfunded";
  else if (amount === 0n) expect = "NoDustToBurn";
  return {
    desc: `burn dust ${amount}`,
    expect,
    send: () => f.settlement.burnDust(GAS),
    apply: () => {
      m.settlement.dust -= amount;
      m.market.pool -= amount;
      m.coin.burnToBudget(m.addresses.market, amount);
    },
    touched: touched({}),
  };
};

// ------------------------------------------------------------------------------------------- validators

const join: Planner = async (m, f, r) => {
  const t = m.next;
  const variant = r.int(0, 9);
  const candidates = f.spares.map((s) => s.address).filter((a) => !m.consensus.validators.has(a));
  let who =
    (variant < 2
      ? r.pick([...f.spares.map((s) => s.address), ...f.validatorActors.map((v) => v.address)])
      : r.pick(candidates.filter((a) => m.registry.get(a)))) ?? r.pick(f.spares.map((s) => s.address))!;
  if (variant === 2) who = r.pick(traders(m, f))!;
  const deposit =
    variant === 3
      ? m.consensus.params.minDeposit - 1n
      : m.consensus.params.minDeposit + r.big(0n, 1_000n) * TRC;
  const p = m.registry.get(who);
  let expect = "ok";
  if (m.consensus.validators.has(who)) expect = "AlreadyJoined";
  else if (!p) expect = "NotRegistered";
  else if (p.suspended || p.indebted) expect = "NotInGoodStanding";
  else if (m.trust.traderScore(who) < m.consensus.params.minTraderScoreToValidate)
    expect = "TraderScoreTooLow";
  else if (deposit < m.consensus.params.minDeposit) expect = "DepositTooSmall";
  else if ((await f.coin.allowance(who, m.addresses.validators)) < deposit)
    // Allowances are not modelled: traders of the fixture never approved the validator registry, spares did.
    expect = "ERC20InsufficientAllowance";
  else if (m.coin.balanceOf(who) < deposit) expect = "ERC20InsufficientBalance";
  const [prev, next] = await f.validators.findInsertPosition(deposit, m.trust.params.baseValidatorScore, who);
  return {
    desc: `join as validator ${nameOf(f, who)} with ${fmtTrc(deposit)}`,
    expect,
    send: () => f.validators.connect(actorOf(f, who).signer).join(deposit, prev, next, GAS),
    apply: () => {
      m.coin.burnToBudget(who, deposit);
      m.consensus.validators.set(who, { weight: deposit, joinedAt: t, left: false });
      m.trust.validators.set(who, {
        score: m.trust.params.baseValidatorScore,
        proposedBlocks: 1n,
        joinedAt: t,
      });
    },
    touched: touched({ accounts: [who], validators: true }),
  };
};

const topUp: Planner = async (m, f, r) => {
  const variant = r.int(0, 9);
  const who = variant === 0 ? r.pick(traders(m, f))! : r.pick([...m.consensus.validators.keys()])!;
  const amount = variant === 1 ? 0n : r.big(1n, 300n) * TRC;
  const v = m.consensus.validators.get(who);
  let expect = "ok";
  if (amount === 0n) expect = "ZeroAmount";
  else if (!v) expect = "NotAValidator";
  else if (v.left) expect = "ValidatorHasLeft";
  else if (m.coin.balanceOf(who) < amount) expect = "ERC20InsufficientBalance";
  const weight = (v?.weight ?? 0n) + amount;
  const [prev, next] = await f.validators.findInsertPosition(weight, m.trust.validatorScore(who), who);
  return {
    desc: `top up ${fmtTrc(amount)} by ${nameOf(f, who)}`,
    expect,
    send: () => f.validators.connect(actorOf(f, who).signer).topUp(amount, prev, next, GAS),
    apply: () => {
      m.coin.burnToBudget(who, amount);
      v!.weight = weight;
    },
    touched: touched({ accounts: [who], validators: true }),
  };
};

// ------------------------------------------------------------------------------------------- registrar and DSO

const tariff: Planner = async (m, f, r) => {
  const t = m.next;
  const variant = r.int(0, 9);
  const buy = r.big(250n, 350n) * 10n ** 15n;
  const sell = variant === 0 ? buy : r.big(50n, 100n) * 10n ** 15n;
  const expect = sell === 0n || sell >= buy ? "InvalidTariff" : "ok";
  return {
    desc: `tariff buy ${buy} sell ${sell}`,
    expect,
    send: () => f.registry.setTariff(buy, sell, GAS),
    apply: () => {
      m.registry.tariffs.push({
        fromSlot: m.slotAt(t) + m.clock.maxLeadSlots + 1n,
        value: { gridBuyPrice: buy, gridSellPrice: sell },
      });
    },
    touched: touched({}),
  };
};

const rotateMeter: Planner = async (m, f, r) => {
  const t = m.next;
  const who = r.pick(traders(m, f))!;
  const p = m.registry.get(who)!;
  const latest = p.keys[p.keys.length - 1].fromSlot;
  const current = m.slotAt(t);
  const earliest = latest > current + 1n ? latest : current + 1n;
  const variant = r.int(0, 9);
  const validFrom = variant === 0 ? earliest - 1n : earliest + BigInt(r.int(0, 3));
  m.keyCounter += 1;
  const wallet = variant === 1 ? m.meterWallets.get(p.keys[0].value)! : meterWallet(`rot-${m.keyCounter}`);
  let expect = "ok";
  if (m.registry.ownerOfKey.has(wallet.address)) expect = "MeterKeyInUse";
  else if (validFrom < earliest) expect = "MeterRotationTooEarly";
  return {
    desc: `rotate meter of ${nameOf(f, who)} from slot ${validFrom}`,
    expect,
    send: () => f.registry.rotateMeter(who, wallet.address, validFrom, GAS),
    apply: () => {
      p.keys.push({ fromSlot: validFrom, value: wallet.address });
      m.registry.ownerOfKey.set(wallet.address, who);
      m.meterWallets.set(wallet.address, wallet);
    },
    touched: touched({ accounts: [who] }),
  };
};

const suspension: Planner = async (m, f, r) => {
  const who = r.pick(traders(m, f))!;
  const p = m.registry.get(who)!;
  const wrong = r.chance(0.1);
  const suspend = wrong ? p.suspended : !p.suspended;
  const expect = suspend ? (p.suspended ? "AlreadySuspended" : "ok") : p.suspended ? "ok" : "NotSuspended";
  return {
    desc: `${suspend ? "suspend" : "reinstate"} ${nameOf(f, who)}`,
    expect,
    send: () => (suspend ? f.registry.suspend(who, GAS) : f.registry.reinstate(who, GAS)),
    apply: () => {
      p.suspended = suspend;
    },
    touched: touched({ accounts: [who] }),
  };
};

// ------------------------------------------------------------------------------------------- time

/** The next moment something in the life cycle changes (gate, slot end, window close, deadlines). */
function nextEvent(m: SuiteModel): bigint | undefined {
  let best: bigint | undefined;
  const consider = (x: bigint) => {
    if (x > m.now + 1n && (best === undefined || x < best)) best = x;
  };
  for (const s of m.sortedSlots()) {
    consider(m.gate(s));
    consider(m.slotEnd(s));
    consider(m.metering.window(s).closesAt + 1n);
    consider(m.slotEnd(s + m.market.params.settleDeadline));
    for (const mg of m.registry.microgrids) {
      const b = m.consensus.blocks.get(bookKey(mg, s));
      // Round timeouts are not life-cycle events here (the "round timeout" jump exercises them); deadlines are.
      if (b?.clock) consider(b.clock.deadlineAt);
    }
  }
  return best;
}

export async function advanceTime(m: SuiteModel, r: Rng): Promise<string> {
  const v = r.int(0, 9);
  let target: bigint;
  let why: string;
  const event = nextEvent(m);
  // While a proposal is open for votes, or a proposable block waits for one, time mostly creeps (the committee
  // acts within its windows); otherwise rounds would mostly be skipped and the committee's scores collapse.
  const live = [...m.consensus.blocks.values()].some(
    (b) =>
      b.status === BlockStatus.Open &&
      b.clock?.proposedAt !== undefined &&
      b.clock.proposedAt + b.clock.window > m.now,
  );
  const waiting = pendingBlocks(m).some(([mg, s]) => {
    const b = m.consensus.blocks.get(bookKey(mg, s));
    return b?.clock ? m.now < b.clock.deadlineAt : proposableAt(m, mg, s, m.now) !== 0n;
  });
  // An open reading window with participants whose meters have not reported: time creeps too.
  const unreported = m.sortedSlots().some((s) => {
    const { opensAt, closesAt } = m.metering.window(s);
    if (m.now < opensAt || m.now + 150n >= closesAt) return false;
    return [...m.market.positions.values()].some((p) => {
      if (p.slot !== s || p.liveOrders === 0) return false;
      const mg = m.registry.get(p.account)!.microgrid;
      return (
        m.market.book(mg, s)?.phase === Phase.Cleared && !m.metering.peek(mg, s)?.ref.records.has(p.account)
      );
    });
  });
  if ((live && v < 8) || (waiting && v < 6) || (unreported && v < 7)) {
    target = m.now + (unreported ? 150n : 300n);
    why = live
      ? "a proposal is open"
      : unreported
        ? "meters still to report"
        : "a block waits for its proposal";
  } else if (v < 7 && event !== undefined) {
    target = event;
    why = "next life-cycle event";
  } else if (v < 8) {
    target = m.now + m.consensus.params.proposalTimeout + 1n;
    why = "a round timeout";
  } else if (v < 9) {
    target = m.slotStart(m.slotAt(m.now) + 1n);
    why = "next slot";
  } else {
    target = m.now + 3n * m.clock.slotLength;
    why = "three slots";
  }
  await mineAt(target);
  m.now = target;
  return `advance time to ${target} (${why}, slot ${m.slotAt(target)})`;
}

// ------------------------------------------------------------------------------------------- commands

export const PLANNERS: Record<string, Planner> = {
  issue,
  redeem,
  register,
  deposit,
  withdraw,
  offer: placeOrder(Side.Offer),
  bid: placeOrder(Side.Bid),
  cancel,
  clear,
  withdrawUnfilled,
  reading,
  accountMissing,
  propose,
  attest,
  finalizeByDefault,
  runLevel2,
  settle,
  feedback,
  repayDebt,
  burnDust,
  join,
  topUp,
  tariff,
  rotateMeter,
  suspension,
};

/** Relative frequencies of the actions (time advance included). */
export const WEIGHTS: Record<string, number> = {
  issue: 1,
  redeem: 1,
  register: 1,
  deposit: 3,
  withdraw: 2,
  offer: 8,
  bid: 8,
  cancel: 2,
  clear: 5,
  withdrawUnfilled: 2,
  reading: 12,
  accountMissing: 4,
  propose: 6,
  attest: 14,
  finalizeByDefault: 2,
  runLevel2: 4,
  settle: 16,
  feedback: 3,
  repayDebt: 2,
  burnDust: 1,
  join: 1,
  topUp: 1,
  tariff: 1,
  rotateMeter: 1,
  suspension: 1,
  time: 6,
};

export class Step implements fc.AsyncCommand<SuiteModel, Suite> {
  private desc = "";
  constructor(
    readonly action: string,
    readonly seed: number,
  ) {}

  check(): boolean {
    return true;
  }

  async run(m: SuiteModel, f: Suite): Promise<void> {
    const r = new Rng(this.seed);
    const s = stat(this.action);
    s.ran += 1;
    if (this.action === "time") {
      this.desc = await advanceTime(m, r);
      counters.steps += 1;
      s.succeeded += 1;
      await checkAfterStep(m, f, noneTouched());
      return;
    }
    const plan = await PLANNERS[this.action](m, f, r);
    if (typeof plan === "string") {
      this.desc = `${this.action}: idle (${plan})`;
      s.idle += 1;
      return;
    }
    counters.steps += 1;
    this.desc = `${plan.desc} → ${plan.expect}`;
    const outcome = await sendAt(m.next, plan.send);
    m.now = await latestTime();
    if (outcome.ok) {
      if (plan.expect !== "ok")
        throw new Violation(`${plan.desc}: model predicted ${plan.expect}, the call succeeded`);
      checkOnce(f, outcome.receipt, m.seenOnce);
      await plan.apply?.(outcome.receipt);
      s.succeeded += 1;
    } else {
      if (outcome.error !== plan.expect)
        throw new Violation(
          `${plan.desc}: model predicted ${plan.expect}, the call reverted with ${outcome.error}`,
        );
      s.reverted += 1;
      s.errors.set(outcome.error, (s.errors.get(outcome.error) ?? 0) + 1);
    }
    await checkAfterStep(m, f, plan.touched);
  }

  toString(): string {
    return this.desc === "" ? `${this.action}#${this.seed}` : `${this.action}#${this.seed}: ${this.desc}`;
  }
}

/** The command arbitrary: an action by weight and its seed. */
export function stepArbitrary(): fc.Arbitrary<Step> {
  return fc.oneof(
    ...Object.entries(WEIGHTS).map(([action, weight]) => ({
      weight,
      arbitrary: fc.integer({ min: 0, max: 0x7fffffff }).map((seed) => new Step(action, seed)),
    })),
  );
}
