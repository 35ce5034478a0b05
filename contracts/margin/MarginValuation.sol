// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMarginEngineTypes} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {BlackScholes} from "../libraries/BlackScholes.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {PositionBook} from "./PositionBook.sol";

/// @title MarginValuation
/// @notice Storage of the margin engine and the logic both of its halves share: the valuation of accounts (spot
///         reads, marks, requirements), the per-transaction price caches and the parameter setters.
/// @dev `MarginEngine` and `MarginEngineExtension` both inherit this contract first, then `AccessManaged`, then
///      `ReentrancyGuardTransient`, so their storage layouts are identical: the extension runs by delegatecall
///      on the engine's storage. Immutables are code, not storage: the engine checks at construction that the
///      extension was built with the same ones.
/// @dev Two cache levels keep every margin check of a transaction on one set of prices and make each price cost
///      once: a memory context (`Ctx`) inside one call, and transient storage across the calls of one transaction
///      (the market quotes, then applies the trade; the vault snapshots, then withdraws). The valuation itself
///      is `view` (it only reads transient storage); mutating callers persist what it computed with `_persist`.
///      A cached mark is keyed by an epoch that every volatility or rate change bumps, so a parameter change
///      inside a transaction can never leave a stale mark behind.
abstract contract MarginValuation is IMarginEngineTypes {
    using PositionBook for PositionBook.Book;

    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @notice Maximum number of open series of a trader account: bounds the gas of every margin check.
    uint256 public constant MAX_TRADER_SERIES = 8;
    /// @notice Maximum number of registered underlyings (the number of slots of a MarginMath valuation).
    uint256 public constant MAX_UNDERLYINGS = 4;
    /// @notice Maximum number of live (not retired) series per underlying.
    uint256 public constant MAX_LIVE_SERIES_PER_UNDERLYING = 12;
    /// @notice Maximum number of open series of the vault: it can only hold live series, so this bound follows.
    uint256 public constant MAX_VAULT_SERIES = MAX_UNDERLYINGS * MAX_LIVE_SERIES_PER_UNDERLYING;

    /// @notice Bounds of the margin parameters (WAD).
    uint256 public constant MIN_SHOCK = 0.01e18;
    uint256 public constant MAX_SHOCK = 0.9e18;
    uint256 public constant MAX_MIN_CHARGE = 0.5e18;
    /// @notice Upper bound of the risk-free rate (WAD per year).
    uint256 public constant MAX_RISK_FREE_RATE = 0.25e18;

    /// @dev Largest position magnitude (int96).
    int256 internal constant MAX_POSITION = int256(type(int96).max);

    /// @dev Transient namespaces of the caches (the values are arbitrary distinct hashes).
    uint256 private constant SPOT_NS = uint256(keccak256("bulwark.margin.transient.spot"));
    uint256 private constant MARK_NS = uint256(keccak256("bulwark.margin.transient.mark"));
    uint256 private constant EPOCH_SLOT = uint256(keccak256("bulwark.margin.transient.epoch"));
    uint256 private constant VAULT_FREE_SLOT = uint256(keccak256("bulwark.margin.transient.vaultFree"));

    /// @dev Bits of a packed series word.
    uint256 internal constant RETIRED_BIT = 1 << 217;
    uint256 internal constant HOLDERS_SHIFT = 224;

    /// @dev Flags of a cached mark's second word.
    uint256 private constant CACHED_FLAG = 1 << 255;
    uint256 private constant SETTLED_FLAG = 1 << 254;

    /// @dev Flag of a cached spot word: the reading was DEGRADED. Spots are at most 1e30 < 2^100, so the word
    ///      `spot << 64 | updatedAt` never reaches bit 255.
    uint256 private constant DEGRADED_FLAG = 1 << 255;

    /* ------------------------------------------------------------------ */
    /*                               STORAGE                              */
    /* ------------------------------------------------------------------ */

    /// @dev One account in memory. Stored packed in one word (`_accountWords`): collateral in bits 0..127, the
    ///      number of open series in bits 128..135, the lens registration flag in bit 136.
    struct AccountData {
        uint128 collateral;
        uint8 count;
        bool registered;
    }

    /// @dev One series in memory. Stored packed in one word (`_seriesWords`): strike bits 0..103, expiry
    ///      104..143, vol 144..207, underlying slot 208..215, isCall bit 216, retired bit 217, holders 224..247.
    ///      `holders` counts the non-vault accounts holding the series: a series can retire only once expired
    ///      with no holder, which (positions summing to zero) means the vault holds nothing in it either.
    struct SeriesData {
        uint104 strike;
        uint40 expiry;
        uint64 vol;
        uint8 underlying;
        bool isCall;
        bool retired;
        uint24 holders;
    }

    /// @dev The wired market.
    struct Wiring {
        address market;
    }

    /// @dev The vault, the registry counters and the rate: one slot read by every valuation and vault hook.
    struct Registry {
        address vault;
        uint24 seriesCount;
        uint8 underlyingCount;
        uint64 riskFreeRate;
    }

    IERC20 internal immutable _quoteToken;
    IOracleRouter internal immutable _oracle;
    /// @dev 10^(18 - quote decimals): WAD quote value per quote token unit.
    uint256 internal immutable _scale;

    Wiring internal _wiring;
    Registry internal _registry;
    MarginParams internal _params;
    /// @dev Sum of every collateral balance: what the engine owes in quote tokens.
    uint256 internal _totalCollateral;

    mapping(address account => uint256 packed) internal _accountWords;
    mapping(address account => mapping(uint256 word => uint256)) internal _positionWords;
    mapping(uint256 seriesId => uint256 packed) internal _seriesWords;
    bytes32[MAX_UNDERLYINGS] internal _underlyingIds;
    mapping(bytes32 underlying => uint256) internal _underlyingSlotPlusOne;
    uint256[MAX_UNDERLYINGS] internal _liveSeries;
    address[] internal _accountList;

    /// @dev The liquidation module and the insurance fund's account, wired once (appended last: the layout of
    ///      every earlier variable is unchanged).
    struct LiquidationWiring {
        address module;
        address insuranceFund;
    }

    LiquidationWiring internal _liquidationWiring;

    /// @dev The router's final settlement prices copied by `recordExpiryPrice`, by `_expiryKey` (appended last, like
    ///      the words after it). Zero: not copied, settlement asks the router.
    mapping(uint256 key => uint256 price) internal _expiryPrices;
    /// @dev The circuit breaker's last pause report (`syncBreakerPause`): true while it says "unpaused". False before
    ///      any report: settlement then asks the breaker.
    bool internal _breakerUnpaused;

    /* ------------------------------------------------------------------ */
    /*                          VALUATION CONTEXT                         */
    /* ------------------------------------------------------------------ */

    /// @dev Prices known inside one call.
    struct Ctx {
        uint256[MAX_UNDERLYINGS] spots;
        uint64[MAX_UNDERLYINGS] updatedAt;
        uint256 loaded; // bit set of underlying slots whose spot is in `spots`
        uint256 fresh; // bit set of spots read from the oracle in this call (to persist)
        uint256 degraded; // bit set of loaded spots whose reading was DEGRADED (passed on to the circuit breaker)
        uint256 epoch;
        uint256 rate;
        bool failed;
        bytes32 failedUnderlying;
        uint16 failedReasons;
        // The Black-Scholes time and rate terms of the last expiry priced in this call (zero: none yet). Series of
        // one expiry share them, so a valuation computes sqrt(T) and e^(-rT) once per expiry, not once per series;
        // the terms depend only on the expiry, the block time and `rate`, all fixed within the context.
        uint256 horizonExpiry;
        BlackScholes.Horizon horizon;
    }

    /// @dev One account's positions, valued.
    struct Valuation {
        MarginMath.Line[] lines;
        uint256[] ids;
        uint256 count;
        uint256 fresh; // bit set of lines whose mark was computed in this call (to persist)
    }

    constructor(IERC20 quoteToken_, IOracleRouter oracle_, uint8 quoteDecimals) {
        if (address(quoteToken_) == address(0)) revert MarginInvalidAddress(address(0));
        if (address(oracle_) == address(0)) revert MarginInvalidAddress(address(0));
        if (quoteDecimals > 18) revert MarginParameterOutOfRange("quoteDecimals", quoteDecimals, 0, 18);
        _quoteToken = quoteToken_;
        _oracle = oracle_;
        _scale = 10 ** (18 - quoteDecimals);
    }

    /* ------------------------------------------------------------------ */
    /*                               PRICES                               */
    /* ------------------------------------------------------------------ */

    /// @dev A fresh context with the transaction's mark epoch and the current rate.
    function _newCtx() internal view returns (Ctx memory ctx) {
        uint256 slot = EPOCH_SLOT;
        uint256 epoch;
        assembly ("memory-safe") {
            epoch := tload(slot)
        }
        ctx.epoch = epoch;
        ctx.rate = _registry.riskFreeRate;
    }

    /// @dev Spot of underlying slot `u`: memory, then transient cache, then the oracle. A FAILED reading (or a
    ///      zero price) marks the context failed and returns 0.
    function _spot(uint256 u, Ctx memory ctx) internal view returns (uint256 spot) {
        if (ctx.loaded & (1 << u) != 0) return ctx.spots[u];
        uint256 slot = SPOT_NS + u;
        uint256 cached;
        assembly ("memory-safe") {
            cached := tload(slot)
        }
        if (cached != 0) {
            if (cached & DEGRADED_FLAG != 0) ctx.degraded |= 1 << u;
            spot = (cached & ~DEGRADED_FLAG) >> 64;
            ctx.updatedAt[u] = uint64(cached);
        } else {
            bytes32 id = _underlyingIds[u];
            IOracleRouter.SpotReading memory r = _oracle.getSpot(id);
            // A price above the pricing domain is treated like a failed reading: it keeps every product of
            // MarginMath inside its proven range (the router's per-source bounds sit far below it).
            if (r.status == IOracleRouter.Status.FAILED || r.price == 0 || r.price > BlackScholes.MAX_SPOT) {
                if (!ctx.failed) {
                    ctx.failed = true;
                    ctx.failedUnderlying = id;
                    ctx.failedReasons = r.reasons;
                }
                return 0;
            }
            spot = r.price;
            ctx.updatedAt[u] = r.updatedAt;
            ctx.fresh |= 1 << u;
            if (r.status == IOracleRouter.Status.DEGRADED) ctx.degraded |= 1 << u;
        }
        ctx.spots[u] = spot;
        ctx.loaded |= 1 << u;
    }

    /// @dev Values one position: series terms, spot and mark (cached or computed).
    /// @return line The valued line.
    /// @return computed True when the mark was computed in this call rather than read from the cache.
    function _line(uint256 seriesId, int256 amount, Ctx memory ctx)
        internal
        view
        returns (MarginMath.Line memory line, bool computed)
    {
        // One storage read; only the fields a cached mark needs are decoded here.
        uint256 w = _seriesWords[seriesId];
        line.amount = amount;
        line.strike = uint104(w);
        line.isCall = (w >> 216) & 1 != 0;
        line.underlying = uint8(w >> 208);
        uint256 spot = _spot(line.underlying, ctx);
        if (spot == 0) return (line, false);

        uint256 slot = MARK_NS + (ctx.epoch << 64) + (seriesId << 1);
        uint256 wordA;
        uint256 wordB;
        assembly ("memory-safe") {
            wordA := tload(slot)
            wordB := tload(add(slot, 1))
        }
        if (wordB & CACHED_FLAG != 0) {
            line.price = wordA >> 128;
            line.vega = uint128(wordA);
            line.delta = int256(int128(uint128(wordB)));
            if (wordB & SETTLED_FLAG != 0) {
                line.settled = true;
                line.settledPayoff = line.price;
            }
            return (line, false);
        }
        _computeMark(line, uint40(w >> 104), uint64(w >> 144), spot, ctx);
        return (line, true);
    }

    /// @dev Black-Scholes before expiry (intrinsic value if the spot left the pricing domain); after expiry the
    ///      payoff at the final settlement price, or at the spot until that price is final.
    ///      Before expiry the time and rate terms come from the context's horizon of that expiry (built on first
    ///      use): `greeksAt` then returns exactly what `greeks` would.
    function _computeMark(MarginMath.Line memory line, uint256 expiry, uint256 vol, uint256 spot, Ctx memory ctx)
        private
        view
    {
        if (block.timestamp < expiry) {
            if (spot >= BlackScholes.MIN_SPOT && spot <= BlackScholes.MAX_SPOT) {
                if (ctx.horizonExpiry != expiry) {
                    ctx.horizon = BlackScholes.horizon(expiry - block.timestamp, ctx.rate);
                    ctx.horizonExpiry = expiry;
                }
                (line.price, line.delta, line.vega) = BlackScholes.greeksAt(spot, line.strike, vol, line.isCall, ctx.horizon);
                return;
            }
        } else {
            (uint256 settlementPrice, bool isFinal) =
                _oracle.getSettlementPrice(_underlyingIds[line.underlying], uint64(expiry));
            if (isFinal) {
                // Same domain clamp as for spots; only reachable if the router finalised an absurd price.
                if (settlementPrice > BlackScholes.MAX_SPOT) settlementPrice = BlackScholes.MAX_SPOT;
                line.settled = true;
                line.settledPayoff = MarginMath.payoff(line.strike, line.isCall, settlementPrice);
                line.price = line.settledPayoff;
                return;
            }
        }
        line.price = MarginMath.payoff(line.strike, line.isCall, spot);
        if (line.price != 0) line.delta = line.isCall ? int256(MarginMath.WAD) : -int256(MarginMath.WAD);
    }

    /// @dev Values every position of a book.
    function _valuation(PositionBook.Book memory b, Ctx memory ctx) internal view returns (Valuation memory val) {
        uint256 count = b.count;
        val.lines = _allocateLines(count);
        val.ids = new uint256[](count);
        val.count = count;
        for (uint256 i; i < count; ++i) {
            (uint256 seriesId, int256 amount) = b.entry(i);
            val.ids[i] = seriesId;
            bool computed;
            (val.lines[i], computed) = _line(seriesId, amount, ctx);
            if (computed) val.fresh |= 1 << i;
        }
    }

    /// @dev An array of `count` line pointers, left unset. `new MarginMath.Line[](count)` would also allocate and zero
    ///      one struct per element, which `_valuation` replaces at once; this allocation skips that work. Every
    ///      caller sets each element before any read (`_valuation` assigns all `count` of them in its loop), so no
    ///      element is ever read unset. The free-memory pointer moves past the array: the block is owned memory.
    function _allocateLines(uint256 count) private pure returns (MarginMath.Line[] memory lines) {
        assembly ("memory-safe") {
            lines := mload(0x40)
            mstore(lines, count)
            mstore(0x40, add(lines, shl(5, add(count, 1))))
        }
    }

    /// @dev Writes the spots and marks a valuation computed to the transient caches.
    function _persist(Valuation memory val, Ctx memory ctx) internal {
        _persistSpots(ctx);
        uint256 freshLines = val.fresh;
        for (uint256 i; freshLines != 0; ++i) {
            if (freshLines & 1 != 0) _storeMark(val.ids[i], val.lines[i], ctx.epoch);
            freshLines >>= 1;
        }
        val.fresh = 0;
    }

    /// @dev Writes the spots read from the oracle in this call to the transient cache.
    function _persistSpots(Ctx memory ctx) internal {
        uint256 freshSpots = ctx.fresh;
        for (uint256 u; freshSpots != 0; ++u) {
            if (freshSpots & 1 != 0) {
                uint256 slot = SPOT_NS + u;
                uint256 packed = (ctx.spots[u] << 64) | ctx.updatedAt[u];
                if (ctx.degraded & (1 << u) != 0) packed |= DEGRADED_FLAG;
                assembly ("memory-safe") {
                    tstore(slot, packed)
                }
            }
            freshSpots >>= 1;
        }
        ctx.fresh = 0;
    }

    /// @dev Writes one mark to the transient cache. Prices and vegas are below 2^128 (spot and strike are at most
    ///      1e30) and delta within +-1e18, so the packing is lossless.
    function _storeMark(uint256 seriesId, MarginMath.Line memory line, uint256 epoch) internal {
        if ((line.price | line.vega) >> 128 != 0) return;
        uint256 slot = MARK_NS + (epoch << 64) + (seriesId << 1);
        uint256 wordA = (line.price << 128) | line.vega;
        uint256 wordB = CACHED_FLAG | (line.settled ? SETTLED_FLAG : 0) | uint256(uint128(int128(line.delta)));
        assembly ("memory-safe") {
            tstore(slot, wordA)
            tstore(add(slot, 1), wordB)
        }
    }

    /// @dev Invalidates every cached mark of the transaction (volatility or rate changed).
    function _bumpEpoch() internal {
        uint256 slot = EPOCH_SLOT;
        assembly ("memory-safe") {
            tstore(slot, add(tload(slot), 1))
        }
    }

    /// @dev Requires every spot the context used to be younger than `maxAge` seconds.
    function _requireFreshSpots(Ctx memory ctx, uint256 maxAge) internal view {
        for (uint256 u; u < MAX_UNDERLYINGS; ++u) {
            if (ctx.loaded & (1 << u) != 0 && block.timestamp > uint256(ctx.updatedAt[u]) + maxAge) {
                revert MarginOracleStale(_underlyingIds[u], ctx.updatedAt[u], maxAge);
            }
        }
    }

    /// @dev True when every spot the context used is younger than `maxAge` seconds.
    function _spotsFresh(Ctx memory ctx, uint256 maxAge) internal view returns (bool) {
        for (uint256 u; u < MAX_UNDERLYINGS; ++u) {
            if (ctx.loaded & (1 << u) != 0 && block.timestamp > uint256(ctx.updatedAt[u]) + maxAge) return false;
        }
        return true;
    }

    /// @dev Reverts with the oracle failure the context recorded, if any.
    function _requirePriced(Ctx memory ctx) internal pure {
        if (ctx.failed) revert MarginOracleFailed(ctx.failedUnderlying, ctx.failedReasons);
    }

    /// @dev Oracle status of the loaded spot of underlying slot `u` (OK or DEGRADED: a FAILED one is never loaded).
    function _spotStatus(uint256 u, Ctx memory ctx) internal pure returns (IOracleRouter.Status) {
        return ctx.degraded & (1 << u) != 0 ? IOracleRouter.Status.DEGRADED : IOracleRouter.Status.OK;
    }

    /* ------------------------------------------------------------------ */
    /*                            REQUIREMENTS                            */
    /* ------------------------------------------------------------------ */

    /// @dev Equity in WAD quote: collateral plus marks (each rounded down).
    function _equityWad(uint256 collateral, Valuation memory val) internal view returns (int256) {
        return int256(collateral * _scale) + MarginMath.markValue(val.lines, val.count);
    }

    /// @dev Initial requirement in WAD quote: the wider grid's requirement, but never below the maintenance one.
    ///      Defence: the two grids sample different spots (S +- k x shock / 3), so for a portfolio whose loss
    ///      peaks between the wide grid's points the narrow grid can find the larger loss. Without the floor an
    ///      account could pass initial margin and fail maintenance in the same block (found by the invariant
    ///      campaign, INV M-04; test/regression/marginInitialFloor.test.ts).
    ///      Both grids come from one walk over the lines (`MarginMath.requirements`).
    function _initialWad(Valuation memory val, Ctx memory ctx, MarginParams memory p) internal pure returns (uint256) {
        (uint256 initial, uint256 maintenance) = _requirementsWad(val, ctx, p);
        return initial > maintenance ? initial : maintenance;
    }

    /// @dev Initial (unfloored) and maintenance requirements in WAD quote, in one pass.
    function _requirementsWad(Valuation memory val, Ctx memory ctx, MarginParams memory p)
        internal
        pure
        returns (uint256 initial, uint256 maintenance)
    {
        MarginMath.Grids memory g = MarginMath.Grids({
            initialShock: p.initialShock,
            initialMinCharge: p.initialMinCharge,
            maintenanceShock: p.maintenanceShock,
            maintenanceMinCharge: p.maintenanceMinCharge
        });
        return MarginMath.requirements(val.lines, val.count, ctx.spots, g);
    }

    /// @dev Maintenance requirement in WAD quote.
    function _maintenanceWad(Valuation memory val, Ctx memory ctx, MarginParams memory p) internal pure returns (uint256) {
        return MarginMath.requirement(val.lines, val.count, ctx.spots, p.maintenanceShock, p.maintenanceMinCharge);
    }

    /// @dev Reverts unless floor(equity) >= ceil(initial requirement), both in quote units.
    function _requireInitial(address account, uint256 collateral, Valuation memory val, Ctx memory ctx) internal view {
        _requirePriced(ctx);
        uint256 scale = _scale;
        int256 equity = MarginMath.wadToQuoteFloor(_equityWad(collateral, val), scale);
        uint256 req = MarginMath.wadToQuoteCeil(_initialWad(val, ctx, _params), scale);
        if (equity < int256(req)) revert MarginInitialRequirementNotMet(account, equity, req);
    }

    /// @dev Collateral that can leave while floor(equity) >= ceil(initial requirement) still holds.
    function _freeMargin(uint256 collateral, Valuation memory val, Ctx memory ctx) internal view returns (uint256) {
        uint256 scale = _scale;
        int256 equity = MarginMath.wadToQuoteFloor(_equityWad(collateral, val), scale);
        int256 req = int256(MarginMath.wadToQuoteCeil(_initialWad(val, ctx, _params), scale));
        if (equity <= req) return 0;
        uint256 surplus = uint256(equity - req);
        return surplus < collateral ? surplus : collateral;
    }

    /// @dev Health from quote-unit equity and maintenance requirement.
    function _health(int256 equity, uint256 maintenance) internal pure returns (uint256) {
        if (maintenance == 0) return type(uint256).max;
        if (equity <= 0) return 0;
        return (uint256(equity) * MarginMath.WAD) / maintenance;
    }

    /* ------------------------------------------------------------------ */
    /*                         VAULT FREE-MARGIN CACHE                    */
    /* ------------------------------------------------------------------ */

    /// @dev Remembers the vault's free margin for the rest of the transaction.
    function _cacheVaultFree(uint256 free) internal {
        uint256 slot = VAULT_FREE_SLOT;
        uint256 packed = CACHED_FLAG | free;
        assembly ("memory-safe") {
            tstore(slot, packed)
        }
    }

    /// @dev Forgets the cached free margin: any change of the vault's account other than a checked withdrawal.
    function _clearVaultFree() internal {
        uint256 slot = VAULT_FREE_SLOT;
        assembly ("memory-safe") {
            tstore(slot, 0)
        }
    }

    /// @dev The cached free margin, if any.
    function _cachedVaultFree() internal view returns (bool cached, uint256 free) {
        uint256 slot = VAULT_FREE_SLOT;
        uint256 packed;
        assembly ("memory-safe") {
            packed := tload(slot)
        }
        cached = packed & CACHED_FLAG != 0;
        free = packed & ~CACHED_FLAG;
    }

    /* ------------------------------------------------------------------ */
    /*                              HELPERS                               */
    /* ------------------------------------------------------------------ */

    /// @dev Loads the book of `account`.
    function _loadBook(address account, uint256 count) internal view returns (PositionBook.Book memory) {
        return PositionBook.load(_positionWords[account], count);
    }

    /// @dev Values `account` from storage with a given context.
    function _valueAccount(address account, Ctx memory ctx)
        internal
        view
        returns (AccountData memory a, Valuation memory val)
    {
        a = _loadAccount(account);
        val = _valuation(_loadBook(account, a.count), ctx);
    }

    /// @dev Full margin state of `account` (never reverts on a FAILED oracle).
    function _accountHealth(address account, Ctx memory ctx) internal view returns (AccountHealth memory h) {
        (AccountData memory a, Valuation memory val) = _valueAccount(account, ctx);
        h.account = account;
        h.collateral = a.collateral;
        if (ctx.failed) return h;
        MarginParams memory p = _params;
        uint256 scale = _scale;
        h.equity = MarginMath.wadToQuoteFloor(_equityWad(a.collateral, val), scale);
        (uint256 initial, uint256 maintenance) = _requirementsWad(val, ctx, p);
        h.initialRequirement = MarginMath.wadToQuoteCeil(initial > maintenance ? initial : maintenance, scale);
        h.maintenanceRequirement = MarginMath.wadToQuoteCeil(maintenance, scale);
        h.health = _health(h.equity, h.maintenanceRequirement);
        h.priced = true;
    }

    /* ------------------------------------------------------------------ */
    /*                           STORAGE CODECS                           */
    /* ------------------------------------------------------------------ */

    /// @dev The key of an underlying's expiry in `_expiryPrices`.
    function _expiryKey(uint256 underlyingIndex, uint256 expiry) internal pure returns (uint256) {
        return (underlyingIndex << 64) | expiry;
    }

    /// @dev The router's final settlement price of the series' underlying and expiry (`MarginSettlementNotFinal` until
    ///      it is final).
    function _routerFinalPrice(uint256 seriesId, SeriesData memory s) internal view returns (uint256 price) {
        bool isFinal;
        (price, isFinal) = _oracle.getSettlementPrice(_underlyingIds[s.underlying], s.expiry);
        if (!isFinal) revert MarginSettlementNotFinal(seriesId, price);
    }

    /// @dev Reads a series with one storage read.
    function _loadSeries(uint256 seriesId) internal view returns (SeriesData memory s) {
        uint256 w = _seriesWords[seriesId];
        s.strike = uint104(w);
        s.expiry = uint40(w >> 104);
        s.vol = uint64(w >> 144);
        s.underlying = uint8(w >> 208);
        s.isCall = (w >> 216) & 1 != 0;
        s.retired = w & RETIRED_BIT != 0;
        s.holders = uint24(w >> HOLDERS_SHIFT);
    }

    /// @dev Packs a series.
    function _encodeSeries(SeriesData memory s) internal pure returns (uint256) {
        return uint256(s.strike) | (uint256(s.expiry) << 104) | (uint256(s.vol) << 144)
            | (uint256(s.underlying) << 208) | (s.isCall ? 1 << 216 : 0) | (s.retired ? RETIRED_BIT : 0)
            | (uint256(s.holders) << HOLDERS_SHIFT);
    }

    /// @dev Reads an account with one storage read.
    function _loadAccount(address account) internal view returns (AccountData memory a) {
        uint256 w = _accountWords[account];
        a.collateral = uint128(w);
        a.count = uint8(w >> 128);
        a.registered = (w >> 136) & 1 != 0;
    }

    /// @dev Writes an account with one storage write.
    function _storeAccount(address account, AccountData memory a) internal {
        _accountWords[account] = uint256(a.collateral) | (uint256(a.count) << 128) | (a.registered ? 1 << 136 : 0);
    }

    /* ------------------------------------------------------------------ */
    /*                          SHARED STATE HELPERS                      */
    /* ------------------------------------------------------------------ */

    /// @dev Loads a series, reverting with `MarginUnknownSeries` for an unlisted id.
    function _requireSeries(uint256 seriesId) internal view returns (SeriesData memory s) {
        s = _loadSeries(seriesId);
        if (s.expiry == 0) revert MarginUnknownSeries(seriesId);
    }

    /// @dev Position of `account` in `seriesId` (zero when absent).
    function _positionOf(address account, uint256 seriesId) internal view returns (int256) {
        PositionBook.Book memory b = _loadBook(account, _loadAccount(account).count);
        return b.amountOf(seriesId);
    }

    /// @dev Marks a series retired and frees its live slot.
    function _retire(uint256 seriesId, SeriesData memory s) internal {
        _seriesWords[seriesId] |= RETIRED_BIT;
        _liveSeries[s.underlying] -= 1;
        emit SeriesRetired(seriesId, _underlyingIds[s.underlying]);
    }

    /// @dev Bounds and stores the margin parameters.
    function _setMarginParams(MarginParams memory p) internal {
        _checkRange("initialShock", p.initialShock, MIN_SHOCK, MAX_SHOCK);
        _checkRange("maintenanceShock", p.maintenanceShock, MIN_SHOCK, p.initialShock);
        _checkRange("initialMinCharge", p.initialMinCharge, 0, MAX_MIN_CHARGE);
        _checkRange("maintenanceMinCharge", p.maintenanceMinCharge, 0, p.initialMinCharge);
        MarginParams memory old = _params;
        _params = p;
        // Requirements changed: a free margin cached earlier in this transaction no longer holds.
        _clearVaultFree();
        emit MarginParamsSet(old, p);
    }

    /// @dev Bounds and stores the risk-free rate.
    function _setRiskFreeRate(uint256 rate) internal {
        _checkRange("riskFreeRate", rate, 0, MAX_RISK_FREE_RATE);
        uint256 old = _registry.riskFreeRate;
        _registry.riskFreeRate = uint64(rate);
        _clearVaultFree();
        emit RiskFreeRateSet(old, rate);
    }

    /// @dev Reverts with `MarginParameterOutOfRange` unless min <= value <= max.
    function _checkRange(bytes32 parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert MarginParameterOutOfRange(parameter, value, min, max);
    }
}
