// Fixtures and helpers of the validator-registry tests.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import type { Registry, TrustCoin, TrustScoreOracle, ValidatorRegistry } from "../../typechain-types";

export const TRC = 10n ** 18n;
export const WAD = 10n ** 18n;
export const MIN_DEPOSIT = 2_000n * TRC;
export const ZERO = ethers.ZeroAddress;
export const MICROGRID = 1;
/** Coins issued to every candidate. */
export const CANDIDATE_FUNDS = 1_000_000n * TRC;

export const ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: ethers.ZeroHash,
  PARAMS_ROLE: ethers.id("PARAMS_ROLE"),
  CONSENSUS_ROLE: ethers.id("CONSENSUS_ROLE"),
} as const;

export interface ValidatorsFixture {
  vr: ValidatorRegistry;
  /** Same as `vr`, for the role matrix. */
  contract: ValidatorRegistry;
  coin: TrustCoin;
  registry: Registry;
  oracle: TrustScoreOracle;
  admin: HardhatEthersSigner;
  paramsSetter: HardhatEthersSigner;
  consensus: HardhatEthersSigner;
  registrar: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  debtSetter: HardhatEthersSigner;
  issuer: HardhatEthersSigner;
  /** Holds VALIDATOR_SCORER_ROLE on the oracle: changes validator scores as consensus will. */
  scorer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  /** Registered participants, each issued CANDIDATE_FUNDS and with an unlimited allowance for `vr`. */
  candidates: HardhatEthersSigner[];
  holders: Record<string, HardhatEthersSigner>;
}

/**
 * The coin, the registry (genesis at the start of the current slot), the oracle and the validator
 * registry, wired as the deploy wires them, with one signer per role and ten registered candidates.
 */
export async function deployValidatorsFixture(): Promise<ValidatorsFixture> {
  const signers = await ethers.getSigners();
  const [admin, paramsSetter, consensus, registrar, pauser, debtSetter, issuer, scorer, stranger] = signers;
  const candidates = signers.slice(9, 19);
  const meterKeys = Array.from({ length: candidates.length }, () => ethers.Wallet.createRandom().address);
  const now = BigInt(await time.latest());
  const genesis = now - (now % 900n);
  const coin = await ethers.deployContract("TrustCoin", [admin.address]);
  const registry = await ethers.deployContract("Registry", [
    admin.address,
    genesis,
    900n,
    900n,
    96n,
    64,
    (30n * TRC) / 100n,
    (8n * TRC) / 100n,
    admin.address,
  ]);
  const oracle = await ethers.deployContract("TrustScoreOracle", [
    admin.address,
    await registry.getAddress(),
  ]);
  const vr = await ethers.deployContract("ValidatorRegistry", [
    admin.address,
    await coin.getAddress(),
    await registry.getAddress(),
    await oracle.getAddress(),
  ]);
  const vrAddress = await vr.getAddress();
  await coin.grantRole(ethers.id("BURNER_ROLE"), vrAddress);
  await coin.grantRole(ethers.id("ISSUER_ROLE"), issuer.address);
  await oracle.grantRole(ethers.id("VALIDATOR_SCORER_ROLE"), vrAddress);
  await oracle.grantRole(ethers.id("VALIDATOR_SCORER_ROLE"), scorer.address);
  await registry.grantRole(ethers.id("REGISTRAR_ROLE"), registrar.address);
  await registry.grantRole(ethers.id("PAUSER_ROLE"), pauser.address);
  await registry.grantRole(ethers.id("DEBT_ROLE"), debtSetter.address);
  await vr.grantRole(ROLE_IDS.PARAMS_ROLE, paramsSetter.address);
  await vr.grantRole(ROLE_IDS.CONSENSUS_ROLE, consensus.address);

  await registry.connect(registrar).registerMicrogrid(MICROGRID);
  for (const [i, candidate] of candidates.entries()) {
    await registry
      .connect(registrar)
      .registerParticipant(candidate.address, 1, MICROGRID, meterKeys[i], 5_000n, 3_000n);
    await coin
      .connect(issuer)
      .issue(candidate.address, CANDIDATE_FUNDS, ethers.id(`fund:${candidate.address}`));
    await coin.connect(candidate).approve(vrAddress, ethers.MaxUint256);
  }
  return {
    vr,
    contract: vr,
    coin,
    registry,
    oracle,
    admin,
    paramsSetter,
    consensus,
    registrar,
    pauser,
    debtSetter,
    issuer,
    scorer,
    stranger,
    candidates,
    holders: { DEFAULT_ADMIN_ROLE: admin, PARAMS_ROLE: paramsSetter, CONSENSUS_ROLE: consensus },
  };
}

/** The ranking as the contract holds it, walked from the head with `next`, checked against `prev`. */
export async function walkRanking(vr: ValidatorRegistry): Promise<string[]> {
  const order: string[] = [];
  let previous = ZERO;
  let cursor = await vr.head();
  while (cursor !== ZERO) {
    expect(await vr.prev(cursor)).to.equal(previous, `prev of ${cursor}`);
    order.push(cursor);
    previous = cursor;
    cursor = await vr.next(cursor);
  }
  expect(await vr.tail()).to.equal(previous);
  expect(await vr.size()).to.equal(BigInt(order.length));
  return order;
}

/** Hints for `account` at `(weight, score)` from the contract's own off-chain helper view. */
export async function chainHints(
  vr: ValidatorRegistry,
  account: string,
  weight: bigint,
  score: bigint,
): Promise<[string, string]> {
  const [prevHint, nextHint] = await vr.findInsertPosition(weight, score, account);
  return [prevHint, nextHint];
}

/** Joins `signer` with `deposit` using hints from `findInsertPosition` at the oracle's base score. */
export async function joinWithHints(f: ValidatorsFixture, signer: HardhatEthersSigner, deposit: bigint) {
  const [p, n] = await chainHints(f.vr, signer.address, deposit, await f.oracle.baseValidatorScore());
  return f.vr.connect(signer).join(deposit, p, n);
}

/** Tops up `signer` by `amount` with hints at its current oracle score. */
export async function topUpWithHints(f: ValidatorsFixture, signer: HardhatEthersSigner, amount: bigint) {
  const weight = (await f.vr.validator(signer.address)).weight + amount;
  const score = await f.oracle.validatorScore(signer.address);
  const [p, n] = await chainHints(f.vr, signer.address, weight, score);
  return f.vr.connect(signer).topUp(amount, p, n);
}

/** Checks the supply identity of SPEC §3: supply never exceeds the fiat backing. */
export async function expectBacked(coin: TrustCoin): Promise<void> {
  const supply = await coin.totalSupply();
  expect(supply).to.be.at.most((await coin.totalIssued()) - (await coin.totalRedeemed()));
  expect(supply).to.equal(
    (await coin.totalIssued()) -
      (await coin.totalRedeemed()) -
      (await coin.totalBurned()) +
      (await coin.totalRewardsMinted()),
  );
}
