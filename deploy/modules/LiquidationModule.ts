import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { LiquidationEngine__factory } from "../../typechain-types";
import type { ResolvedConfig } from "../lib/resolved";
import { AccessModule } from "./AccessModule";
import type { buildBreakerModule } from "./BreakerModule";
import type { buildCoreModule } from "./CoreModule";
import type { buildVaultModule } from "./VaultModule";
import { ROLE, selectorsOf } from "./roles";

export const LIQUIDATION_RISK_FUNCTIONS = ["setParams"] as const;
/** Mapped to ADMIN_OPS by the top module once the deployment has used them. */
export const ENGINE_LIQUIDATION_ADMIN_FUNCTIONS = ["wireLiquidation"] as const;
export const INSURANCE_ADMIN_FUNCTIONS = ["withdraw"] as const;

/**
 * Liquidation layer: the insurance fund (an account in the engine) and the liquidation engine (breaker-gated,
 * Dutch-auction fee, close factor), wired once into the margin engine (after the vault layer's wiring) and granted
 * GATED on the breaker.
 */
export function buildLiquidationModule(
  config: ResolvedConfig,
  Core: ReturnType<typeof buildCoreModule>,
  Breaker: ReturnType<typeof buildBreakerModule>,
  Vault: ReturnType<typeof buildVaultModule>,
) {
  return buildModule("Liquidation", (m) => {
    const { accessManager } = m.useModule(AccessModule);
    const { engine } = m.useModule(Core);
    const { breaker } = m.useModule(Breaker);
    const insuranceFund = m.contract("InsuranceFund", [engine, accessManager]);
    const liquidation = m.contract("LiquidationEngine", [engine, breaker, accessManager, { ...config.liquidation }]);
    const engineApi = m.contractAt("IMarginEngine", engine, { id: "EngineApiLiquidation" });
    const wired = m.call(engineApi, "wireLiquidation", [liquidation, insuranceFund], {
      id: "wireLiquidation",
      // After the market and vault wiring: `wireLiquidation` refuses the market's and the vault's addresses.
      after: [Vault],
    });
    m.call(accessManager, "grantRole", [ROLE.GATED, liquidation, 0], { id: "grantGatedLiquidation" });
    m.call(
      accessManager,
      "setTargetFunctionRole",
      [liquidation, selectorsOf(LiquidationEngine__factory.createInterface(), LIQUIDATION_RISK_FUNCTIONS), ROLE.RISK],
      { id: "mapLiquidationRisk", after: [wired] },
    );
    return { liquidation, insuranceFund };
  });
}
