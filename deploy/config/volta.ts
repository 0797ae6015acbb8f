import { type DeployConfig, specDefaults } from "./types";

/**
 * Energy Web Volta test network (chain 73799). Before a real deployment, replace "deployer" with the
 * addresses of the multisig (admin), the purchasing centre (issuer) and the DSO (registrar, tariffSetter,
 * grid account).
 */
const config: DeployConfig = { ...specDefaults };
export default config;
