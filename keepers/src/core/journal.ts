/**
 * The durable journal: what the signer promised to do, and how far it got.
 *
 * Format: append-only JSON lines in `<dataDir>/journal.jsonl`, each line a full snapshot of one entry
 * (`{"v":1,"seq":n,"entry":{…}}`); replaying the file keeps the last snapshot per idempotency key.
 * Every append is durable before the caller takes the next irreversible step, so after a crash the
 * journal is never behind the chain. Durability comes from opening the file with O_DSYNC (each
 * `write` returns once the data is on stable storage) rather than from `fsync`, because Node 20
 * disables the fsync family under the permission model the signer runs with:
 *
 *   proposed ─► signed ─► broadcast ─► confirmed
 *      │          │   ▲       │  ▲
 *      │          ▼   │       ▼  │
 *      │        (rebroadcast) replaced (a new attempt on the same nonce: bumped fees, or a cancel)
 *      └──────────────► failed (refused by the re-check, reverted, nonce taken by a foreign tx, …)
 *
 * A key (`action:account:series`) has at most one pending entry. A batch entry (one transaction acting on several
 * positions) is stored under its first item's key and holds every item's key while it is pending: `holderOf`
 * answers for item keys too, so no position is in two pending entries at once, across restarts included (the
 * index is rebuilt from the file on open). A confirmed entry records the signer's head when it saw the confirmation
 * (`confirmedAtBlock`), and `lastConfirmation` answers, for every key the entry held (a batch's items too), the
 * latest such block: for a few blocks after it the signer accepts a new intent for the key only if its re-check holds
 * at once (see `signer/hold.ts`), so the confirmed snapshot stays the key's latest while strategies still act on state
 * older than the confirmation.
 * That index is rebuilt from the file on open, like the pending one. A signed entry keeps every raw
 * transaction it ever signed, so after a restart the executor re-sends the *same bytes* on the *same
 * nonce* instead of signing anew. A crash in the middle of an append leaves a partial last line: it is
 * dropped on open (the step after it never happened). Compaction rewrites the file through a temporary
 * file (also O_DSYNC) and an atomic rename; if a power loss undid the rename, the old file would come
 * back, which holds a superset of the entries (compaction only drops old terminal ones): still safe.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { JournalError } from "./errors";
import type { BatchItem } from "./messages";

export const PENDING_STATES = ["proposed", "signed", "broadcast", "replaced"] as const;
export const TERMINAL_STATES = ["confirmed", "failed"] as const;
export type PendingState = (typeof PENDING_STATES)[number];
export type JournalState = PendingState | (typeof TERMINAL_STATES)[number];

/** One signed transaction of an entry (the original, a fee bump, or a cancel). */
export interface Attempt {
  kind: "call" | "cancel";
  hash: string;
  raw: string;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  gasLimit: string;
  signedAt: number;
  broadcastAt?: number;
}

export interface JournalReceipt {
  hash: string;
  blockNumber: string;
  gasUsed: string;
  effectiveGasPrice: string;
  status: 0 | 1;
}

export interface JournalEntry {
  key: string;
  strategy: string;
  intentId: string;
  action: string;
  account: string;
  series: string;
  to: string;
  data: string;
  gasLimit?: string;
  recheck?: { to: string; data: string; expect: string };
  /** A batch: every (account, series) the transaction acts on, the entry's own first, each with its re-check. */
  items?: BatchItem[];
  state: JournalState;
  nonce?: number;
  attempts: Attempt[];
  createdAt: number;
  updatedAt: number;
  /** Why an entry failed (or why it is deferred). */
  reason?: string;
  code?: string;
  receipt?: JournalReceipt;
  /** A confirmed entry: the signer's head (decimal) when it recorded the confirmation (≥ the receipt's block). */
  confirmedAtBlock?: string;
}

/** The latest confirmation of an entry that held a key (its own, or a batch listing it as an item). */
export interface Confirmation {
  /** The signer's head when it recorded the confirmation (the receipt's block for entries written without it). */
  readonly block: bigint;
  /** Key the confirmed entry is stored under (a batch's first item). */
  readonly by: string;
}

export interface JournalOptions {
  /** Rewrite the file on open once it has more lines than this. */
  readonly compactAfterLines?: number;
  /** Terminal entries older than this are dropped by compaction. */
  readonly retainTerminalMs?: number;
}

export const JOURNAL_FILE = "journal.jsonl";

