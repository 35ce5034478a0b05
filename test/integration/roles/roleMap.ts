/**
 * The role map of every restricted function of every contract, as data, and a fixture that deploys the protocol
 * with that map and hands ADMIN to a timelocked admin, as production does.
 *
 * Role layout (contracts/access/Roles.sol): ADMIN (0) is the AccessManager's admin, held with an execution delay;
 * ADMIN_OPS (4) carries the protocol's own admin functions, held by the same admin with the same delay, with
 * GUARDIAN as its role guardian (so the guardian can cancel them); RISK (1) and GUARDIAN (2) act at once; GATED (3)
 * is held only by the protocol's own contracts.
 */
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { BaseContract } from "ethers";
import {
  BTC,
  DEFAULT_CAPS,
  DEFAULT_MARGIN_PARAMS,
  DEFAULT_QUOTE_PARAMS,
  DEFAULT_VOL,
  deployCoreWithRouterFixture,
  ETH,
  usdc,
  wad,
  type CoreFixture,
} from "../../helpers/coreFixture";
import { DEFAULT_SETTLEMENT_PARAMS } from "../../helpers/oracleFixture";

export const ROLES = { ADMIN: 0n, RISK: 1n, GUARDIAN: 2n, GATED: 3n, ADMIN_OPS: 4n } as const;
export type RoleName = "ADMIN_OPS" | "RISK" | "GUARDIAN" | "GATED";
export const ADMIN_DELAY = 2 * 24 * 3600;

export type ContractName = "OracleRouter" | "MarginEngine" | "OptionMarket" | "LiquidityVault" | "CircuitBreaker";

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
  { contract: "OracleRouter", fn: "addUnderlying", role: "ADMIN_OPS", args: async (f) => [BTC, await sources(f), 200] },
  { contract: "OracleRouter", fn: "setSources", role: "ADMIN_OPS", args: async (f) => [ETH, await sources(f)] },
  { contract: "OracleRouter", fn: "setQuorum", role: "RISK", args: async () => [ETH, 2] },
  { contract: "OracleRouter", fn: "setMaxDeviation", role: "RISK", args: async () => [ETH, 300] },
  { contract: "OracleRouter", fn: "setSequencerGracePeriod", role: "RISK", args: async () => [3600] },
  { contract: "OracleRouter", fn: "setSettlementParams", role: "RISK", args: async () => [DEFAULT_SETTLEMENT_PARAMS] },
  { contract: "OracleRouter", fn: "disputeSettlement", role: "GUARDIAN", args: async (f) => [ETH, f.expiry, wad(2000)] },
  // MarginEngine (extension selectors, called at the engine's address)
  { contract: "MarginEngine", fn: "wire", role: "ADMIN_OPS", args: async (f) => [await f.market.getAddress(), await f.vault.getAddress()] },
  { contract: "MarginEngine", fn: "wireLiquidation", role: "ADMIN_OPS", args: async (f) => [f.keeper.address, f.carol.address] },
  { contract: "MarginEngine", fn: "addUnderlying", role: "RISK", args: async () => [BTC] },
  { contract: "MarginEngine", fn: "setMarginParams", role: "RISK", args: async () => [DEFAULT_MARGIN_PARAMS] },
  { contract: "MarginEngine", fn: "setRiskFreeRate", role: "RISK", args: async () => [wad("0.05")] },
  // OptionMarket
  { contract: "OptionMarket", fn: "listSeries", role: "RISK", args: async (f) => [ETH, wad(2100), f.expiry, true, DEFAULT_VOL] },
  { contract: "OptionMarket", fn: "setImpliedVol", role: "RISK", args: async (f) => [f.series.call2000, wad("0.7")] },
  { contract: "OptionMarket", fn: "setQuoteParams", role: "RISK", args: async () => [DEFAULT_QUOTE_PARAMS] },
  { contract: "OptionMarket", fn: "setExposureCaps", role: "RISK", args: async () => [ETH, DEFAULT_CAPS] },
  // LiquidityVault
  { contract: "LiquidityVault", fn: "setMaxSpotAge", role: "RISK", args: async () => [1800] },
  // CircuitBreaker
  { contract: "CircuitBreaker", fn: "trip", role: "GUARDIAN", args: async () => [ETH, 1] },
  { contract: "CircuitBreaker", fn: "pause", role: "GUARDIAN", args: async () => [] },
  { contract: "CircuitBreaker", fn: "lift", role: "ADMIN_OPS", args: async () => [ETH, 0] },
  { contract: "CircuitBreaker", fn: "unpause", role: "ADMIN_OPS", args: async () => [] },
  { contract: "CircuitBreaker", fn: "addMarket", role: "ADMIN_OPS", args: async () => [BTC, 1_000, 3600] },
  { contract: "CircuitBreaker", fn: "setMetrics", role: "ADMIN_OPS", args: async (f) => [await f.vault.getAddress()] },
  { contract: "CircuitBreaker", fn: "setPriceMoveParams", role: "RISK", args: async () => [ETH, 1_000, 3600] },
  { contract: "CircuitBreaker", fn: "setOutflowParams", role: "RISK", args: async () => [usdc(2_000_000), 86_400] },
  { contract: "CircuitBreaker", fn: "setUtilisationCap", role: "RISK", args: async () => [wad("0.9")] },
  { contract: "CircuitBreaker", fn: "setCooldown", role: "RISK", args: async () => [1800] },
  { contract: "CircuitBreaker", fn: "recordOutflow", role: "GATED", args: async () => [0] },
  { contract: "CircuitBreaker", fn: "recordInflow", role: "GATED", args: async () => [0] },
  { contract: "CircuitBreaker", fn: "checkAction", role: "GATED", args: async () => [ETH, 0, wad(2000), 1] },
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
  OptionMarket: ["trade", "setAuthority"],
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
  CircuitBreaker: ["poke", "setAuthority"],
};

