// Hardhat tasks of the meter feeder (SPEC §11): `meters:feed` signs the readings of a CSV with the meters'
// keys and relays the ones the chain lacks; `meters:generate` writes a CSV for the demo population.
// --at defaults to the MeterReadings address recorded by gridtrust:deploy for the network; --from picks an
// unlocked account of the node (default: the first configured signer) to pay for the batches.
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** The MeterReadings for a task: `--at`, else the network's recorded deployment. */
async function meterReadingsAt(hre: HardhatRuntimeEnvironment, at?: string) {
  const { parseAddressArg } = await import("../lib/cli");
  const { readRecord } = await import("../../deploy/suite");
  let address: string;
  if (at !== undefined) address = parseAddressArg("at", at);
  else {
    const recorded = (readRecord(hre)?.contracts as Record<string, string> | undefined)?.MeterReadings;
    if (recorded === undefined) {
      throw new Error(
        `--at: no MeterReadings recorded for network "${hre.network.name}"; give its address with --at`,
      );
    }
    address = recorded;
  }
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    throw new Error(`--at: no contract at ${address} (MeterReadings) on network "${hre.network.name}"`);
  }
  return hre.ethers.getContractAt("MeterReadings", address);
}

/** What `meters:feed` returns: the CSV's problems and the relay's summary. */
export interface FeedTaskResult {
  csvErrors: import("../feeder/csv").RowError[];
  summary: import("../feeder/relay").FeedSummary;
}

task("meters:feed", "Signs the readings of a CSV with the meter keys and relays the missing ones in batches")
  .addParam(
    "csv",
    "CSV file: participant or meter, slotStart (ISO-8601 with offset or unix s), importWh, exportWh",
  )
  .addParam(
    "keys",
    'Key file: JSON { "<participant or meter address>": "<0x private key>" } or a list of keys',
  )
  .addOptionalParam("gasBudget", "Most gas one batch may use", "10000000")
  .addOptionalParam("batchMax", "Most readings in one batch", "500")
  .addOptionalParam("concurrency", "Chain reads in flight while checking the rows", "16")
  .addOptionalParam("from", "Relaying account (default: the first signer)")
  .addOptionalParam("at", "MeterReadings address (default: the recorded deployment)")
  .setAction(
    async (
      args: {
        csv: string;
        keys: string;
        gasBudget: string;
        batchMax: string;
        concurrency: string;
        from?: string;
        at?: string;
      },
      hre,
    ): Promise<FeedTaskResult> => {
      const fs = await import("node:fs");
      const { parseAddressArg, parseUintArg, TaskArgumentError } = await import("../lib/cli");
      const { parseReadingsCsv, formatRowError } = await import("../feeder/csv");
      const { MeterKeyRing } = await import("../feeder/keys");
      const { feedReadings, readingSignerFor } = await import("../feeder/relay");
      const { ProgressBar } = await import("../feeder/progress");
      const { IRegistry__factory } = await import("../../typechain-types");

      const gasBudget = parseUintArg("gas-budget", args.gasBudget, 30_000_000n);
      if (gasBudget < 100_000n) throw new TaskArgumentError("gas-budget", "must be at least 100000");
      const batchMax = Number(parseUintArg("batch-max", args.batchMax, 10_000n));
      if (batchMax < 1) throw new TaskArgumentError("batch-max", "must be at least 1");
      const concurrency = Number(parseUintArg("concurrency", args.concurrency, 256n));
      if (concurrency < 1) throw new TaskArgumentError("concurrency", "must be at least 1");
      let text: string;
      try {
        text = fs.readFileSync(args.csv, "utf8");
      } catch (error) {
        throw new TaskArgumentError("csv", `cannot read ${args.csv}: ${(error as Error).message}`);
      }
      const keys = MeterKeyRing.fromFile(args.keys);
      const meter = await meterReadingsAt(hre, args.at);
      const relayer =
        args.from === undefined
          ? (await hre.ethers.getSigners())[0]
          : await hre.ethers.getSigner(parseAddressArg("from", args.from));
      if (relayer === undefined)
        throw new Error(`network "${hre.network.name}" has no account to relay with`);
      const registry = IRegistry__factory.connect(await meter.REGISTRY(), hre.ethers.provider);
      const clock = { genesis: await registry.genesis(), slotLength: await registry.slotLength() };

      const parsed = parseReadingsCsv(text, clock);
      const summary = await feedReadings(
        {
          meterReadings: meter,
          registry,
          relayer,
          signReading: await readingSignerFor(meter),
        },
        parsed.readings,
        keys,
        {
          gasBudget,
          batchMax,
          concurrency,
          progress: new ProgressBar("readings"),
          log: (line) => console.error(line),
        },
      );

      const bad = [...parsed.errors, ...summary.problems].sort((a, b) => a.line - b.line);
      for (const error of bad) console.log(`bad row: ${formatRowError(error)}`);
      for (const d of summary.duplicates)
        console.log(`duplicate: line ${d.line} repeats line ${d.firstLine}`);
      for (const s of summary.skipped)
        console.log(
          `refused by the contract: line ${s.line} (${s.participant}, slot ${s.slot}): ${s.reason}`,
        );
      console.log(
        `${parsed.dataRows} rows: ${bad.length === 0 ? "none" : new Set(bad.map((e) => e.line)).size} bad, ` +
          `${summary.duplicates.length} duplicates, ${summary.alreadyOnChain} already on chain; ` +
          `${summary.accepted} accepted and ${summary.skipped.length} refused by the contract in ` +
          `${summary.transactions} transactions (${summary.gasUsed} gas), ` +
          `${summary.readingsPerSecond.toFixed(1)} readings/s` +
          (summary.retries > 0 ? `, ${summary.retries} RPC retries` : ""),
      );
      const refused = summary.skipped.filter((s) => s.reason !== "ReadingExists");
      if (bad.length > 0 || refused.length > 0) process.exitCode = 1;
      return { csvErrors: parsed.errors, summary };
    },
  );

