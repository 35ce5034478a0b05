// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IKeeperTargetMock
/// @notice Test double for the keeper service: a registry of (account, series) positions whose health a test
///         sets directly, with an idempotent liquidation and a paginated health lens.
/// @dev Stands in for MarginEngine + Liquidation in the keeper fault suite only; never deployed by `deploy/`.
///      Health is WAD: below 1e18 a position is liquidatable. `halted` stands in for a tripped breaker or a
///      failed oracle: liquidations revert and `isLiquidatable` reports false.
interface IKeeperTargetMock {
    /// @dev Fires the first time a test sets the health of a position.
    event KeeperMockPositionOpened(address indexed account, uint256 indexed seriesId, uint256 health);
    /// @dev Fires every time a test sets the health of a position (including the first time).
    event KeeperMockHealthUpdated(address indexed account, uint256 indexed seriesId, uint256 health);
    /// @dev Fires when `liquidator` liquidates a position; each position can be liquidated once.
    event KeeperMockLiquidated(address indexed account, uint256 indexed seriesId, address indexed liquidator, uint256 health);
    /// @dev Fires when a test halts or resumes liquidations.
    event KeeperMockHaltChanged(bool halted);

    /// @dev Fires when `liquidate` targets a position no test ever opened.
    error KeeperMockUnknownPosition(address account, uint256 seriesId);
    /// @dev Fires on a second liquidation of the same position: the duplicate the keeper must never send.
    error KeeperMockAlreadyLiquidated(address account, uint256 seriesId);
    /// @dev Fires when `liquidate` targets a position whose health is at or above 1e18.
    error KeeperMockHealthy(address account, uint256 seriesId, uint256 health);
    /// @dev Fires when `liquidate` is called while liquidations are halted.
    error KeeperMockHalted(address account, uint256 seriesId);
    /// @dev Fires when `healthOf` gets arrays of different lengths.
    error KeeperMockLengthMismatch(uint256 accounts, uint256 seriesIds);

    /// @notice Sets the health of a position, opening it on first use. Test-only, unrestricted.
    /// @param account The account holding the position.
    /// @param seriesId The series of the position.
    /// @param health The new health, WAD.
    function setHealth(address account, uint256 seriesId, uint256 health) external;

    /// @notice Halts (true) or resumes (false) liquidations. Test-only, unrestricted.
    function setHalted(bool halted_) external;

    /// @notice Liquidates a position whose health is below 1e18; at most once per position.
    /// @dev Reverts with KeeperMockUnknownPosition, KeeperMockAlreadyLiquidated, KeeperMockHealthy or
    ///      KeeperMockHalted.
    function liquidate(address account, uint256 seriesId) external;

    /// @notice Whether `liquidate(account, seriesId)` would succeed now.
    function isLiquidatable(address account, uint256 seriesId) external view returns (bool);

    /// @notice Health of many positions at once; `type(uint256).max` for unknown or liquidated positions.
    /// @dev Reverts with KeeperMockLengthMismatch. The caller bounds the batch size.
    function healthOf(address[] calldata accounts, uint256[] calldata seriesIds)
        external
        view
        returns (uint256[] memory healths);

    /// @notice One page of the position registry, in opening order.
    /// @param offset Index of the first position of the page.
    /// @param limit Maximum number of positions returned.
    /// @return accounts Accounts of the page.
    /// @return seriesIds Series of the page.
    /// @return healths Healths of the page (`type(uint256).max` once liquidated).
    /// @return total Number of positions ever opened.
    function positionsPage(uint256 offset, uint256 limit)
        external
        view
        returns (address[] memory accounts, uint256[] memory seriesIds, uint256[] memory healths, uint256 total);

    /// @notice Number of successful liquidations of a position (0 or 1).
    function liquidationCount(address account, uint256 seriesId) external view returns (uint256);

    /// @notice Whether liquidations are halted.
    function halted() external view returns (bool);
}

