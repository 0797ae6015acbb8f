// Unit tests of the SortedValidators storage library through its harness.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

import { fcOptions } from "../trust/fixtures";

const ZERO = ethers.ZeroAddress;
/** Addresses in increasing order. */
const A = "0x000000000000000000000000000000000000000A";
const B = "0x000000000000000000000000000000000000000b";
const C = "0x000000000000000000000000000000000000000C";
const D = "0x000000000000000000000000000000000000000d";

async function emptyList() {
  return { list: await ethers.deployContract("SortedValidatorsHarness") };
}

/** A (key 30), B (key 20), C (key 10). */
async function threeEntries() {
  const { list } = await emptyList();
  await list.insert(A, 30n, ZERO, ZERO);
  await list.insert(B, 20n, A, ZERO);
  await list.insert(C, 10n, B, ZERO);
  return { list };
}

async function ids(list: Awaited<ReturnType<typeof emptyList>>["list"]): Promise<string[]> {
  return (await list.toArray())[0].map((a) => ethers.getAddress(a));
}

describe("SortedValidators", function () {
  describe("precedes", function () {
    it("orders by key descending, then by the lower address", async function () {
      const { list } = await loadFixture(emptyList);
      expect(await list.precedes(2n, B, 1n, A)).to.equal(true);
      expect(await list.precedes(1n, A, 2n, B)).to.equal(false);
      expect(await list.precedes(1n, A, 1n, B)).to.equal(true);
      expect(await list.precedes(1n, B, 1n, A)).to.equal(false);
      expect(await list.precedes(1n, A, 1n, A)).to.equal(false);
    });
  });

  describe("insert", function () {
    it("links head, middle and tail entries both ways", async function () {
      const { list } = await loadFixture(threeEntries);
      await list.insert(D, 15n, B, C);
      expect(await ids(list)).to.deep.equal([A, B, D, C]);
      expect(await list.ends()).to.deep.equal([A, C, 4n]);
      const d = await list.node(D);
      expect([d.prev, d.next, d.key]).to.deep.equal([B, C, 15n]);
      expect((await list.node(C)).prev).to.equal(D);
      expect((await list.node(B)).next).to.equal(D);
    });

    it("refuses the zero id, key zero and an id listed already", async function () {
      const { list } = await loadFixture(threeEntries);
      await expect(list.insert(ZERO, 1n, C, ZERO)).to.be.revertedWithCustomError(
        list,
        "SortedValidatorsZeroId",
      );
      await expect(list.insert(D, 0n, C, ZERO))
        .to.be.revertedWithCustomError(list, "SortedValidatorsZeroKey")
        .withArgs(D);
      await expect(list.insert(B, 5n, C, ZERO))
        .to.be.revertedWithCustomError(list, "SortedValidatorsAlreadyListed")
        .withArgs(B);
    });

    it("refuses each kind of bad hint", async function () {
      const { list } = await loadFixture(threeEntries);
      await expect(list.insert(D, 15n, C, ZERO))
        .to.be.revertedWithCustomError(list, "SortedValidatorsBadPrevHint")
        .withArgs(C);
      await expect(list.insert(D, 15n, D, C))
        .to.be.revertedWithCustomError(list, "SortedValidatorsBadPrevHint")
        .withArgs(D);
      await expect(list.insert(D, 15n, B, A))
        .to.be.revertedWithCustomError(list, "SortedValidatorsBadNextHint")
        .withArgs(A);
      await expect(list.insert(D, 15n, ZERO, ZERO))
        .to.be.revertedWithCustomError(list, "SortedValidatorsHintsNotAdjacent")
        .withArgs(ZERO, ZERO);
      // An equal key: D ranks after B (higher address) and C has a lower key.
      await expect(list.insert(D, 20n, ZERO, B))
        .to.be.revertedWithCustomError(list, "SortedValidatorsBadNextHint")
        .withArgs(B);
      await list.insert(D, 20n, B, C);
      expect(await ids(list)).to.deep.equal([A, B, D, C]);
    });
  });

  describe("remove", function () {
    it("unlinks the head, a middle entry and the tail", async function () {
      const { list } = await loadFixture(threeEntries);
      await list.remove(B);
      expect(await ids(list)).to.deep.equal([A, C]);
      await list.remove(A);
      expect(await list.ends()).to.deep.equal([C, C, 1n]);
      await list.remove(C);
      expect(await list.ends()).to.deep.equal([ZERO, ZERO, 0n]);
      expect(await list.contains(C)).to.equal(false);
    });

    it("refuses an id that is not listed", async function () {
      const { list } = await loadFixture(threeEntries);
      await expect(list.remove(D))
        .to.be.revertedWithCustomError(list, "SortedValidatorsNotListed")
        .withArgs(D);
    });
  });

  describe("reposition", function () {
    it("moves an entry with hints taken without it", async function () {
      const { list } = await loadFixture(threeEntries);
      await list.reposition(C, 40n, ZERO, A);
      expect(await ids(list)).to.deep.equal([C, A, B]);
      await list.reposition(C, 25n, A, B);
      expect(await ids(list)).to.deep.equal([A, C, B]);
      await expect(list.reposition(C, 5n, B, C))
        .to.be.revertedWithCustomError(list, "SortedValidatorsBadNextHint")
        .withArgs(C);
      await expect(list.reposition(D, 5n, B, ZERO))
        .to.be.revertedWithCustomError(list, "SortedValidatorsNotListed")
        .withArgs(D);
    });
  });

  describe("findPosition", function () {
    it("gives hints that insert accepts, for random keys", async function () {
      const { list } = await loadFixture(emptyList);
      const keys = fc.sample(fc.bigInt(1n, 6n), fcOptions(24));
      const addresses = keys.map((_, i) =>
        ethers.getAddress(ethers.toBeHex(0x1000 + ((i * 7919) % 101), 20)),
      );
      for (const [i, key] of keys.entries()) {
        const [p, n] = await list.findPosition(addresses[i], key);
        await list.insert(addresses[i], key, p, n);
      }
      const [listed, listedKeys] = await list.toArray();
      const expected = addresses
        .map((a, i) => ({ a, k: keys[i] }))
        .sort((x, y) => (x.k !== y.k ? (x.k > y.k ? -1 : 1) : BigInt(x.a) < BigInt(y.a) ? -1 : 1));
      expect(listed.map((a) => ethers.getAddress(a))).to.deep.equal(expected.map((e) => e.a));
      expect([...listedKeys]).to.deep.equal(expected.map((e) => e.k));
    });
  });
});
