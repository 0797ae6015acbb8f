// Model of the registry (SPEC §4): participants with kind, microgrid, registration time, suspension and
// debt flags, the meter-key history (a reading is checked against the key valid for its slot) and the
// tariff schedule (a change takes effect beyond the order horizon).

export interface Checkpoint<T> {
  fromSlot: bigint;
  value: T;
}

export interface ParticipantModel {
  kind: number;
  microgrid: number;
  registeredAt: bigint;
  suspended: boolean;
  indebted: boolean;
  keys: Checkpoint<string>[];
  capacity: Checkpoint<{ maxImportWh: bigint; maxExportWh: bigint }>[];
}

export interface Tariff {
  gridBuyPrice: bigint;
  gridSellPrice: bigint;
}

/** The value of the last checkpoint at or before `slot` (checkpoints are pushed in slot order). */
export function lookup<T>(checkpoints: Checkpoint<T>[], slot: bigint): T | undefined {
  let found: T | undefined;
  for (const c of checkpoints) if (c.fromSlot <= slot) found = c.value;
  return found;
}

export class RegistryModel {
  readonly participants = new Map<string, ParticipantModel>();
  readonly ownerOfKey = new Map<string, string>();
  tariffs: Checkpoint<Tariff>[] = [];
  microgrids: number[] = [];

  get(account: string): ParticipantModel | undefined {
    return this.participants.get(account);
  }

  inGoodStanding(account: string): boolean {
    const p = this.get(account);
    return p !== undefined && !p.suspended && !p.indebted;
  }

  keyAt(account: string, slot: bigint): string | undefined {
    const p = this.get(account);
    return p && lookup(p.keys, slot);
  }

  capacityAt(account: string, slot: bigint): { maxImportWh: bigint; maxExportWh: bigint } {
    const p = this.get(account);
    return (p && lookup(p.capacity, slot)) ?? { maxImportWh: 0n, maxExportWh: 0n };
  }

  tariffAt(slot: bigint): Tariff {
    const t = lookup(this.tariffs, slot);
    if (!t) throw new Error("model: no tariff");
    return t;
  }

  register(
    account: string,
    kind: number,
    microgrid: number,
    meterKey: string,
    maxImportWh: bigint,
    maxExportWh: bigint,
    now: bigint,
    currentSlot: bigint,
  ): void {
    this.participants.set(account, {
      kind,
      microgrid,
      registeredAt: now,
      suspended: false,
      indebted: false,
      keys: [{ fromSlot: currentSlot, value: meterKey }],
      capacity: [{ fromSlot: currentSlot, value: { maxImportWh, maxExportWh } }],
    });
    this.ownerOfKey.set(meterKey, account);
  }

  clone(): RegistryModel {
    const copy = new RegistryModel();
    for (const [k, p] of this.participants)
      copy.participants.set(k, { ...p, keys: [...p.keys], capacity: [...p.capacity] });
    for (const [k, v] of this.ownerOfKey) copy.ownerOfKey.set(k, v);
    copy.tariffs = [...this.tariffs];
    copy.microgrids = [...this.microgrids];
    return copy;
  }
}
