import { task } from "hardhat/config";

task("coin:issue", "Mints trust coin against a fiat payment (ISSUER_ROLE)")
  .addParam("to", "Recipient address")
  .addParam("amount", "TRC amount, e.g. 100 or 12.5")
  .addParam("ref", "Fiat payment reference: 0x + 32 bytes, or any text (hashed)")
  .addOptionalParam("at", "TrustCoin address (default: the recorded deployment)")
  .setAction(async (args: { to: string; amount: string; ref: string; at?: string }, hre) => {
    const { parseAddressArg, parseTrcArg, parseRefArg, printTransaction, formatTrc } =
      await import("../lib/cli");
    const { suiteContract } = await import("../lib/contracts");
    const to = parseAddressArg("to", args.to);
    const amount = parseTrcArg("amount", args.amount);
    const fiatRef = parseRefArg("ref", args.ref);
    const coin = await suiteContract(hre, "TrustCoin", args.at);
    if (await coin.fiatRefUsed(fiatRef))
      throw new Error(`--ref: payment reference ${fiatRef} was issued against already`);
    await printTransaction("issue", await coin.issue(to, amount, fiatRef));
    console.log(
      `balance of ${to}: ${formatTrc(await coin.balanceOf(to))}; total supply ${formatTrc(await coin.totalSupply())}`,
    );
  });

task("coin:redeem", "Burns the signer's trust coin; the purchasing centre pays out against the reference")
  .addParam("amount", "TRC amount")
  .addParam("ref", "Payout reference: 0x + 32 bytes, or any text (hashed)")
  .addOptionalParam("at", "TrustCoin address (default: the recorded deployment)")
  .setAction(async (args: { amount: string; ref: string; at?: string }, hre) => {
    const { parseTrcArg, parseRefArg, printTransaction, formatTrc } = await import("../lib/cli");
    const { suiteContract } = await import("../lib/contracts");
    const amount = parseTrcArg("amount", args.amount);
    const ref = parseRefArg("ref", args.ref);
    const coin = await suiteContract(hre, "TrustCoin", args.at);
    const [signer] = await hre.ethers.getSigners();
    const holder = await signer.getAddress();
    const balance = (await coin.balanceOf(holder)) as bigint;
    if (balance < amount)
      throw new Error(
        `--amount: ${formatTrc(amount)} exceeds the balance ${formatTrc(balance)} of ${holder}`,
      );
    await printTransaction("redeem", await coin.redeem(amount, ref));
    console.log(
      `balance of ${holder}: ${formatTrc(await coin.balanceOf(holder))}; total supply ${formatTrc(await coin.totalSupply())}`,
    );
  });

task("coin:balance", "Prints an account's trust-coin balance and the coin's totals")
  .addParam("account", "Account address")
  .addOptionalParam("at", "TrustCoin address (default: the recorded deployment)")
  .setAction(async (args: { account: string; at?: string }, hre) => {
    const { parseAddressArg, formatTrc } = await import("../lib/cli");
    const { suiteContract } = await import("../lib/contracts");
    const account = parseAddressArg("account", args.account);
    const coin = await suiteContract(hre, "TrustCoin", args.at);
    console.log(`balance of ${account}: ${formatTrc(await coin.balanceOf(account))}`);
    console.log(
      `supply ${formatTrc(await coin.totalSupply())} = issued ${formatTrc(await coin.totalIssued())} - redeemed ${formatTrc(
        await coin.totalRedeemed(),
      )} - burned ${formatTrc(await coin.totalBurned())} + rewards ${formatTrc(await coin.totalRewardsMinted())}`,
    );
  });
