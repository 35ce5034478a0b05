/**
 * Keeper benchmark. Writes reports/keepers.json:
 *
 * 1. Protocol scale (the top-level keys): the protocol deployed by `npm run deploy` (Ignition) on a local hardhat
 *    node; `accounts` real MarginEngine accounts (default 10,000, env BENCH_ACCOUNTS), each credited through
 *    `deposit(account, amount)` and short 0.01 ETH call through the OptionMarket (impersonated JSON-RPC batches, see
 *    test/keepers/helpers/population.ts); one in ten holds thin collateral. One block then moves every feed +30%,
 *    after which the thin ones fail maintenance. The real `Liquidator` strategy loop runs with the keeper's
 *    "margin-engine" source (`ModelHealthSource`: an event replica of every account and the margin model, one
 *    `markOf` per live series per block, lens re-checks only near the threshold) and the real LiquidationEngine
 *    venue, batching (`params.batch`: worst health first, `liquidateMany` sized to BATCH_GAS_PER_TX at
 *    BATCH_GAS_PER_ITEM per item, at most 20 items), in real time against the chain profile's blocks; its intents are
 *    sent at once as transactions with the gas limit the strategy asked for.
 *    Chain profile (env `BENCH_CHAIN`, written to `measured.chain` and the printed summary): `mainnet` (default:
 *    Ethereum mainnet's 12-second slots and 60,000,000-gas blocks, also Hardhat's default limit) or `fast` (1-second
 *    blocks of 30,000,000 gas); any other value stops the bench before it starts.
 *    - `scan_accounts_per_s`: accounts evaluated per second: tracked accounts x blocks / time of the whole onBlock
 *      over 5 ordinary blocks before the move (`measured.loopAccountsPerS`: the same over the busy blocks after it);
 *    - `blocks_to_liquidation_*`: blocks from the move's block to the block holding the account's `Liquidated`
 *      event, over the accounts the lens reports below 1 at the move; bounded by the block gas limit (liquidations
 *      x gas per item / block gas limit blocks at the least), not by the keeper alone;
 *    - `detection_blocks_*`: blocks from the move's block to the first block able to include the liquidation (head
 *      when the intent was emitted + 1): the keeper's own share;
 *    - `missed`: liquidatable accounts never proposed within the profile's `windowBlocks`; `duplicates`: a second intent for an
 *      account already proposed, plus accounts liquidated twice on chain.
 * 2. `service`: the keeper service end to end against KeeperTargetMock (latency, batch, recovery, gas, memory), on
 *    1-second blocks whatever the profile (`service.blockTimeMs`): it measures the keeper, not the chain.
 *
 * Run: `npm run bench:keepers` (BENCH_SKIP_SERVICE=1 skips part 2).
 */
import { Interface } from "ethers";
import { Logger } from "../../keepers/src/core/logger";
import { RpcClient } from "../../keepers/src/core/rpc";
import { Liquidator, type LiquidatorTimings } from "../../keepers/src/strategies/liquidator";
import { MarginEngineHealthSource } from "../../keepers/src/strategies/liquidator/margin-engine";
import { LiquidationEngineVenue } from "../../keepers/src/strategies/liquidator/liquidation-engine";
import { ModelHealthSource } from "../../keepers/src/strategies/liquidator/model-source";
import type { LiquidationVenue } from "../../keepers/src/strategies/liquidator/source";
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
  const results: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, blockTimeMs: 1_000 };
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


/** The chain the protocol part runs on (env `BENCH_CHAIN`), stated in the report and the printed summary. */
interface ChainProfile {
  name: string;
  /** Interval mining after the move (ms): one block per slot. */
  blockTimeMs: number;
  /** Block gas limit from the move on: it bounds how many liquidations one block includes. */
  blockGasLimit: bigint;
  /** Blocks after the move within which every liquidatable account must have been proposed (`missed`). */
  windowBlocks: number;
  description: string;
}

