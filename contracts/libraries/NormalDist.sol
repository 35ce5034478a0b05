// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LogExpMath} from "./LogExpMath.sol";

/// @title NormalDist
/// @notice Standard normal cumulative distribution N(x) and density phi(x) of a WAD argument, in WAD.
/// @dev The lower tail N(-a), a >= 0, is written N(-a) = phi(a) R(a) with R the Mills ratio, so that it keeps its
///      relative precision far into the tail:
///      - a < 4.5: Hart's double-precision rational approximation (Hart et al., "Computer Approximations", 1968,
///        as published by G. West, "Better approximations to cumulative normal functions", 2005),
///        N(-a) = e^(-a^2/2) P(a) / Q(a), P of degree 6, Q of degree 7;
///      - a >= 4.5: Laplace's continued fraction 1 / R(a) = a + 1/(a + 2/(a + 3/(a + ...))), twenty levels.
///      Measured against a 50-digit reference, the relative error of R (hence of the tail) is below 7e-12 for every
///      a (worst at the switch), and the absolute error of N below 5e-17. In WAD the results carry at most a few
///      wei of rounding on top.
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

    /// @dev Switch from the rational approximation to the continued fraction.
    uint256 private constant RATIONAL_LIMIT = 4.5e18;
    /// @dev Levels of the continued fraction.
    uint256 private constant CONTINUED_FRACTION_DEPTH = 20;
    /// @dev round(1e18 / sqrt(2 pi)).
    uint256 private constant INV_SQRT_2PI = 398942280401432678;
    /// @dev Above this argument the Mills ratio (~ 1e36 / a in WAD) is below one wei.
    uint256 private constant MILLS_RATIO_LIMIT = 1e36;
    /// @dev round(1e18 * sqrt(2 pi)).
    uint256 private constant SQRT_2PI = 2506628274631000502;

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

    /// @notice Mills ratio R(a) = N(-a) / phi(a) for a >= 0, in WAD (R(0) = sqrt(pi / 2), R(a) ~ 1/a for large a).
    /// @dev Lets a caller form K N(-a) from a density it already knows with full relative precision, even where
    ///      N(-a) itself is far below one wei (the Black-Scholes library uses K e^(-rT) phi(d2) = S phi(d1)).
    ///      Valid for every a: the continued fraction only gets more accurate as a grows, and beyond a = 1e36 (1e18
    ///      in units) the ratio, about 1/a, is below one wei and the function returns 0.
    function millsRatio(uint256 a) internal pure returns (uint256) {
        if (a > MILLS_RATIO_LIMIT) return 0;
        // Cannot overflow: a <= 1e36 after the check above; see `_rational` and `_continuedFraction`.
        unchecked {
            if (a < RATIONAL_LIMIT) {
                (uint256 num, uint256 den) = _rational(a);
                return (SQRT_2PI * num) / den;
            }
            return 1e36 / _continuedFraction(a);
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
        // Cannot overflow: gaussian <= 1e18 and P(a) < 1.1e22 (WAD) for a < 4.5, so gaussian * P < 1.1e40; the
        // continued fraction's denominator is at least a >= 4.5e18.
        unchecked {
            if (a < RATIONAL_LIMIT) {
                (uint256 num, uint256 den) = _rational(a);
                return (gaussian * num) / den;
            }
            return (gaussian * INV_SQRT_2PI) / _continuedFraction(a);
        }
    }

    /// @dev Numerator P(a) and denominator Q(a) (both WAD) of Hart's rational form, for 0 <= a < 4.5e18.
    function _rational(uint256 a) private pure returns (uint256 num, uint256 den) {
        // Cannot overflow: a < 4.5e18 and every coefficient is below 8e20, so each accumulator stays below 2e23
        // (P(4.5) ~ 1.1e22, Q(4.5) ~ 1.3e23 in WAD) and each product below 1e42.
        unchecked {
            num = P6;
            num = (num * a) / WAD + P5;
            num = (num * a) / WAD + P4;
            num = (num * a) / WAD + P3;
            num = (num * a) / WAD + P2;
            num = (num * a) / WAD + P1;
            num = (num * a) / WAD + P0;
            den = Q7;
            den = (den * a) / WAD + Q6;
            den = (den * a) / WAD + Q5;
            den = (den * a) / WAD + Q4;
            den = (den * a) / WAD + Q3;
            den = (den * a) / WAD + Q2;
            den = (den * a) / WAD + Q1;
            den = (den * a) / WAD + Q0;
        }
    }

    /// @dev a + 1/(a + 2/(a + ... + 20/a)) in WAD, for a >= 4.5e18: the reciprocal of the Mills ratio, from Laplace's
    ///      continued fraction truncated after twenty levels (relative error below 5e-14 from a = 4.5 on, falling fast).
    function _continuedFraction(uint256 a) private pure returns (uint256 b) {
        // Cannot overflow: callers pass a <= 1e36; every partial denominator is at least a >= 4.5e18, so each
        // quotient k * 1e36 / b is below 20e36 / 4.5e18 < 4.5e18 and b < a + 4.5e18.
        unchecked {
            b = a;
            for (uint256 k = CONTINUED_FRACTION_DEPTH; k > 0; --k) {
                b = a + (k * 1e36) / b;
            }
        }
    }
}
