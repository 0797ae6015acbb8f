// Fixtures and helpers of the energy-market tests: the suite (coin, registry, oracle, market) wired
// with one signer per role, three microgrids of funded prosumers and consumers, permits, and a
// scenario fixture on a mock oracle whose TRP levels the tests set.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import type {
  EnergyMarket,
  MockTrustOracle,
  Registry,
  TrustCoin,
  TrustScoreOracle,
} from "../../typechain-types";

/** Role ids as `contracts/access/Roles.sol` defines them, computed independently of the contracts. */
export const MARKET_ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: ethers.ZeroHash,
  PARAMS_ROLE: ethers.id("PARAMS_ROLE"),
  SETTLEMENT_ROLE: ethers.id("SETTLEMENT_ROLE"),
} as const;

export const TRC = 10n ** 18n;
export const SLOT_LENGTH = 900n;
export const GATE_LEAD = 900n;
export const MAX_LEAD_SLOTS = 96n;
/** Retail 0.30 TRC/kWh and feed-in 0.08 TRC/kWh. */
export const GRID_BUY_PRICE = (30n * TRC) / 100n;
export const GRID_SELL_PRICE = (8n * TRC) / 100n;
/** SPEC defaults of the market. */
export const TICK_SIZE = 10n ** 15n;
export const FEE_BPS = 100n;
export const PENALTY_BPS = 2_000n;
export const MIN_ORDER_WH = 10n;
export const MAX_CLEAR_GAS = 10_000_000n;
export const SETTLE_GRACE = 4n;
export const SETTLE_DEADLINE = 8n;
/** Ticks of the tariff band at the default tick size. */
export const SELL_TICK = Number(GRID_SELL_PRICE / TICK_SIZE);
export const BUY_TICK = Number(GRID_BUY_PRICE / TICK_SIZE);
/** Capacities of the fixture's participants, Wh per slot. */
export const IMPORT_WH = 5_000n;
export const EXPORT_WH = 3_000n;
/** Every participant is issued this much TRC, and deposits `DEPOSIT`. */
export const FUNDING = 1_000n * TRC;
export const DEPOSIT = 100n * TRC;
export const Kind = { None: 0, Prosumer: 1, Consumer: 2 } as const;
export const Side = { None: 0n, Offer: 1n, Bid: 2n } as const;
export const Phase = { Open: 0n, Clearing: 1n, Cleared: 2n } as const;

/** Deploys the linked order-book library and returns the market factory linked to it. */
export async function marketFactory() {
  const library = await ethers.deployContract("LinkedOrderBook");
  await library.waitForDeployment();
  return ethers.getContractFactory("EnergyMarket", {
    libraries: { "contracts/market/LinkedOrderBook.sol:LinkedOrderBook": await library.getAddress() },
  });
}

/**
 * Coin, registry (genesis ten slots before the current one, SPEC clock and tariff, 64 microgrids) and
 * the market on the oracle `deployOracle` deploys, all administered by `admin`.
 */
async function deployCoinRegistryAndMarket<Oracle extends { getAddress(): Promise<string> }>(
  admin: HardhatEthersSigner,
  gridAccount: string,
  deployOracle: (registry: Registry) => Promise<Oracle>,
) {
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
    GRID_BUY_PRICE,
    GRID_SELL_PRICE,
    gridAccount,
  ]);
  const oracle = await deployOracle(registry);
  const market = (await (
    await marketFactory()
  ).deploy(
    admin.address,
    await coin.getAddress(),
    await registry.getAddress(),
    await oracle.getAddress(),
  )) as unknown as EnergyMarket;
  await market.waitForDeployment();
  return { genesis, coin, registry, oracle, market };
}

/** Moves to 100 s into the next slot, so that the order windows are predictable. */
async function enterFreshSlot(registry: Registry): Promise<void> {
  const current = await registry.currentSlot();
  await time.increaseTo((await registry.slotStart(current + 1n)) + 100n);
}

/** Reserve of SPEC §4 for a participant-slot, rounded up. */
export function reserveOf(
  maxImportWh: bigint,
  offeredWh: bigint,
  penaltyBps = PENALTY_BPS,
  buy = GRID_BUY_PRICE,
): bigint {
  const num = (maxImportWh * 10_000n + offeredWh * (10_000n + penaltyBps)) * buy;
  const den = 1000n * 10_000n;
  return (num + den - 1n) / den;
}

/** Escrow of a bid: cost and fee at the limit price, each rounded up. */
export function escrowOf(qtyWh: bigint, limitTick: number, tickSize = TICK_SIZE, feeBps = FEE_BPS): bigint {
  const value = qtyWh * BigInt(limitTick) * tickSize;
  const cost = (value + 999n) / 1000n;
  const feeDen = 1000n * 10_000n;
  return cost + (value * feeBps + feeDen - 1n) / feeDen;
}

