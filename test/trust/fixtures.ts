// Shared fixtures and generators of the trust-score oracle tests.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import fc from "fast-check";
import type { MockRegistryClock, MockTradeLedger, TrustScoreOracle } from "../../typechain-types";

export const WAD = 10n ** 18n;
export const MAX_UINT256 = ethers.MaxUint256;
export const TWO_POW_64 = 2n ** 64n;
export const MAX_TRADER_SCORE = 15n * WAD;
export const MAX_VALIDATOR_SCORE = 5n * WAD;
/** TrustMath.SIGMOID_CLAMP_X: from here on S(x) = 5e18. */
export const SIGMOID_CLAMP_X = 82_893_063_347_785_644_626n;
export const SLOT_LENGTH = 900n;
export const HOUR = 3600n;

export const ROLE_NAMES = [
  "DEFAULT_ADMIN_ROLE",
  "PARAMS_ROLE",
  "TRADE_SCORER_ROLE",
  "VALIDATOR_SCORER_ROLE",
] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export interface OracleContext {
  contract: TrustScoreOracle;
  oracle: TrustScoreOracle;
  registry: MockRegistryClock;
  ledger: MockTradeLedger;
  admin: HardhatEthersSigner;
  holders: Record<RoleName, HardhatEthersSigner>;
  stranger: HardhatEthersSigner;
  traders: HardhatEthersSigner[];
  validators: HardhatEthersSigner[];
  roleIds: Record<RoleName, string>;
  genesis: bigint;
}

/**
 * The oracle on a mock registry whose genesis lies 30 days back (15-minute slots), with a mock trade
 * ledger wired, one signer per role (each holding exactly that role), and six registered traders:
 * traders[0..2] registered at genesis (old accounts), traders[3..5] registered now (newcomers).
 */
export async function deployOracle(): Promise<OracleContext> {
  const signers = await ethers.getSigners();
  const [admin, params, tradeScorer, validatorScorer, stranger] = signers;
  const traders = signers.slice(5, 11);
  const validators = signers.slice(11, 17);
  const now = BigInt(await time.latest());
  const genesis = now - 30n * 24n * HOUR;
  const registry = await ethers.deployContract("MockRegistryClock", [genesis, SLOT_LENGTH]);
  const oracle = await ethers.deployContract("TrustScoreOracle", [
    admin.address,
    await registry.getAddress(),
  ]);
  const ledger = await ethers.deployContract("MockTradeLedger");
  const roleIds: Record<RoleName, string> = {
    DEFAULT_ADMIN_ROLE: await oracle.DEFAULT_ADMIN_ROLE(),
    PARAMS_ROLE: await oracle.PARAMS_ROLE(),
    TRADE_SCORER_ROLE: await oracle.TRADE_SCORER_ROLE(),
    VALIDATOR_SCORER_ROLE: await oracle.VALIDATOR_SCORER_ROLE(),
  };
  await oracle.connect(admin).grantRole(roleIds.PARAMS_ROLE, params.address);
  await oracle.connect(admin).grantRole(roleIds.TRADE_SCORER_ROLE, tradeScorer.address);
  await oracle.connect(admin).grantRole(roleIds.VALIDATOR_SCORER_ROLE, validatorScorer.address);
  await oracle.connect(admin).setTradeLedger(await ledger.getAddress());
  for (const [i, trader] of traders.entries()) {
    await registry.setParticipant(trader.address, i < 3 ? genesis : now);
  }
  return {
    contract: oracle,
    oracle,
    registry,
    ledger,
    admin,
    holders: {
      DEFAULT_ADMIN_ROLE: admin,
      PARAMS_ROLE: params,
      TRADE_SCORER_ROLE: tradeScorer,
      VALIDATOR_SCORER_ROLE: validatorScorer,
    },
    stranger,
    traders,
    validators,
    roleIds,
    genesis,
  };
}

/** The oracle without a trade ledger wired. */
export async function deployOracleWithoutLedger(): Promise<{
  oracle: TrustScoreOracle;
  stranger: HardhatEthersSigner;
}> {
  const [admin, , , , stranger] = await ethers.getSigners();
  const registry = await ethers.deployContract("MockRegistryClock", [
    BigInt(await time.latest()),
    SLOT_LENGTH,
  ]);
  const oracle = await ethers.deployContract("TrustScoreOracle", [
    admin.address,
    await registry.getAddress(),
  ]);
  return { oracle, stranger };
}

/** `slotEnd(s) = genesis + (s + 1) · slotLength`. */
export function slotEnd(genesis: bigint, slot: bigint): bigint {
  return genesis + (slot + 1n) * SLOT_LENGTH;
}

/** Options for fast-check: the seed is fixed by FC_SEED when set (fast-check prints it on failure). */
export function fcOptions(numRuns: number): { numRuns: number; seed?: number } {
  const seed = process.env.FC_SEED;
  return seed === undefined ? { numRuns } : { numRuns, seed: Number(seed) };
}

/** A seed for `fc.sample`: FC_SEED when set, else a fresh one (quoted in failure messages). */
export function sampleSeed(): number {
  const seed = process.env.FC_SEED;
  return seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(seed);
}

// ---------------------------------------------------------------- generators over the domains of §5.5

/** A clamped wad input: any uint256, weighted to 0, tiny, the sigmoid's working range, the clamp and huge. */
export const anyWad: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(
    0n,
    1n,
    2n,
    WAD,
    SIGMOID_CLAMP_X - 1n,
    SIGMOID_CLAMP_X,
    SIGMOID_CLAMP_X + 1n,
    2n ** 255n,
    MAX_UINT256,
  ),
  fc.bigInt(0n, 10n ** 12n),
  fc.bigInt(0n, 100n * WAD),
  fc.bigInt(0n, MAX_UINT256),
);

/** A score on [0, max], weighted to its boundaries. */
export function scoreUpTo(max: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.constantFrom(0n, 1n, max - 1n, max, max / 2n),
    fc.bigInt(0n, 10n ** 12n),
    fc.bigInt(0n, max),
  );
}

/** A count below 2^64, weighted to 0, small and huge. */
export const anyCount: fc.Arbitrary<bigint> = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 4n, TWO_POW_64 - 1n),
  fc.bigInt(0n, 1000n),
  fc.bigInt(0n, TWO_POW_64 - 1n),
);

/** A rating in wad: 1e18, ..., 5e18. */
export const ratingWad: fc.Arbitrary<bigint> = fc.integer({ min: 1, max: 5 }).map((r) => BigInt(r) * WAD);
