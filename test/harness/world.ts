// The real side of the harness: the deployed, wired suite (deploy/suite.ts, no test doubles) with three
// microgrids, twelve traders, six burn-staked validators and four unregistered spare accounts, plus the
// plumbing every action needs: a deterministic clock (each transaction is mined at the model's time + 1
// second, so gate and window boundaries are predicted exactly), an explicit gas limit (no estimation, so
// a reverting call is mined and its custom error is read from Hardhat's message), and the committee
// keeper (selection and prevrandao shuffle are read from the chain, not re-derived: see model/consensus.ts).
import hre, { ethers, network } from "hardhat";
import { mine } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, type ContractTransactionResponse, type Signer, type TransactionReceipt } from "ethers";

import { deploySuite } from "../../deploy/suite";
import { attachSuite } from "../integration/suiteFixture";

export const TRC = 10n ** 18n;
export const Kind = { Prosumer: 1, Consumer: 2 } as const;
export const MICROGRIDS = [1, 2, 3] as const;
/** Every transaction's gas limit: above the market's clearing budget plus its overhead. */
export const GAS = { gasLimit: 16_000_000n };

export interface Actor {
  name: string;
  address: string;
  signer: Signer;
}

/** A trader of the fixture (or a spare once registered): its kind, microgrid, capacity and deposit. */
export interface TraderSpec {
  actor: Actor;
  kind: number;
  microgrid: number;
  maxImportWh: bigint;
  maxExportWh: bigint;
  issued: bigint;
  deposited: bigint;
}

/** A deterministic meter key (same addresses in every process, so a printed seed replays exactly). */
export function meterWallet(label: string): Wallet {
  return new Wallet(ethers.id(`gridtrust-harness-meter-${label}`));
}

let fiatCounter = 0;
/** A fresh, never-used purchasing-centre payment reference. */
export function freshFiatRef(): string {
  fiatCounter += 1;
  return ethers.id(`harness-fiat-${fiatCounter}-${Date.now()}-${Math.random()}`);
}

export async function harnessFixture() {
  const { record } = await deploySuite(hre);
  const suite = await attachSuite(record.contracts);
  const { coin, registry, validators, market } = suite;
  const signers = await ethers.getSigners();
  const dso = signers[0];
  const actor = (name: string, signer: Signer & { address: string }): Actor => ({
    name,
    address: signer.address,
    signer,
  });
  for (const m of MICROGRIDS) await registry.registerMicrogrid(m);
  // Smallest clearing budget: books of a dozen orders clear in several calls.
  await market.setMaxClearGas(500_000n);
  // Rounds of two slots (proposal timeout and attestation window): the random actions play a committee that
  // acts within a round most of the time; at the default 300 s most rounds would be skipped between two
  // random time jumps and the validators' scores would collapse within a few slots.
  await suite.blocks.setProposalTimeout(1_800n);
  await suite.blocks.setAttestWindow(1_800n);
  const marketAddress = await market.getAddress();

  const traders: TraderSpec[] = [];
  const meterKeys = new Map<string, Wallet>();
  // Per microgrid: two prosumers and two consumers; the second of each is poor (debt and reserve cases).
  const shapes: [number, bigint][] = [
    [Kind.Prosumer, 300n * TRC],
    [Kind.Prosumer, 2n * TRC],
    [Kind.Consumer, 300n * TRC],
    [Kind.Consumer, TRC / 5n],
  ];
  let index = 1;
  for (const m of MICROGRIDS) {
    for (const [kind, deposit] of shapes) {
      const signer = signers[index];
      const name = `${kind === Kind.Prosumer ? "P" : "C"}${index}@m${m}`;
      const meterKey = meterWallet(`${index}`);
      meterKeys.set(signer.address, meterKey);
      const maxImportWh = kind === Kind.Prosumer ? 2_000n : 3_000n;
      const maxExportWh = kind === Kind.Prosumer ? 3_000n : 0n;
      await registry.registerParticipant(signer.address, kind, m, meterKey.address, maxImportWh, maxExportWh);
      const issued = 500n * TRC;
      await coin.issue(signer.address, issued, freshFiatRef());
      await coin.connect(signer).approve(marketAddress, ethers.MaxUint256);
      await market.connect(signer).deposit(deposit);
      traders.push({
        actor: actor(name, signer),
        kind,
        microgrid: m,
        maxImportWh,
        maxExportWh,
        issued,
        deposited: deposit,
      });
      index += 1;
    }
  }
  // The grid account (the DSO) funds its float.
  await coin.issue(dso.address, 100_000n * TRC, freshFiatRef());
  await coin.approve(marketAddress, ethers.MaxUint256);
  await market.deposit(5_000n * TRC);

  const validatorActors: Actor[] = [];
  const validatorsAddress = await validators.getAddress();
  for (let i = 0; i < 6; i++) {
    const signer = signers[13 + i];
    await registry.registerParticipant(
      signer.address,
      Kind.Consumer,
      1,
      meterWallet(`v${i}`).address,
      1n,
      0n,
    );
    const deposit = (2_000n + 500n * BigInt(i)) * TRC;
    await coin.issue(signer.address, deposit + 3_000n * TRC, freshFiatRef());
    await coin.connect(signer).approve(validatorsAddress, ethers.MaxUint256);
    const [prev, next] = await validators.findInsertPosition(deposit, 3n * TRC, signer.address);
    await validators.connect(signer).join(deposit, prev, next);
    validatorActors.push(actor(`V${i}`, signer));
  }

  // Spares: unregistered accounts the Register action enrols (one signer and three funded wallets).
  const spares: Actor[] = [actor("S0", signers[19])];
  for (let i = 1; i < 4; i++) {
    const wallet = new Wallet(ethers.id(`gridtrust-harness-spare-${i}`), ethers.provider);
    await dso.sendTransaction({ to: wallet.address, value: 100n * TRC });
    spares.push(actor(`S${i}`, wallet));
  }
  for (const spare of spares) {
    await coin.issue(spare.address, 5_000n * TRC, freshFiatRef());
    await coin.connect(spare.signer).approve(marketAddress, ethers.MaxUint256);
    await coin.connect(spare.signer).approve(validatorsAddress, ethers.MaxUint256);
  }
  return {
    ...suite,
    dso: actor("DSO", dso),
    traders,
    validatorActors,
    spares,
    meterKeys,
    addresses: record.contracts,
  };
}

