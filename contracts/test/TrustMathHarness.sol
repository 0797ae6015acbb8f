// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TrustMath} from "../trust/TrustMath.sol";

/// @title TrustMathHarness
/// @notice Exposes the internal functions of {TrustMath} to tests, singly and in batches.
contract TrustMathHarness {
    /// @notice {TrustMath-sigmoid}.
    /// @param xWad The argument in wad.
    function sigmoid(uint256 xWad) external pure returns (uint256) {
        return TrustMath.sigmoid(xWad);
    }

    /// @notice {TrustMath-sigmoid} of each element.
    /// @param xsWad The arguments in wad.
    function sigmoidBatch(uint256[] calldata xsWad) external pure returns (uint256[] memory results) {
        results = new uint256[](xsWad.length);
        for (uint256 i; i < xsWad.length; ++i) results[i] = TrustMath.sigmoid(xsWad[i]);
    }

    /// @notice {TrustMath-weightedMean}.
    /// @param prevWad The previous mean.
    /// @param weight Its weight.
    /// @param valueWad The new value.
    function weightedMean(uint256 prevWad, uint256 weight, uint256 valueWad) external pure returns (uint256) {
        return TrustMath.weightedMean(prevWad, weight, valueWad);
    }

    /// @notice {TrustMath-nextTraderScore}.
    /// @param prevScore PTS.
    /// @param prevTrades n.
    /// @param alphaWad α.
    /// @param betaWad β.
    /// @param gammaWad γ.
    function nextTraderScore(
        uint256 prevScore,
        uint256 prevTrades,
        uint256 alphaWad,
        uint256 betaWad,
        uint256 gammaWad
    ) external pure returns (uint256) {
        return TrustMath.nextTraderScore(prevScore, prevTrades, alphaWad, betaWad, gammaWad);
    }

    /// @notice {TrustMath-nextPlatformScore}.
    /// @param prevScore PTSP.
    /// @param feedbacks FN.
    /// @param deltaWad δ.
    /// @param epsilonWad ε.
    function nextPlatformScore(
        uint256 prevScore,
        uint256 feedbacks,
        uint256 deltaWad,
        uint256 epsilonWad
    ) external pure returns (uint256) {
        return TrustMath.nextPlatformScore(prevScore, feedbacks, deltaWad, epsilonWad);
    }

    /// @notice {TrustMath-nextValidatorScore}.
    /// @param prevScore PTS_v.
    /// @param proposedBlocks |PB_v|.
    /// @param betaWad β_v.
    /// @param coinsWad TC_b.
    /// @param txCount TT.
    /// @param otherScoresSum Σ score_i.
    /// @param otherCount |V'|.
    function nextValidatorScore(
        uint256 prevScore,
        uint256 proposedBlocks,
        uint256 betaWad,
        uint256 coinsWad,
        uint256 txCount,
        uint256 otherScoresSum,
        uint256 otherCount
    ) external pure returns (uint256 tv, uint256 newScore) {
        return
            TrustMath.nextValidatorScore(
                prevScore,
                proposedBlocks,
                betaWad,
                coinsWad,
                txCount,
                otherScoresSum,
                otherCount
            );
    }

    /// @notice {TrustMath-feePayout}.
    /// @param feeScoreSum Σ tf · ts.
    function feePayout(uint256 feeScoreSum) external pure returns (uint256) {
        return TrustMath.feePayout(feeScoreSum);
    }

    /// @notice {TrustMath-omega}.
    /// @param theta θ in TRC base units.
    function omega(uint256 theta) external pure returns (uint256) {
        return TrustMath.omega(theta);
    }

    /// @notice {TrustMath-rewardMint}.
    /// @param blockReward R_b.
    /// @param theta θ.
    /// @param tv tv_b.
    function rewardMint(uint256 blockReward, uint256 theta, uint256 tv) external pure returns (uint256) {
        return TrustMath.rewardMint(blockReward, theta, tv);
    }

    /// @notice {TrustMath-wadRatioSaturating}.
    /// @param amount The numerator.
    /// @param unit The unit (> 0).
    function wadRatioSaturating(uint256 amount, uint256 unit) external pure returns (uint256) {
        return TrustMath.wadRatioSaturating(amount, unit);
    }
}
