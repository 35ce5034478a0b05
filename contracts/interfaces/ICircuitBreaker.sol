// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleRouter} from "./IOracleRouter.sol";
import {IBreakerMetrics} from "./IBreakerMetrics.sol";

/// @title IBreakerGateCache
/// @notice A gated contract that holds a one-word copy of each market's gate (`PackedScopeLib.gateCopy`), pushed by the
///         breaker on every change, so its hot path decides a quiet action without calling the breaker. The
///         OptionMarket is the one (trades and listings).
/// @dev The holder asks the breaker (`checkAction`) whenever the copy does not let the action through
///      (`PackedScopeLib.gatePasses`): the breaker then evaluates the reading and refuses with its own error.
interface IBreakerGateCache {
    /// @notice Emitted when the breaker pushes a new gate copy of `market` (zero: ask the breaker on every action).
    event MarketBreakerGateSynced(bytes32 indexed market, uint256 gate);

    /// @dev Fires when anyone but the breaker pushes a gate copy.
    error MarketBreakerGateUnauthorized(address caller, address breaker);

    /// @notice Stores `gate` as the copy of `market`'s gate. Only the breaker calls it, on every change of the copy.
    /// @dev Reverts with `MarketBreakerGateUnauthorized` for any other caller. Not reentrancy-locked on purpose: the
    ///      breaker pushes from inside `checkAction`, which the holder's own locked entry points call.
    /// @param market The underlying's id.
    /// @param gate The copy (`PackedScopeLib` gate-copy layout).
    function syncBreakerGate(bytes32 market, uint256 gate) external;

    /// @notice The gate copy held for `market` (zero when none: every action asks the breaker).
    function breakerGate(bytes32 market) external view returns (uint256);
}

/// @title IBreakerPauseListener
/// @notice A gated contract that holds a copy of the breaker's pause, pushed by the breaker on every pause and unpause,
///         so an exit that only the pause can refuse skips the call to the breaker. The MarginEngine is the one
///         (settlement, `EXIT`: refused only while paused).
/// @dev The holder calls the breaker as before whenever its copy does not say "unpaused" (never told, or paused): the
///      breaker then refuses with its own error. A holder that was never told is therefore as safe as one without a
///      copy, only slower.
interface IBreakerPauseListener {
    /// @notice Stores the breaker's pause state. Only the breaker calls it: once when it is wired, then on every pause
    ///         and unpause.
    /// @param paused Whether the breaker is paused.
    function syncBreakerPause(bool paused) external;

    /// @notice The breaker this holder asks (the breaker refuses to wire a holder of another breaker).
    function breaker() external view returns (ICircuitBreaker);
}

