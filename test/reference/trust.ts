/**
 * Independent high-precision reference of the trust scores of SPEC §5 and §6.4–6.5 (thesis Algorithms
 * 1–4), written from SPEC.md in exact real arithmetic (decimal.js, 60 significant digits): no rounding
 * to wad, no clamping. Inputs are the on-chain integers (wad or base units, as bigint); outputs are real
 * numbers in the unit the SPEC states (score points, TRC), so a contract result `r` (wad) compares as
 * `r / 1e18`.
 */
import Decimal from "decimal.js";

/** decimal.js with 60 significant digits; exp underflows to 0 far below any wad resolution. */
export const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
export type Dec = InstanceType<typeof D>;

const WAD = new D("1e18");

/** A wad integer (or base units of an 18-decimal coin) as the real number it stands for. */
export function fromWad(value: bigint): Dec {
  return new D(value.toString()).div(WAD);
}

/** A plain integer as a Decimal. */
export function int(value: bigint | number): Dec {
  return new D(value.toString());
}

/** SPEC §5: `S(x) = 5 / (1 + e^(−0.5·x))`, x ≥ 0 real. */
export function S(x: Dec): Dec {
  return new D(5).div(new D(1).plus(x.mul(-0.5).exp()));
}

/** `S` of a wad argument. */
export function sigmoidOfWad(xWad: bigint): Dec {
  return S(fromWad(xWad));
}

/** SPEC §5.2, Algorithm 1 on real numbers: `NTS = (n·PTS + α + S(β) + S(γ)) / (n + 1)`. */
export function traderScoreReal(prevScore: Dec, prevTrades: Dec, alpha: Dec, beta: Dec, gamma: Dec): Dec {
  const temp = alpha.plus(S(beta)).plus(S(gamma));
  return prevTrades.mul(prevScore).plus(temp).div(prevTrades.plus(1));
}

/**
 * SPEC §5.2, Algorithm 1 on the integers of §5.5: `temp = α + S(β) + S(γ)`, `NTS = (n·PTS + temp) / (n + 1)`.
 * @param prevScoreWad PTS (wad) @param prevTrades n @param alphaWad α (wad) @param betaWad β (wad)
 * @param gammaWad γ (wad)
 */
export function traderScore(
  prevScoreWad: bigint,
  prevTrades: bigint,
  alphaWad: bigint,
  betaWad: bigint,
  gammaWad: bigint,
): Dec {
  return traderScoreReal(
    fromWad(prevScoreWad),
    int(prevTrades),
    fromWad(alphaWad),
    fromWad(betaWad),
    fromWad(gammaWad),
  );
}

/** SPEC §5.3, Algorithm 2 on real numbers: `NTSP = (FN·PTSP + (δ + ε)/2) / (FN + 1)`. */
export function platformScoreReal(prevScore: Dec, feedbacks: Dec, delta: Dec, epsilon: Dec): Dec {
  const temp = delta.plus(epsilon).div(2);
  return feedbacks.mul(prevScore).plus(temp).div(feedbacks.plus(1));
}

/** SPEC §5.3, Algorithm 2 on the integers of §5.5. */
export function platformScore(
  prevScoreWad: bigint,
  feedbacks: bigint,
  deltaWad: bigint,
  epsilonWad: bigint,
): Dec {
  return platformScoreReal(fromWad(prevScoreWad), int(feedbacks), fromWad(deltaWad), fromWad(epsilonWad));
}

/**
 * SPEC §6.4, Algorithm 4 on real numbers: `avgTrust = (S(β_v) + S(TC_b) + S(TT)) / 3`,
 * `tv = (1/|V'|) · Σ avgTrust · score_i / 5`, `NTS_v = (PTS_v·|PB_v| + tv) / (|PB_v| + 1)`.
 */
export function validatorScoreReal(
  prevScore: Dec,
  proposedBlocks: Dec,
  beta: Dec,
  coins: Dec,
  txCount: Dec,
  otherScores: Dec[],
): { tv: Dec; newScore: Dec } {
  const avgTrust = S(beta).plus(S(coins)).plus(S(txCount)).div(3);
  let sum = new D(0);
  for (const score of otherScores) sum = sum.plus(avgTrust.mul(score).div(5));
  const tv = sum.div(otherScores.length);
  const newScore = prevScore.mul(proposedBlocks).plus(tv).div(proposedBlocks.plus(1));
  return { tv, newScore };
}

