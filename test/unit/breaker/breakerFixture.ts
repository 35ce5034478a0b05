/** Shared fixture and helpers of the CircuitBreaker unit tests. */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { BTC, ETH, WAD } from "../../helpers/units";
import type { BaseContract, ContractTransactionResponse, Signer } from "ethers";
import type {
  AccessManager,
  BreakerGateCacheMock,
  BreakerGatedMock,
  BreakerMetricsMock,
  BreakerRouterMock,
  CircuitBreaker,
} from "../../../typechain-types";

/** Role ids, mirroring contracts/access/Roles.sol. */
export const ROLE = { ADMIN: 0n, RISK: 1n, GUARDIAN: 2n, GATED: 3n } as const;
/** ICircuitBreaker.Mode */
export const Mode = { ACTIVE: 0n, REDUCE_ONLY: 1n, HALTED: 2n } as const;
/** ICircuitBreaker.ActionClass */
export const Cls = { RISK_INCREASING: 0n, RISK_REDUCING: 1n, EXIT: 2n, VIEW: 3n } as const;
/** ICircuitBreaker.Reason */
export const Reason = {
  NONE: 0n,
  GUARDIAN: 1n,
  ORACLE_DEGRADED: 2n,
  ORACLE_FAILED: 3n,
  PRICE_MOVE: 4n,
  OUTFLOW: 5n,
  UTILISATION: 6n,
  GLOBAL: 7n,
} as const;
/** ICircuitBreaker.Parameter */
export const Param = {
  PRICE_MOVE_LIMIT: 0n,
  PRICE_MOVE_WINDOW: 1n,
  OUTFLOW_LIMIT: 2n,
  OUTFLOW_REFILL_PERIOD: 3n,
  UTILISATION_CAP: 4n,
  COOLDOWN: 5n,
} as const;
/** IOracleRouter.Status */
export const Status = { OK: 0n, DEGRADED: 1n, FAILED: 2n } as const;

export const GLOBAL = ethers.ZeroHash;
export { BTC, ETH, WAD };
export const UNKNOWN = ethers.encodeBytes32String("DOGE");

export const USDC = 10n ** 6n;
export const ETH_SPOT = 3_000n * WAD;
export const BTC_SPOT = 60_000n * WAD;

/** Deployment parameters of the fixture. */
export const PARAMS = {
  quoteDecimals: 6,
  outflowLimit: 1_000_000n * USDC,
  refillPeriod: 24 * 3600,
  utilisationCap: (9n * WAD) / 10n,
  cooldown: 3600,
  moveLimitBps: 1_000, // 10%
  window: 3600,
  adminDelay: 2 * 24 * 3600,
} as const;

/**
 * A breaker wired as in production: an AccessManager with a timelocked admin, RISK, GUARDIAN and a GATED mock; two
 * markets (ETH, BTC) with readings in the router mock; the metrics mock wired. The deployer wires everything, then
 * hands ADMIN to `admin` with the execution delay and renounces its own.
 */
export async function deployBreaker() {
  const [deployer, admin, risk, guardian, alice, bob, stranger, ...others] = await ethers.getSigners();

  const manager = (await ethers.deployContract("AccessManager", [deployer.address])) as unknown as AccessManager;
  const router = (await ethers.deployContract("BreakerRouterMock")) as unknown as BreakerRouterMock;
  const metrics = (await ethers.deployContract("BreakerMetricsMock")) as unknown as BreakerMetricsMock;
  const breaker = await deployBreakerOver(manager, router);
  const gated = (await ethers.deployContract("BreakerGatedMock", [
    await breaker.getAddress(),
  ])) as unknown as BreakerGatedMock;
  // A contract wired like `gated` but never granted GATED nor wired as the flow reporter.
  const rogue = (await ethers.deployContract("BreakerGatedMock", [
    await breaker.getAddress(),
  ])) as unknown as BreakerGatedMock;

  const target = await breaker.getAddress();
  const sel = (names: string[]) => names.map((n) => breaker.getFunction(n).fragment.selector);
  await manager.setTargetFunctionRole(target, sel(["trip", "pause"]), ROLE.GUARDIAN);
  await manager.setTargetFunctionRole(
    target,
    sel(["setPriceMoveParams", "setOutflowParams", "setUtilisationCap", "setCooldown"]),
    ROLE.RISK
  );
  await manager.setTargetFunctionRole(target, sel(["checkAction"]), ROLE.GATED);
  // lift, unpause, addMarket, setMetrics and setFlowReporter stay on ADMIN_ROLE, the AccessManager's default.
  await manager.grantRole(ROLE.GUARDIAN, guardian.address, 0);
  await manager.grantRole(ROLE.RISK, risk.address, 0);
  await manager.grantRole(ROLE.GATED, await gated.getAddress(), 0);

  await breaker.addMarket(ETH, PARAMS.moveLimitBps, PARAMS.window);
  await breaker.addMarket(BTC, PARAMS.moveLimitBps, PARAMS.window);
  await breaker.setMetrics(await metrics.getAddress());
  // `gated` also stands for the vault: the one-shot flow reporter, the only caller of the flow hooks.
  await breaker.setFlowReporter(await gated.getAddress());

  await manager.grantRole(ROLE.ADMIN, admin.address, PARAMS.adminDelay);
  await manager.renounceRole(ROLE.ADMIN, deployer.address);

  await router.setSpot(ETH, ETH_SPOT, Status.OK);
  await router.setSpot(BTC, BTC_SPOT, Status.OK);
  await metrics.setUtilisation(WAD / 2n);

  return {
    manager,
    router,
    metrics,
    breaker,
    gated,
    rogue,
    deployer,
    admin,
    risk,
    guardian,
    alice,
    bob,
    stranger,
    others,
  };
}

