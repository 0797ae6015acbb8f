// Property test of the validator ranking: random joins, top-ups, leaves, ejections and score changes
// (with ties of weight and score), hints from the TypeScript model of test/reference/ranking.ts, from
// the contract's findInsertPosition, or deliberately wrong. After every step the list, walked both
// ways, must be exactly the model's order, and the budget must hold every coin burned.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

import { RankingModel, ranksBefore } from "../reference/ranking";
import { fcOptions } from "../trust/fixtures";
import {
  TRC,
  WAD,
  ZERO,
  chainHints,
  deployValidatorsFixture,
  expectBacked,
  walkRanking,
  type ValidatorsFixture,
} from "./fixtures";

const VALIDATORS = 6;
const BASE_SCORE = 3n * WAD;
const RUNS = Number(process.env.VALIDATORS_FC_RUNS ?? 60);

/** Where the hints of a positioning call come from. */
type HintSource =
  { from: "model" } | { from: "chain" } | { from: "wrong"; prevPick: number; nextPick: number };

type Op =
  | { kind: "join"; who: number; deposit: bigint; hints: HintSource }
  | { kind: "topUp"; who: number; amount: bigint; hints: HintSource }
  | { kind: "leave"; who: number }
  | { kind: "eject"; who: number }
  | { kind: "rescore"; who: number; penalty: bigint; hints: HintSource };

const who = fc.integer({ min: 0, max: VALIDATORS - 1 });
const hintSource: fc.Arbitrary<HintSource> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ from: "model" as const }) },
  { weight: 2, arbitrary: fc.constant({ from: "chain" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      from: fc.constant("wrong" as const),
      prevPick: fc.nat({ max: VALIDATORS + 1 }),
      nextPick: fc.nat({ max: VALIDATORS + 1 }),
    }),
  },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("join" as const),
      who,
      deposit: fc.constantFrom(2_000n * TRC, 2_000n * TRC, 2_500n * TRC, 3_000n * TRC),
      hints: hintSource,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("topUp" as const),
      who,
      amount: fc.constantFrom(1n, 500n * TRC, 1_000n * TRC),
      hints: hintSource,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("leave" as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("eject" as const), who }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("rescore" as const),
      who,
      penalty: fc.constantFrom(0n, WAD / 2n, WAD, (5n * WAD) / 2n),
      hints: hintSource,
    }),
  },
);

interface ExpectedError {
  name: string;
  args: unknown[];
}

/**
 * The error `SortedValidators._checkPosition` gives for `(prev, next)` in `order` (the list without
 * the account), or undefined for the right hints: a TypeScript replica of the on-chain check.
 */
function hintError(
  order: { address: string; weight: bigint; rankScore: bigint }[],
  account: string,
  weight: bigint,
  score: bigint,
  prevHint: string,
  nextHint: string,
): ExpectedError | undefined {
  const index = (a: string) => order.findIndex((e) => e.address === a);
  let afterPrev: string;
  if (prevHint === ZERO) {
    afterPrev = order[0]?.address ?? ZERO;
  } else {
    const i = index(prevHint);
    if (i < 0 || !ranksBefore(order[i].weight, order[i].rankScore, prevHint, weight, score, account)) {
      return { name: "SortedValidatorsBadPrevHint", args: [prevHint] };
    }
    afterPrev = order[i + 1]?.address ?? ZERO;
  }
  if (nextHint !== ZERO) {
    const j = index(nextHint);
    if (j < 0 || !ranksBefore(weight, score, account, order[j].weight, order[j].rankScore, nextHint)) {
      return { name: "SortedValidatorsBadNextHint", args: [nextHint] };
    }
  }
  if (afterPrev !== nextHint) return { name: "SortedValidatorsHintsNotAdjacent", args: [prevHint, nextHint] };
  return undefined;
}

