// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {Roles} from "../access/Roles.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ITrustCoin} from "../interfaces/ITrustCoin.sol";
import {ITrustScoreOracle} from "../interfaces/ITrustScoreOracle.sol";
import {IValidatorRegistry} from "../interfaces/IValidatorRegistry.sol";
import {SortedValidators} from "./SortedValidators.sol";

/// @title ValidatorRegistry
/// @notice The burn-stake validator registry (SPEC §6.1): joining burns a deposit into the coin's reward
/// budget (proof of burn), the deposit is the validator's weight, and the validators are ranked in a
/// sorted list by weight, then rank score, then lower address (SPEC §6.2) so that committee selection
/// reads the best of them in O(committee size) whatever their number. See {IValidatorRegistry} for the
/// ranking and the hints.
/// @dev Needs BURNER_ROLE on the coin and VALIDATOR_SCORER_ROLE on the oracle (granted by the deploy).
/// The list key is `weight << 64 | rankScore`: weights fit 128 bits and scores 64 bits (≤ 5e18), so the
/// key orders by weight first and by score among equal weights, and is positive as weights are.
contract ValidatorRegistry is AccessControl, ReentrancyGuardTransient, IValidatorRegistry {
    using SafeERC20 for ITrustCoin;
    using SortedValidators for SortedValidators.List;

    /// @dev The parameters read by `join`, packed in one storage slot.
    struct JoinParams {
        uint128 minDeposit;
        uint64 minTraderScoreToValidate;
        uint64 minValidatorScore;
    }

    /// @notice Role that changes parameters (SPEC §1).
    bytes32 public constant PARAMS_ROLE = Roles.PARAMS_ROLE;
    /// @notice Role of the consensus contract: ejects equivocating validators.
    bytes32 public constant CONSENSUS_ROLE = Roles.CONSENSUS_ROLE;

    /// @notice The trust coin burned as deposits.
    ITrustCoin public immutable COIN;
    /// @notice The participant registry (good standing, pause switch).
    IRegistry public immutable REGISTRY;
    /// @notice The trust-score oracle (trader and validator scores).
    ITrustScoreOracle public immutable ORACLE;

    uint256 private constant MAX_TRADER_SCORE = 15e18;
    uint256 private constant MAX_VALIDATOR_SCORE = 5e18;
    uint256 private constant MAX_SKIP_LIMIT = 1024;
    uint256 private constant SCORE_BITS = 64;

    JoinParams private _params;
    uint256 private _maxIneligibleSkipped;
    mapping(address account => Validator record) private _validators;
    SortedValidators.List private _ranking;

    /// @notice Deploys the registry with the defaults of SPEC §6: `minDeposit` 2 000 TRC,
    /// `minTraderScoreToValidate` the oracle's `initialTraderScore`, `minValidatorScore` 1e18, and
    /// `maxIneligibleSkipped` 32.
    /// @param admin The DEFAULT_ADMIN_ROLE holder.
    /// @param coin The trust coin.
    /// @param registry The participant registry.
    /// @param oracle The trust-score oracle.
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
        // The oracle keeps its initial trader score ≤ 15e18, which fits 64 bits.
        _params = JoinParams({
            minDeposit: 2_000e18,
            minTraderScoreToValidate: SafeCast.toUint64(oracle.initialTraderScore()),
            minValidatorScore: 1e18
        });
        _maxIneligibleSkipped = 32;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- actions

    /// @inheritdoc IValidatorRegistry
    function join(uint256 deposit, address prevHint, address nextHint) external nonReentrant {
        _join(deposit, prevHint, nextHint);
    }

    /// @inheritdoc IValidatorRegistry
    function joinWithPermit(
        uint256 deposit,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s,
        address prevHint,
        address nextHint
    ) external nonReentrant {
        // A permit already used (front-run by anyone who saw it) has set the allowance: it is not needed
        // again, and calling it would revert. An invalid or expired permit reverts in the coin.
        if (COIN.allowance(msg.sender, address(this)) < deposit) {
            COIN.permit(msg.sender, address(this), deposit, deadline, v, r, s);
        }
        _join(deposit, prevHint, nextHint);
    }

    /// @inheritdoc IValidatorRegistry
    function topUp(uint256 amount, address prevHint, address nextHint) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (REGISTRY.paused()) revert JoinsPaused();
        Validator storage record = _activeValidator(msg.sender);
        uint256 weight = uint256(record.weight) + amount;
        if (weight > type(uint128).max) revert WeightOverflow(weight);
        _burnFrom(msg.sender, amount);
        record.weight = uint128(weight); // checked just above
        uint256 score = _currentScore(msg.sender);
        _ranking.reposition(msg.sender, _key(weight, score), prevHint, nextHint);
        emit ValidatorToppedUp(msg.sender, amount, weight, score);
    }

    /// @inheritdoc IValidatorRegistry
    function leave() external nonReentrant {
        Validator storage record = _activeValidator(msg.sender);
        record.leftAt = uint48(block.timestamp); // unix seconds fit 48 bits for millions of years
        _ranking.remove(msg.sender);
        emit ValidatorLeft(msg.sender, block.timestamp);
    }

    /// @inheritdoc IValidatorRegistry
    function eject(address account) external onlyRole(CONSENSUS_ROLE) nonReentrant {
        Validator storage record = _validators[account];
        if (record.joinedAt == 0) revert NotAValidator(account);
        if (record.ejected) revert ValidatorIsEjected(account);
        uint256 forfeited = record.weight;
        record.weight = 0;
        record.ejected = true;
        if (_ranking.contains(account)) _ranking.remove(account);
        ORACLE.zeroValidator(account);
        emit ValidatorEjected(account, forfeited);
    }

    /// @inheritdoc IValidatorRegistry
    function syncRankScore(address account, address prevHint, address nextHint) external nonReentrant {
        if (!_ranking.contains(account)) revert NotRanked(account);
        uint256 oldKey = _ranking.nodes[account].key;
        uint256 oldScore = uint64(oldKey); // the low 64 bits of the key are the rank score
        uint256 newScore = _currentScore(account);
        if (newScore == oldScore) return;
        _ranking.reposition(account, ((oldKey >> SCORE_BITS) << SCORE_BITS) | newScore, prevHint, nextHint);
        emit RankScoreSynced(account, oldScore, newScore);
    }

    // ---------------------------------------------------------------- parameters

    /// @inheritdoc IValidatorRegistry
    function setMinDeposit(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > type(uint128).max) revert InvalidParameter("minDeposit");
        emit ParameterSet("minDeposit", _params.minDeposit, value);
        _params.minDeposit = uint128(value);
    }

    /// @inheritdoc IValidatorRegistry
    function setMinTraderScoreToValidate(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > MAX_TRADER_SCORE) revert InvalidParameter("minTraderScoreToValidate");
        emit ParameterSet("minTraderScoreToValidate", _params.minTraderScoreToValidate, value);
        _params.minTraderScoreToValidate = uint64(value); // ≤ 15e18 < 2^64
    }

    /// @inheritdoc IValidatorRegistry
    function setMinValidatorScore(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > MAX_VALIDATOR_SCORE) revert InvalidParameter("minValidatorScore");
        emit ParameterSet("minValidatorScore", _params.minValidatorScore, value);
        _params.minValidatorScore = uint64(value); // ≤ 5e18 < 2^64
    }

    /// @inheritdoc IValidatorRegistry
    function setMaxIneligibleSkipped(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > MAX_SKIP_LIMIT) revert InvalidParameter("maxIneligibleSkipped");
        emit ParameterSet("maxIneligibleSkipped", _maxIneligibleSkipped, value);
        _maxIneligibleSkipped = value;
    }

    // ---------------------------------------------------------------- views: ranking

    /// @inheritdoc IValidatorRegistry
    function head() external view returns (address) {
        return _ranking.head;
    }

    /// @inheritdoc IValidatorRegistry
    function tail() external view returns (address) {
        return _ranking.tail;
    }

    /// @inheritdoc IValidatorRegistry
    function next(address account) external view returns (address) {
        return _ranking.nodes[account].next;
    }

    /// @inheritdoc IValidatorRegistry
    function prev(address account) external view returns (address) {
        return _ranking.nodes[account].prev;
    }

    /// @inheritdoc IValidatorRegistry
    function size() external view returns (uint256) {
        return _ranking.size;
    }

    /// @inheritdoc IValidatorRegistry
    function isRanked(address account) external view returns (bool) {
        return _ranking.contains(account);
    }

    /// @inheritdoc IValidatorRegistry
    function rankScore(address account) external view returns (uint256) {
        return uint64(_ranking.nodes[account].key); // the low 64 bits of the key
    }

    /// @inheritdoc IValidatorRegistry
    function topEligible(
        uint256 count,
        address start
    ) external view returns (address[] memory selected, address cursor) {
        if (start == address(0)) {
            cursor = _ranking.head;
        } else {
            if (!_ranking.contains(start)) revert NotRanked(start);
            cursor = start;
        }
        // No more can be found than are ranked; this also bounds the memory a huge `count` would take.
        if (count > _ranking.size) count = _ranking.size;
        address[] memory found = new address[](count);
        uint256 taken;
        uint256 skipped;
        uint256 maxSkipped = _maxIneligibleSkipped;
        uint256 minScore = _params.minValidatorScore;
        while (cursor != address(0) && taken < count) {
            // Ranked validators have joined and neither left nor been ejected: only the score can fail.
            if (ORACLE.validatorScore(cursor) < minScore) {
                if (skipped == maxSkipped) break;
                // skipped < maxSkipped ≤ 1024.
                unchecked {
                    ++skipped;
                }
            } else {
                found[taken] = cursor;
                // taken < count, the length of `found`.
                unchecked {
                    ++taken;
                }
            }
            cursor = _ranking.nodes[cursor].next;
        }
        selected = new address[](taken);
        for (uint256 i; i < taken; ++i) selected[i] = found[i];
    }

    /// @inheritdoc IValidatorRegistry
    function isEligible(address account) external view returns (bool) {
        Validator memory record = _validators[account];
        return
            record.joinedAt != 0 &&
            !record.ejected &&
            record.leftAt == 0 &&
            !(ORACLE.validatorScore(account) < _params.minValidatorScore);
    }

    /// @inheritdoc IValidatorRegistry
    function validator(address account) external view returns (Validator memory) {
        return _validators[account];
    }

    /// @inheritdoc IValidatorRegistry
    function findInsertPosition(
        uint256 weight,
        uint256 score,
        address account
    ) external view returns (address prevHint, address nextHint) {
        if (weight > type(uint128).max) revert WeightOverflow(weight);
        return _ranking.findPosition(account, _key(weight, SafeCast.toUint64(score)));
    }

    // ---------------------------------------------------------------- views: parameters

    /// @inheritdoc IValidatorRegistry
    function minDeposit() external view returns (uint256) {
        return _params.minDeposit;
    }

    /// @inheritdoc IValidatorRegistry
    function minTraderScoreToValidate() external view returns (uint256) {
        return _params.minTraderScoreToValidate;
    }

    /// @inheritdoc IValidatorRegistry
    function minValidatorScore() external view returns (uint256) {
        return _params.minValidatorScore;
    }

    /// @inheritdoc IValidatorRegistry
    function maxIneligibleSkipped() external view returns (uint256) {
        return _maxIneligibleSkipped;
    }

    /// @notice Whether the contract implements `interfaceId` (ERC-165): IValidatorRegistry, IAccessControl
    /// and IERC165.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IValidatorRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- internal

    /// @dev The checks and effects of `join` and `joinWithPermit`, each refusal its own error.
    function _join(uint256 deposit, address prevHint, address nextHint) private {
        address account = msg.sender;
        if (REGISTRY.paused()) revert JoinsPaused();
        Validator storage record = _validators[account];
        if (record.ejected) revert ValidatorIsEjected(account);
        if (record.joinedAt != 0) revert AlreadyJoined(account);
        if (!REGISTRY.isRegistered(account)) revert NotRegistered(account);
        if (!REGISTRY.isInGoodStanding(account)) revert NotInGoodStanding(account);
        JoinParams memory params = _params;
        uint256 traderScore = ORACLE.traderScore(account);
        if (traderScore < params.minTraderScoreToValidate) {
            revert TraderScoreTooLow(account, traderScore, params.minTraderScoreToValidate);
        }
        if (deposit < params.minDeposit) revert DepositTooSmall(deposit, params.minDeposit);
        if (deposit > type(uint128).max) revert WeightOverflow(deposit);
        _burnFrom(account, deposit);
        record.weight = uint128(deposit); // checked just above
        record.joinedAt = uint48(block.timestamp); // unix seconds fit 48 bits for millions of years
        ORACLE.initValidator(account);
        uint256 score = _currentScore(account);
        _ranking.insert(account, _key(deposit, score), prevHint, nextHint);
        emit ValidatorJoined(account, deposit, score);
    }

    /// @dev Moves `amount` of `account`'s coins here and burns them into the reward budget.
    function _burnFrom(address account, uint256 amount) private {
        COIN.safeTransferFrom(account, address(this), amount);
        COIN.burnToBudget(amount);
    }

    /// @dev The record of a validator that may act: joined, not ejected, not left.
    function _activeValidator(address account) private view returns (Validator storage record) {
        record = _validators[account];
        if (record.joinedAt == 0) revert NotAValidator(account);
        if (record.ejected) revert ValidatorIsEjected(account);
        if (record.leftAt != 0) revert ValidatorHasLeft(account);
    }

    /// @dev The oracle score of `account`, which the oracle keeps ≤ 5e18 (checked to fit 64 bits).
    function _currentScore(address account) private view returns (uint256) {
        return SafeCast.toUint64(ORACLE.validatorScore(account));
    }

    /// @dev The list key of a weight below 2^128 and a score below 2^64; positive when the weight is.
    function _key(uint256 weight, uint256 score) private pure returns (uint256) {
        return (weight << SCORE_BITS) | score;
    }
}
