import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deploySuite, resolveConfig } from "../../deploy/suite";
import { specDefaults, type DeployConfig } from "../../deploy/config/types";
import { SUITE_GRANTS, governanceGrants, type SuiteContractName } from "../../deploy/modules/GridTrust";
import { ROLE_IDS } from "../../deploy/roles";
import { describeSuite } from "../../scripts/lib/suite-report";

async function contractsOf(addresses: Record<SuiteContractName, string>) {
  return {
    TrustCoin: await ethers.getContractAt("TrustCoin", addresses.TrustCoin),
    Registry: await ethers.getContractAt("Registry", addresses.Registry),
    TrustScoreOracle: await ethers.getContractAt("TrustScoreOracle", addresses.TrustScoreOracle),
    ValidatorRegistry: await ethers.getContractAt("ValidatorRegistry", addresses.ValidatorRegistry),
    EnergyMarket: await ethers.getContractAt("EnergyMarket", addresses.EnergyMarket),
    MeterReadings: await ethers.getContractAt("MeterReadings", addresses.MeterReadings),
    Settlement: await ethers.getContractAt("Settlement", addresses.Settlement),
    Committees: await ethers.getContractAt("Committees", addresses.Committees),
    TradeBlocks: await ethers.getContractAt("TradeBlocks", addresses.TradeBlocks),
  };
}