describe("ValidatorRegistry ranking (property)", function () {
  it("walking the list always gives the model's order, whatever the sequence of calls", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const f: ValidatorsFixture = await loadFixture(deployValidatorsFixture);
        const signers = f.candidates.slice(0, VALIDATORS);
        const model = new RankingModel();
        const oracleScore = new Map<string, bigint>();
        let burned = 0n;

        /** Hints for a positioning call and the error it must give (undefined: it must succeed). */
        async function hintsFor(
          account: string,
          weight: bigint,
          score: bigint,
          source: HintSource,
        ): Promise<{ prevHint: string; nextHint: string; error?: ExpectedError }> {
          const right = model.hints(account, weight, score);
          if (source.from === "model") return right;
          if (source.from === "chain") {
            const [prevHint, nextHint] = await chainHints(f.vr, account, weight, score);
            expect({ prevHint, nextHint }).to.deep.equal(right, "findInsertPosition agrees with the model");
            return right;
          }
          // A pick among the validators (ranked or not), the zero address and a stranger.
          const pool = [...signers.map((s) => s.address), ZERO, f.stranger.address];
          const prevHint = pool[source.prevPick];
          const nextHint = pool[source.nextPick];
          const without = model.order().filter((e) => e.address !== account);
          return {
            prevHint,
            nextHint,
            error: hintError(without, account, weight, score, prevHint, nextHint),
          };
        }

        async function expectOutcome(
          call: Promise<unknown>,
          error: ExpectedError | undefined,
        ): Promise<boolean> {
          if (error === undefined) {
            await (await (call as Promise<{ wait(): Promise<unknown> }>)).wait();
            return true;
          }
          await expect(call)
            .to.be.revertedWithCustomError(f.vr, error.name)
            .withArgs(...error.args);
          return false;
        }

        for (const step of ops) {
          const signer = signers[step.who];
          const account = signer.address;
          const known = model.get(account);
          const vr = f.vr.connect(signer);
          switch (step.kind) {
            case "join": {
              let error: ExpectedError | undefined;
              let hints = { prevHint: ZERO, nextHint: ZERO };
              if (known?.ejected) error = { name: "ValidatorIsEjected", args: [account] };
              else if (known) error = { name: "AlreadyJoined", args: [account] };
              else {
                const h = await hintsFor(account, step.deposit, BASE_SCORE, step.hints);
                hints = h;
                error = h.error;
              }
              if (await expectOutcome(vr.join(step.deposit, hints.prevHint, hints.nextHint), error)) {
                model.join(account, step.deposit, BASE_SCORE, 0n);
                oracleScore.set(account, BASE_SCORE);
                burned += step.deposit;
              }
              break;
            }
            case "topUp": {
              let error: ExpectedError | undefined;
              let hints = { prevHint: ZERO, nextHint: ZERO };
              const score = oracleScore.get(account) ?? 0n;
              if (!known) error = { name: "NotAValidator", args: [account] };
              else if (known.ejected) error = { name: "ValidatorIsEjected", args: [account] };
              else if (known.leftAt !== 0n) error = { name: "ValidatorHasLeft", args: [account] };
              else {
                const h = await hintsFor(account, known.weight + step.amount, score, step.hints);
                hints = h;
                error = h.error;
              }
              if (await expectOutcome(vr.topUp(step.amount, hints.prevHint, hints.nextHint), error)) {
                model.topUp(account, step.amount, score);
                burned += step.amount;
              }
              break;
            }
            case "leave": {
              let error: ExpectedError | undefined;
              if (!known) error = { name: "NotAValidator", args: [account] };
              else if (known.ejected) error = { name: "ValidatorIsEjected", args: [account] };
              else if (known.leftAt !== 0n) error = { name: "ValidatorHasLeft", args: [account] };
              if (await expectOutcome(vr.leave(), error)) {
                const block = await ethers.provider.getBlock("latest");
                model.leave(account, BigInt(block!.timestamp));
              }
              break;
            }
            case "eject": {
              let error: ExpectedError | undefined;
              if (!known) error = { name: "NotAValidator", args: [account] };
              else if (known.ejected) error = { name: "ValidatorIsEjected", args: [account] };
              if (await expectOutcome(f.vr.connect(f.consensus).eject(account), error)) {
                model.eject(account);
                oracleScore.set(account, 0n);
              }
              break;
            }
            case "rescore": {
              if (known) {
                await (await f.oracle.connect(f.scorer).penalise(account, step.penalty)).wait();
                const old = oracleScore.get(account)!;
                oracleScore.set(account, old > step.penalty ? old - step.penalty : 0n);
              }
              const score = oracleScore.get(account) ?? 0n;
              let error: ExpectedError | undefined;
              let hints = { prevHint: ZERO, nextHint: ZERO };
              const ranked = known !== undefined && !known.ejected && known.leftAt === 0n;
              if (!ranked) error = { name: "NotRanked", args: [account] };
              else if (score !== known.rankScore) {
                const h = await hintsFor(account, known.weight, score, step.hints);
                hints = h;
                error = h.error;
              }
              if (await expectOutcome(f.vr.syncRankScore(account, hints.prevHint, hints.nextHint), error)) {
                model.sync(account, score);
              }
              break;
            }
          }

          // ---- after every step
          const order = model.order();
          expect(await walkRanking(f.vr)).to.deep.equal(
            order.map((v) => v.address),
            `after ${JSON.stringify(step, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`,
          );
          for (const v of order) expect(await f.vr.rankScore(v.address)).to.equal(v.rankScore);
          for (const s of signers) {
            const m = model.get(s.address);
            const record = await f.vr.validator(s.address);
            expect(record.weight).to.equal(m?.weight ?? 0n);
            expect(record.joinedAt !== 0n).to.equal(m !== undefined);
            expect(record.leftAt).to.equal(m?.leftAt ?? 0n);
            expect(record.ejected).to.equal(m?.ejected ?? false);
            const eligible =
              m !== undefined && !m.ejected && m.leftAt === 0n && oracleScore.get(s.address)! >= WAD;
            expect(await f.vr.isEligible(s.address)).to.equal(eligible);
          }
          const [top] = await f.vr.topEligible(BigInt(VALIDATORS), ZERO);
          expect(top).to.deep.equal(
            order.filter((v) => oracleScore.get(v.address)! >= WAD).map((v) => v.address),
          );
          expect(await f.coin.rewardBudget()).to.equal(burned);
          await expectBacked(f.coin);
        }
      }),
      fcOptions(RUNS),
    );
  });
});
