/**
 * The pause listener: the breaker pushes its pause state to one holder (the MarginEngine in production,
 * `BreakerPauseListenerMock` here), wired once by the admin (`setPauseListener`): once at wiring, then on every
 * `pause()` and `unpause()`, inside the same transaction. The holder skips its EXIT check while its copy says
 * "unpaused" and asks the breaker otherwise. Checks the wiring and its refusals, the value and the number of pushes,
 * that nothing is pushed before the wiring, and that a reverting listener blocks the transition it is told about.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import {
  Cls,
  ETH,
  ETH_SPOT,
  GLOBAL,
  Mode,
  Reason,
  Status,
  adminExecute,
  deployBareBreaker,
  deployBreakerWithReferences,
} from "./breakerFixture";
import type { BreakerPauseListenerMock, CircuitBreaker } from "../../../typechain-types";

/** A listener over `breaker`, not wired. */
async function deployListener(breaker: CircuitBreaker): Promise<BreakerPauseListenerMock> {
  return (await ethers.deployContract("BreakerPauseListenerMock", [
    await breaker.getAddress(),
  ])) as unknown as BreakerPauseListenerMock;
}

/** The production-like fixture (timelocked admin) with a listener deployed over the breaker but not wired. */
async function deployWithUnwiredListener() {
  const f = await deployBreakerWithReferences();
  return { ...f, listener: await deployListener(f.breaker) };
}

/** The same, with the listener wired by the timelocked admin while the breaker is unpaused. */
async function deployWithListener() {
  const f = await deployWithUnwiredListener();
  const data = f.breaker.interface.encodeFunctionData("setPauseListener", [await f.listener.getAddress()]);
  const wiring = await adminExecute(f.manager, f.admin, f.breaker, data);
  return { ...f, wiring };
}

type Fixture = Awaited<ReturnType<typeof deployWithUnwiredListener>>;

/** The values `listener` was pushed inside `tx`, in order (decoded from the transaction's own receipt). */
async function pushesIn(listener: BreakerPauseListenerMock, tx: ContractTransactionResponse): Promise<boolean[]> {
  const receipt = await tx.wait();
  if (!receipt) throw new Error("no receipt");
  const at = await listener.getAddress();
  return receipt.logs
    .filter((log) => log.address === at)
    .map((log) => listener.interface.parseLog(log))
    .filter((parsed) => parsed?.name === "BreakerPauseListenerMockSynced")
    .map((parsed) => parsed!.args.paused as boolean);
}

/** `unpause()` as the timelocked admin. */
function adminUnpause(f: Fixture): Promise<ContractTransactionResponse> {
  return adminExecute(f.manager, f.admin, f.breaker, f.breaker.interface.encodeFunctionData("unpause"));
}

