/**
 * Runs the real keeper (compiled CLI, separate process tree) against a test node, and reads what it
 * did: its JSON log lines, its health endpoint, its journal.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import type { JournalEntry } from "../../../keepers/src/core/journal";
import { buildKeeperIfStale, KEEPER_CLI, LogLineReader, type LogLine } from "../../../keepers/src/harness";
import { REPO_ROOT } from "../../helpers/node";
import { isAlive, killGroup, track, waitFor } from "../../helpers/processes";

export { KEEPER_CLI, KEEPER_DIST, KEEPER_ROOT, type LogLine } from "../../../keepers/src/harness";

let fixturesDir: string | null = null;
let built: Promise<void> | null = null;

/** Compiles keepers/ into keepers/dist (tsc), once per test run and only if the sources changed. */
export function ensureKeeperBuilt(): Promise<void> {
  built ??= (async () => buildKeeperIfStale())();
  return built;
}

/** Transpiles the test strategies (test/keepers/fixtures/strategies/*.ts) into a temporary directory. */
export function buildFixtures(): string {
  if (fixturesDir) return fixturesDir;
  const src = path.join(__dirname, "..", "fixtures", "strategies");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-keeper-fixtures-"));
  for (const f of fs.readdirSync(src).filter((x) => x.endsWith(".ts"))) {
    const js = ts.transpileModule(fs.readFileSync(path.join(src, f), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    fs.writeFileSync(path.join(out, f.replace(/\.ts$/, ".js")), js);
  }
  fixturesDir = out;
  return out;
}

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bulwark-keeper-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Removes every directory `tempDir` and `buildFixtures` created. */
export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  if (fixturesDir) fs.rmSync(fixturesDir, { recursive: true, force: true });
  fixturesDir = null;
}

/* ------------------------------------------------------------------ CONFIG */

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Deep merge; `undefined` in the patch deletes the key. */
export function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Json, v) : v;
  }
  return out;
}

export interface TestConfigOptions {
  rpcUrls: string[];
  dataDir: string;
  target: string;
  keyEnv?: string;
  /** Merged over the defaults below. */
  patch?: Json;
}

export const TEST_KEY_ENV = "BULWARK_TEST_KEEPER_KEY";
export const MAX_FEE_GWEI = "50";

/** A config with fast timings for tests: a liquidator on `target`. */
export function testConfig(o: TestConfigOptions): Json {
  const base: Json = {
    chainId: 31337,
    dataDir: o.dataDir,
    rpc: { urls: o.rpcUrls, timeoutMs: 1_000, pollIntervalMs: 200, staleHeadMs: 2_000 },
    log: { level: "info" },
    health: { port: 0 },
    signer: {
      key: { source: "env", env: o.keyEnv ?? TEST_KEY_ENV },
      maxPendingTxs: 4,
      fees: {
        priorityFeeGwei: "1",
        maxPriorityFeePerGasGwei: "3",
        maxFeePerGasGwei: MAX_FEE_GWEI,
        replaceAfterMs: 1_500,
        bumpPercent: 20,
        maxReplacements: 3,
      },
      gas: { maxGasPerTx: 300_000 },
      budget: { maxSpendPerHourEth: "1", minBalanceEth: "0.1" },
    },
    supervisor: {
      heartbeatIntervalMs: 200,
      heartbeatTimeoutMs: 2_000,
      startTimeoutMs: 20_000,
      restartInitialMs: 200,
      restartMaxMs: 2_000,
      stableAfterMs: 30_000,
      shutdownGraceMs: 3_000,
    },
    strategies: {
      liquidator: {
        type: "liquidator",
        enabled: true,
        heapMb: 128,
        policy: { allow: [{ contract: o.target, functions: ["liquidate(address,uint256)"] }], maxIntentsPerMinute: 120 },
        params: { source: "keeper-target-mock", target: o.target, fromBlock: 0 },
      },
    },
  };
  return o.patch ? merge(base, o.patch) : base;
}

