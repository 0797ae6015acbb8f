// The read-only API of SPEC §5.5 against the independent decimal.js reference (test/reference/trust.ts):
// ≥ 1 000 random inputs per function over the whole allowed domain, evaluated in parallel eth_calls.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import * as ref from "../reference/trust";
import {
  MAX_TRADER_SCORE,
  MAX_UINT256,
  MAX_VALIDATOR_SCORE,
  SIGMOID_CLAMP_X,
  TWO_POW_64,
  WAD,
  anyCount,
  anyWad,
  deployOracle,
  ratingWad,
  sampleSeed,
  scoreUpTo,
} from "./fixtures";

const RUNS = 1_000;

/** Samples `RUNS` inputs, evaluates them all in parallel and checks each result against `check`. */
async function checkAgainstReference<T, R>(
  arbitrary: fc.Arbitrary<T>,
  evaluate: (input: T) => Promise<R>,
  check: (input: T, result: R) => { ok: boolean; error: string },
): Promise<void> {
  const seed = sampleSeed();
  const inputs = fc.sample(arbitrary, { numRuns: RUNS, seed });
  const results = await Promise.all(inputs.map(evaluate));
  inputs.forEach((input, i) => {
    const { ok, error } = check(input, results[i]);
    const shown = JSON.stringify(input, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    expect(ok, `seed ${seed} (set FC_SEED to replay), input ${shown}: ${error}`).to.equal(true);
  });
}

describe("TrustScoreOracle read-only API (SPEC §5.5)", function () {
  describe("sigmoid", function () {
    it("matches the reference S within 1e-12 on 1 000 random arguments up to 2^256 − 1", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await checkAgainstReference(
        anyWad,
        (x) => oracle.sigmoid(x),
        (x, s) => ref.closeTo(s, ref.sigmoidOfWad(x)),
      );
    });

    it("is 2.5e18 at 0 and exactly 5e18 from the clamp point on", async function () {
      const { oracle } = await loadFixture(deployOracle);
      expect(await oracle.sigmoid(0n)).to.equal(25n * 10n ** 17n);
      expect(await oracle.sigmoid(SIGMOID_CLAMP_X)).to.equal(5n * WAD);
      expect(await oracle.sigmoid(2n ** 255n)).to.equal(5n * WAD);
      expect(await oracle.sigmoid(MAX_UINT256)).to.equal(5n * WAD);
      expect(await oracle.sigmoid(SIGMOID_CLAMP_X - 1n)).to.be.lessThanOrEqual(5n * WAD);
    });

    it("is within 5 wei of the exact S at the clamp point, so clamping there loses nothing at wad resolution", async function () {
      const exact = ref.sigmoidOfWad(SIGMOID_CLAMP_X);
      expect(
        ref
          .fromWad(5n * WAD)
          .minus(exact)
          .mul("1e18")
          .toNumber(),
      ).to.be.lessThanOrEqual(5);
    });

    it("is non-decreasing in its argument", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const xs = fc
        .sample(
          fc.oneof(fc.bigInt(0n, 100n * WAD), fc.bigInt(SIGMOID_CLAMP_X - 10n ** 6n, SIGMOID_CLAMP_X + 10n)),
          {
            numRuns: 300,
            seed: sampleSeed(),
          },
        )
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const ss = await Promise.all(xs.map((x) => oracle.sigmoid(x)));
      for (let i = 1; i < ss.length; i++) expect(ss[i]).to.be.greaterThanOrEqual(ss[i - 1]);
    });
  });

  describe("previewTraderScore", function () {
    const input = fc.record({
      prevScore: scoreUpTo(MAX_TRADER_SCORE),
      prevTrades: anyCount,
      alpha: ratingWad,
      beta: anyWad,
      gamma: anyWad,
    });

    it("matches Algorithm 1 of the reference within 1e-12 on 1 000 random inputs", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await checkAgainstReference(
        input,
        (i) => oracle.previewTraderScore(i.prevScore, i.prevTrades, i.alpha, i.beta, i.gamma),
        (i, score) =>
          ref.closeTo(score, ref.traderScore(i.prevScore, i.prevTrades, i.alpha, i.beta, i.gamma)),
      );
    });

    it("stays on [min(prevScore, 6e18), 15e18]", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const inputs = fc.sample(input, { numRuns: 200, seed: sampleSeed() });
      const scores = await Promise.all(
        inputs.map((i) => oracle.previewTraderScore(i.prevScore, i.prevTrades, i.alpha, i.beta, i.gamma)),
      );
      inputs.forEach((i, k) => {
        const floor = i.prevScore < 6n * WAD ? i.prevScore : 6n * WAD;
        expect(scores[k]).to.be.within(floor, MAX_TRADER_SCORE);
      });
    });

    it("reverts with TraderScoreOutOfRange for a previous score above 15e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewTraderScore(MAX_TRADER_SCORE + 1n, 0n, WAD, 0n, 0n))
        .to.be.revertedWithCustomError(oracle, "TraderScoreOutOfRange")
        .withArgs(MAX_TRADER_SCORE + 1n);
    });

    it("reverts with CountOutOfRange for 2^64 previous trades", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewTraderScore(WAD, TWO_POW_64, WAD, 0n, 0n))
        .to.be.revertedWithCustomError(oracle, "CountOutOfRange")
        .withArgs(TWO_POW_64);
    });

    for (const alpha of [0n, WAD / 2n, WAD + 1n, 6n * WAD, MAX_UINT256]) {
      it(`reverts with RatingOutOfRange for alpha ${alpha}`, async function () {
        const { oracle } = await loadFixture(deployOracle);
        await expect(oracle.previewTraderScore(WAD, 0n, alpha, 0n, 0n))
          .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
          .withArgs(alpha);
      });
    }
  });

  describe("previewPlatformScore", function () {
    const input = fc.record({
      prevScore: scoreUpTo(MAX_VALIDATOR_SCORE),
      feedbacks: anyCount,
      delta: ratingWad,
      epsilon: ratingWad,
    });

    it("matches Algorithm 2 of the reference within 1e-12 on 1 000 random inputs", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await checkAgainstReference(
        input,
        (i) => oracle.previewPlatformScore(i.prevScore, i.feedbacks, i.delta, i.epsilon),
        (i, score) => ref.closeTo(score, ref.platformScore(i.prevScore, i.feedbacks, i.delta, i.epsilon)),
      );
    });

    it("gives the mean of delta and epsilon for the first feedback", async function () {
      const { oracle } = await loadFixture(deployOracle);
      expect(await oracle.previewPlatformScore(0n, 0n, 4n * WAD, 1n * WAD)).to.equal(25n * 10n ** 17n);
    });

    it("reverts with ValidatorScoreOutOfRange for a previous score above 5e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewPlatformScore(MAX_VALIDATOR_SCORE + 1n, 0n, WAD, WAD))
        .to.be.revertedWithCustomError(oracle, "ValidatorScoreOutOfRange")
        .withArgs(MAX_VALIDATOR_SCORE + 1n);
    });

    it("reverts with CountOutOfRange for 2^64 feedbacks", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewPlatformScore(WAD, TWO_POW_64, WAD, WAD))
        .to.be.revertedWithCustomError(oracle, "CountOutOfRange")
        .withArgs(TWO_POW_64);
    });

    it("reverts with RatingOutOfRange for a delta or epsilon outside {1..5}e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewPlatformScore(WAD, 1n, 0n, WAD))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(0n);
      await expect(oracle.previewPlatformScore(WAD, 1n, WAD, 3n * WAD + 1n))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(3n * WAD + 1n);
      await expect(oracle.previewPlatformScore(WAD, 1n, 6n * WAD, WAD))
        .to.be.revertedWithCustomError(oracle, "RatingOutOfRange")
        .withArgs(6n * WAD);
    });
  });

  describe("previewValidatorScore", function () {
    const input = fc.record({
      prevScore: scoreUpTo(MAX_VALIDATOR_SCORE),
      proposedBlocks: anyCount,
      beta: anyWad,
      coins: anyWad,
      txCount: anyCount,
      otherScores: fc.array(scoreUpTo(MAX_VALIDATOR_SCORE), { minLength: 1, maxLength: 10 }),
    });

    it("matches Algorithm 4 of the reference (tv and new score) within 1e-12 on 1 000 random inputs", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await checkAgainstReference(
        input,
        (i) =>
          oracle.previewValidatorScore(
            i.prevScore,
            i.proposedBlocks,
            i.beta,
            i.coins,
            i.txCount,
            i.otherScores,
          ),
        (i, [tv, newScore]) => {
          const expected = ref.validatorScore(
            i.prevScore,
            i.proposedBlocks,
            i.beta,
            i.coins,
            i.txCount,
            i.otherScores,
          );
          const tvCheck = ref.closeTo(tv, expected.tv);
          const scoreCheck = ref.closeTo(newScore, expected.newScore);
          return { ok: tvCheck.ok && scoreCheck.ok, error: `tv ${tvCheck.error}, score ${scoreCheck.error}` };
        },
      );
    });

    it("gives tv = avgTrust · 5 / 5 = 5e18 when every term saturates and every acceptor scores 5", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const [tv, newScore] = await oracle.previewValidatorScore(
        3n * WAD,
        1n,
        MAX_UINT256,
        MAX_UINT256,
        TWO_POW_64 - 1n,
        [5n * WAD, 5n * WAD, 5n * WAD],
      );
      expect(tv).to.equal(5n * WAD);
      expect(newScore).to.equal(4n * WAD);
    });

    it("reverts with ValidatorScoreOutOfRange for a previous score above 5e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewValidatorScore(MAX_VALIDATOR_SCORE + 1n, 1n, 0n, 0n, 0n, [WAD]))
        .to.be.revertedWithCustomError(oracle, "ValidatorScoreOutOfRange")
        .withArgs(MAX_VALIDATOR_SCORE + 1n);
    });

    it("reverts with ValidatorScoreOutOfRange for another member's score above 5e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewValidatorScore(WAD, 1n, 0n, 0n, 0n, [WAD, MAX_VALIDATOR_SCORE + 1n]))
        .to.be.revertedWithCustomError(oracle, "ValidatorScoreOutOfRange")
        .withArgs(MAX_VALIDATOR_SCORE + 1n);
    });

    it("reverts with CountOutOfRange for 2^64 proposed blocks or transactions", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewValidatorScore(WAD, TWO_POW_64, 0n, 0n, 0n, [WAD]))
        .to.be.revertedWithCustomError(oracle, "CountOutOfRange")
        .withArgs(TWO_POW_64);
      await expect(oracle.previewValidatorScore(WAD, 1n, 0n, 0n, TWO_POW_64, [WAD]))
        .to.be.revertedWithCustomError(oracle, "CountOutOfRange")
        .withArgs(TWO_POW_64);
    });

    it("reverts with EmptyArray without other members' scores", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewValidatorScore(WAD, 1n, 0n, 0n, 0n, [])).to.be.revertedWithCustomError(
        oracle,
        "EmptyArray",
      );
    });
  });

  describe("previewBlockReward", function () {
    const input = fc.integer({ min: 1, max: 8 }).chain((n) =>
      fc.record({
        fees: fc.array(
          fc.oneof(fc.constantFrom(0n, 1n), fc.bigInt(0n, 10n ** 20n), fc.bigInt(0n, 2n ** 240n)),
          {
            minLength: n,
            maxLength: n,
          },
        ),
        buyerScores: fc.array(scoreUpTo(MAX_TRADER_SCORE), { minLength: n, maxLength: n }),
        amounts: fc.array(
          fc.oneof(
            fc.constantFrom(0n, 1n, MAX_UINT256),
            fc.bigInt(0n, 10n ** 20n),
            fc.bigInt(0n, MAX_UINT256),
          ),
          { minLength: n, maxLength: n },
        ),
        tv: scoreUpTo(MAX_VALIDATOR_SCORE),
      }),
    );

    it("matches Algorithm 3 of the reference within 1e-12 on 1 000 random inputs", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const blockReward = await oracle.blockReward();
      await checkAgainstReference(
        input,
        (i) => oracle.previewBlockReward(i.fees, i.buyerScores, i.amounts, i.tv),
        (i, rho) =>
          ref.closeTo(rho, ref.blockReward(i.fees, i.buyerScores, i.amounts, i.tv, blockReward).rho),
      );
    });

    it("computes λ exactly as ⌊Σ fee·score / 15e18⌋ even where a product exceeds 2^256", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const fees = [2n ** 250n, 2n ** 250n + 12345n, 7n];
      const scores = [MAX_TRADER_SCORE - 1n, (123456789n * WAD) / 10n ** 7n, 3n];
      const lambda = (fees[0] * scores[0] + fees[1] * scores[1] + fees[2] * scores[2]) / MAX_TRADER_SCORE;
      const rhoZero = await oracle.previewBlockReward([0n], [0n], [0n], 0n); // R + ω(0) = 5e18 + 0.5e18
      expect(rhoZero).to.equal(5n * WAD + WAD / 2n);
      expect(await oracle.previewBlockReward(fees, scores, [0n, 0n, 0n], 0n)).to.equal(lambda + rhoZero);
    });

    it("uses the blockReward parameter and adds tv as TRC", async function () {
      const { oracle, holders } = await loadFixture(deployOracle);
      await oracle.connect(holders.PARAMS_ROLE).setBlockReward(7n * WAD);
      // θ saturates (ω = 1 TRC); R = 7 TRC; tv = 2 TRC.
      expect(await oracle.previewBlockReward([0n], [0n], [MAX_UINT256], 2n * WAD)).to.equal(
        7n * WAD + WAD + 2n * WAD,
      );
    });

    it("panics on arithmetic overflow only when ρ itself exceeds 2^256 − 1", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(
        oracle.previewBlockReward([MAX_UINT256], [MAX_TRADER_SCORE], [0n], 0n),
      ).to.be.revertedWithPanic(0x11);
      expect(await oracle.previewBlockReward([MAX_UINT256], [1n], [0n], 0n)).to.equal(
        MAX_UINT256 / MAX_TRADER_SCORE + 5n * WAD + WAD / 2n,
      );
    });

    it("reverts with EmptyArray for empty arrays", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewBlockReward([], [], [], 0n)).to.be.revertedWithCustomError(
        oracle,
        "EmptyArray",
      );
    });

    it("reverts with LengthMismatch when buyerScores or amounts differ in length from fees", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewBlockReward([1n, 2n], [WAD], [1n, 2n], 0n)).to.be.revertedWithCustomError(
        oracle,
        "LengthMismatch",
      );
      await expect(oracle.previewBlockReward([1n, 2n], [WAD, WAD], [1n], 0n)).to.be.revertedWithCustomError(
        oracle,
        "LengthMismatch",
      );
    });

    it("reverts with TraderScoreOutOfRange for a buyer score above 15e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewBlockReward([1n, 1n], [WAD, MAX_TRADER_SCORE + 1n], [1n, 1n], 0n))
        .to.be.revertedWithCustomError(oracle, "TraderScoreOutOfRange")
        .withArgs(MAX_TRADER_SCORE + 1n);
    });

    it("reverts with ValidatorScoreOutOfRange for tv above 5e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.previewBlockReward([1n], [WAD], [1n], MAX_VALIDATOR_SCORE + 1n))
        .to.be.revertedWithCustomError(oracle, "ValidatorScoreOutOfRange")
        .withArgs(MAX_VALIDATOR_SCORE + 1n);
    });
  });

  describe("blockRewardParts", function () {
    it("splits ρ into λ = ⌊feeScoreSum / 15e18⌋ paid from fees and R + ω + tv minted", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const input = fc.record({
        feeScoreSum: fc.bigInt(0n, MAX_UINT256),
        theta: anyWad,
        tv: scoreUpTo(MAX_VALIDATOR_SCORE),
      });
      await checkAgainstReference(
        input,
        (i) => oracle.blockRewardParts(i.feeScoreSum, i.theta, i.tv),
        (i, [feePayout, rewardMint]) => {
          const expected = ref.blockReward([0n], [0n], [i.theta], i.tv, 5n * WAD);
          const mint = ref.closeTo(rewardMint, expected.rho);
          const payoutOk = feePayout === i.feeScoreSum / MAX_TRADER_SCORE;
          return { ok: mint.ok && payoutOk, error: `mint ${mint.error}, payout ${payoutOk}` };
        },
      );
    });

    it("agrees with previewBlockReward for one bid", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const fee = 3n * WAD;
      const score = 12n * WAD;
      const [feePayout, rewardMint] = await oracle.blockRewardParts(fee * score, 40n * WAD, 2n * WAD);
      expect(feePayout + rewardMint).to.equal(
        await oracle.previewBlockReward([fee], [score], [40n * WAD], 2n * WAD),
      );
    });

    it("reverts with ValidatorScoreOutOfRange for tv above 5e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.blockRewardParts(0n, 0n, MAX_VALIDATOR_SCORE + 1n))
        .to.be.revertedWithCustomError(oracle, "ValidatorScoreOutOfRange")
        .withArgs(MAX_VALIDATOR_SCORE + 1n);
    });
  });

  describe("trpLevel", function () {
    it("maps scores below 11.5, 12.5, 13.5 and the rest to levels 1, 2, 3, 4 by default", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const cases: [bigint, number][] = [
        [0n, 1],
        [115n * 10n ** 17n - 1n, 1],
        [115n * 10n ** 17n, 2],
        [125n * 10n ** 17n - 1n, 2],
        [125n * 10n ** 17n, 3],
        [135n * 10n ** 17n - 1n, 3],
        [135n * 10n ** 17n, 4],
        [MAX_TRADER_SCORE, 4],
      ];
      for (const [score, level] of cases) expect(await oracle.trpLevel(score)).to.equal(level);
    });

    it("agrees with the reference levels on random scores", async function () {
      const { oracle } = await loadFixture(deployOracle);
      const thresholds: [ref.Dec, ref.Dec, ref.Dec] = [new ref.D(11.5), new ref.D(12.5), new ref.D(13.5)];
      await checkAgainstReference(
        scoreUpTo(MAX_TRADER_SCORE),
        (s) => oracle.trpLevel(s),
        (s, level) => {
          const expected = ref.trpLevel(ref.fromWad(s), thresholds);
          return { ok: Number(level) === expected, error: `level ${level}, expected ${expected}` };
        },
      );
    });

    it("follows new thresholds", async function () {
      const { oracle, holders } = await loadFixture(deployOracle);
      await oracle.connect(holders.PARAMS_ROLE).setTrpThresholds([WAD, 2n * WAD, 3n * WAD]);
      expect(await oracle.trpLevel(WAD - 1n)).to.equal(1);
      expect(await oracle.trpLevel(WAD)).to.equal(2);
      expect(await oracle.trpLevel(25n * 10n ** 17n)).to.equal(3);
      expect(await oracle.trpLevel(3n * WAD)).to.equal(4);
    });

    it("reverts with TraderScoreOutOfRange for a score above 15e18", async function () {
      const { oracle } = await loadFixture(deployOracle);
      await expect(oracle.trpLevel(MAX_TRADER_SCORE + 1n))
        .to.be.revertedWithCustomError(oracle, "TraderScoreOutOfRange")
        .withArgs(MAX_TRADER_SCORE + 1n);
    });
  });
});
