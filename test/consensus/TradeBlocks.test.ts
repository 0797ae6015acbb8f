import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { describeRoleMatrix } from "../shared/roleMatrix";
import { closeTo } from "../reference/trust";
import {
  RoundClock,
  acceptsToFinalize,
  finalityReference,
  penalisedPositions,
  proposerIndex,
  rejectsToReject,
} from "../reference/blocks";
import {
  type BlocksFixture,
  COUNT,
  DEADLINE_SLOTS,
  DIGEST,
  MICROGRID,
  ROLE_IDS,
  SLOT_LENGTH,
  TIMEOUT,
  TRC,
  WINDOW,
  ZERO,
  at,
  attestersOf,
  body,
  deployBlocksFixture,
  expectBacked,
  parsedLogs,
  proposalStructHash,
  proposeRound,
  proposerOf,
  setOrder,
  signAttestation,
  signProposal,
} from "./blocksFixtures";

const Status = { Unopened: 0n, Open: 1n, Final: 2n, FinalByDefault: 3n } as const;
const Outcome = { Skipped: 0n, Rejected: 1n, Lapsed: 2n } as const;
const Skip = { BadSignature: 0n, NotMember: 1n, IsProposer: 2n, AlreadyVoted: 3n } as const;
const PENALTY = TRC / 10n;

/** The fixture with round 0 proposed. */
async function proposedFixture(): Promise<BlocksFixture> {
  const f = await deployBlocksFixture();
  await proposeRound(f, 0);
  return f;
}

/** The fixture with an empty committee for the slot's epoch. */
async function noCommitteeFixture(): Promise<BlocksFixture> {
  const f = await deployBlocksFixture();
  await setOrder(f, []);
  return f;
}

/** The fixture with the slot not proposable. */
async function notProposableFixture(): Promise<BlocksFixture> {
  const f = await deployBlocksFixture();
  await f.meter.setSlot(MICROGRID, f.slot, DIGEST, COUNT, 0);
  return f;
}

/** The fixture with round 0 final (every attester accepted by transaction). */
async function finalFixture(): Promise<BlocksFixture> {
  const f = await proposedFixture();
  for (const member of attestersOf(f, 0).slice(0, acceptsToFinalize(f.order.length) - 1)) {
    await f.blocks.connect(member).attest(MICROGRID, f.slot, 0, true);
  }
  return f;
}

/** Scores of every committee member, by address. */
async function scoresOf(f: BlocksFixture): Promise<Map<string, bigint>> {
  const scores = new Map<string, bigint>();
  for (const member of f.order) scores.set(member.address, await f.oracle.validatorScore(member.address));
  return scores;
}

