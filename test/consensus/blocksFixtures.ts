// Fixtures and helpers of the trade-block tests: the real coin, registry, oracle, market and validator
// registry, twelve joined validators, one cleared book with a trade, and test doubles for the committees,
// the meter readings and the settlement; EIP-712 signing with ethers' signTypedData.
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BigNumberish } from "ethers";

import type {
  EnergyMarket,
  MockBlocksCommittees,
  MockBlocksMeter,
  MockBlocksSettlement,
  Registry,
  TradeBlocks,
  TrustCoin,
  TrustScoreOracle,
  ValidatorRegistry,
} from "../../typechain-types";
import { clearAll, marketFactory, passGate } from "../market/marketFixtures";
import { proposerIndex } from "../reference/blocks";
// The EIP-712 types are the validator tooling's; TradeBlocks.test.ts checks the typehashes and digest
// against type strings written out independently.
import { ATTESTATION_TYPES, PROPOSAL_TYPES } from "../../scripts/lib/blocks";

export const TRC = 10n ** 18n;
export const WAD = 10n ** 18n;
export const SLOT_LENGTH = 900n;
export const MICROGRID = 1;
export const ZERO = ethers.ZeroAddress;
export const DIGEST = ethers.id("readings of (1, s)");
export const COUNT = 3;
export const TIMEOUT = 300n;
export const WINDOW = 300n;
export const DEADLINE_SLOTS = 4n;

export const ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: ethers.ZeroHash,
  PARAMS_ROLE: ethers.id("PARAMS_ROLE"),
} as const;

export interface Body {
  digest: string;
  count: number;
  exclusions: string[];
}

export interface BlocksFixture {
  blocks: TradeBlocks;
  contract: TradeBlocks;
  coin: TrustCoin;
  registry: Registry;
  oracle: TrustScoreOracle;
  market: EnergyMarket;
  vr: ValidatorRegistry;
  committees: MockBlocksCommittees;
  meter: MockBlocksMeter;
  settlement: MockBlocksSettlement;
  admin: HardhatEthersSigner;
  paramsSetter: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  p1: HardhatEthersSigner;
  c1: HardhatEthersSigner;
  /** Twelve joined validators (deposits 2 000, 2 100, …, 3 100 TRC). */
  validators: HardhatEthersSigner[];
  /** The committee order of the slot's epoch (k = 7 by default). */
  order: HardhatEthersSigner[];
  holders: Record<string, HardhatEthersSigner>;
  /** The traded slot: cleared, its reading window closed, proposable now. */
  slot: bigint;
  proposableAt: bigint;
  /** The slot's fee aggregate, funded into the settlement double. */
  fees: bigint;
}

/** The EIP-712 domain of `blocks` on the current chain. */
export async function blocksDomain(blocks: TradeBlocks, chainId?: bigint, verifyingContract?: string) {
  const network = await ethers.provider.getNetwork();
  return {
    name: "GridTrust TradeBlocks",
    version: "1",
    chainId: chainId ?? network.chainId,
    verifyingContract: verifyingContract ?? (await blocks.getAddress()),
  };
}

/** The body the meter double expects, with `exclusions`. */
export function body(exclusions: string[] = []): Body {
  return { digest: DIGEST, count: COUNT, exclusions };
}

/** `signer`'s EIP-712 signature of a proposal (optionally under another chain id or contract). */
export async function signProposal(
  f: BlocksFixture,
  signer: HardhatEthersSigner,
  round: number,
  content: Body = body(),
  where: { slot?: bigint; microgrid?: number; chainId?: bigint; verifyingContract?: string } = {},
): Promise<string> {
  const domain = await blocksDomain(f.blocks, where.chainId, where.verifyingContract);
  return signer.signTypedData(domain, PROPOSAL_TYPES, {
    microgrid: where.microgrid ?? MICROGRID,
    slot: where.slot ?? f.slot,
    round,
    ...content,
  });
}

/** The EIP-712 struct hash of a proposal, computed by ethers. */
export function proposalStructHash(
  slot: bigint,
  round: number,
  content: Body,
  microgrid = MICROGRID,
): string {
  return ethers.TypedDataEncoder.hashStruct("Proposal", PROPOSAL_TYPES, {
    microgrid,
    slot,
    round,
    ...content,
  });
}

