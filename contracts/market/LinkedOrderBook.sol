// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {OrderBook} from "./OrderBook.sol";
import {TickBitmap} from "./TickBitmap.sol";

/// @title LinkedOrderBook
/// @notice The functions of the `OrderBook` library as a linked (deployed) library, so that
/// the energy market, which holds many books, stays under the 24 KiB code size limit: the market calls these
/// by DELEGATECALL on its own storage. Each function only forwards to `OrderBook`; see there.
library LinkedOrderBook {
    using OrderBook for OrderBook.Book;
    using TickBitmap for TickBitmap.Bitmap;

    /// @notice `OrderBook.placeOffer`: places an offer; returns its id.
    function placeOffer(
        OrderBook.Book storage book,
        uint64 qtyWh,
        uint256 tick,
        uint8 sellerLevel
    ) public returns (uint64 orderId) {
        return book.placeOffer(qtyWh, tick, sellerLevel);
    }

    /// @notice `OrderBook.placeBid`: places a bid; returns its id.
    function placeBid(
        OrderBook.Book storage book,
        uint64 qtyWh,
        uint256 limitTick,
        uint8 buyerLevel,
        uint256 scoreWad
    ) public returns (uint64 orderId) {
        return book.placeBid(qtyWh, limitTick, buyerLevel, scoreWad);
    }

    /// @notice `OrderBook.cancel`: cancels order `orderId`; returns it.
    function cancel(OrderBook.Book storage book, uint64 orderId) public returns (IOrderBook.Order memory) {
        return book.cancel(orderId);
    }

    /// @notice `OrderBook.close`: closes the book with access fractions `accessWad`.
    function close(OrderBook.Book storage book, uint64[4] memory accessWad) public {
        book.close(accessWad);
    }

    /// @notice `OrderBook.clear`: advances clearing within `gasBudget`; returns whether it is complete.
    function clear(OrderBook.Book storage book, uint256 gasBudget) public returns (bool complete) {
        return book.clear(gasBudget);
    }

    /// @notice `OrderBook.fillOf`: what order `orderId` got.
    function fillOf(
        OrderBook.Book storage book,
        uint64 orderId,
        uint256 tickSize,
        uint256 feeBps
    ) public view returns (IOrderBook.OrderFill memory) {
        return book.fillOf(orderId, tickSize, feeBps);
    }

    /// @notice `OrderBook.aggregates`: the slot aggregates.
    function aggregates(
        OrderBook.Book storage book,
        uint256 tickSize,
        uint256 feeBps
    ) public view returns (IOrderBook.SlotAggregates memory) {
        return book.aggregates(tickSize, feeBps);
    }

    /// @notice `OrderBook.bidBucketFilled`: whether bucket (`level`, `limitTick`) received energy.
    function bidBucketFilled(
        OrderBook.Book storage book,
        uint256 level,
        uint256 limitTick
    ) public view returns (bool) {
        return book.bidBucketFilled(level, limitTick);
    }

    /// @notice Sums of `filledWh`, `money` and `fee` over the live orders among `orderIds` (one participant-slot's
    /// orders, at most `maxOrdersPerSlot`); the book must be cleared.
    function fillsOf(
        OrderBook.Book storage book,
        uint64[] storage orderIds,
        uint256 tickSize,
        uint256 feeBps
    ) public view returns (IOrderBook.OrderFill memory total) {
        for (uint256 i = 0; i < orderIds.length; ++i) {
            if (book.orders[orderIds[i]].cancelled) continue;
            IOrderBook.OrderFill memory fill = book.fillOf(orderIds[i], tickSize, feeBps);
            total.filledWh += fill.filledWh;
            total.money += fill.money;
            total.fee += fill.fee;
        }
    }

    /// @notice The number of buyer participant-slots with a fill: the sum of `topBidders[level][tick]` over the
    /// bid buckets that received energy (see `IEnergyMarket.SlotAggregates`); O(bid buckets).
    function filledBuyers(
        OrderBook.Book storage book,
        mapping(uint256 level => mapping(uint256 tick => uint32)) storage topBidders
    ) public view returns (uint256 buyers) {
        for (uint256 level = 1; level < OrderBook.MAX_LEVEL + 1; ++level) {
            TickBitmap.Bitmap storage ticks = book.bidTicks[level];
            for (
                uint256 tick = ticks.nextAtOrAfter(1);
                tick != TickBitmap.NONE;
                tick = ticks.nextAtOrAfter(tick + 1)
            ) {
                uint256 bidders = topBidders[level][tick];
                if (bidders != 0 && book.bidBucketFilled(level, tick)) buyers += bidders;
            }
        }
    }
}
