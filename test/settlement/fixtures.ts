// Fixtures and helpers of the settlement tests: the suite (coin, registry, real trust-score oracle, linked
// market) with a mock meter and the settlement contract wired by roles, participants in up to five
// microgrids, and helpers that place orders, clear books, write meter data into the mock the way the real
// meter would (I = N − P from the market's positions), pay block fees and run level 2.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import type {
  EnergyMarket,
  MockMeterReadings,
  Registry,
  Settlement,
  TrustCoin,
  TrustScoreOracle,
} from "../../typechain-types";
import { marketFactory } from "../market/marketFixtures";

export const TRC = 10n ** 18n;
export const SLOT_LENGTH = 900n;
export const GATE_LEAD = 900n;
export const MAX_LEAD_SLOTS = 96n;
export const TICK_SIZE = 10n ** 15n;
export const FEE_BPS = 100n;
export const PENALTY_BPS = 2_000n;
export const SETTLE_DEADLINE = 8n;
export const Kind = { None: 0, Prosumer: 1, Consumer: 2 } as const;
export const Side = { None: 0n, Offer: 1n, Bid: 2n } as const;
export const Status = { None: 0, Read: 1, Substitute: 2, Missing: 3 } as const;
export const OUTSIDE_SLOT = 2n ** 64n - 1n;

export const ROLES = {
  CONSENSUS_ROLE: ethers.id("CONSENSUS_ROLE"),
  SETTLEMENT_ROLE: ethers.id("SETTLEMENT_ROLE"),
  DEBT_ROLE: ethers.id("DEBT_ROLE"),
  TRADE_SCORER_ROLE: ethers.id("TRADE_SCORER_ROLE"),
  ISSUER_ROLE: ethers.id("ISSUER_ROLE"),
  REGISTRAR_ROLE: ethers.id("REGISTRAR_ROLE"),
  BURNER_ROLE: ethers.id("BURNER_ROLE"),
  PARAMS_ROLE: ethers.id("PARAMS_ROLE"),
} as const;

export interface Suite {
  coin: TrustCoin;
  registry: Registry;
  oracle: TrustScoreOracle;
  market: EnergyMarket;
  meter: MockMeterReadings;
  settlement: Settlement;
  admin: HardhatEthersSigner;
  consensus: HardhatEthersSigner;
  grid: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  /** Registered participants: `accounts[m - 1]` are the prosumers of microgrid m. */
  accounts: HardhatEthersSigner[][];
  microgrids: number[];
  gridBuyPrice: bigint;
  gridSellPrice: bigint;
  /** A slot whose order window is open. */
  slot: bigint;
  capacityWh: bigint;
}

export interface SuiteOptions {
  microgrids?: number;
  perMicrogrid?: number;
  gridBuyPrice?: bigint;
  gridSellPrice?: bigint;
  capacityWh?: bigint;
  depositTrc?: bigint;
  gridDepositTrc?: bigint;
  /** Every TRP level sees all offers (default true); false keeps SPEC's 50/75/90/100 %. */
  fullAccess?: boolean;
}

let refCounter = 0;

/**
 * Deploys the suite: `microgrids` microgrids (default 3) with `perMicrogrid` prosumers each (default 4),
 * issued 10 000 TRC and `depositTrc` (default 100) deposited; the grid account (registered as a consumer of
 * microgrid 1) deposits `gridDepositTrc` (default 1 000). Settlement holds SETTLEMENT_ROLE, DEBT_ROLE and
 * TRADE_SCORER_ROLE; `consensus` holds CONSENSUS_ROLE on settlement. With `fullAccess` (default) every TRP
 * level sees every offer, so fills are whole.
 */
