/**
 * The gate cache: the breaker pushes a one-word copy of each market's gate to a holder (the OptionMarket in
 * production, `BreakerGateCacheMock` here), which then lets quiet allowed actions through without calling the
 * breaker. Checks the wiring, that the copy always equals `gateOf` after every kind of write, that a quiet action
 * skips the call, and, differentially, that an action through the cache has exactly the outcome and the effect of
 * the same action checked by the breaker directly.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import {
  BTC,
  Cls,
  ETH,
  ETH_SPOT,
  GLOBAL,
  Mode,
  PARAMS,
  Status,
  USDC,
  adminExecute,
  deployBareBreaker,
  deployBreakerWithGateCache,
} from "./breakerFixture";
import type { BreakerGateCacheMock } from "../../../typechain-types";

type Fixture = Awaited<ReturnType<typeof deployBreakerWithGateCache>>;

/** Asserts that the holder's copy of every market equals the breaker's `gateOf`. */
async function expectInSync(f: Fixture): Promise<void> {
  for (const market of [ETH, BTC]) {
    expect(await f.cache.breakerGate(market)).to.equal(await f.breaker.gateOf(market));
  }
}

/** The gate copy's fields (PackedScopeLib layout). */
function decodeGate(gate: bigint) {
  const m96 = (1n << 96n) - 1n;
  return { low: gate & m96, high: (gate >> 96n) & m96, windowEnd: (gate >> 192n) & ((1n << 48n) - 1n), level: gate >> 240n };
}

