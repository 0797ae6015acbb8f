// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMeterReadings
/// @notice Signed meter readings of the physical layer (SPEC §8.1, §8.2): EIP-712 readings relayed by anyone
/// during a microgrid-slot's reading window, the registrar's marked substitutes, a digest (hash chain in
/// arrival order) and count per microgrid-slot for its trade block, and running imbalance totals so that
/// settlement never loops over participants.
///
/// Participants of a microgrid-slot `(m, s)`: every account with live orders in the book of `(m, s)`
/// (`IEnergyMarket.participantCount`) and every account of `m` with an accepted reading. An account with
/// orders and no accepted reading is *missing*: once the reading window has closed anyone accounts it with
/// `accountMissing` as `export 0, import maxImportWh`; `(m, s)` is proposable when every account with orders
/// is read or accounted missing. Imbalance of an account: `I = (export − import) − (sold − bought)` in Wh,
/// with `sold`, `bought` its filled Wh (`P = sold − bought`). Surplus totals `TES = Σ_{I>0} I`, deficit
/// totals `TEP = Σ_{I<0} −I` are kept per `(m, s)`; an exclusion by the final trade block turns an accepted
/// reading into a missing one and moves the totals accordingly.
interface IMeterReadings {
    /// @notice How a participant-slot's meter data stands. `Read`: a meter-signed reading; `Substitute`:
    /// the registrar's estimated reading; `Missing`: accounted as `export 0, import maxImportWh` (no reading,
    /// or an accepted reading excluded by the final trade block).
    enum Status {
        None,
        Read,
        Substitute,
        Missing
    }

    /// @notice A reading as signed by the meter (EIP-712 type
    /// `Reading(address participant,uint64 slot,uint64 importWh,uint64 exportWh)`).
    struct Reading {
        address participant;
        uint64 slot;
        uint64 importWh;
        uint64 exportWh;
    }

    /// @notice What is known of a participant-slot. `excluded`: an accepted reading the final block excluded
    /// (then `status` is `Missing`); `importWh`, `exportWh`: the values counted (for `Missing`, `maxImportWh`
    /// and 0; an excluded reading's own values are in its acceptance event); `maxImportWh`: the import
    /// capacity in the slot; `positionWh`: `P = sold − bought` filled Wh (0 without orders);
    /// `imbalanceWh`: `I` as counted in the totals.
    struct MeterRecord {
        Status status;
        bool excluded;
        uint64 importWh;
        uint64 exportWh;
        uint64 maxImportWh;
        int64 positionWh;
        int64 imbalanceWh;
    }

    /// @notice The meter data of a microgrid-slot. `digest`, `readings`: hash chain and count of accepted
    /// readings (substitutes included) in arrival order; `readingsWithOrders`: those of accounts with live orders
    /// in the book (so the participants of (m, s) number `market.participantCount + readings − readingsWithOrders`);
    /// `missing`: accounts with orders accounted missing;
    /// `surplusWh` (TES), `deficitWh` (TEP): current totals; `proposableAt`: when it became proposable (0 before);
    /// `finalizedAt`: when its trade block (or default finality) fixed it (0 before).
    struct SlotMeter {
        bytes32 digest;
        uint32 readings;
        uint32 readingsWithOrders;
        uint32 missing;
        uint64 surplusWh;
        uint64 deficitWh;
        uint64 proposableAt;
        uint64 finalizedAt;
    }

