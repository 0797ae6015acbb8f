// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOrderBook} from "./IOrderBook.sol";

/// @title IEnergyMarket
/// @notice The TRP-gated forward market (SPEC §4 prepaid balances and reserves, §7 orders and clearing):
/// one order book per (microgrid, slot), prepaid TRC balances with per-slot reserves, bid escrow, clearing
/// driven by anyone after the gate, and pull refunds of unfilled escrow. Energy in Wh, money in TRC base
/// units, prices in TRC base units per kWh (`tick * tickSize`), scores and fractions in wad.
///
/// A participant-slot (an account's orders in one slot) is on one side only and trades at one TRP level:
/// the oracle's level and score are read and recorded at its first live order in the slot, and its later
/// orders in that slot carry the same values (so a rescoring between two of its orders cannot split it
/// across levels; this also makes the buyer count of `slotAggregates` exact).
interface IEnergyMarket {
    // ---------------------------------------------------------------- structs
    /// @notice The parameters a book keeps from its first order (or from clearing, if it had none).
    struct BookTerms {
        uint128 tickSize;
        uint16 feeBps;
        uint16 penaltyBps;
        bool opened;
    }

    /// @notice An account's position in a slot. `orderedWh`: live ordered Wh; `filledWh`, `money`, `fee`:
    /// sums over its live orders once its book is cleared (0 before), money being cost (bids) or proceeds
    /// (offers); `escrow`: bid escrow the market still holds for it; `reserve`: its reserve in this slot;
    /// `unfilledWithdrawn`: whether `withdrawUnfilled` was done; `level`, `scoreWad`: recorded at its first
    /// live order; `liveOrders`: orders not cancelled.
    struct Position {
        uint256 money;
        uint256 fee;
        uint256 escrow;
        uint256 reserve;
        IOrderBook.Side side;
        uint8 level;
        uint64 scoreWad;
        uint64 orderedWh;
        uint64 filledWh;
        uint32 liveOrders;
        bool unfilledWithdrawn;
    }

    /// @notice Slot aggregates of one book for metering and consensus (SPEC §6.5), without loops over
    /// orders. `buyers` (TT): the number of buyer participant-slots with a fill, i.e. whose highest-limit
    /// bucket (level, limit tick) received energy as the book sees it (a bucket's remainder is kept in pWh,
    /// 1e-12 Wh, rounded up, so a fill of under about 1 pWh is not seen) — all bids of a level share one
    /// fill proportion and the highest-limit bucket stays longest in its level's pool, so it has a fill
    /// exactly when any bid of that participant-slot has one. Counted per bucket as the book's
    /// participant-slots whose highest live limit is there, so O(bid buckets). `tradedWh`, `buyerCost` (θ_b), `feeScoreWad` (Σ tf·ts): see
    /// `IOrderBook.SlotAggregates`.
    struct SlotAggregates {
        uint256 buyers;
        uint256 tradedWh;
        uint256 buyerCost;
        uint256 feeScoreWad;
    }

    // ---------------------------------------------------------------- errors
    /// @notice The zero address was given to the constructor.
    error ZeroAddress();
    /// @notice Parameter `name` cannot take `value`.
    error InvalidParameter(bytes32 name, uint256 value);
    /// @notice An amount of zero was given.
    error ZeroAmount();
    /// @notice A withdrawal of `requested` exceeds the balance not held as reserve, `available`.
    error InsufficientFreeBalance(uint256 requested, uint256 available);
    /// @notice An offer needs the prepaid `balance` to cover all reserves, `reservedTotal`, with its own.
    error ReserveNotCovered(uint256 balance, uint256 reservedTotal);
    /// @notice The suite is paused: no new orders.
    error MarketPaused();
    /// @notice `account` is not a registered participant.
    error NotRegistered(address account);
    /// @notice `account` is suspended or indebted.
    error NotInGoodStanding(address account);
    /// @notice `account` has an unsettled participant-slot, `oldestUnsettledSlot`, past its settle deadline and grace.
    error AccountFrozen(address account, uint64 oldestUnsettledSlot);
    /// @notice Orders and cancels for `slot` are not accepted now (at or after its gate, or beyond the horizon).
    error OrderWindowClosed(uint64 slot);
    /// @notice The price of the tick lies outside the slot's band `[gridSellPrice, gridBuyPrice]`.
    error PriceOutsideBand(uint256 price, uint256 gridSellPrice, uint256 gridBuyPrice);
    /// @notice An order below `minOrderWh`.
    error OrderBelowMinimum(uint64 qtyWh, uint64 minOrderWh);
    /// @notice Consumers only buy.
    error ConsumerCannotOffer(address account);
    /// @notice `account` holds orders of the other side in `slot`.
    error OppositeSideInSlot(address account, uint64 slot);
    /// @notice The account's orders of this side in the slot would total `totalWh`, above `capacityWh`.
    error CapacityExceeded(uint256 totalWh, uint64 capacityWh);
    /// @notice `account` has placed `maxOrders` orders (live or cancelled) in `slot` already.
    error OrderLimitReached(address account, uint64 slot, uint256 maxOrders);
    /// @notice No order `orderId` in the caller's book of that slot.
    error UnknownOrder(uint64 orderId);
    /// @notice Order `orderId` belongs to `owner`.
    error NotOrderOwner(uint64 orderId, address owner);
    /// @notice Microgrid `microgrid` is not registered.
    error UnknownMicrogrid(uint32 microgrid);
    /// @notice Clearing of `slot` may start only at its gate, `gate`.
    error GateNotPassed(uint64 slot, uint64 gate);
    /// @notice The book of (`microgrid`, `slot`) is not cleared yet.
    error BookNotCleared(uint32 microgrid, uint64 slot);
    /// @notice `account` has no bids in `slot`.
    error NoBids(address account, uint64 slot);
    /// @notice `account` already withdrew its unfilled escrow of `slot`.
    error UnfilledAlreadyWithdrawn(address account, uint64 slot);
    /// @notice The participant-slot of `account` in `slot` was settled already.
    error AccountSlotSettled(address account, uint64 slot);

