/**
 * {@link LiquidationVenue} over the protocol's `LiquidationEngine` (contracts/liquidation), paired with the
 * MarginEngine health source (`margin-engine.ts`), which reports health per account (key `(account, 0)`).
 *
 * For an account below the threshold the venue reads its positions at the block, picks ONE short to close
 * (the largest by notional, amount x strike, among the series not yet expired) and sizes the amount by the
 * engine's policy: `closeFactor` of the short (rounded up), or the whole short when the rest would be under
 * `dustAmount`. The engine clips the amount again by the same rule (and closes an insolvent account's whole
 * short whatever is asked), so the sizing only avoids asking for more than one call may take. One short per
 * account per round: the liquidation must leave the account healthier, and a second intent built on the same
 * pre-liquidation state could revert once the first has restored it. When the first lands the liquidator
 * re-reads the account and proposes the next short if it is still unhealthy.
 *
 * Re-check: `positionOf(account, series)` must still return the short the venue saw. A liquidation by anyone
 * (this keeper's earlier intent, another keeper), a settlement or a trade in between changes it, and the signer
 * then skips the intent for the price of one `eth_call`; a position that is unchanged but no longer
 * liquidatable (a deposit) fails the signer's gas estimation and is not signed either.
 *
 * Batches ({@link LiquidationEngineVenue.batch}): the liquidator packs these single-item intents, worst health first,
 * into one `liquidateMany(items)` intent that lists every item with its own re-check. The signer holds each item's
 * (account, series) key while the batch is pending, re-checks every item right before sending and sends while one
 * still holds. On chain `liquidateMany` runs each item in its own call and catches its failure (an item already
 * liquidated by someone else, or an account made healthy meanwhile, emits `LiquidationSkipped` and costs only its
 * failed call), so one stale item never reverts the others; the liquidator re-reads every item after the outcome
 * and proposes again what is still unhealthy.
 *
 * Signer policy: allow the liquidation engine's {@link LIQUIDATION_ENGINE_FUNCTIONS}.liquidate
 * (`liquidate(address,uint256,uint256)`), and `.liquidateMany` when the liquidator batches (`params.batch`; the
 * config refuses a batching liquidator whose policy lacks it).
 */
import { Interface } from "ethers";
import type { RpcClient } from "../../core/rpc";
import { ENGINE } from "../../protocol/abi";
import type { IntentDraft } from "../types";
import type { PositionKey } from "./book";
import { WAD } from "./margin-model";
import type { LiquidationVenue } from "./source";

/** The functions of the liquidation engine a liquidator's policy needs (canonical signatures). */
export const LIQUIDATION_ENGINE_FUNCTIONS = {
  liquidate: "liquidate(address,uint256,uint256)",
  liquidateMany: "liquidateMany((address,uint256,uint256)[])",
} as const;

const PARAMS = "tuple(uint64 closeFactor, uint64 dustAmount, uint64 penaltyRate, uint64 baseFeeRate, uint64 feeSlopePerSecond, uint64 maxFeeRate, uint64 insuranceShare, uint32 maxSpotAge)";

export const LIQUIDATION_ENGINE = new Interface([
  "function liquidate(address account, uint256 seriesId, uint256 amount) returns (tuple(uint256 closed, uint256 markValue, uint256 fee, uint256 penalty, uint256 insuranceCover, uint256 badDebt, uint256 healthBefore, uint256 healthAfter) outcome)",
  "function liquidateMany(tuple(address account, uint256 seriesId, uint256 amount)[] items) returns (uint256 done)",
  `function params() view returns (${PARAMS})`,
  "function MAX_BATCH() view returns (uint256)",
  "event Liquidated(address indexed account, uint256 indexed seriesId, address indexed liquidator, uint256 closed, uint256 markValue, uint256 penalty, uint256 fee, uint256 insuranceCover, uint256 badDebt, uint256 healthBefore, uint256 healthAfter)",
  "event LiquidationSkipped(address indexed account, uint256 indexed seriesId, bytes reason)",
]);

/** The engine's `MAX_BATCH`. */
const MAX_BATCH = 20;

/** The part of the liquidation policy that sizes an amount. */
export interface ClosePolicy {
  closeFactor: bigint;
  dustAmount: bigint;
}

/**
 * Options to ask for when closing part of a short of `short` options (magnitude): `closeFactor` of it rounded
 * up, or all of it when the short or the rest would be below `dustAmount` (the engine's own rule).
 */
export function sizeClose(short: bigint, policy: ClosePolicy): bigint {
  if (short <= 0n) return 0n;
  const part = (short * policy.closeFactor + WAD - 1n) / WAD;
  const amount = part > short ? short : part;
  return short - amount < policy.dustAmount ? short : amount;
}

