import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { OracleGasProbe, OracleRouter } from "../../../typechain-types";
import {
  DEFAULT_GRACE_PERIOD,
  DEFAULT_SOURCE_CONFIG,
  MODE,
  REASON,
  STATUS,
  deployOracleFixture,
  feedGasRequired,
} from "../../helpers/oracleFixture";

const { ethers } = hre;
const E8 = 10n ** 8n;
const WAD = 10n ** 18n;

async function threeSources() {
  const f = await deployOracleFixture();
  const probe = await ethers.deployContract("OracleGasProbe");
  return { ...f, probe };
}

async function fiveSources() {
  return deployOracleFixture({ answers: [2000n * E8, 2004n * E8, 2001n * E8, 1999n * E8, 2003n * E8] });
}

async function fourSources() {
  return deployOracleFixture({ answers: [2000n * E8, 2003n * E8, 2001n * E8, 1999n * E8] });
}

async function withSequencer() {
  const upSince = (await time.latest()) - 2 * DEFAULT_GRACE_PERIOD;
  const sequencer = await ethers.deployContract("MockSequencerUptimeFeed", [upSince]);
  const f = await deployOracleFixture({ sequencerFeed: await sequencer.getAddress() });
  return { ...f, sequencer };
}

/** Calls `getSpot` through the probe with exactly `gas` gas. */
async function getSpotWithGas(probe: OracleGasProbe, router: OracleRouter, underlying: string, gas: bigint) {
  const data = router.interface.encodeFunctionData("getSpot", [underlying]);
  const [ok, ret] = await probe.callWithGas(await router.getAddress(), data, gas);
  if (ok) return { ok, reading: router.interface.decodeFunctionResult("getSpot", ret)[0], error: undefined };
  return { ok, reading: undefined, error: ret === "0x" ? "out of gas" : router.interface.parseError(ret)?.name };
}

