import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BTC,
  DEFAULT_CAPS,
  DEFAULT_QUOTE_PARAMS,
  deployCoreFixture,
  ETH,
  now,
  wad,
} from "../../helpers/coreFixture";
import { expectUnchanged } from "../../helpers/coreState";

const DAY = 86_400n;

describe("OptionMarket: listing and configuration", () => {
  describe("listSeries", () => {
    it("test_listSeries_registersTermsAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = (await now()) + 7n * DAY;
      const next = (await f.engine.seriesCount()) + 1n;
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(2100), expiry, true, wad("0.7")))
        .to.emit(f.market, "SeriesListed")
        .withArgs(next, ETH, wad(2100), expiry, true)
        .and.to.emit(f.engine, "SeriesRegistered")
        .withArgs(next, ETH, wad(2100), expiry, true, wad("0.7"));
      const s = await f.engine.getSeries(next);
      expect([s.underlying, s.strike, s.expiry, s.isCall, s.vol, s.retired]).to.deep.equal([
        ETH,
        wad(2100),
        expiry,
        true,
        wad("0.7"),
        false,
      ]);
      expect(await f.market.seriesIdOf(ETH, wad(2100), expiry, true)).to.equal(next);
      expect(await f.engine.liveSeriesCount(ETH)).to.equal(7n);
    });

    it("test_listSeries_duplicate_revertsWithExistingId", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.risk).listSeries(ETH, wad(2000), f.expiry, true, wad("0.8")))
          .to.be.revertedWithCustomError(f.market, "MarketSeriesExists")
          .withArgs(f.series.call2000),
      );
    });

    it("test_listSeries_expiryTooSoon_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = (await now()) + 3600n;
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(2000), expiry, true, wad("0.8"))).to.be.revertedWithCustomError(
        f.market,
        "MarketExpiryOutOfRange",
      );
    });

    it("test_listSeries_expiryTooFar_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = (await now()) + 366n * DAY;
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(2000), expiry, true, wad("0.8"))).to.be.revertedWithCustomError(
        f.market,
        "MarketExpiryOutOfRange",
      );
    });

    it("test_listSeries_strikeOutsideBand_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = (await now()) + 7n * DAY;
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(399), expiry, false, wad("0.8")))
        .to.be.revertedWithCustomError(f.market, "MarketStrikeOutOfRange")
        .withArgs(wad(399), wad(400), wad(10_000));
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(10_001), expiry, true, wad("0.8")))
        .to.be.revertedWithCustomError(f.market, "MarketStrikeOutOfRange")
        .withArgs(wad(10_001), wad(400), wad(10_000));
    });

    it("test_listSeries_volOutOfRange_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = (await now()) + 7n * DAY;
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(2000), expiry, true, wad("0.04")))
        .to.be.revertedWithCustomError(f.market, "MarketVolOutOfRange")
        .withArgs(wad("0.04"), wad("0.05"), wad(5));
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(2000), expiry, true, wad("5.01")))
        .to.be.revertedWithCustomError(f.market, "MarketVolOutOfRange")
        .withArgs(wad("5.01"), wad("0.05"), wad(5));
    });

    it("test_listSeries_unknownUnderlying_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.router.setSpot(BTC, wad(60_000));
      const expiry = (await now()) + 7n * DAY;
      await expect(f.market.connect(f.risk).listSeries(BTC, wad(60_000), expiry, true, wad("0.6")))
        .to.be.revertedWithCustomError(f.engine, "MarginUnknownUnderlying")
        .withArgs(BTC);
    });

    it("test_listSeries_failedOracle_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.router.setReading(ETH, 0n, 2, 1, 0);
      const expiry = (await now()) + 7n * DAY;
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(2000), expiry, true, wad("0.8")))
        .to.be.revertedWithCustomError(f.market, "MarketSpotUnavailable")
        .withArgs(ETH);
    });

    it("test_listSeries_liveBoundPerUnderlying_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = (await now()) + 7n * DAY;
      const max = await f.engineCore.MAX_LIVE_SERIES_PER_UNDERLYING();
      for (let i = 6n; i < max; i++) {
        await f.market.connect(f.risk).listSeries(ETH, wad(1500n + i * 50n), expiry, true, wad("0.8"));
      }
      await expect(f.market.connect(f.risk).listSeries(ETH, wad(3000), expiry, true, wad("0.8")))
        .to.be.revertedWithCustomError(f.engine, "MarginTooManyLiveSeries")
        .withArgs(ETH, max);
    });

    it("test_listSeries_notRisk_revertsUnauthorized", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = (await now()) + 7n * DAY;
      await expect(f.market.connect(f.alice).listSeries(ETH, wad(2000), expiry, true, wad("0.8")))
        .to.be.revertedWithCustomError(f.market, "AccessManagedUnauthorized")
        .withArgs(f.alice.address);
    });
  });

  describe("setImpliedVol", () => {
    it("test_setImpliedVol_changesMarkAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      const before = await f.engine.markOf(f.series.call2000);
      await expect(f.market.connect(f.risk).setImpliedVol(f.series.call2000, wad("1.2")))
        .to.emit(f.engine, "SeriesVolSet")
        .withArgs(f.series.call2000, wad("0.8"), wad("1.2"));
      const after = await f.engine.markOf(f.series.call2000);
      expect(after.price).to.be.greaterThan(before.price);
      expect((await f.engine.getSeries(f.series.call2000)).vol).to.equal(wad("1.2"));
    });

    it("test_setImpliedVol_outOfRange_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.market.connect(f.risk).setImpliedVol(f.series.call2000, wad(6))).to.be.revertedWithCustomError(
        f.market,
        "MarketVolOutOfRange",
      );
    });

    it("test_setImpliedVol_notRisk_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.market.connect(f.bob).setImpliedVol(f.series.call2000, wad(1))).to.be.revertedWithCustomError(
        f.market,
        "AccessManagedUnauthorized",
      );
    });
  });

  describe("parameters", () => {
    it("test_setQuoteParams_storesAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      const next = { spread: wad("0.03"), feeRate: wad("0.0005"), feeCap: wad("0.1"), tradingCutoff: 7200n };
      await expect(f.market.connect(f.risk).setQuoteParams(next)).to.emit(f.market, "QuoteParamsSet");
      const p = await f.market.quoteParams();
      expect([p.spread, p.feeRate, p.feeCap, p.tradingCutoff]).to.deep.equal([
        next.spread,
        next.feeRate,
        next.feeCap,
        next.tradingCutoff,
      ]);
    });

    for (const [field, value] of [
      ["spread", wad("0.26")],
      ["feeRate", wad("0.011")],
      ["feeCap", wad("0.51")],
      ["tradingCutoff", 60n],
      ["tradingCutoff", 86_401n],
    ] as const) {
      it(`test_setQuoteParams_${field}OutOfBounds_reverts (${value})`, async () => {
        const f = await loadFixture(deployCoreFixture);
        await expect(
          f.market.connect(f.risk).setQuoteParams({ ...DEFAULT_QUOTE_PARAMS, [field]: value }),
        ).to.be.revertedWithCustomError(f.market, "MarketParameterOutOfRange");
      });
    }

    it("test_setQuoteParams_notRisk_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.market.connect(f.guardian).setQuoteParams(DEFAULT_QUOTE_PARAMS)).to.be.revertedWithCustomError(
        f.market,
        "AccessManagedUnauthorized",
      );
    });

    it("test_setExposureCaps_storesAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      const caps = { maxNetDelta: wad(5), maxNetVega: wad(6), maxOpenInterest: wad(7) };
      await expect(f.market.connect(f.risk).setExposureCaps(ETH, caps)).to.emit(f.market, "ExposureCapsSet");
      const c = await f.market.exposureCaps(ETH);
      expect([c.maxNetDelta, c.maxNetVega, c.maxOpenInterest]).to.deep.equal([wad(5), wad(6), wad(7)]);
    });

    it("test_setExposureCaps_aboveBound_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const max = await f.market.MAX_OPEN_INTEREST_CAP();
      await expect(
        f.market.connect(f.risk).setExposureCaps(ETH, { ...DEFAULT_CAPS, maxOpenInterest: max + 1n }),
      )
        .to.be.revertedWithCustomError(f.market, "MarketParameterOutOfRange")
        .withArgs(hre.ethers.encodeBytes32String("maxOpenInterest"), max + 1n, 0n, max);
    });

    it("test_setExposureCaps_notRisk_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.market.connect(f.alice).setExposureCaps(ETH, DEFAULT_CAPS)).to.be.revertedWithCustomError(
        f.market,
        "AccessManagedUnauthorized",
      );
    });

    it("test_newUnderlying_startsWithZeroCaps_soNoVaultRisk", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.engine.connect(f.risk).addUnderlying(BTC);
      await f.router.setSpot(BTC, wad(60_000));
      const expiry = (await now()) + 7n * DAY;
      await f.market.connect(f.risk).listSeries(BTC, wad(60_000), expiry, true, wad("0.6"));
      const id = await f.engine.seriesCount();
      await expect(f.market.connect(f.alice).trade(id, wad("0.01"), 2n ** 128n, 2n ** 64n)).to.be.revertedWithCustomError(
        f.market,
        "MarketOpenInterestCapExceeded",
      );
    });
  });
});
