// TrustScoreOracle: writes (Algorithms 1–4), parameters, views and roles. The pure read-only API of
// SPEC §5.5 is tested against the reference in TrustScoreOracle.views.test.ts.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { describeRoleMatrix, type PrivilegedCall } from "../shared/roleMatrix";
import * as ref from "../reference/trust";
import {
  HOUR,
  MAX_TRADER_SCORE,
  MAX_UINT256,
  MAX_VALIDATOR_SCORE,
  TWO_POW_64,
  WAD,
  deployOracle,
  deployOracleWithoutLedger,
  slotEnd,
  type OracleContext,
} from "./fixtures";

const name = (text: string): string => ethers.encodeBytes32String(text);
const wad = (value: number): bigint => ethers.parseEther(value.toString());
const MAX_COINS = 2n ** 96n - 1n;

/** The slot containing the latest block's time (on the fixture's clock). */
async function currentSlot(ctx: OracleContext): Promise<bigint> {
  return (BigInt(await time.latest()) - ctx.genesis) / 900n;
}

/** β in wad as the oracle computes it for a trade in `slot` of a trader registered at `registeredAt`. */
function betaWad(ctx: OracleContext, slot: bigint, registeredAt: bigint, timeUnit = HOUR): bigint {
  const end = slotEnd(ctx.genesis, slot);
  return end > registeredAt ? ((end - registeredAt) * WAD) / timeUnit : 0n;
}

