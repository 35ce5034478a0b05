// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IInsuranceFund
/// @notice The insurance fund's identity in the margin engine: its balance is the engine collateral of this
///         contract's address. Liquidation penalties credit it; liquidation shortfalls draw it before the vault.
/// @dev The fund holds no tokens itself; the engine moves its balance only inside `liquidatePosition`.
interface IInsuranceFund {
    /// @notice `amount` quote tokens from `from` were added to the fund.
    event InsuranceFunded(address indexed from, uint256 amount);

    /// @notice `amount` quote tokens left the fund for `to`.
    event InsuranceWithdrawn(address indexed to, uint256 amount);

    /// @dev Fires when an amount that must be positive is zero.
    error InsuranceZeroAmount();

    /// @dev Fires when an address is zero.
    error InsuranceInvalidAddress(address value);

    /// @notice Pulls `amount` quote tokens from the caller into the fund's engine balance. Permissionless.
    function fund(uint256 amount) external;

    /// @notice Sends `amount` of the fund's balance to `to`. Meant for ADMIN (timelocked).
    /// @dev Reverts with the engine's `MarginInsufficientCollateral` above the balance.
    function withdraw(uint256 amount, address to) external;

    /// @notice The fund's balance in quote units.
    function balance() external view returns (uint256);
}
