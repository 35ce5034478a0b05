/**
 * The settler's schedule (building block for the settler strategy, wired once Settlement and the
 * OracleRouter's settlement prices exist).
 *
 * A series can be settled once its settlement price is final: at `expiry + disputeWindow`, in chain
 * time. The settler therefore acts on blocks whose timestamp has crossed the next due time, never on
 * a wall-clock timer (a node's clock, a paused chain or a slow block must not make it early or late),
 * and works through due series in expiry order, a bounded number per block.
 *
 * @example
 * ```ts
 * const cal = new ExpiryCalendar(3_600n);               // one-hour dispute window
 * cal.add({ seriesId: 7n, expiry: 1_767_225_600n });
 * if (cal.hasWork(block.timestamp)) for (const s of cal.due(block.timestamp, 10)) propose(s);
 * ```
 */

export interface SeriesExpiry {
  seriesId: bigint;
  /** Expiry, unix seconds (UTC). */
  expiry: bigint;
}

interface Scheduled extends SeriesExpiry {
  finalAt: bigint;
}

export class ExpiryCalendar {
  /** Kept sorted by finalAt, then seriesId. */
  private readonly queue: Scheduled[] = [];
  private readonly known = new Set<bigint>();

  constructor(readonly disputeWindowSec: bigint) {
    if (disputeWindowSec < 0n) throw new RangeError("dispute window must not be negative");
  }

  get size(): number {
    return this.queue.length;
  }

  /** Adds a series (idempotent: a series id is scheduled once). */
  add(s: SeriesExpiry): void {
    if (this.known.has(s.seriesId)) return;
    this.known.add(s.seriesId);
    const item: Scheduled = { ...s, finalAt: s.expiry + this.disputeWindowSec };
    let i = this.queue.length;
    while (i > 0 && compare(this.queue[i - 1], item) > 0) i--;
    this.queue.splice(i, 0, item);
  }

  /** Removes a series once everything in it is settled. */
  markSettled(seriesId: bigint): void {
    const i = this.queue.findIndex((q) => q.seriesId === seriesId);
    if (i !== -1) this.queue.splice(i, 1);
  }

  /** When the series' price becomes final (chain time), if scheduled. */
  finalAt(seriesId: bigint): bigint | undefined {
    return this.queue.find((q) => q.seriesId === seriesId)?.finalAt;
  }

  /** Chain time at which the next series becomes final, or null when nothing is pending. */
  nextFinalAt(): bigint | null {
    return this.queue.length === 0 ? null : this.queue[0].finalAt;
  }

  /** Whether a block with this timestamp has any settlement to do (lets the strategy skip reads). */
  hasWork(blockTimestamp: bigint): boolean {
    const next = this.nextFinalAt();
    return next !== null && next <= blockTimestamp;
  }

  /** Series final at `blockTimestamp`, earliest first, at most `limit`. */
  due(blockTimestamp: bigint, limit: number): SeriesExpiry[] {
    const out: SeriesExpiry[] = [];
    for (const q of this.queue) {
      if (q.finalAt > blockTimestamp || out.length >= limit) break;
      out.push({ seriesId: q.seriesId, expiry: q.expiry });
    }
    return out;
  }
}

function compare(a: Scheduled, b: Scheduled): number {
  if (a.finalAt !== b.finalAt) return a.finalAt < b.finalAt ? -1 : 1;
  return a.seriesId < b.seriesId ? -1 : a.seriesId > b.seriesId ? 1 : 0;
}
