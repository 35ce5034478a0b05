/**
 * {@link HealthSource} over the MarginEngine lens: `accountCount()` and `healthOfRange(start, count)`.
 *
 * Health is per account (the margin requirement nets the whole portfolio), so positions are keyed
 * `(account, 0)`. Discovery needs no events: the lens list only grows, so each scan reads the accounts
 * added since the last one. Reads are batched by index: the keys asked for are sorted by their lens
 * index and merged into runs (gaps of up to `maxGap` accounts are read through rather than split), one
 * `healthOfRange` call per run of at most `batchSize` accounts, so a full sweep of N accounts costs
 * ceil(N / batchSize) calls and the riskiest accounts can still be read on their own.
 *
 * Mapping of the lens's answer onto the book's single health number:
 * - `priced == false` (an oracle the account needs has FAILED) → {@link UNPRICED_HEALTH}: never below a
 *   threshold, so nothing is proposed while prices are failed (liquidation is closed then anyway);
 * - no requirement (`type(uint256).max`) → {@link NO_REQUIREMENT_HEALTH}: the account stays in the book
 *   (it may open a position later; the lens list never shrinks), unlike the mock's CLOSED_HEALTH.
 *
 * The matching venue is `LiquidationEngineVenue` (`liquidation-engine.ts`): it finds which short to close.
 */
import type { RpcClient } from "../../core/rpc";
import { ENGINE } from "../../protocol/abi";
import { CLOSED_HEALTH, type PositionKey } from "./book";
import type { DiscoveryBatch, HealthSource } from "./source";

export const NO_REQUIREMENT_HEALTH = CLOSED_HEALTH - 1n;
export const UNPRICED_HEALTH = CLOSED_HEALTH - 2n;

export interface EngineHealth {
  account: string;
  health: bigint;
  priced: boolean;
}

export class MarginEngineHealthSource implements HealthSource {
  private readonly index = new Map<string, number>();
  private known = 0;

  constructor(
    private readonly rpc: RpcClient,
    readonly engine: string,
    private readonly batchSize = 100,
    private readonly maxGap = 8,
  ) {}

  get accounts(): number {
    return this.known;
  }

  /** Reads accounts added to the lens list up to `toBlock` (block range only bounds the read height). */
  async scan(_fromBlock: bigint, toBlock: bigint): Promise<DiscoveryBatch> {
    const count = Number(ENGINE.decodeFunctionResult("accountCount", await this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("accountCount") }, toBlock))[0]);
    const batch: DiscoveryBatch = { opened: [], updated: [], closed: [] };
    for (let start = this.known; start < count; start += this.batchSize) {
      const rows = await this.range(start, Math.min(this.batchSize, count - start), toBlock);
      rows.forEach((r, j) => {
        this.index.set(r.account.toLowerCase(), start + j);
        batch.opened.push({ key: { account: r.account, series: 0n }, health: bookHealth(r) });
      });
    }
    this.known = Math.max(this.known, count);
    return batch;
  }

  async healthOf(keys: PositionKey[], block: bigint): Promise<bigint[]> {
    const rows = await this.readMany(keys.map((k) => k.account), block);
    return rows.map(bookHealth);
  }

  /** Lens rows of `accounts` (known to the source), in the same order. */
  async readMany(accounts: string[], block: bigint): Promise<EngineHealth[]> {
    const wanted = accounts.map((a, i) => ({ i, at: this.index.get(a.toLowerCase()) }));
    const out: EngineHealth[] = new Array(accounts.length);
    const known = wanted.filter((w): w is { i: number; at: number } => w.at !== undefined).sort((a, b) => a.at - b.at);
    for (const w of wanted) if (w.at === undefined) out[w.i] = { account: accounts[w.i], health: UNPRICED_HEALTH, priced: false };
    let j = 0;
    while (j < known.length) {
      const start = known[j].at;
      let end = start;
      let k = j + 1;
      while (k < known.length && known[k].at - end <= this.maxGap + 1 && known[k].at - start < this.batchSize) end = known[k++].at;
      const rows = await this.range(start, end - start + 1, block);
      for (let m = j; m < k; m++) out[known[m].i] = rows[known[m].at - start];
      j = k;
    }
    return out;
  }

  /** One `healthOfRange` call. */
  async range(start: number, count: number, block: bigint): Promise<EngineHealth[]> {
    const out = await this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("healthOfRange", [start, count]) }, block);
    const [rows] = ENGINE.decodeFunctionResult("healthOfRange", out);
    return (rows as { account: string; health: bigint; priced: boolean }[]).map((r) => ({ account: r.account, health: BigInt(r.health), priced: r.priced }));
  }
}

function bookHealth(r: EngineHealth): bigint {
  if (!r.priced) return UNPRICED_HEALTH;
  return r.health === CLOSED_HEALTH ? NO_REQUIREMENT_HEALTH : r.health;
}
