/**
 * The main job: simulates a day of the GridTrust market on the embedded Hardhat network and writes the
 * report to `<out>/<run-id>/`.
 *
 *   npm run simulate                       # thesis Table 4.3 defaults
 *   npm run simulate -- --prosumers 10 --consumers 10 --malicious 6 --slots 24
 *   npm run simulate -- --help
 *
 * `npm run simulate` compiles, then runs this file with ts-node, so flags follow `--`. The flags may also
 * come from the environment variable `SIM_ARGS` (e.g. for `npx hardhat run scripts/simulate.ts`, which takes
 * no script arguments); flags on the command line and in `SIM_ARGS` together are refused.
 */
import { CliError, HELP_TEXT, parseSimArgs, slotGrid } from "./sim/cli";
import { PhaseProgress } from "./sim/progress";
import { LEAD_SLOTS } from "./sim/driver";
import { simulationArgv } from "./sim/argv";

async function main(): Promise<number> {
  let outcome;
  try {
    outcome = parseSimArgs(simulationArgv(process.argv.slice(2), process.env));
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (outcome.help) {
    console.log(HELP_TEXT);
    return 0;
  }
  const options = outcome.options;

  // The embedded network's clock starts at the simulation's set-up time (before the provider exists).
  process.env.HARDHAT_NETWORK ??= "hardhat";
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as typeof import("hardhat");
  if (hre.network.name !== "hardhat") {
    console.error(`error: the simulation runs on the embedded Hardhat network, not "${hre.network.name}"`);
    return 2;
  }
  const setupStart = slotGrid(options).startUnix - LEAD_SLOTS * options.slotSeconds;
  (hre.network.config as { initialDate?: string }).initialDate = new Date(setupStart * 1000).toISOString();

  const { runSimulation } = await import("./sim/driver");
  const { writeReport, headline } = await import("./report/writer");
  const started = Date.now();
  let phaseTimes: Record<string, number> = {};
  const result = await runSimulation(hre, options, {
    progress: (phase, total) => new PhaseProgress(phase, total),
    log: (line) => {
      if (process.env.SIM_VERBOSE) console.error(line);
    },
    onPhaseTimes: (times) => (phaseTimes = times),
  });
  const written = writeReport(result, options.outDir);
  const seconds = (Date.now() - started) / 1000;
  const h = headline(result);
  const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(2));
  console.log(`Report: ${written.dir}/report.md (${written.files.length} files)`);
  console.log(
    `Honest traders: mean score ${fmt(h.honest.meanFinalScore)}, level ${fmt(h.honest.meanFinalLevel)}; ` +
      `malicious: ${fmt(h.malicious.meanFinalScore)}, level ${fmt(h.malicious.meanFinalLevel)}`,
  );
  console.log(
    `Money conserved: supply ${h.supplyConserved ? "yes" : "NO"}, rewards within burns ${h.rewardsWithinBurns ? "yes" : "NO"}, ` +
      `settlement balanced ${h.settlementBalanced ? "yes" : "NO"}`,
  );
  const phases = Object.entries(phaseTimes)
    .sort((a, b) => b[1] - a[1])
    .map(([p, ms]) => `${p} ${(ms / 1000).toFixed(1)} s`)
    .join(", ");
  console.log(`Wall time ${seconds.toFixed(1)} s (${phases})`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.SIM_VERBOSE && error instanceof Error) console.error(error.stack);
    process.exitCode = 1;
  },
);
