// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IOracleRouter} from "./IOracleRouter.sol";
import {ICircuitBreaker} from "./ICircuitBreaker.sol";

/// @title IMarginEngineTypes
/// @notice Types, events and errors shared by the two halves of the margin engine.
interface IMarginEngineTypes {
    /* ------------------------------------------------------------------ */
    /*                                TYPES                               */
    /* ------------------------------------------------------------------ */

    /// @notice Margin parameters, each WAD and bounded by the engine's constants.
    /// @param initialShock Relative spot shock of the initial-margin grid (0.2e18 = +-20%).
    /// @param maintenanceShock Relative spot shock of the maintenance grid; at most `initialShock`.
    /// @param initialMinCharge Short-option minimum charge for initial margin, as a fraction of spot per option.
    /// @param maintenanceMinCharge Short-option minimum charge for maintenance; at most `initialMinCharge`.
    struct MarginParams {
        uint64 initialShock;
        uint64 maintenanceShock;
        uint64 initialMinCharge;
        uint64 maintenanceMinCharge;
    }

    /// @notice Terms of a listed series.
    /// @param underlying Oracle router id of the underlying.
    /// @param strike Strike, WAD quote per unit.
    /// @param expiry Expiry timestamp (seconds, UTC).
    /// @param isCall True for a call, false for a put.
    /// @param vol Implied volatility used for marks and quotes, WAD per year.
    /// @param retired True once the series is expired and the vault holds nothing in it (it no longer counts
    ///        against the live-series bound of its underlying).
    struct Series {
        bytes32 underlying;
        uint256 strike;
        uint64 expiry;
        bool isCall;
        uint256 vol;
        bool retired;
    }

    /// @notice A series' mark at the current spot.
    /// @param underlying Oracle router id of the underlying.
    /// @param expiry Expiry timestamp.
    /// @param spot Spot price used, WAD.
    /// @param price Mark per option, WAD quote (Black-Scholes before expiry; payoff at or after expiry).
    /// @param delta Delta per option, WAD (signed).
    /// @param vega Vega per option per 1.0 of volatility, WAD.
    /// @param status Oracle status of the spot reading (OK or DEGRADED; a FAILED reading reverts instead), passed
    ///        on to the circuit breaker with `spot` so the breaker evaluates the very reading the trade used.
    struct SeriesMark {
        bytes32 underlying;
        uint64 expiry;
        uint256 spot;
        uint256 price;
        int256 delta;
        uint256 vega;
        IOracleRouter.Status status;
    }

    /// @notice What a trade left behind, for the market's exposure caps.
    /// @param traderPosition Trader's position in the series after the trade.
    /// @param vaultPosition Vault's position in the series after the trade.
    /// @param vaultRiskIncreased True when the trade grew the vault's absolute position in the series; only then
    ///        are the vault's initial margin and the net greeks below evaluated.
    /// @param vaultNetDelta Vault's net delta on the series' underlying after the trade (WAD underlying units).
    /// @param vaultNetVega Vault's net vega on the series' underlying after the trade (WAD quote per 1.0 vol).
    struct TradeOutcome {
        int256 traderPosition;
        int256 vaultPosition;
        bool vaultRiskIncreased;
        int256 vaultNetDelta;
        int256 vaultNetVega;
    }

    /// @notice Margin state of one account, in quote units.
    /// @param account The account.
    /// @param collateral Collateral balance.
    /// @param equity Collateral plus the mark of every position, rounded down.
    /// @param initialRequirement Initial margin requirement, rounded up.
    /// @param maintenanceRequirement Maintenance margin requirement, rounded up.
    /// @param health equity / maintenanceRequirement in WAD; `type(uint256).max` when the requirement is zero.
    /// @param priced False when an oracle needed by the account has FAILED: the other fields are then zero except
    ///        `account` and `collateral`.
    struct AccountHealth {
        address account;
        uint256 collateral;
        int256 equity;
        uint256 initialRequirement;
        uint256 maintenanceRequirement;
        uint256 health;
        bool priced;
    }