/**
 * SPEC §6.4, Algorithm 4 on the integers of §5.5. `coinsWad` is TC_b already divided by coinUnit;
 * `txCount` is TT as a plain count.
 */
export function validatorScore(
  prevScoreWad: bigint,
  proposedBlocks: bigint,
  betaWad: bigint,
  coinsWad: bigint,
  txCount: bigint,
  otherScoresWad: bigint[],
): { tv: Dec; newScore: Dec } {
  return validatorScoreReal(
    fromWad(prevScoreWad),
    int(proposedBlocks),
    fromWad(betaWad),
    fromWad(coinsWad),
    int(txCount),
    otherScoresWad.map(fromWad),
  );
}

/**
 * SPEC §6.5, Algorithm 3, in TRC: `λ_b = Σ tf_i · ts_i / 15`, `θ_b = Σ mt_i`, `ω_b = 1 / (1 + e^(−θ_b/2))`,
 * `ρ_b = R_b + λ_b + ω_b + tv_b`. Fees, amounts and `R_b` are TRC base units; scores and `tv` wad.
 */
export function blockReward(
  feesBase: bigint[],
  buyerScoresWad: bigint[],
  amountsBase: bigint[],
  tvWad: bigint,
  blockRewardBase: bigint,
): { lambda: Dec; theta: Dec; omega: Dec; rho: Dec } {
  let lambda = new D(0);
  let theta = new D(0);
  for (let i = 0; i < feesBase.length; i++) {
    lambda = lambda.plus(fromWad(feesBase[i]).mul(fromWad(buyerScoresWad[i])).div(15));
    theta = theta.plus(fromWad(amountsBase[i]));
  }
  const omega = new D(1).div(new D(1).plus(theta.mul(-0.5).exp()));
  const rho = fromWad(blockRewardBase).plus(lambda).plus(omega).plus(fromWad(tvWad));
  return { lambda, theta, omega, rho };
}

/** SPEC §5.4: `< t1 → 1`, `< t2 → 2`, `< t3 → 3`, else 4. */
export function trpLevel(score: Dec, thresholds: [Dec, Dec, Dec]): number {
  if (score.lt(thresholds[0])) return 1;
  if (score.lt(thresholds[1])) return 2;
  if (score.lt(thresholds[2])) return 3;
  return 4;
}

/** SPEC §5.2: β = (start(s) + slotLength − RT_u) / timeUnit, in time units (real). */
export function traderBeta(slotEndSeconds: bigint, registeredAt: bigint, timeUnitSeconds: bigint): Dec {
  return int(slotEndSeconds - registeredAt).div(int(timeUnitSeconds));
}

/** SPEC §5.2: γ = coinsTraded / coinUnit (real). */
export function traderGamma(coinsTradedBase: bigint, coinUnitBase: bigint): Dec {
  return int(coinsTradedBase).div(int(coinUnitBase));
}

/** A real number `x ≥ 0` as the nearest lower wad integer (for feeding reference results back as inputs). */
export function toWadFloor(x: Dec): bigint {
  return BigInt(x.mul(WAD).floor().toFixed(0));
}

/**
 * The comparison of the property tests: relative error ≤ 1e-12 where the reference is ≥ 1e-6, absolute
 * error ≤ 1e-15 below. `actual` is the contract's integer in 1e18 units of the reference's unit.
 */
export function closeTo(actual: bigint, reference: Dec): { ok: boolean; error: string } {
  const value = fromWad(actual);
  const absolute = value.minus(reference).abs();
  if (reference.abs().gte("1e-6")) {
    const relative = absolute.div(reference.abs());
    return { ok: relative.lte("1e-12"), error: `relative ${relative.toExponential(3)}` };
  }
  return { ok: absolute.lte("1e-15"), error: `absolute ${absolute.toExponential(3)}` };
}
