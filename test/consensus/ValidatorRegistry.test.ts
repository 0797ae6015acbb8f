// Unit tests of ValidatorRegistry (SPEC §6.1, §6.2): joining by burning, top-ups, leaving, ejection,
// the sorted ranking with verified hints, eligibility, parameters and roles.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import { describeRoleMatrix } from "../shared/roleMatrix";
import {
  CANDIDATE_FUNDS,
  MIN_DEPOSIT,
  ROLE_IDS,
  TRC,
  WAD,
  ZERO,
  chainHints,
  deployValidatorsFixture,
  expectBacked,
  joinWithHints,
  topUpWithHints,
  walkRanking,
  type ValidatorsFixture,
} from "./fixtures";

const BASE_SCORE = 3n * WAD;

/** Three validators: a 5 000, b 3 000, c 2 000 TRC. */
async function threeValidatorsFixture() {
  const f = await deployValidatorsFixture();
  const [a, b, c] = f.candidates;
  await joinWithHints(f, a, 5_000n * TRC);
  await joinWithHints(f, b, 3_000n * TRC);
  await joinWithHints(f, c, 2_000n * TRC);
  return { ...f, a, b, c };
}

/** The signer among `candidates` with the lowest or highest address. */
function byAddress(signers: HardhatEthersSigner[]): HardhatEthersSigner[] {
  return [...signers].sort((x, y) => (BigInt(x.address) < BigInt(y.address) ? -1 : 1));
}

async function permitSignature(
  f: ValidatorsFixture,
  owner: HardhatEthersSigner,
  value: bigint,
  deadline: bigint,
) {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: "Trust Coin", version: "1", chainId, verifyingContract: await f.coin.getAddress() };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const message = {
    owner: owner.address,
    spender: await f.vr.getAddress(),
    value,
    nonce: await f.coin.nonces(owner.address),
    deadline,
  };
  return ethers.Signature.from(await owner.signTypedData(domain, types, message));
}