/** Append, create, write-only, and synchronous data writes (see the file comment). */
const APPEND_DSYNC = fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_WRONLY | (fs.constants.O_DSYNC ?? 0);
const WRITE_DSYNC = fs.constants.O_TRUNC | fs.constants.O_CREAT | fs.constants.O_WRONLY | (fs.constants.O_DSYNC ?? 0);

export function isPending(state: JournalState): state is PendingState {
  return (PENDING_STATES as readonly string[]).includes(state);
}

/** The idempotency keys an entry holds: its own, or one per item of a batch. */
export function entryKeys(e: Pick<JournalEntry, "key" | "action" | "items">): string[] {
  return e.items === undefined ? [e.key] : e.items.map((it) => `${e.action}:${it.account.toLowerCase()}:${it.series}`);
}

export class Journal {
  /** null: in-memory only (dry-run). */
  readonly file: string | null;
  private fd: number | null = null;
  private seq = 0;
  private readonly byKey = new Map<string, JournalEntry>();
  /** Item key → key of the pending batch entry holding it (items other than the entry's own key). */
  private readonly heldBy = new Map<string, string>();
  /** Key → the latest confirmation of an entry holding it (the highest block seen: replay order does not matter). */
  private readonly confirmedBy = new Map<string, Confirmation>();

  private constructor(file: string | null) {
    this.file = file;
  }

  /** A journal that writes nothing (dry-run). */
  static inMemory(): Journal {
    return new Journal(null);
  }

  /**
   * Opens (creating if needed) `<dir>/journal.jsonl`, replays it, drops a torn last line and compacts
   * when large.
   * @throws JournalError JOURNAL_CORRUPT if a line other than the last is unreadable; JOURNAL_IO on I/O errors.
   */
  static open(dir: string, options: JournalOptions = {}): Journal {
    const file = path.join(dir, JOURNAL_FILE);
    const j = new Journal(file);
    try {
      fs.mkdirSync(dir, { recursive: true });
      const lines = j.replay(file);
      if (lines > (options.compactAfterLines ?? 10_000)) j.compact(options.retainTerminalMs ?? 7 * 24 * 3600 * 1000);
      j.fd = fs.openSync(file, APPEND_DSYNC, 0o600);
    } catch (err) {
      if (err instanceof JournalError) throw err;
      throw new JournalError("JOURNAL_IO", `Cannot open journal ${file}`, { details: (err as Error).message, cause: err });
    }
    return j;
  }

  /** Latest entry for a key, any state (a copy: only `write` changes the journal). */
  get(key: string): JournalEntry | undefined {
    const e = this.byKey.get(key);
    return e === undefined ? undefined : structuredClone(e);
  }

  /**
   * The pending entry holding `key`: the entry stored under it, or a pending batch listing it as an item (a copy;
   * undefined when no pending entry holds the key).
   */
  holderOf(key: string): JournalEntry | undefined {
    const own = this.byKey.get(key);
    if (own !== undefined && isPending(own.state)) return structuredClone(own);
    const batch = this.heldBy.get(key);
    const e = batch === undefined ? undefined : this.byKey.get(batch);
    return e !== undefined && isPending(e.state) ? structuredClone(e) : undefined;
  }

  /**
   * The latest confirmation of any entry that held `key` (stored under it, or a batch naming it as an item), whatever
   * the key's latest snapshot says since; undefined if none is on record (never confirmed, or compacted away).
   */
  lastConfirmation(key: string): Confirmation | undefined {
    return this.confirmedBy.get(key);
  }

  /** Every entry's latest snapshot (copies). */
  entries(): JournalEntry[] {
    return [...this.byKey.values()].map((e) => structuredClone(e));
  }

  /** Entries not yet confirmed or failed, oldest first. Only those are copied: the terminal ones pile up between compactions. */
  pending(): JournalEntry[] {
    return [...this.byKey.values()]
      .filter((e) => isPending(e.state))
      .map((e) => structuredClone(e))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Records a snapshot of `entry` and makes it durable (O_DSYNC write) before returning.
   * @throws JournalError JOURNAL_IO; the in-memory state is left unchanged then.
   */
  write(entry: JournalEntry): void {
    const snapshot: JournalEntry = structuredClone({ ...entry, updatedAt: Date.now() });
    if (this.fd !== null) {
      const line = `${JSON.stringify({ v: 1, seq: this.seq + 1, entry: snapshot })}\n`;
      try {
        fs.writeSync(this.fd, line);
      } catch (err) {
        throw new JournalError("JOURNAL_IO", `Cannot append to journal ${this.file}`, { details: (err as Error).message, cause: err });
      }
    }
    this.seq += 1;
    this.store(snapshot);
    Object.assign(entry, { updatedAt: snapshot.updatedAt });
  }

  close(): void {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = null;
    }
  }

