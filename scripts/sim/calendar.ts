/**
 * Calendar arithmetic for the profiles, on whole days since 1970-01-01 (UTC day numbers), without Date
 * objects in the inner loops: civil dates, day of year, German legal time (CET/CEST) and the BDEW day
 * types (workday, Saturday, Sunday/holiday).
 */

export const SECONDS_PER_DAY = 86_400;

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

/** The civil date of a day number (H. Hinnant's days-to-civil algorithm, proleptic Gregorian). */
export function civilFromDays(dayNumber: number): CivilDate {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The day number of a civil date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / 1000 / SECONDS_PER_DAY);
}

/** 1 for 1 January, up to 366. */
export function dayOfYear(date: CivilDate): number {
  return daysFromCivil(date.year, date.month, date.day) - daysFromCivil(date.year, 1, 1) + 1;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekday(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The day number of Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(year, month, day);
}

function lastSundayOf(year: number, month: number): number {
  const last = daysFromCivil(year, month + 1, 0); // day 0 of the next month = last day of this one
  return last - weekday(last);
}

/**
 * German legal time's offset from UTC in seconds at a unix instant: CEST (+2 h) from the last Sunday of
 * March 01:00 UTC to the last Sunday of October 01:00 UTC (EU rule since 1996), CET (+1 h) otherwise.
 */
export function germanUtcOffsetSeconds(unixSeconds: number): number {
  const { year } = civilFromDays(Math.floor(unixSeconds / SECONDS_PER_DAY));
  const summerStart = lastSundayOf(year, 3) * SECONDS_PER_DAY + 3600;
  const summerEnd = lastSundayOf(year, 10) * SECONDS_PER_DAY + 3600;
  return unixSeconds >= summerStart && unixSeconds < summerEnd ? 7200 : 3600;
}

/** The German nationwide public holidays of a year, as day numbers. */
export function germanHolidays(year: number): Set<number> {
  const easter = easterSunday(year);
  return new Set([
    daysFromCivil(year, 1, 1), // Neujahr
    easter - 2, // Karfreitag
    easter + 1, // Ostermontag
    daysFromCivil(year, 5, 1), // Tag der Arbeit
    easter + 39, // Christi Himmelfahrt
    easter + 50, // Pfingstmontag
    daysFromCivil(year, 10, 3), // Tag der Deutschen Einheit
    daysFromCivil(year, 12, 25),
    daysFromCivil(year, 12, 26),
  ]);
}

/** BDEW day types: SA Saturday, FT Sunday or holiday ("Feiertag"), WT workday ("Werktag"). */
export type BdewDayType = "SA" | "FT" | "WT";

/**
 * The BDEW day type of a local day: Sundays and the nationwide holidays are FT; Saturdays, and
 * 24 and 31 December when they are not Sundays or holidays, are SA (the BDEW rule); every other day is WT.
 */
export function bdewDayType(dayNumber: number): BdewDayType {
  const date = civilFromDays(dayNumber);
  const wd = weekday(dayNumber);
  if (wd === 0 || germanHolidays(date.year).has(dayNumber)) return "FT";
  if (wd === 6 || (date.month === 12 && (date.day === 24 || date.day === 31))) return "SA";
  return "WT";
}
