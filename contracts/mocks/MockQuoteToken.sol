// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {TestDouble} from "./TestDouble.sol";

/// @title MockQuoteToken
/// @notice Test double of a USDC-like quote stablecoin: 6 decimals, anyone can mint. Never deployed by deploy/.
contract MockQuoteToken is ERC20, TestDouble {
    constructor() ERC20("Mock USD Coin", "mUSDC") {}

    /// @notice Six decimals, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` to `to` (test only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