task("meters:generate", "Writes a CSV of plausible readings of the registered population (deterministic)")
  .addParam("out", "CSV file to write")
  .addParam("fromSlot", "First slot")
  .addParam("toSlot", "Last slot (inclusive)")
  .addOptionalParam("seed", "Seed of the generator", "1")
  .addOptionalParam(
    "participants",
    "JSON file with a list of participant addresses (default: all registered)",
  )
  .addOptionalParam("by", "Name rows by participant or meter", "participant")
  .addOptionalParam("timeFormat", "Slot starts as iso or unix", "iso")
  .addOptionalParam("missingRate", "Percentage of readings left out, as failed meters would (0-100)", "0")
  .addOptionalParam("registry", "Registry address (default: the recorded deployment)")
  .setAction(
    async (
      args: {
        out: string;
        fromSlot: string;
        toSlot: string;
        seed: string;
        participants?: string;
        by: string;
        timeFormat: string;
        missingRate: string;
        registry?: string;
      },
      hre,
    ) => {
      const fs = await import("node:fs");
      const { parseAddressArg, parseUintArg, TaskArgumentError, UINT32_MAX, UINT64_MAX } =
        await import("../lib/cli");
      const { suiteContract } = await import("../lib/contracts");
      const { generateReadingsCsv, populationFromRegistry } = await import("../feeder/generate");
      const { IRegistry__factory } = await import("../../typechain-types");

      const fromSlot = parseUintArg("from-slot", args.fromSlot, UINT64_MAX);
      const toSlot = parseUintArg("to-slot", args.toSlot, UINT64_MAX);
      if (toSlot < fromSlot) throw new TaskArgumentError("to-slot", `is before --from-slot ${fromSlot}`);
      if (toSlot - fromSlot >= 10_000n) throw new TaskArgumentError("to-slot", "at most 10000 slots at once");
      const seed = Number(parseUintArg("seed", args.seed, UINT32_MAX));
      const missingPercent = Number(parseUintArg("missing-rate", args.missingRate, 100n));
      if (args.by !== "participant" && args.by !== "meter")
        throw new TaskArgumentError("by", `must be participant or meter, got "${args.by}"`);
      if (args.timeFormat !== "iso" && args.timeFormat !== "unix")
        throw new TaskArgumentError("time-format", `must be iso or unix, got "${args.timeFormat}"`);
      let accounts: string[] | undefined;
      if (args.participants !== undefined) {
        let list: unknown;
        try {
          list = JSON.parse(fs.readFileSync(args.participants, "utf8"));
        } catch (error) {
          throw new TaskArgumentError("participants", `cannot read a JSON list: ${(error as Error).message}`);
        }
        if (!Array.isArray(list))
          throw new TaskArgumentError("participants", "must hold a JSON list of addresses");
        accounts = list.map((a) => parseAddressArg("participants", String(a)));
      }
      const registry = IRegistry__factory.connect(
        await (await suiteContract(hre, "Registry", args.registry, "registry")).getAddress(),
        hre.ethers.provider,
      );
      const population = await populationFromRegistry(registry, fromSlot, toSlot, accounts);
      const clock = { genesis: await registry.genesis(), slotLength: await registry.slotLength() };
      const csv = generateReadingsCsv(population, clock, {
        fromSlot,
        toSlot,
        seed,
        by: args.by,
        timeFormat: args.timeFormat,
        missingRate: missingPercent / 100,
      });
      fs.writeFileSync(args.out, csv);
      const rows = csv.trimEnd().split("\n").length - 1;
      console.log(
        `wrote ${rows} readings of ${population.length} participants, slots ${fromSlot}-${toSlot}, to ${args.out}`,
      );
      return rows;
    },
  );
