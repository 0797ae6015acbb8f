import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

import {
  GATE_LEAD,
  GRID_BUY_PRICE,
  GRID_SELL_PRICE,
  MAX_LEAD_SLOTS,
  MAX_MICROGRIDS,
  MAX_UINT64,
  PRICE_LIMIT,
  ROLE_IDS,
  SLOT_LENGTH,
  deployRegistryFixture,
  moveIntoSlot,
  type RegistryArgs,
} from "./fixtures";

/** fast-check options: a fixed seed can be given with FC_SEED to replay a failure. */
const fcOptions = { numRuns: 40, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) };

describe("Registry: construction and slot clock", function () {
  /** Valid constructor arguments with genesis at the start of the latest block's slot. */
  async function validArgs(): Promise<RegistryArgs> {
    const [admin, grid] = await ethers.getSigners();
    const now = BigInt(await time.latest());
    return [
      admin.address,
      now - (now % SLOT_LENGTH),
      SLOT_LENGTH,
      GATE_LEAD,
      MAX_LEAD_SLOTS,
      MAX_MICROGRIDS,
      GRID_BUY_PRICE,
      GRID_SELL_PRICE,
      grid.address,
    ];
  }

  async function deploy(args: RegistryArgs) {
    return ethers.deployContract("Registry", args);
  }

  describe("constructor", function () {
    it("stores the clock, the microgrid bound, the grid account and the tariff from slot 0", async function () {
      const { registry, genesis, grid } = await loadFixture(deployRegistryFixture);
      expect(await registry.genesis()).to.equal(genesis);
      expect(await registry.slotLength()).to.equal(SLOT_LENGTH);
      expect(await registry.gateLead()).to.equal(GATE_LEAD);
      expect(await registry.maxLeadSlots()).to.equal(MAX_LEAD_SLOTS);
      expect(await registry.maxMicrogrids()).to.equal(MAX_MICROGRIDS);
      expect(await registry.microgridCount()).to.equal(0);
      expect(await registry.gridAccount()).to.equal(grid.address);
      expect(await registry.paused()).to.equal(false);
      expect(await registry.tariffAt(0)).to.deep.equal([GRID_BUY_PRICE, GRID_SELL_PRICE]);
      expect(await registry.tariffAt(MAX_UINT64)).to.deep.equal([GRID_BUY_PRICE, GRID_SELL_PRICE]);
    });

    it("emits the initial microgrid bound, tariff and grid account", async function () {
      const args = await validArgs();
      const registry = await deploy(args);
      const deployment = registry.deploymentTransaction();
      await expect(deployment).to.emit(registry, "MaxMicrogridsSet").withArgs(0, MAX_MICROGRIDS);
      await expect(deployment)
        .to.emit(registry, "TariffScheduled")
        .withArgs(GRID_BUY_PRICE, GRID_SELL_PRICE, 0);
      await expect(deployment).to.emit(registry, "GridAccountSet").withArgs(ethers.ZeroAddress, args[8]);
    });

    it("gives the admin DEFAULT_ADMIN_ROLE and no other role", async function () {
      const { registry, admin } = await loadFixture(deployRegistryFixture);
      expect(await registry.hasRole(ROLE_IDS.DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      for (const role of [
        "REGISTRAR_ROLE",
        "TARIFF_ROLE",
        "PARAMS_ROLE",
        "PAUSER_ROLE",
        "DEBT_ROLE",
      ] as const) {
        expect(await registry.hasRole(ROLE_IDS[role], admin.address)).to.equal(false);
      }
    });

    it("exposes the role ids of Roles.sol", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(await registry.REGISTRAR_ROLE()).to.equal(ROLE_IDS.REGISTRAR_ROLE);
      expect(await registry.TARIFF_ROLE()).to.equal(ROLE_IDS.TARIFF_ROLE);
      expect(await registry.PARAMS_ROLE()).to.equal(ROLE_IDS.PARAMS_ROLE);
      expect(await registry.PAUSER_ROLE()).to.equal(ROLE_IDS.PAUSER_ROLE);
      expect(await registry.DEBT_ROLE()).to.equal(ROLE_IDS.DEBT_ROLE);
    });

    it("accepts the boundary clock: gateLead one below the horizon, genesis equal to gateLead", async function () {
      const args = await validArgs();
      args[3] = MAX_LEAD_SLOTS * SLOT_LENGTH - 1n;
      args[1] = args[3];
      const registry = await deploy(args);
      expect(await registry.gate(0)).to.equal(0);
      expect(await registry.gateLead()).to.equal(args[3]);
    });

    it("accepts genesis equal to the deployment block's timestamp", async function () {
      const args = await validArgs();
      const deploymentTime = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(deploymentTime);
      args[1] = deploymentTime;
      const registry = await deploy(args);
      expect(await registry.currentSlot()).to.equal(0);
    });

    it("accepts a buy price just below 2**104", async function () {
      const args = await validArgs();
      args[6] = PRICE_LIMIT - 1n;
      const registry = await deploy(args);
      expect(await registry.tariffAt(0)).to.deep.equal([PRICE_LIMIT - 1n, GRID_SELL_PRICE]);
    });

    it("reverts with ZeroAddress for a zero admin or grid account", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const noAdmin = await validArgs();
      noAdmin[0] = ethers.ZeroAddress;
      await expect(deploy(noAdmin)).to.be.revertedWithCustomError(registry, "ZeroAddress");
      const noGrid = await validArgs();
      noGrid[8] = ethers.ZeroAddress;
      await expect(deploy(noGrid)).to.be.revertedWithCustomError(registry, "ZeroAddress");
    });

    const invalidClocks: [string, (args: RegistryArgs, now: bigint) => void][] = [
      ["a zero slot length", (a) => (a[2] = 0n)],
      ["zero lead slots", (a) => (a[4] = 0n)],
      ["more than 2**32 - 1 lead slots", (a) => (a[4] = 2n ** 32n)],
      ["a gate lead equal to the horizon", (a) => (a[3] = MAX_LEAD_SLOTS * SLOT_LENGTH)],
      ["a gate lead beyond the horizon", (a) => (a[3] = MAX_LEAD_SLOTS * SLOT_LENGTH + 1n)],
      ["a genesis in the future", (a, now) => (a[1] = now + 1000n)],
      ["a genesis before the gate lead", (a) => (a[1] = GATE_LEAD - 1n)],
    ];
    for (const [what, mutate] of invalidClocks) {
      it(`reverts with InvalidClock for ${what}`, async function () {
        const { registry } = await loadFixture(deployRegistryFixture);
        const args = await validArgs();
        mutate(args, BigInt(await time.latest()));
        await expect(deploy(args)).to.be.revertedWithCustomError(registry, "InvalidClock");
      });
    }

    it("reverts with InvalidMaxMicrogrids for a zero microgrid bound", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const args = await validArgs();
      args[5] = 0;
      await expect(deploy(args))
        .to.be.revertedWithCustomError(registry, "InvalidMaxMicrogrids")
        .withArgs(0, 0);
    });

    it("reverts with InvalidMaxMicrogrids for a microgrid bound above 128", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const args = await validArgs();
      args[5] = 129;
      await expect(deploy(args))
        .to.be.revertedWithCustomError(registry, "InvalidMaxMicrogrids")
        .withArgs(129, 0);
      args[5] = 128;
      expect(await (await deploy(args)).maxMicrogrids()).to.equal(128n);
    });

    const invalidTariffs: [string, bigint, bigint][] = [
      ["a zero sell price", GRID_BUY_PRICE, 0n],
      ["a sell price equal to the buy price", GRID_BUY_PRICE, GRID_BUY_PRICE],
      ["a sell price above the buy price", GRID_SELL_PRICE, GRID_BUY_PRICE],
      ["a buy price of 2**104", PRICE_LIMIT, GRID_SELL_PRICE],
    ];
    for (const [what, buy, sell] of invalidTariffs) {
      it(`reverts with InvalidTariff for ${what}`, async function () {
        const { registry } = await loadFixture(deployRegistryFixture);
        const args = await validArgs();
        args[6] = buy;
        args[7] = sell;
        await expect(deploy(args))
          .to.be.revertedWithCustomError(registry, "InvalidTariff")
          .withArgs(buy, sell);
      });
    }
  });

  describe("slotAt", function () {
    it("maps the boundaries of slots to the right slot", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      expect(await registry.slotAt(genesis)).to.equal(0);
      expect(await registry.slotAt(genesis + SLOT_LENGTH - 1n)).to.equal(0);
      expect(await registry.slotAt(genesis + SLOT_LENGTH)).to.equal(1);
      expect(await registry.slotAt(genesis + 1000n * SLOT_LENGTH - 1n)).to.equal(999);
      expect(await registry.slotAt(genesis + 1000n * SLOT_LENGTH)).to.equal(1000);
      expect(await registry.slotAt(genesis + MAX_UINT64 * SLOT_LENGTH)).to.equal(MAX_UINT64);
    });

    it("reverts with BeforeGenesis one second before genesis", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      await expect(registry.slotAt(genesis - 1n))
        .to.be.revertedWithCustomError(registry, "BeforeGenesis")
        .withArgs(genesis - 1n, genesis);
      await expect(registry.slotAt(0))
        .to.be.revertedWithCustomError(registry, "BeforeGenesis")
        .withArgs(0, genesis);
    });

    it("reverts with SafeCastOverflowedUintDowncast when the slot does not fit a uint64", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      const timestamp = genesis + (MAX_UINT64 + 1n) * SLOT_LENGTH;
      await expect(registry.slotAt(timestamp))
        .to.be.revertedWithCustomError(registry, "SafeCastOverflowedUintDowncast")
        .withArgs(64, MAX_UINT64 + 1n);
    });

    it("round-trips with slotStart and slotEnd for random timestamps and slots", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: 2n ** 40n }), async (sinceGenesis) => {
          const timestamp = genesis + sinceGenesis;
          const slot = await registry.slotAt(timestamp);
          expect(slot).to.equal(sinceGenesis / SLOT_LENGTH);
          expect(await registry.slotStart(slot)).to.be.at.most(timestamp);
          expect(await registry.slotEnd(slot)).to.be.greaterThan(timestamp);
        }),
        fcOptions,
      );
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: 2n ** 40n }), async (slot) => {
          const start = await registry.slotStart(slot);
          expect(await registry.slotAt(start)).to.equal(slot);
          expect(await registry.slotAt(start - 1n + SLOT_LENGTH)).to.equal(slot);
        }),
        fcOptions,
      );
    });
  });

  describe("currentSlot", function () {
    it("is the slot of the latest block's timestamp", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      await time.increaseTo(genesis + 5n * SLOT_LENGTH - 1n);
      expect(await registry.currentSlot()).to.equal(4);
      await time.increaseTo(genesis + 5n * SLOT_LENGTH);
      expect(await registry.currentSlot()).to.equal(5);
    });
  });

  describe("slotStart", function () {
    it("is genesis plus whole slots", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      expect(await registry.slotStart(0)).to.equal(genesis);
      expect(await registry.slotStart(1)).to.equal(genesis + SLOT_LENGTH);
      expect(await registry.slotStart(12_345)).to.equal(genesis + 12_345n * SLOT_LENGTH);
    });

    it("reverts with SafeCastOverflowedUintDowncast when the start does not fit a uint64", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      await expect(registry.slotStart(MAX_UINT64))
        .to.be.revertedWithCustomError(registry, "SafeCastOverflowedUintDowncast")
        .withArgs(64, genesis + MAX_UINT64 * SLOT_LENGTH);
    });
  });

  describe("slotEnd", function () {
    it("is the start of the next slot", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      expect(await registry.slotEnd(0)).to.equal(genesis + SLOT_LENGTH);
      expect(await registry.slotEnd(41)).to.equal(await registry.slotStart(42));
      expect(await registry.slotAt(await registry.slotEnd(41))).to.equal(42);
      expect(await registry.slotAt((await registry.slotEnd(41)) - 1n)).to.equal(41);
    });

    it("reverts with SafeCastOverflowedUintDowncast when the end does not fit a uint64", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      await expect(registry.slotEnd(MAX_UINT64))
        .to.be.revertedWithCustomError(registry, "SafeCastOverflowedUintDowncast")
        .withArgs(64, genesis + (MAX_UINT64 + 1n) * SLOT_LENGTH);
    });
  });

  describe("gate", function () {
    it("lies gateLead seconds before the slot's start", async function () {
      const { registry, genesis } = await loadFixture(deployRegistryFixture);
      expect(await registry.gate(0)).to.equal(genesis - GATE_LEAD);
      expect(await registry.gate(10)).to.equal(genesis + 10n * SLOT_LENGTH - GATE_LEAD);
      // With a gate lead of one slot, the gate of slot s is the start of slot s - 1.
      expect(await registry.gate(10)).to.equal(await registry.slotStart(9));
    });

    it("reverts with SafeCastOverflowedUintDowncast when the slot's start does not fit a uint64", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      await expect(registry.gate(MAX_UINT64)).to.be.revertedWithCustomError(
        registry,
        "SafeCastOverflowedUintDowncast",
      );
    });
  });

  describe("isOrderWindowOpen", function () {
    it("refuses an order at exactly gate(s): closed at the gate, open one second before", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const slot = 10n;
      const gateTime = await registry.gate(slot);
      await time.increaseTo(gateTime - 1n);
      expect(await registry.isOrderWindowOpen(slot)).to.equal(true);
      await time.increaseTo(gateTime);
      expect(await registry.isOrderWindowOpen(slot)).to.equal(false);
    });

    it("opens slots up to currentSlot() + maxLeadSlots and no further (the horizon bound)", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const current = 5n;
      await moveIntoSlot(registry, current);
      expect(await registry.isOrderWindowOpen(current + MAX_LEAD_SLOTS)).to.equal(true);
      expect(await registry.isOrderWindowOpen(current + MAX_LEAD_SLOTS + 1n)).to.equal(false);
      // The last second of the slot: still one slot short.
      await time.increaseTo((await registry.slotEnd(current)) - 1n);
      expect(await registry.isOrderWindowOpen(current + MAX_LEAD_SLOTS + 1n)).to.equal(false);
      // The first second of the next slot: the horizon moves on by one slot.
      await time.increaseTo(await registry.slotEnd(current));
      expect(await registry.isOrderWindowOpen(current + MAX_LEAD_SLOTS + 1n)).to.equal(true);
      expect(await registry.isOrderWindowOpen(current + MAX_LEAD_SLOTS + 2n)).to.equal(false);
    });

    it("is closed for past slots, the current slot and the next one, and open for the one after", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      const current = 5n;
      await moveIntoSlot(registry, current);
      expect(await registry.isOrderWindowOpen(0)).to.equal(false);
      expect(await registry.isOrderWindowOpen(current - 1n)).to.equal(false);
      expect(await registry.isOrderWindowOpen(current)).to.equal(false);
      expect(await registry.isOrderWindowOpen(current + 1n)).to.equal(false);
      expect(await registry.isOrderWindowOpen(current + 2n)).to.equal(true);
    });

    it("answers false, without reverting, for a slot whose start does not fit a uint64", async function () {
      const { registry } = await loadFixture(deployRegistryFixture);
      expect(await registry.isOrderWindowOpen(MAX_UINT64)).to.equal(false);
    });
  });
});
