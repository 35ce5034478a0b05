// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Makes Hardhat compile OpenZeppelin's AccessManager so the breaker tests can deploy it.
// solhint-disable-next-line no-unused-import
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
