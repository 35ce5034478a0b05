/**
 * The settler strategy: records settlement prices and settles every position once they are final.
 *
 * Discovery (engine events, bounded chunks per block): `SeriesRegistered` schedules each series in the
 * {@link ExpiryCalendar} by (underlying, expiry); `TradeApplied` records each trader as a holder of the
 * series; `PositionSettled` removes a holder. The vault is never a holder: it settles with each
 * counterparty.
 *
 * Each block, in chain time (the block's timestamp, never a wall clock):
 * 1. for every (underlying, expiry) past `expiry + settlementDelay` with no proposal, the round-id hints
 *    are built from the feeds (see `protocol/hints.ts`) and `OracleRouter.recordSettlement` is proposed
 *    when it simulates; past `expiry + fallbackDelay` with no provable rounds, the fallback is proposed;
 * 2. once the price is final (`getSettlementPrice(...).isFinal`, after the dispute window), every holder
 *    still holding a position (`positionOf`) is settled with `MarginEngine.settle(account, seriesId)`,
 *    at most `maxIntentsPerBlock` per block, lowest series first;
 * 3. right before the first `settle` of an (underlying, expiry), one `MarginEngine.recordExpiryPrice(seriesId)`
 *    copies the final price into the engine (proposed first, so it is sent first: every later settlement of
 *    the expiry reads the engine's copy, ~8.5k gas less each), unless `expiryPriceOf` says it is already
 *    there, and only when the expiry has at least `minSettlementsForPriceCopy` positions left to settle (the
 *    copy costs ~60k gas once: below ~8 settlements it costs more than it saves). Decided once per
 *    (underlying, expiry): an expiry with fewer positions, or a copy that does not simulate, reverts, is skipped or
 *    refused is not proposed again (it only saves gas: `settle` reads the router's price without it), and
 *    settlements never wait for it. Its idempotency key is (`record-expiry-price`, engine, the expiry's
 *    `settlementKeyId`), so the signer's journal holds at most one pending copy per expiry across restarts.
 * Every intent carries a re-check that repeats the exact call and expects the exact return data of the
 * strategy's own simulation, so a position settled by someone else in between is skipped, not reverted.
 * A group leaves the calendar when no holder of any of its series holds anything.
 */
import { settlerParamsSchema, type SettlerParams } from "../../core/config";
import { errorMessage } from "../../core/errors";
import { ENGINE, ROUTER, settlementKeyId } from "../../protocol/abi";
import { settlementHints } from "../../protocol/hints";
import { intentKey, RECENTLY_CONFIRMED } from "../../core/messages";
import type { IntentDraft, IntentResult, Strategy, StrategyContext } from "../types";
import { InFlight, LogCursor, sameCallIntent, simulate } from "../shared/intents";
import { ExpiryCalendar } from "./calendar";

const IN_FLIGHT_TTL_BLOCKS = 20n;
const MAX_CHUNKS_PER_BLOCK = 10;

/** Action name (idempotency key) of the copy of an expiry's final price into the engine. */
export const RECORD_EXPIRY_PRICE_ACTION = "record-expiry-price";

/**
 * Where the copy of a group's final price into the engine stands (undefined: not looked at yet).
 * `proposed`: waiting for the signer's outcome; `recorded`: in the engine; `given-up`: not proposed
 * again (did not simulate, reverted, skipped or refused), settlements read the router's price.
 */
type CopyState = "proposed" | "recorded" | "given-up";

/** The series of one (underlying, expiry): they share one settlement price. */
interface Group {
  /** Calendar id: the first series id seen for this group. */
  id: bigint;
  underlying: string;
  expiry: bigint;
  series: Set<bigint>;
  final: boolean;
  copy?: CopyState;
}

