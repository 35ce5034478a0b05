/**
 * What a program that runs the keeper as a child process needs (the e2e tests, the demo, the benchmark): the
 * check that keepers/dist is built from the current sources, and the reader of the keeper's JSON log lines.
 * One implementation, so the tests and the demo read the keeper's output the same way.
 *
 * Not used by the keeper itself (the CLI, the signer and the strategies never import it).
 *
 * @example
 * ```ts
 * buildKeeperIfStale();
 * const reader = new LogLineReader();
 * child.stdout.on("data", (d: string) => reader.push(d));
 * // reader.lines: every line so far; reader.childPids: every child the supervisor reported starting
 * ```
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** keepers/ (this file is keepers/src/harness.ts, or keepers/dist/harness.js once built). */
export const KEEPER_ROOT = path.resolve(__dirname, "..");
export const KEEPER_DIST = path.join(KEEPER_ROOT, "dist");
export const KEEPER_CLI = path.join(KEEPER_DIST, "cli.js");
const STAMP = path.join(KEEPER_DIST, ".build-stamp");
const REPO_ROOT = path.resolve(KEEPER_ROOT, "..");

/* ------------------------------------------------------------------ BUILD CHECK */

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when keepers/dist holds a build at least as new as every file of keepers/src and keepers/tsconfig.json. */
export function keeperBuildIsCurrent(): boolean {
  const srcNewest = Math.max(newestMtime(path.join(KEEPER_ROOT, "src")), fs.statSync(path.join(KEEPER_ROOT, "tsconfig.json")).mtimeMs);
  return fs.existsSync(STAMP) && fs.existsSync(KEEPER_CLI) && fs.statSync(STAMP).mtimeMs >= srcNewest;
}

/**
 * Compiles keepers/ into keepers/dist (the project's own `tsc`) unless the build is current, then stamps it.
 * @throws Error with the compiler's output when the build fails.
 */
export function buildKeeperIfStale(timeoutMs = 240_000): void {
  if (keeperBuildIsCurrent()) return;
  const tsc = require.resolve("typescript/bin/tsc", { paths: [REPO_ROOT] });
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(KEEPER_ROOT, "tsconfig.json")], { cwd: REPO_ROOT, encoding: "utf8", timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`keeper build failed:\n${r.stdout}\n${r.stderr}`);
  fs.writeFileSync(STAMP, new Date().toISOString());
}

/* ------------------------------------------------------------------ LOG LINES */

/** One line of the keeper's structured log (see `core/logger.ts`). */
export type LogLine = Record<string, unknown> & { msg?: string; component?: string; level?: string };

/** The line recorded for stdout output that is not a JSON object. */
export const NON_JSON_MSG = "(non-JSON output)";

/**
 * Splits the keeper's stdout into lines as it arrives (a chunk may end mid-line) and parses each one. Remembers
 * the pid of every child the supervisor reports starting (`"child started"`), so a caller can make sure none
 * outlives it.
 */
export class LogLineReader {
  readonly lines: LogLine[] = [];
  readonly childPids = new Set<number>();
  private buf = "";

  constructor(private readonly onLine?: (line: LogLine) => void) {}

  /** Feeds a chunk of stdout (utf8). */
  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf("\n")) !== -1) {
      const raw = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      const line = parseLogLine(raw);
      this.lines.push(line);
      if (line.msg === "child started" && typeof line.pid === "number") this.childPids.add(line.pid);
      this.onLine?.(line);
    }
  }
}

/** Parses one stdout line: the JSON object, or `{ msg: NON_JSON_MSG, raw }` when it is not one. */
export function parseLogLine(raw: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as LogLine;
  } catch {
    // not JSON: recorded as is below
  }
  return { msg: NON_JSON_MSG, raw };
}
