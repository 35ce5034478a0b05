import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  AccessManager,
  ChainlinkPriceSource,
  MockAggregator,
  OracleRouter,
} from "../../typechain-types";

/** Role ids, as in contracts/access/Roles.sol. */
export const ROLE = { ADMIN: 0n, RISK: 1n, GUARDIAN: 2n } as const;

/** Default underlying id used by the fixture. */
export const ETH = hre.ethers.encodeBytes32String("ETH");

/** Settlement windows the fixture deploys with (seconds / basis points). */
export const DEFAULT_SETTLEMENT_PARAMS = {
  settlementDelay: 600,
  disputeWindow: 3600,
  disputeBandBps: 500,
  fallbackDelay: 3 * 86_400,
};

/** Sequencer grace period the fixture deploys with (seconds). */
export const DEFAULT_GRACE_PERIOD = 3600;

/** Adapter configuration the fixture deploys with. */
export const DEFAULT_SOURCE_CONFIG = {
  heartbeat: 3600,
  minPriceWad: 10n ** 18n, // 1 quote unit
  maxPriceWad: 10n ** 24n, // 1,000,000 quote units
  gasLimit: 100_000,
};

export interface OracleFixtureOptions {
  /** Raw answers of the mock feeds, in feed decimals; one feed per answer (2 to 5). Default 2000, 2001, 1999 (8 dp). */
  answers?: bigint[];
  /** Decimals of every mock feed. Default 8. */
  decimals?: number;
  /** Maximum deviation of the underlying, basis points. Default 200 (2%). */
  maxDeviationBps?: number;
  /** Underlying id. Default ETH. */
  underlying?: string;
  /** L2 sequencer-uptime feed wired into the router. Default none. */
  sequencerFeed?: string;
  /** Sequencer grace period, seconds. Default DEFAULT_GRACE_PERIOD. */
  gracePeriod?: number;
}

export interface OracleFixture {
  manager: AccessManager;
  router: OracleRouter;
  feeds: MockAggregator[];
  sources: ChainlinkPriceSource[];
  underlying: string;
  admin: HardhatEthersSigner;
  risk: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  anyone: HardhatEthersSigner;
}

/**
 * Deploys an AccessManager, an OracleRouter wired to it (RISK and GUARDIAN functions mapped to their roles, ADMIN
 * functions left on the admin role), and one MockAggregator + ChainlinkPriceSource per answer (three by default),
 * and adds the underlying with those sources. Signers: [0] admin (no execution delay), [1] risk, [2] guardian,
 * [3] anyone. Wrap it in `loadFixture` in tests.
 */
export async function deployOracleFixture(options: OracleFixtureOptions = {}): Promise<OracleFixture> {
  const { ethers } = hre;
  const [admin, risk, guardian, anyone] = await ethers.getSigners();
  const decimals = options.decimals ?? 8;
  const unit = 10n ** BigInt(decimals);
  const answers = options.answers ?? [2000n * unit, 2001n * unit, 1999n * unit];
  const underlying = options.underlying ?? ETH;

  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const router = await ethers.deployContract("OracleRouter", [
    await manager.getAddress(),
    options.sequencerFeed ?? ethers.ZeroAddress,
    options.gracePeriod ?? DEFAULT_GRACE_PERIOD,
    DEFAULT_SETTLEMENT_PARAMS,
  ]);
  const routerAddress = await router.getAddress();
  type RouterFunction = Parameters<OracleRouter["interface"]["getFunction"]>[0];
  const selectors = (names: RouterFunction[]) => names.map((n) => router.interface.getFunction(n).selector);
  await manager.setTargetFunctionRole(
    routerAddress,
    selectors(["addUnderlying", "setSources"]),
    ROLE.ADMIN,
  );
  await manager.setTargetFunctionRole(
    routerAddress,
    selectors(["setQuorum", "setMaxDeviation", "setSequencerGracePeriod", "setSettlementParams"]),
    ROLE.RISK,
  );
  await manager.setTargetFunctionRole(routerAddress, selectors(["disputeSettlement"]), ROLE.GUARDIAN);
  await manager.grantRole(ROLE.RISK, risk.address, 0);
  await manager.grantRole(ROLE.GUARDIAN, guardian.address, 0);

  const feeds: MockAggregator[] = [];
  const sources: ChainlinkPriceSource[] = [];
  for (const answer of answers) {
    const { feed, source } = await deployFeedAndSource(decimals, answer);
    feeds.push(feed);
    sources.push(source);
  }
  await router.addUnderlying(
    underlying,
    await Promise.all(sources.map((s) => s.getAddress())),
    options.maxDeviationBps ?? 200,
  );
  return { manager, router, feeds, sources, underlying, admin, risk, guardian, anyone };
}

