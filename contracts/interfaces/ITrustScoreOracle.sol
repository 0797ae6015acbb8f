// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITrustScoreOracle
/// @notice Trader, validator and platform trust scores (SPEC §5, §6.4, §6.5). All scores and sigmoid
/// results are 18-decimal fixed point ("wad"): trader scores lie on [0, 15e18], validator and platform
/// scores on [0, 5e18]. The read-only functions of SPEC §5.5 keep exactly its names and argument orders.
interface ITrustScoreOracle {
    // ---------------------------------------------------------------- errors (domains of SPEC §5.5)
    /// @notice A trader score above 15e18 was given.
    error TraderScoreOutOfRange(uint256 score);
    /// @notice A validator or platform score above 5e18 was given.
    error ValidatorScoreOutOfRange(uint256 score);
    /// @notice A rating (alpha, delta or epsilon) that is not 1e18, 2e18, ..., 5e18.
    error RatingOutOfRange(uint256 rating);
    /// @notice A count (trades, feedbacks, blocks, transactions) of 2^64 or more.
    error CountOutOfRange(uint256 count);
    /// @notice `fees`, `buyerScores` and `amounts` differ in length.
    error LengthMismatch();
    /// @notice An array that needs at least one element is empty.
    error EmptyArray();
    /// @notice A parameter value outside its domain; `name` says which.
    error InvalidParameter(bytes32 name);
    /// @notice `participant` already gave its platform feedback for `slot`.
    error FeedbackAlreadyGiven(address participant, uint64 slot);
    /// @notice `participant` has no settled trade in `slot`.
    error NoSettledTrade(address participant, uint64 slot);
    /// @notice `trader` is not a registered participant.
    error UnknownTrader(address trader);
    /// @notice `validator` has no validator score (never initialised).
    error UnknownValidator(address validator);
    /// @notice `validator` was initialised already.
    error ValidatorAlreadyKnown(address validator);
    /// @notice No trade ledger has been wired yet.
    error TradeLedgerNotSet();
    /// @notice A TRP level that is not 1, 2, 3 or 4.
    error InvalidTrpLevel(uint8 level);

