// Hardhat tasks of the trust-score oracle: read a trader's, a validator's or the platform's score.
// --oracle defaults to the address recorded by gridtrust:deploy for the network.
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

const WAD_DECIMALS = 18;

/** The oracle at `--oracle` (default: the recorded deployment), after checking that a contract is there. */
async function oracleAt(hre: HardhatRuntimeEnvironment, address: string | undefined) {
  const { suiteContract } = await import("../lib/contracts");
  const oracle = await suiteContract(hre, "TrustScoreOracle", address, "oracle");
  return hre.ethers.getContractAt("TrustScoreOracle", await oracle.getAddress());
}

/** A wad value as a decimal string. */
function fromWad(hre: HardhatRuntimeEnvironment, value: bigint): string {
  return hre.ethers.formatUnits(value, WAD_DECIMALS);
}

task("trust:score", "Prints a trader's trust score, TRP level, scored trades and coins traded")
  .addOptionalParam(
    "oracle",
    "address of the TrustScoreOracle (default: the recorded deployment)",
    undefined,
    types.string,
  )
  .addParam("account", "address of the trader", undefined, types.string)
  .setAction(async (args: { oracle?: string; account: string }, hre) => {
    const { parseAddressArg } = await import("../lib/cli");
    const account = parseAddressArg("account", args.account);
    const oracle = await oracleAt(hre, args.oracle);
    const [score, trades, coinsTraded] = await oracle.traderState(account);
    const level = await oracle.trpLevelOf(account);
    const result = {
      account,
      score: fromWad(hre, score),
      trpLevel: Number(level),
      trades,
      coinsTraded: fromWad(hre, coinsTraded),
    };
    console.log(`trader        ${account}`);
    console.log(`score         ${result.score} / 15`);
    console.log(`TRP level     ${result.trpLevel}`);
    console.log(`trades        ${trades}`);
    console.log(`coins traded  ${result.coinsTraded} TRC`);
    return result;
  });

task("trust:validator", "Prints a validator's trust score, counted blocks and join time")
  .addOptionalParam(
    "oracle",
    "address of the TrustScoreOracle (default: the recorded deployment)",
    undefined,
    types.string,
  )
  .addParam("account", "address of the validator", undefined, types.string)
  .setAction(async (args: { oracle?: string; account: string }, hre) => {
    const { parseAddressArg } = await import("../lib/cli");
    const account = parseAddressArg("account", args.account);
    const oracle = await oracleAt(hre, args.oracle);
    const [score, proposedBlocks, joinedAt] = await oracle.validatorState(account);
    const known = proposedBlocks > 0n;
    const result = { account, known, score: fromWad(hre, score), proposedBlocks, joinedAt };
    console.log(`validator        ${account}${known ? "" : " (not initialised)"}`);
    console.log(`score            ${result.score} / 5`);
    console.log(`proposed blocks  ${proposedBlocks} (including the prior)`);
    console.log(`joined at        ${known ? new Date(Number(joinedAt) * 1000).toISOString() : "-"}`);
    return result;
  });

task("trust:platform", "Prints the platform score and the number of feedbacks")
  .addOptionalParam(
    "oracle",
    "address of the TrustScoreOracle (default: the recorded deployment)",
    undefined,
    types.string,
  )
  .setAction(async (args: { oracle?: string }, hre) => {
    const oracle = await oracleAt(hre, args.oracle);
    const score = await oracle.platformScore();
    const feedbacks = await oracle.feedbackCount();
    const result = { score: fromWad(hre, score), feedbacks };
    console.log(`platform score  ${result.score} / 5`);
    console.log(`feedbacks       ${feedbacks}`);
    return result;
  });
