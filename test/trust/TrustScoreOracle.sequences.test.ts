// Random sequences of writes against a high-precision model (test/reference/trust.ts), and the named
// scenarios of SPEC §5.4.
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import * as ref from "../reference/trust";
import {
  HOUR,
  MAX_TRADER_SCORE,
  MAX_UINT256,
  MAX_VALIDATOR_SCORE,
  WAD,
  deployOracle,
  fcOptions,
  slotEnd,
  type OracleContext,
} from "./fixtures";

type Op =
  | { kind: "trade"; who: number; slot: number; alpha: number; value: bigint }
  | { kind: "feedback"; who: number; slot: number; delta: number; epsilon: number }
  | { kind: "init"; who: number }
  | { kind: "block"; who: number; theta: bigint; txCount: bigint; acceptors: bigint[] }
  | { kind: "missed"; who: number }
  | { kind: "penalise"; who: number; penalty: bigint }
  | { kind: "zero"; who: number }
  | { kind: "wait"; seconds: number };

const who = fc.integer({ min: 0, max: 5 });
const rating = fc.integer({ min: 1, max: 5 });
const validatorScore = fc.oneof(fc.constantFrom(0n, MAX_VALIDATOR_SCORE), fc.bigInt(0n, MAX_VALIDATOR_SCORE));
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("trade" as const),
    who,
    slot: fc.integer({ min: 0, max: 5000 }),
    alpha: rating,
    value: fc.oneof(fc.bigInt(0n, 100n * WAD), fc.constantFrom(0n, MAX_UINT256)),
  }),
  fc.record({
    kind: fc.constant("feedback" as const),
    who,
    slot: fc.integer({ min: 0, max: 4 }),
    delta: rating,
    epsilon: rating,
  }),
  fc.record({ kind: fc.constant("init" as const), who }),
  fc.record({
    kind: fc.constant("block" as const),
    who,
    theta: fc.oneof(fc.bigInt(0n, 200n * WAD), fc.constantFrom(0n, MAX_UINT256)),
    txCount: fc.oneof(fc.bigInt(0n, 200n), fc.constantFrom(0n, 2n ** 64n - 1n)),
    acceptors: fc.array(validatorScore, { minLength: 1, maxLength: 9 }),
  }),
  fc.record({ kind: fc.constant("missed" as const), who }),
  fc.record({
    kind: fc.constant("penalise" as const),
    who,
    penalty: fc.oneof(fc.constantFrom(10n ** 17n, MAX_UINT256), fc.bigInt(0n, MAX_VALIDATOR_SCORE)),
  }),
  fc.record({ kind: fc.constant("zero" as const), who }),
  fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 400_000 }) }),
);

/** Contract value (wad) against the model (real): relative 1e-12, or 1e-15 absolute for tiny values. */
function expectClose(actual: bigint, model: ref.Dec, what: string): void {
  const error = ref.fromWad(actual).minus(model).abs();
  const ok = error.lte("1e-15") || error.lte(model.abs().mul("1e-12"));
  expect(ok, `${what}: contract ${actual}, model ${model.toFixed(30)}`).to.equal(true);
}

interface TraderModel {
  score: ref.Dec;
  weight: ref.Dec;
  coins: bigint;
}
interface ValidatorModel {
  score: ref.Dec;
  blocks: ref.Dec;
  joinedAt: bigint;
}

