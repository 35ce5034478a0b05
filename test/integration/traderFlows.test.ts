import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  DEADLINE,
  ETH,
  finaliseSettlement,
  MAX_PREMIUM as MAX,
  now,
  options,
  protocolFixture,
  setSpot,
  usdc,
  wad,
  warpTo,
} from "../helpers/protocolFixture";
import { expectConservation, expectUnchanged, netPosition } from "../helpers/coreState";

/**
 * Trader flows of the issue, end to end over the shipped deployment (deployProtocol, three Chainlink-style feeds
 * per underlying): quotes from the router's median spot, margin from the engine, counterparty in the vault,
 * settlement at the router's final price.
 */
describe("Integration: trader flows (shipped deployment)", () => {
  const fixture = protocolFixture();

  it("flow_buyCall_opensLongAgainstTheVault", async () => {
    const f = await loadFixture(fixture);
    const quote = await f.market.quote(f.series.call2000, options(2));
    expect(quote.spot).to.equal(wad(2000));
    await f.market.connect(f.alice).trade(f.series.call2000, options(2), (quote.premium * 101n) / 100n, DEADLINE);
    expect(await f.engine.positionOf(f.alice.address, f.series.call2000)).to.equal(options(2));
    expect(await f.engine.positionOf(await f.vault.getAddress(), f.series.call2000)).to.equal(-options(2));
    expect(await netPosition(f, f.series.call2000)).to.equal(0n);
    await expectConservation(f);
  });

  it("flow_buyPut_opensLongAgainstTheVault", async () => {
    const f = await loadFixture(fixture);
    await f.market.connect(f.alice).trade(f.series.put1800, options(3), MAX, DEADLINE);
    expect(await f.engine.positionOf(f.alice.address, f.series.put1800)).to.equal(options(3));
    expect(await f.engine.healthOf(f.alice.address)).to.be.greaterThan(wad(1));
    await expectConservation(f);
  });

  it("flow_closeAtProfit_afterSpotRises", async () => {
    const f = await loadFixture(fixture);
    const start = await f.engine.collateralOf(f.alice.address);
    await f.market.connect(f.alice).trade(f.series.call2000, options(2), MAX, DEADLINE);
    await setSpot(f, wad(2300));
    await f.market.connect(f.alice).trade(f.series.call2000, -options(2), 0n, DEADLINE);
    expect(await f.engine.positionOf(f.alice.address, f.series.call2000)).to.equal(0n);
    expect(await f.engine.collateralOf(f.alice.address)).to.be.greaterThan(start + usdc(250));
    await expectConservation(f);
  });

  it("flow_closeAtLoss_afterSpotFalls", async () => {
    const f = await loadFixture(fixture);
    const start = await f.engine.collateralOf(f.alice.address);
    await f.market.connect(f.alice).trade(f.series.call2000, options(2), MAX, DEADLINE);
    await setSpot(f, wad(1800));
    await f.market.connect(f.alice).trade(f.series.call2000, -options(2), 0n, DEADLINE);
    expect(await f.engine.collateralOf(f.alice.address)).to.be.lessThan(start - usdc(100));
    await expectConservation(f);
  });

  it("flow_sellPutWithPartialMargin", async () => {
    const f = await loadFixture(fixture);
    // Bob keeps 3,000 of collateral and writes ten 2000 puts: 20,000 of notional on partial margin.
    await f.engine.connect(f.bob).withdraw(usdc(97_000), f.bob.address);
    await f.market.connect(f.bob).trade(f.series.put2000, -options(10), 0n, DEADLINE);
    const h = await f.engine.accountHealth(f.bob.address);
    expect(h.collateral).to.be.lessThan(usdc(10_000));
    expect(h.equity).to.be.greaterThanOrEqual(h.initialRequirement);
    expect(h.initialRequirement).to.be.lessThan(usdc(20_000));
    // Writing ten more is beyond what that collateral carries.
    await expectUnchanged(f, () =>
      expect(f.market.connect(f.bob).trade(f.series.put2000, -options(10), 0n, DEADLINE))
        .to.be.revertedWithCustomError(f.engine, "MarginInitialRequirementNotMet"),
    );
  });

  it("flow_spreadNeedsLessMarginThanItsShortLegAlone", async () => {
    const f = await loadFixture(fixture);
    await f.engine.connect(f.carol).withdraw(usdc(98_600), f.carol.address);
    // With 1,400 of collateral the naked short of five 2200 puts is refused...
    await expect(f.market.connect(f.carol).trade(f.series.put2200, -options(5), 0n, DEADLINE)).to.be.revertedWithCustomError(
      f.engine,
      "MarginInitialRequirementNotMet",
    );
    // ...but with the 2000 put bought first, the same short forms a spread that fits.
    await f.market.connect(f.carol).trade(f.series.put2000, options(5), MAX, DEADLINE);
    await f.market.connect(f.carol).trade(f.series.put2200, -options(5), 0n, DEADLINE);
    const [spreadInitial] = await f.engine.requirementsOf(f.carol.address);
    await f.market.connect(f.alice).trade(f.series.put2200, -options(5), 0n, DEADLINE);
    const [nakedInitial] = await f.engine.requirementsOf(f.alice.address);
    expect(spreadInitial).to.be.lessThan(nakedInitial);
    await expectConservation(f);
  });

  describe("limits", () => {
    it("limit_slippage_buyAboveLimitIsRefused", async () => {
      const f = await loadFixture(fixture);
      const quote = await f.market.quote(f.series.call2000, options(1));
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.call2000, options(1), quote.premium / 2n, DEADLINE))
          .to.be.revertedWithCustomError(f.market, "MarketPremiumAboveLimit"),
      );
    });

    it("limit_slippage_sellBelowLimitIsRefused", async () => {
      const f = await loadFixture(fixture);
      const quote = await f.market.quote(f.series.call2000, -options(1));
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.bob).trade(f.series.call2000, -options(1), quote.premium * 2n, DEADLINE))
          .to.be.revertedWithCustomError(f.market, "MarketPremiumBelowLimit"),
      );
    });

    it("limit_deadline_passedIsRefused", async () => {
      const f = await loadFixture(fixture);
      const deadline = await now();
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, deadline)).to.be.revertedWithCustomError(
          f.market,
          "MarketDeadlinePassed",
        ),
      );
    });

    it("limit_cutoff_tradingStopsBeforeExpiry", async () => {
      const f = await loadFixture(fixture);
      const cutoff = BigInt(f.config.market.params.tradingCutoff);
      await warpTo(f.expiry - cutoff);
      await setSpot(f, wad(2000));
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE))
          .to.be.revertedWithCustomError(f.market, "MarketTradingClosed")
          .withArgs(f.series.call2000, f.expiry - cutoff),
      );
    });

    it("limit_margin_shortWithoutCollateralIsRefused", async () => {
      const f = await loadFixture(fixture);
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.keeper).trade(f.series.call2200, -options(1), 0n, DEADLINE))
          .to.be.revertedWithCustomError(f.engine, "MarginInitialRequirementNotMet")
          .withArgs(f.keeper.address, anyValue, (r: bigint) => r > 0n),
      );
    });

    it("limit_vaultCaps_openInterestDeltaAndVega", async () => {
      const f = await loadFixture(fixture);
      const current = await f.market.exposureCaps(ETH);
      const caps = {
        maxNetDelta: current.maxNetDelta,
        maxNetVega: current.maxNetVega,
        maxOpenInterest: current.maxOpenInterest,
      };
      await f.market.connect(f.risk).setExposureCaps(ETH, { ...caps, maxOpenInterest: options(3) });
      await expect(f.market.connect(f.alice).trade(f.series.call2000, options(4), MAX, DEADLINE)).to.be.revertedWithCustomError(
        f.market,
        "MarketOpenInterestCapExceeded",
      );
      await f.market.connect(f.risk).setExposureCaps(ETH, { ...caps, maxNetDelta: wad(1) });
      await expect(f.market.connect(f.alice).trade(f.series.call2000, options(4), MAX, DEADLINE)).to.be.revertedWithCustomError(
        f.market,
        "MarketDeltaCapExceeded",
      );
      await f.market.connect(f.risk).setExposureCaps(ETH, { ...caps, maxNetVega: wad(100) });
      await expect(f.market.connect(f.alice).trade(f.series.call2000, options(4), MAX, DEADLINE)).to.be.revertedWithCustomError(
        f.market,
        "MarketVegaCapExceeded",
      );
      await f.market.connect(f.risk).setExposureCaps(ETH, caps);
      await f.market.connect(f.alice).trade(f.series.call2000, options(4), MAX, DEADLINE);
    });

    it("limit_staleOracle_refusesTrades", async () => {
      const f = await loadFixture(fixture);
      await warpTo((await now()) + 2n * 3600n);
      await expect(f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE)).to.be.revertedWithCustomError(
        f.engine,
        "MarginOracleFailed",
      );
    });
  });

  describe("expiry", () => {
    it("expiry_inAndOutOfTheMoney_settleThroughTheVault", async () => {
      const f = await loadFixture(fixture);
      const vault = await f.vault.getAddress();
      await f.market.connect(f.alice).trade(f.series.call2000, options(2), MAX, DEADLINE); // ends 300 ITM
      await f.market.connect(f.bob).trade(f.series.put1800, -options(4), 0n, DEADLINE); // ends OTM
      await f.market.connect(f.carol).trade(f.series.call2200, -options(1), 0n, DEADLINE); // ends 100 ITM
      await finaliseSettlement(f, f.expiry, wad(2300));

      const before = {
        alice: await f.engine.collateralOf(f.alice.address),
        bob: await f.engine.collateralOf(f.bob.address),
        carol: await f.engine.collateralOf(f.carol.address),
        vault: await f.engine.collateralOf(vault),
      };
      await expect(f.engine.connect(f.keeper).settle(f.alice.address, f.series.call2000))
        .to.emit(f.engine, "PositionSettled")
        .withArgs(f.alice.address, f.series.call2000, options(2), wad(2300), usdc(600));
      await expect(f.engine.connect(f.keeper).settle(f.bob.address, f.series.put1800))
        .to.emit(f.engine, "PositionSettled")
        .withArgs(f.bob.address, f.series.put1800, -options(4), wad(2300), 0n);
      await expect(f.engine.connect(f.keeper).settle(f.carol.address, f.series.call2200))
        .to.emit(f.engine, "PositionSettled")
        .withArgs(f.carol.address, f.series.call2200, -options(1), wad(2300), -usdc(100));

      expect(await f.engine.collateralOf(f.alice.address)).to.equal(before.alice + usdc(600));
      expect(await f.engine.collateralOf(f.bob.address)).to.equal(before.bob);
      expect(await f.engine.collateralOf(f.carol.address)).to.equal(before.carol - usdc(100));
      expect(await f.engine.collateralOf(vault)).to.equal(before.vault - usdc(600) + usdc(100));
      const [ids] = await f.engine.positionsOf(vault);
      expect(ids.length).to.equal(0);
      await expectConservation(f);
      // Settled positions cannot settle twice, and every series can now be retired.
      await expect(f.engine.settle(f.alice.address, f.series.call2000)).to.be.revertedWithCustomError(
        f.engine,
        "MarginNoPosition",
      );
      for (const id of Object.values(f.series)) await f.engine.retireSeries(id);
      expect(await f.engine.liveSeriesCount(ETH)).to.equal(0n);
    });

    it("expiry_settlementWaitsForTheFinalPrice", async () => {
      const f = await loadFixture(fixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
      await warpTo(f.expiry + 1n);
      await expect(f.engine.settle(f.alice.address, f.series.call2000)).to.be.revertedWithCustomError(
        f.engine,
        "MarginSettlementNotFinal",
      );
    });
  });
});
