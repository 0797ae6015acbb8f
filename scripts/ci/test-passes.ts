/**
 * The test step of `npm test` (and so of CI): every test file runs in one of two passes, and the split is decided
 * here, in one place.
 *
 * 1. **Coverage pass**: the contract tests run once under solidity-coverage's instrumentation, and
 *    `scripts/coverage-gate.ts` fails the step below 95 % of lines or 90 % of branches of `contracts/`.
 *    Instrumented calls are several times slower, so the random property tests run fewer cases here
 *    (the environment of {@link COVERAGE_ENV}). Whole-day scenarios that add no coverage are left to pass 2.
 * 2. **Plain pass**: the off-chain tooling (simulation, feeder, deploy, bench), the random-operation harness,
 *    the whole-day scenarios, and the property tests again at their full number of cases.
 *
 * Every file under `test/` ending in `.test.ts` runs in at least one pass; this script fails if one would not.
 *
 *   ts-node scripts/ci/test-passes.ts [--only coverage|plain] [--list]
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** Test folders of the contracts: they run in the coverage pass. */
export const CONTRACT_DIRS = [
  "token",
  "registry",
  "trust",
  "market",
  "pricing",
  "metering",
  "settlement",
  "consensus",
  "attacks",
  "integration",
];

/**
 * Test folders of the off-chain tooling (Hardhat tasks and the validator agent drive the contracts, but only
 * through functions the contract tests cover already) and the harness: they run in the plain pass only.
 */
export const PLAIN_DIRS = ["tasks", "validator", "sim", "feeder", "deploy", "bench", "harness"];

/** Whole-system scenarios too slow to instrument (they add no coverage): plain pass only. */
export const PLAIN_ONLY_FILES = ["test/attacks/maliciousTraders.test.ts"];

/** Property tests that run with fewer cases under coverage, and again at full strength in the plain pass. */
export const FULL_STRENGTH_FILES = [
  "test/market/OrderBook.property.test.ts",
  "test/market/EnergyMarket.property.test.ts",
  "test/token/TrustCoin.property.test.ts",
  "test/settlement/Settlement.property.test.ts",
  "test/consensus/ValidatorRegistry.property.test.ts",
];

/** The number of random cases of the property tests in the coverage pass (their defaults are 25–200). */
export const COVERAGE_ENV: Record<string, string> = {
  FC_RUNS: "10",
  SETTLEMENT_RUNS: "5",
  VALIDATORS_FC_RUNS: "15",
  COMMITTEES_FC_RUNS: "5",
};

function testFilesUnder(dir: string): string[] {
  const absolute = path.join(ROOT, "test", dir);
  if (!fs.existsSync(absolute)) return [];
  const files: string[] = [];
  for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...testFilesUnder(relative));
    else if (entry.name.endsWith(".test.ts")) files.push(path.posix.join("test", relative));
  }
  return files.sort();
}

export interface TestPlan {
  coverage: string[];
  plain: string[];
  unassigned: string[];
}

/** Splits the test files of `test/` into the two passes. */
export function testPlan(): TestPlan {
  const coverage = CONTRACT_DIRS.flatMap(testFilesUnder).filter((file) => !PLAIN_ONLY_FILES.includes(file));
  const plain = [...PLAIN_DIRS.flatMap(testFilesUnder), ...PLAIN_ONLY_FILES, ...FULL_STRENGTH_FILES];
  const assigned = new Set([...coverage, ...plain]);
  const all = fs
    .readdirSync(path.join(ROOT, "test"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => testFilesUnder(entry.name));
  const missing = [...PLAIN_ONLY_FILES, ...FULL_STRENGTH_FILES].filter(
    (file) => !fs.existsSync(path.join(ROOT, file)),
  );
  if (missing.length > 0)
    throw new Error(`scripts/ci/test-passes.ts names missing files: ${missing.join(", ")}`);
  return { coverage, plain, unassigned: all.filter((file) => !assigned.has(file)) };
}

function run(command: string, args: string[], env: Record<string, string> = {}): void {
  console.log(`\n> ${[...Object.entries(env).map(([k, v]) => `${k}=${v}`), command, ...args].join(" ")}\n`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`\n${command} ${args[0] ?? ""} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
  if (only !== undefined && only !== "coverage" && only !== "plain") {
    console.error(`--only takes "coverage" or "plain", not ${JSON.stringify(only)}`);
    process.exit(2);
  }
  const plan = testPlan();
  if (plan.unassigned.length > 0) {
    console.error(
      `test files in no pass (add their folder to scripts/ci/test-passes.ts):\n  ${plan.unassigned.join("\n  ")}`,
    );
    process.exit(1);
  }
  if (args.includes("--list")) {
    console.log(`coverage pass (${plan.coverage.length} files):\n  ${plan.coverage.join("\n  ")}`);
    console.log(`plain pass (${plan.plain.length} files):\n  ${plan.plain.join("\n  ")}`);
    return;
  }
  const hardhat = path.join(ROOT, "node_modules", ".bin", "hardhat");
  if (only !== "plain") {
    // solidity-coverage takes one glob: a brace list of the files themselves.
    run(hardhat, ["coverage", "--testfiles", `{${plan.coverage.join(",")}}`], COVERAGE_ENV);
    run(path.join(ROOT, "node_modules", ".bin", "ts-node"), ["scripts/coverage-gate.ts"]);
  }
  if (only !== "coverage") run(hardhat, ["test", ...plan.plain]);
}

if (require.main === module) main();
