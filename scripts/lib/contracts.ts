import type { Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { SuiteContractName } from "../../deploy/modules/GridTrust";
import { parseAddressArg } from "./cli";

/**
 * A suite contract for a task: at the address given in the task argument `argument` (default `--at`)
 * when there is one, else at the address recorded for the network by `gridtrust:deploy`. Connected to
 * the first configured signer.
 */
export async function suiteContract(
  hre: HardhatRuntimeEnvironment,
  name: SuiteContractName,
  at?: string,
  argument = "at",
): Promise<Contract> {
  const { recordedAddress } = await import("../../deploy/suite");
  const address = at ? parseAddressArg(argument, at) : recordedAddress(hre, name);
  if ((await hre.ethers.provider.getCode(address)) === "0x") {
    throw new Error(`--${argument}: no contract at ${address} (${name}) on network "${hre.network.name}"`);
  }
  return (await hre.ethers.getContractAt(name, address)) as unknown as Contract;
}
