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
  const selectors = (names: string[]) => names.map((n) => router.interface.getFunction(n)!.selector);
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
    const feed = await ethers.deployContract("MockAggregator", [decimals, answer]);
    const source = await ethers.deployContract("ChainlinkPriceSource", [
      await feed.getAddress(),
      DEFAULT_SOURCE_CONFIG.heartbeat,
      DEFAULT_SOURCE_CONFIG.minPriceWad,
      DEFAULT_SOURCE_CONFIG.maxPriceWad,
      DEFAULT_SOURCE_CONFIG.gasLimit,
    ]);
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