    /// @notice What the liquidation module asks of `liquidatePosition` (its policy, already bounded by it).
    /// @param account The account to liquidate.
    /// @param seriesId The series whose short is closed.
    /// @param amount Options asked to close (magnitude); clipped by the close factor and extended over dust.
    /// @param feeRecipient Receives the liquidator fee as engine collateral (withdrawable with `withdraw`).
    /// @param closeFactor Largest fraction (WAD) of the short one call may close, unless the rest would be dust
    ///        or the account is insolvent.
    /// @param feePerOption Liquidator fee per closed option, WAD quote (the module prices it from its policy).
    /// @param penaltyPerOption Penalty per closed option paid to the vault and the insurance fund, WAD quote.
    /// @param insuranceShare Fraction (WAD) of the penalty credited to the insurance fund, the rest to the vault.
    /// @param dustAmount Options: a short (or a rest) smaller than this is closed in full.
    struct LiquidationOrder {
        address account;
        uint256 seriesId;
        uint256 amount;
        address feeRecipient;
        uint64 closeFactor;
        uint64 insuranceShare;
        uint128 feePerOption;
        uint128 penaltyPerOption;
        uint128 dustAmount;
    }

    /// @notice What a liquidation did, in quote units unless stated.
    /// @param closed Options of the short closed (magnitude).
    /// @param markValue Value of the closed options at mark, rounded up (owed to the vault).
    /// @param fee Fee credited to the fee recipient's collateral.
    /// @param penalty Penalty paid (vault and insurance fund together).
    /// @param insuranceCover Part of the shortfall the insurance fund paid to the vault.
    /// @param badDebt Part of the shortfall nobody paid (socialised to the vault).
    /// @param healthBefore Health before (WAD).
    /// @param healthAfter Health after (WAD; `type(uint256).max` once no requirement is left).
    struct LiquidationOutcome {
        uint256 closed;
        uint256 markValue;
        uint256 fee;
        uint256 penalty;
        uint256 insuranceCover;
        uint256 badDebt;
        uint256 healthBefore;
        uint256 healthAfter;
    }

    /* ------------------------------------------------------------------ */
    /*                                EVENTS                              */
    /* ------------------------------------------------------------------ */

    /// @notice The market and the vault were wired in, once and for ever.
    event MarginWired(address indexed market, address indexed vault);

    /// @notice `amount` quote tokens from `from` were credited to `account`.
    event CollateralDeposited(address indexed account, address indexed from, uint256 amount);

    /// @notice `amount` quote tokens were debited from `account` and sent to `to`.
    event CollateralWithdrawn(address indexed account, address indexed to, uint256 amount);

    /// @notice A trade moved `amount` options of `seriesId` from the vault to `trader` (negative: the other way)
    ///         for `premium` quote units (paid by the trader on a buy, received on a sell).
    event TradeApplied(
        address indexed trader,
        uint256 indexed seriesId,
        int256 amount,
        uint256 premium,
        int256 traderPosition,
        int256 vaultPosition
    );

    /// @notice `account`'s `amount` options of `seriesId` settled at `settlementPrice`; `payout` quote units moved
    ///         from the vault to the account (negative: from the account to the vault).
    event PositionSettled(
        address indexed account,
        uint256 indexed seriesId,
        int256 amount,
        uint256 settlementPrice,
        int256 payout
    );

    /// @notice A short settled for more than its collateral: `shortfall` quote units were not paid to the vault.
    event BadDebtRecorded(address indexed account, uint256 indexed seriesId, uint256 shortfall);

    /// @notice The liquidation module and the insurance fund's account were wired in, once and for ever.
    event LiquidationWired(address indexed module, address indexed insuranceFund);

    /// @notice An underlying was registered under `index`.
    event UnderlyingAdded(bytes32 indexed underlying, uint16 index);

    /// @notice A series was registered.
    event SeriesRegistered(
        uint256 indexed seriesId,
        bytes32 indexed underlying,
        uint256 strike,
        uint64 expiry,
        bool isCall,
        uint256 vol
    );

    /// @notice The implied volatility of `seriesId` changed.
    event SeriesVolSet(uint256 indexed seriesId, uint256 oldVol, uint256 newVol);

