import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { D, WAD_D, fromWad } from "../../helpers/reference/decimal";
import { logUniform } from "../../helpers/reference/domain";
import { WAD } from "../../helpers/units";
import {
  erfSeries,
  erfcContinuedFraction,
  erfcxContinuedFraction,
  normCdf,
  normCdfPair,
  normPdf,
} from "../../helpers/reference/normal";

const TAIL_CUTOFF = 95n * 10n ** 17n;
const INT256_MAX = 2n ** 255n - 1n;
const INT256_MIN = -(2n ** 255n);

/*
 * Bars: N(x) within 1e-16 absolute (100 wei) everywhere, and within 1e-10 relative (or 2 wei) in the lower tail;
 * phi(x) within 2 wei; the Mills ratio within 1e-11 relative (or 2 wei).
 */
const CDF_ABS_TOL_WEI = new D(100);
const TAIL_REL_TOL = new D("1e-10");
const PDF_ABS_TOL_WEI = new D(2);
const MILLS_REL_TOL = new D("1e-11");

async function deployHarness() {
  const harness = await ethers.deployContract("BlackScholesHarness");
  return { harness };
}

const wadArgs = (lo: number, hi: number) =>
  fc.double({ min: lo, max: hi, noNaN: true }).map((u) => BigInt(new D(u).mul(WAD_D).round().toFixed(0)));

