/**
 * `npm run bench`: the scaling benchmark of thesis Fig. 4.2 (issue 7) — one slot end to end at 250, 500,
 * 1 000, 2 000, 4 000 and 8 000 users, each on a fresh in-process chain (`hardhat_reset`), recording wall
 * time and gas per phase and per user — and the Algorithm 1 comparison (running totals vs the thesis' scan,
 * gas per update at 10, 100 and 1 000 earlier trades). Writes reports/bench/{bench.json, BENCH.md,
 * scaling.svg, alg1.svg}.
 *
 *   npm run bench
 *   npm run bench -- --sizes 250,500 --scan 10,100 --out /tmp/bench
 *
 * See scripts/bench/scaling-run.ts for the pipeline.
 */
import os from "node:os";
import path from "node:path";

const DEFAULT_SIZES = [250, 500, 1000, 2000, 4000, 8000];
const DEFAULT_SCAN = [10, 100, 1000];

function listArg(argv: string[], flag: string, fallback: number[]): number[] {
  const i = argv.indexOf(flag);
  if (i < 0) return fallback;
  const values = (argv[i + 1] ?? "").split(",").map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isSafeInteger(v) || v < 1))
    throw new Error(`${flag} takes a comma-separated list of positive integers`);
  return values;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const sizes = listArg(argv, "--sizes", DEFAULT_SIZES);
  const scanCounts = listArg(argv, "--scan", DEFAULT_SCAN);
  const outIndex = argv.indexOf("--out");
  const outDir = outIndex >= 0 ? argv[outIndex + 1] : path.join(__dirname, "..", "..", "reports", "bench");
  process.env.HARDHAT_NETWORK ??= "hardhat";
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require("hardhat") as typeof import("hardhat");
  const { runScalingSlot, runScanComparison, DEFAULT_SCALING } = await import("./scaling-run");
  const { buildReport, writeBenchReport } = await import("./scaling-report");
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s]`;

  const runs = [];
  for (const users of sizes) {
    await hre.network.provider.send("hardhat_reset", []);
    const run = await runScalingSlot(hre, {
      ...DEFAULT_SCALING,
      users,
      log: (line) => console.log(`${stamp()} ${line}`),
    });
    if (run.checks.settled !== users || !run.checks.supplyConserved || !run.checks.marketBalanced)
      throw new Error(`N=${users}: checks failed ${JSON.stringify(run.checks, (_, v) => String(v))}`);
    console.log(
      `${stamp()} N=${users}: slot ${(run.total.wallMs / 1000).toFixed(1)} s, setup ${(run.setup.wallMs / 1000).toFixed(1)} s, ` +
        `${Math.round(run.total.gasPerUser)} gas per user`,
    );
    runs.push(run);
    // Partial reports as the run goes, so a long run leaves its figures behind.
    writeBenchReport(buildReport(runs, [], os.cpus().length), outDir);
  }
  await hre.network.provider.send("hardhat_reset", []);
  console.log(`${stamp()} Algorithm 1 comparison at ${scanCounts.join(", ")} earlier trades`);
  const algorithm1 = await runScanComparison(hre, scanCounts);
  const report = buildReport(runs, algorithm1, os.cpus().length);
  const files = writeBenchReport(report, outDir);
  for (const r of algorithm1)
    console.log(
      `  ${r.earlierTrades} earlier trades: totals ${r.runningTotalsGas} gas, scan ${r.thesisScanGas} gas`,
    );
  if (report.perUserRatio)
    console.log(
      `per-user gas ratio ${sizes[sizes.length - 1]} : ${sizes[0]}: ${report.perUserRatio.total.toFixed(3)}`,
    );
  console.log(`${stamp()} written ${files.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