describe("CircuitBreaker gate cache", () => {
  describe("wiring", () => {
    it("test_setGateCache_pushesEveryCopy_emits_andIsOneShot", async () => {
      const f = await loadFixture(deployBreakerWithGateCache);
      expect(await f.breaker.gateCache()).to.equal(await f.cache.getAddress());
      await expectInSync(f);
      const g = decodeGate(await f.cache.breakerGate(ETH));
      // 10% band around the reference, the window running from the last roll, level ACTIVE.
      expect(g.low).to.equal(ETH_SPOT - ETH_SPOT / 10n);
      expect(g.high).to.equal(ETH_SPOT + ETH_SPOT / 10n);
      expect(g.windowEnd).to.equal(BigInt(await time.latest()) - 1n + BigInt(PARAMS.window));
      expect(g.level).to.equal(0n);
      const again = f.breaker.interface.encodeFunctionData("setGateCache", [await f.cache.getAddress()]);
      await expect(adminExecute(f.manager, f.admin, f.breaker, again))
        .to.be.revertedWithCustomError(f.breaker, "BreakerGateCacheAlreadySet")
        .withArgs(await f.cache.getAddress());
    });

    it("test_setGateCache_rejectsNoCode_foreignHolder_nonHolder_andStrangers", async () => {
      const b = await loadFixture(deployBareBreaker);
      await expect(b.breaker.setGateCache(b.stranger.address))
        .to.be.revertedWithCustomError(b.breaker, "BreakerInvalidGateCache")
        .withArgs(b.stranger.address);
      // A holder over another breaker, and a contract that has no `breaker()` at all.
      const other = await deployBareBreaker();
      const foreign = await ethers.deployContract("BreakerGateCacheMock", [await other.breaker.getAddress()]);
      await expect(b.breaker.setGateCache(await foreign.getAddress()))
        .to.be.revertedWithCustomError(b.breaker, "BreakerInvalidGateCache")
        .withArgs(await foreign.getAddress());
      await expect(b.breaker.setGateCache(await b.router.getAddress()))
        .to.be.revertedWithCustomError(b.breaker, "BreakerInvalidGateCache")
        .withArgs(await b.router.getAddress());
      const own = await ethers.deployContract("BreakerGateCacheMock", [await b.breaker.getAddress()]);
      await expect(b.breaker.connect(b.stranger).setGateCache(await own.getAddress())).to.be.revertedWithCustomError(
        b.breaker,
        "AccessManagedUnauthorized"
      );
      await expect(b.breaker.setGateCache(await own.getAddress()))
        .to.emit(b.breaker, "BreakerGateCacheSet")
        .withArgs(await own.getAddress());
    });

    it("test_syncBreakerGate_refusesEveryCallerButTheBreaker", async () => {
      const f = await loadFixture(deployBreakerWithGateCache);
      await expect(f.cache.connect(f.stranger).syncBreakerGate(ETH, 1n))
        .to.be.revertedWithCustomError(f.cache, "MarketBreakerGateUnauthorized")
        .withArgs(f.stranger.address, await f.breaker.getAddress());
      await expectInSync(f);
    });

    it("test_gateOf_isZeroForGlobalAndUnknownMarkets", async () => {
      const f = await loadFixture(deployBreakerWithGateCache);
      expect(await f.breaker.gateOf(GLOBAL)).to.equal(0n);
      expect(await f.breaker.gateOf(ethers.encodeBytes32String("DOGE"))).to.equal(0n);
    });
  });

  describe("the holder's decision", () => {
    it("test_quietAllowedAction_skipsTheBreakerCall", async () => {
      const f = await loadFixture(deployBreakerWithGateCache);
      const calls = await f.cache.breakerCalls();
      await f.cache.act(ETH, Cls.RISK_INCREASING, ETH_SPOT + ETH_SPOT / 10n, Status.OK); // the band's upper edge
      await f.cache.act(ETH, Cls.RISK_REDUCING, ETH_SPOT - ETH_SPOT / 10n, Status.OK); // its lower edge
      expect(await f.cache.breakerCalls()).to.equal(calls);
    });

    it("test_readingOutsideBand_notOk_orWindowOver_asksTheBreaker", async () => {
      const f = await loadFixture(deployBreakerWithGateCache);
      let calls = await f.cache.breakerCalls();
      // One wei beyond the band: the breaker trips (and the copy drops to zero).
      await expect(f.cache.act(ETH, Cls.EXIT, ETH_SPOT + ETH_SPOT / 10n + 1n, Status.OK)).to.emit(
        f.breaker,
        "BreakerTripped"
      );
      expect(await f.cache.breakerCalls()).to.equal(++calls);
      expect(await f.cache.breakerGate(ETH)).to.equal(0n);
      await f.cache.act(BTC, Cls.EXIT, (await f.breaker.scopeState(BTC)).refPrice, Status.DEGRADED);
      expect(await f.cache.breakerCalls()).to.equal(++calls);
      await time.increase(PARAMS.window);
      await expect(f.cache.act(BTC, Cls.EXIT, (await f.breaker.scopeState(BTC)).refPrice, Status.OK)).to.emit(
        f.breaker,
        "BreakerReferencePriceSet"
      );
      expect(await f.cache.breakerCalls()).to.equal(++calls);
      await expectInSync(f);
    });

    it("test_refusedClass_asksTheBreaker_whichRefusesWithItsOwnError", async () => {
      const f = await loadFixture(deployBreakerWithGateCache);
      await f.breaker.connect(f.guardian).trip(ETH, Mode.REDUCE_ONLY);
      await expectInSync(f);
      await expect(f.cache.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK))
        .to.be.revertedWithCustomError(f.breaker, "BreakerActionNotAllowed")
        .withArgs(ETH, Cls.RISK_INCREASING, Mode.REDUCE_ONLY, 1n /* GUARDIAN */);
      const calls = await f.cache.breakerCalls();
      await f.cache.act(ETH, Cls.RISK_REDUCING, ETH_SPOT, Status.OK); // allowed in REDUCE_ONLY: decided by the copy
      expect(await f.cache.breakerCalls()).to.equal(calls);
      await f.breaker.connect(f.guardian).pause();
      await expect(f.cache.act(BTC, Cls.EXIT, (await f.breaker.scopeState(BTC)).refPrice, Status.OK))
        .to.be.revertedWithCustomError(f.breaker, "BreakerPaused")
        .withArgs(BTC, Cls.EXIT);
    });
  });

  describe("the copy follows every write", () => {
    it("test_copyEqualsGateOf_afterEveryKindOfWrite", async () => {
      const f = await loadFixture(deployBreakerWithGateCache);
      const exec = (data: string) => adminExecute(f.manager, f.admin, f.breaker, data);
      const steps: [string, () => Promise<ContractTransactionResponse>][] = [
        ["price-move trip", () => f.cache.act(ETH, Cls.EXIT, (ETH_SPOT * 12n) / 10n, Status.OK)],
        ["cooldown start", () => f.breaker.poke(ETH)],
        ["cooldown interrupted", () => f.cache.act(ETH, Cls.EXIT, (ETH_SPOT * 12n) / 10n, Status.DEGRADED)],
        ["cooldown restart", () => f.breaker.poke(ETH)],
        ["automatic lift", async () => (await time.increase(PARAMS.cooldown), f.breaker.poke(ETH))],
        ["guardian trip, market", () => f.breaker.connect(f.guardian).trip(BTC, Mode.REDUCE_ONLY)],
        ["guardian trip, global", () => f.breaker.connect(f.guardian).trip(GLOBAL, Mode.HALTED)],
        ["pause", () => f.breaker.connect(f.guardian).pause()],
        ["unpause", () => exec(f.breaker.interface.encodeFunctionData("unpause"))],
        ["admin lift, global", () => exec(f.breaker.interface.encodeFunctionData("lift", [GLOBAL, Mode.ACTIVE]))],
        ["admin lift, market", () => exec(f.breaker.interface.encodeFunctionData("lift", [BTC, Mode.ACTIVE]))],
        ["window roll", () => f.breaker.poke(BTC)],
        ["price-move parameters", () => f.breaker.connect(f.risk).setPriceMoveParams(ETH, 500, 600)],
        ["first reading after them", () => f.cache.act(ETH, Cls.EXIT, ETH_SPOT, Status.OK)],
        ["outflow trip (global)", () => f.gated.withdraw(990_000n * USDC)],
      ];
      for (const [name, step] of steps) {
        await step();
        try {
          await expectInSync(f);
        } catch (e) {
          throw new Error(`after ${name}: ${(e as Error).message}`);
        }
      }
      // The outflow trip reached the copies: ETH's now carries REDUCE_ONLY.
      expect(decodeGate(await f.cache.breakerGate(ETH)).level).to.equal(Mode.REDUCE_ONLY);
    });
  });

  describe("equivalence", () => {
    /** One action: the market, its class, the spot as a move in bps from the reference, the status, a time step. */
    const actionArb = fc.record({
      btc: fc.boolean(),
      cls: fc.constantFrom(Cls.RISK_INCREASING, Cls.RISK_REDUCING, Cls.EXIT),
      moveBps: fc.constantFrom(-1_200n, -1_000n, -999n, 0n, 500n, 1_000n, 1_001n, 2_000n),
      status: fc.constantFrom(Status.OK, Status.OK, Status.OK, Status.DEGRADED, Status.FAILED),
      wait: fc.constantFrom(0, 1, 600, PARAMS.window, PARAMS.cooldown + 1),
      guardian: fc.constantFrom(0, 0, 0, 0, 1, 2), // 1: trip the market REDUCE_ONLY, 2: trip GLOBAL REDUCE_ONLY
    });

    type Action = typeof actionArb extends fc.Arbitrary<infer T> ? T : never;
    type Outcome = { error: string | null; market: unknown; global: unknown };

    async function run(
      f: Fixture,
      via: BreakerGateCacheMock | Fixture["gated"],
      a: Action,
      at: number
    ) {
      const market = a.btc ? BTC : ETH;
      const ref = (await f.breaker.scopeState(market)).refPrice;
      const spot = ref + (ref * a.moveBps) / 10_000n;
      let error: string | null = null;
      // Both runs mine at the same timestamp, so their effects compare exactly.
      await time.setNextBlockTimestamp(at);
      try {
        await (await via.act(market, a.cls, spot, a.status)).wait();
      } catch (e) {
        error = String((e as { data?: string }).data ?? (e as Error).message);
      }
      const outcome: Outcome = {
        error,
        market: [...(await f.breaker.scopeState(market))].map(String),
        global: [...(await f.breaker.scopeState(GLOBAL))].map(String),
      };
      return outcome;
    }

    it("test_actionThroughTheCache_hasTheOutcomeAndEffectOfTheDirectCheck", async function () {
      this.timeout(300_000);
      await fc.assert(
        fc.asyncProperty(fc.array(actionArb, { minLength: 4, maxLength: 8 }), async (actions) => {
          const f = await loadFixture(deployBreakerWithGateCache);
          for (const a of actions) {
            if (a.wait > 0) await time.increase(a.wait);
            if (a.guardian === 1 && (await f.breaker.scopeState(a.btc ? BTC : ETH)).manualMode === 0n) {
              await f.breaker.connect(f.guardian).trip(a.btc ? BTC : ETH, Mode.REDUCE_ONLY);
            }
            if (a.guardian === 2 && (await f.breaker.scopeState(GLOBAL)).manualMode === 0n) {
              await f.breaker.connect(f.guardian).trip(GLOBAL, Mode.REDUCE_ONLY);
            }
            const at = (await time.latest()) + 1;
            const snapshot = await network.provider.send("evm_snapshot");
            const direct = await run(f, f.gated, a, at);
            await network.provider.send("evm_revert", [snapshot]);
            const cached = await run(f, f.cache, a, at);
            expect(cached, JSON.stringify(a, (_, v) => (typeof v === "bigint" ? v.toString() : v))).to.deep.equal(
              direct
            );
            await expectInSync(f);
          }
        }),
        { numRuns: 25, seed: 20_261_122 }
      );
    });
  });
});
