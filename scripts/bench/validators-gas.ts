/**
 * Gas benchmark of the validator registry (run: `npx hardhat run scripts/bench/validators-gas.ts`).
 *
 * Grows one deployment to 10, 100 and 1 000 validators through the real `join` (weights spread over
 * 2 000–4 000 TRC, so every position is in use and weights tie) and, at each size, from a snapshot:
 * - `join` of a newcomer that lands in the middle of the ranking, with correct hints;
 * - `topUp` of the tail validator that moves it to the middle, with correct hints;
 * - `topEligible(10, head)`, the committee selection's read (gas of a call: `eth_estimateGas`, which
 *   includes the 21 000 intrinsic gas and the calldata).
 * Hints come from `findInsertPosition` (an off-chain call). Target: join and topUp independent of the
 * number of validators, ratio 1 000 : 100 ≤ 1.2. Prints a markdown table.
 */
import { ethers, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ValidatorRegistry, TrustCoin, TrustScoreOracle, Registry } from "../../typechain-types";

const TRC = 10n ** 18n;
const SIZES = [10, 100, 1_000];
const TARGET_RATIO = 1.2;
const MICROGRID = 1;

interface Suite {
  admin: HardhatEthersSigner;
  coin: TrustCoin;
  registry: Registry;
  oracle: TrustScoreOracle;
  vr: ValidatorRegistry;
}

async function deploy(): Promise<Suite> {
  const [admin] = await ethers.getSigners();
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const coin = await ethers.deployContract("TrustCoin", [admin.address]);
  const registry = await ethers.deployContract("Registry", [
    admin.address,
    now - (now % 900n),
    900n,
    900n,
    96n,
    64,
    (30n * TRC) / 100n,
    (8n * TRC) / 100n,
    admin.address,
  ]);
  const oracle = await ethers.deployContract("TrustScoreOracle", [
    admin.address,
    await registry.getAddress(),
  ]);
  const vr = await ethers.deployContract("ValidatorRegistry", [admin.address, coin, registry, oracle]);
  await coin.grantRole(ethers.id("BURNER_ROLE"), await vr.getAddress());
  await coin.grantRole(ethers.id("ISSUER_ROLE"), admin.address);
  await oracle.grantRole(ethers.id("VALIDATOR_SCORER_ROLE"), await vr.getAddress());
  await registry.grantRole(ethers.id("REGISTRAR_ROLE"), admin.address);
  await registry.registerMicrogrid(MICROGRID);
  return { admin, coin, registry, oracle, vr };
}

let accountCounter = 0;

/** A fresh, registered, funded and approving participant (impersonated: no key signing needed). */
async function newCandidate(s: Suite): Promise<HardhatEthersSigner> {
  accountCounter += 1;
  const address = ethers.getAddress(ethers.toBeHex(0x100000n + BigInt(accountCounter) * 0x1_0001n, 20));
  const meter = ethers.getAddress(ethers.toBeHex(0x900000000n + BigInt(accountCounter), 20));
  await network.provider.send("hardhat_setBalance", [address, ethers.toQuantity(10n ** 20n)]);
  await network.provider.send("hardhat_impersonateAccount", [address]);
  const signer = await ethers.getSigner(address);
  await s.registry.registerParticipant(address, 1, MICROGRID, meter, 5_000n, 3_000n);
  await s.coin.issue(address, 1_000_000n * TRC, ethers.id(`bench:${address}`));
  await s.coin.connect(signer).approve(await s.vr.getAddress(), ethers.MaxUint256);
  return signer;
}

/** A weight on a 2 000–4 000 TRC grid of 97 values, so that weights tie as the list grows. */
function weightOf(i: number): bigint {
  return 2_000n * TRC + BigInt((i * 37) % 97) * 20n * TRC;
}

async function join(s: Suite, signer: HardhatEthersSigner, deposit: bigint): Promise<bigint> {
  const score = await s.oracle.baseValidatorScore();
  const [p, n] = await s.vr.findInsertPosition(deposit, score, signer.address);
  const receipt = await (await s.vr.connect(signer).join(deposit, p, n)).wait();
  return receipt!.gasUsed;
}

async function measure(s: Suite, size: number, newcomer: HardhatEthersSigner) {
  const snapshot = await network.provider.send("evm_snapshot", []);
  // A newcomer in the middle: 3 000 TRC + 1 wei ties with no one.
  const joinGas = await join(s, newcomer, 3_000n * TRC + 1n);
  await network.provider.send("evm_revert", [snapshot]);

  const snapshot2 = await network.provider.send("evm_snapshot", []);
  const tail = await s.vr.tail();
  const tailSigner = await ethers.getSigner(tail);
  const weight = (await s.vr.validator(tail)).weight;
  const amount = 3_000n * TRC + 1n - weight;
  const [p, n] = await s.vr.findInsertPosition(weight + amount, await s.oracle.validatorScore(tail), tail);
  const topUpGas = (await (await s.vr.connect(tailSigner).topUp(amount, p, n)).wait())!.gasUsed;
  await network.provider.send("evm_revert", [snapshot2]);

  const topEligibleGas = await s.vr.topEligible.estimateGas(10n, ethers.ZeroAddress);
  const [selected] = await s.vr.topEligible(10n, ethers.ZeroAddress);
  if (selected.length !== Math.min(10, size)) throw new Error("topEligible returned too few validators");
  return { size, joinGas, topUpGas, topEligibleGas };
}

async function main(): Promise<void> {
  const s = await deploy();
  const newcomer = await newCandidate(s);
  const rows: Awaited<ReturnType<typeof measure>>[] = [];
  let joined = 0;
  for (const size of SIZES) {
    while (joined < size) {
      const signer = await newCandidate(s);
      await join(s, signer, weightOf(joined));
      joined += 1;
    }
    if ((await s.vr.size()) !== BigInt(size)) throw new Error(`expected ${size} validators`);
    rows.push(await measure(s, size, newcomer));
  }

  console.log("| validators | join (gas) | topUp (gas) | topEligible(10) (estimateGas) |");
  console.log("|---:|---:|---:|---:|");
  for (const r of rows) console.log(`| ${r.size} | ${r.joinGas} | ${r.topUpGas} | ${r.topEligibleGas} |`);
  const at100 = rows.find((r) => r.size === 100)!;
  const at1000 = rows.find((r) => r.size === 1_000)!;
  const joinRatio = Number(at1000.joinGas) / Number(at100.joinGas);
  const topUpRatio = Number(at1000.topUpGas) / Number(at100.topUpGas);
  console.log("");
  console.log(
    `ratio 1 000 : 100 — join ${joinRatio.toFixed(3)}, topUp ${topUpRatio.toFixed(3)} (target ≤ ${TARGET_RATIO})`,
  );
  if (joinRatio > TARGET_RATIO || topUpRatio > TARGET_RATIO) {
    process.exitCode = 1;
    console.log("TARGET MISSED");
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
