// Attacks on the money held for slots (SPEC §4, §8.4), against the deployed suite: withdrawing funds reserved
// for an open slot, settlement triggered twice or out of order (and the suite's internal money moves called
// from outside), running up debt, and never settling a bad slot. Each shows the attack fails and that the
// money identities hold afterwards. Unit-level versions: test/market/EnergyMarket.test.ts (withdraw,
// settleAccount, disburse), test/settlement/Settlement.test.ts (settle, runLevel2, repayDebt).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";

import {
  Kind,
  TRC,
  closeReadingWindow,
  deployedSuiteFixture,
  expectMoneyIdentities,
  finalizeWithCommittee,
  passGateAndClear,
  placeStandardBook,
  signedReadings,
  standardBookToLevel2,
  standardSlotToLevel2,
  standardTraders,
  toSlotEnd,
} from "../integration/suiteFixture";

async function openSlotFixture() {
  const f = await deployedSuiteFixture();
  const slot = (await f.registry.currentSlot()) + 3n;
  return { ...f, slot };
}

async function level2DoneFixture() {
  const f = await openSlotFixture();
  await standardSlotToLevel2(f, f.slot);
  return f;
}

describe("Attacks on reserved funds and settlement (deployed suite)", function () {
  it("refuses a participant withdrawing funds reserved for an open slot, before and after clearing, until it settles", async function () {
    const f = await loadFixture(openSlotFixture);
    const { market, settlement, slot } = f;
    await placeStandardBook(f, slot);
    for (const trader of [f.s2, f.b1]) {
      const balance = await market.balanceOf(trader.address);
      const reserved = await market.reservedOf(trader.address);
      expect(reserved).to.be.gt(0n);
      await expect(market.connect(trader).withdraw(balance))
        .to.be.revertedWithCustomError(market, "InsufficientFreeBalance")
        .withArgs(balance, balance - reserved);
    }
    // The grid account cannot take its float out either.
    const gridBalance = await market.balanceOf(f.dso.address);
    const gridFloat = 100n * TRC;
    await market.setGridFloat(gridFloat);
    await expect(market.withdraw(gridBalance))
      .to.be.revertedWithCustomError(market, "InsufficientFreeBalance")
      .withArgs(gridBalance, gridBalance - gridFloat);
    // Still reserved after the gate and clearing: the slot is not settled.
    await passGateAndClear(f, slot);
    const s2Balance = await market.balanceOf(f.s2.address);
    await expect(market.connect(f.s2).withdraw(s2Balance)).to.be.revertedWithCustomError(
      market,
      "InsufficientFreeBalance",
    );
    // Only the free part leaves; everything reserved stays in the market until settlement.
    await market.connect(f.s2).withdraw(await market.withdrawableOf(f.s2.address));
    expect(await market.balanceOf(f.s2.address)).to.equal(await market.reservedOf(f.s2.address));
    await toSlotEnd(f, slot);
    const readings = [
      { participant: f.s1.address, slot, importWh: 0n, exportWh: 0n },
      { participant: f.s2.address, slot, importWh: 0n, exportWh: 0n },
    ];
    await f.meter.submitReadings(readings, await signedReadings(f, readings));
    await closeReadingWindow(f, 1, slot, [f.b1.address, f.b2.address]);
    await f.meter.accountMissing(2, slot, [f.b3.address]);
    for (const m of [1, 2]) await finalizeWithCommittee(f, m, slot);
    await settlement.runLevel2(slot);
    // The reserve pays the non-delivery penalty: s2 settles without debt.
    await settlement.settle(f.s2.address, slot);
    expect(await settlement.debtOf(f.s2.address)).to.equal(0n);
    expect(await market.reservedOf(f.s2.address)).to.equal(0n);
    await expectMoneyIdentities(f);
  });

  it("refuses settlement triggered out of order or twice, and the suite's internal money moves called from outside", async function () {
    const f = await loadFixture(openSlotFixture);
    const { market, settlement, meter, blocks, slot } = f;
    const attacker = f.spare[0];
    await placeStandardBook(f, slot);
    // Before level 2 (and before finality) nothing settles, and level 2 does not run early.
    await expect(settlement.settle(f.s1.address, slot))
      .to.be.revertedWithCustomError(settlement, "Level2NotRun")
      .withArgs(slot);
    await expect(settlement.runLevel2(slot)).to.be.revertedWithCustomError(settlement, "Level2NotReady");
    // Only the suite's contracts move the pool, fix meter data and pay block fees.
    for (const call of [
      () => market.connect(attacker).settleAccount(attacker.address, slot, 10n * TRC, 0n),
      () => market.connect(attacker).disburse(attacker.address, 1n, 0n),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(market, "AccessControlUnauthorizedAccount");
    }
    await expect(meter.connect(attacker).finalizeMeterData(1, slot, [])).to.be.revertedWithCustomError(
      meter,
      "AccessControlUnauthorizedAccount",
    );
    await expect(
      settlement.connect(attacker).payBlockFees(1, slot, attacker.address, 0n),
    ).to.be.revertedWithCustomError(settlement, "AccessControlUnauthorizedAccount");
    // Clearing cannot be skipped: the block is not proposable before it.
    await expect(blocks.advance(1, slot)).to.be.revertedWithCustomError(blocks, "NotProposable");

    await standardBookToLevel2(f, slot);
    await expect(settlement.runLevel2(slot)).to.be.revertedWithCustomError(settlement, "Level2AlreadyRun");
    // A registered account without orders or reading in the slot has nothing to settle.
    const idle = f.validatorSigners[0].address;
    await expect(settlement.settle(idle, slot))
      .to.be.revertedWithCustomError(settlement, "NothingToSettle")
      .withArgs(idle, slot);
    for (const trader of standardTraders(f)) {
      await settlement.connect(attacker).settle(trader.address, slot);
      const balance = await market.balanceOf(trader.address);
      await expect(settlement.connect(trader).settle(trader.address, slot))
        .to.be.revertedWithCustomError(settlement, "AlreadySettled")
        .withArgs(trader.address, slot);
      expect(await market.balanceOf(trader.address)).to.equal(balance);
    }
    expect((await settlement.slotMoney(slot)).closed).to.equal(true);
    await expectMoneyIdentities(f);
  });

  it("stops a participant running up debt: what it cannot pay is advanced by the grid account and owed, and the debt flag stops its trading until repaid", async function () {
    const f = await loadFixture(openSlotFixture);
    const { market, settlement, registry, coin, validators, slot } = f;
    // A consumer registered without a prepaid balance and without orders (so without a reserve) draws its
    // whole capacity from the grid.
    const drawer = f.spare[0];
    const meterKey = Wallet.createRandom();
    f.meters.set(drawer.address, meterKey as unknown as Wallet);
    await registry.registerParticipant(drawer.address, Kind.Consumer, 1, meterKey.address, 5_000n, 0n);
    await placeStandardBook(f, slot);
    await passGateAndClear(f, slot);
    await toSlotEnd(f, slot);
    const readings = [
      { participant: drawer.address, slot, importWh: 5_000n, exportWh: 0n },
      { participant: f.s1.address, slot, importWh: 0n, exportWh: 1_000n },
      { participant: f.s2.address, slot, importWh: 0n, exportWh: 1_000n },
      { participant: f.b1.address, slot, importWh: 1_200n, exportWh: 0n },
      { participant: f.b2.address, slot, importWh: 600n, exportWh: 0n },
      { participant: f.b3.address, slot, importWh: 400n, exportWh: 0n },
    ];
    await f.meter.submitReadings(readings, await signedReadings(f, readings));
    await closeReadingWindow(f, 1, slot);
    for (const m of [1, 2]) await finalizeWithCommittee(f, m, slot);
    await settlement.runLevel2(slot);
    const gridBefore = await market.balanceOf(f.dso.address);
    await settlement.settle(drawer.address, slot);
    const debt = await settlement.debtOf(drawer.address);
    expect(debt).to.be.gt(0n);
    expect(gridBefore - (await market.balanceOf(f.dso.address))).to.be.gte(debt);
    expect((await registry.participant(drawer.address)).indebted).to.equal(true);
    await expectMoneyIdentities(f);

    // Indebted: no orders, no validator seat.
    const next = (await registry.currentSlot()) + 3n;
    await expect(market.connect(drawer).placeBid(next, 100n, 200))
      .to.be.revertedWithCustomError(market, "NotInGoodStanding")
      .withArgs(drawer.address);
    await expect(validators.connect(drawer).join(2_000n * TRC, ethers.ZeroAddress, ethers.ZeroAddress))
      .to.be.revertedWithCustomError(validators, "NotInGoodStanding")
      .withArgs(drawer.address);
    // It cannot repay with money it does not have, nor more than it owes; paying it back clears the flag.
    await expect(settlement.connect(drawer).repayDebt(debt))
      .to.be.revertedWithCustomError(settlement, "RepayNotCovered")
      .withArgs(debt, 0n);
    await coin.issue(drawer.address, 10n * TRC, ethers.id("drawer pays"));
    await coin.connect(drawer).approve(await market.getAddress(), ethers.MaxUint256);
    await market.connect(drawer).deposit(10n * TRC);
    await expect(settlement.connect(drawer).repayDebt(debt + 1n))
      .to.be.revertedWithCustomError(settlement, "RepayExceedsDebt")
      .withArgs(debt + 1n, debt);
    const gridBeforeRepay = await market.balanceOf(f.dso.address);
    await settlement.connect(drawer).repayDebt(debt);
    expect(await settlement.debtOf(drawer.address)).to.equal(0n);
    expect((await registry.participant(drawer.address)).indebted).to.equal(false);
    expect((await market.balanceOf(f.dso.address)) - gridBeforeRepay).to.equal(debt);
    await expectMoneyIdentities(f);
  });

  it("freezes a participant never settling its bad slot, and anyone can settle it for them", async function () {
    const f = await loadFixture(level2DoneFixture);
    const { market, settlement, registry, slot } = f;
    // s2 sold and delivered nothing; it settles everyone else's slot but never its own.
    for (const trader of [f.s1, f.b1, f.b2, f.b3]) await settlement.settle(trader.address, slot);
    const grace = (await market.settleGrace()) + (await market.settleDeadline());
    await time.increaseTo(await registry.slotStart(slot + grace + 1n));
    expect(await market.isFrozen(f.s2.address)).to.equal(true);
    const next = (await registry.currentSlot()) + 3n;
    await expect(market.connect(f.s2).withdraw(1n))
      .to.be.revertedWithCustomError(market, "AccountFrozen")
      .withArgs(f.s2.address, slot);
    await expect(market.connect(f.s2).placeOffer(next, 100n, 100))
      .to.be.revertedWithCustomError(market, "AccountFrozen")
      .withArgs(f.s2.address, slot);
    // A keeper (or the DSO) settles it: the penalty is charged from its reserve and the freeze lifts.
    const before = await market.balanceOf(f.s2.address);
    await settlement.connect(f.spare[0]).settle(f.s2.address, slot);
    expect(await market.balanceOf(f.s2.address)).to.be.lt(before);
    expect(await market.isFrozen(f.s2.address)).to.equal(false);
    expect((await settlement.slotMoney(slot)).closed).to.equal(true);
    await expectMoneyIdentities(f);
  });
});
