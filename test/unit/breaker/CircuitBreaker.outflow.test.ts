/** The vault hooks: a global net-outflow rate limit (leaky bucket, linear refill, net of inflows) in O(1) gas. */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  BTC,
  Cls,
  ETH,
  GLOBAL,
  Mode,
  PARAMS,
  Reason,
  USDC,
  deployBreakerWithReferences,
  executionGas,
} from "./breakerFixture";

const LIMIT = PARAMS.outflowLimit; // 1,000,000 USDC
const PERIOD = BigInt(PARAMS.refillPeriod); // 1 day
/** 99% of the limit: the bucket level at which the global scope trips. */
const TRIP_LEVEL = (LIMIT * 9_900n) / 10_000n;

describe("CircuitBreaker outflow rate limit", () => {
  describe("recordOutflow", () => {
    it("test_recordOutflow_withinLimit_recordsAndEmits", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      const assets = 400_000n * USDC;
      await expect(gated.withdraw(assets)).to.emit(breaker, "BreakerOutflowRecorded").withArgs(assets, assets);
      expect(await breaker.netOutflow()).to.equal(assets);
      expect(await breaker.outflowAvailable()).to.equal(LIMIT - assets);
      const bucket = await breaker.outflowBucket();
      expect(bucket.updatedAt).to.equal(BigInt(await time.latest()));
    });

    it("test_recordOutflow_beyondAvailable_revertsAndChangesNothing", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      const before = await breaker.outflowBucket();
      await expect(gated.withdraw(LIMIT + 1n))
        .to.be.revertedWithCustomError(breaker, "BreakerOutflowLimitExceeded")
        .withArgs(LIMIT + 1n, LIMIT);
      expect(await breaker.outflowBucket()).to.deep.equal(before);
    });

    it("test_recordOutflow_splitAcrossManyAccounts_meetsTheGlobalLimit", async () => {
      const { breaker, gated, others } = await loadFixture(deployBreakerWithReferences);
      const accounts = others.slice(0, 12);
      const slice = LIMIT / 10n;
      // Twelve withdrawals of a tenth of the limit, from twelve accounts, in one block (no refill in between).
      await network.provider.send("evm_setAutomine", [false]);
      const txs = [];
      for (const account of accounts) txs.push(await gated.connect(account).withdraw(slice, { gasLimit: 500_000 }));
      await mine();
      await network.provider.send("evm_setAutomine", [true]);
      const statuses = [];
      for (const tx of txs) {
        const receipt = await ethers.provider.getTransactionReceipt(tx.hash);
        statuses.push(receipt!.status);
      }
      expect(statuses.filter((s) => s === 1).length).to.equal(10);
      expect(statuses.slice(10)).to.deep.equal([0, 0]);
      expect(await breaker.netOutflow()).to.equal(LIMIT);
      expect(await breaker.outflowAvailable()).to.equal(0n);
      await expect(gated.connect(accounts[0]).withdraw(slice))
        .to.be.revertedWithCustomError(breaker, "BreakerOutflowLimitExceeded")
        .withArgs(slice, anyValue);
    });

    it("test_recordOutflow_refillsLinearly", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.withdraw(LIMIT);
      const start = await time.latest();
      await time.increaseTo(start + Number(PERIOD / 4n));
      expect(await breaker.outflowAvailable()).to.equal(LIMIT / 4n);
      await time.setNextBlockTimestamp(start + Number(PERIOD / 2n));
      await expect(gated.withdraw(LIMIT / 2n + 1n))
        .to.be.revertedWithCustomError(breaker, "BreakerOutflowLimitExceeded")
        .withArgs(LIMIT / 2n + 1n, LIMIT / 2n);
      await time.setNextBlockTimestamp(start + Number(PERIOD / 2n) + 1);
      const refilledInOneSecond = LIMIT / PERIOD; // rounded down
      await expect(gated.withdraw(LIMIT / 2n + refilledInOneSecond)).not.to.be.reverted;
      expect(await breaker.outflowAvailable()).to.equal(0n);
    });

    it("test_recordOutflow_fullRefillAfterOnePeriod", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.withdraw(LIMIT);
      await time.increase(Number(PERIOD));
      expect(await breaker.netOutflow()).to.equal(0n);
      expect(await breaker.outflowAvailable()).to.equal(LIMIT);
    });

    it("test_recordOutflow_zeroAssets_changesNothingButIsGated", async () => {
      const { breaker, gated, guardian } = await loadFixture(deployBreakerWithReferences);
      const before = await breaker.outflowBucket();
      await expect(gated.withdraw(0n)).not.to.emit(breaker, "BreakerOutflowRecorded");
      expect(await breaker.outflowBucket()).to.deep.equal(before);
      await breaker.connect(guardian).pause();
      await expect(gated.withdraw(0n))
        .to.be.revertedWithCustomError(breaker, "BreakerPaused")
        .withArgs(GLOBAL, Cls.EXIT);
    });

    it("test_recordOutflow_allowedInHalted", async () => {
      const { breaker, gated, guardian } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(GLOBAL, Mode.HALTED);
      await expect(gated.withdraw(1_000n * USDC)).to.emit(breaker, "BreakerOutflowRecorded");
    });
  });

  describe("recordInflow", () => {
    it("test_recordInflow_netsAgainstOutflow", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.withdraw(800_000n * USDC);
      await expect(gated.deposit(300_000n * USDC))
        .to.emit(breaker, "BreakerInflowRecorded")
        .withArgs(300_000n * USDC, anyValue);
      const net = await breaker.netOutflow();
      // One second of refill (rounded down) passed between the two transactions.
      expect(net).to.equal(500_000n * USDC - LIMIT / PERIOD);
    });

    it("test_recordInflow_creditFlooredAtMinusLimit", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.deposit(5n * LIMIT))
        .to.emit(breaker, "BreakerInflowRecorded")
        .withArgs(5n * LIMIT, -LIMIT);
      // A huge inflow cannot overflow the floor computation either.
      await expect(gated.deposit(2n ** 255n)).not.to.be.reverted;
      expect(await breaker.netOutflow()).to.equal(-LIMIT);
      await time.setNextBlockTimestamp((await time.latest()) + 1);
      // Credit decays too (rounded up), so slightly less than two buckets are available a second later.
      const available = 2n * LIMIT - (LIMIT + PERIOD - 1n) / PERIOD;
      await expect(gated.withdraw(available + 1n))
        .to.be.revertedWithCustomError(breaker, "BreakerOutflowLimitExceeded")
        .withArgs(available + 1n, available);
    });

    it("test_recordInflow_creditDecaysRoundedUp", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.deposit(LIMIT);
      const start = await time.latest();
      await time.increaseTo(start + 7);
      // Expired credit = ceil(limit * 7 / period).
      const expired = (LIMIT * 7n + PERIOD - 1n) / PERIOD;
      expect(await breaker.netOutflow()).to.equal(-LIMIT + expired);
      await time.increase(Number(PERIOD));
      expect(await breaker.netOutflow()).to.equal(0n);
    });

    it("test_recordInflow_refusedInReduceOnly", async () => {
      const { breaker, gated, guardian } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(GLOBAL, Mode.REDUCE_ONLY);
      await expect(gated.deposit(1n))
        .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
        .withArgs(GLOBAL, Cls.RISK_INCREASING, Mode.REDUCE_ONLY, Reason.GUARDIAN);
    });

    it("test_recordInflow_unaffectedByMarketTrips", async () => {
      const { breaker, gated, guardian } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(ETH, Mode.HALTED);
      await expect(gated.deposit(1n)).to.emit(breaker, "BreakerInflowRecorded");
    });
  });

  describe("outflow trip (global)", () => {
    it("test_recordOutflow_belowTripLevel_doesNotTrip", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.withdraw(TRIP_LEVEL - 1n)).not.to.emit(breaker, "BreakerTripped");
    });

    it("test_recordOutflow_reachingTripLevel_tripsGlobalReduceOnly", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.withdraw(TRIP_LEVEL))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(GLOBAL, Mode.REDUCE_ONLY, Reason.OUTFLOW)
        .and.to.emit(breaker, "BreakerModeChanged")
        .withArgs(GLOBAL, Mode.ACTIVE, Mode.REDUCE_ONLY, Reason.OUTFLOW);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.REDUCE_ONLY, Reason.GLOBAL]);
      expect((await breaker.scopeState(BTC)).globalLevel).to.equal(Mode.REDUCE_ONLY);
      // Withdrawals of free funds stay open within the limit; new risk (deposits) does not.
      await expect(gated.withdraw(1_000n * USDC)).to.emit(breaker, "BreakerOutflowRecorded");
      await expect(gated.deposit(1n))
        .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
        .withArgs(GLOBAL, Cls.RISK_INCREASING, Mode.REDUCE_ONLY, Reason.OUTFLOW);
    });

    it("test_lift_outflow_onlyThroughPokeAfterRefillAndCooldown", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.withdraw(LIMIT);
      // Still at the trip level: no cooldown.
      await expect(breaker.poke(GLOBAL)).not.to.emit(breaker, "BreakerCooldownStarted");
      await time.increase(Number(PERIOD) / 10);
      // A vault hook sees only the bucket (not utilisation): it never starts a cooldown.
      await expect(gated.withdraw(1n)).not.to.emit(breaker, "BreakerCooldownStarted");
      await expect(breaker.poke(GLOBAL)).to.emit(breaker, "BreakerCooldownStarted");
      await time.increase(PARAMS.cooldown);
      await expect(breaker.poke(GLOBAL))
        .to.emit(breaker, "BreakerLifted")
        .withArgs(GLOBAL, Mode.ACTIVE, Reason.OUTFLOW);
      expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
    });

    it("test_recordOutflow_reachingTripLevelDuringCooldown_interruptsIt", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.withdraw(LIMIT);
      await time.increase(Number(PERIOD) / 10);
      await breaker.poke(GLOBAL); // cooldown starts
      const available = await breaker.outflowAvailable();
      await expect(gated.withdraw(available))
        .to.emit(breaker, "BreakerCooldownInterrupted")
        .withArgs(GLOBAL, Reason.OUTFLOW);
    });
  });

  describe("parameters", () => {
    it("test_setOutflowParams_accruesUnderOldParamsThenClamps", async () => {
      const { breaker, gated, risk } = await loadFixture(deployBreakerWithReferences);
      await gated.withdraw(800_000n * USDC);
      const start = await time.latest();
      await time.setNextBlockTimestamp(start + Number(PERIOD / 4n));
      const newLimit = 500_000n * USDC;
      await expect(breaker.connect(risk).setOutflowParams(newLimit, 3600))
        .to.emit(breaker, "BreakerOutflowParamsSet")
        .withArgs(newLimit, 3600);
      // 800k - 250k of refill = 550k, clamped to the new 500k limit.
      const bucket = await breaker.outflowBucket();
      expect([bucket.netOutflow, bucket.limit, bucket.refillPeriod, bucket.updatedAt]).to.deep.equal([
        newLimit,
        newLimit,
        3600n,
        BigInt(start) + PERIOD / 4n,
      ]);
      expect(await breaker.outflowAvailable()).to.equal(0n);
    });

    it("test_setOutflowParams_clampsCreditToo", async () => {
      const { breaker, gated, risk } = await loadFixture(deployBreakerWithReferences);
      await gated.deposit(LIMIT);
      await breaker.connect(risk).setOutflowParams(2_000n * USDC, 3600);
      expect((await breaker.outflowBucket()).netOutflow).to.equal(-2_000n * USDC);
    });
  });

  describe("gas", () => {
    it("test_recordOutflow_gasIndependentOfHistory", async () => {
      const { breaker, gated, others, risk } = await loadFixture(deployBreakerWithReferences);
      // A limit large enough for the whole history.
      await breaker.connect(risk).setOutflowParams(10_000_000_000n * USDC, 3600);
      const probe = 1_000n * USDC;
      await gated.withdraw(probe); // first write of the bucket in this state
      const first = await executionGas(await gated.withdraw(probe));
      for (let i = 0; i < 200; i++) {
        const account = others[i % others.length];
        if (i % 3 === 2) await gated.connect(account).deposit(500n * USDC);
        else await gated.connect(account).withdraw(1_000n * USDC + BigInt(i));
      }
      const after = await executionGas(await gated.withdraw(probe));
      console.log(`      recordOutflow through the vault mock: ${first} gas after 2 flows, ${after} after 202`);
      expect(after).to.equal(first);
    });
  });
});
