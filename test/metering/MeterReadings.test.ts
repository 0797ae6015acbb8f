// Unit tests of MeterReadings: one describe per external function, every refusal of a reading in a single
// call (custom error and arguments) and in a batch (ReadingSkipped with the error's selector, the good
// readings still accepted), replays across slots, chains and contracts, meter rotation, substitutes, the
// digest against a TS recomputation, missing accounts, exclusions, proposable timing and the role matrix.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { describeRoleMatrix, type PrivilegedCall } from "../shared/roleMatrix";
import { EXPORT_WH, IMPORT_WH, Kind, clearAll } from "../market/marketFixtures";
import { nextDigest, readingHash, signReading, type Reading } from "../../scripts/lib/readings";
import { MeterSlotReference, imbalanceOf } from "../reference/meter";
import {
  METER_ROLE_IDS,
  Status,
  deployMeterBaseFixture,
  deployMeterReadings,
  deployMeterSetupFixture,
  deployNextWindowFixture,
  deploySlotWindowFixture,
  meterWallet,
  positionWhOf,
  type MeterFixture,
} from "./fixtures";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Signs and submits `reading` with its participant's meter key. */
async function submit(f: MeterFixture, reading: Reading) {
  return f.meter.submitReading(reading, await f.sign(reading));
}

/** The imbalance the contract must count for a reading of `account` in `slot`. */
async function imbalanceFor(f: MeterFixture, reading: Reading): Promise<bigint> {
  return imbalanceOf({ ...reading, positionWh: await positionWhOf(f, reading.participant, reading.slot) });
}

/** A refused reading: when it is tried, how it is built, and the custom error a single call reverts with. */
interface RefusalCase {
  title: string;
  /** Moment: in the reading window of `slot`, or in that of `slot + 1` (when `slot`'s has closed). */
  at: "slot" | "next";
  /** Whether a substitute with the same values is refused the same way. */
  substitute: boolean;
  before?: (f: MeterFixture) => Promise<void>;
  build: (f: MeterFixture) => Promise<{ reading: Reading; signature: string }>;
  error: string;
  args: (f: MeterFixture, reading: Reading, signature: string) => Promise<unknown[]>;
}

async function signed(f: MeterFixture, reading: Reading) {
  return { reading, signature: await f.sign(reading) };
}

/** The signer a signature recovers to for `reading` under the contract's own domain. */
function recovered(f: MeterFixture, reading: Reading, signature: string): string {
  return ethers.recoverAddress(readingHash(f.domain, reading), signature);
}

