// The feeder's engine (scripts/feeder/relay.ts) against the real MeterReadings on the in-process network:
// batches within the gas budget, duplicates, rows it cannot sign, refusals by the contract, and a run
// stopped half-way then resumed, compared with a single clean run.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";
import { parseReadingsCsv, type CsvReading } from "../../scripts/feeder/csv";
import { MeterKeyRing } from "../../scripts/feeder/keys";
import { feedReadings, readingSignerFor, type FeedOptions } from "../../scripts/feeder/relay";
import {
  PARTICIPANTS,
  SLOTS,
  accountOf,
  chainDigests,
  expectedDigests,
  feederView,
  feederWorld,
  type FeederWorld,
} from "./fixtures";

/** Small enough for several batches of the 96 readings. */
const GAS_BUDGET = 2_000_000n;

async function feed(world: FeederWorld, rows: CsvReading[], options: FeedOptions = {}, keys = world.keys) {
  const [, relayer] = await ethers.getSigners();
  return feedReadings(
    {
      meterReadings: feederView(world, ethers.provider),
      registry: world.registry,
      relayer,
      signReading: await readingSignerFor(world.meter),
    },
    rows,
    keys,
    { gasBudget: GAS_BUDGET, ...options },
  );
}

function rowsOf(world: FeederWorld, csv = world.csv): CsvReading[] {
  const parsed = parseReadingsCsv(csv, world.clock);
  expect(parsed.errors).to.deep.equal([]);
  return parsed.readings;
}

const readingOf = (row: CsvReading) => ({
  participant: row.address,
  slot: row.slot,
  importWh: row.importWh,
  exportWh: row.exportWh,
});

function microgridOf(world: FeederWorld) {
  const byAccount = new Map(world.participants.map((p) => [p.account, p.microgrid]));
  return (participant: string) => byAccount.get(participant)!;
}

