// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {IBreakerMetrics} from "./IBreakerMetrics.sol";
import {ICircuitBreaker} from "./ICircuitBreaker.sol";
import {IMarginEngine} from "./IMarginEngine.sol";

/// @title ILiquidityVault
/// @notice ERC-4626 vault on the quote asset: LP capital that is the counterparty of every trade. Its assets sit
///         in the margin engine as the vault's account; NAV = that account's equity (collateral plus the mark of
///         its positions).
/// @dev Withdrawals are limited to free margin (what the vault's account can release while meeting initial
///      margin), minus what the queued redemptions ahead would take at current NAV. The rest goes through an
///      asynchronous redeem queue in the style of ERC-7540: `requestRedeem` escrows shares, anyone processes the
///      queue in order as liquidity frees up (`processRedeemQueue`, which prices each request at the NAV of that
///      moment and sets its assets aside), then anyone may `claimRedeem` it to the request's receiver. Escrowed
///      shares keep sharing the vault's profit and loss until processed.
///      Deposits, withdrawals and processing refuse a FAILED oracle or a spot older than `maxSpotAge` for any
///      underlying the vault holds a position in (the engine's `MarginOracleFailed` / `MarginOracleStale`), and
///      `maxDeposit`, `maxMint`, `maxWithdraw`, `maxRedeem` then return zero, as ERC-4626 requires.
///
///      Circuit breaker (global scope, the engine's breaker): `deposit` and `mint` are RISK_INCREASING and record
///      an inflow (`recordInflow`); `withdraw` and `redeem` are EXIT and record an outflow against the net-outflow
///      rate limit (`recordOutflow`, `BreakerOutflowLimitExceeded` beyond it, whoever the account); requesting,
///      cancelling and claiming a redemption are EXIT (`checkGlobal`); processing the queue is EXIT and records the
///      outflow of the batch, which it sizes to what the rate limit still allows (`outflowAvailable`), so the
///      claims later need no allowance of their own. `maxDeposit`/`maxMint` are zero while the global scope refuses
///      RISK_INCREASING; `maxWithdraw`/`maxRedeem` are zero while paused and capped by `outflowAvailable()`.
///      ERC-20 transfers of shares are not gated: they move no asset out of the protocol and change no risk.
interface ILiquidityVault is IERC4626, IBreakerMetrics {
    /* ------------------------------------------------------------------ */
    /*                                TYPES                               */
    /* ------------------------------------------------------------------ */

    /// @notice Life cycle of a redeem request.
    enum RequestStatus {
        NONE,
        PENDING,
        CLAIMABLE,
        CLAIMED,
        CANCELLED
    }

    /// @notice One redeem request.
    /// @param owner Owner of the escrowed shares (may cancel while pending).
    /// @param receiver Receiver of the assets.
    /// @param shares Escrowed shares.
    /// @param assets Assets set aside at processing (zero before).
    /// @param status Current status.
    struct RedeemRequest {
        address owner;
        RequestStatus status;
        address receiver;
        uint128 shares;
        uint128 assets;
    }

    /// @notice Every ERC-4626 figure of the vault, valued once (see `erc4626Snapshot`). Each field equals what the
    ///         view of the same name returns when called alone in the same state; per-owner and per-probe arrays
    ///         follow the order of the inputs.
    /// @param totalAssets `totalAssets()`.
    /// @param totalSupply `totalSupply()`.
    /// @param maxDeposit `maxDeposit(any)` (the vault's limit does not depend on the receiver).
    /// @param maxMint `maxMint(any)`.
    /// @param availableLiquidity `availableLiquidity()`.
    /// @param maxWithdraw `maxWithdraw(owners[i])`.
    /// @param maxRedeem `maxRedeem(owners[i])`.
    /// @param previewDeposit `previewDeposit(assetProbes[i])`.
    /// @param previewWithdraw `previewWithdraw(assetProbes[i])`.
    /// @param convertToShares `convertToShares(assetProbes[i])`.
    /// @param previewMint `previewMint(shareProbes[i])`.
    /// @param previewRedeem `previewRedeem(shareProbes[i])`.
    /// @param convertToAssets `convertToAssets(shareProbes[i])`.
    struct ERC4626Snapshot {
        uint256 totalAssets;
        uint256 totalSupply;
        uint256 maxDeposit;
        uint256 maxMint;
        uint256 availableLiquidity;
        uint256[] maxWithdraw;
        uint256[] maxRedeem;
        uint256[] previewDeposit;
        uint256[] previewWithdraw;
        uint256[] convertToShares;
        uint256[] previewMint;
        uint256[] previewRedeem;
        uint256[] convertToAssets;
    }

