// Calendar arithmetic behind the profiles: civil dates, Easter, German legal time and BDEW day types.
import { expect } from "chai";
import fc from "fast-check";
import {
  bdewDayType,
  civilFromDays,
  dayOfYear,
  daysFromCivil,
  easterSunday,
  germanHolidays,
  germanUtcOffsetSeconds,
  weekday,
} from "../../scripts/sim/calendar";

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const unix = (iso: string): number => Date.parse(iso) / 1000;

describe("calendar", function () {
  describe("civilFromDays", function () {
    it("agrees with Date for any day between 1900 and 2200", function () {
      fc.assert(
        fc.property(fc.integer({ min: day("1900-01-01"), max: day("2200-12-31") }), (n) => {
          const d = new Date(n * 86_400_000);
          expect(civilFromDays(n)).to.deep.equal({
            year: d.getUTCFullYear(),
            month: d.getUTCMonth() + 1,
            day: d.getUTCDate(),
          });
          expect(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())).to.equal(n);
          expect(weekday(n)).to.equal(d.getUTCDay());
        }),
        { seed: 20260621, numRuns: 200 },
      );
    });

    it("counts the day of the year from 1 and reaches 366 in a leap year", function () {
      expect(dayOfYear({ year: 2026, month: 1, day: 1 })).to.equal(1);
      expect(dayOfYear({ year: 2026, month: 6, day: 21 })).to.equal(172);
      expect(dayOfYear({ year: 2024, month: 12, day: 31 })).to.equal(366);
    });
  });

  describe("easterSunday", function () {
    it("finds the known Easter Sundays", function () {
      expect(easterSunday(2024)).to.equal(day("2024-03-31"));
      expect(easterSunday(2025)).to.equal(day("2025-04-20"));
      expect(easterSunday(2026)).to.equal(day("2026-04-05"));
      expect(easterSunday(2038)).to.equal(day("2038-04-25"));
    });
  });

  describe("germanUtcOffsetSeconds", function () {
    it("switches to summer time at 01:00 UTC on the last Sunday of March and back in October", function () {
      expect(germanUtcOffsetSeconds(unix("2026-03-29T00:59:59Z"))).to.equal(3600);
      expect(germanUtcOffsetSeconds(unix("2026-03-29T01:00:00Z"))).to.equal(7200);
      expect(germanUtcOffsetSeconds(unix("2026-10-25T00:59:59Z"))).to.equal(7200);
      expect(germanUtcOffsetSeconds(unix("2026-10-25T01:00:00Z"))).to.equal(3600);
      expect(germanUtcOffsetSeconds(unix("2026-01-15T12:00:00Z"))).to.equal(3600);
    });
  });

  describe("bdewDayType", function () {
    it("makes Sundays and nationwide holidays FT, Saturdays and 24/31 December SA, other days WT", function () {
      expect(bdewDayType(day("2026-06-21"))).to.equal("FT"); // Sunday
      expect(bdewDayType(day("2026-06-20"))).to.equal("SA");
      expect(bdewDayType(day("2026-06-22"))).to.equal("WT");
      expect(bdewDayType(day("2026-05-14"))).to.equal("FT"); // Ascension, a Thursday
      expect(bdewDayType(day("2026-04-03"))).to.equal("FT"); // Good Friday
      expect(bdewDayType(day("2026-10-03"))).to.equal("FT"); // a Saturday holiday counts as holiday
      expect(bdewDayType(day("2026-12-24"))).to.equal("SA"); // a Thursday
      expect(bdewDayType(day("2026-12-31"))).to.equal("SA");
    });

    it("lists nine nationwide holidays a year", function () {
      expect(germanHolidays(2026).size).to.equal(9);
    });
  });
});
