/**
 * The market both full fixtures start from (the core fixture on the mock router, the protocol fixture on the
 * shipped deployment): six ETH series listed 30 days out, an LP's capital in the vault, three funded traders.
 * Each fixture passes its own contracts and signers; what is listed and funded is the same.
 */
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { IMarginEngine, LiquidityVault, MockQuoteToken, OptionMarket } from "../../typechain-types";
import { now } from "./time";
import { ETH, usdc, wad } from "./units";

/** Implied volatility of the listed series. */
export const DEFAULT_VOL = wad("0.8");
/** The ETH spot the fixtures price at (the mock router's, or the median of the test parameter file's ETH feeds). */
export const ETH_SPOT = wad(2000);
/** LP capital deposited by the fixtures. */
export const LP_DEPOSIT = usdc(1_000_000);
/** Collateral each trader deposits. */
export const TRADER_DEPOSIT = usdc(100_000);
/** Days from listing to the expiry of the standard series. */
export const STANDARD_SERIES_DAYS = 30n;

/** Listed ETH series ids by name. */
export interface StandardSeries {
  call1800: bigint;
  call2000: bigint;
  call2200: bigint;
  put1800: bigint;
  put2000: bigint;
  put2200: bigint;
}

/** The signers both full fixtures name (signers [1]..[7] in both; who `admin` is differs, see each fixture). */
export interface StandardActors {
  admin: HardhatEthersSigner;
  risk: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  lp: HardhatEthersSigner;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
}

/** What listing needs: the market, the engine (for the new series id) and the RISK holder. */
export interface Lister extends Pick<StandardActors, "risk"> {
  market: OptionMarket;
  engine: IMarginEngine;
}

/** What funding needs: the quote token (a mock: it mints), where the capital goes, and who is funded. */
export interface Funded extends Pick<StandardActors, "lp" | "alice" | "bob" | "carol"> {
  token: MockQuoteToken;
  engine: IMarginEngine;
  vault: LiquidityVault;
}

/** Lists the six ETH series (calls and puts at 1800, 2000, 2200) expiring 30 days from now, through RISK. */
export async function listStandardSeries(f: Lister): Promise<{ expiry: bigint; series: StandardSeries }> {
  const expiry = (await now()) + STANDARD_SERIES_DAYS * 86_400n;
  const ids: bigint[] = [];
  for (const [strike, isCall] of [
    [1800, true],
    [2000, true],
    [2200, true],
    [1800, false],
    [2000, false],
    [2200, false],
  ] as const) {
    await f.market.connect(f.risk).listSeries(ETH, wad(strike), expiry, isCall, DEFAULT_VOL);
    ids.push(await f.engine.seriesCount());
  }
  const [call1800, call2000, call2200, put1800, put2000, put2200] = ids;
  return { expiry, series: { call1800, call2000, call2200, put1800, put2000, put2200 } };
}

/**
 * Mints ten times their deposit to the LP and the traders (alice, bob, carol), deposits LP capital into the vault
 * and trader collateral into the engine; each trader has approved the engine for everything it holds.
 */
export async function fundActors(f: Funded): Promise<void> {
  const { token, engine, vault, lp, alice, bob, carol } = f;
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
