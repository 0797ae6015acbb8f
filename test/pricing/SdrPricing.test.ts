import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import Decimal from "decimal.js";

import * as reference from "../reference/sdr";
import {
  LIU_BUY,
  LIU_SELL,
  MAX_ENERGY_WH,
  MAX_PRICE,
  TRC,
  deploySdrPricingHarness,
  fcParams,
} from "./helpers";

interface Query {
  supplyWh: bigint;
  demandWh: bigint;
  gridSellPrice: bigint;
  gridBuyPrice: bigint;
}

/** Asserts the contract's prices for `queries` are the rounded exact prices and properly ordered. */
function expectMatchesReference(queries: Query[], pSell: bigint[], pBuy: bigint[]): void {
  expect(pSell.length).to.equal(queries.length);
  expect(pBuy.length).to.equal(queries.length);
  queries.forEach((q, i) => {
    const where = `S=${q.supplyWh} D=${q.demandWh} λs=${q.gridSellPrice} λb=${q.gridBuyPrice}`;
    const exact = reference.exactSdrPrices(q.supplyWh, q.demandWh, q.gridSellPrice, q.gridBuyPrice);
    expect(pSell[i], `pSell at ${where}`).to.equal(exact.sell.floor());
    expect(pBuy[i], `pBuy at ${where}`).to.equal(exact.buy.ceil());
    expect(q.gridSellPrice <= pSell[i], `λs <= pSell at ${where}`).to.equal(true);
    expect(pSell[i] <= pBuy[i], `pSell <= pBuy at ${where}`).to.equal(true);
    expect(pBuy[i] <= q.gridBuyPrice, `pBuy <= λb at ${where}`).to.equal(true);
  });
}

/** Energy: the edges (0, 1, the bound) and small, realistic and huge amounts. */
const energyArb = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, MAX_ENERGY_WH - 1n, MAX_ENERGY_WH),
  fc.bigInt({ min: 0n, max: 1_000n }),
  fc.bigInt({ min: 0n, max: 100_000_000n }),
  fc.bigInt({ min: 0n, max: MAX_ENERGY_WH }),
);

/** (S, D): independent, S = D, S = D − 1 and S = D + 1. */
const supplyDemandArb = fc.oneof(
  fc.tuple(energyArb, energyArb),
  energyArb.map((d): [bigint, bigint] => [d, d]),
  energyArb.filter((d) => d > 0n).map((d): [bigint, bigint] => [d - 1n, d]),
  energyArb.filter((d) => d < MAX_ENERGY_WH).map((d): [bigint, bigint] => [d + 1n, d]),
);

/** A positive price: the edges, realistic TRC/kWh prices and huge ones. */
const priceArb = fc.oneof(
  fc.constantFrom(1n, 2n, 3n, MAX_PRICE - 1n, MAX_PRICE),
  fc.bigInt({ min: 1n, max: 1_000n }),
  fc.bigInt({ min: 10n ** 16n, max: 5n * TRC }),
  fc.bigInt({ min: 1n, max: MAX_PRICE }),
);

/** (λs, λb) with λs <= λb: independent (sorted), equal, and one apart. */
const pricePairArb = fc.oneof(
  fc.tuple(priceArb, priceArb).map(([a, b]): [bigint, bigint] => (a <= b ? [a, b] : [b, a])),
  priceArb.map((p): [bigint, bigint] => [p, p]),
  priceArb.filter((p) => p < MAX_PRICE).map((p): [bigint, bigint] => [p, p + 1n]),
);

const queryArb = fc
  .tuple(supplyDemandArb, pricePairArb)
  .map(([[supplyWh, demandWh], [gridSellPrice, gridBuyPrice]]): Query => ({
    supplyWh,
    demandWh,
    gridSellPrice,
    gridBuyPrice,
  }));

