import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { measure, measureSpotGas } from "../../../scripts/bench/gas/oracle";
import { MODE, deployOracleFixture } from "../../helpers/oracleFixture";

/** Ceiling of a spot read over three healthy Chainlink sources (execution gas), held at the measured figure. */
const SPOT_3_SOURCES_BOUND = 24_000n;

describe("OracleRouter: gas", function () {
  it("test_getSpot_threeHealthySourcesStayUnderCeiling", async function () {
    const f = await loadFixture(deployOracleFixture);
    const gas = await measureSpotGas(f.router, f.underlying);
    console.log(`        getSpot, 3 sources: ${gas} gas`);
    expect(gas).to.be.lte(SPOT_3_SOURCES_BOUND);
    // Four cold accounts (3 feeds, the source list; adapters are not called) and four cold slots (the configuration,
    // one per feed) alone cost 18,800: a lower reading would have measured something else.
    expect(gas).to.be.greaterThan(18_800n);
  });

  it("test_getSpot_gasOfFailingSourceIsBoundedByItsCap", async function () {
    const f = await loadFixture(deployOracleFixture);
    const healthy = await measureSpotGas(f.router, f.underlying);
    await f.feeds[1].setMode(MODE.BURN_GAS);
    const burning = await measureSpotGas(f.router, f.underlying);
    // The burning feed costs its 100,000 cap and not a unit of gas beyond a few thousand of bookkeeping.
    expect(burning - healthy).to.be.lessThan(100_000n + 2_000n);
    expect(burning - healthy).to.be.greaterThan(95_000n);
  });

  it("test_measure_reportsEveryOracleOperation", async function () {
    const ops = await measure();
    expect(Object.keys(ops)).to.deep.equal([
      "oracle.spot_3_sources",
      "oracle.spot_5_sources",
      "oracle.settlement_finalize",
      "oracle.settlement_dispute",
    ]);
    for (const [name, gas] of Object.entries(ops)) {
      console.log(`        ${name.padEnd(28)} ${gas}`);
      expect(gas, name).to.be.greaterThan(21_000n);
    }
    expect(ops["oracle.spot_3_sources"]).to.be.lte(SPOT_3_SOURCES_BOUND);
  });
});
