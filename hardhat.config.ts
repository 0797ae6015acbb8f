import path from "node:path";
import { subtask, vars } from "hardhat/config";
import type { HardhatUserConfig, NetworkUserConfig } from "hardhat/types";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";

import "./scripts/tasks";

/** The one compiler version of the suite; `solc` in package.json is pinned to exactly this. */
export const SOLC_VERSION = "0.8.28";

// Offline compiler: serve the npm `solc` package (soljson.js) through tools/solc, a native-solc
// look-alike that has no input-size limit (see the comment at the top of tools/solc).
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solcjs = require("solc") as { version(): string };
  return {
    compilerPath: path.join(__dirname, "tools", "solc"),
    isSolcJs: false,
    version: SOLC_VERSION,
    longVersion: solcjs.version(),
  };
});

/** A JSON-RPC network from Hardhat configuration variables (`npx hardhat vars set NAME`). */
function rpcNetwork(prefix: string, chainId: number): NetworkUserConfig | undefined {
  const url = vars.get(`${prefix}_RPC_URL`, "");
  if (url === "") return undefined;
  const key = vars.get("DEPLOYER_PRIVATE_KEY", "");
  return { url, chainId, accounts: key === "" ? [] : [key] };
}

const networks: HardhatUserConfig["networks"] = {
  hardhat: { chainId: 31337 },
  // LOCALHOST_RPC_URL lets tests point `localhost` at a node they started on another port.
  localhost: { url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545", chainId: 31337 },
};
const sepolia = rpcNetwork("SEPOLIA", 11155111);
if (sepolia) networks.sepolia = sepolia;
const volta = rpcNetwork("VOLTA", 73799);
if (volta) networks.volta = volta;
// Any other JSON-RPC network: CUSTOM_RPC_URL and CUSTOM_CHAIN_ID.
const customChainId = Number(vars.get("CUSTOM_CHAIN_ID", "0"));
const custom = customChainId > 0 ? rpcNetwork("CUSTOM", customChainId) : undefined;
if (custom) networks.custom = custom;

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      { version: SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } },
    ],
    // The market is the largest contract (it holds every book and all the money): optimised for fewer runs
    // so that it stays under the 24 KiB limit with room to spare (reports/gas/GAS.md lists the sizes).
    overrides: {
      "contracts/market/EnergyMarket.sol": {
        version: SOLC_VERSION,
        settings: { optimizer: { enabled: true, runs: 100 }, evmVersion: "cancun" },
      },
    },
  },
  networks,
  paths: { sources: "contracts", tests: "test", cache: "cache", artifacts: "artifacts" },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  // `npm run gas` (scripts/bench/gas-report.ts) turns this on and embeds the table in reports/gas/GAS.md.
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
    currency: "EUR",
    tokenPrice: "3000",
    gasPrice: 10,
    reportFormat: "markdown",
    outputFile: "reports/gas/methods.md",
    noColors: true,
    excludeContracts: ["contracts/test/"],
    reportPureAndViewMethods: false,
  },
  mocha: { timeout: 600_000 },
};

export default config;
