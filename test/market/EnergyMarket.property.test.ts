// Property test of the energy market against the exact reference of SPEC §7.2: random books of 1-300
// orders (1 Wh orders among them, minOrderWh set to 1) placed by 2-18 traders of one microgrid (one side
// and one TRP level per trader, all four levels, ties, crossing or not, some orders cancelled before the
// gate, random access fractions and fee), cleared in several gas-bounded calls, then every buyer
// withdraws its unfilled escrow. Each participant's fill, cost, fee and refund is compared with
// `test/reference/clearing.ts`, and after every batch of transactions the market holds exactly the
// prepaid balances plus the outstanding escrow. Orders are sent with fixed gas limits and their receipts
// fetched together, and the views read in parallel, to keep 200 books fast. Set FC_SEED to replay a run and FC_RUNS to change the number of books
// (default 200).
import fc from "fast-check";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";

import { Fraction, clearReference, type RefBid, type RefOffer } from "../reference/clearing";
import { expectEnergy, expectRoundedDown, expectRoundedUp } from "./checks";
import { deployScenarioFixture, escrowOf, expectMoneyConserved, passGate, TICK_SIZE } from "./marketFixtures";
import type { EnergyMarket, TrustCoin } from "../../typechain-types";

const WAD = 10n ** 18n;
const SELL_TICK = 80;
const BUY_TICK = 300;
/** Each trader's orders stay within this, below the scenario capacity of 50 000 Wh. */
const TRADER_WH_CAP = 45_000n;

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
  orderCount: number;
}

/** Order counts from 1 to 300, both ends included often. */
const orderCountArb = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 10 }), weight: 6 },
  { arbitrary: fc.integer({ min: 11, max: 80 }), weight: 4 },
  { arbitrary: fc.integer({ min: 81, max: 300 }), weight: 1 },
  { arbitrary: fc.constantFrom(1, 300), weight: 1 },
);

const orderArb = fc.record({
  trader: fc.nat(),
  qtyWh: fc.oneof(fc.constant(1n), fc.bigInt({ min: 1n, max: 30n }), fc.bigInt({ min: 1n, max: 3_000n })),
  offset: fc.integer({ min: -3, max: 25 }),
  cancel: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
});

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
      }),
      { minLength: 2, maxLength: 18 },
    ),
    orders: orderCountArb.chain((n) => fc.array(orderArb, { minLength: n, maxLength: n })),
  })
  .map((r) => {
    const traders: TraderPlan[] = r.traders.map((t) => ({
      side: t.bid ? ("bid" as const) : ("offer" as const),
      level: t.level,
      scoreWad: t.score,
      orders: [],
    }));
    const orderedWh = traders.map(() => 0n);
    for (const o of r.orders) {
      const i = o.trader % traders.length;
      const t = traders[i];
      // Offers inside [base, base + span]; bid limits around and above that window.
      const raw = t.side === "bid" ? r.base + o.offset : r.base + (Math.abs(o.offset) % (r.span + 1));
      // Within the trader's capacity: a large order that would not fit becomes a 1 Wh order.
      const qtyWh = orderedWh[i] + o.qtyWh > TRADER_WH_CAP ? 1n : o.qtyWh;
      orderedWh[i] += qtyWh;
      t.orders.push({ qtyWh, tick: Math.min(BUY_TICK, Math.max(SELL_TICK, raw)), cancel: o.cancel });
    }
    return {
      access: r.access,
      feeBps: r.feeBps,
      maxClearGas: r.maxClearGas,
      traders,
      orderCount: r.orders.length,
    };
  });

/**
 * Sends a batch of transactions, each mined on its own (automine) with a fixed gas limit so that no gas
 * estimate is run, and returns their receipts, fetched together.
 */
async function sendAll(send: (() => Promise<ContractTransactionResponse>)[]) {
  const sent: ContractTransactionResponse[] = [];
  for (const f of send) sent.push(await f());
  const receipts = await Promise.all(sent.map((tx) => tx.wait()));
  return receipts.map((r) => {
    if (r === null || r.status !== 1) throw new Error("a batched transaction failed");
    return r;
  });
}

