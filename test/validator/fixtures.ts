// Fixtures of the validator agent and the consensus tasks: the real coin, registry, oracle, linked market,
// validator registry, Committees, MeterReadings and TradeBlocks (settlement is TradeBlocks' test double until
// the settlement contract lands), five joined validators, trades in two microgrids in one slot, and the
// slot's readings accepted — one of them a night-time export near the meter's limit — with the clock at the
// moment the slot becomes proposable and round 0 opens.
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Wallet } from "ethers";

import type {
  Committees,
  EnergyMarket,
  MeterReadings,
  MockBlocksSettlement,
  Registry,
  TradeBlocks,
  TrustCoin,
  TrustScoreOracle,
  ValidatorRegistry,
} from "../../typechain-types";
import { readingDomain, signReading, type Reading } from "../../scripts/lib/readings";
import {
  ValidatorAgent,
  type AgentActions,
  type Behaviour,
  type VoteMode,
} from "../../scripts/validator/agent";
import { EvidencePool } from "../../scripts/validator/evidence";
import { defaultPlausibility, type PlausibilityCheck } from "../../scripts/validator/plausibility";
import { VotePool } from "../../scripts/validator/votes";
import { BUY_TICK, SELL_TICK, clearAll, marketFactory } from "../market/marketFixtures";

export const TRC = 10n ** 18n;
export const SLOT_LENGTH = 900n;
export const EPOCH_SLOTS = 10n;
export const MAX_IMPORT_WH = 5_000n;
export const MAX_EXPORT_WH = 3_000n;
/** p2's night-time export: above 0.98 of its 3 000 Wh export capacity. */
export const NIGHT_EXPORT_WH = 2_990n;

export interface AgentSuite {
  coin: TrustCoin;
  registry: Registry;
  oracle: TrustScoreOracle;
  market: EnergyMarket;
  vr: ValidatorRegistry;
  committees: Committees;
  meter: MeterReadings;
  settlement: MockBlocksSettlement;
  blocks: TradeBlocks;
  admin: HardhatEthersSigner;
  relayer: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  /** Microgrid 1: prosumers p1, p2 and consumer c1; microgrid 2: prosumer p3 and consumer c2. */
  p1: HardhatEthersSigner;
  p2: HardhatEthersSigner;
  c1: HardhatEthersSigner;
  p3: HardhatEthersSigner;
  c2: HardhatEthersSigner;
  /** The five validators, in joining order (deposits 2 000, 2 100, … TRC). */
  validators: HardhatEthersSigner[];
  /** The drawn order of epoch 0's committee (all five validators). */
  order: HardhatEthersSigner[];
  /** The traded slot (epoch 0): readings accepted, proposable from `proposableAt`, which is now. */
  slot: bigint;
  proposableAt: bigint;
  /** The slot is at night (the plausibility hint of the fixture). */
  isNight: (slot: bigint) => boolean;
}

/** A deterministic meter wallet for `name`. */
export function meterWallet(name: string): Wallet {
  return new ethers.Wallet(ethers.id(`gridtrust-agent-test-meter:${name}`));
}

/** The round-`round` proposer of (`microgrid`, `slot`) among `order`: `order[(slot + microgrid + round) mod k]`. */
export function proposerAt<T>(order: T[], microgrid: bigint, slot: bigint, round: bigint): T {
  return order[Number((slot + microgrid + round) % BigInt(order.length))];
}

/** Deploys and wires the suite, trades in slot `slot` of microgrids 1 and 2, accepts its readings. */
export async function deployAgentSuite(): Promise<AgentSuite> {
  return deploySuiteWith([]);
}

/**
 * {@link deployAgentSuite} with c1's meter silent: (1, slot) is not proposable until a keeper accounts c1 as
 * missing (c1 has a live bid and no reading).
 */
export async function deploySilentMeterSuite(): Promise<AgentSuite> {
  return deploySuiteWith(["c1"]);
}

