/**
 * The entry-point tables of README.md as data, and the state every row runs from.
 *
 * Each row is one state-changing (or view) entry point of a gated contract, with its breaker class, the scope the
 * breaker checks it on, and an action that succeeds from the gating fixture when nothing is tripped. The gating
 * test runs every row in every mode and asserts that exactly the cells the table allows succeed.
 */
import hre from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  DEFAULT_VOL,
  deployProtocolFixture,
  ETH,
  ETH_SPOT,
  finaliseSettlement,
  now,
  options,
  setSpot,
  usdc,
  wad,
  type ProtocolFixture,
} from "../../helpers/protocolFixture";

/** ICircuitBreaker.Mode */
export const Mode = { ACTIVE: 0n, REDUCE_ONLY: 1n, HALTED: 2n } as const;
/** ICircuitBreaker.ActionClass */
export const Cls = { RISK_INCREASING: 0n, RISK_REDUCING: 1n, EXIT: 2n, VIEW: 3n } as const;
export const GLOBAL = hre.ethers.ZeroHash;

/** The class column of the table; UNGATED rows never ask the breaker. */
export type RowClass = "RISK_INCREASING" | "RISK_REDUCING" | "EXIT" | "VIEW" | "UNGATED";
/** A mode column of the table. */
export type ModeName = "ACTIVE" | "REDUCE_ONLY" | "HALTED" | "PAUSED";
export const MODES: readonly ModeName[] = ["ACTIVE", "REDUCE_ONLY", "HALTED", "PAUSED"];

/** Which modes allow which class: the breaker's `_ALLOWED` table, as docs/circuit-breaker.md and README.md state it. */
export const ALLOWED: Record<RowClass, readonly ModeName[]> = {
  RISK_INCREASING: ["ACTIVE"],
  RISK_REDUCING: ["ACTIVE", "REDUCE_ONLY"],
  EXIT: ["ACTIVE", "REDUCE_ONLY", "HALTED"],
  VIEW: ["ACTIVE", "REDUCE_ONLY", "HALTED", "PAUSED"],
  UNGATED: ["ACTIVE", "REDUCE_ONLY", "HALTED", "PAUSED"],
};

/** The state every row runs from (see `deployGatingFixture`). */
export interface GatingFixture extends ProtocolFixture {
  /** Expired, finally priced series in which alice holds 0.1 long. */
  expiredHeld: bigint;
  /** Expired series nobody ever held (retirable). */
  expiredIdle: bigint;
  /** A processed (claimable) redeem request of the LP. */
  claimable: bigint;
  /** A pending redeem request of the LP. */
  pending: bigint;
}

/** One row of the table. */
export interface EntryRow {
  contract: "OptionMarket" | "MarginEngine" | "LiquidityVault" | "CircuitBreaker";
  entry: string;
  /** What the row does, as the doc's table says it. */
  effect: string;
  cls: RowClass;
  /** The scope the breaker checks: a market's (ETH) or the global one. */
  scope: "market" | "global" | "none";
  run: (f: GatingFixture) => Promise<unknown>;
}

const FAR = 2n ** 64n;

