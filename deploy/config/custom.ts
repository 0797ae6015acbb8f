import { type DeployConfig, specDefaults } from "./types";

/** Any JSON-RPC network given by CUSTOM_RPC_URL and CUSTOM_CHAIN_ID (Hardhat configuration variables). */
const config: DeployConfig = { ...specDefaults };
export default config;