    /// @notice `seriesId` is expired and empty on the vault's side: it no longer counts as live.
    event SeriesRetired(uint256 indexed seriesId, bytes32 indexed underlying);

    /// @notice Margin parameters changed.
    event MarginParamsSet(MarginParams oldParams, MarginParams newParams);

    /// @notice The risk-free rate used for marks changed.
    event RiskFreeRateSet(uint256 oldRate, uint256 newRate);

    /// @notice The router's final settlement price of `underlying` at `expiry` was copied into the engine.
    event ExpiryPriceRecorded(bytes32 indexed underlying, uint64 indexed expiry, uint256 price);

    /// @notice The circuit breaker reported its pause state to the engine.
    event BreakerPauseSynced(bool paused);

    /* ------------------------------------------------------------------ */
    /*                                ERRORS                              */
    /* ------------------------------------------------------------------ */

    /// @dev Fires when a function reserved to a wired module (market or vault) is called by `caller`.
    error MarginUnauthorizedCaller(address caller);

    /// @dev Fires when `caller` deposits before the engine is wired.
    error MarginNotWired(address caller);

    /// @dev Fires when `wire` is called a second time.
    error MarginAlreadyWired(address market, address vault);

    /// @dev Fires when an address argument is zero or otherwise unusable (`value`).
    error MarginInvalidAddress(address value);

    /// @dev Fires when `account` may not be used for this operation (the vault trading, depositing to the
    ///      vault's account directly, or the zero address).
    error MarginInvalidAccount(address account);

    /// @dev Fires when an amount that must be positive is zero (`account` is the account it concerns).
    error MarginZeroAmount(address account);

    /// @dev Fires when `account` holds `available` collateral but `required` must be debited.
    error MarginInsufficientCollateral(address account, uint256 available, uint256 required);

    /// @dev Fires when, after an operation, `account`'s `equity` is below its initial `requirement`.
    error MarginInitialRequirementNotMet(address account, int256 equity, uint256 requirement);

    /// @dev Fires when an operation would give `account` more than `max` open series.
    error MarginTooManySeries(address account, uint256 max);

    /// @dev Fires when a position in `seriesId` would leave the int96 range (`amount` is the attempted size).
    error MarginPositionOverflow(uint256 seriesId, int256 amount);

    /// @dev Fires when a new holder of `seriesId` would exceed the 2^24 - 1 holders a series can count.
    error MarginTooManyHolders(uint256 seriesId);

    /// @dev Fires when `seriesId` is not a listed series.
    error MarginUnknownSeries(uint256 seriesId);

    /// @dev Fires when `underlying` is not registered.
    error MarginUnknownUnderlying(bytes32 underlying);

    /// @dev Fires when `underlying` is registered twice.
    error MarginUnderlyingExists(bytes32 underlying);

    /// @dev Fires when more than `max` underlyings would be registered.
    error MarginTooManyUnderlyings(uint256 max);

    /// @dev Fires when `underlying` already has `max` live series.
    error MarginTooManyLiveSeries(bytes32 underlying, uint256 max);

    /// @dev Fires when the router reports FAILED for `underlying` (`reasons` as reported) and a price is needed.
    error MarginOracleFailed(bytes32 underlying, uint16 reasons);

    /// @dev Fires when the vault needs a price of `underlying` no older than `maxAge` seconds but the reading's
    ///      oldest source is from `updatedAt`.
    error MarginOracleStale(bytes32 underlying, uint64 updatedAt, uint256 maxAge);

    /// @dev Fires when a parameter or series term (`parameter`, e.g. "initialShock") is outside [min, max].
    error MarginParameterOutOfRange(bytes32 parameter, uint256 value, uint256 min, uint256 max);

    /// @dev Fires when a trade reaches `seriesId` at or after its `expiry`.
    error MarginSeriesExpired(uint256 seriesId, uint64 expiry);

    /// @dev Fires when settling or retiring `seriesId` before its `expiry`.
    error MarginSeriesNotExpired(uint256 seriesId, uint64 expiry);

    /// @dev Fires when settling `seriesId` before the router's settlement price is final (`proposedPrice` may be 0).
    error MarginSettlementNotFinal(uint256 seriesId, uint256 proposedPrice);

