import { equityQuote, requirementQuote, type RefLine } from "../../helpers/marginReference";
import type { ChainState } from "./state";
import type { World, SeriesTerms } from "./world";
import { VAULT } from "./world";
import { max, type QuoteParams } from "./math";
import type { BreakerModel } from "./breaker";
import { OracleStatus, type OracleModel, type SpotReading } from "./oracle";

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

export { OracleStatus };

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
  /** The price the simulators publish around (the feeds' last common price; moved by moveSpot). */
  refSpot: bigint;
  /** The aggregators and the sequencer feed behind the real router; `reading` predicts the router from them. */
  oracleModel: OracleModel;
  /** Recorded settlement prices by expiry; final from `finalAt` (the end of the dispute window). */
  settlement = new Map<bigint, { price: bigint; finalAt: bigint }>();
  /** Expiries whose final price has been copied into the engine (`recordExpiryPrice`), with the copied price. */
  expiryCopies = new Map<bigint, bigint>();
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
    this.oracleModel = world.oracleBase.clone();
    this.refSpot = this.oracleModel.read(s.timestamp).price;
    this.vols = s.series.map((x) => x.vol);
    this.quoteParams = { ...world.quoteParams };
    this.marginParams = { ...world.marginParams };
    this.maxSpotAge = world.maxSpotAge;
    this.breaker = world.breakerBase.clone();
    this.unhealthySince = s.accounts.map(() => 0n);
    this.liqParams = { ...world.liqParams };
  }

  /** The router's reading at the model's clock (the block of the latest action): the one oracle prediction. */
  reading(ts: bigint = this.time): SpotReading {
    return this.oracleModel.read(ts);
  }

  /** Status and timestamp of the router's reading at the model's clock. */
  get oracle(): { status: OracleStatus; updatedAt: bigint } {
    const r = this.reading();
    return { status: r.status, updatedAt: r.updatedAt };
  }

  /** The router's spot at the model's clock (0 when FAILED). */
  get spot(): bigint {
    return this.reading().price;
  }

  /** True when the settlement price of `expiry` is recorded and its dispute window has closed at `ts`. */
  isFinal(expiry: bigint, ts: bigint): boolean {
    const set = this.settlement.get(expiry);
    return set !== undefined && ts >= set.finalAt;
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
        const settled = s.timestamp >= t.expiry && this.isFinal(t.expiry, s.timestamp);
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
    const r = this.reading(ts);
    if (r.status === OracleStatus.FAILED) return "MarginOracleFailed";
    if (ts > r.updatedAt + this.maxSpotAge) return "MarginOracleStale";
    return null;
  }

  pendingShares(): bigint {
    return this.requests.reduce((acc, r) => acc + (r.status === ReqStatus.PENDING ? r.shares : 0n), 0n);
  }
}
