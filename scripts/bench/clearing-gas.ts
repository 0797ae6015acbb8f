// Gas benchmark of the order-book library (SPEC §7.2 point 7): placing, cancelling, clearing and fill
// computation at 250, 1 000 and 8 000 orders in one book over the same ticks and buckets.
// Run: npx hardhat run scripts/bench/clearing-gas.ts — writes reports/gas/clearing.json and prints a table.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ethers, network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import {
  CLEAR_TX_GAS_LIMIT,
  DEFAULT_ACCESS,
  DEFAULT_FEE_BPS,
  DEFAULT_TICK_SIZE,
  MAX_CLEAR_GAS,
  clearAll,
  deployHarness,
  placeBook,
  uniformBook,
  wideBook,
} from "../../test/market/helpers";

process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";

const SIZES = [250, 1000, 8000];
/** Offer ticks of the wide book, which needs several clearing calls. */
const WIDE_TICKS = 500;
const WIDE_ORDERS = 2000;
const WAD = 10n ** 18n;

// EIP-2929 / EIP-2200 / EIP-3529 storage costs (Cancun).
const TX_BASE = 21_000n;
const COLD_SLOAD = 2_100n;
const SSTORE_SET = 20_000n; // zero to non-zero
const SSTORE_RESET = 2_900n; // non-zero to another non-zero value

