// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BlackScholes} from "../libraries/BlackScholes.sol";
import {FixedPointMath} from "../libraries/FixedPointMath.sol";
import {LogExpMath} from "../libraries/LogExpMath.sol";
import {NormalDist} from "../libraries/NormalDist.sol";

/// @title BlackScholesHarness
/// @notice Test double exposing the pricing math libraries as external functions, with batch evaluators for fast
///         accuracy tests and a gas probe. Never deployed by deploy/.
contract BlackScholesHarness {
    /// @notice One Black-Scholes input point.
    struct Point {
        uint256 spot;
        uint256 strike;
        uint256 secondsToExpiry;
        uint256 vol;
        uint256 rate;
    }

    /// @notice Everything one point evaluates to.
    struct Evaluation {
        uint256 callPrice;
        uint256 putPrice;
        int256 callDelta;
        int256 putDelta;
        uint256 vega;
    }

    /* ------------------------------------------------------------------ */
    /*                            BLACK-SCHOLES                           */
    /* ------------------------------------------------------------------ */

    /// @notice `BlackScholes.priceAndDelta`.
    function priceAndDelta(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate, bool isCall)
        external
        pure
        returns (uint256 price, int256 delta)
    {
        return BlackScholes.priceAndDelta(spot, strike, secondsToExpiry, vol, rate, isCall);
    }

    /// @notice `BlackScholes.callPutPrices`.
    function callPutPrices(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate)
        external
        pure
        returns (uint256 callPrice, uint256 putPrice)
    {
        return BlackScholes.callPutPrices(spot, strike, secondsToExpiry, vol, rate);
    }

    /// @notice `BlackScholes.vega`.
    function vega(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate)
        external
        pure
        returns (uint256)
    {
        return BlackScholes.vega(spot, strike, secondsToExpiry, vol, rate);
    }

    /// @notice `BlackScholes.greeks`.
    function greeks(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate, bool isCall)
        external
        pure
        returns (uint256 price, int256 delta, uint256 vega_)
    {
        return BlackScholes.greeks(spot, strike, secondsToExpiry, vol, rate, isCall);
    }

    /// @notice `BlackScholes.greeksAt` with `BlackScholes.horizon(secondsToExpiry, rate)`.
    function greeksAt(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate, bool isCall)
        external
        pure
        returns (uint256 price, int256 delta, uint256 vega_)
    {
        return BlackScholes.greeksAt(spot, strike, vol, isCall, BlackScholes.horizon(secondsToExpiry, rate));
    }

    /// @notice `BlackScholes.greeksAt` for several strikes of one expiry, all sharing one horizon (as the margin
    ///         engine's valuation shares it across the series of one expiry).
    function greeksSharingHorizon(
        uint256 spot,
        uint256[] calldata strikes,
        uint256 secondsToExpiry,
        uint256 vol,
        uint256 rate,
        bool isCall
    ) external pure returns (uint256[] memory prices, int256[] memory deltas, uint256[] memory vegas) {
        BlackScholes.Horizon memory h = BlackScholes.horizon(secondsToExpiry, rate);
        prices = new uint256[](strikes.length);
        deltas = new int256[](strikes.length);
        vegas = new uint256[](strikes.length);
        for (uint256 i = 0; i < strikes.length; ++i) {
            (prices[i], deltas[i], vegas[i]) = BlackScholes.greeksAt(spot, strikes[i], vol, isCall, h);
        }
    }

    /// @notice Evaluates every point with `callPutPrices`, `priceAndDelta` (both sides) and `vega`.
    function evaluateBatch(Point[] calldata points) external pure returns (Evaluation[] memory results) {
        results = new Evaluation[](points.length);
        for (uint256 i = 0; i < points.length; ++i) {
            Point calldata p = points[i];
            Evaluation memory e = results[i];
            (e.callPrice, e.putPrice) = BlackScholes.callPutPrices(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate);
            (, e.callDelta) = BlackScholes.priceAndDelta(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate, true);
            (, e.putDelta) = BlackScholes.priceAndDelta(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate, false);
            e.vega = BlackScholes.vega(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate);
        }
    }

    /// @notice `BlackScholes.priceAndDelta` with the gas its library call used.
    /// @dev Measures gasleft() around the inlined library call only (no calldata decoding or return encoding).
    function measurePriceAndDelta(
        uint256 spot,
        uint256 strike,
        uint256 secondsToExpiry,
        uint256 vol,
        uint256 rate,
        bool isCall
    ) external view returns (uint256 price, int256 delta, uint256 gasUsed) {
        uint256 before = gasleft();
        (price, delta) = BlackScholes.priceAndDelta(spot, strike, secondsToExpiry, vol, rate, isCall);
        gasUsed = before - gasleft();
    }

    /* ------------------------------------------------------------------ */
    /*                           FIXED-POINT MATH                         */
    /* ------------------------------------------------------------------ */

    /// @notice `FixedPointMath.mulDivDown`.
    function mulDivDown(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivDown(x, y, d);
    }

    /// @notice `FixedPointMath.mulDivUp`.
    function mulDivUp(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return FixedPointMath.mulDivUp(x, y, d);
    }

    /// @notice `FixedPointMath.mulWadDown`.
    function mulWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return FixedPointMath.mulWadDown(x, y);
    }

    /// @notice `FixedPointMath.mulWadUp`.
    function mulWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return FixedPointMath.mulWadUp(x, y);
    }

    /// @notice `FixedPointMath.divWadDown`.
    function divWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return FixedPointMath.divWadDown(x, y);
    }

    /// @notice `FixedPointMath.divWadUp`.
    function divWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return FixedPointMath.divWadUp(x, y);
    }

    /// @notice `FixedPointMath.sqrtDown`.
    function sqrtDown(uint256 x) external pure returns (uint256) {
        return FixedPointMath.sqrtDown(x);
    }

    /// @notice `FixedPointMath.sqrtWadDown`.
    function sqrtWadDown(uint256 x) external pure returns (uint256) {
        return FixedPointMath.sqrtWadDown(x);
    }

    /// @notice `FixedPointMath.sqrtDown` over many inputs.
    function sqrtDownBatch(uint256[] calldata xs) external pure returns (uint256[] memory ys) {
        ys = new uint256[](xs.length);
        for (uint256 i = 0; i < xs.length; ++i) ys[i] = FixedPointMath.sqrtDown(xs[i]);
    }

    /* ------------------------------------------------------------------ */
    /*                       LOGARITHM / EXPONENTIAL                      */
    /* ------------------------------------------------------------------ */

    /// @notice `LogExpMath.lnWad`.
    function lnWad(int256 x) external pure returns (int256) {
        return LogExpMath.lnWad(x);
    }

    /// @notice `LogExpMath.expWad`.
    function expWad(int256 x) external pure returns (uint256) {
        return LogExpMath.expWad(x);
    }

    /// @notice `LogExpMath.lnWad` over many inputs.
    function lnWadBatch(int256[] calldata xs) external pure returns (int256[] memory ys) {
        ys = new int256[](xs.length);
        for (uint256 i = 0; i < xs.length; ++i) ys[i] = LogExpMath.lnWad(xs[i]);
    }

    /// @notice `LogExpMath.expWad` over many inputs.
    function expWadBatch(int256[] calldata xs) external pure returns (uint256[] memory ys) {
        ys = new uint256[](xs.length);
        for (uint256 i = 0; i < xs.length; ++i) ys[i] = LogExpMath.expWad(xs[i]);
    }

    /* ------------------------------------------------------------------ */
    /*                          NORMAL DISTRIBUTION                       */
    /* ------------------------------------------------------------------ */

    /// @notice `NormalDist.cdf`.
    function cdf(int256 x) external pure returns (uint256) {
        return NormalDist.cdf(x);
    }

    /// @notice `NormalDist.pdf`.
    function pdf(int256 x) external pure returns (uint256) {
        return NormalDist.pdf(x);
    }

    /// @notice `NormalDist.millsRatio` over many inputs.
    function millsRatioBatch(uint256[] calldata xs) external pure returns (uint256[] memory ys) {
        ys = new uint256[](xs.length);
        for (uint256 i = 0; i < xs.length; ++i) ys[i] = NormalDist.millsRatio(xs[i]);
    }

    /// @notice `NormalDist.cdfAndPdf` over many inputs.
    function cdfAndPdfBatch(int256[] calldata xs) external pure returns (uint256[] memory cdfs, uint256[] memory pdfs) {
        cdfs = new uint256[](xs.length);
        pdfs = new uint256[](xs.length);
        for (uint256 i = 0; i < xs.length; ++i) (cdfs[i], pdfs[i]) = NormalDist.cdfAndPdf(xs[i]);
    }
}
