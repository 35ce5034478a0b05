import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type {
  CircuitBreaker,
  InsuranceFund,
  LiquidationEngine,
} from "../../../typechain-types";
import {
  deployCoreFixture,
  ETH,
  options,
  usdc,
  wad,
  type CoreFixture,
} from "../../helpers/coreFixture";

/** Role ids, as in contracts/access/Roles.sol. */
export const LIQ_ROLE = {
  ADMIN: 0n,
  RISK: 1n,
  GUARDIAN: 2n,
  GATED: 3n,
} as const;
export const Mode = { ACTIVE: 0n, REDUCE_ONLY: 1n, HALTED: 2n } as const;
export const Status = { OK: 0n, DEGRADED: 1n, FAILED: 2n } as const;
export const DEADLINE = 2n ** 64n;

/** The policy the fixture deploys with. */
export const LIQ_PARAMS = {
  closeFactor: wad("0.5"),
  dustAmount: options("0.5"),
  penaltyRate: wad("0.02"),
  baseFeeRate: wad("0.005"),
  feeSlopePerSecond: 10n ** 12n, // +0.0001% per second: +0.36% per hour
  maxFeeRate: wad("0.02"),
  insuranceShare: wad("0.5"),
  maxSpotAge: 3600n,
};

/** Breaker construction parameters (as the breaker's own tests use). */
export const BREAKER_PARAMS = {
  outflowLimit: usdc(1_000_000),
  refillPeriod: 24 * 3600,
  utilisationCap: wad("0.9"),
  cooldown: 3600,
  moveLimitBps: 1_000,
  window: 3600,
};

export interface LiquidationFixture extends CoreFixture {
  breaker: CircuitBreaker;
  liquidation: LiquidationEngine;
  insurance: InsuranceFund;
  /** Account with 9,000 of collateral, short 40 puts 2000 at spot 2000 (near its initial margin). */
  dave: HardhatEthersSigner;
  /** A second account like dave, short 40 puts 2000. */
  erin: HardhatEthersSigner;
}

/** Restricted selectors of the liquidation contracts and the role each is meant for. */
export const LIQ_ROLE_MAP = {
  engine: { [Number(LIQ_ROLE.ADMIN)]: ["wireLiquidation"] },
  liquidation: { [Number(LIQ_ROLE.RISK)]: ["setParams"] },
  insurance: { [Number(LIQ_ROLE.ADMIN)]: ["withdraw"] },
  breaker: {
    [Number(LIQ_ROLE.GATED)]: ["checkAction"],
    [Number(LIQ_ROLE.GUARDIAN)]: ["trip", "pause"],
  },
} as const;

/** Deploys the breaker, the insurance fund and the liquidation engine over a core fixture and wires them. */
export async function addLiquidation(
  f: CoreFixture
): Promise<LiquidationFixture> {
  const { ethers } = hre;
  const signers = await ethers.getSigners();
  const [dave, erin] = [signers[8], signers[9]];
  const managerAddress = await f.manager.getAddress();
  const routerAddress = await f.engine.oracle();
  const breaker = await ethers.deployContract("CircuitBreaker", [
    managerAddress,
    routerAddress,
    6,
    BREAKER_PARAMS.outflowLimit,
    BREAKER_PARAMS.refillPeriod,
    BREAKER_PARAMS.utilisationCap,
    BREAKER_PARAMS.cooldown,
  ]);
  await breaker
    .connect(f.admin)
    .addMarket(ETH, BREAKER_PARAMS.moveLimitBps, BREAKER_PARAMS.window);
  const insurance = await ethers.deployContract("InsuranceFund", [
    await f.engine.getAddress(),
    managerAddress,
  ]);
  const liquidation = await ethers.deployContract("LiquidationEngine", [
    await f.engine.getAddress(),
    await breaker.getAddress(),
    managerAddress,
    LIQ_PARAMS,
  ]);
  const map = async (
    target: {
      getAddress(): Promise<string>;
      interface: { getFunction(n: string): { selector: string } | null };
    },
    roles: Record<number, readonly string[]>
  ) => {
    for (const [role, names] of Object.entries(roles)) {
      const selectors = names.map(
        (n) => target.interface.getFunction(n)!.selector
      );
      await f.manager
        .connect(f.admin)
        .setTargetFunctionRole(
          await target.getAddress(),
          selectors,
          BigInt(role)
        );
    }
  };
  await map(f.engine, LIQ_ROLE_MAP.engine);
  await map(liquidation, LIQ_ROLE_MAP.liquidation);
  await map(insurance, LIQ_ROLE_MAP.insurance);
  await map(breaker, LIQ_ROLE_MAP.breaker);
  await f.manager
    .connect(f.admin)
    .grantRole(LIQ_ROLE.GATED, await liquidation.getAddress(), 0);
  await f.engine
    .connect(f.admin)
    .wireLiquidation(
      await liquidation.getAddress(),
      await insurance.getAddress()
    );

  // Two thinly collateralised put writers.
  const engineAddress = await f.engine.getAddress();
  for (const who of [dave, erin]) {
    await f.token.mint(who.address, usdc(1_000_000));
    await f.token.connect(who).approve(engineAddress, ethers.MaxUint256);
    await f.engine.connect(who).deposit(who.address, usdc(9_000));
    await f.market
      .connect(who)
      .trade(f.series.put2000, -options(40), 0n, DEADLINE);
  }
  // The insurance fund starts with 1,000.
  await f.token.mint(f.admin.address, usdc(1_000_000));
  await f.token
    .connect(f.admin)
    .approve(await insurance.getAddress(), ethers.MaxUint256);
  await insurance.connect(f.admin).fund(usdc(1_000));
  return { ...f, breaker, liquidation, insurance, dave, erin };
}

/** Core fixture (mock router) plus liquidation. */
export async function deployLiquidationFixture(): Promise<LiquidationFixture> {
  return addLiquidation(await deployCoreFixture());
}

