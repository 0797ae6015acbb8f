// Comparison of the harness's outcome with the exact reference (SPEC §7.2 point 5 and §10): the
// energy rule, the rounding direction and 1e-9 relative precision of money, and the invariants.
import { expect } from "chai";
import {
  Fraction,
  type RefBid,
  type RefClearing,
  type RefOffer,
  type RefParams,
} from "../reference/clearing";
import type { OrderBookHarness } from "../../typechain-types";

/** 1e36 fine units per Wh, as in the library. */
export const ONE = 10n ** 36n;
const BILLION = 10n ** 9n;

/** Fails with `message()` unless `condition`; the message is only built on failure (fractions are big). */
function check(condition: boolean, message: () => string): void {
  if (!condition) expect.fail(message());
}

/** A fill as read from the harness. */
export interface ChainFill {
  filledWh: bigint;
  money: bigint;
  fee: bigint;
}

/** Asserts SPEC §7.2's energy rule: `floor(exact)` or one Wh less, never more, never negative. */
export function expectEnergy(chain: bigint, exact: Fraction, what: string): void {
  const floor = exact.floor();
  check(chain <= floor, () => `${what}: ${chain} Wh above floor(${exact})`);
  check(chain >= floor - 1n && chain >= 0n, () => `${what}: ${chain} Wh below floor(${exact}) - 1`);
}

/**
 * Asserts money rounded up (the buyer pays at least the exact value): `ceil(exact)` or one base unit
 * more, which also keeps it within 1e-9 relative of exact for amounts of 1e9 base units and more.
 */
export function expectRoundedUp(chain: bigint, exact: Fraction, what: string): void {
  const ceil = exact.ceil();
  check(chain >= ceil, () => `${what}: ${chain} below ceil(${exact})`);
  check(chain - ceil <= 1n, () => `${what}: ${chain} more than one unit above ceil(${exact})`);
}

/** Asserts money rounded down (the seller gets at most the exact value): `floor(exact)` or one unit less. */
export function expectRoundedDown(chain: bigint, exact: Fraction, what: string): void {
  const floor = exact.floor();
  check(chain <= floor, () => `${what}: ${chain} above floor(${exact})`);
  check(floor - chain <= 1n, () => `${what}: ${chain} more than one unit below floor(${exact})`);
}

/** The reference's own invariants of SPEC §10 (access per tick, balance per tick, limits). */
export function expectReferenceInvariants(ref: RefClearing, bids: RefBid[]): void {
  for (const tick of ref.ticks) {
    let boughtUpTo = Fraction.ZERO;
    let bought = Fraction.ZERO;
    let sold = Fraction.ZERO;
    for (let level = 1; level <= 4; level++) {
      boughtUpTo = boughtUpTo.add(tick.boughtByLevel[level]);
      bought = bought.add(tick.boughtByLevel[level]);
      sold = sold.add(tick.soldBySellerLevel[level]);
      const bound = Fraction.of(tick.endWh).sub(Fraction.max(Fraction.of(tick.startWh), ref.reserved[level]));
      const allowed = bound.isPositive() ? bound : Fraction.ZERO;
      check(boughtUpTo.lte(allowed), () => `access bound at tick ${tick.tick}, level ${level}`);
    }
    check(bought.cmp(sold) === 0, () => `bought = sold at tick ${tick.tick}`);
  }
  bids.forEach((bid, i) =>
    check(ref.bids[i].highestFillTick <= bid.limitTick, () => `bid ${i} filled above limit`),
  );
}

