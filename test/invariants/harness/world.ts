import hre from "hardhat";
import { Interface } from "ethers";
import { deployCoreFixture, ETH, ROLE, wad, usdc, DEFAULT_QUOTE_PARAMS, DEFAULT_MARGIN_PARAMS } from "../../helpers/coreFixture";
import { Chain } from "./chain";
import { decodeSnapshot, type ChainState } from "./state";
import { BreakerModel, decodeScope } from "./breaker";
import type { QuoteParams } from "./math";

/** Actor indexes into `World.accounts`; the vault's own account is last. */
export const LP = 0;
export const ALICE = 1;
export const BOB = 2;
export const ATTACKER = 3;
export const KEEPER = 4;
export const VAULT = 5;
/** The insurance fund's engine account (collateral only: it never trades). */
export const INSURANCE = 6;
export const ACTOR_NAMES = ["lp", "alice", "bob", "attacker", "keeper", "vault", "insurance"];
/** Actors that sign user transactions. */
export const USERS = [LP, ALICE, BOB, ATTACKER, KEEPER];

export interface SeriesTerms {
  id: bigint;
  strike: bigint;
  expiry: bigint;
  isCall: boolean;
}

/** Everything deployed once per process; each run starts from `baseSnapshot`. */
export interface World {
  chain: Chain;
  ifaces: {
    engine: Interface;
    market: Interface;
    vault: Interface;
    token: Interface;
    router: Interface;
    manager: Interface;
    breaker: Interface;
    liquidation: Interface;
  };
  addr: { engine: string; market: string; vault: string; token: string; router: string; manager: string; lens: string; breaker: string; liquidation: string };
  accounts: string[];
  admin: string;
  risk: string;
  guardian: string;
  series: SeriesTerms[];
  underlying: string;
  quoteParams: QuoteParams;
  marginParams: { initialShock: bigint; maintenanceShock: bigint; initialMinCharge: bigint; maintenanceMinCharge: bigint };
  maxSpotAge: bigint;
  /** The router's spot timestamp at the base state (the fixture set it during deployment, blocks before). */
  spotUpdatedAt: bigint;
  lensCall: { full: string; light: string; scopeMarket: string; scopeGlobal: string; paused: string };
  /** The liquidation policy the campaign deploys (the model computes every liquidation from it). */
  liqParams: LiquidationParams;
  /** The breaker's state at the base snapshot (read from the chain, never assumed). */
  breakerBase: BreakerModel;
  baseSnapshot: string;
  baseState: ChainState;
  minted: bigint;
}

export const INITIAL_WALLET = usdc(2_000_000);

/** Outflow limit of the campaign's breaker: the bound's maximum (10^10 quote units), never reached by the actors. */
export const CAMPAIGN_OUTFLOW_LIMIT = usdc(10_000_000_000);

export interface LiquidationParams {
  closeFactor: bigint;
  dustAmount: bigint;
  penaltyRate: bigint;
  baseFeeRate: bigint;
  feeSlopePerSecond: bigint;
  maxFeeRate: bigint;
  insuranceShare: bigint;
  maxSpotAge: bigint;
}

/** Liquidation policy of the campaign: half a short per call, dust 0.5 options, 2% penalty, fee 0.5% -> 2%. */
export const CAMPAIGN_LIQUIDATION_PARAMS: LiquidationParams = {
  closeFactor: wad("0.5"),
  dustAmount: wad("0.5"),
  penaltyRate: wad("0.02"),
  baseFeeRate: wad("0.005"),
  feeSlopePerSecond: 10n ** 12n,
  maxFeeRate: wad("0.02"),
  insuranceShare: wad("0.5"),
  maxSpotAge: 3600n,
};
/** Quote units the insurance fund starts with. */
export const INSURANCE_FUNDING = usdc(1_000);

