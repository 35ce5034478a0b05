/**
 * {@link HealthSource} that keeps an off-chain replica of every account and evaluates the margin model itself
 * (`margin-model.ts`), so a block costs one `markOf` per live series instead of one lens row (~29k gas) per account.
 *
 * Discovery (every block, from `fromBlock`): the engine's `CollateralDeposited`, `CollateralWithdrawn`,
 * `TradeApplied` (the trader's position after the trade, the premium paid or received), `PositionSettled` (the
 * payout), `SeriesRegistered` (terms), `MarginParamsSet`, and the LiquidationEngine's `Liquidated` (the short closed,
 * the fee credited to the liquidator). Those are every way an account's collateral or positions change, so the
 * replica is exact; after a liquidation the account's collateral is re-synchronised from the lens once anyway (its
 * mark payment is capped by the collateral, which the replica only infers).
 *
 * Health (each block, for every tracked account): `healthOf` is the model with the engine's marks at that block, and
 * no other read. The others get the estimate; an estimate clearly below the threshold (below threshold x (1 -
 * band)) becomes an intent at once: the signer's re-check and simulation right before sending, and `liquidateMany`'s
 * per-item skip on chain, are its checks. Accounts whose estimate lies within `band` of the threshold
 * ({@link safetyBand}), or that the replica cannot price exactly (a series at or past expiry, a re-sync pending,
 * unknown terms), are reported never below the threshold ({@link provisionalHealth}) and queued; `confirm` then reads
 * them on chain through `accountHealth`, lowest estimate first, at most `maxRechecksPerBlock` per block (beyond it the
 * estimate stands in). The liquidator runs `confirm` after it has sent the first pass's intents. An underlying whose
 * `markOf` reverts (oracle FAILED) makes its accounts unpriced: never liquidatable.
 *
 * Accounts are keyed `(account, 0)` like the lens source; the vault (the counterparty of every trade) is not tracked.
 * It also answers the venue's position questions ({@link PositionHints}), so building an intent costs no read.
 */
import { DEFAULT_SAFETY_BAND_WAD, MAX_SAFETY_BAND_WAD, MIN_SAFETY_BAND_WAD } from "../../core/config";
import type { RpcClient } from "../../core/rpc";
import { ENGINE } from "../../protocol/abi";
import type { PositionKey } from "./book";
import { LIQUIDATION_ENGINE, type PositionHints } from "./liquidation-engine";
import { NO_REQUIREMENT_HEALTH, UNPRICED_HEALTH } from "./margin-engine";
import { isCallRevert } from "../../protocol/hints";
import { accountHealthOf, NO_REQUIREMENT, WAD, type MaintenanceParams, type ModelLine } from "./margin-model";
import type { DiscoveryBatch, HealthRow, HealthSource } from "./source";

/** The quote token has 6 decimals (the deployment refuses any other): 10^(18 - 6). */
const QUOTE_SCALE = 10n ** 12n;

/** Health bounds (WAD) of the safety band: estimates in [low, high) are confirmed through the lens. */
export interface SafetyBand {
  low: bigint;
  high: bigint;
}

/**
 * The band `bandWad` (relative, WAD) around `thresholdWad`: low = threshold x (1 - band) rounded down, high =
 * threshold x (1 + band) rounded down (an estimate exactly at `low` is still confirmed).
 * @throws RangeError when `bandWad` is outside the config's bounds (0.1% to 50%) or the threshold is not positive.
 */
export function safetyBand(thresholdWad: bigint, bandWad: bigint): SafetyBand {
  if (thresholdWad <= 0n) throw new RangeError(`health threshold must be positive, not ${thresholdWad}`);
  if (bandWad < MIN_SAFETY_BAND_WAD || bandWad > MAX_SAFETY_BAND_WAD) {
    throw new RangeError(`safety band ${bandWad} is outside [${MIN_SAFETY_BAND_WAD}, ${MAX_SAFETY_BAND_WAD}] (0.1% to 50% in WAD)`);
  }
  return { low: (thresholdWad * (WAD - bandWad)) / WAD, high: (thresholdWad * (WAD + bandWad)) / WAD };
}

/** Whether a model health needs a lens read before it is trusted (inside the band). */
export function inBand(estimate: bigint, band: SafetyBand): boolean {
  return estimate >= band.low && estimate < band.high;
}

interface Terms {
  underlying: string;
  strike: bigint;
  expiry: bigint;
  isCall: boolean;
}

