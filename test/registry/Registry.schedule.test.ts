import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import {
  ALICE_EXPORT_WH,
  ALICE_IMPORT_WH,
  BOB_IMPORT_WH,
  GRID_BUY_PRICE,
  GRID_SELL_PRICE,
  Kind,
  MAX_LEAD_SLOTS,
  MICROGRID,
  MAX_UINT64,
  PRICE_LIMIT,
  TRC,
  moveIntoSlot,
  registeredFixture,
} from "./fixtures";

/** A second tariff: 0.35 TRC/kWh retail, 0.10 TRC/kWh feed-in. */
const NEW_BUY = (35n * TRC) / 100n;
const NEW_SELL = (10n * TRC) / 100n;

describe("Registry: scheduled tariff, capacities and meter keys", function () {
  describe("setTariff", function () {
    it("returns the first slot beyond the order horizon and emits TariffScheduled", async function () {
      const { registry, tariffSetter, registeredSlot } = await loadFixture(registeredFixture);
      const fromSlot = registeredSlot + MAX_LEAD_SLOTS + 1n;
      expect(await registry.connect(tariffSetter).setTariff.staticCall(NEW_BUY, NEW_SELL)).to.equal(fromSlot);
      await expect(registry.connect(tariffSetter).setTariff(NEW_BUY, NEW_SELL))
        .to.emit(registry, "TariffScheduled")
        .withArgs(NEW_BUY, NEW_SELL, fromSlot);
    });

    it("a tariff set now is invisible to every slot inside the order horizon and visible from the first slot beyond it", async function () {
      const { registry, tariffSetter } = await loadFixture(registeredFixture);
      await registry.connect(tariffSetter).setTariff(NEW_BUY, NEW_SELL);
      const current = await registry.currentSlot();
      const insideHorizon = Array.from({ length: Number(MAX_LEAD_SLOTS) + 1 }, (_, i) => current + BigInt(i));
      const seen = await Promise.all(insideHorizon.map((slot) => registry.tariffAt(slot)));
      for (const tariff of seen) expect(tariff).to.deep.equal([GRID_BUY_PRICE, GRID_SELL_PRICE]);
      // Every slot whose book can be open now is inside the horizon and still sees the old tariff.
      expect(await registry.isOrderWindowOpen(current + MAX_LEAD_SLOTS)).to.equal(true);
      for (const slot of insideHorizon) {
        if (await registry.isOrderWindowOpen(slot)) {
          expect(await registry.tariffAt(slot)).to.deep.equal([GRID_BUY_PRICE, GRID_SELL_PRICE]);
        }
      }
      const beyond = current + MAX_LEAD_SLOTS + 1n;
      expect(await registry.isOrderWindowOpen(beyond)).to.equal(false);
      expect(await registry.tariffAt(beyond)).to.deep.equal([NEW_BUY, NEW_SELL]);
      expect(await registry.tariffAt(beyond + 1000n)).to.deep.equal([NEW_BUY, NEW_SELL]);
      expect(await registry.tariffAt(MAX_UINT64)).to.deep.equal([NEW_BUY, NEW_SELL]);
    });

    it("lets the later of two changes in the same slot win", async function () {
      const { registry, tariffSetter } = await loadFixture(registeredFixture);
      const fromSlot = await registry.connect(tariffSetter).setTariff.staticCall(NEW_BUY, NEW_SELL);
      await registry.connect(tariffSetter).setTariff(NEW_BUY, NEW_SELL);
      await registry.connect(tariffSetter).setTariff(NEW_BUY + 1n, NEW_SELL + 1n);
      expect(await registry.currentSlot()).to.equal(fromSlot - MAX_LEAD_SLOTS - 1n);
      expect(await registry.tariffAt(fromSlot - 1n)).to.deep.equal([GRID_BUY_PRICE, GRID_SELL_PRICE]);
      expect(await registry.tariffAt(fromSlot)).to.deep.equal([NEW_BUY + 1n, NEW_SELL + 1n]);
    });

    it("keeps earlier scheduled tariffs for their slots when a later slot gets another", async function () {
      const { registry, tariffSetter, registeredSlot } = await loadFixture(registeredFixture);
      await registry.connect(tariffSetter).setTariff(NEW_BUY, NEW_SELL);
      const firstFrom = registeredSlot + MAX_LEAD_SLOTS + 1n;
      await moveIntoSlot(registry, registeredSlot + 3n);
      await registry.connect(tariffSetter).setTariff(NEW_BUY * 2n, NEW_SELL);
      const secondFrom = firstFrom + 3n;
      expect(await registry.tariffAt(firstFrom - 1n)).to.deep.equal([GRID_BUY_PRICE, GRID_SELL_PRICE]);
      expect(await registry.tariffAt(firstFrom)).to.deep.equal([NEW_BUY, NEW_SELL]);
      expect(await registry.tariffAt(secondFrom - 1n)).to.deep.equal([NEW_BUY, NEW_SELL]);
      expect(await registry.tariffAt(secondFrom)).to.deep.equal([NEW_BUY * 2n, NEW_SELL]);
      expect(await registry.tariffAt(0)).to.deep.equal([GRID_BUY_PRICE, GRID_SELL_PRICE]);
    });

    it("accepts the largest prices that fit", async function () {
      const { registry, tariffSetter } = await loadFixture(registeredFixture);
      const fromSlot = await registry
        .connect(tariffSetter)
        .setTariff.staticCall(PRICE_LIMIT - 1n, PRICE_LIMIT - 2n);
      await registry.connect(tariffSetter).setTariff(PRICE_LIMIT - 1n, PRICE_LIMIT - 2n);
      expect(await registry.tariffAt(fromSlot)).to.deep.equal([PRICE_LIMIT - 1n, PRICE_LIMIT - 2n]);
    });

    const invalidTariffs: [string, bigint, bigint][] = [
      ["a zero sell price", NEW_BUY, 0n],
      ["a sell price equal to the buy price", NEW_BUY, NEW_BUY],
      ["a sell price above the buy price", NEW_SELL, NEW_BUY],
      ["a buy price of 2**104", PRICE_LIMIT, NEW_SELL],
      ["a zero buy price", 0n, 0n],
    ];
    for (const [what, buy, sell] of invalidTariffs) {
      it(`reverts with InvalidTariff for ${what}`, async function () {
        const { registry, tariffSetter } = await loadFixture(registeredFixture);
        await expect(registry.connect(tariffSetter).setTariff(buy, sell))
          .to.be.revertedWithCustomError(registry, "InvalidTariff")
          .withArgs(buy, sell);
      });
    }
  });

  describe("setCapacity", function () {
    it("returns the first slot beyond the order horizon and emits CapacityScheduled", async function () {
      const { registry, registrar, alice, registeredSlot } = await loadFixture(registeredFixture);
      const fromSlot = registeredSlot + MAX_LEAD_SLOTS + 1n;
      expect(await registry.connect(registrar).setCapacity.staticCall(alice.address, 9_000n, 1n)).to.equal(
        fromSlot,
      );
      await expect(registry.connect(registrar).setCapacity(alice.address, 9_000n, 1n))
        .to.emit(registry, "CapacityScheduled")
        .withArgs(alice.address, 9_000n, 1n, fromSlot);
    });

    it("is invisible to every slot inside the order horizon and visible from the first slot beyond it", async function () {
      const { registry, registrar, alice, registeredSlot } = await loadFixture(registeredFixture);
      await registry.connect(registrar).setCapacity(alice.address, 9_000n, 1n);
      const lastInside = registeredSlot + MAX_LEAD_SLOTS;
      for (const slot of [registeredSlot, registeredSlot + 1n, lastInside]) {
        expect(await registry.capacityAt(alice.address, slot)).to.deep.equal([
          ALICE_IMPORT_WH,
          ALICE_EXPORT_WH,
        ]);
      }
      expect(await registry.capacityAt(alice.address, lastInside + 1n)).to.deep.equal([9_000n, 1n]);
      expect(await registry.capacityAt(alice.address, MAX_UINT64)).to.deep.equal([9_000n, 1n]);
    });

    it("lets the later of two changes in the same slot win", async function () {
      const { registry, registrar, bob, registeredSlot } = await loadFixture(registeredFixture);
      await registry.connect(registrar).setCapacity(bob.address, 1n, 0n);
      await registry.connect(registrar).setCapacity(bob.address, 2n, 0n);
      const fromSlot = registeredSlot + MAX_LEAD_SLOTS + 1n;
      expect(await registry.capacityAt(bob.address, fromSlot - 1n)).to.deep.equal([BOB_IMPORT_WH, 0n]);
      expect(await registry.capacityAt(bob.address, fromSlot)).to.deep.equal([2n, 0n]);
    });

    it("reverts with InvalidCapacity for export capacity of a consumer", async function () {
      const { registry, registrar, bob } = await loadFixture(registeredFixture);
      await expect(registry.connect(registrar).setCapacity(bob.address, 1n, 1n))
        .to.be.revertedWithCustomError(registry, "InvalidCapacity")
        .withArgs(1n, 1n);
    });

    it("reverts with InvalidCapacity for a prosumer without export or import capacity", async function () {
      const { registry, registrar, alice } = await loadFixture(registeredFixture);
      await expect(registry.connect(registrar).setCapacity(alice.address, 1n, 0n))
        .to.be.revertedWithCustomError(registry, "InvalidCapacity")
        .withArgs(1n, 0n);
      await expect(registry.connect(registrar).setCapacity(alice.address, 0n, 1n))
        .to.be.revertedWithCustomError(registry, "InvalidCapacity")
        .withArgs(0n, 1n);
    });

    it("reverts with NotRegistered for an unknown account", async function () {
      const { registry, registrar, carol } = await loadFixture(registeredFixture);
      await expect(registry.connect(registrar).setCapacity(carol.address, 1n, 0n))
        .to.be.revertedWithCustomError(registry, "NotRegistered")
        .withArgs(carol.address);
    });
  });

  describe("rotateMeter", function () {
    it("a meter rotation keeps the old key for earlier slots and the new one from its slot", async function () {
      const { registry, registrar, alice, meterA, meterC, registeredSlot } =
        await loadFixture(registeredFixture);
      const validFrom = registeredSlot + 5n;
      await expect(registry.connect(registrar).rotateMeter(alice.address, meterC.address, validFrom))
        .to.emit(registry, "MeterRotated")
        .withArgs(alice.address, meterC.address, validFrom);
      expect(await registry.meterKeyAt(alice.address, registeredSlot)).to.equal(meterA.address);
      expect(await registry.meterKeyAt(alice.address, validFrom - 1n)).to.equal(meterA.address);
      expect(await registry.meterKeyAt(alice.address, validFrom)).to.equal(meterC.address);
      expect(await registry.meterKeyAt(alice.address, validFrom + 1000n)).to.equal(meterC.address);
      // Once time has passed the rotation, readings of earlier slots still check against the old key.
      await moveIntoSlot(registry, validFrom + 2n);
      expect(await registry.meterKeyAt(alice.address, validFrom - 1n)).to.equal(meterA.address);
      expect(await registry.meterKeyAt(alice.address, validFrom)).to.equal(meterC.address);
      expect(await registry.participantOfMeter(meterA.address)).to.equal(alice.address);
      expect(await registry.participantOfMeter(meterC.address)).to.equal(alice.address);
    });

    it("accepts the next slot as the earliest", async function () {
      const { registry, registrar, alice, meterC, registeredSlot } = await loadFixture(registeredFixture);
      await registry.connect(registrar).rotateMeter(alice.address, meterC.address, registeredSlot + 1n);
      expect(await registry.meterKeyAt(alice.address, registeredSlot + 1n)).to.equal(meterC.address);
    });

    it("reverts with MeterRotationTooEarly for the current slot", async function () {
      const { registry, registrar, alice, meterC, registeredSlot } = await loadFixture(registeredFixture);
      await expect(registry.connect(registrar).rotateMeter(alice.address, meterC.address, registeredSlot))
        .to.be.revertedWithCustomError(registry, "MeterRotationTooEarly")
        .withArgs(registeredSlot, registeredSlot + 1n);
      await expect(registry.connect(registrar).rotateMeter(alice.address, meterC.address, 0))
        .to.be.revertedWithCustomError(registry, "MeterRotationTooEarly")
        .withArgs(0, registeredSlot + 1n);
    });

    it("reverts with MeterRotationTooEarly before a still-pending scheduled key", async function () {
      const { registry, registrar, alice, meterC, meterD, registeredSlot } =
        await loadFixture(registeredFixture);
      const pending = registeredSlot + 10n;
      await registry.connect(registrar).rotateMeter(alice.address, meterC.address, pending);
      await expect(registry.connect(registrar).rotateMeter(alice.address, meterD.address, pending - 1n))
        .to.be.revertedWithCustomError(registry, "MeterRotationTooEarly")
        .withArgs(pending - 1n, pending);
    });

    it("overwrites a still-pending key when rotating for the same slot, keeping the replaced key reserved", async function () {
      const { registry, registrar, alice, carol, meterA, meterC, meterD, registeredSlot } =
        await loadFixture(registeredFixture);
      const pending = registeredSlot + 10n;
      await registry.connect(registrar).rotateMeter(alice.address, meterC.address, pending);
      await moveIntoSlot(registry, registeredSlot + 4n);
      await expect(registry.connect(registrar).rotateMeter(alice.address, meterD.address, pending))
        .to.emit(registry, "MeterRotated")
        .withArgs(alice.address, meterD.address, pending);
      expect(await registry.meterKeyAt(alice.address, pending - 1n)).to.equal(meterA.address);
      expect(await registry.meterKeyAt(alice.address, pending)).to.equal(meterD.address);
      expect(await registry.participantOfMeter(meterC.address)).to.equal(alice.address);
      await expect(
        registry
          .connect(registrar)
          .registerParticipant(carol.address, Kind.Consumer, MICROGRID, meterC.address, 1n, 0n),
      )
        .to.be.revertedWithCustomError(registry, "MeterKeyInUse")
        .withArgs(meterC.address, alice.address);
    });

    it("allows a further rotation from the next slot once the latest key is in force", async function () {
      const { registry, registrar, alice, meterA, meterC, meterD, registeredSlot } =
        await loadFixture(registeredFixture);
      await registry.connect(registrar).rotateMeter(alice.address, meterC.address, registeredSlot + 2n);
      await moveIntoSlot(registry, registeredSlot + 5n);
      const current = registeredSlot + 5n;
      await expect(registry.connect(registrar).rotateMeter(alice.address, meterD.address, current))
        .to.be.revertedWithCustomError(registry, "MeterRotationTooEarly")
        .withArgs(current, current + 1n);
      await registry.connect(registrar).rotateMeter(alice.address, meterD.address, current + 1n);
      expect(await registry.meterKeyAt(alice.address, current)).to.equal(meterC.address);
      expect(await registry.meterKeyAt(alice.address, current + 1n)).to.equal(meterD.address);
      expect(await registry.meterKeyAt(alice.address, registeredSlot + 1n)).to.equal(meterA.address);
    });

    it("reverts with MeterKeyInUse for another participant's key", async function () {
      const { registry, registrar, alice, bob, meterB, registeredSlot } =
        await loadFixture(registeredFixture);
      await expect(
        registry.connect(registrar).rotateMeter(alice.address, meterB.address, registeredSlot + 1n),
      )
        .to.be.revertedWithCustomError(registry, "MeterKeyInUse")
        .withArgs(meterB.address, bob.address);
    });

    it("reverts with MeterKeyInUse for the participant's own current or earlier key", async function () {
      const { registry, registrar, alice, meterA, meterC, registeredSlot } =
        await loadFixture(registeredFixture);
      await expect(
        registry.connect(registrar).rotateMeter(alice.address, meterA.address, registeredSlot + 1n),
      )
        .to.be.revertedWithCustomError(registry, "MeterKeyInUse")
        .withArgs(meterA.address, alice.address);
      await registry.connect(registrar).rotateMeter(alice.address, meterC.address, registeredSlot + 1n);
      await moveIntoSlot(registry, registeredSlot + 3n);
      await expect(
        registry.connect(registrar).rotateMeter(alice.address, meterA.address, registeredSlot + 4n),
      )
        .to.be.revertedWithCustomError(registry, "MeterKeyInUse")
        .withArgs(meterA.address, alice.address);
    });

    it("reverts with ZeroAddress for a zero key", async function () {
      const { registry, registrar, alice, registeredSlot } = await loadFixture(registeredFixture);
      await expect(
        registry.connect(registrar).rotateMeter(alice.address, ethers.ZeroAddress, registeredSlot + 1n),
      ).to.be.revertedWithCustomError(registry, "ZeroAddress");
    });

    it("reverts with NotRegistered for an unknown account", async function () {
      const { registry, registrar, carol, meterC, registeredSlot } = await loadFixture(registeredFixture);
      await expect(
        registry.connect(registrar).rotateMeter(carol.address, meterC.address, registeredSlot + 1n),
      )
        .to.be.revertedWithCustomError(registry, "NotRegistered")
        .withArgs(carol.address);
    });
  });
});
