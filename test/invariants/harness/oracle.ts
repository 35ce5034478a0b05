/**
 * The campaign's model of the real OracleRouter over its mock Chainlink aggregators and mock sequencer uptime feed:
 * every round the simulators publish is recorded here, and `read(now)` predicts the router's `getSpot` reading
 * (sequencer gate and grace period, each source's answer and freshness, median, outlier band, quorum) word for word.
 * `settlement(expiry, now)` predicts `recordSettlement` from the first round of each source at or after expiry.
 * The rules are those of contracts/oracle/OracleRouter.sol, ChainlinkPriceSource.sol and libraries/OracleMedian.sol.
 */

const WAD = 10n ** 18n;
const BPS = 10_000n;

/** `OracleReasons` bits. */
export const Reason = {
  SOURCE_CALL_FAILED: 1 << 0,
  SOURCE_INVALID_ANSWER: 1 << 1,
  SOURCE_ZERO_TIMESTAMP: 1 << 2,
  SOURCE_FUTURE_TIMESTAMP: 1 << 3,
  SOURCE_STALE: 1 << 4,
  SOURCE_OUT_OF_BOUNDS: 1 << 5,
  OUTLIER: 1 << 6,
  BELOW_QUORUM: 1 << 7,
  DEVIATION: 1 << 8,
  SEQUENCER_DOWN: 1 << 9,
  SEQUENCER_GRACE_PERIOD: 1 << 10,
  SEQUENCER_FEED_FAILED: 1 << 11,
} as const;
const SEQUENCER_MASK = Reason.SEQUENCER_DOWN | Reason.SEQUENCER_GRACE_PERIOD | Reason.SEQUENCER_FEED_FAILED;
/** Reasons that leave no price (`OracleReasons.FAILED_MASK`). */
export const FAILED_MASK = Reason.BELOW_QUORUM | Reason.DEVIATION | SEQUENCER_MASK;

/** `IOracleRouter.Status`. */
export enum OracleStatus {
  OK,
  DEGRADED,
  FAILED,
}

/** One round of a mock aggregator (phase 1, so its round id is `1 << 64 | aggregatorRoundId`). */
export interface Round {
  aggregatorRoundId: bigint;
  answer: bigint;
  updatedAt: bigint;
}

/** One price source: its aggregator's decimals, the adapter's heartbeat and bounds, and the rounds seen so far. */
export interface SourceModel {
  decimals: bigint;
  heartbeat: bigint;
  minPriceWad: bigint;
  maxPriceWad: bigint;
  /** The aggregator's latest round at the base state, then every round written since (the last is the latest). */
  rounds: Round[];
}

/** `IOracleRouter.SpotReading`. */
export interface SpotReading {
  price: bigint;
  status: OracleStatus;
  reasons: number;
  validSources: number;
  updatedAt: bigint;
}

export interface Aggregate {
  price: bigint;
  oldest: bigint;
  used: number;
  reasons: number;
}

/** `OracleMedian.aggregate` over (price, timestamp) entries. */
export function aggregate(entries: [bigint, bigint][], quorum: number, maxDeviationBps: bigint): Aggregate {
  const n = entries.length;
  const none = (reasons: number): Aggregate => ({ price: 0n, oldest: 0n, used: 0, reasons });
  if (n < quorum || n === 0) return none(Reason.BELOW_QUORUM);
  // Sorted by price, then timestamp (the packed word's order).
  const e = [...entries].sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const medianDown = (lo: number, hi: number) => (e[(lo + hi) >> 1][0] + e[(lo + hi + 1) >> 1][0]) / 2n;
  const median = medianDown(0, n - 1);
  const within = (p: bigint) => (p > median ? p - median : median - p) * BPS <= median * maxDeviationBps;
  let lo = 0;
  while (lo < n && !within(e[lo][0])) lo++;
  if (lo === n) return none(Reason.OUTLIER | Reason.DEVIATION);
  let hi = n - 1;
  while (!within(e[hi][0])) hi--;
  const used = hi - lo + 1;
  const reasons = used < n ? Reason.OUTLIER : 0;
  if (used < quorum) return none(reasons | Reason.DEVIATION);
  let oldest = e[lo][1];
  for (let i = lo; i <= hi; i++) if (e[i][1] < oldest) oldest = e[i][1];
  return { price: used === n ? median : medianDown(lo, hi), oldest, used, reasons };
}

export class OracleModel {
  constructor(
    readonly sources: SourceModel[],
    readonly quorum: number,
    readonly maxDeviationBps: bigint,
    /** The uptime feed's answer (0 up, 1 down) and `startedAt`. */
    public sequencer: { answer: bigint; startedAt: bigint },
    readonly gracePeriod: bigint,
  ) {}

  clone(): OracleModel {
    return new OracleModel(
      this.sources.map((s) => ({ ...s, rounds: s.rounds.map((r) => ({ ...r })) })),
      this.quorum,
      this.maxDeviationBps,
      { ...this.sequencer },
      this.gracePeriod,
    );
  }

  /** A WAD price in source `i`'s feed units, rounded down (what a simulator publishes for it). */
  toAnswer(i: number, priceWad: bigint): bigint {
    return (priceWad * 10n ** this.sources[i].decimals) / WAD;
  }

