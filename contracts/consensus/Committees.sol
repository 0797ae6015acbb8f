// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {Roles} from "../access/Roles.sol";
import {ICommittees} from "../interfaces/ICommittees.sol";
import {IRegistry} from "../interfaces/IRegistry.sol";
import {IValidatorRegistry} from "../interfaces/IValidatorRegistry.sol";

/// @title Committees
/// @notice Epochs and committees of the agreement layer (SPEC §6.2). Epoch `e` covers the slots
/// `[e·epochSlots, (e + 1)·epochSlots)`. From the middle slot of epoch `e − 1` on, anyone may select epoch `e`'s
/// members from the validator registry's ranking (never looping over all validators); from a later block on,
/// anyone may draw their order from that block's `prevrandao`. See {ICommittees} for the selection rule.
///
/// Randomness and its bias. The members are fixed at selection, in block `S`; the order is drawn from
/// `block.prevrandao` of the block holding the shuffle, at or after `seedBlock = S + 2`. `prevrandao` of block
/// `N` is the beacon chain's RANDAO mix after block `N − 1`, so it is known to everyone once block `N − 1` is
/// published, and to the proposer of `N − 1` a little before: with `S + 1` the proposer of the selection
/// block itself would have known the first possible seed, with `S + 2` it depends on the next proposer's
/// reveal. The bias left: (1) whoever shuffles picks the block, and can compute the order a shuffle in the
/// next block would give before sending it, so it may wait for a draw it likes until someone else shuffles
/// (every member, a keeper, and TradeBlocks' `ensureCommittee` may shuffle from `seedBlock` on; the first
/// call fixes the order); (2) a proposer of the underlying chain can withhold its block, which swaps the
/// mix for another: one bit of bias per withheld block, at the cost of the block's reward; it can also leave
/// shuffle calls out of its block. On Hardhat `prevrandao` is deterministic (and set by
/// `hardhat_setPrevRandao`). Only the order is at stake: it says which member proposes round 0 of a
/// microgrid-slot, and rounds rotate through all members. See docs/consensus.md.
/// @dev Reads the registry's clock once at deployment (it is immutable there). `epochSlots` is immutable too,
/// so that no epoch already started ever moves; `committeeSize` and `minCommittee` apply to later selections.
contract Committees is AccessControl, ICommittees {
    /// @notice Role that changes parameters (SPEC §1).
    bytes32 public constant PARAMS_ROLE = Roles.PARAMS_ROLE;

    /// @notice The participant registry (slot clock).
    IRegistry public immutable REGISTRY;
    /// @notice The validator registry (ranking and eligibility).
    IValidatorRegistry public immutable VALIDATORS;

    /// @dev The bound of `committeeSize`: it bounds every loop over members and over the candidates read.
    uint256 private constant MAX_COMMITTEE_SIZE = 64;
    /// @dev The least `minCommittee` (SPEC §6.4 needs k ≥ 4).
    uint256 private constant MIN_COMMITTEE_FLOOR = 4;
    /// @dev The bound of `epochSlots`; keeps `epoch · epochSlots` far inside uint256.
    uint256 private constant MAX_EPOCH_SLOTS = type(uint32).max;
    /// @dev Blocks between the selection block and the first block whose `prevrandao` may seed the shuffle.
    uint256 private constant SEED_BLOCK_DELAY = 2;
    /// @dev The most `topEligible` pages one selection reads: each page stops after `maxIneligibleSkipped`
    /// ineligible validators, so one selection passes over at most 4 · `maxIneligibleSkipped` of them.
    uint256 private constant MAX_SELECTION_PAGES = 4;

    uint64 private immutable _EPOCH_SLOTS;
    uint64 private immutable _GENESIS;
    uint64 private immutable _SLOT_LENGTH;

    /// @dev The selection parameters, packed in one storage slot (both ≤ 64).
    struct SelectionParams {
        uint8 committeeSize;
        uint8 minCommittee;
    }

    /// @dev What a selection read from the ranking (see `_candidates`).
    struct Candidates {
        address[] picks;
        uint256 picked;
        address[] spares;
        uint256 spared;
    }

    SelectionParams private _params;
    mapping(uint64 epoch => CommitteeInfo info) private _info;
    /// @dev In rank order once selected, in the shuffled order once shuffled; empty without committee.
    mapping(uint64 epoch => address[] members) private _members;
    /// @dev Membership as one bit per epoch: bit `epoch mod 256` of word `epoch / 256`. A validator that
    /// serves again within 256 epochs updates a word already written (5 000 gas rather than 22 100).
    mapping(address account => mapping(uint256 word => uint256 epochBits)) private _memberships;

    /// @notice Deploys the committees with the defaults of SPEC §6.2 (committee size 10, minimum 4).
    /// @param admin Receives DEFAULT_ADMIN_ROLE.
    /// @param registry The participant registry, whose slot clock is copied (it is immutable there); a zero
    /// slot length reverts with {InvalidParameter}.
    /// @param validators The validator registry.
    /// @param slotsPerEpoch The length of an epoch in slots, in [1, 2^32 − 1] (SPEC default 10); immutable.
    constructor(address admin, IRegistry registry, IValidatorRegistry validators, uint64 slotsPerEpoch) {
        if (admin == address(0) || address(registry) == address(0) || address(validators) == address(0)) {
            revert ZeroAddress();
        }
        if (slotsPerEpoch == 0 || slotsPerEpoch > MAX_EPOCH_SLOTS) {
            revert InvalidParameter("epochSlots", slotsPerEpoch);
        }
        uint64 slotLength = registry.slotLength();
        if (slotLength == 0) revert InvalidParameter("slotLength", 0);
        REGISTRY = registry;
        VALIDATORS = validators;
        _EPOCH_SLOTS = slotsPerEpoch;
        _GENESIS = registry.genesis();
        _SLOT_LENGTH = slotLength;
        _params = SelectionParams({committeeSize: 10, minCommittee: 4});
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- actions

    /// @inheritdoc ICommittees
    function selectNextCommittee() external returns (uint64 epoch) {
        (bool started, uint64 current) = _currentSlot();
        if (!started) revert ClockNotStarted(block.timestamp, _GENESIS);
        uint64 currentEpoch = current / _EPOCH_SLOTS;
        epoch = currentEpoch + 1;
        uint256 from = _selectionSlot(epoch);
        if (current < from) revert SelectionTooEarly(epoch, from, current);
        if (!_info[currentEpoch].selected) _select(currentEpoch);
        _shuffleIfReady(currentEpoch);
        if (!_info[epoch].selected) _select(epoch);
    }

    /// @inheritdoc ICommittees
    function ensureCommittee(uint64 epoch) external returns (address[] memory order) {
        if (!_info[epoch].selected) {
            (bool started, uint64 current) = _currentSlot();
            if (started && !(current < _selectionSlot(epoch))) _select(epoch);
        }
        _shuffleIfReady(epoch);
        return committeeOf(epoch);
    }

    /// @inheritdoc ICommittees
    function shuffle(uint64 epoch) external returns (address[] memory order) {
        CommitteeInfo memory info = _info[epoch];
        if (!info.selected) revert CommitteeNotSelected(epoch);
        if (info.memberCount == 0) revert NoCommittee(epoch);
        if (info.shuffled) revert AlreadyShuffled(epoch);
        if (block.number < info.seedBlock) revert SeedBlockNotReached(epoch, info.seedBlock, block.number);
        return _shuffle(epoch);
    }

    // ---------------------------------------------------------------- parameters

    /// @inheritdoc ICommittees
    function setCommitteeSize(uint256 value) external onlyRole(PARAMS_ROLE) {
        uint256 old = _params.committeeSize;
        if (value < _params.minCommittee || value > MAX_COMMITTEE_SIZE) {
            revert InvalidParameter("committeeSize", value);
        }
        _params.committeeSize = uint8(value); // ≤ 64
        emit ParameterSet("committeeSize", old, value);
    }

    /// @inheritdoc ICommittees
    function setMinCommittee(uint256 value) external onlyRole(PARAMS_ROLE) {
        uint256 old = _params.minCommittee;
        if (value < MIN_COMMITTEE_FLOOR || value > _params.committeeSize) {
            revert InvalidParameter("minCommittee", value);
        }
        _params.minCommittee = uint8(value); // ≤ committeeSize ≤ 64
        emit ParameterSet("minCommittee", old, value);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICommittees
    function epochOf(uint64 slot) external view returns (uint64) {
        return slot / _EPOCH_SLOTS;
    }

    /// @inheritdoc ICommittees
    function committeeOf(uint64 epoch) public view returns (address[] memory order) {
        if (_info[epoch].shuffled) order = _members[epoch];
    }

    /// @inheritdoc ICommittees
    /// @dev A committee is recorded only with at least `minCommittee` members at its selection, so a later
    /// rise of `minCommittee` does not unmake it.
    function hasCommittee(uint64 epoch) external view returns (bool) {
        return _info[epoch].shuffled;
    }

    /// @inheritdoc ICommittees
    /// @dev True from the selection on (before the shuffle too).
    function isMember(uint64 epoch, address account) external view returns (bool) {
        return _isMemberOf(epoch, account);
    }

    /// @inheritdoc ICommittees
    /// @dev Zero until the committee is shuffled, as well as for an epoch without committee.
    function proposerOf(uint32 microgrid, uint64 slot, uint256 round) external view returns (address) {
        uint64 epoch = slot / _EPOCH_SLOTS;
        CommitteeInfo memory info = _info[epoch];
        if (!info.shuffled) return address(0);
        uint256 k = info.memberCount;
        // (s + m + r) mod k = (s + m + (r mod k)) mod k; s + m < 2^65 and r mod k < 64: no overflow.
        return _members[epoch][(uint256(slot) + microgrid + (round % k)) % k];
    }

    /// @inheritdoc ICommittees
    function membersOf(uint64 epoch) external view returns (address[] memory members) {
        return _members[epoch];
    }

    /// @inheritdoc ICommittees
    function committeeInfo(uint64 epoch) external view returns (CommitteeInfo memory) {
        return _info[epoch];
    }

    /// @inheritdoc ICommittees
    function selectionSlot(uint64 epoch) external view returns (uint256) {
        return _selectionSlot(epoch);
    }

    /// @inheritdoc ICommittees
    function epochSlots() external view returns (uint64) {
        return _EPOCH_SLOTS;
    }

    /// @inheritdoc ICommittees
    function committeeSize() external view returns (uint256) {
        return _params.committeeSize;
    }

    /// @inheritdoc ICommittees
    function minCommittee() external view returns (uint256) {
        return _params.minCommittee;
    }

    /// @inheritdoc ICommittees
    function seedBlockDelay() external pure returns (uint256) {
        return SEED_BLOCK_DELAY;
    }

    /// @notice Whether the contract implements `interfaceId` (ERC-165): ICommittees, IAccessControl and IERC165.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(ICommittees).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Fixes `epoch`'s members (or records that it has none): the candidates not on a neighbouring
    /// committee first, then, if they are fewer than `minCommittee`, the neighbours' members met on the way.
    function _select(uint64 epoch) private {
        SelectionParams memory params = _params;
        Candidates memory found = _candidates(epoch, params.committeeSize);
        uint256 minimum = params.minCommittee;
        uint256 memberCount = found.picked;
        if (memberCount < minimum) memberCount = _min(minimum, found.picked + found.spared);
        if (memberCount < minimum) {
            _info[epoch] = CommitteeInfo({selected: true, shuffled: false, memberCount: 0, seedBlock: 0});
            emit CommitteeNotFormed(epoch, memberCount, minimum);
            return;
        }
        address[] memory members = new address[](memberCount);
        address[] storage stored = _members[epoch];
        for (uint256 i; i < memberCount; ++i) {
            address member = i < found.picked ? found.picks[i] : found.spares[i - found.picked];
            members[i] = member;
            stored.push(member);
            _memberships[member][epoch >> 8] |= 1 << (epoch & 0xff);
        }
        uint64 seedBlock = SafeCast.toUint64(block.number + SEED_BLOCK_DELAY);
        _info[epoch] = CommitteeInfo({
            selected: true,
            shuffled: false,
            memberCount: uint8(memberCount), // ≤ committeeSize ≤ 64
            seedBlock: seedBlock
        });
        emit CommitteeSelected(epoch, members, seedBlock);
    }

    /// @dev The eligible validators in rank order, up to `size` of them not on a neighbouring committee
    /// (`picks`), and the neighbours' members met before (`spares`). Reads the ranking page by page from the
    /// head, asking each time for as many eligible validators as could still be needed: the places left plus
    /// the neighbours' members not met yet. At most `MAX_SELECTION_PAGES` pages of at most
    /// `count + maxIneligibleSkipped + 1` entries each, `count ≤ 3 · 64`: the cost does not grow with the
    /// number of validators.
    function _candidates(uint64 epoch, uint256 size) private view returns (Candidates memory found) {
        uint256 excludedCount =
            (epoch == 0 ? 0 : _members[epoch - 1].length) +
                (epoch == type(uint64).max ? 0 : _members[epoch + 1].length);
        found.picks = new address[](size);
        found.spares = new address[](excludedCount);
        address cursor; // zero: the head
        for (uint256 page; page < MAX_SELECTION_PAGES && found.picked < size; ++page) {
            // picked < size, and spared ≤ excludedCount as each neighbour member is met at most once.
            (address[] memory ranked, address nextCursor) = VALIDATORS.topEligible(
                size - found.picked + excludedCount - found.spared,
                cursor
            );
            for (uint256 i; i < ranked.length && found.picked < size; ++i) {
                if (_onNeighbourCommittee(epoch, ranked[i])) {
                    found.spares[found.spared] = ranked[i];
                    ++found.spared;
                } else {
                    found.picks[found.picked] = ranked[i];
                    ++found.picked;
                }
            }
            // A page ends early only at the list's end or after `maxIneligibleSkipped` ineligible entries.
            if (nextCursor == address(0)) break;
            cursor = nextCursor;
        }
    }

    /// @dev Whether `account` is on the committee of `epoch − 1` or of `epoch + 1` (epoch 0 has no
    /// predecessor and the last uint64 epoch no successor; a neighbour not selected has no members).
    function _onNeighbourCommittee(uint64 epoch, address account) private view returns (bool) {
        return
            (epoch != 0 && _isMemberOf(epoch - 1, account)) ||
            (epoch != type(uint64).max && _isMemberOf(epoch + 1, account));
    }

    /// @dev Shuffles `epoch`'s committee if it is selected, has members, is not shuffled and its seed block has
    /// come; otherwise does nothing.
    function _shuffleIfReady(uint64 epoch) private {
        CommitteeInfo memory info = _info[epoch];
        if (info.memberCount != 0 && !info.shuffled && !(block.number < info.seedBlock)) _shuffle(epoch);
    }

    /// @dev Fisher–Yates over the stored members with `seed = keccak256(abi.encode(prevrandao, epoch,
    /// members))` and, at step `i` (from k − 1 down to 1), `j = uint256(keccak256(abi.encode(seed, i))) mod
    /// (i + 1)`; writes back the entries that moved. The modulo bias is below 64 / 2^256.
    function _shuffle(uint64 epoch) private returns (address[] memory order) {
        address[] storage stored = _members[epoch];
        order = stored;
        bytes32 seed = keccak256(abi.encode(block.prevrandao, epoch, order));
        // A committee has at least minCommittee ≥ 4 members, so `length − 1` does not underflow.
        for (uint256 i = order.length - 1; i > 0; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, i))) % (i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        for (uint256 i; i < order.length; ++i) {
            if (stored[i] != order[i]) stored[i] = order[i];
        }
        _info[epoch].shuffled = true;
        emit CommitteeShuffled(epoch, order, seed);
    }

    /// @dev Whether `account` is a member of `epoch`'s committee (bit `epoch mod 256` of word `epoch / 256`).
    function _isMemberOf(uint64 epoch, address account) private view returns (bool) {
        return (_memberships[account][epoch >> 8] >> (epoch & 0xff)) & 1 == 1;
    }

    /// @dev The current slot, or `started` false before the clock's genesis.
    function _currentSlot() private view returns (bool started, uint64 slot) {
        if (block.timestamp < _GENESIS) return (false, 0);
        return (true, SafeCast.toUint64((block.timestamp - _GENESIS) / _SLOT_LENGTH));
    }

    /// @dev `(epoch − 1)·epochSlots + ⌊epochSlots / 2⌋`, 0 for epoch 0; below 2^97, no overflow.
    function _selectionSlot(uint64 epoch) private view returns (uint256) {
        if (epoch == 0) return 0;
        return (uint256(epoch) - 1) * _EPOCH_SLOTS + _EPOCH_SLOTS / 2;
    }

    /// @dev The smaller of `a` and `b`.
    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
