// Property tests of the order-book library against the exact reference of SPEC §7.2: random books
// (1-300 orders, all TRP levels, crossing and non-crossing prices, ties, 1 Wh orders, many orders on
// few ticks and few on many, some cancelled before the gate), cleared over several gas-bounded calls.
// Set FC_SEED to replay a run and FC_RUNS to change the number of books (default 200).
import fc from "fast-check";
import { expect } from "chai";
import { clearReference, type RefBid, type RefOffer, type RefParams } from "../reference/clearing";
import { expectMatchesReference } from "./checks";
import { DEFAULT_ACCESS, clearAll, deployHarness, placeBook, readFills } from "./helpers";

const WAD = 10n ** 18n;
const MAX_TICK = 65_535;
const CLEAR_GAS_RESERVE = 400_000n;
const TX_OVERHEAD = 60_000n;

/** Quantities: 1 Wh, small, medium, and large (a bucket of 300 of them stays below 2^64). */
const qtyArb = fc.oneof(
  fc.constant(1n),
  fc.bigInt({ min: 1n, max: 20n }),
  fc.bigInt({ min: 1n, max: 1_000_000n }),
  fc.bigInt({ min: 1n, max: 2n ** 55n }),
);

/** Access fractions: the defaults, none reserved, or random non-decreasing ones with a_4 = 1. */
const accessArb: fc.Arbitrary<readonly [bigint, bigint, bigint, bigint]> = fc.oneof(
  fc.constant(DEFAULT_ACCESS),
  fc.constant([WAD, WAD, WAD, WAD] as const),
  fc.constant([0n, 0n, 0n, WAD] as const),
  fc
    .tuple(
      fc.bigInt({ min: 0n, max: WAD }),
      fc.bigInt({ min: 0n, max: WAD }),
      fc.bigInt({ min: 0n, max: WAD }),
    )
    .map((xs) => {
      const [a, b, c] = [...xs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      return [a, b, c, WAD] as const;
    }),
);

interface Scenario {
  params: RefParams;
  offers: RefOffer[];
  bids: RefBid[];
  /** Orders cancelled before the gate (indices into offers, then bids). */
  cancelledOffers: boolean[];
  cancelledBids: boolean[];
  gasBudget: bigint;
}

/** About one order in ten is cancelled before the gate. */
const cancelArb = fc.oneof(
  { arbitrary: fc.constant(false), weight: 9 },
  { arbitrary: fc.constant(true), weight: 1 },
);

const clampTick = (t: number): number => Math.min(MAX_TICK, Math.max(1, t));

/** A random book: a tick window for offers and a shifted one for bids (crossing or not). */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    base: fc.oneof(fc.integer({ min: 1, max: 400 }), fc.constant(1), fc.constant(MAX_TICK - 40)),
    span: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 5, max: 40 })),
    // Bids' limits are shifted from the offers' window: mostly crossing, sometimes all below it.
    crossing: fc.oneof(
      { arbitrary: fc.constant(true), weight: 4 },
      { arbitrary: fc.constant(false), weight: 1 },
    ),
    shiftSeed: fc.integer({ min: 0, max: 1_000_000 }),
    nOffers: fc.integer({ min: 0, max: 150 }),
    nBids: fc.integer({ min: 0, max: 150 }),
    access: accessArb,
    tickSize: fc.constantFrom(10n ** 15n, 1n, 7n, 10n ** 18n + 3n, 10n ** 21n),
    feeBps: fc.oneof(fc.constant(100n), fc.bigInt({ min: 0n, max: 10_000n })),
    gasBudget: fc.constantFrom(1n, 1n, 450_000n, 500_000n, 600_000n, 10_000_000n),
  })
  .filter((r) => r.nOffers + r.nBids > 0)
  .map((r) => ({
    ...r,
    // Crossing: some limit reaches the offers (shift in [-span, 3]); else every limit lies below them.
    bidShift: r.crossing ? -r.span + (r.shiftSeed % (r.span + 4)) : -r.span - 1 - (r.shiftSeed % 5),
  }))
  .chain((r) =>
    fc
      .record({
        offers: fc.array(
          fc.record({
            qtyWh: qtyArb,
            tick: fc.integer({ min: r.base, max: r.base + r.span - 1 }).map(clampTick),
            level: fc.integer({ min: 1, max: 4 }),
          }),
          { minLength: r.nOffers, maxLength: r.nOffers },
        ),
        bids: fc.array(
          fc.record({
            qtyWh: qtyArb,
            limitTick: fc
              .integer({ min: r.base + r.bidShift, max: r.base + r.bidShift + r.span })
              .map(clampTick),
            level: fc.integer({ min: 1, max: 4 }),
            scoreWad: fc.oneof(fc.constant(12n * WAD), fc.bigInt({ min: 0n, max: 15n * WAD })),
          }),
          { minLength: r.nBids, maxLength: r.nBids },
        ),
        cancelledOffers: fc.array(cancelArb, { minLength: r.nOffers, maxLength: r.nOffers }),
        cancelledBids: fc.array(cancelArb, { minLength: r.nBids, maxLength: r.nBids }),
      })
      .map(({ offers, bids, cancelledOffers, cancelledBids }) => ({
        params: { accessWad: r.access, tickSize: r.tickSize, feeBps: r.feeBps },
        offers,
        bids,
        cancelledOffers,
        cancelledBids,
        // A budget of 1 gas (one step per call) is kept for the smaller books (runtime).
        gasBudget: r.gasBudget === 1n && offers.length + bids.length > 120 ? 450_000n : r.gasBudget,
      })),
  );