/** Calldata gas of a transaction's data (EIP-2028: 4 per zero byte, 16 per other byte). */
function calldataGas(data: string): bigint {
  const bytes = ethers.getBytes(data);
  return bytes.reduce((sum, b) => sum + (b === 0 ? 4n : 16n), 0n);
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<{ gas: bigint; data: string }> {
  const sent = await tx;
  const receipt = await sent.wait();
  if (receipt === null) throw new Error("no receipt");
  return { gas: receipt.gasUsed, data: sent.data };
}

interface Row {
  book: string;
  orders: number;
  placeOffer: string;
  placeBid: string;
  placeBidNewBucket: string;
  placeBidFloor: string;
  cancelBid: string;
  cancelBidEmptyingBucket: string;
  closeBook: string;
  clearingCalls: number;
  clearingTotal: string;
  clearingMaxCall: string;
  steps: number;
  singleStepMax: string;
  fillBid: string;
  fillOffer: string;
}

async function measure(book: string, orders: number): Promise<Row> {
  const harness = await deployHarness({
    accessWad: DEFAULT_ACCESS,
    tickSize: DEFAULT_TICK_SIZE,
    feeBps: DEFAULT_FEE_BPS,
  });
  const { offers, bids } = book === "uniform" ? uniformBook(orders) : wideBook(orders, WIDE_TICKS);
  const { offerIds, bidIds } = await placeBook(harness, offers, bids);

  // Single orders on top of the book: an offer at an existing (tick, level), a bid into an existing
  // bucket, a bid opening a new bucket (limit tick 1 is never used by these books); then cancelling the
  // first bid (its bucket stays) and the new-bucket bid (its bucket empties).
  const offer = await gasOf(harness.placeOffer(1234n, offers[0].tick, offers[0].level));
  const bid = await gasOf(harness.placeBid(1234n, bids[0].limitTick, bids[0].level, 12n * WAD));
  const newBucket = await gasOf(harness.placeBid(1234n, 1n, 2, 12n * WAD));
  const lastId = await harness.orderCount();
  const cancel = await gasOf(harness.cancel(lastId - 1n));
  const cancelEmptying = await gasOf(harness.cancel(lastId));
  // Storage floor of a bid into an existing bucket: intrinsic 21 000 + calldata + the order's new slot
  // (cold, zero to non-zero) + the bucket's slot and the order counter's slot (cold, non-zero to non-zero).
  const floor =
    TX_BASE + calldataGas(bid.data) + (COLD_SLOAD + SSTORE_SET) + 2n * (COLD_SLOAD + SSTORE_RESET);

  const close = await gasOf(harness.closeBook());

  // One step per call first (on a snapshot), to find the costliest single step.
  const snapshot = await network.provider.send("evm_snapshot", []);
  const stepCalls = await clearAll(harness, 1n);
  await network.provider.send("evm_revert", [snapshot]);
  const calls = await clearAll(harness, MAX_CLEAR_GAS);

  const fillBid = await harness.fill.estimateGas(bidIds[bidIds.length - 1]);
  const fillOffer = await harness.fill.estimateGas(offerIds[offerIds.length - 1]);
  const max = (xs: bigint[]) => xs.reduce((a, b) => (a > b ? a : b), 0n);
  return {
    book,
    orders,
    placeOffer: offer.gas.toString(),
    placeBid: bid.gas.toString(),
    placeBidNewBucket: newBucket.gas.toString(),
    placeBidFloor: floor.toString(),
    cancelBid: cancel.gas.toString(),
    cancelBidEmptyingBucket: cancelEmptying.gas.toString(),
    closeBook: close.gas.toString(),
    clearingCalls: calls.length,
    clearingTotal: calls.reduce((sum, call) => sum + call.gasUsed, 0n).toString(),
    clearingMaxCall: max(calls.map((call) => call.gasUsed)).toString(),
    steps: stepCalls.length,
    singleStepMax: max(stepCalls.map((call) => call.gasUsed)).toString(),
    fillBid: fillBid.toString(),
    fillOffer: fillOffer.toString(),
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const orders of SIZES) rows.push(await measure("uniform", orders));
  const base = BigInt(rows[0].clearingTotal);
  const uniform = [...rows];
  rows.push(await measure("wide", WIDE_ORDERS));
  const report = {
    description:
      "Gas of the OrderBook library through OrderBookHarness (transaction gasUsed, incl. 21 000 intrinsic gas; " +
      "fills: eth_estimateGas of the view). Uniform books: offers on ticks 101..125 and bids with limits " +
      "111..135, 4 levels each side (100 buckets per side), half offers and half bids. Wide book: " +
      `${WIDE_ORDERS} orders, offers on ${WIDE_TICKS} ticks, so that clearing takes several 10 M calls.`,
    parameters: {
      accessWad: DEFAULT_ACCESS.map(String),
      tickSize: DEFAULT_TICK_SIZE.toString(),
      feeBps: DEFAULT_FEE_BPS.toString(),
      clearGasBudget: MAX_CLEAR_GAS.toString(),
      clearTxGasLimit: CLEAR_TX_GAS_LIMIT.toString(),
    },
    storageFloorOfPlaceBid:
      "21 000 + calldata + 22 100 (order slot: cold 2 100 + SSTORE 0->x 20 000) + 2 x 5 000 (bucket slot and " +
      "order counter: cold 2 100 + SSTORE x->y 2 900); the harness adds the BidPlaced event and call overhead",
    rows,
    clearingTotalRatioTo250: Object.fromEntries(
      uniform.map((row) => [row.orders, Number((BigInt(row.clearingTotal) * 1000n) / base) / 1000]),
    ),
  };
  const out = path.join(__dirname, "..", "..", "reports", "gas", "clearing.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + "\n");

  const columns: [string, (row: Row) => string][] = [
    ["book", (r) => r.book],
    ["orders", (r) => String(r.orders)],
    ["place offer", (r) => r.placeOffer],
    ["place bid (existing bucket)", (r) => r.placeBid],
    ["storage floor", (r) => r.placeBidFloor],
    ["place bid (new bucket)", (r) => r.placeBidNewBucket],
    ["cancel bid", (r) => r.cancelBid],
    ["cancel bid (bucket empties)", (r) => r.cancelBidEmptyingBucket],
    ["close", (r) => r.closeBook],
    ["clearing calls (10 M)", (r) => String(r.clearingCalls)],
    ["largest call", (r) => r.clearingMaxCall],
    ["full clearing", (r) => r.clearingTotal],
    ["steps", (r) => String(r.steps)],
    ["largest single step call", (r) => r.singleStepMax],
    ["fill (bid)", (r) => r.fillBid],
    ["fill (offer)", (r) => r.fillOffer],
  ];
  console.log(`| ${columns.map(([name]) => name).join(" | ")} |`);
  console.log(`|${columns.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${columns.map(([, get]) => get(row)).join(" | ")} |`);
  console.log(
    `\nfull clearing of the uniform book relative to 250 orders: ${JSON.stringify(report.clearingTotalRatioTo250)}`,
  );
  console.log(`written ${path.relative(process.cwd(), out)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
