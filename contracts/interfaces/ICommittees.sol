// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICommittees
/// @notice Epochs and committees of the agreement layer (SPEC §6.2): epochs of `epochSlots` slots, each with a
/// committee of up to `committeeSize` validators in a shuffled order, selected from the middle slot of the
/// previous epoch on, with a shuffle seed unknown when the members are fixed.
///
/// Two steps. **Selection** fixes the members of epoch `e`: the best-ranked eligible validators (the
/// validator registry's ranking) that are not on the committee of a neighbouring epoch (`e − 1`, and `e + 1`
/// if that one was selected first), up to `committeeSize`; if that gives fewer than `minCommittee`, the
/// best-ranked eligible members of those neighbouring committees are added until `minCommittee` is reached;
/// if still fewer, the epoch has no committee. Selection records `seedBlock`, a later block. **Shuffle**, from
/// `seedBlock` on, orders the members by Fisher–Yates seeded with
/// `keccak256(abi.encode(block.prevrandao, epoch, members))` of the block that holds the shuffle. The bias this
/// leaves is described on {shuffle} and in docs/consensus.md.
interface ICommittees {
    // ---------------------------------------------------------------- types
    /// @notice What is known of an epoch's committee.
    /// @param selected Whether its members were selected (possibly finding too few: then `memberCount` is 0).
    /// @param shuffled Whether its order was drawn (never for an epoch without committee).
    /// @param memberCount How many members it has (0: no committee).
    /// @param seedBlock The first block whose `prevrandao` may seed the shuffle (0 while not selected).
    struct CommitteeInfo {
        bool selected;
        bool shuffled;
        uint8 memberCount;
        uint64 seedBlock;
    }

    // ---------------------------------------------------------------- errors
    /// @notice The zero address was given for the admin, the registry or the validator registry.
    error ZeroAddress();
    /// @notice A parameter value outside its domain; `name` says which.
    error InvalidParameter(bytes32 name, uint256 value);
    /// @notice The slot clock has not started: `timestamp` is before the registry's `genesis`.
    error ClockNotStarted(uint256 timestamp, uint256 genesis);
    /// @notice `epoch`'s committee may be selected from slot `selectionSlot` on; it is slot `currentSlot`.
    error SelectionTooEarly(uint64 epoch, uint256 selectionSlot, uint64 currentSlot);
    /// @notice `epoch`'s committee has not been selected yet.
    error CommitteeNotSelected(uint64 epoch);
    /// @notice `epoch` has no committee: too few eligible validators when it was selected.
    error NoCommittee(uint64 epoch);
    /// @notice `epoch`'s committee has been shuffled already.
    error AlreadyShuffled(uint64 epoch);
    /// @notice `epoch`'s shuffle needs block `seedBlock` or later; this is block `blockNumber`.
    error SeedBlockNotReached(uint64 epoch, uint64 seedBlock, uint256 blockNumber);

    // ---------------------------------------------------------------- events
    /// @notice `epoch`'s members were fixed, in rank order; its shuffle may happen from block `seedBlock` on.
    event CommitteeSelected(uint64 indexed epoch, address[] members, uint64 seedBlock);
    /// @notice `epoch` has no committee: selection found only `eligibleFound` eligible validators, fewer than
    /// `minCommittee`.
    event CommitteeNotFormed(uint64 indexed epoch, uint256 eligibleFound, uint256 minCommittee);
    /// @notice `epoch`'s committee was put in the order `order`, drawn from `seed`.
    event CommitteeShuffled(uint64 indexed epoch, address[] order, bytes32 seed);
    /// @notice A parameter changed.
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);

    // ---------------------------------------------------------------- actions
    /// @notice Selects the committee of the epoch after the current one once its middle slot has come (and, if
    /// the current epoch has none yet, the current one); anyone; a no-op when done. Returns the next epoch.
    /// Also shuffles the current epoch's committee when it is selected and its seed block has come.
    /// Reverts with {SelectionTooEarly} before the middle slot of the current epoch.
    function selectNextCommittee() external returns (uint64 epoch);

    /// @notice Makes sure `epoch`'s committee is selected and shuffled so far as time allows, and returns its
    /// order (empty: no committee, e.g. fewer than `minCommittee` eligible validators). Anyone.
    function ensureCommittee(uint64 epoch) external returns (address[] memory order);

    /// @notice Draws the order of `epoch`'s selected committee from `block.prevrandao` of this block (from
    /// `seedBlock` on); anyone. Whoever calls it picks the block, and so may choose among the draws of the
    /// blocks from `seedBlock` on until someone shuffles; a proposer of the underlying chain may withhold its
    /// block (one bit of bias per withheld block). Members are fixed before any of these draws is known.
    /// @return order The committee in its shuffled order.
    function shuffle(uint64 epoch) external returns (address[] memory order);

    // ---------------------------------------------------------------- parameters (PARAMS_ROLE)
    /// @notice Sets the most members of a committee, in [`minCommittee`, 64]; applies to later selections.
    function setCommitteeSize(uint256 value) external;

    /// @notice Sets the fewest members of a committee, in [4, `committeeSize`]; applies to later selections.
    function setMinCommittee(uint256 value) external;

    // ---------------------------------------------------------------- views
    /// @notice The epoch of `slot`.
    function epochOf(uint64 slot) external view returns (uint64);

    /// @notice The shuffled order of `epoch`'s committee (empty while not selected and shuffled, or none).
    function committeeOf(uint64 epoch) external view returns (address[] memory order);

    /// @notice Whether `epoch` has a usable committee (selected, shuffled, at least `minCommittee` members).
    function hasCommittee(uint64 epoch) external view returns (bool);

    /// @notice Whether `account` is a member of `epoch`'s committee.
    function isMember(uint64 epoch, address account) external view returns (bool);

    /// @notice The proposer of round `round` of (`microgrid`, `slot`): `order[(slot + microgrid + round) mod k]`
    /// of the committee of `slot`'s epoch (zero address if it has none).
    function proposerOf(uint32 microgrid, uint64 slot, uint256 round) external view returns (address);

    /// @notice The members of `epoch`'s committee as stored: in rank order once selected, in the shuffled order
    /// once shuffled (empty while not selected, or without committee).
    function membersOf(uint64 epoch) external view returns (address[] memory members);

    /// @notice Whether `epoch`'s committee was selected and shuffled, its size and its seed block.
    function committeeInfo(uint64 epoch) external view returns (CommitteeInfo memory);

    /// @notice The first slot from which `epoch`'s committee may be selected: the middle slot of the epoch
    /// before, `(epoch − 1)·epochSlots + ⌊epochSlots / 2⌋` (0 for epoch 0).
    function selectionSlot(uint64 epoch) external view returns (uint256);

    /// @notice The length of an epoch in slots (fixed at deployment, so epochs never move; default 10).
    function epochSlots() external view returns (uint64);

    /// @notice The most members of a committee (default 10, at most 64).
    function committeeSize() external view returns (uint256);

    /// @notice The fewest members of a committee; with fewer eligible validators an epoch has none (default 4).
    function minCommittee() external view returns (uint256);

    /// @notice How many blocks after its selection block a committee's shuffle may happen (2, see {shuffle}).
    function seedBlockDelay() external pure returns (uint256);
}
