import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { CoreMathHarness } from "../../../typechain-types";
import { payoff, requirementWad, WAD, type RefLine } from "../../helpers/marginReference";

type HarnessLine = {
  amount: bigint;
  strike: bigint;
  price: bigint;
  delta: bigint;
  vega: bigint;
  settledPayoff: bigint;
  underlying: bigint;
  isCall: boolean;
  settled: boolean;
};

function toHarness(l: RefLine, underlying = 0n): HarnessLine {
  return {
    amount: l.amount,
    strike: l.strike,
    price: l.price,
    delta: 0n,
    vega: 0n,
    settledPayoff: l.settledPayoff ?? 0n,
    underlying,
    isCall: l.isCall,
    settled: l.settledPayoff !== undefined,
  };
}

async function deployHarness(): Promise<CoreMathHarness> {
  return hre.ethers.deployContract("CoreMathHarness");
}

const SPOT = 2000n * WAD;
const spots = (s0: bigint, s1 = 0n): [bigint, bigint, bigint, bigint] => [s0, s1, 0n, 0n];

/** Random lines around a spot: strikes within [0.3, 3] x spot, amounts up to +-1e6 options, prices up to spot. */
const lineArb = (spot: bigint) =>
  fc.record({
    amount: fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }).filter((a) => a !== 0n),
    strike: fc.bigInt({ min: (spot * 3n) / 10n, max: spot * 3n }),
    isCall: fc.boolean(),
    price: fc.bigInt({ min: 0n, max: spot }),
  });