/// @title ICircuitBreaker
/// @notice Per-market modes (ACTIVE, REDUCE_ONLY, HALTED), a global (vault-wide) mode and an emergency pause, with
///         automatic trips and a guardian. Every gated contract asks the breaker before each state-changing entry.
/// @dev Scopes. A market scope is the underlying's `bytes32` id (the OracleRouter's id, e.g. `bytes32("ETH")`); the
///      global scope is `GLOBAL = bytes32(0)`. The effective mode of a market is the stricter of its own mode and the
///      global mode. A scope's own mode is the stricter of a manual component (set by the guardian, lowered only by
///      the timelocked admin) and an automatic component (set and lifted by the breaker itself).
///
///      Action classes and what each mode allows (`ALLOWED` table of the implementation):
///      | class           | ACTIVE | REDUCE_ONLY | HALTED | paused |
///      | RISK_INCREASING |  yes   |     no      |   no   |   no   |
///      | RISK_REDUCING   |  yes   |     yes     |   no   |   no   |
///      | EXIT            |  yes   |     yes     |  yes   |   no   |
///      | VIEW            |  yes   |     yes     |  yes   |  yes   |
///
///      Automatic trips. Market scope: oracle status DEGRADED (REDUCE_ONLY) or FAILED (HALTED); spot moved more than
///      `moveLimitBps` away from the window's reference price within `window` seconds (REDUCE_ONLY). Global scope:
///      vault net outflow at `OUTFLOW_TRIP_BPS` of its rate limit (REDUCE_ONLY); vault utilisation above the cap
///      (REDUCE_ONLY). They are evaluated by `checkAction` (market causes, from the reading its caller passes), by the
///      vault hooks (outflow) and by the permissionless `poke` (all causes, reading the router and the vault).
///      An automatic trip lifts itself only after a full cooldown that starts when an evaluation first observes every
///      cause of its scope clear; a cause seen again during the cooldown interrupts it. An automatic trip never lifts
///      without such an observation, however long ago the cause was last seen.
///
///      Manual trips. The guardian (`restricted`, GUARDIAN) raises a scope's manual mode at once and may pause. Only
///      the admin (`restricted`, ADMIN, granted with an execution delay: a timelock) lowers a manual mode and unpauses.
///      An automatic HALT (oracle FAILED) lifts itself like every automatic trip: its cause is objective and is
///      re-checked on every call; a HALT set by a person is lifted only through the admin's delay.
///
///      Gated callers. `checkAction` is mapped in the AccessManager to the GATED role (`Roles.GATED`, granted without
///      delay to the OptionMarket, MarginEngine, Liquidation and LiquidityVault). The flow hooks (`recordOutflow`,
///      `tryRecordOutflow`, `recordInflow`) answer only the flow reporter, the LiquidityVault wired once by
///      `setFlowReporter`: a plain address check replaces the AccessManager round trip on every deposit and exit, and
///      since the wiring is one-shot no role can ever add a caller (`BreakerNotFlowReporter` for any other).
///      `checkAction` authenticates its caller only before it writes: a call that changes nothing (the common case)
///      only reveals what `modeOf` already tells, so its hot path skips the AccessManager round trip.
///
///      Gate copy. The OptionMarket (wired once by `setGateCache`) holds a one-word copy of each market's gate: the
///      level, the quiet price band around the reference and the window's end. The breaker pushes it on every write
///      that changes it (window rolls, trips, cooldown steps, manual changes, parameters, every global change and the
///      pause), inside the same transaction, and zeroes it while a quiet reading could still change the scope (an
///      automatic trip waiting for its cooldown, no reference yet). A trade whose reading is OK, inside the band and
///      the window, and whose class the copied level allows, therefore skips the call: `checkAction` would have
///      written nothing and returned the same answer. Any other trade calls `checkAction` as before.
///
///      Warning: a refused action reverts, and the revert also undoes a trip the same call evaluated. The refusal is
///      the protection; the trip is recorded by the next allowed call or by `poke` (the breaker watchdog pokes).
///
///      Warning: the price-move trip compares each reading with the first reading of a fixed window. A move that
///      straddles a window roll, or that happens while no call reads the market, can reach up to twice the limit
///      before it is caught; the watchdog pokes often to keep the reference fresh.
interface ICircuitBreaker {
    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    TYPES                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Mode of a scope, from the least to the most strict.
    enum Mode {
        ACTIVE,
        REDUCE_ONLY,
        HALTED
    }

    /// @notice Classification of every entry point of every gated contract.
    /// @dev RISK_INCREASING: open or increase a position, sell short, vault deposit, list a series.
    ///      RISK_REDUCING: close or reduce, liquidate, add collateral.
    ///      EXIT: withdraw free collateral, vault withdraw/redeem of free funds, claim a processed redeem, settle a
    ///      finalised series. VIEW: reads; never refused, even while paused.
    enum ActionClass {
        RISK_INCREASING,
        RISK_REDUCING,
        EXIT,
        VIEW
    }

    /// @notice Why a scope is in its mode (readable on-chain through `modeOf`).
    /// @dev GLOBAL is reported for a market whose effective mode comes from the stricter global scope.
    enum Reason {
        NONE,
        GUARDIAN,
        ORACLE_DEGRADED,
        ORACLE_FAILED,
        PRICE_MOVE,
        OUTFLOW,
        UTILISATION,
        GLOBAL
    }

    /// @notice Risk parameters, named in `BreakerParameterOutOfBounds`.
    enum Parameter {
        PRICE_MOVE_LIMIT,
        PRICE_MOVE_WINDOW,
        OUTFLOW_LIMIT,
        OUTFLOW_REFILL_PERIOD,
        UTILISATION_CAP,
        COOLDOWN
    }

