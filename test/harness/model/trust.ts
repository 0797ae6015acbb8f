// Model of the trust scores (SPEC §5, §6.4): trader states (score, trades, coins traded), the platform score
// and feedback ledger, validator states (score, |PB|, join time). Each update is predicted with the
// high-precision reference (test/reference/trust.ts) and compared with its `closeTo` tolerance; the chain's
// wad value is then adopted, so the next prediction starts from exactly what the contracts hold. Updates that
// are exact integer arithmetic on the chain (missed rounds, penalties) are predicted exactly.
import { closeTo, type Dec, platformScore, traderScore, validatorScore } from "../../reference/trust";

const WAD = 10n ** 18n;

export interface TraderState {
  score: bigint;
  trades: bigint;
  coinsTraded: bigint;
}

export interface ValidatorState {
  score: bigint;
  proposedBlocks: bigint;
  joinedAt: bigint;
}

export interface TrustParams {
  initialTraderScore: bigint;
  initialTraderWeight: bigint;
  timeUnit: bigint;
  coinUnit: bigint;
  thresholds: [bigint, bigint, bigint];
  blockReward: bigint;
  baseValidatorScore: bigint;
}

export class TrustModel {
  readonly traders = new Map<string, TraderState>();
  readonly validators = new Map<string, ValidatorState>();
  readonly feedbackGiven = new Set<string>();
  platform = { score: 0n, feedbacks: 0n };

  constructor(readonly params: TrustParams) {}

  traderScore(account: string): bigint {
    const t = this.traders.get(account);
    return t && t.trades > 0n ? t.score : this.params.initialTraderScore;
  }

  trpLevel(score: bigint): number {
    const [t1, t2, t3] = this.params.thresholds;
    return score < t1 ? 1 : score < t2 ? 2 : score < t3 ? 3 : 4;
  }

  validatorScore(account: string): bigint {
    return this.validators.get(account)?.score ?? 0n;
  }

  /** Algorithm 1 (SPEC §5.2) for a trade of `slotEnd`, real-valued. */
  predictTrade(account: string, registeredAt: bigint, slotEnd: bigint, alpha: number): Dec {
    const t = this.traders.get(account);
    const fresh = !t || t.trades === 0n;
    const score = fresh ? this.params.initialTraderScore : t.score;
    const n = (fresh ? 0n : t.trades) + this.params.initialTraderWeight;
    const coins = fresh ? 0n : t.coinsTraded;
    const betaWad = slotEnd > registeredAt ? ((slotEnd - registeredAt) * WAD) / this.params.timeUnit : 0n;
    const gammaWad = (coins * WAD) / this.params.coinUnit;
    return traderScore(score, n, BigInt(alpha) * WAD, betaWad, gammaWad);
  }

  /** Adopts the chain's new score after a checked prediction. */
  recordTrade(account: string, chainScore: bigint, tradeValue: bigint): void {
    const t = this.traders.get(account) ?? { score: 0n, trades: 0n, coinsTraded: 0n };
    this.traders.set(account, {
      score: chainScore,
      trades: t.trades + 1n,
      coinsTraded: t.coinsTraded + tradeValue,
    });
  }

  predictFeedback(delta: number, epsilon: number): Dec {
    return platformScore(
      this.platform.score,
      this.platform.feedbacks,
      BigInt(delta) * WAD,
      BigInt(epsilon) * WAD,
    );
  }

  /** Algorithm 4 (SPEC §6.4) for the proposer at `now`, real-valued. */
  predictBlock(
    proposer: string,
    now: bigint,
    theta: bigint,
    buyers: bigint,
    acceptorScores: bigint[],
  ): { tv: Dec; newScore: Dec } {
    const v = this.validators.get(proposer)!;
    const betaWad = ((now - v.joinedAt) * WAD) / this.params.timeUnit;
    const coinsWad = (theta * WAD) / this.params.coinUnit;
    return validatorScore(v.score, v.proposedBlocks, betaWad, coinsWad, buyers, acceptorScores);
  }

  /** A skipped, rejected or lapsed round: `tv = 0` for the proposer, exact integer mean. */
  missedRound(proposer: string): void {
    const v = this.validators.get(proposer)!;
    v.score = (v.score * v.proposedBlocks) / (v.proposedBlocks + 1n);
    v.proposedBlocks += 1n;
  }

  /** `attesterPenalty` off the score, not below 0. */
  penalise(validator: string, penalty: bigint): void {
    const v = this.validators.get(validator)!;
    v.score = v.score > penalty ? v.score - penalty : 0n;
  }
}

/** Throws unless the chain's wad value is within the reference tolerance of the real-valued prediction. */
export function expectClose(what: string, chain: bigint, reference: Dec): void {
  const result = closeTo(chain, reference);
  if (!result.ok)
    throw new Error(`${what}: chain ${chain} vs model ${reference.toFixed(24)} (${result.error})`);
}
