// Flag parsing of the simulation (scripts/sim/cli.ts): defaults, both flag syntaxes, and a clear error
// for every kind of bad flag.
import { expect } from "chai";
import {
  CliError,
  DEFAULT_OPTIONS,
  HELP_TEXT,
  parseSimArgs,
  simulationParameters,
  slotGrid,
  type SimOptions,
} from "../../scripts/sim/cli";

const noPaths = () => false;
const allPaths = () => true;

function options(argv: string[], exists: (p: string) => boolean = allPaths): SimOptions {
  const outcome = parseSimArgs(argv, exists);
  if (outcome.help) throw new Error("unexpected --help");
  return outcome.options;
}

function expectError(argv: string[], message: RegExp, exists: (p: string) => boolean = allPaths): void {
  expect(() => parseSimArgs(argv, exists)).to.throw(CliError, message);
}

describe("simulation CLI", function () {
  describe("parseSimArgs", function () {
    it("defaults to thesis Table 4.3: 50 prosumers, 50 consumers, 30 malicious, 3 microgrids, 20 validators", function () {
      expect(options([])).to.deep.equal(DEFAULT_OPTIONS);
      expect(DEFAULT_OPTIONS).to.include({
        prosumers: 50,
        consumers: 50,
        malicious: 30,
        microgrids: 3,
        validators: 20,
        slots: 96,
        slotSeconds: 900,
      });
      expect(DEFAULT_OPTIONS.profilesDir).to.equal(undefined);
    });

    it("reads every flag, as --flag value or --flag=value", function () {
      const o = options([
        "--prosumers",
        "10",
        "--consumers=12",
        "--malicious",
        "5",
        "--microgrids",
        "2",
        "--validators",
        "7",
        "--dishonest-validators=2",
        "--slots",
        "8",
        "--seed",
        "4294967295",
        "--site-lat",
        "-33.9",
        "--site-lon=151.2",
        "--date",
        "2024-02-29",
        "--profiles",
        "../shared/data",
        "--out",
        "out dir",
      ]);
      expect(o).to.deep.equal({
        prosumers: 10,
        consumers: 12,
        malicious: 5,
        microgrids: 2,
        validators: 7,
        dishonestValidators: 2,
        slots: 8,
        slotSeconds: 900,
        seed: 4294967295,
        siteLatDeg: -33.9,
        siteLonDeg: 151.2,
        date: "2024-02-29",
        profilesDir: "../shared/data",
        outDir: "out dir",
      });
    });

    it("answers --help and -h with help, whatever else is given", function () {
      expect(parseSimArgs(["--help"])).to.deep.equal({ help: true });
      expect(parseSimArgs(["--seed", "3", "-h"])).to.deep.equal({ help: true });
      for (const flag of [
        "--prosumers",
        "--dishonest-validators",
        "--site-lat",
        "--profiles",
        "--out",
        "--help",
      ])
        expect(HELP_TEXT).to.include(flag);
    });

    it("names an unknown flag and suggests the nearest one", function () {
      expectError(["--prosumer", "3"], /unknown flag --prosumer \(did you mean --prosumers\?\)/);
      expectError(["--site-latitude", "3"], /unknown flag --site-latitude/);
      expectError(["--frobnicate"], /unknown flag --frobnicate; see --help/);
    });

    it("refuses a positional argument, a repeated flag and a flag without a value", function () {
      expectError(["50"], /unexpected argument "50"/);
      expectError(["--seed", "1", "--seed", "2"], /--seed is given twice/);
      expectError(["--seed"], /--seed needs a value/);
      expectError(["--seed", "--slots", "4"], /--seed needs a value/);
    });

    it("refuses malformed numbers and dates", function () {
      expectError(["--prosumers", "ten"], /--prosumers: "ten" is not a whole non-negative number/);
      expectError(["--slots", "1.5"], /--slots: "1.5" is not a whole/);
      expectError(["--seed", "-1"], /--seed: "-1" is not a whole/);
      expectError(["--site-lat", "north"], /--site-lat: "north" is not a number/);
      expectError(["--site-lon", "1e2"], /--site-lon: "1e2" is not a number/);
      expectError(["--date", "21.06.2026"], /--date: "21.06.2026" is not a date YYYY-MM-DD/);
      expectError(["--date", "2026-02-30"], /--date: 2026-02-30 is not a calendar date/);
      expectError(["--profiles="], /--profiles: needs a non-empty path/);
    });

    it("refuses values out of range", function () {
      expectError(["--slots", "0"], /--slots: 0 is out of range 1\.\.672/);
      expectError(["--slots", "673"], /out of range 1\.\.672/);
      expectError(["--seed", "4294967296"], /--seed: 4294967296 is out of range/);
      expectError(["--microgrids", "0"], /--microgrids: 0 is out of range 1\.\.255/);
      expectError(["--validators", "0"], /--validators: 0 is out of range/);
      expectError(["--site-lat", "90.5"], /--site-lat: 90.5 is out of range -90\.\.90/);
      expectError(["--site-lon", "-181"], /--site-lon: -181 is out of range -180\.\.180/);
      expectError(["--date", "1969-12-31"], /--date: year 1969 is out of range/);
    });

    it("refuses flags that contradict each other", function () {
      expectError(["--malicious", "101"], /--malicious: 101 exceeds the 100 traders/);
      expectError(
        ["--prosumers", "2", "--consumers", "2", "--malicious", "1", "--microgrids", "5"],
        /--microgrids: 5 microgrids for 4 traders/,
      );
      expectError(
        ["--validators", "3", "--dishonest-validators", "4"],
        /--dishonest-validators: 4 exceeds the 3 validators/,
      );
      expectError(["--prosumers", "0"], /--prosumers: at least one prosumer/);
      expectError(
        ["--prosumers", "1", "--consumers", "0", "--malicious", "0", "--microgrids", "1"],
        /at least 2 traders/,
      );
      expectError(["--prosumers", "6000", "--consumers", "6000"], /12000 traders exceed 10000/);
    });

    it("refuses a --profiles path that does not exist", function () {
      expectError(["--profiles", "/nowhere"], /--profiles: \/nowhere does not exist/, noPaths);
    });
  });

  describe("slotGrid and simulationParameters", function () {
    it("starts slot 0 at 00:00 UTC of the date", function () {
      expect(slotGrid(options(["--date", "2026-06-21", "--slots", "4"]))).to.deep.equal({
        startUnix: Date.parse("2026-06-21T00:00:00Z") / 1000,
        slotSeconds: 900,
        slots: 4,
      });
    });

    it("records the built-in generator when no --profiles is given", function () {
      expect(simulationParameters(options([])).profiles).to.equal("built-in generator");
      expect(simulationParameters(options(["--profiles", "x"])).profiles).to.equal("x");
    });
  });
});