async function runSequence(ctx: OracleContext, ops: Op[]): Promise<void> {
  const { oracle, registry, ledger, holders, traders, validators, genesis } = ctx;
  const tradeScorer = oracle.connect(holders.TRADE_SCORER_ROLE);
  const validatorScorer = oracle.connect(holders.VALIDATOR_SCORER_ROLE);
  const traderModels = new Map<number, TraderModel>();
  const validatorModels = new Map<number, ValidatorModel>();
  const feedbackGiven = new Set<string>();
  let platform = { score: new ref.D(0), count: 0 };

  for (const step of ops) {
    switch (step.kind) {
      case "trade": {
        const trader = traders[step.who].address;
        const registeredAt = (await registry.participant(trader)).registeredAt;
        const slot = BigInt(step.slot);
        await tradeScorer.recordTrade(trader, slot, step.alpha, step.value);
        const model = traderModels.get(step.who) ?? { score: new ref.D(12), weight: new ref.D(4), coins: 0n };
        const end = slotEnd(genesis, slot);
        const beta = end > registeredAt ? ref.traderBeta(end, registeredAt, HOUR) : new ref.D(0);
        const gamma = ref.traderGamma(model.coins, WAD);
        model.score = ref.traderScoreReal(model.score, model.weight, new ref.D(step.alpha), beta, gamma);
        model.weight = model.weight.plus(1);
        const coins = model.coins + step.value;
        model.coins = coins > 2n ** 96n - 1n ? 2n ** 96n - 1n : coins;
        traderModels.set(step.who, model);
        const [score, , coinsTraded] = await oracle.traderState(trader);
        expectClose(score, model.score, `trader ${step.who} score`);
        expect(coinsTraded).to.equal(model.coins);
        expect(score).to.be.within(6n * WAD, MAX_TRADER_SCORE);
        break;
      }
      case "feedback": {
        const rater = traders[step.who];
        const key = `${step.who}/${step.slot}`;
        await ledger.setSettledTrade(rater.address, step.slot, true);
        if (feedbackGiven.has(key)) {
          await expect(oracle.connect(rater).giveFeedback(step.slot, step.delta, step.epsilon))
            .to.be.revertedWithCustomError(oracle, "FeedbackAlreadyGiven")
            .withArgs(rater.address, step.slot);
          break;
        }
        await oracle.connect(rater).giveFeedback(step.slot, step.delta, step.epsilon);
        feedbackGiven.add(key);
        platform = {
          score: ref.platformScoreReal(
            platform.score,
            new ref.D(platform.count),
            new ref.D(step.delta),
            new ref.D(step.epsilon),
          ),
          count: platform.count + 1,
        };
        expectClose(await oracle.platformScore(), platform.score, "platform score");
        expect(await oracle.platformScore()).to.be.within(WAD, MAX_VALIDATOR_SCORE);
        break;
      }
      case "init": {
        const validator = validators[step.who].address;
        if (validatorModels.has(step.who)) {
          await expect(validatorScorer.initValidator(validator)).to.be.revertedWithCustomError(
            oracle,
            "ValidatorAlreadyKnown",
          );
          break;
        }
        await validatorScorer.initValidator(validator);
        validatorModels.set(step.who, {
          score: new ref.D(3),
          blocks: new ref.D(1),
          joinedAt: BigInt(await time.latest()),
        });
        break;
      }
      case "block":
      case "missed":
      case "penalise":
      case "zero": {
        const validator = validators[step.who].address;
        const model = validatorModels.get(step.who);
        const call = () =>
          step.kind === "block"
            ? validatorScorer.scoreBlock(validator, step.theta, step.txCount, step.acceptors)
            : step.kind === "missed"
              ? validatorScorer.scoreMissedRound(validator)
              : step.kind === "penalise"
                ? validatorScorer.penalise(validator, step.penalty)
                : validatorScorer.zeroValidator(validator);
        if (model === undefined) {
          await expect(call()).to.be.revertedWithCustomError(oracle, "UnknownValidator").withArgs(validator);
          break;
        }
        await call();
        if (step.kind === "block") {
          const beta = ref.int(BigInt(await time.latest()) - model.joinedAt).div(ref.int(HOUR));
          const { newScore } = ref.validatorScoreReal(
            model.score,
            model.blocks,
            beta,
            ref.fromWad(step.theta),
            ref.int(step.txCount),
            step.acceptors.map(ref.fromWad),
          );
          model.score = newScore;
          model.blocks = model.blocks.plus(1);
        } else if (step.kind === "missed") {
          model.score = model.score.mul(model.blocks).div(model.blocks.plus(1));
          model.blocks = model.blocks.plus(1);
        } else if (step.kind === "penalise") {
          const after = model.score.minus(ref.fromWad(step.penalty));
          model.score = after.isNegative() ? new ref.D(0) : after;
        } else {
          model.score = new ref.D(0);
        }
        const score = await oracle.validatorScore(validator);
        expectClose(score, model.score, `validator ${step.who} score`);
        expect(score).to.be.within(0n, MAX_VALIDATOR_SCORE);
        break;
      }
      case "wait":
        await time.increase(step.seconds);
        break;
    }
  }
}

