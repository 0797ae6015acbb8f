/**
 * Household profiles for the simulation: per slot, the household's load and its PV generation, in whole
 * Wh per slot. Three sources:
 *
 * - **generator** (the default; needs no files): clear-sky PV from the sun's position at the site and a
 *   synthetic household load with a morning and an evening peak;
 * - **standard** (`--profiles <dir>` with `bdew/h25.csv` and `dwd-try/TRY2010_04_Jahr.dat`): BDEW H25 as
 *   gross household load and PV from the DWD test reference year's irradiance;
 * - **feeder** (`--profiles <dir>` holding one CSV in the meter feeder's format): measured import and
 *   export per participant, used as they are.
 *
 * Slot `i` of a grid covers `[startUnix + i·slotSeconds, startUnix + (i+1)·slotSeconds)` in UTC. Energy in
 * a slot is the mean power over 1-minute sub-steps (their midpoints) times the slot length, rounded to Wh.
 */
import fs from "node:fs";
import path from "node:path";
import { Rng } from "./rng";
import {
  SECONDS_PER_DAY,
  bdewDayType,
  civilFromDays,
  dayOfYear,
  daysFromCivil,
  germanUtcOffsetSeconds,
  type BdewDayType,
} from "./calendar";

export interface HouseholdProfile {
  /** Gross household consumption per slot, Wh (feeder source: metered import). */
  loadWh: number[];
  /** PV generation per slot, Wh (feeder source: metered export); all zero for a consumer. */
  pvWh: number[];
  /** Feeder source: the participant or meter the profile was read from. */
  sourceId?: string;
}

export interface SlotGrid {
  /** Start of slot 0, unix seconds (UTC). */
  startUnix: number;
  slotSeconds: number;
  slots: number;
}

export interface Site {
  latitudeDeg: number;
  longitudeDeg: number;
}

export type HouseholdKind = "prosumer" | "consumer";

/** What makes one household differ from another; drawn once per run by `drawHouseholds`. */
export interface HouseholdSpec {
  kind: HouseholdKind;
  /** Annual consumption, kWh (2 500–5 000). */
  annualLoadKWh: number;
  /** Installed PV peak power, kWp (3–10 for a prosumer, 0 for a consumer). */
  pvKWp: number;
  /** This household's daily routine runs this many hours later than the average one (−0.5..0.5). */
  peakShiftHours: number;
}

export interface ProfileOptions {
  /** Standard deviation of the per-slot multiplicative load noise (log-normal, mean 1); 0 disables it. */
  loadNoiseSigma?: number;
  /** Generator only: local clock time minus UTC, hours; default `round(longitude / 15)`. */
  utcOffsetHours?: number;
}

/** PV system performance ratio: AC output per kWp is GHI / 1000 × this. */
export const PERFORMANCE_RATIO = 0.85;
export const DEFAULT_LOAD_NOISE_SIGMA = 0.15;
/** BDEW profiles are normalised to 1 GWh per year = 1 000 000 kWh. */
export const BDEW_ANNUAL_KWH = 1_000_000;
export const H25_FILE = path.join("bdew", "h25.csv");
export const TRY_FILE = path.join("dwd-try", "TRY2010_04_Jahr.dat");

/** A profile file or value that cannot be used; the message names the file, line or column. */
export class ProfileDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProfileDataError";
  }
}

export function validateGrid(grid: SlotGrid): void {
  if (!Number.isSafeInteger(grid.startUnix))
    throw new RangeError(`grid start ${grid.startUnix} is not whole seconds`);
  if (!Number.isSafeInteger(grid.slotSeconds) || grid.slotSeconds <= 0)
    throw new RangeError(`slot length ${grid.slotSeconds} s is not a positive whole number of seconds`);
  if (!Number.isSafeInteger(grid.slots) || grid.slots <= 0)
    throw new RangeError(`slot count ${grid.slots} is not a positive whole number`);
}

