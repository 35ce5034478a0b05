import { expect } from "chai";
import { Logger } from "../../../../keepers/src/core/logger";
import type { RpcClient } from "../../../../keepers/src/core/rpc";
import { Liquidator } from "../../../../keepers/src/strategies/liquidator";
import type { PositionKey } from "../../../../keepers/src/strategies/liquidator/book";
import type { HealthSource, LiquidationVenue } from "../../../../keepers/src/strategies/liquidator/source";
import type { IntentDraft } from "../../../../keepers/src/strategies/types";

const WAD = 10n ** 18n;
const ACCOUNT = "0x00000000000000000000000000000000000000a1";

/** One per-account position at health 0.5 (series 0), liquidated by the venue in series 7. */
function wired() {
  const source: HealthSource = {
    evaluatesEveryKey: true,
    scan: async () => ({ opened: [{ key: { account: ACCOUNT, series: 0n } }], updated: [], closed: [] }),
    healthOf: async (keys: PositionKey[]) => keys.map(() => WAD / 2n),
  };
  const venue: LiquidationVenue = {
    liquidations: async (key) => [{ action: "liquidate", account: key.account, series: "7", to: ACCOUNT, data: "0x" } as IntentDraft],
  };
  const liquidator = new Liquidator();
  const log = new Logger({ chain: 31337, component: "test", level: "error", sink: () => undefined });
  liquidator.wire(
    { name: "liquidator", chainId: 31337n, rpc: {} as RpcClient, log, params: {}, dryRun: false },
    { source: "margin-engine", target: ACCOUNT, liquidation: ACCOUNT, fromBlock: 0, logChunkBlocks: 100, batchSize: 10, maxReadsPerBlock: 1, maxIntentsPerBlock: 5, healthThresholdWad: WAD.toString() },
    source,
    venue,
  );
  return liquidator;
}

describe("keepers strategies/liquidator: Liquidator", () => {
  it("maps a per-account position to the venue's per-series intent and keeps it in flight until an outcome", async () => {
    const l = wired();
    const first = await l.onBlock(1n);
    expect(first.map((i) => `${i.action}:${i.account}:${i.series}`)).to.deep.equal([`liquidate:${ACCOUNT}:7`]);
    expect(await l.onBlock(2n)).to.deep.equal([]); // in flight
    l.onResult({ id: "x", key: `liquidate:${ACCOUNT}:7`, status: "failed", code: "REVERTED", reason: "lost race" });
    expect(await l.onBlock(3n)).to.have.length(1); // the outcome frees the account (keyed by the intent's series)
  });

  it("proposes again a second after the signer refused for being unavailable, without waiting for a block", async () => {
    const l = wired();
    const realNow = Date.now;
    let now = 1_000_000;
    Date.now = () => now;
    try {
      await l.onBlock(1n);
      expect(l.hasBacklog()).to.equal(false);
      l.onResult({ id: "x", key: `liquidate:${ACCOUNT}:7`, status: "refused", code: "SIGNER_UNAVAILABLE", reason: "restarting" });
      expect(l.hasBacklog()).to.equal(false);
      now += 1_000;
      expect(l.hasBacklog()).to.equal(true);
      expect(await l.onBlock(1n)).to.have.length(1); // same head, proposed again
      expect(l.hasBacklog()).to.equal(false);
      // A policy refusal is not retried before the next block.
      l.onResult({ id: "y", key: `liquidate:${ACCOUNT}:7`, status: "refused", code: "POLICY_FORBIDDEN", reason: "not allowed" });
      now += 5_000;
      expect(l.hasBacklog()).to.equal(false);
    } finally {
      Date.now = realNow;
    }
  });
});
