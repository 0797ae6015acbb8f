// Fixtures and helpers of the committee tests: the validator suite of ./fixtures.ts plus Committees, and
// validators joined through the real ValidatorRegistry (burned deposits) from impersonated accounts.
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import type { Committees } from "../../typechain-types";
import { type RankedCandidate } from "../reference/committees";
import {
  MICROGRID,
  ROLE_IDS,
  TRC,
  deployValidatorsFixture,
  walkRanking,
  type ValidatorsFixture,
} from "./fixtures";

export const EPOCH_SLOTS = 10n;
export const SLOT_LENGTH = 900n;
export const COMMITTEE_ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: ROLE_IDS.DEFAULT_ADMIN_ROLE,
  PARAMS_ROLE: ROLE_IDS.PARAMS_ROLE,
} as const;

export interface CommitteesFixture extends Omit<ValidatorsFixture, "contract" | "holders"> {
  committees: Committees;
  /** Same as `committees`, for the role matrix. */
  contract: Committees;
  holders: Record<string, HardhatEthersSigner>;
  genesis: bigint;
}

/** The validator suite (clock at the start of slot 0) and Committees with `epochSlots` 10. */
export async function deployCommitteesFixture(): Promise<CommitteesFixture> {
  const f = await deployValidatorsFixture();
  const committees = await ethers.deployContract("Committees", [
    f.admin.address,
    await f.registry.getAddress(),
    await f.vr.getAddress(),
    EPOCH_SLOTS,
  ]);
  await committees.grantRole(ROLE_IDS.PARAMS_ROLE, f.paramsSetter.address);
  return {
    ...f,
    committees,
    contract: committees,
    holders: { DEFAULT_ADMIN_ROLE: f.admin, PARAMS_ROLE: f.paramsSetter },
    genesis: await f.registry.genesis(),
  };
}

let accountCounter = 0;

/** A fresh registered, funded and approving participant at a deterministic address (impersonated). */
export async function newCandidate(f: CommitteesFixture): Promise<HardhatEthersSigner> {
  accountCounter += 1;
  const address = ethers.getAddress(ethers.toBeHex(0xc0000000n + BigInt(accountCounter) * 0x1_0003n, 20));
  const meter = ethers.getAddress(ethers.toBeHex(0xe00000000n + BigInt(accountCounter), 20));
  await network.provider.send("hardhat_setBalance", [address, ethers.toQuantity(10n ** 20n)]);
  await network.provider.send("hardhat_impersonateAccount", [address]);
  const signer = await ethers.getSigner(address);
  await f.registry.connect(f.registrar).registerParticipant(address, 1, MICROGRID, meter, 5_000n, 3_000n);
  await f.coin.connect(f.issuer).issue(address, 1_000_000n * TRC, ethers.id(`committee:${address}`));
  await f.coin.connect(signer).approve(await f.vr.getAddress(), ethers.MaxUint256);
  return signer;
}

/** Joins `signer` burning `deposit`, with hints from the registry's own helper view. */
export async function joinAs(
  f: CommitteesFixture,
  signer: HardhatEthersSigner,
  deposit: bigint,
): Promise<void> {
  const [p, n] = await f.vr.findInsertPosition(deposit, await f.oracle.baseValidatorScore(), signer.address);
  await f.vr.connect(signer).join(deposit, p, n);
}

/** Joins one new validator per deposit, in order; returns their signers. */
export async function addValidators(
  f: CommitteesFixture,
  deposits: bigint[],
): Promise<HardhatEthersSigner[]> {
  const joined: HardhatEthersSigner[] = [];
  for (const deposit of deposits) {
    const signer = await newCandidate(f);
    await joinAs(f, signer, deposit);
    joined.push(signer);
  }
  return joined;
}

/** `n` deposits of 2 000–3 100 TRC on a grid of 12 values, so that weights tie from 13 validators on. */
export function spreadDeposits(n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => 2_000n * TRC + BigInt((i * 7) % 12) * 100n * TRC);
}

/** Lowers `account`'s live score by `penaltyWad` (the scorer acts as consensus will). */
export async function penalise(f: CommitteesFixture, account: string, penaltyWad: bigint): Promise<void> {
  await f.oracle.connect(f.scorer).penalise(account, penaltyWad);
}

/** Re-positions `account` at its live score (rank score snapshot), with hints. */
export async function syncRank(f: CommitteesFixture, account: string): Promise<void> {
  const weight = (await f.vr.validator(account)).weight;
  const [p, n] = await f.vr.findInsertPosition(weight, await f.oracle.validatorScore(account), account);
  await f.vr.syncRankScore(account, p, n);
}

/** The ranking as the registry holds it, best first, with each validator's live eligibility. */
export async function rankedCandidates(f: CommitteesFixture): Promise<RankedCandidate[]> {
  const order = await walkRanking(f.vr);
  return Promise.all(order.map(async (address) => ({ address, eligible: await f.vr.isEligible(address) })));
}

/** Moves the clock to the start of `slot` (never backwards). */
export async function goToSlot(f: CommitteesFixture, slot: bigint): Promise<void> {
  const target = f.genesis + slot * SLOT_LENGTH;
  if (BigInt(await time.latest()) < target) await time.increaseTo(target);
}

/** The current slot by the registry's clock. */
export async function currentSlot(f: CommitteesFixture): Promise<bigint> {
  return f.registry.currentSlot();
}

/** Sets the `prevrandao` of the next block. */
export async function setNextPrevRandao(value: bigint): Promise<void> {
  await network.provider.send("hardhat_setPrevRandao", [ethers.toBeHex(value, 32)]);
}

/** Mines `blocks` empty blocks. */
export async function mineBlocks(blocks: number): Promise<void> {
  await network.provider.send("hardhat_mine", [ethers.toQuantity(blocks)]);
}

/** Lower-cased addresses, for set comparisons. */
export function lower(addresses: readonly string[]): string[] {
  return addresses.map((a) => a.toLowerCase());
}
