// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRegistry
/// @notice Identities, microgrids, tariffs, the grid account, the suite-wide pause switch and the slot
/// clock (SPEC §2, §4). Every other contract of the suite reads these from here.
///
/// Slot clock: slot `s` covers `[slotStart(s), slotStart(s) + slotLength)` with
/// `slotStart(s) = genesis + s * slotLength`; orders for `s` are accepted while
/// `block.timestamp < gate(s) = slotStart(s) - gateLead` and `s <= currentSlot() + maxLeadSlots`
/// (the order horizon). The four clock numbers are fixed at deployment: changing any of them would move
/// the gate of books that are already open, which SPEC §0 forbids.
///
/// Values that open books depend on (the tariff, a participant's capacity) change only from the first
/// slot beyond the order horizon, `currentSlot() + maxLeadSlots + 1`, so no open book ever sees them
/// change. A meter key changes from a future slot chosen by the registrar.
interface IRegistry {
    // ---------------------------------------------------------------- types
    /// @notice What a participant is. `None` marks an unregistered account.
    enum Kind {
        None,
        Prosumer,
        Consumer
    }

    /// @notice A registered participant.
    /// @param kind Prosumer (may sell and buy) or Consumer (buys only).
    /// @param microgrid The microgrid (shard) it is connected to.
    /// @param registeredAt `RT_u`, the registration time in unix seconds.
    /// @param suspended Set and cleared by the registrar.
    /// @param indebted Set and cleared by settlement while the participant owes the grid account.
    struct Participant {
        Kind kind;
        uint32 microgrid;
        uint64 registeredAt;
        bool suspended;
        bool indebted;
    }

    // ---------------------------------------------------------------- errors
    /// @notice The zero address was given for an account, meter key or grid account.
    error ZeroAddress();
    /// @notice `account` is already registered.
    error AlreadyRegistered(address account);
    /// @notice `account` is not a registered participant.
    error NotRegistered(address account);
    /// @notice `kind` is not Prosumer or Consumer.
    error InvalidKind();
    /// @notice Microgrid `microgrid` has not been registered.
    error UnknownMicrogrid(uint32 microgrid);
    /// @notice Microgrid `microgrid` is registered already.
    error MicrogridAlreadyRegistered(uint32 microgrid);
    /// @notice Registering another microgrid would exceed `maxMicrogrids`.
    error TooManyMicrogrids(uint32 maxMicrogrids);
    /// @notice `index` is not below the number of registered microgrids (`count`).
    error MicrogridIndexOutOfRange(uint256 index, uint256 count);
    /// @notice `maxMicrogrids` may not fall below the number registered (`registered`), be zero or exceed 128
    /// (the bound that keeps settlement's level-2 loop over the microgrids within one transaction's gas).
    error InvalidMaxMicrogrids(uint32 requested, uint32 registered);
    /// @notice The meter key is, or was, the key of a participant, `owner` (keys are never reused, not even by
    /// their own participant).
    error MeterKeyInUse(address meterKey, address owner);
    /// @notice A new meter key must be valid from a slot after the current one and after the slot of the
    /// latest scheduled key (`earliest` is the first slot allowed).
    error MeterRotationTooEarly(uint64 validFromSlot, uint64 earliest);
    /// @notice Capacities: a consumer has no export capacity, a prosumer needs some, and every
    /// participant needs some import capacity.
    error InvalidCapacity(uint64 maxImportWh, uint64 maxExportWh);
    /// @notice A tariff needs `0 < gridSellPrice < gridBuyPrice`.
    error InvalidTariff(uint256 gridBuyPrice, uint256 gridSellPrice);
    /// @notice The participant is suspended already.
    error AlreadySuspended(address account);
    /// @notice The participant is not suspended.
    error NotSuspended(address account);
    /// @notice The debt flag already has this value.
    error DebtFlagUnchanged(address account, bool indebted);
    /// @notice The clock parameters given at deployment are not consistent (see the constructor).
    error InvalidClock();
    /// @notice `timestamp` lies before the clock's genesis.
    error BeforeGenesis(uint256 timestamp, uint256 genesis);
    /// @notice The suite is paused.
    error SuitePaused();
    /// @notice The suite is not paused.
    error SuiteNotPaused();

