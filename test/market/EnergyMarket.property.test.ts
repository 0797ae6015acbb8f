// Property test of the energy market against the exact reference of SPEC §7.2: random books placed by
// up to 18 traders of one microgrid (one side and one TRP level per trader, 1-3 orders each, some
// cancelled before the gate, random access fractions and fee), cleared in several gas-bounded calls,
// then every buyer withdraws its unfilled escrow. Each participant's fill, cost, fee and refund is
// compared with `test/reference/clearing.ts`, and after every step the market holds exactly the prepaid
// balances plus the outstanding escrow. Set FC_SEED to replay a run and FC_RUNS to change the number of
// books (default 50).
import fc from "fast-check";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { Fraction, clearReference, type RefBid, type RefOffer } from "../reference/clearing";
import { expectEnergy, expectRoundedDown, expectRoundedUp } from "./checks";
import { deployScenarioFixture, escrowOf, expectMoneyConserved, passGate, TICK_SIZE } from "./marketFixtures";
import type { EnergyMarket, TrustCoin } from "../../typechain-types";

const WAD = 10n ** 18n;
const SELL_TICK = 80;
const BUY_TICK = 300;

interface TraderPlan {
  side: "offer" | "bid";
  level: number;
  scoreWad: bigint;
  orders: { qtyWh: bigint; tick: number; cancel: boolean }[];
}

interface Plan {
  access: readonly [bigint, bigint, bigint, bigint];
  feeBps: bigint;
  maxClearGas: bigint;
  traders: TraderPlan[];
}

