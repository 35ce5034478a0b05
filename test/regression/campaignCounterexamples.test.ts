import { expect } from "chai";
import * as A from "../invariants/harness/actions";
import { runSequence, world } from "../invariants/harness/campaign";
import { ALICE, LP, ATTACKER, observe } from "../invariants/harness/world";
import { WAD } from "../invariants/harness/math";

/**
 * Every counterexample the invariant campaign has found, replayed as a fixed sequence (shrunk by fast-check, then
 * trimmed to the actions that matter). Each replays with every invariant checked after every action; the comment
 * names the seed that found it and what it taught.
 */
describe("Regression: invariant-campaign counterexamples", function () {
  this.timeout(10 * 60_000);

  // Seed 7 (first run): after expiry with a FINAL settlement price, a mark is the payoff at that price, not at
  // spot. The model's no-arbitrage bound Q-04 assumed spot; Q-04 now covers live series and T-04 expired ones.
  it("test_expiredMark_followsFinalSettlementPrice_notSpot", async function () {
    const w = await world();
    await runSequence(w, [
      A.trade(ALICE, 0, -(WAD / 100n), "exact", false),
      A.warp("pastExpiry", 0n),
      A.moveSpot(9_700n),
      A.warp("small", 600n), // past the router's settlement delay
      A.setSettlement(0, 5_000n, true),
      A.moveSpot(5_000n),
      A.settle(LP, ALICE, 0),
    ]);
  });

  // Seed 7 (second run): a position in a series whose settlement price is final carries no shock and no minimum
  // charge (its value is fixed): the engine's initial requirement for such a short is 0. The model's margin
  // reference now treats settled lines like MarginMath.underlyingRequirement does (M-08, M-09).
  it("test_settledShort_hasFixedValueAndNoRequirement", async function () {
    const w = await world();
    await runSequence(w, [
      A.engineDeposit(ALICE, 10_000n * 10n ** 6n),
      A.trade(ALICE, 0, -(WAD / 100n), "exact", false),
      A.oracleFault("stale"),
      A.setSettlement(0, 5_000n, false),
      A.warp("pastExpiry", 0n),
      A.moveSpot(9_700n),
      A.warp("small", 600n), // past the router's settlement delay
      A.setSettlement(0, 5_000n, true),
      A.settle(ATTACKER, ALICE, 0),
      A.settle(ATTACKER, ALICE, 0),
    ]);
  });

  // Seed 101: a 1-quote-unit deposit after a spike, with the vault long deep in-the-money calls. Share value was
  // compared across two blocks, so one second of time decay on the vault's options looked like dilution. V-12 now
  // compares NAV and supply just before and just after the operation within its own block.
  it("test_tinyDeposit_afterSpike_doesNotDiluteShares", async function () {
    const w = await world();
    await runSequence(w, [
      A.oracleFault("stale"),
      A.moveSpot(16_000n),
      A.trade(ALICE, 0, -1_508_710_255_107_163_052n, "generous", false),
      A.moveSpot(9_702n),
      A.vaultDeposit(LP, 1n),
      A.vaultDeposit(LP, 1_000_000n),
      A.vaultRedeem(LP, 1n),
    ]);
  });

  // Replays are only useful if a sequence always ends in the same state: snapshot/revert must restore everything.
  it("test_replay_sameSequenceTwice_endsInIdenticalState", async function () {
    const w = await world();
    const seq = () => [A.engineDeposit(ALICE, 5_000n * 10n ** 6n), A.trade(ALICE, 1, WAD, "generous", false), A.warp("hours", 5n)];
    await runSequence(w, seq());
    const first = await observe(w, true);
    await runSequence(w, [A.moveSpot(16_000n), A.vaultDeposit(LP, 10n ** 9n)]);
    await runSequence(w, seq());
    const second = await observe(w, true);
    expect(second).to.deep.equal(first);
    expect(first.accounts[ALICE].positions[1]).to.equal(WAD);
  });
});
