import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { Interface } from "ethers";
import { deployProtocolFixture, ETH, wad, usdc, type ParameterOverrides } from "../../helpers/protocolFixture";
import { Chain } from "./chain";
import { now, msSince } from "./profile";
import { decodeSnapshot, type ChainState } from "./state";
import { BreakerModel } from "./breaker";
import { OracleModel } from "./oracle";
import type { QuoteParams } from "./math";

/**
 * The parameter file the campaign deploys with: deploy/parameters/test.json with the admin's execution delay at 0
 * (the model sends ADMIN's lift and unpause directly), a mock sequencer uptime feed (300 s grace period), one-day
 * heartbeats on the ETH and BTC sources, and the breaker's outflow limit at its maximum (never reached by the actors).
 */
export const FUZZ_PARAMETERS = path.join(__dirname, "..", "..", "..", "deploy", "parameters", "fuzz.json");

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
    feed: Interface;
    sequencer: Interface;
  };
  addr: {
    engine: string;
    market: string;
    vault: string;
    token: string;
    router: string;
    manager: string;
    lens: string;
    breaker: string;
    liquidation: string;
    /** The ETH price sources' mock Chainlink aggregators, in router order. */
    feeds: string[];
    /** The mock L2 sequencer uptime feed. */
    sequencer: string;
  };
  accounts: string[];
  admin: string;
  risk: string;
  guardian: string;
  series: SeriesTerms[];
  underlying: string;
  quoteParams: QuoteParams;
  marginParams: { initialShock: bigint; maintenanceShock: bigint; initialMinCharge: bigint; maintenanceMinCharge: bigint };
  maxSpotAge: bigint;
  /** The oracle (aggregators, sequencer feed, router configuration) at the base state, read from the chain. */
  oracleBase: OracleModel;
  /** The router's settlement timing (seconds). */
  settlementParams: { settlementDelay: bigint; disputeWindow: bigint; fallbackDelay: bigint };
  /** Calldata of `InvariantLens.snapshot`, with and without the costly probes (see `observe`). */
  lensCall: { full: string; light: string };
  /** The liquidation policy the campaign deploys (the model computes every liquidation from it). */
  liqParams: LiquidationParams;
  /** The breaker's state at the base snapshot (read from the chain, never assumed). */
  breakerBase: BreakerModel;
  baseSnapshot: string;
  /** `chain.sent` when `baseSnapshot` was taken (each transaction since consumed one snapshot id). */
  sentAtBase: number;
  baseState: ChainState;
  minted: bigint;
}

export const INITIAL_WALLET = usdc(2_000_000);


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

/** fuzz.json as a full override of test.json: what deploys is exactly the fuzz parameter file. */
function fuzzParameters(): ParameterOverrides {
  return JSON.parse(fs.readFileSync(FUZZ_PARAMETERS, "utf8")) as ParameterOverrides;
}

/**
 * Deploys the protocol as it ships, through the Ignition modules (`deployProtocolFixture`: deployProtocol with
 * deploy/parameters/fuzz.json, six ETH series listed by RISK, LP capital and trader collateral deposited), then lists
 * two series a further 30 days out, funds the insurance fund, tops every actor's wallet up to 2,000,000 and approves
 * the engine and the vault. The oracle is the real OracleRouter over three mock Chainlink aggregators and the mock
 * sequencer feed: the simulators publish rounds there and the oracle model (oracle.ts) predicts every reading. The
 * breaker model (breaker.ts) predicts every automatic trip.
 */