    // ---------------------------------------------------------------- events
    /// @notice A microgrid was registered.
    event MicrogridRegistered(uint32 indexed microgrid);
    /// @notice `maxMicrogrids` changed.
    event MaxMicrogridsSet(uint32 oldMax, uint32 newMax);
    /// @notice A participant was registered.
    event ParticipantRegistered(
        address indexed account,
        Kind kind,
        uint32 indexed microgrid,
        address meterKey,
        uint64 maxImportWh,
        uint64 maxExportWh,
        uint64 fromSlot
    );
    /// @notice A participant's capacity changes from slot `fromSlot` on.
    event CapacityScheduled(address indexed account, uint64 maxImportWh, uint64 maxExportWh, uint64 fromSlot);
    /// @notice A participant's meter key changes to `meterKey` from slot `fromSlot` on.
    event MeterRotated(address indexed account, address indexed meterKey, uint64 fromSlot);
    /// @notice The registrar suspended a participant.
    event ParticipantSuspended(address indexed account);
    /// @notice The registrar reinstated a participant.
    event ParticipantReinstated(address indexed account);
    /// @notice Settlement set or cleared a participant's debt flag.
    event DebtFlagSet(address indexed account, bool indebted);
    /// @notice The tariff changes from slot `fromSlot` on (prices in TRC base units per kWh).
    event TariffScheduled(uint256 gridBuyPrice, uint256 gridSellPrice, uint64 fromSlot);
    /// @notice The grid account changed.
    event GridAccountSet(address indexed oldAccount, address indexed newAccount);
    /// @notice The suite was paused by `account`.
    event SuitePausedBy(address indexed account);
    /// @notice The suite was unpaused by `account`.
    event SuiteUnpausedBy(address indexed account);

    // ---------------------------------------------------------------- registrar
    /// @notice Registers microgrid `microgrid` (REGISTRAR_ROLE).
    function registerMicrogrid(uint32 microgrid) external;

    /// @notice Registers `account` in `microgrid` with meter key `meterKey` and per-slot capacities
    /// (REGISTRAR_ROLE). The participant may trade at once; its meter key and capacity are valid from the
    /// current slot on.
    function registerParticipant(
        address account,
        Kind kind,
        uint32 microgrid,
        address meterKey,
        uint64 maxImportWh,
        uint64 maxExportWh
    ) external;

    /// @notice Changes a participant's capacities from the first slot beyond the order horizon
    /// (REGISTRAR_ROLE).
    /// @return fromSlot The first slot with the new capacities.
    function setCapacity(
        address account,
        uint64 maxImportWh,
        uint64 maxExportWh
    ) external returns (uint64 fromSlot);

    /// @notice Makes `meterKey` the participant's meter key from slot `validFromSlot` on (REGISTRAR_ROLE).
    /// Readings of earlier slots stay checked against the earlier key.
    function rotateMeter(address account, address meterKey, uint64 validFromSlot) external;

    /// @notice Suspends a participant: no new orders, no validator joining (REGISTRAR_ROLE). Its open
    /// slots still settle.
    function suspend(address account) external;

    /// @notice Lifts a suspension (REGISTRAR_ROLE).
    function reinstate(address account) external;

    /// @notice Names the grid account, the counterparty of the residual and supplier of last resort
    /// (REGISTRAR_ROLE).
    function setGridAccount(address account) external;

    // ---------------------------------------------------------------- others
    /// @notice Sets or clears the debt flag of `account` (DEBT_ROLE, held by settlement).
    function setIndebted(address account, bool indebted) external;

