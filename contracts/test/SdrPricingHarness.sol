// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISdrPricing} from "../interfaces/ISdrPricing.sol";
import {SdrPricing} from "../pricing/SdrPricing.sol";

/// @title SdrPricingHarness
/// @notice Test-only: exposes the {SdrPricing} library, one by one and in batches (so that property
/// tests need few calls). Holds no state.
contract SdrPricingHarness is ISdrPricing {
    /// @notice The inputs of one `sdrPrices` call.
    struct SdrQuery {
        uint256 supplyWh;
        uint256 demandWh;
        uint256 gridSellPrice;
        uint256 gridBuyPrice;
    }

    /// @notice One payout (`isCharge == false`) or charge of `qtyWh` at `priceWadPerKWh`.
    struct MoneyQuery {
        uint256 qtyWh;
        uint256 priceWadPerKWh;
        bool isCharge;
    }

    /// @inheritdoc ISdrPricing
    function sdrPrices(
        uint256 supplyWh,
        uint256 demandWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) external pure returns (uint256 pSell, uint256 pBuy) {
        return SdrPricing.sdrPrices(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
    }

    /// @notice `sdrPrices` of each query, in order.
    function sdrPricesBatch(
        SdrQuery[] calldata queries
    ) external pure returns (uint256[] memory pSell, uint256[] memory pBuy) {
        pSell = new uint256[](queries.length);
        pBuy = new uint256[](queries.length);
        for (uint256 i = 0; i < queries.length; ++i) {
            SdrQuery calldata query = queries[i];
            (pSell[i], pBuy[i]) = SdrPricing.sdrPrices(
                query.supplyWh,
                query.demandWh,
                query.gridSellPrice,
                query.gridBuyPrice
            );
        }
    }

    /// @notice {SdrPricing-levelTwo}.
    function levelTwo(
        uint256[] calldata surplusWh,
        uint256[] calldata deficitWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) external pure returns (SdrPricing.LevelTwo memory) {
        return SdrPricing.levelTwo(surplusWh, deficitWh, gridSellPrice, gridBuyPrice);
    }

    /// @notice {SdrPricing-outsidePrices}.
    function outsidePrices(
        uint256 tesWh,
        uint256 tepWh,
        uint256 p2Sell,
        uint256 p2Buy,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) external pure returns (uint256 outsideSell, uint256 outsideBuy) {
        return SdrPricing.outsidePrices(tesWh, tepWh, p2Sell, p2Buy, gridSellPrice, gridBuyPrice);
    }

    /// @notice {SdrPricing-levelOnePrices}.
    function levelOnePrices(
        uint256 tesWh,
        uint256 tepWh,
        uint256 outsideSell,
        uint256 outsideBuy
    ) external pure returns (uint256 pSell, uint256 pBuy) {
        return SdrPricing.levelOnePrices(tesWh, tepWh, outsideSell, outsideBuy);
    }

    /// @notice {SdrPricing-gridFlow}.
    function gridFlow(
        uint256 supplyWh,
        uint256 demandWh,
        uint256 gridSellPrice,
        uint256 gridBuyPrice
    ) external pure returns (uint256 paidToGrid, uint256 paidByGrid) {
        return SdrPricing.gridFlow(supplyWh, demandWh, gridSellPrice, gridBuyPrice);
    }

    /// @notice {SdrPricing-payoutFor}.
    function payoutFor(uint256 qtyWh, uint256 priceWadPerKWh) external pure returns (uint256) {
        return SdrPricing.payoutFor(qtyWh, priceWadPerKWh);
    }

    /// @notice {SdrPricing-chargeFor}.
    function chargeFor(uint256 qtyWh, uint256 priceWadPerKWh) external pure returns (uint256) {
        return SdrPricing.chargeFor(qtyWh, priceWadPerKWh);
    }

    /// @notice For each query: `chargeFor(qtyWh, priceWadPerKWh)` if `isCharge`, else
    /// `payoutFor(qtyWh, priceWadPerKWh)`.
    function amountsFor(MoneyQuery[] calldata queries) external pure returns (uint256[] memory amounts) {
        amounts = new uint256[](queries.length);
        for (uint256 i = 0; i < queries.length; ++i) {
            MoneyQuery calldata query = queries[i];
            amounts[i] =
                query.isCharge
                    ? SdrPricing.chargeFor(query.qtyWh, query.priceWadPerKWh)
                    : SdrPricing.payoutFor(query.qtyWh, query.priceWadPerKWh);
        }
    }
}
