/**
 * The executor: the one component that owns the signer's nonce.
 *
 * Pipeline of an intent (each step recorded in the journal before the next irreversible one):
 *  1. `submit`: policy check, one pending entry per idempotency key → journal `proposed`.
 *  2. Right before signing: re-check (the intent's read-only call must still return what it expects),
 *     simulation (`eth_estimateGas` from the signer: a reverting call is never signed), gas cap, fee
 *     caps (defer while the base fee is above them), spend budget.
 *  3. Sign on the next nonce → journal `signed` (with the raw bytes) → broadcast → journal `broadcast`.
 *  4. Track: a receipt with enough confirmations → `confirmed` (or `failed` if it reverted). No receipt
 *     after `replaceAfterMs`: the lowest pending nonce is replaced on the *same nonce* with fees bumped
 *     (re-checked first; if the re-check fails, a 21 000-gas self-transfer cancels it instead); higher
 *     nonces are re-sent byte for byte. A nonce taken by a transaction this keeper did not sign marks
 *     the entry `failed`.
 *
 * Batches (one transaction acting on several positions, e.g. `liquidateMany`): the entry holds every item's key
 * while pending, so an item already pending alone or in another batch refuses the whole batch (the items in the way
 * get POLICY_DUPLICATE, the others POLICY_BATCH_OVERLAP: propose them again without the duplicates). Right before
 * signing (and before a replacement or a re-send after a restart) each item's re-check runs; the batch goes out
 * while at least one item still holds, and the contract skips the items that no longer do (the LiquidationEngine
 * catches each item's failure and emits `LiquidationSkipped`) instead of reverting the batch. Every decision is
 * reported once per item key.
 *
 * After a confirmation (K-22): for `confirmedHoldBlocks` blocks after the signer recorded a key's confirmation, a new
 * intent naming that key is accepted only if its re-check (each held item's, for a batch) holds on the chain right
 * away: a new action still due after the confirmed one (a further partial liquidation) goes ahead at once, while a
 * repeat built on state older than the confirmation is refused (`POLICY_RECENTLY_CONFIRMED`; a batch naming it: the
 * other items get POLICY_BATCH_OVERLAP) and nothing is written, so the confirmed snapshot stays the key's latest in
 * the journal. The hold lives in the journal (replayed on open) and is bounded: afterwards the key goes through the
 * normal path (see `hold.ts`). While the cached head says a key is held, the head is read again before deciding,
 * so a hold that just ended costs no re-check.
 *
 * Invariants: every nonce in [chain nonce, next nonce) belongs to a pending journal entry (a nonce
 * nobody covers is filled with a cancel after `replaceAfterMs`); an entry that was ever signed is only
 * re-sent as the same bytes, replaced on its own nonce, or cancelled on its own nonce, never sent on a
 * new nonce; every transaction has value 0, gas ≤ the cap and fees ≤ the caps.
 */
import { keccak256, type Wallet } from "ethers";
import type { Attempt, Journal, JournalEntry } from "../core/journal";
import { entryKeys } from "../core/journal";
import { JournalError, KeeperError, PolicyError, RpcError, errorMessage } from "../core/errors";
import type { Logger } from "../core/logger";
import { intentKeys, RECENTLY_CONFIRMED, type DecisionStatus, type Intent, type TX_EVENTS } from "../core/messages";
import { revertData, type BlockHeader, type RpcClient } from "../core/rpc";
import { minBig, weiToGwei } from "../core/units";
import { bumpFees, quoteFees, type FeeSettings, type Fees } from "./fees";
import { confirmationHolds, holdReason } from "./hold";
import type { Policy, SpendBudget } from "./policy";

/** The pseudo-strategy owning gap-filling entries. */
export const SIGNER_OWNER = "signer";
const CANCEL_GAS = 21_000n;

export interface ExecutorResult {
  id: string;
  key: string;
  status: DecisionStatus;
  code?: string;
  reason?: string;
  txHash?: string;
}

export interface ExecutorTxEvent {
  event: (typeof TX_EVENTS)[number];
  strategy: string;
  key: string;
  hash: string;
  nonce: number;
  gasUsed?: bigint;
  feeWei?: bigint;
}