describe("NormalDist", function () {
  describe("the reference itself", function () {
    it("agrees between its series and its continued fraction where both converge", function () {
      for (const x of ["5", "5.5", "6"]) {
        const viaSeries = new D(1).sub(erfSeries(new D(x)));
        const viaFraction = erfcContinuedFraction(new D(x));
        expect(viaSeries.sub(viaFraction).abs().div(viaFraction).lt("1e-30"), `erfc(${x})`).to.equal(true);
      }
      // Known values of N(1) and N(-5), to 40+ digits (from an independent arbitrary-precision library).
      expect(normCdf(new D(1)).sub("0.8413447460685429485852325456320379224779").abs().lt("1e-38")).to.equal(true);
      expect(normCdf(new D(-5)).sub("2.8665157187919391167375233287464535385442301361e-7").abs().lt("1e-45")).to.equal(true);
    });
  });

  describe("cdf and pdf", function () {
    it("match the reference on 3,000 points across [-10, 10] (dense near 0 and the switch points)", async function () {
      const { harness } = await loadFixture(deployHarness);
      const xs = [
        ...fc.sample(wadArgs(-10, 10), { numRuns: 1500, seed: 21 }),
        ...fc.sample(wadArgs(-1, 1), { numRuns: 500, seed: 22 }),
        ...fc.sample(wadArgs(4.4, 4.6), { numRuns: 250, seed: 23 }),
        ...fc.sample(wadArgs(-4.6, -4.4), { numRuns: 250, seed: 24 }),
        ...fc.sample(wadArgs(-9.6, -9.4), { numRuns: 250, seed: 25 }),
        ...fc.sample(wadArgs(9.4, 9.6), { numRuns: 250, seed: 26 }),
      ];
      let worstAbs = 0;
      let worstTailRel = 0;
      for (let i = 0; i < xs.length; i += 500) {
        const batch = xs.slice(i, i + 500);
        const [cdfs, pdfs] = await harness.cdfAndPdfBatch(batch);
        batch.forEach((x, j) => {
          const [exact] = normCdfPair(fromWad(x));
          const exactWei = exact.mul(WAD_D);
          const err = new D(cdfs[j].toString()).sub(exactWei).abs();
          worstAbs = Math.max(worstAbs, err.toNumber());
          expect(err.lte(CDF_ABS_TOL_WEI), `N(${x}) = ${cdfs[j]}, exact ${exactWei}`).to.equal(true);
          if (x < 0n) {
            const relOk = err.lte(2) || err.div(exactWei).lte(TAIL_REL_TOL);
            if (exactWei.gt(1e6)) worstTailRel = Math.max(worstTailRel, err.div(exactWei).toNumber());
            expect(relOk, `tail N(${x}) = ${cdfs[j]}, exact ${exactWei}`).to.equal(true);
          }
          const pdfExact = normPdf(fromWad(x)).mul(WAD_D);
          expect(new D(pdfs[j].toString()).sub(pdfExact).abs().lte(PDF_ABS_TOL_WEI), `phi(${x})`).to.equal(true);
        });
      }
      console.log(`        worst |N error|: ${worstAbs.toFixed(1)} wei; worst tail relative error: ${worstTailRel.toExponential(3)}`);
    });

    it("cdf and pdf agree with cdfAndPdf", async function () {
      const { harness } = await loadFixture(deployHarness);
      const xs = fc.sample(wadArgs(-12, 12), { numRuns: 40, seed: 27 });
      const [cdfs, pdfs] = await harness.cdfAndPdfBatch(xs);
      for (let i = 0; i < xs.length; i++) {
        expect(await harness.cdf(xs[i])).to.equal(cdfs[i]);
        expect(await harness.pdf(xs[i])).to.equal(pdfs[i]);
      }
    });

    it("is exactly symmetric: N(x) + N(-x) = 1e18 and phi(x) = phi(-x)", async function () {
      const { harness } = await loadFixture(deployHarness);
      const xs = fc.sample(wadArgs(0, 12), { numRuns: 500, seed: 28 });
      const [pos, posPdf] = await harness.cdfAndPdfBatch(xs);
      const [neg, negPdf] = await harness.cdfAndPdfBatch(xs.map((x) => -x));
      xs.forEach((x, i) => {
        expect(pos[i] + neg[i], `x = ${x}`).to.equal(WAD);
        expect(posPdf[i]).to.equal(negPdf[i]);
      });
      expect(await harness.cdf(0n)).to.equal(WAD / 2n);
    });

    it("is non-decreasing in x", async function () {
      const { harness } = await loadFixture(deployHarness);
      const xs = fc.sample(wadArgs(-10, 10), { numRuns: 1000, seed: 29 }).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const [cdfs] = await harness.cdfAndPdfBatch(xs);
      for (let i = 1; i < cdfs.length; i++) expect(cdfs[i], `x = ${xs[i]}`).to.be.gte(cdfs[i - 1]);
    });

    it("saturates at and beyond |x| = 9.5, where the exact values round to the saturated ones", async function () {
      const { harness } = await loadFixture(deployHarness);
      expect(normCdf(fromWad(-TAIL_CUTOFF)).mul(WAD_D).lt("0.5")).to.equal(true);
      expect(normPdf(fromWad(TAIL_CUTOFF)).mul(WAD_D).lt("0.5")).to.equal(true);
      for (const x of [TAIL_CUTOFF, 20n * WAD, INT256_MAX]) {
        expect(await harness.cdf(x)).to.equal(WAD);
        expect(await harness.cdf(-x)).to.equal(0n);
        expect(await harness.pdf(x)).to.equal(0n);
        expect(await harness.pdf(-x)).to.equal(0n);
      }
      expect(await harness.cdf(INT256_MIN)).to.equal(0n);
      expect(await harness.pdf(INT256_MIN)).to.equal(0n);
    });
  });

  describe("millsRatio", function () {
    it("matches N(-a) / phi(a) within 1e-11 relative (or 2 wei) from 0 to 1e36", async function () {
      const { harness } = await loadFixture(deployHarness);
      const as = [
        0n,
        45n * 10n ** 17n - 1n,
        45n * 10n ** 17n,
        ...fc.sample(wadArgs(0, 12), { numRuns: 600, seed: 31 }),
        ...fc.sample(logUniform(10n ** 19n, 10n ** 36n), { numRuns: 300, seed: 32 }),
      ];
      const rs = await harness.millsRatioBatch(as);
      let worst = 0;
      as.forEach((a, i) => {
        const x = fromWad(a);
        // Beyond a = 30, e^(a^2/2) leaves decimal.js's exponent range: use the exponential-free form there.
        const exact = (x.lt(30) ? normCdf(x.neg()).div(normPdf(x)) : ratioByFraction(x)).mul(WAD_D);
        const err = new D(rs[i].toString()).sub(exact).abs();
        if (exact.gt(1e12)) worst = Math.max(worst, err.div(exact).toNumber());
        expect(err.lte(2) || err.div(exact).lte(MILLS_REL_TOL), `R(${a}) = ${rs[i]}, exact ${exact}`).to.equal(true);
      });
      console.log(`        worst Mills ratio relative error: ${worst.toExponential(3)}`);
    });

    it("returns 0 beyond 1e36, where the ratio is below one wei", async function () {
      const { harness } = await loadFixture(deployHarness);
      const rs = await harness.millsRatioBatch([10n ** 36n, 10n ** 36n + 1n, 2n ** 256n - 1n]);
      expect(rs[0]).to.equal(1n);
      expect(rs[1]).to.equal(0n);
      expect(rs[2]).to.equal(0n);
    });
  });
});

/** N(-x) / phi(x) = sqrt(pi / 2) erfcx(x / sqrt(2)), from the reference's exponential-free continued fraction. */
function ratioByFraction(x: D): D {
  return erfcxContinuedFraction(x.div(new D(2).sqrt())).mul(D.acos(-1).div(2).sqrt());
}
