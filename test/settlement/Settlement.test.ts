import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import {
  FEE_BPS,
  OUTSIDE_SLOT,
  PENALTY_BPS,
  ROLES,
  TRC,
  bid,
  checkMoney,
  clearSlot,
  deploySuite,
  level2Deadline,
  offer,
  payAllFees,
  writeMeter,
  type Suite,
} from "./fixtures";
import { Rational, exactSdrPrices } from "../reference/sdr";

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** The suite with an empty, cleared slot (no orders), microgrids not final yet. */
async function clearedEmptyFixture() {
  const suite = await deploySuite();
  await clearSlot(suite, suite.slot);
  return suite;
}

/**
 * Microgrid 1: seller S offers 1 000 Wh at 0.25 TRC/kWh, buyer B bids 1 000 Wh up to 0.3; S delivers 600 Wh
 * (shortfall 400), B consumes exactly 1 000 Wh, reader R (no orders) exports 500 Wh. Microgrid 2: reader Q
 * imports 300 Wh. Microgrid 3: empty. All final, fees paid, level 2 run.
 */
async function tradedFixture() {
  const suite = await deploySuite();
  const { slot, accounts } = suite;
  const [S, B, R] = accounts[0];
  const Q = accounts[1][0];
  await offer(suite, S, slot, 1_000n, 250n);
  await bid(suite, B, slot, 1_000n, 300n);
  await clearSlot(suite, slot);
  await writeMeter(suite, 1, slot, [
    { account: S.address, status: "Read", exportWh: 600n },
    { account: B.address, status: "Read", importWh: 1_000n },
    { account: R.address, status: "Read", exportWh: 500n },
  ]);
  await writeMeter(suite, 2, slot, [{ account: Q.address, status: "Read", importWh: 300n }]);
  await writeMeter(suite, 3, slot, []);
  await payAllFees(suite, slot);
  await suite.settlement.runLevel2(slot);
  return { ...suite, S, B, R, Q };
}

/** Microgrid 1 reader R exports 1 000 Wh with nothing to absorb it; the grid account has no balance. */
async function underfundedFixture() {
  const suite = await deploySuite({ gridDepositTrc: 0n });
  const { slot, accounts } = suite;
  const R = accounts[0][0];
  await clearSlot(suite, slot);
  await writeMeter(suite, 1, slot, [{ account: R.address, status: "Read", exportWh: 1_000n }]);
  await writeMeter(suite, 2, slot, []);
  await writeMeter(suite, 3, slot, []);
  await payAllFees(suite, slot);
  await suite.settlement.runLevel2(slot);
  return { ...suite, R };
}

/** Reader D of microgrid 1 imports 5 000 Wh with only 0.01 TRC left in its balance. */
async function debtFixture() {
  const suite = await deploySuite();
  const { slot, accounts, market } = suite;
  const D = accounts[0][0];
  await market.connect(D).withdraw(100n * TRC - TRC / 100n);
  await clearSlot(suite, slot);
  await writeMeter(suite, 1, slot, [{ account: D.address, status: "Read", importWh: 5_000n }]);
  await writeMeter(suite, 2, slot, []);
  await writeMeter(suite, 3, slot, []);
  await payAllFees(suite, slot);
  await suite.settlement.runLevel2(slot);
  return { ...suite, D };
}

/** SPEC worked example: A = (+3, −1) kWh, B = (−4, +1) kWh at (λs, λb) = (0.4, 1.0) TRC/kWh. */
async function workedExampleFixture() {
  const suite = await deploySuite({ microgrids: 2, gridBuyPrice: TRC, gridSellPrice: (4n * TRC) / 10n });
  const { slot, accounts } = suite;
  const [a1, a2] = accounts[0];
  const [b1, b2] = accounts[1];
  await clearSlot(suite, slot);
  await writeMeter(suite, 1, slot, [
    { account: a1.address, status: "Read", exportWh: 3_000n },
    { account: a2.address, status: "Read", importWh: 1_000n },
  ]);
  await writeMeter(suite, 2, slot, [
    { account: b1.address, status: "Read", importWh: 4_000n },
    { account: b2.address, status: "Read", exportWh: 1_000n },
  ]);
  await payAllFees(suite, slot);
  return { ...suite, a1, a2, b1, b2 };
}

async function settleAll(suite: Suite, accounts: string[]) {
  for (const account of accounts) await suite.settlement.settle(account, suite.slot);
}

