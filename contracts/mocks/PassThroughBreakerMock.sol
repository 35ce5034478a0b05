// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {TestDouble} from "./TestDouble.sol";

/// @title PassThroughBreakerMock
/// @notice Test double of the circuit breaker that allows every action and limits no outflow. The random invariant
///         campaign runs the core behind it because its model does not predict the breaker's automatic trips;
///         breaker gating is tested table-driven against the real CircuitBreaker (test/integration/gating).
contract PassThroughBreakerMock is TestDouble {
    IOracleRouter public immutable router;
    /// @notice Sums of the flows the vault reported, for tests that want to see them.
    uint256 public totalOutflow;
    uint256 public totalInflow;

    constructor(IOracleRouter router_) {
        router = router_;
    }

    /// @notice Always ACTIVE.
    function checkAction(bytes32, ICircuitBreaker.ActionClass, uint256, IOracleRouter.Status)
        external
        pure
        returns (ICircuitBreaker.Mode)
    {
        return ICircuitBreaker.Mode.ACTIVE;
    }

    /// @notice Always ACTIVE.
    function checkGlobal(ICircuitBreaker.ActionClass) external pure returns (ICircuitBreaker.Mode) {
        return ICircuitBreaker.Mode.ACTIVE;
    }

    /// @notice Always allowed.
    function isAllowed(bytes32, ICircuitBreaker.ActionClass) external pure returns (bool) {
        return true;
    }

    /// @notice No outflow limit.
    function outflowAvailable() external pure returns (uint256) {
        return type(uint256).max;
    }

    /// @notice Adds to `totalOutflow`; never refuses.
    function recordOutflow(uint256 assets) external {
        totalOutflow += assets;
    }

    /// @notice Adds to `totalOutflow` and reports it recorded against an unlimited room; never refuses.
    function tryRecordOutflow(uint256 assets) external returns (bool recorded, uint256 available) {
        totalOutflow += assets;
        return (assets != 0, type(uint256).max);
    }

    /// @notice Adds to `totalInflow`; never refuses.
    function recordInflow(uint256 assets) external {
        totalInflow += assets;
    }
}