/** Unix start of slot `i`. */
export function slotStart(grid: SlotGrid, i: number): number {
  return grid.startUnix + i * grid.slotSeconds;
}

/** Energy (Wh, not rounded) per slot of a power curve given in kW at unix instants. */
export function integrateSlots(grid: SlotGrid, powerKwAt: (unixSeconds: number) => number): number[] {
  validateGrid(grid);
  const steps = Math.max(1, Math.ceil(grid.slotSeconds / 60));
  const dt = grid.slotSeconds / steps;
  const out: number[] = [];
  for (let i = 0; i < grid.slots; i++) {
    const t0 = slotStart(grid, i);
    let sumKw = 0;
    for (let k = 0; k < steps; k++) sumKw += powerKwAt(t0 + (k + 0.5) * dt);
    out.push(((sumKw / steps) * grid.slotSeconds) / 3.6); // kW × s / 3600 × 1000 = Wh
  }
  return out;
}

// ---------------------------------------------------------------- households

/** Draws prosumers first, then consumers: annual load uniform 2 500–5 000 kWh, PV 3–10 kWp, peak shift. */
export function drawHouseholds(rng: Rng, prosumers: number, consumers: number): HouseholdSpec[] {
  const out: HouseholdSpec[] = [];
  for (let i = 0; i < prosumers + consumers; i++) {
    const kind: HouseholdKind = i < prosumers ? "prosumer" : "consumer";
    const annualLoadKWh = Math.round(rng.uniform(2500, 5000));
    const pvKWp = kind === "prosumer" ? Math.round(rng.uniform(3, 10) * 10) / 10 : 0;
    out.push({ kind, annualLoadKWh, pvKWp, peakShiftHours: rng.uniform(-0.5, 0.5) });
  }
  return out;
}

// ---------------------------------------------------------------- sun and clear-sky PV

export interface SolarPosition {
  declinationRad: number;
  /** Apparent minus mean solar time, minutes. */
  equationOfTimeMin: number;
  /** 0 at solar noon, negative in the morning, degrees. */
  hourAngleDeg: number;
  cosZenith: number;
  elevationDeg: number;
}

/**
 * The sun's position (NOAA's formulas after Spencer 1971: fractional year → declination and equation of
 * time; true solar time → hour angle → zenith). Accurate to a few tenths of a degree; no refraction.
 */
export function solarPosition(unixSeconds: number, site: Site): SolarPosition {
  const dayNumber = Math.floor(unixSeconds / SECONDS_PER_DAY);
  const date = civilFromDays(dayNumber);
  const utcHours = (unixSeconds - dayNumber * SECONDS_PER_DAY) / 3600;
  const daysInYear = daysFromCivil(date.year + 1, 1, 1) - daysFromCivil(date.year, 1, 1);
  const g = ((2 * Math.PI) / daysInYear) * (dayOfYear(date) - 1 + (utcHours - 12) / 24);
  const equationOfTimeMin =
    229.18 *
    (0.000075 +
      0.001868 * Math.cos(g) -
      0.032077 * Math.sin(g) -
      0.014615 * Math.cos(2 * g) -
      0.040849 * Math.sin(2 * g));
  const declinationRad =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g) -
    0.002697 * Math.cos(3 * g) +
    0.00148 * Math.sin(3 * g);
  const trueSolarMin = utcHours * 60 + equationOfTimeMin + 4 * site.longitudeDeg;
  let hourAngleDeg = trueSolarMin / 4 - 180;
  hourAngleDeg = ((((hourAngleDeg + 180) % 360) + 360) % 360) - 180;
  const lat = (site.latitudeDeg * Math.PI) / 180;
  const ha = (hourAngleDeg * Math.PI) / 180;
  const cosZenith = Math.max(
    -1,
    Math.min(
      1,
      Math.sin(lat) * Math.sin(declinationRad) + Math.cos(lat) * Math.cos(declinationRad) * Math.cos(ha),
    ),
  );
  const elevationDeg = 90 - (Math.acos(cosZenith) * 180) / Math.PI;
  return { declinationRad, equationOfTimeMin, hourAngleDeg, cosZenith, elevationDeg };
}

