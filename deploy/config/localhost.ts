import { type DeployConfig, specDefaults } from "./types";

/** `npx hardhat node` on 127.0.0.1:8545: every role with the deployer, spec defaults. */
const config: DeployConfig = { ...specDefaults };
export default config;
