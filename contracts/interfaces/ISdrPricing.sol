// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISdrPricing
/// @notice The two-level supply–demand-ratio (SDR) prices of SPEC §8.3 (Liu et al. 2017): the custom
/// errors of the {SdrPricing} library and the pure `sdrPrices` function that the settlement contract
/// exposes. Prices are TRC base units per kWh, energy is Wh; the value of `q` Wh at price `p` is
/// `q · p / 1000` base units.
interface ISdrPricing {
    // ---------------------------------------------------------------- errors
    /// @notice An energy amount (`energyWh`) exceeds the largest the pricing supports (`maxEnergyWh`).
    error SdrEnergyOutOfRange(uint256 energyWh, uint256 maxEnergyWh);
    /// @notice A price (`price`, TRC base units per kWh) exceeds the largest the pricing supports
    /// (`maxPrice`).
    error SdrPriceOutOfRange(uint256 price, uint256 maxPrice);
    /// @notice The grid sell price is zero; SDR prices need `0 < gridSellPrice`.
    error SdrZeroSellPrice();
    /// @notice The grid sell price exceeds the grid buy price; SDR prices need
    /// `gridSellPrice <= gridBuyPrice`.
    error SdrPricesInverted(uint256 gridSellPrice, uint256 gridBuyPrice);
    /// @notice The value `qtyWh · priceWadPerKWh` of a payout or charge does not fit in 256 bits.
    error SdrValueOverflow(uint256 qtyWh, uint256 priceWadPerKWh);
    /// @notice The per-microgrid surplus and deficit lists of level 2 differ in length.
    error SdrLengthMismatch(uint256 surplusCount, uint256 deficitCount);

    // ---------------------------------------------------------------- views
    /// @notice The SDR prices for total surplus `supplyWh` and total deficit `demandWh` between outside
    /// prices `gridSellPrice <= gridBuyPrice` (SPEC §8.3): `(gridSellPrice, gridSellPrice)` when
    /// `demandWh == 0` or `supplyWh >= demandWh`, else `pSell = λs·λb·D / ((λb − λs)·S + λs·D)` rounded
    /// down and `pBuy = (S·pSell + (D − S)·λb) / D` (with the exact `pSell`) rounded up. Always
    /// `gridSellPrice <= pSell <= pBuy <= gridBuyPrice`.
    /// @param supplyWh Total surplus S (Wh), at most `2^96 - 1`.
    /// @param demandWh Total deficit D (Wh), at most `2^96 - 1`.
    /// @param gridSellPrice λs, the outside sell price (TRC base units per kWh), `0 < λs < 2^104`.
    /// @param gridBuyPrice λb, the outside buy price (TRC base units per kWh), `λs <= λb < 2^104`.
    /// @return pSell The price paid per kWh of surplus.
    /// @return pBuy The price charged per kWh of deficit.
    function sdrPrices(
        uint256 supplyWh,
        uint256 demandWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) external pure returns (uint256 pSell, uint256 pBuy);
}
