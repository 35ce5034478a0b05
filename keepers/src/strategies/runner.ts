/**
 * Entry point of a strategy process (started by the supervisor, never by hand).
 *
 * Receives its init message (chain, RPC endpoints, params, module path), loads the strategy module,
 * polls the head and calls `onBlock` once per new block (again on the same block while the strategy
 * reports a backlog: on the next poll, or at once when it reports `continueNow`), never concurrently. Intents go to the
 * supervisor; heartbeats carry the last processed block. A head that stops moving for `staleHeadMs`
 * rotates to the next RPC endpoint; an `onBlock` that never settles exits the process so the
 * supervisor restarts it.
 */
import { openParentChannel, channelLogSink, waitForInit } from "../core/child";
import { errorMessage } from "../core/errors";
import { Logger } from "../core/logger";
import { intentSchema, toStrategySchema, type ToStrategy } from "../core/messages";
import { RpcClient } from "../core/rpc";
import type { IntentDraft, Strategy, StrategyModule } from "./types";

/** Most intents forwarded per block; a well-behaved strategy stays far below. */
const MAX_INTENTS_PER_BLOCK = 100;

/**
 * Closes what Node 20's permission model leaves open to a process running as the same user:
 * signalling other processes (`process.kill`, and `process._kill` behind it: a strategy could
 * otherwise SIGKILL the supervisor or the signer) and lowering their priority (`os.setPriority`).
 * Runs before the strategy module is loaded, so the module never sees the originals; the
 * replacements cannot be redefined. `process.binding`, native addons, the inspector, child processes
 * and workers are already denied by the permission model.
 */
function lockDownProcess(): void {
  const deny = (name: string) => () => {
    const err = new Error(`${name} is not available to strategies`) as NodeJS.ErrnoException;
    err.code = "ERR_ACCESS_DENIED";
    throw err;
  };
  const targets: [object, string][] = [
    [process, "kill"],
    [process, "_kill"],
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    [require("node:os") as object, "setPriority"],
  ];
  for (const [obj, name] of targets) {
    Object.defineProperty(obj, name, { value: deny(name), writable: false, configurable: false, enumerable: false });
  }
}

async function main(): Promise<void> {
  lockDownProcess();
  const channel = openParentChannel<ToStrategy>("supervisor", toStrategySchema, () => process.exit(0));
  const init = await waitForInit(channel, 10_000);
  const log = new Logger({ chain: init.chainId, component: init.name, level: init.logLevel, sink: channelLogSink(channel as never) });
  const rpc = new RpcClient({
    urls: init.rpcUrls,
    timeoutMs: init.rpcTimeoutMs,
    onRotate: (from, to, reason) => log.warn("rpc endpoint rotated", { from, to, reason }),
  });

  let strategy: Strategy;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(init.module) as Partial<StrategyModule> & { default?: Partial<StrategyModule> };
    const create = mod.createStrategy ?? mod.default?.createStrategy;
    if (typeof create !== "function") throw new Error(`${init.module} does not export createStrategy()`);
    strategy = create();
    await strategy.init({ name: init.name, chainId: BigInt(init.chainId), rpc, log, params: init.params, dryRun: init.dryRun });
  } catch (err) {
    log.error("strategy failed to start", { reason: errorMessage(err) });
    setTimeout(() => process.exit(1), 50);
    return;
  }

  let processed: bigint | null = null;
  let head: bigint | null = null;
  let headMovedAt = Date.now();
  let seq = 0;
  let counter = 0;

  setInterval(() => {
    channel.send({ t: "heartbeat", seq: seq++, head: processed === null ? null : processed.toString() });
  }, init.heartbeatIntervalMs);

  channel.on("message", (m) => {
    if (m.t === "shutdown") process.exit(0);
    if (m.t === "result" && strategy.onResult) {
      try {
        const { t: _t, ...result } = m;
        strategy.onResult(result);
      } catch (err) {
        log.warn("onResult threw", { reason: errorMessage(err) });
      }
    }
  });

  const onBlockTimeoutMs = Math.max(30_000, 10 * init.pollIntervalMs);

  const poll = async (): Promise<void> => {
    let latest: bigint;
    try {
      latest = await rpc.blockNumber();
    } catch (err) {
      log.warn("cannot read the head", { reason: errorMessage(err) });
      return;
    }
    const now = Date.now();
    if (head === null || latest > head) {
      head = latest;
      headMovedAt = now;
    } else if (now - headMovedAt > init.staleHeadMs) {
      log.warn("head is stale", { head: latest, staleForMs: now - headMovedAt });
      rpc.rotate("stale head");
      headMovedAt = now;
    }
    if (processed !== null && latest <= processed && !strategy.hasBacklog?.()) return;

    let drafts: IntentDraft[];
    try {
      drafts = await withTimeout(strategy.onBlock(latest), onBlockTimeoutMs);
    } catch (err) {
      if (err instanceof OnBlockTimeout) {
        log.error("onBlock did not settle; exiting for a restart", { block: latest, timeoutMs: onBlockTimeoutMs });
        setTimeout(() => process.exit(3), 50);
        return;
      }
      // Not marked processed: the next poll retries (on this head or a newer one), so a transient RPC
      // error costs one poll interval, not a whole block (on a chain that stops producing blocks, forever).
      log.warn("onBlock failed; retrying on the next poll", { block: latest, reason: errorMessage(err) });
      return;
    }
    processed = latest;
    if (!Array.isArray(drafts)) return;
    if (drafts.length > MAX_INTENTS_PER_BLOCK) {
      log.warn("too many intents for one block; extra ones dropped", { count: drafts.length, kept: MAX_INTENTS_PER_BLOCK });
    }
    for (const draft of drafts.slice(0, MAX_INTENTS_PER_BLOCK)) {
      const parsed = intentSchema.safeParse({ ...draft, id: draft.id ?? `${init.name}-${latest}-${counter++}` });
      if (!parsed.success) {
        log.error("strategy produced an invalid intent; dropped", { issue: parsed.error.issues[0]?.message, path: parsed.error.issues[0]?.path.join(".") });
        continue;
      }
      channel.send({ t: "intent", intent: parsed.data });
    }
  };

  const loop = async (): Promise<void> => {
    await poll();
    // The strategy sent its urgent intents first and has the rest of the block's work left: no poll-interval wait.
    setTimeout(() => void loop(), strategy.continueNow?.() ? 0 : init.pollIntervalMs);
  };

  channel.send({ t: "ready" });
  log.info("strategy started", { module: init.module, dryRun: init.dryRun });
  void loop();
}

class OnBlockTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new OnBlockTimeout()), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

main().catch((err) => {
  process.stderr.write(`strategy runner failed: ${errorMessage(err)}\n`);
  process.exit(1);
});
