// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

/// @title TrustMath
/// @notice Fixed-point arithmetic of the trust scores (SPEC §5, §6.4, §6.5): the sigmoid `S`, the
/// weighted-mean updates of Algorithms 1, 2 and 4, and the block reward of Algorithm 3.
/// @dev Every quantity is an unsigned 18-decimal fixed-point number ("wad") unless its name says
/// otherwise. Every division rounds down (floor); each function says where it divides, and `sigmoid`
/// carries the few-wei error of Solady's `expWad` (see there). The functions
/// do not check their domains (the oracle does, with custom errors); each states the domain in which it
/// is exact and cannot overflow.
library TrustMath {
    /// @dev One in wad.
    uint256 internal constant WAD = 1e18;
    /// @dev The supremum of `S`: 5 in wad.
    uint256 internal constant SIGMOID_MAX = 5e18;
    /// @dev The highest trader score, 15 in wad (α ≤ 5 plus two sigmoids ≤ 5).
    uint256 internal constant MAX_TRADER_SCORE = 15e18;
    /// @dev The highest validator and platform score, 5 in wad.
    uint256 internal constant MAX_VALIDATOR_SCORE = 5e18;
    /// @dev Clamp point of `S`: from `xWad = 2 · 41 446 531 673 892 822 313` (x ≈ 82.893) on, Solady's
    /// `expWad(-x/2)` is below one wei (e^(−x/2) ≤ 1e-18) and returns 0, so `S` is 5e18 at wad resolution:
    /// the exact value `5 / (1 + e^(−x/2))` lies within 5 wei (relative 1e-18) of 5e18. Clamping here also
    /// keeps `-int256(xWad / 2)` far inside `int256` for every `uint256` input.
    uint256 internal constant SIGMOID_CLAMP_X = 82_893_063_347_785_644_626;

    /// @notice `S(x) = 5 / (1 + e^(−x/2))` in wad, for every `xWad` (x ≥ 0).
    /// @dev Input range: any `uint256`; from `SIGMOID_CLAMP_X` on the result is exactly 5e18. Below it,
    /// `e = expWad(−⌊x/2⌋)` lies in [0, 1e18] and the result is `⌊5e36 / (1e18 + e)⌋` ∈ [2.5e18, 5e18].
    /// Rounding: one floor division; `expWad` is itself an approximation off by a few wei, so the result
    /// lies within 6 wei of the exact S(x) (measured: from 1.5 wei below to 5 wei above; relative error
    /// below 3e-18), on either side. Monotone non-decreasing in `xWad`, as `expWad` is monotone.
    function sigmoid(uint256 xWad) internal pure returns (uint256) {
        if (xWad < SIGMOID_CLAMP_X) {
            // Unchecked is safe (and saves about 250 gas): xWad < 8.3e19, so xWad / 2 < 4.2e19 fits int256
            // and its negation cannot overflow; −(xWad / 2) ≤ 0 lies in expWad's domain (no ExpOverflow) and
            // the result lies in [0, 1e18], so the conversion to uint256 is exact, `WAD + expNegHalfX`
            // ≤ 2e18 cannot overflow and the divisor is at least 1e18 (never zero).
            unchecked {
                uint256 expNegHalfX = uint256(FixedPointMathLib.expWad(-int256(xWad >> 1)));
                return (SIGMOID_MAX * WAD) / (WAD + expNegHalfX);
            }
        }
        return SIGMOID_MAX;
    }

    /// @notice `⌊(prevWad · weight + valueWad) / (weight + 1)⌋`: the mean of `weight` copies of `prevWad`
    /// and one `valueWad` — the update of Algorithms 1, 2 and 4.
    /// @dev Cannot overflow for `prevWad, valueWad < 2^128` and `weight < 2^64` (the product stays below
    /// 2^192). One floor division: the result is below the exact mean by less than 1 wei.
    function weightedMean(uint256 prevWad, uint256 weight, uint256 valueWad) internal pure returns (uint256) {
        return (prevWad * weight + valueWad) / (weight + 1);
    }

    /// @notice Algorithm 1: the trader score after one more trade, `NTS = (n·PTS + α + S(β) + S(γ)) / (n + 1)`.
    /// @param prevScore `PTS` in wad, on [0, 15e18].
    /// @param prevTrades `n`, the number of trades scored before (including the newcomer prior), < 2^64.
    /// @param alphaWad the meter rating α in wad, one of 1e18, ..., 5e18.
    /// @param betaWad β = trader age at the trade's slot end in time units, wad; any `uint256`.
    /// @param gammaWad γ = value of earlier trades in coin units, wad; any `uint256`.
    /// @dev `temp = α + S(β) + S(γ)` is on [6e18, 15e18], so the result stays on [min(PTS, 6e18), 15e18].
    /// Rounding: the two floors of `sigmoid` and the one of `weightedMean`.
    function nextTraderScore(
        uint256 prevScore,
        uint256 prevTrades,
        uint256 alphaWad,
        uint256 betaWad,
        uint256 gammaWad
    ) internal pure returns (uint256) {
        uint256 temp = alphaWad + sigmoid(betaWad) + sigmoid(gammaWad);
        return weightedMean(prevScore, prevTrades, temp);
    }

    /// @notice Algorithm 2: the platform score after one more feedback,
    /// `NTSP = (FN·PTSP + (δ + ε)/2) / (FN + 1)`.
    /// @param prevScore `PTSP` in wad, on [0, 5e18] (0 before the first feedback).
    /// @param feedbacks `FN`, the number of feedbacks so far, < 2^64.
    /// @param deltaWad δ in wad, one of 1e18, ..., 5e18.
    /// @param epsilonWad ε in wad, one of 1e18, ..., 5e18.
    /// @dev `(δ + ε)/2` is exact (a multiple of 0.5e18); the mean rounds down once.
    function nextPlatformScore(
        uint256 prevScore,
        uint256 feedbacks,
        uint256 deltaWad,
        uint256 epsilonWad
    ) internal pure returns (uint256) {
        return weightedMean(prevScore, feedbacks, (deltaWad + epsilonWad) / 2);
    }

    /// @notice Algorithm 4: a block's trust value
    /// `tv = (1/|V'|) · Σ avgTrust · score_i / 5` with `avgTrust = (S(β_v) + S(TC_b) + S(TT)) / 3`, and the
    /// proposer's new score `NTS_v = (PTS_v·|PB_v| + tv) / (|PB_v| + 1)`.
    /// @param prevScore PTS_v in wad, on [0, 5e18].
    /// @param proposedBlocks |PB_v| (the prior included), < 2^64.
    /// @param betaWad β_v = validator age in time units, wad; any `uint256`.
    /// @param coinsWad TC_b = θ_b / coinUnit, wad; any `uint256`.
    /// @param txCount TT = |TL_b|, a plain count < 2^64 (`S` takes `txCount · 1e18`).
    /// @param otherScoresSum Σ score_i over V' (each score on [0, 5e18]).
    /// @param otherCount |V'| ≥ 1.
    /// @dev With `T = (S(β)+S(TC)+S(TT)) · Σ score_i` and `D = 15e18 · |V'|` (so `tv = T / D` exactly):
    /// `tv = ⌊T / D⌋` and `newScore = ⌊(PTS·|PB| + tv) / (|PB| + 1)⌋`. Rounding `tv` first costs nothing:
    /// for integers `n`, `m` and real `t`, `⌊(n + ⌊t⌋) / m⌋ = ⌊(n + t) / m⌋`, so the new score is the single
    /// floor of the exact mean (given the sigmoids). Both results lie on [0, 5e18]. No overflow for
    /// `otherCount < 2^128` (T < 15e18 · 5e18 · otherCount) and the bounds of `weightedMean`.
    function nextValidatorScore(
        uint256 prevScore,
        uint256 proposedBlocks,
        uint256 betaWad,
        uint256 coinsWad,
        uint256 txCount,
        uint256 otherScoresSum,
        uint256 otherCount
    ) internal pure returns (uint256 tv, uint256 newScore) {
        uint256 sigmoidSum = sigmoid(betaWad) + sigmoid(coinsWad) + sigmoid(txCount * WAD);
        tv = (sigmoidSum * otherScoresSum) / (3 * SIGMOID_MAX * otherCount);
        newScore = weightedMean(prevScore, proposedBlocks, tv);
    }

    /// @notice Algorithm 3, `λ_b = Σ tf_i · ts_i / 15` in TRC base units from `feeScoreSum = Σ tf_i · ts_i`
    /// (fee base units times wad score).
    /// @dev `⌊feeScoreSum / 15e18⌋`: one floor division, any `uint256`.
    function feePayout(uint256 feeScoreSum) internal pure returns (uint256) {
        return feeScoreSum / MAX_TRADER_SCORE;
    }

    /// @notice Algorithm 3, `ω_b = 1 / (1 + e^(−θ/2))` TRC in base units, with θ in TRC base units read as a
    /// wad number of TRC: `ω_b = S(θ) / 5`.
    /// @dev `⌊sigmoid(theta) / 5⌋` ∈ [0.5e18, 1e18]; any `uint256` (clamped as `sigmoid`).
    function omega(uint256 theta) internal pure returns (uint256) {
        return sigmoid(theta) / 5;
    }

    /// @notice Algorithm 3, the part of `ρ_b = R_b + λ_b + ω_b + tv_b` minted from the budget:
    /// `R_b + ω_b + tv_b` in TRC base units (`tv` on [0, 5e18] read as TRC).
    /// @dev Rounds down only in `omega`; cannot overflow for `blockReward < 2^255`.
    function rewardMint(uint256 blockReward, uint256 theta, uint256 tv) internal pure returns (uint256) {
        return blockReward + omega(theta) + tv;
    }

    /// @notice `⌊amount · 1e18 / unit⌋`, saturating at `type(uint256).max` where the product overflows.
    /// @dev `unit > 0`. Saturation happens only for `amount > 1.15e59`; the result then stands in for a
    /// value of at least `1.15e77 / unit`, which for `unit ≤ 1e38` is far beyond `SIGMOID_CLAMP_X`, so
    /// `sigmoid` of the saturated value is exact.
    function wadRatioSaturating(uint256 amount, uint256 unit) internal pure returns (uint256) {
        if (amount > type(uint256).max / WAD) return type(uint256).max;
        return (amount * WAD) / unit;
    }
}
