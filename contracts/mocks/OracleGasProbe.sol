// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title OracleGasProbe
/// @notice Calls a view function with an exact gas limit, or measures the gas of a call, for the oracle's gas tests
///         and benchmarks. Tests only.
contract OracleGasProbe {
    /// @notice STATICCALLs `target` with `data` and exactly `gasLimit` gas (the probe's caller must send enough).
    /// @return ok Whether the call succeeded.
    /// @return result Its return data, or its revert data.
    function callWithGas(address target, bytes calldata data, uint256 gasLimit)
        external
        view
        returns (bool ok, bytes memory result)
    {
        (ok, result) = target.staticcall{gas: gasLimit}(data);
    }

    /// @notice Gas spent by a STATICCALL of `target` with `data` (the call itself included: account access, copy of
    ///         the return data); reverts with the callee's revert data when it fails.
    function measure(address target, bytes calldata data) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        (bool ok, bytes memory result) = target.staticcall(data);
        gasUsed = before - gasleft();
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
