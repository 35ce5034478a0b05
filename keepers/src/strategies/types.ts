/**
 * The strategy plug-in interface.
 *
 * A strategy is a CommonJS module exporting `createStrategy(): Strategy`. It runs in its own process
 * (see `runner.ts`) with no key, an empty environment, a heap limit and Node's permission model (read
 * access to the keeper code only; no writes, no child processes, no workers). It reads the chain
 * through `ctx.rpc` and returns intents from `onBlock`; the signer decides whether they are sent.
 *
 * @example
 * ```ts
 * export function createStrategy(): Strategy {
 *   let ctx: StrategyContext;
 *   return {
 *     async init(c) { ctx = c; },
 *     async onBlock(block) {
 *       const due = await findWork(ctx.rpc, block);
 *       return due.map((w) => ({ action: "settle", account: w.account, series: w.series.toString(), to: w.target, data: w.calldata }));
 *     },
 *   };
 * }
 * ```
 */
import type { Logger } from "../core/logger";
import type { Intent, ResultMessage } from "../core/messages";
import type { RpcClient } from "../core/rpc";

export interface StrategyContext {
  /** The instance name from the config (`strategies.<name>`). */
  readonly name: string;
  readonly chainId: bigint;
  /** Read access to the chain (the process has no key: writes go through intents). */
  readonly rpc: RpcClient;
  /** Structured logger; lines are tagged `strategy:<name>` by the supervisor. */
  readonly log: Logger;
  /** `strategies.<name>.params` from the config; validate with your own schema. */
  readonly params: unknown;
  readonly dryRun: boolean;
}

/** An intent as a strategy returns it; the runner fills `id` when omitted. */
export type IntentDraft = Omit<Intent, "id"> & { id?: string };

/** What the signer decided about an intent. */
export type IntentResult = Omit<ResultMessage, "t">;

export interface Strategy {
  /** Called once before the first block. Throwing here fails the start (the supervisor retries). */
  init(ctx: StrategyContext): Promise<void>;
  /**
   * Called for each new head (never concurrently), and again for the same head while `hasBacklog`
   * says the last call left work undone.
   */
  onBlock(blockNumber: bigint): Promise<IntentDraft[]>;
  /**
   * True while the last `onBlock` left work undone (a failed read, a capped catch-up): the runner then
   * calls `onBlock` again on its next poll instead of waiting for a new block, which on a slow chain, or
   * one that has stopped producing blocks, may be long in coming.
   */
  hasBacklog?(): boolean;
  /**
   * True when the last `onBlock` returned early on purpose (its most urgent intents first) and has more work on the
   * same block: the runner then calls `onBlock` again at once instead of after its poll interval. Implies
   * `hasBacklog`. A strategy must not keep it true after a failed read (that is what the poll interval paces).
   */
  continueNow?(): boolean;
  /** Called with each decision about an intent this strategy proposed. */
  onResult?(result: IntentResult): void;
}

/** What a strategy module exports. */
export interface StrategyModule {
  createStrategy(): Strategy;
}
