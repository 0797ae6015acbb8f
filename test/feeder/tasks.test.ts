// The feeder's Hardhat tasks (scripts/tasks/meters.ts), run in-process: meters:generate writes the CSV that
// meters:feed relays; bad rows are printed with line and column and make the exit code non-zero.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { FeedTaskResult } from "../../scripts/tasks/meters";
import { runTaskQuietly } from "../shared/tasks";
import { PARTICIPANTS, SLOTS, chainDigests, feederWorld } from "./fixtures";

describe("meter feeder tasks", function () {
  let dir: string;
  let exitCodeBefore: typeof process.exitCode;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridtrust-feeder-"));
    exitCodeBefore = process.exitCode;
  });

  afterEach(function () {
    process.exitCode = exitCodeBefore;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function worldWithFiles() {
    const world = await loadFixture(feederWorld);
    const keys = path.join(dir, "keys.json");
    fs.writeFileSync(keys, world.keyJson);
    return { world, keys, at: world.meter.target as string };
  }

  describe("meters:generate", function () {
    it("writes the same CSV as the fixture's generator for the registered population and slots", async function () {
      const { world } = await worldWithFiles();
      const out = path.join(dir, "readings.csv");
      const { result, printed } = await runTaskQuietly("meters:generate", {
        out,
        fromSlot: String(world.slots[0]),
        toSlot: String(world.slots[SLOTS - 1]),
        seed: "7",
        by: "participant",
        timeFormat: "iso",
        missingRate: "0",
        registry: (await world.registry.getAddress()) as string,
      });
      expect(result).to.equal(PARTICIPANTS * SLOTS);
      expect(printed).to.contain(`wrote ${PARTICIPANTS * SLOTS} readings of ${PARTICIPANTS} participants`);
      expect(fs.readFileSync(out, "utf8")).to.equal(world.csv);
    });

    it("leaves out readings at the missing rate and refuses a bad --by before reading the chain", async function () {
      const { world } = await worldWithFiles();
      const base = {
        out: path.join(dir, "r.csv"),
        fromSlot: String(world.slots[0]),
        toSlot: String(world.slots[SLOTS - 1]),
        seed: "7",
        by: "participant",
        timeFormat: "unix",
        missingRate: "50",
        registry: (await world.registry.getAddress()) as string,
      };
      const { result } = await runTaskQuietly("meters:generate", base);
      expect(result as number)
        .to.be.greaterThan(PARTICIPANTS * SLOTS * 0.25)
        .and.lessThan(PARTICIPANTS * SLOTS * 0.75);
      await expect(runTaskQuietly("meters:generate", { ...base, by: "house" })).to.be.rejectedWith(
        /--by: must be participant or meter/,
      );
      await expect(runTaskQuietly("meters:generate", { ...base, toSlot: "0" })).to.be.rejectedWith(
        /--to-slot: is before --from-slot/,
      );
    });
  });

  describe("meters:feed", function () {
    it("relays a good CSV, prints the summary and leaves the exit code alone", async function () {
      const { world, keys, at } = await worldWithFiles();
      const csv = path.join(dir, "readings.csv");
      fs.writeFileSync(csv, world.csv);
      const { result, printed } = await runTaskQuietly("meters:feed", {
        csv,
        keys,
        at,
        gasBudget: "3000000",
        batchMax: "40",
        concurrency: "8",
      });
      const { summary } = result as FeedTaskResult;
      expect(summary.accepted).to.equal(PARTICIPANTS * SLOTS);
      expect(printed).to.contain(`${PARTICIPANTS * SLOTS} rows: none bad, 0 duplicates, 0 already on chain;`);
      expect(printed).to.contain(`${PARTICIPANTS * SLOTS} accepted and 0 refused by the contract`);
      expect(process.exitCode).to.equal(exitCodeBefore);
      expect([...(await chainDigests(world)).values()].reduce((n, d) => n + d.count, 0)).to.equal(
        PARTICIPANTS * SLOTS,
      );
    });

    it("prints every bad row with line and column, relays the good ones and sets a non-zero exit code", async function () {
      const { world, keys, at } = await worldWithFiles();
      const [header, first, ...rest] = world.csv.trimEnd().split("\n");
      const [who] = first.split(",");
      const csv = path.join(dir, "readings.csv");
      fs.writeFileSync(
        csv,
        [header, first, `${who},2025-03-01T00:15:00,1,1`, first, `${who},nope,x,1`, ...rest].join("\n"),
      );
      const { result, printed } = await runTaskQuietly("meters:feed", {
        csv,
        keys,
        at,
        gasBudget: "10000000",
        batchMax: "500",
        concurrency: "16",
      });
      expect(printed).to.contain("bad row: line 3, column slotStart: ");
      expect(printed).to.contain("local time without offset");
      expect(printed).to.contain("bad row: line 5, column slotStart: ");
      expect(printed).to.contain("bad row: line 5, column importWh: ");
      expect(printed).to.contain("duplicate: line 4 repeats line 2");
      expect(printed).to.contain(`${PARTICIPANTS * SLOTS + 3} rows: 2 bad, 1 duplicates`);
      expect((result as FeedTaskResult).summary.accepted).to.equal(PARTICIPANTS * SLOTS);
      expect(process.exitCode).to.equal(1);
    });

    it("refuses a missing CSV, a bad key file and a tiny gas budget before sending", async function () {
      const { keys, at } = await worldWithFiles();
      const csv = path.join(dir, "readings.csv");
      fs.writeFileSync(csv, "participant,slotStart,importWh,exportWh\n");
      const base = { csv, keys, at, gasBudget: "10000000", batchMax: "500", concurrency: "16" };
      await expect(
        runTaskQuietly("meters:feed", { ...base, csv: path.join(dir, "none.csv") }),
      ).to.be.rejectedWith(/--csv: cannot read/);
      const badKeys = path.join(dir, "bad.json");
      fs.writeFileSync(badKeys, JSON.stringify({ "0x1234": "0xabc" }));
      await expect(runTaskQuietly("meters:feed", { ...base, keys: badKeys })).to.be.rejectedWith(
        /key file .*bad.json: entry 0x1234: the private key is not 0x \+ 64 hex digits/,
      );
      await expect(runTaskQuietly("meters:feed", { ...base, gasBudget: "1000" })).to.be.rejectedWith(
        /--gas-budget: must be at least 100000/,
      );
    });
  });
});
