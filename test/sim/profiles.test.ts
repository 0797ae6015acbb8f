// Household profiles (scripts/sim/profiles.ts): sun position and clear-sky PV, the synthetic load,
// the BDEW/DWD and feeder-CSV loaders with their errors, and checks against the real files in
// ../shared/data that skip when the directory is absent.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Rng } from "../../scripts/sim/rng";
import {
  BDEW_ANNUAL_KWH,
  H25_FILE,
  TRY_FILE,
  ProfileDataError,
  buildProfiles,
  clearSkyPvWhPerKWp,
  drawHouseholds,
  dynamisationFactor,
  feederProfiles,
  generateProfiles,
  h25LoadWh,
  haurwitzGhi,
  loadProfileSource,
  parseCsvLine,
  parseFeederCsv,
  parseH25,
  parseSlotStart,
  parseTry,
  readH25,
  readTry,
  solarPosition,
  tryGhiAt,
  tryPvWhPerKWp,
  type H25Table,
  type HouseholdSpec,
  type SlotGrid,
} from "../../scripts/sim/profiles";

const POTSDAM = { latitudeDeg: 52.4, longitudeDeg: 13.1 };
const unix = (iso: string): number => Date.parse(iso) / 1000;
const dayGrid = (iso: string, slotSeconds = 900): SlotGrid => ({
  startUnix: unix(`${iso}T00:00:00Z`),
  slotSeconds,
  slots: 86_400 / slotSeconds,
});
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
// The project reads the data as ../shared/data; a worktree sits one level deeper. GRIDTRUST_DATA overrides.
const DATA_DIR =
  process.env.GRIDTRUST_DATA ??
  [path.resolve(__dirname, "../../../shared/data"), path.resolve(__dirname, "../../../../shared/data")].find(
    (dir) => fs.existsSync(dir),
  ) ??
  "../shared/data";