  /** `ChainlinkPriceSource._toWadDownChecked`: the WAD price of an answer, or the reason it is unusable. */
  private toWad(i: number, answer: bigint): { wad: bigint; reasons: number } {
    const s = this.sources[i];
    if (answer <= 0n) return { wad: 0n, reasons: Reason.SOURCE_INVALID_ANSWER };
    const wad = (answer * WAD) / 10n ** s.decimals;
    if (wad > s.maxPriceWad || wad < s.minPriceWad) return { wad: 0n, reasons: Reason.SOURCE_OUT_OF_BOUNDS };
    return { wad, reasons: 0 };
  }

  /** `ChainlinkPriceSource.latestPrice` of source `i` at block time `now`. */
  latestPrice(i: number, now: bigint): { price: bigint; updatedAt: bigint; reasons: number } {
    const s = this.sources[i];
    const r = s.rounds[s.rounds.length - 1];
    const { wad, reasons } = this.toWad(i, r.answer);
    let ts = reasons;
    if (ts === 0) {
      if (r.updatedAt === 0n) ts = Reason.SOURCE_ZERO_TIMESTAMP;
      else if (r.updatedAt > now) ts = Reason.SOURCE_FUTURE_TIMESTAMP;
      else if (now - r.updatedAt > s.heartbeat) ts = Reason.SOURCE_STALE;
    }
    return ts === 0 ? { price: wad, updatedAt: r.updatedAt, reasons: 0 } : { price: 0n, updatedAt: 0n, reasons: ts };
  }

  /** `OracleRouter._sequencerReasons` at block time `now`. */
  sequencerReasons(now: bigint): number {
    const { answer, startedAt } = this.sequencer;
    if (startedAt === 0n || (answer !== 0n && answer !== 1n)) return Reason.SEQUENCER_FEED_FAILED;
    if (answer === 1n) return Reason.SEQUENCER_DOWN;
    if (startedAt > now || now - startedAt <= this.gracePeriod) return Reason.SEQUENCER_GRACE_PERIOD;
    return 0;
  }

  /** The prediction of `OracleRouter.getSpot` at block time `now` (compared with the chain by O-00). */
  read(now: bigint): SpotReading {
    const failed = (reasons: number): SpotReading => ({ price: 0n, status: OracleStatus.FAILED, reasons, validSources: 0, updatedAt: 0n });
    const seq = this.sequencerReasons(now);
    if (seq !== 0) return failed(seq);
    let reasons = 0;
    const entries: [bigint, bigint][] = [];
    this.sources.forEach((_, i) => {
      const p = this.latestPrice(i, now);
      if (p.reasons === 0) entries.push([p.price, p.updatedAt]);
      else reasons |= p.reasons;
    });
    const agg = aggregate(entries, this.quorum, this.maxDeviationBps);
    reasons |= agg.reasons;
    if ((reasons & FAILED_MASK) !== 0) return failed(reasons);
    return { price: agg.price, status: reasons === 0 ? OracleStatus.OK : OracleStatus.DEGRADED, reasons, validSources: agg.used, updatedAt: agg.oldest };
  }

  /** Source `i`'s aggregator writes a new round (`pushRound`: `updatedAt` is the block time). */
  push(i: number, answer: bigint, at: bigint): void {
    const rounds = this.sources[i].rounds;
    rounds.push({ aggregatorRoundId: rounds[rounds.length - 1].aggregatorRoundId + 1n, answer, updatedAt: at });
  }

  /** Source `i`'s aggregator rewrites its latest round (`setLatest`). */
  rewriteLatest(i: number, answer: bigint, at: bigint): void {
    const rounds = this.sources[i].rounds;
    rounds[rounds.length - 1] = { ...rounds[rounds.length - 1], answer, updatedAt: at };
  }

  /**
   * What a settlement keeper passes to `recordSettlement(expiry)` at block time `now`, and what the router makes of
   * it: for each source, the first round at or after expiry (its predecessor before expiry), or 0 when that round
   * cannot prove a price (unusable answer, in the future, or more than a heartbeat after expiry: the adapter would
   * revert). The verified rounds are aggregated like a spot (quorum and band).
   */
  settlement(expiry: bigint, now: bigint): { hints: bigint[]; agg: Aggregate; failed: boolean } {
    const entries: [bigint, bigint][] = [];
    const hints = this.sources.map((s, i) => {
      const k = s.rounds.findIndex((r, idx) => idx > 0 && r.updatedAt >= expiry && s.rounds[idx - 1].updatedAt < expiry);
      if (k < 0) return 0n;
      const r = s.rounds[k];
      const { wad, reasons } = this.toWad(i, r.answer);
      if (reasons !== 0 || r.updatedAt > now || r.updatedAt - expiry > s.heartbeat) return 0n;
      entries.push([wad, r.updatedAt]);
      return (1n << 64n) | r.aggregatorRoundId;
    });
    const agg = aggregate(entries, this.quorum, this.maxDeviationBps);
    return { hints, agg, failed: (agg.reasons & FAILED_MASK) !== 0 };
  }
}
