/**
 * The demo's keeper service: the real supervisor (`node keepers/dist/cli.js start`), its signer and four strategy
 * processes, run as a child process tree against the demo network's JSON-RPC on 127.0.0.1.
 *
 * - The config is generated in a temporary directory beside a copy of the deployment record; every contract address
 *   in it is a `"deployment:<name>"` reference the keeper resolves from that record (chain id checked).
 * - The key is a fresh random one, funded on the demo chain; it is handed to the keeper process only through one
 *   environment variable (the supervisor passes it to the signer and drops it), never written to disk.
 * - `stop()` ends the whole tree: SIGTERM to the supervisor's process group (it stops strategies, then the signer),
 *   SIGKILL after a grace period, and SIGKILL to any child it reported that is still alive. It is also wired to
 *   SIGINT/SIGTERM and to the demo's exit, so an error or Ctrl-C never leaves a keeper behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Wallet } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { DeploymentRecord } from "../../deploy/lib/deployProtocol";
import type { JournalEntry } from "../../keepers/src/core/journal";
import { buildKeeperIfStale, KEEPER_CLI, LogLineReader, type LogLine } from "../../keepers/src/harness";

const ROOT = path.resolve(__dirname, "..", "..");
const KEY_ENV = "BULWARK_DEMO_KEEPER_KEY";
const STRATEGIES = ["liquidator", "settler", "watchdog", "redeem"] as const;

export type { LogLine };

export interface DemoKeeper {
  /** The keeper's signing address. */
  address: string;
  /** Every JSON log line the keeper printed so far. */
  lines: LogLine[];
  /** The latest snapshot of every journal entry, one per intent (what the signer did): live, or as it was at `stop()`. */
  journal(): JournalEntry[];
  /** Stops the keeper and all its children; idempotent. */
  stop(): Promise<void>;
}

const policy = (allow: Array<[string, string[]]>, perMinute = 600) => ({
  allow: allow.map(([contract, functions]) => ({ contract: `deployment:${contract}`, functions })),
  maxIntentsPerMinute: perMinute,
});

/** The keeper config of the demo: all four protocol strategies, fast timings for 1-second blocks. */
function demoConfig(recordFile: string, dataDir: string, url: string): Record<string, unknown> {
  return {
    chainId: 31337,
    deployment: recordFile,
    dataDir,
    rpc: { urls: [url], timeoutMs: 5_000, pollIntervalMs: 250, staleHeadMs: 30_000 },
    log: { level: "info" },
    health: { port: 0 },
    signer: {
      key: { source: "env", env: KEY_ENV },
      maxPendingTxs: 8,
      confirmations: 1,
      fees: { priorityFeeGwei: "1", maxPriorityFeePerGasGwei: "3", maxFeePerGasGwei: "100", replaceAfterMs: 5_000 },
      gas: { maxGasPerTx: 5_000_000 },
      budget: { maxSpendPerHourEth: "10", minBalanceEth: "0.1" },
    },
    supervisor: { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 10_000, startTimeoutMs: 30_000, shutdownGraceMs: 5_000 },
    strategies: {
      liquidator: {
        type: "liquidator",
        enabled: true,
        policy: policy([["liquidation", ["liquidate(address,uint256,uint256)"]]]),
        params: { source: "margin-engine", target: "deployment:engine", liquidation: "deployment:liquidation", fromBlock: "deployment:block", maxIntentsPerBlock: 10 },
      },
      settler: {
        type: "settler",
        enabled: true,
        policy: policy([
          ["router", ["recordSettlement(bytes32,uint64,uint256[])", "proposeFallbackSettlement(bytes32,uint64)"]],
          ["engine", ["settle(address,uint256)", "recordExpiryPrice(uint256)"]],
        ]),
        params: { router: "deployment:router", engine: "deployment:engine", fromBlock: "deployment:block" },
      },
      watchdog: {
        type: "breaker-watchdog",
        enabled: true,
        policy: policy([
          ["breaker", ["poke(bytes32)"]],
          ["router", ["pokeStatus(bytes32)"]],
        ]),
        params: { breaker: "deployment:breaker", router: "deployment:router", scopes: ["ETH", "BTC", "GLOBAL"], idlePokeIntervalBlocks: 3 },
      },
      redeem: {
        type: "redeem-queue",
        enabled: true,
        policy: policy([["vault", ["processRedeemQueue(uint256)"]]]),
        params: { vault: "deployment:vault", maxRequests: 20 },
      },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the keeper against `url` and waits until the signer and every strategy report ready (60 s at most). */
export async function startDemoKeeper(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, url: string): Promise<DemoKeeper> {
  buildKeeperIfStale();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-demo-keeper-"));
  const recordFile = path.join(dir, `${record.network}-${record.chainId}.json`);
  fs.writeFileSync(recordFile, JSON.stringify(record, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
  const dataDir = path.join(dir, "data");
  const configPath = path.join(dir, "keeper.json");
  fs.writeFileSync(configPath, JSON.stringify(demoConfig(recordFile, dataDir, url), null, 2));

  const key = Wallet.createRandom();
  await hre.network.provider.send("hardhat_setBalance", [key.address, "0x" + (100n * 10n ** 18n).toString(16)]);

  const child: ChildProcess = spawn(process.execPath, [KEEPER_CLI, "start", "--config", configPath], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", [KEY_ENV]: key.privateKey },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group: one signal reaches the supervisor and everything it started
  });
  const reader = new LogLineReader();
  const { lines, childPids } = reader;
  let stderr = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (d: string) => reader.push(d));
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (d: string) => (stderr = (stderr + d).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const journalFile = path.join(dataDir, "journal.jsonl");
  const readJournal = (): JournalEntry[] => {
    const latest = new Map<string, JournalEntry>();
    if (!fs.existsSync(journalFile)) return [];
    for (const line of fs.readFileSync(journalFile, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        const e = (JSON.parse(line) as { entry: JournalEntry }).entry;
        latest.set(`${e.key}#${e.intentId}`, e); // one key (e.g. a breaker scope) may be acted on several times
      } catch {
        // a line being written
      }
    }
    return [...latest.values()];
  };
  /** The journal as it was when the keeper stopped (its directory is removed then). */
  let finalJournal: JournalEntry[] | null = null;

  const killNow = () => {
    try {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    for (const pid of childPids) if (alive(pid)) process.kill(pid, "SIGKILL");
  };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off("exit", killNow);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
        await Promise.race([exited, sleep(15_000)]);
      }
      killNow();
      finalJournal = readJournal();
      fs.rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the keeper`);
    void stop().finally(() => process.exit(130));
  };
  process.once("exit", killNow);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const keeper: DemoKeeper = { address: key.address, lines, stop, journal: () => finalJournal ?? readJournal() };

  const deadline = Date.now() + 60_000;
  for (const name of ["signer", ...STRATEGIES]) {
    while (!lines.some((l) => l.msg === "child ready" && l.child === name)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        const tail = lines.slice(-15).map((l) => JSON.stringify(l).slice(0, 300)).join("\n");
        throw new Error(`the keeper did not become ready (${name}):\n${tail}\n${stderr.slice(-2_000)}`);
      }
      await sleep(100);
    }
  }
  return keeper;
}
