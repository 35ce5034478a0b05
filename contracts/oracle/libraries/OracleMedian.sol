// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OracleReasons} from "./OracleReasons.sol";

/// @title OracleMedian
/// @notice Median with quorum and outlier rejection over at most five (price, timestamp) entries.
/// @dev Each entry packs a WAD price and a timestamp into one word, `price << 64 | timestamp`, so that sorting the
///      words sorts by price and one memory array carries both. Prices must be below 2^192 and timestamps below
///      2^64; the adapters guarantee far less (price <= 1e36, timestamp <= block.timestamp).
///
///      Aggregation rule:
///      1. With fewer than `quorum` entries there is no price (REASON_BELOW_QUORUM).
///      2. m = median of all entries (the mean of the two middle ones, rounded down, for an even count).
///      3. The entries kept are those within `maxDeviationBps` of m: |p - m| * 10_000 <= m * maxDeviationBps. Any
///         entry dropped sets REASON_OUTLIER. Since the band is an interval and the entries are sorted, the kept
///         entries are one contiguous run.
///      4. With fewer than `quorum` entries kept there is no price (REASON_DEVIATION); otherwise the price is the
///         median of the kept entries and the timestamp is the oldest among them.
///      Every kept source is thus within the maximum deviation of the median, and any two kept sources are within
///      twice of it of each other.
library OracleMedian {
    /// @notice Basis-point denominator.
    uint256 internal constant BPS = 10_000;
    /// @notice Largest number of entries.
    uint256 internal constant MAX_ENTRIES = 5;

    uint256 private constant TIMESTAMP_BITS = 64;

    /// @notice Packs a price and a timestamp into one sortable entry.
    function pack(uint256 priceWad, uint256 timestamp) internal pure returns (uint256) {
        return (priceWad << TIMESTAMP_BITS) | timestamp;
    }

    /// @notice Aggregates `entries[0 .. n)` per the rule above (n <= MAX_ENTRIES). Sorts those entries in place.
    /// @return priceWad The median of the kept entries; zero when no price can be given.
    /// @return oldestTimestamp The oldest timestamp among the kept entries; zero when no price can be given.
    /// @return used The number of kept entries; zero when no price can be given.
    /// @return reasons REASON_OUTLIER, REASON_BELOW_QUORUM and/or REASON_DEVIATION, or zero.
    function aggregate(uint256[MAX_ENTRIES] memory entries, uint256 n, uint256 quorum, uint256 maxDeviationBps)
        internal
        pure
        returns (uint256 priceWad, uint256 oldestTimestamp, uint256 used, uint16 reasons)
    {
        if (n < quorum || n == 0) return (0, 0, 0, OracleReasons.REASON_BELOW_QUORUM);
        if (n == 3) {
            // Fast path for the common case of three agreeing sources, on the stack; anything else falls through.
            bool agreed;
            (agreed, priceWad, oldestTimestamp) = _agreeingTriple(entries[0], entries[1], entries[2], maxDeviationBps);
            if (agreed) return (priceWad, oldestTimestamp, 3, 0);
        }
        sortAscending(entries, n);
        // Every index below stays within [0, n) with n <= MAX_ENTRIES, and prices are below 2^192: no overflow.
        unchecked {
            uint256 median = medianDown(entries, 0, n - 1);
            uint256 lo = 0;
            while (lo < n && !_withinBand(entries[lo] >> TIMESTAMP_BITS, median, maxDeviationBps)) ++lo;
            if (lo == n) return (0, 0, 0, OracleReasons.REASON_OUTLIER | OracleReasons.REASON_DEVIATION);
            uint256 hi = n - 1;
            // Stops at `lo` at the latest, whose entry is within the band.
            while (!_withinBand(entries[hi] >> TIMESTAMP_BITS, median, maxDeviationBps)) --hi;

            used = hi - lo + 1;
            if (used < n) reasons = OracleReasons.REASON_OUTLIER;
            if (used < quorum) return (0, 0, 0, reasons | OracleReasons.REASON_DEVIATION);

            priceWad = used == n ? median : medianDown(entries, lo, hi);
            oldestTimestamp = type(uint64).max;
            for (uint256 i = lo; i <= hi; ++i) {
                uint256 t = uint64(entries[i]);
                if (t < oldestTimestamp) oldestTimestamp = t;
            }
        }
    }

    /// @notice Median price of the sorted run `entries[lo ..= hi]`: the middle price, or for an even count the mean of
    ///         the two middle prices rounded down.
    function medianDown(uint256[MAX_ENTRIES] memory entries, uint256 lo, uint256 hi) internal pure returns (uint256) {
        // Indices are below MAX_ENTRIES and prices below 2^192, so neither sum can overflow.
        unchecked {
            uint256 a = entries[(lo + hi) >> 1] >> TIMESTAMP_BITS;
            uint256 b = entries[(lo + hi + 1) >> 1] >> TIMESTAMP_BITS;
            return (a + b) >> 1;
        }
    }

    /// @notice Sorts `entries[0 .. n)` ascending with a fixed compare-exchange network per size (no loops).
    /// @dev Networks: 2 -> (0,1); 3 -> (0,1)(1,2)(0,1); 4 -> (0,1)(2,3)(0,2)(1,3)(1,2);
    ///      5 -> (0,1)(3,4)(2,4)(2,3)(0,3)(0,2)(1,4)(1,3)(1,2), the optimal 9-comparator network. Larger `n` is
    ///      never passed (MAX_ENTRIES); n <= 1 is already sorted. Constant indices: no run-time bounds checks.
    function sortAscending(uint256[MAX_ENTRIES] memory e, uint256 n) internal pure {
        if (n == 3) {
            (e[0], e[1]) = _minMax(e[0], e[1]);
            (e[1], e[2]) = _minMax(e[1], e[2]);
            (e[0], e[1]) = _minMax(e[0], e[1]);
        } else if (n == 2) {
            (e[0], e[1]) = _minMax(e[0], e[1]);
        } else if (n == 4) {
            (e[0], e[1]) = _minMax(e[0], e[1]);
            (e[2], e[3]) = _minMax(e[2], e[3]);
            (e[0], e[2]) = _minMax(e[0], e[2]);
            (e[1], e[3]) = _minMax(e[1], e[3]);
            (e[1], e[2]) = _minMax(e[1], e[2]);
        } else if (n == 5) {
            (e[0], e[1]) = _minMax(e[0], e[1]);
            (e[3], e[4]) = _minMax(e[3], e[4]);
            (e[2], e[4]) = _minMax(e[2], e[4]);
            (e[2], e[3]) = _minMax(e[2], e[3]);
            (e[0], e[3]) = _minMax(e[0], e[3]);
            (e[0], e[2]) = _minMax(e[0], e[2]);
            (e[1], e[4]) = _minMax(e[1], e[4]);
            (e[1], e[3]) = _minMax(e[1], e[3]);
            (e[1], e[2]) = _minMax(e[1], e[2]);
        }
    }

    /// @dev Orders three entries with three comparisons on the stack (no loop, no memory) and reports whether both
    ///      outer prices lie within the band around the middle one. When they do, the middle price is the median of
    ///      all three and the result equals the general path's; otherwise the caller falls back to it.
    function _agreeingTriple(uint256 a, uint256 b, uint256 c, uint256 bps)
        private
        pure
        returns (bool agreed, uint256 median, uint256 oldestTimestamp)
    {
        // Entries compare by price first (the high bits). lo <= mid <= hi after these lines.
        (uint256 lo, uint256 hi) = a < b ? (a, b) : (b, a);
        uint256 mid;
        if (c < lo) (lo, mid) = (c, lo);
        else if (c > hi) (mid, hi) = (hi, c);
        else mid = c;

        median = mid >> TIMESTAMP_BITS;
        // Prices are below 2^192 and bps below 2^16: neither product overflows; lo <= median <= hi: no underflow.
        unchecked {
            uint256 limit = median * bps;
            if ((median - (lo >> TIMESTAMP_BITS)) * BPS > limit || ((hi >> TIMESTAMP_BITS) - median) * BPS > limit) {
                return (false, 0, 0);
            }
        }
        oldestTimestamp = uint64(a);
        if (uint64(b) < oldestTimestamp) oldestTimestamp = uint64(b);
        if (uint64(c) < oldestTimestamp) oldestTimestamp = uint64(c);
        agreed = true;
    }

    /// @dev True when |p - m| <= m * bps / 10_000, compared without division.
    function _withinBand(uint256 p, uint256 m, uint256 bps) private pure returns (bool) {
        // Prices are below 2^192 and bps below 2^16, so neither product can overflow.
        unchecked {
            uint256 distance = p > m ? p - m : m - p;
            return distance * BPS <= m * bps;
        }
    }

    /// @dev The pair in ascending order.
    function _minMax(uint256 x, uint256 y) private pure returns (uint256, uint256) {
        return x > y ? (y, x) : (x, y);
    }
}