export interface RolesFixture extends CoreFixture {
  timelockAdmin: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  contracts: Record<ContractName, BaseContract>;
}

async function sources(f: RolesFixture): Promise<string[]> {
  return Promise.all(f.oracle!.sources.map((s) => s.getAddress()));
}

/** The contract a row targets, at its address, with the interface that has the row's function. */
export function targetOf(f: RolesFixture, contract: ContractName): BaseContract {
  return f.contracts[contract];
}

/**
 * The core over the real OracleRouter, re-mapped to the production role layout: every row of RESTRICTED mapped to
 * its role, ADMIN_OPS guarded by GUARDIAN, ADMIN and ADMIN_OPS granted to `timelockAdmin` with a two-day delay, and
 * the deployer's ADMIN renounced last.
 */
export async function deployRolesFixture(): Promise<RolesFixture> {
  const f = await deployCoreWithRouterFixture();
  const signers = await hre.ethers.getSigners();
  const timelockAdmin = signers[8];
  const outsider = signers[9];
  const { manager } = f;
  // The breaker must know the router's market for the router fixture (the core fixture adds ETH already).
  const contracts: Record<ContractName, BaseContract> = {
    OracleRouter: f.oracle!.router as unknown as BaseContract,
    MarginEngine: f.engine as unknown as BaseContract,
    OptionMarket: f.market as unknown as BaseContract,
    LiquidityVault: f.vault as unknown as BaseContract,
    CircuitBreaker: f.breaker as unknown as BaseContract,
  };
  for (const row of RESTRICTED) {
    const target = contracts[row.contract];
    const selector = target.interface.getFunction(row.fn)!.selector;
    await manager.connect(f.admin).setTargetFunctionRole(await target.getAddress(), [selector], ROLES[row.role]);
  }
  await manager.connect(f.admin).setRoleGuardian(ROLES.ADMIN_OPS, ROLES.GUARDIAN);
  await manager.connect(f.admin).grantRole(ROLES.ADMIN_OPS, timelockAdmin.address, ADMIN_DELAY);
  await manager.connect(f.admin).grantRole(ROLES.ADMIN, timelockAdmin.address, ADMIN_DELAY);
  await manager.connect(f.admin).renounceRole(ROLES.ADMIN, f.admin.address);
  return { ...f, timelockAdmin, outsider, contracts };
}
