/**
 * One supervised child process (the signer or a strategy): spawn, channel, watchdogs, restarts.
 *
 * The child is spawned (not forked: see ipc.ts) with an empty environment plus only what `spec.env`
 * names, stdin closed, stdout/stderr captured line by line into the structured log (capped in length
 * and rate), and its channel on fd 3. Watchdogs kill it (SIGKILL) when:
 * - it is not ready within `startTimeoutMs` (reason `start-timeout`);
 * - no heartbeat arrives for `heartbeatTimeoutMs` (`hang`: a busy loop blocks its event loop);
 * - its resident set exceeds `memoryLimitBytes` (`memory`; read from /proc, not from the child);
 * - it sends a frame that is too large, not JSON or off-protocol (`protocol`);
 * - the owner asks (`runaway`, for a strategy flooding intents).
 * It is then restarted after an exponential back-off, reset once a run lasts `stableAfterMs`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import type { Duplex, Readable } from "node:stream";
import type { z } from "zod";
import { Backoff } from "../core/backoff";
import { FramedChannel } from "../core/ipc";
import type { IpcError } from "../core/errors";
import type { Logger } from "../core/logger";

export type ExitReason = "exit" | "crash" | "hang" | "memory" | "protocol" | "runaway" | "start-timeout";
export type ChildState = "starting" | "running" | "backoff" | "stopped";

export interface ChildSpec<In> {
  readonly name: string;
  readonly script: string;
  readonly execArgv: readonly string[];
  /** The complete environment of the child (empty for strategies). */
  readonly env: Readonly<Record<string, string>>;
  /** Built fresh for every start. */
  readonly init: () => object;
  readonly schema: z.ZodType<In, z.ZodTypeDef, unknown>;
  readonly maxFrameBytes: number;
  readonly startTimeoutMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly memoryLimitBytes: number;
  readonly backoff: { initialMs: number; maxMs: number; factor: number };
  readonly stableAfterMs: number;
  /** Messages of this type count as readiness / liveness. */
  readonly isReady: (m: In) => boolean;
  readonly isHeartbeat: (m: In) => boolean;
  /** Scheduling niceness (0-19) for the child: strategies run below the signer and the supervisor. */
  readonly nice?: number;
}

export interface ManagedChildEvents<In> {
  message: [In];
  up: [];
  down: [ExitReason, string];
}

/** Longest line kept from a child's stdout/stderr, and lines per second before dropping. */
const MAX_LINE = 2_000;
const MAX_LINES_PER_SECOND = 50;

export class ManagedChild<In> extends EventEmitter<ManagedChildEvents<In>> {
  readonly spec: ChildSpec<In>;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private proc: ChildProcess | null = null;
  private channel: FramedChannel<In> | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private killReason: { reason: ExitReason; detail: string } | null = null;
  private oomHint = false;
  private lineBudget = { second: 0, count: 0, dropped: 0 };

  state: ChildState = "stopped";
  ready = false;
  restarts = 0;
  pid: number | null = null;
  startedAt = 0;
  lastHeartbeatAt = 0;
  lastExit: { reason: ExitReason; detail: string; at: number } | null = null;

  constructor(spec: ChildSpec<In>, logger: Logger) {
    super();
    this.spec = spec;
    this.log = logger;
    this.backoff = new Backoff(spec.backoff.initialMs, spec.backoff.maxMs, spec.backoff.factor);
  }

  /** Starts the child (and keeps restarting it until `stop`). */
  start(): void {
    if (this.state === "starting" || this.state === "running") return;
    this.spawnOnce();
  }

  /** Sends a message if the child is up; returns false otherwise. */
  send(message: object): boolean {
    return this.channel !== null && this.ready && this.channel.send(message);
  }

  /** Kills the child now (SIGKILL); it is restarted after the back-off. */
  kill(reason: ExitReason, detail: string): void {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    if (!this.killReason) this.killReason = { reason, detail };
    this.log.warn("killing child", { child: this.spec.name, pid: this.pid, reason, detail });
    this.proc.kill("SIGKILL");
  }

