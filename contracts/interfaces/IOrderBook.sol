// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IOrderBook
/// @notice Vocabulary shared by the TRP-gated order book of one (microgrid, slot) (SPEC §7) and the
/// contracts that hold one: the storage library `OrderBook`, its test harness and the energy market.
/// Energy is in Wh (`uint64`), prices in integer ticks (price of a tick = `tick * tickSize` TRC base
/// units per kWh), TRP levels 1..4, scores and access fractions in wad (1e18 = 1).
interface IOrderBook {
    // ---------------------------------------------------------------- enums and structs
    /// @notice Life of a book: orders and cancels while `Open`; `Clearing` after the gate, driven in
    /// as many calls as needed; fills can be read once `Cleared`.
    enum Phase {
        Open,
        Clearing,
        Cleared
    }

    /// @notice Which side an order is on (`None` for an id never issued).
    enum Side {
        None,
        Offer,
        Bid
    }

    /// @notice One order as placed. `tick` is an offer's tick or a bid's limit tick; `level` is its
    /// owner's TRP level at placement; `scoreWad` its buyer's trust score at placement (0 for offers).
    struct Order {
        Side side;
        uint64 qtyWh;
        uint64 scoreWad;
        uint16 tick;
        uint8 level;
        bool cancelled;
    }

    /// @notice What an order got out of clearing (SPEC §7.2 point 5). `filledWh` is `floor(exact share)`
    /// or one Wh less; for a bid `money` is its cost rounded up and `fee` is `feeBps` of that cost rounded
    /// up; for an offer `money` is its proceeds rounded down and `fee` is 0.
    struct OrderFill {
        uint64 filledWh;
        uint256 money;
        uint256 fee;
    }

    /// @notice Slot aggregates, obtained without a loop over orders. `tradedWh`: energy traded (floor);
    /// `buyerCost`: θ = sum of the buyers' exact costs in TRC base units (floor); `feeScoreWad`: sum over
    /// bids of (exact fee in base units) * (buyer score in wad at placement) (floor), so that λ_b of
    /// SPEC §6.5 is `feeScoreWad / 15e18`. All three are lower bounds, exact when clearing divided exactly.
    struct SlotAggregates {
        uint256 tradedWh;
        uint256 buyerCost;
        uint256 feeScoreWad;
    }

    /// @notice Where clearing stands. `stage`: 0 not started, 1 summing offers, 2 summing the bids of
    /// `level`, 3 walking the ticks for `level`, 4 done; `cursorTick`: next tick to look at;
    /// `maxLimitTick`: highest bid limit at the gate; `firstOfferTick`: cheapest offer tick that can trade
    /// (0 if none); `offeredWh`: V, offered Wh at ticks up to `maxLimitTick`; `roundings`: number of
    /// inexact divisions so far (each adds under 1e-36 Wh of error, see `OrderBook`).
    struct ClearingProgress {
        uint8 stage;
        uint8 level;
        uint32 cursorTick;
        uint16 maxLimitTick;
        uint16 firstOfferTick;
        uint96 offeredWh;
        uint64 roundings;
    }

    // ---------------------------------------------------------------- errors
    /// @notice Orders, cancels and closing need an open book.
    error OrderBookNotOpen();
    /// @notice Clearing needs a closed book (after the gate).
    error OrderBookNotClosed();
    /// @notice Clearing is already complete.
    error OrderBookAlreadyCleared();
    /// @notice Fills and aggregates exist only once clearing is complete.
    error OrderBookNotCleared();
    /// @notice An order of 0 Wh.
    error OrderBookZeroQuantity();
    /// @notice A TRP level outside 1..4.
    error OrderBookInvalidLevel(uint256 level);
    /// @notice A tick outside 1..65535.
    error OrderBookTickOutOfRange(uint256 tick);
    /// @notice A buyer score above 15e18.
    error OrderBookScoreOutOfRange(uint256 scoreWad);
    /// @notice The Wh at (`tick`, `level`) — offers at a tick by seller level, or bids of a level at a
    /// limit tick — would reach 2^64.
    error OrderBookVolumeOverflow(uint256 tick, uint256 level);
    /// @notice No order with this id was placed.
    error OrderBookUnknownOrder(uint256 orderId);
    /// @notice The order was cancelled.
    error OrderBookOrderCancelled(uint256 orderId);
    /// @notice Access fractions must be non-decreasing with the level, at most 1e18, and `a_4 = 1e18`.
    error OrderBookInvalidAccessFractions(uint64[4] accessWad);
    /// @notice A fee above 10 000 basis points.
    error OrderBookInvalidFeeBps(uint256 feeBps);
    /// @notice A tick size of 0 or above 1e21 (1000 TRC per kWh per tick).
    error OrderBookInvalidTickSize(uint256 tickSize);
    /// @notice Batch arrays of different lengths.
    error OrderBookLengthMismatch();

    // ---------------------------------------------------------------- events
    /// @notice Offer `orderId` of `qtyWh` at `tick` by a seller of TRP level `sellerLevel` was placed.
    event OfferPlaced(uint64 indexed orderId, uint256 tick, uint8 sellerLevel, uint64 qtyWh);
    /// @notice Bid `orderId` of `qtyWh` up to `limitTick` by a buyer of level `buyerLevel` and score
    /// `scoreWad` was placed.
    event BidPlaced(
        uint64 indexed orderId,
        uint256 limitTick,
        uint8 buyerLevel,
        uint64 qtyWh,
        uint256 scoreWad
    );
    /// @notice Order `orderId` was cancelled.
    event OrderCancelled(uint64 indexed orderId);
    /// @notice The book was closed for clearing with access fractions `accessWad` (levels 1..4).
    event BookClosed(uint64[4] accessWad);
    /// @notice One clearing call ended at `stage`, `level`, `cursorTick`; `complete` once clearing is done.
    event ClearingAdvanced(uint8 stage, uint8 level, uint256 cursorTick, bool complete);
}