/* ------------------------------------------------------------------ CALLDATA */
// The venue builds up to a thousand intents in the block after a price move: its three fixed-shape calls are encoded
// by hand (static ABI words, hex concatenation), not through the generic coder, which cost ~1.5 ms an intent there.
// The unit tests hold each encoder equal to ethers' `Interface` encoding.

/** The selector of `liquidate(address,uint256,uint256)`. */
const LIQUIDATE_SELECTOR = LIQUIDATION_ENGINE.getFunction("liquidate")!.selector;
const LIQUIDATE_MANY_SELECTOR = LIQUIDATION_ENGINE.getFunction("liquidateMany")!.selector;
const POSITION_OF_SELECTOR = ENGINE.getFunction("positionOf")!.selector;
/** Hex length of `liquidate` calldata: "0x", the selector, three words. */
const LIQUIDATE_HEX_LENGTH = 2 + 8 + 3 * 64;
const UINT256_LIMIT = 1n << 256n;
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** One ABI word of an unsigned integer. @throws RangeError outside [0, 2^256). */
function uintWord(x: bigint): string {
  if (x < 0n || x >= UINT256_LIMIT) throw new RangeError(`${x} does not fit a uint256`);
  return x.toString(16).padStart(64, "0");
}

/** One ABI word of a signed integer (two's complement). @throws RangeError outside int256. */
export function int256Word(x: bigint): string {
  if (x < -(UINT256_LIMIT >> 1n) || x >= UINT256_LIMIT >> 1n) throw new RangeError(`${x} does not fit an int256`);
  return uintWord(x < 0n ? UINT256_LIMIT + x : x);
}

/** One ABI word of an address. @throws Error when `a` is not 0x and 40 hex digits. */
function addressWord(a: string): string {
  if (!ADDRESS_RE.test(a)) throw new Error(`malformed address "${a}"`);
  return a.slice(2).toLowerCase().padStart(64, "0");
}

/** Calldata of `liquidate(account, seriesId, amount)`. */
export function encodeLiquidate(account: string, seriesId: bigint, amount: bigint): string {
  return LIQUIDATE_SELECTOR + addressWord(account) + uintWord(seriesId) + uintWord(amount);
}

/** Calldata of the MarginEngine's `positionOf(account, seriesId)` (the venue's re-check). */
export function encodePositionOf(account: string, seriesId: bigint): string {
  return POSITION_OF_SELECTOR + addressWord(account) + uintWord(seriesId);
}

/**
 * Calldata of `liquidateMany(items)`; at most the contract's `MAX_BATCH` (20) items. An array of static tuples: the
 * offset of the array (one word, 0x20), its length, then each item's three words in place.
 */
export function encodeLiquidateMany(items: { account: string; seriesId: bigint; amount: bigint }[]): string {
  let out = LIQUIDATE_MANY_SELECTOR + uintWord(32n) + uintWord(BigInt(items.length));
  for (const i of items) out += addressWord(i.account) + uintWord(i.seriesId) + uintWord(i.amount);
  return out;
}

/**
 * The arguments of `liquidate` calldata, read from their fixed offsets.
 * @throws Error when `data` is not `liquidate(address,uint256,uint256)` calldata of exactly three words.
 */
export function decodeLiquidate(data: string): { account: string; seriesId: bigint; amount: bigint } {
  if (data.length !== LIQUIDATE_HEX_LENGTH || data.slice(0, 10).toLowerCase() !== LIQUIDATE_SELECTOR || !/^0x[0-9a-fA-F]*$/.test(data)) {
    throw new Error(`not liquidate(address,uint256,uint256) calldata: ${data.slice(0, 10)}, ${data.length} hex characters`);
  }
  if (!/^0{24}$/.test(data.slice(10, 34))) throw new Error("liquidate calldata: the account word has high bits set");
  return { account: `0x${data.slice(34, 74)}`, seriesId: BigInt(`0x${data.slice(74, 138)}`), amount: BigInt(`0x${data.slice(138, 202)}`) };
}

/**
 * One `liquidateMany` intent from single-item `liquidate` intents (as {@link LiquidationEngineVenue.liquidations}
 * builds them), in their order: each becomes an item with its amount and its re-check. A single draft is returned
 * unchanged (no batch of one).
 * @throws Error when a draft is not a `liquidate` call to `liquidation`, or there are more than `MAX_BATCH` (20).
 */
