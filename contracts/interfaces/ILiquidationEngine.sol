// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IMarginEngine} from "./IMarginEngine.sol";

/// @title ILiquidationEngine
/// @notice Permissionless liquidation of accounts that fail maintenance margin. The caller closes part of an
///         account's short against the vault at mark price; the account pays a penalty (vault and insurance fund)
///         and a fee to the caller that rises with the time since the account was flagged unhealthy (a bounded
///         Dutch auction). The margin engine enforces the health rule; this module adds the policy (close factor,
///         dust, fee curve), the breaker gate and the oracle checks, and a batch entry point.
/// @dev Liquidators need no capital and no inventory: they only receive the fee, credited as engine collateral.
///      Warning: `unhealthySince` is set by `flag` or by a liquidation that leaves the account unhealthy, and cleared
///      by `flag` once healthy or by a liquidation that restores health. A liquidation of an unstamped account pays
///      the base fee whatever it leaves, so a first liquidation that heals the account never stamps it. An account
///      healed by a deposit keeps its stamp until someone calls `flag`; a later episode may then start with a higher
///      fee (still capped by `maxFeeRate`).
interface ILiquidationEngine {
    /// @notice Liquidation policy, each field bounded by the module's constants.
    /// @param closeFactor Largest fraction (WAD) of a short one call may close.
    /// @param dustAmount Options: a short or rest smaller than this is closed in full.
    /// @param penaltyRate Penalty, WAD fraction of the closed notional (spot, or min(spot, strike) for a put).
    /// @param baseFeeRate Liquidator fee at the moment the account was flagged, WAD fraction of the notional.
    /// @param feeSlopePerSecond Fee rate added per second since the flag (WAD per second).
    /// @param maxFeeRate Cap of the fee rate (WAD).
    /// @param insuranceShare Fraction (WAD) of the penalty credited to the insurance fund.
    /// @param maxSpotAge Oldest spot (seconds) of the series' underlying a liquidation may use.
    struct Params {
        uint64 closeFactor;
        uint64 dustAmount;
        uint64 penaltyRate;
        uint64 baseFeeRate;
        uint64 feeSlopePerSecond;
        uint64 maxFeeRate;
        uint64 insuranceShare;
        uint32 maxSpotAge;
    }

    /// @notice One item of a batch.
    struct Item {
        address account;
        uint256 seriesId;
        uint256 amount;
    }

    /// @notice `account` was stamped unhealthy at `since`.
    event AccountFlagged(address indexed account, uint64 since);

    /// @notice `account`'s unhealthy stamp was cleared (it meets maintenance again).
    event AccountUnflagged(address indexed account);

    /// @notice `liquidator` closed `closed` options of `account`'s short in `seriesId`.
    /// @param markValue Paid by the account to the vault at mark (quote units).
    /// @param penalty Paid to the vault and the insurance fund.
    /// @param fee Credited to `liquidator` in the engine.
    /// @param insuranceCover Shortfall paid by the insurance fund.
    /// @param badDebt Shortfall socialised to the vault.
    event Liquidated(
        address indexed account,
        uint256 indexed seriesId,
        address indexed liquidator,
        uint256 closed,
        uint256 markValue,
        uint256 penalty,
        uint256 fee,
        uint256 insuranceCover,
        uint256 badDebt,
        uint256 healthBefore,
        uint256 healthAfter
    );

    /// @notice A batch item failed and was skipped; `reason` is the revert data.
    event LiquidationSkipped(address indexed account, uint256 indexed seriesId, bytes reason);

    /// @notice The policy changed.
    event LiquidationParamsSet(Params oldParams, Params newParams);

    /// @dev Fires when a parameter (`parameter`) is outside [min, max].
    error LiquidationParameterOutOfRange(bytes32 parameter, uint256 value, uint256 min, uint256 max);

    /// @dev Fires when a constructor address is zero.
    error LiquidationInvalidAddress(address value);

    /// @dev Fires when an amount that must be positive is zero.
    error LiquidationZeroAmount();

    /// @dev Fires when the router reports FAILED for `underlying` (`reasons` as reported).
    error LiquidationOracleFailed(bytes32 underlying, uint16 reasons);

    /// @dev Fires when the spot of `underlying` was last updated at `updatedAt`, older than `maxAge` seconds.
    error LiquidationOracleStale(bytes32 underlying, uint64 updatedAt, uint256 maxAge);

    /// @dev Fires when `flag` finds `account` healthy (`health` WAD) and not flagged.
    error LiquidationAccountHealthy(address account, uint256 health);

    /// @dev Fires when a batch holds `length` items, more than `max` (or none).
    error LiquidationBatchTooLarge(uint256 length, uint256 max);

    /// @notice Closes up to `amount` options of `account`'s short in `seriesId`; the fee goes to the caller.
    /// @dev Gated by the breaker as RISK_REDUCING (allowed in ACTIVE and REDUCE_ONLY). Reverts with
    ///      `LiquidationZeroAmount`, `LiquidationOracleFailed`, `LiquidationOracleStale`, the breaker's errors and
    ///      the engine's (`MarginNotLiquidatable`, `MarginNoPosition`, `MarginSeriesExpired`,
    ///      `MarginLiquidationNotHealthier`, `MarginOracleFailed`). An unstamped account pays the base fee and is
    ///      stamped (`AccountFlagged`) only if it stays unhealthy; a stamped one is cleared (`AccountUnflagged`) when
    ///      it comes out healthy.
    /// @return outcome What the engine did.
    function liquidate(address account, uint256 seriesId, uint256 amount)
        external
        returns (IMarginEngine.LiquidationOutcome memory outcome);

    /// @notice Liquidates each item independently; a failing item emits `LiquidationSkipped` with the revert data
    ///         `liquidate` would revert with, changes nothing, and the rest go on.
    /// @dev At most `MAX_BATCH` items (`LiquidationBatchTooLarge`). The fee of every item goes to the caller. The
    ///      series record, the spot reading and the breaker check are made once per distinct series or underlying of
    ///      the batch and shared by its items (same checks, same refusal for each item they refuse).
    /// @return done Number of items that succeeded.
    function liquidateMany(Item[] calldata items) external returns (uint256 done);

    /// @notice Stamps `account` unhealthy now if it fails maintenance and is not stamped, or clears its stamp if it
    ///         meets maintenance. Permissionless.
    /// @dev Reverts with `LiquidationAccountHealthy` for a healthy unstamped account and `LiquidationOracleFailed`
    ///      (underlying 0) when the engine cannot price it.
    /// @return since The stamp after the call (0 when cleared).
    function flag(address account) external returns (uint64 since);

    /// @notice Sets the policy. Meant for RISK; each field bounded (`LiquidationParameterOutOfRange`).
    function setParams(Params calldata params) external;

    /// @notice The fee rate (WAD) a liquidation of `account` would pay now.
    function feeRateOf(address account) external view returns (uint256);

    /// @notice When `account` was stamped unhealthy (0 when not).
    function unhealthySince(address account) external view returns (uint64);

    /// @notice The current policy.
    function params() external view returns (Params memory);
}
