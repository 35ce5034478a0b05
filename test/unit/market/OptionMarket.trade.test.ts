import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  DEFAULT_CAPS,
  DEFAULT_QUOTE_PARAMS,
  deployCoreFixture,
  ETH,
  now,
  options,
  setSpot,
  usdc,
  wad,
  WAD,
  type CoreFixture,
} from "../../helpers/coreFixture";
import { expectConservation, expectUnchanged, netPosition, travelTo } from "../../helpers/coreState";

const DEADLINE = 2n ** 64n;
const MAX = 2n ** 128n;
const SCALE = 10n ** 12n; // WAD quote per quote unit (6 decimals)

const ceilDiv = (a: bigint, b: bigint) => (a === 0n ? 0n : (a - 1n) / b + 1n);

/** The market's quote formula, recomputed independently from the engine's mark (at `blockTag` if given). */
async function expectedPremium(f: CoreFixture, seriesId: bigint, amount: bigint, blockTag?: number): Promise<bigint> {
  const m = await f.engine.markOf(seriesId, { blockTag: blockTag ?? "latest" });
  const p = DEFAULT_QUOTE_PARAMS;
  const notionalFee = ceilDiv(m.spot * p.feeRate, WAD);
  const cap = ceilDiv(m.price * p.feeCap, WAD);
  const fee = notionalFee < cap ? notionalFee : cap;
  const spread = ceilDiv(m.price * p.spread, WAD);
  if (amount > 0n) {
    const ask = m.price + spread + fee;
    return ceilDiv(ask * amount, WAD * SCALE);
  }
  const deduction = spread + fee;
  const bid = m.price > deduction ? m.price - deduction : 0n;
  return (bid * -amount) / (WAD * SCALE);
}

/**
 * The premium a trade of `amount` would pay or receive if mined at the next block, found by mining it under a
 * snapshot; the next block is then pinned to the same timestamp so the real call sees the same price.
 */
async function premiumNextBlock(f: CoreFixture, seriesId: bigint, amount: bigint): Promise<bigint> {
  const id = await hre.network.provider.send("evm_snapshot", []);
  const ts = (await now()) + 5n;
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(ts)]);
  const rich = f.alice;
  const tx = await f.market.connect(rich).trade(seriesId, amount, amount > 0n ? MAX : 0n, DEADLINE);
  const receipt = await tx.wait();
  const log = receipt!.logs.map((l) => f.engine.interface.parseLog(l)).find((l) => l?.name === "TradeApplied");
  await hre.network.provider.send("evm_revert", [id]);
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(ts)]);
  return log!.args.premium as bigint;
}

