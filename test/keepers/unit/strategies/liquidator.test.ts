import { expect } from "chai";
import { Logger } from "../../../../keepers/src/core/logger";
import { RECENTLY_CONFIRMED } from "../../../../keepers/src/core/messages";
import type { RpcClient } from "../../../../keepers/src/core/rpc";
import { Liquidator } from "../../../../keepers/src/strategies/liquidator";
import type { PositionKey } from "../../../../keepers/src/strategies/liquidator/book";
import type { HealthSource, LiquidationVenue } from "../../../../keepers/src/strategies/liquidator/source";
import type { IntentDraft } from "../../../../keepers/src/strategies/types";

const WAD = 10n ** 18n;
const ACCOUNT = "0x00000000000000000000000000000000000000a1";

/** The venue of these tests: one plain `liquidate` draft per position, in series 7. */
const plainVenue: LiquidationVenue = {
  liquidations: async (key) => [{ action: "liquidate", account: key.account, series: "7", to: ACCOUNT, data: "0x" } as IntentDraft],
};

/** A Liquidator wired to `source` and `venue` with the margin-engine parameters these tests share. */
function wireLiquidator(source: HealthSource, venue: LiquidationVenue, params: { maxReadsPerBlock: number; maxIntentsPerBlock?: number; batch?: { maxGasPerTx: number; gasPerItem: number; maxItems: number } }): Liquidator {
  const liquidator = new Liquidator();
  const log = new Logger({ chain: 31337, component: "test", level: "error", sink: () => undefined });
  liquidator.wire(
    { name: "liquidator", chainId: 31337n, rpc: {} as RpcClient, log, params: {}, dryRun: false },
    { source: "margin-engine", target: ACCOUNT, liquidation: ACCOUNT, fromBlock: 0, logChunkBlocks: 100, batchSize: 10, maxIntentsPerBlock: 5, healthThresholdWad: WAD.toString(), ...params },
    source,
    venue,
  );
  return liquidator;
}

