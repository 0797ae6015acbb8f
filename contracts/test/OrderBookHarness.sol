// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {OrderBook} from "../market/OrderBook.sol";

/// @title OrderBookHarness
/// @notice Test harness of the `OrderBook` library: one book, unrestricted calls, fixed money parameters.
/// Not part of the deployed suite.
contract OrderBookHarness is IOrderBook {
    using OrderBook for OrderBook.Book;

    OrderBook.Book private _book;
    uint64[4] private _accessWad;
    uint256 private _tickSize;
    uint256 private _feeBps;

    /// @notice A harness whose book closes with access fractions `accessWad` and computes money with
    /// `tickSize` (TRC base units per kWh per tick) and `feeBps`.
    constructor(uint64[4] memory accessWad, uint256 tickSize, uint256 feeBps) {
        _accessWad = accessWad;
        _tickSize = tickSize;
        _feeBps = feeBps;
    }

    /// @notice Places an offer; returns its id.
    function placeOffer(uint64 qtyWh, uint256 tick, uint8 sellerLevel) external returns (uint64 orderId) {
        orderId = _placeOffer(qtyWh, tick, sellerLevel);
    }

    /// @notice Places a bid; returns its id.
    function placeBid(
        uint64 qtyWh,
        uint256 limitTick,
        uint8 buyerLevel,
        uint256 scoreWad
    ) external returns (uint64 orderId) {
        orderId = _placeBid(qtyWh, limitTick, buyerLevel, scoreWad);
    }

    /// @notice Places offers `i` = (`qtyWh[i]`, `ticks[i]`, `sellerLevels[i]`); returns the first id (ids
    /// are consecutive).
    function placeOffers(
        uint64[] calldata qtyWh,
        uint256[] calldata ticks,
        uint8[] calldata sellerLevels
    ) external returns (uint64 firstOrderId) {
        uint256 count = qtyWh.length;
        if (ticks.length != count || sellerLevels.length != count) revert OrderBookLengthMismatch();
        firstOrderId = _book.orderCount + 1;
        for (uint256 i = 0; i < count; ++i) _placeOffer(qtyWh[i], ticks[i], sellerLevels[i]);
    }

    /// @notice Places bids `i` = (`qtyWh[i]`, `limitTicks[i]`, `buyerLevels[i]`, `scoresWad[i]`); returns the
    /// first id (ids are consecutive).
    function placeBids(
        uint64[] calldata qtyWh,
        uint256[] calldata limitTicks,
        uint8[] calldata buyerLevels,
        uint256[] calldata scoresWad
    ) external returns (uint64 firstOrderId) {
        uint256 count = qtyWh.length;
        if (limitTicks.length != count || buyerLevels.length != count || scoresWad.length != count) {
            revert OrderBookLengthMismatch();
        }
        firstOrderId = _book.orderCount + 1;
        for (uint256 i = 0; i < count; ++i) _placeBid(qtyWh[i], limitTicks[i], buyerLevels[i], scoresWad[i]);
    }

    /// @notice Cancels order `orderId`.
    function cancel(uint64 orderId) external {
        _book.cancel(orderId);
        emit OrderCancelled(orderId);
    }

    /// @notice Cancels each of `orderIds`, in order.
    function cancelMany(uint64[] calldata orderIds) external {
        for (uint256 i = 0; i < orderIds.length; ++i) {
            _book.cancel(orderIds[i]);
            emit OrderCancelled(orderIds[i]);
        }
    }

    /// @notice Closes the book (the gate) with the harness's access fractions.
    function closeBook() external {
        uint64[4] memory accessWad = _accessWad;
        _book.close(accessWad);
        emit BookClosed(accessWad);
    }

    /// @notice Advances clearing within `gasBudget`; returns whether it is complete.
    function clear(uint256 gasBudget) external returns (bool complete) {
        complete = _book.clear(gasBudget);
        ClearingProgress memory state = _book.progress();
        emit ClearingAdvanced(state.stage, state.level, state.cursorTick, complete);
    }

    /// @notice The fill of order `orderId`: Wh, cost or proceeds, fee.
    function fill(uint64 orderId) external view returns (uint64 filledWh, uint256 money, uint256 fee) {
        OrderFill memory result = _book.fillOf(orderId, _tickSize, _feeBps);
        return (result.filledWh, result.money, result.fee);
    }

    /// @notice The fills of orders `orderIds`.
    function fills(uint64[] calldata orderIds) external view returns (OrderFill[] memory results) {
        results = new OrderFill[](orderIds.length);
        for (uint256 i = 0; i < orderIds.length; ++i)
            results[i] = _book.fillOf(orderIds[i], _tickSize, _feeBps);
    }

    /// @notice Whether bucket (`level`, `limitTick`) received energy.
    function bidBucketFilled(uint256 level, uint256 limitTick) external view returns (bool) {
        return _book.bidBucketFilled(level, limitTick);
    }

    /// @notice `bidBucketFeeScore` for the buckets (`levels[i]`, `limitTicks[i]`).
    function bidBucketFeeScores(
        uint256[] calldata levels,
        uint256[] calldata limitTicks
    ) external view returns (uint256[] memory feeScoresWad) {
        if (limitTicks.length != levels.length) revert OrderBookLengthMismatch();
        feeScoresWad = new uint256[](levels.length);
        for (uint256 i = 0; i < levels.length; ++i) {
            feeScoresWad[i] = _book.bidBucketFeeScore(levels[i], limitTicks[i], _tickSize, _feeBps);
        }
    }

    /// @notice Offered Wh at `tick` per seller level (index `level - 1`).
    function offerDepth(uint256 tick) external view returns (uint64[4] memory volumes) {
        return _book.offerDepth(tick);
    }

    /// @notice Bid Wh of `level` at `limitTick`, and the sum of qty * score of those bids.
    function bidDepth(
        uint256 level,
        uint256 limitTick
    ) external view returns (uint64 qtyWh, uint128 qtyScoreWad) {
        return _book.bidDepth(level, limitTick);
    }

    /// @notice Traded Wh, θ and the sum of fee * score of the slot.
    function aggregates() external view returns (SlotAggregates memory totals) {
        return _book.aggregates(_tickSize, _feeBps);
    }

    /// @notice Sum of fee * score over the bids of bucket (`level`, `limitTick`), from its factors.
    function bidBucketFeeScore(uint256 level, uint256 limitTick) external view returns (uint256 feeScoreWad) {
        return _book.bidBucketFeeScore(level, limitTick, _tickSize, _feeBps);
    }

    /// @notice Where clearing stands.
    function progress() external view returns (ClearingProgress memory state) {
        return _book.progress();
    }

    /// @notice The phase of the book.
    function phase() external view returns (Phase) {
        return _book.phase;
    }

    /// @notice Order `orderId` as stored (an empty order for an unknown id).
    function order(uint64 orderId) external view returns (Order memory) {
        return _book.orders[orderId];
    }

    /// @notice Number of orders placed (the last id).
    function orderCount() external view returns (uint64) {
        return _book.orderCount;
    }

    /// @notice Clearing state of offer tick `tick`: frontier and sold volume in 1e-36 Wh from its start.
    function tickClearing(uint256 tick) external view returns (uint256 frontierFU, uint256 soldFU) {
        OrderBook.TickClearing storage state = _book.ticks[tick];
        return (state.frontierFU, state.soldFU);
    }

    /// @notice `tickClearing` for each of `ticks`.
    function tickClearings(
        uint256[] calldata ticks
    ) external view returns (uint256[] memory frontiersFU, uint256[] memory soldFU) {
        frontiersFU = new uint256[](ticks.length);
        soldFU = new uint256[](ticks.length);
        for (uint256 i = 0; i < ticks.length; ++i) {
            OrderBook.TickClearing storage state = _book.ticks[ticks[i]];
            (frontiersFU[i], soldFU[i]) = (state.frontierFU, state.soldFU);
        }
    }

    /// @notice Places one offer and emits its event.
    function _placeOffer(uint64 qtyWh, uint256 tick, uint8 sellerLevel) private returns (uint64 orderId) {
        orderId = _book.placeOffer(qtyWh, tick, sellerLevel);
        emit OfferPlaced(orderId, tick, sellerLevel, qtyWh);
    }

    /// @notice Places one bid and emits its event.
    function _placeBid(
        uint64 qtyWh,
        uint256 limitTick,
        uint8 buyerLevel,
        uint256 scoreWad
    ) private returns (uint64 orderId) {
        orderId = _book.placeBid(qtyWh, limitTick, buyerLevel, scoreWad);
        emit BidPlaced(orderId, limitTick, buyerLevel, qtyWh, scoreWad);
    }
}
