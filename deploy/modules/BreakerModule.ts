import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { CircuitBreaker__factory } from "../../typechain-types";
import type { ResolvedConfig } from "../lib/resolved";
import { QUOTE_DECIMALS } from "../lib/resolved";
import { AccessModule } from "./AccessModule";
import { ROLE, selectorsOf } from "./roles";

/** Mapped to ADMIN_OPS by the top module, after every layer has used them (the vault is set as metrics later). */
export const BREAKER_ADMIN_FUNCTIONS = [
  "lift",
  "unpause",
  "addMarket",
  "setMetrics",
  "setGateCache",
  "setFlowReporter",
  "setPauseListener",
] as const;
export const BREAKER_RISK_FUNCTIONS = ["setPriceMoveParams", "setOutflowParams", "setUtilisationCap", "setCooldown"] as const;
export const BREAKER_GUARDIAN_FUNCTIONS = ["trip", "pause"] as const;
/** The flow hooks (`recordOutflow`, `tryRecordOutflow`, `recordInflow`) are not mapped: they answer the one-shot flow reporter only. */
export const BREAKER_GATED_FUNCTIONS = ["checkAction"] as const;

/** Circuit breaker: one market per oracle underlying with its price-move trip, the vault-wide outflow limit. */
export function buildBreakerModule(config: ResolvedConfig, Oracles: ReturnType<typeof import("./OraclesModule").buildOraclesModule>) {
  return buildModule("Breaker", (m) => {
    const { accessManager } = m.useModule(AccessModule);
    const { router } = m.useModule(Oracles);
    const b = config.breaker;
    const breaker = m.contract("CircuitBreaker", [
      accessManager,
      router,
      QUOTE_DECIMALS,
      b.outflowLimit,
      b.refillPeriod,
      b.utilisationCap,
      b.cooldown,
    ]);
    const configured = config.oracle.underlyings.map((u) =>
      m.call(breaker, "addMarket", [u.id, b.markets[u.name].moveLimitBps, b.markets[u.name].window], { id: `breakerAddMarket_${u.name}` }),
    );
    const iface = CircuitBreaker__factory.createInterface();
    const mapping: Array<[string, readonly string[], bigint]> = [
      ["mapBreakerRisk", BREAKER_RISK_FUNCTIONS, ROLE.RISK],
      ["mapBreakerGuardian", BREAKER_GUARDIAN_FUNCTIONS, ROLE.GUARDIAN],
      ["mapBreakerGated", BREAKER_GATED_FUNCTIONS, ROLE.GATED],
    ];
    for (const [id, names, role] of mapping) {
      m.call(accessManager, "setTargetFunctionRole", [breaker, selectorsOf(iface, names), role], { id, after: configured });
    }
    return { breaker };
  });
}