export interface ExecutorOptions {
  readonly rpc: RpcClient;
  readonly wallet: Wallet;
  readonly journal: Journal;
  readonly policy: Policy;
  readonly budget: SpendBudget;
  readonly chainId: bigint;
  readonly fees: FeeSettings;
  readonly maxGasPerTx: bigint;
  readonly estimateMarginPercent: number;
  readonly maxPendingTxs: number;
  readonly confirmations: number;
  /** Blocks after a recorded confirmation during which a new intent for the same key is refused (0: never). */
  readonly confirmedHoldBlocks: number;
  readonly recheckBlockTag: "latest" | "pending";
  readonly replaceAfterMs: number;
  readonly maxReplacements: number;
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly onResult: (strategy: string, result: ExecutorResult) => void;
  readonly onTx: (event: ExecutorTxEvent) => void;
}

export interface ExecutorStatus {
  pendingTxs: number;
  queued: number;
  nextNonce: number | null;
  balanceWei: bigint | null;
  deferred: string | null;
  head: bigint | null;
}

type BroadcastOutcome = "sent" | "known" | "nonce-used" | "underpriced" | "insufficient-funds" | "transient" | { rejected: string };

/** Stops the current tick: the node is unreachable, try again next tick. */
class TickAbort extends Error {}

export class Executor {
  readonly address: string;
  private readonly o: ExecutorOptions;
  private readonly log: Logger;
  private nextNonce: number | null = null;
  private head: bigint | null = null;
  private balance: bigint | null = null;
  private deferred: string | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private ticks = 0;
  /** Ticks an entry's nonce has been seen consumed without one of our receipts. */
  private readonly foreignSeen = new Map<string, number>();
  /** Nonces seen uncovered, and since when. */
  private readonly gapSince = new Map<number, number>();

  constructor(options: ExecutorOptions) {
    this.o = options;
    this.address = options.wallet.address;
    this.log = options.logger;
  }

  status(): ExecutorStatus {
    const pending = this.o.journal.pending();
    return {
      pendingTxs: pending.filter((e) => e.nonce !== undefined).length,
      queued: pending.filter((e) => e.state === "proposed").length,
      nextNonce: this.nextNonce,
      balanceWei: this.balance,
      deferred: this.deferred,
      head: this.head,
    };
  }

  /* ------------------------------------------------------------------ INTAKE */

  /**
   * Accepts or refuses an intent from `strategy` (already tagged by the supervisor); every decision is reported through
   * `onResult`. Decides at once, unless a key it names is inside its confirmation hold by the cached head: then the
   * head is read again first, and the returned promise settles once the decision is reported. Never rejects.
   */
  submit(strategy: string, intent: Intent): Promise<void> {
    const keys = intentKeys(intent);
    try {
      this.o.policy.check(strategy, intent);
    } catch (err) {
      const e = err as PolicyError;
      this.log.warn("intent refused by policy", { strategy, key: keys[0], to: intent.to, selector: intent.data.slice(0, 10), code: e.code, reason: e.shortMessage });
      for (const k of keys) this.o.onResult(strategy, { id: intent.id, key: k, status: "refused", code: e.code, reason: e.shortMessage });
      return Promise.resolve();
    }
    if (this.refusePending(strategy, intent, keys)) return Promise.resolve();
    if (confirmationHolds(this.o.journal, keys, this.head, this.o.confirmedHoldBlocks).length === 0) {
      this.accept(strategy, intent, keys);
      return Promise.resolve();
    }
    return this.submitAfterHeadRead(strategy, intent, keys);
  }