const REFUSALS: RefusalCase[] = [
  {
    title: "an account that is not a participant",
    at: "slot",
    substitute: true,
    build: async (f) => ({
      reading: f.reading(f.stranger, 1n, 0n),
      signature: await signReading(meterWallet("stranger"), f.domain, f.reading(f.stranger, 1n, 0n)),
    }),
    error: "UnknownParticipant",
    args: async (f) => [f.stranger.address, f.slot],
  },
  {
    title: "a signature shorter than 65 bytes",
    at: "slot",
    substitute: false,
    build: async (f) => {
      const { reading, signature } = await signed(f, f.reading(f.c1, 100n, 0n));
      return { reading, signature: ethers.dataSlice(signature, 0, 64) };
    },
    error: "InvalidSignature",
    args: async (f) => [f.c1.address, f.slot],
  },
  {
    title: "a malleable signature (high s)",
    at: "slot",
    substitute: false,
    build: async (f) => {
      const { reading, signature } = await signed(f, f.reading(f.c1, 100n, 0n));
      const sig = ethers.Signature.from(signature);
      const highS = ethers.toBeHex(SECP256K1_N - BigInt(sig.s), 32);
      const v = sig.v === 27 ? 28 : 27;
      return { reading, signature: ethers.concat([sig.r, highS, ethers.toBeHex(v, 1)]) };
    },
    error: "InvalidSignature",
    args: async (f) => [f.c1.address, f.slot],
  },
  {
    title: "a signature nobody can have made",
    at: "slot",
    substitute: false,
    build: async (f) => ({
      reading: f.reading(f.c1, 100n, 0n),
      signature: ethers.concat([ethers.ZeroHash, ethers.ZeroHash, "0x1b"]),
    }),
    error: "InvalidSignature",
    args: async (f) => [f.c1.address, f.slot],
  },
  {
    title: "a reading signed by another key than the participant's meter",
    at: "slot",
    substitute: false,
    build: async (f) => {
      const reading = f.reading(f.c1, 100n, 0n);
      return { reading, signature: await signReading(meterWallet("other"), f.domain, reading) };
    },
    error: "WrongMeterKey",
    args: async (f) => [
      f.c1.address,
      f.slot,
      meterWallet("other").address,
      f.meters.get(f.c1.address)!.address,
    ],
  },
  {
    title: "a reading signed by the participant's own account instead of its meter",
    at: "slot",
    substitute: false,
    build: async (f) => {
      const reading = f.reading(f.c1, 100n, 0n);
      return { reading, signature: await signReading(f.c1, f.domain, reading) };
    },
    error: "WrongMeterKey",
    args: async (f) => [f.c1.address, f.slot, f.c1.address, f.meters.get(f.c1.address)!.address],
  },
  {
    title: "a signature for slot s replayed for slot s + 1",
    at: "next",
    substitute: false,
    build: async (f) => {
      const { signature } = await signed(f, f.reading(f.c1, 100n, 0n, f.slot));
      return { reading: f.reading(f.c1, 100n, 0n, f.slot + 1n), signature };
    },
    error: "WrongMeterKey",
    args: async (f, reading, signature) => [
      f.c1.address,
      f.slot + 1n,
      recovered(f, reading, signature),
      f.meters.get(f.c1.address)!.address,
    ],
  },
  {
    title: "a reading signed for another chain",
    at: "slot",
    substitute: false,
    build: async (f) => {
      const reading = f.reading(f.c1, 100n, 0n);
      const wallet = f.meters.get(f.c1.address)!;
      return { reading, signature: await signReading(wallet, { ...f.domain, chainId: 1n }, reading) };
    },
    error: "WrongMeterKey",
    args: async (f, reading, signature) => [
      f.c1.address,
      f.slot,
      recovered(f, reading, signature),
      f.meters.get(f.c1.address)!.address,
    ],
  },
  {
    title: "a reading signed for another contract",
    at: "slot",
    substitute: false,
    build: async (f) => {
      const reading = f.reading(f.c1, 100n, 0n);
      const wallet = f.meters.get(f.c1.address)!;
      const domain = { ...f.domain, verifyingContract: await f.market.getAddress() };
      return { reading, signature: await signReading(wallet, domain, reading) };
    },
    error: "WrongMeterKey",
    args: async (f, reading, signature) => [
      f.c1.address,
      f.slot,
      recovered(f, reading, signature),
      f.meters.get(f.c1.address)!.address,
    ],
  },
  {
    title: "a reading before its window opens (clearing done)",
    at: "slot",
    substitute: true,
    build: async (f) => signed(f, f.reading(f.c1, 100n, 0n, f.slot + 1n)),
    error: "ReadingWindowNotOpen",
    args: async (f) => [f.slot + 1n, await f.registry.slotEnd(f.slot + 1n)],
  },
  {
    title: "a reading after its window closed",
    at: "next",
    substitute: true,
    build: async (f) => signed(f, f.reading(f.c1, 100n, 0n, f.slot)),
    error: "ReadingWindowClosed",
    args: async (f) => [f.slot, (await f.registry.slotEnd(f.slot)) + 900n],
  },
  {
    title: "a reading of a microgrid-slot whose clearing is not done",
    at: "slot",
    substitute: true,
    build: async (f) => signed(f, f.reading(f.p4, 100n, 0n)),
    error: "ClearingNotDone",
    args: async (f) => [3, f.slot],
  },
  {
    title: "an import above the participant's capacity",
    at: "slot",
    substitute: true,
    build: async (f) => signed(f, f.reading(f.c1, IMPORT_WH + 1n, 0n)),
    error: "ImportAboveCapacity",
    args: async (f) => [f.c1.address, f.slot, IMPORT_WH + 1n, IMPORT_WH],
  },
  {
    title: "an export above the participant's capacity (a consumer exports nothing)",
    at: "slot",
    substitute: true,
    build: async (f) => signed(f, f.reading(f.c1, 0n, 1n)),
    error: "ExportAboveCapacity",
    args: async (f) => [f.c1.address, f.slot, 1n, 0n],
  },
  {
    title: "a second reading of the same participant-slot",
    at: "slot",
    substitute: true,
    before: async (f) => {
      await submit(f, f.reading(f.c1, 100n, 0n));
    },
    build: async (f) => signed(f, f.reading(f.c1, 200n, 0n)),
    error: "ReadingExists",
    args: async (f) => [f.c1.address, f.slot],
  },
  {
    title: "a reading of a finalized microgrid-slot",
    at: "next",
    substitute: true,
    before: async (f) => {
      await f.meter.accountMissing(1, f.slot, [f.p1.address, f.c1.address]);
      await f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, []);
    },
    build: async (f) => signed(f, f.reading(f.p2, 100n, 0n)),
    error: "AlreadyFinalized",
    args: async (f) => [1, f.slot],
  },
];

function fixtureAt(at: RefusalCase["at"]) {
  return at === "slot" ? deploySlotWindowFixture : deployNextWindowFixture;
}

