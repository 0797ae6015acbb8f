import { task } from "hardhat/config";

task("gridtrust:deploy", "Deploys and wires the suite on the selected network (idempotent)")
  .addOptionalParam("deploymentId", "Ignition deployment id (default gridtrust-<network>)")
  .setAction(async (args: { deploymentId?: string }, hre) => {
    const { deploySuite } = await import("../../deploy/suite");
    const { describeSuite } = await import("../lib/suite-report");
    const { record } = await deploySuite(hre, {
      deploymentId: args.deploymentId,
      displayUi: hre.network.name !== "hardhat",
    });
    console.log(await describeSuite(hre, record));
    if (hre.network.name === "hardhat") {
      console.log(
        "\n(in-process network: nothing was recorded; use --network localhost for a lasting deployment)",
      );
    } else {
      console.log(`\nrecorded in deploy/records/${hre.network.name}.json`);
    }
  });

task("gridtrust:show", "Prints every contract, role and parameter of the recorded deployment").setAction(
  async (_args, hre) => {
    const { readRecord } = await import("../../deploy/suite");
    const { describeSuite } = await import("../lib/suite-report");
    const record = readRecord(hre);
    if (!record)
      throw new Error(`no deployment recorded for network "${hre.network.name}"; run gridtrust:deploy first`);
    console.log(await describeSuite(hre, record));
  },
);
