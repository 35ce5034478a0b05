/**
 * The automation adapter's fixture: the whole protocol deployed through the Ignition modules (deploy/parameters/
 * local.json, the same path as a real network), an LP-funded vault, one 7-day ETH 3000 put series and five put
 * writers, each left at its initial margin plus a growing cushion (writer 0 the thinnest).
 */
import hre from "hardhat";
import { AbiCoder } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { connectDeployment, mockFeed, mockQuoteToken } from "../../../deploy/lib/connect";
import { deployProtocol, type DeploymentRecord } from "../../../deploy/lib/deployProtocol";
import type {
  BulwarkAutomation,
  CircuitBreaker,
  IMarginEngine,
  LiquidationEngine,
  LiquidityVault,
  MockQuoteToken,
  OptionMarket,
  OracleRouter,
} from "../../../typechain-types";
import { now } from "../../helpers/time";
import { ETH, options, usdc, WAD } from "../../helpers/units";

export { ETH, options, usdc, WAD } from "../../helpers/units";

/** Task numbers of `IBulwarkAutomation.Task`. */
export const Task = { LIQUIDATE: 0, SETTLE: 1, BREAKER_POKE: 2, REDEEM_QUEUE: 3 } as const;
/** `IBulwarkAutomation.SkipReason`. */
export const Skip = {
  NO_POSITION: 0n,
  HEALTHY: 1n,
  SERIES_EXPIRED: 2n,
  NOT_FINAL: 3n,
  ORACLE_FAILED: 4n,
  ORACLE_STALE: 5n,
  BREAKER_REFUSED: 6n,
  NOT_NEEDED: 7n,
  CALL_FAILED: 8n,
  CHANGED: 9n,
} as const;

const coder = AbiCoder.defaultAbiCoder();

/** checkData of one upkeep registration. */
export function checkData(task: number, cursor: bigint | number, window: bigint | number, maxItems: bigint | number): string {
  return coder.encode(["uint8", "uint256", "uint256", "uint256"], [task, cursor, window, maxItems]);
}

export interface PerformItem {
  account: string;
  key: bigint;
  /** The position (LIQUIDATE, SETTLE) or queue head (REDEEM_QUEUE) the check saw. */
  seen: bigint;
}

/** performData as `checkUpkeep` builds it. */
export function performData(task: number, items: PerformItem[]): string {
  return coder.encode(["uint8", "tuple(address account, uint256 key, int256 seen)[]"], [task, items.map((i) => [i.account, i.key, i.seen])]);
}

/** The items of performData. */
export function decodePerform(data: string): { task: number; items: PerformItem[] } {
  const [task, items] = coder.decode(["uint8", "tuple(address account, uint256 key, int256 seen)[]"], data);
  return { task: Number(task), items: items.map((i: [string, bigint, bigint]) => ({ account: i[0], key: i[1], seen: i[2] })) };
}

/** The ETH mock feeds of local.json with their decimals. */
const ETH_FEEDS = [
  ["mock:ETH-A", 8n],
  ["mock:ETH-B", 8n],
  ["mock:ETH-C", 18n],
] as const;

export interface AutomationFixture {
  record: DeploymentRecord;
  automation: BulwarkAutomation;
  engine: IMarginEngine;
  market: OptionMarket;
  vault: LiquidityVault;
  liquidation: LiquidationEngine;
  breaker: CircuitBreaker;
  router: OracleRouter;
  token: MockQuoteToken;
  deployer: HardhatEthersSigner;
  risk: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  lp: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
  writers: HardhatEthersSigner[];
  seriesId: bigint;
  expiry: bigint;
  /** Pushes a fresh round at `price` (whole USD) on every ETH feed. */
  setEthPrice(price: bigint): Promise<void>;
  /** Pushes `answer` raw on the first two ETH feeds (0 makes them invalid: below quorum, the spot FAILS). */
  breakEthFeeds(): Promise<void>;
  now(): Promise<bigint>;
}

/** Latest block timestamp. */
export const chainNow = now;

export async function increaseTime(seconds: number | bigint): Promise<void> {
  await hre.network.provider.send("evm_increaseTime", [Number(seconds)]);
  await hre.network.provider.send("evm_mine", []);
}

export async function deployAutomationFixture(): Promise<AutomationFixture> {
  const record = await deployProtocol(hre, { parameters: "deploy/parameters/local.json", writeRecord: false });
  const signers = await hre.ethers.getSigners();
  const [deployer, risk, guardian, lp, keeper] = signers;
  const writers = signers.slice(5, 10);
  const a = record.addresses;
  const contracts = connectDeployment(record, deployer);
  const { automation, engine, market, vault, liquidation, breaker, router } = contracts;
  const token = mockQuoteToken(contracts);

  const setEthPrice = async (price: bigint) => {
    for (const [ref, decimals] of ETH_FEEDS) await mockFeed(contracts, ref).pushRound(price * 10n ** decimals);
  };
  const breakEthFeeds = async () => {
    for (const [ref] of ETH_FEEDS.slice(0, 2)) await mockFeed(contracts, ref).pushRound(0n);
  };

  // The LP funds the vault.
  await token.mint(lp.address, usdc(1_000_000));
  await token.connect(lp).approve(a.vault, hre.ethers.MaxUint256);
  await vault.connect(lp).deposit(usdc(1_000_000), lp.address);

  // One 7-day ETH 3000 put.
  const expiry = (await chainNow()) + 7n * 86_400n;
  await market.connect(risk).listSeries(ETH, 3000n * WAD, expiry, false, (70n * WAD) / 100n);
  const seriesId = await market.seriesIdOf(ETH, 3000n * WAD, expiry, false);

  // Each writer sells 10 puts, then withdraws down to its initial margin plus a cushion of 100 x i.
  for (const [i, w] of writers.entries()) {
    await token.mint(w.address, usdc(100_000));
    await token.connect(w).approve(a.engine, hre.ethers.MaxUint256);
    await engine.connect(w).deposit(w.address, usdc(20_000));
    await market.connect(w).trade(seriesId, -options(10), 0n, (await chainNow()) + 600n);
    const free = await engine.freeMarginOf(w.address);
    await engine.connect(w).withdraw(free - usdc(100 * i), w.address);
  }
  return {
    record,
    automation,
    engine,
    market,
    vault,
    liquidation,
    breaker,
    router,
    token,
    deployer,
    risk,
    guardian,
    lp,
    keeper,
    writers,
    seriesId,
    expiry,
    setEthPrice,
    breakEthFeeds,
    now: chainNow,
  };
}

/** The fixture after ETH fell 15% (3000 -> 2550, inside the breaker's 25% move limit): every writer fails maintenance. */
export async function deployCrashedFixture(): Promise<AutomationFixture> {
  const f = await deployAutomationFixture();
  await increaseTime(60);
  await f.setEthPrice(2550n);
  return f;
}
