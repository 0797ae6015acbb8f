// Unit tests of the order-book library through its harness: every external function, every revert
// path, SPEC §7.2's worked example, and the bounded-gas behaviour of clearing.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { clearReference, type RefBid, type RefOffer } from "../reference/clearing";
import { expectMatchesReference } from "./checks";
import {
  CLEAR_TX_GAS_LIMIT,
  DEFAULT_ACCESS,
  DEFAULT_FEE_BPS,
  DEFAULT_TICK_SIZE,
  MAX_CLEAR_GAS,
  clearAll,
  deployHarness,
  placeBook,
  readFills,
  uniformBook,
} from "./helpers";

const WAD = 10n ** 18n;
const ONE = 10n ** 36n;
const PARAMS = { accessWad: DEFAULT_ACCESS, tickSize: DEFAULT_TICK_SIZE, feeBps: DEFAULT_FEE_BPS };
const PHASE = { Open: 0n, Clearing: 1n, Cleared: 2n };
const STAGE = { Idle: 0n, Offers: 1n, Bids: 2n, Walk: 3n, Done: 4n };
/** Value of `qty` Wh at `tick` with the default tick size, in TRC base units. */
const value = (qty: bigint, tick: bigint): bigint => (qty * tick * DEFAULT_TICK_SIZE) / 1000n;

// SPEC §7.2 worked example (a = 50/75/90/100 %).
const EXAMPLE_OFFERS: RefOffer[] = [
  { qtyWh: 16n, tick: 1, level: 4 },
  { qtyWh: 16n, tick: 1, level: 1 },
  { qtyWh: 8n, tick: 2, level: 3 },
];
const EXAMPLE_BIDS: RefBid[] = [
  { qtyWh: 28n, limitTick: 1, level: 3, scoreWad: 13n * WAD }, // B1
  { qtyWh: 12n, limitTick: 2, level: 2, scoreWad: 12n * WAD }, // B2
  { qtyWh: 12n, limitTick: 1, level: 2, scoreWad: 12n * WAD }, // B3
];

async function deployFixture() {
  return { harness: await deployHarness(PARAMS) };
}

async function exampleFixture() {
  const harness = await deployHarness(PARAMS);
  const { offerIds, bidIds } = await placeBook(harness, EXAMPLE_OFFERS, EXAMPLE_BIDS);
  return { harness, offerIds, bidIds };
}

async function closedExampleFixture() {
  const context = await exampleFixture();
  await context.harness.closeBook();
  return context;
}

async function clearedExampleFixture() {
  const context = await exampleFixture();
  await clearAll(context.harness, MAX_CLEAR_GAS);
  return context;
}

/** The uniform book of `orders` orders, placed and closed. */
async function uniformClosed(orders: number) {
  const harness = await deployHarness(PARAMS);
  const { offers, bids } = uniformBook(orders);
  await placeBook(harness, offers, bids);
  await harness.closeBook();
  return harness;
}

async function uniform250Fixture() {
  return uniformClosed(250);
}

async function uniform2000Fixture() {
  return uniformClosed(2000);
}

/** Harnesses whose money parameters are out of range, with the example cleared. */
async function badMoneyFixture(tickSize: bigint, feeBps: bigint) {
  const harness = await deployHarness({ accessWad: DEFAULT_ACCESS, tickSize, feeBps });
  await placeBook(harness, EXAMPLE_OFFERS, EXAMPLE_BIDS);
  await clearAll(harness, MAX_CLEAR_GAS);
  return harness;
}

async function zeroTickSizeFixture() {
  return badMoneyFixture(0n, DEFAULT_FEE_BPS);
}

async function hugeTickSizeFixture() {
  return badMoneyFixture(10n ** 21n + 1n, DEFAULT_FEE_BPS);
}

async function hugeFeeFixture() {
  return badMoneyFixture(DEFAULT_TICK_SIZE, 10_001n);
}

