import { ZeroAddress } from "ethers";
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { OracleRouter__factory } from "../../typechain-types";
import type { ResolvedConfig } from "../lib/resolved";
import { AccessModule } from "./AccessModule";
import { ROLE, selectorsOf } from "./roles";

/** Router functions that set bounded risk parameters (RISK role). */
export const ORACLE_RISK_FUNCTIONS = ["setQuorum", "setMaxDeviation", "setSequencerGracePeriod", "setSettlementParams"] as const;
/** Router functions that choose price sources: they decide every price, so only the delayed ADMIN. */
export const ORACLE_ADMIN_FUNCTIONS = ["addUnderlying", "setSources"] as const;
/** Router functions for the guardian. */
export const ORACLE_GUARDIAN_FUNCTIONS = ["disputeSettlement"] as const;

/** Oracle layer: one Chainlink price source per configured feed, the router, its underlyings and role map. */
export function buildOraclesModule(config: ResolvedConfig) {
  return buildModule("Oracles", (m) => {
    const { accessManager } = m.useModule(AccessModule);
    // The sequencer feed is immutable; without one (L1) the grace period is unused but must still be in range.
    const sequencer = config.oracle.sequencer ?? { feed: ZeroAddress, gracePeriod: 3600 };
    const router = m.contract("OracleRouter", [accessManager, sequencer.feed, sequencer.gracePeriod, config.oracle.settlement]);

    const configured = [];
    for (const u of config.oracle.underlyings) {
      const sources = u.sources.map((s, i) =>
        m.contract("ChainlinkPriceSource", [s.feed, s.heartbeat, s.minPriceWad, s.maxPriceWad, s.gasLimit], {
          id: `Source_${u.name}_${i}`,
        }),
      );
      const added = m.call(router, "addUnderlying", [u.id, sources, u.maxDeviationBps], { id: `addUnderlying_${u.name}` });
      configured.push(added);
      if (u.quorum !== 2) {
        configured.push(m.call(router, "setQuorum", [u.id, u.quorum], { id: `setQuorum_${u.name}`, after: [added] }));
      }
    }

    // Map restricted functions to roles only after the deployer (still ADMIN) has configured the router.
    const iface = OracleRouter__factory.createInterface();
    m.call(accessManager, "setTargetFunctionRole", [router, selectorsOf(iface, ORACLE_RISK_FUNCTIONS), ROLE.RISK], {
        id: "mapRouterRisk",
        after: configured,
      });
    m.call(accessManager, "setTargetFunctionRole", [router, selectorsOf(iface, ORACLE_GUARDIAN_FUNCTIONS), ROLE.GUARDIAN], {
        id: "mapRouterGuardian",
        after: configured,
      });
    m.call(accessManager, "setTargetFunctionRole", [router, selectorsOf(iface, ORACLE_ADMIN_FUNCTIONS), ROLE.ADMIN_OPS], {
      id: "mapRouterAdmin",
      after: configured,
    });
    return { router, accessManager };
  });
}