describe("MarginMath", () => {
  describe("requirement", () => {
    it("test_requirement_matchesExactReference_randomPortfolios", async () => {
      const h = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(
          fc.array(lineArb(SPOT), { minLength: 1, maxLength: 8 }),
          fc.bigInt({ min: 10n ** 16n, max: 9n * 10n ** 17n }),
          fc.bigInt({ min: 0n, max: 5n * 10n ** 17n }),
          async (lines, shock, rate) => {
            const got = await h.requirement(lines.map((l) => toHarness(l)), spots(SPOT), shock, rate);
            expect(got).to.equal(requirementWad(lines, SPOT, shock, rate));
          },
        ),
        { numRuns: 150 },
      );
    });

    it("test_requirements_bothGridsInOnePass_equalTwoSingleGridRequirements", async () => {
      const h = await loadFixture(deployHarness);
      const mixedLine = fc.record({
        line: lineArb(SPOT),
        underlying: fc.constantFrom(0n, 1n),
        settled: fc.option(fc.bigInt({ min: 0n, max: SPOT }), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(mixedLine, { minLength: 1, maxLength: 8 }),
          fc.bigInt({ min: 10n ** 16n, max: 9n * 10n ** 17n }),
          fc.bigInt({ min: 0n, max: 5n * 10n ** 17n }),
          fc.bigInt({ min: 0n, max: 10n ** 18n }),
          async (entries, initialShock, initialMinCharge, fraction) => {
            // Maintenance parameters at most the initial ones, as the engine bounds them.
            const maintenanceShock = 10n ** 16n + ((initialShock - 10n ** 16n) * fraction) / 10n ** 18n;
            const maintenanceMinCharge = (initialMinCharge * fraction) / 10n ** 18n;
            const lines = entries.map((e) => toHarness({ ...e.line, settledPayoff: e.settled }, e.underlying));
            const s = spots(SPOT, 61_000n * WAD);
            const [initial, maintenance] = await h.requirements(lines, s, {
              initialShock,
              initialMinCharge,
              maintenanceShock,
              maintenanceMinCharge,
            });
            expect(initial).to.equal(await h.requirement(lines, s, initialShock, initialMinCharge));
            expect(maintenance).to.equal(await h.requirement(lines, s, maintenanceShock, maintenanceMinCharge));
          },
        ),
        { numRuns: 100 },
      );
    });

    it("test_requirement_sumsUnderlyingsWithoutNetting", async () => {
      const h = await loadFixture(deployHarness);
      const eth: RefLine = { amount: -3n * WAD, strike: 2100n * WAD, isCall: true, price: 150n * WAD };
      const btc: RefLine = { amount: -1n * WAD, strike: 58_000n * WAD, isCall: false, price: 2_500n * WAD };
      const shock = 2n * 10n ** 17n;
      const rate = 10n ** 17n;
      const both = await h.requirement([toHarness(eth, 0n), toHarness(btc, 1n)], spots(SPOT, 60_000n * WAD), shock, rate);
      expect(both).to.equal(requirementWad([eth], SPOT, shock, rate) + requirementWad([btc], 60_000n * WAD, shock, rate));
    });

    it("test_requirement_settledLineIsFixedAndCarriesNoCharge", async () => {
      const h = await loadFixture(deployHarness);
      const settled: RefLine = { amount: -2n * WAD, strike: 1900n * WAD, isCall: true, price: 100n * WAD, settledPayoff: 100n * WAD };
      const got = await h.requirement([toHarness(settled)], spots(SPOT), 2n * 10n ** 17n, 10n ** 17n);
      // Mark -200 equals every grid value: no scan loss, and a settled short owes no minimum charge.
      expect(got).to.equal(0n);
      expect(got).to.equal(requirementWad([settled], SPOT, 2n * 10n ** 17n, 10n ** 17n));
    });

    it("test_requirement_longOnlyNeverExceedsItsMark", async () => {
      const h = await loadFixture(deployHarness);
      await fc.assert(
        fc.asyncProperty(fc.array(lineArb(SPOT), { minLength: 1, maxLength: 8 }), async (lines) => {
          const longs = lines.map((l) => ({ ...l, amount: l.amount < 0n ? -l.amount : l.amount }));
          const req = await h.requirement(longs.map((l) => toHarness(l)), spots(SPOT), 2n * 10n ** 17n, 10n ** 17n);
          const mark = await h.markValue(longs.map((l) => toHarness(l)));
          expect(req).to.be.lessThanOrEqual(mark + 1n);
        }),
        { numRuns: 60 },
      );
    });

    it("test_requirement_verticalSpreadNeedsNoMoreThanItsShortLeg", async () => {
      const h = await loadFixture(deployHarness);
      const shortLeg: RefLine = { amount: -5n * WAD, strike: 2200n * WAD, isCall: false, price: 300n * WAD };
      const longLeg: RefLine = { amount: 5n * WAD, strike: 2000n * WAD, isCall: false, price: 180n * WAD };
      const naked = await h.requirement([toHarness(shortLeg)], spots(SPOT), 2n * 10n ** 17n, 10n ** 17n);
      const spread = await h.requirement([toHarness(shortLeg), toHarness(longLeg)], spots(SPOT), 2n * 10n ** 17n, 10n ** 17n);
      expect(spread).to.be.lessThan(naked);
    });

    it("test_requirement_tinySpotUsesFlatGrid", async () => {
      const h = await loadFixture(deployHarness);
      const spot = 2n; // step rounds to zero: every grid point is the spot
      const line: RefLine = { amount: -WAD, strike: 5n, isCall: false, price: 3n };
      const got = await h.requirement([toHarness(line)], spots(spot), 2n * 10n ** 17n, 10n ** 17n);
      expect(got).to.equal(requirementWad([line], spot, 2n * 10n ** 17n, 10n ** 17n));
    });
  });

  describe("marks, greeks, payoffs and conversions", () => {
    it("test_markValue_roundsTowardsMinusInfinity", async () => {
      const h = await loadFixture(deployHarness);
      const line = (amount: bigint, price: bigint) => toHarness({ amount, strike: WAD, isCall: true, price });
      expect(await h.markValue([line(1n, 1n)])).to.equal(0n);
      expect(await h.markValue([line(-1n, 1n)])).to.equal(-1n);
      expect(await h.markValue([line(3n * WAD, 7n), line(-WAD, 5n)])).to.equal(16n);
    });

    it("test_netGreeks_sumsOnlyTheUnderlying", async () => {
      const h = await loadFixture(deployHarness);
      const a = { ...toHarness({ amount: 2n * WAD, strike: WAD, isCall: true, price: 0n }), delta: WAD / 2n, vega: 10n * WAD };
      const b = { ...toHarness({ amount: -WAD, strike: WAD, isCall: false, price: 0n }), delta: -WAD / 4n, vega: 4n * WAD };
      const c = { ...a, underlying: 1n };
      const [delta, vega] = await h.netGreeks([a, b, c], 0n);
      expect(delta).to.equal(WAD + WAD / 4n);
      expect(vega).to.equal(16n * WAD);
    });

    it("test_payoff_callsAndPuts", async () => {
      const h = await loadFixture(deployHarness);
      for (const [strike, isCall, spot] of [
        [100n, true, 130n],
        [100n, true, 70n],
        [100n, false, 70n],
        [100n, false, 130n],
        [100n, true, 100n],
      ] as const) {
        expect(await h.payoff(strike, isCall, spot)).to.equal(payoff(strike, isCall, spot));
      }
    });

    it("test_minCharge_roundsUpAndCapsPutsAtStrike", async () => {
      const h = await loadFixture(deployHarness);
      expect(await h.minChargePerOption(2000n * WAD + 1n, 0n, true, 10n ** 17n)).to.equal(200n * WAD + 1n);
      expect(await h.minChargePerOption(2000n * WAD, 50n * WAD, false, 10n ** 17n)).to.equal(50n * WAD);
      expect(await h.minChargePerOption(2000n * WAD, 50n * WAD, true, 10n ** 17n)).to.equal(200n * WAD);
    });

    it("test_wadToQuote_floorAndCeil", async () => {
      const h = await loadFixture(deployHarness);
      const scale = 10n ** 12n;
      expect(await h.wadToQuoteFloor(scale + 1n, scale)).to.equal(1n);
      expect(await h.wadToQuoteFloor(-1n, scale)).to.equal(-1n);
      expect(await h.wadToQuoteFloor(-scale, scale)).to.equal(-1n);
      expect(await h.wadToQuoteFloor(-scale - 1n, scale)).to.equal(-2n);
      expect(await h.wadToQuoteCeil(0n, scale)).to.equal(0n);
      expect(await h.wadToQuoteCeil(1n, scale)).to.equal(1n);
      expect(await h.wadToQuoteCeil(scale, scale)).to.equal(1n);
      expect(await h.wadToQuoteCeil(scale + 1n, scale)).to.equal(2n);
    });
  });
});
