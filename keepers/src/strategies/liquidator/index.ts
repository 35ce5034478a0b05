/**
 * The liquidator strategy.
 *
 * Each block: (1) discovery — position events since the last scanned block, in bounded chunks (a
 * backlog is caught up over several blocks); (2) health — a bounded number of positions read in
 * batches through the lens at that block, riskiest first (see `PositionBook`); (3) intents — the
 * positions below the threshold, most under-collateralised first, at most `maxIntentsPerBlock`, each
 * with a re-check the signer runs right before sending. A position with an intent in flight is not
 * proposed again until the signer reports an outcome (or a few blocks pass without one).
 *
 * Two passes with a model source (`source: "margin-engine"`): the first pass values every account with the margin
 * model and proposes at once every account it puts clearly below the threshold (below threshold x (1 -
 * `safetyBandWad`)); the accounts inside the band, or that the model cannot value exactly, are not proposed on the
 * estimate but deferred to lens reads. When the first pass has intents, `onBlock` returns them before those reads
 * and reports `continueNow()`, so the runner calls it again at once on the same block: the second call only runs
 * the deferred reads (`HealthSource.confirm`) and proposes what they confirm. A move that makes many accounts
 * unhealthy thus costs no lens read before its liquidations are proposed; a false positive (a model estimate the
 * chain does not confirm) is caught by the signer's re-check and simulation, and on chain by `liquidateMany`'s
 * per-item skip.
 *
 * Batching (`params.batch`, with a venue that has a batch entry point): the positions are taken worst health first,
 * `itemsPerBatch` to a transaction (as many as the per-transaction gas budget fits), up to `maxIntentsPerBlock`
 * transactions; each item keeps its own re-check and its own (account, series) key, so the signer's one pending
 * action per position holds item by item, and every item's outcome frees it or sends it back to be re-read. A
 * lone position goes out as a plain `liquidate`.
 */
import { itemsPerBatch, LIQUIDATE_MANY_BASE_GAS, liquidatorParamsSchema, type LiquidatorParams } from "../../core/config";
import { errorMessage } from "../../core/errors";
import type { IntentDraft, IntentResult, Strategy, StrategyContext } from "../types";
import { intentKey, RECENTLY_CONFIRMED } from "../../core/messages";
import { PositionBook, positionId } from "./book";
import { KeeperTargetMockVenue } from "./keeper-target-mock";
import { LiquidationEngineVenue } from "./liquidation-engine";
import { ModelHealthSource } from "./model-source";
import type { HealthSource, LiquidationVenue } from "./source";

/** Log-scan chunks per block while catching up. */
const MAX_CHUNKS_PER_BLOCK = 10;
/** Pause before proposing again what a restarting signer refused. */
const SIGNER_RETRY_MS = 1_000;
/** Blocks after which an intent without an outcome no longer blocks its position. */
const IN_FLIGHT_TTL_BLOCKS = 20n;

/** Wall-clock split of one `onBlock` call (ms). */
export interface LiquidatorTimings {
  /** Event scan. */
  discoverMs: number;
  /** Every position through the source (first pass of a block only). */
  healthMs: number;
  /** Intents of the first pass (or of a repeated call before its confirmations). */
  proposeMs: number;
  /** On-chain reads of the positions near the threshold, and their intents. */
  confirmMs: number;
  totalMs: number;
  intents: number;
  firstPass: boolean;
}

export class Liquidator implements Strategy {
  private ctx!: StrategyContext;
  private params!: LiquidatorParams;
  private source!: HealthSource;
  private venue!: LiquidationVenue;
  private threshold = 0n;
  private scannedTo = -1n;
  readonly book = new PositionBook();
  /** position id → block until which it counts as in flight */
  private readonly inFlight = new Map<string, bigint>();
  /** intent key → position id (a per-account source's position is liquidated per series) */
  private readonly intentOf = new Map<string, string>();
  private currentBlock = 0n;
  /** Wall-clock time after which intents the unavailable signer refused are proposed again (0: none). */
  private retryAt = 0;
  /** Block whose positions all went through the source (the first pass); -1 before any. */
  private evaluatedAt = -1n;
  /** The last confirmation pass failed: retried on the next poll, not at once. */
  private confirmFailed = false;
  /** Where the last `onBlock` spent its time (ms), for benchmarks and status. */
  timings: LiquidatorTimings = { discoverMs: 0, healthMs: 0, proposeMs: 0, confirmMs: 0, totalMs: 0, intents: 0, firstPass: false };

