// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IMarginEngineCore} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {MarginEngineExtension} from "./MarginEngineExtension.sol";
import {MarginValuation} from "./MarginValuation.sol";
import {PositionBook} from "./PositionBook.sol";

/// @title MarginEngine
/// @notice Holds every quote token of the trading core, the accounts (collateral and positions), the margin
///         checks and settlement. See {IMarginEngine} for the margin model.
/// @dev This contract implements the hot paths ({IMarginEngineCore}); its fallback delegate-calls the fixed
///      `MarginEngineExtension` for configuration, the series registry and the views ({IMarginEngineExtension}),
///      which keeps each contract under the code-size limit without an extra call on any trade, settlement or
///      vault path. The extension address is an immutable: nothing can ever swap the code the engine runs.
///
///      Who may change what:
///      - anyone: deposit for any account, withdraw its own free collateral, settle any expired position, retire
///        an empty expired series;
///      - the market (wired once): register series, set their volatility, apply trades;
///      - the vault (wired once): snapshot, credit and withdraw the vault's own account;
///      - RISK (through the AccessManager): margin parameters, the rate and the underlyings, each bounded;
///      - ADMIN: the one-shot `wire`.
///      No role can move a user's collateral or positions: restricted functions only touch parameters, and the
///      modules that move positions are fixed for ever by `wire`.
///      Positions always sum to zero per series (the vault is the counterparty of every trade and settlement).
contract MarginEngine is MarginValuation, AccessManaged, ReentrancyGuardTransient, IMarginEngineCore {
    using PositionBook for PositionBook.Book;
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev One account's side of a position transfer, edited in memory and written back by `_commit`. This is
    ///      the primitive every position change uses (trades, settlement, and the liquidation hand-over to come).
    struct Side {
        address account;
        AccountData data;
        PositionBook.Book book;
        int256 oldAmount;
        int256 newAmount;
    }

    /// @dev One liquidation's working state, in memory across its three steps.
    struct Liquidation {
        Side a;
        Ctx ctx;
        Valuation val;
        MarginParams p;
        MarginMath.Line line;
        uint256 index;
        uint256 paidMark;
    }

    /// @dev The extension every other selector is delegated to.
    address private immutable _extension;

    /// @dev The circuit breaker. An immutable: no role can re-point the gate (nor the market and vault, which copy
    ///      it from here at their construction) to a contract of its choosing.
    ICircuitBreaker private immutable _breaker;

    /// @param quoteToken_ The quote token (its `decimals()` must be at most 18).
    /// @param oracle_ The oracle router.
    /// @param extension_ A `MarginEngineExtension` built with the same token and oracle.
    /// @param initialAuthority The AccessManager.
    /// @param params Initial margin parameters (bounded).
    /// @param rate Initial risk-free rate (bounded).
    /// @param breaker_ The circuit breaker; it must watch the same oracle router.
    constructor(
        IERC20 quoteToken_,
        IOracleRouter oracle_,
        MarginEngineExtension extension_,
        address initialAuthority,
        MarginParams memory params,
        uint256 rate,
        ICircuitBreaker breaker_
    )
        MarginValuation(quoteToken_, oracle_, IERC20Metadata(address(quoteToken_)).decimals())
        AccessManaged(initialAuthority)
    {
        (IERC20 extToken, IOracleRouter extOracle, uint256 extScale) = extension_.extensionImmutables();
        if (extToken != quoteToken_ || extOracle != oracle_ || extScale != _scale) {
            revert MarginExtensionMismatch(address(extension_));
        }
        _extension = address(extension_);
        if (address(breaker_).code.length == 0 || breaker_.router() != oracle_) {
            revert MarginBreakerMismatch(address(breaker_), address(oracle_));
        }
        _breaker = breaker_;
        _setMarginParams(params);
        _setRiskFreeRate(rate);
    }

    /// @notice Runs every selector this contract does not implement in the extension, on this contract's storage.
    fallback() external {
        _delegateToExtension();
    }

    /// @inheritdoc IMarginEngineCore
    function extension() external view returns (address) {
        return _extension;
    }

    /// @inheritdoc IMarginEngineCore
    function breaker() external view returns (ICircuitBreaker) {
        return _breaker;
    }

    /// @inheritdoc IMarginEngineCore
    function getSeries(uint256 seriesId) external view returns (Series memory) {
        SeriesData memory s = _requireSeries(seriesId);
        return Series({
            underlying: _underlyingIds[s.underlying],
            strike: s.strike,
            expiry: s.expiry,
            isCall: s.isCall,
            vol: s.vol,
            retired: s.retired
        });
    }

    /* ------------------------------------------------------------------ */
    /*                               MODIFIERS                            */
    /* ------------------------------------------------------------------ */

    /// @dev Restricts a hook to the wired market.
    modifier onlyMarket() {
        if (msg.sender != _wiring.market || msg.sender == address(0)) revert MarginUnauthorizedCaller(msg.sender);
        _;
    }

    /// @dev Restricts a hook to the wired vault.
    modifier onlyVault() {
        if (msg.sender != _registry.vault || msg.sender == address(0)) revert MarginUnauthorizedCaller(msg.sender);
        _;
    }

    /* ------------------------------------------------------------------ */
    /*                              COLLATERAL                            */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IMarginEngineCore
    function deposit(address account, uint256 amount) external nonReentrant {
        // --- Checks ---
        _breaker.checkGlobal(ICircuitBreaker.ActionClass.RISK_REDUCING);
        if (amount == 0) revert MarginZeroAmount(account);
        address vault_ = _registry.vault;
        // No collateral before wiring: `wire` therefore always runs before any user funds exist.
        if (vault_ == address(0)) revert MarginNotWired(msg.sender);
        if (account == address(0) || account == vault_) revert MarginInvalidAccount(account);
        // --- Effects ---
        AccountData memory a = _loadAccount(account);
        a.collateral = (uint256(a.collateral) + amount).toUint128();
        _register(account, a);
        _storeAccount(account, a);
        _totalCollateral += amount;
        emit CollateralDeposited(account, msg.sender, amount);
        // --- Interactions ---
        _quoteToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IMarginEngineCore
    function withdraw(uint256 amount, address to) external nonReentrant {
        // --- Checks ---
        _breaker.checkGlobal(ICircuitBreaker.ActionClass.EXIT);
        if (amount == 0) revert MarginZeroAmount(msg.sender);
        if (to == address(0)) revert MarginInvalidAddress(to);
        address account = msg.sender;
        if (account == _registry.vault) revert MarginInvalidAccount(account);
        AccountData memory a = _loadAccount(account);
        if (a.collateral < amount) revert MarginInsufficientCollateral(account, a.collateral, amount);
        // Cannot underflow: checked just above.
        unchecked {
            a.collateral -= uint128(amount);
        }
        if (a.count != 0) {
            PositionBook.Book memory b = _loadBook(account, a.count);
            // A long-only account can never owe anything: only shorts need the margin check.
            if (b.shortCount() != 0) {
                Ctx memory ctx = _newCtx();
                _requireInitial(account, a.collateral, _valuation(b, ctx), ctx);
            }
        }
        // --- Effects ---
        _storeAccount(account, a);
        _totalCollateral -= amount;
        emit CollateralWithdrawn(account, to, amount);
        // --- Interactions ---
        _quoteToken.safeTransfer(to, amount);
    }

    /* ------------------------------------------------------------------ */
    /*                                TRADES                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IMarginEngineCore
    function markSeries(uint256 seriesId) external onlyMarket returns (SeriesMark memory mark) {
        _requireSeries(seriesId);
        Ctx memory ctx = _newCtx();
        (MarginMath.Line memory line, bool computed) = _line(seriesId, 1, ctx);
        _requirePriced(ctx);
        _persistSpots(ctx);
        if (computed) _storeMark(seriesId, line, ctx.epoch);
        SeriesData memory s = _loadSeries(seriesId);
        mark = SeriesMark({
            underlying: _underlyingIds[s.underlying],
            expiry: s.expiry,
            spot: ctx.spots[s.underlying],
            price: line.price,
            delta: line.delta,
            vega: line.vega,
            status: _spotStatus(s.underlying, ctx)
        });
    }

    /// @inheritdoc IMarginEngineCore
    function applyTrade(address trader, uint256 seriesId, int256 amount, uint256 premium)
        external
        onlyMarket
        nonReentrant
        returns (TradeOutcome memory outcome)
    {
        // --- Checks ---
        address vault_ = _registry.vault;
        if (trader == vault_ || trader == address(0)) revert MarginInvalidAccount(trader);
        if (amount == 0) revert MarginZeroAmount(trader);
        SeriesData memory s = _requireSeries(seriesId);
        if (block.timestamp >= s.expiry) revert MarginSeriesExpired(seriesId, s.expiry);

        // --- Effects (all internal; a failed margin check below reverts them all) ---
        Side memory t = _loadSide(trader);
        _move(t, seriesId, amount, MAX_TRADER_SERIES);
        Side memory v = _loadSide(vault_);
        _move(v, seriesId, -amount, MAX_VAULT_SERIES);
        if (amount > 0) _pay(t, v, premium);
        else _pay(v, t, premium);
        _commit(t);
        _commit(v);
        _updateHolders(seriesId, t.oldAmount, t.newAmount);
        _clearVaultFree();
        emit TradeApplied(trader, seriesId, amount, premium, t.newAmount, v.newAmount);

        // --- Margin checks ---
        Ctx memory ctx = _newCtx();
        // A buy that only shrinks a short, or any trade leaving the trader long-only, cannot add risk.
        bool shrinksShort = t.oldAmount < 0 && amount > 0 && t.newAmount <= 0;
        if (!shrinksShort && t.book.shortCount() != 0) {
            Valuation memory tv = _valuation(t.book, ctx);
            _requireInitial(trader, t.data.collateral, tv, ctx);
            _persist(tv, ctx);
        }
        if (_abs(v.newAmount) > _abs(v.oldAmount)) {
            Valuation memory vv = _valuation(v.book, ctx);
            _requireInitial(vault_, v.data.collateral, vv, ctx);
            _persist(vv, ctx);
            (outcome.vaultNetDelta, outcome.vaultNetVega) = MarginMath.netGreeks(vv.lines, vv.count, s.underlying);
            outcome.vaultRiskIncreased = true;
        }
        outcome.traderPosition = t.newAmount;
        outcome.vaultPosition = v.newAmount;
    }

    /* ------------------------------------------------------------------ */
    /*                              SETTLEMENT                            */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IMarginEngineCore
    function settle(address account, uint256 seriesId) external nonReentrant returns (int256 payout) {
        // --- Checks ---
        SeriesData memory s = _requireSeries(seriesId);
        if (block.timestamp < s.expiry) revert MarginSeriesNotExpired(seriesId, s.expiry);
        // A listed series implies a wired engine: only the wired market can register one.
        address vault_ = _registry.vault;
        if (account == vault_) revert MarginVaultSettlesWithCounterparties(seriesId);
        uint256 price = _gatedSettlementPrice(seriesId, s);
        // Settlement edits one series of each book: only the words down to its entry are read (`loadFor`).
        (Side memory a, uint256 index) = _loadSideFor(account, seriesId);
        if (index == a.book.count) revert MarginNoPosition(account, seriesId);
        (, int256 amount) = a.book.entry(index);

        // --- Effects ---
        // The vault's position moves by the settled amount: the vault settles with each counterparty.
        (a.oldAmount, a.newAmount) = a.book.addAt(index, seriesId, -amount);
        (Side memory v, uint256 vaultIndex) = _loadSideFor(vault_, seriesId);
        _moveAt(v, vaultIndex, seriesId, amount, MAX_VAULT_SERIES);
        uint256 perOption = MarginMath.payoff(s.strike, s.isCall, price);
        uint256 denominator = MarginMath.WAD * _scale;
        if (amount > 0) {
            // A long receives its payoff rounded down.
            uint256 owed = (perOption * uint256(amount)) / denominator;
            _pay(v, a, owed);
            payout = owed.toInt256();
        } else {
            // A short pays its payoff rounded up, or everything it has; the rest is recorded as bad debt.
            uint256 owed = (perOption * uint256(-amount) + denominator - 1) / denominator;
            uint256 paid = owed < a.data.collateral ? owed : a.data.collateral;
            _pay(a, v, paid);
            // Cannot underflow: paid <= owed.
            unchecked {
                if (paid < owed) emit BadDebtRecorded(account, seriesId, owed - paid);
            }
            payout = -paid.toInt256();
        }
        _commit(a);
        _commit(v);
        _updateHolders(seriesId, amount, 0);
        _clearVaultFree();
        emit PositionSettled(account, seriesId, amount, price, payout);
    }

    /* ------------------------------------------------------------------ */
    /*                              LIQUIDATION                           */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IMarginEngineCore
    /// @dev No reentrancy lock: this hook moves no tokens and makes no call that can change state (only the
    ///      router's views, by staticcall); every other engine entry writes its effects before any token transfer.
    function liquidatePosition(LiquidationOrder calldata order) external returns (LiquidationOutcome memory r) {
        // --- Checks ---
        LiquidationWiring memory w = _liquidationWiring;
        // Before `wireLiquidation` the module is zero, which no caller can be.
        if (msg.sender != w.module) revert MarginUnauthorizedCaller(msg.sender);
        address account = order.account;
        // The vault is the counterparty. The insurance fund's account holds collateral only (its contract cannot
        // trade) and the zero address holds nothing, so neither is ever short (`MarginNoPosition` below).
        if (account == _registry.vault) revert MarginInvalidAccount(account);
        // An unlisted series has expiry 0 and fails here; a zero amount closes nothing and fails the health rule.
        uint64 expiry = uint40(_seriesWords[order.seriesId] >> 104);
        if (block.timestamp >= expiry) revert MarginSeriesExpired(order.seriesId, expiry);
        Liquidation memory q = _assessLiquidation(order, r);
        // The spots and marks read here serve the rest of the transaction: the next items of a batch reuse them.
        _persist(q.val, q.ctx);

        // --- Effects (internal; the health check in `_chargeLiquidation` reverts them all) ---
        _chargeLiquidation(q, order, r);
        _settleLiquidation(q, w.insuranceFund, order, r);
    }

    /* ------------------------------------------------------------------ */
    /*                              VAULT HOOKS                           */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IMarginEngineCore
    function vaultSnapshot(uint256 maxSpotAge, bool withFreeMargin)
        external
        onlyVault
        returns (int256 equity, uint256 freeMargin)
    {
        Ctx memory ctx = _newCtx();
        (AccountData memory a, Valuation memory val) = _valueAccount(msg.sender, ctx);
        _requirePriced(ctx);
        _requireFreshSpots(ctx, maxSpotAge);
        _persist(val, ctx);
        equity = MarginMath.wadToQuoteFloor(_equityWad(a.collateral, val), _scale);
        if (withFreeMargin) {
            freeMargin = _freeMargin(a.collateral, val, ctx);
            _cacheVaultFree(freeMargin);
        }
    }

    /// @inheritdoc IMarginEngineCore
    function creditVault(uint256 amount) external onlyVault nonReentrant {
        if (amount == 0) revert MarginZeroAmount(msg.sender);
        uint256 owed = _totalCollateral + amount;
        uint256 balance = _quoteToken.balanceOf(address(this));
        if (balance < owed) revert MarginUnbackedCredit(balance, owed);
        AccountData memory a = _loadAccount(msg.sender);
        a.collateral = (uint256(a.collateral) + amount).toUint128();
        _register(msg.sender, a);
        _storeAccount(msg.sender, a);
        _totalCollateral = owed;
        _clearVaultFree();
        emit CollateralDeposited(msg.sender, msg.sender, amount);
    }

    /// @inheritdoc IMarginEngineCore
    function withdrawVault(address to, uint256 amount) external onlyVault nonReentrant {
        // --- Checks ---
        if (amount == 0) revert MarginZeroAmount(msg.sender);
        if (to == address(0)) revert MarginInvalidAddress(to);
        AccountData memory a = _loadAccount(msg.sender);
        (bool cached, uint256 free) = _cachedVaultFree();
        if (!cached) {
            Ctx memory ctx = _newCtx();
            Valuation memory val = _valuation(_loadBook(msg.sender, a.count), ctx);
            _requirePriced(ctx);
            free = _freeMargin(a.collateral, val, ctx);
        }
        if (amount > free) revert MarginExceedsFreeMargin(msg.sender, amount, free);
        // --- Effects ---
        // Cannot underflow: free margin never exceeds collateral.
        unchecked {
            a.collateral -= uint128(amount);
            // Free margin falls one for one with collateral.
            _cacheVaultFree(free - amount);
        }
        _storeAccount(msg.sender, a);
        _totalCollateral -= amount;
        emit CollateralWithdrawn(msg.sender, to, amount);
        // --- Interactions ---
        _quoteToken.safeTransfer(to, amount);
    }

    /* ------------------------------------------------------------------ */
    /*                                INTERNALS                           */
    /* ------------------------------------------------------------------ */

    /// @dev Delegate-calls the extension with the current calldata and bubbles its result or revert.
    function _delegateToExtension() private {
        address target = _extension;
        // Never returns to Solidity code, so it may use memory from offset zero (as OpenZeppelin's Proxy does).
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 {
                revert(0, returndatasize())
            }
            default {
                return(0, returndatasize())
            }
        }
    }

    /// @dev Asks the breaker (EXIT on the series' market, no reading: refused only while paused) unless its last report
    ///      says it is unpaused, then returns the final settlement price of the series: the engine's copy
    ///      (`recordExpiryPrice`) when there is one, the router's otherwise (`MarginSettlementNotFinal` until final).
    function _gatedSettlementPrice(uint256 seriesId, SeriesData memory s) private returns (uint256 price) {
        if (!_breakerUnpaused) {
            _breaker.checkAction(
                _underlyingIds[s.underlying], ICircuitBreaker.ActionClass.EXIT, 0, IOracleRouter.Status.OK
            );
        }
        price = _expiryPrices[_expiryKey(s.underlying, s.expiry)];
        if (price == 0) price = _routerFinalPrice(seriesId, s);
    }

    /// @dev Loads `account`'s slot and book into memory. Nothing is written until `_commit`.
    function _loadSide(address account) private view returns (Side memory side) {
        side.account = account;
        side.data = _loadAccount(account);
        side.book = _loadBook(account, side.data.count);
    }

    /// @dev `_loadSide` with the book loaded for an edit of `seriesId` only (`PositionBook.loadFor`).
    /// @return side The side, its book loaded for that edit.
    /// @return index Index of `seriesId` in the book, or its count when absent.
    function _loadSideFor(address account, uint256 seriesId) private view returns (Side memory side, uint256 index) {
        side.account = account;
        side.data = _loadAccount(account);
        (side.book, index) = PositionBook.loadFor(_positionWords[account], side.data.count, seriesId);
    }

    /// @dev Adds `delta` to a side's position in `seriesId` in memory, enforcing the int96 range and the book bound.
    function _move(Side memory side, uint256 seriesId, int256 delta, uint256 maxSeries) private pure {
        _moveAt(side, side.book.indexOf(seriesId), seriesId, delta, maxSeries);
    }

    /// @dev `_move` when the index of `seriesId` in the side's book is known (its count when absent).
    function _moveAt(Side memory side, uint256 index, uint256 seriesId, int256 delta, uint256 maxSeries)
        private
        pure
    {
        (side.oldAmount, side.newAmount) = side.book.addAt(index, seriesId, delta);
        if (side.newAmount > MAX_POSITION || side.newAmount < -MAX_POSITION) {
            revert MarginPositionOverflow(seriesId, side.newAmount);
        }
        if (side.book.count > maxSeries) revert MarginTooManySeries(side.account, maxSeries);
    }

    /// @dev Moves `amount` of collateral from `from` to `to` in memory; reverts when `from` holds less.
    function _pay(Side memory from, Side memory to, uint256 amount) private pure {
        if (from.data.collateral < amount) {
            revert MarginInsufficientCollateral(from.account, from.data.collateral, amount);
        }
        // Cannot underflow: checked just above.
        unchecked {
            from.data.collateral -= uint128(amount);
        }
        to.data.collateral = (uint256(to.data.collateral) + amount).toUint128();
    }

    /// @dev Writes a side's account slot and the position words it changed.
    function _commit(Side memory side) private {
        side.data.count = uint8(side.book.count);
        _register(side.account, side.data);
        _storeAccount(side.account, side.data);
        PositionBook.store(_positionWords[side.account], side.book);
    }

    /// @dev Adds `account` to the lens list on its first credit or trade.
    function _register(address account, AccountData memory a) private {
        if (a.registered) return;
        a.registered = true;
        _accountList.push(account);
    }

    /// @dev Tracks how many non-vault accounts hold `seriesId` (an expired series with none can be retired).
    function _updateHolders(uint256 seriesId, int256 oldAmount, int256 newAmount) private {
        if ((oldAmount == 0) == (newAmount == 0)) return;
        uint256 w = _seriesWords[seriesId];
        uint256 holders = uint24(w >> HOLDERS_SHIFT);
        // Cannot overflow or underflow: a close always follows an open of the same holder, and the count is
        // checked against its 24-bit width before an increment.
        unchecked {
            if (oldAmount == 0) {
                if (holders == type(uint24).max) revert MarginTooManyHolders(seriesId);
                _seriesWords[seriesId] = w + (1 << HOLDERS_SHIFT);
            } else {
                _seriesWords[seriesId] = w - (1 << HOLDERS_SHIFT);
            }
        }
    }

    /// @dev Values the account, checks it fails maintenance and holds a short in the series, and sets
    ///      `r.healthBefore` and `r.closed`.
    function _assessLiquidation(LiquidationOrder calldata order, LiquidationOutcome memory r)
        private
        view
        returns (Liquidation memory q)
    {
        q.a = _loadSide(order.account);
        q.index = q.a.book.indexOf(order.seriesId);
        if (q.index == q.a.book.count) revert MarginNoPosition(order.account, order.seriesId);
        q.ctx = _newCtx();
        q.val = _valuation(q.a.book, q.ctx);
        _requirePriced(q.ctx);
        q.line = q.val.lines[q.index];
        if (q.line.amount >= 0) revert MarginNoPosition(order.account, order.seriesId);
        q.p = _params;
        (int256 equity, uint256 req) = _equityAndMaintenance(q.a.data.collateral, q);
        r.healthBefore = _health(equity, req);
        if (r.healthBefore >= MarginMath.WAD) revert MarginNotLiquidatable(order.account, r.healthBefore);
        // Health 0 means equity <= 0 (or a requirement above 1e18 quote units): the account is insolvent.
        r.closed = _closeAmount(uint256(-q.line.amount), order, r.healthBefore == 0);
    }

    /// @dev Moves the closed options off the account in memory, takes the mark value, the fee and the penalty
    ///      from its collateral, and enforces the health rule.
    function _chargeLiquidation(Liquidation memory q, LiquidationOrder calldata order, LiquidationOutcome memory r)
        private
        view
    {
        Side memory a = q.a;
        // The closed options at mark, rounded up (a liability of the account).
        uint256 denominator = MarginMath.WAD * _scale;
        r.markValue = (q.line.price * r.closed + denominator - 1) / denominator;
        q.paidMark = _min(r.markValue, a.data.collateral);
        // Cannot underflow: paidMark <= markValue.
        unchecked {
            r.badDebt = r.markValue - q.paidMark;
        }
        // Cannot overflow: closed <= |position| < 2^95.
        _move(a, order.seriesId, int256(r.closed), MAX_TRADER_SERIES);
        q.val.lines[q.index].amount = a.newAmount;
        // Fee and penalty fit inside the room that keeps health strictly rising; the fee ranks first.
        // Cannot underflow: paidMark <= collateral.
        (uint256 room, int256 equity, uint256 req) = _chargeRoom(a.data.collateral - q.paidMark, q, r.healthBefore);
        r.fee = _min((r.closed * order.feePerOption) / denominator, room);
        r.penalty = _min((r.closed * order.penaltyPerOption + denominator - 1) / denominator, room - r.fee);
        // Cannot underflow: fee + penalty <= room <= collateral. Paying whole quote units lowers the floored
        // equity by exactly that many units.
        unchecked {
            r.healthAfter = _health(equity - int256(r.fee + r.penalty), req);
        }
        // An insolvent account (health 0) had its whole short in the series closed by `_closeAmount`.
        if (r.healthAfter <= r.healthBefore && r.healthBefore != 0) {
            revert MarginLiquidationNotHealthier(order.account, r.healthBefore, r.healthAfter);
        }
    }

    /// @dev Gives the closed options and the payments to the vault, splits the penalty with the insurance fund,
    ///      draws the fund for a shortfall, writes every account and emits the events.
    function _settleLiquidation(
        Liquidation memory q,
        address insuranceFund,
        LiquidationOrder calldata order,
        LiquidationOutcome memory r
    ) private {
        uint256 seriesId = order.seriesId;
        Side memory v = _loadSide(_registry.vault);
        // Cannot overflow: closed <= |position| < 2^95.
        _move(v, seriesId, -int256(r.closed), MAX_VAULT_SERIES);
        // The min keeps the split inside the penalty whatever share the module passes.
        uint256 toInsurance = _min((r.penalty * order.insuranceShare) / MarginMath.WAD, r.penalty);
        _pay(q.a, v, q.paidMark + r.penalty - toInsurance);
        // The insurance fund's account holds collateral only (its contract cannot trade): its word alone, no book.
        AccountData memory ins = _loadAccount(insuranceFund);
        uint256 fund = ins.collateral + toInsurance;
        r.insuranceCover = _min(r.badDebt, fund);
        v.data.collateral = (uint256(v.data.collateral) + r.insuranceCover).toUint128();
        // Cannot underflow: the fee and the insurance share fit in the room left after the payment above
        // (`_chargeLiquidation`: fee + penalty <= room <= collateral - paidMark), insuranceCover <= badDebt and
        // insuranceCover <= fund; the fund's rest fits 128 bits (all collateral together is below 2^128).
        unchecked {
            q.a.data.collateral -= uint128(r.fee + toInsurance);
            r.badDebt -= r.insuranceCover;
            ins.collateral = uint128(fund - r.insuranceCover);
        }
        _register(insuranceFund, ins);
        _storeAccount(insuranceFund, ins);
        _commit(q.a);
        _commit(v);
        _updateHolders(seriesId, q.a.oldAmount, q.a.newAmount);
        _clearVaultFree();
        // The fee is credited to the recipient's collateral after every account is written, so the credit composes
        // with those writes whoever the recipient is (even the account itself). Collateral sits in bits 0..127 of
        // the account word and all collateral together is below 2^128, so the addition cannot carry further.
        _accountWords[order.feeRecipient] += r.fee;
        if (r.badDebt != 0) emit BadDebtRecorded(order.account, seriesId, r.badDebt);
    }

    /// @dev Options a liquidation closes out of a short of `size`: the whole short when the account is insolvent
    ///      (only a full close can pass the health rule then), else the order's amount clipped by the close factor
    ///      and extended to the whole short when the rest would be dust.
    function _closeAmount(uint256 size, LiquidationOrder calldata order, bool insolvent)
        private
        pure
        returns (uint256 closed)
    {
        if (insolvent) return size;
        uint256 cap = (size * order.closeFactor) / MarginMath.WAD;
        closed = order.amount < cap ? order.amount : cap;
        // Checked: a close factor above 1e18 (never passed by the bounded module) underflows here and reverts.
        if (size - closed < order.dustAmount) closed = size;
    }

    /// @dev Quote units the account can still pay in fee and penalty while its health strictly rises above
    ///      `healthBefore` (`q.val` already holds the position after the close, `collateral` is the collateral
    ///      after the mark payment), with the equity and maintenance requirement before those payments. With no
    ///      requirement left the room is the whole collateral (equity >= collateral once only longs remain); an
    ///      insolvent account keeps room only for what its equity exceeds a one-unit margin.
    function _chargeRoom(uint256 collateral, Liquidation memory q, uint256 healthBefore)
        private
        view
        returns (uint256 room, int256 equity, uint256 req)
    {
        // An account left with no position owes nothing and is worth its collateral (the valuation would say so).
        if (q.a.book.count == 0) return (collateral, int256(collateral), 0);
        (equity, req) = _equityAndMaintenance(collateral, q);
        // Health after = floor(e x WAD / req) > healthBefore once e >= ceil((healthBefore + 1) x req / WAD).
        int256 needed = int256(((healthBefore + 1) * req + MarginMath.WAD - 1) / MarginMath.WAD);
        if (equity > needed) room = _min(uint256(equity - needed), collateral);
    }

    /// @dev Equity (floored) and maintenance requirement (ceiled) in quote units, with `collateral`.
    function _equityAndMaintenance(uint256 collateral, Liquidation memory q)
        private
        view
        returns (int256 equity, uint256 req)
    {
        equity = MarginMath.wadToQuoteFloor(_equityWad(collateral, q.val), _scale);
        req = MarginMath.wadToQuoteCeil(_maintenanceWad(q.val, q.ctx, q.p), _scale);
    }

    /// @dev Smaller of two amounts.
    function _min(uint256 x, uint256 y) private pure returns (uint256) {
        return x < y ? x : y;
    }

    /// @dev Absolute value of a position (positions are within int96, so negation cannot overflow).
    function _abs(int256 x) private pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
