// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LibBit} from "solady/src/utils/LibBit.sol";

/// @title TickBitmap
/// @notice A two-level bitmap of the ticks 0..65535: 256 leaf words of 256 bits and one root word whose
/// bit `i` says that leaf `i` is not empty. Setting, clearing and finding the next or the last set tick
/// read or write at most two leaf words and the root, whatever the number of set ticks.
library TickBitmap {
    /// @notice The ticks a bitmap can hold are `0..MAX_TICK`.
    uint256 internal constant MAX_TICK = 65_535;
    /// @notice Returned by the searches when no tick is found; larger than every tick.
    uint256 internal constant NONE = 65_536;

    /// @notice Bit `i` of `root` is set iff `leaves[i] != 0`; bit `j` of `leaves[i]` is set iff tick
    /// `256 * i + j` is in the set.
    struct Bitmap {
        uint256 root;
        mapping(uint256 leafIndex => uint256) leaves;
    }

    /// @notice Adds `tick` (at most `MAX_TICK`, checked by the caller) to the set.
    function set(Bitmap storage bitmap, uint256 tick) internal {
        uint256 leafIndex = tick >> 8;
        uint256 leaf = bitmap.leaves[leafIndex];
        if (leaf == 0) bitmap.root |= 1 << leafIndex;
        bitmap.leaves[leafIndex] = leaf | (1 << (tick & 0xff));
    }

    /// @notice Removes `tick` (at most `MAX_TICK`, checked by the caller) from the set.
    function unset(Bitmap storage bitmap, uint256 tick) internal {
        uint256 leafIndex = tick >> 8;
        uint256 leaf = bitmap.leaves[leafIndex] & ~(1 << (tick & 0xff));
        bitmap.leaves[leafIndex] = leaf;
        if (leaf == 0) bitmap.root &= ~(1 << leafIndex);
    }

    /// @notice The smallest tick of the set that is at least `from`, or `NONE`. `from` may be any value;
    /// from `NONE` up the answer is `NONE`.
    function nextAtOrAfter(Bitmap storage bitmap, uint256 from) internal view returns (uint256 tick) {
        if (from > MAX_TICK) return NONE;
        uint256 leafIndex = from >> 8;
        // Bits of the leaf at or above `from`, shifted down so that bit 0 is `from` (shift < 256).
        uint256 word = bitmap.leaves[leafIndex] >> (from & 0xff);
        if (word != 0) return from + LibBit.ffs(word);
        // Non-empty leaves above `leafIndex`: shifting by `leafIndex + 1` (at most 256) gives 0 at the top.
        uint256 higher = (bitmap.root >> leafIndex) >> 1;
        if (higher == 0) return NONE;
        leafIndex += 1 + LibBit.ffs(higher);
        return (leafIndex << 8) | LibBit.ffs(bitmap.leaves[leafIndex]);
    }

    /// @notice The largest tick of the set, or `NONE` if the set is empty.
    function last(Bitmap storage bitmap) internal view returns (uint256 tick) {
        uint256 root = bitmap.root;
        if (root == 0) return NONE;
        uint256 leafIndex = LibBit.fls(root);
        return (leafIndex << 8) | LibBit.fls(bitmap.leaves[leafIndex]);
    }
}
