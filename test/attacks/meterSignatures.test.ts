// Attacks on the physical layer's data (SPEC §8.1), against the deployed suite: forged meter signatures,
// signatures replayed to another slot, chain or contract (and a second reading for a participant-slot),
// readings signed with a rotated-out key, and a consumer whose readings go missing. Each shows the attack
// fails and that the money identities hold afterwards. Unit-level versions: test/metering/MeterReadings.test.ts
// (submitReading/submitReadings refusals, "checks each slot's reading against the key valid for that slot",
// accountMissing).
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";

import { READING_TYPES, readingDomain, signReading, type Reading } from "../../scripts/lib/readings";
import {
  closeReadingWindow,
  deployedSuiteFixture,
  expectMoneyIdentities,
  finalizeWithCommittee,
  passGateAndClear,
  type Suite,
  placeStandardBook,
  signedReadings,
  toSlotEnd,
} from "../integration/suiteFixture";

/** As {@link twoClearedSlotsFixture}, with s1's meter rotated (the old device stolen) from the second slot on. */
async function rotatedMeterFixture() {
  const f = await deployedSuiteFixture();
  const newKey = Wallet.createRandom();
  await f.registry.rotateMeter(f.s1.address, newKey.address, (await f.registry.currentSlot()) + 4n);
  return { ...(await twoClearedSlots(f)), newKey };
}

/** Books of two consecutive slots, both cleared; time at the end of the first (its reading window open). */
async function twoClearedSlotsFixture() {
  return twoClearedSlots(await deployedSuiteFixture());
}

async function twoClearedSlots(f: Suite) {
  const slot = (await f.registry.currentSlot()) + 3n;
  await placeStandardBook(f, slot);
  await placeStandardBook(f, slot + 1n);
  await passGateAndClear(f, slot);
  await passGateAndClear(f, slot + 1n);
  await toSlotEnd(f, slot);
  const s1Sold = (await f.market.positionOf(f.s1.address, slot)).filledWh;
  const honest: Reading = { participant: f.s1.address, slot, importWh: 0n, exportWh: s1Sold };
  return { ...f, slot, honest };
}

