/**
 * The Bulwark protocol on a test `hardhat node` over JSON-RPC (the keeper talks to it like to any chain).
 *
 * - `deployProtocolViaCli`: the real deployment path (`scripts/deploy.ts` → `deployProtocol` → the Ignition
 *   modules) with deploy/parameters/local.json, as an operator runs it; the e2e tests use it.
 * - `deployProtocolOnNode`: the same contracts from their typechain factories, without Ignition (seconds
 *   instead of tens of seconds); the benchmark uses it and raises the exposure caps for its population.
 * Signers are the node's unlocked accounts: [0] deployer/admin, [1] risk, [2] guardian, [3] lp, [4] alice,
 * [5] bob, [6] carol.
 */
import { runScript } from "../../helpers/cli";
import { encodeBytes32String, MaxUint256, parseUnits, type JsonRpcProvider, type JsonRpcSigner } from "ethers";
import {
  AccessManager__factory,
  ChainlinkPriceSource__factory,
  CircuitBreaker__factory,
  LiquidityVault__factory,
  MarginEngineExtension__factory,
  MarginEngine__factory,
  MockAggregator__factory,
  MockQuoteToken__factory,
  OptionMarket__factory,
  OracleRouter__factory,
  IMarginEngine__factory,
  type CircuitBreaker,
  type IMarginEngine,
  type LiquidityVault,
  type MockAggregator,
  type MockQuoteToken,
  type OptionMarket,
  type OracleRouter,
} from "../../../typechain-types";

export const ETH = encodeBytes32String("ETH");
export const WAD = 10n ** 18n;
export const usdc = (v: number | string) => parseUnits(String(v), 6);
export const wad = (v: number | string) => parseUnits(String(v), 18);

export const SETTLEMENT = { settlementDelay: 60, disputeWindow: 600, disputeBandBps: 500, fallbackDelay: 3 * 86_400 };
export const HEARTBEAT = 3_600;
export const COOLDOWN = 300;

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
  addresses: { router: string; engine: string; market: string; vault: string; breaker: string; token: string };
  /** Block the deployment started at (first block the keepers need to scan). */
  fromBlock: number;
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
 * Deploys through `npm run deploy` (scripts/deploy.ts, no record file) with deploy/parameters/local.json,
 * then funds an LP (1,000,000 in the vault) and three traders (100,000 of collateral each).
 */
