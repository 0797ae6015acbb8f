// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICommittees
/// @notice Epochs and committees of the agreement layer (SPEC §6.2): epochs of `epochSlots` slots, each with a
/// committee of up to `committeeSize` validators in a shuffled order, selected from the middle slot of the
/// previous epoch on, with a shuffle seed unknown when the members are fixed.
interface ICommittees {
    /// @notice The epoch of `slot`.
    function epochOf(uint64 slot) external view returns (uint64);

    /// @notice Selects the committee of the epoch after the current one once its middle slot has come (and, if
    /// the current epoch has none yet, the current one); anyone; a no-op when done. Returns the next epoch.
    function selectNextCommittee() external returns (uint64 epoch);

    /// @notice Makes sure `epoch`'s committee is selected and shuffled so far as time allows, and returns its
    /// order (empty: no committee, e.g. fewer than `minCommittee` eligible validators). Anyone.
    function ensureCommittee(uint64 epoch) external returns (address[] memory order);

    /// @notice The shuffled order of `epoch`'s committee (empty while not selected and shuffled, or none).
    function committeeOf(uint64 epoch) external view returns (address[] memory order);

    /// @notice Whether `epoch` has a usable committee (selected, shuffled, at least `minCommittee` members).
    function hasCommittee(uint64 epoch) external view returns (bool);

    /// @notice Whether `account` is a member of `epoch`'s committee.
    function isMember(uint64 epoch, address account) external view returns (bool);

    /// @notice The proposer of round `round` of (`microgrid`, `slot`): `order[(slot + microgrid + round) mod k]`
    /// of the committee of `slot`'s epoch (zero address if it has none).
    function proposerOf(uint32 microgrid, uint64 slot, uint256 round) external view returns (address);
}
