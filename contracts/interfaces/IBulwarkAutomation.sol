// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AutomationCompatibleInterface} from
    "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICircuitBreaker} from "./ICircuitBreaker.sol";
import {ILiquidationEngine} from "./ILiquidationEngine.sol";
import {ILiquidityVault} from "./ILiquidityVault.sol";
import {IMarginEngine} from "./IMarginEngine.sol";
import {IOracleRouter} from "./IOracleRouter.sol";

/// @title IBulwarkAutomation
/// @notice Chainlink Automation adapter of Bulwark: `checkUpkeep` finds work over a bounded window and
///         `performUpkeep` does it, re-validating every item against current state. One upkeep is registered per
///         task kind (and, for large account sets, per lane: a different `cursor`).
/// @dev checkData. `abi.encode(uint8 task, uint256 cursor, uint256 window, uint256 maxItems)`, exactly 128 bytes:
///      - `task`: a `Task`;
///      - `window`: how many entries one check scans, in [1, MAX_WINDOW] (accounts for LIQUIDATE and SETTLE, breaker
///        scopes for BREAKER_POKE; ignored by REDEEM_QUEUE, which always looks at the head of the queue);
///      - `maxItems`: the most items one perform carries, in [1, MAX_ITEMS] (REDEEM_QUEUE: the requests one
///        perform processes);
///      - `cursor`: the lane's offset. The window of a check starts at `(cursor + window x block.number) mod size`
///        and wraps past the end of the set, so successive blocks scan successive windows and a lap covers the whole
///        set in ceil(size / window) blocks. The rotation needs no storage, so `checkUpkeep` is a `view` and an idle
///        upkeep costs nothing on-chain.
///
///      performData. `abi.encode(uint8 task, Item[] items)` with 1 to MAX_ITEMS items, checked word by word before it
///      is decoded (`AutomationMalformedPerformData`, `AutomationInvalidTask`, `AutomationBatchOutOfRange`).
///      Item meaning by task (account, key, seen): LIQUIDATE and SETTLE (account, seriesId, the position the check
///      saw); BREAKER_POKE (zero, uint256(scope), unused); REDEEM_QUEUE (zero, number of requests to process, the
///      queue head the check saw), exactly one item.
///
///      Re-validation. performData is untrusted: anyone may call `performUpkeep` with anything, and a checked item may
///      have been done by someone else before the perform lands. Every item is re-checked against current state with
///      cheap reads first: a position or queue head that moved since the check (someone else liquidated, settled,
///      traded or processed) is skipped as CHANGED after one read, and the next check looks again; then the series
///      state, the oracle, the breaker and last the account's health. An item no longer needed emits
///      `AutomationItemSkipped` with a reason and costs a few reads, never a revert. An item whose external call
///      reverts anyway is caught (`CALL_FAILED`, with the revert data) and the batch goes on.
///
///      Funds. The adapter needs no capital. Liquidation fees are credited to it as engine collateral; the
///      permissionless `sweep` sends them (and any quote token held) to the immutable `beneficiary`. No role and no
///      function can send anything anywhere else. The adapter has no owner and no restricted function.
///
///      Settlement prices. Recording a settlement price needs one round hint per source (`IOracleRouter.
///      recordSettlement`), found off-chain by a search over the feeds' rounds; the fallback proposal prices from the
///      current spot and is meant as a last resort. Neither is automated here: SETTLE settles positions of series
///      whose price is already final.
interface IBulwarkAutomation is AutomationCompatibleInterface {
    /* ------------------------------------------------------------------ */
    /*                                TYPES                               */
    /* ------------------------------------------------------------------ */

    /// @notice The kind of work an upkeep does (one registration per kind).
    enum Task {
        LIQUIDATE,
        SETTLE,
        BREAKER_POKE,
        REDEEM_QUEUE
    }

