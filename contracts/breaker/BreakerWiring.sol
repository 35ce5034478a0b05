// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBreakerGateCache, IBreakerPauseListener, ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title BreakerWiring
/// @notice The circuit breaker's three one-shot wirings: the gate cache (the OptionMarket that holds a copy of every
///         market's gate), the flow reporter (the LiquidityVault, the only caller of the flow hooks) and the pause
///         listener (the MarginEngine, which holds a copy of the pause for settlement).
/// @dev Each is written once, by the admin's `setGateCache` / `setFlowReporter` / `setPauseListener` in the breaker,
///      and only to a contract whose own `breaker()` is this breaker: an address the protocol did not deploy around
///      this breaker is refused, and since none can be rewired no role can later add a caller or redirect the copies.
///      Storage: the three addresses, one slot each, laid out after the breaker's access and pause state (this base
///      is listed last).
abstract contract BreakerWiring is ICircuitBreaker {
    /// @dev The holder of the markets' gate copies (the OptionMarket), wired once; zero until then.
    IBreakerGateCache internal _gateCache;
    /// @dev The only caller of the flow hooks (the LiquidityVault), wired once; zero until then (every caller refused).
    address internal _flowReporter;
    /// @dev The holder of the pause copy (the MarginEngine), wired once; zero until then.
    IBreakerPauseListener internal _pauseListener;

    /// @inheritdoc ICircuitBreaker
    function gateCache() external view returns (IBreakerGateCache) {
        return _gateCache;
    }

    /// @inheritdoc ICircuitBreaker
    function flowReporter() external view returns (address) {
        return _flowReporter;
    }

    /// @inheritdoc ICircuitBreaker
    function pauseListener() external view returns (IBreakerPauseListener) {
        return _pauseListener;
    }

    /// @dev Wires the gate cache once (`BreakerGateCacheAlreadySet` after that) to a market over this breaker
    ///      (`BreakerInvalidGateCache` otherwise), then hands it every nonzero copy through `_pushGateCopies`.
    function _wireGateCache(IBreakerGateCache cache) internal {
        IBreakerGateCache current = _gateCache;
        if (address(current) != address(0)) revert BreakerGateCacheAlreadySet(address(current));
        if (_breakerOf(address(cache)) != address(this)) revert BreakerInvalidGateCache(address(cache));
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
        if (_breakerOf(reporter) != address(this)) revert BreakerInvalidFlowReporter(reporter);
        _flowReporter = reporter;
        emit BreakerFlowReporterSet(reporter);
    }

    /// @dev Wires the pause listener once (`BreakerPauseListenerAlreadySet` after that) to a holder over this breaker
    ///      (`BreakerInvalidPauseListener` otherwise), then tells it the current pause state.
    function _wirePauseListener(IBreakerPauseListener listener, bool paused_) internal {
        IBreakerPauseListener current = _pauseListener;
        if (address(current) != address(0)) revert BreakerPauseListenerAlreadySet(address(current));
        if (_breakerOf(address(listener)) != address(this)) revert BreakerInvalidPauseListener(address(listener));
        _pauseListener = listener;
        emit BreakerPauseListenerSet(listener);
        listener.syncBreakerPause(paused_);
    }

    /// @dev Tells the pause listener, if one is wired, the new pause state (an external call to the protocol's
    ///      engine; callers make it after their own writes).
    function _syncPause(bool paused_) internal {
        IBreakerPauseListener listener = _pauseListener;
        if (address(listener) != address(0)) listener.syncBreakerPause(paused_);
    }

    /// @dev The `breaker()` a candidate (market, vault or engine: each has that view) reports, or zero for an address
    ///      without code or without that view (refused by the caller).
    function _breakerOf(address candidate) private view returns (address wired) {
        if (candidate.code.length == 0) return address(0);
        try IBreakerPauseListener(candidate).breaker() returns (ICircuitBreaker b) {
            wired = address(b);
        } catch {
            wired = address(0);
        }
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
