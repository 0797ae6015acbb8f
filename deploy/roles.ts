import { id } from "ethers";

/** Role ids of the suite, as `contracts/access/Roles.sol` defines them (checked by the deploy tests). */
export const ROLE_IDS = {
  DEFAULT_ADMIN_ROLE: "0x0000000000000000000000000000000000000000000000000000000000000000",
  ISSUER_ROLE: id("ISSUER_ROLE"),
  REGISTRAR_ROLE: id("REGISTRAR_ROLE"),
  TARIFF_ROLE: id("TARIFF_ROLE"),
  PARAMS_ROLE: id("PARAMS_ROLE"),
  PAUSER_ROLE: id("PAUSER_ROLE"),
  BURNER_ROLE: id("BURNER_ROLE"),
  REWARD_MINTER_ROLE: id("REWARD_MINTER_ROLE"),
  DEBT_ROLE: id("DEBT_ROLE"),
  TRADE_SCORER_ROLE: id("TRADE_SCORER_ROLE"),
  VALIDATOR_SCORER_ROLE: id("VALIDATOR_SCORER_ROLE"),
  SETTLEMENT_ROLE: id("SETTLEMENT_ROLE"),
} as const;

export type RoleName = keyof typeof ROLE_IDS;
