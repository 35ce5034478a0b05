import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCampaign, optionsFromEnv, world } from "../../test/invariants/harness/campaign";

/**
 * Fuzz throughput benchmark: one in-process campaign, every invariant checked after every action, and writes
 * reports/fuzz.json as {"actions", "actions_per_s", "invariants", "violations"}, with the seed, the sizes and a per-action
 * profile (transactions, state reads, other requests, model and invariants). FUZZ_SEED, FUZZ_RUNS, FUZZ_DEPTH
 * and FUZZ_FULL_EVERY (full lens every k actions; light lens otherwise) come from the environment.
 */
async function main(): Promise<void> {
  const opts = optionsFromEnv({ runs: 20, depth: 50 });
  const w = await world();
  const p0 = { ...w.chain.profile };
  const stats = await runCampaign(opts);
  const p = w.chain.profile;
  const per = (x: number) => Number((x / Math.max(1, stats.actions)).toFixed(2));
  const txMs = p.txMs - p0.txMs;
  const callMs = p.callMs - p0.callMs;
  const otherMs = p.otherMs - p0.otherMs;
  // Where one action's wall time goes: transactions (with their revert decoding), state reads (lens and breaker
  // eth_calls), other provider requests (mining), and the rest (model, invariants, snapshot/revert, fast-check).
  const profile = {
    txs_per_action: per(p.txs - p0.txs),
    tx_ms_per_action: per(txMs),
    eth_calls_per_action: per(p.calls - p0.calls),
    eth_call_ms_per_action: per(callMs),
    other_rpc_ms_per_action: per(otherMs),
    rest_ms_per_action: per(stats.seconds * 1000 - txMs - callMs - otherMs),
  };
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
    profile,
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
