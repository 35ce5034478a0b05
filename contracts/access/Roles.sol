// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Roles
/// @notice Role ids used with OpenZeppelin's AccessManager across every Bulwark contract.
/// @dev ADMIN is the AccessManager's own ADMIN_ROLE (id 0) and is granted with an execution delay, so every
///      admin action is a timelocked schedule/execute pair. RISK sets parameters, each inside immutable hard
///      bounds. GUARDIAN trips breakers, pauses, corrects a proposed settlement price inside its band and
///      cancels scheduled admin operations. GATED is held, without delay, by the protocol's own contracts that the
///      circuit breaker guards (OptionMarket, MarginEngine, Liquidation, LiquidityVault): only they may call the
///      breaker's state-changing hooks, and admitting a new one goes through the admin's delay. No role can move
///      user funds.
library Roles {
    uint64 internal constant ADMIN = 0;
    uint64 internal constant RISK = 1;
    uint64 internal constant GUARDIAN = 2;
    uint64 internal constant GATED = 3;
}