    /// @notice Why a perform skipped an item.
    /// @dev NO_POSITION: the position is closed (already liquidated or settled), or the item names the vault or the
    ///      zero account. HEALTHY: the account meets maintenance. SERIES_EXPIRED: a liquidation target reached expiry
    ///      (settlement takes over). NOT_FINAL: the series is not expired or its settlement price is not final.
    ///      ORACLE_FAILED: a price the item needs is FAILED. ORACLE_STALE: the spot is older than the liquidation
    ///      policy's `maxSpotAge`. BREAKER_REFUSED: the breaker refuses the action class in the item's market.
    ///      NOT_NEEDED: a breaker poke, status poke or queue processing would change nothing. CALL_FAILED: every check
    ///      passed but the external call reverted (revert data in the event). CHANGED: the position (or the queue
    ///      head) is not the one the check saw: someone else acted since; the next check re-evaluates it.
    enum SkipReason {
        NO_POSITION,
        HEALTHY,
        SERIES_EXPIRED,
        NOT_FINAL,
        ORACLE_FAILED,
        ORACLE_STALE,
        BREAKER_REFUSED,
        NOT_NEEDED,
        CALL_FAILED,
        CHANGED
    }

    /// @notice One item of performData (meaning by task: see the interface's notes).
    struct Item {
        address account;
        uint256 key;
        int256 seen;
    }

    /* ------------------------------------------------------------------ */
    /*                                EVENTS                              */
    /* ------------------------------------------------------------------ */

    /// @notice A perform of `task` ran over `items` items: `done` were performed, the rest skipped.
    event AutomationPerformed(Task indexed task, uint256 items, uint256 done);

    /// @notice An item of `task` was skipped for `reason`. `key` is the item's key (series id, scope or batch size);
    ///         `data` is the revert data for CALL_FAILED, empty otherwise.
    event AutomationItemSkipped(
        Task indexed task, address indexed account, uint256 indexed key, SkipReason reason, bytes data
    );

    /// @notice The adapter liquidated `closed` options of `account`'s short in `seriesId`, earning `fee` (engine
    ///         collateral, swept to the beneficiary).
    event AutomationLiquidated(address indexed account, uint256 indexed seriesId, uint256 closed, uint256 fee);

    /// @notice The adapter settled `account`'s position in `seriesId`; `payout` as the engine returned it.
    event AutomationSettled(address indexed account, uint256 indexed seriesId, int256 payout);

    /// @notice The adapter poked the breaker for `scope`, which is now in `mode` for `reason`.
    event AutomationBreakerPoked(bytes32 indexed scope, ICircuitBreaker.Mode mode, ICircuitBreaker.Reason reason);

    /// @notice The adapter recorded the oracle status of `underlying` (`status`, `reasons`) with `pokeStatus`.
    event AutomationStatusPoked(bytes32 indexed underlying, IOracleRouter.Status status, uint16 reasons);

    /// @notice The adapter processed `processed` requests of the vault's redeem queue, setting `assets` aside.
    event AutomationRedeemQueueProcessed(uint256 processed, uint256 assets);

    /// @notice `collateral` (engine collateral) and `tokens` (quote tokens held) were sent to `beneficiary`.
    event AutomationSwept(address indexed beneficiary, uint256 collateral, uint256 tokens);

    /* ------------------------------------------------------------------ */
    /*                                ERRORS                              */
    /* ------------------------------------------------------------------ */

    /// @dev Fires at construction when an address argument (`value`) is zero.
    error AutomationInvalidAddress(address value);

    /// @dev Fires at construction when the engine is not wired to `vault` and `liquidation` (`wiredVault` and
    ///      `wiredLiquidation` are what the engine reports): the adapter would act on other contracts than the
    ///      protocol's.
    error AutomationWiringMismatch(address vault, address liquidation, address wiredVault, address wiredLiquidation);

    /// @dev Fires when checkData is not exactly 128 bytes (`length`).
    error AutomationMalformedCheckData(uint256 length);

    /// @dev Fires when a task number (`task`) is not a `Task`.
    error AutomationInvalidTask(uint256 task);

    /// @dev Fires when checkData's `window` is zero or above `max`.
    error AutomationWindowOutOfRange(uint256 window, uint256 max);

    /// @dev Fires when checkData's `maxItems`, or the batch size of a REDEEM_QUEUE performData item, is zero or above
    ///      `max` (MAX_ITEMS).
    error AutomationMaxItemsOutOfRange(uint256 maxItems, uint256 max);

    /// @dev Fires when performData (`length` bytes) is not the encoding of `(uint8, Item[])`: wrong length, offset or
    ///      an account word with dirty high bits.
    error AutomationMalformedPerformData(uint256 length);

