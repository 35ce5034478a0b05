// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MarginMath
/// @notice Pure margin arithmetic: expiry payoffs, the shocked-spot grid, the short-option minimum charge, signed
///         WAD products and quote-unit conversions, each named after its rounding direction.
/// @dev Bounds the callers guarantee (and that make every `unchecked` block below safe):
///      |amount| < 2^95 (int96 positions), spot and strike <= 1e30 WAD, marks and vegas below 2^101, shock < 1e18,
///      charge rate <= 1e18, and at most a few hundred lines. Every product is then below 2^95 * 2^101 = 2^196 and
///      every sum of such terms (scaled down by 1e18) far inside int256.
library MarginMath {
    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @notice One unit in 18-decimal fixed point.
    uint256 internal constant WAD = 1e18;

    /// @notice Number of spots in the scenario grid: S (1 + shock * j / 3) for j = -3 .. 3.
    uint256 internal constant GRID_POINTS = 7;

    /// @dev Half the grid width in steps (the grid is symmetric around the unshocked spot).
    uint256 internal constant GRID_HALF = 3;

    /// @notice Number of underlying slots a valuation can hold.
    uint256 internal constant MAX_UNDERLYINGS = 4;

    /* ------------------------------------------------------------------ */
    /*                                TYPES                               */
    /* ------------------------------------------------------------------ */

    /// @notice One position prepared for valuation.
    /// @param amount Signed option amount (18 decimals).
    /// @param strike Strike, WAD.
    /// @param price Mark per option, WAD.
    /// @param delta Delta per option, WAD.
    /// @param vega Vega per option, WAD.
    /// @param settledPayoff Payoff per option at the final settlement price (only when `settled`).
    /// @param underlying Underlying slot, below `MAX_UNDERLYINGS`.
    /// @param isCall Call or put.
    /// @param settled True when the series' settlement price is final: its value no longer depends on the spot.
    struct Line {
        int256 amount;
        uint256 strike;
        uint256 price;
        int256 delta;
        uint256 vega;
        uint256 settledPayoff;
        uint256 underlying;
        bool isCall;
        bool settled;
    }

    /* ------------------------------------------------------------------ */
    /*                              PAYOFFS                               */
    /* ------------------------------------------------------------------ */

    /// @notice Expiry payoff of one option at `spot`: max(spot - strike, 0) for a call, max(strike - spot, 0) for
    ///         a put. Exact.
    function payoff(uint256 strike, bool isCall, uint256 spot) internal pure returns (uint256) {
        // Cannot underflow: each subtraction is guarded by the comparison before it.
        unchecked {
            if (isCall) return spot > strike ? spot - strike : 0;
            return strike > spot ? strike - spot : 0;
        }
    }

    /// @notice Spot of grid point `k` (0 .. GRID_POINTS - 1): S (1 + shock (k - 3) / 3), rounded down.
    function gridSpot(uint256 spot, uint256 shock, uint256 k) internal pure returns (uint256) {
        // Cannot overflow or underflow: shock < WAD, so 3 WAD - 3 shock > 0; spot <= 1e30 and the factor is
        // below 6e18, so the product is below 6e48.
        unchecked {
            uint256 factor = k >= GRID_HALF
                ? GRID_HALF * WAD + (k - GRID_HALF) * shock
                : GRID_HALF * WAD - (GRID_HALF - k) * shock;
            return (spot * factor) / (GRID_HALF * WAD);
        }
    }

    /// @notice Short-option minimum charge per option (WAD): `chargeRate` of spot, capped at the strike for a put
    ///         (a put can never cost its writer more than its strike). Rounded up.
    function minChargePerOption(uint256 spot, uint256 strike, bool isCall, uint256 chargeRate)
        internal
        pure
        returns (uint256 charge)
    {
        // Cannot overflow: spot <= 1e30 and chargeRate <= 1e18.
        unchecked {
            charge = (spot * chargeRate + WAD - 1) / WAD;
        }
        if (!isCall && charge > strike) charge = strike;
    }

    /* ------------------------------------------------------------------ */
    /*                           SIGNED PRODUCTS                          */
    /* ------------------------------------------------------------------ */

    /// @notice amount * value / WAD rounded towards minus infinity: a long's value rounded down, a short's
    ///         liability rounded up.
    function mulWadFloor(int256 amount, uint256 value) internal pure returns (int256) {
        // Cannot overflow: |amount| < 2^95 and value < 2^101 (library bounds), so the product is below 2^196.
        unchecked {
            if (amount >= 0) return int256((uint256(amount) * value) / WAD);
            return -int256((uint256(-amount) * value + WAD - 1) / WAD);
        }
    }

    /// @notice |amount| * value / WAD rounded up.
    function mulWadUpAbs(int256 amount, uint256 value) internal pure returns (uint256) {
        // Cannot overflow: see `mulWadFloor`.
        unchecked {
            uint256 magnitude = amount >= 0 ? uint256(amount) : uint256(-amount);
            return (magnitude * value + WAD - 1) / WAD;
        }
    }

    /// @notice |amount| * value / WAD rounded down.
    function mulWadDownAbs(int256 amount, uint256 value) internal pure returns (uint256) {
        // Cannot overflow: see `mulWadFloor`.
        unchecked {
            uint256 magnitude = amount >= 0 ? uint256(amount) : uint256(-amount);
            return (magnitude * value) / WAD;
        }
    }

    /* ------------------------------------------------------------------ */
    /*                          QUOTE CONVERSIONS                         */
    /* ------------------------------------------------------------------ */

    /// @notice A signed WAD quote value in quote token units (`scale` = 10^(18 - decimals)), rounded towards
    ///         minus infinity.
    function wadToQuoteFloor(int256 value, uint256 scale) internal pure returns (int256) {
        int256 s = int256(scale);
        int256 q = value / s;
        // Solidity division truncates towards zero; step down for negative values with a remainder.
        if (value < 0 && q * s != value) q -= 1;
        return q;
    }

    /// @notice A WAD quote value in quote token units, rounded up.
    function wadToQuoteCeil(uint256 value, uint256 scale) internal pure returns (uint256) {
        return value == 0 ? 0 : (value - 1) / scale + 1;
    }

    /* ------------------------------------------------------------------ */
    /*                               VALUES                               */
    /* ------------------------------------------------------------------ */

    /// @notice Sum of the marks of the first `count` lines, each rounded towards minus infinity (WAD quote).
    function markValue(Line[] memory lines, uint256 count) internal pure returns (int256 value) {
        for (uint256 i; i < count; ++i) {
            value += mulWadFloor(lines[i].amount, lines[i].price);
        }
    }

    /// @notice Net delta and vega of the lines on `underlying` (WAD underlying units; WAD quote per 1.0 vol).
    function netGreeks(Line[] memory lines, uint256 count, uint256 underlying)
        internal
        pure
        returns (int256 delta, int256 vega)
    {
        for (uint256 i; i < count; ++i) {
            Line memory line = lines[i];
            if (line.underlying != underlying) continue;
            // Cannot overflow: |amount| < 2^95, |delta| <= 1e18, vega <= 1e30 (library bounds).
            unchecked {
                delta += (line.amount * line.delta) / int256(WAD);
                vega += (line.amount * int256(line.vega)) / int256(WAD);
            }
        }
    }

    /// @dev Per-underlying accumulators of one requirement evaluation.
    struct Scan {
        int256[MAX_UNDERLYINGS] marks;
        uint256[MAX_UNDERLYINGS] charges;
        int256[GRID_POINTS * MAX_UNDERLYINGS] values;
        uint256[GRID_POINTS * MAX_UNDERLYINGS] spots;
        uint256 used;
    }

    /// @notice Margin requirement (WAD quote) of the first `count` lines: the sum over underlyings of
    ///         max(mark - lowest grid value, short-option minimum charge, 0).
    /// @param spots Spot per underlying slot (only the slots the lines use are read).
    /// @param shock Relative shock of the grid's outermost points (WAD, below 1e18).
    /// @param chargeRate Short-option minimum charge as a fraction of spot (WAD).
    function requirement(
        Line[] memory lines,
        uint256 count,
        uint256[MAX_UNDERLYINGS] memory spots,
        uint256 shock,
        uint256 chargeRate
    ) internal pure returns (uint256 total) {
        Scan memory scan;
        for (uint256 i; i < count; ++i) {
            _accumulate(scan, lines[i], spots, shock, chargeRate);
        }
        for (uint256 u; u < MAX_UNDERLYINGS; ++u) {
            if (scan.used & (1 << u) == 0) continue;
            uint256 base = u * GRID_POINTS;
            int256 lowest = scan.values[base];
            for (uint256 k = 1; k < GRID_POINTS; ++k) {
                if (scan.values[base + k] < lowest) lowest = scan.values[base + k];
            }
            int256 loss = scan.marks[u] - lowest;
            uint256 req = loss > 0 ? uint256(loss) : 0;
            total += req > scan.charges[u] ? req : scan.charges[u];
        }
    }

    /// @dev Adds one line to the accumulators of its underlying (preparing that underlying's grid on first use).
    function _accumulate(
        Scan memory scan,
        Line memory line,
        uint256[MAX_UNDERLYINGS] memory spots,
        uint256 shock,
        uint256 chargeRate
    ) private pure {
        uint256 u = line.underlying;
        uint256 base = u * GRID_POINTS;
        if (scan.used & (1 << u) == 0) {
            scan.used |= 1 << u;
            for (uint256 k; k < GRID_POINTS; ++k) scan.spots[base + k] = gridSpot(spots[u], shock, k);
        }
        scan.marks[u] += mulWadFloor(line.amount, line.price);
        if (line.settled) {
            int256 fixedValue = mulWadFloor(line.amount, line.settledPayoff);
            for (uint256 k; k < GRID_POINTS; ++k) scan.values[base + k] += fixedValue;
            return;
        }
        for (uint256 k; k < GRID_POINTS; ++k) {
            scan.values[base + k] += mulWadFloor(line.amount, payoff(line.strike, line.isCall, scan.spots[base + k]));
        }
        if (line.amount < 0) {
            scan.charges[u] += mulWadUpAbs(line.amount, minChargePerOption(spots[u], line.strike, line.isCall, chargeRate));
        }
    }
}
