// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title FeedCall
/// @notice Reads an AggregatorV3-style feed with a gas cap and a bounded return-data copy, and tells a feed failure
///         apart from a failure the caller could have forced by starving the call of gas.
/// @dev Defences, and why each is needed:
///      - Gas cap. A feed is external code; a high-level call would forward 63/64 of the remaining gas, so a feed that
///        loops would burn almost the whole transaction. The call gets at most `gasLimit`.
///      - Bounded copy. A high-level call copies all return data into memory, so a feed returning megabytes would
///        make the caller pay quadratic memory expansion. Only the first 160 bytes (the five words of a round) are
///        copied; shorter return data counts as a failed call.
///      - Starvation. EIP-150 gives a callee at most 63/64 of the gas left. A caller who sends a transaction with
///        just enough gas could make a healthy feed run out of gas and turn a price into a "failed source". So the
///        gas left just before the call is recorded and returned; whenever the answer is unusable the caller must
///        pass it to `requireFullGas`, which reverts with `OracleInsufficientGas` unless the feed certainly received
///        its full `gasLimit`. Measuring before the call (not only after it) also covers a feed that forwards the
///        starved gas to an inner call and reverts cheaply itself, which a "gasleft() after the call" test misses.
///        A healthy read never needs the reserve, so callers are only asked for it on the failure path.
library FeedCall {
    /// @dev Fires when a feed call failed or returned an unusable answer while the gas left before the call could not
    ///      guarantee the feed its full cap: the caller must retry with more gas instead of the source being
    ///      counted as failed. `gasAvailable` is the gas left before the call, `gasRequired` the gas that guarantees
    ///      the cap.
    error OracleInsufficientGas(uint256 gasAvailable, uint256 gasRequired);

    /// @notice Gas spent around the call itself (cold account access, memory, bookkeeping) that must be available on
    ///         top of the cap.
    uint256 internal constant CALL_OVERHEAD = 5_000;

    /// @dev `latestRoundData()` and `getRoundData(uint80)` selectors, as numbers (shifted into place when used).
    uint256 private constant LATEST_ROUND_DATA = 0xfeaf968c;
    uint256 private constant GET_ROUND_DATA = 0x9a6fc8f5;
    /// @dev (roundId, answer, startedAt, updatedAt, answeredInRound): five 32-byte words.
    uint256 private constant ROUND_SIZE = 160;

    /// @notice Calls `feed.latestRoundData()` with at most `gasLimit` gas.
    /// @return ok True when the call succeeded and returned at least one full round.
    /// @return gasBefore Gas left just before the call, to pass to `requireFullGas` on the failure path.
    /// @return answer The answer (meaningless when `ok` is false).
    /// @return startedAt The round's start time (meaningless when `ok` is false).
    /// @return updatedAt The round's update time (meaningless when `ok` is false).
    function latestRoundData(address feed, uint256 gasLimit)
        internal
        view
        returns (bool ok, uint256 gasBefore, int256 answer, uint256 startedAt, uint256 updatedAt)
    {
        gasBefore = gasleft();
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, LATEST_ROUND_DATA))
            // The output area is only scratch space past the free-memory pointer: at most ROUND_SIZE bytes are copied.
            ok := staticcall(gasLimit, feed, ptr, 4, ptr, ROUND_SIZE)
            // Separate statement: Yul evaluates arguments right to left, returndatasize() must follow the call.
            ok := and(ok, iszero(lt(returndatasize(), ROUND_SIZE)))
            answer := mload(add(ptr, 0x20))
            startedAt := mload(add(ptr, 0x40))
            updatedAt := mload(add(ptr, 0x60))
        }
    }

    /// @notice Calls `feed.getRoundData(roundId)` with at most `gasLimit` gas.
    /// @return ok True when the call succeeded and returned at least one full round.
    /// @return gasBefore Gas left just before the call, to pass to `requireFullGas` on the failure path.
    /// @return answer The answer (meaningless when `ok` is false).
    /// @return updatedAt The round's update time (meaningless when `ok` is false).
    function getRoundData(address feed, uint80 roundId, uint256 gasLimit)
        internal
        view
        returns (bool ok, uint256 gasBefore, int256 answer, uint256 updatedAt)
    {
        gasBefore = gasleft();
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, GET_ROUND_DATA))
            mstore(add(ptr, 4), and(roundId, 0xffffffffffffffffffff))
            ok := staticcall(gasLimit, feed, ptr, 36, ptr, ROUND_SIZE)
            ok := and(ok, iszero(lt(returndatasize(), ROUND_SIZE)))
            answer := mload(add(ptr, 0x20))
            updatedAt := mload(add(ptr, 0x60))
        }
    }

    /// @notice Reverts with `OracleInsufficientGas` unless `gasBefore` guaranteed the callee its full `gasLimit`.
    /// @dev The callee receives min(gasLimit, available - available / 64), where `available` is `gasBefore` minus the
    ///      cost of the call itself (bounded by CALL_OVERHEAD). `gasBefore >= (gasLimit + CALL_OVERHEAD) * 64 / 63`
    ///      therefore guarantees the whole cap.
    function requireFullGas(uint256 gasBefore, uint256 gasLimit) internal pure {
        uint256 required = gasRequired(gasLimit);
        if (gasBefore < required) revert OracleInsufficientGas(gasBefore, required);
    }

    /// @notice Gas that must be left before a feed call for the feed to receive its full `gasLimit`.
    function gasRequired(uint256 gasLimit) internal pure returns (uint256) {
        // Rounded up so that the guarantee holds exactly.
        return ((gasLimit + CALL_OVERHEAD) * 64 + 62) / 63;
    }
}
