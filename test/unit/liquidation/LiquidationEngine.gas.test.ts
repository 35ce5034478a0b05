import { expect } from "chai";
import { GAS_BOUNDS, measure } from "../../../scripts/bench/gas/liquidation";

describe("LiquidationEngine gas", () => {
  it("test_liquidate_oneSeriesAccount_withinTheIssueBound", async () => {
    const results = await measure();
    for (const [name, bound] of Object.entries(GAS_BOUNDS)) {
      expect(results[name], name).to.be.a("bigint");
      expect(results[name], name).to.be.lte(bound);
    }
    // Every measured entry point did something (a zero would mean a skipped measurement).
    for (const value of Object.values(results)) expect(value).to.be.gt(21_000n);
  });
});
