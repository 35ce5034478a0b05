import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, Future } from "@nomicfoundation/ignition-core";
import { IMarginEngine__factory, LiquidityVault__factory, OptionMarket__factory } from "../../typechain-types";
import type { ResolvedConfig } from "../lib/resolved";
import { AccessModule } from "./AccessModule";
import { ROLE, selectorsOf } from "./roles";

/** Engine functions and their roles. `wire` is one-shot and done by this deployment. */
export const ENGINE_ADMIN_FUNCTIONS = ["wire"] as const;
export const ENGINE_RISK_FUNCTIONS = ["addUnderlying", "setMarginParams", "setRiskFreeRate"] as const;
export const MARKET_RISK_FUNCTIONS = ["listSeries", "setImpliedVol", "setQuoteParams", "setExposureCaps"] as const;
export const VAULT_RISK_FUNCTIONS = ["setMaxSpotAge"] as const;

/**
 * Trading core: the margin engine (core + delegate extension), the option market and the LP vault, wired once
 * (engine ↔ market ↔ vault), every oracle underlying registered in the engine with its exposure caps, then every
 * restricted function mapped to its role.
 */
export function buildCoreModule(config: ResolvedConfig, Oracles: ReturnType<typeof import("./OraclesModule").buildOraclesModule>) {
  return buildModule("Core", (m) => {
    const { accessManager } = m.useModule(AccessModule);
    const { router } = m.useModule(Oracles);
    const extension = m.contract("MarginEngineExtension", [config.quoteToken, router, accessManager]);
    const engine = m.contract("MarginEngine", [
      config.quoteToken,
      router,
      extension,
      accessManager,
      config.margin.params,
      config.margin.riskFreeRate,
    ]);
    // The engine's configuration functions live in its extension: call them through the engine's full interface.
    const engineApi = m.contractAt("IMarginEngine", engine, { id: "EngineApi" });
    const market = m.contract("OptionMarket", [engine, accessManager, config.market.params]);
    const vault = m.contract("LiquidityVault", [engine, accessManager, config.vault.name, config.vault.symbol, config.vault.maxSpotAge]);

    const wired = m.call(engineApi, "wire", [market, vault], { id: "wireEngine" });
    const configured: Future[] = [wired];
    for (const u of config.oracle.underlyings) {
      const added = m.call(engineApi, "addUnderlying", [u.id], { id: `engineAddUnderlying_${u.name}`, after: [wired] });
      configured.push(added);
      configured.push(m.call(market, "setExposureCaps", [u.id, { ...config.market.caps[u.name] }], { id: `setExposureCaps_${u.name}`, after: [added] }));
    }

    const engineIface = IMarginEngine__factory.createInterface();
    const map = (id: string, target: ContractFuture<string>, iface: Parameters<typeof selectorsOf>[0], names: readonly string[], role: bigint) =>
      m.call(accessManager, "setTargetFunctionRole", [target, selectorsOf(iface, names), role], { id, after: configured });
    map("mapEngineAdmin", engine, engineIface, ENGINE_ADMIN_FUNCTIONS, ROLE.ADMIN);
    map("mapEngineRisk", engine, engineIface, ENGINE_RISK_FUNCTIONS, ROLE.RISK);
    map("mapMarketRisk", market, OptionMarket__factory.createInterface(), MARKET_RISK_FUNCTIONS, ROLE.RISK);
    map("mapVaultRisk", vault, LiquidityVault__factory.createInterface(), VAULT_RISK_FUNCTIONS, ROLE.RISK);
    return { engine, extension, market, vault };
  });
}
