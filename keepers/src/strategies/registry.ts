/**
 * Built-in strategy types and where their code lives (relative to the compiled keeper root).
 * `custom` strategies name their own module in the config.
 */
import * as path from "node:path";
import type { StrategyConfig } from "../core/config";

export const BUILTIN_STRATEGY_MODULES: Record<Exclude<StrategyConfig["type"], "custom">, string> = {
  liquidator: "strategies/liquidator/index.js",
  settler: "strategies/settler/index.js",
  "breaker-watchdog": "strategies/breaker-watchdog/index.js",
  "redeem-queue": "strategies/redeem-queue/index.js",
};

/** Absolute path of the module a strategy process loads. */
export function strategyModulePath(config: StrategyConfig, keeperRoot: string): string {
  return config.type === "custom" ? config.module : path.join(keeperRoot, BUILTIN_STRATEGY_MODULES[config.type]);
}
