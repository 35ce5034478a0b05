// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ILiquidationEngine} from "../interfaces/ILiquidationEngine.sol";
import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOptionMarket} from "../interfaces/IOptionMarket.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {IInvariantLens} from "./IInvariantLens.sol";

/// @title InvariantLens
/// @notice See {IInvariantLens}. Holds no state and changes none.
contract InvariantLens is IInvariantLens {
    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IInvariantLens
    uint256 public constant HEADER_WORDS = 20;
    /// @inheritdoc IInvariantLens
    uint256 public constant ACCOUNT_WORDS = 11;
    /// @inheritdoc IInvariantLens
    uint256 public constant SERIES_WORDS = 13;
    /// @inheritdoc IInvariantLens
    uint256 public constant SCOPE_WORDS = 10;
    /// @inheritdoc IInvariantLens
    uint256 public constant SPOT_WORDS = 5;

    /// @dev Asset amount (quote units) the ERC-4626 preview probes use.
    uint256 private constant PROBE_ASSETS = 1_000e6;
    /// @dev Share amount the ERC-4626 preview probes use (shares carry 6 extra decimals of offset).
    uint256 private constant PROBE_SHARES = 1_000e12;
    /// @dev Option amount the quote probes use.
    int256 private constant PROBE_OPTIONS = 1e18;

    /// @dev The contracts an account section reads, and the vault's per-owner limits, grouped to keep the stack
    ///      shallow.
    struct Reads {
        IMarginEngine engine;
        ILiquidityVault vault;
        IERC20 token;
        ILiquidationEngine liquidation;
        uint256[] maxWithdraw;
        uint256[] maxRedeem;
    }

    /* ------------------------------------------------------------------ */
    /*                               SNAPSHOT                             */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IInvariantLens
    function snapshot(
        Targets calldata t,
        address[] calldata accounts,
        uint256 holders,
        uint256[] calldata seriesIds,
        bool full
    ) external view returns (int256[] memory words) {
        uint256 s = seriesIds.length;
        words = new int256[](
            HEADER_WORDS + accounts.length * (ACCOUNT_WORDS + s) + s * SERIES_WORDS + 2 * SCOPE_WORDS + 2 + SPOT_WORDS
        );
        holders = full ? _min(holders, accounts.length) : 0;
        ILiquidityVault.ERC4626Snapshot memory v = _vaultFigures(t.vault, accounts[:holders], full);
        _header(words, t, v, accounts.length, s, full);
        uint256 at = _accounts(words, t, v, accounts, seriesIds);
        for (uint256 j = 0; j < s; ++j) {
            at = _series(words, at, t, seriesIds[j], full);
        }
        at = _scope(words, at, t.breaker, t.underlying);
        at = _scope(words, at, t.breaker, bytes32(0));
        words[at++] = Pausable(address(t.breaker)).paused() ? int256(1) : int256(0);
        words[at++] = t.engine.breakerReportedUnpaused() ? int256(1) : int256(0);
        _spot(words, at, t.router, t.underlying);
    }

    /* ------------------------------------------------------------------ */
    /*                               SECTIONS                             */
    /* ------------------------------------------------------------------ */

    /// @dev The vault's ERC-4626 figures from one valuation: the holders' limits and, when `full`, one probe of each
    ///      kind (the vault computes each through the same internal function as the view it stands for).
    function _vaultFigures(ILiquidityVault vault, address[] calldata holders, bool full)
        private
        view
        returns (ILiquidityVault.ERC4626Snapshot memory)
    {
        uint256[] memory assetProbes = new uint256[](full ? 1 : 0);
        uint256[] memory shareProbes = new uint256[](full ? 1 : 0);
        if (full) {
            assetProbes[0] = PROBE_ASSETS;
            shareProbes[0] = PROBE_SHARES;
        }
        return vault.erc4626Snapshot(holders, assetProbes, shareProbes);
    }

    function _header(
        int256[] memory w,
        Targets calldata t,
        ILiquidityVault.ERC4626Snapshot memory v,
        uint256 a,
        uint256 s,
        bool full
    ) private view {
        w[0] = _i(block.timestamp);
        (uint256 eb, uint256 eo) = t.engine.conservation();
        w[1] = _i(eb);
        w[2] = _i(eo);
        (uint256 vb, uint256 vc) = t.vault.conservation();
        w[3] = _i(vb);
        w[4] = _i(vc);
        w[5] = _i(v.totalSupply);
        w[6] = _i(v.totalAssets);
        w[7] = _i(v.availableLiquidity);
        (uint256 head, uint256 tail) = t.vault.redeemQueue();
        w[8] = _i(head);
        w[9] = _i(tail);
        if (full) {
            w[10] = 1;
            w[11] = _i(v.previewDeposit[0]);
            w[12] = _i(v.previewMint[0]);
            w[13] = _i(v.previewWithdraw[0]);
            w[14] = _i(v.previewRedeem[0]);
            w[15] = _i(v.convertToShares[0]);
            w[16] = _i(v.convertToAssets[0]);
            w[17] = v.maxDeposit != 0 ? int256(1) : int256(0);
        }
        w[18] = _i(a);
        w[19] = _i(s);
    }

    function _accounts(
        int256[] memory w,
        Targets calldata t,
        ILiquidityVault.ERC4626Snapshot memory v,
        address[] calldata accounts,
        uint256[] calldata seriesIds
    ) private view returns (uint256 at) {
        Reads memory r = Reads(t.engine, t.vault, IERC20(t.vault.asset()), t.liquidation, v.maxWithdraw, v.maxRedeem);
        at = HEADER_WORDS;
        for (uint256 i = 0; i < accounts.length; ++i) {
            at = _account(w, at, r, accounts[i], seriesIds, i);
        }
    }

    function _account(
        int256[] memory w,
        uint256 at,
        Reads memory r,
        address account,
        uint256[] calldata seriesIds,
        uint256 index
    ) private view returns (uint256) {
        IMarginEngine.AccountHealth memory h = r.engine.accountHealth(account);
        w[at] = _i(r.token.balanceOf(account));
        w[at + 1] = _i(h.collateral);
        w[at + 2] = h.equity;
        w[at + 3] = _i(h.initialRequirement);
        w[at + 4] = _i(h.maintenanceRequirement);
        // A zero requirement reports type(uint256).max; it is clamped so the word stays a valid int256.
        w[at + 5] = h.health > uint256(type(int256).max) ? type(int256).max : int256(h.health);
        w[at + 6] = h.priced ? int256(1) : int256(0);
        w[at + 7] = _i(r.vault.balanceOf(account));
        if (index < r.maxWithdraw.length) {
            w[at + 8] = _i(r.maxWithdraw[index]);
            w[at + 9] = _i(r.maxRedeem[index]);
        }
        w[at + 10] = _i(r.liquidation.unhealthySince(account));
        at += ACCOUNT_WORDS;
        for (uint256 j = 0; j < seriesIds.length; ++j) {
            w[at + j] = r.engine.positionOf(account, seriesIds[j]);
        }
        return at + seriesIds.length;
    }

    function _series(int256[] memory w, uint256 at, Targets calldata t, uint256 id, bool full)
        private
        view
        returns (uint256)
    {
        IMarginEngine.Series memory s = t.engine.getSeries(id);
        w[at] = _i(s.strike);
        w[at + 1] = _i(s.expiry);
        w[at + 2] = s.isCall ? int256(1) : int256(0);
        w[at + 3] = _i(s.vol);
        w[at + 4] = s.retired ? int256(1) : int256(0);
        try t.engine.markOf(id) returns (IMarginEngine.SeriesMark memory m) {
            w[at + 5] = 1;
            w[at + 6] = _i(m.price);
            w[at + 7] = _i(m.spot);
            w[at + 8] = m.delta;
            w[at + 9] = _i(m.vega);
        } catch {
            return at + SERIES_WORDS;
        }
        if (!full) return at + SERIES_WORDS;
        IOptionMarket market = t.market;
        try market.quote(id, -PROBE_OPTIONS) returns (IOptionMarket.Quote memory bid) {
            w[at + 11] = _i(bid.premium);
            w[at + 12] = _i(market.quote(id, PROBE_OPTIONS).premium);
            w[at + 10] = 1;
        } catch {
            return at + SERIES_WORDS;
        }
        return at + SERIES_WORDS;
    }

    function _scope(int256[] memory w, uint256 at, ICircuitBreaker breaker, bytes32 scope)
        private
        view
        returns (uint256)
    {
        ICircuitBreaker.ScopeState memory s = breaker.scopeState(scope);
        w[at] = _i(uint256(s.manualMode));
        w[at + 1] = _i(uint256(s.autoMode));
        w[at + 2] = _i(uint256(s.autoReason));
        w[at + 3] = s.clearing ? int256(1) : int256(0);
        w[at + 4] = _i(s.globalLevel);
        w[at + 5] = _i(s.moveLimitBps);
        w[at + 6] = _i(s.window);
        w[at + 7] = _i(s.windowStart);
        w[at + 8] = _i(s.coolUntil);
        w[at + 9] = _i(s.refPrice);
        return at + SCOPE_WORDS;
    }

    function _spot(int256[] memory w, uint256 at, IOracleRouter router, bytes32 underlying) private view {
        IOracleRouter.SpotReading memory r = router.getSpot(underlying);
        w[at] = _i(r.price);
        w[at + 1] = _i(uint256(r.status));
        w[at + 2] = _i(r.reasons);
        w[at + 3] = _i(r.validSources);
        w[at + 4] = _i(r.updatedAt);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev Every value read here is a token amount, timestamp, price, enum or count far below 2^255.
    function _i(uint256 x) private pure returns (int256) {
        return int256(x);
    }
}
