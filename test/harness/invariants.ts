// SPEC §10 read from the chain after every step, and the contracts compared with the model on the views an
// action can change. Global identities (money, supply, totals, dust, grid debt, platform score) are read after
// EVERY step; per-account, per-position and per-microgrid-slot views are read for what the step touched
// (an untouched view cannot change without a total changing too), and all of them at the end of each run.
// Energy and access (SPEC §10) are checked once a book's clearing completes (fills are final from then on):
// see `checkClearing`. "Once" is checked on every receipt's events (`checkOnce`).
import type { TransactionReceipt } from "ethers";

import { Fraction, type RefClearing } from "../reference/clearing";
import type { SuiteModel } from "./model";
import { Phase, Side, type BookModel } from "./model/market";
import type { Suite } from "./world";

const WAD = 10n ** 18n;

export interface Touched {
  accounts: Set<string>;
  positions: Set<string>;
  books: Set<string>;
  slots: Set<bigint>;
  validators: boolean;
}

export function noneTouched(): Touched {
  return { accounts: new Set(), positions: new Set(), books: new Set(), slots: new Set(), validators: false };
}

export class Violation extends Error {}

function eq(what: string, chain: unknown, model: unknown): void {
  if (chain !== model) throw new Violation(`${what}: chain ${String(chain)} != model ${String(model)}`);
}

function holds(what: string, condition: boolean): void {
  if (!condition) throw new Violation(`invariant broken: ${what}`);
}

/** Money, supply and totals (SPEC §3, §10), every step. */
export async function checkGlobal(m: SuiteModel, f: Suite): Promise<void> {
  const { coin, market, settlement, oracle } = f;
  const [supply, issued, redeemed, burned, minted, budget] = await Promise.all([
    coin.totalSupply(),
    coin.totalIssued(),
    coin.totalRedeemed(),
    coin.totalBurned(),
    coin.totalRewardsMinted(),
    coin.rewardBudget(),
  ]);
  holds(
    "totalSupply == issued − redeemed − burned + rewardsMinted",
    supply === issued - redeemed - burned + minted,
  );
  holds("rewardsMinted ≤ burned", minted <= burned);
  eq("coin.totalIssued", issued, m.coin.issued);
  eq("coin.totalRedeemed", redeemed, m.coin.redeemed);
  eq("coin.totalBurned", burned, m.coin.burned);
  eq("coin.totalRewardsMinted", minted, m.coin.minted);
  eq("coin.rewardBudget", budget, m.coin.rewardBudget);
  const [held, prepaid, escrow, pool] = await Promise.all([
    coin.balanceOf(m.addresses.market),
    market.totalPrepaid(),
    market.totalEscrow(),
    market.settlementPool(),
  ]);
  holds(
    "coin.balanceOf(market) == totalPrepaid + totalEscrow + settlementPool",
    held === prepaid + escrow + BigInt(pool),
  );
  eq("market coin balance", held, m.coin.balanceOf(m.addresses.market));
  eq("market.totalPrepaid", prepaid, m.market.totalPrepaid);
  eq("market.totalEscrow", escrow, m.market.totalEscrow);
  eq("market.settlementPool", pool, m.market.pool);
  // Every other suite contract owes nothing in TRC, so it holds none.
  const others = await Promise.all(Object.values(m.addresses.others).map((a) => coin.balanceOf(a)));
  Object.keys(m.addresses.others).forEach((name, i) => eq(`coin.balanceOf(${name})`, others[i], 0n));
  const [dust, gridDebt, platform, feedbacks] = await Promise.all([
    settlement.dust(),
    settlement.gridDebt(),
    oracle.platformScore(),
    oracle.feedbackCount(),
  ]);
  eq("settlement.dust", dust, m.settlement.dust);
  eq("settlement.gridDebt", gridDebt, m.settlement.gridDebt);
  eq("oracle.platformScore", platform, m.trust.platform.score);
  eq("oracle.feedbackCount", feedbacks, m.trust.platform.feedbacks);
  holds("platform score in [0, 5]", platform <= 5n * WAD);
}

