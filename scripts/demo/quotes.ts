/** Demo section: a grid of Black-Scholes call and put prices around spot. */
import { encodeBytes32String } from "ethers";
import type { OracleRouter } from "../../typechain-types";
import { heading, wad } from "../lib/format";
import { WAD } from "../lib/units";

const DAY = 86_400n;

/** Prices one (spot, strike, seconds, vol) point: returns call and put in WAD. */
export type Pricer = (spot: bigint, strike: bigint, seconds: bigint, vol: bigint) => Promise<[bigint, bigint]>;

export async function quoteGrid(router: OracleRouter, underlying: string, pricer: Pricer, vol: bigint): Promise<void> {
  const { price: spot } = await router.getSpot(encodeBytes32String(underlying));
  heading(`${underlying} option prices (spot ${wad(spot)}, implied vol ${wad(vol * 100n, 0)}%)`);
  const expiries = [7n, 30n, 90n];
  const moneyness = [80n, 90n, 100n, 110n, 120n];
  const header = ["strike".padStart(10), ...expiries.map((d) => `${d}d call`.padStart(11) + `${d}d put`.padStart(11))].join(" ");
  console.log(`  ${header}`);
  for (const m of moneyness) {
    // Round strikes to a whole unit of quote, as a venue lists them.
    const strike = ((spot * m) / 100n / WAD) * WAD;
    const cells: string[] = [];
    for (const days of expiries) {
      const [call, put] = await pricer(spot, strike, days * DAY, vol);
      cells.push(wad(call).padStart(11) + wad(put).padStart(11));
    }
    console.log(`  ${wad(strike, 0).padStart(10)} ${cells.join(" ")}`);
  }
}
