import { D, PI } from "./decimal";

/**
 * Independent high-precision reference for the standard normal distribution.
 *
 * erfc is computed two ways, both in 50-digit decimal arithmetic and neither sharing anything with the on-chain
 * approximation:
 * - x < 5: erfc(x) = 1 - erf(x), erf(x) = 2/sqrt(pi) e^(-x^2) sum_{n>=0} 2^n x^(2n+1) / (1 * 3 * ... * (2n+1)),
 *   a series of positive terms (no cancellation); 1 - erf loses at most 12 of the 50 digits at x = 5.
 * - x >= 5: the Laplace continued fraction erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
 *   evaluated backwards from a fixed depth, which keeps full relative precision in the far tail.
 */

const SQRT_PI = PI.sqrt();
const SQRT_2 = new D(2).sqrt();
const SQRT_2PI = PI.mul(2).sqrt();
const SERIES_LIMIT = new D(5);
/** Depth giving a relative error below 1e-44 from x = 5 on (measured; it falls as x grows). */
const CONTINUED_FRACTION_DEPTH = 80;
const EPSILON = new D("1e-60");

/** erf(x) by its everywhere-convergent series of positive terms (for x >= 0). */
export function erfSeries(x: D): D {
  const x2 = x.mul(x);
  let term = x;
  let sum = x;
  for (let n = 0; ; n++) {
    term = term.mul(x2).mul(2).div(2 * n + 3);
    sum = sum.add(term);
    if (term.lte(sum.mul(EPSILON))) break;
  }
  return sum.mul(2).div(SQRT_PI).mul(x2.neg().exp());
}

/**
 * The scaled complementary error function erfcx(x) = e^(x^2) erfc(x) by the Laplace continued fraction
 * (for x > 0; accurate to the working precision for x >= 5). Free of exponentials, so usable for any x.
 */
export function erfcxContinuedFraction(x: D): D {
  let f = x;
  for (let k = CONTINUED_FRACTION_DEPTH; k >= 1; k--) {
    f = x.add(new D(k).div(2).div(f));
  }
  return new D(1).div(SQRT_PI).div(f);
}

/** erfc(x) by the Laplace continued fraction (for x > 0; accurate to the working precision for x >= 5). */
export function erfcContinuedFraction(x: D): D {
  return x.mul(x).neg().exp().mul(erfcxContinuedFraction(x));
}

/** erfc(x) for any real x. */
export function erfc(x: D): D {
  if (x.isNeg()) return new D(2).sub(erfc(x.neg()));
  if (x.lt(SERIES_LIMIT)) return new D(1).sub(erfSeries(x));
  return erfcContinuedFraction(x);
}

/** N(x) = P(Z <= x) for a standard normal Z. */
export function normCdf(x: D): D {
  return erfc(x.neg().div(SQRT_2)).div(2);
}

/**
 * [N(x), N(-x)] from one erfc evaluation: the smaller of the two comes straight from erfc (full relative
 * precision in the tail), the larger as its complement (which loses nothing since it is at least 1/2).
 */
export function normCdfPair(x: D): [D, D] {
  const small = erfc(x.abs().div(SQRT_2)).div(2);
  const large = new D(1).sub(small);
  return x.isNeg() ? [small, large] : [large, small];
}

/** phi(x) = e^(-x^2/2) / sqrt(2 pi). */
export function normPdf(x: D): D {
  return x.mul(x).div(2).neg().exp().div(SQRT_2PI);
}
