// The Hardhat tasks of scripts/tasks/coin.ts and registry.ts, run in-process with --at addresses.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../../deploy/suite";
import { runTaskQuietly } from "../shared/tasks";

async function deployedSuite() {
  const [deployer, alice, bob, meter, meter2] = await ethers.getSigners();
  const { record } = await deploySuite(hre);
  const coin = await ethers.getContractAt("TrustCoin", record.contracts.TrustCoin);
  const registry = await ethers.getContractAt("Registry", record.contracts.Registry);
  return {
    deployer,
    alice,
    bob,
    meter,
    meter2,
    coin,
    registry,
    coinAt: record.contracts.TrustCoin,
    registryAt: record.contracts.Registry,
  };
}

async function withMicrogridAndAlice() {
  const ctx = await deployedSuite();
  await ctx.registry.registerMicrogrid(7);
  await ctx.registry.registerParticipant(ctx.alice.address, 1, 7, ctx.meter.address, 4_000, 3_000);
  return ctx;
}

describe("coin tasks", function () {
  describe("coin:issue", function () {
    it("mints against a text reference and prints the new balance", async function () {
      const { coin, coinAt, alice } = await loadFixture(deployedSuite);
      const { printed } = await runTaskQuietly("coin:issue", {
        to: alice.address,
        amount: "12.5",
        ref: "PAY-0001",
        at: coinAt,
      });
      expect(await coin.balanceOf(alice.address)).to.equal(ethers.parseUnits("12.5", 18));
      expect(await coin.fiatRefUsed(ethers.id("PAY-0001"))).to.equal(true);
      expect(printed).to.contain("issue: tx 0x").and.contain("12.5 TRC");
    });

    it("refuses a reference that was issued against already, before sending anything", async function () {
      const { coinAt, alice } = await loadFixture(deployedSuite);
      await runTaskQuietly("coin:issue", { to: alice.address, amount: "1", ref: "PAY-0001", at: coinAt });
      await expect(
        runTaskQuietly("coin:issue", { to: alice.address, amount: "1", ref: "PAY-0001", at: coinAt }),
      ).to.be.rejectedWith(/--ref: payment reference .* was issued against already/);
    });

    it("refuses a bad recipient, amount or reference", async function () {
      const { coinAt, alice } = await loadFixture(deployedSuite);
      await expect(
        runTaskQuietly("coin:issue", { to: "alice", amount: "1", ref: "r", at: coinAt }),
      ).to.be.rejectedWith(/--to: "alice" is not an address/);
      await expect(
        runTaskQuietly("coin:issue", { to: alice.address, amount: "-1", ref: "r", at: coinAt }),
      ).to.be.rejectedWith(/--amount/);
      await expect(
        runTaskQuietly("coin:issue", { to: alice.address, amount: "0", ref: "r", at: coinAt }),
      ).to.be.rejectedWith(/--amount: must be positive/);
      await expect(
        runTaskQuietly("coin:issue", {
          to: alice.address,
          amount: "1.0000000000000000001",
          ref: "r",
          at: coinAt,
        }),
      ).to.be.rejectedWith(/at most 18 decimals/);
      await expect(
        runTaskQuietly("coin:issue", { to: alice.address, amount: "1", ref: "0x1234", at: coinAt }),
      ).to.be.rejectedWith(/--ref: .* not 32 bytes/);
    });

    it("refuses an --at address without a contract", async function () {
      const { alice } = await loadFixture(deployedSuite);
      await expect(
        runTaskQuietly("coin:issue", { to: alice.address, amount: "1", ref: "r", at: alice.address }),
      ).to.be.rejectedWith(/no contract at/);
    });

    it("explains that the in-process network has no recorded deployment", async function () {
      const { alice } = await loadFixture(deployedSuite);
      await expect(
        runTaskQuietly("coin:issue", { to: alice.address, amount: "1", ref: "r" }),
      ).to.be.rejectedWith(/no deployment recorded for network "hardhat"/);
    });
  });

  describe("coin:redeem", function () {
    it("burns the signer's coins and prints the new supply", async function () {
      const { coin, coinAt, deployer } = await loadFixture(deployedSuite);
      await coin.issue(deployer.address, ethers.parseUnits("10", 18), ethers.id("PAY-1"));
      const { printed } = await runTaskQuietly("coin:redeem", { amount: "4", ref: "IBAN-1", at: coinAt });
      expect(await coin.balanceOf(deployer.address)).to.equal(ethers.parseUnits("6", 18));
      expect(printed).to.contain("redeem: tx").and.contain("total supply 6.0 TRC");
    });

    it("refuses an amount above the balance", async function () {
      const { coinAt } = await loadFixture(deployedSuite);
      await expect(
        runTaskQuietly("coin:redeem", { amount: "4", ref: "IBAN-1", at: coinAt }),
      ).to.be.rejectedWith(/exceeds the balance/);
    });
  });

  describe("coin:balance", function () {
    it("prints the balance and the supply identity", async function () {
      const { coin, coinAt, alice } = await loadFixture(deployedSuite);
      await coin.issue(alice.address, ethers.parseUnits("3", 18), ethers.id("PAY-1"));
      const { printed } = await runTaskQuietly("coin:balance", { account: alice.address, at: coinAt });
      expect(printed)
        .to.contain("balance of")
        .and.contain("3.0 TRC")
        .and.contain("supply 3.0 TRC = issued 3.0 TRC");
    });
  });
});