const CHAIN_PROFILES: Record<string, ChainProfile> = {
  mainnet: {
    name: "mainnet",
    blockTimeMs: 12_000,
    blockGasLimit: 60_000_000n,
    windowBlocks: 5,
    description: "Ethereum mainnet today: 12-second slots, 60,000,000 gas per block (also Hardhat's default block gas limit)",
  },
  fast: { name: "fast", blockTimeMs: 1_000, blockGasLimit: 30_000_000n, windowBlocks: 15, description: "a fast chain: 1-second blocks of 30,000,000 gas" },
};

/**
 * The profile named by `BENCH_CHAIN` (default `mainnet`).
 * @throws Error naming the accepted values when the variable holds anything else.
 */
function chainProfile(env: string | undefined): ChainProfile {
  const name = env === undefined || env === "" ? "mainnet" : env;
  const profile = Object.hasOwn(CHAIN_PROFILES, name) ? CHAIN_PROFILES[name] : undefined;
  if (!profile) throw new Error(`BENCH_CHAIN="${name}" is not a chain profile: use one of ${Object.keys(CHAIN_PROFILES).join(", ")} (default mainnet)`);
  return profile;
}

const CALL_GAS_CAP = 30_000_000n;
/** Gas budget of one `liquidateMany` transaction (the liquidator's `params.batch.maxGasPerTx`). */
const BATCH_GAS_PER_TX = 3_000_000;
/** Upper bound of one item's gas: an account's first liquidation, which also flags it (`params.batch.gasPerItem`). */
const BATCH_GAS_PER_ITEM = Number(process.env.BENCH_GAS_PER_ITEM ?? 140_000);
const STEADY_BLOCKS = 5;
/** Longest wait for the liquidations sent to be mined (the local node mines a full block in seconds). */
const INCLUSION_CAP_MS = 150_000;

