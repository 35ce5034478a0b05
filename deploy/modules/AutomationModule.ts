import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ResolvedConfig } from "../lib/resolved";
import type { buildCoreModule } from "./CoreModule";
import type { buildLiquidationModule } from "./LiquidationModule";
import type { buildVaultModule } from "./VaultModule";

/**
 * Automation layer: the Chainlink Automation adapter (`BulwarkAutomation`). It has no owner and no restricted
 * function, so it needs no role; its constructor checks the engine's one-shot wiring to the vault and the
 * liquidation engine, so it is deployed after both layers. Its fees go to the immutable `automation.beneficiary`.
 * Registering the upkeeps (one per task kind, checkData `abi.encode(task, cursor, window, maxItems)`) is done on the
 * automation network's registry, outside this deployment.
 */
export function buildAutomationModule(
  config: ResolvedConfig,
  Core: ReturnType<typeof buildCoreModule>,
  Vault: ReturnType<typeof buildVaultModule>,
  Liquidation: ReturnType<typeof buildLiquidationModule>,
) {
  return buildModule("Automation", (m) => {
    const { engine } = m.useModule(Core);
    const { vault } = m.useModule(Vault);
    const { liquidation } = m.useModule(Liquidation);
    const automation = m.contract("BulwarkAutomation", [engine, liquidation, vault, config.automation.beneficiary], {
      after: [Vault, Liquidation],
    });
    return { automation };
  });
}