    /// @dev Fires when `account` holds nothing in `seriesId` (also: a position cannot settle twice).
    error MarginNoPosition(address account, uint256 seriesId);

    /// @dev Fires when `settle` is called for the vault: its side settles with each counterparty's settlement.
    error MarginVaultSettlesWithCounterparties(uint256 seriesId);

    /// @dev Fires when retiring `seriesId` while it is already retired or the vault still holds `vaultPosition`.
    error MarginSeriesNotRetirable(uint256 seriesId, int256 vaultPosition);

    /// @dev Fires when the vault credits collateral that the engine's token `balance` does not back (`owed` is
    ///      the total the engine would owe after the credit).
    error MarginUnbackedCredit(uint256 balance, uint256 owed);

    /// @dev Fires when `account` asks to remove `amount` but only `free` can leave while meeting initial margin.
    error MarginExceedsFreeMargin(address account, uint256 amount, uint256 free);

    /// @dev Fires when `wireLiquidation` is called a second time.
    error MarginLiquidationAlreadyWired(address module, address insuranceFund);

    /// @dev Fires when a liquidation targets `account` whose `health` (WAD) meets maintenance (at least 1e18).
    error MarginNotLiquidatable(address account, uint256 health);

    /// @dev Fires when a liquidation would not raise `account`'s health (`healthBefore` to `healthAfter`, WAD) and
    ///      would not close its whole short in the series of an insolvent account.
    error MarginLiquidationNotHealthier(address account, uint256 healthBefore, uint256 healthAfter);

    /// @dev Fires when a function of `extension` is called directly instead of through the engine.
    error MarginNotDelegateCall(address extension);

    /// @dev Fires when the engine is deployed with an extension built for another token, oracle or scale.
    error MarginExtensionMismatch(address extension);

    /// @dev Fires when the final settlement price of `underlying` at `expiry` is already recorded in the engine.
    error MarginExpiryPriceAlreadyRecorded(bytes32 underlying, uint64 expiry, uint256 price);

    /// @dev Fires when the engine is deployed with a circuit breaker that watches another oracle router than the
    ///      engine's (`router`), or with no breaker at all.
    error MarginBreakerMismatch(address breaker, address router);
}

/// @title IMarginEngineCore
/// @notice The hot paths of the margin engine: collateral, trades, settlement and the vault's account.
interface IMarginEngineCore is IMarginEngineTypes {
    /* ------------------------------------------------------------------ */
    /*                          COLLATERAL (anyone)                       */
    /* ------------------------------------------------------------------ */

    /// @notice Pulls `amount` quote tokens from the caller and credits them to `account`.
    /// @dev Reverts with `MarginZeroAmount`, `MarginNotWired` before `wire`, or `MarginInvalidAccount` for the zero
    ///      address or the vault (LPs go through the vault). Registers `account` in the lens list on its first
    ///      credit.
    ///      Circuit breaker: RISK_REDUCING on the global scope (`checkGlobal`): adding collateral is allowed in
    ///      ACTIVE and REDUCE_ONLY, refused in HALTED and while paused (`BreakerActionNotAllowed`, `BreakerPaused`).
    function deposit(address account, uint256 amount) external;

    /// @notice Sends `amount` of the caller's collateral to `to`.
    /// @dev When the caller holds short positions, its equity after the withdrawal must meet initial margin
    ///      (`MarginInitialRequirementNotMet`); a long-only account can never owe anything and only needs the
    ///      balance (`MarginInsufficientCollateral`). The vault cannot use this path (`MarginInvalidAccount`).
    ///      Circuit breaker: EXIT on the global scope: allowed in every mode, refused only while paused.
    function withdraw(uint256 amount, address to) external;

    /* ------------------------------------------------------------------ */
    /*                          SETTLEMENT (anyone)                       */
    /* ------------------------------------------------------------------ */

