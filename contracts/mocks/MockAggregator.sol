// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {TestDouble} from "./TestDouble.sol";

/// @title MockAggregator
/// @notice Test double of a Chainlink proxy: scriptable answers and timestamps, proxy-style round ids
///         (`phaseId << 64 | aggregatorRoundId`), phase changes, and misbehaviour modes (revert, burn all gas,
///         return huge data, return short data). Tests and the demo only; never deployed by deploy/.
/// @dev The latest round lives in one explicitly packed storage word, so `latestRoundData` costs one cold SLOAD and
///      a few shifts, like a cheap feed.
///      History lives in a mapping read by `getRoundData`; a round that was never written reverts like a modern
///      aggregator ("no data"), or can be written with `updatedAt == 0` to mimic older aggregators.
contract MockAggregator is AggregatorV3Interface, TestDouble {
    /// @notice How the feed answers reads.
    enum Mode {
        NORMAL,
        REVERT,
        BURN_GAS,
        HUGE_RETURN,
        SHORT_RETURN
    }

    /// @dev The latest round, unpacked. Stored packed in one word (low to high bits): answer (int128), startedAt
    ///      (uint40), updatedAt (uint40), aggregatorRoundId (uint32), phaseId (uint8), mode (uint8).
    struct Latest {
        int128 answer;
        uint40 startedAt;
        uint40 updatedAt;
        uint32 aggregatorRoundId;
        uint8 phaseId;
        Mode mode;
    }

    struct Round {
        int128 answer;
        uint40 startedAt;
        uint40 updatedAt;
        bool exists;
    }

    /// @notice Bytes returned in HUGE_RETURN mode: a valid round followed by zero padding.
    uint256 public constant HUGE_RETURN_SIZE = 64 * 1024;

    /// @inheritdoc AggregatorV3Interface
    uint8 public immutable decimals;

    uint256 private _latestPacked;
    mapping(uint80 roundId => Round) private _rounds;

    /// @notice Emitted for every round written.
    event MockRoundWritten(uint80 indexed roundId, int256 answer, uint256 startedAt, uint256 updatedAt);
    /// @notice Emitted when the mode changes.
    event MockModeSet(Mode mode);

    /// @dev Fires in REVERT mode.
    error MockAggregatorReverted();
    /// @dev Fires when `getRoundData` is asked for a round never written.
    error MockAggregatorNoData(uint80 roundId);
    /// @dev Fires when a value does not fit the packed storage.
    error MockAggregatorValueTooLarge(uint256 value);

    /// @param decimals_ Decimals reported by the feed.
    /// @param initialAnswer Answer of round 1 of phase 1, timestamped now.
    constructor(uint8 decimals_, int256 initialAnswer) {
        decimals = decimals_;
        _store(Latest(0, 0, 0, 0, 1, Mode.NORMAL));
        _push(initialAnswer, block.timestamp, block.timestamp);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  SCRIPTING                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Pushes a new round in the current phase, timestamped now.
    function pushRound(int256 answer) external {
        _push(answer, block.timestamp, block.timestamp);
    }

    /// @notice Pushes a new round in the current phase with explicit timestamps.
    function pushRoundAt(int256 answer, uint256 startedAt, uint256 updatedAt) external {
        _push(answer, startedAt, updatedAt);
    }

    /// @notice Starts a new phase (an aggregator upgrade) whose round 1 carries `answer` at `updatedAt`.
    function startPhase(int256 answer, uint256 updatedAt) external {
        Latest memory latest = _load();
        latest.phaseId += 1;
        latest.aggregatorRoundId = 0;
        _store(latest);
        _push(answer, updatedAt, updatedAt);
    }

    /// @notice Rewrites the latest round in place (same round id).
    function setLatest(int256 answer, uint256 startedAt, uint256 updatedAt) external {
        Latest memory latest = _load();
        _write(_roundId(latest.phaseId, latest.aggregatorRoundId), answer, startedAt, updatedAt);
    }

    /// @notice Writes any round of the history. Writing `updatedAt == 0` mimics an aggregator reporting an absent
    ///         round with zeros instead of reverting. Does not move the latest round unless it is that round.
    function setRound(uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt) external {
        _write(roundId, answer, startedAt, updatedAt);
    }

    /// @notice Erases a round of the history, so `getRoundData` reverts for it (the latest slot is left as it is).
    function deleteRound(uint80 roundId) external {
        delete _rounds[roundId];
        emit MockRoundWritten(roundId, 0, 0, 0);
    }

    /// @notice Sets how the feed answers reads.
    function setMode(Mode mode) external {
        Latest memory latest = _load();
        latest.mode = mode;
        _store(latest);
        emit MockModeSet(mode);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                 AGGREGATOR                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        uint256 word = _latestPacked;
        uint80 roundId = (uint80(uint8(word >> 240)) << 64) | uint32(word >> 208);
        int256 answer = int128(uint128(word));
        uint256 startedAt = uint40(word >> 128);
        uint256 updatedAt = uint40(word >> 168);
        if (word >> 248 != 0) _misbehave(Mode(word >> 248), roundId, answer, startedAt, updatedAt);
        return (roundId, answer, startedAt, updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        _misbehave(_load().mode, roundId, r.answer, r.startedAt, r.updatedAt);
        if (!r.exists) revert MockAggregatorNoData(roundId);
        return (roundId, r.answer, r.startedAt, r.updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external pure returns (string memory) {
        return "MockAggregator";
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 4;
    }

    /// @notice The current proxy-style round id.
    function latestRoundId() external view returns (uint80) {
        Latest memory latest = _load();
        return _roundId(latest.phaseId, latest.aggregatorRoundId);
    }

    /// @notice Builds a proxy-style round id.
    function roundIdOf(uint8 phaseId, uint64 aggregatorRoundId) external pure returns (uint80) {
        return _roundId(phaseId, aggregatorRoundId);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  INTERNALS                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    function _push(int256 answer, uint256 startedAt, uint256 updatedAt) private {
        Latest memory latest = _load();
        _write(_roundId(latest.phaseId, latest.aggregatorRoundId + 1), answer, startedAt, updatedAt);
    }

    function _write(uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt) private {
        if (answer > type(int128).max || answer < type(int128).min) revert MockAggregatorValueTooLarge(uint256(answer));
        if (startedAt > type(uint40).max) revert MockAggregatorValueTooLarge(startedAt);
        if (updatedAt > type(uint40).max) revert MockAggregatorValueTooLarge(updatedAt);
        _rounds[roundId] = Round(int128(answer), uint40(startedAt), uint40(updatedAt), true);
        Latest memory latest = _load();
        uint8 phaseId = uint8(roundId >> 64);
        uint32 aggregatorRoundId = uint32(uint64(roundId));
        // A write at or past the current latest round (in the current phase) becomes the latest.
        if (phaseId == latest.phaseId && aggregatorRoundId >= latest.aggregatorRoundId) {
            latest.answer = int128(answer);
            latest.startedAt = uint40(startedAt);
            latest.updatedAt = uint40(updatedAt);
            latest.aggregatorRoundId = aggregatorRoundId;
            _store(latest);
        }
        emit MockRoundWritten(roundId, answer, startedAt, updatedAt);
    }

    function _load() private view returns (Latest memory latest) {
        uint256 word = _latestPacked;
        latest.answer = int128(uint128(word));
        latest.startedAt = uint40(word >> 128);
        latest.updatedAt = uint40(word >> 168);
        latest.aggregatorRoundId = uint32(word >> 208);
        latest.phaseId = uint8(word >> 240);
        latest.mode = Mode(word >> 248);
    }

    function _store(Latest memory latest) private {
        _latestPacked = uint256(uint128(latest.answer)) | (uint256(latest.startedAt) << 128)
            | (uint256(latest.updatedAt) << 168) | (uint256(latest.aggregatorRoundId) << 208)
            | (uint256(latest.phaseId) << 240) | (uint256(latest.mode) << 248);
    }

    function _roundId(uint8 phaseId, uint64 aggregatorRoundId) private pure returns (uint80) {
        return (uint80(phaseId) << 64) | aggregatorRoundId;
    }

    /// @dev Applies the misbehaviour modes; returns normally in NORMAL mode.
    function _misbehave(Mode mode, uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt) private pure {
        if (mode == Mode.NORMAL) return;
        if (mode == Mode.REVERT) revert MockAggregatorReverted();
        if (mode == Mode.BURN_GAS) {
            assembly ("memory-safe") {
                // Spin until the gas cap runs out.
                for { let i := 0 } 1 { i := add(i, 1) } { mstore(0, i) }
            }
        }
        if (mode == Mode.HUGE_RETURN) {
            assembly {
                // A valid round in the first five words, then zeros up to HUGE_RETURN_SIZE bytes. Memory past the
                // words written here is untouched (zero) in this short call.
                let ptr := mload(0x40)
                mstore(ptr, roundId)
                mstore(add(ptr, 0x20), answer)
                mstore(add(ptr, 0x40), startedAt)
                mstore(add(ptr, 0x60), updatedAt)
                mstore(add(ptr, 0x80), roundId)
                return(ptr, HUGE_RETURN_SIZE)
            }
        }
        // SHORT_RETURN: two words only, too short to decode.
        assembly {
            mstore(0, roundId)
            mstore(0x20, answer)
            return(0, 0x40)
        }
    }
}