describe("TrustScoreOracle under random sequences of writes", function () {
  it("keeps every score on its scale ([6, 15] trader, [0, 5] validator, [1, 5] platform) and on the model", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const ctx = await loadFixture(deployOracle);
        await runSequence(ctx, ops);
      }),
      fcOptions(60),
    );
  });
});

describe("SPEC §5.4: TRP levels from ratings", function () {
  /** traders[0..3] all registered at genesis, 30 days back: S(β) is saturated for every current slot. */
  async function deploySaturated(): Promise<OracleContext> {
    const ctx = await deployOracle();
    await ctx.registry.setParticipant(ctx.traders[3].address, ctx.genesis);
    return ctx;
  }

  it("once S(β) and S(γ) saturate, ratings averaging 1, 2, 3 and ≥ 4 lead to levels 1, 2, 3 and 4", async function () {
    const ctx = await loadFixture(deploySaturated);
    const { oracle, holders, traders, genesis } = ctx;
    const scorer = oracle.connect(holders.TRADE_SCORER_ROLE);
    const slot = (BigInt(await time.latest()) - genesis) / 900n;
    const beta = ((slotEnd(genesis, slot) - genesis) * WAD) / HOUR;
    expect(await oracle.sigmoid(beta)).to.equal(5n * WAD, "S(β) saturated");
    expect(await oracle.sigmoid(100n * WAD)).to.equal(5n * WAD, "S(γ) saturated after 100 TRC");

    // Rating patterns averaging 1, 2, 3 and 4; the first trade of 100 TRC saturates S(γ) for the rest.
    const patterns: [number[], number][] = [
      [[1], 1],
      [[1, 3], 2],
      [[2, 4], 3],
      [[3, 5], 4],
    ];
    for (const [i, [pattern, level]] of patterns.entries()) {
      const trader = traders[i].address;
      for (let k = 0; k < 40; k++) {
        await scorer.recordTrade(trader, slot, pattern[k % pattern.length], k === 0 ? 100n * WAD : WAD);
      }
      const score = await oracle.traderScore(trader);
      const average = pattern.reduce((a, b) => a + b, 0) / pattern.length;
      expect(await oracle.trpLevelOf(trader), `average rating ${average}, score ${score}`).to.equal(level);
    }
  });

  it("a newcomer's one honest first trade (α = 5) does not drop it a level", async function () {
    const ctx = await loadFixture(deployOracle);
    const { oracle, holders, traders, genesis } = ctx;
    const newcomer = traders[3].address; // registered now: S(β) ≈ S(0.25), S(γ) = S(0) = 2.5
    const slot = (BigInt(await time.latest()) - genesis) / 900n;
    expect(await oracle.trpLevelOf(newcomer)).to.equal(2);
    await oracle.connect(holders.TRADE_SCORER_ROLE).recordTrade(newcomer, slot, 5, WAD);
    expect(await oracle.trpLevelOf(newcomer)).to.equal(2);
    expect(await oracle.traderScore(newcomer)).to.be.greaterThanOrEqual(115n * 10n ** 17n);
  });

  it("without the prior (initialTraderWeight = 0, the thesis' rule) the same trade would drop it to level 1", async function () {
    const ctx = await loadFixture(deployOracle);
    const { oracle, holders, traders, genesis } = ctx;
    await oracle.connect(holders.PARAMS_ROLE).setInitialTraderWeight(0n);
    const newcomer = traders[4].address;
    const slot = (BigInt(await time.latest()) - genesis) / 900n;
    await oracle.connect(holders.TRADE_SCORER_ROLE).recordTrade(newcomer, slot, 5, WAD);
    expect(await oracle.trpLevelOf(newcomer)).to.equal(1);
  });
});
