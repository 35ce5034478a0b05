import { expect } from "chai";
import * as A from "../invariants/harness/actions";
import { runSequence, world } from "../invariants/harness/campaign";
import { ALICE, BOB, KEEPER, ATTACKER, VAULT, LP, observe } from "../invariants/harness/world";

/**
 * Protocol bug found by the invariant campaign (seed 18288343, INV M-04): the initial-margin grid (wider shock)
 * and the maintenance grid sample different spots, so for the vault's mixed book the maintenance requirement
 * (210) exceeded the initial one (194): an account could pass initial margin and fail maintenance at once.
 * Fix: MarginValuation._initialWad floors the initial requirement at the maintenance requirement.
 */
describe("Regression: initial requirement is never below maintenance", function () {
  this.timeout(10 * 60_000);

  it("test_requirements_vaultMixedBookAfterSpotMoves_initialAtLeastMaintenance", async function () {
    const w = await world();
    // The campaign's counterexample up to the failing action (every invariant checked after each step).
    await runSequence(w, [
      A.trade(ALICE, 1, -7_622_423_756_434_906_152n, "exact", false),
      A.vaultRedeem(ATTACKER, 335n),
      A.trade(KEEPER, 5, -6_484_123_922_032_547_228n, "generous", false),
      A.trade(BOB, 6, -564_647_164_008n, "generous", false),
      A.unauthorized(ATTACKER, 2),
      A.trade(BOB, 4, -437_231_844_776n, "generous", false),
      A.trade(KEEPER, 7, -10_000_000_000_000_010n, "exact", false),
      A.unauthorized(ATTACKER, 11),
      A.engineWithdraw(ATTACKER, 317n),
      A.vaultDeposit(KEEPER, 10n),
      A.engineDeposit(ATTACKER, 2_500_000_000_006n),
      A.trade(ATTACKER, 5, -15_820_595_022_570_602_197n, "exact", true),
      A.moveSpot(9_700n),
      A.moveSpot(9_802n),
      A.moveSpot(5_000n),
      A.moveSpot(16_000n),
    ]);
    const s = await observe(w, true);
    for (const i of [LP, ALICE, BOB, ATTACKER, KEEPER, VAULT]) {
      expect(s.accounts[i].initialReq).to.be.at.least(s.accounts[i].maintReq);
    }
    expect(s.accounts[VAULT].maintReq).to.be.greaterThan(0n);
  });
});