describe("feeder relay (in-process network)", function () {
  describe("feedReadings", function () {
    it("relays every reading in CSV order, in batches within the gas budget", async function () {
      const world = await loadFixture(feederWorld);
      const rows = rowsOf(world);
      expect(rows).to.have.length(PARTICIPANTS * SLOTS);
      const blockBefore = await ethers.provider.getBlockNumber();

      const summary = await feed(world, rows);

      expect(summary).to.include({
        rows: rows.length,
        toRelay: rows.length,
        accepted: rows.length,
        stopped: false,
      });
      expect(summary.problems).to.deep.equal([]);
      expect(summary.skipped).to.deep.equal([]);
      expect(summary.transactions).to.be.greaterThan(2);
      for (let n = blockBefore + 1; n <= (await ethers.provider.getBlockNumber()); n++) {
        const block = (await ethers.provider.getBlock(n, true))!;
        for (const tx of block.prefetchedTransactions) expect(tx.gasLimit).to.be.at.most(GAS_BUDGET);
      }
      for (const row of rows) {
        const record = await world.meter.meterRecord(row.address, row.slot);
        expect([record.status, record.importWh, record.exportWh]).to.deep.equal([
          1n,
          row.importWh,
          row.exportWh,
        ]);
      }
      expect(await chainDigests(world)).to.deep.equal(
        expectedDigests(rows.map(readingOf), microgridOf(world)),
      );
    });

    it("sends nothing when run again over a CSV the chain has in full", async function () {
      const world = await loadFixture(feederWorld);
      const rows = rowsOf(world);
      await feed(world, rows);
      const blockBefore = await ethers.provider.getBlockNumber();

      const again = await feed(world, rows);

      expect(again).to.include({ alreadyOnChain: rows.length, toRelay: 0, accepted: 0, transactions: 0 });
      expect(await ethers.provider.getBlockNumber()).to.equal(blockBefore);
    });

    it("resumes a run stopped after two batches with exactly the missing readings, as one clean run", async function () {
      const world = await loadFixture(feederWorld);
      const rows = rowsOf(world);
      await feed(world, rows, { batchMax: 10 });
      const clean = await chainDigests(world);

      const resumedWorld = await loadFixture(feederWorld);
      const first = await feed(resumedWorld, rows, { batchMax: 10, stopAfterBatches: 2 });
      expect(first).to.include({ stopped: true, accepted: 20, transactions: 2 });
      const second = await feed(resumedWorld, rows, { batchMax: 10 });

      expect(second).to.include({
        alreadyOnChain: 20,
        toRelay: rows.length - 20,
        accepted: rows.length - 20,
        stopped: false,
      });
      expect(second.skipped).to.deep.equal([]);
      expect(await chainDigests(resumedWorld)).to.deep.equal(clean);
    });

    it("stops before the next batch once the abort signal fires", async function () {
      const world = await loadFixture(feederWorld);
      const controller = new AbortController();
      let batches = 0;
      const summary = await feed(world, rowsOf(world), {
        batchMax: 10,
        signal: controller.signal,
        progress: {
          start() {},
          advance() {
            if (++batches === 3) controller.abort();
          },
          finish() {},
        },
      });
      expect(summary).to.include({ stopped: true, accepted: 30, transactions: 3 });
    });

    it("relays a repeated row once, and reports a conflicting repeat with its line while the first stands", async function () {
      const world = await loadFixture(feederWorld);
      const [header, first, second, ...rest] = world.csv.trimEnd().split("\n");
      const [who, slotStart, importWh, exportWh] = first.split(",");
      const conflicting = `${who},${slotStart},${Number(importWh) + 1},${exportWh}`;
      // Lines: 2 first, 3 second, 4 repeat of 2, 5 conflict with 2, 6 repeat of 3, then the rest.
      const csv = [header, first, second, first, conflicting, second, ...rest].join("\n");
      const rows = rowsOf(world, csv);

      const summary = await feed(world, rows);

      expect(summary.duplicates).to.deep.equal([
        { line: 4, firstLine: 2 },
        { line: 6, firstLine: 3 },
      ]);
      expect(summary.problems).to.have.length(1);
      expect(summary.problems[0]).to.include({ line: 5, column: "" });
      expect(summary.problems[0].reason).to.match(/than line 2 .*the first stands/);
      expect(summary.accepted).to.equal(rows.length - 3);
      const record = await world.meter.meterRecord(who, rows[0].slot);
      expect(record.importWh).to.equal(BigInt(importWh));
      const unique = rows.filter((r) => ![4, 5, 6].includes(r.line)).map(readingOf);
      expect(await chainDigests(world)).to.deep.equal(expectedDigests(unique, microgridOf(world)));
    });

    it("reports rows it cannot sign or whose window is not open by line, and relays the rest", async function () {
      const world = await loadFixture(feederWorld);
      const [header, ...body] = world.csv.trimEnd().split("\n");
      const slot0 = world.slots[0];
      const start = (slot: bigint) => String(world.clock.genesis + slot * world.clock.slotLength);
      const stranger = Wallet.createRandom().address;
      const farFuture = world.slots[world.slots.length - 1] + 50n;
      // Registered in that slot, but its one-slot window (the wider one applies from slot0) has closed.
      const closed = slot0 - 1n;
      const csv = [
        header,
        `${stranger},${start(slot0)},1,0`, // 2: not registered
        `${accountOf(0)},${start(farFuture)},1,0`, // 3: window not open yet
        `${accountOf(0)},${start(closed)},1,0`, // 4: window closed
        ...body,
      ].join("\n");
      // Without the key of participant 1's meter.
      const keyFile = JSON.parse(world.keyJson) as Record<string, string>;
      delete keyFile[accountOf(1)];
      const keys = MeterKeyRing.fromJson(JSON.stringify(keyFile));

      const summary = await feed(world, rowsOf(world, csv), {}, keys);

      const lines = summary.problems.map((p) => p.line);
      expect(lines.slice(0, 3)).to.deep.equal([2, 3, 4]);
      expect(summary.problems[0].reason).to.match(/is not a registered participant in slot/);
      expect(summary.problems[1]).to.include({ column: "slotStart" });
      expect(summary.problems[1].reason).to.match(/opens at .*run the feeder again then/);
      expect(summary.problems[2].reason).to.match(
        new RegExp(`reading window of slot ${closed} closed at 20`),
      );
      const missingKey = summary.problems.slice(3);
      expect(missingKey).to.have.length(SLOTS);
      for (const p of missingKey)
        expect(p.reason).to.match(new RegExp(`no private key for meter .* of ${accountOf(1)}`));
      expect(summary.accepted).to.equal(PARTICIPANTS * SLOTS - SLOTS);
    });

    it("reports a reading the contract skips, with its line and the error's name", async function () {
      const world = await loadFixture(feederWorld);
      const [header, first, ...rest] = world.csv.trimEnd().split("\n");
      const [who, slotStart] = first.split(",");
      const csv = [header, `${who},${slotStart},5001,0`, ...rest].join("\n");

      const summary = await feed(world, rowsOf(world, csv));

      expect(summary.skipped).to.deep.equal([
        { line: 2, participant: who, slot: world.slots[0], reason: "ImportAboveCapacity" },
      ]);
      expect(summary.accepted).to.equal(PARTICIPANTS * SLOTS - 1);
      expect((await world.meter.meterRecord(who, world.slots[0])).status).to.equal(0n);
    });

    it("reads rows that name the meter instead of the participant", async function () {
      const world = await loadFixture(feederWorld);
      const byMeter = new Map(world.participants.map((p) => [p.account, p.meterKey.address]));
      const [, ...body] = world.csv.trimEnd().split("\n");
      const csv = [
        "meter,slotStart,importWh,exportWh",
        ...body.map((line) => {
          const [who, ...values] = line.split(",");
          return [byMeter.get(who), ...values].join(",");
        }),
      ].join("\n");

      const summary = await feed(world, rowsOf(world, csv));

      expect(summary).to.include({ accepted: PARTICIPANTS * SLOTS });
      expect(summary.problems).to.deep.equal([]);
    });

    it("refuses a gas budget too small for one reading before sending anything", async function () {
      const world = await loadFixture(feederWorld);
      await expect(feed(world, rowsOf(world), { gasBudget: 50_000n })).to.be.rejectedWith(
        /gas budget 50000 is too small for one reading/,
      );
    });
  });
});
