import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployCoreFixture, ETH, now, options, setSpot, usdc, wad, type CoreFixture } from "../../helpers/coreFixture";
import { expectConservation, expectUnchanged, netPosition, travelTo } from "../../helpers/coreState";

const DEADLINE = 2n ** 64n;
const MAX = 2n ** 128n;

/** Moves past expiry and makes `price` the final settlement price of the fixture's expiry. */
async function expireAt(f: CoreFixture, price: bigint, isFinal = true): Promise<void> {
  await travelTo(f.expiry + 1n);
  await f.router.setSettlementPrice(ETH, f.expiry, price, isFinal);
  await setSpot(f, price);
}

describe("MarginEngine: settlement", () => {
  it("test_settle_longInTheMoney_receivesPayoffFromVault", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.alice).trade(f.series.call2000, options(2), MAX, DEADLINE);
    await expireAt(f, wad(2300));
    const vault = await f.vault.getAddress();
    const [aliceBefore, vaultBefore] = [await f.engine.collateralOf(f.alice.address), await f.engine.collateralOf(vault)];
    await expect(f.engine.connect(f.keeper).settle(f.alice.address, f.series.call2000))
      .to.emit(f.engine, "PositionSettled")
      .withArgs(f.alice.address, f.series.call2000, options(2), wad(2300), usdc(600));
    expect(await f.engine.collateralOf(f.alice.address)).to.equal(aliceBefore + usdc(600));
    expect(await f.engine.collateralOf(vault)).to.equal(vaultBefore - usdc(600));
    expect(await f.engine.positionOf(f.alice.address, f.series.call2000)).to.equal(0n);
    expect(await f.engine.positionOf(vault, f.series.call2000)).to.equal(0n);
    await expectConservation(f);
  });

  it("test_settle_shortInTheMoney_paysPayoffToVault", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.bob).trade(f.series.put2000, -options(3), 0n, DEADLINE);
    await expireAt(f, wad(1750));
    const before = await f.engine.collateralOf(f.bob.address);
    await expect(f.engine.connect(f.keeper).settle(f.bob.address, f.series.put2000))
      .to.emit(f.engine, "PositionSettled")
      .withArgs(f.bob.address, f.series.put2000, -options(3), wad(1750), -usdc(750));
    expect(await f.engine.collateralOf(f.bob.address)).to.equal(before - usdc(750));
    expect(await f.engine.positionOf(await f.vault.getAddress(), f.series.put2000)).to.equal(0n);
    await expectConservation(f);
  });

  it("test_settle_outOfTheMoney_paysNothingAndClosesPosition", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.alice).trade(f.series.call2200, options(1), MAX, DEADLINE);
    await expireAt(f, wad(2100));
    const before = await f.engine.collateralOf(f.alice.address);
    await expect(f.engine.connect(f.alice).settle(f.alice.address, f.series.call2200))
      .to.emit(f.engine, "PositionSettled")
      .withArgs(f.alice.address, f.series.call2200, options(1), wad(2100), 0n);
    expect(await f.engine.collateralOf(f.alice.address)).to.equal(before);
    const [ids] = await f.engine.positionsOf(f.alice.address);
    expect(ids.length).to.equal(0);
  });

  it("test_settle_roundsLongPayoutDownAndShortPaymentUp", async () => {
    const f = await loadFixture(deployCoreFixture);
    // 1e-9 option: payoffs of 500 and 300 are worth 5e-7 and 3e-7 quote: the long gets 0, the short pays 1 unit.
    await f.market.connect(f.alice).trade(f.series.call2000, 10n ** 9n, MAX, DEADLINE);
    await f.market.connect(f.bob).trade(f.series.call2200, -(10n ** 9n), 0n, DEADLINE);
    await expireAt(f, wad(2500));
    await expect(f.engine.settle(f.alice.address, f.series.call2000))
      .to.emit(f.engine, "PositionSettled")
      .withArgs(f.alice.address, f.series.call2000, 10n ** 9n, wad(2500), 0n);
    await expect(f.engine.settle(f.bob.address, f.series.call2200))
      .to.emit(f.engine, "PositionSettled")
      .withArgs(f.bob.address, f.series.call2200, -(10n ** 9n), wad(2500), -1n);
    await expectConservation(f);
  });

  it("test_settle_shortBeyondCollateral_paysAllAndRecordsBadDebt", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.engine.connect(f.carol).withdraw(usdc(98_000), f.carol.address);
    await f.market.connect(f.carol).trade(f.series.put1800, -options(5), 0n, DEADLINE);
    const collateral = await f.engine.collateralOf(f.carol.address);
    await expireAt(f, wad(1000));
    // Owed: 5 x 800 = 4,000; held: about 2,000 plus premium.
    await expect(f.engine.settle(f.carol.address, f.series.put1800))
      .to.emit(f.engine, "BadDebtRecorded")
      .withArgs(f.carol.address, f.series.put1800, usdc(4000) - collateral);
    expect(await f.engine.collateralOf(f.carol.address)).to.equal(0n);
    await expectConservation(f);
  });

  it("test_settle_beforeExpiry_reverts", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
    await f.router.setSettlementPrice(ETH, f.expiry, wad(2300), true);
    await expectUnchanged(f, () =>
      expect(f.engine.settle(f.alice.address, f.series.call2000))
        .to.be.revertedWithCustomError(f.engine, "MarginSeriesNotExpired")
        .withArgs(f.series.call2000, f.expiry),
    );
  });

  it("test_settle_priceNotFinal_reverts", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
    await expireAt(f, wad(2300), false);
    await expectUnchanged(f, () =>
      expect(f.engine.settle(f.alice.address, f.series.call2000))
        .to.be.revertedWithCustomError(f.engine, "MarginSettlementNotFinal")
        .withArgs(f.series.call2000, wad(2300)),
    );
  });

  it("test_settle_twice_revertsNoPosition", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
    await expireAt(f, wad(2300));
    await f.engine.settle(f.alice.address, f.series.call2000);
    await expectUnchanged(f, () =>
      expect(f.engine.settle(f.alice.address, f.series.call2000))
        .to.be.revertedWithCustomError(f.engine, "MarginNoPosition")
        .withArgs(f.alice.address, f.series.call2000),
    );
  });

  it("test_settle_vaultAccount_revertsSettlesWithCounterparties", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
    await expireAt(f, wad(2300));
    await expect(f.engine.settle(await f.vault.getAddress(), f.series.call2000))
      .to.be.revertedWithCustomError(f.engine, "MarginVaultSettlesWithCounterparties")
      .withArgs(f.series.call2000);
  });

  it("test_settle_offsettingTraders_keepPositionsSummingToZero", async () => {
    const f = await loadFixture(deployCoreFixture);
    const vault = await f.vault.getAddress();
    await f.market.connect(f.alice).trade(f.series.call2000, options(5), MAX, DEADLINE);
    await f.market.connect(f.bob).trade(f.series.call2000, -options(5), 0n, DEADLINE);
    expect(await f.engine.positionOf(vault, f.series.call2000)).to.equal(0n);
    await expireAt(f, wad(2200));
    await f.engine.settle(f.alice.address, f.series.call2000);
    // The vault now faces bob's short until he settles.
    expect(await f.engine.positionOf(vault, f.series.call2000)).to.equal(options(5));
    expect(await netPosition(f, f.series.call2000)).to.equal(0n);
    await f.engine.settle(f.bob.address, f.series.call2000);
    expect(await f.engine.positionOf(vault, f.series.call2000)).to.equal(0n);
    await expectConservation(f);
  });

  it("test_settledSeries_isValuedAtItsPayoff", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
    await expireAt(f, wad(2250));
    await setSpot(f, wad(3000));
    const mark = await f.engine.markOf(f.series.call2000);
    expect(mark.price).to.equal(wad(250));
    expect(await f.engine.equityOf(f.alice.address)).to.equal((await f.engine.collateralOf(f.alice.address)) + usdc(250));
  });

  it("test_expiredUnfinalSeries_isValuedAtIntrinsicSpot", async () => {
    const f = await loadFixture(deployCoreFixture);
    await f.market.connect(f.alice).trade(f.series.put2000, options(1), MAX, DEADLINE);
    await expireAt(f, 0n, false);
    await setSpot(f, wad(1900));
    expect((await f.engine.markOf(f.series.put2000)).price).to.equal(wad(100));
  });

  describe("retirement", () => {
    it("test_retireSeries_afterAllHoldersSettled_freesLiveSlot", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
      await expireAt(f, wad(2300));
      await expect(f.engine.retireSeries(f.series.call2000))
        .to.be.revertedWithCustomError(f.engine, "MarginSeriesNotRetirable")
        .withArgs(f.series.call2000, -options(1));
      await f.engine.settle(f.alice.address, f.series.call2000);
      const live = await f.engine.liveSeriesCount(ETH);
      await expect(f.engine.connect(f.keeper).retireSeries(f.series.call2000))
        .to.emit(f.engine, "SeriesRetired")
        .withArgs(f.series.call2000, ETH);
      expect(await f.engine.liveSeriesCount(ETH)).to.equal(live - 1n);
      expect((await f.engine.getSeries(f.series.call2000)).retired).to.equal(true);
      await expect(f.engine.retireSeries(f.series.call2000)).to.be.revertedWithCustomError(
        f.engine,
        "MarginSeriesNotRetirable",
      );
    });

    it("test_retireSeries_beforeExpiry_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.retireSeries(f.series.put1800))
        .to.be.revertedWithCustomError(f.engine, "MarginSeriesNotExpired")
        .withArgs(f.series.put1800, f.expiry);
    });

    it("test_retireSeries_neverTraded_retiresAtExpiry", async () => {
      const f = await loadFixture(deployCoreFixture);
      await travelTo(f.expiry);
      await f.engine.retireSeries(f.series.put1800);
      const expiry = (await now()) + 7n * 86_400n;
      await setSpot(f, wad(2000));
      // The freed slot can be used by a new listing.
      for (let i = 0; i < 7; i++) {
        await f.market.connect(f.risk).listSeries(ETH, wad(1700 + i * 100), expiry, false, wad("0.8"));
      }
      expect(await f.engine.liveSeriesCount(ETH)).to.equal(12n);
    });
  });
});
