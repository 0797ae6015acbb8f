/**
 * The two-level SDR settlement of a slot (SPEC §8.3), driven through the library the way a settlement
 * contract will: `levelTwo` once over the microgrids final in time, then per microgrid
 * `outsidePrices` + `levelOnePrices` (a late microgrid: the tariff, and `gridFlow` for its residual),
 * then per participant `payoutFor` / `chargeFor`.
 *
 * Money balance. With `N` participants, `L` late microgrids, `T = Σ_m (TES_m + TEP_m)` (Wh) and level-2
 * totals `S2`, `D2`, the pool's dust `moneyIn − moneyOut` satisfies
 *     0 <= dust   and   1000 · dust < 1000 · (N + 1 + L) + T + S2 + D2          (*)
 * (so dust < N + 1 + L + 2·T/1000 base units, since S2 + D2 <= T). Derivation: with exact prices the
 * books balance exactly: a microgrid with positive net pays out `net_m · P2_sell` (its level-1 prices
 * are `(P2_sell, P2_sell)`), one with negative net takes in `|net_m| · P2_buy` (SPEC's
 * `P_buy·D = P_sell·S + λb·(D − S)` with λb = P2_buy), and level 2 leaves `(D2 − S2)·λ_buy` for, or takes
 * `(S2 − D2)·λ_sell` from, the grid account; a late microgrid does the same with the tariff and its own
 * residual. Rounding only ever moves money into the pool:
 *  - each payout rounds down and each charge up, by less than 1 base unit each: `< N`;
 *  - each grid flow (level 2 and each late residual) rounds in the pool's favour by `< 1`: `< 1 + L`;
 *  - a microgrid's level-1 price rounding (sell down, buy up, each by `< 1` base unit per kWh) is
 *    worth `< (TES_m + TEP_m) / 1000`; level 2's, `< (S2 + D2) / 1000`.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

import * as reference from "../reference/sdr";
import type { SdrPricingHarness } from "../../typechain-types";
import { LIU_BUY, LIU_SELL, TRC, deploySdrPricingHarness, fcParams } from "./helpers";

/** What the library gives for one slot, gathered the way a settlement contract would call it. */
interface LibrarySlot {
  supplyWh: bigint;
  demandWh: bigint;
  p2Sell: bigint;
  p2Buy: bigint;
  paidToGrid: bigint;
  paidByGrid: bigint;
  microgrids: {
    tesWh: bigint;
    tepWh: bigint;
    outsideSell: bigint;
    outsideBuy: bigint;
    p1Sell: bigint;
    p1Buy: bigint;
    paidToGrid: bigint;
    paidByGrid: bigint;
    payouts: bigint[];
    charges: bigint[];
  }[];
  moneyIn: bigint;
  moneyOut: bigint;
}

