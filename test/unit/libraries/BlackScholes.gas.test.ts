import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { REPRESENTATIVE_POINTS, measure, measurePoints } from "../../../scripts/bench/gas/math";
import { bsPointArb } from "../../helpers/reference/domain";

/** The bound for one priceAndDelta evaluation. */
const GAS_BOUND = 15_000n;

async function deployHarness() {
  const harness = await ethers.deployContract("BlackScholesHarness");
  return { harness };
}

describe("BlackScholes gas", function () {
  it("spends at most 15,000 gas on priceAndDelta at every representative point", async function () {
    const rows = await measurePoints();
    expect(rows).to.have.length(REPRESENTATIVE_POINTS.length);
    for (const r of rows) {
      console.log(`        ${r.gas.toString().padStart(6)} gas  ${r.label}`);
      expect(r.gas, r.label).to.be.lte(GAS_BOUND);
      // A zero reading would mean the probe measured nothing.
      expect(r.gas, r.label).to.be.greaterThan(1_000n);
    }
  });

  it("reports the worst representative evaluation as blackscholes.price_delta", async function () {
    const rows = await measurePoints();
    const result = await measure();
    expect(Object.keys(result)).to.deep.equal(["blackscholes.price_delta"]);
    expect(result["blackscholes.price_delta"]).to.equal(rows.reduce((m, r) => (r.gas > m ? r.gas : m), 0n));
  });

  it("stays within the bound on 300 random points across the domain", async function () {
    const { harness } = await loadFixture(deployHarness);
    let worst = 0n;
    await fc.assert(
      fc.asyncProperty(bsPointArb, fc.boolean(), async (p, isCall) => {
        const [, , gas] = await harness.measurePriceAndDelta(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate, isCall);
        if (gas > worst) worst = gas;
        expect(gas).to.be.lte(GAS_BOUND);
      }),
      { numRuns: 300 },
    );
    console.log(`        worst over the random points: ${worst} gas`);
  });
});
