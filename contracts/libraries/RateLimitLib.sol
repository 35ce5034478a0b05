// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title RateLimitLib
/// @notice Pure math of a net-flow rate limit (ERC-7265-style leaky bucket with a linear refill), O(1) per update.
/// @dev The bucket holds a signed net outflow `net` in [-limit, limit]: outflows add, inflows subtract, and time
///      moves it linearly back towards zero at `limit / refillPeriod` per second. An outflow is accepted while
///      `net + assets <= limit`, so whatever the number of accounts or transactions, the net outflow over any span of
///      `t` seconds is at most `limit + limit * t / refillPeriod` (plus the inflows of that span). Inflows earn a credit
///      down to `-limit` only, so deposits made long ago, or a flash deposit, cannot open more than one extra bucket.
///      Rounding is always against the caller: an outflow debt decays rounded down, an inflow credit decays rounded up.
library RateLimitLib {
    /// @notice Amount of debt repaid after `elapsed` seconds, rounded down.
    /// @dev No overflow: callers bound `limit` below 2^96 and `elapsed` below 2^40, so the product is below 2^136.
    function refillDown(uint256 limit, uint256 refillPeriod, uint256 elapsed) internal pure returns (uint256) {
        return (limit * elapsed) / refillPeriod;
    }

    /// @notice Amount of credit expired after `elapsed` seconds, rounded up.
    /// @dev Same bounds as `refillDown`; `refillPeriod` is never zero (bounded by the caller's constants).
    function refillUp(uint256 limit, uint256 refillPeriod, uint256 elapsed) internal pure returns (uint256) {
        uint256 product = limit * elapsed;
        // Ceil division: product / refillPeriod rounded up; cannot overflow since product < 2^136.
        return product == 0 ? 0 : (product - 1) / refillPeriod + 1;
    }

    /// @notice Net outflow after `elapsed` seconds of refill, never crossing zero.
    /// @param net Net outflow at the start, in [-limit, limit].
    /// @return The net outflow now, same sign as `net` or zero.
    function decayed(int256 net, uint256 limit, uint256 refillPeriod, uint256 elapsed) internal pure returns (int256) {
        if (net > 0) {
            uint256 repaid = refillDown(limit, refillPeriod, elapsed);
            // net > 0 here, so the cast is exact; the subtraction only runs when repaid < net.
            return repaid >= uint256(net) ? int256(0) : net - int256(repaid);
        }
        if (net < 0) {
            uint256 expired = refillUp(limit, refillPeriod, elapsed);
            // -net is at most limit < 2^96, so both casts are exact.
            return expired >= uint256(-net) ? int256(0) : net + int256(expired);
        }
        return 0;
    }

    /// @notice Outflow the bucket can still take: `limit - net`, floored at zero, rounded down (exact in integers).
    function availableDown(int256 net, uint256 limit) internal pure returns (uint256) {
        // limit < 2^96, so int256(limit) is exact; net <= limit in normal operation, the floor covers a lowered limit.
        int256 room = int256(limit) - net;
        return room > 0 ? uint256(room) : 0;
    }

    /// @notice Net outflow after an inflow of `assets`, floored at `-limit`.
    function afterInflow(int256 net, uint256 limit, uint256 assets) internal pure returns (int256) {
        // Distance to the floor: net + limit, in [0, 2 * limit] because net >= -limit; compared before subtracting,
        // since `assets` may be any uint256.
        uint256 headroom = uint256(net + int256(limit));
        if (assets >= headroom) return -int256(limit);
        // assets < headroom <= 2 * limit < 2^97, so the cast is exact.
        return net - int256(assets);
    }

    /// @notice Whether `net` has reached `tripBps` basis points of `limit`.
    function reached(int256 net, uint256 limit, uint256 tripBps) internal pure returns (bool) {
        // net <= limit < 2^96 and tripBps <= 10_000, so both products fit easily.
        return net > 0 && uint256(net) * 10_000 >= limit * tripBps;
    }
}