    // ---------------------------------------------------------------- errors
    /// @notice The zero address was given to the constructor.
    error ZeroAddress();
    /// @notice Parameter `name` cannot take `value`.
    error InvalidParameter(bytes32 name, uint256 value);
    /// @notice A batch's `readings` and `signatures` differ in length.
    error LengthMismatch(uint256 readings, uint256 signatures);
    /// @notice `participant` has no meter key in `slot` (unregistered, or registered after it).
    error UnknownParticipant(address participant, uint64 slot);
    /// @notice The signature is malformed: not 65 bytes, a high `s` (malleable), or no signer recoverable.
    error InvalidSignature(address participant, uint64 slot);
    /// @notice The reading was signed by `signer`, not by `meterKey`, the participant's key valid for `slot`.
    error WrongMeterKey(address participant, uint64 slot, address signer, address meterKey);
    /// @notice The reading window of `slot` opens only at `opensAt`.
    error ReadingWindowNotOpen(uint64 slot, uint64 opensAt);
    /// @notice The reading window of `slot` closed at `closesAt`.
    error ReadingWindowClosed(uint64 slot, uint64 closesAt);
    /// @notice The reading window of `slot` is still open until `closesAt` (exclusive).
    error ReadingWindowNotClosed(uint64 slot, uint64 closesAt);
    /// @notice Clearing of (`microgrid`, `slot`) is not complete.
    error ClearingNotDone(uint32 microgrid, uint64 slot);
    /// @notice `importWh` exceeds `participant`'s import capacity in `slot`, `maxImportWh`.
    error ImportAboveCapacity(address participant, uint64 slot, uint64 importWh, uint64 maxImportWh);
    /// @notice `exportWh` exceeds `participant`'s export capacity in `slot`, `maxExportWh`.
    error ExportAboveCapacity(address participant, uint64 slot, uint64 exportWh, uint64 maxExportWh);
    /// @notice A reading of `participant` in `slot` was accepted already (the first stands).
    error ReadingExists(address participant, uint64 slot);
    /// @notice The meter data of (`microgrid`, `slot`) is final.
    error AlreadyFinalized(uint32 microgrid, uint64 slot);
    /// @notice `account` is not a participant of microgrid `microgrid`.
    error NotInMicrogrid(address account, uint32 microgrid);
    /// @notice `account` has no live orders in `slot`, so it cannot be missing.
    error NoOrders(address account, uint64 slot);
    /// @notice `account` is accounted already in `slot`, with `status`.
    error AlreadyAccounted(address account, uint64 slot, Status status);
    /// @notice (`microgrid`, `slot`) is not proposable (window open, clearing not done, or accounts with
    /// orders neither read nor accounted missing).
    error NotProposable(uint32 microgrid, uint64 slot);
    /// @notice `count` exclusions exceed `maxExclusions`.
    error TooManyExclusions(uint256 count, uint256 maxExclusions);
    /// @notice `account` has no accepted (not yet excluded) reading in `slot` to exclude; its record has `status`.
    error NotExcludable(address account, uint64 slot, Status status);

