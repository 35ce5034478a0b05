import hre from "hardhat";
import type { AccessManager, CircuitBreaker, MockOracleRouter, MockQuoteToken } from "../../typechain-types";
import type { CoreContracts } from "../../deploy/lib/connect";
import { ETH_SPOT, fundActors, listStandardSeries, type StandardActors, type StandardSeries } from "./standardMarket";
import { now, warpTo } from "./time";
import { ETH, options, usdc, wad } from "./units";

export { BTC, ETH, options, usdc, wad, WAD } from "./units";
export { DEFAULT_VOL, ETH_SPOT, LP_DEPOSIT, TRADER_DEPOSIT } from "./standardMarket";
export { now } from "./time";

/** Role ids, as in contracts/access/Roles.sol. */
export const ROLE = { ADMIN: 0n, RISK: 1n, GUARDIAN: 2n, GATED: 3n } as const;

export const DEFAULT_MARGIN_PARAMS = {
  initialShock: wad("0.2"),
  maintenanceShock: wad("0.12"),
  initialMinCharge: wad("0.1"),
  maintenanceMinCharge: wad("0.06"),
};

export const DEFAULT_QUOTE_PARAMS = {
  spread: wad("0.02"),
  feeRate: wad("0.0003"),
  feeCap: wad("0.125"),
  tradingCutoff: 3600n,
};

export const DEFAULT_CAPS = {
  maxNetDelta: wad(1_000),
  maxNetVega: wad(10_000_000),
  maxOpenInterest: options(1_000),
};

/** Vault spot-age bound the fixture deploys with (seconds). */
export const DEFAULT_MAX_SPOT_AGE = 3600n;

/** Circuit-breaker parameters of the core fixture: wide enough that ordinary test moves never trip it. */
export const CORE_BREAKER_PARAMS = {
  outflowLimit: usdc(10_000_000),
  refillPeriod: 86_400,
  utilisationCap: wad(1),
  cooldown: 3600,
  moveLimitBps: 5_000,
  window: 3600,
} as const;

/** The router the core reads: the scriptable mock. */
export type CoreRouter = MockOracleRouter;

/**
 * The core contracts (engine, market, vault; the breaker every gated entry point asks, markets: ETH) and the rest;
 * `admin` is signer 0, the AccessManager's admin with no delay.
 */
export interface CoreStack extends CoreContracts, StandardActors {
  manager: AccessManager;
  token: MockQuoteToken;
  /** The scriptable mock router. */
  router: MockOracleRouter;
}

export interface CoreFixture extends CoreStack {
  /** Expiry of the listed series (30 days after deployment). */
  expiry: bigint;
  /** Listed ETH series ids by name. */
  series: StandardSeries;
}

/** Restricted selectors of each contract and the role each is mapped to. */
export const ROLE_MAP = {
  engine: {
    [Number(ROLE.ADMIN)]: ["wire"],
    [Number(ROLE.RISK)]: ["addUnderlying", "setMarginParams", "setRiskFreeRate"],
  },
  market: { [Number(ROLE.RISK)]: ["listSeries", "setImpliedVol", "setQuoteParams", "setExposureCaps"] },
  vault: { [Number(ROLE.RISK)]: ["setMaxSpotAge"] },
  breaker: {
    [Number(ROLE.ADMIN)]: ["lift", "unpause", "addMarket", "setMetrics", "setGateCache", "setFlowReporter", "setPauseListener"],
    [Number(ROLE.RISK)]: ["setPriceMoveParams", "setOutflowParams", "setUtilisationCap", "setCooldown"],
    [Number(ROLE.GUARDIAN)]: ["trip", "pause"],
    // The flow hooks answer the one-shot flow reporter (the vault) only: no role is mapped to them.
    [Number(ROLE.GATED)]: ["checkAction"],
  },
} as const;

async function mapRoles(
  manager: AccessManager,
  target: { getAddress(): Promise<string>; interface: { getFunction(name: string): { selector: string } | null } },
  map: Record<number, readonly string[]>,
): Promise<void> {
  const address = await target.getAddress();
  for (const [role, names] of Object.entries(map)) {
    const selectors = names.map((n) => target.interface.getFunction(n)!.selector);
    await manager.setTargetFunctionRole(address, selectors, BigInt(role));
  }
}

/** A CircuitBreaker with the core fixture's parameters over `router` (no market added, nothing mapped). */
export async function deployCoreBreaker(manager: string, router: string): Promise<CircuitBreaker> {
  return hre.ethers.deployContract("CircuitBreaker", [
    manager,
    router,
    6,
    CORE_BREAKER_PARAMS.outflowLimit,
    CORE_BREAKER_PARAMS.refillPeriod,
    CORE_BREAKER_PARAMS.utilisationCap,
    CORE_BREAKER_PARAMS.cooldown,
  ]);
}

