// Independent reference of SPEC §7.2 (clearing of the TRP-gated order book) in exact rational
// arithmetic, written from SPEC.md alone and kept order by order: every step walks the individual
// orders, nothing is aggregated into buckets or factors. Used by the order-book tests to check the
// on-chain library, which keeps pooled factors instead.

/** Greatest common divisor of two non-negative integers. */
function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** An exact rational number num/den with den > 0, always in lowest terms. */
export class Fraction {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new RangeError("zero denominator");
    if (den < 0n) [num, den] = [-num, -den];
    const g = gcd(num < 0n ? -num : num, den);
    this.num = g > 1n ? num / g : num;
    this.den = g > 1n ? den / g : den;
  }

  static readonly ZERO = new Fraction(0n);

  static of(value: bigint | number): Fraction {
    return new Fraction(BigInt(value));
  }

  add(other: Fraction): Fraction {
    if (this.den === other.den) return new Fraction(this.num + other.num, this.den);
    return new Fraction(this.num * other.den + other.num * this.den, this.den * other.den);
  }

  sub(other: Fraction): Fraction {
    if (this.den === other.den) return new Fraction(this.num - other.num, this.den);
    return new Fraction(this.num * other.den - other.num * this.den, this.den * other.den);
  }

  mul(other: Fraction): Fraction {
    // Cross-cancel first so the product stays in lowest terms without a gcd of the big product.
    // (gcd(0, d) = d > 0, so neither divisor is 0.)
    const g1 = gcd(this.num < 0n ? -this.num : this.num, other.den);
    const g2 = gcd(other.num < 0n ? -other.num : other.num, this.den);
    const n = (this.num / g1) * (other.num / g2);
    const d = (this.den / g2) * (other.den / g1);
    return new Fraction(n, d);
  }

  div(other: Fraction): Fraction {
    if (other.num === 0n) throw new RangeError("division by zero");
    return this.mul(new Fraction(other.den, other.num));
  }

  cmp(other: Fraction): number {
    const left = this.num * other.den;
    const right = other.num * this.den;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  lt(other: Fraction): boolean {
    return this.cmp(other) < 0;
  }

  lte(other: Fraction): boolean {
    return this.cmp(other) <= 0;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  isPositive(): boolean {
    return this.num > 0n;
  }

  /** Largest integer not above the value. */
  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }

  /** Smallest integer not below the value. */
  ceil(): bigint {
    const q = this.num / this.den;
    return this.num > 0n && q * this.den !== this.num ? q + 1n : q;
  }

  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }

  toString(): string {
    return this.den === 1n ? `${this.num}` : `${this.num}/${this.den}`;
  }

  static min(a: Fraction, b: Fraction): Fraction {
    return a.lte(b) ? a : b;
  }

  static max(a: Fraction, b: Fraction): Fraction {
    return a.lte(b) ? b : a;
  }
}

/** An offer `(qtyWh, tick)` by a seller of TRP level `level` (SPEC §7.1). */
export interface RefOffer {
  qtyWh: bigint;
  tick: number;
  level: number;
}

/** A bid `(qtyWh, limitTick)` by a buyer of TRP level `level` and trust score `scoreWad`. */
export interface RefBid {
  qtyWh: bigint;
  limitTick: number;
  level: number;
  scoreWad: bigint;
}

/** Parameters: access fractions a_1..a_4 (wad), tick size (TRC base units per kWh), fee (bps). */
export interface RefParams {
  accessWad: readonly [bigint, bigint, bigint, bigint];
  tickSize: bigint;
  feeBps: bigint;
}

/** What one offer got: exact Wh sold and exact proceeds (TRC base units). */
export interface RefOfferOutcome {
  filledWh: Fraction;
  proceeds: Fraction;
}

/** What one bid got: exact Wh bought, exact value in Wh * tick, cost and fee (TRC base units). */
export interface RefBidOutcome {
  filledWh: Fraction;
  costWhTick: Fraction;
  cost: Fraction;
  fee: Fraction;
  /** Highest tick at which the bid received energy (0 if none). */
  highestFillTick: number;
}

/** One offer tick of the clearing: its positions, final frontier, and the Wh bought there per level. */
export interface RefTick {
  tick: number;
  startWh: bigint;
  endWh: bigint;
  frontier: Fraction;
  /** `boughtByLevel[L]` = Wh taken at this tick by level-L buyers (index 0 unused). */
  boughtByLevel: Fraction[];
  /** `soldBySellerLevel[s]` = Wh sold at this tick by level-s sellers (index 0 unused). */
  soldBySellerLevel: Fraction[];
}

/** The complete exact outcome of SPEC §7.2 for one book. */
export interface RefClearing {
  offers: RefOfferOutcome[];
  bids: RefBidOutcome[];
  ticks: RefTick[];
  offeredWh: bigint;
  /** reserved_L, index 1..4. */
  reserved: Fraction[];
  tradedWh: Fraction;
  /** θ: sum of the buyers' exact costs. */
  buyerCost: Fraction;
  /** Sum over bids of exact fee (TRC base units) * score (wad); λ_b of SPEC §6.5 is this / 15e18. */
  feeScoreWad: Fraction;
}

const WAD = 10n ** 18n;
const BPS = 10_000n;
const WH_PER_KWH = 1000n;

