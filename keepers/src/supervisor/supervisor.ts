/**
 * The supervisor: starts the signer and every enabled strategy as isolated child processes, routes
 * intents from strategies to the signer and decisions back, keeps them alive, and serves health and
 * metrics on 127.0.0.1. It holds no key: the signer's secret variable is handed to the signer process
 * alone and removed from the supervisor's own environment.
 *
 * Isolation per strategy: empty environment, Node permission model (read-only access to the code),
 * heap and resident-set limits, heartbeats, schema-checked frames, an intent rate limit (intents over
 * it are dropped; a strategy that keeps flooding at twice its budget is killed as a runaway). One
 * strategy failing never touches the others or the signer.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KeeperConfig, StrategyConfig } from "../core/config";
import { RateLimiter } from "../core/backoff";
import { errorMessage } from "../core/errors";
import { startHealthServer, type HealthReport, type HealthServer, type HealthSignal } from "../core/health";
import { PidLock } from "../core/lock";
import { writeFileAtomic } from "../core/journal";
import type { Logger } from "../core/logger";
import {
  intentKeys,
  SIGNER_MAX_FRAME_BYTES,
  STRATEGY_MAX_FRAME_BYTES,
  signerMessageSchema,
  strategyMessageSchema,
  type Intent,
  type SignerMessage,
  type StrategyMessage,
} from "../core/messages";
import { KeeperMetrics } from "../core/metrics";
import { redact, RpcClient } from "../core/rpc";
import { ethToWei, weiToEthNumber } from "../core/units";
import { strategyModulePath } from "../strategies/registry";
import { ManagedChild, type ChildSpec } from "./child";
import { resolveLayout, signerExecArgv, strategyExecArgv, type KeeperLayout } from "./permissions";

export const SUPERVISOR_LOCK_FILE = "keeper.lock";
export const STATE_FILE = "keeper.state.json";

/** What `status` reads to find a running keeper. */
export interface KeeperStateFile {
  pid: number;
  healthPort: number;
  startedAt: string;
  chainId: number;
}

export interface SupervisorOptions {
  readonly config: KeeperConfig;
  readonly dryRun: boolean;
  readonly logger: Logger;
  /** Environment holding the signer secret; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly layout?: KeeperLayout;
}

interface StrategySlot {
  readonly name: string;
  readonly config: StrategyConfig;
  readonly child: ManagedChild<StrategyMessage>;
  readonly limiter: RateLimiter;
  /** Dropped intents in the last minute; overflowing it means "runaway". */
  readonly drops: RateLimiter;
  head: string | null;
}

export class Supervisor {
  readonly metrics = new KeeperMetrics();
  private readonly config: KeeperConfig;
  private readonly dryRun: boolean;
  private readonly log: Logger;
  private readonly layout: KeeperLayout;
  private readonly env: NodeJS.ProcessEnv;
  private readonly rpc: RpcClient;
  private signer!: ManagedChild<SignerMessage>;
  private readonly strategies = new Map<string, StrategySlot>();
  private health: HealthServer | null = null;
  private lock: PidLock | null = null;
  private headTimer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();
  private stopping = false;

  private head = { block: null as bigint | null, movedAt: Date.now(), rpcOk: false, lastError: null as string | null };
  private signerState = {
    address: null as string | null,
    pendingTxs: 0,
    queued: 0,
    nextNonce: null as string | null,
    balanceWei: null as bigint | null,
    deferred: null as string | null,
  };

  constructor(options: SupervisorOptions) {
    this.config = options.config;
    this.dryRun = options.dryRun;
    this.log = options.logger.child("supervisor");
    this.layout = options.layout ?? resolveLayout();
    this.env = options.env ?? process.env;
    this.rpc = new RpcClient({
      urls: this.config.rpc.urls,
      timeoutMs: this.config.rpc.timeoutMs,
      onRotate: (from, to, reason) => {
        this.metrics.rpcRotations.inc({ component: "supervisor" });
        this.log.warn("rpc endpoint rotated", { from, to, reason });
      },
      onError: (err) => this.metrics.rpcErrors.inc({ component: "supervisor", code: err.code }),
    });
  }