export class Settler implements Strategy {
  private ctx!: StrategyContext;
  private p!: SettlerParams;
  private cursor!: LogCursor;
  private calendar!: ExpiryCalendar;
  private settlementDelay = 0n;
  private fallbackDelay = 0n;
  private vault = "";
  private readonly groups = new Map<string, Group>();
  private readonly groupOfSeries = new Map<bigint, Group>();
  /** seriesId → accounts that may hold a position in it (lower-case). */
  readonly holders = new Map<bigint, Set<string>>();
  private readonly inFlight = new InFlight(IN_FLIGHT_TTL_BLOCKS);
  /** Idempotency key of each proposed price copy awaiting its outcome → its group. */
  private readonly copies = new Map<string, Group>();
  private readonly topics = {
    registered: ENGINE.getEvent("SeriesRegistered")!.topicHash,
    traded: ENGINE.getEvent("TradeApplied")!.topicHash,
    settled: ENGINE.getEvent("PositionSettled")!.topicHash,
  };

  async init(ctx: StrategyContext): Promise<void> {
    this.ctx = ctx;
    const parsed = settlerParamsSchema.safeParse(ctx.params);
    if (!parsed.success) throw new Error(`invalid settler params: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    this.p = parsed.data;
    this.cursor = new LogCursor(this.p.fromBlock, BigInt(this.p.logChunkBlocks), MAX_CHUNKS_PER_BLOCK);
    const params = ROUTER.decodeFunctionResult("getSettlementParams", await ctx.rpc.call({ to: this.p.router, data: ROUTER.encodeFunctionData("getSettlementParams") }))[0];
    this.settlementDelay = BigInt(params.settlementDelay);
    this.fallbackDelay = BigInt(params.fallbackDelay);
    this.calendar = new ExpiryCalendar(this.settlementDelay);
    this.vault = (ENGINE.decodeFunctionResult("vault", await ctx.rpc.call({ to: this.p.engine, data: ENGINE.encodeFunctionData("vault") }))[0] as string).toLowerCase();
  }

  async onBlock(block: bigint): Promise<IntentDraft[]> {
    try {
      await this.cursor.advance(this.ctx.rpc, { address: this.p.engine, topics: [[this.topics.registered, this.topics.traded, this.topics.settled]] }, block, (logs) => {
        for (const log of logs) this.onLog(log.topics, log.data);
      });
    } catch (err) {
      this.ctx.log.warn("event scan failed; will retry", { from: this.cursor.position, reason: errorMessage(err) });
    }
    const { timestamp } = await this.ctx.rpc.getBlock(block);
    if (!this.calendar.hasWork(timestamp)) return [];

    const intents: IntentDraft[] = [];
    const budget = this.p.maxIntentsPerBlock;
    for (const due of this.calendar.due(timestamp, this.p.maxGroupsPerBlock)) {
      if (intents.length >= budget) break;
      const group = this.groupOfSeries.get(due.seriesId);
      if (!group) continue;
      if (!group.final) {
        const price = await this.priceIntent(group, block, timestamp);
        if (price) intents.push(price);
        if (!group.final) continue;
      }
      const remaining = await this.settleIntents(group, block, budget - intents.length, intents);
      if (remaining === 0) {
        this.calendar.markSettled(group.id);
        this.groups.delete(groupKey(group.underlying, group.expiry));
        for (const s of group.series) this.holders.delete(s);
        for (const [key, g] of this.copies) if (g === group) this.copies.delete(key);
        this.ctx.log.info("expiry fully settled", { underlying: group.underlying, expiry: group.expiry, series: [...group.series].map(String) });
      }
    }
    for (const i of intents) this.inFlight.add(i, block);
    return intents;
  }

  onResult(result: IntentResult): void {
    this.inFlight.onResult(result);
    const g = this.copies.get(result.key);
    if (!g || result.status === "accepted" || result.status === "sent") return;
    this.copies.delete(result.key);
    const fields = { underlying: g.underlying, expiry: g.expiry, status: result.status, code: result.code, reason: result.reason };
    if (result.status === "confirmed" || result.code === RECENTLY_CONFIRMED) {
      // Refused as confirmed a few blocks ago: the signer's journal holds this copy's confirmation.
      g.copy = "recorded";
      this.ctx.log.info("expiry price copied into the engine", { ...fields, txHash: result.txHash });
      return;
    }
    // Not retried: the copy only saves gas, and settle reads the router's price without it. A refusal as a
    // duplicate means a copy proposed before a restart is still pending in the signer.
    g.copy = "given-up";
    this.ctx.log.warn("expiry price copy not made; not proposed again (settlements read the router's price)", fields);
  }

  /* ------------------------------------------------------------------ DISCOVERY */

  private onLog(topics: string[], data: string): void {
    const parsed = ENGINE.parseLog({ topics, data });
    if (!parsed) return;
    if (topics[0] === this.topics.registered) {
      const seriesId = parsed.args.seriesId as bigint;
      const underlying = parsed.args.underlying as string;
      const expiry = BigInt(parsed.args.expiry as bigint);
      const k = groupKey(underlying, expiry);
      let g = this.groups.get(k);
      if (!g) {
        g = { id: seriesId, underlying, expiry, series: new Set(), final: false };
        this.groups.set(k, g);
        this.calendar.add({ seriesId, expiry });
      }
      g.series.add(seriesId);
      this.groupOfSeries.set(seriesId, g);
    } else if (topics[0] === this.topics.traded) {
      const account = (parsed.args.trader as string).toLowerCase();
      if (account === this.vault) return;
      const seriesId = parsed.args.seriesId as bigint;
      let set = this.holders.get(seriesId);
      if (!set) this.holders.set(seriesId, (set = new Set()));
      set.add(account);
    } else if (topics[0] === this.topics.settled) {
      this.holders.get(parsed.args.seriesId as bigint)?.delete((parsed.args.account as string).toLowerCase());
    }
  }

  /* ------------------------------------------------------------------ SETTLEMENT PRICE */

  /** Marks the group final when its price is; otherwise proposes the price when it can be recorded. */
  private async priceIntent(g: Group, block: bigint, timestamp: bigint): Promise<IntentDraft | null> {
    const out = await this.ctx.rpc.call({ to: this.p.router, data: ROUTER.encodeFunctionData("getSettlement", [g.underlying, g.expiry]) }, block);
    const rec = ROUTER.decodeFunctionResult("getSettlement", out)[0];
    if (Number(rec.kind) !== 0) {
      if (BigInt(rec.finalAt) <= timestamp) g.final = true;
      return null;
    }
    const key = { action: "record-settlement", account: this.p.router, series: settlementKeyId(g.underlying, g.expiry) };
    if (this.inFlight.has(`${key.action}:${key.account.toLowerCase()}:${key.series}`, block)) return null;

    const { hints, verified, quorum } = await settlementHints(this.ctx.rpc, this.p.router, g.underlying, g.expiry, block);
    if (verified >= quorum) {
      const data = ROUTER.encodeFunctionData("recordSettlement", [g.underlying, g.expiry, hints]);
      const returned = await simulate(this.ctx.rpc, this.p.router, data, block);
      if (returned !== null) {
        this.ctx.log.info("settlement price due", { underlying: g.underlying, expiry: g.expiry, verified, quorum });
        return sameCallIntent({ ...key, to: this.p.router, data, returned, gasLimit: this.p.gasLimit });
      }
    }
    if (timestamp >= g.expiry + this.fallbackDelay) {
      const data = ROUTER.encodeFunctionData("proposeFallbackSettlement", [g.underlying, g.expiry]);
      const returned = await simulate(this.ctx.rpc, this.p.router, data, block);
      if (returned !== null) {
        this.ctx.log.warn("no provable rounds after the fallback delay: proposing the fallback price", { underlying: g.underlying, expiry: g.expiry, verified, quorum });
        return sameCallIntent({ ...key, action: "fallback-settlement", to: this.p.router, data, returned, gasLimit: this.p.gasLimit });
      }
    }
    this.ctx.log.warn("settlement price not recordable yet", { underlying: g.underlying, expiry: g.expiry, verified, quorum });
    return null;
  }

  /* ------------------------------------------------------------------ POSITIONS */

  /**
   * Appends settle intents for holders of `g` (at most `budget`) and returns how many holders still hold a
   * position (in flight or not yet proposed); 0 means the group is done.
   */
  private async settleIntents(g: Group, block: bigint, budget: number, out: IntentDraft[]): Promise<number> {
    let remaining = 0;
    let reads = 0;
    for (const seriesId of [...g.series].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      const set = this.holders.get(seriesId);
      if (!set) continue;
      for (const account of [...set]) {
        const key = `settle:${account}:${seriesId}`;
        if (this.inFlight.has(key, block)) {
          remaining += 1;
          continue;
        }
        if (reads >= this.p.maxReadsPerBlock || budget <= 0) {
          remaining += 1;
          continue;
        }
        reads += 1;
        const pos = ENGINE.decodeFunctionResult("positionOf", await this.ctx.rpc.call({ to: this.p.engine, data: ENGINE.encodeFunctionData("positionOf", [account, seriesId]) }, block))[0] as bigint;
        if (pos === 0n) {
          set.delete(account);
          continue;
        }
        remaining += 1;
        const data = ENGINE.encodeFunctionData("settle", [account, seriesId]);
        const returned = await simulate(this.ctx.rpc, this.p.engine, data, block);
        if (returned === null) {
          this.ctx.log.warn("settle does not simulate; will retry", { account, seriesId });
          continue;
        }
        if (g.copy === undefined) {
          const copy = await this.copyIntent(g, seriesId, block, this.positionsLeft(g));
          if (copy) {
            out.push(copy);
            budget -= 1;
            if (budget <= 0) continue; // this settlement goes next block (counted in `remaining`)
          }
        }
        out.push(sameCallIntent({ action: "settle", account, series: seriesId, to: this.p.engine, data, returned, gasLimit: this.p.gasLimit }));
        budget -= 1;
      }
    }
    return remaining;
  }

  /* ------------------------------------------------------------------ PRICE COPY */

  /** Accounts the settler knows may still hold a position in one of `g`'s series (an upper bound). */
  private positionsLeft(g: Group): number {
    let n = 0;
    for (const s of g.series) n += this.holders.get(s)?.size ?? 0;
    return n;
  }

  /**
   * Decides the copy of `g`'s final price into the engine, once: null (and `g.copy` set) when the engine
   * already holds it or the copy does not simulate; otherwise the `recordExpiryPrice(seriesId)` intent,
   * re-checked by the same call (a copy made by someone else in between is skipped by the signer).
   */
  private async copyIntent(g: Group, seriesId: bigint, block: bigint, positions: number): Promise<IntentDraft | null> {
    const fields = { underlying: g.underlying, expiry: g.expiry, seriesId, positions };
    if (positions < this.p.minSettlementsForPriceCopy) {
      g.copy = "given-up";
      this.ctx.log.info("expiry price copy not worth its gas: too few positions to settle", { ...fields, min: this.p.minSettlementsForPriceCopy });
      return null;
    }
    const held = await simulate(this.ctx.rpc, this.p.engine, ENGINE.encodeFunctionData("expiryPriceOf", [seriesId]), block);
    if (held === null) {
      g.copy = "given-up";
      this.ctx.log.warn("expiryPriceOf reverts: the engine keeps no copy of expiry prices; settling without it", fields);
      return null;
    }
    if ((ENGINE.decodeFunctionResult("expiryPriceOf", held)[0] as bigint) !== 0n) {
      g.copy = "recorded";
      return null;
    }
    const data = ENGINE.encodeFunctionData("recordExpiryPrice", [seriesId]);
    const returned = await simulate(this.ctx.rpc, this.p.engine, data, block);
    if (returned === null) {
      g.copy = "given-up";
      this.ctx.log.warn("recordExpiryPrice does not simulate; settling without the copy, not proposed again", fields);
      return null;
    }
    const intent = sameCallIntent({ action: RECORD_EXPIRY_PRICE_ACTION, account: this.p.engine, series: settlementKeyId(g.underlying, g.expiry), to: this.p.engine, data, returned, gasLimit: this.p.gasLimit });
    g.copy = "proposed";
    this.copies.set(intentKey(intent), g);
    this.ctx.log.info("expiry price copy proposed before the first settlement", fields);
    return intent;
  }
}

function groupKey(underlying: string, expiry: bigint): string {
  return `${underlying.toLowerCase()}:${expiry}`;
}

export function createStrategy(): Strategy {
  return new Settler();
}
