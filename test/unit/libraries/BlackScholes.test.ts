import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { BlackScholesHarness } from "../../../typechain-types";
import { BsPoint, bsReference } from "../../helpers/reference/blackScholes";
import { D, fromWad } from "../../helpers/reference/decimal";
import { DOMAIN, bsPointArb, cornerPoints } from "../../helpers/reference/domain";

/*
 * Accuracy bars (from the pricing-math issue):
 * - price: |error| <= 1e-6 * exact price OR |error| <= 1e-9 * spot (either suffices);
 * - put-call parity C - P = S - K e^(-rT), against the exact right-hand side, to the same tolerance;
 * - delta: |error| <= 1e-10 absolute (both sides);
 * - vega: |error| <= 1e-6 * exact vega OR |error| <= 1e-9 * spot.
 */
const PRICE_REL_TOL = new D("1e-6");
const SPOT_ABS_TOL = new D("1e-9");
const DELTA_ABS_TOL = new D("1e-10");
const BATCH = 100;
const RANDOM_BATCHES = 40; // 4,000 random points

async function deployHarness() {
  const harness = await ethers.deployContract("BlackScholesHarness");
  return { harness };
}

/** Error / tolerance: <= 1 passes. The tolerance is the larger of the relative and the spot-absolute bars. */
function toleranceRatio(actual: D, exact: D, spot: D): number {
  const tolerance = D.max(exact.abs().mul(PRICE_REL_TOL), spot.mul(SPOT_ABS_TOL));
  return actual.sub(exact).abs().div(tolerance).toNumber();
}

/** How far a price falls short of a lower bound, over the tolerance at that bound: <= 1 passes. */
function shortfallRatio(price: D, bound: D, spot: D): number {
  const shortfall = D.max(bound.sub(price), 0);
  return shortfall.div(D.max(bound.mul(PRICE_REL_TOL), spot.mul(SPOT_ABS_TOL))).toNumber();
}

interface Worst {
  value: number;
  point?: BsPoint;
}

/** The worst observed errors, printed after the suite. */
const worst: Record<string, Worst> = {
  "price error / tolerance": { value: 0 },
  "price rel error, where price >= 1e-3 spot": { value: 0 },
  "price abs error / spot, where price < 1e-3 spot": { value: 0 },
  "parity error / tolerance": { value: 0 },
  "delta abs error": { value: 0 },
  "vega error / tolerance": { value: 0 },
};
let pointsChecked = 0;

function record(key: string, value: number, point: BsPoint): void {
  if (value > worst[key].value) worst[key] = { value, point };
}

