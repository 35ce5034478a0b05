import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ResolvedConfig } from "../lib/resolved";
import { AccessModule } from "./AccessModule";
import { buildOraclesModule } from "./OraclesModule";
import { buildCoreModule } from "./CoreModule";
import { buildVaultModule } from "./VaultModule";
import { buildAutomationModule } from "./AutomationModule";
import { BREAKER_ADMIN_FUNCTIONS, buildBreakerModule } from "./BreakerModule";
import { CircuitBreaker__factory, IMarginEngine__factory, InsuranceFund__factory } from "../../typechain-types";
import { buildLiquidationModule, ENGINE_LIQUIDATION_ADMIN_FUNCTIONS, INSURANCE_ADMIN_FUNCTIONS } from "./LiquidationModule";
import { ROLE, selectorsOf } from "./roles";

/**
 * The whole protocol: every layer, then the role handover. The handover runs last (after every layer has been
 * configured by the deployer): RISK and GUARDIAN are granted; GUARDIAN becomes the role guardian of ADMIN_OPS (the
 * admin's protocol functions), so it can cancel any scheduled admin operation; ADMIN and ADMIN_OPS go to the
 * configured admin with the configured execution delay, and the deployer renounces ADMIN unless it is the admin.
 */
export function buildProtocolModule(config: ResolvedConfig) {
  const Oracles = buildOraclesModule(config);
  const Breaker = buildBreakerModule(config, Oracles);
  const Core = buildCoreModule(config, Oracles, Breaker);
  const Vault = buildVaultModule(config, Core, Breaker);
  const Liquidation = buildLiquidationModule(config, Core, Breaker, Vault);
  const Automation = buildAutomationModule(config, Core, Vault, Liquidation);
  return buildModule("Bulwark", (m) => {
    const { accessManager } = m.useModule(AccessModule);
    const { router } = m.useModule(Oracles);
    const { engine, extension, market } = m.useModule(Core);
    const { vault } = m.useModule(Vault);
    const { breaker } = m.useModule(Breaker);
    const { liquidation, insuranceFund } = m.useModule(Liquidation);
    const { automation } = m.useModule(Automation);
    const layers = [Oracles, Core, Vault, Breaker, Liquidation, Automation];

    const grantRisk = m.call(accessManager, "grantRole", [ROLE.RISK, config.roles.risk, 0], { id: "grantRisk", after: layers });
    const grantGuardian = m.call(accessManager, "grantRole", [ROLE.GUARDIAN, config.roles.guardian, 0], {
      id: "grantGuardian",
      after: layers,
    });
    // The AccessManager lets no role guard ADMIN itself: the protocol's admin functions are mapped to ADMIN_OPS,
    // guarded by GUARDIAN, so a scheduled admin operation can be cancelled by the guardian.
    const mapBreakerOps = m.call(
      accessManager,
      "setTargetFunctionRole",
      [breaker, selectorsOf(CircuitBreaker__factory.createInterface(), BREAKER_ADMIN_FUNCTIONS), ROLE.ADMIN_OPS],
      { id: "mapBreakerAdmin", after: layers },
    );
    const mapEngineOps = m.call(
      accessManager,
      "setTargetFunctionRole",
      [engine, selectorsOf(IMarginEngine__factory.createInterface(), ENGINE_LIQUIDATION_ADMIN_FUNCTIONS), ROLE.ADMIN_OPS],
      { id: "mapEngineLiquidationAdmin", after: layers },
    );
    const mapInsuranceOps = m.call(
      accessManager,
      "setTargetFunctionRole",
      [insuranceFund, selectorsOf(InsuranceFund__factory.createInterface(), INSURANCE_ADMIN_FUNCTIONS), ROLE.ADMIN_OPS],
      { id: "mapInsuranceAdmin", after: layers },
    );
    const guardOps = m.call(accessManager, "setRoleGuardian", [ROLE.ADMIN_OPS, ROLE.GUARDIAN], {
      id: "guardAdminOps",
      after: [mapBreakerOps, mapEngineOps, mapInsuranceOps],
    });
    const grantOps = m.call(accessManager, "grantRole", [ROLE.ADMIN_OPS, config.roles.admin, config.roles.adminDelay], {
      id: "grantAdminOps",
      after: [guardOps],
    });
    // Last: once ADMIN carries its delay, every further admin call by the deployer would need scheduling.
    const grantAdmin = m.call(accessManager, "grantRole", [ROLE.ADMIN, config.roles.admin, config.roles.adminDelay], {
      id: "grantAdmin",
      after: [grantRisk, grantGuardian, grantOps],
    });
    if (config.roles.admin.toLowerCase() !== config.deployer.toLowerCase()) {
      m.call(accessManager, "renounceRole", [ROLE.ADMIN, config.deployer], { id: "renounceDeployerAdmin", after: [grantAdmin] });
    }
    return { accessManager, router, engine, extension, market, vault, breaker, liquidation, insuranceFund, automation };
  });
}
