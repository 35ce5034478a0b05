import { expect } from "chai";
import { runCampaign, optionsFromEnv, outcomes } from "./harness/campaign";
import { INVARIANTS } from "./harness/invariants";
import * as A from "./harness/actions";
import { runSequence, world } from "./harness/campaign";
import { ALICE, BOB, KEEPER, LP, VAULT, CAMPAIGN_LIQUIDATION_PARAMS, observe } from "./harness/world";
import { WAD } from "./harness/math";

/**
 * The short invariant campaign (part of `npm test` and `npm run test:invariants`, which pin FUZZ_SEED to 20261122 so
 * that CI replays the same sequences; `npm run fuzz` leaves it unset: a random seed, printed): random sequences of
 * user, keeper, guardian, admin, attacker and simulator actions against the protocol as `deployProtocol` ships it
 * (Ignition modules, deploy/parameters/fuzz.json: the real router over mock Chainlink feeds and a mock sequencer
 * feed, the real breaker and liquidation engine), every invariant of audits/INVARIANTS.md checked after every action,
 * every revert justified by the model. FUZZ_SEED, FUZZ_RUNS, FUZZ_DEPTH, FUZZ_PATH, FUZZ_FULL_EVERY,
 * FUZZ_TIME_LIMIT_S (default 35 s here: no new run starts after it, so the file stays under a minute) and FUZZ_SHRINK=1 come from the environment;
 * a failure prints the seed and the path to replay it (shrunk with FUZZ_SHRINK=1).
 */
