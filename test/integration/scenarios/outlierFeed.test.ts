/**
 * Defends against an outlier feed: one of three Chainlink-style sources reports a crash that the others do not.
 * The router's median holds, so the account stays healthy and cannot be liquidated at the outlier's price.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ETH, options, WAD } from "../../helpers/coreFixture";
import { deployLiquidationWithRouterFixture } from "../../unit/liquidation/liquidationFixture";

const UNIT = 10n ** 8n; // feed decimals

describe("Scenario: an outlier feed", () => {
  it("the median holds: no liquidation at the outlier's price", async () => {
    const f = await loadFixture(deployLiquidationWithRouterFixture);
    const feeds = f.oracle!.feeds;
    // One source reports 1,000 (a 50% crash); the two others stay at 2,000.
    await feeds[0].pushRound(1000n * UNIT);
    await feeds[1].pushRound(2000n * UNIT);
    await feeds[2].pushRound(2000n * UNIT);
    const reading = await f.oracle!.router.getSpot(ETH);
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
