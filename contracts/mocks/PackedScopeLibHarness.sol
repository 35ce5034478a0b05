// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {PackedScope, PackedScopeLib} from "../libraries/PackedScopeLib.sol";

/// @title PackedScopeLibHarness
/// @notice Exposes PackedScopeLib's internal functions to the unit tests. Never deployed by deploy/.
contract PackedScopeLibHarness {
    function pack(ICircuitBreaker.ScopeState memory s) external pure returns (uint256) {
        return PackedScope.unwrap(PackedScopeLib.pack(s));
    }

    function unpack(uint256 word) external pure returns (ICircuitBreaker.ScopeState memory) {
        return PackedScope.wrap(word).unpack();
    }

    function level(uint256 word) external pure returns (uint256) {
        return PackedScope.wrap(word).level();
    }

    function moveLimitBps(uint256 word) external pure returns (uint256) {
        return PackedScope.wrap(word).moveLimitBps();
    }

    function globalLevel(uint256 word) external pure returns (uint256) {
        return PackedScope.wrap(word).globalLevel();
    }

    function withGlobalLevel(uint256 word, uint256 newLevel) external pure returns (uint256) {
        return PackedScope.unwrap(PackedScope.wrap(word).withGlobalLevel(newLevel));
    }

    function isQuiet(uint256 word, uint256 spot, uint256 nowTs) external pure returns (bool) {
        return PackedScope.wrap(word).isQuiet(spot, nowTs);
    }

    function movedBeyond(uint256 ref, uint256 spot, uint256 limitBps) external pure returns (bool) {
        return PackedScopeLib.movedBeyond(ref, spot, limitBps);
    }
}
