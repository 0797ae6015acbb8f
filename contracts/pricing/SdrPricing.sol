// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ISdrPricing} from "../interfaces/ISdrPricing.sol";

/// @title SdrPricing
/// @notice The two-level supply–demand-ratio (SDR) prices of SPEC §8.3 (thesis eq. 3.1–3.4, Liu et al.
/// 2017) and the money helpers of settlement, as pure functions.
///
/// Units: energy in Wh, prices in TRC base units per kWh (wad per kWh), money in TRC base units; the
/// value of `q` Wh at price `p` is `q · p / 1000`. Sell prices and payouts round down, buy prices and
/// charges round up, so the pool never pays out more than it takes in (SPEC §8.3, §10).
///
/// Use by a settlement contract, per slot:
/// 1. once, over the (at most `maxMicrogrids`) microgrids final in time: {levelTwo} with each
///    microgrid's `TES_m` and `TEP_m`; store `sellPrice`, `buyPrice` and the grid account's flow;
/// 2. per microgrid, without loops: {outsidePrices} from the stored level-2 prices, then
///    {levelOnePrices} (a microgrid final too late for level 2 uses the tariff as outside prices and
///    trades its residual with the grid account: {gridFlow} of its own `TES_m`, `TEP_m`);
/// 3. per participant: {payoutFor} a surplus at the level-1 sell price, {chargeFor} a deficit at the
///    level-1 buy price.
///
/// Supported inputs of the SDR formula: energy `<= MAX_ENERGY_WH = 2^96 - 1` Wh (about 7.9·10^28 Wh,
/// far beyond any grid) and prices `<= MAX_PRICE = 2^104 - 1` base units per kWh (about
/// 2·10^13 TRC/kWh), with `0 < gridSellPrice <= gridBuyPrice`; beyond them the functions revert
/// with the custom errors of {ISdrPricing}. Under these bounds no intermediate overflows (see
/// {sdrPrices}).
library SdrPricing {
    /// @dev Largest supported energy amount (Wh) of the SDR formula.
    uint256 internal constant MAX_ENERGY_WH = type(uint96).max;
    /// @dev Largest supported price (TRC base units per kWh) of the SDR formula.
    uint256 internal constant MAX_PRICE = type(uint104).max;
    /// @dev Prices are per kWh, energy is in Wh.
    uint256 internal constant WH_PER_KWH = 1000;

    /// @notice The result of level 2 of one slot (SPEC §8.3).
    /// @param supplyWh `S2`: the sum of the positive microgrid nets `TES_m − TEP_m`.
    /// @param demandWh `D2`: the sum of the negative microgrid nets, as a positive amount.
    /// @param sellPrice `P2_sell`, TRC base units per kWh, rounded down.
    /// @param buyPrice `P2_buy`, TRC base units per kWh, rounded up.
    /// @param paidToGrid TRC base units the grid account receives: `(D2 − S2) · λ_buy / 1000` rounded
    /// down when `D2 > S2`, else 0.
    /// @param paidByGrid TRC base units the grid account pays: `(S2 − D2) · λ_sell / 1000` rounded up
    /// when `S2 > D2`, else 0.
    struct LevelTwo {
        uint256 supplyWh;
        uint256 demandWh;
        uint256 sellPrice;
        uint256 buyPrice;
        uint256 paidToGrid;
        uint256 paidByGrid;
    }

    /// @notice The SDR prices for total surplus `supplyWh` (S) and total deficit `demandWh` (D) between
    /// the outside prices `gridSellPrice` (λs) and `gridBuyPrice` (λb), SPEC §8.3:
    /// `(λs, λs)` when `D == 0` or `S >= D`; else
    /// `pSell = floor(λs·λb·D / den)` with `den = (λb − λs)·S + λs·D`, and
    /// `pBuy = ceil((S·P_sell + (D − S)·λb) / D)` with the exact `P_sell = λs·λb·D / den`, that is
    /// `ceil(λb·(S·λs·D + (D − S)·den) / (D·den))`. Always `λs <= pSell <= pBuy <= λb`.
    /// @dev Reverts with {ISdrPricing-SdrEnergyOutOfRange}, {ISdrPricing-SdrPriceOutOfRange},
    /// {ISdrPricing-SdrZeroSellPrice} or {ISdrPricing-SdrPricesInverted} outside the supported inputs.
    ///
    /// Exactness. SDR is never formed as a fraction. Write the division of `λs·λb·D` by `den` as
    /// `λs·λb·D = q·den + r` (`0 <= r < den`), so `pSell = q`, and `S·r = c·den + r2` (`0 <= r2 < den`).
    /// Then the exact buy price is `(S·q + S·r/den + (D − S)·λb) / D = (k + r2/den) / D` with the integer
    /// `k = S·q + c + (D − S)·λb`. For `f = r2/den` in `[0, 1)`: if `f == 0`, its ceiling is
    /// `ceil(k / D)`; if `f > 0`, the smallest `n` with `n·D >= k + f` is the smallest with `n·D >= k + 1`,
    /// `floor(k / D) + 1`. Both cases: `floor(k / D) + (k % D != 0 || r2 != 0 ? 1 : 0)`.
    /// (The one-fraction form needs `D·den`, up to 2^297, as a divisor: too wide for `mulDiv`.)
    ///
    /// No overflow, with `S, D <= 2^96 − 1` and `λs <= λb <= 2^104 − 1`, in the branch `S < D` (so
    /// `D > 0`), `0 < λs < λb`:
    /// - `(λb − λs)·S < 2^200`, `λs·D < 2^200`, so `den < 2^201`; `den >= λs·D > 0`;
    /// - `λs·λb < 2^208`; `mulDiv` and `mulmod` work on the full 512-bit product `λs·λb·D`, and
    ///   `q <= λb < 2^104` because `den >= λs·D`;
    /// - `r < den < 2^201`; `mulDiv(S, r, den)` and `mulmod` again use the full product; `c < S` because
    ///   `r < den`;
    /// - `S·q < 2^200`, `(D − S)·λb < 2^200`, so `k < 2^200 + 2^96 + 2^200 < 2^202`.
    ///
    /// Bounds. `den <= (λb − λs)·D + λs·D = λb·D` gives `P_sell >= λs`, `den >= λs·D` gives
    /// `P_sell <= λb`; `P_buy` is a weighted mean of `P_sell` and `λb` (weights `S/D`, `1 − S/D`), so
    /// `P_sell <= P_buy <= λb`; rounding to the integers `floor` / `ceil` keeps all of it because `λs`
    /// and `λb` are integers.
    function sdrPrices(
        uint256 supplyWh,
        uint256 demandWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) internal pure returns (uint256 pSell, uint256 pBuy) {
        _checkEnergy(supplyWh);
        _checkEnergy(demandWh);
        _checkPrices(gridSellPrice, gridBuyPrice);
        if (supplyWh < demandWh && gridSellPrice < gridBuyPrice) {
            return _scarcityPrices(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
        }
        // No deficit, or the surplus covers it: both prices are λs. With equal outside prices the
        // formula gives λs exactly as well, so it is skipped.
        return (gridSellPrice, gridSellPrice);
    }

    /// @notice Level 2 of a slot (SPEC §8.3): from each microgrid's total surplus `surplusWh[m]`
    /// (`TES_m`) and total deficit `deficitWh[m]` (`TEP_m`), the totals `S2` and `D2` of the microgrid
    /// nets, the prices `(P2_sell, P2_buy) = sdrPrices(S2, D2, λs, λb)` and the grid account's flow.
    /// @dev One loop over the microgrids (the caller bounds them by `maxMicrogrids`). Each `TES_m` and
    /// `TEP_m` must be at most `MAX_ENERGY_WH`, so the sums cannot overflow for any array that fits in
    /// memory; `S2` and `D2` are then checked by {sdrPrices}. Reverts with
    /// {ISdrPricing-SdrLengthMismatch} when the arrays differ in length.
    function levelTwo(
        uint256[] memory surplusWh,
        uint256[] memory deficitWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) internal pure returns (LevelTwo memory result) {
        uint256 count = surplusWh.length;
        if (deficitWh.length != count) revert ISdrPricing.SdrLengthMismatch(count, deficitWh.length);
        uint256 supplyWh;
        uint256 demandWh;
        for (uint256 m = 0; m < count; ++m) {
            uint256 tesWh = surplusWh[m];
            uint256 tepWh = deficitWh[m];
            _checkEnergy(tesWh);
            _checkEnergy(tepWh);
            if (tesWh > tepWh) supplyWh += tesWh - tepWh;
            else demandWh += tepWh - tesWh;
        }
        result.supplyWh = supplyWh;
        result.demandWh = demandWh;
        (result.sellPrice, result.buyPrice) = sdrPrices(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
        (result.paidToGrid, result.paidByGrid) = gridFlow(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
    }

    /// @notice The outside prices of a microgrid with total surplus `tesWh` and total deficit `tepWh`
    /// (SPEC §8.3): `(p2Sell, gridBuyPrice)` if its net is positive, `(gridSellPrice, p2Buy)` if it is
    /// negative, else `(gridSellPrice, gridBuyPrice)`.
    /// @param p2Sell `P2_sell` of the slot (from {levelTwo}).
    /// @param p2Buy `P2_buy` of the slot (from {levelTwo}).
    function outsidePrices(
        uint256 tesWh,
        uint256 tepWh,
        uint256 p2Sell,
        uint256 p2Buy,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) internal pure returns (uint256 outsideSell, uint256 outsideBuy) {
        if (tesWh > tepWh) return (p2Sell, gridBuyPrice);
        if (tesWh < tepWh) return (gridSellPrice, p2Buy);
        return (gridSellPrice, gridBuyPrice);
    }

    /// @notice Level 1 of a microgrid (SPEC §8.3): `sdrPrices(tesWh, tepWh, outsideSell, outsideBuy)`,
    /// the prices at which its surplus participants are paid and its deficit participants charged.
    function levelOnePrices(
        uint256 tesWh,
        uint256 tepWh,
        uint256 outsideSell,
        uint256 outsideBuy
    ) internal pure returns (uint256 pSell, uint256 pBuy) {
        return sdrPrices(tesWh, tepWh, outsideSell, outsideBuy);
    }

    /// @notice The grid account's flow for a residual between surplus `supplyWh` and deficit `demandWh`
    /// at the tariff (SPEC §8.3): it is paid `(D − S) · λb / 1000` rounded down when `D > S` and pays
    /// `(S − D) · λs / 1000` rounded up when `S > D`. Used for level 2 and for a microgrid that became
    /// final too late for level 2.
    /// @dev Inputs are checked as in {sdrPrices}.
    function gridFlow(
        uint256 supplyWh,
        uint256 demandWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) internal pure returns (uint256 paidToGrid, uint256 paidByGrid) {
        _checkEnergy(supplyWh);
        _checkEnergy(demandWh);
        _checkPrices(gridSellPrice, gridBuyPrice);
        if (demandWh > supplyWh) paidToGrid = payoutFor(demandWh - supplyWh, gridBuyPrice);
        else if (supplyWh > demandWh) paidByGrid = chargeFor(supplyWh - demandWh, gridSellPrice);
    }

    /// @notice What the pool pays for `qtyWh` Wh at `priceWadPerKWh`: `qtyWh · priceWadPerKWh / 1000`
    /// TRC base units, rounded down.
    /// @dev Reverts with {ISdrPricing-SdrValueOverflow} when `qtyWh · priceWadPerKWh >= 2^256`.
    function payoutFor(uint256 qtyWh, uint256 priceWadPerKWh) internal pure returns (uint256) {
        return _valueTimesKWh(qtyWh, priceWadPerKWh) / WH_PER_KWH;
    }

    /// @notice What the pool charges for `qtyWh` Wh at `priceWadPerKWh`: `qtyWh · priceWadPerKWh / 1000`
    /// TRC base units, rounded up.
    /// @dev Reverts with {ISdrPricing-SdrValueOverflow} when `qtyWh · priceWadPerKWh >= 2^256`.
    function chargeFor(uint256 qtyWh, uint256 priceWadPerKWh) internal pure returns (uint256) {
        return Math.ceilDiv(_valueTimesKWh(qtyWh, priceWadPerKWh), WH_PER_KWH);
    }

    /// @dev The branch `S < D`, `λs < λb` of {sdrPrices} (inputs checked there): `pSell = q` and
    /// `pBuy = floor(k / D) + (k % D != 0 || r2 != 0 ? 1 : 0)` as derived and bounded in its comment.
    function _scarcityPrices(
        uint256 supplyWh,
        uint256 demandWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) private pure returns (uint256 pSell, uint256 pBuy) {
        uint256 den = (gridBuyPrice - gridSellPrice) * supplyWh + gridSellPrice * demandWh;
        uint256 sellProduct = gridSellPrice * gridBuyPrice;
        pSell = Math.mulDiv(sellProduct, demandWh, den); // q
        uint256 sellRemainder = mulmod(sellProduct, demandWh, den); // r
        uint256 carry = Math.mulDiv(supplyWh, sellRemainder, den); // c
        bool fractionLeft = mulmod(supplyWh, sellRemainder, den) != 0; // r2 != 0
        uint256 buyNumerator = supplyWh * pSell + carry + (demandWh - supplyWh) * gridBuyPrice; // k
        pBuy = buyNumerator / demandWh;
        if (fractionLeft || buyNumerator % demandWh != 0) ++pBuy;
    }

    /// @dev `qtyWh · priceWadPerKWh`, the value in TRC base units times 1000, or the custom error.
    function _valueTimesKWh(uint256 qtyWh, uint256 priceWadPerKWh) private pure returns (uint256) {
        (bool fits, uint256 product) = Math.tryMul(qtyWh, priceWadPerKWh);
        if (!fits) revert ISdrPricing.SdrValueOverflow(qtyWh, priceWadPerKWh);
        return product;
    }

    /// @dev Reverts unless `energyWh <= MAX_ENERGY_WH`.
    function _checkEnergy(uint256 energyWh) private pure {
        if (energyWh > MAX_ENERGY_WH) revert ISdrPricing.SdrEnergyOutOfRange(energyWh, MAX_ENERGY_WH);
    }

    /// @dev Reverts unless `0 < gridSellPrice <= gridBuyPrice <= MAX_PRICE`.
    function _checkPrices(uint256 gridSellPrice, uint256 gridBuyPrice) private pure {
        if (gridSellPrice > MAX_PRICE) revert ISdrPricing.SdrPriceOutOfRange(gridSellPrice, MAX_PRICE);
        if (gridBuyPrice > MAX_PRICE) revert ISdrPricing.SdrPriceOutOfRange(gridBuyPrice, MAX_PRICE);
        if (gridSellPrice == 0) revert ISdrPricing.SdrZeroSellPrice();
        if (gridSellPrice > gridBuyPrice) revert ISdrPricing.SdrPricesInverted(gridSellPrice, gridBuyPrice);
    }
}