export interface MarketFixture {
  coin: TrustCoin;
  registry: Registry;
  oracle: TrustScoreOracle;
  market: EnergyMarket;
  contract: EnergyMarket;
  genesis: bigint;
  admin: HardhatEthersSigner;
  issuer: HardhatEthersSigner;
  registrar: HardhatEthersSigner;
  pauser: HardhatEthersSigner;
  debtSetter: HardhatEthersSigner;
  paramsSetter: HardhatEthersSigner;
  settlement: HardhatEthersSigner;
  grid: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  holders: Record<string, HardhatEthersSigner>;
  /** Microgrid 1: prosumers p1, p2, consumer c1; microgrid 2: p3, c2; microgrid 3: p4, c3. */
  p1: HardhatEthersSigner;
  p2: HardhatEthersSigner;
  p3: HardhatEthersSigner;
  p4: HardhatEthersSigner;
  c1: HardhatEthersSigner;
  c2: HardhatEthersSigner;
  c3: HardhatEthersSigner;
  /** A slot whose order window is open (the current slot + 4), time 100 s into the current slot. */
  slot: bigint;
}

/**
 * The suite with the real trust-score oracle (every trader starts at level 2), the market with
 * PARAMS_ROLE and SETTLEMENT_ROLE on their own signers, three microgrids, and participants issued
 * `FUNDING`, with unlimited allowance to the market and `DEPOSIT` deposited.
 */
export async function deployMarketFixture(): Promise<MarketFixture> {
  const signers = await ethers.getSigners();
  const [admin, issuer, registrar, pauser, debtSetter, paramsSetter, settlement, grid, stranger] = signers;
  const [p1, p2, c1, p3, c2, p4, c3] = signers.slice(9);
  const { genesis, coin, registry, oracle, market } = await deployCoinRegistryAndMarket(
    admin,
    grid.address,
    async (r) => ethers.deployContract("TrustScoreOracle", [admin.address, await r.getAddress()]),
  );
  await coin.grantRole(ethers.id("ISSUER_ROLE"), issuer.address);
  await registry.grantRole(ethers.id("REGISTRAR_ROLE"), registrar.address);
  await registry.grantRole(ethers.id("PAUSER_ROLE"), pauser.address);
  await registry.grantRole(ethers.id("DEBT_ROLE"), debtSetter.address);
  await market.grantRole(MARKET_ROLE_IDS.PARAMS_ROLE, paramsSetter.address);
  await market.grantRole(MARKET_ROLE_IDS.SETTLEMENT_ROLE, settlement.address);
  await coin.grantRole(ethers.id("BURNER_ROLE"), await market.getAddress());
  await enterFreshSlot(registry);

  const r = registry.connect(registrar);
  for (const microgrid of [1, 2, 3]) await r.registerMicrogrid(microgrid);
  const layout: [HardhatEthersSigner, number, number][] = [
    [p1, Kind.Prosumer, 1],
    [p2, Kind.Prosumer, 1],
    [c1, Kind.Consumer, 1],
    [p3, Kind.Prosumer, 2],
    [c2, Kind.Consumer, 2],
    [p4, Kind.Prosumer, 3],
    [c3, Kind.Consumer, 3],
  ];
  let ref = 0;
  for (const [signer, kind, microgrid] of layout) {
    const meter = ethers.Wallet.createRandom();
    await r.registerParticipant(
      signer.address,
      kind,
      microgrid,
      meter.address,
      IMPORT_WH,
      kind === Kind.Prosumer ? EXPORT_WH : 0n,
    );
    await coin.connect(issuer).issue(signer.address, FUNDING, ethers.id(`market-fixture:${ref++}`));
    await coin.connect(signer).approve(await market.getAddress(), ethers.MaxUint256);
    await market.connect(signer).deposit(DEPOSIT);
  }
  const slot = (await registry.currentSlot()) + 4n;
  return {
    coin,
    registry,
    oracle,
    market,
    contract: market,
    genesis,
    admin,
    issuer,
    registrar,
    pauser,
    debtSetter,
    paramsSetter,
    settlement,
    grid,
    stranger,
    holders: { DEFAULT_ADMIN_ROLE: admin, PARAMS_ROLE: paramsSetter, SETTLEMENT_ROLE: settlement },
    p1,
    p2,
    p3,
    p4,
    c1,
    c2,
    c3,
    slot,
  };
}

/** Moves time to the gate of `slot` (or `offset` seconds after it). */
export async function passGate(registry: Registry, slot: bigint, offset = 0n): Promise<void> {
  await time.increaseTo((await registry.gate(slot)) + offset);
}