    // ---------------------------------------------------------------- events
    /// @notice A trade of `trader` in `slot` was scored with `alpha` (1..5) and value `tradeValue`.
    event TraderScoreUpdated(
        address indexed trader,
        uint64 indexed slot,
        uint8 alpha,
        uint256 tradeValue,
        uint256 oldScore,
        uint256 newScore
    );
    /// @notice `participant` rated the platform for `slot`.
    event PlatformFeedbackGiven(
        address indexed participant,
        uint64 indexed slot,
        uint8 delta,
        uint8 epsilon,
        uint256 oldScore,
        uint256 newScore
    );
    /// @notice A validator's score changed; `tv` is the block's trust value (0 for a missed round).
    event ValidatorScoreUpdated(address indexed validator, uint256 tv, uint256 oldScore, uint256 newScore);
    /// @notice A validator lost `penalty` of score for voting against the outcome or not voting.
    event ValidatorPenalised(address indexed validator, uint256 penalty, uint256 oldScore, uint256 newScore);
    /// @notice A validator was initialised with the base score.
    event ValidatorInitialised(address indexed validator, uint256 score, uint64 joinedAt);
    /// @notice A validator's score was set to zero for equivocation.
    event ValidatorZeroed(address indexed validator, uint256 oldScore);
    /// @notice A parameter changed; values are encoded as in the setter.
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);
    /// @notice The TRP thresholds changed.
    event TrpThresholdsSet(uint256[3] oldThresholds, uint256[3] newThresholds);
    /// @notice The TRP access fractions changed.
    event AccessFractionsSet(uint256[4] oldFractions, uint256[4] newFractions);
    /// @notice The trade ledger asked before platform feedback changed.
    event TradeLedgerSet(address indexed oldLedger, address indexed newLedger);

    // ---------------------------------------------------------------- read-only API (SPEC §5.5)
    /// @notice `S(x) = 5 / (1 + e^(-0.5 x))` in wad for `x >= 0` in wad; any `uint256` (clamped to 5e18).
    function sigmoid(uint256 xWad) external pure returns (uint256);

    /// @notice Algorithm 1: the trader score after one more trade.
    function previewTraderScore(
        uint256 prevScore,
        uint256 prevTrades,
        uint256 alpha,
        uint256 betaWad,
        uint256 gammaWad
    ) external pure returns (uint256);

    /// @notice Algorithm 2: the platform score after one more feedback.
    function previewPlatformScore(
        uint256 prevScore,
        uint256 feedbacks,
        uint256 delta,
        uint256 epsilon
    ) external pure returns (uint256);

    /// @notice Algorithm 4: a block's trust value `tv` and its proposer's new score.
    function previewValidatorScore(
        uint256 prevScore,
        uint256 proposedBlocks,
        uint256 betaWad,
        uint256 coinsWad,
        uint256 txCount,
        uint256[] calldata otherScores
    ) external pure returns (uint256 tv, uint256 newScore);

    /// @notice Algorithm 3: the block reward `rho` in TRC base units (uses the `blockReward` parameter).
    function previewBlockReward(
        uint256[] calldata fees,
        uint256[] calldata buyerScores,
        uint256[] calldata amounts,
        uint256 tv
    ) external view returns (uint256 rho);

    /// @notice The TRP level (1..4) of a trader score.
    function trpLevel(uint256 score) external view returns (uint8);

    /// @notice The current score of trader `trader` (`initialTraderScore` if it has no scored trade).
    function traderScore(address trader) external view returns (uint256);

    /// @notice The current score of validator `validator` (0 if unknown).
    function validatorScore(address validator) external view returns (uint256);

    /// @notice The platform score (0 before the first feedback).
    function platformScore() external view returns (uint256);

    // ---------------------------------------------------------------- writes
    /// @notice Scores one trade of `trader` (Algorithm 1): its participant-slot `slot` settled with meter
    /// rating `alpha` (1..5, SPEC §5.1) and a traded value of `tradeValue` TRC base units
    /// (TRADE_SCORER_ROLE, held by settlement). Uses β at the slot's end and γ from the value of the
    /// trader's earlier scored trades; O(1) whatever the number of earlier trades.
    /// @return newScore The trader's new score.
    function recordTrade(
        address trader,
        uint64 slot,
        uint8 alpha,
        uint256 tradeValue
    ) external returns (uint256 newScore);

    /// @notice The caller rates the platform for `slot` (Algorithm 2), `delta` and `epsilon` in 1..5. Once
    /// per settled slot in which the caller traded, as the trade ledger says.
    function giveFeedback(uint64 slot, uint8 delta, uint8 epsilon) external;

    /// @notice Gives a new validator the base score, counted as one prior block, with `RT_v = now`
    /// (VALIDATOR_SCORER_ROLE, held by consensus).
    function initValidator(address validator) external;

    /// @notice Scores the proposer of a final block (Algorithm 4) from the block's traded value `theta`
    /// (TRC base units), its number of buyers' trades `txCount` and the scores of the members other than
    /// the proposer who accepted it (VALIDATOR_SCORER_ROLE).
    function scoreBlock(
        address proposer,
        uint256 theta,
        uint256 txCount,
        uint256[] calldata acceptorScores
    ) external returns (uint256 tv, uint256 newScore);

    /// @notice Scores a proposer whose round was skipped, rejected or lapsed with `tv = 0`
    /// (VALIDATOR_SCORER_ROLE).
    function scoreMissedRound(address proposer) external returns (uint256 newScore);

    /// @notice Takes `penaltyWad` of score from a validator, flooring at zero (VALIDATOR_SCORER_ROLE).
    function penalise(address validator, uint256 penaltyWad) external returns (uint256 newScore);

    /// @notice Sets an equivocating validator's score to zero (VALIDATOR_SCORER_ROLE).
    function zeroValidator(address validator) external;

    // ---------------------------------------------------------------- more views
    /// @notice Algorithm 3 from a block's aggregates: `feePayout = λ_b = feeScoreSum / 15e18` (rounded
    /// down; `feeScoreSum = Σ tf_i · ts_i`, fee base units times wad score) paid out of the slot's fees,
    /// and `rewardMint = R_b + ω_b + tv_b` (TRC base units) to mint from the budget.
    function blockRewardParts(
        uint256 feeScoreSum,
        uint256 theta,
        uint256 tv
    ) external view returns (uint256 feePayout, uint256 rewardMint);

    /// @notice A trader's running totals: current score, number of scored trades (without the prior) and
    /// the TRC value of those trades.
    function traderState(
        address trader
    ) external view returns (uint256 score, uint64 trades, uint256 coinsTraded);

    /// @notice A validator's score, counted blocks `|PB|` (including the prior) and join time `RT_v`.
    function validatorState(
        address validator
    ) external view returns (uint256 score, uint64 proposedBlocks, uint64 joinedAt);

    /// @notice The TRP level (1..4) of trader `trader`'s current score.
    function trpLevelOf(address trader) external view returns (uint8);

    /// @notice The access fraction (wad, in (0, 1e18]) of TRP level `level` (1..4).
    function accessFraction(uint8 level) external view returns (uint256);

    /// @notice Number of platform feedbacks so far.
    function feedbackCount() external view returns (uint64);

    /// @notice The score of a trader without scored trades, in wad (default 12e18).
    function initialTraderScore() external view returns (uint256);
}