    /// @notice Settles `account`'s whole position in `seriesId` at the router's final settlement price.
    /// @dev Anyone may call it for any account. A long receives amount x payoff (rounded down) from the vault; a
    ///      short pays |amount| x payoff (rounded up) to the vault, or all its collateral if less, the rest being
    ///      recorded as bad debt (`BadDebtRecorded`). The vault's position moves by the settled amount, so the
    ///      vault settles with each counterparty; once every counterparty has settled, the vault holds nothing in
    ///      the series and the series is retired. Reverts with `MarginSeriesNotExpired`,
    ///      `MarginSettlementNotFinal`, `MarginNoPosition` (also on a second settlement),
    ///      `MarginVaultSettlesWithCounterparties` for the vault, `MarginInsufficientCollateral` if the vault
    ///      cannot pay a long.
    ///      Circuit breaker: EXIT on the series' market (`checkAction(underlying, EXIT, 0, OK)`): allowed in every
    ///      mode, refused only while paused. While the breaker's last report (`syncBreakerPause`) says it is
    ///      unpaused, the call is skipped: it could only have answered "allowed".
    ///      Price: the engine's copy of the final price (`recordExpiryPrice`) when there is one, the router's
    ///      otherwise; the two are equal, a final price never changes.
    /// @return payout Quote units paid to the account (negative: paid by the account).
    function settle(address account, uint256 seriesId) external returns (int256 payout);

    /* ------------------------------------------------------------------ */
    /*                        MODULE HOOKS (wired only)                   */
    /* ------------------------------------------------------------------ */

    /// @notice Mark, delta and vega of `seriesId`, cached for the rest of the transaction. Market only.
    function markSeries(uint256 seriesId) external returns (SeriesMark memory mark);

    /// @notice Applies a trade of `amount` options (positive: trader buys from the vault) for `premium` quote
    ///         units, then checks margins. Market only.
    /// @dev The trader must meet initial margin afterwards unless the trade only reduces risk: a buy that reduces
    ///      a short, or any trade after which the trader holds no short (a long-only account can never owe
    ///      anything). The vault must meet initial margin whenever its absolute position in the series grows.
    function applyTrade(address trader, uint256 seriesId, int256 amount, uint256 premium)
        external
        returns (TradeOutcome memory outcome);

    /// @notice Closes part of `order.account`'s short in `order.seriesId` against the vault at mark price, charging
    ///         a fee to the liquidator and a penalty to the vault and the insurance fund. Liquidation module only.
    /// @dev Rules, all enforced here so that no module can bend them:
    ///      - the account fails maintenance (`MarginNotLiquidatable` otherwise); every price it needs is priced
    ///        (`MarginOracleFailed`; the router drops sources older than their heartbeat, and the module checks the
    ///        age of the series' spot); the series is before its expiry (`MarginSeriesExpired`: at expiry
    ///        settlement takes over); the account is short the series (`MarginNoPosition` for none or a long);
    ///      - closed = min(amount, closeFactor x short), extended to the whole short when the rest would be below
    ///        `dustAmount`; the whole short whatever `amount` when the account is insolvent (health 0, i.e.
    ///        equity <= 0: a partial close cannot help it);
    ///      - the account pays, in this order from its collateral: the closed options at mark (rounded up) to the
    ///        vault, the fee (closed x `feePerOption`, rounded down) credited to `feeRecipient`'s engine
    ///        collateral, then the penalty (closed x `penaltyPerOption`, rounded up). Fee and penalty are capped so
    ///        that the account's health strictly rises (they never push a liquidation into failing); an insolvent
    ///        account therefore pays neither unless its equity exceeds a one-unit margin;
    ///      - a mark value the collateral cannot pay is a shortfall: the insurance fund's account pays what it can,
    ///        the rest is socialised to the vault (`BadDebtRecorded`);
    ///      - health after > health before, or the account was insolvent and its whole short in the series was
    ///        closed (`MarginLiquidationNotHealthier`);
    ///      - the vault takes the position without an initial-margin check: refusing a liquidation would only
    ///        leave the risk with an account that cannot carry it.
    ///      The engine emits `BadDebtRecorded` only; the module emits the liquidation's full record from `outcome`.
    function liquidatePosition(LiquidationOrder calldata order) external returns (LiquidationOutcome memory outcome);

