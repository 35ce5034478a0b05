// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IPriceSource
/// @notice The one interface every price source of the OracleRouter speaks: a Chainlink AggregatorV3 adapter (which
///         also covers API3/RedStone-style feeds), and any other provider or TWAP adapter.
/// @dev Prices are WAD (18 decimals) quote units per one unit of underlying.
///      Warning: the router trusts an adapter to follow this contract exactly (it is protocol code, deployed and
///      swapped in by the timelocked admin). The untrusted party is the feed behind the adapter: an adapter must
///      never let a feed revert, burn gas or return oversized data through to the router.
interface IPriceSource {
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
}
