// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TickBitmap} from "../market/TickBitmap.sol";

/// @title TickBitmapHarness
/// @notice Test harness of the `TickBitmap` library: one bitmap, unrestricted calls. Not deployed.
contract TickBitmapHarness {
    using TickBitmap for TickBitmap.Bitmap;

    TickBitmap.Bitmap private _bitmap;

    /// @notice Adds `tick` (at most 65535) to the set.
    function set(uint256 tick) external {
        _bitmap.set(tick);
    }

    /// @notice Removes `tick` (at most 65535) from the set.
    function unset(uint256 tick) external {
        _bitmap.unset(tick);
    }

    /// @notice Applies `ticks[i]` as a set (if `adds[i]`) or an unset, in order.
    function applyOps(uint256[] calldata ticks, bool[] calldata adds) external {
        for (uint256 i = 0; i < ticks.length; ++i) {
            if (adds[i]) _bitmap.set(ticks[i]);
            else _bitmap.unset(ticks[i]);
        }
    }

    /// @notice The smallest tick in the set at or above `from`, or 65536.
    function nextAtOrAfter(uint256 from) external view returns (uint256) {
        return _bitmap.nextAtOrAfter(from);
    }

    /// @notice `nextAtOrAfter` of each of `froms`.
    function nextAtOrAfterMany(uint256[] calldata froms) external view returns (uint256[] memory ticks) {
        ticks = new uint256[](froms.length);
        for (uint256 i = 0; i < froms.length; ++i) ticks[i] = _bitmap.nextAtOrAfter(froms[i]);
    }

    /// @notice The largest tick in the set, or 65536.
    function last() external view returns (uint256) {
        return _bitmap.last();
    }

    /// @notice The root word (bit i: leaf i not empty).
    function root() external view returns (uint256) {
        return _bitmap.root;
    }
}
