/**
 * Defends against an outlier feed: one of three Chainlink-style sources reports a crash that the others do not.
 * The router's median holds, so the account stays healthy and cannot be liquidated at the outlier's price.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ETH, options, setSourcePrices, wad, WAD } from "../../helpers/protocolFixture";
import { deployLiquidationScenario } from "./liquidationSetup";

describe("Scenario: an outlier feed", () => {
  it("the median holds: no liquidation at the outlier's price", async () => {
    const f = await loadFixture(deployLiquidationScenario);
    // One source reports 1,000 (a 50% crash); the two others stay at 2,000.
    await setSourcePrices(f, [wad(1000), wad(2000), wad(2000)]);
    const reading = await f.router.getSpot(ETH);
    expect(reading.price).to.equal(2000n * WAD);
    expect((await f.engine.accountHealth(f.dave.address)).health).to.be.gte(
      WAD
    );
    await expect(
      f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(10))
    )
      .to.be.revertedWithCustomError(f.engine, "MarginNotLiquidatable")
      .withArgs(f.dave.address, (h: bigint) => h >= WAD);
    expect(
      await f.engine.positionOf(f.dave.address, f.series.put2000)
    ).to.equal(-options(40));
  });
});
