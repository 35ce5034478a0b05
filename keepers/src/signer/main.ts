/**
 * Entry point of the signer process (started by the supervisor, never by hand).
 *
 * The only process holding the key. It receives intents (already tagged with the strategy they came
 * from) over its channel, runs them through the policy and the executor, and reports decisions,
 * transaction events and heartbeats back. It takes `<dataDir>/signer.lock` so two executors can never
 * share a journal (and a nonce), and exits as soon as its channel to the supervisor closes.
 */
import * as path from "node:path";
import { validateConfig, type KeeperConfig } from "../core/config";
import { openParentChannel, channelLogSink, waitForInit } from "../core/child";
import { errorMessage, KeeperError } from "../core/errors";
import { Journal } from "../core/journal";
import { PidLock } from "../core/lock";
import { Logger } from "../core/logger";
import { toSignerSchema, type ToSigner } from "../core/messages";
import { RpcClient } from "../core/rpc";
import { ethToWei, gweiToWei } from "../core/units";
import { Executor } from "./executor";
import { loadSignerKey } from "./key";
import { Policy, SpendBudget } from "./policy";

export const SIGNER_LOCK_FILE = "signer.lock";

async function main(): Promise<void> {
  let shutdown: (code: number) => void = (code) => process.exit(code);
  const channel = openParentChannel<ToSigner>("supervisor", toSignerSchema, () => shutdown(0));
  const init = await waitForInit(channel, 10_000);
  let config: KeeperConfig;
  try {
    config = validateConfig(init.config, init.configPath);
  } catch (err) {
    channel.send({ t: "log", level: "error", msg: `signer got an invalid config: ${errorMessage(err)}` });
    process.exit(2);
  }
  const log = new Logger({ chain: config.chainId, component: "signer", level: config.log.level, sink: channelLogSink(channel as never) });

  let lock: PidLock | null = null;
  let journal: Journal;
  try {
    lock = init.dryRun ? null : PidLock.acquire(path.join(config.dataDir, SIGNER_LOCK_FILE), "signer");
    journal = init.dryRun ? Journal.inMemory() : Journal.open(config.dataDir);
  } catch (err) {
    log.error("signer cannot open its journal", { error: err instanceof KeeperError ? err.toJSON() : errorMessage(err) });
    setTimeout(() => process.exit(3), 50);
    return;
  }

  let wallet;
  try {
    wallet = await loadSignerKey(config.signer.key, process.env);
  } catch (err) {
    log.error("signer cannot load its key", { error: err instanceof KeeperError ? err.toJSON() : errorMessage(err) });
    lock?.release();
    setTimeout(() => process.exit(4), 50);
    return;
  }

  const rpc = new RpcClient({
    urls: config.rpc.urls,
    timeoutMs: config.rpc.timeoutMs,
    onRotate: (from, to, reason) => log.warn("rpc endpoint rotated", { from, to, reason }),
  });
  const f = config.signer.fees;
  const executor = new Executor({
    rpc,
    wallet,
    journal,
    policy: new Policy(config),
    budget: new SpendBudget(ethToWei(config.signer.budget.maxSpendPerHourEth)),
    chainId: BigInt(config.chainId),
    fees: {
      priorityFee: gweiToWei(f.priorityFeeGwei),
      maxPriorityFeePerGas: gweiToWei(f.maxPriorityFeePerGasGwei),
      maxFeePerGas: gweiToWei(f.maxFeePerGasGwei),
      baseFeeMultiplier: f.baseFeeMultiplier,
      bumpPercent: f.bumpPercent,
    },
    maxGasPerTx: BigInt(config.signer.gas.maxGasPerTx),
    estimateMarginPercent: config.signer.gas.estimateMarginPercent,
    maxPendingTxs: config.signer.maxPendingTxs,
    confirmations: config.signer.confirmations,
    confirmedHoldBlocks: config.signer.confirmedHoldBlocks,
    recheckBlockTag: config.signer.recheckBlockTag,
    replaceAfterMs: f.replaceAfterMs,
    maxReplacements: f.maxReplacements,
    dryRun: init.dryRun,
    logger: log,
    onResult: (strategy, r) => channel.send({ t: "result", strategy, ...r }),
    onTx: (e) =>
      channel.send({
        t: "tx",
        event: e.event,
        strategy: e.strategy,
        key: e.key,
        hash: e.hash,
        nonce: e.nonce,
        gasUsed: e.gasUsed?.toString(),
        feeWei: e.feeWei?.toString(),
      }),
  });

  let seq = 0;
  const heartbeat = setInterval(() => {
    const s = executor.status();
    channel.send({
      t: "heartbeat",
      seq: seq++,
      pendingTxs: s.pendingTxs,
      queued: s.queued,
      nextNonce: s.nextNonce === null ? null : String(s.nextNonce),
      balanceWei: s.balanceWei === null ? null : s.balanceWei.toString(),
      deferred: s.deferred,
    });
  }, config.supervisor.heartbeatIntervalMs);
  const ticker = setInterval(() => void executor.tick(), config.rpc.pollIntervalMs);

  let stopping = false;
  shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(heartbeat);
    clearInterval(ticker);
    void executor.stop(2_000).finally(() => {
      journal.close();
      lock?.release();
      process.exit(code);
    });
  };

  channel.on("message", (m) => {
    if (m.t === "intent") void executor.submit(m.strategy, m.intent);
    else if (m.t === "shutdown") shutdown(0);
  });
  process.on("SIGTERM", () => shutdown(0));
  process.on("SIGINT", () => undefined);

  log.info("signer ready", { address: wallet.address, dryRun: init.dryRun, resumedPending: journal.pending().length });
  channel.send({ t: "ready", address: wallet.address });
  void executor.tick();
}

main().catch((err) => {
  process.stderr.write(`signer failed: ${errorMessage(err)}\n`);
  process.exit(1);
});