  /** Asks the child to shut down, SIGKILLs it after `graceMs`; no restart afterwards. */
  async stop(graceMs: number): Promise<void> {
    const wasState = this.state;
    this.state = "stopped";
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const proc = this.proc;
    if (!proc || wasState === "backoff" || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    this.channel?.send({ t: "shutdown" });
    const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /* ------------------------------------------------------------------ INTERNALS */

  private spawnOnce(): void {
    this.state = "starting";
    this.ready = false;
    this.killReason = null;
    this.oomHint = false;
    this.startedAt = Date.now();
    this.lastHeartbeatAt = this.startedAt;
    let proc: ChildProcess;
    try {
      proc = spawn(process.execPath, [...this.spec.execArgv, this.spec.script], {
        env: { ...this.spec.env },
        stdio: ["ignore", "pipe", "pipe", "pipe"],
        // Own process group: a Ctrl-C or a signal sent to the keeper's group reaches the supervisor
        // only, which then shuts children down in order. Children exit on their own when the
        // supervisor dies (their channel closes).
        detached: true,
        windowsHide: true,
      });
    } catch (err) {
      this.log.error("cannot spawn child", { child: this.spec.name, reason: (err as Error).message });
      this.afterExit("crash", `spawn failed: ${(err as Error).message}`);
      return;
    }
    this.proc = proc;
    this.pid = proc.pid ?? null;
    if (this.pid !== null && this.spec.nice) {
      try {
        os.setPriority(this.pid, this.spec.nice);
      } catch {
        // not permitted here: the child runs at normal priority
      }
    }
    proc.on("error", (err) => this.log.error("child process error", { child: this.spec.name, reason: err.message }));
    this.pipeLines(proc.stdout, "stdout");
    this.pipeLines(proc.stderr, "stderr");

    const channel = new FramedChannel<In>(proc.stdio[3] as Duplex, {
      name: this.spec.name,
      maxFrameBytes: this.spec.maxFrameBytes,
      schema: this.spec.schema,
    });
    this.channel = channel;
    channel.on("message", (m) => this.onMessage(m));
    channel.on("violation", (err: IpcError) => {
      // Nothing more from this incarnation is trusted: drop its later frames, then kill it.
      channel.removeAllListeners("message");
      this.kill("protocol", `${err.code}: ${err.shortMessage}${err.details ? ` (${err.details})` : ""}`);
    });
    channel.send(this.spec.init());

    proc.once("exit", (code, signal) => {
      const k = this.killReason;
      let reason: ExitReason;
      let detail: string;
      if (k) {
        ({ reason, detail } = k);
      } else if (this.oomHint) {
        reason = "memory";
        detail = `heap limit reached (code ${code}, signal ${signal})`;
      } else if (code === 0) {
        reason = "exit";
        detail = "exited with code 0";
      } else {
        reason = "crash";
        detail = signal ? `killed by ${signal}` : `exited with code ${code}`;
      }
      this.afterExit(reason, detail);
    });

    this.watchdog = setInterval(() => this.checkWatchdogs(), Math.min(250, Math.max(50, this.spec.heartbeatTimeoutMs / 4)));
    this.log.info("child started", { child: this.spec.name, pid: this.pid });
  }

  private onMessage(m: In): void {
    if (this.spec.isHeartbeat(m)) this.lastHeartbeatAt = Date.now();
    if (this.spec.isReady(m) && !this.ready) {
      this.ready = true;
      this.state = "running";
      this.lastHeartbeatAt = Date.now();
      this.log.info("child ready", { child: this.spec.name, pid: this.pid, startMs: Date.now() - this.startedAt });
      this.emit("up");
    }
    this.emit("message", m);
  }

  private checkWatchdogs(): void {
    if (!this.proc || this.state === "stopped") return;
    const now = Date.now();
    if (!this.ready && now - this.startedAt > this.spec.startTimeoutMs) {
      this.kill("start-timeout", `not ready after ${this.spec.startTimeoutMs} ms`);
      return;
    }
    if (this.ready && now - this.lastHeartbeatAt > this.spec.heartbeatTimeoutMs) {
      this.kill("hang", `no heartbeat for ${now - this.lastHeartbeatAt} ms`);
      return;
    }
    const rss = residentBytes(this.pid);
    if (rss !== null && rss > this.spec.memoryLimitBytes) {
      this.kill("memory", `resident set ${Math.round(rss / 1048576)} MiB above ${Math.round(this.spec.memoryLimitBytes / 1048576)} MiB`);
    }
  }

  private afterExit(reason: ExitReason, detail: string): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.channel?.close();
    this.channel = null;
    this.proc = null;
    const ranMs = Date.now() - this.startedAt;
    const wasReady = this.ready;
    this.ready = false;
    this.lastExit = { reason, detail, at: Date.now() };
    if (wasReady) this.emit("down", reason, detail);
    if (this.state === "stopped") {
      this.log.info("child stopped", { child: this.spec.name, reason, detail });
      return;
    }
    if (ranMs >= this.spec.stableAfterMs) this.backoff.reset();
    const delay = this.backoff.next();
    this.restarts += 1;
    this.state = "backoff";
    this.log.warn("child exited; restarting after back-off", { child: this.spec.name, reason, detail, ranMs, restartInMs: delay, restarts: this.restarts });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.state === "backoff") this.spawnOnce();
    }, delay);
  }

  private pipeLines(stream: Readable | null, name: "stdout" | "stderr"): void {
    if (!stream) return;
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("error", () => undefined);
    stream.on("data", (chunk: string) => {
      buf += chunk;
      if (buf.length > 64 * MAX_LINE && !buf.includes("\n")) buf = buf.slice(0, MAX_LINE) + "\n";
      let nl: number;
      while ((nl = buf.indexOf("\n")) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.onLine(name, line);
      }
    });
  }

  private onLine(stream: "stdout" | "stderr", line: string): void {
    if (line.trim() === "") return;
    if (/heap out of memory|Reached heap limit|Allocation failed/i.test(line)) this.oomHint = true;
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.lineBudget.second) {
      if (this.lineBudget.dropped > 0) this.log.warn("child output rate-limited", { child: this.spec.name, dropped: this.lineBudget.dropped });
      this.lineBudget = { second, count: 0, dropped: 0 };
    }
    if (++this.lineBudget.count > MAX_LINES_PER_SECOND) {
      this.lineBudget.dropped += 1;
      return;
    }
    this.log.log(stream === "stderr" ? "warn" : "info", "child output", { child: this.spec.name, stream, line: line.slice(0, MAX_LINE) });
  }
}

/** Resident set of a process from /proc (Linux); null where unavailable. */
export function residentBytes(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
