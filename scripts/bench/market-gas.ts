// Gas benchmark of the energy market: placing offers and bids (with and without permit), cancelling,
// clearing (in calls of the default 10 M budget) and withdrawUnfilled, with books of 250, 1 000 and
// 8 000 orders in one (microgrid, slot), placed by 9 sellers and 9 buyers of the four TRP levels.
// Run: npx hardhat run scripts/bench/market-gas.ts — prints a markdown table and writes
// reports/gas/market.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ethers, network } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { deployScenarioFixture, passGate, signPermit } from "../../test/market/marketFixtures";

process.env.HARDHAT_DISABLE_TELEMETRY_PROMPT = "true";

/** Book sizes; MARKET_BENCH_SIZES="250,1000" overrides them. */
const SIZES = (process.env.MARKET_BENCH_SIZES ?? "250,1000,8000").split(",").map(Number);
const SELLERS = 9;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return receipt.gasUsed;
}

interface Row {
  orders: number;
  placeOfferAvg: string;
  placeBidAvg: string;
  placeBidWithPermit: string;
  cancelBid: string;
  clearingCalls: number;
  clearingTotal: string;
  clearingMaxCall: string;
  withdrawUnfilled: string;
  withdrawUnfilledOwnOrders: number;
  contractBytes: number;
}

const avg = (xs: bigint[]): string =>
  xs.length === 0 ? "-" : String(xs.reduce((a, b) => a + b, 0n) / BigInt(xs.length));

async function benchSize(orders: number): Promise<Row> {
  await network.provider.send("hardhat_reset");
  // Capacities of 10^8 Wh per slot, so that one participant may hold hundreds of orders.
  const { coin, oracle, market, registry, traders } = await deployScenarioFixture(
    10n ** 8n,
    10n ** 7n,
    10n ** 6n,
  );
  for (let i = 0; i < traders.length; i++)
    await oracle.setTrader(traders[i].address, 1 + (i % 4), BigInt(6 + (i % 10)) * 10n ** 18n);
  // Far enough ahead that the gate stays open while thousands of blocks (one second each) are mined.
  const slot = (await registry.currentSlot()) + 40n;
  const sellers = traders.slice(0, SELLERS);
  const buyers = traders.slice(SELLERS);
  const offerGas: bigint[] = [];
  const bidGas: bigint[] = [];
  const bidCount = new Map<string, number>();
  for (let k = 0; k < orders; k++) {
    const qtyWh = BigInt(10 + ((k * 7919) % 90));
    if (k % 2 === 0) {
      const seller = sellers[(k >> 1) % SELLERS];
      offerGas.push(await gasOf(market.connect(seller).placeOffer(slot, qtyWh, 101 + ((k >> 1) % 25))));
    } else {
      const buyer = buyers[(k >> 1) % buyers.length];
      bidGas.push(await gasOf(market.connect(buyer).placeBid(slot, qtyWh, 111 + ((k >> 1) % 25))));
      bidCount.set(buyer.address, (bidCount.get(buyer.address) ?? 0) + 1);
    }
  }
  // One more bid with a permit (no allowance), then a cancel of it.
  const permitter = buyers[0];
  const marketAddress = await market.getAddress();
  await coin.connect(permitter).approve(marketAddress, 0n);
  const escrow = await market.bidEscrow(1, slot, 50n, 120);
  const p = await signPermit(coin, permitter, marketAddress, escrow);
  const withPermit = await gasOf(
    market.connect(permitter).placeBidWithPermit(slot, 50n, 120, p.deadline, p.v, p.r, p.s),
  );
  const lastId = await market.orderCount(1, slot);
  const cancelBid = await gasOf(market.connect(permitter).cancel(slot, lastId));

  await passGate(registry, slot);
  const clearGas: bigint[] = [];
  while (!(await market.isCleared(1, slot)))
    clearGas.push(await gasOf(market.clear(1, slot, { gasLimit: 16_000_000 })));

  // withdrawUnfilled of the buyer with the most bids (O(own orders)).
  let heaviest = buyers[0];
  for (const b of buyers)
    if ((bidCount.get(b.address) ?? 0) > (bidCount.get(heaviest.address) ?? 0)) heaviest = b;
  const withdraw = await gasOf(market.connect(heaviest).withdrawUnfilled(slot, { gasLimit: 16_000_000 }));
  const code = await ethers.provider.getCode(marketAddress);
  return {
    orders,
    placeOfferAvg: avg(offerGas),
    placeBidAvg: avg(bidGas),
    placeBidWithPermit: String(withPermit),
    cancelBid: String(cancelBid),
    clearingCalls: clearGas.length,
    clearingTotal: String(clearGas.reduce((a, b) => a + b, 0n)),
    clearingMaxCall: String(clearGas.reduce((a, b) => (a > b ? a : b), 0n)),
    withdrawUnfilled: String(withdraw),
    withdrawUnfilledOwnOrders: bidCount.get(heaviest.address) ?? 0,
    contractBytes: (code.length - 2) / 2,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const size of SIZES) {
    rows.push(await benchSize(size));
    console.error(`benchmarked ${size} orders`);
  }
  const lines = [
    "| orders | place offer (avg) | place bid (avg) | place bid with permit | cancel bid | clear: calls / total / max call | withdrawUnfilled (own bids) |",
    "|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.orders} | ${r.placeOfferAvg} | ${r.placeBidAvg} | ${r.placeBidWithPermit} | ${r.cancelBid} | ` +
        `${r.clearingCalls} / ${r.clearingTotal} / ${r.clearingMaxCall} | ${r.withdrawUnfilled} (${r.withdrawUnfilledOwnOrders}) |`,
    ),
  ];
  console.log(lines.join("\n"));
  console.log(`\nEnergyMarket deployed code: ${rows[0].contractBytes} bytes (limit 24 576).`);
  const out = path.join(__dirname, "..", "..", "reports", "gas");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "market.json"), JSON.stringify({ rows }, null, 2) + "\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
