// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITradeBlocks
/// @notice Trade blocks of the agreement layer (SPEC §6.3–§6.5): per microgrid-slot `(m, s)`, rounds in which
/// the round's proposer (of the committee of `s`'s epoch) signs a block fixing the meter data of `(m, s)` and
/// the other members accept or reject it; finality scores the proposer (Algorithm 4), pays its reward
/// (Algorithm 3) and penalises dissenting or silent members. A microgrid-slot that is not final by its
/// deadline, or whose epoch has no committee, is finalized by default. Equivocation ejects the proposer.
///
/// Round timing is derived: round 0 opens when `(m, s)` becomes proposable; a round without a proposal ends
/// `proposalTimeout` after it opened (skipped); a proposed round ends when it is final or rejected, or
/// `attestWindow` after the proposal (lapsed); the next round opens when the previous one ends, as long as
/// that is before the finality deadline (`finalityDeadline` slots after proposable). Rounds advance lazily:
/// every call touching `(m, s)` first ends the rounds whose time is up, and anyone may call {advance}.
/// The timing parameters and the attester penalty in force when `(m, s)` opens hold for all its rounds.
///
/// Signatures are EIP-712 under the domain ("GridTrust TradeBlocks", "1", chain id, this contract):
/// `Proposal(uint32 microgrid,uint64 slot,uint32 round,bytes32 digest,uint32 count,address[] exclusions)`
/// and `Attestation(uint32 microgrid,uint64 slot,uint32 round,bytes32 proposalHash,bool accept)`, where
/// `proposalHash` is the EIP-712 struct hash of the proposal (see {proposalHash}).
interface ITradeBlocks {
    // ---------------------------------------------------------------- types
    /// @notice Where a microgrid-slot stands. `Unopened`: not touched since it became proposable (or not
    /// proposable yet); `Open`: in rounds; `Final`: a block was final; `FinalByDefault`: default finality.
    enum BlockStatus {
        Unopened,
        Open,
        Final,
        FinalByDefault
    }

    /// @notice How a round without a final block ended.
    enum RoundOutcome {
        Skipped,
        Rejected,
        Lapsed
    }

    /// @notice Why a signed attestation of a batch was skipped.
    enum SkipReason {
        BadSignature,
        NotMember,
        IsProposer,
        AlreadyVoted
    }

    /// @notice The content of a proposal besides its microgrid, slot and round: the reading digest and count
    /// of the microgrid-slot, and the participants whose accepted readings it excludes (strictly increasing).
    struct ProposalBody {
        bytes32 digest;
        uint32 count;
        address[] exclusions;
    }

    /// @notice One signed attestation of a batch: `attester` signed `Attestation(..., accept)`.
    struct Vote {
        address attester;
        bool accept;
        bytes signature;
    }

    /// @notice The stored state of a microgrid-slot (rounds past their time may not be ended yet; see
    /// {currentRound}). `openedAt`: when the current round `round` opened; `proposedAt`: when its proposal
    /// arrived (0: none); `deadlineAt`: default finality time (no round opens at or after it);
    /// `acceptMask`, `rejectMask`: votes of the current round by committee position (the proposer's bit is in
    /// `acceptMask`); `accepts`, `rejects`: their counts; `proposalTimeout`, `attestWindow` (seconds) and
    /// `attesterPenalty` (wad of score): the parameters fixed when it opened; `proposalHash`: the struct hash of
    /// the current round's proposal.
    /// Three storage slots (solhint's packing rule counts an enum as a whole slot, hence the disable).
    // solhint-disable-next-line gas-struct-packing
    struct BlockState {
        bytes32 proposalHash;
        uint64 openedAt;
        uint64 proposedAt;
        uint64 deadlineAt;
        uint64 acceptMask;
        uint64 rejectMask;
        uint64 attesterPenalty;
        uint32 round;
        uint32 proposalTimeout;
        uint32 attestWindow;
        BlockStatus status;
        uint8 accepts;
        uint8 rejects;
    }

