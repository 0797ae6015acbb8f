/**
 * Independent reference of the two-level SDR prices of SPEC §8.3, in exact rational arithmetic
 * (BigInt numerator / denominator). Written from SPEC.md, not from the Solidity: it uses the SDR form
 *   P_sell = λs·λb / ((λb − λs)·SDR + λs),   P_buy = P_sell·SDR + λb·(1 − SDR),   SDR = S / D,
 * and rounds only where the SPEC says (sell prices and payouts down, buy prices and charges up).
 *
 * Units: energy Wh, prices TRC base units per kWh, money TRC base units (`q · p / 1000`).
 */

/** An exact rational number `num / den` with `den > 0`, in lowest terms. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new RangeError("Rational: zero denominator");
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num < 0n ? -num : num, den);
    this.num = num / g;
    this.den = den / g;
  }

  static of(value: bigint | number): Rational {
    return new Rational(BigInt(value));
  }

  add(other: Rational): Rational {
    return new Rational(this.num * other.den + other.num * this.den, this.den * other.den);
  }

  sub(other: Rational): Rational {
    return new Rational(this.num * other.den - other.num * this.den, this.den * other.den);
  }

  mul(other: Rational): Rational {
    return new Rational(this.num * other.num, this.den * other.den);
  }

  div(other: Rational): Rational {
    if (other.num === 0n) throw new RangeError("Rational: division by zero");
    return new Rational(this.num * other.den, this.den * other.num);
  }

  /** -1, 0 or 1 as this is below, equal to or above `other`. */
  cmp(other: Rational): number {
    const diff = this.num * other.den - other.num * this.den;
    return diff < 0n ? -1 : diff > 0n ? 1 : 0;
  }

  /** The largest integer not above this. */
  floor(): bigint {
    const q = this.num / this.den; // truncates toward zero
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }

  /** The smallest integer not below this. */
  ceil(): bigint {
    return -new Rational(-this.num, this.den).floor();
  }

  toString(): string {
    return `${this.num}/${this.den}`;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/** Exact SDR prices `prices(S, D, λs, λb)` of SPEC §8.3, unrounded. */
export function exactSdrPrices(
  supplyWh: bigint,
  demandWh: bigint,
  gridSellPrice: bigint,
  gridBuyPrice: bigint,
): { sell: Rational; buy: Rational } {
  const lambdaSell = Rational.of(gridSellPrice);
  const lambdaBuy = Rational.of(gridBuyPrice);
  if (demandWh === 0n || supplyWh >= demandWh) return { sell: lambdaSell, buy: lambdaSell };
  const sdr = new Rational(supplyWh, demandWh);
  const sell = lambdaSell.mul(lambdaBuy).div(lambdaBuy.sub(lambdaSell).mul(sdr).add(lambdaSell));
  const buy = sell.mul(sdr).add(lambdaBuy.mul(Rational.of(1).sub(sdr)));
  return { sell, buy };
}

/** SDR prices rounded as SPEC §8.3 says: sell down, buy up. */
export function sdrPrices(
  supplyWh: bigint,
  demandWh: bigint,
  gridSellPrice: bigint,
  gridBuyPrice: bigint,
): { pSell: bigint; pBuy: bigint } {
  const { sell, buy } = exactSdrPrices(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
  return { pSell: sell.floor(), pBuy: buy.ceil() };
}

/** What the pool pays for `qtyWh` at `price` (per kWh): rounded down. */
export function payoutFor(qtyWh: bigint, price: bigint): bigint {
  return new Rational(qtyWh * price, 1000n).floor();
}

/** What the pool charges for `qtyWh` at `price` (per kWh): rounded up. */
export function chargeFor(qtyWh: bigint, price: bigint): bigint {
  return new Rational(qtyWh * price, 1000n).ceil();
}

/** The grid account's flow for a residual between supply S and demand D at the tariff. */
export function gridFlow(
  supplyWh: bigint,
  demandWh: bigint,
  gridSellPrice: bigint,
  gridBuyPrice: bigint,
): { paidToGrid: bigint; paidByGrid: bigint } {
  if (demandWh > supplyWh)
    return { paidToGrid: payoutFor(demandWh - supplyWh, gridBuyPrice), paidByGrid: 0n };
  if (supplyWh > demandWh)
    return { paidToGrid: 0n, paidByGrid: chargeFor(supplyWh - demandWh, gridSellPrice) };
  return { paidToGrid: 0n, paidByGrid: 0n };
}

/** One microgrid of a slot: its participants' imbalances `I_j` (Wh, signed). */
export interface MicrogridInput {
  imbalancesWh: bigint[];
  /** Final too late for level 2: treated as balanced there, tariff outside, residual with the grid. */
  late?: boolean;
}

/** A microgrid's part of the reference settlement. */
export interface MicrogridResult {
  tesWh: bigint;
  tepWh: bigint;
  outsideSell: bigint;
  outsideBuy: bigint;
  p1Sell: bigint;
  p1Buy: bigint;
  /** Per participant: payout (surplus) or charge (deficit), TRC base units. */
  payouts: bigint[];
  charges: bigint[];
  /** For a late microgrid: its residual with the grid account. */
  paidToGrid: bigint;
  paidByGrid: bigint;
}

/** The whole reference settlement of one slot. */
export interface SlotResult {
  supplyWh: bigint;
  demandWh: bigint;
  p2Sell: bigint;
  p2Buy: bigint;
  /** Level-2 flow of the grid account. */
  paidToGrid: bigint;
  paidByGrid: bigint;
  microgrids: MicrogridResult[];
  /** Everything paid into the pool: deficit charges and what the grid account pays. */
  moneyIn: bigint;
  /** Everything paid out of the pool: surplus payouts and what the grid account is paid. */
  moneyOut: bigint;
}

/** `TES_m` and `TEP_m` of a microgrid's imbalances. */
export function microgridTotals(imbalancesWh: bigint[]): { tesWh: bigint; tepWh: bigint } {
  let tesWh = 0n;
  let tepWh = 0n;
  for (const imbalance of imbalancesWh) {
    if (imbalance > 0n) tesWh += imbalance;
    else tepWh -= imbalance;
  }
  return { tesWh, tepWh };
}

/**
 * SPEC §8.3 for one slot: level 2 between the microgrids final in time, level 1 inside each, each
 * participant's payout or charge and the grid account's flows.
 */
export function settleSlot(
  microgrids: MicrogridInput[],
  gridSellPrice: bigint,
  gridBuyPrice: bigint,
): SlotResult {
  const totals = microgrids.map((m) => microgridTotals(m.imbalancesWh));
  let supplyWh = 0n;
  let demandWh = 0n;
  microgrids.forEach((m, i) => {
    if (m.late) return;
    const net = totals[i].tesWh - totals[i].tepWh;
    if (net > 0n) supplyWh += net;
    else demandWh -= net;
  });
  const level2 = sdrPrices(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
  const level2Grid = gridFlow(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
  let moneyIn = level2Grid.paidByGrid;
  let moneyOut = level2Grid.paidToGrid;

  const results = microgrids.map((m, i): MicrogridResult => {
    const { tesWh, tepWh } = totals[i];
    let outsideSell = gridSellPrice;
    let outsideBuy = gridBuyPrice;
    if (!m.late && tesWh > tepWh) outsideSell = level2.pSell;
    if (!m.late && tesWh < tepWh) outsideBuy = level2.pBuy;
    const level1 = sdrPrices(tesWh, tepWh, outsideSell, outsideBuy);
    const payouts = m.imbalancesWh.map((imbalance) =>
      imbalance > 0n ? payoutFor(imbalance, level1.pSell) : 0n,
    );
    const charges = m.imbalancesWh.map((imbalance) =>
      imbalance < 0n ? chargeFor(-imbalance, level1.pBuy) : 0n,
    );
    const residual = m.late
      ? gridFlow(tesWh, tepWh, gridSellPrice, gridBuyPrice)
      : { paidToGrid: 0n, paidByGrid: 0n };
    moneyIn += charges.reduce((a, b) => a + b, 0n) + residual.paidByGrid;
    moneyOut += payouts.reduce((a, b) => a + b, 0n) + residual.paidToGrid;
    return {
      tesWh,
      tepWh,
      outsideSell,
      outsideBuy,
      p1Sell: level1.pSell,
      p1Buy: level1.pBuy,
      payouts,
      charges,
      ...residual,
    };
  });

  return {
    supplyWh,
    demandWh,
    p2Sell: level2.pSell,
    p2Buy: level2.pBuy,
    paidToGrid: level2Grid.paidToGrid,
    paidByGrid: level2Grid.paidByGrid,
    microgrids: results,
    moneyIn,
    moneyOut,
  };
}