/** The suite with the readings of the participants named in `silent` (p1, p2, c1, p3, c2) never sent. */
async function deploySuiteWith(silent: string[]): Promise<AgentSuite> {
  const signers = await ethers.getSigners();
  const [admin, issuer, registrar, relayer, stranger, p1, p2, c1, p3, c2] = signers;
  const validators = signers.slice(10, 15);

  // A minute of margin: the deployments below mine blocks one second apart once the chain's clock is ahead of
  // the wall clock, and slot 2 of epoch 0 must still lie ahead of them when the clock moves there.
  const now = BigInt(await time.latest()) + 60n;
  const genesis = now - (now % SLOT_LENGTH) - SLOT_LENGTH;
  const coin = await ethers.deployContract("TrustCoin", [admin.address]);
  const registry = await ethers.deployContract("Registry", [
    admin.address,
    genesis,
    SLOT_LENGTH,
    SLOT_LENGTH,
    96n,
    64,
    (30n * TRC) / 100n,
    (8n * TRC) / 100n,
    admin.address,
  ]);
  const oracle = await ethers.deployContract("TrustScoreOracle", [admin.address, registry]);
  const market = (await (
    await marketFactory()
  ).deploy(admin.address, coin, registry, oracle)) as unknown as EnergyMarket;
  const vr = await ethers.deployContract("ValidatorRegistry", [admin.address, coin, registry, oracle]);
  const committees = await ethers.deployContract("Committees", [admin.address, registry, vr, EPOCH_SLOTS]);
  const meter = await ethers.deployContract("MeterReadings", [admin.address, registry, market]);
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

  // The grants the deploy step will make for TradeBlocks, and the suite's own.
  const id = ethers.id;
  await coin.grantRole(id("ISSUER_ROLE"), issuer.address);
  await coin.grantRole(id("BURNER_ROLE"), market);
  await coin.grantRole(id("BURNER_ROLE"), vr);
  await coin.grantRole(id("BURNER_ROLE"), settlement);
  await coin.grantRole(id("REWARD_MINTER_ROLE"), blocks);
  await oracle.grantRole(id("VALIDATOR_SCORER_ROLE"), vr);
  await oracle.grantRole(id("VALIDATOR_SCORER_ROLE"), blocks);
  await vr.grantRole(id("CONSENSUS_ROLE"), blocks);
  await meter.grantRole(id("CONSENSUS_ROLE"), blocks);
  await settlement.grantRole(id("CONSENSUS_ROLE"), blocks);
  await registry.grantRole(id("REGISTRAR_ROLE"), registrar.address);

  // Slot 2 of epoch 0, 10 s in: the traded slot is slot 4.
  await time.increaseTo(genesis + 2n * SLOT_LENGTH + 10n);
  const r = registry.connect(registrar);
  for (const microgrid of [1, 2]) await r.registerMicrogrid(microgrid);
  const meters = new Map<string, Wallet>();
  let ref = 0;
  const fund = (who: HardhatEthersSigner, amount: bigint) =>
    coin.connect(issuer).issue(who.address, amount, id(`agent-suite:${ref++}`));
  const layout: [string, HardhatEthersSigner, number, number][] = [
    ["p1", p1, 1, 1],
    ["p2", p2, 1, 1],
    ["c1", c1, 2, 1],
    ["p3", p3, 1, 2],
    ["c2", c2, 2, 2],
  ];
  for (const [name, who, kind, microgrid] of layout) {
    const wallet = meterWallet(name);
    meters.set(who.address, wallet);
    await r.registerParticipant(
      who.address,
      kind,
      microgrid,
      wallet.address,
      MAX_IMPORT_WH,
      kind === 1 ? MAX_EXPORT_WH : 0n,
    );
    await fund(who, 1_000n * TRC);
    await coin.connect(who).approve(market, ethers.MaxUint256);
    await market.connect(who).deposit(100n * TRC);
  }
  for (const [i, v] of validators.entries()) {
    await r.registerParticipant(v.address, 1, 1, ethers.Wallet.createRandom().address, 1_000n, 1_000n);
    await fund(v, 10_000n * TRC);
    await coin.connect(v).approve(vr, ethers.MaxUint256);
    const deposit = 2_000n * TRC + BigInt(i) * 100n * TRC;
    const [prev, next] = await vr.findInsertPosition(deposit, await oracle.baseValidatorScore(), v.address);
    await vr.connect(v).join(deposit, prev, next);
  }
  // Epoch 0's committee: selected now, drawn once its seed block has come.
  await committees.ensureCommittee(0);

  const slot = (await registry.currentSlot()) + 2n;
  await market.connect(p1).placeOffer(slot, 1_000n, SELL_TICK + 20);
  await market.connect(c1).placeBid(slot, 800n, BUY_TICK);
  await market.connect(p3).placeOffer(slot, 600n, SELL_TICK + 20);
  await market.connect(c2).placeBid(slot, 600n, BUY_TICK);
  await time.increaseTo(await registry.gate(slot));
  for (const microgrid of [1, 2]) await clearAll(market, microgrid, slot);
  await committees.shuffle(0);

  // The reading window of the slot: every participant read, p2 exporting at night near its limit.
  await time.increaseTo(await registry.slotEnd(slot));
  const domain = await readingDomain(meter);
  const silentAddresses = new Set(silent.map((name) => layout.find(([n]) => n === name)![1].address));
  const readings: Reading[] = [
    { participant: p1.address, slot, importWh: 0n, exportWh: 800n },
    { participant: p2.address, slot, importWh: 0n, exportWh: NIGHT_EXPORT_WH },
    { participant: c1.address, slot, importWh: 800n, exportWh: 0n },
    { participant: p3.address, slot, importWh: 0n, exportWh: 600n },
    { participant: c2.address, slot, importWh: 600n, exportWh: 0n },
  ].filter((reading) => !silentAddresses.has(reading.participant));
  const signatures = await Promise.all(
    readings.map((x) => signReading(meters.get(x.participant)!, domain, x)),
  );
  await meter.connect(relayer).submitReadings(readings, signatures);
  const [, closesAt] = await meter.readingWindowOf(slot);
  await time.increaseTo(closesAt);

  const byAddress = new Map(validators.map((v) => [v.address, v]));
  const order = (await committees.committeeOf(0)).map((a) => byAddress.get(a)!);
  return {
    coin,
    registry,
    oracle,
    market,
    vr,
    committees,
    meter,
    settlement,
    blocks,
    admin,
    relayer,
    stranger,
    p1,
    p2,
    c1,
    p3,
    c2,
    validators,
    order,
    slot,
    proposableAt: closesAt,
    isNight: (s) => s === slot,
  };
}

