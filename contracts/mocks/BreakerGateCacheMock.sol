// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBreakerGateCache, ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {PackedScopeLib} from "../libraries/PackedScopeLib.sol";

/// @title BreakerGateCacheMock
/// @notice A gated contract that holds the breaker's gate copies the way the OptionMarket does, for the breaker's
///         tests: `act` decides from the copy and calls `checkAction` only when the copy does not let the action
///         through; `actUnchecked` is the gas baseline. Never deployed by deploy/.
/// @dev Every entry bumps a counter, so the checked and unchecked variants do the same work besides the check.
contract BreakerGateCacheMock is IBreakerGateCache {
    /// @notice The breaker that pushes the copies and is asked when a copy does not decide.
    ICircuitBreaker public immutable breaker;
    /// @notice Number of actions that went through.
    uint256 public actions;
    /// @notice Number of actions that called the breaker.
    uint256 public breakerCalls;
    mapping(bytes32 market => uint256 gate) private _gates;

    constructor(ICircuitBreaker breaker_) {
        breaker = breaker_;
        actions = 1; // nonzero from the start so every action writes nonzero to nonzero
        breakerCalls = 1;
    }

    /// @inheritdoc IBreakerGateCache
    function syncBreakerGate(bytes32 market, uint256 gate) external {
        if (msg.sender != address(breaker)) revert MarketBreakerGateUnauthorized(msg.sender, address(breaker));
        _gates[market] = gate;
        emit MarketBreakerGateSynced(market, gate);
    }

    /// @notice A market-scoped action of class `cls` with the reading (`spot`, `status`), gated like a trade.
    function act(bytes32 market, ICircuitBreaker.ActionClass cls, uint256 spot, IOracleRouter.Status status) external {
        if (!PackedScopeLib.gatePasses(_gates[market], cls, spot, status, block.timestamp)) {
            breaker.checkAction(market, cls, spot, status);
            ++breakerCalls;
        }
        ++actions;
    }

    /// @notice The same action without any check (the gas baseline).
    function actUnchecked(bytes32, ICircuitBreaker.ActionClass, uint256, IOracleRouter.Status) external {
        ++actions;
    }

    /// @inheritdoc IBreakerGateCache
    function breakerGate(bytes32 market) external view returns (uint256) {
        return _gates[market];
    }
}
