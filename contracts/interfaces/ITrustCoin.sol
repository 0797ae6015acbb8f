// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title ITrustCoin
/// @notice The trust coin TRC (SPEC §3): an ERC-20 with EIP-2612 permit and 18 decimals, backed 1:1 by
/// fiat held by the purchasing centres. Coins the suite burns (validator deposits, unpaid fees,
/// penalties, dust) raise a reward budget; block rewards are minted only out of that budget, so that
/// always `totalSupply == totalIssued - totalRedeemed - totalBurned + totalRewardsMinted` and
/// `totalRewardsMinted <= totalBurned`, hence `totalSupply <= totalIssued - totalRedeemed`.
interface ITrustCoin is IERC20, IERC20Permit {
    // ---------------------------------------------------------------- errors
    /// @notice `issue` was called with a fiat payment reference that has already been minted.
    error FiatRefAlreadyUsed(bytes32 fiatRef);
    /// @notice A fiat payment reference of zero was given; every issue and redemption needs one.
    error ZeroFiatRef();
    /// @notice An amount of zero was given where a positive amount is required.
    error ZeroAmount();
    /// @notice The zero address was given for the admin.
    error ZeroAddress();

    // ---------------------------------------------------------------- events
    /// @notice `amount` was minted to `to` against the fiat payment `fiatRef`.
    event Issued(address indexed to, uint256 amount, bytes32 indexed fiatRef);
    /// @notice `holder` burned `amount`; the purchasing centre pays it out against `fiatRef`.
    event Redeemed(address indexed holder, uint256 amount, bytes32 indexed fiatRef);
    /// @notice The suite contract `burner` burned `amount` of its own coins into the reward budget.
    event BurnedToBudget(address indexed burner, uint256 amount, uint256 rewardBudget);
    /// @notice `amount` was minted to `to` out of the reward budget.
    event RewardMinted(address indexed to, uint256 amount, uint256 rewardBudget);
    /// @notice A reward of `requested` was asked for while only `available` was left in the budget.
    event RewardBudgetShort(address indexed to, uint256 requested, uint256 available);

    // ---------------------------------------------------------------- actions
    /// @notice Mints `amount` to `to` against the fiat payment `fiatRef` (ISSUER_ROLE). Each `fiatRef`
    /// is accepted once, so a retried payment is never minted twice.
    function issue(address to, uint256 amount, bytes32 fiatRef) external;

    /// @notice Burns `amount` of the caller's coins; the purchasing centre pays out against `fiatRef`.
    function redeem(uint256 amount, bytes32 fiatRef) external;

    /// @notice Burns `amount` of the caller's own coins and adds it to the reward budget (BURNER_ROLE).
    function burnToBudget(uint256 amount) external;

    /// @notice Mints up to `amount` to `to` out of the reward budget (REWARD_MINTER_ROLE); mints what is
    /// available and emits {RewardBudgetShort} when the budget is short.
    /// @return minted The amount actually minted.
    function mintReward(address to, uint256 amount) external returns (uint256 minted);

    // ---------------------------------------------------------------- views
    /// @notice Whether `fiatRef` has been issued against.
    function fiatRefUsed(bytes32 fiatRef) external view returns (bool);
    /// @notice Total ever minted by `issue`.
    function totalIssued() external view returns (uint256);
    /// @notice Total ever burned by `redeem`.
    function totalRedeemed() external view returns (uint256);
    /// @notice Total ever burned by the suite into the reward budget.
    function totalBurned() external view returns (uint256);
    /// @notice Total ever minted as rewards.
    function totalRewardsMinted() external view returns (uint256);
    /// @notice What is left to mint as rewards: `totalBurned - totalRewardsMinted`.
    function rewardBudget() external view returns (uint256);
}
