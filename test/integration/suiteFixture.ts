// The deployed and wired suite (deploy/suite.ts deploySuite, no test doubles) with two microgrids, five
// traders and six burn-staked validators, and the steps of a microgrid-slot's life (SPEC §9) as helpers:
// the standard book, gate and clearing, signed readings, the committee's trade block, level 2 and
// settlement. Shared by the integration test and the attack scenarios of test/attacks/.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { mine, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Wallet } from "ethers";

import { deploySuite } from "../../deploy/suite";
import { PROPOSAL_TYPES, blocksDomain, signProposal as signBlockProposal } from "../../scripts/lib/blocks";
import { readingDomain, signReading, type Reading } from "../../scripts/lib/readings";
import type { EnergyMarket, TrustCoin } from "../../typechain-types";

export const TRC = 10n ** 18n;
export const WAD = 10n ** 18n;
export const Kind = { Prosumer: 1, Consumer: 2 } as const;
// The trade-block EIP-712 types and domain are the validator tooling's own (scripts/lib/blocks.ts).
export { PROPOSAL_TYPES, blocksDomain };

let fiatRefCounter = 0;
/** A fresh purchasing-centre payment reference (each is accepted once by the coin). */
export function fiatRef(): string {
  return ethers.id(`payment-${++fiatRefCounter}`);
}

/** The suite's contracts at their deployed addresses. */
export async function attachSuite(contracts: Record<string, string>) {
  return {
    coin: await ethers.getContractAt("TrustCoin", contracts.TrustCoin),
    registry: await ethers.getContractAt("Registry", contracts.Registry),
    oracle: await ethers.getContractAt("TrustScoreOracle", contracts.TrustScoreOracle),
    validators: await ethers.getContractAt("ValidatorRegistry", contracts.ValidatorRegistry),
    market: await ethers.getContractAt("EnergyMarket", contracts.EnergyMarket),
    meter: await ethers.getContractAt("MeterReadings", contracts.MeterReadings),
    settlement: await ethers.getContractAt("Settlement", contracts.Settlement),
    committees: await ethers.getContractAt("Committees", contracts.Committees),
    blocks: await ethers.getContractAt("TradeBlocks", contracts.TradeBlocks),
  };
}

export async function deployedSuiteFixture() {
  const { record } = await deploySuite(hre);
  const suite = await attachSuite(record.contracts);
  const { coin, registry, validators, market } = suite;

  const signers = await ethers.getSigners();
  const [dso] = signers;
  // Microgrid 1: sellers s1 (honest) and s2 (under-delivers), buyers b1, b2. Microgrid 2: buyer b3 only.
  const [s1, s2, b1, b2, b3] = signers.slice(1, 6);
  const validatorSigners = signers.slice(6, 12);
  // Signers 12.. are left unregistered for the scenarios (attackers, relayers, late joiners).
  const spare = signers.slice(12);
  const meters = new Map<string, Wallet>();
  await registry.registerMicrogrid(1);
  await registry.registerMicrogrid(2);
  const traders: [HardhatEthersSigner, number, number][] = [
    [s1, Kind.Prosumer, 1],
    [s2, Kind.Prosumer, 1],
    [b1, Kind.Consumer, 1],
    [b2, Kind.Consumer, 1],
    [b3, Kind.Consumer, 2],
  ];
  for (const [signer, kind, microgrid] of traders) {
    const meterKey = Wallet.createRandom();
    meters.set(signer.address, meterKey as unknown as Wallet);
    const exportWh = kind === Kind.Prosumer ? 5_000n : 0n;
    await registry.registerParticipant(signer.address, kind, microgrid, meterKey.address, 5_000n, exportWh);
    await coin.issue(signer.address, 100n * TRC, fiatRef());
    await coin.connect(signer).approve(await market.getAddress(), ethers.MaxUint256);
    await market.connect(signer).deposit(60n * TRC);
  }
  // The grid account (the DSO here) funds its float.
  await coin.issue(dso.address, 1_000n * TRC, fiatRef());
  await coin.approve(await market.getAddress(), ethers.MaxUint256);
  await market.deposit(500n * TRC);
  for (const [i, signer] of validatorSigners.entries()) {
    await registry.registerParticipant(
      signer.address,
      Kind.Consumer,
      1,
      Wallet.createRandom().address,
      1n,
      0n,
    );
    const deposit = (2_000n + 500n * BigInt(i)) * TRC;
    await coin.issue(signer.address, deposit, fiatRef());
    await coin.connect(signer).approve(await validators.getAddress(), deposit);
    const [prev, next] = await validators.findInsertPosition(deposit, 3n * TRC, signer.address);
    await validators.connect(signer).join(deposit, prev, next);
  }
  return { dso, s1, s2, b1, b2, b3, validatorSigners, spare, meters, ...suite };
}

export type Suite = Awaited<ReturnType<typeof deployedSuiteFixture>>;

/** SPEC §3 and §10: supply identity, and the market holding exactly what it owes. */
export async function expectMoneyIdentities(f: { coin: TrustCoin; market: EnergyMarket }): Promise<void> {
  const { coin, market } = f;
  expect(await coin.totalSupply()).to.equal(
    (await coin.totalIssued()) -
      (await coin.totalRedeemed()) -
      (await coin.totalBurned()) +
      (await coin.totalRewardsMinted()),
  );
  expect(await coin.totalRewardsMinted()).to.be.lte(await coin.totalBurned());
  expect(await coin.balanceOf(await market.getAddress())).to.equal(
    (await market.totalPrepaid()) + (await market.totalEscrow()) + (await market.settlementPool()),
  );
}