  /**
   * The cached head says a key is still held: read the head (the hold may have just ended), then decide again. An
   * unreadable head keeps the cached one (unknown: held). Keys are checked again for a pending entry: another intent
   * may have been accepted while the head was read.
   */
  private async submitAfterHeadRead(strategy: string, intent: Intent, keys: string[]): Promise<void> {
    let head = this.head;
    try {
      const fresh = await this.o.rpc.blockNumber();
      if (head === null || fresh > head) head = fresh;
    } catch (err) {
      this.log.warn("cannot read the head to check a confirmation hold; refusing for now", { key: keys[0], reason: errorMessage(err) });
    }
    if (this.refuseIfStopping(strategy, intent, keys) || this.refusePending(strategy, intent, keys)) return;
    const holds = confirmationHolds(this.o.journal, keys, head, this.o.confirmedHoldBlocks);
    if (holds.length === 0) {
      this.accept(strategy, intent, keys);
      return;
    }
    const inTheWay = new Set(holds.map((h) => h.key));
    if (await this.heldKeysStillHold(intent, inTheWay)) {
      // A new action, not a stale repeat: the chain says it is still due now (e.g. a further partial liquidation).
      // The re-check awaited the node: the signer may be stopping, or another intent may hold a key by now.
      if (this.refuseIfStopping(strategy, intent, keys) || this.refusePending(strategy, intent, keys)) return;
      this.log.info("intent accepted inside a confirmation hold: its re-check holds on the chain now", { strategy, key: holds[0].key, confirmedAt: holds[0].confirmedAt, head });
      this.accept(strategy, intent, keys);
      return;
    }
    this.log.info("intent refused: its key was confirmed recently", { strategy, key: holds[0].key, by: holds[0].by, confirmedAt: holds[0].confirmedAt, freeAt: holds[0].freeAt, head });
    this.refuseNamed(strategy, intent, keys, holds.map((h) => ({ key: h.key, code: RECENTLY_CONFIRMED, reason: holdReason(h, head) })), "confirmed recently");
  }

  /** Refuses the whole intent while the signer stops (true: refused): the journal may already be closed. */
  private refuseIfStopping(strategy: string, intent: Intent, keys: string[]): boolean {
    if (!this.stopped) return false;
    for (const k of keys) this.o.onResult(strategy, { id: intent.id, key: k, status: "refused", code: "SIGNER_UNAVAILABLE", reason: "the signer is stopping" });
    return true;
  }

  /**
   * Refuses an intent because of some of its keys: each of those with its own code and reason, and every other key of
   * the batch with POLICY_BATCH_OVERLAP, naming how many positions were `what`.
   */
  private refuseNamed(strategy: string, intent: Intent, keys: string[], named: { key: string; code: string; reason: string }[], what: string): void {
    const inTheWay = new Set(named.map((n) => n.key));
    for (const n of named) this.o.onResult(strategy, { id: intent.id, key: n.key, status: "refused", code: n.code, reason: n.reason });
    for (const k of keys) {
      if (inTheWay.has(k)) continue;
      this.o.onResult(strategy, { id: intent.id, key: k, status: "refused", code: "POLICY_BATCH_OVERLAP", reason: `the batch also names ${named.length} position(s) ${what}` });
    }
  }

  /**
   * Whether the re-check of every held key of `intent` holds on the chain now: then the intent is a new action for
   * the key (its effect is still due after the confirmed one), not a repeat built on older state. A held key without
   * a re-check cannot tell, so it counts as not holding. A re-check that cannot be read counts as not holding.
   */
  private async heldKeysStillHold(intent: Intent, held: ReadonlySet<string>): Promise<boolean> {
    const checks: NonNullable<Intent["recheck"]>[] = [];
    if (intent.items === undefined) {
      if (intent.recheck === undefined) return false;
      checks.push(intent.recheck);
    } else {
      const keys = intentKeys(intent);
      for (let i = 0; i < intent.items.length; i++) {
        if (!held.has(keys[i])) continue;
        const r = intent.items[i].recheck;
        if (r === undefined) return false;
        checks.push(r);
      }
    }
    try {
      return (await Promise.all(checks.map((r) => this.recheckCall(r)))).every(Boolean);
    } catch (err) {
      this.log.warn("cannot run the re-check of a recently confirmed key; refusing for now", { key: intentKeys(intent)[0], reason: errorMessage(err) });
      return false;
    }
  }

  /** Refuses the intent when a key it names is held by a pending entry (true: refused and reported). */
  private refusePending(strategy: string, intent: Intent, keys: string[]): boolean {
    const held = keys.flatMap((k) => {
      const holder = this.o.journal.holderOf(k);
      return holder === undefined ? [] : [{ key: k, code: "POLICY_DUPLICATE", reason: `an action for ${k} is already ${holder.state} (${holder.key})` }];
    });
    if (held.length === 0) return false;
    this.refuseNamed(strategy, intent, keys, held, "already pending");
    return true;
  }