    /// @notice State of one scope, packed into one storage slot so a check costs one SLOAD.
    /// @param manualMode Mode set by the guardian; lowered only by the admin.
    /// @param autoMode Mode set by automatic trips; lifted by the breaker after its cooldown.
    /// @param autoReason Cause that set `autoMode` (NONE when ACTIVE).
    /// @param clearing True once an evaluation saw every cause clear; the cooldown then runs until `coolUntil`.
    /// @param globalLevel Copy of the global gate: the global scope's own mode, or 3 while paused. Kept in every
    ///        scope (the global one included) so a check never reads a second slot; rewritten on every global change.
    /// @param moveLimitBps Price-move limit in basis points of the reference price; nonzero iff the market is listed
    ///        (always zero for the global scope).
    /// @param window Price-move window in seconds.
    /// @param windowStart Start of the current window.
    /// @param coolUntil End of the running cooldown (meaningful while `clearing`).
    /// @param refPrice Reference price of the current window, WAD (zero before the first reading).
    struct ScopeState {
        Mode manualMode;
        Mode autoMode;
        Reason autoReason;
        bool clearing;
        uint8 globalLevel;
        uint16 moveLimitBps;
        uint24 window;
        uint40 windowStart;
        uint40 coolUntil;
        uint96 refPrice;
    }

