// The validator:* Hardhat tasks of scripts/tasks/validators.ts, run in-process with --at addresses.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite } from "../../deploy/suite";
import { runTaskQuietly } from "../shared/tasks";
import type { RankedValidator } from "../../scripts/tasks/validators";

const TRC = 10n ** 18n;

/** The deployed suite; the deployer (the tasks' signer) and alice registered and funded, alice a validator. */
async function suiteWithCandidates() {
  const [deployer, alice, meter, meter2] = await ethers.getSigners();
  const { record } = await deploySuite(hre);
  const coin = await ethers.getContractAt("TrustCoin", record.contracts.TrustCoin);
  const registry = await ethers.getContractAt("Registry", record.contracts.Registry);
  const vr = await ethers.getContractAt("ValidatorRegistry", record.contracts.ValidatorRegistry);
  await registry.registerMicrogrid(7);
  await registry.registerParticipant(deployer.address, 1, 7, meter.address, 4_000, 3_000);
  await registry.registerParticipant(alice.address, 1, 7, meter2.address, 4_000, 3_000);
  await coin.issue(deployer.address, 10_000n * TRC, ethers.id("PAY-1"));
  await coin.issue(alice.address, 10_000n * TRC, ethers.id("PAY-2"));
  await coin.connect(alice).approve(record.contracts.ValidatorRegistry, ethers.MaxUint256);
  await vr.connect(alice).join(3_000n * TRC, ethers.ZeroAddress, ethers.ZeroAddress);
  return { deployer, alice, coin, registry, vr, at: record.contracts.ValidatorRegistry };
}

describe("validator tasks", function () {
  describe("validator:join", function () {
    it("approves, burns the deposit and places the signer by the computed hints", async function () {
      const { vr, coin, deployer, alice, at } = await loadFixture(suiteWithCandidates);
      const { printed } = await runTaskQuietly("validator:join", { deposit: "3500", at });
      expect(printed).to.contain("approve: tx").and.contain("join: tx").and.contain("2 validators ranked");
      expect((await vr.validator(deployer.address)).weight).to.equal(3_500n * TRC);
      expect(await vr.head()).to.equal(deployer.address);
      expect(await vr.next(deployer.address)).to.equal(alice.address);
      expect(await coin.rewardBudget()).to.equal(6_500n * TRC);
    });

    it("refuses a deposit below minDeposit, a bad amount, a second join and a suspended signer", async function () {
      const { registry, deployer, at } = await loadFixture(suiteWithCandidates);
      await expect(runTaskQuietly("validator:join", { deposit: "1999.99", at })).to.be.rejectedWith(
        /--deposit: .* below minDeposit 2000.0 TRC/,
      );
      await expect(runTaskQuietly("validator:join", { deposit: "lots", at })).to.be.rejectedWith(/--deposit/);
      await expect(runTaskQuietly("validator:join", { deposit: "20000", at })).to.be.rejectedWith(
        /--deposit: .* exceeds the balance/,
      );
      await registry.suspend(deployer.address);
      await expect(runTaskQuietly("validator:join", { deposit: "2000", at })).to.be.rejectedWith(
        /not in good standing/,
      );
      await registry.reinstate(deployer.address);
      await runTaskQuietly("validator:join", { deposit: "2000", at });
      await expect(runTaskQuietly("validator:join", { deposit: "2000", at })).to.be.rejectedWith(
        /has joined already/,
      );
    });
  });

  describe("validator:top-up", function () {
    it("burns more and moves the signer up", async function () {
      const { vr, deployer, alice, at } = await loadFixture(suiteWithCandidates);
      await runTaskQuietly("validator:join", { deposit: "2000", at });
      expect(await vr.head()).to.equal(alice.address);
      const { printed } = await runTaskQuietly("validator:top-up", { amount: "1000.5", at });
      expect(printed).to.contain("topUp: tx").and.contain("weight 3000.5 TRC");
      expect(await vr.head()).to.equal(deployer.address);
    });

    it("refuses a signer that is not a validator and a zero amount", async function () {
      const { at } = await loadFixture(suiteWithCandidates);
      await expect(runTaskQuietly("validator:top-up", { amount: "1", at })).to.be.rejectedWith(
        /is not a validator/,
      );
      await expect(runTaskQuietly("validator:top-up", { amount: "0", at })).to.be.rejectedWith(
        /--amount: must be positive/,
      );
    });
  });

  describe("validator:leave", function () {
    it("leaves the ranking and refuses a second time", async function () {
      const { vr, deployer, at } = await loadFixture(suiteWithCandidates);
      await runTaskQuietly("validator:join", { deposit: "2000", at });
      const { printed } = await runTaskQuietly("validator:leave", { at });
      expect(printed).to.contain("leave: tx").and.contain("left at");
      expect(await vr.isRanked(deployer.address)).to.equal(false);
      await expect(runTaskQuietly("validator:leave", { at })).to.be.rejectedWith(
        /left at .* cannot act again/,
      );
    });
  });

  describe("validator:list", function () {
    it("lists the ranking with weight, score and eligibility", async function () {
      const { deployer, alice, at } = await loadFixture(suiteWithCandidates);
      await runTaskQuietly("validator:join", { deposit: "2000", at });
      const { result, printed } = await runTaskQuietly("validator:list", { at });
      const listed = result as RankedValidator[];
      expect(listed.map((v) => v.address)).to.deep.equal([alice.address, deployer.address]);
      expect(listed[0]).to.deep.include({ rank: 1, weight: "3000.0", score: "3.0", eligible: true });
      expect(printed).to.contain("2 validators ranked").and.contain(deployer.address);
      const { result: one } = await runTaskQuietly("validator:list", { limit: "1", at });
      expect(one as RankedValidator[]).to.have.length(1);
      await expect(runTaskQuietly("validator:list", { limit: "0", at })).to.be.rejectedWith(/--limit/);
    });

    it("explains that the in-process network has no recorded deployment", async function () {
      await loadFixture(suiteWithCandidates);
      await expect(runTaskQuietly("validator:list", { limit: "10" })).to.be.rejectedWith(
        /no deployment recorded for network "hardhat"/,
      );
    });
  });
});
