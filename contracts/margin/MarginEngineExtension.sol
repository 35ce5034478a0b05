// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IMarginEngineCore, IMarginEngineExtension} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {BlackScholes} from "../libraries/BlackScholes.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarginValuation} from "./MarginValuation.sol";
import {PositionBook} from "./PositionBook.sol";

/// @title MarginEngineExtension
/// @notice Configuration, series registry and views of the margin engine, executed by delegatecall from
///         `MarginEngine`'s fallback on the engine's own storage. Call these functions at the engine's address.
/// @dev Inherits the same bases in the same order as `MarginEngine`, so the storage layouts match. Every
///      function is guarded by `onlyDelegateCall`: called directly, this contract would only ever act on its own
///      empty storage, and the guard makes that explicit. Access control (`restricted`) reads the engine's
///      authority and checks the engine as target, because delegatecall keeps `msg.sender`, `msg.data` and
///      `address(this)` of the engine call.
contract MarginEngineExtension is MarginValuation, AccessManaged, ReentrancyGuardTransient, IMarginEngineExtension {
    using PositionBook for PositionBook.Book;
    using SafeCast for uint256;

    /// @dev This contract's own address, to tell a delegatecall from a direct call.
    address private immutable _self;

    /// @param quoteToken_ The quote token the engine will use.
    /// @param oracle_ The oracle router the engine will use.
    /// @param initialAuthority The AccessManager (only this contract's unused own storage records it).
    constructor(IERC20 quoteToken_, IOracleRouter oracle_, address initialAuthority)
        MarginValuation(quoteToken_, oracle_, IERC20Metadata(address(quoteToken_)).decimals())
        AccessManaged(initialAuthority)
    {
        _self = address(this);
    }

    /// @dev Only through the engine's delegatecall.
    modifier onlyDelegateCall() {
        _requireDelegateCall();
        _;
    }

    /// @dev Restricts a hook to the wired market.
    modifier onlyMarket() {
        if (msg.sender != _wiring.market || msg.sender == address(0)) revert MarginUnauthorizedCaller(msg.sender);
        _;
    }

    /// @notice The immutables this extension was built with, for the engine's construction-time check.
    function extensionImmutables() external view returns (IERC20 quoteToken_, IOracleRouter oracle_, uint256 scale) {
        return (_quoteToken, _oracle, _scale);
    }

    /* ------------------------------------------------------------------ */
    /*                                SERIES                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IMarginEngineExtension
    function registerSeries(bytes32 underlying, uint256 strike, uint64 expiry, bool isCall, uint256 vol)
        external
        onlyMarket onlyDelegateCall
        returns (uint256 seriesId)
    {
        uint256 slotPlusOne = _underlyingSlotPlusOne[underlying];
        if (slotPlusOne == 0) revert MarginUnknownUnderlying(underlying);
        uint256 u = slotPlusOne - 1;
        if (_liveSeries[u] >= MAX_LIVE_SERIES_PER_UNDERLYING) {
            revert MarginTooManyLiveSeries(underlying, MAX_LIVE_SERIES_PER_UNDERLYING);
        }
        _checkRange("strike", strike, BlackScholes.MIN_STRIKE, BlackScholes.MAX_STRIKE);
        _checkRange("expiry", expiry, block.timestamp + 1, block.timestamp + BlackScholes.MAX_SECONDS);
        _checkRange("vol", vol, BlackScholes.MIN_VOL, BlackScholes.MAX_VOL);
        Registry memory r = _registry;
        seriesId = uint256(r.seriesCount) + 1;
        _registry.seriesCount = seriesId.toUint24();
        _liveSeries[u] += 1;
        _seriesWords[seriesId] = _encodeSeries(SeriesData({
            strike: uint104(strike),
            // Cannot truncate: expiry <= now + 2 years was checked above.
            expiry: uint40(expiry),
            vol: uint64(vol),
            underlying: uint8(u),
            isCall: isCall,
            retired: false,
            holders: 0
        }));
        emit SeriesRegistered(seriesId, underlying, strike, expiry, isCall, vol);
    }

    /// @inheritdoc IMarginEngineExtension
    function setSeriesVol(uint256 seriesId, uint256 vol) external onlyMarket onlyDelegateCall {
        SeriesData memory s = _requireSeries(seriesId);
        _checkRange("vol", vol, BlackScholes.MIN_VOL, BlackScholes.MAX_VOL);
        uint256 oldVol = s.vol;
        s.vol = uint64(vol);
        _seriesWords[seriesId] = _encodeSeries(s);
        _bumpEpoch();
        _clearVaultFree();
        emit SeriesVolSet(seriesId, oldVol, vol);
    }

    /// @inheritdoc IMarginEngineExtension
    function retireSeries(uint256 seriesId) external onlyDelegateCall {
        // The breaker is the engine's immutable: read it through the engine (this code runs in its context).
        IMarginEngineCore(address(this)).breaker().checkGlobal(ICircuitBreaker.ActionClass.EXIT);
        SeriesData memory s = _requireSeries(seriesId);
        if (block.timestamp < s.expiry) revert MarginSeriesNotExpired(seriesId, s.expiry);
        if (s.retired || s.holders != 0) revert MarginSeriesNotRetirable(seriesId, _positionOf(_registry.vault, seriesId));
        _retire(seriesId, s);
    }

    /// @inheritdoc IMarginEngineExtension
    function recordExpiryPrice(uint256 seriesId) external onlyDelegateCall returns (uint256 price) {
        SeriesData memory s = _requireSeries(seriesId);
        if (block.timestamp < s.expiry) revert MarginSeriesNotExpired(seriesId, s.expiry);
        uint256 key = _expiryKey(s.underlying, s.expiry);
        uint256 recorded = _expiryPrices[key];
        if (recorded != 0) revert MarginExpiryPriceAlreadyRecorded(_underlyingIds[s.underlying], s.expiry, recorded);
        price = _routerFinalPrice(seriesId, s);
        _expiryPrices[key] = price;
        emit ExpiryPriceRecorded(_underlyingIds[s.underlying], s.expiry, price);
    }

    /// @inheritdoc IMarginEngineExtension
    function syncBreakerPause(bool paused) external onlyDelegateCall {
        // The breaker is the engine's immutable: read it through the engine (this code runs in its context).
        if (msg.sender != address(IMarginEngineCore(address(this)).breaker())) {
            revert MarginUnauthorizedCaller(msg.sender);
        }
        _breakerUnpaused = !paused;
        emit BreakerPauseSynced(paused);
    }

    /* ------------------------------------------------------------------ */
    /*                             CONFIGURATION                          */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IMarginEngineExtension
    function wire(address market_, address vault_) external onlyDelegateCall restricted {
        if (_wiring.market != address(0)) revert MarginAlreadyWired(_wiring.market, _registry.vault);
        if (market_ == address(0)) revert MarginInvalidAddress(market_);
        if (vault_ == address(0) || vault_ == market_) revert MarginInvalidAddress(vault_);
        _wiring.market = market_;
        _registry.vault = vault_;
        emit MarginWired(market_, vault_);
    }

    /// @inheritdoc IMarginEngineExtension
    function wireLiquidation(address module, address insuranceFund) external onlyDelegateCall restricted {
        LiquidationWiring memory w = _liquidationWiring;
        if (w.module != address(0)) revert MarginLiquidationAlreadyWired(w.module, w.insuranceFund);
        if (module == address(0) || module == _wiring.market || module == _registry.vault) {
            revert MarginInvalidAddress(module);
        }
        if (insuranceFund == address(0) || insuranceFund == module || insuranceFund == _wiring.market
            || insuranceFund == _registry.vault) revert MarginInvalidAddress(insuranceFund);
        _liquidationWiring = LiquidationWiring({module: module, insuranceFund: insuranceFund});
        emit LiquidationWired(module, insuranceFund);
    }

    /// @inheritdoc IMarginEngineExtension
    function addUnderlying(bytes32 underlying) external onlyDelegateCall restricted returns (uint16 index) {
        if (underlying == bytes32(0)) revert MarginUnknownUnderlying(underlying);
        if (_underlyingSlotPlusOne[underlying] != 0) revert MarginUnderlyingExists(underlying);
        uint256 count = _registry.underlyingCount;
        if (count >= MAX_UNDERLYINGS) revert MarginTooManyUnderlyings(MAX_UNDERLYINGS);
        _underlyingIds[count] = underlying;
        _underlyingSlotPlusOne[underlying] = count + 1;
        _registry.underlyingCount = uint8(count + 1);
        index = uint16(count);
        emit UnderlyingAdded(underlying, index);
    }

    /// @inheritdoc IMarginEngineExtension
    function setMarginParams(MarginParams calldata params) external onlyDelegateCall restricted {
        _setMarginParams(params);
    }

    /// @inheritdoc IMarginEngineExtension
    function setRiskFreeRate(uint256 rate) external onlyDelegateCall restricted {
        _setRiskFreeRate(rate);
        _bumpEpoch();
    }

    /* ------------------------------------------------------------------ */
    /*                                 VIEWS                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IMarginEngineExtension
    function quoteToken() external view onlyDelegateCall returns (IERC20) {
        return _quoteToken;
    }

    /// @inheritdoc IMarginEngineExtension
    function oracle() external view onlyDelegateCall returns (IOracleRouter) {
        return _oracle;
    }

    /// @inheritdoc IMarginEngineExtension
    function market() external view onlyDelegateCall returns (address) {
        return _wiring.market;
    }

    /// @inheritdoc IMarginEngineExtension
    function vault() external view onlyDelegateCall returns (address) {
        return _registry.vault;
    }

    /// @inheritdoc IMarginEngineExtension
    function liquidationWiring() external view onlyDelegateCall returns (address module, address insuranceFund) {
        return (_liquidationWiring.module, _liquidationWiring.insuranceFund);
    }

    /// @inheritdoc IMarginEngineExtension
    function marginParams() external view onlyDelegateCall returns (MarginParams memory) {
        return _params;
    }

    /// @inheritdoc IMarginEngineExtension
    function riskFreeRate() external view onlyDelegateCall returns (uint256) {
        return _registry.riskFreeRate;
    }

    /// @inheritdoc IMarginEngineExtension
    function expiryPriceOf(uint256 seriesId) external view onlyDelegateCall returns (uint256) {
        SeriesData memory s = _requireSeries(seriesId);
        return _expiryPrices[_expiryKey(s.underlying, s.expiry)];
    }

    /// @inheritdoc IMarginEngineExtension
    function breakerReportedUnpaused() external view onlyDelegateCall returns (bool) {
        return _breakerUnpaused;
    }

    /// @inheritdoc IMarginEngineExtension
    function collateralOf(address account) external view onlyDelegateCall returns (uint256) {
        return _loadAccount(account).collateral;
    }

    /// @inheritdoc IMarginEngineExtension
    function positionOf(address account, uint256 seriesId) external view onlyDelegateCall returns (int256) {
        return _positionOf(account, seriesId);
    }

    /// @inheritdoc IMarginEngineExtension
    function positionsOf(address account)
        external
        view
        onlyDelegateCall
        returns (uint256[] memory seriesIds, int256[] memory amounts)
    {
        PositionBook.Book memory b = _loadBook(account, _loadAccount(account).count);
        seriesIds = new uint256[](b.count);
        amounts = new int256[](b.count);
        for (uint256 i; i < b.count; ++i) {
            (seriesIds[i], amounts[i]) = b.entry(i);
        }
    }

    /// @inheritdoc IMarginEngineExtension
    function seriesCount() external view onlyDelegateCall returns (uint256) {
        return _registry.seriesCount;
    }

    /// @inheritdoc IMarginEngineExtension
    function underlyings() external view onlyDelegateCall returns (bytes32[] memory ids) {
        uint256 count = _registry.underlyingCount;
        ids = new bytes32[](count);
        for (uint256 i; i < count; ++i) ids[i] = _underlyingIds[i];
    }

    /// @inheritdoc IMarginEngineExtension
    function liveSeriesCount(bytes32 underlying) external view onlyDelegateCall returns (uint256) {
        uint256 slotPlusOne = _underlyingSlotPlusOne[underlying];
        if (slotPlusOne == 0) revert MarginUnknownUnderlying(underlying);
        return _liveSeries[slotPlusOne - 1];
    }

    /// @inheritdoc IMarginEngineExtension
    function markOf(uint256 seriesId) external view onlyDelegateCall returns (SeriesMark memory mark) {
        SeriesData memory s = _requireSeries(seriesId);
        Ctx memory ctx = _newCtx();
        (MarginMath.Line memory line, ) = _line(seriesId, 1, ctx);
        _requirePriced(ctx);
        mark = SeriesMark({
            underlying: _underlyingIds[s.underlying],
            expiry: s.expiry,
            spot: ctx.spots[s.underlying],
            price: line.price,
            delta: line.delta,
            vega: line.vega,
            status: _spotStatus(s.underlying, ctx)
        });
    }

    /// @inheritdoc IMarginEngineExtension
    function equityOf(address account) external view onlyDelegateCall returns (int256) {
        return _pricedHealth(account).equity;
    }

    /// @inheritdoc IMarginEngineExtension
    function requirementsOf(address account)
        external
        view
        onlyDelegateCall
        returns (uint256 initialRequirement, uint256 maintenanceRequirement)
    {
        AccountHealth memory h = _pricedHealth(account);
        return (h.initialRequirement, h.maintenanceRequirement);
    }

    /// @inheritdoc IMarginEngineExtension
    function healthOf(address account) external view onlyDelegateCall returns (uint256) {
        return _pricedHealth(account).health;
    }

    /// @inheritdoc IMarginEngineExtension
    function freeMarginOf(address account) external view onlyDelegateCall returns (uint256) {
        Ctx memory ctx = _newCtx();
        (AccountData memory a, Valuation memory val) = _valueAccount(account, ctx);
        _requirePriced(ctx);
        return _freeMargin(a.collateral, val, ctx);
    }

    /// @inheritdoc IMarginEngineExtension
    function accountHealth(address account) external view onlyDelegateCall returns (AccountHealth memory) {
        return _accountHealth(account, _newCtx());
    }

    /// @inheritdoc IMarginEngineExtension
    function accountCount() external view onlyDelegateCall returns (uint256) {
        return _accountList.length;
    }

    /// @inheritdoc IMarginEngineExtension
    function healthOfRange(uint256 start, uint256 count) external view onlyDelegateCall returns (AccountHealth[] memory healths) {
        uint256 total = _accountList.length;
        if (start >= total) return healths;
        uint256 end = total - start < count ? total : start + count;
        healths = new AccountHealth[](end - start);
        Ctx memory ctx = _newCtx();
        for (uint256 i = start; i < end; ++i) {
            // A failed oracle only unprices the accounts that need it.
            ctx.failed = false;
            healths[i - start] = _accountHealth(_accountList[i], ctx);
        }
    }

    /// @inheritdoc IMarginEngineExtension
    function vaultState(uint256 maxSpotAge)
        external
        view
        onlyDelegateCall
        returns (int256 equity, uint256 freeMargin, bool usable)
    {
        address vault_ = _registry.vault;
        Ctx memory ctx = _newCtx();
        (AccountData memory a, Valuation memory val) = _valueAccount(vault_, ctx);
        if (ctx.failed) return (int256(uint256(a.collateral)), 0, false);
        equity = MarginMath.wadToQuoteFloor(_equityWad(a.collateral, val), _scale);
        usable = _spotsFresh(ctx, maxSpotAge);
        if (usable) freeMargin = _freeMargin(a.collateral, val, ctx);
    }

    /// @inheritdoc IMarginEngineExtension
    function conservation() external view onlyDelegateCall returns (uint256 tokenBalance, uint256 totalOwed) {
        return (_quoteToken.balanceOf(address(this)), _totalCollateral);
    }

    /* ------------------------------------------------------------------ */
    /*                                INTERNALS                           */
    /* ------------------------------------------------------------------ */

    /// @dev Reverts unless running by delegatecall (one shared body keeps the modifier small in every function).
    function _requireDelegateCall() private view {
        if (address(this) == _self) revert MarginNotDelegateCall(_self);
    }

    /// @dev Full margin state, reverting on a failed oracle.
    function _pricedHealth(address account) private view returns (AccountHealth memory h) {
        Ctx memory ctx = _newCtx();
        h = _accountHealth(account, ctx);
        _requirePriced(ctx);
    }
}