export async function deployProtocolViaCli(provider: JsonRpcProvider, url: string): Promise<NodeProtocol> {
  const fromBlock = await provider.getBlockNumber();
  const r = await runScript("deploy.ts", ["--network", "localhost", "--parameters", "deploy/parameters/local.json", "--no-record"], { BULWARK_RPC_URL: url }, 300_000);
  if (r.code !== 0) throw new Error(`deploy failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  const addr: Record<string, string> = {};
  for (const m of r.stdout.matchAll(/^\s+(\S+)\s+(0x[0-9a-fA-F]{40})$/gm)) addr[m[1]] = m[2];
  for (const name of ["router", "engine", "market", "vault", "breaker", "mock:USDC", "mock:ETH-A", "mock:ETH-B", "mock:ETH-C"]) {
    if (!addr[name]) throw new Error(`deploy output has no address for ${name}:\n${r.stdout}`);
  }
  const [admin, risk, , lp, alice, bob, carol] = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => provider.getSigner(i)));
  const feeds = ["mock:ETH-A", "mock:ETH-B", "mock:ETH-C"].map((n) => MockAggregator__factory.connect(addr[n], admin));
  const p: NodeProtocol = {
    provider,
    admin,
    risk,
    lp,
    traders: [alice, bob, carol],
    token: MockQuoteToken__factory.connect(addr["mock:USDC"], admin),
    router: OracleRouter__factory.connect(addr.router, admin),
    feeds,
    feedDecimals: await Promise.all(feeds.map(async (f) => Number(await f.decimals()))),
    settlement: { settlementDelay: 300, disputeWindow: 3_600 },
    cooldown: 1_800,
    staleAfter: 86_400,
    engine: IMarginEngine__factory.connect(addr.engine, admin),
    market: OptionMarket__factory.connect(addr.market, admin),
    vault: LiquidityVault__factory.connect(addr.vault, admin),
    breaker: CircuitBreaker__factory.connect(addr.breaker, admin),
    addresses: { router: addr.router, engine: addr.engine, market: addr.market, vault: addr.vault, breaker: addr.breaker, token: addr["mock:USDC"] },
    fromBlock,
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

export async function deployProtocolOnNode(provider: JsonRpcProvider): Promise<NodeProtocol> {
  const fromBlock = await provider.getBlockNumber();
  const [admin, risk, guardian, lp, alice, bob, carol] = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => provider.getSigner(i)));
  const manager = await new AccessManager__factory(admin).deploy(admin.address);
  await manager.waitForDeployment();
  const managerAddress = await manager.getAddress();
  await send(manager.grantRole(1n, risk.address, 0));
  await send(manager.grantRole(2n, guardian.address, 0));

  const router = await new OracleRouter__factory(admin).deploy(managerAddress, "0x0000000000000000000000000000000000000000", 3_600, SETTLEMENT);
  await router.waitForDeployment();
  const routerAddress = await router.getAddress();
  const feeds: MockAggregator[] = [];
  const sources: string[] = [];
  for (const answer of [2000n, 2001n, 1999n]) {
    const feed = await new MockAggregator__factory(admin).deploy(8, answer * 10n ** 8n);
    await feed.waitForDeployment();
    const source = await new ChainlinkPriceSource__factory(admin).deploy(await feed.getAddress(), HEARTBEAT, WAD, 10n ** 24n, 100_000);
    await source.waitForDeployment();
    feeds.push(feed);
    sources.push(await source.getAddress());
  }
  await send(router.addUnderlying(ETH, sources, 200));

  const token = await new MockQuoteToken__factory(admin).deploy();
  await token.waitForDeployment();
  const tokenAddress = await token.getAddress();
  // The engine takes the breaker as an immutable: the breaker comes first.
  const breaker = await new CircuitBreaker__factory(admin).deploy(managerAddress, routerAddress, 6, usdc(1_000_000), 86_400, wad("0.9"), COOLDOWN);
  await breaker.waitForDeployment();
  await send(breaker.connect(admin).addMarket(ETH, 1_000, 3_600));
  const breakerAddress = await breaker.getAddress();
  const extension = await new MarginEngineExtension__factory(admin).deploy(tokenAddress, routerAddress, managerAddress);
  await extension.waitForDeployment();
  const margin = { initialShock: wad("0.2"), maintenanceShock: wad("0.12"), initialMinCharge: wad("0.1"), maintenanceMinCharge: wad("0.06") };
  const engineCore = await new MarginEngine__factory(admin).deploy(tokenAddress, routerAddress, await extension.getAddress(), managerAddress, margin, 0n, breakerAddress);
  await engineCore.waitForDeployment();
  const engineAddress = await engineCore.getAddress();
  const engine = IMarginEngine__factory.connect(engineAddress, admin);
  const market = await new OptionMarket__factory(admin).deploy(engineAddress, managerAddress, { spread: wad("0.02"), feeRate: wad("0.0003"), feeCap: wad("0.125"), tradingCutoff: 3_600n });
  await market.waitForDeployment();
  const vault = await new LiquidityVault__factory(admin).deploy(engineAddress, managerAddress, "Bulwark LP", "bLP", 3_600n);
  await vault.waitForDeployment();
  const marketAddress = await market.getAddress();
  const vaultAddress = await vault.getAddress();

  const sel = (c: { interface: { getFunction(n: string): { selector: string } | null } }, names: string[]) => names.map((n) => c.interface.getFunction(n)!.selector);
  await send(manager.setTargetFunctionRole(engineAddress, sel(engine, ["addUnderlying", "setMarginParams", "setRiskFreeRate"]), 1n));
  await send(manager.setTargetFunctionRole(marketAddress, sel(market, ["listSeries", "setImpliedVol", "setQuoteParams", "setExposureCaps"]), 1n));
  await send(manager.setTargetFunctionRole(breakerAddress, sel(breaker, ["checkAction", "recordOutflow", "recordInflow"]), 3n));
  for (const gated of [engineAddress, marketAddress, vaultAddress]) await send(manager.grantRole(3n, gated, 0));
  await send(engine.connect(admin).wire(marketAddress, vaultAddress));
  await send(engine.connect(risk).addUnderlying(ETH));
  await send(market.connect(risk).setExposureCaps(ETH, { maxNetDelta: wad(1_000), maxNetVega: wad(10_000_000), maxOpenInterest: wad(1_000) }));


  const p: NodeProtocol = {
    provider,
    admin,
    risk,
    lp,
    traders: [alice, bob, carol],
    token,
    router,
    feeds,
    engine,
    market,
    vault,
    breaker,
    addresses: { router: routerAddress, engine: engineAddress, market: marketAddress, vault: vaultAddress, breaker: await breaker.getAddress(), token: tokenAddress },
    fromBlock,
    feedDecimals: [8, 8, 8],
    settlement: { settlementDelay: SETTLEMENT.settlementDelay, disputeWindow: SETTLEMENT.disputeWindow },
    cooldown: COOLDOWN,
    staleAfter: HEARTBEAT,
  };
  await fund(p);
  return p;
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