/** Every row of the README entry-point tables for the gated contracts (the router's rows ask no breaker and are not here). */
export const ROWS: readonly EntryRow[] = [
  // --- OptionMarket ---
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "open a long (buy, no position)",
    cls: "RISK_INCREASING",
    scope: "market",
    run: (f) => f.market.connect(f.carol).trade(f.series.call2200, options(1), usdc(1_000_000), FAR),
  },
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "open a short (sell, no position)",
    cls: "RISK_INCREASING",
    scope: "market",
    run: (f) => f.market.connect(f.carol).trade(f.series.put1800, -options(1), 0n, FAR),
  },
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "grow a long",
    cls: "RISK_INCREASING",
    scope: "market",
    run: (f) => f.market.connect(f.alice).trade(f.series.call2000, options(1), usdc(1_000_000), FAR),
  },
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "grow a short",
    cls: "RISK_INCREASING",
    scope: "market",
    run: (f) => f.market.connect(f.bob).trade(f.series.put2000, -options(1), 0n, FAR),
  },
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "flip a long into a short",
    cls: "RISK_INCREASING",
    scope: "market",
    run: (f) => f.market.connect(f.alice).trade(f.series.call2000, -options(2), 0n, FAR),
  },
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "reduce a long (sell part)",
    cls: "RISK_REDUCING",
    scope: "market",
    run: (f) => f.market.connect(f.alice).trade(f.series.call2000, -options("0.5"), 0n, FAR),
  },
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "close a long",
    cls: "RISK_REDUCING",
    scope: "market",
    run: (f) => f.market.connect(f.alice).trade(f.series.call2000, -options(1), 0n, FAR),
  },
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "reduce a short (buy back part)",
    cls: "RISK_REDUCING",
    scope: "market",
    run: (f) => f.market.connect(f.bob).trade(f.series.put2000, options("0.5"), usdc(1_000_000), FAR),
  },
  {
    contract: "OptionMarket",
    entry: "trade",
    effect: "close a short",
    cls: "RISK_REDUCING",
    scope: "market",
    run: (f) => f.market.connect(f.bob).trade(f.series.put2000, options(1), usdc(1_000_000), FAR),
  },
  {
    contract: "OptionMarket",
    entry: "listSeries",
    effect: "list a series (RISK)",
    cls: "RISK_INCREASING",
    scope: "market",
    run: async (f) => f.market.connect(f.risk).listSeries(ETH, wad(2100), f.expiry, true, DEFAULT_VOL),
  },
  {
    contract: "OptionMarket",
    entry: "quote",
    effect: "quote a trade",
    cls: "VIEW",
    scope: "none",
    run: (f) => f.market.quote(f.series.call2000, options(1)),
  },
  // --- MarginEngine ---
  {
    contract: "MarginEngine",
    entry: "deposit",
    effect: "add collateral",
    cls: "RISK_REDUCING",
    scope: "global",
    run: (f) => f.engine.connect(f.alice).deposit(f.alice.address, usdc(1_000)),
  },
  {
    contract: "MarginEngine",
    entry: "withdraw",
    effect: "withdraw free collateral",
    cls: "EXIT",
    scope: "global",
    run: (f) => f.engine.connect(f.alice).withdraw(usdc(1_000), f.alice.address),
  },
  {
    contract: "MarginEngine",
    entry: "settle",
    effect: "settle a finalised series",
    cls: "EXIT",
    scope: "market",
    run: (f) => f.engine.connect(f.keeper).settle(f.alice.address, f.expiredHeld),
  },
  {
    contract: "MarginEngine",
    entry: "retireSeries",
    effect: "retire an empty expired series",
    cls: "EXIT",
    scope: "global",
    run: (f) => f.engine.connect(f.keeper).retireSeries(f.expiredIdle),
  },
  {
    contract: "MarginEngine",
    entry: "accountHealth",
    effect: "read an account",
    cls: "VIEW",
    scope: "none",
    run: (f) => f.engine.accountHealth(f.bob.address),
  },
  // --- LiquidityVault ---
  {
    contract: "LiquidityVault",
    entry: "deposit",
    effect: "deposit assets",
    cls: "RISK_INCREASING",
    scope: "global",
    run: (f) => f.vault.connect(f.lp).deposit(usdc(10_000), f.lp.address),
  },
  {
    contract: "LiquidityVault",
    entry: "mint",
    effect: "mint shares",
    cls: "RISK_INCREASING",
    scope: "global",
    run: (f) => f.vault.connect(f.lp).mint(10n ** 12n * 10_000n, f.lp.address),
  },
  {
    contract: "LiquidityVault",
    entry: "withdraw",
    effect: "withdraw free assets",
    cls: "EXIT",
    scope: "global",
    run: (f) => f.vault.connect(f.lp).withdraw(usdc(10_000), f.lp.address, f.lp.address),
  },
  {
    contract: "LiquidityVault",
    entry: "redeem",
    effect: "redeem shares for free assets",
    cls: "EXIT",
    scope: "global",
    run: (f) => f.vault.connect(f.lp).redeem(10n ** 12n * 10_000n, f.lp.address, f.lp.address),
  },
  {
    contract: "LiquidityVault",
    entry: "requestRedeem",
    effect: "queue a redemption",
    cls: "EXIT",
    scope: "global",
    run: (f) => f.vault.connect(f.lp).requestRedeem(10n ** 12n * 1_000n, f.lp.address, f.lp.address),
  },
  {
    contract: "LiquidityVault",
    entry: "cancelRedeemRequest",
    effect: "cancel a queued redemption",
    cls: "EXIT",
    scope: "global",
    run: (f) => f.vault.connect(f.lp).cancelRedeemRequest(f.pending),
  },
  {
    contract: "LiquidityVault",
    entry: "processRedeemQueue",
    effect: "process the queue (keeper)",
    cls: "EXIT",
    scope: "global",
    run: (f) => f.vault.connect(f.keeper).processRedeemQueue(5),
  },
  {
    contract: "LiquidityVault",
    entry: "claimRedeem",
    effect: "claim a processed redemption",
    cls: "EXIT",
    scope: "global",
    run: (f) => f.vault.connect(f.keeper).claimRedeem(f.claimable),
  },
  {
    contract: "LiquidityVault",
    entry: "totalAssets",
    effect: "read NAV",
    cls: "VIEW",
    scope: "none",
    run: (f) => f.vault.totalAssets(),
  },
  {
    contract: "LiquidityVault",
    entry: "utilisation",
    effect: "read the breaker metric",
    cls: "VIEW",
    scope: "none",
    run: (f) => f.vault.utilisation(),
  },
  // --- CircuitBreaker ---
  {
    contract: "CircuitBreaker",
    entry: "poke",
    effect: "re-evaluate a market (anyone)",
    cls: "UNGATED",
    scope: "none",
    run: (f) => f.breaker.connect(f.keeper).poke(ETH),
  },
];

