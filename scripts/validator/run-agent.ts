/**
 * Runs one validator agent against a node until interrupted:
 *
 *   VALIDATOR_KEY=0x… POLL_MS=5000 npx hardhat run scripts/validator/run-agent.ts --network localhost
 *
 * Environment:
 * - `VALIDATOR_KEY` (required): the validator's private key (0x + 64 hex digits).
 * - `POLL_MS` (default 5000): pause between passes, in milliseconds (100 to 3 600 000).
 * - `TRADE_BLOCKS` (default: the TradeBlocks address recorded by gridtrust:deploy for the network).
 * - `LOOKBACK_SLOTS` (default 8): how many past slots each pass looks at.
 * - `BEHAVIOUR` (default honest): honest, withhold, equivocate or offline (for experiments).
 * - `POSITION_TOLERANCE_WH` (default off): see `defaultPlausibility`.
 * - `UTC_OFFSET_SEC` (default 0): local time of the microgrids, for the night hint (21:00–05:00).
 * - `VOTE_MODE` (default tx): `tx` sends one `attest` per vote; `batch` publishes signed votes to a vote pool
 *   and relays them with `attestBatch`. This process has no gossip channel to other validators yet (the pool is
 *   in-process), so in `batch` mode its votes go out alone at the batch deadline: `tx` is the default here.
 *
 * SIGINT or SIGTERM stops it after the pass under way; each pass that did something is logged.
 */
import hre from "hardhat";
import { Wallet, getAddress, isAddress, isHexString } from "ethers";
import { ValidatorAgent, agentContractsAt, type AgentActions, type Behaviour, type VoteMode } from "./agent";
import { defaultPlausibility, nightByClock } from "./plausibility";

/** The agent's settings, from the environment. */
export interface AgentEnv {
  key: string;
  pollMs: number;
  tradeBlocks: string | undefined;
  lookbackSlots: bigint;
  behaviour: Behaviour;
  positionToleranceWh: bigint | undefined;
  utcOffsetSec: number;
  voteMode: VoteMode;
}

const BEHAVIOURS: readonly Behaviour[] = ["honest", "withhold", "equivocate", "offline"];
const VOTE_MODES: readonly VoteMode[] = ["tx", "batch"];

function wholeNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string,
  min: bigint,
  max: bigint,
): bigint {
  const text = env[name] ?? fallback;
  if (!/^-?\d+$/.test(text)) throw new Error(`${name}: "${text}" is not a whole number`);
  const n = BigInt(text);
  if (n < min || n > max) throw new Error(`${name}: ${text} is not within [${min}, ${max}]`);
  return n;
}

/** Reads and checks the settings; throws naming the variable at fault. */
export function parseAgentEnv(env: NodeJS.ProcessEnv): AgentEnv {
  const key = env.VALIDATOR_KEY;
  if (key === undefined || key === "")
    throw new Error("VALIDATOR_KEY: required (the validator's private key)");
  if (!isHexString(key, 32)) throw new Error("VALIDATOR_KEY: must be 0x + 64 hex digits");
  const behaviour = (env.BEHAVIOUR ?? "honest") as Behaviour;
  if (!BEHAVIOURS.includes(behaviour))
    throw new Error(`BEHAVIOUR: "${behaviour}" is not one of ${BEHAVIOURS.join(", ")}`);
  const voteMode = (env.VOTE_MODE ?? "tx") as VoteMode;
  if (!VOTE_MODES.includes(voteMode))
    throw new Error(`VOTE_MODE: "${voteMode}" is not one of ${VOTE_MODES.join(", ")}`);
  const tradeBlocks = env.TRADE_BLOCKS === "" ? undefined : env.TRADE_BLOCKS;
  return {
    key,
    pollMs: Number(wholeNumber(env, "POLL_MS", "5000", 100n, 3_600_000n)),
    tradeBlocks,
    lookbackSlots: wholeNumber(env, "LOOKBACK_SLOTS", "8", 1n, 10_000n),
    behaviour,
    positionToleranceWh:
      env.POSITION_TOLERANCE_WH === undefined || env.POSITION_TOLERANCE_WH === ""
        ? undefined
        : wholeNumber(env, "POSITION_TOLERANCE_WH", "0", 0n, 2n ** 63n),
    utcOffsetSec: Number(wholeNumber(env, "UTC_OFFSET_SEC", "0", -50_400n, 50_400n)),
    voteMode,
  };
}

