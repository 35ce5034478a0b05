import type { ContractTransactionResponse } from "ethers";
import {
  deployCoreFixture,
  finaliseSettlement as finaliseOnMockRouter,
  options,
  usdc,
  wad,
  type CoreFixture,
} from "../../../test/helpers/coreFixture";
import { deployProtocolFixture, finaliseSettlement as finaliseThroughFeeds } from "../../../test/helpers/protocolFixture";
import { gasOf, revert, snapshot } from "../chain";

const DEADLINE = 2n ** 64n;
const MAX_PREMIUM = 2n ** 128n;

/** What the scenario needs of a fixture (the shipped deployment's or the core's over the mock router). */
type TradingStack = Pick<CoreFixture, "market" | "vault" | "engine" | "alice" | "lp" | "keeper" | "series" | "expiry">;
/** Makes `price` the final settlement price of the series' expiry. */
type Finalise = (expiry: bigint, price: bigint) => Promise<void>;
/** Receives each measured transaction of the scenario, by operation name; returns its gas figure. */
export type Recorder = (name: string, tx: Promise<ContractTransactionResponse>) => Promise<bigint>;

/**
 * The scenario "a warm account with 3 other open series": alice holds a long call 2200, a long put 1800 and a
 * short call 1800 (collateral already deposited, every storage slot she touches already written once); the
 * vault is the counterparty of those three series and holds 1,000,000 of LP capital. Each operation is measured
 * from that state (rolled back in between), as the receipt's gasUsed (21,000 intrinsic gas and calldata
 * included):
 *  - trade.buy: alice buys 1 call 2000 (a fourth series for her and the vault);
 *  - trade.sell_short: alice sells 1 put 2000 short (a fourth series, full margin checks of alice and vault);
 *  - trade.close: alice holds a fourth position and closes it fully; the larger of closing a long (sell, alice's
 *    margin checked because she holds a short) and buying back a short;
 *  - settle.position: after expiry and a final settlement price, and once the expiry's price is copied into the
 *    engine (`recordExpiryPrice`, once per underlying and expiry, measured as settle.expiry_price), a keeper settles
 *    alice's in-the-money long call 2000 (her three other series still open); settle.position_router_price is the
 *    same settlement before the copy (the engine then reads the router's price);
 *  - vault.deposit / vault.redeem: the LP (already a shareholder) deposits 10,000, then redeems shares worth
 *    about 10,000, while the vault is the counterparty of alice's three series (NAV prices all three).
 * `record` sends each measured transaction and returns its figure (`gasOf` by default).
 */
export async function runScenario(
  f: TradingStack,
  finalise: Finalise,
  record: Recorder = (_n, tx) => gasOf(tx),
): Promise<Record<string, bigint>> {
  const { market, vault, engine, alice, lp, keeper, series, expiry } = f;
  const results: Record<string, bigint> = {};
  const trade = (id: bigint, amount: bigint, limit: bigint) => market.connect(alice).trade(id, amount, limit, DEADLINE);

  await trade(series.call2200, options(1), MAX_PREMIUM);
  await trade(series.put1800, options(1), MAX_PREMIUM);
  await trade(series.call1800, -options(1), 0n);
  // Warm the LP's share balance and the vault's slots the way a second deposit would find them.
  await vault.connect(lp).deposit(usdc(1), lp.address);
  const base = await snapshot();

  results["trade.buy"] = await record("trade.buy", trade(series.call2000, options(1), MAX_PREMIUM));
  await revert(base);
  const base1 = await snapshot();

  results["trade.sell_short"] = await record("trade.sell_short", trade(series.put2000, -options(1), 0n));
  await revert(base1);
  const base2 = await snapshot();

  await trade(series.call2000, options(1), MAX_PREMIUM);
  const closeLong = await record("trade.close_long", trade(series.call2000, -options(1), 0n));
  await revert(base2);
  const base3 = await snapshot();
  await trade(series.put2000, -options(1), 0n);
  const closeShort = await record("trade.close_short", trade(series.put2000, options(1), MAX_PREMIUM));
  results["trade.close"] = closeLong > closeShort ? closeLong : closeShort;
  await revert(base3);
  const base4 = await snapshot();

  results["vault.deposit"] = await record("vault.deposit", vault.connect(lp).deposit(usdc(10_000), lp.address));
  const shares = await vault.convertToShares(usdc(10_000));
  results["vault.redeem"] = await record("vault.redeem", vault.connect(lp).redeem(shares, lp.address, lp.address));

  await trade(series.call2000, options(1), MAX_PREMIUM);
  await finalise(expiry, wad(2100));
  const expired = await snapshot();
  const settle = () => engine.connect(keeper).settle(alice.address, series.call2000);
  results["settle.position_router_price"] = await record("settle.position_router_price", settle());
  await revert(expired);
  results["settle.expiry_price"] = await record(
    "settle.expiry_price",
    engine.connect(keeper).recordExpiryPrice(series.call2000),
  );
  results["settle.position"] = await record("settle.position", settle());
  await revert(base4);
  return results;
}

/** The scenario on the protocol as `deployProtocol` ships it (Ignition modules, three Chainlink-style sources). */
export async function measureShipped(): Promise<Record<string, bigint>> {
  const f = await deployProtocolFixture();
  return runScenario(f, (expiry, price) => finaliseThroughFeeds(f, expiry, price));
}

/** The scenario on the trading core over the scriptable mock router: the core's own cost. */
export async function measureCore(): Promise<Record<string, bigint>> {
  const f = await deployCoreFixture();
  return runScenario(f, (expiry, price) => finaliseOnMockRouter(f, expiry, price));
}

/**
 * The trading operations of the issue, each as one transaction's receipt gasUsed:
 *  - `<operation>`: the shipped deployment, over the real OracleRouter with three Chainlink-style sources (one spot
 *    read per underlying per transaction costs about 34,000 of it, with cold accounts);
 *  - `<operation>.core`: the same scenario over the scriptable mock router (about 7,000 per read): the trading
 *    core's own cost, the oracle's being benchmarked by its own suite.
 */
export async function measure(): Promise<Record<string, bigint>> {
  const full = await measureShipped();
  const core = await measureCore();
  const out: Record<string, bigint> = { ...full };
  for (const [name, gas] of Object.entries(core)) out[`${name}.core`] = gas;
  return out;
}
