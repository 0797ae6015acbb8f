// Tests of the two-level tick bitmap against a plain set model.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

const NONE = 65_536n;
const MAX_TICK = 65_535;

async function deployFixture() {
  const harness = await ethers.deployContract("TickBitmapHarness");
  return { harness };
}

/** Smallest member of `set` at or above `from`, or NONE. */
function modelNext(set: Set<number>, from: number): bigint {
  let best = Number(NONE);
  for (const t of set) if (t >= from && t < best) best = t;
  return BigInt(best);
}

describe("TickBitmap", function () {
  describe("set", function () {
    it("adds ticks at word and leaf boundaries and marks their leaves in the root", async function () {
      const { harness } = await loadFixture(deployFixture);
      for (const t of [0n, 255n, 256n, 65_280n, 65_535n]) await harness.set(t);
      expect(await harness.root()).to.equal(1n + 2n + 2n ** 255n);
      await harness.set(255n);
      expect(await harness.nextAtOrAfter(1n)).to.equal(255n);
    });
  });

  describe("nextAtOrAfter", function () {
    it("finds the next tick within a leaf, across leaves, and none past the end", async function () {
      const { harness } = await loadFixture(deployFixture);
      for (const t of [0n, 255n, 256n, 65_280n, 65_535n]) await harness.set(t);
      expect(await harness.nextAtOrAfter(0n)).to.equal(0n);
      expect(await harness.nextAtOrAfter(1n)).to.equal(255n);
      expect(await harness.nextAtOrAfter(256n)).to.equal(256n);
      expect(await harness.nextAtOrAfter(257n)).to.equal(65_280n);
      expect(await harness.nextAtOrAfter(65_281n)).to.equal(65_535n);
      expect(await harness.nextAtOrAfter(65_536n)).to.equal(NONE);
      expect(await harness.nextAtOrAfter(2n ** 255n)).to.equal(NONE);
    });

    it("reports none on an empty set", async function () {
      const { harness } = await loadFixture(deployFixture);
      expect(await harness.nextAtOrAfter(0n)).to.equal(NONE);
    });
  });

  describe("last", function () {
    it("finds the largest tick, or none on an empty set", async function () {
      const { harness } = await loadFixture(deployFixture);
      expect(await harness.last()).to.equal(NONE);
      await harness.set(511n);
      await harness.set(3n);
      expect(await harness.last()).to.equal(511n);
    });
  });

  describe("unset", function () {
    it("clears the root bit when a leaf empties, and only then", async function () {
      const { harness } = await loadFixture(deployFixture);
      await harness.set(300n);
      await harness.set(301n);
      await harness.unset(300n);
      expect(await harness.root()).to.equal(2n);
      await harness.unset(301n);
      expect(await harness.root()).to.equal(0n);
      expect(await harness.last()).to.equal(NONE);
    });
  });

  describe("applyOps and nextAtOrAfterMany (property)", function () {
    it("agrees with a set model under random sets and unsets", async function () {
      const tickArb = fc.oneof(
        fc.integer({ min: 0, max: MAX_TICK }),
        fc.integer({ min: 0, max: 600 }),
        fc.constantFrom(0, 255, 256, 511, 512, 65_279, 65_280, 65_535),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(tickArb, fc.boolean()), { minLength: 1, maxLength: 60 }),
          fc.array(fc.integer({ min: 0, max: MAX_TICK + 1 }), { minLength: 1, maxLength: 20 }),
          async (ops, froms) => {
            const harness = await ethers.deployContract("TickBitmapHarness");
            await harness.applyOps(
              ops.map(([t]) => t),
              ops.map(([, add]) => add),
            );
            const model = new Set<number>();
            for (const [t, add] of ops) add ? model.add(t) : model.delete(t);
            const probes = [...froms, ...[...model].map((t) => t + 1), ...model];
            const answers = await harness.nextAtOrAfterMany(probes);
            probes.forEach((from, i) => expect(answers[i]).to.equal(modelNext(model, from)));
            const top = model.size === 0 ? NONE : BigInt(Math.max(...model));
            expect(await harness.last()).to.equal(top);
          },
        ),
        { numRuns: 60, seed: process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED) },
      );
    });
  });
});
