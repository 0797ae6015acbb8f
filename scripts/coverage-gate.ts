/**
 * The coverage gate (`npm run coverage`): reads solidity-coverage's istanbul `json-summary` report
 * (`coverage/coverage-summary.json`, see .solcover.js) and fails unless the suite's contracts — every file
 * under `contracts/` except the test doubles of `contracts/test/` — reach 95 % of lines and 90 % of
 * branches together. Prints every measured file, worst first.
 *
 *   ts-node scripts/coverage-gate.ts [summary.json] [--lines 95] [--branches 90]
 */
import fs from "node:fs";
import path from "node:path";

export interface Metric {
  total: number;
  covered: number;
  pct: number | "Unknown";
}
export interface FileSummary {
  lines: Metric;
  branches: Metric;
  statements: Metric;
  functions: Metric;
}
export type CoverageSummary = Record<string, FileSummary>;

export interface GateResult {
  lines: { covered: number; total: number; pct: number };
  branches: { covered: number; total: number; pct: number };
  files: { file: string; linePct: number; branchPct: number; lines: Metric; branches: Metric }[];
  passed: boolean;
}

const percent = (covered: number, total: number) => (total === 0 ? 100 : (100 * covered) / total);

/** The suite's files of a summary: under `contracts/`, not under `contracts/test/`, relative to the root. */
export function suiteFiles(summary: CoverageSummary, root: string): [string, FileSummary][] {
  const files: [string, FileSummary][] = [];
  for (const [key, value] of Object.entries(summary)) {
    if (key === "total") continue;
    const relative = path.relative(root, path.resolve(root, key)).split(path.sep).join("/");
    if (!relative.startsWith("contracts/") || relative.startsWith("contracts/test/")) continue;
    files.push([relative, value]);
  }
  return files;
}

/** Sums lines and branches of the suite's files and judges them against the thresholds. */
export function judge(
  summary: CoverageSummary,
  root: string,
  minLines: number,
  minBranches: number,
): GateResult {
  let linesCovered = 0;
  let linesTotal = 0;
  let branchesCovered = 0;
  let branchesTotal = 0;
  const files: GateResult["files"] = [];
  for (const [file, s] of suiteFiles(summary, root)) {
    if (s.lines.total === 0 && s.branches.total === 0) continue; // interfaces and constants only
    linesCovered += s.lines.covered;
    linesTotal += s.lines.total;
    branchesCovered += s.branches.covered;
    branchesTotal += s.branches.total;
    files.push({
      file,
      linePct: percent(s.lines.covered, s.lines.total),
      branchPct: percent(s.branches.covered, s.branches.total),
      lines: s.lines,
      branches: s.branches,
    });
  }
  if (linesTotal === 0) throw new Error("coverage summary lists no lines under contracts/");
  files.sort((a, b) => a.branchPct + a.linePct - (b.branchPct + b.linePct));
  const lines = { covered: linesCovered, total: linesTotal, pct: percent(linesCovered, linesTotal) };
  const branches = {
    covered: branchesCovered,
    total: branchesTotal,
    pct: percent(branchesCovered, branchesTotal),
  };
  return { lines, branches, files, passed: lines.pct >= minLines && branches.pct >= minBranches };
}

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value)) throw new Error(`${name} needs a number`);
  return value;
}

function main(): void {
  const args = process.argv.slice(2);
  const root = path.resolve(__dirname, "..");
  const file =
    args[0] && !args[0].startsWith("--") ? args[0] : path.join(root, "coverage", "coverage-summary.json");
  const minLines = flag(args, "--lines", 95);
  const minBranches = flag(args, "--branches", 90);
  if (!fs.existsSync(file)) {
    console.error(`coverage gate: ${file} not found; run "npx hardhat coverage" first`);
    process.exit(1);
  }
  const result = judge(
    JSON.parse(fs.readFileSync(file, "utf8")) as CoverageSummary,
    root,
    minLines,
    minBranches,
  );
  console.log("coverage of contracts/ (without contracts/test/), worst first:");
  console.log("  lines %     branches %   file");
  for (const f of result.files) {
    console.log(
      `  ${f.linePct.toFixed(2).padStart(6)} ${`(${f.lines.covered}/${f.lines.total})`.padEnd(11)}` +
        ` ${f.branchPct.toFixed(2).padStart(6)} ${`(${f.branches.covered}/${f.branches.total})`.padEnd(11)} ${f.file}`,
    );
  }
  const line = (name: string, m: { covered: number; total: number; pct: number }, min: number) =>
    `${name} ${m.pct.toFixed(2)} % (${m.covered}/${m.total}), gate ${min} %: ${m.pct >= min ? "ok" : "BELOW"}`;
  console.log(line("lines   ", result.lines, minLines));
  console.log(line("branches", result.branches, minBranches));
  if (!result.passed) {
    console.error("coverage gate failed");
    process.exit(1);
  }
  console.log("coverage gate passed");
}

if (require.main === module) main();
