// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IBreakerGateCache, IBreakerPauseListener, ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {IBreakerMetrics} from "../interfaces/IBreakerMetrics.sol";
import {RateLimitLib} from "../libraries/RateLimitLib.sol";
import {PackedScope, PackedScopeLib} from "../libraries/PackedScopeLib.sol";
import {BreakerModeLib} from "../libraries/BreakerModeLib.sol";
import {BreakerBounds} from "./BreakerBounds.sol";
import {BreakerWiring} from "./BreakerWiring.sol";

/// @title CircuitBreaker
/// @notice Modes, automatic trips, guardian trips and the emergency pause of every Bulwark market (see the interface).
/// @dev Gas design. A gated entry costs one cold call and one cold SLOAD: each scope's state, including a copy of the
///      global gate (`globalLevel`), lives in one packed word (`PackedScope`) read with shifts only, and nothing is
///      written unless a window rolls, a trip fires or a cooldown starts or ends. Slower paths unpack the word into an
///      `ICircuitBreaker.ScopeState` in memory and pack it back. The price of that single read is paid on global
///      changes: every global transition (guardian, admin, pause, automatic) rewrites the copy in each market, a loop
///      bounded by `MAX_MARKETS` (markets are added by the timelocked admin only).
///      The gate cache goes one step further for trades: every write of a market goes through `_storeMarket`, which
///      pushes the market's gate copy to the OptionMarket whenever the copy changed, so the cache always equals
///      `gateOf` and a quiet trade needs no call at all (interface, "Gate copy").
///      Warning: assumes the router and the metrics source are the protocol's own view contracts. Both are called
///      with STATICCALL (their functions are `view`), so they cannot re-enter and change state.
contract CircuitBreaker is ICircuitBreaker, BreakerBounds, AccessManaged, Pausable, BreakerWiring {
    using BreakerModeLib for ScopeState;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  CONSTANTS                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Id of the global (vault-wide) scope.
    bytes32 public constant GLOBAL = bytes32(0);
    /// @notice Most markets the breaker tracks; bounds the loop that copies the global gate into each market.
    uint256 public constant MAX_MARKETS = 16;
    /// @notice Share of the outflow limit (basis points) at which the global scope trips to REDUCE_ONLY.
    /// @dev Below 100%: a vault that caps withdrawals by `outflowAvailable` fills the bucket in steps that need not
    ///      land exactly on the limit.
    uint256 public constant OUTFLOW_TRIP_BPS = 9_900;
    /// @notice Largest quote-asset decimals supported (the outflow bounds must fit the bucket's int96).
    uint8 public constant MAX_QUOTE_DECIMALS = 18;
    /// @notice Largest storable reference price (WAD).
    uint256 public constant MAX_REFERENCE_PRICE = type(uint96).max;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  IMMUTABLES                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc ICircuitBreaker
    IOracleRouter public immutable router;
    /// @notice Bounds of the outflow limit in quote units: 1,000 to 10,000,000,000 whole quote tokens.
    uint256 public immutable MIN_OUTFLOW_LIMIT;
    uint256 public immutable MAX_OUTFLOW_LIMIT;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                   STORAGE                                                    */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev State of every scope (markets and GLOBAL), one word each. Slot 3: slot 0 holds AccessManaged's authority
    ///      and Pausable's flag, slots 1 and 2 the one-shot wirings (`BreakerWiring`).
    mapping(bytes32 scope => PackedScope) private _scopes;
    /// @dev The vault's net-outflow bucket, one slot.
    OutflowBucket private _bucket;
    /// @dev Every market id, for the copy of the global gate; at most MAX_MARKETS.
    bytes32[] private _marketIds;
    /// @dev Parameters read off the hot path, packed in one slot.
    IBreakerMetrics private _metrics;
    uint32 private _cooldown;
    uint64 private _utilisationCap;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                 CONSTRUCTOR                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @param authority_ The AccessManager.
    /// @param router_ The OracleRouter read by `poke`.
    /// @param quoteDecimals Decimals of the quote asset; fixes the outflow limit bounds.
    /// @param outflowLimit Initial outflow limit, quote units.
    /// @param refillPeriod Initial refill period, seconds.
    /// @param utilisationCapWad Initial utilisation cap, WAD.
    /// @param cooldown_ Initial cooldown of automatic trips, seconds.
    constructor(
        address authority_,
        IOracleRouter router_,
        uint8 quoteDecimals,
        uint96 outflowLimit,
        uint24 refillPeriod,
        uint64 utilisationCapWad,
        uint32 cooldown_
    ) AccessManaged(authority_) {
        if (address(router_).code.length == 0) revert BreakerInvalidRouter(address(router_));
        if (quoteDecimals > MAX_QUOTE_DECIMALS) revert BreakerInvalidQuoteDecimals(quoteDecimals, MAX_QUOTE_DECIMALS);
        router = router_;
        uint256 unit = 10 ** quoteDecimals;
        MIN_OUTFLOW_LIMIT = 1_000 * unit;
        MAX_OUTFLOW_LIMIT = 10_000_000_000 * unit; // <= 1e28 < 2^95: fits the bucket's int96
        _setOutflowParams(outflowLimit, refillPeriod);
        _setUtilisationCap(utilisationCapWad);
        _setCooldown(cooldown_);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                 GATED HOOKS                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc ICircuitBreaker
    function checkAction(bytes32 market, ActionClass cls, uint256 spot, IOracleRouter.Status status)
        external
        returns (Mode mode)
    {
        PackedScope p = _scopes[market];
        if (p.moveLimitBps() == 0) revert BreakerUnknownMarket(market);
        // Evaluate only a reading (spot or a non-OK status) that may change something; VIEW evaluates nothing.
        if (
            cls != ActionClass.VIEW
                && (status != IOracleRouter.Status.OK || (spot != 0 && !p.isQuiet(spot, block.timestamp)))
        ) {
            ScopeState memory s = p.unpack();
            if (_evaluateMarket(market, s, spot, status)) {
                // Authenticate only now that the call writes: a read-only check tells nothing `modeOf` does not.
                _checkCanCall(_msgSender(), _msgData());
                PackedScope next = PackedScopeLib.pack(s);
                _storeMarket(market, p, next);
                p = next;
            }
        }
        // The gate, inlined from `_gate` for the hot path.
        uint256 level = p.level();
        if (!BreakerModeLib.allowed(level, cls)) _refuse(market, p, cls, level);
        return level == BreakerModeLib.PAUSED_LEVEL ? Mode.HALTED : Mode(level);
    }

    /// @inheritdoc ICircuitBreaker
    function recordOutflow(uint256 assets) external {
        _requireFlowReporter();
        PackedScope packed = _scopes[GLOBAL];
        _gate(GLOBAL, packed, ActionClass.EXIT);
        if (assets == 0) return;

        // --- Checks ---
        OutflowBucket memory b = _bucket;
        int256 net = _netOutflowNow(b);
        uint256 available = RateLimitLib.availableDown(net, b.limit);
        if (assets > available) revert BreakerOutflowLimitExceeded(assets, available);

        // --- Effects ---
        _chargeOutflow(packed, b, net, assets);
    }

    /// @inheritdoc ICircuitBreaker
    function tryRecordOutflow(uint256 assets) external returns (bool recorded, uint256 available) {
        _requireFlowReporter();
        PackedScope packed = _scopes[GLOBAL];
        _gate(GLOBAL, packed, ActionClass.EXIT);
        OutflowBucket memory b = _bucket;
        int256 net = _netOutflowNow(b);
        available = RateLimitLib.availableDown(net, b.limit);
        // Nothing is charged beyond the limit: the caller refuses the action with its own error.
        if (assets == 0 || assets > available) return (false, available);
        _chargeOutflow(packed, b, net, assets);
        return (true, available);
    }

    /// @inheritdoc ICircuitBreaker
    function recordInflow(uint256 assets) external {
        _requireFlowReporter();
        _gate(GLOBAL, _scopes[GLOBAL], ActionClass.RISK_INCREASING);
        if (assets == 0) return;
        OutflowBucket memory b = _bucket;
        int256 net = RateLimitLib.afterInflow(_netOutflowNow(b), b.limit, assets);
        // net is in [-limit, limit] with limit < 2^95: the int96 cast is exact.
        b.netOutflow = int96(net);
        b.updatedAt = uint40(block.timestamp);
        _bucket = b;
        emit BreakerInflowRecorded(assets, net);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                PERMISSIONLESS                                                */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc ICircuitBreaker
    function poke(bytes32 scope) external returns (Mode mode, Reason reason) {
        if (scope != GLOBAL) {
            PackedScope before = _scopes[scope];
            ScopeState memory s = _loadScope(scope);
            IOracleRouter.SpotReading memory reading = router.getSpot(scope);
            if (_evaluateMarket(scope, s, reading.price, reading.status)) {
                _storeMarket(scope, before, PackedScopeLib.pack(s));
            }
        }
        _pokeGlobal();
        return _modeOf(scope, _scopes[scope].unpack());
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                   GUARDIAN                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc ICircuitBreaker
    function trip(bytes32 scope, Mode mode) external restricted {
        ScopeState memory s = _loadScope(scope);
        if (mode <= s.manualMode) revert BreakerTripNotEscalating(scope, s.manualMode, mode);
        Mode before = s.ownMode();
        s.manualMode = mode;
        emit BreakerTripped(scope, mode, Reason.GUARDIAN);
        _emitModeChange(scope, before, s);
        _store(scope, s, before);
    }

    /// @inheritdoc ICircuitBreaker
    function pause() external restricted {
        _pause();
        _syncGlobalLevel();
        _syncPause(true);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    ADMIN                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc ICircuitBreaker
    function lift(bytes32 scope, Mode mode) external restricted {
        ScopeState memory s = _loadScope(scope);
        if (mode >= s.manualMode) revert BreakerLiftNotLowering(scope, s.manualMode, mode);
        Mode before = s.ownMode();
        s.manualMode = mode;
        emit BreakerLifted(scope, mode, Reason.GUARDIAN);
        _emitModeChange(scope, before, s);
        _store(scope, s, before);
    }

    /// @inheritdoc ICircuitBreaker
    function unpause() external restricted {
        _unpause();
        _syncGlobalLevel();
        _syncPause(false);
    }

    /// @inheritdoc ICircuitBreaker
    function addMarket(bytes32 market, uint16 moveLimitBps, uint24 window) external restricted {
        if (market == GLOBAL) revert BreakerReservedMarketId(market);
        if (_scopes[market].moveLimitBps() != 0) revert BreakerMarketExists(market);
        if (_marketIds.length >= MAX_MARKETS) revert BreakerTooManyMarkets(MAX_MARKETS);
        _requirePriceMoveParams(moveLimitBps, window);
        ScopeState memory s;
        s.globalLevel = uint8(_scopes[GLOBAL].globalLevel());
        s.moveLimitBps = moveLimitBps;
        s.window = window;
        _scopes[market] = PackedScopeLib.pack(s);
        _marketIds.push(market);
        emit BreakerMarketAdded(market, moveLimitBps, window);
    }

    /// @inheritdoc ICircuitBreaker
    function setMetrics(IBreakerMetrics metrics_) external restricted {
        if (address(metrics_).code.length == 0) revert BreakerInvalidMetrics(address(metrics_));
        _metrics = metrics_;
        emit BreakerMetricsSet(metrics_);
    }

    /// @inheritdoc ICircuitBreaker
    function setGateCache(IBreakerGateCache cache) external restricted {
        _wireGateCache(cache);
    }

    /// @inheritdoc ICircuitBreaker
    function setFlowReporter(address reporter) external restricted {
        _wireFlowReporter(reporter);
    }

    /// @inheritdoc ICircuitBreaker
    function setPauseListener(IBreakerPauseListener listener) external restricted {
        _wirePauseListener(listener, paused());
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                     RISK                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc ICircuitBreaker
    function setPriceMoveParams(bytes32 market, uint16 moveLimitBps, uint24 window) external restricted {
        ScopeState memory s = _loadScope(market);
        _requirePriceMoveParams(moveLimitBps, window);
        s.moveLimitBps = moveLimitBps;
        s.window = window;
        // A zero reference makes the next reading start a fresh window under the new parameters.
        s.refPrice = 0;
        _storeMarket(market, _scopes[market], PackedScopeLib.pack(s));
        emit BreakerPriceMoveParamsSet(market, moveLimitBps, window);
    }

    /// @inheritdoc ICircuitBreaker
    function setOutflowParams(uint96 limit, uint24 refillPeriod) external restricted {
        _setOutflowParams(limit, refillPeriod);
    }

    /// @inheritdoc ICircuitBreaker
    function setUtilisationCap(uint64 capWad) external restricted {
        _setUtilisationCap(capWad);
    }

    /// @inheritdoc ICircuitBreaker
    function setCooldown(uint32 cooldown_) external restricted {
        _setCooldown(cooldown_);
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    VIEWS                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @inheritdoc ICircuitBreaker
    function checkGlobal(ActionClass cls) external view returns (Mode mode) {
        return _gate(GLOBAL, _scopes[GLOBAL], cls);
    }

    /// @inheritdoc ICircuitBreaker
    function isAllowed(bytes32 scope, ActionClass cls) external view returns (bool) {
        PackedScope p = _scopes[scope];
        if (scope != GLOBAL && p.moveLimitBps() == 0) return false;
        return BreakerModeLib.allowed(p.level(), cls);
    }

    /// @inheritdoc ICircuitBreaker
    function modeOf(bytes32 scope) external view returns (Mode mode, Reason reason) {
        return _modeOf(scope, _loadScope(scope));
    }

    /// @inheritdoc ICircuitBreaker
    function pokeDue(bytes32 scope) external view returns (bool) {
        ScopeState memory s = _scopes[scope].unpack();
        if (scope == GLOBAL) {
            Mode globalMode = _globalCause() == Reason.NONE ? Mode.ACTIVE : Mode.REDUCE_ONLY;
            return BreakerModeLib.nextStep(s, globalMode, block.timestamp) != BreakerModeLib.Step.NONE;
        }
        if (s.moveLimitBps == 0) return false;
        IOracleRouter.SpotReading memory reading = router.getSpot(scope);
        return _marketPokeDue(s, reading.price, reading.status);
    }

    /// @inheritdoc ICircuitBreaker
    function pokeDueOn(bytes32 market, uint256 spot, IOracleRouter.Status status) external view returns (bool) {
        ScopeState memory s = _scopes[market].unpack();
        return s.moveLimitBps != 0 && _marketPokeDue(s, spot, status);
    }

    /// @inheritdoc ICircuitBreaker
    function gateOf(bytes32 market) external view returns (uint256) {
        return market == GLOBAL ? 0 : _scopes[market].gateCopy();
    }

    /// @inheritdoc ICircuitBreaker
    function scopeState(bytes32 scope) external view returns (ScopeState memory) {
        return _scopes[scope].unpack();
    }

    /// @inheritdoc ICircuitBreaker
    function outflowBucket() external view returns (OutflowBucket memory) {
        return _bucket;
    }

    /// @inheritdoc ICircuitBreaker
    function netOutflow() external view returns (int256) {
        return _netOutflowNow(_bucket);
    }

    /// @inheritdoc ICircuitBreaker
    function outflowAvailable() external view returns (uint256) {
        OutflowBucket memory b = _bucket;
        return RateLimitLib.availableDown(_netOutflowNow(b), b.limit);
    }

    /// @inheritdoc ICircuitBreaker
    function markets() external view returns (bytes32[] memory) {
        return _marketIds;
    }

    /// @inheritdoc ICircuitBreaker
    function metrics() external view returns (IBreakerMetrics) {
        return _metrics;
    }

    /// @inheritdoc ICircuitBreaker
    function cooldown() external view returns (uint32) {
        return _cooldown;
    }

    /// @inheritdoc ICircuitBreaker
    function utilisationCap() external view returns (uint64) {
        return _utilisationCap;
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                  EVALUATION                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev Evaluates the market causes from one reading and applies them to `s` in memory, emitting the events.
    ///      Returns whether `s` changed (the caller stores it).
    function _evaluateMarket(bytes32 market, ScopeState memory s, uint256 spot, IOracleRouter.Status status)
        private
        returns (bool changed)
    {
        (bool observed, bool restart, Reason cause, Mode causeMode) = PackedScopeLib.observe(s, spot, status, block.timestamp);
        if (!observed) return false;
        if (restart) {
            // A trip also restarts the window at the moved price: the cause clears once the price holds.
            if (spot > MAX_REFERENCE_PRICE) revert BreakerSpotOutOfRange(market, spot, MAX_REFERENCE_PRICE);
            s.refPrice = uint96(spot);
            s.windowStart = uint40(block.timestamp);
            changed = true;
            emit BreakerReferencePriceSet(market, spot, s.windowStart);
        }
        if (_applyCause(market, s, cause, causeMode)) changed = true;
    }

    /// @dev Whether `_evaluateMarket` would change `s` on this reading: the same observation and the same step.
    function _marketPokeDue(ScopeState memory s, uint256 spot, IOracleRouter.Status status)
        private
        view
        returns (bool)
    {
        (bool observed, bool restart, , Mode causeMode) = PackedScopeLib.observe(s, spot, status, block.timestamp);
        return observed && (restart || BreakerModeLib.nextStep(s, causeMode, block.timestamp) != BreakerModeLib.Step.NONE);
    }

    /// @dev Re-evaluates the global causes from fresh data (complete observation) and stores any change.
    function _pokeGlobal() private {
        ScopeState memory g = _scopes[GLOBAL].unpack();
        Reason cause = _globalCause();
        Mode before = g.ownMode();
        Mode causeMode = cause == Reason.NONE ? Mode.ACTIVE : Mode.REDUCE_ONLY;
        if (_applyCause(GLOBAL, g, cause, causeMode)) _writeGlobal(g, before);
    }

    /// @dev The global cause seen now (shared by `_pokeGlobal` and `pokeDue`): outflow at its trip level, else
    ///      utilisation above the cap (skipped while no metrics source is wired), else NONE.
    function _globalCause() private view returns (Reason) {
        OutflowBucket memory b = _bucket;
        if (RateLimitLib.reached(_netOutflowNow(b), b.limit, OUTFLOW_TRIP_BPS)) return Reason.OUTFLOW;
        IBreakerMetrics source = _metrics;
        if (address(source) != address(0) && source.utilisation() > _utilisationCap) return Reason.UTILISATION;
        return Reason.NONE;
    }


    /// @dev The automatic state machine of one scope, in memory. `causeMode` is the strictest mode the observed causes
    ///      call for; ACTIVE means the caller observed every cause of the scope and saw none (callers that cannot
    ///      observe them all only call this with a cause). The step is `BreakerModeLib.nextStep` (escalate, interrupt
    ///      a cooldown, start it, lift when it is over).
    ///      Emits the component's event, then `BreakerModeChanged` when the scope's own mode changed.
    function _applyCause(bytes32 scope, ScopeState memory s, Reason cause, Mode causeMode)
        private
        returns (bool changed)
    {
        Mode before = s.ownMode();
        changed = _stepAutomatic(scope, s, cause, causeMode);
        if (changed) _emitModeChange(scope, before, s);
    }

    /// @dev One step of the automatic state machine (see `_applyCause`); returns whether `s` changed.
    function _stepAutomatic(bytes32 scope, ScopeState memory s, Reason cause, Mode causeMode) private returns (bool) {
        BreakerModeLib.Step step = BreakerModeLib.nextStep(s, causeMode, block.timestamp);
        if (step == BreakerModeLib.Step.NONE) return false;
        if (step == BreakerModeLib.Step.ESCALATE) {
            s.autoMode = causeMode;
            s.autoReason = cause;
            s.clearing = false;
            emit BreakerTripped(scope, causeMode, cause);
            return true;
        }
        if (step == BreakerModeLib.Step.INTERRUPT) {
            s.clearing = false;
            emit BreakerCooldownInterrupted(scope, cause);
            return true;
        }
        if (step == BreakerModeLib.Step.START_COOLDOWN) {
            s.clearing = true;
            // block.timestamp + a cooldown of at most one day stays far below 2^40.
            s.coolUntil = uint40(block.timestamp + _cooldown);
            emit BreakerCooldownStarted(scope, s.coolUntil);
            return true;
        }
        Reason lifted = s.autoReason;
        s.autoMode = Mode.ACTIVE;
        s.autoReason = Reason.NONE;
        s.clearing = false;
        emit BreakerLifted(scope, Mode.ACTIVE, lifted);
        return true;
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                               STATE AND GATING                                               */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev Loads a scope, reverting for an unknown market.
    function _loadScope(bytes32 scope) private view returns (ScopeState memory s) {
        s = _scopes[scope].unpack();
        if (scope != GLOBAL && s.moveLimitBps == 0) revert BreakerUnknownMarket(scope);
    }

    /// @dev Stores a scope after a manual change; a global change is copied into every market.
    function _store(bytes32 scope, ScopeState memory s, Mode before) private {
        if (scope == GLOBAL) _writeGlobal(s, before);
        else _storeMarket(scope, _scopes[scope], PackedScopeLib.pack(s));
    }

    /// @dev Every write of a market's word: stores it and, when its gate copy changed, pushes the copy to the gate
    ///      cache (an external call to the protocol's market, after the write). Keeps the cache equal to `gateOf`.
    function _storeMarket(bytes32 market, PackedScope before, PackedScope next) private {
        _scopes[market] = next;
        uint256 copy = next.gateCopy();
        if (copy == before.gateCopy()) return;
        _syncGateCopy(market, copy);
    }

    /// @dev Stores the global scope; when its own mode changed, rewrites the gate copy in every scope.
    function _writeGlobal(ScopeState memory g, Mode before) private {
        _scopes[GLOBAL] = PackedScopeLib.pack(g);
        if (g.ownMode() != before) _syncGlobalLevel();
    }

    /// @dev Copies the global gate (its own mode, or the paused level) into the global scope and every market.
    ///      Bounded by MAX_MARKETS; writes only the slots whose copy differs.
    function _syncGlobalLevel() private {
        PackedScope g = _scopes[GLOBAL];
        uint256 level = paused() ? BreakerModeLib.PAUSED_LEVEL : uint8(g.unpack().ownMode());
        _scopes[GLOBAL] = g.withGlobalLevel(level);
        uint256 count = _marketIds.length;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 id = _marketIds[i];
            PackedScope m = _scopes[id];
            if (m.globalLevel() != level) _storeMarket(id, m, m.withGlobalLevel(level));
        }
    }

    /// @dev A newly wired gate cache starts with zero copies: push every nonzero one. Bounded by MAX_MARKETS.
    function _pushGateCopies(IBreakerGateCache cache) internal override {
        uint256 count = _marketIds.length;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 id = _marketIds[i];
            uint256 copy = _scopes[id].gateCopy();
            if (copy != 0) cache.syncBreakerGate(id, copy);
        }
    }

    /// @dev Reverts unless `cls` is allowed in `s`; returns the effective mode (HALTED while paused).
    function _gate(bytes32 scope, PackedScope p, ActionClass cls) private pure returns (Mode mode) {
        uint256 level = p.level();
        if (!BreakerModeLib.allowed(level, cls)) _refuse(scope, p, cls, level);
        return level == BreakerModeLib.PAUSED_LEVEL ? Mode.HALTED : Mode(level);
    }

    /// @dev Reverts with the error that explains why `cls` is refused at `level` (kept out of the hot path).
    function _refuse(bytes32 scope, PackedScope p, ActionClass cls, uint256 level) private pure {
        if (level == BreakerModeLib.PAUSED_LEVEL) revert BreakerPaused(scope, cls);
        (Mode m, Reason r) = BreakerModeLib.effective(p.unpack());
        revert BreakerActionNotAllowed(scope, cls, m, r);
    }

    /// @dev `modeOf`: the stricter of the scope's own mode and the global scope's own mode (pause excluded).
    function _modeOf(bytes32 scope, ScopeState memory s) private view returns (Mode, Reason) {
        Mode own = s.ownMode();
        if (scope != GLOBAL) {
            Mode globalMode = _scopes[GLOBAL].unpack().ownMode();
            if (globalMode > own) return (globalMode, Reason.GLOBAL);
        }
        return (own, s.ownReason());
    }

    /// @dev Emits `BreakerModeChanged` when the scope's own mode differs from `before`.
    function _emitModeChange(bytes32 scope, Mode before, ScopeState memory s) private {
        Mode after_ = s.ownMode();
        if (after_ != before) emit BreakerModeChanged(scope, before, after_, s.ownReason());
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                             FLOW AND PARAMETERS                                              */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev Adds `assets` (at most what the bucket can take now, checked by the caller) to the bucket whose decayed
    ///      net outflow is `net`, and trips the global scope (`packed`) to REDUCE_ONLY once the trip level is reached.
    function _chargeOutflow(PackedScope packed, OutflowBucket memory b, int256 net, uint256 assets) private {
        // assets <= available <= 2 * limit < 2^97 and net + assets <= limit < 2^95: the int96 cast is exact.
        net += int256(assets);
        b.netOutflow = int96(net);
        b.updatedAt = uint40(block.timestamp);
        _bucket = b;
        emit BreakerOutflowRecorded(assets, net);

        if (RateLimitLib.reached(net, b.limit, OUTFLOW_TRIP_BPS)) {
            ScopeState memory g = packed.unpack();
            Mode before = g.ownMode();
            // Only a cause seen is acted on here: the hook does not read utilisation, so an outflow below the trip level
            // proves nothing about the scope being clear and never starts or ends a cooldown.
            if (_applyCause(GLOBAL, g, Reason.OUTFLOW, Mode.REDUCE_ONLY)) _writeGlobal(g, before);
        }
    }

    /// @dev The bucket's net outflow decayed to now.
    function _netOutflowNow(OutflowBucket memory b) private view returns (int256) {
        return RateLimitLib.decayed(b.netOutflow, b.limit, b.refillPeriod, block.timestamp - b.updatedAt);
    }

    function _setOutflowParams(uint96 limit, uint24 refillPeriod) private {
        _requireInBounds(Parameter.OUTFLOW_LIMIT, limit, MIN_OUTFLOW_LIMIT, MAX_OUTFLOW_LIMIT);
        _requireInBounds(Parameter.OUTFLOW_REFILL_PERIOD, refillPeriod, MIN_REFILL_PERIOD, MAX_REFILL_PERIOD);
        OutflowBucket memory b = _bucket;
        // Bring the bucket up to date under the old parameters (none at construction), then clamp to the new limit.
        int256 net = b.limit == 0 ? int256(0) : _netOutflowNow(b);
        int256 cap = int256(uint256(limit));
        if (net > cap) net = cap;
        if (net < -cap) net = -cap;
        // |net| <= limit <= MAX_OUTFLOW_LIMIT < 2^95: the int96 cast is exact.
        _bucket = OutflowBucket({
            netOutflow: int96(net),
            limit: limit,
            updatedAt: uint40(block.timestamp),
            refillPeriod: refillPeriod
        });
        emit BreakerOutflowParamsSet(limit, refillPeriod);
    }

    function _setUtilisationCap(uint64 capWad) private {
        _requireInBounds(Parameter.UTILISATION_CAP, capWad, MIN_UTILISATION_CAP, MAX_UTILISATION_CAP);
        _utilisationCap = capWad;
        emit BreakerUtilisationCapSet(capWad);
    }

    function _setCooldown(uint32 cooldown_) private {
        _requireInBounds(Parameter.COOLDOWN, cooldown_, MIN_COOLDOWN, MAX_COOLDOWN);
        _cooldown = cooldown_;
        emit BreakerCooldownSet(cooldown_);
    }
}