/** `signer`'s EIP-712 signature of an attestation. */
export async function signAttestation(
  f: BlocksFixture,
  signer: HardhatEthersSigner,
  round: number,
  proposalHash: string,
  accept: boolean,
  where: { slot?: bigint; microgrid?: number; chainId?: bigint } = {},
): Promise<string> {
  const domain = await blocksDomain(f.blocks, where.chainId);
  return signer.signTypedData(domain, ATTESTATION_TYPES, {
    microgrid: where.microgrid ?? MICROGRID,
    slot: where.slot ?? f.slot,
    round,
    proposalHash,
    accept,
  });
}

/** The proposer of round `round` of the fixture's slot and its committee position. */
export function proposerOf(f: BlocksFixture, round: number, slot = f.slot): [HardhatEthersSigner, number] {
  const index = proposerIndex(MICROGRID, slot, round, f.order.length);
  return [f.order[index], index];
}

/** The members of the committee other than round `round`'s proposer, in committee order. */
export function attestersOf(f: BlocksFixture, round: number): HardhatEthersSigner[] {
  const [proposer] = proposerOf(f, round);
  return f.order.filter((member) => member !== proposer);
}

/** Proposes round `round` with `content`, signed by its proposer and relayed by the relayer. */
export async function proposeRound(f: BlocksFixture, round: number, content: Body = body()) {
  const [proposer] = proposerOf(f, round);
  const signature = await signProposal(f, proposer, round, content);
  return f.blocks.connect(f.relayer).propose(MICROGRID, f.slot, round, content, signature);
}

/** Sets the committee order of `slot`'s epoch. */
export async function setOrder(f: BlocksFixture, order: HardhatEthersSigner[], slot = f.slot): Promise<void> {
  const epoch = await f.committees.epochOf(slot);
  await f.committees.setOrder(
    epoch,
    order.map((s) => s.address),
  );
}

/** Joins `signer` with `deposit`, with hints from the registry's own view. */
async function join(
  vr: ValidatorRegistry,
  oracle: TrustScoreOracle,
  signer: HardhatEthersSigner,
  deposit: bigint,
) {
  const [prev, next] = await vr.findInsertPosition(
    deposit,
    await oracle.baseValidatorScore(),
    signer.address,
  );
  await vr.connect(signer).join(deposit, prev, next);
}

/**
 * The suite wired as the deploy step wires TradeBlocks (CONSENSUS_ROLE on meter, settlement and validator
 * registry; VALIDATOR_SCORER_ROLE on the oracle; REWARD_MINTER_ROLE on the coin), twelve validators, a trade
 * of 800 Wh between p1 and c1 in the fixture's slot, cleared; the slot proposable now with a committee of
 * seven validators in a shuffled order.
 */
