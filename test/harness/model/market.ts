// Model of the energy market (SPEC §4 prepaid balances and reserves, §7 the TRP-gated book): prepaid
// balances, reserves per account-slot, bid escrow, the signed settlement pool, the books with their
// orders, and the outcome of clearing from the exact reference `clearReference` (test/reference/clearing.ts).
//
// Clearing is predicted exactly as a rational share per order; the chain's integer fills are allowed what
// SPEC §7.2 allows (energy floor(exact) or 1 Wh less; buyers' money ceil(exact) or 1 unit more, sellers'
// floor or 1 less) and are then ADOPTED: later predictions (imbalances, settlement, fees) use the chain's
// integer fills, checked against the exact shares, not re-derived rounding of the pooled factors.
import {
  Fraction,
  clearReference,
  type RefBid,
  type RefClearing,
  type RefOffer,
} from "../../reference/clearing";

export const Side = { None: 0, Offer: 1, Bid: 2 } as const;
export const Phase = { Open: 0, Clearing: 1, Cleared: 2 } as const;
const BPS = 10_000n;
const WH_PER_KWH = 1000n;
export const MAX_TICK = 65_535;

export interface OrderModel {
  id: bigint;
  owner: string;
  side: number;
  qtyWh: bigint;
  tick: number;
  level: number;
  scoreWad: bigint;
  cancelled: boolean;
}

export interface FillModel {
  filledWh: bigint;
  money: bigint;
  fee: bigint;
}

export interface AggregatesModel {
  buyers: bigint;
  tradedWh: bigint;
  buyerCost: bigint;
  feeScoreWad: bigint;
}

export interface BookModel {
  microgrid: number;
  slot: bigint;
  tickSize: bigint;
  feeBps: bigint;
  penaltyBps: bigint;
  gridBuyPrice: bigint;
  gridSellPrice: bigint;
  orders: OrderModel[];
  participants: number;
  phase: number;
  /** After clearing: the exact reference and the adopted chain fills per order id. */
  reference?: RefClearing;
  fills: Map<bigint, FillModel>;
  aggregates?: AggregatesModel;
}

export interface PositionModel {
  account: string;
  slot: bigint;
  side: number;
  level: number;
  scoreWad: bigint;
  orderedWh: bigint;
  maxImportWh: bigint;
  liveOrders: number;
  orderIds: bigint[];
  escrow: bigint;
  reserve: bigint;
  unfilledWithdrawn: boolean;
  released: boolean;
  /** After clearing: the adopted chain totals of its orders. */
  filled?: FillModel;
}

export interface MarketParams {
  tickSize: bigint;
  feeBps: bigint;
  penaltyBps: bigint;
  minOrderWh: bigint;
  settleGrace: bigint;
  settleDeadline: bigint;
  maxOrdersPerSlot: bigint;
  gridFloat: bigint;
  accessWad: [bigint, bigint, bigint, bigint];
}

export const bookKey = (microgrid: number, slot: bigint) => `${microgrid}:${slot}`;
export const positionKey = (account: string, slot: bigint) => `${account}:${slot}`;

/** A bid's escrow at its limit: cost and fee, each rounded up (SPEC §7.1). */
export function bidEscrow(tickSize: bigint, feeBps: bigint, qtyWh: bigint, limitTick: number): bigint {
  const value = qtyWh * BigInt(limitTick) * tickSize;
  const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
  return ceilDiv(value, WH_PER_KWH) + ceilDiv(value * feeBps, WH_PER_KWH * BPS);
}

/** SPEC §4: `(maxImportWh + offeredWh · (1 + penaltyBps/10 000)) · λ_buy / 1000`, rounded up. */
export function reserveOf(
  maxImportWh: bigint,
  offeredWh: bigint,
  penaltyBps: bigint,
  gridBuyPrice: bigint,
): bigint {
  const num = (maxImportWh * BPS + offeredWh * (BPS + penaltyBps)) * gridBuyPrice;
  const den = WH_PER_KWH * BPS;
  return (num + den - 1n) / den;
}

export class MarketModel {
  readonly balances = new Map<string, bigint>();
  totalPrepaid = 0n;
  totalEscrow = 0n;
  pool = 0n;
  readonly books = new Map<string, BookModel>();
  readonly positions = new Map<string, PositionModel>();

  constructor(readonly params: MarketParams) {}

