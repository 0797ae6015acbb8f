import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";

import type { Registry } from "../../typechain-types";
import { describeRoleMatrix, type PrivilegedCall, type RoleMatrixContext } from "../shared/roleMatrix";
import {
  ALICE_EXPORT_WH,
  ALICE_IMPORT_WH,
  BOB_IMPORT_WH,
  GRID_BUY_PRICE,
  GRID_SELL_PRICE,
  Kind,
  MAX_MICROGRIDS,
  MICROGRID,
  ROLE_IDS,
  deployRegistryFixture,
  registeredFixture,
  type RegisteredFixture,
} from "./fixtures";

describe("Registry: microgrids, participants, standing, grid account, pause", function () {
  describe("registerMicrogrid", function () {
    it("registers a microgrid and emits MicrogridRegistered", async function () {
      const { registry, registrar } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(registrar).registerMicrogrid(MICROGRID))
        .to.emit(registry, "MicrogridRegistered")
        .withArgs(MICROGRID);
      expect(await registry.isMicrogrid(MICROGRID)).to.equal(true);
      expect(await registry.isMicrogrid(MICROGRID + 1)).to.equal(false);
      expect(await registry.microgridCount()).to.equal(1);
      expect(await registry.microgridAt(0)).to.equal(MICROGRID);
    });

    it("accepts any uint32 id, zero and the largest included", async function () {
      const { registry, registrar } = await loadFixture(deployRegistryFixture);
      await registry.connect(registrar).registerMicrogrid(0);
      await registry.connect(registrar).registerMicrogrid(2 ** 32 - 1);
      expect(await registry.isMicrogrid(0)).to.equal(true);
      expect(await registry.isMicrogrid(2 ** 32 - 1)).to.equal(true);
      expect(await registry.microgridCount()).to.equal(2);
    });

    it("reverts with MicrogridAlreadyRegistered for a registered id", async function () {
      const { registry, registrar } = await loadFixture(deployRegistryFixture);
      await registry.connect(registrar).registerMicrogrid(MICROGRID);
      await expect(registry.connect(registrar).registerMicrogrid(MICROGRID))
        .to.be.revertedWithCustomError(registry, "MicrogridAlreadyRegistered")
        .withArgs(MICROGRID);
    });

    it("registers up to maxMicrogrids and reverts with TooManyMicrogrids beyond", async function () {
      const { registry, registrar } = await loadFixture(deployRegistryFixture);
      for (let id = 0; id < MAX_MICROGRIDS; id++) await registry.connect(registrar).registerMicrogrid(id);
      expect(await registry.microgridCount()).to.equal(MAX_MICROGRIDS);
      await expect(registry.connect(registrar).registerMicrogrid(MAX_MICROGRIDS))
        .to.be.revertedWithCustomError(registry, "TooManyMicrogrids")
        .withArgs(MAX_MICROGRIDS);
    });
  });

  describe("microgridAt", function () {
    it("lists microgrids in registration order", async function () {
      const { registry, registrar } = await loadFixture(deployRegistryFixture);
      const ids = [42, 3, 7_000_000];
      for (const id of ids) await registry.connect(registrar).registerMicrogrid(id);
      for (const [index, id] of ids.entries()) expect(await registry.microgridAt(index)).to.equal(id);
    });

    it("reverts with MicrogridIndexOutOfRange at and beyond the count", async function () {
      const { registry, registrar } = await loadFixture(deployRegistryFixture);
      await expect(registry.microgridAt(0))
        .to.be.revertedWithCustomError(registry, "MicrogridIndexOutOfRange")
        .withArgs(0, 0);
      await registry.connect(registrar).registerMicrogrid(MICROGRID);
      await expect(registry.microgridAt(1))
        .to.be.revertedWithCustomError(registry, "MicrogridIndexOutOfRange")
        .withArgs(1, 1);
      await expect(registry.microgridAt(ethers.MaxUint256))
        .to.be.revertedWithCustomError(registry, "MicrogridIndexOutOfRange")
        .withArgs(ethers.MaxUint256, 1);
    });
  });

  describe("setMaxMicrogrids", function () {
    it("changes the bound and emits MaxMicrogridsSet with the old and new values", async function () {
      const { registry, paramsSetter } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(paramsSetter).setMaxMicrogrids(128))
        .to.emit(registry, "MaxMicrogridsSet")
        .withArgs(MAX_MICROGRIDS, 128);
      expect(await registry.maxMicrogrids()).to.equal(128);
    });

    it("reverts with InvalidMaxMicrogrids above 128, which keeps settlement's level-2 loop in one transaction", async function () {
      const { registry, registrar, paramsSetter } = await loadFixture(deployRegistryFixture);
      await registry.connect(registrar).registerMicrogrid(1);
      await expect(registry.connect(paramsSetter).setMaxMicrogrids(129))
        .to.be.revertedWithCustomError(registry, "InvalidMaxMicrogrids")
        .withArgs(129, 1);
      expect(await registry.maxMicrogrids()).to.equal(MAX_MICROGRIDS);
    });

    it("may lower the bound to the number registered, which then blocks further registrations", async function () {
      const { registry, registrar, paramsSetter } = await loadFixture(deployRegistryFixture);
      await registry.connect(registrar).registerMicrogrid(1);
      await registry.connect(registrar).registerMicrogrid(2);
      await registry.connect(paramsSetter).setMaxMicrogrids(2);
      await expect(registry.connect(registrar).registerMicrogrid(3))
        .to.be.revertedWithCustomError(registry, "TooManyMicrogrids")
        .withArgs(2);
    });

    it("reverts with InvalidMaxMicrogrids below the number registered", async function () {
      const { registry, registrar, paramsSetter } = await loadFixture(deployRegistryFixture);
      await registry.connect(registrar).registerMicrogrid(1);
      await registry.connect(registrar).registerMicrogrid(2);
      await expect(registry.connect(paramsSetter).setMaxMicrogrids(1))
        .to.be.revertedWithCustomError(registry, "InvalidMaxMicrogrids")
        .withArgs(1, 2);
    });

    it("reverts with InvalidMaxMicrogrids for zero, even with no microgrid registered", async function () {
      const { registry, paramsSetter } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(paramsSetter).setMaxMicrogrids(0))
        .to.be.revertedWithCustomError(registry, "InvalidMaxMicrogrids")
        .withArgs(0, 0);
    });
  });

  describe("registerParticipant", function () {
    it("registers a prosumer valid from the current slot and emits ParticipantRegistered", async function () {
      const { registry, registrar, alice, meterA } = await loadFixture(deployRegistryFixture);
      await registry.connect(registrar).registerMicrogrid(MICROGRID);
      const tx = await registry
        .connect(registrar)
        .registerParticipant(alice.address, Kind.Prosumer, MICROGRID, meterA.address, 5_000n, 3_000n);
      const slot = await registry.currentSlot();
      await expect(tx)
        .to.emit(registry, "ParticipantRegistered")
        .withArgs(alice.address, Kind.Prosumer, MICROGRID, meterA.address, 5_000n, 3_000n, slot);
      const registeredAt = BigInt(await time.latest());
      const record = await registry.participant(alice.address);
      expect(record.kind).to.equal(Kind.Prosumer);
      expect(record.microgrid).to.equal(MICROGRID);
      expect(record.registeredAt).to.equal(registeredAt);
      expect(record.suspended).to.equal(false);
      expect(record.indebted).to.equal(false);
      expect(await registry.isRegistered(alice.address)).to.equal(true);
      expect(await registry.isInGoodStanding(alice.address)).to.equal(true);
      expect(await registry.participantOfMeter(meterA.address)).to.equal(alice.address);
      expect(await registry.meterKeyAt(alice.address, slot)).to.equal(meterA.address);
      expect(await registry.capacityAt(alice.address, slot)).to.deep.equal([5_000n, 3_000n]);
    });

    it("gives zero meter key and capacity for slots before the registration", async function () {
      const { registry, alice, registeredSlot } = await loadFixture(registeredFixture);
      expect(await registry.meterKeyAt(alice.address, registeredSlot - 1n)).to.equal(ethers.ZeroAddress);
      expect(await registry.capacityAt(alice.address, registeredSlot - 1n)).to.deep.equal([0n, 0n]);
      expect(await registry.capacityAt(alice.address, registeredSlot)).to.deep.equal([
        ALICE_IMPORT_WH,
        ALICE_EXPORT_WH,
      ]);
    });

    it("registers a consumer with no export capacity", async function () {
      const { registry, bob, meterB, registeredSlot } = await loadFixture(registeredFixture);
      expect((await registry.participant(bob.address)).kind).to.equal(Kind.Consumer);
      expect(await registry.capacityAt(bob.address, registeredSlot)).to.deep.equal([BOB_IMPORT_WH, 0n]);
      expect(await registry.meterKeyAt(bob.address, registeredSlot)).to.equal(meterB.address);
    });

    it("reverts with ZeroAddress for a zero account or a zero meter key", async function () {
      const { registry, registrar, carol, meterC } = await loadFixture(registeredFixture);
      const r = registry.connect(registrar);
      await expect(
        r.registerParticipant(ethers.ZeroAddress, Kind.Consumer, MICROGRID, meterC.address, 1n, 0n),
      ).to.be.revertedWithCustomError(registry, "ZeroAddress");
      await expect(
        r.registerParticipant(carol.address, Kind.Consumer, MICROGRID, ethers.ZeroAddress, 1n, 0n),
      ).to.be.revertedWithCustomError(registry, "ZeroAddress");
    });

    it("reverts with AlreadyRegistered for a registered account", async function () {
      const { registry, registrar, alice, meterC } = await loadFixture(registeredFixture);
      await expect(
        registry
          .connect(registrar)
          .registerParticipant(alice.address, Kind.Consumer, MICROGRID, meterC.address, 1n, 0n),
      )
        .to.be.revertedWithCustomError(registry, "AlreadyRegistered")
        .withArgs(alice.address);
    });

    it("reverts with InvalidKind for Kind.None", async function () {
      const { registry, registrar, carol, meterC } = await loadFixture(registeredFixture);
      await expect(
        registry
          .connect(registrar)
          .registerParticipant(carol.address, Kind.None, MICROGRID, meterC.address, 1n, 0n),
      ).to.be.revertedWithCustomError(registry, "InvalidKind");
    });

    it("reverts (in ABI decoding) for a kind outside the enum", async function () {
      const { registry, registrar, carol, meterC } = await loadFixture(registeredFixture);
      await expect(
        registry.connect(registrar).registerParticipant(carol.address, 3, MICROGRID, meterC.address, 1n, 0n),
      ).to.be.reverted;
      expect(await registry.isRegistered(carol.address)).to.equal(false);
    });

    it("reverts with UnknownMicrogrid for an unregistered microgrid", async function () {
      const { registry, registrar, carol, meterC } = await loadFixture(registeredFixture);
      await expect(
        registry
          .connect(registrar)
          .registerParticipant(carol.address, Kind.Consumer, MICROGRID + 1, meterC.address, 1n, 0n),
      )
        .to.be.revertedWithCustomError(registry, "UnknownMicrogrid")
        .withArgs(MICROGRID + 1);
    });

    const invalidCapacities: [string, number, bigint, bigint][] = [
      ["a prosumer without import capacity", Kind.Prosumer, 0n, 10n],
      ["a prosumer without export capacity", Kind.Prosumer, 10n, 0n],
      ["a consumer without import capacity", Kind.Consumer, 0n, 0n],
      ["a consumer with export capacity", Kind.Consumer, 10n, 1n],
    ];
    for (const [what, kind, importWh, exportWh] of invalidCapacities) {
      it(`reverts with InvalidCapacity for ${what}`, async function () {
        const { registry, registrar, carol, meterC } = await loadFixture(registeredFixture);
        await expect(
          registry
            .connect(registrar)
            .registerParticipant(carol.address, kind, MICROGRID, meterC.address, importWh, exportWh),
        )
          .to.be.revertedWithCustomError(registry, "InvalidCapacity")
          .withArgs(importWh, exportWh);
      });
    }

    it("reverts with MeterKeyInUse for a key that belongs to another participant", async function () {
      const { registry, registrar, alice, carol, meterA } = await loadFixture(registeredFixture);
      await expect(
        registry
          .connect(registrar)
          .registerParticipant(carol.address, Kind.Consumer, MICROGRID, meterA.address, 1n, 0n),
      )
        .to.be.revertedWithCustomError(registry, "MeterKeyInUse")
        .withArgs(meterA.address, alice.address);
    });

    it("reverts with MeterKeyInUse for a key that belonged to another participant before a rotation", async function () {
      const { registry, registrar, alice, carol, meterA, meterC, registeredSlot } =
        await loadFixture(registeredFixture);
      await registry.connect(registrar).rotateMeter(alice.address, meterC.address, registeredSlot + 1n);
      await time.increaseTo(await registry.slotStart(registeredSlot + 2n));
      await expect(
        registry
          .connect(registrar)
          .registerParticipant(carol.address, Kind.Consumer, MICROGRID, meterA.address, 1n, 0n),
      )
        .to.be.revertedWithCustomError(registry, "MeterKeyInUse")
        .withArgs(meterA.address, alice.address);
    });
  });

  describe("suspend", function () {
    it("suspends a participant, takes it out of good standing and emits ParticipantSuspended", async function () {
      const { registry, registrar, alice } = await loadFixture(registeredFixture);
      await expect(registry.connect(registrar).suspend(alice.address))
        .to.emit(registry, "ParticipantSuspended")
        .withArgs(alice.address);
      expect((await registry.participant(alice.address)).suspended).to.equal(true);
      expect(await registry.isRegistered(alice.address)).to.equal(true);
      expect(await registry.isInGoodStanding(alice.address)).to.equal(false);
    });

    it("reverts with AlreadySuspended for a suspended participant", async function () {
      const { registry, registrar, alice } = await loadFixture(registeredFixture);
      await registry.connect(registrar).suspend(alice.address);
      await expect(registry.connect(registrar).suspend(alice.address))
        .to.be.revertedWithCustomError(registry, "AlreadySuspended")
        .withArgs(alice.address);
    });

    it("reverts with NotRegistered for an unknown account", async function () {
      const { registry, registrar, carol } = await loadFixture(registeredFixture);
      await expect(registry.connect(registrar).suspend(carol.address))
        .to.be.revertedWithCustomError(registry, "NotRegistered")
        .withArgs(carol.address);
    });
  });

  describe("reinstate", function () {
    it("lifts a suspension, restores good standing and emits ParticipantReinstated", async function () {
      const { registry, registrar, alice } = await loadFixture(registeredFixture);
      await registry.connect(registrar).suspend(alice.address);
      await expect(registry.connect(registrar).reinstate(alice.address))
        .to.emit(registry, "ParticipantReinstated")
        .withArgs(alice.address);
      expect((await registry.participant(alice.address)).suspended).to.equal(false);
      expect(await registry.isInGoodStanding(alice.address)).to.equal(true);
    });

    it("does not clear the debt flag", async function () {
      const { registry, registrar, debtSetter, alice } = await loadFixture(registeredFixture);
      await registry.connect(registrar).suspend(alice.address);
      await registry.connect(debtSetter).setIndebted(alice.address, true);
      await registry.connect(registrar).reinstate(alice.address);
      expect((await registry.participant(alice.address)).indebted).to.equal(true);
      expect(await registry.isInGoodStanding(alice.address)).to.equal(false);
    });

    it("reverts with NotSuspended for a participant that is not suspended", async function () {
      const { registry, registrar, alice } = await loadFixture(registeredFixture);
      await expect(registry.connect(registrar).reinstate(alice.address))
        .to.be.revertedWithCustomError(registry, "NotSuspended")
        .withArgs(alice.address);
    });

    it("reverts with NotRegistered for an unknown account", async function () {
      const { registry, registrar, carol } = await loadFixture(registeredFixture);
      await expect(registry.connect(registrar).reinstate(carol.address))
        .to.be.revertedWithCustomError(registry, "NotRegistered")
        .withArgs(carol.address);
    });
  });

  describe("setIndebted", function () {
    it("sets the debt flag, takes the participant out of good standing and emits DebtFlagSet", async function () {
      const { registry, debtSetter, alice } = await loadFixture(registeredFixture);
      await expect(registry.connect(debtSetter).setIndebted(alice.address, true))
        .to.emit(registry, "DebtFlagSet")
        .withArgs(alice.address, true);
      expect((await registry.participant(alice.address)).indebted).to.equal(true);
      expect((await registry.participant(alice.address)).suspended).to.equal(false);
      expect(await registry.isInGoodStanding(alice.address)).to.equal(false);
    });

    it("clears the debt flag and restores good standing", async function () {
      const { registry, debtSetter, alice } = await loadFixture(registeredFixture);
      await registry.connect(debtSetter).setIndebted(alice.address, true);
      await expect(registry.connect(debtSetter).setIndebted(alice.address, false))
        .to.emit(registry, "DebtFlagSet")
        .withArgs(alice.address, false);
      expect(await registry.isInGoodStanding(alice.address)).to.equal(true);
    });

    it("leaves a suspension in place when the debt is cleared", async function () {
      const { registry, registrar, debtSetter, alice } = await loadFixture(registeredFixture);
      await registry.connect(debtSetter).setIndebted(alice.address, true);
      await registry.connect(registrar).suspend(alice.address);
      await registry.connect(debtSetter).setIndebted(alice.address, false);
      expect((await registry.participant(alice.address)).suspended).to.equal(true);
      expect(await registry.isInGoodStanding(alice.address)).to.equal(false);
    });

    it("reverts with DebtFlagUnchanged when the flag already has the value", async function () {
      const { registry, debtSetter, alice } = await loadFixture(registeredFixture);
      await expect(registry.connect(debtSetter).setIndebted(alice.address, false))
        .to.be.revertedWithCustomError(registry, "DebtFlagUnchanged")
        .withArgs(alice.address, false);
      await registry.connect(debtSetter).setIndebted(alice.address, true);
      await expect(registry.connect(debtSetter).setIndebted(alice.address, true))
        .to.be.revertedWithCustomError(registry, "DebtFlagUnchanged")
        .withArgs(alice.address, true);
    });

    it("reverts with NotRegistered for an unknown account", async function () {
      const { registry, debtSetter, carol } = await loadFixture(registeredFixture);
      await expect(registry.connect(debtSetter).setIndebted(carol.address, true))
        .to.be.revertedWithCustomError(registry, "NotRegistered")
        .withArgs(carol.address);
    });
  });

  describe("setGridAccount", function () {
    it("names a new grid account and emits GridAccountSet with the old and new accounts", async function () {
      const { registry, registrar, grid, carol } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(registrar).setGridAccount(carol.address))
        .to.emit(registry, "GridAccountSet")
        .withArgs(grid.address, carol.address);
      expect(await registry.gridAccount()).to.equal(carol.address);
    });

    it("reverts with ZeroAddress for the zero address", async function () {
      const { registry, registrar } = await loadFixture(deployRegistryFixture);
      await expect(
        registry.connect(registrar).setGridAccount(ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(registry, "ZeroAddress");
    });
  });

  describe("pause", function () {
    it("pauses the suite and emits SuitePausedBy with the pauser", async function () {
      const { registry, pauser } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(pauser).pause())
        .to.emit(registry, "SuitePausedBy")
        .withArgs(pauser.address);
      expect(await registry.paused()).to.equal(true);
    });

    it("reverts with SuitePaused when the suite is paused already", async function () {
      const { registry, pauser } = await loadFixture(deployRegistryFixture);
      await registry.connect(pauser).pause();
      await expect(registry.connect(pauser).pause()).to.be.revertedWithCustomError(registry, "SuitePaused");
    });
  });

  describe("unpause", function () {
    it("lifts the pause and emits SuiteUnpausedBy with the pauser", async function () {
      const { registry, pauser } = await loadFixture(deployRegistryFixture);
      await registry.connect(pauser).pause();
      await expect(registry.connect(pauser).unpause())
        .to.emit(registry, "SuiteUnpausedBy")
        .withArgs(pauser.address);
      expect(await registry.paused()).to.equal(false);
    });

    it("reverts with SuiteNotPaused when the suite is not paused", async function () {
      const { registry, pauser } = await loadFixture(deployRegistryFixture);
      await expect(registry.connect(pauser).unpause()).to.be.revertedWithCustomError(
        registry,
        "SuiteNotPaused",
      );
    });
  });

  describe("participant, isRegistered, isInGoodStanding (unknown accounts)", function () {
    it("report an unknown account as unregistered, not in good standing, with no key or capacity", async function () {
      const { registry, carol, meterC, registeredSlot } = await loadFixture(registeredFixture);
      const record = await registry.participant(carol.address);
      expect(record.kind).to.equal(Kind.None);
      expect(record.registeredAt).to.equal(0);
      expect(await registry.isRegistered(carol.address)).to.equal(false);
      expect(await registry.isInGoodStanding(carol.address)).to.equal(false);
      expect(await registry.meterKeyAt(carol.address, registeredSlot)).to.equal(ethers.ZeroAddress);
      expect(await registry.capacityAt(carol.address, registeredSlot)).to.deep.equal([0n, 0n]);
      expect(await registry.participantOfMeter(meterC.address)).to.equal(ethers.ZeroAddress);
    });
  });

  // ---------------------------------------------------------------- role matrix
  interface MatrixContext extends RoleMatrixContext {
    registry: Registry;
    f: RegisteredFixture;
  }

  async function roleMatrixFixture(): Promise<MatrixContext> {
    const f = await registeredFixture();
    await f.registry.connect(f.registrar).suspend(f.bob.address);
    return {
      contract: f.registry,
      registry: f.registry,
      f,
      holders: {
        REGISTRAR_ROLE: f.registrar,
        TARIFF_ROLE: f.tariffSetter,
        PARAMS_ROLE: f.paramsSetter,
        PAUSER_ROLE: f.pauser,
        DEBT_ROLE: f.debtSetter,
        DEFAULT_ADMIN_ROLE: f.admin,
      },
      stranger: f.stranger,
    };
  }

  const as = (ctx: MatrixContext, signer: Signer) => ctx.registry.connect(signer);
  const calls: PrivilegedCall<MatrixContext>[] = [
    {
      name: "registerMicrogrid",
      role: "REGISTRAR_ROLE",
      call: (c, s) => as(c, s).registerMicrogrid(MICROGRID + 1),
    },
    {
      name: "registerParticipant",
      role: "REGISTRAR_ROLE",
      call: (c, s) =>
        as(c, s).registerParticipant(c.f.carol.address, Kind.Consumer, MICROGRID, c.f.meterC.address, 1n, 0n),
    },
    {
      name: "setCapacity",
      role: "REGISTRAR_ROLE",
      call: (c, s) => as(c, s).setCapacity(c.f.alice.address, 1n, 1n),
    },
    {
      name: "rotateMeter",
      role: "REGISTRAR_ROLE",
      call: (c, s) => as(c, s).rotateMeter(c.f.alice.address, c.f.meterD.address, c.f.registeredSlot + 1n),
    },
    { name: "suspend", role: "REGISTRAR_ROLE", call: (c, s) => as(c, s).suspend(c.f.alice.address) },
    { name: "reinstate", role: "REGISTRAR_ROLE", call: (c, s) => as(c, s).reinstate(c.f.bob.address) },
    {
      name: "setGridAccount",
      role: "REGISTRAR_ROLE",
      call: (c, s) => as(c, s).setGridAccount(c.f.carol.address),
    },
    { name: "setIndebted", role: "DEBT_ROLE", call: (c, s) => as(c, s).setIndebted(c.f.alice.address, true) },
    {
      name: "setTariff",
      role: "TARIFF_ROLE",
      call: (c, s) => as(c, s).setTariff(GRID_BUY_PRICE + 1n, GRID_SELL_PRICE),
    },
    { name: "setMaxMicrogrids", role: "PARAMS_ROLE", call: (c, s) => as(c, s).setMaxMicrogrids(10) },
    { name: "pause", role: "PAUSER_ROLE", call: (c, s) => as(c, s).pause() },
    // The suite is not paused in the fixture; the role check comes first all the same.
    { name: "unpause", role: "PAUSER_ROLE", call: (c, s) => as(c, s).unpause() },
    {
      name: "grantRole",
      role: "DEFAULT_ADMIN_ROLE",
      call: (c, s) => as(c, s).grantRole(ROLE_IDS.REGISTRAR_ROLE, c.f.carol.address),
    },
  ];

  describeRoleMatrix(ROLE_IDS, calls, () => loadFixture(roleMatrixFixture));

  describe("role holders", function () {
    it("each holder of a role can make the calls of its role (the matrix's calls are valid)", async function () {
      const ctx = await loadFixture(roleMatrixFixture);
      for (const privileged of calls.filter((c) => c.name !== "unpause")) {
        await privileged.call(ctx, ctx.holders[privileged.role]);
      }
      await as(ctx, ctx.holders.PAUSER_ROLE).unpause();
      expect(await ctx.registry.paused()).to.equal(false);
      expect(await ctx.registry.isRegistered(ctx.f.carol.address)).to.equal(true);
    });
  });
});
