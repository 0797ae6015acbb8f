/**
 * A small seeded pseudo-random number generator for the simulation: xoshiro128** (Blackman and Vigna,
 * https://prng.di.unimi.it/xoshiro128starstar.c), 128 bits of state, period 2^128 − 1, 32-bit outputs.
 * The state is filled from a 32-bit seed by SplitMix64 (the seeding its authors recommend): the first
 * two SplitMix64 outputs, low word first, give s[0..3]. Same seed, same sequence, on every platform.
 *
 * Not for cryptography: it only makes a simulation run repeatable.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const MASK_64 = (1n << 64n) - 1n;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The four 32-bit words of a xoshiro128 state drawn from a seed by SplitMix64. */
export function seedState(seed: number): [number, number, number, number] {
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32)
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  let x = BigInt(seed);
  const next64 = (): bigint => {
    x = (x + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    return z ^ (z >> 31n);
  };
  const a = next64();
  const b = next64();
  const lo = (v: bigint): number => Number(v & 0xffffffffn);
  const hi = (v: bigint): number => Number(v >> 32n);
  return [lo(a), hi(a), lo(b), hi(b)];
}

export class Rng {
  private readonly s: Uint32Array;
  private spareNormal: number | undefined;

  /** A generator for `seed` (an integer in [0, 2^32)). */
  constructor(seed: number) {
    this.s = Uint32Array.from(seedState(seed));
  }

  /** A generator started from an explicit state (not all zero); for tests against the reference code. */
  static fromState(state: readonly [number, number, number, number]): Rng {
    if (state.every((w) => w === 0)) throw new RangeError("xoshiro128** state must not be all zero");
    const rng = new Rng(0);
    rng.s.set(state.map((w) => w >>> 0));
    rng.spareNormal = undefined;
    return rng;
  }

  /** The next raw 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform number in [0, 1) with 53 random bits, or in [min, max) when bounds are given. */
  uniform(min = 0, max = 1): number {
    if (!(min <= max)) throw new RangeError(`uniform: min ${min} is above max ${max}`);
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    const u = (high * 67108864 + low) / TWO_POW_53;
    return min + (max - min) * u;
  }

  /** A uniform integer in [min, max], both included; unbiased (rejection sampling). */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max))
      throw new RangeError(`int: bounds must be safe integers, got ${min} and ${max}`);
    if (min > max) throw new RangeError(`int: min ${min} is above max ${max}`);
    const range = max - min + 1;
    if (range > TWO_POW_32) throw new RangeError(`int: range ${range} exceeds 2^32`);
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return min + (x % range);
  }

  /** A normal deviate (Box–Muller; the second deviate of each pair is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (!(sd >= 0)) throw new RangeError(`normal: standard deviation must be non-negative, got ${sd}`);
    let z: number;
    if (this.spareNormal !== undefined) {
      z = this.spareNormal;
      this.spareNormal = undefined;
    } else {
      const u1 = 1 - this.uniform(); // (0, 1]: the logarithm stays finite
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      z = r * Math.cos(2 * Math.PI * u2);
      this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    }
    return mean + sd * z;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick: the array is empty");
    return items[this.int(0, items.length - 1)];
  }

  /** A shuffled copy of `items` (Fisher–Yates); the input is left as it is. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /**
   * An independent generator derived from this one's next output, so that a part of the simulation
   * (say, profiles) keeps its draws when another part draws more or fewer numbers.
   */
  split(): Rng {
    return new Rng(this.nextUint32());
  }
}
