// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IValidatorRegistry
/// @notice The burn-stake validator registry of the agreement layer (SPEC §6.1, §6.2). A registered
/// participant in good standing joins by burning a deposit into the reward budget; the deposit is its
/// weight. Validators are kept in a sorted doubly-linked list, so that committee selection reads the best
/// ranked validators without ever looping over all of them.
///
/// Ranking: weight (descending), then score (descending), then the lower address. The score that ranks
/// is the validator's **rank score**, a snapshot of its oracle score taken whenever the validator is
/// positioned: at `join`, at `topUp` and at `syncRankScore`. Scores change in the trust-score oracle, not
/// here; `syncRankScore` (permissionless, with hints) re-positions a validator at its current oracle
/// score, and the consensus contract calls it after every score change it makes. Eligibility never uses
/// the snapshot: `isEligible` and `topEligible` read the live oracle score.
///
/// Hints: every call that positions a validator takes the neighbours `prevHint` (ranked just before it,
/// or zero for the head) and `nextHint` (ranked just after it, or zero for the tail) in the list without
/// the validator itself. They are checked in O(1) and a wrong one reverts naming the bad hint; compute
/// them off-chain with {findInsertPosition} or by walking the list.
interface IValidatorRegistry {
    // ---------------------------------------------------------------- types
    /// @notice A validator's record.
    /// @param weight The coins it burned (TRC base units); zero once ejected (forfeited).
    /// @param joinedAt When it joined (unix seconds); zero if it never joined.
    /// @param leftAt When it left (unix seconds); zero while it has not left.
    /// @param ejected Whether it was ejected for equivocation (never selectable again).
    struct Validator {
        uint128 weight;
        uint48 joinedAt;
        uint48 leftAt;
        bool ejected;
    }

    // ---------------------------------------------------------------- errors
    /// @notice The zero address was given for the admin, coin, registry or oracle.
    error ZeroAddress();
    /// @notice The suite is paused: no joins and no top-ups.
    error JoinsPaused();
    /// @notice `account` is not a registered participant.
    error NotRegistered(address account);
    /// @notice `account` is suspended or indebted.
    error NotInGoodStanding(address account);
    /// @notice `account`'s trader score `score` is below `minScore`.
    error TraderScoreTooLow(address account, uint256 score, uint256 minScore);
    /// @notice A deposit of `deposit` is below the minimum `minDeposit`.
    error DepositTooSmall(uint256 deposit, uint256 minDeposit);
    /// @notice `account` has joined already (a validator that left does not rejoin).
    error AlreadyJoined(address account);
    /// @notice `account` was ejected and may never act as a validator again.
    error ValidatorIsEjected(address account);
    /// @notice `account` never joined.
    error NotAValidator(address account);
    /// @notice `account` has left.
    error ValidatorHasLeft(address account);
    /// @notice `account` is not in the ranking (it never joined, has left or was ejected).
    error NotRanked(address account);
    /// @notice A top-up of zero.
    error ZeroAmount();
    /// @notice The validator's weight would not fit 128 bits.
    error WeightOverflow(uint256 weight);
    /// @notice A parameter value outside its domain; `name` says which.
    error InvalidParameter(bytes32 name);

