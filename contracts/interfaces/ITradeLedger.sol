// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITradeLedger
/// @notice What the trust-score oracle asks settlement before it takes a platform feedback (SPEC §5.3):
/// a participant may rate the platform once per settled slot in which it traded.
interface ITradeLedger {
    /// @notice Whether `participant` traded (had fills) in `slot` and that participant-slot has settled.
    function hasSettledTrade(address participant, uint64 slot) external view returns (bool);
}
