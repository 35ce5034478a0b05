// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IBulwarkAutomation} from "../interfaces/IBulwarkAutomation.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ILiquidationEngine} from "../interfaces/ILiquidationEngine.sol";
import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";
import {IMarginEngine, IMarginEngineTypes} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title BulwarkAutomation
/// @notice Chainlink Automation adapter: liquidations, settlements, breaker pokes and the vault's redeem queue, found
///         over bounded windows by `checkUpkeep` and re-validated item by item in `performUpkeep`.
/// @dev Defences, each explained where it lives:
///      - bounded work: a check scans at most MAX_WINDOW accounts or scopes, a perform carries at most MAX_ITEMS
///        items, and every per-account loop is bounded by the engine's MAX_TRADER_SERIES;
///      - untrusted performData: parsed word by word before use, then every item re-validated against current state;
///        an item done by someone else is skipped after a few reads, and a reverting call is caught, so a lost race
///        never reverts a batch;
///      - funds: no owner, no role, no restricted function; fees only ever leave towards the immutable beneficiary;
///      - reentrancy: `performUpkeep` and `sweep` hold a transient reentrancy lock (the contracts they call are the
///        protocol's own, fixed at construction, but the guard costs little and closes the question).
///      Warning: assumes the engine, liquidation engine, vault, router and breaker are the protocol's contracts,
///      checked at construction through the engine's one-shot wiring.
contract BulwarkAutomation is IBulwarkAutomation, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /* ------------------------------------------------------------------ */
    /*                               CONSTANTS                            */
    /* ------------------------------------------------------------------ */

    /// @notice Largest window of one check (accounts or breaker scopes). A LIQUIDATE check costs about 65k gas per
    ///         account holding one series (measured), more for accounts with several series and underlyings: pick a
    ///         registration's window so that window x per-account cost stays under the registry's check gas limit.
    uint256 public constant MAX_WINDOW = 100;

    /// @notice Largest number of items of one perform (also the most redeem requests one perform processes; the vault
    ///         caps its own batches at a higher 50).
    uint256 public constant MAX_ITEMS = 20;

    /// @dev 1.0 in WAD: the health threshold of maintenance margin.
    uint256 private constant WAD = 1e18;

    /// @dev The global breaker scope.
    bytes32 private constant GLOBAL = bytes32(0);

    /// @dev checkData is four words; performData is a header of three words plus three words per item.
    uint256 private constant CHECK_DATA_LENGTH = 128;
    uint256 private constant PERFORM_HEADER = 96;
    uint256 private constant ITEM_SIZE = 96;

    /* ------------------------------------------------------------------ */
    /*                                 WIRING                             */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IBulwarkAutomation
    IMarginEngine public immutable engine;
    /// @inheritdoc IBulwarkAutomation
    ILiquidationEngine public immutable liquidation;
    /// @inheritdoc IBulwarkAutomation
    ILiquidityVault public immutable vault;
    /// @inheritdoc IBulwarkAutomation
    IOracleRouter public immutable router;
    /// @inheritdoc IBulwarkAutomation
    ICircuitBreaker public immutable breaker;
    /// @inheritdoc IBulwarkAutomation
    IERC20 public immutable quoteToken;
    /// @inheritdoc IBulwarkAutomation
    address public immutable beneficiary;

    /// @param engine_ The margin engine, already wired to `vault_` and `liquidation_` (both wirings are one-shot, so
    ///        the adapter can never act on contracts other than the protocol's).
    /// @param liquidation_ The liquidation engine.
    /// @param vault_ The liquidity vault.
    /// @param beneficiary_ Receives every fee the adapter earns.
    constructor(IMarginEngine engine_, ILiquidationEngine liquidation_, ILiquidityVault vault_, address beneficiary_) {
        if (address(engine_) == address(0)) revert AutomationInvalidAddress(address(engine_));
        if (address(liquidation_) == address(0)) revert AutomationInvalidAddress(address(liquidation_));
        if (address(vault_) == address(0)) revert AutomationInvalidAddress(address(vault_));
        if (beneficiary_ == address(0)) revert AutomationInvalidAddress(beneficiary_);
        address wiredVault = engine_.vault();
        (address wiredLiquidation, ) = engine_.liquidationWiring();
        if (wiredVault != address(vault_) || wiredLiquidation != address(liquidation_)) {
            revert AutomationWiringMismatch(address(vault_), address(liquidation_), wiredVault, wiredLiquidation);
        }
        engine = engine_;
        liquidation = liquidation_;
        vault = vault_;
        router = engine_.oracle();
        breaker = engine_.breaker();
        quoteToken = engine_.quoteToken();
        beneficiary = beneficiary_;
    }

    /* ------------------------------------------------------------------ */
    /*                                 CHECK                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IBulwarkAutomation
    function checkUpkeep(bytes calldata checkData)
        external
        view
        returns (bool upkeepNeeded, bytes memory performData)
    {
        (Task task, uint256 cursor, uint256 window, uint256 maxItems) = _decodeCheckData(checkData);
        Item[] memory items;
        if (task == Task.LIQUIDATE) items = _findLiquidations(cursor, window, maxItems);
        else if (task == Task.SETTLE) items = _findSettlements(cursor, window, maxItems);
        else if (task == Task.BREAKER_POKE) items = _findPokes(cursor, window, maxItems);
        else if (_redeemQueueDue()) {
            items = new Item[](1);
            (uint256 head, ) = vault.redeemQueue();
            // A queue index is a uint64 in the vault: the cast is exact.
            items[0] = Item(address(0), maxItems, int256(head));
        }
        if (items.length == 0) return (false, "");
        return (true, abi.encode(uint8(task), items));
    }

    /// @dev LIQUIDATE: (account, series) pairs of accounts failing maintenance, sorted by health ascending.
    function _findLiquidations(uint256 cursor, uint256 window, uint256 maxItems) private view returns (Item[] memory) {
        IMarginEngineTypes.AccountHealth[] memory hs = _accountWindow(cursor, window);
        Item[] memory found = new Item[](maxItems);
        uint256[] memory healths = new uint256[](maxItems);
        uint256 n;
        for (uint256 i; i < hs.length; ++i) {
            IMarginEngineTypes.AccountHealth memory h = hs[i];
            if (!h.priced || h.health >= WAD || h.account == address(vault)) continue;
            // Bounded by the engine's MAX_TRADER_SERIES open series per account.
            (uint256[] memory ids, int256[] memory amounts) = engine.positionsOf(h.account);
            for (uint256 j; j < ids.length; ++j) {
                if (amounts[j] >= 0) continue;
                (bool open, ) = _liquidationOpen(ids[j]);
                if (open) n = _insertByHealth(found, healths, n, Item(h.account, ids[j], amounts[j]), h.health);
            }
        }
        return _trim(found, n);
    }

    /// @dev SETTLE: open positions (not the vault's) of expired series whose settlement price is final.
    function _findSettlements(uint256 cursor, uint256 window, uint256 maxItems) private view returns (Item[] memory) {
        IMarginEngineTypes.AccountHealth[] memory hs = _accountWindow(cursor, window);
        Item[] memory found = new Item[](maxItems);
        uint256 n;
        for (uint256 i; i < hs.length && n < maxItems; ++i) {
            address account = hs[i].account;
            if (account == address(vault)) continue;
            (uint256[] memory ids, int256[] memory amounts) = engine.positionsOf(account);
            for (uint256 j; j < ids.length && n < maxItems; ++j) {
                if (_settlementOpen(ids[j]) == SkipReason.NOT_NEEDED) found[n++] = Item(account, ids[j], amounts[j]);
            }
        }
        return _trim(found, n);
    }

    /// @dev BREAKER_POKE: scopes (GLOBAL, then each market) whose breaker or oracle status poke would change state.
    function _findPokes(uint256 cursor, uint256 window, uint256 maxItems) private view returns (Item[] memory) {
        bytes32[] memory markets = breaker.markets();
        uint256 size = markets.length + 1;
        uint256 start = _rotate(cursor, window, size);
        uint256 count = window < size ? window : size;
        Item[] memory found = new Item[](maxItems);
        uint256 n;
        for (uint256 k; k < count && n < maxItems; ++k) {
            uint256 index = (start + k) % size;
            bytes32 scope = index == 0 ? GLOBAL : markets[index - 1];
            (bool breakerDue, bool statusDue) = _pokeNeeded(scope);
            if (breakerDue || statusDue) found[n++] = Item(address(0), uint256(scope), 0);
        }
        return _trim(found, n);
    }

    /* ------------------------------------------------------------------ */
    /*                                PERFORM                             */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IBulwarkAutomation
    function performUpkeep(bytes calldata performData) external nonReentrant {
        (Task task, uint256 count) = _decodePerformHeader(performData);
        uint256 done;
        if (task == Task.REDEEM_QUEUE) {
            if (count != 1) revert AutomationBatchOutOfRange(count, 1);
            Item memory item = _itemAt(performData, 0);
            if (item.key == 0 || item.key > MAX_ITEMS) revert AutomationMaxItemsOutOfRange(item.key, MAX_ITEMS);
            done = _performRedeem(item);
        } else {
            for (uint256 i; i < count; ++i) {
                Item memory item = _itemAt(performData, i);
                if (task == Task.LIQUIDATE) done += _performLiquidation(item);
                else if (task == Task.SETTLE) done += _performSettlement(item);
                else done += _performPoke(item);
            }
        }
        emit AutomationPerformed(task, count, done);
    }

    /// @dev One liquidation, re-validated cheapest check first: open short as the check saw it, market open to
    ///      liquidation, then health (the costly read, reached only when nobody acted since the check).
    function _performLiquidation(Item memory item) private returns (uint256) {
        int256 position = _openPosition(item);
        if (position >= 0) return _skip(Task.LIQUIDATE, item, SkipReason.NO_POSITION, "");
        if (position != item.seen) return _skip(Task.LIQUIDATE, item, SkipReason.CHANGED, "");
        (bool open, SkipReason why) = _liquidationOpen(item.key);
        if (!open) return _skip(Task.LIQUIDATE, item, why, "");
        IMarginEngineTypes.AccountHealth memory h = engine.accountHealth(item.account);
        if (!h.priced) return _skip(Task.LIQUIDATE, item, SkipReason.ORACLE_FAILED, "");
        if (h.health >= WAD) return _skip(Task.LIQUIDATE, item, SkipReason.HEALTHY, "");
        // The whole short is asked for: the liquidation engine clips it to its close factor (or the whole short for
        // dust and insolvent accounts). A position is an int96, so its negation cannot overflow.
        try liquidation.liquidate(item.account, item.key, uint256(-position)) returns (
            IMarginEngineTypes.LiquidationOutcome memory outcome
        ) {
            emit AutomationLiquidated(item.account, item.key, outcome.closed, outcome.fee);
            return 1;
        } catch (bytes memory data) {
            return _skip(Task.LIQUIDATE, item, SkipReason.CALL_FAILED, data);
        }
    }

    /// @dev One settlement, re-validated: open position, expired series with a final price, breaker allows EXIT.
    function _performSettlement(Item memory item) private returns (uint256) {
        int256 position = _openPosition(item);
        if (position == 0) return _skip(Task.SETTLE, item, SkipReason.NO_POSITION, "");
        if (position != item.seen) return _skip(Task.SETTLE, item, SkipReason.CHANGED, "");
        SkipReason why = _settlementOpen(item.key);
        if (why != SkipReason.NOT_NEEDED) return _skip(Task.SETTLE, item, why, "");
        try engine.settle(item.account, item.key) returns (int256 payout) {
            emit AutomationSettled(item.account, item.key, payout);
            return 1;
        } catch (bytes memory data) {
            return _skip(Task.SETTLE, item, SkipReason.CALL_FAILED, data);
        }
    }

    /// @dev One scope: the breaker's poke and/or the router's status poke, each only when it would change state.
    function _performPoke(Item memory item) private returns (uint256 done) {
        bytes32 scope = bytes32(item.key);
        (bool breakerDue, bool statusDue) = _pokeNeeded(scope);
        if (!breakerDue && !statusDue) return _skip(Task.BREAKER_POKE, item, SkipReason.NOT_NEEDED, "");
        if (breakerDue) {
            try breaker.poke(scope) returns (ICircuitBreaker.Mode mode, ICircuitBreaker.Reason reason) {
                emit AutomationBreakerPoked(scope, mode, reason);
                done = 1;
            } catch (bytes memory data) {
                _skip(Task.BREAKER_POKE, item, SkipReason.CALL_FAILED, data);
            }
        }
        if (statusDue) {
            try router.pokeStatus(scope) returns (IOracleRouter.SpotReading memory reading) {
                emit AutomationStatusPoked(scope, reading.status, reading.reasons);
                done = 1;
            } catch (bytes memory data) {
                _skip(Task.BREAKER_POKE, item, SkipReason.CALL_FAILED, data);
            }
        }
    }

    /// @dev The redeem queue, when its head is the one the check saw and can be consumed now.
    function _performRedeem(Item memory item) private returns (uint256) {
        (uint256 head, uint256 tail) = vault.redeemQueue();
        if (head >= tail) return _skip(Task.REDEEM_QUEUE, item, SkipReason.NOT_NEEDED, "");
        if (int256(head) != item.seen) return _skip(Task.REDEEM_QUEUE, item, SkipReason.CHANGED, "");
        if (!_redeemQueueDue()) return _skip(Task.REDEEM_QUEUE, item, SkipReason.NOT_NEEDED, "");
        try vault.processRedeemQueue(item.key) returns (uint256 processed, uint256 assets) {
            emit AutomationRedeemQueueProcessed(processed, assets);
            return 1;
        } catch (bytes memory data) {
            return _skip(Task.REDEEM_QUEUE, item, SkipReason.CALL_FAILED, data);
        }
    }

    /// @dev Emits the skip and counts nothing.
    function _skip(Task task, Item memory item, SkipReason reason, bytes memory data) private returns (uint256) {
        emit AutomationItemSkipped(task, item.account, item.key, reason, data);
        return 0;
    }

    /* ------------------------------------------------------------------ */
    /*                                 SWEEP                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IBulwarkAutomation
    function sweep() external nonReentrant returns (uint256 collateral, uint256 tokens) {
        collateral = engine.collateralOf(address(this));
        tokens = quoteToken.balanceOf(address(this));
        if (collateral == 0 && tokens == 0) return (0, 0);
        // The adapter holds no storage to update: the event goes first, the transfers last.
        emit AutomationSwept(beneficiary, collateral, tokens);
        // The adapter never holds a position, so the engine only checks the balance.
        if (collateral != 0) engine.withdraw(collateral, beneficiary);
        if (tokens != 0) quoteToken.safeTransfer(beneficiary, tokens);
    }

    /* ------------------------------------------------------------------ */
    /*                                 VIEWS                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IBulwarkAutomation
    function scanStart(Task task, uint256 cursor, uint256 window) external view returns (uint256 start, uint256 size) {
        if (task == Task.REDEEM_QUEUE) return (0, 0);
        size = task == Task.BREAKER_POKE ? breaker.markets().length + 1 : engine.accountCount();
        start = _rotate(cursor, window, size);
    }

    /// @inheritdoc IBulwarkAutomation
    function pokeNeeded(bytes32 scope) external view returns (bool breakerDue, bool statusDue) {
        return _pokeNeeded(scope);
    }

    /// @inheritdoc IBulwarkAutomation
    function redeemQueueDue() external view returns (bool) {
        return _redeemQueueDue();
    }

    /* ------------------------------------------------------------------ */
    /*                              PREDICATES                            */
    /* ------------------------------------------------------------------ */

    /// @dev The item's position, or zero for the zero account and the vault (never a target of either task).
    function _openPosition(Item memory item) private view returns (int256) {
        if (item.account == address(0) || item.account == address(vault)) return 0;
        return engine.positionOf(item.account, item.key);
    }

    /// @dev Whether the liquidation engine would accept a liquidation in `seriesId`'s market now (the checks it makes
    ///      before the engine's health rule), and why not.
    function _liquidationOpen(uint256 seriesId) private view returns (bool, SkipReason) {
        IMarginEngineTypes.Series memory s = engine.getSeries(seriesId);
        if (block.timestamp >= s.expiry) return (false, SkipReason.SERIES_EXPIRED);
        IOracleRouter.SpotReading memory spot = router.getSpot(s.underlying);
        if (spot.status == IOracleRouter.Status.FAILED) return (false, SkipReason.ORACLE_FAILED);
        if (block.timestamp > uint256(spot.updatedAt) + liquidation.params().maxSpotAge) {
            return (false, SkipReason.ORACLE_STALE);
        }
        if (!breaker.isAllowed(s.underlying, ICircuitBreaker.ActionClass.RISK_REDUCING)) {
            return (false, SkipReason.BREAKER_REFUSED);
        }
        return (true, SkipReason.NOT_NEEDED);
    }

    /// @dev NOT_NEEDED (read: nothing blocks it) when positions of `seriesId` can settle now, else why not.
    function _settlementOpen(uint256 seriesId) private view returns (SkipReason) {
        IMarginEngineTypes.Series memory s = engine.getSeries(seriesId);
        if (block.timestamp < s.expiry) return SkipReason.NOT_FINAL;
        (, bool isFinal) = router.getSettlementPrice(s.underlying, s.expiry);
        if (!isFinal) return SkipReason.NOT_FINAL;
        if (!breaker.isAllowed(s.underlying, ICircuitBreaker.ActionClass.EXIT)) return SkipReason.BREAKER_REFUSED;
        return SkipReason.NOT_NEEDED;
    }

    /// @dev Whether the breaker's `poke` would change the scope (the breaker's own `pokeDue`/`pokeDueOn`, the decision
    ///      `poke` itself takes, fed with the one router reading this check takes), and whether the router's recorded
    ///      status differs from that fresh reading.
    function _pokeNeeded(bytes32 scope) private view returns (bool breakerDue, bool statusDue) {
        if (scope == GLOBAL) return (breaker.pokeDue(GLOBAL), false);
        // VIEW is allowed in every mode, so a refusal means `scope` is not a breaker market.
        if (!breaker.isAllowed(scope, ICircuitBreaker.ActionClass.VIEW)) return (false, false);
        IOracleRouter.SpotReading memory r = router.getSpot(scope);
        IOracleRouter.StatusRecord memory rec = router.getStatusRecord(scope);
        statusDue = rec.status != r.status || rec.reasons != r.reasons;
        breakerDue = breaker.pokeDueOn(scope, r.price, r.status);
    }

    /// @dev Whether `processRedeemQueue` would consume the head request now: the queue is not empty, the breaker lets
    ///      EXIT through, the vault can be valued, and the head is cancelled (consumed for free) or payable from free
    ///      liquidity capped by the outflow rate limit (the vault's own rule, at the same share price).
    function _redeemQueueDue() private view returns (bool) {
        (uint256 head, uint256 tail) = vault.redeemQueue();
        if (head >= tail) return false;
        if (!breaker.isAllowed(GLOBAL, ICircuitBreaker.ActionClass.EXIT)) return false;
        (int256 equity, uint256 free, bool usable) = engine.vaultState(vault.maxSpotAge());
        if (!usable || equity < 0) return false;
        ILiquidityVault.RedeemRequest memory r = vault.redeemRequest(head);
        if (r.status != ILiquidityVault.RequestStatus.PENDING) return true;
        uint256 available = breaker.outflowAvailable();
        if (free < available) available = free;
        return vault.convertToAssets(r.shares) <= available;
    }

    /* ------------------------------------------------------------------ */
    /*                           WINDOWS AND ENCODING                     */
    /* ------------------------------------------------------------------ */

    /// @dev Start of this block's window over a set of `size` entries: `(cursor + window x block.number) mod size`.
    function _rotate(uint256 cursor, uint256 window, uint256 size) private view returns (uint256) {
        if (size == 0) return 0;
        // Cannot overflow: each reduced factor is below `size`, a list length far below 2^64, so the product is
        // below 2^128 and the sum below 2^129.
        unchecked {
            return ((cursor % size) + ((window % size) * (block.number % size))) % size;
        }
    }

    /// @dev The window's accounts with their health, wrapping past the end of the lens list.
    function _accountWindow(uint256 cursor, uint256 window)
        private
        view
        returns (IMarginEngineTypes.AccountHealth[] memory hs)
    {
        uint256 total = engine.accountCount();
        if (total == 0) return hs;
        if (window >= total) return engine.healthOfRange(0, total);
        uint256 start = _rotate(cursor, window, total);
        uint256 head = total - start;
        if (head >= window) return engine.healthOfRange(start, window);
        IMarginEngineTypes.AccountHealth[] memory a = engine.healthOfRange(start, head);
        IMarginEngineTypes.AccountHealth[] memory b = engine.healthOfRange(0, window - head);
        hs = new IMarginEngineTypes.AccountHealth[](window);
        for (uint256 i; i < head; ++i) hs[i] = a[i];
        for (uint256 i; i < window - head; ++i) hs[head + i] = b[i];
    }

    /// @dev Inserts `item` into the first `n` entries of `items`, kept sorted by `health` ascending (ties keep scan
    ///      order), dropping the least risky entry when full. Returns the new count.
    function _insertByHealth(Item[] memory items, uint256[] memory healths, uint256 n, Item memory item, uint256 health)
        private
        pure
        returns (uint256)
    {
        uint256 cap = items.length;
        if (n == cap && health >= healths[n - 1]) return n;
        uint256 i = n == cap ? n - 1 : n;
        while (i > 0 && healths[i - 1] > health) {
            items[i] = items[i - 1];
            healths[i] = healths[i - 1];
            --i;
        }
        items[i] = item;
        healths[i] = health;
        return n == cap ? n : n + 1;
    }

    /// @dev The first `n` entries of `items` (shortens the array in place).
    function _trim(Item[] memory items, uint256 n) private pure returns (Item[] memory) {
        assembly ("memory-safe") {
            mstore(items, n)
        }
        return items;
    }

    /// @dev Validates checkData (see the interface) and returns its fields.
    function _decodeCheckData(bytes calldata data)
        private
        pure
        returns (Task task, uint256 cursor, uint256 window, uint256 maxItems)
    {
        if (data.length != CHECK_DATA_LENGTH) revert AutomationMalformedCheckData(data.length);
        uint256 t = uint256(bytes32(data[0:32]));
        if (t > uint256(type(Task).max)) revert AutomationInvalidTask(t);
        task = Task(t);
        cursor = uint256(bytes32(data[32:64]));
        window = uint256(bytes32(data[64:96]));
        maxItems = uint256(bytes32(data[96:128]));
        if (window == 0 || window > MAX_WINDOW) revert AutomationWindowOutOfRange(window, MAX_WINDOW);
        if (maxItems == 0 || maxItems > MAX_ITEMS) revert AutomationMaxItemsOutOfRange(maxItems, MAX_ITEMS);
    }

    /// @dev Validates the whole of performData (task, offset, count, exact length, clean account words) and returns
    ///      the task and the item count; items are then read with `_itemAt`.
    function _decodePerformHeader(bytes calldata data) private pure returns (Task task, uint256 count) {
        uint256 length = data.length;
        if (length < PERFORM_HEADER) revert AutomationMalformedPerformData(length);
        uint256 t = uint256(bytes32(data[0:32]));
        if (t > uint256(type(Task).max)) revert AutomationInvalidTask(t);
        if (uint256(bytes32(data[32:64])) != 64) revert AutomationMalformedPerformData(length);
        count = uint256(bytes32(data[64:96]));
        if (count == 0 || count > MAX_ITEMS) revert AutomationBatchOutOfRange(count, MAX_ITEMS);
        // count <= MAX_ITEMS, so the product cannot overflow.
        if (length != PERFORM_HEADER + count * ITEM_SIZE) revert AutomationMalformedPerformData(length);
        for (uint256 i; i < count; ++i) {
            uint256 at = PERFORM_HEADER + i * ITEM_SIZE;
            if (uint256(bytes32(data[at:at + 32])) >> 160 != 0) revert AutomationMalformedPerformData(length);
        }
        task = Task(t);
    }

    /// @dev Item `i` of validated performData.
    function _itemAt(bytes calldata data, uint256 i) private pure returns (Item memory) {
        uint256 at = PERFORM_HEADER + i * ITEM_SIZE;
        return Item(
            address(uint160(uint256(bytes32(data[at:at + 32])))),
            uint256(bytes32(data[at + 32:at + 64])),
            int256(uint256(bytes32(data[at + 64:at + 96])))
        );
    }
}
