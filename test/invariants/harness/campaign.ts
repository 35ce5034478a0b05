import fc from "fast-check";
import * as A from "./actions";
import { type Ctx } from "./context";
import { checkAll, INVARIANTS } from "./invariants";
import { Model } from "./model";
import { buildWorld, resetWorld, USERS, LP, ALICE, BOB, ATTACKER, KEEPER, VAULT, type World } from "./world";
import { WAD } from "./math";
import { now, msSince, type Profile } from "./profile";

const user = fc.constantFrom(...USERS);
const trader = fc.constantFrom(ALICE, BOB, ATTACKER, KEEPER);
const seriesIdx = fc.integer({ min: 0, max: 7 });
const usdc = (lo: number, hi: number) => fc.bigInt(BigInt(lo) * 10n ** 6n, BigInt(hi) * 10n ** 6n);
const optionAmount = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt(WAD / 100n, 20n * WAD) },
  { weight: 1, arbitrary: fc.bigInt(1n, 10n ** 12n) },
  { weight: 1, arbitrary: fc.bigInt(10n ** 15n, 100n * WAD) },
  { weight: 1, arbitrary: fc.constant(0n) },
);

/** Gives an action a one-line printed form in fast-check's counterexample report. */
const tagged = (arb: fc.Arbitrary<A.Action>): fc.Arbitrary<A.Action> =>
  arb.map((a) => Object.assign(a, { [fc.toStringMethod]: () => a.describe }));

