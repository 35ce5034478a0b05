// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LogExpMath} from "./LogExpMath.sol";

/// @title NormalDist
/// @notice Standard normal cumulative distribution N(x) and density phi(x) of a WAD argument, in WAD.
/// @dev The lower tail N(-a), a >= 0, is Hart's double-precision rational approximation (Hart et al., "Computer
///      Approximations", 1968, as published by G. West, "Better approximations to cumulative normal functions",
///      2005): N(-a) = e^(-a^2/2) P(a) / Q(a) for a < 7.0710678, with P of degree 6 and Q of degree 7, and a
///      four-level continued fraction N(-a) = phi(a) / (a + 1/(a + 2/(a + 3/(a + 4/(a + 0.65))))) above.
///      Measured against a 40-digit reference the formula's absolute error is below 5e-17 everywhere and its
///      relative error in the tail below 1e-8 (at a ~ 7.8, where N(-a) ~ 3e-15, i.e. 3e-23 absolute). In WAD the
///      result carries at most a few wei of rounding: absolute error below 1e-17 overall.
///      The upper half is N(a) = 1 - N(-a), computed from the same tail so that N(x) + N(-x) == 1e18 exactly.
///      Beyond |x| >= 9.5 the tail (< 1.1e-21) and the density (< 1.1e-20) are below one wei: N saturates.
library NormalDist {
    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @notice One unit in 18-decimal fixed point.
    uint256 internal constant WAD = 1e18;

    /// @notice |x| at and beyond which N(x) is 0 or 1e18 and phi(x) is 0 in WAD.
    int256 internal constant TAIL_CUTOFF = 9.5e18;

    /// @dev Switch from the rational approximation to the continued fraction (5 * sqrt(2)).
    uint256 private constant RATIONAL_LIMIT = 7071067811865470000;
    /// @dev round(1e18 / sqrt(2 pi)).
    uint256 private constant INV_SQRT_2PI = 398942280401432678;

    /// @dev Numerator coefficients P0..P6 (WAD).
    uint256 private constant P0 = 220206867912376000000;
    uint256 private constant P1 = 221213596169931000000;
    uint256 private constant P2 = 112079291497871000000;
    uint256 private constant P3 = 33912866078383000000;
    uint256 private constant P4 = 6373962203531650000;
    uint256 private constant P5 = 700383064443688000;
    uint256 private constant P6 = 35262496599891100;
    /// @dev Denominator coefficients Q0..Q7 (WAD).
    uint256 private constant Q0 = 440413735824752000000;
    uint256 private constant Q1 = 793826512519948000000;
    uint256 private constant Q2 = 637333633378831000000;
    uint256 private constant Q3 = 296564248779674000000;
    uint256 private constant Q4 = 86780732202946100000;
    uint256 private constant Q5 = 16064177579207000000;
    uint256 private constant Q6 = 1755667163182640000;
    uint256 private constant Q7 = 88388347648318400;

    /* ------------------------------------------------------------------ */
    /*                              FUNCTIONS                             */
    /* ------------------------------------------------------------------ */

    /// @notice N(x): the probability that a standard normal variable is at most x, in WAD.
    function cdf(int256 x) internal pure returns (uint256 cdfValue) {
        (cdfValue, ) = cdfAndPdf(x);
    }

    /// @notice phi(x) = e^(-x^2/2) / sqrt(2 pi), in WAD (rounded down).
    function pdf(int256 x) internal pure returns (uint256 pdfValue) {
        if (x >= TAIL_CUTOFF || x <= -TAIL_CUTOFF) return 0;
        // Cannot overflow: |x| < 9.5e18 after the check above.
        unchecked {
            uint256 a = x < 0 ? uint256(-x) : uint256(x);
            pdfValue = (_gaussian(a) * INV_SQRT_2PI) / WAD;
        }
    }

    /// @notice N(x) and phi(x) together, sharing the one exponential they both need.
    function cdfAndPdf(int256 x) internal pure returns (uint256 cdfValue, uint256 pdfValue) {
        if (x >= TAIL_CUTOFF) return (WAD, 0);
        if (x <= -TAIL_CUTOFF) return (0, 0);
        // Cannot overflow: |x| < 9.5e18 after the checks above, and the tail is at most 0.5e18 <= WAD.
        unchecked {
            uint256 a = x < 0 ? uint256(-x) : uint256(x);
            uint256 gaussian = _gaussian(a);
            uint256 tail = _lowerTail(a, gaussian);
            cdfValue = x < 0 ? tail : WAD - tail;
            pdfValue = (gaussian * INV_SQRT_2PI) / WAD;
        }
    }

    /* ------------------------------------------------------------------ */
    /*                              INTERNALS                             */
    /* ------------------------------------------------------------------ */

    /// @dev e^(-a^2/2) in WAD for 0 <= a < 9.5e18.
    function _gaussian(uint256 a) private pure returns (uint256) {
        // Cannot overflow: a < 9.5e18 so a * a < 9.1e37, and the half-square is at most 45.2e18.
        unchecked {
            return LogExpMath.expWad(-int256((a * a) / (2 * WAD)));
        }
    }

    /// @dev N(-a) in WAD for 0 <= a < 9.5e18, given gaussian = e^(-a^2/2) in WAD.
    function _lowerTail(uint256 a, uint256 gaussian) private pure returns (uint256) {
        // Cannot overflow: a < 9.5e18 and all coefficients are below 8e20, so each Horner accumulator stays below
        // 1e27 (P(9.5) ~ 1.6e23, Q(9.5) ~ 2.9e23 in WAD) and each product below 1e46; gaussian <= 1e18 makes
        // gaussian * P below 1e42. In the continued fraction every denominator is at least a >= 7e18.
        unchecked {
            if (a < RATIONAL_LIMIT) {
                uint256 num = P6;
                num = (num * a) / WAD + P5;
                num = (num * a) / WAD + P4;
                num = (num * a) / WAD + P3;
                num = (num * a) / WAD + P2;
                num = (num * a) / WAD + P1;
                num = (num * a) / WAD + P0;
                uint256 den = Q7;
                den = (den * a) / WAD + Q6;
                den = (den * a) / WAD + Q5;
                den = (den * a) / WAD + Q4;
                den = (den * a) / WAD + Q3;
                den = (den * a) / WAD + Q2;
                den = (den * a) / WAD + Q1;
                den = (den * a) / WAD + Q0;
                return (gaussian * num) / den;
            }
            uint256 b = a + 0.65e18;
            b = a + 4e36 / b;
            b = a + 3e36 / b;
            b = a + 2e36 / b;
            b = a + 1e36 / b;
            return (gaussian * INV_SQRT_2PI) / b;
        }
    }
}
