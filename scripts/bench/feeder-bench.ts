/**
 * Throughput of the meter feeder (run: `npx hardhat run scripts/bench/feeder-bench.ts`): readings per
 * second from a generated CSV to accepted readings, with the default gas budget (10 M), against
 * - the in-process Hardhat network (the signer of `hardhat run`), and
 * - a `npx hardhat node` spawned for the run, over JSON-RPC with a local wallet.
 * The rate counts the relay phase (batch sizing, signing, sending, receipts); the time to check the rows
 * against the chain is reported apart. Writes reports/gas/feeder.json.
 */
import fs from "node:fs";
import path from "node:path";
import { ethers } from "hardhat";
import { JsonRpcProvider, Network, NonceManager, Wallet, id, parseEther } from "ethers";
import { parseReadingsCsv } from "../feeder/csv";
import { feedReadings, readingSignerFor, type FeedSummary } from "../feeder/relay";
import type { Signer } from "ethers";
import { startHardhatNode, stopHardhatNode } from "../lib/hardhat-node";
import {
  deployMetering,
  feederView,
  inProcessWorld,
  populate,
  type FeederWorld,
} from "../../test/feeder/fixtures";

const PARTICIPANTS = 100;
const SLOTS = 4;
const GAS_BUDGET = 10_000_000n;
const PORT = 20545 + (process.pid % 1000);
const ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

interface Run {
  readings: number;
  transactions: number;
  gasUsed: string;
  gasPerReading: number;
  resolveSeconds: number;
  relaySeconds: number;
  readingsPerSecond: number;
}

async function measure(world: FeederWorld, relayer: Signer): Promise<Run> {
  const rows = parseReadingsCsv(world.csv, world.clock).readings;
  const started = Date.now();
  const summary: FeedSummary = await feedReadings(
    {
      meterReadings: feederView(world, relayer.provider!),
      registry: world.registry.connect(relayer.provider!),
      relayer,
      signReading: await readingSignerFor(world.meter),
    },
    rows,
    world.keys,
    { gasBudget: GAS_BUDGET },
  );
  if (summary.accepted !== rows.length) throw new Error(`accepted ${summary.accepted} of ${rows.length}`);
  const total = (Date.now() - started) / 1000;
  return {
    readings: summary.accepted,
    transactions: summary.transactions,
    gasUsed: summary.gasUsed.toString(),
    gasPerReading: Number(summary.gasUsed / BigInt(summary.accepted)),
    resolveSeconds: Number((total - summary.relaySeconds).toFixed(3)),
    relaySeconds: Number(summary.relaySeconds.toFixed(3)),
    readingsPerSecond: Number(summary.readingsPerSecond.toFixed(1)),
  };
}

async function inProcess(): Promise<Run> {
  const world = await inProcessWorld(PARTICIPANTS, SLOTS);
  const [, relayer] = await ethers.getSigners();
  return measure(world, relayer);
}

async function againstNode(): Promise<Run> {
  const node = await startHardhatNode(PORT);
  const provider = new JsonRpcProvider(node.url, Network.from(31337), { staticNetwork: Network.from(31337) });
  try {
    const admin = new NonceManager(new Wallet(ADMIN_KEY, provider));
    const world = await populate(
      admin,
      await deployMetering(admin),
      async (unix) => {
        await provider.send("evm_setNextBlockTimestamp", [Number(unix)]);
        await provider.send("evm_mine", []);
      },
      PARTICIPANTS,
      SLOTS,
    );
    const relayer = new Wallet(id("gridtrust-feeder-bench:relayer"), provider);
    await (await admin.sendTransaction({ to: relayer.address, value: parseEther("100") })).wait();
    return await measure(world, relayer);
  } finally {
    provider.destroy();
    stopHardhatNode(node);
  }
}

async function main(): Promise<void> {
  const report = {
    generatedBy: "scripts/bench/feeder-bench.ts",
    participants: PARTICIPANTS,
    slots: SLOTS,
    gasBudget: GAS_BUDGET.toString(),
    inProcess: await inProcess(),
    hardhatNode: await againstNode(),
  };
  const out = path.join(__dirname, "..", "..", "reports", "gas", "feeder.json");
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