describe("deploySuite (in-process network)", function () {
  async function defaultDeployment() {
    const [deployer] = await ethers.getSigners();
    const deployed = await deploySuite(hre);
    return { deployer, ...deployed, contracts: await contractsOf(deployed.record.contracts) };
  }

  async function handedOverDeployment() {
    const [deployer, admin, issuer, registrar, tariffSetter, paramsAdmin, pauser, gridAccount] =
      await ethers.getSigners();
    const config: DeployConfig = {
      ...specDefaults,
      admin: admin.address as `0x${string}`,
      issuer: issuer.address as `0x${string}`,
      registrar: registrar.address as `0x${string}`,
      tariffSetter: tariffSetter.address as `0x${string}`,
      paramsAdmin: paramsAdmin.address as `0x${string}`,
      pauser: pauser.address as `0x${string}`,
      gridAccount: gridAccount.address as `0x${string}`,
    };
    const deployed = await deploySuite(hre, { config });
    return { deployer, admin, ...deployed, contracts: await contractsOf(deployed.record.contracts) };
  }

  it("deploys every contract of the suite", async function () {
    const { record } = await loadFixture(defaultDeployment);
    for (const address of Object.values(record.contracts)) {
      expect(await ethers.provider.getCode(address)).to.not.equal("0x");
    }
  });

  it("uses the role ids the contracts define", async function () {
    const { contracts } = await loadFixture(defaultDeployment);
    expect(await contracts.TrustCoin.ISSUER_ROLE()).to.equal(ROLE_IDS.ISSUER_ROLE);
    expect(await contracts.TrustCoin.BURNER_ROLE()).to.equal(ROLE_IDS.BURNER_ROLE);
    expect(await contracts.TrustCoin.REWARD_MINTER_ROLE()).to.equal(ROLE_IDS.REWARD_MINTER_ROLE);
    expect(await contracts.Registry.REGISTRAR_ROLE()).to.equal(ROLE_IDS.REGISTRAR_ROLE);
    expect(await contracts.Registry.TARIFF_ROLE()).to.equal(ROLE_IDS.TARIFF_ROLE);
    expect(await contracts.Registry.PARAMS_ROLE()).to.equal(ROLE_IDS.PARAMS_ROLE);
    expect(await contracts.Registry.PAUSER_ROLE()).to.equal(ROLE_IDS.PAUSER_ROLE);
    expect(await contracts.Registry.DEBT_ROLE()).to.equal(ROLE_IDS.DEBT_ROLE);
    expect(await contracts.TrustScoreOracle.PARAMS_ROLE()).to.equal(ROLE_IDS.PARAMS_ROLE);
    expect(await contracts.TrustScoreOracle.TRADE_SCORER_ROLE()).to.equal(ROLE_IDS.TRADE_SCORER_ROLE);
    expect(await contracts.TrustScoreOracle.VALIDATOR_SCORER_ROLE()).to.equal(ROLE_IDS.VALIDATOR_SCORER_ROLE);
    expect(await contracts.ValidatorRegistry.PARAMS_ROLE()).to.equal(ROLE_IDS.PARAMS_ROLE);
    expect(await contracts.ValidatorRegistry.CONSENSUS_ROLE()).to.equal(ROLE_IDS.CONSENSUS_ROLE);
    expect(await contracts.EnergyMarket.PARAMS_ROLE()).to.equal(ROLE_IDS.PARAMS_ROLE);
    expect(await contracts.EnergyMarket.SETTLEMENT_ROLE()).to.equal(ROLE_IDS.SETTLEMENT_ROLE);
  });

  it("sets the clock, tariff and limits of the configuration", async function () {
    const { contracts, resolved } = await loadFixture(defaultDeployment);
    expect(await contracts.Registry.genesis()).to.equal(resolved.genesis);
    expect(resolved.genesis % 900n).to.equal(0n);
    expect(await contracts.Registry.slotLength()).to.equal(900n);
    expect(await contracts.Registry.gateLead()).to.equal(900n);
    expect(await contracts.Registry.maxLeadSlots()).to.equal(96n);
    expect(await contracts.Registry.maxMicrogrids()).to.equal(64n);
    expect(await contracts.Registry.tariffAt(0)).to.deep.equal([
      ethers.parseUnits("0.30", 18),
      ethers.parseUnits("0.08", 18),
    ]);
    expect(await contracts.TrustScoreOracle.REGISTRY()).to.equal(await contracts.Registry.getAddress());
    expect(await contracts.ValidatorRegistry.COIN()).to.equal(await contracts.TrustCoin.getAddress());
    expect(await contracts.ValidatorRegistry.REGISTRY()).to.equal(await contracts.Registry.getAddress());
    expect(await contracts.ValidatorRegistry.ORACLE()).to.equal(
      await contracts.TrustScoreOracle.getAddress(),
    );
    expect(await contracts.ValidatorRegistry.minDeposit()).to.equal(ethers.parseUnits("2000", 18));
    expect(await contracts.EnergyMarket.REGISTRY()).to.equal(await contracts.Registry.getAddress());
    expect(await contracts.EnergyMarket.COIN()).to.equal(await contracts.TrustCoin.getAddress());
    expect(await contracts.EnergyMarket.ORACLE()).to.equal(await contracts.TrustScoreOracle.getAddress());
    expect(await contracts.EnergyMarket.tickSize()).to.equal(10n ** 15n);
  });

  it("lets the validator registry burn deposits and initialise validator scores, and nothing more", async function () {
    for (const deployment of [defaultDeployment, handedOverDeployment]) {
      const { contracts } = await loadFixture(deployment);
      const validators = await contracts.ValidatorRegistry.getAddress();
      expect(await contracts.TrustCoin.hasRole(ROLE_IDS.BURNER_ROLE, validators)).to.equal(true);
      expect(await contracts.TrustScoreOracle.hasRole(ROLE_IDS.VALIDATOR_SCORER_ROLE, validators)).to.equal(
        true,
      );
      expect(await contracts.TrustCoin.hasRole(ROLE_IDS.REWARD_MINTER_ROLE, validators)).to.equal(false);
      expect(await contracts.TrustScoreOracle.hasRole(ROLE_IDS.TRADE_SCORER_ROLE, validators)).to.equal(
        false,
      );
      expect(await contracts.Registry.hasRole(ROLE_IDS.DEBT_ROLE, validators)).to.equal(false);
    }
  });

  it("grants each suite contract exactly the roles of SUITE_GRANTS on the others", async function () {
    const { contracts } = await loadFixture(defaultDeployment);
    const names = Object.keys(contracts) as SuiteContractName[];
    for (const target of names) {
      for (const holder of names) {
        const holderAddress = await contracts[holder].getAddress();
        for (const role of Object.keys(ROLE_IDS) as (keyof typeof ROLE_IDS)[]) {
          const expected = SUITE_GRANTS.some(
            (g) => g.contract === target && g.holder === holder && g.role === role,
          );
          expect(await contracts[target].hasRole(ROLE_IDS[role], holderAddress)).to.equal(
            expected,
            `${target}.${role} held by ${holder}`,
          );
        }
      }
    }
    expect(await contracts.TrustScoreOracle.tradeLedger()).to.equal(await contracts.Settlement.getAddress());
    expect(await contracts.Committees.epochSlots()).to.equal(10n);
  });

  it("gives every governance role to the deployer when the configuration says so", async function () {
    const { contracts, resolved, deployer } = await loadFixture(defaultDeployment);
    for (const grant of governanceGrants(resolved)) {
      expect(await contracts[grant.contract].hasRole(ROLE_IDS[grant.role], deployer.address)).to.equal(true);
    }
    for (const contract of Object.values(contracts)) {
      expect(await contract.hasRole(ROLE_IDS.DEFAULT_ADMIN_ROLE, deployer.address)).to.equal(true);
    }
  });

  it("hands every role to the configured accounts and leaves the deployer with none", async function () {
    const { contracts, resolved, deployer, admin } = await loadFixture(handedOverDeployment);
    for (const grant of governanceGrants(resolved)) {
      expect(await contracts[grant.contract].hasRole(ROLE_IDS[grant.role], grant.account)).to.equal(true);
    }
    for (const contract of Object.values(contracts)) {
      expect(await contract.hasRole(ROLE_IDS.DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      for (const role of Object.values(ROLE_IDS)) {
        expect(await contract.hasRole(role, deployer.address)).to.equal(false);
      }
    }
    expect(await contracts.Registry.gridAccount()).to.equal(resolved.gridAccount);
  });

  it("describes every contract, role holder and parameter", async function () {
    const { record } = await loadFixture(defaultDeployment);
    const text = await describeSuite(hre, record);
    for (const name of [
      "TrustCoin",
      "Registry",
      "TrustScoreOracle",
      "ValidatorRegistry",
      "EnergyMarket",
      "ISSUER_ROLE",
      "REGISTRAR_ROLE",
      "TARIFF_ROLE",
      "PAUSER_ROLE",
    ]) {
      expect(text).to.contain(name);
    }
    expect(text).to.contain("Registry.slotLength = 900");
    expect(text).to.contain("ValidatorRegistry.minDeposit = 2000.0");
    expect(text).to.contain("TrustCoin.BURNER_ROLE: ValidatorRegistry");
    expect(text).to.contain("buy 0.3 / sell 0.08 TRC per kWh");
  });

  describe("resolveConfig", function () {
    it("refuses an account that is not an address", async function () {
      const config = { ...specDefaults, issuer: "0x1234" as `0x${string}` };
      await expect(resolveConfig(hre, config, ethers.ZeroAddress)).to.be.rejectedWith(
        "issuer is not an address",
      );
    });

    it("refuses a price that is not a decimal amount", async function () {
      const config = {
        ...specDefaults,
        tariff: { gridBuyPricePerKWh: "thirty", gridSellPricePerKWh: "0.08" },
      };
      await expect(resolveConfig(hre, config, ethers.ZeroAddress)).to.be.rejectedWith(
        "tariff.gridBuyPricePerKWh",
      );
    });

    it("refuses a clock number that is not a non-negative integer", async function () {
      const config = { ...specDefaults, clock: { ...specDefaults.clock, slotLengthSec: 900.5 } };
      await expect(resolveConfig(hre, config, ethers.ZeroAddress)).to.be.rejectedWith("clock.slotLengthSec");
    });

    it("keeps a recorded genesis instead of choosing a new one", async function () {
      const resolved = await resolveConfig(hre, specDefaults, ethers.ZeroAddress, 1_800n);
      expect(resolved.genesis).to.equal(1_800n);
    });
  });
});
