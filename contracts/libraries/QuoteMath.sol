// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title QuoteMath
/// @notice Bid and ask of an option from its mark, a relative spread and a fee, and premiums in quote units.
///         Every function names its rounding direction; the direction always favours the vault (the protocol):
///         what a trader pays is rounded up, what a trader receives is rounded down.
/// @dev Fee per option = min(feeRate x spot, feeCap x mark): a notional fee capped at a fraction of the option's
///      value, so cheap far out-of-the-money options are not dominated by the fee.
///      Bounds the callers guarantee: mark and spot <= 2^101, spread, feeRate and feeCap <= 1e18, amounts < 2^95.
library QuoteMath {
    /// @notice One unit in 18-decimal fixed point.
    uint256 internal constant WAD = 1e18;

    /// @notice Fee per option (WAD quote), rounded up.
    function feePerOptionUp(uint256 mark, uint256 spot, uint256 feeRate, uint256 feeCap) internal pure returns (uint256) {
        // Cannot overflow: every factor is below 2^101 and every rate at most 1e18 < 2^60.
        unchecked {
            uint256 notionalFee = (spot * feeRate + WAD - 1) / WAD;
            uint256 cap = (mark * feeCap + WAD - 1) / WAD;
            return notionalFee < cap ? notionalFee : cap;
        }
    }

    /// @notice Ask per option (WAD quote): mark (1 + spread) + fee, rounded up.
    function askPerOptionUp(uint256 mark, uint256 spot, uint256 spread, uint256 feeRate, uint256 feeCap)
        internal
        pure
        returns (uint256)
    {
        // Cannot overflow: see the library bounds.
        unchecked {
            return mark + (mark * spread + WAD - 1) / WAD + feePerOptionUp(mark, spot, feeRate, feeCap);
        }
    }

    /// @notice Bid per option (WAD quote): mark (1 - spread) - fee, rounded down and floored at zero.
    function bidPerOptionDown(uint256 mark, uint256 spot, uint256 spread, uint256 feeRate, uint256 feeCap)
        internal
        pure
        returns (uint256)
    {
        // Cannot overflow: see the library bounds; the subtraction is guarded by the comparison.
        unchecked {
            uint256 deduction = (mark * spread + WAD - 1) / WAD + feePerOptionUp(mark, spot, feeRate, feeCap);
            return mark > deduction ? mark - deduction : 0;
        }
    }

    /// @notice Premium in quote units of `amount` options at `perOption` (WAD), rounded up.
    /// @param scale 10^(18 - quote decimals).
    function premiumUp(uint256 perOption, uint256 amount, uint256 scale) internal pure returns (uint256) {
        // Cannot overflow: perOption < 2^102 and amount < 2^95.
        unchecked {
            uint256 denominator = WAD * scale;
            return (perOption * amount + denominator - 1) / denominator;
        }
    }

    /// @notice Premium in quote units of `amount` options at `perOption` (WAD), rounded down.
    function premiumDown(uint256 perOption, uint256 amount, uint256 scale) internal pure returns (uint256) {
        // Cannot overflow: see `premiumUp`.
        unchecked {
            return (perOption * amount) / (WAD * scale);
        }
    }
}
