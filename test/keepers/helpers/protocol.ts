/**
 * The Bulwark protocol on a test `hardhat node` over JSON-RPC (the keeper talks to it like to any chain).
 *
 * `deployProtocolViaCli` is the only way in: the real deployment path (`scripts/deploy.ts` → `deployProtocol` →
 * the Ignition modules) with deploy/parameters/local.json, as an operator runs it, record included. The e2e tests
 * and the benchmark use it (about 40 s on the shared 2-core machine).
 * Signers are the node's unlocked accounts: [0] deployer/admin, [1] risk, [2] guardian, [3] lp, [4] alice,
 * [5] bob, [6] carol.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runScript } from "../../helpers/cli";
import { REPO_ROOT, type HardhatNode } from "../../helpers/node";
import { ETH, usdc, wad } from "../../helpers/units";
import { MaxUint256, type JsonRpcProvider, type JsonRpcSigner } from "ethers";
import { connectDeployment, mockFeed, mockQuoteToken, type ConnectableRecord } from "../../../deploy/lib/connect";
import type {
  CircuitBreaker,
  LiquidationEngine,
  IMarginEngine,
  LiquidityVault,
  MockAggregator,
  MockQuoteToken,
  OptionMarket,
  OracleRouter,
} from "../../../typechain-types";

export { ETH, usdc, wad, WAD } from "../../helpers/units";

export interface NodeProtocol {
  provider: JsonRpcProvider;
  admin: JsonRpcSigner;
  risk: JsonRpcSigner;
  lp: JsonRpcSigner;
  traders: JsonRpcSigner[];
  token: MockQuoteToken;
  router: OracleRouter;
  feeds: MockAggregator[];
  /** Decimals of each feed. */
  feedDecimals: number[];
  settlement: { settlementDelay: number; disputeWindow: number };
  /** Breaker cooldown (seconds) and the router's heartbeat past which every ETH feed is stale. */
  cooldown: number;
  staleAfter: number;
  engine: IMarginEngine;
  market: OptionMarket;
  vault: LiquidityVault;
  breaker: CircuitBreaker;
  addresses: { router: string; engine: string; market: string; vault: string; breaker: string; token: string; liquidation: string; insuranceFund: string };
  liquidation: LiquidationEngine;
  /** Block the deployment started at (first block the keepers need to scan). */
  fromBlock: number;
  /** The deployment record `npm run deploy` wrote (moved to a temp directory), for `"deployment"` in keeper configs. */
  recordPath: string;
}

async function send(p: Promise<{ wait(): Promise<unknown> }>): Promise<void> {
  await (await p).wait();
}

export async function chainTime(provider: JsonRpcProvider): Promise<bigint> {
  return BigInt((await provider.getBlock("latest"))!.timestamp);
}

/** Pushes a fresh round at `price` (whole quote units) to every feed. */
export async function pushPrice(p: NodeProtocol, price: bigint): Promise<void> {
  for (let i = 0; i < p.feeds.length; i++) await send(p.feeds[i].connect(p.admin).pushRound(price * 10n ** BigInt(p.feedDecimals[i])));
}

/** Raw answer of `price` (whole quote units) in feed `i`'s decimals. */
export function answer(p: NodeProtocol, i: number, price: bigint): bigint {
  return price * 10n ** BigInt(p.feedDecimals[i]);
}

/**
 * Moves every feed to `price` in one block: interval mining and automine pause, every feed's round is sent, one block
 * is mined, then the node mines a block every `blockMs` again. Returns the number of the block that holds the move.
 */
export async function movePriceInOneBlock(
  node: Pick<HardhatNode, "setIntervalMining" | "setAutomine" | "mine">,
  provider: JsonRpcProvider,
  p: NodeProtocol,
  price: bigint,
  blockMs: number
): Promise<number> {
  await node.setIntervalMining(0);
  await node.setAutomine(false);
  for (let i = 0; i < p.feeds.length; i++) await p.feeds[i].connect(p.admin).pushRound(answer(p, i, price));
  await node.mine();
  const moveBlock = await provider.getBlockNumber();
  await node.setAutomine(true);
  await node.setIntervalMining(blockMs);
  return moveBlock;
}

