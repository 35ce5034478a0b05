import { equityQuote, requirementQuote, type RefLine } from "../../helpers/marginReference";
import type { ChainState } from "./state";
import type { World, SeriesTerms } from "./world";
import { VAULT } from "./world";
import { max, type QuoteParams } from "./math";
import type { BreakerModel } from "./breaker";

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
  /** The circuit breaker's state (trips are predicted, then compared with the chain by B-01). */
  breaker: BreakerModel;
  /** The liquidation policy in force (RISK may change it inside its bounds). */
  liqParams: World["liqParams"];
  /** LiquidationEngine's unhealthy stamps by account index (0: none). */
  unhealthySince: bigint[];

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
    this.breaker = world.breakerBase.clone();
    this.unhealthySince = s.accounts.map(() => 0n);
    this.liqParams = { ...world.liqParams };
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

  /**
   * Reference lines (test/helpers/marginReference.ts, the one margin reference of the test suite) of positions
   * `pos` at the marks of `s`. A series past expiry with a final settlement price is worth its payoff there (the
   * lens's mark, checked by T-04) at every grid spot and carries no minimum charge.
   */
  lines(pos: bigint[], s: ChainState): RefLine[] {
    const out: RefLine[] = [];
    pos.forEach((amount, j) => {
      if (amount !== 0n) {
        const t = this.series[j];
        const settled = s.timestamp >= t.expiry && this.settlement.get(t.expiry)?.final === true;
        const price = s.series[j].mark;
        out.push({ amount, strike: t.strike, isCall: t.isCall, price, settledPayoff: settled ? price : undefined });
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
