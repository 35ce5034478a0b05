import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, Future } from "@nomicfoundation/ignition-core";
import { IMarginEngine__factory, OptionMarket__factory } from "../../typechain-types";
import type { ResolvedConfig } from "../lib/resolved";
import { AccessModule } from "./AccessModule";
import { ROLE, selectorsOf } from "./roles";

/** Engine functions and their roles. `wire` is one-shot: the vault layer calls it, then maps it (VaultModule). */
export const ENGINE_RISK_FUNCTIONS = ["addUnderlying", "setMarginParams", "setRiskFreeRate"] as const;
export const MARKET_RISK_FUNCTIONS = ["listSeries", "setImpliedVol", "setQuoteParams", "setExposureCaps"] as const;
export { ENGINE_ADMIN_FUNCTIONS, VAULT_RISK_FUNCTIONS } from "./VaultModule";

/**
 * Margin engine and market: the engine (core + delegate extension) and the option market, every oracle underlying
 * registered in the engine with its exposure caps, then their restricted functions mapped to their roles. The
 * engine is wired to the market and the vault by the vault layer (`wire` needs both and is one-shot).
 */
export function buildCoreModule(
  config: ResolvedConfig,
  Oracles: ReturnType<typeof import("./OraclesModule").buildOraclesModule>,
  Breaker: ReturnType<typeof import("./BreakerModule").buildBreakerModule>,
) {
  return buildModule("Core", (m) => {
    const { accessManager } = m.useModule(AccessModule);
    const { router } = m.useModule(Oracles);
    // The engine takes the breaker as an immutable; the market and the vault copy it from the engine.
    const { breaker } = m.useModule(Breaker);
    const extension = m.contract("MarginEngineExtension", [config.quoteToken, router, accessManager]);
    const engine = m.contract("MarginEngine", [
      config.quoteToken,
      router,
      extension,
      accessManager,
      config.margin.params,
      config.margin.riskFreeRate,
      breaker,
    ]);
    // The engine's configuration functions live in its extension: call them through the engine's full interface.
    const engineApi = m.contractAt("IMarginEngine", engine, { id: "EngineApi" });
    const market = m.contract("OptionMarket", [engine, accessManager, config.market.params]);

    const configured: Future[] = [];
    for (const u of config.oracle.underlyings) {
      const added = m.call(engineApi, "addUnderlying", [u.id], { id: `engineAddUnderlying_${u.name}` });
      configured.push(added);
      configured.push(m.call(market, "setExposureCaps", [u.id, { ...config.market.caps[u.name] }], { id: `setExposureCaps_${u.name}`, after: [added] }));
    }

    const map = (id: string, target: ContractFuture<string>, iface: Parameters<typeof selectorsOf>[0], names: readonly string[], role: bigint) =>
      m.call(accessManager, "setTargetFunctionRole", [target, selectorsOf(iface, names), role], { id, after: configured });
    map("mapEngineRisk", engine, IMarginEngine__factory.createInterface(), ENGINE_RISK_FUNCTIONS, ROLE.RISK);
    map("mapMarketRisk", market, OptionMarket__factory.createInterface(), MARKET_RISK_FUNCTIONS, ROLE.RISK);
    // The gated contracts call the breaker's hooks (GATED, no delay).
    m.call(accessManager, "grantRole", [ROLE.GATED, engine, 0], { id: "grantGatedEngine" });
    m.call(accessManager, "grantRole", [ROLE.GATED, market, 0], { id: "grantGatedMarket" });
    // The market holds the breaker's gate copies, so a quiet trade needs no call to the breaker (one-shot wiring).
    m.call(breaker, "setGateCache", [market], { id: "breakerSetGateCache" });
    // The engine holds the breaker's pause copy, so a settlement needs no call to the breaker (one-shot wiring).
    m.call(breaker, "setPauseListener", [engine], { id: "breakerSetPauseListener" });
    return { engine, extension, market };
  });
}
