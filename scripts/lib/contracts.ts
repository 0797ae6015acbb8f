import type { Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { SuiteContractName } from "../../deploy/modules/GridTrust";
import { parseAddressArg } from "./cli";

/**
 * Contracts of the agreement layer and settlement that tasks look up in the deployment record under these
 * names. The deploy module records only `SUITE_CONTRACTS` so far; until it records these too, tasks need
 * their address in `--at`.
 */
export const PENDING_SUITE_CONTRACTS = ["MeterReadings", "Settlement", "Committees", "TradeBlocks"] as const;
export type PendingSuiteContractName = (typeof PENDING_SUITE_CONTRACTS)[number];

function isPending(name: string): name is PendingSuiteContractName {
  return (PENDING_SUITE_CONTRACTS as readonly string[]).includes(name);
}

/** The recorded address of `name` on the current network, keyed like the deploy record's `contracts`. */
async function recordedAddressOf(
  hre: HardhatRuntimeEnvironment,
  name: SuiteContractName | PendingSuiteContractName,
  argument: string,
): Promise<string> {
  const { readRecord, recordedAddress } = await import("../../deploy/suite");
  if (!isPending(name)) return recordedAddress(hre, name);
  const record = readRecord(hre);
  if (!record) {
    throw new Error(
      `no deployment recorded for network "${hre.network.name}": run "npx hardhat gridtrust:deploy --network ${hre.network.name}" first, or pass --${argument}`,
    );
  }
  const address = (record.contracts as Partial<Record<string, string>>)[name];
  if (address === undefined) {
    throw new Error(
      `the deployment recorded for network "${hre.network.name}" has no ${name}: pass its address in --${argument}`,
    );
  }
  return address;
}

/**
 * A suite contract for a task: at the address given in the task argument `argument` (default `--at`)
 * when there is one, else at the address recorded for the network by `gridtrust:deploy`. Connected to
 * the first configured signer.
 */
export async function suiteContract(
  hre: HardhatRuntimeEnvironment,
  name: SuiteContractName | PendingSuiteContractName,
  at?: string,
  argument = "at",
): Promise<Contract> {
  const address = at ? parseAddressArg(argument, at) : await recordedAddressOf(hre, name, argument);
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    throw new Error(`--${argument}: no contract at ${address} (${name}) on network "${hre.network.name}"`);
  }
  return (await hre.ethers.getContractAt(name, address)) as unknown as Contract;
}
