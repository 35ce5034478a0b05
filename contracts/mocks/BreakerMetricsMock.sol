// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IBreakerMetrics} from "../interfaces/IBreakerMetrics.sol";

/// @title BreakerMetricsMock
/// @notice Test double of the vault's utilisation metric for the circuit breaker's tests. Never deployed by deploy/.
contract BreakerMetricsMock is IBreakerMetrics {
    uint256 private _utilisation;

    /// @notice Sets the utilisation returned by `utilisation` (WAD).
    function setUtilisation(uint256 wad) external {
        _utilisation = wad;
    }

    /// @inheritdoc IBreakerMetrics
    function utilisation() external view returns (uint256 wad) {
        return _utilisation;
    }
}
