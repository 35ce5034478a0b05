/**
 * The keeper command line.
 *
 *   keeper start   --config FILE   run the keeper (supervisor, signer, strategies)
 *   keeper dry-run --config FILE   everything but signing and sending; the journal is not touched
 *   keeper status  --config FILE   ask the running keeper's health endpoint, or print the journal
 *
 * Exit codes: 0 ok; 1 runtime failure; 2 bad usage, invalid config or failed start-up check;
 * 3 (status) no keeper running; 4 (status) running but not healthy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfig, type KeeperConfig } from "./core/config";
import { KeeperError } from "./core/errors";
import { Journal, entryKeys, isPending } from "./core/journal";
import { Logger } from "./core/logger";
import { preflightChain, preflightSecrets } from "./core/preflight";
import { resolveLayout, strategyReadableDirs } from "./supervisor/permissions";
import { STATE_FILE, Supervisor, type KeeperStateFile } from "./supervisor/supervisor";

const USAGE = `Usage: keeper <start|dry-run|status> --config FILE

  start     run the keeper: supervisor, signer and every enabled strategy
  dry-run   the same, but nothing is signed or sent and the journal is not written
  status    show the running keeper's health (or, if none runs, the journal's pending entries)

Exit codes: 0 ok, 1 runtime failure, 2 bad usage/config/start-up check, 3 not running, 4 unhealthy.`;

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, NOT_RUNNING: 3, UNHEALTHY: 4 } as const;

interface Args {
  command: "start" | "dry-run" | "status";
  config: string;
}

/** Parses argv (without node and script). Returns a message on bad usage, or the usage on --help. */
export function parseArgs(argv: readonly string[]): Args | { error: string } | { help: string } {
  const rest = [...argv];
  const command = rest.shift();
  if (command === "--help" || command === "-h" || command === "help") return { help: USAGE };
  if (command === undefined) return { error: USAGE };
  if (command !== "start" && command !== "dry-run" && command !== "status") return { error: `Unknown command "${command}".\n\n${USAGE}` };
  let config: string | undefined;
  while (rest.length > 0) {
    const a = rest.shift() as string;
    if (a === "--config" || a === "-c") config = rest.shift();
    else if (a.startsWith("--config=")) config = a.slice("--config=".length);
    else return { error: `Unknown argument "${a}".\n\n${USAGE}` };
  }
  if (!config) return { error: `Missing --config FILE.\n\n${USAGE}` };
  return { command, config };
}

function printError(err: unknown): void {
  if (err instanceof KeeperError) process.stderr.write(`error: ${err.message}\n`);
  else process.stderr.write(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
}

async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if ("help" in args) {
    process.stdout.write(`${args.help}\n`);
    return EXIT.OK;
  }
  if ("error" in args) {
    process.stderr.write(`${args.error}\n`);
    return EXIT.USAGE;
  }
  let config: KeeperConfig;
  try {
    config = loadConfig(args.config);
  } catch (err) {
    printError(err);
    return EXIT.USAGE;
  }
  if (args.command === "status") return status(config);

  const dryRun = args.command === "dry-run";
  const logger = new Logger({ chain: config.chainId, component: "cli", level: config.log.level });
  const layout = resolveLayout();
  try {
    const customDirs = Object.values(config.strategies).flatMap((s) => (s.enabled && s.type === "custom" ? [path.dirname(s.module)] : []));
    preflightSecrets(config, process.env, strategyReadableDirs(layout, customDirs));
    await preflightChain(config, logger);
  } catch (err) {
    logger.error("start-up check failed", { error: err });
    printError(err);
    return EXIT.USAGE;
  }

  const supervisor = new Supervisor({ config, dryRun, logger, layout });
  try {
    await supervisor.start();
  } catch (err) {
    logger.error("keeper failed to start", { error: err });
    printError(err);
    await supervisor.stop().catch(() => undefined);
    return EXIT.FAILURE;
  }
  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (sig: string) => {
      if (signalled) return;
      signalled = true;
      logger.info("shutting down", { signal: sig });
      supervisor.stop().then(
        () => resolve(EXIT.OK),
        () => resolve(EXIT.FAILURE),
      );
    };
    process.on("SIGINT", () => onSignal("SIGINT"));
    process.on("SIGTERM", () => onSignal("SIGTERM"));
  });
}

async function status(config: KeeperConfig): Promise<number> {
  const stateFile = path.join(config.dataDir, STATE_FILE);
  let state: KeeperStateFile | null = null;
  try {
    state = JSON.parse(fs.readFileSync(stateFile, "utf8")) as KeeperStateFile;
  } catch {
    state = null;
  }
  if (state) {
    try {
      const res = await fetch(`http://127.0.0.1:${state.healthPort}/health`, { signal: AbortSignal.timeout(3_000) });
      const body = await res.json();
      process.stdout.write(`${JSON.stringify({ running: true, pid: state.pid, healthPort: state.healthPort, health: body }, null, 2)}\n`);
      return (body as { status?: string }).status === "ok" ? EXIT.OK : EXIT.UNHEALTHY;
    } catch {
      // not reachable: fall through to the journal
    }
  }
  let entries;
  try {
    entries = Journal.readOnly(config.dataDir);
  } catch (err) {
    printError(err);
    return EXIT.FAILURE;
  }
  const byState: Record<string, number> = {};
  for (const e of entries) byState[e.state] = (byState[e.state] ?? 0) + 1;
  const pending = entries
    .filter((e) => isPending(e.state))
    .map((e) => ({
      key: e.key,
      state: e.state,
      nonce: e.nonce ?? null,
      strategy: e.strategy,
      lastHash: e.attempts[e.attempts.length - 1]?.hash ?? null,
      // A batch: every key it holds.
      ...(e.items ? { items: entryKeys(e) } : {}),
    }));
  process.stdout.write(`${JSON.stringify({ running: false, dataDir: config.dataDir, journal: { byState, pending } }, null, 2)}\n`);
  return EXIT.NOT_RUNNING;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Let stdout drain, then leave even if a handle lingers.
      setTimeout(() => process.exit(code), 100).unref();
    },
    (err) => {
      printError(err);
      process.exit(EXIT.FAILURE);
    },
  );
}