  /** Records the intent as `proposed` (durable before the reply) and schedules a tick. */
  private accept(strategy: string, intent: Intent, keys: string[]): void {
    const key = keys[0];
    const reply = (status: DecisionStatus, code?: string, reason?: string) => {
      for (const k of keys) this.o.onResult(strategy, { id: intent.id, key: k, status, code, reason });
    };
    const now = Date.now();
    const entry: JournalEntry = {
      key,
      strategy,
      intentId: intent.id,
      action: intent.action,
      account: intent.account,
      series: intent.series,
      to: intent.to,
      data: intent.data,
      gasLimit: intent.gasLimit,
      recheck: intent.recheck,
      items: intent.items,
      state: "proposed",
      attempts: [],
      createdAt: now,
      updatedAt: now,
    };
    try {
      this.o.journal.write(entry);
    } catch (err) {
      reply("refused", (err as JournalError).code, errorMessage(err));
      return;
    }
    this.log.info("intent accepted", { strategy, key, intentId: intent.id, items: intent.items?.length });
    reply("accepted");
    this.kick();
  }

  /** Runs a tick soon (coalesced with one in progress). */
  kick(): void {
    setImmediate(() => void this.tick());
  }

  /** Stops after the tick in progress. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    const until = Date.now() + timeoutMs;
    while (this.running && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  /* ------------------------------------------------------------------ TICK */

  /** One pass: read the chain, settle receipts, replace stuck transactions, send queued intents. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.tickOnce();
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
    }
  }

  private async tickOnce(): Promise<void> {
    this.ticks += 1;
    try {
      const head = await this.o.rpc.getBlock("latest");
      const latestNonce = Number(await this.o.rpc.getTransactionCount(this.address, "latest"));
      if (this.nextNonce === null) await this.initNonce(latestNonce);
      this.nextNonce = Math.max(this.nextNonce ?? 0, latestNonce);
      this.head = head.number;
      await this.fillGaps(head, latestNonce);
      await this.trackInFlight(head, latestNonce);
      await this.sendQueued(head);
      if (this.balance === null || this.ticks % 10 === 0) this.balance = await this.o.rpc.getBalance(this.address);
    } catch (err) {
      if (err instanceof TickAbort || err instanceof RpcError) {
        this.log.warn("tick interrupted by the node; retrying next tick", { reason: errorMessage(err) });
        return;
      }
      if (err instanceof JournalError) {
        this.log.error("journal write failed; nothing further sent this tick", { reason: errorMessage(err) });
        return;
      }
      this.log.error("tick failed", { reason: errorMessage(err) });
    }
  }

  private async initNonce(latestNonce: number): Promise<void> {
    const pendingCount = Number(await this.o.rpc.getTransactionCount(this.address, "pending"));
    const journalMax = Math.max(-1, ...this.o.journal.pending().map((e) => e.nonce ?? -1));
    this.nextNonce = Math.max(latestNonce, pendingCount, journalMax + 1);
    this.log.info("nonce initialised", { latestNonce, pendingCount, journalMax, nextNonce: this.nextNonce, resumed: this.o.journal.pending().length });
  }

  /* ------------------------------------------------------------------ GAPS */

  /** A nonce in [chain nonce, next nonce) that no pending entry holds would block every later one. */
  private async fillGaps(head: BlockHeader, latestNonce: number): Promise<void> {
    if (this.o.dryRun || this.nextNonce === null) return;
    const covered = new Set(this.o.journal.pending().map((e) => e.nonce).filter((n): n is number => n !== undefined));
    for (const n of [...this.gapSince.keys()]) if (n < latestNonce || covered.has(n)) this.gapSince.delete(n);
    const now = Date.now();
    for (let n = latestNonce; n < this.nextNonce && n < latestNonce + this.o.maxPendingTxs * 2; n++) {
      if (covered.has(n)) continue;
      const since = this.gapSince.get(n) ?? now;
      this.gapSince.set(n, since);
      if (now - since < this.o.replaceAfterMs) continue;
      const fees = quoteFees(head.baseFeePerGas ?? 0n, this.o.fees);
      const capped: Fees = fees.ok ? fees : { maxFeePerGas: this.o.fees.maxFeePerGas, maxPriorityFeePerGas: minBig(this.o.fees.priorityFee, this.o.fees.maxFeePerGas) };
      const entry: JournalEntry = {
        key: `gap-fill:${this.address.toLowerCase()}:${n}`,
        strategy: SIGNER_OWNER,
        intentId: `gap-${n}`,
        action: "gap-fill",
        account: this.address,
        series: String(n),
        to: this.address,
        data: "0x",
        state: "signed",
        nonce: n,
        attempts: [],
        createdAt: now,
        updatedAt: now,
        reason: `nonce ${n} held by no pending entry for ${this.o.replaceAfterMs} ms`,
      };
      const a = await this.sign(entry, "cancel", capped, n, CANCEL_GAS);
      entry.attempts.push(a);
      this.o.journal.write(entry);
      this.log.warn("filling a nonce gap with a cancel", { nonce: n, hash: a.hash });
      this.gapSince.delete(n);
      await this.sendAttempt(entry, a, head, false);
    }
  }

