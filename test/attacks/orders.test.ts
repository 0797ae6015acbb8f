// Attacks on the forward market (SPEC §7), against the deployed suite: front-running the gate (an order in
// the block that closes the book), a front-run EIP-2612 permit, dust orders to grief clearing, and a seller
// inflating the book with offers it cannot deliver. Each shows the attack fails and that the money
// identities hold afterwards. Unit-level versions: test/market/EnergyMarket.test.ts ("refuses an order in
// the same block as the gate...", "is not griefed by a front-run permit...", OrderBelowMinimum,
// OrderLimitReached, CapacityExceeded, ReserveNotCovered) and the clearing gas bench scripts/bench/clearing-gas.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";

import { signPermit } from "../market/marketFixtures";
import {
  Kind,
  TRC,
  closeReadingWindow,
  deployedSuiteFixture,
  expectMoneyIdentities,
  fiatRef,
  finalizeWithCommittee,
  passGateAndClear,
  placeStandardBook,
  signedReadings,
  toSlotEnd,
} from "../integration/suiteFixture";

async function openSlotFixture() {
  const f = await deployedSuiteFixture();
  const slot = (await f.registry.currentSlot()) + 3n;
  return { ...f, slot };
}

describe("Attacks on the forward market (deployed suite)", function () {
  it("refuses front-running at gate closure: an order or cancel in the block that reaches the gate fails, clearing in it succeeds", async function () {
    const f = await loadFixture(openSlotFixture);
    const { market, registry, slot } = f;
    await placeStandardBook(f, slot);
    const gate = await registry.gate(slot);
    const s2Order = (await market.orderIdsOf(f.s2.address, slot))[0];
    // The attacker's bid, a cancel and the clearing land in one block whose timestamp is the gate.
    await time.increaseTo(gate - 5n);
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      await time.setNextBlockTimestamp(gate);
      const bid = await market.connect(f.b2).placeBid(slot, 500n, 300, { gasLimit: 2_000_000 });
      const cancel = await market.connect(f.s2).cancel(slot, s2Order, { gasLimit: 2_000_000 });
      const clear = await market.connect(f.spare[0]).clear(1, slot, { gasLimit: 10_000_000 });
      await mine(1);
      await expect(bid.wait()).to.be.rejected;
      await expect(cancel.wait()).to.be.rejected;
      const cleared = await clear.wait();
      expect(cleared!.blockNumber).to.equal((await bid.getBlock())!.number);
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
    // Each refusal names the closed window (replayed at the gate's time, now passed).
    await expect(market.connect(f.b2).placeBid(slot, 500n, 300))
      .to.be.revertedWithCustomError(market, "OrderWindowClosed")
      .withArgs(slot);
    await expect(market.connect(f.s2).cancel(slot, s2Order))
      .to.be.revertedWithCustomError(market, "OrderWindowClosed")
      .withArgs(slot);
    expect((await market.positionOf(f.b2.address, slot)).orderedWh).to.equal(600n);
    expect((await market.positionOf(f.s2.address, slot)).liveOrders).to.equal(1);
    await passGateAndClear(f, slot);
    await expectMoneyIdentities(f);
  });

  it("is not griefed by a front-run EIP-2612 permit: the bid still goes through and escrows exactly once", async function () {
    const f = await loadFixture(openSlotFixture);
    const { market, coin, slot } = f;
    const spender = await market.getAddress();
    await coin.connect(f.b1).approve(spender, 0n);
    const escrow = await market.bidEscrow(1, slot, 800n, 150);
    const permit = await signPermit(coin, f.b1, spender, escrow);
    // An observer copies the permit from the mempool and submits it first, consuming its nonce.
    await coin
      .connect(f.spare[0])
      .permit(f.b1.address, spender, escrow, permit.deadline, permit.v, permit.r, permit.s);
    const coinsBefore = await coin.balanceOf(f.b1.address);
    await expect(
      market.connect(f.b1).placeBidWithPermit(slot, 800n, 150, permit.deadline, permit.v, permit.r, permit.s),
    ).to.emit(market, "BidPlaced");
    expect(coinsBefore - (await coin.balanceOf(f.b1.address))).to.equal(escrow);
    expect(await coin.allowance(f.b1.address, spender)).to.equal(0n);
    expect((await market.positionOf(f.b1.address, slot)).escrow).to.equal(escrow);
    await expectMoneyIdentities(f);
  });

  it("resists dust-order griefing of clearing: orders below minOrderWh and beyond maxOrdersPerSlot are refused, and a book full of minimal orders at every tick clears in calls within maxClearGas", async function () {
    const f = await loadFixture(openSlotFixture);
    const { market, registry, coin, slot } = f;
    const minOrderWh = await market.minOrderWh();
    const maxOrders = await market.maxOrdersPerSlot();
    const attackers = f.spare.slice(0, 3);
    for (const attacker of attackers) {
      await registry.registerParticipant(
        attacker.address,
        Kind.Prosumer,
        1,
        Wallet.createRandom().address,
        5_000n,
        5_000n,
      );
      await coin.issue(attacker.address, 100n * TRC, fiatRef());
      await coin.connect(attacker).approve(await market.getAddress(), ethers.MaxUint256);
      await market.connect(attacker).deposit(50n * TRC);
    }
    await expect(market.connect(attackers[0]).placeOffer(slot, minOrderWh - 1n, 100))
      .to.be.revertedWithCustomError(market, "OrderBelowMinimum")
      .withArgs(minOrderWh - 1n, minOrderWh);
    // Every attacker fills its order allowance with minimal offers, each at its own tick of the band.
    let tick = 80;
    for (const attacker of attackers) {
      for (let i = 0n; i < maxOrders; ++i)
        await market.connect(attacker).placeOffer(slot, minOrderWh, tick++);
    }
    await expect(market.connect(attackers[0]).placeOffer(slot, minOrderWh, 299))
      .to.be.revertedWithCustomError(market, "OrderLimitReached")
      .withArgs(attackers[0].address, slot, maxOrders);
    await placeStandardBook(f, slot);

    // Clearing is driven by anyone, in calls each within maxClearGas, until done.
    await time.increaseTo(await registry.gate(slot));
    const maxClearGas = await market.maxClearGas();
    let calls = 0;
    while (!(await market.isCleared(1, slot))) {
      const receipt = await (await market.clear(1, slot)).wait();
      expect(receipt!.gasUsed).to.be.lte(maxClearGas);
      ++calls;
    }
    expect(calls).to.be.gte(1);
    // The honest bids were served (the dust is the cheapest energy and sells first, at the offers' ticks).
    expect((await market.positionOf(f.b1.address, slot)).filledWh).to.be.gt(0n);
    expect((await market.positionOf(f.b2.address, slot)).filledWh).to.be.gt(0n);
    await expectMoneyIdentities(f);
  });

  it("stops a seller inflating the book with offers it cannot deliver: capped by its capacity and reserve, and non-delivery costs it more than the sale earned", async function () {
    const f = await loadFixture(openSlotFixture);
    const { market, settlement, oracle, slot } = f;
    const [, maxExportWh] = await f.registry.capacityAt(f.s2.address, slot);
    // Beyond its connection's capacity, at once or split: refused.
    await expect(market.connect(f.s2).placeOffer(slot, maxExportWh + 1n, 80))
      .to.be.revertedWithCustomError(market, "CapacityExceeded")
      .withArgs(maxExportWh + 1n, maxExportWh);
    await market.connect(f.s2).placeOffer(slot, maxExportWh - 1_000n, 80);
    await expect(market.connect(f.s2).placeOffer(slot, 1_001n, 80))
      .to.be.revertedWithCustomError(market, "CapacityExceeded")
      .withArgs(maxExportWh + 1n, maxExportWh);
    // Its reserve must cover the worst case: without the balance for it the offer is refused.
    const free = await market.withdrawableOf(f.s2.address);
    await market.connect(f.s2).withdraw(free);
    await expect(market.connect(f.s2).placeOffer(slot, 1_000n, 80)).to.be.revertedWithCustomError(
      market,
      "ReserveNotCovered",
    );
    await market.connect(f.s2).deposit(free);
    await market.connect(f.s2).placeOffer(slot, 1_000n, 80);
    // It undercuts everyone with its whole capacity; the buyers take it.
    await market.connect(f.s1).placeOffer(slot, 1_000n, 100);
    await market.connect(f.b1).placeBid(slot, 5_000n, 300);
    await market.connect(f.b2).placeBid(slot, 600n, 150);
    await market.connect(f.b3).placeBid(slot, 400n, 250);
    await passGateAndClear(f, slot);
    const sold = (await market.positionOf(f.s2.address, slot)).filledWh;
    expect(sold).to.be.gt(0n);

    // It delivers nothing; the honest parties report truthfully.
    await toSlotEnd(f, slot);
    const s1Sold = (await market.positionOf(f.s1.address, slot)).filledWh;
    const readings = [
      { participant: f.s1.address, slot, importWh: 0n, exportWh: s1Sold },
      { participant: f.s2.address, slot, importWh: 0n, exportWh: 0n },
      {
        participant: f.b1.address,
        slot,
        importWh: (await market.positionOf(f.b1.address, slot)).filledWh,
        exportWh: 0n,
      },
      {
        participant: f.b2.address,
        slot,
        importWh: (await market.positionOf(f.b2.address, slot)).filledWh,
        exportWh: 0n,
      },
      {
        participant: f.b3.address,
        slot,
        importWh: (await market.positionOf(f.b3.address, slot)).filledWh,
        exportWh: 0n,
      },
    ];
    await f.meter.submitReadings(readings, await signedReadings(f, readings));
    await closeReadingWindow(f, 1, slot);
    for (const m of [1, 2]) await finalizeWithCommittee(f, m, slot);
    await settlement.runLevel2(slot);
    const before = await market.balanceOf(f.s2.address);
    const scoreBefore = await oracle.traderScore(f.s2.address);
    await settlement.settle(f.s2.address, slot);
    // Its prepaid balance ends lower than before the slot: the penalty exceeds the forward proceeds.
    expect(await market.balanceOf(f.s2.address)).to.be.lt(before);
    expect(await oracle.traderScore(f.s2.address)).to.be.lt(scoreBefore);
    for (const trader of [f.s1, f.b1, f.b2, f.b3]) await settlement.settle(trader.address, slot);
    await expectMoneyIdentities(f);
  });
});