export type Suite = Awaited<ReturnType<typeof harnessFixture>>;

/** What a sent transaction did: mined and succeeded (with its receipt) or reverted with a named error. */
export type Outcome = { ok: true; receipt: TransactionReceipt } | { ok: false; error: string };

/** The error name out of Hardhat's revert message (custom errors, panics and reason strings). */
export function errorName(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const custom = /reverted with custom error '(\w+)\(/.exec(message);
  if (custom) return custom[1];
  const panic = /reverted with panic code (0x[0-9a-f]+)/.exec(message);
  if (panic) return `Panic(${panic[1]})`;
  const reason = /reverted with reason string '([^']*)'/.exec(message);
  if (reason) return `Error(${reason[1]})`;
  return `Unrecognised(${message.slice(0, 200)})`;
}

/** Latest block timestamp. */
export async function latestTime(): Promise<bigint> {
  const block = await ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}

/** Sends one transaction mined at exactly `at` (unix seconds), returning its outcome. */
export async function sendAt(at: bigint, send: () => Promise<ContractTransactionResponse>): Promise<Outcome> {
  await network.provider.send("evm_setNextBlockTimestamp", [Number(at)]);
  try {
    const tx = await send();
    const receipt = await tx.wait();
    return { ok: true, receipt: receipt! };
  } catch (e) {
    return { ok: false, error: errorName(e) };
  }
}

/** Mines an empty block at `at`. */
export async function mineAt(at: bigint): Promise<void> {
  await network.provider.send("evm_setNextBlockTimestamp", [Number(at)]);
  await network.provider.send("evm_mine", []);
}

/**
 * The committee keeper: selects the epoch's committee once its time has come and shuffles it after the
 * seed block (prevrandao of a later block), so its order can be read. Returns the order (empty if none).
 */
export async function keepCommittee(f: Suite, epoch: bigint, at: bigint): Promise<string[]> {
  await network.provider.send("evm_setNextBlockTimestamp", [Number(at)]);
  await (await f.committees.ensureCommittee(epoch, GAS)).wait();
  const info = await f.committees.committeeInfo(epoch);
  if (info.selected && info.memberCount > 0n && !info.shuffled) {
    await mine(Number(await f.committees.seedBlockDelay()) + 1);
    await (await f.committees.ensureCommittee(epoch, GAS)).wait();
  }
  return [...(await f.committees.committeeOf(epoch))];
}