describe("OracleRouter: spot", function () {
  describe("getSpot", function () {
    it("test_getSpot_returnsMedianOfThreeAgreeingSourcesAsOk", async function () {
      const { router, underlying } = await loadFixture(threeSources);
      const r = await router.getSpot(underlying);
      expect(r.price).to.equal(2000n * WAD);
      expect(r.status).to.equal(STATUS.OK);
      expect(r.reasons).to.equal(0n);
      expect(r.validSources).to.equal(3n);
      expect(r.updatedAt).to.be.greaterThan(0n);
    });

    it("test_getSpot_reportsOldestUpdatedAtOfSourcesUsed", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      const now = BigInt(await time.latest());
      await feeds[0].setLatest(2000n * E8, now - 500n, now - 500n);
      await feeds[1].setLatest(2001n * E8, now - 100n, now - 100n);
      await feeds[2].setLatest(1999n * E8, now - 900n, now - 900n);
      expect((await router.getSpot(underlying)).updatedAt).to.equal(now - 900n);
    });

    it("test_getSpot_degradesWhenOneSourceIsStale", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      const now = BigInt(await time.latest());
      await feeds[2].setLatest(1999n * E8, now - 4000n, now - 4000n);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.SOURCE_STALE);
      expect(r.validSources).to.equal(2n);
      // Median of the two fresh sources, 2000 and 2001: their mean.
      expect(r.price).to.equal(20005n * 10n ** 17n);
    });

    it("test_getSpot_degradesWhenOneSourceAnswersZero", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[0].pushRound(0);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.SOURCE_INVALID_ANSWER);
      expect(r.price).to.equal(2000n * WAD);
    });

    it("test_getSpot_degradesWhenOneSourceAnswersNegative", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[1].pushRound(-5n * E8);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.SOURCE_INVALID_ANSWER);
      expect(r.price).to.equal(19995n * 10n ** 17n);
    });

    it("test_getSpot_degradesWhenOneSourceIsOutOfBounds", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[1].pushRound(2_000_000n * E8); // above the 1,000,000 max bound
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.SOURCE_OUT_OF_BOUNDS);
      expect(r.validSources).to.equal(2n);
    });

    it("test_getSpot_degradesWhenOneSourceHasFutureTimestamp", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      const now = BigInt(await time.latest());
      await feeds[0].setLatest(2000n * E8, now, now + 60n);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.SOURCE_FUTURE_TIMESTAMP);
    });

    it("test_getSpot_dropsWildlyOffSourceAndMedianHolds", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[2].pushRound(150_000n * E8); // in bounds, 75x the others
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.OUTLIER);
      expect(r.validSources).to.equal(2n);
      expect(r.price).to.equal(20005n * 10n ** 17n);
    });

    it("test_getSpot_failsBelowQuorum", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[0].setMode(MODE.REVERT);
      const now = BigInt(await time.latest());
      await feeds[1].setLatest(2001n * E8, now - 4000n, now - 4000n);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.FAILED);
      expect(r.reasons).to.equal(REASON.BELOW_QUORUM | REASON.SOURCE_CALL_FAILED | REASON.SOURCE_STALE);
      expect(r.price).to.equal(0n);
      expect(r.validSources).to.equal(0n);
      expect(r.updatedAt).to.equal(0n);
    });

    it("test_getSpot_failsWhenDeviationAboveLimit", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      // 2000, 2100, 2200 with a 2% limit: both outer sources are ~4.8% from the 2100 median.
      await feeds[1].pushRound(2100n * E8);
      await feeds[2].pushRound(2200n * E8);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.FAILED);
      expect(r.reasons).to.equal(REASON.DEVIATION | REASON.OUTLIER);
      expect(r.price).to.equal(0n);
    });

    it("test_getSpot_failsWhenOutlierLeavesFewerAgreeingThanQuorum", async function () {
      const { router, underlying, feeds, risk } = await loadFixture(threeSources);
      await router.connect(risk).setQuorum(underlying, 3);
      await feeds[2].pushRound(150_000n * E8);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.FAILED);
      expect(r.reasons).to.equal(REASON.DEVIATION | REASON.OUTLIER);
    });

    it("test_getSpot_acceptsSourcesExactlyAtDeviationLimit", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      // Median 2000; 2% band is [1960, 2040].
      await feeds[1].pushRound(2040n * E8);
      await feeds[2].pushRound(1960n * E8);
      expect((await router.getSpot(underlying)).status).to.equal(STATUS.OK);
      await feeds[1].pushRound(2040n * E8 + 1n);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.OUTLIER);
    });

    it("test_getSpot_degradesOnRevertingFeed", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[0].setMode(MODE.REVERT);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.SOURCE_CALL_FAILED);
      expect(r.price).to.equal(2000n * WAD);
    });

    it("test_getSpot_degradesOnGasBurningFeed", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[1].setMode(MODE.BURN_GAS);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.SOURCE_CALL_FAILED);
      expect(r.price).to.equal(19995n * 10n ** 17n);
    });

    it("test_getSpot_staysOkWithHugeReturnDataFeed", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[2].setMode(MODE.HUGE_RETURN);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.OK);
      expect(r.price).to.equal(2000n * WAD);
    });

    it("test_getSpot_degradesOnShortReturnDataFeed", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[2].setMode(MODE.SHORT_RETURN);
      expect((await router.getSpot(underlying)).reasons).to.equal(REASON.SOURCE_CALL_FAILED);
    });

    it("test_getSpot_revertsForUnknownUnderlying", async function () {
      const { router } = await loadFixture(threeSources);
      const btc = ethers.encodeBytes32String("BTC");
      await expect(router.getSpot(btc)).to.be.revertedWithCustomError(router, "OracleUnknownUnderlying").withArgs(btc);
    });

    it("test_getSpot_takesMiddleOfFiveSources", async function () {
      const { router, underlying } = await loadFixture(fiveSources);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.OK);
      expect(r.price).to.equal(2001n * WAD);
      expect(r.validSources).to.equal(5n);
    });

    it("test_getSpot_averagesMiddlePairOfFourSourcesRoundingDown", async function () {
      const { router, underlying, feeds } = await loadFixture(fourSources);
      // 1999, 2000, 2001, 2003 -> (2000 + 2001) / 2.
      expect((await router.getSpot(underlying)).price).to.equal(20005n * 10n ** 17n);
      await feeds[0].pushRound(2000n * E8 + 1n); // 1999, 2000.00000001, 2001, 2003
      expect((await router.getSpot(underlying)).price).to.equal((2000n * WAD + 10n ** 10n + 2001n * WAD) / 2n);
    });

    it("test_getSpot_dropsTwoOutliersOfFiveAndKeepsQuorum", async function () {
      const { router, underlying, feeds } = await loadFixture(fiveSources);
      await feeds[0].pushRound(10n * E8);
      await feeds[1].pushRound(900_000n * E8);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.DEGRADED);
      expect(r.reasons).to.equal(REASON.OUTLIER);
      expect(r.validSources).to.equal(3n);
      expect(r.price).to.equal(2001n * WAD);
    });
  });

  describe("sequencer gate", function () {
    it("test_getSpot_okWhenSequencerUpPastGracePeriod", async function () {
      const { router, underlying } = await loadFixture(withSequencer);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.OK);
      expect(r.price).to.equal(2000n * WAD);
    });

    it("test_getSpot_failsWhileSequencerDown", async function () {
      const { router, underlying, sequencer } = await loadFixture(withSequencer);
      await sequencer.setStatus(1, await time.latest());
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.FAILED);
      expect(r.reasons).to.equal(REASON.SEQUENCER_DOWN);
      expect(r.price).to.equal(0n);
    });

    it("test_getSpot_failsInsideSequencerGracePeriod", async function () {
      const { router, underlying, sequencer, feeds } = await loadFixture(withSequencer);
      const backUp = BigInt(await time.latest());
      await sequencer.setStatus(0, backUp);
      expect((await router.getSpot(underlying)).reasons).to.equal(REASON.SEQUENCER_GRACE_PERIOD);
      await time.increaseTo(backUp + BigInt(DEFAULT_GRACE_PERIOD));
      const r = await router.getSpot(underlying);
      expect(r.status, "the last second of the grace period still fails").to.equal(STATUS.FAILED);
      expect(r.reasons).to.equal(REASON.SEQUENCER_GRACE_PERIOD);
      await time.increaseTo(backUp + BigInt(DEFAULT_GRACE_PERIOD) + 1n);
      for (const feed of feeds) await feed.pushRound(2000n * E8); // keep the sources fresh across the hour
      expect((await router.getSpot(underlying)).status).to.equal(STATUS.OK);
    });

    it("test_getSpot_failsWhenSequencerFeedReverts", async function () {
      const { router, underlying, sequencer } = await loadFixture(withSequencer);
      await sequencer.setReverts(true);
      const r = await router.getSpot(underlying);
      expect(r.status).to.equal(STATUS.FAILED);
      expect(r.reasons).to.equal(REASON.SEQUENCER_FEED_FAILED);
    });

    it("test_getSpot_failsWhenSequencerFeedAnswersGarbage", async function () {
      const { router, underlying, sequencer } = await loadFixture(withSequencer);
      await sequencer.setStatus(2, await time.latest());
      expect((await router.getSpot(underlying)).reasons).to.equal(REASON.SEQUENCER_FEED_FAILED);
      await sequencer.setStatus(0, 0); // round not initialised
      expect((await router.getSpot(underlying)).reasons).to.equal(REASON.SEQUENCER_FEED_FAILED);
    });

    it("test_getSequencer_reportsFeedAndGracePeriod", async function () {
      const { router, sequencer } = await loadFixture(withSequencer);
      expect(await router.getSequencer()).to.deep.equal([await sequencer.getAddress(), BigInt(DEFAULT_GRACE_PERIOD)]);
    });
  });

  describe("gas starvation", function () {
    it("test_getSpot_gasStarvationCannotForceFailure", async function () {
      const { router, underlying, probe } = await loadFixture(threeSources);
      let ok = 0;
      for (let gas = 5_000n; gas <= 160_000n; gas += 1_500n) {
        const r = await getSpotWithGas(probe, router, underlying, gas);
        if (r.ok) {
          ok++;
          expect(r.reading!.status, `gas ${gas}`).to.equal(STATUS.OK);
          expect(r.reading!.price).to.equal(2000n * WAD);
        } else {
          expect(["OracleInsufficientGas", "out of gas"], `gas ${gas}`).to.include(r.error);
        }
      }
      expect(ok).to.be.greaterThan(50);
    });

    it("test_getSpot_starvedBurningSourceRevertsInsteadOfDegrading", async function () {
      const { router, underlying, probe, feeds } = await loadFixture(threeSources);
      await feeds[0].setMode(MODE.BURN_GAS);
      const required = feedGasRequired(DEFAULT_SOURCE_CONFIG.gasLimit);
      const starved = await getSpotWithGas(probe, router, underlying, required);
      expect(starved.ok).to.equal(false);
      expect(starved.error).to.equal("OracleInsufficientGas");
      const fed = await getSpotWithGas(probe, router, underlying, 200_000n);
      expect(fed.ok).to.equal(true);
      expect(fed.reading!.status).to.equal(STATUS.DEGRADED);
      expect(fed.reading!.reasons).to.equal(REASON.SOURCE_CALL_FAILED);
    });
  });

  describe("pokeStatus", function () {
    it("test_pokeStatus_emitsTransitionsOnlyWhenStatusOrReasonsChange", async function () {
      const { router, underlying, feeds, anyone } = await loadFixture(threeSources);
      await expect(router.connect(anyone).pokeStatus(underlying))
        .to.emit(router, "OracleStatusChanged")
        .withArgs(underlying, STATUS.FAILED, STATUS.OK, 0);
      await expect(router.pokeStatus(underlying)).not.to.emit(router, "OracleStatusChanged");

      await feeds[0].setMode(MODE.REVERT);
      await expect(router.pokeStatus(underlying))
        .to.emit(router, "OracleStatusChanged")
        .withArgs(underlying, STATUS.OK, STATUS.DEGRADED, REASON.SOURCE_CALL_FAILED);
      await expect(router.pokeStatus(underlying)).not.to.emit(router, "OracleStatusChanged");

      // Same status, different reason: recorded too.
      await feeds[0].setMode(MODE.NORMAL);
      await feeds[1].pushRound(0);
      await expect(router.pokeStatus(underlying))
        .to.emit(router, "OracleStatusChanged")
        .withArgs(underlying, STATUS.DEGRADED, STATUS.DEGRADED, REASON.SOURCE_INVALID_ANSWER);

      await feeds[2].pushRound(0);
      await expect(router.pokeStatus(underlying))
        .to.emit(router, "OracleStatusChanged")
        .withArgs(underlying, STATUS.DEGRADED, STATUS.FAILED, REASON.SOURCE_INVALID_ANSWER | REASON.BELOW_QUORUM);
    });

    it("test_pokeStatus_recordsStatusAndReturnsReading", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      const before = await router.getStatusRecord(underlying);
      expect(before.status).to.equal(STATUS.FAILED);
      await feeds[0].setMode(MODE.REVERT);
      const reading = await router.pokeStatus.staticCall(underlying);
      expect(reading.status).to.equal(STATUS.DEGRADED);
      expect(reading.price).to.equal(2000n * WAD); // mean of 2001 and 1999
      await router.pokeStatus(underlying);
      const after = await router.getStatusRecord(underlying);
      expect(after.status).to.equal(STATUS.DEGRADED);
      expect(after.reasons).to.equal(REASON.SOURCE_CALL_FAILED);
      expect(after.changedAt).to.equal(BigInt(await time.latest()));
    });
  });

  describe("recordSpot", function () {
    it("test_recordSpot_storesPriceAndEmits", async function () {
      const { router, underlying, anyone } = await loadFixture(threeSources);
      const reading = await router.getSpot(underlying);
      await expect(router.connect(anyone).recordSpot(underlying))
        .to.emit(router, "SpotRecorded")
        .withArgs(underlying, 2000n * WAD, reading.updatedAt);
      const recorded = await router.getRecordedSpot(underlying);
      expect(recorded.price).to.equal(2000n * WAD);
      expect(recorded.updatedAt).to.equal(reading.updatedAt);
      expect(recorded.recordedAt).to.equal(BigInt(await time.latest()));
    });

    it("test_recordSpot_revertsWhenSpotFailed", async function () {
      const { router, underlying, feeds } = await loadFixture(threeSources);
      await feeds[0].setMode(MODE.REVERT);
      await feeds[1].setMode(MODE.REVERT);
      await expect(router.recordSpot(underlying))
        .to.be.revertedWithCustomError(router, "OracleSpotUnavailable")
        .withArgs(underlying, REASON.SOURCE_CALL_FAILED | REASON.BELOW_QUORUM);
    });
  });
});