/** Clear-sky global horizontal irradiance, W/m² (Haurwitz 1945): 1098·cosZ·exp(−0.057/cosZ); 0 at night. */
export function haurwitzGhi(cosZenith: number): number {
  return cosZenith <= 0 ? 0 : 1098 * cosZenith * Math.exp(-0.057 / cosZenith);
}

/** Clear-sky PV output per kWp, Wh per slot (not rounded). */
export function clearSkyPvWhPerKWp(grid: SlotGrid, site: Site): number[] {
  return integrateSlots(
    grid,
    (t) => (haurwitzGhi(solarPosition(t, site).cosZenith) / 1000) * PERFORMANCE_RATIO,
  );
}

// ---------------------------------------------------------------- synthetic load

/** The BDEW dynamisation factor F(d) for day of year d (1..366). */
export function dynamisationFactor(day: number): number {
  return -3.92e-10 * day ** 4 + 3.2e-7 * day ** 3 - 7.02e-5 * day ** 2 + 2.1e-3 * day + 1.24;
}

/** Mean of F(d) over d = 1..365: dividing by it makes F a seasonal factor averaging 1. */
export const MEAN_DYNAMISATION =
  Array.from({ length: 365 }, (_, i) => dynamisationFactor(i + 1)).reduce((a, b) => a + b) / 365;

function bump(hour: number, centre: number, width: number): number {
  let d = (((hour - centre) % 24) + 24) % 24;
  if (d > 12) d -= 24;
  return Math.exp(-0.5 * (d / width) ** 2);
}

/**
 * Relative household power at a local clock hour (periodic over 24 h, not normalised): a night base,
 * a morning peak around 7:30, a smaller midday bump and the evening peak around 19:30.
 */
export function loadShape(localHour: number): number {
  return (
    0.35 +
    0.55 * bump(localHour, 7.5, 1.0) +
    0.3 * bump(localHour, 12.5, 1.5) +
    0.95 * bump(localHour, 19.5, 1.6)
  );
}

/** Mean of `loadShape` over a day (numerically, 1-minute steps). */
export const MEAN_LOAD_SHAPE =
  Array.from({ length: 1440 }, (_, m) => loadShape((m + 0.5) / 60)).reduce((a, b) => a + b) / 1440;

/** Multiplies each value by an independent log-normal factor of mean 1, then rounds to whole Wh. */
export function applyLoadNoise(valuesWh: number[], rng: Rng, sigma: number): number[] {
  if (!(sigma >= 0)) throw new RangeError(`load noise sigma must be non-negative, got ${sigma}`);
  return valuesWh.map((v) =>
    Math.max(0, Math.round(v * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2))),
  );
}

function checkHouseholds(households: HouseholdSpec[]): void {
  households.forEach((h, i) => {
    if (!(h.annualLoadKWh >= 0))
      throw new RangeError(`household ${i}: annual load ${h.annualLoadKWh} kWh is negative`);
    if (!(h.pvKWp >= 0)) throw new RangeError(`household ${i}: PV ${h.pvKWp} kWp is negative`);
    if (h.kind === "consumer" && h.pvKWp !== 0) throw new RangeError(`household ${i}: a consumer has no PV`);
  });
}

/**
 * The built-in profiles: clear-sky PV × kWp, and the synthetic load shape at local clock time (UTC +
 * `utcOffsetHours`) scaled so that a year of it is the household's annual kWh, with the BDEW seasonal
 * factor and per-slot noise. Each household draws its noise from `rng` in order.
 */
