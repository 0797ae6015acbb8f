/**
 * Gas benchmark of the trade blocks (run: `npx hardhat run scripts/bench/blocks-gas.ts`).
 *
 * On the trade-block test fixture (real coin, registry, oracle, market and validator registry; test doubles
 * for committees, meter readings and settlement) with a committee of 12, measures the gas used (receipt
 * `gasUsed`, intrinsic gas and calldata included) of:
 * - `propose` of round 0 without exclusions, and with 8 exclusions;
 * - one `attest` by transaction that decides nothing (measured alone, then undone);
 * - `attestBatch` of 10 signed attestations that decide nothing (6 accepts, 4 rejects);
 * - finality: the `attest` that reaches ⌈2k/3⌉ accepts, with Algorithm 4, the block reward (fee payout and
 *   mint) and the penalties of the members who rejected;
 * - `advance` ending one skipped round, and `finalizeByDefault` after the deadline.
 * Writes reports/gas/blocks.json (with TradeBlocks' deployed size) and prints a markdown table.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { artifacts, ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";

import {
  type BlocksFixture,
  MICROGRID,
  attestersOf,
  body,
  deployBlocksFixture,
  proposeRound,
  setOrder,
  signAttestation,
} from "../../test/consensus/blocksFixtures";
import { time } from "@nomicfoundation/hardhat-network-helpers";

const COMMITTEE = 12;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return Number(receipt.gasUsed);
}

async function fixture(): Promise<BlocksFixture> {
  const f = await deployBlocksFixture();
  f.order = f.validators.slice(0, COMMITTEE);
  await setOrder(f, f.order);
  return f;
}

async function main(): Promise<void> {
  const rows: Record<string, number> = {};
  const snapshot = await ethers.provider.send("evm_snapshot", []);
  let f = await fixture();
  const base = await ethers.provider.send("evm_snapshot", []);

  // Proposals.
  const sorted = Array.from({ length: 8 }, () => ethers.Wallet.createRandom().address).sort((a, b) =>
    BigInt(a) < BigInt(b) ? -1 : 1,
  );
  rows["propose (8 exclusions)"] = await gasOf(proposeRound(f, 0, body(sorted)));
  await ethers.provider.send("evm_revert", [base]);
  rows["propose (no exclusions)"] = await gasOf(proposeRound(f, 0));

  // One attestation by transaction, then a batch of 10 signed ones; neither decides.
  const attesters = attestersOf(f, 0);
  const proposed = await ethers.provider.send("evm_snapshot", []);
  rows["attest (one, by transaction)"] = await gasOf(
    f.blocks.connect(attesters[0]).attest(MICROGRID, f.slot, 0, true),
  );
  await ethers.provider.send("evm_revert", [proposed]);
  const structHash = (await f.blocks.blockState(MICROGRID, f.slot)).proposalHash;
  const batch = attesters.slice(0, 10);
  const votes = await Promise.all(
    batch.map(async (member, i) => {
      const accept = i >= 4;
      return {
        attester: member.address,
        accept,
        signature: await signAttestation(f, member, 0, structHash, accept),
      };
    }),
  );
  rows["attestBatch (10 signed votes)"] = await gasOf(
    f.blocks.connect(f.relayer).attestBatch(MICROGRID, f.slot, 0, votes),
  );
  const state = await f.blocks.blockState(MICROGRID, f.slot);
  if (state.accepts !== 7n || state.rejects !== 4n) throw new Error("batch decided the round");

  // Finality: the 8th accept of 12, with Algorithm 4, reward and four penalties.
  rows["attest reaching finality (Alg. 3 + 4, 4 penalties)"] = await gasOf(
    f.blocks.connect(attesters[10]).attest(MICROGRID, f.slot, 0, true),
  );
  if ((await f.blocks.blockState(MICROGRID, f.slot)).status !== 2n) throw new Error("not final");

  // A skipped round, then default finality.
  await ethers.provider.send("evm_revert", [snapshot]);
  f = await fixture();
  await f.blocks.advance(MICROGRID, f.slot);
  await time.increaseTo(f.proposableAt + 300n);
  rows["advance (one skipped round)"] = await gasOf(f.blocks.advance(MICROGRID, f.slot));
  await time.increaseTo(f.proposableAt + 4n * 900n);
  rows["finalizeByDefault (after 11 more skipped rounds)"] = await gasOf(
    f.blocks.finalizeByDefault(MICROGRID, f.slot),
  );

  const artifact = await artifacts.readArtifact("TradeBlocks");
  const deployedBytes = (artifact.deployedBytecode.length - 2) / 2;
  const report = {
    generatedAt: new Date().toISOString(),
    method:
      "receipt gasUsed (intrinsic gas and calldata included); committee of 12; real oracle, coin, market and validator registry, test doubles for committees, meter and settlement",
    committeeSize: COMMITTEE,
    tradeBlocksDeployedBytes: deployedBytes,
    sizeLimitBytes: 24_576,
    gas: rows,
  };
  const out = path.join(__dirname, "..", "..", "reports", "gas");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "blocks.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(`| operation | gas |\n|---|---:|`);
  for (const [name, gas] of Object.entries(rows)) console.log(`| ${name} | ${gas.toLocaleString("en-US")} |`);
  console.log(`\nTradeBlocks deployed size: ${deployedBytes} bytes (limit 24 576)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