describe("OrderBookHarness", function () {
  describe("placeOffer", function () {
    it("records the offer, aggregates it per tick and seller level and emits OfferPlaced", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeOffer(16n, 7n, 3))
        .to.emit(harness, "OfferPlaced")
        .withArgs(1n, 7n, 3, 16n);
      await harness.placeOffer(5n, 7n, 3);
      await harness.placeOffer(2n, 7n, 1);
      expect(await harness.offerDepth(7n)).to.deep.equal([2n, 0n, 21n, 0n]);
      const order = await harness.order(1n);
      expect([order.side, order.qtyWh, order.tick, order.level, order.cancelled]).to.deep.equal([
        1n,
        16n,
        7n,
        3n,
        false,
      ]);
      expect(await harness.orderCount()).to.equal(3n);
    });

    it("accepts the lowest and the highest tick", async function () {
      const { harness } = await loadFixture(deployFixture);
      await harness.placeOffer(1n, 1n, 1);
      await harness.placeOffer(1n, 65_535n, 4);
      expect(await harness.offerDepth(65_535n)).to.deep.equal([0n, 0n, 0n, 1n]);
    });

    it("reverts on a zero quantity", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeOffer(0n, 1n, 1)).to.be.revertedWithCustomError(
        harness,
        "OrderBookZeroQuantity",
      );
    });

    it("reverts on a level outside 1..4", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeOffer(1n, 1n, 0))
        .to.be.revertedWithCustomError(harness, "OrderBookInvalidLevel")
        .withArgs(0n);
      await expect(harness.placeOffer(1n, 1n, 5))
        .to.be.revertedWithCustomError(harness, "OrderBookInvalidLevel")
        .withArgs(5n);
    });

    it("reverts on a tick outside 1..65535", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeOffer(1n, 0n, 1))
        .to.be.revertedWithCustomError(harness, "OrderBookTickOutOfRange")
        .withArgs(0n);
      await expect(harness.placeOffer(1n, 65_536n, 1))
        .to.be.revertedWithCustomError(harness, "OrderBookTickOutOfRange")
        .withArgs(65_536n);
    });

    it("reverts when a tick's volume of a seller level would reach 2^64 Wh", async function () {
      const { harness } = await loadFixture(deployFixture);
      await harness.placeOffer(2n ** 63n, 9n, 2);
      await expect(harness.placeOffer(2n ** 63n, 9n, 2))
        .to.be.revertedWithCustomError(harness, "OrderBookVolumeOverflow")
        .withArgs(9n, 2n);
      await harness.placeOffer(2n ** 63n - 1n, 9n, 2);
    });

    it("reverts once the book is closed", async function () {
      const { harness } = await loadFixture(closedExampleFixture);
      await expect(harness.placeOffer(1n, 1n, 1)).to.be.revertedWithCustomError(harness, "OrderBookNotOpen");
    });
  });

  describe("placeBid", function () {
    it("records the bid, aggregates qty and qty * score per level and limit, and emits BidPlaced", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeBid(10n, 4n, 2, 12n * WAD))
        .to.emit(harness, "BidPlaced")
        .withArgs(1n, 4n, 2, 10n, 12n * WAD);
      await harness.placeBid(5n, 4n, 2, 15n * WAD);
      const [qty, qtyScore] = await harness.bidDepth(2n, 4n);
      expect(qty).to.equal(15n);
      expect(qtyScore).to.equal(10n * 12n * WAD + 5n * 15n * WAD);
      expect((await harness.order(2n)).scoreWad).to.equal(15n * WAD);
    });

    it("reverts on a zero quantity", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeBid(0n, 1n, 1, 0n)).to.be.revertedWithCustomError(
        harness,
        "OrderBookZeroQuantity",
      );
    });

    it("reverts on a level outside 1..4", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeBid(1n, 1n, 0, 0n))
        .to.be.revertedWithCustomError(harness, "OrderBookInvalidLevel")
        .withArgs(0n);
      await expect(harness.placeBid(1n, 1n, 5, 0n))
        .to.be.revertedWithCustomError(harness, "OrderBookInvalidLevel")
        .withArgs(5n);
    });

    it("reverts on a limit tick outside 1..65535", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeBid(1n, 0n, 1, 0n))
        .to.be.revertedWithCustomError(harness, "OrderBookTickOutOfRange")
        .withArgs(0n);
      await expect(harness.placeBid(1n, 70_000n, 1, 0n))
        .to.be.revertedWithCustomError(harness, "OrderBookTickOutOfRange")
        .withArgs(70_000n);
    });

    it("reverts on a score above 15", async function () {
      const { harness } = await loadFixture(deployFixture);
      await harness.placeBid(1n, 1n, 1, 15n * WAD);
      await expect(harness.placeBid(1n, 1n, 1, 15n * WAD + 1n))
        .to.be.revertedWithCustomError(harness, "OrderBookScoreOutOfRange")
        .withArgs(15n * WAD + 1n);
    });

    it("reverts when a bucket's volume would reach 2^64 Wh", async function () {
      const { harness } = await loadFixture(deployFixture);
      await harness.placeBid(2n ** 64n - 2n, 3n, 4, 15n * WAD);
      await expect(harness.placeBid(2n, 3n, 4, 0n))
        .to.be.revertedWithCustomError(harness, "OrderBookVolumeOverflow")
        .withArgs(3n, 4n);
      await harness.placeBid(1n, 3n, 4, 15n * WAD);
      expect((await harness.bidDepth(4n, 3n)).qtyScoreWad).to.equal((2n ** 64n - 1n) * 15n * WAD);
    });

    it("reverts once the book is closed", async function () {
      const { harness } = await loadFixture(closedExampleFixture);
      await expect(harness.placeBid(1n, 1n, 1, 0n)).to.be.revertedWithCustomError(
        harness,
        "OrderBookNotOpen",
      );
    });
  });

  describe("placeOffers", function () {
    it("places a batch with consecutive ids and returns the first", async function () {
      const { harness } = await loadFixture(deployFixture);
      await harness.placeOffer(1n, 1n, 1);
      expect(await harness.placeOffers.staticCall([3n, 4n], [2n, 5n], [1, 4])).to.equal(2n);
      await expect(harness.placeOffers([3n, 4n], [2n, 5n], [1, 4]))
        .to.emit(harness, "OfferPlaced")
        .withArgs(3n, 5n, 4, 4n);
      expect(await harness.offerDepth(2n)).to.deep.equal([3n, 0n, 0n, 0n]);
    });

    it("reverts on arrays of different lengths", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeOffers([1n], [1n, 2n], [1])).to.be.revertedWithCustomError(
        harness,
        "OrderBookLengthMismatch",
      );
      await expect(harness.placeOffers([1n], [1n], [1, 2])).to.be.revertedWithCustomError(
        harness,
        "OrderBookLengthMismatch",
      );
    });

    it("reverts as a whole when one order is invalid", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.placeOffers([1n, 0n], [1n, 1n], [1, 1])).to.be.revertedWithCustomError(
        harness,
        "OrderBookZeroQuantity",
      );
      expect(await harness.orderCount()).to.equal(0n);
    });
  });

  describe("placeBids", function () {
    it("places a batch with consecutive ids and returns the first", async function () {
      const { harness } = await loadFixture(deployFixture);
      expect(await harness.placeBids.staticCall([3n, 4n], [2n, 5n], [1, 4], [0n, WAD])).to.equal(1n);
      await expect(harness.placeBids([3n, 4n], [2n, 5n], [1, 4], [0n, WAD]))
        .to.emit(harness, "BidPlaced")
        .withArgs(2n, 5n, 4, 4n, WAD);
      expect((await harness.bidDepth(4n, 5n)).qtyWh).to.equal(4n);
    });

    it("reverts on arrays of different lengths", async function () {
      const { harness } = await loadFixture(deployFixture);
      for (const args of [
        [[1n], [1n, 2n], [1], [0n]],
        [[1n], [1n], [1, 2], [0n]],
        [[1n], [1n], [1], [0n, 0n]],
      ] as const) {
        await expect(
          harness.placeBids([...args[0]], [...args[1]], [...args[2]], [...args[3]]),
        ).to.be.revertedWithCustomError(harness, "OrderBookLengthMismatch");
      }
    });
  });

  describe("cancel", function () {
    it("removes an offer from its aggregate and emits OrderCancelled", async function () {
      const { harness, offerIds } = await loadFixture(exampleFixture);
      await expect(harness.cancel(offerIds[1])).to.emit(harness, "OrderCancelled").withArgs(offerIds[1]);
      expect(await harness.offerDepth(1n)).to.deep.equal([0n, 0n, 0n, 16n]);
      expect((await harness.order(offerIds[1])).cancelled).to.equal(true);
    });

    it("removes a bid from its bucket, qty and qty * score", async function () {
      const { harness, bidIds } = await loadFixture(exampleFixture);
      await harness.cancel(bidIds[0]);
      expect(await harness.bidDepth(3n, 1n)).to.deep.equal([0n, 0n]);
    });

    it("takes an emptied tick out of clearing (bitmap cleared)", async function () {
      const { harness, offerIds, bidIds } = await loadFixture(exampleFixture);
      await harness.cancel(offerIds[0]);
      await harness.cancel(offerIds[1]);
      await harness.cancel(bidIds[1]);
      // Only tick 2 offers are left, and the highest limit is now 1: nothing can trade.
      await clearAll(harness, MAX_CLEAR_GAS);
      const progress = await harness.progress();
      expect(progress.maxLimitTick).to.equal(1n);
      expect(progress.firstOfferTick).to.equal(0n);
      expect(progress.offeredWh).to.equal(0n);
      const fills = await readFills(harness, [offerIds[2], bidIds[0], bidIds[2]]);
      expect(fills.map((f) => f.filledWh)).to.deep.equal([0n, 0n, 0n]);
    });

    it("reverts on an unknown order", async function () {
      const { harness } = await loadFixture(exampleFixture);
      await expect(harness.cancel(0n))
        .to.be.revertedWithCustomError(harness, "OrderBookUnknownOrder")
        .withArgs(0n);
      await expect(harness.cancel(7n))
        .to.be.revertedWithCustomError(harness, "OrderBookUnknownOrder")
        .withArgs(7n);
    });

    it("reverts on an order already cancelled", async function () {
      const { harness, bidIds } = await loadFixture(exampleFixture);
      await harness.cancel(bidIds[2]);
      await expect(harness.cancel(bidIds[2]))
        .to.be.revertedWithCustomError(harness, "OrderBookOrderCancelled")
        .withArgs(bidIds[2]);
    });

    it("reverts once the book is closed", async function () {
      const { harness, bidIds } = await loadFixture(closedExampleFixture);
      await expect(harness.cancel(bidIds[0])).to.be.revertedWithCustomError(harness, "OrderBookNotOpen");
    });
  });

  describe("cancelMany", function () {
    it("cancels each order and emits OrderCancelled for each", async function () {
      const { harness, offerIds, bidIds } = await loadFixture(exampleFixture);
      await expect(harness.cancelMany([offerIds[2], bidIds[1]]))
        .to.emit(harness, "OrderCancelled")
        .withArgs(offerIds[2])
        .and.to.emit(harness, "OrderCancelled")
        .withArgs(bidIds[1]);
      expect(await harness.offerDepth(2n)).to.deep.equal([0n, 0n, 0n, 0n]);
      expect((await harness.bidDepth(2n, 2n)).qtyWh).to.equal(0n);
    });

    it("reverts as a whole when one id is unknown", async function () {
      const { harness, offerIds } = await loadFixture(exampleFixture);
      await expect(harness.cancelMany([offerIds[0], 9n]))
        .to.be.revertedWithCustomError(harness, "OrderBookUnknownOrder")
        .withArgs(9n);
      expect((await harness.order(offerIds[0])).cancelled).to.equal(false);
    });
  });

  describe("closeBook", function () {
    it("closes the book, records the highest bid limit and emits BookClosed", async function () {
      const { harness } = await loadFixture(exampleFixture);
      await expect(harness.closeBook())
        .to.emit(harness, "BookClosed")
        .withArgs([...DEFAULT_ACCESS]);
      expect(await harness.phase()).to.equal(PHASE.Clearing);
      const progress = await harness.progress();
      expect([progress.stage, progress.maxLimitTick, progress.cursorTick]).to.deep.equal([
        STAGE.Offers,
        2n,
        1n,
      ]);
    });

    it("reverts when the book is already closed", async function () {
      const { harness } = await loadFixture(closedExampleFixture);
      await expect(harness.closeBook()).to.be.revertedWithCustomError(harness, "OrderBookNotOpen");
    });

    it("reverts on access fractions that are not non-decreasing up to a_4 = 1", async function () {
      const bad: [bigint, bigint, bigint, bigint][] = [
        [5n * 10n ** 17n, 75n * 10n ** 16n, 9n * 10n ** 17n, WAD - 1n],
        [5n * 10n ** 17n, 75n * 10n ** 16n, WAD + 1n, WAD],
        [5n * 10n ** 17n, 9n * 10n ** 17n, 75n * 10n ** 16n, WAD],
        [8n * 10n ** 17n, 75n * 10n ** 16n, 9n * 10n ** 17n, WAD],
      ];
      for (const accessWad of bad) {
        const harness = await deployHarness({
          accessWad,
          tickSize: DEFAULT_TICK_SIZE,
          feeBps: DEFAULT_FEE_BPS,
        });
        await expect(harness.closeBook())
          .to.be.revertedWithCustomError(harness, "OrderBookInvalidAccessFractions")
          .withArgs(accessWad);
      }
    });
  });

  describe("clear", function () {
    it("clears SPEC §7.2's worked example: B1 28, B2 8, B3 0; sellers 16 and 12 at tick 1, 8 at tick 2; 4 Wh unsold", async function () {
      const { harness, offerIds, bidIds } = await loadFixture(clearedExampleFixture);
      const [s4, s1, s3] = await readFills(harness, offerIds);
      const [b1, b2, b3] = await readFills(harness, bidIds);
      expect([b1.filledWh, b2.filledWh, b3.filledWh]).to.deep.equal([28n, 8n, 0n]);
      expect([s4.filledWh, s1.filledWh, s3.filledWh]).to.deep.equal([16n, 12n, 8n]);
      // Pay-as-offer, exact here: B1 28 Wh at tick 1, B2 8 Wh at tick 2; fee 1 %.
      expect([b1.money, b2.money, b3.money]).to.deep.equal([value(28n, 1n), value(8n, 2n), 0n]);
      expect([b1.fee, b2.fee, b3.fee]).to.deep.equal([value(28n, 1n) / 100n, value(8n, 2n) / 100n, 0n]);
      expect([s4.money, s1.money, s3.money]).to.deep.equal([value(16n, 1n), value(12n, 1n), value(8n, 2n)]);
      const totals = await harness.aggregates();
      expect(totals.tradedWh).to.equal(36n); // V = 40: the 4 Wh reserved for level 4 stay unsold.
      expect((await harness.progress()).offeredWh).to.equal(40n);
      expect((await harness.progress()).roundings).to.equal(0n);
    });

    it("matches the exact reference on the worked example", async function () {
      const { harness, offerIds, bidIds } = await loadFixture(clearedExampleFixture);
      const ref = clearReference(EXAMPLE_OFFERS, EXAMPLE_BIDS, PARAMS);
      const [offerFills, bidFills] = await Promise.all([
        readFills(harness, offerIds),
        readFills(harness, bidIds),
      ]);
      await expectMatchesReference(harness, EXAMPLE_OFFERS, EXAMPLE_BIDS, PARAMS, ref, offerFills, bidFills);
    });

    it("fills eligible bids of a level pro rata and sellers by level, then pro rata", async function () {
      const harness = await deployHarness(PARAMS);
      // 10 Wh at tick 5 by level 4 and 30 Wh by level 3; two level-4 bids of 10 and 30 Wh share it.
      const offers: RefOffer[] = [
        { qtyWh: 10n, tick: 5, level: 4 },
        { qtyWh: 10n, tick: 5, level: 3 },
        { qtyWh: 20n, tick: 5, level: 3 },
      ];
      const bids: RefBid[] = [
        { qtyWh: 10n, limitTick: 5, level: 4, scoreWad: WAD },
        { qtyWh: 30n, limitTick: 9, level: 4, scoreWad: WAD },
        { qtyWh: 30n, limitTick: 9, level: 1, scoreWad: WAD },
      ];
      const { offerIds, bidIds } = await placeBook(harness, offers, bids);
      await clearAll(harness, MAX_CLEAR_GAS);
      // 40 Wh offered; level 4 wants 40 and takes 40 (no reserve for level 4): each bid all of it.
      expect((await readFills(harness, bidIds)).map((f) => f.filledWh)).to.deep.equal([10n, 30n, 0n]);
      expect((await readFills(harness, offerIds)).map((f) => f.filledWh)).to.deep.equal([10n, 10n, 20n]);
      const ref = clearReference(offers, bids, PARAMS);
      await expectMatchesReference(
        harness,
        offers,
        bids,
        PARAMS,
        ref,
        await readFills(harness, offerIds),
        await readFills(harness, bidIds),
      );
    });

    it("emits ClearingAdvanced with the cursor and completion", async function () {
      const { harness } = await loadFixture(closedExampleFixture);
      await expect(harness.clear(MAX_CLEAR_GAS, { gasLimit: CLEAR_TX_GAS_LIMIT }))
        .to.emit(harness, "ClearingAdvanced")
        .withArgs(STAGE.Done, 1, 1n, true);
      expect(await harness.phase()).to.equal(PHASE.Cleared);
    });

    it("makes progress in every call, one step per call with a budget of 1 gas", async function () {
      const { harness } = await loadFixture(closedExampleFixture);
      const seen: string[] = [];
      for (;;) {
        await harness.clear(1n, { gasLimit: CLEAR_TX_GAS_LIMIT });
        const p = await harness.progress();
        seen.push(`${p.stage}/${p.level}/${p.cursorTick}`);
        if ((await harness.phase()) === PHASE.Cleared) break;
      }
      // Offers: ticks 1, 2, end; level 4: no bids; level 3: B1's bucket, end, then tick 1 (fill, B1 exits,
      // pool empty); level 2: B3's and B2's buckets, end, then tick 1 (B3 exits), tick 2 (fill, B2 exits,
      // pool empty); level 1: no bids, done.
      expect(seen).to.deep.equal([
        "1/0/2",
        "1/0/3",
        "2/4/1",
        "2/3/1",
        "2/3/2",
        "3/3/1",
        "2/2/1",
        "2/2/2",
        "2/2/3",
        "3/2/1",
        "3/2/2",
        "2/1/1",
        "4/1/1",
      ]);
    });

    it("keeps every call within its gas budget and spreads a large book over several calls", async function () {
      const harness = await loadFixture(uniform250Fixture);
      const budget = 800_000n;
      const calls = await clearAll(harness, budget);
      expect(calls.length).to.be.greaterThan(3);
      for (const call of calls) expect(call.gasUsed).to.be.lessThan(budget + 50_000n);
    });

    it("costs the same gas for 2000 orders as for 250 over the same ticks (within 1.2x)", async function () {
      const small = await loadFixture(uniform250Fixture);
      const large = await loadFixture(uniform2000Fixture);
      const total = (calls: { gasUsed: bigint }[]) => calls.reduce((sum, call) => sum + call.gasUsed, 0n);
      const smallGas = total(await clearAll(small, MAX_CLEAR_GAS));
      const largeGas = total(await clearAll(large, MAX_CLEAR_GAS));
      expect(largeGas * 10n).to.be.lessThan(smallGas * 12n);
    });

    it("completes at once when no bid reaches any offer, and nothing trades", async function () {
      const harness = await deployHarness(PARAMS);
      const { offerIds, bidIds } = await placeBook(
        harness,
        [{ qtyWh: 10n, tick: 50, level: 4 }],
        [{ qtyWh: 10n, limitTick: 49, level: 4, scoreWad: WAD }],
      );
      const calls = await clearAll(harness, 1n);
      expect(calls.length).to.equal(1);
      const fills = await readFills(harness, [...offerIds, ...bidIds]);
      expect(fills.map((f) => [f.filledWh, f.money, f.fee])).to.deep.equal([
        [0n, 0n, 0n],
        [0n, 0n, 0n],
      ]);
      expect((await harness.aggregates()).tradedWh).to.equal(0n);
    });

    it("completes on an empty book", async function () {
      const { harness } = await loadFixture(deployFixture);
      expect((await clearAll(harness, 1n)).length).to.equal(1);
      expect((await harness.aggregates()).buyerCost).to.equal(0n);
    });

    it("reverts before the book is closed", async function () {
      const { harness } = await loadFixture(exampleFixture);
      await expect(harness.clear(MAX_CLEAR_GAS)).to.be.revertedWithCustomError(harness, "OrderBookNotClosed");
    });

    it("reverts once clearing is complete", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      await expect(harness.clear(MAX_CLEAR_GAS)).to.be.revertedWithCustomError(
        harness,
        "OrderBookAlreadyCleared",
      );
    });
  });

  describe("fill", function () {
    it("gives a bid its Wh, cost and fee, and an offer its Wh and proceeds", async function () {
      const { harness, offerIds, bidIds } = await loadFixture(clearedExampleFixture);
      expect(await harness.fill(bidIds[1])).to.deep.equal([8n, value(8n, 2n), value(8n, 2n) / 100n]);
      expect(await harness.fill(offerIds[1])).to.deep.equal([12n, value(12n, 1n), 0n]);
    });

    it("reverts before clearing is complete", async function () {
      const { harness, bidIds } = await loadFixture(closedExampleFixture);
      await expect(harness.fill(bidIds[0])).to.be.revertedWithCustomError(harness, "OrderBookNotCleared");
      await harness.clear(1n, { gasLimit: CLEAR_TX_GAS_LIMIT });
      await expect(harness.fill(bidIds[0])).to.be.revertedWithCustomError(harness, "OrderBookNotCleared");
    });

    it("reverts on an unknown order", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      await expect(harness.fill(99n))
        .to.be.revertedWithCustomError(harness, "OrderBookUnknownOrder")
        .withArgs(99n);
    });

    it("reverts on a cancelled order", async function () {
      const { harness, bidIds } = await loadFixture(exampleFixture);
      await harness.cancel(bidIds[2]);
      await clearAll(harness, MAX_CLEAR_GAS);
      await expect(harness.fill(bidIds[2]))
        .to.be.revertedWithCustomError(harness, "OrderBookOrderCancelled")
        .withArgs(bidIds[2]);
    });

    it("reverts on a tick size of 0 or above 1e21", async function () {
      for (const fixture of [zeroTickSizeFixture, hugeTickSizeFixture]) {
        const harness = await loadFixture(fixture);
        const tickSize = fixture === zeroTickSizeFixture ? 0n : 10n ** 21n + 1n;
        await expect(harness.fill(1n))
          .to.be.revertedWithCustomError(harness, "OrderBookInvalidTickSize")
          .withArgs(tickSize);
      }
    });

    it("reverts on a fee above 10 000 bps", async function () {
      const harness = await loadFixture(hugeFeeFixture);
      await expect(harness.fill(1n))
        .to.be.revertedWithCustomError(harness, "OrderBookInvalidFeeBps")
        .withArgs(10_001n);
    });
  });

  describe("fills", function () {
    it("returns the same as fill for each order", async function () {
      const { harness, offerIds, bidIds } = await loadFixture(clearedExampleFixture);
      const ids = [...offerIds, ...bidIds];
      const batch = await harness.fills(ids);
      for (let i = 0; i < ids.length; i++) {
        expect([batch[i].filledWh, batch[i].money, batch[i].fee]).to.deep.equal([
          ...(await harness.fill(ids[i])),
        ]);
      }
    });

    it("reverts before clearing is complete", async function () {
      const { harness, bidIds } = await loadFixture(closedExampleFixture);
      await expect(harness.fills(bidIds)).to.be.revertedWithCustomError(harness, "OrderBookNotCleared");
    });
  });

  describe("aggregates", function () {
    it("gives traded Wh, θ and the sum of fee * score without a loop over orders", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      const totals = await harness.aggregates();
      expect(totals.tradedWh).to.equal(36n);
      expect(totals.buyerCost).to.equal(value(28n, 1n) + value(8n, 2n));
      expect(totals.feeScoreWad).to.equal(
        (value(28n, 1n) / 100n) * 13n * WAD + (value(8n, 2n) / 100n) * 12n * WAD,
      );
    });

    it("reverts before clearing is complete", async function () {
      const { harness } = await loadFixture(closedExampleFixture);
      await expect(harness.aggregates()).to.be.revertedWithCustomError(harness, "OrderBookNotCleared");
    });

    it("reverts on money parameters out of range", async function () {
      const zero = await loadFixture(zeroTickSizeFixture);
      await expect(zero.aggregates())
        .to.be.revertedWithCustomError(zero, "OrderBookInvalidTickSize")
        .withArgs(0n);
      const fee = await loadFixture(hugeFeeFixture);
      await expect(fee.aggregates())
        .to.be.revertedWithCustomError(fee, "OrderBookInvalidFeeBps")
        .withArgs(10_001n);
    });
  });

  describe("bidBucketFeeScore", function () {
    it("gives a bucket's sum of fee * score from its factors", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      expect(await harness.bidBucketFeeScore(3n, 1n)).to.equal((value(28n, 1n) / 100n) * 13n * WAD);
      expect(await harness.bidBucketFeeScore(2n, 2n)).to.equal((value(8n, 2n) / 100n) * 12n * WAD);
      expect(await harness.bidBucketFeeScore(2n, 1n)).to.equal(0n);
      expect(await harness.bidBucketFeeScore(1n, 1n)).to.equal(0n);
    });

    it("reverts on a bad level or tick, before clearing, or on bad money parameters", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      await expect(harness.bidBucketFeeScore(0n, 1n))
        .to.be.revertedWithCustomError(harness, "OrderBookInvalidLevel")
        .withArgs(0n);
      await expect(harness.bidBucketFeeScore(1n, 0n))
        .to.be.revertedWithCustomError(harness, "OrderBookTickOutOfRange")
        .withArgs(0n);
      const closed = await loadFixture(closedExampleFixture);
      await expect(closed.harness.bidBucketFeeScore(3n, 1n)).to.be.revertedWithCustomError(
        closed.harness,
        "OrderBookNotCleared",
      );
      const fee = await loadFixture(hugeFeeFixture);
      await expect(fee.bidBucketFeeScore(3n, 1n))
        .to.be.revertedWithCustomError(fee, "OrderBookInvalidFeeBps")
        .withArgs(10_001n);
    });
  });

  describe("bidBucketFilled", function () {
    it("tells the buckets that received energy from those that did not, or are empty", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      // Worked example: B1 (level 3, limit 1) and B2 (level 2, limit 2) got energy, B3 (level 2, limit 1) none.
      expect(await harness.bidBucketFilled(3n, 1n)).to.equal(true);
      expect(await harness.bidBucketFilled(2n, 2n)).to.equal(true);
      expect(await harness.bidBucketFilled(2n, 1n)).to.equal(false);
      expect(await harness.bidBucketFilled(4n, 1n)).to.equal(false);
    });

    it("reverts on a bad level or tick, or before clearing", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      await expect(harness.bidBucketFilled(5n, 1n))
        .to.be.revertedWithCustomError(harness, "OrderBookInvalidLevel")
        .withArgs(5n);
      await expect(harness.bidBucketFilled(1n, 65_536n))
        .to.be.revertedWithCustomError(harness, "OrderBookTickOutOfRange")
        .withArgs(65_536n);
      const closed = await loadFixture(closedExampleFixture);
      await expect(closed.harness.bidBucketFilled(3n, 1n)).to.be.revertedWithCustomError(
        closed.harness,
        "OrderBookNotCleared",
      );
    });
  });

  describe("bidBucketFeeScores", function () {
    it("gives bidBucketFeeScore for each bucket", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      expect(await harness.bidBucketFeeScores([3n, 2n], [1n, 2n])).to.deep.equal([
        await harness.bidBucketFeeScore(3n, 1n),
        await harness.bidBucketFeeScore(2n, 2n),
      ]);
    });

    it("reverts on arrays of different lengths", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      await expect(harness.bidBucketFeeScores([3n], [1n, 2n])).to.be.revertedWithCustomError(
        harness,
        "OrderBookLengthMismatch",
      );
    });
  });

  describe("offerDepth", function () {
    it("reverts on a tick out of range", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.offerDepth(0n)).to.be.revertedWithCustomError(harness, "OrderBookTickOutOfRange");
      await expect(harness.offerDepth(65_536n))
        .to.be.revertedWithCustomError(harness, "OrderBookTickOutOfRange")
        .withArgs(65_536n);
    });
  });

  describe("bidDepth", function () {
    it("reverts on a level or tick out of range", async function () {
      const { harness } = await loadFixture(deployFixture);
      await expect(harness.bidDepth(5n, 1n)).to.be.revertedWithCustomError(harness, "OrderBookInvalidLevel");
      await expect(harness.bidDepth(1n, 65_536n)).to.be.revertedWithCustomError(
        harness,
        "OrderBookTickOutOfRange",
      );
    });
  });

  describe("progress", function () {
    it("reports the stage, the cursor and the clearing totals", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      const progress = await harness.progress();
      expect([progress.stage, progress.level, progress.firstOfferTick, progress.maxLimitTick]).to.deep.equal([
        STAGE.Done,
        1n,
        1n,
        2n,
      ]);
      expect([progress.offeredWh, progress.roundings]).to.deep.equal([40n, 0n]);
    });

    it("reports an idle book before the gate", async function () {
      const { harness } = await loadFixture(exampleFixture);
      expect((await harness.progress()).stage).to.equal(STAGE.Idle);
    });
  });

  describe("phase", function () {
    it("moves from Open to Clearing to Cleared", async function () {
      const { harness } = await loadFixture(exampleFixture);
      expect(await harness.phase()).to.equal(PHASE.Open);
      await harness.closeBook();
      expect(await harness.phase()).to.equal(PHASE.Clearing);
      await clearAll(harness, MAX_CLEAR_GAS);
      expect(await harness.phase()).to.equal(PHASE.Cleared);
    });
  });

  describe("order", function () {
    it("returns an empty order for an unknown id", async function () {
      const { harness } = await loadFixture(exampleFixture);
      expect((await harness.order(42n)).side).to.equal(0n);
      expect((await harness.order(4n)).side).to.equal(2n);
    });
  });

  describe("orderCount", function () {
    it("counts the orders placed, cancelled ones included", async function () {
      const { harness, bidIds } = await loadFixture(exampleFixture);
      await harness.cancel(bidIds[0]);
      expect(await harness.orderCount()).to.equal(6n);
    });
  });

  describe("tickClearing", function () {
    it("gives a tick's frontier and sold volume in 1e-36 Wh from its start", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      // Tick 1 covers [0, 32): level 3 took [4, 32), so frontier 32 and 28 sold; the 4 below stay unsold.
      expect(await harness.tickClearing(1n)).to.deep.equal([32n * ONE, 28n * ONE]);
      expect(await harness.tickClearing(3n)).to.deep.equal([0n, 0n]);
    });
  });

  describe("tickClearings", function () {
    it("gives tickClearing for each tick", async function () {
      const { harness } = await loadFixture(clearedExampleFixture);
      // Tick 2 covers [32, 40): level 2 took all 8 Wh.
      expect(await harness.tickClearings([1n, 2n])).to.deep.equal([
        [32n * ONE, 8n * ONE],
        [28n * ONE, 8n * ONE],
      ]);
    });
  });
});
