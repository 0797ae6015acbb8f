// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SortedValidators} from "../consensus/SortedValidators.sol";

/// @title SortedValidatorsHarness
/// @notice Test harness exposing the {SortedValidators} storage library on one list.
contract SortedValidatorsHarness {
    using SortedValidators for SortedValidators.List;

    SortedValidators.List private _list;

    /// @notice Inserts `id` with `key` between the hints.
    function insert(address id, uint256 key, address prevHint, address nextHint) external {
        _list.insert(id, key, prevHint, nextHint);
    }

    /// @notice Removes `id`.
    function remove(address id) external {
        _list.remove(id);
    }

    /// @notice Moves `id` to `newKey` between the hints.
    function reposition(address id, uint256 newKey, address prevHint, address nextHint) external {
        _list.reposition(id, newKey, prevHint, nextHint);
    }

    /// @notice The hints of `(key, id)` in the list without `id`.
    function findPosition(address id, uint256 key) external view returns (address, address) {
        return _list.findPosition(id, key);
    }

    /// @notice Whether `(keyA, a)` ranks before `(keyB, b)`.
    function precedes(uint256 keyA, address a, uint256 keyB, address b) external pure returns (bool) {
        return SortedValidators.precedes(keyA, a, keyB, b);
    }

    /// @notice Whether `id` is listed.
    function contains(address id) external view returns (bool) {
        return _list.contains(id);
    }

    /// @notice The list's head, tail and size.
    function ends() external view returns (address head, address tail, uint256 size) {
        return (_list.head, _list.tail, _list.size);
    }

    /// @notice The entry of `id`.
    function node(address id) external view returns (SortedValidators.Node memory) {
        return _list.nodes[id];
    }

    /// @notice The whole list, head first (loops: tests only).
    function toArray() external view returns (address[] memory ids, uint256[] memory keys) {
        ids = new address[](_list.size);
        keys = new uint256[](_list.size);
        address cursor = _list.head;
        for (uint256 i; cursor != address(0); ++i) {
            ids[i] = cursor;
            keys[i] = _list.nodes[cursor].key;
            cursor = _list.nodes[cursor].next;
        }
    }
}
