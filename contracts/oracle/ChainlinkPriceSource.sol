// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IChainlinkPriceSource} from "../interfaces/IChainlinkPriceSource.sol";
import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {FeedAnswer} from "./libraries/FeedAnswer.sol";
import {FeedCall} from "./libraries/FeedCall.sol";
import {OracleReasons} from "./libraries/OracleReasons.sol";

/// @title ChainlinkPriceSource
/// @notice `IPriceSource` over one AggregatorV3 feed, with its whole configuration in immutables so a read costs no
///         storage access of its own. `spotFeed()` hands that configuration to the router, which reads the feed for
///         spot prices itself with the same rule (`FeedAnswer`); `priceAt` proves settlement rounds.
/// @dev See `IChainlinkPriceSource` for the validity rules and the settlement-round proof, and `FeedCall` for the
///      defences around each feed call (gas cap, bounded return data, starvation check).
contract ChainlinkPriceSource is IChainlinkPriceSource {
    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                 HARD BOUNDS                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Smallest heartbeat accepted at construction.
    uint256 public constant MIN_HEARTBEAT = 1 minutes;
    /// @notice Largest heartbeat accepted at construction.
    uint256 public constant MAX_HEARTBEAT = 3 days;
    /// @notice Largest feed decimals accepted at construction.
    uint256 public constant MAX_FEED_DECIMALS = 36;
    /// @notice Largest max price accepted at construction, WAD (keeps every price far below 2^192).
    uint256 public constant MAX_PRICE_WAD = 1e36;
    /// @notice Smallest gas cap per feed call.
    uint256 public constant MIN_GAS_LIMIT = 20_000;
    /// @notice Largest gas cap per feed call.
    uint256 public constant MAX_GAS_LIMIT = 1_000_000;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                 IMMUTABLES                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    address private immutable _FEED;
    uint8 private immutable _FEED_DECIMALS;
    uint32 private immutable _HEARTBEAT;
    uint32 private immutable _GAS_LIMIT;
    uint256 private immutable _MIN_PRICE;
    uint256 private immutable _MAX_PRICE;
    /// @dev Largest raw answer (feed units) inside the max bound; checking it first keeps the scaling from overflowing.
    uint256 private immutable _MAX_ANSWER;
    /// @dev WAD = answer * _SCALE_UP / _SCALE_DOWN; one of the two is 1.
    uint256 private immutable _SCALE_UP;
    uint256 private immutable _SCALE_DOWN;

    /// @param feed_ The AggregatorV3 feed (for Chainlink, the proxy, so phase-prefixed round ids are available).
    /// @param heartbeat_ Largest accepted age of the latest answer, in [MIN_HEARTBEAT, MAX_HEARTBEAT].
    /// @param minPriceWad Smallest accepted price, WAD, > 0.
    /// @param maxPriceWad Largest accepted price, WAD, > minPriceWad and <= MAX_PRICE_WAD.
    /// @param gasLimit_ Gas cap per feed call, in [MIN_GAS_LIMIT, MAX_GAS_LIMIT].
    constructor(
        AggregatorV3Interface feed_,
        uint32 heartbeat_,
        uint256 minPriceWad,
        uint256 maxPriceWad,
        uint32 gasLimit_
    ) {
        if (address(feed_) == address(0)) revert OracleZeroFeed();
        if (heartbeat_ < MIN_HEARTBEAT || heartbeat_ > MAX_HEARTBEAT) {
            revert OracleHeartbeatOutOfRange(heartbeat_, MIN_HEARTBEAT, MAX_HEARTBEAT);
        }
        if (minPriceWad == 0 || minPriceWad >= maxPriceWad || maxPriceWad > MAX_PRICE_WAD) {
            revert OraclePriceBoundsInvalid(minPriceWad, maxPriceWad, MAX_PRICE_WAD);
        }
        if (gasLimit_ < MIN_GAS_LIMIT || gasLimit_ > MAX_GAS_LIMIT) {
            revert OracleGasLimitOutOfRange(gasLimit_, MIN_GAS_LIMIT, MAX_GAS_LIMIT);
        }
        // Deployment-time call to a feed chosen by the deployer: a plain call is fine here.
        uint8 decimals_ = feed_.decimals();
        if (decimals_ > MAX_FEED_DECIMALS) revert OracleFeedDecimalsOutOfRange(decimals_, MAX_FEED_DECIMALS);

        uint256 up = 1;
        uint256 down = 1;
        uint256 maxAnswer;
        if (decimals_ <= 18) {
            up = 10 ** (18 - decimals_);
            maxAnswer = maxPriceWad / up;
            // Some integer answer must map into [min, max]: ceil(min / up) <= floor(max / up).
            if ((minPriceWad + up - 1) / up > maxAnswer) {
                revert OraclePriceBoundsUnrepresentable(minPriceWad, maxPriceWad, decimals_);
            }
        } else {
            down = 10 ** (decimals_ - 18);
            // Every answer up to here maps to at most maxPriceWad after the rounding-down division. Cannot overflow:
            // maxPriceWad <= 1e36 and down <= 1e18.
            maxAnswer = maxPriceWad * down + (down - 1);
        }

        _FEED = address(feed_);
        _FEED_DECIMALS = decimals_;
        _HEARTBEAT = heartbeat_;
        _GAS_LIMIT = gasLimit_;
        _MIN_PRICE = minPriceWad;
        _MAX_PRICE = maxPriceWad;
        _MAX_ANSWER = maxAnswer;
        _SCALE_UP = up;
        _SCALE_DOWN = down;
        emit ChainlinkPriceSourceCreated(address(feed_), decimals_, heartbeat_, minPriceWad, maxPriceWad, gasLimit_);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                 LATEST PRICE                                                 */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc IPriceSource
    function latestPrice() external view returns (uint256 priceWad, uint256 updatedAt, uint16 reasons) {
        (bool ok, uint256 gasBefore, int256 answer,, uint256 ts) = FeedCall.latestRoundData(_FEED, _GAS_LIMIT);
        if (ok) {
            (priceWad, reasons) = _toWadDownChecked(answer);
            reasons |= _timestampReasons(ts);
            if (reasons == 0) return (priceWad, ts, 0);
        } else {
            reasons = OracleReasons.REASON_SOURCE_CALL_FAILED;
        }
        // Unusable answer: only report it when the feed certainly had its full gas cap (see FeedCall).
        FeedCall.requireFullGas(gasBefore, _GAS_LIMIT);
        return (0, 0, reasons);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                               SETTLEMENT PROOF                                               */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc IPriceSource
    function priceAt(uint64 timestamp, uint256 hint) external view returns (uint256 priceWad, uint256 observedAt) {
        uint80 roundId = uint80(hint);
        uint80 previousRoundId = uint80(hint >> 80);
        uint64 aggregatorRoundId = uint64(roundId);
        uint256 phaseId = roundId >> 64;
        if (hint >> 160 != 0 || aggregatorRoundId == 0) revert OracleRoundHintMalformed(hint);

        (priceWad, observedAt) = _settlementRound(roundId, timestamp);

        if (aggregatorRoundId > 1) {
            // Rounds of one phase are consecutive: the previous round is the one just before.
            if (previousRoundId != 0) revert OracleRoundHintMalformed(hint);
            _requirePreviousBefore(roundId, roundId - 1, timestamp);
        } else if (phaseId <= 1) {
            // First round of the first phase (or of a feed without phases): there is no earlier round.
            if (previousRoundId != 0) revert OracleRoundHintMalformed(hint);
        } else {
            // First round of a later phase: the previous round is the last of the phase before, shown by the caller.
            if (previousRoundId == 0) revert OracleRoundHintMalformed(hint);
            if (previousRoundId >> 64 != phaseId - 1 || uint64(previousRoundId) == 0) {
                revert OracleRoundPreviousPhaseMismatch(roundId, previousRoundId);
            }
            _requirePreviousBefore(roundId, previousRoundId, timestamp);
            _requireLastOfPhase(previousRoundId);
        }
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    VIEWS                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc IPriceSource
    function spotFeed() external view returns (SpotFeed memory) {
        return SpotFeed(_FEED, _HEARTBEAT, _GAS_LIMIT, _MIN_PRICE, _MAX_ANSWER, _SCALE_UP, _SCALE_DOWN);
    }

    /// @inheritdoc IChainlinkPriceSource
    function feed() external view returns (address) {
        return _FEED;
    }

    /// @inheritdoc IChainlinkPriceSource
    function feedDecimals() external view returns (uint8) {
        return _FEED_DECIMALS;
    }

    /// @inheritdoc IChainlinkPriceSource
    function heartbeat() external view returns (uint32) {
        return _HEARTBEAT;
    }

    /// @inheritdoc IChainlinkPriceSource
    function minPrice() external view returns (uint256) {
        return _MIN_PRICE;
    }

    /// @inheritdoc IChainlinkPriceSource
    function maxPrice() external view returns (uint256) {
        return _MAX_PRICE;
    }

    /// @inheritdoc IChainlinkPriceSource
    function gasLimit() external view returns (uint32) {
        return _GAS_LIMIT;
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  INTERNALS                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev Reads round `roundId` and checks it can price `timestamp`; reverts with the matching error otherwise.
    function _settlementRound(uint80 roundId, uint64 timestamp)
        private
        view
        returns (uint256 priceWad, uint256 updatedAt)
    {
        (bool ok, uint256 gasBefore, int256 answer, uint256 ts) = FeedCall.getRoundData(_FEED, roundId, _GAS_LIMIT);
        if (!ok) FeedCall.requireFullGas(gasBefore, _GAS_LIMIT);
        if (!ok || ts == 0) revert OracleRoundUnavailable(roundId);
        uint16 reasons;
        (priceWad, reasons) = _toWadDownChecked(answer);
        if (reasons != 0) revert OracleRoundInvalidAnswer(roundId, answer);
        if (ts > block.timestamp) revert OracleRoundInFuture(roundId, ts);
        if (ts < timestamp) revert OracleRoundBeforeTimestamp(roundId, ts, timestamp);
        // Cannot underflow: ts >= timestamp was just checked.
        if (ts - timestamp > _HEARTBEAT) revert OracleRoundTooLate(roundId, ts, uint256(timestamp) + _HEARTBEAT);
        updatedAt = ts;
    }

    /// @dev Requires round `previousRoundId` to exist and to have been updated strictly before `timestamp`.
    function _requirePreviousBefore(uint80 roundId, uint80 previousRoundId, uint64 timestamp) private view {
        (bool ok, uint256 gasBefore,, uint256 ts) = FeedCall.getRoundData(_FEED, previousRoundId, _GAS_LIMIT);
        if (!ok) FeedCall.requireFullGas(gasBefore, _GAS_LIMIT);
        if (!ok || ts == 0) revert OracleRoundPreviousUnavailable(previousRoundId);
        if (ts >= timestamp) revert OracleRoundNotFirst(roundId, previousRoundId, ts);
    }

    /// @dev Requires that no round follows `lastRoundId` in its phase. A failed call proves absence only when the
    ///      feed had its full gas cap; otherwise a starved caller could fake the proof.
    function _requireLastOfPhase(uint80 lastRoundId) private view {
        // Cannot overflow: lastRoundId's phase is below 2^16, so lastRoundId + 1 < 2^80.
        uint80 nextRoundId = lastRoundId + 1;
        (bool ok, uint256 gasBefore,, uint256 ts) = FeedCall.getRoundData(_FEED, nextRoundId, _GAS_LIMIT);
        if (ok && ts != 0) revert OracleRoundNotLastOfPhase(lastRoundId, nextRoundId);
        if (!ok) FeedCall.requireFullGas(gasBefore, _GAS_LIMIT);
    }

    /// @dev Normalises a raw answer to WAD, rounding down, and checks it against the bounds (see `FeedAnswer`).
    /// @return wad The price, or zero when `reasons` is not zero.
    /// @return reasons REASON_SOURCE_INVALID_ANSWER, REASON_SOURCE_OUT_OF_BOUNDS, or zero.
    function _toWadDownChecked(int256 answer) private view returns (uint256 wad, uint16 reasons) {
        return FeedAnswer.toWadDownChecked(answer, _MAX_ANSWER, _SCALE_UP, _SCALE_DOWN, _MIN_PRICE);
    }

    /// @dev Freshness of a latest answer: zero, future, or older than the heartbeat (see `FeedAnswer`).
    function _timestampReasons(uint256 ts) private view returns (uint16) {
        return FeedAnswer.timestampReasons(ts, _HEARTBEAT);
    }
}
