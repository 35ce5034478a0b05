/**
 * The role map of every restricted function of every contract, as data, and the fixture the role suites run on: the
 * protocol as `deployProtocol` ships it (deploy/parameters/test.json), whose last step hands ADMIN to a timelocked
 * admin and renounces the deployer's, as production does.
 *
 * Role layout (contracts/access/Roles.sol): ADMIN (0) is the AccessManager's admin, held with an execution delay;
 * ADMIN_OPS (4) carries the protocol's own admin functions, held by the same admin with the same delay, with
 * GUARDIAN as its role guardian (so the guardian can cancel them); RISK (1) and GUARDIAN (2) act at once; GATED (3)
 * is held only by the protocol's own contracts.
 */
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract } from "ethers";
import { DEFAULT_VOL, deployProtocolFixture, ETH, usdc, wad, type ProtocolFixture } from "../../helpers/protocolFixture";

/** An underlying the deployment does not have, so adding it reaches the function's body and succeeds. */
const NEW_UNDERLYING = hre.ethers.encodeBytes32String("SOL");

export const ROLES = { ADMIN: 0n, RISK: 1n, GUARDIAN: 2n, GATED: 3n, ADMIN_OPS: 4n } as const;
export type RoleName = "ADMIN_OPS" | "RISK" | "GUARDIAN" | "GATED";
export const ADMIN_DELAY = 2 * 24 * 3600;

export type ContractName =
  | "OracleRouter"
  | "MarginEngine"
  | "OptionMarket"
  | "LiquidityVault"
  | "CircuitBreaker"
  | "LiquidationEngine"
  | "InsuranceFund"
  | "BulwarkAutomation";

/** One restricted function: its contract, name, mapped role and arguments that reach its body. */
export interface RestrictedRow {
  contract: ContractName;
  fn: string;
  role: RoleName;
  args: (f: RolesFixture) => Promise<unknown[]>;
}

/** Every restricted function of every contract. `test/integration/roles` checks that nothing is missing. */
export const RESTRICTED: readonly RestrictedRow[] = [
  // OracleRouter
  { contract: "OracleRouter", fn: "addUnderlying", role: "ADMIN_OPS", args: async (f) => [NEW_UNDERLYING, await sources(f), 200] },
  { contract: "OracleRouter", fn: "setSources", role: "ADMIN_OPS", args: async (f) => [ETH, await sources(f)] },
  { contract: "OracleRouter", fn: "setQuorum", role: "RISK", args: async () => [ETH, 2] },
  { contract: "OracleRouter", fn: "setMaxDeviation", role: "RISK", args: async () => [ETH, 300] },
  { contract: "OracleRouter", fn: "setSequencerGracePeriod", role: "RISK", args: async () => [3600] },
  { contract: "OracleRouter", fn: "setSettlementParams", role: "RISK", args: async (f) => [f.config.oracle.settlement] },
  { contract: "OracleRouter", fn: "disputeSettlement", role: "GUARDIAN", args: async (f) => [ETH, f.expiry, wad(2000)] },
  // MarginEngine (extension selectors, called at the engine's address)
  { contract: "MarginEngine", fn: "wire", role: "ADMIN_OPS", args: async (f) => [await f.market.getAddress(), await f.vault.getAddress()] },
  { contract: "MarginEngine", fn: "wireLiquidation", role: "ADMIN_OPS", args: async (f) => [f.keeper.address, f.carol.address] },
  { contract: "MarginEngine", fn: "addUnderlying", role: "RISK", args: async () => [NEW_UNDERLYING] },
  { contract: "MarginEngine", fn: "setMarginParams", role: "RISK", args: async (f) => [f.config.margin.params] },
  { contract: "MarginEngine", fn: "setRiskFreeRate", role: "RISK", args: async () => [wad("0.05")] },
  // OptionMarket
  { contract: "OptionMarket", fn: "listSeries", role: "RISK", args: async (f) => [ETH, wad(2100), f.expiry, true, DEFAULT_VOL] },
  { contract: "OptionMarket", fn: "setImpliedVol", role: "RISK", args: async (f) => [f.series.call2000, wad("0.7")] },
  { contract: "OptionMarket", fn: "setQuoteParams", role: "RISK", args: async (f) => [f.config.market.params] },
  { contract: "OptionMarket", fn: "setExposureCaps", role: "RISK", args: async (f) => [ETH, f.config.market.caps.ETH] },
  // LiquidityVault
  { contract: "LiquidityVault", fn: "setMaxSpotAge", role: "RISK", args: async () => [1800] },
  // CircuitBreaker
  { contract: "CircuitBreaker", fn: "trip", role: "GUARDIAN", args: async () => [ETH, 1] },
  { contract: "CircuitBreaker", fn: "pause", role: "GUARDIAN", args: async () => [] },
  { contract: "CircuitBreaker", fn: "lift", role: "ADMIN_OPS", args: async () => [ETH, 0] },
  { contract: "CircuitBreaker", fn: "unpause", role: "ADMIN_OPS", args: async () => [] },
  { contract: "CircuitBreaker", fn: "addMarket", role: "ADMIN_OPS", args: async () => [NEW_UNDERLYING, 1_000, 3600] },
  { contract: "CircuitBreaker", fn: "setMetrics", role: "ADMIN_OPS", args: async (f) => [await f.vault.getAddress()] },
  { contract: "CircuitBreaker", fn: "setGateCache", role: "ADMIN_OPS", args: async (f) => [await f.market.getAddress()] },
  { contract: "CircuitBreaker", fn: "setFlowReporter", role: "ADMIN_OPS", args: async (f) => [await f.vault.getAddress()] },
  { contract: "CircuitBreaker", fn: "setPauseListener", role: "ADMIN_OPS", args: async (f) => [await f.engine.getAddress()] },
  { contract: "CircuitBreaker", fn: "setPriceMoveParams", role: "RISK", args: async () => [ETH, 1_000, 3600] },
  { contract: "CircuitBreaker", fn: "setOutflowParams", role: "RISK", args: async () => [usdc(2_000_000), 86_400] },
  { contract: "CircuitBreaker", fn: "setUtilisationCap", role: "RISK", args: async () => [wad("0.9")] },
  { contract: "CircuitBreaker", fn: "setCooldown", role: "RISK", args: async () => [1800] },
  { contract: "CircuitBreaker", fn: "checkAction", role: "GATED", args: async () => [ETH, 0, wad(2000), 1] },
  // LiquidationEngine
  { contract: "LiquidationEngine", fn: "setParams", role: "RISK", args: async (f) => [f.config.liquidation] },
  // InsuranceFund (protocol funds, not user funds: paid to the admin itself, never to a user)
  { contract: "InsuranceFund", fn: "withdraw", role: "ADMIN_OPS", args: async (f) => [usdc(1), f.timelockAdmin.address] },
];