const accessArb = fc.oneof(
  fc.constant([WAD / 2n, (WAD * 3n) / 4n, (WAD * 9n) / 10n, WAD] as const),
  fc.constant([WAD, WAD, WAD, WAD] as const),
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

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    base: fc.integer({ min: SELL_TICK, max: BUY_TICK - 20 }),
    span: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4, max: 20 })),
    access: accessArb,
    feeBps: fc.oneof(fc.constant(100n), fc.bigInt({ min: 0n, max: 10_000n })),
    maxClearGas: fc.constantFrom(500_000n, 600_000n, 10_000_000n),
    traders: fc.array(
      fc.record({
        bid: fc.boolean(),
        level: fc.integer({ min: 1, max: 4 }),
        score: fc.bigInt({ min: 0n, max: 15n * WAD }),
        orders: fc.array(
          fc.record({
            qtyWh: fc.oneof(fc.bigInt({ min: 10n, max: 30n }), fc.bigInt({ min: 10n, max: 3_000n })),
            offset: fc.integer({ min: -3, max: 25 }),
            cancel: fc.oneof(
              { arbitrary: fc.constant(false), weight: 9 },
              { arbitrary: fc.constant(true), weight: 1 },
            ),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { minLength: 2, maxLength: 18 },
    ),
  })
  .map((r) => ({
    access: r.access,
    feeBps: r.feeBps,
    maxClearGas: r.maxClearGas,
    traders: r.traders.map((t) => ({
      side: t.bid ? ("bid" as const) : ("offer" as const),
      level: t.level,
      scoreWad: t.score,
      orders: t.orders.map((o) => {
        // Offers inside [base, base + span]; bid limits around and above that window.
        const raw = t.bid ? r.base + o.offset : r.base + (Math.abs(o.offset) % (r.span + 1));
        return { qtyWh: o.qtyWh, tick: Math.min(BUY_TICK, Math.max(SELL_TICK, raw)), cancel: o.cancel };
      }),
    })),
  }));

/** The cheap money check of every step: the market's TRC equals the two running totals. */
async function expectHeldEqualsOwed(coin: TrustCoin, market: EnergyMarket): Promise<void> {
  const held = await coin.balanceOf(await market.getAddress());
  expect(held).to.equal((await market.totalPrepaid()) + (await market.totalEscrow()));
}

describe("EnergyMarket property: random books through the market match the exact reference", function () {
  const numRuns = Number(process.env.FC_RUNS ?? 50);
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

  it(`matches every participant's fill, cost, fee and refund and conserves money (${numRuns} books)`, async function () {
    this.timeout(0);
    let booksClearedInSeveralCalls = 0;
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const { coin, oracle, market, registry, traders, outsider, slot } =
          await loadFixture(deployScenarioFixture);
        const accounts = traders.map((t) => t.address);
        const everyone = [...accounts, outsider.address];
        await oracle.setAccessFractions([...plan.access]);
        await market.setFeeBps(plan.feeBps);
        await market.setMaxClearGas(plan.maxClearGas);

        // Place every order, then cancel the marked ones; record the live orders for the reference.
        const placed: { trader: number; id: bigint; qtyWh: bigint; tick: number; cancel: boolean }[] = [];
        for (let i = 0; i < plan.traders.length; i++) {
          const t = plan.traders[i];
          await oracle.setTrader(accounts[i], t.level, t.scoreWad);
          for (const order of t.orders) {
            const signer = market.connect(traders[i]);
            const tx =
              t.side === "offer"
                ? await signer.placeOffer(slot, order.qtyWh, order.tick)
                : await signer.placeBid(slot, order.qtyWh, order.tick);
            await tx.wait();
            placed.push({ trader: i, id: await market.orderCount(1, slot), ...order });
            await expectHeldEqualsOwed(coin, market);
          }
        }
        for (const order of placed.filter((o) => o.cancel)) {
          await market.connect(traders[order.trader]).cancel(slot, order.id);
          await expectHeldEqualsOwed(coin, market);
        }
        await expectMoneyConserved(coin, market, everyone, [slot]);

        // Clear in gas-bounded calls.
        await passGate(registry, slot);
        let calls = 0;
        while (!(await market.isCleared(1, slot))) {
          await market.clear(1, slot, { gasLimit: 16_000_000 });
          await expectHeldEqualsOwed(coin, market);
          if (++calls > 2_000) throw new Error("clearing did not complete");
        }
        if (calls > 1) booksClearedInSeveralCalls++;

        // The reference on the live orders, order by order.
        const live = placed.filter((o) => !o.cancel);
        const offers: RefOffer[] = [];
        const bids: RefBid[] = [];
        const refIndex = new Map<bigint, number>();
        for (const o of live) {
          const t = plan.traders[o.trader];
          if (t.side === "offer") {
            refIndex.set(o.id, offers.length);
            offers.push({ qtyWh: o.qtyWh, tick: o.tick, level: t.level });
          } else {
            refIndex.set(o.id, bids.length);
            bids.push({ qtyWh: o.qtyWh, limitTick: o.tick, level: t.level, scoreWad: t.scoreWad });
          }
        }
        const ref = clearReference(offers, bids, {
          accessWad: plan.access,
          tickSize: TICK_SIZE,
          feeBps: plan.feeBps,
        });

        // TT counts a buyer whose highest-limit bucket has a fill the book can see (its remainder is kept in
        // pWh rounded up): surely one with 2 pWh or more bought, never one with nothing.
        const twoPicoWh = new Fraction(2n, 10n ** 12n);
        let surelyCounted = 0n;
        let maybeCounted = 0n;
        for (let i = 0; i < plan.traders.length; i++) {
          const t = plan.traders[i];
          const mine = live.filter((o) => o.trader === i);
          let filledWh = 0n;
          let money = 0n;
          let fee = 0n;
          let refund = 0n;
          let exactFill = Fraction.ZERO;
          for (const o of mine) {
            const fill = await market.fillOf(1, slot, o.id);
            const k = refIndex.get(o.id) as number;
            const what = `trader ${i} order ${o.id}`;
            if (t.side === "offer") {
              expectEnergy(fill.filledWh, ref.offers[k].filledWh, what);
              expectRoundedDown(fill.money, ref.offers[k].proceeds, `${what} proceeds`);
              expect(fill.fee).to.equal(0n);
            } else {
              expectEnergy(fill.filledWh, ref.bids[k].filledWh, what);
              expectRoundedUp(fill.money, ref.bids[k].cost, `${what} cost`);
              expectRoundedUp(fill.fee, ref.bids[k].fee, `${what} fee`);
              exactFill = exactFill.add(ref.bids[k].filledWh);
              refund += escrowOf(o.qtyWh, o.tick, TICK_SIZE, plan.feeBps) - fill.money - fill.fee;
            }
            filledWh += fill.filledWh;
            money += fill.money;
            fee += fill.fee;
          }
          const position = await market.positionOf(accounts[i], slot);
          expect([position.filledWh, position.money, position.fee]).to.deep.equal([filledWh, money, fee]);
          if (t.side === "bid" && mine.length > 0) {
            if (twoPicoWh.lte(exactFill)) surelyCounted++;
            if (exactFill.isPositive()) maybeCounted++;
            const before = await coin.balanceOf(accounts[i]);
            await market.connect(traders[i]).withdrawUnfilled(slot);
            expect((await coin.balanceOf(accounts[i])) - before).to.equal(refund);
            // What stays in escrow is exactly the cost and fee, for settlement.
            expect((await market.positionOf(accounts[i], slot)).escrow).to.equal(money + fee);
            await expectHeldEqualsOwed(coin, market);
          }
        }
        const totals = await market.slotAggregates(1, slot);
        expect(
          totals.buyers >= surelyCounted && totals.buyers <= maybeCounted,
          `TT ${totals.buyers}`,
        ).to.equal(true);
        expectEnergy(totals.tradedWh, ref.tradedWh, "traded Wh");
        await expectMoneyConserved(coin, market, everyone, [slot]);
      }),
      { numRuns, seed, endOnFailure: true },
    );
    // The small gas budgets of the plans make clearing take several calls for many books.
    if (numRuns >= 20) expect(booksClearedInSeveralCalls).to.be.greaterThan(0);
  });
});
