/**
 * The Bulwark protocol deployed on a test `hardhat node` over JSON-RPC (the keeper talks to it like to any
 * chain): AccessManager, OracleRouter over three mock Chainlink feeds, MarginEngine (+ extension),
 * OptionMarket, LiquidityVault and a CircuitBreaker watching the router. Mirrors test/helpers/coreFixture.ts
 * with the real router; main has no Ignition module for the core yet, so `deployProtocol` cannot deploy it.
 * Signers are the node's unlocked accounts: [0] admin, [1] risk, [2] guardian, [3] lp, [4] alice, [5] bob,
 * [6] carol.
 */
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
  for (const f of p.feeds) await send(f.connect(p.admin).pushRound(price * 10n ** 8n));
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
  const extension = await new MarginEngineExtension__factory(admin).deploy(tokenAddress, routerAddress, managerAddress);
  await extension.waitForDeployment();
  const margin = { initialShock: wad("0.2"), maintenanceShock: wad("0.12"), initialMinCharge: wad("0.1"), maintenanceMinCharge: wad("0.06") };
  const engineCore = await new MarginEngine__factory(admin).deploy(tokenAddress, routerAddress, await extension.getAddress(), managerAddress, margin, 0n);
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
  await send(engine.connect(admin).wire(marketAddress, vaultAddress));
  await send(engine.connect(risk).addUnderlying(ETH));
  await send(market.connect(risk).setExposureCaps(ETH, { maxNetDelta: wad(1_000), maxNetVega: wad(10_000_000), maxOpenInterest: wad(1_000) }));

  const breaker = await new CircuitBreaker__factory(admin).deploy(managerAddress, routerAddress, 6, usdc(1_000_000), 86_400, wad("0.9"), COOLDOWN);
  await breaker.waitForDeployment();
  await send(breaker.connect(admin).addMarket(ETH, 1_000, 3_600));

  await send(token.mint(lp.address, usdc(10_000_000)));
  await send(token.connect(lp).approve(vaultAddress, MaxUint256));
  await send(vault.connect(lp).deposit(usdc(1_000_000), lp.address));
  for (const t of [alice, bob, carol]) {
    await send(token.mint(t.address, usdc(1_000_000)));
    await send(token.connect(t).approve(engineAddress, MaxUint256));
    await send(engine.connect(t).deposit(t.address, usdc(100_000)));
  }
  return {
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
  };
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