describe("registry tasks", function () {
  describe("registry:add-microgrid", function () {
    it("registers a microgrid and prints the count", async function () {
      const { registry, registryAt } = await loadFixture(deployedSuite);
      const { printed } = await runTaskQuietly("registry:add-microgrid", { id: "3", at: registryAt });
      expect(await registry.isMicrogrid(3)).to.equal(true);
      expect(printed).to.contain("microgrids: 1 of at most 64");
    });

    it("refuses a registered id, a negative id and an id beyond uint32", async function () {
      const { registryAt } = await loadFixture(withMicrogridAndAlice);
      await expect(runTaskQuietly("registry:add-microgrid", { id: "7", at: registryAt })).to.be.rejectedWith(
        /registered already/,
      );
      await expect(runTaskQuietly("registry:add-microgrid", { id: "-1", at: registryAt })).to.be.rejectedWith(
        /not a whole non-negative number/,
      );
      await expect(
        runTaskQuietly("registry:add-microgrid", { id: "4294967296", at: registryAt }),
      ).to.be.rejectedWith(/exceeds the maximum/);
    });
  });

  describe("registry:register", function () {
    it("registers a consumer and prints its record", async function () {
      const { registry, registryAt, bob, meter2 } = await loadFixture(withMicrogridAndAlice);
      const { printed } = await runTaskQuietly("registry:register", {
        account: bob.address,
        kind: "consumer",
        microgrid: "7",
        meter: meter2.address,
        maxImportWh: "2500",
        maxExportWh: "0",
        at: registryAt,
      });
      expect(await registry.isRegistered(bob.address)).to.equal(true);
      expect(printed).to.contain("consumer in microgrid 7").and.contain("maxImportWh 2500");
    });

    it("refuses a bad kind, an unknown microgrid, a registered account and impossible capacities", async function () {
      const { registryAt, alice, bob, meter2 } = await loadFixture(withMicrogridAndAlice);
      const base = {
        account: bob.address,
        kind: "consumer",
        microgrid: "7",
        meter: meter2.address,
        maxImportWh: "2500",
        maxExportWh: "0",
        at: registryAt,
      };
      await expect(runTaskQuietly("registry:register", { ...base, kind: "validator" })).to.be.rejectedWith(
        /--kind: "validator"/,
      );
      await expect(runTaskQuietly("registry:register", { ...base, microgrid: "8" })).to.be.rejectedWith(
        /microgrid 8 is not registered/,
      );
      await expect(
        runTaskQuietly("registry:register", { ...base, account: alice.address }),
      ).to.be.rejectedWith(/registered already/);
      await expect(runTaskQuietly("registry:register", { ...base, maxExportWh: "5" })).to.be.rejectedWith(
        /a consumer has no export capacity/,
      );
      await expect(runTaskQuietly("registry:register", { ...base, kind: "prosumer" })).to.be.rejectedWith(
        /a prosumer needs export capacity/,
      );
      await expect(runTaskQuietly("registry:register", { ...base, maxImportWh: "0" })).to.be.rejectedWith(
        /--max-import-wh: must be positive/,
      );
    });
  });

  describe("registry:tariff", function () {
    it("schedules a tariff beyond the horizon and prints its first slot", async function () {
      const { registry, registryAt } = await loadFixture(deployedSuite);
      const { printed } = await runTaskQuietly("registry:tariff", {
        buy: "0.35",
        sell: "0.07",
        at: registryAt,
      });
      const fromSlot = (await registry.currentSlot()) + 97n;
      expect(await registry.tariffAt(fromSlot)).to.deep.equal([
        ethers.parseUnits("0.35", 18),
        ethers.parseUnits("0.07", 18),
      ]);
      expect(printed).to.contain(`from slot ${fromSlot}: buy 0.35 / sell 0.07`);
    });

    it("refuses a feed-in price at or above the buy price", async function () {
      const { registryAt } = await loadFixture(deployedSuite);
      await expect(
        runTaskQuietly("registry:tariff", { buy: "0.30", sell: "0.30", at: registryAt }),
      ).to.be.rejectedWith(/--sell/);
    });
  });

  describe("registry:rotate-meter", function () {
    it("gives the participant a new key from the next slot by default", async function () {
      const { registry, registryAt, alice, meter, meter2 } = await loadFixture(withMicrogridAndAlice);
      const slot = await registry.currentSlot();
      const { printed } = await runTaskQuietly("registry:rotate-meter", {
        account: alice.address,
        meter: meter2.address,
        at: registryAt,
      });
      expect(await registry.meterKeyAt(alice.address, slot)).to.equal(meter.address);
      expect(await registry.meterKeyAt(alice.address, slot + 1n)).to.equal(meter2.address);
      expect(printed).to.contain(`meter ${meter2.address} from slot ${slot + 1n}`);
    });
  });

  describe("registry:suspend and registry:reinstate", function () {
    it("suspend and reinstate a participant and print its record", async function () {
      const { registry, registryAt, alice } = await loadFixture(withMicrogridAndAlice);
      const suspended = await runTaskQuietly("registry:suspend", { account: alice.address, at: registryAt });
      expect((await registry.participant(alice.address)).suspended).to.equal(true);
      expect(suspended.printed).to.contain("suspended true");
      const reinstated = await runTaskQuietly("registry:reinstate", {
        account: alice.address,
        at: registryAt,
      });
      expect((await registry.participant(alice.address)).suspended).to.equal(false);
      expect(reinstated.printed).to.contain("suspended false");
    });
  });

  describe("registry:participant", function () {
    it("says when an account is not registered", async function () {
      const { registryAt, bob } = await loadFixture(withMicrogridAndAlice);
      const { printed } = await runTaskQuietly("registry:participant", {
        account: bob.address,
        at: registryAt,
      });
      expect(printed).to.contain("is not registered");
    });
  });
});
