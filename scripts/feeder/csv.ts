/**
 * Meter-reading CSV: parsing and validation, no dependency (SPEC §11).
 *
 * Format. The first line that is neither blank nor a `#` comment is the header; it names the columns
 * (any order, case-insensitive; unknown columns are ignored):
 * - `participant` (the participant's address) **or** `meter` (its meter key's address) — exactly one;
 * - `slotStart` — the start of the reading's slot: ISO-8601 with a UTC offset (`2025-03-01T12:15:00Z`,
 *   `2025-03-01T13:15:00+01:00`) or unix seconds (`1740831300`). A local time without offset is refused:
 *   it names no instant. It must be exactly the start of a slot of the registry's clock;
 * - `importWh`, `exportWh` — whole watt-hours, 0 … 2^64 − 1.
 * Fields may be quoted (`"…"`, with `""` for a quote). Blank lines and lines starting with `#` are skipped.
 *
 * Every problem is reported with its line (1-based, in the file), column (by header name) and reason; a
 * row with several bad fields gets one error per field. Good rows are returned whatever the bad ones.
 */
import { getAddress } from "ethers";

/** The registry's slot clock: slot `s` starts at `genesis + s · slotLength` (unix seconds). */
export interface SlotClock {
  genesis: bigint;
  slotLength: bigint;
}

/** A well-formed row. `address` is checksummed; `by` says whether it names the participant or its meter. */
export interface CsvReading {
  line: number;
  by: "participant" | "meter";
  address: string;
  slot: bigint;
  importWh: bigint;
  exportWh: bigint;
}

/** One problem of one row (or of the header, or of the file when `column` is empty). */
export interface RowError {
  line: number;
  column: string;
  reason: string;
}

export interface ParsedCsv {
  readings: CsvReading[];
  errors: RowError[];
  /** Data rows seen (good and bad, blank and comment lines excluded). */
  dataRows: number;
}