  async init(ctx: StrategyContext): Promise<void> {
    this.ctx = ctx;
    const parsed = liquidatorParamsSchema.safeParse(ctx.params);
    if (!parsed.success) throw new Error(`invalid liquidator params: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    const p = parsed.data;
    if (p.source === "margin-engine") {
      // The schema requires `liquidation` with this source.
      const model = new ModelHealthSource(ctx.rpc, p.target, p.liquidation!, {
        thresholdWad: BigInt(p.healthThresholdWad),
        ...(p.safetyBandWad !== undefined ? { bandWad: BigInt(p.safetyBandWad) } : {}),
      });
      this.wire(ctx, p, model, new LiquidationEngineVenue(ctx.rpc, p.liquidation!, p.target, model));
    } else {
      const mock = new KeeperTargetMockVenue(ctx.rpc, p.target);
      this.wire(ctx, p, mock, mock);
    }
  }

  /**
   * Wires an already-validated parameter set to a health source and a venue. `init` uses it with the
   * config's venue; benchmarks and tests use it to drive the same loop over another source.
   */
  wire(ctx: StrategyContext, params: LiquidatorParams, source: HealthSource, venue: LiquidationVenue): void {
    this.ctx = ctx;
    this.params = params;
    this.threshold = BigInt(params.healthThresholdWad);
    this.scannedTo = BigInt(params.fromBlock) - 1n;
    this.source = source;
    this.venue = venue;
  }

  async onBlock(block: bigint): Promise<IntentDraft[]> {
    const t0 = performance.now();
    this.currentBlock = block;
    this.retryAt = 0;
    const scanned = this.scannedTo;
    await this.discover(block);
    const t1 = performance.now();

    // First pass of a block (or new positions found on a catch-up): every position through the source. A repeated
    // call on the same block only confirms what the first pass deferred.
    const firstPass = this.evaluatedAt !== block || this.scannedTo !== scanned;
    if (firstPass) {
      const keys = this.book.selectForRead(this.source.evaluatesEveryKey ? Math.max(this.book.size, 1) : this.params.maxReadsPerBlock);
      for (let i = 0; i < keys.length; i += this.params.batchSize) {
        const batch = keys.slice(i, i + this.params.batchSize);
        const healths = await this.source.healthOf(batch, block);
        batch.forEach((k, j) => this.book.update(k, healths[j], block));
      }
      this.evaluatedAt = block;
      this.confirmFailed = false;
    }
    const t2 = performance.now();

    let intents = await this.propose(block);
    const t3 = performance.now();
    // What the source deferred (positions near the threshold) is read on chain now, unless the first pass has
    // intents: those go out first, and the runner calls again at once for the rest (`continueNow`).
    if (this.confirmationsDue() && (intents.length === 0 || !firstPass)) {
      try {
        for (const row of await this.source.confirm!(block)) this.book.update(row.key, row.health, block);
        this.confirmFailed = false;
        intents = [...intents, ...(await this.propose(block))];
      } catch (err) {
        this.confirmFailed = true;
        this.ctx.log.warn("health confirmation failed; will retry", { block, pending: this.source.pendingConfirmations, reason: errorMessage(err) });
      }
    }
    const t4 = performance.now();
    this.timings = { discoverMs: t1 - t0, healthMs: t2 - t1, proposeMs: t3 - t2, confirmMs: t4 - t3, totalMs: t4 - t0, intents: intents.length, firstPass };
    return intents;
  }

  /** Positions the source deferred to an on-chain read at the current block. */
  private confirmationsDue(): boolean {
    return this.source.confirm !== undefined && (this.source.pendingConfirmations ?? 0) > 0;
  }

  /**
   * True when the last `onBlock` returned its first pass's intents before confirming the positions near the
   * threshold: the runner calls again at once (not after its poll interval) to confirm them on the same block.
   * False after a failed confirmation (retried on the next poll, not in a tight loop).
   */
  continueNow(): boolean {
    return this.confirmationsDue() && !this.confirmFailed;
  }

  /** Intents for the liquidatable positions of the book not in flight, worst first, batched when configured. */
  private async propose(block: bigint): Promise<IntentDraft[]> {
    for (const [id, until] of this.inFlight) if (until < block) this.inFlight.delete(id);
    for (const [k, id] of this.intentOf) if (!this.inFlight.has(id)) this.intentOf.delete(k);
    const perTx = this.batching ? itemsPerBatch(this.params.batch!) : 1;
    const picks = this.book.liquidatable(this.threshold, new Set(this.inFlight.keys()), this.params.maxIntentsPerBlock * perTx);
    if (picks.length === 0) return [];
    this.ctx.log.info("liquidatable positions", { block, count: picks.length, tracked: this.book.size, lowestHealth: picks[0].health });
    const singles: IntentDraft[] = [];
    for (const p of picks) {
      const id = positionId(p.key);
      let drafts: IntentDraft[];
      try {
        drafts = await this.venue.liquidations(p.key, block, this.params.gasLimit);
      } catch (err) {
        this.ctx.log.warn("liquidation venue read failed; will retry", { account: p.key.account, reason: errorMessage(err) });
        continue;
      }
      if (drafts.length === 0) continue;
      this.inFlight.set(id, block + IN_FLIGHT_TTL_BLOCKS);
      for (const d of drafts) {
        this.intentOf.set(intentKey(d), id);
        singles.push(d);
      }
    }
    if (!this.batching || singles.length < 2) return singles;
    const intents: IntentDraft[] = [];
    const b = this.params.batch!;
    for (let i = 0; i < singles.length; i += perTx) {
      const chunk = singles.slice(i, i + perTx);
      if (chunk.length === 1) {
        intents.push(chunk[0]);
        continue;
      }
      try {
        intents.push(this.venue.batch!(chunk, Math.min(b.maxGasPerTx, LIQUIDATE_MANY_BASE_GAS + chunk.length * b.gasPerItem)));
      } catch (err) {
        // Its items are already marked in flight: send them one by one rather than hold them back for blocks.
        this.ctx.log.warn("cannot build a batch; sending its items one by one", { items: chunk.length, reason: errorMessage(err) });
        intents.push(...chunk);
      }
    }
    return intents;
  }

  /** Liquidations go out in batches: configured, and the venue has a batch entry point. */
  private get batching(): boolean {
    return this.params.batch !== undefined && this.venue.batch !== undefined;
  }

  onResult(result: IntentResult): void {
    // key = action:account:series → the book's position id (account:series, or account:0 per account)
    const id = this.intentOf.get(result.key) ?? result.key.slice(result.key.indexOf(":") + 1);
    switch (result.status) {
      case "accepted":
      case "sent":
        return;
      case "refused":
        if (result.code === "POLICY_DUPLICATE") return; // already pending in the signer
        this.inFlight.delete(id);
        // The signer was (re)starting: propose again a second later, not only on the next block (which, on a
        // chain that is not producing blocks, may be long in coming). Paced so a long restart is no intent flood.
        if (result.code === "SIGNER_UNAVAILABLE") this.retryAt = Date.now() + SIGNER_RETRY_MS;
        // Confirmed a few blocks ago and its re-check no longer held, so this proposal came from an older health
        // read: read it again first. Still liquidatable (a partial close), it is proposed again from the fresh read.
        if (result.code === RECENTLY_CONFIRMED) this.book.invalidate(id);
        return;
      case "confirmed":
        this.inFlight.delete(id);
        this.book.invalidate(id);
        return;
      default:
        this.inFlight.delete(id);
        this.book.invalidate(id);
    }
  }

  /** Scans events up to `block` in bounded chunks; a failure leaves the cursor for the next poll. */
  private async discover(block: bigint): Promise<void> {
    let chunks = 0;
    while (this.scannedTo < block && chunks < MAX_CHUNKS_PER_BLOCK) {
      const from = this.scannedTo + 1n;
      const to = from + BigInt(this.params.logChunkBlocks) - 1n < block ? from + BigInt(this.params.logChunkBlocks) - 1n : block;
      try {
        const found = await this.source.scan(from, to);
        for (const o of found.opened) this.book.upsert(o.key, o.health);
        for (const u of found.updated) this.book.upsert(u.key, u.health);
        for (const c of found.closed) this.book.remove(c);
      } catch (err) {
        this.ctx.log.warn("event scan failed; will retry", { from, to, reason: errorMessage(err) });
        return;
      }
      this.scannedTo = to;
      chunks += 1;
    }
  }

  /**
   * Events up to the current head not yet scanned (a failed or capped scan), or an intent refused because the
   * signer was unavailable: the runner polls again.
   */
  hasBacklog(): boolean {
    return this.scannedTo < this.currentBlock || this.confirmationsDue() || (this.retryAt !== 0 && Date.now() >= this.retryAt);
  }

  /** For tests and status: the block being processed. */
  get block(): bigint {
    return this.currentBlock;
  }
}

export function createStrategy(): Strategy {
  return new Liquidator();
}