    // ---------------------------------------------------------------- events
    /// @notice Parameter `name` changed from `oldValue` to `newValue`.
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice The reading window is `newSlots` slots for every slot from `fromSlot` on (the first slot whose
    /// gate had not closed), `oldSlots` before.
    event ReadingWindowSet(uint256 oldSlots, uint256 newSlots, uint64 fromSlot);
    /// @notice A meter-signed reading of `participant` in (`microgrid`, `slot`) was accepted; `imbalanceWh` is
    /// its `I`, counted in the totals.
    event ReadingAccepted(
        address indexed participant,
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint64 importWh,
        uint64 exportWh,
        int64 imbalanceWh
    );
    /// @notice The registrar's substitute reading of `participant` in (`microgrid`, `slot`) was accepted.
    event SubstituteAccepted(
        address indexed participant,
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint64 importWh,
        uint64 exportWh,
        int64 imbalanceWh
    );
    /// @notice A reading of a batch was refused and skipped; `reason` is the selector of the custom error a
    /// single `submitReading` would have reverted with.
    event ReadingSkipped(address indexed participant, uint64 indexed slot, bytes4 reason);
    /// @notice `account`, with orders and no reading in (`microgrid`, `slot`), was accounted missing
    /// (`export 0, import maxImportWh`) with imbalance `imbalanceWh`.
    event AccountedMissing(
        address indexed account,
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint64 maxImportWh,
        int64 imbalanceWh
    );
    /// @notice Every account with orders in (`microgrid`, `slot`) is now read or missing, the window closed:
    /// it became proposable at `proposableAt`.
    event SlotProposable(uint32 indexed microgrid, uint64 indexed slot, uint64 proposableAt);
    /// @notice The final trade block excluded the accepted reading of `account` in (`microgrid`, `slot`): its
    /// imbalance went from `oldImbalanceWh` to the missing one, `newImbalanceWh`.
    event ReadingExcluded(
        address indexed account,
        uint32 indexed microgrid,
        uint64 indexed slot,
        int64 oldImbalanceWh,
        int64 newImbalanceWh
    );
    /// @notice The meter data of (`microgrid`, `slot`) was fixed: `readings` readings with digest `digest`,
    /// `excluded` of them excluded, totals `surplusWh` (TES) and `deficitWh` (TEP).
    event MeterDataFinalized(
        uint32 indexed microgrid,
        uint64 indexed slot,
        bytes32 digest,
        uint256 readings,
        uint256 excluded,
        uint64 surplusWh,
        uint64 deficitWh
    );

    // ---------------------------------------------------------------- parameters (PARAMS_ROLE)
    /// @notice Sets the reading window in slots (1..96) for every slot whose gate has not closed yet; slots
    /// whose gate has closed keep the window they had.
    function setReadingWindow(uint256 slots) external;

    /// @notice Sets the most readings one trade block may exclude (1..256).
    function setMaxExclusions(uint256 value) external;

    // ---------------------------------------------------------------- writes
    /// @notice Accepts one reading signed (`signature`, 65 bytes) by the meter key valid for its slot; anyone
    /// relays. Reverts with the refusal's own custom error.
    function submitReading(Reading calldata reading, bytes calldata signature) external;

    /// @notice Accepts a batch of readings; a refused one is skipped with an event naming its reason, so one
    /// bad reading never sinks the good ones.
    /// @return accepted The number of readings accepted.
    function submitReadings(
        Reading[] calldata readings,
        bytes[] calldata signatures
    ) external returns (uint256 accepted);

    /// @notice The registrar's estimated reading for a participant whose meter failed, within the window,
    /// marked as a substitute (REGISTRAR_ROLE).
    function submitSubstitute(Reading calldata reading) external;

    /// @notice After the reading window of (`microgrid`, `slot`), accounts `accounts` (with orders there and
    /// no accepted reading) as missing; anyone.
    function accountMissing(uint32 microgrid, uint64 slot, address[] calldata accounts) external;

    /// @notice Fixes the meter data of (`microgrid`, `slot`) at the finality of its trade block, turning the
    /// accepted readings of `excluded` into missing ones (CONSENSUS_ROLE; once; needs it proposable, except
    /// for default finality, which passes no exclusions).
    function finalizeMeterData(uint32 microgrid, uint64 slot, address[] calldata excluded) external;

    // ---------------------------------------------------------------- views
    /// @notice The reading window, in slots, of slots whose gate has not closed yet.
    function readingWindow() external view returns (uint256);

    /// @notice The reading window, in slots, of `slot`.
    function readingWindowSlotsOf(uint64 slot) external view returns (uint256);

    /// @notice The most readings one trade block may exclude.
    function maxExclusions() external view returns (uint256);

    /// @notice The EIP-712 digest a meter signs for `reading`.
    function readingHash(Reading calldata reading) external view returns (bytes32);

    /// @notice The reading digest and count of (`microgrid`, `slot`) that its trade block must carry.
    function readingDigest(
        uint32 microgrid,
        uint64 slot
    ) external view returns (bytes32 digest, uint256 count);

    /// @notice Whether (`microgrid`, `slot`) is proposable: clearing done, reading window closed, every
    /// account with orders read or accounted missing.
    function isProposable(uint32 microgrid, uint64 slot) external view returns (bool);

    /// @notice The meter data of (`microgrid`, `slot`).
    function slotMeter(uint32 microgrid, uint64 slot) external view returns (SlotMeter memory);

    /// @notice The meter record of `participant` in `slot`.
    function meterRecord(address participant, uint64 slot) external view returns (MeterRecord memory);

    /// @notice When the reading window of `slot` opens (`slotEnd(slot)`) and closes (exclusive).
    function readingWindowOf(uint64 slot) external view returns (uint64 opensAt, uint64 closesAt);
}
