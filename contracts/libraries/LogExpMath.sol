// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title LogExpMath
/// @notice Natural logarithm and exponential of WAD (1e18) fixed-point numbers.
/// @dev Both functions work internally in Q96 binary fixed point (2^-96 ~ 1.3e-29 resolution), far finer than the
///      WAD output, so the only visible error is the final truncation to WAD.
///      - `lnWad`: |error| <= 1 wei (half a wei from rounding to nearest, far less from the series and constants).
///      - `expWad`: relative error below 1e-18 plus the final floor (the result is rounded down).
///      The tests compare both with a 40-digit reference on thousands of random points.
library LogExpMath {
    /* ------------------------------------------------------------------ */
    /*                               ERRORS                               */
    /* ------------------------------------------------------------------ */

    /// @dev Fires when `lnWad` receives zero or a negative number, where the logarithm is undefined.
    error LogExpMathLnNonPositive(int256 x);

    /// @dev Fires when `expWad(x)` would not fit in 256 bits (`x > max`).
    error LogExpMathExpOverflow(int256 x, int256 max);

    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @notice The largest argument `expWad` accepts (e^135 * 1e18 ~ 4.3e76 < 2^256).
    int256 internal constant EXP_MAX_ARG = 135e18;

    /// @notice Below this argument `expWad` returns 0 (e^-42 * 1e18 ~ 0.58 wei, which floors to 0).
    int256 internal constant EXP_MIN_ARG = -42e18;

    /// @dev 2^96, the Q96 unit.
    int256 private constant Q96 = 79228162514264337593543950336;
    /// @dev floor(2^96 / sqrt(2)).
    uint256 private constant SQRT_HALF_Q96 = 56022770974786139918731938227;
    /// @dev round(ln(2) * 2^96).
    int256 private constant LN2_Q96 = 54916777467707473351141471128;
    /// @dev round(ln(1e18) * 2^96).
    int256 private constant LN_WAD_Q96 = 3283732547111784853622338894909;

    /// @dev round(2^96 / n) for the odd n of the atanh series.
    int256 private constant C3 = 26409387504754779197847983445;
    int256 private constant C5 = 15845632502852867518708790067;
    int256 private constant C7 = 11318308930609191084791992905;
    int256 private constant C9 = 8803129168251593065949327815;
    int256 private constant C11 = 7202560228569485235776722758;
    int256 private constant C13 = 6094474039558795199503380795;
    int256 private constant C15 = 5281877500950955839569596689;
    int256 private constant C17 = 4660480147897902211384938255;
    int256 private constant C19 = 4169903290224438820712839491;
    int256 private constant C21 = 3772769643536397028263997635;
    int256 private constant C23 = 3444702718011492938849736971;

    /* ------------------------------------------------------------------ */
    /*                              LOGARITHM                             */
    /* ------------------------------------------------------------------ */

    /// @notice ln(x) for a WAD number x > 0, in WAD.
    /// @dev Writes x / 1e18 = u * 2^k with u in [1/sqrt(2), sqrt(2)), then
    ///      ln(u) = 2 atanh(z) = 2 (z + z^3/3 + ... + z^23/23) with z = (u - 1) / (u + 1), |z| <= 0.1716.
    ///      The first omitted term is below 2 * 0.1716^25 / 25 < 1e-20. The result is rounded to the nearest wei.
    ///      Reverts with `LogExpMathLnNonPositive` when x <= 0.
    function lnWad(int256 x) internal pure returns (int256) {
        if (x <= 0) revert LogExpMathLnNonPositive(x);
        // Cannot overflow: x > 0 so n = log2(x) is in [0, 254]; the mantissa t is x shifted to [2^95, 2^96) (at most
        // 2^97 after the doubling); |z| and w are below 2^96 and s below 2^97,
        // so every product is below 2^193; the
        // sum r is below 256 * ln(2) * 2^96 + ln(1e18) * 2^96 < 2^104 in magnitude and r * 1e18 < 2^164.
        unchecked {
            uint256 ux = uint256(x);
            uint256 n = Math.log2(ux);
            // t / 2^96 = u in [0.5, 1) and x = u * 2^(n + 1).
            uint256 t = n >= 95 ? ux >> (n - 95) : ux << (95 - n);
            int256 k = int256(n) + 1;
            if (t < SQRT_HALF_Q96) {
                t <<= 1;
                --k;
            }
            int256 z = ((int256(t) - Q96) << 96) / (int256(t) + Q96);
            int256 w = (z * z) >> 96;
            int256 s = C23;
            s = ((s * w) >> 96) + C21;
            s = ((s * w) >> 96) + C19;
            s = ((s * w) >> 96) + C17;
            s = ((s * w) >> 96) + C15;
            s = ((s * w) >> 96) + C13;
            s = ((s * w) >> 96) + C11;
            s = ((s * w) >> 96) + C9;
            s = ((s * w) >> 96) + C7;
            s = ((s * w) >> 96) + C5;
            s = ((s * w) >> 96) + C3;
            s = ((s * w) >> 96) + Q96;
            // ln(x / 1e18) = 2 z s + k ln 2 - ln 1e18, all in Q96; then rounded to the nearest WAD (`>>` on a
            // signed value floors, so adding half a unit first rounds half up).
            int256 r = ((z * s) >> 95) + k * LN2_Q96 - LN_WAD_Q96;
            return (r * 1e18 + (Q96 >> 1)) >> 96;
        }
    }

    /* ------------------------------------------------------------------ */
    /*                             EXPONENTIAL                            */
    /* ------------------------------------------------------------------ */

    /// @notice e^x for a WAD number x, in WAD, rounded down.
    /// @dev Writes x = k ln 2 + r with integer k and |r| <= ln(2) / 2, evaluates e^r with the [6/6] Pade approximant
    ///      P(r) / P(-r), P(r) = 665280 + 332640 r + 75600 r^2 + 10080 r^3 + 840 r^4 + 42 r^5 + r^6, whose
    ///      relative error on that interval is below 3e-19, then scales by 2^k. Returns 0 below `EXP_MIN_ARG`
    ///      (the exact value floors to 0 there). Reverts with `LogExpMathExpOverflow` above `EXP_MAX_ARG`.
    function expWad(int256 x) internal pure returns (uint256) {
        if (x < EXP_MIN_ARG) return 0;
        if (x > EXP_MAX_ARG) revert LogExpMathExpOverflow(x, EXP_MAX_ARG);
        // Cannot overflow: |x| <= 135e18 so x << 96 < 2^204; k is in [-61, 195]; |r| <= 0.35 * 2^96, w <= 2^94;
        // the even and odd parts are below 7e5 * 2^96 < 2^116, so (even + odd) << 96 < 2^213; q = e^r * 2^96 is
        // below 2^97, q * 1e18 < 2^157, and the final left shift only happens for k > 96 where the exact result
        // e^x * 1e18 <= e^135 * 1e18 < 2^256 is what the shift produces.
        unchecked {
            int256 xq = (x << 96) / 1e18;
            int256 k = xq >= 0 ? (xq + (LN2_Q96 >> 1)) / LN2_Q96 : (xq - (LN2_Q96 >> 1)) / LN2_Q96;
            int256 r = xq - k * LN2_Q96;
            int256 w = (r * r) >> 96;
            int256 even = w + 840 * Q96;
            even = ((even * w) >> 96) + 75600 * Q96;
            even = ((even * w) >> 96) + 665280 * Q96;
            int256 odd = 42 * w + 10080 * Q96;
            odd = ((odd * w) >> 96) + 332640 * Q96;
            odd = (odd * r) >> 96;
            uint256 q = uint256(((even + odd) << 96) / (even - odd));
            uint256 scaled = q * 1e18;
            return k >= 96 ? scaled << uint256(k - 96) : scaled >> uint256(96 - k);
        }
    }
}
