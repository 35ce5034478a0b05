// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title TestDouble
/// @notice Marks a contract as a test double. The deployment refuses any configured address that answers `true`
///         on a network other than a local one, so a mock can never be wired into a real deployment.
abstract contract TestDouble {
    /// @notice Always true: this contract exists for tests and the local demo only.
    function isTestDouble() external pure returns (bool) {
        return true;
    }
}
