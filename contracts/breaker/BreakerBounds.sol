// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title BreakerBounds
/// @notice The immutable bounds of the circuit breaker's risk parameters, and the checks every setter runs. No
///         storage: the breaker's layout is its own.
abstract contract BreakerBounds {
    /// @notice Bounds of a market's price-move limit, in basis points of the reference price.
    uint16 public constant MIN_MOVE_LIMIT_BPS = 100;
    uint16 public constant MAX_MOVE_LIMIT_BPS = 5_000;
    /// @notice Bounds of a market's price-move window, in seconds.
    uint24 public constant MIN_WINDOW = 1 minutes;
    uint24 public constant MAX_WINDOW = 1 days;
    /// @notice Bounds of the outflow refill period, in seconds.
    uint24 public constant MIN_REFILL_PERIOD = 1 hours;
    uint24 public constant MAX_REFILL_PERIOD = 7 days;
    /// @notice Bounds of the utilisation cap, WAD.
    uint64 public constant MIN_UTILISATION_CAP = 0.5e18;
    uint64 public constant MAX_UTILISATION_CAP = 1e18;
    /// @notice Bounds of the cooldown of automatic trips, in seconds.
    uint32 public constant MIN_COOLDOWN = 5 minutes;
    uint32 public constant MAX_COOLDOWN = 1 days;

    /// @dev Reverts with `BreakerParameterOutOfBounds` unless `min <= value <= max`.
    function _requireInBounds(ICircuitBreaker.Parameter parameter, uint256 value, uint256 min, uint256 max)
        internal
        pure
    {
        if (value < min || value > max) revert ICircuitBreaker.BreakerParameterOutOfBounds(parameter, value, min, max);
    }

    /// @dev Bounds of a market's price-move parameters.
    function _requirePriceMoveParams(uint16 moveLimitBps, uint24 window) internal pure {
        _requireInBounds(ICircuitBreaker.Parameter.PRICE_MOVE_LIMIT, moveLimitBps, MIN_MOVE_LIMIT_BPS, MAX_MOVE_LIMIT_BPS);
        _requireInBounds(ICircuitBreaker.Parameter.PRICE_MOVE_WINDOW, window, MIN_WINDOW, MAX_WINDOW);
    }
}
