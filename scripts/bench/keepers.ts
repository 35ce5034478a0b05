/**
 * Keeper benchmark. Writes reports/keepers.json:
 *
 * 1. Protocol scale (the top-level keys): `accounts` real MarginEngine accounts (default 10,000, env
 *    BENCH_ACCOUNTS) on a local hardhat node, each credited through `deposit(account, amount)` and short
 *    0.01 ETH call through the OptionMarket (sent as impersonated JSON-RPC batches, see
 *    test/keepers/helpers/population.ts); one in ten holds thin collateral. One block then moves every
 *    feed +30%, after which the thin ones fail maintenance.
 *    - `scan_accounts_per_s`: a full sweep of the lens list through `MarginEngineHealthSource`
 *      (`healthOfRange` batches over HTTP, eth_call gas cap 30M), accounts / wall-clock second;
 *    - `blocks_to_liquidation_*`: the real `Liquidator` strategy loop (book, prioritisation, batched reads)
 *      runs in real time against 1-second blocks; for each account the lens reports liquidatable after the
 *      move, blocks from the move's block to the first block that can include its liquidation (the head
 *      when the intent was emitted + 1). The Liquidation contract is not in this build, so the venue only
 *      records intents: this is detection-to-intent, not a mined liquidation;
 *    - `missed`: liquidatable accounts never proposed within `WINDOW_BLOCKS`; `duplicates`: a second intent
 *      for an account already proposed.
 * 2. `service`: the keeper service end to end against KeeperTargetMock (latency, batch, recovery, gas, memory).
 *
 * Run: `npm run bench:keepers` (BENCH_SKIP_SERVICE=1 skips part 2).
 */
import { Interface } from "ethers";
import { Logger } from "../../keepers/src/core/logger";
import { RpcClient } from "../../keepers/src/core/rpc";
import { Liquidator } from "../../keepers/src/strategies/liquidator";
import { MarginEngineHealthSource } from "../../keepers/src/strategies/liquidator/margin-engine";
import type { LiquidationVenue } from "../../keepers/src/strategies/liquidator/source";
import type { IntentDraft } from "../../keepers/src/strategies/types";
import { deployProtocolViaCli, ETH, listSeries, chainTime, usdc, wad, type NodeProtocol } from "../../test/keepers/helpers/protocol";
import { impersonate, populationAccount, rpcBatch, sendAndMine, type PendingTx } from "../../test/keepers/helpers/population";
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

/** The keeper service against KeeperTargetMock: latency, batch, recovery, gas, memory. */
async function serviceBench(): Promise<Record<string, unknown>> {
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
  return results;
}


const WINDOW_BLOCKS = 10;
const CALL_GAS_CAP = 30_000_000n;