    /// @notice Evaluates the vault's account for an ERC-4626 operation. Vault only.
    /// @dev Reverts with `MarginOracleFailed` or `MarginOracleStale` when a price the vault's positions need is
    ///      failed or older than `maxSpotAge` seconds. Caches the vault's free margin for `withdrawVault` in the
    ///      same call frame of the vault.
    /// @return equity The vault's equity (quote units, rounded down; may be negative).
    /// @return freeMargin Collateral the vault may remove while meeting initial margin (0 unless `withFreeMargin`).
    function vaultSnapshot(uint256 maxSpotAge, bool withFreeMargin) external returns (int256 equity, uint256 freeMargin);

    /// @notice Credits `amount` quote tokens, already transferred to the engine, to the vault's account. Vault only.
    /// @dev Reverts with `MarginUnbackedCredit` unless the engine's token balance covers every internal balance.
    function creditVault(uint256 amount) external;

    /// @notice Sends `amount` of the vault's collateral to `to`. Vault only.
    /// @dev Reverts with `MarginExceedsFreeMargin` unless the vault still meets initial margin afterwards.
    function withdrawVault(address to, uint256 amount) external;

    /// @notice The extension that implements configuration, registry administration and every view.
    /// @dev Fixed at construction; the engine delegate-calls it for every selector it does not implement itself.
    function extension() external view returns (address);

    /// @notice The circuit breaker that gates every state-changing entry point of the trading core.
    /// @dev An immutable of the engine, fixed at construction: no role can ever re-point it. The market and the
    ///      vault copy it into their own immutables when they are deployed against this engine.
    function breaker() external view returns (ICircuitBreaker);

    /// @notice Terms of `seriesId` (reverts with `MarginUnknownSeries`).
    /// @dev In the core rather than the extension: the liquidation module reads it on every liquidation, and a
    ///      direct call spares it the delegatecall (a cold account) through the fallback.
    function getSeries(uint256 seriesId) external view returns (Series memory);
}

/// @title IMarginEngineExtension
/// @notice Configuration, registry administration and views of the margin engine. These run in the engine's
///         context (the engine delegate-calls its fixed extension) and are called at the engine's address.
interface IMarginEngineExtension is IMarginEngineTypes {
    /* ------------------------------------------------------------------ */
    /*                          SERIES REGISTRY                           */
    /* ------------------------------------------------------------------ */

    /// @notice Registers a series. Market only; the market enforces its listing policy.
    /// @dev Checks that the underlying is registered, that its live-series bound holds and that the terms lie in
    ///      the pricing domain (`MarginParameterOutOfRange`).
    /// @return seriesId The new series id (sequential from 1).
    function registerSeries(bytes32 underlying, uint256 strike, uint64 expiry, bool isCall, uint256 vol)
        external
        returns (uint256 seriesId);

    /// @notice Sets the implied volatility of `seriesId`. Market only.
    function setSeriesVol(uint256 seriesId, uint256 vol) external;

    /// @notice Copies the router's final settlement price of `seriesId`'s underlying and expiry into the engine, once per
    ///         underlying and expiry, so every later settlement of that expiry reads one word of the engine instead of
    ///         calling the router (about 3,700 gas less each). Permissionless; the settlement keeper calls it once the
    ///         price is final.
    /// @dev Reverts with `MarginUnknownSeries`, `MarginSeriesNotExpired`, `MarginSettlementNotFinal` (the router's
    ///      price is not final yet) or `MarginExpiryPriceAlreadyRecorded`. Safe to copy: the router never changes a
    ///      final price (no proposal over a proposed one, disputes only inside the window).
    /// @return price The recorded price (WAD).
    function recordExpiryPrice(uint256 seriesId) external returns (uint256 price);

    /// @notice The pause listener hook (`IBreakerPauseListener`): the breaker reports its pause state, once when the
    ///         engine is wired as its listener and then on every pause and unpause.
    /// @dev Only the engine's breaker (`MarginUnauthorizedCaller` for any other caller). While the last report says
    ///      "unpaused", `settle` skips its breaker call (EXIT, refused only while paused); before any report, or after
    ///      "paused", it calls the breaker, which refuses with its own error.
    function syncBreakerPause(bool paused) external;