export async function deploySuite(options: SuiteOptions = {}): Promise<Suite> {
  const microgridCount = options.microgrids ?? 3;
  const perMicrogrid = options.perMicrogrid ?? 4;
  const gridBuyPrice = options.gridBuyPrice ?? (30n * TRC) / 100n;
  const gridSellPrice = options.gridSellPrice ?? (8n * TRC) / 100n;
  const capacityWh = options.capacityWh ?? 20_000n;
  const depositTrc = options.depositTrc ?? 100n;
  const gridDepositTrc = options.gridDepositTrc ?? 1_000n;
  const signers = await ethers.getSigners();
  const [admin, consensus, grid, stranger] = signers;
  const now = BigInt(await time.latest());
  const genesis = now - (now % SLOT_LENGTH) - 10n * SLOT_LENGTH;
  const coin = await ethers.deployContract("TrustCoin", [admin.address]);
  const registry = await ethers.deployContract("Registry", [
    admin.address,
    genesis,
    SLOT_LENGTH,
    GATE_LEAD,
    MAX_LEAD_SLOTS,
    64,
    gridBuyPrice,
    gridSellPrice,
    grid.address,
  ]);
  const oracle = await ethers.deployContract("TrustScoreOracle", [
    admin.address,
    await registry.getAddress(),
  ]);
  const market = (await (
    await marketFactory()
  ).deploy(
    admin.address,
    await coin.getAddress(),
    await registry.getAddress(),
    await oracle.getAddress(),
  )) as unknown as EnergyMarket;
  await market.waitForDeployment();
  const meter = await ethers.deployContract("MockMeterReadings");
  const settlement = await ethers.deployContract("Settlement", [
    admin.address,
    await coin.getAddress(),
    await registry.getAddress(),
    await market.getAddress(),
    await meter.getAddress(),
    await oracle.getAddress(),
  ]);
  const settlementAddress = await settlement.getAddress();
  await coin.grantRole(ROLES.ISSUER_ROLE, admin.address);
  await coin.grantRole(ROLES.BURNER_ROLE, await market.getAddress());
  await registry.grantRole(ROLES.REGISTRAR_ROLE, admin.address);
  await registry.grantRole(ROLES.DEBT_ROLE, settlementAddress);
  await market.grantRole(ROLES.SETTLEMENT_ROLE, settlementAddress);
  await market.grantRole(ROLES.PARAMS_ROLE, admin.address);
  await oracle.grantRole(ROLES.TRADE_SCORER_ROLE, settlementAddress);
  await settlement.grantRole(ROLES.CONSENSUS_ROLE, consensus.address);
  if (options.fullAccess ?? true) {
    await oracle.grantRole(ROLES.PARAMS_ROLE, admin.address);
    await oracle.setAccessFractions([TRC, TRC, TRC, TRC]);
  }

  const current = await registry.currentSlot();
  await time.increaseTo((await registry.slotStart(current + 1n)) + 100n);

  const microgrids: number[] = [];
  for (let m = 1; m <= microgridCount; m++) {
    await registry.registerMicrogrid(m);
    microgrids.push(m);
  }
  const fund = async (signer: HardhatEthersSigner, depositAmount: bigint) => {
    await coin.issue(signer.address, 10_000n * TRC, ethers.id(`settlement-fixture:${refCounter++}`));
    await coin.connect(signer).approve(await market.getAddress(), ethers.MaxUint256);
    if (depositAmount > 0n) await market.connect(signer).deposit(depositAmount);
  };
  await registry.registerParticipant(
    grid.address,
    Kind.Consumer,
    1,
    ethers.Wallet.createRandom().address,
    1,
    0,
  );
  await fund(grid, gridDepositTrc * TRC);
  const accounts: HardhatEthersSigner[][] = [];
  let next = 4;
  for (const m of microgrids) {
    const group: HardhatEthersSigner[] = [];
    for (let k = 0; k < perMicrogrid; k++) {
      const signer = signers[next++];
      await registry.registerParticipant(
        signer.address,
        Kind.Prosumer,
        m,
        ethers.Wallet.createRandom().address,
        capacityWh,
        capacityWh,
      );
      await fund(signer, depositTrc * TRC);
      group.push(signer);
    }
    accounts.push(group);
  }
  const slot = (await registry.currentSlot()) + 4n;
  return {
    coin,
    registry,
    oracle,
    market,
    meter,
    settlement,
    admin,
    consensus,
    grid,
    stranger,
    accounts,
    microgrids,
    gridBuyPrice,
    gridSellPrice,
    slot,
    capacityWh,
  };
}

/** Moves past the gate of `slot` and clears the books of every microgrid. */
export async function clearSlot(suite: Suite, slot: bigint): Promise<void> {
  const gate = await suite.registry.gate(slot);
  if (BigInt(await time.latest()) < gate) await time.increaseTo(gate);
  for (const m of suite.microgrids) {
    let calls = 0;
    while (!(await suite.market.isCleared(m, slot))) {
      await suite.market.clear(m, slot, { gasLimit: 16_000_000 });
      if (++calls > 100) throw new Error("clearing did not complete");
    }
  }
}

/** How one account's meter data stands for the mock. `Excluded`: accepted, then excluded by the block. */
export type MeterStatus = "Read" | "Substitute" | "Missing" | "Excluded" | "None";

export interface MeterInput {
  account: string;
  status: MeterStatus;
  importWh?: bigint;
  exportWh?: bigint;
}

/** The meter record as the real meter keeps it, and what the slot's totals count. */
export interface RecordedMeter {
  account: string;
  status: MeterStatus;
  hasOrders: boolean;
  side: bigint;
  filledWh: bigint;
  positionWh: bigint;
  imbalanceWh: bigint;
}

/**
 * Writes the meter data of (`m`, `slot`) into the mock as the real meter would: P from the market, missing
 * and excluded as `export 0, import maxImportWh`, TES/TEP over the records, reading counts, and
 * `finalizedAt` (default: now). Accounts with status "None" get no record (orders without a record).
 */