  /* ------------------------------------------------------------------ TRACKING */

  private async trackInFlight(head: BlockHeader, latestNonce: number): Promise<void> {
    const inflight = this.o.journal
      .pending()
      .filter((e) => e.nonce !== undefined)
      .sort((a, b) => (a.nonce as number) - (b.nonce as number));
    for (const e of inflight) {
      const nonce = e.nonce as number;
      let found: { attempt: Attempt; receipt: NonNullable<Awaited<ReturnType<RpcClient["getTransactionReceipt"]>>> } | undefined;
      for (const attempt of [...e.attempts].reverse()) {
        const receipt = await this.o.rpc.getTransactionReceipt(attempt.hash);
        if (receipt) {
          found = { attempt, receipt };
          break;
        }
      }
      if (found) {
        if (head.number + 1n >= found.receipt.blockNumber + BigInt(this.o.confirmations)) this.finalize(e, found.attempt, found.receipt, head.number);
        continue;
      }
      if (latestNonce > nonce) {
        // The nonce is used but none of our hashes has a receipt. Give the node a few ticks (a receipt
        // can lag the nonce), then record that a foreign transaction took it.
        const seen = (this.foreignSeen.get(e.key) ?? 0) + 1;
        this.foreignSeen.set(e.key, seen);
        if (seen >= 3) this.finishForeign(e);
        continue;
      }
      const last = e.attempts[e.attempts.length - 1];
      if (last.broadcastAt === undefined) {
        // Signed but never (known to be) sent: a crash or a node error came between. Same bytes again.
        await this.sendAttempt(e, last, head, true);
      } else if (Date.now() - last.broadcastAt >= this.o.replaceAfterMs) {
        if (nonce === latestNonce) await this.replace(e, head);
        else await this.rebroadcast(e, last);
      }
    }
  }

  private finalize(e: JournalEntry, attempt: Attempt, r: { transactionHash: string; blockNumber: bigint; status: 0 | 1; gasUsed: bigint; effectiveGasPrice: bigint }, head: bigint): void {
    e.receipt = {
      hash: r.transactionHash,
      blockNumber: r.blockNumber.toString(),
      gasUsed: r.gasUsed.toString(),
      effectiveGasPrice: r.effectiveGasPrice.toString(),
      status: r.status,
    };
    let event: ExecutorTxEvent["event"];
    if (attempt.kind === "call") {
      e.state = r.status === 1 ? "confirmed" : "failed";
      // The confirmation hold counts from here (see hold.ts): the head now, not the receipt's block.
      if (r.status === 1) e.confirmedAtBlock = (head > r.blockNumber ? head : r.blockNumber).toString();
      if (r.status !== 1) {
        e.code = "REVERTED";
        e.reason = "mined but reverted (lost a race, or the state changed after the re-check)";
      }
      event = r.status === 1 ? "confirmed" : "reverted";
    } else {
      e.state = "failed";
      e.code = e.action === "gap-fill" ? "GAP_FILLED" : "CANCELLED";
      event = "cancelled";
    }
    this.o.journal.write(e);
    this.foreignSeen.delete(e.key);
    const feeWei = r.gasUsed * r.effectiveGasPrice;
    this.log.info(`transaction ${event}`, { key: e.key, nonce: e.nonce, hash: r.transactionHash, block: r.blockNumber, gasUsed: r.gasUsed, feeGwei: weiToGwei(feeWei) });
    this.o.onTx({ event, strategy: e.strategy, key: e.key, hash: r.transactionHash, nonce: e.nonce as number, gasUsed: r.gasUsed, feeWei });
    this.result(e, e.state === "confirmed" ? "confirmed" : "failed", r.transactionHash);
  }