/** The standard book of a slot: two offers in microgrid 1, bids in microgrids 1 and 2. */
export async function placeStandardBook(f: Suite, slot: bigint): Promise<void> {
  const { market } = f;
  await market.connect(f.s1).placeOffer(slot, 1_000n, 100);
  await market.connect(f.s2).placeOffer(slot, 1_000n, 120);
  await market.connect(f.b1).placeBid(slot, 1_200n, 200);
  await market.connect(f.b2).placeBid(slot, 600n, 150);
  await market.connect(f.b3).placeBid(slot, 400n, 250);
}

/** Selects and shuffles the committee of the slot's epoch; returns its order. */
export async function committeeFor(f: Suite, slot: bigint): Promise<string[]> {
  const epoch = await f.committees.epochOf(slot);
  await f.committees.ensureCommittee(epoch);
  await mine(3);
  await f.committees.ensureCommittee(epoch);
  return [...(await f.committees.committeeOf(epoch))];
}

/** Passes the gate and drives clearing of the given microgrids to the end. */
export async function passGateAndClear(f: Suite, slot: bigint, microgrids: number[] = [1, 2]): Promise<void> {
  if ((await time.latest()) < (await f.registry.gate(slot)))
    await time.increaseTo(await f.registry.gate(slot));
  for (const m of microgrids) while (!(await f.market.isCleared(m, slot))) await f.market.clear(m, slot);
}

/** Meter-signed readings, signed with each participant's registered meter key. */
export async function signedReadings(f: Suite, readings: Reading[]): Promise<string[]> {
  const domain = await readingDomain(f.meter);
  const signatures = [];
  for (const reading of readings) {
    signatures.push(await signReading(f.meters.get(reading.participant)!, domain, reading));
  }
  return signatures;
}

/** Moves to the slot's end (readings open) if not there yet. */
export async function toSlotEnd(f: Suite, slot: bigint): Promise<void> {
  const end = await f.registry.slotEnd(slot);
  if ((await time.latest()) < end) await time.increaseTo(end);
}

/** Moves past the reading window of the slot and accounts the given silent accounts as missing. */
export async function closeReadingWindow(
  f: Suite,
  microgrid: number,
  slot: bigint,
  silent: string[] = [],
): Promise<void> {
  const [, closesAt] = await f.meter.readingWindowOf(slot);
  if ((await time.latest()) < closesAt) await time.increaseTo(closesAt);
  if (silent.length > 0) await f.meter.accountMissing(microgrid, slot, silent);
}

export interface ProposalBody {
  digest: string;
  count: bigint | number;
  exclusions: string[];
}

/** The round's proposer's EIP-712 signature over a proposal. */
export async function signProposal(
  f: Suite,
  signer: HardhatEthersSigner,
  microgrid: number,
  slot: bigint,
  round: number,
  body: ProposalBody,
): Promise<string> {
  return signBlockProposal(
    signer,
    await blocksDomain(f.blocks),
    { microgrid: BigInt(microgrid), slot, round: BigInt(round) },
    { ...body, count: BigInt(body.count) },
  );
}

/** The signer of a validator address of the fixture. */
export function validatorSigner(f: Suite, address: string): HardhatEthersSigner {
  const signer = f.validatorSigners.find((s) => s.address === address);
  if (!signer) throw new Error(`not a validator of the fixture: ${address}`);
  return signer;
}

/** Round `round` of (m, s): its proposer signs the contract's own digest and count, the others accept until final. */
export async function finalizeWithCommittee(
  f: Suite,
  microgrid: number,
  slot: bigint,
  round = 0,
  exclusions: string[] = [],
): Promise<void> {
  const order = await committeeFor(f, slot);
  const [digest, count] = await f.meter.readingDigest(microgrid, slot);
  const proposer = await f.committees.proposerOf(microgrid, slot, round);
  const body = { digest, count, exclusions };
  const signature = await signProposal(f, validatorSigner(f, proposer), microgrid, slot, round, body);
  await f.blocks.propose(microgrid, slot, round, body, signature);
  for (const member of order) {
    if (member === proposer || (await f.meter.slotMeter(microgrid, slot)).finalizedAt !== 0n) continue;
    await f.blocks.connect(validatorSigner(f, member)).attest(microgrid, slot, round, true);
  }
  expect((await f.meter.slotMeter(microgrid, slot)).finalizedAt).to.not.equal(0n);
}

/**
 * The standard slot up to settlement: the standard book, clearing, readings (s1 delivers what it sold, s2
 * nothing, b1 and b3 consume, b2 silent and accounted missing), committee finality of both microgrids and
 * level 2.
 */
export async function standardSlotToLevel2(f: Suite, slot: bigint): Promise<void> {
  await placeStandardBook(f, slot);
  await standardBookToLevel2(f, slot);
}

/** {@link standardSlotToLevel2} once the standard book is placed. */
export async function standardBookToLevel2(f: Suite, slot: bigint): Promise<void> {
  await passGateAndClear(f, slot);
  await toSlotEnd(f, slot);
  const s1Sold = (await f.market.positionOf(f.s1.address, slot)).filledWh;
  const readings = [
    { participant: f.s1.address, slot, importWh: 0n, exportWh: s1Sold },
    { participant: f.s2.address, slot, importWh: 0n, exportWh: 0n },
    { participant: f.b1.address, slot, importWh: 1_300n, exportWh: 0n },
    { participant: f.b3.address, slot, importWh: 500n, exportWh: 0n },
  ];
  await f.meter.submitReadings(readings, await signedReadings(f, readings));
  await closeReadingWindow(f, 1, slot, [f.b2.address]);
  for (const m of [1, 2]) await finalizeWithCommittee(f, m, slot);
  await f.settlement.runLevel2(slot);
}

/** Every trader of the standard book. */
export function standardTraders(f: Suite): HardhatEthersSigner[] {
  return [f.s1, f.s2, f.b1, f.b2, f.b3];
}
