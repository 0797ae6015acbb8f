// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {Roles} from "../access/Roles.sol";
import {ITrustCoin} from "../interfaces/ITrustCoin.sol";

/// @title TrustCoin
/// @notice The trust coin TRC (SPEC §3): an ERC-20 with EIP-2612 permit and 18 decimals, minted 1:1
/// against fiat by the purchasing centres and burned on redemption. Coins the suite burns go into a
/// reward budget, and block rewards are minted only out of that budget, so that after every call
/// `totalSupply == totalIssued - totalRedeemed - totalBurned + totalRewardsMinted` and
/// `totalRewardsMinted <= totalBurned`.
contract TrustCoin is ERC20, ERC20Permit, AccessControl, ITrustCoin {
    /// @notice Role that mints against fiat received by a purchasing centre.
    bytes32 public constant ISSUER_ROLE = Roles.ISSUER_ROLE;
    /// @notice Role that burns its own coins into the reward budget (suite contracts).
    bytes32 public constant BURNER_ROLE = Roles.BURNER_ROLE;
    /// @notice Role that mints block rewards out of the reward budget (consensus).
    bytes32 public constant REWARD_MINTER_ROLE = Roles.REWARD_MINTER_ROLE;

    // Running totals, packed two to a slot. Ranges (all in base units):
    // - `_totalIssued` grows only in `issue`, by `SafeCast.toUint128(amount)` with a checked sum, so it
    //   never wraps: an issue that would take it past 2^128 - 1 (~3.4e20 TRC) reverts.
    // - Every other amount added below has first been burned from a balance or is bounded by the
    //   budget, and `balance <= totalSupply <= totalIssued - totalRedeemed <= totalIssued < 2^128`,
    //   so its downcast to uint128 is exact.
    // - `_totalRedeemed <= totalIssued` (from the supply identity), so its checked sum cannot fail.
    // - `_totalBurned` can in principle outgrow `totalIssued` (burn, reward, burn again); its sum is
    //   checked, so after ~2^128 base units of such cycles `burnToBudget` would revert, never wrap.
    // - `_totalRewardsMinted + minted <= _totalBurned`, so that sum cannot overflow.
    uint128 private _totalIssued;
    uint128 private _totalRedeemed;
    uint128 private _totalBurned;
    uint128 private _totalRewardsMinted;

    mapping(bytes32 fiatRef => bool used) private _fiatRefUsed;

    // Since Solidity 0.7 a constructor has no visibility (`public` only draws a compiler warning).
    /// @notice Deploys the coin and makes `admin` its DEFAULT_ADMIN_ROLE holder.
    /// @param admin The account that grants and revokes the coin's roles.
    constructor(address admin) ERC20("Trust Coin", "TRC") ERC20Permit("Trust Coin") {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- actions

    /// @inheritdoc ITrustCoin
    function issue(address to, uint256 amount, bytes32 fiatRef) external onlyRole(ISSUER_ROLE) {
        if (amount == 0) revert ZeroAmount();
        if (fiatRef == bytes32(0)) revert ZeroFiatRef();
        if (_fiatRefUsed[fiatRef]) revert FiatRefAlreadyUsed(fiatRef);
        _fiatRefUsed[fiatRef] = true;
        _totalIssued += SafeCast.toUint128(amount);
        _mint(to, amount); // reverts with ERC20InvalidReceiver(address(0)) for a zero `to`
        emit Issued(to, amount, fiatRef);
    }

    /// @inheritdoc ITrustCoin
    /// @dev `fiatRef` is the centre's payout reference and is deliberately not required to be unique:
    /// if it were, any holder could block another's redemption by redeeming 1 wei under its reference.
    function redeem(uint256 amount, bytes32 fiatRef) external {
        if (amount == 0) revert ZeroAmount();
        if (fiatRef == bytes32(0)) revert ZeroFiatRef();
        _burn(msg.sender, amount); // reverts with ERC20InsufficientBalance; bounds `amount` below 2^128
        _totalRedeemed += uint128(amount);
        emit Redeemed(msg.sender, amount, fiatRef);
    }

    /// @inheritdoc ITrustCoin
    function burnToBudget(uint256 amount) external onlyRole(BURNER_ROLE) {
        if (amount == 0) revert ZeroAmount();
        _burn(msg.sender, amount); // reverts with ERC20InsufficientBalance; bounds `amount` below 2^128
        uint128 newTotalBurned = _totalBurned + uint128(amount);
        _totalBurned = newTotalBurned;
        emit BurnedToBudget(msg.sender, amount, newTotalBurned - _totalRewardsMinted);
    }

    /// @inheritdoc ITrustCoin
    /// @dev Never reverts because the budget is short or empty, so that consensus can always finalise;
    /// it mints what is left and emits {RewardBudgetShort}.
    function mintReward(
        address to,
        uint256 amount
    ) external onlyRole(REWARD_MINTER_ROLE) returns (uint256 minted) {
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint128 rewardsMinted = _totalRewardsMinted;
        uint256 available = _totalBurned - rewardsMinted; // cannot underflow: rewardsMinted <= burned
        minted = amount < available ? amount : available;
        if (minted > 0) {
            // `minted <= available < 2^128`, so the downcast is exact and the sum is at most `_totalBurned`.
            unchecked {
                _totalRewardsMinted = rewardsMinted + uint128(minted);
            }
            _mint(to, minted);
            emit RewardMinted(to, minted, available - minted);
        }
        if (minted < amount) emit RewardBudgetShort(to, amount, available);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ITrustCoin
    function fiatRefUsed(bytes32 fiatRef) external view returns (bool) {
        return _fiatRefUsed[fiatRef];
    }

    /// @inheritdoc ITrustCoin
    function totalIssued() external view returns (uint256) {
        return _totalIssued;
    }

    /// @inheritdoc ITrustCoin
    function totalRedeemed() external view returns (uint256) {
        return _totalRedeemed;
    }

    /// @inheritdoc ITrustCoin
    function totalBurned() external view returns (uint256) {
        return _totalBurned;
    }

    /// @inheritdoc ITrustCoin
    function totalRewardsMinted() external view returns (uint256) {
        return _totalRewardsMinted;
    }

    /// @inheritdoc ITrustCoin
    function rewardBudget() external view returns (uint256) {
        return _totalBurned - _totalRewardsMinted;
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(ERC20Permit, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    /// @notice Whether the coin implements the interface `interfaceId` (ERC-165): ITrustCoin, IERC20,
    /// IERC20Permit, IAccessControl and IERC165.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return
            interfaceId == type(ITrustCoin).interfaceId ||
            interfaceId == type(IERC20).interfaceId ||
            interfaceId == type(IERC20Permit).interfaceId ||
            super.supportsInterface(interfaceId);
    }
}