  private finishForeign(e: JournalEntry): void {
    e.state = "failed";
    e.code = "NONCE_TAKEN";
    e.reason = `nonce ${e.nonce} was used by a transaction this keeper did not sign`;
    this.o.journal.write(e);
    this.foreignSeen.delete(e.key);
    this.log.error("nonce taken by a foreign transaction: is the key used elsewhere?", { key: e.key, nonce: e.nonce });
    this.o.onTx({ event: "foreign", strategy: e.strategy, key: e.key, hash: e.attempts[e.attempts.length - 1]?.hash ?? "", nonce: e.nonce as number });
    this.result(e, "failed");
  }

  private async replace(e: JournalEntry, head: BlockHeader): Promise<void> {
    const last = e.attempts[e.attempts.length - 1];
    if (e.attempts.length - 1 >= this.o.maxReplacements) {
      this.log.warn("replacement budget used up; re-sending the last attempt", { key: e.key, nonce: e.nonce });
      await this.rebroadcast(e, last);
      return;
    }
    if (last.kind === "call" && !(await this.recheck(e))) {
      await this.cancel(e, head, "the re-check no longer holds while the transaction is stuck");
      return;
    }
    const fees = bumpFees(toFees(last), head.baseFeePerGas ?? 0n, this.o.fees);
    if (!fees.ok) {
      this.log.warn("cannot bump fees under the caps; re-sending the last attempt", { key: e.key, nonce: e.nonce, reason: fees.reason });
      await this.rebroadcast(e, last);
      return;
    }
    const gasLimit = BigInt(last.gasLimit);
    try {
      this.o.budget.reserve(gasLimit * (fees.maxFeePerGas - BigInt(last.maxFeePerGas)));
    } catch (err) {
      this.deferred = errorMessage(err);
      await this.rebroadcast(e, last);
      return;
    }
    const a = await this.sign(e, last.kind, fees, e.nonce as number, gasLimit);
    e.attempts.push(a);
    e.state = "replaced";
    this.o.journal.write(e);
    this.log.info("replacing a stuck transaction on the same nonce", { key: e.key, nonce: e.nonce, old: last.hash, new: a.hash, maxFeeGwei: weiToGwei(fees.maxFeePerGas) });
    await this.sendAttempt(e, a, head, false);
  }

  /** Replaces a signed call by a 0-value self-transfer on the same nonce (21 000 gas). */
  private async cancel(e: JournalEntry, head: BlockHeader, reason: string): Promise<void> {
    const last = e.attempts[e.attempts.length - 1];
    if (last.kind === "cancel") return;
    const bumped = bumpFees(toFees(last), head.baseFeePerGas ?? 0n, this.o.fees);
    // Without room for a bump, cancel at the caps: it fills the nonce if the original never reached a
    // pool; if the original is pooled, the node rejects the cancel and the original decides the nonce.
    const fees: Fees = bumped.ok ? bumped : { maxFeePerGas: this.o.fees.maxFeePerGas, maxPriorityFeePerGas: this.o.fees.maxPriorityFeePerGas };
    const a = await this.sign(e, "cancel", fees, e.nonce as number, CANCEL_GAS);
    e.attempts.push(a);
    e.state = "replaced";
    e.reason = reason;
    this.o.journal.write(e);
    this.log.warn("cancelling on the same nonce", { key: e.key, nonce: e.nonce, reason, hash: a.hash });
    await this.sendAttempt(e, a, head, false);
  }

  private async rebroadcast(e: JournalEntry, a: Attempt): Promise<void> {
    const outcome = await this.broadcast(a.raw);
    if (outcome === "transient") throw new TickAbort("node unreachable");
    a.broadcastAt = Date.now();
    this.o.journal.write(e);
    this.o.onTx({ event: "rebroadcast", strategy: e.strategy, key: e.key, hash: a.hash, nonce: e.nonce as number });
  }

  /* ------------------------------------------------------------------ SENDING */

