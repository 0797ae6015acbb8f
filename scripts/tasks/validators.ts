// Hardhat tasks of the validator registry: join by burning a deposit, top up, leave, and list the
// ranking. --at defaults to the ValidatorRegistry address recorded by gridtrust:deploy for the network.
// Every check a transaction would fail is made first, with a message naming the argument.
import { task } from "hardhat/config";
import type { Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

const ZERO = "0x0000000000000000000000000000000000000000";

/** The validator registry, its coin and its oracle, and the signer's address. */
async function contractsOf(hre: HardhatRuntimeEnvironment, at: string | undefined) {
  const { suiteContract } = await import("../lib/contracts");
  const validators = await suiteContract(hre, "ValidatorRegistry", at);
  const coin = (await hre.ethers.getContractAt("TrustCoin", await validators.COIN())) as unknown as Contract;
  const oracle = (await hre.ethers.getContractAt(
    "TrustScoreOracle",
    await validators.ORACLE(),
  )) as unknown as Contract;
  const registry = (await hre.ethers.getContractAt(
    "Registry",
    await validators.REGISTRY(),
  )) as unknown as Contract;
  const [signer] = await hre.ethers.getSigners();
  if (!signer) throw new Error(`network "${hre.network.name}" has no account to send from`);
  return { validators, coin, oracle, registry, account: await signer.getAddress() };
}

/**
 * The `prevHint` and `nextHint` of `account` at `weight` and rank score `score`, from the contract's
 * off-chain helper view `findInsertPosition` (it walks the list; a call, never a transaction).
 */
export async function insertHints(
  validators: Contract,
  account: string,
  weight: bigint,
  score: bigint,
): Promise<[string, string]> {
  const [prevHint, nextHint] = (await validators.findInsertPosition(weight, score, account)) as [
    string,
    string,
  ];
  return [prevHint, nextHint];
}

/** Refuses a validator that cannot act: never joined, ejected or left. */
async function requireActive(validators: Contract, account: string): Promise<{ weight: bigint }> {
  const record = await validators.validator(account);
  if (record.joinedAt === 0n) throw new Error(`${account} is not a validator: run validator:join first`);
  if (record.ejected) throw new Error(`${account} was ejected and can never act as a validator again`);
  if (record.leftAt !== 0n) throw new Error(`${account} left at ${record.leftAt} and cannot act again`);
  return { weight: record.weight as bigint };
}

/** Checks balance and allowance for burning `amount`, approving the registry for it if needed. */
async function prepareBurn(
  coin: Contract,
  validators: Contract,
  account: string,
  amount: bigint,
  argument: string,
): Promise<void> {
  const { formatTrc, printTransaction, TaskArgumentError } = await import("../lib/cli");
  const balance = (await coin.balanceOf(account)) as bigint;
  if (balance < amount)
    throw new TaskArgumentError(
      argument,
      `${formatTrc(amount)} exceeds the balance ${formatTrc(balance)} of ${account}`,
    );
  const spender = await validators.getAddress();
  if (((await coin.allowance(account, spender)) as bigint) < amount) {
    await printTransaction("approve", await coin.approve(spender, amount));
  }
}

task("validator:join", "Joins as a validator by burning a deposit into the reward budget (SPEC §6.1)")
  .addParam("deposit", "TRC to burn (at least minDeposit, 2 000 TRC by default); it becomes the weight")
  .addOptionalParam("at", "ValidatorRegistry address (default: the recorded deployment)")
  .setAction(async (args: { deposit: string; at?: string }, hre) => {
    const { parseTrcArg, printTransaction, formatTrc, TaskArgumentError } = await import("../lib/cli");
    const deposit = parseTrcArg("deposit", args.deposit);
    const { validators, coin, oracle, registry, account } = await contractsOf(hre, args.at);
    const minDeposit = (await validators.minDeposit()) as bigint;
    if (deposit < minDeposit)
      throw new TaskArgumentError(
        "deposit",
        `${formatTrc(deposit)} is below minDeposit ${formatTrc(minDeposit)}`,
      );
    if (deposit >= 2n ** 128n) throw new TaskArgumentError("deposit", "does not fit 128 bits");
    if (await registry.paused()) throw new Error("the suite is paused: no joins");
    const record = await validators.validator(account);
    if (record.ejected) throw new Error(`${account} was ejected and can never join again`);
    if (record.joinedAt !== 0n) throw new Error(`${account} has joined already (at ${record.joinedAt})`);
    if (!(await registry.isRegistered(account)))
      throw new Error(`${account} is not a registered participant`);
    if (!(await registry.isInGoodStanding(account)))
      throw new Error(`${account} is not in good standing (suspended or indebted)`);
    const traderScore = (await oracle.traderScore(account)) as bigint;
    const minTraderScore = (await validators.minTraderScoreToValidate()) as bigint;
    if (traderScore < minTraderScore)
      throw new Error(
        `trader score ${hre.ethers.formatUnits(traderScore, 18)} of ${account} is below ${hre.ethers.formatUnits(minTraderScore, 18)}`,
      );
    await prepareBurn(coin, validators, account, deposit, "deposit");
    const [prevHint, nextHint] = await insertHints(
      validators,
      account,
      deposit,
      (await oracle.baseValidatorScore()) as bigint,
    );
    await printTransaction("join", await validators.join(deposit, prevHint, nextHint));
    console.log(
      `${account} joined with weight ${formatTrc(deposit)}; ${await validators.size()} validators ranked; ` +
        `reward budget ${formatTrc(await coin.rewardBudget())}`,
    );
  });

task("validator:top-up", "Burns more trust coin to raise the signer's validator weight")
  .addParam("amount", "TRC to burn")
  .addOptionalParam("at", "ValidatorRegistry address (default: the recorded deployment)")
  .setAction(async (args: { amount: string; at?: string }, hre) => {
    const { parseTrcArg, printTransaction, formatTrc, TaskArgumentError } = await import("../lib/cli");
    const amount = parseTrcArg("amount", args.amount);
    const { validators, coin, oracle, registry, account } = await contractsOf(hre, args.at);
    const { weight } = await requireActive(validators, account);
    if (weight + amount >= 2n ** 128n)
      throw new TaskArgumentError("amount", "the weight would not fit 128 bits");
    if (await registry.paused()) throw new Error("the suite is paused: no top-ups");
    await prepareBurn(coin, validators, account, amount, "amount");
    const [prevHint, nextHint] = await insertHints(
      validators,
      account,
      weight + amount,
      (await oracle.validatorScore(account)) as bigint,
    );
    await printTransaction("topUp", await validators.topUp(amount, prevHint, nextHint));
    console.log(`${account}: weight ${formatTrc((await validators.validator(account)).weight as bigint)}`);
  });

task("validator:leave", "Leaves the validator set (the burned weight is not returned)")
  .addOptionalParam("at", "ValidatorRegistry address (default: the recorded deployment)")
  .setAction(async (args: { at?: string }, hre) => {
    const { printTransaction } = await import("../lib/cli");
    const { validators, account } = await contractsOf(hre, args.at);
    await requireActive(validators, account);
    await printTransaction("leave", await validators.leave());
    console.log(`${account} left at ${(await validators.validator(account)).leftAt}`);
  });

task("validator:sync-rank", "Re-positions a validator at its current score, with hints (anyone may)")
  .addParam("validator", "Validator address")
  .addOptionalParam("from", "Sending account (default: the first signer)")
  .addOptionalParam("at", "ValidatorRegistry address (default: the recorded deployment)")
  .setAction(async (args: { validator: string; from?: string; at?: string }, hre) => {
    const { parseAddressArg, printTransaction } = await import("../lib/cli");
    const account = parseAddressArg("validator", args.validator);
    const { validators, oracle } = await contractsOf(hre, args.at);
    const sender =
      args.from === undefined
        ? validators
        : (validators.connect(await hre.ethers.getSigner(parseAddressArg("from", args.from))) as Contract);
    if (!(await validators.isRanked(account)))
      throw new Error(`${account} is not ranked: it never joined, left or was ejected`);
    const score = (await oracle.validatorScore(account)) as bigint;
    const rankScore = (await validators.rankScore(account)) as bigint;
    const format = (wad: bigint) => hre.ethers.formatUnits(wad, 18);
    if (score === rankScore) {
      console.log(`${account} is ranked at its current score ${format(score)} already: nothing to send`);
      return { synced: false, rankScore };
    }
    const weight = (await validators.validator(account)).weight as bigint;
    const [prevHint, nextHint] = await insertHints(validators, account, weight, score);
    await printTransaction("syncRankScore", await sender.syncRankScore(account, prevHint, nextHint));
    console.log(
      `${account}: rank score ${format(rankScore)} -> ${format(score)}, between ${prevHint} and ${nextHint}`,
    );
    return { synced: true, rankScore: score };
  });

/** One line of validator:list. */
export interface RankedValidator {
  rank: number;
  address: string;
  weight: string;
  rankScore: string;
  score: string;
  eligible: boolean;
}

task("validator:list", "Lists the ranked validators: weight, score and eligibility")
  .addOptionalParam("limit", "Most validators to list", "100")
  .addOptionalParam("at", "ValidatorRegistry address (default: the recorded deployment)")
  .setAction(async (args: { limit: string; at?: string }, hre): Promise<RankedValidator[]> => {
    const { parseUintArg, TaskArgumentError } = await import("../lib/cli");
    const limit = parseUintArg("limit", args.limit, 10_000n);
    if (limit === 0n) throw new TaskArgumentError("limit", "must be positive");
    const { validators, oracle } = await contractsOf(hre, args.at);
    const listed: RankedValidator[] = [];
    let cursor = (await validators.head()) as string;
    while (cursor !== ZERO && listed.length < Number(limit)) {
      const record = await validators.validator(cursor);
      listed.push({
        rank: listed.length + 1,
        address: cursor,
        weight: hre.ethers.formatUnits(record.weight as bigint, 18),
        rankScore: hre.ethers.formatUnits((await validators.rankScore(cursor)) as bigint, 18),
        score: hre.ethers.formatUnits((await oracle.validatorScore(cursor)) as bigint, 18),
        eligible: (await validators.isEligible(cursor)) as boolean,
      });
      cursor = (await validators.next(cursor)) as string;
    }
    console.log(`${await validators.size()} validators ranked (weight, then score, then lower address)`);
    console.log(
      "rank  address                                     weight (TRC)  rank score  score  eligible",
    );
    for (const v of listed) {
      console.log(
        `${String(v.rank).padStart(4)}  ${v.address}  ${v.weight.padStart(12)}  ${v.rankScore.padStart(10)}  ${v.score.padStart(5)}  ${v.eligible ? "yes" : "no"}`,
      );
    }
    return listed;
  });
