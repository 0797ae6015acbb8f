// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MockTrustOracle
/// @notice Test stand-in for the trust-score oracle's three reads the market uses (`trpLevelOf`,
/// `traderScore`, `accessFraction`), with levels and scores set directly. Not part of the deployed suite.
contract MockTrustOracle {
    mapping(address trader => uint8) private _levels;
    mapping(address trader => uint256) private _scores;
    uint256[4] private _access = [uint256(0.5e18), 0.75e18, 0.9e18, 1e18];

    /// @notice Sets `trader`'s TRP level and score.
    function setTrader(address trader, uint8 level, uint256 scoreWad) external {
        _levels[trader] = level;
        _scores[trader] = scoreWad;
    }

    /// @notice Sets the access fractions of levels 1..4 (wad).
    function setAccessFractions(uint256[4] calldata fractions) external {
        _access = fractions;
    }

    /// @notice The TRP level set for `trader` (1 if none was set).
    function trpLevelOf(address trader) external view returns (uint8) {
        uint8 level = _levels[trader];
        return level == 0 ? 1 : level;
    }

    /// @notice The score set for `trader`.
    function traderScore(address trader) external view returns (uint256) {
        return _scores[trader];
    }

    /// @notice The access fraction of `level` (1..4).
    function accessFraction(uint8 level) external view returns (uint256) {
        return _access[level - 1];
    }
}
