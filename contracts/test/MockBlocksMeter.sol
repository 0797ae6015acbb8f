// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {Roles} from "../access/Roles.sol";
import {IMeterReadings} from "../interfaces/IMeterReadings.sol";

/// @title MockBlocksMeter
/// @notice Test double of the meter readings for TradeBlocks tests: the tests set each microgrid-slot's
/// digest, count and proposable time; `finalizeMeterData` (CONSENSUS_ROLE, once) records its call. It has
/// exactly the functions of `IMeterReadings` that TradeBlocks calls.
contract MockBlocksMeter is AccessControl {
    /// @notice A finalizeMeterData call was recorded.
    event MeterDataFinalized(uint32 indexed microgrid, uint64 indexed slot, address[] excluded);

    /// @notice finalizeMeterData was called twice for (`microgrid`, `slot`).
    error AlreadyFinalized(uint32 microgrid, uint64 slot);

    mapping(uint32 microgrid => mapping(uint64 slot => IMeterReadings.SlotMeter)) private _meters;
    mapping(uint32 microgrid => mapping(uint64 slot => address[])) private _excluded;

    /// @notice Grants `admin` the DEFAULT_ADMIN_ROLE.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Sets the digest, count and proposable time (0: not proposable) of (`microgrid`, `slot`).
    function setSlot(
        uint32 microgrid,
        uint64 slot,
        bytes32 digest,
        uint32 readings,
        uint64 proposableAt
    ) external {
        IMeterReadings.SlotMeter storage meter = _meters[microgrid][slot];
        meter.digest = digest;
        meter.readings = readings;
        meter.proposableAt = proposableAt;
    }

    /// @notice Records the finalization of (`microgrid`, `slot`) with `excluded` (CONSENSUS_ROLE; once).
    function finalizeMeterData(
        uint32 microgrid,
        uint64 slot,
        address[] calldata excluded
    ) external onlyRole(Roles.CONSENSUS_ROLE) {
        IMeterReadings.SlotMeter storage meter = _meters[microgrid][slot];
        if (meter.finalizedAt != 0) revert AlreadyFinalized(microgrid, slot);
        meter.finalizedAt = uint64(block.timestamp);
        _excluded[microgrid][slot] = excluded;
        emit MeterDataFinalized(microgrid, slot, excluded);
    }

    /// @notice The digest and count set for (`microgrid`, `slot`).
    function readingDigest(
        uint32 microgrid,
        uint64 slot
    ) external view returns (bytes32 digest, uint256 count) {
        IMeterReadings.SlotMeter storage meter = _meters[microgrid][slot];
        return (meter.digest, meter.readings);
    }

    /// @notice Whether a proposable time is set and has come.
    function isProposable(uint32 microgrid, uint64 slot) external view returns (bool) {
        uint64 proposableAt = _meters[microgrid][slot].proposableAt;
        return proposableAt != 0 && proposableAt < block.timestamp + 1;
    }

    /// @notice The slot meter as set (and finalized).
    function slotMeter(
        uint32 microgrid,
        uint64 slot
    ) external view returns (IMeterReadings.SlotMeter memory) {
        return _meters[microgrid][slot];
    }

    /// @notice The exclusions finalizeMeterData recorded for (`microgrid`, `slot`).
    function excludedOf(uint32 microgrid, uint64 slot) external view returns (address[] memory) {
        return _excluded[microgrid][slot];
    }
}
