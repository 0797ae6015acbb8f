/**
 * Independent reference of the trade-block rules of SPEC §6.3–§6.5, written from SPEC.md: vote thresholds,
 * the proposer schedule, the lazy round clock, who loses `attesterPenalty` when a round ends, and the
 * proposer's score and reward at finality (Algorithms 4 and 3, in exact real arithmetic via `trust.ts`).
 */
import { D, type Dec, fromWad, int, validatorScoreReal } from "./trust";

/** SPEC §6.3: final at ⌈2k/3⌉ accepts, the proposer's included. */
export function acceptsToFinalize(k: number): number {
  return Math.ceil((2 * k) / 3);
}

/** SPEC §6.3: rejected at more than k/3 rejects. */
export function rejectsToReject(k: number): number {
  return Math.floor(k / 3) + 1;
}

/** SPEC §6.3: round `r` of `(m, s)` is proposed by `order[(s + m + r) mod k]`. */
export function proposerIndex(microgrid: number, slot: bigint, round: number, k: number): number {
  return Number((slot + BigInt(microgrid) + BigInt(round)) % BigInt(k));
}

export type Outcome = "Skipped" | "Rejected" | "Lapsed";

/** A round that ended without a final block, as the lazy clock ends it. */
export interface EndedRound {
  round: number;
  outcome: Outcome;
  endsAt: bigint;
}

/**
 * The round clock of one microgrid-slot: round 0 opens at `proposableAt`; a round without a proposal is
 * skipped `timeout` after it opened; a proposed round lapses `window` after its proposal, or ends when
 * rejected; the next round opens when one ends, but none opens at or after `deadlineAt`.
 */
export class RoundClock {
  round = 0;
  openedAt: bigint;
  proposedAt: bigint | undefined;
  readonly ended: EndedRound[] = [];

  constructor(
    proposableAt: bigint,
    readonly timeout: bigint,
    readonly window: bigint,
    readonly deadlineAt: bigint,
  ) {
    this.openedAt = proposableAt;
  }

  /** Ends every round whose time is up at `now`; returns those ended by this call. */
  advanceTo(now: bigint): EndedRound[] {
    const before = this.ended.length;
    while (this.openedAt < this.deadlineAt) {
      const endsAt =
        this.proposedAt === undefined ? this.openedAt + this.timeout : this.proposedAt + this.window;
      if (now < endsAt) break;
      this.ended.push({
        round: this.round,
        outcome: this.proposedAt === undefined ? "Skipped" : "Lapsed",
        endsAt,
      });
      this.round += 1;
      this.openedAt = endsAt;
      this.proposedAt = undefined;
    }
    return this.ended.slice(before);
  }

  /** Whether a round is open (it opened before the deadline). */
  get open(): boolean {
    return this.openedAt < this.deadlineAt;
  }

  /** A proposal arrives at `now` (after `advanceTo(now)`). */
  propose(now: bigint): void {
    this.proposedAt = now;
  }

  /** The current round is rejected at `now`: the next opens at once. */
  reject(now: bigint): void {
    this.ended.push({ round: this.round, outcome: "Rejected", endsAt: now });
    this.round += 1;
    this.openedAt = now;
    this.proposedAt = undefined;
  }
}

/**
 * Committee positions that lose `attesterPenalty` when a round ends (the proposer never: it is scored):
 * at finality those who rejected or did not vote; at rejection those who accepted or did not vote; at a
 * lapse those who did not vote; at a skip nobody.
 */
export function penalisedPositions(
  k: number,
  proposer: number,
  accepted: Set<number>,
  rejected: Set<number>,
  outcome: Outcome | "Final",
): number[] {
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    if (i === proposer || outcome === "Skipped") continue;
    const voted = accepted.has(i) || rejected.has(i);
    if (outcome === "Final" && !accepted.has(i)) out.push(i);
    if (outcome === "Rejected" && !rejected.has(i)) out.push(i);
    if (outcome === "Lapsed" && !voted) out.push(i);
  }
  return out;
}

/** What finality gives the proposer, per SPEC §6.4 and §6.5 (real numbers in score points and TRC). */
export interface FinalityReference {
  tv: Dec;
  newScore: Dec;
  /** λ_b in TRC base units, rounded down as the SPEC says. */
  feePayout: bigint;
  /** `R_b + ω_b + tv_b` in TRC. */
  rewardMint: Dec;
}

/**
 * Algorithm 4 on the proposer (β from its join time `joinedAt` to `now` in `timeUnit` seconds; TC = θ /
 * coinUnit; TT = buyers; acceptors' scores) and Algorithm 3 from the slot aggregates (`feeScoreWad` =
 * Σ tf·ts, θ = buyer cost) with block reward `R_b`. All money in TRC base units, scores in wad.
 */
export function finalityReference(args: {
  prevScore: bigint;
  proposedBlocks: bigint;
  joinedAt: bigint;
  now: bigint;
  timeUnit: bigint;
  coinUnit: bigint;
  theta: bigint;
  buyers: bigint;
  acceptorScores: bigint[];
  feeScoreWad: bigint;
  blockReward: bigint;
}): FinalityReference {
  const beta = int(args.now - args.joinedAt).div(int(args.timeUnit));
  const coins = int(args.theta).div(int(args.coinUnit));
  const { tv, newScore } = validatorScoreReal(
    fromWad(args.prevScore),
    int(args.proposedBlocks),
    beta,
    coins,
    int(args.buyers),
    args.acceptorScores.map(fromWad),
  );
  const theta = fromWad(args.theta);
  const omega = new D(1).div(new D(1).plus(theta.mul(-0.5).exp()));
  return {
    tv,
    newScore,
    feePayout: args.feeScoreWad / (15n * 10n ** 18n),
    rewardMint: fromWad(args.blockReward).plus(omega).plus(tv),
  };
}