const consumer = (annualLoadKWh: number): HouseholdSpec => ({
  kind: "consumer",
  annualLoadKWh,
  pvKWp: 0,
  peakShiftHours: 0,
});

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "simkit-profiles-"));
  tempDirs.push(dir);
  return dir;
}
after(function () {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A synthetic H25 text whose every value is `value(month, type, quarter)`. */
function h25Text(value: (month: number, type: string, quarter: number) => number): string {
  const months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September"];
  const allMonths = [...months, "Oktober", "November", "Dezember"];
  const types = ["SA", "FT", "WT"];
  const row1 = ["", ...allMonths.flatMap((m) => [m, m, m])].join(",");
  const row2 = ["[kWh]", ...allMonths.flatMap(() => types)].join(",");
  const rows = Array.from({ length: 96 }, (_, q) => {
    const label = `${String(Math.floor(q / 4)).padStart(2, "0")}:${String((q % 4) * 15).padStart(2, "0")}-x`;
    return [label, ...allMonths.flatMap((_, m) => types.map((t) => value(m, t, q).toFixed(3)))].join(",");
  });
  return [row1, row2, ...rows].join("\n") + "\n";
}

/** A synthetic TRY text with the real header layout and GHI split evenly into B and D. */
function tryText(ghiOf: (index: number) => number, rows = 8760): string {
  const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const lines = ["TRY04 synthetic", "", "RG IS MM DD HH N WR WG t p x RF W B D IK A E IL", "***"];
  let index = 0;
  for (let m = 1; m <= 12; m++)
    for (let d = 1; d <= daysInMonth[m - 1]; d++)
      for (let h = 1; h <= 24; h++, index++) {
        if (index >= rows) continue;
        const g = ghiOf(index);
        lines.push(` 4 1 ${m} ${d} ${h} 7 230 5.7 -2.6 1005.3 2.2 93 70 ${g / 2} ${g / 2} 1 251 -285 9`);
      }
  return lines.join("\n") + "\n";
}

describe("profiles", function () {
  describe("solarPosition", function () {
    it("puts the sun 61° high at 11:09 UTC over Potsdam on the June solstice", function () {
      let best = { elevation: -90, t: 0 };
      const start = unix("2026-06-21T00:00:00Z");
      for (let t = start; t < start + 86_400; t += 60) {
        const e = solarPosition(t, POTSDAM).elevationDeg;
        if (e > best.elevation) best = { elevation: e, t };
      }
      expect(best.elevation).to.be.closeTo(90 - 52.4 + 23.44, 0.3);
      expect(best.t).to.be.closeTo(unix("2026-06-21T11:09:00Z"), 180);
    });

    it("has zero declination at the March equinox and the equation of time near +16.4 min in early November", function () {
      const equinox = solarPosition(unix("2026-03-20T14:46:00Z"), POTSDAM);
      expect((equinox.declinationRad * 180) / Math.PI).to.be.closeTo(0, 0.5);
      expect(solarPosition(unix("2026-11-03T12:00:00Z"), POTSDAM).equationOfTimeMin).to.be.closeTo(16.4, 0.6);
    });

    it("puts the sun below the horizon at midnight", function () {
      expect(solarPosition(unix("2026-06-21T23:00:00Z"), POTSDAM).elevationDeg).to.be.below(0);
    });
  });

  describe("haurwitzGhi", function () {
    it("is zero at night and 1098·e^−0.057 with the sun at the zenith", function () {
      expect(haurwitzGhi(0)).to.equal(0);
      expect(haurwitzGhi(-0.3)).to.equal(0);
      expect(haurwitzGhi(1)).to.be.closeTo(1098 * Math.exp(-0.057), 1e-9);
    });
  });

  describe("clearSkyPvWhPerKWp", function () {
    it("yields about 7 kWh per kWp over a clear solstice day, in daylight slots only", function () {
      const pv = clearSkyPvWhPerKWp(dayGrid("2026-06-21"), POTSDAM);
      expect(pv).to.have.length(96);
      expect(sum(pv) / 1000).to.be.within(6.5, 8);
      const lit = pv.filter((wh) => wh > 0).length;
      expect(lit).to.be.within(64, 70); // about 16.5 h of daylight at 52.4° N
      expect(pv[0]).to.equal(0); // 00:00 UTC
      expect(pv[95]).to.equal(0);
    });

    it("yields far less on the December solstice", function () {
      const june = sum(clearSkyPvWhPerKWp(dayGrid("2026-06-21"), POTSDAM));
      const december = sum(clearSkyPvWhPerKWp(dayGrid("2026-12-21"), POTSDAM));
      expect(december).to.be.below(june / 4);
    });
  });

  describe("dynamisationFactor", function () {
    it("follows the BDEW polynomial: higher in winter than in summer", function () {
      expect(dynamisationFactor(1)).to.be.closeTo(1.24 + 2.1e-3 - 7.02e-5 + 3.2e-7 - 3.92e-10, 1e-12);
      expect(dynamisationFactor(172)).to.be.below(dynamisationFactor(1));
    });
  });

  describe("drawHouseholds", function () {
    it("draws prosumers first with 3–10 kWp, consumers with none, and 2 500–5 000 kWh loads", function () {
      const hh = drawHouseholds(new Rng(1), 30, 20);
      expect(hh).to.have.length(50);
      hh.forEach((h, i) => {
        expect(h.kind).to.equal(i < 30 ? "prosumer" : "consumer");
        if (i < 30) expect(h.pvKWp).to.be.within(3, 10);
        else expect(h.pvKWp).to.equal(0);
        expect(h.annualLoadKWh).to.be.within(2500, 5000);
        expect(h.peakShiftHours).to.be.within(-0.5, 0.5);
      });
      expect(drawHouseholds(new Rng(1), 30, 20)).to.deep.equal(hh);
    });
  });

  describe("generateProfiles", function () {
    const grid = dayGrid("2026-06-21");

    it("is deterministic for a seed and differs for another seed", function () {
      const hh = drawHouseholds(new Rng(1), 2, 2);
      const a = generateProfiles(hh, grid, POTSDAM, new Rng(5));
      expect(generateProfiles(hh, grid, POTSDAM, new Rng(5))).to.deep.equal(a);
      expect(generateProfiles(hh, grid, POTSDAM, new Rng(6))).to.not.deep.equal(a);
    });

    it("gives whole non-negative Wh, one value per slot, and no PV to consumers", function () {
      const hh = drawHouseholds(new Rng(2), 3, 3);
      const profiles = generateProfiles(hh, grid, POTSDAM, new Rng(3));
      profiles.forEach((p, i) => {
        expect(p.loadWh).to.have.length(96);
        expect(p.pvWh).to.have.length(96);
        for (const v of [...p.loadWh, ...p.pvWh]) expect(Number.isInteger(v) && v >= 0).to.equal(true);
        if (hh[i].kind === "consumer") expect(sum(p.pvWh)).to.equal(0);
        else expect(sum(p.pvWh)).to.be.above(0);
      });
    });

    it("scales PV with the household's kWp", function () {
      const pv = clearSkyPvWhPerKWp(grid, POTSDAM);
      const spec: HouseholdSpec = { kind: "prosumer", annualLoadKWh: 3000, pvKWp: 6.5, peakShiftHours: 0 };
      const [profile] = generateProfiles([spec], grid, POTSDAM, new Rng(1));
      profile.pvWh.forEach((wh, i) => expect(wh).to.equal(Math.round(pv[i] * 6.5)));
    });

    it("adds up to the annual consumption over a year, without noise", function () {
      const year: SlotGrid = { startUnix: unix("2026-01-01T00:00:00Z"), slotSeconds: 3600, slots: 8760 };
      const [p] = generateProfiles([consumer(4000)], year, POTSDAM, new Rng(1), { loadNoiseSigma: 0 });
      expect(sum(p.loadWh) / 1000).to.be.closeTo(4000, 4000 * 0.01);
    });

    it("has a morning peak and the day's highest load in the evening, at local clock time", function () {
      const [p] = generateProfiles([consumer(4000)], grid, POTSDAM, new Rng(1), {
        loadNoiseSigma: 0,
        utcOffsetHours: 2,
      });
      const localHourMean = (h: number) => sum(p.loadWh.slice((h - 2) * 4, (h - 1) * 4)) / 4; // UTC = local − 2
      expect(localHourMean(7)).to.be.above(1.5 * localHourMean(3));
      const peakSlot = p.loadWh.indexOf(Math.max(...p.loadWh));
      expect((peakSlot / 4 + 2) % 24).to.be.within(18, 21);
    });

    it("keeps the mean with noise but varies slot by slot", function () {
      const long: SlotGrid = { startUnix: unix("2026-06-01T00:00:00Z"), slotSeconds: 900, slots: 96 * 30 };
      const [quiet] = generateProfiles([consumer(4000)], long, POTSDAM, new Rng(1), { loadNoiseSigma: 0 });
      const [noisy] = generateProfiles([consumer(4000)], long, POTSDAM, new Rng(1), { loadNoiseSigma: 0.3 });
      expect(sum(noisy.loadWh) / sum(quiet.loadWh)).to.be.closeTo(1, 0.03);
      expect(noisy.loadWh.filter((v, i) => v !== quiet.loadWh[i]).length).to.be.above(96 * 25);
    });

    it("refuses a consumer with PV and a bad grid", function () {
      const bad: HouseholdSpec = { kind: "consumer", annualLoadKWh: 3000, pvKWp: 2, peakShiftHours: 0 };
      expect(() => generateProfiles([bad], grid, POTSDAM, new Rng(1))).to.throw(
        RangeError,
        /consumer has no PV/,
      );
      expect(() => generateProfiles([], { ...grid, slotSeconds: 0 }, POTSDAM, new Rng(1))).to.throw(
        RangeError,
        /slot length/,
      );
      expect(() => generateProfiles([], { ...grid, slots: 0 }, POTSDAM, new Rng(1))).to.throw(
        RangeError,
        /slot count/,
      );
    });
  });

  describe("parseH25", function () {
    it("reads the month × day type table", function () {
      const table = parseH25(
        h25Text((m, t, q) => m * 1000 + (t === "SA" ? 100 : t === "FT" ? 200 : 300) + q),
      );
      expect(table[5].FT[7]).to.equal(5207);
      expect(table[11].WT[95]).to.equal(11395);
    });

    it("names the line and column of a bad value, a bad month and a bad day type", function () {
      const good = h25Text(() => 1);
      const lines = good.split("\n");
      const badValue = [...lines.slice(0, 4), lines[4].replace(/,1\.000/, ",x"), ...lines.slice(5)].join(
        "\n",
      );
      expect(() => parseH25(badValue, "h25.csv")).to.throw(
        ProfileDataError,
        /h25\.csv: line 5, column 2: "x"/,
      );
      const badMonth = good.replace("Januar", "Janvier");
      expect(() => parseH25(badMonth)).to.throw(ProfileDataError, /line 1, column 2: "Janvier"/);
      const badType = good.replace("[kWh],SA", "[kWh],SO");
      expect(() => parseH25(badType)).to.throw(ProfileDataError, /line 2, column 2: day type "SO"/);
    });

    it("refuses a file with quarter-hours missing", function () {
      const short = h25Text(() => 1)
        .split("\n")
        .slice(0, 50)
        .join("\n");
      expect(() => parseH25(short, "h25.csv")).to.throw(ProfileDataError, /96 quarter-hours, got 50 rows/);
    });
  });

  describe("h25LoadWh", function () {
    it("reads German legal time: 00:00 UTC is quarter 8 in summer and quarter 4 in winter", function () {
      const table = parseH25(h25Text((_m, _t, q) => q));
      const at = (iso: string) =>
        h25LoadWh(table, BDEW_ANNUAL_KWH, { startUnix: unix(iso), slotSeconds: 900, slots: 1 })[0];
      const summer = at("2026-06-22T00:00:00Z"); // Monday, d = 173
      expect(summer / 1000 / dynamisationFactor(173)).to.be.closeTo(8, 1e-9);
      const winter = at("2026-01-14T00:00:00Z"); // Wednesday, d = 14
      expect(winter / 1000 / dynamisationFactor(14)).to.be.closeTo(4, 1e-9);
    });

    it("uses the day type, F(d) and the household's share of 1 GWh", function () {
      const table = parseH25(h25Text((_m, t) => (t === "SA" ? 2 : t === "FT" ? 3 : 1)));
      const day = (iso: string) =>
        sum(h25LoadWh(table, 4000, { startUnix: unix(iso), slotSeconds: 900, slots: 4 }));
      // 02:00 UTC is 04:00 local, well inside the local day; 4 quarters × value × F(d) × 4000/1e6 kWh.
      expect(day("2026-06-20T02:00:00Z")).to.be.closeTo(4 * 2 * dynamisationFactor(171) * 4, 1e-9); // Saturday
      expect(day("2026-06-21T02:00:00Z")).to.be.closeTo(4 * 3 * dynamisationFactor(172) * 4, 1e-9); // Sunday
      expect(day("2026-06-22T02:00:00Z")).to.be.closeTo(4 * 1 * dynamisationFactor(173) * 4, 1e-9); // Monday
    });
  });

  describe("parseTry and tryGhiAt", function () {
    it("takes B + D of the hour ending at HH CET as the value at HH − 1.5 h UTC, interpolating between", function () {
      const ghi = parseTry(tryText((i) => (i === 12 ? 600 : 0))); // 1 January, HH 13 CET
      expect(ghi[12]).to.equal(600);
      expect(tryGhiAt(ghi, unix("2026-01-01T11:30:00Z"))).to.be.closeTo(600, 1e-9);
      expect(tryGhiAt(ghi, unix("2026-01-01T11:00:00Z"))).to.be.closeTo(300, 1e-9);
      expect(tryGhiAt(ghi, unix("2026-01-01T12:15:00Z"))).to.be.closeTo(150, 1e-9);
      expect(tryGhiAt(ghi, unix("2026-01-01T13:00:00Z"))).to.equal(0);
    });

    it("wraps the typical year around New Year and reads 29 February as 28 February", function () {
      const ghi = parseTry(tryText((i) => (i === 8759 ? 100 : i === 0 ? 300 : i === 58 * 24 + 11 ? 50 : 0)));
      expect(tryGhiAt(ghi, unix("2026-12-31T23:00:00Z"))).to.be.closeTo(200, 1e-9);
      expect(tryGhiAt(ghi, unix("2028-02-29T10:30:00Z"))).to.be.closeTo(50, 1e-9);
    });

    it("turns irradiance into PV per kWp with the performance ratio", function () {
      const ghi = parseTry(tryText(() => 1000));
      const pv = tryPvWhPerKWp(ghi, { startUnix: unix("2026-05-01T10:00:00Z"), slotSeconds: 900, slots: 2 });
      expect(pv[0]).to.be.closeTo(0.85 * 250, 1e-9);
    });

    it("names the file and line of a short row, a missing column and a missing hour", function () {
      const good = tryText(() => 0);
      const lines = good.split("\n");
      lines[10] = " 4 1 1 1 7 7 230";
      expect(() => parseTry(lines.join("\n"), "try.dat")).to.throw(
        ProfileDataError,
        /try\.dat: line 11: expected 19 fields, got 7/,
      );
      expect(() => parseTry(good.replace(" B D ", " X D "), "try.dat")).to.throw(
        ProfileDataError,
        /line 3: no column "B"/,
      );
      expect(() => parseTry(good.replace("***", "---"), "try.dat")).to.throw(
        ProfileDataError,
        /no "\*\*\*" line/,
      );
      expect(() =>
        parseTry(
          tryText(() => 0, 8759),
          "try.dat",
        ),
      ).to.throw(ProfileDataError, /no row for month 12, day 31, hour 24/);
    });
  });

  describe("feeder CSV", function () {
    const grid: SlotGrid = { startUnix: unix("2026-06-21T00:00:00Z"), slotSeconds: 900, slots: 2 };
    const csv = [
      "participant,slotStart,importWh,exportWh",
      "bob,2026-06-21T00:00:00Z,120,0",
      `bob,${unix("2026-06-21T00:15:00Z")},130,0`,
      'alice,"2026-06-21T02:00:00+02:00",10,400',
      "alice,2026-06-21T00:15:00Z,20,500",
      "alice,2026-06-21T00:30:00Z,99,99", // after the grid: ignored
    ].join("\n");

    it("parses unix seconds and ISO-8601 with an offset, and quoted fields", function () {
      expect(parseSlotStart("1782000000")).to.equal(1782000000);
      expect(parseSlotStart("2026-06-21T02:00:00+02:00")).to.equal(unix("2026-06-21T00:00:00Z"));
      expect(parseCsvLine('a,"b, ""c""",d')).to.deep.equal(["a", 'b, "c"', "d"]);
    });

    it("refuses a local time without offset", function () {
      expect(() => parseSlotStart("2026-06-21T00:00:00")).to.throw(/local time without offset/);
      expect(() => parseSlotStart("yesterday")).to.throw(/neither unix seconds nor ISO-8601/);
    });

    it("builds one net profile per participant, ordered by id, from rows inside the grid", function () {
      const profiles = feederProfiles(parseFeederCsv(csv), grid);
      expect(profiles).to.deep.equal([
        { loadWh: [10, 20], pvWh: [400, 500], sourceId: "alice" },
        { loadWh: [120, 130], pvWh: [0, 0], sourceId: "bob" },
      ]);
    });

    it("accepts a meter column instead of a participant column", function () {
      const rows = parseFeederCsv("meter,slotStart,importWh,exportWh\n0xabc,1782000000,1,2\n");
      expect(rows[0]).to.include({ id: "0xabc", importWh: 1, exportWh: 2, line: 2 });
    });

    it("names the missing column, and the line of a bad row", function () {
      expect(() => parseFeederCsv("participant,slotStart,importWh\n", "f.csv")).to.throw(
        ProfileDataError,
        /f\.csv: line 1: no column "exportWh"/,
      );
      expect(() => parseFeederCsv("who,slotStart,importWh,exportWh\n", "f.csv")).to.throw(
        ProfileDataError,
        /no column "participant" or "meter"/,
      );
      const head = "participant,slotStart,importWh,exportWh\n";
      expect(() => parseFeederCsv(`${head}a,1782000000,1,2\na,2026-06-21T00:00,1,2\n`, "f.csv")).to.throw(
        ProfileDataError,
        /f\.csv: line 3: .*local time without offset/,
      );
      expect(() => parseFeederCsv(`${head}a,1782000000,1.5,2\n`, "f.csv")).to.throw(
        ProfileDataError,
        /line 2: importwh "1\.5" is not a whole non-negative number/,
      );
      expect(() => parseFeederCsv(`${head}a,1782000000,1\n`, "f.csv")).to.throw(
        ProfileDataError,
        /line 2: expected 4 fields, got 3/,
      );
    });

    it("names duplicate rows, rows off the slot grid and missing slots", function () {
      const head = "participant,slotStart,importWh,exportWh";
      const t0 = grid.startUnix;
      const dup = parseFeederCsv(
        [head, `a,${t0},1,0`, `a,${t0},2,0`, `a,${t0 + 900},1,0`].join("\n"),
        "f.csv",
      );
      expect(() => feederProfiles(dup, grid, "f.csv")).to.throw(
        ProfileDataError,
        /line 3: second row for a in slot 0 \(first on line 2\)/,
      );
      const off = parseFeederCsv([head, `a,${t0 + 60},1,0`].join("\n"), "f.csv");
      expect(() => feederProfiles(off, grid, "f.csv")).to.throw(
        ProfileDataError,
        /line 2: .* not on the 900-s slot grid/,
      );
      const gap = parseFeederCsv([head, `a,${t0},1,0`].join("\n"), "f.csv");
      expect(() => feederProfiles(gap, grid, "f.csv")).to.throw(
        ProfileDataError,
        /no row for a in slot 1 \(2026-06-21T00:15:00\.000Z\)/,
      );
    });
  });

  describe("loadProfileSource and buildProfiles", function () {
    it("reads a directory holding one feeder CSV and gives exporters to prosumers", function () {
      const dir = tempDir();
      const t0 = unix("2026-06-21T00:00:00Z");
      fs.writeFileSync(
        path.join(dir, "readings.csv"),
        [
          "participant,slotStart,importWh,exportWh",
          `p1,${t0},5,300`,
          `c1,${t0},200,0`,
          `c2,${t0},150,0`,
        ].join("\n"),
      );
      const source = loadProfileSource(dir);
      expect(source.kind).to.equal("feeder");
      const hh = drawHouseholds(new Rng(1), 1, 2);
      const grid: SlotGrid = { startUnix: t0, slotSeconds: 900, slots: 1 };
      const profiles = buildProfiles(source, hh, grid, new Rng(1));
      expect(profiles.map((p) => p.sourceId)).to.deep.equal(["p1", "c1", "c2"]);
      expect(() => buildProfiles(source, drawHouseholds(new Rng(1), 2, 1), grid, new Rng(1))).to.throw(
        ProfileDataError,
        /1 participants export and 2 do not .* needs 2 prosumers and 1 consumers/,
      );
    });

    it("says what is missing in a directory", function () {
      const empty = tempDir();
      expect(() => loadProfileSource(empty)).to.throw(
        ProfileDataError,
        /neither bdew\/h25\.csv .* nor a feeder CSV/,
      );
      expect(() => loadProfileSource(path.join(empty, "nope"))).to.throw(
        ProfileDataError,
        /no such file or directory/,
      );
      const two = tempDir();
      fs.writeFileSync(path.join(two, "a.csv"), "");
      fs.writeFileSync(path.join(two, "b.csv"), "");
      expect(() => loadProfileSource(two)).to.throw(ProfileDataError, /several CSV files \(a\.csv, b\.csv\)/);
      const bdewOnly = tempDir();
      fs.mkdirSync(path.join(bdewOnly, "bdew"));
      fs.writeFileSync(
        path.join(bdewOnly, H25_FILE),
        h25Text(() => 1),
      );
      expect(() => loadProfileSource(bdewOnly)).to.throw(
        ProfileDataError,
        /TRY2010_04_Jahr\.dat: file not found/,
      );
    });

    it("builds standard profiles from a BDEW + DWD directory, deterministically", function () {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, "bdew"));
      fs.mkdirSync(path.join(dir, "dwd-try"));
      fs.writeFileSync(
        path.join(dir, H25_FILE),
        h25Text(() => 25),
      );
      fs.writeFileSync(
        path.join(dir, TRY_FILE),
        tryText((i) => ((i % 24) + 1 >= 8 && (i % 24) + 1 <= 18 ? 500 : 0)),
      );
      const source = loadProfileSource(dir);
      expect(source.kind).to.equal("standard");
      const hh = drawHouseholds(new Rng(4), 2, 2);
      const grid = dayGrid("2026-06-21");
      const a = buildProfiles(source, hh, grid, new Rng(9));
      expect(buildProfiles(source, hh, grid, new Rng(9))).to.deep.equal(a);
      expect(sum(a[0].pvWh)).to.be.above(0);
      expect(sum(a[3].pvWh)).to.equal(0);
      for (const p of a)
        for (const v of [...p.loadWh, ...p.pvWh]) expect(Number.isInteger(v) && v >= 0).to.equal(true);
    });
  });

  describe("the real data in ../shared/data", function () {
    let h25: H25Table;
    let ghi: Float64Array;

    before(function () {
      if (!fs.existsSync(path.join(DATA_DIR, H25_FILE)) || !fs.existsSync(path.join(DATA_DIR, TRY_FILE)))
        this.skip();
      h25 = readH25(path.join(DATA_DIR, H25_FILE));
      ghi = readTry(path.join(DATA_DIR, TRY_FILE));
    });

    it("H25 with the dynamisation factor adds up to 1 GWh over a year", function () {
      const year: SlotGrid = { startUnix: unix("2025-01-01T00:00:00+01:00"), slotSeconds: 3600, slots: 8760 };
      expect(sum(h25LoadWh(h25, BDEW_ANNUAL_KWH, year)) / 1000).to.be.closeTo(
        BDEW_ANNUAL_KWH,
        BDEW_ANNUAL_KWH * 0.01,
      );
    });

    it("H25 has its morning and evening peaks above the night, and is higher in winter once F(d) applies", function () {
      expect(h25[5].WT[7 * 4]).to.be.above(h25[5].WT[3 * 4]); // June workday 07:00 vs 03:00
      expect(Math.max(...h25[0].WT.slice(17 * 4, 21 * 4))).to.be.above(
        Math.max(...h25[0].WT.slice(1 * 4, 5 * 4)),
      );
      // The 2025 table alone is higher in July than in January: the season lives in F(d).
      expect(sum(h25[0].WT) * dynamisationFactor(15)).to.be.above(sum(h25[6].WT) * dynamisationFactor(196));
    });

    it("the TRY has 8 760 hours, about 1 000 kWh/m² a year, and dark nights", function () {
      expect(ghi.length).to.equal(8760);
      expect(Array.from(ghi).reduce((a, b) => a + b) / 1000).to.be.within(900, 1250);
      for (let d = 0; d < 365; d++) expect(ghi[d * 24]).to.equal(0); // hour ending 01:00 CET
    });

    it("TRY PV per kWp over a year is the annual irradiation times 0.85", function () {
      const year: SlotGrid = { startUnix: unix("2026-01-01T00:00:00Z"), slotSeconds: 3600, slots: 8760 };
      const annualGhiKWh = Array.from(ghi).reduce((a, b) => a + b) / 1000;
      expect(sum(tryPvWhPerKWp(ghi, year)) / 1000).to.be.closeTo(annualGhiKWh * 0.85, 1);
    });

    it("loadProfileSource reads the directory as BDEW + DWD and builds a solstice day", function () {
      const source = loadProfileSource(DATA_DIR);
      expect(source.kind).to.equal("standard");
      const hh = drawHouseholds(new Rng(1), 3, 2);
      const profiles = buildProfiles(source, hh, dayGrid("2026-06-21"), new Rng(1), { loadNoiseSigma: 0 });
      const dailyKWh = sum(profiles[3].loadWh) / 1000;
      expect(dailyKWh).to.be.within((hh[3].annualLoadKWh / 365) * 0.6, (hh[3].annualLoadKWh / 365) * 1.2);
      expect(sum(profiles[0].pvWh) / 1000 / hh[0].pvKWp).to.be.within(0.5, 8);
      expect(profiles[0].pvWh[0]).to.equal(0); // 00:00 UTC
    });
  });
});