/**
 * One agent per validator of the suite, with the behaviours given by address (default honest), sharing one
 * evidence pool and one vote pool (`votePool`, default a new one), voting in `voteMode` (default batch).
 */
export function agentsFor(
  f: AgentSuite,
  behaviours: Map<string, Behaviour> = new Map(),
  plausibility: PlausibilityCheck = defaultPlausibility({ isNight: f.isNight }),
  { voteMode = "batch", votePool = new VotePool() }: { voteMode?: VoteMode; votePool?: VotePool } = {},
): ValidatorAgent[] {
  const evidencePool = new EvidencePool();
  const contracts = {
    blocks: f.blocks,
    committees: f.committees,
    meter: f.meter,
    registry: f.registry,
    validators: f.vr,
    oracle: f.oracle,
  };
  return f.validators.map(
    (signer) =>
      new ValidatorAgent({
        signer,
        contracts,
        plausibility,
        behaviour: behaviours.get(signer.address) ?? "honest",
        evidencePool,
        voteMode,
        votePool,
      }),
  );
}

/**
 * Steps every agent in turn, then moves the clock by `tickSec`, until `done()` holds (checked after each
 * round of steps) or `maxTicks` rounds passed; returns every agent's actions, by agent, in order.
 */
export async function runAgents(
  agents: ValidatorAgent[],
  done: () => Promise<boolean>,
  { tickSec = 100, maxTicks = 60 }: { tickSec?: number; maxTicks?: number } = {},
): Promise<AgentActions[][]> {
  const log: AgentActions[][] = agents.map(() => []);
  for (let tick = 0; tick < maxTicks; ++tick) {
    for (const [i, agent] of agents.entries()) log[i].push(await agent.step());
    if (await done()) return log;
    await time.increase(tickSec);
  }
  throw new Error(`agents did not get there in ${maxTicks} ticks`);
}

/** Mines `count` empty blocks. */
export async function mineBlocks(count: number): Promise<void> {
  await network.provider.send("hardhat_mine", [ethers.toQuantity(count)]);
}
