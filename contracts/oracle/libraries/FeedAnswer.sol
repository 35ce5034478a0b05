// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OracleReasons} from "./OracleReasons.sol";

/// @title FeedAnswer
/// @notice The rule that makes a feed's latest answer usable, shared by `ChainlinkPriceSource.latestPrice` and the
///         router's direct spot read (`SpotFeedList`), so the two can never disagree.
/// @dev An answer is usable when it is positive, at most `maxAnswer` (the largest raw answer whose WAD value is within
///      the source's max price), its WAD value `answer * scaleUp / scaleDown` (rounded down) is at least `minPriceWad`,
///      and its `updatedAt` is neither zero, nor later than the current block, nor older than `heartbeat`.
///      Callers guarantee `maxAnswer * scaleUp` does not overflow and `scaleDown != 0` (the adapter by construction, the
///      router by checking every snapshot it stores).
library FeedAnswer {
    /// @notice Normalises a raw answer to WAD, rounding down, and checks it against the bounds.
    /// @return wad The price, or zero when `reasons` is not zero.
    /// @return reasons REASON_SOURCE_INVALID_ANSWER, REASON_SOURCE_OUT_OF_BOUNDS, or zero.
    function toWadDownChecked(int256 answer, uint256 maxAnswer, uint256 scaleUp, uint256 scaleDown, uint256 minPriceWad)
        internal
        pure
        returns (uint256 wad, uint16 reasons)
    {
        if (answer <= 0) return (0, OracleReasons.REASON_SOURCE_INVALID_ANSWER);
        // Checked first, so the scaling below stays within the max price.
        if (uint256(answer) > maxAnswer) return (0, OracleReasons.REASON_SOURCE_OUT_OF_BOUNDS);
        // Cannot overflow: answer <= maxAnswer and maxAnswer * scaleUp fits (caller's guarantee); scaleDown != 0.
        unchecked {
            wad = (uint256(answer) * scaleUp) / scaleDown;
        }
        if (wad < minPriceWad) return (0, OracleReasons.REASON_SOURCE_OUT_OF_BOUNDS);
    }

    /// @notice Freshness of a latest answer: zero, future, or older than the heartbeat.
    /// @return REASON_SOURCE_ZERO_TIMESTAMP, REASON_SOURCE_FUTURE_TIMESTAMP, REASON_SOURCE_STALE, or zero.
    function timestampReasons(uint256 updatedAt, uint256 heartbeat) internal view returns (uint16) {
        if (updatedAt == 0) return OracleReasons.REASON_SOURCE_ZERO_TIMESTAMP;
        if (updatedAt > block.timestamp) return OracleReasons.REASON_SOURCE_FUTURE_TIMESTAMP;
        // Cannot underflow: updatedAt <= block.timestamp was just checked.
        unchecked {
            if (block.timestamp - updatedAt > heartbeat) return OracleReasons.REASON_SOURCE_STALE;
        }
        return 0;
    }
}