describe("Settlement", function () {
  describe("constructor", function () {
    it("refuses a zero address for every dependency", async function () {
      const suite = await loadFixture(clearedEmptyFixture);
      const args = [
        suite.admin.address,
        await suite.coin.getAddress(),
        await suite.registry.getAddress(),
        await suite.market.getAddress(),
        await suite.meter.getAddress(),
        await suite.oracle.getAddress(),
      ];
      const factory = await ethers.getContractFactory("Settlement");
      for (let i = 0; i < args.length; i++) {
        const broken = [...args];
        broken[i] = ethers.ZeroAddress;
        await expect(
          factory.deploy(broken[0], broken[1], broken[2], broken[3], broken[4], broken[5]),
        ).to.be.revertedWithCustomError(suite.settlement, "ZeroAddress");
      }
    });

    it("gives the admin DEFAULT_ADMIN_ROLE and exposes its wiring", async function () {
      const { settlement, admin, market, meter } = await loadFixture(clearedEmptyFixture);
      expect(await settlement.hasRole(ethers.ZeroHash, admin.address)).to.equal(true);
      expect(await settlement.MARKET()).to.equal(await market.getAddress());
      expect(await settlement.METER()).to.equal(await meter.getAddress());
      expect(await settlement.OUTSIDE_SLOT()).to.equal(OUTSIDE_SLOT);
    });
  });

  describe("payBlockFees", function () {
    async function feesFixture() {
      const suite = await deploySuite();
      const [S, B] = suite.accounts[0];
      await offer(suite, S, suite.slot, 2_000n, 100n);
      await bid(suite, B, suite.slot, 2_000n, 150n);
      return { ...suite, S, B };
    }

    it("reverts for a caller without CONSENSUS_ROLE", async function () {
      const { settlement, stranger, slot } = await loadFixture(feesFixture);
      await expect(settlement.connect(stranger).payBlockFees(1, slot, stranger.address, 0))
        .to.be.revertedWithCustomError(settlement, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ROLES.CONSENSUS_ROLE);
    });

    it("reverts before the book is cleared", async function () {
      const { settlement, consensus, slot } = await loadFixture(feesFixture);
      await expect(settlement.connect(consensus).payBlockFees(1, slot, consensus.address, 0))
        .to.be.revertedWithCustomError(settlement, "BookNotCleared")
        .withArgs(1, slot);
    });

    it("pays the proposer up to the fee aggregate and burns the rest", async function () {
      const suite = await loadFixture(feesFixture);
      const { settlement, consensus, coin, market, slot, stranger } = suite;
      await clearSlot(suite, slot);
      // 2 000 Wh at 0.1 TRC/kWh: cost 0.2 TRC, fee aggregate 1 % = 0.002 TRC.
      const aggregate = (2_000n * 100n * 10n ** 15n * FEE_BPS) / (1000n * 10_000n);
      const payout = aggregate / 3n;
      const burnedBefore = await coin.totalBurned();
      await expect(settlement.connect(consensus).payBlockFees(1, slot, stranger.address, payout))
        .to.emit(settlement, "BlockFeesPaid")
        .withArgs(1, slot, stranger.address, payout, aggregate - payout);
      expect(await coin.balanceOf(stranger.address)).to.equal(payout);
      expect(await coin.totalBurned()).to.equal(burnedBefore + aggregate - payout);
      expect(await market.settlementPool()).to.equal(-aggregate);
      expect((await settlement.slotMoney(slot)).moneyOut).to.equal(aggregate);
      expect((await settlement.microgridProgress(1, slot)).feesPaid).to.equal(true);
      await checkMoney(suite, [slot]);
    });

    it("caps the payout at the aggregate and pays a zero proposer nothing", async function () {
      const suite = await loadFixture(feesFixture);
      const { settlement, consensus, slot, stranger } = suite;
      await clearSlot(suite, slot);
      const aggregate = 2_000n * 10n ** 12n;
      await expect(settlement.connect(consensus).payBlockFees(1, slot, stranger.address, 10n * TRC))
        .to.emit(settlement, "BlockFeesPaid")
        .withArgs(1, slot, stranger.address, aggregate, 0);
      await expect(settlement.connect(consensus).payBlockFees(2, slot, ethers.ZeroAddress, 10n * TRC))
        .to.emit(settlement, "BlockFeesPaid")
        .withArgs(2, slot, ethers.ZeroAddress, 0, 0);
    });

    it("reverts the second time for the same microgrid-slot", async function () {
      const suite = await loadFixture(feesFixture);
      const { settlement, consensus, slot } = suite;
      await clearSlot(suite, slot);
      await settlement.connect(consensus).payBlockFees(1, slot, ethers.ZeroAddress, 0);
      await expect(settlement.connect(consensus).payBlockFees(1, slot, ethers.ZeroAddress, 0))
        .to.be.revertedWithCustomError(settlement, "BlockFeesAlreadyPaid")
        .withArgs(1, slot);
    });
  });

  describe("runLevel2", function () {
    it("reverts while a microgrid is not final and the deadline has not come", async function () {
      const suite = await loadFixture(clearedEmptyFixture);
      await writeMeter(suite, 1, suite.slot, []);
      await writeMeter(suite, 3, suite.slot, []);
      const deadline = await level2Deadline(suite, suite.slot);
      await expect(suite.settlement.runLevel2(suite.slot))
        .to.be.revertedWithCustomError(suite.settlement, "Level2NotReady")
        .withArgs(suite.slot, 2, deadline);
    });

    it("runs at the deadline without a microgrid that is not final, which is then balanced at the tariff", async function () {
      const suite = await loadFixture(clearedEmptyFixture);
      const { settlement, slot, accounts, gridBuyPrice, gridSellPrice } = suite;
      await writeMeter(suite, 1, slot, [
        { account: accounts[0][0].address, status: "Read", exportWh: 1_000n },
      ]);
      await writeMeter(suite, 3, slot, []);
      await time.increaseTo(await level2Deadline(suite, slot));
      await expect(settlement.runLevel2(slot)).to.emit(settlement, "Level2Run");
      expect((await settlement.level1Of(2, slot)).counted).to.equal(false);
      expect((await settlement.microgridProgress(2, slot)).priced).to.equal(false);
      // Microgrid 2 becomes final later: its reader imports 400 Wh; its residual goes to the grid at λb.
      const Q = accounts[1][0];
      await writeMeter(suite, 2, slot, [{ account: Q.address, status: "Read", importWh: 400n }]);
      await payAllFees(suite, slot);
      await expect(settlement.settle(Q.address, slot))
        .to.emit(settlement, "Level1Priced")
        .withArgs(2, slot, false, gridSellPrice, gridBuyPrice, gridBuyPrice, gridBuyPrice);
      const level1 = await settlement.level1Of(2, slot);
      expect(level1.buyPrice).to.equal(gridBuyPrice);
      // Q pays 400 Wh at λb; the grid account receives the same (0.12 TRC).
      const residual = (400n * gridBuyPrice) / 1000n;
      await expect(settlement.settle(accounts[0][0].address, slot)).to.emit(settlement, "SlotClosed");
      const money = await settlement.slotMoney(slot);
      expect(money.closed).to.equal(true);
      // Level 2 (1 000 Wh surplus, paid by the grid at λs) and the late residual balance exactly.
      expect(money.moneyIn - money.moneyOut).to.equal(0n);
      expect(residual).to.equal(120_000_000_000_000_000n);
      await checkMoney(suite, [slot]);
    });

    it("counts a microgrid final after the deadline as late even when all are final", async function () {
      const suite = await loadFixture(clearedEmptyFixture);
      const { settlement, slot } = suite;
      const deadline = await level2Deadline(suite, slot);
      await writeMeter(suite, 1, slot, []);
      await writeMeter(suite, 2, slot, [], deadline);
      await writeMeter(suite, 3, slot, [], deadline - 1n);
      await settlement.runLevel2(slot);
      expect((await settlement.level1Of(2, slot)).counted).to.equal(false);
      expect((await settlement.level1Of(3, slot)).counted).to.equal(true);
      expect((await settlement.level2Of(slot)).done).to.equal(true);
    });

    it("reverts the second time", async function () {
      const { settlement, slot } = await loadFixture(tradedFixture);
      await expect(settlement.runLevel2(slot))
        .to.be.revertedWithCustomError(settlement, "Level2AlreadyRun")
        .withArgs(slot);
    });

    it("closes a slot without participants at once, with zero dust", async function () {
      const suite = await loadFixture(clearedEmptyFixture);
      for (const m of suite.microgrids) await writeMeter(suite, m, suite.slot, []);
      await payAllFees(suite, suite.slot);
      await expect(suite.settlement.runLevel2(suite.slot))
        .to.emit(suite.settlement, "SlotClosed")
        .withArgs(suite.slot, 0, 0, 0);
    });
  });

  describe("SPEC worked example", function () {
    it("prices level 2 at (0.5, 2/3), A at (0.5, 0.5), B at (4/7, 9/14), and pays the grid account 1 TRC", async function () {
      const suite = await loadFixture(workedExampleFixture);
      const { settlement, slot, market, grid, a1, a2, b1, b2 } = suite;
      const gridBefore = await market.balanceOf(grid.address);
      await expect(settlement.runLevel2(slot))
        .to.emit(settlement, "Level2Run")
        .withArgs(slot, 2_000, 3_000, TRC / 2n, ceilDiv(2n * TRC, 3n), TRC, 0);
      expect(await market.balanceOf(grid.address)).to.equal(gridBefore + TRC);
      const exact = exactSdrPrices(2_000n, 3_000n, (4n * TRC) / 10n, TRC);
      expect(exact.sell.cmp(new Rational(TRC, 2n))).to.equal(0);
      expect(exact.buy.cmp(new Rational(2n * TRC, 3n))).to.equal(0);
      const a = await settlement.level1Of(1, slot);
      expect([a.counted, a.outsideSellPrice, a.outsideBuyPrice, a.sellPrice, a.buyPrice]).to.deep.equal([
        true,
        TRC / 2n,
        TRC,
        TRC / 2n,
        TRC / 2n,
      ]);
      const b = await settlement.level1Of(2, slot);
      expect(b.outsideSellPrice).to.equal((4n * TRC) / 10n);
      expect(b.outsideBuyPrice).to.equal(ceilDiv(2n * TRC, 3n));
      // 4/7 and 9/14 TRC/kWh: 571428571428571428.57… down, 642857142857142857.14… up.
      expect(b.sellPrice).to.equal((4n * TRC) / 7n);
      expect(b.sellPrice).to.equal(571428571428571428n);
      expect(b.buyPrice).to.equal(ceilDiv(9n * TRC, 14n));
      expect(b.buyPrice).to.equal(642857142857142858n);

      const before = await Promise.all([a1, a2, b1, b2].map((s) => market.balanceOf(s.address)));
      await settleAll(suite, [a1.address, a2.address, b1.address, b2.address]);
      const after = await Promise.all([a1, a2, b1, b2].map((s) => market.balanceOf(s.address)));
      expect(after[0] - before[0]).to.equal((3n * TRC) / 2n);
      expect(before[1] - after[1]).to.equal(TRC / 2n);
      expect(before[2] - after[2]).to.equal(ceilDiv(4_000n * 642857142857142858n, 1000n));
      expect(after[3] - before[3]).to.equal(571428571428571428n);
      const money = await settlement.slotMoney(slot);
      expect(money.closed).to.equal(true);
      // Exact books balance; the dust is the rounding of B's prices: 4 base units.
      expect(money.moneyIn - money.moneyOut).to.equal(4n);
      expect(await settlement.dust()).to.equal(4n);
      await checkMoney(suite, [slot]);
    });
  });

  describe("settle", function () {
    it("reverts before level 2 has run", async function () {
      const suite = await loadFixture(clearedEmptyFixture);
      await expect(suite.settlement.settle(suite.accounts[0][0].address, suite.slot))
        .to.be.revertedWithCustomError(suite.settlement, "Level2NotRun")
        .withArgs(suite.slot);
    });

    it("reverts while the participant's microgrid is not final", async function () {
      const suite = await loadFixture(clearedEmptyFixture);
      await writeMeter(suite, 1, suite.slot, []);
      await writeMeter(suite, 3, suite.slot, []);
      await time.increaseTo(await level2Deadline(suite, suite.slot));
      await suite.settlement.runLevel2(suite.slot);
      await expect(suite.settlement.settle(suite.accounts[1][0].address, suite.slot))
        .to.be.revertedWithCustomError(suite.settlement, "MeterDataNotFinal")
        .withArgs(2, suite.slot);
    });

    it("reverts for an account with neither orders nor a reading", async function () {
      const { settlement, slot, accounts } = await loadFixture(tradedFixture);
      await expect(settlement.settle(accounts[0][3].address, slot))
        .to.be.revertedWithCustomError(settlement, "NothingToSettle")
        .withArgs(accounts[0][3].address, slot);
    });

    it("reverts the second time", async function () {
      const { settlement, slot, R } = await loadFixture(tradedFixture);
      await settlement.settle(R.address, slot);
      await expect(settlement.settle(R.address, slot))
        .to.be.revertedWithCustomError(settlement, "AlreadySettled")
        .withArgs(R.address, slot);
    });

    it("refunds a buyer's unused escrow, rates it 5 and scores its trade at its cost", async function () {
      const suite = await loadFixture(tradedFixture);
      const { settlement, oracle, market, slot, B } = suite;
      const position = await market.positionOf(B.address, slot);
      expect(position.money).to.equal(TRC / 4n);
      expect(position.fee).to.equal(TRC / 400n);
      const refund = position.escrow - position.money - position.fee;
      const before = await market.balanceOf(B.address);
      expect(await settlement.hasSettledTrade(B.address, slot)).to.equal(false);
      await expect(settlement.settle(B.address, slot))
        .to.emit(settlement, "ParticipantSettled")
        .withArgs(B.address, slot, 0, refund, 0, 0, 0, 0, 5);
      await expect(settlement.settle(suite.S.address, slot))
        .to.emit(oracle, "TraderScoreUpdated")
        .withArgs(
          suite.S.address,
          slot,
          3,
          TRC / 4n,
          (v: bigint) => v > 0n,
          (v: bigint) => v > 0n,
        );
      expect(await market.balanceOf(B.address)).to.equal(before + refund);
      expect((await market.positionOf(B.address, slot)).escrow).to.equal(0n);
      expect(await settlement.hasSettledTrade(B.address, slot)).to.equal(true);
      expect(await settlement.isSettled(B.address, slot)).to.equal(true);
      await checkMoney(suite, [slot]);
    });

    it("charges a seller's shortfall at the penalty price and burns the excess over P1_buy", async function () {
      const suite = await loadFixture(tradedFixture);
      const { settlement, market, coin, slot, S } = suite;
      const p1 = await settlement.level1Of(1, slot);
      // Microgrid 1: TES 500 (R), TEP 400 (S), net surplus: P1 = P2_sell both; the shortfall of 400 Wh costs
      // max(P1_buy, 0.25 · 1.2) = 0.3 TRC/kWh; the excess over P1_buy burns.
      expect(p1.buyPrice).to.equal((await settlement.level2Of(slot)).sellPrice);
      expect(p1.sellPrice).to.equal(p1.buyPrice);
      const proceeds = TRC / 4n;
      const poolPart = ceilDiv(400n * p1.buyPrice, 1000n);
      const penaltyPrice = new Rational(proceeds * 1000n * (10_000n + PENALTY_BPS), 1_000n * 10_000n);
      expect(penaltyPrice.cmp(Rational.of(p1.buyPrice))).to.equal(1);
      const excess = penaltyPrice.sub(Rational.of(p1.buyPrice)).mul(new Rational(400n, 1000n)).ceil();
      const burnedBefore = await coin.totalBurned();
      const before = await market.balanceOf(S.address);
      await expect(settlement.settle(S.address, slot))
        .to.emit(settlement, "ParticipantSettled")
        .withArgs(S.address, slot, -400, proceeds, poolPart + excess, poolPart + excess, excess, 0, 3);
      expect(await market.balanceOf(S.address)).to.equal(before + proceeds - poolPart - excess);
      expect(await coin.totalBurned()).to.equal(burnedBefore + excess);
      expect(poolPart + excess >= (400n * 3n * TRC) / 10n / 1000n).to.equal(true);
      await checkMoney(suite, [slot]);
    });

    it("makes not delivering at all cost more than the forward sale earned", async function () {
      const suite = await deploySuite();
      const { settlement, market, slot, accounts } = suite;
      const [S, B] = accounts[0];
      await offer(suite, S, slot, 2_000n, 280n);
      await bid(suite, B, slot, 2_000n, 300n);
      await clearSlot(suite, slot);
      await writeMeter(suite, 1, slot, [
        { account: S.address, status: "Read" },
        { account: B.address, status: "Read", importWh: 2_000n },
      ]);
      await writeMeter(suite, 2, slot, []);
      await writeMeter(suite, 3, slot, []);
      await payAllFees(suite, slot);
      await settlement.runLevel2(slot);
      const proceeds = (await market.positionOf(S.address, slot)).money;
      const before = await market.balanceOf(S.address);
      await expect(settlement.settle(S.address, slot))
        .to.emit(settlement, "ParticipantSettled")
        .withArgs(
          S.address,
          slot,
          -2_000,
          proceeds,
          (c: bigint) => c >= (proceeds * 12n) / 10n,
          ...anyRest(4),
        );
      const after = await market.balanceOf(S.address);
      expect(after < before).to.equal(true);
      expect(before - after >= proceeds / 5n).to.equal(true);
      await checkMoney(suite, [slot]);
    });

    it("charges an account with orders and no meter record as missing, with α 1", async function () {
      const suite = await deploySuite();
      const { settlement, slot, accounts, market } = suite;
      const [S, B] = accounts[0];
      await offer(suite, S, slot, 1_000n, 100n);
      await bid(suite, B, slot, 1_000n, 100n);
      await clearSlot(suite, slot);
      // B has no record at all (default finality without accountMissing): I = −20 000 + 1 000.
      await writeMeter(suite, 1, slot, [
        { account: S.address, status: "Read", exportWh: 1_000n },
        { account: B.address, status: "None" },
      ]);
      await writeMeter(suite, 2, slot, []);
      await writeMeter(suite, 3, slot, []);
      await payAllFees(suite, slot);
      await settlement.runLevel2(slot);
      const p1 = await settlement.level1Of(1, slot);
      const charge = ceilDiv(19_000n * p1.buyPrice, 1000n);
      const position = await market.positionOf(B.address, slot);
      await expect(settlement.settle(B.address, slot))
        .to.emit(settlement, "ParticipantSettled")
        .withArgs(
          B.address,
          slot,
          -19_000,
          position.escrow - position.money - position.fee,
          charge,
          charge,
          0,
          0,
          1,
        );
      await settlement.settle(S.address, slot);
      const money = await settlement.slotMoney(slot);
      expect(money.closed).to.equal(true);
      await checkMoney(suite, [slot]);
    });

    it("rates a seller excluded by the block 1 whatever it delivered", async function () {
      const suite = await deploySuite();
      const { settlement, slot, accounts } = suite;
      const [S, B] = accounts[0];
      await offer(suite, S, slot, 1_000n, 100n);
      await bid(suite, B, slot, 1_000n, 100n);
      await clearSlot(suite, slot);
      await writeMeter(suite, 1, slot, [
        { account: S.address, status: "Excluded" },
        { account: B.address, status: "Substitute", importWh: 1_500n },
      ]);
      await writeMeter(suite, 2, slot, []);
      await writeMeter(suite, 3, slot, []);
      await payAllFees(suite, slot);
      await settlement.runLevel2(slot);
      await expect(settlement.settle(S.address, slot))
        .to.emit(suite.oracle, "TraderScoreUpdated")
        .withArgs(S.address, slot, 1, TRC / 10n, ...anyRest(2));
      // B consumed 500 Wh beyond its purchase: fully consumed, α 5 from its substitute reading.
      await expect(settlement.settle(B.address, slot))
        .to.emit(suite.oracle, "TraderScoreUpdated")
        .withArgs(B.address, slot, 5, TRC / 10n, ...anyRest(2));
    });

    it("has the grid account advance what a participant cannot pay, owed as its debt", async function () {
      const suite = await loadFixture(debtFixture);
      const { settlement, market, registry, grid, slot, D } = suite;
      const p1 = await settlement.level1Of(1, slot);
      const charge = ceilDiv(5_000n * p1.buyPrice, 1000n);
      const balance = await market.balanceOf(D.address);
      const gridBefore = await market.balanceOf(grid.address);
      await expect(settlement.settle(D.address, slot))
        .to.emit(settlement, "ParticipantSettled")
        .withArgs(D.address, slot, -5_000, 0, charge, balance, 0, charge - balance, 0);
      expect(await settlement.debtOf(D.address)).to.equal(charge - balance);
      expect((await registry.participant(D.address)).indebted).to.equal(true);
      expect(await market.balanceOf(grid.address)).to.equal(gridBefore - (charge - balance));
      expect(await market.balanceOf(D.address)).to.equal(0n);
      await checkMoney(suite, [slot]);
    });

    it("reverts a net payout with GridAccountUnderfunded while the grid account owes the pool", async function () {
      const suite = await loadFixture(underfundedFixture);
      const { settlement, slot, R, grid, market, registry } = suite;
      const owed = ceilDiv(1_000n * suite.gridSellPrice, 1000n);
      expect(await settlement.gridDebt()).to.equal(owed);
      expect((await registry.participant(grid.address)).indebted).to.equal(true);
      await expect(settlement.settle(R.address, slot))
        .to.be.revertedWithCustomError(settlement, "GridAccountUnderfunded")
        .withArgs(owed);
      await market.connect(grid).deposit(TRC);
      await expect(settlement.collectGridDebt()).to.emit(settlement, "GridDebtCollected").withArgs(owed, 0);
      expect((await registry.participant(grid.address)).indebted).to.equal(false);
      await settlement.settle(R.address, slot);
      expect((await settlement.slotMoney(slot)).closed).to.equal(true);
      await checkMoney(suite, [slot]);
    });
  });

  describe("repayDebt", function () {
    it("reverts for zero", async function () {
      const { settlement, D } = await loadFixture(debtFixture);
      await expect(settlement.connect(D).repayDebt(0)).to.be.revertedWithCustomError(
        settlement,
        "ZeroAmount",
      );
    });

    it("reverts above the debt", async function () {
      const { settlement, D, slot } = await loadFixture(debtFixture);
      await settlement.settle(D.address, slot);
      const debt = await settlement.debtOf(D.address);
      await expect(settlement.connect(D).repayDebt(debt + 1n))
        .to.be.revertedWithCustomError(settlement, "RepayExceedsDebt")
        .withArgs(debt + 1n, debt);
    });

    it("reverts above the free prepaid balance", async function () {
      const { settlement, D, slot } = await loadFixture(debtFixture);
      await settlement.settle(D.address, slot);
      await expect(settlement.connect(D).repayDebt(1n))
        .to.be.revertedWithCustomError(settlement, "RepayNotCovered")
        .withArgs(1n, 0n);
    });

    it("moves the repayment to the grid account and clears the flag at zero", async function () {
      const suite = await loadFixture(debtFixture);
      const { settlement, market, registry, grid, D, slot } = suite;
      await settlement.settle(D.address, slot);
      const debt = await settlement.debtOf(D.address);
      await market.connect(D).deposit(debt);
      const gridBefore = await market.balanceOf(grid.address);
      await expect(settlement.connect(D).repayDebt(debt - 1n))
        .to.emit(settlement, "DebtRepaid")
        .withArgs(D.address, debt - 1n, 1n);
      expect((await registry.participant(D.address)).indebted).to.equal(true);
      await expect(settlement.connect(D).repayDebt(1n))
        .to.emit(settlement, "GridAccountSettled")
        .withArgs(OUTSIDE_SLOT, 1n, 0, 0, 0, 0);
      expect((await registry.participant(D.address)).indebted).to.equal(false);
      expect(await market.balanceOf(grid.address)).to.equal(gridBefore + debt);
      expect(await settlement.debtOf(D.address)).to.equal(0n);
      await checkMoney(suite, [slot]);
    });

    it("cancels the grid account's own debt first", async function () {
      const suite = await deploySuite({ gridDepositTrc: 0n });
      const { settlement, market, slot, accounts, grid } = suite;
      const D = accounts[0][0];
      await market.connect(D).withdraw(100n * TRC - TRC / 100n);
      await clearSlot(suite, slot);
      // Microgrid 2 exports more than microgrid 1 imports: the grid account, with no balance, owes for it.
      await writeMeter(suite, 1, slot, [{ account: D.address, status: "Read", importWh: 5_000n }]);
      await writeMeter(suite, 2, slot, [
        { account: accounts[1][0].address, status: "Read", exportWh: 10_000n },
      ]);
      await writeMeter(suite, 3, slot, []);
      await payAllFees(suite, slot);
      await settlement.runLevel2(slot);
      const levelTwoDebt = await settlement.gridDebt();
      expect(levelTwoDebt).to.equal(ceilDiv(5_000n * suite.gridSellPrice, 1000n));
      await settlement.settle(D.address, slot);
      const debt = await settlement.debtOf(D.address);
      expect(await settlement.gridDebt()).to.equal(levelTwoDebt + debt);
      await market.connect(D).deposit(debt);
      await expect(settlement.connect(D).repayDebt(debt))
        .to.emit(settlement, "GridAccountSettled")
        .withArgs(OUTSIDE_SLOT, debt, debt, 0, 0, levelTwoDebt);
      expect(await settlement.gridDebt()).to.equal(levelTwoDebt);
      expect(await market.balanceOf(grid.address)).to.equal(0n);
      await checkMoney(suite, [slot]);
    });
  });

  describe("collectGridDebt", function () {
    it("reverts when the grid account owes nothing", async function () {
      const { settlement } = await loadFixture(tradedFixture);
      await expect(settlement.collectGridDebt()).to.be.revertedWithCustomError(settlement, "NoGridDebt");
    });

    it("reverts when the grid account's balance is empty", async function () {
      const { settlement } = await loadFixture(underfundedFixture);
      const owed = await settlement.gridDebt();
      await expect(settlement.collectGridDebt())
        .to.be.revertedWithCustomError(settlement, "GridDebtNotCollected")
        .withArgs(owed);
    });

    it("collects part of the debt from a short balance", async function () {
      const suite = await loadFixture(underfundedFixture);
      const { settlement, market, grid, registry } = suite;
      const owed = await settlement.gridDebt();
      await market.connect(grid).deposit(owed / 2n);
      await expect(settlement.collectGridDebt())
        .to.emit(settlement, "GridDebtCollected")
        .withArgs(owed / 2n, owed - owed / 2n);
      expect((await registry.participant(grid.address)).indebted).to.equal(true);
      await checkMoney(suite, [suite.slot]);
    });
  });

  describe("burnDust", function () {
    it("reverts while the grid account owes the pool", async function () {
      const { settlement } = await loadFixture(underfundedFixture);
      const owed = await settlement.gridDebt();
      await expect(settlement.burnDust())
        .to.be.revertedWithCustomError(settlement, "GridAccountUnderfunded")
        .withArgs(owed);
    });

    it("reverts without dust", async function () {
      const { settlement, market } = await loadFixture(tradedFixture);
      await expect(settlement.burnDust())
        .to.be.revertedWithCustomError(settlement, "NoDustToBurn")
        .withArgs(0, await market.settlementPool());
    });

    it("burns the dust of closed slots into the budget", async function () {
      const suite = await loadFixture(workedExampleFixture);
      const { settlement, coin, market, slot, a1, a2, b1, b2 } = suite;
      await settlement.runLevel2(slot);
      await settleAll(suite, [a1.address, a2.address, b1.address, b2.address]);
      const budget = await coin.rewardBudget();
      await expect(settlement.burnDust()).to.emit(settlement, "DustBurned").withArgs(4n);
      expect(await coin.rewardBudget()).to.equal(budget + 4n);
      expect(await settlement.dust()).to.equal(0n);
      expect(await market.settlementPool()).to.equal(0n);
      await checkMoney(suite, [slot]);
    });
  });

  describe("sdrPrices", function () {
    it("returns equal outside prices unchanged", async function () {
      const { settlement } = await loadFixture(clearedEmptyFixture);
      expect(await settlement.sdrPrices(100, 300, 5n * TRC, 5n * TRC)).to.deep.equal([5n * TRC, 5n * TRC]);
    });

    it("agrees with the exact reference, sell down and buy up", async function () {
      const { settlement } = await loadFixture(clearedEmptyFixture);
      const exact = exactSdrPrices(1_000n, 4_000n, (4n * TRC) / 10n, ceilDiv(2n * TRC, 3n));
      const [sell, buy] = await settlement.sdrPrices(1_000, 4_000, (4n * TRC) / 10n, ceilDiv(2n * TRC, 3n));
      expect(sell).to.equal(exact.sell.floor());
      expect(buy).to.equal(exact.buy.ceil());
    });

    it("reverts with the library's error for inverted prices", async function () {
      const { settlement } = await loadFixture(clearedEmptyFixture);
      await expect(settlement.sdrPrices(1, 2, 3, 2))
        .to.be.revertedWithCustomError(settlement, "SdrPricesInverted")
        .withArgs(3, 2);
    });
  });

  describe("participantsOf", function () {
    it("counts accounts with orders and readers without orders", async function () {
      const { settlement, slot } = await loadFixture(tradedFixture);
      expect(await settlement.participantsOf(1, slot)).to.equal(3n);
      expect(await settlement.participantsOf(2, slot)).to.equal(1n);
      expect(await settlement.participantsOf(3, slot)).to.equal(0n);
    });
  });
});

/** `n` predicates that accept anything, for the trailing event arguments a test does not pin. */
function anyRest(n: number): ((value: unknown) => boolean)[] {
  return Array.from({ length: n }, () => () => true);
}
