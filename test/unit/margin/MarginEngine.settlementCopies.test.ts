/**
 * Settlement's two copies in the engine: the final settlement price of an expiry (`recordExpiryPrice`, anyone, once
 * per underlying and expiry) and the breaker's pause (`syncBreakerPause`, pushed by the breaker). With both, `settle`
 * reads two words of the engine instead of calling the breaker and the router; its result is the same.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { deployCoreFixture, ETH, options, setSpot, wad, type CoreFixture } from "../../helpers/coreFixture";
import { coreDigest, expectConservation, expectUnchanged, travelTo } from "../../helpers/coreState";

const DEADLINE = 2n ** 64n;
const MAX = 2n ** 128n;

/** alice long 2 call2000 and bob short 3 put2000, then past expiry with `price` proposed (final or not). */
async function expiredBook(f: CoreFixture, price: bigint, isFinal = true): Promise<void> {
  await f.market.connect(f.alice).trade(f.series.call2000, options(2), MAX, DEADLINE);
  await f.market.connect(f.bob).trade(f.series.put2000, -options(3), 0n, DEADLINE);
  await travelTo(f.expiry + 1n);
  await f.router.setSettlementPrice(ETH, f.expiry, price, isFinal);
  await setSpot(f, price);
}

/** The `PositionSettled` arguments of each settlement, in order, with the state digest after them. */
async function settleBoth(f: CoreFixture): Promise<{ events: unknown[][]; digest: Record<string, string> }> {
  const events: unknown[][] = [];
  for (const [account, series] of [
    [f.alice.address, f.series.call2000],
    [f.bob.address, f.series.put2000],
  ] as const) {
    const receipt = await (await f.engine.connect(f.keeper).settle(account, series)).wait();
    const log = receipt!.logs.map((l) => f.engine.interface.parseLog(l)).find((p) => p?.name === "PositionSettled");
    events.push([...log!.args]);
  }
  return { events, digest: await coreDigest(f) };
}

