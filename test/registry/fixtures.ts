import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import type { Registry } from "../../typechain-types";

/** Role ids as `contracts/access/Roles.sol` defines them, computed independently of the contract. */
export const ROLE_IDS = {
  REGISTRAR_ROLE: ethers.id("REGISTRAR_ROLE"),
  TARIFF_ROLE: ethers.id("TARIFF_ROLE"),
  PARAMS_ROLE: ethers.id("PARAMS_ROLE"),
  PAUSER_ROLE: ethers.id("PAUSER_ROLE"),
  DEBT_ROLE: ethers.id("DEBT_ROLE"),
  DEFAULT_ADMIN_ROLE: ethers.ZeroHash,
} as const;

/** `IRegistry.Kind` values. */
export const Kind = { None: 0, Prosumer: 1, Consumer: 2 } as const;

/** Clock and parameters of the default deployment. */
export const SLOT_LENGTH = 900n;
export const GATE_LEAD = 900n;
export const MAX_LEAD_SLOTS = 96n;
export const MAX_MICROGRIDS = 64;

/** One TRC, in base units. */
export const TRC = 10n ** 18n;
/** Retail price 0.30 TRC/kWh and feed-in price 0.08 TRC/kWh, in TRC base units per kWh. */
export const GRID_BUY_PRICE = (30n * TRC) / 100n;
export const GRID_SELL_PRICE = (8n * TRC) / 100n;

/** Prices at or above this do not fit a packed tariff. */
export const PRICE_LIMIT = 2n ** 104n;
export const MAX_UINT64 = 2n ** 64n - 1n;

/** The microgrid the registered fixture uses. */
export const MICROGRID = 7;

/** Capacities of the registered fixture's participants, in Wh per slot. */
export const ALICE_IMPORT_WH = 5_000n;
export const ALICE_EXPORT_WH = 3_000n;
export const BOB_IMPORT_WH = 4_000n;

export interface RegistryFixture {
  registry: Registry;
  genesis: bigint;
  /** Deployer; holds DEFAULT_ADMIN_ROLE only. */
  admin: HardhatEthersSigner;
  /** Each holds exactly one role. */
  registrar: HardhatEthersSigner;
  tariffSetter: HardhatEthersSigner;
  paramsSetter: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  debtSetter: HardhatEthersSigner;
  /** The grid account named at deployment. */
  grid: HardhatEthersSigner;
  /** Accounts without roles: participants to be, meter keys, a stranger. */
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  meterA: HardhatEthersSigner;
  meterB: HardhatEthersSigner;
  meterC: HardhatEthersSigner;
  meterD: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

/** Constructor arguments of {Registry}, in order. */
export type RegistryArgs = [string, bigint, bigint, bigint, bigint, number, bigint, bigint, string];

/** Deploys the registry with genesis at the start of the current 900 s slot and one signer per role. */
export async function deployRegistryFixture(): Promise<RegistryFixture> {
  const signers = await ethers.getSigners();
  const [admin, registrar, tariffSetter, paramsSetter, pauser, debtSetter, grid] = signers;
  const [alice, bob, carol, meterA, meterB, meterC, meterD, stranger] = signers.slice(7);
  const now = BigInt(await time.latest());
  const genesis = now - (now % SLOT_LENGTH);
  const registry = await ethers.deployContract(
    "Registry",
    [
      admin.address,
      genesis,
      SLOT_LENGTH,
      GATE_LEAD,
      MAX_LEAD_SLOTS,
      MAX_MICROGRIDS,
      GRID_BUY_PRICE,
      GRID_SELL_PRICE,
      grid.address,
    ],
    admin,
  );
  await registry.waitForDeployment();
  await registry.grantRole(ROLE_IDS.REGISTRAR_ROLE, registrar.address);
  await registry.grantRole(ROLE_IDS.TARIFF_ROLE, tariffSetter.address);
  await registry.grantRole(ROLE_IDS.PARAMS_ROLE, paramsSetter.address);
  await registry.grantRole(ROLE_IDS.PAUSER_ROLE, pauser.address);
  await registry.grantRole(ROLE_IDS.DEBT_ROLE, debtSetter.address);
  return {
    registry,
    genesis,
    admin,
    registrar,
    tariffSetter,
    paramsSetter,
    pauser,
    debtSetter,
    grid,
    alice,
    bob,
    carol,
    meterA,
    meterB,
    meterC,
    meterD,
    stranger,
  };
}

export interface RegisteredFixture extends RegistryFixture {
  /** The slot in which alice and bob were registered (time stands 100 s into it). */
  registeredSlot: bigint;
}

/**
 * The default deployment, moved 100 s into slot 2, with microgrid 7, alice a prosumer (meter key
 * meterA) and bob a consumer (meter key meterB), both registered in slot 2.
 */
export async function registeredFixture(): Promise<RegisteredFixture> {
  const f = await deployRegistryFixture();
  const registeredSlot = 2n;
  await time.increaseTo((await f.registry.slotStart(registeredSlot)) + 100n);
  const r = f.registry.connect(f.registrar);
  await r.registerMicrogrid(MICROGRID);
  await r.registerParticipant(
    f.alice.address,
    Kind.Prosumer,
    MICROGRID,
    f.meterA.address,
    ALICE_IMPORT_WH,
    ALICE_EXPORT_WH,
  );
  await r.registerParticipant(f.bob.address, Kind.Consumer, MICROGRID, f.meterB.address, BOB_IMPORT_WH, 0n);
  return { ...f, registeredSlot };
}

/** Moves time to `offset` seconds into slot `slot` (which must lie in the future). */
export async function moveIntoSlot(registry: Registry, slot: bigint, offset = 100n): Promise<void> {
  await time.increaseTo((await registry.slotStart(slot)) + offset);
}