export function writeConfig(dir: string, config: Json, name = "keeper.json"): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/* ------------------------------------------------------------------ RUNNING */

const childPids = new Set<number>();

/** SIGKILLs children a keeper reported starting, if any survived (they should exit on their own). */
export function killKeeperChildren(): void {
  for (const pid of childPids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  childPids.clear();
}

export class KeeperRun {
  readonly lines: LogLine[];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
    const reader = new LogLineReader((l) => {
      if (l.msg === "child started" && typeof l.pid === "number") childPids.add(l.pid);
    });
    this.lines = reader.lines;
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (d: string) => reader.push(d));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => (this.stderr = (this.stderr + d).slice(-50_000)));
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** `node keepers/dist/cli.js <command> --config <file>` with only PATH and `env` in its environment. */
  static start(configPath: string, env: Record<string, string>, command: "start" | "dry-run" | "status" = "start"): KeeperRun {
    const child = track(
      spawn(process.execPath, [KEEPER_CLI, command, "--config", configPath], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      }),
    );
    return new KeeperRun(child);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  find(pred: (l: LogLine) => boolean): LogLine | undefined {
    return this.lines.find(pred);
  }

  filter(pred: (l: LogLine) => boolean): LogLine[] {
    return this.lines.filter(pred);
  }

  async waitForLog(what: string, pred: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    return waitFor(`log: ${what}`, () => this.lines.find(pred), timeoutMs).catch((err) => {
      throw new Error(`${String(err)}\n--- last keeper lines ---\n${this.tail()}`);
    });
  }

  /** Waits until the signer and `strategies` report ready. */
  async waitReady(strategies: string[] = ["liquidator"], timeoutMs = 30_000): Promise<void> {
    for (const name of ["signer", ...strategies]) {
      await this.waitForLog(`${name} ready`, (l) => l.msg === "child ready" && l.child === name, timeoutMs);
    }
  }

  get healthPort(): number {
    const l = this.lines.find((x) => x.msg === "keeper started");
    if (!l) throw new Error("keeper not started yet");
    return l.healthPort as number;
  }

  async health(): Promise<{ status: string; signals: Record<string, any> }> {
    const res = await fetch(`http://127.0.0.1:${this.healthPort}/health`, { signal: AbortSignal.timeout(3_000) });
    return (await res.json()) as { status: string; signals: Record<string, any> };
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.healthPort}/metrics`, { signal: AbortSignal.timeout(3_000) });
    return res.text();
  }

  /** Value of one Prometheus sample (0 when absent). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await this.metrics();
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of text.split("\n")) {
      if (!line.startsWith(name)) continue;
      const m = /^([a-z_]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      if (want.every((w) => (m[2] ?? "").includes(w))) return Number(m[3]);
    }
    return 0;
  }

  /** Graceful stop (SIGTERM), SIGKILL after 10 s. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    const timer = setTimeout(() => killGroup(this.child), 10_000);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }

  /** Crash: SIGKILL the supervisor only. Its children must notice and exit by themselves. */
  async crash(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** Pids of every child the supervisor started. */
  childPids(): number[] {
    return this.lines.filter((l) => l.msg === "child started").map((l) => l.pid as number);
  }

  tail(n = 40): string {
    return this.lines
      .slice(-n)
      .map((l) => JSON.stringify(l).slice(0, 400))
      .join("\n") + (this.stderr ? `\n--- stderr ---\n${this.stderr.slice(-2_000)}` : "");
  }
}

/** Latest journal snapshot per key, read straight from the file. */
export function readJournal(dataDir: string): Map<string, JournalEntry> {
  const file = path.join(dataDir, "journal.jsonl");
  const map = new Map<string, JournalEntry>();
  if (!fs.existsSync(file)) return map;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const rec = JSON.parse(line) as { entry: JournalEntry };
      map.set(rec.entry.key, rec.entry);
    } catch {
      // a torn last line while the keeper writes
    }
  }
  return map;
}

export function liquidationKey(account: string, series: bigint | number): string {
  return `liquidate:${account.toLowerCase()}:${series}`;
}
