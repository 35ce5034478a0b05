// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IPriceSource
/// @notice The one interface every price source of the OracleRouter speaks: a Chainlink AggregatorV3 adapter (which
///         also covers API3/RedStone-style feeds), and any other provider or TWAP adapter.
/// @dev Prices are WAD (18 decimals) quote units per one unit of underlying.
///      Warning: the router trusts an adapter to follow this contract exactly (it is protocol code, deployed and
///      swapped in by the timelocked admin). The untrusted party is the feed behind the adapter: an adapter must
///      never let a feed revert, burn gas or return oversized data through to the router.
///
///      Spot reads. For gas, the router does not call `latestPrice` on the hot path: when a source is registered it
///      takes a snapshot of `spotFeed()` (the AggregatorV3 feed behind the source and the exact rule the source applies
///      to it) and from then on reads that feed itself, applying the same rule through the same library
///      (`FeedAnswer`). `latestPrice` remains the source's own reading of that rule (operators, the deployment
///      verifier and tests use it); `spotFeed()` must therefore never change over the source's life (a source whose
///      rule changes is a new source, swapped in through `IOracleRouter.setSources`). A source that is not a
///      Chainlink feed (a TWAP, another provider) exposes its price as an AggregatorV3Interface itself and names
///      itself as `feed`.
interface IPriceSource {
    /// @notice How the router reads this source's latest price: the feed, and the rule that makes its answer usable.
    /// @dev Usable when `latestRoundData()` succeeds within `gasLimit` with five full words, `0 < answer <= maxAnswer`,
    ///      `wad = answer * scaleUp / scaleDown` (rounded down) is at least `minPriceWad`, and `updatedAt` is neither
    ///      zero, nor in the future, nor older than `heartbeat` (see `FeedAnswer`). `maxAnswer` is the largest raw
    ///      answer whose WAD value lies within the source's max price, so it encodes the upper bound.
    /// @param feed The AggregatorV3 feed read for spot prices.
    /// @param heartbeat Largest accepted age of the latest answer, in seconds.
    /// @param gasLimit Gas cap of every feed call.
    /// @param minPriceWad Smallest accepted price, WAD.
    /// @param maxAnswer Largest accepted raw answer, in feed units.
    /// @param scaleUp Multiplier from feed units to WAD (1 when the feed has 18 decimals or more).
    /// @param scaleDown Divisor from feed units to WAD (1 when the feed has 18 decimals or fewer).
    struct SpotFeed {
        address feed;
        uint32 heartbeat;
        uint32 gasLimit;
        uint256 minPriceWad;
        uint256 maxAnswer;
        uint256 scaleUp;
        uint256 scaleDown;
    }

    /// @notice The source's latest answer, checked.
    /// @dev Never reverts because of the feed: a feed that reverts, runs out of its gas cap, returns malformed data
    ///      or an unusable answer is reported through `reasons`. The only revert is `OracleInsufficientGas`, when the
    ///      answer is unusable and the caller did not leave enough gas to tell a feed failure from starvation.
    /// @return priceWad The price in WAD; zero when `reasons` is not zero.
    /// @return updatedAt When the answer was produced (unix seconds); zero when `reasons` is not zero.
    /// @return reasons Zero for a usable answer, else `OracleReasons.REASON_SOURCE_*` flags saying why not.
    function latestPrice() external view returns (uint256 priceWad, uint256 updatedAt, uint16 reasons);

    /// @notice The source's price at `timestamp`: the first observation at or after it, proven by `hint`.
    /// @dev Reverts with a source-specific custom error when `hint` does not prove the first observation at or after
    ///      `timestamp` or that observation is not usable (for Chainlink, see `IChainlinkPriceSource`).
    /// @param timestamp The time to price (an expiry).
    /// @param hint Source-specific proof (for Chainlink: round ids).
    /// @return priceWad The price in WAD.
    /// @return observedAt When that observation was produced; at or after `timestamp`.
    function priceAt(uint64 timestamp, uint256 hint) external view returns (uint256 priceWad, uint256 observedAt);

    /// @notice The feed and rule behind `latestPrice`, snapshotted by the router when the source is registered.
    /// @dev Constant for the source's whole life; see the interface notes and `SpotFeed`.
    function spotFeed() external view returns (SpotFeed memory);
}