    /// @notice Net-outflow bucket of the vault (ERC-7265-style rate limit), one storage slot.
    /// @param netOutflow Outflows minus inflows not yet refilled, in quote units; in [-limit, limit]. Decays linearly
    ///        towards zero at `limit / refillPeriod` per second.
    /// @param limit Largest net outflow the bucket holds, in quote units.
    /// @param updatedAt Time `netOutflow` was last written.
    /// @param refillPeriod Seconds for a full bucket to empty.
    struct OutflowBucket {
        int96 netOutflow;
        uint96 limit;
        uint40 updatedAt;
        uint24 refillPeriod;
    }

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    EVENTS                                                    */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Emitted when a scope's own mode (stricter of manual and automatic) changes.
    /// @dev A market's effective mode also follows the global scope; global transitions are emitted once, with
    ///      `scope == GLOBAL`.
    event BreakerModeChanged(bytes32 indexed scope, Mode oldMode, Mode newMode, Reason reason);
    /// @notice Emitted when the manual (reason GUARDIAN) or automatic component of a scope is raised to `mode`.
    event BreakerTripped(bytes32 indexed scope, Mode mode, Reason reason);
    /// @notice Emitted when the manual (reason GUARDIAN) or automatic component of a scope is lowered to `mode`.
    event BreakerLifted(bytes32 indexed scope, Mode mode, Reason reason);
    /// @notice Emitted when an evaluation first sees every cause of a tripped scope clear; it may lift at `coolUntil`.
    event BreakerCooldownStarted(bytes32 indexed scope, uint40 coolUntil);
    /// @notice Emitted when a cause is seen again during a running cooldown, which is cancelled.
    event BreakerCooldownInterrupted(bytes32 indexed scope, Reason reason);
    /// @notice Emitted when a market's price-move window starts afresh with reference `price` (WAD).
    event BreakerReferencePriceSet(bytes32 indexed market, uint256 price, uint40 windowStart);
    /// @notice Emitted when a market is added.
    event BreakerMarketAdded(bytes32 indexed market, uint16 moveLimitBps, uint24 window);
    /// @notice Emitted when a market's price-move limit or window changes.
    event BreakerPriceMoveParamsSet(bytes32 indexed market, uint16 moveLimitBps, uint24 window);
    /// @notice Emitted when the outflow rate limit changes (and once at construction).
    event BreakerOutflowParamsSet(uint96 limit, uint24 refillPeriod);
    /// @notice Emitted when the utilisation cap changes (and once at construction).
    event BreakerUtilisationCapSet(uint64 capWad);
    /// @notice Emitted when the cooldown of automatic trips changes (and once at construction).
    event BreakerCooldownSet(uint32 cooldown);
    /// @notice Emitted when the vault metrics source is wired.
    event BreakerMetricsSet(IBreakerMetrics metrics);
    /// @notice Emitted when the gate cache (the OptionMarket) is wired.
    event BreakerGateCacheSet(IBreakerGateCache cache);
    /// @notice Emitted when the flow reporter (the LiquidityVault) is wired.
    event BreakerFlowReporterSet(address reporter);
    /// @notice Emitted when the pause listener (the MarginEngine) is wired.
    event BreakerPauseListenerSet(IBreakerPauseListener listener);
    /// @notice Emitted when the vault records an outflow; `netOutflow` is the bucket level after it.
    event BreakerOutflowRecorded(uint256 assets, int256 netOutflow);
    /// @notice Emitted when the vault records an inflow; `netOutflow` is the bucket level after it.
    event BreakerInflowRecorded(uint256 assets, int256 netOutflow);

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    ERRORS                                                    */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @dev Fires when `cls` is not allowed in the effective `mode` of `scope` (see the table above).
    error BreakerActionNotAllowed(bytes32 scope, ActionClass cls, Mode mode, Reason reason);
    /// @dev Fires for every non-VIEW action while the emergency pause is on.
    error BreakerPaused(bytes32 scope, ActionClass cls);
    /// @dev Fires when a market id was never added (the global id is not a market).
    error BreakerUnknownMarket(bytes32 market);
    /// @dev Fires in `addMarket` when the market already exists.
    error BreakerMarketExists(bytes32 market);
    /// @dev Fires in `addMarket` for the zero id, reserved for the global scope.
    error BreakerReservedMarketId(bytes32 market);
    /// @dev Fires in `addMarket` when `MAX_MARKETS` markets exist (global changes loop over them).
    error BreakerTooManyMarkets(uint256 max);
    /// @dev Fires in `trip` when `requested` is not stricter than the scope's `current` manual mode.
    error BreakerTripNotEscalating(bytes32 scope, Mode current, Mode requested);
    /// @dev Fires in `lift` when `requested` is not less strict than the scope's `current` manual mode.
    error BreakerLiftNotLowering(bytes32 scope, Mode current, Mode requested);
    /// @dev Fires in `recordOutflow` when `assets` exceeds what the bucket can take now (`available`).
    error BreakerOutflowLimitExceeded(uint256 assets, uint256 available);
    /// @dev Fires when a parameter is set outside its immutable bounds [min, max].
    error BreakerParameterOutOfBounds(Parameter parameter, uint256 value, uint256 min, uint256 max);
    /// @dev Fires when a spot above `max` (the largest storable reference price) would become a reference.
    error BreakerSpotOutOfRange(bytes32 market, uint256 spot, uint256 max);
    /// @dev Fires in `setMetrics` for an address without code.
    error BreakerInvalidMetrics(address metrics);
    /// @dev Fires in `setGateCache` for an address without code or a holder whose breaker is not this one.
    error BreakerInvalidGateCache(address cache);
    /// @dev Fires in `setGateCache` once a gate cache is wired (the wiring is one-shot).
    error BreakerGateCacheAlreadySet(address current);
    /// @dev Fires in `setFlowReporter` for an address without code or a vault whose breaker is not this one.
    error BreakerInvalidFlowReporter(address reporter);
    /// @dev Fires in `setFlowReporter` once a flow reporter is wired (the wiring is one-shot).
    error BreakerFlowReporterAlreadySet(address current);
    /// @dev Fires in `setPauseListener` for an address without code or a holder whose breaker is not this one.
    error BreakerInvalidPauseListener(address listener);
    /// @dev Fires in `setPauseListener` once a pause listener is wired (the wiring is one-shot).
    error BreakerPauseListenerAlreadySet(address current);
    /// @dev Fires in the flow hooks when `caller` is not the wired `reporter` (zero while none is wired).
    error BreakerNotFlowReporter(address caller, address reporter);
    /// @dev Fires at construction for a router address without code.
    error BreakerInvalidRouter(address router);
    /// @dev Fires at construction when the quote asset has more than `max` decimals.
    error BreakerInvalidQuoteDecimals(uint8 decimals, uint8 max);

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                 GATED HOOKS                                                  */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Checks that `cls` is allowed in `market` now, first evaluating the market's automatic trips from the
    ///         reading the caller already holds. One line per entry point of a gated contract.
    /// @dev Pass the router's reading (`spot`, `status`) when the entry read it; pass `spot = 0, status = OK` when it
    ///      did not (settlement of a finalised series, for example): nothing is evaluated then. A FAILED status trips
    ///      the market to HALTED whatever `spot` is. VIEW never reverts and evaluates nothing.
    ///      Reverts with `BreakerUnknownMarket`, `BreakerPaused` or `BreakerActionNotAllowed`. Writes only when a
    ///      window rolls, a trip fires, a cooldown starts or ends; only then is the caller checked against the GATED
    ///      role (`AccessManagedUnauthorized` otherwise). Gas: one cold call and one cold SLOAD when nothing is written;
    ///      the gate cache skips the call altogether for a quiet allowed action (see "Gate copy" above). A write that
    ///      changes the market's gate copy also pushes it to the cache.
    /// @param market The underlying's id.
    /// @param cls Class of the calling entry point.
    /// @param spot The router's spot price (WAD), or 0 when the entry did not read it.
    /// @param status The router's status for that reading.
    /// @return mode The market's effective mode after evaluation (HALTED while paused, when only VIEW passes).
    function checkAction(bytes32 market, ActionClass cls, uint256 spot, IOracleRouter.Status status)
        external
        returns (Mode mode);