export function batchLiquidations(liquidation: string, drafts: IntentDraft[], gasLimit: number): IntentDraft {
  if (drafts.length === 0 || drafts.length > MAX_BATCH) throw new Error(`a batch holds 1 to ${MAX_BATCH} liquidations, not ${drafts.length}`);
  if (drafts.length === 1) return drafts[0];
  const items = drafts.map((d) => {
    if (d.to.toLowerCase() !== liquidation.toLowerCase() || d.data.slice(0, 10).toLowerCase() !== LIQUIDATE_SELECTOR) {
      throw new Error(`not a liquidate() call to ${liquidation}: ${d.to} ${d.data.slice(0, 10)}`);
    }
    return decodeLiquidate(d.data);
  });
  return {
    action: drafts[0].action,
    account: drafts[0].account,
    series: drafts[0].series,
    to: drafts[0].to,
    data: encodeLiquidateMany(items),
    gasLimit: String(gasLimit),
    items: drafts.map((d) => ({ account: d.account, series: d.series, ...(d.recheck ? { recheck: d.recheck } : {}) })),
  };
}

interface SeriesTerms {
  strike: bigint;
  expiry: bigint;
}

/**
 * What a health source that replicates accounts off chain can tell the venue, so that building an intent costs no
 * read (`model-source.ts` implements it). Each answer may be undefined: the venue then reads the chain.
 */
export interface PositionHints {
  positionsOf(account: string): { series: bigint; amount: bigint }[] | undefined;
  termsOf(series: bigint): SeriesTerms | undefined;
  timestampOf(block: bigint): bigint | undefined;
}

/** Re-read the policy at most this often (blocks): RISK may change it, within its bounds. */
const POLICY_TTL_BLOCKS = 50n;

export class LiquidationEngineVenue implements LiquidationVenue {
  private policy: ClosePolicy | null = null;
  private policyAt = -1n;
  private readonly series = new Map<bigint, SeriesTerms>();

  constructor(
    private readonly rpc: RpcClient,
    /** The LiquidationEngine. */
    readonly liquidation: string,
    /** The MarginEngine (positions, series terms). */
    readonly engine: string,
    private readonly hints?: PositionHints,
  ) {}

  batch(drafts: IntentDraft[], gasLimit: number): IntentDraft {
    return batchLiquidations(this.liquidation, drafts, gasLimit);
  }

  async liquidations(key: PositionKey, block: bigint, gasLimit?: number): Promise<IntentDraft[]> {
    const policy = await this.policyAt_(block);
    const positions = this.hints?.positionsOf(key.account) ?? (await this.readPositions(key.account, block));
    const now = this.hints?.timestampOf(block) ?? (await this.rpc.getBlock(block)).timestamp;
    let best: { series: bigint; short: bigint; notional: bigint } | null = null;
    for (const { series, amount } of positions) {
      if (amount >= 0n) continue;
      const terms = this.hints?.termsOf(series) ?? (await this.terms(series, block));
      if (terms.expiry <= now) continue; // settlement, not liquidation, closes it
      const notional = -amount * terms.strike;
      if (best === null || notional > best.notional) best = { series, short: -amount, notional };
    }
    if (best === null) return [];
    const amount = sizeClose(best.short, policy);
    return [
      {
        action: "liquidate",
        account: key.account,
        series: best.series.toString(),
        to: this.liquidation,
        data: encodeLiquidate(key.account, best.series, amount),
        gasLimit: gasLimit === undefined ? undefined : String(gasLimit),
        recheck: {
          to: this.engine,
          data: encodePositionOf(key.account, best.series),
          expect: `0x${int256Word(-best.short)}`,
        },
      },
    ];
  }

  private async readPositions(account: string, block: bigint): Promise<{ series: bigint; amount: bigint }[]> {
    const [ids, amounts] = ENGINE.decodeFunctionResult(
      "positionsOf",
      await this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("positionsOf", [account]) }, block),
    ) as unknown as [bigint[], bigint[]];
    return ids.map((id, i) => ({ series: BigInt(id), amount: BigInt(amounts[i]) }));
  }

  private async policyAt_(block: bigint): Promise<ClosePolicy> {
    if (this.policy === null || block - this.policyAt >= POLICY_TTL_BLOCKS || block < this.policyAt) {
      const out = await this.rpc.call({ to: this.liquidation, data: LIQUIDATION_ENGINE.encodeFunctionData("params") }, block);
      const [p] = LIQUIDATION_ENGINE.decodeFunctionResult("params", out);
      this.policy = { closeFactor: BigInt(p.closeFactor), dustAmount: BigInt(p.dustAmount) };
      this.policyAt = block;
    }
    return this.policy;
  }

  private async terms(series: bigint, block: bigint): Promise<SeriesTerms> {
    let t = this.series.get(series);
    if (!t) {
      const out = await this.rpc.call({ to: this.engine, data: ENGINE.encodeFunctionData("getSeries", [series]) }, block);
      const [s] = ENGINE.decodeFunctionResult("getSeries", out);
      t = { strike: BigInt(s.strike), expiry: BigInt(s.expiry) };
      this.series.set(series, t); // series terms never change
    }
    return t;
  }
}
