/**
 * The flow reporter: the vault hooks (`recordOutflow`, `tryRecordOutflow`, `recordInflow`) answer one address wired
 * once by the admin (`setFlowReporter`), checked by a plain comparison instead of an AccessManager round trip; and
 * `tryRecordOutflow`, the vault's single call per withdraw/redeem: gate, room and charge in one.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  Cls,
  GLOBAL,
  Mode,
  PARAMS,
  Reason,
  USDC,
  deployBareBreaker,
  deployBreakerWithReferences,
  deployBreakerWithoutFlowReporter,
} from "./breakerFixture";

const LIMIT = PARAMS.outflowLimit;
const TRIP_LEVEL = (LIMIT * 9_900n) / 10_000n;

describe("CircuitBreaker flow reporter", () => {
  describe("setFlowReporter", () => {
    it("test_setFlowReporter_wiresOnce_emits_andRefusesASecondWiring", async () => {
      const f = await loadFixture(deployBreakerWithoutFlowReporter);
      const vault = await f.vault.getAddress();
      expect(await f.breaker.flowReporter()).to.equal(ethers.ZeroAddress);
      await expect(f.breaker.setFlowReporter(vault)).to.emit(f.breaker, "BreakerFlowReporterSet").withArgs(vault);
      expect(await f.breaker.flowReporter()).to.equal(vault);
      const other = await ethers.deployContract("BreakerGatedMock", [await f.breaker.getAddress()]);
      await expect(f.breaker.setFlowReporter(await other.getAddress()))
        .to.be.revertedWithCustomError(f.breaker, "BreakerFlowReporterAlreadySet")
        .withArgs(vault);
      expect(await f.breaker.flowReporter()).to.equal(vault);
    });

    it("test_setFlowReporter_rejectsNoCode_foreignVault_nonVault_andStrangers", async () => {
      const f = await loadFixture(deployBreakerWithoutFlowReporter);
      await expect(f.breaker.setFlowReporter(f.stranger.address))
        .to.be.revertedWithCustomError(f.breaker, "BreakerInvalidFlowReporter")
        .withArgs(f.stranger.address);
      // A vault over another breaker, and a contract that has no `breaker()` at all.
      const other = await deployBareBreaker();
      await expect(f.breaker.setFlowReporter(await other.gated.getAddress()))
        .to.be.revertedWithCustomError(f.breaker, "BreakerInvalidFlowReporter")
        .withArgs(await other.gated.getAddress());
      await expect(f.breaker.setFlowReporter(await f.router.getAddress()))
        .to.be.revertedWithCustomError(f.breaker, "BreakerInvalidFlowReporter")
        .withArgs(await f.router.getAddress());
      await expect(f.breaker.connect(f.stranger).setFlowReporter(await f.vault.getAddress()))
        .to.be.revertedWithCustomError(f.breaker, "AccessManagedUnauthorized")
        .withArgs(f.stranger.address);
      expect(await f.breaker.flowReporter()).to.equal(ethers.ZeroAddress);
    });

    it("test_flowHooks_beforeWiring_refuseEveryCaller", async () => {
      const f = await loadFixture(deployBreakerWithoutFlowReporter);
      const vault = await f.vault.getAddress();
      await expect(f.vault.withdraw(1n))
        .to.be.revertedWithCustomError(f.breaker, "BreakerNotFlowReporter")
        .withArgs(vault, ethers.ZeroAddress);
      await expect(f.vault.tryWithdraw(1n))
        .to.be.revertedWithCustomError(f.breaker, "BreakerNotFlowReporter")
        .withArgs(vault, ethers.ZeroAddress);
      await expect(f.vault.deposit(1n))
        .to.be.revertedWithCustomError(f.breaker, "BreakerNotFlowReporter")
        .withArgs(vault, ethers.ZeroAddress);
    });
  });

  describe("tryRecordOutflow", () => {
    it("test_tryRecordOutflow_withinRoom_chargesLikeRecordOutflow_andReturnsTheRoomBefore", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      const assets = 400_000n * USDC;
      expect(await gated.tryWithdraw.staticCall(assets)).to.deep.equal([true, LIMIT]);
      await expect(gated.tryWithdraw(assets)).to.emit(breaker, "BreakerOutflowRecorded").withArgs(assets, assets);
      expect(await breaker.netOutflow()).to.equal(assets);
      expect((await breaker.outflowBucket()).updatedAt).to.equal(BigInt(await time.latest()));
    });

    it("test_tryRecordOutflow_beyondRoom_chargesNothing_andReturnsTheRoom", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await gated.tryWithdraw(LIMIT / 2n);
      const before = await breaker.outflowBucket();
      const room = await breaker.outflowAvailable();
      expect(await gated.tryWithdraw.staticCall(room + 1n)).to.deep.equal([false, room]);
      // The bucket refills by the second: a full limit stays beyond the room in the next block too.
      await expect(gated.tryWithdraw(LIMIT)).not.to.emit(breaker, "BreakerOutflowRecorded");
      expect(await breaker.outflowBucket()).to.deep.equal(before);
    });

    it("test_tryRecordOutflow_zero_chargesNothing_butIsGated", async () => {
      const { breaker, gated, guardian } = await loadFixture(deployBreakerWithReferences);
      expect(await gated.tryWithdraw.staticCall(0n)).to.deep.equal([false, LIMIT]);
      await expect(gated.tryWithdraw(0n)).not.to.emit(breaker, "BreakerOutflowRecorded");
      await breaker.connect(guardian).pause();
      await expect(gated.tryWithdraw(0n))
        .to.be.revertedWithCustomError(breaker, "BreakerPaused")
        .withArgs(GLOBAL, Cls.EXIT);
    });

    it("test_tryRecordOutflow_refusedWhilePaused_sameErrorAsRecordOutflow", async () => {
      const { breaker, gated, guardian } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).pause();
      const before = await breaker.outflowBucket();
      for (const call of [() => gated.tryWithdraw(USDC), () => gated.withdraw(USDC)]) {
        await expect(call()).to.be.revertedWithCustomError(breaker, "BreakerPaused").withArgs(GLOBAL, Cls.EXIT);
      }
      expect(await breaker.outflowBucket()).to.deep.equal(before);
    });

    it("test_tryRecordOutflow_reachingTripLevel_tripsGlobalReduceOnly", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.tryWithdraw(TRIP_LEVEL))
        .to.emit(breaker, "BreakerTripped")
        .withArgs(GLOBAL, Mode.REDUCE_ONLY, Reason.OUTFLOW);
      expect(await breaker.modeOf(GLOBAL)).to.deep.equal([Mode.REDUCE_ONLY, Reason.OUTFLOW]);
      // EXIT stays allowed in REDUCE_ONLY: the rest of the room can still be charged.
      const room = await breaker.outflowAvailable();
      expect(await gated.tryWithdraw.staticCall(room)).to.deep.equal([true, room]);
    });
  });
});
