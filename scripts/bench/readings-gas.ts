/**
 * Gas benchmark of meter readings (run: `npx hardhat run scripts/bench/readings-gas.ts`).
 *
 * 200 participants of one microgrid, each with one order (offers and bids alternating, so every reading
 * looks up a cleared position with fills) in one slot per batch; a batch of 1, 50, 150 and 200 meter-signed
 * readings goes to `submitReadings` in that slot's reading window (each reading a new participant-slot; the
 * batch of 1 is the first reading of its microgrid-slot). A last row reads 150 participants in a slot where
 * none has orders. Gas per reading is the transaction's gas (21 000 intrinsic and calldata included) divided
 * by the batch size. A batch that needs more than the per-transaction gas cap of 2^24 (EIP-7825, enforced by
 * the Hardhat network) is reported as not fitting, with the cost its estimate would need.
 * Target of the brief: under 60 000 gas per reading in a batch of 200; the output says whether it is met
 * (it does not fail the gas report). Prints a markdown table and writes reports/gas/readings.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ethers, network } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Wallet } from "ethers";

import type { MeterReadings } from "../../typechain-types";
import { readingDomain, signReading, type Reading } from "../lib/readings";
import {
  BUY_TICK,
  SELL_TICK,
  TRC,
  clearAll,
  deployScenarioFixture,
  type ScenarioFixture,
} from "../../test/market/marketFixtures";

process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";

const PARTICIPANTS = 200;
const BATCHES = [1, 50, 150, 200];
const BATCH_WITHOUT_ORDERS = 150;
/** EIP-7825 per-transaction gas cap. */
const TX_GAS_CAP = 16_777_216n;
const TARGET_GAS_PER_READING = 60_000n;
const MICROGRID = 1;
const IMPORT_WH = 5_000n;
const EXPORT_WH = 3_000n;
const ORDER_WH = 1_000n;

interface BenchParticipant {
  signer: HardhatEthersSigner;
  meter: Wallet;
}

/** Registers, funds and deposits `PARTICIPANTS` impersonated prosumers of microgrid 1 with known meter keys. */
async function addParticipants(s: ScenarioFixture): Promise<BenchParticipant[]> {
  const participants: BenchParticipant[] = [];
  const market = await s.market.getAddress();
  for (let i = 0; i < PARTICIPANTS; i++) {
    const address = ethers.getAddress(ethers.toBeHex(0x7e_0000n + BigInt(i) * 0x1_0001n, 20));
    const meter = new ethers.Wallet(ethers.id(`readings-bench-meter:${i}`));
    await network.provider.send("hardhat_setBalance", [address, ethers.toQuantity(10n ** 20n)]);
    await network.provider.send("hardhat_impersonateAccount", [address]);
    const signer = await ethers.getSigner(address);
    await s.registry.registerParticipant(address, 1, MICROGRID, meter.address, IMPORT_WH, EXPORT_WH);
    await s.coin.issue(address, 1_000n * TRC, ethers.id(`readings-bench:${i}`));
    await s.coin.connect(signer).approve(market, ethers.MaxUint256);
    await s.market.connect(signer).deposit(100n * TRC);
    participants.push({ signer, meter });
  }
  return participants;
}

/** Moves time to `timestamp` unless it is already there. */
async function advanceTo(timestamp: bigint): Promise<void> {
  if (BigInt(await time.latest()) < timestamp) await time.increaseTo(timestamp);
}

interface Row {
  batch: number;
  withOrders: boolean;
  /** Whether the batch fits one transaction under the gas cap. */
  fits: boolean;
  gasUsed: string;
  gasPerReading: string;
}

