// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IRegistry} from "../interfaces/IRegistry.sol";
import {Roles} from "../access/Roles.sol";

/// @title Registry
/// @notice Identities, microgrids, tariffs, the grid account, the suite-wide pause switch and the slot clock of
/// the GridTrust suite (SPEC §2, §4). See {IRegistry} for the design.
/// @dev Values that change over time (tariff, capacities, meter keys) are kept as OpenZeppelin checkpoints keyed
/// by slot. Keys are never decreasing: registration writes at the current slot, tariff and capacity changes at
/// `currentSlot() + maxLeadSlots + 1` (with `maxLeadSlots` fixed), and meter rotations at a slot no earlier than
/// the latest one scheduled. A write at the key of the latest checkpoint overwrites it.
contract Registry is AccessControl, IRegistry {
    using Checkpoints for Checkpoints.Trace208;
    using Checkpoints for Checkpoints.Trace160;

    /// @notice The registrar (DSO): participants, microgrids, meters, suspension, the grid account.
    bytes32 public constant REGISTRAR_ROLE = Roles.REGISTRAR_ROLE;
    /// @notice The tariff setter (DSO): grid buy and sell prices.
    bytes32 public constant TARIFF_ROLE = Roles.TARIFF_ROLE;
    /// @notice Changes validated parameters (here `maxMicrogrids`).
    bytes32 public constant PARAMS_ROLE = Roles.PARAMS_ROLE;
    /// @notice Pauses and unpauses the suite.
    bytes32 public constant PAUSER_ROLE = Roles.PAUSER_ROLE;
    /// @notice Sets and clears debt flags (held by settlement).
    bytes32 public constant DEBT_ROLE = Roles.DEBT_ROLE;

    /// @dev Width of each price in a packed tariff; prices must lie below `2**PRICE_BITS`.
    uint8 private constant PRICE_BITS = 104;
    /// @dev Width of each capacity in a packed capacity pair.
    uint8 private constant CAPACITY_BITS = 64;
    /// @dev Bound on `maxLeadSlots` so that `currentSlot() + maxLeadSlots + 1` fits a checkpoint key for as long
    /// as any realistic clock runs (about 2**48 slots).
    uint64 private constant MAX_LEAD_SLOTS_BOUND = type(uint32).max;
    /// @dev Bound on `maxMicrogrids`: settlement's level 2 loops once over every registered microgrid (about
    /// 105 000 gas each, measured), so 128 keep that call near 14 M gas, under the 2^24 (16.7 M) gas cap of one
    /// transaction.
    uint32 private constant MAX_MICROGRIDS_BOUND = 128;

    uint64 private immutable _GENESIS;
    uint64 private immutable _SLOT_LENGTH;
    uint64 private immutable _GATE_LEAD;
    uint64 private immutable _MAX_LEAD_SLOTS;

    /// @dev Grid account, microgrid bound and pause flag share one storage slot.
    address private _gridAccount;
    uint32 private _maxMicrogrids;
    bool private _paused;

    /// @dev Registered microgrid ids in registration order.
    uint32[] private _microgrids;
    mapping(uint32 microgrid => bool registered) private _isMicrogrid;

    mapping(address account => Participant) private _participants;
    /// @dev Meter key history per participant, keyed by the first slot of each key.
    mapping(address account => Checkpoints.Trace160) private _meterKeys;
    /// @dev Every meter key ever scheduled, mapped to its participant.
    mapping(address meterKey => address account) private _participantOfMeter;
    /// @dev Capacity history per participant: `maxImportWh << 64 | maxExportWh`, keyed by first slot.
    mapping(address account => Checkpoints.Trace208) private _capacities;
    /// @dev Tariff history: `gridBuyPrice << 104 | gridSellPrice`, keyed by first slot.
    Checkpoints.Trace208 private _tariffs;

    /// @notice Deploys the registry with its clock, microgrid bound, initial tariff (valid from slot 0) and grid
    /// account; `admin` receives `DEFAULT_ADMIN_ROLE`.
    /// @dev Clock requirements (else {InvalidClock}): `slotLength > 0`; `1 <= maxLeadSlots <= 2**32 - 1`;
    /// `gateLead < maxLeadSlots * slotLength`, so every slot has an open order window; `gateLead <= genesis`, so
    /// `gate(0)` exists; `genesis <= block.timestamp`, so `currentSlot()` is defined from deployment on. A microgrid
    /// bound outside `1..128` reverts with {InvalidMaxMicrogrids}.
    // Constructors have no visibility since Solidity 0.7; solhint's func-visibility does not know it.
    constructor(
        address admin,
        uint64 genesis_,
        uint64 slotLength_,
        uint64 gateLead_,
        uint64 maxLeadSlots_,
        uint32 maxMicrogrids_,
        uint256 gridBuyPrice,
        uint256 gridSellPrice,
        address gridAccount_
    ) {
        if (admin == address(0) || gridAccount_ == address(0)) revert ZeroAddress();
        bool everySlotHasOrderWindow = uint256(gateLead_) < uint256(maxLeadSlots_) * slotLength_;
        if (
            slotLength_ == 0 ||
            maxLeadSlots_ == 0 ||
            maxLeadSlots_ > MAX_LEAD_SLOTS_BOUND ||
            !everySlotHasOrderWindow ||
            genesis_ > block.timestamp ||
            genesis_ < gateLead_
        ) revert InvalidClock();
        if (maxMicrogrids_ == 0 || maxMicrogrids_ > MAX_MICROGRIDS_BOUND)
            revert InvalidMaxMicrogrids(maxMicrogrids_, 0);

        _GENESIS = genesis_;
        _SLOT_LENGTH = slotLength_;
        _GATE_LEAD = gateLead_;
        _MAX_LEAD_SLOTS = maxLeadSlots_;

        _grantRole(DEFAULT_ADMIN_ROLE, admin);

        _maxMicrogrids = maxMicrogrids_;
        emit MaxMicrogridsSet(0, maxMicrogrids_);

        _tariffs.push(0, _packTariff(gridBuyPrice, gridSellPrice));
        emit TariffScheduled(gridBuyPrice, gridSellPrice, 0);

        _gridAccount = gridAccount_;
        emit GridAccountSet(address(0), gridAccount_);
    }

    // ---------------------------------------------------------------- registrar

    /// @inheritdoc IRegistry
    function registerMicrogrid(uint32 microgrid) external onlyRole(REGISTRAR_ROLE) {
        if (_isMicrogrid[microgrid]) revert MicrogridAlreadyRegistered(microgrid);
        uint32 max = _maxMicrogrids;
        // The count never exceeds the maximum ({setMaxMicrogrids} keeps it at or above the count).
        if (_microgrids.length == max) revert TooManyMicrogrids(max);
        _isMicrogrid[microgrid] = true;
        _microgrids.push(microgrid);
        emit MicrogridRegistered(microgrid);
    }

    /// @inheritdoc IRegistry
    function registerParticipant(
        address account,
        Kind kind,
        uint32 microgrid,
        address meterKey,
        uint64 maxImportWh,
        uint64 maxExportWh
    ) external onlyRole(REGISTRAR_ROLE) {
        if (account == address(0) || meterKey == address(0)) revert ZeroAddress();
        if (_participants[account].kind != Kind.None) revert AlreadyRegistered(account);
        if (kind == Kind.None) revert InvalidKind();
        if (!_isMicrogrid[microgrid]) revert UnknownMicrogrid(microgrid);
        _requireValidCapacity(kind, maxImportWh, maxExportWh);
        _requireUnusedMeterKey(meterKey);

        uint64 fromSlot = currentSlot();
        // Unix seconds fit a uint64 for the next 5e11 years, so the cast below cannot truncate in practice.
        _participants[account] = Participant({
            kind: kind,
            microgrid: microgrid,
            registeredAt: uint64(block.timestamp),
            suspended: false,
            indebted: false
        });
        _participantOfMeter[meterKey] = account;
        _meterKeys[account].push(fromSlot, uint160(meterKey));
        _capacities[account].push(SafeCast.toUint48(fromSlot), _packCapacity(maxImportWh, maxExportWh));
        emit ParticipantRegistered(account, kind, microgrid, meterKey, maxImportWh, maxExportWh, fromSlot);
    }

    /// @inheritdoc IRegistry
    function setCapacity(
        address account,
        uint64 maxImportWh,
        uint64 maxExportWh
    ) external onlyRole(REGISTRAR_ROLE) returns (uint64 fromSlot) {
        Kind kind = _requireRegistered(account).kind;
        _requireValidCapacity(kind, maxImportWh, maxExportWh);
        fromSlot = _firstSlotBeyondHorizon();
        _capacities[account].push(SafeCast.toUint48(fromSlot), _packCapacity(maxImportWh, maxExportWh));
        emit CapacityScheduled(account, maxImportWh, maxExportWh, fromSlot);
    }

    /// @inheritdoc IRegistry
    /// @dev `validFromSlot` must be at least `max(currentSlot() + 1, s)` with `s` the first slot of the latest
    /// scheduled key; choosing `s` itself replaces a key that is still pending (the replaced key stays reserved
    /// to this participant).
    function rotateMeter(
        address account,
        address meterKey,
        uint64 validFromSlot
    ) external onlyRole(REGISTRAR_ROLE) {
        _requireRegistered(account);
        if (meterKey == address(0)) revert ZeroAddress();
        _requireUnusedMeterKey(meterKey);

        uint64 earliest = currentSlot() + 1;
        // Every participant has a checkpoint (written at registration), and keys fit uint64: they are slots.
        (, uint96 latestKeySlot, ) = _meterKeys[account].latestCheckpoint();
        if (latestKeySlot > earliest) earliest = uint64(latestKeySlot);
        if (validFromSlot < earliest) revert MeterRotationTooEarly(validFromSlot, earliest);

        _participantOfMeter[meterKey] = account;
        _meterKeys[account].push(validFromSlot, uint160(meterKey));
        emit MeterRotated(account, meterKey, validFromSlot);
    }

    /// @inheritdoc IRegistry
    function suspend(address account) external onlyRole(REGISTRAR_ROLE) {
        Participant storage p = _requireRegistered(account);
        if (p.suspended) revert AlreadySuspended(account);
        p.suspended = true;
        emit ParticipantSuspended(account);
    }

    /// @inheritdoc IRegistry
    function reinstate(address account) external onlyRole(REGISTRAR_ROLE) {
        Participant storage p = _requireRegistered(account);
        if (!p.suspended) revert NotSuspended(account);
        p.suspended = false;
        emit ParticipantReinstated(account);
    }

    /// @inheritdoc IRegistry
    function setGridAccount(address account) external onlyRole(REGISTRAR_ROLE) {
        if (account == address(0)) revert ZeroAddress();
        address oldAccount = _gridAccount;
        _gridAccount = account;
        emit GridAccountSet(oldAccount, account);
    }

    // ---------------------------------------------------------------- others

    /// @inheritdoc IRegistry
    function setIndebted(address account, bool indebted) external onlyRole(DEBT_ROLE) {
        Participant storage p = _requireRegistered(account);
        if (p.indebted == indebted) revert DebtFlagUnchanged(account, indebted);
        p.indebted = indebted;
        emit DebtFlagSet(account, indebted);
    }

    /// @inheritdoc IRegistry
    function setTariff(
        uint256 gridBuyPrice,
        uint256 gridSellPrice
    ) external onlyRole(TARIFF_ROLE) returns (uint64 fromSlot) {
        uint208 packed = _packTariff(gridBuyPrice, gridSellPrice);
        fromSlot = _firstSlotBeyondHorizon();
        _tariffs.push(SafeCast.toUint48(fromSlot), packed);
        emit TariffScheduled(gridBuyPrice, gridSellPrice, fromSlot);
    }

    /// @inheritdoc IRegistry
    function setMaxMicrogrids(uint32 newMax) external onlyRole(PARAMS_ROLE) {
        // The count never exceeds the current maximum, a uint32.
        uint32 count = uint32(_microgrids.length);
        if (newMax == 0 || newMax < count || newMax > MAX_MICROGRIDS_BOUND)
            revert InvalidMaxMicrogrids(newMax, count);
        uint32 oldMax = _maxMicrogrids;
        _maxMicrogrids = newMax;
        emit MaxMicrogridsSet(oldMax, newMax);
    }

    /// @inheritdoc IRegistry
    function pause() external onlyRole(PAUSER_ROLE) {
        if (_paused) revert SuitePaused();
        _paused = true;
        emit SuitePausedBy(_msgSender());
    }

    /// @inheritdoc IRegistry
    function unpause() external onlyRole(PAUSER_ROLE) {
        if (!_paused) revert SuiteNotPaused();
        _paused = false;
        emit SuiteUnpausedBy(_msgSender());
    }

    // ---------------------------------------------------------------- views: clock

    /// @inheritdoc IRegistry
    function genesis() external view returns (uint64) {
        return _GENESIS;
    }

    /// @inheritdoc IRegistry
    function slotLength() external view returns (uint64) {
        return _SLOT_LENGTH;
    }

    /// @inheritdoc IRegistry
    function gateLead() external view returns (uint64) {
        return _GATE_LEAD;
    }

    /// @inheritdoc IRegistry
    function maxLeadSlots() external view returns (uint64) {
        return _MAX_LEAD_SLOTS;
    }

    /// @inheritdoc IRegistry
    function currentSlot() public view returns (uint64) {
        return slotAt(block.timestamp);
    }

    /// @inheritdoc IRegistry
    function slotAt(uint256 timestamp) public view returns (uint64) {
        if (timestamp < _GENESIS) revert BeforeGenesis(timestamp, _GENESIS);
        return SafeCast.toUint64((timestamp - _GENESIS) / _SLOT_LENGTH);
    }

    /// @inheritdoc IRegistry
    /// @dev Reverts with `SafeCastOverflowedUintDowncast` if the start does not fit a uint64.
    function slotStart(uint64 slot) public view returns (uint64) {
        return SafeCast.toUint64(uint256(_GENESIS) + uint256(slot) * _SLOT_LENGTH);
    }

    /// @inheritdoc IRegistry
    /// @dev Reverts with `SafeCastOverflowedUintDowncast` if the end does not fit a uint64.
    function slotEnd(uint64 slot) external view returns (uint64) {
        return SafeCast.toUint64(uint256(_GENESIS) + (uint256(slot) + 1) * _SLOT_LENGTH);
    }

    /// @inheritdoc IRegistry
    function gate(uint64 slot) public view returns (uint64) {
        // slotStart(slot) >= genesis >= gateLead (checked at deployment), so this cannot underflow.
        return slotStart(slot) - _GATE_LEAD;
    }

    /// @inheritdoc IRegistry
    function isOrderWindowOpen(uint64 slot) external view returns (bool) {
        // The horizon is checked first, so `gate` is only computed for slots whose start fits a uint64.
        if (uint256(slot) > uint256(currentSlot()) + _MAX_LEAD_SLOTS) return false;
        return block.timestamp < gate(slot);
    }

    // ---------------------------------------------------------------- views: registry

    /// @inheritdoc IRegistry
    function participant(address account) external view returns (Participant memory) {
        return _participants[account];
    }

    /// @inheritdoc IRegistry
    function isRegistered(address account) external view returns (bool) {
        return _participants[account].kind != Kind.None;
    }

    /// @inheritdoc IRegistry
    function isInGoodStanding(address account) external view returns (bool) {
        Participant memory p = _participants[account];
        return p.kind != Kind.None && !p.suspended && !p.indebted;
    }

    /// @inheritdoc IRegistry
    function meterKeyAt(address account, uint64 slot) external view returns (address) {
        return address(_meterKeys[account].upperLookupRecent(slot));
    }

    /// @inheritdoc IRegistry
    function participantOfMeter(address meterKey) external view returns (address) {
        return _participantOfMeter[meterKey];
    }

    /// @inheritdoc IRegistry
    function capacityAt(
        address account,
        uint64 slot
    ) external view returns (uint64 maxImportWh, uint64 maxExportWh) {
        uint208 packed = _capacities[account].upperLookupRecent(_lookupKey(slot));
        maxImportWh = uint64(packed >> CAPACITY_BITS);
        maxExportWh = uint64(packed);
    }

    /// @inheritdoc IRegistry
    function tariffAt(uint64 slot) external view returns (uint256 gridBuyPrice, uint256 gridSellPrice) {
        uint208 packed = _tariffs.upperLookupRecent(_lookupKey(slot));
        gridBuyPrice = packed >> PRICE_BITS;
        gridSellPrice = packed & ((uint256(1) << PRICE_BITS) - 1);
    }

    /// @inheritdoc IRegistry
    function isMicrogrid(uint32 microgrid) external view returns (bool) {
        return _isMicrogrid[microgrid];
    }

    /// @inheritdoc IRegistry
    function microgridCount() external view returns (uint32) {
        // The count never exceeds `maxMicrogrids`, a uint32.
        return uint32(_microgrids.length);
    }

    /// @inheritdoc IRegistry
    function microgridAt(uint256 index) external view returns (uint32) {
        uint256 count = _microgrids.length;
        if (index < count) return _microgrids[index];
        revert MicrogridIndexOutOfRange(index, count);
    }

    /// @inheritdoc IRegistry
    function maxMicrogrids() external view returns (uint32) {
        return _maxMicrogrids;
    }

    /// @inheritdoc IRegistry
    function gridAccount() external view returns (address) {
        return _gridAccount;
    }

    /// @inheritdoc IRegistry
    function paused() external view returns (bool) {
        return _paused;
    }

    // ---------------------------------------------------------------- internal

    /// @dev The first slot beyond the order horizon: changes scheduled now take effect from it.
    function _firstSlotBeyondHorizon() private view returns (uint64) {
        return currentSlot() + _MAX_LEAD_SLOTS + 1;
    }

    /// @dev The participant record of `account`; reverts with {NotRegistered} if there is none.
    function _requireRegistered(address account) private view returns (Participant storage p) {
        p = _participants[account];
        if (p.kind == Kind.None) revert NotRegistered(account);
    }

    /// @dev Reverts with {MeterKeyInUse} if `meterKey` was ever scheduled for any participant.
    function _requireUnusedMeterKey(address meterKey) private view {
        address owner = _participantOfMeter[meterKey];
        if (owner != address(0)) revert MeterKeyInUse(meterKey, owner);
    }

    /// @dev Every participant imports; a consumer exports nothing and a prosumer exports something.
    function _requireValidCapacity(Kind kind, uint64 maxImportWh, uint64 maxExportWh) private pure {
        bool exportValid = kind == Kind.Consumer ? maxExportWh == 0 : maxExportWh > 0;
        if (maxImportWh == 0 || !exportValid) revert InvalidCapacity(maxImportWh, maxExportWh);
    }

    /// @dev Packs a valid tariff (`0 < gridSellPrice < gridBuyPrice < 2**104`) into one checkpoint value.
    function _packTariff(uint256 gridBuyPrice, uint256 gridSellPrice) private pure returns (uint208) {
        bool ordered = 0 < gridSellPrice && gridSellPrice < gridBuyPrice;
        if (!ordered || gridBuyPrice >> PRICE_BITS != 0) {
            revert InvalidTariff(gridBuyPrice, gridSellPrice);
        }
        // Both prices are below 2**104 (checked above), so the packed value fits 208 bits.
        return uint208((gridBuyPrice << PRICE_BITS) | gridSellPrice);
    }

    /// @dev Packs two capacities into one checkpoint value (128 of its 208 bits).
    function _packCapacity(uint64 maxImportWh, uint64 maxExportWh) private pure returns (uint208) {
        return (uint208(maxImportWh) << CAPACITY_BITS) | maxExportWh;
    }

    /// @dev A slot as a Trace208 key. Every stored key fits 48 bits, so a later slot finds the same checkpoint as
    /// the largest key.
    function _lookupKey(uint64 slot) private pure returns (uint48) {
        return slot > type(uint48).max ? type(uint48).max : uint48(slot);
    }
}
