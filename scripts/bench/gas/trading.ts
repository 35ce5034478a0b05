import hre from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import {
  deployCoreFixture,
  deployCoreWithRouterFixture,
  ETH,
  now,
  options,
  setSpot,
  usdc,
  wad,
  type CoreFixture,
} from "../../../test/helpers/coreFixture";

/** Bounds from the issue (gas units). */
export const GAS_BOUNDS: Record<string, bigint> = {
  "trade.buy": 180_000n,
  "trade.sell_short": 250_000n,
  "trade.close": 180_000n,
  "settle.position": 70_000n,
  "vault.deposit": 120_000n,
  "vault.redeem": 120_000n,
};

const DEADLINE = 2n ** 64n;
const MAX_PREMIUM = 2n ** 128n;

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return receipt!.gasUsed;
}

async function snapshot(): Promise<string> {
  return hre.network.provider.send("evm_snapshot", []);
}

async function revert(id: string): Promise<void> {
  await hre.network.provider.send("evm_revert", [id]);
}

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
 *  - settle.position: after expiry and a final settlement price, a keeper settles alice's in-the-money long
 *    call 2000 (her three other series still open);
 *  - vault.deposit / vault.redeem: the LP (already a shareholder) deposits 10,000, or redeems shares worth
 *    about 10,000, while the vault holds the four series (NAV prices all four).
 */
async function measureWith(f: CoreFixture): Promise<Record<string, bigint>> {
  const { market, vault, engine, alice, lp, keeper, series, expiry } = f;
  const results: Record<string, bigint> = {};
  const trade = (id: bigint, amount: bigint, limit: bigint) => market.connect(alice).trade(id, amount, limit, DEADLINE);

  await trade(series.call2200, options(1), MAX_PREMIUM);
  await trade(series.put1800, options(1), MAX_PREMIUM);
  await trade(series.call1800, -options(1), 0n);
  // Warm the LP's share balance and the vault's slots the way a second deposit would find them.
  await vault.connect(lp).deposit(usdc(1), lp.address);
  const base = await snapshot();

  results["trade.buy"] = await gasOf(trade(series.call2000, options(1), MAX_PREMIUM));
  await revert(base);
  const base1 = await snapshot();

  results["trade.sell_short"] = await gasOf(trade(series.put2000, -options(1), 0n));
  await revert(base1);
  const base2 = await snapshot();

  await trade(series.call2000, options(1), MAX_PREMIUM);
  const closeLong = await gasOf(trade(series.call2000, -options(1), 0n));
  await revert(base2);
  const base3 = await snapshot();
  await trade(series.put2000, -options(1), 0n);
  const closeShort = await gasOf(trade(series.put2000, options(1), MAX_PREMIUM));
  results["trade.close"] = closeLong > closeShort ? closeLong : closeShort;
  await revert(base3);
  const base4 = await snapshot();

  await trade(series.call2000, options(1), MAX_PREMIUM);
  results["vault.deposit"] = await gasOf(vault.connect(lp).deposit(usdc(10_000), lp.address));
  const shares = await vault.convertToShares(usdc(10_000));
  results["vault.redeem"] = await gasOf(vault.connect(lp).redeem(shares, lp.address, lp.address));

  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(expiry + 1n)]);
  await hre.network.provider.send("evm_mine", []);
  await finalise(f, expiry, wad(2100));
  results["settle.position"] = await gasOf(engine.connect(keeper).settle(alice.address, series.call2000));
  await revert(base4);
  return results;
}

/** Makes the settlement price of (ETH, expiry) final at `price`. */
async function finalise(f: CoreFixture, expiry: bigint, price: bigint): Promise<void> {
  if (!f.oracle) {
    await f.router.setSettlementPrice(ETH, expiry, price, true);
    return;
  }
  // Real router: every feed's first round after expiry is `price`; record, then wait out the dispute window.
  await setSpot(f, price);
  const hints = await Promise.all(f.oracle.feeds.map((feed) => feed.latestRoundId()));
  const params = await f.oracle.router.getSettlementParams();
  const wait = BigInt(params.settlementDelay) + 1n;
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number((await now()) + wait)]);
  await f.oracle.router.recordSettlement(ETH, expiry, hints);
  await hre.network.provider.send("evm_setNextBlockTimestamp", [
    Number((await now()) + BigInt(params.disputeWindow) + 1n),
  ]);
  await hre.network.provider.send("evm_mine", []);
}

/** Gas of the trading operations over the mock router (the router's own cost excluded; see `measureRealRouter`). */
export async function measure(): Promise<Record<string, bigint>> {
  return measureWith(await deployCoreFixture());
}

/** The same operations over the real OracleRouter with three Chainlink-style sources. */
export async function measureRealRouter(): Promise<Record<string, bigint>> {
  return measureWith(await deployCoreWithRouterFixture());
}