  /** Reads a journal file without opening it for writing (status command). */
  static readOnly(dir: string): JournalEntry[] {
    const j = new Journal(null);
    const file = path.join(dir, JOURNAL_FILE);
    if (fs.existsSync(file)) j.replay(file, false);
    return j.entries();
  }

  /* ------------------------------------------------------------------ INTERNALS */

  private replay(file: string, repair = true): number {
    if (!fs.existsSync(file)) return 0;
    const text = fs.readFileSync(file, "utf8");
    const lines = text.split("\n");
    // A file that does not end in a newline ends in a torn append: that step never happened.
    const complete = lines.slice(0, -1);
    const torn = lines[lines.length - 1];
    complete.forEach((line, i) => {
      if (line.trim() === "") return;
      let rec: { v?: number; seq?: number; entry?: JournalEntry };
      try {
        rec = JSON.parse(line);
      } catch {
        throw new JournalError("JOURNAL_CORRUPT", `Journal ${file} line ${i + 1} is not JSON`, {
          details: line.slice(0, 120),
          hint: "Stop every keeper using this dataDir, move the journal aside and inspect it; do not delete pending entries blindly.",
        });
      }
      if (rec.v !== 1 || !rec.entry || typeof rec.entry.key !== "string" || typeof rec.entry.state !== "string") {
        throw new JournalError("JOURNAL_CORRUPT", `Journal ${file} line ${i + 1} is not a journal record`, {
          details: line.slice(0, 120),
        });
      }
      this.store(rec.entry);
      this.seq = Math.max(this.seq, rec.seq ?? 0);
    });
    if (torn !== "" && repair) {
      fs.truncateSync(file, Buffer.byteLength(text) - Buffer.byteLength(torn));
    }
    return complete.length;
  }

  private compact(retainTerminalMs: number): void {
    if (this.file === null) return;
    const cutoff = Date.now() - retainTerminalMs;
    const keep = [...this.byKey.values()].filter((e) => isPending(e.state) || e.updatedAt >= cutoff);
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, WRITE_DSYNC, 0o600);
    let seq = 0;
    fs.writeSync(fd, keep.map((e) => `${JSON.stringify({ v: 1, seq: ++seq, entry: e })}\n`).join(""));
    fs.closeSync(fd);
    fs.renameSync(tmp, this.file);
    fsyncDir(path.dirname(this.file));
    this.byKey.clear();
    this.heldBy.clear();
    this.confirmedBy.clear();
    for (const e of keep) this.store(e);
    this.seq = seq;
  }

  /**
   * Records a snapshot and keeps the indexes in step: a batch's items are held while it is pending, and a confirmed
   * entry's block is recorded for each key it held.
   */
  private store(e: JournalEntry): void {
    const previous = this.byKey.get(e.key);
    if (previous?.items) for (const k of entryKeys(previous)) if (this.heldBy.get(k) === e.key) this.heldBy.delete(k);
    this.byKey.set(e.key, e);
    if (e.items && isPending(e.state)) for (const k of entryKeys(e)) if (k !== e.key) this.heldBy.set(k, e.key);
    const at = confirmedBlockOf(e);
    if (at !== undefined) {
      for (const k of entryKeys(e)) {
        const known = this.confirmedBy.get(k);
        if (known === undefined || known.block < at) this.confirmedBy.set(k, { block: at, by: e.key });
      }
    }
  }
}

/** The block a confirmed entry counts its confirmation from; undefined for any other state (or an unreadable block). */
function confirmedBlockOf(e: JournalEntry): bigint | undefined {
  if (e.state !== "confirmed") return undefined;
  const raw = e.confirmedAtBlock ?? e.receipt?.blockNumber;
  if (raw === undefined || !/^\d{1,30}$/.test(raw)) return undefined;
  return BigInt(raw);
}

/** Makes a rename durable. Best effort: some filesystems refuse, and the permission model forbids it. */
export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // not supported here; the rename itself is still atomic
  }
}

/** Writes a small file atomically (temporary file, fsync, rename). */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}