    /// @notice Vault hook for an outflow of `assets` (withdraw, redeem, claim): gates EXIT on the global scope and
    ///         adds `assets` to the net-outflow bucket, in O(1) gas whatever the history.
    /// @dev Flow reporter only (`BreakerNotFlowReporter`). Reverts with `BreakerPaused` while paused and with
    ///      `BreakerOutflowLimitExceeded` when
    ///      the bucket cannot take `assets` now: the limit is global, so withdrawals split across many accounts meet
    ///      it all the same; the vault's redeem queue absorbs the rest (cap `maxWithdraw` by `outflowAvailable`).
    ///      When the bucket reaches `OUTFLOW_TRIP_BPS` of the limit, trips the global scope to REDUCE_ONLY (OUTFLOW).
    ///      Zero assets only checks the gate.
    /// @param assets Quote units leaving the vault.
    function recordOutflow(uint256 assets) external;

    /// @notice Vault hook for an outflow whose refusal the vault words itself (withdraw, redeem): gates EXIT on the
    ///         global scope, then charges `assets` to the net-outflow bucket only if it can take them now.
    /// @dev Flow reporter only (`BreakerNotFlowReporter`). Reverts with `BreakerPaused` while paused; never reverts on
    ///      the limit: beyond it nothing is charged and `recorded` is false, and the caller must refuse the outflow
    ///      (the vault reverts with `ERC4626ExceededMaxWithdraw`/`ERC4626ExceededMaxRedeem`, capped by `available`).
    ///      One call replaces the gate check, the `outflowAvailable` read and `recordOutflow`. Trips like
    ///      `recordOutflow`. Zero assets only checks the gate and reads `available`.
    /// @param assets Quote units leaving the vault.
    /// @return recorded Whether `assets` was charged (false for zero or beyond `available`).
    /// @return available What the bucket could take before this call (`outflowAvailable`).
    function tryRecordOutflow(uint256 assets) external returns (bool recorded, uint256 available);

    /// @notice Vault hook for an inflow of `assets` (deposit, mint): gates RISK_INCREASING on the global scope and
    ///         nets `assets` against the bucket (down to `-limit`: deposits buy back at most one full bucket).
    /// @dev Flow reporter only (`BreakerNotFlowReporter`). Reverts with `BreakerPaused` or `BreakerActionNotAllowed`.
    ///      Zero assets only checks the gate.
    /// @param assets Quote units entering the vault.
    function recordInflow(uint256 assets) external;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                PERMISSIONLESS                                                */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Re-evaluates every automatic trip of `scope` from fresh data and lifts expired automatic trips whose
    ///         causes have cleared. Anyone may call it; the breaker watchdog keeper does.
    /// @dev For a market: oracle status and price move from `router.getSpot(market)`, then the global scope. For
    ///      `GLOBAL`: the outflow bucket and the vault's utilisation (skipped while no metrics source is wired).
    ///      Works while paused, so the automatic state is true when the pause ends. A reverting router or metrics
    ///      source makes `poke` revert rather than count as a failure (a caller could starve it of gas).
    /// @param scope A market id or `GLOBAL`.
    /// @return mode The effective mode of `scope` after evaluation.
    /// @return reason Its reason (as `modeOf`).
    function poke(bytes32 scope) external returns (Mode mode, Reason reason);

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                   GUARDIAN                                                   */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Raises the manual mode of `scope` (a market or `GLOBAL`) to `mode` at once.
    /// @dev Restricted to GUARDIAN. Only escalates (`BreakerTripNotEscalating` otherwise): the guardian can never make
    ///      anything less strict. Reverts with `BreakerUnknownMarket` for an unknown market.
    /// @param scope A market id or `GLOBAL`.
    /// @param mode REDUCE_ONLY or HALTED, stricter than the current manual mode.
    function trip(bytes32 scope, Mode mode) external;

