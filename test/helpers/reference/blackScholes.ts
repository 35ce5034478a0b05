import { D, fromInt, fromWad } from "./decimal";
import { normCdfPair, normPdf } from "./normal";

/** Seconds in the pricing year (365 days). */
export const SECONDS_PER_YEAR = 31_536_000n;

/** One Black-Scholes input in on-chain units: WAD spot, strike, vol and rate; integer seconds. */
export interface BsPoint {
  spot: bigint;
  strike: bigint;
  secondsToExpiry: bigint;
  vol: bigint;
  rate: bigint;
}

/** The exact Black-Scholes values of a point (in units, not WAD). */
export interface BsReference {
  callPrice: D;
  putPrice: D;
  callDelta: D;
  putDelta: D;
  vega: D;
  /** K e^(-rT). */
  discountedStrike: D;
  d1: D;
  d2: D;
}

/**
 * Black-Scholes in 50-digit decimal arithmetic, from the exact real numbers the integer inputs stand for.
 * Each price is computed from the side of the distribution that keeps relative precision (N(-d) for puts),
 * never by parity, so parity can be tested against it.
 */
export function bsReference(p: BsPoint): BsReference {
  const s = fromWad(p.spot);
  const k = fromWad(p.strike);
  const t = fromInt(p.secondsToExpiry).div(fromInt(SECONDS_PER_YEAR));
  const sigma = fromWad(p.vol);
  const r = fromWad(p.rate);
  const sqrtT = t.sqrt();
  const stdDev = sigma.mul(sqrtT);
  const d1 = s.div(k).ln().add(r.add(sigma.mul(sigma).div(2)).mul(t)).div(stdDev);
  const d2 = d1.sub(stdDev);
  const discountedStrike = k.mul(r.mul(t).neg().exp());
  const [nd1, nMinusD1] = normCdfPair(d1);
  const [nd2, nMinusD2] = normCdfPair(d2);
  return {
    callPrice: s.mul(nd1).sub(discountedStrike.mul(nd2)),
    putPrice: discountedStrike.mul(nMinusD2).sub(s.mul(nMinusD1)),
    callDelta: nd1,
    putDelta: nMinusD1.neg(),
    vega: s.mul(normPdf(d1)).mul(sqrtT),
    discountedStrike,
    d1,
    d2,
  };
}
