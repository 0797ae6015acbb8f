/**
 * Command-line flags of the day simulation. Plain TypeScript, no dependency: `--flag value` or
 * `--flag=value`; every bad flag is a `CliError` that names the flag, says what it expected and, for an
 * unknown flag, suggests the nearest known one. Defaults follow thesis Table 4.3.
 */
import fs from "node:fs";
import type { SlotGrid } from "./profiles";
import type { SimulationParameters } from "../report/writer";

export interface SimOptions {
  prosumers: number;
  consumers: number;
  malicious: number;
  microgrids: number;
  validators: number;
  dishonestValidators: number;
  slots: number;
  /** Fixed at the suite's default slot length (SPEC §2); not a flag. */
  slotSeconds: number;
  seed: number;
  siteLatDeg: number;
  siteLonDeg: number;
  /** Simulated day, YYYY-MM-DD; slot 0 starts at 00:00 UTC of it. */
  date: string;
  /** `--profiles <dir>`; undefined means the built-in generator. */
  profilesDir: string | undefined;
  /** Reports go to `<out>/<run-id>/`. */
  outDir: string;
}

export type ParseOutcome = { help: true } | { help: false; options: SimOptions };

/** A bad command line; the message is meant for the user as it is. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

export const DEFAULT_OPTIONS: SimOptions = {
  prosumers: 50,
  consumers: 50,
  malicious: 30,
  microgrids: 3,
  validators: 20,
  dishonestValidators: 3,
  slots: 96,
  slotSeconds: 900,
  seed: 1,
  siteLatDeg: 52.4,
  siteLonDeg: 13.1,
  date: "2026-06-21",
  profilesDir: undefined,
  outDir: "reports",
};

const MAX_TRADERS = 10_000;
const MAX_SLOTS = 7 * 96;

interface FlagSpec {
  key: keyof SimOptions;
  kind: "int" | "number" | "date" | "path";
  min?: number;
  max?: number;
  help: string;
}

const FLAGS: Record<string, FlagSpec> = {
  prosumers: { key: "prosumers", kind: "int", min: 0, max: MAX_TRADERS, help: "traders with PV" },
  consumers: { key: "consumers", kind: "int", min: 0, max: MAX_TRADERS, help: "traders without PV" },
  malicious: {
    key: "malicious",
    kind: "int",
    min: 0,
    max: MAX_TRADERS,
    help: "traders who do not keep their trades (≤ traders)",
  },
  microgrids: {
    key: "microgrids",
    kind: "int",
    min: 1,
    max: 255,
    help: "microgrids the traders are spread over (≤ traders)",
  },
  validators: { key: "validators", kind: "int", min: 1, max: 1000, help: "validators (agreement layer)" },
  "dishonest-validators": {
    key: "dishonestValidators",
    kind: "int",
    min: 0,
    max: 1000,
    help: "validators that misbehave (≤ validators)",
  },
  slots: {
    key: "slots",
    kind: "int",
    min: 1,
    max: MAX_SLOTS,
    help: "15-minute slots to simulate (96 = one day)",
  },
  seed: {
    key: "seed",
    kind: "int",
    min: 0,
    max: 2 ** 32 - 1,
    help: "seed of every random choice; same seed, same run",
  },
  "site-lat": { key: "siteLatDeg", kind: "number", min: -90, max: 90, help: "site latitude, degrees north" },
  "site-lon": {
    key: "siteLonDeg",
    kind: "number",
    min: -180,
    max: 180,
    help: "site longitude, degrees east",
  },
  date: { key: "date", kind: "date", help: "simulated day, YYYY-MM-DD (slot 0 starts at 00:00 UTC)" },
  profiles: {
    key: "profilesDir",
    kind: "path",
    help: "real profiles: BDEW+DWD directory (e.g. ../shared/data) or feeder CSV",
  },
  out: { key: "outDir", kind: "path", help: "report directory; the run goes to <out>/<run-id>/" },
};

export const HELP_TEXT = `Usage: npm run simulate -- [flags]

Simulates a day of the GridTrust market on a local chain and writes a report to <out>/<run-id>/.

Flags (default in brackets):
${Object.entries(FLAGS)
  .map(([name, spec]) => {
    const def = DEFAULT_OPTIONS[spec.key];
    const value = spec.kind === "path" ? "<dir>" : spec.kind === "date" ? "<YYYY-MM-DD>" : "<n>";
    return `  --${`${name} ${value}`.padEnd(30)}${spec.help}${def === undefined ? " [built-in generator]" : ` [${def}]`}`;
  })
  .join("\n")}
  --help                          this text

Without --profiles, household profiles come from the built-in generator (clear-sky PV, synthetic load).
`;

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function suggestion(name: string): string {
  const best = Object.keys(FLAGS)
    .map((f) => ({ f, d: distance(name, f) }))
    .sort((x, y) => x.d - y.d)[0];
  return best.d <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean --${best.f}?)` : "";
}

function parseValue(name: string, spec: FlagSpec, raw: string): number | string {
  const flag = `--${name}`;
  if (spec.kind === "int") {
    if (!/^\d+$/.test(raw)) throw new CliError(`${flag}: "${raw}" is not a whole non-negative number`);
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < spec.min! || n > spec.max!)
      throw new CliError(`${flag}: ${raw} is out of range ${spec.min}..${spec.max}`);
    return n;
  }
  if (spec.kind === "number") {
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(raw)) throw new CliError(`${flag}: "${raw}" is not a number`);
    const n = Number(raw);
    if (n < spec.min! || n > spec.max!)
      throw new CliError(`${flag}: ${raw} is out of range ${spec.min}..${spec.max}`);
    return n;
  }
  if (spec.kind === "date") {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
    if (!m) throw new CliError(`${flag}: "${raw}" is not a date YYYY-MM-DD`);
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
      throw new CliError(`${flag}: ${raw} is not a calendar date`);
    if (y < 1970 || y > 2100) throw new CliError(`${flag}: year ${y} is out of range 1970..2100`);
    return raw;
  }
  if (raw.trim() === "") throw new CliError(`${flag}: needs a non-empty path`);
  return raw;
}

/**
 * Parses the simulation's arguments (without `node` and the script). Throws `CliError` for an unknown or
 * repeated flag, a missing or malformed value, a value out of range, or flags that contradict each other.
 */
