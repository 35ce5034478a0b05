import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { IMarginEngine__factory, LiquidityVault__factory } from "../../typechain-types";
import type { ResolvedConfig } from "../lib/resolved";
import { AccessModule } from "./AccessModule";
import type { buildBreakerModule } from "./BreakerModule";
import type { buildCoreModule } from "./CoreModule";
import { ROLE, selectorsOf } from "./roles";

export const VAULT_RISK_FUNCTIONS = ["setMaxSpotAge"] as const;
/** Engine functions mapped to ADMIN_OPS here, once the deployment has used them (the wiring is one-shot). */
export const ENGINE_ADMIN_FUNCTIONS = ["wire"] as const;

/**
 * Vault layer: the ERC-4626 liquidity vault (an account of the engine), the engine's one-shot wiring to the market
 * and the vault (`wire` needs both, so it lives with the last of the two), the vault's role map, and the vault as
 * the breaker's utilisation source and one-shot flow reporter (the only caller of its flow hooks; the vault holds no
 * role on the breaker).
 */
export function buildVaultModule(
  config: ResolvedConfig,
  Core: ReturnType<typeof buildCoreModule>,
  Breaker: ReturnType<typeof buildBreakerModule>,
) {
  return buildModule("Vault", (m) => {
    const { accessManager } = m.useModule(AccessModule);
    const { engine, market } = m.useModule(Core);
    const { breaker } = m.useModule(Breaker);
    const vault = m.contract("LiquidityVault", [engine, accessManager, config.vault.name, config.vault.symbol, config.vault.maxSpotAge]);
    const engineApi = m.contractAt("IMarginEngine", engine, { id: "EngineApiVault" });
    const wired = m.call(engineApi, "wire", [market, vault], { id: "wireEngine" });
    m.call(
      accessManager,
      "setTargetFunctionRole",
      [engine, selectorsOf(IMarginEngine__factory.createInterface(), ENGINE_ADMIN_FUNCTIONS), ROLE.ADMIN_OPS],
      { id: "mapEngineAdmin", after: [wired] },
    );
    m.call(
      accessManager,
      "setTargetFunctionRole",
      [vault, selectorsOf(LiquidityVault__factory.createInterface(), VAULT_RISK_FUNCTIONS), ROLE.RISK],
      { id: "mapVaultRisk" },
    );
    m.call(breaker, "setMetrics", [vault], { id: "breakerSetMetrics" });
    m.call(breaker, "setFlowReporter", [vault], { id: "breakerSetFlowReporter" });
    return { vault };
  });
}