describe("Attacks on meter readings (deployed suite)", function () {
  it("refuses forged meter signatures: a stranger's key, another participant's meter, a malformed signature", async function () {
    const f = await loadFixture(twoClearedSlotsFixture);
    const { meter, slot, honest } = f;
    const domain = await readingDomain(meter);
    const meterKey = f.meters.get(f.s1.address)!.address;
    // Inflating the seller's export with a key of the attacker's choosing.
    const inflated = { ...honest, exportWh: 5_000n };
    const stranger = Wallet.createRandom();
    await expect(meter.submitReading(inflated, await signReading(stranger, domain, inflated)))
      .to.be.revertedWithCustomError(meter, "WrongMeterKey")
      .withArgs(f.s1.address, slot, stranger.address, meterKey);
    // A participant's own (genuine) meter cannot sign for a neighbour.
    const neighbour = f.meters.get(f.b1.address)!;
    await expect(meter.submitReading(inflated, await signReading(neighbour, domain, inflated)))
      .to.be.revertedWithCustomError(meter, "WrongMeterKey")
      .withArgs(f.s1.address, slot, neighbour.address, meterKey);
    // A truncated signature recovers no signer.
    const [genuine] = await signedReadings(f, [honest]);
    await expect(meter.submitReading(honest, genuine.slice(0, 130)))
      .to.be.revertedWithCustomError(meter, "InvalidSignature")
      .withArgs(f.s1.address, slot);
    // In a batch the forged reading is skipped and reported, the genuine ones go through.
    const b1Reading = { participant: f.b1.address, slot, importWh: 1_000n, exportWh: 0n };
    const [b1Signature] = await signedReadings(f, [b1Reading]);
    await expect(
      meter.submitReadings(
        [inflated, b1Reading],
        [await signReading(stranger, domain, inflated), b1Signature],
      ),
    )
      .to.emit(meter, "ReadingSkipped")
      .withArgs(f.s1.address, slot, meter.interface.getError("WrongMeterKey")!.selector);
    expect((await meter.meterRecord(f.s1.address, slot)).status).to.equal(0); // None
    expect((await meter.meterRecord(f.b1.address, slot)).status).to.equal(1); // Read
    // The genuine reading still gets in afterwards, with its own values.
    await meter.submitReading(honest, genuine);
    expect((await meter.meterRecord(f.s1.address, slot)).exportWh).to.equal(honest.exportWh);
    await expectMoneyIdentities(f);
  });

  it("refuses replayed meter signatures: to another slot, chain or contract, and a second reading for the same slot", async function () {
    const f = await loadFixture(twoClearedSlotsFixture);
    const { meter, settlement, slot, honest } = f;
    const key = f.meters.get(f.s1.address)!;
    const domain = await readingDomain(meter);
    const [signature] = await signedReadings(f, [honest]);
    await meter.submitReading(honest, signature);
    // The same signed reading again, or a second one with other values: the first stands.
    await expect(meter.submitReading(honest, signature))
      .to.be.revertedWithCustomError(meter, "ReadingExists")
      .withArgs(f.s1.address, slot);
    const second = { ...honest, exportWh: honest.exportWh + 100n };
    await expect(meter.submitReading(second, await signReading(key, domain, second)))
      .to.be.revertedWithCustomError(meter, "ReadingExists")
      .withArgs(f.s1.address, slot);

    // Next slot's window: the signature of slot s cannot stand for slot s + 1.
    await toSlotEnd(f, slot + 1n);
    const replayed = { ...honest, slot: slot + 1n };
    await expect(meter.submitReading(replayed, signature)).to.be.revertedWithCustomError(
      meter,
      "WrongMeterKey",
    );
    // Signed by the right key, but for another chain or another deployment (contract): refused too.
    const otherChain = { ...domain, chainId: 1n };
    const otherContract = { ...domain, verifyingContract: await settlement.getAddress() };
    for (const foreign of [otherChain, otherContract]) {
      const foreignSignature = await key.signTypedData(foreign, READING_TYPES, replayed);
      await expect(meter.submitReading(replayed, foreignSignature)).to.be.revertedWithCustomError(
        meter,
        "WrongMeterKey",
      );
    }
    expect((await meter.meterRecord(f.s1.address, slot + 1n)).status).to.equal(0); // None
    // Slot s's readings cannot be sent once its window has closed, whatever signature they carry.
    const b2Late = { participant: f.b2.address, slot, importWh: 0n, exportWh: 0n };
    await expect(
      meter.submitReading(b2Late, (await signedReadings(f, [b2Late]))[0]),
    ).to.be.revertedWithCustomError(meter, "ReadingWindowClosed");
    await expectMoneyIdentities(f);
  });

  it("refuses readings signed with a rotated-out meter key, and the new key before it is valid", async function () {
    const f = await loadFixture(rotatedMeterFixture);
    const { meter, registry, slot, honest, newKey } = f;
    const oldKey = f.meters.get(f.s1.address)!;
    // The DSO rotated s1's meter (the old device was stolen) from slot s + 1 on.
    expect(await registry.meterKeyAt(f.s1.address, slot)).to.equal(oldKey.address);
    expect(await registry.meterKeyAt(f.s1.address, slot + 1n)).to.equal(newKey.address);
    const domain = await readingDomain(meter);
    // Slot s: the old key is still the valid one; the new key cannot sign for it.
    await expect(meter.submitReading(honest, await signReading(newKey, domain, honest)))
      .to.be.revertedWithCustomError(meter, "WrongMeterKey")
      .withArgs(f.s1.address, slot, newKey.address, oldKey.address);
    await meter.submitReading(honest, await signReading(oldKey, domain, honest));
    // Slot s + 1: the stolen old key is worthless; the new key's reading is accepted.
    await toSlotEnd(f, slot + 1n);
    const next = { ...honest, slot: slot + 1n };
    await expect(meter.submitReading(next, await signReading(oldKey, domain, next)))
      .to.be.revertedWithCustomError(meter, "WrongMeterKey")
      .withArgs(f.s1.address, slot + 1n, oldKey.address, newKey.address);
    await meter.submitReading(next, await signReading(newKey, domain, next));
    expect((await meter.meterRecord(f.s1.address, slot + 1n)).status).to.equal(1); // Read
    await expectMoneyIdentities(f);
  });

  it("accounts a consumer whose readings go missing at the worst case its reserve covers: import maxImportWh, α 1, settled", async function () {
    const f = await loadFixture(twoClearedSlotsFixture);
    const { meter, market, settlement, oracle, registry, slot, honest } = f;
    const readings: Reading[] = [
      honest,
      { participant: f.s2.address, slot, importWh: 0n, exportWh: 0n },
      { participant: f.b1.address, slot, importWh: 1_200n, exportWh: 0n },
      { participant: f.b3.address, slot, importWh: 400n, exportWh: 0n },
    ];
    await meter.submitReadings(readings, await signedReadings(f, readings));
    // b2's meter is silent. Nobody can account it missing before the window closes (it may still report).
    const [, closesAt] = await meter.readingWindowOf(slot);
    await expect(meter.accountMissing(1, slot, [f.b2.address]))
      .to.be.revertedWithCustomError(meter, "ReadingWindowNotClosed")
      .withArgs(slot, closesAt);
    expect(await meter.isProposable(1, slot)).to.equal(false);
    // After the window anyone accounts it; a late reading is refused, so the slot is not held up.
    await closeReadingWindow(f, 1, slot, [f.b2.address]);
    const record = await meter.meterRecord(f.b2.address, slot);
    const [maxImportWh] = await registry.capacityAt(f.b2.address, slot);
    expect(record.status).to.equal(3); // Missing
    expect(record.importWh).to.equal(maxImportWh);
    expect(record.exportWh).to.equal(0n);
    const late = { participant: f.b2.address, slot, importWh: 0n, exportWh: 0n };
    await expect(
      meter.submitReading(late, (await signedReadings(f, [late]))[0]),
    ).to.be.revertedWithCustomError(meter, "ReadingWindowClosed");

    for (const m of [1, 2]) await finalizeWithCommittee(f, m, slot);
    await settlement.runLevel2(slot);
    const position = await market.positionOf(f.b2.address, slot);
    const scoreBefore = await oracle.traderScore(f.b2.address);
    const receipt = await (await settlement.settle(f.b2.address, slot)).wait();
    const settled = receipt!.logs
      .map((log) => market.interface.parseLog(log))
      .find((event) => event?.name === "AccountSettled")!;
    const [, , escrowReleased, credit, charged] = settled.args as unknown as bigint[];
    // It pays its forward cost and, for the whole capacity beyond its purchase, the level-1 buy price.
    const level1 = await settlement.level1Of(1, slot);
    const deficitCharge = ((maxImportWh - position.filledWh) * level1.buyPrice) / 1000n;
    expect(escrowReleased + charged - credit).to.be.gte(position.money + deficitCharge);
    expect(await oracle.traderScore(f.b2.address)).to.be.lt(scoreBefore);
    expect(await settlement.isSettled(f.b2.address, slot)).to.equal(true);
    expect((await market.positionOf(f.b2.address, slot)).reserve).to.equal(0n);
    await expectMoneyIdentities(f);
    // Its account is not frozen by the silent slot once settled.
    expect(await market.isFrozen(f.b2.address)).to.equal(false);
    expect(await time.latest()).to.be.gte(closesAt);
  });
});
