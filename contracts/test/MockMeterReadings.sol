// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMeterReadings} from "../interfaces/IMeterReadings.sol";

/// @title MockMeterReadings
/// @notice Test double of {IMeterReadings} for settlement: tests set each microgrid-slot's `SlotMeter` and each
/// participant-slot's `MeterRecord` directly; the views return them. The writes of the real contract are not
/// modelled and revert with {NotInMock}. Not part of the deployed suite.
contract MockMeterReadings is IMeterReadings {
    /// @notice The real contract's writes and signature views are not modelled here.
    error NotInMock();

    mapping(uint32 microgrid => mapping(uint64 slot => SlotMeter)) private _slotMeters;
    mapping(address participant => mapping(uint64 slot => MeterRecord)) private _records;

    /// @notice Sets the meter data of (`microgrid`, `slot`).
    function setSlotMeter(uint32 microgrid, uint64 slot, SlotMeter calldata meter) external {
        _slotMeters[microgrid][slot] = meter;
    }

    /// @notice Sets only `finalizedAt` of (`microgrid`, `slot`).
    function setFinalizedAt(uint32 microgrid, uint64 slot, uint64 finalizedAt) external {
        _slotMeters[microgrid][slot].finalizedAt = finalizedAt;
    }

    /// @notice Sets the meter records of `participants` in `slot`.
    function setRecords(
        address[] calldata participants,
        uint64 slot,
        MeterRecord[] calldata records
    ) external {
        for (uint256 i = 0; i < participants.length; ++i) _records[participants[i]][slot] = records[i];
    }

    /// @notice Not modelled.
    function setReadingWindow(uint256) external pure {
        revert NotInMock();
    }

    /// @notice Not modelled.
    function setMaxExclusions(uint256) external pure {
        revert NotInMock();
    }

    /// @notice One slot, the default.
    function readingWindow() external pure returns (uint256) {
        return 1;
    }

    /// @notice One slot, the default.
    function readingWindowSlotsOf(uint64) external pure returns (uint256) {
        return 1;
    }

    /// @notice The default.
    function maxExclusions() external pure returns (uint256) {
        return 64;
    }

    /// @notice Not modelled.
    function submitReading(Reading calldata, bytes calldata) external pure {
        revert NotInMock();
    }

    /// @notice Not modelled.
    function submitReadings(Reading[] calldata, bytes[] calldata) external pure returns (uint256) {
        revert NotInMock();
    }

    /// @notice Not modelled.
    function submitSubstitute(Reading calldata) external pure {
        revert NotInMock();
    }

    /// @notice Not modelled.
    function accountMissing(uint32, uint64, address[] calldata) external pure {
        revert NotInMock();
    }

    /// @notice Not modelled.
    function finalizeMeterData(uint32, uint64, address[] calldata) external pure {
        revert NotInMock();
    }

    /// @notice Not modelled.
    function readingHash(Reading calldata) external pure returns (bytes32) {
        revert NotInMock();
    }

    /// @notice The digest and count set with {setSlotMeter}.
    function readingDigest(
        uint32 microgrid,
        uint64 slot
    ) external view returns (bytes32 digest, uint256 count) {
        SlotMeter storage meter = _slotMeters[microgrid][slot];
        return (meter.digest, meter.readings);
    }

    /// @notice Whether `proposableAt` was set.
    function isProposable(uint32 microgrid, uint64 slot) external view returns (bool) {
        return _slotMeters[microgrid][slot].proposableAt != 0;
    }

    /// @notice The meter data set with {setSlotMeter}.
    function slotMeter(uint32 microgrid, uint64 slot) external view returns (SlotMeter memory) {
        return _slotMeters[microgrid][slot];
    }

    /// @notice The record set with {setRecords}.
    function meterRecord(address participant, uint64 slot) external view returns (MeterRecord memory) {
        return _records[participant][slot];
    }

    /// @notice Not modelled.
    function readingWindowOf(uint64) external pure returns (uint64, uint64) {
        revert NotInMock();
    }
}