async function protocolBench(): Promise<Record<string, unknown>> {
  const n = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
  const node = await HardhatNode.start();
  const provider = providerFor(node.url);
  const url = node.url;
  try {
    const td = performance.now();
    const p = await deployProtocolViaCli(provider, url, tempDir("bench-record"));
    const deploySeconds = (performance.now() - td) / 1000;
    const expiry = (await chainTime(provider)) + 30n * 86_400n;
    const series = await listSeries(p, 3000, expiry, true);
    await (await p.market.connect(p.risk).setExposureCaps(ETH, { maxNetDelta: wad(1_000_000), maxNetVega: wad(1_000_000_000), maxOpenInterest: wad(1_000_000) })).wait();
    const amount = wad("0.01");
    const thin = await thinCollateral(p, series, amount);
    const accounts = Array.from({ length: n }, (_, i) => populationAccount(i));
    const isThin = (i: number) => i % 10 === 7;
    const t0 = Date.now();
    await impersonate(url, accounts);
    const funder = p.lp.address;
    await (await p.token.connect(p.lp).approve(p.addresses.engine, 2n ** 255n)).wait();
    const engineIface = p.engine.interface as unknown as Interface;
    const marketIface = p.market.interface as unknown as Interface;
    const deposits: PendingTx[] = accounts.map((a, i) => ({ from: funder, to: p.addresses.engine, data: engineIface.encodeFunctionData("deposit", [a, isThin(i) ? thin : thin * 20n]), gas: 200_000n }));
    const dep = await sendAndMine(url, deposits, 300_000_000n);
    const deadline = expiry - 86_400n;
    const trades: PendingTx[] = accounts.map((a) => ({ from: a, to: p.addresses.market, data: marketIface.encodeFunctionData("trade", [series, -amount, 0n, deadline]) }));
    const tr = await sendAndMine(url, trades, 300_000_000n);
    await rpcBatch(url, [{ method: "evm_setBlockGasLimit", params: [`0x${CALL_GAS_CAP.toString(16)}`] }]);
    const populateSeconds = (Date.now() - t0) / 1000;
    if (dep.failed + tr.failed > 0) throw new Error(`population failed: ${dep.failed} deposits, ${tr.failed} trades reverted`);

    const rpc = new RpcClient({ urls: [url], timeoutMs: 60_000 });
    const head0 = BigInt(await provider.getBlockNumber());
    const batchSize = 100;
    const gasPerBatch = BigInt(await provider.estimateGas({ to: p.addresses.engine, data: engineIface.encodeFunctionData("healthOfRange", [0, batchSize]) }));

    // Full sweep throughput (best of three).
    const sweeps: number[] = [];
    for (let r = 0; r < 3; r++) {
      const src = new MarginEngineHealthSource(rpc, p.addresses.engine, batchSize);
      const ts0 = performance.now();
      const found = await src.scan(0n, head0);
      sweeps.push(performance.now() - ts0);
      if (found.opened.length < n) throw new Error(`lens lists ${found.opened.length} accounts, expected at least ${n}`);
    }
    const lensAccounts = Number(await p.engine.accountCount());
    if (process.env.BENCH_DEBUG) {
      for (const tag of ["latest", head0] as const) {
        const t = performance.now();
        await rpc.call({ to: p.addresses.engine, data: engineIface.encodeFunctionData("healthOfRange", [0, batchSize]) }, tag);
        console.error("healthOfRange", String(tag), Math.round(performance.now() - t), "ms");
      }
      const t = performance.now();
      await rpc.call({ to: p.addresses.engine, data: engineIface.encodeFunctionData("accountCount", []) }, "latest");
      console.error("accountCount", Math.round(performance.now() - t), "ms");
    }
    const scanPerSecond = lensAccounts / (Math.min(...sweeps) / 1000);

    // The liquidator, warmed up before the move (as a running keeper would be).
    const proposals: { account: string; head: bigint }[] = [];
    let emitHead = 0n;
    const venue: LiquidationVenue = {
      liquidations: async (key) => {
        proposals.push({ account: key.account.toLowerCase(), head: emitHead });
        return [{ action: "liquidate", account: key.account, series: "0", to: p.addresses.engine, data: "0x00000000" } as IntentDraft];
      },
    };
    // A fifth of the book per block: half to the lowest known healths, half to a rotating window.
    const readsPerBlock = Math.max(100, Math.ceil(lensAccounts / 5));
    const liquidator = new Liquidator();
    const log = new Logger({ chain: 31337, component: "bench", level: "warn", sink: () => undefined });
    liquidator.wire(
      { name: "bench", chainId: 31337n, rpc, log, params: {}, dryRun: true },
      { source: "margin-engine", target: p.addresses.engine, fromBlock: Number(head0), logChunkBlocks: 2_000, batchSize, maxReadsPerBlock: readsPerBlock, maxIntentsPerBlock: 2_000, healthThresholdWad: (10n ** 18n).toString() },
      new MarginEngineHealthSource(rpc, p.addresses.engine, batchSize),
      venue,
    );
    await liquidator.onBlock(head0);
    if (proposals.length !== 0) throw new Error(`${proposals.length} accounts liquidatable before the move`);

    // One block moves every feed +30%.
    await rpcBatch(url, [{ method: "evm_setAutomine", params: [false] }]);
    for (let i = 0; i < p.feeds.length; i++) await p.feeds[i].connect(p.admin).pushRound(3900n * 10n ** BigInt(p.feedDecimals[i]));
    await rpcBatch(url, [{ method: "evm_mine", params: [] }]);
    const moveBlock = BigInt(await provider.getBlockNumber());
    const truthSource = new MarginEngineHealthSource(rpc, p.addresses.engine, batchSize);
    await truthSource.scan(0n, moveBlock);
    const truthRows = await truthSource.readMany(accounts, moveBlock);
    const truth = new Set(truthRows.filter((r) => r.priced && r.health < 10n ** 18n).map((r) => r.account.toLowerCase()));

    // Real time: 1-second blocks, the strategy handles each new head once, never concurrently.
    await rpcBatch(url, [{ method: "evm_setIntervalMining", params: [1_000] }]);
    let last = moveBlock - 1n;
    const started = Date.now();
    const loopMs: number[] = [];
    while (Date.now() - started < (WINDOW_BLOCKS + 5) * 1_000) {
      const head = BigInt(await provider.getBlockNumber());
      if (head > moveBlock + BigInt(WINDOW_BLOCKS)) break;
      if (head <= last) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const tl = performance.now();
      await liquidator.onBlock(head);
      loopMs.push(performance.now() - tl);
      emitHead = BigInt(await provider.getBlockNumber());
      // Intents are recorded by the venue during onBlock; stamp them with the head after it returned.
      for (const pr of proposals) if (pr.head === 0n) pr.head = emitHead;
      last = head;
    }
    await rpcBatch(url, [{ method: "evm_setIntervalMining", params: [0] }, { method: "evm_setAutomine", params: [true] }]);

    const first = new Map<string, bigint>();
    let duplicates = 0;
    let falsePositives = 0;
    for (const pr of proposals) {
      if (first.has(pr.account)) duplicates += 1;
      else first.set(pr.account, pr.head);
      if (!truth.has(pr.account)) falsePositives += 1;
    }
    const blocks = [...truth].filter((a) => first.has(a)).map((a) => Number(first.get(a)! + 1n - moveBlock));
    const missed = [...truth].filter((a) => !first.has(a)).length;
    return {
      accounts: lensAccounts,
      scan_accounts_per_s: Math.round(scanPerSecond),
      blocks_to_liquidation_p50: blocks.length ? percentile(blocks, 50) : null,
      blocks_to_liquidation_p99: blocks.length ? percentile(blocks, 99) : null,
      missed,
      duplicates,
      liquidatable: truth.size,
      measured: {
        what: "detection to intent: blocks from the price-move block to the first block able to include the liquidation (head when the Liquidator strategy emitted the intent + 1); the Liquidation contract is not in this build, so no liquidation was mined",
        proposals: proposals.length,
        falsePositives,
        sweepMs: sweeps.map((x) => Math.round(x)),
        batchSize,
        readsPerBlock,
        healthOfRangeGasPerBatch: Number(gasPerBatch),
        ethCallGasCap: Number(CALL_GAS_CAP),
        strategyLoopMs: { blocks: loopMs.length, max: Math.round(Math.max(...loopMs)), p50: Math.round(percentile(loopMs, 50)) },
        blockTimeMs: 1_000,
        populateSeconds: Math.round(populateSeconds),
        deploySeconds: Math.round(deploySeconds),
        population: `${n} accounts credited by deposit(account, amount) and short 0.01 ETH call each through OptionMarket.trade (impersonated, JSON-RPC batches); one in ten with thin collateral; all three feeds +30% in one block`,
        rpc: "HTTP JSON-RPC to a local hardhat node on 127.0.0.1, one request per healthOfRange batch",
      },
    };
  } finally {
    provider.destroy();
    node.stop();
  }
}

/** Collateral just above the initial requirement of a short `amount` call (probe account, then read back). */
async function thinCollateral(p: NodeProtocol, series: bigint, amount: bigint): Promise<bigint> {
  const probe = p.traders[0];
  await (await p.market.connect(probe).trade(series, -amount, 0n, (await chainTime(p.provider)) + 3_600n)).wait();
  const [initial] = await p.engine.requirementsOf(probe.address);
  const equity = await p.engine.equityOf(probe.address);
  const collateral = await p.engine.collateralOf(probe.address);
  const markValue = equity - BigInt(collateral); // negative for a short
  return initial - markValue + (initial * 5n) / 100n + usdc("0.01");
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = await protocolBench();
  console.log(JSON.stringify(results, null, 2));
  if (process.env.BENCH_SKIP_SERVICE !== "1") results.service = await serviceBench();
  killAll();
  removeTempDirs();
  const out = path.join(REPO_ROOT, "reports");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "keepers.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  killAll();
  process.exitCode = 1;
});
