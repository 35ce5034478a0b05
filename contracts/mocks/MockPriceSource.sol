// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceSource} from "../interfaces/IPriceSource.sol";
import {TestDouble} from "./TestDouble.sol";

/// @title MockPriceSource
/// @notice Test double of a price source whose `spotFeed()` is whatever the test sets, to exercise the router's checks
///         of a snapshot (`OracleSpotFeedInvalid`). Tests only; never deployed by deploy/.
contract MockPriceSource is IPriceSource, TestDouble {
    /// @dev Fires on `latestPrice` and `priceAt`: the router must never need them for a spot read.
    error MockPriceSourceNotReadable();

    SpotFeed private _spot;

    /// @notice Sets the snapshot `spotFeed()` returns.
    function setSpotFeed(SpotFeed calldata spot) external {
        _spot = spot;
    }

    /// @inheritdoc IPriceSource
    function latestPrice() external pure returns (uint256, uint256, uint16) {
        revert MockPriceSourceNotReadable();
    }

    /// @inheritdoc IPriceSource
    function priceAt(uint64, uint256) external pure returns (uint256, uint256) {
        revert MockPriceSourceNotReadable();
    }

    /// @inheritdoc IPriceSource
    function spotFeed() external view returns (SpotFeed memory) {
        return _spot;
    }
}