/** An account's balances, flags, debt and trader score. */
export async function checkAccount(m: SuiteModel, f: Suite, account: string): Promise<void> {
  const [wallet, balance, reserved, debt, participant, state] = await Promise.all([
    f.coin.balanceOf(account),
    f.market.balanceOf(account),
    f.market.reservedOf(account),
    f.settlement.debtOf(account),
    f.registry.participant(account),
    f.oracle.traderState(account),
  ]);
  eq(`coin.balanceOf(${account})`, wallet, m.coin.balanceOf(account));
  eq(`market.balanceOf(${account})`, balance, m.market.balanceOf(account));
  eq(`market.reservedOf(${account})`, reserved, m.market.reservedOf(account));
  eq(`settlement.debtOf(${account})`, debt, m.settlement.debtOf(account));
  const p = m.registry.get(account);
  eq(`registry kind of ${account}`, Number(participant.kind), p?.kind ?? 0);
  if (p) {
    eq(`registry.suspended(${account})`, participant.suspended, p.suspended);
    eq(`registry.indebted(${account})`, participant.indebted, p.indebted);
    eq(`registry.microgrid(${account})`, Number(participant.microgrid), p.microgrid);
  }
  eq(`traderScore(${account})`, state.score, m.trust.traderScore(account));
  eq(`trades(${account})`, state.trades, m.trust.traders.get(account)?.trades ?? 0n);
  eq(`coinsTraded(${account})`, state.coinsTraded, m.trust.traders.get(account)?.coinsTraded ?? 0n);
  holds(`trader score of ${account} in [0, 15]`, state.score <= 15n * WAD);
}

/** An account-slot position of the market. */
export async function checkPosition(m: SuiteModel, f: Suite, key: string): Promise<void> {
  const [account, slotText] = key.split(":");
  const slot = BigInt(slotText);
  const [chain, settled] = await Promise.all([
    f.market.positionOf(account, slot),
    f.settlement.isSettled(account, slot),
  ]);
  const p = m.market.position(account, slot);
  eq(`side ${key}`, Number(chain.side), p?.side ?? 0);
  eq(`liveOrders ${key}`, Number(chain.liveOrders), p?.liveOrders ?? 0);
  eq(`orderedWh ${key}`, chain.orderedWh, p?.orderedWh ?? 0n);
  eq(`escrow ${key}`, chain.escrow, p?.escrow ?? 0n);
  eq(`reserve ${key}`, chain.reserve, p?.reserve ?? 0n);
  eq(`unfilledWithdrawn ${key}`, chain.unfilledWithdrawn, p?.unfilledWithdrawn ?? false);
  eq(`isSettled ${key}`, settled, m.settlement.settled.has(key));
  if (p && p.liveOrders > 0) {
    eq(`level ${key}`, Number(chain.level), p.level);
    eq(`scoreWad ${key}`, chain.scoreWad, p.scoreWad);
  }
  if (p?.filled) {
    eq(`filledWh ${key}`, chain.filledWh, p.filled.filledWh);
    eq(`money ${key}`, chain.money, p.filled.money);
    eq(`fee ${key}`, chain.fee, p.filled.fee);
  }
}

/** A microgrid-slot: book phase and participants, meter totals and digest, block status, progress, level 1. */
export async function checkBook(m: SuiteModel, f: Suite, key: string): Promise<void> {
  const [mText, sText] = key.split(":");
  const microgrid = Number(mText);
  const slot = BigInt(sText);
  const [phase, participants, meter, block, progress, level1] = await Promise.all([
    f.market.bookPhase(microgrid, slot),
    f.market.participantCount(microgrid, slot),
    f.meter.slotMeter(microgrid, slot),
    f.blocks.blockState(microgrid, slot),
    f.settlement.microgridProgress(microgrid, slot),
    f.settlement.level1Of(microgrid, slot),
  ]);
  const book = m.market.book(microgrid, slot);
  eq(`phase ${key}`, Number(phase), book?.phase ?? 0);
  eq(`participantCount ${key}`, Number(participants), book?.participants ?? 0);
  const data = m.metering.peek(microgrid, slot);
  eq(`readings ${key}`, Number(meter.readings), data?.ref.readings ?? 0);
  eq(`readingsWithOrders ${key}`, Number(meter.readingsWithOrders), data?.ref.readingsWithOrders ?? 0);
  eq(`missing ${key}`, Number(meter.missing), data?.ref.missing ?? 0);
  eq(`digest ${key}`, meter.digest, data?.ref.digest ?? "0x" + "00".repeat(32));
  const totals = data?.ref.totals() ?? { surplusWh: 0n, deficitWh: 0n };
  eq(`TES ${key}`, meter.surplusWh, totals.surplusWh);
  eq(`TEP ${key}`, meter.deficitWh, totals.deficitWh);
  eq(`finalizedAt ${key}`, meter.finalizedAt, data?.finalizedAt ?? 0n);
  const b = m.consensus.blocks.get(key);
  eq(`block status ${key}`, Number(block.status), b?.status ?? 0);
  if (b?.clock && b.status === 1) eq(`block round ${key}`, Number(block.round), b.clock.round);
  const pr = m.settlement.progress.get(key);
  eq(`feesPaid ${key}`, progress.feesPaid, pr?.feesPaid ?? false);
  eq(`settled count ${key}`, Number(progress.settled), pr?.settled ?? 0);
  eq(`done ${key}`, progress.done, pr?.done ?? false);
  eq(`inLevel2 ${key}`, progress.inLevel2, pr?.inLevel2 ?? false);
  if (pr?.level1) {
    eq(`level1 counted ${key}`, level1.counted, pr.level1.counted);
    eq(`P1 sell ${key}`, level1.sellPrice, pr.level1.sellPrice);
    eq(`P1 buy ${key}`, level1.buyPrice, pr.level1.buyPrice);
  }
}