    /* ------------------------------------------------------------------ */
    /*                                EVENTS                              */
    /* ------------------------------------------------------------------ */

    /// @notice `owner` escrowed `shares` in request `requestId`, to be paid to `receiver`.
    event RedeemRequested(uint256 indexed requestId, address indexed owner, address indexed receiver, uint256 shares);

    /// @notice Request `requestId` was cancelled and its `shares` returned to `owner`.
    event RedeemCancelled(uint256 indexed requestId, address indexed owner, uint256 shares);

    /// @notice Request `requestId` was processed: `shares` burned, `assets` set aside for its receiver.
    event RedeemProcessed(uint256 indexed requestId, uint256 shares, uint256 assets);

    /// @notice Request `requestId` paid `assets` to `receiver`.
    event RedeemClaimed(uint256 indexed requestId, address indexed receiver, uint256 assets);

    /// @notice The oldest acceptable spot age changed.
    event MaxSpotAgeSet(uint256 oldMaxSpotAge, uint256 newMaxSpotAge);

    /* ------------------------------------------------------------------ */
    /*                                ERRORS                              */
    /* ------------------------------------------------------------------ */

    /// @dev Fires when a deposit of `assets` would mint zero shares.
    error VaultZeroShares(uint256 assets);

    /// @dev Fires when a redemption of `shares` would pay zero assets.
    error VaultZeroAssets(uint256 shares);

    /// @dev Fires when `caller` passes a zero amount where a positive one is needed.
    error VaultZeroAmount(address caller);

    /// @dev Fires when an address argument is zero.
    error VaultInvalidAddress(address value);

    /// @dev Fires when the vault's equity is negative (`equity`): no share price exists until it recovers.
    error VaultInsolvent(int256 equity);

    /// @dev Fires when request `requestId` is not in the status the operation needs (`status` is its current one).
    error VaultRequestStatus(uint256 requestId, RequestStatus status);

    /// @dev Fires when `caller` acts on request `requestId` that `owner` made.
    error VaultNotRequestOwner(uint256 requestId, address caller, address owner);

    /// @dev Fires when `processRedeemQueue` is asked for zero or more than `max` requests.
    error VaultBatchOutOfRange(uint256 requested, uint256 max);

    /// @dev Fires when an `erc4626Snapshot` input list (`input`: "owners", "assetProbes" or "shareProbes") holds
    ///      `length` items, more than `max`.
    error VaultSnapshotInputTooLong(bytes32 input, uint256 length, uint256 max);

    /// @dev Fires when a parameter (`parameter`) is outside [min, max].
    error VaultParameterOutOfRange(bytes32 parameter, uint256 value, uint256 min, uint256 max);

    /* ------------------------------------------------------------------ */
    /*                             REDEEM QUEUE                           */
    /* ------------------------------------------------------------------ */

    /// @notice Escrows `shares` of `owner` (the caller, or a spender with enough share allowance) in a new
    ///         redeem request paid to `receiver`.
    /// @dev Circuit breaker: EXIT on the global scope (refused only while paused).
    /// @return requestId The request id (sequential from 0).
    function requestRedeem(uint256 shares, address receiver, address owner) external returns (uint256 requestId);

    /// @notice Cancels a pending request and returns its shares to its owner. Only the owner.
    /// @dev Circuit breaker: EXIT on the global scope (refused only while paused).
    function cancelRedeemRequest(uint256 requestId) external;