export async function deployBlocksFixture(): Promise<BlocksFixture> {
  const signers = await ethers.getSigners();
  const [admin, paramsSetter, issuer, registrar, relayer, stranger, p1, c1] = signers;
  const validators = signers.slice(8, 20);
  const now = BigInt(await time.latest());
  const genesis = now - (now % SLOT_LENGTH) - 10n * SLOT_LENGTH;
  const coin = await ethers.deployContract("TrustCoin", [admin.address]);
  const registry = await ethers.deployContract("Registry", [
    admin.address,
    genesis,
    SLOT_LENGTH,
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
  const market = (await (
    await marketFactory()
  ).deploy(admin.address, coin, registry, oracle)) as unknown as EnergyMarket;
  const vr = await ethers.deployContract("ValidatorRegistry", [admin.address, coin, registry, oracle]);
  const committees = await ethers.deployContract("MockBlocksCommittees");
  const meter = await ethers.deployContract("MockBlocksMeter", [admin.address]);
  const settlement = await ethers.deployContract("MockBlocksSettlement", [admin.address, coin]);
  const blocks = await ethers.deployContract("TradeBlocks", [
    admin.address,
    coin,
    registry,
    market,
    meter,
    committees,
    settlement,
    oracle,
    vr,
  ]);

  const blocksAddress = await blocks.getAddress();
  await coin.grantRole(ethers.id("ISSUER_ROLE"), issuer.address);
  await coin.grantRole(ethers.id("BURNER_ROLE"), await market.getAddress());
  await coin.grantRole(ethers.id("BURNER_ROLE"), await vr.getAddress());
  await coin.grantRole(ethers.id("BURNER_ROLE"), await settlement.getAddress());
  await coin.grantRole(ethers.id("REWARD_MINTER_ROLE"), blocksAddress);
  await oracle.grantRole(ethers.id("VALIDATOR_SCORER_ROLE"), await vr.getAddress());
  await oracle.grantRole(ethers.id("VALIDATOR_SCORER_ROLE"), blocksAddress);
  await vr.grantRole(ethers.id("CONSENSUS_ROLE"), blocksAddress);
  await meter.grantRole(ethers.id("CONSENSUS_ROLE"), blocksAddress);
  await settlement.grantRole(ethers.id("CONSENSUS_ROLE"), blocksAddress);
  await registry.grantRole(ethers.id("REGISTRAR_ROLE"), registrar.address);
  await blocks.grantRole(ROLE_IDS.PARAMS_ROLE, paramsSetter.address);

  await time.increaseTo((await registry.slotStart((await registry.currentSlot()) + 1n)) + 100n);
  await registry.connect(registrar).registerMicrogrid(MICROGRID);
  let ref = 0;
  const fund = async (signer: HardhatEthersSigner, amount: bigint) =>
    coin.connect(issuer).issue(signer.address, amount, ethers.id(`blocks-fixture:${ref++}`));
  for (const [signer, kind] of [[p1, 1], [c1, 2], ...validators.map((v) => [v, 1] as const)] as const) {
    await registry
      .connect(registrar)
      .registerParticipant(
        signer.address,
        kind,
        MICROGRID,
        ethers.Wallet.createRandom().address,
        5_000n,
        kind === 1 ? 3_000n : 0n,
      );
  }
  for (const [i, v] of validators.entries()) {
    await fund(v, 10_000n * TRC);
    await coin.connect(v).approve(await vr.getAddress(), ethers.MaxUint256);
    await join(vr, oracle, v, 2_000n * TRC + BigInt(i) * 100n * TRC);
  }
  for (const trader of [p1, c1]) {
    await fund(trader, 1_000n * TRC);
    await coin.connect(trader).approve(await market.getAddress(), ethers.MaxUint256);
    await market.connect(trader).deposit(100n * TRC);
  }
  await fund(admin, 1_000n * TRC);
  await coin.connect(admin).approve(await settlement.getAddress(), ethers.MaxUint256);

  const slot = (await registry.currentSlot()) + 4n;
  await market.connect(p1).placeOffer(slot, 1_000n, 100);
  await market.connect(c1).placeBid(slot, 800n, 150);
  await passGate(registry, slot);
  await clearAll(market, MICROGRID, slot);
  const fees = (await market.positionOf(c1.address, slot)).fee;
  await settlement.connect(admin).fundFees(MICROGRID, slot, fees);

  // Reading window of one slot after the slot's end: proposable from then on.
  await time.increaseTo((await registry.slotEnd(slot)) + SLOT_LENGTH);
  const proposableAt = BigInt(await time.latest()) + 1n;
  await meter.setSlot(MICROGRID, slot, DIGEST, COUNT, proposableAt);

  // A shuffled committee of seven.
  const order = [3, 0, 6, 2, 5, 1, 4].map((i) => validators[i]);
  const f: BlocksFixture = {
    blocks,
    contract: blocks,
    coin,
    registry,
    oracle,
    market,
    vr,
    committees,
    meter,
    settlement,
    admin,
    paramsSetter,
    relayer,
    stranger,
    p1,
    c1,
    validators,
    order,
    holders: { DEFAULT_ADMIN_ROLE: admin, PARAMS_ROLE: paramsSetter },
    slot,
    proposableAt,
    fees,
  };
  await setOrder(f, order);
  return f;
}

/** Checks the supply identity of SPEC §3 and that rewards never exceed burns (the budget). */
export async function expectBacked(coin: TrustCoin): Promise<void> {
  const issued = await coin.totalIssued();
  const redeemed = await coin.totalRedeemed();
  const burned = await coin.totalBurned();
  const minted = await coin.totalRewardsMinted();
  const supply = await coin.totalSupply();
  expect(supply).to.be.at.most(issued - redeemed);
  expect(supply).to.equal(issued - redeemed - burned + minted);
  expect(minted).to.be.at.most(burned);
}

/** Sends `tx` and returns its receipt's logs parsed by `blocks`. */
export async function parsedLogs(blocks: TradeBlocks, tx: Promise<{ wait(): Promise<unknown> }>) {
  const receipt = (await (await tx).wait()) as { logs: { topics: string[]; data: string }[] };
  return receipt.logs
    .map((log) => {
      try {
        return blocks.interface.parseLog(log);
      } catch {
        return null;
      }
    })
    .filter((log) => log !== null);
}

/** Moves time to `at` (the next block's timestamp). */
export async function at(timestamp: BigNumberish): Promise<void> {
  await time.setNextBlockTimestamp(timestamp);
}