    // ---------------------------------------------------------------- errors
    /// @notice The zero address was given to the constructor.
    error ZeroAddress();
    /// @notice Parameter `name` cannot take `value`.
    error InvalidParameter(bytes32 name, uint256 value);
    /// @notice (`microgrid`, `slot`) is not proposable yet.
    error NotProposable(uint32 microgrid, uint64 slot);
    /// @notice (`microgrid`, `slot`) is final already.
    error AlreadyFinal(uint32 microgrid, uint64 slot);
    /// @notice `epoch` has no committee.
    error NoCommittee(uint64 epoch);
    /// @notice A committee of `size` members is more than the 64 this contract tracks.
    error CommitteeTooLarge(uint256 size);
    /// @notice No round of (`microgrid`, `slot`) is open: its finality deadline has passed.
    error NoOpenRound(uint32 microgrid, uint64 slot);
    /// @notice Round `given` was named, but the current round is `current`.
    error WrongRound(uint32 given, uint32 current);
    /// @notice The current round `round` has a proposal already.
    error AlreadyProposed(uint32 round);
    /// @notice The current round `round` has no proposal to attest.
    error NotProposed(uint32 round);
    /// @notice The proposal's reading digest is not the contract's own.
    error DigestMismatch(bytes32 given, bytes32 expected);
    /// @notice The proposal's reading count is not the contract's own.
    error CountMismatch(uint256 given, uint256 expected);
    /// @notice `count` exclusions are more than `maxExclusions`.
    error TooManyExclusions(uint256 count, uint256 max);
    /// @notice The exclusions are not strictly increasing at index `index`.
    error ExclusionsNotSorted(uint256 index);
    /// @notice A signature that is malformed or recovers no address.
    error InvalidSignature();
    /// @notice The proposal was signed by `signer`, not by the round's proposer `proposer`.
    error NotProposer(address signer, address proposer);
    /// @notice `account` is not a member of the committee.
    error NotMember(address account);
    /// @notice The round's proposer `account` attests by its proposal, not by a vote.
    error ProposerCannotAttest(address account);
    /// @notice `account` voted in this round already.
    error AlreadyVoted(address account);
    /// @notice A batch of attestations without votes.
    error EmptyBatch();
    /// @notice Default finality of (`microgrid`, `slot`) is due only at `dueAt`.
    error DefaultFinalityNotDue(uint32 microgrid, uint64 slot, uint64 dueAt);
    /// @notice Two proposals with the same struct hash are no equivocation.
    error NotEquivocation();
    /// @notice `validator` was ejected already.
    error AlreadyEjected(address validator);