describe("OrderBook clearing against the exact reference (property)", function () {
  it("matches SPEC §7.2 order by order on random books cleared over many calls", async function () {
    const numRuns = Number(process.env.FC_RUNS ?? 200);
    const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
    let inexact = 0;
    let multiCall = 0;
    let totalCalls = 0;
    let traded = 0;
    let cancelled = 0;
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        async ({ params, offers, bids, cancelledOffers, cancelledBids, gasBudget }) => {
          const harness = await deployHarness(params);
          const placed = await placeBook(harness, offers, bids);
          // Cancel some orders before the gate; the reference sees only the live ones.
          const cancelIds = [
            ...placed.offerIds.filter((_, j) => cancelledOffers[j]),
            ...placed.bidIds.filter((_, i) => cancelledBids[i]),
          ];
          if (cancelIds.length > 0) await harness.cancelMany(cancelIds);
          cancelled += cancelIds.length;
          const liveOffers = offers.filter((_, j) => !cancelledOffers[j]);
          const liveBids = bids.filter((_, i) => !cancelledBids[i]);
          const offerIds = placed.offerIds.filter((_, j) => !cancelledOffers[j]);
          const bidIds = placed.bidIds.filter((_, i) => !cancelledBids[i]);
          const calls = await clearAll(harness, gasBudget);
          if (calls.length > 1) multiCall++;
          totalCalls += calls.length;
          // Each call kept within its budget (a call always takes one step, so at least the reserve), plus
          // the transaction's own overhead (intrinsic gas, calldata, the harness's event).
          const bound = (gasBudget > CLEAR_GAS_RESERVE ? gasBudget : CLEAR_GAS_RESERVE) + TX_OVERHEAD;
          for (const call of calls) expect(call.gasUsed < bound, `call used ${call.gasUsed}`).to.equal(true);
          const [offerFills, bidFills] = await Promise.all([
            readFills(harness, offerIds),
            readFills(harness, bidIds),
          ]);
          const ref = clearReference(liveOffers, liveBids, params);
          await expectMatchesReference(harness, liveOffers, liveBids, params, ref, offerFills, bidFills);
          if ((await harness.progress()).roundings > 0n) inexact++;
          if (ref.tradedWh.isPositive()) traded++;
        },
      ),
      { numRuns, seed, endOnFailure: true },
    );
    console.log(
      `      ${numRuns} books, ${traded} with trades: ${multiCall} cleared in several calls (${totalCalls} calls), ` +
        `${inexact} with inexact roundings, ${cancelled} orders cancelled before the gate`,
    );
  });
});
