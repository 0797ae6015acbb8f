// Tests of Committees (SPEC §6.2): epochs, selection from the validator registry's ranking (validators
// joined with burned deposits), the prevrandao shuffle, proposers, parameters and roles; rotation over many
// epochs and random validator sets compared with the reference model of test/reference/committees.ts.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { anyUint } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import fc from "fast-check";

import { describeRoleMatrix } from "../shared/roleMatrix";
import { fcOptions } from "../trust/fixtures";
import {
  DEFAULT_SELECTION,
  disjointGuaranteed,
  proposerIndex,
  selectChain,
  selectMembers,
  selectionSlotOf,
  shuffleOrder,
  shuffleSeed,
  type SelectionParams,
} from "../reference/committees";
import { ranksBefore } from "../reference/ranking";
import { ICommittees__factory } from "../../typechain-types";
import { TRC, WAD, ZERO, walkRanking } from "./fixtures";
import {
  COMMITTEE_ROLE_IDS,
  EPOCH_SLOTS,
  SLOT_LENGTH,
  addValidators,
  deployCommitteesFixture,
  goToSlot,
  lower,
  mineBlocks,
  newCandidate,
  penalise,
  rankedCandidates,
  setNextPrevRandao,
  spreadDeposits,
  syncRank,
  type CommitteesFixture,
} from "./committeesFixtures";

const name = (s: string) => ethers.encodeBytes32String(s);
const MAX_UINT64 = 2n ** 64n - 1n;

/** `n` validators with spread deposits (ties from 13 on), the suite at slot 0. */
function withValidators(n: number) {
  return async function fixture() {
    const f = await deployCommitteesFixture();
    const validators = await addValidators(f, spreadDeposits(n));
    return { ...f, validators };
  };
}
const with3 = withValidators(3);
const with4 = withValidators(4);
const with10 = withValidators(10);
const with12 = withValidators(12);
const with25 = withValidators(25);
const with100 = withValidators(100);

/** 25 validators, four of whose scores were lowered to 2.5 and re-ranked, so that scores break weight ties. */
async function with25Rescored() {
  const f = await with25();
  for (const v of f.validators.slice(0, 8).filter((_, i) => i % 2 === 0)) {
    await penalise(f, v.address, WAD / 2n);
    await syncRank(f, v.address);
  }
  return f;
}

/** Selects epochs 0 and 1 at slot 5 with `selectNextCommittee`; returns the selection block. */
async function selectFirstTwo(f: CommitteesFixture): Promise<number> {
  await goToSlot(f, 5n);
  const receipt = await (await f.committees.selectNextCommittee()).wait();
  return receipt!.blockNumber;
}

/** Members of `epoch` as stored, lower-cased. */
async function membersOf(f: CommitteesFixture, epoch: bigint): Promise<string[]> {
  return lower(await f.committees.membersOf(epoch));
}

function intersect(a: string[], b: string[]): string[] {
  const set = new Set(lower(b));
  return lower(a).filter((x) => set.has(x));
}