export function parseSimArgs(
  argv: readonly string[],
  pathExists: (p: string) => boolean = fs.existsSync,
): ParseOutcome {
  const options: SimOptions = { ...DEFAULT_OPTIONS };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") return { help: true };
    if (!arg.startsWith("--"))
      throw new CliError(`unexpected argument "${arg}" (flags start with --; see --help)`);
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = FLAGS[name];
    if (!spec) throw new CliError(`unknown flag --${name}${suggestion(name)}; see --help`);
    if (seen.has(name)) throw new CliError(`--${name} is given twice`);
    seen.add(name);
    let raw: string;
    if (eq >= 0) raw = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new CliError(`--${name} needs a value`);
      raw = next;
      i++;
    }
    (options as unknown as Record<string, number | string>)[spec.key] = parseValue(name, spec, raw);
  }
  checkTogether(options, pathExists);
  return { help: false, options };
}

function checkTogether(o: SimOptions, pathExists: (p: string) => boolean): void {
  const traders = o.prosumers + o.consumers;
  if (o.prosumers < 1) throw new CliError("--prosumers: at least one prosumer is needed, or nobody can sell");
  if (traders < 2)
    throw new CliError(`--prosumers + --consumers: a market needs at least 2 traders, got ${traders}`);
  if (traders > MAX_TRADERS)
    throw new CliError(`--prosumers + --consumers: ${traders} traders exceed ${MAX_TRADERS}`);
  if (o.malicious > traders)
    throw new CliError(
      `--malicious: ${o.malicious} exceeds the ${traders} traders (--prosumers + --consumers)`,
    );
  if (o.microgrids > traders)
    throw new CliError(
      `--microgrids: ${o.microgrids} microgrids for ${traders} traders leaves a microgrid empty`,
    );
  if (o.dishonestValidators > o.validators)
    throw new CliError(
      `--dishonest-validators: ${o.dishonestValidators} exceeds the ${o.validators} validators`,
    );
  if (o.profilesDir !== undefined && !pathExists(o.profilesDir))
    throw new CliError(`--profiles: ${o.profilesDir} does not exist`);
}

/** Slot 0 at 00:00 UTC of the date. */
export function slotGrid(o: SimOptions): SlotGrid {
  const [y, m, d] = o.date.split("-").map(Number);
  return { startUnix: Date.UTC(y, m - 1, d) / 1000, slotSeconds: o.slotSeconds, slots: o.slots };
}

/** The options as the report writer records them. */
export function simulationParameters(o: SimOptions): SimulationParameters {
  return {
    prosumers: o.prosumers,
    consumers: o.consumers,
    malicious: o.malicious,
    microgrids: o.microgrids,
    validators: o.validators,
    dishonestValidators: o.dishonestValidators,
    slots: o.slots,
    slotSeconds: o.slotSeconds,
    seed: o.seed,
    date: o.date,
    siteLatDeg: o.siteLatDeg,
    siteLonDeg: o.siteLonDeg,
    profiles: o.profilesDir ?? "built-in generator",
  };
}
