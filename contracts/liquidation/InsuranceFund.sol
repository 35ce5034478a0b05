// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";

/// @title InsuranceFund
/// @notice Holds the insurance balance as the engine collateral of its own address. It never trades, so it never
///         has a position and can never be liquidated; only ADMIN can take funds out, and only through the
///         engine's ordinary `withdraw` (balance-checked).
contract InsuranceFund is AccessManaged, ReentrancyGuardTransient, IInsuranceFund {
    using SafeERC20 for IERC20;

    /// @notice The margin engine.
    IMarginEngine public immutable engine;
    /// @notice The quote token.
    IERC20 public immutable quoteToken;

    /// @param engine_ The margin engine.
    /// @param initialAuthority The AccessManager.
    constructor(IMarginEngine engine_, address initialAuthority) AccessManaged(initialAuthority) {
        if (address(engine_) == address(0)) revert InsuranceInvalidAddress(address(0));
        engine = engine_;
        quoteToken = engine_.quoteToken();
    }

    /// @inheritdoc IInsuranceFund
    function fund(uint256 amount) external nonReentrant {
        if (amount == 0) revert InsuranceZeroAmount();
        emit InsuranceFunded(msg.sender, amount);
        quoteToken.safeTransferFrom(msg.sender, address(this), amount);
        quoteToken.forceApprove(address(engine), amount);
        engine.deposit(address(this), amount);
    }

    /// @inheritdoc IInsuranceFund
    function withdraw(uint256 amount, address to) external restricted nonReentrant {
        if (amount == 0) revert InsuranceZeroAmount();
        if (to == address(0)) revert InsuranceInvalidAddress(to);
        emit InsuranceWithdrawn(to, amount);
        engine.withdraw(amount, to);
    }

    /// @inheritdoc IInsuranceFund
    function balance() external view returns (uint256) {
        return engine.collateralOf(address(this));
    }
}