    // ---------------------------------------------------------------- events
    /// @notice `validator` joined by burning `deposit` (its weight), ranked at score `rankScore`.
    event ValidatorJoined(address indexed validator, uint256 deposit, uint256 rankScore);
    /// @notice `validator` burned `amount` more; its weight is now `weight`, ranked at score `rankScore`.
    event ValidatorToppedUp(address indexed validator, uint256 amount, uint256 weight, uint256 rankScore);
    /// @notice `validator` left at `leftAt`; it finishes a committee it is on, and its weight is not returned.
    event ValidatorLeft(address indexed validator, uint256 leftAt);
    /// @notice `validator` was ejected for equivocation; `forfeitedWeight` is lost.
    event ValidatorEjected(address indexed validator, uint256 forfeitedWeight);
    /// @notice `validator` was re-positioned at its current oracle score.
    event RankScoreSynced(address indexed validator, uint256 oldRankScore, uint256 newRankScore);
    /// @notice A parameter changed.
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);

    // ---------------------------------------------------------------- actions
    /// @notice Joins as a validator by burning `deposit` (≥ `minDeposit`) of the caller's coins into the
    /// reward budget; needs an allowance for this contract. The caller must be a registered participant in
    /// good standing with trader score ≥ `minTraderScoreToValidate`, and the suite not paused.
    /// @param deposit The coins to burn, in TRC base units; the new validator's weight.
    /// @param prevHint The validator ranked just before the caller's position (zero: the head).
    /// @param nextHint The validator ranked just after the caller's position (zero: the tail).
    function join(uint256 deposit, address prevHint, address nextHint) external;

    /// @notice {join} with an EIP-2612 permit for the deposit instead of a prior approval. The permit is
    /// used only while the allowance is short of `deposit`, so a permit that someone front-ran (and so
    /// used already) does not make the join fail; an invalid or expired permit reverts in the coin.
    /// @param deposit The coins to burn.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's `v`.
    /// @param r The permit signature's `r`.
    /// @param s The permit signature's `s`.
    /// @param prevHint See {join}.
    /// @param nextHint See {join}.
    function joinWithPermit(
        uint256 deposit,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s,
        address prevHint,
        address nextHint
    ) external;

    /// @notice Burns `amount` more of the caller's coins; the caller's weight grows by it and it is
    /// re-positioned (at its current oracle score). Refused while the suite is paused.
    /// @param amount The coins to burn (TRC base units, positive).
    /// @param prevHint Neighbour before the new position, in the list without the caller.
    /// @param nextHint Neighbour after the new position, in the list without the caller.
    function topUp(uint256 amount, address prevHint, address nextHint) external;

    /// @notice The caller stops being a candidate for future committees and leaves the ranking; it
    /// finishes a committee it is on (consensus reads `leftAt`). Its weight is not returned.
    function leave() external;

    /// @notice Ejects `account` for provable equivocation (CONSENSUS_ROLE): its weight is forfeited, its
    /// oracle score set to zero, and it is never selectable again. A validator that left may be ejected.
    /// @param account The validator.
    function eject(address account) external;

    /// @notice Re-positions a ranked validator at its current oracle score (anyone may call it; the
    /// consensus contract does after each score change). A call with an unchanged score does nothing.
    /// @param account The validator.
    /// @param prevHint Neighbour before the new position, in the list without `account`.
    /// @param nextHint Neighbour after the new position, in the list without `account`.
    function syncRankScore(address account, address prevHint, address nextHint) external;

    // ---------------------------------------------------------------- parameters (PARAMS_ROLE)
    /// @notice Sets the least deposit of a join, in TRC base units: positive, below 2^128.
    function setMinDeposit(uint256 value) external;
    /// @notice Sets the least trader score to join, in wad on [0, 15e18].
    function setMinTraderScoreToValidate(uint256 value) external;
    /// @notice Sets the least validator score to be eligible, in wad on [0, 5e18].
    function setMinValidatorScore(uint256 value) external;
    /// @notice Sets how many ineligible ranked validators one {topEligible} call may skip, in [1, 1024].
    function setMaxIneligibleSkipped(uint256 value) external;

    // ---------------------------------------------------------------- views: ranking
    /// @notice The best ranked validator (zero if none).
    function head() external view returns (address);
    /// @notice The worst ranked validator (zero if none).
    function tail() external view returns (address);
    /// @notice The validator ranked just after `account` (zero at the tail or if `account` is not ranked).
    function next(address account) external view returns (address);
    /// @notice The validator ranked just before `account` (zero at the head or if `account` is not ranked).
    function prev(address account) external view returns (address);
    /// @notice How many validators are ranked (joined, not left, not ejected).
    function size() external view returns (uint256);
    /// @notice Whether `account` is in the ranking.
    function isRanked(address account) external view returns (bool);
    /// @notice The score `account` is ranked at (a snapshot of its oracle score; zero if not ranked).
    function rankScore(address account) external view returns (uint256);

    /// @notice Up to `count` eligible validators in rank order, from `start` (inclusive; zero: the head).
    /// Reads at most `count + maxIneligibleSkipped + 1` entries: it stops early once more than
    /// `maxIneligibleSkipped` ineligible ones were passed over.
    /// @param count The most validators to return.
    /// @param start The first ranked validator to read, or zero for the head.
    /// @return selected The eligible validators found, best first.
    /// @return cursor The first entry not read (zero at the end of the list): pass it as `start` to go on.
    function topEligible(
        uint256 count,
        address start
    ) external view returns (address[] memory selected, address cursor);

    /// @notice Whether `account` is eligible for a committee: joined, not ejected, not left, oracle score
    /// ≥ `minValidatorScore`.
    function isEligible(address account) external view returns (bool);

    /// @notice The record of `account`.
    function validator(address account) external view returns (Validator memory);

    /// @notice The neighbours a validator `account` of weight `weight` and rank score `score` would get:
    /// the `prevHint` and `nextHint` for {join}, {topUp} or {syncRankScore}. Walks the list from the head
    /// (O(size)): for off-chain hint computation only, never to be called by a contract.
    /// @param weight The weight after the call (for a top-up: the current weight plus the amount).
    /// @param score The rank score: the oracle's current score (for a join: its `baseValidatorScore`).
    /// @param account The validator; its own entry is skipped.
    function findInsertPosition(
        uint256 weight,
        uint256 score,
        address account
    ) external view returns (address prevHint, address nextHint);

    // ---------------------------------------------------------------- views: parameters
    /// @notice The least deposit of a join, in TRC base units (default 2 000 TRC).
    function minDeposit() external view returns (uint256);
    /// @notice The least trader score to join, in wad (default: the oracle's `initialTraderScore`).
    function minTraderScoreToValidate() external view returns (uint256);
    /// @notice The least oracle score of an eligible validator, in wad (default 1e18).
    function minValidatorScore() external view returns (uint256);
    /// @notice How many ineligible ranked validators one {topEligible} call may skip (default 32).
    function maxIneligibleSkipped() external view returns (uint256);
}
