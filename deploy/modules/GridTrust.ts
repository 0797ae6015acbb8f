import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ROLE_IDS, type RoleName } from "../roles";

/** Every value the module needs, resolved from a network's {@link DeployConfig}: addresses and integers. */
export interface ResolvedDeployConfig {
  deployer: string;
  admin: string;
  issuer: string;
  registrar: string;
  tariffSetter: string;
  paramsAdmin: string;
  pauser: string;
  gridAccount: string;
  genesis: bigint;
  slotLength: bigint;
  gateLead: bigint;
  maxLeadSlots: bigint;
  maxMicrogrids: bigint;
  /** TRC base units per kWh. */
  gridBuyPrice: bigint;
  /** TRC base units per kWh. */
  gridSellPrice: bigint;
}

/** The contracts of the suite, by the name the deployment records use. */
export const SUITE_CONTRACTS = [
  "TrustCoin",
  "Registry",
  "TrustScoreOracle",
  "ValidatorRegistry",
  "EnergyMarket",
] as const;
export type SuiteContractName = (typeof SUITE_CONTRACTS)[number];

/** One role grant the deployment makes: `role` on `contract` to `account`. */
export interface RoleGrant {
  contract: SuiteContractName;
  role: RoleName;
  account: string;
}

/** The governance roles of SPEC §1 that the configuration assigns, per contract. */
export function governanceGrants(c: ResolvedDeployConfig): RoleGrant[] {
  return [
    { contract: "TrustCoin", role: "ISSUER_ROLE", account: c.issuer },
    { contract: "Registry", role: "REGISTRAR_ROLE", account: c.registrar },
    { contract: "Registry", role: "TARIFF_ROLE", account: c.tariffSetter },
    { contract: "Registry", role: "PARAMS_ROLE", account: c.paramsAdmin },
    { contract: "Registry", role: "PAUSER_ROLE", account: c.pauser },
    { contract: "TrustScoreOracle", role: "PARAMS_ROLE", account: c.paramsAdmin },
    { contract: "ValidatorRegistry", role: "PARAMS_ROLE", account: c.paramsAdmin },
    { contract: "EnergyMarket", role: "PARAMS_ROLE", account: c.paramsAdmin },
  ];
}

/**
 * The Ignition module of the whole suite, built from literal values so that re-running a deployment
 * with the same configuration is a no-op, and a changed configuration is reported by Ignition instead
 * of silently redeployed. The deployer is the first admin; it grants the configured roles and, when
 * the configured admin is another account, hands DEFAULT_ADMIN_ROLE over and renounces its own.
 */
export function buildGridTrustModule(c: ResolvedDeployConfig) {
  return buildModule("GridTrust", (m) => {
    const coin = m.contract("TrustCoin", [c.deployer]);
    const registry = m.contract("Registry", [
      c.deployer,
      c.genesis,
      c.slotLength,
      c.gateLead,
      c.maxLeadSlots,
      c.maxMicrogrids,
      c.gridBuyPrice,
      c.gridSellPrice,
      c.gridAccount,
    ]);
    const oracle = m.contract("TrustScoreOracle", [c.deployer, registry]);
    const validators = m.contract("ValidatorRegistry", [c.deployer, coin, registry, oracle]);
    // The market links the order-book library (it would not fit 24 KiB with the library inlined). It needs
    // no role on the other contracts yet: settlement (issue 5) will hold SETTLEMENT_ROLE on it.
    const linkedOrderBook = m.library("LinkedOrderBook");
    const market = m.contract("EnergyMarket", [c.deployer, coin, registry, oracle], {
      libraries: { LinkedOrderBook: linkedOrderBook },
    });
    // Keyed by the names of SUITE_CONTRACTS: the module's results are the recorded contracts.
    const byName = {
      TrustCoin: coin,
      Registry: registry,
      TrustScoreOracle: oracle,
      ValidatorRegistry: validators,
      EnergyMarket: market,
    };

    const grants = governanceGrants(c).map((g) =>
      m.call(byName[g.contract], "grantRole", [ROLE_IDS[g.role], g.account], {
        id: `${g.contract}_grant_${g.role}`,
      }),
    );
    // Suite roles of the validator registry: it burns deposits and initialises and zeroes validator scores.
    grants.push(
      m.call(coin, "grantRole", [ROLE_IDS.BURNER_ROLE, validators], {
        id: "TrustCoin_grant_BURNER_ROLE_to_ValidatorRegistry",
      }),
      m.call(oracle, "grantRole", [ROLE_IDS.VALIDATOR_SCORER_ROLE, validators], {
        id: "TrustScoreOracle_grant_VALIDATOR_SCORER_ROLE_to_ValidatorRegistry",
      }),
    );

    if (c.admin.toLowerCase() !== c.deployer.toLowerCase()) {
      for (const [name, contract] of Object.entries(byName)) {
        const handedOver = m.call(contract, "grantRole", [ROLE_IDS.DEFAULT_ADMIN_ROLE, c.admin], {
          id: `${name}_grant_admin`,
          after: grants,
        });
        m.call(contract, "renounceRole", [ROLE_IDS.DEFAULT_ADMIN_ROLE, c.deployer], {
          id: `${name}_renounce_deployer_admin`,
          after: [handedOver],
        });
      }
    }

    return byName;
  });
}