async function settleWithLibrary(
  harness: SdrPricingHarness,
  microgrids: reference.MicrogridInput[],
  gridSellPrice: bigint,
  gridBuyPrice: bigint,
): Promise<LibrarySlot> {
  const totals = microgrids.map((m) => reference.microgridTotals(m.imbalancesWh));
  const onTime = totals.filter((_, i) => !microgrids[i].late);
  const level2 = await harness.levelTwo(
    onTime.map((t) => t.tesWh),
    onTime.map((t) => t.tepWh),
    gridSellPrice,
    gridBuyPrice,
  );
  const prices = await Promise.all(
    microgrids.map(async (m, i) => {
      const { tesWh, tepWh } = totals[i];
      const [outsideSell, outsideBuy] = m.late
        ? [gridSellPrice, gridBuyPrice]
        : await harness.outsidePrices(
            tesWh,
            tepWh,
            level2.sellPrice,
            level2.buyPrice,
            gridSellPrice,
            gridBuyPrice,
          );
      const [p1Sell, p1Buy] = await harness.levelOnePrices(tesWh, tepWh, outsideSell, outsideBuy);
      const [paidToGrid, paidByGrid] = m.late
        ? await harness.gridFlow(tesWh, tepWh, gridSellPrice, gridBuyPrice)
        : [0n, 0n];
      return { tesWh, tepWh, outsideSell, outsideBuy, p1Sell, p1Buy, paidToGrid, paidByGrid };
    }),
  );
  const queries = microgrids.flatMap((m, i) =>
    m.imbalancesWh.map((imbalance) => ({
      qtyWh: imbalance < 0n ? -imbalance : imbalance,
      priceWadPerKWh: imbalance < 0n ? prices[i].p1Buy : prices[i].p1Sell,
      isCharge: imbalance < 0n,
    })),
  );
  const amounts = await harness.amountsFor(queries);
  let next = 0;
  let moneyIn = level2.paidByGrid;
  let moneyOut = level2.paidToGrid;
  const results = microgrids.map((m, i) => {
    const payouts: bigint[] = [];
    const charges: bigint[] = [];
    for (const imbalance of m.imbalancesWh) {
      const amount = amounts[next++];
      payouts.push(imbalance > 0n ? amount : 0n);
      charges.push(imbalance < 0n ? amount : 0n);
      if (imbalance > 0n) moneyOut += amount;
      if (imbalance < 0n) moneyIn += amount;
    }
    moneyIn += prices[i].paidByGrid;
    moneyOut += prices[i].paidToGrid;
    return { ...prices[i], payouts, charges };
  });
  return {
    supplyWh: level2.supplyWh,
    demandWh: level2.demandWh,
    p2Sell: level2.sellPrice,
    p2Buy: level2.buyPrice,
    paidToGrid: level2.paidToGrid,
    paidByGrid: level2.paidByGrid,
    microgrids: results,
    moneyIn,
    moneyOut,
  };
}

/** Asserts 0 <= dust and the bound (*) of the file comment. */
function expectSmallDust(microgrids: reference.MicrogridInput[], slot: LibrarySlot): bigint {
  const dust = slot.moneyIn - slot.moneyOut;
  const participants = BigInt(microgrids.reduce((n, m) => n + m.imbalancesWh.length, 0));
  const late = BigInt(microgrids.filter((m) => m.late).length);
  const traded = microgrids.reduce((sum, m) => {
    const { tesWh, tepWh } = reference.microgridTotals(m.imbalancesWh);
    return sum + tesWh + tepWh;
  }, 0n);
  expect(dust >= 0n, `dust ${dust} is not negative`).to.equal(true);
  const bound = 1000n * (participants + 1n + late) + traded + slot.supplyWh + slot.demandWh;
  expect(1000n * dust < bound, `1000 · dust ${dust} < ${bound}`).to.equal(true);
  return dust;
}

const imbalanceArb = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(0n, 1n, -1n) },
  { weight: 5, arbitrary: fc.bigInt({ min: -50_000n, max: 50_000n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }) },
);

