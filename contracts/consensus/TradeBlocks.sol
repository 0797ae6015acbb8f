// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {LibBit} from "solady/src/utils/LibBit.sol";

import {Roles} from "../access/Roles.sol";
import {ICommittees} from "../interfaces/ICommittees.sol";
import {IEnergyMarket} from "../interfaces/IEnergyMarket.sol";
import {IMeterReadings} from "../interfaces/IMeterReadings.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {ISettlement} from "../interfaces/ISettlement.sol";
import {ITradeBlocks} from "../interfaces/ITradeBlocks.sol";
import {ITrustCoin} from "../interfaces/ITrustCoin.sol";
import {ITrustScoreOracle} from "../interfaces/ITrustScoreOracle.sol";
import {IValidatorRegistry} from "../interfaces/IValidatorRegistry.sol";

/// @title TradeBlocks
/// @notice Rounds, proposals, attestations and finality of the trade block of each microgrid-slot (SPEC §6.3),
/// with the proposer's score (Algorithm 4), block reward (Algorithm 3), attester penalties, default finality
/// and ejection for equivocation.
/// @dev Penalties (reading of SPEC §6.3 "members who voted against the final outcome, or did not vote"):
/// every round that ends applies them to the members other than its proposer — at finality to those who
/// rejected or did not vote; at rejection to those who accepted or did not vote; at lapse to those who did
/// not vote (a lapsed round has no outcome to vote against); a skipped round has nothing to vote on. The
/// proposer is scored instead (Algorithm 4 at finality, `tv = 0` otherwise). Votes of a batch all count
/// before the outcome is judged, so a batch that carries every vote penalises nobody who signed.
/// Needs CONSENSUS_ROLE on the meter readings, settlement and validator registry, VALIDATOR_SCORER_ROLE on
/// the oracle and REWARD_MINTER_ROLE on the coin.
contract TradeBlocks is AccessControl, ReentrancyGuardTransient, EIP712, ITradeBlocks {
    /// @notice Role that changes parameters (SPEC §1).
    bytes32 public constant PARAMS_ROLE = Roles.PARAMS_ROLE;

    /// @notice EIP-712 type hash of a proposal: keccak256("Proposal(uint32 microgrid,uint64 slot,uint32 round,
    /// bytes32 digest,uint32 count,address[] exclusions)") (one line, no spaces besides those between a type and
    /// its name; checked by the tests against ethers' TypedDataEncoder).
    bytes32 public constant PROPOSAL_TYPEHASH =
        0x83c0bff9d490eda5f8a45c0596b40dd54b0745a3529f21546110549be8d60073;
    /// @notice EIP-712 type hash of an attestation: keccak256("Attestation(uint32 microgrid,uint64 slot,uint32 round,
    /// bytes32 proposalHash,bool accept)") (one line; checked by the tests).
    bytes32 public constant ATTESTATION_TYPEHASH =
        0xdb9adea5459199ef9ba3f18b5b4d672d2d08efe0df885f650e325ca39ad8cd60;

    /// @notice The most committee members tracked (votes are bitmaps over positions).
    uint256 public constant MAX_COMMITTEE = 64;
    /// @notice The most rounds a finality deadline may span with every round skipped, which bounds the
    /// rounds one lazy advance ends.
    uint256 public constant MAX_ROUNDS = 64;

    uint256 private constant MIN_WINDOW = 30;
    uint256 private constant MAX_WINDOW = 86_400;
    uint256 private constant MAX_DEADLINE_SLOTS = 96;
    uint256 private constant MAX_PENALTY = 5e18;
    uint256 private constant MAX_EXCLUSIONS_LIMIT = 256;
    uint256 private constant NOT_FOUND = type(uint256).max;

    /// @notice The trust coin (block rewards are minted from its budget).
    ITrustCoin public immutable COIN;
    /// @notice The registry, whose slot length is cached at construction.
    IRegistry public immutable REGISTRY;
    /// @notice The energy market (slot aggregates of Algorithms 3 and 4).
    IEnergyMarket public immutable MARKET;
    /// @notice The meter readings (digest, count, proposable time, finalization).
    IMeterReadings public immutable METER;
    /// @notice The committees of the epochs.
    ICommittees public immutable COMMITTEES;
    /// @notice The settlement (block fees).
    ISettlement public immutable SETTLEMENT;
    /// @notice The trust-score oracle (validator scores, reward parts).
    ITrustScoreOracle public immutable ORACLE;
    /// @notice The validator registry (ejection).
    IValidatorRegistry public immutable VALIDATORS;
    /// @notice The registry's slot length in seconds.
    uint256 public immutable SLOT_LENGTH;

    /// @dev Parameters in one slot: seconds, seconds, slots, wad, count.
    struct Params {
        uint32 proposalTimeout;
        uint32 attestWindow;
        uint16 finalityDeadline;
        uint64 attesterPenalty;
        uint16 maxExclusions;
    }

    Params private _params;
    mapping(uint32 microgrid => mapping(uint64 slot => BlockState)) private _blocks;
    mapping(uint32 microgrid => mapping(uint64 slot => mapping(uint32 round => address[])))
        private _exclusions;

    /// @notice Deploys with the defaults of SPEC §6.3 (proposalTimeout 300 s, attestWindow 300 s,
    /// finalityDeadline 4 slots, attesterPenalty 0.1e18, maxExclusions 64) and grants `admin` the
    /// DEFAULT_ADMIN_ROLE. The block reward `R_b` is the oracle's `blockReward` parameter.
    /// @param admin The first DEFAULT_ADMIN_ROLE holder.
    constructor(
        address admin,
        ITrustCoin coin,
        IRegistry registry,
        IEnergyMarket market,
        IMeterReadings meter,
        ICommittees committees,
        ISettlement settlement,
        ITrustScoreOracle oracle,
        IValidatorRegistry validators
    ) EIP712("GridTrust TradeBlocks", "1") {
        if (
            admin == address(0) ||
            address(coin) == address(0) ||
            address(registry) == address(0) ||
            address(market) == address(0) ||
            address(meter) == address(0) ||
            address(committees) == address(0) ||
            address(settlement) == address(0) ||
            address(oracle) == address(0) ||
            address(validators) == address(0)
        ) revert ZeroAddress();
        COIN = coin;
        REGISTRY = registry;
        MARKET = market;
        METER = meter;
        COMMITTEES = committees;
        SETTLEMENT = settlement;
        ORACLE = oracle;
        VALIDATORS = validators;
        SLOT_LENGTH = registry.slotLength();
        _params = Params({
            proposalTimeout: 300,
            attestWindow: 300,
            finalityDeadline: 4,
            attesterPenalty: 0.1e18,
            maxExclusions: 64
        });
        _checkRoundBound(4, 300, "finalityDeadline", 4);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ================================================================ actions

    /// @inheritdoc ITradeBlocks
    /// @dev Reverts with {AlreadyFinal} and {NotProposable}. Without a committee no round ends.
    function advance(uint32 microgrid, uint64 slot) external nonReentrant returns (uint32 round) {
        (BlockState storage state, , ) = _prepare(microgrid, slot);
        return state.round;
    }

    /// @inheritdoc ITradeBlocks
    /// @dev Reverts with {AlreadyFinal}, {NotProposable}, {NoCommittee}, {CommitteeTooLarge}, {NoOpenRound},
    /// {WrongRound}, {AlreadyProposed}, {DigestMismatch}, {CountMismatch}, {TooManyExclusions},
    /// {ExclusionsNotSorted}, {InvalidSignature} and {NotProposer}.
    function propose(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body,
        bytes calldata signature
    ) external nonReentrant {
        (BlockState storage state, address[] memory order, uint64 epoch) = _prepare(microgrid, slot);
        _checkRound(microgrid, slot, state, order.length, epoch, round);
        if (state.proposedAt != 0) revert AlreadyProposed(round);
        _checkBody(microgrid, slot, body);

        (uint256 proposerIndex, bytes32 structHash) = _checkProposer(
            microgrid,
            slot,
            round,
            body,
            signature,
            order
        );

        state.proposedAt = uint64(block.timestamp);
        state.proposalHash = structHash;
        state.acceptMask = uint64(1 << proposerIndex); // proposerIndex < k ≤ 64
        state.accepts = 1;
        _exclusions[microgrid][slot][round] = body.exclusions;
        emit BlockProposed(microgrid, slot, round, order[proposerIndex], structHash, body.exclusions);
        _judge(microgrid, slot, state, order);
    }

    /// @inheritdoc ITradeBlocks
    /// @dev Reverts as {propose} does for the round, with {NotProposed} before its proposal, {NotMember},
    /// {ProposerCannotAttest} and {AlreadyVoted}.
    function attest(uint32 microgrid, uint64 slot, uint32 round, bool accept) external nonReentrant {
        (BlockState storage state, address[] memory order, uint64 epoch) = _prepare(microgrid, slot);
        _checkRound(microgrid, slot, state, order.length, epoch, round);
        if (state.proposedAt == 0) revert NotProposed(round);
        uint256 position = _positionOf(order, msg.sender);
        if (position == NOT_FOUND) revert NotMember(msg.sender);
        if (position == _proposerIndex(microgrid, slot, round, order.length))
            revert ProposerCannotAttest(msg.sender);
        if (_hasVoted(state, position)) revert AlreadyVoted(msg.sender);
        _record(state, position, accept);
        emit Attested(microgrid, slot, round, msg.sender, accept);
        _judge(microgrid, slot, state, order);
    }

    /// @inheritdoc ITradeBlocks
    /// @dev Reverts as {attest} does for the round and with {EmptyBatch}; the outcome is judged after every
    /// vote of the batch is recorded.
    function attestBatch(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        Vote[] calldata votes
    ) external nonReentrant returns (uint256 recorded) {
        if (votes.length == 0) revert EmptyBatch();
        (BlockState storage state, address[] memory order, uint64 epoch) = _prepare(microgrid, slot);
        _checkRound(microgrid, slot, state, order.length, epoch, round);
        if (state.proposedAt == 0) revert NotProposed(round);
        for (uint256 i; i < votes.length; ++i) {
            if (_recordSigned(microgrid, slot, round, votes[i], order, state)) ++recorded;
        }
        _judge(microgrid, slot, state, order);
    }

    /// @inheritdoc ITradeBlocks
    /// @dev Reverts with {AlreadyFinal}, {NotProposable} and {DefaultFinalityNotDue}. Ends the rounds whose
    /// time is up first (scoring them); a round still running is cut short unscored.
    function finalizeByDefault(uint32 microgrid, uint64 slot) external nonReentrant {
        (BlockState storage state, address[] memory order, uint64 epoch) = _prepare(microgrid, slot);
        // No committee: selected without enough eligible validators (a committee selected but not yet shuffled
        // is not "none": its members act once the seed block has come).
        ICommittees.CommitteeInfo memory info = COMMITTEES.committeeInfo(epoch);
        bool due =
            !(block.timestamp < state.deadlineAt) ||
                (info.selected && info.memberCount == 0) ||
                order.length > MAX_COMMITTEE;
        if (!due) revert DefaultFinalityNotDue(microgrid, slot, state.deadlineAt);
        state.status = BlockStatus.FinalByDefault;
        emit BlockFinalizedByDefault(microgrid, slot, state.round);
        METER.finalizeMeterData(microgrid, slot, new address[](0));
        SETTLEMENT.payBlockFees(microgrid, slot, address(0), 0);
    }

    /// @inheritdoc ITradeBlocks
    /// @dev Reverts with {NoCommittee}, {InvalidSignature}, {NotProposer}, {NotEquivocation} and
    /// {AlreadyEjected}. The validator registry's `eject` sets the oracle score to zero.
    function submitEquivocation(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata a,
        bytes calldata signatureA,
        ProposalBody calldata b,
        bytes calldata signatureB
    ) external nonReentrant {
        uint64 epoch = COMMITTEES.epochOf(slot);
        address[] memory order = COMMITTEES.ensureCommittee(epoch);
        if (order.length == 0) revert NoCommittee(epoch);
        address proposer = order[_proposerIndex(microgrid, slot, round, order.length)];
        bytes32 hashA = _signedProposal(microgrid, slot, round, a, signatureA, proposer);
        bytes32 hashB = _signedProposal(microgrid, slot, round, b, signatureB, proposer);
        if (hashA == hashB) revert NotEquivocation();
        if (VALIDATORS.validator(proposer).ejected) revert AlreadyEjected(proposer);
        VALIDATORS.eject(proposer);
        emit EquivocationPunished(microgrid, slot, round, proposer, hashA, hashB);
    }

    // ================================================================ parameters

    /// @inheritdoc ITradeBlocks
    function setProposalTimeout(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value < MIN_WINDOW || value > MAX_WINDOW) revert InvalidParameter("proposalTimeout", value);
        _checkRoundBound(_params.finalityDeadline, value, "proposalTimeout", value);
        emit ParameterSet("proposalTimeout", _params.proposalTimeout, value);
        _params.proposalTimeout = uint32(value); // ≤ 86 400
    }

    /// @inheritdoc ITradeBlocks
    function setAttestWindow(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value < MIN_WINDOW || value > MAX_WINDOW) revert InvalidParameter("attestWindow", value);
        emit ParameterSet("attestWindow", _params.attestWindow, value);
        _params.attestWindow = uint32(value); // ≤ 86 400
    }

    /// @inheritdoc ITradeBlocks
    function setFinalityDeadline(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value == 0 || value > MAX_DEADLINE_SLOTS) revert InvalidParameter("finalityDeadline", value);
        _checkRoundBound(value, _params.proposalTimeout, "finalityDeadline", value);
        emit ParameterSet("finalityDeadline", _params.finalityDeadline, value);
        _params.finalityDeadline = uint16(value); // ≤ 96
    }

    /// @inheritdoc ITradeBlocks
    function setAttesterPenalty(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > MAX_PENALTY) revert InvalidParameter("attesterPenalty", value);
        emit ParameterSet("attesterPenalty", _params.attesterPenalty, value);
        _params.attesterPenalty = uint64(value); // ≤ 5e18 < 2^64
    }

    /// @inheritdoc ITradeBlocks
    function setMaxExclusions(uint256 value) external onlyRole(PARAMS_ROLE) {
        if (value > MAX_EXCLUSIONS_LIMIT) revert InvalidParameter("maxExclusions", value);
        emit ParameterSet("maxExclusions", _params.maxExclusions, value);
        _params.maxExclusions = uint16(value); // ≤ 256
    }

    // ================================================================ views

    /// @inheritdoc ITradeBlocks
    function blockState(uint32 microgrid, uint64 slot) external view returns (BlockState memory) {
        return _blocks[microgrid][slot];
    }

    /// @inheritdoc ITradeBlocks
    /// @dev Before it opens, (`microgrid`, `slot`) reports round 0 at the meter's `proposableAt` with the
    /// current parameters (0 and closed if not proposable yet).
    function currentRound(
        uint32 microgrid,
        uint64 slot
    ) external view returns (uint32 round, uint64 openedAt, bool open) {
        BlockState memory state = _blocks[microgrid][slot];
        if (state.status == BlockStatus.Final || state.status == BlockStatus.FinalByDefault) {
            return (state.round, state.openedAt, false);
        }
        if (state.status == BlockStatus.Unopened) {
            if (!METER.isProposable(microgrid, slot)) return (0, 0, false);
            Params memory params = _params;
            state.openedAt = METER.slotMeter(microgrid, slot).proposableAt;
            state.deadlineAt = _deadlineOf(state.openedAt, params.finalityDeadline);
            state.proposalTimeout = params.proposalTimeout;
        }
        round = state.round;
        openedAt = state.openedAt;
        uint64 proposedAt = state.proposedAt;
        while (openedAt < state.deadlineAt) {
            uint64 endsAt =
                proposedAt == 0 ? openedAt + state.proposalTimeout : proposedAt + state.attestWindow;
            if (block.timestamp < endsAt) break;
            openedAt = endsAt;
            proposedAt = 0;
            ++round;
        }
        open = openedAt < state.deadlineAt;
    }

    /// @inheritdoc ITradeBlocks
    function exclusionsOf(
        uint32 microgrid,
        uint64 slot,
        uint32 round
    ) external view returns (address[] memory) {
        return _exclusions[microgrid][slot][round];
    }

    /// @inheritdoc ITradeBlocks
    function proposalHash(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body
    ) external pure returns (bytes32) {
        return _proposalHash(microgrid, slot, round, body);
    }

    /// @inheritdoc ITradeBlocks
    function proposalDigest(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body
    ) external view returns (bytes32) {
        return _hashTypedDataV4(_proposalHash(microgrid, slot, round, body));
    }

    /// @inheritdoc ITradeBlocks
    function attestationDigest(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        bytes32 proposalStructHash,
        bool accept
    ) external view returns (bytes32) {
        return _attestationDigest(microgrid, slot, round, proposalStructHash, accept);
    }

    /// @inheritdoc ITradeBlocks
    function proposalTimeout() external view returns (uint256) {
        return _params.proposalTimeout;
    }

    /// @inheritdoc ITradeBlocks
    function attestWindow() external view returns (uint256) {
        return _params.attestWindow;
    }

    /// @inheritdoc ITradeBlocks
    function finalityDeadline() external view returns (uint256) {
        return _params.finalityDeadline;
    }

    /// @inheritdoc ITradeBlocks
    function attesterPenalty() external view returns (uint256) {
        return _params.attesterPenalty;
    }

    /// @inheritdoc ITradeBlocks
    function maxExclusions() external view returns (uint256) {
        return _params.maxExclusions;
    }

    // ================================================================ internals: rounds

    /// @dev Loads (`microgrid`, `slot`), opens it if untouched, ensures its epoch's committee and ends the
    /// rounds whose time is up (when the committee is usable). Reverts with {AlreadyFinal}, {NotProposable}.
    function _prepare(
        uint32 microgrid,
        uint64 slot
    ) private returns (BlockState storage state, address[] memory order, uint64 epoch) {
        state = _blocks[microgrid][slot];
        BlockStatus status = state.status;
        if (status == BlockStatus.Final || status == BlockStatus.FinalByDefault) {
            revert AlreadyFinal(microgrid, slot);
        }
        if (status == BlockStatus.Unopened) _open(microgrid, slot, state);
        epoch = COMMITTEES.epochOf(slot);
        order = COMMITTEES.ensureCommittee(epoch);
        if (order.length != 0 && order.length < MAX_COMMITTEE + 1)
            _advanceRounds(microgrid, slot, state, order);
    }

    /// @dev Opens round 0 at the meter's `proposableAt`, fixing the timing parameters and the penalty.
    function _open(uint32 microgrid, uint64 slot, BlockState storage state) private {
        if (!METER.isProposable(microgrid, slot)) revert NotProposable(microgrid, slot);
        uint64 proposableAt = METER.slotMeter(microgrid, slot).proposableAt;
        Params memory params = _params;
        uint64 deadlineAt = _deadlineOf(proposableAt, params.finalityDeadline);
        state.openedAt = proposableAt;
        state.deadlineAt = deadlineAt;
        state.status = BlockStatus.Open;
        state.proposalTimeout = params.proposalTimeout;
        state.attestWindow = params.attestWindow;
        state.attesterPenalty = params.attesterPenalty;
        emit BlockOpened(microgrid, slot, proposableAt, deadlineAt);
    }

    /// @dev Ends every round whose time is up: a round without a proposal is skipped `proposalTimeout` after it
    /// opened, a proposed one lapses `attestWindow` after its proposal. No round opens at or after the
    /// deadline. Every round but a lapsed one lasts `proposalTimeout`, and `finalityDeadline · slotLength ≤
    /// MAX_ROUNDS · proposalTimeout` (checked by the setters), so one call ends at most MAX_ROUNDS + 1 rounds.
    function _advanceRounds(
        uint32 microgrid,
        uint64 slot,
        BlockState storage state,
        address[] memory order
    ) private {
        uint64 deadlineAt = state.deadlineAt;
        uint64 openedAt = state.openedAt;
        while (openedAt < deadlineAt) {
            uint64 proposedAt = state.proposedAt;
            uint64 endsAt =
                proposedAt == 0 ? openedAt + state.proposalTimeout : proposedAt + state.attestWindow;
            if (block.timestamp < endsAt) break;
            _endRound(
                microgrid,
                slot,
                state,
                order,
                proposedAt == 0 ? RoundOutcome.Skipped : RoundOutcome.Lapsed
            );
            openedAt = endsAt;
            state.openedAt = endsAt;
        }
    }

    /// @dev Judges the current round after votes: final at ⌈2k/3⌉ accepts (3·accepts ≥ 2k), rejected at more
    /// than k/3 rejects (both cannot hold: ⌈2k/3⌉ + ⌊k/3⌋ + 1 > k). A rejected round opens the next one now.
    function _judge(uint32 microgrid, uint64 slot, BlockState storage state, address[] memory order) private {
        uint256 k = order.length;
        if (uint256(state.accepts) * 3 + 1 > 2 * k) {
            _finalize(microgrid, slot, state, order);
        } else if (uint256(state.rejects) * 3 > k) {
            _endRound(microgrid, slot, state, order, RoundOutcome.Rejected);
            state.openedAt = uint64(block.timestamp);
        }
    }

    /// @dev Ends the current round without a final block: scores its proposer with `tv = 0`, penalises the
    /// members of SPEC §6.3 (see the contract's notes), clears the round's votes and counts the next round.
    /// The caller sets the next round's opening time.
    function _endRound(
        uint32 microgrid,
        uint64 slot,
        BlockState storage state,
        address[] memory order,
        RoundOutcome outcome
    ) private {
        uint32 round = state.round;
        uint256 proposerIndex = _proposerIndex(microgrid, slot, round, order.length);
        address proposer = order[proposerIndex];
        uint256 spared; // positions not penalised
        if (outcome == RoundOutcome.Skipped) spared = type(uint256).max;
        else if (outcome == RoundOutcome.Rejected) spared = uint256(state.rejectMask) | (1 << proposerIndex);
        else spared = uint256(state.acceptMask) | state.rejectMask;

        state.round = round + 1;
        if (outcome != RoundOutcome.Skipped) {
            state.proposedAt = 0;
            state.proposalHash = bytes32(0);
            state.acceptMask = 0;
            state.rejectMask = 0;
            state.accepts = 0;
            state.rejects = 0;
        }
        emit RoundEnded(microgrid, slot, round, proposer, outcome);

        ORACLE.scoreMissedRound(proposer);
        address[] memory changed = _penalise(order, spared, state.attesterPenalty, proposer);
        emit ValidatorScoresChanged(microgrid, slot, round, changed);
    }

    /// @dev Finality of the current round's block: fixes the meter data with its exclusions, scores the
    /// proposer (Algorithm 4), pays λ_b from the slot's fees and mints `R_b + ω_b + tv_b` (Algorithm 3), and
    /// penalises the members who rejected or did not vote.
    function _finalize(
        uint32 microgrid,
        uint64 slot,
        BlockState storage state,
        address[] memory order
    ) private {
        state.status = BlockStatus.Final;
        uint32 round = state.round;
        uint256 proposerIndex = _proposerIndex(microgrid, slot, round, order.length);
        address proposer = order[proposerIndex];
        uint256 acceptMask = state.acceptMask;

        METER.finalizeMeterData(microgrid, slot, _exclusions[microgrid][slot][round]);
        uint256 tv = 0;
        uint256 paid = 0;
        uint256 minted = 0;
        if (VALIDATORS.validator(proposer).ejected) {
            // A proposer ejected for equivocation after its proposal: the block's data stands (the committee
            // accepted it), but the proposer is neither scored nor paid; the slot's fees are burned.
            SETTLEMENT.payBlockFees(microgrid, slot, address(0), 0);
        } else {
            IEnergyMarket.SlotAggregates memory totals = MARKET.slotAggregates(microgrid, slot);
            tv = _scoreProposer(proposer, order, acceptMask & ~(1 << proposerIndex), totals);
            (uint256 feePayout, uint256 rewardMint) = ORACLE.blockRewardParts(
                totals.feeScoreWad,
                totals.buyerCost,
                tv
            );
            paid = SETTLEMENT.payBlockFees(microgrid, slot, proposer, feePayout);
            // The coin refuses a zero mint; ω_b ≥ 0.5 TRC makes rewardMint positive with the real oracle.
            minted = rewardMint == 0 ? 0 : COIN.mintReward(proposer, rewardMint);
        }
        emit BlockFinalized(microgrid, slot, round, proposer, tv, paid, minted);

        address[] memory changed = _penalise(order, acceptMask, state.attesterPenalty, proposer);
        emit ValidatorScoresChanged(microgrid, slot, round, changed);
    }

    /// @dev Algorithm 4: the scores of the acceptors other than the proposer (`acceptors`, a bitmap over
    /// positions) → `oracle.scoreBlock` with θ = buyer cost and TT = buyers. Without another acceptor (only
    /// possible for k ≤ 2) the proposer is not scored and `tv = 0`.
    function _scoreProposer(
        address proposer,
        address[] memory order,
        uint256 acceptors,
        IEnergyMarket.SlotAggregates memory totals
    ) private returns (uint256 tv) {
        uint256 count = LibBit.popCount(acceptors);
        if (count == 0) return 0;
        uint256[] memory scores = new uint256[](count);
        uint256 next;
        for (uint256 i; i < order.length; ++i) {
            if (acceptors & (1 << i) != 0) {
                scores[next] = ORACLE.validatorScore(order[i]);
                ++next;
            }
        }
        (tv, ) = ORACLE.scoreBlock(proposer, totals.buyerCost, totals.buyers, scores);
    }

    /// @dev Takes `penalty` from every member whose position is not in `spared` and returns the validators
    /// whose score changed: `proposer` first, then the penalised (none if `penalty` is zero). At most k ≤ 64
    /// oracle calls.
    function _penalise(
        address[] memory order,
        uint256 spared,
        uint256 penalty,
        address proposer
    ) private returns (address[] memory changed) {
        uint256 k = order.length;
        // spared has at most k low bits that matter: mask it to them (k ≤ 64).
        uint256 penalised = penalty == 0 ? 0 : k - LibBit.popCount(spared & ((1 << k) - 1));
        changed = new address[](penalised + 1);
        changed[0] = proposer;
        if (penalised == 0) return changed;
        uint256 next = 1;
        for (uint256 i; i < k; ++i) {
            if (spared & (1 << i) != 0) continue;
            ORACLE.penalise(order[i], penalty);
            changed[next] = order[i];
            ++next;
        }
    }

    /// @dev Records a vote at `position` (not voted before; position < k ≤ 64, counts ≤ 64 fit uint8).
    function _record(BlockState storage state, uint256 position, bool accept) private {
        uint64 bit = uint64(1 << position);
        if (accept) {
            state.acceptMask |= bit;
            ++state.accepts;
        } else {
            state.rejectMask |= bit;
            ++state.rejects;
        }
    }

    // ================================================================ internals: checks

    /// @dev The round named must be the current, open round of a usable committee.
    function _checkRound(
        uint32 microgrid,
        uint64 slot,
        BlockState storage state,
        uint256 k,
        uint64 epoch,
        uint32 round
    ) private view {
        if (k == 0) revert NoCommittee(epoch);
        if (k > MAX_COMMITTEE) revert CommitteeTooLarge(k);
        if (!(state.openedAt < state.deadlineAt)) revert NoOpenRound(microgrid, slot);
        if (round != state.round) revert WrongRound(round, state.round);
    }

    /// @dev A proposal carries the meter's digest and count, and at most `maxExclusions` strictly increasing
    /// exclusions.
    function _checkBody(uint32 microgrid, uint64 slot, ProposalBody calldata body) private view {
        (bytes32 digest, uint256 count) = METER.readingDigest(microgrid, slot);
        if (body.digest != digest) revert DigestMismatch(body.digest, digest);
        if (body.count != count) revert CountMismatch(body.count, count);
        address[] calldata exclusions = body.exclusions;
        uint256 max = _params.maxExclusions;
        if (exclusions.length > max) revert TooManyExclusions(exclusions.length, max);
        for (uint256 i = 1; i < exclusions.length; ++i) {
            if (!(exclusions[i] > exclusions[i - 1])) revert ExclusionsNotSorted(i);
        }
    }

    /// @dev The proposal of round `round` must be signed by its proposer; returns the proposer's position and the
    /// proposal's struct hash.
    function _checkProposer(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body,
        bytes calldata signature,
        address[] memory order
    ) private view returns (uint256 proposerIndex, bytes32 structHash) {
        proposerIndex = _proposerIndex(microgrid, slot, round, order.length);
        structHash = _signedProposal(microgrid, slot, round, body, signature, order[proposerIndex]);
    }

    /// @dev The struct hash of a proposal that must be signed by `proposer`; reverts with {InvalidSignature} or
    /// {NotProposer} otherwise.
    function _signedProposal(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body,
        bytes calldata signature,
        address proposer
    ) private view returns (bytes32 structHash) {
        structHash = _proposalHash(microgrid, slot, round, body);
        address signer = _recover(_hashTypedDataV4(structHash), signature);
        if (signer != proposer) revert NotProposer(signer, proposer);
    }

    /// @dev Records one signed vote of a batch, or skips it with {AttestationSkipped}; returns whether it counted.
    function _recordSigned(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        Vote calldata vote,
        address[] memory order,
        BlockState storage state
    ) private returns (bool) {
        (SkipReason reason, uint256 position) = _checkVote(microgrid, slot, round, vote, order, state);
        if (position == NOT_FOUND) {
            emit AttestationSkipped(microgrid, slot, round, vote.attester, reason);
            return false;
        }
        _record(state, position, vote.accept);
        emit Attested(microgrid, slot, round, vote.attester, vote.accept);
        return true;
    }

    /// @dev Checks one signed vote of a batch: the voter's position, or NOT_FOUND and why it does not count.
    function _checkVote(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        Vote calldata vote,
        address[] memory order,
        BlockState storage state
    ) private view returns (SkipReason reason, uint256 position) {
        bytes32 digest = _attestationDigest(microgrid, slot, round, state.proposalHash, vote.accept);
        (address signer, ECDSA.RecoverError error, ) = ECDSA.tryRecover(digest, vote.signature);
        if (error != ECDSA.RecoverError.NoError || signer != vote.attester)
            return (SkipReason.BadSignature, NOT_FOUND);
        position = _positionOf(order, signer);
        if (position == NOT_FOUND) return (SkipReason.NotMember, NOT_FOUND);
        if (position == _proposerIndex(microgrid, slot, round, order.length))
            return (SkipReason.IsProposer, NOT_FOUND);
        if (_hasVoted(state, position)) return (SkipReason.AlreadyVoted, NOT_FOUND);
    }

    /// @dev `finalityDeadline · slotLength ≤ MAX_ROUNDS · proposalTimeout`: bounds the rounds one advance ends.
    /// Reverts with {InvalidParameter} naming the parameter being set (`name`) and its new `value`.
    function _checkRoundBound(
        uint256 deadlineSlots,
        uint256 timeout,
        bytes32 name,
        uint256 value
    ) private view {
        if (deadlineSlots * SLOT_LENGTH > MAX_ROUNDS * timeout) {
            revert InvalidParameter(name, value);
        }
    }

    // ================================================================ internals: pure helpers

    /// @dev The proposer's position of round `round`: `(slot + microgrid + round) mod k` (SPEC §6.3, the formula
    /// of `ICommittees.proposerOf`), k > 0.
    function _proposerIndex(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        uint256 k
    ) private pure returns (uint256) {
        return (uint256(slot) + microgrid + round) % k;
    }

    /// @dev The position of `account` in `order`, or NOT_FOUND (k ≤ 64 reads of memory).
    function _positionOf(address[] memory order, address account) private pure returns (uint256) {
        for (uint256 i; i < order.length; ++i) {
            if (order[i] == account) return i;
        }
        return NOT_FOUND;
    }

    /// @dev Whether position `position` voted in the current round.
    function _hasVoted(BlockState storage state, uint256 position) private view returns (bool) {
        return (uint256(state.acceptMask) | state.rejectMask) & (1 << position) != 0;
    }

    /// @dev `proposableAt + finalityDeadline · slotLength` (< 2^64 for any block time of this era).
    function _deadlineOf(uint64 proposableAt, uint256 deadlineSlots) private view returns (uint64) {
        return uint64(proposableAt + deadlineSlots * SLOT_LENGTH);
    }

    /// @dev EIP-712 struct hash of a proposal; the address array is hashed as the concatenation of its
    /// 32-byte-padded elements (`abi.encodePacked` pads array elements).
    function _proposalHash(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body
    ) private pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    PROPOSAL_TYPEHASH,
                    microgrid,
                    slot,
                    round,
                    body.digest,
                    body.count,
                    keccak256(abi.encodePacked(body.exclusions))
                )
            );
    }

    /// @dev EIP-712 digest of an attestation.
    function _attestationDigest(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        bytes32 structHash,
        bool accept
    ) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, microgrid, slot, round, structHash, accept))
            );
    }

    /// @dev The signer of `digest`; reverts with {InvalidSignature} for a malformed signature.
    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address signer) {
        ECDSA.RecoverError error;
        (signer, error, ) = ECDSA.tryRecover(digest, signature);
        if (error != ECDSA.RecoverError.NoError) revert InvalidSignature();
    }
}
