// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {FixedPointMathLib} from "solady/src/utils/FixedPointMathLib.sol";

import {Roles} from "../access/Roles.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ITradeLedger} from "../interfaces/ITradeLedger.sol";
import {ITrustScoreOracle} from "../interfaces/ITrustScoreOracle.sol";
import {TrustMath} from "./TrustMath.sol";

/// @title TrustScoreOracle
/// @notice Keeps the trader, validator and platform trust scores of GridTrust (SPEC §5, §6.4, §6.5):
/// Algorithm 1 per scored trade (written by settlement), Algorithm 2 per platform feedback (given by the
/// participant), Algorithms 3 and 4 for consensus; plus the TRP levels and access fractions of §5.4.
/// @dev Every score update is O(1): running totals replace the thesis' scan of the trade history. The
/// slot clock (genesis, slot length) is read from the registry once, at construction: the registry fixes
/// it at deployment (see {IRegistry}). A trader's registration time `RT_u`, which never changes, is read
/// from the registry at its first scored trade and cached in the trader's storage slot.
contract TrustScoreOracle is AccessControl, ITrustScoreOracle {
    using BitMaps for BitMaps.BitMap;

    // ---------------------------------------------------------------- types
    /// @dev One trader, as stored packed into one word of `_traderWords` (bits low to high:
    /// score 0–63, registeredAt 64–103, trades 104–143, priorWeight 144–159, coinsTraded 160–255).
    /// - `score` ≤ 15e18 < 2^64 (1.8e19): every stored value is a mean of values on [0, 15e18].
    /// - `registeredAt` (`RT_u`, unix seconds) < 2^40 until the year 36 812 (checked with SafeCast).
    /// - `trades` counts scored trades, at most one per participant-slot: reaching 2^40 would take
    ///   2^40 slots (34 000 years at one-second slots); the increment is checked anyway.
    /// - `priorWeight` is `initialTraderWeight` (≤ 2^16 − 1) as it was at the trader's first trade, so a
    ///   later change of the parameter does not reweigh existing traders. The mean uses
    ///   `n = priorWeight + trades`.
    /// - `coinsTraded` (TRC base units) saturates at 2^96 − 1 (7.9e10 TRC). With `coinUnit ≤ MAX_COIN_UNIT`
    ///   (1e26) the saturated value is still ≥ 792 coin units, beyond the sigmoid's clamp point (82.9), so
    ///   saturation never changes a score.
    /// A trader is known (has a stored state) once `trades > 0`. The word is packed by hand so that a scored
    /// trade costs exactly one SLOAD and one SSTORE of it.
    struct TraderState {
        uint256 score;
        uint256 registeredAt;
        uint256 trades;
        uint256 priorWeight;
        uint256 coinsTraded;
    }

    /// @dev One validator in one storage slot. `score` ≤ 5e18 < 2^64; `proposedBlocks` (`|PB_v|`, the
    /// prior included) ≥ 1 marks a known validator and grows by one per scored round (checked);
    /// `joinedAt` is `RT_v` in unix seconds.
    struct ValidatorState {
        uint64 score;
        uint64 proposedBlocks;
        uint64 joinedAt;
    }

    /// @dev The parameters Algorithm 1 reads, in one storage slot (64 + 96 + 64 + 16 = 240 bits), so a
    /// scored trade reads one parameter slot.
    struct ScoringParams {
        uint64 timeUnit;
        uint96 coinUnit;
        uint64 initialTraderScore;
        uint16 initialTraderWeight;
    }

    /// @dev The platform score (≤ 5e18) and the number of feedbacks, in one storage slot.
    struct PlatformState {
        uint64 score;
        uint64 feedbacks;
    }

    // ---------------------------------------------------------------- constants
    /// @notice Role that changes parameters (SPEC §1).
    bytes32 public constant PARAMS_ROLE = Roles.PARAMS_ROLE;
    /// @notice Role that scores trades (settlement).
    bytes32 public constant TRADE_SCORER_ROLE = Roles.TRADE_SCORER_ROLE;
    /// @notice Role that scores validators (consensus).
    bytes32 public constant VALIDATOR_SCORER_ROLE = Roles.VALIDATOR_SCORER_ROLE;

    /// @notice The largest `coinUnit` accepted (1e8 TRC): keeps the saturation of `coinsTraded` exact.
    uint256 public constant MAX_COIN_UNIT = 1e26;

    uint256 private constant WAD = 1e18;
    uint256 private constant MAX_TRADER_SCORE = 15e18;
    uint256 private constant MAX_VALIDATOR_SCORE = 5e18;
    uint256 private constant MAX_COUNT = type(uint64).max;
    uint256 private constant MAX_RATING = 5;

    uint256 private constant MASK_64 = type(uint64).max;
    uint256 private constant MASK_40 = type(uint40).max;
    uint256 private constant MASK_16 = type(uint16).max;
    uint256 private constant MAX_COINS = type(uint96).max;
    uint256 private constant SHIFT_REGISTERED_AT = 64;
    uint256 private constant SHIFT_TRADES = 104;
    uint256 private constant SHIFT_PRIOR_WEIGHT = 144;
    uint256 private constant SHIFT_COINS = 160;

    // ---------------------------------------------------------------- immutables
    /// @notice The registry read for registration times and the slot clock.
    IRegistry public immutable REGISTRY;
    /// @notice The registry's genesis (start of slot 0), cached at construction.
    uint256 public immutable GENESIS;
    /// @notice The registry's slot length in seconds, cached at construction.
    uint256 public immutable SLOT_LENGTH;

    // ---------------------------------------------------------------- state
    mapping(address trader => uint256 packedState) private _traderWords;
    mapping(address validator => ValidatorState) private _validators;
    mapping(address participant => BitMaps.BitMap) private _feedbackGiven;
    ScoringParams private _scoring;
    PlatformState private _platform;
    uint64[3] private _trpThresholds;
    uint64[4] private _accessFractions;
    uint128 private _blockReward;
    uint64 private _baseValidatorScore;
    ITradeLedger private _tradeLedger;

    /// @notice Deploys the oracle with the default parameters of SPEC §5, §6 and grants `admin` the
    /// DEFAULT_ADMIN_ROLE. Caches the registry's slot clock.
    /// @param admin The first holder of DEFAULT_ADMIN_ROLE (a timelock or multisig on real networks).
    /// @param registry The suite's registry.
    constructor(address admin, IRegistry registry) {
        if (admin == address(0)) revert InvalidParameter("admin");
        if (address(registry) == address(0)) revert InvalidParameter("registry");
        REGISTRY = registry;
        GENESIS = registry.genesis();
        SLOT_LENGTH = registry.slotLength();
        _scoring = ScoringParams({
            timeUnit: 3600,
            coinUnit: 1e18,
            initialTraderScore: 12e18,
            initialTraderWeight: 4
        });
        _trpThresholds = [uint64(11.5e18), 12.5e18, 13.5e18];
        _accessFractions = [uint64(0.5e18), 0.75e18, 0.9e18, 1e18];
        _blockReward = 5e18;
        _baseValidatorScore = 3e18;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ================================================================ writes: scores

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {RatingOutOfRange}(alpha) unless 1 ≤ alpha ≤ 5, and with {UnknownTrader} at the
    /// first trade of an account the registry does not know. β uses the slot's end
    /// `GENESIS + (slot + 1) · SLOT_LENGTH` (0 if that precedes `RT_u`); γ the value of the trades scored
    /// before this one. Settlement scores each participant-slot once; the oracle does not check it.
    function recordTrade(
        address trader,
        uint64 slot,
        uint8 alpha,
        uint256 tradeValue
    ) external onlyRole(TRADE_SCORER_ROLE) returns (uint256 newScore) {
        if (alpha == 0 || alpha > MAX_RATING) revert RatingOutOfRange(alpha);
        ScoringParams memory params = _scoring;
        TraderState memory state = _loadTrader(trader);
        if (state.trades == 0) state = _newTrader(trader, params);

        uint256 betaWad;
        uint256 gammaWad;
        // Unchecked is safe: slot < 2^64 and SLOT_LENGTH < 2^64 (the registry's uint64s), so slotEnd < 2^129;
        // the subtraction is guarded; (slotEnd − RT_u) · 1e18 < 2^189; coinsTraded < 2^96 and times 1e18
        // < 2^156; timeUnit and coinUnit are validated > 0, so neither division is by zero.
        unchecked {
            uint256 slotEnd = GENESIS + (uint256(slot) + 1) * SLOT_LENGTH;
            if (slotEnd > state.registeredAt)
                betaWad = ((slotEnd - state.registeredAt) * WAD) / params.timeUnit;
            gammaWad = (state.coinsTraded * WAD) / params.coinUnit;
        }
        uint256 oldScore = state.score;
        newScore = TrustMath.nextTraderScore(
            oldScore,
            state.priorWeight + state.trades,
            uint256(alpha) * WAD,
            betaWad,
            gammaWad
        );

        state.score = newScore;
        ++state.trades;
        // Saturating at 2^96 − 1 (see TraderState); coinsTraded < 2^96, so the guarded sum cannot overflow.
        state.coinsTraded =
            tradeValue < MAX_COINS - state.coinsTraded ? state.coinsTraded + tradeValue : MAX_COINS;
        _storeTrader(trader, state);
        emit TraderScoreUpdated(trader, slot, alpha, tradeValue, oldScore, newScore);
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {RatingOutOfRange} for a rating outside 1..5, {TradeLedgerNotSet} before the
    /// ledger is wired, {FeedbackAlreadyGiven} for a second feedback on `slot` and {NoSettledTrade} if the
    /// ledger has no settled trade of the caller in `slot`.
    function giveFeedback(uint64 slot, uint8 delta, uint8 epsilon) external {
        if (delta == 0 || delta > MAX_RATING) revert RatingOutOfRange(delta);
        if (epsilon == 0 || epsilon > MAX_RATING) revert RatingOutOfRange(epsilon);
        ITradeLedger ledger = _tradeLedger;
        if (address(ledger) == address(0)) revert TradeLedgerNotSet();
        BitMaps.BitMap storage given = _feedbackGiven[msg.sender];
        if (given.get(slot)) revert FeedbackAlreadyGiven(msg.sender, slot);
        if (!ledger.hasSettledTrade(msg.sender, slot)) revert NoSettledTrade(msg.sender, slot);
        given.set(slot);

        PlatformState memory platform = _platform;
        uint256 oldScore = platform.score;
        uint256 newScore = TrustMath.nextPlatformScore(
            oldScore,
            platform.feedbacks,
            uint256(delta) * WAD,
            uint256(epsilon) * WAD
        );
        // newScore ≤ 5e18 fits uint64; the count grows by one per feedback (checked).
        _platform = PlatformState({score: uint64(newScore), feedbacks: platform.feedbacks + 1});
        emit PlatformFeedbackGiven(msg.sender, slot, delta, epsilon, oldScore, newScore);
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {ValidatorAlreadyKnown} for a validator initialised before.
    function initValidator(address validator) external onlyRole(VALIDATOR_SCORER_ROLE) {
        if (_validators[validator].proposedBlocks != 0) revert ValidatorAlreadyKnown(validator);
        uint64 score = _baseValidatorScore;
        uint64 joinedAt = uint64(block.timestamp);
        _validators[validator] = ValidatorState({score: score, proposedBlocks: 1, joinedAt: joinedAt});
        emit ValidatorInitialised(validator, score, joinedAt);
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {UnknownValidator}, {CountOutOfRange} for `txCount ≥ 2^64`, {EmptyArray} without
    /// acceptors and {ValidatorScoreOutOfRange} for an acceptor score above 5e18. `theta` may be any
    /// `uint256` (`θ / coinUnit` saturates where `S` is clamped anyway).
    function scoreBlock(
        address proposer,
        uint256 theta,
        uint256 txCount,
        uint256[] calldata acceptorScores
    ) external onlyRole(VALIDATOR_SCORER_ROLE) returns (uint256 tv, uint256 newScore) {
        ValidatorState memory state = _knownValidator(proposer);
        _checkCount(txCount);
        uint256 scoresSum = _sumValidatorScores(acceptorScores);
        // now ≥ RT_v (block time never decreases); the difference < 2^64, times 1e18 < 2^124.
        uint256 betaWad = ((block.timestamp - state.joinedAt) * WAD) / _scoring.timeUnit;
        uint256 coinsWad = TrustMath.wadRatioSaturating(theta, _scoring.coinUnit);
        (tv, newScore) = TrustMath.nextValidatorScore(
            state.score,
            state.proposedBlocks,
            betaWad,
            coinsWad,
            txCount,
            scoresSum,
            acceptorScores.length
        );
        _writeValidatorScore(proposer, state, tv, newScore);
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {UnknownValidator}.
    function scoreMissedRound(
        address proposer
    ) external onlyRole(VALIDATOR_SCORER_ROLE) returns (uint256 newScore) {
        ValidatorState memory state = _knownValidator(proposer);
        newScore = TrustMath.weightedMean(state.score, state.proposedBlocks, 0);
        _writeValidatorScore(proposer, state, 0, newScore);
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {UnknownValidator}. A penalty of more than the score leaves 0.
    function penalise(
        address validator,
        uint256 penaltyWad
    ) external onlyRole(VALIDATOR_SCORER_ROLE) returns (uint256 newScore) {
        ValidatorState memory state = _knownValidator(validator);
        uint256 oldScore = state.score;
        newScore = oldScore > penaltyWad ? oldScore - penaltyWad : 0;
        // newScore ≤ oldScore ≤ 5e18 fits uint64.
        _validators[validator].score = uint64(newScore);
        emit ValidatorPenalised(validator, penaltyWad, oldScore, newScore);
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {UnknownValidator}. The validator stays known (its score 0) and may still be
    /// scored; consensus never selects an ejected validator again.
    function zeroValidator(address validator) external onlyRole(VALIDATOR_SCORER_ROLE) {
        uint256 oldScore = _knownValidator(validator).score;
        _validators[validator].score = 0;
        emit ValidatorZeroed(validator, oldScore);
    }

    // ================================================================ writes: parameters

    /// @notice Sets the TRP thresholds t1 < t2 < t3 ≤ 15e18 (PARAMS_ROLE). Reverts with
    /// {InvalidParameter}("trpThresholds") otherwise.
    /// @param thresholds The new thresholds in wad of trader score.
    function setTrpThresholds(uint256[3] calldata thresholds) external onlyRole(PARAMS_ROLE) {
        bool increasing = thresholds[0] < thresholds[1] && thresholds[1] < thresholds[2];
        if (!increasing || thresholds[2] > MAX_TRADER_SCORE) revert InvalidParameter("trpThresholds");
        uint256[3] memory old = trpThresholds();
        // Each threshold ≤ 15e18 < 2^64.
        _trpThresholds = [uint64(thresholds[0]), uint64(thresholds[1]), uint64(thresholds[2])];
        emit TrpThresholdsSet(old, thresholds);
    }

    /// @notice Sets the access fractions a_1..a_4 of the TRP levels (PARAMS_ROLE): each in (0, 1e18],
    /// non-decreasing, a_4 = 1e18. Reverts with {InvalidParameter}("accessFractions") otherwise.
    /// @param fractions The new fractions in wad.
    function setAccessFractions(uint256[4] calldata fractions) external onlyRole(PARAMS_ROLE) {
        if (
            fractions[0] == 0 ||
            fractions[0] > fractions[1] ||
            fractions[1] > fractions[2] ||
            fractions[2] > fractions[3] ||
            fractions[3] != WAD
        ) revert InvalidParameter("accessFractions");
        uint256[4] memory old = accessFractions();
        // Each fraction ≤ 1e18 < 2^64.
        _accessFractions = [uint64(fractions[0]), uint64(fractions[1]), uint64(fractions[2]), uint64(WAD)];
        emit AccessFractionsSet(old, fractions);
    }

    /// @notice Sets the score of a trader without scored trades, ≤ 15e18 (PARAMS_ROLE). Traders with
    /// scored trades keep theirs.
    /// @param value The new initial trader score in wad.
    function setInitialTraderScore(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > MAX_TRADER_SCORE) revert InvalidParameter("initialTraderScore");
        emit ParameterSet("initialTraderScore", _scoring.initialTraderScore, value);
        _scoring.initialTraderScore = uint64(value);
    }

    /// @notice Sets how many prior trades the initial score counts as, ≤ 65 535 (PARAMS_ROLE). Applies to
    /// traders whose first trade is scored from now on.
    /// @param value The new initial trader weight (a count).
    function setInitialTraderWeight(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > type(uint16).max) revert InvalidParameter("initialTraderWeight");
        emit ParameterSet("initialTraderWeight", _scoring.initialTraderWeight, value);
        _scoring.initialTraderWeight = uint16(value);
    }

    /// @notice Sets the time unit of β in seconds, in [1, 2^64 − 1] (PARAMS_ROLE).
    /// @param value The new time unit in seconds.
    function setTimeUnit(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > type(uint64).max) revert InvalidParameter("timeUnit");
        emit ParameterSet("timeUnit", _scoring.timeUnit, value);
        _scoring.timeUnit = uint64(value);
    }

    /// @notice Sets the coin unit of γ and TC_b in TRC base units, in [1, MAX_COIN_UNIT] (PARAMS_ROLE).
    /// @param value The new coin unit in TRC base units.
    function setCoinUnit(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > MAX_COIN_UNIT) revert InvalidParameter("coinUnit");
        emit ParameterSet("coinUnit", _scoring.coinUnit, value);
        _scoring.coinUnit = uint96(value);
    }

    /// @notice Sets the fixed block reward `R_b` in TRC base units, below 2^128 (PARAMS_ROLE).
    /// @param value The new block reward in TRC base units.
    function setBlockReward(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > type(uint128).max) revert InvalidParameter("blockReward");
        emit ParameterSet("blockReward", _blockReward, value);
        _blockReward = uint128(value);
    }

    /// @notice Sets the score of a new validator, ≤ 5e18 (PARAMS_ROLE).
    /// @param value The new base validator score in wad.
    function setBaseValidatorScore(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > MAX_VALIDATOR_SCORE) revert InvalidParameter("baseValidatorScore");
        emit ParameterSet("baseValidatorScore", _baseValidatorScore, value);
        _baseValidatorScore = uint64(value);
    }

    /// @notice Wires the trade ledger asked before platform feedback (DEFAULT_ADMIN_ROLE). Reverts with
    /// {InvalidParameter}("tradeLedger") for the zero address.
    /// @param ledger The settlement contract (or any {ITradeLedger}).
    function setTradeLedger(ITradeLedger ledger) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(ledger) == address(0)) revert InvalidParameter("tradeLedger");
        emit TradeLedgerSet(address(_tradeLedger), address(ledger));
        _tradeLedger = ledger;
    }

    // ================================================================ read-only API (SPEC §5.5)

    /// @inheritdoc ITrustScoreOracle
    function sigmoid(uint256 xWad) external pure returns (uint256) {
        return TrustMath.sigmoid(xWad);
    }

    /// @inheritdoc ITrustScoreOracle
    function previewTraderScore(
        uint256 prevScore,
        uint256 prevTrades,
        uint256 alpha,
        uint256 betaWad,
        uint256 gammaWad
    ) external pure returns (uint256) {
        _checkTraderScore(prevScore);
        _checkCount(prevTrades);
        _checkRatingWad(alpha);
        return TrustMath.nextTraderScore(prevScore, prevTrades, alpha, betaWad, gammaWad);
    }

    /// @inheritdoc ITrustScoreOracle
    function previewPlatformScore(
        uint256 prevScore,
        uint256 feedbacks,
        uint256 delta,
        uint256 epsilon
    ) external pure returns (uint256) {
        _checkValidatorScore(prevScore);
        _checkCount(feedbacks);
        _checkRatingWad(delta);
        _checkRatingWad(epsilon);
        return TrustMath.nextPlatformScore(prevScore, feedbacks, delta, epsilon);
    }

    /// @inheritdoc ITrustScoreOracle
    function previewValidatorScore(
        uint256 prevScore,
        uint256 proposedBlocks,
        uint256 betaWad,
        uint256 coinsWad,
        uint256 txCount,
        uint256[] calldata otherScores
    ) external pure returns (uint256 tv, uint256 newScore) {
        _checkValidatorScore(prevScore);
        _checkCount(proposedBlocks);
        _checkCount(txCount);
        uint256 scoresSum = _sumValidatorScores(otherScores);
        (tv, newScore) = TrustMath.nextValidatorScore(
            prevScore,
            proposedBlocks,
            betaWad,
            coinsWad,
            txCount,
            scoresSum,
            otherScores.length
        );
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev `λ_b = ⌊Σ fees_i · buyerScores_i / 15e18⌋` exactly (each product is split into quotient and
    /// remainder, so no intermediate overflows); θ = Σ amounts saturates at `type(uint256).max`, where
    /// `S(θ)` is clamped anyway. Reverts with {EmptyArray}, {LengthMismatch}, {TraderScoreOutOfRange} for a
    /// buyer score above 15e18 and {ValidatorScoreOutOfRange} for `tv > 5e18`; with an arithmetic panic only
    /// if `ρ` itself exceeds `type(uint256).max`.
    function previewBlockReward(
        uint256[] calldata fees,
        uint256[] calldata buyerScores,
        uint256[] calldata amounts,
        uint256 tv
    ) external view returns (uint256 rho) {
        if (fees.length == 0) revert EmptyArray();
        if (buyerScores.length != fees.length || amounts.length != fees.length) revert LengthMismatch();
        _checkValidatorScore(tv);
        rho =
            _feePayoutOf(fees, buyerScores) + TrustMath.rewardMint(_blockReward, _saturatingSum(amounts), tv);
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {TraderScoreOutOfRange} for a score above 15e18.
    function trpLevel(uint256 score) external view returns (uint8) {
        _checkTraderScore(score);
        return _trpLevel(score);
    }

    /// @inheritdoc ITrustScoreOracle
    function traderScore(address trader) public view returns (uint256) {
        TraderState memory state = _loadTrader(trader);
        return state.trades == 0 ? _scoring.initialTraderScore : state.score;
    }

    /// @inheritdoc ITrustScoreOracle
    function validatorScore(address validator) external view returns (uint256) {
        return _validators[validator].score;
    }

    /// @inheritdoc ITrustScoreOracle
    function platformScore() external view returns (uint256) {
        return _platform.score;
    }

    // ================================================================ more views

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {ValidatorScoreOutOfRange} for `tv > 5e18`.
    function blockRewardParts(
        uint256 feeScoreSum,
        uint256 theta,
        uint256 tv
    ) external view returns (uint256 feePayout, uint256 rewardMint) {
        _checkValidatorScore(tv);
        feePayout = TrustMath.feePayout(feeScoreSum);
        rewardMint = TrustMath.rewardMint(_blockReward, theta, tv);
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev `coinsTraded` saturates at 2^96 − 1 base units (see {TraderState}).
    function traderState(
        address trader
    ) external view returns (uint256 score, uint64 trades, uint256 coinsTraded) {
        TraderState memory state = _loadTrader(trader);
        score = state.trades == 0 ? _scoring.initialTraderScore : state.score;
        // trades < 2^40 (see TraderState).
        return (score, uint64(state.trades), state.coinsTraded);
    }

    /// @inheritdoc ITrustScoreOracle
    function validatorState(
        address validator
    ) external view returns (uint256 score, uint64 proposedBlocks, uint64 joinedAt) {
        ValidatorState memory state = _validators[validator];
        return (state.score, state.proposedBlocks, state.joinedAt);
    }

    /// @inheritdoc ITrustScoreOracle
    function trpLevelOf(address trader) external view returns (uint8) {
        return _trpLevel(traderScore(trader));
    }

    /// @inheritdoc ITrustScoreOracle
    /// @dev Reverts with {InvalidTrpLevel} unless 1 ≤ level ≤ 4.
    function accessFraction(uint8 level) external view returns (uint256) {
        if (level == 0 || level > 4) revert InvalidTrpLevel(level);
        return _accessFractions[level - 1];
    }

    /// @inheritdoc ITrustScoreOracle
    function feedbackCount() external view returns (uint64) {
        return _platform.feedbacks;
    }

    /// @notice The TRP thresholds t1, t2, t3 in wad of trader score.
    function trpThresholds() public view returns (uint256[3] memory thresholds) {
        for (uint256 i; i < 3; ++i) thresholds[i] = _trpThresholds[i];
    }

    /// @notice The access fractions a_1..a_4 in wad.
    function accessFractions() public view returns (uint256[4] memory fractions) {
        for (uint256 i; i < 4; ++i) fractions[i] = _accessFractions[i];
    }

    /// @notice The time unit of β in seconds (default 3600).
    function timeUnit() external view returns (uint256) {
        return _scoring.timeUnit;
    }

    /// @notice The coin unit of γ and TC_b in TRC base units (default 1e18).
    function coinUnit() external view returns (uint256) {
        return _scoring.coinUnit;
    }

    /// @notice The score of a trader without scored trades, in wad (default 12e18).
    function initialTraderScore() external view returns (uint256) {
        return _scoring.initialTraderScore;
    }

    /// @notice How many prior trades a newcomer's initial score counts as (default 4).
    function initialTraderWeight() external view returns (uint256) {
        return _scoring.initialTraderWeight;
    }

    /// @notice The fixed block reward `R_b` in TRC base units (default 5e18).
    function blockReward() external view returns (uint256) {
        return _blockReward;
    }

    /// @notice The score of a new validator in wad (default 3e18).
    function baseValidatorScore() external view returns (uint256) {
        return _baseValidatorScore;
    }

    /// @notice The trade ledger asked before platform feedback (zero until wired).
    function tradeLedger() external view returns (ITradeLedger) {
        return _tradeLedger;
    }

    /// @notice Whether `participant` gave its platform feedback for `slot`.
    /// @param participant The participant.
    /// @param slot The slot.
    function feedbackGiven(address participant, uint64 slot) external view returns (bool) {
        return _feedbackGiven[participant].get(slot);
    }

    // ================================================================ internals

    /// @dev The state of a trader at its first scored trade: `RT_u` from the registry, the current
    /// initial score and weight. Reverts with {UnknownTrader} for an unregistered account.
    function _newTrader(
        address trader,
        ScoringParams memory params
    ) private view returns (TraderState memory) {
        IRegistry.Participant memory record = REGISTRY.participant(trader);
        if (record.kind == IRegistry.Kind.None) revert UnknownTrader(trader);
        return
            TraderState({
                score: params.initialTraderScore,
                registeredAt: SafeCast.toUint40(record.registeredAt),
                trades: 0,
                priorWeight: params.initialTraderWeight,
                coinsTraded: 0
            });
    }

    /// @dev Unpacks a trader's word (layout at {TraderState}).
    function _loadTrader(address trader) private view returns (TraderState memory state) {
        uint256 word = _traderWords[trader];
        state.score = word & MASK_64;
        state.registeredAt = (word >> SHIFT_REGISTERED_AT) & MASK_40;
        state.trades = (word >> SHIFT_TRADES) & MASK_40;
        state.priorWeight = (word >> SHIFT_PRIOR_WEIGHT) & MASK_16;
        state.coinsTraded = word >> SHIFT_COINS;
    }

    /// @dev Packs and stores a trader's word. `score` ≤ 15e18 < 2^64, `registeredAt` < 2^40 (SafeCast at
    /// the first trade), `priorWeight` < 2^16 (parameter bound) and `coinsTraded` < 2^96 (saturated) hold
    /// by construction; `trades` is checked, since it is the one field that only grows.
    function _storeTrader(address trader, TraderState memory state) private {
        if (state.trades > MASK_40) revert CountOutOfRange(state.trades);
        _traderWords[trader] =
            state.score |
            (state.registeredAt << SHIFT_REGISTERED_AT) |
            (state.trades << SHIFT_TRADES) |
            (state.priorWeight << SHIFT_PRIOR_WEIGHT) |
            (state.coinsTraded << SHIFT_COINS);
    }

    /// @dev Stores a known validator's new score (Algorithm 4, trust value `tv`), counts the round in
    /// `|PB_v|` and emits the update.
    function _writeValidatorScore(
        address validator,
        ValidatorState memory state,
        uint256 tv,
        uint256 newScore
    ) private {
        // newScore ≤ 5e18 (a mean of values on [0, 5e18]) fits uint64; |PB| grows by one (checked).
        _validators[validator] = ValidatorState({
            score: uint64(newScore),
            proposedBlocks: state.proposedBlocks + 1,
            joinedAt: state.joinedAt
        });
        emit ValidatorScoreUpdated(validator, tv, state.score, newScore);
    }

    /// @dev The state of an initialised validator; reverts with {UnknownValidator} otherwise.
    function _knownValidator(address validator) private view returns (ValidatorState memory state) {
        state = _validators[validator];
        if (state.proposedBlocks == 0) revert UnknownValidator(validator);
    }

    /// @dev Σ scores, each checked ≤ 5e18; reverts with {EmptyArray} for no scores.
    function _sumValidatorScores(uint256[] calldata scores) private pure returns (uint256 sum) {
        uint256 count = scores.length;
        if (count == 0) revert EmptyArray();
        for (uint256 i; i < count; ++i) {
            uint256 score = scores[i];
            _checkValidatorScore(score);
            sum += score;
        }
    }

    /// @dev The TRP level of a score: below t1 → 1, below t2 → 2, below t3 → 3, else 4.
    function _trpLevel(uint256 score) private view returns (uint8) {
        uint64[3] memory thresholds = _trpThresholds;
        if (score < thresholds[0]) return 1;
        if (score < thresholds[1]) return 2;
        if (score < thresholds[2]) return 3;
        return 4;
    }

    /// @dev `λ = ⌊Σ fees_i · scores_i / 15e18⌋` exactly, each score checked ≤ 15e18 (equal lengths given).
    /// Each product is split as `q_i · 15e18 + r_i` (`q_i ≤ fees_i` as `scores_i ≤ 15e18`, `r_i < 15e18`,
    /// computed with a 512-bit product), so `λ = Σ q_i + ⌊Σ r_i / 15e18⌋` overflows only if λ does.
    function _feePayoutOf(
        uint256[] calldata fees,
        uint256[] calldata scores
    ) private pure returns (uint256 lambda) {
        uint256 remainders;
        for (uint256 i; i < fees.length; ++i) {
            uint256 score = scores[i];
            _checkTraderScore(score);
            lambda += FixedPointMathLib.fullMulDiv(fees[i], score, MAX_TRADER_SCORE);
            remainders += mulmod(fees[i], score, MAX_TRADER_SCORE);
        }
        lambda += TrustMath.feePayout(remainders);
    }

    /// @dev Σ values, saturating at `type(uint256).max`.
    function _saturatingSum(uint256[] calldata values) private pure returns (uint256 sum) {
        for (uint256 i; i < values.length; ++i) {
            uint256 value = values[i];
            sum = sum > type(uint256).max - value ? type(uint256).max : sum + value;
        }
    }

    function _checkTraderScore(uint256 score) private pure {
        if (score > MAX_TRADER_SCORE) revert TraderScoreOutOfRange(score);
    }

    function _checkValidatorScore(uint256 score) private pure {
        if (score > MAX_VALIDATOR_SCORE) revert ValidatorScoreOutOfRange(score);
    }

    function _checkCount(uint256 count) private pure {
        if (count > MAX_COUNT) revert CountOutOfRange(count);
    }

    /// @dev A rating in wad must be exactly 1e18, 2e18, ..., 5e18.
    function _checkRatingWad(uint256 rating) private pure {
        if (rating == 0 || rating > MAX_RATING * WAD || rating % WAD != 0) revert RatingOutOfRange(rating);
    }
}
