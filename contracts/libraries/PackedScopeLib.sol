// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @notice One breaker scope's state packed into a single word (one storage slot), so the hot path of a check is one
///         SLOAD and a few shifts, without copying a struct to memory.
/// @dev Layout, from the least significant bit (field meanings in `ICircuitBreaker.ScopeState`):
///      [0, 8) manualMode | [8, 16) autoMode | [16, 24) autoReason | [24, 32) clearing | [32, 40) globalLevel |
///      [40, 56) moveLimitBps | [56, 80) window | [80, 120) windowStart | [120, 160) coolUntil | [160, 256) refPrice.
type PackedScope is uint256;

using PackedScopeLib for PackedScope global;

/// @title PackedScopeLib
/// @notice Getters of the hot-path fields of a `PackedScope`, and the exact conversions to and from
///         `ICircuitBreaker.ScopeState` used by every slower path.
library PackedScopeLib {
    uint256 private constant _MASK_8 = 0xff;
    uint256 private constant _MASK_16 = 0xffff;
    uint256 private constant _MASK_24 = 0xffffff;
    uint256 private constant _MASK_40 = 0xffffffffff;

    uint256 private constant _AUTO_MODE = 8;
    uint256 private constant _AUTO_REASON = 16;
    uint256 private constant _CLEARING = 24;
    uint256 private constant _GLOBAL_LEVEL = 32;
    uint256 private constant _MOVE_LIMIT = 40;
    uint256 private constant _WINDOW = 56;
    uint256 private constant _WINDOW_START = 80;
    uint256 private constant _COOL_UNTIL = 120;
    uint256 private constant _REF_PRICE = 160;

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
}
