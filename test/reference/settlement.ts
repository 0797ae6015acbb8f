/**
 * Independent reference of a slot's settlement (SPEC §5.1, §8.3, §8.4), in exact rational arithmetic,
 * written from SPEC.md and the settlement brief, not from the Solidity. Inputs are what the market and the
 * meter report (positions, imbalances, totals, balances); outputs are every participant's credit, charge,
 * burned penalty, grid advance and α, the grid account's flows and the slot's dust.
 *
 * Rounding (SPEC §8.3): prices — sell down, buy up; payouts down, charges up; the grid account receives
 * rounded down and pays rounded up. Penalty (SPEC §8.4): the shortfall is charged at
 * `max(P1_buy, avgSellPrice · (1 + penaltyBps / 10 000))` with the exact `avgSellPrice = proceeds · 1000 / sold`;
 * the `P1_buy` part is the imbalance charge, the excess `ceil(shortfall · (penaltyPrice − P1_buy) / 1000)`
 * is burned when paid.
 */
import { Rational, exactSdrPrices } from "./sdr";

export interface RefParticipant {
  account: string;
  microgrid: number;
  side: "offer" | "bid" | "none";
  filledWh: bigint;
  /** Cost (bids) or proceeds (offers). */
  money: bigint;
  fee: bigint;
  escrow: bigint;
  imbalanceWh: bigint;
  /** Read or Substitute: an accepted reading (α from fulfilment); else α = 1. */
  accepted: boolean;
  /** Prepaid balance just before its settlement. */
  balance: bigint;
}

export interface RefMicrogrid {
  microgrid: number;
  /** Final before the deadline: counted at level 2. */
  counted: boolean;
  tesWh: bigint;
  tepWh: bigint;
  /** Buyers' cost total θ of its book, for the fee aggregate. */
  buyerCost: bigint;
}

export interface RefSlotInput {
  gridSellPrice: bigint;
  gridBuyPrice: bigint;
  feeBps: bigint;
  penaltyBps: bigint;
  microgrids: RefMicrogrid[];
  participants: RefParticipant[];
}

export interface RefPrices {
  outsideSell: bigint;
  outsideBuy: bigint;
  sell: bigint;
  buy: bigint;
}

export interface RefOutcome {
  account: string;
  credit: bigint;
  charge: bigint;
  charged: bigint;
  burned: bigint;
  advanced: bigint;
  alpha: number;
  escrowReleased: bigint;
}

export interface RefSlotResult {
  p2Sell: bigint;
  p2Buy: bigint;
  supplyWh: bigint;
  demandWh: bigint;
  level1: Map<number, RefPrices>;
  outcomes: Map<string, RefOutcome>;
  /** Grid account: what it receives and pays (level 2 and late residuals), and its advances. */
  gridReceives: bigint;
  gridPays: bigint;
  advances: bigint;
  feeAggregate: bigint;
  moneyIn: bigint;
  moneyOut: bigint;
  dust: bigint;
}

const floor = (num: bigint, den: bigint) => new Rational(num, den).floor();
const ceil = (num: bigint, den: bigint) => new Rational(num, den).ceil();

function prices(s: bigint, d: bigint, lambdaSell: bigint, lambdaBuy: bigint): { sell: bigint; buy: bigint } {
  const exact = exactSdrPrices(s, d, lambdaSell, lambdaBuy);
  return { sell: exact.sell.floor(), buy: exact.buy.ceil() };
}

function gridResidual(s: bigint, d: bigint, lambdaSell: bigint, lambdaBuy: bigint) {
  if (d > s) return { receives: floor((d - s) * lambdaBuy, 1000n), pays: 0n };
  if (s > d) return { receives: 0n, pays: ceil((s - d) * lambdaSell, 1000n) };
  return { receives: 0n, pays: 0n };
}

/** α = 1 + round_half_up(4 · fulfilment), SPEC §5.1, or 1 without an accepted reading. */
export function alphaOf(filledWh: bigint, missedWh: bigint, accepted: boolean): number {
  if (!accepted) return 1;
  const scaled = new Rational(4n * (filledWh - missedWh), filledWh).add(new Rational(1n, 2n));
  return 1 + Number(scaled.floor());
}

