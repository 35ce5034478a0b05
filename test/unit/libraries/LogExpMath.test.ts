import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { D, WAD_D, fromWad } from "../../helpers/reference/decimal";
import { logUniform } from "../../helpers/reference/domain";
import { WAD } from "../../helpers/units";

const EXP_MAX_ARG = 135n * WAD;
const EXP_MIN_ARG = -42n * WAD;
const INT256_MAX = 2n ** 255n - 1n;
const INT256_MIN = -(2n ** 255n);

/*
 * Bars: lnWad within 1 wei of the exact logarithm (it rounds to nearest); expWad within 1 wei or 1e-17 relative
 * of the exact exponential, whichever is larger.
 */
const LN_ABS_TOL_WEI = new D(1);
const EXP_REL_TOL = new D("1e-17");

async function deployHarness() {
  const harness = await ethers.deployContract("BlackScholesHarness");
  return { harness };
}

const exactLnWei = (x: bigint): D => fromWad(x).ln().mul(WAD_D);
const exactExpWei = (x: bigint): D => fromWad(x).exp().mul(WAD_D);

describe("LogExpMath", function () {
  describe("lnWad", function () {
    it("is within 1 wei of the exact ln on 2,000 log-uniform inputs from 1 wei to 2^255", async function () {
      const { harness } = await loadFixture(deployHarness);
      const xs = [
        ...fc.sample(logUniform(1n, INT256_MAX), { numRuns: 1500, seed: 3 }),
        ...fc.sample(fc.bigInt({ min: WAD / 2n, max: 2n * WAD }), { numRuns: 500, seed: 4 }),
      ];
      const ys = await harness.lnWadBatch(xs);
      let worst = 0;
      xs.forEach((x, i) => {
        const err = new D(ys[i].toString()).sub(exactLnWei(x)).abs();
        worst = Math.max(worst, err.toNumber());
        expect(err.lte(LN_ABS_TOL_WEI), `ln(${x}) = ${ys[i]}, exact ${exactLnWei(x)}`).to.equal(true);
      });
      console.log(`        worst lnWad error: ${worst.toFixed(3)} wei`);
    });

    it("returns exactly 0 at 1e18 and the nearest WAD of ln 2 and ln 10", async function () {
      const { harness } = await loadFixture(deployHarness);
      expect(await harness.lnWad(WAD)).to.equal(0n);
      expect(await harness.lnWad(2n * WAD)).to.equal(693147180559945309n);
      expect(await harness.lnWad(10n * WAD)).to.equal(2302585092994045684n);
      expect(await harness.lnWad(1n)).to.equal(-41446531673892822312n);
    });

    it("reverts with LnNonPositive(x) for zero and negative inputs", async function () {
      const { harness } = await loadFixture(deployHarness);
      for (const x of [0n, -1n, -WAD, INT256_MIN]) {
        await expect(harness.lnWad(x)).to.be.revertedWithCustomError(harness, "LogExpMathLnNonPositive").withArgs(x);
      }
    });
  });

  describe("expWad", function () {
    it("is within max(1 wei, 1e-17 relative) of the exact exp on 2,000 inputs from -42 to 135", async function () {
      const { harness } = await loadFixture(deployHarness);
      const xs = [
        ...fc.sample(fc.bigInt({ min: EXP_MIN_ARG, max: EXP_MAX_ARG }), { numRuns: 1000, seed: 5 }),
        ...fc.sample(fc.bigInt({ min: -3n * WAD, max: 3n * WAD }), { numRuns: 700, seed: 6 }),
        ...fc.sample(fc.bigInt({ min: -(10n ** 6n), max: 10n ** 6n }), { numRuns: 300, seed: 7 }),
      ];
      const ys = await harness.expWadBatch(xs);
      let worstRel = 0;
      xs.forEach((x, i) => {
        const exact = exactExpWei(x);
        const err = new D(ys[i].toString()).sub(exact).abs();
        const tol = D.max(new D(1), exact.mul(EXP_REL_TOL));
        if (exact.gte(WAD_D)) worstRel = Math.max(worstRel, err.div(exact).toNumber());
        expect(err.lte(tol), `exp(${x}) = ${ys[i]}, exact ${exact}`).to.equal(true);
      });
      console.log(`        worst expWad relative error (x >= 0): ${worstRel.toExponential(3)}`);
    });

    it("returns exactly 1e18 at 0 and is non-decreasing across its range", async function () {
      const { harness } = await loadFixture(deployHarness);
      expect(await harness.expWad(0n)).to.equal(WAD);
      const xs = fc.sample(fc.bigInt({ min: EXP_MIN_ARG, max: EXP_MAX_ARG }), { numRuns: 500, seed: 8 }).sort((a, b) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      const ys = await harness.expWadBatch(xs);
      for (let i = 1; i < ys.length; i++) expect(ys[i]).to.be.gte(ys[i - 1]);
    });

    it("accepts EXP_MAX_ARG and reverts with ExpOverflow(x, max) one wei above it", async function () {
      const { harness } = await loadFixture(deployHarness);
      const top = await harness.expWad(EXP_MAX_ARG);
      const exact = exactExpWei(EXP_MAX_ARG);
      expect(new D(top.toString()).sub(exact).abs().lte(exact.mul(EXP_REL_TOL))).to.equal(true);
      for (const x of [EXP_MAX_ARG + 1n, INT256_MAX]) {
        await expect(harness.expWad(x))
          .to.be.revertedWithCustomError(harness, "LogExpMathExpOverflow")
          .withArgs(x, EXP_MAX_ARG);
      }
    });

    it("returns 0 below EXP_MIN_ARG, where the exact value is under half a wei", async function () {
      const { harness } = await loadFixture(deployHarness);
      expect(exactExpWei(EXP_MIN_ARG).lt(1)).to.equal(true);
      for (const x of [EXP_MIN_ARG - 1n, -100n * WAD, INT256_MIN]) expect(await harness.expWad(x)).to.equal(0n);
    });

    it("inverts lnWad: exp(ln(x)) is within 1e-16 relative of x", async function () {
      const { harness } = await loadFixture(deployHarness);
      const xs = fc.sample(logUniform(10n ** 6n, 10n ** 50n), { numRuns: 300, seed: 9 });
      const lns = await harness.lnWadBatch(xs);
      const back = await harness.expWadBatch([...lns]);
      xs.forEach((x, i) => {
        const rel = new D(back[i].toString()).sub(x.toString()).abs().div(x.toString());
        expect(rel.lte("1e-16") || new D(back[i].toString()).sub(x.toString()).abs().lte(1), `x = ${x}`).to.equal(true);
      });
    });
  });
});
