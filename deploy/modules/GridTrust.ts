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
  /** Slots per consensus epoch (fixed at deployment). */
  epochSlots: bigint;
}

/** The contracts of the suite, by the name the deployment records use. */
export const SUITE_CONTRACTS = [
  "TrustCoin",
  "Registry",
  "TrustScoreOracle",
  "ValidatorRegistry",
  "EnergyMarket",
  "MeterReadings",
  "Settlement",
  "Committees",
  "TradeBlocks",
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
    { contract: "MeterReadings", role: "PARAMS_ROLE", account: c.paramsAdmin },
    { contract: "MeterReadings", role: "REGISTRAR_ROLE", account: c.registrar },
    { contract: "Committees", role: "PARAMS_ROLE", account: c.paramsAdmin },
    { contract: "TradeBlocks", role: "PARAMS_ROLE", account: c.paramsAdmin },
  ];
}

/** One role a suite contract holds on another: `role` on `contract` to the contract `holder`. */
export interface SuiteGrant {
  contract: SuiteContractName;
  role: RoleName;
  holder: SuiteContractName;
}

/**
 * The roles the suite's own contracts need on each other (SPEC §1: granted by the deploy step and by nothing
 * else): who burns, mints, scores, flags debt, settles and finalizes.
 */
export const SUITE_GRANTS: readonly SuiteGrant[] = [
  // The validator registry burns deposits and initialises and zeroes validator scores.
  { contract: "TrustCoin", role: "BURNER_ROLE", holder: "ValidatorRegistry" },
  { contract: "TrustScoreOracle", role: "VALIDATOR_SCORER_ROLE", holder: "ValidatorRegistry" },
  // The market burns the unpaid part of fees, penalty excesses and dust out of the settlement pool.
  { contract: "TrustCoin", role: "BURNER_ROLE", holder: "EnergyMarket" },
  // Settlement moves the money of settled participant-slots, scores trades and flags debt.
  { contract: "EnergyMarket", role: "SETTLEMENT_ROLE", holder: "Settlement" },
  { contract: "TrustScoreOracle", role: "TRADE_SCORER_ROLE", holder: "Settlement" },
  { contract: "Registry", role: "DEBT_ROLE", holder: "Settlement" },
  // Trade blocks fix the meter data, pay block fees, score validators, mint rewards and eject equivocators.
  { contract: "MeterReadings", role: "CONSENSUS_ROLE", holder: "TradeBlocks" },
  { contract: "Settlement", role: "CONSENSUS_ROLE", holder: "TradeBlocks" },
  { contract: "TrustScoreOracle", role: "VALIDATOR_SCORER_ROLE", holder: "TradeBlocks" },
  { contract: "TrustCoin", role: "REWARD_MINTER_ROLE", holder: "TradeBlocks" },
  { contract: "ValidatorRegistry", role: "CONSENSUS_ROLE", holder: "TradeBlocks" },
];

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
    // The market links the order-book library (it would not fit 24 KiB with the library inlined).
    const linkedOrderBook = m.library("LinkedOrderBook");
    const market = m.contract("EnergyMarket", [c.deployer, coin, registry, oracle], {
      libraries: { LinkedOrderBook: linkedOrderBook },
    });
    const meter = m.contract("MeterReadings", [c.deployer, registry, market]);
    const settlement = m.contract("Settlement", [c.deployer, coin, registry, market, meter, oracle]);
    const committees = m.contract("Committees", [c.deployer, registry, validators, c.epochSlots]);
    const blocks = m.contract("TradeBlocks", [
      c.deployer,
      coin,
      registry,
      market,
      meter,
      committees,
      settlement,
      oracle,
      validators,
    ]);
    // Keyed by the names of SUITE_CONTRACTS: the module's results are the recorded contracts.
    const byName = {
      TrustCoin: coin,
      Registry: registry,
      TrustScoreOracle: oracle,
      ValidatorRegistry: validators,
      EnergyMarket: market,
      MeterReadings: meter,
      Settlement: settlement,
      Committees: committees,
      TradeBlocks: blocks,
    };

    const grants = governanceGrants(c).map((g) =>
      m.call(byName[g.contract], "grantRole", [ROLE_IDS[g.role], g.account], {
        id: `${g.contract}_grant_${g.role}`,
      }),
    );
    for (const g of SUITE_GRANTS) {
      grants.push(
        m.call(byName[g.contract], "grantRole", [ROLE_IDS[g.role], byName[g.holder]], {
          id: `${g.contract}_grant_${g.role}_to_${g.holder}`,
        }),
      );
    }
    // The oracle takes platform feedback only for settled trades, as settlement records them.
    const ledgerSet = m.call(oracle, "setTradeLedger", [settlement], {
      id: "TrustScoreOracle_setTradeLedger",
    });

    if (c.admin.toLowerCase() !== c.deployer.toLowerCase()) {
      for (const [name, contract] of Object.entries(byName)) {
        const handedOver = m.call(contract, "grantRole", [ROLE_IDS.DEFAULT_ADMIN_ROLE, c.admin], {
          id: `${name}_grant_admin`,
          after: [...grants, ledgerSet],
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
