/**
 * Gas benchmark of committee selection and shuffle (run: `npx hardhat run scripts/bench/committees-gas.ts`).
 *
 * Grows one deployment to 10, 100 and 1 000 validators through the real `join` (burned deposits spread
 * over 2 000–4 000 TRC, so weights tie) and, at each size, from a snapshot:
 * - selects the committee of an epoch `E − 1` (set-up, not measured), then, at the middle slot of `E − 1`,
 *   measures `ensureCommittee(E)`: the selection of a full committee (10) that skips `E − 1`'s ten members,
 *   so it reads about 20 ranked validators (at 10 validators: the fallback, four members of `E − 1`);
 * - two blocks later measures `shuffle(E)` (Fisher–Yates of the members, written back);
 * - at the middle slot of `E` measures `ensureCommittee(E + 1)` again (`steady`): its members are mostly
 *   those of `E − 1`, whose membership words are written already.
 * Gas is the transaction's gasUsed (incl. the 21 000 intrinsic gas). Target: selection + shuffle independent
 * of the number of validators, ratio 1 000 : 100 ≤ 1.2. Writes reports/gas/committees.json and prints a
 * markdown table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ethers, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  Committees,
  Registry,
  TrustCoin,
  TrustScoreOracle,
  ValidatorRegistry,
} from "../../typechain-types";

const TRC = 10n ** 18n;
const SIZES = [10, 100, 1_000];
const TARGET_RATIO = 1.2;
const MICROGRID = 1;
const SLOT_LENGTH = 900n;
const EPOCH_SLOTS = 10n;

interface Suite {
  admin: HardhatEthersSigner;
  coin: TrustCoin;
  registry: Registry;
  oracle: TrustScoreOracle;
  vr: ValidatorRegistry;
  committees: Committees;
}

async function deploy(): Promise<Suite> {
  const [admin] = await ethers.getSigners();
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const coin = await ethers.deployContract("TrustCoin", [admin.address]);
  const registry = await ethers.deployContract("Registry", [
    admin.address,
    now - (now % SLOT_LENGTH),
    SLOT_LENGTH,
    900n,
    96n,
    64,
    (30n * TRC) / 100n,
    (8n * TRC) / 100n,
    admin.address,
  ]);
  const oracle = await ethers.deployContract("TrustScoreOracle", [admin.address, registry]);
  const vr = await ethers.deployContract("ValidatorRegistry", [admin.address, coin, registry, oracle]);
  const committees = await ethers.deployContract("Committees", [admin.address, registry, vr, EPOCH_SLOTS]);
  await coin.grantRole(ethers.id("BURNER_ROLE"), await vr.getAddress());
  await coin.grantRole(ethers.id("ISSUER_ROLE"), admin.address);
  await oracle.grantRole(ethers.id("VALIDATOR_SCORER_ROLE"), await vr.getAddress());
  await registry.grantRole(ethers.id("REGISTRAR_ROLE"), admin.address);
  await registry.registerMicrogrid(MICROGRID);
  return { admin, coin, registry, oracle, vr, committees };
}

let accountCounter = 0;

/** A fresh, registered, funded and approving participant (impersonated: no key signing needed). */
async function newCandidate(s: Suite): Promise<HardhatEthersSigner> {
  accountCounter += 1;
  const address = ethers.getAddress(ethers.toBeHex(0x200000n + BigInt(accountCounter) * 0x1_0001n, 20));
  const meter = ethers.getAddress(ethers.toBeHex(0xa00000000n + BigInt(accountCounter), 20));
  await network.provider.send("hardhat_setBalance", [address, ethers.toQuantity(10n ** 20n)]);
  await network.provider.send("hardhat_impersonateAccount", [address]);
  const signer = await ethers.getSigner(address);
  await s.registry.registerParticipant(address, 1, MICROGRID, meter, 5_000n, 3_000n);
  await s.coin.issue(address, 1_000_000n * TRC, ethers.id(`bench-committees:${address}`));
  await s.coin.connect(signer).approve(await s.vr.getAddress(), ethers.MaxUint256);
  return signer;
}