export function generateProfiles(
  households: HouseholdSpec[],
  grid: SlotGrid,
  site: Site,
  rng: Rng,
  options: ProfileOptions = {},
): HouseholdProfile[] {
  validateGrid(grid);
  checkHouseholds(households);
  const offsetHours = options.utcOffsetHours ?? Math.round(site.longitudeDeg / 15);
  const sigma = options.loadNoiseSigma ?? DEFAULT_LOAD_NOISE_SIGMA;
  const pvPerKWp = clearSkyPvWhPerKWp(grid, site);
  return households.map((h) => {
    const meanKw = h.annualLoadKWh / (365 * 24);
    const loadRaw = integrateSlots(grid, (t) => {
      const local = t + offsetHours * 3600;
      const localDay = Math.floor(local / SECONDS_PER_DAY);
      const season = dynamisationFactor(dayOfYear(civilFromDays(localDay))) / MEAN_DYNAMISATION;
      const hour = (local - localDay * SECONDS_PER_DAY) / 3600 - h.peakShiftHours;
      return (meanKw * season * loadShape(hour)) / MEAN_LOAD_SHAPE;
    });
    return {
      loadWh: applyLoadNoise(loadRaw, rng, sigma),
      pvWh: pvPerKWp.map((wh) => Math.round(wh * h.pvKWp)),
    };
  });
}

// ---------------------------------------------------------------- BDEW H25

/** H25 values, kWh per quarter-hour at 1 GWh/a: `[month 0..11][day type] → 96 values`. */
export type H25Table = Record<BdewDayType, number[]>[];

const GERMAN_MONTHS = [
  "Januar",
  "Februar",
  "März",
  "April",
  "Mai",
  "Juni",
  "Juli",
  "August",
  "September",
  "Oktober",
  "November",
  "Dezember",
];

function readText(file: string): string {
  if (!fs.existsSync(file)) throw new ProfileDataError(`${file}: file not found`);
  return fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
}

/**
 * Reads BDEW H25 (or P25) as packaged by demandlib: row 1 the German month names, row 2 `[kWh]` and the
 * day types, then 96 rows `hh:mm-hh:mm` with one value per (month, day type) column.
 */
export function parseH25(text: string, file = "h25.csv"): H25Table {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length < 98)
    throw new ProfileDataError(
      `${file}: expected 2 header rows and 96 quarter-hours, got ${lines.length} rows`,
    );
  const months = lines[0].split(",").map((s) => s.trim());
  const types = lines[1].split(",").map((s) => s.trim());
  const table: H25Table = GERMAN_MONTHS.map(() => ({ SA: [], FT: [], WT: [] }));
  const columns: { month: number; type: BdewDayType }[] = [];
  for (let c = 1; c < months.length; c++) {
    const month = GERMAN_MONTHS.indexOf(months[c]);
    if (month < 0)
      throw new ProfileDataError(
        `${file}: line 1, column ${c + 1}: "${months[c]}" is not a German month name`,
      );
    const type = types[c];
    if (type !== "SA" && type !== "FT" && type !== "WT")
      throw new ProfileDataError(`${file}: line 2, column ${c + 1}: day type "${type}" is not SA, FT or WT`);
    columns.push({ month, type });
  }
  for (let m = 0; m < 12; m++)
    for (const type of ["SA", "FT", "WT"] as const)
      if (!columns.some((c) => c.month === m && c.type === type))
        throw new ProfileDataError(`${file}: no column for ${GERMAN_MONTHS[m]} ${type}`);
  for (let q = 0; q < 96; q++) {
    const lineNo = q + 3;
    const cells = lines[q + 2].split(",");
    const expectedLabel = `${String(Math.floor(q / 4)).padStart(2, "0")}:${String((q % 4) * 15).padStart(2, "0")}-`;
    if (!cells[0].startsWith(expectedLabel))
      throw new ProfileDataError(
        `${file}: line ${lineNo}: expected the quarter-hour ${expectedLabel}…, got "${cells[0]}"`,
      );
    if (cells.length !== columns.length + 1)
      throw new ProfileDataError(
        `${file}: line ${lineNo}: expected ${columns.length + 1} fields, got ${cells.length}`,
      );
    columns.forEach((col, c) => {
      const v = Number(cells[c + 1]);
      if (cells[c + 1].trim() === "" || !Number.isFinite(v) || v < 0)
        throw new ProfileDataError(
          `${file}: line ${lineNo}, column ${c + 2}: "${cells[c + 1]}" is not a non-negative number`,
        );
      table[col.month][col.type][q] = v;
    });
  }
  return table;
}

