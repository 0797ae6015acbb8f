// The feeder's CSV reader (scripts/feeder/csv.ts): every malformed kind reported with its line and
// column, while the good rows around it are kept.
import { expect } from "chai";
import {
  CsvHeaderError,
  formatRowError,
  parseInstantField,
  parseReadingsCsv,
  slotStartingAt,
  splitRecords,
  type SlotClock,
} from "../../scripts/feeder/csv";

// 2025-03-01T00:00:00Z, 15-minute slots.
const GENESIS = 1_740_787_200n;
const CLOCK: SlotClock = { genesis: GENESIS, slotLength: 900n };
const ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function csv(...lines: string[]): string {
  return lines.join("\n") + "\n";
}

describe("feeder CSV", function () {
  describe("parseReadingsCsv", function () {
    it("reads participant rows with ISO-8601 (any offset) and unix slot starts", function () {
      const parsed = parseReadingsCsv(
        csv(
          "participant,slotStart,importWh,exportWh",
          `${ALICE},2025-03-01T00:15:00Z,100,0`,
          `${BOB},2025-03-01T01:30:00+01:00,0,250`,
          `${ALICE.toLowerCase()},${GENESIS + 1800n},7,8`,
          `${BOB},2025-03-01T00:45:00.000-00:00,1,2`,
          `${BOB},2025-02-28T19:15-0500,3,4`,
        ),
        CLOCK,
      );
      expect(parsed.errors).to.deep.equal([]);
      expect(parsed.dataRows).to.equal(5);
      expect(parsed.readings).to.deep.equal([
        { line: 2, by: "participant", address: ALICE, slot: 1n, importWh: 100n, exportWh: 0n },
        { line: 3, by: "participant", address: BOB, slot: 2n, importWh: 0n, exportWh: 250n },
        { line: 4, by: "participant", address: ALICE, slot: 2n, importWh: 7n, exportWh: 8n },
        { line: 5, by: "participant", address: BOB, slot: 3n, importWh: 1n, exportWh: 2n },
        { line: 6, by: "participant", address: BOB, slot: 1n, importWh: 3n, exportWh: 4n },
      ]);
    });

    it("reads meter rows, columns in any order and case, extra columns, quotes, comments and CRLF", function () {
      const parsed = parseReadingsCsv(
        "\ufeff# exported by the head end\r\n" +
          "note,ExportWh,METER,importwh,slotstart\r\n" +
          "\r\n" +
          `"a, ""quoted""\nnote",5,${ALICE},6,2025-03-01T00:00:00Z\r\n` +
          `# skipped\r\n` +
          `x,"7",${BOB},8,${GENESIS}`,
        CLOCK,
      );
      expect(parsed.errors).to.deep.equal([]);
      expect(parsed.readings).to.deep.equal([
        { line: 4, by: "meter", address: ALICE, slot: 0n, importWh: 6n, exportWh: 5n },
        { line: 7, by: "meter", address: BOB, slot: 0n, importWh: 8n, exportWh: 7n },
      ]);
    });

    it("reports every malformed kind with line and column, and keeps the good rows", function () {
      const parsed = parseReadingsCsv(
        csv(
          "participant,slotStart,importWh,exportWh",
          `${ALICE},2025-03-01T00:15:00Z,100,0`, // 2 good
          `,2025-03-01T00:15:00Z,1,1`, // 3 empty address
          `0x1234,2025-03-01T00:15:00Z,1,1`, // 4 short address
          `0x70997970C51812DC3A010C7D01B50E0D17DC79c8,2025-03-01T00:15:00Z,1,1`, // 5 bad checksum
          `${ALICE},2025-03-01T00:15:00,1,1`, // 6 local time
          `${ALICE},2025-03-01,1,1`, // 7 date only
          `${ALICE},2025-02-30T00:15:00Z,1,1`, // 8 impossible date
          `${ALICE},2025-03-01T00:16:00Z,1,1`, // 9 not a slot start
          `${ALICE},2025-03-01T00:15:00.5Z,1,1`, // 10 fraction of a second
          `${ALICE},2025-02-28T23:45:00Z,1,1`, // 11 before genesis
          `${ALICE},yesterday,1,1`, // 12 not a time
          `${ALICE},${GENESIS}.5,1,1`, // 13 fractional unix
          `${ALICE},2025-03-01T00:15:00Z,,1`, // 14 empty import
          `${ALICE},2025-03-01T00:15:00Z,-5,1`, // 15 negative
          `${ALICE},2025-03-01T00:15:00Z,1.5,1`, // 16 decimal
          `${ALICE},2025-03-01T00:15:00Z,1,18446744073709551616`, // 17 above uint64
          `${ALICE},2025-03-01T00:15:00Z,1,1kWh`, // 18 unit suffix
          `${ALICE},2025-03-01T00:15:00Z,1`, // 19 too few fields
          `${ALICE},2025-03-01T00:15:00Z,1,1,1`, // 20 too many fields
          `0x12,2025-03-01T00:15:30Z,x,-1`, // 21 four bad fields
          `${BOB},2025-03-01T00:30:00Z,18446744073709551615,0`, // 22 good (uint64 max)
          `${ALICE},2025-03-01T25:00:00Z,1,1`, // 23 bad hour
          `${ALICE},2025-03-01T00:15:00+24:00,1,1`, // 24 bad offset
          `"${ALICE},2025-03-01T00:15:00Z,1,1`, // 25 unterminated quote (runs to the end)
        ),
        CLOCK,
      );
      expect(parsed.readings.map((r) => r.line)).to.deep.equal([2, 22]);
      expect(parsed.dataRows).to.equal(24);
      const where = parsed.errors.map((e) => `${e.line}:${e.column}`);
      expect(where).to.deep.equal([
        "3:participant",
        "4:participant",
        "5:participant",
        "6:slotStart",
        "7:slotStart",
        "8:slotStart",
        "9:slotStart",
        "10:slotStart",
        "11:slotStart",
        "12:slotStart",
        "13:slotStart",
        "14:importWh",
        "15:importWh",
        "16:importWh",
        "17:exportWh",
        "18:exportWh",
        "19:",
        "20:",
        "21:participant",
        "21:slotStart",
        "21:importWh",
        "21:exportWh",
        "23:slotStart",
        "24:slotStart",
        "25:",
      ]);
      const reason = (line: number, column: string) =>
        parsed.errors.find((e) => e.line === line && e.column === column)!.reason;
      expect(reason(3, "participant")).to.match(/is empty/);
      expect(reason(4, "participant")).to.match(/not an 0x address/);
      expect(reason(5, "participant")).to.match(/checksum/);
      expect(reason(6, "slotStart")).to.match(/local time without offset/);
      expect(reason(7, "slotStart")).to.match(/date without a time/);
      expect(reason(8, "slotStart")).to.match(/has day 30/);
      expect(reason(9, "slotStart")).to.match(/not a slot start .*slot 1 starts at 1740788100/);
      expect(reason(10, "slotStart")).to.match(/fraction of a second/);
      expect(reason(11, "slotStart")).to.match(/before the clock's genesis/);
      expect(reason(12, "slotStart")).to.match(/neither ISO-8601/);
      expect(reason(13, "slotStart")).to.match(/not whole unix seconds/);
      expect(reason(14, "importWh")).to.match(/is empty/);
      expect(reason(15, "importWh")).to.match(/negative/);
      expect(reason(16, "importWh")).to.match(/not a whole number/);
      expect(reason(17, "exportWh")).to.match(/exceeds the uint64 maximum/);
      expect(reason(18, "exportWh")).to.match(/not a whole number/);
      expect(reason(19, "")).to.equal("has 3 fields, the header has 4");
      expect(reason(20, "")).to.equal("has 5 fields, the header has 4");
      expect(reason(21, "slotStart")).to.match(/not a slot start/);
      expect(reason(23, "slotStart")).to.match(/not a valid time of day/);
      expect(reason(24, "slotStart")).to.match(/has offset \+24:00/);
      expect(reason(25, "")).to.match(/unterminated quoted field/);
    });

    it("formats an error as line, column and reason", function () {
      expect(formatRowError({ line: 7, column: "slotStart", reason: "is empty" })).to.equal(
        "line 7, column slotStart: is empty",
      );
      expect(formatRowError({ line: 9, column: "", reason: "has 3 fields" })).to.equal(
        "line 9: has 3 fields",
      );
    });

    it("refuses a header without an account column, with both, without a value column or repeated", function () {
      const row = `${ALICE},${GENESIS},1,1`;
      expect(() => parseReadingsCsv(csv("who,slotStart,importWh,exportWh", row), CLOCK)).to.throw(
        CsvHeaderError,
        "line 1: header: needs a participant or a meter column",
      );
      expect(() => parseReadingsCsv(csv("participant,meter,slotStart,importWh,exportWh"), CLOCK)).to.throw(
        CsvHeaderError,
        "both participant and meter",
      );
      expect(() => parseReadingsCsv(csv("# c", "participant,slotStart,importWh", row), CLOCK)).to.throw(
        CsvHeaderError,
        "line 2: header: needs a exportWh column",
      );
      expect(() => parseReadingsCsv(csv("participant,slotStart,importWh,exportWh,importWh"), CLOCK)).to.throw(
        CsvHeaderError,
        "column importWh appears twice",
      );
      expect(() => parseReadingsCsv("\n# only a comment\n", CLOCK)).to.throw(CsvHeaderError, "empty");
    });

    it("reads a header alone as no rows", function () {
      expect(parseReadingsCsv("participant,slotStart,importWh,exportWh", CLOCK)).to.deep.equal({
        readings: [],
        errors: [],
        dataRows: 0,
      });
    });
  });

  describe("parseInstantField", function () {
    it("agrees with Date.parse on offsets of both signs and all three spellings", function () {
      for (const text of [
        "2025-06-30T23:45:00+02:00",
        "2025-06-30T23:45:00-0930",
        "2024-02-29T12:00:00+05",
        "2025-12-31T23:59:59Z",
      ]) {
        const expected = Date.parse(
          text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2").replace(/([+-]\d{2})$/, "$1:00"),
        );
        expect(parseInstantField(text)).to.deep.equal({ unix: BigInt(expected / 1000) }, text);
      }
    });

    it("refuses 29 February outside a leap year and negative unix seconds", function () {
      expect(parseInstantField("2025-02-29T00:00:00Z"))
        .to.have.property("reason")
        .match(/has day 29/);
      expect(parseInstantField("-900"))
        .to.have.property("reason")
        .match(/before 1970/);
    });
  });

  describe("slotStartingAt", function () {
    it("maps each slot start to its slot and refuses the second after it", function () {
      expect(slotStartingAt(GENESIS, CLOCK)).to.deep.equal({ slot: 0n });
      expect(slotStartingAt(GENESIS + 900n * 96n, CLOCK)).to.deep.equal({ slot: 96n });
      expect(slotStartingAt(GENESIS + 900n * 96n + 1n, CLOCK)).to.have.property("reason");
    });
  });

  describe("splitRecords", function () {
    it("keeps the starting line of a record with a quoted newline and counts lines after it", function () {
      expect(splitRecords('a,"b\nc"\nd,e\n')).to.deep.equal([
        { line: 1, fields: ["a", "b\nc"], problem: undefined },
        { line: 3, fields: ["d", "e"], problem: undefined },
      ]);
    });

    it("flags text after a closing quote", function () {
      expect(splitRecords('"a"b,c')[0].problem).to.match(/text after the closing quote of field 1/);
    });
  });
});
