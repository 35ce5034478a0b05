import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { LiquidationEngine } from "../../../typechain-types";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  ETH,
  options,
  setSpot,
  usdc,
  wad,
  WAD,
} from "../../helpers/coreFixture";
import {
  deployLiquidationFixture,
  LIQ_PARAMS,
  Mode,
  Status,
  type LiquidationFixture,
} from "./liquidationFixture";

const { ethers } = hre;

/** A fixture where dave and erin fail maintenance (spot 1800, health about 0.9). */
async function unhealthyFixture(): Promise<LiquidationFixture> {
  const f = await deployLiquidationFixture();
  await setSpot(f, wad(1800));
  return f;
}

/** A fixture after a crash to 1200: dave and erin are insolvent. */
async function insolventFixture(): Promise<LiquidationFixture> {
  const f = await deployLiquidationFixture();
  await setSpot(f, wad(1200));
  return f;
}

/** Everything a liquidation could change, to prove a revert changed nothing. */
async function stateOf(f: LiquidationFixture, account: string) {
  const vault = await f.vault.getAddress();
  return {
    collateral: await f.engine.collateralOf(account),
    position: await f.engine.positionOf(account, f.series.put2000),
    vaultCollateral: await f.engine.collateralOf(vault),
    vaultPosition: await f.engine.positionOf(vault, f.series.put2000),
    insurance: await f.insurance.balance(),
    keeper: await f.engine.collateralOf(f.keeper.address),
    since: await f.liquidation.unhealthySince(account),
  };
}

/** The revert data of `item` sent alone through `liquidate` by the keeper (null if it would not revert). */
async function loneRevertData(
  f: { liquidation: LiquidationEngine; keeper: HardhatEthersSigner },
  item: { account: string; seriesId: bigint; amount: bigint }
): Promise<string | null> {
  return f.liquidation
    .connect(f.keeper)
    .liquidate.staticCall(item.account, item.seriesId, item.amount)
    .then(
      () => null,
      (e: { data?: string }) => e.data ?? null
    );
}

