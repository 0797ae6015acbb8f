// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Roles} from "../access/Roles.sol";
import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";
import {IMeterReadings} from "../interfaces/IMeterReadings.sol";
import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {ITradeLedger} from "../interfaces/ITradeLedger.sol";
import {ITrustCoin} from "../interfaces/ITrustCoin.sol";
import {ITrustScoreOracle} from "../interfaces/ITrustScoreOracle.sol";
import {SdrPricing} from "../pricing/SdrPricing.sol";

/// @title Settlement
/// @notice Two-level SDR settlement of metered energy (SPEC §8.3, §8.4), pulled per participant, with the
/// fee payout of each trade block (§6.5), trade scoring (§5.1) and the grid account as supplier of last
/// resort. It holds no coins: every amount moves inside the market, through its settlement pool, with
/// `IEnergyMarket.settleAccount` and `IEnergyMarket.disburse`.
///
/// Money per slot. Every amount that enters the pool for slot `s` (bid escrow released, charges, the grid
/// account's payments and what it advances or owes) adds to `moneyIn[s]`; every amount that leaves it
/// (credits, fee payouts and fee burns, penalty burns, payments to the grid account) adds to `moneyOut[s]`.
/// When every microgrid of `s` is done (fees paid, every participant-slot settled) the slot closes and
/// `moneyIn − moneyOut` becomes dust. Always:
///     market.settlementPool() == Σ_{open slots} (moneyIn − moneyOut) + dust − gridDebt
/// (repayments and debt collections move the pool and `gridDebt` by the same amount, outside any slot).
///
/// Why a closed slot's dust is never negative. Forward money: buyers' costs round up and sellers'
/// proceeds down, each buyer's fee rounds up while the slot's fee aggregate `floor(buyerCost·feeBps/10 000)`
/// rounds down from a cost total at most the exact one (the market's precision proof), so Σ escrow released
/// − refunds − proceeds − fee aggregate ≥ 0 per book. Imbalance money: with exact prices, a microgrid of
/// level 2 with net `n > 0` pays out exactly `n·P2_sell` (its level-1 prices are `(P2_sell, P2_sell)`), one
/// with `n < 0` takes in exactly `|n|·P2_buy` (SPEC's `P_buy·D = P_sell·S + λ_b·(D − S)` with
/// `λ_b = P2_buy`), and then level 2 leaves exactly `(D2 − S2)·λ_buy` for the grid account, or takes
/// `(S2 − D2)·λ_sell` from it. A microgrid final too late for level 2 does the same with the tariff as its
/// outside prices and its own residual `gridFlow(TES, TEP)`. Every rounding moves money into the pool:
/// sell prices and payouts down, buy prices and charges up, what the grid account receives down and what it
/// pays up. A participant with orders whose meter record is None (default finality without
/// `accountMissing`) is charged as missing although the totals do not count it; its imbalance is never
/// positive (`−maxImportWh − P ≤ 0`, as a buyer's bought Wh never exceed its import capacity), so it only
/// adds money. A charge a participant cannot pay is advanced by the grid account (and owed to it); what the
/// grid account cannot pay is counted in as `gridDebt`, money the pool is owed. An unpaid penalty excess is
/// neither taken in nor burned. Hence `moneyIn ≥ moneyOut` for every closed slot; the contract still
/// subtracts with checked arithmetic, so a violation would revert rather than record negative dust.
contract Settlement is AccessControl, ReentrancyGuardTransient, ISettlement {
    /// @notice Pays block fees at the finality of a microgrid-slot (the trade-blocks contract).
    bytes32 public constant CONSENSUS_ROLE = Roles.CONSENSUS_ROLE;
    /// @notice The slot passed to `IEnergyMarket.settleAccount` for moves outside any slot's orders: the grid
    /// account's flows, repayments and debt collections. No account can hold orders in it (orders are
    /// accepted at most `maxLeadSlots` ahead of the current slot), so the market only moves balances.
    uint64 public constant OUTSIDE_SLOT = type(uint64).max;

    /// @notice Basis points in one.
    uint256 private constant BPS = 10_000;
    /// @notice Prices are per kWh: the value of q Wh at price p is q · p / 1000 (SPEC §2).
    uint256 private constant WH_PER_KWH = 1000;

    /// @notice The trust coin (the market holds and moves it; kept for reference and deployment checks).
    ITrustCoin public immutable COIN;
    /// @notice The registry (participants, microgrids, tariff, clock, grid account, debt flags).
    IRegistry public immutable REGISTRY;
    /// @notice The energy market (positions, books, prepaid balances, the settlement pool).
    IEnergyMarket public immutable MARKET;
    /// @notice The meter readings (finality, imbalance totals, meter records).
    IMeterReadings public immutable METER;
    /// @notice The trust-score oracle (trade scoring).
    ITrustScoreOracle public immutable ORACLE;

    /// @notice Level-1 prices and progress of one microgrid-slot.
    struct MicrogridSlot {
        Level1 level1;
        MicrogridProgress progress;
    }

    /// @notice One participant-slot: settled, and whether it traded (had fills).
    struct ParticipantSlot {
        bool settled;
        bool traded;
    }

    /// @notice A microgrid as level 2 sees it: counted (final before the deadline) with its totals.
    struct MicrogridInput {
        uint32 microgrid;
        bool counted;
        uint256 surplusWh;
        uint256 deficitWh;
    }

    /// @notice The tariff of a slot, TRC base units per kWh.
    struct Tariff {
        uint256 gridBuyPrice;
        uint256 gridSellPrice;
    }

    /// @notice What a participant-slot's settlement computes (`charge` = pool part + penalty excess) and
    /// what moving it gave (`charged` taken, `burned` of the excess, `advanced` by the grid account).
    struct Outcome {
        int256 imbalanceWh;
        uint256 credit;
        uint256 poolCharge;
        uint256 penaltyExcess;
        uint256 escrow;
        uint256 missedWh;
        uint256 charge;
        uint256 charged;
        uint256 burned;
        uint256 advanced;
        uint8 alpha;
    }

    mapping(uint64 slot => Level2) private _level2;
    mapping(uint64 slot => SlotMoney) private _slotMoney;
    mapping(uint32 microgrid => mapping(uint64 slot => MicrogridSlot)) private _microgridSlots;
    mapping(address participant => mapping(uint64 slot => ParticipantSlot)) private _participantSlots;
    mapping(address participant => uint256) private _debts;
    uint256 private _gridDebt;
    uint256 private _dust;

    /// @notice Wires settlement to the suite; `admin` gets DEFAULT_ADMIN_ROLE. Reverts with {ZeroAddress} for
    /// a zero argument. The deploy step grants it SETTLEMENT_ROLE on the market, DEBT_ROLE on the registry and
    /// TRADE_SCORER_ROLE on the oracle, and CONSENSUS_ROLE here to the trade-blocks contract.
    constructor(
        address admin,
        ITrustCoin coin,
        IRegistry registry,
        IEnergyMarket market,
        IMeterReadings meter,
        ITrustScoreOracle oracle
    ) {
        if (
            admin == address(0) ||
            address(coin) == address(0) ||
            address(registry) == address(0) ||
            address(market) == address(0) ||
            address(meter) == address(0) ||
            address(oracle) == address(0)
        ) revert ZeroAddress();
        COIN = coin;
        REGISTRY = registry;
        MARKET = market;
        METER = meter;
        ORACLE = oracle;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ================================================================ block fees

    /// @inheritdoc ISettlement
    /// @dev The fee aggregate is `floor(buyerCost · feeBps / 10 000)` of the book's aggregates; a zero
    /// proposer (default finality) is paid nothing, so all of it burns. Never checks the grid account's
    /// debt: finality must not wait on the DSO.
    function payBlockFees(
        uint32 microgrid,
        uint64 slot,
        address proposer,
        uint256 feePayout
    ) external onlyRole(CONSENSUS_ROLE) nonReentrant returns (uint256 paid) {
        MicrogridProgress storage progress = _microgridSlots[microgrid][slot].progress;
        if (progress.feesPaid) revert BlockFeesAlreadyPaid(microgrid, slot);
        if (!MARKET.isCleared(microgrid, slot)) revert BookNotCleared(microgrid, slot);
        uint256 aggregate = Math.mulDiv(
            MARKET.slotAggregates(microgrid, slot).buyerCost,
            MARKET.bookTerms(microgrid, slot).feeBps,
            BPS
        );
        paid = proposer == address(0) ? 0 : Math.min(feePayout, aggregate);
        uint256 burned = aggregate - paid;
        progress.feesPaid = true;
        _slotMoney[slot].moneyOut += aggregate;
        emit BlockFeesPaid(microgrid, slot, proposer, paid, burned);
        if (aggregate != 0) MARKET.disburse(proposer, paid, burned);
        _markDoneIfComplete(microgrid, slot);
    }

    // ================================================================ level 2

    /// @inheritdoc ISettlement
    /// @dev One loop over the registered microgrids (at most `maxMicrogrids`, 64 by default). The deadline
    /// is `registry.slotEnd(slot + settleDeadline)`; a microgrid counts at level 2 when its meter data was
    /// final before it. The others are balanced at level 2 and priced at their first settlement. The grid
    /// account's flow is paid now, even before any participant pays in: the pool may go negative.
    function runLevel2(uint64 slot) external nonReentrant {
        Level2 storage level2 = _level2[slot];
        if (level2.done) revert Level2AlreadyRun(slot);
        (MicrogridInput[] memory inputs, uint256 supplyWh, uint256 demandWh) = _level2Inputs(slot);
        Tariff memory tariff;
        (tariff.gridBuyPrice, tariff.gridSellPrice) = REGISTRY.tariffAt(slot);
        SdrPricing.LevelTwo memory result;
        (result.sellPrice, result.buyPrice) = SdrPricing.sdrPrices(
            supplyWh,
            demandWh,
            tariff.gridSellPrice,
            tariff.gridBuyPrice
        );
        (result.paidToGrid, result.paidByGrid) = SdrPricing.gridFlow(
            supplyWh,
            demandWh,
            tariff.gridSellPrice,
            tariff.gridBuyPrice
        );
        // S2, D2 are sums of at most `maxMicrogrids` uint64 totals: SafeCast reverts only beyond 1.8e19 Wh in
        // one slot. Prices lie within the tariff, which the registry keeps below 2^104.
        level2.done = true;
        level2.surplusWh = SafeCast.toUint64(supplyWh);
        level2.deficitWh = SafeCast.toUint64(demandWh);
        level2.sellPrice = SafeCast.toUint128(result.sellPrice);
        level2.buyPrice = SafeCast.toUint128(result.buyPrice);
        emit Level2Run(
            slot,
            supplyWh,
            demandWh,
            result.sellPrice,
            result.buyPrice,
            result.paidToGrid,
            result.paidByGrid
        );
        SlotMoney storage money = _slotMoney[slot];
        // At most `maxMicrogrids`, a uint32.
        money.microgrids = uint32(inputs.length);
        money.microgridsDone = _priceMicrogrids(slot, inputs, result, tariff);
        _settleGrid(slot, result.paidToGrid, result.paidByGrid);
        _closeIfDone(slot);
    }

    // ================================================================ settlement

    /// @inheritdoc ISettlement
    /// @dev O(own orders) (the market's `positionOf`); a microgrid final too late for level 2 is priced, and
    /// its residual with the grid account settled at the tariff, at its first participant's settlement.
    function settle(address participant, uint64 slot) external nonReentrant {
        ParticipantSlot storage participantSlot = _participantSlots[participant][slot];
        if (participantSlot.settled) revert AlreadySettled(participant, slot);
        if (!_level2[slot].done) revert Level2NotRun(slot);
        uint32 microgrid = REGISTRY.participant(participant).microgrid;
        IMeterReadings.SlotMeter memory meter = METER.slotMeter(microgrid, slot);
        if (meter.finalizedAt == 0) revert MeterDataNotFinal(microgrid, slot);
        IEnergyMarket.Position memory position = MARKET.positionOf(participant, slot);
        IMeterReadings.MeterRecord memory record = METER.meterRecord(participant, slot);
        if (position.liveOrders == 0 && record.status == IMeterReadings.Status.None)
            revert NothingToSettle(participant, slot);

        Level1 memory prices = _level1Prices(microgrid, slot, meter);
        Outcome memory outcome = _outcome(participant, slot, position, record, prices);
        if (position.side == IOrderBook.Side.Offer && outcome.missedWh != 0) {
            outcome.penaltyExcess = _penaltyExcess(
                outcome.missedWh,
                position.filledWh,
                position.money,
                prices.buyPrice,
                MARKET.bookTerms(microgrid, slot).penaltyBps
            );
        }
        participantSlot.settled = true;
        participantSlot.traded = position.filledWh != 0;
        ++_microgridSlots[microgrid][slot].progress.settled;
        _pay(participant, slot, outcome);
        if (position.filledWh != 0) ORACLE.recordTrade(participant, slot, outcome.alpha, position.money);
        _markDoneIfComplete(microgrid, slot);
    }

    // ================================================================ debt and dust

    /// @inheritdoc ISettlement
    /// @dev Moves `amount` from the caller's prepaid balance into the pool (`settleAccount` on
    /// `OUTSIDE_SLOT`) and credits it to the grid account, which first cancels the grid account's own debt.
    function repayDebt(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        uint256 debt = _debts[msg.sender];
        if (amount > debt) revert RepayExceedsDebt(amount, debt);
        uint256 available = MARKET.withdrawableOf(msg.sender);
        if (amount > available) revert RepayNotCovered(amount, available);
        debt -= amount;
        _debts[msg.sender] = debt;
        // amount <= the free balance, so the market takes all of it.
        MARKET.settleAccount(msg.sender, OUTSIDE_SLOT, 0, amount);
        emit DebtRepaid(msg.sender, amount, debt);
        _moveGrid(OUTSIDE_SLOT, amount, 0);
        if (debt == 0) _syncDebtFlag(msg.sender);
    }

    /// @inheritdoc ISettlement
    function collectGridDebt() external nonReentrant {
        uint256 debt = _gridDebt;
        if (debt == 0) revert NoGridDebt();
        address grid = REGISTRY.gridAccount();
        (, uint256 charged) = MARKET.settleAccount(grid, OUTSIDE_SLOT, 0, debt);
        if (charged == 0) revert GridDebtNotCollected(debt);
        debt -= charged;
        _gridDebt = debt;
        emit GridDebtCollected(charged, debt);
        if (debt == 0) _syncDebtFlag(grid);
    }

    /// @inheritdoc ISettlement
    /// @dev Burns `min(dust, pool)`: never while the grid account owes the pool, and never below what the
    /// pool holds, so burning never spends money that open slots or debts still owe the pool.
    function burnDust() external nonReentrant {
        if (_gridDebt != 0) revert GridAccountUnderfunded(_gridDebt);
        uint256 recorded = _dust;
        int256 pool = MARKET.settlementPool();
        // pool > 0 is checked before the cast.
        uint256 amount = pool > 0 ? Math.min(recorded, uint256(pool)) : 0;
        if (amount == 0) revert NoDustToBurn(recorded, pool);
        _dust = recorded - amount;
        emit DustBurned(amount);
        MARKET.disburse(address(0), 0, amount);
    }

    // ================================================================ views

    /// @inheritdoc ISettlement
    function sdrPrices(
        uint256 supplyWh,
        uint256 demandWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) external pure returns (uint256 pSell, uint256 pBuy) {
        return SdrPricing.sdrPrices(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
    }

    /// @inheritdoc ISettlement
    function level2Of(uint64 slot) external view returns (Level2 memory) {
        return _level2[slot];
    }

    /// @inheritdoc ISettlement
    function level1Of(uint32 microgrid, uint64 slot) external view returns (Level1 memory) {
        return _microgridSlots[microgrid][slot].level1;
    }

    /// @inheritdoc ISettlement
    function isSettled(address participant, uint64 slot) external view returns (bool) {
        return _participantSlots[participant][slot].settled;
    }

    /// @inheritdoc ITradeLedger
    function hasSettledTrade(address participant, uint64 slot) external view returns (bool) {
        ParticipantSlot memory participantSlot = _participantSlots[participant][slot];
        return participantSlot.settled && participantSlot.traded;
    }

    /// @inheritdoc ISettlement
    function debtOf(address participant) external view returns (uint256) {
        return _debts[participant];
    }

    /// @inheritdoc ISettlement
    function gridDebt() external view returns (uint256) {
        return _gridDebt;
    }

    /// @inheritdoc ISettlement
    function dust() external view returns (uint256) {
        return _dust;
    }

    /// @inheritdoc ISettlement
    function slotMoney(uint64 slot) external view returns (SlotMoney memory) {
        return _slotMoney[slot];
    }

    /// @inheritdoc ISettlement
    function microgridProgress(
        uint32 microgrid,
        uint64 slot
    ) external view returns (MicrogridProgress memory) {
        return _microgridSlots[microgrid][slot].progress;
    }

    /// @inheritdoc ISettlement
    function participantsOf(uint32 microgrid, uint64 slot) public view returns (uint256) {
        IMeterReadings.SlotMeter memory meter = METER.slotMeter(microgrid, slot);
        return MARKET.participantCount(microgrid, slot) + meter.readings - meter.readingsWithOrders;
    }

    // ================================================================ internals

    /// @notice Every registered microgrid of `slot` for level 2, and `S2`, `D2` over those counted. Reverts with
    /// {Level2NotReady} while one is not final and the deadline `slotEnd(slot + settleDeadline)` has not come.
    function _level2Inputs(
        uint64 slot
    ) private view returns (MicrogridInput[] memory inputs, uint256 supplyWh, uint256 demandWh) {
        uint64 deadline = REGISTRY.slotEnd(slot + MARKET.settleDeadline());
        uint256 count = REGISTRY.microgridCount();
        inputs = new MicrogridInput[](count);
        for (uint256 i = 0; i < count; ++i) {
            uint32 microgrid = REGISTRY.microgridAt(i);
            IMeterReadings.SlotMeter memory meter = METER.slotMeter(microgrid, slot);
            if (meter.finalizedAt == 0 && block.timestamp < deadline)
                revert Level2NotReady(slot, microgrid, deadline);
            inputs[i].microgrid = microgrid;
            if (meter.finalizedAt == 0 || meter.finalizedAt > deadline - 1) continue;
            inputs[i].counted = true;
            inputs[i].surplusWh = meter.surplusWh;
            inputs[i].deficitWh = meter.deficitWh;
            if (meter.surplusWh > meter.deficitWh) supplyWh += meter.surplusWh - meter.deficitWh;
            else demandWh += meter.deficitWh - meter.surplusWh;
        }
    }

    /// @notice Marks the microgrids of level 2 as members of `slot` and fixes the level-1 prices of those it
    /// counted (outside prices from `result`, SPEC §8.3); returns how many are done already.
    function _priceMicrogrids(
        uint64 slot,
        MicrogridInput[] memory inputs,
        SdrPricing.LevelTwo memory result,
        Tariff memory tariff
    ) private returns (uint32 done) {
        for (uint256 i = 0; i < inputs.length; ++i) {
            MicrogridInput memory input = inputs[i];
            MicrogridSlot storage state = _microgridSlots[input.microgrid][slot];
            state.progress.inLevel2 = true;
            if (state.progress.done) ++done;
            if (!input.counted) continue;
            (uint256 outsideSell, uint256 outsideBuy) = SdrPricing.outsidePrices(
                input.surplusWh,
                input.deficitWh,
                result.sellPrice,
                result.buyPrice,
                tariff.gridSellPrice,
                tariff.gridBuyPrice
            );
            _setLevel1(state, input, slot, true, outsideSell, outsideBuy);
        }
    }

    /// @notice The level-1 prices of (`microgrid`, `slot`); for a microgrid level 2 did not count, fixes them
    /// now with the tariff as outside prices and settles its residual with the grid account (once).
    function _level1Prices(
        uint32 microgrid,
        uint64 slot,
        IMeterReadings.SlotMeter memory meter
    ) private returns (Level1 memory) {
        MicrogridSlot storage state = _microgridSlots[microgrid][slot];
        if (state.progress.priced) return state.level1;
        (uint256 gridBuyPrice, uint256 gridSellPrice) = REGISTRY.tariffAt(slot);
        MicrogridInput memory input = MicrogridInput(microgrid, false, meter.surplusWh, meter.deficitWh);
        _setLevel1(state, input, slot, false, gridSellPrice, gridBuyPrice);
        (uint256 paidToGrid, uint256 paidByGrid) = SdrPricing.gridFlow(
            meter.surplusWh,
            meter.deficitWh,
            gridSellPrice,
            gridBuyPrice
        );
        _settleGrid(slot, paidToGrid, paidByGrid);
        return state.level1;
    }

    /// @notice Stores the level-1 prices `sdrPrices(TES, TEP, outsideSell, outsideBuy)` of `input`'s microgrid.
    function _setLevel1(
        MicrogridSlot storage state,
        MicrogridInput memory input,
        uint64 slot,
        bool counted,
        uint256 outsideSell,
        uint256 outsideBuy
    ) private {
        (uint256 sellPrice, uint256 buyPrice) = SdrPricing.levelOnePrices(
            input.surplusWh,
            input.deficitWh,
            outsideSell,
            outsideBuy
        );
        // All four prices lie within the tariff, below 2^104.
        state.level1 = Level1({
            counted: counted,
            outsideSellPrice: SafeCast.toUint128(outsideSell),
            outsideBuyPrice: SafeCast.toUint128(outsideBuy),
            sellPrice: SafeCast.toUint128(sellPrice),
            buyPrice: SafeCast.toUint128(buyPrice)
        });
        state.progress.priced = true;
        emit Level1Priced(input.microgrid, slot, counted, outsideSell, outsideBuy, sellPrice, buyPrice);
    }

    /// @notice The money and rating of a participant-slot (SPEC §8.4, §5.1), before anything moves.
    /// Seller: credit its proceeds. Buyer: the market releases all its remaining escrow to the pool; credit
    /// back `escrow − cost − fee`. Imbalance: a surplus is credited at `P1_sell` (down), a deficit charged at
    /// `P1_buy` (up). The penalty excess of a seller's shortfall (`missedWh`) is added by the caller.
    function _outcome(
        address participant,
        uint64 slot,
        IEnergyMarket.Position memory position,
        IMeterReadings.MeterRecord memory record,
        Level1 memory prices
    ) private view returns (Outcome memory outcome) {
        outcome.imbalanceWh = _imbalanceOf(participant, slot, position, record);
        if (position.side == IOrderBook.Side.Offer) {
            outcome.credit = position.money;
        } else if (position.side == IOrderBook.Side.Bid) {
            outcome.escrow = position.escrow;
            // The market keeps a bid's cost and fee in its escrow (each at most its part of the escrow at the
            // limit price); checked subtraction all the same.
            outcome.credit = position.escrow - position.money - position.fee;
        }
        uint256 surplusWh = outcome.imbalanceWh > 0 ? uint256(outcome.imbalanceWh) : 0;
        uint256 deficitWh = outcome.imbalanceWh < 0 ? uint256(-outcome.imbalanceWh) : 0;
        if (surplusWh != 0) outcome.credit += SdrPricing.payoutFor(surplusWh, prices.sellPrice);
        if (deficitWh != 0) outcome.poolCharge = SdrPricing.chargeFor(deficitWh, prices.buyPrice);
        // A seller's shortfall `min(sold, max(0, −I))` or a buyer's unconsumed `min(bought, max(0, I))`.
        uint256 missedWh = 0;
        if (position.side == IOrderBook.Side.Offer) missedWh = Math.min(position.filledWh, deficitWh);
        else if (position.side == IOrderBook.Side.Bid) missedWh = Math.min(position.filledWh, surplusWh);
        outcome.missedWh = missedWh;
        if (position.filledWh != 0) outcome.alpha = _alpha(record.status, position.filledWh, missedWh);
    }

    /// @notice The imbalance `I` of a participant-slot: its meter record's, or, for an account with orders
    /// and no record (default finality without `accountMissing`), the missing one `−maxImportWh − P`
    /// (SPEC §8.1) with the capacity of the slot.
    function _imbalanceOf(
        address participant,
        uint64 slot,
        IEnergyMarket.Position memory position,
        IMeterReadings.MeterRecord memory record
    ) private view returns (int256) {
        if (record.status != IMeterReadings.Status.None) return record.imbalanceWh;
        (uint64 maxImportWh, ) = REGISTRY.capacityAt(participant, slot);
        // filledWh < 2^64: the casts are exact.
        int256 positionWh =
            position.side == IOrderBook.Side.Offer
                ? int256(uint256(position.filledWh))
                : -int256(uint256(position.filledWh));
        return -int256(uint256(maxImportWh)) - positionWh;
    }

    /// @notice Moves a participant-slot's money: one `settleAccount` with its credit and total charge, the
    /// paid penalty excess burned, an unpaid pool part advanced by the grid account and owed to it.
    function _pay(address participant, uint64 slot, Outcome memory outcome) private {
        outcome.charge = outcome.poolCharge + outcome.penaltyExcess;
        _checkPayout(outcome);
        uint256 released;
        (released, outcome.charged) = MARKET.settleAccount(participant, slot, outcome.credit, outcome.charge);
        SlotMoney storage money = _slotMoney[slot];
        money.moneyIn += released + outcome.charged;
        money.moneyOut += outcome.credit;
        // The balance pays the pool part first; only what is left of the payment goes to the penalty excess.
        uint256 poolPaid = Math.min(outcome.charged, outcome.poolCharge);
        outcome.burned = outcome.charged - poolPaid;
        outcome.advanced = outcome.poolCharge - poolPaid;
        if (outcome.burned != 0) {
            money.moneyOut += outcome.burned;
            MARKET.disburse(address(0), 0, outcome.burned);
        }
        if (outcome.advanced != 0) {
            _debts[participant] += outcome.advanced;
            _syncDebtFlag(participant);
            _settleGrid(slot, 0, outcome.advanced);
        }
        emit ParticipantSettled(
            participant,
            slot,
            outcome.imbalanceWh,
            outcome.credit,
            outcome.charge,
            outcome.charged,
            outcome.burned,
            outcome.advanced,
            outcome.alpha
        );
    }

    /// @notice Reverts with {GridAccountUnderfunded} when the grid account owes the pool and this settlement,
    /// a net payout (so the market takes all of `charge`), would leave the pool below zero.
    function _checkPayout(Outcome memory outcome) private view {
        uint256 debt = _gridDebt;
        uint256 charge = outcome.charge;
        if (debt == 0 || outcome.credit < charge + 1) return;
        // Amounts are below the coin supply (< 2^255), so the casts are exact.
        int256 poolAfter =
            MARKET.settlementPool() + int256(outcome.escrow) + int256(charge) - int256(outcome.credit);
        if (poolAfter < 0) revert GridAccountUnderfunded(debt);
    }

    /// @notice The grid account's flow for `slot`: counted in the slot's money, then moved.
    function _settleGrid(uint64 slot, uint256 credit, uint256 charge) private {
        if (credit == 0 && charge == 0) return;
        SlotMoney storage money = _slotMoney[slot];
        money.moneyOut += credit;
        money.moneyIn += charge;
        _moveGrid(slot, credit, charge);
    }

    /// @notice Credits the grid account `credit` (cancelling its debt first) and charges it `charge`; what its
    /// balance cannot pay becomes its debt. Keeps `pool = Σ open (in − out) + dust − gridDebt`.
    function _moveGrid(uint64 slot, uint256 credit, uint256 charge) private {
        address grid = REGISTRY.gridAccount();
        uint256 debt = _gridDebt;
        uint256 debtReduced = Math.min(debt, credit);
        uint256 creditPaid = credit - debtReduced;
        uint256 charged = 0;
        if (creditPaid != 0 || charge != 0)
            (, charged) = MARKET.settleAccount(grid, OUTSIDE_SLOT, creditPaid, charge);
        uint256 debtAdded = charge - charged;
        uint256 newDebt = debt - debtReduced + debtAdded;
        _gridDebt = newDebt;
        emit GridAccountSettled(slot, credit, debtReduced, charge, debtAdded, newDebt);
        if ((debt == 0) != (newDebt == 0)) _syncDebtFlag(grid);
    }

    /// @notice Sets `account`'s registry debt flag to whether it owes anything (its own debt, or the grid
    /// debt if it is the grid account); skips unregistered accounts (a grid account need not be a
    /// participant) and flags already right.
    function _syncDebtFlag(address account) private {
        IRegistry.Participant memory registered = REGISTRY.participant(account);
        if (registered.kind == IRegistry.Kind.None) return;
        bool owes = _debts[account] != 0 || (_gridDebt != 0 && account == REGISTRY.gridAccount());
        if (registered.indebted != owes) REGISTRY.setIndebted(account, owes);
    }

    /// @notice Marks (`microgrid`, `slot`) done once its fees are paid and all its participant-slots settled,
    /// and closes the slot when that was its last microgrid.
    function _markDoneIfComplete(uint32 microgrid, uint64 slot) private {
        MicrogridProgress storage progress = _microgridSlots[microgrid][slot].progress;
        if (progress.done || !progress.feesPaid || progress.settled != participantsOf(microgrid, slot))
            return;
        progress.done = true;
        // Microgrids done before level 2 are counted when it runs; microgrids registered after it have no
        // participants in the slot (its gate and reading window had passed) and do not count.
        if (!progress.inLevel2) return;
        ++_slotMoney[slot].microgridsDone;
        _closeIfDone(slot);
    }

    /// @notice Closes `slot` once level 2 ran and all its microgrids are done: its money in minus out is dust.
    function _closeIfDone(uint64 slot) private {
        SlotMoney storage money = _slotMoney[slot];
        if (money.closed || !_level2[slot].done || money.microgridsDone != money.microgrids) return;
        money.closed = true;
        // Never negative (see the contract's notice); checked, so a violation reverts.
        uint256 slotDust = money.moneyIn - money.moneyOut;
        _dust += slotDust;
        emit SlotClosed(slot, money.moneyIn, money.moneyOut, slotDust);
    }

    /// @notice The penalty excess of a seller's shortfall (SPEC §8.4): `ceil(shortfall · (penaltyPrice −
    /// P1_buy) / 1000)` with `penaltyPrice = max(P1_buy, avgSellPrice · (1 + penaltyBps / 10 000))` and the
    /// exact `avgSellPrice = proceeds · 1000 / sold` (never rounded on its own). Scaled by `sold · 10^7`:
    /// `penaltyPrice · sold · 10^4 = proceeds · (10^4 + penaltyBps) · 1000`. The deficit part at `P1_buy` is
    /// already in the imbalance charge, so the whole shortfall costs at least `shortfall · penaltyPrice /
    /// 1000`: a seller that delivers nothing pays at least its proceeds times `1 + penaltyBps / 10 000`.
    /// @dev Bounds: proceeds < 2^64 Wh · 2^104 / 1000, so the first product < 2^192; `p1Buy < 2^104`,
    /// `soldWh < 2^64`, so the second < 2^182; `mulDiv` takes the 512-bit product with `shortfallWh`.
    function _penaltyExcess(
        uint256 shortfallWh,
        uint256 soldWh,
        uint256 proceeds,
        uint256 p1Buy,
        uint256 penaltyBps
    ) private pure returns (uint256) {
        uint256 penaltyScaled = proceeds * (BPS + penaltyBps) * WH_PER_KWH;
        uint256 poolScaled = p1Buy * soldWh * BPS;
        if (penaltyScaled < poolScaled + 1) return 0;
        return
            Math.mulDiv(
                shortfallWh,
                penaltyScaled - poolScaled,
                soldWh * BPS * WH_PER_KWH,
                Math.Rounding.Ceil
            );
    }

    /// @notice α of SPEC §5.1: `1 + round_half_up(4 · (filled − missed) / filled)` with an accepted reading
    /// (Read or Substitute), else 1. `round_half_up(4d/f) = floor((8d + f) / (2f))`.
    function _alpha(
        IMeterReadings.Status status,
        uint256 filledWh,
        uint256 missedWh
    ) private pure returns (uint8) {
        if (status != IMeterReadings.Status.Read && status != IMeterReadings.Status.Substitute) return 1;
        // missedWh <= filledWh < 2^64, so the result is 1..5.
        return uint8(1 + (8 * (filledWh - missedWh) + filledWh) / (2 * filledWh));
    }
}
