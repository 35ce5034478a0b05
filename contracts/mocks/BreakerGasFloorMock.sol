// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BreakerGasFloorTarget
/// @notice The cheapest conceivable breaker check, for the gas tests: one external function with the same arguments
///         as `ICircuitBreaker.checkAction` that reads one mapping slot and returns. Measures the floor every
///         cross-contract check pays (cold account, cold slot, ABI), against which the real check is compared.
///         Never deployed by deploy/.
contract BreakerGasFloorTarget {
    mapping(bytes32 market => uint256) private _words;

    /// @notice Writes the word of `market`.
    function set(bytes32 market, uint256 word) external {
        _words[market] = word;
    }

    /// @notice Reads the word of `market` and returns its two low bits (a "mode").
    function check(bytes32 market, uint8, uint256, uint8) external view returns (uint8) {
        return uint8(_words[market] & 3);
    }
}

/// @title BreakerGasFloorCaller
/// @notice Calls `BreakerGasFloorTarget.check` the way a gated contract calls the breaker, with a baseline variant
///         that does the same work without the call. Never deployed by deploy/.
contract BreakerGasFloorCaller {
    /// @notice The floor target called by `act`.
    BreakerGasFloorTarget public immutable floorTarget;
    /// @notice Number of actions that went through.
    uint256 public actions;

    constructor(BreakerGasFloorTarget target_) {
        floorTarget = target_;
        actions = 1; // nonzero from the start so every action writes nonzero to nonzero
    }

    /// @notice An action preceded by the cheapest check.
    function act(bytes32 market, uint8 cls, uint256 spot, uint8 status) external {
        floorTarget.check(market, cls, spot, status);
        ++actions;
    }

    /// @notice The same action without the check (the gas baseline).
    function actUnchecked(bytes32, uint8, uint256, uint8) external {
        ++actions;
    }
}
