/**
 * A pid lock file: one live process per role and data directory. Two executors sharing a journal could
 * each send on the same nonce; two supervisors could each start a signer. The lock is created with
 * O_EXCL; a lock whose pid is no longer alive (the holder crashed) is taken over.
 */
import * as fs from "node:fs";
import { JournalError } from "./errors";

export class PidLock {
  readonly file: string;
  private held = false;

  private constructor(file: string) {
    this.file = file;
  }

  /**
   * Takes the lock or throws.
   * @throws JournalError JOURNAL_LOCKED when another live process holds it.
   */
  static acquire(file: string, role: string): PidLock {
    const lock = new PidLock(file);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = fs.openSync(file, "wx");
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        lock.held = true;
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const holder = readPid(file);
      if (holder !== null && holder !== process.pid && isAlive(holder)) {
        throw new JournalError("JOURNAL_LOCKED", `Another ${role} (pid ${holder}) holds ${file}`, {
          hint: "Only one keeper may run per dataDir. Stop the other one, or give this one its own dataDir and key.",
        });
      }
      // Stale: the holder is gone. Remove and retry once.
      try {
        fs.unlinkSync(file);
      } catch {
        // someone else removed it first
      }
    }
    throw new JournalError("JOURNAL_LOCKED", `Could not take ${file}`, { hint: "Another process keeps re-creating it." });
  }

  /** The pid written in a lock file, or null. */
  static holder(file: string): number | null {
    const pid = readPid(file);
    return pid !== null && isAlive(pid) ? pid : null;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (readPid(this.file) === process.pid) {
      try {
        fs.unlinkSync(this.file);
      } catch {
        // already gone
      }
    }
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
