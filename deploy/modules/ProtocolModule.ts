import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ResolvedConfig } from "../lib/resolved";
import { AccessModule } from "./AccessModule";
import { buildOraclesModule } from "./OraclesModule";
import { buildCoreModule } from "./CoreModule";
import { buildBreakerModule } from "./BreakerModule";
import { ROLE } from "./roles";

/**
 * The whole protocol: every layer, then the role handover. The handover runs last (after every layer has been
 * configured by the deployer): RISK and GUARDIAN are granted, ADMIN goes to the configured admin with the
 * configured execution delay, and the deployer renounces ADMIN unless it is the admin itself.
 */
export function buildProtocolModule(config: ResolvedConfig) {
  const Oracles = buildOraclesModule(config);
  const Core = buildCoreModule(config, Oracles);
  const Breaker = buildBreakerModule(config, Oracles);
  return buildModule("Bulwark", (m) => {
    const { accessManager } = m.useModule(AccessModule);
    const { router } = m.useModule(Oracles);
    const { engine, extension, market, vault } = m.useModule(Core);
    const { breaker } = m.useModule(Breaker);
    const layers = [Oracles, Core, Breaker];

    const grantRisk = m.call(accessManager, "grantRole", [ROLE.RISK, config.roles.risk, 0], { id: "grantRisk", after: layers });
    const grantGuardian = m.call(accessManager, "grantRole", [ROLE.GUARDIAN, config.roles.guardian, 0], {
      id: "grantGuardian",
      after: layers,
    });
    // Last: once ADMIN carries its delay, every further admin call by the deployer would need scheduling.
    const grantAdmin = m.call(accessManager, "grantRole", [ROLE.ADMIN, config.roles.admin, config.roles.adminDelay], {
      id: "grantAdmin",
      after: [grantRisk, grantGuardian],
    });
    if (config.roles.admin.toLowerCase() !== config.deployer.toLowerCase()) {
      m.call(accessManager, "renounceRole", [ROLE.ADMIN, config.deployer], { id: "renounceDeployerAdmin", after: [grantAdmin] });
    }
    return { accessManager, router, engine, extension, market, vault, breaker };
  });
}
