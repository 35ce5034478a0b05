import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { WAD } from "../../helpers/units";

const MAX = 2n ** 256n - 1n;
const MAX_SQRT_WAD_INPUT = MAX / WAD;

async function deployHarness() {
  const harness = await ethers.deployContract("BlackScholesHarness");
  return { harness };
}

/** Exact integer square root (floor) by Newton's method on bigints. */
function isqrt(x: bigint): bigint {
  if (x < 2n) return x;
  let z = x;
  let y = (z + 1n) / 2n;
  while (y < z) {
    z = y;
    y = (z + x / z) / 2n;
  }
  return z;
}

/** A uint256 whose bit length is uniform in [0, 256]: small, medium and huge values equally often. */
const anyBits = fc.integer({ min: 0, max: 256 }).chain((bits) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }));

describe("FixedPointMath", function () {
  describe("mulDivDown / mulDivUp", function () {
    it("return the floor and the ceiling of x * y / d, or revert with MulDivOverflow when it does not fit", async function () {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(anyBits, anyBits, anyBits.filter((d) => d > 0n), async (x, y, d) => {
          const floor = (x * y) / d;
          const ceil = floor + ((x * y) % d === 0n ? 0n : 1n);
          if (floor > MAX) {
            await expect(harness.mulDivDown(x, y, d))
              .to.be.revertedWithCustomError(harness, "FixedPointMathMulDivOverflow")
              .withArgs(x, y, d);
          } else {
            expect(await harness.mulDivDown(x, y, d)).to.equal(floor);
          }
          if (ceil > MAX) {
            await expect(harness.mulDivUp(x, y, d))
              .to.be.revertedWithCustomError(harness, "FixedPointMathMulDivOverflow")
              .withArgs(x, y, d);
          } else {
            expect(await harness.mulDivUp(x, y, d)).to.equal(ceil);
          }
        }),
        { numRuns: 300 },
      );
    });

    it("computes through a 512-bit product when x * y overflows but the quotient fits", async function () {
      const { harness } = await loadFixture(deployHarness);
      expect(await harness.mulDivDown(MAX, MAX, MAX)).to.equal(MAX);
      expect(await harness.mulDivUp(MAX, MAX - 1n, MAX)).to.equal(MAX - 1n);
      expect(await harness.mulDivDown(2n ** 200n, 2n ** 200n, 2n ** 150n)).to.equal(2n ** 250n);
    });

    it("mulDivUp reverts with MulDivOverflow when only the rounding step overflows", async function () {
      const { harness } = await loadFixture(deployHarness);
      // x * 23 / 3 = MAX + 2/3: the floor fits, the ceiling does not.
      const x = 15103315987476025490030998044611466241730867565083551831233597914075625605209n;
      expect(await harness.mulDivDown(x, 23n, 3n)).to.equal(MAX);
      await expect(harness.mulDivUp(x, 23n, 3n))
        .to.be.revertedWithCustomError(harness, "FixedPointMathMulDivOverflow")
        .withArgs(x, 23n, 3n);
    });

    it("revert with DivisionByZero(x, y) for a zero denominator", async function () {
      const { harness } = await loadFixture(deployHarness);
      await expect(harness.mulDivDown(5n, 7n, 0n))
        .to.be.revertedWithCustomError(harness, "FixedPointMathDivisionByZero")
        .withArgs(5n, 7n);
      await expect(harness.mulDivUp(5n, 7n, 0n))
        .to.be.revertedWithCustomError(harness, "FixedPointMathDivisionByZero")
        .withArgs(5n, 7n);
    });
  });

  describe("WAD helpers", function () {
    it("mulWadDown/Up round x * y / 1e18 down and up, differing by one exactly when inexact", async function () {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: 2n ** 128n }), fc.bigInt({ min: 0n, max: 2n ** 120n }), async (x, y) => {
          const down = await harness.mulWadDown(x, y);
          const up = await harness.mulWadUp(x, y);
          expect(down).to.equal((x * y) / WAD);
          expect(up - down).to.equal((x * y) % WAD === 0n ? 0n : 1n);
        }),
        { numRuns: 200 },
      );
    });

    it("divWadDown/Up round x * 1e18 / y down and up, differing by one exactly when inexact", async function () {
      const { harness } = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 0n, max: 2n ** 190n }), fc.bigInt({ min: 1n, max: 2n ** 190n }), async (x, y) => {
          const down = await harness.divWadDown(x, y);
          const up = await harness.divWadUp(x, y);
          expect(down).to.equal((x * WAD) / y);
          expect(up - down).to.equal((x * WAD) % y === 0n ? 0n : 1n);
        }),
        { numRuns: 200 },
      );
    });

    it("rounds a one-wei product in the named direction", async function () {
      const { harness } = await loadFixture(deployHarness);
      expect(await harness.mulWadDown(1n, 1n)).to.equal(0n);
      expect(await harness.mulWadUp(1n, 1n)).to.equal(1n);
      expect(await harness.divWadDown(1n, 3n * WAD)).to.equal(0n);
      expect(await harness.divWadUp(1n, 3n * WAD)).to.equal(1n);
      expect(await harness.mulWadDown(3n * WAD, 2n * WAD)).to.equal(6n * WAD);
      expect(await harness.mulWadUp(3n * WAD, 2n * WAD)).to.equal(6n * WAD);
    });

    it("divWadDown/Up revert with DivisionByZero(x, WAD) for a zero divisor", async function () {
      const { harness } = await loadFixture(deployHarness);
      await expect(harness.divWadDown(42n, 0n))
        .to.be.revertedWithCustomError(harness, "FixedPointMathDivisionByZero")
        .withArgs(42n, WAD);
      await expect(harness.divWadUp(42n, 0n))
        .to.be.revertedWithCustomError(harness, "FixedPointMathDivisionByZero")
        .withArgs(42n, WAD);
    });

    it("mulWadDown reverts with MulDivOverflow when the product exceeds 256 bits after scaling", async function () {
      const { harness } = await loadFixture(deployHarness);
      await expect(harness.mulWadDown(MAX, 2n * WAD))
        .to.be.revertedWithCustomError(harness, "FixedPointMathMulDivOverflow")
        .withArgs(MAX, 2n * WAD, WAD);
    });
  });

  describe("sqrtDown / sqrtWadDown", function () {
    it("sqrtDown returns floor(sqrt(x)) for 1,000 inputs of every bit length", async function () {
      const { harness } = await loadFixture(deployHarness);
      const xs = fc.sample(anyBits, { numRuns: 1000, seed: 11 });
      const ys = await harness.sqrtDownBatch(xs);
      xs.forEach((x, i) => expect(ys[i], `sqrt(${x})`).to.equal(isqrt(x)));
    });

    it("sqrtDown is exact at perfect squares, one below them, and at the extremes", async function () {
      const { harness } = await loadFixture(deployHarness);
      const roots = [1n, 2n, 3n, 10n ** 9n, 2n ** 64n - 1n, 2n ** 127n + 3n, 2n ** 128n - 1n];
      const xs = [0n, 1n, 2n, 3n, MAX, ...roots.flatMap((r) => [r * r, r * r - 1n, r * r + 1n])];
      const ys = await harness.sqrtDownBatch(xs);
      xs.forEach((x, i) => expect(ys[i], `sqrt(${x})`).to.equal(isqrt(x)));
      expect(await harness.sqrtDown(MAX)).to.equal(2n ** 128n - 1n);
    });

    it("sqrtWadDown returns floor(sqrt(x * 1e18)) and reverts with SqrtWadOverflow above its limit", async function () {
      const { harness } = await loadFixture(deployHarness);
      for (const x of [0n, 1n, WAD, 2n * WAD, 4n * WAD, 31_536_000n * WAD, MAX_SQRT_WAD_INPUT]) {
        expect(await harness.sqrtWadDown(x)).to.equal(isqrt(x * WAD));
      }
      expect(await harness.sqrtWadDown(4n * WAD)).to.equal(2n * WAD);
      await expect(harness.sqrtWadDown(MAX_SQRT_WAD_INPUT + 1n))
        .to.be.revertedWithCustomError(harness, "FixedPointMathSqrtWadOverflow")
        .withArgs(MAX_SQRT_WAD_INPUT + 1n, MAX_SQRT_WAD_INPUT);
    });
  });
});
