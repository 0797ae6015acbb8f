// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title SortedValidators
/// @notice A storage library: a doubly-linked list of addresses sorted by a `uint256` key (descending),
/// ties broken by the lower address first, with O(1) insertion at a position given by two hints, after
/// Liquity's SortedTroves. The hints are verified, never searched for: a call with wrong hints reverts
/// naming the hint at fault. Key zero marks an address that is not in the list, so keys are positive.
library SortedValidators {
    /// @notice An entry of the list: its neighbours and its key (zero: not in the list).
    struct Node {
        address prev;
        address next;
        uint256 key;
    }

    /// @notice The list: its ends, its length and its entries.
    struct List {
        address head;
        address tail;
        uint256 size;
        mapping(address id => Node node) nodes;
    }

    /// @notice The zero address cannot be an entry (it marks the ends of the list).
    error SortedValidatorsZeroId();
    /// @notice Key zero is reserved for "not in the list".
    error SortedValidatorsZeroKey(address id);
    /// @notice `id` is in the list already.
    error SortedValidatorsAlreadyListed(address id);
    /// @notice `id` is not in the list.
    error SortedValidatorsNotListed(address id);
    /// @notice `prevHint` is not in the list or does not rank before the entry being placed.
    error SortedValidatorsBadPrevHint(address prevHint);
    /// @notice `nextHint` is not in the list or does not rank after the entry being placed.
    error SortedValidatorsBadNextHint(address nextHint);
    /// @notice `prevHint` and `nextHint` are not neighbours (zero stands for the ends of the list).
    error SortedValidatorsHintsNotAdjacent(address prevHint, address nextHint);

    /// @notice Whether `(keyA, a)` ranks before `(keyB, b)`: a higher key, or an equal key and a lower address.
    function precedes(uint256 keyA, address a, uint256 keyB, address b) internal pure returns (bool) {
        return keyA > keyB || (keyA == keyB && a < b);
    }

    /// @notice Whether `id` is in the list.
    function contains(List storage list, address id) internal view returns (bool) {
        return list.nodes[id].key != 0;
    }

    /// @notice Inserts `id` with `key` between `prevHint` and `nextHint` (zero: the head or the tail). O(1).
    function insert(List storage list, address id, uint256 key, address prevHint, address nextHint) internal {
        if (id == address(0)) revert SortedValidatorsZeroId();
        if (key == 0) revert SortedValidatorsZeroKey(id);
        if (list.nodes[id].key != 0) revert SortedValidatorsAlreadyListed(id);
        _checkPosition(list, id, key, prevHint, nextHint);
        list.nodes[id] = Node({prev: prevHint, next: nextHint, key: key});
        if (prevHint == address(0)) list.head = id;
        else list.nodes[prevHint].next = id;
        if (nextHint == address(0)) list.tail = id;
        else list.nodes[nextHint].prev = id;
        // The list holds distinct non-zero addresses, so its size stays below 2^160.
        unchecked {
            ++list.size;
        }
    }

    /// @notice Removes `id` from the list. O(1).
    function remove(List storage list, address id) internal {
        Node storage node = list.nodes[id];
        if (node.key == 0) revert SortedValidatorsNotListed(id);
        address before = node.prev;
        address behind = node.next;
        if (before == address(0)) list.head = behind;
        else list.nodes[before].next = behind;
        if (behind == address(0)) list.tail = before;
        else list.nodes[behind].prev = before;
        delete list.nodes[id];
        // `id` was listed, so the size is at least 1.
        unchecked {
            --list.size;
        }
    }

    /// @notice Moves `id` to `newKey` between `prevHint` and `nextHint`, hints taken in the list without
    /// `id` (a hint naming `id` itself is bad). O(1).
    function reposition(
        List storage list,
        address id,
        uint256 newKey,
        address prevHint,
        address nextHint
    ) internal {
        remove(list, id);
        insert(list, id, newKey, prevHint, nextHint);
    }

    /// @notice The neighbours `id` with `key` would get, in the list without `id`. Walks from the head:
    /// O(size), for off-chain hint computation only.
    function findPosition(
        List storage list,
        address id,
        uint256 key
    ) internal view returns (address prevHint, address nextHint) {
        address cursor = list.head;
        while (cursor != address(0)) {
            Node storage node = list.nodes[cursor];
            if (cursor != id) {
                if (precedes(key, id, node.key, cursor)) return (prevHint, cursor);
                prevHint = cursor;
            }
            cursor = node.next;
        }
        return (prevHint, address(0));
    }

    /// @dev Reverts unless `prevHint` ranks before `(key, id)`, `nextHint` after it, and the two are
    /// neighbours (the ends count as the zero address).
    function _checkPosition(
        List storage list,
        address id,
        uint256 key,
        address prevHint,
        address nextHint
    ) private view {
        address afterPrev;
        if (prevHint == address(0)) {
            afterPrev = list.head;
        } else {
            Node storage before = list.nodes[prevHint];
            if (before.key == 0 || !precedes(before.key, prevHint, key, id)) {
                revert SortedValidatorsBadPrevHint(prevHint);
            }
            afterPrev = before.next;
        }
        if (nextHint != address(0)) {
            Node storage behind = list.nodes[nextHint];
            if (behind.key == 0 || !precedes(key, id, behind.key, nextHint)) {
                revert SortedValidatorsBadNextHint(nextHint);
            }
        }
        if (afterPrev != nextHint) revert SortedValidatorsHintsNotAdjacent(prevHint, nextHint);
    }
}
