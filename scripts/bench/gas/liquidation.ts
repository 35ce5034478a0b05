import hre from "hardhat";
import { options, setSpot as setMockRouterSpot, usdc, wad } from "../../../test/helpers/coreFixture";
import {
  deployProtocolFixture,
  extraAccount,
  setSpot as setFeedsSpot,
  type ProtocolFixture,
} from "../../../test/helpers/protocolFixture";
import { deployLiquidationScenario } from "../../../test/integration/scenarios/liquidationSetup";
import {
  DEADLINE,
  deployLiquidationFixture,
  type LiquidationFixture,
} from "../../../test/unit/liquidation/liquidationFixture";
import { gasOf, revert, snapshot } from "../chain";
import type { Recorder } from "./trading";

/**
 * Bound from the issue (gas units), asserted by test/unit/liquidation/LiquidationEngine.gas.test.ts for an account
 * holding only the liquidated series. The account with four open series (`liquidate`) measures about 182,000 on
 * the mock router: above the bound (every series of the account is priced, and its maintenance grid evaluated before
 * and after the close).
 */
export const GAS_BOUNDS: Record<string, bigint> = {
  "liquidate.one_series_account": 150_000n,
};

/** Items of the batch scenario (`liquidateMany`'s largest batch). */
export const BATCH_ITEMS = 20;

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
async function measureMockRouter(): Promise<Record<string, bigint>> {
  const f = await deployLiquidationFixture();
  return measureWith(f, (price) => setMockRouterSpot(f, price));
}

/** The suite's figures: the operations over the mock router, and the batch scenario on the shipped deployment. */
export async function measure(): Promise<Record<string, bigint>> {
  return { ...(await measureMockRouter()), ...(await measureBatch()) };
}

/**
 * The same operations on the shipped deployment (deployProtocol: the real OracleRouter with three Chainlink-style
 * sources), from the liquidation scenarios' starting state.
 */
export async function measureRealRouter(): Promise<Record<string, bigint>> {
  const f = await deployLiquidationScenario();
  return measureWith(f, (price) => setFeedsSpot(f, price));
}

/** Option amount each account of the batch scenario is short (as in the keeper benchmark). */
const BATCH_SHORT = wad("0.01");

/**
 * The scenario of issue #5 at one batch: on the shipped deployment (three-source router), twenty accounts each hold
 * one short call 2200 of 0.01 ETH with thin collateral (the initial requirement plus 5%, as in
 * scripts/bench/keepers.ts); every feed moves +30% in one step, so each fails maintenance, none was ever flagged;
 * a keeper whose engine slot is already warm (it liquidated a twenty-first such account first) sends one
 * `liquidateMany` of the twenty, each asking for the whole short (dust: closed in full, the account ends empty).
 * Figures: `liquidate.batch_20` (receipt gasUsed) and `liquidate.batch_20_per_item` ((gasUsed - 21,000) / 20, the
 * keeper benchmark's `gasPerItem`). `record` sends the measured transaction (`gasOf` by default).
 */
export async function runBatchScenario(
  f: ProtocolFixture,
  record: Recorder = (_n, tx) => gasOf(tx)
): Promise<Record<string, bigint>> {
  const { engine, market, liquidation, token, keeper, series } = f;
  const engineAddress = await engine.getAddress();
  const accounts = [];
  for (let i = 0; i <= BATCH_ITEMS; ++i) accounts.push(await extraAccount(`liquidation-batch-${i}`));
  // Thin collateral: the initial requirement of the short, less its mark, plus 5% (a probe account measures it).
  const probe = await extraAccount("liquidation-batch-probe");
  await token.mint(probe.address, usdc(100_000));
  await token.connect(probe).approve(engineAddress, hre.ethers.MaxUint256);
  await engine.connect(probe).deposit(probe.address, usdc(10_000));
  await market.connect(probe).trade(series.call2200, -BATCH_SHORT, 0n, DEADLINE);
  const [initial] = await engine.requirementsOf(probe.address);
  const markValue = (await engine.equityOf(probe.address)) - BigInt(await engine.collateralOf(probe.address));
  const thin = initial - markValue + initial / 20n + usdc("0.01");
  for (const who of accounts) {
    await token.mint(who.address, thin);
    await token.connect(who).approve(engineAddress, hre.ethers.MaxUint256);
    await engine.connect(who).deposit(who.address, thin);
    await market.connect(who).trade(series.call2200, -BATCH_SHORT, 0n, DEADLINE);
  }
  await setFeedsSpot(f, wad(2600));
  for (const who of accounts) {
    const h = await engine.accountHealth(who.address);
    if (h.health >= 10n ** 18n) throw new Error(`${who.address} is healthy after the move: nothing to measure`);
  }
  // The keeper's engine slot is warm, as in every batch of a run but its first.
  const [first, ...batch] = accounts;
  await liquidation.connect(keeper).liquidate(first.address, series.call2200, BATCH_SHORT);
  const items = batch.map((who) => ({ account: who.address, seriesId: series.call2200, amount: BATCH_SHORT }));
  const gas = await record("liquidate.batch_20", liquidation.connect(keeper).liquidateMany(items));
  const liquidated = await liquidation.queryFilter(liquidation.filters.Liquidated(), "latest");
  if (liquidated.length !== BATCH_ITEMS) throw new Error(`${liquidated.length} of ${BATCH_ITEMS} items liquidated`);
  return {
    "liquidate.batch_20": gas,
    "liquidate.batch_20_per_item": (gas - 21_000n) / BigInt(BATCH_ITEMS),
  };
}

/** The batch scenario on a fresh shipped deployment. */
export async function measureBatch(): Promise<Record<string, bigint>> {
  return runBatchScenario(await deployProtocolFixture());
}

async function main(): Promise<void> {
  for (const [name, fn] of [
    ["mock router", measureMockRouter],
    ["real router", measureRealRouter],
    ["real router", measureBatch],
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
