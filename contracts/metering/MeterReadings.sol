// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Roles} from "../access/Roles.sol";
import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";
import {IMeterReadings} from "../interfaces/IMeterReadings.sol";
import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";

/// @title MeterReadings
/// @notice Meter readings of SPEC §8.1 and the imbalance totals of §8.2, per microgrid-slot `(m, s)`:
/// EIP-712 readings signed by the meter key valid for their slot and relayed by anyone (alone or in batches,
/// where a refused reading is skipped with {ReadingSkipped}), the registrar's marked substitutes, the digest
/// (hash chain in arrival order) and count a trade block carries, running `TES`/`TEP` totals, accounting of
/// accounts with orders and no reading as missing, and the exclusions of the final trade block.
///
/// Clock: the registry's clock is immutable there and copied here at deployment. The reading window of `s`
/// is `[slotEnd(s), slotEnd(s) + readingWindow(s) * slotLength)`; a change of `readingWindow` applies to the
/// slots whose gate has not closed (SPEC: parameters never change for a slot whose gate has closed), kept as a
/// checkpoint history so every slot keeps its window. Readings need the clearing of `(m, s)` done; pausing
/// the suite never stops them.
///
/// Storage: a participant-slot's record is one word (status, exclusion flag, import, export, position); its
/// `maxImportWh` is the registry's `capacityAt`, which never changes for a slot within the order horizon (the
/// registry schedules capacity changes beyond it), so it is read from there when needed (missing accounts,
/// exclusions, views) instead of costing every reading a second storage word. A microgrid-slot keeps the
/// digest in one word, counters, totals and the finality flag in a second, times in a third; a reading writes
/// the first two. Energies are `uint64` Wh and positions and imbalances `int64`: a value beyond 2^63 Wh (not
/// a physical connection) makes the call revert.
contract MeterReadings is AccessControl, EIP712, IMeterReadings {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Submits substitute readings (the DSO as registrar).
    bytes32 public constant REGISTRAR_ROLE = Roles.REGISTRAR_ROLE;
    /// @notice Fixes a microgrid-slot's meter data at the finality of its trade block (the trade blocks).
    bytes32 public constant CONSENSUS_ROLE = Roles.CONSENSUS_ROLE;
    /// @notice Changes validated parameters.
    bytes32 public constant PARAMS_ROLE = Roles.PARAMS_ROLE;

    // The EIP-712 type string must be spelled out in full; it is hashed at compile time.
    // solhint-disable gas-small-strings
    /// @notice The EIP-712 type hash of a reading.
    bytes32 public constant READING_TYPEHASH = keccak256(
        "Reading(address participant,uint64 slot,uint64 importWh,uint64 exportWh)"
    );
    // solhint-enable gas-small-strings

    /// @notice Largest reading window: one day of 900-second slots.
    uint256 private constant MAX_READING_WINDOW = 96;
    /// @notice Largest `maxExclusions`; an exclusion costs about 15 000 gas, so a block's stay under 4 M gas.
    uint256 private constant MAX_MAX_EXCLUSIONS = 256;

    /// @notice The registry (participants, meter keys, capacities, clock).
    IRegistry public immutable REGISTRY;
    /// @notice The market (clearing state, positions, participant counts).
    IEnergyMarket public immutable MARKET;
    /// @notice The registry's clock, immutable there, copied at deployment.
    uint64 private immutable _GENESIS;
    uint64 private immutable _SLOT_LENGTH;
    uint64 private immutable _GATE_LEAD;

    /// @notice Meter data of a microgrid-slot (three words; a reading writes the first two).
    struct SlotData {
        bytes32 digest;
        uint32 readings;
        uint32 readingsWithOrders;
        uint32 missing;
        uint64 surplusWh;
        uint64 deficitWh;
        bool finalized;
        uint64 proposableAt;
        uint64 finalizedAt;
    }

    /// @notice A participant-slot's record (one word). For `Missing`, `importWh` is the `maxImportWh` counted
    /// and `exportWh` 0.
    struct Record {
        Status status;
        bool excluded;
        uint64 importWh;
        uint64 exportWh;
        int64 positionWh;
    }

    /// @notice What a refused reading's custom error reports besides the reading itself.
    struct Refusal {
        address signer;
        uint64 opensAt;
        uint32 microgrid;
        address meterKey;
        uint64 closesAt;
        uint64 maxImportWh;
        uint64 maxExportWh;
    }

    /// @notice Reading window in slots, keyed by the first slot it applies to.
    Checkpoints.Trace208 private _readingWindows;
    uint256 private _maxExclusions;
    mapping(uint32 microgrid => mapping(uint64 slot => SlotData)) private _slots;
    mapping(address participant => mapping(uint64 slot => Record)) private _records;

    /// @notice Deploys with the SPEC defaults (reading window one slot, 64 exclusions); `admin` gets
    /// DEFAULT_ADMIN_ROLE. Reverts with {ZeroAddress} for a zero argument.
    constructor(
        address admin,
        IRegistry registry,
        IEnergyMarket market
    ) EIP712("GridTrust MeterReadings", "1") {
        if (admin == address(0) || address(registry) == address(0) || address(market) == address(0))
            revert ZeroAddress();
        REGISTRY = registry;
        MARKET = market;
        _GENESIS = registry.genesis();
        _SLOT_LENGTH = registry.slotLength();
        _GATE_LEAD = registry.gateLead();
        _readingWindows.push(0, 1);
        _maxExclusions = 64;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ================================================================ parameters

    /// @inheritdoc IMeterReadings
    function setReadingWindow(uint256 slots) external onlyRole(PARAMS_ROLE) {
        if (slots == 0 || slots > MAX_READING_WINDOW) revert InvalidParameter("readingWindow", slots);
        uint256 oldSlots = _readingWindows.latest();
        uint64 fromSlot = _firstSlotBeforeGate();
        // slots <= 96 fits a uint208.
        _readingWindows.push(_lookupKey(fromSlot), uint208(slots));
        emit ReadingWindowSet(oldSlots, slots, fromSlot);
    }

    /// @inheritdoc IMeterReadings
    function setMaxExclusions(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > MAX_MAX_EXCLUSIONS) revert InvalidParameter("maxExclusions", value);
        uint256 oldValue = _maxExclusions;
        _maxExclusions = value;
        emit ParameterSet("maxExclusions", oldValue, value);
    }

    // ================================================================ readings

    /// @inheritdoc IMeterReadings
    function submitReading(Reading calldata reading, bytes calldata signature) external {
        (bytes4 reason, Refusal memory refusal) = _tryAccept(reading, signature, false);
        if (reason != bytes4(0)) _revertRefusal(reason, reading, refusal);
    }

    /// @inheritdoc IMeterReadings
    function submitReadings(
        Reading[] calldata readings,
        bytes[] calldata signatures
    ) external returns (uint256 accepted) {
        if (readings.length != signatures.length) revert LengthMismatch(readings.length, signatures.length);
        for (uint256 i = 0; i < readings.length; ++i) {
            (bytes4 reason, ) = _tryAccept(readings[i], signatures[i], false);
            if (reason == bytes4(0)) ++accepted;
            else emit ReadingSkipped(readings[i].participant, readings[i].slot, reason);
        }
    }

    /// @inheritdoc IMeterReadings
    function submitSubstitute(Reading calldata reading) external onlyRole(REGISTRAR_ROLE) {
        // A substitute carries no signature: an empty calldata slice stands in for it and is never read.
        (bytes4 reason, Refusal memory refusal) = _tryAccept(reading, msg.data[0:0], true);
        if (reason != bytes4(0)) _revertRefusal(reason, reading, refusal);
    }

    /// @inheritdoc IMeterReadings
    /// @dev Reverts rather than skips a wrong account: once the reading window has closed the set of accounts
    /// with orders and no reading is fixed (no reading can arrive any more), so a list built from the book is
    /// either right or the caller's mistake, which should fail loudly; the only race is another caller
    /// accounting the same accounts, whose work is then done anyway. Reverts with {AlreadyFinalized},
    /// {ReadingWindowNotClosed}, {ClearingNotDone}, and per account {NotInMicrogrid}, {AlreadyAccounted} (read,
    /// substitute or missing already, or listed twice) or {NoOrders}.
    function accountMissing(uint32 microgrid, uint64 slot, address[] calldata accounts) external {
        SlotData storage data = _slots[microgrid][slot];
        if (data.finalized) revert AlreadyFinalized(microgrid, slot);
        (, uint256 closesAt) = _window(slot);
        if (block.timestamp < closesAt) revert ReadingWindowNotClosed(slot, _clamp64(closesAt));
        if (!MARKET.isCleared(microgrid, slot)) revert ClearingNotDone(microgrid, slot);
        for (uint256 i = 0; i < accounts.length; ++i) {
            address account = accounts[i];
            _checkInMicrogrid(account, microgrid);
            Record storage record = _records[account][slot];
            if (record.status != Status.None) revert AlreadyAccounted(account, slot, record.status);
            (bool hasOrders, int64 positionWh) = _positionOf(account, slot);
            if (!hasOrders) revert NoOrders(account, slot);
            (uint64 maxImportWh, ) = REGISTRY.capacityAt(account, slot);
            _records[account][slot] = Record({
                status: Status.Missing,
                excluded: false,
                importWh: maxImportWh,
                exportWh: 0,
                positionWh: positionWh
            });
            int64 imbalanceWh = _imbalance(0, maxImportWh, positionWh);
            _addImbalance(data, imbalanceWh);
            emit AccountedMissing(account, microgrid, slot, maxImportWh, imbalanceWh);
        }
        // At most participantCount (< 2^32) accounts have orders.
        uint32 missing = data.missing + uint32(accounts.length);
        data.missing = missing;
        if (
            data.proposableAt == 0 &&
            uint256(data.readingsWithOrders) + missing == MARKET.participantCount(microgrid, slot)
        ) {
            uint64 proposableAt = uint64(block.timestamp);
            data.proposableAt = proposableAt;
            emit SlotProposable(microgrid, slot, proposableAt);
        }
    }

    /// @inheritdoc IMeterReadings
    /// @dev Needs `(microgrid, slot)` proposable, also at default finality (which passes no exclusions): when
    /// an epoch without committee lets a microgrid-slot reach default finality before its missing accounts are
    /// accounted, the caller runs `accountMissing` first. Reverts with {AlreadyFinalized}, {NotProposable},
    /// {TooManyExclusions}, and per excluded account {NotInMicrogrid} or {NotExcludable} (no accepted reading,
    /// or listed twice).
    function finalizeMeterData(
        uint32 microgrid,
        uint64 slot,
        address[] calldata excluded
    ) external onlyRole(CONSENSUS_ROLE) {
        SlotData storage data = _slots[microgrid][slot];
        if (data.finalized) revert AlreadyFinalized(microgrid, slot);
        uint64 proposableAt = _proposableAt(microgrid, slot, data);
        if (proposableAt == 0) revert NotProposable(microgrid, slot);
        if (excluded.length > _maxExclusions) revert TooManyExclusions(excluded.length, _maxExclusions);
        for (uint256 i = 0; i < excluded.length; ++i) {
            address account = excluded[i];
            _checkInMicrogrid(account, microgrid);
            Record storage record = _records[account][slot];
            Record memory old = record;
            if (old.status != Status.Read && old.status != Status.Substitute)
                revert NotExcludable(account, slot, old.status);
            int64 oldImbalanceWh = _imbalance(old.exportWh, old.importWh, old.positionWh);
            (uint64 maxImportWh, ) = REGISTRY.capacityAt(account, slot);
            int64 newImbalanceWh = _imbalance(0, maxImportWh, old.positionWh);
            _removeImbalance(data, oldImbalanceWh);
            _addImbalance(data, newImbalanceWh);
            record.status = Status.Missing;
            record.excluded = true;
            record.importWh = maxImportWh;
            record.exportWh = 0;
            emit ReadingExcluded(account, microgrid, slot, oldImbalanceWh, newImbalanceWh);
        }
        data.proposableAt = proposableAt;
        data.finalized = true;
        data.finalizedAt = uint64(block.timestamp);
        emit MeterDataFinalized(
            microgrid,
            slot,
            data.digest,
            data.readings,
            excluded.length,
            data.surplusWh,
            data.deficitWh
        );
    }

    // ================================================================ views

    /// @inheritdoc IMeterReadings
    function readingWindow() external view returns (uint256) {
        return _readingWindows.latest();
    }

    /// @inheritdoc IMeterReadings
    function readingWindowSlotsOf(uint64 slot) public view returns (uint256) {
        return _readingWindows.upperLookupRecent(_lookupKey(slot));
    }

    /// @inheritdoc IMeterReadings
    function maxExclusions() external view returns (uint256) {
        return _maxExclusions;
    }

    /// @inheritdoc IMeterReadings
    function readingHash(Reading calldata reading) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        READING_TYPEHASH,
                        reading.participant,
                        reading.slot,
                        reading.importWh,
                        reading.exportWh
                    )
                )
            );
    }

    /// @inheritdoc IMeterReadings
    function readingDigest(
        uint32 microgrid,
        uint64 slot
    ) external view returns (bytes32 digest, uint256 count) {
        SlotData storage data = _slots[microgrid][slot];
        return (data.digest, data.readings);
    }

    /// @inheritdoc IMeterReadings
    function isProposable(uint32 microgrid, uint64 slot) external view returns (bool) {
        return _proposableAt(microgrid, slot, _slots[microgrid][slot]) != 0;
    }

    /// @inheritdoc IMeterReadings
    /// @dev `proposableAt` is computed when not stored: a microgrid-slot whose accounts with orders were all
    /// read when its window closed became proposable at the window's close (for a book without orders or
    /// readings that was cleared only after the close, that time lies before the clearing).
    function slotMeter(uint32 microgrid, uint64 slot) external view returns (SlotMeter memory) {
        SlotData storage data = _slots[microgrid][slot];
        return
            SlotMeter({
                digest: data.digest,
                readings: data.readings,
                readingsWithOrders: data.readingsWithOrders,
                missing: data.missing,
                surplusWh: data.surplusWh,
                deficitWh: data.deficitWh,
                proposableAt: _proposableAt(microgrid, slot, data),
                finalizedAt: data.finalizedAt
            });
    }

    /// @inheritdoc IMeterReadings
    function meterRecord(address participant, uint64 slot) external view returns (MeterRecord memory) {
        Record memory record = _records[participant][slot];
        if (record.status == Status.None) return MeterRecord(Status.None, false, 0, 0, 0, 0, 0);
        (uint64 maxImportWh, ) = REGISTRY.capacityAt(participant, slot);
        return
            MeterRecord({
                status: record.status,
                excluded: record.excluded,
                importWh: record.importWh,
                exportWh: record.exportWh,
                maxImportWh: maxImportWh,
                positionWh: record.positionWh,
                imbalanceWh: _imbalance(record.exportWh, record.importWh, record.positionWh)
            });
    }

    /// @inheritdoc IMeterReadings
    function readingWindowOf(uint64 slot) external view returns (uint64 opensAt, uint64 closesAt) {
        (uint256 opens, uint256 closes) = _window(slot);
        return (_clamp64(opens), _clamp64(closes));
    }

    // ================================================================ internals

    /// @notice Checks `reading` (and, unless it is a substitute, `signature`) and accepts it, or returns the
    /// selector of the refusal's custom error with what it reports. Checks in order: a meter key for the slot
    /// (registered), not finalized, window open, clearing done, no record yet, signature by that key,
    /// capacity.
    function _tryAccept(
        Reading calldata reading,
        bytes calldata signature,
        bool substitute
    ) private returns (bytes4 reason, Refusal memory refusal) {
        address participant = reading.participant;
        uint64 slot = reading.slot;
        address meterKey = REGISTRY.meterKeyAt(participant, slot);
        if (meterKey == address(0)) return (UnknownParticipant.selector, refusal);
        uint32 microgrid = REGISTRY.participant(participant).microgrid;
        refusal.microgrid = microgrid;
        SlotData storage data = _slots[microgrid][slot];
        if (data.finalized) return (AlreadyFinalized.selector, refusal);
        {
            (uint256 opensAt, uint256 closesAt) = _window(slot);
            if (block.timestamp < opensAt) {
                refusal.opensAt = _clamp64(opensAt);
                return (ReadingWindowNotOpen.selector, refusal);
            }
            bool beforeClose = block.timestamp < closesAt;
            if (!beforeClose) {
                refusal.closesAt = _clamp64(closesAt);
                return (ReadingWindowClosed.selector, refusal);
            }
        }
        if (!MARKET.isCleared(microgrid, slot)) return (ClearingNotDone.selector, refusal);
        Record storage record = _records[participant][slot];
        if (record.status != Status.None) return (ReadingExists.selector, refusal);
        if (!substitute) {
            reason = _checkSignature(reading, signature, meterKey, refusal);
            if (reason != bytes4(0)) return (reason, refusal);
        }
        {
            (uint64 maxImportWh, uint64 maxExportWh) = REGISTRY.capacityAt(participant, slot);
            if (reading.importWh > maxImportWh) {
                refusal.maxImportWh = maxImportWh;
                return (ImportAboveCapacity.selector, refusal);
            }
            if (reading.exportWh > maxExportWh) {
                refusal.maxExportWh = maxExportWh;
                return (ExportAboveCapacity.selector, refusal);
            }
        }
        _accept(data, record, reading, microgrid, substitute);
        return (bytes4(0), refusal);
    }

    /// @notice The refusal of a reading's signature (0 if `meterKey` signed it); a wrong signer goes to
    /// `refusal`.
    function _checkSignature(
        Reading calldata reading,
        bytes calldata signature,
        address meterKey,
        Refusal memory refusal
    ) private view returns (bytes4) {
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(
            readingHash(reading),
            signature
        );
        if (error != ECDSA.RecoverError.NoError) return InvalidSignature.selector;
        if (signer != meterKey) {
            refusal.signer = signer;
            refusal.meterKey = meterKey;
            return WrongMeterKey.selector;
        }
        return bytes4(0);
    }

    /// @notice Records an accepted reading, chains it into the digest and adds its imbalance to the totals.
    function _accept(
        SlotData storage data,
        Record storage record,
        Reading calldata reading,
        uint32 microgrid,
        bool substitute
    ) private {
        (bool hasOrders, int64 positionWh) = _positionOf(reading.participant, reading.slot);
        record.status = substitute ? Status.Substitute : Status.Read;
        record.importWh = reading.importWh;
        record.exportWh = reading.exportWh;
        record.positionWh = positionWh;
        data.digest = keccak256(
            abi.encode(data.digest, reading.participant, reading.importWh, reading.exportWh, substitute)
        );
        // Counts stay below 2^32: one reading per account and slot, and far fewer accounts.
        ++data.readings;
        if (hasOrders) ++data.readingsWithOrders;
        int64 imbalanceWh = _imbalance(reading.exportWh, reading.importWh, positionWh);
        _addImbalance(data, imbalanceWh);
        if (substitute)
            emit SubstituteAccepted(
                reading.participant,
                microgrid,
                reading.slot,
                reading.importWh,
                reading.exportWh,
                imbalanceWh
            );
        else
            emit ReadingAccepted(
                reading.participant,
                microgrid,
                reading.slot,
                reading.importWh,
                reading.exportWh,
                imbalanceWh
            );
    }

    /// @notice Reverts with the custom error `reason` names, with its arguments.
    function _revertRefusal(bytes4 reason, Reading calldata reading, Refusal memory refusal) private pure {
        address participant = reading.participant;
        uint64 slot = reading.slot;
        if (reason == UnknownParticipant.selector) revert UnknownParticipant(participant, slot);
        if (reason == AlreadyFinalized.selector) revert AlreadyFinalized(refusal.microgrid, slot);
        if (reason == ReadingWindowNotOpen.selector) revert ReadingWindowNotOpen(slot, refusal.opensAt);
        if (reason == ReadingWindowClosed.selector) revert ReadingWindowClosed(slot, refusal.closesAt);
        if (reason == ClearingNotDone.selector) revert ClearingNotDone(refusal.microgrid, slot);
        if (reason == ReadingExists.selector) revert ReadingExists(participant, slot);
        if (reason == InvalidSignature.selector) revert InvalidSignature(participant, slot);
        if (reason == WrongMeterKey.selector)
            revert WrongMeterKey(participant, slot, refusal.signer, refusal.meterKey);
        if (reason == ImportAboveCapacity.selector)
            revert ImportAboveCapacity(participant, slot, reading.importWh, refusal.maxImportWh);
        // The only reason left that `_tryAccept` returns.
        revert ExportAboveCapacity(participant, slot, reading.exportWh, refusal.maxExportWh);
    }

    /// @notice Whether `account` has live orders in `slot`, and its position `P = sold − bought` there.
    function _positionOf(
        address account,
        uint64 slot
    ) private view returns (bool hasOrders, int64 positionWh) {
        IEnergyMarket.Position memory position = MARKET.positionOf(account, slot);
        if (position.liveOrders == 0) return (false, 0);
        int64 filledWh = SafeCast.toInt64(int256(uint256(position.filledWh)));
        return (true, position.side == IOrderBook.Side.Offer ? filledWh : -filledWh);
    }

    /// @notice Reverts with {NotInMicrogrid} unless `account` is a registered participant of `microgrid`.
    function _checkInMicrogrid(address account, uint32 microgrid) private view {
        IRegistry.Participant memory p = REGISTRY.participant(account);
        if (p.kind == IRegistry.Kind.None || p.microgrid != microgrid)
            revert NotInMicrogrid(account, microgrid);
    }

    /// @notice When (`microgrid`, `slot`) became proposable, 0 if it is not: the stored time (set when
    /// `accountMissing` completed it, or at finality), else the window's close once it has closed with the
    /// clearing done and every account with orders read.
    function _proposableAt(
        uint32 microgrid,
        uint64 slot,
        SlotData storage data
    ) private view returns (uint64) {
        uint64 stored = data.proposableAt;
        if (stored != 0) return stored;
        (, uint256 closesAt) = _window(slot);
        if (block.timestamp < closesAt) return 0;
        if (!MARKET.isCleared(microgrid, slot)) return 0;
        if (uint256(data.readingsWithOrders) + data.missing != MARKET.participantCount(microgrid, slot))
            return 0;
        // closesAt <= block.timestamp here, so it fits a uint64.
        return uint64(closesAt);
    }

    /// @notice The reading window of `slot`: `[slotEnd(slot), slotEnd(slot) + readingWindow(slot) * slotLength)`.
    function _window(uint64 slot) private view returns (uint256 opensAt, uint256 closesAt) {
        opensAt = uint256(_GENESIS) + (uint256(slot) + 1) * _SLOT_LENGTH;
        closesAt = opensAt + readingWindowSlotsOf(slot) * _SLOT_LENGTH;
    }

    /// @notice The first slot whose gate has not closed: the smallest `s` with
    /// `genesis + s * slotLength - gateLead > block.timestamp`.
    function _firstSlotBeforeGate() private view returns (uint64) {
        uint256 shifted = block.timestamp + _GATE_LEAD;
        if (shifted < _GENESIS) return 0;
        return SafeCast.toUint64((shifted - _GENESIS) / _SLOT_LENGTH + 1);
    }

    /// @notice `I = (export − import) − P`.
    function _imbalance(uint64 exportWh, uint64 importWh, int64 positionWh) private pure returns (int64) {
        return SafeCast.toInt64(int256(uint256(exportWh)) - int256(uint256(importWh)) - positionWh);
    }

    /// @notice Adds an imbalance to `TES` (surplus) or `TEP` (deficit).
    function _addImbalance(SlotData storage data, int64 imbalanceWh) private {
        if (imbalanceWh > 0) data.surplusWh += uint64(imbalanceWh);
        else if (imbalanceWh < 0) data.deficitWh += uint64(uint256(-int256(imbalanceWh)));
    }

    /// @notice Removes an imbalance added before from `TES` or `TEP`.
    function _removeImbalance(SlotData storage data, int64 imbalanceWh) private {
        if (imbalanceWh > 0) data.surplusWh -= uint64(imbalanceWh);
        else if (imbalanceWh < 0) data.deficitWh -= uint64(uint256(-int256(imbalanceWh)));
    }

    /// @notice Checkpoint key of a slot (slots beyond 2^48 share the last key).
    function _lookupKey(uint64 slot) private pure returns (uint48) {
        return slot > type(uint48).max ? type(uint48).max : uint48(slot);
    }

    /// @notice `value`, or `type(uint64).max` if it does not fit (times of absurd slots).
    function _clamp64(uint256 value) private pure returns (uint64) {
        return value > type(uint64).max ? type(uint64).max : uint64(value);
    }
}