    /// @notice Retires an expired series in which the vault holds nothing, freeing a live-series slot.
    /// @dev Permissionless. Reverts with `MarginSeriesNotExpired` or `MarginSeriesNotRetirable`.
    ///      Circuit breaker: EXIT on the global scope: refused only while paused.
    function retireSeries(uint256 seriesId) external;

    /* ------------------------------------------------------------------ */
    /*                       CONFIGURATION (restricted)                   */
    /* ------------------------------------------------------------------ */

    /// @notice Wires the market and the vault, once. Meant for ADMIN, at deployment.
    /// @dev After this call nothing can rewire the engine (`MarginAlreadyWired`), and since no collateral can be
    ///      deposited before it, the modules that may move positions and collateral are fixed before any user funds
    ///      exist: no role can ever point the engine at a module that moves user funds.
    function wire(address market, address vault) external;

    /// @notice Wires the liquidation module and the insurance fund's account, once. Meant for ADMIN.
    /// @dev After this call nothing can rewire them (`MarginLiquidationAlreadyWired`). Reverts with
    ///      `MarginInvalidAddress` for a zero address, equal addresses or the market or vault.
    function wireLiquidation(address module, address insuranceFund) external;

    /// @notice Registers an underlying (oracle router id). Meant for RISK.
    /// @dev Reverts with `MarginUnderlyingExists`, `MarginTooManyUnderlyings`, or `MarginUnknownUnderlying` for
    ///      the zero id.
    function addUnderlying(bytes32 underlying) external returns (uint16 index);

    /// @notice Sets the margin parameters. Meant for RISK. Each is bounded (`MarginParameterOutOfRange`).
    function setMarginParams(MarginParams calldata params) external;

    /// @notice Sets the risk-free rate used for marks, WAD per year, at most `MAX_RISK_FREE_RATE`. Meant for RISK.
    function setRiskFreeRate(uint256 rate) external;

    /* ------------------------------------------------------------------ */
    /*                                VIEWS                               */
    /* ------------------------------------------------------------------ */

    /// @notice The quote token (collateral and settlement asset).
    function quoteToken() external view returns (IERC20);

    /// @notice The oracle router.
    function oracle() external view returns (IOracleRouter);

    /// @notice The wired market (zero before `wire`).
    function market() external view returns (address);

    /// @notice The wired vault (zero before `wire`).
    function vault() external view returns (address);

    /// @notice The wired liquidation module and insurance fund account (zero before `wireLiquidation`).
    function liquidationWiring() external view returns (address module, address insuranceFund);

    /// @notice Current margin parameters.
    function marginParams() external view returns (MarginParams memory);

    /// @notice Current risk-free rate, WAD per year.
    function riskFreeRate() external view returns (uint256);

    /// @notice Collateral balance of `account`, quote units.
    function collateralOf(address account) external view returns (uint256);

    /// @notice Position of `account` in `seriesId` (signed option amount).
    function positionOf(address account, uint256 seriesId) external view returns (int256);

    /// @notice Every open position of `account`.
    function positionsOf(address account) external view returns (uint256[] memory seriesIds, int256[] memory amounts);

    /// @notice Number of listed series (ids run from 1 to this number).
    function seriesCount() external view returns (uint256);

    /// @notice Registered underlyings, in index order.
    function underlyings() external view returns (bytes32[] memory);

    /// @notice Number of live (not retired) series of `underlying`.
    function liveSeriesCount(bytes32 underlying) external view returns (uint256);

    /// @notice Mark of `seriesId` at the current spot, computed without caching.
    function markOf(uint256 seriesId) external view returns (SeriesMark memory);

    /// @notice Equity of `account` (quote units, rounded down).
    function equityOf(address account) external view returns (int256);

    /// @notice Initial and maintenance requirements of `account` (quote units, rounded up).
    function requirementsOf(address account) external view returns (uint256 initialRequirement, uint256 maintenanceRequirement);

    /// @notice Health of `account`: equity / maintenance requirement, WAD.
    function healthOf(address account) external view returns (uint256);

    /// @notice Collateral `account` could withdraw now while meeting initial margin.
    function freeMarginOf(address account) external view returns (uint256);

