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
    /// (then `status` is `Missing`); `positionWh`: `P = sold − bought` filled Wh (0 without orders);
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
