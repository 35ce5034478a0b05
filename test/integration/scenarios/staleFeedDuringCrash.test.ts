/**
 * Defends against a stale feed during a crash: a source that stopped updating must never price a liquidation.
 * While every source is stale the router reports FAILED and liquidation is refused; once fresh sources carry the
 * crash, the stale one is left out, the breaker trips REDUCE_ONLY on the degraded reading, and liquidations stay
 * open at the fresh median.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ETH, Mode, options, setSourcePrices, Status, usdc, wad, WAD } from "../../helpers/protocolFixture";
import { deployLiquidationScenario } from "./liquidationSetup";

describe("Scenario: a stale feed during a crash", () => {
  it("refuses liquidation while the price is stale, then liquidates at the fresh median in REDUCE_ONLY", async () => {
    const f = await loadFixture(deployLiquidationScenario);
    const router = f.router;
    await f.breaker.poke(ETH);

    // The feeds stop updating for longer than their heartbeat: nothing is fresh, the router fails.
    await time.increase(Math.max(...f.oracle.ETH.heartbeats) + 1);
    const stale = await router.getSpot(ETH);
    expect(stale.status).to.equal(Status.FAILED);
    await expect(
      f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(4))
    ).to.be.revertedWithCustomError(f.liquidation, "LiquidationOracleFailed");
    expect(
      await f.engine.positionOf(f.dave.address, f.series.put2000)
    ).to.equal(-options(40));

    // Two sources come back with the crash (1,700); the third is still stale at 2,000 and is left out.
    await setSourcePrices(f, [null, wad(1700), wad(1700)]);
    const reading = await router.getSpot(ETH);
    expect(reading.status).to.equal(Status.DEGRADED);
    expect(reading.price).to.equal(1700n * WAD);
    expect((await f.engine.accountHealth(f.dave.address)).health).to.be.lt(WAD);

    // The liquidation runs at the fresh median: fee 0.5% x 4 x 1,700 = 34, penalty 2% x 4 x 1,700 = 136.
    const tx = await f.liquidation
      .connect(f.keeper)
      .liquidate(f.dave.address, f.series.put2000, options(4));
    const receipt = await tx.wait();
    const liquidated = receipt!.logs
      .map((l) => {
        try {
          return f.liquidation.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .find((e) => e?.name === "Liquidated")!.args;
    expect(liquidated.fee).to.equal(usdc(34));
    expect(liquidated.penalty).to.equal(usdc(136));
    expect(liquidated.healthAfter).to.be.gt(liquidated.healthBefore);
    // The degraded reading tripped the market to REDUCE_ONLY, where liquidation stays open.
    expect((await f.breaker.modeOf(ETH))[0]).to.equal(Mode.REDUCE_ONLY);
    await expect(
      f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(4))
    ).to.emit(f.liquidation, "Liquidated");
  });
});