/**
 * Deploys the core stack with no series and no capital: AccessManager (signer 0 is its admin with no delay),
 * 6-decimal mock quote token, the mock router (ETH at 2000), MarginEngineExtension + MarginEngine, OptionMarket,
 * LiquidityVault; maps every restricted selector to its role, grants RISK and GUARDIAN, wires the engine, registers
 * ETH with default caps. Signers: [0] admin, [1] risk, [2] guardian, [3] lp, [4] alice, [5] bob, [6] carol,
 * [7] keeper. Unit tests only: integration suites deploy the shipped protocol (test/helpers/protocolFixture.ts).
 */
export async function deployCoreStack(breakerKind: "real" | "passThrough" = "real"): Promise<CoreStack> {
  const { ethers } = hre;
  const [admin, risk, guardian, lp, alice, bob, carol, keeper] = await ethers.getSigners();

  const manager: AccessManager = await ethers.deployContract("AccessManager", [admin.address]);
  const router: MockOracleRouter = await ethers.deployContract("MockOracleRouter");
  const routerAddress = await router.getAddress();
  await router.setSpot(ETH, ETH_SPOT);
  await manager.grantRole(ROLE.RISK, risk.address, 0);
  await manager.grantRole(ROLE.GUARDIAN, guardian.address, 0);
  const managerAddress = await manager.getAddress();

  const token = await ethers.deployContract("MockQuoteToken");
  const tokenAddress = await token.getAddress();
  // The random invariant campaign opts into a pass-through breaker (its model does not predict automatic trips).
  const breaker =
    breakerKind === "real"
      ? await deployCoreBreaker(managerAddress, routerAddress)
      : ((await ethers.deployContract("PassThroughBreakerMock", [routerAddress])) as unknown as CircuitBreaker);
  const breakerAddress = await breaker.getAddress();
  const extension = await ethers.deployContract("MarginEngineExtension", [tokenAddress, routerAddress, managerAddress]);
  const engineCore = await ethers.deployContract("MarginEngine", [
    tokenAddress,
    routerAddress,
    await extension.getAddress(),
    managerAddress,
    DEFAULT_MARGIN_PARAMS,
    0n,
    breakerAddress,
  ]);
  const engineAddress = await engineCore.getAddress();
  const engine = await ethers.getContractAt("IMarginEngine", engineAddress);
  const market = await ethers.deployContract("OptionMarket", [engineAddress, managerAddress, DEFAULT_QUOTE_PARAMS]);
  const vault = await ethers.deployContract("LiquidityVault", [
    engineAddress,
    managerAddress,
    "Bulwark LP",
    "bLP",
    DEFAULT_MAX_SPOT_AGE,
  ]);

  await mapRoles(manager, engine, ROLE_MAP.engine);
  await mapRoles(manager, market, ROLE_MAP.market);
  await mapRoles(manager, vault, ROLE_MAP.vault);
  if (breakerKind === "real") {
    await mapRoles(manager, breaker, ROLE_MAP.breaker);
    for (const gated of [engineAddress, await market.getAddress()]) {
      await manager.grantRole(ROLE.GATED, gated, 0);
    }
    await breaker.connect(admin).addMarket(ETH, CORE_BREAKER_PARAMS.moveLimitBps, CORE_BREAKER_PARAMS.window);
    await breaker.connect(admin).setMetrics(await vault.getAddress());
    await breaker.connect(admin).setGateCache(await market.getAddress());
    await breaker.connect(admin).setFlowReporter(await vault.getAddress());
    await breaker.connect(admin).setPauseListener(engineAddress);
  }
  await engine.connect(admin).wire(await market.getAddress(), await vault.getAddress());
  await engine.connect(risk).addUnderlying(ETH);
  await market.connect(risk).setExposureCaps(ETH, DEFAULT_CAPS);

  return {
    manager,
    token,
    router,
    engine,
    engineCore,
    extension,
    market,
    vault,
    breaker,
    admin,
    risk,
    guardian,
    lp,
    alice,
    bob,
    carol,
    keeper,
  };
}

/**
 * The full core fixture on the mock router: `deployCoreStack()`, six ETH series listed 30 days out, 1,000,000
 * quote units in the vault from `lp`, 100,000 of collateral for each of alice, bob and carol (each also holds
 * 900,000 more and has approved the engine). Wrap it in `loadFixture`.
 */
export async function deployCoreFixture(breakerKind: "real" | "passThrough" = "real"): Promise<CoreFixture> {
  const stack = await deployCoreStack(breakerKind);
  const listed = await listStandardSeries(stack);
  await fundActors(stack);
  return { ...stack, ...listed };
}

/** Sets the mock router's spot of `underlying` (updated now). */
export async function setSpot(stack: CoreStack, price: bigint, underlying = ETH): Promise<void> {
  await stack.router.setSpot(underlying, price);
}

/**
 * Moves past `expiry` (if needed) and makes `price` the final settlement price of (`underlying`, `expiry`) on the
 * mock router; the spot is left fresh at `price`.
 */
export async function finaliseSettlement(stack: CoreStack, expiry: bigint, price: bigint, underlying = ETH): Promise<void> {
  if ((await now()) <= expiry) await warpTo(expiry + 1n);
  await stack.router.setSettlementPrice(underlying, expiry, price, true);
  await stack.router.setSpot(underlying, price);
}
