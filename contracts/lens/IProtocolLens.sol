// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionMarket} from "../interfaces/IOptionMarket.sol";

/// @title IProtocolLens
/// @notice A view-only lens that returns, in one call, every piece of protocol state the invariant suite checks
///         after each action: token balances, both conservation pairs, every account's margin state, shares and
///         positions, the vault's ERC-4626 figures and queue, and every series' terms, mark and quotes.
/// @dev The answer is a flat array of signed 256-bit words so that an off-chain reader decodes it by slicing,
///      without an ABI decoder on the hot path. Views that may revert (marks and quotes under a FAILED oracle,
///      ERC-4626 previews of an insolvent vault) are wrapped in try/catch and reported with an `ok` word of 0.
///      Layout, with A = accounts.length and S = seriesIds.length:
///      - header (HEADER_WORDS words): timestamp, engine token balance, engine owed, vault token balance,
///        vault claimable, total share supply, totalAssets, availableLiquidity, queue head, queue tail,
///        previews ok, previewDeposit(PROBE_ASSETS), previewMint(PROBE_SHARES), previewWithdraw(PROBE_ASSETS),
///        previewRedeem(PROBE_SHARES), convertToShares(PROBE_ASSETS), convertToAssets(PROBE_SHARES),
///        maxDeposit ok (maxDeposit(0) != 0), A, S;
///      - per account (ACCOUNT_WORDS + S words): token balance, collateral, equity, initial requirement,
///        maintenance requirement, health, priced, shares, maxWithdraw, maxRedeem, then its position in each
///        series in the order given;
///      - per series (SERIES_WORDS words): strike, expiry, isCall, vol, retired, mark ok, mark price, spot,
///        delta, vega, quote ok, bid premium for PROBE_OPTIONS, ask premium for PROBE_OPTIONS.
///      Warning: the lens loops over the arrays it is given; it is meant for off-chain reads (eth_call) only.
interface IProtocolLens {
    /// @notice Words in the header.
    function HEADER_WORDS() external view returns (uint256);

    /// @notice Fixed words per account before its positions.
    function ACCOUNT_WORDS() external view returns (uint256);

    /// @notice Words per series.
    function SERIES_WORDS() external view returns (uint256);

    /// @notice The whole protocol state in the flat layout described on the interface.
    /// @param engine The margin engine.
    /// @param market The option market.
    /// @param vault The liquidity vault.
    /// @param accounts Accounts to report (may include the vault itself).
    /// @param seriesIds Series to report.
    /// @param full When false, the costly probes (ERC-4626 previews and maxDeposit, per-account maxWithdraw and
    ///        maxRedeem, market quotes) are skipped and their words, `ok` words included, are zero.
    /// @return words The flat snapshot.
    function snapshot(
        IMarginEngine engine,
        IOptionMarket market,
        ILiquidityVault vault,
        address[] calldata accounts,
        uint256[] calldata seriesIds,
        bool full
    ) external view returns (int256[] memory words);
}
