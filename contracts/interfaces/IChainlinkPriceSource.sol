// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceSource} from "./IPriceSource.sol";

/// @title IChainlinkPriceSource
/// @notice Price source over one AggregatorV3 feed (Chainlink, or API3/RedStone feeds that speak AggregatorV3).
/// @dev All configuration is immutable: changing the heartbeat, bounds or gas cap means deploying a new adapter and
///      swapping it in through `IOracleRouter.setSources` (timelocked admin).
///
///      Latest answer (`latestPrice`): usable when the call succeeded within the gas cap with a full round, the
///      answer is > 0, `updatedAt` is neither zero nor in the future, `block.timestamp - updatedAt <= heartbeat`, and
///      the answer normalised to WAD lies within [minPrice, maxPrice]. `answeredInRound` is not used (deprecated by
///      Chainlink). Decimals are read once at construction: a feed changing its decimals is out of scope. The router
///      applies this same rule to the same feed itself (`spotFeed()`, `FeedAnswer`), so spot reads skip the adapter.
///
///      Settlement proof (`priceAt`). The hint packs two round ids: `hint = roundId | previousRoundId << 80`.
///      `roundId` must be the first round of the feed (proxy) with `updatedAt >= timestamp`:
///      - its answer is usable as above (except staleness) and `updatedAt - timestamp <= heartbeat`: a round posted
///        more than a heartbeat after the timestamp means the feed was not live at that time;
///      - proxy round ids are `phaseId << 64 | aggregatorRoundId`. When `aggregatorRoundId > 1` the previous round is
///        `roundId - 1`, `previousRoundId` must be zero, and that round must have `0 < updatedAt < timestamp`;
///      - when `aggregatorRoundId == 1` and `phaseId <= 1` the round is the first the feed ever had: no previous round
///        exists, `previousRoundId` must be zero;
///      - when `aggregatorRoundId == 1` and `phaseId >= 2` (an aggregator upgrade happened) the previous round is the
///        last round of phase `phaseId - 1`, supplied as `previousRoundId`: it must belong to that phase, have
///        `0 < updatedAt < timestamp`, and the round after it in that phase must not exist (`getRoundData` reverts or
///        reports `updatedAt == 0`; a failure only counts as "does not exist" when the feed had its full gas cap).
///        If the previous phase had no round at all, no proof exists and the router's fallback path settles.
///      Rounds of a phase are read through the proxy (`getRoundData` on phase-prefixed ids), so the rule follows the
///      proxy's history even when an old aggregator keeps running after the switch.
interface IChainlinkPriceSource is IPriceSource {
    /// @notice Emitted once, when the adapter is deployed.
    event ChainlinkPriceSourceCreated(
        address indexed feed, uint8 feedDecimals, uint32 heartbeat, uint256 minPriceWad, uint256 maxPriceWad, uint32 gasLimit
    );

    /// @dev Fires in the constructor when the feed address is zero.
    error OracleZeroFeed();
    /// @dev Fires in the constructor when the heartbeat lies outside [MIN_HEARTBEAT, MAX_HEARTBEAT].
    error OracleHeartbeatOutOfRange(uint256 heartbeat, uint256 min, uint256 max);
    /// @dev Fires in the constructor when the feed reports more than MAX_FEED_DECIMALS decimals.
    error OracleFeedDecimalsOutOfRange(uint256 decimals, uint256 max);
    /// @dev Fires in the constructor unless 0 < minPriceWad < maxPriceWad <= MAX_PRICE_WAD.
    error OraclePriceBoundsInvalid(uint256 minPriceWad, uint256 maxPriceWad, uint256 maxAllowed);
    /// @dev Fires in the constructor when the gas cap lies outside [MIN_GAS_LIMIT, MAX_GAS_LIMIT].
    error OracleGasLimitOutOfRange(uint256 gasLimit, uint256 min, uint256 max);
    /// @dev Fires in the constructor when the bounds admit no answer at all in the feed's decimals.
    error OraclePriceBoundsUnrepresentable(uint256 minPriceWad, uint256 maxPriceWad, uint8 feedDecimals);

    /// @dev Fires in `priceAt` when the hint has bits above 160 set, a zero round id, or a `previousRoundId` where the
    ///      rule above wants none (or none where it wants one).
    error OracleRoundHintMalformed(uint256 hint);
    /// @dev Fires in `priceAt` when `getRoundData(roundId)` fails (with the full gas cap) or reports `updatedAt == 0`.
    error OracleRoundUnavailable(uint80 roundId);
    /// @dev Fires in `priceAt` when the round's answer is not positive or lies outside [minPrice, maxPrice].
    error OracleRoundInvalidAnswer(uint80 roundId, int256 answer);
    /// @dev Fires in `priceAt` when the round's `updatedAt` is later than the current block.
    error OracleRoundInFuture(uint80 roundId, uint256 updatedAt);
    /// @dev Fires in `priceAt` when the round was updated before `timestamp`.
    error OracleRoundBeforeTimestamp(uint80 roundId, uint256 updatedAt, uint64 timestamp);
    /// @dev Fires in `priceAt` when the round was updated more than a heartbeat after `timestamp`.
    error OracleRoundTooLate(uint80 roundId, uint256 updatedAt, uint256 latestAllowed);
    /// @dev Fires in `priceAt` when the previous round cannot be read or has `updatedAt == 0`.
    error OracleRoundPreviousUnavailable(uint80 previousRoundId);
    /// @dev Fires in `priceAt` when the previous round was updated at or after `timestamp`: the hint is not the first.
    error OracleRoundNotFirst(uint80 roundId, uint80 previousRoundId, uint256 previousUpdatedAt);
    /// @dev Fires in `priceAt` when `previousRoundId` is not in the phase just before the round's phase.
    error OracleRoundPreviousPhaseMismatch(uint80 roundId, uint80 previousRoundId);
    /// @dev Fires in `priceAt` when a round exists after `previousRoundId` in its phase, so it is not that phase's last.
    error OracleRoundNotLastOfPhase(uint80 previousRoundId, uint80 nextRoundId);

    /// @notice The feed read.
    function feed() external view returns (address);

    /// @notice The feed's decimals, read at construction.
    function feedDecimals() external view returns (uint8);

    /// @notice Largest accepted age of the latest answer, in seconds.
    function heartbeat() external view returns (uint32);

    /// @notice Smallest accepted price, WAD.
    function minPrice() external view returns (uint256);

    /// @notice Largest accepted price, WAD.
    function maxPrice() external view returns (uint256);

    /// @notice Gas cap of every feed call.
    function gasLimit() external view returns (uint32);
}
