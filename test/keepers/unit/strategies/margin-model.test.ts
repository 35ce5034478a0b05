import { expect } from "chai";
import fc from "fast-check";
import { accountHealthOf, NO_REQUIREMENT, underlyingRequirementWad, WAD, type ModelLine } from "../../../../keepers/src/strategies/liquidator/margin-model";
import { equityQuote, requirementQuote, requirementWad, type RefLine } from "../../../helpers/marginReference";

const ETH = "0x" + "11".repeat(32);
const BTC = "0x" + "22".repeat(32);
const SCALE = 10n ** 12n;
const params = { maintenanceShock: (12n * WAD) / 100n, maintenanceMinCharge: (6n * WAD) / 100n, scale: SCALE };

const line = fc.record({
  amount: fc.bigInt({ min: -(10n ** 21n), max: 10n ** 21n }).filter((x) => x !== 0n),
  strike: fc.bigInt({ min: 100n * WAD, max: 10_000n * WAD }),
  isCall: fc.boolean(),
  price: fc.bigInt({ min: 0n, max: 5_000n * WAD }),
});

describe("keepers strategies/liquidator: margin model", () => {
  it("matches the independent reference of the margin model on one underlying (equity, requirement, health)", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), fc.bigInt({ min: 100n * WAD, max: 10_000n * WAD }), fc.bigInt({ min: 0n, max: 10n ** 12n }), (ls, spot, collateral) => {
        const model: ModelLine[] = ls.map((l) => ({ ...l, underlying: ETH }));
        const ref: RefLine[] = ls.map((l) => ({ ...l }));
        const h = accountHealthOf(collateral, model, new Map([[ETH, spot]]), params);
        const equity = equityQuote(collateral, ref);
        const maintenance = requirementQuote(ref, spot, params.maintenanceShock, params.maintenanceMinCharge);
        expect(h.equity).to.equal(equity);
        expect(h.maintenance).to.equal(maintenance);
        const health = maintenance === 0n ? NO_REQUIREMENT : equity <= 0n ? 0n : (equity * WAD) / maintenance;
        expect(h.health).to.equal(health);
        expect(underlyingRequirementWad(model, spot, params.maintenanceShock, params.maintenanceMinCharge)).to.equal(
          requirementWad(ref, spot, params.maintenanceShock, params.maintenanceMinCharge),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("sums the requirements of several underlyings in WAD before rounding once, and a settled line carries no charge", () => {
    const eth: ModelLine = { amount: -2n * WAD, strike: 3000n * WAD, isCall: true, price: 100n * WAD, underlying: ETH };
    const btc: ModelLine = { amount: -WAD / 10n, strike: 60_000n * WAD, isCall: false, price: 2_000n * WAD, underlying: BTC };
    const spots = new Map([[ETH, 3000n * WAD], [BTC, 60_000n * WAD]]);
    const both = accountHealthOf(10_000_000_000n, [eth, btc], spots, params);
    const wadSum = underlyingRequirementWad([eth], 3000n * WAD, params.maintenanceShock, params.maintenanceMinCharge) +
      underlyingRequirementWad([btc], 60_000n * WAD, params.maintenanceShock, params.maintenanceMinCharge);
    expect(both.maintenance).to.equal((wadSum - 1n) / SCALE + 1n);
    // A short whose settlement price is final is worth its payoff at every grid point: only its mark counts.
    const settled = accountHealthOf(10_000_000_000n, [{ ...eth, settledPayoff: 100n * WAD }], spots, params);
    expect(settled.maintenance).to.equal(0n);
    expect(settled.health).to.equal(NO_REQUIREMENT);
    expect(() => accountHealthOf(0n, [eth], new Map(), params)).to.throw(/no spot/);
  });
});