describe("MeterReadings", function () {
  describe("constructor", function () {
    it("links the registry and the market and starts with the SPEC defaults", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      expect(await f.meter.REGISTRY()).to.equal(await f.registry.getAddress());
      expect(await f.meter.MARKET()).to.equal(await f.market.getAddress());
      expect(await f.meter.readingWindow()).to.equal(1n);
      expect(await f.meter.maxExclusions()).to.equal(64n);
      expect(await f.meter.hasRole(METER_ROLE_IDS.DEFAULT_ADMIN_ROLE, f.admin.address)).to.equal(true);
    });

    it("signs readings in the domain GridTrust MeterReadings, version 1, of its chain and address", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      const { chainId } = await ethers.provider.getNetwork();
      expect(f.domain).to.deep.equal({
        name: "GridTrust MeterReadings",
        version: "1",
        chainId,
        verifyingContract: await f.meter.getAddress(),
      });
      expect(await f.meter.READING_TYPEHASH()).to.equal(
        ethers.id("Reading(address participant,uint64 slot,uint64 importWh,uint64 exportWh)"),
      );
    });

    it("refuses a zero admin, registry or market", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      const factory = await ethers.getContractFactory("MeterReadings");
      const registry = await f.registry.getAddress();
      const market = await f.market.getAddress();
      for (const args of [
        [ethers.ZeroAddress, registry, market],
        [f.admin.address, ethers.ZeroAddress, market],
        [f.admin.address, registry, ethers.ZeroAddress],
      ]) {
        await expect(factory.deploy(args[0], args[1], args[2])).to.be.revertedWithCustomError(
          f.meter,
          "ZeroAddress",
        );
      }
    });
  });

  const privileged: PrivilegedCall<MeterFixture>[] = [
    { name: "setReadingWindow", role: "PARAMS_ROLE", call: (f, s) => f.meter.connect(s).setReadingWindow(2) },
    { name: "setMaxExclusions", role: "PARAMS_ROLE", call: (f, s) => f.meter.connect(s).setMaxExclusions(8) },
    {
      name: "submitSubstitute",
      role: "REGISTRAR_ROLE",
      call: (f, s) => f.meter.connect(s).submitSubstitute(f.reading(f.c1, 100n, 0n)),
    },
    {
      name: "finalizeMeterData",
      role: "CONSENSUS_ROLE",
      call: (f, s) => f.meter.connect(s).finalizeMeterData(1, f.slot, []),
    },
  ];
  describeRoleMatrix(METER_ROLE_IDS, privileged, () => loadFixture(deploySlotWindowFixture));

  describe("setReadingWindow", function () {
    it("applies from the first slot whose gate has not closed; earlier slots keep their window", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      const current = await f.registry.currentSlot();
      // 100 s into `current`: the gate of current + 1 (start of current) has passed, that of current + 2 not.
      await expect(f.meter.connect(f.paramsSetter).setReadingWindow(3))
        .to.emit(f.meter, "ReadingWindowSet")
        .withArgs(1n, 3n, current + 2n);
      expect(await f.meter.readingWindow()).to.equal(3n);
      expect(await f.meter.readingWindowSlotsOf(current + 1n)).to.equal(1n);
      expect(await f.meter.readingWindowSlotsOf(current + 2n)).to.equal(3n);
      const end = await f.registry.slotEnd(current + 2n);
      expect(await f.meter.readingWindowOf(current + 2n)).to.deep.equal([end, end + 3n * 900n]);
    });

    it("treats a gate reached in the same block as closed, and keeps every earlier change", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      const current = await f.registry.currentSlot();
      await f.meter.connect(f.paramsSetter).setReadingWindow(3);
      // At exactly the gate of current + 2, that slot keeps 3 and the new value starts at current + 3.
      await time.setNextBlockTimestamp(await f.registry.gate(current + 2n));
      await expect(f.meter.connect(f.paramsSetter).setReadingWindow(5))
        .to.emit(f.meter, "ReadingWindowSet")
        .withArgs(3n, 5n, current + 3n);
      expect(await f.meter.readingWindowSlotsOf(current + 1n)).to.equal(1n);
      expect(await f.meter.readingWindowSlotsOf(current + 2n)).to.equal(3n);
      expect(await f.meter.readingWindowSlotsOf(current + 3n)).to.equal(5n);
    });

    it("refuses 0 and more than 96 slots", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      for (const value of [0n, 97n]) {
        await expect(f.meter.connect(f.paramsSetter).setReadingWindow(value))
          .to.be.revertedWithCustomError(f.meter, "InvalidParameter")
          .withArgs(ethers.encodeBytes32String("readingWindow"), value);
      }
      await expect(f.meter.connect(f.paramsSetter).setReadingWindow(96)).to.emit(f.meter, "ReadingWindowSet");
    });
  });

  describe("setMaxExclusions", function () {
    it("sets the limit and emits ParameterSet", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      await expect(f.meter.connect(f.paramsSetter).setMaxExclusions(256))
        .to.emit(f.meter, "ParameterSet")
        .withArgs(ethers.encodeBytes32String("maxExclusions"), 64n, 256n);
      expect(await f.meter.maxExclusions()).to.equal(256n);
    });

    it("refuses 0 and more than 256", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      for (const value of [0n, 257n]) {
        await expect(f.meter.connect(f.paramsSetter).setMaxExclusions(value))
          .to.be.revertedWithCustomError(f.meter, "InvalidParameter")
          .withArgs(ethers.encodeBytes32String("maxExclusions"), value);
      }
    });
  });

  describe("submitReading", function () {
    it("accepts a meter-signed reading, records it with its position and counts its imbalance", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      const reading = f.reading(f.p1, 100n, 900n);
      const positionWh = await positionWhOf(f, f.p1.address, f.slot);
      expect(positionWh).to.be.greaterThan(0n);
      const imbalanceWh = 900n - 100n - positionWh;
      await expect(submit(f, reading))
        .to.emit(f.meter, "ReadingAccepted")
        .withArgs(f.p1.address, 1, f.slot, 100n, 900n, imbalanceWh);
      const record = await f.meter.meterRecord(f.p1.address, f.slot);
      expect(record.status).to.equal(Status.Read);
      expect(record.excluded).to.equal(false);
      expect([record.importWh, record.exportWh, record.maxImportWh]).to.deep.equal([100n, 900n, IMPORT_WH]);
      expect([record.positionWh, record.imbalanceWh]).to.deep.equal([positionWh, imbalanceWh]);
      const meter = await f.meter.slotMeter(1, f.slot);
      expect(meter.digest).to.equal(nextDigest(ethers.ZeroHash, reading, false));
      expect([meter.readings, meter.readingsWithOrders, meter.missing]).to.deep.equal([1n, 1n, 0n]);
      expect(meter.surplusWh).to.equal(imbalanceWh > 0n ? imbalanceWh : 0n);
      expect(meter.deficitWh).to.equal(imbalanceWh < 0n ? -imbalanceWh : 0n);
    });

    it("counts a reading of an account without orders with P = 0, not among the readings with orders", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      await expect(submit(f, f.reading(f.p2, 300n, 100n)))
        .to.emit(f.meter, "ReadingAccepted")
        .withArgs(f.p2.address, 1, f.slot, 300n, 100n, -200n);
      const meter = await f.meter.slotMeter(1, f.slot);
      expect([meter.readings, meter.readingsWithOrders, meter.deficitWh]).to.deep.equal([1n, 0n, 200n]);
      expect((await f.meter.meterRecord(f.p2.address, f.slot)).positionWh).to.equal(0n);
    });

    it("accepts readings at capacity, from the window's first second to its last", async function () {
      const f = await loadFixture(deployMeterBaseFixture);
      const [opensAt, closesAt] = await f.meter.readingWindowOf(f.slot);
      await time.setNextBlockTimestamp(opensAt);
      await expect(submit(f, f.reading(f.p1, IMPORT_WH, EXPORT_WH))).to.emit(f.meter, "ReadingAccepted");
      await time.setNextBlockTimestamp(closesAt - 1n);
      await expect(submit(f, f.reading(f.c1, IMPORT_WH, 0n))).to.emit(f.meter, "ReadingAccepted");
      await expect(submit(f, f.reading(f.p2, 1n, 0n)))
        .to.be.revertedWithCustomError(f.meter, "ReadingWindowClosed")
        .withArgs(f.slot, closesAt);
    });

    it("accepts readings while the suite is paused", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      await f.registry.connect(f.pauser).pause();
      await expect(submit(f, f.reading(f.c1, 500n, 0n))).to.emit(f.meter, "ReadingAccepted");
    });

    it("keeps the first reading when a retry or a different reading follows", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      const first = f.reading(f.c1, 500n, 0n);
      const signature = await f.sign(first);
      await f.meter.submitReading(first, signature);
      await expect(f.meter.submitReading(first, signature))
        .to.be.revertedWithCustomError(f.meter, "ReadingExists")
        .withArgs(f.c1.address, f.slot);
      expect((await f.meter.meterRecord(f.c1.address, f.slot)).importWh).to.equal(500n);
      expect((await f.meter.readingDigest(1, f.slot))[1]).to.equal(1n);
    });

    it("refuses a participant registered after the slot (no meter key then)", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      const late = ethers.Wallet.createRandom();
      const lateMeter = meterWallet("late");
      await f.registry
        .connect(f.registrar)
        .registerParticipant(late.address, Kind.Consumer, 1, lateMeter.address, IMPORT_WH, 0n);
      const reading = f.reading(late.address, 1n, 0n);
      await expect(f.meter.submitReading(reading, await signReading(lateMeter, f.domain, reading)))
        .to.be.revertedWithCustomError(f.meter, "UnknownParticipant")
        .withArgs(late.address, f.slot);
    });

    for (const refusal of REFUSALS) {
      it(`refuses ${refusal.title} with ${refusal.error}`, async function () {
        const f = await loadFixture(fixtureAt(refusal.at));
        if (refusal.before) await refusal.before(f);
        const { reading, signature } = await refusal.build(f);
        await expect(f.meter.submitReading(reading, signature))
          .to.be.revertedWithCustomError(f.meter, refusal.error)
          .withArgs(...(await refusal.args(f, reading, signature)));
      });
    }
  });

  describe("submitReadings", function () {
    it("accepts a batch in order, returns the number accepted and chains the digest", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      const readings = [f.reading(f.c1, 700n, 0n), f.reading(f.p1, 0n, 800n), f.reading(f.p2, 10n, 20n)];
      const signatures = await Promise.all(readings.map((r) => f.sign(r)));
      expect(await f.meter.submitReadings.staticCall(readings, signatures)).to.equal(3n);
      await f.meter.submitReadings(readings, signatures);
      const reference = new MeterSlotReference();
      for (const r of readings) {
        const positionWh = await positionWhOf(f, r.participant, f.slot);
        const hasOrders = (await f.market.positionOf(r.participant, f.slot)).liveOrders > 0n;
        reference.accept(r, false, IMPORT_WH, positionWh, hasOrders);
      }
      const meter = await f.meter.slotMeter(1, f.slot);
      expect(meter.digest).to.equal(reference.digest);
      expect([meter.readings, meter.readingsWithOrders]).to.deep.equal([3n, 2n]);
      const { surplusWh, deficitWh } = reference.totals();
      expect([meter.surplusWh, meter.deficitWh]).to.deep.equal([surplusWh, deficitWh]);
      expect(await f.meter.readingDigest(1, f.slot)).to.deep.equal([reference.digest, 3n]);
    });

    it("reverts when readings and signatures differ in length", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      const reading = f.reading(f.c1, 700n, 0n);
      await expect(f.meter.submitReadings([reading, reading], [await f.sign(reading)]))
        .to.be.revertedWithCustomError(f.meter, "LengthMismatch")
        .withArgs(2n, 1n);
    });

    it("accepts an empty batch", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      expect(await f.meter.submitReadings.staticCall([], [])).to.equal(0n);
    });

    for (const refusal of REFUSALS) {
      it(`skips ${refusal.title} with ReadingSkipped(${refusal.error}) and accepts the rest`, async function () {
        const f = await loadFixture(fixtureAt(refusal.at));
        if (refusal.before) await refusal.before(f);
        const goodSlot = refusal.at === "slot" ? f.slot : f.slot + 1n;
        const [, countBefore] = await f.meter.readingDigest(1, goodSlot);
        const bad = await refusal.build(f);
        const good1 = await signed(f, f.reading(f.p1, 0n, 500n, goodSlot));
        const good2 = await signed(f, f.reading(f.p2, 40n, 0n, goodSlot));
        const batch = [good1, bad, good2];
        const readings = batch.map((b) => b.reading);
        const signatures = batch.map((b) => b.signature);
        expect(await f.meter.submitReadings.staticCall(readings, signatures)).to.equal(2n);
        const selector = f.meter.interface.getError(refusal.error)!.selector;
        await expect(f.meter.submitReadings(readings, signatures))
          .to.emit(f.meter, "ReadingSkipped")
          .withArgs(bad.reading.participant, bad.reading.slot, selector);
        expect((await f.meter.readingDigest(1, goodSlot))[1]).to.equal(countBefore + 2n);
        expect((await f.meter.meterRecord(f.p1.address, goodSlot)).status).to.equal(Status.Read);
        expect((await f.meter.meterRecord(f.p2.address, goodSlot)).status).to.equal(Status.Read);
      });
    }
  });

  describe("meter rotation", function () {
    /** The meter fixture with a reading window of 2 slots and p1's meter rotated to `new` from `slot + 1`. */
    async function rotatedFixture() {
      const f = await deployMeterSetupFixture();
      await f.meter.connect(f.paramsSetter).setReadingWindow(2);
      const newMeter = meterWallet("p1-new");
      await f.registry.connect(f.registrar).rotateMeter(f.p1.address, newMeter.address, f.slot + 1n);
      await time.increaseTo(await f.registry.gate(f.slot + 1n));
      await clearAll(f.market, 1, f.slot);
      await clearAll(f.market, 1, f.slot + 1n);
      // In the window of slot + 1, which is also the second slot of the window of slot.
      await time.increaseTo(await f.registry.slotEnd(f.slot + 1n));
      return { ...f, oldMeter: f.meters.get(f.p1.address)!, newMeter };
    }

    it("checks each slot's reading against the key valid for that slot", async function () {
      const f = await loadFixture(rotatedFixture);
      const earlier = f.reading(f.p1, 1n, 2n, f.slot);
      const later = f.reading(f.p1, 3n, 4n, f.slot + 1n);
      await expect(f.meter.submitReading(later, await signReading(f.oldMeter, f.domain, later)))
        .to.be.revertedWithCustomError(f.meter, "WrongMeterKey")
        .withArgs(f.p1.address, f.slot + 1n, f.oldMeter.address, f.newMeter.address);
      await expect(f.meter.submitReading(earlier, await signReading(f.newMeter, f.domain, earlier)))
        .to.be.revertedWithCustomError(f.meter, "WrongMeterKey")
        .withArgs(f.p1.address, f.slot, f.newMeter.address, f.oldMeter.address);
      await expect(f.meter.submitReading(earlier, await signReading(f.oldMeter, f.domain, earlier))).to.emit(
        f.meter,
        "ReadingAccepted",
      );
      await expect(f.meter.submitReading(later, await signReading(f.newMeter, f.domain, later))).to.emit(
        f.meter,
        "ReadingAccepted",
      );
    });
  });

  describe("submitSubstitute", function () {
    it("accepts the registrar's estimate, marked as a substitute in the record and the digest", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      const reading = f.reading(f.c1, 650n, 0n);
      const imbalanceWh = await imbalanceFor(f, reading);
      await expect(f.meter.connect(f.registrar).submitSubstitute(reading))
        .to.emit(f.meter, "SubstituteAccepted")
        .withArgs(f.c1.address, 1, f.slot, 650n, 0n, imbalanceWh);
      expect((await f.meter.meterRecord(f.c1.address, f.slot)).status).to.equal(Status.Substitute);
      const [digest, count] = await f.meter.readingDigest(1, f.slot);
      expect(count).to.equal(1n);
      expect(digest).to.equal(nextDigest(ethers.ZeroHash, reading, true));
      expect(digest).to.not.equal(nextDigest(ethers.ZeroHash, reading, false));
      expect((await f.meter.slotMeter(1, f.slot)).readingsWithOrders).to.equal(1n);
    });

    it("blocks a later meter reading of the same participant-slot", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      await f.meter.connect(f.registrar).submitSubstitute(f.reading(f.c1, 650n, 0n));
      await expect(submit(f, f.reading(f.c1, 600n, 0n)))
        .to.be.revertedWithCustomError(f.meter, "ReadingExists")
        .withArgs(f.c1.address, f.slot);
    });

    for (const refusal of REFUSALS.filter((r) => r.substitute)) {
      it(`refuses ${refusal.title} with ${refusal.error}`, async function () {
        const f = await loadFixture(fixtureAt(refusal.at));
        if (refusal.before) await refusal.before(f);
        const { reading, signature } = await refusal.build(f);
        await expect(f.meter.connect(f.registrar).submitSubstitute(reading))
          .to.be.revertedWithCustomError(f.meter, refusal.error)
          .withArgs(...(await refusal.args(f, reading, signature)));
      });
    }
  });

  describe("accountMissing", function () {
    it("accounts an account with orders and no reading as export 0, import maxImportWh", async function () {
      const f = await loadFixture(deployNextWindowFixture);
      const positionWh = await positionWhOf(f, f.p1.address, f.slot);
      const imbalanceWh = -IMPORT_WH - positionWh;
      await expect(f.meter.accountMissing(1, f.slot, [f.p1.address]))
        .to.emit(f.meter, "AccountedMissing")
        .withArgs(f.p1.address, 1, f.slot, IMPORT_WH, imbalanceWh);
      const record = await f.meter.meterRecord(f.p1.address, f.slot);
      expect([record.status, record.excluded]).to.deep.equal([Status.Missing, false]);
      expect([record.importWh, record.exportWh, record.positionWh, record.imbalanceWh]).to.deep.equal([
        IMPORT_WH,
        0n,
        positionWh,
        imbalanceWh,
      ]);
      const meter = await f.meter.slotMeter(1, f.slot);
      expect([meter.missing, meter.surplusWh, meter.deficitWh]).to.deep.equal([1n, 0n, -imbalanceWh]);
      expect(meter.proposableAt).to.equal(0n);
      expect(await f.meter.isProposable(1, f.slot)).to.equal(false);
    });

    it("makes the microgrid-slot proposable when it accounts the last account with orders", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      await submit(f, f.reading(f.c1, 700n, 0n));
      await submit(f, f.reading(f.p2, 0n, 50n));
      await time.increaseTo(await f.registry.slotEnd(f.slot + 1n));
      const reference = new MeterSlotReference();
      for (const r of [f.reading(f.c1, 700n, 0n), f.reading(f.p2, 0n, 50n)]) {
        const positionWh = await positionWhOf(f, r.participant, f.slot);
        reference.accept(r, false, IMPORT_WH, positionWh, r.participant === f.c1.address);
      }
      reference.accountMissing(f.p1.address, IMPORT_WH, await positionWhOf(f, f.p1.address, f.slot));
      const tx = f.meter.accountMissing(1, f.slot, [f.p1.address]);
      await expect(tx).to.emit(f.meter, "SlotProposable");
      const at = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const meter = await f.meter.slotMeter(1, f.slot);
      expect(meter.proposableAt).to.equal(at);
      expect(await f.meter.isProposable(1, f.slot)).to.equal(true);
      const { surplusWh, deficitWh } = reference.totals();
      expect([meter.surplusWh, meter.deficitWh]).to.deep.equal([surplusWh, deficitWh]);
      expect([meter.readingsWithOrders, meter.missing]).to.deep.equal([1n, 1n]);
    });

    it("refuses before the reading window closed", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      await expect(f.meter.accountMissing(1, f.slot, [f.p1.address]))
        .to.be.revertedWithCustomError(f.meter, "ReadingWindowNotClosed")
        .withArgs(f.slot, (await f.registry.slotEnd(f.slot)) + 900n);
    });

    it("refuses a microgrid-slot whose clearing is not done", async function () {
      const f = await loadFixture(deployNextWindowFixture);
      await expect(f.meter.accountMissing(3, f.slot, [f.p4.address]))
        .to.be.revertedWithCustomError(f.meter, "ClearingNotDone")
        .withArgs(3, f.slot);
    });

    it("refuses an account of another microgrid, or none", async function () {
      const f = await loadFixture(deployNextWindowFixture);
      await expect(f.meter.accountMissing(1, f.slot, [f.p3.address]))
        .to.be.revertedWithCustomError(f.meter, "NotInMicrogrid")
        .withArgs(f.p3.address, 1);
      await expect(f.meter.accountMissing(1, f.slot, [f.stranger.address]))
        .to.be.revertedWithCustomError(f.meter, "NotInMicrogrid")
        .withArgs(f.stranger.address, 1);
    });

    it("refuses an account without orders in the slot", async function () {
      const f = await loadFixture(deployNextWindowFixture);
      await expect(f.meter.accountMissing(1, f.slot, [f.p2.address]))
        .to.be.revertedWithCustomError(f.meter, "NoOrders")
        .withArgs(f.p2.address, f.slot);
    });

    it("refuses an account already read, or listed twice", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      await submit(f, f.reading(f.c1, 700n, 0n));
      await time.increaseTo(await f.registry.slotEnd(f.slot + 1n));
      await expect(f.meter.accountMissing(1, f.slot, [f.c1.address]))
        .to.be.revertedWithCustomError(f.meter, "AlreadyAccounted")
        .withArgs(f.c1.address, f.slot, Status.Read);
      await expect(f.meter.accountMissing(1, f.slot, [f.p1.address, f.p1.address]))
        .to.be.revertedWithCustomError(f.meter, "AlreadyAccounted")
        .withArgs(f.p1.address, f.slot, Status.Missing);
    });

    it("refuses a finalized microgrid-slot", async function () {
      const f = await loadFixture(deployNextWindowFixture);
      await f.meter.accountMissing(1, f.slot, [f.p1.address, f.c1.address]);
      await f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, []);
      await expect(f.meter.accountMissing(1, f.slot, [f.p1.address]))
        .to.be.revertedWithCustomError(f.meter, "AlreadyFinalized")
        .withArgs(1, f.slot);
    });
  });

  describe("finalizeMeterData", function () {
    /** Slot read by p1 (export), c1 (import) and p2 (no orders), c1's a substitute; the window has closed. */
    async function readFixture() {
      const f = await deploySlotWindowFixture();
      const readings = [f.reading(f.p1, 20n, 900n), f.reading(f.c1, 700n, 0n), f.reading(f.p2, 0n, 50n)];
      await submit(f, readings[0]);
      await f.meter.connect(f.registrar).submitSubstitute(readings[1]);
      await submit(f, readings[2]);
      const reference = new MeterSlotReference();
      for (const [i, r] of readings.entries()) {
        const positionWh = await positionWhOf(f, r.participant, f.slot);
        reference.accept(r, i === 1, IMPORT_WH, positionWh, r.participant !== f.p2.address);
      }
      await time.increaseTo(await f.registry.slotEnd(f.slot + 1n));
      return { ...f, reference };
    }

    it("fixes the meter data without exclusions and records the time", async function () {
      const f = await loadFixture(readFixture);
      const { surplusWh, deficitWh } = f.reference.totals();
      await expect(f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, []))
        .to.emit(f.meter, "MeterDataFinalized")
        .withArgs(1, f.slot, f.reference.digest, 3n, 0n, surplusWh, deficitWh);
      const at = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      const meter = await f.meter.slotMeter(1, f.slot);
      expect(meter.finalizedAt).to.equal(at);
      expect(meter.proposableAt).to.equal((await f.meter.readingWindowOf(f.slot))[1]);
    });

    it("turns excluded readings (signed, substitute, without orders) into missing ones and moves the totals exactly", async function () {
      const f = await loadFixture(readFixture);
      const excluded = [f.p1.address, f.c1.address, f.p2.address];
      const before = new Map<string, bigint>();
      for (const account of excluded) before.set(account, imbalanceOf(f.reference.records.get(account)!));
      for (const account of excluded) f.reference.exclude(account);
      const { surplusWh, deficitWh } = f.reference.totals();
      const tx = f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, excluded);
      for (const account of excluded) {
        await expect(tx)
          .to.emit(f.meter, "ReadingExcluded")
          .withArgs(account, 1, f.slot, before.get(account)!, imbalanceOf(f.reference.records.get(account)!));
      }
      await expect(tx)
        .to.emit(f.meter, "MeterDataFinalized")
        .withArgs(1, f.slot, f.reference.digest, 3n, 3n, surplusWh, deficitWh);
      const meter = await f.meter.slotMeter(1, f.slot);
      expect([meter.surplusWh, meter.deficitWh]).to.deep.equal([surplusWh, deficitWh]);
      expect([meter.readings, meter.readingsWithOrders, meter.missing]).to.deep.equal([3n, 2n, 0n]);
      for (const account of excluded) {
        const record = await f.meter.meterRecord(account, f.slot);
        const ref = f.reference.records.get(account)!;
        expect([record.status, record.excluded]).to.deep.equal([Status.Missing, true]);
        expect([record.importWh, record.exportWh, record.imbalanceWh]).to.deep.equal([
          IMPORT_WH,
          0n,
          imbalanceOf(ref),
        ]);
      }
    });

    it("refuses before the microgrid-slot is proposable", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      await expect(f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, []))
        .to.be.revertedWithCustomError(f.meter, "NotProposable")
        .withArgs(1, f.slot);
      await time.increaseTo(await f.registry.slotEnd(f.slot + 1n));
      // p1 and c1 have orders and are neither read nor accounted missing.
      await expect(f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, []))
        .to.be.revertedWithCustomError(f.meter, "NotProposable")
        .withArgs(1, f.slot);
    });

    it("refuses a second finalization", async function () {
      const f = await loadFixture(readFixture);
      await f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, []);
      await expect(f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, []))
        .to.be.revertedWithCustomError(f.meter, "AlreadyFinalized")
        .withArgs(1, f.slot);
    });

    it("refuses more exclusions than maxExclusions", async function () {
      const f = await loadFixture(readFixture);
      await f.meter.connect(f.paramsSetter).setMaxExclusions(1);
      await expect(f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, [f.p1.address, f.c1.address]))
        .to.be.revertedWithCustomError(f.meter, "TooManyExclusions")
        .withArgs(2n, 1n);
    });

    it("refuses to exclude an account of another microgrid", async function () {
      const f = await loadFixture(readFixture);
      await expect(f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, [f.p3.address]))
        .to.be.revertedWithCustomError(f.meter, "NotInMicrogrid")
        .withArgs(f.p3.address, 1);
    });

    it("refuses to exclude an account without accepted reading, or twice", async function () {
      const f = await loadFixture(deployNextWindowFixture);
      await f.meter.accountMissing(1, f.slot, [f.p1.address, f.c1.address]);
      const finalize = (excluded: string[]) =>
        f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, excluded);
      await expect(finalize([f.p1.address]))
        .to.be.revertedWithCustomError(f.meter, "NotExcludable")
        .withArgs(f.p1.address, f.slot, Status.Missing);
      await expect(finalize([f.p2.address]))
        .to.be.revertedWithCustomError(f.meter, "NotExcludable")
        .withArgs(f.p2.address, f.slot, Status.None);
    });

    it("refuses an account listed twice among the exclusions", async function () {
      const f = await loadFixture(readFixture);
      await expect(f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, [f.p2.address, f.p2.address]))
        .to.be.revertedWithCustomError(f.meter, "NotExcludable")
        .withArgs(f.p2.address, f.slot, Status.Missing);
    });
  });

  describe("isProposable", function () {
    it("is false until the window closes, then true from the close when every account with orders was read", async function () {
      const f = await loadFixture(deploySlotWindowFixture);
      await submit(f, f.reading(f.p1, 0n, 700n));
      await submit(f, f.reading(f.c1, 700n, 0n));
      expect(await f.meter.isProposable(1, f.slot)).to.equal(false);
      expect((await f.meter.slotMeter(1, f.slot)).proposableAt).to.equal(0n);
      const [, closesAt] = await f.meter.readingWindowOf(f.slot);
      await time.increaseTo(closesAt);
      expect(await f.meter.isProposable(1, f.slot)).to.equal(true);
      expect((await f.meter.slotMeter(1, f.slot)).proposableAt).to.equal(closesAt);
    });

    it("is true at the close for a microgrid-slot without orders", async function () {
      const f = await loadFixture(deployNextWindowFixture);
      const [, closesAt] = await f.meter.readingWindowOf(f.slot + 1n);
      expect(await f.meter.isProposable(2, f.slot + 1n)).to.equal(false);
      await time.increaseTo(closesAt);
      expect(await f.meter.isProposable(2, f.slot + 1n)).to.equal(true);
      expect((await f.meter.slotMeter(2, f.slot + 1n)).proposableAt).to.equal(closesAt);
    });

    it("is false while clearing is not done, whatever the time", async function () {
      const f = await loadFixture(deployNextWindowFixture);
      expect(await f.meter.isProposable(3, f.slot)).to.equal(false);
    });
  });

  describe("views", function () {
    it("readingWindowOf gives [slotEnd, slotEnd + readingWindow · slotLength)", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      const end = await f.registry.slotEnd(f.slot);
      expect(await f.meter.readingWindowOf(f.slot)).to.deep.equal([end, end + 900n]);
    });

    it("readingHash equals the TS EIP-712 hash and the signature recovers to the meter", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      const reading = f.reading(f.c1, 123n, 0n);
      const hash = await f.meter.readingHash(reading);
      expect(hash).to.equal(readingHash(f.domain, reading));
      expect(ethers.recoverAddress(hash, await f.sign(reading))).to.equal(
        f.meters.get(f.c1.address)!.address,
      );
    });

    it("meterRecord and slotMeter are empty for what was never read", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      const record = await f.meter.meterRecord(f.c1.address, f.slot);
      expect(record.status).to.equal(Status.None);
      expect([record.importWh, record.maxImportWh, record.imbalanceWh]).to.deep.equal([0n, 0n, 0n]);
      expect(await f.meter.readingDigest(1, f.slot)).to.deep.equal([ethers.ZeroHash, 0n]);
    });

    it("deploys independently for a second suite contract (another domain)", async function () {
      const f = await loadFixture(deployMeterSetupFixture);
      const other = await deployMeterReadings(f, f.consensus);
      const reading = f.reading(f.c1, 1n, 0n);
      expect(await other.readingHash(reading)).to.not.equal(await f.meter.readingHash(reading));
    });
  });
});
