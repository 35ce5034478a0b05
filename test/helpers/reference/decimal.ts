import Decimal from "decimal.js";

/**
 * The reference's number type: decimal.js at 50 significant digits with an exponent range wide enough that
 * e^(-x^2/2) for any |x| the tests reach (and far beyond) neither underflows nor overflows.
 * Every reference function works on this clone only, so the global Decimal settings are never touched.
 */
export const D = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
export type D = InstanceType<typeof D>;

/** 1e18 as a reference number. */
export const WAD_D = new D("1e18");

/** A WAD integer (bigint) as the real number it stands for. */
export function fromWad(x: bigint): D {
  return new D(x.toString()).div(WAD_D);
}

/** A plain integer (bigint) as a reference number. */
export function fromInt(x: bigint): D {
  return new D(x.toString());
}

/** floor(x * 1e18) as a bigint. */
export function toWadFloor(x: D): bigint {
  return BigInt(x.mul(WAD_D).floor().toFixed(0));
}

/** pi to the working precision. */
export const PI = D.acos(-1);
