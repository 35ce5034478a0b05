/**
 * Unit conversions. Config values carry their unit in the field name (`…Gwei`, `…Eth`, `…Ms`, `…Mb`) and
 * amounts are decimal strings, so no amount ever passes through a float.
 */
import { formatUnits, parseUnits } from "ethers";

/** `"1.5"` gwei → 1_500_000_000n wei. */
export function gweiToWei(gwei: string): bigint {
  return parseUnits(gwei, 9);
}

/** `"0.25"` ether → 250_000_000_000_000_000n wei. */
export function ethToWei(eth: string): bigint {
  return parseUnits(eth, 18);
}

/** 1_500_000_000n wei → `"1.5"` gwei. */
export function weiToGwei(wei: bigint): string {
  return formatUnits(wei, 9);
}

/** wei → ether as a JavaScript number, for gauges only (never for accounting). */
export function weiToEthNumber(wei: bigint): number {
  return Number(formatUnits(wei, 18));
}

/** ceil(value * (100 + percent) / 100): a fee bumped by `percent`, rounded up so the bump is never short. */
export function bumpUp(value: bigint, percent: number): bigint {
  const num = value * BigInt(100 + percent);
  return (num + 99n) / 100n;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
