import fs from "node:fs";
import path from "node:path";
import { getAddress, isAddress, parseUnits } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { AccountRef, DeployConfig } from "./config/types";
import {
  buildGridTrustModule,
  type ResolvedDeployConfig,
  SUITE_CONTRACTS,
  type SuiteContractName,
} from "./modules/GridTrust";

/** Where deployments are recorded, one JSON file per network (GRIDTRUST_RECORDS_DIR overrides it for tests). */
export const RECORDS_DIR = process.env.GRIDTRUST_RECORDS_DIR ?? path.join(__dirname, "records");

/** What a deployment leaves behind for tasks and scripts: addresses and the resolved configuration. */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  deploymentId: string;
  contracts: Record<SuiteContractName, string>;
  config: Record<keyof ResolvedDeployConfig, string>;
}

/** Loads the network's typed configuration file, `deploy/config/<network>.ts`. */
export function loadNetworkConfig(networkName: string): DeployConfig {
  const file = path.join(__dirname, "config", `${networkName}.ts`);
  if (!fs.existsSync(file)) {
    throw new Error(
      `no deployment configuration for network "${networkName}": create deploy/config/${networkName}.ts`,
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(file) as { default: DeployConfig }).default;
}

export function recordPath(networkName: string): string {
  return path.join(RECORDS_DIR, `${networkName}.json`);
}

/** The recorded deployment of the current network, or undefined (always undefined in-process). */
export function readRecord(hre: HardhatRuntimeEnvironment): DeploymentRecord | undefined {
  const file = recordPath(hre.network.name);
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecord;
}

function resolveAccount(ref: AccountRef, deployer: string, field: string): string {
  if (ref === "deployer") return deployer;
  if (!isAddress(ref)) throw new Error(`deployment config: ${field} is not an address: ${String(ref)}`);
  return getAddress(ref);
}

function positiveInteger(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`deployment config: ${field} must be a non-negative integer, got ${value}`);
  }
  return BigInt(value);
}

function pricePerKWh(value: string, field: string): bigint {
  try {
    return parseUnits(value, 18);
  } catch {
    throw new Error(
      `deployment config: ${field} must be a decimal TRC amount such as "0.30", got "${value}"`,
    );
  }
}

/** Turns a {@link DeployConfig} into the literal values of the Ignition module. */
export async function resolveConfig(
  hre: HardhatRuntimeEnvironment,
  config: DeployConfig,
  deployer: string,
  recordedGenesis?: bigint,
): Promise<ResolvedDeployConfig> {
  const slotLength = positiveInteger(config.clock.slotLengthSec, "clock.slotLengthSec");
  let genesis: bigint;
  if (config.clock.genesis === "auto") {
    if (recordedGenesis !== undefined) {
      genesis = recordedGenesis;
    } else {
      const latest = await hre.ethers.provider.getBlock("latest");
      if (!latest) throw new Error("cannot read the latest block to choose the genesis");
      genesis = (BigInt(latest.timestamp) / slotLength) * slotLength;
    }
  } else {
    genesis = positiveInteger(config.clock.genesis, "clock.genesis");
  }
  return {
    deployer,
    admin: resolveAccount(config.admin, deployer, "admin"),
    issuer: resolveAccount(config.issuer, deployer, "issuer"),
    registrar: resolveAccount(config.registrar, deployer, "registrar"),
    tariffSetter: resolveAccount(config.tariffSetter, deployer, "tariffSetter"),
    paramsAdmin: resolveAccount(config.paramsAdmin, deployer, "paramsAdmin"),
    pauser: resolveAccount(config.pauser, deployer, "pauser"),
    gridAccount: resolveAccount(config.gridAccount, deployer, "gridAccount"),
    genesis,
    slotLength,
    gateLead: positiveInteger(config.clock.gateLeadSec, "clock.gateLeadSec"),
    maxLeadSlots: positiveInteger(config.clock.maxLeadSlots, "clock.maxLeadSlots"),
    maxMicrogrids: positiveInteger(config.maxMicrogrids, "maxMicrogrids"),
    epochSlots: positiveInteger(config.epochSlots, "epochSlots"),
    gridBuyPrice: pricePerKWh(config.tariff.gridBuyPricePerKWh, "tariff.gridBuyPricePerKWh"),
    gridSellPrice: pricePerKWh(config.tariff.gridSellPricePerKWh, "tariff.gridSellPricePerKWh"),
  };
}