describe("MarginEngine: settlement copies (expiry price, breaker pause)", () => {
  describe("recordExpiryPrice", () => {
    it("test_recordExpiryPrice_copiesTheFinalPrice_forEverySeriesOfTheExpiry_andEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expiredBook(f, wad(2300));
      expect(await f.engine.expiryPriceOf(f.series.call2000)).to.equal(0n);
      await expect(f.engine.connect(f.keeper).recordExpiryPrice(f.series.put2000))
        .to.emit(f.engine, "ExpiryPriceRecorded")
        .withArgs(ETH, f.expiry, wad(2300));
      // One copy per underlying and expiry: every series of that expiry reads it.
      for (const id of [f.series.call2000, f.series.put2000, f.series.call2200, f.series.put1800]) {
        expect(await f.engine.expiryPriceOf(id)).to.equal(wad(2300));
      }
    });

    it("test_recordExpiryPrice_twice_reverts_withTheRecordedPrice_evenThroughAnotherSeries", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expiredBook(f, wad(2300));
      await f.engine.recordExpiryPrice(f.series.call2000);
      await expectUnchanged(f, () =>
        expect(f.engine.recordExpiryPrice(f.series.put1800))
          .to.be.revertedWithCustomError(f.engine, "MarginExpiryPriceAlreadyRecorded")
          .withArgs(ETH, f.expiry, wad(2300)),
      );
    });

    it("test_recordExpiryPrice_beforeExpiry_notFinal_unknownSeries_revert_andCopyNothing", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.router.setSettlementPrice(ETH, f.expiry, wad(2300), true);
      await expect(f.engine.recordExpiryPrice(f.series.call2000))
        .to.be.revertedWithCustomError(f.engine, "MarginSeriesNotExpired")
        .withArgs(f.series.call2000, f.expiry);
      await travelTo(f.expiry + 1n);
      await f.router.setSettlementPrice(ETH, f.expiry, wad(2300), false);
      await expect(f.engine.recordExpiryPrice(f.series.call2000))
        .to.be.revertedWithCustomError(f.engine, "MarginSettlementNotFinal")
        .withArgs(f.series.call2000, wad(2300));
      await expect(f.engine.recordExpiryPrice(999n))
        .to.be.revertedWithCustomError(f.engine, "MarginUnknownSeries")
        .withArgs(999n);
      expect(await f.engine.expiryPriceOf(f.series.call2000)).to.equal(0n);
    });

    it("test_settle_withTheCopy_equalsSettleWithoutIt_eventsAndState", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expiredBook(f, wad(2150));
      const base = await takeSnapshot();
      const withoutCopy = await settleBoth(f);
      await base.restore();
      await f.engine.recordExpiryPrice(f.series.call2000);
      const withCopy = await settleBoth(f);
      expect(withCopy.events).to.deep.equal(withoutCopy.events);
      expect(withCopy.digest).to.deep.equal(withoutCopy.digest);
      await expectConservation(f);
    });

    it("test_settle_readsTheCopy_notTheRouter_onceRecorded", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expiredBook(f, wad(2300));
      await f.engine.recordExpiryPrice(f.series.call2000);
      // The shipped router never changes a final price; the mock can, which shows where settle reads it from.
      await f.router.setSettlementPrice(ETH, f.expiry, wad(2100), true);
      await expect(f.engine.connect(f.keeper).settle(f.alice.address, f.series.call2000))
        .to.emit(f.engine, "PositionSettled")
        .withArgs(f.alice.address, f.series.call2000, options(2), wad(2300), 600n * 10n ** 6n);
    });
  });

  describe("breaker pause copy", () => {
    it("test_wiredEngine_reportsUnpaused_andFollowsEveryPauseAndUnpause", async () => {
      const f = await loadFixture(deployCoreFixture);
      expect(await f.breaker.pauseListener()).to.equal(await f.engine.getAddress());
      expect(await f.engine.breakerReportedUnpaused()).to.equal(true);
      await expect(f.breaker.connect(f.guardian).pause()).to.emit(f.engine, "BreakerPauseSynced").withArgs(true);
      expect(await f.engine.breakerReportedUnpaused()).to.equal(false);
      await expect(f.breaker.connect(f.admin).unpause()).to.emit(f.engine, "BreakerPauseSynced").withArgs(false);
      expect(await f.engine.breakerReportedUnpaused()).to.equal(true);
    });

    it("test_settle_whilePaused_isRefusedByTheBreaker_evenWithBothCopies_thenSettlesAfterUnpause", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expiredBook(f, wad(2300));
      await f.engine.recordExpiryPrice(f.series.call2000);
      await f.breaker.connect(f.guardian).pause();
      await expectUnchanged(f, () =>
        expect(f.engine.connect(f.keeper).settle(f.alice.address, f.series.call2000)).to.be.revertedWithCustomError(
          f.breaker,
          "BreakerPaused",
        ),
      );
      await f.breaker.connect(f.admin).unpause();
      await expect(f.engine.connect(f.keeper).settle(f.alice.address, f.series.call2000)).to.emit(
        f.engine,
        "PositionSettled",
      );
    });

    it("test_settle_whileTheCopySaysUnpaused_makesNoBreakerCall", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expiredBook(f, wad(2300));
      const tx = await f.engine.connect(f.keeper).settle(f.alice.address, f.series.call2000);
      expect(await callsTo(tx.hash, await f.breaker.getAddress())).to.equal(0);
    });

    it("test_syncBreakerPause_fromAnyoneButTheBreaker_reverts_andDirectExtensionCall_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.alice).syncBreakerPause(true))
        .to.be.revertedWithCustomError(f.engine, "MarginUnauthorizedCaller")
        .withArgs(f.alice.address);
      expect(await f.engine.breakerReportedUnpaused()).to.equal(true);
      const extension = await ethers.getContractAt("MarginEngineExtension", await f.engine.extension());
      await expect(extension.syncBreakerPause(false))
        .to.be.revertedWithCustomError(extension, "MarginNotDelegateCall")
        .withArgs(await extension.getAddress());
    });

    it("test_engineNeverTold_asksTheBreakerOnEverySettlement", async () => {
      // The pass-through breaker never reports: the engine's copy stays "not unpaused" and settle calls it.
      const f = await loadFixture(deployPassThroughCore);
      expect(await f.engine.breakerReportedUnpaused()).to.equal(false);
      await expiredBook(f, wad(2300));
      const tx = await f.engine.connect(f.keeper).settle(f.alice.address, f.series.call2000);
      const calls = await callsTo(tx.hash, await f.breaker.getAddress());
      expect(calls).to.equal(1);
    });
  });
});

/** How many CALL or STATICCALL opcodes of transaction `hash` target `target`. */
async function callsTo(hash: string, target: string): Promise<number> {
  const trace = (await ethers.provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ])) as { structLogs: { op: string; stack?: string[] }[] };
  return trace.structLogs.filter(
    (s) => (s.op === "CALL" || s.op === "STATICCALL") && BigInt("0x" + s.stack![s.stack!.length - 2].replace(/^0x/, "")) === BigInt(target),
  ).length;
}

/** The core over the pass-through breaker (no pause listener wiring). */
async function deployPassThroughCore(): Promise<CoreFixture> {
  return deployCoreFixture("passThrough");
}
