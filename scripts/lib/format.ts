/** Formatting helpers for the operator scripts and the demo. */
import { formatUnits } from "ethers";

/** A WAD amount with `digits` decimals, e.g. 3000.00. */
export function wad(value: bigint, digits = 2): string {
  return Number(formatUnits(value, 18)).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A 6-decimal quote amount, e.g. 1,250.000000 → "1,250.00". */
export function quote(value: bigint, digits = 2): string {
  return Number(formatUnits(value, 6)).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function heading(title: string): void {
  console.log(`\n=== ${title} ${"=".repeat(Math.max(0, 90 - title.length))}`);
}
