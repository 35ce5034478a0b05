// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {FixedPointMath} from "./FixedPointMath.sol";
import {LogExpMath} from "./LogExpMath.sol";
import {NormalDist} from "./NormalDist.sol";

/// @title BlackScholes
/// @notice Black-Scholes prices, delta and vega of European options, everything in WAD (1e18).
/// @dev Model: C = S N(d1) - K e^(-rT) N(d2), P = K e^(-rT) N(-d2) - S N(-d1),
///      d1 = (ln(S/K) + (r + sigma^2/2) T) / (sigma sqrt(T)), d2 = d1 - sigma sqrt(T), T = secondsToExpiry / 365 days.
///      Inputs: spot S and strike K in WAD quote per unit of underlying, time in seconds, volatility sigma and
///      continuously compounded rate r in WAD per year (1e18 = 100%).
///      Domain (inclusive): S, K in [1e12, 1e30] (1e-6 .. 1e12 units), T in [1 s, 2 years], sigma in [1%, 500%],
///      r in [0, 100%]. Any input outside reverts with the matching `BlackScholes*OutOfRange(value, min, max)`: the
///      library never returns a number for an input it was not verified on.
///      Accuracy (verified against an independent 50-digit reference on thousands of log-uniform random points and
///      every corner of the domain, see test/unit/libraries/BlackScholes.test.ts): each price is within
///      max(1e-6 * price, 1e-9 * S) of the exact value, and so is C - P of S - K e^(-rT); delta is within 1e-10;
///      vega within max(1e-6 * vega, 1e-9 * S). Observed errors are at most a few thousandths of these bounds.
///      Precision at extreme moneyness: the strike leg K e^(-rT) N(d2) is never formed from N(d2) in WAD (which is
///      zero far below 1e-18 while K / S can reach 1e18); it uses K e^(-rT) phi(d2) = S phi(d1) and the Mills ratio,
///      so its error scales with S, not K.
///      Rounding: each product is rounded down and the two terms of a price are subtracted, so the last digits of a
///      price are not biased in either direction. Prices are never negative, and they respect the no-arbitrage
///      bounds C >= max(S - K e^(-rT), 0) and P >= max(K e^(-rT) - S, 0) exactly (with K e^(-rT) as computed
///      here, rounded down). Callers that must favour the protocol add a spread well above the error bound.
///      Gas: about 5,500 for one evaluation, up to about 8,500 in the far tails (measured by
///      scripts/bench/gas/math.ts; the tests hold it to 15,000).
library BlackScholes {
    /* ------------------------------------------------------------------ */
    /*                               ERRORS                               */
    /* ------------------------------------------------------------------ */

    /// @dev Fires when the spot price is outside [min, max].
    error BlackScholesSpotOutOfRange(uint256 spot, uint256 min, uint256 max);

    /// @dev Fires when the strike is outside [min, max].
    error BlackScholesStrikeOutOfRange(uint256 strike, uint256 min, uint256 max);

    /// @dev Fires when the time to expiry (seconds) is outside [min, max], including at or after expiry (0).
    error BlackScholesTimeOutOfRange(uint256 secondsToExpiry, uint256 min, uint256 max);

    /// @dev Fires when the volatility is outside [min, max].
    error BlackScholesVolatilityOutOfRange(uint256 vol, uint256 min, uint256 max);

    /// @dev Fires when the rate is outside [min, max].
    error BlackScholesRateOutOfRange(uint256 rate, uint256 min, uint256 max);

    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @notice One unit in 18-decimal fixed point.
    uint256 internal constant WAD = 1e18;
    /// @notice Seconds in the year used for T (365 days).
    uint256 internal constant SECONDS_PER_YEAR = 365 days;

    /// @notice Smallest and largest spot (WAD): 1e-6 and 1e12 units of quote per unit of underlying.
    uint256 internal constant MIN_SPOT = 1e12;
    uint256 internal constant MAX_SPOT = 1e30;
    /// @notice Smallest and largest strike (WAD).
    uint256 internal constant MIN_STRIKE = 1e12;
    uint256 internal constant MAX_STRIKE = 1e30;
    /// @notice Shortest and longest time to expiry (seconds).
    uint256 internal constant MIN_SECONDS = 1;
    uint256 internal constant MAX_SECONDS = 2 * SECONDS_PER_YEAR;
    /// @notice Smallest and largest volatility (WAD per year): 1% and 500%.
    uint256 internal constant MIN_VOL = 0.01e18;
    uint256 internal constant MAX_VOL = 5e18;
    /// @notice Smallest and largest rate (WAD per year): 0% and 100%.
    uint256 internal constant MIN_RATE = 0;
    uint256 internal constant MAX_RATE = 1e18;

    /// @notice The terms of an evaluation that depend only on the time to expiry and the rate: every series of one
    ///         expiry shares them within a valuation, so a caller pricing several strikes computes them once.
    /// @dev Built by `horizon`; `greeksAt` with a horizon returns exactly what `greeks` returns for the same inputs
    ///      (the same operations on the same values, only not repeated).
    struct Horizon {
        uint256 secondsToExpiry;
        uint256 rate;
        uint256 sqrtTime; // sqrt(T), T in years, rounded down
        uint256 rateTime; // r T (WAD), rounded down
        uint256 discount; // e^(-rT) (WAD)
    }

    /// @dev The shared intermediate results of one evaluation.
    struct Terms {
        uint256 nd1; // N(d1)
        uint256 pdf1; // phi(d1)
        uint256 discountedStrike; // K e^(-rT), rounded down
        uint256 strikeTail; // K e^(-rT) N(-|d2|), as S phi(d1) R(|d2|)
        bool d2Negative; // d2 < 0
        uint256 sqrtTime; // sqrt(T), T in years
    }

    /* ------------------------------------------------------------------ */
    /*                             PUBLIC API                             */
    /* ------------------------------------------------------------------ */

    /// @notice Price (WAD quote per unit of underlying) and delta (WAD; call in [0, 1e18], put in [-1e18, 0]).
    /// @dev Reverts with a `BlackScholes*OutOfRange` error outside the domain.
    function priceAndDelta(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate, bool isCall)
        internal
        pure
        returns (uint256 price, int256 delta)
    {
        Terms memory t = _terms(spot, strike, secondsToExpiry, vol, rate);
        (uint256 callPrice, uint256 putPrice) = _prices(spot, t);
        (price, delta) = isCall ? (callPrice, int256(t.nd1)) : (putPrice, int256(t.nd1) - int256(WAD));
    }

    /// @notice Call and put prices (WAD) from one evaluation.
    /// @dev Reverts with a `BlackScholes*OutOfRange` error outside the domain.
    function callPutPrices(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate)
        internal
        pure
        returns (uint256 callPrice, uint256 putPrice)
    {
        Terms memory t = _terms(spot, strike, secondsToExpiry, vol, rate);
        (callPrice, putPrice) = _prices(spot, t);
    }

    /// @notice Vega: price change per 1.0 (1e18) of volatility, WAD, the same for calls and puts: S phi(d1) sqrt(T).
    /// @dev Reverts with a `BlackScholes*OutOfRange` error outside the domain.
    function vega(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate)
        internal
        pure
        returns (uint256)
    {
        Terms memory t = _terms(spot, strike, secondsToExpiry, vol, rate);
        return _vega(spot, t);
    }

    /// @notice Price, delta and vega from one evaluation (d1, d2 and the normal terms are shared).
    /// @dev Reverts with a `BlackScholes*OutOfRange` error outside the domain.
    function greeks(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate, bool isCall)
        internal
        pure
        returns (uint256 price, int256 delta, uint256 vega_)
    {
        Terms memory t = _terms(spot, strike, secondsToExpiry, vol, rate);
        (uint256 callPrice, uint256 putPrice) = _prices(spot, t);
        (price, delta) = isCall ? (callPrice, int256(t.nd1)) : (putPrice, int256(t.nd1) - int256(WAD));
        vega_ = _vega(spot, t);
    }

    /// @notice The time and rate terms of an evaluation (see {Horizon}).
    /// @dev Reverts with `BlackScholesTimeOutOfRange` or `BlackScholesRateOutOfRange` outside the domain.
    function horizon(uint256 secondsToExpiry, uint256 rate) internal pure returns (Horizon memory h) {
        if (secondsToExpiry < MIN_SECONDS || secondsToExpiry > MAX_SECONDS) {
            revert BlackScholesTimeOutOfRange(secondsToExpiry, MIN_SECONDS, MAX_SECONDS);
        }
        if (rate > MAX_RATE) revert BlackScholesRateOutOfRange(rate, MIN_RATE, MAX_RATE);
        h.secondsToExpiry = secondsToExpiry;
        h.rate = rate;
        (h.sqrtTime, h.rateTime, h.discount) = _timeTerms(secondsToExpiry, rate);
    }

    /// @notice `greeks` with the time and rate terms of `h` (built by `horizon`) instead of recomputing them.
    /// @dev Reverts with a `BlackScholes*OutOfRange` error outside the domain (the checks of `greeks`, in its order;
    ///      `horizon` has already refused an out-of-range time or rate, so with several inputs out of range the
    ///      pair reports the time or the rate first).
    function greeksAt(uint256 spot, uint256 strike, uint256 vol, bool isCall, Horizon memory h)
        internal
        pure
        returns (uint256 price, int256 delta, uint256 vega_)
    {
        _checkDomain(spot, strike, h.secondsToExpiry, vol, h.rate);
        Terms memory t = _termsFrom(spot, strike, vol, h.sqrtTime, h.rateTime, h.discount);
        (uint256 callPrice, uint256 putPrice) = _prices(spot, t);
        (price, delta) = isCall ? (callPrice, int256(t.nd1)) : (putPrice, int256(t.nd1) - int256(WAD));
        vega_ = _vega(spot, t);
    }

    /* ------------------------------------------------------------------ */
    /*                               DOMAIN                               */
    /* ------------------------------------------------------------------ */

    /// @dev Reverts unless every input lies inside the verified domain.
    function _checkDomain(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate)
        private
        pure
    {
        if (spot < MIN_SPOT || spot > MAX_SPOT) revert BlackScholesSpotOutOfRange(spot, MIN_SPOT, MAX_SPOT);
        if (strike < MIN_STRIKE || strike > MAX_STRIKE) {
            revert BlackScholesStrikeOutOfRange(strike, MIN_STRIKE, MAX_STRIKE);
        }
        if (secondsToExpiry < MIN_SECONDS || secondsToExpiry > MAX_SECONDS) {
            revert BlackScholesTimeOutOfRange(secondsToExpiry, MIN_SECONDS, MAX_SECONDS);
        }
        if (vol < MIN_VOL || vol > MAX_VOL) revert BlackScholesVolatilityOutOfRange(vol, MIN_VOL, MAX_VOL);
        // MIN_RATE is zero, which an unsigned rate cannot undercut.
        if (rate > MAX_RATE) revert BlackScholesRateOutOfRange(rate, MIN_RATE, MAX_RATE);
    }

    /* ------------------------------------------------------------------ */
    /*                             EVALUATION                             */
    /* ------------------------------------------------------------------ */

    /// @dev Checks the domain and computes N(d1), phi(d1), K e^(-rT), K e^(-rT) N(-|d2|) and sqrt(T).
    function _terms(uint256 spot, uint256 strike, uint256 secondsToExpiry, uint256 vol, uint256 rate)
        private
        pure
        returns (Terms memory t)
    {
        _checkDomain(spot, strike, secondsToExpiry, vol, rate);
        (uint256 sqrtTime, uint256 rateTime, uint256 discount) = _timeTerms(secondsToExpiry, rate);
        t = _termsFrom(spot, strike, vol, sqrtTime, rateTime, discount);
    }

    /// @dev sqrt(T), r T and e^(-rT) for an in-domain time and rate.
    function _timeTerms(uint256 secondsToExpiry, uint256 rate)
        private
        pure
        returns (uint256 sqrtTime, uint256 rateTime, uint256 discount)
    {
        // Cannot overflow, given the domain the caller checked: secondsToExpiry * 1e36 <= 6.4e43, so sqrtTime
        // <= 1.42e18; rateTime = rate * T <= 2e18.
        unchecked {
            sqrtTime = FixedPointMath.sqrtDown((secondsToExpiry * 1e36) / SECONDS_PER_YEAR);
            rateTime = (rate * secondsToExpiry) / SECONDS_PER_YEAR;
            // e^0 is exactly WAD (`LogExpMath.expWad(0) == 1e18`, pinned by its unit tests): a zero rate (or a r T that
            // rounds to zero) skips the exponential and gives the same discount.
            discount = rateTime == 0 ? WAD : LogExpMath.expWad(-int256(rateTime));
        }
    }

    /// @dev The terms of `_terms` for in-domain inputs, from their time terms.
    function _termsFrom(
        uint256 spot,
        uint256 strike,
        uint256 vol,
        uint256 sqrtTime,
        uint256 rateTime,
        uint256 discount
    ) private pure returns (Terms memory t) {
        t.sqrtTime = sqrtTime;
        (int256 d1, int256 d2) = _d1d2(spot, strike, vol, sqrtTime, rateTime);
        (t.nd1, t.pdf1) = NormalDist.cdfAndPdf(d1);
        // Cannot overflow: strike <= 1e30 and the discount factor <= 1e18; spot * pdf1 < 1e30 * 0.4e18 and the
        // Mills ratio is at most 1.26e18; |d2| < 4e25 (see `_d1d2`).
        unchecked {
            t.discountedStrike = (strike * discount) / WAD;
            // K e^(-rT) N(-|d2|) through the identity K e^(-rT) phi(d2) = S phi(d1) and the Mills ratio: it keeps the
            // precision of S even when K / S is up to 1e18 and N(-|d2|) is far below one wei, and it spares the
            // exponential phi(d2) would cost. Bounded by K e^(-rT) / 2 in exact arithmetic; the clamp absorbs rounding.
            t.d2Negative = d2 < 0;
            uint256 absD2 = t.d2Negative ? uint256(-d2) : uint256(d2);
            t.strikeTail = (((spot * t.pdf1) / WAD) * NormalDist.millsRatio(absD2)) / WAD;
            if (t.strikeTail > t.discountedStrike) t.strikeTail = t.discountedStrike;
        }
    }

    /// @dev d1 and d2 for in-domain inputs and their time terms.
    function _d1d2(uint256 spot, uint256 strike, uint256 vol, uint256 sqrtTime, uint256 rateTime)
        private
        pure
        returns (int256 d1, int256 d2)
    {
        // Cannot overflow, given the domain the caller checked:
        // - sqrtTime <= 1.42e18; stdDev = vol * sqrtTime / WAD is in
        //   [1e16 * 1.78e14 / 1e18, 5e18 * 1.42e18 / 1e18] = [1.78e12, 7.1e18], so never zero;
        // - rateTime = rate * T <= 2e18; stdDev^2 <= 5.1e37, so stdDev^2 / 2 <= 25.3e18;
        // - the moneyness ratio max(S, K) * 1e18 / min(S, K) is in [1e18, 1e36], its ln in [0, 41.5e18];
        // - the numerator of d1 is below 70e18 in magnitude, times 1e18 below 7e37; |d1| < 7e37 / 1.78e12 < 4e25 and
        //   d2 = d1 - stdDev is of the same order: far inside int256.
        unchecked {
            uint256 stdDev = (vol * sqrtTime) / WAD;
            int256 lnMoneyness = spot >= strike
                ? LogExpMath.lnWad(int256((spot * WAD) / strike))
                : -LogExpMath.lnWad(int256((strike * WAD) / spot));
            int256 numerator = lnMoneyness + int256(rateTime) + int256((stdDev * stdDev) / (2 * WAD));
            d1 = (numerator * int256(WAD)) / int256(stdDev);
            d2 = d1 - int256(stdDev);
        }
    }

    /// @dev Call and put prices from the shared terms, clamped to their no-arbitrage lower bounds.
    function _prices(uint256 spot, Terms memory t) private pure returns (uint256 callPrice, uint256 putPrice) {
        // Cannot overflow: spot is at most 1e30 and N(d1) at most 1e18, so each product is below 1e48;
        // strikeTail <= kd and callShort <= kd; every other subtraction is guarded by the comparison before it.
        unchecked {
            uint256 kd = t.discountedStrike;
            // K e^(-rT) N(d2) and K e^(-rT) N(-d2), which add up to K e^(-rT) exactly (strikeTail <= kd).
            uint256 callShort = t.d2Negative ? t.strikeTail : kd - t.strikeTail;
            uint256 putLong = kd - callShort;
            uint256 callLong = (spot * t.nd1) / WAD;
            uint256 putShort = (spot * (WAD - t.nd1)) / WAD;
            callPrice = callLong > callShort ? callLong - callShort : 0;
            putPrice = putLong > putShort ? putLong - putShort : 0;
            // No-arbitrage floors: a call is worth at least S - K e^(-rT), a put at least K e^(-rT) - S. Rounding in
            // the products above could otherwise leave the deep in-the-money price a few wei under its floor.
            if (spot > kd) {
                if (callPrice < spot - kd) callPrice = spot - kd;
            } else if (putPrice < kd - spot) {
                putPrice = kd - spot;
            }
        }
    }

    /// @dev Vega = S phi(d1) sqrt(T), rounded down.
    function _vega(uint256 spot, Terms memory t) private pure returns (uint256) {
        // Cannot overflow: spot <= 1e30, phi <= 0.4e18, sqrtTime <= 1.42e18.
        unchecked {
            return (((spot * t.pdf1) / WAD) * t.sqrtTime) / WAD;
        }
    }
}
