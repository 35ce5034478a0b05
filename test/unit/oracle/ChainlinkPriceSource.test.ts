import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ChainlinkPriceSource, MockAggregator, OracleGasProbe } from "../../../typechain-types";
import {
  DEFAULT_SOURCE_CONFIG,
  MODE,
  REASON,
  chainlinkHint,
  feedGasRequired,
  roundId,
} from "../../helpers/oracleFixture";

const { ethers } = hre;
const E8 = 10n ** 8n;
const WAD = 10n ** 18n;

interface SourceParams {
  heartbeat?: number;
  minPriceWad?: bigint;
  maxPriceWad?: bigint;
  gasLimit?: number;
}

async function deploySource(feed: MockAggregator, p: SourceParams = {}): Promise<ChainlinkPriceSource> {
  return ethers.deployContract("ChainlinkPriceSource", [
    await feed.getAddress(),
    p.heartbeat ?? DEFAULT_SOURCE_CONFIG.heartbeat,
    p.minPriceWad ?? DEFAULT_SOURCE_CONFIG.minPriceWad,
    p.maxPriceWad ?? DEFAULT_SOURCE_CONFIG.maxPriceWad,
    p.gasLimit ?? DEFAULT_SOURCE_CONFIG.gasLimit,
  ]);
}

async function sourceFixture() {
  const feed = await ethers.deployContract("MockAggregator", [8, 2000n * E8]);
  const source = await deploySource(feed);
  const probe = await ethers.deployContract("OracleGasProbe");
  return { feed, source, probe };
}

/**
 * Phase 1 history around an expiry an hour ahead of deployment: round 1 at deployment, round 2 at expiry - 100,
 * round 3 at expiry + 50, round 4 at expiry + 200; the clock is then at expiry + 1000.
 */
async function roundsFixture() {
  const base = await sourceFixture();
  const expiry = BigInt((await time.latest()) + 3600);
  await time.increaseTo(expiry + 1000n);
  await base.feed.pushRoundAt(2010n * E8, expiry - 100n, expiry - 100n);
  await base.feed.pushRoundAt(2020n * E8, expiry + 50n, expiry + 50n);
  await base.feed.pushRoundAt(2030n * E8, expiry + 200n, expiry + 200n);
  return { ...base, expiry };
}

/** Calls `latestPrice` through the probe with exactly `gas` gas. */
async function latestPriceWithGas(probe: OracleGasProbe, source: ChainlinkPriceSource, gas: bigint) {
  const data = source.interface.encodeFunctionData("latestPrice");
  const [ok, ret] = await probe.callWithGas(await source.getAddress(), data, gas);
  if (ok) {
    const [price, updatedAt, reasons] = source.interface.decodeFunctionResult("latestPrice", ret);
    return { ok, price, updatedAt, reasons, error: undefined };
  }
  const error = ret === "0x" ? "out of gas" : source.interface.parseError(ret)?.name;
  return { ok, price: 0n, updatedAt: 0n, reasons: 0n, error };
}

