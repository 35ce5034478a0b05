/** Guardian, admin (timelocked) and risk powers, their limits, the pause, parameter bounds and wiring. */
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
  Param,
  Reason,
  Status,
  UNKNOWN,
  USDC,
  WAD,
  adminExecute,
  deployBareBreaker,
  deployBreakerWithReferences,
} from "./breakerFixture";

describe("CircuitBreaker governance", () => {
  describe("guardian", () => {
    it("test_trip_market_reduceOnlyThenHalted", async () => {
      const { breaker, guardian } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.connect(guardian).trip(ETH, Mode.REDUCE_ONLY))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(ETH, Mode.REDUCE_ONLY, Reason.GUARDIAN)
        .and.to.emit(breaker, "BreakerModeChanged")
        .withArgs(ETH, Mode.ACTIVE, Mode.REDUCE_ONLY, Reason.GUARDIAN);
      await expect(breaker.connect(guardian).trip(ETH, Mode.HALTED))
        .to.emit(breaker, "BreakerModeChanged")
        .withArgs(ETH, Mode.REDUCE_ONLY, Mode.HALTED, Reason.GUARDIAN);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.HALTED, Reason.GUARDIAN]);
    });

    it("test_trip_notEscalating_reverts", async () => {
      const { breaker, guardian } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.connect(guardian).trip(ETH, Mode.ACTIVE))
        .to.be.revertedWithCustomError(breaker, "BreakerTripNotEscalating")
        .withArgs(ETH, Mode.ACTIVE, Mode.ACTIVE);
      await breaker.connect(guardian).trip(ETH, Mode.HALTED);
      await expect(breaker.connect(guardian).trip(ETH, Mode.REDUCE_ONLY))
        .to.be.revertedWithCustomError(breaker, "BreakerTripNotEscalating")
        .withArgs(ETH, Mode.HALTED, Mode.REDUCE_ONLY);
      await expect(breaker.connect(guardian).trip(ETH, Mode.HALTED))
        .to.be.revertedWithCustomError(breaker, "BreakerTripNotEscalating")
        .withArgs(ETH, Mode.HALTED, Mode.HALTED);
    });

    it("test_trip_global_copiesGateIntoEveryMarket", async () => {
      const { breaker, guardian } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.connect(guardian).trip(GLOBAL, Mode.HALTED))
        .to.emit(breaker, "BreakerModeChanged")
        .withArgs(GLOBAL, Mode.ACTIVE, Mode.HALTED, Reason.GUARDIAN);
      for (const scope of [GLOBAL, ETH, BTC]) {
        expect((await breaker.scopeState(scope)).globalLevel).to.equal(Mode.HALTED);
      }
      expect(await breaker.modeOf(BTC)).to.deep.equal([Mode.HALTED, Reason.GLOBAL]);
    });

    it("test_trip_unknownMarket_reverts", async () => {
      const { breaker, guardian } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.connect(guardian).trip(UNKNOWN, Mode.HALTED))
        .to.be.revertedWithCustomError(breaker, "BreakerUnknownMarket")
        .withArgs(UNKNOWN);
    });

    it("test_trip_onlyGuardian", async () => {
      const { breaker, admin, risk, stranger } = await loadFixture(deployBreakerWithReferences);
      for (const caller of [admin, risk, stranger]) {
        await expect(breaker.connect(caller).trip(ETH, Mode.HALTED))
          .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
          .withArgs(caller.address);
        await expect(breaker.connect(caller).pause())
          .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
          .withArgs(caller.address);
      }
    });

    it("test_guardian_cannotLiftUnpauseSetParametersOrWire", async () => {
      const { breaker, guardian, metrics } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(ETH, Mode.HALTED);
      await breaker.connect(guardian).pause();
      const g = breaker.connect(guardian);
      const metricsAddress = await metrics.getAddress();
      // Thunks, so no call is sent (and rejected) before its assertion awaits it.
      const calls = [
        () => g.lift(ETH, Mode.ACTIVE),
        () => g.unpause(),
        () => g.setPriceMoveParams(ETH, 2_000, 600),
        () => g.setOutflowParams(2_000_000n * USDC, 3600),
        () => g.setUtilisationCap(WAD),
        () => g.setCooldown(600),
        () => g.addMarket(ethers.encodeBytes32String("SOL"), 1_000, 600),
        () => g.setMetrics(metricsAddress),
      ];
      for (const call of calls) {
        await expect(call())
          .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
          .withArgs(guardian.address);
      }
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.HALTED, Reason.GUARDIAN]);
      expect(await breaker.paused()).to.equal(true);
    });

    it("test_pause_stopsEverythingButViews_andKeepsModes", async () => {
      const { breaker, guardian, gated } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(ETH, Mode.HALTED);
      await expect(breaker.connect(guardian).pause()).to.emit(breaker, "Paused").withArgs(guardian.address);
      for (const scope of [GLOBAL, ETH, BTC]) expect((await breaker.scopeState(scope)).globalLevel).to.equal(3n);
      await expect(gated.act(BTC, Cls.EXIT, 0n, Status.OK))
        .to.be.revertedWithCustomError(breaker, "BreakerPaused")
        .withArgs(BTC, Cls.EXIT);
      await expect(gated.withdraw(1n))
        .to.be.revertedWithCustomError(breaker, "BreakerPaused")
        .withArgs(GLOBAL, Cls.EXIT);
      await expect(gated.deposit(1n))
        .to.be.revertedWithCustomError(breaker, "BreakerPaused")
        .withArgs(GLOBAL, Cls.RISK_INCREASING);
      await expect(gated.act(BTC, Cls.VIEW, 0n, Status.OK)).not.to.be.reverted;
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.HALTED, Reason.GUARDIAN]);
    });

    it("test_pause_twice_reverts", async () => {
      const { breaker, guardian } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).pause();
      await expect(breaker.connect(guardian).pause()).to.be.revertedWithCustomError(breaker, "EnforcedPause");
    });
  });

  describe("admin (timelocked)", () => {
    async function halted() {
      const f = await loadFixture(deployBreakerWithReferences);
      await f.breaker.connect(f.guardian).trip(ETH, Mode.HALTED);
      return f;
    }

    it("test_lift_scheduleWaitExecute", async () => {
      const { breaker, manager, admin, gated } = await halted();
      const data = breaker.interface.encodeFunctionData("lift", [ETH, Mode.ACTIVE]);
      const target = await breaker.getAddress();
      await manager.connect(admin).schedule(target, data, 0);
      const opId = await manager.hashOperation(admin.address, target, data);

      await time.increase(PARAMS.adminDelay - 10);
      await expect(manager.connect(admin).execute(target, data))
        .to.be.revertedWithCustomError(manager, "AccessManagerNotReady")
        .withArgs(opId);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.HALTED, Reason.GUARDIAN]);

      await time.increase(10);
      await expect(manager.connect(admin).execute(target, data))
        .to.emit(breaker, "BreakerLifted")
        .withArgs(ETH, Mode.ACTIVE, Reason.GUARDIAN)
        .and.to.emit(breaker, "BreakerModeChanged")
        .withArgs(ETH, Mode.HALTED, Mode.ACTIVE, Reason.NONE);
      await expect(gated.act(ETH, Cls.RISK_INCREASING, 0n, Status.OK)).not.to.be.reverted;
    });

    it("test_lift_withoutSchedule_reverts", async () => {
      const { breaker, manager, admin } = await halted();
      const data = breaker.interface.encodeFunctionData("lift", [ETH, Mode.ACTIVE]);
      const opId = await manager.hashOperation(admin.address, await breaker.getAddress(), data);
      await expect(breaker.connect(admin).lift(ETH, Mode.ACTIVE))
        .to.be.revertedWithCustomError(manager, "AccessManagerNotScheduled")
        .withArgs(opId);
    });

    it("test_lift_scheduledThenDirectCallAfterDelay_succeeds", async () => {
      const { breaker, manager, admin } = await halted();
      const data = breaker.interface.encodeFunctionData("lift", [ETH, Mode.REDUCE_ONLY]);
      await manager.connect(admin).schedule(await breaker.getAddress(), data, 0);
      await time.increase(PARAMS.adminDelay);
      await expect(breaker.connect(admin).lift(ETH, Mode.REDUCE_ONLY))
        .to.emit(breaker, "BreakerModeChanged")
        .withArgs(ETH, Mode.HALTED, Mode.REDUCE_ONLY, Reason.GUARDIAN);
    });

    it("test_lift_notLowering_reverts", async () => {
      const { breaker, manager, admin, guardian } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(ETH, Mode.REDUCE_ONLY);
      const data = breaker.interface.encodeFunctionData("lift", [ETH, Mode.HALTED]);
      await expect(adminExecute(manager, admin, breaker, data))
        .to.be.revertedWithCustomError(breaker, "BreakerLiftNotLowering")
        .withArgs(ETH, Mode.REDUCE_ONLY, Mode.HALTED);
    });

    it("test_lift_manualOnly_automaticTripStays", async () => {
      const { breaker, manager, admin, gated } = await halted();
      await gated.act(ETH, Cls.EXIT, 0n, Status.FAILED);
      await adminExecute(manager, admin, breaker, breaker.interface.encodeFunctionData("lift", [ETH, Mode.ACTIVE]));
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.HALTED, Reason.ORACLE_FAILED]);
    });

    it("test_lift_global_restoresEveryMarket", async () => {
      const { breaker, manager, admin, guardian, gated } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(GLOBAL, Mode.HALTED);
      await expect(
        adminExecute(manager, admin, breaker, breaker.interface.encodeFunctionData("lift", [GLOBAL, Mode.ACTIVE]))
      )
        .to.emit(breaker, "BreakerModeChanged")
        .withArgs(GLOBAL, Mode.HALTED, Mode.ACTIVE, Reason.NONE);
      for (const scope of [GLOBAL, ETH, BTC]) expect((await breaker.scopeState(scope)).globalLevel).to.equal(0n);
      await expect(gated.act(BTC, Cls.RISK_INCREASING, 0n, Status.OK)).not.to.be.reverted;
    });

    it("test_unpause_throughTimelock_restoresUnderlyingModes", async () => {
      const { breaker, manager, admin, guardian, gated } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(GLOBAL, Mode.REDUCE_ONLY);
      await breaker.connect(guardian).pause();
      await expect(breaker.connect(admin).unpause()).to.be.revertedWithCustomError(
        manager,
        "AccessManagerNotScheduled"
      );
      await expect(adminExecute(manager, admin, breaker, breaker.interface.encodeFunctionData("unpause")))
        .to.emit(breaker, "Unpaused")
        .withArgs(await manager.getAddress());
      expect(await breaker.paused()).to.equal(false);
      // The global REDUCE_ONLY that was under the pause is back in force.
      for (const scope of [GLOBAL, ETH, BTC]) expect((await breaker.scopeState(scope)).globalLevel).to.equal(1n);
      await expect(gated.act(ETH, Cls.RISK_REDUCING, 0n, Status.OK)).not.to.be.reverted;
      await expect(gated.act(ETH, Cls.RISK_INCREASING, 0n, Status.OK))
        .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
        .withArgs(ETH, Cls.RISK_INCREASING, Mode.REDUCE_ONLY, Reason.GLOBAL);
    });

    it("test_unpause_notPaused_reverts", async () => {
      const { breaker, manager, admin } = await loadFixture(deployBreakerWithReferences);
      await expect(
        adminExecute(manager, admin, breaker, breaker.interface.encodeFunctionData("unpause"))
      ).to.be.revertedWithCustomError(breaker, "ExpectedPause");
    });
  });

  describe("risk parameters", () => {
    type Case = {
      name: string;
      param: bigint;
      min: bigint;
      max: bigint;
      call: (b: Awaited<ReturnType<typeof deployBreakerWithReferences>>["breaker"], v: bigint) => Promise<unknown>;
    };
    const CASES: Case[] = [
      {
        name: "setPriceMoveParams(limit)",
        param: Param.PRICE_MOVE_LIMIT,
        min: 100n,
        max: 5_000n,
        call: (b, v) => b.setPriceMoveParams(ETH, v, 600),
      },
      {
        name: "setPriceMoveParams(window)",
        param: Param.PRICE_MOVE_WINDOW,
        min: 60n,
        max: 86_400n,
        call: (b, v) => b.setPriceMoveParams(ETH, 1_000, v),
      },
      {
        name: "setOutflowParams(limit)",
        param: Param.OUTFLOW_LIMIT,
        min: 1_000n * USDC,
        max: 10_000_000_000n * USDC,
        call: (b, v) => b.setOutflowParams(v, 3600),
      },
      {
        name: "setOutflowParams(refillPeriod)",
        param: Param.OUTFLOW_REFILL_PERIOD,
        min: 3_600n,
        max: 604_800n,
        call: (b, v) => b.setOutflowParams(1_000_000n * USDC, v),
      },
      {
        name: "setUtilisationCap",
        param: Param.UTILISATION_CAP,
        min: WAD / 2n,
        max: WAD,
        call: (b, v) => b.setUtilisationCap(v),
      },
      { name: "setCooldown", param: Param.COOLDOWN, min: 300n, max: 86_400n, call: (b, v) => b.setCooldown(v) },
    ];

    for (const c of CASES) {
      it(`test_${c.name}_boundsInclusive_outsideReverts`, async () => {
        const { breaker, risk } = await loadFixture(deployBreakerWithReferences);
        const asRisk = breaker.connect(risk);
        await expect(c.call(asRisk, c.min - 1n))
          .to.be.revertedWithCustomError(breaker, "BreakerParameterOutOfBounds")
          .withArgs(c.param, c.min - 1n, c.min, c.max);
        await expect(c.call(asRisk, c.max + 1n))
          .to.be.revertedWithCustomError(breaker, "BreakerParameterOutOfBounds")
          .withArgs(c.param, c.max + 1n, c.min, c.max);
        await expect(c.call(asRisk, c.min)).not.to.be.reverted;
        await expect(c.call(asRisk, c.max)).not.to.be.reverted;
      });

      it(`test_${c.name}_onlyRisk`, async () => {
        const { breaker, admin, guardian, stranger } = await loadFixture(deployBreakerWithReferences);
        for (const caller of [admin, guardian, stranger]) {
          await expect(c.call(breaker.connect(caller), c.min))
            .to.be.revertedWithCustomError(breaker, "AccessManagedUnauthorized")
            .withArgs(caller.address);
        }
      });
    }

    it("test_setPriceMoveParams_emitsStoresAndRestartsWindow", async () => {
      const { breaker, risk, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.connect(risk).setPriceMoveParams(ETH, 500, 600))
        .to.emit(breaker, "BreakerPriceMoveParamsSet")
        .withArgs(ETH, 500, 600);
      const state = await breaker.scopeState(ETH);
      expect([state.moveLimitBps, state.window, state.refPrice]).to.deep.equal([500n, 600n, 0n]);
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK)).to.emit(breaker, "BreakerReferencePriceSet");
      // The new, tighter limit applies: 6% now trips.
      await expect(gated.act(ETH, Cls.EXIT, (ETH_SPOT * 106n) / 100n, Status.OK))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(ETH, Mode.REDUCE_ONLY, Reason.PRICE_MOVE);
    });

    it("test_setPriceMoveParams_unknownMarket_reverts", async () => {
      const { breaker, risk } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.connect(risk).setPriceMoveParams(UNKNOWN, 500, 600))
        .to.be.revertedWithCustomError(breaker, "BreakerUnknownMarket")
        .withArgs(UNKNOWN);
    });

    it("test_setUtilisationCap_andSetCooldown_emitAndStore", async () => {
      const { breaker, risk } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.connect(risk).setUtilisationCap((8n * WAD) / 10n))
        .to.emit(breaker, "BreakerUtilisationCapSet")
        .withArgs((8n * WAD) / 10n);
      await expect(breaker.connect(risk).setCooldown(600)).to.emit(breaker, "BreakerCooldownSet").withArgs(600);
      expect(await breaker.utilisationCap()).to.equal((8n * WAD) / 10n);
      expect(await breaker.cooldown()).to.equal(600n);
    });

    it("test_setCooldown_appliesToTheNextCooldown", async () => {
      const { breaker, risk, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.DEGRADED);
      await breaker.connect(risk).setCooldown(600);
      await expect(gated.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK))
        .to.emit(breaker, "BreakerCooldownStarted")
        .withArgs(ETH, (await time.latest()) + 1 + 600);
    });
  });

  describe("wiring (admin)", () => {
    const SOL = ethers.encodeBytes32String("SOL");

    it("test_addMarket_emitsListsAndStartsActive", async () => {
      const { breaker } = await loadFixture(deployBareBreaker);
      await expect(breaker.addMarket(SOL, 2_000, 900)).to.emit(breaker, "BreakerMarketAdded").withArgs(SOL, 2_000, 900);
      expect(await breaker.markets()).to.deep.equal([SOL]);
      expect(await breaker.modeOf(SOL)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
    });

    it("test_addMarket_throughTimelock", async () => {
      const { breaker, manager, admin } = await loadFixture(deployBreakerWithReferences);
      await expect(breaker.connect(admin).addMarket(SOL, 1_000, 600)).to.be.revertedWithCustomError(
        manager,
        "AccessManagerNotScheduled"
      );
      await adminExecute(manager, admin, breaker, breaker.interface.encodeFunctionData("addMarket", [SOL, 1_000, 600]));
      expect(await breaker.markets()).to.deep.equal([ETH, BTC, SOL]);
    });

    it("test_addMarket_reservedDuplicateAndBounds_revert", async () => {
      const { breaker } = await loadFixture(deployBareBreaker);
      await expect(breaker.addMarket(GLOBAL, 1_000, 600))
        .to.be.revertedWithCustomError(breaker, "BreakerReservedMarketId")
        .withArgs(GLOBAL);
      await breaker.addMarket(SOL, 1_000, 600);
      await expect(breaker.addMarket(SOL, 1_000, 600))
        .to.be.revertedWithCustomError(breaker, "BreakerMarketExists")
        .withArgs(SOL);
      await expect(breaker.addMarket(ETH, 99, 600))
        .to.be.revertedWithCustomError(breaker, "BreakerParameterOutOfBounds")
        .withArgs(Param.PRICE_MOVE_LIMIT, 99, 100, 5_000);
      await expect(breaker.addMarket(ETH, 1_000, 59))
        .to.be.revertedWithCustomError(breaker, "BreakerParameterOutOfBounds")
        .withArgs(Param.PRICE_MOVE_WINDOW, 59, 60, 86_400);
    });

    it("test_addMarket_beyondMaxMarkets_reverts", async () => {
      const { breaker } = await loadFixture(deployBareBreaker);
      const max = await breaker.MAX_MARKETS();
      for (let i = 0n; i < max; i++) await breaker.addMarket(ethers.toBeHex(i + 1n, 32), 1_000, 600);
      await expect(breaker.addMarket(SOL, 1_000, 600))
        .to.be.revertedWithCustomError(breaker, "BreakerTooManyMarkets")
        .withArgs(max);
    });

    it("test_addMarket_inheritsTheGlobalGate", async () => {
      const { breaker, guardian, gated } = await loadFixture(deployBareBreaker);
      await breaker.connect(guardian).trip(GLOBAL, Mode.REDUCE_ONLY);
      await breaker.addMarket(SOL, 1_000, 600);
      expect((await breaker.scopeState(SOL)).globalLevel).to.equal(Mode.REDUCE_ONLY);
      await expect(gated.act(SOL, Cls.RISK_INCREASING, 0n, Status.OK))
        .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
        .withArgs(SOL, Cls.RISK_INCREASING, Mode.REDUCE_ONLY, Reason.GLOBAL);
    });

    it("test_setMetrics_emitsAndRejectsAddressWithoutCode", async () => {
      const { breaker, stranger } = await loadFixture(deployBareBreaker);
      await expect(breaker.setMetrics(stranger.address))
        .to.be.revertedWithCustomError(breaker, "BreakerInvalidMetrics")
        .withArgs(stranger.address);
      const metrics = await ethers.deployContract("BreakerMetricsMock");
      await expect(breaker.setMetrics(await metrics.getAddress()))
        .to.emit(breaker, "BreakerMetricsSet")
        .withArgs(await metrics.getAddress());
      expect(await breaker.metrics()).to.equal(await metrics.getAddress());
    });
  });

  describe("constructor", () => {
    async function deploy(overrides: Partial<Record<string, unknown>> = {}) {
      const [deployer] = await ethers.getSigners();
      const manager = await ethers.deployContract("AccessManager", [deployer.address]);
      const router = await ethers.deployContract("BreakerRouterMock");
      const args = {
        authority: await manager.getAddress(),
        router: await router.getAddress(),
        decimals: PARAMS.quoteDecimals as number,
        limit: PARAMS.outflowLimit as bigint,
        refill: PARAMS.refillPeriod as number,
        cap: PARAMS.utilisationCap as bigint,
        cooldown: PARAMS.cooldown as number,
        ...overrides,
      };
      const factory = await ethers.getContractFactory("CircuitBreaker");
      return {
        factory,
        tx: factory.deploy(
          args.authority as string,
          args.router as string,
          args.decimals as number,
          args.limit as bigint,
          args.refill as number,
          args.cap as bigint,
          args.cooldown as number
        ),
      };
    }

    it("test_constructor_setsParametersAndBoundsFromDecimals", async () => {
      const { tx } = await deploy({ decimals: 18, limit: 5_000n * WAD });
      const breaker = await tx;
      expect(await breaker.MIN_OUTFLOW_LIMIT()).to.equal(1_000n * WAD);
      expect(await breaker.MAX_OUTFLOW_LIMIT()).to.equal(10_000_000_000n * WAD);
      const bucket = await breaker.outflowBucket();
      expect([bucket.netOutflow, bucket.limit, bucket.refillPeriod]).to.deep.equal([
        0n,
        5_000n * WAD,
        BigInt(PARAMS.refillPeriod),
      ]);
      expect(await breaker.cooldown()).to.equal(BigInt(PARAMS.cooldown));
      expect(await breaker.utilisationCap()).to.equal(PARAMS.utilisationCap);
      const receipt = await breaker.deploymentTransaction()!.wait();
      const names = receipt!.logs.map((l) => breaker.interface.parseLog(l)?.name);
      expect(names).to.include.members(["BreakerOutflowParamsSet", "BreakerUtilisationCapSet", "BreakerCooldownSet"]);
    });

    it("test_constructor_rejectsBadWiringAndParameters", async () => {
      const [deployer] = await ethers.getSigners();
      let d = await deploy({ router: deployer.address });
      await expect(d.tx).to.be.revertedWithCustomError(d.factory, "BreakerInvalidRouter").withArgs(deployer.address);
      d = await deploy({ decimals: 19 });
      await expect(d.tx).to.be.revertedWithCustomError(d.factory, "BreakerInvalidQuoteDecimals").withArgs(19, 18);
      d = await deploy({ limit: 999n * USDC });
      await expect(d.tx)
        .to.be.revertedWithCustomError(d.factory, "BreakerParameterOutOfBounds")
        .withArgs(Param.OUTFLOW_LIMIT, 999n * USDC, 1_000n * USDC, 10_000_000_000n * USDC);
      d = await deploy({ refill: 60 });
      await expect(d.tx).to.be.revertedWithCustomError(d.factory, "BreakerParameterOutOfBounds");
      d = await deploy({ cap: 0n });
      await expect(d.tx).to.be.revertedWithCustomError(d.factory, "BreakerParameterOutOfBounds");
      d = await deploy({ cooldown: 0 });
      await expect(d.tx).to.be.revertedWithCustomError(d.factory, "BreakerParameterOutOfBounds");
    });
  });
});