describe("TrustScoreOracle", function () {
  describe("constructor", function () {
    it("sets the default parameters of SPEC §5 and §6", async function () {
      const { oracle } = await loadFixture(deployOracle);
      expect(await oracle.timeUnit()).to.equal(3600n);
      expect(await oracle.coinUnit()).to.equal(WAD);
      expect(await oracle.initialTraderScore()).to.equal(12n * WAD);
      expect(await oracle.initialTraderWeight()).to.equal(4n);
      expect(await oracle.blockReward()).to.equal(5n * WAD);
      expect(await oracle.baseValidatorScore()).to.equal(3n * WAD);
      expect(await oracle.trpThresholds()).to.deep.equal([wad(11.5), wad(12.5), wad(13.5)]);
      expect(await oracle.accessFractions()).to.deep.equal([wad(0.5), wad(0.75), wad(0.9), WAD]);
      expect(await oracle.platformScore()).to.equal(0n);
      expect(await oracle.feedbackCount()).to.equal(0n);
    });

    it("caches the registry's slot clock", async function () {
      const { oracle, registry, genesis } = await loadFixture(deployOracle);
      expect(await oracle.REGISTRY()).to.equal(await registry.getAddress());
      expect(await oracle.GENESIS()).to.equal(genesis);
      expect(await oracle.SLOT_LENGTH()).to.equal(900n);
    });

    it("uses the suite's role ids and grants the admin only DEFAULT_ADMIN_ROLE", async function () {
      const { oracle, admin } = await loadFixture(deployOracle);
      expect(await oracle.PARAMS_ROLE()).to.equal(ethers.id("PARAMS_ROLE"));
      expect(await oracle.TRADE_SCORER_ROLE()).to.equal(ethers.id("TRADE_SCORER_ROLE"));
      expect(await oracle.VALIDATOR_SCORER_ROLE()).to.equal(ethers.id("VALIDATOR_SCORER_ROLE"));
      expect(await oracle.hasRole(await oracle.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await oracle.hasRole(await oracle.PARAMS_ROLE(), admin.address)).to.equal(false);
    });

    it("reverts with InvalidParameter for a zero admin or registry", async function () {
      const { oracle, registry, admin } = await loadFixture(deployOracle);
      const factory = await ethers.getContractFactory("TrustScoreOracle");
      await expect(factory.deploy(ethers.ZeroAddress, await registry.getAddress()))
        .to.be.revertedWithCustomError(oracle, "InvalidParameter")
        .withArgs(name("admin"));
      await expect(factory.deploy(admin.address, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(oracle, "InvalidParameter")
        .withArgs(name("registry"));
    });
  });

  describe("recordTrade", function () {
    it("scores a newcomer's first trade from the initial score counted as 4 prior trades", async function () {
      const ctx = await loadFixture(deployOracle);
      const { oracle, holders, traders } = ctx;
      const trader = traders[3];
      const registeredAt = (await ctx.registry.participant(trader.address)).registeredAt;
      const slot = await currentSlot(ctx);
      const beta = betaWad(ctx, slot, registeredAt);
      const expected = await oracle.previewTraderScore(12n * WAD, 4n, 5n * WAD, beta, 0n);
      await expect(oracle.connect(holders.TRADE_SCORER_ROLE).recordTrade(trader.address, slot, 5, wad(2)))
        .to.emit(oracle, "TraderScoreUpdated")
        .withArgs(trader.address, slot, 5, wad(2), 12n * WAD, expected);
      expect(ref.closeTo(expected, ref.traderScore(12n * WAD, 4n, 5n * WAD, beta, 0n)).ok).to.equal(true);
      expect(await oracle.traderState(trader.address)).to.deep.equal([expected, 1n, wad(2)]);
    });

    it("uses γ from the value of the trades scored before and n = prior + trades", async function () {
      const ctx = await loadFixture(deployOracle);
      const { oracle, holders, traders, genesis } = ctx;
      const scorer = oracle.connect(holders.TRADE_SCORER_ROLE);
      const trader = traders[0];
      await scorer.recordTrade(trader.address, 100n, 3, wad(30));
      await scorer.recordTrade(trader.address, 101n, 4, wad(20));
      const [score1] = await oracle.traderState(trader.address);
      const expected = await oracle.previewTraderScore(
        score1,
        6n,
        2n * WAD,
        betaWad(ctx, 102n, genesis),
        wad(50),
      );
      await expect(scorer.recordTrade(trader.address, 102n, 2, wad(1)))
        .to.emit(oracle, "TraderScoreUpdated")
        .withArgs(trader.address, 102n, 2, wad(1), score1, expected);
      expect(await oracle.traderState(trader.address)).to.deep.equal([expected, 3n, wad(51)]);
    });

    it("uses β at the trade's slot end, so delaying the update does not pay", async function () {
      const ctx = await loadFixture(deployOracle);
      const { oracle, holders, traders, genesis } = ctx;
      const slot = 50n;
      const expected = await oracle.previewTraderScore(
        12n * WAD,
        4n,
        4n * WAD,
        betaWad(ctx, slot, genesis),
        0n,
      );
      await time.increase(40n * 24n * HOUR);
      await oracle.connect(holders.TRADE_SCORER_ROLE).recordTrade(traders[0].address, slot, 4, 0n);
      expect(await oracle.traderScore(traders[0].address)).to.equal(expected);
    });

    it("takes β = 0 for a slot that ended before the trader registered", async function () {
      const ctx = await loadFixture(deployOracle);
      const { oracle, holders, traders } = ctx;
      const expected = await oracle.previewTraderScore(12n * WAD, 4n, 3n * WAD, 0n, 0n);
      await oracle.connect(holders.TRADE_SCORER_ROLE).recordTrade(traders[3].address, 0n, 3, 0n);
      expect(await oracle.traderScore(traders[3].address)).to.equal(expected);
    });

    it("follows a new timeUnit and coinUnit for β and γ", async function () {
      const ctx = await loadFixture(deployOracle);
      const { oracle, holders, traders, genesis } = ctx;
      const scorer = oracle.connect(holders.TRADE_SCORER_ROLE);
      await scorer.recordTrade(traders[0].address, 10n, 5, wad(3));
      await oracle.connect(holders.PARAMS_ROLE).setTimeUnit(86_400n);
      await oracle.connect(holders.PARAMS_ROLE).setCoinUnit(wad(100));
      const [prev] = await oracle.traderState(traders[0].address);
      const beta = betaWad(ctx, 11n, genesis, 86_400n);
      const expected = await oracle.previewTraderScore(prev, 5n, 5n * WAD, beta, wad(0.03));
      await scorer.recordTrade(traders[0].address, 11n, 5, 0n);
      expect(await oracle.traderScore(traders[0].address)).to.equal(expected);
    });

    it("keeps an existing trader's prior weight when initialTraderWeight changes later", async function () {
      const ctx = await loadFixture(deployOracle);
      const { oracle, holders, traders, genesis } = ctx;
      const scorer = oracle.connect(holders.TRADE_SCORER_ROLE);
      await scorer.recordTrade(traders[0].address, 10n, 1, 0n);
      await oracle.connect(holders.PARAMS_ROLE).setInitialTraderWeight(0n);
      await oracle.connect(holders.PARAMS_ROLE).setInitialTraderScore(6n * WAD);
      const [prev] = await oracle.traderState(traders[0].address);
      const expectedOld = await oracle.previewTraderScore(prev, 5n, WAD, betaWad(ctx, 11n, genesis), 0n);
      await scorer.recordTrade(traders[0].address, 11n, 1, 0n);
      expect(await oracle.traderScore(traders[0].address)).to.equal(expectedOld);
      // A newcomer from now on starts from the new parameters: weight 0, so its first trade sets its score.
      const expectedNew = await oracle.previewTraderScore(6n * WAD, 0n, WAD, betaWad(ctx, 11n, genesis), 0n);
      await scorer.recordTrade(traders[1].address, 11n, 1, 0n);
      expect(await oracle.traderScore(traders[1].address)).to.equal(expectedNew);
    });

    it("saturates coinsTraded at 2^96 − 1 base units", async function () {
      const { oracle, holders, traders } = await loadFixture(deployOracle);
      const scorer = oracle.connect(holders.TRADE_SCORER_ROLE);
      await scorer.recordTrade(traders[0].address, 1n, 5, MAX_UINT256);
      expect((await oracle.traderState(traders[0].address))[2]).to.equal(MAX_COINS);
      await scorer.recordTrade(traders[0].address, 2n, 5, 1n);
      expect((await oracle.traderState(traders[0].address))[2]).to.equal(MAX_COINS);
      await scorer.recordTrade(traders[1].address, 1n, 5, MAX_COINS - 1n);
      await scorer.recordTrade(traders[1].address, 2n, 5, 1n);
      expect((await oracle.traderState(traders[1].address))[2]).to.equal(MAX_COINS);
    });

    it("reverts with RatingOutOfRange for alpha 0 or 6", async function () {
      const { oracle, holders, traders } = await loadFixture(deployOracle);
      const scorer = oracle.connect(holders.TRADE_SCORER_ROLE);
      await expect(scorer.recordTrade(traders[0].address, 1n, 0, 0n))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(0n);
      await expect(scorer.recordTrade(traders[0].address, 1n, 6, 0n))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(6n);
    });

    it("reverts with UnknownTrader for an account the registry does not know", async function () {
      const { oracle, holders, stranger } = await loadFixture(deployOracle);
      await expect(oracle.connect(holders.TRADE_SCORER_ROLE).recordTrade(stranger.address, 1n, 5, 0n))
        .to.be.revertedWithCustomError(oracle, "UnknownTrader")
        .withArgs(stranger.address);
    });

    it("reverts with AccessControlUnauthorizedAccount for a caller without TRADE_SCORER_ROLE", async function () {
      const { oracle, traders, stranger, roleIds } = await loadFixture(deployOracle);
      await expect(oracle.connect(stranger).recordTrade(traders[0].address, 1n, 5, 0n))
        .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, roleIds.TRADE_SCORER_ROLE);
    });
  });

  describe("giveFeedback", function () {
    it("sets the platform score to (δ + ε)/2 at the first feedback and emits the change", async function () {
      const { oracle, ledger, traders } = await loadFixture(deployOracle);
      await ledger.setSettledTrade(traders[0].address, 7n, true);
      await expect(oracle.connect(traders[0]).giveFeedback(7n, 4, 5))
        .to.emit(oracle, "PlatformFeedbackGiven")
        .withArgs(traders[0].address, 7n, 4, 5, 0n, wad(4.5));
      expect(await oracle.platformScore()).to.equal(wad(4.5));
      expect(await oracle.feedbackCount()).to.equal(1n);
      expect(await oracle.feedbackGiven(traders[0].address, 7n)).to.equal(true);
    });

    it("averages later feedbacks with FN as weight (Algorithm 2)", async function () {
      const { oracle, ledger, traders } = await loadFixture(deployOracle);
      const ratings: [number, number][] = [
        [5, 5],
        [1, 2],
        [3, 4],
      ];
      for (const [i, [delta, epsilon]] of ratings.entries()) {
        await ledger.setSettledTrade(traders[i].address, 3n, true);
        const [prev, count] = [await oracle.platformScore(), await oracle.feedbackCount()];
        const expected = await oracle.previewPlatformScore(
          prev,
          count,
          BigInt(delta) * WAD,
          BigInt(epsilon) * WAD,
        );
        await expect(oracle.connect(traders[i]).giveFeedback(3n, delta, epsilon))
          .to.emit(oracle, "PlatformFeedbackGiven")
          .withArgs(traders[i].address, 3n, delta, epsilon, prev, expected);
      }
      const exact = ref.fromWad(wad(5 + 1.5 + 3.5)).div(3);
      expect(ref.closeTo(await oracle.platformScore(), exact).ok).to.equal(true);
    });

    it("lets a participant rate each settled slot it traded in once", async function () {
      const { oracle, ledger, traders } = await loadFixture(deployOracle);
      await ledger.setSettledTrade(traders[0].address, 1n, true);
      await ledger.setSettledTrade(traders[0].address, 2n, true);
      await oracle.connect(traders[0]).giveFeedback(1n, 3, 3);
      await oracle.connect(traders[0]).giveFeedback(2n, 5, 5);
      expect(await oracle.feedbackCount()).to.equal(2n);
      expect(await oracle.platformScore()).to.equal(4n * WAD);
    });

    it("reverts with FeedbackAlreadyGiven for a second feedback on the same slot", async function () {
      const { oracle, ledger, traders } = await loadFixture(deployOracle);
      await ledger.setSettledTrade(traders[0].address, 9n, true);
      await oracle.connect(traders[0]).giveFeedback(9n, 3, 3);
      await expect(oracle.connect(traders[0]).giveFeedback(9n, 5, 5))
        .to.be.revertedWithCustomError(oracle, "FeedbackAlreadyGiven")
        .withArgs(traders[0].address, 9n);
    });

    it("reverts with NoSettledTrade for a slot the caller did not trade in", async function () {
      const { oracle, ledger, traders } = await loadFixture(deployOracle);
      await ledger.setSettledTrade(traders[1].address, 9n, true);
      await expect(oracle.connect(traders[0]).giveFeedback(9n, 3, 3))
        .to.be.revertedWithCustomError(oracle, "NoSettledTrade")
        .withArgs(traders[0].address, 9n);
    });

    it("reverts with TradeLedgerNotSet before a ledger is wired", async function () {
      const { oracle, stranger } = await loadFixture(deployOracleWithoutLedger);
      await expect(oracle.connect(stranger).giveFeedback(1n, 3, 3)).to.be.revertedWithCustomError(
        oracle,
        "TradeLedgerNotSet",
      );
    });

    it("reverts with RatingOutOfRange for δ or ε outside 1..5", async function () {
      const { oracle, ledger, traders } = await loadFixture(deployOracle);
      await ledger.setSettledTrade(traders[0].address, 1n, true);
      const rater = oracle.connect(traders[0]);
      await expect(rater.giveFeedback(1n, 0, 3))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(0n);
      await expect(rater.giveFeedback(1n, 6, 3))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(6n);
      await expect(rater.giveFeedback(1n, 3, 0))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(0n);
      await expect(rater.giveFeedback(1n, 3, 6))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(6n);
    });
  });

  describe("initValidator", function () {
    it("gives the base score counted as one prior block, with RT_v = now", async function () {
      const { oracle, holders, validators } = await loadFixture(deployOracle);
      const tx = oracle.connect(holders.VALIDATOR_SCORER_ROLE).initValidator(validators[0].address);
      await expect(tx).to.emit(oracle, "ValidatorInitialised");
      const joinedAt = BigInt(await time.latest());
      await expect(tx)
        .to.emit(oracle, "ValidatorInitialised")
        .withArgs(validators[0].address, 3n * WAD, joinedAt);
      expect(await oracle.validatorState(validators[0].address)).to.deep.equal([3n * WAD, 1n, joinedAt]);
      expect(await oracle.validatorScore(validators[0].address)).to.equal(3n * WAD);
    });

    it("uses the current baseValidatorScore", async function () {
      const { oracle, holders, validators } = await loadFixture(deployOracle);
      await oracle.connect(holders.PARAMS_ROLE).setBaseValidatorScore(wad(2.5));
      await oracle.connect(holders.VALIDATOR_SCORER_ROLE).initValidator(validators[0].address);
      expect(await oracle.validatorScore(validators[0].address)).to.equal(wad(2.5));
    });

    it("reverts with ValidatorAlreadyKnown for a validator initialised before", async function () {
      const { oracle, holders, validators } = await loadFixture(deployOracle);
      const scorer = oracle.connect(holders.VALIDATOR_SCORER_ROLE);
      await scorer.initValidator(validators[0].address);
      await expect(scorer.initValidator(validators[0].address))
        .to.be.revertedWithCustomError(oracle, "ValidatorAlreadyKnown")
        .withArgs(validators[0].address);
    });
  });

  /** A fixture with validators[0..3] initialised. */
  async function deployWithValidators(): Promise<OracleContext> {
    const ctx = await deployOracle();
    for (const v of ctx.validators.slice(0, 4)) {
      await ctx.oracle.connect(ctx.holders.VALIDATOR_SCORER_ROLE).initValidator(v.address);
    }
    return ctx;
  }

  describe("scoreBlock", function () {
    it("scores the proposer with Algorithm 4 (β from its join time, TC = θ / coinUnit) and emits tv", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      const proposer = validators[0].address;
      const [prev, blocks, joinedAt] = await oracle.validatorState(proposer);
      await time.increase(5n * HOUR);
      const acceptors = [3n * WAD, wad(4.2), wad(2.9)];
      const theta = wad(37.5);
      const scoredAt = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(scoredAt);
      const beta = ((scoredAt - joinedAt) * WAD) / HOUR;
      const [tv, expected] = await oracle.previewValidatorScore(prev, blocks, beta, theta, 12n, acceptors);
      await expect(oracle.connect(holders.VALIDATOR_SCORER_ROLE).scoreBlock(proposer, theta, 12n, acceptors))
        .to.emit(oracle, "ValidatorScoreUpdated")
        .withArgs(proposer, tv, prev, expected);
      expect(await oracle.validatorState(proposer)).to.deep.equal([expected, 2n, joinedAt]);
      const exact = ref.validatorScore(prev, blocks, beta, theta, 12n, acceptors);
      expect(ref.closeTo(expected, exact.newScore).ok).to.equal(true);
    });

    it("accepts any θ, saturating TC where S is clamped", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      const scorer = oracle.connect(holders.VALIDATOR_SCORER_ROLE);
      await scorer.scoreBlock(validators[0].address, MAX_UINT256, 1n, [5n * WAD]);
      expect(await oracle.validatorScore(validators[0].address)).to.be.within(3n * WAD, 5n * WAD);
    });

    it("reverts with UnknownValidator for a proposer never initialised", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(
        oracle.connect(holders.VALIDATOR_SCORER_ROLE).scoreBlock(validators[5].address, 0n, 0n, [WAD]),
      )
        .to.be.revertedWithCustomError(oracle, "UnknownValidator")
        .withArgs(validators[5].address);
    });

    it("reverts with CountOutOfRange for 2^64 transactions", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(
        oracle
          .connect(holders.VALIDATOR_SCORER_ROLE)
          .scoreBlock(validators[0].address, 0n, TWO_POW_64, [WAD]),
      )
        .to.be.revertedWithCustomError(oracle, "CountOutOfRange")
        .withArgs(TWO_POW_64);
    });

    it("reverts with EmptyArray without acceptors", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(
        oracle.connect(holders.VALIDATOR_SCORER_ROLE).scoreBlock(validators[0].address, 0n, 0n, []),
      ).to.be.revertedWithCustomError(oracle, "EmptyArray");
    });

    it("reverts with ValidatorScoreOutOfRange for an acceptor score above 5e18", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(
        oracle
          .connect(holders.VALIDATOR_SCORER_ROLE)
          .scoreBlock(validators[0].address, 0n, 0n, [WAD, MAX_VALIDATOR_SCORE + 1n]),
      )
        .to.be.revertedWithCustomError(oracle, "ValidatorScoreOutOfRange")
        .withArgs(MAX_VALIDATOR_SCORE + 1n);
    });
  });

  describe("scoreMissedRound", function () {
    it("scores the proposer with tv = 0, so one missed round halves a new validator's score but does not zero it", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      const proposer = validators[1].address;
      await expect(oracle.connect(holders.VALIDATOR_SCORER_ROLE).scoreMissedRound(proposer))
        .to.emit(oracle, "ValidatorScoreUpdated")
        .withArgs(proposer, 0n, 3n * WAD, wad(1.5));
      const [score, blocks] = await oracle.validatorState(proposer);
      expect([score, blocks]).to.deep.equal([wad(1.5), 2n]);
      await oracle.connect(holders.VALIDATOR_SCORER_ROLE).scoreMissedRound(proposer);
      expect(await oracle.validatorScore(proposer)).to.equal(1n * WAD);
    });

    it("reverts with UnknownValidator for a proposer never initialised", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(oracle.connect(holders.VALIDATOR_SCORER_ROLE).scoreMissedRound(validators[5].address))
        .to.be.revertedWithCustomError(oracle, "UnknownValidator")
        .withArgs(validators[5].address);
    });
  });

  describe("penalise", function () {
    it("takes the penalty from the score and emits old and new score", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(oracle.connect(holders.VALIDATOR_SCORER_ROLE).penalise(validators[0].address, wad(0.1)))
        .to.emit(oracle, "ValidatorPenalised")
        .withArgs(validators[0].address, wad(0.1), 3n * WAD, wad(2.9));
      expect(await oracle.validatorState(validators[0].address)).to.deep.include.members([wad(2.9), 1n]);
    });

    it("floors the score at zero", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(oracle.connect(holders.VALIDATOR_SCORER_ROLE).penalise(validators[0].address, MAX_UINT256))
        .to.emit(oracle, "ValidatorPenalised")
        .withArgs(validators[0].address, MAX_UINT256, 3n * WAD, 0n);
      expect(await oracle.validatorScore(validators[0].address)).to.equal(0n);
    });

    it("reverts with UnknownValidator for a validator never initialised", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(oracle.connect(holders.VALIDATOR_SCORER_ROLE).penalise(validators[5].address, 1n))
        .to.be.revertedWithCustomError(oracle, "UnknownValidator")
        .withArgs(validators[5].address);
    });
  });

  describe("zeroValidator", function () {
    it("sets the score to zero, keeps the validator known and emits the old score", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      const scorer = oracle.connect(holders.VALIDATOR_SCORER_ROLE);
      await expect(scorer.zeroValidator(validators[0].address))
        .to.emit(oracle, "ValidatorZeroed")
        .withArgs(validators[0].address, 3n * WAD);
      const [score, blocks] = await oracle.validatorState(validators[0].address);
      expect([score, blocks]).to.deep.equal([0n, 1n]);
      await expect(scorer.initValidator(validators[0].address)).to.be.revertedWithCustomError(
        oracle,
        "ValidatorAlreadyKnown",
      );
    });

    it("reverts with UnknownValidator for a validator never initialised", async function () {
      const { oracle, holders, validators } = await loadFixture(deployWithValidators);
      await expect(oracle.connect(holders.VALIDATOR_SCORER_ROLE).zeroValidator(validators[5].address))
        .to.be.revertedWithCustomError(oracle, "UnknownValidator")
        .withArgs(validators[5].address);
    });
  });

  describe("setTrpThresholds", function () {
    it("sets strictly increasing thresholds up to 15e18 and emits old and new", async function () {
      const { oracle, holders } = await loadFixture(deployOracle);
      const next = [wad(10), wad(12), MAX_TRADER_SCORE];
      await expect(oracle.connect(holders.PARAMS_ROLE).setTrpThresholds([next[0], next[1], next[2]]))
        .to.emit(oracle, "TrpThresholdsSet")
        .withArgs([wad(11.5), wad(12.5), wad(13.5)], next);
      expect(await oracle.trpThresholds()).to.deep.equal(next);
    });

    const invalid: [string, [bigint, bigint, bigint]][] = [
      ["equal first two", [wad(12), wad(12), wad(13)]],
      ["equal last two", [wad(11), wad(13), wad(13)]],
      ["decreasing", [wad(13), wad(12), wad(11)]],
      ["the last above 15e18", [wad(11), wad(12), MAX_TRADER_SCORE + 1n]],
    ];
    for (const [label, thresholds] of invalid) {
      it(`reverts with InvalidParameter for thresholds with ${label}`, async function () {
        const { oracle, holders } = await loadFixture(deployOracle);
        await expect(oracle.connect(holders.PARAMS_ROLE).setTrpThresholds(thresholds))
          .to.be.revertedWithCustomError(oracle, "InvalidParameter")
          .withArgs(name("trpThresholds"));
      });
    }
  });

  describe("setAccessFractions", function () {
    it("sets non-decreasing fractions in (0, 1e18] ending at 1e18 and emits old and new", async function () {
      const { oracle, holders } = await loadFixture(deployOracle);
      const next = [wad(0.25), wad(0.25), wad(0.8), WAD];
      await expect(
        oracle.connect(holders.PARAMS_ROLE).setAccessFractions([next[0], next[1], next[2], next[3]]),
      )
        .to.emit(oracle, "AccessFractionsSet")
        .withArgs([wad(0.5), wad(0.75), wad(0.9), WAD], next);
      expect(await oracle.accessFractions()).to.deep.equal(next);
      expect(await oracle.accessFraction(3)).to.equal(wad(0.8));
    });

    const invalid: [string, [bigint, bigint, bigint, bigint]][] = [
      ["a zero first fraction", [0n, wad(0.5), wad(0.9), WAD]],
      ["a decreasing pair", [wad(0.5), wad(0.4), wad(0.9), WAD]],
      ["a third above the fourth", [wad(0.5), wad(0.6), WAD + 1n, WAD]],
      ["a_4 below 1e18", [wad(0.5), wad(0.6), wad(0.7), wad(0.8)]],
      ["a_4 above 1e18", [wad(0.5), wad(0.6), wad(0.7), WAD + 1n]],
    ];
    for (const [label, fractions] of invalid) {
      it(`reverts with InvalidParameter for ${label}`, async function () {
        const { oracle, holders } = await loadFixture(deployOracle);
        await expect(oracle.connect(holders.PARAMS_ROLE).setAccessFractions(fractions))
          .to.be.revertedWithCustomError(oracle, "InvalidParameter")
          .withArgs(name("accessFractions"));
      });
    }
  });

  /** The single-value parameter setters: name, setter, getter, a valid value, the first invalid values. */
  const scalarParameters: {
    param: string;
    set: (ctx: OracleContext, value: bigint) => Promise<unknown>;
    get: (ctx: OracleContext) => Promise<bigint>;
    old: bigint;
    valid: bigint[];
    invalid: bigint[];
  }[] = [
    {
      param: "initialTraderScore",
      set: (c, v) => c.oracle.connect(c.holders.PARAMS_ROLE).setInitialTraderScore(v),
      get: (c) => c.oracle.initialTraderScore(),
      old: 12n * WAD,
      valid: [0n, MAX_TRADER_SCORE],
      invalid: [MAX_TRADER_SCORE + 1n, MAX_UINT256],
    },
    {
      param: "initialTraderWeight",
      set: (c, v) => c.oracle.connect(c.holders.PARAMS_ROLE).setInitialTraderWeight(v),
      get: (c) => c.oracle.initialTraderWeight(),
      old: 4n,
      valid: [0n, 65_535n],
      invalid: [65_536n, MAX_UINT256],
    },
    {
      param: "timeUnit",
      set: (c, v) => c.oracle.connect(c.holders.PARAMS_ROLE).setTimeUnit(v),
      get: (c) => c.oracle.timeUnit(),
      old: 3600n,
      valid: [1n, TWO_POW_64 - 1n],
      invalid: [0n, TWO_POW_64],
    },
    {
      param: "coinUnit",
      set: (c, v) => c.oracle.connect(c.holders.PARAMS_ROLE).setCoinUnit(v),
      get: (c) => c.oracle.coinUnit(),
      old: WAD,
      valid: [1n, 10n ** 26n],
      invalid: [0n, 10n ** 26n + 1n],
    },
    {
      param: "blockReward",
      set: (c, v) => c.oracle.connect(c.holders.PARAMS_ROLE).setBlockReward(v),
      get: (c) => c.oracle.blockReward(),
      old: 5n * WAD,
      valid: [0n, 2n ** 128n - 1n],
      invalid: [2n ** 128n, MAX_UINT256],
    },
    {
      param: "baseValidatorScore",
      set: (c, v) => c.oracle.connect(c.holders.PARAMS_ROLE).setBaseValidatorScore(v),
      get: (c) => c.oracle.baseValidatorScore(),
      old: 3n * WAD,
      valid: [0n, MAX_VALIDATOR_SCORE],
      invalid: [MAX_VALIDATOR_SCORE + 1n, MAX_UINT256],
    },
  ];
  for (const p of scalarParameters) {
    describe(p.param, function () {
      it(`is ${p.old} by default`, async function () {
        const ctx = await loadFixture(deployOracle);
        expect(await p.get(ctx)).to.equal(p.old);
      });
    });

    const setterName = `set${p.param[0].toUpperCase()}${p.param.slice(1)}`;
    describe(setterName, function () {
      it(`sets ${p.param} at its bounds and emits ParameterSet with old and new value`, async function () {
        const ctx = await loadFixture(deployOracle);
        let old = p.old;
        for (const value of p.valid) {
          await expect(p.set(ctx, value))
            .to.emit(ctx.oracle, "ParameterSet")
            .withArgs(name(p.param), old, value);
          expect(await p.get(ctx)).to.equal(value);
          old = value;
        }
      });

      for (const value of p.invalid) {
        it(`reverts with InvalidParameter for ${p.param} = ${value}`, async function () {
          const ctx = await loadFixture(deployOracle);
          await expect(p.set(ctx, value))
            .to.be.revertedWithCustomError(ctx.oracle, "InvalidParameter")
            .withArgs(name(p.param));
        });
      }
    });
  }

  describe("setTradeLedger", function () {
    it("wires a new ledger and emits old and new address", async function () {
      const { oracle, admin, ledger } = await loadFixture(deployOracle);
      const other = await ethers.deployContract("MockTradeLedger");
      await expect(oracle.connect(admin).setTradeLedger(await other.getAddress()))
        .to.emit(oracle, "TradeLedgerSet")
        .withArgs(await ledger.getAddress(), await other.getAddress());
      expect(await oracle.tradeLedger()).to.equal(await other.getAddress());
    });

    it("reverts with InvalidParameter for the zero address", async function () {
      const { oracle, admin } = await loadFixture(deployOracle);
      await expect(oracle.connect(admin).setTradeLedger(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(oracle, "InvalidParameter")
        .withArgs(name("tradeLedger"));
    });
  });

  describe("trpThresholds", function () {
    it("gives t1, t2, t3 (default 11.5, 12.5, 13.5 in wad)", async function () {
      const { oracle } = await loadFixture(deployOracle);
      expect(await oracle.trpThresholds()).to.deep.equal([wad(11.5), wad(12.5), wad(13.5)]);
    });
  });

  describe("accessFractions", function () {
    it("gives a_1..a_4 (default 0.5, 0.75, 0.9, 1 in wad)", async function () {
      const { oracle } = await loadFixture(deployOracle);
      expect(await oracle.accessFractions()).to.deep.equal([wad(0.5), wad(0.75), wad(0.9), WAD]);
    });
  });

  describe("tradeLedger", function () {
    it("is the wired ledger, zero before wiring", async function () {
      const { oracle, ledger } = await loadFixture(deployOracle);
      expect(await oracle.tradeLedger()).to.equal(await ledger.getAddress());
      const { oracle: bare } = await loadFixture(deployOracleWithoutLedger);
      expect(await bare.tradeLedger()).to.equal(ethers.ZeroAddress);
    });
  });

  describe("MAX_COIN_UNIT", function () {
    it("is 1e26 base units, so 2^96 − 1 saturated coins still exceed the sigmoid's clamp in coin units", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const max = await oracle.MAX_COIN_UNIT();
      expect(max).to.equal(10n ** 26n);
      expect((MAX_COINS * WAD) / max).to.be.greaterThan(83n * WAD);
    });
  });

  describe("traderScore", function () {
    it("is initialTraderScore, as it is now, for an account without scored trades", async function () {
      const { oracle, holders, traders } = await loadFixture(deployOracle);
      expect(await oracle.traderScore(traders[0].address)).to.equal(12n * WAD);
      await oracle.connect(holders.PARAMS_ROLE).setInitialTraderScore(wad(13));
      expect(await oracle.traderScore(traders[0].address)).to.equal(wad(13));
    });
  });

  describe("traderState", function () {
    it("is (initialTraderScore, 0, 0) before the first scored trade", async function () {
      const { oracle, stranger } = await loadFixture(deployOracle);
      expect(await oracle.traderState(stranger.address)).to.deep.equal([12n * WAD, 0n, 0n]);
    });
  });

  describe("validatorScore", function () {
    it("is 0 for an unknown validator", async function () {
      const { oracle, stranger } = await loadFixture(deployOracle);
      expect(await oracle.validatorScore(stranger.address)).to.equal(0n);
    });
  });

  describe("validatorState", function () {
    it("is all zero for an unknown validator", async function () {
      const { oracle, stranger } = await loadFixture(deployOracle);
      expect(await oracle.validatorState(stranger.address)).to.deep.equal([0n, 0n, 0n]);
    });
  });

  describe("platformScore", function () {
    it("is 0 before the first feedback", async function () {
      const { oracle } = await loadFixture(deployOracle);
      expect(await oracle.platformScore()).to.equal(0n);
    });
  });

  describe("feedbackCount", function () {
    it("counts the feedbacks given", async function () {
      const { oracle, ledger, traders } = await loadFixture(deployOracle);
      for (const t of traders.slice(0, 3)) {
        await ledger.setSettledTrade(t.address, 4n, true);
        await oracle.connect(t).giveFeedback(4n, 2, 3);
      }
      expect(await oracle.feedbackCount()).to.equal(3n);
    });
  });

  describe("feedbackGiven", function () {
    it("is false until the participant rates the slot", async function () {
      const { oracle, traders } = await loadFixture(deployOracle);
      expect(await oracle.feedbackGiven(traders[0].address, 4n)).to.equal(false);
    });
  });

  describe("trpLevelOf", function () {
    it("is level 2 for a trader without trades and follows its score", async function () {
      const { oracle, holders, traders } = await loadFixture(deployOracle);
      expect(await oracle.trpLevelOf(traders[0].address)).to.equal(2);
      await oracle.connect(holders.PARAMS_ROLE).setTrpThresholds([wad(13), wad(14), wad(14.5)]);
      expect(await oracle.trpLevelOf(traders[0].address)).to.equal(1);
    });
  });

  describe("accessFraction", function () {
    it("gives a_1..a_4", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const expected = [wad(0.5), wad(0.75), wad(0.9), WAD];
      for (let level = 1; level <= 4; level++)
        expect(await oracle.accessFraction(level)).to.equal(expected[level - 1]);
    });

    it("reverts with InvalidTrpLevel for level 0 or 5", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.accessFraction(0))
        .to.be.revertedWithCustomError(oracle, "InvalidTrpLevel")
        .withArgs(0);
      await expect(oracle.accessFraction(5))
        .to.be.revertedWithCustomError(oracle, "InvalidTrpLevel")
        .withArgs(5);
    });
  });

  describe("supportsInterface", function () {
    it("reports IAccessControl (ERC-165)", async function () {
      const { oracle } = await loadFixture(deployOracle);
      expect(await oracle.supportsInterface("0x7965db0b")).to.equal(true);
      expect(await oracle.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  const privileged: PrivilegedCall<OracleContext>[] = [
    {
      name: "recordTrade",
      role: "TRADE_SCORER_ROLE",
      call: (c, s) => c.oracle.connect(s).recordTrade(c.traders[0].address, 1n, 5, 0n),
    },
    {
      name: "initValidator",
      role: "VALIDATOR_SCORER_ROLE",
      call: (c, s) => c.oracle.connect(s).initValidator(c.validators[0].address),
    },
    {
      name: "scoreBlock",
      role: "VALIDATOR_SCORER_ROLE",
      call: (c, s) => c.oracle.connect(s).scoreBlock(c.validators[0].address, 0n, 0n, [WAD]),
    },
    {
      name: "scoreMissedRound",
      role: "VALIDATOR_SCORER_ROLE",
      call: (c, s) => c.oracle.connect(s).scoreMissedRound(c.validators[0].address),
    },
    {
      name: "penalise",
      role: "VALIDATOR_SCORER_ROLE",
      call: (c, s) => c.oracle.connect(s).penalise(c.validators[0].address, 1n),
    },
    {
      name: "zeroValidator",
      role: "VALIDATOR_SCORER_ROLE",
      call: (c, s) => c.oracle.connect(s).zeroValidator(c.validators[0].address),
    },
    {
      name: "setTrpThresholds",
      role: "PARAMS_ROLE",
      call: (c, s) => c.oracle.connect(s).setTrpThresholds([wad(11), wad(12), wad(13)]),
    },
    {
      name: "setAccessFractions",
      role: "PARAMS_ROLE",
      call: (c, s) => c.oracle.connect(s).setAccessFractions([wad(0.5), wad(0.5), wad(0.5), WAD]),
    },
    {
      name: "setInitialTraderScore",
      role: "PARAMS_ROLE",
      call: (c, s) => c.oracle.connect(s).setInitialTraderScore(wad(12)),
    },
    {
      name: "setInitialTraderWeight",
      role: "PARAMS_ROLE",
      call: (c, s) => c.oracle.connect(s).setInitialTraderWeight(4n),
    },
    { name: "setTimeUnit", role: "PARAMS_ROLE", call: (c, s) => c.oracle.connect(s).setTimeUnit(60n) },
    { name: "setCoinUnit", role: "PARAMS_ROLE", call: (c, s) => c.oracle.connect(s).setCoinUnit(WAD) },
    { name: "setBlockReward", role: "PARAMS_ROLE", call: (c, s) => c.oracle.connect(s).setBlockReward(WAD) },
    {
      name: "setBaseValidatorScore",
      role: "PARAMS_ROLE",
      call: (c, s) => c.oracle.connect(s).setBaseValidatorScore(WAD),
    },
    {
      name: "setTradeLedger",
      role: "DEFAULT_ADMIN_ROLE",
      call: (c, s) => c.oracle.connect(s).setTradeLedger(c.stranger.address),
    },
  ];
  describeRoleMatrix<OracleContext>(
    {
      DEFAULT_ADMIN_ROLE: ethers.ZeroHash,
      PARAMS_ROLE: ethers.id("PARAMS_ROLE"),
      TRADE_SCORER_ROLE: ethers.id("TRADE_SCORER_ROLE"),
      VALIDATOR_SCORER_ROLE: ethers.id("VALIDATOR_SCORER_ROLE"),
    },
    privileged,
    () => loadFixture(deployWithValidators),
  );
});