/// @title KeeperTargetMock
/// @notice See {IKeeperTargetMock}. Test double only.
contract KeeperTargetMock is IKeeperTargetMock {
    /* ------------------------------------------------------------------ STORAGE */

    uint256 private constant _LIQUIDATION_THRESHOLD = 1e18;

    struct Position {
        uint256 health;
        bool open;
        bool liquidated;
    }

    struct Key {
        address account;
        uint256 seriesId;
    }

    mapping(address account => mapping(uint256 seriesId => Position)) private _positions;
    Key[] private _keys;

    /// @inheritdoc IKeeperTargetMock
    bool public halted;

    /* ------------------------------------------------------------------ TEST CONTROLS */

    /// @inheritdoc IKeeperTargetMock
    function setHealth(address account, uint256 seriesId, uint256 health) external {
        Position storage p = _positions[account][seriesId];
        if (!p.open) {
            p.open = true;
            _keys.push(Key(account, seriesId));
            emit KeeperMockPositionOpened(account, seriesId, health);
        }
        p.health = health;
        emit KeeperMockHealthUpdated(account, seriesId, health);
    }

    /// @inheritdoc IKeeperTargetMock
    function setHalted(bool halted_) external {
        halted = halted_;
        emit KeeperMockHaltChanged(halted_);
    }

    /* ------------------------------------------------------------------ LIQUIDATION */

    /// @inheritdoc IKeeperTargetMock
    function liquidate(address account, uint256 seriesId) external {
        Position storage p = _positions[account][seriesId];
        if (!p.open) revert KeeperMockUnknownPosition(account, seriesId);
        if (p.liquidated) revert KeeperMockAlreadyLiquidated(account, seriesId);
        if (p.health >= _LIQUIDATION_THRESHOLD) revert KeeperMockHealthy(account, seriesId, p.health);
        if (halted) revert KeeperMockHalted(account, seriesId);
        p.liquidated = true;
        emit KeeperMockLiquidated(account, seriesId, msg.sender, p.health);
    }

    /* ------------------------------------------------------------------ LENS */

    /// @inheritdoc IKeeperTargetMock
    function isLiquidatable(address account, uint256 seriesId) external view returns (bool) {
        Position storage p = _positions[account][seriesId];
        return p.open && !p.liquidated && p.health < _LIQUIDATION_THRESHOLD && !halted;
    }

    /// @inheritdoc IKeeperTargetMock
    function healthOf(address[] calldata accounts, uint256[] calldata seriesIds)
        external
        view
        returns (uint256[] memory healths)
    {
        if (accounts.length != seriesIds.length) revert KeeperMockLengthMismatch(accounts.length, seriesIds.length);
        healths = new uint256[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            healths[i] = _healthOf(accounts[i], seriesIds[i]);
        }
    }

    /// @inheritdoc IKeeperTargetMock
    function positionsPage(uint256 offset, uint256 limit)
        external
        view
        returns (address[] memory accounts, uint256[] memory seriesIds, uint256[] memory healths, uint256 total)
    {
        total = _keys.length;
        uint256 end = offset >= total ? offset : (limit > total - offset ? total : offset + limit);
        uint256 n = end - offset;
        accounts = new address[](n);
        seriesIds = new uint256[](n);
        healths = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            Key storage k = _keys[offset + i];
            accounts[i] = k.account;
            seriesIds[i] = k.seriesId;
            healths[i] = _healthOf(k.account, k.seriesId);
        }
    }

    /// @inheritdoc IKeeperTargetMock
    function liquidationCount(address account, uint256 seriesId) external view returns (uint256) {
        return _positions[account][seriesId].liquidated ? 1 : 0;
    }

    function _healthOf(address account, uint256 seriesId) private view returns (uint256) {
        Position storage p = _positions[account][seriesId];
        return (!p.open || p.liquidated) ? type(uint256).max : p.health;
    }
}
