// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title BreakerModeLib
/// @notice The mode algebra of the circuit breaker: what each gate level allows, how a scope's manual and automatic
///         components combine into its mode and reason, and the step of its automatic state machine. Pure; no storage.
/// @dev Gate levels: 0 ACTIVE, 1 REDUCE_ONLY, 2 HALTED (the `ICircuitBreaker.Mode` values) and 3 paused.
library BreakerModeLib {
    /// @notice Gate level meaning "paused", above HALTED.
    uint256 internal constant PAUSED_LEVEL = 3;

    /// @notice Allowed table: bit (level * 4 + class) is set when `class` is allowed at `level`.
    /// @dev ACTIVE 0b1111 (all), REDUCE_ONLY 0b1110 (all but RISK_INCREASING), HALTED 0b1100 (EXIT, VIEW),
    ///      paused 0b1000 (VIEW only). Classes: RISK_INCREASING 0, RISK_REDUCING 1, EXIT 2, VIEW 3.
    uint256 internal constant ALLOWED = 0x8CEF;

    /// @notice One step of the automatic state machine of a scope (see `nextStep`).
    enum Step {
        NONE,
        ESCALATE,
        INTERRUPT,
        START_COOLDOWN,
        LIFT
    }

    /// @notice Whether `cls` is allowed at gate `level` (one lookup in `ALLOWED`).
    function allowed(uint256 level, ICircuitBreaker.ActionClass cls) internal pure returns (bool) {
        // Cannot overflow: callers pass level <= 3 and cls <= 3, so the shift is at most 15.
        unchecked {
            return (ALLOWED >> (level * 4 + uint256(cls))) & 1 == 1;
        }
    }

    /// @notice A scope's own mode: the stricter of its manual and automatic components.
    function ownMode(ICircuitBreaker.ScopeState memory s) internal pure returns (ICircuitBreaker.Mode) {
        return s.manualMode >= s.autoMode ? s.manualMode : s.autoMode;
    }

    /// @notice The reason of a scope's own mode: NONE when ACTIVE, GUARDIAN when the manual component is at least
    ///         as strict as the automatic one, the automatic cause otherwise.
    function ownReason(ICircuitBreaker.ScopeState memory s) internal pure returns (ICircuitBreaker.Reason) {
        if (s.manualMode == ICircuitBreaker.Mode.ACTIVE && s.autoMode == ICircuitBreaker.Mode.ACTIVE) {
            return ICircuitBreaker.Reason.NONE;
        }
        return s.manualMode >= s.autoMode ? ICircuitBreaker.Reason.GUARDIAN : s.autoReason;
    }

    /// @notice Effective mode and reason from a scope's own slot: its own mode, or the global copy (reason GLOBAL)
    ///         when that is stricter. Callers handle the paused level before.
    function effective(ICircuitBreaker.ScopeState memory s)
        internal
        pure
        returns (ICircuitBreaker.Mode, ICircuitBreaker.Reason)
    {
        ICircuitBreaker.Mode own = ownMode(s);
        if (s.globalLevel > uint8(own)) return (ICircuitBreaker.Mode(s.globalLevel), ICircuitBreaker.Reason.GLOBAL);
        return (own, ownReason(s));
    }

    /// @notice The step the automatic state machine takes on an evaluation whose observed causes call for
    ///         `causeMode` at time `nowTs`. ACTIVE means the evaluation observed every cause of the scope and saw none.
    /// @dev The one decision both the breaker's evaluations (which apply it) and its `pokeDue` view (which reports
    ///      it) use:
    ///      - cause stricter than the automatic mode: ESCALATE (and cancel any cooldown);
    ///      - cause seen during a cooldown: INTERRUPT it;
    ///      - no cause, tripped, no cooldown yet: START_COOLDOWN;
    ///      - no cause, cooldown over: LIFT to ACTIVE.
    function nextStep(ICircuitBreaker.ScopeState memory s, ICircuitBreaker.Mode causeMode, uint256 nowTs)
        internal
        pure
        returns (Step)
    {
        if (causeMode != ICircuitBreaker.Mode.ACTIVE) {
            if (causeMode > s.autoMode) return Step.ESCALATE;
            return s.clearing ? Step.INTERRUPT : Step.NONE;
        }
        if (s.autoMode == ICircuitBreaker.Mode.ACTIVE) return Step.NONE;
        if (!s.clearing) return Step.START_COOLDOWN;
        return nowTs < s.coolUntil ? Step.NONE : Step.LIFT;
    }
}
