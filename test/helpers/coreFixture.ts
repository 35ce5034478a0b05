import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  AccessManager,
  CircuitBreaker,
  IMarginEngine,
  LiquidityVault,
  MarginEngine,
  MarginEngineExtension,
  MockOracleRouter,
  MockQuoteToken,
  OptionMarket,
} from "../../typechain-types";

/** Role ids, as in contracts/access/Roles.sol. */
export const ROLE = { ADMIN: 0n, RISK: 1n, GUARDIAN: 2n, GATED: 3n } as const;

export const WAD = 10n ** 18n;
export const ETH = hre.ethers.encodeBytes32String("ETH");
export const BTC = hre.ethers.encodeBytes32String("BTC");

/** Quote units (6 decimals) from a decimal string or number of whole units. */
export function usdc(value: string | number | bigint): bigint {
  return hre.ethers.parseUnits(value.toString(), 6);
}

/** WAD from a decimal string or number. */
export function wad(value: string | number | bigint): bigint {
  return hre.ethers.parseUnits(value.toString(), 18);
}

/** Option amounts are 18-decimal: `options(2)` is two options. */
export const options = wad;

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
/** Implied volatility of the listed series. */
export const DEFAULT_VOL = wad("0.8");
/** Initial ETH spot. */
export const ETH_SPOT = wad(2000);
/** LP capital deposited by the full fixture. */
export const LP_DEPOSIT = usdc(1_000_000);
/** Collateral each trader deposits in the full fixture. */
export const TRADER_DEPOSIT = usdc(100_000);

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

export interface CoreStack {
  manager: AccessManager;
  token: MockQuoteToken;
  /** The scriptable mock router. */
  router: MockOracleRouter;
  /** The engine at its address, with its full interface (core and extension). */
  engine: IMarginEngine;
  engineCore: MarginEngine;
  extension: MarginEngineExtension;
  market: OptionMarket;
  vault: LiquidityVault;
  /** The circuit breaker every gated entry point asks (markets: ETH). */
  breaker: CircuitBreaker;
  admin: HardhatEthersSigner;
  risk: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  lp: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
}

export interface CoreFixture extends CoreStack {
  /** Expiry of the listed series (30 days after deployment). */
  expiry: bigint;
  /** Listed ETH series ids by name. */
  series: {
    call1800: bigint;
    call2000: bigint;
    call2200: bigint;
    put1800: bigint;
    put2000: bigint;
    put2200: bigint;
  };
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
    [Number(ROLE.ADMIN)]: ["lift", "unpause", "addMarket", "setMetrics", "setGateCache"],
    [Number(ROLE.RISK)]: ["setPriceMoveParams", "setOutflowParams", "setUtilisationCap", "setCooldown"],
    [Number(ROLE.GUARDIAN)]: ["trip", "pause"],
    [Number(ROLE.GATED)]: ["checkAction", "recordOutflow", "recordInflow"],
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
    for (const gated of [engineAddress, await market.getAddress(), await vault.getAddress()]) {
      await manager.grantRole(ROLE.GATED, gated, 0);
    }
    await breaker.connect(admin).addMarket(ETH, CORE_BREAKER_PARAMS.moveLimitBps, CORE_BREAKER_PARAMS.window);
    await breaker.connect(admin).setMetrics(await vault.getAddress());
    await breaker.connect(admin).setGateCache(await market.getAddress());
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

/** Latest block timestamp. */
export async function now(): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}

/** Lists the six ETH series (calls and puts at 1800, 2000, 2200) expiring 30 days from now. */
async function listDefaultSeries(stack: CoreStack): Promise<{ expiry: bigint; series: CoreFixture["series"] }> {
  const expiry = (await now()) + 30n * 86_400n;
  const ids: bigint[] = [];
  for (const [strike, isCall] of [
    [1800, true],
    [2000, true],
    [2200, true],
    [1800, false],
    [2000, false],
    [2200, false],
  ] as const) {
    await stack.market.connect(stack.risk).listSeries(ETH, wad(strike), expiry, isCall, DEFAULT_VOL);
    ids.push(await stack.engine.seriesCount());
  }
  const [call1800, call2000, call2200, put1800, put2000, put2200] = ids;
  return { expiry, series: { call1800, call2000, call2200, put1800, put2000, put2200 } };
}

/** Funds the LP and the traders, deposits LP capital into the vault and trader collateral into the engine. */
async function fund(stack: CoreStack): Promise<void> {
  const { token, engine, vault, lp, alice, bob, carol } = stack;
  const engineAddress = await engine.getAddress();
  const vaultAddress = await vault.getAddress();
  await token.mint(lp.address, LP_DEPOSIT * 10n);
  await token.connect(lp).approve(vaultAddress, hre.ethers.MaxUint256);
  await vault.connect(lp).deposit(LP_DEPOSIT, lp.address);
  for (const trader of [alice, bob, carol]) {
    await token.mint(trader.address, TRADER_DEPOSIT * 10n);
    await token.connect(trader).approve(engineAddress, hre.ethers.MaxUint256);
    await engine.connect(trader).deposit(trader.address, TRADER_DEPOSIT);
  }
}

/**
 * The full core fixture on the mock router: `deployCoreStack()`, six ETH series listed 30 days out, 1,000,000
 * quote units in the vault from `lp`, 100,000 of collateral for each of alice, bob and carol (each also holds
 * 900,000 more and has approved the engine). Wrap it in `loadFixture`.
 */
export async function deployCoreFixture(breakerKind: "real" | "passThrough" = "real"): Promise<CoreFixture> {
  const stack = await deployCoreStack(breakerKind);
  const listed = await listDefaultSeries(stack);
  await fund(stack);
  return { ...stack, ...listed };
}

/** Sets the mock router's spot of `underlying` (updated now). */
export async function setSpot(stack: CoreStack, price: bigint, underlying = ETH): Promise<void> {
  await stack.router.setSpot(underlying, price);
}

/** Mines the next block at `timestamp`. */
async function travel(timestamp: bigint): Promise<void> {
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
  await hre.network.provider.send("evm_mine", []);
}

/**
 * Moves past `expiry` (if needed) and makes `price` the final settlement price of (`underlying`, `expiry`) on the
 * mock router; the spot is left fresh at `price`.
 */
export async function finaliseSettlement(stack: CoreStack, expiry: bigint, price: bigint, underlying = ETH): Promise<void> {
  if ((await now()) <= expiry) await travel(expiry + 1n);
  await stack.router.setSettlementPrice(underlying, expiry, price, true);
  await stack.router.setSpot(underlying, price);
}
