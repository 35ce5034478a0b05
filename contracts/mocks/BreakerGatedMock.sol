// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title BreakerGatedMock
/// @notice A tiny gated contract for the circuit breaker's tests: one "trade" with and without the breaker check (to
///         measure what the check adds), an account-level action and the vault hooks. Never deployed by deploy/.
/// @dev Every entry bumps a counter, so the checked and unchecked variants do the same work besides the check.
contract BreakerGatedMock {
    /// @notice The breaker asked before every checked action.
    ICircuitBreaker public immutable breaker;
    /// @notice Number of actions that went through.
    uint256 public actions;

    constructor(ICircuitBreaker breaker_) {
        breaker = breaker_;
        actions = 1; // nonzero from the start so every action writes nonzero to nonzero
    }

    /// @notice A market-scoped action of class `cls`, checked by the breaker with the reading (`spot`, `status`).
    function act(bytes32 market, ICircuitBreaker.ActionClass cls, uint256 spot, IOracleRouter.Status status) external {
        breaker.checkAction(market, cls, spot, status);
        ++actions;
    }

    /// @notice The same action without the breaker check (the gas baseline).
    function actUnchecked(bytes32, ICircuitBreaker.ActionClass, uint256, IOracleRouter.Status) external {
        ++actions;
    }

    /// @notice An account-level action of class `cls`, checked on the global scope.
    function actGlobal(ICircuitBreaker.ActionClass cls) external {
        breaker.checkGlobal(cls);
        ++actions;
    }

    /// @notice A vault withdrawal of `assets`: records the outflow.
    function withdraw(uint256 assets) external {
        breaker.recordOutflow(assets);
        ++actions;
    }

    /// @notice A vault withdrawal of `assets` through the non-reverting hook; returns what the breaker answered.
    function tryWithdraw(uint256 assets) external returns (bool recorded, uint256 available) {
        (recorded, available) = breaker.tryRecordOutflow(assets);
        ++actions;
    }

    /// @notice The same withdrawal without the hook (the gas baseline).
    function withdrawUnchecked(uint256) external {
        ++actions;
    }

    /// @notice A vault deposit of `assets`: records the inflow.
    function deposit(uint256 assets) external {
        breaker.recordInflow(assets);
        ++actions;
    }
}
