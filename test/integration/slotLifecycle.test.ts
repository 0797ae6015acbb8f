// One microgrid-slot's whole life (SPEC §9) through the deployed and wired suite — no test doubles:
// orders, gate, clearing, signed readings, a missing reading accounted by a keeper, a trade block proposed
// and attested by a committee of burn-staked validators, fees and reward at finality, level 2 across two
// microgrids, per-participant settlement with its trust scoring, and platform feedback. After every phase
// the money identities of SPEC §10 hold.
import { expect } from "chai";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";

import { readingDomain, signReading } from "../../scripts/lib/readings";
import { PROPOSAL_TYPES, deployedSuiteFixture, expectMoneyIdentities } from "./suiteFixture";

describe("A microgrid-slot's life through the deployed suite (SPEC §9)", function () {
  it("trades, meters, attests, prices, settles and scores one slot with the money conserved", async function () {
    const f = await loadFixture(deployedSuiteFixture);
    const { registry, market, meter, settlement, committees, blocks, oracle, coin } = f;
    const slot = (await registry.currentSlot()) + 3n;

    // Open: offers and bids (prices in ticks of 0.001 TRC/kWh; the tariff is 0.08–0.30).
    await market.connect(f.s1).placeOffer(slot, 1_000n, 100);
    await market.connect(f.s2).placeOffer(slot, 1_000n, 120);
    await market.connect(f.b1).placeBid(slot, 1_200n, 200);
    await market.connect(f.b2).placeBid(slot, 600n, 150);
    await market.connect(f.b3).placeBid(slot, 400n, 250);
    await expectMoneyIdentities(f);

    // The committee of the slot's epoch is selected once its time has come, and shuffled two blocks later.
    const epoch = await committees.epochOf(slot);
    await committees.ensureCommittee(epoch);
    await mine(3);
    await committees.ensureCommittee(epoch);
    const order = await committees.committeeOf(epoch);
    expect(order.length).to.be.gte(4);

    // Gate and clearing of both microgrids.
    await time.increaseTo(await registry.gate(slot));
    for (const m of [1, 2]) while (!(await market.isCleared(m, slot))) await market.clear(m, slot);
    const s1Sold = (await market.positionOf(f.s1.address, slot)).filledWh;
    const s2Sold = (await market.positionOf(f.s2.address, slot)).filledWh;
    expect(s1Sold + s2Sold).to.be.gt(0n);

    // Delivery, then signed readings: s1 delivers, s2 delivers nothing, b1 and b3 consume; b2's meter is silent.
    await time.increaseTo(await registry.slotEnd(slot));
    const domain = await readingDomain(meter);
    const readings = [
      { participant: f.s1.address, slot, importWh: 0n, exportWh: s1Sold },
      { participant: f.s2.address, slot, importWh: 0n, exportWh: 0n },
      { participant: f.b1.address, slot, importWh: 1_300n, exportWh: 0n },
      { participant: f.b3.address, slot, importWh: 500n, exportWh: 0n },
    ];
    const signatures = [];
    for (const reading of readings) {
      signatures.push(await signReading(f.meters.get(reading.participant)!, domain, reading));
    }
    await expect(meter.submitReadings(readings, signatures)).to.not.emit(meter, "ReadingSkipped");

    // After the window a keeper accounts the silent meter as missing; both microgrid-slots become proposable.
    const [, closesAt] = await meter.readingWindowOf(slot);
    await time.increaseTo(closesAt);
    expect(await meter.isProposable(1, slot)).to.equal(false);
    await meter.accountMissing(1, slot, [f.b2.address]);
    for (const m of [1, 2]) expect(await meter.isProposable(m, slot)).to.equal(true);

    // Round 0 of each microgrid-slot: the scheduled proposer signs, the others attest until final.
    const tradeBlocksDomain = await blocks.eip712Domain();
    const typedDomain = {
      name: tradeBlocksDomain.name,
      version: tradeBlocksDomain.version,
      chainId: tradeBlocksDomain.chainId,
      verifyingContract: tradeBlocksDomain.verifyingContract,
    };
    const byAddress = new Map(f.validatorSigners.map((s) => [s.address, s]));
    const budgetBefore = await coin.rewardBudget();
    for (const m of [1, 2]) {
      const [digest, count] = await meter.readingDigest(m, slot);
      const proposer = await committees.proposerOf(m, slot, 0);
      const body = { digest, count, exclusions: [] as string[] };
      const signature = await byAddress
        .get(proposer)!
        .signTypedData(typedDomain, PROPOSAL_TYPES, { microgrid: m, slot, round: 0, ...body });
      await blocks.propose(m, slot, 0, body, signature);
      for (const member of order) {
        if (member === proposer || (await meter.slotMeter(m, slot)).finalizedAt !== 0n) continue;
        await blocks.connect(byAddress.get(member)!).attest(m, slot, 0, true);
      }
      expect((await meter.slotMeter(m, slot)).finalizedAt).to.not.equal(0n);
    }
    expect(await coin.totalRewardsMinted()).to.be.gt(0n);
    expect(await coin.rewardBudget()).to.be.lt(budgetBefore + (await coin.totalBurned()));
    await expectMoneyIdentities(f);

    // Level 2 across both microgrids, then every participant settles (anyone may trigger it).
    await settlement.runLevel2(slot);
    const level2 = await settlement.level2Of(slot);
    expect(level2.done).to.equal(true);
    const before = {
      s1: await oracle.traderScore(f.s1.address),
      s2: await oracle.traderScore(f.s2.address),
    };
    for (const trader of [f.s1, f.s2, f.b1, f.b2, f.b3]) {
      await settlement.settle(trader.address, slot);
      await expectMoneyIdentities(f);
    }
    for (const trader of [f.s1, f.s2, f.b1, f.b2, f.b3]) {
      expect(await settlement.isSettled(trader.address, slot)).to.equal(true);
    }
    // The honest seller's score rises above the one that did not deliver (α 5 against α 1).
    const after = {
      s1: await oracle.traderScore(f.s1.address),
      s2: await oracle.traderScore(f.s2.address),
    };
    expect(after.s1).to.be.gt(after.s2);
    expect(after.s2).to.be.lt(before.s2);
    // Once every participant-slot and block of the slot is settled, its dust is non-negative and burnable.
    expect(await settlement.dust()).to.be.gte(0n);
    // Settled traders may rate the platform, once.
    await oracle.connect(f.b1).giveFeedback(slot, 4, 5);
    await expect(oracle.connect(f.b1).giveFeedback(slot, 4, 5)).to.be.revertedWithCustomError(
      oracle,
      "FeedbackAlreadyGiven",
    );
    // Settled participants are no longer frozen by the slot: their reserves are free again.
    expect(await market.reservedOf(f.s1.address)).to.equal(0n);
    await expectMoneyIdentities(f);
  });
});