interface Replica {
  account: string;
  collateral: bigint;
  positions: Map<bigint, bigint>;
  /** Collateral to be re-read from the lens before the estimate is trusted (after a liquidation). */
  resync: boolean;
}

interface BlockMarks {
  block: bigint;
  timestamp: bigint;
  /** series → mark per option, for live series whose underlying priced. */
  prices: Map<bigint, bigint>;
  spots: Map<string, bigint>;
  /** Underlyings whose `markOf` reverted. */
  unpriced: Set<string>;
}

export interface ModelSourceOptions {
  /** Health (WAD) below which an account is liquidatable. */
  thresholdWad: bigint;
  /**
   * Relative band (WAD) around the threshold whose accounts are read on chain (default 2%, bounds 0.1% to 50%:
   * `safetyBandWad` in the liquidator's params).
   */
  bandWad?: bigint;
  /** On-chain reads per block (default 200). */
  maxRechecksPerBlock?: number;
  /** Concurrent `accountHealth` calls (default 8). */
  concurrency?: number;
}

export class ModelHealthSource implements HealthSource, PositionHints {
  readonly evaluatesEveryKey = true;
  private readonly accounts = new Map<string, Replica>();
  private readonly terms = new Map<bigint, Terms>();
  private params: MaintenanceParams | null = null;
  private vault: string | null = null;
  private marks: BlockMarks | null = null;
  private rechecksLeft = 0;
  /** Estimates inside it are confirmed through the lens before they count. */
  readonly band: SafetyBand;
  private readonly topics: string[];
  /** Accounts evaluated by the model, and the time spent (ms), since construction. */
  readonly stats = { evaluated: 0, evalMs: 0, rechecked: 0, confirmMs: 0, markCalls: 0 };
  /** Accounts of the block last evaluated that wait for a lens read (band, re-sync, inexact model), by account id. */
  private readonly pending = new Map<string, { key: PositionKey; estimate: bigint | null }>();

  constructor(
    private readonly rpc: RpcClient,
    readonly engine: string,
    readonly liquidation: string,
    private readonly o: ModelSourceOptions,
  ) {
    this.band = safetyBand(o.thresholdWad, o.bandWad ?? DEFAULT_SAFETY_BAND_WAD);
    this.topics = ["CollateralDeposited", "CollateralWithdrawn", "TradeApplied", "PositionSettled", "SeriesRegistered", "MarginParamsSet"].map((n) => ENGINE.getEvent(n)!.topicHash);
  }

  get size(): number {
    return this.accounts.size;
  }

  /* ------------------------------------------------------------------ DISCOVERY */

