/**
 * The typed deployment configuration of the suite: one file per network in this folder
 * (`hardhat.ts`, `localhost.ts`, `sepolia.ts`, `volta.ts`, `custom.ts`), chosen by network name.
 *
 * Accounts are addresses, or `"deployer"` for the account that sends the deployment. Prices are
 * decimal strings in TRC per kWh; times are seconds.
 */
export type AccountRef = `0x${string}` | "deployer";

export interface DeployConfig {
  /** Holder of DEFAULT_ADMIN_ROLE after deployment (a timelock or multisig on real networks). */
  admin: AccountRef;
  /** Purchasing centre: ISSUER_ROLE on the trust coin. */
  issuer: AccountRef;
  /** DSO as registrar: REGISTRAR_ROLE on the registry. */
  registrar: AccountRef;
  /** DSO as tariff setter: TARIFF_ROLE on the registry. */
  tariffSetter: AccountRef;
  /** PARAMS_ROLE on every contract with parameters. */
  paramsAdmin: AccountRef;
  /** PAUSER_ROLE on the registry (the suite-wide pause switch). */
  pauser: AccountRef;
  /** The grid account: residual counterparty and supplier of last resort. */
  gridAccount: AccountRef;
  clock: {
    /** Unix time of slot 0, or "auto": the latest block's time rounded down to a slot, fixed at first deploy. */
    genesis: number | "auto";
    slotLengthSec: number;
    /** Seconds before a slot's start at which its book closes. */
    gateLeadSec: number;
    /** How many slots ahead orders are accepted (the order horizon). */
    maxLeadSlots: number;
  };
  maxMicrogrids: number;
  /** Slots per consensus epoch (SPEC §6.2), fixed at deployment like the clock. */
  epochSlots: number;
  /** The initial tariff, in TRC per kWh, valid from slot 0. */
  tariff: { gridBuyPricePerKWh: string; gridSellPricePerKWh: string };
}

/** Defaults of SPEC §2–§4, shared by the network files. */
export const specDefaults: DeployConfig = {
  admin: "deployer",
  issuer: "deployer",
  registrar: "deployer",
  tariffSetter: "deployer",
  paramsAdmin: "deployer",
  pauser: "deployer",
  gridAccount: "deployer",
  clock: { genesis: "auto", slotLengthSec: 900, gateLeadSec: 900, maxLeadSlots: 96 },
  maxMicrogrids: 64,
  epochSlots: 10,
  tariff: { gridBuyPricePerKWh: "0.30", gridSellPricePerKWh: "0.08" },
};