/**
 * Deploys the core on the mock router behind the real CircuitBreaker (price-move limit 50% over a one-hour window,
 * cooldown one hour, utilisation cap 100%, outflow limit at its maximum so that it never binds), lists eight series on
 * two expiries, funds and approves every actor. The breaker model (breaker.ts) predicts every automatic trip.
 */
export async function buildWorld(): Promise<World> {
  const f = await deployCoreFixture("real");
  const { ethers } = hre;
  await f.breaker.connect(f.risk).setOutflowParams(CAMPAIGN_OUTFLOW_LIMIT, 86_400);
  // The liquidation layer over the same breaker: insurance fund, liquidation engine, roles, one-shot wiring.
  const managerAddress = await f.manager.getAddress();
  const insurance = await ethers.deployContract("InsuranceFund", [await f.engine.getAddress(), managerAddress]);
  const liquidation = await ethers.deployContract("LiquidationEngine", [
    await f.engine.getAddress(),
    await f.breaker.getAddress(),
    managerAddress,
    CAMPAIGN_LIQUIDATION_PARAMS,
  ]);
  const sel = (c: { interface: Interface }, n: string) => c.interface.getFunction(n)!.selector;
  const engineIface = f.engine.interface as unknown as Interface;
  await f.manager.setTargetFunctionRole(await f.engine.getAddress(), [sel({ interface: engineIface }, "wireLiquidation")], ROLE.ADMIN);
  await f.manager.setTargetFunctionRole(await liquidation.getAddress(), [sel(liquidation as unknown as { interface: Interface }, "setParams")], ROLE.RISK);
  await f.manager.setTargetFunctionRole(await insurance.getAddress(), [sel(insurance as unknown as { interface: Interface }, "withdraw")], ROLE.ADMIN);
  await f.manager.grantRole(ROLE.GATED, await liquidation.getAddress(), 0);
  await f.engine.connect(f.admin).wireLiquidation(await liquidation.getAddress(), await insurance.getAddress());
  await f.token.mint(f.admin.address, INSURANCE_FUNDING);
  await f.token.connect(f.admin).approve(await insurance.getAddress(), INSURANCE_FUNDING);
  await insurance.connect(f.admin).fund(INSURANCE_FUNDING);
  const expiryLong = f.expiry + 30n * 86_400n;
  await f.market.connect(f.risk).listSeries(ETH, wad(2000), expiryLong, true, wad("0.8"));
  const callLong = await f.engine.seriesCount();
  await f.market.connect(f.risk).listSeries(ETH, wad(2000), expiryLong, false, wad("0.8"));
  const putLong = await f.engine.seriesCount();

  const vaultAddress = await f.vault.getAddress();
  const engineAddress = await f.engine.getAddress();
  const users = [f.lp, f.alice, f.bob, f.carol, f.keeper];
  for (const u of users) {
    const balance = await f.token.balanceOf(u.address);
    if (balance < INITIAL_WALLET) await f.token.mint(u.address, INITIAL_WALLET - balance);
    await f.token.connect(u).approve(engineAddress, ethers.MaxUint256);
    await f.token.connect(u).approve(vaultAddress, ethers.MaxUint256);
  }
  const lens = await ethers.deployContract("ProtocolLens");
  const s = f.series;
  const ids = [s.call1800, s.call2000, s.call2200, s.put1800, s.put2000, s.put2200, callLong, putLong];
  const series: SeriesTerms[] = [];
  for (const id of ids) {
    const t = await f.engine.getSeries(id);
    series.push({ id, strike: t.strike, expiry: t.expiry, isCall: t.isCall });
  }
  const accounts = [...users.map((u) => u.address), vaultAddress, await insurance.getAddress()];
  const addr = {
    engine: engineAddress,
    market: await f.market.getAddress(),
    vault: vaultAddress,
    token: await f.token.getAddress(),
    router: await f.router.getAddress(),
    manager: await f.manager.getAddress(),
    lens: await lens.getAddress(),
    breaker: await f.breaker.getAddress(),
    liquidation: await liquidation.getAddress(),
  };
  const lensCall = {
    full: lens.interface.encodeFunctionData("snapshot", [addr.engine, addr.market, addr.vault, accounts, ids, true]),
    light: lens.interface.encodeFunctionData("snapshot", [addr.engine, addr.market, addr.vault, accounts, ids, false]),
    scopeMarket: f.breaker.interface.encodeFunctionData("scopeState", [ETH]),
    scopeGlobal: f.breaker.interface.encodeFunctionData("scopeState", [ethers.ZeroHash]),
    paused: f.breaker.interface.encodeFunctionData("paused"),
  };
  const ifaces = {
    engine: f.engine.interface as unknown as Interface,
    market: f.market.interface as unknown as Interface,
    vault: f.vault.interface as unknown as Interface,
    token: f.token.interface as unknown as Interface,
    router: f.router.interface as unknown as Interface,
    manager: f.manager.interface as unknown as Interface,
    breaker: f.breaker.interface as unknown as Interface,
    liquidation: liquidation.interface as unknown as Interface,
  };
  const extension = (await ethers.getContractFactory("MarginEngineExtension")).interface as unknown as Interface;
  const core = (await ethers.getContractFactory("MarginEngine")).interface as unknown as Interface;
  const chain = new Chain([core, extension, ifaces.market, ifaces.vault, ifaces.token, ifaces.manager, ifaces.breaker, ifaces.liquidation]);
  let minted = 0n;
  for (const a of accounts) minted += await f.token.balanceOf(a);
  minted += await f.token.balanceOf(engineAddress);
  const world: World = {
    chain,
    ifaces,
    addr,
    accounts,
    admin: f.admin.address,
    risk: f.risk.address,
    guardian: f.guardian.address,
    series,
    underlying: ETH,
    quoteParams: {
      spread: DEFAULT_QUOTE_PARAMS.spread,
      feeRate: DEFAULT_QUOTE_PARAMS.feeRate,
      feeCap: DEFAULT_QUOTE_PARAMS.feeCap,
      tradingCutoff: DEFAULT_QUOTE_PARAMS.tradingCutoff,
    },
    marginParams: { ...DEFAULT_MARGIN_PARAMS },
    maxSpotAge: await f.vault.maxSpotAge(),
    spotUpdatedAt: (await f.router.getSpot(ETH)).updatedAt,
    lensCall,
    liqParams: { ...CAMPAIGN_LIQUIDATION_PARAMS },
    breakerBase: undefined as unknown as BreakerModel,
    baseSnapshot: "",
    baseState: undefined as unknown as ChainState,
    minted,
  };
  world.baseState = await observe(world, true);
  const b = world.baseState.breaker;
  world.breakerBase = new BreakerModel(b.market, b.global, b.paused, await f.breaker.cooldown());
  world.baseSnapshot = await chain.snapshot();
  return world;
}

/** One lens call and three breaker reads: the whole protocol state after the latest block. */
export async function observe(world: World, full: boolean): Promise<ChainState> {
  const c = world.chain;
  // Sequential: the in-process network serves one request at a time anyway, and the bench's profile adds them up.
  const hex = await c.call(world.addr.lens, full ? world.lensCall.full : world.lensCall.light);
  const m = await c.call(world.addr.breaker, world.lensCall.scopeMarket);
  const g = await c.call(world.addr.breaker, world.lensCall.scopeGlobal);
  const p = await c.call(world.addr.breaker, world.lensCall.paused);
  const state = decodeSnapshot(hex, full);
  const market = decodeScope(m);
  const global = decodeScope(g);
  state.breaker = {
    market: market.scope,
    global: global.scope,
    levels: [market.globalLevel, global.globalLevel],
    paused: BigInt(p) === 1n,
  };
  return state;
}

/** Back to the state right after `buildWorld` (a fresh snapshot is taken, since reverting consumes one). */
export async function resetWorld(world: World): Promise<void> {
  await world.chain.revert(world.baseSnapshot);
  world.baseSnapshot = await world.chain.snapshot();
}
