import { decodeScopeWords, type Scope } from "./breaker";
import type { SpotReading } from "./oracle";

/** Decoded `InvariantLens.snapshot` words: see contracts/lens/IInvariantLens.sol for the layout. */
export const HEADER_WORDS = 20;
export const ACCOUNT_WORDS = 11;
export const SERIES_WORDS = 13;
export const SCOPE_WORDS = 10;
export const SPOT_WORDS = 5;

export interface AccountView {
  wallet: bigint;
  collateral: bigint;
  equity: bigint;
  initialReq: bigint;
  maintReq: bigint;
  health: bigint;
  priced: boolean;
  shares: bigint;
  /** Read for the lens's `holders` (the users) only; zero for the vault and the insurance fund. */
  maxWithdraw: bigint;
  maxRedeem: bigint;
  /** LiquidationEngine.unhealthySince (0: not stamped). */
  unhealthySince: bigint;
  positions: bigint[];
}

export interface SeriesView {
  strike: bigint;
  expiry: bigint;
  isCall: boolean;
  vol: bigint;
  retired: boolean;
  markOk: boolean;
  mark: bigint;
  spot: bigint;
  delta: bigint;
  vega: bigint;
  quoteOk: boolean;
  bid: bigint;
  ask: bigint;
}

export interface ChainState {
  full: boolean;
  timestamp: bigint;
  engineBalance: bigint;
  engineOwed: bigint;
  vaultBalance: bigint;
  vaultClaimable: bigint;
  totalSupply: bigint;
  totalAssets: bigint;
  available: bigint;
  queueHead: bigint;
  queueTail: bigint;
  previewsOk: boolean;
  previewDeposit: bigint;
  previewMint: bigint;
  previewWithdraw: bigint;
  previewRedeem: bigint;
  convertToShares: bigint;
  convertToAssets: bigint;
  depositOpen: boolean;
  accounts: AccountView[];
  series: SeriesView[];
  /** The breaker's ETH and global scopes, the global gate copy each holds, the pause and the engine's copy of it. */
  breaker: { market: Scope; global: Scope; levels: [number, number]; paused: boolean; engineReportsUnpaused: boolean };
  /** The router's `getSpot` reading of ETH in the same block. */
  oracle: SpotReading;
}

/** Decodes the ABI-encoded `int256[]` return value of `InvariantLens.snapshot` by slicing 32-byte words. */
export function decodeSnapshot(hex: string, full: boolean): ChainState {
  // hex: 0x | offset (32) | length (32) | words...
  const n = Number(BigInt("0x" + hex.slice(66, 130)));
  const w: bigint[] = new Array(n);
  for (let i = 0, at = 130; i < n; i++, at += 64) w[i] = BigInt.asIntN(256, BigInt("0x" + hex.slice(at, at + 64)));
  const a = Number(w[18]);
  const s = Number(w[19]);
  const accounts: AccountView[] = [];
  let at = HEADER_WORDS;
  for (let i = 0; i < a; i++) {
    accounts.push({
      wallet: w[at],
      collateral: w[at + 1],
      equity: w[at + 2],
      initialReq: w[at + 3],
      maintReq: w[at + 4],
      health: w[at + 5],
      priced: w[at + 6] === 1n,
      shares: w[at + 7],
      maxWithdraw: w[at + 8],
      maxRedeem: w[at + 9],
      unhealthySince: w[at + 10],
      positions: w.slice(at + ACCOUNT_WORDS, at + ACCOUNT_WORDS + s),
    });
    at += ACCOUNT_WORDS + s;
  }
  const series: SeriesView[] = [];
  for (let j = 0; j < s; j++, at += SERIES_WORDS) {
    series.push({
      strike: w[at],
      expiry: w[at + 1],
      isCall: w[at + 2] === 1n,
      vol: w[at + 3],
      retired: w[at + 4] === 1n,
      markOk: w[at + 5] === 1n,
      mark: w[at + 6],
      spot: w[at + 7],
      delta: w[at + 8],
      vega: w[at + 9],
      quoteOk: w[at + 10] === 1n,
      bid: w[at + 11],
      ask: w[at + 12],
    });
  }
  const market = decodeScopeWords(w, at);
  const global = decodeScopeWords(w, at + SCOPE_WORDS);
  at += 2 * SCOPE_WORDS;
  const breaker = { market: market.scope, global: global.scope, levels: [market.globalLevel, global.globalLevel] as [number, number], paused: w[at] === 1n, engineReportsUnpaused: w[at + 1] === 1n };
  at += 2;
  const oracle: SpotReading = { price: w[at], status: Number(w[at + 1]), reasons: Number(w[at + 2]), validSources: Number(w[at + 3]), updatedAt: w[at + 4] };
  if (at + SPOT_WORDS !== n) throw new Error(`lens snapshot: ${n} words, layout expects ${at + SPOT_WORDS}`);
  return {
    full,
    timestamp: w[0],
    engineBalance: w[1],
    engineOwed: w[2],
    vaultBalance: w[3],
    vaultClaimable: w[4],
    totalSupply: w[5],
    totalAssets: w[6],
    available: w[7],
    queueHead: w[8],
    queueTail: w[9],
    previewsOk: w[10] === 1n,
    previewDeposit: w[11],
    previewMint: w[12],
    previewWithdraw: w[13],
    previewRedeem: w[14],
    convertToShares: w[15],
    convertToAssets: w[16],
    depositOpen: w[17] === 1n,
    accounts,
    series,
    breaker,
    oracle,
  };
}
