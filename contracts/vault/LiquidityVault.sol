// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IBreakerMetrics} from "../interfaces/IBreakerMetrics.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ILiquidityVault} from "../interfaces/ILiquidityVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {VaultMath} from "../libraries/VaultMath.sol";

/// @title LiquidityVault
/// @notice ERC-4626 LP vault on the quote asset, counterparty of every trade through its account in the margin
///         engine, with an ERC-7540-style asynchronous redeem queue. See {ILiquidityVault}.
/// @dev [Inflation attack] In an empty or nearly empty ERC-4626 vault, an attacker who deposits first and then
///      donates assets can inflate the share price so that a victim's deposit rounds down to few or zero shares,
///      the attacker capturing the difference. This vault uses OpenZeppelin's virtual shares and assets: every
///      conversion computes with `totalSupply() + 10 ** 6` shares and `totalAssets() + 1` assets
///      (`_decimalsOffset() = 6`, so shares have 12 decimals). The virtual shares own part of any donation, so
///      the attacker must donate about 10^6 times what he hopes to steal: the attack costs far more than it can
///      earn. The vault also refuses deposits that would mint zero shares (`VaultZeroShares`), and donations are
///      hard to make in the first place: assets live in the engine, which credits the vault's account only
///      through this contract (a direct deposit to the vault's account is refused). The price of this defence
///      is that the virtual shares capture a negligible part of the vault's gains, and absorb a negligible part
///      of its losses.
///
///      [NAV] `totalAssets()` is the vault account's equity in the engine, rounded down, clamped at zero. Inside
///      a deposit, mint, withdraw, redeem or queue processing, the vault first takes one snapshot from the
///      engine (`vaultSnapshot`, which refuses failed or stale prices and caches every mark for the rest of the
///      transaction), keeps it in transient storage for the length of that call only, and all conversions of
///      the call use it; the snapshot is cleared before the call returns. Rounding follows ERC-4626 and favours
///      the vault: shares minted and assets paid round down, shares burned and assets pulled round up.
///
///      [Liquidity] Synchronous withdrawals are limited to free margin minus the value of the queued requests,
///      so they never jump the queue. A negative equity blocks every conversion (`VaultInsolvent`).
///
///      [Circuit breaker] The breaker is the engine's immutable, copied here at construction: no role can re-point
///      it. Every asset movement reports to it, in one call per entry point: `deposit` and `mint` call
///      `recordInflow` (which gates RISK_INCREASING), `withdraw` and `redeem` call `tryRecordOutflow` (which gates
///      EXIT and returns the outflow room their `ERC4626ExceededMax*` check uses), the queue records its batch with
///      `recordOutflow`. These four entry points are the only callers of `_deposit`/`_withdraw` (so of `_transferIn`/
///      `_transferOut`), and each skips the `max*` view, whose breaker reads would repeat the call: inside a snapshot
///      the view's only other refusal (unpriceable or insolvent) has already reverted. So no entry point moves assets
///      unseen, and a refused gate still reads as the breaker's error, not as an `ERC4626ExceededMax*`. The gate is
///      asked before any other check, as it always was: `deposit` and `withdraw` know their amount up front and make
///      the flow call first (one breaker call); `mint` and `redeem` price their amount from the snapshot, so they ask
///      `checkGlobal` first and make the flow call later (two calls, the second warm). The vault is the breaker's
///      one-shot flow reporter: only it can call the flow hooks. The net-outflow rate limit applies to the vault as
///      a whole: splitting a withdrawal across many accounts meets the same limit, and the queue absorbs the rest.
///      The vault is also the breaker's metrics source (`utilisation`).
contract LiquidityVault is ERC4626, AccessManaged, ReentrancyGuardTransient, ILiquidityVault {
    using Math for uint256;
    using SafeCast for uint256;

    /* ------------------------------------------------------------------ */
    /*                              CONSTANTS                             */
    /* ------------------------------------------------------------------ */

    /// @notice Bounds of `maxSpotAge`, seconds.
    uint256 public constant MIN_SPOT_AGE = 30 seconds;
    uint256 public constant MAX_SPOT_AGE = 1 days;

    /// @notice Spot age the `utilisation` metric accepts: any reading the router still prices (one year bounds the
    ///         arithmetic; staleness is the breaker's oracle trips' concern, not the metric's).
    uint256 public constant MAX_SPOT_AGE_FOR_METRICS = 365 days;

    /// @notice Most requests one `processRedeemQueue` call may consume (bounds its gas).
    uint256 public constant MAX_PROCESS_BATCH = 50;

    /// @inheritdoc ILiquidityVault
    uint256 public constant MAX_SNAPSHOT_ITEMS = 32;

    /// @dev Decimal offset of the virtual shares (see the inflation-attack note); {VaultMath} converts with it.
    uint8 private constant DECIMALS_OFFSET = VaultMath.DECIMALS_OFFSET;

    /// @dev Transient slots of the per-call snapshot; bit 255 marks a live value.
    uint256 private constant NAV_SLOT = uint256(keccak256("bulwark.vault.transient.nav"));
    uint256 private constant FREE_SLOT = uint256(keccak256("bulwark.vault.transient.free"));
    uint256 private constant LIVE = 1 << 255;

    /* ------------------------------------------------------------------ */
    /*                               STORAGE                              */
    /* ------------------------------------------------------------------ */

    IMarginEngine private immutable _engine;
    ICircuitBreaker private immutable _breaker;

    /// @dev The breaker's global scope id.
    bytes32 private constant GLOBAL = bytes32(0);
    uint256 private constant WAD = 1e18;

    /// @dev The vault valued at one moment, as every ERC-4626 view uses it.
    /// @param nav `totalAssets()`: equity clamped at zero.
    /// @param supply `totalSupply()`.
    /// @param priced Conversions are possible: inside a snapshot, or prices usable and equity not negative.
    /// @param free Free margin; zero when not priced.
    struct Valued {
        uint256 nav;
        uint256 supply;
        bool priced;
        uint256 free;
    }

    /// @dev Packed: spot age bound and queue bounds.
    uint64 private _maxSpotAge;
    uint64 private _queueHead;
    uint64 private _queueTail;
    /// @dev Assets this contract holds for processed, unclaimed requests.
    uint256 private _totalClaimable;
    mapping(uint256 requestId => RedeemRequest) private _requests;

    /// @param engine_ The margin engine (this vault must then be wired into it).
    /// @param initialAuthority The AccessManager.
    /// @param name_ Share token name.
    /// @param symbol_ Share token symbol.
    /// @param maxSpotAge_ Oldest acceptable spot age, seconds (bounded).
    constructor(IMarginEngine engine_, address initialAuthority, string memory name_, string memory symbol_, uint256 maxSpotAge_)
        ERC4626(engine_.quoteToken())
        ERC20(name_, symbol_)
        AccessManaged(initialAuthority)
    {
        _engine = engine_;
        _breaker = engine_.breaker();
        _setMaxSpotAge(maxSpotAge_);
    }

    /* ------------------------------------------------------------------ */
    /*                          ERC-4626 ENTRY POINTS                     */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IERC4626
    function deposit(uint256 assets, address receiver)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256 shares)
    {
        // Gates RISK_INCREASING first (the refusal reads as the breaker's) and records the inflow: a later revert
        // undoes the record with the rest.
        _breaker.recordInflow(assets);
        _openSnapshot(false);
        shares = previewDeposit(assets);
        if (shares == 0) revert VaultZeroShares(assets);
        // No `maxDeposit` check: inside the snapshot it refuses only what `recordInflow` has refused.
        _deposit(msg.sender, receiver, assets, shares);
        _closeSnapshot();
    }

    /// @inheritdoc IERC4626
    function mint(uint256 shares, address receiver)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256 assets)
    {
        // The amount needs the snapshot, so the gate is asked first on its own: a refusal still comes before every
        // other one (the flow call below is then warm).
        _breaker.checkGlobal(ICircuitBreaker.ActionClass.RISK_INCREASING);
        if (shares == 0) revert VaultZeroAmount(msg.sender);
        _openSnapshot(false);
        assets = previewMint(shares);
        // Records the inflow (gating again, at warm cost); no `maxMint` check (as in `deposit`).
        _breaker.recordInflow(assets);
        _deposit(msg.sender, receiver, assets, shares);
        _closeSnapshot();
    }

    /// @inheritdoc IERC4626
    function withdraw(uint256 assets, address receiver, address owner)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256 shares)
    {
        // Gates EXIT first and charges the outflow when the bucket can take it (a later revert undoes the charge).
        (bool recorded, uint256 outflowRoom) = _breaker.tryRecordOutflow(assets);
        if (assets == 0) revert VaultZeroAmount(msg.sender);
        _openSnapshot(true);
        // `maxWithdraw` with the room read above (no second breaker call). Past the room nothing was charged, and
        // then assets > room >= maxAssets: `!recorded` never lets an uncharged outflow through.
        uint256 maxAssets = Math.min(_convertToAssets(balanceOf(owner), Math.Rounding.Floor), _available());
        maxAssets = Math.min(maxAssets, outflowRoom);
        if (assets > maxAssets || !recorded) revert ERC4626ExceededMaxWithdraw(owner, assets, maxAssets);
        shares = previewWithdraw(assets);
        _withdraw(msg.sender, receiver, owner, assets, shares);
        _closeSnapshot();
    }

    /// @inheritdoc IERC4626
    function redeem(uint256 shares, address receiver, address owner)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256 assets)
    {
        // The amount needs the snapshot, so the gate is asked first on its own (as in `mint`).
        _breaker.checkGlobal(ICircuitBreaker.ActionClass.EXIT);
        _openSnapshot(true);
        assets = previewRedeem(shares);
        if (assets == 0) revert VaultZeroAssets(shares);
        // Gates EXIT again (warm) and charges the outflow when the bucket can take it (a later revert undoes the charge).
        (bool recorded, uint256 outflowRoom) = _breaker.tryRecordOutflow(assets);
        // `maxRedeem` with the room read above. shares <= maxShares implies assets <= room (both conversions round
        // down), so a passing check was charged; `!recorded` is kept as a second guard.
        uint256 payable_ = _convertToShares(Math.min(_available(), outflowRoom), Math.Rounding.Floor);
        uint256 maxShares = Math.min(balanceOf(owner), payable_);
        if (shares > maxShares || !recorded) revert ERC4626ExceededMaxRedeem(owner, shares, maxShares);
        _withdraw(msg.sender, receiver, owner, assets, shares);
        _closeSnapshot();
    }

    /* ------------------------------------------------------------------ */
    /*                             REDEEM QUEUE                           */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc ILiquidityVault
    function requestRedeem(uint256 shares, address receiver, address owner)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        _breaker.checkGlobal(ICircuitBreaker.ActionClass.EXIT);
        if (shares == 0) revert VaultZeroAmount(msg.sender);
        if (receiver == address(0) || receiver == address(this)) revert VaultInvalidAddress(receiver);
        if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
        requestId = _queueTail;
        _queueTail = uint64(requestId + 1);
        _requests[requestId] = RedeemRequest({
            owner: owner,
            status: RequestStatus.PENDING,
            receiver: receiver,
            shares: shares.toUint128(),
            assets: 0
        });
        _transfer(owner, address(this), shares);
        emit RedeemRequested(requestId, owner, receiver, shares);
    }

    /// @inheritdoc ILiquidityVault
    function cancelRedeemRequest(uint256 requestId) external nonReentrant {
        _breaker.checkGlobal(ICircuitBreaker.ActionClass.EXIT);
        RedeemRequest memory r = _requests[requestId];
        if (r.status != RequestStatus.PENDING) revert VaultRequestStatus(requestId, r.status);
        if (msg.sender != r.owner) revert VaultNotRequestOwner(requestId, msg.sender, r.owner);
        _requests[requestId].status = RequestStatus.CANCELLED;
        _transfer(address(this), r.owner, r.shares);
        emit RedeemCancelled(requestId, r.owner, r.shares);
    }

    /// @inheritdoc ILiquidityVault
    function processRedeemQueue(uint256 maxRequests)
        external
        nonReentrant
        returns (uint256 processed, uint256 assets)
    {
        if (maxRequests == 0 || maxRequests > MAX_PROCESS_BATCH) {
            revert VaultBatchOutOfRange(maxRequests, MAX_PROCESS_BATCH);
        }
        (uint256 nav, uint256 free) = _openSnapshot(true);
        // The batch never exceeds what the outflow rate limit still allows: it is recorded as one outflow below.
        free = Math.min(free, _breaker.outflowAvailable());
        uint256 supply = totalSupply();
        uint256 head = _queueHead;
        uint256 tail = _queueTail;
        while (processed < maxRequests && head < tail) {
            RedeemRequest storage r = _requests[head];
            if (r.status == RequestStatus.PENDING) {
                uint256 shares = r.shares;
                uint256 paid = shares.mulDiv(nav + 1, supply + 10 ** DECIMALS_OFFSET, Math.Rounding.Floor);
                if (paid > free) break;
                r.status = RequestStatus.CLAIMABLE;
                r.assets = uint128(paid);
                // Cannot underflow: paid <= free <= nav, and the escrowed shares are part of the supply.
                unchecked {
                    nav -= paid;
                    free -= paid;
                    supply -= shares;
                }
                assets += paid;
                _burn(address(this), shares);
                emit RedeemProcessed(head, shares, paid);
            }
            ++head;
            ++processed;
        }
        _queueHead = uint64(head);
        // Gates EXIT (refused only while paused) even for an empty batch; records the batch's outflow.
        _breaker.recordOutflow(assets);
        if (assets != 0) {
            _totalClaimable += assets;
            _engine.withdrawVault(address(this), assets);
        }
        _closeSnapshot();
    }

    /// @inheritdoc ILiquidityVault
    function claimRedeem(uint256 requestId) external nonReentrant returns (uint256 assets) {
        _breaker.checkGlobal(ICircuitBreaker.ActionClass.EXIT);
        RedeemRequest memory r = _requests[requestId];
        if (r.status != RequestStatus.CLAIMABLE) revert VaultRequestStatus(requestId, r.status);
        assets = r.assets;
        _requests[requestId].status = RequestStatus.CLAIMED;
        _totalClaimable -= assets;
        emit RedeemClaimed(requestId, r.receiver, assets);
        SafeERC20.safeTransfer(IERC20(asset()), r.receiver, assets);
    }

    /* ------------------------------------------------------------------ */
    /*                             CONFIGURATION                          */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc ILiquidityVault
    function setMaxSpotAge(uint256 maxSpotAge_) external restricted {
        _setMaxSpotAge(maxSpotAge_);
    }

    /* ------------------------------------------------------------------ */
    /*                              ERC-4626 VIEWS                        */
    /* ------------------------------------------------------------------ */

    // Each view below is a thin wrapper: it reads the state it needs (NAV, supply, free margin, the breaker's gates)
    // and hands it to a pure function of {VaultMath}, which `erc4626Snapshot` calls with the same state valued once.
    // The two paths therefore share every formula and every rounding direction.

    /// @inheritdoc IERC4626
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        (bool live, uint256 nav) = _snapshotValue(NAV_SLOT);
        if (live) return nav;
        (int256 equity, , ) = _engine.vaultState(_maxSpotAge);
        return VaultMath.navOf(equity);
    }

    /// @inheritdoc IERC4626
    function convertToShares(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.sharesDown(assets, totalSupply(), totalAssets());
    }

    /// @inheritdoc IERC4626
    function convertToAssets(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.assetsDown(shares, totalSupply(), totalAssets());
    }

    /// @inheritdoc IERC4626
    function previewDeposit(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.sharesDown(assets, totalSupply(), totalAssets());
    }

    /// @inheritdoc IERC4626
    function previewMint(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.assetsUp(shares, totalSupply(), totalAssets());
    }

    /// @inheritdoc IERC4626
    function previewWithdraw(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.sharesUp(assets, totalSupply(), totalAssets());
    }

    /// @inheritdoc IERC4626
    function previewRedeem(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.assetsDown(shares, totalSupply(), totalAssets());
    }

    /// @inheritdoc IERC4626
    /// @dev Zero while the vault cannot be priced (failed or stale oracle) or is insolvent, or while the breaker's
    ///      global scope refuses RISK_INCREASING.
    function maxDeposit(address) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.depositLimit(_depositsOpen());
    }

    /// @inheritdoc IERC4626
    /// @dev Zero while the vault cannot be priced (failed or stale oracle) or is insolvent, or while the breaker's
    ///      global scope refuses RISK_INCREASING.
    function maxMint(address) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.depositLimit(_depositsOpen());
    }

    /// @inheritdoc IERC4626
    /// @dev The owner's assets, capped by `availableLiquidity()` and the breaker's `outflowAvailable()`; zero
    ///      while the breaker refuses EXIT (paused).
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.maxWithdrawDown(balanceOf(owner), totalSupply(), totalAssets(), _exitable());
    }

    /// @inheritdoc IERC4626
    /// @dev The owner's shares, capped by the shares `availableLiquidity()` and the breaker's `outflowAvailable()`
    ///      can pay; zero while the breaker refuses EXIT (paused).
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return VaultMath.maxRedeemDown(balanceOf(owner), totalSupply(), totalAssets(), _exitable());
    }

    /// @inheritdoc ILiquidityVault
    function erc4626Snapshot(address[] calldata owners, uint256[] calldata assetProbes, uint256[] calldata shareProbes)
        external
        view
        returns (ERC4626Snapshot memory snap)
    {
        _checkSnapshotInput("owners", owners.length);
        _checkSnapshotInput("assetProbes", assetProbes.length);
        _checkSnapshotInput("shareProbes", shareProbes.length);
        Valued memory v = _valueOnce();
        snap.totalAssets = v.nav;
        snap.totalSupply = v.supply;
        bool riskAllowed = _breaker.isAllowed(GLOBAL, ICircuitBreaker.ActionClass.RISK_INCREASING);
        uint256 limit = VaultMath.depositLimit(riskAllowed && v.priced);
        snap.maxDeposit = limit;
        snap.maxMint = limit;
        uint256 available = VaultMath.availableDown(v.free, balanceOf(address(this)), v.supply, v.nav);
        snap.availableLiquidity = available;
        bool exitAllowed = _breaker.isAllowed(GLOBAL, ICircuitBreaker.ActionClass.EXIT);
        uint256 exitable = VaultMath.exitable(exitAllowed, available, exitAllowed ? _breaker.outflowAvailable() : 0);
        _snapshotOwners(snap, v, owners, exitable);
        _snapshotProbes(snap, v, assetProbes, shareProbes);
    }

    /* ------------------------------------------------------------------ */
    /*                            BREAKER METRICS                         */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc IBreakerMetrics
    /// @dev Reserved margin / NAV, rounded up: (equity - free margin) / equity, where free margin is what the vault's
    ///      account could release while meeting initial margin. Prices of any age are accepted (the breaker's
    ///      oracle trips watch staleness), but a vault that cannot be valued at all (a FAILED oracle under one of
    ///      its positions) or whose equity is not positive reports `type(uint256).max`: capacity that cannot be
    ///      proven is treated as used. Never reverts.
    function utilisation() external view returns (uint256 wad) {
        (int256 equity, uint256 free, bool usable) = _engine.vaultState(MAX_SPOT_AGE_FOR_METRICS);
        if (!usable || equity <= 0) return type(uint256).max;
        uint256 nav = uint256(equity);
        // Free margin is at most equity minus the initial requirement; the clamp only guards against rounding.
        uint256 reserved = nav > free ? nav - free : 0;
        return reserved.mulDiv(WAD, nav, Math.Rounding.Ceil);
    }

    /* ------------------------------------------------------------------ */
    /*                                 VIEWS                              */
    /* ------------------------------------------------------------------ */

    /// @inheritdoc ILiquidityVault
    function engine() external view returns (IMarginEngine) {
        return _engine;
    }

    /// @inheritdoc ILiquidityVault
    function breaker() external view returns (ICircuitBreaker) {
        return _breaker;
    }

    /// @inheritdoc ILiquidityVault
    function maxSpotAge() external view returns (uint256) {
        return _maxSpotAge;
    }

    /// @inheritdoc ILiquidityVault
    function redeemRequest(uint256 requestId) external view returns (RedeemRequest memory) {
        return _requests[requestId];
    }

    /// @inheritdoc ILiquidityVault
    function redeemQueue() external view returns (uint256 head, uint256 tail) {
        return (_queueHead, _queueTail);
    }

    /// @inheritdoc ILiquidityVault
    function totalClaimable() external view returns (uint256) {
        return _totalClaimable;
    }

    /// @inheritdoc ILiquidityVault
    function availableLiquidity() external view returns (uint256) {
        return _available();
    }

    /// @inheritdoc ILiquidityVault
    function conservation() external view returns (uint256 tokenBalance, uint256 totalOwed) {
        return (IERC20(asset()).balanceOf(address(this)), _totalClaimable);
    }

    /* ------------------------------------------------------------------ */
    /*                                INTERNALS                           */
    /* ------------------------------------------------------------------ */

    /// @dev Pulls assets from the depositor straight into the engine and credits the vault's account there.
    ///      Reached only from `deposit` and `mint`, which have recorded the inflow with the breaker.
    function _transferIn(address from, uint256 assets) internal override {
        SafeERC20.safeTransferFrom(IERC20(asset()), from, address(_engine), assets);
        _engine.creditVault(assets);
    }

    /// @dev Sends assets from the vault's account in the engine straight to the receiver (free margin checked
    ///      by the engine).
    ///      Reached only from `withdraw` and `redeem`, which have charged the outflow with the breaker.
    function _transferOut(address to, uint256 assets) internal override {
        _engine.withdrawVault(to, assets);
    }

    /// @dev Virtual share offset (see the inflation-attack note).
    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }

    /// @dev Takes the engine snapshot for this call; reverts on failed or stale prices or negative equity.
    function _openSnapshot(bool withFreeMargin) private returns (uint256 nav, uint256 free) {
        (int256 equity, uint256 freeMargin) = _engine.vaultSnapshot(_maxSpotAge, withFreeMargin);
        if (equity < 0) revert VaultInsolvent(equity);
        nav = uint256(equity);
        free = freeMargin;
        uint256 navSlot = NAV_SLOT;
        uint256 freeSlot = FREE_SLOT;
        uint256 navValue = LIVE | nav;
        uint256 freeValue = withFreeMargin ? LIVE | free : 0;
        assembly ("memory-safe") {
            tstore(navSlot, navValue)
            tstore(freeSlot, freeValue)
        }
    }

    /// @dev Clears the snapshot before the entry point returns.
    function _closeSnapshot() private {
        uint256 navSlot = NAV_SLOT;
        uint256 freeSlot = FREE_SLOT;
        assembly ("memory-safe") {
            tstore(navSlot, 0)
            tstore(freeSlot, 0)
        }
    }

    /// @dev Reads a snapshot slot.
    function _snapshotValue(uint256 slot) private view returns (bool live, uint256 value) {
        uint256 packed;
        assembly ("memory-safe") {
            packed := tload(slot)
        }
        live = packed & LIVE != 0;
        value = packed & ~LIVE;
    }

    /// @dev True when conversions are possible now: inside a snapshot, or prices usable and equity not negative.
    function _convertible() private view returns (bool) {
        (bool live, ) = _snapshotValue(NAV_SLOT);
        if (live) return true;
        (int256 equity, , bool usable) = _engine.vaultState(_maxSpotAge);
        return VaultMath.pricedOf(equity, usable);
    }

    /// @dev True when `deposit`/`mint` can succeed as far as pricing, solvency and the breaker's gate go.
    function _depositsOpen() private view returns (bool) {
        return _breaker.isAllowed(GLOBAL, ICircuitBreaker.ActionClass.RISK_INCREASING) && _convertible();
    }

    /// @dev `_available()` capped by the outflow rate limit; zero while the breaker refuses EXIT (the other reads are
    ///      then skipped: their values do not matter).
    function _exitable() private view returns (uint256) {
        bool allowed = _breaker.isAllowed(GLOBAL, ICircuitBreaker.ActionClass.EXIT);
        if (!allowed) return VaultMath.exitable(false, 0, 0);
        return VaultMath.exitable(true, _available(), _breaker.outflowAvailable());
    }

    /// @dev Free margin minus the value of the queued (escrowed) shares, rounded up; zero if unpriceable.
    function _available() private view returns (uint256) {
        (bool live, uint256 free) = _snapshotValue(FREE_SLOT);
        if (!live) {
            (int256 equity, uint256 freeMargin, bool usable) = _engine.vaultState(_maxSpotAge);
            free = VaultMath.countedFreeOf(equity, freeMargin, usable);
            // Nothing free (or unpriceable): nothing is available whatever the reservation below (saves a valuation).
            if (free == 0) return 0;
        }
        return VaultMath.availableDown(free, balanceOf(address(this)), totalSupply(), totalAssets());
    }

    /// @dev The state the views read, valued once: the running call's snapshot where it is live, else one
    ///      `vaultState` read (the same fallbacks as `totalAssets`, `_convertible` and `_available`).
    function _valueOnce() private view returns (Valued memory v) {
        v.supply = totalSupply();
        (bool navLive, uint256 nav) = _snapshotValue(NAV_SLOT);
        (bool freeLive, uint256 free) = _snapshotValue(FREE_SLOT);
        if (navLive && freeLive) {
            (v.nav, v.priced, v.free) = (nav, true, free);
            return v;
        }
        (int256 equity, uint256 freeMargin, bool usable) = _engine.vaultState(_maxSpotAge);
        v.nav = navLive ? nav : VaultMath.navOf(equity);
        v.priced = navLive || VaultMath.pricedOf(equity, usable);
        v.free = freeLive ? free : VaultMath.countedFreeOf(equity, freeMargin, usable);
    }

    /// @dev Fills the per-owner limits of a snapshot.
    function _snapshotOwners(ERC4626Snapshot memory snap, Valued memory v, address[] calldata owners, uint256 exitable)
        private
        view
    {
        uint256 n = owners.length;
        snap.maxWithdraw = new uint256[](n);
        snap.maxRedeem = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 shares = balanceOf(owners[i]);
            snap.maxWithdraw[i] = VaultMath.maxWithdrawDown(shares, v.supply, v.nav, exitable);
            snap.maxRedeem[i] = VaultMath.maxRedeemDown(shares, v.supply, v.nav, exitable);
        }
    }

    /// @dev Fills the previews and conversions of a snapshot.
    function _snapshotProbes(
        ERC4626Snapshot memory snap,
        Valued memory v,
        uint256[] calldata assetProbes,
        uint256[] calldata shareProbes
    ) private pure {
        uint256 n = assetProbes.length;
        snap.previewDeposit = new uint256[](n);
        snap.previewWithdraw = new uint256[](n);
        snap.convertToShares = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 assets = assetProbes[i];
            snap.previewDeposit[i] = VaultMath.sharesDown(assets, v.supply, v.nav);
            snap.previewWithdraw[i] = VaultMath.sharesUp(assets, v.supply, v.nav);
            snap.convertToShares[i] = VaultMath.sharesDown(assets, v.supply, v.nav);
        }
        n = shareProbes.length;
        snap.previewMint = new uint256[](n);
        snap.previewRedeem = new uint256[](n);
        snap.convertToAssets = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 shares = shareProbes[i];
            snap.previewMint[i] = VaultMath.assetsUp(shares, v.supply, v.nav);
            snap.previewRedeem[i] = VaultMath.assetsDown(shares, v.supply, v.nav);
            snap.convertToAssets[i] = VaultMath.assetsDown(shares, v.supply, v.nav);
        }
    }

    /// @dev Bounds one `erc4626Snapshot` input list.
    function _checkSnapshotInput(bytes32 input, uint256 length) private pure {
        if (length > MAX_SNAPSHOT_ITEMS) revert VaultSnapshotInputTooLong(input, length, MAX_SNAPSHOT_ITEMS);
    }

    /// @dev OpenZeppelin's conversion hook, routed through the same formula as every view.
    function _convertToShares(uint256 assets, Math.Rounding rounding) internal view override returns (uint256) {
        return VaultMath.toShares(assets, totalSupply(), totalAssets(), rounding);
    }

    /// @dev OpenZeppelin's conversion hook, routed through the same formula as every view.
    function _convertToAssets(uint256 shares, Math.Rounding rounding) internal view override returns (uint256) {
        return VaultMath.toAssets(shares, totalSupply(), totalAssets(), rounding);
    }

    /// @dev Bounds and stores `maxSpotAge`.
    function _setMaxSpotAge(uint256 value) private {
        if (value < MIN_SPOT_AGE || value > MAX_SPOT_AGE) {
            revert VaultParameterOutOfRange("maxSpotAge", value, MIN_SPOT_AGE, MAX_SPOT_AGE);
        }
        uint256 old = _maxSpotAge;
        _maxSpotAge = uint64(value);
        emit MaxSpotAgeSet(old, value);
    }
}
