// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRegistry} from "../interfaces/IRegistry.sol";
import {TrustMath} from "../trust/TrustMath.sol";
import {TrustScoreOracle} from "../trust/TrustScoreOracle.sol";

/// @title ThesisScanTrustHarness
/// @notice Test-only benchmark of the thesis' Algorithm 1 as written: every trade is stored in one list (the
/// chain's transactions) and each update scans the whole list for the trader's earlier trades
/// (`listOfTrans(u)`) to count them and sum the coins traded (`totalCoinTraded(u)`), O(n) per update. The
/// score formula is the suite's (SPEC §5.2, via {TrustMath}: β at the slot's end, the newcomer prior), so
/// the result must equal `TrustScoreOracle.recordTrade` for the same history; only the bookkeeping differs.
/// @dev Not access-controlled: a benchmark, never deployed with the suite.
contract ThesisScanTrustHarness {
    /// @notice One stored trade: the list entry the thesis' `listOfTrans` scans.
    struct Trade {
        address trader;
        uint64 slot;
        uint8 alpha;
        uint256 tradeValue;
    }

    uint256 private constant WAD = 1e18;

    /// @notice The registry read for registration times.
    IRegistry public immutable REGISTRY;
    /// @notice The registry's genesis, cached at construction.
    uint256 public immutable GENESIS;
    /// @notice The registry's slot length, cached at construction.
    uint256 public immutable SLOT_LENGTH;
    /// @notice The oracle's time unit (seconds), copied at construction.
    uint256 public immutable TIME_UNIT;
    /// @notice The oracle's coin unit (TRC base units), copied at construction.
    uint256 public immutable COIN_UNIT;
    /// @notice The oracle's initial trader score (wad), copied at construction.
    uint256 public immutable INITIAL_SCORE;
    /// @notice The oracle's initial trader weight (prior trades), copied at construction.
    uint256 public immutable INITIAL_WEIGHT;

    Trade[] private _trades;
    mapping(address trader => uint256 scoreWad) private _scores;

    /// @notice A trade was scored: `newScore` after scanning `earlierTrades` trades of the trader.
    event ScanTradeScored(
        address indexed trader,
        uint256 earlierTrades,
        uint256 coinsTraded,
        uint256 newScore
    );

    /// @notice Gas of one {recordTrade} measured by {measureRecordTrade}.
    event ScanGasMeasured(address indexed trader, uint256 gasUsed, uint256 newScore);

    /// @notice Creates the harness with the clock of `registry` and the scoring parameters of `oracle`.
    /// @param registry The suite's registry (registration times, clock).
    /// @param oracle The oracle whose scoring parameters are copied.
    constructor(IRegistry registry, TrustScoreOracle oracle) {
        REGISTRY = registry;
        GENESIS = registry.genesis();
        SLOT_LENGTH = registry.slotLength();
        TIME_UNIT = oracle.timeUnit();
        COIN_UNIT = oracle.coinUnit();
        INITIAL_SCORE = oracle.initialTraderScore();
        INITIAL_WEIGHT = oracle.initialTraderWeight();
    }

    /// @notice Algorithm 1 as written: scans every stored trade for `trader`'s earlier ones, scores the
    /// trade, stores the score and appends the trade to the list.
    /// @param trader The trader.
    /// @param slot The trade's slot.
    /// @param alpha The meter rating, 1..5.
    /// @param tradeValue The trade's value in TRC base units.
    /// @return newScore The trader's new score (wad).
    function recordTrade(
        address trader,
        uint64 slot,
        uint8 alpha,
        uint256 tradeValue
    ) public returns (uint256 newScore) {
        // listOfTrans(u) and totalCoinTraded(u): a scan of all trades.
        uint256 earlierTrades;
        uint256 coinsTraded;
        uint256 length = _trades.length;
        for (uint256 i; i < length; ++i) {
            Trade storage trade = _trades[i];
            if (trade.trader == trader) {
                ++earlierTrades;
                coinsTraded += trade.tradeValue;
            }
        }
        uint256 prevScore = earlierTrades == 0 ? INITIAL_SCORE : _scores[trader];
        uint256 registeredAt = REGISTRY.participant(trader).registeredAt;
        uint256 slotEnd = GENESIS + (uint256(slot) + 1) * SLOT_LENGTH;
        uint256 betaWad = slotEnd > registeredAt ? ((slotEnd - registeredAt) * WAD) / TIME_UNIT : 0;
        uint256 gammaWad = (coinsTraded * WAD) / COIN_UNIT;
        newScore = TrustMath.nextTraderScore(
            prevScore,
            INITIAL_WEIGHT + earlierTrades,
            uint256(alpha) * WAD,
            betaWad,
            gammaWad
        );
        _scores[trader] = newScore;
        _trades.push(Trade({trader: trader, slot: slot, alpha: alpha, tradeValue: tradeValue}));
        emit ScanTradeScored(trader, earlierTrades, coinsTraded, newScore);
    }

    /// @notice Scores `count` trades of `trader` with the same slot, rating and value in one transaction
    /// (how the benchmark builds the history through the real code path).
    /// @param trader The trader.
    /// @param slot The slot of every trade.
    /// @param alpha The meter rating.
    /// @param tradeValue The value of each trade.
    /// @param count How many trades.
    function recordTrades(
        address trader,
        uint64 slot,
        uint8 alpha,
        uint256 tradeValue,
        uint256 count
    ) external {
        for (uint256 i; i < count; ++i) recordTrade(trader, slot, alpha, tradeValue);
    }

    /// @notice Execution gas of one {recordTrade} as an external call (like a scorer calling the oracle),
    /// emitted with the new score.
    /// @param trader The trader.
    /// @param slot The trade's slot.
    /// @param alpha The meter rating.
    /// @param tradeValue The trade's value.
    function measureRecordTrade(address trader, uint64 slot, uint8 alpha, uint256 tradeValue) external {
        uint256 before = gasleft();
        uint256 newScore = this.recordTrade(trader, slot, alpha, tradeValue);
        uint256 gasUsed = before - gasleft();
        emit ScanGasMeasured(trader, gasUsed, newScore);
    }

    /// @notice The number of stored trades (all traders).
    /// @return The list's length.
    function tradeCount() external view returns (uint256) {
        return _trades.length;
    }

    /// @notice The stored score of `trader` (the initial score before its first trade).
    /// @param trader The trader.
    /// @return The score in wad.
    function traderScore(address trader) external view returns (uint256) {
        uint256 score = _scores[trader];
        return score == 0 ? INITIAL_SCORE : score;
    }
}