export function readH25(file: string): H25Table {
  return parseH25(readText(file), file);
}

interface LocalDayInfo {
  month: number;
  type: BdewDayType;
  dynamisation: number;
}

/**
 * Gross household load from H25 for one household, Wh per slot (not rounded): the quarter-hour value of
 * the local (German legal time) month and day type, times F(d), times annual kWh / 1 GWh. The household's
 * routine is shifted by `peakShiftHours`.
 */
export function h25LoadWh(
  table: H25Table,
  annualLoadKWh: number,
  grid: SlotGrid,
  peakShiftHours = 0,
): number[] {
  const days = new Map<number, LocalDayInfo>();
  const scale = annualLoadKWh / BDEW_ANNUAL_KWH;
  return integrateSlots(grid, (t) => {
    const shifted = t - peakShiftHours * 3600;
    const local = shifted + germanUtcOffsetSeconds(shifted);
    const dayNumber = Math.floor(local / SECONDS_PER_DAY);
    let info = days.get(dayNumber);
    if (!info) {
      const date = civilFromDays(dayNumber);
      info = {
        month: date.month - 1,
        type: bdewDayType(dayNumber),
        dynamisation: dynamisationFactor(dayOfYear(date)),
      };
      days.set(dayNumber, info);
    }
    const quarter = Math.floor((local - dayNumber * SECONDS_PER_DAY) / 900);
    const kWhPerQuarter = table[info.month][info.type][quarter] * info.dynamisation * scale;
    return kWhPerQuarter * 4; // kW
  });
}

// ---------------------------------------------------------------- DWD test reference year

/** Hourly global horizontal irradiance (B + D), W/m²: index (day of a 365-day year − 1)·24 + (HH − 1). */
export type TryGhi = Float64Array;

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/** Reads a DWD TRY .dat: the column names on the line before `***`, then 8 760 whitespace-separated rows. */
export function parseTry(text: string, file = "TRY.dat"): TryGhi {
  const lines = text.split(/\r?\n/);
  const marker = lines.findIndex((l) => l.trim() === "***");
  if (marker < 1) throw new ProfileDataError(`${file}: no "***" line before the data rows`);
  let headerIdx = marker - 1;
  while (headerIdx > 0 && lines[headerIdx].trim() === "") headerIdx--;
  const names = lines[headerIdx].trim().split(/\s+/);
  const col = (name: string): number => {
    const i = names.indexOf(name);
    if (i < 0)
      throw new ProfileDataError(`${file}: line ${headerIdx + 1}: no column "${name}" in the header`);
    return i;
  };
  const [mm, dd, hh, b, d] = ["MM", "DD", "HH", "B", "D"].map(col);
  const ghi = new Float64Array(8760).fill(NaN);
  for (let i = marker + 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const f = lines[i].trim().split(/\s+/);
    const where = `${file}: line ${i + 1}`;
    if (f.length !== names.length)
      throw new ProfileDataError(`${where}: expected ${names.length} fields, got ${f.length}`);
    const [month, day, hour, direct, diffuse] = [mm, dd, hh, b, d].map((c) => Number(f[c]));
    if (!Number.isInteger(month) || month < 1 || month > 12)
      throw new ProfileDataError(`${where}: bad month "${f[mm]}"`);
    const monthDays = DAYS_BEFORE_MONTH[month] - DAYS_BEFORE_MONTH[month - 1];
    if (!Number.isInteger(day) || day < 1 || day > monthDays)
      throw new ProfileDataError(`${where}: bad day "${f[dd]}"`);
    if (!Number.isInteger(hour) || hour < 1 || hour > 24)
      throw new ProfileDataError(`${where}: bad hour "${f[hh]}"`);
    if (!(direct >= 0) || !(diffuse >= 0))
      throw new ProfileDataError(
        `${where}: irradiance B "${f[b]}" or D "${f[d]}" is not a non-negative number`,
      );
    ghi[(DAYS_BEFORE_MONTH[month - 1] + day - 1) * 24 + hour - 1] = direct + diffuse;
  }
  const missing = ghi.findIndex((v) => Number.isNaN(v));
  if (missing >= 0) {
    const dayIdx = Math.floor(missing / 24);
    const month = DAYS_BEFORE_MONTH.findIndex((n) => n > dayIdx);
    throw new ProfileDataError(
      `${file}: no row for month ${month}, day ${dayIdx - DAYS_BEFORE_MONTH[month - 1] + 1}, hour ${(missing % 24) + 1}`,
    );
  }
  return ghi;
}