/** One log line of a pass, or undefined when it did nothing. */
export function describeActions(actions: AgentActions): string | undefined {
  const parts: string[] = [];
  for (const c of actions.committees) parts.push(`${c.call}(${c.epoch})`);
  for (const p of actions.proposed)
    parts.push(`proposed (${p.microgrid}, ${p.slot}) round ${p.round}, ${p.exclusions.length} excluded`);
  for (const a of actions.attested)
    parts.push(`${a.accept ? "accepted" : "rejected"} (${a.microgrid}, ${a.slot}) round ${a.round}`);
  for (const b of actions.batchesSubmitted)
    parts.push(`relayed ${b.votes} votes on (${b.microgrid}, ${b.slot}) round ${b.round}`);
  for (const k of actions.accountedMissing)
    parts.push(`accounted ${k.accounts.length} missing in (${k.microgrid}, ${k.slot})`);
  for (const d of actions.finalizedByDefault) parts.push(`finalized (${d.microgrid}, ${d.slot}) by default`);
  for (const e of actions.evidencePublished) parts.push(`published equivocation (${e.microgrid}, ${e.slot})`);
  for (const e of actions.evidenceSubmitted) parts.push(`ejected ${e.proposer} (${e.microgrid}, ${e.slot})`);
  for (const r of actions.rankSynced) parts.push(`rank score ${r.oldRankScore} -> ${r.newRankScore}`);
  for (const f of actions.failed) parts.push(`FAILED ${f.action}: ${f.reason}`);
  return parts.length === 0 ? undefined : parts.join("; ");
}

async function main(): Promise<void> {
  const env = parseAgentEnv(process.env);
  let blocksAddress: string;
  if (env.tradeBlocks !== undefined) {
    if (!isAddress(env.tradeBlocks)) throw new Error(`TRADE_BLOCKS: "${env.tradeBlocks}" is not an address`);
    blocksAddress = getAddress(env.tradeBlocks);
    if ((await hre.ethers.provider.getCode(blocksAddress)) === "0x")
      throw new Error(`TRADE_BLOCKS: no contract at ${blocksAddress} on network "${hre.network.name}"`);
  } else {
    const { suiteContract } = await import("../lib/contracts");
    blocksAddress = await (await suiteContract(hre, "TradeBlocks")).getAddress();
  }
  const signer = new Wallet(env.key, hre.ethers.provider);
  const contracts = await agentContractsAt(blocksAddress, signer);
  const [genesis, slotLength] = await Promise.all([
    contracts.registry.genesis(),
    contracts.registry.slotLength(),
  ]);
  const plausibility = defaultPlausibility({
    isNight: nightByClock({ genesis, slotLength, utcOffsetSec: env.utcOffsetSec }),
    positionToleranceWh: env.positionToleranceWh,
  });
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const agent = new ValidatorAgent({
    signer,
    contracts,
    plausibility,
    behaviour: env.behaviour,
    lookbackSlots: env.lookbackSlots,
    voteMode: env.voteMode,
  });
  log(`validator ${signer.address} (${env.behaviour}) on ${hre.network.name}, TradeBlocks ${blocksAddress}`);

  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping after the pass under way`);
    wake?.();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  while (!stopping) {
    try {
      const line = describeActions(await agent.step());
      if (line) log(line);
    } catch (error) {
      log(`pass failed: ${(error as Error).message}`);
    }
    if (stopping) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, env.pollMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  log("stopped");
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