/** Calls `clear` until the book is cleared; returns the number of calls. */
export async function clearAll(
  market: EnergyMarket,
  microgrid: number,
  slot: bigint,
  maxCalls = 10_000,
): Promise<number> {
  let calls = 0;
  while (!(await market.isCleared(microgrid, slot))) {
    await market.clear(microgrid, slot, { gasLimit: 16_000_000 });
    if (++calls > maxCalls) throw new Error("clearing did not complete");
  }
  return calls;
}

export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** Signs an EIP-2612 permit of `value` from `owner` to `spender`, valid for an hour. */
export async function signPermit(
  coin: TrustCoin,
  owner: HardhatEthersSigner,
  spender: string,
  value: bigint,
): Promise<{ deadline: bigint; v: number; r: string; s: string }> {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: "Trust Coin", version: "1", chainId, verifyingContract: await coin.getAddress() };
  const deadline = BigInt(await time.latest()) + 3600n;
  const nonce = await coin.nonces(owner.address);
  const sig = ethers.Signature.from(
    await owner.signTypedData(domain, PERMIT_TYPES, {
      owner: owner.address,
      spender,
      value,
      nonce,
      deadline,
    }),
  );
  return { deadline, v: sig.v, r: sig.r, s: sig.s };
}

export interface ScenarioFixture {
  coin: TrustCoin;
  registry: Registry;
  oracle: MockTrustOracle;
  market: EnergyMarket;
  admin: HardhatEthersSigner;
  /** Prosumers of microgrid 1 (each may offer or bid), funded and deposited, capacities 50 kWh. */
  traders: HardhatEthersSigner[];
  /** A prosumer of microgrid 2. */
  outsider: HardhatEthersSigner;
  slot: bigint;
}

/** Capacity of the scenario's traders, Wh per slot. */
export const SCENARIO_CAPACITY_WH = 50_000n;

/**
 * The market on a mock oracle (levels and scores set by the tests; access fractions 50/75/90/100 %),
 * the admin holding every role, 18 prosumers in microgrid 1 and one in microgrid 2, each funded with
 * `fundingTrc` TRC (default 10 000), `depositTrc` of it (default 1 000) deposited; capacities `capacityWh`.
 */
export async function deployScenarioFixture(
  capacityWh: bigint = SCENARIO_CAPACITY_WH,
  fundingTrc = 10_000n,
  depositTrc = 1_000n,
): Promise<ScenarioFixture> {
  const signers = await ethers.getSigners();
  const admin = signers[0];
  const traders = signers.slice(1, 19);
  const outsider = signers[19];
  const { coin, registry, oracle, market } = await deployCoinRegistryAndMarket(admin, admin.address, () =>
    ethers.deployContract("MockTrustOracle"),
  );
  await coin.grantRole(ethers.id("ISSUER_ROLE"), admin.address);
  await registry.grantRole(ethers.id("REGISTRAR_ROLE"), admin.address);
  await market.grantRole(MARKET_ROLE_IDS.PARAMS_ROLE, admin.address);
  await market.grantRole(MARKET_ROLE_IDS.SETTLEMENT_ROLE, admin.address);
  await enterFreshSlot(registry);
  await registry.registerMicrogrid(1);
  await registry.registerMicrogrid(2);
  let ref = 0;
  for (const [signer, microgrid] of [...traders.map((t) => [t, 1] as const), [outsider, 2] as const]) {
    await registry.registerParticipant(
      signer.address,
      Kind.Prosumer,
      microgrid,
      ethers.Wallet.createRandom().address,
      capacityWh,
      capacityWh,
    );
    await coin.issue(signer.address, fundingTrc * TRC, ethers.id(`scenario:${ref++}`));
    await coin.connect(signer).approve(await market.getAddress(), ethers.MaxUint256);
    await market.connect(signer).deposit(depositTrc * TRC);
  }
  const slot = (await registry.currentSlot()) + 4n;
  return { coin, registry, oracle, market, admin, traders, outsider, slot };
}

/** Asserts the money invariant: the market's TRC equals Σ prepaid balances + Σ escrow, both ways. */
export async function expectMoneyConserved(
  coin: TrustCoin,
  market: EnergyMarket,
  accounts: string[],
  slots: bigint[],
): Promise<void> {
  const held = await coin.balanceOf(await market.getAddress());
  const prepaid = await market.totalPrepaid();
  const escrow = await market.totalEscrow();
  const pool = await market.settlementPool();
  if (held !== prepaid + escrow + pool)
    throw new Error(`market holds ${held}, owes ${prepaid} + ${escrow} + pool ${pool}`);
  let balances = 0n;
  let escrows = 0n;
  for (const account of accounts) {
    balances += await market.balanceOf(account);
    for (const slot of slots) escrows += (await market.positionOf(account, slot)).escrow;
  }
  if (balances !== prepaid) throw new Error(`Σ balances ${balances} != totalPrepaid ${prepaid}`);
  if (escrows !== escrow) throw new Error(`Σ escrow ${escrows} != totalEscrow ${escrow}`);
}