describe("ValidatorRegistry", function () {
  describe("constructor", function () {
    it("sets the defaults of SPEC §6 and wires the coin, registry and oracle", async function () {
      const { vr, coin, registry, oracle } = await loadFixture(deployValidatorsFixture);
      expect(await vr.minDeposit()).to.equal(MIN_DEPOSIT);
      expect(await vr.minTraderScoreToValidate()).to.equal(await oracle.initialTraderScore());
      expect(await vr.minValidatorScore()).to.equal(WAD);
      expect(await vr.maxIneligibleSkipped()).to.equal(32n);
      expect(await vr.COIN()).to.equal(await coin.getAddress());
      expect(await vr.REGISTRY()).to.equal(await registry.getAddress());
      expect(await vr.ORACLE()).to.equal(await oracle.getAddress());
      expect(await vr.PARAMS_ROLE()).to.equal(ROLE_IDS.PARAMS_ROLE);
      expect(await vr.CONSENSUS_ROLE()).to.equal(ROLE_IDS.CONSENSUS_ROLE);
      expect(await vr.size()).to.equal(0n);
      expect(await vr.head()).to.equal(ZERO);
    });

    it("takes the oracle's initial trader score as the default bar to join", async function () {
      const { coin, registry, oracle, admin } = await loadFixture(deployValidatorsFixture);
      await oracle.grantRole(ethers.id("PARAMS_ROLE"), admin.address);
      await oracle.setInitialTraderScore(10n * WAD);
      const vr = await ethers.deployContract("ValidatorRegistry", [admin.address, coin, registry, oracle]);
      expect(await vr.minTraderScoreToValidate()).to.equal(10n * WAD);
    });

    it("refuses a zero admin, coin, registry or oracle", async function () {
      const { vr, coin, registry, oracle, admin } = await loadFixture(deployValidatorsFixture);
      const factory = await ethers.getContractFactory("ValidatorRegistry");
      const args = [
        admin.address,
        await coin.getAddress(),
        await registry.getAddress(),
        await oracle.getAddress(),
      ];
      for (let i = 0; i < args.length; i++) {
        const bad = [...args];
        bad[i] = ZERO;
        await expect(factory.deploy(bad[0], bad[1], bad[2], bad[3])).to.be.revertedWithCustomError(
          vr,
          "ZeroAddress",
        );
      }
    });
  });

  describe("join", function () {
    it("burns the deposit into the reward budget, records the weight and initialises the score", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      const deposit = 2_500n * TRC;
      const budgetBefore = await f.coin.rewardBudget();
      const supplyBefore = await f.coin.totalSupply();
      await expect(f.vr.connect(alice).join(deposit, ZERO, ZERO))
        .to.emit(f.vr, "ValidatorJoined")
        .withArgs(alice.address, deposit, BASE_SCORE)
        .and.to.emit(f.coin, "BurnedToBudget")
        .and.to.emit(f.oracle, "ValidatorInitialised");
      const now = BigInt(await time.latest());
      expect(await f.coin.balanceOf(alice.address)).to.equal(CANDIDATE_FUNDS - deposit);
      expect(await f.coin.balanceOf(await f.vr.getAddress())).to.equal(0n);
      expect(await f.coin.rewardBudget()).to.equal(budgetBefore + deposit);
      expect(await f.coin.totalSupply()).to.equal(supplyBefore - deposit);
      await expectBacked(f.coin);
      const record = await f.vr.validator(alice.address);
      expect(record.weight).to.equal(deposit);
      expect(record.joinedAt).to.equal(now);
      expect(record.leftAt).to.equal(0n);
      expect(record.ejected).to.equal(false);
      expect(await f.oracle.validatorState(alice.address)).to.deep.equal([BASE_SCORE, 1n, now]);
      expect(await f.vr.rankScore(alice.address)).to.equal(BASE_SCORE);
      expect(await f.vr.isEligible(alice.address)).to.equal(true);
      expect(await walkRanking(f.vr)).to.deep.equal([alice.address]);
    });

    it("places joiners by weight: the head, the middle and the tail", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const [, , , d, e, g] = f.candidates;
      await joinWithHints(f, d, 6_000n * TRC); // new head
      await joinWithHints(f, e, 4_000n * TRC); // between a and b
      await joinWithHints(f, g, 2_000n * TRC + 1n); // just before c
      expect(await walkRanking(f.vr)).to.deep.equal([d, f.a, e, f.b, g, f.c].map((s) => s.address));
    });

    it("breaks ties of weight and score by the lower address", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const sorted = byAddress(f.candidates.slice(0, 4));
      // Join in reverse address order, each at the same weight.
      for (const s of [...sorted].reverse()) await joinWithHints(f, s, MIN_DEPOSIT);
      expect(await walkRanking(f.vr)).to.deep.equal(sorted.map((s) => s.address));
    });

    it("ranks a higher score first among equal weights", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [low, high] = byAddress(f.candidates.slice(0, 2));
      await joinWithHints(f, low, MIN_DEPOSIT);
      // Penalise the lower address so that it drops, then sync it: the higher address leads.
      await f.oracle.connect(f.scorer).penalise(low.address, WAD);
      const [p, n] = await chainHints(f.vr, low.address, MIN_DEPOSIT, 2n * WAD);
      await f.vr.syncRankScore(low.address, p, n);
      await joinWithHints(f, high, MIN_DEPOSIT);
      expect(await walkRanking(f.vr)).to.deep.equal([high.address, low.address]);
    });

    it("refuses while the suite is paused", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      await f.registry.connect(f.pauser).pause();
      await expect(f.vr.connect(f.candidates[0]).join(MIN_DEPOSIT, ZERO, ZERO)).to.be.revertedWithCustomError(
        f.vr,
        "JoinsPaused",
      );
    });

    it("refuses an account that is not a registered participant", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      await expect(f.vr.connect(f.stranger).join(MIN_DEPOSIT, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "NotRegistered")
        .withArgs(f.stranger.address);
    });

    it("refuses an indebted participant", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      await f.registry.connect(f.debtSetter).setIndebted(alice.address, true);
      await expect(f.vr.connect(alice).join(MIN_DEPOSIT, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "NotInGoodStanding")
        .withArgs(alice.address);
    });

    it("refuses a trader score below minTraderScoreToValidate", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      await f.vr.connect(f.paramsSetter).setMinTraderScoreToValidate(13n * WAD);
      await expect(f.vr.connect(alice).join(MIN_DEPOSIT, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "TraderScoreTooLow")
        .withArgs(alice.address, 12n * WAD, 13n * WAD);
    });

    it("refuses a deposit below minDeposit", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      await expect(f.vr.connect(f.candidates[0]).join(MIN_DEPOSIT - 1n, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "DepositTooSmall")
        .withArgs(MIN_DEPOSIT - 1n, MIN_DEPOSIT);
    });

    it("refuses a deposit whose weight would not fit 128 bits", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      await expect(f.vr.connect(f.candidates[0]).join(2n ** 128n, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "WeightOverflow")
        .withArgs(2n ** 128n);
    });

    it("refuses a validator that joined already, and one that left", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.connect(f.a).join(MIN_DEPOSIT, f.c.address, ZERO))
        .to.be.revertedWithCustomError(f.vr, "AlreadyJoined")
        .withArgs(f.a.address);
      await f.vr.connect(f.b).leave();
      await expect(f.vr.connect(f.b).join(MIN_DEPOSIT, f.c.address, ZERO))
        .to.be.revertedWithCustomError(f.vr, "AlreadyJoined")
        .withArgs(f.b.address);
    });

    it("refuses a bad previous hint: not ranked, or not ranked before the joiner", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const [, , , d] = f.candidates;
      // 2 500 TRC belongs between b (3 000) and c (2 000).
      await expect(f.vr.connect(d).join(2_500n * TRC, f.c.address, ZERO))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsBadPrevHint")
        .withArgs(f.c.address);
      await expect(f.vr.connect(d).join(2_500n * TRC, f.stranger.address, f.c.address))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsBadPrevHint")
        .withArgs(f.stranger.address);
    });

    it("refuses a bad next hint: not ranked, or not ranked after the joiner", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const [, , , d] = f.candidates;
      await expect(f.vr.connect(d).join(2_500n * TRC, f.b.address, f.a.address))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsBadNextHint")
        .withArgs(f.a.address);
      await expect(f.vr.connect(d).join(2_500n * TRC, f.b.address, f.stranger.address))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsBadNextHint")
        .withArgs(f.stranger.address);
    });

    it("refuses hints that are not neighbours", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const [, , , d] = f.candidates;
      await expect(f.vr.connect(d).join(2_500n * TRC, f.a.address, f.c.address))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsHintsNotAdjacent")
        .withArgs(f.a.address, f.c.address);
      await expect(f.vr.connect(d).join(2_500n * TRC, f.b.address, ZERO))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsHintsNotAdjacent")
        .withArgs(f.b.address, ZERO);
      await expect(f.vr.connect(d).join(1n + 5_000n * TRC, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsHintsNotAdjacent")
        .withArgs(ZERO, ZERO);
    });

    it("refuses an ejected validator for ever (attack: rejoin after ejection)", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.vr.connect(f.consensus).eject(f.b.address);
      await expect(f.vr.connect(f.b).join(MIN_DEPOSIT, f.c.address, ZERO))
        .to.be.revertedWithCustomError(f.vr, "ValidatorIsEjected")
        .withArgs(f.b.address);
      expect(await f.vr.isEligible(f.b.address)).to.equal(false);
    });

    it("refuses a suspended participant (attack: join while suspended)", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      await f.registry.connect(f.registrar).suspend(alice.address);
      await expect(f.vr.connect(alice).join(MIN_DEPOSIT, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "NotInGoodStanding")
        .withArgs(alice.address);
      expect((await f.vr.validator(alice.address)).joinedAt).to.equal(0n);
      expect(await f.oracle.validatorScore(alice.address)).to.equal(0n);
    });

    it("cannot join without burning: no allowance leaves nothing behind (attack)", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      await f.coin.connect(alice).approve(await f.vr.getAddress(), MIN_DEPOSIT - 1n);
      const burned = await f.coin.totalBurned();
      await expect(f.vr.connect(alice).join(MIN_DEPOSIT, ZERO, ZERO)).to.be.revertedWithCustomError(
        f.coin,
        "ERC20InsufficientAllowance",
      );
      expect(await f.coin.balanceOf(alice.address)).to.equal(CANDIDATE_FUNDS);
      expect(await f.coin.totalBurned()).to.equal(burned);
      expect((await f.vr.validator(alice.address)).joinedAt).to.equal(0n);
      expect(await f.vr.size()).to.equal(0n);
      expect(await f.oracle.validatorScore(alice.address)).to.equal(0n);
      await expectBacked(f.coin);
    });

    it("cannot join without burning: an insufficient balance leaves nothing behind (attack)", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice, bob] = f.candidates;
      await f.coin.connect(alice).transfer(bob.address, CANDIDATE_FUNDS - MIN_DEPOSIT + 1n);
      await expect(f.vr.connect(alice).join(MIN_DEPOSIT, ZERO, ZERO)).to.be.revertedWithCustomError(
        f.coin,
        "ERC20InsufficientBalance",
      );
      expect(await f.coin.balanceOf(alice.address)).to.equal(MIN_DEPOSIT - 1n);
      expect(await f.coin.totalBurned()).to.equal(0n);
      expect(await f.vr.size()).to.equal(0n);
      expect(await f.vr.isEligible(alice.address)).to.equal(false);
    });
  });

  describe("joinWithPermit", function () {
    it("joins with a permit instead of an approval", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      await f.coin.connect(alice).approve(await f.vr.getAddress(), 0n);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await permitSignature(f, alice, MIN_DEPOSIT, deadline);
      await expect(f.vr.connect(alice).joinWithPermit(MIN_DEPOSIT, deadline, sig.v, sig.r, sig.s, ZERO, ZERO))
        .to.emit(f.vr, "ValidatorJoined")
        .withArgs(alice.address, MIN_DEPOSIT, BASE_SCORE);
      expect(await f.coin.rewardBudget()).to.equal(MIN_DEPOSIT);
      expect(await f.coin.allowance(alice.address, await f.vr.getAddress())).to.equal(0n);
    });

    it("still joins when the permit was front-run and used already", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      await f.coin.connect(alice).approve(await f.vr.getAddress(), 0n);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await permitSignature(f, alice, MIN_DEPOSIT, deadline);
      await f.coin
        .connect(f.stranger)
        .permit(alice.address, await f.vr.getAddress(), MIN_DEPOSIT, deadline, sig.v, sig.r, sig.s);
      await expect(
        f.vr.connect(alice).joinWithPermit(MIN_DEPOSIT, deadline, sig.v, sig.r, sig.s, ZERO, ZERO),
      ).to.emit(f.vr, "ValidatorJoined");
    });

    it("refuses an invalid permit, leaving nothing behind", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice, bob] = f.candidates;
      await f.coin.connect(alice).approve(await f.vr.getAddress(), 0n);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await permitSignature(f, bob, MIN_DEPOSIT, deadline); // signed by the wrong owner
      await expect(
        f.vr.connect(alice).joinWithPermit(MIN_DEPOSIT, deadline, sig.v, sig.r, sig.s, ZERO, ZERO),
      ).to.be.revertedWithCustomError(f.coin, "ERC2612InvalidSigner");
      expect(await f.vr.size()).to.equal(0n);
      expect(await f.coin.totalBurned()).to.equal(0n);
    });

    it("refuses an expired permit", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      await f.coin.connect(alice).approve(await f.vr.getAddress(), 0n);
      const deadline = BigInt(await time.latest()) - 1n;
      const sig = await permitSignature(f, alice, MIN_DEPOSIT, deadline);
      await expect(
        f.vr.connect(alice).joinWithPermit(MIN_DEPOSIT, deadline, sig.v, sig.r, sig.s, ZERO, ZERO),
      ).to.be.revertedWithCustomError(f.coin, "ERC2612ExpiredSignature");
    });

    it("skips the permit when the allowance suffices already", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [alice] = f.candidates;
      // Garbage signature: never checked, as the fixture's approval covers the deposit.
      await expect(
        f.vr.connect(alice).joinWithPermit(MIN_DEPOSIT, 0n, 27, ethers.ZeroHash, ethers.ZeroHash, ZERO, ZERO),
      ).to.emit(f.vr, "ValidatorJoined");
    });

    it("applies the checks of join", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await permitSignature(f, f.stranger, MIN_DEPOSIT, deadline);
      await expect(
        f.vr.connect(f.stranger).joinWithPermit(MIN_DEPOSIT, deadline, sig.v, sig.r, sig.s, ZERO, ZERO),
      )
        .to.be.revertedWithCustomError(f.vr, "NotRegistered")
        .withArgs(f.stranger.address);
    });
  });

  describe("topUp", function () {
    it("burns more, grows the weight and moves the validator up", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const amount = 2_500n * TRC;
      const budget = await f.coin.rewardBudget();
      await expect(topUpWithHints(f, f.c, amount))
        .to.emit(f.vr, "ValidatorToppedUp")
        .withArgs(f.c.address, amount, 4_500n * TRC, BASE_SCORE);
      expect(await f.coin.rewardBudget()).to.equal(budget + amount);
      expect((await f.vr.validator(f.c.address)).weight).to.equal(4_500n * TRC);
      expect(await walkRanking(f.vr)).to.deep.equal([f.a, f.c, f.b].map((s) => s.address));
      await expectBacked(f.coin);
    });

    it("moves a validator to the head and keeps its place when it stays", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await topUpWithHints(f, f.b, 1n);
      expect(await walkRanking(f.vr)).to.deep.equal([f.a, f.b, f.c].map((s) => s.address));
      await topUpWithHints(f, f.c, 10_000n * TRC);
      expect(await walkRanking(f.vr)).to.deep.equal([f.c, f.a, f.b].map((s) => s.address));
    });

    it("takes the current oracle score into the rank", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.oracle.connect(f.scorer).penalise(f.b.address, WAD);
      await expect(topUpWithHints(f, f.b, TRC))
        .to.emit(f.vr, "ValidatorToppedUp")
        .withArgs(f.b.address, TRC, 3_001n * TRC, 2n * WAD);
      expect(await f.vr.rankScore(f.b.address)).to.equal(2n * WAD);
    });

    it("refuses a zero amount", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.connect(f.a).topUp(0n, ZERO, f.b.address)).to.be.revertedWithCustomError(
        f.vr,
        "ZeroAmount",
      );
    });

    it("refuses while the suite is paused", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.registry.connect(f.pauser).pause();
      await expect(f.vr.connect(f.a).topUp(TRC, ZERO, f.b.address)).to.be.revertedWithCustomError(
        f.vr,
        "JoinsPaused",
      );
    });

    it("refuses an account that never joined, one that left and one that was ejected", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const [, , , d] = f.candidates;
      await expect(f.vr.connect(d).topUp(TRC, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "NotAValidator")
        .withArgs(d.address);
      await f.vr.connect(f.b).leave();
      await expect(f.vr.connect(f.b).topUp(TRC, f.a.address, f.c.address))
        .to.be.revertedWithCustomError(f.vr, "ValidatorHasLeft")
        .withArgs(f.b.address);
      await f.vr.connect(f.consensus).eject(f.c.address);
      await expect(f.vr.connect(f.c).topUp(TRC, f.a.address, ZERO))
        .to.be.revertedWithCustomError(f.vr, "ValidatorIsEjected")
        .withArgs(f.c.address);
    });

    it("refuses a weight that would not fit 128 bits", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const amount = 2n ** 128n - 5_000n * TRC;
      await expect(f.vr.connect(f.a).topUp(amount, ZERO, f.b.address))
        .to.be.revertedWithCustomError(f.vr, "WeightOverflow")
        .withArgs(2n ** 128n);
    });

    it("refuses hints that name the validator itself or a wrong place", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.connect(f.c).topUp(2_500n * TRC, f.a.address, f.c.address))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsBadNextHint")
        .withArgs(f.c.address);
      await expect(f.vr.connect(f.c).topUp(2_500n * TRC, f.b.address, ZERO))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsBadPrevHint")
        .withArgs(f.b.address);
      await expect(f.vr.connect(f.c).topUp(2_500n * TRC, ZERO, f.b.address))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsHintsNotAdjacent")
        .withArgs(ZERO, f.b.address);
    });

    it("cannot top up without burning: nothing changes (attack)", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.coin.connect(f.c).approve(await f.vr.getAddress(), 0n);
      await expect(topUpWithHints(f, f.c, 5_000n * TRC)).to.be.revertedWithCustomError(
        f.coin,
        "ERC20InsufficientAllowance",
      );
      expect((await f.vr.validator(f.c.address)).weight).to.equal(2_000n * TRC);
      expect(await walkRanking(f.vr)).to.deep.equal([f.a, f.b, f.c].map((s) => s.address));
    });
  });

  describe("leave", function () {
    it("records leftAt, leaves the ranking and keeps the weight burned", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const budget = await f.coin.rewardBudget();
      const tx = f.vr.connect(f.b).leave();
      await expect(tx).to.emit(f.vr, "ValidatorLeft");
      const now = BigInt(await time.latest());
      await expect(tx).to.emit(f.vr, "ValidatorLeft").withArgs(f.b.address, now);
      const record = await f.vr.validator(f.b.address);
      expect(record.leftAt).to.equal(now);
      expect(record.weight).to.equal(3_000n * TRC);
      expect(await f.vr.isEligible(f.b.address)).to.equal(false);
      expect(await f.vr.isRanked(f.b.address)).to.equal(false);
      expect(await f.coin.rewardBudget()).to.equal(budget);
      expect(await f.coin.balanceOf(f.b.address)).to.equal(CANDIDATE_FUNDS - 3_000n * TRC);
      expect(await walkRanking(f.vr)).to.deep.equal([f.a.address, f.c.address]);
    });

    it("empties the list when the last validator leaves, head and tail alike", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.vr.connect(f.a).leave();
      await f.vr.connect(f.c).leave();
      expect(await walkRanking(f.vr)).to.deep.equal([f.b.address]);
      await f.vr.connect(f.b).leave();
      expect(await walkRanking(f.vr)).to.deep.equal([]);
      expect(await f.vr.head()).to.equal(ZERO);
    });

    it("refuses an account that never joined, one that left and one that was ejected", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.connect(f.stranger).leave())
        .to.be.revertedWithCustomError(f.vr, "NotAValidator")
        .withArgs(f.stranger.address);
      await f.vr.connect(f.b).leave();
      await expect(f.vr.connect(f.b).leave())
        .to.be.revertedWithCustomError(f.vr, "ValidatorHasLeft")
        .withArgs(f.b.address);
      await f.vr.connect(f.consensus).eject(f.a.address);
      await expect(f.vr.connect(f.a).leave())
        .to.be.revertedWithCustomError(f.vr, "ValidatorIsEjected")
        .withArgs(f.a.address);
    });
  });

  describe("eject", function () {
    it("forfeits the weight, zeroes the oracle score and removes the validator for ever", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.connect(f.consensus).eject(f.a.address))
        .to.emit(f.vr, "ValidatorEjected")
        .withArgs(f.a.address, 5_000n * TRC)
        .and.to.emit(f.oracle, "ValidatorZeroed")
        .withArgs(f.a.address, BASE_SCORE);
      const record = await f.vr.validator(f.a.address);
      expect(record.weight).to.equal(0n);
      expect(record.ejected).to.equal(true);
      expect(await f.oracle.validatorScore(f.a.address)).to.equal(0n);
      expect(await f.vr.isEligible(f.a.address)).to.equal(false);
      expect(await walkRanking(f.vr)).to.deep.equal([f.b.address, f.c.address]);
    });

    it("ejects a validator that left (it may still be finishing a committee)", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.vr.connect(f.c).leave();
      await expect(f.vr.connect(f.consensus).eject(f.c.address))
        .to.emit(f.vr, "ValidatorEjected")
        .withArgs(f.c.address, 2_000n * TRC);
      expect(await walkRanking(f.vr)).to.deep.equal([f.a.address, f.b.address]);
      expect((await f.vr.validator(f.c.address)).leftAt).to.not.equal(0n);
    });

    it("refuses an account that never joined and one ejected already", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.connect(f.consensus).eject(f.stranger.address))
        .to.be.revertedWithCustomError(f.vr, "NotAValidator")
        .withArgs(f.stranger.address);
      await f.vr.connect(f.consensus).eject(f.b.address);
      await expect(f.vr.connect(f.consensus).eject(f.b.address))
        .to.be.revertedWithCustomError(f.vr, "ValidatorIsEjected")
        .withArgs(f.b.address);
    });
  });

  describe("syncRankScore", function () {
    it("re-positions a validator whose score changed among equal weights", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [first, second] = byAddress(f.candidates.slice(0, 2));
      await joinWithHints(f, first, MIN_DEPOSIT);
      await joinWithHints(f, second, MIN_DEPOSIT);
      expect(await walkRanking(f.vr)).to.deep.equal([first.address, second.address]);
      await f.oracle.connect(f.scorer).penalise(first.address, WAD / 2n);
      const newScore = BASE_SCORE - WAD / 2n;
      const [p, n] = await chainHints(f.vr, first.address, MIN_DEPOSIT, newScore);
      await expect(f.vr.connect(f.stranger).syncRankScore(first.address, p, n))
        .to.emit(f.vr, "RankScoreSynced")
        .withArgs(first.address, BASE_SCORE, newScore);
      expect(await walkRanking(f.vr)).to.deep.equal([second.address, first.address]);
      expect(await f.vr.rankScore(first.address)).to.equal(newScore);
      expect((await f.vr.validator(first.address)).weight).to.equal(MIN_DEPOSIT);
    });

    it("does nothing when the score is unchanged, whatever the hints", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.syncRankScore(f.b.address, f.stranger.address, f.stranger.address)).to.not.emit(
        f.vr,
        "RankScoreSynced",
      );
      expect(await walkRanking(f.vr)).to.deep.equal([f.a, f.b, f.c].map((s) => s.address));
    });

    it("refuses an account that is not ranked", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.vr.connect(f.b).leave();
      await expect(f.vr.syncRankScore(f.b.address, ZERO, ZERO))
        .to.be.revertedWithCustomError(f.vr, "NotRanked")
        .withArgs(f.b.address);
    });

    it("refuses bad hints", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      const [first, second] = byAddress(f.candidates.slice(0, 2));
      await joinWithHints(f, first, MIN_DEPOSIT);
      await joinWithHints(f, second, MIN_DEPOSIT);
      await f.oracle.connect(f.scorer).penalise(first.address, WAD);
      await expect(f.vr.syncRankScore(first.address, ZERO, second.address))
        .to.be.revertedWithCustomError(f.vr, "SortedValidatorsBadNextHint")
        .withArgs(second.address);
    });
  });

  describe("parameter setters", function () {
    const cases = [
      {
        fn: "setMinDeposit",
        view: "minDeposit",
        name: "minDeposit",
        good: 1n,
        bad: [0n, 2n ** 128n],
        old: MIN_DEPOSIT,
      },
      {
        fn: "setMinTraderScoreToValidate",
        view: "minTraderScoreToValidate",
        name: "minTraderScoreToValidate",
        good: 15n * WAD,
        bad: [15n * WAD + 1n],
        old: 12n * WAD,
      },
      {
        fn: "setMinValidatorScore",
        view: "minValidatorScore",
        name: "minValidatorScore",
        good: 0n,
        bad: [5n * WAD + 1n],
        old: WAD,
      },
      {
        fn: "setMaxIneligibleSkipped",
        view: "maxIneligibleSkipped",
        name: "maxIneligibleSkipped",
        good: 1024n,
        bad: [0n, 1025n],
        old: 32n,
      },
    ] as const;
    for (const c of cases) {
      describe(c.fn, function () {
        it(`sets ${c.name} and emits ParameterSet`, async function () {
          const f = await loadFixture(deployValidatorsFixture);
          await expect(f.vr.connect(f.paramsSetter).getFunction(c.fn)(c.good))
            .to.emit(f.vr, "ParameterSet")
            .withArgs(ethers.encodeBytes32String(c.name), c.old, c.good);
          expect(await f.vr.getFunction(c.view)()).to.equal(c.good);
        });

        it(`refuses a value outside the domain of ${c.name}`, async function () {
          const f = await loadFixture(deployValidatorsFixture);
          for (const bad of c.bad) {
            await expect(f.vr.connect(f.paramsSetter).getFunction(c.fn)(bad))
              .to.be.revertedWithCustomError(f.vr, "InvalidParameter")
              .withArgs(ethers.encodeBytes32String(c.name));
          }
        });
      });
    }
  });

  describe("topEligible", function () {
    it("returns eligible validators in rank order, paging with the cursor", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const [all, end] = await f.vr.topEligible(10n, ZERO);
      expect(all).to.deep.equal([f.a, f.b, f.c].map((s) => s.address));
      expect(end).to.equal(ZERO);
      const [firstTwo, cursor] = await f.vr.topEligible(2n, ZERO);
      expect(firstTwo).to.deep.equal([f.a.address, f.b.address]);
      expect(cursor).to.equal(f.c.address);
      const [rest, cursor2] = await f.vr.topEligible(2n, cursor);
      expect(rest).to.deep.equal([f.c.address]);
      expect(cursor2).to.equal(ZERO);
      expect((await f.vr.topEligible(0n, ZERO))[0]).to.deep.equal([]);
      expect((await f.vr.topEligible(ethers.MaxUint256, ZERO))[0]).to.have.length(3);
    });

    it("skips validators below minValidatorScore", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.oracle.connect(f.scorer).penalise(f.a.address, 2n * WAD + 1n);
      expect(await f.vr.isEligible(f.a.address)).to.equal(false);
      const [selected] = await f.vr.topEligible(10n, ZERO);
      expect(selected).to.deep.equal([f.b.address, f.c.address]);
    });

    it("stops after maxIneligibleSkipped ineligible entries and returns where it stopped", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await f.vr.connect(f.paramsSetter).setMaxIneligibleSkipped(1n);
      await f.oracle.connect(f.scorer).penalise(f.a.address, 3n * WAD);
      await f.oracle.connect(f.scorer).penalise(f.b.address, 3n * WAD);
      const [selected, cursor] = await f.vr.topEligible(10n, ZERO);
      expect(selected).to.deep.equal([]);
      expect(cursor).to.equal(f.b.address);
      const [more] = await f.vr.topEligible(10n, f.c.address);
      expect(more).to.deep.equal([f.c.address]);
    });

    it("refuses a start that is not ranked", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.topEligible(1n, f.stranger.address))
        .to.be.revertedWithCustomError(f.vr, "NotRanked")
        .withArgs(f.stranger.address);
    });
  });

  describe("isEligible", function () {
    it("needs joined, not left, not ejected and a score of at least minValidatorScore", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      expect(await f.vr.isEligible(f.stranger.address)).to.equal(false);
      expect(await f.vr.isEligible(f.a.address)).to.equal(true);
      await f.oracle.connect(f.scorer).penalise(f.a.address, 2n * WAD); // exactly 1e18 left
      expect(await f.vr.isEligible(f.a.address)).to.equal(true);
      await f.oracle.connect(f.scorer).penalise(f.a.address, 1n);
      expect(await f.vr.isEligible(f.a.address)).to.equal(false);
      await f.vr.connect(f.b).leave();
      expect(await f.vr.isEligible(f.b.address)).to.equal(false);
      await f.vr.connect(f.consensus).eject(f.c.address);
      expect(await f.vr.isEligible(f.c.address)).to.equal(false);
    });
  });

  describe("findInsertPosition", function () {
    it("gives the neighbours of a position, skipping the account itself", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      const [, , , d] = f.candidates;
      expect(await f.vr.findInsertPosition(9_000n * TRC, BASE_SCORE, d.address)).to.deep.equal([
        ZERO,
        f.a.address,
      ]);
      expect(await f.vr.findInsertPosition(2_500n * TRC, BASE_SCORE, d.address)).to.deep.equal([
        f.b.address,
        f.c.address,
      ]);
      expect(await f.vr.findInsertPosition(MIN_DEPOSIT, 0n, d.address)).to.deep.equal([f.c.address, ZERO]);
      expect(await f.vr.findInsertPosition(3_000n * TRC, BASE_SCORE, f.b.address)).to.deep.equal([
        f.a.address,
        f.c.address,
      ]);
    });

    it("refuses a weight or score that does not fit the key", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      await expect(f.vr.findInsertPosition(2n ** 128n, 0n, ZERO))
        .to.be.revertedWithCustomError(f.vr, "WeightOverflow")
        .withArgs(2n ** 128n);
      await expect(f.vr.findInsertPosition(1n, 2n ** 64n, ZERO)).to.be.revertedWithCustomError(
        f.vr,
        "SafeCastOverflowedUintDowncast",
      );
    });
  });

  describe("head, tail, next, prev, size, isRanked, rankScore, validator", function () {
    it("read the list both ways and give zero for accounts that are not ranked", async function () {
      const f = await loadFixture(threeValidatorsFixture);
      expect([await f.vr.head(), await f.vr.tail(), await f.vr.size()]).to.deep.equal([
        f.a.address,
        f.c.address,
        3n,
      ]);
      expect([await f.vr.prev(f.a.address), await f.vr.next(f.a.address)]).to.deep.equal([ZERO, f.b.address]);
      expect([await f.vr.prev(f.b.address), await f.vr.next(f.b.address)]).to.deep.equal([
        f.a.address,
        f.c.address,
      ]);
      expect([await f.vr.prev(f.c.address), await f.vr.next(f.c.address)]).to.deep.equal([f.b.address, ZERO]);
      expect(await f.vr.isRanked(f.b.address)).to.equal(true);
      expect(await f.vr.rankScore(f.b.address)).to.equal(BASE_SCORE);
      for (const outsider of [f.stranger.address, ZERO]) {
        expect(await f.vr.isRanked(outsider)).to.equal(false);
        expect(await f.vr.next(outsider)).to.equal(ZERO);
        expect(await f.vr.prev(outsider)).to.equal(ZERO);
        expect(await f.vr.rankScore(outsider)).to.equal(0n);
        expect(await f.vr.validator(outsider)).to.deep.equal([0n, 0n, 0n, false]);
      }
    });
  });

  describe("supportsInterface", function () {
    it("reports IValidatorRegistry, IAccessControl and IERC165 only", async function () {
      const { vr } = await loadFixture(deployValidatorsFixture);
      const iface = (await ethers.getContractAt("IValidatorRegistry", ZERO)).interface;
      let id = 0n;
      iface.forEachFunction((fn) => (id ^= BigInt(fn.selector)));
      expect(await vr.supportsInterface(ethers.toBeHex(id, 4))).to.equal(true);
      expect(await vr.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      expect(await vr.supportsInterface("0x01ffc9a7")).to.equal(true); // IERC165
      expect(await vr.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("budget", function () {
    it("raises the reward budget by every deposit and top-up and stays backed", async function () {
      const f = await loadFixture(deployValidatorsFixture);
      let expected = await f.coin.rewardBudget();
      for (const [i, s] of f.candidates.slice(0, 5).entries()) {
        const deposit = MIN_DEPOSIT + BigInt(i) * 777n * TRC;
        await joinWithHints(f, s, deposit);
        expected += deposit;
        expect(await f.coin.rewardBudget()).to.equal(expected);
        await expectBacked(f.coin);
        await topUpWithHints(f, s, BigInt(i + 1) * TRC);
        expected += BigInt(i + 1) * TRC;
        expect(await f.coin.rewardBudget()).to.equal(expected);
        await expectBacked(f.coin);
      }
    });
  });

  describeRoleMatrix<ValidatorsFixture>(
    ROLE_IDS,
    [
      {
        name: "eject",
        role: "CONSENSUS_ROLE",
        call: (f, s) => f.vr.connect(s).eject(f.candidates[0].address),
      },
      { name: "setMinDeposit", role: "PARAMS_ROLE", call: (f, s) => f.vr.connect(s).setMinDeposit(TRC) },
      {
        name: "setMinTraderScoreToValidate",
        role: "PARAMS_ROLE",
        call: (f, s) => f.vr.connect(s).setMinTraderScoreToValidate(WAD),
      },
      {
        name: "setMinValidatorScore",
        role: "PARAMS_ROLE",
        call: (f, s) => f.vr.connect(s).setMinValidatorScore(WAD),
      },
      {
        name: "setMaxIneligibleSkipped",
        role: "PARAMS_ROLE",
        call: (f, s) => f.vr.connect(s).setMaxIneligibleSkipped(8n),
      },
      {
        name: "grantRole",
        role: "DEFAULT_ADMIN_ROLE",
        call: (f, s) => f.vr.connect(s).grantRole(ROLE_IDS.PARAMS_ROLE, f.stranger.address),
      },
    ],
    () => loadFixture(deployValidatorsFixture),
  );
});
