// Hardhat tasks of the energy market: place and cancel orders, show a book's depth, drive clearing and
// show a participant's fills. --at defaults to the address recorded by gridtrust:deploy for the network;
// --from picks an unlocked account of the node (default: the first configured signer).
import { task } from "hardhat/config";
import type { Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

const SIDES = ["none", "offer", "bid"];
const PHASES = ["open", "clearing", "cleared"];
const MAX_TICK = 65_535n;
/** `market:book` walks the tariff band tick by tick; wider bands need a narrower --from-tick/--to-tick. */
const MAX_BOOK_TICKS = 5_000n;

/** The market for a task, connected to `--from` when given. */
async function marketFor(hre: HardhatRuntimeEnvironment, at?: string, from?: string): Promise<Contract> {
  const { parseAddressArg } = await import("../lib/cli");
  const { suiteContract } = await import("../lib/contracts");
  const market = await suiteContract(hre, "EnergyMarket", at);
  if (from === undefined) return market;
  const signer = await hre.ethers.getSigner(parseAddressArg("from", from));
  return market.connect(signer) as Contract;
}

/** Checks the order a participant is about to place, so that a bad argument sends nothing. */
async function checkOrder(
  hre: HardhatRuntimeEnvironment,
  market: Contract,
  account: string,
  slot: bigint,
  qtyWh: bigint,
  tick: bigint,
): Promise<{ microgrid: bigint }> {
  const { TaskArgumentError } = await import("../lib/cli");
  const registry = await hre.ethers.getContractAt("Registry", (await market.REGISTRY()) as string);
  const participant = await registry.participant(account);
  if (participant.kind === 0n)
    throw new TaskArgumentError("from", `${account} is not a registered participant`);
  if (!(await registry.isOrderWindowOpen(slot)))
    throw new TaskArgumentError(
      "slot",
      `orders for slot ${slot} are not accepted now (gate passed or beyond the horizon)`,
    );
  const minimum = (await market.minOrderWh()) as bigint;
  if (qtyWh < minimum) throw new TaskArgumentError("qty-wh", `below the minimum order of ${minimum} Wh`);
  const terms = await market.bookTerms(participant.microgrid, slot);
  const tickSize = terms.opened ? (terms.tickSize as bigint) : ((await market.tickSize()) as bigint);
  const [buy, sell] = await registry.tariffAt(slot);
  const price = tick * tickSize;
  if (price < sell || price > buy) {
    throw new TaskArgumentError(
      "tick",
      `price ${hre.ethers.formatUnits(price, 18)} TRC/kWh lies outside the band ` +
        `[${hre.ethers.formatUnits(sell, 18)}, ${hre.ethers.formatUnits(buy, 18)}] (tick size ${hre.ethers.formatUnits(tickSize, 18)})`,
    );
  }
  return { microgrid: participant.microgrid as bigint };
}

/** Prints an account's position in a slot. */
async function printPosition(market: Contract, account: string, slot: bigint) {
  const { formatTrc } = await import("../lib/cli");
  const p = await market.positionOf(account, slot);
  console.log(
    `${account} in slot ${slot}: ${SIDES[Number(p.side)]}, level ${p.level}, ordered ${p.orderedWh} Wh in ${p.liveOrders} live orders, ` +
      `filled ${p.filledWh} Wh, money ${formatTrc(p.money)}, fee ${formatTrc(p.fee)}, escrow ${formatTrc(p.escrow)}, ` +
      `reserve ${formatTrc(p.reserve)}; balance ${formatTrc(await market.balanceOf(account))}, ` +
      `withdrawable ${formatTrc(await market.withdrawableOf(account))}`,
  );
}

/** Parses the arguments every order takes. */
async function orderArgs(args: { slot: string; qtyWh: string; tick: string }) {
  const { parseUintArg, TaskArgumentError, UINT64_MAX } = await import("../lib/cli");
  const slot = parseUintArg("slot", args.slot, UINT64_MAX);
  const qtyWh = parseUintArg("qty-wh", args.qtyWh, UINT64_MAX);
  const tick = parseUintArg("tick", args.tick, MAX_TICK);
  if (tick === 0n) throw new TaskArgumentError("tick", "must be at least 1");
  return { slot, qtyWh, tick };
}

task(
  "market:offer",
  "Offers energy in the sender's microgrid for a slot (needs a prepaid balance covering the reserve)",
)
  .addParam("slot", "Slot number")
  .addParam("qtyWh", "Energy offered, Wh")
  .addParam("tick", "Price tick (price = tick * tickSize TRC per kWh)")
  .addOptionalParam("from", "Sending account (default: the first signer)")
  .addOptionalParam("at", "EnergyMarket address (default: the recorded deployment)")
  .setAction(async (args: { slot: string; qtyWh: string; tick: string; from?: string; at?: string }, hre) => {
    const { printTransaction } = await import("../lib/cli");
    const { slot, qtyWh, tick } = await orderArgs(args);
    const market = await marketFor(hre, args.at, args.from);
    const account = await (market.runner as unknown as { getAddress(): Promise<string> }).getAddress();
    await checkOrder(hre, market, account, slot, qtyWh, tick);
    const orderId = (await market.placeOffer.staticCall(slot, qtyWh, tick)) as bigint;
    await printTransaction("placeOffer", await market.placeOffer(slot, qtyWh, tick));
    console.log(`offer ${orderId}: ${qtyWh} Wh at tick ${tick}`);
    await printPosition(market, account, slot);
  });

task(
  "market:bid",
  "Bids for energy in the sender's microgrid for a slot, escrowing cost and fee at the limit",
)
  .addParam("slot", "Slot number")
  .addParam("qtyWh", "Energy wanted, Wh")
  .addParam("tick", "Limit price tick")
  .addOptionalParam("from", "Sending account (default: the first signer)")
  .addOptionalParam("at", "EnergyMarket address (default: the recorded deployment)")
  .setAction(async (args: { slot: string; qtyWh: string; tick: string; from?: string; at?: string }, hre) => {
    const { formatTrc, printTransaction } = await import("../lib/cli");
    const { slot, qtyWh, tick } = await orderArgs(args);
    const market = await marketFor(hre, args.at, args.from);
    const account = await (market.runner as unknown as { getAddress(): Promise<string> }).getAddress();
    const { microgrid } = await checkOrder(hre, market, account, slot, qtyWh, tick);
    const escrow = (await market.bidEscrow(microgrid, slot, qtyWh, tick)) as bigint;
    const coin = (await hre.ethers.getContractAt("TrustCoin", (await market.COIN()) as string)).connect(
      market.runner,
    );
    if ((await coin.balanceOf(account)) < escrow)
      throw new Error(`${account} holds less than the escrow of ${formatTrc(escrow)}`);
    const marketAddress = await market.getAddress();
    if ((await coin.allowance(account, marketAddress)) < escrow) {
      await printTransaction("approve", await coin.approve(marketAddress, escrow));
    }
    const orderId = (await market.placeBid.staticCall(slot, qtyWh, tick)) as bigint;
    await printTransaction("placeBid", await market.placeBid(slot, qtyWh, tick));
    console.log(`bid ${orderId}: ${qtyWh} Wh up to tick ${tick}, escrow ${formatTrc(escrow)}`);
    await printPosition(market, account, slot);
  });

task("market:cancel", "Cancels one of the sender's orders before the gate")
  .addParam("slot", "Slot number")
  .addParam("orderId", "Order id in the sender's book of that slot")
  .addOptionalParam("from", "Sending account (default: the first signer)")
  .addOptionalParam("at", "EnergyMarket address (default: the recorded deployment)")
  .setAction(async (args: { slot: string; orderId: string; from?: string; at?: string }, hre) => {
    const { parseUintArg, printTransaction, TaskArgumentError, UINT64_MAX } = await import("../lib/cli");
    const slot = parseUintArg("slot", args.slot, UINT64_MAX);
    const orderId = parseUintArg("order-id", args.orderId, UINT64_MAX);
    const market = await marketFor(hre, args.at, args.from);
    const account = await (market.runner as unknown as { getAddress(): Promise<string> }).getAddress();
    const registry = await hre.ethers.getContractAt("Registry", (await market.REGISTRY()) as string);
    const microgrid = (await registry.participant(account)).microgrid;
    const [order, owner] = await market.orderOf(microgrid, slot, orderId);
    if (owner === hre.ethers.ZeroAddress)
      throw new TaskArgumentError("order-id", `no order ${orderId} in microgrid ${microgrid}, slot ${slot}`);
    if (owner !== account) throw new TaskArgumentError("order-id", `order ${orderId} belongs to ${owner}`);
    if (order.cancelled) throw new TaskArgumentError("order-id", `order ${orderId} is cancelled already`);
    await printTransaction("cancel", await market.cancel(slot, orderId));
    await printPosition(market, account, slot);
  });

task("market:book", "Shows a book: phase, terms and the depth per tick and TRP level")
  .addParam("microgrid", "Microgrid id")
  .addParam("slot", "Slot number")
  .addOptionalParam("fromTick", "First tick to show (default: the tariff band's lowest)")
  .addOptionalParam("toTick", "Last tick to show (default: the tariff band's highest)")
  .addOptionalParam("at", "EnergyMarket address (default: the recorded deployment)")
  .setAction(
    async (
      args: { microgrid: string; slot: string; fromTick?: string; toTick?: string; at?: string },
      hre,
    ) => {
      const { parseUintArg, TaskArgumentError, UINT32_MAX, UINT64_MAX } = await import("../lib/cli");
      const microgrid = parseUintArg("microgrid", args.microgrid, UINT32_MAX);
      const slot = parseUintArg("slot", args.slot, UINT64_MAX);
      const market = await marketFor(hre, args.at);
      const registry = await hre.ethers.getContractAt("Registry", (await market.REGISTRY()) as string);
      if (!(await registry.isMicrogrid(microgrid)))
        throw new TaskArgumentError("microgrid", `microgrid ${microgrid} is not registered`);
      const terms = await market.bookTerms(microgrid, slot);
      const tickSize = terms.opened ? (terms.tickSize as bigint) : ((await market.tickSize()) as bigint);
      const [buy, sell] = await registry.tariffAt(slot);
      const low =
        args.fromTick === undefined
          ? (sell + tickSize - 1n) / tickSize
          : parseUintArg("from-tick", args.fromTick, MAX_TICK);
      const high =
        args.toTick === undefined ? buy / tickSize : parseUintArg("to-tick", args.toTick, MAX_TICK);
      const first = low < 1n ? 1n : low;
      const last = high > MAX_TICK ? MAX_TICK : high;
      if (last >= first && last - first + 1n > MAX_BOOK_TICKS)
        throw new TaskArgumentError(
          "to-tick",
          `more than ${MAX_BOOK_TICKS} ticks to show: narrow --from-tick/--to-tick`,
        );
      console.log(
        `book of microgrid ${microgrid}, slot ${slot}: ${PHASES[Number(await market.bookPhase(microgrid, slot))]}, ` +
          `${await market.orderCount(microgrid, slot)} orders, tick size ${hre.ethers.formatUnits(tickSize, 18)} TRC/kWh, ` +
          `fee ${terms.opened ? terms.feeBps : await market.feeBps()} bps`,
      );
      console.log("tick | offers Wh by seller level 1..4 | bids Wh by buyer level 1..4");
      for (let tick = first; tick <= last; tick++) {
        const offers = (await market.offerDepth(microgrid, slot, tick)) as bigint[];
        const bids = await Promise.all(
          [1, 2, 3, 4].map((level) => market.bidDepth(microgrid, slot, level, tick)),
        );
        if ([...offers, ...bids].every((v) => v === 0n)) continue;
        console.log(`${tick} | ${offers.join(" ")} | ${bids.join(" ")}`);
      }
    },
  );

task("market:clear", "Drives clearing of a book after its gate (anyone), in up to --max-calls calls")
  .addParam("microgrid", "Microgrid id")
  .addParam("slot", "Slot number")
  .addOptionalParam("maxCalls", "Calls to make at most, stopping once clearing is complete", "1")
  .addOptionalParam("from", "Sending account (default: the first signer)")
  .addOptionalParam("at", "EnergyMarket address (default: the recorded deployment)")
  .setAction(
    async (args: { microgrid: string; slot: string; maxCalls: string; from?: string; at?: string }, hre) => {
      const { parseUintArg, printTransaction, TaskArgumentError, UINT32_MAX, UINT64_MAX } =
        await import("../lib/cli");
      const microgrid = parseUintArg("microgrid", args.microgrid, UINT32_MAX);
      const slot = parseUintArg("slot", args.slot, UINT64_MAX);
      const maxCalls = parseUintArg("max-calls", args.maxCalls, 10_000n);
      if (maxCalls === 0n) throw new TaskArgumentError("max-calls", "must be at least 1");
      const market = await marketFor(hre, args.at, args.from);
      const registry = await hre.ethers.getContractAt("Registry", (await market.REGISTRY()) as string);
      if (!(await registry.isMicrogrid(microgrid)))
        throw new TaskArgumentError("microgrid", `microgrid ${microgrid} is not registered`);
      const gate = await registry.gate(slot);
      const latest = await hre.ethers.provider.getBlock("latest");
      if (latest !== null && BigInt(latest.timestamp) + 1n < gate)
        throw new TaskArgumentError("slot", `the gate of slot ${slot} is at ${gate}, not passed yet`);
      if (await market.isCleared(microgrid, slot))
        throw new TaskArgumentError("slot", "the book is cleared already");
      let calls = 0;
      do {
        await printTransaction("clear", await market.clear(microgrid, slot));
        calls++;
        const p = await market.clearingProgress(microgrid, slot);
        console.log(`stage ${p.stage}, level ${p.level}, next tick ${p.cursorTick}`);
      } while (BigInt(calls) < maxCalls && !(await market.isCleared(microgrid, slot)));
      console.log(`${calls} call(s); cleared: ${await market.isCleared(microgrid, slot)}`);
      if (await market.isCleared(microgrid, slot)) {
        const { formatTrc } = await import("../lib/cli");
        const totals = await market.slotAggregates(microgrid, slot);
        console.log(
          `traded ${totals.tradedWh} Wh by ${totals.buyers} buyer(s), buyers' cost ${formatTrc(totals.buyerCost)}`,
        );
      }
    },
  );

task("market:fills", "Shows an account's orders and fills in a slot")
  .addParam("account", "Participant address")
  .addParam("slot", "Slot number")
  .addOptionalParam("at", "EnergyMarket address (default: the recorded deployment)")
  .setAction(async (args: { account: string; slot: string; at?: string }, hre) => {
    const { formatTrc, parseAddressArg, parseUintArg, UINT64_MAX } = await import("../lib/cli");
    const account = parseAddressArg("account", args.account);
    const slot = parseUintArg("slot", args.slot, UINT64_MAX);
    const market = await marketFor(hre, args.at);
    const registry = await hre.ethers.getContractAt("Registry", (await market.REGISTRY()) as string);
    const microgrid = (await registry.participant(account)).microgrid;
    const cleared = (await market.isCleared(microgrid, slot)) as boolean;
    for (const id of (await market.orderIdsOf(account, slot)) as bigint[]) {
      const [order] = await market.orderOf(microgrid, slot, id);
      let line = `order ${id}: ${SIDES[Number(order.side)]} ${order.qtyWh} Wh at tick ${order.tick}, level ${order.level}`;
      if (order.cancelled) line += ", cancelled";
      else if (cleared) {
        const fill = await market.fillOf(microgrid, slot, id);
        line += `; filled ${fill.filledWh} Wh, money ${formatTrc(fill.money)}, fee ${formatTrc(fill.fee)}`;
      }
      console.log(line);
    }
    await printPosition(market, account, slot);
  });
