// A metering world for the feeder's tests and bench: registry, market and MeterReadings, two microgrids of
// participants with known meter keys, a run of past slots whose books are cleared and whose reading
// windows are open, and a generated CSV of their readings. Works on the in-process network and, through
// plain ethers, on a `npx hardhat node`.
import { Wallet, id, type Provider, type Signer } from "ethers";
import {
  EnergyMarket__factory,
  IMeterReadings__factory,
  IRegistry__factory,
  LinkedOrderBook__factory,
  MeterReadings__factory,
  Registry__factory,
  TrustCoin__factory,
  TrustScoreOracle__factory,
  type EnergyMarket,
  type IMeterReadings,
  type IRegistry,
  type MeterReadings,
} from "../../typechain-types";
import { generateReadingsCsv, populationFromRegistry } from "../../scripts/feeder/generate";
import { MeterKeyRing } from "../../scripts/feeder/keys";
import { nextDigest, type Reading } from "../../scripts/lib/readings";
import { ROLE_IDS } from "../../deploy/roles";

export const MICROGRIDS = [1, 2] as const;
export const MAX_IMPORT_WH = 5_000n;
export const MAX_EXPORT_WH = 3_000n;
/** Reading window in slots, wide enough for every slot of the world to be open at once. */
export const READING_WINDOW_SLOTS = 8n;

/** The deployed contracts the feeder needs. */
export interface MeteringContracts {
  registry: IRegistry;
  market: EnergyMarket;
  meter: MeterReadings;
}

export interface FeederWorld extends MeteringContracts {
  participants: { account: string; meterKey: Wallet; microgrid: number; prosumer: boolean }[];
  slots: bigint[];
  clock: { genesis: bigint; slotLength: bigint };
  keys: MeterKeyRing;
  /** The key file's JSON (participant address → meter private key). */
  keyJson: string;
  /** Readings of every participant in every slot, by participant, ISO slot starts. */
  csv: string;
}

/** The meter key of participant `i` (deterministic). */
export function meterKeyOf(i: number): Wallet {
  return new Wallet(id(`gridtrust-feeder-test:meter:${i}`));
}

/** The account of participant `i` (deterministic; it never signs). */
export function accountOf(i: number): string {
  return new Wallet(id(`gridtrust-feeder-test:participant:${i}`)).address;
}

/**
 * Deploys coin, registry, oracle, the linked market and MeterReadings with plain ethers factories
 * (`admin` holds every role), for a node reached over JSON-RPC.
 */
export async function deployMetering(admin: Signer): Promise<MeteringContracts> {
  const adminAddress = await admin.getAddress();
  const now = BigInt((await admin.provider!.getBlock("latest"))!.timestamp);
  const trc = 10n ** 18n;
  const coin = await new TrustCoin__factory(admin).deploy(adminAddress);
  const registry = await new Registry__factory(admin).deploy(
    adminAddress,
    now - (now % 900n),
    900n,
    900n,
    96n,
    64,
    (30n * trc) / 100n,
    (8n * trc) / 100n,
    adminAddress,
  );
  const oracle = await new TrustScoreOracle__factory(admin).deploy(adminAddress, registry);
  const library = await new LinkedOrderBook__factory(admin).deploy();
  const market = await new EnergyMarket__factory(
    { "contracts/market/LinkedOrderBook.sol:LinkedOrderBook": await library.getAddress() },
    admin,
  ).deploy(adminAddress, coin, registry, oracle);
  const meter = await new MeterReadings__factory(admin).deploy(adminAddress, registry, market);
  await (await registry.grantRole(ROLE_IDS.REGISTRAR_ROLE, adminAddress)).wait();
  await meter.waitForDeployment();
  return {
    registry: IRegistry__factory.connect(await registry.getAddress(), admin),
    market,
    meter,
  };
}

/**
 * Registers `count` participants (alternately prosumer and consumer, alternately in microgrids 1 and 2),
 * widens the reading window, moves time (`setTime`) past the end of `slotCount` slots, clears their books
 * and generates the CSV. `admin` holds REGISTRAR_ROLE on the registry and DEFAULT_ADMIN_ROLE on the meter.
 */
