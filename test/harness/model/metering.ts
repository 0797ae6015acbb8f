// Model of the meter readings (SPEC §8.1–8.2): per microgrid-slot the reference `MeterSlotReference`
// (test/reference/meter.ts: records, digest hash chain, counts, TES/TEP), the reading window, the moment the
// microgrid-slot becomes proposable and its finalization (with exclusions).
import { MeterSlotReference } from "../../reference/meter";

export interface MeterSlotModel {
  ref: MeterSlotReference;
  /** Stored by accountMissing (when it completes the count) or at finalization; 0n until then. */
  proposableAt: bigint;
  finalized: boolean;
  finalizedAt: bigint;
}

export class MeteringModel {
  readonly slots = new Map<string, MeterSlotModel>();

  constructor(
    readonly genesis: bigint,
    readonly slotLength: bigint,
    readonly readingWindowSlots: bigint,
  ) {}

  slot(microgrid: number, slot: bigint): MeterSlotModel {
    const key = `${microgrid}:${slot}`;
    let data = this.slots.get(key);
    if (!data) {
      data = { ref: new MeterSlotReference(), proposableAt: 0n, finalized: false, finalizedAt: 0n };
      this.slots.set(key, data);
    }
    return data;
  }

  peek(microgrid: number, slot: bigint): MeterSlotModel | undefined {
    return this.slots.get(`${microgrid}:${slot}`);
  }

  window(slot: bigint): { opensAt: bigint; closesAt: bigint } {
    const opensAt = this.genesis + (slot + 1n) * this.slotLength;
    return { opensAt, closesAt: opensAt + this.readingWindowSlots * this.slotLength };
  }

  /**
   * `_proposableAt` of the contract at time `t`: the stored value, or the window's close once it has passed,
   * clearing is done and every account with orders has a reading or is accounted missing.
   */
  proposableAt(
    microgrid: number,
    slot: bigint,
    t: bigint,
    cleared: boolean,
    participantCount: number,
  ): bigint {
    const data = this.peek(microgrid, slot);
    if (data && data.proposableAt !== 0n) return data.proposableAt;
    const { closesAt } = this.window(slot);
    if (t < closesAt || !cleared) return 0n;
    const counted = data ? data.ref.readingsWithOrders + data.ref.missing : 0;
    return counted === participantCount ? closesAt : 0n;
  }
}
