// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title MockOracleRouter
/// @notice Scriptable stand-in for the two `IOracleRouter` reads the trading core uses (`getSpot`,
///         `getSettlementPrice`): spot readings and settlement prices are set directly. Unit tests only; never
///         deployed by deploy/.
contract MockOracleRouter {
    mapping(bytes32 underlying => IOracleRouter.SpotReading) private _spots;
    /// @dev Price in the low 255 bits, finality in the top bit: one slot, like a real router's settlement record.
    mapping(bytes32 underlying => mapping(uint64 expiry => uint256)) private _settlements;

    /// @notice Sets an OK reading of `price` (WAD) updated now.
    function setSpot(bytes32 underlying, uint256 price) external {
        _spots[underlying] = IOracleRouter.SpotReading({
            price: price,
            status: IOracleRouter.Status.OK,
            reasons: 0,
            validSources: 3,
            updatedAt: uint64(block.timestamp)
        });
    }

    /// @notice Sets a full reading.
    function setReading(
        bytes32 underlying,
        uint256 price,
        IOracleRouter.Status status,
        uint16 reasons,
        uint64 updatedAt
    ) external {
        _spots[underlying] = IOracleRouter.SpotReading({
            price: price,
            status: status,
            reasons: reasons,
            validSources: status == IOracleRouter.Status.FAILED ? 0 : 3,
            updatedAt: updatedAt
        });
    }

    /// @notice Sets the settlement price of (`underlying`, `expiry`) and whether it is final.
    function setSettlementPrice(bytes32 underlying, uint64 expiry, uint256 price, bool isFinal) external {
        _settlements[underlying][expiry] = price | (isFinal ? 1 << 255 : 0);
    }

    /// @notice Spot reading of `underlying`; FAILED until one is set.
    function getSpot(bytes32 underlying) external view returns (IOracleRouter.SpotReading memory reading) {
        reading = _spots[underlying];
        if (reading.updatedAt == 0) reading.status = IOracleRouter.Status.FAILED;
    }

    /// @notice Settlement price of (`underlying`, `expiry`) and whether it is final.
    function getSettlementPrice(bytes32 underlying, uint64 expiry) external view returns (uint256 price, bool isFinal) {
        uint256 packed = _settlements[underlying][expiry];
        return (packed & ~uint256(1 << 255), packed >> 255 == 1);
    }
}