  balanceOf(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  reservedOf(account: string): bigint {
    let total = 0n;
    for (const p of this.positions.values()) if (p.account === account) total += p.reserve;
    return total;
  }

  withdrawableOf(account: string, gridAccount: string): bigint {
    const locked = this.reservedOf(account) + (account === gridAccount ? this.params.gridFloat : 0n);
    const balance = this.balanceOf(account);
    return balance > locked ? balance - locked : 0n;
  }

  book(microgrid: number, slot: bigint): BookModel | undefined {
    return this.books.get(bookKey(microgrid, slot));
  }

  position(account: string, slot: bigint): PositionModel | undefined {
    return this.positions.get(positionKey(account, slot));
  }

  positionOrNew(account: string, slot: bigint): PositionModel {
    const key = positionKey(account, slot);
    let p = this.positions.get(key);
    if (!p) {
      p = {
        account,
        slot,
        side: Side.None,
        level: 0,
        scoreWad: 0n,
        orderedWh: 0n,
        maxImportWh: 0n,
        liveOrders: 0,
        orderIds: [],
        escrow: 0n,
        reserve: 0n,
        unfilledWithdrawn: false,
        released: false,
      };
      this.positions.set(key, p);
    }
    return p;
  }

  /** The oldest slot with live orders not yet released by settlement (SPEC §4 freezing). */
  oldestUnsettled(account: string): bigint | undefined {
    let oldest: bigint | undefined;
    for (const p of this.positions.values()) {
      if (p.account !== account || p.liveOrders === 0 || p.released) continue;
      if (oldest === undefined || p.slot < oldest) oldest = p.slot;
    }
    return oldest;
  }

  isFrozen(account: string, currentSlot: bigint): boolean {
    const oldest = this.oldestUnsettled(account);
    return (
      oldest !== undefined && oldest + this.params.settleGrace + this.params.settleDeadline < currentSlot
    );
  }

  /** The book of (m, s), opened with the current parameters and the slot's tariff if new. */
  openBook(
    microgrid: number,
    slot: bigint,
    tariff: { gridBuyPrice: bigint; gridSellPrice: bigint },
  ): BookModel {
    const key = bookKey(microgrid, slot);
    let book = this.books.get(key);
    if (!book) {
      book = {
        microgrid,
        slot,
        tickSize: this.params.tickSize,
        feeBps: this.params.feeBps,
        penaltyBps: this.params.penaltyBps,
        gridBuyPrice: tariff.gridBuyPrice,
        gridSellPrice: tariff.gridSellPrice,
        orders: [],
        participants: 0,
        phase: Phase.Open,
        fills: new Map(),
      };
      this.books.set(key, book);
    }
    return book;
  }

  deposit(account: string, amount: bigint): void {
    this.balances.set(account, this.balanceOf(account) + amount);
    this.totalPrepaid += amount;
  }

  withdraw(account: string, amount: bigint): void {
    this.balances.set(account, this.balanceOf(account) - amount);
    this.totalPrepaid -= amount;
  }

  /** The reserve of a position from its current orders. */
  refreshReserve(position: PositionModel, book: BookModel): void {
    position.reserve =
      position.liveOrders === 0
        ? 0n
        : reserveOf(
            position.maxImportWh,
            position.side === Side.Offer ? position.orderedWh : 0n,
            book.penaltyBps,
            book.gridBuyPrice,
          );
  }

  /** `settleAccount` of the market (SETTLEMENT_ROLE): release, credit, then take min(charge, balance). */
  settleAccount(
    account: string,
    slot: bigint | undefined,
    credit: bigint,
    charge: bigint,
  ): { escrowReleased: bigint; charged: bigint } {
    let escrowReleased = 0n;
    const position = slot === undefined ? undefined : this.position(account, slot);
    if (position && position.liveOrders !== 0) {
      position.released = true;
      position.reserve = 0n;
      escrowReleased = position.escrow;
      position.escrow = 0n;
      this.totalEscrow -= escrowReleased;
    }
    const available = this.balanceOf(account) + credit;
    const charged = charge < available ? charge : available;
    this.balances.set(account, available - charged);
    this.totalPrepaid += credit - charged;
    this.pool += escrowReleased + charged - credit;
    return { escrowReleased, charged };
  }

  /** Reference inputs of a book's live orders, in id order. */
  referenceInputs(book: BookModel): {
    offers: RefOffer[];
    bids: RefBid[];
    offerIds: bigint[];
    bidIds: bigint[];
  } {
    const offers: RefOffer[] = [];
    const bids: RefBid[] = [];
    const offerIds: bigint[] = [];
    const bidIds: bigint[] = [];
    for (const o of book.orders) {
      if (o.cancelled) continue;
      if (o.side === Side.Offer) {
        offers.push({ qtyWh: o.qtyWh, tick: o.tick, level: o.level });
        offerIds.push(o.id);
      } else {
        bids.push({ qtyWh: o.qtyWh, limitTick: o.tick, level: o.level, scoreWad: o.scoreWad });
        bidIds.push(o.id);
      }
    }
    return { offers, bids, offerIds, bidIds };
  }

  /** The exact outcome of SPEC §7.2 for the book, by order id. */
  clearExact(book: BookModel): {
    ref: RefClearing;
    exact: Map<bigint, { filledWh: Fraction; money: Fraction; fee: Fraction }>;
  } {
    const { offers, bids, offerIds, bidIds } = this.referenceInputs(book);
    const ref = clearReference(offers, bids, {
      accessWad: this.params.accessWad,
      tickSize: book.tickSize,
      feeBps: book.feeBps,
    });
    const exact = new Map<bigint, { filledWh: Fraction; money: Fraction; fee: Fraction }>();
    offerIds.forEach((id, j) =>
      exact.set(id, { filledWh: ref.offers[j].filledWh, money: ref.offers[j].proceeds, fee: Fraction.ZERO }),
    );
    bidIds.forEach((id, i) =>
      exact.set(id, { filledWh: ref.bids[i].filledWh, money: ref.bids[i].cost, fee: ref.bids[i].fee }),
    );
    return { ref, exact };
  }

  /** Buyers whose highest-limit bid received energy (the market counts filled top buckets). */
  exactBuyers(book: BookModel, exact: Map<bigint, { filledWh: Fraction }>): bigint {
    let buyers = 0n;
    const byOwner = new Map<string, OrderModel[]>();
    for (const o of book.orders) {
      if (o.cancelled || o.side !== Side.Bid) continue;
      byOwner.set(o.owner, [...(byOwner.get(o.owner) ?? []), o]);
    }
    for (const orders of byOwner.values()) {
      const top = Math.max(...orders.map((o) => o.tick));
      if (orders.some((o) => o.tick === top && exact.get(o.id)!.filledWh.isPositive())) buyers += 1n;
    }
    return buyers;
  }
}
