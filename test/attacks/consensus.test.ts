// Attacks on the agreement layer (SPEC §6), against the deployed suite: sybil validators without stake, a
// selfish proposer withholding its block, equivocation, and a proposer misstating the readings. Each shows
// the attack fails and that the money identities of SPEC §3/§10 hold afterwards. Unit-level versions:
// test/consensus/ValidatorRegistry.test.ts (join), test/consensus/TradeBlocks.test.ts (propose, skipped
// rounds, submitEquivocation, digest/count mismatch).
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, id } from "ethers";

import {
  Kind,
  TRC,
  closeReadingWindow,
  committeeFor,
  deployedSuiteFixture,
  expectMoneyIdentities,
  fiatRef,
  finalizeWithCommittee,
  passGateAndClear,
  placeStandardBook,
  signProposal,
  signedReadings,
  toSlotEnd,
  validatorSigner,
  type Suite,
} from "../integration/suiteFixture";

/** The standard book of a slot, cleared, read (b2 silent) and proposable in microgrid 1. */
async function proposableSlotFixture() {
  const f = await deployedSuiteFixture();
  const slot = (await f.registry.currentSlot()) + 3n;
  await placeStandardBook(f, slot);
  await passGateAndClear(f, slot);
  await toSlotEnd(f, slot);
  const s1Sold = (await f.market.positionOf(f.s1.address, slot)).filledWh;
  const readings = [
    { participant: f.s1.address, slot, importWh: 0n, exportWh: s1Sold },
    { participant: f.s2.address, slot, importWh: 0n, exportWh: 0n },
    { participant: f.b1.address, slot, importWh: 1_300n, exportWh: 0n },
  ];
  await f.meter.submitReadings(readings, await signedReadings(f, readings));
  await closeReadingWindow(f, 1, slot, [f.b2.address]);
  const order = await committeeFor(f, slot);
  expect(await f.meter.isProposable(1, slot)).to.equal(true);
  return { ...f, slot, order };
}

/** The members of the committee other than `except`, as signers. */
function othersOf(f: Suite, order: string[], except: string[]) {
  return order.filter((a) => !except.includes(a)).map((a) => validatorSigner(f, a));
}

