// The driver: fast-check model-based runs of the random actions, a fresh chain per run (a loadFixture
// snapshot of the deployed suite), shrinking to a minimal failing sequence, and the per-action table.
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import { type InjectedBugs, type SuiteModel, modelOf } from "./model";
import { counters, stats, stepArbitrary } from "./actions";
import { checkEverything } from "./invariants";
import { type Suite, harnessFixture } from "./world";

export { counters };

/** The property: one run of random actions on a fresh suite, the whole state compared at the end. */
export function harnessProperty(
  maxCommands: number,
  bugs: InjectedBugs = {},
  replayPath?: string,
  shrink = true,
) {
  const steps = fc.noBias(fc.commands([stepArbitrary()], { maxCommands, size: "max", replayPath }));
  return fc.asyncProperty(
    shrink ? steps : fc.noShrink(steps),
    async (steps: Iterable<fc.AsyncCommand<SuiteModel, Suite>>) => {
      const f = await loadFixture(harnessFixture);
      const m = await modelOf(f);
      m.bugs = bugs;
      counters.runs += 1;
      await fc.asyncModelRun(() => ({ model: m, real: f }), steps);
      await checkEverything(m, f);
      if (process.env.HARNESS_DEBUG) {
        const lines = m.sortedSlots().map((s) => {
          const cells = m.registry.microgrids.map((mg) => {
            const b = m.consensus.blocks.get(`${mg}:${s}`);
            return `m${mg}:${m.market.book(mg, s)?.phase ?? "-"}/${b?.status ?? 0}r${b?.clock?.round ?? "-"}`;
          });
          const positions = [...m.market.positions.values()].filter((p) => p.slot === s && p.liveOrders > 0);
          const filled = positions.filter((p) => (p.filled?.filledWh ?? 0n) > 0n).length;
          const settled = [...m.settlement.settled].filter((k) => k.endsWith(`:${s}`)).length;
          return `slot ${s}: ${cells.join(" ")} L2 ${m.settlement.level2.get(s)?.done ?? false} positions ${positions.length} filled ${filled} settled ${settled}`;
        });
        const scores = [...m.trust.validators.values()].map((v) => Number(v.score) / 1e18).join(", ");
        console.log(
          `    now slot ${m.slotAt(m.now)}\n    ${lines.join("\n    ")}\n    validator scores ${scores}`,
        );
      }
    },
  );
}

export interface Profile {
  steps: number;
  commands: number;
  seed: number;
  path?: string;
  replayPath?: string;
  /** `HARNESS_SHRINK=0` reports the first failing sequence as is (for debugging the harness itself). */
  shrink: boolean;
}

/** The profile from the environment: CI budget by default, `HARNESS_STEPS` for the long one, or a replay. */
export function profileFromEnv(): Profile {
  const env = process.env;
  const commands = Number(env.HARNESS_COMMANDS ?? 800);
  const steps = env.HARNESS_STEPS
    ? Number(env.HARNESS_STEPS)
    : env.HARNESS_RUNS
      ? Number(env.HARNESS_RUNS) * commands
      : 2_000;
  return {
    steps,
    commands,
    seed: Number(env.HARNESS_SEED ?? 20_251_125),
    path: env.HARNESS_PATH,
    replayPath: env.HARNESS_REPLAY_PATH,
    shrink: env.HARNESS_SHRINK !== "0",
  };
}

/**
 * Runs until `profile.steps` random steps have run: one fast-check assertion per run, seeds `seed`,
 * `seed + 1`, … (a failure prints the seed, path and shrunk command list that replay it). With `path` set,
 * replays exactly that run.
 */
export async function runProfile(profile: Profile, log: (line: string) => void): Promise<void> {
  if (profile.path !== undefined) {
    await fc.assert(harnessProperty(profile.commands, {}, profile.replayPath, profile.shrink), {
      seed: profile.seed,
      path: profile.path,
      numRuns: 1,
      endOnFailure: false,
    });
    return;
  }
  let seed = profile.seed;
  while (counters.steps < profile.steps) {
    const before = counters.steps;
    const started = Date.now();
    await fc.assert(harnessProperty(profile.commands, {}, undefined, profile.shrink), { seed, numRuns: 1 });
    log(
      `  run seed ${seed}: ${counters.steps - before} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    seed += 1;
  }
}

/** The per-action table: how many ran, succeeded, reverted as predicted, had nothing to act on. */
export function statsTable(): string {
  const rows = [...stats.entries()].sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    "| action | ran | succeeded | reverted as predicted | idle | reverts by error |",
    "|---|---:|---:|---:|---:|---|",
    ...rows.map(
      ([name, s]) =>
        `| ${name} | ${s.ran} | ${s.succeeded} | ${s.reverted} | ${s.idle} | ${[...s.errors.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([e, n]) => `${e} ${n}`)
          .join(", ")} |`,
    ),
  ];
  const total = rows.reduce(
    (acc, [, s]) => ({
      ran: acc.ran + s.ran,
      ok: acc.ok + s.succeeded,
      rev: acc.rev + s.reverted,
      idle: acc.idle + s.idle,
    }),
    { ran: 0, ok: 0, rev: 0, idle: 0 },
  );
  lines.push(`| **total** | ${total.ran} | ${total.ok} | ${total.rev} | ${total.idle} | |`);
  return lines.join("\n");
}