    /// @dev Fires when performData carries `count` items: zero, more than `max`, or (REDEEM_QUEUE) more than one.
    error AutomationBatchOutOfRange(uint256 count, uint256 max);

    /* ------------------------------------------------------------------ */
    /*                              AUTOMATION                            */
    /* ------------------------------------------------------------------ */

    /// @notice Scans the window checkData describes and returns the work found (see the interface's notes).
    /// @dev A `view`: simulated off-chain by the automation network, never needed on-chain. LIQUIDATE lists
    ///      (account, series) pairs of accounts failing maintenance, riskiest first, skipping unpriced accounts, the
    ///      vault, expired series, markets whose breaker refuses RISK_REDUCING and spots the liquidation policy would
    ///      refuse. SETTLE lists open positions of expired series whose settlement price is final (not the vault's,
    ///      which settle with their counterparties). BREAKER_POKE lists scopes (GLOBAL first, then the breaker's
    ///      markets) whose `poke` would change the breaker (a trip, a cooldown to start, interrupt or end, a window's
    ///      reference to refresh) or whose oracle status differs from the one `pokeStatus` last recorded.
    ///      REDEEM_QUEUE asks to process when the head of the queue is cancelled or payable from free liquidity.
    ///      Reverts with `AutomationMalformedCheckData`, `AutomationInvalidTask`, `AutomationWindowOutOfRange` or
    ///      `AutomationMaxItemsOutOfRange` for bad checkData.
    /// @return upkeepNeeded True when at least one item was found.
    /// @return performData `abi.encode(uint8(task), items)` when needed, empty otherwise.
    function checkUpkeep(bytes calldata checkData)
        external
        view
        override
        returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Performs the items of performData, re-validating each against current state. Permissionless.
    /// @dev Items no longer needed emit `AutomationItemSkipped` and cost a few reads; a reverting item is caught. Only
    ///      malformed performData reverts (`AutomationMalformedPerformData`, `AutomationInvalidTask`,
    ///      `AutomationBatchOutOfRange`). Emits one `AutomationPerformed`. Reentrancy-guarded.
    function performUpkeep(bytes calldata performData) external override;

    /// @notice Sends the adapter's engine collateral (liquidation fees) and quote tokens to `beneficiary`.
    ///         Permissionless; a no-op when there is nothing.
    /// @dev Reentrancy-guarded; the engine's withdrawal is EXIT (refused only while the breaker is paused).
    /// @return collateral Engine collateral withdrawn.
    /// @return tokens Quote tokens transferred from the adapter's own balance.
    function sweep() external returns (uint256 collateral, uint256 tokens);

    /* ------------------------------------------------------------------ */
    /*                                VIEWS                               */
    /* ------------------------------------------------------------------ */

    /// @notice Where the window of `task` with `cursor` and `window` starts in the current block, and the size of the
    ///         set it scans (accounts, or 1 + breaker markets; 0 for REDEEM_QUEUE).
    function scanStart(Task task, uint256 cursor, uint256 window) external view returns (uint256 start, uint256 size);

    /// @notice Whether `poke(scope)` would change `scope` in the breaker now (the breaker's own `pokeDue`), and
    ///         whether the router's recorded status of `scope` (a market) differs from its current reading.
    /// @dev A market's poke also re-evaluates the global scope; that part is reported for `GLOBAL`, its own item.
    function pokeNeeded(bytes32 scope) external view returns (bool breakerDue, bool statusDue);

    /// @notice Whether processing the redeem queue would consume at least its head request now.
    function redeemQueueDue() external view returns (bool);

    /// @notice The margin engine.
    function engine() external view returns (IMarginEngine);

    /// @notice The liquidation engine the adapter liquidates through.
    function liquidation() external view returns (ILiquidationEngine);

    /// @notice The liquidity vault whose redeem queue the adapter processes.
    function vault() external view returns (ILiquidityVault);

    /// @notice The oracle router (the engine's).
    function router() external view returns (IOracleRouter);

    /// @notice The circuit breaker (the engine's).
    function breaker() external view returns (ICircuitBreaker);

    /// @notice The quote token.
    function quoteToken() external view returns (IERC20);

    /// @notice Receives every fee the adapter earns; fixed at deployment.
    function beneficiary() external view returns (address);
}
