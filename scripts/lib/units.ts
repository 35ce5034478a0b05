/**
 * Units and ids the scripts and every suite share: WAD fixed point, 6-decimal quote amounts, 18-decimal option amounts, and the
 * bytes32 ids of the underlyings the parameter files list. Plain ethers: no Hardhat runtime needed.
 */
import { encodeBytes32String, parseUnits } from "ethers";

/** One in 18-decimal fixed point. */
export const WAD = 10n ** 18n;
/** The on-chain id of the ETH underlying. */
export const ETH = encodeBytes32String("ETH");
/** The on-chain id of the BTC underlying. */
export const BTC = encodeBytes32String("BTC");

/** Quote units (6 decimals) from a decimal string or number of whole units. */
export function usdc(value: string | number | bigint): bigint {
  return parseUnits(value.toString(), 6);
}

/** WAD from a decimal string or number. */
export function wad(value: string | number | bigint): bigint {
  return parseUnits(value.toString(), 18);
}

/** Option amounts are 18-decimal: `options(2)` is two options. */
export const options = wad;
