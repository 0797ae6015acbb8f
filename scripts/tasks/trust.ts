// Hardhat tasks of the trust-score oracle: read a trader's, a validator's or the platform's score.
// --oracle defaults to the address recorded by gridtrust:deploy for the network.
import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

const WAD_DECIMALS = 18;

/** Throws a clear error unless `value` is a 0x-prefixed 20-byte address. */
export function requireAddress(hre: HardhatRuntimeEnvironment, flag: string, value: string): string {
  if (!hre.ethers.isAddress(value) || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
    throw new Error(`--${flag}: "${value}" is not an address (expected 0x followed by 40 hex digits)`);
  }
  return hre.ethers.getAddress(value);
}

/** The oracle at `address` (default: the recorded deployment), after checking that a contract is there. */
async function oracleAt(hre: HardhatRuntimeEnvironment, address: string | undefined) {
  const { recordedAddress } = await import("../../deploy/suite");
  const oracle =
    address === undefined ? recordedAddress(hre, "TrustScoreOracle") : requireAddress(hre, "oracle", address);
  if ((await hre.ethers.provider.getCode(oracle)) === "0x") {
    throw new Error(`--oracle: no contract at ${oracle} on network "${hre.network.name}"`);
  }
  return hre.ethers.getContractAt("TrustScoreOracle", oracle);
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
    const account = requireAddress(hre, "account", args.account);
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
    const account = requireAddress(hre, "account", args.account);
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
