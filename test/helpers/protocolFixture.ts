/**
 * The integration fixture: the protocol exactly as `deployProtocol` ships it (the Ignition modules of deploy/, fed
 * deploy/parameters/test.json and the local mocks that file asks for), then typed contracts on the recorded
 * addresses, the role holders, funded traders and LPs, six listed ETH series, and helpers that move the chain the
 * way the real world would: prices through the mock Chainlink aggregators, the sequencer through its uptime feed,
 * time through the node.
 *
 * Wrap every fixture in `loadFixture` so the Ignition deployment runs once per test file. Fixture functions must be
 * stable references: build them once at module level (`protocolFixture(overrides)` returns a cached one).
 *
 * Signers: [0] deployer, [1] risk, [2] guardian, [3] lp, [4] alice, [5] bob, [6] carol, [7] keeper, [8] admin
 * (ADMIN and ADMIN_OPS with the file's two-day execution delay; the deployer renounced ADMIN), [9] outsider,
 * [10..19] free for scenarios.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { connectDeployment, mockQuoteToken, type CoreContracts, type DeploymentContracts } from "../../deploy/lib/connect";
import { deployProtocol, type DeploymentRecord } from "../../deploy/lib/deployProtocol";
import type { ResolvedConfig } from "../../deploy/lib/resolved";
import {
  ChainlinkPriceSource__factory,
  MockAggregator__factory,
  type AccessManager,
  type ChainlinkPriceSource,
  type InsuranceFund,
  type MockAggregator,
  type MockQuoteToken,
  type MockSequencerUptimeFeed,
} from "../../typechain-types";
import { fundActors, listStandardSeries, type StandardActors, type StandardSeries } from "./standardMarket";
import { now, warpTo } from "./time";
import { ETH, WAD } from "./units";

export { BTC, ETH, options, usdc, wad, WAD } from "./units";
export { DEFAULT_VOL, ETH_SPOT, LP_DEPOSIT, TRADER_DEPOSIT } from "./standardMarket";
export { now, warpTo } from "./time";

/** The parameter file the integration suites deploy with. */
export const TEST_PARAMETERS = path.join(__dirname, "..", "..", "deploy", "parameters", "test.json");

/** A trade deadline far in the future. */
export const DEADLINE = 2n ** 64n;
/** A premium limit no buy reaches. */
export const MAX_PREMIUM = 2n ** 128n;

/** `ICircuitBreaker.Mode`. */
export const Mode = { ACTIVE: 0n, REDUCE_ONLY: 1n, HALTED: 2n } as const;
/** `IOracleRouter.Status`. */
export const Status = { OK: 0n, DEGRADED: 1n, FAILED: 2n } as const;

/**
 * Changes to the test parameter file, merged section by section (objects merge, `undefined` removes a key,
 * everything else replaces), e.g. `{ breaker: { markets: { ETH: { moveLimitBps: 1000 } } } }`.
 */
export type ParameterOverrides = { [key: string]: unknown };

/** An underlying's price sources: the router's adapters and the mock aggregators behind them, in router order. */
export interface UnderlyingFeeds {
  feeds: MockAggregator[];
  sources: ChainlinkPriceSource[];
  /** Heartbeat of each source (seconds). */
  heartbeats: number[];
}

/** `admin` holds ADMIN and ADMIN_OPS with the configured execution delay (the deployer renounced ADMIN). */
export interface ProtocolFixture extends CoreContracts, Pick<DeploymentContracts, "router" | "liquidation" | "automation">, StandardActors {
  record: DeploymentRecord;
  config: ResolvedConfig;
  manager: AccessManager;
  insurance: InsuranceFund;
  token: MockQuoteToken;
  /** Price sources by underlying name ("ETH", "BTC"). */
  oracle: Record<string, UnderlyingFeeds>;
  /** The mock uptime feed, when the parameters ask for a sequencer. */
  sequencer?: MockSequencerUptimeFeed;
  deployer: HardhatEthersSigner;
  /** Holds no role and no funds. */
  outsider: HardhatEthersSigner;
  /** Expiry of the listed series (30 days after deployment). */
  expiry: bigint;
  /** Listed ETH series ids by name. */
  series: StandardSeries;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/*                                                   PARAMETERS                                                     */
/* ---------------------------------------------------------------------------------------------------------------- */

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function merge(base: unknown, changes: unknown): unknown {
  if (!isObject(base) || !isObject(changes)) return changes;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else out[k] = merge(base[k], v);
  }
  return out;
}

