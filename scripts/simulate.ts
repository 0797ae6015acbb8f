/**
 * The main job. Until the day simulation lands (issue 7), it deploys the whole suite on the embedded
 * Hardhat network and prints every contract, role and parameter.
 *
 *   npm run simulate
 */
import hre from "hardhat";
import { deploySuite } from "../deploy/suite";
import { describeSuite } from "./lib/suite-report";

async function main(): Promise<void> {
  const { record } = await deploySuite(hre);
  console.log(await describeSuite(hre, record));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
