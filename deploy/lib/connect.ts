/**
 * Typed contracts on the addresses of a deployment record: what the demo, the test fixtures and the keeper tests
 * work with once `deployProtocol` (or `npm run deploy`, whose record is read back from disk) has run.
 *
 * Only addresses are read from the record, and nothing is sent: connecting is synchronous and costs no RPC call.
 */
import type { ContractRunner } from "ethers";
import {
  AccessManager__factory,
  BulwarkAutomation__factory,
  CircuitBreaker__factory,
  IERC20Metadata__factory,
  IMarginEngine__factory,
  InsuranceFund__factory,
  LiquidationEngine__factory,
  LiquidityVault__factory,
  MarginEngineExtension__factory,
  MarginEngine__factory,
  MockAggregator__factory,
  MockQuoteToken__factory,
  MockSequencerUptimeFeed__factory,
  OptionMarket__factory,
  OracleRouter__factory,
  type AccessManager,
  type BulwarkAutomation,
  type CircuitBreaker,
  type IERC20Metadata,
  type IMarginEngine,
  type InsuranceFund,
  type LiquidationEngine,
  type LiquidityVault,
  type MarginEngine,
  type MarginEngineExtension,
  type MockAggregator,
  type MockQuoteToken,
  type MockSequencerUptimeFeed,
  type OptionMarket,
  type OracleRouter,
} from "../../typechain-types";
import type { DeploymentRecord } from "./deployProtocol";

/** What connecting needs of a record: its addresses and the parameters that say which of them are mocks. */
export type ConnectableRecord = Pick<DeploymentRecord, "addresses"> & {
  parameters: Pick<DeploymentRecord["parameters"], "quoteToken" | "mocks" | "oracle">;
};

/** The test doubles a local deployment created from the `mocks` section of its parameter file. */
export interface DeploymentMocks {
  /** The mock quote token (the same contract as `quoteToken`), or null when the quote token is a real ERC-20. */
  quoteToken: MockQuoteToken | null;
  /** Mock aggregators by their record name, e.g. `"mock:ETH-A"`. Empty on a real network. */
  feeds: Record<string, MockAggregator>;
  /** The mock sequencer uptime feed, or null when the deployment has none. */
  sequencer: MockSequencerUptimeFeed | null;
}

/** The core every deployment and every full test fixture holds: margin engine, market, vault and breaker. */
export interface CoreContracts {
  /** The margin engine at its address with its full interface (core and extension). */
  engine: IMarginEngine;
  /** The same address with the core contract's own ABI. */
  engineCore: MarginEngine;
  extension: MarginEngineExtension;
  market: OptionMarket;
  vault: LiquidityVault;
  breaker: CircuitBreaker;
}

/** Every contract of a deployment, typed, connected to one runner. */
export interface DeploymentContracts extends CoreContracts {
  accessManager: AccessManager;
  router: OracleRouter;
  liquidation: LiquidationEngine;
  insuranceFund: InsuranceFund;
  automation: BulwarkAutomation;
  /** The quote (collateral and settlement) token as an ERC-20. */
  quoteToken: IERC20Metadata;
  mocks: DeploymentMocks;
}

/** The names `deploy/modules/ProtocolModule.ts` records the protocol's contracts under. */
export const PROTOCOL_CONTRACT_NAMES = [
  "accessManager",
  "router",
  "engine",
  "extension",
  "market",
  "vault",
  "breaker",
  "liquidation",
  "insuranceFund",
  "automation",
] as const;

/** A record that cannot be connected: names are missing from its addresses. */
export class DeploymentRecordError extends Error {
  constructor(readonly missing: string[], known: string[]) {
    super(`the deployment record has no address for ${missing.join(", ")} (it has: ${known.join(", ")})`);
    this.name = "DeploymentRecordError";
  }
}

const MOCK_PREFIX = "mock:";

/**
 * Connects every contract of `record` to `runner` (a signer to send, a provider to read).
 *
 * @throws DeploymentRecordError when a protocol contract, or a mock the parameters name, has no address.
 * @example
 *   const record = await deployProtocol(hre, { parameters: "deploy/parameters/local.json" });
 *   const { market, engine, mocks } = connectDeployment(record, deployer);
 */
export function connectDeployment(record: ConnectableRecord, runner: ContractRunner | null): DeploymentContracts {
  const a = record.addresses;
  const { parameters } = record;
  const mockQuote = parameters.quoteToken.startsWith(MOCK_PREFIX);
  const sequencerRef = parameters.oracle.sequencer?.feed;
  const mockSequencer = sequencerRef !== undefined && sequencerRef.startsWith(MOCK_PREFIX);
  const feedRefs = Object.keys(parameters.mocks?.feeds ?? {}).map((name) => `${MOCK_PREFIX}${name}`);

  const required: string[] = [...PROTOCOL_CONTRACT_NAMES, ...feedRefs];
  if (mockQuote) required.push(parameters.quoteToken);
  if (mockSequencer) required.push(sequencerRef);
  const missing = required.filter((name) => !a[name]);
  if (missing.length) throw new DeploymentRecordError(missing, Object.keys(a));

  const quoteAddress = mockQuote ? a[parameters.quoteToken] : parameters.quoteToken;
  return {
    accessManager: AccessManager__factory.connect(a.accessManager, runner),
    router: OracleRouter__factory.connect(a.router, runner),
    engine: IMarginEngine__factory.connect(a.engine, runner),
    engineCore: MarginEngine__factory.connect(a.engine, runner),
    extension: MarginEngineExtension__factory.connect(a.extension, runner),
    market: OptionMarket__factory.connect(a.market, runner),
    vault: LiquidityVault__factory.connect(a.vault, runner),
    breaker: CircuitBreaker__factory.connect(a.breaker, runner),
    liquidation: LiquidationEngine__factory.connect(a.liquidation, runner),
    insuranceFund: InsuranceFund__factory.connect(a.insuranceFund, runner),
    automation: BulwarkAutomation__factory.connect(a.automation, runner),
    quoteToken: IERC20Metadata__factory.connect(quoteAddress, runner),
    mocks: {
      quoteToken: mockQuote ? MockQuoteToken__factory.connect(quoteAddress, runner) : null,
      feeds: Object.fromEntries(feedRefs.map((ref) => [ref, MockAggregator__factory.connect(a[ref], runner)])),
      sequencer: mockSequencer ? MockSequencerUptimeFeed__factory.connect(a[sequencerRef], runner) : null,
    },
  };
}

/**
 * The mock quote token of a local deployment.
 *
 * @throws Error when the deployment's quote token is a real ERC-20 (no mint).
 */
export function mockQuoteToken(contracts: Pick<DeploymentContracts, "mocks">): MockQuoteToken {
  if (!contracts.mocks.quoteToken) throw new Error("this deployment's quote token is not a mock");
  return contracts.mocks.quoteToken;
}

/**
 * The mock aggregator recorded as `ref` (e.g. `"mock:ETH-A"`).
 *
 * @throws Error when the deployment has no such mock feed.
 */
export function mockFeed(contracts: Pick<DeploymentContracts, "mocks">, ref: string): MockAggregator {
  const feed = contracts.mocks.feeds[ref];
  if (!feed) throw new Error(`this deployment has no mock feed ${ref} (it has: ${Object.keys(contracts.mocks.feeds).join(", ") || "none"})`);
  return feed;
}
