// Shared helpers of the order-book tests: deploying the harness, placing books in batches, driving
// clearing in gas-bounded calls, reading fills, and comparing them with the exact reference.
import { ethers } from "hardhat";
import type { OrderBookHarness } from "../../typechain-types";
import type { RefBid, RefOffer, RefParams } from "../reference/clearing";

/** SPEC §5.4 default access fractions 50 %, 75 %, 90 %, 100 % (levels 1..4), in wad. */
export const DEFAULT_ACCESS: readonly [bigint, bigint, bigint, bigint] = [
  5n * 10n ** 17n,
  75n * 10n ** 16n,
  9n * 10n ** 17n,
  10n ** 18n,
];
/** SPEC §7.1 default tick size, 0.001 TRC per kWh. */
export const DEFAULT_TICK_SIZE = 10n ** 15n;
/** SPEC §7.1 default fee, 100 bps. */
export const DEFAULT_FEE_BPS = 100n;
/** The market's default `maxClearGas` (SPEC §7.2 point 7). */
export const MAX_CLEAR_GAS = 10_000_000n;
/** Gas limit of every clearing transaction (under the 2^24 per-transaction cap), so the budget bounds each call. */
export const CLEAR_TX_GAS_LIMIT = 16_000_000n;

/** Deploys a harness with the given parameters. */
export async function deployHarness(params: RefParams): Promise<OrderBookHarness> {
  const factory = await ethers.getContractFactory("OrderBookHarness");
  const harness = await factory.deploy([...params.accessWad], params.tickSize, params.feeBps);
  await harness.waitForDeployment();
  return harness;
}

/** Places `offers` then `bids` in batches; returns their order ids (offers first, in order). */
export async function placeBook(
  harness: OrderBookHarness,
  offers: RefOffer[],
  bids: RefBid[],
  batch = 150,
): Promise<{ offerIds: bigint[]; bidIds: bigint[] }> {
  const offerIds: bigint[] = [];
  const bidIds: bigint[] = [];
  let next = (await harness.orderCount()) + 1n;
  for (let i = 0; i < offers.length; i += batch) {
    const chunk = offers.slice(i, i + batch);
    await harness.placeOffers(
      chunk.map((o) => o.qtyWh),
      chunk.map((o) => o.tick),
      chunk.map((o) => o.level),
    );
    for (let k = 0; k < chunk.length; k++) offerIds.push(next++);
  }
  for (let i = 0; i < bids.length; i += batch) {
    const chunk = bids.slice(i, i + batch);
    await harness.placeBids(
      chunk.map((b) => b.qtyWh),
      chunk.map((b) => b.limitTick),
      chunk.map((b) => b.level),
      chunk.map((b) => b.scoreWad),
    );
    for (let k = 0; k < chunk.length; k++) bidIds.push(next++);
  }
  return { offerIds, bidIds };
}

/** One clearing call's receipt data. */
export interface ClearCall {
  gasUsed: bigint;
  complete: boolean;
}

/** Closes the book if open, then calls `clear(gasBudget)` until complete; returns every call. */
export async function clearAll(
  harness: OrderBookHarness,
  gasBudget: bigint,
  maxCalls = 100_000,
): Promise<ClearCall[]> {
  if ((await harness.phase()) === 0n) await harness.closeBook();
  const calls: ClearCall[] = [];
  for (;;) {
    const tx = await harness.clear(gasBudget, { gasLimit: CLEAR_TX_GAS_LIMIT });
    const receipt = await tx.wait();
    if (receipt === null) throw new Error("no receipt");
    const complete = (await harness.phase()) === 2n;
    calls.push({ gasUsed: receipt.gasUsed, complete });
    if (complete) return calls;
    if (calls.length >= maxCalls) throw new Error(`clearing not complete after ${maxCalls} calls`);
  }
}

/** Fills of `ids` as plain values, read in batched view calls run in parallel. */
export async function readFills(
  harness: OrderBookHarness,
  ids: bigint[],
  batch = 200,
): Promise<{ filledWh: bigint; money: bigint; fee: bigint }[]> {
  const chunks: bigint[][] = [];
  for (let i = 0; i < ids.length; i += batch) chunks.push(ids.slice(i, i + batch));
  const results = await Promise.all(chunks.map((chunk) => harness.fills(chunk)));
  return results.flat().map((f) => ({ filledWh: f.filledWh, money: f.money, fee: f.fee }));
}

/**
 * A deterministic book of `orders` orders (half offers, half bids) spread over the same buckets whatever
 * its size: offers on ticks 101..125 by seller levels 1..4, bids with limits 111..135 by buyer levels
 * 1..4 (100 buckets per side). Used to show that clearing gas does not grow with the number of orders.
 */
export function uniformBook(orders: number): { offers: RefOffer[]; bids: RefBid[] } {
  const offers: RefOffer[] = [];
  const bids: RefBid[] = [];
  for (let k = 0; k < orders; k++) {
    const bucket = Math.floor(k / 2) % 100;
    const qtyWh = BigInt(1000 + ((k * 7919) % 5000));
    if (k % 2 === 0) offers.push({ qtyWh, tick: 101 + (bucket % 25), level: 1 + Math.floor(bucket / 25) });
    else {
      bids.push({
        qtyWh,
        limitTick: 111 + (bucket % 25),
        level: 1 + Math.floor(bucket / 25),
        scoreWad: BigInt(6 + (k % 10)) * 10n ** 18n,
      });
    }
  }
  return { offers, bids };
}

/**
 * A wide deterministic book: `orders` orders over many ticks (offers on 1001..1000+ticks by seller
 * levels 1..4, bids with limits spread over the upper half of that window and 50 ticks above it), so that
 * clearing needs several calls of the default 10 M budget.
 */
export function wideBook(orders: number, ticks: number): { offers: RefOffer[]; bids: RefBid[] } {
  const offers: RefOffer[] = [];
  const bids: RefBid[] = [];
  for (let k = 0; k < orders; k++) {
    const qtyWh = BigInt(500 + ((k * 7919) % 3000));
    const spread = (k * 104_729) % ticks;
    if (k % 2 === 0) offers.push({ qtyWh, tick: 1001 + spread, level: 1 + (k % 4) });
    else {
      const limitTick = 1001 + Math.floor(ticks / 2) + (spread % (Math.floor(ticks / 2) + 50));
      bids.push({ qtyWh, limitTick, level: 1 + ((k >> 1) % 4), scoreWad: BigInt(6 + (k % 10)) * 10n ** 18n });
    }
  }
  return { offers, bids };
}
