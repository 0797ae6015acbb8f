/**
 * A CSV of plausible meter readings for the demo population (thesis Table 4.3: prosumers and consumers),
 * in the format the feeder reads (see csv.ts).
 *
 * Deterministic: each reading comes from a generator seeded by (seed, account, slot), so the same
 * arguments always give the same file and a reading does not depend on which others are generated.
 * Profiles, by the UTC hour of the slot: a household load with morning and evening peaks (consumers up to
 * their import capacity, prosumers' own load up to 60 % of it) and, for prosumers, solar output on a sine
 * from 06:00 to 18:00 scaled by a random clearness; the meter records the net flow (export when the sun
 * covers the load, import otherwise), never above the slot's capacities.
 */
import type { IRegistry } from "../../typechain-types";
import { mapPool } from "./retry";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export type ParticipantKind = "prosumer" | "consumer";

/** One member of the population, with its capacities in each generated slot (index 0 = `fromSlot`). */
export interface PopulationMember {
  account: string;
  kind: ParticipantKind;
  /** Meter key per generated slot (only needed for `by: "meter"`). */
  meterKeys?: string[];
  capacities: { maxImportWh: bigint; maxExportWh: bigint }[];
}

export interface GenerateOptions {
  fromSlot: bigint;
  /** Last slot, inclusive. */
  toSlot: bigint;
  seed: number;
  /** Identify rows by participant (default) or by meter key. */
  by?: "participant" | "meter";
  /** Slot starts as ISO-8601 UTC (default) or unix seconds. */
  timeFormat?: "iso" | "unix";
  /** Fraction of readings left out, as failed meters would (default 0). */
  missingRate?: number;
}

/** 32-bit FNV-1a of `text`. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small, fast, well-mixed 32-bit generator; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Household load as a fraction of the import capacity at UTC hour `hour` (0–23.99). */
export function loadShape(hour: number): number {
  if (hour < 6) return 0.25;
  if (hour < 9) return 0.6;
  if (hour < 17) return 0.4;
  if (hour < 22) return 0.8;
  return 0.35;
}

/** Solar output as a fraction of the export capacity at UTC hour `hour`, before clouds. */
export function solarShape(hour: number): number {
  return hour <= 6 || hour >= 18 ? 0 : Math.sin((Math.PI * (hour - 6)) / 12);
}

function scaled(capacity: bigint, fraction: number): bigint {
  const wh = BigInt(Math.round(Number(capacity) * Math.min(1, Math.max(0, fraction))));
  return wh > capacity ? capacity : wh;
}

/** One reading of `kind` with capacities `capacity` at UTC hour `hour`, from `random`. */
export function plausibleReading(
  random: () => number,
  kind: ParticipantKind,
  capacity: { maxImportWh: bigint; maxExportWh: bigint },
  hour: number,
): { importWh: bigint; exportWh: bigint } {
  const load = loadShape(hour) * (0.7 + 0.4 * random());
  if (kind === "consumer") return { importWh: scaled(capacity.maxImportWh, load), exportWh: 0n };
  const clearness = 0.5 + 0.5 * random();
  const loadWh = Number(capacity.maxImportWh) * 0.6 * load;
  const solarWh = Number(capacity.maxExportWh) * solarShape(hour) * clearness;
  return solarWh >= loadWh
    ? {
        importWh: 0n,
        exportWh: scaled(capacity.maxExportWh, (solarWh - loadWh) / Number(capacity.maxExportWh)),
      }
    : {
        importWh: scaled(capacity.maxImportWh, (loadWh - solarWh) / Number(capacity.maxImportWh)),
        exportWh: 0n,
      };
}

/** Formats unix seconds as ISO-8601 UTC without milliseconds. */
export function isoUtc(unix: bigint): string {
  return new Date(Number(unix) * 1000).toISOString().replace(".000Z", "Z");
}

/** The CSV text for `population` over the slots of `options` (slot-major, population order within). */
export function generateReadingsCsv(
  population: readonly PopulationMember[],
  clock: { genesis: bigint; slotLength: bigint },
  options: GenerateOptions,
): string {
  if (options.toSlot < options.fromSlot) throw new Error("toSlot is before fromSlot");
  const by = options.by ?? "participant";
  const lines = [`${by},slotStart,importWh,exportWh`];
  for (let slot = options.fromSlot, index = 0; slot <= options.toSlot; slot++, index++) {
    const start = clock.genesis + slot * clock.slotLength;
    const hour = Number(start % 86_400n) / 3600;
    const when = options.timeFormat === "unix" ? String(start) : isoUtc(start);
    for (const member of population) {
      const random = seededRandom(fnv1a(`${options.seed}:${member.account.toLowerCase()}:${slot}`));
      if (random() < (options.missingRate ?? 0)) continue;
      const capacity = member.capacities[index];
      // Not yet registered in this slot: no meter, no reading.
      if (member.meterKeys?.[index] === ZERO_ADDRESS || capacity.maxImportWh === 0n) continue;
      const { importWh, exportWh } = plausibleReading(random, member.kind, capacity, hour);
      const who = by === "meter" ? member.meterKeys![index] : member.account;
      lines.push(`${who},${when},${importWh},${exportWh}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * The population as the registry knows it for slots `fromSlot`…`toSlot`: `accounts` (default: every
 * participant registered, from `ParticipantRegistered` events), with kind, capacities and meter keys per slot.
 */
export async function populationFromRegistry(
  registry: IRegistry,
  fromSlot: bigint,
  toSlot: bigint,
  accounts?: readonly string[],
  concurrency = 16,
): Promise<PopulationMember[]> {
  const chosen =
    accounts ??
    (await registry.queryFilter(registry.filters.ParticipantRegistered())).map((event) => event.args.account);
  const slots: bigint[] = [];
  for (let slot = fromSlot; slot <= toSlot; slot++) slots.push(slot);
  return mapPool(chosen, concurrency, async (account) => {
    const record = await registry.participant(account);
    if (record.kind === 0n) throw new Error(`${account} is not a registered participant`);
    const capacities = await Promise.all(
      slots.map(async (slot) => {
        const [maxImportWh, maxExportWh] = await registry.capacityAt(account, slot);
        return { maxImportWh, maxExportWh };
      }),
    );
    const meterKeys = await Promise.all(slots.map((slot) => registry.meterKeyAt(account, slot)));
    return { account, kind: record.kind === 1n ? "prosumer" : "consumer", capacities, meterKeys };
  });
}
