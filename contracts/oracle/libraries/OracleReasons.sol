// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title OracleReasons
/// @notice Bit flags carried in `IOracleRouter.SpotReading.reasons` and returned by `IPriceSource.latestPrice`.
/// @dev Bits 0-5 are per-source reasons: an adapter returns them for its own answer and the router ORs the reasons of
///      every dropped source into the reading. Bits 6-11 are set by the router itself. A reading is FAILED when any bit
///      of `FAILED_MASK` is set, DEGRADED when only other bits are set, and OK when `reasons` is zero.
library OracleReasons {
    /// @notice The feed call reverted, ran out of its gas cap, or returned too little data to decode.
    uint16 internal constant REASON_SOURCE_CALL_FAILED = 1 << 0;
    /// @notice The answer is zero or negative.
    uint16 internal constant REASON_SOURCE_INVALID_ANSWER = 1 << 1;
    /// @notice The answer carries an `updatedAt` of zero (round not complete).
    uint16 internal constant REASON_SOURCE_ZERO_TIMESTAMP = 1 << 2;
    /// @notice The answer carries an `updatedAt` later than the current block.
    uint16 internal constant REASON_SOURCE_FUTURE_TIMESTAMP = 1 << 3;
    /// @notice The answer is older than the source's heartbeat.
    uint16 internal constant REASON_SOURCE_STALE = 1 << 4;
    /// @notice The answer, in WAD, lies outside the source's protocol-set [min, max] bounds.
    uint16 internal constant REASON_SOURCE_OUT_OF_BOUNDS = 1 << 5;
    /// @notice At least one valid source lay further from the median than the maximum deviation and was dropped.
    uint16 internal constant REASON_OUTLIER = 1 << 6;
    /// @notice Fewer valid sources than the quorum.
    uint16 internal constant REASON_BELOW_QUORUM = 1 << 7;
    /// @notice Enough valid sources, but fewer than the quorum lie within the maximum deviation of their median.
    uint16 internal constant REASON_DEVIATION = 1 << 8;
    /// @notice The L2 sequencer-uptime feed reports the sequencer down.
    uint16 internal constant REASON_SEQUENCER_DOWN = 1 << 9;
    /// @notice The sequencer is up again but its grace period has not elapsed.
    uint16 internal constant REASON_SEQUENCER_GRACE_PERIOD = 1 << 10;
    /// @notice The sequencer-uptime feed could not be read or gave an unusable answer.
    uint16 internal constant REASON_SEQUENCER_FEED_FAILED = 1 << 11;

    /// @notice Every per-source reason.
    uint16 internal constant SOURCE_MASK = 0x3f;
    /// @notice Every sequencer reason.
    uint16 internal constant SEQUENCER_MASK = REASON_SEQUENCER_DOWN | REASON_SEQUENCER_GRACE_PERIOD
        | REASON_SEQUENCER_FEED_FAILED;
    /// @notice Reasons that make a reading FAILED (no price).
    uint16 internal constant FAILED_MASK = REASON_BELOW_QUORUM | REASON_DEVIATION | SEQUENCER_MASK;
}