/** The header is unusable, so no row can be read: a fatal error, unlike a {@link RowError}. */
export class CsvHeaderError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: header: ${problem}`);
    this.name = "CsvHeaderError";
  }
}

export const UINT64_MAX = 2n ** 64n - 1n;
const COLUMNS = ["participant", "meter", "slotStart", "importWh", "exportWh"] as const;
type Column = (typeof COLUMNS)[number];

/** Formats an error the way the feeder prints it: `line 7, column slotStart: reason`. */
export function formatRowError(error: RowError): string {
  return error.column === ""
    ? `line ${error.line}: ${error.reason}`
    : `line ${error.line}, column ${error.column}: ${error.reason}`;
}

/** A physical record of the file: its fields and the line it starts on. */
interface Record {
  line: number;
  fields: string[];
  /** Set when the record could not be split (an unterminated quote). */
  problem?: string;
}

/**
 * Splits CSV text into records of fields. A quoted field may hold commas, `""` and newlines (the record
 * then keeps the line it started on). Accepts `\n` and `\r\n` line ends and a leading byte-order mark.
 */
export function splitRecords(text: string): Record[] {
  const records: Record[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let field = "";
    let problem: string | undefined;
    let quotedField = false;
    for (;;) {
      if (i >= text.length) {
        fields.push(field);
        break;
      }
      const c = text[i];
      if (c === '"' && field === "" && !quotedField) {
        // A quoted field: read to the closing quote.
        quotedField = true;
        i++;
        let closed = false;
        while (i < text.length) {
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (text[i] === "\n") line++;
          field += text[i++];
        }
        if (!closed) {
          problem = `unterminated quoted field`;
          fields.push(field);
          break;
        }
        if (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          problem = `text after the closing quote of field ${fields.length + 1}`;
        }
        continue;
      }
      if (c === ",") {
        fields.push(field);
        field = "";
        quotedField = false;
        i++;
        continue;
      }
      if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
        fields.push(field);
        i += c === "\r" ? 2 : 1;
        line++;
        break;
      }
      if (!quotedField) field += c;
      i++;
    }
    records.push({ line: start, fields, problem });
  }
  return records;
}

function isSkippable(record: Record): boolean {
  if (record.problem !== undefined) return false;
  if (record.fields.length === 1 && record.fields[0].trim() === "") return true;
  return record.fields[0].trimStart().startsWith("#");
}

// ------------------------------------------------------------------------------------------- fields

/** An address: 0x + 40 hex digits; mixed case must carry a valid EIP-55 checksum. */
export function parseAddressField(value: string): { address: string } | { reason: string } {
  if (value === "") return { reason: "is empty (an 0x address)" };
  if (!/^0x[0-9a-fA-F]{40}$/.test(value))
    return { reason: `"${value}" is not an 0x address of 40 hex digits` };
  try {
    return { address: getAddress(value) };
  } catch {
    return { reason: `"${value}" has a bad EIP-55 checksum (mixed case that is not the checksum)` };
  }
}

/** Whole watt-hours within uint64. */
export function parseWhField(value: string): { wh: bigint } | { reason: string } {
  if (value === "") return { reason: "is empty (whole watt-hours)" };
  if (/^-\d+$/.test(value)) return { reason: `${value} is negative` };
  if (/^\d+\.\d*$/.test(value)) return { reason: `${value} is not a whole number of watt-hours` };
  if (!/^\d+$/.test(value)) return { reason: `"${value}" is not a whole number of watt-hours` };
  const wh = BigInt(value);
  if (wh > UINT64_MAX) return { reason: `${value} exceeds the uint64 maximum ${UINT64_MAX}` };
  return { wh };
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A slot start as unix seconds: ISO-8601 date-time with offset (`Z`, `±hh`, `±hhmm`, `±hh:mm`) or unix
 * seconds. Refuses local times (no offset), dates without a time, impossible dates and fractions of a
 * second that are not zero.
 */
export function parseInstantField(value: string): { unix: bigint } | { reason: string } {
  if (value === "") return { reason: "is empty (ISO-8601 with offset, or unix seconds)" };
  if (/^\d+$/.test(value)) return { unix: BigInt(value) };
  if (/^-\d+$/.test(value)) return { reason: `${value} is before 1970 (negative unix seconds)` };
  if (/^\d+\.\d*$/.test(value)) return { reason: `${value} is not whole unix seconds` };
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return { reason: `"${value}" is a date without a time and offset` };
  const m = ISO_DATE_TIME.exec(value);
  if (!m) {
    return {
      reason: `"${value}" is neither ISO-8601 (such as 2025-03-01T12:15:00Z) nor whole unix seconds`,
    };
  }
  const [, y, mo, d, h, mi, s, fraction, offset] = m;
  if (offset === undefined) {
    return {
      reason: `"${value}" is a local time without offset: add Z or ±hh:mm (it names no instant otherwise)`,
    };
  }
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12) return { reason: `"${value}" has month ${mo}` };
  if (day < 1 || day > daysInMonth(year, month)) return { reason: `"${value}" has day ${d} in ${y}-${mo}` };
  if (hour > 23 || minute > 59 || second > 59) return { reason: `"${value}" is not a valid time of day` };
  if (fraction !== undefined && !/^0+$/.test(fraction)) {
    return { reason: `"${value}" has a fraction of a second (a slot starts on a whole second)` };
  }
  let offsetSeconds = 0;
  if (offset !== "Z") {
    const digits = offset.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return { reason: `"${value}" has offset ${offset}` };
    offsetSeconds = (offset[0] === "+" ? 1 : -1) * (oh * 3600 + om * 60);
  }
  const utcSeconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetSeconds;
  if (utcSeconds < 0) return { reason: `"${value}" is before 1970` };
  return { unix: BigInt(utcSeconds) };
}

/** The slot that starts exactly at `unix`, or why there is none. */
export function slotStartingAt(unix: bigint, clock: SlotClock): { slot: bigint } | { reason: string } {
  if (unix < clock.genesis) return { reason: `${unix} is before the clock's genesis ${clock.genesis}` };
  const offset = unix - clock.genesis;
  if (offset % clock.slotLength !== 0n) {
    const slot = offset / clock.slotLength;
    return {
      reason:
        `${unix} is not a slot start (slots are ${clock.slotLength} s from genesis ${clock.genesis}; ` +
        `slot ${slot} starts at ${clock.genesis + slot * clock.slotLength})`,
    };
  }
  const slot = offset / clock.slotLength;
  if (slot > UINT64_MAX) return { reason: `slot ${slot} exceeds uint64` };
  return { slot };
}

