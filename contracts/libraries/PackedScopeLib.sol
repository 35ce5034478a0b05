// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {BreakerModeLib} from "./BreakerModeLib.sol";

/// @notice One breaker scope's state packed into a single word (one storage slot), so the hot path of a check is one
///         SLOAD and a few shifts, without copying a struct to memory.
/// @dev Layout, from the least significant bit (field meanings in `ICircuitBreaker.ScopeState`):
///      [0, 8) manualMode | [8, 16) autoMode | [16, 24) autoReason | [24, 32) clearing | [32, 40) globalLevel |
///      [40, 56) moveLimitBps | [56, 80) window | [80, 120) windowStart | [120, 160) coolUntil | [160, 256) refPrice.
type PackedScope is uint256;

using PackedScopeLib for PackedScope global;

/// @title PackedScopeLib
/// @notice Getters of the hot-path fields of a `PackedScope`, the exact conversions to and from
///         `ICircuitBreaker.ScopeState` used by every slower path, and the market's gate copy of a scope.
/// @dev Gate copy. A one-word projection of a market scope, held by the OptionMarket (`IBreakerGateCache`) so a quiet
///      trade decides without calling the breaker. Layout from the least significant bit:
///      [0, 96) low | [96, 192) high | [192, 240) windowEnd | [240, 248) level.
///      `low`/`high` bound the quiet band: the spots `movedBeyond` accepts against the reference; `windowEnd` is the
///      first second at which the window must roll; `level` is the scope's gate level (`level`). The copy is zero,
///      meaning "ask the breaker", whenever a quiet reading could still change the scope: an automatic trip (its
///      cooldown starts or ends on a clear reading, so it must see every one) or no reference yet.
library PackedScopeLib {
    uint256 private constant _MASK_8 = 0xff;
    uint256 private constant _MASK_16 = 0xffff;
    uint256 private constant _MASK_24 = 0xffffff;
    uint256 private constant _MASK_40 = 0xffffffffff;
    uint256 private constant _MASK_48 = 0xffffffffffff;
    uint256 private constant _MASK_96 = 0xffffffffffffffffffffffff;

    uint256 private constant _AUTO_MODE = 8;
    uint256 private constant _AUTO_REASON = 16;
    uint256 private constant _CLEARING = 24;
    uint256 private constant _GLOBAL_LEVEL = 32;
    uint256 private constant _MOVE_LIMIT = 40;
    uint256 private constant _WINDOW = 56;
    uint256 private constant _WINDOW_START = 80;
    uint256 private constant _COOL_UNTIL = 120;
    uint256 private constant _REF_PRICE = 160;

    uint256 private constant _GATE_HIGH = 96;
    uint256 private constant _GATE_WINDOW_END = 192;
    uint256 private constant _GATE_LEVEL = 240;

    /// @notice The copy of the global gate (0..2 the global mode, 3 while paused).
    function globalLevel(PackedScope p) internal pure returns (uint256) {
        return (PackedScope.unwrap(p) >> _GLOBAL_LEVEL) & _MASK_8;
    }

    /// @notice Price-move limit in basis points; zero iff the scope is not a listed market.
    function moveLimitBps(PackedScope p) internal pure returns (uint256) {
        return (PackedScope.unwrap(p) >> _MOVE_LIMIT) & _MASK_16;
    }

    /// @notice Whether a reading of `spot` at time `nowTs` leaves the scope exactly as it is: no automatic trip whose
    ///         cooldown could progress, a reference inside its window, and `spot` within the limit of it.
    /// @dev The hot path of a check: one function over the word, so a quiet reading costs a few shifts.
    function isQuiet(PackedScope p, uint256 spot, uint256 nowTs) internal pure returns (bool) {
        uint256 word = PackedScope.unwrap(p);
        if ((word >> _AUTO_MODE) & _MASK_8 != 0) return false;
        uint256 ref = word >> _REF_PRICE;
        if (ref == 0) return false;
        // Cannot overflow: the sum of a 40-bit and a 24-bit field is below 2^41.
        unchecked {
            if (nowTs >= ((word >> _WINDOW_START) & _MASK_40) + ((word >> _WINDOW) & _MASK_24)) return false;
        }
        return !movedBeyond(ref, spot, (word >> _MOVE_LIMIT) & _MASK_16);
    }

    /// @notice Whether `spot` is more than `limitBps` basis points away from `ref`, compared exactly in integers.
    /// @dev A `spot` that does not fit a reference (above 2^96 - 1) counts as moved, so the slow path reports it.
    function movedBeyond(uint256 ref, uint256 spot, uint256 limitBps) internal pure returns (bool) {
        if (spot > type(uint96).max) return true;
        // Cannot overflow or underflow: the larger operand is subtracted from, `ref` and `spot` are below 2^96 and
        // the factors at most 10_000 (< 2^14), so both products stay below 2^110.
        unchecked {
            uint256 diff = spot > ref ? spot - ref : ref - spot;
            return diff * 10_000 > ref * limitBps;
        }
    }

    /// @notice What one reading of a market tells, without changing anything: whether it observes anything (an OK
    ///         reading without a price does not), whether the window restarts at `spot` (no reference yet, the window
    ///         ran out, or a move beyond the limit) and the strictest cause with the mode it calls for.
    /// @dev The breaker's one decision over a reading: its evaluations apply it, its `pokeDue` view reports it, and
    ///      `isQuiet` is its shortcut for the readings that change nothing. A FAILED reading carries no usable price.
    function observe(
        ICircuitBreaker.ScopeState memory s,
        uint256 spot,
        IOracleRouter.Status status,
        uint256 nowTs
    )
        internal
        pure
        returns (bool observed, bool restart, ICircuitBreaker.Reason cause, ICircuitBreaker.Mode causeMode)
    {
        if (status == IOracleRouter.Status.OK && spot == 0) return (false, false, cause, causeMode);
        observed = true;
        if (status == IOracleRouter.Status.FAILED) {
            return (true, false, ICircuitBreaker.Reason.ORACLE_FAILED, ICircuitBreaker.Mode.HALTED);
        }
        if (status == IOracleRouter.Status.DEGRADED) {
            (cause, causeMode) = (ICircuitBreaker.Reason.ORACLE_DEGRADED, ICircuitBreaker.Mode.REDUCE_ONLY);
        }
        if (spot != 0) {
            bool roll = s.refPrice == 0 || nowTs >= uint256(s.windowStart) + s.window;
            bool moved = !roll && movedBeyond(s.refPrice, spot, s.moveLimitBps);
            restart = roll || moved;
            if (moved && causeMode == ICircuitBreaker.Mode.ACTIVE) {
                (cause, causeMode) = (ICircuitBreaker.Reason.PRICE_MOVE, ICircuitBreaker.Mode.REDUCE_ONLY);
            }
        }
    }

    /// @notice Gate level: the strictest of the manual mode, the automatic mode and the global copy.
    function level(PackedScope p) internal pure returns (uint256 strictest) {
        uint256 word = PackedScope.unwrap(p);
        strictest = word & _MASK_8;
        uint256 automatic = (word >> _AUTO_MODE) & _MASK_8;
        if (automatic > strictest) strictest = automatic;
        uint256 global_ = (word >> _GLOBAL_LEVEL) & _MASK_8;
        if (global_ > strictest) strictest = global_;
    }

    /// @notice The same word with its global copy replaced by `newLevel` (at most 3).
    function withGlobalLevel(PackedScope p, uint256 newLevel) internal pure returns (PackedScope) {
        uint256 word = PackedScope.unwrap(p) & ~(_MASK_8 << _GLOBAL_LEVEL);
        return PackedScope.wrap(word | (newLevel << _GLOBAL_LEVEL));
    }

    /// @notice Unpacks every field.
    /// @dev The enum fields were written by `pack` from valid enums, so the conversions cannot fail.
    function unpack(PackedScope p) internal pure returns (ICircuitBreaker.ScopeState memory s) {
        uint256 word = PackedScope.unwrap(p);
        s.manualMode = ICircuitBreaker.Mode(word & _MASK_8);
        s.autoMode = ICircuitBreaker.Mode((word >> _AUTO_MODE) & _MASK_8);
        s.autoReason = ICircuitBreaker.Reason((word >> _AUTO_REASON) & _MASK_8);
        s.clearing = (word >> _CLEARING) & _MASK_8 != 0;
        s.globalLevel = uint8(word >> _GLOBAL_LEVEL);
        s.moveLimitBps = uint16(word >> _MOVE_LIMIT);
        s.window = uint24(word >> _WINDOW);
        s.windowStart = uint40(word >> _WINDOW_START);
        s.coolUntil = uint40(word >> _COOL_UNTIL);
        s.refPrice = uint96(word >> _REF_PRICE);
    }

    /// @notice Packs every field; each is already of its field's width, so nothing is truncated.
    function pack(ICircuitBreaker.ScopeState memory s) internal pure returns (PackedScope) {
        uint256 word = uint256(uint8(s.manualMode)) | (uint256(uint8(s.autoMode)) << _AUTO_MODE)
            | (uint256(uint8(s.autoReason)) << _AUTO_REASON) | ((s.clearing ? uint256(1) : 0) << _CLEARING)
            | (uint256(s.globalLevel) << _GLOBAL_LEVEL) | (uint256(s.moveLimitBps) << _MOVE_LIMIT)
            | (uint256(s.window) << _WINDOW) | (uint256(s.windowStart) << _WINDOW_START)
            | (uint256(s.coolUntil) << _COOL_UNTIL) | (uint256(s.refPrice) << _REF_PRICE);
        return PackedScope.wrap(word);
    }

    /// @notice The gate copy of a market scope (see the library's dev note); zero when only the breaker can decide.
    /// @dev Exactness. For an integer distance `diff`, `diff * 10_000 > ref * limitBps` holds iff
    ///      `diff > floor(ref * limitBps / 10_000)`, so the band [ref - d, ref + d] with that floor `d`, capped at
    ///      2^96 - 1 (a larger spot counts as moved), holds exactly the spots `movedBeyond` accepts. Hence
    ///      `gatePasses(gateCopy(p), ...)` implies `isQuiet(p, ...)` and an allowed class at `level(p)`.
    function gateCopy(PackedScope p) internal pure returns (uint256) {
        uint256 word = PackedScope.unwrap(p);
        uint256 ref = word >> _REF_PRICE;
        if ((word >> _AUTO_MODE) & _MASK_8 != 0 || ref == 0) return 0;
        // Cannot overflow or underflow: ref < 2^96 and limitBps <= 5_000, so d <= ref / 2 and ref + d < 2^97; the sum
        // of a 40-bit and a 24-bit field is below 2^41, inside the 48-bit field.
        unchecked {
            uint256 d = (ref * ((word >> _MOVE_LIMIT) & _MASK_16)) / 10_000;
            uint256 high = ref + d;
            if (high > _MASK_96) high = _MASK_96;
            uint256 windowEnd = ((word >> _WINDOW_START) & _MASK_40) + ((word >> _WINDOW) & _MASK_24);
            return (ref - d) | (high << _GATE_HIGH) | (windowEnd << _GATE_WINDOW_END) | (level(p) << _GATE_LEVEL);
        }
    }

    /// @notice Whether a gate copy lets `cls` through on the reading (`spot`, `status`) at `nowTs` without asking the
    ///         breaker: status OK, the window still running, `spot` inside the quiet band and `cls` allowed at the
    ///         copied level. False means "ask the breaker" (it evaluates, and refuses with its own error).
    /// @dev The market's hot path: one word, a few shifts. A zero copy never passes (its window ended at time 0).
    function gatePasses(
        uint256 gate,
        ICircuitBreaker.ActionClass cls,
        uint256 spot,
        IOracleRouter.Status status,
        uint256 nowTs
    ) internal pure returns (bool) {
        if (status != IOracleRouter.Status.OK || nowTs >= (gate >> _GATE_WINDOW_END) & _MASK_48) return false;
        if (spot < gate & _MASK_96 || spot > (gate >> _GATE_HIGH) & _MASK_96) return false;
        return BreakerModeLib.allowed(gate >> _GATE_LEVEL, cls);
    }
}
