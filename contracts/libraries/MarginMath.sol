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

    /// @dev Words of a grid accumulator: a constant part (words 0..6) and a slope part (words 7..13) per grid point.
    uint256 private constant GRID_WORDS = 2 * GRID_POINTS;

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

    /// @notice Shocks and short-option charge rates of the initial and maintenance grids (WAD).
    struct Grids {
        uint256 initialShock;
        uint256 initialMinCharge;
        uint256 maintenanceShock;
        uint256 maintenanceMinCharge;
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

    /// @notice Initial and maintenance requirements (WAD quote) of the first `count` lines in one pass: each equals
    ///         `requirement` with the initial (resp. maintenance) shock and charge rate, exactly.
    /// @dev The lines of each underlying are walked once: the mark, the settled values and the decoding of every
    ///      line are shared by the two grids, which is what makes one call cheaper than two `requirement` calls.
    /// @param spots Spot per underlying slot (only the slots the lines use are read).
    /// @param g The two grids' shocks and charge rates.
    function requirements(Line[] memory lines, uint256 count, uint256[MAX_UNDERLYINGS] memory spots, Grids memory g)
        internal
        pure
        returns (uint256 initial, uint256 maintenance)
    {
        uint256 used;
        for (uint256 i; i < count; ++i) used |= 1 << lines[i].underlying;
        for (uint256 u; used != 0; ++u) {
            if (used & 1 != 0) {
                (uint256 i_, uint256 m_) = underlyingRequirements(lines, count, u, spots[u], g);
                initial += i_;
                maintenance += m_;
            }
            used >>= 1;
        }
    }

    /// @notice `underlyingRequirement` for both grids of `g` in one walk over the lines of underlying slot `u`.
    function underlyingRequirements(
        Line[] memory lines,
        uint256 count,
        uint256 u,
        uint256 spot,
        Grids memory g
    ) internal pure returns (uint256 initial, uint256 maintenance) {
        int256[GRID_WORDS] memory gridI;
        int256[GRID_WORDS] memory gridM;
        int256 mark;
        uint256 chargeI;
        uint256 chargeM;
        // Cannot overflow: as in `underlyingRequirement` (spot <= 1e30, shocks < 1e18, so 3 * step < spot; products
        // below 2^196 and a few hundred lines at most).
        unchecked {
            // [lowI, stepI, lowM, stepM]: one memory word each keeps the loop within the stack.
            uint256[4] memory geo;
            geo[1] = (spot * g.initialShock) / (GRID_HALF * WAD);
            geo[0] = spot - GRID_HALF * geo[1];
            geo[3] = (spot * g.maintenanceShock) / (GRID_HALF * WAD);
            geo[2] = spot - GRID_HALF * geo[3];
            for (uint256 i; i < count; ++i) {
                Line memory line = lines[i];
                if (line.underlying != u) continue;
                int256 amount = line.amount;
                mark += amount * int256(line.price);
                if (line.settled) {
                    // A constant at every grid point: one term in the first point's constant part.
                    int256 fixedValue = amount * int256(line.settledPayoff);
                    gridI[0] += fixedValue;
                    gridM[0] += fixedValue;
                    continue;
                }
                _addGrid(gridI, line, spot, geo[0], geo[1]);
                _addGrid(gridM, line, spot, geo[2], geo[3]);
                if (amount < 0) {
                    chargeI += uint256(-amount) * minChargePerOption(spot, line.strike, line.isCall, g.initialMinCharge);
                    chargeM +=
                        uint256(-amount) * minChargePerOption(spot, line.strike, line.isCall, g.maintenanceMinCharge);
                }
            }
        }
        initial = _need(mark, gridI, chargeI);
        maintenance = _need(mark, gridM, chargeM);
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
        int256[GRID_WORDS] memory grid;
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
                    // A constant at every grid point: one term in the first point's constant part.
                    grid[0] += amount * int256(line.settledPayoff);
                    continue;
                }
                // (A spot so small that the shock rounds the step to zero puts every grid point at the spot.)
                _addGrid(grid, line, spot, low, step);
                if (amount < 0) charge += uint256(-amount) * minChargePerOption(spot, line.strike, line.isCall, chargeRate);
            }
        }
        return _need(mark, grid, charge);
    }

    /// @dev Adds amount x payoff (exact, scaled by WAD) at each grid spot s_k = low + k * step, k = 0 .. 6, to a grid
    ///      accumulator. On the grid the payoff is an arithmetic progression wherever it is positive: for a call
    ///      amount (s_k - strike) = amount (low - strike) + k * amount * step from the first spot above the strike;
    ///      for a put amount (strike - s_k) = amount (strike - low) - k * amount * step up to the last spot below
    ///      the strike. The accumulator stores each progression where it starts (and cancels it where it ends): the
    ///      value at point k is C + k * D, with C and D the sums of the constant and slope words 0..k (`_need`). A
    ///      line thus costs at most four memory writes whatever the grid, and the sums are the same exact integers.
    function _addPayoffs(
        int256[GRID_WORDS] memory grid,
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
            if (isCall) {
                if (strike >= high) return;
                // First k with s_k > strike (at most 6: strike < high).
                uint256 first = strike < low ? 0 : (strike - low) / step + 1;
                grid[first] += amount * (int256(low) - int256(strike));
                grid[GRID_POINTS + first] += amount * int256(step);
            } else {
                if (strike <= low) return;
                int256 x = amount * (int256(strike) - int256(low));
                int256 inc = amount * int256(step);
                grid[0] += x;
                grid[GRID_POINTS] -= inc;
                // Number of k with s_k < strike (at least 1: strike > low); the progression stops there.
                uint256 end = strike > high ? GRID_POINTS : (strike - low + step - 1) / step;
                if (end < GRID_POINTS) {
                    grid[end] -= x;
                    grid[GRID_POINTS + end] += inc;
                }
            }
        }
    }

    /// @dev Adds one unsettled line's payoffs on the grid `low + k * step` (every point the spot itself when the
    ///      shock rounds the step to zero).
    function _addGrid(int256[GRID_WORDS] memory grid, Line memory line, uint256 spot, uint256 low, uint256 step)
        private
        pure
    {
        if (step == 0) {
            // Cannot overflow: |amount| < 2^95 and payoffs are below 2^101 (library bounds).
            unchecked {
                grid[0] += line.amount * int256(payoff(line.strike, line.isCall, spot));
            }
        } else {
            _addPayoffs(grid, line.amount, line.strike, line.isCall, low, step);
        }
    }

    /// @dev max(mark - lowest grid value, charge, 0) scaled down by WAD, rounded up. The value at point k is the sum
    ///      of the constant words 0..k plus k times the sum of the slope words 0..k (see `_addPayoffs`).
    function _need(int256 mark, int256[GRID_WORDS] memory grid, uint256 charge) private pure returns (uint256) {
        int256 lowest;
        // Cannot overflow: every partial sum is a sum of the exact products bounded in `_addPayoffs`, and k <= 6.
        // Unrolled so every index is a constant (GRID_POINTS = 7: slope words start at index 7).
        unchecked {
            int256 c = grid[0];
            int256 d = grid[7];
            lowest = c;
            c += grid[1];
            d += grid[8];
            lowest = _min(lowest, c + d);
            c += grid[2];
            d += grid[9];
            lowest = _min(lowest, c + 2 * d);
            c += grid[3];
            d += grid[10];
            lowest = _min(lowest, c + 3 * d);
            c += grid[4];
            d += grid[11];
            lowest = _min(lowest, c + 4 * d);
            c += grid[5];
            d += grid[12];
            lowest = _min(lowest, c + 5 * d);
            c += grid[6];
            d += grid[13];
            lowest = _min(lowest, c + 6 * d);
        }
        int256 loss = mark - lowest;
        uint256 need = loss > 0 ? uint256(loss) : 0;
        if (charge > need) need = charge;
        return need == 0 ? 0 : (need - 1) / WAD + 1;
    }

    /// @dev Smaller of two signed values.
    function _min(int256 x, int256 y) private pure returns (int256) {
        return x < y ? x : y;
    }

    /// @dev floor(x / WAD) for a signed x (towards minus infinity).
    function _divWadFloor(int256 x) private pure returns (int256 q) {
        q = x / int256(WAD);
        if (x < 0 && q * int256(WAD) != x) q -= 1;
    }
}
