// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IBreakerPauseListener, ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title BreakerPauseListenerMock
/// @notice A gated contract that holds the breaker's pause copy the way the MarginEngine does, for the breaker's
///         tests: it records every push (`syncBreakerPause`), can be switched to revert on the next pushes, and `exit`
///         decides an EXIT from the copy like the engine's `settle`. Never deployed by deploy/.
/// @dev Like the engine, it accepts pushes from its breaker only, and asks the breaker whenever its copy does not say
///      "unpaused" (never told, or told "paused").
contract BreakerPauseListenerMock is IBreakerPauseListener {
    /// @notice Emitted for every accepted push; `count` is the number of pushes so far, this one included.
    event BreakerPauseListenerMockSynced(bool paused, uint256 count);
    /// @notice Emitted when a test switches the revert mode on or off.
    event BreakerPauseListenerMockRevertingSet(bool reverting);

    /// @dev Fires in `syncBreakerPause` when anyone but the breaker pushes.
    error BreakerPauseListenerMockUnauthorized(address caller, address breaker);
    /// @dev Fires in `syncBreakerPause` while `setReverting(true)` is on; `paused` is the value pushed.
    error BreakerPauseListenerMockReverted(bool paused);

    /// @notice The breaker that pushes the copy and is asked when the copy does not say "unpaused".
    ICircuitBreaker public immutable breaker;
    /// @notice Number of pushes accepted.
    uint256 public syncCount;
    /// @notice The value of the last accepted push (false before any).
    bool public lastPaused;
    /// @notice The breaker's own `paused()` read during the last accepted push (its state is written before it pushes).
    bool public breakerPausedAtLastSync;
    /// @notice Whether the last push said "unpaused" (false before any push: ask the breaker).
    bool public reportedUnpaused;
    /// @notice Whether every push reverts.
    bool public reverting;
    /// @notice Number of exits that went through.
    uint256 public exits;
    /// @notice Number of exits that called the breaker.
    uint256 public breakerCalls;

    constructor(ICircuitBreaker breaker_) {
        breaker = breaker_;
    }

    /// @inheritdoc IBreakerPauseListener
    /// @dev Reverts with `BreakerPauseListenerMockUnauthorized` for any caller but the breaker, and with
    ///      `BreakerPauseListenerMockReverted` while the revert mode is on.
    function syncBreakerPause(bool paused) external {
        if (msg.sender != address(breaker)) {
            revert BreakerPauseListenerMockUnauthorized(msg.sender, address(breaker));
        }
        if (reverting) revert BreakerPauseListenerMockReverted(paused);
        uint256 count = syncCount + 1;
        syncCount = count;
        lastPaused = paused;
        breakerPausedAtLastSync = Pausable(address(breaker)).paused();
        reportedUnpaused = !paused;
        emit BreakerPauseListenerMockSynced(paused, count);
    }

    /// @notice Makes every later push revert (true) or succeed again (false). Unrestricted: tests only.
    function setReverting(bool reverting_) external {
        reverting = reverting_;
        emit BreakerPauseListenerMockRevertingSet(reverting_);
    }

    /// @notice An EXIT on `market` without a reading, gated like the engine's `settle`: the breaker is asked unless
    ///         the copy says "unpaused".
    function exit(bytes32 market) external {
        if (!reportedUnpaused) {
            breaker.checkAction(market, ICircuitBreaker.ActionClass.EXIT, 0, IOracleRouter.Status.OK);
            ++breakerCalls;
        }
        ++exits;
    }
}