describe("Committees", function () {
  describe("constructor", function () {
    it("sets the defaults of SPEC §6.2 and wires the registry and validator registry", async function () {
      const { committees, registry, vr } = await loadFixture(deployCommitteesFixture);
      expect(await committees.epochSlots()).to.equal(EPOCH_SLOTS);
      expect(await committees.committeeSize()).to.equal(10n);
      expect(await committees.minCommittee()).to.equal(4n);
      expect(await committees.seedBlockDelay()).to.equal(2n);
      expect(await committees.REGISTRY()).to.equal(await registry.getAddress());
      expect(await committees.VALIDATORS()).to.equal(await vr.getAddress());
      expect(await committees.PARAMS_ROLE()).to.equal(COMMITTEE_ROLE_IDS.PARAMS_ROLE);
    });

    it("refuses a zero admin, registry or validator registry", async function () {
      const { admin, registry, vr, committees } = await loadFixture(deployCommitteesFixture);
      const factory = await ethers.getContractFactory("Committees");
      // One deployment at a time: a rejected deployment started before its `expect` is an unhandled rejection.
      for (const deploy of [
        () => factory.deploy(ZERO, registry, vr, EPOCH_SLOTS),
        () => factory.deploy(admin.address, ZERO, vr, EPOCH_SLOTS),
        () => factory.deploy(admin.address, registry, ZERO, EPOCH_SLOTS),
      ]) {
        await expect(deploy()).to.be.revertedWithCustomError(committees, "ZeroAddress");
      }
    });

    it("refuses an epoch of zero slots or of more than 2^32 − 1 slots", async function () {
      const { admin, registry, vr, committees } = await loadFixture(deployCommitteesFixture);
      const factory = await ethers.getContractFactory("Committees");
      for (const slots of [0n, 2n ** 32n]) {
        await expect(factory.deploy(admin.address, registry, vr, slots))
          .to.be.revertedWithCustomError(committees, "InvalidParameter")
          .withArgs(name("epochSlots"), slots);
      }
      const longest = await factory.deploy(admin.address, registry, vr, 2n ** 32n - 1n);
      expect(await longest.epochSlots()).to.equal(2n ** 32n - 1n);
    });

    it("refuses a registry whose slot length is zero", async function () {
      const { admin, vr, committees } = await loadFixture(deployCommitteesFixture);
      const clock = await ethers.deployContract("MockRegistryClock", [0n, 0n]);
      const factory = await ethers.getContractFactory("Committees");
      await expect(factory.deploy(admin.address, clock, vr, EPOCH_SLOTS))
        .to.be.revertedWithCustomError(committees, "InvalidParameter")
        .withArgs(name("slotLength"), 0n);
    });

    it("supports the ICommittees, IAccessControl and IERC165 interfaces only", async function () {
      const { committees } = await loadFixture(deployCommitteesFixture);
      let id = 0n;
      ICommittees__factory.createInterface().forEachFunction((fn) => {
        id ^= BigInt(fn.selector);
      });
      const interfaceId = ethers.toBeHex(id, 4);
      expect(await committees.supportsInterface(interfaceId)).to.equal(true);
      expect(await committees.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      expect(await committees.supportsInterface("0x01ffc9a7")).to.equal(true); // IERC165
      expect(await committees.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("epochOf", function () {
    it("cuts slots into epochs of epochSlots slots", async function () {
      const { committees } = await loadFixture(deployCommitteesFixture);
      for (const [slot, epoch] of [
        [0n, 0n],
        [9n, 0n],
        [10n, 1n],
        [19n, 1n],
        [25n, 2n],
        [MAX_UINT64, MAX_UINT64 / 10n],
      ]) {
        expect(await committees.epochOf(slot)).to.equal(epoch);
      }
    });
  });

  describe("selectionSlot", function () {
    it("is the middle slot of the epoch before, and slot 0 for epoch 0", async function () {
      const { committees } = await loadFixture(deployCommitteesFixture);
      for (const epoch of [0n, 1n, 2n, 7n, MAX_UINT64]) {
        expect(await committees.selectionSlot(epoch)).to.equal(selectionSlotOf(epoch, EPOCH_SLOTS));
      }
      expect(await committees.selectionSlot(1n)).to.equal(5n);
      expect(await committees.selectionSlot(MAX_UINT64)).to.equal((MAX_UINT64 - 1n) * 10n + 5n);
    });

    it("is the slot before for epochs of one slot", async function () {
      const { admin, registry, vr } = await loadFixture(deployCommitteesFixture);
      const short = await ethers.deployContract("Committees", [admin.address, registry, vr, 1n]);
      expect(await short.selectionSlot(1n)).to.equal(0n);
      expect(await short.selectionSlot(8n)).to.equal(7n);
    });
  });

  describe("selectNextCommittee", function () {
    it("refuses to select the next epoch before the middle slot of the current one", async function () {
      const f = await loadFixture(with25);
      await expect(f.committees.selectNextCommittee())
        .to.be.revertedWithCustomError(f.committees, "SelectionTooEarly")
        .withArgs(1n, 5n, 0n);
      await goToSlot(f, 14n);
      await expect(f.committees.selectNextCommittee())
        .to.be.revertedWithCustomError(f.committees, "SelectionTooEarly")
        .withArgs(2n, 15n, 14n);
    });

    it("refuses before the clock's genesis", async function () {
      const f = await loadFixture(with25);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const clock = await ethers.deployContract("MockRegistryClock", [now + 10_000n, SLOT_LENGTH]);
      const early = await ethers.deployContract("Committees", [f.admin.address, clock, f.vr, EPOCH_SLOTS]);
      await expect(early.selectNextCommittee())
        .to.be.revertedWithCustomError(early, "ClockNotStarted")
        .withArgs(anyUint, now + 10_000n);
    });

    it("from the middle slot on, selects the current epoch (if none) and the next, skipping the current", async function () {
      const f = await loadFixture(with25);
      const ranked = await rankedCandidates(f);
      const [epoch0, epoch1] = selectChain(ranked, 2);
      await goToSlot(f, 5n);
      const block = (await ethers.provider.getBlockNumber()) + 1;
      await expect(f.committees.selectNextCommittee())
        .to.emit(f.committees, "CommitteeSelected")
        .withArgs(0n, epoch0, block + 2)
        .and.to.emit(f.committees, "CommitteeSelected")
        .withArgs(1n, epoch1, block + 2);
      expect(await f.committees.selectNextCommittee.staticCall()).to.equal(1n);
      expect(lower(await f.committees.membersOf(0n))).to.deep.equal(lower(epoch0));
      expect(lower(await f.committees.membersOf(1n))).to.deep.equal(lower(epoch1));
      expect(intersect(epoch0, epoch1)).to.deep.equal([]);
      const info = await f.committees.committeeInfo(1n);
      expect([info.selected, info.shuffled, info.memberCount, info.seedBlock]).to.deep.equal([
        true,
        false,
        10n,
        BigInt(block + 2),
      ]);
    });

    it("is a no-op once both epochs are selected and the current one is shuffled", async function () {
      const f = await loadFixture(with25);
      await selectFirstTwo(f);
      await mineBlocks(2);
      await expect(f.committees.selectNextCommittee()).to.emit(f.committees, "CommitteeShuffled");
      await expect(f.committees.selectNextCommittee()).to.not.emit(f.committees, "CommitteeSelected");
      await expect(f.committees.selectNextCommittee()).to.not.emit(f.committees, "CommitteeShuffled");
    });

    it("shuffles the current epoch once its seed block has come, and not before", async function () {
      const f = await loadFixture(with25);
      await selectFirstTwo(f);
      await expect(f.committees.selectNextCommittee()).to.not.emit(f.committees, "CommitteeShuffled");
      await setNextPrevRandao(77n);
      const members = await f.committees.membersOf(0n);
      await expect(f.committees.selectNextCommittee())
        .to.emit(f.committees, "CommitteeShuffled")
        .withArgs(0n, shuffleOrder(77n, 0n, members), shuffleSeed(77n, 0n, members));
      expect(await f.committees.hasCommittee(0n)).to.equal(true);
      expect(await f.committees.hasCommittee(1n)).to.equal(false);
    });
  });

  describe("ensureCommittee", function () {
    it("selects lazily once the selection slot has come and shuffles from the seed block on", async function () {
      const f = await loadFixture(with25);
      const [epoch0] = selectChain(await rankedCandidates(f), 1);
      const block = (await ethers.provider.getBlockNumber()) + 1;
      await expect(f.committees.ensureCommittee(0n))
        .to.emit(f.committees, "CommitteeSelected")
        .withArgs(0n, epoch0, block + 2);
      expect(await f.committees.ensureCommittee.staticCall(0n)).to.deep.equal([]);
      await f.committees.ensureCommittee(0n); // one block later: still before the seed block
      expect(await f.committees.hasCommittee(0n)).to.equal(false);
      expect(await f.committees.proposerOf(1, 0n, 0n)).to.equal(ZERO);
      await setNextPrevRandao(5n);
      const order = shuffleOrder(5n, 0n, epoch0);
      await expect(f.committees.ensureCommittee(0n))
        .to.emit(f.committees, "CommitteeShuffled")
        .withArgs(0n, order, shuffleSeed(5n, 0n, epoch0));
      expect(await f.committees.committeeOf(0n)).to.deep.equal(order);
      expect(await f.committees.ensureCommittee.staticCall(0n)).to.deep.equal(order);
      await expect(f.committees.ensureCommittee(0n)).to.not.emit(f.committees, "CommitteeShuffled");
    });

    it("does nothing for an epoch whose selection slot has not come", async function () {
      const f = await loadFixture(with25);
      await goToSlot(f, 4n);
      await expect(f.committees.ensureCommittee(1n)).to.not.emit(f.committees, "CommitteeSelected");
      expect(await f.committees.ensureCommittee.staticCall(1n)).to.deep.equal([]);
      expect((await f.committees.committeeInfo(1n)).selected).to.equal(false);
      await expect(f.committees.ensureCommittee(MAX_UINT64)).to.not.emit(f.committees, "CommitteeSelected");
      await goToSlot(f, 5n);
      await expect(f.committees.ensureCommittee(1n)).to.emit(f.committees, "CommitteeSelected");
    });

    it("does nothing before the clock's genesis", async function () {
      const f = await loadFixture(with25);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const clock = await ethers.deployContract("MockRegistryClock", [now + 10_000n, SLOT_LENGTH]);
      const early = await ethers.deployContract("Committees", [f.admin.address, clock, f.vr, EPOCH_SLOTS]);
      await expect(early.ensureCommittee(0n)).to.not.emit(early, "CommitteeSelected");
      expect((await early.committeeInfo(0n)).selected).to.equal(false);
    });

    it("selects a past epoch late, still skipping the committee of the epoch before", async function () {
      const f = await loadFixture(with25);
      const chain = selectChain(await rankedCandidates(f), 3);
      await f.committees.ensureCommittee(0n);
      await goToSlot(f, 25n); // epoch 2: nobody selected epoch 1
      await f.committees.ensureCommittee(1n);
      await f.committees.ensureCommittee(2n);
      expect(await membersOf(f, 1n)).to.deep.equal(lower(chain[1]));
      expect(await membersOf(f, 2n)).to.deep.equal(lower(chain[2]));
      expect(intersect(chain[0], chain[1])).to.deep.equal([]);
    });

    it("selecting an epoch after its successor skips the committees on both sides", async function () {
      const f = await loadFixture(with25);
      const ranked = await rankedCandidates(f);
      await f.committees.ensureCommittee(0n);
      await goToSlot(f, 15n);
      await f.committees.ensureCommittee(2n); // epoch 1 not selected: nothing to skip
      expect(await membersOf(f, 2n)).to.deep.equal(lower(selectMembers(ranked, [])));
      await f.committees.ensureCommittee(1n);
      const both = [...(await f.committees.membersOf(0n)), ...(await f.committees.membersOf(2n))];
      const epoch1 = await membersOf(f, 1n);
      expect(epoch1).to.deep.equal(lower(selectMembers(ranked, both)));
      expect(intersect(epoch1, both)).to.deep.equal([]);
      expect(epoch1).to.have.length(10); // 25 eligible, the same ten on both neighbours: 15 left
    });
  });

  describe("shuffle", function () {
    it("refuses an epoch not selected", async function () {
      const f = await loadFixture(with25);
      await expect(f.committees.shuffle(0n))
        .to.be.revertedWithCustomError(f.committees, "CommitteeNotSelected")
        .withArgs(0n);
    });

    it("refuses an epoch without committee", async function () {
      const f = await loadFixture(with3);
      await f.committees.ensureCommittee(0n);
      await mineBlocks(3);
      await expect(f.committees.shuffle(0n))
        .to.be.revertedWithCustomError(f.committees, "NoCommittee")
        .withArgs(0n);
    });

    it("refuses before the seed block", async function () {
      const f = await loadFixture(with25);
      await f.committees.ensureCommittee(0n);
      const { seedBlock } = await f.committees.committeeInfo(0n);
      await expect(f.committees.shuffle(0n))
        .to.be.revertedWithCustomError(f.committees, "SeedBlockNotReached")
        .withArgs(0n, seedBlock, seedBlock - 1n);
    });

    it("refuses an epoch shuffled already", async function () {
      const f = await loadFixture(with25);
      await f.committees.ensureCommittee(0n);
      await mineBlocks(1);
      await f.committees.shuffle(0n);
      await expect(f.committees.shuffle(0n))
        .to.be.revertedWithCustomError(f.committees, "AlreadyShuffled")
        .withArgs(0n);
    });

    it("draws the reference's Fisher–Yates order from the block's prevrandao, epoch and members", async function () {
      const f = await loadFixture(with25);
      await f.committees.ensureCommittee(0n);
      await mineBlocks(1);
      const members = await f.committees.membersOf(0n);
      const prevrandao = 2n ** 255n + 12345n;
      await setNextPrevRandao(prevrandao);
      const order = shuffleOrder(prevrandao, 0n, members);
      await expect(f.committees.shuffle(0n))
        .to.emit(f.committees, "CommitteeShuffled")
        .withArgs(0n, order, shuffleSeed(prevrandao, 0n, members));
      expect(await f.committees.committeeOf(0n)).to.deep.equal(order);
      expect(await f.committees.membersOf(0n)).to.deep.equal(order);
      expect([...lower(order)].sort()).to.deep.equal([...lower(members)].sort());
      expect(await f.committees.hasCommittee(0n)).to.equal(true);
      expect((await f.committees.committeeInfo(0n)).shuffled).to.equal(true);
    });

    it("gives another order for another prevrandao, from the same members", async function () {
      const f = await loadFixture(with25);
      await f.committees.ensureCommittee(0n);
      await mineBlocks(1);
      const members = await f.committees.membersOf(0n);
      const orders: string[][] = [];
      for (const prevrandao of [1n, 2n, 3n]) {
        const snapshot = await network.provider.send("evm_snapshot", []);
        await setNextPrevRandao(prevrandao);
        await f.committees.shuffle(0n);
        orders.push(await f.committees.committeeOf(0n));
        expect(orders.at(-1)).to.deep.equal(shuffleOrder(prevrandao, 0n, members));
        await network.provider.send("evm_revert", [snapshot]);
      }
      expect(new Set(orders.map((o) => o.join())).size).to.equal(3);
      expect(orders.every((o) => o.join() !== members.join())).to.equal(true);
    });

    it("leaves the members, and their membership, as selected when one of them leaves afterwards", async function () {
      const f = await loadFixture(with25);
      await f.committees.ensureCommittee(0n);
      const members = await f.committees.membersOf(0n);
      const leaver = f.validators.find((v) => v.address === members[0])!;
      await f.vr.connect(leaver).leave();
      await setNextPrevRandao(9n);
      await f.committees.shuffle(0n);
      expect(await f.committees.isMember(0n, leaver.address)).to.equal(true);
      expect(await f.committees.committeeOf(0n)).to.deep.equal(shuffleOrder(9n, 0n, members));
    });
  });

  describe("selection rule", function () {
    it("ranks by weight, then score, then the lower address", async function () {
      const f = await loadFixture(with25Rescored);
      const records = await Promise.all(
        f.validators.map(async (v) => ({
          address: v.address,
          weight: (await f.vr.validator(v.address)).weight,
          score: await f.vr.rankScore(v.address),
        })),
      );
      const byRank = [...records].sort((x, y) =>
        ranksBefore(x.weight, x.score, x.address, y.weight, y.score, y.address) ? -1 : 1,
      );
      expect(lower(await walkRanking(f.vr))).to.deep.equal(lower(byRank.map((r) => r.address)));
      await selectFirstTwo(f);
      expect(await membersOf(f, 0n)).to.deep.equal(lower(byRank.slice(0, 10).map((r) => r.address)));
      expect(await membersOf(f, 1n)).to.deep.equal(lower(byRank.slice(10, 20).map((r) => r.address)));
      // The rescored ones rank after their weight ties: a score tie-break was used.
      const tied = byRank.filter(
        (r, i) => i > 0 && r.weight === byRank[i - 1].weight && r.score !== byRank[i - 1].score,
      );
      expect(tied.length).to.be.greaterThan(0);
    });

    it("skips validators below minValidatorScore and validators that left", async function () {
      const f = await loadFixture(with25);
      const order = await walkRanking(f.vr);
      await penalise(f, order[0], 3n * WAD); // score 0: ranked but not eligible
      await f.vr.connect(f.validators.find((v) => v.address === order[1])!).leave();
      await f.committees.ensureCommittee(0n);
      expect(await membersOf(f, 0n)).to.deep.equal(lower(order.slice(2, 12)));
      expect(await f.committees.isMember(0n, order[0])).to.equal(false);
      expect(await f.committees.isMember(0n, order[1])).to.equal(false);
      expect(await f.committees.isMember(0n, order[2])).to.equal(true);
    });

    it("forms no committee below minCommittee eligible validators", async function () {
      const f = await loadFixture(with3);
      await goToSlot(f, 5n);
      const tx = f.committees.selectNextCommittee();
      await expect(tx).to.emit(f.committees, "CommitteeNotFormed").withArgs(0n, 3n, 4n);
      await expect(tx).to.emit(f.committees, "CommitteeNotFormed").withArgs(1n, 3n, 4n);
      await expect(tx).to.not.emit(f.committees, "CommitteeSelected");
      await mineBlocks(3);
      expect(await f.committees.ensureCommittee.staticCall(1n)).to.deep.equal([]);
      await f.committees.ensureCommittee(1n);
      const info = await f.committees.committeeInfo(1n);
      expect([info.selected, info.shuffled, info.memberCount, info.seedBlock]).to.deep.equal([
        true,
        false,
        0n,
        0n,
      ]);
      expect(await f.committees.hasCommittee(1n)).to.equal(false);
      expect(await f.committees.committeeOf(1n)).to.deep.equal([]);
      expect(await f.committees.membersOf(1n)).to.deep.equal([]);
      expect(await f.committees.proposerOf(1, 12n, 0n)).to.equal(ZERO);
      expect(await f.committees.isMember(1n, f.validators[0].address)).to.equal(false);
    });

    it("forms no committee when four are ranked but one is not eligible", async function () {
      const f = await loadFixture(with4);
      await penalise(f, f.validators[2].address, 3n * WAD);
      await expect(f.committees.ensureCommittee(0n))
        .to.emit(f.committees, "CommitteeNotFormed")
        .withArgs(0n, 3n, 4n);
    });

    it("adds the best-ranked members of the current committee to reach minCommittee", async function () {
      const f = await loadFixture(with12);
      const order = await walkRanking(f.vr);
      await selectFirstTwo(f);
      expect(await membersOf(f, 0n)).to.deep.equal(lower(order.slice(0, 10)));
      // Two not on epoch 0's committee, then the two best of it.
      expect(await membersOf(f, 1n)).to.deep.equal(lower([order[10], order[11], order[0], order[1]]));
    });

    it("passes over at most 4 · maxIneligibleSkipped ineligible validators in one selection", async function () {
      const f = await loadFixture(with25);
      await f.vr.connect(f.paramsSetter).setMaxIneligibleSkipped(1n);
      const order = await walkRanking(f.vr);
      for (const v of order.slice(0, 4)) await penalise(f, v, 3n * WAD);
      await f.committees.ensureCommittee(0n); // four pages of one skip each
      expect(await membersOf(f, 0n)).to.deep.equal(lower(order.slice(4, 14)));
      const params = { ...DEFAULT_SELECTION, maxIneligibleSkipped: 1 };
      expect(await membersOf(f, 0n)).to.deep.equal(
        lower(selectMembers(await rankedCandidates(f), [], params)),
      );

      await penalise(f, order[4], 3n * WAD); // a fifth: the walk ends before any eligible one
      await goToSlot(f, 5n);
      await expect(f.committees.ensureCommittee(1n))
        .to.emit(f.committees, "CommitteeNotFormed")
        .withArgs(1n, 0n, 4n);
      expect(selectMembers(await rankedCandidates(f), [], params)).to.deep.equal([]);
    });

    it("applies committeeSize and minCommittee to later selections only", async function () {
      const f = await loadFixture(with25);
      await f.committees.ensureCommittee(0n);
      await f.committees.connect(f.paramsSetter).setCommitteeSize(5n);
      await f.committees.connect(f.paramsSetter).setMinCommittee(5n);
      await goToSlot(f, 5n);
      await f.committees.ensureCommittee(1n);
      expect(await f.committees.membersOf(0n)).to.have.length(10);
      expect(await f.committees.membersOf(1n)).to.have.length(5);
      const params: SelectionParams = { ...DEFAULT_SELECTION, committeeSize: 5, minCommittee: 5 };
      const ranked = await rankedCandidates(f);
      expect(await membersOf(f, 1n)).to.deep.equal(
        lower(selectMembers(ranked, await f.committees.membersOf(0n), params)),
      );
      await mineBlocks(2);
      await f.committees.ensureCommittee(0n);
      expect(await f.committees.hasCommittee(0n)).to.equal(true);
      expect(await f.committees.committeeOf(0n)).to.have.length(10);
    });
  });

  describe("rotation over many epochs", function () {
    const EPOCHS = 8;
    const cases: [number, () => Promise<CommitteesFixture>][] = [
      [3, with3],
      [4, with4],
      [10, with10],
      [25, with25],
      [100, with100],
    ];
    for (const [n, fixture] of cases) {
      it(`matches the reference with ${n} validators, disjoint from the previous committee exactly when ≥ minCommittee others are eligible`, async function () {
        const f = await loadFixture(fixture);
        const ranked = await rankedCandidates(f);
        const chain = selectChain(ranked, EPOCHS + 1);
        await f.committees.ensureCommittee(0n);
        for (let e = 1; e <= EPOCHS; e += 1) {
          await goToSlot(f, selectionSlotOf(BigInt(e), EPOCH_SLOTS));
          await setNextPrevRandao(BigInt(1000 + e));
          const before = await f.committees.membersOf(BigInt(e - 1));
          await f.committees.selectNextCommittee();
          // The previous epoch (selected at least two blocks ago) was shuffled by this call.
          if (chain[e - 1].length > 0) {
            expect(await f.committees.committeeOf(BigInt(e - 1))).to.deep.equal(
              shuffleOrder(BigInt(1000 + e), BigInt(e - 1), before),
            );
          }
          expect(await membersOf(f, BigInt(e))).to.deep.equal(lower(chain[e]));
          if (chain[e].length === 0) continue;
          const overlap = intersect(chain[e], chain[e - 1]);
          const disjoint = disjointGuaranteed(n, chain[e - 1].length, DEFAULT_SELECTION);
          expect(overlap.length === 0).to.equal(disjoint, `epoch ${e}`);
        }
        const formed = chain.slice(0, EPOCHS + 1).filter((c) => c.length > 0).length;
        if (n < 4) expect(formed).to.equal(0);
        if (n === 4) expect(new Set(chain.map((c) => lower(c).sort().join())).size).to.equal(1);
        if (n >= 14) {
          // committeeSize + minCommittee eligible: no member ever serves two epochs in a row.
          for (let e = 1; e <= EPOCHS; e += 1) expect(intersect(chain[e], chain[e - 1])).to.deep.equal([]);
          if (n >= 20) expect(chain.every((c) => c.length === 10)).to.equal(true);
        }
      });
    }
  });

  describe("isMember", function () {
    it("tells members of each epoch apart across the 256-epoch words of the membership bits", async function () {
      const f = await loadFixture(with25);
      await goToSlot(f, selectionSlotOf(256n, EPOCH_SLOTS)); // slot 2 555, epoch 255
      await f.committees.ensureCommittee(255n);
      await f.committees.ensureCommittee(256n);
      const e255 = await f.committees.membersOf(255n);
      const e256 = await f.committees.membersOf(256n);
      expect(intersect(e255, e256)).to.deep.equal([]); // the neighbour in the other word was skipped
      for (const v of f.validators) {
        const in255 = lower(e255).includes(v.address.toLowerCase());
        const in256 = lower(e256).includes(v.address.toLowerCase());
        expect(await f.committees.isMember(255n, v.address)).to.equal(in255);
        expect(await f.committees.isMember(256n, v.address)).to.equal(in256);
        expect(await f.committees.isMember(254n, v.address)).to.equal(false);
        expect(await f.committees.isMember(257n, v.address)).to.equal(false);
        expect(await f.committees.isMember(511n, v.address)).to.equal(false);
      }
      expect(await f.committees.isMember(255n, f.stranger.address)).to.equal(false);
    });
  });

  describe("proposerOf", function () {
    it("is order[(slot + microgrid + round) mod k] of the slot's epoch, for any round", async function () {
      const f = await loadFixture(with25);
      await selectFirstTwo(f);
      await mineBlocks(2);
      await f.committees.selectNextCommittee();
      const order = await f.committees.committeeOf(0n);
      const k = order.length;
      for (const microgrid of [0n, 1n, 7n, 2n ** 32n - 1n]) {
        for (const slot of [0n, 3n, 9n]) {
          for (const round of [0n, 1n, 9n, 10n, 11n, 2n ** 256n - 1n]) {
            expect(await f.committees.proposerOf(microgrid, slot, round)).to.equal(
              order[proposerIndex(microgrid, slot, round, k)],
            );
          }
        }
      }
      expect(await f.committees.proposerOf(1, 10n, 0n)).to.equal(ZERO); // epoch 1: selected, not shuffled
      expect(await f.committees.proposerOf(1, MAX_UINT64, 2n ** 256n - 1n)).to.equal(ZERO);
    });
  });

  describe("setCommitteeSize", function () {
    it("sets the size in [minCommittee, 64] and emits ParameterSet", async function () {
      const { committees, paramsSetter } = await loadFixture(deployCommitteesFixture);
      await expect(committees.connect(paramsSetter).setCommitteeSize(64n))
        .to.emit(committees, "ParameterSet")
        .withArgs(name("committeeSize"), 10n, 64n);
      expect(await committees.committeeSize()).to.equal(64n);
      await committees.connect(paramsSetter).setCommitteeSize(4n);
      expect(await committees.committeeSize()).to.equal(4n);
    });

    it("refuses a size below minCommittee or above 64", async function () {
      const { committees, paramsSetter } = await loadFixture(deployCommitteesFixture);
      for (const value of [3n, 65n, 2n ** 255n]) {
        await expect(committees.connect(paramsSetter).setCommitteeSize(value))
          .to.be.revertedWithCustomError(committees, "InvalidParameter")
          .withArgs(name("committeeSize"), value);
      }
      await committees.connect(paramsSetter).setMinCommittee(8n);
      await expect(committees.connect(paramsSetter).setCommitteeSize(7n))
        .to.be.revertedWithCustomError(committees, "InvalidParameter")
        .withArgs(name("committeeSize"), 7n);
    });
  });

  describe("setMinCommittee", function () {
    it("sets the minimum in [4, committeeSize] and emits ParameterSet", async function () {
      const { committees, paramsSetter } = await loadFixture(deployCommitteesFixture);
      await expect(committees.connect(paramsSetter).setMinCommittee(10n))
        .to.emit(committees, "ParameterSet")
        .withArgs(name("minCommittee"), 4n, 10n);
      expect(await committees.minCommittee()).to.equal(10n);
    });

    it("refuses a minimum below 4 or above committeeSize", async function () {
      const { committees, paramsSetter } = await loadFixture(deployCommitteesFixture);
      for (const value of [0n, 3n, 11n]) {
        await expect(committees.connect(paramsSetter).setMinCommittee(value))
          .to.be.revertedWithCustomError(committees, "InvalidParameter")
          .withArgs(name("minCommittee"), value);
      }
    });
  });

  describeRoleMatrix(
    COMMITTEE_ROLE_IDS,
    [
      {
        name: "setCommitteeSize",
        role: "PARAMS_ROLE",
        call: (c, s) => c.committees.connect(s).setCommitteeSize(8n),
      },
      {
        name: "setMinCommittee",
        role: "PARAMS_ROLE",
        call: (c, s) => c.committees.connect(s).setMinCommittee(5n),
      },
      {
        name: "grantRole",
        role: "DEFAULT_ADMIN_ROLE",
        call: async (c, s) =>
          c.committees.connect(s).grantRole(COMMITTEE_ROLE_IDS.PARAMS_ROLE, await s.getAddress()),
      },
    ],
    () => loadFixture(deployCommitteesFixture),
  );

  describe("random validator sets against the reference", function () {
    const POOL = 16;
    /** A pool of registered, funded candidates; each run joins some of them. */
    async function poolFixture() {
      const f = await deployCommitteesFixture();
      const pool = [];
      for (let i = 0; i < POOL; i += 1) pool.push(await newCandidate(f));
      return { ...f, pool };
    }

    it("selects and shuffles three consecutive epochs as the reference does", async function () {
      const scenario = fc.record({
        joined: fc.array(
          fc.record({
            deposit: fc.constantFrom(2_000n, 2_000n, 2_500n, 3_000n, 4_000n).map((t) => t * TRC),
            ineligible: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
          }),
          { minLength: 0, maxLength: POOL },
        ),
        committeeSize: fc.integer({ min: 4, max: 12 }),
        minExtra: fc.nat({ max: 8 }),
        maxIneligibleSkipped: fc.integer({ min: 1, max: 3 }),
        prevrandao: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
      });
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const f = await loadFixture(poolFixture);
          const minCommittee = Math.min(4 + s.minExtra, s.committeeSize);
          await f.committees.connect(f.paramsSetter).setCommitteeSize(BigInt(s.committeeSize));
          await f.committees.connect(f.paramsSetter).setMinCommittee(BigInt(minCommittee));
          await f.vr.connect(f.paramsSetter).setMaxIneligibleSkipped(BigInt(s.maxIneligibleSkipped));
          for (const [i, v] of s.joined.entries()) {
            const signer = f.pool[i];
            const [p, n] = await f.vr.findInsertPosition(v.deposit, 3n * WAD, signer.address);
            await f.vr.connect(signer).join(v.deposit, p, n);
            if (v.ineligible) await penalise(f, signer.address, 3n * WAD);
          }
          const params: SelectionParams = {
            committeeSize: s.committeeSize,
            minCommittee,
            maxIneligibleSkipped: s.maxIneligibleSkipped,
            maxPages: 4,
          };
          const chain = selectChain(await rankedCandidates(f), 3, params);
          for (let e = 0; e < 3; e += 1) {
            const epoch = BigInt(e);
            await goToSlot(f, selectionSlotOf(epoch, EPOCH_SLOTS));
            await f.committees.ensureCommittee(epoch);
            expect(await membersOf(f, epoch)).to.deep.equal(lower(chain[e]), `epoch ${e}`);
            expect(await f.committees.hasCommittee(epoch)).to.equal(false);
            await mine(1);
            await setNextPrevRandao(s.prevrandao);
            await f.committees.ensureCommittee(epoch);
            expect(await f.committees.hasCommittee(epoch)).to.equal(chain[e].length > 0);
            expect(await f.committees.committeeOf(epoch)).to.deep.equal(
              shuffleOrder(s.prevrandao, epoch, chain[e]),
            );
          }
        }),
        fcOptions(Number(process.env.COMMITTEES_FC_RUNS ?? 15)),
      );
    });
  });
});