/** Every action the suite draws, with weights: users, keepers and admins, simulators, the attacker. */
export const actionArb: fc.Arbitrary<A.Action> = tagged(fc.oneof(
  { weight: 4, arbitrary: fc.tuple(user, fc.oneof(usdc(0, 200_000), fc.constant(0n), usdc(2_500_000, 3_000_000))).map(([a, x]) => A.engineDeposit(a, x)) },
  { weight: 3, arbitrary: fc.tuple(user, fc.bigInt(0n, 1001n)).map(([a, f]) => A.engineWithdraw(a, f)) },
  { weight: 16, arbitrary: fc.tuple(trader, seriesIdx, optionAmount, fc.boolean(), fc.constantFrom<A.LimitMode>("exact", "generous", "generous", "tight"), fc.integer({ min: 0, max: 19 }))
      .map(([a, j, x, buy, lim, late]) => A.trade(a, j, buy ? x : -x, lim, late === 0)) },
  { weight: 4, arbitrary: fc.tuple(user, fc.oneof(usdc(0, 300_000), fc.bigInt(0n, 10n))).map(([a, x]) => A.vaultDeposit(a, x)) },
  { weight: 2, arbitrary: fc.tuple(user, fc.bigInt(0n, 1000n)).map(([a, f]) => A.vaultRedeem(a, f)) },
  { weight: 1, arbitrary: fc.tuple(user, fc.oneof(fc.bigInt(0n, 10n ** 18n), fc.bigInt(10n ** 18n, 10n ** 24n))).map(([a, x]) => A.vaultMint(a, x)) },
  { weight: 1, arbitrary: fc.tuple(fc.bigInt(0n, WAD), fc.bigInt(0n, WAD), fc.bigInt(0n, (WAD * 6n) / 10n), fc.bigInt(0n, WAD / 2n)).map(([a, b, c, d]) => A.riskSetMarginParams(a, b, c, d)) },
  { weight: 1, arbitrary: fc.oneof(fc.bigInt(30n, 86_400n), fc.constantFrom(0n, 29n, 86_401n)).map((x) => A.riskSetMaxSpotAge(x)) },
  { weight: 2, arbitrary: fc.tuple(user, usdc(0, 300_000)).map(([a, x]) => A.vaultWithdraw(a, x)) },
  { weight: 2, arbitrary: fc.tuple(user, fc.bigInt(0n, 1001n)).map(([a, f]) => A.requestRedeem(a, f)) },
  { weight: 1, arbitrary: fc.tuple(user, fc.nat(50)).map(([a, p]) => A.cancelRedeem(a, p)) },
  { weight: 2, arbitrary: fc.tuple(user, fc.oneof(fc.bigInt(1n, 50n), fc.constantFrom(0n, 51n))).map(([a, k]) => A.processQueue(a, k)) },
  { weight: 1, arbitrary: fc.tuple(user, fc.nat(50)).map(([a, p]) => A.claimRedeem(a, p)) },
  { weight: 4, arbitrary: fc.tuple(user, fc.constantFrom(...USERS, VAULT), seriesIdx).map(([c, a, j]) => A.settle(c, a, j)) },
  { weight: 1, arbitrary: fc.tuple(user, seriesIdx).map(([c, j]) => A.recordExpiryPrice(c, j)) },
  { weight: 5, arbitrary: fc.oneof(fc.bigInt(9_700n, 10_300n), fc.constantFrom(5_000n, 6_000n, 16_000n, 20_000n)).map((b) => A.moveSpot(b)) },
  { weight: 2, arbitrary: fc.constantFrom<A.Fault>("stale", "failed", "degraded", "sequencerDown", "outlier").map((f) => A.oracleFault(f)) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom<A.Warp>("small", "small", "small", "small", "hours", "hours", "days", "toCutoff", "pastExpiry", "pastSettlementDelay", "pastLongExpiry"), fc.bigInt(0n, 1n << 30n)).map(([k, s]) => A.warp(k, s)) },
  { weight: 1, arbitrary: fc.tuple(fc.boolean(), usdc(0, 50_000)).map(([v, x]) => A.donate(v, x)) },
  { weight: 2, arbitrary: fc.tuple(fc.nat(1), fc.bigInt(5_000n, 15_000n), fc.boolean()).map(([e, b, f]) => A.setSettlement(e, b, f)) },
  { weight: 1, arbitrary: fc.tuple(seriesIdx, fc.oneof(fc.bigInt(WAD / 20n, 2n * WAD), fc.constantFrom(0n, 6n * WAD))).map(([j, v]) => A.riskSetVol(j, v)) },
  { weight: 1, arbitrary: fc.tuple(fc.bigInt(0n, WAD / 3n), fc.bigInt(0n, WAD / 50n), fc.bigInt(0n, WAD / 2n), fc.bigInt(200n, 7200n)).map(([a, b, c, d]) => A.riskSetQuoteParams(a, b, c, d)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(ATTACKER, ALICE, KEEPER, LP), fc.nat(21)).map(([c, w]) => A.unauthorized(c, w)) },
  { weight: 1, arbitrary: fc.tuple(user, fc.constantFrom(ALICE, BOB, ATTACKER, KEEPER, LP)).map(([c, a]) => A.flag(c, a)) },
  { weight: 4, arbitrary: fc.tuple(user, fc.constantFrom(ALICE, BOB, ATTACKER, KEEPER, ALICE, BOB, ATTACKER, KEEPER, LP, VAULT), fc.nat(40), fc.oneof(fc.bigInt(WAD / 10n, 50n * WAD), fc.constantFrom(0n, 1n, 10n ** 30n))).map(([c, a, p, x]) => A.liquidate(c, a, p, x)) },
  { weight: 2, arbitrary: fc.tuple(user, fc.constantFrom<A.BreakerScope>("market", "market", "global", "unknown")).map(([c, sc]) => A.poke(c, sc)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom<A.BreakerScope>("market", "global", "unknown"), fc.nat(2)).map(([sc, m]) => A.guardianTrip(sc, m)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom<A.BreakerScope>("market", "global", "unknown"), fc.nat(2)).map(([sc, m]) => A.adminLift(sc, m)) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(A.guardianPause()), fc.constant(A.adminUnpause()), fc.constant(A.adminUnpause())) },
  { weight: 1, arbitrary: fc.record({
      closeFactor: fc.oneof(fc.bigInt(WAD / 10n, WAD), fc.constant(WAD / 10n - 1n)),
      dustAmount: fc.oneof(fc.bigInt(0n, 10n * WAD), fc.constant(10n * WAD + 1n)),
      penaltyRate: fc.bigInt(0n, WAD / 10n + 1n),
      baseFeeRate: fc.bigInt(0n, WAD / 50n),
      feeSlopePerSecond: fc.bigInt(0n, 10n ** 14n),
      maxFeeRate: fc.bigInt(WAD / 100n, WAD / 10n),
      insuranceShare: fc.bigInt(0n, WAD),
      maxSpotAge: fc.oneof(fc.bigInt(60n, 86_400n), fc.constant(59n)),
    }).map((p) => A.riskSetLiquidationParams(p)) },
  { weight: 1, arbitrary: fc.oneof(fc.bigInt(300n, 86_400n), fc.constantFrom(0n, 299n, 86_401n)).map((c) => A.riskSetCooldown(c)) },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.bigInt(100n, 5_000n), fc.constantFrom(99n, 5_001n)), fc.oneof(fc.bigInt(60n, 86_400n), fc.constantFrom(59n, 86_401n))).map(([l, w]) => A.riskSetPriceMoveParams(l, w)) },
));

export interface CampaignOptions {
  seed: number;
  runs: number;
  depth: number;
  /** Take the full lens every `fullEvery` actions (1: always). */
  fullEvery: number;
  path?: string;
  /** Stop at this many milliseconds: the running sequence ends after its current action, no new run starts (the campaign reports what it ran). */
  timeLimitMs?: number;
  /** Shrink a failure (slow: every shrink step replays a sequence). */
  shrink?: boolean;
}

export interface CampaignStats {
  actions: number;
  seconds: number;
  invariants: number;
  violations: number;
  failure?: string;
  /** Where the campaign's wall time went, by phase (provider requests, decoding, model, invariants). */
  profile: Profile;
}

export function optionsFromEnv(defaults: { runs: number; depth: number; timeLimitMs?: number }): CampaignOptions {
  return {
    seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31,
    runs: process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : defaults.runs,
    depth: process.env.FUZZ_DEPTH ? Number(process.env.FUZZ_DEPTH) : defaults.depth,
    fullEvery: process.env.FUZZ_FULL_EVERY ? Number(process.env.FUZZ_FULL_EVERY) : 1,
    path: process.env.FUZZ_PATH,
    timeLimitMs: process.env.FUZZ_TIME_LIMIT_S ? Number(process.env.FUZZ_TIME_LIMIT_S) * 1000 : defaults.timeLimitMs,
    shrink: process.env.FUZZ_SHRINK === "1",
  };
}

