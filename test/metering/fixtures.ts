// Fixtures of the meter-readings tests: the real suite of the market tests (coin, registry, trust-score
// oracle, linked market) with MeterReadings on top, meter keys the tests hold, orders in two microgrids and
// their books cleared, at three moments: before the reading windows, in the window of `slot`, and in the
// window of `slot + 1` (when that of `slot` has closed).
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Wallet } from "ethers";

import type { MeterReadings } from "../../typechain-types";
import { readingDomain, signReading, type Reading, type ReadingDomain } from "../../scripts/lib/readings";
import {
  BUY_TICK,
  SELL_TICK,
  clearAll,
  deployMarketFixture,
  passGate,
  type MarketFixture,
} from "../market/marketFixtures";

/** Role ids as `contracts/access/Roles.sol` defines them, computed independently of the contracts. */
export const METER_ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: ethers.ZeroHash,
  REGISTRAR_ROLE: ethers.id("REGISTRAR_ROLE"),
  CONSENSUS_ROLE: ethers.id("CONSENSUS_ROLE"),
  PARAMS_ROLE: ethers.id("PARAMS_ROLE"),
} as const;

/** `IMeterReadings.Status`. */
export const Status = { None: 0n, Read: 1n, Substitute: 2n, Missing: 3n } as const;

/** Orders of the fixture: p1 offers 1 000 Wh, c1 bids 800 Wh (microgrid 1); p3 offers 600, c2 bids 600 (2). */
export const P1_OFFER_WH = 1_000n;
export const C1_BID_WH = 800n;
export const P3_OFFER_WH = 600n;
export const C2_BID_WH = 600n;

/** A deterministic meter wallet for `name`. */
export function meterWallet(name: string): Wallet {
  return new ethers.Wallet(ethers.id(`gridtrust-test-meter:${name}`));
}

export interface MeterFixture extends Omit<MarketFixture, "contract" | "holders"> {
  meter: MeterReadings;
  /** The contract whose custom errors the role matrix checks, and a signer per MeterReadings role. */
  contract: MeterReadings;
  holders: Record<string, HardhatEthersSigner>;
  domain: ReadingDomain;
  consensus: HardhatEthersSigner;
  /** The meter key of each fixture participant from `slot - 3` on, by address. */
  meters: Map<string, Wallet>;
  /** Signs `reading` with the meter key of its participant. */
  sign(reading: Reading): Promise<string>;
  /** A reading of `participant` in `slot` (default the fixture's slot). */
  reading(
    participant: HardhatEthersSigner | string,
    importWh: bigint,
    exportWh: bigint,
    slot?: bigint,
  ): Reading;
}

/** Deploys MeterReadings on a suite and grants its roles: REGISTRAR to `registrar`, CONSENSUS to `consensus`, PARAMS to `paramsSetter`. */
export async function deployMeterReadings(
  f: Pick<MarketFixture, "admin" | "registry" | "market" | "registrar" | "paramsSetter">,
  consensus: HardhatEthersSigner,
): Promise<MeterReadings> {
  const meter = await ethers.deployContract("MeterReadings", [
    f.admin.address,
    await f.registry.getAddress(),
    await f.market.getAddress(),
  ]);
  await meter.grantRole(METER_ROLE_IDS.REGISTRAR_ROLE, f.registrar.address);
  await meter.grantRole(METER_ROLE_IDS.CONSENSUS_ROLE, consensus.address);
  await meter.grantRole(METER_ROLE_IDS.PARAMS_ROLE, f.paramsSetter.address);
  return meter;
}

/**
 * The market fixture with MeterReadings, every participant's meter key rotated to a key of `meterWallet`
 * from the next slot on, and no orders yet. Time: 100 s into slot `slot - 4`.
 */
export async function deployMeterSetupFixture(): Promise<MeterFixture> {
  const f = await deployMarketFixture();
  const consensus = (await ethers.getSigners())[16];
  const meter = await deployMeterReadings(f, consensus);
  const meters = new Map<string, Wallet>();
  const from = (await f.registry.currentSlot()) + 1n;
  for (const [name, signer] of Object.entries({
    p1: f.p1,
    p2: f.p2,
    p3: f.p3,
    p4: f.p4,
    c1: f.c1,
    c2: f.c2,
    c3: f.c3,
  })) {
    const wallet = meterWallet(name);
    await f.registry.connect(f.registrar).rotateMeter(signer.address, wallet.address, from);
    meters.set(signer.address, wallet);
  }
  const domain = await readingDomain(meter);
  const slot = f.slot;
  return {
    ...f,
    meter,
    domain,
    consensus,
    holders: {
      DEFAULT_ADMIN_ROLE: f.admin,
      REGISTRAR_ROLE: f.registrar,
      CONSENSUS_ROLE: consensus,
      PARAMS_ROLE: f.paramsSetter,
    },
    contract: meter,
    meters,
    sign: (reading) => {
      const wallet = meters.get(reading.participant);
      if (wallet === undefined) throw new Error(`no meter for ${reading.participant}`);
      return signReading(wallet, domain, reading);
    },
    reading: (participant, importWh, exportWh, at = slot) => ({
      participant: typeof participant === "string" ? participant : participant.address,
      slot: at,
      importWh,
      exportWh,
    }),
  };
}

/**
 * `deployMeterSetupFixture` with orders in `slot` — p1 offers 1 000 Wh at the feed-in tick + 20, c1 bids 800 Wh
 * up to the retail tick (microgrid 1); p3 offers 600 Wh, c2 bids 600 Wh (microgrid 2); p2 has no orders —
 * and the books of microgrids 1 and 2 in `slot` and `slot + 1` cleared (those of `slot + 1` empty);
 * microgrid 3 is never cleared. Time: the gate of `slot + 1`, before either reading window.
 */
export async function deployMeterBaseFixture(): Promise<MeterFixture> {
  const f = await deployMeterSetupFixture();
  await f.market.connect(f.p1).placeOffer(f.slot, P1_OFFER_WH, SELL_TICK + 20);
  await f.market.connect(f.c1).placeBid(f.slot, C1_BID_WH, BUY_TICK);
  await f.market.connect(f.p3).placeOffer(f.slot, P3_OFFER_WH, SELL_TICK + 20);
  await f.market.connect(f.c2).placeBid(f.slot, C2_BID_WH, BUY_TICK);
  await passGate(f.registry, f.slot + 1n);
  for (const microgrid of [1, 2]) {
    await clearAll(f.market, microgrid, f.slot);
    await clearAll(f.market, microgrid, f.slot + 1n);
  }
  return f;
}

/** `deployMeterBaseFixture` at the opening of the reading window of `slot`. */
export async function deploySlotWindowFixture(): Promise<MeterFixture> {
  const f = await deployMeterBaseFixture();
  await time.increaseTo(await f.registry.slotEnd(f.slot));
  return f;
}

/** `deployMeterBaseFixture` at the opening of the reading window of `slot + 1`, i.e. the close of `slot`'s. */
export async function deployNextWindowFixture(): Promise<MeterFixture> {
  const f = await deployMeterBaseFixture();
  await time.increaseTo(await f.registry.slotEnd(f.slot + 1n));
  return f;
}

/** `P = sold − bought` from a market position, 0 without live orders (a TS restatement of the rule). */
export async function positionWhOf(
  f: Pick<MarketFixture, "market">,
  account: string,
  slot: bigint,
): Promise<bigint> {
  const position = await f.market.positionOf(account, slot);
  if (position.liveOrders === 0n) return 0n;
  return position.side === 1n ? position.filledWh : -position.filledWh;
}
