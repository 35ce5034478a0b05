/**
 * Defends against a liquidation racing settlement at expiry: before expiry a liquidation closes part of the short;
 * from expiry on, liquidation is refused and settlement alone closes the rest, so nothing is closed twice and the
 * quote tokens stay conserved.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { finaliseSettlement, options, setSpot, wad, WAD } from "../../helpers/protocolFixture";
import { deployLiquidationScenario } from "./liquidationSetup";

describe("Scenario: a liquidation racing settlement at expiry", () => {
  it("liquidates until expiry, refuses from expiry on, and settlement closes the rest once", async () => {
    const f = await loadFixture(deployLiquidationScenario);
    const vault = await f.vault.getAddress();

    // One minute before expiry, the spot is down to 1600: dave fails maintenance and is liquidated in part.
    await time.increaseTo(f.expiry - 60n);
    await setSpot(f, wad(1600));
    expect((await f.engine.accountHealth(f.dave.address)).health).to.be.lt(WAD);
    await f.liquidation
      .connect(f.keeper)
      .liquidate(f.dave.address, f.series.put2000, options(10));
    const rest = await f.engine.positionOf(f.dave.address, f.series.put2000);
    expect(rest).to.equal(-options(30));

    // At expiry the keeper's next liquidation loses the race: it is refused and changes nothing.
    await time.increaseTo(f.expiry);
    await setSpot(f, wad(1600));
    const collateral = await f.engine.collateralOf(f.dave.address);
    await expect(
      f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(10))
    )
      .to.be.revertedWithCustomError(f.engine, "MarginSeriesExpired")
      .withArgs(f.series.put2000, f.expiry);
    expect(await f.engine.collateralOf(f.dave.address)).to.equal(collateral);

    // The sources' first rounds after expiry (1,600) are recorded and become final; settlement at that price
    // closes exactly the rest: 30 puts x 400.
    await finaliseSettlement(f, f.expiry, wad(1600));
    const vaultBefore = await f.engine.collateralOf(vault);
    await expect(
      f.engine.connect(f.keeper).settle(f.dave.address, f.series.put2000)
    )
      .to.emit(f.engine, "PositionSettled")
      .withArgs(
        f.dave.address,
        f.series.put2000,
        rest,
        wad(1600),
        -12_000n * 10n ** 6n
      );
    expect(
      await f.engine.positionOf(f.dave.address, f.series.put2000)
    ).to.equal(0n);
    expect((await f.engine.collateralOf(vault)) - vaultBefore).to.equal(
      12_000n * 10n ** 6n
    );
    // Neither path can close it again.
    await expect(
      f.engine.settle(f.dave.address, f.series.put2000)
    ).to.be.revertedWithCustomError(f.engine, "MarginNoPosition");
    await expect(
      f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(1))
    ).to.be.revertedWithCustomError(f.engine, "MarginSeriesExpired");
    const [balance, owed] = await f.engine.conservation();
    expect(balance).to.equal(owed);
  });
});