  private async sendQueued(head: BlockHeader): Promise<void> {
    const pending = this.o.journal.pending();
    let inflight = pending.filter((e) => e.nonce !== undefined).length;
    const queued = pending.filter((x) => x.state === "proposed");
    // Fees first: while the base fee is above the caps nothing is signed, and no re-check or
    // simulation is spent on intents that could not be sent anyway.
    const fees = quoteFees(head.baseFeePerGas ?? 0n, this.o.fees);
    let deferred: string | null = queued.length > 0 && !fees.ok ? fees.reason : null;
    for (const e of queued) {
      if (!fees.ok || this.stopped || inflight >= this.o.maxPendingTxs) break;
      try {
        this.o.policy.checkStatic(e.strategy, e);
      } catch (err) {
        this.fail(e, (err as PolicyError).code, errorMessage(err), "refused");
        continue;
      }
      if (!(await this.recheck(e))) {
        this.fail(e, "RECHECK_FAILED", "the re-check no longer holds: nothing sent", "skipped");
        continue;
      }
      let estimate: bigint;
      try {
        estimate = await this.o.rpc.estimateGas({ from: this.address, to: e.to, data: e.data, value: 0n });
      } catch (err) {
        if (err instanceof RpcError && !err.transient) {
          this.fail(e, "SIMULATION_REVERTED", `simulation reverted: ${err.shortMessage}${revertData(err) ? ` data=${revertData(err)}` : ""}`, "failed");
          continue;
        }
        throw err;
      }
      if (estimate > this.o.maxGasPerTx) {
        this.fail(e, "POLICY_GAS_CAP", `estimated gas ${estimate} exceeds the cap ${this.o.maxGasPerTx}`, "refused");
        continue;
      }
      let gasLimit = minBig((estimate * BigInt(100 + this.o.estimateMarginPercent)) / 100n, this.o.maxGasPerTx);
      if (e.gasLimit !== undefined) gasLimit = minBig(gasLimit, BigInt(e.gasLimit));
      if (gasLimit < estimate) {
        this.fail(e, "GAS_LIMIT_TOO_LOW", `the intent's gas limit ${e.gasLimit} is below the estimate ${estimate}`, "failed");
        continue;
      }
      if (this.o.dryRun) {
        this.log.info("dry-run: would sign and send", { key: e.key, to: e.to, selector: e.data.slice(0, 10), gasLimit, maxFeeGwei: weiToGwei(fees.maxFeePerGas), tipGwei: weiToGwei(fees.maxPriorityFeePerGas) });
        this.fail(e, "DRY_RUN", "dry-run: checks passed, nothing sent", "skipped");
        continue;
      }
      try {
        this.o.budget.reserve(gasLimit * fees.maxFeePerGas);
      } catch (err) {
        deferred = errorMessage(err);
        break;
      }
      const nonce = this.nextNonce as number;
      const a = await this.sign(e, "call", fees, nonce, gasLimit);
      e.nonce = nonce;
      e.attempts = [a];
      e.state = "signed";
      this.o.journal.write(e);
      this.nextNonce = nonce + 1;
      inflight += 1;
      await this.sendAttempt(e, a, head, false);
    }
    if (deferred !== this.deferred) {
      if (deferred) this.log.warn("sending deferred", { reason: deferred });
      else if (this.deferred) this.log.info("sending resumed");
    }
    this.deferred = deferred;
  }

  /** Broadcasts one attempt, re-checking first when asked; records the outcome. */
  private async sendAttempt(e: JournalEntry, a: Attempt, head: BlockHeader, recheckFirst: boolean): Promise<void> {
    if (recheckFirst && a.kind === "call" && !(await this.recheck(e))) {
      await this.cancel(e, head, "the re-check no longer holds before re-sending after a restart");
      return;
    }
    const outcome = await this.broadcast(a.raw);
    if (outcome === "transient") throw new TickAbort("node unreachable while sending");
    if (outcome === "insufficient-funds") {
      this.log.error("signer balance too low to send; will retry", { key: e.key, nonce: e.nonce, balanceWei: this.balance });
      return;
    }
    if (typeof outcome === "object") {
      this.log.error("node rejected the transaction", { key: e.key, nonce: e.nonce, hash: a.hash, reason: outcome.rejected });
      if (a.kind === "call") await this.cancel(e, head, `node rejected the transaction: ${outcome.rejected}`);
      return;
    }
    a.broadcastAt = Date.now();
    e.state = "broadcast";
    this.o.journal.write(e);
    const event = a.kind === "cancel" ? "cancel-sent" : e.attempts.length > 1 ? "replaced" : "sent";
    this.log.info(`transaction ${event}`, { key: e.key, nonce: e.nonce, hash: a.hash, outcome, maxFeeGwei: weiToGwei(BigInt(a.maxFeePerGas)), tipGwei: weiToGwei(BigInt(a.maxPriorityFeePerGas)) });
    this.o.onTx({ event, strategy: e.strategy, key: e.key, hash: a.hash, nonce: e.nonce as number });
    if (event === "sent") this.result(e, "sent", a.hash);
  }

