import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import type { TrustCoin } from "../../typechain-types";

/** Role ids as `contracts/access/Roles.sol` defines them, computed independently of the contract. */
export const ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: ethers.ZeroHash,
  ISSUER_ROLE: ethers.id("ISSUER_ROLE"),
  BURNER_ROLE: ethers.id("BURNER_ROLE"),
  REWARD_MINTER_ROLE: ethers.id("REWARD_MINTER_ROLE"),
} as const;

/** One TRC, in base units. */
export const TRC = 10n ** 18n;

/** A non-zero fiat payment reference derived from a label. */
export function fiatRef(label: string): string {
  return ethers.id(`fiat:${label}`);
}

export interface CoinFixture {
  coin: TrustCoin;
  /** Holds DEFAULT_ADMIN_ROLE only; it is not the deployer. */
  admin: HardhatEthersSigner;
  /** The deployer; holds no role. */
  deployer: HardhatEthersSigner;
  /** Holds ISSUER_ROLE only (a purchasing centre). */
  issuer: HardhatEthersSigner;
  /** Holds BURNER_ROLE only (stands in for the market or the validator registry). */
  burner: HardhatEthersSigner;
  /** Holds REWARD_MINTER_ROLE only (stands in for consensus). */
  rewardMinter: HardhatEthersSigner;
  /** Plain holders without roles. */
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

/** Deploys TRC with a separate admin and grants each suite role to its own signer. */
export async function deployCoinFixture(): Promise<CoinFixture> {
  const [deployer, admin, issuer, burner, rewardMinter, alice, bob, stranger] = await ethers.getSigners();
  const coin = await ethers.deployContract("TrustCoin", [admin.address], deployer);
  await coin.waitForDeployment();
  await coin.connect(admin).grantRole(ROLE_IDS.ISSUER_ROLE, issuer.address);
  await coin.connect(admin).grantRole(ROLE_IDS.BURNER_ROLE, burner.address);
  await coin.connect(admin).grantRole(ROLE_IDS.REWARD_MINTER_ROLE, rewardMinter.address);
  return { coin, admin, deployer, issuer, burner, rewardMinter, alice, bob, stranger };
}