    /// @notice Schedules a new tariff, effective from the first slot beyond the order horizon
    /// (TARIFF_ROLE). Prices are TRC base units per kWh with `0 < gridSellPrice < gridBuyPrice`.
    /// @return fromSlot The first slot with the new tariff.
    function setTariff(uint256 gridBuyPrice, uint256 gridSellPrice) external returns (uint64 fromSlot);

    /// @notice Sets `maxMicrogrids` (PARAMS_ROLE); never below the number registered, at most 128.
    function setMaxMicrogrids(uint32 newMax) external;

    /// @notice Pauses new orders and validator joins suite-wide (PAUSER_ROLE). Never blocks settlement,
    /// readings, refunds or withdrawals.
    function pause() external;

    /// @notice Lifts the pause (PAUSER_ROLE).
    function unpause() external;

    // ---------------------------------------------------------------- views: clock
    /// @notice Unix time of the start of slot 0.
    function genesis() external view returns (uint64);
    /// @notice Length of a slot in seconds.
    function slotLength() external view returns (uint64);
    /// @notice Seconds before a slot's start at which its book closes.
    function gateLead() external view returns (uint64);
    /// @notice How many slots ahead of the current one orders are accepted.
    function maxLeadSlots() external view returns (uint64);
    /// @notice The slot containing `block.timestamp`; reverts with {BeforeGenesis} before genesis.
    function currentSlot() external view returns (uint64);
    /// @notice The slot containing `timestamp`; reverts with {BeforeGenesis} before genesis.
    function slotAt(uint256 timestamp) external view returns (uint64);
    /// @notice Start of slot `slot` in unix seconds.
    function slotStart(uint64 slot) external view returns (uint64);
    /// @notice End of slot `slot` (the start of the next) in unix seconds.
    function slotEnd(uint64 slot) external view returns (uint64);
    /// @notice Gate of slot `slot`: orders are accepted strictly before it.
    function gate(uint64 slot) external view returns (uint64);
    /// @notice Whether orders for `slot` are accepted now (before its gate and within the horizon).
    function isOrderWindowOpen(uint64 slot) external view returns (bool);

    // ---------------------------------------------------------------- views: registry
    /// @notice The participant record of `account` (kind `None` if unregistered).
    function participant(address account) external view returns (Participant memory);
    /// @notice Whether `account` is registered.
    function isRegistered(address account) external view returns (bool);
    /// @notice Whether `account` may place orders or join as a validator: registered, not suspended,
    /// not indebted. (Freezing for unsettled slots is the market's own check.)
    function isInGoodStanding(address account) external view returns (bool);
    /// @notice The meter key valid for `account` in slot `slot` (zero before registration).
    function meterKeyAt(address account, uint64 slot) external view returns (address);
    /// @notice The participant a meter key belongs (or belonged) to, zero if none.
    function participantOfMeter(address meterKey) external view returns (address);
    /// @notice A participant's capacities valid in slot `slot` (zero before registration).
    function capacityAt(
        address account,
        uint64 slot
    ) external view returns (uint64 maxImportWh, uint64 maxExportWh);
    /// @notice The tariff valid in slot `slot`, in TRC base units per kWh.
    function tariffAt(uint64 slot) external view returns (uint256 gridBuyPrice, uint256 gridSellPrice);
    /// @notice Whether `microgrid` is registered.
    function isMicrogrid(uint32 microgrid) external view returns (bool);
    /// @notice Number of registered microgrids.
    function microgridCount() external view returns (uint32);
    /// @notice The `index`-th registered microgrid id, in registration order.
    function microgridAt(uint256 index) external view returns (uint32);
    /// @notice The most microgrids that may be registered.
    function maxMicrogrids() external view returns (uint32);
    /// @notice The grid account.
    function gridAccount() external view returns (address);
    /// @notice Whether the suite is paused.
    function paused() external view returns (bool);
}
