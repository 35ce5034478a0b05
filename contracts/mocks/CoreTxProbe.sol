// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title CoreTxProbe
/// @notice Test double that performs several calls in one transaction, as itself, to exercise the trading core's
///         per-transaction caches (several trades, a parameter change and a trade, vault operations and trades).
///         Unit tests only; never deployed by deploy/.
contract CoreTxProbe {
    /// @notice One call: `target` is called with `data`.
    struct Call {
        address target;
        bytes data;
    }

    /// @notice Performs `calls` in order; any failure reverts the whole transaction with the callee's error.
    function run(Call[] calldata calls) external returns (bytes[] memory results) {
        results = new bytes[](calls.length);
        for (uint256 i; i < calls.length; ++i) {
            (bool ok, bytes memory result) = calls[i].target.call(calls[i].data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(result, 32), mload(result))
                }
            }
            results[i] = result;
        }
    }
}
