/**
 * Round-id hints for `OracleRouter.recordSettlement`: per source, the first round of its Chainlink feed
 * (read through the proxy) updated at or after the expiry, packed as the adapter expects
 * (`roundId | previousRoundId << 80`, see contracts/interfaces/IChainlinkPriceSource.sol).
 *
 * Proxy round ids are `phaseId << 64 | aggregatorRoundId`; within a phase rounds are consecutive and
 * their `updatedAt` grows, so the first round at or after a timestamp is found by binary search. When
 * that round is the first of a later phase (an aggregator upgrade), the adapter also needs the last
 * round of the phase before, which is found by probing that phase (exponential then binary search), and
 * the search continues into that phase when its last round is itself at or after the timestamp.
 *
 * Every hint is then checked with an `eth_call` of the adapter's own `priceAt`; a source whose hint does
 * not verify (or whose feed has no round after the expiry yet) gets hint 0, which the router skips.
 *
 * @example
 * ```ts
 * const { hints, verified } = await settlementHints(rpc, router, underlying, expiry, block);
 * if (verified >= quorum) propose(ROUTER.encodeFunctionData("recordSettlement", [underlying, expiry, hints]));
 * ```
 */
import { RpcError } from "../core/errors";
import type { BlockTag, RpcClient } from "../core/rpc";
import { AGGREGATOR, PRICE_SOURCE, ROUTER } from "./abi";

const AGG_MASK = (1n << 64n) - 1n;
/** Largest aggregator round id probed when looking for the end of a phase (2^40 rounds). */
const MAX_PROBE = 1n << 40n;

export const roundIdOf = (phase: bigint, aggregatorRound: bigint): bigint => (phase << 64n) | aggregatorRound;

/** A feed's round reader: `updatedAt` of a round, or null when it does not exist (reverts or updatedAt 0). */
export type RoundReader = (roundId: bigint) => Promise<bigint | null>;

/** Reads rounds of `feed` over JSON-RPC at `blockTag`. */
export function rpcRoundReader(rpc: RpcClient, feed: string, blockTag: BlockTag): RoundReader {
  return async (roundId) => {
    try {
      const out = await rpc.call({ to: feed, data: AGGREGATOR.encodeFunctionData("getRoundData", [roundId]) }, blockTag);
      const r = AGGREGATOR.decodeFunctionResult("getRoundData", out);
      const updatedAt = r.updatedAt as bigint;
      return updatedAt === 0n ? null : updatedAt;
    } catch (err) {
      if (isCallRevert(err)) return null;
      throw err;
    }
  };
}

/**
 * The hint proving the first round at or after `timestamp`, given the feed's latest round id and a
 * round reader; null when no round at or after `timestamp` exists yet or no proof exists (the previous
 * phase of a phase's first round has no round at all: the router's fallback path settles then).
 */
export async function findRoundHint(read: RoundReader, latestRoundId: bigint, timestamp: bigint): Promise<bigint | null> {
  let phase = latestRoundId >> 64n;
  let last = latestRoundId & AGG_MASK;
  const latestAt = await read(latestRoundId);
  if (latestAt === null || latestAt < timestamp) return null;
  for (;;) {
    // First round of `phase` in [1, last] with updatedAt >= timestamp; `last` satisfies it.
    let lo = 1n;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      const at = await read(roundIdOf(phase, mid));
      if (at !== null && at >= timestamp) hi = mid;
      else lo = mid + 1n;
    }
    const roundId = roundIdOf(phase, lo);
    if (lo > 1n || phase <= 1n) return roundId;
    // First round of a later phase: the proof needs the last round of the phase before.
    const prevLast = await lastRoundOf(read, phase - 1n);
    if (prevLast === null) return null;
    const prevAt = await read(roundIdOf(phase - 1n, prevLast));
    if (prevAt !== null && prevAt >= timestamp) {
      phase -= 1n;
      last = prevLast;
      continue;
    }
    return roundId | (roundIdOf(phase - 1n, prevLast) << 80n);
  }
}

/** Aggregator round id of the last round of `phase`, or null when the phase has none. */
async function lastRoundOf(read: RoundReader, phase: bigint): Promise<bigint | null> {
  if ((await read(roundIdOf(phase, 1n))) === null) return null;
  let good = 1n;
  let bad = 2n;
  while (bad <= MAX_PROBE && (await read(roundIdOf(phase, bad))) !== null) {
    good = bad;
    bad *= 2n;
  }
  while (bad - good > 1n) {
    const mid = (good + bad) / 2n;
    if ((await read(roundIdOf(phase, mid))) !== null) good = mid;
    else bad = mid;
  }
  return good;
}

export interface SettlementHints {
  /** One hint per source, in source order; 0 for a source that could not be proven. */
  hints: bigint[];
  /** Sources whose hint passed the adapter's `priceAt`. */
  verified: number;
  quorum: number;
}

/** Builds and verifies the hints of every source of `underlying` for `expiry` at `blockTag`. */
export async function settlementHints(rpc: RpcClient, router: string, underlying: string, expiry: bigint, blockTag: BlockTag): Promise<SettlementHints> {
  const cfgOut = await rpc.call({ to: router, data: ROUTER.encodeFunctionData("getUnderlyingConfig", [underlying]) }, blockTag);
  const cfg = ROUTER.decodeFunctionResult("getUnderlyingConfig", cfgOut);
  const sources = cfg.sources as string[];
  const hints: bigint[] = [];
  let verified = 0;
  for (const source of sources) {
    let hint = 0n;
    try {
      const feed = PRICE_SOURCE.decodeFunctionResult("feed", await rpc.call({ to: source, data: PRICE_SOURCE.encodeFunctionData("feed") }, blockTag))[0] as string;
      const latest = AGGREGATOR.decodeFunctionResult("latestRoundData", await rpc.call({ to: feed, data: AGGREGATOR.encodeFunctionData("latestRoundData") }, blockTag));
      const found = await findRoundHint(rpcRoundReader(rpc, feed, blockTag), latest.roundId as bigint, expiry);
      if (found !== null) {
        await rpc.call({ to: source, data: PRICE_SOURCE.encodeFunctionData("priceAt", [expiry, found]) }, blockTag);
        hint = found;
        verified += 1;
      }
    } catch (err) {
      if (!isCallRevert(err)) throw err;
    }
    hints.push(hint);
  }
  return { hints, verified, quorum: Number(cfg.quorum) };
}

/**
 * True when an `eth_call` failed because the call reverted (the node answered with an error object),
 * not because the transport failed: transport failures propagate so the block is retried.
 */
export function isCallRevert(err: unknown): boolean {
  return err instanceof RpcError && !err.transient;
}