/** Reason bits, as in contracts/oracle/libraries/OracleReasons.sol. */
/** A mock aggregator answering `answer` with `decimals`, and a ChainlinkPriceSource over it with the default config. */
export async function deployFeedAndSource(
  decimals: number,
  answer: bigint,
): Promise<{ feed: MockAggregator; source: ChainlinkPriceSource }> {
  const feed = (await hre.ethers.deployContract("MockAggregator", [decimals, answer])) as unknown as MockAggregator;
  const source = (await hre.ethers.deployContract("ChainlinkPriceSource", [
    await feed.getAddress(),
    DEFAULT_SOURCE_CONFIG.heartbeat,
    DEFAULT_SOURCE_CONFIG.minPriceWad,
    DEFAULT_SOURCE_CONFIG.maxPriceWad,
    DEFAULT_SOURCE_CONFIG.gasLimit,
  ])) as unknown as ChainlinkPriceSource;
  return { feed, source };
}

export const REASON = {
  SOURCE_CALL_FAILED: 1n << 0n,
  SOURCE_INVALID_ANSWER: 1n << 1n,
  SOURCE_ZERO_TIMESTAMP: 1n << 2n,
  SOURCE_FUTURE_TIMESTAMP: 1n << 3n,
  SOURCE_STALE: 1n << 4n,
  SOURCE_OUT_OF_BOUNDS: 1n << 5n,
  OUTLIER: 1n << 6n,
  BELOW_QUORUM: 1n << 7n,
  DEVIATION: 1n << 8n,
  SEQUENCER_DOWN: 1n << 9n,
  SEQUENCER_GRACE_PERIOD: 1n << 10n,
  SEQUENCER_FEED_FAILED: 1n << 11n,
} as const;

/** `IOracleRouter.Status`. */
export const STATUS = { OK: 0n, DEGRADED: 1n, FAILED: 2n } as const;

/** `IOracleRouter.SettlementKind`. */
export const KIND = { NONE: 0n, ROUNDS: 1n, FALLBACK_SPOT: 2n, FALLBACK_RECORDED_SPOT: 3n } as const;

/** `MockAggregator.Mode`. */
export const MODE = { NORMAL: 0, REVERT: 1, BURN_GAS: 2, HUGE_RETURN: 3, SHORT_RETURN: 4 } as const;

/** Proxy-style round id: `phaseId << 64 | aggregatorRoundId`. */
export function roundId(phaseId: bigint | number, aggregatorRoundId: bigint | number): bigint {
  return (BigInt(phaseId) << 64n) | BigInt(aggregatorRoundId);
}

/** Chainlink settlement hint: `roundId | previousRoundId << 80`. */
export function chainlinkHint(round: bigint, previousPhaseRound = 0n): bigint {
  return round | (previousPhaseRound << 80n);
}

/** Gas that must be left before a feed call so the feed gets its full cap (mirrors FeedCall.gasRequired). */
export function feedGasRequired(gasLimit: bigint | number): bigint {
  return ((BigInt(gasLimit) + 5_000n) * 64n + 62n) / 63n;
}
