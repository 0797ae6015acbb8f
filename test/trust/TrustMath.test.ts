// TrustMath, the pure fixed-point library, through TrustMathHarness.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import * as ref from "../reference/trust";
import type { TrustMathHarness } from "../../typechain-types";
import {
  MAX_TRADER_SCORE,
  MAX_UINT256,
  MAX_VALIDATOR_SCORE,
  SIGMOID_CLAMP_X,
  TWO_POW_64,
  WAD,
  anyCount,
  anyWad,
  ratingWad,
  sampleSeed,
  scoreUpTo,
} from "./fixtures";

async function deployHarness(): Promise<{ math: TrustMathHarness }> {
  return { math: await ethers.deployContract("TrustMathHarness") };
}

describe("TrustMath", function () {
  describe("sigmoid", function () {
    it("matches the reference S on 1 000 arguments in one batched call", async function () {
      const { math } = await loadFixture(deployHarness);
      const seed = sampleSeed();
      const xs = fc.sample(anyWad, { numRuns: 1000, seed });
      const ss = await math.sigmoidBatch(xs);
      xs.forEach((x, i) => {
        const { ok, error } = ref.closeTo(ss[i], ref.sigmoidOfWad(x));
        expect(ok, `seed ${seed}, x ${x}: ${error}`).to.equal(true);
      });
    });

    it("lies within 6 wei of the exact S below the clamp point (expWad's few-wei error plus one floor)", async function () {
      const { math } = await loadFixture(deployHarness);
      const seed = sampleSeed();
      const xs = fc.sample(fc.oneof(fc.bigInt(0n, 10n ** 15n), fc.bigInt(0n, SIGMOID_CLAMP_X - 1n)), {
        numRuns: 1000,
        seed,
      });
      const ss = await math.sigmoidBatch(xs);
      xs.forEach((x, i) => {
        const errorWei = ref.fromWad(ss[i]).minus(ref.sigmoidOfWad(x)).abs().mul("1e18");
        expect(errorWei.lte(6), `seed ${seed}, x ${x}: ${errorWei.toFixed(3)} wei`).to.equal(true);
      });
    });

    it("is 2.5e18 at 0 and 5e18 from SIGMOID_CLAMP_X on", async function () {
      const { math } = await loadFixture(deployHarness);
      expect(await math.sigmoid(0n)).to.equal(25n * 10n ** 17n);
      expect(await math.sigmoid(SIGMOID_CLAMP_X)).to.equal(5n * WAD);
      expect(await math.sigmoid(MAX_UINT256)).to.equal(5n * WAD);
    });
  });

  describe("weightedMean", function () {
    it("is the floor of (prev · weight + value) / (weight + 1)", async function () {
      const { math } = await loadFixture(deployHarness);
      expect(await math.weightedMean(12n * WAD, 4n, 10n * WAD)).to.equal((48n * WAD + 10n * WAD) / 5n);
      expect(await math.weightedMean(1n, 1n, 0n)).to.equal(0n);
      expect(await math.weightedMean(0n, 0n, 7n)).to.equal(7n);
    });

    it("does not overflow at the largest weights and values of its domain", async function () {
      const { math } = await loadFixture(deployHarness);
      const big = 2n ** 128n - 1n;
      expect(await math.weightedMean(big, TWO_POW_64 - 1n, big)).to.equal(big);
    });
  });

  describe("nextTraderScore", function () {
    it("matches Algorithm 1 of the reference", async function () {
      const { math } = await loadFixture(deployHarness);
      const seed = sampleSeed();
      const input = fc.record({
        prev: scoreUpTo(MAX_TRADER_SCORE),
        n: anyCount,
        alpha: ratingWad,
        beta: anyWad,
        gamma: anyWad,
      });
      const inputs = fc.sample(input, { numRuns: 200, seed });
      const results = await Promise.all(
        inputs.map((i) => math.nextTraderScore(i.prev, i.n, i.alpha, i.beta, i.gamma)),
      );
      inputs.forEach((i, k) => {
        const { ok, error } = ref.closeTo(results[k], ref.traderScore(i.prev, i.n, i.alpha, i.beta, i.gamma));
        expect(ok, `seed ${seed}: ${error}`).to.equal(true);
      });
    });

    it("gives temp itself with no prior trades: 15e18 for α = 5 with both sigmoids saturated", async function () {
      const { math } = await loadFixture(deployHarness);
      expect(await math.nextTraderScore(0n, 0n, 5n * WAD, MAX_UINT256, MAX_UINT256)).to.equal(
        MAX_TRADER_SCORE,
      );
      expect(await math.nextTraderScore(0n, 0n, WAD, 0n, 0n)).to.equal(6n * WAD);
    });
  });

  describe("nextPlatformScore", function () {
    it("averages (δ + ε)/2 into the previous score with FN as weight", async function () {
      const { math } = await loadFixture(deployHarness);
      expect(await math.nextPlatformScore(0n, 0n, 3n * WAD, 4n * WAD)).to.equal(35n * 10n ** 17n);
      expect(await math.nextPlatformScore(35n * 10n ** 17n, 1n, WAD, WAD)).to.equal(225n * 10n ** 16n);
      expect(await math.nextPlatformScore(5n * WAD, 2n, WAD, 2n * WAD)).to.equal(
        (10n * WAD + 15n * 10n ** 17n) / 3n,
      );
    });
  });

  describe("nextValidatorScore", function () {
    it("matches Algorithm 4 of the reference and keeps tv and the score on [0, 5e18]", async function () {
      const { math } = await loadFixture(deployHarness);
      const seed = sampleSeed();
      const input = fc.record({
        prev: scoreUpTo(MAX_VALIDATOR_SCORE),
        blocks: anyCount,
        beta: anyWad,
        coins: anyWad,
        tx: anyCount,
        others: fc.array(scoreUpTo(MAX_VALIDATOR_SCORE), { minLength: 1, maxLength: 12 }),
      });
      const inputs = fc.sample(input, { numRuns: 200, seed });
      const results = await Promise.all(
        inputs.map((i) =>
          math.nextValidatorScore(
            i.prev,
            i.blocks,
            i.beta,
            i.coins,
            i.tx,
            i.others.reduce((a, b) => a + b, 0n),
            i.others.length,
          ),
        ),
      );
      inputs.forEach((i, k) => {
        const [tv, score] = results[k];
        const expected = ref.validatorScore(i.prev, i.blocks, i.beta, i.coins, i.tx, i.others);
        expect(
          ref.closeTo(tv, expected.tv).ok && ref.closeTo(score, expected.newScore).ok,
          `seed ${seed}`,
        ).to.equal(true);
        expect(tv).to.be.within(0n, MAX_VALIDATOR_SCORE);
        expect(score).to.be.within(0n, MAX_VALIDATOR_SCORE);
      });
    });

    it("gives the new score as the mean of the rounded tv, which equals the floor of the exact mean", async function () {
      const { math } = await loadFixture(deployHarness);
      const seed = sampleSeed();
      const input = fc.record({
        prev: scoreUpTo(MAX_VALIDATOR_SCORE),
        blocks: fc.bigInt(0n, 50n),
        sum: fc.bigInt(0n, 40n * MAX_VALIDATOR_SCORE),
        count: fc.bigInt(1n, 40n),
      });
      const inputs = fc.sample(input, { numRuns: 100, seed });
      const results = await Promise.all(
        inputs.map((i) => math.nextValidatorScore(i.prev, i.blocks, 0n, 0n, 0n, i.sum, i.count)),
      );
      inputs.forEach((i, k) => {
        const [tv, score] = results[k];
        // With β = TC = TT = 0 the sigmoids are exactly 2.5e18 each: T = 7.5e18 · Σ, D = 15e18 · count,
        // so tv = Σ / (2 · count) exactly and the exact mean is (prev · blocks · 2 · count + Σ) / (2 · count · (blocks + 1)).
        const exactNumerator = i.prev * i.blocks * 2n * i.count + i.sum;
        expect(tv, `seed ${seed}`).to.equal((75n * 10n ** 17n * i.sum) / (15n * WAD * i.count));
        expect(score, `seed ${seed}`).to.equal((i.prev * i.blocks + tv) / (i.blocks + 1n));
        expect(score, `seed ${seed}`).to.equal(exactNumerator / (2n * i.count * (i.blocks + 1n)));
      });
    });
  });

  describe("feePayout", function () {
    it("is ⌊feeScoreSum / 15e18⌋", async function () {
      const { math } = await loadFixture(deployHarness);
      expect(await math.feePayout(15n * WAD - 1n)).to.equal(0n);
      expect(await math.feePayout(30n * WAD)).to.equal(2n);
      expect(await math.feePayout(MAX_UINT256)).to.equal(MAX_UINT256 / (15n * WAD));
    });
  });

  describe("omega", function () {
    it("is S(θ)/5: 0.5e18 at θ = 0 and 1e18 once S is clamped", async function () {
      const { math } = await loadFixture(deployHarness);
      expect(await math.omega(0n)).to.equal(WAD / 2n);
      expect(await math.omega(MAX_UINT256)).to.equal(WAD);
      const theta = 3n * WAD;
      expect(
        ref.closeTo(await math.omega(theta), ref.blockReward([0n], [0n], [theta], 0n, 0n).omega).ok,
      ).to.equal(true);
    });
  });

  describe("rewardMint", function () {
    it("is R + ω + tv", async function () {
      const { math } = await loadFixture(deployHarness);
      expect(await math.rewardMint(5n * WAD, 0n, 2n * WAD)).to.equal(5n * WAD + WAD / 2n + 2n * WAD);
    });
  });

  describe("wadRatioSaturating", function () {
    it("is ⌊amount · 1e18 / unit⌋ and saturates where the product would overflow", async function () {
      const { math } = await loadFixture(deployHarness);
      expect(await math.wadRatioSaturating(3n, 2n)).to.equal(15n * 10n ** 17n);
      const edge = MAX_UINT256 / WAD;
      expect(await math.wadRatioSaturating(edge, WAD)).to.equal(edge);
      expect(await math.wadRatioSaturating(edge + 1n, 10n ** 38n)).to.equal(MAX_UINT256);
    });
  });
});
