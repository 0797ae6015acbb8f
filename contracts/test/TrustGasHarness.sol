// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITrustScoreOracle} from "../interfaces/ITrustScoreOracle.sol";
import {TrustMath} from "../trust/TrustMath.sol";

/// @title TrustGasHarness
/// @notice Gas benchmark of the trust-score oracle: measures execution gas with `gasleft()` around one
/// call, and drives many trades in one transaction. Holds TRADE_SCORER_ROLE on the oracle it measures.
contract TrustGasHarness {
    /// @notice The oracle measured.
    ITrustScoreOracle public immutable ORACLE;

    /// @notice Gas of the `recordTrade` calls of one {measureRecordTrades} transaction, in call order.
    event RecordTradeGasMeasured(address[] traders, uint256[] gasUsed);

    /// @notice Creates the harness for `oracle`.
    /// @param oracle The oracle measured.
    constructor(ITrustScoreOracle oracle) {
        ORACLE = oracle;
    }

    /// @notice Execution gas of `TrustMath.sigmoid(xWad)` (an internal call: no CALL overhead).
    /// @param xWad The argument.
    /// @return gasUsed Gas between the two `gasleft()` readings.
    /// @return result The sigmoid (returned so the call is not optimised away).
    function measureSigmoid(uint256 xWad) external view returns (uint256 gasUsed, uint256 result) {
        uint256 before = gasleft();
        result = TrustMath.sigmoid(xWad);
        gasUsed = before - gasleft();
    }

    /// @notice Execution gas of the external `ORACLE.sigmoid(xWad)` (a warm STATICCALL: the oracle is
    /// touched first), for comparison with {measureSigmoid}.
    /// @param xWad The argument.
    /// @return gasUsed Gas between the two `gasleft()` readings.
    function measureOracleSigmoid(uint256 xWad) external view returns (uint256 gasUsed) {
        ORACLE.sigmoid(0);
        uint256 before = gasleft();
        ORACLE.sigmoid(xWad);
        gasUsed = before - gasleft();
    }

    /// @notice Calls `recordTrade` for each of `traders` in turn and emits each call's execution gas,
    /// measured around the external call (so including the CALL itself; the first call of the
    /// transaction pays the cold access to the oracle account, its role slot and parameter slot).
    /// @param traders The traders, in call order (repeat one to measure a warm trader slot).
    /// @param slot The slot of every trade.
    /// @param alpha The meter rating of every trade.
    /// @param tradeValue The value of every trade.
    function measureRecordTrades(
        address[] calldata traders,
        uint64 slot,
        uint8 alpha,
        uint256 tradeValue
    ) external {
        uint256[] memory gasUsed = new uint256[](traders.length);
        for (uint256 i; i < traders.length; ++i) {
            uint256 before = gasleft();
            ORACLE.recordTrade(traders[i], slot, alpha, tradeValue);
            gasUsed[i] = before - gasleft();
        }
        emit RecordTradeGasMeasured(traders, gasUsed);
    }

    /// @notice Scores `count` trades of `trader` in `slot` with the same rating and value, in one
    /// transaction: how the benchmark reaches 10 000 earlier trades through the real code path.
    /// @param trader The trader.
    /// @param slot The slot of every trade.
    /// @param alpha The meter rating.
    /// @param tradeValue The value of each trade.
    /// @param count How many trades.
    function recordTrades(
        address trader,
        uint64 slot,
        uint8 alpha,
        uint256 tradeValue,
        uint256 count
    ) external {
        for (uint256 i; i < count; ++i) ORACLE.recordTrade(trader, slot, alpha, tradeValue);
    }
}
