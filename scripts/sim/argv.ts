/**
 * Where the simulation's flags come from: the command line (`npm run simulate -- --prosumers 10`, which runs
 * `ts-node scripts/simulate.ts --prosumers 10`) or the environment variable `SIM_ARGS` (for runners that take
 * no script arguments, such as `npx hardhat run scripts/simulate.ts`).
 */
import { CliError } from "./cli";

/** The simulation's arguments from `argv` (after the script) or `SIM_ARGS`; both at once is a `CliError`. */
export function simulationArgv(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const fromEnv = (env.SIM_ARGS ?? "").trim();
  const fromCli = argv.filter((a) => a !== "--");
  if (fromEnv !== "" && fromCli.length > 0)
    throw new CliError("flags given both on the command line and in SIM_ARGS: use one of them");
  return fromEnv !== "" ? fromEnv.split(/\s+/) : fromCli;
}