    /// @notice Full margin state of `account`; never reverts for a FAILED oracle (`priced` is false instead).
    function accountHealth(address account) external view returns (AccountHealth memory);

    /// @notice Number of accounts ever credited or traded (the lens list).
    function accountCount() external view returns (uint256);

    /// @notice Margin state of accounts `[start, start + count)` of the lens list (clipped to its end).
    function healthOfRange(uint256 start, uint256 count) external view returns (AccountHealth[] memory healths);

    /// @notice The vault's equity and free margin for the ERC-4626 views, without reverting.
    /// @return equity Vault equity in quote units (collateral only when `usable` is false).
    /// @return freeMargin Free margin in quote units (0 when `usable` is false).
    /// @return usable False when a price the vault needs is failed or older than `maxSpotAge`.
    function vaultState(uint256 maxSpotAge) external view returns (int256 equity, uint256 freeMargin, bool usable);

    /// @notice The engine's copy of the final settlement price of `seriesId`'s underlying and expiry (WAD); zero until
    ///         `recordExpiryPrice`.
    function expiryPriceOf(uint256 seriesId) external view returns (uint256);

    /// @notice Whether the breaker's last report to the engine says it is unpaused (false before any report).
    function breakerReportedUnpaused() external view returns (bool);

    /// @notice Token conservation: the engine's quote balance and the sum of every internal balance it owes.
    /// @dev The first must always be at least the second (equal unless someone sent tokens directly).
    function conservation() external view returns (uint256 tokenBalance, uint256 totalOwed);
}

/// @title IMarginEngine
/// @notice Accounts, quote collateral, signed option positions, the series registry, margin requirements and
///         settlement of Bulwark. The engine holds every quote token of the trading core; collateral balances are
///         internal balances in that token, and the liquidity vault is one account among the others.
/// @dev Units: quote amounts are in the quote token's own decimals (6 for a USDC-like token); prices, strikes,
///      volatilities, rates, shocks and charges are WAD (1e18); option amounts are 18-decimal (1e18 = one option on
///      one unit of underlying), signed (positive long, negative short).
///
///      Margin model. For each underlying an account holds, the expiry payoff of its positions is evaluated at
///      `GRID_POINTS` spots evenly spaced over [S (1 - shock), S (1 + shock)] (S = oracle spot). With `mark` the
///      Black-Scholes value of those positions and `V_min` their lowest grid value, the underlying's requirement is
///      `max(mark - V_min, minCharge)`, where `minCharge` sums, over short positions, |amount| x min(chargeRate x S,
///      strike for puts). The account requirement is the sum over underlyings (no netting across underlyings).
///      Equity = collateral + sum of marks. For one underlying, "equity >= requirement" therefore means both:
///      collateral covers the worst expiry payoff inside the shocked range (collateral + V_min >= 0), and equity
///      covers the short-option minimum charge. Spreads net naturally because the grid values the whole portfolio
///      of an underlying at once. A long-only account can never owe anything and always meets its requirement.
///      Initial margin uses the wider shock and charge; maintenance the narrower ones.
///      Health = equity / maintenance requirement (WAD), `type(uint256).max` when the requirement is zero, 0 when
///      equity is not positive. Rounding favours the protocol: every position value is rounded down (liabilities
///      up), equity is floored to quote units, requirements are ceiled.
///
///      Deployment: the engine is two contracts sharing one storage. `MarginEngine` implements the hot paths
///      ({IMarginEngineCore}); every other selector falls through to its fixed `MarginEngineExtension`
///      ({IMarginEngineExtension}), which runs by delegatecall in the engine's context. Always call the engine's
///      address with this full interface.
///
///      Warning: the quote token is assumed to be a plain ERC-20 (no fee on transfer, no rebasing, no hooks).
///      The vault's credits are nevertheless checked against the engine's token balance.
///      Warning: within one transaction the engine caches each underlying's spot and each series' mark in
///      transient storage, so all checks of that transaction use one consistent set of prices. An oracle update
///      performed inside the same transaction after the first read is not observed until the next transaction.
// The full interface only joins its two halves.
// solhint-disable-next-line no-empty-blocks
interface IMarginEngine is IMarginEngineCore, IMarginEngineExtension {}