  /** Starts everything; resolves with the health port once the server listens. */
  async start(): Promise<{ healthPort: number }> {
    const c = this.config;
    fs.mkdirSync(c.dataDir, { recursive: true, mode: 0o700 });
    if (!this.dryRun) this.lock = PidLock.acquire(path.join(c.dataDir, SUPERVISOR_LOCK_FILE), "keeper");
    try {
      this.health = await startHealthServer({
        port: c.health.port,
        report: () => this.report(),
        registry: this.metrics.registry,
        logger: this.log,
      });
    } catch (err) {
      this.lock?.release();
      throw err;
    }
    this.metrics.up.set(1);
    if (!this.dryRun) {
      const state: KeeperStateFile = { pid: process.pid, healthPort: this.health.port, startedAt: new Date().toISOString(), chainId: c.chainId };
      writeFileAtomic(path.join(c.dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    }

    this.signer = this.makeSigner();
    this.signer.start();
    for (const [name, st] of Object.entries(c.strategies)) {
      if (!st.enabled) continue;
      const slot = this.makeStrategy(name, st);
      this.strategies.set(name, slot);
      slot.child.start();
    }
    const pollHead = async () => {
      await this.pollHead();
      if (!this.stopping) this.headTimer = setTimeout(() => void pollHead(), c.rpc.pollIntervalMs);
    };
    void pollHead();
    this.log.info("keeper started", {
      dryRun: this.dryRun,
      strategies: [...this.strategies.keys()],
      endpoints: c.rpc.urls.map(redact),
      healthPort: this.health.port,
    });
    return { healthPort: this.health.port };
  }

  /** Stops strategies, then the signer (letting it finish its step), then the server. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.headTimer) clearTimeout(this.headTimer);
    const grace = this.config.supervisor.shutdownGraceMs;
    await Promise.all([...this.strategies.values()].map((s) => s.child.stop(grace)));
    await this.signer?.stop(grace);
    await this.health?.close();
    this.metrics.up.set(0);
    if (!this.dryRun) {
      try {
        fs.unlinkSync(path.join(this.config.dataDir, STATE_FILE));
      } catch {
        // already gone
      }
    }
    this.lock?.release();
    this.log.info("keeper stopped");
  }

  /* ------------------------------------------------------------------ SIGNER */

  private makeSigner(): ManagedChild<SignerMessage> {
    const c = this.config;
    const key = c.signer.key;
    const secretName = key.source === "env" ? key.env : key.passwordEnv;
    const secret = this.env[secretName];
    // The secret lives on only in the signer's environment; nothing else this process starts can inherit it.
    delete this.env[secretName];
    const { configPath, ...plain } = c;
    const spec: ChildSpec<SignerMessage> = {
      name: "signer",
      script: path.join(this.layout.root, "signer", "main.js"),
      execArgv: signerExecArgv(this.layout, c.signer.heapMb, c.dataDir, key.source === "keystore" ? key.path : undefined),
      env: secret === undefined ? {} : { [secretName]: secret },
      init: () => ({ t: "init", config: plain, configPath, dryRun: this.dryRun }),
      schema: signerMessageSchema,
      maxFrameBytes: SIGNER_MAX_FRAME_BYTES,
      startTimeoutMs: c.supervisor.startTimeoutMs,
      heartbeatTimeoutMs: c.supervisor.heartbeatTimeoutMs,
      memoryLimitBytes: c.signer.memoryLimitMb * 1024 * 1024,
      backoff: { initialMs: c.supervisor.restartInitialMs, maxMs: c.supervisor.restartMaxMs, factor: c.supervisor.restartFactor },
      stableAfterMs: c.supervisor.stableAfterMs,
      isReady: (m) => m.t === "ready",
      isHeartbeat: (m) => m.t === "heartbeat" || m.t === "ready",
    };
    const child = new ManagedChild(spec, this.log);
    const signerLog = this.log.child("signer");
    child.on("up", () => this.metrics.childUp.set({ child: "signer" }, 1));
    child.on("down", (reason) => {
      this.metrics.childUp.set({ child: "signer" }, 0);
      this.metrics.childRestarts.inc({ child: "signer", reason });
    });
    child.on("message", (m) => {
      switch (m.t) {
        case "ready":
          this.signerState.address = m.address;
          return;
        case "heartbeat":
          this.signerState.pendingTxs = m.pendingTxs;
          this.signerState.queued = m.queued;
          this.signerState.nextNonce = m.nextNonce;
          this.signerState.balanceWei = m.balanceWei === null ? null : BigInt(m.balanceWei);
          this.signerState.deferred = m.deferred;
          this.metrics.pendingTxs.set(m.pendingTxs);
          this.metrics.queuedIntents.set(m.queued);
          this.metrics.feeDeferred.set(m.deferred ? 1 : 0);
          if (m.balanceWei !== null) this.metrics.signerBalanceEth.set(weiToEthNumber(BigInt(m.balanceWei)));
          return;
        case "result": {
          const { strategy, ...rest } = m;
          this.metrics.intents.inc({ strategy, status: m.status });
          this.strategies.get(strategy)?.child.send(rest);
          return;
        }
        case "tx":
          this.metrics.txEvents.inc({ strategy: m.strategy, event: m.event });
          if (m.gasUsed !== undefined) this.metrics.gasUsed.inc({ strategy: m.strategy }, Number(m.gasUsed));
          if (m.feeWei !== undefined) this.metrics.feesPaidGwei.inc({ strategy: m.strategy }, Number(BigInt(m.feeWei) / 1_000_000n) / 1_000);
          return;
        case "log":
          signerLog.log(m.level, m.msg, m.fields);
          return;
      }
    });
    return child;
  }

  /* ------------------------------------------------------------------ STRATEGIES */

  private makeStrategy(name: string, st: StrategyConfig): StrategySlot {
    const c = this.config;
    const modulePath = strategyModulePath(st, this.layout.root);
    const spec: ChildSpec<StrategyMessage> = {
      name,
      script: path.join(this.layout.root, "strategies", "runner.js"),
      execArgv: strategyExecArgv(this.layout, st.heapMb, st.type === "custom" ? path.dirname(modulePath) : undefined),
      env: {},
      init: () => ({
        t: "init",
        name,
        module: modulePath,
        chainId: c.chainId,
        rpcUrls: c.rpc.urls,
        rpcTimeoutMs: c.rpc.timeoutMs,
        pollIntervalMs: c.rpc.pollIntervalMs,
        staleHeadMs: c.rpc.staleHeadMs,
        heartbeatIntervalMs: c.supervisor.heartbeatIntervalMs,
        logLevel: c.log.level,
        dryRun: this.dryRun,
        params: st.params,
      }),
      schema: strategyMessageSchema,
      maxFrameBytes: STRATEGY_MAX_FRAME_BYTES,
      // A strategy burning CPU without blocking its event loop (so its heartbeats continue) must
      // not starve the signer: it competes at a lower priority.
      nice: 10,
      startTimeoutMs: c.supervisor.startTimeoutMs,
      heartbeatTimeoutMs: c.supervisor.heartbeatTimeoutMs,
      memoryLimitBytes: st.memoryLimitMb * 1024 * 1024,
      backoff: { initialMs: c.supervisor.restartInitialMs, maxMs: c.supervisor.restartMaxMs, factor: c.supervisor.restartFactor },
      stableAfterMs: c.supervisor.stableAfterMs,
      isReady: (m) => m.t === "ready",
      isHeartbeat: (m) => m.t === "heartbeat" || m.t === "ready",
    };
    const child = new ManagedChild(spec, this.log);
    const slot: StrategySlot = {
      name,
      config: st,
      child,
      limiter: new RateLimiter(st.policy.maxIntentsPerMinute, 60_000),
      drops: new RateLimiter(st.policy.maxIntentsPerMinute, 60_000),
      head: null,
    };
    const strategyLog = this.log.child(`strategy:${name}`);
    child.on("up", () => this.metrics.childUp.set({ child: name }, 1));
    child.on("down", (reason) => {
      this.metrics.childUp.set({ child: name }, 0);
      this.metrics.childRestarts.inc({ child: name, reason });
      if (reason === "protocol") this.metrics.ipcViolations.inc({ child: name, code: "protocol" });
    });
    child.on("message", (m) => {
      switch (m.t) {
        case "heartbeat":
          slot.head = m.head;
          return;
        case "log":
          strategyLog.log(m.level, m.msg, m.fields);
          return;
        case "intent":
          this.routeIntent(slot, m.intent);
          return;
        case "ready":
          return;
      }
    });
    return slot;
  }

  private routeIntent(slot: StrategySlot, intent: Intent): void {
    const refuse = (code: string, reason: string) => {
      this.metrics.intents.inc({ strategy: slot.name, status: "dropped" });
      // One result per key the intent would have held (each item of a batch), as the signer reports them.
      for (const key of intentKeys(intent)) slot.child.send({ t: "result", id: intent.id, key, status: "refused", code, reason });
    };
    if (!slot.limiter.tryTake()) {
      if (!slot.drops.tryTake()) {
        slot.child.kill("runaway", `more than twice ${slot.config.policy.maxIntentsPerMinute} intents per minute`);
        return;
      }
      refuse("RATE_LIMITED", `over ${slot.config.policy.maxIntentsPerMinute} intents per minute`);
      return;
    }
    if (!this.signer.ready) {
      refuse("SIGNER_UNAVAILABLE", "the signer is restarting; propose again on a later block");
      return;
    }
    this.signer.send({ t: "intent", strategy: slot.name, intent });
  }

  /* ------------------------------------------------------------------ HEAD & HEALTH */

  private async pollHead(): Promise<void> {
    try {
      const block = await this.rpc.blockNumber();
      const now = Date.now();
      if (this.head.block === null || block > this.head.block) {
        this.head.block = block;
        this.head.movedAt = now;
      } else if (now - this.head.movedAt > this.config.rpc.staleHeadMs) {
        this.rpc.rotate("stale head");
      }
      this.head.rpcOk = true;
      this.head.lastError = null;
      this.metrics.headBlock.set(Number(block));
    } catch (err) {
      this.head.rpcOk = false;
      this.head.lastError = errorMessage(err);
    }
    this.metrics.headAgeSeconds.set((Date.now() - this.head.movedAt) / 1000);
  }

  /** The health report served at /health. */
  report(): HealthReport {
    const now = Date.now();
    const c = this.config;
    const headAgeMs = now - this.head.movedAt;
    const minBalance = ethToWei(c.signer.budget.minBalanceEth);
    const childSignal = (ch: ManagedChild<unknown>): HealthSignal => ({
      ok: ch.ready,
      state: ch.state,
      pid: ch.pid,
      restarts: ch.restarts,
      lastExit: ch.lastExit,
      lastHeartbeatAgoMs: ch.ready ? now - ch.lastHeartbeatAt : null,
    });
    const strategies: Record<string, HealthSignal> = {};
    for (const [name, s] of this.strategies) strategies[name] = { ...childSignal(s.child as ManagedChild<unknown>), head: s.head };
    const signals = {
      rpc: { ok: this.head.rpcOk, endpoint: redact(this.rpc.endpoint), lastError: this.head.lastError },
      head: { ok: this.head.block !== null && headAgeMs <= c.rpc.staleHeadMs, block: this.head.block?.toString() ?? null, ageMs: headAgeMs },
      signer: {
        ...childSignal(this.signer as ManagedChild<unknown>),
        address: this.signerState.address,
        pendingTxs: this.signerState.pendingTxs,
        queued: this.signerState.queued,
        nextNonce: this.signerState.nextNonce,
      },
      balance: {
        ok: this.signerState.balanceWei !== null && this.signerState.balanceWei >= minBalance,
        balanceWei: this.signerState.balanceWei?.toString() ?? null,
        minBalanceEth: c.signer.budget.minBalanceEth,
      },
      fees: { ok: this.signerState.deferred === null, deferred: this.signerState.deferred },
      strategies,
    };
    const down = !signals.signer.ok || !signals.rpc.ok;
    const degraded = !signals.head.ok || !signals.balance.ok || !signals.fees.ok || Object.values(strategies).some((s) => !s.ok);
    return {
      status: down ? "down" : degraded ? "degraded" : "ok",
      chainId: c.chainId,
      uptimeSeconds: Math.round((now - this.startedAt) / 1000),
      signals,
    };
  }
}
