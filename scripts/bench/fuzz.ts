import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { runCampaign, optionsFromEnv } from "../../test/invariants/harness/campaign";

/**
 * Fuzz throughput benchmark: one in-process campaign, every invariant checked after every action, and writes
 * reports/fuzz.json as {"actions", "actions_per_s", "invariants", "violations"}, with the seed, the sizes and a
 * per-phase profile of one action's wall time (test/invariants/harness/profile.ts: transactions, block-time and
 * mining requests, the state lens, other calls, nonce reads, snapshot/revert, decoding, the model, the invariants
 * and the rest). FUZZ_SEED, FUZZ_RUNS, FUZZ_DEPTH and FUZZ_FULL_EVERY (full lens every k actions; light lens
 * otherwise; the reported mode is 1) come from the environment; FUZZ_PROFILE=1 also prints the table. The report
 * also gives the process's CPU time and the machine's load average when the campaign ended.
 */
async function main(): Promise<void> {
  const opts = optionsFromEnv({ runs: 20, depth: 50 });
  const cpu0 = process.cpuUsage();
  const stats = await runCampaign(opts);
  const cpu = process.cpuUsage(cpu0);
  // CPU time of the whole process (the node's EVM threads included): on a shared machine it is a steadier measure of
  // the work per action than wall time, which grows with the load other processes put on the cores.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
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
    cpu_seconds: Number(cpuSeconds.toFixed(1)),
    actions_per_cpu_s: Number((stats.actions / cpuSeconds).toFixed(1)),
    load_average: Number(loadavg()[0].toFixed(1)),
    profile: stats.profile.rows(stats.actions, stats.seconds),
  };
  const out = path.join(__dirname, "..", "..", "reports");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "fuzz.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(JSON.stringify({ ...report, profile: undefined }));
  console.log(stats.profile.table(stats.actions, stats.seconds));
  if (stats.failure) {
    console.error(stats.failure);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
