/**
 * Shared mocha hooks for keeper end-to-end files: one hardhat node per file (interval mining on, like a
 * real chain), keepers and proxies stopped after each test, everything killed after the file even if a
 * test failed.
 */
import type { JsonRpcProvider, Wallet } from "ethers";
import type { KeeperTargetMock } from "../../../typechain-types";
import { deployMock, fundedKey, providerFor } from "./chain";
import {
  ensureKeeperBuilt,
  KeeperRun,
  killKeeperChildren,
  removeTempDirs,
  tempDir,
  testConfig,
  TEST_KEY_ENV,
  writeConfig,
  type TestConfigOptions,
} from "./keeper";
import { HardhatNode } from "../../helpers/node";
import { killAll } from "../../helpers/processes";
import { FaultProxy } from "./proxy";

export const BLOCK_MS = 1_000;

export interface SuiteContext {
  node: HardhatNode;
  provider: JsonRpcProvider;
  runs: KeeperRun[];
  proxies: FaultProxy[];
}

export function keeperSuite(): SuiteContext {
  const ctx = { runs: [], proxies: [] } as unknown as SuiteContext;
  before(async function () {
    this.timeout(240_000);
    await ensureKeeperBuilt();
    ctx.node = await HardhatNode.start();
    ctx.provider = providerFor(ctx.node.url);
    await ctx.node.setIntervalMining(BLOCK_MS);
  });
  afterEach(async function () {
    this.timeout(60_000);
    for (const r of ctx.runs.splice(0)) await r.stop();
    killKeeperChildren();
    for (const p of ctx.proxies.splice(0)) await p.close();
    if (ctx.node) {
      await ctx.node.setAutomine(true);
      await ctx.node.setIntervalMining(BLOCK_MS);
    }
  });
  after(async () => {
    killKeeperChildren();
    ctx.provider?.destroy();
    ctx.node?.stop();
    killAll();
    removeTempDirs();
  });
  return ctx;
}

export interface StartedKeeper {
  run: KeeperRun;
  key: Wallet;
  dataDir: string;
  configPath: string;
  config: Record<string, unknown>;
}

export interface StartOptions extends Partial<Omit<TestConfigOptions, "target">> {
  target: string;
  key?: Wallet;
  command?: "start" | "dry-run";
  extraEnv?: Record<string, string>;
  /** Strategies to wait for (default: liquidator). */
  waitFor?: string[];
  /** Do not wait for readiness. */
  noWait?: boolean;
}

export async function startKeeper(ctx: SuiteContext, o: StartOptions): Promise<StartedKeeper> {
  const key = o.key ?? (await fundedKey(ctx.node));
  const dataDir = o.dataDir ?? tempDir("data");
  const config = testConfig({ rpcUrls: o.rpcUrls ?? [ctx.node.url], dataDir, target: o.target, keyEnv: o.keyEnv, patch: o.patch });
  const configPath = writeConfig(tempDir("cfg"), config);
  const run = KeeperRun.start(configPath, { [o.keyEnv ?? TEST_KEY_ENV]: key.privateKey, ...o.extraEnv }, o.command ?? "start");
  ctx.runs.push(run);
  if (!o.noWait) await run.waitReady(o.waitFor ?? ["liquidator"]);
  return { run, key, dataDir, configPath, config };
}

export async function newMock(ctx: SuiteContext): Promise<KeeperTargetMock> {
  return deployMock(ctx.provider);
}

export async function newProxy(ctx: SuiteContext): Promise<FaultProxy> {
  const p = await FaultProxy.start(ctx.node.url);
  ctx.proxies.push(p);
  return p;
}
