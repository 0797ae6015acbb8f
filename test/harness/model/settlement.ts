// Model of settlement (SPEC §8.3–8.4): level 2 per slot, level-1 prices per microgrid-slot (counted at
// level 2 or priced at the tariff on first use), per-participant outcomes from `settleSlotReference`
// (test/reference/settlement.ts) and the grid residual from `gridFlow` (test/reference/sdr.ts), the grid
// account's flows and debt, participants' debts, fee payouts at finality, per-slot money in/out and dust.
import { gridFlow } from "../../reference/sdr";
import {
  type RefMicrogrid,
  type RefOutcome,
  type RefParticipant,
  settleSlotReference,
} from "../../reference/settlement";

export interface Level2Model {
  done: boolean;
  surplusWh: bigint;
  demandWh: bigint;
  sellPrice: bigint;
  buyPrice: bigint;
  /** The microgrids' inputs as fixed when level 2 ran. */
  microgrids: RefMicrogrid[];
}

export interface Level1Model {
  counted: boolean;
  sellPrice: bigint;
  buyPrice: bigint;
}

export interface ProgressModel {
  priced: boolean;
  feesPaid: boolean;
  settled: number;
  done: boolean;
  inLevel2: boolean;
  level1?: Level1Model;
}

export interface SlotMoneyModel {
  moneyIn: bigint;
  moneyOut: bigint;
  microgrids: number;
  microgridsDone: number;
  closed: boolean;
}

export class SettlementModel {
  readonly level2 = new Map<bigint, Level2Model>();
  readonly progress = new Map<string, ProgressModel>();
  readonly slotMoney = new Map<bigint, SlotMoneyModel>();
  readonly settled = new Set<string>();
  readonly traded = new Set<string>();
  readonly debts = new Map<string, bigint>();
  gridDebt = 0n;
  dust = 0n;

  progressOf(microgrid: number, slot: bigint): ProgressModel {
    const key = `${microgrid}:${slot}`;
    let p = this.progress.get(key);
    if (!p) {
      p = { priced: false, feesPaid: false, settled: 0, done: false, inLevel2: false };
      this.progress.set(key, p);
    }
    return p;
  }

  money(slot: bigint): SlotMoneyModel {
    let m = this.slotMoney.get(slot);
    if (!m) {
      m = { moneyIn: 0n, moneyOut: 0n, microgrids: 0, microgridsDone: 0, closed: false };
      this.slotMoney.set(slot, m);
    }
    return m;
  }

  debtOf(account: string): bigint {
    return this.debts.get(account) ?? 0n;
  }

  /** Level 2 from the microgrids' inputs (SPEC §8.3), with its grid residual. */
  level2Prices(
    microgrids: RefMicrogrid[],
    tariff: { gridSellPrice: bigint; gridBuyPrice: bigint },
  ): { result: ReturnType<typeof settleSlotReference>; paidToGrid: bigint; paidByGrid: bigint } {
    const result = settleSlotReference({
      gridSellPrice: tariff.gridSellPrice,
      gridBuyPrice: tariff.gridBuyPrice,
      feeBps: 0n,
      penaltyBps: 0n,
      microgrids,
      participants: [],
    });
    const flow = gridFlow(result.supplyWh, result.demandWh, tariff.gridSellPrice, tariff.gridBuyPrice);
    return { result, ...flow };
  }

  /**
   * One participant's outcome (SPEC §8.4) with the slot's level-2 inputs: the reference settles the slot for
   * this participant alone (its balance just before), so the outcome is exactly what the contract computes.
   */
  participantOutcome(
    level2: Level2Model,
    participant: RefParticipant,
    tariff: { gridSellPrice: bigint; gridBuyPrice: bigint },
    penaltyBps: bigint,
  ): { outcome: RefOutcome; sell: bigint; buy: bigint } {
    const result = settleSlotReference({
      gridSellPrice: tariff.gridSellPrice,
      gridBuyPrice: tariff.gridBuyPrice,
      feeBps: 0n,
      penaltyBps,
      microgrids: level2.microgrids,
      participants: [participant],
    });
    const p1 = result.level1.get(participant.microgrid)!;
    return { outcome: result.outcomes.get(participant.account)!, sell: p1.sell, buy: p1.buy };
  }
}
