import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The AccessManager every Bulwark contract is `AccessManaged` by. The deployer is its initial admin so the
 * deployment can wire and configure everything; the top module hands ADMIN to the configured admin (with its
 * execution delay) and renounces the deployer's ADMIN as its last step.
 */
export const AccessModule = buildModule("Access", (m) => {
  const deployer = m.getAccount(0);
  const accessManager = m.contract("AccessManager", [deployer]);
  return { accessManager };
});
