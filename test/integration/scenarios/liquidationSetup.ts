/**
 * The state the liquidation scenarios start from, over the shipped deployment: a 10% price-move limit on ETH (so a
 * crash trips the market), two thinly collateralised put writers and an insurance fund holding 1,000.
 */
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  DEADLINE,
  deployProtocolFixture,
  extraAccount,
  options,
  usdc,
  type ProtocolFixture,
} from "../../helpers/protocolFixture";

/** Parameter changes of the liquidation scenarios: the ETH market trips on a 10% move within an hour. */
export const LIQUIDATION_SCENARIO_PARAMETERS = { breaker: { markets: { ETH: { moveLimitBps: 1_000 } } } };

export interface LiquidationScenario extends ProtocolFixture {
  /** 9,000 of collateral, short 40 puts 2000 at spot 2000 (near its initial margin). */
  dave: HardhatEthersSigner;
  /** A second account like dave. */
  erin: HardhatEthersSigner;
}

/** The shipped deployment with the scenario parameters, dave and erin short 40 puts 2000 each, the fund at 1,000. */
export async function deployLiquidationScenario(): Promise<LiquidationScenario> {
  const f = await deployProtocolFixture(LIQUIDATION_SCENARIO_PARAMETERS);
  const [dave, erin] = [await extraAccount("dave"), await extraAccount("erin")];
  const engineAddress = await f.engine.getAddress();
  for (const who of [dave, erin]) {
    await f.token.mint(who.address, usdc(1_000_000));
    await f.token.connect(who).approve(engineAddress, hre.ethers.MaxUint256);
    await f.engine.connect(who).deposit(who.address, usdc(9_000));
    await f.market.connect(who).trade(f.series.put2000, -options(40), 0n, DEADLINE);
  }
  // Anyone may fund the insurance fund; the deployer does it here.
  await f.token.mint(f.deployer.address, usdc(1_000));
  await f.token.connect(f.deployer).approve(await f.insurance.getAddress(), usdc(1_000));
  await f.insurance.connect(f.deployer).fund(usdc(1_000));
  return { ...f, dave, erin };
}
