/** The suites' units and ids are the scripts' own (scripts/lib/units.ts): one definition for both. */
export { WAD, ETH, BTC, usdc, wad, options } from "../../scripts/lib/units";
