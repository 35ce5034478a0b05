// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title BreakerRouterMock
/// @notice Test double of the OracleRouter's spot read, for the circuit breaker's tests: readings are set directly.
///         Never deployed by deploy/.
/// @dev Implements only `getSpot` (the breaker reads nothing else), with the router's exact signature, so it keeps
///      working while the router's interface grows.
contract BreakerRouterMock {
    /// @dev Fires from `getSpot` while `setReverting(true)` is on.
    error BreakerRouterMockReverted(bytes32 underlying);

    mapping(bytes32 underlying => IOracleRouter.SpotReading) private _readings;
    bool private _reverting;

    /// @notice Sets the reading of `underlying`: `price` (WAD) with `status`, updated now.
    function setSpot(bytes32 underlying, uint256 price, IOracleRouter.Status status) external {
        _readings[underlying] = IOracleRouter.SpotReading({
            price: price,
            status: status,
            reasons: status == IOracleRouter.Status.OK ? 0 : 1,
            validSources: status == IOracleRouter.Status.FAILED ? 0 : 3,
            updatedAt: status == IOracleRouter.Status.FAILED ? 0 : uint64(block.timestamp)
        });
    }

    /// @notice Makes every `getSpot` revert (to check that the breaker does not swallow router failures).
    function setReverting(bool reverting) external {
        _reverting = reverting;
    }

    /// @notice Same signature as `IOracleRouter.getSpot`.
    function getSpot(bytes32 underlying) external view returns (IOracleRouter.SpotReading memory reading) {
        if (_reverting) revert BreakerRouterMockReverted(underlying);
        return _readings[underlying];
    }
}
