// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITradeLedger} from "./ITradeLedger.sol";

/// @title ISettlement
/// @notice Two-level SDR settlement of metered energy (SPEC §8.3, §8.4), pulled per participant. Money never
/// leaves the market: settlement computes amounts and moves them with `IEnergyMarket.settleAccount` and
/// `IEnergyMarket.disburse` through the market's settlement pool. Per slot it keeps money in and out, so that
/// money in = money out + dust, dust ≥ 0.
interface ISettlement is ITradeLedger {
    /// @notice Level 2 of a slot: `S2`, `D2` and the prices between microgrids.
    struct Level2 {
        bool done;
        uint64 surplusWh;
        uint64 deficitWh;
        uint128 sellPrice;
        uint128 buyPrice;
    }

    /// @notice Level 1 of a microgrid-slot: whether level 2 counted it (final by the deadline), its outside
    /// prices, and `P1_sell`, `P1_buy` inside it.
    struct Level1 {
        bool counted;
        uint128 outsideSellPrice;
        uint128 outsideBuyPrice;
        uint128 sellPrice;
        uint128 buyPrice;
    }

    /// @notice At the finality of (`microgrid`, `slot`), pays `feePayout` (λ_b, capped at the slot's fee
    /// aggregate) to `proposer` and burns the rest of the slot's fees (CONSENSUS_ROLE; once per
    /// microgrid-slot; `proposer` zero and `feePayout` 0 at default finality).
    /// @return paid What the proposer received.
    function payBlockFees(
        uint32 microgrid,
        uint64 slot,
        address proposer,
        uint256 feePayout
    ) external returns (uint256 paid);

    /// @notice Runs level 2 of `slot` once every registered microgrid's `(m, slot)` is final, or after
    /// `settleDeadline` with those final by then; anyone; once.
    function runLevel2(uint64 slot) external;

    /// @notice Settles `participant`'s participant-slot `slot`; anyone may trigger it; once.
    function settle(address participant, uint64 slot) external;

    /// @notice The SDR prices of SPEC §8.3 (sell rounded down, buy rounded up).
    function sdrPrices(
        uint256 supplyWh,
        uint256 demandWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) external pure returns (uint256 pSell, uint256 pBuy);

    /// @notice Level 2 of `slot`.
    function level2Of(uint64 slot) external view returns (Level2 memory);

    /// @notice Level 1 of (`microgrid`, `slot`) (after level 2).
    function level1Of(uint32 microgrid, uint64 slot) external view returns (Level1 memory);

    /// @notice Whether `participant`'s participant-slot `slot` has settled.
    function isSettled(address participant, uint64 slot) external view returns (bool);
}
