// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestDouble} from "./TestDouble.sol";

/// @title MockSequencerUptimeFeed
/// @notice Test double of Chainlink's L2 sequencer-uptime feed: answer 0 = sequencer up, 1 = down, `startedAt` = since
///         when the current status holds. Can also revert. Tests and the demo only.
contract MockSequencerUptimeFeed is TestDouble {
    /// @dev One slot.
    struct Status {
        int64 answer;
        uint64 startedAt;
        uint64 roundId;
        bool reverts;
    }

    Status private _status;

    /// @notice Emitted for every status written.
    event MockSequencerStatusSet(int256 answer, uint256 startedAt, bool reverts);

    /// @dev Fires in revert mode.
    error MockSequencerReverted();

    /// @notice Starts up since `upSince`.
    constructor(uint64 upSince) {
        _status = Status(0, upSince, 1, false);
    }

    /// @notice Sets the answer (0 up, 1 down, anything else to test garbage) and when that status started.
    function setStatus(int64 answer, uint64 startedAt) external {
        _status = Status(answer, startedAt, _status.roundId + 1, _status.reverts);
        emit MockSequencerStatusSet(answer, startedAt, _status.reverts);
    }

    /// @notice Makes every read revert, or not.
    function setReverts(bool reverts) external {
        _status.reverts = reverts;
        emit MockSequencerStatusSet(_status.answer, _status.startedAt, reverts);
    }

    /// @notice Chainlink AggregatorV3 `latestRoundData` shape.
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Status memory s = _status;
        if (s.reverts) revert MockSequencerReverted();
        return (s.roundId, s.answer, s.startedAt, s.startedAt, s.roundId);
    }

    /// @notice Chainlink AggregatorV3 `decimals` shape.
    function decimals() external pure returns (uint8) {
        return 0;
    }
}