/** The whole settlement of one slot. */
export function settleSlotReference(input: RefSlotInput): RefSlotResult {
  const { gridSellPrice: ls, gridBuyPrice: lb } = input;
  let supplyWh = 0n;
  let demandWh = 0n;
  for (const m of input.microgrids) {
    if (!m.counted) continue;
    const net = m.tesWh - m.tepWh;
    if (net > 0n) supplyWh += net;
    else demandWh -= net;
  }
  const p2 = prices(supplyWh, demandWh, ls, lb);
  const level2Grid = gridResidual(supplyWh, demandWh, ls, lb);
  let gridReceives = level2Grid.receives;
  let gridPays = level2Grid.pays;
  const level1 = new Map<number, RefPrices>();
  let feeAggregate = 0n;
  for (const m of input.microgrids) {
    feeAggregate += floor(m.buyerCost * input.feeBps, 10_000n);
    let outsideSell = ls;
    let outsideBuy = lb;
    if (m.counted) {
      if (m.tesWh > m.tepWh) outsideSell = p2.sell;
      else if (m.tesWh < m.tepWh) outsideBuy = p2.buy;
    } else {
      const residual = gridResidual(m.tesWh, m.tepWh, ls, lb);
      gridReceives += residual.receives;
      gridPays += residual.pays;
    }
    const p1 = prices(m.tesWh, m.tepWh, outsideSell, outsideBuy);
    level1.set(m.microgrid, { outsideSell, outsideBuy, sell: p1.sell, buy: p1.buy });
  }
  const outcomes = new Map<string, RefOutcome>();
  let moneyIn = gridPays;
  let moneyOut = gridReceives + feeAggregate;
  let advances = 0n;
  for (const p of input.participants) {
    const p1 = level1.get(p.microgrid);
    if (p1 === undefined) throw new Error(`no microgrid ${p.microgrid}`);
    let credit = 0n;
    let escrowReleased = 0n;
    if (p.side === "offer") credit += p.money;
    if (p.side === "bid") {
      escrowReleased = p.escrow;
      credit += p.escrow - p.money - p.fee;
    }
    const surplus = p.imbalanceWh > 0n ? p.imbalanceWh : 0n;
    const deficit = p.imbalanceWh < 0n ? -p.imbalanceWh : 0n;
    credit += floor(surplus * p1.sell, 1000n);
    const poolCharge = ceil(deficit * p1.buy, 1000n);
    let excess = 0n;
    let missed = 0n;
    if (p.side === "offer") {
      missed = deficit < p.filledWh ? deficit : p.filledWh;
      if (missed > 0n) {
        const avgTimesPenalty = new Rational(
          p.money * 1000n * (10_000n + input.penaltyBps),
          p.filledWh * 10_000n,
        );
        const buy = Rational.of(p1.buy);
        const penaltyPrice = avgTimesPenalty.cmp(buy) > 0 ? avgTimesPenalty : buy;
        excess = penaltyPrice.sub(buy).mul(new Rational(missed, 1000n)).ceil();
      }
    } else if (p.side === "bid") {
      missed = surplus < p.filledWh ? surplus : p.filledWh;
    }
    const charge = poolCharge + excess;
    const available = p.balance + credit;
    const charged = charge < available ? charge : available;
    const poolPaid = charged < poolCharge ? charged : poolCharge;
    const burned = charged - poolPaid;
    const advanced = poolCharge - poolPaid;
    advances += advanced;
    moneyIn += escrowReleased + charged + advanced;
    moneyOut += credit + burned;
    const alpha = p.filledWh > 0n ? alphaOf(p.filledWh, missed, p.accepted) : 0;
    outcomes.set(p.account, {
      account: p.account,
      credit,
      charge,
      charged,
      burned,
      advanced,
      alpha,
      escrowReleased,
    });
  }
  return {
    p2Sell: p2.sell,
    p2Buy: p2.buy,
    supplyWh,
    demandWh,
    level1,
    outcomes,
    gridReceives,
    gridPays,
    advances,
    feeAggregate,
    moneyIn,
    moneyOut,
    dust: moneyIn - moneyOut,
  };
}