export function readTry(file: string): TryGhi {
  return parseTry(readText(file), file);
}

/**
 * Global horizontal irradiance at a unix instant from the TRY, W/m². Row HH is the mean of the hour
 * ending at HH in CET (UTC+1, all year), so it is centred at HH − 0.5 h CET = HH − 1.5 h UTC; between
 * centres the value is interpolated linearly. The TRY is a typical year: the instant's month and day are
 * looked up (29 February as 28 February), and the year wraps around.
 */
export function tryGhiAt(ghi: TryGhi, unixSeconds: number): number {
  const cet = unixSeconds + 3600;
  const dayNumber = Math.floor(cet / SECONDS_PER_DAY);
  const date = civilFromDays(dayNumber);
  const day = date.month === 2 && date.day === 29 ? 28 : date.day;
  const hours =
    (DAYS_BEFORE_MONTH[date.month - 1] + day - 1) * 24 + (cet - dayNumber * SECONDS_PER_DAY) / 3600;
  const x = hours - 0.5; // position in row indices: row k is centred at hour k + 0.5
  const k = Math.floor(x);
  const frac = x - k;
  const at = (i: number): number => ghi[((i % 8760) + 8760) % 8760];
  return at(k) * (1 - frac) + at(k + 1) * frac;
}

/** PV output per kWp from the TRY, Wh per slot (not rounded). */
export function tryPvWhPerKWp(ghi: TryGhi, grid: SlotGrid): number[] {
  return integrateSlots(grid, (t) => (tryGhiAt(ghi, t) / 1000) * PERFORMANCE_RATIO);
}

// ---------------------------------------------------------------- feeder CSV

export interface FeederRow {
  id: string;
  slotStartUnix: number;
  importWh: number;
  exportWh: number;
  /** 1-based line in the file. */
  line: number;
}

/** Splits one CSV line: fields separated by commas, optionally in double quotes ("" is a quote). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      out.push(field);
      field = "";
    } else field += ch;
  }
  if (quoted) throw new Error("unterminated quoted field");
  out.push(field);
  return out.map((f) => f.trim());
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** A slot start as unix seconds or ISO-8601 with an offset; a local time without offset is refused. */
export function parseSlotStart(value: string): number {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`slot start ${value} is too large`);
    return n;
  }
  if (ISO_LOCAL.test(value))
    throw new Error(`slot start "${value}" is a local time without offset (add Z or ±hh:mm)`);
  if (!ISO_WITH_OFFSET.test(value))
    throw new Error(`slot start "${value}" is neither unix seconds nor ISO-8601 with offset`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`slot start "${value}" is not a valid date`);
  if (ms % 1000 !== 0) throw new Error(`slot start "${value}" is not on a whole second`);
  return ms / 1000;
}

