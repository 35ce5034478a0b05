/**
 * EIP-1559 fees under hard caps. Nothing is ever signed above `maxFeePerGas` or
 * `maxPriorityFeePerGas`; when the base fee alone leaves no room under the cap, sending is deferred.
 *
 * @example
 * ```ts
 * const q = quoteFees(baseFee, settings);
 * if (!q.ok) defer(q.reason);
 * ```
 */
import { bumpUp, maxBig, minBig, weiToGwei } from "../core/units";

export interface FeeSettings {
  /** Tip offered on a first attempt. */
  readonly priorityFee: bigint;
  /** Hard cap of the tip. */
  readonly maxPriorityFeePerGas: bigint;
  /** Hard cap of the max fee per gas. */
  readonly maxFeePerGas: bigint;
  /** maxFeePerGas = baseFee × multiplier + tip (headroom for rising base fees), then capped. */
  readonly baseFeeMultiplier: number;
  /** Percentage each replacement raises both fees by (nodes require at least 10). */
  readonly bumpPercent: number;
}

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

export type FeeQuote = ({ ok: true } & Fees) | { ok: false; reason: string };

/** Fees for a first attempt, or a deferral when the base fee plus tip exceeds the cap. */
export function quoteFees(baseFee: bigint, s: FeeSettings): FeeQuote {
  const tip = minBig(s.priorityFee, s.maxPriorityFeePerGas);
  if (baseFee + tip > s.maxFeePerGas) {
    return {
      ok: false,
      reason: `base fee ${weiToGwei(baseFee)} gwei + tip ${weiToGwei(tip)} gwei is above the cap ${weiToGwei(s.maxFeePerGas)} gwei`,
    };
  }
  const maxFee = minBig(s.maxFeePerGas, baseFee * BigInt(s.baseFeeMultiplier) + tip);
  return { ok: true, maxFeePerGas: maxFee, maxPriorityFeePerGas: minBig(tip, maxFee) };
}

/**
 * Fees for a replacement on the same nonce: each field at least `bumpPercent` above the previous
 * attempt (rounded up) and at least what a fresh quote would give, both under the caps. Returns a
 * refusal when the caps leave no room for a valid bump (the caller then re-sends the same bytes).
 */
export function bumpFees(previous: Fees, baseFee: bigint, s: FeeSettings): FeeQuote {
  const minTip = bumpUp(previous.maxPriorityFeePerGas, s.bumpPercent);
  const minMax = bumpUp(previous.maxFeePerGas, s.bumpPercent);
  const fresh = quoteFees(baseFee, s);
  let tip = maxBig(minTip, fresh.ok ? fresh.maxPriorityFeePerGas : 0n);
  let maxFee = maxBig(minMax, fresh.ok ? fresh.maxFeePerGas : 0n);
  tip = minBig(tip, s.maxPriorityFeePerGas);
  maxFee = minBig(maxFee, s.maxFeePerGas);
  if (tip < minTip || maxFee < minMax) {
    return { ok: false, reason: `a ${s.bumpPercent}% bump over ${weiToGwei(previous.maxFeePerGas)} gwei would exceed the fee caps` };
  }
  if (tip > maxFee) tip = maxFee;
  if (tip < minTip) return { ok: false, reason: "tip bump does not fit under the max fee" };
  return { ok: true, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip };
}