    /// @notice Emergency pause: every gated action but VIEW is refused everywhere.
    /// @dev Restricted to GUARDIAN. Reverts with `EnforcedPause` when already paused.
    function pause() external;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    ADMIN                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Lowers the manual mode of `scope` to `mode` (lifts a guardian trip, fully or to REDUCE_ONLY).
    /// @dev Restricted to ADMIN, whose grant carries the execution delay: schedule, wait, execute. Automatic trips are
    ///      untouched (they lift themselves). Reverts with `BreakerLiftNotLowering` unless `mode` is less strict.
    /// @param scope A market id or `GLOBAL`.
    /// @param mode The new manual mode.
    function lift(bytes32 scope, Mode mode) external;

    /// @notice Ends the emergency pause. Restricted to ADMIN (timelocked). Reverts with `ExpectedPause` when not paused.
    function unpause() external;

    /// @notice Adds a market with its price-move limit and window (wiring, ADMIN).
    /// @dev Reverts with `BreakerReservedMarketId`, `BreakerMarketExists`, `BreakerTooManyMarkets` or
    ///      `BreakerParameterOutOfBounds`. The market starts ACTIVE; its reference is set by its first reading.
    function addMarket(bytes32 market, uint16 moveLimitBps, uint24 window) external;

    /// @notice Wires the gate cache: the OptionMarket, which then decides quiet trades from its copy of each market's
    ///         gate (wiring, ADMIN, one-shot). Pushes the current copy of every market at once.
    /// @dev One-shot, like the engine's wiring: a replaced holder would keep a copy nobody updates any more. Reverts
    ///      with `BreakerGateCacheAlreadySet`, or `BreakerInvalidGateCache` unless `cache` has code and its
    ///      `breaker()` is this breaker. Bounded by `MAX_MARKETS` pushes.
    ///      Warning: every later change of a copy calls the holder; a holder that reverts would block the breaker's
    ///      writes, the guardian's included. The holder is the protocol's own market, whose push only stores a word.
    function setGateCache(IBreakerGateCache cache) external;

    /// @notice Wires the flow reporter: the LiquidityVault, the only caller the flow hooks accept (wiring, ADMIN,
    ///         one-shot).
    /// @dev One-shot: no role can add or swap a reporter afterwards, so no role can charge or credit the outflow
    ///      bucket, nor move user funds through it. Reverts with `BreakerFlowReporterAlreadySet`, or
    ///      `BreakerInvalidFlowReporter` unless `reporter` has code and its `breaker()` is this breaker. Until wired,
    ///      every flow hook call is refused (deposits and exits of the vault with them).
    function setFlowReporter(address reporter) external;

    /// @notice Wires the pause listener: the MarginEngine, which then settles without calling the breaker while its copy
    ///         says the breaker is unpaused (wiring, ADMIN, one-shot). Pushes the current pause state at once.
    /// @dev One-shot, like the gate cache: a replaced holder would keep a copy nobody updates any more. Reverts with
    ///      `BreakerPauseListenerAlreadySet`, or `BreakerInvalidPauseListener` unless `listener` has code and its
    ///      `breaker()` is this breaker. Every later `pause` and `unpause` calls the listener in the same transaction.
    ///      Warning: a listener that reverts would block the pause; the holder is the protocol's own engine, whose push
    ///      only checks its caller and stores a word.
    function setPauseListener(IBreakerPauseListener listener) external;

    /// @notice Wires the vault's utilisation source (wiring, ADMIN). Reverts with `BreakerInvalidMetrics` for an
    ///         address without code.
    function setMetrics(IBreakerMetrics metrics_) external;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                     RISK                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Sets a market's price-move limit (basis points) and window (seconds), within immutable bounds.
    /// @dev Restricted to RISK. Restarts the market's window at its next reading. Reverts with `BreakerUnknownMarket`
    ///      or `BreakerParameterOutOfBounds`.
    function setPriceMoveParams(bytes32 market, uint16 moveLimitBps, uint24 window) external;

    /// @notice Sets the outflow rate limit: at most `limit` quote units of net outflow, refilled linearly over
    ///         `refillPeriod` seconds. Restricted to RISK; within immutable bounds.
    /// @dev The bucket is first brought up to date under the old parameters, then clamped to [-limit, limit].
    function setOutflowParams(uint96 limit, uint24 refillPeriod) external;

