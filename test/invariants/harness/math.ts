/** Exact bigint restatements of the protocol's rounding rules (the model side of every exact check). */
import { WAD } from "../../helpers/units";

export { WAD };
export const SCALE = 10n ** 12n; // WAD -> 6-decimal quote units
export const SHARE_OFFSET = 10n ** 6n; // 10 ** vault decimals offset

export const ceilDiv = (a: bigint, b: bigint): bigint => (a <= 0n ? 0n : (a - 1n) / b + 1n);
export const mulDivDown = (a: bigint, b: bigint, d: bigint): bigint => (a * b) / d;
export const mulDivUp = (a: bigint, b: bigint, d: bigint): bigint => ceilDiv(a * b, d);
export const abs = (x: bigint): bigint => (x < 0n ? -x : x);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export interface QuoteParams {
  spread: bigint;
  feeRate: bigint;
  feeCap: bigint;
  tradingCutoff: bigint;
}

export function feePerOptionUp(mark: bigint, spot: bigint, p: QuoteParams): bigint {
  return min(ceilDiv(spot * p.feeRate, WAD), ceilDiv(mark * p.feeCap, WAD));
}

export function askPerOptionUp(mark: bigint, spot: bigint, p: QuoteParams): bigint {
  return mark + ceilDiv(mark * p.spread, WAD) + feePerOptionUp(mark, spot, p);
}

export function bidPerOptionDown(mark: bigint, spot: bigint, p: QuoteParams): bigint {
  const deduction = ceilDiv(mark * p.spread, WAD) + feePerOptionUp(mark, spot, p);
  return mark > deduction ? mark - deduction : 0n;
}

/** Premium of a signed trade: buys pay the ask rounded up, sells receive the bid rounded down. */
export function premiumOf(amount: bigint, mark: bigint, spot: bigint, p: QuoteParams): bigint {
  if (amount > 0n) return ceilDiv(askPerOptionUp(mark, spot, p) * amount, WAD * SCALE);
  return (bidPerOptionDown(mark, spot, p) * -amount) / (WAD * SCALE);
}

/** ERC-4626 with a virtual offset: assets -> shares and back, both directions of rounding (OpenZeppelin 5). */
export function toShares(assets: bigint, totalAssets: bigint, supply: bigint, up: boolean): bigint {
  return up
    ? mulDivUp(assets, supply + SHARE_OFFSET, totalAssets + 1n)
    : mulDivDown(assets, supply + SHARE_OFFSET, totalAssets + 1n);
}

export function toAssets(shares: bigint, totalAssets: bigint, supply: bigint, up: boolean): bigint {
  return up
    ? mulDivUp(shares, totalAssets + 1n, supply + SHARE_OFFSET)
    : mulDivDown(shares, totalAssets + 1n, supply + SHARE_OFFSET);
}

/** Option payoff per unit at `price` (the margin reference's, re-exported so both sides share one). */
export { payoff } from "../../helpers/marginReference";
