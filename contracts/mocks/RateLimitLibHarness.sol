// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RateLimitLib} from "../libraries/RateLimitLib.sol";

/// @title RateLimitLibHarness
/// @notice Exposes RateLimitLib's internal functions to the unit tests. Never deployed by deploy/.
contract RateLimitLibHarness {
    function refillDown(uint256 limit, uint256 refillPeriod, uint256 elapsed) external pure returns (uint256) {
        return RateLimitLib.refillDown(limit, refillPeriod, elapsed);
    }

    function refillUp(uint256 limit, uint256 refillPeriod, uint256 elapsed) external pure returns (uint256) {
        return RateLimitLib.refillUp(limit, refillPeriod, elapsed);
    }

    function decayed(int256 net, uint256 limit, uint256 refillPeriod, uint256 elapsed) external pure returns (int256) {
        return RateLimitLib.decayed(net, limit, refillPeriod, elapsed);
    }

    function availableDown(int256 net, uint256 limit) external pure returns (uint256) {
        return RateLimitLib.availableDown(net, limit);
    }

    function afterInflow(int256 net, uint256 limit, uint256 assets) external pure returns (int256) {
        return RateLimitLib.afterInflow(net, limit, assets);
    }

    function reached(int256 net, uint256 limit, uint256 tripBps) external pure returns (bool) {
        return RateLimitLib.reached(net, limit, tripBps);
    }
}
