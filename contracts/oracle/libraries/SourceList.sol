// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IPriceSource} from "../../interfaces/IPriceSource.sol";

/// @title SourceList
/// @notice Stores an underlying's list of price sources as the code of a data contract, so that a spot read pays one
///         cold account access (2,600 gas) for the whole list instead of one cold storage read (2,100 gas) per source.
/// @dev The data contract's code is `0x00` (STOP: calling it does nothing) followed by the 20-byte addresses. Only
///      the router deploys it, and it never changes: replacing a list deploys a new data contract and repoints the
///      router's configuration slot to it.
library SourceList {
    /// @dev Fires when deploying the data contract fails (out of gas).
    error OracleSourceListDeployFailed();

    /// @dev Bytes before the first address in the data contract's code (the STOP byte).
    uint256 private constant DATA_OFFSET = 1;

    /// @notice Deploys a data contract holding `sources` and returns its address.
    function write(IPriceSource[] calldata sources) internal returns (address pointer) {
        bytes memory runtime = hex"00";
        for (uint256 i = 0; i < sources.length; ++i) {
            runtime = bytes.concat(runtime, bytes20(address(sources[i])));
        }
        // Init code (10 bytes): PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY(0, 10, size),
        // RETURNDATASIZE, RETURN(0, size): it returns the runtime appended after it. size < 2^16 (at most 101 bytes).
        bytes memory initCode = bytes.concat(hex"61", bytes2(uint16(runtime.length)), hex"80600a3d393df3", runtime);
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (pointer == address(0)) revert OracleSourceListDeployFailed();
    }

    /// @notice Source `index` of the list stored at `pointer`. The caller keeps `index` below the stored count.
    function at(address pointer, uint256 index) internal view returns (IPriceSource source) {
        assembly ("memory-safe") {
            // Scratch space: the 20 bytes land left-aligned in the first word, the rest of it zeroed first.
            mstore(0, 0)
            extcodecopy(pointer, 0, add(DATA_OFFSET, mul(index, 20)), 20)
            source := shr(96, mload(0))
        }
    }
}