    /// @notice Processes up to `maxRequests` requests from the head of the queue, in order, stopping at the first
    ///         that free liquidity cannot pay. Permissionless.
    /// @dev Free liquidity is capped by the breaker's `outflowAvailable()`; the batch's assets are recorded as one
    ///      outflow (`recordOutflow`, EXIT: refused only while paused).
    /// @return processed Requests consumed (cancelled ones included).
    /// @return assets Assets set aside for the processed requests.
    function processRedeemQueue(uint256 maxRequests) external returns (uint256 processed, uint256 assets);

    /// @notice Pays a processed request to its receiver. Permissionless (the receiver is fixed).
    /// @dev Circuit breaker: EXIT on the global scope (refused only while paused); its outflow was recorded when the
    ///      request was processed.
    /// @return assets Assets paid.
    function claimRedeem(uint256 requestId) external returns (uint256 assets);

    /* ------------------------------------------------------------------ */
    /*                       CONFIGURATION (restricted)                   */
    /* ------------------------------------------------------------------ */

    /// @notice Sets the oldest spot age (seconds) NAV may rely on, within bounds. Meant for RISK.
    function setMaxSpotAge(uint256 maxSpotAge) external;

    /// @notice The circuit breaker (the engine's, copied at construction).
    function breaker() external view returns (ICircuitBreaker);

    /* ------------------------------------------------------------------ */
    /*                                VIEWS                               */
    /* ------------------------------------------------------------------ */

    /// @notice The margin engine holding the vault's account.
    function engine() external view returns (IMarginEngine);

    /// @notice Oldest acceptable spot age, seconds.
    function maxSpotAge() external view returns (uint256);

    /// @notice A redeem request.
    function redeemRequest(uint256 requestId) external view returns (RedeemRequest memory);

    /// @notice Queue bounds: requests `[head, tail)` are not yet processed (or were cancelled).
    function redeemQueue() external view returns (uint256 head, uint256 tail);

    /// @notice Assets set aside for processed, unclaimed requests (held by this contract).
    function totalClaimable() external view returns (uint256);

    /// @notice Assets synchronous withdrawals may take now: free margin minus the queued requests' value.
    function availableLiquidity() external view returns (uint256);

    /// @notice Every ERC-4626 figure of the vault from one valuation: totals, deposit limits, available liquidity,
    ///         the withdraw and redeem limits of each owner, and the previews and conversions of each probe amount.
    /// @dev Values the vault once (one `vaultState` read from the engine, or the running call's snapshot) where
    ///      calling the views one by one values it once per preview and up to three times per `maxWithdraw` or
    ///      `maxRedeem`. Each figure is computed by the same internal function, from the same valued state, as the
    ///      public view it stands for, so the two cannot disagree. Never reverts for a failed or stale oracle or a
    ///      negative equity: it then reports what the views report (zero limits, conversions at the clamped NAV).
    ///      Each list is bounded by `MAX_SNAPSHOT_ITEMS` (`VaultSnapshotInputTooLong`) so the call's gas is bounded.
    /// @param owners Accounts whose `maxWithdraw` and `maxRedeem` are reported.
    /// @param assetProbes Asset amounts for `previewDeposit`, `previewWithdraw` and `convertToShares`.
    /// @param shareProbes Share amounts for `previewMint`, `previewRedeem` and `convertToAssets`.
    /// @return snapshot The figures (see {ERC4626Snapshot}).
    function erc4626Snapshot(address[] calldata owners, uint256[] calldata assetProbes, uint256[] calldata shareProbes)
        external
        view
        returns (ERC4626Snapshot memory snapshot);

    /// @notice Longest list `erc4626Snapshot` accepts for each of its inputs.
    function MAX_SNAPSHOT_ITEMS() external view returns (uint256);

    /// @notice Token conservation: this contract's asset balance and what it owes to claimants.
    function conservation() external view returns (uint256 tokenBalance, uint256 totalOwed);
}