/** Reads a feeder-format CSV: header with `participant` or `meter`, `slotStart`, `importWh`, `exportWh`. */
export function parseFeederCsv(text: string, file = "feeder.csv"): FeederRow[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const headerIdx = lines.findIndex((l) => l.trim() !== "");
  if (headerIdx < 0) throw new ProfileDataError(`${file}: the file is empty`);
  const header = parseCsvLine(lines[headerIdx]).map((h) => h.toLowerCase());
  const find = (name: string): number => header.indexOf(name.toLowerCase());
  const idCol = find("participant") >= 0 ? find("participant") : find("meter");
  if (idCol < 0)
    throw new ProfileDataError(`${file}: line ${headerIdx + 1}: no column "participant" or "meter"`);
  const cols = ["slotStart", "importWh", "exportWh"].map((name) => {
    const i = find(name);
    if (i < 0) throw new ProfileDataError(`${file}: line ${headerIdx + 1}: no column "${name}"`);
    return i;
  });
  const rows: FeederRow[] = [];
  for (let i = headerIdx + 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const where = `${file}: line ${i + 1}`;
    let cells: string[];
    try {
      cells = parseCsvLine(lines[i]);
    } catch (e) {
      throw new ProfileDataError(`${where}: ${(e as Error).message}`);
    }
    if (cells.length !== header.length)
      throw new ProfileDataError(`${where}: expected ${header.length} fields, got ${cells.length}`);
    const id = cells[idCol];
    if (id === "") throw new ProfileDataError(`${where}: empty ${header[idCol]}`);
    let slotStartUnix: number;
    try {
      slotStartUnix = parseSlotStart(cells[cols[0]]);
    } catch (e) {
      throw new ProfileDataError(`${where}: ${(e as Error).message}`);
    }
    const [importWh, exportWh] = [cols[1], cols[2]].map((c) => {
      if (!/^\d+$/.test(cells[c]) || !Number.isSafeInteger(Number(cells[c])))
        throw new ProfileDataError(
          `${where}: ${header[c]} "${cells[c]}" is not a whole non-negative number of Wh`,
        );
      return Number(cells[c]);
    });
    rows.push({ id, slotStartUnix, importWh, exportWh, line: i + 1 });
  }
  return rows;
}

/**
 * Per-participant profiles from feeder rows inside the grid (rows outside it are ignored): loadWh is the
 * metered import and pvWh the metered export, i.e. net flows, with self-consumption already netted out.
 * Participants are ordered by id. Every participant seen in the window must have exactly one row per slot.
 */
export function feederProfiles(rows: FeederRow[], grid: SlotGrid, file = "feeder.csv"): HouseholdProfile[] {
  validateGrid(grid);
  const end = slotStart(grid, grid.slots);
  const byId = new Map<string, { profile: HouseholdProfile; seen: (number | undefined)[] }>();
  for (const r of rows) {
    if (r.slotStartUnix < grid.startUnix || r.slotStartUnix >= end) continue;
    const offset = r.slotStartUnix - grid.startUnix;
    if (offset % grid.slotSeconds !== 0)
      throw new ProfileDataError(
        `${file}: line ${r.line}: slot start ${r.slotStartUnix} is not on the ${grid.slotSeconds}-s slot grid`,
      );
    const slot = offset / grid.slotSeconds;
    let entry = byId.get(r.id);
    if (!entry) {
      entry = {
        profile: {
          loadWh: new Array(grid.slots).fill(0),
          pvWh: new Array(grid.slots).fill(0),
          sourceId: r.id,
        },
        seen: new Array(grid.slots).fill(undefined),
      };
      byId.set(r.id, entry);
    }
    const earlier = entry.seen[slot];
    if (earlier !== undefined)
      throw new ProfileDataError(
        `${file}: line ${r.line}: second row for ${r.id} in slot ${slot} (first on line ${earlier})`,
      );
    entry.seen[slot] = r.line;
    entry.profile.loadWh[slot] = r.importWh;
    entry.profile.pvWh[slot] = r.exportWh;
  }
  const ids = [...byId.keys()].sort();
  for (const id of ids) {
    const missing = byId.get(id)!.seen.findIndex((l) => l === undefined);
    if (missing >= 0)
      throw new ProfileDataError(
        `${file}: no row for ${id} in slot ${missing} (${new Date(slotStart(grid, missing) * 1000).toISOString()})`,
      );
  }
  return ids.map((id) => byId.get(id)!.profile);
}

