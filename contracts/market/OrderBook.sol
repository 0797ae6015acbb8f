// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IOrderBook} from "../interfaces/IOrderBook.sol";
import {TickBitmap} from "./TickBitmap.sol";

/// @title OrderBook
/// @notice The TRP-gated order book of one (microgrid, slot) (SPEC §7): per-(tick, seller level) and
/// per-(buyer level, limit tick) aggregates with bitmaps of the non-empty ticks, the bounded-gas
/// clearing of SPEC §7.2 and O(1) per-order fills. It holds no tokens: money is computed, never moved.
///
/// Clearing (SPEC §7.2). After `close`, `clear` walks: (1) the offer ticks up to the highest bid limit,
/// summing V; then for each level L = 4, 3, 2, 1 (2) its bid buckets from the cheapest offer tick up,
/// summing Q_L (Wh) and W_L (sum of qty * score), and (3) the offer ticks and its bid ticks in one
/// ascending merge. At an offer tick p it applies the rule of §7.2 to the level's pooled remainder
/// u_L = (exact remaining Wh of the eligible level-L bids) in fine units FU = 1e-36 Wh:
///     h = min(end_p, max(f_p, reserved_L)),  F = min(end_p - h, u_L),  f_p = h + F,  u_L -= F,
/// which equals §7.2's "each eligible bid filled by F/D of its remaining" because all eligible level-L
/// bids have survived the same product of (1 - F/D) since the cheapest tick (D = u_L). At a bid tick l,
/// after p = l, the bucket (L, l) leaves the pool: it keeps its share q/Q_L of u_L and of the pool's
/// cost G_L (sum over walked ticks of F * p, FU * tick), and the pool keeps the rest. Sellers: the sold
/// volume of a tick is taken by seller level 4, 3, 2, 1 in turn and pro rata inside a level, so only the
/// tick's total sold volume needs keeping. A step never loops over orders: clearing costs
/// O((offer ticks + bid buckets) * levels) whatever the number of orders; a call stops, cursor saved,
/// once the gas it was given is nearly used, after at least one step.
///
/// Precision (proof). Positions, reserved_L = V * (1e18 - a_L) * 1e18 FU, F, f_p and the updates of u_L
/// are exact integers in FU. The only rounding of that state is at a bucket's exit, u_L <- u_L * (Q-q)/Q,
/// rounded up; `roundings` (E) counts the inexact ones, each adding under 1 FU.
/// (a) Monotone: the step maps (f_p, u_L) to (min(end, h + u), max(0, h + u - end)), non-decreasing in
///     both, and exits are non-decreasing in u_L; rounding up thus keeps every computed f_p and u_L at or
///     above its exact value (induction on the steps). (f_p is written only when F > 0; when F = 0 every
///     later h is the same either way, since reserved_L only grows as L falls.)
/// (b) Non-expansive: with g = h + u, both new values move with g and their errors add up to g's, so
///     |df'| + |du'| = |dg| <= |df| + |du|; an exit scales du by (Q-q)/Q <= 1. The sum of all absolute
///     errors of the state therefore stays below E FU, and |dF| <= max(|dh|, |du|) <= E at every step.
/// Bids, energy: a bucket keeps ceil(u * q / Q) FU, then in pWh (1e-12 Wh) rounded up: at least its exact
///     remainder, by less than (E + 1) FU + 1 pWh. An order gets floor(qty * (q - remaining) / q): never
///     above its exact fill, below it by less than (E + 1) * 1e-36 + 1e-12 Wh before the floor — so
///     floor(exact) or one Wh less.
/// Bids, money: G grows by (F + E) * p >= (exact F) * p at every offer tick while the pool is not empty
///     and every division of G rounds up, so G and each bucket's share are at least exact. The excess,
///     per Wh of bid, is below sum_p 2E * p / Q_p plus 1/Q FU * tick per earlier exit; since an order's
///     qty is at most Q_p wherever it is eligible, an order's cost exceeds its exact cost by less than
///     2E * K * pMax + X + 2 FU * tick + 1 zWh * tick (K offer ticks walked, X < 2^16 earlier exits of its
///     level, zWh * tick = 1e-21 Wh * tick).
/// Offers: each step adds max(F - E, 0) <= exact F to the tick's sold volume, at most 2E below it, so a
///     tick's sold volume is at most 8E FU below exact (4 levels), never above; seller level s takes
///     clamp(sold - (Wh of levels above s), 0, Wh of s) and each offer qty / (Wh of s) of that, which
///     is §7.2 point 4's greedy, pro-rata allocation. Fills and proceeds never exceed exact.
/// Bounds supported: qty < 2^64 Wh per order and per (tick, level) aggregate; ticks 1..65535; levels 1..4;
/// fewer than 2^64 orders; tick size 1..1e21 (up to 1000 TRC per kWh per tick); fee at most 10 000 bps.
/// Then V < 2^82 Wh, every product below fits 256 bits, E <= bid buckets < 2^18 and K, pMax < 2^16:
/// - energy: every fill is floor(exact) or one Wh less (error before the floor < 1.1e-12 Wh);
/// - bids' money: excess < 2^51 FU * tick + 1e-21 Wh * tick < 3.3e-21 Wh * tick, worth under
///   3.3e-3 base units at the largest tick size, so a cost is ceil(exact) or one base unit more, a fee
///   likewise (ceil of feeBps of the cost) — never in the buyer's favour;
/// - sellers' money: deficit < 8E * pMax FU * tick (< 1e-3 base units), so proceeds are floor(exact) or
///   one base unit less — never in the seller's favour;
/// - hence money is within 1e-9 relative of exact for any amount of 1e9 base units or more, and before the
///   final rounding within 3.3e-21 Wh * tick of exact. Forward money never runs short: buyers pay at
///   least, sellers receive at most, the exact values, which balance.
/// Where no division is inexact (E = 0, e.g. SPEC's worked example) fills and money are exact.
library OrderBook {
    using TickBitmap for TickBitmap.Bitmap;
    using SafeCast for uint256;

    /// @notice Fine units per Wh: positions and pooled remainders are kept in 1e-36 Wh.
    uint256 internal constant ONE = 1e36;
    /// @notice 1e18, the scale of scores and access fractions.
    uint256 internal constant WAD = 1e18;
    /// @notice Highest TRP level (levels are 1..4).
    uint256 internal constant MAX_LEVEL = 4;
    /// @notice Highest trader score (SPEC §5: scores on [0, 15]).
    uint256 internal constant MAX_SCORE_WAD = 15e18;
    /// @notice Largest tick size supported (1000 TRC per kWh per tick), see the precision proof.
    uint256 internal constant MAX_TICK_SIZE = 1e21;
    /// @notice Basis points in one.
    uint256 internal constant BPS = 10_000;
    /// @notice Prices are per kWh: the value of q Wh at price p is q * p / 1000 (SPEC §2).
    uint256 internal constant WH_PER_KWH = 1000;
    /// @notice A bucket's remainder is kept in pWh (1e-12 Wh): FU per pWh.
    uint256 internal constant FU_PER_PICO_WH = 1e24;
    /// @notice pWh per Wh.
    uint256 internal constant PICO_WH_PER_WH = 1e12;
    /// @notice A bucket's cost is kept in zWh * tick (1e-21 Wh * tick): FU per zWh.
    uint256 internal constant FU_PER_ZEPTO_WH = 1e15;
    /// @notice zWh * tick to TRC base units: multiply by tickSize, divide by 1e21 * 1000.
    uint256 internal constant ZEPTO_WH_PER_KWH = 1e24;
    /// @notice Gas kept back when a clearing call decides whether to take one more step: one step plus
    /// saving the cursor cost at most about 180 000 gas (a one-step transaction of the harness, with its
    /// 21 000 intrinsic gas and event, measured at most about 204 000 gas: reports/gas/clearing.json).
    uint256 internal constant CLEAR_GAS_RESERVE = 400_000;

    /// @notice Clearing has not started.
    uint8 internal constant STAGE_IDLE = 0;
    /// @notice Summing V over the offer ticks up to the highest bid limit.
    uint8 internal constant STAGE_OFFERS = 1;
    /// @notice Summing Q_L and W_L over the bid buckets of the current level.
    uint8 internal constant STAGE_BIDS = 2;
    /// @notice Walking the ticks for the current level.
    uint8 internal constant STAGE_WALK = 3;
    /// @notice Clearing is complete.
    uint8 internal constant STAGE_DONE = 4;

    /// @notice Bids of one level at one limit tick. `remainingPWhPlusOne` (0 while not set) and
    /// `costZeptoWhTick` are written when the bucket leaves the pool: the bucket's remaining energy in
    /// pWh plus one, and its total cost in zWh * tick.
    struct BidBucket {
        uint128 qtyScoreWad;
        uint64 qtyWh;
        uint104 remainingPWhPlusOne;
        uint152 costZeptoWhTick;
    }

    /// @notice Clearing state of an offer tick: frontier and sold volume, both in FU from the tick's start.
    struct TickClearing {
        uint256 frontierFU;
        uint256 soldFU;
    }

    /// @notice The pool of a level when its walk ended with buckets still in it (they share it pro rata).
    struct LevelEnd {
        uint256 remainingFU;
        uint256 costFU;
        uint96 eligibleWh;
    }

    /// @notice The clearing cursor and accumulators (see the stage constants).
    struct Clearing {
        uint256 remainingFU;
        uint256 costFU;
        uint256 eligibleQtyScore;
        uint256 tradedFU;
        uint256 costTickFU;
        uint256 feeScoreAttoWhTickWad;
        uint64[4] accessWad;
        uint96 offeredWh;
        uint96 positionWh;
        uint64 roundings;
        uint96 eligibleWh;
        uint32 cursorTick;
        uint16 maxLimitTick;
        uint16 firstOfferTick;
        uint8 stage;
        uint8 level;
    }

    /// @notice One book. Offers are aggregated per tick in `offerWh[tick][sellerLevel - 1]`, bids per
    /// `bids[level][limitTick]`; the bitmaps hold the non-empty ticks.
    struct Book {
        mapping(uint256 orderId => IOrderBook.Order) orders;
        mapping(uint256 tick => uint64[4]) offerWh;
        mapping(uint256 level => mapping(uint256 tick => BidBucket)) bids;
        mapping(uint256 tick => TickClearing) ticks;
        TickBitmap.Bitmap offerTicks;
        TickBitmap.Bitmap[5] bidTicks;
        LevelEnd[5] levelEnds;
        Clearing clearing;
        IOrderBook.Phase phase;
        uint64 orderCount;
    }

    // ================================================================ orders

    /// @notice Places an offer of `qtyWh` at `tick` by a seller of TRP level `sellerLevel`; O(1).
    function placeOffer(
        Book storage book,
        uint64 qtyWh,
        uint256 tick,
        uint8 sellerLevel
    ) internal returns (uint64 orderId) {
        orderId = _record(book, IOrderBook.Side.Offer, qtyWh, tick, sellerLevel, 0);
        uint64[4] storage volumes = book.offerWh[tick];
        uint64[4] memory before = volumes;
        uint256 total = uint256(before[sellerLevel - 1]) + qtyWh;
        if (total > type(uint64).max) revert IOrderBook.OrderBookVolumeOverflow(tick, sellerLevel);
        volumes[sellerLevel - 1] = uint64(total);
        if (_isEmpty(before)) book.offerTicks.set(tick);
    }

    /// @notice Places a bid of `qtyWh` up to `limitTick` by a buyer of level `buyerLevel` whose trust score
    /// is `scoreWad` (at most 15e18); O(1).
    function placeBid(
        Book storage book,
        uint64 qtyWh,
        uint256 limitTick,
        uint8 buyerLevel,
        uint256 scoreWad
    ) internal returns (uint64 orderId) {
        if (scoreWad > MAX_SCORE_WAD) revert IOrderBook.OrderBookScoreOutOfRange(scoreWad);
        orderId = _record(book, IOrderBook.Side.Bid, qtyWh, limitTick, buyerLevel, scoreWad);
        BidBucket storage bucket = book.bids[buyerLevel][limitTick];
        uint256 qtyBefore = bucket.qtyWh;
        uint256 total = qtyBefore + qtyWh;
        if (total > type(uint64).max) revert IOrderBook.OrderBookVolumeOverflow(limitTick, buyerLevel);
        bucket.qtyWh = uint64(total);
        // qty * score < 2^64 * 15e18 < 2^128 for the whole bucket since its total qty is below 2^64.
        bucket.qtyScoreWad += uint128(uint256(qtyWh) * scoreWad);
        if (qtyBefore == 0) book.bidTicks[buyerLevel].set(limitTick);
    }

    /// @notice Cancels order `orderId` while the book is open; O(1).
    function cancel(Book storage book, uint64 orderId) internal returns (IOrderBook.Order memory order) {
        if (book.phase != IOrderBook.Phase.Open) revert IOrderBook.OrderBookNotOpen();
        order = _order(book, orderId);
        book.orders[orderId].cancelled = true;
        if (order.side == IOrderBook.Side.Offer) {
            uint64[4] storage volumes = book.offerWh[order.tick];
            volumes[order.level - 1] -= order.qtyWh;
            if (_isEmpty(volumes)) book.offerTicks.unset(order.tick);
        } else {
            BidBucket storage bucket = book.bids[order.level][order.tick];
            uint64 left = bucket.qtyWh - order.qtyWh;
            bucket.qtyWh = left;
            bucket.qtyScoreWad -= uint128(uint256(order.qtyWh) * order.scoreWad);
            if (left == 0) book.bidTicks[order.level].unset(order.tick);
        }
    }

    // ================================================================ clearing

    /// @notice Closes the book at the gate with access fractions `accessWad` (levels 1..4, wad,
    /// non-decreasing, a_4 = 1e18). Records the highest bid limit; O(1).
    function close(Book storage book, uint64[4] memory accessWad) internal {
        if (book.phase != IOrderBook.Phase.Open) revert IOrderBook.OrderBookNotOpen();
        // a_1 <= a_2 <= a_3 <= a_4 = 1e18.
        if (
            accessWad[3] != WAD ||
            accessWad[2] > accessWad[3] ||
            accessWad[1] > accessWad[2] ||
            accessWad[0] > accessWad[1]
        ) revert IOrderBook.OrderBookInvalidAccessFractions(accessWad);
        uint256 maxLimit = 0;
        for (uint256 level = 1; level < MAX_LEVEL + 1; ++level) {
            uint256 top = book.bidTicks[level].last();
            if (top != TickBitmap.NONE && top > maxLimit) maxLimit = top;
        }
        book.phase = IOrderBook.Phase.Clearing;
        Clearing storage c = book.clearing;
        c.accessWad = accessWad;
        c.maxLimitTick = uint16(maxLimit);
        c.cursorTick = 1;
        c.stage = STAGE_OFFERS;
    }

    /// @notice Advances clearing of a closed book by steps until it is complete or the gas this call has
    /// used comes within `CLEAR_GAS_RESERVE` of `gasBudget` (or of what is left); always at least one step.
    /// @return complete Whether clearing is now complete.
    function clear(Book storage book, uint256 gasBudget) internal returns (bool complete) {
        IOrderBook.Phase phase = book.phase;
        if (phase == IOrderBook.Phase.Open) revert IOrderBook.OrderBookNotClosed();
        if (phase == IOrderBook.Phase.Cleared) revert IOrderBook.OrderBookAlreadyCleared();
        uint256 gasStart = gasleft();
        uint256 stopBelow = CLEAR_GAS_RESERVE + (gasBudget < gasStart ? gasStart - gasBudget : 0);
        Clearing memory c = book.clearing;
        do {
            if (c.stage == STAGE_OFFERS) _sumOffers(book, c);
            else if (c.stage == STAGE_BIDS) _sumBids(book, c);
            else _walk(book, c);
        } while (c.stage != STAGE_DONE && gasleft() > stopBelow);
        book.clearing = c;
        complete = c.stage == STAGE_DONE;
        if (complete) book.phase = IOrderBook.Phase.Cleared;
    }

    /// @notice Stage 1: adds the next offer tick up to the highest bid limit to V.
    function _sumOffers(Book storage book, Clearing memory c) private view {
        uint256 tick = book.offerTicks.nextAtOrAfter(c.cursorTick);
        if (tick > c.maxLimitTick) {
            // Also when there is no offer tick (NONE > every limit). Nothing can trade without V.
            if (c.offeredWh == 0) {
                c.stage = STAGE_DONE;
            } else {
                c.level = uint8(MAX_LEVEL);
                _startLevel(c);
            }
            return;
        }
        if (c.firstOfferTick == 0) c.firstOfferTick = uint16(tick);
        c.offeredWh += uint96(_tickWh(book.offerWh[tick]));
        c.cursorTick = uint32(tick + 1);
    }

    /// @notice Stage 2: adds the next bid bucket of the level at or above the cheapest offer tick to the
    /// pool; when there is none, starts the walk (or the next level if the pool is empty).
    function _sumBids(Book storage book, Clearing memory c) private view {
        uint256 tick = book.bidTicks[c.level].nextAtOrAfter(c.cursorTick);
        if (tick == TickBitmap.NONE) {
            if (c.eligibleWh == 0) {
                _nextLevel(c);
            } else {
                c.stage = STAGE_WALK;
                c.remainingFU = uint256(c.eligibleWh) * ONE;
                c.cursorTick = c.firstOfferTick;
            }
            return;
        }
        BidBucket storage bucket = book.bids[c.level][tick];
        c.eligibleWh += bucket.qtyWh;
        c.eligibleQtyScore += bucket.qtyScoreWad;
        c.cursorTick = uint32(tick + 1);
    }

    /// @notice Stage 3: the next tick of the merged walk — an offer tick (fill) and/or a bid tick of the
    /// level (the bucket leaves the pool, after the fill at the same tick since its limit includes it).
    function _walk(Book storage book, Clearing memory c) private {
        uint256 offerTick = book.offerTicks.nextAtOrAfter(c.cursorTick);
        if (offerTick > c.maxLimitTick) {
            _endLevel(book, c);
            return;
        }
        // The pool is not empty, so a bucket of the level lies at or above the cursor.
        uint256 bidTick = book.bidTicks[c.level].nextAtOrAfter(c.cursorTick);
        uint256 tick = bidTick < offerTick ? bidTick : offerTick;
        if (tick == offerTick) _fillAt(book, c, tick);
        if (tick == bidTick) _exitBucket(book, c, tick);
        c.cursorTick = uint32(tick + 1);
        if (c.eligibleWh == 0 || c.remainingFU == 0) _endLevel(book, c);
    }

    /// @notice SPEC §7.2 points 2-4 at offer tick `tick` for the current level (see the proof above).
    function _fillAt(Book storage book, Clearing memory c, uint256 tick) private {
        uint256 offeredWh = _tickWh(book.offerWh[tick]);
        uint256 startFU = uint256(c.positionWh) * ONE;
        uint256 endFU = startFU + offeredWh * ONE;
        c.positionWh += uint96(offeredWh);
        TickClearing storage state = book.ticks[tick];
        uint256 fromFU = Math.min(Math.max(startFU + state.frontierFU, _reservedFU(c)), endFU);
        uint256 filledFU = Math.min(endFU - fromFU, c.remainingFU);
        uint256 slack = c.roundings;
        // The exact fill lies within `slack` of `filledFU`: the pool's cost takes the upper bound.
        c.costFU += (filledFU + slack) * tick;
        if (filledFU == 0) return;
        state.frontierFU = fromFU + filledFU - startFU;
        c.remainingFU -= filledFU;
        if (filledFU > slack) {
            // Sellers and the aggregates take the lower bound.
            uint256 soldFU = filledFU - slack;
            state.soldFU += soldFU;
            c.tradedFU += soldFU;
            c.costTickFU += soldFU * tick;
            // Fee * score of the bids filled here, in 1e-18 Wh * tick * wad (floor): the eligible bids share
            // the fill pro rata, so their sum of qty * score over their sum of qty weighs it.
            c.feeScoreAttoWhTickWad += Math.mulDiv(
                soldFU * tick,
                c.eligibleQtyScore,
                uint256(c.eligibleWh) * WAD
            );
        }
    }

    /// @notice Bucket (level, `tick`) leaves the pool with its share q/Q of the remainder and of the cost,
    /// rounded up; the pool keeps the rest, rounded up (counted in `roundings` when inexact).
    function _exitBucket(Book storage book, Clearing memory c, uint256 tick) private {
        BidBucket storage bucket = book.bids[c.level][tick];
        uint256 qty = bucket.qtyWh;
        uint256 pool = c.eligibleWh;
        uint256 remainingFU = c.remainingFU;
        uint256 costFU = c.costFU;
        uint256 shareFU = Math.mulDiv(remainingFU, qty, pool, Math.Rounding.Ceil);
        bucket.remainingPWhPlusOne = (Math.ceilDiv(shareFU, FU_PER_PICO_WH) + 1).toUint104();
        uint256 costShareFU = Math.mulDiv(costFU, qty, pool, Math.Rounding.Ceil);
        bucket.costZeptoWhTick = Math.ceilDiv(costShareFU, FU_PER_ZEPTO_WH).toUint152();
        uint256 rest = pool - qty;
        c.remainingFU = Math.mulDiv(remainingFU, rest, pool, Math.Rounding.Ceil);
        if (mulmod(remainingFU, rest, pool) != 0) ++c.roundings;
        c.costFU = Math.mulDiv(costFU, rest, pool, Math.Rounding.Ceil);
        c.eligibleWh = uint96(rest);
        c.eligibleQtyScore -= bucket.qtyScoreWad;
    }

    /// @notice Ends the current level's walk, keeping the pool for the buckets still in it.
    function _endLevel(Book storage book, Clearing memory c) private {
        if (c.eligibleWh != 0) book.levelEnds[c.level] = LevelEnd(c.remainingFU, c.costFU, c.eligibleWh);
        _nextLevel(c);
    }

    /// @notice Moves to the next lower level, or to done after level 1.
    function _nextLevel(Clearing memory c) private pure {
        if (c.level == 1) {
            c.stage = STAGE_DONE;
            return;
        }
        --c.level;
        _startLevel(c);
    }

    /// @notice Starts stage 2 for `c.level` with an empty pool.
    function _startLevel(Clearing memory c) private pure {
        c.stage = STAGE_BIDS;
        c.cursorTick = c.firstOfferTick;
        c.positionWh = 0;
        c.eligibleWh = 0;
        c.eligibleQtyScore = 0;
        c.remainingFU = 0;
        c.costFU = 0;
    }

    /// @notice reserved_L = V * (1 - a_L) in FU, exact.
    function _reservedFU(Clearing memory c) private pure returns (uint256) {
        return uint256(c.offeredWh) * (WAD - c.accessWad[c.level - 1]) * WAD;
    }

    // ================================================================ fills and views

    /// @notice What order `orderId` got (see `IOrderBook.OrderFill`), with prices `tick * tickSize` TRC
    /// base units per kWh and a fee of `feeBps`; O(1). Needs clearing complete.
    function fillOf(
        Book storage book,
        uint64 orderId,
        uint256 tickSize,
        uint256 feeBps
    ) internal view returns (IOrderBook.OrderFill memory fill) {
        _checkCleared(book);
        _checkMoney(tickSize, feeBps);
        IOrderBook.Order memory order = _order(book, orderId);
        if (order.side == IOrderBook.Side.Offer) return _offerFill(book, order, tickSize);
        return _bidFill(book, order, tickSize, feeBps);
    }

    /// @notice A bid's fill, cost (up, at most its escrow at the limit price) and fee (up).
    function _bidFill(
        Book storage book,
        IOrderBook.Order memory order,
        uint256 tickSize,
        uint256 feeBps
    ) private view returns (IOrderBook.OrderFill memory fill) {
        (uint256 bucketWh, uint256 remainingPWh, uint256 costZeptoWhTick) = _bucketOutcome(
            book,
            order.level,
            order.tick
        );
        uint256 qty = order.qtyWh;
        uint256 filledPWh = bucketWh * PICO_WH_PER_WH - remainingPWh;
        fill.filledWh = uint64(Math.mulDiv(qty, filledPWh, bucketWh * PICO_WH_PER_WH));
        uint256 orderCost = qty * costZeptoWhTick;
        uint256 limitValue = qty * order.tick;
        fill.money = Math.min(
            Math.mulDiv(orderCost, tickSize, bucketWh * ZEPTO_WH_PER_KWH, Math.Rounding.Ceil),
            Math.mulDiv(limitValue, tickSize, WH_PER_KWH, Math.Rounding.Ceil)
        );
        fill.fee = Math.min(
            Math.mulDiv(orderCost, tickSize * feeBps, bucketWh * ZEPTO_WH_PER_KWH * BPS, Math.Rounding.Ceil),
            Math.mulDiv(limitValue, tickSize * feeBps, WH_PER_KWH * BPS, Math.Rounding.Ceil)
        );
    }

    /// @notice An offer's fill and proceeds (down): seller levels 4..1 take the tick's sold volume in turn.
    function _offerFill(
        Book storage book,
        IOrderBook.Order memory order,
        uint256 tickSize
    ) private view returns (IOrderBook.OrderFill memory fill) {
        uint64[4] memory volumes = book.offerWh[order.tick];
        uint256 aheadFU = 0;
        for (uint256 level = order.level; level < MAX_LEVEL; ++level)
            aheadFU += uint256(volumes[level]) * ONE;
        uint256 levelFU = uint256(volumes[order.level - 1]) * ONE;
        uint256 soldFU = book.ticks[order.tick].soldFU;
        uint256 takenFU = soldFU > aheadFU ? Math.min(soldFU - aheadFU, levelFU) : 0;
        uint256 share = uint256(order.qtyWh) * takenFU;
        fill.filledWh = uint64(share / levelFU);
        fill.money = Math.mulDiv(share, order.tick * tickSize, levelFU * WH_PER_KWH);
    }

    /// @notice A bid bucket's total Wh, remaining pWh and cost in zWh * tick after clearing.
    function _bucketOutcome(
        Book storage book,
        uint256 level,
        uint256 tick
    ) private view returns (uint256 bucketWh, uint256 remainingPWh, uint256 costZeptoWhTick) {
        BidBucket storage bucket = book.bids[level][tick];
        bucketWh = bucket.qtyWh;
        uint256 remainingPlusOne = bucket.remainingPWhPlusOne;
        if (remainingPlusOne != 0) return (bucketWh, remainingPlusOne - 1, bucket.costZeptoWhTick);
        uint256 firstOfferTick = book.clearing.firstOfferTick;
        if (firstOfferTick == 0 || tick < firstOfferTick || bucketWh == 0) {
            // Never in a pool: no offer at or below its limit could trade.
            return (bucketWh, bucketWh * PICO_WH_PER_WH, 0);
        }
        // Still in its level's pool when the walk ended: its share of the pool, rounded up.
        LevelEnd storage end = book.levelEnds[level];
        uint256 pool = end.eligibleWh;
        uint256 shareFU = Math.mulDiv(end.remainingFU, bucketWh, pool, Math.Rounding.Ceil);
        uint256 costShareFU = Math.mulDiv(end.costFU, bucketWh, pool, Math.Rounding.Ceil);
        return (bucketWh, Math.ceilDiv(shareFU, FU_PER_PICO_WH), Math.ceilDiv(costShareFU, FU_PER_ZEPTO_WH));
    }

    /// @notice Slot aggregates (see `IOrderBook.SlotAggregates`) from the clearing accumulators; O(1).
    function aggregates(
        Book storage book,
        uint256 tickSize,
        uint256 feeBps
    ) internal view returns (IOrderBook.SlotAggregates memory totals) {
        _checkCleared(book);
        _checkMoney(tickSize, feeBps);
        Clearing storage c = book.clearing;
        totals.tradedWh = c.tradedFU / ONE;
        totals.buyerCost = Math.mulDiv(c.costTickFU, tickSize, ONE * WH_PER_KWH);
        totals.feeScoreWad = Math.mulDiv(c.feeScoreAttoWhTickWad, tickSize * feeBps, WH_PER_KWH * BPS * WAD);
    }

    /// @notice Sum over the bids of bucket (`level`, `limitTick`) of fee (TRC base units) * score (wad),
    /// floor, from the bucket's factors: its cost per Wh (an upper bound) times its sum of qty * score.
    function bidBucketFeeScore(
        Book storage book,
        uint256 level,
        uint256 limitTick,
        uint256 tickSize,
        uint256 feeBps
    ) internal view returns (uint256 feeScoreWad) {
        _checkCleared(book);
        _checkMoney(tickSize, feeBps);
        _checkLevel(level);
        _checkTick(limitTick);
        (uint256 bucketWh, , uint256 costZeptoWhTick) = _bucketOutcome(book, level, limitTick);
        if (bucketWh == 0) return 0;
        uint256 weighted = Math.mulDiv(costZeptoWhTick, book.bids[level][limitTick].qtyScoreWad, bucketWh);
        return Math.mulDiv(weighted, tickSize * feeBps, ZEPTO_WH_PER_KWH * BPS);
    }

    /// @notice Whether bucket (`level`, `limitTick`) received energy in clearing (its remaining energy, in
    /// pWh rounded up, is below its quantity); false for an empty bucket. Needs clearing complete; O(1).
    function bidBucketFilled(
        Book storage book,
        uint256 level,
        uint256 limitTick
    ) internal view returns (bool) {
        _checkCleared(book);
        _checkLevel(level);
        _checkTick(limitTick);
        (uint256 bucketWh, uint256 remainingPWh, ) = _bucketOutcome(book, level, limitTick);
        return remainingPWh < bucketWh * PICO_WH_PER_WH;
    }

    /// @notice Offered Wh at `tick` per seller level (index `level - 1`).
    function offerDepth(Book storage book, uint256 tick) internal view returns (uint64[4] memory volumes) {
        _checkTick(tick);
        return book.offerWh[tick];
    }

    /// @notice Bid Wh of buyer level `level` at limit `limitTick`, and its sum of qty * score (wad).
    function bidDepth(
        Book storage book,
        uint256 level,
        uint256 limitTick
    ) internal view returns (uint64 qtyWh, uint128 qtyScoreWad) {
        _checkLevel(level);
        _checkTick(limitTick);
        BidBucket storage bucket = book.bids[level][limitTick];
        return (bucket.qtyWh, bucket.qtyScoreWad);
    }

    /// @notice Where clearing stands.
    function progress(Book storage book) internal view returns (IOrderBook.ClearingProgress memory) {
        Clearing storage c = book.clearing;
        return
            IOrderBook.ClearingProgress({
                stage: c.stage,
                level: c.level,
                cursorTick: c.cursorTick,
                maxLimitTick: c.maxLimitTick,
                firstOfferTick: c.firstOfferTick,
                offeredWh: c.offeredWh,
                roundings: c.roundings
            });
    }

    // ================================================================ checks and helpers

    /// @notice Checks and stores a new order; returns its id (1, 2, ...).
    function _record(
        Book storage book,
        IOrderBook.Side side,
        uint64 qtyWh,
        uint256 tick,
        uint8 level,
        uint256 scoreWad
    ) private returns (uint64 orderId) {
        if (book.phase != IOrderBook.Phase.Open) revert IOrderBook.OrderBookNotOpen();
        if (qtyWh == 0) revert IOrderBook.OrderBookZeroQuantity();
        _checkLevel(level);
        _checkTick(tick);
        orderId = ++book.orderCount;
        // tick < 2^16 and scoreWad <= 15e18 < 2^64 were checked.
        book.orders[orderId] = IOrderBook.Order(side, qtyWh, uint64(scoreWad), uint16(tick), level, false);
    }

    /// @notice The live order `orderId`, or a revert if unknown or cancelled.
    function _order(Book storage book, uint64 orderId) private view returns (IOrderBook.Order memory order) {
        order = book.orders[orderId];
        if (order.side == IOrderBook.Side.None) revert IOrderBook.OrderBookUnknownOrder(orderId);
        if (order.cancelled) revert IOrderBook.OrderBookOrderCancelled(orderId);
    }

    /// @notice Total Wh over the seller levels of one tick (below 2^66).
    function _tickWh(uint64[4] memory volumes) private pure returns (uint256) {
        return uint256(volumes[0]) + volumes[1] + volumes[2] + volumes[3];
    }

    /// @notice Whether no seller level has Wh at a tick.
    function _isEmpty(uint64[4] memory volumes) private pure returns (bool) {
        return volumes[0] == 0 && volumes[1] == 0 && volumes[2] == 0 && volumes[3] == 0;
    }

    /// @notice Reverts unless `level` is 1..4.
    function _checkLevel(uint256 level) private pure {
        if (level == 0 || level > MAX_LEVEL) revert IOrderBook.OrderBookInvalidLevel(level);
    }

    /// @notice Reverts unless `tick` is 1..65535.
    function _checkTick(uint256 tick) private pure {
        if (tick == 0 || tick > TickBitmap.MAX_TICK) revert IOrderBook.OrderBookTickOutOfRange(tick);
    }

    /// @notice Reverts unless clearing is complete.
    function _checkCleared(Book storage book) private view {
        if (book.phase != IOrderBook.Phase.Cleared) revert IOrderBook.OrderBookNotCleared();
    }

    /// @notice Reverts unless 0 < tickSize <= 1e21 and feeBps <= 10 000.
    function _checkMoney(uint256 tickSize, uint256 feeBps) private pure {
        if (tickSize == 0 || tickSize > MAX_TICK_SIZE) revert IOrderBook.OrderBookInvalidTickSize(tickSize);
        if (feeBps > BPS) revert IOrderBook.OrderBookInvalidFeeBps(feeBps);
    }
}
