// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IOracleRouter
/// @notice Multi-source spot and settlement prices, one set of 2 to 5 sources per underlying.
/// @dev Prices are WAD (18 decimals) quote units per one unit of underlying.
///      Underlyings are identified by a `bytes32` id (for example `bytes32("ETH")`).
interface IOracleRouter {
    /// @notice Health of a spot reading.
    /// @dev OK: quorum of fresh, sane, agreeing sources. DEGRADED: a price is given, but some sources were
    ///      dropped (reason says why). FAILED: no price can be trusted; `price` is zero.
    enum Status {
        OK,
        DEGRADED,
        FAILED
    }

    /// @notice One spot reading.
    /// @param price Median of the valid sources, WAD; zero when `status` is FAILED.
    /// @param status OK, DEGRADED or FAILED.
    /// @param reasons Bit set of `REASON_*` flags explaining a DEGRADED or FAILED status (zero when OK).
    /// @param validSources Number of sources that contributed to the median.
    /// @param updatedAt Oldest `updatedAt` among the sources used (0 when FAILED).
    struct SpotReading {
        uint256 price;
        Status status;
        uint16 reasons;
        uint8 validSources;
        uint64 updatedAt;
    }

    /// @notice Spot price of `underlying` with its status. Never reverts for a configured underlying.
    function getSpot(bytes32 underlying) external view returns (SpotReading memory reading);

    /// @notice Settlement price of `underlying` at `expiry`.
    /// @return price The price in WAD; zero when nothing is proposed yet.
    /// @return isFinal True once the dispute window (or the fallback path) has made the price immutable.
    function getSettlementPrice(bytes32 underlying, uint64 expiry) external view returns (uint256 price, bool isFinal);
}
