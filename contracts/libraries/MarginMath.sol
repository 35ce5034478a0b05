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

    /// @notice Sum of the marks of the first `count` lines (WAD quote), computed exactly and rounded once
    ///         towards minus infinity.
    function markValue(Line[] memory lines, uint256 count) internal pure returns (int256) {
        int256 sum;
        // Cannot overflow: each product is below 2^196 (library bounds) and there are a few hundred at most.
        unchecked {
            for (uint256 i; i < count; ++i) sum += lines[i].amount * int256(lines[i].price);
        }
        return _divWadFloor(sum);
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

    /// @notice Margin requirement (WAD quote) of the first `count` lines: the sum over underlyings of
    ///         max(mark - lowest grid value, short-option minimum charge, 0).
    /// @dev The grid of an underlying with spot S is S + j * step for j = -3 .. 3, step = floor(S * shock / 3):
    ///      seven spots evenly spaced over [S (1 - shock), S (1 + shock)] (the outer points rounded inwards by
    ///      less than 3 wei). Expiry payoffs are piecewise linear, so the grid samples the loss of the whole
    ///      portfolio of that underlying at once and spreads net.
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
        uint256 used;
        for (uint256 i; i < count; ++i) used |= 1 << lines[i].underlying;
        for (uint256 u; used != 0; ++u) {
            if (used & 1 != 0) total += underlyingRequirement(lines, count, u, spots[u], shock, chargeRate);
            used >>= 1;
        }
    }

    /// @notice Requirement (WAD quote) of the lines on underlying slot `u`: max(mark - lowest grid value,
    ///         short-option minimum charge, 0), summed exactly and rounded up once.
    function underlyingRequirement(
        Line[] memory lines,
        uint256 count,
        uint256 u,
        uint256 spot,
        uint256 shock,
        uint256 chargeRate
    ) internal pure returns (uint256) {
        // Every sum below is of exact products amount x price (scaled by WAD), divided once at the end.
        int256[GRID_POINTS] memory values;
        int256 mark;
        uint256 charge;
        uint256 step;
        uint256 low;
        // Cannot overflow: spot <= 1e30 and shock < 1e18, so 3 * step < spot and low > 0; products are below
        // 2^196 and there are a few hundred at most (library bounds).
        unchecked {
            step = (spot * shock) / (GRID_HALF * WAD);
            low = spot - GRID_HALF * step;
            for (uint256 i; i < count; ++i) {
                Line memory line = lines[i];
                if (line.underlying != u) continue;
                int256 amount = line.amount;
                mark += amount * int256(line.price);
                if (line.settled) {
                    int256 fixedValue = amount * int256(line.settledPayoff);
                    for (uint256 k; k < GRID_POINTS; ++k) values[k] += fixedValue;
                    continue;
                }
                if (step == 0) {
                    // A spot so small that the shock rounds to zero: every grid point is the spot itself.
                    int256 flat = amount * int256(payoff(line.strike, line.isCall, spot));
                    for (uint256 k; k < GRID_POINTS; ++k) values[k] += flat;
                } else {
                    _addPayoffs(values, amount, line.strike, line.isCall, low, step);
                }
                if (amount < 0) charge += uint256(-amount) * minChargePerOption(spot, line.strike, line.isCall, chargeRate);
            }
        }
        int256 lowest = values[0];
        for (uint256 k = 1; k < GRID_POINTS; ++k) {
            if (values[k] < lowest) lowest = values[k];
        }
        int256 loss = mark - lowest;
        uint256 need = loss > 0 ? uint256(loss) : 0;
        if (charge > need) need = charge;
        return need == 0 ? 0 : (need - 1) / WAD + 1;
    }

    /// @dev Adds amount x payoff (exact, scaled by WAD) at each grid spot s_k = low + k * step, k = 0 .. 6.
    ///      On the grid the payoff is an arithmetic progression wherever it is positive: for a call
    ///      amount (s_k - strike) = x0 + k * amount * step from the first spot above the strike; for a put
    ///      amount (strike - s_k) = x0 - k * amount * step up to the last spot below the strike. The loop is
    ///      unrolled so every index is a constant.
    function _addPayoffs(
        int256[GRID_POINTS] memory values,
        int256 amount,
        uint256 strike,
        bool isCall,
        uint256 low,
        uint256 step
    ) private pure {
        // Cannot overflow: spots and strikes are below 2^101 and |amount| < 2^95, so every term is below 2^197;
        // the unsigned subtractions are guarded by the comparisons before them.
        unchecked {
            uint256 high = low + (GRID_POINTS - 1) * step;
            int256 x;
            int256 inc;
            uint256 first;
            uint256 end;
            if (isCall) {
                if (strike >= high) return;
                // First k with s_k > strike.
                first = strike < low ? 0 : (strike - low) / step + 1;
                end = GRID_POINTS;
                x = amount * (int256(low) - int256(strike));
                inc = amount * int256(step);
            } else {
                if (strike <= low) return;
                // Number of k with s_k < strike.
                first = 0;
                end = strike > high ? GRID_POINTS : (strike - low + step - 1) / step;
                x = amount * (int256(strike) - int256(low));
                inc = -(amount * int256(step));
            }
            if (first <= 0 && end > 0) values[0] += x;
            x += inc;
            if (first <= 1 && end > 1) values[1] += x;
            x += inc;
            if (first <= 2 && end > 2) values[2] += x;
            x += inc;
            if (first <= 3 && end > 3) values[3] += x;
            x += inc;
            if (first <= 4 && end > 4) values[4] += x;
            x += inc;
            if (first <= 5 && end > 5) values[5] += x;
            x += inc;
            if (first <= 6 && end > 6) values[6] += x;
        }
    }

    /// @dev floor(x / WAD) for a signed x (towards minus infinity).
    function _divWadFloor(int256 x) private pure returns (int256 q) {
        q = x / int256(WAD);
        if (x < 0 && q * int256(WAD) != x) q -= 1;
    }
}
