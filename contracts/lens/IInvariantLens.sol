// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ILiquidationEngine} from "../interfaces/ILiquidationEngine.sol";
import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionMarket} from "../interfaces/IOptionMarket.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title IInvariantLens
/// @notice A view-only lens that returns, in one call, every piece of chain state the invariant campaign checks
///         after each action: token balances, both conservation pairs, every account's margin state, shares and
///         positions, the vault's ERC-4626 figures and queue, every series' terms, mark and quotes, plus each
///         account's liquidation stamp, the circuit breaker's market and global scopes and
///         its pause, and the oracle router's spot reading of the market's underlying. One `eth_call` per
///         observation instead of one per contract.
/// @dev The answer is a flat array of signed 256-bit words, decoded off-chain by slicing. Views that may revert
///      (marks and quotes under a FAILED oracle) are wrapped in try/catch and reported with an `ok` word of 0. Every
///      value is read through the contracts' own external views, exactly as a user or keeper would read it;
///      nothing is recomputed here. The vault's ERC-4626 figures (totals, available liquidity, previews, conversions,
///      maxDeposit and the holders' maxWithdraw/maxRedeem) come from one `ILiquidityVault.erc4626Snapshot` call,
///      which values the vault once and computes each figure through the same internal function as the view it
///      stands for (each view called alone would value the vault again, up to three times for each limit).
///      Layout, with A = accounts.length and S = seriesIds.length:
///      - header (HEADER_WORDS words): timestamp, engine token balance, engine owed, vault token balance,
///        vault claimable, total share supply, totalAssets, availableLiquidity, queue head, queue tail,
///        previews ok (1 whenever `full`), previewDeposit(PROBE_ASSETS), previewMint(PROBE_SHARES),
///        previewWithdraw(PROBE_ASSETS), previewRedeem(PROBE_SHARES), convertToShares(PROBE_ASSETS),
///        convertToAssets(PROBE_SHARES), maxDeposit ok (maxDeposit(0) != 0), A, S;
///      - per account (ACCOUNT_WORDS + S words): token balance, collateral, equity, initial requirement,
///        maintenance requirement, health, priced, shares, maxWithdraw, maxRedeem, unhealthySince, then its
///        position in each series in the order given. maxWithdraw and maxRedeem are read for the first `holders`
///        accounts only (zero words for the others), at most the vault's `MAX_SNAPSHOT_ITEMS` of them;
///      - per series (SERIES_WORDS words): strike, expiry, isCall, vol, retired, mark ok, mark price, spot,
///        delta, vega, quote ok, bid premium for PROBE_OPTIONS, ask premium for PROBE_OPTIONS;
///      - breaker (2 x SCOPE_WORDS + 2 words): `scopeState(underlying)` then `scopeState(bytes32(0))`, each as
///        manualMode, autoMode, autoReason, clearing, globalLevel, moveLimitBps, window, windowStart, coolUntil,
///        refPrice; then paused, then the engine's copy of it (`breakerReportedUnpaused`: 1 while it says unpaused);
///      - oracle (SPOT_WORDS words): `getSpot(underlying)` as price, status, reasons, validSources, updatedAt.
///      Warning: the lens loops over the arrays it is given; it is meant for off-chain reads (eth_call) only.
interface IInvariantLens {
    /// @notice The contracts the lens reads, and the underlying whose breaker scope and spot it reports.
    /// @param engine The margin engine.
    /// @param market The option market.
    /// @param vault The liquidity vault.
    /// @param breaker The circuit breaker.
    /// @param router The oracle router.
    /// @param liquidation The liquidation engine (its per-account unhealthy stamps).
    /// @param underlying The market's underlying id (breaker market scope and router spot).
    struct Targets {
        IMarginEngine engine;
        IOptionMarket market;
        ILiquidityVault vault;
        ICircuitBreaker breaker;
        IOracleRouter router;
        ILiquidationEngine liquidation;
        bytes32 underlying;
    }

    /// @notice Words in the header.
    function HEADER_WORDS() external view returns (uint256);

    /// @notice Fixed words per account before its positions.
    function ACCOUNT_WORDS() external view returns (uint256);

    /// @notice Words per series.
    function SERIES_WORDS() external view returns (uint256);

    /// @notice Words per breaker scope.
    function SCOPE_WORDS() external view returns (uint256);

    /// @notice Words of the spot reading.
    function SPOT_WORDS() external view returns (uint256);

    /// @notice The whole protocol state in the flat layout described on the interface.
    /// @param t The contracts to read and the underlying.
    /// @param accounts Accounts to report (may include the vault itself).
    /// @param holders The first `holders` accounts get their ERC-4626 maxWithdraw and maxRedeem read (when `full`).
    /// @param seriesIds Series to report.
    /// @param full When false, the costly probes (ERC-4626 previews and maxDeposit, maxWithdraw and maxRedeem,
    ///        market quotes) are skipped and their words, `ok` words included, are zero.
    /// @return words The flat snapshot.
    function snapshot(
        Targets calldata t,
        address[] calldata accounts,
        uint256 holders,
        uint256[] calldata seriesIds,
        bool full
    ) external view returns (int256[] memory words);
}
