/**
 * `hardhat run` entry point of the meter feeder, for environments that prefer a script to a task:
 *
 *   FEED_CSV=readings.csv FEED_KEYS=meters.json [FEED_GAS_BUDGET=10000000] [FEED_BATCH_MAX=500] \
 *     [FEED_AT=0x…] npx hardhat run scripts/feed-meters.ts --network localhost
 *
 * It runs the task `meters:feed` (see scripts/tasks/meters.ts), which is the usual way in:
 *
 *   npx hardhat meters:feed --csv readings.csv --keys meters.json --network localhost
 */
import hre from "hardhat";

async function main(): Promise<void> {
  const csv = process.env.FEED_CSV;
  const keys = process.env.FEED_KEYS;
  if (!csv || !keys)
    throw new Error("set FEED_CSV and FEED_KEYS (or use: npx hardhat meters:feed --csv … --keys …)");
  await hre.run("meters:feed", {
    csv,
    keys,
    gasBudget: process.env.FEED_GAS_BUDGET ?? "10000000",
    batchMax: process.env.FEED_BATCH_MAX ?? "500",
    concurrency: process.env.FEED_CONCURRENCY ?? "16",
    from: process.env.FEED_FROM,
    at: process.env.FEED_AT,
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
