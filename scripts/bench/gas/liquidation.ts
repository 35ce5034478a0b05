import hre from "hardhat";
import { options, setSpot as setMockRouterSpot, usdc, wad } from "../../../test/helpers/coreFixture";
import { setSpot as setFeedsSpot } from "../../../test/helpers/protocolFixture";
import { deployLiquidationScenario } from "../../../test/integration/scenarios/liquidationSetup";
import {
  DEADLINE,
  deployLiquidationFixture,
  type LiquidationFixture,
} from "../../../test/unit/liquidation/liquidationFixture";
import { gasOf, revert, snapshot } from "../chain";

/**
 * Bound from the issue (gas units), asserted by test/unit/liquidation/LiquidationEngine.gas.test.ts for an account
 * holding only the liquidated series. The account with four open series (`liquidate`) measures about 182,000 on
 * the mock router: above the bound (every series of the account is priced, and its maintenance grid evaluated before
 * and after the close).
 */
export const GAS_BOUNDS: Record<string, bigint> = {
  "liquidate.one_series_account": 150_000n,
};

const MAX_PREMIUM = 2n ** 128n;

/** What the scenario needs of a fixture (the core's over the mock router, or the shipped deployment's). */
type LiquidationStack = Pick<
  LiquidationFixture,
  "market" | "engine" | "liquidation" | "dave" | "erin" | "keeper" | "series" | "token"
>;

/**
 * The scenario "one series of an account with four open series": dave is short 40 puts 2000 and also holds a long
 * call 2200, a long put 1800 and a short call 1800; the spot falls to 1650 so he fails maintenance; a keeper that
 * already received a fee once (its engine slot is warm) liquidates 4 of his 40 puts. Figures are receipt gasUsed
 * (21,000 intrinsic gas and calldata included), rolled back in between:
 *  - liquidate: dave was flagged beforehand (`flag`), the call leaves him still unhealthy (the common case);
 *  - liquidate.one_series_account: the same for erin, who holds only her 40 puts 2000;
 *  - liquidate.first_attempt: dave was never flagged, so the call also writes his `unhealthySince` stamp;
 *  - liquidate.cold_keeper: as `liquidate`, but the keeper's engine slot is written for the first time;
 *  - liquidate.batch_10: `liquidateMany` over ten flagged accounts, 4 puts each.
 */
async function measureWith(
  f: LiquidationStack,
  setSpot: (price: bigint) => Promise<void>
): Promise<Record<string, bigint>> {
  const { market, engine, liquidation, dave, erin, keeper, series, token } = f;
  const results: Record<string, bigint> = {};
  // Three more series for dave (he tops up his collateral first).
  await engine.connect(dave).deposit(dave.address, usdc(2_000));
  await market
    .connect(dave)
    .trade(series.call2200, options(1), MAX_PREMIUM, DEADLINE);
  await market
    .connect(dave)
    .trade(series.put1800, options(1), MAX_PREMIUM, DEADLINE);
  await market.connect(dave).trade(series.call1800, -options(1), 0n, DEADLINE);
  // Ten more put writers for the batch.
  const signers = (await hre.ethers.getSigners()).slice(10, 20);
  const engineAddress = await engine.getAddress();
  for (const who of signers) {
    await token.mint(who.address, usdc(100_000));
    await token.connect(who).approve(engineAddress, hre.ethers.MaxUint256);
    await engine.connect(who).deposit(who.address, usdc(9_000));
    await market.connect(who).trade(series.put2000, -options(40), 0n, DEADLINE);
  }
  await setSpot(wad(1650));
  const h = await engine.accountHealth(dave.address);
  if (h.health >= 10n ** 18n)
    throw new Error("dave is healthy: nothing to measure");
  const cold = await snapshot();

  results["liquidate.first_attempt"] = await gasOf(
    liquidation
      .connect(keeper)
      .liquidate(dave.address, series.put2000, options(4))
  );
  await revert(cold);
  const base0 = await snapshot();
  await liquidation.flag(dave.address);
  results["liquidate.cold_keeper"] = await gasOf(
    liquidation
      .connect(keeper)
      .liquidate(dave.address, series.put2000, options(4))
  );
  await revert(base0);

  // Warm the keeper's slot with a fee from erin, flag dave and the batch accounts.
  await liquidation
    .connect(keeper)
    .liquidate(erin.address, series.put2000, options(1));
  await liquidation.flag(dave.address);
  await liquidation.flag(erin.address);
  for (const who of signers) await liquidation.flag(who.address);
  const base = await snapshot();
  results["liquidate"] = await gasOf(
    liquidation
      .connect(keeper)
      .liquidate(dave.address, series.put2000, options(4))
  );
  await revert(base);
  results["liquidate.one_series_account"] = await gasOf(
    liquidation
      .connect(keeper)
      .liquidate(erin.address, series.put2000, options(4))
  );
  await revert(base);
  const items = signers.map((who) => ({
    account: who.address,
    seriesId: series.put2000,
    amount: options(4),
  }));
  results["liquidate.batch_10"] = await gasOf(
    liquidation.connect(keeper).liquidateMany(items)
  );
  await revert(base);
  return results;
}

/** Gas of liquidation over the mock router (the router's own cost is small). */
export async function measure(): Promise<Record<string, bigint>> {
  const f = await deployLiquidationFixture();
  return measureWith(f, (price) => setMockRouterSpot(f, price));
}

/**
 * The same operations on the shipped deployment (deployProtocol: the real OracleRouter with three Chainlink-style
 * sources), from the liquidation scenarios' starting state.
 */
export async function measureRealRouter(): Promise<Record<string, bigint>> {
  const f = await deployLiquidationScenario();
  return measureWith(f, (price) => setFeedsSpot(f, price));
}

async function main(): Promise<void> {
  for (const [name, fn] of [
    ["mock router", measure],
    ["real router", measureRealRouter],
  ] as const) {
    const r = await fn();
    for (const [k, v] of Object.entries(r)) console.log(`${name}\t${k}\t${v}`);
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
