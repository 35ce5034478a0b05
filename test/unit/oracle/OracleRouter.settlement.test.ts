import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  DEFAULT_GRACE_PERIOD,
  DEFAULT_SETTLEMENT_PARAMS,
  KIND,
  MODE,
  REASON,
  chainlinkHint,
  deployOracleFixture,
  roundId,
} from "../../helpers/oracleFixture";

const { ethers } = hre;
const E8 = 10n ** 8n;
const WAD = 10n ** 18n;
const { settlementDelay, disputeWindow, fallbackDelay } = DEFAULT_SETTLEMENT_PARAMS;

/** Post-expiry answers of the three feeds; their median is 2010. */
const AFTER = [2010n, 2012n, 2008n];

/**
 * Each feed has round 2 one minute before an expiry and round 3 shortly after it; the clock stands just past the
 * locking period. `hints` are the post-expiry rounds.
 */
async function settlementFixture() {
  const f = await deployOracleFixture();
  const expiry = BigInt(await time.latest()) + 3600n;
  await time.increaseTo(expiry + BigInt(settlementDelay));
  for (let i = 0; i < 3; i++) {
    await f.feeds[i].pushRoundAt((2000n + BigInt(i)) * E8, expiry - 60n, expiry - 60n);
    await f.feeds[i].pushRoundAt(AFTER[i] * E8, expiry + 30n + BigInt(i), expiry + 30n + BigInt(i));
  }
  const hints = [0, 1, 2].map(() => chainlinkHint(roundId(1, 3)));
  return { ...f, expiry, hints };
}

async function proposedFixture() {
  const f = await settlementFixture();
  await f.router.recordSettlement(f.underlying, f.expiry, f.hints);
  const proposedAt = BigInt(await time.latest());
  return { ...f, proposedAt, finalAt: proposedAt + BigInt(disputeWindow) };
}

async function sequencerSettlementFixture() {
  const upSince = (await time.latest()) - 2 * DEFAULT_GRACE_PERIOD;
  const sequencer = await ethers.deployContract("MockSequencerUptimeFeed", [upSince]);
  const f = await deployOracleFixture({ sequencerFeed: await sequencer.getAddress() });
  const expiry = BigInt(await time.latest()) + 3600n;
  return { ...f, sequencer, expiry };
}