/** The fixture after one reading per market, so each market has a reference price and the next check is read-only. */
export async function deployBreakerWithReferences() {
  const f = await deployBreaker();
  await f.gated.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK);
  await f.gated.act(BTC, Cls.RISK_INCREASING, BTC_SPOT, Status.OK);
  return f;
}

/**
 * The fixture with references plus a gate cache (`BreakerGateCacheMock`, holding copies the way the OptionMarket
 * does), granted GATED and wired by the timelocked admin; then one fresh reading per market through the cache, so
 * each market has a running window and a nonzero copy.
 */
export async function deployBreakerWithGateCache() {
  const f = await deployBreakerWithReferences();
  const cache = (await ethers.deployContract("BreakerGateCacheMock", [
    await f.breaker.getAddress(),
  ])) as unknown as BreakerGateCacheMock;
  const cacheAddress = await cache.getAddress();
  await adminExecute(
    f.manager,
    f.admin,
    f.manager,
    f.manager.interface.encodeFunctionData("grantRole", [ROLE.GATED, cacheAddress, 0])
  );
  await adminExecute(f.manager, f.admin, f.breaker, f.breaker.interface.encodeFunctionData("setGateCache", [cacheAddress]));
  // The timelock outlived the windows: these readings roll them (and push the new copies).
  await cache.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK);
  await cache.act(BTC, Cls.RISK_INCREASING, BTC_SPOT, Status.OK);
  return { ...f, cache };
}

/** Schedules `data` on `target` as the timelocked admin, waits out the delay and executes it. */
export async function adminExecute(
  manager: AccessManager,
  admin: Signer,
  target: BaseContract,
  data: string
): Promise<ContractTransactionResponse> {
  const to = await target.getAddress();
  await manager.connect(admin).schedule(to, data, 0);
  await time.increase(PARAMS.adminDelay);
  return manager.connect(admin).execute(to, data);
}

/** Gas the calldata of `tx` costs (4 per zero byte, 16 per nonzero byte), to compare transactions fairly. */
export function calldataGas(data: string): bigint {
  const bytes = ethers.getBytes(data);
  let gas = 0n;
  for (const b of bytes) gas += b === 0 ? 4n : 16n;
  return gas;
}

/** Gas used by a transaction, minus its calldata cost (so two calls differing only in selector compare fairly). */
export async function executionGas(tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  if (!receipt) throw new Error("no receipt");
  return receipt.gasUsed - calldataGas(tx.data);
}

/**
 * A breaker without markets whose AccessManager admin is the deployer without delay, for wiring and constructor
 * tests that would otherwise wait out the timelock at every step.
 */
/** A CircuitBreaker with the fixture's parameters over `router`, managed by `manager`. */
async function deployBreakerOver(manager: AccessManager, router: BreakerRouterMock): Promise<CircuitBreaker> {
  return (await ethers.deployContract("CircuitBreaker", [
    await manager.getAddress(),
    await router.getAddress(),
    PARAMS.quoteDecimals,
    PARAMS.outflowLimit,
    PARAMS.refillPeriod,
    PARAMS.utilisationCap,
    PARAMS.cooldown,
  ])) as unknown as CircuitBreaker;
}

export async function deployBareBreaker() {
  const [deployer, guardian, stranger] = await ethers.getSigners();
  const manager = (await ethers.deployContract("AccessManager", [deployer.address])) as unknown as AccessManager;
  const router = (await ethers.deployContract("BreakerRouterMock")) as unknown as BreakerRouterMock;
  const breaker = await deployBreakerOver(manager, router);
  const gated = (await ethers.deployContract("BreakerGatedMock", [
    await breaker.getAddress(),
  ])) as unknown as BreakerGatedMock;
  const target = await breaker.getAddress();
  await manager.setTargetFunctionRole(target, [breaker.getFunction("trip").fragment.selector], ROLE.GUARDIAN);
  await manager.setTargetFunctionRole(target, [breaker.getFunction("checkAction").fragment.selector], ROLE.GATED);
  await manager.grantRole(ROLE.GUARDIAN, guardian.address, 0);
  await manager.grantRole(ROLE.GATED, await gated.getAddress(), 0);
  await breaker.setFlowReporter(await gated.getAddress());
  return { manager, router, breaker, gated, deployer, guardian, stranger };
}

/** A breaker with no flow reporter wired yet (the deployer holds ADMIN), and a vault-like mock over it. */
export async function deployBreakerWithoutFlowReporter() {
  const [deployer, stranger] = await ethers.getSigners();
  const manager = (await ethers.deployContract("AccessManager", [deployer.address])) as unknown as AccessManager;
  const router = (await ethers.deployContract("BreakerRouterMock")) as unknown as BreakerRouterMock;
  const breaker = await deployBreakerOver(manager, router);
  const vault = (await ethers.deployContract("BreakerGatedMock", [
    await breaker.getAddress(),
  ])) as unknown as BreakerGatedMock;
  return { manager, router, breaker, vault, deployer, stranger };
}
