// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ILiquidationEngine} from "../interfaces/ILiquidationEngine.sol";
import {IMarginEngine, IMarginEngineTypes} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title LiquidationEngine
/// @notice The liquidation module of the margin engine (wired once with `wireLiquidation`). See
///         {ILiquidationEngine}.
/// @dev Defences:
///      - the engine enforces the rules that protect the account (maintenance failed, health strictly rises or the
///        insolvent account's short in the series is closed in full, shortfall to the insurance fund then the
///        vault); this module cannot bend them, only choose amounts within them;
///      - the breaker gates every liquidation as RISK_REDUCING, fed with the router's own reading, so a HALTED or
///        paused market refuses it; a FAILED oracle or a spot older than `maxSpotAge` refuses it here first, and
///        the engine refuses any other failed price of the account;
///      - every parameter is bounded by constants, and the batch by `MAX_BATCH` (bounded gas).
contract LiquidationEngine is AccessManaged, ReentrancyGuardTransient, ILiquidationEngine {
    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    uint256 private constant WAD = 1e18;
    /// @notice Largest batch.
    uint256 public constant MAX_BATCH = 20;
    /// @notice Bounds of the policy.
    uint256 public constant MIN_CLOSE_FACTOR = 0.1e18;
    uint256 public constant MAX_DUST = 10e18;
    uint256 public constant MAX_PENALTY_RATE = 0.1e18;
    uint256 public constant MAX_FEE_RATE = 0.1e18;
    uint256 public constant MAX_FEE_SLOPE = 1e14;
    uint256 public constant MIN_SPOT_AGE = 60;
    uint256 public constant MAX_SPOT_AGE = 1 days;

    /* ------------------------------------------------------------------ */
    /*                               STORAGE                              */
    /* ------------------------------------------------------------------ */

    /// @notice The margin engine.
    IMarginEngine public immutable engine;
    /// @notice The oracle router.
    IOracleRouter public immutable router;
    /// @notice The circuit breaker (this contract must hold its GATED role).
    ICircuitBreaker public immutable breaker;

    Params private _params;
    mapping(address account => uint64 since) private _unhealthySince;

    /// @param engine_ The margin engine.
    /// @param breaker_ The circuit breaker.
    /// @param initialAuthority The AccessManager.
    /// @param params_ Initial policy (bounded).
    constructor(IMarginEngine engine_, ICircuitBreaker breaker_, address initialAuthority, Params memory params_)
        AccessManaged(initialAuthority)
    {
        if (address(engine_) == address(0)) revert LiquidationInvalidAddress(address(0));
        if (address(breaker_) == address(0)) revert LiquidationInvalidAddress(address(0));
        engine = engine_;
        router = engine_.oracle();
        breaker = breaker_;
        _setParams(params_);
    }

    /* ------------------------------------------------------------------ */
    /*                             LIQUIDATION                            */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc ILiquidationEngine
    function liquidate(address account, uint256 seriesId, uint256 amount)
        external
        nonReentrant
        returns (IMarginEngine.LiquidationOutcome memory outcome)
    {
        return _liquidate(account, seriesId, amount, msg.sender);
    }

    /// @inheritdoc ILiquidationEngine
    function liquidateMany(Item[] calldata items) external nonReentrant returns (uint256 done) {
        uint256 length = items.length;
        if (length == 0 || length > MAX_BATCH) revert LiquidationBatchTooLarge(length, MAX_BATCH);
        for (uint256 i; i < length; ++i) {
            Item calldata item = items[i];
            try this.liquidateFor(item, msg.sender) {
                ++done;
            } catch (bytes memory reason) {
                emit LiquidationSkipped(item.account, item.seriesId, reason);
            }
        }
    }

    /// @inheritdoc ILiquidationEngine
    function liquidateFor(Item calldata item, address liquidator)
        external
        returns (IMarginEngine.LiquidationOutcome memory outcome)
    {
        // Only reachable from `liquidateMany`, which holds the reentrancy lock for the whole batch.
        if (msg.sender != address(this)) revert LiquidationOnlySelf(msg.sender);
        return _liquidate(item.account, item.seriesId, item.amount, liquidator);
    }

    /// @inheritdoc ILiquidationEngine
    function flag(address account) external nonReentrant returns (uint64 since) {
        IMarginEngineTypes.AccountHealth memory h = engine.accountHealth(account);
        if (!h.priced) revert LiquidationOracleFailed(bytes32(0), 0);
        since = _unhealthySince[account];
        if (h.health < WAD) {
            if (since == 0) {
                since = uint64(block.timestamp);
                _unhealthySince[account] = since;
                emit AccountFlagged(account, since);
            }
        } else {
            if (since == 0) revert LiquidationAccountHealthy(account, h.health);
            delete _unhealthySince[account];
            emit AccountUnflagged(account);
            since = 0;
        }
    }

    /* ------------------------------------------------------------------ */
    /*                               RISK ROLE                            */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc ILiquidationEngine
    function setParams(Params calldata params_) external restricted {
        _setParams(params_);
    }

    /* ------------------------------------------------------------------ */
    /*                                 VIEWS                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc ILiquidationEngine
    function feeRateOf(address account) external view returns (uint256) {
        return _feeRate(_params, _unhealthySince[account]);
    }

    /// @inheritdoc ILiquidationEngine
    function unhealthySince(address account) external view returns (uint64) {
        return _unhealthySince[account];
    }

    /// @inheritdoc ILiquidationEngine
    function params() external view returns (Params memory) {
        return _params;
    }

    /* ------------------------------------------------------------------ */
    /*                               INTERNALS                            */
    /* ------------------------------------------------------------------ */

    /// @dev One liquidation: oracle and breaker checks, the Dutch-auction fee, the engine hook, the stamp.
    function _liquidate(address account, uint256 seriesId, uint256 amount, address liquidator)
        private
        returns (IMarginEngine.LiquidationOutcome memory r)
    {
        // --- Checks ---
        if (amount == 0) revert LiquidationZeroAmount();
        Params memory p = _params;
        IMarginEngineTypes.Series memory s = engine.getSeries(seriesId);
        IOracleRouter.SpotReading memory spot = router.getSpot(s.underlying);
        if (spot.status == IOracleRouter.Status.FAILED) revert LiquidationOracleFailed(s.underlying, spot.reasons);
        if (block.timestamp > uint256(spot.updatedAt) + p.maxSpotAge) {
            revert LiquidationOracleStale(s.underlying, spot.updatedAt, p.maxSpotAge);
        }
        breaker.checkAction(s.underlying, ICircuitBreaker.ActionClass.RISK_REDUCING, spot.price, spot.status);

        // --- Effects: the unhealthy stamp (a first attempt starts the auction at the base fee) ---
        uint64 since = _unhealthySince[account];
        if (since == 0) {
            since = uint64(block.timestamp);
            _unhealthySince[account] = since;
            emit AccountFlagged(account, since);
        }
        // Notional per option (WAD quote): a put never costs its writer more than its strike.
        uint256 notional = s.isCall || spot.price < s.strike ? spot.price : s.strike;
        // Cannot truncate: notional <= 1e30 (pricing domain) and both rates <= 0.1e18, so each product over WAD
        // is below 2^128.
        IMarginEngineTypes.LiquidationOrder memory order = IMarginEngineTypes.LiquidationOrder({
            account: account,
            seriesId: seriesId,
            amount: amount,
            feeRecipient: liquidator,
            closeFactor: p.closeFactor,
            insuranceShare: p.insuranceShare,
            feePerOption: uint128((notional * _feeRate(p, since)) / WAD),
            penaltyPerOption: uint128((notional * p.penaltyRate + WAD - 1) / WAD),
            dustAmount: p.dustAmount
        });

        // --- Interactions (the engine is trusted code fixed at deployment) ---
        r = engine.liquidatePosition(order);
        if (r.healthAfter >= WAD) {
            delete _unhealthySince[account];
            emit AccountUnflagged(account);
        }
        _emitLiquidated(account, seriesId, liquidator, r);
    }

    /// @dev Emits the full record of a liquidation.
    function _emitLiquidated(
        address account,
        uint256 seriesId,
        address liquidator,
        IMarginEngine.LiquidationOutcome memory r
    ) private {
        emit Liquidated(
            account,
            seriesId,
            liquidator,
            r.closed,
            r.markValue,
            r.penalty,
            r.fee,
            r.insuranceCover,
            r.badDebt,
            r.healthBefore,
            r.healthAfter
        );
    }

    /// @dev base + slope x elapsed, capped; the base alone before any stamp.
    function _feeRate(Params memory p, uint64 since) private view returns (uint256 rate) {
        if (since == 0) return p.baseFeeRate;
        rate = uint256(p.baseFeeRate) + uint256(p.feeSlopePerSecond) * (block.timestamp - since);
        if (rate > p.maxFeeRate) rate = p.maxFeeRate;
    }

    /// @dev Bounds and stores the policy.
    function _setParams(Params memory p) private {
        _checkRange("closeFactor", p.closeFactor, MIN_CLOSE_FACTOR, WAD);
        _checkRange("dustAmount", p.dustAmount, 0, MAX_DUST);
        _checkRange("penaltyRate", p.penaltyRate, 0, MAX_PENALTY_RATE);
        _checkRange("maxFeeRate", p.maxFeeRate, 0, MAX_FEE_RATE);
        _checkRange("baseFeeRate", p.baseFeeRate, 0, p.maxFeeRate);
        _checkRange("feeSlopePerSecond", p.feeSlopePerSecond, 0, MAX_FEE_SLOPE);
        _checkRange("insuranceShare", p.insuranceShare, 0, WAD);
        _checkRange("maxSpotAge", p.maxSpotAge, MIN_SPOT_AGE, MAX_SPOT_AGE);
        Params memory old = _params;
        _params = p;
        emit LiquidationParamsSet(old, p);
    }

    /// @dev Reverts with `LiquidationParameterOutOfRange` unless min <= value <= max.
    function _checkRange(bytes32 parameter, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert LiquidationParameterOutOfRange(parameter, value, min, max);
    }
}