/** Evaluates points on-chain in one call and asserts every bar on each of them. */
async function checkAgainstReference(harness: BlackScholesHarness, points: BsPoint[]): Promise<void> {
  const results = await harness.evaluateBatch(points);
  points.forEach((p, i) => {
    const r = results[i];
    const ref = bsReference(p);
    const spot = fromWad(p.spot);
    const where = JSON.stringify(p, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

    for (const [name, actualWad, exact] of [
      ["call", r.callPrice, ref.callPrice],
      ["put", r.putPrice, ref.putPrice],
    ] as const) {
      const actual = fromWad(actualWad);
      const ratio = toleranceRatio(actual, exact, spot);
      const absErr = actual.sub(exact).abs();
      record("price error / tolerance", ratio, p);
      if (exact.gte(spot.mul("1e-3"))) record("price rel error, where price >= 1e-3 spot", absErr.div(exact).toNumber(), p);
      else record("price abs error / spot, where price < 1e-3 spot", absErr.div(spot).toNumber(), p);
      expect(ratio, `${name} price ${actual} vs exact ${exact} at ${where}`).to.be.lte(1);
    }

    // Put-call parity against the exact forward value.
    const parityActual = fromWad(r.callPrice).sub(fromWad(r.putPrice));
    const parityExact = spot.sub(ref.discountedStrike);
    const parityRatio = toleranceRatio(parityActual, parityExact, spot);
    record("parity error / tolerance", parityRatio, p);
    expect(parityRatio, `parity ${parityActual} vs ${parityExact} at ${where}`).to.be.lte(1);

    // No-arbitrage lower bounds C >= max(S - K e^(-rT), 0) and P >= max(K e^(-rT) - S, 0), up to the price tolerance.
    const intrinsicCall = D.max(parityExact, 0);
    const intrinsicPut = D.max(parityExact.neg(), 0);
    expect(shortfallRatio(fromWad(r.callPrice), intrinsicCall, spot), `call bound at ${where}`).to.be.lte(1);
    expect(shortfallRatio(fromWad(r.putPrice), intrinsicPut, spot), `put bound at ${where}`).to.be.lte(1);

    // Deltas: in range, N(d1) and N(d1) - 1 exactly, and accurate.
    expect(r.callDelta >= 0n && r.callDelta <= 10n ** 18n, `call delta range at ${where}`).to.equal(true);
    expect(r.putDelta >= -(10n ** 18n) && r.putDelta <= 0n, `put delta range at ${where}`).to.equal(true);
    expect(r.callDelta - r.putDelta).to.equal(10n ** 18n);
    const deltaErr = fromWad(r.callDelta).sub(ref.callDelta).abs();
    record("delta abs error", deltaErr.toNumber(), p);
    expect(deltaErr.lte(DELTA_ABS_TOL), `delta ${fromWad(r.callDelta)} vs ${ref.callDelta} at ${where}`).to.equal(true);

    const vegaRatio = toleranceRatio(fromWad(r.vega), ref.vega, spot);
    record("vega error / tolerance", vegaRatio, p);
    expect(vegaRatio, `vega ${fromWad(r.vega)} vs ${ref.vega} at ${where}`).to.be.lte(1);
  });
  pointsChecked += points.length;
}

describe("BlackScholes", function () {
  after(function () {
    if (pointsChecked === 0) return;
    console.log(`      worst observed errors over ${pointsChecked} points:`);
    for (const [key, w] of Object.entries(worst)) {
      const at = w.point
        ? ` at S=${w.point.spot} K=${w.point.strike} t=${w.point.secondsToExpiry}s vol=${w.point.vol} r=${w.point.rate}`
        : "";
      console.log(`        ${key}: ${w.value.toExponential(3)}${at}`);
    }
  });

  describe("accuracy against the 50-digit reference", function () {
    it("meets the price, parity, delta and vega bars on 4,000 log-uniform random points", async function () {
      this.timeout(900_000);
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.array(bsPointArb, { minLength: BATCH, maxLength: BATCH }), (points) =>
          checkAgainstReference(harness, points),
        ),
        { numRuns: RANDOM_BATCHES },
      );
    });

    it("meets the same bars on every combination of bounds and typical values", async function () {
      this.timeout(300_000);
      const { harness } = await loadFixture(deployHarness);
      const corners = cornerPoints();
      expect(corners.length).to.be.greaterThan(400);
      for (let i = 0; i < corners.length; i += BATCH) await checkAgainstReference(harness, corners.slice(i, i + BATCH));
    });

    it("prices a textbook at-the-money option to the cent", async function () {
      const { harness } = await loadFixture(deployHarness);
      // S = K = 100, T = 1 year, sigma = 20%, r = 5%: C = 10.4506, P = 5.5735 (Hull).
      const [call, put] = await harness.callPutPrices(100n * 10n ** 18n, 100n * 10n ** 18n, 365n * 86400n, 2n * 10n ** 17n, 5n * 10n ** 16n);
      expect(Number(ethers.formatEther(call))).to.be.closeTo(10.4506, 1e-4);
      expect(Number(ethers.formatEther(put))).to.be.closeTo(5.5735, 1e-4);
    });
  });

  describe("shape", function () {
    it("prices calls up and puts down as spot rises, with delta as the slope", async function () {
      const { harness } = await loadFixture(deployHarness);
      const strike = 2000n * 10n ** 18n;
      const t = 30n * 86400n;
      let previous = await harness.callPutPrices(1000n * 10n ** 18n, strike, t, 8n * 10n ** 17n, 5n * 10n ** 16n);
      for (let spot = 1100n; spot <= 4000n; spot += 100n) {
        const current = await harness.callPutPrices(spot * 10n ** 18n, strike, t, 8n * 10n ** 17n, 5n * 10n ** 16n);
        expect(current.callPrice).to.be.greaterThan(previous.callPrice);
        expect(current.putPrice).to.be.lessThan(previous.putPrice);
        previous = current;
      }
    });

    it("prices both sides up as volatility rises, as a positive vega says", async function () {
      const { harness } = await loadFixture(deployHarness);
      const s = 2000n * 10n ** 18n;
      const k = 2010n * 10n ** 18n;
      const t = 7n * 86400n;
      let previous = await harness.callPutPrices(s, k, t, DOMAIN.minVol, 0n);
      for (let vol = 5n * 10n ** 16n; vol <= DOMAIN.maxVol; vol += 5n * 10n ** 16n) {
        const current = await harness.callPutPrices(s, k, t, vol, 0n);
        expect(current.callPrice).to.be.greaterThan(previous.callPrice);
        expect(current.putPrice).to.be.greaterThan(previous.putPrice);
        expect(await harness.vega(s, k, t, vol, 0n)).to.be.greaterThan(0n);
        previous = current;
      }
    });

    it("returns exactly the intrinsic value when the option is certain to finish in the money", async function () {
      const { harness } = await loadFixture(deployHarness);
      // One second, 1% vol, spot twice the strike, zero rate: N(d1) = N(d2) = 1 in WAD.
      const [call, put] = await harness.callPutPrices(2n * 10n ** 18n, 10n ** 18n, 1n, DOMAIN.minVol, 0n);
      expect(call).to.equal(10n ** 18n);
      expect(put).to.equal(0n);
      const [, delta] = await harness.priceAndDelta(2n * 10n ** 18n, 10n ** 18n, 1n, DOMAIN.minVol, 0n, true);
      expect(delta).to.equal(10n ** 18n);
    });
  });

  describe("API consistency", function () {
    it("returns from greeks, priceAndDelta, callPutPrices and vega the same numbers for the same point", async function () {
      const { harness } = await loadFixture(deployHarness);
      const samples = fc.sample(bsPointArb, { numRuns: 25, seed: 7 });
      for (const p of samples) {
        const args = [p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate] as const;
        const [call, put] = await harness.callPutPrices(...args);
        const vega = await harness.vega(...args);
        for (const isCall of [true, false]) {
          const [price, delta] = await harness.priceAndDelta(...args, isCall);
          const g = await harness.greeks(...args, isCall);
          expect(price).to.equal(isCall ? call : put);
          expect([g.price, g.delta, g.vega_]).to.deep.equal([price, delta, vega]);
        }
      }
    });
  });

  describe("shared horizon (greeksAt)", function () {
    it("returns from greeksAt exactly what greeks returns for the same point", async function () {
      const { harness } = await loadFixture(deployHarness);
      const samples = fc.sample(bsPointArb, { numRuns: 40, seed: 11 });
      for (const p of samples) {
        const args = [p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate] as const;
        for (const isCall of [true, false]) {
          const g = await harness.greeks(...args, isCall);
          const a = await harness.greeksAt(...args, isCall);
          expect([a.price, a.delta, a.vega_]).to.deep.equal([g.price, g.delta, g.vega_]);
        }
      }
    });

    it("returns for every strike priced on one shared horizon exactly what greeks returns for that strike", async function () {
      const { harness } = await loadFixture(deployHarness);
      const samples = fc.sample(bsPointArb, { numRuns: 12, seed: 13 });
      for (const p of samples) {
        // Strikes around the point's own, all inside the domain.
        const strikes = [p.strike, (p.strike * 9n) / 10n, (p.strike * 11n) / 10n]
          .filter((k) => k >= DOMAIN.minStrike && k <= DOMAIN.maxStrike);
        for (const isCall of [true, false]) {
          const shared = await harness.greeksSharingHorizon(p.spot, strikes, p.secondsToExpiry, p.vol, p.rate, isCall);
          for (const [i, k] of strikes.entries()) {
            const g = await harness.greeks(p.spot, k, p.secondsToExpiry, p.vol, p.rate, isCall);
            expect([shared.prices[i], shared.deltas[i], shared.vegas[i]]).to.deep.equal([g.price, g.delta, g.vega_]);
          }
        }
      }
    });
  });

  describe("domain", function () {
    const valid: BsPoint = { spot: 10n ** 21n, strike: 10n ** 21n, secondsToExpiry: 86400n, vol: 10n ** 18n, rate: 0n };
    const cases = [
      { field: "spot", error: "BlackScholesSpotOutOfRange", min: DOMAIN.minSpot, max: DOMAIN.maxSpot },
      { field: "strike", error: "BlackScholesStrikeOutOfRange", min: DOMAIN.minStrike, max: DOMAIN.maxStrike },
      { field: "secondsToExpiry", error: "BlackScholesTimeOutOfRange", min: DOMAIN.minSeconds, max: DOMAIN.maxSeconds },
      { field: "vol", error: "BlackScholesVolatilityOutOfRange", min: DOMAIN.minVol, max: DOMAIN.maxVol },
      { field: "rate", error: "BlackScholesRateOutOfRange", min: DOMAIN.minRate, max: DOMAIN.maxRate },
    ] as const;

    type Call = (h: BlackScholesHarness, p: BsPoint) => Promise<unknown>;
    const entryPoints: Record<string, Call> = {
      priceAndDelta: (h, p) => h.priceAndDelta(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate, true),
      callPutPrices: (h, p) => h.callPutPrices(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate),
      vega: (h, p) => h.vega(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate),
      greeks: (h, p) => h.greeks(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate, false),
      greeksAt: (h, p) => h.greeksAt(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate, false),
    };

    for (const c of cases) {
      for (const [name, call] of Object.entries(entryPoints)) {
        if (c.min > 0n) {
          it(`${name} reverts with ${c.error} one below the minimum ${c.field}`, async function () {
            const { harness } = await loadFixture(deployHarness);
            await expect(call(harness, { ...valid, [c.field]: c.min - 1n }))
              .to.be.revertedWithCustomError(harness, c.error)
              .withArgs(c.min - 1n, c.min, c.max);
          });
        }
        it(`${name} reverts with ${c.error} one above the maximum ${c.field}`, async function () {
          const { harness } = await loadFixture(deployHarness);
          await expect(call(harness, { ...valid, [c.field]: c.max + 1n }))
            .to.be.revertedWithCustomError(harness, c.error)
            .withArgs(c.max + 1n, c.min, c.max);
        });
      }
      it(`accepts the minimum and the maximum ${c.field}`, async function () {
        const { harness } = await loadFixture(deployHarness);
        for (const value of [c.min, c.max]) {
          const [call, put] = await harness.callPutPrices(
            ...([valid.spot, valid.strike, valid.secondsToExpiry, valid.vol, valid.rate].map((v, i) =>
              ["spot", "strike", "secondsToExpiry", "vol", "rate"][i] === c.field ? value : v,
            ) as [bigint, bigint, bigint, bigint, bigint]),
          );
          expect(call + put).to.be.greaterThan(0n);
        }
      });
    }

    it("reverts at expiry (zero seconds) rather than returning a price", async function () {
      const { harness } = await loadFixture(deployHarness);
      await expect(harness.priceAndDelta(valid.spot, valid.strike, 0n, valid.vol, valid.rate, true))
        .to.be.revertedWithCustomError(harness, "BlackScholesTimeOutOfRange")
        .withArgs(0n, DOMAIN.minSeconds, DOMAIN.maxSeconds);
    });

    it("reports the first offending input when several are out of range", async function () {
      const { harness } = await loadFixture(deployHarness);
      await expect(harness.priceAndDelta(0n, 0n, 0n, 0n, 2n * 10n ** 18n, true))
        .to.be.revertedWithCustomError(harness, "BlackScholesSpotOutOfRange")
        .withArgs(0n, DOMAIN.minSpot, DOMAIN.maxSpot);
    });
  });
});