/** SPEC §7.2 in exact arithmetic, order by order. */
export function clearReference(offers: RefOffer[], bids: RefBid[], params: RefParams): RefClearing {
  const bidRemaining = bids.map((bid) => Fraction.of(bid.qtyWh));
  const bidCostWhTick = bids.map(() => Fraction.ZERO);
  const bidHighest = bids.map(() => 0);
  const offerRemaining = offers.map((offer) => Fraction.of(offer.qtyWh));

  // 1. Offers grouped by tick, ascending, only ticks at or below the highest bid limit.
  const maxLimit = bids.reduce((top, bid) => Math.max(top, bid.limitTick), 0);
  const tickValues = [...new Set(offers.map((offer) => offer.tick))].filter((t) => t <= maxLimit);
  tickValues.sort((a, b) => a - b);
  const ticks: RefTick[] = [];
  let position = 0n;
  for (const tick of tickValues) {
    const volume = offers
      .filter((offer) => offer.tick === tick)
      .reduce((sum, offer) => sum + offer.qtyWh, 0n);
    ticks.push({
      tick,
      startWh: position,
      endWh: position + volume,
      frontier: Fraction.of(position),
      boughtByLevel: [0, 1, 2, 3, 4].map(() => Fraction.ZERO),
      soldBySellerLevel: [0, 1, 2, 3, 4].map(() => Fraction.ZERO),
    });
    position += volume;
  }
  const offeredWh = position;
  const reserved = [0, 1, 2, 3, 4].map((level) =>
    level === 0 ? Fraction.ZERO : new Fraction(offeredWh * (WAD - params.accessWad[level - 1]), WAD),
  );

  // 2. Levels 4, 3, 2, 1; for each, ticks cheapest first.
  for (const level of [4, 3, 2, 1]) {
    for (const state of ticks) {
      const from = Fraction.max(state.frontier, reserved[level]);
      const avail = Fraction.of(state.endWh).sub(from);
      // 3. Eligible bids: this level, limit at or above the tick; D = their remaining total.
      const eligible = bids
        .map((_, i) => i)
        .filter((i) => bids[i].level === level && bids[i].limitTick >= state.tick);
      const demand = eligible.reduce((sum, i) => sum.add(bidRemaining[i]), Fraction.ZERO);
      const filled = avail.isPositive() ? Fraction.min(avail, demand) : Fraction.ZERO;
      if (filled.isPositive()) {
        const ratio = filled.div(demand);
        for (const i of eligible) {
          const share = bidRemaining[i].mul(ratio);
          if (share.isPositive()) bidHighest[i] = state.tick;
          bidRemaining[i] = bidRemaining[i].sub(share);
          bidCostWhTick[i] = bidCostWhTick[i].add(share.mul(Fraction.of(state.tick)));
        }
        state.boughtByLevel[level] = state.boughtByLevel[level].add(filled);
      }
      state.frontier = from.add(filled);
      // 4. F taken from the offers at the tick by seller level 4, 3, 2, 1, pro rata inside a level.
      let toPlace = filled;
      for (const sellerLevel of [4, 3, 2, 1]) {
        if (!toPlace.isPositive()) break;
        const group = offers
          .map((_, j) => j)
          .filter((j) => offers[j].tick === state.tick && offers[j].level === sellerLevel);
        const volume = group.reduce((sum, j) => sum.add(offerRemaining[j]), Fraction.ZERO);
        if (!volume.isPositive()) continue;
        const taken = Fraction.min(volume, toPlace);
        const ratio = taken.div(volume);
        for (const j of group) offerRemaining[j] = offerRemaining[j].sub(offerRemaining[j].mul(ratio));
        state.soldBySellerLevel[sellerLevel] = state.soldBySellerLevel[sellerLevel].add(taken);
        toPlace = toPlace.sub(taken);
      }
      if (toPlace.isPositive()) throw new Error("reference: sold more than offered");
    }
  }

  // 5. Pay-as-offer money: exact values; the value of q Wh at price p is q * p / 1000.
  const perKwh = new Fraction(params.tickSize, WH_PER_KWH);
  const offerOutcomes = offers.map((offer, j) => {
    const filledWh = Fraction.of(offer.qtyWh).sub(offerRemaining[j]);
    return { filledWh, proceeds: filledWh.mul(Fraction.of(offer.tick)).mul(perKwh) };
  });
  const bidOutcomes = bids.map((bid, i) => {
    const cost = bidCostWhTick[i].mul(perKwh);
    return {
      filledWh: Fraction.of(bid.qtyWh).sub(bidRemaining[i]),
      costWhTick: bidCostWhTick[i],
      cost,
      fee: cost.mul(new Fraction(params.feeBps, BPS)),
      highestFillTick: bidHighest[i],
    };
  });
  const tradedWh = bidOutcomes.reduce((sum, outcome) => sum.add(outcome.filledWh), Fraction.ZERO);
  const buyerCost = bidOutcomes.reduce((sum, outcome) => sum.add(outcome.cost), Fraction.ZERO);
  const feeScoreWad = bidOutcomes.reduce(
    (sum, outcome, i) => sum.add(outcome.fee.mul(Fraction.of(bids[i].scoreWad))),
    Fraction.ZERO,
  );
  return {
    offers: offerOutcomes,
    bids: bidOutcomes,
    ticks,
    offeredWh,
    reserved,
    tradedWh,
    buyerCost,
    feeScoreWad,
  };
}
