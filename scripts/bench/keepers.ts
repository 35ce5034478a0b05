/**
 * Keeper benchmark: runs the real keeper against a local hardhat node and KeeperTargetMock, and
 * measures
 * - detection-to-confirmation latency of a liquidation (position made unhealthy → liquidation mined);
 * - throughput: time to clear a batch of positions that become unhealthy in one block;
 * - recovery: a strategy SIGKILLed → ready again; the whole keeper SIGKILLed → restarted and ready;
 * - gas: one liquidation, one lost race (reverted liquidation), one cancel;
 * - resident memory of the supervisor, the signer and a strategy.
 *
 * Run: `npx hardhat run scripts/bench/keepers.ts`. Prints JSON and writes reports/keepers.json.
 * Timings depend on the machine and on the test timings in test/keepers/helpers/keeper.ts
 * (200 ms polling, 1 s blocks).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Wallet } from "ethers";
import { residentBytes } from "../../keepers/src/supervisor/child";
import { deployMock, fundedKey, liquidations, providerFor, randomAccount, WAD } from "../../test/keepers/helpers/chain";
import { ensureKeeperBuilt, KeeperRun, killKeeperChildren, removeTempDirs, tempDir, testConfig, TEST_KEY_ENV, writeConfig } from "../../test/keepers/helpers/keeper";
import { HardhatNode, REPO_ROOT } from "../../test/helpers/node";
import { killAll, waitFor } from "../../test/helpers/processes";

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ts = (l: Record<string, unknown>) => Date.parse(String(l.ts));

async function main(): Promise<void> {
  await ensureKeeperBuilt();
  const node = await HardhatNode.start();
  const provider = providerFor(node.url);
  const results: Record<string, unknown> = { node: process.version, cpus: os.cpus().length };
  try {
    await node.setIntervalMining(1_000);
    const mock = await deployMock(provider);
    const target = await mock.getAddress();
    const key = await fundedKey(node);
    const dataDir = tempDir("bench");
    const configPath = writeConfig(tempDir("bench-cfg"), testConfig({ rpcUrls: [node.url], dataDir, target }));
    const env = { [TEST_KEY_ENV]: key.privateKey };
    let run = KeeperRun.start(configPath, env);
    await run.waitReady();

    // Latency, one position at a time.
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const a = randomAccount();
      await (await mock.setHealth(a, 1, WAD / 2n)).wait();
      const t0 = Date.now();
      await waitFor("liquidation", async () => (await mock.liquidationCount(a, 1)) === 1n, 30_000, 20);
      latencies.push(Date.now() - t0);
    }
    results.detectionToConfirmationMs = { samples: latencies.length, p50: percentile(latencies, 50), p90: percentile(latencies, 90), max: Math.max(...latencies) };

    // Throughput: a batch that turns unhealthy in one block.
    const batch = 40;
    await node.setAutomine(false);
    const accounts = Array.from({ length: batch }, () => randomAccount());
    for (const a of accounts) await mock.setHealth(a, 1, WAD / 3n);
    await node.setAutomine(true);
    await node.mine();
    const tb = Date.now();
    await waitFor("batch cleared", async () => (await liquidations(mock)).length === 10 + batch, 120_000, 100);
    results.batch = { positions: batch, clearedMs: Date.now() - tb, perSecond: Number((batch / ((Date.now() - tb) / 1000)).toFixed(2)) };

    // Gas of a liquidation, from the keeper's journal receipts.
    const journal = fs.readFileSync(path.join(dataDir, "journal.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).entry);
    const gas = journal.filter((e) => e.state === "confirmed").map((e) => Number(e.receipt.gasUsed));
    results.gas = { liquidate: { min: Math.min(...gas), max: Math.max(...gas) } };

    // Memory after the batch.
    const pids = Object.fromEntries(run.filter((l) => l.msg === "child started").map((l) => [String(l.child), l.pid as number]));
    results.residentMiB = {
      supervisor: Math.round((residentBytes(run.pid) ?? 0) / 1048576),
      signer: Math.round((residentBytes(pids.signer) ?? 0) / 1048576),
      liquidator: Math.round((residentBytes(pids.liquidator) ?? 0) / 1048576),
    };

    // A strategy killed from outside: time until it is ready again.
    const killAt = Date.now();
    process.kill(pids.liquidator, "SIGKILL");
    const ready = await run.waitForLog("liquidator ready again", (l) => l.msg === "child ready" && l.child === "liquidator" && ts(l) > killAt, 30_000);
    results.strategyRecoveryMs = ts(ready) - killAt;

    // The whole keeper killed: time from restart to ready.
    await run.crash();
    await new Promise((r) => setTimeout(r, 500));
    const restartAt = Date.now();
    run = KeeperRun.start(configPath, env);
    await run.waitReady();
    results.keeperRestartToReadyMs = Date.now() - restartAt;
    await run.stop();

    // A lost race: a second keeper's reverted liquidation, and a cancel (0-value self-transfer).
    const other = new Wallet((await fundedKey(node)).privateKey, provider);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await (await mock.connect(other).liquidate(a, 1)).wait();
    // An explicit gas limit skips estimation, so the losing call is mined (and reverts) like a race
    // loser's; automine is off because hardhat answers a reverting automined send with an error.
    await node.setAutomine(false);
    const losing = await mock.connect(other).liquidate(a, 1, { gasLimit: 100_000 });
    await node.mine();
    await node.setAutomine(true);
    const lost = await provider.getTransactionReceipt(losing.hash);
    const cancel = await (await other.sendTransaction({ to: other.address, value: 0 })).wait();
    (results.gas as Record<string, unknown>).revertedLiquidate = Number(lost?.gasUsed ?? 0n);
    (results.gas as Record<string, unknown>).cancel = Number(cancel?.gasUsed ?? 0n);
  } finally {
    killKeeperChildren();
    provider.destroy();
    node.stop();
    killAll();
    removeTempDirs();
  }
  console.log(JSON.stringify(results, null, 2));
  const out = path.join(REPO_ROOT, "reports");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "keepers.json"), `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  killAll();
  process.exitCode = 1;
});
