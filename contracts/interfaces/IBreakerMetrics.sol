// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IBreakerMetrics
/// @notice The one metric the circuit breaker reads from the liquidity vault.
/// @dev Implemented by the LiquidityVault. Kept to a single view so the breaker depends on nothing else of the vault.
interface IBreakerMetrics {
    /// @notice Share of the vault's assets currently locked as margin behind open positions.
    /// @dev WAD: 0 = nothing locked, 1e18 = everything locked. May exceed 1e18 when the vault's marks have fallen
    ///      below its requirement; the breaker treats any value above its cap the same way. Must not revert in normal
    ///      operation: a reverting metric makes `ICircuitBreaker.poke` revert (the breaker never swallows the error,
    ///      so a caller cannot fake a reading by starving the call of gas).
    /// @return wad Utilisation in WAD.
    function utilisation() external view returns (uint256 wad);
}