export async function buildWorld(): Promise<World> {
  const f = await deployProtocolFixture(fuzzParameters());
  const { ethers } = hre;
  const liqOnChain = await f.liquidation.params();
  for (const k of Object.keys(CAMPAIGN_LIQUIDATION_PARAMS) as (keyof LiquidationParams)[]) {
    if (BigInt(liqOnChain[k]) !== CAMPAIGN_LIQUIDATION_PARAMS[k]) throw new Error(`fuzz.json liquidation.${k} differs from the campaign's`);
  }
  await f.token.mint(f.admin.address, INSURANCE_FUNDING);
  await f.token.connect(f.admin).approve(await f.insurance.getAddress(), INSURANCE_FUNDING);
  await f.insurance.connect(f.admin).fund(INSURANCE_FUNDING);
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
  const lens = await ethers.deployContract("InvariantLens");
  const s = f.series;
  const ids = [s.call1800, s.call2000, s.call2200, s.put1800, s.put2000, s.put2200, callLong, putLong];
  const series: SeriesTerms[] = [];
  for (const id of ids) {
    const t = await f.engine.getSeries(id);
    series.push({ id, strike: t.strike, expiry: t.expiry, isCall: t.isCall });
  }
  if (!f.sequencer) throw new Error("fuzz.json must deploy a sequencer feed");
  const eth = f.oracle.ETH;
  const accounts = [...users.map((u) => u.address), vaultAddress, await f.insurance.getAddress()];
  const addr = {
    engine: engineAddress,
    market: await f.market.getAddress(),
    vault: vaultAddress,
    token: await f.token.getAddress(),
    router: await f.router.getAddress(),
    manager: await f.manager.getAddress(),
    lens: await lens.getAddress(),
    breaker: await f.breaker.getAddress(),
    liquidation: await f.liquidation.getAddress(),
    feeds: await Promise.all(eth.feeds.map((x) => x.getAddress())),
    sequencer: await f.sequencer.getAddress(),
  };
  const targets = {
    engine: addr.engine,
    market: addr.market,
    vault: addr.vault,
    breaker: addr.breaker,
    router: addr.router,
    liquidation: addr.liquidation,
    underlying: ETH,
  };
  // maxWithdraw/maxRedeem are read for the users only (the first USERS.length accounts): V-06 and V-07 check theirs.
  const lensCall = {
    full: lens.interface.encodeFunctionData("snapshot", [targets, accounts, USERS.length, ids, true]),
    light: lens.interface.encodeFunctionData("snapshot", [targets, accounts, USERS.length, ids, false]),
  };
  const ifaces = {
    engine: f.engine.interface as unknown as Interface,
    market: f.market.interface as unknown as Interface,
    vault: f.vault.interface as unknown as Interface,
    token: f.token.interface as unknown as Interface,
    router: f.router.interface as unknown as Interface,
    manager: f.manager.interface as unknown as Interface,
    breaker: f.breaker.interface as unknown as Interface,
    liquidation: f.liquidation.interface as unknown as Interface,
    feed: eth.feeds[0].interface as unknown as Interface,
    sequencer: f.sequencer.interface as unknown as Interface,
  };
  const extension = f.extension.interface as unknown as Interface;
  const core = f.engineCore.interface as unknown as Interface;
  const source = eth.sources[0].interface as unknown as Interface;
  const chain = new Chain([core, extension, ifaces.market, ifaces.vault, ifaces.token, ifaces.manager, ifaces.breaker, ifaces.liquidation, ifaces.router, source]);
  let minted = 0n;
  for (const a of accounts) minted += await f.token.balanceOf(a);
  minted += await f.token.balanceOf(engineAddress);

  // The oracle as deployed: each aggregator's latest round, the adapters' heartbeats and bounds, quorum, band, sequencer.
  const cfg = f.config.oracle.underlyings.find((u) => u.name === "ETH")!;
  const [, quorum, maxDeviationBps] = await f.router.getUnderlyingConfig(ETH);
  const sources = [];
  for (const [i, feed] of eth.feeds.entries()) {
    const [roundId, answer, , updatedAt] = await feed.latestRoundData();
    if (roundId >> 64n !== 1n) throw new Error("the oracle model assumes phase-1 aggregators");
    sources.push({
      decimals: await feed.decimals(),
      heartbeat: BigInt(eth.heartbeats[i]),
      minPriceWad: cfg.sources[i].minPriceWad,
      maxPriceWad: cfg.sources[i].maxPriceWad,
      rounds: [{ aggregatorRoundId: roundId & ((1n << 64n) - 1n), answer, updatedAt }],
    });
  }
  const [, seqAnswer, seqStartedAt] = await f.sequencer.latestRoundData();
  const [, grace] = await f.router.getSequencer();
  const oracleBase = new OracleModel(sources, Number(quorum), maxDeviationBps, { answer: seqAnswer, startedAt: seqStartedAt }, grace);
  const sp = await f.router.getSettlementParams();
  const qp = await f.market.quoteParams();
  const mp = await f.engine.marginParams();
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
    quoteParams: { spread: qp.spread, feeRate: qp.feeRate, feeCap: qp.feeCap, tradingCutoff: qp.tradingCutoff },
    marginParams: {
      initialShock: mp.initialShock,
      maintenanceShock: mp.maintenanceShock,
      initialMinCharge: mp.initialMinCharge,
      maintenanceMinCharge: mp.maintenanceMinCharge,
    },
    maxSpotAge: await f.vault.maxSpotAge(),
    oracleBase,
    settlementParams: { settlementDelay: sp.settlementDelay, disputeWindow: sp.disputeWindow, fallbackDelay: sp.fallbackDelay },
    lensCall,
    liqParams: { ...CAMPAIGN_LIQUIDATION_PARAMS },
    breakerBase: undefined as unknown as BreakerModel,
    baseSnapshot: "",
    sentAtBase: 0,
    baseState: undefined as unknown as ChainState,
    minted,
  };
  world.baseState = await observe(world, true);
  const b = world.baseState.breaker;
  world.breakerBase = new BreakerModel(b.market, b.global, b.paused, await f.breaker.cooldown());
  world.baseSnapshot = await chain.snapshot();
  world.sentAtBase = chain.sent;
  return world;
}

/**
 * One `InvariantLens.snapshot` eth_call: the whole protocol state after the latest block (balances, margin, shares,
 * positions, ERC-4626 figures, marks and quotes, liquidation stamps, both breaker scopes, the pause and the router's
 * spot reading), every value read through the contracts' own views in that block.
 */
export async function observe(world: World, full: boolean): Promise<ChainState> {
  const hex = await world.chain.read(world.addr.lens, full ? world.lensCall.full : world.lensCall.light);
  const t0 = now();
  const state = decodeSnapshot(hex, full);
  world.chain.profile.add("decode", msSince(t0));
  return state;
}

/** Back to the state right after `buildWorld` (a fresh snapshot is taken, since reverting consumes one). */
export async function resetWorld(world: World): Promise<void> {
  await world.chain.revert(world.baseSnapshot);
  world.baseSnapshot = await world.chain.snapshot();
  world.sentAtBase = world.chain.sent;
}