const microgridArb = fc.record({
  imbalancesWh: fc.array(imbalanceArb, { minLength: 1, maxLength: 8 }),
  late: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** A tariff (λs, λb), 0 < λs <= λb: realistic TRC/kWh prices, odd small ones, and equal ones. */
const tariffArb = fc.oneof(
  fc
    .tuple(fc.bigInt({ min: 10n ** 16n, max: TRC }), fc.bigInt({ min: 0n, max: 2n * TRC }))
    .map(([sell, spread]): [bigint, bigint] => [sell, sell + spread]),
  fc
    .tuple(fc.bigInt({ min: 1n, max: 5_000n }), fc.bigInt({ min: 0n, max: 5_000n }))
    .map(([sell, spread]): [bigint, bigint] => [sell, sell + spread]),
  fc.constant<[bigint, bigint]>([LIU_SELL, LIU_BUY]),
);

describe("Two-level SDR settlement", function () {
  it("settles the two-microgrid example of the issue: P2 = (0.5, 2/3), A at (0.5, 0.5), B at (4/7, 9/14), 1 TRC to the grid", async function () {
    const { harness } = await loadFixture(deploySdrPricingHarness);
    const microgrids: reference.MicrogridInput[] = [
      { imbalancesWh: [3_000n, -1_000n] }, // A: +3 kWh, −1 kWh
      { imbalancesWh: [-4_000n, 1_000n] }, // B: −4 kWh, +1 kWh
    ];
    const slot = await settleWithLibrary(harness, microgrids, LIU_SELL, LIU_BUY);

    expect([slot.supplyWh, slot.demandWh]).to.deep.equal([2_000n, 3_000n]);
    expect(slot.p2Sell).to.equal(TRC / 2n);
    expect(slot.p2Buy).to.equal((2n * TRC) / 3n + 1n); // 2/3 rounded up
    const [a, b] = slot.microgrids;
    expect([a.outsideSell, a.outsideBuy]).to.deep.equal([TRC / 2n, LIU_BUY]);
    expect([a.p1Sell, a.p1Buy]).to.deep.equal([TRC / 2n, TRC / 2n]);
    expect([b.outsideSell, b.outsideBuy]).to.deep.equal([LIU_SELL, slot.p2Buy]);
    // 4/7 and 9/14 TRC/kWh, up to the rounding of P2_buy and of the prices themselves
    const fourSevenths = (4n * TRC) / 7n;
    const nineFourteenths = (9n * TRC) / 14n;
    expect(b.p1Sell >= fourSevenths && b.p1Sell <= fourSevenths + 1n, `P1_sell ${b.p1Sell}`).to.equal(true);
    expect(b.p1Buy >= nineFourteenths + 1n && b.p1Buy <= nineFourteenths + 2n, `P1_buy ${b.p1Buy}`).to.equal(
      true,
    );
    expect([slot.paidToGrid, slot.paidByGrid]).to.deep.equal([TRC, 0n]);

    expect(a.payouts).to.deep.equal([(3n * TRC) / 2n, 0n]);
    expect(a.charges).to.deep.equal([0n, TRC / 2n]);
    expect(b.charges).to.deep.equal([4n * b.p1Buy, 0n]);
    expect(b.payouts).to.deep.equal([0n, b.p1Sell]);
    const dust = expectSmallDust(microgrids, slot);
    expect(dust <= 10n, `dust ${dust}`).to.equal(true);
    expect(slot).to.deep.equal(reference.settleSlot(microgrids, LIU_SELL, LIU_BUY));
  });

  it("treats a microgrid final too late for level 2 as balanced there, trading its residual with the grid", async function () {
    const { harness } = await loadFixture(deploySdrPricingHarness);
    const microgrids: reference.MicrogridInput[] = [
      { imbalancesWh: [3_000n, -1_000n] },
      { imbalancesWh: [-4_000n, 1_000n], late: true },
    ];
    const slot = await settleWithLibrary(harness, microgrids, LIU_SELL, LIU_BUY);
    // level 2 sees only A's +2 kWh: prices λs, the grid account pays 2 kWh · 0.4
    expect([slot.supplyWh, slot.demandWh, slot.p2Sell, slot.p2Buy]).to.deep.equal([
      2_000n,
      0n,
      LIU_SELL,
      LIU_SELL,
    ]);
    expect([slot.paidToGrid, slot.paidByGrid]).to.deep.equal([0n, (8n * TRC) / 10n]);
    const b = slot.microgrids[1];
    expect([b.outsideSell, b.outsideBuy]).to.deep.equal([LIU_SELL, LIU_BUY]);
    expect([b.p1Sell, b.p1Buy]).to.deep.equal([(8n * TRC) / 11n, (41n * TRC) / 44n + 1n]); // SDR 1/4
    expect([b.paidToGrid, b.paidByGrid]).to.deep.equal([3n * TRC, 0n]);
    expectSmallDust(microgrids, slot);
    expect(slot).to.deep.equal(reference.settleSlot(microgrids, LIU_SELL, LIU_BUY));
  });

  it("balances money in against money out plus small non-negative dust on random slots of 1–5 microgrids", async function () {
    const { harness } = await loadFixture(deploySdrPricingHarness);
    await fc.assert(
      fc.asyncProperty(
        fc.array(microgridArb, { minLength: 1, maxLength: 5 }),
        tariffArb,
        async (microgrids, [gridSellPrice, gridBuyPrice]) => {
          const slot = await settleWithLibrary(harness, microgrids, gridSellPrice, gridBuyPrice);
          expect(slot).to.deep.equal(reference.settleSlot(microgrids, gridSellPrice, gridBuyPrice));
          expectSmallDust(microgrids, slot);
        },
      ),
      fcParams(300),
    );
  });
});
