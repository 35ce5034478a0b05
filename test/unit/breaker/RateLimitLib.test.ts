/** RateLimitLib: rounding directions, bounds, and the rate-limit property over random flow sequences. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { RateLimitLibHarness } from "../../../typechain-types";

async function deployHarness() {
  return (await ethers.deployContract("RateLimitLibHarness")) as unknown as RateLimitLibHarness;
}

const LIMIT = 1_000_000n * 10n ** 6n;
const PERIOD = 86_400n;

describe("RateLimitLib", () => {
  it("test_refill_roundsDownForDebtAndUpForCredit", async () => {
    const lib = await loadFixture(deployHarness);
    expect(await lib.refillDown(10n, 3n, 1n)).to.equal(3n);
    expect(await lib.refillUp(10n, 3n, 1n)).to.equal(4n);
    expect(await lib.refillDown(9n, 3n, 1n)).to.equal(3n);
    expect(await lib.refillUp(9n, 3n, 1n)).to.equal(3n);
    expect(await lib.refillUp(10n, 3n, 0n)).to.equal(0n);
  });

  it("test_decayed_neverCrossesZero", async () => {
    const lib = await loadFixture(deployHarness);
    expect(await lib.decayed(LIMIT, LIMIT, PERIOD, PERIOD)).to.equal(0n);
    expect(await lib.decayed(LIMIT, LIMIT, PERIOD, 10n * PERIOD)).to.equal(0n);
    expect(await lib.decayed(-LIMIT, LIMIT, PERIOD, 10n * PERIOD)).to.equal(0n);
    expect(await lib.decayed(0n, LIMIT, PERIOD, PERIOD)).to.equal(0n);
    expect(await lib.decayed(LIMIT, LIMIT, PERIOD, PERIOD / 2n)).to.equal(LIMIT / 2n);
    expect(await lib.decayed(-LIMIT, LIMIT, PERIOD, PERIOD / 2n)).to.equal(-LIMIT / 2n);
    // A year of elapsed time cannot overflow (limit < 2^96, elapsed < 2^40).
    expect(await lib.decayed(2n ** 95n - 1n, 2n ** 95n - 1n, 1n, 2n ** 40n - 1n)).to.equal(0n);
  });

  it("test_availableDown_flooredAtZero", async () => {
    const lib = await loadFixture(deployHarness);
    expect(await lib.availableDown(0n, LIMIT)).to.equal(LIMIT);
    expect(await lib.availableDown(-LIMIT, LIMIT)).to.equal(2n * LIMIT);
    expect(await lib.availableDown(LIMIT, LIMIT)).to.equal(0n);
    expect(await lib.availableDown(LIMIT + 1n, LIMIT)).to.equal(0n);
  });

  it("test_afterInflow_flooredAtMinusLimit_withoutOverflow", async () => {
    const lib = await loadFixture(deployHarness);
    expect(await lib.afterInflow(LIMIT, LIMIT, LIMIT)).to.equal(0n);
    expect(await lib.afterInflow(LIMIT, LIMIT, 2n * LIMIT)).to.equal(-LIMIT);
    expect(await lib.afterInflow(LIMIT, LIMIT, 2n * LIMIT - 1n)).to.equal(-LIMIT + 1n);
    expect(await lib.afterInflow(0n, LIMIT, 2n ** 256n - 1n)).to.equal(-LIMIT);
    expect(await lib.afterInflow(-LIMIT, LIMIT, 1n)).to.equal(-LIMIT);
  });

  it("test_reached_atTripShareOnly", async () => {
    const lib = await loadFixture(deployHarness);
    expect(await lib.reached((LIMIT * 99n) / 100n, LIMIT, 9_900n)).to.equal(true);
    expect(await lib.reached((LIMIT * 99n) / 100n - 1n, LIMIT, 9_900n)).to.equal(false);
    expect(await lib.reached(0n, LIMIT, 0n)).to.equal(false);
    expect(await lib.reached(-LIMIT, LIMIT, 0n)).to.equal(false);
  });

  it("prop_acceptedOutflowsNeverExceedLimitPlusRefillPlusInflows", async () => {
    const lib = await loadFixture(deployHarness);
    const step = fc.record({
      dt: fc.bigInt({ min: 0n, max: PERIOD / 4n }),
      inflow: fc.boolean(),
      amount: fc.bigInt({ min: 1n, max: 2n * LIMIT }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        // A bucket driven exactly as CircuitBreaker drives it; the outflows it accepts over the run are bounded.
        let net = 0n;
        let elapsedTotal = 0n;
        let accepted = 0n;
        let inflows = 0n;
        for (const s of steps) {
          elapsedTotal += s.dt;
          net = await lib.decayed(net, LIMIT, PERIOD, s.dt);
          if (s.inflow) {
            net = await lib.afterInflow(net, LIMIT, s.amount);
            inflows += s.amount;
          } else if (s.amount <= (await lib.availableDown(net, LIMIT))) {
            net += s.amount;
            accepted += s.amount;
          }
          expect(net <= LIMIT && net >= -LIMIT).to.equal(true);
        }
        // accepted = net_end - net_0 + (inflows applied) + (debt refilled) - (credit expired)
        //         <= limit + inflows + floor(limit * elapsed / period), since each step refills rounded down.
        const refill = (LIMIT * elapsedTotal) / PERIOD;
        expect(accepted <= LIMIT + refill + inflows).to.equal(true);
      }),
      { numRuns: 40 }
    );
  });
});
