// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Roles
/// @notice The role identifiers of the GridTrust suite (SPEC §1). Governance roles are held by people
/// (behind a timelock or multisig on real networks); suite roles are held by the suite's own contracts
/// and are granted by the deploy step only.
library Roles {
    // ---- governance ----
    /// @dev Mints trust coin against fiat received by a purchasing centre.
    bytes32 internal constant ISSUER_ROLE = keccak256("ISSUER_ROLE");
    /// @dev The DSO as registrar: participants, microgrids, meters, suspension, the grid account.
    bytes32 internal constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @dev The DSO as tariff setter: grid buy and sell prices.
    bytes32 internal constant TARIFF_ROLE = keccak256("TARIFF_ROLE");
    /// @dev Changes validated parameters.
    bytes32 internal constant PARAMS_ROLE = keccak256("PARAMS_ROLE");
    /// @dev Pauses and unpauses new orders and new validator joins (never settlement or withdrawals).
    bytes32 internal constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    // ---- suite (contracts only) ----
    /// @dev Burns its own coins into the reward budget (market, validator registry).
    bytes32 internal constant BURNER_ROLE = keccak256("BURNER_ROLE");
    /// @dev Mints block rewards out of the reward budget (consensus).
    bytes32 internal constant REWARD_MINTER_ROLE = keccak256("REWARD_MINTER_ROLE");
    /// @dev Sets and clears a participant's debt flag (settlement).
    bytes32 internal constant DEBT_ROLE = keccak256("DEBT_ROLE");
    /// @dev Writes trader scores (settlement).
    bytes32 internal constant TRADE_SCORER_ROLE = keccak256("TRADE_SCORER_ROLE");
    /// @dev Writes validator scores (consensus).
    bytes32 internal constant VALIDATOR_SCORER_ROLE = keccak256("VALIDATOR_SCORER_ROLE");
    /// @dev Ejects equivocating validators from the validator registry (consensus).
    bytes32 internal constant CONSENSUS_ROLE = keccak256("CONSENSUS_ROLE");
    /// @dev Releases a participant-slot's reserve in the market once it is settled (settlement).
    bytes32 internal constant SETTLEMENT_ROLE = keccak256("SETTLEMENT_ROLE");
}