const RECORD = path.join(REPO_ROOT, "deploy", "deployments", "localhost-31337.json");

/**
 * Deploys through `npm run deploy` (scripts/deploy.ts) with deploy/parameters/local.json, connects every contract
 * from the record the script writes, then funds an LP (1,000,000 in the vault) and three traders (100,000 of
 * collateral each). That record (deploy/deployments/localhost-31337.json) is moved into `recordDir`; a record
 * already there is put back.
 */
export async function deployProtocolViaCli(provider: JsonRpcProvider, url: string, recordDir: string): Promise<NodeProtocol> {
  const fromBlock = await provider.getBlockNumber();
  const previous = fs.existsSync(RECORD) ? fs.readFileSync(RECORD) : null;
  const r = await runScript("deploy.ts", ["--network", "localhost", "--parameters", "deploy/parameters/local.json"], { BULWARK_RPC_URL: url }, 300_000);
  const recordPath = path.join(recordDir, "localhost-31337.json");
  try {
    if (r.code === 0) fs.copyFileSync(RECORD, recordPath);
  } finally {
    if (previous) fs.writeFileSync(RECORD, previous);
    else fs.rmSync(RECORD, { force: true });
  }
  if (r.code !== 0) throw new Error(`deploy failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const record = JSON.parse(fs.readFileSync(recordPath, "utf8")) as ConnectableRecord;
  const [admin, risk, , lp, alice, bob, carol] = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => provider.getSigner(i)));
  const contracts = connectDeployment(record, admin);
  const feeds = ["mock:ETH-A", "mock:ETH-B", "mock:ETH-C"].map((n) => mockFeed(contracts, n));
  const token = mockQuoteToken(contracts);
  const addr = record.addresses;
  const p: NodeProtocol = {
    provider,
    admin,
    risk,
    lp,
    traders: [alice, bob, carol],
    token,
    router: contracts.router,
    feeds,
    feedDecimals: await Promise.all(feeds.map(async (f) => Number(await f.decimals()))),
    settlement: { settlementDelay: 300, disputeWindow: 3_600 },
    cooldown: 1_800,
    staleAfter: 86_400,
    engine: contracts.engine,
    market: contracts.market,
    vault: contracts.vault,
    breaker: contracts.breaker,
    addresses: {
      router: addr.router,
      engine: addr.engine,
      market: addr.market,
      vault: addr.vault,
      breaker: addr.breaker,
      token: await token.getAddress(),
      liquidation: addr.liquidation,
      insuranceFund: addr.insuranceFund,
    },
    liquidation: contracts.liquidation,
    fromBlock,
    recordPath,
  };
  const params = await p.router.getSettlementParams();
  p.settlement = { settlementDelay: Number(params.settlementDelay), disputeWindow: Number(params.disputeWindow) };
  p.cooldown = Number(await p.breaker.cooldown());
  await fund(p);
  return p;
}

async function fund(p: NodeProtocol): Promise<void> {
  await send(p.token.mint(p.lp.address, usdc(10_000_000)));
  await send(p.token.connect(p.lp).approve(p.addresses.vault, MaxUint256));
  await send(p.vault.connect(p.lp).deposit(usdc(1_000_000), p.lp.address));
  for (const t of p.traders) {
    await send(p.token.mint(t.address, usdc(1_000_000)));
    await send(p.token.connect(t).approve(p.addresses.engine, MaxUint256));
    await send(p.engine.connect(t).deposit(t.address, usdc(100_000)));
  }
}

/** Lists an ETH series expiring at `expiry` and returns its id. */
export async function listSeries(p: NodeProtocol, strike: number, expiry: bigint, isCall: boolean): Promise<bigint> {
  await send(p.market.connect(p.risk).listSeries(ETH, wad(strike), expiry, isCall, wad("0.8")));
  return p.engine.seriesCount();
}

/** `trader` buys (amount > 0) or sells (amount < 0) options against the vault. */
export async function trade(p: NodeProtocol, trader: JsonRpcSigner, seriesId: bigint, amount: bigint): Promise<void> {
  const deadline = (await chainTime(p.provider)) + 3_600n;
  await send(p.market.connect(trader).trade(seriesId, amount, amount > 0n ? usdc(1_000_000) : 0n, deadline));
}
