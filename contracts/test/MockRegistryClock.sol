// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRegistry} from "../interfaces/IRegistry.sol";

/// @title MockRegistryClock
/// @notice Test double of the few {IRegistry} views the trust-score oracle reads: participant records
/// (set freely by tests) and the slot clock `slotEnd(s) = genesis + (s + 1) · slotLength`.
contract MockRegistryClock {
    /// @notice Unix time of the start of slot 0.
    uint64 public immutable GENESIS_TIME;
    /// @notice Length of a slot in seconds.
    uint64 public immutable SLOT_SECONDS;

    mapping(address account => IRegistry.Participant) private _participants;

    /// @notice Creates the mock clock.
    /// @param genesisTime Start of slot 0.
    /// @param slotSeconds Slot length in seconds.
    constructor(uint64 genesisTime, uint64 slotSeconds) {
        GENESIS_TIME = genesisTime;
        SLOT_SECONDS = slotSeconds;
    }

    /// @notice Registers (or overwrites) `account` as a prosumer registered at `registeredAt`.
    /// @param account The participant.
    /// @param registeredAt Its registration time `RT_u`.
    function setParticipant(address account, uint64 registeredAt) external {
        _participants[account] = IRegistry.Participant({
            kind: IRegistry.Kind.Prosumer,
            microgrid: 1,
            registeredAt: registeredAt,
            suspended: false,
            indebted: false
        });
    }

    /// @notice As {IRegistry-participant}.
    /// @param account The account.
    function participant(address account) external view returns (IRegistry.Participant memory) {
        return _participants[account];
    }

    /// @notice As {IRegistry-genesis}.
    function genesis() external view returns (uint64) {
        return GENESIS_TIME;
    }

    /// @notice As {IRegistry-slotLength}.
    function slotLength() external view returns (uint64) {
        return SLOT_SECONDS;
    }

    /// @notice As {IRegistry-slotEnd}.
    /// @param slot The slot.
    function slotEnd(uint64 slot) external view returns (uint64) {
        return GENESIS_TIME + (slot + 1) * SLOT_SECONDS;
    }
}