// ---------------------------------------------------------------- sources

export type ProfileSource =
  | { kind: "generator"; site: Site }
  | { kind: "standard"; dir: string; h25: H25Table; ghi: TryGhi }
  | { kind: "feeder"; file: string; rows: FeederRow[] };

/**
 * Reads `--profiles <dir>`: BDEW + DWD when `dir/bdew/h25.csv` exists (then the TRY file is required),
 * otherwise exactly one `*.csv` in the feeder format (or `dir` may name that CSV file itself).
 */
export function loadProfileSource(dir: string): ProfileSource {
  if (!fs.existsSync(dir)) throw new ProfileDataError(`--profiles ${dir}: no such file or directory`);
  if (fs.statSync(dir).isFile())
    return { kind: "feeder", file: dir, rows: parseFeederCsv(readText(dir), dir) };
  const h25File = path.join(dir, H25_FILE);
  if (fs.existsSync(h25File)) {
    const tryFile = path.join(dir, TRY_FILE);
    if (!fs.existsSync(tryFile))
      throw new ProfileDataError(
        `${tryFile}: file not found (the BDEW load needs PV from the DWD test reference year)`,
      );
    return { kind: "standard", dir, h25: readH25(h25File), ghi: readTry(tryFile) };
  }
  const csvs = fs.readdirSync(dir).filter((f) => f.toLowerCase().endsWith(".csv"));
  if (csvs.length === 0)
    throw new ProfileDataError(
      `--profiles ${dir}: neither ${H25_FILE} (with ${TRY_FILE}) nor a feeder CSV found`,
    );
  if (csvs.length > 1)
    throw new ProfileDataError(
      `--profiles ${dir}: several CSV files (${csvs.sort().join(", ")}); keep exactly one feeder CSV`,
    );
  const file = path.join(dir, csvs[0]);
  return { kind: "feeder", file, rows: parseFeederCsv(readText(file), file) };
}

/**
 * One profile per household from a source. Generator and standard sources shape each household by its
 * spec and draw its load noise from `rng`. A feeder source assigns participants by id order: those with
 * any export in the window to the prosumer households in turn, the others to the consumer households;
 * the specs' kWp and annual load are then not used, and too few participants of a kind is an error.
 */
export function buildProfiles(
  source: ProfileSource,
  households: HouseholdSpec[],
  grid: SlotGrid,
  rng: Rng,
  options: ProfileOptions = {},
): HouseholdProfile[] {
  validateGrid(grid);
  checkHouseholds(households);
  if (source.kind === "generator") return generateProfiles(households, grid, source.site, rng, options);
  if (source.kind === "standard") {
    const sigma = options.loadNoiseSigma ?? DEFAULT_LOAD_NOISE_SIGMA;
    const pvPerKWp = tryPvWhPerKWp(source.ghi, grid);
    return households.map((h) => ({
      loadWh: applyLoadNoise(h25LoadWh(source.h25, h.annualLoadKWh, grid, h.peakShiftHours), rng, sigma),
      pvWh: pvPerKWp.map((wh) => Math.round(wh * h.pvKWp)),
    }));
  }
  const all = feederProfiles(source.rows, grid, source.file);
  const exporters = all.filter((p) => p.pvWh.some((v) => v > 0));
  const others = all.filter((p) => p.pvWh.every((v) => v === 0));
  const wantProsumers = households.filter((h) => h.kind === "prosumer").length;
  const wantConsumers = households.length - wantProsumers;
  if (exporters.length < wantProsumers || others.length < wantConsumers)
    throw new ProfileDataError(
      `${source.file}: ${exporters.length} participants export and ${others.length} do not in the simulated slots; ` +
        `the simulation needs ${wantProsumers} prosumers and ${wantConsumers} consumers`,
    );
  let p = 0;
  let c = 0;
  return households.map((h) => (h.kind === "prosumer" ? exporters[p++] : others[c++]));
}