/** One per-account position at health 0.5 (series 0), liquidated by the venue in series 7. */
function wired() {
  const source: HealthSource = {
    evaluatesEveryKey: true,
    scan: async () => ({ opened: [{ key: { account: ACCOUNT, series: 0n } }], updated: [], closed: [] }),
    healthOf: async (keys: PositionKey[]) => keys.map(() => WAD / 2n),
  };
  return wireLiquidator(source, plainVenue, { maxReadsPerBlock: 1 });
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

describe("keepers strategies/liquidator: Liquidator in batches", () => {
  const accounts = [1, 2, 3, 4, 5].map((i) => `0x00000000000000000000000000000000000000b${i}`);
  /** Health of each account (WAD / 10 x its index: b1 is the worst). */
  const healthOf = (a: string) => (WAD * BigInt(Number(a.slice(-1)))) / 10n;

  function batched(batch: { maxGasPerTx: number; gasPerItem: number; maxItems: number }, maxIntentsPerBlock = 5) {
    const health = new Map(accounts.map((a) => [a, healthOf(a)]));
    const source: HealthSource = {
      evaluatesEveryKey: true,
      // Discovered in an order that is not the health order.
      scan: async () => ({ opened: [...accounts].reverse().map((account) => ({ key: { account, series: 0n } })), updated: [], closed: [] }),
      healthOf: async (keys: PositionKey[]) => keys.map((k) => health.get(k.account)!),
    };
    const batches: IntentDraft[][] = [];
    const venue: LiquidationVenue = {
      liquidations: async (key) => [{ action: "liquidate", account: key.account, series: "7", to: ACCOUNT, data: `0x0000000${key.account.slice(-1)}`, gasLimit: "400000" }],
      batch: (drafts, gasLimit) => {
        batches.push(drafts);
        return { action: "liquidate", account: drafts[0].account, series: drafts[0].series, to: ACCOUNT, data: "0xbbbbbbbb", gasLimit: String(gasLimit), items: drafts.map((d) => ({ account: d.account, series: d.series })) };
      },
    };
    const liquidator = wireLiquidator(source, venue, { maxReadsPerBlock: 10, maxIntentsPerBlock, batch });
    return { liquidator, batches, health, venue };
  }

  it("packs the positions worst health first, as many per transaction as the gas budget fits, a lone rest as a plain call", async () => {
    // (360,000 - 100,000) / 130,000 = 2 items per transaction.
    const { liquidator, batches } = batched({ maxGasPerTx: 360_000, gasPerItem: 130_000, maxItems: 20 });
    const intents = await liquidator.onBlock(1n);
    expect(batches.map((b) => b.map((d) => d.account))).to.deep.equal([accounts.slice(0, 2), accounts.slice(2, 4)]);
    expect(intents.map((i) => i.items?.map((it) => it.account) ?? i.account)).to.deep.equal([accounts.slice(0, 2), accounts.slice(2, 4), accounts[4]]);
    // A batch's gas limit is what its items need, within the budget; the lone call keeps the venue's own.
    expect(intents.map((i) => i.gasLimit)).to.deep.equal(["360000", "360000", "400000"]);
    expect(await liquidator.onBlock(2n)).to.deep.equal([]); // every item in flight
  });

  it("counts maxIntentsPerBlock in transactions and sizes a short last batch's gas to its items", async () => {
    const { liquidator } = batched({ maxGasPerTx: 1_000_000, gasPerItem: 150_000, maxItems: 3 }, 1);
    const first = await liquidator.onBlock(1n);
    expect(first.map((i) => i.items?.map((it) => it.account))).to.deep.equal([accounts.slice(0, 3)]);
    expect(first[0].gasLimit).to.equal(String(100_000 + 3 * 150_000));
    const second = await liquidator.onBlock(2n);
    expect(second.map((i) => i.items?.map((it) => it.account))).to.deep.equal([accounts.slice(3, 5)]);
    expect(second[0].gasLimit).to.equal(String(100_000 + 2 * 150_000));
  });

  it("sends a batch's items one by one when the venue cannot build the batch", async () => {
    const { liquidator, venue } = batched({ maxGasPerTx: 3_000_000, gasPerItem: 150_000, maxItems: 20 });
    venue.batch = () => {
      throw new Error("not a liquidate() call");
    };
    const intents = await liquidator.onBlock(1n);
    expect(intents.map((i) => [i.account, i.items])).to.deep.equal(accounts.map((a) => [a, undefined]));
  });

  it("frees each item on its own outcome: a skipped item is proposed again, a confirmed one is re-read first", async () => {
    const { liquidator, health } = batched({ maxGasPerTx: 3_000_000, gasPerItem: 150_000, maxItems: 20 });
    const [batch] = await liquidator.onBlock(1n);
    expect(batch.items).to.have.length(5);
    const key = (a: string) => `liquidate:${a}:7`;
    // The signer refused the batch: b2 was already pending elsewhere, the others only because they shared its batch.
    liquidator.onResult({ id: "x", key: key(accounts[1]), status: "refused", code: "POLICY_DUPLICATE", reason: "pending" });
    for (const a of [accounts[0], ...accounts.slice(2)]) liquidator.onResult({ id: "x", key: key(a), status: "refused", code: "POLICY_BATCH_OVERLAP", reason: "overlap" });
    const again = await liquidator.onBlock(2n);
    expect(again.map((i) => i.items?.map((it) => it.account))).to.deep.equal([[accounts[0], ...accounts.slice(2)]]);
    // That batch lands: b1 is now healthy, b3 still is not (the engine skipped it); both are re-read before anything else.
    health.set(accounts[0], WAD * 2n);
    liquidator.onResult({ id: "y", key: key(accounts[0]), status: "confirmed", txHash: "0x1" });
    liquidator.onResult({ id: "y", key: key(accounts[2]), status: "confirmed", txHash: "0x1" });
    const third = await liquidator.onBlock(3n);
    expect(third.map((i) => i.items?.map((it) => it.account) ?? i.account)).to.deep.equal([accounts[2]]);
  });
});

describe("keepers strategies/liquidator: refusal as recently confirmed (the signer's hold)", () => {
  it("re-reads the position before proposing it again: dropped once healthy, proposed again on a later block while not", async () => {
    let health = WAD / 2n;
    const reads: bigint[] = [];
    const source: HealthSource = {
      evaluatesEveryKey: false, // positions are re-read only when selected: a stale read stays unless invalidated
      scan: async () => ({ opened: [{ key: { account: ACCOUNT, series: 0n } }], updated: [], closed: [] }),
      healthOf: async (keys: PositionKey[], block: bigint) => {
        reads.push(block);
        return keys.map(() => health);
      },
    };
    const l = wireLiquidator(source, plainVenue, { maxReadsPerBlock: 1 });
    const key = `liquidate:${ACCOUNT}:7`;
    expect(await l.onBlock(1n)).to.have.length(1);
    expect(l.book.get({ account: ACCOUNT, series: 0n })?.health).to.equal(WAD / 2n);

    // Confirmed a few blocks ago (this proposal came from an older read): the read is dropped, not reused.
    l.onResult({ id: "x", key, status: "refused", code: RECENTLY_CONFIRMED, reason: "confirmed at block 1" });
    expect(l.book.get({ account: ACCOUNT, series: 0n })?.health).to.equal(null);
    expect(l.hasBacklog()).to.equal(false); // no retry on the same head
    // Still liquidatable after a partial close: proposed again on the next block (the signer accepts it after the hold).
    expect(await l.onBlock(2n)).to.have.length(1);
    expect(reads).to.include(2n);
    // Healthy after the confirmed liquidation: the fresh read proposes nothing.
    l.onResult({ id: "y", key, status: "refused", code: RECENTLY_CONFIRMED, reason: "confirmed at block 2" });
    health = 2n * WAD;
    expect(await l.onBlock(3n)).to.deep.equal([]);
  });
});

describe("keepers strategies/liquidator: Liquidator with a model source (two passes)", () => {
  const clear = "0x00000000000000000000000000000000000000c1"; // the model puts it clearly below the band
  const near = "0x00000000000000000000000000000000000000c2"; // inside the band: deferred to the lens
  const fine = "0x00000000000000000000000000000000000000c3";

  /** A source that reports `near` at the threshold until `confirm` reads it at 0.99, as ModelHealthSource does. */
  function twoPass(opts: { confirmFails?: boolean } = {}) {
    const calls: string[] = [];
    let pending = 0;
    let failing = opts.confirmFails ?? false;
    const source: HealthSource = {
      evaluatesEveryKey: true,
      scan: async () => ({ opened: [clear, near, fine].map((account) => ({ key: { account, series: 0n } })), updated: [], closed: [] }),
      healthOf: async (keys: PositionKey[], block: bigint) => {
        calls.push(`healthOf@${block}`);
        pending = keys.some((k) => k.account === near) ? 1 : 0;
        return keys.map((k) => (k.account === clear ? WAD / 2n : k.account === near ? WAD : 2n * WAD));
      },
      get pendingConfirmations() {
        return pending;
      },
      confirm: async (block: bigint) => {
        calls.push(`confirm@${block}`);
        if (failing) throw new Error("lens read timed out");
        pending = 0;
        return [{ key: { account: near, series: 0n }, health: (99n * WAD) / 100n }];
      },
    };
    const liquidator = wireLiquidator(source, plainVenue, { maxReadsPerBlock: 10 });
    return { liquidator, calls, heal: () => (failing = false) };
  }

  it("returns the clearly unhealthy accounts before any lens read, then confirms the band on an immediate second call", async () => {
    const { liquidator, calls } = twoPass();
    const first = await liquidator.onBlock(1n);
    expect(first.map((i) => i.account)).to.deep.equal([clear]);
    expect(calls).to.deep.equal(["healthOf@1"]); // no confirmation before the intents
    expect(liquidator.continueNow()).to.equal(true);
    expect(liquidator.hasBacklog()).to.equal(true);
    const second = await liquidator.onBlock(1n);
    expect(second.map((i) => i.account)).to.deep.equal([near]);
    expect(calls).to.deep.equal(["healthOf@1", "confirm@1"]); // the model is not run again on the same block
    expect(liquidator.continueNow()).to.equal(false);
    expect(liquidator.hasBacklog()).to.equal(false);
    expect(liquidator.timings).to.include({ firstPass: false, intents: 1 });
  });

  it("confirms in the same call when the model pass has nothing to propose", async () => {
    const { liquidator, calls } = twoPass();
    await liquidator.onBlock(1n);
    await liquidator.onBlock(1n);
    // Block 2: both in flight, so the first pass proposes nothing and the confirmation runs at once.
    expect(await liquidator.onBlock(2n)).to.deep.equal([]);
    expect(calls.slice(2)).to.deep.equal(["healthOf@2", "confirm@2"]);
    expect(liquidator.continueNow()).to.equal(false);
  });

  it("after a failed confirmation retries on the next poll, not at once, and proposes nothing on the estimate", async () => {
    const { liquidator, calls, heal } = twoPass({ confirmFails: true });
    expect((await liquidator.onBlock(1n)).map((i) => i.account)).to.deep.equal([clear]);
    expect(await liquidator.onBlock(1n)).to.deep.equal([]);
    expect(liquidator.continueNow()).to.equal(false);
    expect(liquidator.hasBacklog()).to.equal(true);
    heal();
    expect((await liquidator.onBlock(1n)).map((i) => i.account)).to.deep.equal([near]);
    expect(calls).to.deep.equal(["healthOf@1", "confirm@1", "confirm@1"]);
  });
});