describe("OptionMarket: trading", () => {
  describe("buy", () => {
    it("test_trade_buyCall_chargesAskRoundedUpAndOpensLong", async () => {
      const f = await loadFixture(deployCoreFixture);
      const vault = await f.vault.getAddress();
      const vaultCollateral = await f.engine.collateralOf(vault);
      const tx = await f.market.connect(f.alice).trade(f.series.call2000, options(2), MAX, DEADLINE);
      const receipt = await tx.wait();
      const premium = await expectedPremium(f, f.series.call2000, options(2), receipt!.blockNumber);
      await expect(tx)
        .to.emit(f.engine, "TradeApplied")
        .withArgs(f.alice.address, f.series.call2000, options(2), premium, options(2), -options(2));
      expect(await f.engine.collateralOf(f.alice.address)).to.equal(usdc(100_000) - premium);
      expect(await f.engine.collateralOf(vault)).to.equal(vaultCollateral + premium);
      expect(await netPosition(f, f.series.call2000)).to.equal(0n);
      await expectConservation(f);
    });

    it("test_trade_buyPut_opensLong", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.put2000, options(1), MAX, DEADLINE);
      expect(await f.engine.positionOf(f.alice.address, f.series.put2000)).to.equal(options(1));
      expect(await f.engine.positionOf(await f.vault.getAddress(), f.series.put2000)).to.equal(-options(1));
    });

    it("test_trade_premiumAboveMark_favoursVault", async () => {
      const f = await loadFixture(deployCoreFixture);
      const m = await f.engine.markOf(f.series.call2000);
      const premium = await expectedPremium(f, f.series.call2000, options(1));
      expect(premium * SCALE).to.be.greaterThan(m.price);
      const sell = await expectedPremium(f, f.series.call2000, -options(1));
      expect(sell * SCALE).to.be.lessThan(m.price);
    });

    it("test_trade_dustBuy_roundsPremiumUpToOneUnit", async () => {
      const f = await loadFixture(deployCoreFixture);
      const q = await f.market.quote(f.series.call2000, 1n);
      expect(q.premium).to.equal(1n);
      const s = await f.market.quote(f.series.call2000, -1n);
      expect(s.premium).to.equal(0n);
    });

    it("test_quote_matchesTradePremium", async () => {
      const f = await loadFixture(deployCoreFixture);
      const before = await f.engine.collateralOf(f.alice.address);
      const tx = await f.market.connect(f.alice).trade(f.series.put1800, options(3), MAX, DEADLINE);
      const receipt = await tx.wait();
      const q = await f.market.quote(f.series.put1800, options(3), { blockTag: receipt!.blockNumber });
      expect(before - (await f.engine.collateralOf(f.alice.address))).to.equal(q.premium);
      expect(q.closesAt).to.equal(f.expiry - DEFAULT_QUOTE_PARAMS.tradingCutoff);
    });
  });

  describe("sell", () => {
    it("test_trade_sellPut_creditsBidRoundedDownAndOpensShort", async () => {
      const f = await loadFixture(deployCoreFixture);
      const tx = await f.market.connect(f.bob).trade(f.series.put2000, -options(1), 0n, DEADLINE);
      const premium = await expectedPremium(f, f.series.put2000, -options(1), (await tx.wait())!.blockNumber);
      expect(await f.engine.collateralOf(f.bob.address)).to.equal(usdc(100_000) + premium);
      expect(await f.engine.positionOf(f.bob.address, f.series.put2000)).to.equal(-options(1));
      expect(await f.engine.positionOf(await f.vault.getAddress(), f.series.put2000)).to.equal(options(1));
      await expectConservation(f);
    });

    it("test_trade_closeLong_isASellOfTheSameAmount", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2200, options(1), MAX, DEADLINE);
      await f.market.connect(f.alice).trade(f.series.call2200, -options(1), 0n, DEADLINE);
      expect(await f.engine.positionOf(f.alice.address, f.series.call2200)).to.equal(0n);
      const [ids] = await f.engine.positionsOf(f.alice.address);
      expect(ids.length).to.equal(0);
      expect(await f.engine.positionOf(await f.vault.getAddress(), f.series.call2200)).to.equal(0n);
    });
  });

  describe("limits", () => {
    it("test_trade_buyAboveLimit_revertsWithPremiumAndLimit", async () => {
      const f = await loadFixture(deployCoreFixture);
      const premium = await premiumNextBlock(f, f.series.call2000, options(1));
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.call2000, options(1), premium - 1n, DEADLINE))
          .to.be.revertedWithCustomError(f.market, "MarketPremiumAboveLimit")
          .withArgs(premium, premium - 1n),
      );
    });

    it("test_trade_sellBelowLimit_revertsWithPremiumAndLimit", async () => {
      const f = await loadFixture(deployCoreFixture);
      const premium = await premiumNextBlock(f, f.series.put2000, -options(1));
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.bob).trade(f.series.put2000, -options(1), premium + 1n, DEADLINE))
          .to.be.revertedWithCustomError(f.market, "MarketPremiumBelowLimit")
          .withArgs(premium, premium + 1n),
      );
    });

    it("test_trade_afterDeadline_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const deadline = (await now()) + 10n;
      await travelTo(deadline + 1n);
      await setSpot(f, wad(2000));
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, deadline))
          .to.be.revertedWithCustomError(f.market, "MarketDeadlinePassed")
          .withArgs(deadline, anyValue),
      );
    });

    it("test_trade_atCutoff_revertsTradingClosed", async () => {
      const f = await loadFixture(deployCoreFixture);
      const closesAt = f.expiry - DEFAULT_QUOTE_PARAMS.tradingCutoff;
      await travelTo(closesAt - 2n);
      await setSpot(f, wad(2000));
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE))
          .to.be.revertedWithCustomError(f.market, "MarketTradingClosed")
          .withArgs(f.series.call2000, closesAt),
      );
    });

    it("test_trade_justBeforeCutoff_succeeds", async () => {
      const f = await loadFixture(deployCoreFixture);
      const closesAt = f.expiry - DEFAULT_QUOTE_PARAMS.tradingCutoff;
      await travelTo(closesAt - 10n);
      await setSpot(f, wad(2000));
      await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
      expect(await f.engine.positionOf(f.alice.address, f.series.call2000)).to.equal(options(1));
    });

    it("test_trade_zeroAmount_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.market.connect(f.alice).trade(f.series.call2000, 0n, MAX, DEADLINE)).to.be.revertedWithCustomError(
        f.market,
        "MarketZeroAmount",
      );
    });

    it("test_trade_tooLarge_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const max = await f.market.MAX_TRADE_AMOUNT();
      await expect(f.market.connect(f.alice).trade(f.series.call2000, -(max + 1n), 0n, DEADLINE))
        .to.be.revertedWithCustomError(f.market, "MarketAmountTooLarge")
        .withArgs(-(max + 1n), max);
    });

    it("test_trade_unknownSeries_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.market.connect(f.alice).trade(99n, options(1), MAX, DEADLINE))
        .to.be.revertedWithCustomError(f.engine, "MarginUnknownSeries")
        .withArgs(99n);
    });

    it("test_trade_buyWithoutCollateral_revertsInsufficientCollateral", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.keeper).trade(f.series.call2000, options(1), MAX, DEADLINE))
          .to.be.revertedWithCustomError(f.engine, "MarginInsufficientCollateral")
          .withArgs(f.keeper.address, 0n, anyValue),
      );
    });

    it("test_trade_shortBeyondInitialMargin_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.engine.connect(f.carol).withdraw(usdc(99_000), f.carol.address);
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.carol).trade(f.series.put2000, -options(5), 0n, DEADLINE)).to.be.revertedWithCustomError(
          f.engine,
          "MarginInitialRequirementNotMet",
        ),
      );
    });

    it("test_trade_byVaultAccount_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const vault = await f.vault.getAddress();
      await hre.network.provider.send("hardhat_impersonateAccount", [vault]);
      await hre.network.provider.send("hardhat_setBalance", [vault, "0x56BC75E2D63100000"]);
      const signer = await hre.ethers.getSigner(vault);
      await expect(f.market.connect(signer).trade(f.series.call2000, options(1), MAX, DEADLINE))
        .to.be.revertedWithCustomError(f.engine, "MarginInvalidAccount")
        .withArgs(vault);
    });

    it("test_trade_tooManySeries_revertsAtTheNinth", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = f.expiry;
      const ids = Object.values(f.series);
      for (const strike of [1900, 2100]) {
        for (const isCall of [true, false]) {
          await f.market.connect(f.risk).listSeries(ETH, wad(strike), expiry, isCall, wad("0.8"));
          ids.push(await f.engine.seriesCount());
        }
      }
      for (const id of ids.slice(0, 8)) await f.market.connect(f.alice).trade(id, options("0.01"), MAX, DEADLINE);
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(ids[8], options("0.01"), MAX, DEADLINE))
          .to.be.revertedWithCustomError(f.engine, "MarginTooManySeries")
          .withArgs(f.alice.address, 8n),
      );
    });
  });

  describe("risk reduction", () => {
    it("test_trade_buyBackShort_allowedBelowInitialMargin", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.engine.connect(f.carol).withdraw(usdc(95_000), f.carol.address);
      await f.market.connect(f.carol).trade(f.series.put2000, -options(5), 0n, DEADLINE);
      const free = await f.engine.freeMarginOf(f.carol.address);
      await f.engine.connect(f.carol).withdraw(free, f.carol.address);
      await setSpot(f, wad(1900));
      const [initial] = await f.engine.requirementsOf(f.carol.address);
      expect(await f.engine.equityOf(f.carol.address)).to.be.lessThan(initial);
      // Adding risk is refused, reducing it is not.
      await expect(f.market.connect(f.carol).trade(f.series.put2000, -options(1), 0n, DEADLINE)).to.be.revertedWithCustomError(
        f.engine,
        "MarginInitialRequirementNotMet",
      );
      await f.market.connect(f.carol).trade(f.series.put2000, options(1), MAX, DEADLINE);
      expect(await f.engine.positionOf(f.carol.address, f.series.put2000)).to.equal(-options(4));
    });

    it("test_trade_closeShrinksVaultExposure_passesCapsAlreadyExceeded", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(10), MAX, DEADLINE);
      await f.market.connect(f.risk).setExposureCaps(ETH, { maxNetDelta: 1n, maxNetVega: 1n, maxOpenInterest: 1n });
      await f.market.connect(f.alice).trade(f.series.call2000, -options(4), 0n, DEADLINE);
      expect(await f.engine.positionOf(f.alice.address, f.series.call2000)).to.equal(options(6));
    });
  });

  describe("vault exposure caps", () => {
    it("test_trade_aboveOpenInterestCap_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market
        .connect(f.risk)
        .setExposureCaps(ETH, { ...DEFAULT_CAPS, maxOpenInterest: options(5) });
      await f.market.connect(f.alice).trade(f.series.call2000, options(5), MAX, DEADLINE);
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.bob).trade(f.series.call2000, options(1), MAX, DEADLINE))
          .to.be.revertedWithCustomError(f.market, "MarketOpenInterestCapExceeded")
          .withArgs(f.series.call2000, options(6), options(5)),
      );
    });

    it("test_trade_aboveDeltaCap_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.risk).setExposureCaps(ETH, { ...DEFAULT_CAPS, maxNetDelta: wad(2) });
      await f.market.connect(f.alice).trade(f.series.call2000, options(3), MAX, DEADLINE);
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.call2000, options(2), MAX, DEADLINE)).to.be.revertedWithCustomError(
          f.market,
          "MarketDeltaCapExceeded",
        ),
      );
    });

    it("test_trade_towardsZeroDelta_passesDeltaCap", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(10), MAX, DEADLINE);
      await f.market.connect(f.risk).setExposureCaps(ETH, { ...DEFAULT_CAPS, maxNetDelta: wad(1) });
      // The vault is short calls (net delta about -5.5, above the cap). Bob buying puts makes the vault short
      // puts, whose delta is positive: its net delta moves towards zero, so the cap does not bind.
      await f.market.connect(f.bob).trade(f.series.put2000, options(2), MAX, DEADLINE);
      expect(await f.engine.positionOf(f.bob.address, f.series.put2000)).to.equal(options(2));
    });

    it("test_trade_aboveVegaCap_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const m = await f.engine.markOf(f.series.put2000);
      await f.market.connect(f.risk).setExposureCaps(ETH, { ...DEFAULT_CAPS, maxNetVega: m.vega });
      await f.market.connect(f.alice).trade(f.series.put2000, options(1), MAX, DEADLINE);
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.put2000, options(1), MAX, DEADLINE)).to.be.revertedWithCustomError(
          f.market,
          "MarketVegaCapExceeded",
        ),
      );
    });

    it("test_trade_vaultInitialMargin_refusesWhatItCannotCarry", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.risk).setExposureCaps(ETH, { maxNetDelta: wad(1e9), maxNetVega: wad(1e12), maxOpenInterest: options(1e9) });
      const vault = await f.vault.getAddress();
      await f.token.mint(f.alice.address, usdc(2_000_000));
      await f.engine.connect(f.alice).deposit(f.alice.address, usdc(2_000_000));
      // 1,000,000 of LP capital plus about 1,140,000 of premium cannot back 6,000 short calls against a +20%
      // shock (2,400,000 of expiry payoff at 2,400).
      await expectUnchanged(f, () =>
        expect(f.market.connect(f.alice).trade(f.series.call2000, options(6_000), MAX, DEADLINE))
          .to.be.revertedWithCustomError(f.engine, "MarginInitialRequirementNotMet")
          .withArgs(vault, anyValue, anyValue),
      );
    });
  });
});