/**
 * The shipped deployment (`deployProtocolFixture`) plus: alice long 1 call2000, bob short 1 put2000; two short-dated
 * series that have expired with a final settlement price recorded from the feeds (alice holds 0.1 of one, nobody
 * the other); a claimable and a pending LP redemption; the spot refreshed at 2,000 after the clock moved.
 */
export async function deployGatingFixture(): Promise<GatingFixture> {
  const f = await deployProtocolFixture();
  const { market, risk, alice, bob, lp, keeper, vault } = f;
  await market.connect(alice).trade(f.series.call2000, options(1), usdc(1_000_000), FAR);
  await market.connect(bob).trade(f.series.put2000, -options(1), 0n, FAR);

  const shortExpiry = (await now()) + 3n * 3600n;
  await market.connect(risk).listSeries(ETH, wad(2000), shortExpiry, true, DEFAULT_VOL);
  const expiredHeld = await f.engine.seriesCount();
  await market.connect(risk).listSeries(ETH, wad(2000), shortExpiry, false, DEFAULT_VOL);
  const expiredIdle = await f.engine.seriesCount();
  await market.connect(alice).trade(expiredHeld, options("0.1"), usdc(1_000_000), FAR);

  const shares = 10n ** 12n * 5_000n;
  await vault.connect(lp).requestRedeem(shares, lp.address, lp.address);
  await vault.connect(keeper).processRedeemQueue(1);
  const claimable = 0n;
  await vault.connect(lp).requestRedeem(shares, lp.address, lp.address);
  const pending = 1n;

  await time.increaseTo(shortExpiry + 60n);
  await finaliseSettlement(f, shortExpiry, wad(2100));
  await setSpot(f, ETH_SPOT);
  return { ...f, expiredHeld, expiredIdle, claimable, pending };
}

/** Puts the breaker in `mode` on `scope` (a market id or GLOBAL) through the guardian; PAUSED pauses. */
export async function enterMode(f: GatingFixture, mode: ModeName, scope: string): Promise<void> {
  if (mode === "PAUSED") await f.breaker.connect(f.guardian).pause();
  else if (mode !== "ACTIVE") await f.breaker.connect(f.guardian).trip(scope, Mode[mode]);
}