    // ---------------------------------------------------------------- events
    /// @notice Parameter `name` changed from `oldValue` to `newValue`.
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice `account` deposited `amount`; its prepaid balance is now `balance`.
    event Deposited(address indexed account, uint256 amount, uint256 balance);
    /// @notice `account` withdrew `amount`; its prepaid balance is now `balance`.
    event Withdrawn(address indexed account, uint256 amount, uint256 balance);
    /// @notice The reserve of `account` in `slot` is now `reserve`, and all its reserves total `reservedTotal`.
    event ReserveChanged(
        address indexed account,
        uint64 indexed slot,
        uint256 reserve,
        uint256 reservedTotal
    );
    /// @notice Settlement settled `account`'s money in `slot`: its remaining bid escrow `escrowReleased` went to
    /// the settlement pool (and its reserve was released), `credit` was added to its balance and `charged`
    /// taken from it; its prepaid balance is now `balance`.
    event AccountSettled(
        address indexed account,
        uint64 indexed slot,
        uint256 escrowReleased,
        uint256 credit,
        uint256 charged,
        uint256 balance
    );
    /// @notice Settlement paid `paid` of the settlement pool to `to` and burned `burned` of it.
    event PoolDisbursed(address indexed to, uint256 paid, uint256 burned);
    /// @notice The book of (`microgrid`, `slot`) took its terms.
    event BookOpened(
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint256 tickSize,
        uint256 feeBps,
        uint256 penaltyBps
    );
    /// @notice `account` offered `qtyWh` at `tick` in (`microgrid`, `slot`) as order `orderId` at TRP level `level`.
    event OfferPlaced(
        address indexed account,
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint64 orderId,
        uint64 qtyWh,
        uint256 tick,
        uint8 level
    );
    /// @notice `account` bid `qtyWh` up to `limitTick` in (`microgrid`, `slot`) as order `orderId`, at level
    /// `level` with score `scoreWad`, escrowing `escrow`.
    event BidPlaced(
        address indexed account,
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint64 orderId,
        uint64 qtyWh,
        uint256 limitTick,
        uint8 level,
        uint256 scoreWad,
        uint256 escrow
    );
    /// @notice `account` cancelled order `orderId` of (`microgrid`, `slot`); `refund` of escrow was returned.
    event OrderCancelled(
        address indexed account,
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint64 orderId,
        uint256 refund
    );
    /// @notice The book of (`microgrid`, `slot`) closed for clearing with access fractions `accessWad`.
    event BookClosed(uint32 indexed microgrid, uint64 indexed slot, uint64[4] accessWad);
    /// @notice A clearing call on (`microgrid`, `slot`) by `caller` advanced it; `complete` once done.
    event ClearingAdvanced(
        uint32 indexed microgrid,
        uint64 indexed slot,
        address indexed caller,
        bool complete
    );
    /// @notice `account` got back `refund`, the unfilled escrow of its bids in `slot`.
    event UnfilledWithdrawn(address indexed account, uint64 indexed slot, uint256 refund);

