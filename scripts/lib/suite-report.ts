/**
 * A plain-text description of a deployed suite: every contract, who holds each role among the
 * configured accounts and the suite's own contracts, and every parameter. Used by the
 * `gridtrust:show` task and by the main job.
 */
import { formatUnits, type Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DeploymentRecord } from "../../deploy/suite";
import { ROLE_IDS, type RoleName } from "../../deploy/roles";
import { SUITE_CONTRACTS } from "../../deploy/modules/GridTrust";

/** Parameterless views printed per contract, when the contract has them. */
const PARAMETER_VIEWS: Record<string, string[]> = {
  TrustCoin: [
    "name",
    "symbol",
    "decimals",
    "totalSupply",
    "totalIssued",
    "totalRedeemed",
    "totalBurned",
    "totalRewardsMinted",
    "rewardBudget",
  ],
  Registry: [
    "genesis",
    "slotLength",
    "gateLead",
    "maxLeadSlots",
    "currentSlot",
    "maxMicrogrids",
    "microgridCount",
    "gridAccount",
    "paused",
  ],
  TrustScoreOracle: [
    "initialTraderScore",
    "initialTraderWeight",
    "timeUnit",
    "coinUnit",
    "blockReward",
    "baseValidatorScore",
    "trpThresholds",
    "accessFractions",
    "tradeLedger",
    "GENESIS",
    "SLOT_LENGTH",
    "platformScore",
    "feedbackCount",
  ],
  ValidatorRegistry: [
    "minDeposit",
    "minTraderScoreToValidate",
    "minValidatorScore",
    "maxIneligibleSkipped",
    "size",
  ],
  EnergyMarket: [
    "tickSize",
    "feeBps",
    "minOrderWh",
    "maxClearGas",
    "penaltyBps",
    "settleGrace",
    "settleDeadline",
    "totalPrepaid",
    "totalEscrow",
    "settlementPool",
    "gridFloat",
  ],
  MeterReadings: ["readingWindow", "maxExclusions"],
  Settlement: ["gridDebt", "dust"],
  Committees: ["epochSlots", "committeeSize", "minCommittee"],
  TradeBlocks: ["proposalTimeout", "attestWindow", "finalityDeadline", "attesterPenalty", "maxExclusions"],
};

/** Views whose values are 18-decimal fixed point (TRC amounts, scores, fractions), shown as decimals. */
const WAD_VIEWS = new Set([
  "settlementPool",
  "gridFloat",
  "gridDebt",
  "dust",
  "attesterPenalty",
  "totalSupply",
  "totalIssued",
  "totalRedeemed",
  "totalBurned",
  "totalRewardsMinted",
  "rewardBudget",
  "initialTraderScore",
  "coinUnit",
  "blockReward",
  "baseValidatorScore",
  "trpThresholds",
  "accessFractions",
  "platformScore",
  "minDeposit",
  "minTraderScoreToValidate",
  "minValidatorScore",
  "tickSize",
  "totalPrepaid",
  "totalEscrow",
]);

function show(value: unknown, wad: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => show(v, wad)).join(", ")}]`;
  if (wad && typeof value === "bigint") return formatUnits(value, 18);
  return String(value);
}

/** Lists contracts, role holders and parameters of the recorded deployment. */
export async function describeSuite(
  hre: HardhatRuntimeEnvironment,
  record: DeploymentRecord,
): Promise<string> {
  const lines: string[] = [];
  lines.push(`GridTrust on ${record.network} (chain ${record.chainId}), deployment ${record.deploymentId}`);
  lines.push("");
  lines.push("Contracts");
  for (const name of SUITE_CONTRACTS) lines.push(`  ${name.padEnd(18)} ${record.contracts[name]}`);

  const candidates = new Map<string, string>();
  const cfg = record.config;
  for (const key of [
    "deployer",
    "admin",
    "issuer",
    "registrar",
    "tariffSetter",
    "paramsAdmin",
    "pauser",
    "gridAccount",
  ] as const) {
    const address = cfg[key];
    candidates.set(address, [candidates.get(address), key].filter(Boolean).join("/"));
  }
  for (const name of SUITE_CONTRACTS) candidates.set(record.contracts[name], name);

  const contracts: Record<string, Contract> = {};
  for (const name of SUITE_CONTRACTS) {
    contracts[name] = (await hre.ethers.getContractAt(name, record.contracts[name])) as unknown as Contract;
  }

  lines.push("");
  lines.push("Roles (holders among the configured accounts and suite contracts)");
  for (const name of SUITE_CONTRACTS) {
    const contract = contracts[name];
    for (const role of Object.keys(ROLE_IDS) as RoleName[]) {
      const holders: string[] = [];
      for (const [address, label] of candidates) {
        if (await contract.hasRole(ROLE_IDS[role], address)) holders.push(`${label} ${address}`);
      }
      if (holders.length > 0) lines.push(`  ${name}.${role}: ${holders.join("; ")}`);
    }
  }

  lines.push("");
  lines.push("Parameters");
  for (const name of SUITE_CONTRACTS) {
    const contract = contracts[name];
    for (const view of PARAMETER_VIEWS[name] ?? []) {
      if (!contract.interface.getFunction(view)) continue;
      lines.push(
        `  ${name}.${view} = ${show(await contract.getFunction(view).staticCall(), WAD_VIEWS.has(view))}`,
      );
    }
  }
  const registry = contracts.Registry;
  const slot = (await registry.currentSlot()) as bigint;
  const [buy, sell] = (await registry.tariffAt(slot)) as [bigint, bigint];
  lines.push(
    `  Registry.tariffAt(${slot}) = buy ${hre.ethers.formatUnits(buy, 18)} / sell ${hre.ethers.formatUnits(sell, 18)} TRC per kWh`,
  );
  return lines.join("\n");
}