  private async broadcast(raw: string): Promise<BroadcastOutcome> {
    try {
      await this.o.rpc.sendRawTransaction(raw);
      return "sent";
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      if (err.transient) return "transient";
      const m = err.shortMessage;
      if (/known transaction|already known|already imported/i.test(m)) return "known";
      // Nodes that mine on submission (hardhat automine) report a reverting transaction as an error
      // although it was included: it is in the chain, and its receipt will say how it ended.
      if (/VM Exception while processing transaction/i.test(m) && hasTxHash(err.rpcData)) return "known";
      if (/nonce too low|nonce has already been used/i.test(m)) return "nonce-used";
      if (/underpriced|fee too low/i.test(m)) return "underpriced";
      if (/insufficient funds/i.test(m)) return "insufficient-funds";
      if (/nonce too high/i.test(m)) return "transient";
      return { rejected: m };
    }
  }

  /**
   * The intent's read-only call, right before sending. A revert counts as "no longer holds". A batch holds while at
   * least one of its items does (each item's call; an item without one holds).
   */
  private async recheck(e: JournalEntry): Promise<boolean> {
    if (e.items) {
      const holds = await Promise.all(e.items.map((it) => (it.recheck ? this.recheckCall(it.recheck) : Promise.resolve(true))));
      const stale = holds.filter((h) => !h).length;
      if (stale > 0) this.log.info("batch items no longer hold; the contract skips them", { key: e.key, stale, items: e.items.length });
      return stale < e.items.length;
    }
    return e.recheck ? this.recheckCall(e.recheck) : true;
  }

  private async recheckCall(r: NonNullable<JournalEntry["recheck"]>): Promise<boolean> {
    try {
      const out = await this.o.rpc.call({ from: this.address, to: r.to, data: r.data }, this.o.recheckBlockTag);
      return out.toLowerCase() === r.expect.toLowerCase();
    } catch (err) {
      if (err instanceof RpcError && !err.transient) return false;
      throw err;
    }
  }

  private async sign(e: JournalEntry, kind: Attempt["kind"], fees: Fees, nonce: number, gasLimit: bigint): Promise<Attempt> {
    // Defence in depth: the policy and fee code already guarantee these; a bug there must not sign.
    if (fees.maxFeePerGas > this.o.fees.maxFeePerGas || fees.maxPriorityFeePerGas > this.o.fees.maxPriorityFeePerGas) {
      throw new KeeperError("FEE_CAP_BREACH", "Refusing to sign above the fee caps");
    }
    if (gasLimit > this.o.maxGasPerTx) throw new KeeperError("GAS_CAP_BREACH", "Refusing to sign above the gas cap");
    const raw = await this.o.wallet.signTransaction({
      type: 2,
      chainId: this.o.chainId,
      nonce,
      to: kind === "call" ? e.to : this.address,
      data: kind === "call" ? e.data : "0x",
      value: 0n,
      gasLimit,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    return {
      kind,
      hash: keccak256(raw),
      raw,
      maxFeePerGas: fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
      gasLimit: gasLimit.toString(),
      signedAt: Date.now(),
    };
  }

  /* ------------------------------------------------------------------ OUTCOMES */

  private fail(e: JournalEntry, code: string, reason: string, status: DecisionStatus): void {
    e.state = "failed";
    e.code = code;
    e.reason = reason;
    this.o.journal.write(e);
    this.log.info("intent dropped before signing", { key: e.key, code, reason });
    this.result(e, status);
  }

  /** Reports a decision to the entry's strategy, once per key it holds (each item of a batch). */
  private result(e: JournalEntry, status: DecisionStatus, txHash?: string): void {
    if (e.strategy === SIGNER_OWNER) return;
    for (const key of entryKeys(e)) this.o.onResult(e.strategy, { id: e.intentId, key, status, code: e.code, reason: e.reason, txHash });
  }
}

function hasTxHash(data: unknown): boolean {
  return data !== null && typeof data === "object" && typeof (data as { txHash?: unknown }).txHash === "string";
}

function toFees(a: Attempt): Fees {
  return { maxFeePerGas: BigInt(a.maxFeePerGas), maxPriorityFeePerGas: BigInt(a.maxPriorityFeePerGas) };
}
