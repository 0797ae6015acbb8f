// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title ReentrantAccount
/// @notice Test double of a hostile contract account (participant, grid account): it acts through
/// {execute} and, whenever anything calls it back (plain call, unknown function, ERC-1363 or ERC-777
/// receive hooks), it counts the callback and tries to re-enter the suite with a prepared call. The attack
/// tests show the count stays zero: the suite's only transfers are of a hook-less ERC-20.
contract ReentrantAccount {
    /// @notice Where a callback re-enters.
    address public reentryTarget;
    /// @notice The calldata of the re-entering call.
    bytes public reentryData;
    /// @notice How many times the account was called back.
    uint256 public hookCalls;
    /// @notice How many re-entering calls succeeded.
    uint256 public reentries;

    /// @notice {reenter} was called by someone other than the account itself.
    error OnlySelf();

    /// @notice The account was called back with `selector`; `reentered` tells whether its re-entry succeeded.
    event HookCalled(bytes4 selector, bool reentered);

    /// @notice Makes the account's own external call (approve, deposit, orders, withdrawals...).
    /// @param target The contract to call.
    /// @param data The calldata.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        return Address.functionCall(target, data);
    }

    /// @notice Sets the call a callback makes.
    /// @param target The contract to re-enter.
    /// @param data The calldata.
    function setReentry(address target, bytes calldata data) external {
        reentryTarget = target;
        reentryData = data;
    }

    /// @notice The re-entering call, made by the account itself from a callback.
    function reenter() external {
        if (msg.sender != address(this)) revert OnlySelf();
        Address.functionCall(reentryTarget, reentryData);
    }

    /// @notice ERC-1363 receive hook (never called by the suite's coin).
    function onTransferReceived(address, address, uint256, bytes calldata) external returns (bytes4) {
        _hook();
        return this.onTransferReceived.selector;
    }

    /// @notice ERC-777 receive hook (never called by the suite's coin).
    function tokensReceived(address, address, address, uint256, bytes calldata, bytes calldata) external {
        _hook();
    }

    /// @notice Plain ether transfers (the suite sends none).
    receive() external payable {
        _hook();
    }

    /// @notice Any other callback.
    fallback() external payable {
        _hook();
    }

    /// @notice Counts the callback and tries the prepared re-entry.
    function _hook() private {
        ++hookCalls;
        bool reentered;
        if (reentryTarget != address(0)) {
            try this.reenter() {
                reentered = true;
                ++reentries;
            } catch {
                reentered = false;
            }
        }
        emit HookCalled(msg.sig, reentered);
    }
}