// ------------------------------------------------------------------------------------------- file

function readHeader(record: Record): Map<Column, number> {
  if (record.problem !== undefined) throw new CsvHeaderError(record.line, record.problem);
  const byName = new Map<string, Column>(COLUMNS.map((c) => [c.toLowerCase(), c]));
  const columns = new Map<Column, number>();
  record.fields.forEach((raw, index) => {
    const column = byName.get(raw.trim().toLowerCase());
    if (column === undefined) return;
    if (columns.has(column)) throw new CsvHeaderError(record.line, `column ${column} appears twice`);
    columns.set(column, index);
  });
  const hasParticipant = columns.has("participant");
  if (hasParticipant === columns.has("meter")) {
    throw new CsvHeaderError(
      record.line,
      hasParticipant
        ? "has both participant and meter columns; give exactly one"
        : "needs a participant or a meter column",
    );
  }
  for (const column of ["slotStart", "importWh", "exportWh"] as const) {
    if (!columns.has(column)) throw new CsvHeaderError(record.line, `needs a ${column} column`);
  }
  return columns;
}

/**
 * Parses and validates readings CSV `text` against the slot clock. Throws {@link CsvHeaderError} if there
 * is no usable header; every row-level problem lands in `errors` and the good rows in `readings`.
 */
export function parseReadingsCsv(text: string, clock: SlotClock): ParsedCsv {
  if (clock.slotLength <= 0n) throw new Error("slot clock: slotLength must be positive");
  const records = splitRecords(text).filter((r) => !isSkippable(r));
  if (records.length === 0) throw new CsvHeaderError(1, "the file is empty (no header line)");
  const [header, ...rows] = records;
  const columns = readHeader(header);
  const by: CsvReading["by"] = columns.has("participant") ? "participant" : "meter";
  const width = header.fields.length;
  const readings: CsvReading[] = [];
  const errors: RowError[] = [];

  for (const record of rows) {
    if (record.problem !== undefined) {
      errors.push({ line: record.line, column: "", reason: record.problem });
      continue;
    }
    if (record.fields.length !== width) {
      errors.push({
        line: record.line,
        column: "",
        reason: `has ${record.fields.length} fields, the header has ${width}`,
      });
      continue;
    }
    const field = (column: Column) => record.fields[columns.get(column)!].trim();
    const before = errors.length;
    const fail = (column: Column, reason: string) => errors.push({ line: record.line, column, reason });

    const address = parseAddressField(field(by));
    if ("reason" in address) fail(by, address.reason);
    let slot: bigint | undefined;
    const instant = parseInstantField(field("slotStart"));
    if ("reason" in instant) fail("slotStart", instant.reason);
    else {
      const found = slotStartingAt(instant.unix, clock);
      if ("reason" in found) fail("slotStart", found.reason);
      else slot = found.slot;
    }
    const importWh = parseWhField(field("importWh"));
    if ("reason" in importWh) fail("importWh", importWh.reason);
    const exportWh = parseWhField(field("exportWh"));
    if ("reason" in exportWh) fail("exportWh", exportWh.reason);

    if (errors.length === before && "address" in address && "wh" in importWh && "wh" in exportWh) {
      readings.push({
        line: record.line,
        by,
        address: address.address,
        slot: slot!,
        importWh: importWh.wh,
        exportWh: exportWh.wh,
      });
    }
  }
  return { readings, errors, dataRows: rows.length };
}
