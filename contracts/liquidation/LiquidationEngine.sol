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
///      - every parameter is bounded by constants, and the batch by `MAX_BATCH` (bounded gas);
///      - a batch reads each series record, spot and breaker answer once and hands every item of that series or
///        underlying the same answer; the engine call is the only step of an item that changes state, so a refused
///        item reverts nothing but its own engine call. A trip the breaker recorded while allowing the batch stays
///        recorded even if every item is then refused (the same trip any allowed call or `poke` would record).
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

    /// @dev What a liquidation call knows of one series: whether it may be liquidated now and, if so, the notional per
    ///      option (WAD quote), else the revert data that refuses it.
    struct Market {
        uint256 seriesId;
        bool open;
        uint256 notional;
        bytes reason;
    }

    /// @dev The gate of one underlying for one call: open with the router's spot, or the revert data that refuses it.
    struct Gate {
        bytes32 underlying;
        bool open;
        uint256 price;
        bytes reason;
    }

    /// @dev The series and underlyings one call has read, in the order it met them (the first `*Count` entries).
    struct Cache {
        Market[] markets;
        uint256 marketCount;
        Gate[] gates;
        uint256 gateCount;
    }

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
        // --- Checks ---
        if (amount == 0) revert LiquidationZeroAmount();
        Params memory p = _params;
        Market memory m = _marketOf(seriesId, p, _newCache(1));
        if (!m.open) _bubble(m.reason);
        // --- Interactions (the engine reverts a refused liquidation whole), then the stamp ---
        uint64 since = _unhealthySince[account];
        outcome = engine.liquidatePosition(_order(account, seriesId, amount, msg.sender, m.notional, since, p));
        _recordOutcome(account, seriesId, msg.sender, since, outcome);
    }

    /// @inheritdoc ILiquidationEngine
    /// @dev No self-call: the module's own checks run before, and its writes after, the engine call, which is the only
    ///      step that changes state and reverts whole when it refuses (caught here as the item's skip reason).
    ///      Items of one series share its record, and items of one underlying share the spot reading and the breaker's
    ///      answer: each is read once per batch (the first item of the series or underlying), and an item whose series
    ///      or market is refused is skipped with the same revert data a lone `liquidate` would revert with. Nothing
    ///      else of a batch is shared: each item is valued, checked and charged by the engine on its own, and the
    ///      engine's revert (its state changes undone) skips that item alone. The market's answer cannot change
    ///      within the batch: liquidations neither move a price nor feed the breaker.
    function liquidateMany(Item[] calldata items) external nonReentrant returns (uint256 done) {
        uint256 length = items.length;
        if (length == 0 || length > MAX_BATCH) revert LiquidationBatchTooLarge(length, MAX_BATCH);
        Params memory p = _params;
        Cache memory c = _newCache(length);
        for (uint256 i; i < length; ++i) {
            Item calldata item = items[i];
            bytes memory reason;
            if (item.amount == 0) {
                reason = abi.encodeWithSelector(LiquidationZeroAmount.selector);
            } else {
                Market memory m = _marketOf(item.seriesId, p, c);
                if (m.open) {
                    uint64 since = _unhealthySince[item.account];
                    try engine.liquidatePosition(
                        _order(item.account, item.seriesId, item.amount, msg.sender, m.notional, since, p)
                    ) returns (IMarginEngine.LiquidationOutcome memory r) {
                        _recordOutcome(item.account, item.seriesId, msg.sender, since, r);
                        ++done;
                        continue;
                    } catch (bytes memory engineReason) {
                        reason = engineReason;
                    }
                } else {
                    reason = m.reason;
                }
            }
            emit LiquidationSkipped(item.account, item.seriesId, reason);
        }
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

    /// @dev The series of `seriesId` as this call knows it: found among the series it has read, or read now and kept.
    ///      Refused with the revert data of the first check that fails: the series record (`MarginUnknownSeries`),
    ///      then its underlying's gate (`_gateOf`). Open, it carries the notional per option (WAD quote): a put never
    ///      costs its writer more than its strike. Linear search: a call holds at most MAX_BATCH series.
    function _marketOf(uint256 seriesId, Params memory p, Cache memory c) private returns (Market memory m) {
        uint256 count = c.marketCount;
        for (uint256 j; j < count; ++j) {
            if (c.markets[j].seriesId == seriesId) return c.markets[j];
        }
        m.seriesId = seriesId;
        try engine.getSeries(seriesId) returns (IMarginEngineTypes.Series memory s) {
            Gate memory g = _gateOf(s.underlying, p, c);
            m.open = g.open;
            m.reason = g.reason;
            m.notional = s.isCall || g.price < s.strike ? g.price : s.strike;
        } catch (bytes memory reason) {
            m.reason = reason;
        }
        c.markets[count] = m;
        // Cannot overflow: count < markets.length <= MAX_BATCH (one entry per distinct item series at most).
        unchecked {
            c.marketCount = count + 1;
        }
    }

    /// @dev The gate of `underlying` for this call: read once (the router's spot, then the breaker) and kept. Refused
    ///      with `LiquidationOracleFailed` for a FAILED reading, `LiquidationOracleStale` for a spot older than
    ///      `maxSpotAge`, or the router's or the breaker's own revert data. The breaker gates the action as
    ///      RISK_REDUCING with the router's own reading, so a HALTED or paused market refuses it (its revert also
    ///      undoes any trip it evaluated, as for a lone call).
    function _gateOf(bytes32 underlying, Params memory p, Cache memory c) private returns (Gate memory g) {
        uint256 count = c.gateCount;
        for (uint256 j; j < count; ++j) {
            if (c.gates[j].underlying == underlying) return c.gates[j];
        }
        g.underlying = underlying;
        try router.getSpot(underlying) returns (IOracleRouter.SpotReading memory spot) {
            if (spot.status == IOracleRouter.Status.FAILED) {
                g.reason = abi.encodeWithSelector(LiquidationOracleFailed.selector, underlying, spot.reasons);
            } else if (block.timestamp > uint256(spot.updatedAt) + p.maxSpotAge) {
                g.reason = abi.encodeWithSelector(
                    LiquidationOracleStale.selector, underlying, spot.updatedAt, uint256(p.maxSpotAge)
                );
            } else {
                try breaker.checkAction(underlying, ICircuitBreaker.ActionClass.RISK_REDUCING, spot.price, spot.status) {
                    g.open = true;
                    g.price = spot.price;
                } catch (bytes memory reason) {
                    g.reason = reason;
                }
            }
        } catch (bytes memory reason) {
            g.reason = reason;
        }
        c.gates[count] = g;
        // Cannot overflow: count < gates.length <= MAX_BATCH (one entry per distinct series' underlying at most).
        unchecked {
            c.gateCount = count + 1;
        }
    }

    /// @dev An empty cache for `size` series.
    function _newCache(uint256 size) private pure returns (Cache memory c) {
        c.markets = new Market[](size);
        c.gates = new Gate[](size);
    }

    /// @dev The engine order of one liquidation: the policy's bounds, and the fee (Dutch auction from `since`, the
    ///      base rate before any stamp) and penalty per option from the notional. Cannot truncate: notional <= 1e30
    ///      (pricing domain) and both rates <= 0.1e18, so each product over WAD is below 2^128.
    function _order(
        address account,
        uint256 seriesId,
        uint256 amount,
        address liquidator,
        uint256 notional,
        uint64 since,
        Params memory p
    ) private view returns (IMarginEngineTypes.LiquidationOrder memory) {
        return IMarginEngineTypes.LiquidationOrder({
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
    }

    /// @dev After a liquidation: the stamp (written when the account stays unhealthy and was not stamped, so the next
    ///      liquidation's fee rises from now; cleared when the account came out healthy), then the record.
    function _recordOutcome(
        address account,
        uint256 seriesId,
        address liquidator,
        uint64 since,
        IMarginEngine.LiquidationOutcome memory r
    ) private {
        if (r.healthAfter >= WAD) {
            if (since != 0) {
                delete _unhealthySince[account];
                emit AccountUnflagged(account);
            }
        } else if (since == 0) {
            _unhealthySince[account] = uint64(block.timestamp);
            emit AccountFlagged(account, uint64(block.timestamp));
        }
        _emitLiquidated(account, seriesId, liquidator, r);
    }

    /// @dev Reverts with `reason` as it was returned (a refused check's revert data).
    function _bubble(bytes memory reason) private pure {
        assembly ("memory-safe") {
            revert(add(reason, 0x20), mload(reason))
        }
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