    // ---------------------------------------------------------------- parameters (PARAMS_ROLE)
    /// @notice Sets the tick size, TRC base units per kWh per tick (0 < value <= 1e21), for books opened later.
    function setTickSize(uint256 value) external;
    /// @notice Sets the fee in basis points of a bid's cost (at most 10 000), for books opened later.
    function setFeeBps(uint256 value) external;
    /// @notice Sets the smallest order in Wh (at least 1).
    function setMinOrderWh(uint256 value) external;
    /// @notice Sets the gas budget of one clearing call (500 000 ..= 30 000 000).
    function setMaxClearGas(uint256 value) external;
    /// @notice Sets the non-delivery penalty in basis points (at most 10 000), for books opened later.
    function setPenaltyBps(uint256 value) external;
    /// @notice Sets the slots a participant has to settle after the settle deadline before it is frozen.
    /// `settleGrace + settleDeadline + maxLeadSlots` must stay below 256.
    function setSettleGrace(uint256 value) external;
    /// @notice Sets the slots after a slot by which level 2 runs at the latest (SPEC §8.3); same bound.
    function setSettleDeadline(uint256 value) external;
    /// @notice Sets how many orders (live or cancelled) one participant may place in one slot, 1..512, so that
    /// the loops over a participant-slot's orders (`withdrawUnfilled`, `cancel`, `positionOf`) stay far below
    /// the block gas limit.
    function setMaxOrdersPerSlot(uint256 value) external;
    /// @notice Sets `gridFloat`, the prepaid balance the grid account keeps above its reserves (SPEC §4;
    /// TRC base units, below 2^128; default 0): it cannot withdraw below it.
    function setGridFloat(uint256 value) external;

    // ---------------------------------------------------------------- prepaid balances
    /// @notice Moves `amount` TRC from the caller (allowance needed) into its prepaid balance.
    function deposit(uint256 amount) external;
    /// @notice Like `deposit`, with an EIP-2612 permit first; a failing permit (e.g. front-run) is ignored
    /// when the allowance suffices.
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;
    /// @notice Withdraws `amount` of the prepaid balance not held as reserve.
    function withdraw(uint256 amount) external;
    /// @notice Settles the money of `account`'s participant-slot in `slot` (SETTLEMENT_ROLE). If it has live
    /// orders (then its book must be cleared, and this happens once): releases its reserve and moves all its
    /// remaining bid escrow to the settlement pool. Then adds `credit` from the pool to its prepaid balance and
    /// takes up to `charge` from that balance into the pool. Settlement computes both (the escrow it releases
    /// is its to refund, as part of `credit`); an account without orders in the slot (a reading only, or the
    /// grid account) just has its balance credited and charged.
    /// @return escrowReleased The bid escrow moved to the pool.
    /// @return charged The part of `charge` taken: all of it, or the whole balance after the credit.
    function settleAccount(
        address account,
        uint64 slot,
        uint256 credit,
        uint256 charge
    ) external returns (uint256 escrowReleased, uint256 charged);
    /// @notice Pays `payAmount` of the settlement pool to `to` and burns `burnAmount` of it into the coin's reward
    /// budget (SETTLEMENT_ROLE): a slot's fee payout λ_b and the rest of its fees, penalties beyond the pool
    /// part, and dust.
    function disburse(address to, uint256 payAmount, uint256 burnAmount) external;

    // ---------------------------------------------------------------- orders
    /// @notice Offers `qtyWh` at price `tick * tickSize` in the caller's microgrid for `slot`.
    /// @return orderId The order's id in its book.
    function placeOffer(uint64 slot, uint64 qtyWh, uint256 tick) external returns (uint64 orderId);
    /// @notice Bids for `qtyWh` up to `limitTick`, escrowing its cost and fee at the limit price.
    /// @return orderId The order's id in its book.
    function placeBid(uint64 slot, uint64 qtyWh, uint256 limitTick) external returns (uint64 orderId);
    /// @notice `placeBid` with an EIP-2612 permit for exactly the escrow (`bidEscrow`) first; a failing
    /// permit is ignored when the allowance suffices.
    /// @return orderId The order's id in its book.
    function placeBidWithPermit(
        uint64 slot,
        uint64 qtyWh,
        uint256 limitTick,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint64 orderId);
    /// @notice Cancels the caller's order `orderId` in `slot` before the gate; refunds a bid's escrow.
    function cancel(uint64 slot, uint64 orderId) external;

    // ---------------------------------------------------------------- clearing and claims
    /// @notice Drives clearing of (`microgrid`, `slot`) after its gate, within `maxClearGas`; anyone.
    /// @return complete Whether clearing is complete.
    function clear(uint32 microgrid, uint64 slot) external returns (bool complete);
    /// @notice Once the caller's book of `slot` is cleared, returns the escrow its bids did not use (until its
    /// participant-slot is settled: settlement refunds what is left, so a later call reverts with
    /// {AccountSlotSettled}).
    function withdrawUnfilled(uint64 slot) external;

