// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {LibBit} from "solady/src/utils/LibBit.sol";
import {Roles} from "../access/Roles.sol";
import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";
import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ITrustCoin} from "../interfaces/ITrustCoin.sol";
import {ITrustScoreOracle} from "../interfaces/ITrustScoreOracle.sol";
import {OrderBook} from "./OrderBook.sol";
import {LinkedOrderBook} from "./LinkedOrderBook.sol";
import {TickBitmap} from "./TickBitmap.sol";

/// @title EnergyMarket
/// @notice The TRP-gated forward market of SPEC §4 and §7: prepaid TRC balances with per-slot reserves,
/// one `OrderBook` per (microgrid, slot) — a microgrid is a shard, books never mix — bid escrow, clearing
/// driven by anyone after the gate, and pull refunds of unfilled escrow. Clearing itself is the
/// `OrderBook` library's; this contract checks who may trade what, and moves the money.
///
/// Money: the market's TRC balance is always `totalPrepaid() + totalEscrow() + settlementPool()` (prepaid
/// balances, bid escrow not yet refunded — unfilled escrow until `withdrawUnfilled`, cost and fee until
/// settlement —, and the settlement pool: escrow and charges taken by settlement, minus its credits and
/// disbursements; the pool is negative while settlement has paid out before collecting, e.g. a slot's fees
/// paid at finality before its buyers settle, or a surplus credited before a deficit is charged).
///
/// Frozen accounts: each account's unsettled participant-slots (slots with live orders whose reserve
/// settlement has not released) are kept in a bitmap of 256-slot words with the index of its lowest
/// non-empty word. A slot is only added by an account that is not frozen, i.e. whose oldest unsettled
/// slot is at least `currentSlot - settleGrace - settleDeadline`, and is at most
/// `currentSlot + maxLeadSlots`; since `settleGrace + settleDeadline + maxLeadSlots < 256` (checked on
/// every change), an account's unsettled slots span fewer than 256 slots, so they lie in at most two
/// adjacent words and the oldest one is found in O(1).
contract EnergyMarket is AccessControl, ReentrancyGuardTransient, IEnergyMarket {
    using OrderBook for OrderBook.Book;
    using TickBitmap for TickBitmap.Bitmap;
    using SafeERC20 for ITrustCoin;

    /// @notice Changes validated parameters.
    bytes32 public constant PARAMS_ROLE = Roles.PARAMS_ROLE;
    /// @notice Settles participant-slots and disburses the settlement pool (the settlement contract).
    bytes32 public constant SETTLEMENT_ROLE = Roles.SETTLEMENT_ROLE;

    /// @notice Prices are per kWh: the value of q Wh at price p is q * p / 1000 (SPEC §2).
    uint256 private constant WH_PER_KWH = 1000;
    /// @notice Basis points in one.
    uint256 private constant BPS = 10_000;
    /// @notice Highest TRP level.
    uint8 private constant MAX_LEVEL = 4;
    /// @notice Largest tick size the order book supports.
    uint256 private constant MAX_TICK_SIZE = 1e21;
    /// @notice Bounds of `maxClearGas`.
    uint256 private constant MIN_CLEAR_GAS = 500_000;
    uint256 private constant MAX_CLEAR_GAS = 30_000_000;
    /// @notice Slots per word of the unsettled-slot bitmap.
    uint256 private constant SLOTS_PER_WORD = 256;
    /// @notice Largest `maxOrdersPerSlot`: `withdrawUnfilled` costs about 15 000 gas per own order, so 512
    /// orders stay under 8 M gas (reports/gas/market.json).
    uint256 private constant MAX_ORDERS_PER_SLOT = 512;

    /// @notice The trust coin.
    ITrustCoin public immutable COIN;
    /// @notice The registry (participants, tariffs, clock, pause).
    IRegistry public immutable REGISTRY;
    /// @notice The trust-score oracle (TRP levels, scores, access fractions).
    ITrustScoreOracle public immutable ORACLE;
    /// @notice The registry's order horizon, fixed at its deployment.
    uint64 private immutable _MAX_LEAD_SLOTS;
    /// @notice The registry's clock (genesis, slot length, gate lead), immutable there, copied at deployment so
    /// that an order need not call the registry for it; `_currentSlot` and `_isOrderWindowOpen` compute
    /// exactly what the registry's `currentSlot` and `isOrderWindowOpen` return.
    uint64 private immutable _GENESIS;
    uint64 private immutable _SLOT_LENGTH;
    uint64 private immutable _GATE_LEAD;

    /// @notice Parameters, packed: what every order reads (minimum, order limit, settle window) shares a word
    /// with the tick size, so an order into an open book reads one word; fee, penalty and clearing gas in
    /// the other word.
    struct Params {
        uint64 minOrderWh;
        uint16 maxOrdersPerSlot;
        uint16 settleGrace;
        uint16 settleDeadline;
        uint128 tickSize;
        uint16 feeBps;
        uint16 penaltyBps;
        uint32 maxClearGas;
        uint128 gridFloat;
    }

    /// @notice One book with the terms it took, the slot's tariff (fixed once the slot is within the order
    /// horizon, as the registry schedules changes beyond it), its orders' owners and, per (level, limit
    /// tick), the number of buyer participant-slots whose highest live limit is there.
    struct MarketBook {
        OrderBook.Book book;
        BookTerms terms;
        uint128 gridBuyPrice;
        uint128 gridSellPrice;
        uint32 participants;
        mapping(uint64 orderId => address) ownerOf;
        mapping(uint256 level => mapping(uint256 tick => uint32)) topBidders;
    }

    /// @notice An account's orders in one slot; `maxImportWh` is its import capacity in the slot, recorded
    /// on the first live order (fixed once the slot is within the order horizon, like the tariff).
    struct AccountSlot {
        IOrderBook.Side side;
        uint8 level;
        uint64 scoreWad;
        uint16 topLimitTick;
        uint16 liveOrders; // at most maxOrdersPerSlot <= 512
        uint64 orderedWh;
        uint64 maxImportWh;
        bool unfilledWithdrawn;
        bool released;
        uint256 reserve;
        uint256 escrow;
        uint64[] orderIds;
    }

    /// @notice Number of unsettled participant-slots and the index of the lowest non-empty bitmap word.
    struct Unsettled {
        uint64 count;
        uint64 lowWord;
    }

    Params private _params;
    uint256 private _totalPrepaid;
    uint256 private _totalEscrow;
    int256 private _settlementPool;
    mapping(uint32 microgrid => mapping(uint64 slot => MarketBook)) private _books;
    mapping(address account => mapping(uint64 slot => AccountSlot)) private _accountSlots;
    mapping(address account => uint256) private _balances;
    mapping(address account => uint256) private _reserved;
    mapping(address account => Unsettled) private _unsettled;
    mapping(address account => mapping(uint256 word => uint256)) private _unsettledWords;

    /// @notice Deploys the market with SPEC defaults; `admin` gets DEFAULT_ADMIN_ROLE. Reverts with
    /// {ZeroAddress} for a zero argument, and with {InvalidParameter}("settleGrace") when the registry's order
    /// horizon leaves no room for the default settle window (`4 + 8 + maxLeadSlots` must stay below 256).
    constructor(address admin, ITrustCoin coin, IRegistry registry, ITrustScoreOracle oracle) {
        if (
            admin == address(0) ||
            address(coin) == address(0) ||
            address(registry) == address(0) ||
            address(oracle) == address(0)
        ) revert ZeroAddress();
        COIN = coin;
        REGISTRY = registry;
        ORACLE = oracle;
        _MAX_LEAD_SLOTS = registry.maxLeadSlots();
        _GENESIS = registry.genesis();
        _SLOT_LENGTH = registry.slotLength();
        _GATE_LEAD = registry.gateLead();
        _params = Params({
            tickSize: 1e15,
            feeBps: 100,
            penaltyBps: 2_000,
            maxClearGas: 10_000_000,
            minOrderWh: 10,
            settleGrace: 4,
            settleDeadline: 8,
            maxOrdersPerSlot: 64,
            gridFloat: 0
        });
        _checkSettleWindow(4, 8, "settleGrace");
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ================================================================ parameters

    /// @inheritdoc IEnergyMarket
    function setTickSize(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > MAX_TICK_SIZE) revert InvalidParameter("tickSize", value);
        emit ParameterSet("tickSize", _params.tickSize, value);
        _params.tickSize = uint128(value);
    }

    /// @inheritdoc IEnergyMarket
    function setFeeBps(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > BPS) revert InvalidParameter("feeBps", value);
        emit ParameterSet("feeBps", _params.feeBps, value);
        _params.feeBps = uint16(value);
    }

    /// @inheritdoc IEnergyMarket
    function setMinOrderWh(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > type(uint64).max) revert InvalidParameter("minOrderWh", value);
        emit ParameterSet("minOrderWh", _params.minOrderWh, value);
        _params.minOrderWh = uint64(value);
    }

    /// @inheritdoc IEnergyMarket
    function setMaxClearGas(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value < MIN_CLEAR_GAS || value > MAX_CLEAR_GAS) revert InvalidParameter("maxClearGas", value);
        emit ParameterSet("maxClearGas", _params.maxClearGas, value);
        _params.maxClearGas = uint32(value);
    }

    /// @inheritdoc IEnergyMarket
    function setPenaltyBps(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > BPS) revert InvalidParameter("penaltyBps", value);
        emit ParameterSet("penaltyBps", _params.penaltyBps, value);
        _params.penaltyBps = uint16(value);
    }

    /// @inheritdoc IEnergyMarket
    function setSettleGrace(uint256 value) external onlyRole(PARAMS_ROLE) {
        _checkSettleWindow(value, _params.settleDeadline, "settleGrace");
        emit ParameterSet("settleGrace", _params.settleGrace, value);
        _params.settleGrace = uint16(value);
    }

    /// @inheritdoc IEnergyMarket
    function setSettleDeadline(uint256 value) external onlyRole(PARAMS_ROLE) {
        _checkSettleWindow(_params.settleGrace, value, "settleDeadline");
        emit ParameterSet("settleDeadline", _params.settleDeadline, value);
        _params.settleDeadline = uint16(value);
    }

    /// @inheritdoc IEnergyMarket
    function setMaxOrdersPerSlot(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > MAX_ORDERS_PER_SLOT) revert InvalidParameter("maxOrdersPerSlot", value);
        emit ParameterSet("maxOrdersPerSlot", _params.maxOrdersPerSlot, value);
        _params.maxOrdersPerSlot = uint16(value);
    }

    /// @inheritdoc IEnergyMarket
    function setGridFloat(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > type(uint128).max) revert InvalidParameter("gridFloat", value);
        emit ParameterSet("gridFloat", _params.gridFloat, value);
        _params.gridFloat = uint128(value);
    }

    // ================================================================ prepaid balances

    /// @inheritdoc IEnergyMarket
    function deposit(uint256 amount) external nonReentrant {
        _deposit(amount);
    }

    /// @inheritdoc IEnergyMarket
    function depositWithPermit(
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        _tryPermit(amount, deadline, v, r, s);
        _deposit(amount);
    }

    /// @inheritdoc IEnergyMarket
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _checkNotFrozen(msg.sender);
        uint256 available = _withdrawable(msg.sender);
        if (amount > available) revert InsufficientFreeBalance(amount, available);
        uint256 balance = _balances[msg.sender] - amount;
        _balances[msg.sender] = balance;
        _totalPrepaid -= amount;
        emit Withdrawn(msg.sender, amount, balance);
        COIN.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IEnergyMarket
    function settleAccount(
        address account,
        uint64 slot,
        uint256 credit,
        uint256 charge
    ) external onlyRole(SETTLEMENT_ROLE) returns (uint256 escrowReleased, uint256 charged) {
        AccountSlot storage position = _accountSlots[account][slot];
        if (position.liveOrders != 0) {
            if (position.released) revert AccountSlotSettled(account, slot);
            uint32 microgrid = REGISTRY.participant(account).microgrid;
            if (_books[microgrid][slot].book.phase != IOrderBook.Phase.Cleared)
                revert BookNotCleared(microgrid, slot);
            position.released = true;
            _reserved[account] -= position.reserve;
            position.reserve = 0;
            _removeUnsettled(account, slot);
            escrowReleased = position.escrow;
            position.escrow = 0;
            _totalEscrow -= escrowReleased;
        }
        uint256 balance = _balances[account] + credit;
        charged = Math.min(charge, balance);
        balance -= charged;
        _balances[account] = balance;
        // Prepaid balances and escrow are bounded by the coin's supply (< 2^255), so the casts are exact.
        _totalPrepaid = _totalPrepaid + credit - charged;
        _settlementPool += int256(escrowReleased) + int256(charged) - int256(credit);
        emit AccountSettled(account, slot, escrowReleased, credit, charged, balance);
    }

    /// @inheritdoc IEnergyMarket
    function disburse(address to, uint256 payAmount, uint256 burnAmount) external onlyRole(SETTLEMENT_ROLE) {
        // Both amounts are bounded by the market's coin balance (< 2^255), or the transfer and burn revert.
        _settlementPool -= int256(payAmount) + int256(burnAmount);
        emit PoolDisbursed(to, payAmount, burnAmount);
        if (burnAmount != 0) COIN.burnToBudget(burnAmount);
        if (payAmount != 0) COIN.safeTransfer(to, payAmount);
    }

    // ================================================================ orders

    /// @inheritdoc IEnergyMarket
    function placeOffer(
        uint64 slot,
        uint64 qtyWh,
        uint256 tick
    ) external nonReentrant returns (uint64 orderId) {
        (
            MarketBook storage market,
            uint32 microgrid,
            IRegistry.Kind kind,
            uint256 gridBuyPrice
        ) = _checkOrder(slot, qtyWh, tick);
        if (kind != IRegistry.Kind.Prosumer) revert ConsumerCannotOffer(msg.sender);
        (AccountSlot storage position, uint64 maxImportWh, ) = _enterSide(slot, qtyWh, IOrderBook.Side.Offer);
        orderId = LinkedOrderBook.placeOffer(market.book, qtyWh, tick, position.level);
        _recordOrder(market, position, orderId);
        uint256 total = _updateReserve(slot, position, market.terms.penaltyBps, maxImportWh, gridBuyPrice);
        uint256 balance = _balances[msg.sender];
        if (balance < total) revert ReserveNotCovered(balance, total);
        emit OfferPlaced(msg.sender, microgrid, slot, orderId, qtyWh, tick, position.level);
    }

    /// @inheritdoc IEnergyMarket
    function placeBid(
        uint64 slot,
        uint64 qtyWh,
        uint256 limitTick
    ) external nonReentrant returns (uint64 orderId) {
        orderId = _placeBid(slot, qtyWh, limitTick);
    }

    /// @inheritdoc IEnergyMarket
    function placeBidWithPermit(
        uint64 slot,
        uint64 qtyWh,
        uint256 limitTick,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint64 orderId) {
        uint32 microgrid = REGISTRY.participant(msg.sender).microgrid;
        _tryPermit(_bidEscrow(_termsFor(microgrid, slot), qtyWh, limitTick), deadline, v, r, s);
        orderId = _placeBid(slot, qtyWh, limitTick);
    }

    /// @inheritdoc IEnergyMarket
    function cancel(uint64 slot, uint64 orderId) external nonReentrant {
        if (!_isOrderWindowOpen(slot)) revert OrderWindowClosed(slot);
        uint32 microgrid = REGISTRY.participant(msg.sender).microgrid;
        MarketBook storage market = _books[microgrid][slot];
        address owner = market.ownerOf[orderId];
        if (owner == address(0)) revert UnknownOrder(orderId);
        if (owner != msg.sender) revert NotOrderOwner(orderId, owner);
        IOrderBook.Order memory order = LinkedOrderBook.cancel(market.book, orderId);
        AccountSlot storage position = _accountSlots[msg.sender][slot];
        position.orderedWh -= order.qtyWh;
        uint16 live = position.liveOrders - 1;
        position.liveOrders = live;
        uint256 refund = 0;
        if (order.side == IOrderBook.Side.Bid) {
            refund = _bidEscrow(market.terms, order.qtyWh, order.tick);
            position.escrow -= refund;
            _totalEscrow -= refund;
            if (order.tick == position.topLimitTick) _lowerTopLimit(market, position);
        }
        if (live == 0) {
            --market.participants;
            position.side = IOrderBook.Side.None;
            _removeUnsettled(msg.sender, slot);
        }
        _refreshReserve(slot, position, market.terms.penaltyBps);
        emit OrderCancelled(msg.sender, microgrid, slot, orderId, refund);
        if (refund != 0) COIN.safeTransfer(msg.sender, refund);
    }

    // ================================================================ clearing and claims

    /// @inheritdoc IEnergyMarket
    function clear(uint32 microgrid, uint64 slot) external nonReentrant returns (bool complete) {
        if (!REGISTRY.isMicrogrid(microgrid)) revert UnknownMicrogrid(microgrid);
        uint64 gateTime = REGISTRY.gate(slot);
        if (block.timestamp < gateTime) revert GateNotPassed(slot, gateTime);
        MarketBook storage market = _openBook(microgrid, slot);
        if (market.book.phase == IOrderBook.Phase.Open) {
            uint64[4] memory accessWad;
            for (uint8 level = 1; level < MAX_LEVEL + 1; ++level) {
                // Access fractions are at most 1e18 (oracle domain), checked again by `close`.
                accessWad[level - 1] = uint64(Math.min(ORACLE.accessFraction(level), type(uint64).max));
            }
            LinkedOrderBook.close(market.book, accessWad);
            emit BookClosed(microgrid, slot, accessWad);
        }
        complete = LinkedOrderBook.clear(market.book, _params.maxClearGas);
        emit ClearingAdvanced(microgrid, slot, msg.sender, complete);
    }

    /// @inheritdoc IEnergyMarket
    function withdrawUnfilled(uint64 slot) external nonReentrant {
        uint32 microgrid = REGISTRY.participant(msg.sender).microgrid;
        MarketBook storage market = _books[microgrid][slot];
        if (market.book.phase != IOrderBook.Phase.Cleared) revert BookNotCleared(microgrid, slot);
        AccountSlot storage position = _accountSlots[msg.sender][slot];
        if (position.side != IOrderBook.Side.Bid) revert NoBids(msg.sender, slot);
        if (position.unfilledWithdrawn) revert UnfilledAlreadyWithdrawn(msg.sender, slot);
        // Settlement moved the whole remaining escrow to the pool: nothing is left to withdraw.
        if (position.released) revert AccountSlotSettled(msg.sender, slot);
        IOrderBook.OrderFill memory fills = LinkedOrderBook.fillsOf(
            market.book,
            position.orderIds,
            market.terms.tickSize,
            market.terms.feeBps
        );
        // Until this withdrawal the escrow is the sum of the live bids' escrows (cancels took theirs back), and
        // each bid's cost and fee never exceed their parts of its escrow (both rounded up at the limit).
        uint256 refund = position.escrow - fills.money - fills.fee;
        position.unfilledWithdrawn = true;
        position.escrow -= refund;
        _totalEscrow -= refund;
        emit UnfilledWithdrawn(msg.sender, slot, refund);
        if (refund != 0) COIN.safeTransfer(msg.sender, refund);
    }

    // ================================================================ views

    /// @inheritdoc IEnergyMarket
    function tickSize() external view returns (uint256) {
        return _params.tickSize;
    }

    /// @inheritdoc IEnergyMarket
    function feeBps() external view returns (uint256) {
        return _params.feeBps;
    }

    /// @inheritdoc IEnergyMarket
    function minOrderWh() external view returns (uint64) {
        return _params.minOrderWh;
    }

    /// @inheritdoc IEnergyMarket
    function maxClearGas() external view returns (uint256) {
        return _params.maxClearGas;
    }

    /// @inheritdoc IEnergyMarket
    function penaltyBps() external view returns (uint256) {
        return _params.penaltyBps;
    }

    /// @inheritdoc IEnergyMarket
    function settleGrace() external view returns (uint64) {
        return _params.settleGrace;
    }

    /// @inheritdoc IEnergyMarket
    function settleDeadline() external view returns (uint64) {
        return _params.settleDeadline;
    }

    /// @inheritdoc IEnergyMarket
    function gridFloat() external view returns (uint256) {
        return _params.gridFloat;
    }

    /// @inheritdoc IEnergyMarket
    function maxOrdersPerSlot() external view returns (uint256) {
        return _params.maxOrdersPerSlot;
    }

    /// @inheritdoc IEnergyMarket
    function balanceOf(address account) external view returns (uint256) {
        return _balances[account];
    }

    /// @inheritdoc IEnergyMarket
    function reservedOf(address account) external view returns (uint256) {
        return _reserved[account];
    }

    /// @inheritdoc IEnergyMarket
    function withdrawableOf(address account) external view returns (uint256) {
        return _withdrawable(account);
    }

    /// @inheritdoc IEnergyMarket
    function totalPrepaid() external view returns (uint256) {
        return _totalPrepaid;
    }

    /// @inheritdoc IEnergyMarket
    function totalEscrow() external view returns (uint256) {
        return _totalEscrow;
    }

    /// @inheritdoc IEnergyMarket
    function settlementPool() external view returns (int256) {
        return _settlementPool;
    }

    /// @inheritdoc IEnergyMarket
    function participantCount(uint32 microgrid, uint64 slot) external view returns (uint256) {
        return _books[microgrid][slot].participants;
    }

    /// @inheritdoc IEnergyMarket
    function oldestUnsettledSlot(address account) public view returns (bool any, uint64 slot) {
        Unsettled memory unsettled = _unsettled[account];
        if (unsettled.count == 0) return (false, 0);
        uint256 word = _unsettledWords[account][unsettled.lowWord];
        // The lowest word is never empty while count > 0 (see the contract's notice); slots are uint64.
        return (true, uint64(uint256(unsettled.lowWord) * SLOTS_PER_WORD + LibBit.ffs(word)));
    }

    /// @inheritdoc IEnergyMarket
    function isFrozen(address account) public view returns (bool) {
        (bool any, uint64 oldest) = oldestUnsettledSlot(account);
        return any && uint256(oldest) + _params.settleGrace + _params.settleDeadline < _currentSlot();
    }

    /// @inheritdoc IEnergyMarket
    function bidEscrow(
        uint32 microgrid,
        uint64 slot,
        uint64 qtyWh,
        uint256 limitTick
    ) external view returns (uint256) {
        return _bidEscrow(_termsFor(microgrid, slot), qtyWh, limitTick);
    }

    /// @inheritdoc IEnergyMarket
    function bookTerms(uint32 microgrid, uint64 slot) external view returns (BookTerms memory) {
        return _books[microgrid][slot].terms;
    }

    /// @inheritdoc IEnergyMarket
    function bookPhase(uint32 microgrid, uint64 slot) external view returns (IOrderBook.Phase) {
        return _books[microgrid][slot].book.phase;
    }

    /// @inheritdoc IEnergyMarket
    function isCleared(uint32 microgrid, uint64 slot) external view returns (bool) {
        return _books[microgrid][slot].book.phase == IOrderBook.Phase.Cleared;
    }

    /// @inheritdoc IEnergyMarket
    function clearingProgress(
        uint32 microgrid,
        uint64 slot
    ) external view returns (IOrderBook.ClearingProgress memory) {
        return _books[microgrid][slot].book.progress();
    }

    /// @inheritdoc IEnergyMarket
    function orderCount(uint32 microgrid, uint64 slot) external view returns (uint64) {
        return _books[microgrid][slot].book.orderCount;
    }

    /// @inheritdoc IEnergyMarket
    function orderOf(
        uint32 microgrid,
        uint64 slot,
        uint64 orderId
    ) external view returns (IOrderBook.Order memory order, address owner) {
        MarketBook storage market = _books[microgrid][slot];
        return (market.book.orders[orderId], market.ownerOf[orderId]);
    }

    /// @inheritdoc IEnergyMarket
    function fillOf(
        uint32 microgrid,
        uint64 slot,
        uint64 orderId
    ) external view returns (IOrderBook.OrderFill memory) {
        MarketBook storage market = _books[microgrid][slot];
        return LinkedOrderBook.fillOf(market.book, orderId, market.terms.tickSize, market.terms.feeBps);
    }

    /// @inheritdoc IEnergyMarket
    function offerDepth(
        uint32 microgrid,
        uint64 slot,
        uint256 tick
    ) external view returns (uint64[4] memory) {
        return _books[microgrid][slot].book.offerDepth(tick);
    }

    /// @inheritdoc IEnergyMarket
    function bidDepth(
        uint32 microgrid,
        uint64 slot,
        uint8 level,
        uint256 limitTick
    ) external view returns (uint64) {
        (uint64 qtyWh, ) = _books[microgrid][slot].book.bidDepth(level, limitTick);
        return qtyWh;
    }

    /// @inheritdoc IEnergyMarket
    function positionOf(address account, uint64 slot) external view returns (Position memory position) {
        AccountSlot storage stored = _accountSlots[account][slot];
        position.side = stored.side;
        position.level = stored.level;
        position.scoreWad = stored.scoreWad;
        position.orderedWh = stored.orderedWh;
        position.escrow = stored.escrow;
        position.reserve = stored.reserve;
        position.liveOrders = stored.liveOrders;
        position.unfilledWithdrawn = stored.unfilledWithdrawn;
        MarketBook storage market = _books[REGISTRY.participant(account).microgrid][slot];
        if (market.book.phase != IOrderBook.Phase.Cleared) return position;
        IOrderBook.OrderFill memory fills = LinkedOrderBook.fillsOf(
            market.book,
            stored.orderIds,
            market.terms.tickSize,
            market.terms.feeBps
        );
        position.filledWh = fills.filledWh;
        position.money = fills.money;
        position.fee = fills.fee;
    }

    /// @inheritdoc IEnergyMarket
    function orderIdsOf(address account, uint64 slot) external view returns (uint64[] memory) {
        return _accountSlots[account][slot].orderIds;
    }

    /// @inheritdoc IEnergyMarket
    function slotAggregates(
        uint32 microgrid,
        uint64 slot
    ) external view returns (SlotAggregates memory totals) {
        MarketBook storage market = _books[microgrid][slot];
        if (market.book.phase != IOrderBook.Phase.Cleared) revert BookNotCleared(microgrid, slot);
        IOrderBook.SlotAggregates memory book = LinkedOrderBook.aggregates(
            market.book,
            market.terms.tickSize,
            market.terms.feeBps
        );
        totals.tradedWh = book.tradedWh;
        totals.buyerCost = book.buyerCost;
        totals.feeScoreWad = book.feeScoreWad;
        totals.buyers = LinkedOrderBook.filledBuyers(market.book, market.topBidders);
    }

    // ================================================================ internals

    /// @notice Pulls `amount` from the caller into its prepaid balance.
    function _deposit(uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        uint256 balance = _balances[msg.sender] + amount;
        _balances[msg.sender] = balance;
        _totalPrepaid += amount;
        emit Deposited(msg.sender, amount, balance);
        COIN.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Tries a permit of `value` from the caller to the market; a failure (e.g. a front-run permit
    /// already used) is ignored: the transfer that follows needs the allowance either way.
    function _tryPermit(uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        // solhint-disable-next-line no-empty-blocks
        try COIN.permit(msg.sender, address(this), value, deadline, v, r, s) {} catch {}
    }

    /// @notice Places a bid for the caller and pulls its escrow.
    function _placeBid(uint64 slot, uint64 qtyWh, uint256 limitTick) private returns (uint64 orderId) {
        (MarketBook storage market, uint32 microgrid, , uint256 gridBuyPrice) = _checkOrder(
            slot,
            qtyWh,
            limitTick
        );
        (AccountSlot storage position, uint64 maxImportWh, bool first) = _enterSide(
            slot,
            qtyWh,
            IOrderBook.Side.Bid
        );
        orderId = LinkedOrderBook.placeBid(market.book, qtyWh, limitTick, position.level, position.scoreWad);
        _recordOrder(market, position, orderId);
        if (limitTick > position.topLimitTick) {
            if (position.topLimitTick != 0) --market.topBidders[position.level][position.topLimitTick];
            ++market.topBidders[position.level][limitTick];
            // limitTick <= 65 535 was checked by `_checkOrder`.
            position.topLimitTick = uint16(limitTick);
        }
        uint256 escrow = _bidEscrow(market.terms, qtyWh, limitTick);
        position.escrow += escrow;
        _totalEscrow += escrow;
        // A bid's reserve depends only on the slot's maxImportWh and λ_buy, which the registry fixes once the
        // slot is within the order horizon (changes take effect beyond it): only the first order sets it.
        if (first) _updateReserve(slot, position, market.terms.penaltyBps, maxImportWh, gridBuyPrice);
        emit BidPlaced(
            msg.sender,
            microgrid,
            slot,
            orderId,
            qtyWh,
            limitTick,
            position.level,
            position.scoreWad,
            escrow
        );
        COIN.safeTransferFrom(msg.sender, address(this), escrow);
    }

    /// @notice The checks every order passes (SPEC §4, §7.1) except side and capacity; opens the book.
    function _checkOrder(
        uint64 slot,
        uint64 qtyWh,
        uint256 tick
    )
        private
        returns (MarketBook storage market, uint32 microgrid, IRegistry.Kind kind, uint256 gridBuyPrice)
    {
        if (REGISTRY.paused()) revert MarketPaused();
        IRegistry.Participant memory participant = REGISTRY.participant(msg.sender);
        if (participant.kind == IRegistry.Kind.None) revert NotRegistered(msg.sender);
        // `IRegistry.isInGoodStanding` on the record just read: registered, not suspended, not indebted.
        if (participant.suspended || participant.indebted) revert NotInGoodStanding(msg.sender);
        _checkNotFrozen(msg.sender);
        if (!_isOrderWindowOpen(slot)) revert OrderWindowClosed(slot);
        microgrid = participant.microgrid;
        kind = participant.kind;
        market = _openBook(microgrid, slot);
        if (tick == 0 || tick > TickBitmap.MAX_TICK) revert IOrderBook.OrderBookTickOutOfRange(tick);
        uint256 price = tick * market.terms.tickSize;
        gridBuyPrice = market.gridBuyPrice;
        uint256 gridSellPrice = market.gridSellPrice;
        if (price < gridSellPrice || price > gridBuyPrice)
            revert PriceOutsideBand(price, gridSellPrice, gridBuyPrice);
        uint64 minimum = _params.minOrderWh;
        if (qtyWh < minimum) revert OrderBelowMinimum(qtyWh, minimum);
    }

    /// @notice Checks the side, the order count and the capacity of a new order of `qtyWh`; on the
    /// participant-slot's first live order (`first`) records its side, TRP level and score. Returns the
    /// caller's `maxImportWh` in the slot.
    function _enterSide(
        uint64 slot,
        uint64 qtyWh,
        IOrderBook.Side side
    ) private returns (AccountSlot storage position, uint64 maxImportWh, bool first) {
        position = _accountSlots[msg.sender][slot];
        uint256 maxOrders = _params.maxOrdersPerSlot;
        if (position.orderIds.length > maxOrders - 1) revert OrderLimitReached(msg.sender, slot, maxOrders);
        first = position.liveOrders == 0;
        if (first) {
            position.side = side;
            position.level = ORACLE.trpLevelOf(msg.sender);
            // Trader scores lie in [0, 15e18] (oracle domain), checked again by the book.
            position.scoreWad = uint64(Math.min(ORACLE.traderScore(msg.sender), type(uint64).max));
            _addUnsettled(msg.sender, slot);
        } else if (position.side != side) {
            revert OppositeSideInSlot(msg.sender, slot);
        }
        uint64 capacity;
        if (first || side == IOrderBook.Side.Offer) {
            uint64 maxExportWh;
            (maxImportWh, maxExportWh) = REGISTRY.capacityAt(msg.sender, slot);
            position.maxImportWh = maxImportWh;
            capacity = side == IOrderBook.Side.Offer ? maxExportWh : maxImportWh;
        } else {
            // A repeat bid: the capacity recorded on the first order, which the registry cannot have changed.
            maxImportWh = position.maxImportWh;
            capacity = maxImportWh;
        }
        uint256 total = uint256(position.orderedWh) + qtyWh;
        if (total > capacity) revert CapacityExceeded(total, capacity);
        // total <= capacity < 2^64.
        position.orderedWh = uint64(total);
    }

    /// @notice Books order `orderId` to the caller.
    function _recordOrder(MarketBook storage market, AccountSlot storage position, uint64 orderId) private {
        market.ownerOf[orderId] = msg.sender;
        // At most one participant-slot per registered account, far below 2^32 per book.
        if (position.liveOrders == 0) ++market.participants;
        position.orderIds.push(orderId);
        ++position.liveOrders;
    }

    /// @notice After a cancel of the participant-slot's highest-limit bid: finds its next highest live
    /// limit (O(own orders)) and moves its count.
    function _lowerTopLimit(MarketBook storage market, AccountSlot storage position) private {
        uint8 level = position.level;
        --market.topBidders[level][position.topLimitTick];
        uint16 top = 0;
        uint64[] storage ids = position.orderIds;
        for (uint256 i = 0; i < ids.length; ++i) {
            IOrderBook.Order storage order = market.book.orders[ids[i]];
            if (!order.cancelled && order.tick > top) top = order.tick;
        }
        position.topLimitTick = top;
        if (top != 0) ++market.topBidders[level][top];
    }

    /// @notice `_updateReserve` after a cancel, with the slot's capacity and tariff read from the registry.
    function _refreshReserve(uint64 slot, AccountSlot storage position, uint256 penalty) private {
        uint64 maxImportWh = 0;
        uint256 gridBuyPrice = 0;
        if (position.liveOrders != 0) {
            (maxImportWh, ) = REGISTRY.capacityAt(msg.sender, slot);
            (gridBuyPrice, ) = REGISTRY.tariffAt(slot);
        }
        _updateReserve(slot, position, penalty, maxImportWh, gridBuyPrice);
    }

    /// @notice Sets the caller's participant-slot reserve from its live orders (SPEC §4) and returns the total
    /// of the caller's reserves: `(maxImportWh + offeredWh * (1 + penaltyBps / 10 000)) * λ_buy / 1000`,
    /// rounded up, or 0 without live orders; `maxImportWh` and `gridBuyPrice` are the slot's.
    function _updateReserve(
        uint64 slot,
        AccountSlot storage position,
        uint256 penalty,
        uint64 maxImportWh,
        uint256 gridBuyPrice
    ) private returns (uint256 total) {
        address account = msg.sender;
        uint256 reserve = 0;
        if (position.liveOrders != 0) {
            uint256 offeredWh = position.side == IOrderBook.Side.Offer ? position.orderedWh : 0;
            reserve = Math.mulDiv(
                uint256(maxImportWh) * BPS + offeredWh * (BPS + penalty),
                gridBuyPrice,
                WH_PER_KWH * BPS,
                Math.Rounding.Ceil
            );
        }
        total = _reserved[account] - position.reserve + reserve;
        _reserved[account] = total;
        position.reserve = reserve;
        emit ReserveChanged(account, slot, reserve, total);
    }

    /// @notice The book of (`microgrid`, `slot`), taking the current terms on its first use.
    function _openBook(uint32 microgrid, uint64 slot) private returns (MarketBook storage market) {
        market = _books[microgrid][slot];
        if (market.terms.opened) return market;
        Params memory params = _params;
        market.terms = BookTerms(params.tickSize, params.feeBps, params.penaltyBps, true);
        (uint256 gridBuyPrice, uint256 gridSellPrice) = REGISTRY.tariffAt(slot);
        market.gridBuyPrice = SafeCast.toUint128(gridBuyPrice);
        market.gridSellPrice = SafeCast.toUint128(gridSellPrice);
        emit BookOpened(microgrid, slot, params.tickSize, params.feeBps, params.penaltyBps);
    }

    /// @notice The terms the book of (`microgrid`, `slot`) has or would take now.
    function _termsFor(uint32 microgrid, uint64 slot) private view returns (BookTerms memory terms) {
        terms = _books[microgrid][slot].terms;
        if (!terms.opened) terms = BookTerms(_params.tickSize, _params.feeBps, _params.penaltyBps, false);
    }

    /// @notice Escrow of a bid: its cost and its fee at the limit price, each rounded up (SPEC §7.1).
    function _bidEscrow(
        BookTerms memory terms,
        uint64 qtyWh,
        uint256 limitTick
    ) private pure returns (uint256) {
        uint256 value = uint256(qtyWh) * limitTick * terms.tickSize;
        return
            Math.ceilDiv(value, WH_PER_KWH) +
            Math.mulDiv(value, terms.feeBps, WH_PER_KWH * BPS, Math.Rounding.Ceil);
    }

    /// @notice Prepaid balance above the reserves and, for the grid account, above `gridFloat` too.
    function _withdrawable(address account) private view returns (uint256) {
        uint256 balance = _balances[account];
        uint256 locked = _reserved[account];
        if (account == REGISTRY.gridAccount()) locked += _params.gridFloat;
        return balance > locked ? balance - locked : 0;
    }

    /// @notice Reverts if `account` is frozen.
    function _checkNotFrozen(address account) private view {
        if (isFrozen(account)) {
            (, uint64 oldest) = oldestUnsettledSlot(account);
            revert AccountFrozen(account, oldest);
        }
    }

    /// @notice `REGISTRY.currentSlot()`, computed here (the registry is only called before genesis, to revert
    /// as it does).
    function _currentSlot() private view returns (uint64) {
        if (block.timestamp < _GENESIS) return REGISTRY.currentSlot();
        // A slot index below 2^64 for the next 5e11 years at one-second slots, as the registry's SafeCast.
        return SafeCast.toUint64((block.timestamp - _GENESIS) / _SLOT_LENGTH);
    }

    /// @notice `REGISTRY.isOrderWindowOpen(slot)`, computed here: within the order horizon and before the gate.
    function _isOrderWindowOpen(uint64 slot) private view returns (bool) {
        if (uint256(slot) > uint256(_currentSlot()) + _MAX_LEAD_SLOTS) return false;
        // genesis + slot * slotLength < 2^129 and at least the gate lead (checked by the registry).
        return block.timestamp < uint256(_GENESIS) + uint256(slot) * _SLOT_LENGTH - _GATE_LEAD;
    }

    /// @notice Keeps every account's unsettled slots within 256 slots (see the contract's notice).
    function _checkSettleWindow(uint256 grace, uint256 deadline, bytes32 name) private view {
        if (grace + deadline + _MAX_LEAD_SLOTS > SLOTS_PER_WORD - 1) {
            revert InvalidParameter(name, name == "settleGrace" ? grace : deadline);
        }
    }

    /// @notice Adds `slot` to `account`'s unsettled slots.
    function _addUnsettled(address account, uint64 slot) private {
        Unsettled storage unsettled = _unsettled[account];
        uint64 word = uint64(slot / SLOTS_PER_WORD);
        if (unsettled.count == 0 || word < unsettled.lowWord) unsettled.lowWord = word;
        _unsettledWords[account][word] |= uint256(1) << (slot % SLOTS_PER_WORD);
        ++unsettled.count;
    }

    /// @notice Removes `slot` from `account`'s unsettled slots.
    function _removeUnsettled(address account, uint64 slot) private {
        Unsettled storage unsettled = _unsettled[account];
        uint64 word = uint64(slot / SLOTS_PER_WORD);
        _unsettledWords[account][word] &= ~(uint256(1) << (slot % SLOTS_PER_WORD));
        uint64 count = unsettled.count - 1;
        unsettled.count = count;
        // The slots span fewer than 256 slots, so when the lowest word empties the next one holds the rest.
        if (count != 0 && _unsettledWords[account][unsettled.lowWord] == 0) ++unsettled.lowWord;
    }
}
