/**
 * Regenerates the committed gas report, reports/gas/GAS.md:
 *   1. contract sizes against the EIP-170 limit (24 KiB), from the compiled artifacts;
 *   2. every benchmark script `scripts/bench/*-gas.ts` (each writes its own reports/gas/<name>.json
 *      and prints a markdown table, embedded here);
 *   3. gas per method and per deployment over the whole test suite (hardhat-gas-reporter, offline,
 *      fast-check seeded with FC_SEED=1 so the figures are repeatable).
 *
 *   npm run gas
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const OUT_DIR = path.join(ROOT, "reports", "gas");
const EIP170_LIMIT = 24_576;

function run(args: string[], env: Record<string, string> = {}): string {
  return execFileSync("npx", args, {
    cwd: ROOT,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 256 * 1024 * 1024,
  });
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
    );
}

function contractSizes(): string {
  const rows: string[] = ["| contract | deployed bytes | of 24 KiB |", "|---|---:|---:|"];
  const artifacts = listFiles(path.join(ROOT, "artifacts", "contracts"))
    .filter((f) => f.endsWith(".json") && !f.endsWith(".dbg.json"))
    .filter((f) => !f.includes(`${path.sep}contracts${path.sep}test${path.sep}`))
    .sort();
  for (const file of artifacts) {
    const artifact = JSON.parse(fs.readFileSync(file, "utf8")) as {
      contractName: string;
      deployedBytecode: string;
    };
    // Not deployed: interfaces (no code) and libraries of internal functions only, which compile to a
    // stub of under 100 bytes that reverts on any call. (Linked libraries such as LinkedOrderBook are
    // deployed and listed, although their storage-pointer functions do not appear in the ABI.)
    const bytes = (artifact.deployedBytecode.length - 2) / 2;
    if (bytes < 100) continue;
    rows.push(`| ${artifact.contractName} | ${bytes} | ${((100 * bytes) / EIP170_LIMIT).toFixed(1)} % |`);
  }
  return rows.join("\n");
}

function main(): void {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  console.log("compiling…");
  run(["hardhat", "compile", "--quiet"]);
  const sizes = contractSizes();

  const benches = fs
    .readdirSync(path.join(ROOT, "scripts", "bench"))
    .filter((f) => f.endsWith("-gas.ts"))
    .sort();
  const benchSections: string[] = [];
  for (const bench of benches) {
    console.log(`running scripts/bench/${bench}…`);
    const output = run(["hardhat", "run", path.join("scripts", "bench", bench)]).trim();
    benchSections.push(
      `### ${bench.replace(/-gas\.ts$/, "")} (\`npx hardhat run scripts/bench/${bench}\`)\n\n${output}`,
    );
  }

  console.log("running the test suite with the gas reporter…");
  run(["hardhat", "test"], { REPORT_GAS: "true", FC_SEED: "1" });
  const methods = fs.readFileSync(path.join(OUT_DIR, "methods.md"), "utf8").trim();

  const report = [
    "# Gas report",
    "",
    "Regenerate with `npm run gas` (solc 0.8.28, optimizer 200 runs (EnergyMarket 100, to stay under 24 KiB), EVM cancun, in-process Hardhat network).",
    "Benchmarks state what they measure; the method table includes the 21 000 intrinsic gas and calldata.",
    "",
    "## Contract sizes",
    "",
    sizes,
    "",
    "## Benchmarks",
    "",
    benchSections.join("\n\n"),
    "",
    "## Gas per method over the test suite",
    "",
    methods,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(OUT_DIR, "GAS.md"), report);
  console.log(`wrote ${path.relative(ROOT, path.join(OUT_DIR, "GAS.md"))}`);
}

main();