describe("SdrPricing", function () {
  describe("sdrPrices", function () {
    // Liu et al. (2017), λ_sell = 0.4 and λ_buy = 1.0 TRC/kWh; SDR = S / D with D = 4 kWh.
    const liuTable: [string, bigint, string, string][] = [
      ["0", 0n, "1.000000", "1.000000"],
      ["0.25", 1_000n, "0.727273", "0.931818"],
      ["0.5", 2_000n, "0.571429", "0.785714"],
      ["0.75", 3_000n, "0.470588", "0.602941"],
      ["1", 4_000n, "0.400000", "0.400000"],
      ["1.5", 6_000n, "0.400000", "0.400000"],
    ];
    for (const [sdr, supplyWh, sell, buy] of liuTable) {
      it(`gives (${sell}, ${buy}) TRC/kWh at SDR ${sdr} as in Liu et al. (2017)`, async function () {
        const { harness } = await loadFixture(deploySdrPricingHarness);
        const [pSell, pBuy] = await harness.sdrPrices(supplyWh, 4_000n, LIU_SELL, LIU_BUY);
        expect(new Decimal(pSell.toString()).div(1e18).toFixed(6)).to.equal(sell);
        expect(new Decimal(pBuy.toString()).div(1e18).toFixed(6)).to.equal(buy);
        const expected = reference.sdrPrices(supplyWh, 4_000n, LIU_SELL, LIU_BUY);
        expect([pSell, pBuy]).to.deep.equal([expected.pSell, expected.pBuy]);
      });
    }

    it("gives exactly λb for both prices when there is demand but no supply (SDR 0)", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.sdrPrices(0n, 1n, 3n, 7n)).to.deep.equal([7n, 7n]);
      expect(await harness.sdrPrices(0n, MAX_ENERGY_WH, 1n, MAX_PRICE)).to.deep.equal([MAX_PRICE, MAX_PRICE]);
    });

    it("gives λs for both prices when there is no demand or supply covers it", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.sdrPrices(0n, 0n, LIU_SELL, LIU_BUY)).to.deep.equal([LIU_SELL, LIU_SELL]);
      expect(await harness.sdrPrices(5n, 0n, LIU_SELL, LIU_BUY)).to.deep.equal([LIU_SELL, LIU_SELL]);
      expect(await harness.sdrPrices(5n, 5n, LIU_SELL, LIU_BUY)).to.deep.equal([LIU_SELL, LIU_SELL]);
    });

    it("returns equal outside prices unchanged", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.sdrPrices(1n, 3n, LIU_BUY, LIU_BUY)).to.deep.equal([LIU_BUY, LIU_BUY]);
      expect(await harness.sdrPrices(0n, 3n, MAX_PRICE, MAX_PRICE)).to.deep.equal([MAX_PRICE, MAX_PRICE]);
    });

    it("rounds the sell price down and the buy price up", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      // S = 1, D = 3, λs = 1, λb = 2: P_sell = 2·3 / (1 + 3) = 3/2, P_buy = (3/2 + 2·2) / 3 = 11/6.
      expect(await harness.sdrPrices(1n, 3n, 1n, 2n)).to.deep.equal([1n, 2n]);
    });

    it("accepts the largest supported energy and prices", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      const [pSell, pBuy] = await harness.sdrPrices(
        MAX_ENERGY_WH - 1n,
        MAX_ENERGY_WH,
        MAX_PRICE - 1n,
        MAX_PRICE,
      );
      const expected = reference.sdrPrices(MAX_ENERGY_WH - 1n, MAX_ENERGY_WH, MAX_PRICE - 1n, MAX_PRICE);
      expect([pSell, pBuy]).to.deep.equal([expected.pSell, expected.pBuy]);
    });

    it("reverts with SdrEnergyOutOfRange when the supply exceeds 2^96 − 1 Wh", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.sdrPrices(MAX_ENERGY_WH + 1n, 1n, LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrEnergyOutOfRange")
        .withArgs(MAX_ENERGY_WH + 1n, MAX_ENERGY_WH);
    });

    it("reverts with SdrEnergyOutOfRange when the demand exceeds 2^96 − 1 Wh", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.sdrPrices(0n, 2n ** 255n, LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrEnergyOutOfRange")
        .withArgs(2n ** 255n, MAX_ENERGY_WH);
    });

    it("reverts with SdrPriceOutOfRange when the sell price exceeds 2^104 − 1", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.sdrPrices(1n, 2n, MAX_PRICE + 1n, MAX_PRICE + 2n))
        .to.be.revertedWithCustomError(harness, "SdrPriceOutOfRange")
        .withArgs(MAX_PRICE + 1n, MAX_PRICE);
    });

    it("reverts with SdrPriceOutOfRange when the buy price exceeds 2^104 − 1", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.sdrPrices(1n, 2n, LIU_SELL, MAX_PRICE + 1n))
        .to.be.revertedWithCustomError(harness, "SdrPriceOutOfRange")
        .withArgs(MAX_PRICE + 1n, MAX_PRICE);
    });

    it("reverts with SdrZeroSellPrice when the sell price is zero", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.sdrPrices(0n, 2n, 0n, LIU_BUY)).to.be.revertedWithCustomError(
        harness,
        "SdrZeroSellPrice",
      );
      await expect(harness.sdrPrices(0n, 0n, 0n, 0n)).to.be.revertedWithCustomError(
        harness,
        "SdrZeroSellPrice",
      );
    });

    it("reverts with SdrPricesInverted when the sell price exceeds the buy price", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.sdrPrices(1n, 2n, LIU_BUY, LIU_SELL))
        .to.be.revertedWithCustomError(harness, "SdrPricesInverted")
        .withArgs(LIU_BUY, LIU_SELL);
    });

    it("checks its inputs even where the prices would not depend on them", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.sdrPrices(0n, 0n, LIU_SELL + 1n, LIU_SELL))
        .to.be.revertedWithCustomError(harness, "SdrPricesInverted")
        .withArgs(LIU_SELL + 1n, LIU_SELL);
      await expect(harness.sdrPrices(MAX_ENERGY_WH + 1n, 0n, LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrEnergyOutOfRange")
        .withArgs(MAX_ENERGY_WH + 1n, MAX_ENERGY_WH);
    });
  });

  describe("sdrPricesBatch", function () {
    it("matches the exact reference on every combination of edge values", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      const energies = [0n, 1n, 2n, 3n, 999n, 1_000n, MAX_ENERGY_WH - 1n, MAX_ENERGY_WH];
      const pricePairs: [bigint, bigint][] = [
        [1n, 1n],
        [1n, 2n],
        [3n, 7n],
        [LIU_SELL, LIU_BUY],
        [LIU_SELL, LIU_SELL + 1n],
        [1n, MAX_PRICE],
        [MAX_PRICE - 1n, MAX_PRICE],
        [MAX_PRICE, MAX_PRICE],
      ];
      const queries: Query[] = [];
      for (const supplyWh of energies)
        for (const demandWh of energies)
          for (const [gridSellPrice, gridBuyPrice] of pricePairs)
            queries.push({ supplyWh, demandWh, gridSellPrice, gridBuyPrice });
      const [pSell, pBuy] = await harness.sdrPricesBatch(queries);
      expectMatchesReference(queries, pSell, pBuy);
    });

    it("matches the exact reference, floor for sell and ceiling for buy, on 1 200 random inputs", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await fc.assert(
        fc.asyncProperty(fc.array(queryArb, { minLength: 100, maxLength: 100 }), async (queries) => {
          const [pSell, pBuy] = await harness.sdrPricesBatch(queries);
          expectMatchesReference(queries, pSell, pBuy);
        }),
        fcParams(12),
      );
    });

    it("reverts with the custom error of an invalid query", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      const good: Query = { supplyWh: 1n, demandWh: 2n, gridSellPrice: LIU_SELL, gridBuyPrice: LIU_BUY };
      await expect(
        harness.sdrPricesBatch([good, { ...good, gridSellPrice: 0n }]),
      ).to.be.revertedWithCustomError(harness, "SdrZeroSellPrice");
    });
  });

  describe("levelTwo", function () {
    it("totals the positive and negative microgrid nets and prices them", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      // nets: +2 000, −3 000, 0, −500  →  S2 = 2 000, D2 = 3 500
      const tes = [3_000n, 1_000n, 700n, 0n];
      const tep = [1_000n, 4_000n, 700n, 500n];
      const result = await harness.levelTwo(tes, tep, LIU_SELL, LIU_BUY);
      const expected = reference.sdrPrices(2_000n, 3_500n, LIU_SELL, LIU_BUY);
      expect(result.supplyWh).to.equal(2_000n);
      expect(result.demandWh).to.equal(3_500n);
      expect(result.sellPrice).to.equal(expected.pSell);
      expect(result.buyPrice).to.equal(expected.pBuy);
      expect(result.paidToGrid).to.equal((1_500n * LIU_BUY) / 1000n);
      expect(result.paidByGrid).to.equal(0n);
    });

    it("makes the grid account pay for a surplus at the sell price, rounded up", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      const result = await harness.levelTwo([10n, 0n], [3n, 4n], 1_001n, 2_000n);
      expect([result.supplyWh, result.demandWh]).to.deep.equal([7n, 4n]);
      expect([result.sellPrice, result.buyPrice]).to.deep.equal([1_001n, 1_001n]);
      expect(result.paidToGrid).to.equal(0n);
      expect(result.paidByGrid).to.equal(4n); // ceil(3 · 1 001 / 1 000)
    });

    it("gives λs and no grid flow without microgrids", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      const result = await harness.levelTwo([], [], LIU_SELL, LIU_BUY);
      expect([...result]).to.deep.equal([0n, 0n, LIU_SELL, LIU_SELL, 0n, 0n]);
    });

    it("reverts with SdrLengthMismatch when the lists differ in length", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.levelTwo([1n, 2n], [1n], LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrLengthMismatch")
        .withArgs(2n, 1n);
    });

    it("reverts with SdrEnergyOutOfRange when a microgrid's surplus or deficit is out of range", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.levelTwo([0n, MAX_ENERGY_WH + 1n], [0n, 0n], LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrEnergyOutOfRange")
        .withArgs(MAX_ENERGY_WH + 1n, MAX_ENERGY_WH);
      await expect(harness.levelTwo([0n], [MAX_ENERGY_WH + 1n], LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrEnergyOutOfRange")
        .withArgs(MAX_ENERGY_WH + 1n, MAX_ENERGY_WH);
    });

    it("reverts with SdrEnergyOutOfRange when the total of the nets is out of range", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.levelTwo([0n, 0n], [MAX_ENERGY_WH, 1n], LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrEnergyOutOfRange")
        .withArgs(MAX_ENERGY_WH + 1n, MAX_ENERGY_WH);
    });

    it("reverts with the price errors of sdrPrices", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.levelTwo([1n], [2n], LIU_BUY, LIU_SELL))
        .to.be.revertedWithCustomError(harness, "SdrPricesInverted")
        .withArgs(LIU_BUY, LIU_SELL);
    });
  });

  describe("outsidePrices", function () {
    const p2Sell = 5n * 10n ** 17n;
    const p2Buy = 666_666_666_666_666_667n;

    it("gives (P2_sell, λ_buy) to a microgrid with a positive net", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.outsidePrices(3n, 2n, p2Sell, p2Buy, LIU_SELL, LIU_BUY)).to.deep.equal([
        p2Sell,
        LIU_BUY,
      ]);
    });

    it("gives (λ_sell, P2_buy) to a microgrid with a negative net", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.outsidePrices(2n, 3n, p2Sell, p2Buy, LIU_SELL, LIU_BUY)).to.deep.equal([
        LIU_SELL,
        p2Buy,
      ]);
    });

    it("gives the tariff (λ_sell, λ_buy) to a balanced microgrid", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.outsidePrices(0n, 0n, p2Sell, p2Buy, LIU_SELL, LIU_BUY)).to.deep.equal([
        LIU_SELL,
        LIU_BUY,
      ]);
      expect(await harness.outsidePrices(7n, 7n, p2Sell, p2Buy, LIU_SELL, LIU_BUY)).to.deep.equal([
        LIU_SELL,
        LIU_BUY,
      ]);
    });
  });

  describe("levelOnePrices", function () {
    it("gives the SDR prices of the microgrid between its outside prices", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      const outsideBuy = 666_666_666_666_666_667n;
      const expected = reference.sdrPrices(1_000n, 4_000n, LIU_SELL, outsideBuy);
      expect(await harness.levelOnePrices(1_000n, 4_000n, LIU_SELL, outsideBuy)).to.deep.equal([
        expected.pSell,
        expected.pBuy,
      ]);
    });

    it("returns equal outside prices both, as when level 2 had surplus", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.levelOnePrices(1n, 9n, LIU_SELL, LIU_SELL)).to.deep.equal([LIU_SELL, LIU_SELL]);
    });

    it("reverts with SdrPricesInverted when the outside prices are inverted", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.levelOnePrices(1n, 2n, LIU_SELL + 1n, LIU_SELL))
        .to.be.revertedWithCustomError(harness, "SdrPricesInverted")
        .withArgs(LIU_SELL + 1n, LIU_SELL);
    });

    it("reverts with SdrEnergyOutOfRange when the microgrid's surplus is out of range", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.levelOnePrices(MAX_ENERGY_WH + 1n, 2n, LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrEnergyOutOfRange")
        .withArgs(MAX_ENERGY_WH + 1n, MAX_ENERGY_WH);
    });
  });

  describe("gridFlow", function () {
    it("pays the grid account for a deficit at the buy price, rounded down", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      // (5 − 2) Wh · 1 999 / 1 000 = 5.997
      expect(await harness.gridFlow(2n, 5n, 1_000n, 1_999n)).to.deep.equal([5n, 0n]);
    });

    it("charges the grid account for a surplus at the sell price, rounded up", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      // (5 − 2) Wh · 1 001 / 1 000 = 3.003
      expect(await harness.gridFlow(5n, 2n, 1_001n, 1_999n)).to.deep.equal([0n, 4n]);
    });

    it("has no flow when supply equals demand", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.gridFlow(5n, 5n, LIU_SELL, LIU_BUY)).to.deep.equal([0n, 0n]);
    });

    it("reverts with SdrEnergyOutOfRange when an amount is out of range", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.gridFlow(0n, MAX_ENERGY_WH + 1n, LIU_SELL, LIU_BUY))
        .to.be.revertedWithCustomError(harness, "SdrEnergyOutOfRange")
        .withArgs(MAX_ENERGY_WH + 1n, MAX_ENERGY_WH);
    });

    it("reverts with the price errors of sdrPrices", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.gridFlow(1n, 0n, 0n, LIU_BUY)).to.be.revertedWithCustomError(
        harness,
        "SdrZeroSellPrice",
      );
      await expect(harness.gridFlow(1n, 0n, LIU_SELL, MAX_PRICE + 1n))
        .to.be.revertedWithCustomError(harness, "SdrPriceOutOfRange")
        .withArgs(MAX_PRICE + 1n, MAX_PRICE);
    });
  });

  describe("payoutFor", function () {
    it("values Wh at a price per kWh, rounded down", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.payoutFor(3_000n, 5n * 10n ** 17n)).to.equal(15n * 10n ** 17n);
      expect(await harness.payoutFor(1n, 1_999n)).to.equal(1n);
      expect(await harness.payoutFor(1n, 999n)).to.equal(0n);
      expect(await harness.payoutFor(0n, MAX_PRICE)).to.equal(0n);
      expect(await harness.payoutFor(2n ** 128n, 2n ** 128n - 1n)).to.equal(
        (2n ** 256n - 2n ** 128n) / 1000n,
      );
    });

    it("reverts with SdrValueOverflow when the value does not fit in 256 bits", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.payoutFor(2n ** 128n, 2n ** 128n))
        .to.be.revertedWithCustomError(harness, "SdrValueOverflow")
        .withArgs(2n ** 128n, 2n ** 128n);
    });
  });

  describe("chargeFor", function () {
    it("values Wh at a price per kWh, rounded up", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      expect(await harness.chargeFor(3_000n, 5n * 10n ** 17n)).to.equal(15n * 10n ** 17n);
      expect(await harness.chargeFor(1n, 1_001n)).to.equal(2n);
      expect(await harness.chargeFor(1n, 1n)).to.equal(1n);
      expect(await harness.chargeFor(0n, MAX_PRICE)).to.equal(0n);
      expect(await harness.chargeFor(2n ** 128n, 2n ** 128n - 1n)).to.equal(
        (2n ** 256n - 2n ** 128n + 999n) / 1000n,
      );
    });

    it("reverts with SdrValueOverflow when the value does not fit in 256 bits", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.chargeFor(2n ** 255n, 2n))
        .to.be.revertedWithCustomError(harness, "SdrValueOverflow")
        .withArgs(2n ** 255n, 2n);
    });
  });

  describe("amountsFor", function () {
    it("rounds payouts down and charges up, query by query", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      const amounts = await harness.amountsFor([
        { qtyWh: 7n, priceWadPerKWh: 1_234n, isCharge: false },
        { qtyWh: 7n, priceWadPerKWh: 1_234n, isCharge: true },
        { qtyWh: 1_000n, priceWadPerKWh: 3n, isCharge: true },
      ]);
      expect(amounts).to.deep.equal([8n, 9n, 3n]);
    });

    it("reverts with SdrValueOverflow when a value does not fit in 256 bits", async function () {
      const { harness } = await loadFixture(deploySdrPricingHarness);
      await expect(harness.amountsFor([{ qtyWh: 2n ** 200n, priceWadPerKWh: 2n ** 56n, isCharge: false }]))
        .to.be.revertedWithCustomError(harness, "SdrValueOverflow")
        .withArgs(2n ** 200n, 2n ** 56n);
    });
  });
});
