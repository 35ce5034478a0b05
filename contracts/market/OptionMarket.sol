// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IBreakerGateCache, ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionMarket} from "../interfaces/IOptionMarket.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {PackedScopeLib} from "../libraries/PackedScopeLib.sol";
import {QuoteMath} from "../libraries/QuoteMath.sol";

/// @title OptionMarket
/// @notice Series listing, quotes and trades against the liquidity vault. See {IOptionMarket}.
/// @dev A trade is two engine calls in one transaction: `markSeries` (the engine reads the spot once and prices
///      the series, caching both in transient storage) and `applyTrade` (positions, premium and margin checks,
///      reusing those cached prices). The market holds no tokens: premiums move as internal balances in the
///      engine. The entry point is laid out as checks, pricing, engine call, circuit breaker, caps.
///
///      [Circuit breaker] Every trade and every listing asks the breaker (the engine's immutable, copied here at
///      construction, so no role can re-point it). A trade passes the spot and oracle status the engine read for
///      its mark, so the breaker evaluates the very reading the trade used and costs no second oracle read. The
///      trade is classified by its effect on the trader's position, known only once the engine has applied it:
///      a trade that only shrinks |position| towards zero (close, reduce) is RISK_REDUCING, anything else (open,
///      grow, flip the sign) is RISK_INCREASING. The check therefore runs after `applyTrade`; a refusal reverts
///      the whole transaction, engine effects included. The vault's side of a trade is bounded separately by its
///      initial-margin check and the exposure caps.
///      The market is the breaker's gate cache (`IBreakerGateCache`): the breaker pushes a one-word copy of each
///      market's gate on every change, and `_checkBreaker` calls `checkAction` only when that copy cannot let the
///      action through (reading not OK or outside the quiet band, window over, class refused, no copy). Otherwise
///      the breaker would have written nothing and allowed the action, so the call is skipped: one cold slot instead
///      of a cold call plus a cold slot.
contract OptionMarket is IOptionMarket, IBreakerGateCache, AccessManaged, ReentrancyGuardTransient {
    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @notice Largest |amount| of one trade (18-decimal options); keeps every position inside int96.
    uint256 public constant MAX_TRADE_AMOUNT = 1e28;

    /// @notice Bounds of the pricing parameters (WAD) and of the cutoff (seconds).
    uint256 public constant MAX_SPREAD = 0.25e18;
    uint256 public constant MAX_FEE_RATE = 0.01e18;
    uint256 public constant MAX_FEE_CAP = 0.5e18;
    uint256 public constant MIN_TRADING_CUTOFF = 5 minutes;
    uint256 public constant MAX_TRADING_CUTOFF = 1 days;

    /// @notice Listing bounds: trading window after listing, longest expiry, strike band around spot (WAD) and
    ///         implied volatility range (WAD per year).
    uint256 public constant MIN_TRADING_WINDOW = 1 hours;
    uint256 public constant MAX_TIME_TO_EXPIRY = 365 days;
    uint256 public constant MIN_MONEYNESS = 0.2e18;
    uint256 public constant MAX_MONEYNESS = 5e18;
    uint256 public constant MIN_VOL = 0.05e18;
    uint256 public constant MAX_VOL = 5e18;

    /// @notice Bounds of the exposure caps.
    uint256 public constant MAX_DELTA_CAP = 1e36;
    uint256 public constant MAX_VEGA_CAP = 1e40;
    uint256 public constant MAX_OPEN_INTEREST_CAP = 1e28;

    uint256 private constant WAD = 1e18;

    /* ------------------------------------------------------------------ */
    /*                               STORAGE                              */
    /* ------------------------------------------------------------------ */

    IMarginEngine private immutable _engine;
    IOracleRouter private immutable _oracle;
    ICircuitBreaker private immutable _breaker;
    /// @dev 10^(18 - quote decimals).
    uint256 private immutable _scale;

    QuoteParams private _quoteParams;
    mapping(bytes32 underlying => ExposureCaps) private _caps;
    mapping(bytes32 termsKey => uint256 seriesId) private _seriesByKey;
    /// @dev The breaker's gate copy of each underlying (`PackedScopeLib` gate-copy layout), written by the breaker only.
    mapping(bytes32 underlying => uint256 gate) private _breakerGates;

    /// @param engine_ The margin engine (the market must then be wired into it).
    /// @param initialAuthority The AccessManager.
    /// @param params Initial pricing parameters (bounded).
    constructor(IMarginEngine engine_, address initialAuthority, QuoteParams memory params)
        AccessManaged(initialAuthority)
    {
        if (address(engine_) == address(0)) revert MarketParameterOutOfRange("engine", 0, 1, type(uint160).max);
        _engine = engine_;
        _oracle = engine_.oracle();
        _breaker = engine_.breaker();
        _scale = 10 ** (18 - IERC20Metadata(address(engine_.quoteToken())).decimals());
        _setQuoteParams(params);
    }

    /* ------------------------------------------------------------------ */
    /*                                TRADING                             */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IOptionMarket
    function trade(uint256 seriesId, int256 amount, uint256 limitPremium, uint256 deadline)
        external
        nonReentrant
        returns (uint256 premium)
    {
        // --- Checks ---
        if (amount == 0) revert MarketZeroAmount(seriesId);
        uint256 size = amount > 0 ? uint256(amount) : uint256(-amount);
        if (size > MAX_TRADE_AMOUNT) revert MarketAmountTooLarge(amount, MAX_TRADE_AMOUNT);
        if (block.timestamp > deadline) revert MarketDeadlinePassed(deadline, block.timestamp);

        // --- Pricing ---
        QuoteParams memory p = _quoteParams;
        IMarginEngine.SeriesMark memory m = _engine.markSeries(seriesId);
        uint256 closesAt = uint256(m.expiry) - p.tradingCutoff;
        if (block.timestamp >= closesAt) revert MarketTradingClosed(seriesId, closesAt);
        if (amount > 0) {
            uint256 ask = QuoteMath.askPerOptionUp(m.price, m.spot, p.spread, p.feeRate, p.feeCap);
            premium = QuoteMath.premiumUp(ask, size, _scale);
            if (premium > limitPremium) revert MarketPremiumAboveLimit(premium, limitPremium);
        } else {
            uint256 bid = QuoteMath.bidPerOptionDown(m.price, m.spot, p.spread, p.feeRate, p.feeCap);
            premium = QuoteMath.premiumDown(bid, size, _scale);
            if (premium < limitPremium) revert MarketPremiumBelowLimit(premium, limitPremium);
        }

        // --- Engine: positions, premium, margin ---
        IMarginEngine.TradeOutcome memory o = _engine.applyTrade(msg.sender, seriesId, amount, premium);

        // --- Circuit breaker: class by the trade's effect on the trader's position ---
        _checkBreaker(m.underlying, _classify(o.traderPosition, amount), m.spot, m.status);

        // --- Vault exposure caps ---
        if (o.vaultRiskIncreased) _checkCaps(seriesId, amount, m, o);
    }

    /// @inheritdoc IOptionMarket
    function quote(uint256 seriesId, int256 amount) external view returns (Quote memory q) {
        QuoteParams memory p = _quoteParams;
        IMarginEngine.SeriesMark memory m = _engine.markOf(seriesId);
        uint256 size = amount > 0 ? uint256(amount) : uint256(-amount);
        q.mark = m.price;
        q.spot = m.spot;
        q.closesAt = uint256(m.expiry) - p.tradingCutoff;
        q.fee = QuoteMath.premiumDown(QuoteMath.feePerOptionUp(m.price, m.spot, p.feeRate, p.feeCap), size, _scale);
        if (amount > 0) {
            q.premium = QuoteMath.premiumUp(
                QuoteMath.askPerOptionUp(m.price, m.spot, p.spread, p.feeRate, p.feeCap),
                size,
                _scale
            );
        } else {
            q.premium = QuoteMath.premiumDown(
                QuoteMath.bidPerOptionDown(m.price, m.spot, p.spread, p.feeRate, p.feeCap),
                size,
                _scale
            );
        }
    }

    /* ------------------------------------------------------------------ */
    /*                             CONFIGURATION                          */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IOptionMarket
    function listSeries(bytes32 underlying, uint256 strike, uint64 expiry, bool isCall, uint256 vol)
        external
        restricted
        returns (uint256 seriesId)
    {
        bytes32 key = keccak256(abi.encode(underlying, strike, expiry, isCall));
        uint256 existing = _seriesByKey[key];
        if (existing != 0) revert MarketSeriesExists(existing);
        uint256 minExpiry = block.timestamp + _quoteParams.tradingCutoff + MIN_TRADING_WINDOW;
        uint256 maxExpiry = block.timestamp + MAX_TIME_TO_EXPIRY;
        if (expiry < minExpiry || expiry > maxExpiry) revert MarketExpiryOutOfRange(expiry, minExpiry, maxExpiry);
        IOracleRouter.SpotReading memory r = _oracle.getSpot(underlying);
        if (r.status == IOracleRouter.Status.FAILED || r.price == 0) revert MarketSpotUnavailable(underlying);
        uint256 minStrike = (r.price * MIN_MONEYNESS) / WAD;
        uint256 maxStrike = (r.price * MAX_MONEYNESS) / WAD;
        if (strike < minStrike || strike > maxStrike) revert MarketStrikeOutOfRange(strike, minStrike, maxStrike);
        _checkVol(vol);
        seriesId = _engine.registerSeries(underlying, strike, expiry, isCall, vol);
        // A listing opens new risk; the breaker also evaluates the reading just taken (after the engine has
        // vetted the underlying, so an unknown one fails with the engine's error first).
        _checkBreaker(underlying, ICircuitBreaker.ActionClass.RISK_INCREASING, r.price, r.status);
        _seriesByKey[key] = seriesId;
        emit SeriesListed(seriesId, underlying, strike, expiry, isCall);
    }

    /// @inheritdoc IOptionMarket
    function setImpliedVol(uint256 seriesId, uint256 vol) external restricted {
        _checkVol(vol);
        _engine.setSeriesVol(seriesId, vol);
    }

    /// @inheritdoc IOptionMarket
    function setQuoteParams(QuoteParams calldata params) external restricted {
        _setQuoteParams(params);
    }

    /// @inheritdoc IOptionMarket
    function setExposureCaps(bytes32 underlying, ExposureCaps calldata caps) external restricted {
        _checkRange("maxNetDelta", caps.maxNetDelta, 0, MAX_DELTA_CAP);
        _checkRange("maxNetVega", caps.maxNetVega, 0, MAX_VEGA_CAP);
        _checkRange("maxOpenInterest", caps.maxOpenInterest, 0, MAX_OPEN_INTEREST_CAP);
        ExposureCaps memory old = _caps[underlying];
        _caps[underlying] = caps;
        emit ExposureCapsSet(underlying, old, caps);
    }

    /// @inheritdoc IBreakerGateCache
    function syncBreakerGate(bytes32 market, uint256 gate) external {
        if (msg.sender != address(_breaker)) revert MarketBreakerGateUnauthorized(msg.sender, address(_breaker));
        _breakerGates[market] = gate;
        emit MarketBreakerGateSynced(market, gate);
    }

    /* ------------------------------------------------------------------ */
    /*                                 VIEWS                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IBreakerGateCache
    function breakerGate(bytes32 market) external view returns (uint256) {
        return _breakerGates[market];
    }

    /// @inheritdoc IOptionMarket
    function engine() external view returns (IMarginEngine) {
        return _engine;
    }

    /// @inheritdoc IOptionMarket
    function breaker() external view returns (ICircuitBreaker) {
        return _breaker;
    }

    /// @inheritdoc IOptionMarket
    function quoteParams() external view returns (QuoteParams memory) {
        return _quoteParams;
    }

    /// @inheritdoc IOptionMarket
    function exposureCaps(bytes32 underlying) external view returns (ExposureCaps memory) {
        return _caps[underlying];
    }

    /// @inheritdoc IOptionMarket
    function seriesIdOf(bytes32 underlying, uint256 strike, uint64 expiry, bool isCall) external view returns (uint256) {
        return _seriesByKey[keccak256(abi.encode(underlying, strike, expiry, isCall))];
    }

    /* ------------------------------------------------------------------ */
    /*                                INTERNALS                           */
    /* ------------------------------------------------------------------ */

    /// @dev Enforces the vault's exposure caps after a trade that grew its position in `seriesId`.
    function _checkCaps(
        uint256 seriesId,
        int256 amount,
        IMarginEngine.SeriesMark memory m,
        IMarginEngine.TradeOutcome memory o
    ) private view {
        ExposureCaps memory c = _caps[m.underlying];
        uint256 exposure = _abs(o.vaultPosition);
        if (exposure > c.maxOpenInterest) revert MarketOpenInterestCapExceeded(seriesId, exposure, c.maxOpenInterest);
        // The vault takes the opposite side: its greeks moved by -amount x (delta, vega).
        // Cannot overflow: |amount| <= 1e28, |delta| <= 1e18 and vega <= 1e30.
        int256 deltaMove = -(amount * m.delta) / int256(WAD);
        int256 vegaMove = -(amount * int256(m.vega)) / int256(WAD);
        uint256 deltaAfter = _abs(o.vaultNetDelta);
        if (deltaAfter > c.maxNetDelta && deltaAfter > _abs(o.vaultNetDelta - deltaMove)) {
            revert MarketDeltaCapExceeded(m.underlying, o.vaultNetDelta, c.maxNetDelta);
        }
        uint256 vegaAfter = _abs(o.vaultNetVega);
        if (vegaAfter > c.maxNetVega && vegaAfter > _abs(o.vaultNetVega - vegaMove)) {
            revert MarketVegaCapExceeded(m.underlying, o.vaultNetVega, c.maxNetVega);
        }
    }

    /// @dev The circuit-breaker check of a trade or a listing: decided from the breaker's gate copy when it lets the
    ///      action through, else by the breaker itself (which evaluates the reading and refuses with its own error).
    function _checkBreaker(bytes32 underlying, ICircuitBreaker.ActionClass cls, uint256 spot, IOracleRouter.Status status)
        private
    {
        if (!PackedScopeLib.gatePasses(_breakerGates[underlying], cls, spot, status, block.timestamp)) {
            _breaker.checkAction(underlying, cls, spot, status);
        }
    }

    /// @dev Breaker class of a trade of `amount` that left the trader at `positionAfter`: RISK_REDUCING when it only
    ///      moved |position| towards zero without crossing it, RISK_INCREASING otherwise (open, grow, flip).
    function _classify(int256 positionAfter, int256 amount) private pure returns (ICircuitBreaker.ActionClass) {
        // Cannot overflow: both are within the engine's int96 position range.
        int256 before = positionAfter - amount;
        bool reduces = before > 0 ? (amount < 0 && positionAfter >= 0) : (before < 0 && amount > 0 && positionAfter <= 0);
        return reduces ? ICircuitBreaker.ActionClass.RISK_REDUCING : ICircuitBreaker.ActionClass.RISK_INCREASING;
    }

    /// @dev Bounds and stores the pricing parameters.
    function _setQuoteParams(QuoteParams memory p) private {
        _checkRange("spread", p.spread, 0, MAX_SPREAD);
        _checkRange("feeRate", p.feeRate, 0, MAX_FEE_RATE);
        _checkRange("feeCap", p.feeCap, 0, MAX_FEE_CAP);
        _checkRange("tradingCutoff", p.tradingCutoff, MIN_TRADING_CUTOFF, MAX_TRADING_CUTOFF);
        QuoteParams memory old = _quoteParams;
        _quoteParams = p;
        emit QuoteParamsSet(old, p);
    }

    /// @dev Reverts with `MarketVolOutOfRange` outside [MIN_VOL, MAX_VOL].
    function _checkVol(uint256 vol) private pure {
        if (vol < MIN_VOL || vol > MAX_VOL) revert MarketVolOutOfRange(vol, MIN_VOL, MAX_VOL);
    }

    /// @dev Reverts with `MarketParameterOutOfRange` unless min <= value <= max.
    function _checkRange(bytes32 parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert MarketParameterOutOfRange(parameter, value, min, max);
    }

    /// @dev Absolute value (inputs are far inside int256).
    function _abs(int256 x) private pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
