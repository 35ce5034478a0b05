/**
 * `pokeDue` and `pokeDueOn`: whether `poke(scope)` would change the scope now. Checked against `poke` itself: over
 * random sequences of readings, utilisation and time, the view says "due" exactly when the poke that follows changes
 * the scope's state.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { BTC, ETH, GLOBAL, PARAMS, Status, UNKNOWN, WAD, deployBreakerWithReferences } from "./breakerFixture";

type Fixture = Awaited<ReturnType<typeof deployBreakerWithReferences>>;

/** A scope's state as comparable strings; a market's copy of the global level is left out (the global part of a
 *  market's poke is `pokeDue(GLOBAL)`'s business). */
async function ownState(f: Fixture, scope: string): Promise<string[]> {
  const s = [...(await f.breaker.scopeState(scope))].map(String);
  if (scope !== GLOBAL) s[4] = "-";
  return s;
}

/** Asserts that `pokeDue(scope)` (and `pokeDueOn` with the router's reading) predicts whether `poke` changes it. */
async function expectPredicts(f: Fixture, scope: string): Promise<boolean> {
  const due = await f.breaker.pokeDue(scope);
  if (scope !== GLOBAL) {
    const r = await f.router.getSpot(scope);
    expect(await f.breaker.pokeDueOn(scope, r.price, r.status)).to.equal(due);
  }
  const before = await ownState(f, scope);
  await f.breaker.poke(scope);
  const changed = JSON.stringify(await ownState(f, scope)) !== JSON.stringify(before);
  expect(due, `pokeDue(${scope}) vs the poke's effect`).to.equal(changed);
  return due;
}

describe("CircuitBreaker pokeDue", () => {
  it("test_pokeDue_quietScopes_areNotDue", async () => {
    const f = await loadFixture(deployBreakerWithReferences);
    expect(await f.breaker.pokeDue(GLOBAL)).to.equal(false);
    expect(await f.breaker.pokeDue(ETH)).to.equal(false);
    expect(await f.breaker.pokeDueOn(ETH, (await f.router.getSpot(ETH)).price, Status.OK)).to.equal(false);
  });

  it("test_pokeDue_unknownMarket_isFalse", async () => {
    const f = await loadFixture(deployBreakerWithReferences);
    expect(await f.breaker.pokeDue(UNKNOWN)).to.equal(false);
    expect(await f.breaker.pokeDueOn(UNKNOWN, WAD, Status.FAILED)).to.equal(false);
  });

  it("test_pokeDue_followsAMarketTripThroughItsCooldownToTheLift", async () => {
    const f = await loadFixture(deployBreakerWithReferences);
    const spot = (await f.router.getSpot(ETH)).price;
    await f.router.setSpot(ETH, (spot * 12n) / 10n, Status.OK);
    expect(await expectPredicts(f, ETH)).to.equal(true); // the move trips
    expect(await expectPredicts(f, ETH)).to.equal(true); // the price holds: the cooldown starts
    expect(await expectPredicts(f, ETH)).to.equal(false); // cooling down
    await time.increase(PARAMS.cooldown);
    expect(await expectPredicts(f, ETH)).to.equal(true); // lifts
    expect(await expectPredicts(f, ETH)).to.equal(false);
    await f.router.setSpot(ETH, (spot * 12n) / 10n, Status.DEGRADED);
    expect(await expectPredicts(f, ETH)).to.equal(true);
  });

  it("test_pokeDue_followsTheGlobalUtilisationTrip", async () => {
    const f = await loadFixture(deployBreakerWithReferences);
    await f.metrics.setUtilisation(WAD);
    expect(await expectPredicts(f, GLOBAL)).to.equal(true);
    expect(await expectPredicts(f, GLOBAL)).to.equal(false);
    await f.metrics.setUtilisation(WAD / 2n);
    expect(await expectPredicts(f, GLOBAL)).to.equal(true);
    await time.increase(PARAMS.cooldown);
    expect(await expectPredicts(f, GLOBAL)).to.equal(true);
    expect(await expectPredicts(f, GLOBAL)).to.equal(false);
  });

  it("test_pokeDue_predictsThePokeOverRandomSequences", async function () {
    this.timeout(300_000);
    const step = fc.record({
      scope: fc.constantFrom(GLOBAL, ETH, BTC),
      moveBps: fc.constantFrom(0n, 0n, 500n, -1_500n, 2_000n),
      status: fc.constantFrom(Status.OK, Status.OK, Status.OK, Status.DEGRADED, Status.FAILED),
      utilisation: fc.constantFrom(WAD / 2n, WAD / 2n, WAD),
      wait: fc.constantFrom(0, 60, PARAMS.window, PARAMS.cooldown),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 10 }), async (steps) => {
        const f = await loadFixture(deployBreakerWithReferences);
        for (const s of steps) {
          if (s.wait > 0) await time.increase(s.wait);
          await f.metrics.setUtilisation(s.utilisation);
          if (s.scope !== GLOBAL) {
            const ref = (await f.breaker.scopeState(s.scope)).refPrice;
            await f.router.setSpot(s.scope, ref + (ref * s.moveBps) / 10_000n, s.status);
          }
          await expectPredicts(f, s.scope);
        }
      }),
      { numRuns: 20, seed: 4_20_2026 }
    );
  });
});

