// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBreakerGateCache, ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IOptionMarket} from "../interfaces/IOptionMarket.sol";
import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";

/// @title BreakerWiring
/// @notice The circuit breaker's two one-shot wirings: the gate cache (the OptionMarket that holds a copy of every
///         market's gate) and the flow reporter (the LiquidityVault, the only caller of the flow hooks).
/// @dev Each is written once, by the admin's `setGateCache` / `setFlowReporter` in the breaker, and only to a contract
///      whose own `breaker()` is this breaker: an address the protocol did not deploy around this breaker is refused,
///      and since neither can be rewired no role can later add a caller or redirect the copies. Storage: the two
///      addresses, one slot each, laid out after the breaker's access and pause state (this base is listed last).
abstract contract BreakerWiring is ICircuitBreaker {
    /// @dev The holder of the markets' gate copies (the OptionMarket), wired once; zero until then.
    IBreakerGateCache internal _gateCache;
    /// @dev The only caller of the flow hooks (the LiquidityVault), wired once; zero until then (every caller refused).
    address internal _flowReporter;

    /// @inheritdoc ICircuitBreaker
    function gateCache() external view returns (IBreakerGateCache) {
        return _gateCache;
    }

    /// @inheritdoc ICircuitBreaker
    function flowReporter() external view returns (address) {
        return _flowReporter;
    }

    /// @dev Wires the gate cache once (`BreakerGateCacheAlreadySet` after that) to a market over this breaker
    ///      (`BreakerInvalidGateCache` otherwise), then hands it every nonzero copy through `_pushGateCopies`.
    function _wireGateCache(IBreakerGateCache cache) internal {
        IBreakerGateCache current = _gateCache;
        if (address(current) != address(0)) revert BreakerGateCacheAlreadySet(address(current));
        address wired;
        if (address(cache).code.length != 0) {
            try IOptionMarket(address(cache)).breaker() returns (ICircuitBreaker b) {
                wired = address(b);
            } catch {
                wired = address(0); // not a market: refused below
            }
        }
        if (wired != address(this)) revert BreakerInvalidGateCache(address(cache));
        _gateCache = cache;
        emit BreakerGateCacheSet(cache);
        // The holder starts with zero copies.
        _pushGateCopies(cache);
    }

    /// @dev Wires the flow reporter once (`BreakerFlowReporterAlreadySet` after that) to a vault over this breaker
    ///      (`BreakerInvalidFlowReporter` otherwise).
    function _wireFlowReporter(address reporter) internal {
        address current = _flowReporter;
        if (current != address(0)) revert BreakerFlowReporterAlreadySet(current);
        address wired;
        if (reporter.code.length != 0) {
            try ILiquidityVault(reporter).breaker() returns (ICircuitBreaker b) {
                wired = address(b);
            } catch {
                wired = address(0); // not a vault: refused below
            }
        }
        if (wired != address(this)) revert BreakerInvalidFlowReporter(reporter);
        _flowReporter = reporter;
        emit BreakerFlowReporterSet(reporter);
    }

    /// @dev Refuses every flow hook caller but the wired reporter (all of them while none is wired). A plain address
    ///      check instead of an AccessManager round trip: the reporter is fixed once, so no role can later add one.
    function _requireFlowReporter() internal view {
        address reporter = _flowReporter;
        if (msg.sender != reporter) revert BreakerNotFlowReporter(msg.sender, reporter);
    }

    /// @dev Pushes `copy` of `market`'s gate to the cache, if one is wired (an external call to the protocol's market;
    ///      callers make it after their own writes).
    function _syncGateCopy(bytes32 market, uint256 copy) internal {
        IBreakerGateCache cache = _gateCache;
        if (address(cache) != address(0)) cache.syncBreakerGate(market, copy);
    }

    /// @dev Hands a newly wired cache every nonzero gate copy the breaker holds (bounded by its market count).
    function _pushGateCopies(IBreakerGateCache cache) internal virtual;
}