export interface DeploySuiteOptions {
  /** Use this configuration instead of the network's file. */
  config?: DeployConfig;
  /** Ignition deployment id (default: `gridtrust-<network>`). */
  deploymentId?: string;
  /** Show Ignition's progress UI. */
  displayUi?: boolean;
}

export interface DeployedSuite {
  record: DeploymentRecord;
  resolved: ResolvedDeployConfig;
}

/**
 * Deploys and wires the suite on the current network, idempotently: Ignition's journal (under
 * `ignition/deployments/<deploymentId>`) makes a re-run with the same configuration send nothing.
 * Outside the in-process network the addresses are recorded in `deploy/records/<network>.json`.
 */
export async function deploySuite(
  hre: HardhatRuntimeEnvironment,
  options: DeploySuiteOptions = {},
): Promise<DeployedSuite> {
  const networkName = hre.network.name;
  const config = options.config ?? loadNetworkConfig(networkName);
  const [deployerSigner] = await hre.ethers.getSigners();
  if (!deployerSigner)
    throw new Error(
      `network "${networkName}" has no account: set DEPLOYER_PRIVATE_KEY with "npx hardhat vars set"`,
    );
  const deployer = await deployerSigner.getAddress();
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const deploymentId = options.deploymentId ?? `gridtrust-${networkName}`;
  const persistent = networkName !== "hardhat";

  // A recorded deployment on the same chain fixes the genesis that "auto" chose the first time.
  let recordedGenesis: bigint | undefined;
  const previous = persistent ? readRecord(hre) : undefined;
  if (previous && previous.chainId === chainId && previous.deploymentId === deploymentId) {
    const code = await hre.ethers.provider.getCode(previous.contracts.Registry);
    if (code !== "0x") {
      recordedGenesis = BigInt(previous.config.genesis);
    } else if (networkName === "localhost") {
      // A restarted `npx hardhat node` forgot everything: start a fresh deployment.
      fs.rmSync(path.join(hre.config.paths.root, "ignition", "deployments", deploymentId), {
        recursive: true,
        force: true,
      });
    } else {
      throw new Error(
        `recorded Registry ${previous.contracts.Registry} has no code on ${networkName}; ` +
          `remove ${recordPath(networkName)} and ignition/deployments/${deploymentId} to deploy afresh`,
      );
    }
  }

  const resolved = await resolveConfig(hre, config, deployer, recordedGenesis);
  const deployed = await hre.ignition.deploy(buildGridTrustModule(resolved), {
    deploymentId: persistent ? deploymentId : undefined,
    displayUi: options.displayUi ?? false,
  });
  const contracts = {} as Record<SuiteContractName, string>;
  for (const name of SUITE_CONTRACTS) contracts[name] = await deployed[name].getAddress();

  const record: DeploymentRecord = {
    network: networkName,
    chainId,
    deploymentId,
    contracts,
    config: Object.fromEntries(
      Object.entries(resolved).map(([k, v]) => [k, String(v)]),
    ) as DeploymentRecord["config"],
  };
  if (persistent) {
    fs.mkdirSync(RECORDS_DIR, { recursive: true });
    fs.writeFileSync(recordPath(networkName), JSON.stringify(record, null, 2) + "\n");
  }
  return { record, resolved };
}

/** The address of a suite contract on the current network, from its deployment record. */
export function recordedAddress(hre: HardhatRuntimeEnvironment, name: SuiteContractName): string {
  const record = readRecord(hre);
  if (!record) {
    throw new Error(
      `no deployment recorded for network "${hre.network.name}": run "npx hardhat gridtrust:deploy --network ${hre.network.name}" first`,
    );
  }
  return record.contracts[name];
}
