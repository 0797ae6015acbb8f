import { type DeployConfig, specDefaults } from "./types";

/**
 * Sepolia test network. Before a real deployment, replace "deployer" with the addresses of the
 * multisig (admin), the purchasing centre (issuer) and the DSO (registrar, tariffSetter, grid account).
 */
const config: DeployConfig = { ...specDefaults };
export default config;