describe("Attacks on the agreement layer (deployed suite)", function () {
  it("refuses sybil validators without stake: no join below minDeposit or without coins, no vote or proposal from outside the committee", async function () {
    const f = await loadFixture(proposableSlotFixture);
    const { registry, validators, coin, blocks, committees, slot, order } = f;
    const sybils = f.spare.slice(0, 4);
    const minDeposit = await validators.minDeposit();
    // Registered and in good standing, but staking less than minDeposit (or nothing): every join is refused.
    for (const sybil of sybils) {
      await registry.registerParticipant(
        sybil.address,
        Kind.Consumer,
        1,
        Wallet.createRandom().address,
        1n,
        0n,
      );
      await coin.issue(sybil.address, 10n * TRC, fiatRef());
      await coin.connect(sybil).approve(await validators.getAddress(), minDeposit);
    }
    const [prev, next] = await validators.findInsertPosition(0n, 3n * TRC, sybils[0].address);
    await expect(validators.connect(sybils[0]).join(0n, prev, next))
      .to.be.revertedWithCustomError(validators, "DepositTooSmall")
      .withArgs(0n, minDeposit);
    await expect(validators.connect(sybils[1]).join(minDeposit - 1n, prev, next))
      .to.be.revertedWithCustomError(validators, "DepositTooSmall")
      .withArgs(minDeposit - 1n, minDeposit);
    // Claiming the stake without holding it fails in the coin: nothing is burned, nothing is recorded.
    await expect(validators.connect(sybils[2]).join(minDeposit, prev, next)).to.be.revertedWithCustomError(
      coin,
      "ERC20InsufficientBalance",
    );
    // An unregistered key cannot join at all.
    await expect(validators.connect(f.spare[4]).join(minDeposit, prev, next))
      .to.be.revertedWithCustomError(validators, "NotRegistered")
      .withArgs(f.spare[4].address);
    for (const sybil of sybils) {
      expect(await validators.isEligible(sybil.address)).to.equal(false);
      expect((await validators.validator(sybil.address)).weight).to.equal(0n);
    }
    expect(await validators.size()).to.equal(BigInt(f.validatorSigners.length));

    // Outside the committee a sybil can neither attest nor get its own proposal accepted.
    const epoch = await committees.epochOf(slot);
    for (const sybil of sybils) expect(await committees.isMember(epoch, sybil.address)).to.equal(false);
    const [digest, count] = await f.meter.readingDigest(1, slot);
    const body = { digest, count, exclusions: [] as string[] };
    const forged = await signProposal(f, sybils[0], 1, slot, 0, body);
    const proposer = await committees.proposerOf(1, slot, 0);
    await expect(blocks.propose(1, slot, 0, body, forged))
      .to.be.revertedWithCustomError(blocks, "NotProposer")
      .withArgs(sybils[0].address, proposer);
    await blocks.propose(
      1,
      slot,
      0,
      body,
      await signProposal(f, validatorSigner(f, proposer), 1, slot, 0, body),
    );
    await expect(blocks.connect(sybils[0]).attest(1, slot, 0, false))
      .to.be.revertedWithCustomError(blocks, "NotMember")
      .withArgs(sybils[0].address);
    // The committee of staked validators finalizes the block as usual.
    for (const member of othersOf(f, order, [proposer])) {
      if ((await f.meter.slotMeter(1, slot)).finalizedAt !== 0n) break;
      await blocks.connect(member).attest(1, slot, 0, true);
    }
    expect((await f.meter.slotMeter(1, slot)).finalizedAt).to.not.equal(0n);
    await expectMoneyIdentities(f);
  });

  it("defeats a selfish proposer withholding its block: the round is skipped after proposalTimeout, its proposer scored with tv 0 and paid nothing, and the next proposer's block is final", async function () {
    const f = await loadFixture(proposableSlotFixture);
    const { blocks, committees, oracle, coin, meter, slot } = f;
    const withholder = await committees.proposerOf(1, slot, 0);
    const scoreBefore = await oracle.validatorScore(withholder);
    const coinsBefore = await coin.balanceOf(withholder);

    // It stays silent past the proposal timeout; anyone advances the microgrid-slot to round 1.
    await time.increase((await blocks.proposalTimeout()) + 1n);
    await blocks.advance(1, slot);
    expect((await blocks.blockState(1, slot)).round).to.equal(1);
    expect(await oracle.validatorScore(withholder)).to.be.lt(scoreBefore);

    // A late proposal for the skipped round is refused: withholding cannot be used to pick the moment.
    const [digest, count] = await meter.readingDigest(1, slot);
    const body = { digest, count, exclusions: [] as string[] };
    const late = await signProposal(f, validatorSigner(f, withholder), 1, slot, 0, body);
    await expect(blocks.propose(1, slot, 0, body, late))
      .to.be.revertedWithCustomError(blocks, "WrongRound")
      .withArgs(0, 1);

    // Round 1's proposer (another member) gets the block final and the reward; the withholder gets nothing.
    const next = await committees.proposerOf(1, slot, 1);
    expect(next).to.not.equal(withholder);
    await finalizeWithCommittee(f, 1, slot, 1);
    expect(await coin.balanceOf(withholder)).to.equal(coinsBefore);
    expect(await coin.balanceOf(next)).to.be.gt(0n);
    await expectMoneyIdentities(f);
  });

  it("ejects an equivocating proposer: two signed proposals for one round cost it its score and its weight for ever", async function () {
    const f = await loadFixture(proposableSlotFixture);
    const { blocks, committees, oracle, validators, meter, coin, slot, order } = f;
    const proposer = await committees.proposerOf(1, slot, 0);
    const signer = validatorSigner(f, proposer);
    const [digest, count] = await meter.readingDigest(1, slot);
    const honest = { digest, count, exclusions: [] as string[] };
    const other = { digest, count, exclusions: [f.s2.address] };
    const signedHonest = await signProposal(f, signer, 1, slot, 0, honest);
    const signedOther = await signProposal(f, signer, 1, slot, 0, other);
    await blocks.propose(1, slot, 0, honest, signedHonest);

    // Anyone holding both signatures submits the evidence; the proposer is ejected.
    const supplyBefore = await coin.totalSupply();
    await expect(
      blocks.connect(f.spare[0]).submitEquivocation(1, slot, 0, honest, signedHonest, other, signedOther),
    )
      .to.emit(blocks, "EquivocationPunished")
      .withArgs(
        1,
        slot,
        0,
        proposer,
        await blocks.proposalHash(1, slot, 0, honest),
        await blocks.proposalHash(1, slot, 0, other),
      );
    expect((await validators.validator(proposer)).ejected).to.equal(true);
    expect(await validators.isEligible(proposer)).to.equal(false);
    expect(await oracle.validatorScore(proposer)).to.equal(0n);
    // The burned weight stays burned (nothing is refunded or minted) and the evidence cannot be replayed.
    expect(await coin.totalSupply()).to.equal(supplyBefore);
    await expect(
      blocks.submitEquivocation(1, slot, 0, honest, signedHonest, other, signedOther),
    ).to.be.revertedWithCustomError(blocks, "AlreadyEjected");
    // Two copies of one proposal are no evidence against an honest proposer.
    const honestProposer = validatorSigner(f, await committees.proposerOf(1, slot, 1));
    const copy = await signProposal(f, honestProposer, 1, slot, 1, honest);
    await expect(
      blocks.submitEquivocation(1, slot, 1, honest, copy, honest, copy),
    ).to.be.revertedWithCustomError(blocks, "NotEquivocation");
    expect(order).to.include(proposer);
    await expectMoneyIdentities(f);
  });

  it("refuses a proposer misstating the readings: a wrong digest or count reverts, and a block excluding an honest reading is rejected by the committee", async function () {
    const f = await loadFixture(proposableSlotFixture);
    const { blocks, committees, oracle, meter, slot, order } = f;
    const proposer = await committees.proposerOf(1, slot, 0);
    const signer = validatorSigner(f, proposer);
    const [digest, count] = await meter.readingDigest(1, slot);

    // Readings it did not receive, or dropping one: the contract's own digest and count decide.
    const forgedDigest = { digest: id("other readings"), count, exclusions: [] as string[] };
    await expect(
      blocks.propose(1, slot, 0, forgedDigest, await signProposal(f, signer, 1, slot, 0, forgedDigest)),
    )
      .to.be.revertedWithCustomError(blocks, "DigestMismatch")
      .withArgs(forgedDigest.digest, digest);
    const dropped = { digest, count: count - 1n, exclusions: [] as string[] };
    await expect(blocks.propose(1, slot, 0, dropped, await signProposal(f, signer, 1, slot, 0, dropped)))
      .to.be.revertedWithCustomError(blocks, "CountMismatch")
      .withArgs(count - 1n, count);

    // Excluding the honest seller's accepted reading (to have it counted as missing): the others reject it.
    const smear = { digest, count, exclusions: [f.s1.address] };
    await blocks.propose(1, slot, 0, smear, await signProposal(f, signer, 1, slot, 0, smear));
    const scoreBefore = await oracle.validatorScore(proposer);
    for (const member of othersOf(f, order, [proposer])) {
      if ((await blocks.blockState(1, slot)).round !== 0n) break;
      await blocks.connect(member).attest(1, slot, 0, false);
    }
    expect((await blocks.blockState(1, slot)).round).to.equal(1);
    expect(await oracle.validatorScore(proposer)).to.be.lt(scoreBefore);
    expect((await meter.slotMeter(1, slot)).finalizedAt).to.equal(0n);

    // Round 1's honest block is final; the honest reading stands.
    await finalizeWithCommittee(f, 1, slot, 1);
    const record = await meter.meterRecord(f.s1.address, slot);
    expect(record.excluded).to.equal(false);
    expect(record.status).to.equal(1); // Read
    await expectMoneyIdentities(f);
  });
});
