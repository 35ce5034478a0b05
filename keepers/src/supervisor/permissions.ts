/**
 * Node flags that confine each child process.
 *
 * Strategies: `--experimental-permission` with read access to the compiled keeper code and
 * node_modules only (plus a custom strategy's own directory). No `--allow-fs-write`, no
 * `--allow-child-process`, no `--allow-worker`: those stay denied. `--max-old-space-size` caps the
 * V8 heap; the supervisor caps the resident set from outside.
 * Signer: the same, plus read access to its keystore and read/write access to the data directory.
 *
 * Node 20's permission model does not cover network access or already-open file descriptors; the
 * framed channel (ipc.ts) is why an open descriptor is harmless, and no secret is reachable over the
 * network from a strategy.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface KeeperLayout {
  /** Root of the compiled keeper (the directory holding cli.js, core/, signer/, strategies/). */
  readonly root: string;
  /** node_modules directories the code loads from, both as symlinked and as resolved. */
  readonly nodeModules: readonly string[];
}

/** Locates the compiled keeper and its dependencies from this file's location. */
export function resolveLayout(): KeeperLayout {
  const root = path.resolve(__dirname, "..");
  const dirs = new Set<string>();
  // Every node_modules on the lookup path from the keeper root, as Node walks it.
  let dir = root;
  for (;;) {
    const nm = path.join(dir, "node_modules");
    if (fs.existsSync(nm)) {
      dirs.add(nm);
      dirs.add(fs.realpathSync(nm));
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { root: fs.realpathSync(root), nodeModules: [...dirs] };
}

/** Directories a strategy process may read: its code and dependencies (for the keystore check too). */
export function strategyReadableDirs(layout: KeeperLayout, extra: readonly string[] = []): string[] {
  return [layout.root, ...layout.nodeModules, ...extra];
}

/**
 * Node 20 aborts at start-up (a native assertion) when two grants overlap in some ways: the same path
 * twice, a directory both as "d" and "d/*", or a file inside a directory granted after it. So grants
 * are normalised: absolute, de-duplicated, nothing inside an already granted directory, directories
 * as "d/*" (the tree below d), files as themselves.
 */
export function normaliseGrants(dirs: readonly string[], files: readonly string[] = []): string[] {
  const inside = (p: string, d: string) => {
    const rel = path.relative(d, p);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  };
  const uniqueDirs: string[] = [];
  for (const d of [...new Set(dirs.map((x) => path.resolve(x)))].sort((a, b) => a.length - b.length)) {
    if (!uniqueDirs.some((u) => inside(d, u))) uniqueDirs.push(d);
  }
  const uniqueFiles = [...new Set(files.map((x) => path.resolve(x)))].filter((f) => !uniqueDirs.some((u) => inside(f, u)));
  return [...uniqueDirs.map((d) => path.join(d, "*")), ...uniqueFiles];
}

const COMMON = ["--experimental-permission", "--disable-warning=ExperimentalWarning"];

/** execArgv of a strategy process. */
export function strategyExecArgv(layout: KeeperLayout, heapMb: number, moduleDir?: string): string[] {
  const read = normaliseGrants(strategyReadableDirs(layout, moduleDir ? [moduleDir] : []));
  return [...COMMON, ...read.map((g) => `--allow-fs-read=${g}`), `--max-old-space-size=${heapMb}`];
}

/** execArgv of the signer process. */
export function signerExecArgv(layout: KeeperLayout, heapMb: number, dataDir: string, keystore?: string): string[] {
  const read = normaliseGrants([layout.root, ...layout.nodeModules, dataDir], keystore ? [keystore] : []);
  const write = normaliseGrants([dataDir]);
  return [
    ...COMMON,
    ...read.map((g) => `--allow-fs-read=${g}`),
    ...write.map((g) => `--allow-fs-write=${g}`),
    `--max-old-space-size=${heapMb}`,
  ];
}