export async function populate(
  admin: Signer,
  contracts: MeteringContracts,
  setTime: (unix: bigint) => Promise<void>,
  count: number,
  slotCount: number,
  seed = 7,
): Promise<FeederWorld> {
  const { registry, market, meter } = contracts;
  const r = registry.connect(admin);
  const latest = async () => BigInt((await admin.provider!.getBlock("latest"))!.timestamp);
  const send = async (tx: Promise<{ wait(): Promise<unknown> }>) => void (await (await tx).wait());

  await send(meter.connect(admin).grantRole(ROLE_IDS.PARAMS_ROLE, await admin.getAddress()));
  for (const m of MICROGRIDS) await send(r.registerMicrogrid(m));
  const participants: FeederWorld["participants"] = [];
  const keyFile: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const meterKey = meterKeyOf(i);
    const account = accountOf(i);
    const prosumer = i % 2 === 0;
    const microgrid = MICROGRIDS[Math.floor(i / 2) % MICROGRIDS.length];
    await send(
      r.registerParticipant(
        account,
        prosumer ? 1 : 2,
        microgrid,
        meterKey.address,
        MAX_IMPORT_WH,
        prosumer ? MAX_EXPORT_WH : 0n,
      ),
    );
    participants.push({ account, meterKey, microgrid, prosumer });
    keyFile[account] = meterKey.privateKey;
  }
  // The first slot whose gate is still ahead, so that the wider window applies to it.
  let first = (await registry.currentSlot()) + 1n;
  while ((await registry.gate(first)) <= (await latest()) + 5n) first++;
  await send(meter.connect(admin).setReadingWindow(READING_WINDOW_SLOTS));
  const slots = Array.from({ length: slotCount }, (_, k) => first + BigInt(k));
  await setTime((await registry.slotEnd(slots[slots.length - 1])) + 1n);
  for (const slot of slots) for (const m of MICROGRIDS) await send(market.connect(admin).clear(m, slot));

  const clock = { genesis: await registry.genesis(), slotLength: await registry.slotLength() };
  const population = await populationFromRegistry(registry, slots[0], slots[slots.length - 1]);
  const csv = generateReadingsCsv(population, clock, {
    fromSlot: slots[0],
    toSlot: slots[slots.length - 1],
    seed,
  });
  const keyJson = JSON.stringify(keyFile, null, 2);
  return { ...contracts, participants, slots, clock, keys: MeterKeyRing.fromJson(keyJson), keyJson, csv };
}

/** The meter readings contract as the feeder sees it (interface only), on `runner`. */
export function feederView(world: MeteringContracts, runner: Provider | Signer): IMeterReadings {
  return IMeterReadings__factory.connect(world.meter.target as string, runner);
}

/** The digest and count each (microgrid, slot) should have after `readings` were accepted in this order. */
export function expectedDigests(
  readings: readonly Reading[],
  microgridOf: (participant: string) => number,
): Map<string, { digest: string; count: number }> {
  const byKey = new Map<string, { digest: string; count: number }>();
  for (const reading of readings) {
    const key = `${microgridOf(reading.participant)}:${reading.slot}`;
    const previous = byKey.get(key) ?? { digest: `0x${"00".repeat(32)}`, count: 0 };
    byKey.set(key, { digest: nextDigest(previous.digest, reading, false), count: previous.count + 1 });
  }
  return byKey;
}

/** The digest and count of every (microgrid, slot) of the world, read from the chain. */
export async function chainDigests(
  world: FeederWorld,
): Promise<Map<string, { digest: string; count: number }>> {
  const result = new Map<string, { digest: string; count: number }>();
  for (const m of MICROGRIDS) {
    for (const slot of world.slots) {
      const [digest, count] = await world.meter.readingDigest(m, slot);
      if (count > 0n) result.set(`${m}:${slot}`, { digest, count: Number(count) });
    }
  }
  return result;
}

export const PARTICIPANTS = 24;
export const SLOTS = 4;

/** The in-process world of the tests: the suite of `deploySuite` plus MeterReadings, 24 participants, 4 slots. */
export function feederWorld(): Promise<FeederWorld> {
  return inProcessWorld(PARTICIPANTS, SLOTS);
}

/** An in-process world of `count` participants and `slotCount` slots (the tests' and the bench's). */
export async function inProcessWorld(count: number, slotCount: number): Promise<FeederWorld> {
  // Loaded here so that the node test, which uses the rest of this file, does not need an in-process suite.
  const hre = (await import("hardhat")).default;
  const { time } = await import("@nomicfoundation/hardhat-network-helpers");
  const { deploySuite } = await import("../../deploy/suite");
  const { record } = await deploySuite(hre);
  const [deployer] = await hre.ethers.getSigners();
  const meter = await new MeterReadings__factory(deployer).deploy(
    deployer.address,
    record.contracts.Registry,
    record.contracts.EnergyMarket,
  );
  return populate(
    deployer,
    {
      registry: IRegistry__factory.connect(record.contracts.Registry, deployer),
      market: EnergyMarket__factory.connect(record.contracts.EnergyMarket, deployer),
      meter,
    },
    (unix) => time.increaseTo(unix),
    count,
    slotCount,
  );
}
