// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICommittees} from "../interfaces/ICommittees.sol";

/// @title MockBlocksCommittees
/// @notice Test double of the committees for TradeBlocks tests: the tests set each epoch's order directly;
/// epochs are `epochSlots` slots long; the proposer formula is the one of `ICommittees.proposerOf`.
contract MockBlocksCommittees is ICommittees {
    /// @notice A call the double does not model.
    error NotInMock();

    /// @notice Slots per epoch.
    uint64 public epochSlots = 10;
    /// @notice How many times `ensureCommittee` was called.
    uint256 public ensureCalls;
    /// @notice Epochs reported as having no usable committee whatever their order.
    mapping(uint64 epoch => bool) public unusable;

    mapping(uint64 epoch => address[] order) private _orders;

    /// @notice Sets the shuffled order of `epoch`'s committee (empty: none).
    function setOrder(uint64 epoch, address[] calldata order) external {
        _orders[epoch] = order;
    }

    /// @notice Makes `hasCommittee(epoch)` report `value == false` regardless of the order.
    function setUnusable(uint64 epoch, bool value) external {
        unusable[epoch] = value;
    }

    /// @inheritdoc ICommittees
    function epochOf(uint64 slot) public view returns (uint64) {
        return slot / epochSlots;
    }

    /// @inheritdoc ICommittees
    function selectNextCommittee() external view returns (uint64 epoch) {
        return epochOf(uint64(block.timestamp)) + 1;
    }

    /// @inheritdoc ICommittees
    function ensureCommittee(uint64 epoch) external returns (address[] memory order) {
        ++ensureCalls;
        return _orders[epoch];
    }

    /// @inheritdoc ICommittees
    function committeeOf(uint64 epoch) external view returns (address[] memory order) {
        return _orders[epoch];
    }

    /// @inheritdoc ICommittees
    function hasCommittee(uint64 epoch) external view returns (bool) {
        return _orders[epoch].length != 0 && !unusable[epoch];
    }

    /// @inheritdoc ICommittees
    function isMember(uint64 epoch, address account) external view returns (bool) {
        address[] storage order = _orders[epoch];
        for (uint256 i; i < order.length; ++i) if (order[i] == account) return true;
        return false;
    }

    /// @inheritdoc ICommittees
    function shuffle(uint64 epoch) external view returns (address[] memory order) {
        return _orders[epoch];
    }

    /// @notice Not modelled: reverts.
    function setCommitteeSize(uint256) external pure {
        revert NotInMock();
    }

    /// @notice Not modelled: reverts.
    function setMinCommittee(uint256) external pure {
        revert NotInMock();
    }

    /// @inheritdoc ICommittees
    function membersOf(uint64 epoch) external view returns (address[] memory members) {
        return _orders[epoch];
    }

    /// @inheritdoc ICommittees
    /// @dev An epoch without an order, or marked unusable, reads as selected with no committee formed.
    function committeeInfo(uint64 epoch) external view returns (CommitteeInfo memory info) {
        uint256 k = unusable[epoch] ? 0 : _orders[epoch].length;
        info = CommitteeInfo({selected: true, shuffled: k != 0, memberCount: uint8(k), seedBlock: 0});
    }

    /// @inheritdoc ICommittees
    function selectionSlot(uint64 epoch) external view returns (uint256) {
        return uint256(epoch) * epochSlots;
    }

    /// @inheritdoc ICommittees
    function committeeSize() external pure returns (uint256) {
        return 64;
    }

    /// @inheritdoc ICommittees
    function minCommittee() external pure returns (uint256) {
        return 4;
    }

    /// @inheritdoc ICommittees
    function seedBlockDelay() external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc ICommittees
    function proposerOf(uint32 microgrid, uint64 slot, uint256 round) external view returns (address) {
        address[] storage order = _orders[epochOf(slot)];
        if (order.length == 0) return address(0);
        return order[(uint256(slot) + microgrid + round) % order.length];
    }
}
