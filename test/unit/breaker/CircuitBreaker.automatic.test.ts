/** Automatic trips: each fires on its cause, and lifts only after a full cooldown that starts once it is seen clear. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BTC,
  Cls,
  ETH,
  ETH_SPOT,
  GLOBAL,
  Mode,
  PARAMS,
  Reason,
  Status,
  UNKNOWN,
  WAD,
  adminExecute,
  deployBreaker,
  deployBreakerWithReferences,
} from "./breakerFixture";

const MAX_UINT96 = 2n ** 96n - 1n;
/** Exactly the move limit (10%) above the reference: not beyond it. */
const AT_LIMIT = (ETH_SPOT * 11n) / 10n;
/** One wei beyond the limit. */
const BEYOND_LIMIT = AT_LIMIT + 1n;

describe("CircuitBreaker automatic trips", () => {
  describe("oracle status", () => {
    it("test_checkAction_degraded_tripsReduceOnly", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(ETH, Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED)
        .and.to.emit(breaker, "BreakerModeChanged")
        .withArgs(ETH, Mode.ACTIVE, Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED]);
      const state = await breaker.scopeState(ETH);
      expect([state.manualMode, state.autoMode, state.autoReason]).to.deep.equal([
        Mode.ACTIVE,
        Mode.REDUCE_ONLY,
        Reason.ORACLE_DEGRADED,
      ]);
    });

    it("test_checkAction_failed_tripsHalted_andRefusesLiquidation", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.act(ETH, Cls.EXIT, 0n, Status.FAILED))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(ETH, Mode.HALTED, Reason.ORACLE_FAILED);
      // Liquidations are RISK_REDUCING: closed while the oracle has failed.
      await expect(gated.act(ETH, Cls.RISK_REDUCING, 0n, Status.FAILED))
        .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
        .withArgs(ETH, Cls.RISK_REDUCING, Mode.HALTED, Reason.ORACLE_FAILED);
    });

    it("test_checkAction_failedEscalatesDegraded_andDegradedDoesNotLowerIt", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED);
      await expect(gated.act(ETH, Cls.EXIT, 0n, Status.FAILED))
        .to.emit(breaker, "BreakerModeChanged")
        .withArgs(ETH, Mode.REDUCE_ONLY, Mode.HALTED, Reason.ORACLE_FAILED);
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED)).not.to.emit(breaker, "BreakerModeChanged");
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.HALTED, Reason.ORACLE_FAILED]);
    });

    it("test_checkAction_refusedActionDoesNotPersistItsTrip_pokeRecordsIt", async () => {
      const { breaker, gated, router } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.DEGRADED))
        .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
        .withArgs(ETH, Cls.RISK_INCREASING, Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
      await router.setSpot(ETH, ETH_SPOT, Status.DEGRADED);
      await expect(breaker.poke(ETH))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(ETH, Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED]);
    });

    it("test_checkAction_sameCauseAgain_writesNothing", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED);
      const before = await breaker.scopeState(ETH);
      const tx = gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED);
      await expect(tx).not.to.emit(breaker, "BreakerTripped");
      await expect(tx).not.to.emit(breaker, "BreakerCooldownInterrupted");
      expect(await breaker.scopeState(ETH)).to.deep.equal(before);
    });
  });

  describe("cooldown and lift", () => {
    async function tripped() {
      const f = await loadFixture(deployBreakerWithReferences);
      await f.gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED);
      return f;
    }

    it("test_lift_afterFullCooldownFromFirstClearObservation", async () => {
      const { breaker, gated } = await tripped();
      const start = gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK);
      const coolUntil = (await time.latest()) + 1 + PARAMS.cooldown;
      await expect(start).to.emit(breaker, "BreakerCooldownStarted").withArgs(ETH, coolUntil);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED]);

      // One second before the end: still tripped, nothing written.
      await time.setNextBlockTimestamp(coolUntil - 1);
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK)).not.to.emit(breaker, "BreakerLifted");
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED]);

      await time.setNextBlockTimestamp(coolUntil);
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK))
        .to.emit(breaker, "BreakerLifted")
        .withArgs(ETH, Mode.ACTIVE, Reason.ORACLE_DEGRADED)
        .and.to.emit(breaker, "BreakerModeChanged")
        .withArgs(ETH, Mode.REDUCE_ONLY, Mode.ACTIVE, Reason.NONE);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
      await expect(gated.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK)).not.to.be.reverted;
    });

    it("test_lift_neverWithoutObservingTheCauseClear_howeverLongAgo", async () => {
      const { breaker } = await tripped();
      await time.increase(30 * PARAMS.cooldown);
      // First poke after a long silence only starts the cooldown: the cause may have cleared a second ago.
      await expect(breaker.poke(ETH))
        .to.emit(breaker, "BreakerCooldownStarted")
        .and.not.to.emit(breaker, "BreakerLifted");
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED]);
      await time.increase(PARAMS.cooldown);
      await expect(breaker.poke(ETH)).to.emit(breaker, "BreakerLifted");
    });

    it("test_lift_causeSeenDuringCooldown_interruptsIt", async () => {
      const { breaker, gated } = await tripped();
      await gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK); // cooldown starts
      await time.increase(PARAMS.cooldown / 2);
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED))
        .to.emit(breaker, "BreakerCooldownInterrupted")
        .withArgs(ETH, Reason.ORACLE_DEGRADED);
      await time.increase(PARAMS.cooldown);
      // The cooldown must start over from the next clear observation.
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK))
        .to.emit(breaker, "BreakerCooldownStarted")
        .and.not.to.emit(breaker, "BreakerLifted");
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED]);
    });

    it("test_lift_readingWithoutSpotObservesNothing", async () => {
      const { breaker, gated } = await tripped();
      // spot = 0 with OK means "no reading supplied" (e.g. settlement): it neither starts nor ends a cooldown.
      await expect(gated.act(ETH, Cls.EXIT, 0n, Status.OK)).not.to.emit(breaker, "BreakerCooldownStarted");
      expect((await breaker.scopeState(ETH)).clearing).to.equal(false);
    });

    it("test_lift_automaticLiftLeavesManualTripInPlace", async () => {
      const { breaker, gated, guardian } = await tripped();
      await breaker.connect(guardian).trip(ETH, Mode.REDUCE_ONLY);
      await gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK);
      await time.increase(PARAMS.cooldown);
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK))
        .to.emit(breaker, "BreakerLifted")
        .and.not.to.emit(breaker, "BreakerModeChanged");
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.GUARDIAN]);
    });
  });

  describe("price move", () => {
    it("test_checkAction_firstReading_setsReference", async () => {
      const { breaker, gated } = await loadFixture(deployBreaker);
      const tx = gated.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK);
      await expect(tx)
        .to.emit(breaker, "BreakerReferencePriceSet")
        .withArgs(ETH, ETH_SPOT, (await time.latest()) + 1);
      const state = await breaker.scopeState(ETH);
      expect(state.refPrice).to.equal(ETH_SPOT);
    });

    it("test_checkAction_moveAtLimit_doesNotTrip", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.act(ETH, Cls.RISK_INCREASING, AT_LIMIT, Status.OK)).not.to.emit(breaker, "BreakerTripped");
      await expect(gated.act(ETH, Cls.RISK_INCREASING, (ETH_SPOT * 9n) / 10n, Status.OK)).not.to.emit(
        breaker,
        "BreakerTripped"
      );
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
    });

    it("test_checkAction_moveBeyondLimitWithinWindow_tripsReduceOnly_andResetsReference", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      const tx = gated.act(ETH, Cls.RISK_REDUCING, BEYOND_LIMIT, Status.OK);
      await expect(tx).to.emit(breaker, "BreakerTripped").withArgs(ETH, Mode.REDUCE_ONLY, Reason.PRICE_MOVE);
      await expect(tx)
        .to.emit(breaker, "BreakerReferencePriceSet")
        .withArgs(ETH, BEYOND_LIMIT, await time.latest());
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.PRICE_MOVE]);
      await expect(gated.act(ETH, Cls.RISK_INCREASING, BEYOND_LIMIT, Status.OK))
        .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
        .withArgs(ETH, Cls.RISK_INCREASING, Mode.REDUCE_ONLY, Reason.PRICE_MOVE);
    });

    it("test_checkAction_downMoveBeyondLimit_trips", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      const down = (ETH_SPOT * 9n) / 10n - 1n;
      await expect(gated.act(ETH, Cls.EXIT, down, Status.OK))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(ETH, Mode.REDUCE_ONLY, Reason.PRICE_MOVE);
    });

    it("test_checkAction_moveAcrossWindows_rollsWithoutTrip", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await time.increase(PARAMS.window);
      const moved = (ETH_SPOT * 115n) / 100n;
      const tx = gated.act(ETH, Cls.RISK_INCREASING, moved, Status.OK);
      await expect(tx).to.emit(breaker, "BreakerReferencePriceSet").and.not.to.emit(breaker, "BreakerTripped");
      expect((await breaker.scopeState(ETH)).refPrice).to.equal(moved);
    });

    it("test_checkAction_moveTripsOnlyItsMarket", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.act(ETH, Cls.EXIT, BEYOND_LIMIT, Status.OK);
      expect(await breaker.modeOf(BTC)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
      expect(await breaker.modeOf(GLOBAL)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
    });

    it("test_lift_priceMove_afterPriceHoldsForCooldown", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.act(ETH, Cls.EXIT, BEYOND_LIMIT, Status.OK);
      await expect(gated.act(ETH, Cls.EXIT, BEYOND_LIMIT, Status.OK)).to.emit(breaker, "BreakerCooldownStarted");
      await time.increase(PARAMS.cooldown);
      await expect(gated.act(ETH, Cls.EXIT, BEYOND_LIMIT, Status.OK))
        .to.emit(breaker, "BreakerLifted")
        .withArgs(ETH, Mode.ACTIVE, Reason.PRICE_MOVE);
    });

    it("test_lift_priceKeepsMoving_interruptsCooldown", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.act(ETH, Cls.EXIT, BEYOND_LIMIT, Status.OK);
      await gated.act(ETH, Cls.EXIT, BEYOND_LIMIT, Status.OK); // holds: cooldown starts
      const further = (BEYOND_LIMIT * 12n) / 10n;
      await expect(gated.act(ETH, Cls.EXIT, further, Status.OK))
        .to.emit(breaker, "BreakerCooldownInterrupted")
        .withArgs(ETH, Reason.PRICE_MOVE);
    });

    it("test_checkAction_spotTooLargeToStore_reverts", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.act(ETH, Cls.EXIT, MAX_UINT96 + 1n, Status.OK))
        .to.be.revertedWithCustomError(breaker, "BreakerSpotOutOfRange")
        .withArgs(ETH, MAX_UINT96 + 1n, MAX_UINT96);
    });

    it("test_checkAction_quietReading_writesNothing", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      const before = await breaker.scopeState(ETH);
      const tx = gated.act(ETH, Cls.RISK_INCREASING, (ETH_SPOT * 105n) / 100n, Status.OK);
      await expect(tx).not.to.emit(breaker, "BreakerReferencePriceSet");
      expect(await breaker.scopeState(ETH)).to.deep.equal(before);
    });
  });

  describe("utilisation (global scope)", () => {
    it("test_poke_utilisationAboveCap_tripsGlobalReduceOnly", async () => {
      const { breaker, metrics, gated } = await loadFixture(deployBreakerWithReferences);
      await metrics.setUtilisation(PARAMS.utilisationCap + 1n);
      await expect(breaker.poke(GLOBAL))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(GLOBAL, Mode.REDUCE_ONLY, Reason.UTILISATION)
        .and.to.emit(breaker, "BreakerModeChanged")
        .withArgs(GLOBAL, Mode.ACTIVE, Mode.REDUCE_ONLY, Reason.UTILISATION);
      expect(await breaker.modeOf(GLOBAL)).to.deep.equal([Mode.REDUCE_ONLY, Reason.UTILISATION]);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.GLOBAL]);
      // Every market's copy of the global gate was rewritten.
      expect((await breaker.scopeState(BTC)).globalLevel).to.equal(Mode.REDUCE_ONLY);
      await expect(gated.act(BTC, Cls.RISK_INCREASING, 0n, Status.OK))
        .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
        .withArgs(BTC, Cls.RISK_INCREASING, Mode.REDUCE_ONLY, Reason.GLOBAL);
      await expect(gated.act(BTC, Cls.RISK_REDUCING, 0n, Status.OK)).not.to.be.reverted;
    });

    it("test_poke_utilisationAtCap_doesNotTrip", async () => {
      const { breaker, metrics } = await loadFixture(deployBreakerWithReferences);
      await metrics.setUtilisation(PARAMS.utilisationCap);
      await expect(breaker.poke(GLOBAL)).not.to.emit(breaker, "BreakerTripped");
    });

    it("test_poke_market_alsoEvaluatesGlobal", async () => {
      const { breaker, metrics } = await loadFixture(deployBreakerWithReferences);
      await metrics.setUtilisation(2n * WAD);
      await expect(breaker.poke(ETH))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(GLOBAL, Mode.REDUCE_ONLY, Reason.UTILISATION);
      expect(await breaker.poke.staticCall(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.GLOBAL]);
    });

    it("test_lift_utilisation_afterCooldownOnceBelowCap", async () => {
      const { breaker, metrics } = await loadFixture(deployBreakerWithReferences);
      await metrics.setUtilisation(PARAMS.utilisationCap + 1n);
      await breaker.poke(GLOBAL);
      await time.increase(PARAMS.cooldown);
      // Still above the cap: the cooldown does not start.
      await expect(breaker.poke(GLOBAL)).not.to.emit(breaker, "BreakerCooldownStarted");
      await metrics.setUtilisation(WAD / 2n);
      await expect(breaker.poke(GLOBAL)).to.emit(breaker, "BreakerCooldownStarted");
      await time.increase(PARAMS.cooldown);
      await expect(breaker.poke(GLOBAL))
        .to.emit(breaker, "BreakerLifted")
        .withArgs(GLOBAL, Mode.ACTIVE, Reason.UTILISATION)
        .and.to.emit(breaker, "BreakerModeChanged")
        .withArgs(GLOBAL, Mode.REDUCE_ONLY, Mode.ACTIVE, Reason.NONE);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
      expect((await breaker.scopeState(ETH)).globalLevel).to.equal(0n);
    });

    it("test_poke_noMetricsWired_skipsUtilisation", async () => {
      const [deployer] = await ethers.getSigners();
      const manager = await ethers.deployContract("AccessManager", [deployer.address]);
      const router = await ethers.deployContract("BreakerRouterMock");
      const breaker = await ethers.deployContract("CircuitBreaker", [
        await manager.getAddress(),
        await router.getAddress(),
        PARAMS.quoteDecimals,
        PARAMS.outflowLimit,
        PARAMS.refillPeriod,
        PARAMS.utilisationCap,
        PARAMS.cooldown,
      ]);
      expect(await breaker.metrics()).to.equal(ethers.ZeroAddress);
      await expect(breaker.poke(GLOBAL)).not.to.emit(breaker, "BreakerTripped");
    });

    it("test_poke_revertingMetrics_reverts", async () => {
      const { breaker, manager, admin, router } = await loadFixture(deployBreakerWithReferences);
      // The router mock has code but no `utilisation()`: every read reverts.
      await adminExecute(
        manager,
        admin,
        breaker,
        breaker.interface.encodeFunctionData("setMetrics", [await router.getAddress()])
      );
      await expect(breaker.poke(GLOBAL)).to.be.reverted;
    });
  });

  describe("poke", () => {
    it("test_poke_unknownMarket_reverts", async () => {
      const { breaker } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.poke(UNKNOWN))
        .to.be.revertedWithCustomError(breaker, "BreakerUnknownMarket")
        .withArgs(UNKNOWN);
    });

    it("test_poke_revertingRouter_revertsInsteadOfTripping", async () => {
      const { breaker, router } = await loadFixture(deployBreakerWithReferences);
      await router.setReverting(true);
      await expect(breaker.poke(ETH)).to.be.revertedWithCustomError(router, "BreakerRouterMockReverted").withArgs(ETH);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
    });

    it("test_poke_readsRouter_failedTripsHalted", async () => {
      const { breaker, router } = await loadFixture(deployBreakerWithReferences);
      await router.setSpot(ETH, 0n, Status.FAILED);
      await expect(breaker.poke(ETH))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(ETH, Mode.HALTED, Reason.ORACLE_FAILED);
    });

    it("test_poke_readsRouter_priceMoveTrips", async () => {
      const { breaker, router } = await loadFixture(deployBreakerWithReferences);
      await router.setSpot(ETH, BEYOND_LIMIT, Status.OK);
      await expect(breaker.poke(ETH))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(ETH, Mode.REDUCE_ONLY, Reason.PRICE_MOVE);
    });

    it("test_poke_worksWhilePaused", async () => {
      const { breaker, router, guardian } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).pause();
      await router.setSpot(ETH, ETH_SPOT, Status.DEGRADED);
      await expect(breaker.poke(ETH)).to.emit(breaker, "BreakerTripped");
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED]);
    });

    it("test_poke_anyoneMayCall", async () => {
      const { breaker, router, stranger } = await loadFixture(deployBreakerWithReferences);
      await router.setSpot(ETH, ETH_SPOT, Status.DEGRADED);
      await expect(breaker.connect(stranger).poke(ETH)).to.emit(breaker, "BreakerTripped");
    });
  });

  describe("gated callers", () => {
    it("test_checkAction_ungatedCaller_readOnlyCheckPasses", async () => {
      const { rogue } = await loadFixture(deployBreakerWithReferences);
      await expect(rogue.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK)).not.to.be.reverted;
    });

    it("test_checkAction_ungatedCaller_cannotTripRollOrClear", async () => {
      const { breaker, rogue, gated } = await loadFixture(deployBreakerWithReferences);
      const rogueAddress = await rogue.getAddress();
      // A fake move, a fake oracle failure, a window roll: each would write, so each needs GATED.
      await expect(rogue.act(ETH, Cls.EXIT, BEYOND_LIMIT, Status.OK))
        .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
        .withArgs(rogueAddress);
      await expect(rogue.act(ETH, Cls.EXIT, 0n, Status.FAILED))
        .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
        .withArgs(rogueAddress);
      await time.increase(PARAMS.window);
      await expect(rogue.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK))
        .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
        .withArgs(rogueAddress);
      // Nor can it move a tripped market towards its lift.
      await gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED);
      await expect(rogue.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK))
        .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
        .withArgs(rogueAddress);
    });

    it("test_hooks_callerOtherThanFlowReporter_reverts", async () => {
      const { breaker, rogue, gated, stranger } = await loadFixture(deployBreakerWithReferences);
      const reporter = await gated.getAddress();
      await expect(rogue.withdraw(1n))
        .to.be.revertedWithCustomError(breaker, "BreakerNotFlowReporter")
        .withArgs(await rogue.getAddress(), reporter);
      await expect(rogue.deposit(1n))
        .to.be.revertedWithCustomError(breaker, "BreakerNotFlowReporter")
        .withArgs(await rogue.getAddress(), reporter);
      await expect(rogue.tryWithdraw(1n))
        .to.be.revertedWithCustomError(breaker, "BreakerNotFlowReporter")
        .withArgs(await rogue.getAddress(), reporter);
      await expect(breaker.connect(stranger).recordOutflow(1n))
        .to.be.revertedWithCustomError(breaker, "BreakerNotFlowReporter")
        .withArgs(stranger.address, reporter);
      expect((await breaker.outflowBucket()).netOutflow).to.equal(0n);
    });
  });
});
