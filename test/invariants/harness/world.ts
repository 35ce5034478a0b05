import hre from "hardhat";
import { Interface } from "ethers";
import { deployCoreFixture, ETH, wad, usdc, DEFAULT_QUOTE_PARAMS, DEFAULT_MARGIN_PARAMS } from "../../helpers/coreFixture";
import { Chain } from "./chain";
import { decodeSnapshot, type ChainState } from "./state";
import type { QuoteParams } from "./math";

/** Actor indexes into `World.accounts`; the vault's own account is last. */
export const LP = 0;
export const ALICE = 1;
export const BOB = 2;
export const ATTACKER = 3;
export const KEEPER = 4;
export const VAULT = 5;
export const ACTOR_NAMES = ["lp", "alice", "bob", "attacker", "keeper", "vault"];
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
  ifaces: { engine: Interface; market: Interface; vault: Interface; token: Interface; router: Interface; manager: Interface };
  addr: { engine: string; market: string; vault: string; token: string; router: string; manager: string; lens: string };
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
  lensCall: { full: string; light: string };
  baseSnapshot: string;
  baseState: ChainState;
  minted: bigint;
}

export const INITIAL_WALLET = usdc(2_000_000);

/** Deploys the core on the mock router, lists eight series on two expiries, funds and approves every actor. */
export async function buildWorld(): Promise<World> {
  // The model does not predict the breaker's automatic trips: the campaign runs behind a pass-through breaker, and
  // breaker gating is tested table-driven against the real one (audits/KNOWN_ISSUES.md, K-9).
  const f = await deployCoreFixture("passThrough");
  const { ethers } = hre;
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
  const accounts = [...users.map((u) => u.address), vaultAddress];
  const addr = {
    engine: engineAddress,
    market: await f.market.getAddress(),
    vault: vaultAddress,
    token: await f.token.getAddress(),
    router: await f.router.getAddress(),
    manager: await f.manager.getAddress(),
    lens: await lens.getAddress(),
  };
  const lensCall = {
    full: lens.interface.encodeFunctionData("snapshot", [addr.engine, addr.market, addr.vault, accounts, ids, true]),
    light: lens.interface.encodeFunctionData("snapshot", [addr.engine, addr.market, addr.vault, accounts, ids, false]),
  };
  const ifaces = {
    engine: f.engine.interface as unknown as Interface,
    market: f.market.interface as unknown as Interface,
    vault: f.vault.interface as unknown as Interface,
    token: f.token.interface as unknown as Interface,
    router: f.router.interface as unknown as Interface,
    manager: f.manager.interface as unknown as Interface,
  };
  const extension = (await ethers.getContractFactory("MarginEngineExtension")).interface as unknown as Interface;
  const core = (await ethers.getContractFactory("MarginEngine")).interface as unknown as Interface;
  const chain = new Chain([core, extension, ifaces.market, ifaces.vault, ifaces.token, ifaces.manager]);
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
    baseSnapshot: "",
    baseState: undefined as unknown as ChainState,
    minted,
  };
  world.baseState = await observe(world, true);
  world.baseSnapshot = await chain.snapshot();
  return world;
}

/** One lens call: the whole protocol state after the latest block. */
export async function observe(world: World, full: boolean): Promise<ChainState> {
  const hex = await world.chain.call(world.addr.lens, full ? world.lensCall.full : world.lensCall.light);
  return decodeSnapshot(hex, full);
}

/** Back to the state right after `buildWorld` (a fresh snapshot is taken, since reverting consumes one). */
export async function resetWorld(world: World): Promise<void> {
  await world.chain.revert(world.baseSnapshot);
  world.baseSnapshot = await world.chain.snapshot();
}