/** A slot's level 2 and money: per slot, money in = money out + dust ≥ 0 once closed. */
export async function checkSlot(m: SuiteModel, f: Suite, slot: bigint): Promise<void> {
  const [level2, money] = await Promise.all([f.settlement.level2Of(slot), f.settlement.slotMoney(slot)]);
  const l2 = m.settlement.level2.get(slot);
  eq(`level2 done ${slot}`, level2.done, l2?.done ?? false);
  if (l2) {
    eq(`S2 ${slot}`, level2.surplusWh, l2.surplusWh);
    eq(`D2 ${slot}`, level2.deficitWh, l2.demandWh);
    eq(`P2 sell ${slot}`, level2.sellPrice, l2.sellPrice);
    eq(`P2 buy ${slot}`, level2.buyPrice, l2.buyPrice);
  }
  const mm = m.settlement.slotMoney.get(slot);
  eq(`moneyIn ${slot}`, money.moneyIn, mm?.moneyIn ?? 0n);
  eq(`moneyOut ${slot}`, money.moneyOut, mm?.moneyOut ?? 0n);
  eq(`slot closed ${slot}`, money.closed, mm?.closed ?? false);
  if (money.closed) holds(`slot ${slot}: money in ≥ money out`, money.moneyIn >= money.moneyOut);
}

/** Validator scores and weights, and their domain [0, 5]. */
export async function checkValidators(m: SuiteModel, f: Suite): Promise<void> {
  for (const [address, v] of m.trust.validators) {
    const [score, proposedBlocks] = await f.oracle.validatorState(address);
    eq(`validator score ${address}`, score, v.score);
    eq(`validator |PB| ${address}`, proposedBlocks, v.proposedBlocks);
    holds(`validator score of ${address} in [0, 5]`, score <= 5n * WAD);
    const record = await f.validators.validator(address);
    eq(`validator weight ${address}`, record.weight, m.consensus.validators.get(address)!.weight);
  }
}

/** Everything a step touched, after the global identities. */
export async function checkAfterStep(m: SuiteModel, f: Suite, touched: Touched): Promise<void> {
  await checkGlobal(m, f);
  for (const a of touched.accounts) await checkAccount(m, f, a);
  for (const p of touched.positions) await checkPosition(m, f, p);
  for (const b of touched.books) await checkBook(m, f, b);
  for (const s of touched.slots) await checkSlot(m, f, s);
  if (touched.validators) await checkValidators(m, f);
}

/** The full sweep at the end of a run: every account, position, microgrid-slot, slot and validator. */
export async function checkEverything(m: SuiteModel, f: Suite): Promise<void> {
  const all = noneTouched();
  for (const a of m.coin.wallet.keys()) if (m.registry.get(a)) all.accounts.add(a);
  for (const k of m.market.positions.keys()) all.positions.add(k);
  for (const s of m.activeSlots) {
    all.slots.add(s);
    for (const mg of m.registry.microgrids) all.books.add(`${mg}:${s}`);
  }
  all.validators = true;
  await checkAfterStep(m, f, all);
}

/**
 * SPEC §10 energy and access on a cleared book: each order's fill is floor(exact) or 1 Wh less, never above
 * its quantity; buyers' money ceil(exact) or 1 unit more, sellers' floor or 1 less; no bid pays above its
 * limit; nobody holds both sides; for each tick and level the exact fills of levels ≤ L are within
 * `end_p − max(start_p, reserved_L)` and the chain's fills of levels ≤ L within the sum of those bounds.
 */