    // ---------------------------------------------------------------- events
    /// @notice (`microgrid`, `slot`) entered its rounds: round 0 opened at `proposableAt`; default finality is
    /// due at `deadlineAt`.
    event BlockOpened(uint32 indexed microgrid, uint64 indexed slot, uint64 proposableAt, uint64 deadlineAt);
    /// @notice `proposer` proposed in round `round` the block `proposalHash` (struct hash) with `exclusions`.
    event BlockProposed(
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint32 round,
        address indexed proposer,
        bytes32 proposalHash,
        address[] exclusions
    );
    /// @notice `attester` accepted (`accept`) or rejected the proposal of round `round`.
    event Attested(
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint32 round,
        address indexed attester,
        bool accept
    );
    /// @notice A signed attestation naming `attester` was skipped for `reason`.
    event AttestationSkipped(
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint32 round,
        address indexed attester,
        SkipReason reason
    );
    /// @notice Round `round`, proposed (or not) by `proposer`, ended without a final block.
    event RoundEnded(
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint32 round,
        address indexed proposer,
        RoundOutcome outcome
    );
    /// @notice The block of round `round` by `proposer` was final: trust value `tv` (wad), `feePaid` out of the
    /// slot's fees and `rewardMinted` from the reward budget (TRC base units).
    event BlockFinalized(
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint32 round,
        address indexed proposer,
        uint256 tv,
        uint256 feePaid,
        uint256 rewardMinted
    );
    /// @notice (`microgrid`, `slot`) was finalized by default (no exclusions, fees burned, no reward), in round
    /// `round` (the round current then, cut short unscored).
    event BlockFinalizedByDefault(uint32 indexed microgrid, uint64 indexed slot, uint32 round);
    /// @notice The scores of `validators` changed when round `round` ended: re-sync their ranks with
    /// `IValidatorRegistry.syncRankScore` (permissionless, with hints).
    event ValidatorScoresChanged(
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint32 round,
        address[] validators
    );
    /// @notice `proposer` signed two different proposals `hashA`, `hashB` for round `round` and was ejected.
    event EquivocationPunished(
        uint32 indexed microgrid,
        uint64 indexed slot,
        uint32 round,
        address indexed proposer,
        bytes32 hashA,
        bytes32 hashB
    );
    /// @notice A parameter changed.
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);

    // ---------------------------------------------------------------- actions
    /// @notice Ends the rounds of (`microgrid`, `slot`) whose time is up (opening it first if it just became
    /// proposable); anyone. Each skipped, rejected or lapsed round scores its proposer with `tv = 0` once.
    /// @return round The current round afterwards.
    function advance(uint32 microgrid, uint64 slot) external returns (uint32 round);

    /// @notice Submits the proposal of round `round` signed (`signature`, 65 bytes) by the round's proposer;
    /// anyone. Its digest and count must be the meter's, its exclusions at most `maxExclusions` and strictly
    /// increasing. The signature counts as the proposer's accept.
    function propose(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body,
        bytes calldata signature
    ) external;

    /// @notice The caller, a member other than the proposer, accepts or rejects the proposal of round `round`;
    /// once per round.
    function attest(uint32 microgrid, uint64 slot, uint32 round, bool accept) external;

    /// @notice Records signed attestations of round `round`; anyone. A vote with a bad signature, by a
    /// non-member, by the proposer or by a member who voted already is skipped with {AttestationSkipped}.
    /// @return recorded The number of votes recorded.
    function attestBatch(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        Vote[] calldata votes
    ) external returns (uint256 recorded);

    /// @notice Finalizes (`microgrid`, `slot`) with no exclusions, burning its fees and paying no reward, once it
    /// is proposable and either its finality deadline has passed or its epoch has no committee; anyone.
    function finalizeByDefault(uint32 microgrid, uint64 slot) external;

    /// @notice Evidence that round `round`'s proposer signed two different proposals `a`, `b`: ejects it
    /// (weight forfeited, score zero, never selectable again); anyone; once per validator.
    function submitEquivocation(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata a,
        bytes calldata signatureA,
        ProposalBody calldata b,
        bytes calldata signatureB
    ) external;

    // ---------------------------------------------------------------- parameters (PARAMS_ROLE)
    /// @notice Sets how long a round waits for its proposal, in seconds on [30, 86 400], with
    /// `finalityDeadline · slotLength ≤ 64 · proposalTimeout`.
    function setProposalTimeout(uint256 value) external;
    /// @notice Sets how long a proposal is open to attestations, in seconds on [30, 86 400].
    function setAttestWindow(uint256 value) external;
    /// @notice Sets default finality's delay after proposable, in slots on [1, 96], with
    /// `finalityDeadline · slotLength ≤ 64 · proposalTimeout`.
    function setFinalityDeadline(uint256 value) external;
    /// @notice Sets the score an attester loses for voting against the outcome or not voting, wad on [0, 5e18].
    function setAttesterPenalty(uint256 value) external;
    /// @notice Sets the most exclusions of a proposal, on [0, 256].
    function setMaxExclusions(uint256 value) external;

    // ---------------------------------------------------------------- views
    /// @notice The stored state of (`microgrid`, `slot`).
    function blockState(uint32 microgrid, uint64 slot) external view returns (BlockState memory);

    /// @notice The current round of (`microgrid`, `slot`) as {advance} would leave it now (assuming a
    /// committee): its number, when it opened, and whether it is open (before the finality deadline, not final).
    function currentRound(
        uint32 microgrid,
        uint64 slot
    ) external view returns (uint32 round, uint64 openedAt, bool open);

    /// @notice The exclusions proposed in round `round` of (`microgrid`, `slot`).
    function exclusionsOf(
        uint32 microgrid,
        uint64 slot,
        uint32 round
    ) external view returns (address[] memory);

    /// @notice The EIP-712 struct hash of a proposal (the `proposalHash` attestations sign).
    function proposalHash(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body
    ) external pure returns (bytes32);

    /// @notice The EIP-712 digest a proposer signs.
    function proposalDigest(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        ProposalBody calldata body
    ) external view returns (bytes32);

    /// @notice The EIP-712 digest an attester signs.
    function attestationDigest(
        uint32 microgrid,
        uint64 slot,
        uint32 round,
        bytes32 proposalStructHash,
        bool accept
    ) external view returns (bytes32);

    /// @notice How long a round waits for its proposal, in seconds (default 300).
    function proposalTimeout() external view returns (uint256);
    /// @notice How long a proposal is open to attestations, in seconds (default 300).
    function attestWindow() external view returns (uint256);
    /// @notice Default finality's delay after proposable, in slots (default 4).
    function finalityDeadline() external view returns (uint256);
    /// @notice The score an attester loses for voting against the outcome or not voting, wad (default 0.1e18).
    function attesterPenalty() external view returns (uint256);
    /// @notice The most exclusions of a proposal (default 64).
    function maxExclusions() external view returns (uint256);
}