/**
 * State-changing functions that are deliberately permissionless (anyone may call them; each is either the user's
 * own action on its own funds, a keeper action whose effect is fixed, or a module hook guarded by its caller).
 */
export const PERMISSIONLESS: Record<ContractName, readonly string[]> = {
  OracleRouter: ["recordSettlement", "proposeFallbackSettlement", "pokeStatus", "recordSpot", "setAuthority"],
  MarginEngine: [
    "deposit",
    "withdraw",
    "settle",
    "recordExpiryPrice",
    "syncBreakerPause",
    "retireSeries",
    "markSeries",
    "applyTrade",
    "vaultSnapshot",
    "creditVault",
    "withdrawVault",
    "liquidatePosition",
    "registerSeries",
    "setSeriesVol",
    "setAuthority",
  ],
  OptionMarket: ["trade", "syncBreakerGate", "setAuthority"],
  LiquidityVault: [
    "deposit",
    "mint",
    "withdraw",
    "redeem",
    "requestRedeem",
    "cancelRedeemRequest",
    "processRedeemQueue",
    "claimRedeem",
    "transfer",
    "transferFrom",
    "approve",
    "setAuthority",
  ],
  // The flow hooks answer the one-shot wired flow reporter (the vault) only, not a role (BreakerNotFlowReporter).
  CircuitBreaker: ["poke", "recordOutflow", "tryRecordOutflow", "recordInflow", "setAuthority"],
  LiquidationEngine: ["liquidate", "liquidateMany", "flag", "setAuthority"],
  InsuranceFund: ["fund", "setAuthority"],
  // No owner, no role: every item is re-validated and fees go only to the immutable beneficiary.
  BulwarkAutomation: ["performUpkeep", "sweep"],
};

export interface RolesFixture extends ProtocolFixture {
  /** The admin: ADMIN and ADMIN_OPS with the two-day execution delay. */
  timelockAdmin: HardhatEthersSigner;
  contracts: Record<ContractName, BaseContract>;
}

async function sources(f: RolesFixture): Promise<string[]> {
  return Promise.all(f.oracle.ETH.sources.map((s) => s.getAddress()));
}

/** The contract a row targets, at its address, with the interface that has the row's function. */
export function targetOf(f: RolesFixture, contract: ContractName): BaseContract {
  return f.contracts[contract];
}

/**
 * The shipped deployment, whose role handover is the production layout: every row of RESTRICTED mapped to its role
 * by the Ignition modules, ADMIN_OPS guarded by GUARDIAN, ADMIN and ADMIN_OPS held by the admin with a two-day
 * delay, the deployer's ADMIN renounced last.
 */
export async function deployRolesFixture(): Promise<RolesFixture> {
  const f = await deployProtocolFixture();
  if (BigInt(f.config.roles.adminDelay) !== BigInt(ADMIN_DELAY)) {
    throw new Error(`the test parameters' admin delay is ${f.config.roles.adminDelay}, the role suites expect ${ADMIN_DELAY}`);
  }
  const contracts: Record<ContractName, BaseContract> = {
    OracleRouter: f.router as unknown as BaseContract,
    MarginEngine: f.engine as unknown as BaseContract,
    OptionMarket: f.market as unknown as BaseContract,
    LiquidityVault: f.vault as unknown as BaseContract,
    CircuitBreaker: f.breaker as unknown as BaseContract,
    LiquidationEngine: f.liquidation as unknown as BaseContract,
    InsuranceFund: f.insurance as unknown as BaseContract,
    BulwarkAutomation: f.automation as unknown as BaseContract,
  };
  return { ...f, timelockAdmin: f.admin, contracts };
}
