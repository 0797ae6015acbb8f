// The Hardhat tasks of scripts/tasks/market.ts, run in-process against a suite deployed by deploySuite.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../../deploy/suite";
import { runTaskQuietly } from "../shared/tasks";

async function marketSuite() {
  const [deployer, seller, buyer] = await ethers.getSigners();
  const { record } = await deploySuite(hre);
  const coin = await ethers.getContractAt("TrustCoin", record.contracts.TrustCoin);
  const registry = await ethers.getContractAt("Registry", record.contracts.Registry);
  const market = await ethers.getContractAt("EnergyMarket", record.contracts.EnergyMarket);
  await registry.registerMicrogrid(7);
  await registry.registerParticipant(
    seller.address,
    1,
    7,
    ethers.Wallet.createRandom().address,
    4_000,
    3_000,
  );
  await registry.registerParticipant(buyer.address, 2, 7, ethers.Wallet.createRandom().address, 4_000, 0);
  for (const [i, who] of [seller, buyer].entries()) {
    await coin.issue(who.address, ethers.parseUnits("100", 18), ethers.id(`market-task:${i}`));
    await coin.connect(who).approve(record.contracts.EnergyMarket, ethers.parseUnits("10", 18));
    await market.connect(who).deposit(ethers.parseUnits("10", 18));
  }
  const slot = (await registry.currentSlot()) + 3n;
  return { deployer, seller, buyer, coin, registry, market, slot, at: record.contracts.EnergyMarket };
}

describe("market tasks", function () {
  describe("market:offer", function () {
    it("places an offer and prints the order and position", async function () {
      const { seller, market, slot, at } = await loadFixture(marketSuite);
      const { printed } = await runTaskQuietly("market:offer", {
        slot: String(slot),
        qtyWh: "1000",
        tick: "100",
        from: seller.address,
        at,
      });
      expect(printed).to.contain("placeOffer: tx 0x").and.contain("offer 1: 1000 Wh at tick 100");
      expect((await market.positionOf(seller.address, slot)).orderedWh).to.equal(1_000n);
    });

    it("refuses a price outside the band, a zero tick, a small order and a closed slot before sending", async function () {
      const { seller, slot, at } = await loadFixture(marketSuite);
      const base = { slot: String(slot), qtyWh: "1000", tick: "100", from: seller.address, at };
      await expect(runTaskQuietly("market:offer", { ...base, tick: "301" })).to.be.rejectedWith(
        /--tick: price 0.301 TRC\/kWh lies outside the band/,
      );
      await expect(runTaskQuietly("market:offer", { ...base, tick: "0" })).to.be.rejectedWith(
        /--tick: must be at least 1/,
      );
      await expect(runTaskQuietly("market:offer", { ...base, qtyWh: "5" })).to.be.rejectedWith(
        /--qty-wh: below/,
      );
      await expect(runTaskQuietly("market:offer", { ...base, slot: "0" })).to.be.rejectedWith(
        /--slot: orders for slot 0/,
      );
      await expect(runTaskQuietly("market:offer", { ...base, qtyWh: "x" })).to.be.rejectedWith(/--qty-wh/);
    });
  });

  describe("market:bid", function () {
    it("approves what is missing, places the bid and prints the escrow", async function () {
      const { buyer, market, slot, at } = await loadFixture(marketSuite);
      const { printed } = await runTaskQuietly("market:bid", {
        slot: String(slot),
        qtyWh: "800",
        tick: "150",
        from: buyer.address,
        at,
      });
      expect(printed).to.contain("approve: tx").and.contain("placeBid: tx").and.contain("escrow 0.1212 TRC");
      expect((await market.positionOf(buyer.address, slot)).escrow).to.equal(ethers.parseUnits("0.1212", 18));
    });

    it("refuses an unregistered sender", async function () {
      const { deployer, slot, at } = await loadFixture(marketSuite);
      await expect(
        runTaskQuietly("market:bid", {
          slot: String(slot),
          qtyWh: "800",
          tick: "150",
          from: deployer.address,
          at,
        }),
      ).to.be.rejectedWith(/--from: .* is not a registered participant/);
    });
  });

  describe("market:cancel", function () {
    it("cancels the sender's order and refuses another's or an unknown one", async function () {
      const { seller, buyer, market, slot, at } = await loadFixture(marketSuite);
      await market.connect(seller).placeOffer(slot, 1_000n, 100);
      await expect(
        runTaskQuietly("market:cancel", { slot: String(slot), orderId: "1", from: buyer.address, at }),
      ).to.be.rejectedWith(/--order-id: order 1 belongs to/);
      await expect(
        runTaskQuietly("market:cancel", { slot: String(slot), orderId: "9", from: seller.address, at }),
      ).to.be.rejectedWith(/--order-id: no order 9/);
      const { printed } = await runTaskQuietly("market:cancel", {
        slot: String(slot),
        orderId: "1",
        from: seller.address,
        at,
      });
      expect(printed).to.contain("cancel: tx 0x");
      expect((await market.positionOf(seller.address, slot)).liveOrders).to.equal(0n);
      await expect(
        runTaskQuietly("market:cancel", { slot: String(slot), orderId: "1", from: seller.address, at }),
      ).to.be.rejectedWith(/cancelled already/);
    });
  });

  describe("market:book, market:clear and market:fills", function () {
    it("shows the depth, clears after the gate and shows the fills", async function () {
      const { seller, buyer, coin, market, registry, slot, at } = await loadFixture(marketSuite);
      await market.connect(seller).placeOffer(slot, 1_000n, 100);
      await coin.connect(buyer).approve(at, ethers.MaxUint256);
      await market.connect(buyer).placeBid(slot, 800n, 150);
      const book = await runTaskQuietly("market:book", { microgrid: "7", slot: String(slot), at });
      expect(book.printed).to.contain("open, 2 orders").and.contain("100 | 0 1000 0 0 | 0 0 0 0");
      expect(book.printed).to.contain("150 | 0 0 0 0 | 0 800 0 0");
      await expect(
        runTaskQuietly("market:clear", { microgrid: "7", slot: String(slot), at }),
      ).to.be.rejectedWith(/not passed yet/);
      await expect(
        runTaskQuietly("market:book", { microgrid: "8", slot: String(slot), at }),
      ).to.be.rejectedWith(/--microgrid: microgrid 8 is not registered/);
      await time.increaseTo(await registry.gate(slot));
      const cleared = await runTaskQuietly("market:clear", {
        microgrid: "7",
        slot: String(slot),
        all: "true",
        at,
      });
      expect(cleared.printed).to.contain("cleared: true").and.contain("traded 750 Wh by 1 buyer(s)");
      const fills = await runTaskQuietly("market:fills", { account: buyer.address, slot: String(slot), at });
      expect(fills.printed).to.contain("order 2: bid 800 Wh at tick 150, level 2; filled 750 Wh");
    });
  });
});
