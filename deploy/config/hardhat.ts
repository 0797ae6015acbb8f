import { type DeployConfig, specDefaults } from "./types";

/** The in-process Hardhat network: every role with the deployer, spec defaults. */
const config: DeployConfig = { ...specDefaults };
export default config;