describe("OracleRouter: settlement", function () {
  describe("recordSettlement", function () {
    it("test_getSettlementPrice_zeroAndNotFinalBeforeAnyProposal", async function () {
      const { router, underlying, expiry } = await loadFixture(settlementFixture);
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal([0n, false]);
      const record = await router.getSettlement(underlying, expiry);
      expect(record.kind).to.equal(KIND.NONE);
    });

    it("test_recordSettlement_revertsBeforeLockingPeriodEnds", async function () {
      const { router, underlying, hints } = await loadFixture(settlementFixture);
      const expiry = BigInt(await time.latest()) - BigInt(settlementDelay) + 10n;
      await expect(router.recordSettlement(underlying, expiry, hints))
        .to.be.revertedWithCustomError(router, "OracleSettlementTooEarly")
        .withArgs(underlying, expiry, expiry + BigInt(settlementDelay));
    });

    it("test_recordSettlement_proposesMedianOfFirstRoundsAfterExpiry", async function () {
      const { router, underlying, expiry, hints, anyone } = await loadFixture(settlementFixture);
      const tx = await router.connect(anyone).recordSettlement(underlying, expiry, hints);
      for (let i = 0; i < 3; i++) {
        await expect(tx)
          .to.emit(router, "SettlementRoundVerified")
          .withArgs(underlying, expiry, i, hints[i], AFTER[i] * WAD, expiry + 30n + BigInt(i));
      }
      const finalAt = BigInt(await time.latest()) + BigInt(disputeWindow);
      await expect(tx)
        .to.emit(router, "SettlementProposed")
        .withArgs(underlying, expiry, 2010n * WAD, KIND.ROUNDS, finalAt);
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal([2010n * WAD, false]);
      const record = await router.getSettlement(underlying, expiry);
      expect(record.price).to.equal(2010n * WAD);
      expect(record.finalAt).to.equal(finalAt);
      expect(record.sourceMask).to.equal(0b111n);
      expect(record.kind).to.equal(KIND.ROUNDS);
      expect(record.disputed).to.equal(false);
    });

    it("test_getSettlementPrice_finalOnceDisputeWindowEnds", async function () {
      const { router, underlying, expiry, finalAt } = await loadFixture(proposedFixture);
      await time.increaseTo(finalAt - 1n);
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal([2010n * WAD, false]);
      await time.increaseTo(finalAt);
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal([2010n * WAD, true]);
    });

    it("test_recordSettlement_refusesSecondWrite", async function () {
      const { router, underlying, expiry, hints, finalAt } = await loadFixture(proposedFixture);
      await expect(router.recordSettlement(underlying, expiry, hints))
        .to.be.revertedWithCustomError(router, "OracleSettlementAlreadyProposed")
        .withArgs(underlying, expiry, 2010n * WAD, false);
      await time.increaseTo(finalAt);
      await expect(router.recordSettlement(underlying, expiry, hints))
        .to.be.revertedWithCustomError(router, "OracleSettlementAlreadyProposed")
        .withArgs(underlying, expiry, 2010n * WAD, true);
    });

    it("test_recordSettlement_rejectsHintCountMismatch", async function () {
      const { router, underlying, expiry, hints } = await loadFixture(settlementFixture);
      await expect(router.recordSettlement(underlying, expiry, hints.slice(0, 2)))
        .to.be.revertedWithCustomError(router, "OracleHintsLengthMismatch")
        .withArgs(2, 3);
    });

    it("test_recordSettlement_skipsSourcesWithZeroHint", async function () {
      const { router, underlying, expiry, hints } = await loadFixture(settlementFixture);
      await router.recordSettlement(underlying, expiry, [hints[0], hints[1], 0n]);
      const record = await router.getSettlement(underlying, expiry);
      expect(record.price).to.equal(2011n * WAD);
      expect(record.sourceMask).to.equal(0b011n);
    });

    it("test_recordSettlement_rejectsFewerVerifiedSourcesThanQuorum", async function () {
      const { router, underlying, expiry, hints } = await loadFixture(settlementFixture);
      await expect(router.recordSettlement(underlying, expiry, [hints[0], 0n, 0n]))
        .to.be.revertedWithCustomError(router, "OracleSettlementQuorumNotMet")
        .withArgs(underlying, expiry, REASON.BELOW_QUORUM);
    });

    it("test_recordSettlement_dropsOutlierRoundAndMedianHolds", async function () {
      const { router, underlying, expiry, hints, feeds } = await loadFixture(settlementFixture);
      await feeds[2].setRound(roundId(1, 3), 150_000n * E8, expiry + 32n, expiry + 32n);
      await router.recordSettlement(underlying, expiry, hints);
      expect((await router.getSettlementPrice(underlying, expiry))[0]).to.equal(2011n * WAD);
    });

    it("test_recordSettlement_rejectsRoundsDeviatingAboveLimit", async function () {
      const { router, underlying, expiry, hints, feeds } = await loadFixture(settlementFixture);
      await feeds[1].setRound(roundId(1, 3), 2100n * E8, expiry + 31n, expiry + 31n);
      await feeds[2].setRound(roundId(1, 3), 2200n * E8, expiry + 32n, expiry + 32n);
      await expect(router.recordSettlement(underlying, expiry, hints))
        .to.be.revertedWithCustomError(router, "OracleSettlementQuorumNotMet")
        .withArgs(underlying, expiry, REASON.DEVIATION | REASON.OUTLIER);
    });

    it("test_recordSettlement_bubblesAdapterErrorForHintThatIsNotFirstRound", async function () {
      const { router, underlying, expiry, hints, feeds, sources } = await loadFixture(settlementFixture);
      await feeds[1].pushRoundAt(2015n * E8, expiry + 90n, expiry + 90n);
      await expect(router.recordSettlement(underlying, expiry, [hints[0], chainlinkHint(roundId(1, 4)), hints[2]]))
        .to.be.revertedWithCustomError(sources[1], "OracleRoundNotFirst")
        .withArgs(roundId(1, 4), roundId(1, 3), expiry + 31n);
      await expect(
        router.recordSettlement(underlying, expiry, [chainlinkHint(roundId(1, 2)), hints[1], hints[2]]),
      ).to.be.revertedWithCustomError(sources[0], "OracleRoundBeforeTimestamp");
    });

    it("test_recordSettlement_provesRoundAcrossPhaseChange", async function () {
      const f = await deployOracleFixture();
      const expiry = BigInt(await time.latest()) + 3600n;
      await time.increaseTo(expiry + BigInt(settlementDelay));
      for (let i = 0; i < 3; i++) await f.feeds[i].pushRoundAt(2000n * E8, expiry - 60n, expiry - 60n);
      // Feed 0's aggregator is upgraded after expiry: its first round at or after expiry opens phase 2.
      await f.feeds[0].startPhase(2006n * E8, expiry + 40n);
      await f.feeds[1].pushRoundAt(2012n * E8, expiry + 31n, expiry + 31n);
      await f.feeds[2].pushRoundAt(2008n * E8, expiry + 32n, expiry + 32n);
      // Without the previous-phase proof, the new phase's first round is refused.
      await expect(f.router.recordSettlement(f.underlying, expiry, [roundId(2, 1), roundId(1, 3), roundId(1, 3)]))
        .to.be.revertedWithCustomError(f.sources[0], "OracleRoundHintMalformed")
        .withArgs(roundId(2, 1));
      const hints = [chainlinkHint(roundId(2, 1), roundId(1, 2)), roundId(1, 3), roundId(1, 3)];
      await expect(f.router.recordSettlement(f.underlying, expiry, hints))
        .to.emit(f.router, "SettlementRoundVerified")
        .withArgs(f.underlying, expiry, 0, hints[0], 2006n * WAD, expiry + 40n);
      expect((await f.router.getSettlementPrice(f.underlying, expiry))[0]).to.equal(2008n * WAD);
    });

    it("test_recordSettlement_rejectsZeroExpiryAndUnknownUnderlying", async function () {
      const { router, underlying, hints } = await loadFixture(settlementFixture);
      await expect(router.recordSettlement(underlying, 0, hints))
        .to.be.revertedWithCustomError(router, "OracleInvalidExpiry")
        .withArgs(0);
      const btc = ethers.encodeBytes32String("BTC");
      await expect(router.recordSettlement(btc, 1, hints))
        .to.be.revertedWithCustomError(router, "OracleUnknownUnderlying")
        .withArgs(btc);
    });
  });

  describe("disputeSettlement", function () {
    it("test_disputeSettlement_replacesPriceInsideWindowWithinBand", async function () {
      const { router, underlying, expiry, guardian, finalAt } = await loadFixture(proposedFixture);
      const corrected = 2020n * WAD;
      await expect(router.connect(guardian).disputeSettlement(underlying, expiry, corrected))
        .to.emit(router, "SettlementDisputed")
        .withArgs(underlying, expiry, 2010n * WAD, corrected);
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal([corrected, false]);
      const record = await router.getSettlement(underlying, expiry);
      expect(record.disputed).to.equal(true);
      expect(record.finalAt, "a dispute does not move the end of the window").to.equal(finalAt);
      await time.increaseTo(finalAt);
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal([corrected, true]);
    });

    it("test_disputeSettlement_acceptsBandEdgesAndRejectsBeyond", async function () {
      const { router, underlying, expiry, guardian } = await loadFixture(proposedFixture);
      const proposed = 2010n * WAD;
      const band = (proposed * 500n) / 10_000n;
      for (const price of [proposed + band + 1n, proposed - band - 1n, 0n]) {
        await expect(router.connect(guardian).disputeSettlement(underlying, expiry, price))
          .to.be.revertedWithCustomError(router, "OracleDisputeOutOfBand")
          .withArgs(price, proposed - band, proposed + band);
      }
      await expect(router.connect(guardian).disputeSettlement(underlying, expiry, proposed - band)).to.emit(
        router,
        "SettlementDisputed",
      );
    });

    it("test_disputeSettlement_refusesSecondDispute", async function () {
      const { router, underlying, expiry, guardian } = await loadFixture(proposedFixture);
      await router.connect(guardian).disputeSettlement(underlying, expiry, 2015n * WAD);
      await expect(router.connect(guardian).disputeSettlement(underlying, expiry, 2016n * WAD))
        .to.be.revertedWithCustomError(router, "OracleSettlementAlreadyDisputed")
        .withArgs(underlying, expiry);
    });

    it("test_disputeSettlement_refusesAfterWindow", async function () {
      const { router, underlying, expiry, guardian, finalAt } = await loadFixture(proposedFixture);
      await time.increaseTo(finalAt);
      await expect(router.connect(guardian).disputeSettlement(underlying, expiry, 2015n * WAD))
        .to.be.revertedWithCustomError(router, "OracleDisputeWindowClosed")
        .withArgs(underlying, expiry, finalAt);
    });

    it("test_disputeSettlement_refusesBeforeProposal", async function () {
      const { router, underlying, expiry, guardian } = await loadFixture(settlementFixture);
      await expect(router.connect(guardian).disputeSettlement(underlying, expiry, 2015n * WAD))
        .to.be.revertedWithCustomError(router, "OracleSettlementNotProposed")
        .withArgs(underlying, expiry);
    });

    it("test_disputeSettlement_refusesCallerWithoutGuardianRole", async function () {
      const { router, underlying, expiry, risk, anyone, admin } = await loadFixture(proposedFixture);
      for (const s of [risk, anyone, admin]) {
        await expect(router.connect(s).disputeSettlement(underlying, expiry, 2015n * WAD))
          .to.be.revertedWithCustomError(router, "AccessManagedUnauthorized")
          .withArgs(s.address);
      }
    });

    it("test_finalPrice_neverChangesAgain", async function () {
      const { router, underlying, expiry, hints, guardian, finalAt } = await loadFixture(proposedFixture);
      await time.increaseTo(finalAt + BigInt(fallbackDelay));
      const before = await router.getSettlementPrice(underlying, expiry);
      expect(before).to.deep.equal([2010n * WAD, true]);
      await expect(router.recordSettlement(underlying, expiry, hints)).to.be.revertedWithCustomError(
        router,
        "OracleSettlementAlreadyProposed",
      );
      await expect(router.proposeFallbackSettlement(underlying, expiry)).to.be.revertedWithCustomError(
        router,
        "OracleSettlementAlreadyProposed",
      );
      await expect(
        router.connect(guardian).disputeSettlement(underlying, expiry, 2011n * WAD),
      ).to.be.revertedWithCustomError(router, "OracleDisputeWindowClosed");
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal(before);
    });
  });

  describe("proposeFallbackSettlement", function () {
    it("test_proposeFallbackSettlement_revertsBeforeFallbackDelay", async function () {
      const { router, underlying, expiry } = await loadFixture(settlementFixture);
      await expect(router.proposeFallbackSettlement(underlying, expiry))
        .to.be.revertedWithCustomError(router, "OracleFallbackTooEarly")
        .withArgs(underlying, expiry, expiry + BigInt(fallbackDelay));
    });

    it("test_proposeFallbackSettlement_usesCurrentSpotWhenNoRoundWasRecorded", async function () {
      const { router, underlying, expiry, feeds, anyone } = await loadFixture(settlementFixture);
      await time.increaseTo(expiry + BigInt(fallbackDelay));
      for (let i = 0; i < 3; i++) await feeds[i].pushRound((2100n + BigInt(i)) * E8);
      const tx = await router.connect(anyone).proposeFallbackSettlement(underlying, expiry);
      const finalAt = BigInt(await time.latest()) + BigInt(disputeWindow);
      await expect(tx)
        .to.emit(router, "SettlementProposed")
        .withArgs(underlying, expiry, 2101n * WAD, KIND.FALLBACK_SPOT, finalAt);
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal([2101n * WAD, false]);
      await time.increaseTo(finalAt);
      expect(await router.getSettlementPrice(underlying, expiry)).to.deep.equal([2101n * WAD, true]);
    });

    it("test_proposeFallbackSettlement_usesLastRecordedSpotWhenSpotFailed", async function () {
      const { router, underlying, expiry } = await loadFixture(settlementFixture);
      await router.recordSpot(underlying); // latest answers: 2010, 2012, 2008
      await time.increaseTo(expiry + BigInt(fallbackDelay)); // every source is now stale
      const tx = await router.proposeFallbackSettlement(underlying, expiry);
      await expect(tx)
        .to.emit(router, "SettlementProposed")
        .withArgs(
          underlying,
          expiry,
          2010n * WAD,
          KIND.FALLBACK_RECORDED_SPOT,
          BigInt(await time.latest()) + BigInt(disputeWindow),
        );
      expect((await router.getSettlement(underlying, expiry)).kind).to.equal(KIND.FALLBACK_RECORDED_SPOT);
    });

    it("test_proposeFallbackSettlement_revertsWhenNothingUsable", async function () {
      const { router, underlying, expiry } = await loadFixture(settlementFixture);
      await time.increaseTo(expiry + BigInt(fallbackDelay));
      await expect(router.proposeFallbackSettlement(underlying, expiry))
        .to.be.revertedWithCustomError(router, "OracleFallbackUnavailable")
        .withArgs(underlying, expiry, REASON.SOURCE_STALE | REASON.BELOW_QUORUM);
    });

    it("test_proposeFallbackSettlement_neverBypassesSequencerGate", async function () {
      const { router, underlying, expiry, sequencer } = await loadFixture(sequencerSettlementFixture);
      await router.recordSpot(underlying);
      await time.increaseTo(expiry + BigInt(fallbackDelay));
      await sequencer.setStatus(0, await time.latest()); // just back up: inside the grace period
      await expect(router.proposeFallbackSettlement(underlying, expiry))
        .to.be.revertedWithCustomError(router, "OracleFallbackUnavailable")
        .withArgs(underlying, expiry, REASON.SEQUENCER_GRACE_PERIOD);
    });

    it("test_proposeFallbackSettlement_canBeDisputedLikeAnyProposal", async function () {
      const { router, underlying, expiry, feeds, guardian } = await loadFixture(settlementFixture);
      await time.increaseTo(expiry + BigInt(fallbackDelay));
      for (const feed of feeds) await feed.pushRound(2100n * E8);
      await router.proposeFallbackSettlement(underlying, expiry);
      await expect(router.connect(guardian).disputeSettlement(underlying, expiry, 2050n * WAD))
        .to.emit(router, "SettlementDisputed")
        .withArgs(underlying, expiry, 2100n * WAD, 2050n * WAD);
    });

    it("test_proposeFallbackSettlement_usesSpotEvenWhenOneFeedIsBroken", async function () {
      const { router, underlying, expiry, feeds } = await loadFixture(settlementFixture);
      await time.increaseTo(expiry + BigInt(fallbackDelay));
      await feeds[0].setMode(MODE.REVERT);
      for (const feed of feeds.slice(1)) await feed.pushRound(2100n * E8);
      await router.proposeFallbackSettlement(underlying, expiry);
      expect((await router.getSettlement(underlying, expiry)).kind).to.equal(KIND.FALLBACK_SPOT);
    });
  });
});