describe("LiquidationEngine", () => {
  describe("liquidate", () => {
    it("test_liquidate_healthyAccount_revertsMarginNotLiquidatable_changesNothing", async () => {
      const f = await loadFixture(deployLiquidationFixture);
      const before = await stateOf(f, f.dave.address);
      // Health drifts with time decay between blocks: the argument is the health at the call, above 1.
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(10))
      )
        .to.be.revertedWithCustomError(f.engine, "MarginNotLiquidatable")
        .withArgs(f.dave.address, (h: bigint) => h >= WAD);
      expect(await stateOf(f, f.dave.address)).to.deep.equal(before);
    });

    it("test_liquidate_unhealthy_closesAgainstVault_raisesHealth_paysFeeAndPenalty", async () => {
      const f = await loadFixture(unhealthyFixture);
      const before = await stateOf(f, f.dave.address);
      const healthBefore = (await f.engine.accountHealth(f.dave.address))
        .health;
      expect(healthBefore).to.be.lt(WAD);
      const tx = f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(10));
      await expect(tx).to.emit(f.liquidation, "Liquidated");
      // Closing 10 of 40 heals dave: an unstamped account that comes out healthy is never stamped.
      await expect(tx).not.to.emit(f.liquidation, "AccountFlagged");
      const after = await stateOf(f, f.dave.address);
      expect(after.since).to.equal(0n);
      expect(after.position).to.equal(before.position + options(10));
      expect(after.vaultPosition).to.equal(before.vaultPosition - options(10));
      const healthAfter = (await f.engine.accountHealth(f.dave.address)).health;
      expect(healthAfter).to.be.gt(healthBefore);
      expect(healthAfter).to.be.gte(WAD);

      // Fee: base rate (first attempt) x 10 x min(spot, strike) = 0.5% x 10 x 1800 = 90.
      expect(after.keeper - before.keeper).to.equal(usdc(90));
      // Penalty: 2% x 10 x 1800 = 360, half to the insurance fund.
      expect(after.insurance - before.insurance).to.equal(usdc(180));
      // Conservation: what the account lost went to the vault, the fund and the keeper.
      const paid = before.collateral - after.collateral;
      expect(paid).to.equal(
        after.vaultCollateral -
          before.vaultCollateral +
          (after.insurance - before.insurance) +
          usdc(90)
      );
      const [balance, owed] = await f.engine.conservation();
      expect(balance).to.equal(owed);
    });

    it("test_liquidate_eventCarriesTheEngineOutcome", async () => {
      const f = await loadFixture(unhealthyFixture);
      const vault = await f.vault.getAddress();
      const vaultBefore = await f.engine.collateralOf(vault);
      const tx = await f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(4));
      const receipt = await tx.wait();
      const log = receipt!.logs
        .map((l) => f.liquidation.interface.parseLog(l))
        .find((e) => e?.name === "Liquidated")!;
      const [
        account,
        seriesId,
        liquidator,
        closed,
        markValue,
        penalty,
        fee,
        cover,
        badDebt,
        hBefore,
        hAfter,
      ] = log.args;
      expect([account, seriesId, liquidator, closed]).to.deep.equal([
        f.dave.address,
        f.series.put2000,
        f.keeper.address,
        options(4),
      ]);
      // Fee 0.5% and penalty 2% of 4 x 1800; no shortfall; health rose.
      expect([fee, penalty, cover, badDebt]).to.deep.equal([
        usdc(36),
        usdc(144),
        0n,
        0n,
      ]);
      expect(hAfter).to.be.gt(hBefore);
      // The vault received the mark value and half the penalty.
      expect((await f.engine.collateralOf(vault)) - vaultBefore).to.equal(
        markValue + usdc(72)
      );
    });

    it("test_liquidate_closeFactor_boundsOneCallToHalfTheShort", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(40));
      expect(
        await f.engine.positionOf(f.dave.address, f.series.put2000)
      ).to.equal(-options(20));
    });

    it("test_liquidate_restBelowDust_closesTheWholeShort", async () => {
      const f = await loadFixture(unhealthyFixture);
      // Close factor 1: asking 39.6 of 40 leaves 0.4 < dust 0.5, so all 40 close.
      await f.liquidation
        .connect(f.risk)
        .setParams({ ...LIQ_PARAMS, closeFactor: WAD });
      const outcome = await f.liquidation
        .connect(f.keeper)
        .liquidate.staticCall(
          f.dave.address,
          f.series.put2000,
          options("39.6")
        );
      expect(outcome.closed).to.equal(options(40));
      expect(outcome.healthAfter).to.equal(ethers.MaxUint256);
    });

    it("test_liquidate_leftUnhealthy_stampsTheAccountAtTheLiquidation", async () => {
      const f = await loadFixture(unhealthyFixture);
      const tx = await f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(4));
      const at = BigInt((await tx.getBlock())!.timestamp);
      await expect(tx)
        .to.emit(f.liquidation, "AccountFlagged")
        .withArgs(f.dave.address, at);
      expect((await f.engine.accountHealth(f.dave.address)).health).to.be.lt(
        WAD
      );
      expect(await f.liquidation.unhealthySince(f.dave.address)).to.equal(at);
    });

    it("test_liquidate_healthRestoredOnFirstAttempt_neverStamps", async () => {
      const f = await loadFixture(unhealthyFixture);
      const keeperBefore = await f.engine.collateralOf(f.keeper.address);
      const tx = f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(20));
      await expect(tx).to.emit(f.liquidation, "Liquidated");
      await expect(tx).not.to.emit(f.liquidation, "AccountFlagged");
      await expect(tx).not.to.emit(f.liquidation, "AccountUnflagged");
      expect(await f.liquidation.unhealthySince(f.dave.address)).to.equal(0n);
      expect((await f.engine.accountHealth(f.dave.address)).health).to.be.gte(
        WAD
      );
      // An unstamped account pays the base fee: 0.5% x 20 x min(1800, 2000) = 180.
      expect(
        (await f.engine.collateralOf(f.keeper.address)) - keeperBefore
      ).to.equal(usdc(180));
    });

    it("test_liquidate_healthRestored_clearsAnEarlierStamp", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.liquidation.flag(f.dave.address);
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(20))
      ).to.emit(f.liquidation, "AccountUnflagged");
      expect(await f.liquidation.unhealthySince(f.dave.address)).to.equal(0n);
    });

    it("test_liquidate_zeroAmount_revertsLiquidationZeroAmount", async () => {
      const f = await loadFixture(unhealthyFixture);
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, 0n)
      ).to.be.revertedWithCustomError(f.liquidation, "LiquidationZeroAmount");
    });

    it("test_liquidate_noShortInSeries_revertsMarginNoPosition", async () => {
      const f = await loadFixture(unhealthyFixture);
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.call2000, options(1))
      )
        .to.be.revertedWithCustomError(f.engine, "MarginNoPosition")
        .withArgs(f.dave.address, f.series.call2000);
    });

    it("test_liquidate_vaultAccount_revertsMarginInvalidAccount", async () => {
      const f = await loadFixture(unhealthyFixture);
      const vault = await f.vault.getAddress();
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(vault, f.series.put2000, options(1))
      )
        .to.be.revertedWithCustomError(f.engine, "MarginInvalidAccount")
        .withArgs(vault);
    });

    it("test_liquidate_atExpiry_revertsMarginSeriesExpired_settlementTakesOver", async () => {
      const f = await loadFixture(unhealthyFixture);
      await time.increaseTo(f.expiry);
      await setSpot(f, wad(1800));
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(1))
      )
        .to.be.revertedWithCustomError(f.engine, "MarginSeriesExpired")
        .withArgs(f.series.put2000, f.expiry);
    });
  });

  describe("oracle and breaker gates", () => {
    it("test_liquidate_oracleFailed_revertsLiquidationOracleFailed_changesNothing", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.router.setReading(
        ETH,
        wad(1800),
        Status.FAILED,
        7,
        await time.latest()
      );
      const before = await stateOf(f, f.dave.address);
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(1))
      )
        .to.be.revertedWithCustomError(f.liquidation, "LiquidationOracleFailed")
        .withArgs(ETH, 7);
      expect(await stateOf(f, f.dave.address)).to.deep.equal(before);
    });

    it("test_liquidate_staleSpot_revertsLiquidationOracleStale", async () => {
      const f = await loadFixture(unhealthyFixture);
      const old = BigInt(await time.latest()) - LIQ_PARAMS.maxSpotAge - 10n;
      await f.router.setReading(ETH, wad(1800), Status.OK, 0, old);
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(1))
      )
        .to.be.revertedWithCustomError(f.liquidation, "LiquidationOracleStale")
        .withArgs(ETH, old, LIQ_PARAMS.maxSpotAge);
    });

    it("test_liquidate_marketHalted_revertsBreakerActionNotAllowed", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.breaker.connect(f.guardian).trip(ETH, Mode.HALTED);
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(1))
      ).to.be.revertedWithCustomError(f.breaker, "BreakerActionNotAllowed");
    });

    it("test_liquidate_paused_revertsBreakerPaused", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.breaker.connect(f.guardian).pause();
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(1))
      ).to.be.revertedWithCustomError(f.breaker, "BreakerPaused");
    });

    it("test_liquidate_reduceOnly_staysOpen", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.breaker.connect(f.guardian).trip(ETH, Mode.REDUCE_ONLY);
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(1))
      ).to.emit(f.liquidation, "Liquidated");
    });
  });

  describe("fee curve and flag", () => {
    it("test_feeRateOf_risesWithTimeSinceFlag_andIsCapped", async () => {
      const f = await loadFixture(unhealthyFixture);
      expect(await f.liquidation.feeRateOf(f.dave.address)).to.equal(
        LIQ_PARAMS.baseFeeRate
      );
      await f.liquidation.flag(f.dave.address);
      await time.increase(1000);
      expect(await f.liquidation.feeRateOf(f.dave.address)).to.equal(
        LIQ_PARAMS.baseFeeRate + LIQ_PARAMS.feeSlopePerSecond * 1000n
      );
      await time.increase(100_000);
      expect(await f.liquidation.feeRateOf(f.dave.address)).to.equal(
        LIQ_PARAMS.maxFeeRate
      );
    });

    it("test_liquidate_afterAuctionElapsed_paysTheHigherFee", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.liquidation.flag(f.dave.address);
      await time.increase(100_000);
      await setSpot(f, wad(1800));
      const outcome = await f.liquidation
        .connect(f.keeper)
        .liquidate.staticCall(f.dave.address, f.series.put2000, options(4));
      // Capped fee: 2% x 4 x 1800 = 144.
      expect(outcome.fee).to.equal(usdc(144));
    });

    it("test_flag_unhealthy_stampsOnce", async () => {
      const f = await loadFixture(unhealthyFixture);
      await expect(f.liquidation.flag(f.dave.address)).to.emit(
        f.liquidation,
        "AccountFlagged"
      );
      const since = await f.liquidation.unhealthySince(f.dave.address);
      await time.increase(10);
      await expect(f.liquidation.flag(f.dave.address)).not.to.emit(
        f.liquidation,
        "AccountFlagged"
      );
      expect(await f.liquidation.unhealthySince(f.dave.address)).to.equal(
        since
      );
    });

    it("test_flag_healthyUnstamped_revertsLiquidationAccountHealthy", async () => {
      const f = await loadFixture(deployLiquidationFixture);
      await expect(f.liquidation.flag(f.dave.address))
        .to.be.revertedWithCustomError(
          f.liquidation,
          "LiquidationAccountHealthy"
        )
        .withArgs(f.dave.address, (h: bigint) => h >= WAD);
    });

    it("test_flag_healthyAgain_clearsTheStamp", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.liquidation.flag(f.dave.address);
      await setSpot(f, wad(2000));
      await expect(f.liquidation.flag(f.dave.address)).to.emit(
        f.liquidation,
        "AccountUnflagged"
      );
      expect(await f.liquidation.unhealthySince(f.dave.address)).to.equal(0n);
    });
  });

  describe("shortfall", () => {
    it("test_liquidate_insolvent_closesWholeSeries_insuranceThenBadDebt", async () => {
      const f = await loadFixture(insolventFixture);
      const insuranceBefore = await f.insurance.balance();
      const collateralBefore = await f.engine.collateralOf(f.dave.address);
      const tx = await f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(1));
      const receipt = await tx.wait();
      const parsed = receipt!.logs.map((l) => {
        try {
          return (
            f.liquidation.interface.parseLog(l) ??
            f.engine.interface.parseLog(l)
          );
        } catch {
          return f.engine.interface.parseLog(l);
        }
      });
      const liquidated = parsed.find((e) => e?.name === "Liquidated")!.args;
      const badDebt = parsed.find((e) => e?.name === "BadDebtRecorded")!.args;
      // Insolvent: the whole short closes whatever the amount asked, with no fee and no penalty.
      expect(liquidated.closed).to.equal(options(40));
      expect([liquidated.fee, liquidated.penalty]).to.deep.equal([0n, 0n]);
      // The fund pays first, everything it has; the rest is recorded as bad debt.
      expect(liquidated.insuranceCover).to.equal(insuranceBefore);
      expect(badDebt.account).to.equal(f.dave.address);
      expect(badDebt.shortfall).to.equal(liquidated.badDebt);
      expect(liquidated.markValue).to.equal(
        collateralBefore + insuranceBefore + liquidated.badDebt
      );
      expect(liquidated.healthBefore).to.equal(0n);
      expect(liquidated.healthAfter).to.equal(ethers.MaxUint256);
      expect(await f.insurance.balance()).to.equal(0n);
      expect(await f.engine.collateralOf(f.dave.address)).to.equal(0n);
      expect(
        await f.engine.positionOf(f.dave.address, f.series.put2000)
      ).to.equal(0n);
      const [balance, owed] = await f.engine.conservation();
      expect(balance).to.equal(owed);
    });

    it("test_liquidate_insolventWithEmptyFund_allShortfallIsBadDebt", async () => {
      const f = await loadFixture(insolventFixture);
      await f.insurance
        .connect(f.admin)
        .withdraw(await f.insurance.balance(), f.admin.address);
      await expect(
        f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(1))
      )
        .to.emit(f.engine, "BadDebtRecorded")
        .withArgs(f.dave.address, f.series.put2000, (x: bigint) => x > 0n)
        .and.to.emit(f.liquidation, "Liquidated")
        .withArgs(
          f.dave.address,
          f.series.put2000,
          f.keeper.address,
          options(40),
          anyValue,
          0n,
          0n,
          0n,
          anyValue,
          0n,
          ethers.MaxUint256
        );
    });
  });

  describe("fee and penalty room", () => {
    it("test_liquidate_lowHealth_feeAndPenaltyCappedSoHealthStillRises", async () => {
      const f = await loadFixture(deployLiquidationFixture);
      await f.liquidation
        .connect(f.risk)
        .setParams({
          ...LIQ_PARAMS,
          penaltyRate: wad("0.1"),
          baseFeeRate: wad("0.1"),
          maxFeeRate: wad("0.1"),
        });
      await setSpot(f, wad(1700));
      const receipt = await (
        await f.liquidation
          .connect(f.keeper)
          .liquidate(f.dave.address, f.series.put2000, options(4))
      ).wait();
      const args = receipt!.logs
        .map((l) => f.liquidation.interface.parseLog(l))
        .find((e) => e?.name === "Liquidated")!.args;
      // Nominal charges would be 10% + 10% of 4 x 1,700 = 1,360: the room caps them below that.
      expect(args.fee + args.penalty).to.be.lt(usdc(1_360));
      expect(args.healthAfter).to.be.gt(args.healthBefore);
    });
  });

  describe("shortfall within the fund", () => {
    it("test_liquidate_fundCoversTheWholeShortfall_noBadDebtRecorded", async () => {
      const f = await loadFixture(insolventFixture);
      await f.insurance.connect(f.admin).fund(usdc(50_000));
      const fundBefore = await f.insurance.balance();
      const tx = f.liquidation
        .connect(f.keeper)
        .liquidate(f.dave.address, f.series.put2000, options(1));
      await expect(tx).not.to.emit(f.engine, "BadDebtRecorded");
      const receipt = await (await tx).wait();
      const args = receipt!.logs
        .map((l) => {
          try {
            return f.liquidation.interface.parseLog(l);
          } catch {
            return null;
          }
        })
        .find((e) => e?.name === "Liquidated")!.args;
      expect(args.badDebt).to.equal(0n);
      expect(args.insuranceCover).to.be.gt(0n);
      expect(fundBefore - (await f.insurance.balance())).to.equal(
        args.insuranceCover
      );
    });
  });

  describe("batch", () => {
    it("test_liquidateMany_skipsAFailingItem_andLiquidatesTheRest", async () => {
      const f = await loadFixture(unhealthyFixture);
      const items = [
        {
          account: f.alice.address,
          seriesId: f.series.put2000,
          amount: options(1),
        },
        {
          account: f.dave.address,
          seriesId: f.series.put2000,
          amount: options(4),
        },
        {
          account: f.erin.address,
          seriesId: f.series.put2000,
          amount: options(4),
        },
      ];
      const done = await f.liquidation
        .connect(f.keeper)
        .liquidateMany.staticCall(items);
      expect(done).to.equal(2n);
      await expect(
        f.liquidation.connect(f.keeper).liquidateMany(items)
      ).to.emit(f.liquidation, "LiquidationSkipped");
      expect(
        await f.engine.positionOf(f.dave.address, f.series.put2000)
      ).to.equal(-options(36));
      expect(
        await f.engine.positionOf(f.erin.address, f.series.put2000)
      ).to.equal(-options(36));
    });

    it("test_liquidateMany_tooMany_revertsLiquidationBatchTooLarge", async () => {
      const f = await loadFixture(unhealthyFixture);
      const item = {
        account: f.dave.address,
        seriesId: f.series.put2000,
        amount: options(1),
      };
      await expect(f.liquidation.liquidateMany(Array(21).fill(item)))
        .to.be.revertedWithCustomError(
          f.liquidation,
          "LiquidationBatchTooLarge"
        )
        .withArgs(21, 20);
      await expect(f.liquidation.liquidateMany([]))
        .to.be.revertedWithCustomError(
          f.liquidation,
          "LiquidationBatchTooLarge"
        )
        .withArgs(0, 20);
    });

    it("test_liquidateMany_skipReasons_areTheRevertDataOfALoneLiquidation", async () => {
      const f = await loadFixture(unhealthyFixture);
      const unknown = (await f.engine.seriesCount()) + 1n;
      const items = [
        { account: f.dave.address, seriesId: f.series.put2000, amount: 0n },
        { account: f.dave.address, seriesId: unknown, amount: options(1) },
        { account: f.alice.address, seriesId: f.series.put2000, amount: options(1) },
      ];
      const before = await stateOf(f, f.dave.address);
      const expected: string[] = [];
      for (const item of items) {
        const error = await loneRevertData(f, item);
        expect(error, "the lone call reverts with data").to.be.a("string");
        expected.push(error!);
      }
      const tx = f.liquidation.connect(f.keeper).liquidateMany(items);
      for (const [i, item] of items.entries()) {
        await expect(tx)
          .to.emit(f.liquidation, "LiquidationSkipped")
          .withArgs(item.account, item.seriesId, expected[i]);
      }
      await expect(tx).not.to.emit(f.liquidation, "Liquidated");
      expect(await stateOf(f, f.dave.address)).to.deep.equal(before);
    });

    it("test_liquidateMany_oracleFailed_skipsEveryItemOfTheMarket_changesNothing", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.router.setReading(
        ETH,
        wad(1800),
        Status.FAILED,
        7,
        await time.latest()
      );
      const items = [f.dave, f.erin].map((who) => ({
        account: who.address,
        seriesId: f.series.put2000,
        amount: options(4),
      }));
      const reason = f.liquidation.interface.encodeErrorResult(
        "LiquidationOracleFailed",
        [ETH, 7]
      );
      const before = [
        await stateOf(f, f.dave.address),
        await stateOf(f, f.erin.address),
      ];
      expect(
        await f.liquidation.connect(f.keeper).liquidateMany.staticCall(items)
      ).to.equal(0n);
      const tx = f.liquidation.connect(f.keeper).liquidateMany(items);
      await expect(tx)
        .to.emit(f.liquidation, "LiquidationSkipped")
        .withArgs(f.dave.address, f.series.put2000, reason);
      await expect(tx)
        .to.emit(f.liquidation, "LiquidationSkipped")
        .withArgs(f.erin.address, f.series.put2000, reason);
      expect([
        await stateOf(f, f.dave.address),
        await stateOf(f, f.erin.address),
      ]).to.deep.equal(before);
    });

    it("test_liquidateMany_marketHalted_skipsWithTheBreakerError", async () => {
      const f = await loadFixture(unhealthyFixture);
      await f.breaker.connect(f.guardian).trip(ETH, Mode.HALTED);
      const item = {
        account: f.dave.address,
        seriesId: f.series.put2000,
        amount: options(4),
      };
      const lone = await loneRevertData(f, item);
      expect(lone).to.be.a("string");
      expect(
        f.breaker.interface.parseError(lone!)?.name
      ).to.equal("BreakerActionNotAllowed");
      await expect(f.liquidation.connect(f.keeper).liquidateMany([item, item]))
        .to.emit(f.liquidation, "LiquidationSkipped")
        .withArgs(item.account, item.seriesId, lone);
      expect(
        await f.engine.positionOf(f.dave.address, f.series.put2000)
      ).to.equal(-options(40));
    });

    it("test_liquidateMany_sameStateAndEventsAsLoneLiquidations", async () => {
      const f = await loadFixture(unhealthyFixture);
      const items = [
        { account: f.dave.address, seriesId: f.series.put2000, amount: options(4) },
        { account: f.erin.address, seriesId: f.series.put2000, amount: options(20) },
        { account: f.dave.address, seriesId: f.series.put2000, amount: options(4) },
      ];
      const snap = await hre.network.provider.send("evm_snapshot", []);
      // Lone calls, in one block like the batch.
      await hre.network.provider.send("evm_setAutomine", [false]);
      const lone = [];
      for (const item of items) {
        lone.push(
          await f.liquidation
            .connect(f.keeper)
            .liquidate(item.account, item.seriesId, item.amount)
        );
      }
      await hre.network.provider.send("evm_mine", []);
      await hre.network.provider.send("evm_setAutomine", [true]);
      const loneEvents = [];
      for (const tx of lone) {
        const receipt = (await tx.wait())!;
        for (const log of receipt.logs) {
          const parsed = f.liquidation.interface.parseLog(log);
          if (parsed) loneEvents.push([parsed.name, ...parsed.args.toArray()]);
        }
      }
      const loneState = [
        await stateOf(f, f.dave.address),
        await stateOf(f, f.erin.address),
      ];
      await hre.network.provider.send("evm_revert", [snap]);

      const receipt = (await (
        await f.liquidation.connect(f.keeper).liquidateMany(items)
      ).wait())!;
      const batchEvents = [];
      for (const log of receipt.logs) {
        const parsed = f.liquidation.interface.parseLog(log);
        if (parsed) batchEvents.push([parsed.name, ...parsed.args.toArray()]);
      }
      expect(batchEvents).to.deep.equal(loneEvents);
      expect(batchEvents.filter((e) => e[0] === "Liquidated")).to.have.length(3);
      expect([
        await stateOf(f, f.dave.address),
        await stateOf(f, f.erin.address),
      ]).to.deep.equal(loneState);
    });
  });

  describe("parameters and wiring", () => {
    it("test_setParams_outOfRange_revertsLiquidationParameterOutOfRange", async () => {
      const f = await loadFixture(deployLiquidationFixture);
      await expect(
        f.liquidation
          .connect(f.risk)
          .setParams({ ...LIQ_PARAMS, closeFactor: wad("0.05") })
      )
        .to.be.revertedWithCustomError(
          f.liquidation,
          "LiquidationParameterOutOfRange"
        )
        .withArgs(
          ethers.encodeBytes32String("closeFactor"),
          wad("0.05"),
          wad("0.1"),
          WAD
        );
      await expect(
        f.liquidation
          .connect(f.risk)
          .setParams({ ...LIQ_PARAMS, baseFeeRate: wad("0.03") })
      )
        .to.be.revertedWithCustomError(
          f.liquidation,
          "LiquidationParameterOutOfRange"
        )
        .withArgs(
          ethers.encodeBytes32String("baseFeeRate"),
          wad("0.03"),
          0n,
          LIQ_PARAMS.maxFeeRate
        );
    });

    it("test_setParams_byRisk_emitsAndStores_othersRefused", async () => {
      const f = await loadFixture(deployLiquidationFixture);
      const next = { ...LIQ_PARAMS, penaltyRate: wad("0.03") };
      await expect(f.liquidation.connect(f.risk).setParams(next)).to.emit(
        f.liquidation,
        "LiquidationParamsSet"
      );
      expect((await f.liquidation.params()).penaltyRate).to.equal(wad("0.03"));
      await expect(
        f.liquidation.connect(f.keeper).setParams(next)
      ).to.be.revertedWithCustomError(
        f.liquidation,
        "AccessManagedUnauthorized"
      );
    });

    it("test_liquidatePosition_notTheModule_revertsMarginUnauthorizedCaller", async () => {
      const f = await loadFixture(unhealthyFixture);
      const order = {
        account: f.dave.address,
        seriesId: f.series.put2000,
        amount: options(1),
        feeRecipient: f.keeper.address,
        closeFactor: WAD,
        insuranceShare: 0n,
        feePerOption: 0n,
        penaltyPerOption: 0n,
        dustAmount: 0n,
      };
      await expect(f.engine.connect(f.keeper).liquidatePosition(order))
        .to.be.revertedWithCustomError(f.engine, "MarginUnauthorizedCaller")
        .withArgs(f.keeper.address);
    });

    it("test_wireLiquidation_second_revertsMarginLiquidationAlreadyWired", async () => {
      const f = await loadFixture(deployLiquidationFixture);
      const module = await f.liquidation.getAddress();
      const fund = await f.insurance.getAddress();
      expect(await f.engine.liquidationWiring()).to.deep.equal([module, fund]);
      await expect(
        f.engine
          .connect(f.admin)
          .wireLiquidation(f.keeper.address, f.carol.address)
      )
        .to.be.revertedWithCustomError(
          f.engine,
          "MarginLiquidationAlreadyWired"
        )
        .withArgs(module, fund);
    });

    it("test_insuranceFund_fundAndAdminWithdraw", async () => {
      const f = await loadFixture(deployLiquidationFixture);
      await expect(f.insurance.connect(f.admin).fund(usdc(5)))
        .to.emit(f.insurance, "InsuranceFunded")
        .withArgs(f.admin.address, usdc(5));
      expect(await f.insurance.balance()).to.equal(usdc(1_005));
      await expect(
        f.insurance.connect(f.keeper).withdraw(usdc(1), f.keeper.address)
      ).to.be.revertedWithCustomError(f.insurance, "AccessManagedUnauthorized");
      await expect(
        f.insurance.connect(f.admin).withdraw(usdc(5), f.carol.address)
      )
        .to.emit(f.insurance, "InsuranceWithdrawn")
        .withArgs(f.carol.address, usdc(5));
      expect(await f.insurance.balance()).to.equal(usdc(1_000));
      await expect(f.insurance.fund(0n)).to.be.revertedWithCustomError(
        f.insurance,
        "InsuranceZeroAmount"
      );
    });
  });
});