async function protocolBench(chain: ChainProfile): Promise<Record<string, unknown>> {
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
    // The profile's block from here on: it bounds how many liquidations one block can include.
    await rpcBatch(url, [{ method: "evm_setBlockGasLimit", params: [`0x${chain.blockGasLimit.toString(16)}`] }]);
    const populateSeconds = (Date.now() - t0) / 1000;
    if (dep.failed + tr.failed > 0) throw new Error(`population failed: ${dep.failed} deposits, ${tr.failed} trades reverted`);

    const rpc = new RpcClient({ urls: [url], timeoutMs: 120_000 });
    const head0 = BigInt(await provider.getBlockNumber());
    const batchSize = 100;
    const gasPerBatch = BigInt(await provider.estimateGas({ to: p.addresses.engine, data: engineIface.encodeFunctionData("healthOfRange", [0, batchSize]) }));

    // The liquidator as the keeper runs it with "source": "margin-engine" (event replica + margin model + lens
    // re-checks near the threshold, real LiquidationEngine intents), warmed up before the move.
    const threshold = 10n ** 18n;
    const model = new ModelHealthSource(rpc, p.addresses.engine, p.addresses.liquidation, { thresholdWad: threshold });
    const realVenue = new LiquidationEngineVenue(rpc, p.addresses.liquidation, p.addresses.engine, model);
    const proposals: { account: string; head: bigint }[] = [];
    let emitHead = 0n;
    const venue: LiquidationVenue = {
      liquidations: async (key, block, gasLimit) => {
        const intents = await realVenue.liquidations(key, block, gasLimit);
        for (const _ of intents) proposals.push({ account: key.account.toLowerCase(), head: emitHead });
        return intents;
      },
      batch: (drafts, gasLimit) => realVenue.batch(drafts, gasLimit),
    };
    const batch = { maxGasPerTx: BATCH_GAS_PER_TX, gasPerItem: BATCH_GAS_PER_ITEM, maxItems: 20 };
    const liquidator = new Liquidator();
    const log = new Logger({ chain: 31337, component: "bench", level: "warn", sink: (line) => console.error(line) });
    liquidator.wire(
      { name: "bench", chainId: 31337n, rpc, log, params: {}, dryRun: true },
      { source: "margin-engine", target: p.addresses.engine, liquidation: p.addresses.liquidation, fromBlock: p.fromBlock, logChunkBlocks: 20, batchSize, maxReadsPerBlock: 100_000, maxIntentsPerBlock: 100, healthThresholdWad: threshold.toString(), batch },
      model,
      venue,
    );
    const tw = performance.now();
    const warm = await liquidator.onBlock(head0);
    // Catching up the population's history takes several calls (bounded chunks per call), as on a real start.
    for (let i = 0; i < 100 && liquidator.hasBacklog(); i++) await liquidator.onBlock(head0);
    const warmupMs = performance.now() - tw;
    if (proposals.length + warm.length !== 0) throw new Error(`${proposals.length} accounts liquidatable before the move`);
    const tracked = model.size;
    if (process.env.BENCH_DEBUG) {
      const withPositions = accounts.filter((a) => (model.positionsOf(a) ?? []).length > 0).length;
      console.error("warm-up", { tracked, withPositions, book: liquidator.book.size, stats: model.stats, warmupMs: Math.round(warmupMs), scannedBacklog: liquidator.hasBacklog() });
    }

    // Steady state: a few ordinary blocks, each handled by the whole onBlock (event scan, one markOf per live series,
    // the model for every account, re-checks): the per-block cost of watching the book.
    const steadyMs: number[] = [];
    for (let i = 0; i < STEADY_BLOCKS; i++) {
      await rpcBatch(url, [{ method: "evm_mine", params: [] }]);
      const head = BigInt(await provider.getBlockNumber());
      const ts0 = performance.now();
      await liquidator.onBlock(head);
      steadyMs.push(performance.now() - ts0);
    }
    if (proposals.length !== 0) throw new Error(`${proposals.length} accounts liquidatable before the move`);

    // One block moves every feed +30%.
    await rpcBatch(url, [{ method: "evm_setAutomine", params: [false] }]);
    for (let i = 0; i < p.feeds.length; i++) await p.feeds[i].connect(p.admin).pushRound(3900n * 10n ** BigInt(p.feedDecimals[i]));
    await rpcBatch(url, [{ method: "evm_mine", params: [] }]);
    const moveBlock = BigInt(await provider.getBlockNumber());

    // Real time: the profile's block time; the strategy handles each new head as the runner drives it (once, and at
    // once again on the same block while it reports `continueNow`: its first pass's intents go out before the lens
    // confirmations near the threshold). Its intents are sent at once by the bench (an impersonated sender standing
    // in for the signer, which adds its re-checks and simulation per intent): one transaction per intent (a
    // `liquidateMany` batch, or a lone `liquidate`) with the gas limit the strategy asked for, so the node packs
    // blocks up to their gas limit.
    const sender = "0x000000000000000000000000000000000000bEEF";
    await rpcBatch(url, [{ method: "hardhat_impersonateAccount", params: [sender] }, { method: "hardhat_setBalance", params: [sender, "0x" + (10n ** 22n).toString(16)] }]);
    await rpcBatch(url, [{ method: "evm_setAutomine", params: [false] }, { method: "evm_setIntervalMining", params: [chain.blockTimeMs] }]);
    let last = moveBlock - 1n;
    const started = Date.now();
    const loopMs: number[] = [];
    const passes: (LiquidatorTimings & { head: number })[] = [];
    let again = false;
    let loopAccounts = 0;
    const evalBefore = { ...model.stats };
    const sentAt = new Map<string, bigint>();
    const txs: { hash: string; items: number }[] = [];
    const sends: Promise<unknown>[] = [];
    const sendErrors: string[] = [];
    while (Date.now() - started < (chain.windowBlocks + 20) * chain.blockTimeMs) {
      const head = BigInt(await provider.getBlockNumber());
      if (head > moveBlock + BigInt(chain.windowBlocks)) break;
      if (head <= last && !again) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const before = proposals.length;
      const tl = performance.now();
      const intents = await liquidator.onBlock(head);
      const ms = performance.now() - tl;
      passes.push({ ...liquidator.timings, head: Number(head - moveBlock) });
      if (head > last) {
        loopMs.push(ms);
        loopAccounts += model.size;
      } else loopMs[loopMs.length - 1] += ms;
      again = liquidator.continueNow();
      emitHead = BigInt(await provider.getBlockNumber());
      const fresh = proposals.slice(before);
      for (const pr of fresh) pr.head = emitHead;
      // Sent in the background (the node is busy mining full blocks): the loop keeps handling heads meanwhile.
      for (let i = 0; i < intents.length; i += 50) {
        const part = intents.slice(i, i + 50);
        sends.push(
          rpcBatch(url, part.map((intent) => ({ method: "eth_sendTransaction", params: [{ from: sender, to: intent.to, data: intent.data, gas: `0x${BigInt(intent.gasLimit ?? 400_000).toString(16)}` }] })))
            .then((hashes) =>
              part.forEach((intent, j) => {
                for (const it of intent.items ?? [intent]) sentAt.set(it.account.toLowerCase(), emitHead);
                txs.push({ hash: String(hashes[j]), items: intent.items?.length ?? 1 });
              }),
            )
            .catch((err) => sendErrors.push(String(err).slice(0, 200))),
        );
      }
      last = head;
    }
    // Let what was sent be mined (at most INCLUSION_CAP_MS), then stop the clock.
    const settleBy = Date.now() + INCLUSION_CAP_MS;
    await Promise.race([Promise.all(sends), new Promise((r) => setTimeout(r, INCLUSION_CAP_MS))]);
    while (Date.now() < settleBy && Number(await rpcBatch(url, [{ method: "eth_getBlockTransactionCountByNumber", params: ["pending"] }]).then((r) => r[0] as string)) > 0) {
      await new Promise((r) => setTimeout(r, 500));
    }
    const inclusionCapped = Date.now() >= settleBy;
    await rpcBatch(url, [{ method: "evm_setIntervalMining", params: [0] }, { method: "evm_setAutomine", params: [true] }]);

    // Ground truth: a full lens sweep at the move block (and its throughput, for comparison with the model).
    const tt = performance.now();
    const truthRows = (await new MarginEngineHealthSource(rpc, p.addresses.engine, batchSize).scan(0n, moveBlock)).opened;
    const lensSweepMs = performance.now() - tt;
    const truth = new Set(truthRows.filter((r) => r.health !== undefined && r.health < threshold).map((r) => r.key.account.toLowerCase()));

    const liquidated = new Map<string, bigint[]>();
    for (const e of await p.liquidation.queryFilter(p.liquidation.filters.Liquidated(), Number(moveBlock), "latest")) {
      const a = e.args.account.toLowerCase();
      liquidated.set(a, [...(liquidated.get(a) ?? []), BigInt(e.blockNumber)]);
    }
    const first = new Map<string, bigint>();
    let duplicates = 0;
    let falsePositives = 0;
    for (const pr of proposals) {
      if (first.has(pr.account)) duplicates += 1;
      else first.set(pr.account, pr.head);
      if (!truth.has(pr.account)) falsePositives += 1;
    }
    const detection = [...truth].filter((a) => first.has(a)).map((a) => Number(first.get(a)! + 1n - moveBlock));
    const inclusion = [...truth].filter((a) => liquidated.has(a)).map((a) => Number(liquidated.get(a)![0] - moveBlock));
    const onChainDuplicates = [...liquidated.values()].filter((bs) => bs.length > 1).length;
    const missed = [...truth].filter((a) => !first.has(a)).length;
    const firstPasses = passes.filter((x) => x.firstPass);
    /** Time of a first pass up to its intents: a pass with none confirms the band in the same call, after them. */
    const toIntents = (x: LiquidatorTimings) => x.totalMs - x.confirmMs;
    const evaluated = model.stats.evaluated - evalBefore.evaluated;
    const evalMs = model.stats.evalMs - evalBefore.evalMs;
    const loopTotalMs = loopMs.reduce((x, y) => x + y, 0);
    // Gas per batch transaction, from the receipts.
    const receipts = await rpcBatch(url, txs.map((t) => ({ method: "eth_getTransactionReceipt", params: [t.hash] })));
    const gasOf = receipts.map((r, i) => ({ gas: r ? Number(BigInt((r as { gasUsed: string }).gasUsed)) : null, ok: r ? (r as { status: string }).status === "0x1" : false, items: txs[i].items }));
    const full = gasOf.filter((g) => g.gas !== null && g.items > 1);
    const perItem = full.map((g) => Math.round((g.gas! - 21_000) / g.items));
    const perBlock = new Map<bigint, number>();
    for (const bs of liquidated.values()) perBlock.set(bs[0], (perBlock.get(bs[0]) ?? 0) + 1);
    return {
      accounts: tracked,
      scan_accounts_per_s: Math.round((tracked * steadyMs.length) / (steadyMs.reduce((x, y) => x + y, 0) / 1000)),
      blocks_to_liquidation_p50: inclusion.length ? percentile(inclusion, 50) : null,
      blocks_to_liquidation_p99: inclusion.length ? percentile(inclusion, 99) : null,
      missed,
      duplicates: duplicates + onChainDuplicates,
      liquidatable: truth.size,
      detection_blocks_p50: detection.length ? percentile(detection, 50) : null,
      detection_blocks_p99: detection.length ? percentile(detection, 99) : null,
      measured: {
        what:
          `blocks_to_liquidation_*: blocks from the price-move block to the block holding the account's Liquidated event, for every account the lens reports below health 1 at the move block; the Liquidator batches (params.batch: worst health first, liquidateMany of up to 20 items, gas limit 100k + 20 x gasPerItem), the intents sent at once into the chain profile's blocks (measured.chain): bounded by block gas (liquidatable x gas per item / block gas limit blocks at the least), not by the keeper alone. detection_blocks_*: blocks from the move block to the first block able to include the liquidation (the head when the Liquidator strategy emitted the intent, + 1): the keeper's own share`,
        scan:
          "scan_accounts_per_s: tracked accounts x blocks / wall-clock time of the strategy's whole onBlock over 5 ordinary blocks before the move (event scan, one markOf per live series, the margin model for every account, lens re-checks near the threshold). loopAccountsPerS: the same over the blocks after the move, which also build 1,000 intents while the node mines full blocks of liquidations. strategyLoopMs: per head after the move, both passes (the first pass: scan, model for every account, intents for the accounts clearly below the band; the second: lens confirmations near the threshold, among them the re-sync of every account liquidated the block before, at most 200 per block); firstPassToIntentsP50: the first pass up to its intents, without the confirmations; passes: every onBlock call after the move (head: blocks after the move), where its time went",
        steadyBlockMs: steadyMs.map((x) => Math.round(x)),
        loopAccountsPerS: Math.round(loopAccounts / (loopTotalMs / 1000)),
        modelOnlyAccountsPerS: evalMs > 0 ? Math.round(evaluated / (evalMs / 1000)) : null,
        lensSweepAccountsPerS: Math.round(truthRows.length / (lensSweepMs / 1000)),
        lensRechecks: model.stats.rechecked,
        markCalls: model.stats.markCalls,
        proposals: proposals.length,
        falsePositives,
        duplicateIntents: duplicates,
        duplicateLiquidationsOnChain: onChainDuplicates,
        liquidatedOnChain: liquidated.size,
        sent: sentAt.size,
        batching: { ...batch, transactions: txs.length, reverted: gasOf.filter((g) => g.gas !== null && !g.ok).length, gasPerTx: full.length ? { min: Math.min(...full.map((g) => g.gas!)), max: Math.max(...full.map((g) => g.gas!)) } : null },
        gasPerItem: perItem.length ? { p50: percentile(perItem, 50), max: Math.max(...perItem), note: "(gasUsed - 21,000) / items, over the batches of more than one item" } : null,
        sendErrors: sendErrors.slice(0, 3),
        inclusionWaitCapped: inclusionCapped,
        lastInclusionBlock: inclusion.length ? Math.max(...inclusion) : null,
        liquidationsPerBlock: [...perBlock.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([b, c]) => ({ block: Number(b - moveBlock), count: c })),
        healthOfRangeGasPerBatch: Number(gasPerBatch),
        batchSize,
        ethCallGasCap: Number(CALL_GAS_CAP),
        strategyLoopMs: {
          blocks: loopMs.length,
          max: Math.round(Math.max(...loopMs)),
          p50: Math.round(percentile(loopMs, 50)),
          firstPassToIntentsP50: firstPasses.length ? Math.round(percentile(firstPasses.map(toIntents), 50)) : null,
          moveBlockFirstPass: firstPasses.length ? roundTimings(firstPasses[0]) : null,
          passes: passes.map((x) => ({ ...roundTimings(x), head: x.head })),
        },
        warmupMs: Math.round(warmupMs),
        chain: { profile: chain.name, blockTimeMs: chain.blockTimeMs, blockGasLimit: Number(chain.blockGasLimit), windowBlocks: chain.windowBlocks, description: chain.description },
        deploySeconds: Math.round(deploySeconds),
        populateSeconds: Math.round(populateSeconds),
        population: `${n} accounts credited by deposit(account, amount) and short 0.01 ETH call each through OptionMarket.trade (impersonated, JSON-RPC batches); one in ten with thin collateral; all three feeds +30% in one block`,
        deployment: "npm run deploy (Ignition modules, deploy/parameters/local.json) on a local hardhat node on 127.0.0.1",
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

/** Timings rounded to whole milliseconds. */
function roundTimings(t: LiquidatorTimings): LiquidatorTimings {
  return { ...t, discoverMs: Math.round(t.discoverMs), healthMs: Math.round(t.healthMs), proposeMs: Math.round(t.proposeMs), confirmMs: Math.round(t.confirmMs), totalMs: Math.round(t.totalMs) };
}

/** The lines the bench prints last: the chain it ran on and the figures the issue sets goals for. */
function summary(r: Record<string, unknown>): string {
  const m = r.measured as { chain: { profile: string; blockTimeMs: number; blockGasLimit: number }; liquidationsPerBlock: { block: number; count: number }[]; strategyLoopMs: { p50: number; max: number; firstPassToIntentsP50: number | null; moveBlockFirstPass: LiquidatorTimings | null } };
  return [
    `chain profile ${m.chain.profile}: ${m.chain.blockTimeMs / 1000} s blocks, ${m.chain.blockGasLimit.toLocaleString("en-US")} gas per block`,
    `accounts ${r.accounts}, liquidatable ${r.liquidatable}, scan ${r.scan_accounts_per_s} accounts/s`,
    `blocks to liquidation p50/p99 ${r.blocks_to_liquidation_p50}/${r.blocks_to_liquidation_p99}, detection blocks p50/p99 ${r.detection_blocks_p50}/${r.detection_blocks_p99}, missed ${r.missed}, duplicates ${r.duplicates}`,
    `liquidations per block ${m.liquidationsPerBlock.map((x) => `+${x.block}: ${x.count}`).join(", ")}`,
    `strategy loop per head after the move p50 ${m.strategyLoopMs.p50} ms, max ${m.strategyLoopMs.max} ms (lens confirmations included); first pass to its intents p50 ${m.strategyLoopMs.firstPassToIntentsP50} ms, at the move ${m.strategyLoopMs.moveBlockFirstPass?.totalMs} ms for ${m.strategyLoopMs.moveBlockFirstPass?.intents} intents`,
  ].join("\n");
}

async function main(): Promise<void> {
  const chain = chainProfile(process.env.BENCH_CHAIN);
  const results: Record<string, unknown> = await protocolBench(chain);
  console.log(JSON.stringify(results, null, 2));
  if (process.env.BENCH_SKIP_SERVICE !== "1") results.service = await serviceBench();
  killAll();
  removeTempDirs();
  const out = path.join(REPO_ROOT, "reports");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "keepers.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
  console.log(summary(results));
}

main().catch((err) => {
  console.error(err);
  killAll();
  process.exitCode = 1;
});