export function checkClearing(
  book: BookModel,
  ref: RefClearing,
  exact: Map<bigint, { filledWh: Fraction; money: Fraction; fee: Fraction }>,
): void {
  const owners = new Map<string, Set<number>>();
  for (const o of book.orders) {
    if (o.cancelled) continue;
    owners.set(o.owner, (owners.get(o.owner) ?? new Set()).add(o.side));
    const fill = book.fills.get(o.id)!;
    const e = exact.get(o.id)!;
    const what = `order ${o.id} of ${book.microgrid}:${book.slot}`;
    const floor = e.filledWh.floor();
    holds(
      `${what}: fill ${fill.filledWh} is floor(${e.filledWh}) or 1 Wh less`,
      fill.filledWh <= floor && fill.filledWh >= floor - 1n,
    );
    holds(`${what}: fill within quantity`, fill.filledWh <= o.qtyWh && fill.filledWh >= 0n);
    if (o.side === Side.Bid) {
      holds(
        `${what}: cost ${fill.money} is ceil(${e.money}) or 1 more`,
        fill.money >= e.money.ceil() && fill.money <= e.money.ceil() + 1n,
      );
      holds(
        `${what}: fee ${fill.fee} is ceil(${e.fee}) or 1 more`,
        fill.fee >= e.fee.ceil() && fill.fee <= e.fee.ceil() + 1n,
      );
      const atLimit = e.filledWh.mul(new Fraction(BigInt(o.tick) * book.tickSize, 1000n));
      holds(`${what}: no bid pays above its limit`, fill.money <= atLimit.ceil() + 1n);
    } else {
      holds(
        `${what}: proceeds ${fill.money} is floor(${e.money}) or 1 less`,
        fill.money <= e.money.floor() && fill.money >= e.money.floor() - 1n,
      );
      holds(`${what}: no fee on offers`, fill.fee === 0n);
    }
  }
  for (const [owner, sides] of owners)
    holds(`${owner} trades with itself in ${book.microgrid}:${book.slot}`, sides.size === 1);
  for (let level = 1; level <= 4; level++) {
    let allowed = Fraction.ZERO;
    for (const tick of ref.ticks) {
      let upTo = Fraction.ZERO;
      for (let l = 1; l <= level; l++) upTo = upTo.add(tick.boughtByLevel[l]);
      const bound = Fraction.of(tick.endWh).sub(Fraction.max(Fraction.of(tick.startWh), ref.reserved[level]));
      const positive = bound.isPositive() ? bound : Fraction.ZERO;
      holds(`access: tick ${tick.tick} level ≤ ${level}`, upTo.lte(positive));
      allowed = allowed.add(positive);
    }
    let taken = 0n;
    for (const o of book.orders)
      if (!o.cancelled && o.side === Side.Bid && o.level <= level) taken += book.fills.get(o.id)!.filledWh;
    holds(`access: chain fills of levels ≤ ${level} within their bounds`, taken <= allowed.floor());
  }
  holds(`book ${book.microgrid}:${book.slot} cleared`, book.phase === Phase.Cleared);
}

/**
 * SPEC §10 "once": no participant-slot settled twice, no trade scored twice, no fee payout or block reward
 * twice for a microgrid-slot, no second level 2 — over the whole run, from the receipts' events.
 */
export function checkOnce(f: Suite, receipt: TransactionReceipt, seen: Set<string>): void {
  const sources = [f.settlement, f.oracle, f.blocks, f.meter];
  for (const log of receipt.logs) {
    for (const c of sources) {
      let parsed;
      try {
        parsed = c.interface.parseLog(log);
      } catch {
        parsed = null;
      }
      if (!parsed) continue;
      let key: string | undefined;
      const a = parsed.args;
      if (parsed.name === "ParticipantSettled") key = `settled:${a[0]}:${a[1]}`;
      else if (parsed.name === "TraderScoreUpdated") key = `scored:${a[0]}:${a[1]}`;
      else if (parsed.name === "BlockFeesPaid") key = `fees:${a[0]}:${a[1]}`;
      else if (parsed.name === "BlockFinalized") key = `reward:${a[0]}:${a[1]}`;
      else if (parsed.name === "BlockFinalizedByDefault") key = `reward:${a[0]}:${a[1]}`;
      else if (parsed.name === "Level2Run") key = `level2:${a[0]}`;
      else if (parsed.name === "MeterDataFinalized") key = `final:${a[0]}:${a[1]}`;
      else if (parsed.name === "PlatformFeedbackGiven") key = `feedback:${a[0]}:${a[1]}`;
      if (key === undefined) continue;
      holds(`once: ${key} happened twice`, !seen.has(key));
      seen.add(key);
      break;
    }
  }
}
