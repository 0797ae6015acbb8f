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

    /// @notice Per-microgrid progress of a slot's settlement. `inLevel2`: the microgrid was registered when level 2
    /// ran (only those count towards closing the slot); `priced`: its level-1 prices are fixed (at level 2 when
    /// counted there, else at its first settlement, which also settles its residual with the grid account);
    /// `feesPaid`: `payBlockFees` ran; `done`: fees paid and every participant-slot settled; `settled`: how many
    /// of its participant-slots have settled.
    struct MicrogridProgress {
        bool inLevel2;
        bool priced;
        bool feesPaid;
        bool done;
        uint32 settled;
    }

    /// @notice Money of a slot's settlement: `moneyIn` entered the market's pool for the slot (bid escrow released,
    /// charges, the grid account's payments and advances), `moneyOut` left it (credits, fee payouts and burns,
    /// penalty burns, payments to the grid account). `microgrids`: registered microgrids when level 2 ran;
    /// `microgridsDone`: those done; `closed`: all done, `moneyIn − moneyOut` moved to the dust.
    struct SlotMoney {
        uint256 moneyIn;
        uint256 moneyOut;
        uint32 microgrids;
        uint32 microgridsDone;
        bool closed;
    }

    // ---------------------------------------------------------------- errors
    /// @notice The zero address was given to the constructor.
    error ZeroAddress();
    /// @notice The fees of (`microgrid`, `slot`) were paid already.
    error BlockFeesAlreadyPaid(uint32 microgrid, uint64 slot);
    /// @notice The book of (`microgrid`, `slot`) is not cleared.
    error BookNotCleared(uint32 microgrid, uint64 slot);
    /// @notice Level 2 of `slot` ran already.
    error Level2AlreadyRun(uint64 slot);
    /// @notice Level 2 of `slot` cannot run yet: `microgrid` is not final and the deadline `deadline` (unix
    /// time) has not come.
    error Level2NotReady(uint64 slot, uint32 microgrid, uint64 deadline);
    /// @notice Level 2 of `slot` has not run.
    error Level2NotRun(uint64 slot);
    /// @notice The meter data of (`microgrid`, `slot`) is not final.
    error MeterDataNotFinal(uint32 microgrid, uint64 slot);
    /// @notice `participant` is no participant of `slot`: no live orders and no accepted (or excluded) reading.
    error NothingToSettle(address participant, uint64 slot);
    /// @notice `participant`'s participant-slot `slot` settled already.
    error AlreadySettled(address participant, uint64 slot);
    /// @notice The grid account owes `gridDebt`: a payout that would take the pool (further) below zero waits.
    error GridAccountUnderfunded(uint256 gridDebt);
    /// @notice An amount of zero was given.
    error ZeroAmount();
    /// @notice A repayment of `amount` exceeds the debt `debt`.
    error RepayExceedsDebt(uint256 amount, uint256 debt);
    /// @notice A repayment of `amount` exceeds the caller's free prepaid balance `available`.
    error RepayNotCovered(uint256 amount, uint256 available);
    /// @notice There is no dust the pool can burn now (`dust` recorded, the pool holds `pool`).
    error NoDustToBurn(uint256 dust, int256 pool);
    /// @notice The grid account owes nothing.
    error NoGridDebt();
    /// @notice The grid account's prepaid balance is empty: nothing of its debt `gridDebt` could be collected.
    error GridDebtNotCollected(uint256 gridDebt);

    // ---------------------------------------------------------------- events
    /// @notice The fees of (`microgrid`, `slot`) were settled: `paid` to `proposer`, `burned` into the budget.
    event BlockFeesPaid(
        uint32 indexed microgrid,
        uint64 indexed slot,
        address indexed proposer,
        uint256 paid,
        uint256 burned
    );
    /// @notice Level 2 of `slot` ran: totals `surplusWh` (S2), `deficitWh` (D2), prices `sellPrice`, `buyPrice`;
    /// `paidToGrid` went to the grid account, `paidByGrid` was due from it.
    event Level2Run(
        uint64 indexed slot,
        uint256 surplusWh,
        uint256 deficitWh,
        uint256 sellPrice,
        uint256 buyPrice,
        uint256 paidToGrid,
        uint256 paidByGrid
    );
    /// @notice The level-1 prices of (`microgrid`, `slot`) were fixed; `counted`: by level 2 (else the microgrid
    /// was final too late and trades its residual with the grid account at the tariff).
    event Level1Priced(
        uint32 indexed microgrid,
        uint64 indexed slot,
        bool counted,
        uint256 outsideSellPrice,
        uint256 outsideBuyPrice,
        uint256 sellPrice,
        uint256 buyPrice
    );
    /// @notice The grid account was credited `credit` (of which `debtReduced` cancelled its debt) and charged
    /// `charge` (of which `debtAdded` it could not pay) for `slot` (`type(uint64).max`: a repayment or
    /// collection outside any slot); it now owes `gridDebt`.
    event GridAccountSettled(
        uint64 indexed slot,
        uint256 credit,
        uint256 debtReduced,
        uint256 charge,
        uint256 debtAdded,
        uint256 gridDebt
    );
    /// @notice `participant`'s participant-slot `slot` settled with imbalance `imbalanceWh`: `credit` added to
    /// its balance, `charged` of `charge` taken; `penaltyBurned` of the penalty excess burned; `advanced` of the
    /// pool part paid by the grid account and now owed by it; meter rating `alpha` (0 when it did not trade).
    event ParticipantSettled(
        address indexed participant,
        uint64 indexed slot,
        int256 imbalanceWh,
        uint256 credit,
        uint256 charge,
        uint256 charged,
        uint256 penaltyBurned,
        uint256 advanced,
        uint8 alpha
    );
    /// @notice `participant` repaid `amount` of its debt to the grid account; `debt` remains.
    event DebtRepaid(address indexed participant, uint256 amount, uint256 debt);
    /// @notice `amount` of the grid account's debt was collected from its prepaid balance; `gridDebt` remains.
    event GridDebtCollected(uint256 amount, uint256 gridDebt);
    /// @notice Every participant-slot of `slot` settled: `dust = moneyIn − moneyOut` was added to the dust.
    event SlotClosed(uint64 indexed slot, uint256 moneyIn, uint256 moneyOut, uint256 dust);
    /// @notice `amount` of dust was burned into the coin's reward budget.
    event DustBurned(uint256 amount);

    // ---------------------------------------------------------------- functions
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

    /// @notice The caller repays `amount` of its debt to the grid account out of its free prepaid balance
    /// (above its reserves); its debt flag clears when the debt reaches zero.
    function repayDebt(uint256 amount) external;

    /// @notice Collects as much of the grid account's debt as its prepaid balance holds; anyone.
    function collectGridDebt() external;

    /// @notice Burns the dust of closed slots, as much as the pool holds, into the coin's reward budget; anyone.
    function burnDust() external;

    /// @notice What `participant` owes the grid account for charges it advanced.
    function debtOf(address participant) external view returns (uint256);

    /// @notice What the grid account owes the pool (advances and payments its balance could not cover).
    function gridDebt() external view returns (uint256);

    /// @notice Dust of closed slots not burned yet.
    function dust() external view returns (uint256);

    /// @notice Money in and out of `slot` and how far its settlement is.
    function slotMoney(uint64 slot) external view returns (SlotMoney memory);

    /// @notice Settlement progress of (`microgrid`, `slot`).
    function microgridProgress(
        uint32 microgrid,
        uint64 slot
    ) external view returns (MicrogridProgress memory);

    /// @notice How many participant-slots (`microgrid`, `slot`) has: accounts with live orders plus accounts
    /// with an accepted (or excluded) reading and no orders.
    function participantsOf(uint32 microgrid, uint64 slot) external view returns (uint256);
}
