// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title VaultMath
/// @notice The ERC-4626 figures of the liquidity vault as pure functions of one valued state: NAV, share supply,
///         free margin and the circuit breaker's answers.
/// @dev The vault's public views read that state and call these functions; its `erc4626Snapshot` values the state
///      once and calls the same functions, so the two paths share every formula and every rounding direction.
///      Conversions use OpenZeppelin's virtual shares and assets (`supply + 10 ** DECIMALS_OFFSET` shares against
///      `nav + 1` assets, the vault's inflation-attack defence). Rounding favours the vault: shares minted and
///      assets paid round down, shares burned and assets pulled round up. `mulDiv` reverts only when a result does
///      not fit in 256 bits (`Math.mulDiv`'s own panic); every other function here cannot revert. The four named
///      directions call `mulDiv` with their rounding fixed (a plain `mulDiv` for down, which skips the remainder
///      test), the same results as `toShares`/`toAssets` with that rounding, for less gas.
library VaultMath {
    using Math for uint256;

    /// @notice Decimal offset of the virtual shares (shares carry this many more decimals than the asset).
    uint8 internal constant DECIMALS_OFFSET = 6;

    /// @dev Virtual shares added to the supply in every conversion.
    uint256 private constant VIRTUAL_SHARES = 10 ** DECIMALS_OFFSET;

    /* ------------------------------------------------------------------ */
    /*                               VALUATION                            */
    /* ------------------------------------------------------------------ */

    /// @notice NAV of an engine equity: clamped at zero.
    function navOf(int256 equity) internal pure returns (uint256) {
        return equity > 0 ? uint256(equity) : 0;
    }

    /// @notice Conversions are possible (outside a running call's snapshot): prices usable and equity not negative.
    function pricedOf(int256 equity, bool usable) internal pure returns (bool) {
        return usable && equity >= 0;
    }

    /// @notice Free margin the views may count: zero when the vault cannot be priced.
    function countedFreeOf(int256 equity, uint256 freeMargin, bool usable) internal pure returns (uint256) {
        return pricedOf(equity, usable) ? freeMargin : 0;
    }

    /* ------------------------------------------------------------------ */
    /*                              CONVERSIONS                           */
    /* ------------------------------------------------------------------ */

    /// @notice Shares worth `assets`, in `rounding`.
    function toShares(uint256 assets, uint256 supply, uint256 nav, Math.Rounding rounding)
        internal
        pure
        returns (uint256)
    {
        return assets.mulDiv(supply + VIRTUAL_SHARES, nav + 1, rounding);
    }

    /// @notice Assets worth `shares`, in `rounding`.
    function toAssets(uint256 shares, uint256 supply, uint256 nav, Math.Rounding rounding)
        internal
        pure
        returns (uint256)
    {
        return shares.mulDiv(nav + 1, supply + VIRTUAL_SHARES, rounding);
    }

    /// @notice Shares rounded down: `convertToShares`, `previewDeposit` (shares minted).
    function sharesDown(uint256 assets, uint256 supply, uint256 nav) internal pure returns (uint256) {
        return assets.mulDiv(supply + VIRTUAL_SHARES, nav + 1);
    }

    /// @notice Shares rounded up: `previewWithdraw` (shares burned).
    function sharesUp(uint256 assets, uint256 supply, uint256 nav) internal pure returns (uint256) {
        return assets.mulDiv(supply + VIRTUAL_SHARES, nav + 1, Math.Rounding.Ceil);
    }

    /// @notice Assets rounded down: `convertToAssets`, `previewRedeem` (assets paid), an owner's withdrawable assets.
    function assetsDown(uint256 shares, uint256 supply, uint256 nav) internal pure returns (uint256) {
        return shares.mulDiv(nav + 1, supply + VIRTUAL_SHARES);
    }

    /// @notice Assets rounded up: `previewMint` (assets pulled), the value reserved for queued shares.
    function assetsUp(uint256 shares, uint256 supply, uint256 nav) internal pure returns (uint256) {
        return shares.mulDiv(nav + 1, supply + VIRTUAL_SHARES, Math.Rounding.Ceil);
    }

    /* ------------------------------------------------------------------ */
    /*                                 LIMITS                             */
    /* ------------------------------------------------------------------ */

    /// @notice `maxDeposit`/`maxMint`: unlimited while deposits are open, else zero.
    function depositLimit(bool open) internal pure returns (uint256) {
        return open ? type(uint256).max : 0;
    }

    /// @notice `availableLiquidity`: counted free margin minus the value of the escrowed shares (rounded up, so the
    ///         queue is never under-reserved), floored at zero.
    function availableDown(uint256 free, uint256 escrowedShares, uint256 supply, uint256 nav)
        internal
        pure
        returns (uint256)
    {
        uint256 reserved = assetsUp(escrowedShares, supply, nav);
        return free > reserved ? free - reserved : 0;
    }

    /// @notice What synchronous exits may take: available liquidity capped by the outflow rate limit; zero while the
    ///         breaker refuses EXIT.
    function exitable(bool exitAllowed, uint256 available, uint256 outflowAvailable) internal pure returns (uint256) {
        if (!exitAllowed) return 0;
        return available < outflowAvailable ? available : outflowAvailable;
    }

    /// @notice `maxWithdraw`: the owner's assets (rounded down) capped by what exits may take.
    function maxWithdrawDown(uint256 shares, uint256 supply, uint256 nav, uint256 exitable_)
        internal
        pure
        returns (uint256)
    {
        uint256 own = assetsDown(shares, supply, nav);
        return own < exitable_ ? own : exitable_;
    }

    /// @notice `maxRedeem`: the owner's shares capped by the shares (rounded down) that what exits may take can pay.
    function maxRedeemDown(uint256 shares, uint256 supply, uint256 nav, uint256 exitable_)
        internal
        pure
        returns (uint256)
    {
        uint256 payable_ = sharesDown(exitable_, supply, nav);
        return shares < payable_ ? shares : payable_;
    }
}