describe("TradeBlocks", function () {
  describe("constructor", function () {
    it("sets the defaults of SPEC §6.3 and the suite's addresses", async function () {
      const f = await loadFixture(deployBlocksFixture);
      expect(await f.blocks.proposalTimeout()).to.equal(TIMEOUT);
      expect(await f.blocks.attestWindow()).to.equal(WINDOW);
      expect(await f.blocks.finalityDeadline()).to.equal(DEADLINE_SLOTS);
      expect(await f.blocks.attesterPenalty()).to.equal(PENALTY);
      expect(await f.blocks.maxExclusions()).to.equal(64n);
      expect(await f.blocks.SLOT_LENGTH()).to.equal(SLOT_LENGTH);
      expect(await f.blocks.METER()).to.equal(await f.meter.getAddress());
      expect(await f.blocks.VALIDATORS()).to.equal(await f.vr.getAddress());
      expect(await f.blocks.hasRole(ROLE_IDS.DEFAULT_ADMIN_ROLE, f.admin.address)).to.equal(true);
    });

    it("refuses a zero address for each argument", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const args = [
        f.admin.address,
        await f.coin.getAddress(),
        await f.registry.getAddress(),
        await f.market.getAddress(),
        await f.meter.getAddress(),
        await f.committees.getAddress(),
        await f.settlement.getAddress(),
        await f.oracle.getAddress(),
        await f.vr.getAddress(),
      ];
      const factory = await ethers.getContractFactory("TradeBlocks");
      for (let i = 0; i < args.length; i++) {
        const bad = args.map((a, j) => (j === i ? ZERO : a));
        await expect(
          factory.deploy(...(bad as Parameters<typeof factory.deploy>)),
        ).to.be.revertedWithCustomError(f.blocks, "ZeroAddress");
      }
    });

    it("hashes proposals and attestations exactly as EIP-712 (ethers' TypedDataEncoder) does", async function () {
      const f = await loadFixture(deployBlocksFixture);
      expect(await f.blocks.PROPOSAL_TYPEHASH()).to.equal(
        ethers.id(
          "Proposal(uint32 microgrid,uint64 slot,uint32 round,bytes32 digest,uint32 count,address[] exclusions)",
        ),
      );
      expect(await f.blocks.ATTESTATION_TYPEHASH()).to.equal(
        ethers.id("Attestation(uint32 microgrid,uint64 slot,uint32 round,bytes32 proposalHash,bool accept)"),
      );
      const content = body([f.p1.address, f.c1.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
      const structHash = proposalStructHash(f.slot, 2, content);
      expect(await f.blocks.proposalHash(MICROGRID, f.slot, 2, content)).to.equal(structHash);
      const domain = {
        name: "GridTrust TradeBlocks",
        version: "1",
        chainId: (await ethers.provider.getNetwork()).chainId,
        verifyingContract: await f.blocks.getAddress(),
      };
      expect(await f.blocks.proposalDigest(MICROGRID, f.slot, 2, content)).to.equal(
        ethers.TypedDataEncoder.hash(
          domain,
          {
            Proposal: [
              { name: "microgrid", type: "uint32" },
              { name: "slot", type: "uint64" },
              { name: "round", type: "uint32" },
              { name: "digest", type: "bytes32" },
              { name: "count", type: "uint32" },
              { name: "exclusions", type: "address[]" },
            ],
          },
          { microgrid: MICROGRID, slot: f.slot, round: 2, ...content },
        ),
      );
      const signature = await signAttestation(f, f.order[0], 2, structHash, false);
      const digest = await f.blocks.attestationDigest(MICROGRID, f.slot, 2, structHash, false);
      expect(ethers.recoverAddress(digest, signature)).to.equal(f.order[0].address);
    });
  });

  describe("advance", function () {
    it("opens round 0 at the meter's proposable time with the deadline finalityDeadline slots later", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const deadlineAt = f.proposableAt + DEADLINE_SLOTS * SLOT_LENGTH;
      await expect(f.blocks.advance(MICROGRID, f.slot))
        .to.emit(f.blocks, "BlockOpened")
        .withArgs(MICROGRID, f.slot, f.proposableAt, deadlineAt);
      const state = await f.blocks.blockState(MICROGRID, f.slot);
      expect(state.status).to.equal(Status.Open);
      expect(state.round).to.equal(0n);
      expect(state.openedAt).to.equal(f.proposableAt);
      expect(state.deadlineAt).to.equal(deadlineAt);
      expect(state.attesterPenalty).to.equal(PENALTY);
    });

    it("skips a round without a proposal after proposalTimeout and scores its proposer once with tv 0", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [proposer] = proposerOf(f, 0);
      const before = await f.oracle.validatorState(proposer.address);
      await at(f.proposableAt + TIMEOUT);
      await expect(f.blocks.advance(MICROGRID, f.slot))
        .to.emit(f.blocks, "RoundEnded")
        .withArgs(MICROGRID, f.slot, 0, proposer.address, Outcome.Skipped)
        .and.to.emit(f.oracle, "ValidatorScoreUpdated")
        .withArgs(
          proposer.address,
          0,
          before.score,
          (before.score * before.proposedBlocks) / (before.proposedBlocks + 1n),
        );
      await expect(f.blocks.advance(MICROGRID, f.slot)).not.to.emit(f.oracle, "ValidatorScoreUpdated");
      expect((await f.oracle.validatorState(proposer.address)).proposedBlocks).to.equal(
        before.proposedBlocks + 1n,
      );
      expect((await f.blocks.blockState(MICROGRID, f.slot)).round).to.equal(1n);
    });

    it("ends every skipped round at once, as the reference clock does, and stops at the deadline", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const deadlineAt = f.proposableAt + DEADLINE_SLOTS * SLOT_LENGTH;
      const clock = new RoundClock(f.proposableAt, TIMEOUT, WINDOW, deadlineAt);
      for (const now of [f.proposableAt + 3n * TIMEOUT + 10n, deadlineAt + 5n]) {
        await at(now);
        const logs = await parsedLogs(f.blocks, f.blocks.advance(MICROGRID, f.slot));
        const ended = clock.advanceTo(now);
        const events = logs.filter((l) => l.name === "RoundEnded");
        expect(events.map((e) => Number(e.args.round))).to.deep.equal(ended.map((e) => e.round));
        for (const e of events) {
          expect(e.args.proposer).to.equal(proposerOf(f, Number(e.args.round))[0].address);
        }
        const view = await f.blocks.currentRound(MICROGRID, f.slot);
        expect(view.round).to.equal(BigInt(clock.round));
        expect(view.openedAt).to.equal(clock.openedAt);
        expect(view.open).to.equal(clock.open);
      }
      expect(clock.round).to.equal(Number((DEADLINE_SLOTS * SLOT_LENGTH) / TIMEOUT));
      await expect(proposeRound(f, clock.round)).to.be.revertedWithCustomError(f.blocks, "NoOpenRound");
    });

    it("reports the pending round in currentRound before anything touched the slot", async function () {
      const f = await loadFixture(deployBlocksFixture);
      await time.increaseTo(f.proposableAt + 2n * TIMEOUT + 1n);
      const view = await f.blocks.currentRound(MICROGRID, f.slot);
      expect([view.round, view.openedAt, view.open]).to.deep.equal([2n, f.proposableAt + 2n * TIMEOUT, true]);
    });

    it("ends no round while the epoch has no committee", async function () {
      const f = await loadFixture(noCommitteeFixture);
      await at(f.proposableAt + 2n * TIMEOUT);
      await expect(f.blocks.advance(MICROGRID, f.slot)).not.to.emit(f.blocks, "RoundEnded");
      expect((await f.blocks.blockState(MICROGRID, f.slot)).round).to.equal(0n);
    });

    it("refuses a slot that is not proposable", async function () {
      const f = await loadFixture(notProposableFixture);
      await expect(f.blocks.advance(MICROGRID, f.slot))
        .to.be.revertedWithCustomError(f.blocks, "NotProposable")
        .withArgs(MICROGRID, f.slot);
    });

    it("refuses a final slot", async function () {
      const f = await loadFixture(finalFixture);
      await expect(f.blocks.advance(MICROGRID, f.slot))
        .to.be.revertedWithCustomError(f.blocks, "AlreadyFinal")
        .withArgs(MICROGRID, f.slot);
    });
  });

  describe("propose", function () {
    it("records the proposer's signed block, counting it as the proposer's accept", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [proposer, index] = proposerOf(f, 0);
      const exclusions = [f.p1.address, f.c1.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      const content = body(exclusions);
      const structHash = proposalStructHash(f.slot, 0, content);
      await expect(proposeRound(f, 0, content))
        .to.emit(f.blocks, "BlockProposed")
        .withArgs(MICROGRID, f.slot, 0, proposer.address, structHash, exclusions);
      const state = await f.blocks.blockState(MICROGRID, f.slot);
      expect(state.proposalHash).to.equal(structHash);
      expect(state.acceptMask).to.equal(1n << BigInt(index));
      expect(state.accepts).to.equal(1n);
      expect(await f.blocks.exclusionsOf(MICROGRID, f.slot, 0)).to.deep.equal(exclusions);
    });

    it("refuses a proposal off schedule: signed by a member who is not the round's proposer", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [proposer] = proposerOf(f, 0);
      const [nextProposer] = proposerOf(f, 1);
      const signature = await signProposal(f, nextProposer, 0);
      await expect(f.blocks.propose(MICROGRID, f.slot, 0, body(), signature))
        .to.be.revertedWithCustomError(f.blocks, "NotProposer")
        .withArgs(nextProposer.address, proposer.address);
    });

    it("refuses a proposal for a round that is not the current one", async function () {
      const f = await loadFixture(deployBlocksFixture);
      await expect(proposeRound(f, 1)).to.be.revertedWithCustomError(f.blocks, "WrongRound").withArgs(1, 0);
    });

    it("refuses a second proposal in the round", async function () {
      const f = await loadFixture(proposedFixture);
      await expect(proposeRound(f, 0)).to.be.revertedWithCustomError(f.blocks, "AlreadyProposed").withArgs(0);
    });

    it("refuses a misstated digest or count", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const wrongDigest = { ...body(), digest: ethers.id("other") };
      await expect(proposeRound(f, 0, wrongDigest))
        .to.be.revertedWithCustomError(f.blocks, "DigestMismatch")
        .withArgs(wrongDigest.digest, DIGEST);
      await expect(proposeRound(f, 0, { ...body(), count: COUNT - 1 }))
        .to.be.revertedWithCustomError(f.blocks, "CountMismatch")
        .withArgs(COUNT - 1, COUNT);
    });

    it("refuses more than maxExclusions exclusions", async function () {
      const f = await loadFixture(deployBlocksFixture);
      await f.blocks.connect(f.paramsSetter).setMaxExclusions(1);
      const exclusions = [f.p1.address, f.c1.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      await expect(proposeRound(f, 0, body(exclusions)))
        .to.be.revertedWithCustomError(f.blocks, "TooManyExclusions")
        .withArgs(2, 1);
    });

    it("refuses duplicate or unordered exclusions", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [low, high] = [f.p1.address, f.c1.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      await expect(proposeRound(f, 0, body([low, low])))
        .to.be.revertedWithCustomError(f.blocks, "ExclusionsNotSorted")
        .withArgs(1);
      await expect(proposeRound(f, 0, body([high, low])))
        .to.be.revertedWithCustomError(f.blocks, "ExclusionsNotSorted")
        .withArgs(1);
    });

    it("refuses a malformed signature", async function () {
      const f = await loadFixture(deployBlocksFixture);
      await expect(f.blocks.propose(MICROGRID, f.slot, 0, body(), "0x1234")).to.be.revertedWithCustomError(
        f.blocks,
        "InvalidSignature",
      );
    });

    it("refuses signatures replayed across chains, contracts, rounds or microgrid-slots", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [proposer] = proposerOf(f, 0);
      const replays = [
        await signProposal(f, proposer, 0, body(), { chainId: 1n }),
        await signProposal(f, proposer, 0, body(), { verifyingContract: await f.market.getAddress() }),
        await signProposal(f, proposer, 7, body()),
        await signProposal(f, proposer, 0, body(), { slot: f.slot + 1n }),
        await signProposal(f, proposer, 0, body(), { microgrid: MICROGRID + 1 }),
      ];
      for (const signature of replays) {
        await expect(f.blocks.propose(MICROGRID, f.slot, 0, body(), signature)).to.be.revertedWithCustomError(
          f.blocks,
          "NotProposer",
        );
      }
      // A genuine signature of round 0 does not carry over to round 1 either.
      const round0 = await signProposal(f, proposer, 0);
      await at(f.proposableAt + TIMEOUT);
      await expect(f.blocks.propose(MICROGRID, f.slot, 1, body(), round0)).to.be.revertedWithCustomError(
        f.blocks,
        "NotProposer",
      );
    });

    it("refuses without a committee, with a committee over 64 members, and when no round is open", async function () {
      const f = await loadFixture(noCommitteeFixture);
      const epoch = await f.committees.epochOf(f.slot);
      await expect(f.blocks.propose(MICROGRID, f.slot, 0, body(), "0x"))
        .to.be.revertedWithCustomError(f.blocks, "NoCommittee")
        .withArgs(epoch);
      const big = Array.from({ length: 65 }, () => ethers.Wallet.createRandom().address);
      await f.committees.setOrder(epoch, big);
      await expect(f.blocks.propose(MICROGRID, f.slot, 0, body(), "0x"))
        .to.be.revertedWithCustomError(f.blocks, "CommitteeTooLarge")
        .withArgs(65);
      await setOrder(f, f.order);
      await at(f.proposableAt + DEADLINE_SLOTS * SLOT_LENGTH);
      await expect(proposeRound(f, 12))
        .to.be.revertedWithCustomError(f.blocks, "NoOpenRound")
        .withArgs(MICROGRID, f.slot);
    });

    it("refuses a slot that is not proposable or is final", async function () {
      const g = await loadFixture(notProposableFixture);
      await expect(proposeRound(g, 0)).to.be.revertedWithCustomError(g.blocks, "NotProposable");
      const f = await loadFixture(finalFixture);
      await expect(proposeRound(f, 0)).to.be.revertedWithCustomError(f.blocks, "AlreadyFinal");
    });
  });

  describe("attest", function () {
    it("records a vote", async function () {
      const f = await loadFixture(proposedFixture);
      const member = attestersOf(f, 0)[0];
      const index = f.order.indexOf(member);
      await expect(f.blocks.connect(member).attest(MICROGRID, f.slot, 0, false))
        .to.emit(f.blocks, "Attested")
        .withArgs(MICROGRID, f.slot, 0, member.address, false);
      const state = await f.blocks.blockState(MICROGRID, f.slot);
      expect(state.rejectMask).to.equal(1n << BigInt(index));
      expect(state.rejects).to.equal(1n);
    });

    it("makes the block final at ⌈2k/3⌉ accepts: Algorithm 4 and 3 as the reference, fees, reward, penalties", async function () {
      const f = await loadFixture(proposedFixture);
      const k = f.order.length;
      const [proposer, pIndex] = proposerOf(f, 0);
      const attesters = attestersOf(f, 0);
      const acceptors = attesters.slice(0, acceptsToFinalize(k) - 2);
      const rejecter = attesters[attesters.length - 1];
      for (const member of acceptors) await f.blocks.connect(member).attest(MICROGRID, f.slot, 0, true);
      await f.blocks.connect(rejecter).attest(MICROGRID, f.slot, 0, false);
      const last = attesters[acceptors.length];
      const scores = await scoresOf(f);
      const state = await f.oracle.validatorState(proposer.address);
      const totals = await f.market.slotAggregates(MICROGRID, f.slot);
      const rewardBefore = await f.coin.balanceOf(proposer.address);
      const blockTime = BigInt(await time.latest()) + 10n;
      const reference = finalityReference({
        prevScore: state.score,
        proposedBlocks: state.proposedBlocks,
        joinedAt: state.joinedAt,
        now: blockTime,
        timeUnit: await f.oracle.timeUnit(),
        coinUnit: await f.oracle.coinUnit(),
        theta: totals.buyerCost,
        buyers: totals.buyers,
        acceptorScores: [...acceptors, last].map((m) => scores.get(m.address)!),
        feeScoreWad: totals.feeScoreWad,
        blockReward: await f.oracle.blockReward(),
      });
      await at(blockTime);
      const tx = f.blocks.connect(last).attest(MICROGRID, f.slot, 0, true);
      const logs = await parsedLogs(f.blocks, tx);

      const finalized = logs.find((l) => l.name === "BlockFinalized")!;
      expect(finalized.args.proposer).to.equal(proposer.address);
      const check = closeTo(finalized.args.tv, reference.tv);
      expect(check.ok, check.error).to.equal(true);
      const scoreCheck = closeTo(await f.oracle.validatorScore(proposer.address), reference.newScore);
      expect(scoreCheck.ok, scoreCheck.error).to.equal(true);
      expect(finalized.args.feePaid).to.equal(reference.feePayout);
      const mintCheck = closeTo(finalized.args.rewardMinted, reference.rewardMint);
      expect(mintCheck.ok, mintCheck.error).to.equal(true);
      expect((await f.coin.balanceOf(proposer.address)) - rewardBefore).to.equal(
        finalized.args.feePaid + finalized.args.rewardMinted,
      );

      const feeCall = await f.settlement.feeCallOf(MICROGRID, f.slot);
      expect([feeCall.calls, feeCall.proposer, feeCall.feePayout]).to.deep.equal([
        1n,
        proposer.address,
        reference.feePayout,
      ]);
      expect((await f.meter.slotMeter(MICROGRID, f.slot)).finalizedAt).to.equal(blockTime);
      expect((await f.blocks.blockState(MICROGRID, f.slot)).status).to.equal(Status.Final);

      const accepted = new Set([pIndex, ...[...acceptors, last].map((m) => f.order.indexOf(m))]);
      const rejected = new Set([f.order.indexOf(rejecter)]);
      const penalised = penalisedPositions(k, pIndex, accepted, rejected, "Final").map((i) => f.order[i]);
      expect(penalised).to.include(rejecter);
      for (const member of f.order) {
        const expected = penalised.includes(member)
          ? scores.get(member.address)! - PENALTY
          : member === proposer
            ? await f.oracle.validatorScore(member.address)
            : scores.get(member.address)!;
        expect(await f.oracle.validatorScore(member.address)).to.equal(expected);
      }
      const changed = logs.find((l) => l.name === "ValidatorScoresChanged")!;
      expect(changed.args.validators).to.deep.equal([proposer.address, ...penalised.map((m) => m.address)]);
      await expectBacked(f.coin);
    });

    it("rejects the round at more than k/3 rejects: proposer scored 0, accepters and silent penalised, next round open", async function () {
      const f = await loadFixture(proposedFixture);
      const k = f.order.length;
      const [proposer, pIndex] = proposerOf(f, 0);
      const attesters = attestersOf(f, 0);
      const accepter = attesters[0];
      const rejecters = attesters.slice(1, 1 + rejectsToReject(k));
      const scores = await scoresOf(f);
      await f.blocks.connect(accepter).attest(MICROGRID, f.slot, 0, true);
      for (const member of rejecters.slice(0, -1))
        await f.blocks.connect(member).attest(MICROGRID, f.slot, 0, false);
      const tx = f.blocks.connect(rejecters[rejecters.length - 1]).attest(MICROGRID, f.slot, 0, false);
      await expect(tx)
        .to.emit(f.blocks, "RoundEnded")
        .withArgs(MICROGRID, f.slot, 0, proposer.address, Outcome.Rejected);
      const now = BigInt(await time.latest());
      const state = await f.blocks.blockState(MICROGRID, f.slot);
      expect([
        state.round,
        state.openedAt,
        state.proposedAt,
        state.acceptMask,
        state.rejectMask,
      ]).to.deep.equal([1n, now, 0n, 0n, 0n]);
      const penalised = penalisedPositions(
        k,
        pIndex,
        new Set([pIndex, f.order.indexOf(accepter)]),
        new Set(rejecters.map((m) => f.order.indexOf(m))),
        "Rejected",
      ).map((i) => f.order[i]);
      expect(penalised).to.include(accepter);
      for (const member of penalised) {
        expect(await f.oracle.validatorScore(member.address)).to.equal(scores.get(member.address)! - PENALTY);
      }
      for (const member of rejecters) {
        expect(await f.oracle.validatorScore(member.address)).to.equal(scores.get(member.address)!);
      }
      // Re-proposal in round 1 by its proposer is final with every attester.
      await proposeRound(f, 1);
      for (const member of attestersOf(f, 1).slice(0, acceptsToFinalize(k) - 1)) {
        await f.blocks.connect(member).attest(MICROGRID, f.slot, 1, true);
      }
      expect((await f.blocks.blockState(MICROGRID, f.slot)).status).to.equal(Status.Final);
      expect((await f.settlement.feeCallOf(MICROGRID, f.slot)).proposer).to.equal(
        proposerOf(f, 1)[0].address,
      );
      await expectBacked(f.coin);
    });

    it("lets a proposed round lapse at the window's end: non-voters penalised, voters not, proposer scored 0", async function () {
      const f = await loadFixture(proposedFixture);
      const [proposer, pIndex] = proposerOf(f, 0);
      const attesters = attestersOf(f, 0);
      await f.blocks.connect(attesters[0]).attest(MICROGRID, f.slot, 0, true);
      await f.blocks.connect(attesters[1]).attest(MICROGRID, f.slot, 0, false);
      const scores = await scoresOf(f);
      const proposedAt = (await f.blocks.blockState(MICROGRID, f.slot)).proposedAt;
      await at(proposedAt + WINDOW);
      await expect(f.blocks.advance(MICROGRID, f.slot))
        .to.emit(f.blocks, "RoundEnded")
        .withArgs(MICROGRID, f.slot, 0, proposer.address, Outcome.Lapsed);
      const penalised = penalisedPositions(
        f.order.length,
        pIndex,
        new Set([pIndex, f.order.indexOf(attesters[0])]),
        new Set([f.order.indexOf(attesters[1])]),
        "Lapsed",
      ).map((i) => f.order[i]);
      expect(penalised).to.have.length(f.order.length - 3);
      for (const member of f.order) {
        const expected = penalised.includes(member)
          ? scores.get(member.address)! - PENALTY
          : scores.get(member.address)!;
        if (member !== proposer) expect(await f.oracle.validatorScore(member.address)).to.equal(expected);
      }
      const state = await f.blocks.blockState(MICROGRID, f.slot);
      expect([state.round, state.openedAt]).to.deep.equal([1n, proposedAt + WINDOW]);
    });

    it("refuses an attester voting twice", async function () {
      const f = await loadFixture(proposedFixture);
      const member = attestersOf(f, 0)[0];
      await f.blocks.connect(member).attest(MICROGRID, f.slot, 0, true);
      await expect(f.blocks.connect(member).attest(MICROGRID, f.slot, 0, false))
        .to.be.revertedWithCustomError(f.blocks, "AlreadyVoted")
        .withArgs(member.address);
    });

    it("refuses the proposer, a non-member, and a round without a proposal", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [proposer] = proposerOf(f, 0);
      await expect(f.blocks.connect(attestersOf(f, 0)[0]).attest(MICROGRID, f.slot, 0, true))
        .to.be.revertedWithCustomError(f.blocks, "NotProposed")
        .withArgs(0);
      await proposeRound(f, 0);
      await expect(f.blocks.connect(proposer).attest(MICROGRID, f.slot, 0, true))
        .to.be.revertedWithCustomError(f.blocks, "ProposerCannotAttest")
        .withArgs(proposer.address);
      const outsider = f.validators.find((v) => !f.order.includes(v))!;
      await expect(f.blocks.connect(outsider).attest(MICROGRID, f.slot, 0, true))
        .to.be.revertedWithCustomError(f.blocks, "NotMember")
        .withArgs(outsider.address);
      await expect(f.blocks.connect(attestersOf(f, 0)[0]).attest(MICROGRID, f.slot, 1, true))
        .to.be.revertedWithCustomError(f.blocks, "WrongRound")
        .withArgs(1, 0);
    });

    it("refuses without a committee, after the deadline, on a final or unproposable slot", async function () {
      const f = await loadFixture(noCommitteeFixture);
      await expect(
        f.blocks.connect(f.order[0]).attest(MICROGRID, f.slot, 0, true),
      ).to.be.revertedWithCustomError(f.blocks, "NoCommittee");
      await setOrder(f, f.order);
      await at(f.proposableAt + DEADLINE_SLOTS * SLOT_LENGTH);
      await expect(
        f.blocks.connect(f.order[0]).attest(MICROGRID, f.slot, 0, true),
      ).to.be.revertedWithCustomError(f.blocks, "NoOpenRound");
      const g = await loadFixture(finalFixture);
      await expect(
        g.blocks.connect(g.order[0]).attest(MICROGRID, g.slot, 0, true),
      ).to.be.revertedWithCustomError(g.blocks, "AlreadyFinal");
      const h = await loadFixture(notProposableFixture);
      await expect(
        h.blocks.connect(h.order[0]).attest(MICROGRID, h.slot, 0, true),
      ).to.be.revertedWithCustomError(h.blocks, "NotProposable");
    });

    it("reaches the outcome the thresholds say for random vote sequences (k from 4 to 10)", async function () {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 4, max: 10 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 9 }),
          async (k, votes) => {
            // A copy: loadFixture hands out one cached object.
            const g = { ...(await loadFixture(deployBlocksFixture)) };
            g.order = g.validators.slice(0, k);
            await setOrder(g, g.order);
            await proposeRound(g, 0);
            let accepts = 1;
            let rejects = 0;
            for (const [i, member] of attestersOf(g, 0).entries()) {
              if (i >= votes.length) break;
              await g.blocks.connect(member).attest(MICROGRID, g.slot, 0, votes[i]);
              if (votes[i]) accepts++;
              else rejects++;
              const state = await g.blocks.blockState(MICROGRID, g.slot);
              if (accepts >= acceptsToFinalize(k)) {
                expect(state.status).to.equal(Status.Final);
                return;
              }
              if (rejects >= rejectsToReject(k)) {
                expect([state.status, state.round]).to.deep.equal([Status.Open, 1n]);
                return;
              }
              expect([state.status, state.round, state.accepts, state.rejects]).to.deep.equal([
                Status.Open,
                0n,
                BigInt(accepts),
                BigInt(rejects),
              ]);
            }
          },
        ),
        { seed: 20240606, numRuns: 12 },
      );
    });
  });

  describe("attestBatch", function () {
    it("counts every signed vote of the batch before judging, so no signer is penalised", async function () {
      const f = await loadFixture(proposedFixture);
      const [proposer] = proposerOf(f, 0);
      const structHash = (await f.blocks.blockState(MICROGRID, f.slot)).proposalHash;
      const attesters = attestersOf(f, 0);
      const scores = await scoresOf(f);
      const votes = await Promise.all(
        attesters.map(async (member, i) => ({
          attester: member.address,
          accept: i !== 0,
          signature: await signAttestation(f, member, 0, structHash, i !== 0),
        })),
      );
      const tx = f.blocks.connect(f.relayer).attestBatch(MICROGRID, f.slot, 0, votes);
      await expect(tx).to.emit(f.blocks, "BlockFinalized");
      // Only the one who voted against the outcome lost the penalty.
      for (const [i, member] of attesters.entries()) {
        const expected = i === 0 ? scores.get(member.address)! - PENALTY : scores.get(member.address)!;
        expect(await f.oracle.validatorScore(member.address)).to.equal(expected);
      }
      expect(await f.oracle.validatorScore(proposer.address)).to.not.equal(scores.get(proposer.address));
    });

    it("skips bad signatures, non-members, the proposer and second votes with an event, and records the rest", async function () {
      const f = await loadFixture(proposedFixture);
      const [proposer] = proposerOf(f, 0);
      const structHash = (await f.blocks.blockState(MICROGRID, f.slot)).proposalHash;
      const [a, b] = attestersOf(f, 0);
      const outsider = f.validators.find((v) => !f.order.includes(v))!;
      const votes = [
        { attester: a.address, accept: true, signature: await signAttestation(f, a, 0, structHash, true) },
        { attester: a.address, accept: true, signature: await signAttestation(f, a, 0, structHash, true) },
        { attester: b.address, accept: true, signature: await signAttestation(f, b, 0, structHash, false) },
        { attester: b.address, accept: true, signature: "0x1234" },
        {
          attester: outsider.address,
          accept: true,
          signature: await signAttestation(f, outsider, 0, structHash, true),
        },
        {
          attester: proposer.address,
          accept: true,
          signature: await signAttestation(f, proposer, 0, structHash, true),
        },
      ];
      const tx = f.blocks.connect(f.relayer).attestBatch(MICROGRID, f.slot, 0, votes);
      await expect(tx)
        .to.emit(f.blocks, "AttestationSkipped")
        .withArgs(MICROGRID, f.slot, 0, a.address, Skip.AlreadyVoted)
        .and.to.emit(f.blocks, "AttestationSkipped")
        .withArgs(MICROGRID, f.slot, 0, b.address, Skip.BadSignature)
        .and.to.emit(f.blocks, "AttestationSkipped")
        .withArgs(MICROGRID, f.slot, 0, outsider.address, Skip.NotMember)
        .and.to.emit(f.blocks, "AttestationSkipped")
        .withArgs(MICROGRID, f.slot, 0, proposer.address, Skip.IsProposer);
      const state = await f.blocks.blockState(MICROGRID, f.slot);
      expect([state.accepts, state.rejects]).to.deep.equal([2n, 0n]);
      expect(
        await f.blocks.connect(f.relayer).attestBatch.staticCall(MICROGRID, f.slot, 0, votes.slice(0, 1)),
      ).to.equal(0n);
    });

    it("skips attestations replayed from another round, microgrid-slot or chain", async function () {
      const f = await loadFixture(proposedFixture);
      const structHash = (await f.blocks.blockState(MICROGRID, f.slot)).proposalHash;
      const [a] = attestersOf(f, 0);
      const replays = [
        await signAttestation(f, a, 1, structHash, true),
        await signAttestation(f, a, 0, structHash, true, { slot: f.slot + 1n }),
        await signAttestation(f, a, 0, structHash, true, { microgrid: 2 }),
        await signAttestation(f, a, 0, structHash, true, { chainId: 1n }),
        await signAttestation(f, a, 0, ethers.id("another proposal"), true),
      ];
      const votes = replays.map((signature) => ({ attester: a.address, accept: true, signature }));
      const logs = await parsedLogs(f.blocks, f.blocks.attestBatch(MICROGRID, f.slot, 0, votes));
      const skipped = logs.filter((l) => l.name === "AttestationSkipped");
      expect(skipped.map((l) => l.args.reason)).to.deep.equal(replays.map(() => Skip.BadSignature));
      expect((await f.blocks.blockState(MICROGRID, f.slot)).accepts).to.equal(1n);
    });

    it("refuses an empty batch and a round without a proposal", async function () {
      const f = await loadFixture(deployBlocksFixture);
      await expect(f.blocks.attestBatch(MICROGRID, f.slot, 0, [])).to.be.revertedWithCustomError(
        f.blocks,
        "EmptyBatch",
      );
      const vote = { attester: f.order[0].address, accept: true, signature: "0x" };
      await expect(f.blocks.attestBatch(MICROGRID, f.slot, 0, [vote]))
        .to.be.revertedWithCustomError(f.blocks, "NotProposed")
        .withArgs(0);
    });
  });

  describe("finalizeByDefault", function () {
    it("is not due before the deadline while the epoch has a committee", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const deadlineAt = f.proposableAt + DEADLINE_SLOTS * SLOT_LENGTH;
      await expect(f.blocks.finalizeByDefault(MICROGRID, f.slot))
        .to.be.revertedWithCustomError(f.blocks, "DefaultFinalityNotDue")
        .withArgs(MICROGRID, f.slot, deadlineAt);
    });

    it("finalizes with more than k/3 offline: no exclusions, fees burned, no reward, offline proposers scored", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const k = f.order.length;
      const offline = new Set(f.order.slice(0, rejectsToReject(k)));
      const deadlineAt = f.proposableAt + DEADLINE_SLOTS * SLOT_LENGTH;
      const clock = new RoundClock(f.proposableAt, TIMEOUT, WINDOW, deadlineAt);
      let now = f.proposableAt;
      // Each round: an online proposer proposes at once and every online member accepts; never enough.
      while (clock.open) {
        const [proposer] = proposerOf(f, clock.round);
        if (!offline.has(proposer)) {
          now += 1n;
          await at(now);
          await proposeRound(f, clock.round);
          clock.advanceTo(now);
          clock.propose(now);
          for (const member of attestersOf(f, clock.round).filter((m) => !offline.has(m))) {
            await f.blocks.connect(member).attest(MICROGRID, f.slot, clock.round, true);
          }
          expect((await f.blocks.blockState(MICROGRID, f.slot)).status).to.equal(Status.Open);
          now = BigInt(await time.latest());
        }
        const ended = clock.advanceTo(
          clock.proposedAt === undefined ? clock.openedAt + TIMEOUT : clock.proposedAt + WINDOW,
        );
        now = ended[ended.length - 1].endsAt;
        await at(now);
        await f.blocks.advance(MICROGRID, f.slot);
        expect((await f.blocks.blockState(MICROGRID, f.slot)).round).to.equal(BigInt(clock.round));
      }
      expect(now).to.be.at.least(deadlineAt);
      const minted = await f.coin.totalRewardsMinted();
      const burned = await f.coin.totalBurned();
      await expect(f.blocks.finalizeByDefault(MICROGRID, f.slot))
        .to.emit(f.blocks, "BlockFinalizedByDefault")
        .withArgs(MICROGRID, f.slot, clock.round);
      expect(await f.meter.excludedOf(MICROGRID, f.slot)).to.deep.equal([]);
      const feeCall = await f.settlement.feeCallOf(MICROGRID, f.slot);
      expect([feeCall.calls, feeCall.proposer, feeCall.feePayout, feeCall.paid]).to.deep.equal([
        1n,
        ZERO,
        0n,
        0n,
      ]);
      expect(await f.coin.totalBurned()).to.equal(burned + f.fees);
      expect(await f.coin.totalRewardsMinted()).to.equal(minted);
      expect((await f.blocks.blockState(MICROGRID, f.slot)).status).to.equal(Status.FinalByDefault);
      for (const member of offline) {
        expect((await f.oracle.validatorState(member.address)).proposedBlocks).to.be.greaterThan(1n);
      }
      await expectBacked(f.coin);
    });

    it("finalizes at once when the epoch has no committee, or no usable one", async function () {
      const f = await loadFixture(noCommitteeFixture);
      await expect(f.blocks.finalizeByDefault(MICROGRID, f.slot)).to.emit(
        f.blocks,
        "BlockFinalizedByDefault",
      );
      const g = await loadFixture(deployBlocksFixture);
      await g.committees.setUnusable(await g.committees.epochOf(g.slot), true);
      await expect(g.blocks.finalizeByDefault(MICROGRID, g.slot)).to.emit(
        g.blocks,
        "BlockFinalizedByDefault",
      );
    });

    it("refuses a final or unproposable slot", async function () {
      const f = await loadFixture(finalFixture);
      await expect(f.blocks.finalizeByDefault(MICROGRID, f.slot))
        .to.be.revertedWithCustomError(f.blocks, "AlreadyFinal")
        .withArgs(MICROGRID, f.slot);
      const g = await loadFixture(notProposableFixture);
      await expect(g.blocks.finalizeByDefault(MICROGRID, g.slot)).to.be.revertedWithCustomError(
        g.blocks,
        "NotProposable",
      );
    });
  });

  describe("submitEquivocation", function () {
    it("ejects a proposer who signed two different proposals for one round", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [proposer] = proposerOf(f, 0);
      const a = body();
      const b = body([f.p1.address]);
      const sigA = await signProposal(f, proposer, 0, a);
      const sigB = await signProposal(f, proposer, 0, b);
      const weight = (await f.vr.validator(proposer.address)).weight;
      await expect(f.blocks.connect(f.stranger).submitEquivocation(MICROGRID, f.slot, 0, a, sigA, b, sigB))
        .to.emit(f.blocks, "EquivocationPunished")
        .withArgs(
          MICROGRID,
          f.slot,
          0,
          proposer.address,
          proposalStructHash(f.slot, 0, a),
          proposalStructHash(f.slot, 0, b),
        )
        .and.to.emit(f.vr, "ValidatorEjected")
        .withArgs(proposer.address, weight);
      expect((await f.vr.validator(proposer.address)).ejected).to.equal(true);
      expect(await f.oracle.validatorScore(proposer.address)).to.equal(0n);
      expect(await f.vr.isRanked(proposer.address)).to.equal(false);
      await expect(
        f.blocks.submitEquivocation(MICROGRID, f.slot, 0, a, sigA, b, sigB),
      ).to.be.revertedWithCustomError(f.blocks, "AlreadyEjected");
    });

    it("neither scores nor pays a proposer ejected after its proposal when the block still becomes final", async function () {
      const f = await loadFixture(proposedFixture);
      const [proposer] = proposerOf(f, 0);
      const sigA = await signProposal(f, proposer, 0, body());
      const sigB = await signProposal(f, proposer, 0, body([f.p1.address]));
      await f.blocks.submitEquivocation(MICROGRID, f.slot, 0, body(), sigA, body([f.p1.address]), sigB);
      const minted = await f.coin.totalRewardsMinted();
      const balance = await f.coin.balanceOf(proposer.address);
      let final;
      for (const member of attestersOf(f, 0).slice(0, acceptsToFinalize(f.order.length) - 1)) {
        final = f.blocks.connect(member).attest(MICROGRID, f.slot, 0, true);
        await final;
      }
      await expect(final)
        .to.emit(f.blocks, "BlockFinalized")
        .withArgs(MICROGRID, f.slot, 0, proposer.address, 0n, 0n, 0n);
      expect(await f.coin.totalRewardsMinted()).to.equal(minted);
      expect(await f.coin.balanceOf(proposer.address)).to.equal(balance);
      expect(await f.oracle.validatorScore(proposer.address)).to.equal(0n);
    });

    it("never catches honest proposers of different rounds", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [p0] = proposerOf(f, 0);
      const [p1] = proposerOf(f, 1);
      const sig0 = await signProposal(f, p0, 0, body());
      const sig1 = await signProposal(f, p1, 1, body([f.p1.address]));
      for (const round of [0, 1]) {
        await expect(
          f.blocks.submitEquivocation(MICROGRID, f.slot, round, body(), sig0, body([f.p1.address]), sig1),
        ).to.be.revertedWithCustomError(f.blocks, "NotProposer");
      }
    });

    it("refuses two copies of one proposal, a bad signature and an epoch without committee", async function () {
      const f = await loadFixture(deployBlocksFixture);
      const [proposer] = proposerOf(f, 0);
      const sig = await signProposal(f, proposer, 0, body());
      await expect(
        f.blocks.submitEquivocation(MICROGRID, f.slot, 0, body(), sig, body(), sig),
      ).to.be.revertedWithCustomError(f.blocks, "NotEquivocation");
      await expect(
        f.blocks.submitEquivocation(MICROGRID, f.slot, 0, body(), sig, body([f.p1.address]), "0x00"),
      ).to.be.revertedWithCustomError(f.blocks, "InvalidSignature");
      await setOrder(f, []);
      await expect(f.blocks.submitEquivocation(MICROGRID, f.slot, 0, body(), sig, body([f.p1.address]), sig))
        .to.be.revertedWithCustomError(f.blocks, "NoCommittee")
        .withArgs(await f.committees.epochOf(f.slot));
    });

    it("a minority of rejecters cannot eject an honest proposer: rejection only scores it", async function () {
      const f = await loadFixture(proposedFixture);
      const [proposer] = proposerOf(f, 0);
      const weight = (await f.vr.validator(proposer.address)).weight;
      for (const member of attestersOf(f, 0).slice(0, rejectsToReject(f.order.length))) {
        await f.blocks.connect(member).attest(MICROGRID, f.slot, 0, false);
      }
      expect((await f.blocks.blockState(MICROGRID, f.slot)).round).to.equal(1n);
      const record = await f.vr.validator(proposer.address);
      expect([record.ejected, record.weight]).to.deep.equal([false, weight]);
      expect(await f.vr.isRanked(proposer.address)).to.equal(true);
      expect(await f.oracle.validatorScore(proposer.address)).to.be.greaterThan(0n);
    });
  });

  describe("rewards and supply", function () {
    it("mints no more than the reward budget and keeps supply within fiat backing at every step", async function () {
      const f = await loadFixture(proposedFixture);
      await expectBacked(f.coin);
      // A block reward far beyond the budget: the coin mints what is available.
      await f.oracle.connect(f.admin).grantRole(ROLE_IDS.PARAMS_ROLE, f.admin.address);
      await f.oracle.connect(f.admin).setBlockReward(10n ** 30n);
      const [proposer] = proposerOf(f, 0);
      const attesters = attestersOf(f, 0).slice(0, acceptsToFinalize(f.order.length) - 1);
      for (const member of attesters.slice(0, -1)) {
        await f.blocks.connect(member).attest(MICROGRID, f.slot, 0, true);
        await expectBacked(f.coin);
      }
      const tx = f.blocks.connect(attesters[attesters.length - 1]).attest(MICROGRID, f.slot, 0, true);
      await expect(tx).to.emit(f.coin, "RewardBudgetShort");
      await expect(tx).to.emit(f.blocks, "BlockFinalized");
      // The whole budget (deposits and the slot's unpaid fees) went to the proposer, and no more.
      expect(await f.coin.rewardBudget()).to.equal(0n);
      expect(await f.coin.totalRewardsMinted()).to.equal(await f.coin.totalBurned());
      expect(await f.coin.balanceOf(proposer.address)).to.be.greaterThan(0n);
      await expectBacked(f.coin);
    });
  });

  describe("parameters", function () {
    const cases: [
      string,
      (
        | "setProposalTimeout"
        | "setAttestWindow"
        | "setFinalityDeadline"
        | "setAttesterPenalty"
        | "setMaxExclusions"
      ),
      bigint,
      bigint[],
    ][] = [
      ["proposalTimeout", "setProposalTimeout", 600n, [29n, 86_401n, 56n]],
      ["attestWindow", "setAttestWindow", 120n, [29n, 86_401n]],
      ["finalityDeadline", "setFinalityDeadline", 8n, [0n, 97n, 22n]],
      ["attesterPenalty", "setAttesterPenalty", 5n * TRC, [5n * TRC + 1n]],
      ["maxExclusions", "setMaxExclusions", 256n, [257n]],
    ];
    for (const [name, setter, good, bad] of cases) {
      describe(setter, function () {
        it(`sets ${name} with an event`, async function () {
          const f = await loadFixture(deployBlocksFixture);
          const old = await f.blocks[name as "proposalTimeout"]();
          await expect(f.blocks.connect(f.paramsSetter)[setter](good))
            .to.emit(f.blocks, "ParameterSet")
            .withArgs(ethers.encodeBytes32String(name), old, good);
          expect(await f.blocks[name as "proposalTimeout"]()).to.equal(good);
        });
        it(`refuses ${name} outside its domain`, async function () {
          const f = await loadFixture(deployBlocksFixture);
          for (const value of bad) {
            await expect(f.blocks.connect(f.paramsSetter)[setter](value)).to.be.revertedWithCustomError(
              f.blocks,
              "InvalidParameter",
            );
          }
        });
      });
    }

    it("names the parameter being set when the round bound (finalityDeadline · slotLength ≤ 64 · proposalTimeout) fails", async function () {
      const f = await loadFixture(deployBlocksFixture);
      // 4 slots of 900 s need a timeout of at least 3 600 / 64 = 56.25 s, and a 300 s timeout allows 21 slots.
      await expect(f.blocks.connect(f.paramsSetter).setProposalTimeout(56))
        .to.be.revertedWithCustomError(f.blocks, "InvalidParameter")
        .withArgs(ethers.encodeBytes32String("proposalTimeout"), 56n);
      await expect(f.blocks.connect(f.paramsSetter).setFinalityDeadline(22))
        .to.be.revertedWithCustomError(f.blocks, "InvalidParameter")
        .withArgs(ethers.encodeBytes32String("finalityDeadline"), 22n);
    });

    it("keeps the parameters a slot opened with", async function () {
      const f = await loadFixture(deployBlocksFixture);
      await f.blocks.advance(MICROGRID, f.slot);
      await f.blocks.connect(f.paramsSetter).setProposalTimeout(1_000);
      await f.blocks.connect(f.paramsSetter).setAttesterPenalty(0);
      await at(f.proposableAt + TIMEOUT);
      await expect(f.blocks.advance(MICROGRID, f.slot)).to.emit(f.blocks, "RoundEnded");
      const state = await f.blocks.blockState(MICROGRID, f.slot);
      expect([state.proposalTimeout, state.attesterPenalty]).to.deep.equal([TIMEOUT, PENALTY]);
    });
  });

  describeRoleMatrix(
    ROLE_IDS,
    [
      {
        name: "setProposalTimeout",
        role: "PARAMS_ROLE",
        call: (f: BlocksFixture, s) => f.blocks.connect(s).setProposalTimeout(600),
      },
      {
        name: "setAttestWindow",
        role: "PARAMS_ROLE",
        call: (f: BlocksFixture, s) => f.blocks.connect(s).setAttestWindow(600),
      },
      {
        name: "setFinalityDeadline",
        role: "PARAMS_ROLE",
        call: (f: BlocksFixture, s) => f.blocks.connect(s).setFinalityDeadline(2),
      },
      {
        name: "setAttesterPenalty",
        role: "PARAMS_ROLE",
        call: (f: BlocksFixture, s) => f.blocks.connect(s).setAttesterPenalty(0),
      },
      {
        name: "setMaxExclusions",
        role: "PARAMS_ROLE",
        call: (f: BlocksFixture, s) => f.blocks.connect(s).setMaxExclusions(8),
      },
    ],
    () => loadFixture(deployBlocksFixture),
  );

  describe("suite roles", function () {
    it("fails finality when TradeBlocks lacks a role it needs", async function () {
      const f = await loadFixture(proposedFixture);
      await f.meter.revokeRole(ethers.id("CONSENSUS_ROLE"), await f.blocks.getAddress());
      const attesters = attestersOf(f, 0).slice(0, acceptsToFinalize(f.order.length) - 1);
      for (const member of attesters.slice(0, -1))
        await f.blocks.connect(member).attest(MICROGRID, f.slot, 0, true);
      await expect(
        f.blocks.connect(attesters[attesters.length - 1]).attest(MICROGRID, f.slot, 0, true),
      ).to.be.revertedWithCustomError(f.meter, "AccessControlUnauthorizedAccount");
    });
  });

  it("uses the proposer formula of ICommittees.proposerOf", async function () {
    const f = await loadFixture(deployBlocksFixture);
    for (let round = 0; round < 9; round++) {
      expect(await f.committees.proposerOf(MICROGRID, f.slot, round)).to.equal(
        f.order[proposerIndex(MICROGRID, f.slot, round, f.order.length)].address,
      );
    }
  });
});