describe("CircuitBreaker pause listener", () => {
  describe("setPauseListener", () => {
    it("test_setPauseListener_wiresOnce_emits_andRefusesASecondWiringWithTheCurrentListener", async () => {
      const f = await loadFixture(deployWithUnwiredListener);
      const listener = await f.listener.getAddress();
      expect(await f.breaker.pauseListener()).to.equal(ethers.ZeroAddress);
      const data = f.breaker.interface.encodeFunctionData("setPauseListener", [listener]);
      await expect(adminExecute(f.manager, f.admin, f.breaker, data))
        .to.emit(f.breaker, "BreakerPauseListenerSet")
        .withArgs(listener);
      expect(await f.breaker.pauseListener()).to.equal(listener);

      // A second listener of the same breaker, valid in itself, is refused: the wiring is one-shot.
      const second = await deployListener(f.breaker);
      const again = f.breaker.interface.encodeFunctionData("setPauseListener", [await second.getAddress()]);
      await expect(adminExecute(f.manager, f.admin, f.breaker, again))
        .to.be.revertedWithCustomError(f.breaker, "BreakerPauseListenerAlreadySet")
        .withArgs(listener);
      expect(await f.breaker.pauseListener()).to.equal(listener);
      expect(await second.syncCount()).to.equal(0n);
      // Later pushes still reach the first listener only.
      await f.breaker.connect(f.guardian).pause();
      expect(await f.listener.syncCount()).to.equal(2n);
      expect(await second.syncCount()).to.equal(0n);
    });

    it("test_setPauseListener_rejectsNoCode_nonHolder_foreignHolder_andStrangers", async () => {
      const b = await loadFixture(deployBareBreaker);
      // An address without code.
      await expect(b.breaker.setPauseListener(b.stranger.address))
        .to.be.revertedWithCustomError(b.breaker, "BreakerInvalidPauseListener")
        .withArgs(b.stranger.address);
      // A contract without `breaker()`.
      const router = await b.router.getAddress();
      await expect(b.breaker.setPauseListener(router))
        .to.be.revertedWithCustomError(b.breaker, "BreakerInvalidPauseListener")
        .withArgs(router);
      // A listener of another breaker.
      const other = await deployBareBreaker();
      const foreign = await deployListener(other.breaker);
      await expect(b.breaker.setPauseListener(await foreign.getAddress()))
        .to.be.revertedWithCustomError(b.breaker, "BreakerInvalidPauseListener")
        .withArgs(await foreign.getAddress());
      // A stranger without the ADMIN role, with a valid listener.
      const own = await deployListener(b.breaker);
      await expect(b.breaker.connect(b.stranger).setPauseListener(await own.getAddress()))
        .to.be.revertedWithCustomError(b.breaker, "AccessManagedUnauthorized")
        .withArgs(b.stranger.address);
      expect(await b.breaker.pauseListener()).to.equal(ethers.ZeroAddress);
      expect(await foreign.syncCount()).to.equal(0n);
      expect(await own.syncCount()).to.equal(0n);
      // The same listener is then accepted from the admin: the refusals above were about the caller and candidates.
      await expect(b.breaker.setPauseListener(await own.getAddress()))
        .to.emit(b.breaker, "BreakerPauseListenerSet")
        .withArgs(await own.getAddress());
    });

    it("test_setPauseListener_contractOfThisBreakerWithoutTheHook_revertsAndWiresNothing", async () => {
      const b = await loadFixture(deployBareBreaker);
      // `gated` reports this breaker but has no `syncBreakerPause`: the push at wiring fails, so nothing is wired.
      await expect(b.breaker.setPauseListener(await b.gated.getAddress())).to.be.reverted;
      expect(await b.breaker.pauseListener()).to.equal(ethers.ZeroAddress);
    });

    it("test_setPauseListener_whileUnpaused_pushesFalseOnce_inTheWiringTransaction", async () => {
      const f = await loadFixture(deployWithListener);
      expect(await pushesIn(f.listener, f.wiring)).to.deep.equal([false]);
      expect(await f.listener.syncCount()).to.equal(1n);
      expect(await f.listener.lastPaused()).to.equal(false);
      expect(await f.listener.reportedUnpaused()).to.equal(true);
    });

    it("test_setPauseListener_whilePaused_pushesTrueOnce_inTheWiringTransaction", async () => {
      const b = await loadFixture(deployBareBreaker);
      await b.breaker.pause(); // the deployer holds ADMIN without delay, and `pause` is left on ADMIN here
      const listener = await deployListener(b.breaker);
      const tx = await b.breaker.setPauseListener(await listener.getAddress());
      expect(await pushesIn(listener, tx)).to.deep.equal([true]);
      expect(await listener.syncCount()).to.equal(1n);
      expect(await listener.lastPaused()).to.equal(true);
      expect(await listener.reportedUnpaused()).to.equal(false);
    });

    it("test_setPauseListener_revertingListener_revertsWithItsError_andWiresNothing", async () => {
      const b = await loadFixture(deployBareBreaker);
      const listener = await deployListener(b.breaker);
      await listener.setReverting(true);
      await expect(b.breaker.setPauseListener(await listener.getAddress()))
        .to.be.revertedWithCustomError(listener, "BreakerPauseListenerMockReverted")
        .withArgs(false);
      expect(await b.breaker.pauseListener()).to.equal(ethers.ZeroAddress);
      expect(await listener.syncCount()).to.equal(0n);
    });
  });

  describe("pushes on pause and unpause", () => {
    it("test_pause_pushesTrueOnce_inTheSameTransaction_afterThePauseIsWritten", async () => {
      const f = await loadFixture(deployWithListener);
      const tx = await f.breaker.connect(f.guardian).pause();
      await expect(tx).to.emit(f.breaker, "Paused").withArgs(f.guardian.address);
      expect(await pushesIn(f.listener, tx)).to.deep.equal([true]);
      expect(await f.listener.syncCount()).to.equal(2n);
      expect(await f.listener.lastPaused()).to.equal(true);
      // The breaker already answered "paused" when the listener was told so.
      expect(await f.listener.breakerPausedAtLastSync()).to.equal(true);
      expect(await f.breaker.paused()).to.equal(true);
    });

    it("test_unpause_pushesFalseOnce_inTheSameTransaction_afterThePauseIsLifted", async () => {
      const f = await loadFixture(deployWithListener);
      await f.breaker.connect(f.guardian).pause();
      const tx = await adminUnpause(f);
      await expect(tx).to.emit(f.breaker, "Unpaused");
      expect(await pushesIn(f.listener, tx)).to.deep.equal([false]);
      expect(await f.listener.syncCount()).to.equal(3n);
      expect(await f.listener.lastPaused()).to.equal(false);
      expect(await f.listener.breakerPausedAtLastSync()).to.equal(false);
      expect(await f.breaker.paused()).to.equal(false);
    });

    it("test_pauseUnpauseCycles_pushOncePerTransition_withTheBreakersState", async () => {
      const f = await loadFixture(deployWithListener);
      let count = await f.listener.syncCount();
      for (let cycle = 0; cycle < 3; cycle++) {
        const paused = await f.breaker.connect(f.guardian).pause();
        expect(await pushesIn(f.listener, paused)).to.deep.equal([true]);
        expect(await f.listener.syncCount()).to.equal(++count);
        expect(await f.listener.lastPaused()).to.equal(await f.breaker.paused());
        const unpaused = await adminUnpause(f);
        expect(await pushesIn(f.listener, unpaused)).to.deep.equal([false]);
        expect(await f.listener.syncCount()).to.equal(++count);
        expect(await f.listener.lastPaused()).to.equal(await f.breaker.paused());
      }
    });

    it("test_refusedPauseAndUnpause_pushNothing", async () => {
      const f = await loadFixture(deployWithListener);
      // Unpause while unpaused, a stranger's pause, then a second pause while paused.
      await expect(adminUnpause(f)).to.be.revertedWithCustomError(f.breaker, "ExpectedPause");
      await expect(f.breaker.connect(f.stranger).pause())
        .to.be.revertedWithCustomError(f.breaker, "AccessManagedUnauthorized")
        .withArgs(f.stranger.address);
      await f.breaker.connect(f.guardian).pause();
      await expect(f.breaker.connect(f.guardian).pause()).to.be.revertedWithCustomError(f.breaker, "EnforcedPause");
      expect(await f.listener.syncCount()).to.equal(2n); // the wiring and the one accepted pause
      expect(await f.listener.lastPaused()).to.equal(true);
    });

    it("test_otherGuardianAndAdminActions_pushNothing", async () => {
      const f = await loadFixture(deployWithListener);
      // Trips and lifts move the modes, never the pause: the listener hears nothing of them.
      const trip = await f.breaker.connect(f.guardian).trip(GLOBAL, Mode.HALTED);
      expect(await pushesIn(f.listener, trip)).to.deep.equal([]);
      const lift = await adminExecute(
        f.manager,
        f.admin,
        f.breaker,
        f.breaker.interface.encodeFunctionData("lift", [GLOBAL, Mode.ACTIVE])
      );
      expect(await pushesIn(f.listener, lift)).to.deep.equal([]);
      expect(await f.listener.syncCount()).to.equal(1n);
    });

    it("test_beforeWiring_pauseAndUnpauseWork_andPushNothing", async () => {
      const f = await loadFixture(deployWithUnwiredListener);
      const paused = await f.breaker.connect(f.guardian).pause();
      expect(await f.breaker.paused()).to.equal(true);
      expect(await pushesIn(f.listener, paused)).to.deep.equal([]);
      // The pause is in force: a gated EXIT is refused.
      await expect(f.gated.act(ETH, Cls.EXIT, 0n, Status.OK))
        .to.be.revertedWithCustomError(f.breaker, "BreakerPaused")
        .withArgs(ETH, Cls.EXIT);
      const unpaused = await adminUnpause(f);
      expect(await f.breaker.paused()).to.equal(false);
      expect(await pushesIn(f.listener, unpaused)).to.deep.equal([]);
      expect(await f.listener.syncCount()).to.equal(0n);
    });

    it("test_revertingListener_blocksPause_andLeavesTheBreakerUnpaused", async () => {
      const f = await loadFixture(deployWithListener);
      await f.listener.setReverting(true);
      await expect(f.breaker.connect(f.guardian).pause())
        .to.be.revertedWithCustomError(f.listener, "BreakerPauseListenerMockReverted")
        .withArgs(true);
      expect(await f.breaker.paused()).to.equal(false);
      expect(await f.breaker.modeOf(GLOBAL)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
      expect(await f.listener.syncCount()).to.equal(1n);
      // Nothing of the pause stuck: a gated EXIT still goes through the breaker.
      await f.gated.act(ETH, Cls.EXIT, 0n, Status.OK);
      // The guardian's other lever still works: a trip pushes nothing.
      await f.breaker.connect(f.guardian).trip(GLOBAL, Mode.HALTED);
      expect(await f.breaker.modeOf(GLOBAL)).to.deep.equal([Mode.HALTED, Reason.GUARDIAN]);
      // Once the listener accepts pushes again, the pause goes through and is pushed.
      await f.listener.setReverting(false);
      await f.breaker.connect(f.guardian).pause();
      expect(await f.breaker.paused()).to.equal(true);
      expect(await f.listener.lastPaused()).to.equal(true);
    });

    it("test_revertingListener_blocksUnpause_andLeavesTheBreakerPaused", async () => {
      const f = await loadFixture(deployWithListener);
      await f.breaker.connect(f.guardian).pause();
      await f.listener.setReverting(true);
      await expect(adminUnpause(f))
        .to.be.revertedWithCustomError(f.listener, "BreakerPauseListenerMockReverted")
        .withArgs(false);
      expect(await f.breaker.paused()).to.equal(true);
      expect(await f.listener.lastPaused()).to.equal(true);
      expect(await f.listener.syncCount()).to.equal(2n);
    });

    it("test_syncBreakerPause_fromAnyoneButTheBreaker_isRefusedByTheHolder", async () => {
      const f = await loadFixture(deployWithListener);
      await expect(f.listener.connect(f.stranger).syncBreakerPause(false))
        .to.be.revertedWithCustomError(f.listener, "BreakerPauseListenerMockUnauthorized")
        .withArgs(f.stranger.address, await f.breaker.getAddress());
      expect(await f.listener.syncCount()).to.equal(1n);
    });
  });

  describe("the holder's decision", () => {
    it("test_exit_whileTheCopySaysUnpaused_skipsTheBreakerCall", async () => {
      const f = await loadFixture(deployWithListener);
      await f.listener.exit(ETH);
      expect(await f.listener.exits()).to.equal(1n);
      expect(await f.listener.breakerCalls()).to.equal(0n);
    });

    it("test_exit_beforeAnyPush_asksTheBreaker", async () => {
      const f = await loadFixture(deployWithUnwiredListener);
      await f.listener.exit(ETH);
      expect(await f.listener.breakerCalls()).to.equal(1n);
      // Never told, so a pause is still enforced by the breaker itself.
      await f.breaker.connect(f.guardian).pause();
      await expect(f.listener.exit(ETH))
        .to.be.revertedWithCustomError(f.breaker, "BreakerPaused")
        .withArgs(ETH, Cls.EXIT);
      expect(await f.listener.exits()).to.equal(1n);
    });

    it("test_exit_whileTheCopySaysPaused_asksTheBreaker_whichRefuses", async () => {
      const f = await loadFixture(deployWithListener);
      await f.breaker.connect(f.guardian).pause();
      await expect(f.listener.exit(ETH))
        .to.be.revertedWithCustomError(f.breaker, "BreakerPaused")
        .withArgs(ETH, Cls.EXIT);
      await adminUnpause(f);
      await f.listener.exit(ETH);
      expect(await f.listener.breakerCalls()).to.equal(0n);
      expect(await f.listener.exits()).to.equal(1n);
    });

    it("test_exit_skippedInEveryMode_isAllowedByTheBreakerToo", async () => {
      const f = await loadFixture(deployWithListener);
      // Only the pause refuses EXIT: in every mode the breaker allows what the copy lets through.
      const steps: [string, bigint][] = [
        [GLOBAL, Mode.REDUCE_ONLY],
        [ETH, Mode.HALTED],
      ];
      for (const [scope, mode] of steps) {
        await f.breaker.connect(f.guardian).trip(scope, mode);
        expect(await f.breaker.isAllowed(ETH, Cls.EXIT)).to.equal(true);
        await f.gated.act(ETH, Cls.EXIT, 0n, Status.OK); // the breaker asked directly: allowed
        await f.listener.exit(ETH); // through the copy: skipped
      }
      expect(await f.listener.breakerCalls()).to.equal(0n);
      expect(await f.listener.exits()).to.equal(2n);
      // A trade-class action is refused in the same state: the skip covers EXIT only.
      await expect(f.gated.act(ETH, Cls.RISK_REDUCING, ETH_SPOT, Status.OK)).to.be.revertedWithCustomError(
        f.breaker,
        "BreakerActionNotAllowed"
      );
    });
  });
});