let cached: World | undefined;
/**
 * The process's world, deployed once and reused through snapshot/revert while no other suite touches the snapshots.
 * Sharing one chain with other suites (`npm test` runs every file in one process) needs care both ways:
 * - another suite's `loadFixture` may revert below the world's base snapshot: the failed revert shows it;
 * - reverting to the world's base would delete every snapshot another suite took since (its cached fixtures would
 *   then fail to load): snapshot ids are a global counter, so a probe snapshot that is not the next id after the
 *   world's own and the one consumed by each of the world's transactions since (see `Chain.sent`) shows that someone
 *   else snapshotted. In both cases the world is deployed afresh instead.
 */
export async function world(): Promise<World> {
  if (cached) {
    const probe = await cached.chain.snapshot();
    const untouched = BigInt(probe) === BigInt(cached.baseSnapshot) + 1n + BigInt(cached.chain.sent - cached.sentAtBase);
    await cached.chain.revert(probe); // the newest snapshot: dropping it changes nothing else
    if (!untouched) cached = undefined;
  }
  cached ??= await buildWorld();
  return cached;
}

/** Outcome counts per action kind ("trade:ok", "trade:MarketTradingClosed", ...), for coverage reports. */
export const outcomes = new Map<string, number>();

/** Runs one sequence of actions from the base state, checking every invariant after each action. */
/** `onAction` runs after each checked action; when it returns true the sequence stops there (a prefix of a sequence is itself one). */
export async function runSequence(w: World, actions: A.Action[], fullEvery = 1, onAction?: () => boolean | void): Promise<void> {
  await resetWorld(w);
  const ctx: Ctx = {
    world: w,
    model: new Model(w, w.baseState),
    prev: w.baseState,
    state: w.baseState,
    full: true,
    last: { action: "start", ok: true, changesNothing: true },
  };
  let k = 0;
  const profile = w.chain.profile;
  for (const a of actions) {
    ctx.full = fullEvery <= 1 || k % fullEvery === 0;
    try {
      const t0 = now();
      await a.run(ctx);
      const t1 = now();
      profile.add("action", Number(t1 - t0) / 1e6);
      checkAll(ctx);
      profile.add("invariants", msSince(t1));
    } catch (e) {
      (e as Error).message = `after ${k + 1} action(s), at "${a.describe}":\n  ${(e as Error).message}`;
      throw e;
    }
    k++;
    const key = `${ctx.last.action}:${ctx.last.ok ? "ok" : ctx.last.revert?.name}`;
    if (process.env.FUZZ_TRACE) console.log(`        ${a.describe} -> ${key}`);
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    if (onAction?.() === true) break;
  }
}

/** A fast-check campaign; prints seed and path on failure (fast-check's report) and returns throughput figures. */
export async function runCampaign(opts: CampaignOptions): Promise<CampaignStats> {
  const w = await world();
  let actions = 0;
  const base = w.chain.profile.copy();
  const start = process.hrtime.bigint();
  let failure: string | undefined;
  // The time limit is enforced here: once it has passed, the running sequence stops after its current action (every
  // action it ran was checked) and the remaining runs return at once. fast-check's own `interruptAfterTimeLimit`
  // abandons the running sequence instead of stopping it: the abandoned sequence would go on sending transactions in
  // the background, interleaved with whatever the process runs next on the same chain.
  let failed = false;
  const limitAt = opts.timeLimitMs === undefined ? undefined : start + BigInt(Math.round(opts.timeLimitMs * 1e6));
  const prop = fc.asyncProperty(fc.array(actionArb, { minLength: Math.max(1, Math.floor(opts.depth / 2)), maxLength: opts.depth, size: "max" }), async (seq) => {
    // Shrinking a failure (FUZZ_SHRINK=1) is not cut short by the limit.
    const overTime = () => !failed && limitAt !== undefined && process.hrtime.bigint() >= limitAt;
    if (overTime()) return;
    try {
      await runSequence(w, seq, opts.fullEvery, () => {
        actions++;
        return overTime();
      });
    } catch (e) {
      failed = true;
      throw e;
    }
  });
  const out = await fc.check(prop, {
    seed: opts.seed,
    numRuns: opts.runs,
    path: opts.path,
    endOnFailure: !opts.shrink,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.failed) {
    failure = fc.defaultReportMessage(out) ?? "failed";
    if (out.errorInstance) failure += `\n${String((out.errorInstance as Error).message)}`;
    failure += `\nReplay: FUZZ_SEED=${out.seed} FUZZ_PATH=${out.counterexamplePath} FUZZ_DEPTH=${opts.depth}`;
  }
  const profile = w.chain.profile.since(base);
  if (process.env.FUZZ_PROFILE === "1") console.log(`\n${profile.table(actions, seconds)}\n`);
  return { actions, seconds, invariants: INVARIANTS.length, violations: out.failed ? 1 : 0, failure, profile };
}
