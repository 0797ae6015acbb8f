// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITradeLedger} from "../interfaces/ITradeLedger.sol";

/// @title MockTradeLedger
/// @notice Test double of settlement's {ITradeLedger}: tests mark which participant-slots settled a trade.
contract MockTradeLedger is ITradeLedger {
    mapping(address participant => mapping(uint64 slot => bool)) private _settled;

    /// @notice Marks whether `participant` has a settled trade in `slot`.
    /// @param participant The participant.
    /// @param slot The slot.
    /// @param settled The answer {hasSettledTrade} gives from now on.
    function setSettledTrade(address participant, uint64 slot, bool settled) external {
        _settled[participant][slot] = settled;
    }

    /// @inheritdoc ITradeLedger
    function hasSettledTrade(address participant, uint64 slot) external view returns (bool) {
        return _settled[participant][slot];
    }
}