/** Every comparison of one cleared book with its reference. */
export async function expectMatchesReference(
  harness: OrderBookHarness,
  offers: RefOffer[],
  bids: RefBid[],
  params: RefParams,
  ref: RefClearing,
  offerFills: ChainFill[],
  bidFills: ChainFill[],
): Promise<void> {
  expectReferenceInvariants(ref, bids);
  let boughtWh = 0n;
  let soldWh = 0n;
  let buyerMoney = 0n;
  let sellerMoney = 0n;
  bids.forEach((bid, i) => {
    const exact = ref.bids[i];
    expectEnergy(bidFills[i].filledWh, exact.filledWh, `bid ${i}`);
    check(bidFills[i].filledWh <= bid.qtyWh, () => `bid ${i} overfilled`);
    expectRoundedUp(bidFills[i].money, exact.cost, `bid ${i} cost`);
    expectRoundedUp(bidFills[i].fee, exact.fee, `bid ${i} fee`);
    // No bid pays above its limit for what it got.
    const atLimit = exact.filledWh.mul(new Fraction(BigInt(bid.limitTick) * params.tickSize, 1000n));
    check(bidFills[i].money <= atLimit.ceil() + 1n + atLimit.floor() / BILLION, () => `bid ${i} above limit`);
    boughtWh += bidFills[i].filledWh;
    buyerMoney += bidFills[i].money;
  });
  offers.forEach((offer, j) => {
    const exact = ref.offers[j];
    expectEnergy(offerFills[j].filledWh, exact.filledWh, `offer ${j}`);
    check(offerFills[j].filledWh <= offer.qtyWh, () => `offer ${j} overfilled`);
    expectRoundedDown(offerFills[j].money, exact.proceeds, `offer ${j} proceeds`);
    check(offerFills[j].fee === 0n, () => `offer ${j} charged a fee`);
    soldWh += offerFills[j].filledWh;
    sellerMoney += offerFills[j].money;
  });
  // Total bought = total sold, each within its per-order rounding (every fill lies in (exact - 2, exact]).
  const traded = ref.tradedWh;
  const tradedFloor = traded.floor();
  check(
    boughtWh <= tradedFloor && boughtWh > tradedFloor - 2n * BigInt(bids.length) - 1n,
    () => `bought ${boughtWh}`,
  );
  check(
    soldWh <= tradedFloor && soldWh > tradedFloor - 2n * BigInt(offers.length) - 1n,
    () => `sold ${soldWh}`,
  );
  // Forward money never runs short.
  check(buyerMoney >= sellerMoney, () => `buyers pay ${buyerMoney} < sellers receive ${sellerMoney}`);
  // Access bound of §10 summed over ticks, on the chain's fills.
  for (let level = 1; level <= 4; level++) {
    const allowed = ref.ticks.reduce((sum, tick) => {
      const bound = Fraction.of(tick.endWh).sub(Fraction.max(Fraction.of(tick.startWh), ref.reserved[level]));
      return bound.isPositive() ? sum.add(bound) : sum;
    }, Fraction.ZERO);
    const taken = bids.reduce((sum, bid, i) => (bid.level <= level ? sum + bidFills[i].filledWh : sum), 0n);
    check(taken <= allowed.floor(), () => `levels <= ${level} took more than their access`);
  }
  await expectAggregates(harness, bids, params, ref);
}

/** Slot aggregates, per-tick sold volumes and per-bucket fee * score against the reference. */
async function expectAggregates(
  harness: OrderBookHarness,
  bids: RefBid[],
  params: RefParams,
  ref: RefClearing,
): Promise<void> {
  const [totals, progress] = await Promise.all([harness.aggregates(), harness.progress()]);
  const roundings = progress.roundings;
  const steps = 4n * BigInt(ref.ticks.length);
  // Each step floors the fee * score accumulator by under 1e-18 Wh * tick * wad.
  const feeScoreSlack = (steps * params.tickSize * params.feeBps) / 10n ** 25n + 1n;
  expectLowerBound(totals.tradedWh, ref.tradedWh, 1n, "traded Wh");
  expectLowerBound(totals.buyerCost, ref.buyerCost, 1n, "buyer cost θ");
  expectLowerBound(
    totals.feeScoreWad,
    ref.feeScoreWad,
    feeScoreSlack + ref.feeScoreWad.floor() / BILLION,
    "fee * score",
  );
  const [, soldPerTick] = await harness.tickClearings(ref.ticks.map((tick) => tick.tick));
  ref.ticks.forEach((tick, k) => {
    const exactFU = tick.boughtByLevel.reduce((sum, x) => sum.add(x), Fraction.ZERO).mul(Fraction.of(ONE));
    const soldFU = soldPerTick[k];
    check(soldFU <= exactFU.floor(), () => `tick ${tick.tick} sold above exact`);
    check(exactFU.floor() - soldFU <= 8n * roundings, () => `tick ${tick.tick} sold too low`);
  });
  // Per bucket, from its factors: an upper-bound cost in zWh * tick times the bucket's qty * score.
  const buckets = [...new Set(bids.map((bid) => `${bid.level}:${bid.limitTick}`))].map((key) =>
    key.split(":"),
  );
  const perBucket = await harness.bidBucketFeeScores(
    buckets.map(([level]) => level),
    buckets.map(([, tick]) => tick),
  );
  const sum = perBucket.reduce((acc, x) => acc + x, 0n);
  const exact = ref.feeScoreWad.floor();
  const perBucketSlack = 2n + (15n * 10n ** 18n * params.tickSize * params.feeBps) / 10n ** 28n;
  const slack = BigInt(buckets.length) * perBucketSlack + exact / BILLION;
  check(sum <= exact + slack && sum + slack >= exact, () => `bucket fee * score ${sum} vs ${exact}`);
}

/** An aggregate rounded down from a lower bound: at most floor(exact), at most `slack` below it. */
function expectLowerBound(chain: bigint, exact: Fraction, slack: bigint, what: string): void {
  const floor = exact.floor();
  check(chain <= floor, () => `${what}: ${chain} above ${exact}`);
  check(floor - chain <= slack, () => `${what}: ${chain} too far below ${exact}`);
}
