import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCampaign, optionsFromEnv } from "../../test/invariants/harness/campaign";

/**
 * Fuzz throughput benchmark: one in-process campaign, every invariant checked after every action, and writes
 * reports/fuzz.json as {"actions", "actions_per_s", "invariants", "violations"}. FUZZ_SEED, FUZZ_RUNS, FUZZ_DEPTH
 * and FUZZ_FULL_EVERY (full lens every k actions; light lens otherwise) come from the environment.
 */
async function main(): Promise<void> {
  const opts = optionsFromEnv({ runs: 20, depth: 50 });
  const stats = await runCampaign(opts);
  const report = {
    actions: stats.actions,
    actions_per_s: Number((stats.actions / stats.seconds).toFixed(1)),
    invariants: stats.invariants,
    violations: stats.violations,
    seed: opts.seed,
    runs: opts.runs,
    depth: opts.depth,
    full_lens_every: opts.fullEvery,
    seconds: Number(stats.seconds.toFixed(1)),
  };
  const out = path.join(__dirname, "..", "..", "reports");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "fuzz.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(JSON.stringify(report));
  if (stats.failure) {
    console.error(stats.failure);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
