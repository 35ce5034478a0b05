import hre from "hardhat";
import { WAD } from "../../lib/units";

const DAY = 86_400n;
const YEAR = 365n * DAY;

/** One Black-Scholes evaluation to measure. */
export interface GasPoint {
  label: string;
  spot: bigint;
  strike: bigint;
  secondsToExpiry: bigint;
  vol: bigint;
  rate: bigint;
  isCall: boolean;
}

/**
 * Twenty points across the domain, chosen to walk every branch of the evaluation: at, in and out of the money,
 * the rational and continued-fraction pieces of the normal tail for both d1 and d2, saturated tails, the domain
 * corners of every input, and strike/spot ratios up to 1e18 either way.
 */
export const REPRESENTATIVE_POINTS: readonly GasPoint[] = [
  { label: "ETH ATM 30d call", spot: 2000n * WAD, strike: 2000n * WAD, secondsToExpiry: 30n * DAY, vol: 8n * WAD / 10n, rate: 5n * WAD / 100n, isCall: true },
  { label: "ETH ATM 30d put", spot: 2000n * WAD, strike: 2000n * WAD, secondsToExpiry: 30n * DAY, vol: 8n * WAD / 10n, rate: 5n * WAD / 100n, isCall: false },
  { label: "ETH 25% OTM 7d call", spot: 2000n * WAD, strike: 2500n * WAD, secondsToExpiry: 7n * DAY, vol: 7n * WAD / 10n, rate: 3n * WAD / 100n, isCall: true },
  { label: "ETH 25% OTM 7d put", spot: 2000n * WAD, strike: 1500n * WAD, secondsToExpiry: 7n * DAY, vol: 7n * WAD / 10n, rate: 3n * WAD / 100n, isCall: false },
  { label: "BTC ITM 90d call", spot: 60_000n * WAD, strike: 50_000n * WAD, secondsToExpiry: 90n * DAY, vol: 55n * WAD / 100n, rate: 4n * WAD / 100n, isCall: true },
  { label: "BTC 1h ATM put", spot: 60_000n * WAD, strike: 60_100n * WAD, secondsToExpiry: 3600n, vol: 5n * WAD / 10n, rate: 0n, isCall: false },
  { label: "1 second, 1% vol, ATM call", spot: WAD, strike: WAD, secondsToExpiry: 1n, vol: WAD / 100n, rate: 0n, isCall: true },
  { label: "2 years, 500% vol, 100% rate call", spot: WAD, strike: WAD, secondsToExpiry: 2n * YEAR, vol: 5n * WAD, rate: WAD, isCall: true },
  { label: "2 years, 500% vol put", spot: 100n * WAD, strike: 300n * WAD, secondsToExpiry: 2n * YEAR, vol: 5n * WAD, rate: WAD / 10n, isCall: false },
  { label: "d1 ~ -5 (continued fraction both legs) call", spot: 100n * WAD, strike: 200n * WAD, secondsToExpiry: 30n * DAY, vol: 5n * WAD / 10n, rate: 0n, isCall: true },
  { label: "d2 ~ +5 (continued fraction both legs) put", spot: 200n * WAD, strike: 100n * WAD, secondsToExpiry: 30n * DAY, vol: 5n * WAD / 10n, rate: 0n, isCall: false },
  { label: "d1 ~ -8 deep OTM call", spot: 100n * WAD, strike: 130n * WAD, secondsToExpiry: 7n * DAY, vol: 25n * WAD / 100n, rate: 0n, isCall: true },
  { label: "d1 beyond cutoff, far OTM call", spot: 100n * WAD, strike: 1000n * WAD, secondsToExpiry: DAY, vol: 5n * WAD / 10n, rate: 0n, isCall: true },
  { label: "deep ITM put, certain exercise", spot: 100n * WAD, strike: 1000n * WAD, secondsToExpiry: DAY, vol: 5n * WAD / 10n, rate: 5n * WAD / 100n, isCall: false },
  { label: "min spot, max strike call", spot: 10n ** 12n, strike: 10n ** 30n, secondsToExpiry: 2n * YEAR, vol: 5n * WAD, rate: 0n, isCall: true },
  { label: "max spot, min strike put", spot: 10n ** 30n, strike: 10n ** 12n, secondsToExpiry: 2n * YEAR, vol: 5n * WAD, rate: WAD, isCall: false },
  { label: "min spot and strike ATM call", spot: 10n ** 12n, strike: 10n ** 12n, secondsToExpiry: 30n * DAY, vol: WAD, rate: 5n * WAD / 100n, isCall: true },
  { label: "max spot and strike ATM put", spot: 10n ** 30n, strike: 10n ** 30n, secondsToExpiry: 30n * DAY, vol: WAD, rate: 5n * WAD / 100n, isCall: false },
  { label: "stablecoin-like 1% vol 1y call", spot: WAD, strike: 101n * WAD / 100n, secondsToExpiry: YEAR, vol: WAD / 100n, rate: 5n * WAD / 100n, isCall: true },
  { label: "low-priced token 6m put", spot: WAD / 1000n, strike: 8n * WAD / 10_000n, secondsToExpiry: 182n * DAY, vol: 12n * WAD / 10n, rate: 2n * WAD / 100n, isCall: false },
];

/** Deploys the math harness and measures one priceAndDelta evaluation (gasleft() around the library call) per point. */
export async function measurePoints(points: readonly GasPoint[] = REPRESENTATIVE_POINTS): Promise<(GasPoint & { gas: bigint })[]> {
  const harness = await hre.ethers.deployContract("BlackScholesHarness");
  const rows: (GasPoint & { gas: bigint })[] = [];
  for (const p of points) {
    const [, , gas] = await harness.measurePriceAndDelta(p.spot, p.strike, p.secondsToExpiry, p.vol, p.rate, p.isCall);
    rows.push({ ...p, gas });
  }
  return rows;
}

/** The gas suite of the pricing math: the worst priceAndDelta evaluation over the representative set. */
export async function measure(): Promise<Record<string, bigint>> {
  const rows = await measurePoints();
  const max = rows.reduce((m, r) => (r.gas > m ? r.gas : m), 0n);
  return { "blackscholes.price_delta": max };
}