    // ---------------------------------------------------------------- views
    /// @notice Tick size, TRC base units per kWh per tick, for new books.
    function tickSize() external view returns (uint256);
    /// @notice Fee in basis points for new books.
    function feeBps() external view returns (uint256);
    /// @notice Smallest order in Wh.
    function minOrderWh() external view returns (uint64);
    /// @notice Gas budget of one clearing call.
    function maxClearGas() external view returns (uint256);
    /// @notice Non-delivery penalty in basis points for new books.
    function penaltyBps() external view returns (uint256);
    /// @notice Slots of grace after the settle deadline.
    function settleGrace() external view returns (uint64);
    /// @notice Slots after a slot until level 2 runs at the latest.
    function settleDeadline() external view returns (uint64);
    /// @notice Orders (live or cancelled) one participant may place in one slot.
    function maxOrdersPerSlot() external view returns (uint256);
    /// @notice The balance the grid account cannot withdraw (above its reserves).
    function gridFloat() external view returns (uint256);
    /// @notice The prepaid balance of `account`.
    function balanceOf(address account) external view returns (uint256);
    /// @notice The sum of `account`'s reserves.
    function reservedOf(address account) external view returns (uint256);
    /// @notice What `account` may withdraw now: its balance above its reserves (and, for the grid account,
    /// above `gridFloat` too).
    function withdrawableOf(address account) external view returns (uint256);
    /// @notice Sum of all prepaid balances.
    function totalPrepaid() external view returns (uint256);
    /// @notice Sum of all bid escrow the market holds (unfilled or kept for settlement).
    function totalEscrow() external view returns (uint256);
    /// @notice The settlement pool: TRC the market holds for settlement beyond balances and escrow (negative
    /// while settlement has paid out ahead of what it collects).
    function settlementPool() external view returns (int256);
    /// @notice The number of participant-slots with live orders in (`microgrid`, `slot`).
    function participantCount(uint32 microgrid, uint64 slot) external view returns (uint256);
    /// @notice The oldest unsettled participant-slot of `account` and whether it has any.
    function oldestUnsettledSlot(address account) external view returns (bool any, uint64 slot);
    /// @notice Whether `account` is frozen for an overdue unsettled slot.
    function isFrozen(address account) external view returns (bool);
    /// @notice The escrow a bid of `qtyWh` up to `limitTick` in (`microgrid`, `slot`) needs.
    function bidEscrow(
        uint32 microgrid,
        uint64 slot,
        uint64 qtyWh,
        uint256 limitTick
    ) external view returns (uint256);
    /// @notice The terms of the book of (`microgrid`, `slot`) (zero until it opens).
    function bookTerms(uint32 microgrid, uint64 slot) external view returns (BookTerms memory);
    /// @notice The phase of the book of (`microgrid`, `slot`).
    function bookPhase(uint32 microgrid, uint64 slot) external view returns (IOrderBook.Phase);
    /// @notice Whether clearing of (`microgrid`, `slot`) is complete.
    function isCleared(uint32 microgrid, uint64 slot) external view returns (bool);
    /// @notice Where clearing of (`microgrid`, `slot`) stands.
    function clearingProgress(
        uint32 microgrid,
        uint64 slot
    ) external view returns (IOrderBook.ClearingProgress memory);
    /// @notice Number of orders placed in (`microgrid`, `slot`) (ids are 1..count).
    function orderCount(uint32 microgrid, uint64 slot) external view returns (uint64);
    /// @notice Order `orderId` of (`microgrid`, `slot`) and its owner.
    function orderOf(
        uint32 microgrid,
        uint64 slot,
        uint64 orderId
    ) external view returns (IOrderBook.Order memory order, address owner);
    /// @notice What order `orderId` of (`microgrid`, `slot`) got; needs clearing complete.
    function fillOf(
        uint32 microgrid,
        uint64 slot,
        uint64 orderId
    ) external view returns (IOrderBook.OrderFill memory);
    /// @notice Offered Wh at `tick` per seller level (index `level - 1`).
    function offerDepth(uint32 microgrid, uint64 slot, uint256 tick) external view returns (uint64[4] memory);
    /// @notice Bid Wh of buyer level `level` at limit `limitTick`.
    function bidDepth(
        uint32 microgrid,
        uint64 slot,
        uint8 level,
        uint256 limitTick
    ) external view returns (uint64);
    /// @notice `account`'s position in `slot`; O(own orders).
    function positionOf(address account, uint64 slot) external view returns (Position memory);
    /// @notice The order ids `account` placed in `slot` (cancelled ones included).
    function orderIdsOf(address account, uint64 slot) external view returns (uint64[] memory);
    /// @notice Slot aggregates of (`microgrid`, `slot`); needs clearing complete. O(bid buckets).
    function slotAggregates(uint32 microgrid, uint64 slot) external view returns (SlotAggregates memory);
}