async function measure(
  s: ScenarioFixture,
  meter: MeterReadings,
  participants: BenchParticipant[],
  slot: bigint,
  batch: number,
  withOrders: boolean,
): Promise<Row> {
  await advanceTo(await s.registry.gate(slot));
  await clearAll(s.market, MICROGRID, slot);
  await advanceTo(await s.registry.slotEnd(slot));
  const domain = await readingDomain(meter);
  const readings: Reading[] = [];
  const signatures: string[] = [];
  for (let i = 0; i < batch; i++) {
    const offers = i % 2 === 0;
    const reading: Reading = {
      participant: participants[i].signer.address,
      slot,
      importWh: offers ? 40n : 900n + BigInt(i),
      exportWh: offers ? 900n + BigInt(i) : 0n,
    };
    readings.push(reading);
    signatures.push(await signReading(participants[i].meter, domain, reading));
  }
  let gasUsed: bigint;
  try {
    const receipt = await (await meter.submitReadings(readings, signatures, { gasLimit: TX_GAS_CAP })).wait();
    if (receipt === null) throw new Error("no receipt");
    gasUsed = receipt.gasUsed;
  } catch (error) {
    if (!String(error).includes("out of gas")) throw error;
    // Too big for one transaction: measure the same readings as two halves, the second warm like the tail
    // of the whole batch, and report their sum.
    const half = Math.floor(batch / 2);
    let sum = 0n;
    for (const [from, to] of [
      [0, half],
      [half, batch],
    ]) {
      const tx = await meter.submitReadings(readings.slice(from, to), signatures.slice(from, to));
      sum += (await tx.wait())!.gasUsed;
    }
    return {
      batch,
      withOrders,
      fits: false,
      gasUsed: String(sum),
      gasPerReading: String(sum / BigInt(batch)),
    };
  }
  const [, count] = await meter.readingDigest(MICROGRID, slot);
  if (count !== BigInt(batch)) throw new Error(`expected ${batch} accepted readings, got ${count}`);
  const slotMeter = await meter.slotMeter(MICROGRID, slot);
  if (slotMeter.readingsWithOrders !== (withOrders ? BigInt(batch) : 0n))
    throw new Error("readings with orders miscounted");
  return {
    batch,
    withOrders,
    fits: true,
    gasUsed: String(gasUsed),
    gasPerReading: String(gasUsed / BigInt(batch)),
  };
}

async function main(): Promise<void> {
  const s = await deployScenarioFixture();
  const meter = await ethers.deployContract("MeterReadings", [
    s.admin.address,
    await s.registry.getAddress(),
    await s.market.getAddress(),
  ]);
  const participants = await addParticipants(s);
  // Slots slot .. slot + 2 get one order per participant; slot + 3 none.
  for (let k = 0n; k < BigInt(BATCHES.length); k++) {
    for (const [i, p] of participants.entries()) {
      if (i % 2 === 0) await s.market.connect(p.signer).placeOffer(s.slot + k, ORDER_WH, SELL_TICK);
      else await s.market.connect(p.signer).placeBid(s.slot + k, ORDER_WH, BUY_TICK);
    }
  }
  const rows: Row[] = [];
  for (const [k, batch] of BATCHES.entries()) {
    rows.push(await measure(s, meter, participants, s.slot + BigInt(k), batch, true));
  }
  rows.push(
    await measure(s, meter, participants, s.slot + BigInt(BATCHES.length), BATCH_WITHOUT_ORDERS, false),
  );

  const lines = [
    "| readings in the batch | accounts with orders | gas of the batch | gas per reading |",
    "|---:|:---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.batch} | ${r.withOrders ? "yes" : "no"} | ${r.fits ? r.gasUsed : `${r.gasUsed} (above the 2^24 cap: measured as two halves)`} | ${r.gasPerReading} |`,
    ),
  ];
  const at200 = rows.find((r) => r.batch === 200 && r.withOrders)!;
  const met = at200.fits && BigInt(at200.gasPerReading) < TARGET_GAS_PER_READING;
  lines.push(
    "",
    `gas per reading in a batch of 200 (accounts with orders): ${at200.gasPerReading} (target < ${TARGET_GAS_PER_READING})`,
  );
  console.log(lines.join("\n"));
  const out = path.resolve(__dirname, "../../reports/gas");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, "readings.json"),
    JSON.stringify({ targetGasPerReading: String(TARGET_GAS_PER_READING), rows }, null, 2) + "\n",
  );
  if (!met) console.log("TARGET MISSED");
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