/** A weight on a 2 000–4 000 TRC grid of 97 values, so that weights tie as the list grows. */
function weightOf(i: number): bigint {
  return 2_000n * TRC + BigInt((i * 37) % 97) * 20n * TRC;
}

async function join(s: Suite, signer: HardhatEthersSigner, deposit: bigint): Promise<void> {
  const score = await s.oracle.baseValidatorScore();
  const [p, n] = await s.vr.findInsertPosition(deposit, score, signer.address);
  await (await s.vr.connect(signer).join(deposit, p, n)).wait();
}

async function goToSlot(s: Suite, slot: bigint): Promise<void> {
  const target = (await s.registry.genesis()) + slot * SLOT_LENGTH;
  const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  if (now < target) {
    await network.provider.send("evm_setNextBlockTimestamp", [ethers.toQuantity(target)]);
    await network.provider.send("evm_mine", []);
  }
}

async function measure(s: Suite, size: number) {
  const snapshot = await network.provider.send("evm_snapshot", []);
  const epoch = (await s.registry.currentSlot()) / EPOCH_SLOTS + 2n;
  await goToSlot(s, (epoch - 1n) * EPOCH_SLOTS);
  await (await s.committees.ensureCommittee(epoch - 1n)).wait();
  await goToSlot(s, (epoch - 1n) * EPOCH_SLOTS + EPOCH_SLOTS / 2n);
  const selection = (await (await s.committees.ensureCommittee(epoch)).wait())!.gasUsed;
  const members = await s.committees.membersOf(epoch);
  await network.provider.send("hardhat_mine", ["0x2"]);
  const shuffle = (await (await s.committees.shuffle(epoch)).wait())!.gasUsed;
  if ((await s.committees.committeeOf(epoch)).length !== members.length) throw new Error("shuffle failed");
  await goToSlot(s, epoch * EPOCH_SLOTS + EPOCH_SLOTS / 2n);
  const steady = (await (await s.committees.ensureCommittee(epoch + 1n)).wait())!.gasUsed;
  await network.provider.send("evm_revert", [snapshot]);
  return {
    validators: size,
    members: members.length,
    selection,
    shuffle,
    total: selection + shuffle,
    steady,
  };
}

async function main(): Promise<void> {
  const s = await deploy();
  const rows: Awaited<ReturnType<typeof measure>>[] = [];
  let joined = 0;
  for (const size of SIZES) {
    while (joined < size) {
      await join(s, await newCandidate(s), weightOf(joined));
      joined += 1;
    }
    if ((await s.vr.size()) !== BigInt(size)) throw new Error(`expected ${size} validators`);
    rows.push(await measure(s, size));
  }

  console.log(
    "| validators | members | selection (gas) | shuffle (gas) | total (gas) | steady selection (gas) |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.validators} | ${r.members} | ${r.selection} | ${r.shuffle} | ${r.total} | ${r.steady} |`,
    );
  }
  const at100 = rows.find((r) => r.validators === 100)!;
  const at1000 = rows.find((r) => r.validators === 1_000)!;
  const ratio = Number(at1000.total) / Number(at100.total);
  console.log("");
  console.log(`ratio 1 000 : 100 — selection + shuffle ${ratio.toFixed(3)} (target ≤ ${TARGET_RATIO})`);

  const report = {
    description:
      "Committee selection (ensureCommittee of an epoch whose predecessor has a committee of 10, skipped) and shuffle; steady selection: the next epoch, whose members mostly served two epochs before (membership words written already); transaction gasUsed incl. 21 000 intrinsic gas; validators joined with burned deposits of 2 000-4 000 TRC (ties); committeeSize 10, minCommittee 4, epochSlots 10.",
    rows: rows.map((r) => ({
      validators: r.validators,
      members: r.members,
      selection: r.selection.toString(),
      shuffle: r.shuffle.toString(),
      total: r.total.toString(),
      steadySelection: r.steady.toString(),
    })),
    ratio1000to100: Number(ratio.toFixed(3)),
    targetRatio: TARGET_RATIO,
  };
  const out = path.join(__dirname, "..", "..", "reports", "gas", "committees.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
  if (ratio > TARGET_RATIO) {
    process.exitCode = 1;
    console.log("TARGET MISSED");
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
