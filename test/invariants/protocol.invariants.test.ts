import { expect } from "chai";
import { runCampaign, optionsFromEnv, outcomes } from "./harness/campaign";
import { INVARIANTS } from "./harness/invariants";

/**
 * The short invariant campaign (part of `npm test`): random sequences of user, keeper, admin, attacker and
 * simulator actions against the core on the mock router, every invariant of audits/INVARIANTS.md checked after
 * every action, every revert justified by the model. FUZZ_SEED, FUZZ_RUNS, FUZZ_DEPTH, FUZZ_PATH and
 * FUZZ_FULL_EVERY, FUZZ_TIME_LIMIT_S (default 90 s here) and FUZZ_SHRINK=1 come from the environment; a failure
 * prints the seed and the path to replay it (shrunk with FUZZ_SHRINK=1).
 */
describe("Invariants: protocol model campaign", function () {
  this.timeout(30 * 60_000);

  it("declares at least 35 invariants with unique ids", function () {
    const ids = INVARIANTS.map((i) => i.id);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids.length).to.be.at.least(35);
  });

  it("holds every invariant after every action of a random campaign", async function () {
    const opts = optionsFromEnv({ runs: 40, depth: 40, timeLimitMs: 90_000 });
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
