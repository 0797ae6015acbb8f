// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {Roles} from "../access/Roles.sol";
import {ITrustCoin} from "../interfaces/ITrustCoin.sol";

/// @title MockBlocksSettlement
/// @notice Test double of the settlement for TradeBlocks tests: holds a microgrid-slot's fee aggregate in
/// real coins (funded by the tests); `payBlockFees` (CONSENSUS_ROLE, once per microgrid-slot) pays
/// min(feePayout, fees) to the proposer and burns the rest into the reward budget (BURNER_ROLE), as the
/// market's `disburse` does, and records the call.
contract MockBlocksSettlement is AccessControl {
    /// @notice A recorded payBlockFees call.
    struct FeeCall {
        uint256 calls;
        address proposer;
        uint256 feePayout;
        uint256 paid;
        uint256 burned;
    }

    /// @notice payBlockFees paid `paid` to `proposer` and burned `burned`.
    event BlockFeesPaid(
        uint32 indexed microgrid,
        uint64 indexed slot,
        address proposer,
        uint256 paid,
        uint256 burned
    );

    /// @notice payBlockFees was called twice for (`microgrid`, `slot`).
    error FeesAlreadyPaid(uint32 microgrid, uint64 slot);

    /// @notice A coin transfer returned false.
    error TransferFailed();

    /// @notice The coin.
    ITrustCoin public immutable COIN;

    mapping(uint32 microgrid => mapping(uint64 slot => uint256)) private _fees;
    mapping(uint32 microgrid => mapping(uint64 slot => FeeCall)) private _calls;

    /// @notice Grants `admin` the DEFAULT_ADMIN_ROLE.
    constructor(address admin, ITrustCoin coin) {
        COIN = coin;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Pulls `amount` coins from the caller as the fee aggregate of (`microgrid`, `slot`).
    function fundFees(uint32 microgrid, uint64 slot, uint256 amount) external {
        _fees[microgrid][slot] += amount;
        if (!COIN.transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
    }

    /// @notice Pays min(`feePayout`, fees) to `proposer` and burns the rest (CONSENSUS_ROLE; once).
    function payBlockFees(
        uint32 microgrid,
        uint64 slot,
        address proposer,
        uint256 feePayout
    ) external onlyRole(Roles.CONSENSUS_ROLE) returns (uint256 paid) {
        FeeCall storage record = _calls[microgrid][slot];
        if (record.calls != 0) revert FeesAlreadyPaid(microgrid, slot);
        uint256 fees = _fees[microgrid][slot];
        paid = proposer == address(0) ? 0 : (feePayout < fees ? feePayout : fees);
        uint256 burned = fees - paid;
        _fees[microgrid][slot] = 0;
        _calls[microgrid][slot] = FeeCall(1, proposer, feePayout, paid, burned);
        if (paid != 0 && !COIN.transfer(proposer, paid)) revert TransferFailed();
        if (burned != 0) COIN.burnToBudget(burned);
        emit BlockFeesPaid(microgrid, slot, proposer, paid, burned);
    }

    /// @notice The recorded payBlockFees call of (`microgrid`, `slot`).
    function feeCallOf(uint32 microgrid, uint64 slot) external view returns (FeeCall memory) {
        return _calls[microgrid][slot];
    }

    /// @notice The fees held for (`microgrid`, `slot`).
    function feesOf(uint32 microgrid, uint64 slot) external view returns (uint256) {
        return _fees[microgrid][slot];
    }
}
