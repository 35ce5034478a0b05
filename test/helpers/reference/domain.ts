import fc from "fast-check";
import { D, fromWad } from "./decimal";
import { BsPoint, SECONDS_PER_YEAR } from "./blackScholes";

/** The Black-Scholes library's domain, inclusive (mirrors the constants of contracts/libraries/BlackScholes.sol). */
export const DOMAIN = {
  minSpot: 10n ** 12n,
  maxSpot: 10n ** 30n,
  minStrike: 10n ** 12n,
  maxStrike: 10n ** 30n,
  minSeconds: 1n,
  maxSeconds: 2n * SECONDS_PER_YEAR,
  minVol: 10n ** 16n,
  maxVol: 5n * 10n ** 18n,
  minRate: 0n,
  maxRate: 10n ** 18n,
} as const;

const clamp = (x: bigint, lo: bigint, hi: bigint): bigint => (x < lo ? lo : x > hi ? hi : x);

/** An integer drawn log-uniformly from [lo, hi] (lo >= 1), so every order of magnitude is hit equally often. */
export function logUniform(lo: bigint, hi: bigint): fc.Arbitrary<bigint> {
  const a = Math.log10(Number(lo));
  const b = Math.log10(Number(hi));
  return fc
    .double({ min: a, max: b, noNaN: true, noDefaultInfinity: true })
    .map((u) => clamp(BigInt(new D(10).pow(u).round().toFixed(0)), lo, hi));
}

const spotArb = logUniform(DOMAIN.minSpot, DOMAIN.maxSpot);
const secondsArb = logUniform(DOMAIN.minSeconds, DOMAIN.maxSeconds);
const volArb = logUniform(DOMAIN.minVol, DOMAIN.maxVol);
const rateArb = fc.oneof(
  { arbitrary: fc.bigInt({ min: DOMAIN.minRate, max: DOMAIN.maxRate }), weight: 6 },
  { arbitrary: logUniform(10n ** 12n, DOMAIN.maxRate), weight: 2 },
  { arbitrary: fc.constantFrom(DOMAIN.minRate, DOMAIN.maxRate), weight: 2 },
);

/** Spot and strike drawn independently, log-uniform over the whole domain: mostly extreme moneyness. */
const independentPoint: fc.Arbitrary<BsPoint> = fc.record({
  spot: spotArb,
  strike: logUniform(DOMAIN.minStrike, DOMAIN.maxStrike),
  secondsToExpiry: secondsArb,
  vol: volArb,
  rate: rateArb,
});

/**
 * Strike within z standard deviations of the forward, z in [-10, 10]: where prices are neither zero nor
 * intrinsic and every term of the formula matters.
 */
const nearTheMoneyPoint: fc.Arbitrary<BsPoint> = fc
  .record({
    spot: spotArb,
    secondsToExpiry: secondsArb,
    vol: volArb,
    rate: rateArb,
    z: fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }),
  })
  .map(({ spot, secondsToExpiry, vol, rate, z }) => {
    const t = new D(secondsToExpiry.toString()).div(SECONDS_PER_YEAR.toString());
    const stdDev = fromWad(vol).mul(t.sqrt());
    const forwardLog = fromWad(rate).mul(t);
    const strike = BigInt(new D(spot.toString()).mul(stdDev.mul(z).add(forwardLog).exp()).round().toFixed(0));
    return { spot, strike: clamp(strike, DOMAIN.minStrike, DOMAIN.maxStrike), secondsToExpiry, vol, rate };
  });

/** Random points over the whole domain: half near the money, half with independent spot and strike. */
export const bsPointArb: fc.Arbitrary<BsPoint> = fc.oneof(nearTheMoneyPoint, independentPoint);

/** Every combination of each input at its bounds and at a few typical values: the explicit corners. */
export function cornerPoints(): BsPoint[] {
  const spots = [DOMAIN.minSpot, 10n ** 18n, DOMAIN.maxSpot];
  const seconds = [DOMAIN.minSeconds, 3600n, DOMAIN.maxSeconds];
  const vols = [DOMAIN.minVol, 5n * 10n ** 17n, DOMAIN.maxVol];
  const rates = [DOMAIN.minRate, 5n * 10n ** 16n, DOMAIN.maxRate];
  const points: BsPoint[] = [];
  for (const spot of spots) {
    const strikes = [DOMAIN.minStrike, 10n ** 18n, DOMAIN.maxStrike, spot, spot + 1n, spot - 1n];
    for (const strike of strikes) {
      if (strike < DOMAIN.minStrike || strike > DOMAIN.maxStrike) continue;
      for (const secondsToExpiry of seconds) {
        for (const vol of vols) {
          for (const rate of rates) points.push({ spot, strike, secondsToExpiry, vol, rate });
        }
      }
    }
  }
  return points;
}