describe("Invariants: protocol model campaign", function () {
  this.timeout(30 * 60_000);

  it("declares at least 35 invariants with unique ids", function () {
    const ids = INVARIANTS.map((i) => i.id);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids.length).to.be.at.least(35);
  });

  // Directed sequences through the same actions (every invariant after every step): they make sure the campaign's
  // rarer paths (a solvent and an insolvent liquidation, a guardian halt lifted by the admin) run on every CI pass.
  it("liquidates an unhealthy short and an insolvent one exactly as the model computes", async function () {
    const w = await world();
    await runSequence(w, [
      A.riskSetLiquidationParams({ ...CAMPAIGN_LIQUIDATION_PARAMS, penaltyRate: WAD / 10n + 1n }),
      A.riskSetLiquidationParams({ ...CAMPAIGN_LIQUIDATION_PARAMS, closeFactor: WAD / 4n, feeSlopePerSecond: 10n ** 13n }),
      A.trade(ALICE, 1, -150n * WAD, "generous", false),
      A.trade(BOB, 2, -120n * WAD, "generous", false),
      A.flag(LP, ALICE),
      A.moveSpot(13_000n),
      A.flag(LP, ALICE),
      A.warp("small", 60n),
      A.liquidate(KEEPER, ALICE, 0, 40n * WAD),
      A.warp("small", 300n),
      A.liquidate(KEEPER, ALICE, 0, 10n ** 30n),
      A.moveSpot(16_000n),
      A.poke(LP, "market"),
      A.liquidate(LP, BOB, 0, WAD),
      A.liquidate(LP, BOB, 0, WAD),
      A.trade(ALICE, 1, -WAD, "generous", false),
    ]);
    const s = await observe(w, true);
    // Alice was partly liquidated twice (close factor 1/4: 37.5, then 28.125 options), Bob's insolvent short closed
    // in full at once.
    expect(s.accounts[ALICE].positions[1]).to.equal(-150n * WAD + 37_500_000_000_000_000_000n + 28_125_000_000_000_000_000n);
    expect(s.accounts[BOB].positions[2]).to.equal(0n);
    expect(s.accounts[VAULT].positions[2]).to.equal(0n);
  });

  it("gates every class through a guardian halt, a pause and the admin's lift", async function () {
    const w = await world();
    await runSequence(w, [
      A.guardianTrip("market", 2),
      A.trade(ALICE, 1, WAD, "generous", false),
      A.engineDeposit(ALICE, 10n ** 6n),
      A.guardianTrip("global", 1),
      A.vaultDeposit(LP, 10n ** 9n),
      A.vaultRedeem(LP, 10n),
      A.guardianPause(),
      A.vaultRedeem(LP, 10n),
      A.engineWithdraw(ALICE, 10n),
      A.guardianPause(),
      A.adminUnpause(),
      A.adminLift("market", 0),
      A.adminLift("global", 0),
      A.trade(ALICE, 1, WAD, "generous", false),
      A.oracleFault("degraded"),
      A.trade(BOB, 1, WAD, "generous", false),
      A.trade(ALICE, 1, -WAD, "generous", false),
      A.moveSpot(10_000n),
      A.poke(KEEPER, "market"),
      A.warp("hours", 0n),
      A.poke(KEEPER, "market"),
      A.trade(BOB, 1, WAD, "generous", false),
    ]);
  });

  it("prices through the feeds, the sequencer's grace period and the settlement rounds exactly as the oracle model predicts", async function () {
    const w = await world();
    await runSequence(w, [
      A.trade(ALICE, 0, -WAD, "generous", false),
      A.trade(BOB, 3, WAD, "generous", false),
      A.oracleFault("sequencerDown"),
      A.trade(BOB, 1, WAD, "generous", false),
      A.moveSpot(10_100n), // the sequencer is back up: FAILED through its grace period
      A.trade(BOB, 1, WAD, "generous", false),
      A.warp("small", 400n),
      A.trade(BOB, 1, WAD, "generous", false),
      A.oracleFault("outlier"),
      A.oracleFault("degraded"),
      A.poke(KEEPER, "market"),
      A.oracleFault("failed"),
      A.poke(KEEPER, "market"),
      A.moveSpot(9_900n),
      A.warp("pastExpiry", 0n),
      A.setSettlement(0, 9_000n, false), // before the settlement delay
      A.warp("small", 400n),
      A.setSettlement(0, 9_000n, false), // silent feeds publish, the keeper records their first rounds
      A.settle(LP, ALICE, 0), // inside the dispute window
      A.recordExpiryPrice(KEEPER, 0), // not final yet: refused
      A.setSettlement(0, 9_000n, true),
      A.warp("hours", 0n),
      A.settle(LP, ALICE, 0), // reads the router's final price
      A.recordExpiryPrice(KEEPER, 3), // copies it (series 0 and 3 share the expiry)
      A.recordExpiryPrice(ALICE, 0), // a second copy is refused
      A.settle(LP, BOB, 3), // reads the engine's copy: the same prediction
      A.warp("pastLongExpiry", 0n),
      A.oracleFault("failed"),
      A.warp("days", 100_000n),
      A.setSettlement(1, 10_000n, false), // rounds too late for a quorum: the keeper proposes the fallback spot
      A.warp("hours", 0n),
      A.settle(LP, ALICE, 6),
    ]);
    const s = await observe(w, true);
    expect(s.accounts[ALICE].positions[0]).to.equal(0n);
    expect(s.accounts[BOB].positions[3]).to.equal(0n);
  });

  it("holds every invariant after every action of a random campaign", async function () {
    const opts = optionsFromEnv({ runs: 15, depth: 30, timeLimitMs: 35_000 });
    const stats = await runCampaign(opts);
    console.log(
      `      seed ${opts.seed}: ${stats.actions} actions in ${stats.seconds.toFixed(1)} s ` +
        `(${(stats.actions / stats.seconds).toFixed(0)}/s), ${stats.invariants} invariants`,
    );
    if (process.env.FUZZ_VERBOSE) {
      for (const [k, v] of [...outcomes.entries()].sort()) console.log(`        ${k}: ${v}`);
    }
    if (stats.failure) throw new Error(stats.failure);
  });
});