/** The test parameter document with `overrides` merged in. */
export function testParameters(overrides: ParameterOverrides = {}): unknown {
  return merge(JSON.parse(fs.readFileSync(TEST_PARAMETERS, "utf8")), overrides);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/*                                                   DEPLOYMENT                                                     */
/* ---------------------------------------------------------------------------------------------------------------- */

async function attach(record: DeploymentRecord): Promise<Omit<ProtocolFixture, "expiry" | "series">> {
  const signers = await hre.ethers.getSigners();
  const [deployer, , , lp, alice, bob, carol, keeper] = signers;
  const config = record.resolved;
  const bySigner = (address: string) => {
    const s = signers.find((x) => x.address.toLowerCase() === address.toLowerCase());
    if (!s) throw new Error(`role holder ${address} is not a local signer`);
    return s;
  };
  const contracts = connectDeployment(record, deployer);
  const { router } = contracts;
  const oracle: Record<string, UnderlyingFeeds> = {};
  for (const u of config.oracle.underlyings) {
    const [sources] = await router.getUnderlyingConfig(u.id);
    oracle[u.name] = {
      feeds: u.sources.map((s) => MockAggregator__factory.connect(s.feed, deployer)),
      sources: sources.map((s) => ChainlinkPriceSource__factory.connect(s, deployer)),
      heartbeats: u.sources.map((s) => s.heartbeat),
    };
  }
  return {
    record,
    config,
    manager: contracts.accessManager,
    router,
    engine: contracts.engine,
    engineCore: contracts.engineCore,
    extension: contracts.extension,
    market: contracts.market,
    vault: contracts.vault,
    breaker: contracts.breaker,
    liquidation: contracts.liquidation,
    insurance: contracts.insuranceFund,
    automation: contracts.automation,
    token: mockQuoteToken(contracts),
    oracle,
    sequencer: contracts.mocks.sequencer ?? undefined,
    deployer,
    admin: bySigner(config.roles.admin),
    risk: bySigner(config.roles.risk),
    guardian: bySigner(config.roles.guardian),
    lp,
    alice,
    bob,
    carol,
    keeper,
    outsider: signers[9],
  };
}

let pollingPatched = false;

/**
 * Ignition waits for each batch's block by polling the node, once a second by default; the in-process network mines
 * every transaction at once, so a fixture deployment would spend most of its time asleep. On that network only,
 * every Ignition deployment polls every few milliseconds instead. What is deployed does not change.
 */
function pollIgnitionFast(): void {
  if (pollingPatched || hre.network.name !== "hardhat") return;
  type Deploy = (module: unknown, options?: { config?: Record<string, unknown> }) => Promise<unknown>;
  const ignition = hre.ignition as unknown as { deploy: Deploy };
  const original: Deploy = ignition.deploy.bind(ignition);
  ignition.deploy = (module, options = {}) =>
    original(module, { ...options, config: { blockPollingInterval: 5, ...options.config } });
  pollingPatched = true;
}

/**
 * Deploys the protocol through `deployProtocol` with deploy/parameters/test.json (plus `overrides`), then, through
 * the ordinary entry points: RISK lists six ETH series 30 days out; `lp` deposits 1,000,000 into the vault; alice,
 * bob and carol each deposit 100,000 of collateral (each holds 900,000 more and has approved the engine).
 */
export async function deployProtocolFixture(overrides: ParameterOverrides = {}): Promise<ProtocolFixture> {
  pollIgnitionFast();
  const record = await deployProtocol(hre, { parameters: testParameters(overrides), writeRecord: false });
  const base = await attach(record);
  const f: ProtocolFixture = { ...base, ...(await listStandardSeries(base)) };
  await fundActors(f);
  return f;
}

const cached = new Map<string, () => Promise<ProtocolFixture>>();

/**
 * A stable fixture function for `loadFixture` (one per distinct `overrides`), so each test file deploys once per
 * parameter set: `loadFixture(protocolFixture())`.
 */
export function protocolFixture(overrides: ParameterOverrides = {}): () => Promise<ProtocolFixture> {
  const key = JSON.stringify(overrides, (_k, v: unknown) => (v === undefined ? "<removed>" : v));
  let fn = cached.get(key);
  if (!fn) {
    fn = () => deployProtocolFixture(overrides);
    Object.defineProperty(fn, "name", { value: `protocolFixture(${key})` });
    cached.set(key, fn);
  }
  return fn;
}

/**
 * A fresh account outside the fixture's signer list (for scenarios that need more than Hardhat's twenty), derived
 * from `label`, holding 100 ETH for gas.
 */
export async function extraAccount(label: string): Promise<HardhatEthersSigner> {
  const address = hre.ethers.getAddress(hre.ethers.dataSlice(hre.ethers.id(`bulwark-test:${label}`), 12));
  await hre.network.provider.send("hardhat_setBalance", [address, "0x56BC75E2D63100000"]);
  return hre.ethers.getImpersonatedSigner(address);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/*                                                     PRICES                                                       */
/* ---------------------------------------------------------------------------------------------------------------- */

type Priced = Pick<ProtocolFixture, "oracle">;

function feedsOf(f: Priced, underlying: string): UnderlyingFeeds {
  const name = underlying.startsWith("0x") ? hre.ethers.decodeBytes32String(underlying) : underlying;
  const feeds = f.oracle[name];
  if (!feeds) throw new Error(`no price sources for ${name}`);
  return feeds;
}

/** `price` (WAD) in the feed's own decimals. */
async function toFeedUnits(feed: MockAggregator, price: bigint): Promise<bigint> {
  return (price * 10n ** (await feed.decimals())) / WAD;
}

/** Every source of `underlying` publishes a fresh round at `price` (WAD): the router's median becomes `price`. */
export async function setSpot(f: Priced, price: bigint, underlying = ETH): Promise<void> {
  for (const feed of feedsOf(f, underlying).feeds) await feed.pushRound(await toFeedUnits(feed, price));
}

/** Source `i` of `underlying` publishes a fresh round at `prices[i]` (WAD); `null` leaves that source untouched. */
export async function setSourcePrices(f: Priced, prices: readonly (bigint | null)[], underlying = ETH): Promise<void> {
  const { feeds } = feedsOf(f, underlying);
  if (prices.length !== feeds.length) throw new Error(`${feeds.length} sources, ${prices.length} prices`);
  for (const [i, price] of prices.entries()) if (price !== null) await feeds[i].pushRound(await toFeedUnits(feeds[i], price));
}

/** Every source publishes `price` except source `index`, which publishes `outlier`: the router drops the outlier. */
export async function setOutlier(f: Priced, index: number, outlier: bigint, price: bigint, underlying = ETH): Promise<void> {
  const { feeds } = feedsOf(f, underlying);
  await setSourcePrices(f, feeds.map((_, i) => (i === index ? outlier : price)), underlying);
}

/**
 * Source `index` of `underlying` stops updating: its latest round is re-dated to one second past its heartbeat, so
 * the router leaves it out (the others keep their state).
 */
export async function makeStale(f: Priced, index: number, underlying = ETH): Promise<void> {
  const { feeds, heartbeats } = feedsOf(f, underlying);
  const [, answer] = await feeds[index].latestRoundData();
  const at = (await now()) - BigInt(heartbeats[index]) - 1n;
  await feeds[index].setLatest(answer, at, at);
}

/** Every source of `underlying` goes stale: the router has no fresh price and reports FAILED. */
export async function makeAllStale(f: Priced, underlying = ETH): Promise<void> {
  const { feeds } = feedsOf(f, underlying);
  for (let i = 0; i < feeds.length; i++) await makeStale(f, i, underlying);
}

/** The L2 sequencer goes down (`down`), or comes back up now (its grace period starts). */
export async function setSequencerDown(f: Pick<ProtocolFixture, "sequencer">, down: boolean): Promise<void> {
  if (!f.sequencer) throw new Error("this deployment has no sequencer feed (set oracle.sequencer in the overrides)");
  await f.sequencer.setStatus(down ? 1 : 0, await now());
}

/* ---------------------------------------------------------------------------------------------------------------- */
/*                                                      TIME                                                        */
/* ---------------------------------------------------------------------------------------------------------------- */

/** Mines a block `seconds` later. */
export async function warp(seconds: bigint | number): Promise<void> {
  await warpTo((await now()) + BigInt(seconds));
}

/** The first round of `feed` (in its current phase) updated at or after `expiry`; the latest one must be. */
async function firstRoundAtOrAfter(feed: MockAggregator, expiry: bigint): Promise<bigint> {
  const ROUND_MASK = (1n << 64n) - 1n;
  let round = await feed.latestRoundId();
  while ((round & ROUND_MASK) > 1n) {
    const [, , , updatedAt] = await feed.getRoundData(round - 1n);
    if (updatedAt < expiry) break;
    round -= 1n;
  }
  return round;
}

/**
 * Makes `price` the final settlement price of (`underlying`, `expiry`) the way the chain would: past expiry every
 * source that has not published since expiry publishes `price`, anyone records each source's first round at or
 * after expiry once the settlement delay has passed, the dispute window passes. Every source then republishes
 * `price`, so the spot is fresh at it. (A source that already published after expiry settles at its first such
 * round: publish `price` there, or the final price is the median of those rounds.)
 */
export async function finaliseSettlement(
  f: Pick<ProtocolFixture, "oracle" | "router">,
  expiry: bigint,
  price: bigint,
  underlying = ETH,
): Promise<void> {
  if ((await now()) <= expiry) await warpTo(expiry + 1n);
  const { feeds } = feedsOf(f, underlying);
  for (const feed of feeds) {
    const [, , , updatedAt] = await feed.latestRoundData();
    if (updatedAt < expiry) await feed.pushRound(await toFeedUnits(feed, price));
  }
  const hints = await Promise.all(feeds.map((feed) => firstRoundAtOrAfter(feed, expiry)));
  const params = await f.router.getSettlementParams();
  await warp(BigInt(params.settlementDelay) + 1n);
  await f.router.recordSettlement(underlying, expiry, hints);
  await warp(BigInt(params.disputeWindow) + 1n);
  await setSpot(f, price, underlying);
}
