/**
 * Building blocks shared by the protocol strategies: a simulation helper, intents whose re-check is the
 * same call (the signer sends only if an `eth_call` of the exact calldata still returns what it returned
 * when the strategy decided), an in-flight set keyed like the signer's idempotency key, and a log-scan
 * cursor over bounded chunks.
 */
import { intentKey } from "../../core/messages";
import type { BlockTag, LogEntry, RpcClient } from "../../core/rpc";
import { isCallRevert } from "../../protocol/hints";
import type { IntentDraft, IntentResult } from "../types";

/** `eth_call` of `data` on `to`: the return data, or null when the call reverts. Transport errors throw. */
export async function simulate(rpc: RpcClient, to: string, data: string, blockTag: BlockTag): Promise<string | null> {
  try {
    return await rpc.call({ to, data }, blockTag);
  } catch (err) {
    if (isCallRevert(err)) return null;
    throw err;
  }
}

/**
 * An intent re-checked by running the same call: `expect` is the return data the strategy's own
 * simulation saw, so a state change in between (another keeper acted, a price moved) skips it.
 */
export function sameCallIntent(o: { action: string; account: string; series: bigint | string; to: string; data: string; returned: string; gasLimit?: number }): IntentDraft {
  return {
    action: o.action,
    account: o.account,
    series: o.series.toString(),
    to: o.to,
    data: o.data,
    gasLimit: o.gasLimit === undefined ? undefined : String(o.gasLimit),
    recheck: { to: o.to, data: o.data, expect: o.returned },
  };
}

/**
 * Keys with an intent in flight. A key stays blocked until the signer reports an outcome, or for
 * `ttlBlocks` blocks without one (a lost result must not block a key for ever; the signer's own
 * duplicate check still stops a second send of a pending key).
 */
export class InFlight {
  private readonly until = new Map<string, bigint>();
  constructor(private readonly ttlBlocks: bigint) {}

  has(key: string, block: bigint): boolean {
    const u = this.until.get(key);
    if (u === undefined) return false;
    if (u < block) {
      this.until.delete(key);
      return false;
    }
    return true;
  }

  add(intent: IntentDraft, block: bigint): void {
    this.until.set(intentKey(intent), block + this.ttlBlocks);
  }

  /** Applies a signer decision; returns true when the key is settled (confirmed on chain). */
  onResult(result: IntentResult): boolean {
    switch (result.status) {
      case "accepted":
      case "sent":
        return false;
      case "refused":
        if (result.code !== "POLICY_DUPLICATE") this.until.delete(result.key);
        return false;
      case "confirmed":
        this.until.delete(result.key);
        return true;
      default:
        this.until.delete(result.key);
        return false;
    }
  }

  get size(): number {
    return this.until.size;
  }
}

/** Scans logs forward in chunks of at most `chunk` blocks, at most `maxChunks` per call. */
export class LogCursor {
  private next: bigint;
  constructor(
    fromBlock: number,
    private readonly chunk: bigint,
    private readonly maxChunks: number,
  ) {
    this.next = BigInt(fromBlock);
  }

  /** Calls `handle` with the logs of each chunk up to `block`; a failing chunk is retried next time. */
  async advance(rpc: RpcClient, filter: { address: string; topics?: (string | string[] | null)[] }, block: bigint, handle: (logs: LogEntry[]) => void): Promise<boolean> {
    for (let i = 0; i < this.maxChunks && this.next <= block; i++) {
      const to = this.next + this.chunk - 1n < block ? this.next + this.chunk - 1n : block;
      const logs = await rpc.getLogs({ ...filter, fromBlock: this.next, toBlock: to });
      handle(logs);
      this.next = to + 1n;
    }
    return this.next > block;
  }

  get position(): bigint {
    return this.next;
  }
}
