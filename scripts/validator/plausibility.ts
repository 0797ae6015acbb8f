/**
 * Plausibility checks of a validator agent (SPEC §6.3): which accepted readings of a microgrid-slot a trade
 * block should exclude. A check sees the slot's readings (as the meter accepted them, with the participant's
 * capacities) and, where known, each participant's traded position, and returns the participants to exclude.
 * Checks are pluggable: the simulation gives dishonest or better-informed agents their own.
 */

/** One accepted reading of a microgrid-slot, with the participant's capacities in the slot. */
export interface SlotReading {
  participant: string;
  importWh: bigint;
  exportWh: bigint;
  /** A registrar's substitute (estimated) reading rather than a meter-signed one. */
  substitute: boolean;
  maxImportWh: bigint;
  maxExportWh: bigint;
}

/** What a plausibility check judges. */
export interface PlausibilityContext {
  microgrid: bigint;
  slot: bigint;
  /** The accepted readings of (`microgrid`, `slot`) in arrival order. */
  readings: SlotReading[];
  /** Each reader's traded position `P = sold − bought` in Wh (0 without orders), by checksummed address. */
  positions?: Map<string, bigint>;
}

/**
 * A plausibility check: the participants whose readings it finds implausible. The agent keeps only
 * participants with an accepted reading, sorts them ascending as TradeBlocks requires and caps them at the
 * contract's `maxExclusions`, so a check may return them in any order.
 */
export type PlausibilityCheck = (ctx: PlausibilityContext) => Promise<string[]>;

/** Options of {@link defaultPlausibility}. */
export interface DefaultPlausibilityOptions {
  /** Whether PV output is about zero in `slot` (night); default: never. */
  isNight?: (slot: bigint) => boolean;
  /** At night a reading exporting more than this share of the export capacity is implausible (default 0.98). */
  nightExportShare?: number;
  /**
   * A reading whose net export `export − import` differs from the participant's traded position by more than
   * this many Wh is implausible; undefined (the default) turns the rule off, as imbalances are normal.
   */
  positionToleranceWh?: bigint;
  /** Whether substitute readings are judged too (default false: the registrar's estimates stand). */
  judgeSubstitutes?: boolean;
}

const SHARE_SCALE = 10_000n;

/**
 * The default check, two rules:
 * 1. **Night export** — at night (`isNight(slot)`), exporting more than `nightExportShare` (0.98) of the
 *    participant's export capacity is implausible: PV gives about nothing, so a meter near its export limit
 *    is lying or broken.
 * 2. **Position deviation** — with `positionToleranceWh` set, a net export `export − import` further than that
 *    from the traded position `P` is implausible.
 * Substitute readings are not judged unless `judgeSubstitutes`.
 */
export function defaultPlausibility(options: DefaultPlausibilityOptions = {}): PlausibilityCheck {
  const share = options.nightExportShare ?? 0.98;
  if (!(share >= 0 && share <= 1)) throw new RangeError(`nightExportShare ${share} is not within [0, 1]`);
  const shareScaled = BigInt(Math.round(share * Number(SHARE_SCALE)));
  const tolerance = options.positionToleranceWh;
  if (tolerance !== undefined && tolerance < 0n)
    throw new RangeError(`positionToleranceWh ${tolerance} is negative`);
  return async (ctx) => {
    const night = options.isNight?.(ctx.slot) ?? false;
    const excluded: string[] = [];
    for (const r of ctx.readings) {
      if (r.substitute && !options.judgeSubstitutes) continue;
      const nightExport = night && r.exportWh * SHARE_SCALE > r.maxExportWh * shareScaled;
      let deviates = false;
      const position = ctx.positions?.get(r.participant);
      if (tolerance !== undefined && position !== undefined) {
        const deviation = r.exportWh - r.importWh - position;
        deviates = (deviation < 0n ? -deviation : deviation) > tolerance;
      }
      if (nightExport || deviates) excluded.push(r.participant);
    }
    return excluded;
  };
}

/**
 * A night hint for {@link DefaultPlausibilityOptions.isNight} from the slot clock: slot `s` (starting at
 * `genesis + s·slotLength`) is at night when its start, shifted by `utcOffsetSec`, falls in
 * [`fromHour`, 24) ∪ [0, `toHour`) (default 21:00–05:00).
 */
export function nightByClock(clock: {
  genesis: bigint;
  slotLength: bigint;
  utcOffsetSec?: number;
  fromHour?: number;
  toHour?: number;
}): (slot: bigint) => boolean {
  const fromHour = clock.fromHour ?? 21;
  const toHour = clock.toHour ?? 5;
  const offset = BigInt(clock.utcOffsetSec ?? 0);
  return (slot) => {
    const start = clock.genesis + slot * clock.slotLength + offset;
    const hour = Number((((start % 86_400n) + 86_400n) % 86_400n) / 3_600n);
    return fromHour > toHour ? hour >= fromHour || hour < toHour : hour >= fromHour && hour < toHour;
  };
}