export async function writeMeter(
  suite: Suite,
  m: number,
  slot: bigint,
  inputs: MeterInput[],
  finalizedAt?: bigint,
): Promise<RecordedMeter[]> {
  let tes = 0n;
  let tep = 0n;
  let readings = 0;
  let readingsWithOrders = 0;
  let missing = 0;
  const recorded: RecordedMeter[] = [];
  const accounts: string[] = [];
  const records: {
    status: number;
    excluded: boolean;
    importWh: bigint;
    exportWh: bigint;
    maxImportWh: bigint;
    positionWh: bigint;
    imbalanceWh: bigint;
  }[] = [];
  for (const input of inputs) {
    const position = await suite.market.positionOf(input.account, slot);
    const hasOrders = position.liveOrders !== 0n;
    const positionWh =
      position.side === Side.Offer ? position.filledWh : position.side === Side.Bid ? -position.filledWh : 0n;
    const [maxImportWh] = await suite.registry.capacityAt(input.account, slot);
    const absent = input.status === "Missing" || input.status === "Excluded" || input.status === "None";
    const importWh = absent ? maxImportWh : (input.importWh ?? 0n);
    const exportWh = absent ? 0n : (input.exportWh ?? 0n);
    const imbalanceWh = exportWh - importWh - positionWh;
    recorded.push({
      account: input.account,
      status: input.status,
      hasOrders,
      side: position.side,
      filledWh: position.filledWh,
      positionWh,
      imbalanceWh,
    });
    if (input.status === "None") continue;
    if (input.status !== "Missing") {
      readings++;
      if (hasOrders) readingsWithOrders++;
    } else {
      missing++;
    }
    if (imbalanceWh > 0n) tes += imbalanceWh;
    else tep -= imbalanceWh;
    accounts.push(input.account);
    records.push({
      status:
        input.status === "Read"
          ? Status.Read
          : input.status === "Substitute"
            ? Status.Substitute
            : Status.Missing,
      excluded: input.status === "Excluded",
      importWh,
      exportWh,
      maxImportWh,
      positionWh,
      imbalanceWh,
    });
  }
  const at = finalizedAt ?? BigInt(await time.latest());
  await suite.meter.setSlotMeter(m, slot, {
    digest: ethers.ZeroHash,
    readings,
    readingsWithOrders,
    missing,
    surplusWh: tes,
    deficitWh: tep,
    proposableAt: at,
    finalizedAt: at,
  });
  if (accounts.length > 0) await suite.meter.setRecords(accounts, slot, records);
  return recorded;
}

/** `registry.slotEnd(slot + settleDeadline)`: level 2's deadline. */
export async function level2Deadline(suite: Suite, slot: bigint): Promise<bigint> {
  return suite.registry.slotEnd(slot + SETTLE_DEADLINE);
}

/** Places an offer for `qtyWh` at `tick`. */
export async function offer(
  suite: Suite,
  who: HardhatEthersSigner,
  slot: bigint,
  qtyWh: bigint,
  tick: bigint,
) {
  await suite.market.connect(who).placeOffer(slot, qtyWh, tick);
}

/** Places a bid for `qtyWh` up to `tick`. */
export async function bid(suite: Suite, who: HardhatEthersSigner, slot: bigint, qtyWh: bigint, tick: bigint) {
  await suite.market.connect(who).placeBid(slot, qtyWh, tick);
}

/** Pays the block fees of every microgrid (`proposer` paid up to `feePayout`, default zero proposer). */
export async function payAllFees(suite: Suite, slot: bigint, proposer = ethers.ZeroAddress, feePayout = 0n) {
  for (const m of suite.microgrids) {
    await suite.settlement.connect(suite.consensus).payBlockFees(m, slot, proposer, feePayout);
  }
}

/** market.coin balance == totalPrepaid + totalEscrow + settlementPool, and the settlement identity
 * pool == Σ open slots (in − out) + dust − gridDebt; every closed slot's dust ≥ 0 (uint). */
export async function checkMoney(suite: Suite, slots: bigint[]): Promise<void> {
  const { coin, market, settlement } = suite;
  const held = await coin.balanceOf(await market.getAddress());
  const pool = await market.settlementPool();
  const owed = (await market.totalPrepaid()) + (await market.totalEscrow());
  if (held !== owed + pool) throw new Error(`market holds ${held}, owes ${owed} + pool ${pool}`);
  let open = 0n;
  for (const slot of slots) {
    const money = await settlement.slotMoney(slot);
    if (!money.closed) open += money.moneyIn - money.moneyOut;
  }
  const expected = open + (await settlement.dust()) - (await settlement.gridDebt());
  if (pool !== expected) throw new Error(`pool ${pool} != Σ open (in − out) + dust − gridDebt = ${expected}`);
}
