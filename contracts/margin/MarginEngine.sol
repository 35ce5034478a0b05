// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
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

    /// @dev The extension every other selector is delegated to.
    address private immutable _extension;

    /// @param quoteToken_ The quote token (its `decimals()` must be at most 18).
    /// @param oracle_ The oracle router.
    /// @param extension_ A `MarginEngineExtension` built with the same token and oracle.
    /// @param initialAuthority The AccessManager.
    /// @param params Initial margin parameters (bounded).
    /// @param rate Initial risk-free rate (bounded).
    constructor(
        IERC20 quoteToken_,
        IOracleRouter oracle_,
        MarginEngineExtension extension_,
        address initialAuthority,
        MarginParams memory params,
        uint256 rate
    )
        MarginValuation(quoteToken_, oracle_, IERC20Metadata(address(quoteToken_)).decimals())
        AccessManaged(initialAuthority)
    {
        (IERC20 extToken, IOracleRouter extOracle, uint256 extScale) = extension_.extensionImmutables();
        if (extToken != quoteToken_ || extOracle != oracle_ || extScale != _scale) {
            revert MarginExtensionMismatch(address(extension_));
        }
        _extension = address(extension_);
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
        if (amount == 0) revert MarginZeroAmount();
        if (account == address(0) || account == _registry.vault) revert MarginInvalidAccount(account);
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
        if (amount == 0) revert MarginZeroAmount();
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
            vega: line.vega
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
        if (amount == 0) revert MarginZeroAmount();
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
        address vault_ = _registry.vault;
        if (vault_ == address(0)) revert MarginNotWired();
        if (account == vault_) revert MarginVaultSettlesWithCounterparties(seriesId);
        (uint256 price, bool isFinal) = _oracle.getSettlementPrice(_underlyingIds[s.underlying], s.expiry);
        if (!isFinal) revert MarginSettlementNotFinal(seriesId, price);
        Side memory a = _loadSide(account);
        uint256 index = a.book.indexOf(seriesId);
        if (index == a.book.count) revert MarginNoPosition(account, seriesId);
        (, int256 amount) = a.book.entry(index);

        // --- Effects ---
        // The vault's position moves by the settled amount: the vault settles with each counterparty.
        (a.oldAmount, a.newAmount) = a.book.addAt(index, seriesId, -amount);
        Side memory v = _loadSide(vault_);
        _move(v, seriesId, amount, MAX_VAULT_SERIES);
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
        if (amount == 0) revert MarginZeroAmount();
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
        if (amount == 0) revert MarginZeroAmount();
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

    /// @dev Loads `account`'s slot and book into memory. Nothing is written until `_commit`.
    function _loadSide(address account) private view returns (Side memory side) {
        side.account = account;
        side.data = _loadAccount(account);
        side.book = _loadBook(account, side.data.count);
    }

    /// @dev Adds `delta` to a side's position in `seriesId` in memory, enforcing the int96 range and the book bound.
    function _move(Side memory side, uint256 seriesId, int256 delta, uint256 maxSeries) private pure {
        (side.oldAmount, side.newAmount) = side.book.add(seriesId, delta);
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

    /// @dev Absolute value of a position (positions are within int96, so negation cannot overflow).
    function _abs(int256 x) private pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
