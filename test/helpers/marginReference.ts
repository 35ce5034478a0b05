/**
 * Independent reference of the margin model (bigint, exact), used to check the engine's numbers: the unit tests of
 * MarginMath and the engine's views, and the invariant campaign's model (test/invariants/harness/model.ts) all use
 * this one file. See IMarginEngine's NatSpec for the model; every rounding step here is written out separately.
 */
import { WAD } from "./units";

export { WAD };
const GRID_HALF = 3n;

export interface RefLine {
  amount: bigint; // signed, 18 decimals
  strike: bigint; // WAD
  isCall: boolean;
  price: bigint; // mark per option, WAD
  settledPayoff?: bigint; // set when the series' settlement price is final
}

export function payoff(strike: bigint, isCall: boolean, spot: bigint): bigint {
  if (isCall) return spot > strike ? spot - strike : 0n;
  return strike > spot ? strike - spot : 0n;
}

const ceilDiv = (a: bigint, b: bigint) => (a <= 0n ? 0n : (a - 1n) / b + 1n);
const floorDiv = (a: bigint, b: bigint) => {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
};

/** Grid spots S - 3 step .. S + 3 step with step = floor(S * shock / 3e18). */
export function gridSpots(spot: bigint, shock: bigint): bigint[] {
  const step = (spot * shock) / (GRID_HALF * WAD);
  return [...Array(7).keys()].map((k) => spot - GRID_HALF * step + BigInt(k) * step);
}

/** Requirement of one underlying's lines, WAD quote, rounded up. */
export function requirementWad(lines: RefLine[], spot: bigint, shock: bigint, chargeRate: bigint): bigint {
  if (lines.length === 0) return 0n;
  const spots = gridSpots(spot, shock);
  const value = (l: RefLine, s: bigint) => l.amount * (l.settledPayoff ?? payoff(l.strike, l.isCall, s));
  const values = spots.map((s) => lines.reduce((acc, l) => acc + value(l, s), 0n));
  const mark = lines.reduce((acc, l) => acc + l.amount * l.price, 0n);
  const lowest = values.reduce((a, b) => (b < a ? b : a));
  let charge = 0n;
  for (const l of lines) {
    if (l.amount >= 0n || l.settledPayoff !== undefined) continue;
    let perOption = ceilDiv(spot * chargeRate, WAD);
    if (!l.isCall && perOption > l.strike) perOption = l.strike;
    charge += -l.amount * perOption;
  }
  let need = mark - lowest;
  if (need < 0n) need = 0n;
  if (charge > need) need = charge;
  return ceilDiv(need, WAD);
}

/** Requirement in quote units (6 decimals), rounded up. */
export function requirementQuote(lines: RefLine[], spot: bigint, shock: bigint, chargeRate: bigint): bigint {
  return ceilDiv(requirementWad(lines, spot, shock, chargeRate), 10n ** 12n);
}

/** Equity in quote units: collateral plus marks, rounded down. */
export function equityQuote(collateral: bigint, lines: RefLine[]): bigint {
  const marks = floorDiv(
    lines.reduce((acc, l) => acc + l.amount * l.price, 0n),
    WAD,
  );
  return floorDiv(collateral * 10n ** 12n + marks, 10n ** 12n);
}
