/**
 * The liquidator's view of every known position: last health read, and which positions to read next.
 * Pure bookkeeping, no I/O, so the prioritisation is unit-testable.
 *
 * Reads per block are bounded (`maxReadsPerBlock`). When there are more positions than that, half the
 * budget goes to the riskiest positions (never read, then lowest last-known health) and half to a
 * window that rotates through the rest, so every position is refreshed within a bounded number of
 * blocks and the ones closest to liquidation every block.
 */

/** Health value meaning "no such position any more" (the lens's `type(uint256).max`). */
export const CLOSED_HEALTH = (1n << 256n) - 1n;

export interface PositionKey {
  account: string;
  series: bigint;
}

export interface TrackedPosition {
  key: PositionKey;
  /** Last health read (WAD), or null before the first read. */
  health: bigint | null;
  readAt: bigint | null;
}

export const positionId = (k: PositionKey): string => `${k.account.toLowerCase()}:${k.series}`;

export class PositionBook {
  private readonly positions = new Map<string, TrackedPosition>();
  private cursor = 0;

  get size(): number {
    return this.positions.size;
  }

  /** Adds a position (idempotent); a health from an event is a hint until the next read. */
  upsert(key: PositionKey, hint?: bigint): void {
    const id = positionId(key);
    const p = this.positions.get(id);
    if (p) {
      if (hint !== undefined) p.health = hint;
      return;
    }
    this.positions.set(id, { key, health: hint ?? null, readAt: null });
  }

  remove(key: PositionKey): void {
    this.positions.delete(positionId(key));
  }

  /** Forces a position to be read first next time (e.g. after one of our liquidations landed). */
  invalidate(id: string): void {
    const p = this.positions.get(id);
    if (p) p.health = null;
  }

  /** Records a read; a closed position leaves the book. */
  update(key: PositionKey, health: bigint, block: bigint): void {
    if (health === CLOSED_HEALTH) {
      this.remove(key);
      return;
    }
    const p = this.positions.get(positionId(key));
    if (p) {
      p.health = health;
      p.readAt = block;
    }
  }

  get(key: PositionKey): TrackedPosition | undefined {
    return this.positions.get(positionId(key));
  }

  /** Positions to read this block, at most `limit`: riskiest first, then a rotating window. */
  selectForRead(limit: number): PositionKey[] {
    const all = [...this.positions.values()];
    if (all.length <= limit) return all.map((p) => p.key);
    const sorted = all.sort(byRisk);
    const priority = Math.ceil(limit / 2);
    const picked = sorted.slice(0, priority);
    const rest = sorted.slice(priority);
    const window = limit - priority;
    this.cursor %= rest.length;
    for (let i = 0; i < window; i++) picked.push(rest[(this.cursor + i) % rest.length]);
    this.cursor = (this.cursor + window) % rest.length;
    return picked.map((p) => p.key);
  }

  /** Positions below `threshold`, most under-collateralised first, skipping `exclude` ids, at most `limit`. */
  liquidatable(threshold: bigint, exclude: ReadonlySet<string>, limit: number): TrackedPosition[] {
    return [...this.positions.values()]
      .filter((p) => p.health !== null && p.health < threshold && !exclude.has(positionId(p.key)))
      .sort(byRisk)
      .slice(0, limit);
  }
}

/** Never-read first, then ascending health. */
function byRisk(a: TrackedPosition, b: TrackedPosition): number {
  if (a.health === null || b.health === null) return a.health === null ? (b.health === null ? 0 : -1) : 1;
  return a.health < b.health ? -1 : a.health > b.health ? 1 : 0;
}
