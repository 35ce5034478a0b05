/**
 * The two small interfaces the liquidator needs from the protocol, one file per implementation:
 * `keeper-target-mock.ts` (the test double, both), `margin-engine.ts` (health from the MarginEngine lens)
 * with `liquidation-engine.ts` (the LiquidationEngine venue).
 */
import type { IntentDraft } from "../types";
import type { PositionKey } from "./book";

/** Events found in a block range. */
export interface DiscoveryBatch {
  /** New positions, with a health hint when the event carries one. */
  opened: { key: PositionKey; health?: bigint }[];
  updated: { key: PositionKey; health: bigint }[];
  closed: PositionKey[];
}

/** One position's health, as a confirmation pass reports it. */
export interface HealthRow {
  key: PositionKey;
  health: bigint;
}

export interface HealthSource {
  /** Position events in [fromBlock, toBlock]. */
  scan(fromBlock: bigint, toBlock: bigint): Promise<DiscoveryBatch>;
  /**
   * True when `healthOf` costs (almost) nothing per key (an off-chain model): the liquidator then passes every
   * tracked key each block instead of `maxReadsPerBlock` of them.
   */
  readonly evaluatesEveryKey?: boolean;
  /** Health of each key at `block` (one call per batch); `CLOSED_HEALTH` for positions that are gone. */
  healthOf(keys: PositionKey[], block: bigint): Promise<bigint[]>;
  /**
   * Present on a source whose `healthOf` answers from a model and defers the positions it cannot trust (near the
   * threshold) to an on-chain read: `healthOf` reports those never below the threshold, and queues them. The
   * number queued by the last `healthOf` at the current block.
   */
  readonly pendingConfirmations?: number;
  /**
   * Reads the queued positions on chain at `block` (bounded per block) and returns their health; empties the
   * queue, or leaves it whole when a read fails (the error is thrown). Nothing when the queue is of another block.
   */
  confirm?(block: bigint): Promise<HealthRow[]>;
}

export interface LiquidationVenue {
  /**
   * The intents that liquidate `key` as of `block` (none when there is nothing the venue can close), each with
   * the re-check the signer runs right before sending. The intent's (account, series) may be finer than the
   * key's: a per-account health source (series 0) gets intents naming the series closed.
   */
  liquidations(key: PositionKey, block: bigint, gasLimit?: number): Promise<IntentDraft[]>;
  /**
   * Present when the venue has a batch entry point: one intent acting on every draft `liquidations` returned (in
   * order, at most the entry point's limit), with `gasLimit`, listing each as an item with its re-check.
   */
  batch?(drafts: IntentDraft[], gasLimit: number): IntentDraft;
}
