import { ethers } from "hardhat";
import type { Parameters as FcParameters } from "fast-check";
import type { SdrPricingHarness } from "../../typechain-types";

/** Largest supported energy (Wh) of SdrPricing: 2^96 − 1. */
export const MAX_ENERGY_WH = 2n ** 96n - 1n;
/** Largest supported price (TRC base units per kWh) of SdrPricing: 2^104 − 1. */
export const MAX_PRICE = 2n ** 104n - 1n;
/** 1 TRC in base units. */
export const TRC = 10n ** 18n;
/** The tariff of the Liu et al. (2017) table: λ_sell = 0.4, λ_buy = 1.0 TRC/kWh. */
export const LIU_SELL = 4n * 10n ** 17n;
export const LIU_BUY = TRC;

/** Fixture: a fresh SdrPricingHarness. */
export async function deploySdrPricingHarness(): Promise<{ harness: SdrPricingHarness }> {
  const harness = await ethers.deployContract("SdrPricingHarness");
  await harness.waitForDeployment();
  return { harness };
}

/**
 * fast-check parameters: `numRuns` runs, and the seed from the environment variable `FC_SEED` when set
 * (fast-check prints the seed of a failing run, so `FC_SEED=<seed>` replays it).
 */
export function fcParams<T>(numRuns: number): FcParameters<T> {
  const seed = process.env.FC_SEED;
  return seed === undefined ? { numRuns } : { numRuns, seed: Number(seed) };
}