describe("ChainlinkPriceSource", function () {
  describe("constructor", function () {
    it("test_constructor_storesConfigAndEmitsCreated", async function () {
      const feed = await ethers.deployContract("MockAggregator", [8, 2000n * E8]);
      const source = await deploySource(feed);
      await expect(source.deploymentTransaction())
        .to.emit(source, "ChainlinkPriceSourceCreated")
        .withArgs(await feed.getAddress(), 8, 3600, WAD, 10n ** 24n, 100_000);
      expect(await source.feed()).to.equal(await feed.getAddress());
      expect(await source.feedDecimals()).to.equal(8);
      expect(await source.heartbeat()).to.equal(3600);
      expect(await source.minPrice()).to.equal(WAD);
      expect(await source.maxPrice()).to.equal(10n ** 24n);
      expect(await source.gasLimit()).to.equal(100_000);
    });

    it("test_constructor_rejectsZeroFeed", async function () {
      const factory = await ethers.getContractFactory("ChainlinkPriceSource");
      await expect(factory.deploy(ethers.ZeroAddress, 3600, WAD, 10n ** 24n, 100_000)).to.be.revertedWithCustomError(
        factory,
        "OracleZeroFeed",
      );
    });

    it("test_constructor_rejectsHeartbeatOutsideBounds", async function () {
      const { feed } = await loadFixture(sourceFixture);
      const factory = await ethers.getContractFactory("ChainlinkPriceSource");
      await expect(deploySource(feed, { heartbeat: 59 }))
        .to.be.revertedWithCustomError(factory, "OracleHeartbeatOutOfRange")
        .withArgs(59, 60, 3 * 86_400);
      await expect(deploySource(feed, { heartbeat: 3 * 86_400 + 1 })).to.be.revertedWithCustomError(
        factory,
        "OracleHeartbeatOutOfRange",
      );
    });

    it("test_constructor_rejectsInvalidPriceBounds", async function () {
      const { feed } = await loadFixture(sourceFixture);
      const factory = await ethers.getContractFactory("ChainlinkPriceSource");
      await expect(deploySource(feed, { minPriceWad: 0n })).to.be.revertedWithCustomError(
        factory,
        "OraclePriceBoundsInvalid",
      );
      await expect(deploySource(feed, { minPriceWad: 5n * WAD, maxPriceWad: 5n * WAD })).to.be.revertedWithCustomError(
        factory,
        "OraclePriceBoundsInvalid",
      );
      await expect(deploySource(feed, { maxPriceWad: 10n ** 36n + 1n }))
        .to.be.revertedWithCustomError(factory, "OraclePriceBoundsInvalid")
        .withArgs(WAD, 10n ** 36n + 1n, 10n ** 36n);
    });

    it("test_constructor_rejectsGasLimitOutsideBounds", async function () {
      const { feed } = await loadFixture(sourceFixture);
      const factory = await ethers.getContractFactory("ChainlinkPriceSource");
      await expect(deploySource(feed, { gasLimit: 19_999 }))
        .to.be.revertedWithCustomError(factory, "OracleGasLimitOutOfRange")
        .withArgs(19_999, 20_000, 1_000_000);
      await expect(deploySource(feed, { gasLimit: 1_000_001 })).to.be.revertedWithCustomError(
        factory,
        "OracleGasLimitOutOfRange",
      );
    });

    it("test_constructor_rejectsFeedDecimalsAbove36", async function () {
      const feed = await ethers.deployContract("MockAggregator", [37, 1n]);
      const factory = await ethers.getContractFactory("ChainlinkPriceSource");
      await expect(deploySource(feed))
        .to.be.revertedWithCustomError(factory, "OracleFeedDecimalsOutOfRange")
        .withArgs(37, 36);
    });

    it("test_constructor_rejectsBoundsNoAnswerCanMeet", async function () {
      // Zero decimals: answers are whole units, and [1.2, 1.8] holds none.
      const feed = await ethers.deployContract("MockAggregator", [0, 2n]);
      const factory = await ethers.getContractFactory("ChainlinkPriceSource");
      await expect(deploySource(feed, { minPriceWad: (12n * WAD) / 10n, maxPriceWad: (18n * WAD) / 10n }))
        .to.be.revertedWithCustomError(factory, "OraclePriceBoundsUnrepresentable")
        .withArgs((12n * WAD) / 10n, (18n * WAD) / 10n, 0);
    });
  });

  describe("latestPrice", function () {
    it("test_latestPrice_returnsWadPriceOfHealthyFeed", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      const [, , , updatedAt] = await feed.latestRoundData();
      const [price, at, reasons] = await source.latestPrice();
      expect(price).to.equal(2000n * WAD);
      expect(at).to.equal(updatedAt);
      expect(reasons).to.equal(0n);
    });

    it("test_latestPrice_normalisesDecimalsToWad", async function () {
      const cases: [number, bigint, bigint][] = [
        [6, 2000_123456n, 2000_123456n * 10n ** 12n],
        [18, 2000n * WAD + 7n, 2000n * WAD + 7n],
        // 20 decimals: rounded down to 18.
        [20, 2000n * 10n ** 20n + 99n, 2000n * WAD],
      ];
      for (const [decimals, answer, expected] of cases) {
        const feed = await ethers.deployContract("MockAggregator", [decimals, answer]);
        const source = await deploySource(feed);
        const [price, , reasons] = await source.latestPrice();
        expect(reasons, `decimals ${decimals}`).to.equal(0n);
        expect(price, `decimals ${decimals}`).to.equal(expected);
      }
    });

    it("test_latestPrice_flagsStaleAnswerOlderThanHeartbeat", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      const [, , , updatedAt] = await feed.latestRoundData();
      await time.increaseTo(updatedAt + 3600n);
      expect((await source.latestPrice())[2], "exactly one heartbeat old is fresh").to.equal(0n);
      await time.increaseTo(updatedAt + 3601n);
      const [price, at, reasons] = await source.latestPrice();
      expect(reasons).to.equal(REASON.SOURCE_STALE);
      expect(price).to.equal(0n);
      expect(at).to.equal(0n);
    });

    it("test_latestPrice_flagsZeroAnswer", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      await feed.pushRound(0);
      expect(await source.latestPrice()).to.deep.equal([0n, 0n, REASON.SOURCE_INVALID_ANSWER]);
    });

    it("test_latestPrice_flagsNegativeAnswer", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      await feed.pushRound(-2000n * E8);
      expect(await source.latestPrice()).to.deep.equal([0n, 0n, REASON.SOURCE_INVALID_ANSWER]);
    });

    it("test_latestPrice_flagsAnswerOutsideBounds", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      await feed.pushRound(E8 - 1n); // just under the 1.0 minimum
      expect((await source.latestPrice())[2]).to.equal(REASON.SOURCE_OUT_OF_BOUNDS);
      await feed.pushRound(E8); // exactly the minimum
      expect((await source.latestPrice())[2]).to.equal(0n);
      await feed.pushRound(1_000_000n * E8 + 1n); // just over the maximum
      expect((await source.latestPrice())[2]).to.equal(REASON.SOURCE_OUT_OF_BOUNDS);
      // Far above: rejected before scaling, so the scaling cannot overflow.
      await feed.pushRound((1n << 127n) - 1n);
      expect((await source.latestPrice())[2]).to.equal(REASON.SOURCE_OUT_OF_BOUNDS);
    });

    it("test_latestPrice_flagsFutureTimestamp", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      const now = BigInt(await time.latest());
      await feed.setLatest(2000n * E8, now, now + 100n);
      expect(await source.latestPrice()).to.deep.equal([0n, 0n, REASON.SOURCE_FUTURE_TIMESTAMP]);
    });

    it("test_latestPrice_flagsZeroTimestamp", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      await feed.setLatest(2000n * E8, 0, 0);
      expect(await source.latestPrice()).to.deep.equal([0n, 0n, REASON.SOURCE_ZERO_TIMESTAMP]);
    });

    it("test_latestPrice_combinesReasonsOfOneAnswer", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      await feed.setLatest(-1, 0, 0);
      expect((await source.latestPrice())[2]).to.equal(REASON.SOURCE_INVALID_ANSWER | REASON.SOURCE_ZERO_TIMESTAMP);
    });

    it("test_latestPrice_reportsRevertingFeedAsCallFailed", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      await feed.setMode(MODE.REVERT);
      expect(await source.latestPrice()).to.deep.equal([0n, 0n, REASON.SOURCE_CALL_FAILED]);
    });

    it("test_latestPrice_reportsGasBurningFeedAsCallFailedWithinItsCap", async function () {
      const { feed, source, probe } = await loadFixture(sourceFixture);
      await feed.setMode(MODE.BURN_GAS);
      expect(await source.latestPrice()).to.deep.equal([0n, 0n, REASON.SOURCE_CALL_FAILED]);
      const data = source.interface.encodeFunctionData("latestPrice");
      const used = await probe.measure(await source.getAddress(), data);
      // The feed burns its 100k cap and nothing more: the whole read stays close to it.
      expect(used).to.be.greaterThan(100_000n);
      expect(used).to.be.lessThan(110_000n);
    });

    it("test_latestPrice_copiesOnlyOneRoundOfHugeReturnData", async function () {
      const { feed, source, probe } = await loadFixture(sourceFixture);
      const data = source.interface.encodeFunctionData("latestPrice");
      const normal = await probe.measure(await source.getAddress(), data);
      await feed.setMode(MODE.HUGE_RETURN);
      const [price, , reasons] = await source.latestPrice();
      expect(reasons).to.equal(0n);
      expect(price).to.equal(2000n * WAD);
      const huge = await probe.measure(await source.getAddress(), data);
      // 64 KiB of return data: the feed pays its own memory (~14.3k); copying it here would cost as much again.
      expect(huge - normal).to.be.lessThan(16_000n);
    });

    it("test_latestPrice_reportsShortReturnDataAsCallFailed", async function () {
      const { feed, source } = await loadFixture(sourceFixture);
      await feed.setMode(MODE.SHORT_RETURN);
      expect(await source.latestPrice()).to.deep.equal([0n, 0n, REASON.SOURCE_CALL_FAILED]);
    });

    it("test_latestPrice_starvedGasBurningFeedRevertsInsteadOfFailing", async function () {
      const { feed, source, probe } = await loadFixture(sourceFixture);
      await feed.setMode(MODE.BURN_GAS);
      const required = feedGasRequired(DEFAULT_SOURCE_CONFIG.gasLimit);
      const starved = await latestPriceWithGas(probe, source, required - 1_000n);
      expect(starved.ok).to.equal(false);
      expect(starved.error).to.equal("OracleInsufficientGas");
      const fed = await latestPriceWithGas(probe, source, required + 10_000n);
      expect(fed.ok).to.equal(true);
      expect(fed.reasons).to.equal(REASON.SOURCE_CALL_FAILED);
    });

    it("test_latestPrice_gasStarvationNeverTurnsHealthyFeedIntoFailure", async function () {
      const { source, probe } = await loadFixture(sourceFixture);
      let successes = 0;
      for (let gas = 2_000n; gas <= 130_000n; gas += 1_000n) {
        const r = await latestPriceWithGas(probe, source, gas);
        if (r.ok) {
          successes++;
          expect(r.reasons, `gas ${gas}`).to.equal(0n);
          expect(r.price, `gas ${gas}`).to.equal(2000n * WAD);
        } else {
          expect(["OracleInsufficientGas", "out of gas"], `gas ${gas}`).to.include(r.error);
        }
      }
      // A healthy read needs no reserve: it succeeds far below the feed's cap.
      expect(successes).to.be.greaterThan(100);
    });

    it("test_latestPrice_gasStarvationNeverTurnsBurningFeedIntoReportBelowRequiredGas", async function () {
      const { feed, source, probe } = await loadFixture(sourceFixture);
      await feed.setMode(MODE.BURN_GAS);
      const required = feedGasRequired(DEFAULT_SOURCE_CONFIG.gasLimit);
      for (let gas = 10_000n; gas <= 140_000n; gas += 2_500n) {
        const r = await latestPriceWithGas(probe, source, gas);
        if (r.ok) {
          expect(gas, "a failure is reported only when the feed had its full cap").to.be.greaterThanOrEqual(required);
          expect(r.reasons).to.equal(REASON.SOURCE_CALL_FAILED);
        } else {
          expect(["OracleInsufficientGas", "out of gas"], `gas ${gas}`).to.include(r.error);
        }
      }
    });
  });

  describe("priceAt", function () {
    it("test_priceAt_acceptsFirstRoundAtOrAfterTimestamp", async function () {
      const { source, expiry } = await loadFixture(roundsFixture);
      const [price, observedAt] = await source.priceAt(expiry, chainlinkHint(roundId(1, 3)));
      expect(price).to.equal(2020n * WAD);
      expect(observedAt).to.equal(expiry + 50n);
    });

    it("test_priceAt_acceptsRoundUpdatedExactlyAtTimestamp", async function () {
      const { source, expiry } = await loadFixture(roundsFixture);
      const [price] = await source.priceAt(expiry + 50n, chainlinkHint(roundId(1, 3)));
      expect(price).to.equal(2020n * WAD);
    });

    it("test_priceAt_rejectsRoundBeforeTimestamp", async function () {
      const { source, expiry } = await loadFixture(roundsFixture);
      await expect(source.priceAt(expiry, chainlinkHint(roundId(1, 2))))
        .to.be.revertedWithCustomError(source, "OracleRoundBeforeTimestamp")
        .withArgs(roundId(1, 2), expiry - 100n, expiry);
    });

    it("test_priceAt_rejectsRoundThatIsNotTheFirst", async function () {
      const { source, expiry } = await loadFixture(roundsFixture);
      await expect(source.priceAt(expiry, chainlinkHint(roundId(1, 4))))
        .to.be.revertedWithCustomError(source, "OracleRoundNotFirst")
        .withArgs(roundId(1, 4), roundId(1, 3), expiry + 50n);
    });

    it("test_priceAt_rejectsRoundMoreThanAHeartbeatAfterTimestamp", async function () {
      const { source, expiry } = await loadFixture(roundsFixture);
      // Priced at expiry - 3701: round 2 (expiry - 100) comes 3601 s later, over the 3600 s heartbeat.
      const ts = expiry - 3701n;
      await expect(source.priceAt(ts, chainlinkHint(roundId(1, 2))))
        .to.be.revertedWithCustomError(source, "OracleRoundTooLate")
        .withArgs(roundId(1, 2), expiry - 100n, ts + 3600n);
    });

    it("test_priceAt_rejectsMissingRound", async function () {
      const { source, expiry } = await loadFixture(roundsFixture);
      await expect(source.priceAt(expiry, chainlinkHint(roundId(1, 9))))
        .to.be.revertedWithCustomError(source, "OracleRoundUnavailable")
        .withArgs(roundId(1, 9));
    });

    it("test_priceAt_rejectsRoundWithInvalidAnswer", async function () {
      const { feed, source, expiry } = await loadFixture(roundsFixture);
      await feed.setRound(roundId(1, 3), 0, expiry + 50n, expiry + 50n);
      await expect(source.priceAt(expiry, chainlinkHint(roundId(1, 3))))
        .to.be.revertedWithCustomError(source, "OracleRoundInvalidAnswer")
        .withArgs(roundId(1, 3), 0);
      await feed.setRound(roundId(1, 3), 10n ** 20n, expiry + 50n, expiry + 50n);
      await expect(source.priceAt(expiry, chainlinkHint(roundId(1, 3)))).to.be.revertedWithCustomError(
        source,
        "OracleRoundInvalidAnswer",
      );
    });

    it("test_priceAt_rejectsRoundFromTheFuture", async function () {
      const { feed, source, expiry } = await loadFixture(roundsFixture);
      const later = BigInt(await time.latest()) + 500n;
      await feed.setRound(roundId(1, 3), 2020n * E8, later, later);
      await expect(source.priceAt(expiry, chainlinkHint(roundId(1, 3))))
        .to.be.revertedWithCustomError(source, "OracleRoundInFuture")
        .withArgs(roundId(1, 3), later);
    });

    it("test_priceAt_rejectsMalformedHints", async function () {
      const { source, expiry } = await loadFixture(roundsFixture);
      const bad = [
        0n, // no round
        roundId(1, 0), // aggregator round zero
        1n << 160n, // bits above 160
        chainlinkHint(roundId(1, 3), roundId(1, 2)), // a previous-phase proof where none is wanted
      ];
      for (const hint of bad) {
        await expect(source.priceAt(expiry, hint), `hint ${hint}`)
          .to.be.revertedWithCustomError(source, "OracleRoundHintMalformed")
          .withArgs(hint);
      }
    });

    it("test_priceAt_acceptsFirstRoundOfFirstPhaseWithoutPredecessor", async function () {
      const { source, feed } = await loadFixture(sourceFixture);
      const [, , , deployedAt] = await feed.latestRoundData();
      const [price] = await source.priceAt(deployedAt - 10n, chainlinkHint(roundId(1, 1)));
      expect(price).to.equal(2000n * WAD);
    });

    it("test_priceAt_rejectsRoundWhenFeedReverts", async function () {
      const { feed, source, expiry } = await loadFixture(roundsFixture);
      await feed.setMode(MODE.REVERT);
      await expect(source.priceAt(expiry, chainlinkHint(roundId(1, 3))))
        .to.be.revertedWithCustomError(source, "OracleRoundUnavailable")
        .withArgs(roundId(1, 3));
    });

    describe("across a phase change", function () {
      /** Phase 1 ends with round 2 at expiry - 100; phase 2 starts at expiry + 30. */
      async function phaseFixture() {
        const base = await sourceFixture();
        const expiry = BigInt((await time.latest()) + 3600);
        await time.increaseTo(expiry + 1000n);
        await base.feed.pushRoundAt(2010n * E8, expiry - 100n, expiry - 100n);
        await base.feed.startPhase(2050n * E8, expiry + 30n);
        await base.feed.pushRoundAt(2060n * E8, expiry + 90n, expiry + 90n);
        return { ...base, expiry };
      }

      it("test_priceAt_acceptsFirstRoundOfNewPhaseWithLastRoundOfPreviousPhase", async function () {
        const { source, expiry } = await loadFixture(phaseFixture);
        const [price, observedAt] = await source.priceAt(expiry, chainlinkHint(roundId(2, 1), roundId(1, 2)));
        expect(price).to.equal(2050n * WAD);
        expect(observedAt).to.equal(expiry + 30n);
      });

      it("test_priceAt_rejectsFirstRoundOfNewPhaseWithoutPreviousPhaseProof", async function () {
        const { source, expiry } = await loadFixture(phaseFixture);
        await expect(source.priceAt(expiry, chainlinkHint(roundId(2, 1)))).to.be.revertedWithCustomError(
          source,
          "OracleRoundHintMalformed",
        );
      });

      it("test_priceAt_rejectsPreviousPhaseRoundThatIsNotItsLast", async function () {
        const { source, expiry } = await loadFixture(phaseFixture);
        await expect(source.priceAt(expiry, chainlinkHint(roundId(2, 1), roundId(1, 1))))
          .to.be.revertedWithCustomError(source, "OracleRoundNotLastOfPhase")
          .withArgs(roundId(1, 1), roundId(1, 2));
      });

      it("test_priceAt_rejectsPreviousRoundFromAnotherPhase", async function () {
        const { source, expiry } = await loadFixture(phaseFixture);
        await expect(source.priceAt(expiry, chainlinkHint(roundId(2, 1), roundId(2, 2))))
          .to.be.revertedWithCustomError(source, "OracleRoundPreviousPhaseMismatch")
          .withArgs(roundId(2, 1), roundId(2, 2));
      });

      it("test_priceAt_rejectsNewPhaseWhenPreviousPhaseAlreadyPassedTimestamp", async function () {
        const { source, expiry } = await loadFixture(phaseFixture);
        // Priced at expiry - 200: phase 1's last round (expiry - 100) is already after it, so it is the first.
        await expect(source.priceAt(expiry - 200n, chainlinkHint(roundId(2, 1), roundId(1, 2))))
          .to.be.revertedWithCustomError(source, "OracleRoundNotFirst")
          .withArgs(roundId(2, 1), roundId(1, 2), expiry - 100n);
      });

      it("test_priceAt_treatsRoundReportedWithZeroTimestampAsAbsent", async function () {
        const { feed, source, expiry } = await loadFixture(phaseFixture);
        // An older aggregator answers an absent round with zeros instead of reverting.
        await feed.setRound(roundId(1, 3), 0, 0, 0);
        const [price] = await source.priceAt(expiry, chainlinkHint(roundId(2, 1), roundId(1, 2)));
        expect(price).to.equal(2050n * WAD);
      });

      it("test_priceAt_starvedAbsenceProofRevertsInsteadOfPassing", async function () {
        const { source, probe, expiry } = await loadFixture(phaseFixture);
        const data = source.interface.encodeFunctionData("priceAt", [
          expiry,
          chainlinkHint(roundId(2, 1), roundId(1, 2)),
        ]);
        const required = feedGasRequired(DEFAULT_SOURCE_CONFIG.gasLimit);
        let accepted = 0;
        for (let gas = 5_000n; gas <= 140_000n; gas += 2_500n) {
          const [ok, ret] = await probe.callWithGas(await source.getAddress(), data, gas);
          if (ok) {
            accepted++;
            // "The next round does not exist" is only believed when the feed had its full cap for that call.
            expect(gas, `accepted with ${gas} gas`).to.be.greaterThan(required);
          } else {
            const name = ret === "0x" ? "out of gas" : source.interface.parseError(ret)?.name;
            expect(["OracleInsufficientGas", "out of gas"], `gas ${gas}`).to.include(name);
          }
        }
        expect(accepted).to.be.greaterThan(0);
      });
    });
  });
});