  async scan(fromBlock: bigint, toBlock: bigint): Promise<DiscoveryBatch> {
    // The vault is wired once and for ever: read it at the head (a chunk may end before the engine existed).
    if (this.vault === null) this.vault = (ENGINE.decodeFunctionResult("vault", await this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("vault") }, "latest"))[0] as string).toLowerCase();
    const [engineLogs, liqLogs] = await Promise.all([
      this.rpc.getLogs({ address: this.engine, topics: [this.topics], fromBlock, toBlock }),
      this.rpc.getLogs({ address: this.liquidation, topics: [LIQUIDATION_ENGINE.getEvent("Liquidated")!.topicHash], fromBlock, toBlock }),
    ]);
    const logs = [...engineLogs, ...liqLogs].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
    const batch: DiscoveryBatch = { opened: [], updated: [], closed: [] };
    const touch = (account: string): Replica | null => {
      const id = account.toLowerCase();
      if (id === this.vault) return null;
      let r = this.accounts.get(id);
      if (!r) {
        r = { account, collateral: 0n, positions: new Map(), resync: false };
        this.accounts.set(id, r);
        batch.opened.push({ key: { account, series: 0n } });
      }
      return r;
    };
    for (const log of logs) {
      if (log.address.toLowerCase() === this.liquidation.toLowerCase()) {
        const ev = LIQUIDATION_ENGINE.parseLog({ topics: log.topics, data: log.data });
        if (!ev) continue;
        const r = touch(ev.args.account as string);
        if (r) {
          const series = BigInt(ev.args.seriesId);
          const left = (r.positions.get(series) ?? 0n) + BigInt(ev.args.closed);
          if (left === 0n) r.positions.delete(series);
          else r.positions.set(series, left);
          r.resync = true; // the mark paid is capped by a collateral the replica only infers
        }
        const fee = BigInt(ev.args.fee);
        const l = touch(ev.args.liquidator as string);
        if (l && fee > 0n) l.collateral += fee;
        continue;
      }
      const ev = ENGINE.parseLog({ topics: log.topics, data: log.data });
      if (!ev) continue;
      switch (ev.name) {
        case "CollateralDeposited": {
          const r = touch(ev.args.account as string);
          if (r) r.collateral += BigInt(ev.args.amount);
          break;
        }
        case "CollateralWithdrawn": {
          const r = touch(ev.args.account as string);
          if (r) r.collateral -= BigInt(ev.args.amount);
          break;
        }
        case "TradeApplied": {
          const r = touch(ev.args.trader as string);
          if (!r) break;
          const series = BigInt(ev.args.seriesId);
          const position = BigInt(ev.args.traderPosition);
          if (position === 0n) r.positions.delete(series);
          else r.positions.set(series, position);
          // A buyer pays the premium to the vault, a seller receives it.
          r.collateral += BigInt(ev.args.amount) > 0n ? -BigInt(ev.args.premium) : BigInt(ev.args.premium);
          break;
        }
        case "PositionSettled": {
          const r = touch(ev.args.account as string);
          if (!r) break;
          r.positions.delete(BigInt(ev.args.seriesId));
          r.collateral += BigInt(ev.args.payout);
          break;
        }
        case "SeriesRegistered":
          this.terms.set(BigInt(ev.args.seriesId), {
            underlying: (ev.args.underlying as string).toLowerCase(),
            strike: BigInt(ev.args.strike),
            expiry: BigInt(ev.args.expiry),
            isCall: ev.args.isCall as boolean,
          });
          break;
        case "MarginParamsSet":
          this.params = null; // re-read at the next evaluation
          break;
      }
    }
    return batch;
  }

  private async readParams(block: bigint): Promise<void> {
    const [p] = ENGINE.decodeFunctionResult("marginParams", await this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("marginParams") }, block));
    this.params = { maintenanceShock: BigInt(p.maintenanceShock), maintenanceMinCharge: BigInt(p.maintenanceMinCharge), scale: QUOTE_SCALE };
  }

  /* ------------------------------------------------------------------ HEALTH */

  async healthOf(keys: PositionKey[], block: bigint): Promise<bigint[]> {
    if (this.params === null) await this.readParams(block);
    const marks = await this.marksAt(block);
    const t0 = performance.now();
    const out: bigint[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const id = keys[i].account.toLowerCase();
      const r = this.accounts.get(id);
      if (!r) {
        out[i] = NO_REQUIREMENT_HEALTH;
        continue;
      }
      const e = this.estimate(r, marks);
      if (e === "unpriced") out[i] = UNPRICED_HEALTH;
      else if (e === null || r.resync || inBand(e, this.band)) {
        // To be confirmed through the lens; until then never below the threshold.
        this.pending.set(id, { key: keys[i], estimate: e });
        out[i] = provisionalHealth(e, this.o.thresholdWad);
      } else out[i] = bookHealthOf(e);
    }
    this.stats.evaluated += keys.length;
    this.stats.evalMs += performance.now() - t0;
    return out;
  }

  get pendingConfirmations(): number {
    return this.pending.size;
  }

  async confirm(block: bigint): Promise<HealthRow[]> {
    if (this.marks?.block !== block) {
      this.pending.clear(); // estimates of an older block: the next evaluation queues them again
      return [];
    }
    const t0 = performance.now();
    const rank = (x: bigint | null) => (x === null ? -1n : x);
    // Lowest estimate first; the ones the model cannot price exactly first of all.
    const queue = [...this.pending.values()].sort((a, b) => (rank(a.estimate) < rank(b.estimate) ? -1 : rank(a.estimate) > rank(b.estimate) ? 1 : 0));
    const reads = queue.slice(0, Math.max(0, this.rechecksLeft));
    // Beyond this block's budget: the estimate stands in (a re-sync or an exact read stays due at the next block).
    const rows: HealthRow[] = queue.slice(reads.length).map((w) => ({ key: w.key, health: w.estimate === null ? UNPRICED_HEALTH : bookHealthOf(w.estimate) }));
    const concurrency = this.o.concurrency ?? 8;
    for (let j = 0; j < reads.length; j += concurrency) {
      const part = reads.slice(j, j + concurrency);
      const answers = await Promise.all(part.map((w) => this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("accountHealth", [w.key.account]) }, block)));
      part.forEach((w, k) => {
        const [row] = ENGINE.decodeFunctionResult("accountHealth", answers[k]);
        const r = this.accounts.get(w.key.account.toLowerCase());
        if (r) {
          r.collateral = BigInt(row.collateral);
          r.resync = false;
        }
        const h = BigInt(row.health);
        rows.push({ key: w.key, health: !row.priced ? UNPRICED_HEALTH : h === NO_REQUIREMENT ? NO_REQUIREMENT_HEALTH : h });
      });
    }
    // Only once every read has answered: a failed read leaves the whole queue for the retry.
    this.rechecksLeft -= reads.length;
    this.stats.rechecked += reads.length;
    this.stats.confirmMs += performance.now() - t0;
    this.pending.clear();
    return rows;
  }

  /** The model's health, "unpriced" when an underlying it needs failed, null when it cannot be exact. */
  private estimate(r: Replica, m: BlockMarks): bigint | "unpriced" | null {
    if (this.params === null) return null;
    const lines: ModelLine[] = [];
    for (const [series, amount] of r.positions) {
      const t = this.terms.get(series);
      if (!t) return null;
      if (m.unpriced.has(t.underlying)) return "unpriced";
      const price = m.prices.get(series);
      if (price === undefined) return null; // at or past expiry: settlement rules the mark
      lines.push({ amount, strike: t.strike, isCall: t.isCall, price, underlying: t.underlying });
    }
    return accountHealthOf(r.collateral, lines, m.spots, this.params).health;
  }

  /** One `markOf` per live series held by a tracked account, once per block. */
  private async marksAt(block: bigint): Promise<BlockMarks> {
    if (this.marks?.block === block) return this.marks;
    this.pending.clear();
    this.rechecksLeft = this.o.maxRechecksPerBlock ?? 200;
    const timestamp = (await this.rpc.getBlock(block)).timestamp;
    const held = new Set<bigint>();
    for (const r of this.accounts.values()) for (const s of r.positions.keys()) held.add(s);
    const m: BlockMarks = { block, timestamp, prices: new Map(), spots: new Map(), unpriced: new Set() };
    for (const series of held) {
      let t = this.terms.get(series);
      if (!t) {
        const [s] = ENGINE.decodeFunctionResult("getSeries", await this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("getSeries", [series]) }, block));
        t = { underlying: (s.underlying as string).toLowerCase(), strike: BigInt(s.strike), expiry: BigInt(s.expiry), isCall: s.isCall as boolean };
        this.terms.set(series, t);
      }
      if (t.expiry <= timestamp || m.unpriced.has(t.underlying)) continue;
      try {
        this.stats.markCalls += 1;
        const [mark] = ENGINE.decodeFunctionResult("markOf", await this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("markOf", [series]) }, block));
        m.prices.set(series, BigInt(mark.price));
        m.spots.set(t.underlying, BigInt(mark.spot));
      } catch (err) {
        if (!isCallRevert(err)) throw err;
        m.unpriced.add(t.underlying);
      }
    }
    this.marks = m;
    return m;
  }

  /* ------------------------------------------------------------------ POSITION HINTS */

  positionsOf(account: string): { series: bigint; amount: bigint }[] | undefined {
    const r = this.accounts.get(account.toLowerCase());
    return r ? [...r.positions].map(([series, amount]) => ({ series, amount })) : undefined;
  }

  termsOf(series: bigint): { strike: bigint; expiry: bigint } | undefined {
    return this.terms.get(series);
  }

  /** Chain time of the block last evaluated. */
  timestampOf(block: bigint): bigint | undefined {
    return this.marks?.block === block ? this.marks.timestamp : undefined;
  }
}

/** The book's number for a model health: the engine's "no requirement" mapped as the lens source maps it. */
function bookHealthOf(e: bigint): bigint {
  return e === NO_REQUIREMENT ? NO_REQUIREMENT_HEALTH : e;
}

/**
 * The book's number for an account waiting for its lens read: never below `threshold` (nothing is proposed on an
 * unconfirmed estimate inside the band), unpriced when the model cannot value it at all.
 */
export function provisionalHealth(estimate: bigint | null, threshold: bigint): bigint {
  if (estimate === null) return UNPRICED_HEALTH;
  const h = bookHealthOf(estimate);
  return h < threshold ? threshold : h;
}