    /// @notice Sets the vault utilisation cap (WAD). Restricted to RISK; within immutable bounds.
    function setUtilisationCap(uint64 capWad) external;

    /// @notice Sets the cooldown of automatic trips (seconds). Restricted to RISK; within immutable bounds.
    function setCooldown(uint32 cooldown_) external;

    /* ------------------------------------------------------------------------------------------------------------ */
    /*                                                    VIEWS                                                     */
    /* ------------------------------------------------------------------------------------------------------------ */

    /// @notice Reverts unless `cls` is allowed on the global scope now (for account-level entries such as collateral
    ///         deposits and free-collateral withdrawals). Same errors as `checkAction`, with `scope == GLOBAL`.
    /// @return mode The global mode (HALTED while paused, when only VIEW passes).
    function checkGlobal(ActionClass cls) external view returns (Mode mode);

    /// @notice Whether `cls` is allowed in `scope` now, from stored state (no evaluation). False for unknown markets.
    function isAllowed(bytes32 scope, ActionClass cls) external view returns (bool);

    /// @notice Effective mode of `scope` and its reason. The pause is reported by `paused()`, not here.
    /// @dev For a market: the stricter of its own mode and the global mode (reason GLOBAL when the latter is
    ///      stricter). Within a scope, the manual component wins ties (reason GUARDIAN). Reverts with
    ///      `BreakerUnknownMarket` for an unknown market.
    function modeOf(bytes32 scope) external view returns (Mode mode, Reason reason);

    /// @notice Whether `poke(scope)` would change `scope`'s own state now (a new reference, a trip, a cooldown step),
    ///         from the same readings and the same internal decision `poke` uses.
    /// @dev For a market: reads `router.getSpot(scope)`; false for an unknown market (`poke` reverts). `poke` of a
    ///      market also re-evaluates the global scope: ask `pokeDue(GLOBAL)` for that part. Propagates a revert of the
    ///      router or the metrics source, as `poke` does.
    /// @param scope A market id or `GLOBAL`.
    function pokeDue(bytes32 scope) external view returns (bool);

    /// @notice Whether a `poke(market)` that reads (`spot`, `status`) from the router would change the market now: the
    ///         same decision as `pokeDue(market)`, from a reading the caller already holds (the automation adapter
    ///         reads the router once for both the breaker and the router's own status poke).
    /// @dev False for an unknown market. Pass the router's current reading: any other reading answers for it, not for
    ///      what `poke` will see.
    function pokeDueOn(bytes32 market, uint256 spot, IOracleRouter.Status status) external view returns (bool);

    /// @notice The gate copy of `market` the breaker pushes to the gate cache (`PackedScopeLib.gateCopy` of its
    ///         state): the cache's `breakerGate(market)` always equals it. Zero for an unknown market.
    function gateOf(bytes32 market) external view returns (uint256);

    /// @notice The gate cache wired by `setGateCache` (zero until wired).
    function gateCache() external view returns (IBreakerGateCache);

    /// @notice The flow reporter wired by `setFlowReporter` (zero until wired).
    function flowReporter() external view returns (address);

    /// @notice The pause listener wired by `setPauseListener` (zero until wired).
    function pauseListener() external view returns (IBreakerPauseListener);

    /// @notice Raw packed state of `scope` (zeroed for an unknown market).
    function scopeState(bytes32 scope) external view returns (ScopeState memory);

    /// @notice The outflow bucket as stored (not decayed to now).
    function outflowBucket() external view returns (OutflowBucket memory);

    /// @notice Net outflow now (decayed), in quote units; negative while inflows exceed outflows.
    function netOutflow() external view returns (int256);

    /// @notice Quote units `recordOutflow` accepts now: the vault caps `maxWithdraw`/`maxRedeem` with it.
    function outflowAvailable() external view returns (uint256);

    /// @notice Every market id, in the order they were added.
    function markets() external view returns (bytes32[] memory);

    /// @notice The oracle router read by `poke`.
    function router() external view returns (IOracleRouter);

    /// @notice The vault utilisation source read by `poke` (zero until wired).
    function metrics() external view returns (IBreakerMetrics);

    /// @notice Cooldown of automatic trips, in seconds.
    function cooldown() external view returns (uint32);

    /// @notice Utilisation cap, WAD.
    function utilisationCap() external view returns (uint64);
}
