// The seeded PRNG of scripts/sim/rng.ts: reference outputs, determinism, ranges and rough distributions.
import { expect } from "chai";
import fc from "fast-check";
import { Rng, seedState } from "../../scripts/sim/rng";

describe("Rng", function () {
  describe("nextUint32", function () {
    it("matches the reference C xoshiro128** from state {1, 2, 3, 4}", function () {
      // Printed by Blackman and Vigna's xoshiro128starstar.c, compiled with gcc.
      const rng = Rng.fromState([1, 2, 3, 4]);
      const out = Array.from({ length: 6 }, () => rng.nextUint32());
      expect(out).to.deep.equal([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    });

    it("seeds from SplitMix64 exactly as the reference C seeding of seed 1 does", function () {
      // Reference: SplitMix64 from x = 1 gives 10451216379200822465 and 13757245211066428519.
      const a = 10451216379200822465n;
      const b = 13757245211066428519n;
      expect(seedState(1)).to.deep.equal([
        Number(a & 0xffffffffn),
        Number(a >> 32n),
        Number(b & 0xffffffffn),
        Number(b >> 32n),
      ]);
      const rng = new Rng(1);
      const out = Array.from({ length: 4 }, () => rng.nextUint32());
      expect(out).to.deep.equal([1695105466, 1423115009, 634581793, 1068227753]);
    });

    it("refuses a seed that is not an integer in [0, 2^32)", function () {
      expect(() => new Rng(-1)).to.throw(RangeError, /seed/);
      expect(() => new Rng(1.5)).to.throw(RangeError, /seed/);
      expect(() => new Rng(2 ** 32)).to.throw(RangeError, /seed/);
    });

    it("refuses an all-zero state, which would only ever produce zero", function () {
      expect(() => Rng.fromState([0, 0, 0, 0])).to.throw(RangeError, /all zero/);
    });
  });

  describe("determinism", function () {
    it("gives the same sequence for the same seed and a different one for another seed", function () {
      const draw = (seed: number) => {
        const rng = new Rng(seed);
        return [rng.uniform(), rng.int(1, 6), rng.normal(), rng.shuffle([1, 2, 3, 4, 5])];
      };
      expect(draw(42)).to.deep.equal(draw(42));
      expect(draw(42)).to.not.deep.equal(draw(43));
    });

    it("split gives an independent stream that does not depend on later draws of the parent", function () {
      const a = new Rng(7);
      const childA = a.split();
      a.uniform();
      const b = new Rng(7);
      const childB = b.split();
      expect([childA.uniform(), childA.uniform()]).to.deep.equal([childB.uniform(), childB.uniform()]);
    });
  });

  describe("uniform", function () {
    it("stays in [min, max) for any seed and bounds", function () {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          fc.double({ min: 0, max: 1e6, noNaN: true }),
          (seed, min, width) => {
            const rng = new Rng(seed);
            for (let i = 0; i < 20; i++) {
              const u = rng.uniform(min, min + width);
              expect(u).to.be.at.least(min);
              if (width > 0) expect(u).to.be.at.most(min + width);
            }
          },
        ),
        { seed: 20260621, numRuns: 200 },
      );
    });

    it("has mean near 1/2 and variance near 1/12 over many draws", function () {
      const rng = new Rng(3);
      const n = 100_000;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const u = rng.uniform();
        sum += u;
        sumSq += u * u;
      }
      const mean = sum / n;
      expect(mean).to.be.closeTo(0.5, 0.005);
      expect(sumSq / n - mean * mean).to.be.closeTo(1 / 12, 0.002);
    });

    it("refuses min above max", function () {
      expect(() => new Rng(1).uniform(2, 1)).to.throw(RangeError, /min 2 is above max 1/);
    });
  });

  describe("int", function () {
    it("hits every value of a small range about equally often, and nothing outside it", function () {
      const rng = new Rng(11);
      const counts = new Map<number, number>();
      for (let i = 0; i < 60_000; i++) {
        const k = rng.int(-2, 3);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      expect([...counts.keys()].sort((x, y) => x - y)).to.deep.equal([-2, -1, 0, 1, 2, 3]);
      for (const c of counts.values()) expect(c).to.be.closeTo(10_000, 500);
    });

    it("returns the only value of a one-element range", function () {
      expect(new Rng(5).int(9, 9)).to.equal(9);
    });

    it("refuses fractional bounds, reversed bounds and ranges above 2^32", function () {
      const rng = new Rng(1);
      expect(() => rng.int(0.5, 3)).to.throw(RangeError, /safe integers/);
      expect(() => rng.int(3, 2)).to.throw(RangeError, /above max/);
      expect(() => rng.int(0, 2 ** 32)).to.throw(RangeError, /exceeds 2\^32/);
    });
  });

  describe("normal", function () {
    it("has the requested mean and standard deviation over many draws", function () {
      const rng = new Rng(5);
      const n = 100_000;
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const z = rng.normal(10, 2);
        sum += z;
        sumSq += z * z;
      }
      const mean = sum / n;
      expect(mean).to.be.closeTo(10, 0.03);
      expect(Math.sqrt(sumSq / n - mean * mean)).to.be.closeTo(2, 0.03);
    });

    it("puts about 68 % of draws within one standard deviation", function () {
      const rng = new Rng(6);
      let inside = 0;
      for (let i = 0; i < 50_000; i++) if (Math.abs(rng.normal()) < 1) inside++;
      expect(inside / 50_000).to.be.closeTo(0.6827, 0.01);
    });

    it("refuses a negative standard deviation", function () {
      expect(() => new Rng(1).normal(0, -1)).to.throw(RangeError, /non-negative/);
    });
  });

  describe("pick", function () {
    it("returns elements of the array only, each of them eventually", function () {
      const rng = new Rng(8);
      const seen = new Set<string>();
      for (let i = 0; i < 200; i++) seen.add(rng.pick(["a", "b", "c"]));
      expect([...seen].sort()).to.deep.equal(["a", "b", "c"]);
    });

    it("refuses an empty array", function () {
      expect(() => new Rng(1).pick([])).to.throw(RangeError, /empty/);
    });
  });

  describe("shuffle", function () {
    it("returns a permutation and leaves its input untouched", function () {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.array(fc.integer()), (seed, items) => {
          const before = items.slice();
          const out = new Rng(seed).shuffle(items);
          expect(items).to.deep.equal(before);
          expect(out.slice().sort((a, b) => a - b)).to.deep.equal(before.sort((a, b) => a - b));
        }),
        { seed: 20260621, numRuns: 200 },
      );
    });

    it("puts each element in each position about equally often", function () {
      const rng = new Rng(9);
      const firstCounts = [0, 0, 0, 0];
      for (let i = 0; i < 40_000; i++) firstCounts[rng.shuffle([0, 1, 2, 3])[0]]++;
      for (const c of firstCounts) expect(c).to.be.closeTo(10_000, 400);
    });
  });
});
