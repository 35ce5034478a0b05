import { gridSpots, payoff, type RefLine } from "../../helpers/marginReference";
import type { ChainState } from "./state";
import type { World, SeriesTerms } from "./world";
import { VAULT } from "./world";
import { ceilDiv, max, SCALE, WAD, type QuoteParams } from "./math";

/** A reference line; `settled` lines are worth their final payoff at every grid spot and carry no minimum charge. */
export interface ModelLine extends RefLine {
  settled: boolean;
}

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
};

/** Requirement of one underlying's lines in quote units, rounded up (MarginMath.underlyingRequirement). */
export function requirementQuote(lines: ModelLine[], spot: bigint, shock: bigint, chargeRate: bigint): bigint {
  if (lines.length === 0) return 0n;
  const spots = gridSpots(spot, shock);
  const values = spots.map((g) =>
    lines.reduce((acc, l) => acc + l.amount * (l.settled ? l.price : payoff(l.strike, l.isCall, g)), 0n),
  );
  const mark = lines.reduce((acc, l) => acc + l.amount * l.price, 0n);
  const lowest = values.reduce((a, b) => (b < a ? b : a));
  let charge = 0n;
  for (const l of lines) {
    if (l.amount >= 0n || l.settled) continue;
    let perOption = ceilDiv(spot * chargeRate, WAD);
    if (!l.isCall && perOption > l.strike) perOption = l.strike;
    charge += -l.amount * perOption;
  }
  let need = mark - lowest;
  if (need < 0n) need = 0n;
  if (charge > need) need = charge;
  return ceilDiv(ceilDiv(need, WAD), SCALE);
}

/** Equity in quote units: collateral plus marks, rounded down. */
export function equityQuote(collateral: bigint, lines: ModelLine[]): bigint {
  return collateral + floorDiv(lines.reduce((acc, l) => acc + l.amount * l.price, 0n), WAD * SCALE);
}

export enum ReqStatus {
  NONE,
  PENDING,
  CLAIMABLE,
  CLAIMED,
  CANCELLED,
}

export interface RedeemReq {
  owner: number;
  receiver: number;
  shares: bigint;
  assets: bigint;
  status: ReqStatus;
}

export enum OracleStatus {
  OK,
  DEGRADED,
  FAILED,
}

/**
 * The bigint model of the protocol's books. Token-side numbers (wallets, collateral, positions, shares, queue)
 * are tracked exactly and compared word for word with the chain after every action; valuation-side numbers
 * (marks, equity, requirements) are recomputed from the lens's marks with the exact margin reference.
 */
export class Model {
  time: bigint;
  wallet: bigint[];
  collateral: bigint[];
  shares: bigint[]; // shares[VAULT] = escrowed shares of pending requests
  positions: bigint[][];
  supply: bigint;
  requests: RedeemReq[] = [];
  claimable = 0n;
  engineDonated = 0n;
  vaultDonated = 0n;
  spot: bigint;
  oracle = { status: OracleStatus.OK, updatedAt: 0n };
  settlement = new Map<bigint, { price: bigint; final: boolean }>();
  vols: bigint[];
  quoteParams: QuoteParams;
  marginParams: World["marginParams"];
  badDebt = 0n;
  maxSpotAge: bigint;
  /** Settled amounts per series (for payout bounds). */
  settledCount = 0;

  constructor(
    readonly world: World,
    s: ChainState,
  ) {
    this.time = s.timestamp;
    this.wallet = s.accounts.map((a) => a.wallet);
    this.collateral = s.accounts.map((a) => a.collateral);
    this.shares = s.accounts.map((a) => a.shares);
    this.positions = s.accounts.map((a) => [...a.positions]);
    this.supply = s.totalSupply;
    this.spot = s.series[0].spot;
    // The router's own timestamp of the base spot (read once at deployment), not the base block's: the vault's
    // staleness gate counts from it (V-08 counterexample, seed 20261122).
    this.oracle.updatedAt = world.spotUpdatedAt;
    this.vols = s.series.map((x) => x.vol);
    this.quoteParams = { ...world.quoteParams };
    this.marginParams = { ...world.marginParams };
    this.maxSpotAge = world.maxSpotAge;
  }

  get series(): SeriesTerms[] {
    return this.world.series;
  }

  hasShort(i: number): boolean {
    return this.positions[i].some((p) => p < 0n);
  }

  hasPosition(i: number): boolean {
    return this.positions[i].some((p) => p !== 0n);
  }

  /** Reference lines of account `i` with positions `pos`, at the marks of `s`. */
  lines(pos: bigint[], s: ChainState): ModelLine[] {
    const out: ModelLine[] = [];
    pos.forEach((amount, j) => {
      if (amount !== 0n) {
        const t = this.series[j];
        const settled = s.timestamp >= t.expiry && this.settlement.get(t.expiry)?.final === true;
        out.push({ amount, strike: t.strike, isCall: t.isCall, price: s.series[j].mark, settled });
      }
    });
    return out;
  }

  /** Exact equity and requirements of positions `pos` with `collateral`, at the marks and spot of `s`. */
  margin(collateral: bigint, pos: bigint[], s: ChainState): { equity: bigint; initial: bigint; maintenance: bigint } {
    const lines = this.lines(pos, s);
    const spot = s.series[0].spot;
    const p = this.marginParams;
    return {
      equity: equityQuote(collateral, lines),
      // The initial requirement is floored at the maintenance one (MarginValuation._initialWad).
      initial: max(
        requirementQuote(lines, spot, p.initialShock, p.initialMinCharge),
        requirementQuote(lines, spot, p.maintenanceShock, p.maintenanceMinCharge),
      ),
      maintenance: requirementQuote(lines, spot, p.maintenanceShock, p.maintenanceMinCharge),
    };
  }

  /** True when the vault's account needs a price (it holds a position) and the oracle is FAILED or too old. */
  vaultOracleError(ts: bigint): "MarginOracleFailed" | "MarginOracleStale" | null {
    if (!this.hasPosition(VAULT)) return null;
    if (this.oracle.status === OracleStatus.FAILED) return "MarginOracleFailed";
    if (ts > this.oracle.updatedAt + this.maxSpotAge) return "MarginOracleStale";
    return null;
  }

  pendingShares(): bigint {
    return this.requests.reduce((acc, r) => acc + (r.status === ReqStatus.PENDING ? r.shares : 0n), 0n);
  }
}
