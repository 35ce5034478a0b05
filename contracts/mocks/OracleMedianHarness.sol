// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OracleMedian} from "../oracle/libraries/OracleMedian.sol";

/// @title OracleMedianHarness
/// @notice Exposes `OracleMedian` to tests. Tests only.
contract OracleMedianHarness {
    /// @notice `OracleMedian.aggregate` over `entries[0 .. n)`.
    function aggregate(uint256[5] memory entries, uint256 n, uint256 quorum, uint256 maxDeviationBps)
        external
        pure
        returns (uint256 priceWad, uint256 oldestTimestamp, uint256 used, uint16 reasons)
    {
        return OracleMedian.aggregate(entries, n, quorum, maxDeviationBps);
    }

    /// @notice `OracleMedian.sortAscending` over `entries[0 .. n)`, returning the array.
    function sortAscending(uint256[5] memory entries, uint256 n) external pure returns (uint256[5] memory) {
        OracleMedian.sortAscending(entries, n);
        return entries;
    }

    /// @notice Gas used by `OracleMedian.aggregate` alone (for benchmarks).
    function aggregateGas(uint256[5] memory entries, uint256 n, uint256 quorum, uint256 maxDeviationBps)
        external
        view
        returns (uint256 gasUsed)
    {
        uint256 before = gasleft();
        OracleMedian.aggregate(entries, n, quorum, maxDeviationBps);
        gasUsed = before - gasleft();
    }
}
