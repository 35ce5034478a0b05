// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceSource} from "../../interfaces/IPriceSource.sol";
import {FeedAnswer} from "./FeedAnswer.sol";
import {OracleReasons} from "./OracleReasons.sol";

/// @title SourceList
/// @notice Stores an underlying's price sources, and the spot feed of each (`IPriceSource.SpotFeed`), as the code of a
///         data contract, and reads every spot feed of the list directly.
/// @dev Why: a spot read then pays one cold account access (2,600 gas) for the whole configuration of every source,
///      instead of one cold storage read (2,100 gas) per value or one cold account access plus a call per adapter.
///      The feeds themselves are called straight from the router, with the rule the adapter would apply
///      (`FeedAnswer`), so an adapter costs nothing on the spot path.
///
///      Code layout: `0x00` (STOP: calling the data contract does nothing), then for each source i three 32-byte
///      words at `1 + 96 i` (the spot part, copied in one EXTCODECOPY by a spot read):
///        word 0: feed (bits 0-159) | heartbeat (bits 160-191) | gasLimit (bits 192-223)
///        word 1: maxAnswer
///        word 2: minPriceWad (bits 0-127) | scaleUp (bits 128-191) | scaleDown (bits 192-255)
///      then the 20-byte source (adapter) addresses at `1 + 96 count + 20 i`, used by settlement and the views.
///      Only the router deploys a list, after `isStorable` accepted every snapshot, and it never changes:
///      replacing the sources deploys a new list and repoints the router's configuration slot to it.
library SourceList {
    /// @dev Fires when deploying the data contract fails (out of gas).
    error OracleSourceListDeployFailed();

    /// @notice Largest WAD price a stored spot feed may produce; keeps every price far below 2^192 (OracleMedian).
    uint256 internal constant MAX_PRICE_WAD = 1e36;

    /// @notice Most sources in a list (the router's MAX_SOURCES and OracleMedian's MAX_ENTRIES).
    uint256 internal constant MAX_SOURCES = 5;

    /// @dev Bytes before the first spot word in the data contract's code (the STOP byte).
    uint256 private constant DATA_OFFSET = 1;
    /// @dev Bytes of one source's spot part (three words).
    uint256 private constant SPOT_SIZE = 96;
    /// @dev `latestRoundData()` selector, and the five words of a round it returns.
    uint256 private constant LATEST_ROUND_DATA = 0xfeaf968c;
    uint256 private constant ROUND_SIZE = 160;
    uint256 private constant MASK_64 = 0xffffffffffffffff;
    uint256 private constant MASK_128 = 0xffffffffffffffffffffffffffffffff;
    /// @dev `FeedCall.OracleInsufficientGas(uint256,uint256)` selector, and `FeedCall.CALL_OVERHEAD` (the tests check both).
    uint256 private constant INSUFFICIENT_GAS_SELECTOR = 0x3cf23fb8;
    uint256 private constant CALL_OVERHEAD = 5_000;
    
    /// @notice Whether `spot` packs into the layout above and its prices stay at most MAX_PRICE_WAD: a non-zero feed,
    ///         both scales in [1, 2^64), a min price in [1, 2^128), and a max answer whose WAD value neither overflows
    ///         nor exceeds MAX_PRICE_WAD.
    function isStorable(IPriceSource.SpotFeed memory spot) internal pure returns (bool) {
        return spot.feed != address(0) && spot.scaleUp != 0 && spot.scaleUp < 1 << 64 && spot.scaleDown != 0
            && spot.scaleDown < 1 << 64 && spot.minPriceWad != 0 && spot.minPriceWad < 1 << 128
            && spot.maxAnswer <= type(uint256).max / spot.scaleUp
            && (spot.maxAnswer * spot.scaleUp) / spot.scaleDown <= MAX_PRICE_WAD;
    }

    /// @notice Deploys a data contract holding `sources` and their spot feeds `spots` (same length, each accepted by
    ///         `isStorable`) and returns its address.
    function write(IPriceSource[] calldata sources, IPriceSource.SpotFeed[] memory spots)
        internal
        returns (address pointer)
    {
        bytes memory runtime = hex"00";
        for (uint256 i = 0; i < spots.length; ++i) {
            IPriceSource.SpotFeed memory s = spots[i];
            runtime = bytes.concat(
                runtime,
                bytes32(uint256(uint160(s.feed)) | uint256(s.heartbeat) << 160 | uint256(s.gasLimit) << 192),
                bytes32(s.maxAnswer),
                bytes32(s.minPriceWad | s.scaleUp << 128 | s.scaleDown << 192)
            );
        }
        for (uint256 i = 0; i < sources.length; ++i) {
            runtime = bytes.concat(runtime, bytes20(address(sources[i])));
        }
        // Init code (10 bytes): PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY(0, 10, size),
        // RETURNDATASIZE, RETURN(0, size): it returns the runtime appended after it. size < 2^16 (at most 581 bytes).
        bytes memory initCode = bytes.concat(hex"61", bytes2(uint16(runtime.length)), hex"80600a3d393df3", runtime);
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (pointer == address(0)) revert OracleSourceListDeployFailed();
    }

    /// @notice Source `index` of the `count` sources stored at `pointer`. The caller keeps `index` below `count`.
    function at(address pointer, uint256 count, uint256 index) internal view returns (IPriceSource source) {
        assembly ("memory-safe") {
            // Scratch space: the 20 bytes land left-aligned in the first word, the rest of it zeroed first.
            mstore(0, 0)
            extcodecopy(pointer, 0, add(add(DATA_OFFSET, mul(count, SPOT_SIZE)), mul(index, 20)), 20)
            source := shr(96, mload(0))
        }
    }

    /// @notice Spot feed `index` (below the stored count) of the list stored at `pointer`, unpacked.
    function spotFeedAt(address pointer, uint256 index) internal view returns (IPriceSource.SpotFeed memory spot) {
        uint256 w0;
        uint256 w1;
        uint256 w2;
        assembly ("memory-safe") {
            // Temporary use of the memory past the free-memory pointer: the three words are loaded before any allocation.
            let ptr := mload(0x40)
            extcodecopy(pointer, ptr, add(DATA_OFFSET, mul(index, SPOT_SIZE)), SPOT_SIZE)
            w0 := mload(ptr)
            w1 := mload(add(ptr, 0x20))
            w2 := mload(add(ptr, 0x40))
        }
        spot = IPriceSource.SpotFeed(
            address(uint160(w0)), uint32(w0 >> 160), uint32(w0 >> 192), uint128(w2), w1, uint64(w2 >> 128), w2 >> 192
        );
    }

    /// @notice Reads the latest answer of each of the `count` spot feeds stored at `pointer`, checks it, writes the
    ///         usable ones into `entries` as `OracleMedian.pack(price, updatedAt)` and ORs the reasons of the others:
    ///         exactly what `IPriceSource.latestPrice` of each source reports.
    /// @dev The hot loop of every spot read, so its usual path is assembly:
    ///      - The spot words of the whole list are copied with one EXTCODECOPY; the feed calls and the rounds of
    ///        unusable answers use memory after them. Everything is allocated, so `_failedReasons` may run after it.
    ///      - Each feed call is `FeedCall.latestRoundData` restated: at most `gasLimit` gas, at most 160 bytes copied
    ///        back, shorter return data counted as a failure.
    ///      - An answer is usable when `0 < answer <= maxAnswer` (one unsigned comparison of `answer - 1`, which wraps
    ///        for zero and negative answers), its WAD value is at least the min price, and `0 < updatedAt <= now` with
    ///        `now - updatedAt <= heartbeat`: exactly when `FeedAnswer` reports no reason. The product of the scaling
    ///        can only wrap when the answer is above `maxAnswer`, and then the answer is refused anyway.
    ///      - An unusable answer first gets `FeedCall.requireFullGas` (revert `OracleInsufficientGas` unless the gas
    ///        left just before the call guaranteed the full cap), then its round is kept for `_failedReasons`, which
    ///        finds its reasons with the adapters' own code (`FeedAnswer`).
    ///      Prices are at most MAX_PRICE_WAD (< 2^192, `isStorable`) and `updatedAt` at most `block.timestamp`, so
    ///      packing loses no bits; count <= MAX_SOURCES, so no offset can overflow.
    /// @return valid Number of entries written.
    /// @return reasons OR of the REASON_SOURCE_* reasons of the sources not written.
    function readSpots(address pointer, uint256 count, uint256[MAX_SOURCES] memory entries)
        internal
        view
        returns (uint256 valid, uint16 reasons)
    {
        uint256 failed;
        uint256 rounds;
        (valid, failed, rounds) = _readFeeds(pointer, count, entries);
        if (failed != 0) reasons = _failedReasons(pointer, count, failed, rounds);
    }

    /// @dev The assembly part of `readSpots`: fills `entries` with the usable answers and flags the others in `failed`
    ///      (bit i: source i), their rounds (ok, answer, updatedAt) kept at `rounds + 0x60 i`.
    function _readFeeds(address pointer, uint256 count, uint256[MAX_SOURCES] memory entries)
        private
        view
        returns (uint256 valid, uint256 failed, uint256 rounds)
    {
        assembly ("memory-safe") {
            // Layout from the free-memory pointer: the spot words, the call area (selector word, round), kept rounds.
            let io := add(mload(0x40), mul(count, SPOT_SIZE))
            extcodecopy(pointer, mload(0x40), DATA_OFFSET, mul(count, SPOT_SIZE))
            mstore(io, shl(224, LATEST_ROUND_DATA))
            rounds := add(io, 0xc0)
            mstore(0x40, add(rounds, mul(count, 0x60)))
            for { let p := sub(io, mul(count, SPOT_SIZE)) } lt(p, io) { p := add(p, SPOT_SIZE) } {
                let w0 := mload(p)
                let gasBefore := gas()
                let ok := staticcall(and(shr(192, w0), 0xffffffff), shr(96, shl(96, w0)), io, 4, add(io, 0x20), ROUND_SIZE)
                ok := and(ok, iszero(lt(returndatasize(), ROUND_SIZE)))
                let answer := mload(add(io, 0x40))
                let updatedAt := mload(add(io, 0x80))
                let wad := div(mul(answer, and(shr(128, mload(add(p, 0x40))), MASK_64)), shr(192, mload(add(p, 0x40))))
                if and(
                    and(and(ok, lt(sub(answer, 1), mload(add(p, 0x20)))), iszero(lt(wad, and(mload(add(p, 0x40)), MASK_128)))),
                    and(
                        and(iszero(iszero(updatedAt)), iszero(gt(updatedAt, timestamp()))),
                        iszero(gt(sub(timestamp(), updatedAt), and(shr(160, w0), 0xffffffff)))
                    )
                ) {
                    mstore(add(entries, shl(5, valid)), or(shl(64, wad), updatedAt))
                    valid := add(valid, 1)
                    continue
                }
                let required := div(add(mul(add(and(shr(192, w0), 0xffffffff), CALL_OVERHEAD), 64), 62), 63)
                if lt(gasBefore, required) {
                    mstore(0, shl(224, INSUFFICIENT_GAS_SELECTOR))
                    mstore(4, gasBefore)
                    mstore(0x24, required)
                    revert(0, 0x44)
                }
                let i := div(sub(p, sub(io, mul(count, SPOT_SIZE))), SPOT_SIZE)
                failed := or(failed, shl(i, 1))
                mstore(add(rounds, mul(0x60, i)), ok)
                mstore(add(rounds, add(mul(0x60, i), 0x20)), answer)
                mstore(add(rounds, add(mul(0x60, i), 0x40)), updatedAt)
            }
        }
    }

    /// @dev Reasons of the sources flagged in `failed` (bit i: source i), from the rounds `readSpots` kept for them:
    ///      REASON_SOURCE_CALL_FAILED for a failed call, else the reasons of `FeedAnswer` for the answer, exactly as
    ///      `ChainlinkPriceSource.latestPrice` finds them. Only runs when some source is unusable.
    function _failedReasons(address pointer, uint256 count, uint256 failed, uint256 rounds)
        private
        view
        returns (uint16 reasons)
    {
        for (uint256 i = 0; i < count; ++i) {
            if ((failed >> i) & 1 == 0) continue;
            uint256 ok;
            int256 answer;
            uint256 updatedAt;
            assembly ("memory-safe") {
                let kept := add(rounds, mul(0x60, i))
                ok := mload(kept)
                answer := mload(add(kept, 0x20))
                updatedAt := mload(add(kept, 0x40))
            }
            if (ok == 0) {
                reasons |= OracleReasons.REASON_SOURCE_CALL_FAILED;
                continue;
            }
            IPriceSource.SpotFeed memory spot = spotFeedAt(pointer, i);
            (, uint16 r) = FeedAnswer.toWadDownChecked(answer, spot.maxAnswer, spot.scaleUp, spot.scaleDown, spot.minPriceWad);
            reasons |= r | FeedAnswer.timestampReasons(updatedAt, spot.heartbeat);
        }
    }
}
