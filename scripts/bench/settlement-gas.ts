// Gas benchmark of settlement: `settle` per participant with 10, 1 000 and 8 000 participants in one
// (microgrid, slot). The population is registered in the registry and given meter records through the
// test-only mock meter (readers exporting 100 Wh, no orders), plus one seller and one buyer with real
// orders cleared by the market. Settlement is O(own orders), so the gas must stay flat (target: the
// largest average over the smallest, ratio <= 1.1).
// Run: npx hardhat run scripts/bench/settlement-gas.ts — prints a table and writes reports/gas/settlement.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ethers, network } from "hardhat";
import { Kind, clearSlot, deploySuite, offer, bid, payAllFees, Status } from "../../test/settlement/fixtures";

process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";

/** Population sizes; SETTLEMENT_BENCH_SIZES="10,1000" overrides them. */
const SIZES = (process.env.SETTLEMENT_BENCH_SIZES ?? "10,1000,8000").split(",").map(Number);
const BATCH = 200;
const SAMPLES = 8;

interface Row {
  participants: number;
  readerAvg: string;
  readerMax: string;
  seller: string;
  buyer: string;
  runLevel2: string;
}

const addressOf = (label: string) => ethers.getAddress(ethers.dataSlice(ethers.id(label), 12));

async function benchSize(size: number): Promise<Row> {
  await network.provider.send("hardhat_reset");
  const suite = await deploySuite({ microgrids: 1, perMicrogrid: 2 });
  const { registry, meter, settlement, slot } = suite;
  const [seller, buyer] = suite.accounts[0];
  await offer(suite, seller, slot, 1_000n, 150n);
  await bid(suite, buyer, slot, 1_000n, 200n);
  await clearSlot(suite, slot);

  const readers = size - 2;
  const accounts: string[] = [];
  for (let i = 0; i < readers; i++) accounts.push(addressOf(`settlement-bench:account:${i}`));
  const pending = [];
  for (let i = 0; i < readers; i++) {
    pending.push(
      registry.registerParticipant(
        accounts[i],
        Kind.Prosumer,
        1,
        addressOf(`settlement-bench:meter:${i}`),
        20_000,
        20_000,
      ),
    );
    if (pending.length === BATCH) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const reader = {
    status: Status.Read,
    excluded: false,
    importWh: 0n,
    exportWh: 100n,
    maxImportWh: 20_000n,
    positionWh: 0n,
    imbalanceWh: 100n,
  };
  for (let i = 0; i < readers; i += BATCH) {
    const chunk = accounts.slice(i, i + BATCH);
    await meter.setRecords(
      chunk,
      slot,
      chunk.map(() => reader),
    );
  }
  // The seller delivers its 1 000 Wh and the buyer consumes them: both balanced.
  const traded = { ...reader, exportWh: 1_000n, positionWh: 1_000n, imbalanceWh: 0n };
  await meter.setRecords([seller.address, buyer.address], slot, [
    traded,
    { ...reader, exportWh: 0n, importWh: 1_000n, positionWh: -1_000n, imbalanceWh: 0n },
  ]);
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  await meter.setSlotMeter(1, slot, {
    digest: ethers.ZeroHash,
    readings: size,
    readingsWithOrders: 2,
    missing: 0,
    surplusWh: BigInt(readers) * 100n,
    deficitWh: 0n,
    proposableAt: now,
    finalizedAt: now,
  });
  if ((await settlement.participantsOf(1, slot)) !== BigInt(size)) throw new Error("participant count");
  await payAllFees(suite, slot);
  const level2 = await (await settlement.runLevel2(slot)).wait();

  const gasOf = async (account: string) => (await (await settlement.settle(account, slot)).wait())!.gasUsed;
  const picks = new Set<number>();
  for (let k = 0; k < SAMPLES; k++) picks.add(Math.floor((k * (readers - 1)) / Math.max(SAMPLES - 1, 1)));
  const readerGas: bigint[] = [];
  for (const i of picks) readerGas.push(await gasOf(accounts[i]));
  const sellerGas = await gasOf(seller.address);
  const buyerGas = await gasOf(buyer.address);
  const sum = readerGas.reduce((a, b) => a + b, 0n);
  return {
    participants: size,
    readerAvg: String(sum / BigInt(readerGas.length)),
    readerMax: String(readerGas.reduce((a, b) => (a > b ? a : b), 0n)),
    seller: String(sellerGas),
    buyer: String(buyerGas),
    runLevel2: String(level2!.gasUsed),
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const size of SIZES) {
    rows.push(await benchSize(size));
    console.log(`settled a slot of ${size} participants`);
  }
  const averages = rows.map((r) => Number(r.readerAvg));
  const sellers = rows.map((r) => Number(r.seller));
  const buyers = rows.map((r) => Number(r.buyer));
  const ratio = (xs: number[]) => Math.max(...xs) / Math.min(...xs);
  const report = {
    note:
      "Gas of Settlement.settle per participant-slot, by the number of participants in the slot. readerAvg/readerMax: " +
      "reading-only participants sampled across the population; seller/buyer: one participant-slot with one cleared order.",
    rows,
    flatness: {
      reader: Number(ratio(averages).toFixed(4)),
      seller: Number(ratio(sellers).toFixed(4)),
      buyer: Number(ratio(buyers).toFixed(4)),
      target: 1.1,
    },
  };
  console.log("| participants | reader avg | reader max | seller | buyer | runLevel2 |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.participants} | ${r.readerAvg} | ${r.readerMax} | ${r.seller} | ${r.buyer} | ${r.runLevel2} |`,
    );
  console.log(`flatness (max/min): ${JSON.stringify(report.flatness)}`);
  const dir = path.join(__dirname, "..", "..", "reports", "gas");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "settlement.json"), JSON.stringify(report, null, 2) + "\n");
  if (report.flatness.reader > 1.1 || report.flatness.seller > 1.1 || report.flatness.buyer > 1.1)
    throw new Error(`settle gas is not flat: ${JSON.stringify(report.flatness)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
