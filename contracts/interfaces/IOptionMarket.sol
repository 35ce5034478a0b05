// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngine} from "./IMarginEngine.sol";

/// @title IOptionMarket
/// @notice Lists option series and trades them against the liquidity vault at Black-Scholes marks plus a spread
///         and a fee. Positions, collateral and margin live in the margin engine; the market prices, enforces the
///         trader's limits (slippage, deadline, trading cutoff) and the vault's exposure caps.
/// @dev Prices: ask = mark (1 + spread) + fee, bid = max(mark (1 - spread) - fee, 0), with
///      fee = min(feeRate x spot, feeCap x mark) per option. A buy pays amount x ask rounded up; a sell receives
///      amount x bid rounded down (quote units). Spread and fee both accrue to the vault.
///      Exposure caps (per underlying, set by RISK) bind only trades that grow the vault's absolute position in a
///      series: the vault's |position| in the series must stay within `maxOpenInterest`, and its net delta and net
///      vega on the underlying within their caps unless the trade moves them towards zero. Trades that shrink the
///      vault's position always pass, so traders can always close.
///      A trade is reported once, by the engine that records it (`IMarginEngine.TradeApplied`: trader, series,
///      amount, premium and both positions after the trade); the market itself changes no state when trading.
interface IOptionMarket {
    /* ------------------------------------------------------------------ */
    /*                                TYPES                               */
    /* ------------------------------------------------------------------ */

    /// @notice Pricing parameters (WAD fractions) and the trading cutoff.
    /// @param spread Relative spread around the mark.
    /// @param feeRate Fee per option as a fraction of spot.
    /// @param feeCap Fee per option at most this fraction of the mark.
    /// @param tradingCutoff Seconds before expiry when trading stops.
    struct QuoteParams {
        uint64 spread;
        uint64 feeRate;
        uint64 feeCap;
        uint32 tradingCutoff;
    }

    /// @notice The vault's exposure caps on one underlying.
    /// @param maxNetDelta Largest |net delta| (WAD underlying units).
    /// @param maxNetVega Largest |net vega| (WAD quote per 1.0 of volatility).
    /// @param maxOpenInterest Largest |vault position| in any one series (18-decimal option amount).
    struct ExposureCaps {
        uint128 maxNetDelta;
        uint128 maxNetVega;
        uint128 maxOpenInterest;
    }

    /// @notice A quote for a signed amount.
    /// @param premium Quote units paid (buy) or received (sell).
    /// @param fee Fee part of the premium, quote units (rounded down; informational).
    /// @param mark Mark per option, WAD.
    /// @param spot Spot used, WAD.
    /// @param closesAt Timestamp at which trading in the series stops.
    struct Quote {
        uint256 premium;
        uint256 fee;
        uint256 mark;
        uint256 spot;
        uint256 closesAt;
    }

    /* ------------------------------------------------------------------ */
    /*                                EVENTS                              */
    /* ------------------------------------------------------------------ */

    /// @notice A series was listed.
    event SeriesListed(uint256 indexed seriesId, bytes32 indexed underlying, uint256 strike, uint64 expiry, bool isCall);

    /// @notice Pricing parameters changed.
    event QuoteParamsSet(QuoteParams oldParams, QuoteParams newParams);

    /// @notice Exposure caps of `underlying` changed.
    event ExposureCapsSet(bytes32 indexed underlying, ExposureCaps oldCaps, ExposureCaps newCaps);

    /* ------------------------------------------------------------------ */
    /*                                ERRORS                              */
    /* ------------------------------------------------------------------ */

    /// @dev Fires when a trade amount is zero.
    error MarketZeroAmount();

    /// @dev Fires when |amount| exceeds `max` options in one trade.
    error MarketAmountTooLarge(int256 amount, uint256 max);

    /// @dev Fires when a trade arrives after its `deadline` (`timestamp` is the block's).
    error MarketDeadlinePassed(uint256 deadline, uint256 timestamp);

    /// @dev Fires when `seriesId` is traded at or after `closesAt` (expiry minus the trading cutoff).
    error MarketTradingClosed(uint256 seriesId, uint256 closesAt);

    /// @dev Fires when a buy would cost `premium`, above the trader's `limit`.
    error MarketPremiumAboveLimit(uint256 premium, uint256 limit);

    /// @dev Fires when a sell would receive `premium`, below the trader's `limit`.
    error MarketPremiumBelowLimit(uint256 premium, uint256 limit);

    /// @dev Fires when a trade would leave the vault's |net delta| on `underlying` at `netDelta`, above `cap`,
    ///      and further from zero than before.
    error MarketDeltaCapExceeded(bytes32 underlying, int256 netDelta, uint256 cap);

