// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title FixedPointMath
/// @notice WAD (1e18) fixed-point helpers whose names state their rounding direction, and integer square roots.
/// @dev Every helper is exact up to the one rounding step its name announces: `Down` returns the floor of the exact
///      result, `Up` its ceiling. Products are formed in 512 bits, so `x * y` may exceed 2^256 as long as the final
///      quotient fits. Rounding direction is the caller's tool for favouring the protocol: round liabilities up,
///      credits down.
library FixedPointMath {
    /* ------------------------------------------------------------------ */
    /*                               ERRORS                               */
    /* ------------------------------------------------------------------ */

    /// @dev Fires when a division helper is asked to divide `x * y` by zero (`y` is `WAD` for `divWad*`).
    error FixedPointMathDivisionByZero(uint256 x, uint256 y);

    /// @dev Fires when the rounded result of `x * y / denominator` does not fit in 256 bits.
    error FixedPointMathMulDivOverflow(uint256 x, uint256 y, uint256 denominator);

    /// @dev Fires when `sqrtWadDown(x)` cannot scale `x` by `WAD` in 256 bits (`x > max`).
    error FixedPointMathSqrtWadOverflow(uint256 x, uint256 max);

    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @notice One unit in 18-decimal fixed point.
    uint256 internal constant WAD = 1e18;

    /// @notice The largest input `sqrtWadDown` accepts.
    uint256 internal constant MAX_SQRT_WAD_INPUT = type(uint256).max / WAD;

    /* ------------------------------------------------------------------ */
    /*                          MULTIPLY / DIVIDE                         */
    /* ------------------------------------------------------------------ */

    /// @notice floor(x * y / denominator), with a 512-bit intermediate product.
    /// @dev Reverts with `FixedPointMathDivisionByZero` or `FixedPointMathMulDivOverflow`.
    function mulDivDown(uint256 x, uint256 y, uint256 denominator) internal pure returns (uint256) {
        if (denominator == 0) revert FixedPointMathDivisionByZero(x, y);
        (uint256 high, ) = Math.mul512(x, y);
        // The quotient fits in 256 bits iff the high word of the product is below the denominator.
        if (high >= denominator) revert FixedPointMathMulDivOverflow(x, y, denominator);
        return Math.mulDiv(x, y, denominator);
    }

    /// @notice ceil(x * y / denominator), with a 512-bit intermediate product.
    /// @dev Reverts with `FixedPointMathDivisionByZero` or `FixedPointMathMulDivOverflow` (also when only the
    ///      rounding step would overflow).
    function mulDivUp(uint256 x, uint256 y, uint256 denominator) internal pure returns (uint256 result) {
        result = mulDivDown(x, y, denominator);
        if (mulmod(x, y, denominator) != 0) {
            if (result == type(uint256).max) revert FixedPointMathMulDivOverflow(x, y, denominator);
            // Cannot overflow: result < type(uint256).max was just checked.
            unchecked {
                ++result;
            }
        }
    }

    /// @notice floor(x * y / WAD): the product of two WAD numbers, rounded down.
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, y, WAD);
    }

    /// @notice ceil(x * y / WAD): the product of two WAD numbers, rounded up.
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, y, WAD);
    }

    /// @notice floor(x * WAD / y): the quotient of two WAD numbers, rounded down.
    /// @dev Reverts with `FixedPointMathDivisionByZero(x, WAD)` when `y == 0`.
    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, WAD, y);
    }

    /// @notice ceil(x * WAD / y): the quotient of two WAD numbers, rounded up.
    /// @dev Reverts with `FixedPointMathDivisionByZero(x, WAD)` when `y == 0`.
    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, WAD, y);
    }

    /* ------------------------------------------------------------------ */
    /*                            SQUARE ROOTS                            */
    /* ------------------------------------------------------------------ */

    /// @notice floor(sqrt(x)) for a plain integer.
    /// @dev Newton's iteration from an overestimate within a factor of two of the root. The relative error e
    ///      obeys e' = e^2 / (2 (1 + e)): 1 -> 0.25 -> 2.5e-2 -> 3.1e-4 -> 4.7e-8 -> 1.1e-15 -> 5.7e-31 -> 1.6e-61,
    ///      so seven steps leave an error below one unit for every root below 2^128. Integer Newton from above
    ///      then sits on floor(sqrt(x)) or one above it; the final `min` picks the floor.
    function sqrtDown(uint256 x) internal pure returns (uint256 z) {
        if (x == 0) return 0;
        // Cannot overflow: log2(x) <= 255, so z starts at most 2^128 and at least sqrt(x). Integer Newton from above
        // never increases z and never drops below floor(sqrt(x)) >= 1 (AM-GM), so x / z <= 2^128 and every sum
        // z + x / z stays below 2^129; no division by zero can occur.
        unchecked {
            z = uint256(1) << ((Math.log2(x) >> 1) + 1);
            z = (z + x / z) >> 1;
            z = (z + x / z) >> 1;
            z = (z + x / z) >> 1;
            z = (z + x / z) >> 1;
            z = (z + x / z) >> 1;
            z = (z + x / z) >> 1;
            z = (z + x / z) >> 1;
            uint256 other = x / z;
            if (other < z) z = other;
        }
    }

    /// @notice floor(sqrt(x) * sqrt(WAD)) = floor(sqrt(x * WAD)): the square root of a WAD number, rounded down.
    /// @dev Reverts with `FixedPointMathSqrtWadOverflow` when `x > MAX_SQRT_WAD_INPUT`.
    function sqrtWadDown(uint256 x) internal pure returns (uint256) {
        if (x > MAX_SQRT_WAD_INPUT) revert FixedPointMathSqrtWadOverflow(x, MAX_SQRT_WAD_INPUT);
        // Cannot overflow: x <= type(uint256).max / WAD was just checked.
        unchecked {
            return sqrtDown(x * WAD);
        }
    }
}