/** The cheap money check of every step: the market's TRC equals the two running totals. */
async function expectHeldEqualsOwed(coin: TrustCoin, market: EnergyMarket): Promise<void> {
  const held = await coin.balanceOf(await market.getAddress());
  expect(held).to.equal(
    (await market.totalPrepaid()) + (await market.totalEscrow()) + (await market.settlementPool()),
  );
}

describe("EnergyMarket property: random books through the market match the exact reference", function () {
  const numRuns = Number(process.env.FC_RUNS ?? 200);
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

  it(`matches every participant's fill, cost, fee and refund and conserves money (${numRuns} books)`, async function () {
    this.timeout(0);
    let booksClearedInSeveralCalls = 0;
    let maxOrders = 0;
    let singleOrderBooks = 0;
    let oneWhOrders = 0;
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const { coin, oracle, market, registry, traders, outsider, slot } =
          await loadFixture(deployScenarioFixture);
        const accounts = traders.map((t) => t.address);
        const everyone = [...accounts, outsider.address];
        await oracle.setAccessFractions([...plan.access]);
        await market.setFeeBps(plan.feeBps);
        await market.setMaxClearGas(plan.maxClearGas);
        await market.setMinOrderWh(1n);
        await market.setMaxOrdersPerSlot(300n);

        // Place every order, then cancel the marked ones; order ids from the events.
        await Promise.all(plan.traders.map((t, i) => oracle.setTrader(accounts[i], t.level, t.scoreWad)));
        const toPlace: { trader: number; qtyWh: bigint; tick: number; cancel: boolean }[] = [];
        for (let i = 0; i < plan.traders.length; i++)
          for (const order of plan.traders[i].orders) toPlace.push({ trader: i, ...order });
        const placeReceipts = await sendAll(
          toPlace.map((o) => () => {
            const signer = market.connect(traders[o.trader]);
            return plan.traders[o.trader].side === "offer"
              ? signer.placeOffer(slot, o.qtyWh, o.tick, { gasLimit: 600_000 })
              : signer.placeBid(slot, o.qtyWh, o.tick, { gasLimit: 600_000 });
          }),
        );
        const placed = toPlace.map((o, k) => {
          const log = placeReceipts[k].logs
            .map((l) => market.interface.parseLog(l))
            .find((l) => l?.name === "OfferPlaced" || l?.name === "BidPlaced");
          if (!log) throw new Error("no order event");
          return { ...o, id: log.args.orderId as bigint };
        });
        expect(new Set(placed.map((o) => o.id)).size).to.equal(placed.length);
        expect(await market.orderCount(1, slot)).to.equal(BigInt(placed.length));
        await expectHeldEqualsOwed(coin, market);
        // A cancel of a buyer's highest bid looks through its orders (O(own orders)): a larger gas limit.
        await sendAll(
          placed
            .filter((o) => o.cancel)
            .map((o) => () => market.connect(traders[o.trader]).cancel(slot, o.id, { gasLimit: 5_000_000 })),
        );
        await expectHeldEqualsOwed(coin, market);
        await expectMoneyConserved(coin, market, everyone, [slot]);
        maxOrders = Math.max(maxOrders, placed.length);
        if (placed.length === 1) singleOrderBooks++;
        oneWhOrders += placed.filter((o) => o.qtyWh === 1n).length;

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
          const fills = await Promise.all(mine.map((o) => market.fillOf(1, slot, o.id)));
          for (const [j, o] of mine.entries()) {
            const fill = fills[j];
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
    // The generator reaches both ends of 1-300 orders and places 1 Wh orders.
    if (numRuns >= 100) {
      expect(maxOrders).to.equal(300);
      expect(singleOrderBooks).to.be.greaterThan(0);
      expect(oneWhOrders).to.be.greaterThan(0);
    }
  });
});