    /// @dev Fires when a trade would leave the vault's |net vega| on `underlying` at `netVega`, above `cap`, and
    ///      further from zero than before.
    error MarketVegaCapExceeded(bytes32 underlying, int256 netVega, uint256 cap);

    /// @dev Fires when a trade would grow the vault's |position| in `seriesId` to `exposure`, above `cap`.
    error MarketOpenInterestCapExceeded(uint256 seriesId, uint256 exposure, uint256 cap);

    /// @dev Fires when listing a series whose strike is outside [min, max] (a band around spot).
    error MarketStrikeOutOfRange(uint256 strike, uint256 min, uint256 max);

    /// @dev Fires when listing a series whose expiry is outside [min, max].
    error MarketExpiryOutOfRange(uint64 expiry, uint256 min, uint256 max);

    /// @dev Fires when an implied volatility is outside [min, max].
    error MarketVolOutOfRange(uint256 vol, uint256 min, uint256 max);

    /// @dev Fires when the same (underlying, strike, expiry, type) is listed twice; `seriesId` is the first.
    error MarketSeriesExists(uint256 seriesId);

    /// @dev Fires when listing needs a spot of `underlying` but the router reports FAILED.
    error MarketSpotUnavailable(bytes32 underlying);

    /// @dev Fires when a parameter (`parameter`) is outside [min, max].
    error MarketParameterOutOfRange(bytes32 parameter, uint256 value, uint256 min, uint256 max);

    /* ------------------------------------------------------------------ */
    /*                                TRADING                             */
    /* ------------------------------------------------------------------ */

    /// @notice Buys (`amount` > 0) or sells (`amount` < 0) options of `seriesId` against the vault.
    /// @dev Selling opens or adds to a short unless it closes a long; closing is a trade the other way. Reverts
    ///      with `MarketZeroAmount`, `MarketAmountTooLarge`, `MarketDeadlinePassed` (block time after `deadline`),
    ///      `MarketTradingClosed`, `MarketPremiumAboveLimit` (buy costing more than `limitPremium`),
    ///      `MarketPremiumBelowLimit` (sell receiving less than `limitPremium`), the exposure-cap errors, or the
    ///      engine's margin errors (the trader's initial margin unless the trade only reduces risk, the vault's
    ///      initial margin when its exposure grows). A reverted trade changes nothing.
    /// @param seriesId The series.
    /// @param amount Signed option amount (18 decimals).
    /// @param limitPremium Most the trader pays (buy) or least it receives (sell), quote units.
    /// @param deadline Last timestamp at which the trade may execute.
    /// @return premium Quote units paid (buy) or received (sell).
    function trade(uint256 seriesId, int256 amount, uint256 limitPremium, uint256 deadline)
        external
        returns (uint256 premium);

    /// @notice The quote `trade` would give now for `amount` (ignoring margin and caps).
    function quote(uint256 seriesId, int256 amount) external view returns (Quote memory);

    /* ------------------------------------------------------------------ */
    /*                       CONFIGURATION (restricted)                   */
    /* ------------------------------------------------------------------ */

    /// @notice Lists a series. Meant for RISK.
    /// @dev Bounds: expiry in [now + cutoff + MIN_TRADING_WINDOW, now + MAX_TIME_TO_EXPIRY]; strike within
    ///      [MIN_MONEYNESS, MAX_MONEYNESS] x spot; vol in [MIN_VOL, MAX_VOL]; no duplicate; the engine's
    ///      live-series bound.
    function listSeries(bytes32 underlying, uint256 strike, uint64 expiry, bool isCall, uint256 vol)
        external
        returns (uint256 seriesId);

    /// @notice Sets the implied volatility of `seriesId`, within [MIN_VOL, MAX_VOL]. Meant for RISK.
    function setImpliedVol(uint256 seriesId, uint256 vol) external;

    /// @notice Sets the pricing parameters, each bounded. Meant for RISK.
    function setQuoteParams(QuoteParams calldata params) external;

    /// @notice Sets the exposure caps of `underlying`, each bounded. Meant for RISK. Caps start at zero, so an
    ///         underlying takes no new vault risk until its caps are set.
    function setExposureCaps(bytes32 underlying, ExposureCaps calldata caps) external;

    /* ------------------------------------------------------------------ */
    /*                                VIEWS                               */
    /* ------------------------------------------------------------------ */

    /// @notice The margin engine.
    function engine() external view returns (IMarginEngine);

    /// @notice Current pricing parameters.
    function quoteParams() external view returns (QuoteParams memory);

    /// @notice Exposure caps of `underlying`.
    function exposureCaps(bytes32 underlying) external view returns (ExposureCaps memory);

    /// @notice Id of a listed series, or zero.
    function seriesIdOf(bytes32 underlying, uint256 strike, uint64 expiry, bool isCall) external view returns (uint256);
}
