// The stateful random-operation harness (issue 8): random sequences of every user action across three
// microgrids and many slots, each step checked against the model of the whole suite (test/harness/model/)
// and the invariants of SPEC §10 (test/harness/invariants.ts). Failures shrink to a minimal sequence.
//
// Profiles:
//   npx hardhat test test/harness/randomOps.test.ts                      CI budget (2 000 steps)
//   HARNESS_STEPS=10000 npx hardhat test test/harness/randomOps.test.ts  long profile (npm run robust)
//   HARNESS_COMMANDS=…                                                   commands per run at most (default 800)
// Replay of a failure (fast-check prints seed, path and replayPath with the shrunk command list):
//   HARNESS_SEED=<seed> HARNESS_PATH=<path> [HARNESS_REPLAY_PATH=<replayPath>] npx hardhat test test/harness/randomOps.test.ts
import { expect } from "chai";
import fc from "fast-check";

import { WEIGHTS, resetStats, stats } from "./actions";
import { counters, harnessProperty, profileFromEnv, runProfile, statsTable } from "./runner";

describe("Random operations against the model of the whole suite (SPEC §10)", function () {
  this.timeout(0);

  it("runs random sequences of every action with the contracts equal to the model and SPEC §10 holding", async function () {
    const profile = profileFromEnv();
    resetStats();
    counters.steps = 0;
    counters.runs = 0;
    counters.partialClears = 0;
    counters.rejectedRounds = 0;
    counters.finalWithExclusions = 0;
    const started = Date.now();
    await runProfile(profile, (line) => console.log(line));
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `\n  ${counters.steps} steps in ${counters.runs} runs (${profile.commands} commands max per run), ` +
        `seeds from ${profile.seed}, ${seconds.toFixed(0)} s; ${counters.partialClears} clear calls left ` +
        `their book part-cleared (clearing in pieces); ${counters.rejectedRounds} rounds rejected; ` +
        `${counters.finalWithExclusions} blocks final with exclusions\n\n${statsTable()}\n`,
    );
    if (profile.path !== undefined) return;
    expect(counters.steps).to.be.gte(profile.steps);
    // The harness cannot pass vacuously: every action ran and succeeded at least once.
    for (const action of Object.keys(WEIGHTS)) {
      expect(stats.get(action)?.succeeded ?? 0, `${action} never succeeded`).to.be.greaterThan(0);
    }
  });

  it("reports a deliberate model bug with a shrunk sequence and a seed that replays it", async function () {
    counters.steps = 0;
    const details = await fc.check(harnessProperty(12, { depositOffByOne: true }), { seed: 7, numRuns: 20 });
    expect(details.failed).to.equal(true);
    const shrunk = [...(details.counterexample![0] as Iterable<{ toString(): string }>)].map(String);
    // The bug (a deposit credited 1 unit too much) needs exactly one successful deposit to show.
    expect(shrunk).to.have.length(1);
    expect(shrunk[0]).to.match(/^deposit#\d+: deposit .* → ok$/);
    expect(String(details.errorInstance)).to.match(/market\.totalPrepaid: chain \d+ != model \d+/);
    const report = fc.defaultReportMessage(details)!;
    expect(report).to.include(`seed: ${details.seed}`);
    expect(report).to.include(`path: "${details.counterexamplePath}"`);
    // The printed seed, path and replayPath replay the shrunk failure directly.
    const replayPath = /replayPath="([^"]*)"/.exec(report)![1];
    const replay = await fc.check(harnessProperty(12, { depositOffByOne: true }, replayPath), {
      seed: details.seed,
      path: details.counterexamplePath!,
      numRuns: 1,
      endOnFailure: true,
    });
    expect(replay.failed).to.equal(true);
    expect([...(replay.counterexample![0] as Iterable<{ toString(): string }>)].map(String)).to.deep.equal(
      shrunk,
    );
  });
});
