import { exec, judge, assertEq, assert, Violation, type Ctx } from "./context";
import { Cls, Mode, Status, type Refusal } from "./breaker";
import { ReqStatus } from "./model";
import { OracleStatus } from "./oracle";
import { decodeBytes32String } from "ethers";
import { VAULT, INSURANCE, ATTACKER, KEEPER, ACTOR_NAMES, observe, type LiquidationParams } from "./world";
import { premiumOf, toShares, toAssets, payoff, abs, min, WAD, SCALE, ceilDiv } from "./math";

/** One fuzz action: a description for the failure path and the code that runs and judges it. */
export interface Action {
  describe: string;
  run(ctx: Ctx): Promise<void>;
}

const name = (i: number) => ACTOR_NAMES[i];
const enc = (ctx: Ctx, c: "engine" | "market" | "vault" | "token" | "router" | "manager" | "breaker" | "liquidation", f: string, a: unknown[]) =>
  ctx.world.ifaces[c].encodeFunctionData(f, a);

/** Checks a breaker refusal's arguments (class, and the effective mode and reason it reports) against the model. */
const refusalArgs = (r: Refusal) => (args: readonly unknown[]): string | null => {
  if (Number(args[1]) !== r.cls) return `class ${String(args[1])} != model ${r.cls}`;
  if (r.error === "BreakerActionNotAllowed" && (Number(args[2]) !== r.mode || Number(args[3]) !== r.reason)) {
    return `mode/reason (${String(args[2])}, ${String(args[3])}) != model (${r.mode}, ${r.reason})`;
  }
  return null;
};

/** Judges an outcome whose first check is the breaker's gate `r` (null: allowed), then `expected`. */
function judgeGated(res: Parameters<typeof judge>[0], r: Refusal | null, expected: string | null, context: string, check?: Parameters<typeof judge>[3]): void {
  if (r) judge(res, r.error, context, refusalArgs(r));
  else judge(res, expected, context, check);
}

/* ---------------------------------------------------------------- */
/*                        ENGINE COLLATERAL                         */
/* ---------------------------------------------------------------- */

export const engineDeposit = (actor: number, amount: bigint): Action => ({
  describe: `engine.deposit(${name(actor)}, ${amount})`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "deposit", world.accounts[actor], world.addr.engine, enc(ctx, "engine", "deposit", [world.accounts[actor], amount]));
    const gate = model.breaker.gate("global", Cls.RISK_REDUCING);
    const expected = amount === 0n ? "MarginZeroAmount" : model.wallet[actor] < amount ? "ERC20InsufficientBalance" : null;
    judgeGated(res, gate, expected, this.describe);
    if (res.ok) {
      model.wallet[actor] -= amount;
      model.collateral[actor] += amount;
    }
  },
});

export const engineWithdraw = (actor: number, fraction: bigint): Action => ({
  describe: `engine.withdraw(${name(actor)}, ${fraction}/1000 of collateral)`,
  async run(ctx) {
    const { world, model } = ctx;
    const amount = (model.collateral[actor] * fraction) / 1000n + (fraction > 1000n ? 1n : 0n);
    const res = await exec(ctx, "withdraw", world.accounts[actor], world.addr.engine, enc(ctx, "engine", "withdraw", [amount, world.accounts[actor]]));
    const s = ctx.state; // unchanged on revert: the state the call saw
    let expected: string | null = null;
    if (amount === 0n) expected = "MarginZeroAmount";
    else if (model.collateral[actor] < amount) expected = "MarginInsufficientCollateral";
    else if (model.hasShort(actor)) {
      if (model.oracle.status === OracleStatus.FAILED) expected = "MarginOracleFailed";
      else {
        const m = model.margin(model.collateral[actor] - amount, model.positions[actor], s);
        if (m.equity < m.initial) expected = "MarginInitialRequirementNotMet";
      }
    }
    judgeGated(res, model.breaker.gate("global", Cls.EXIT), expected, this.describe, (args) => {
      if (expected === "MarginInitialRequirementNotMet") {
        const [, equity, req] = args as [string, bigint, bigint];
        const a = s.accounts[actor];
        if (equity !== a.equity - amount || req !== a.initialReq) return `equity/req args differ from the lens (${a.equity - amount}, ${a.initialReq})`;
        if (equity >= req) return "equity meets the requirement";
      }
      return null;
    });
    if (res.ok) {
      model.collateral[actor] -= amount;
      model.wallet[actor] += amount;
      if (model.hasShort(actor)) {
        const a = ctx.state.accounts[actor];
        assert("M-03", a.equity >= a.initialReq, `after a withdrawal ${name(actor)} equity ${a.equity} < initial ${a.initialReq}`);
      }
    }
  },
});

/* ---------------------------------------------------------------- */
/*                              TRADING                             */
/* ---------------------------------------------------------------- */

export type LimitMode = "exact" | "generous" | "tight";

export const trade = (actor: number, j: number, amount: bigint, limit: LimitMode, late: boolean): Action => ({
  describe: `market.trade(${name(actor)}, series#${j}, ${amount}, limit=${limit}, late=${late})`,
  async run(ctx) {
    const { world, model } = ctx;
    const t = world.series[j];
    const ts = model.time + 1n;
    // The limit is set from the previous block's quote, as a user would.
    const prevMark = ctx.state.series[j];
    const guess = prevMark.markOk ? premiumOf(amount, prevMark.mark, prevMark.spot, model.quoteParams) : 0n;
    let limitPremium: bigint;
    if (amount > 0n) limitPremium = limit === "generous" ? guess * 2n + 10n ** 6n : limit === "tight" ? guess / 2n : guess;
    else limitPremium = limit === "generous" ? guess / 2n : limit === "tight" ? guess * 2n + 1n : guess;
    const deadline = late ? ts - 1n : ts + 600n;
    const res = await exec(ctx, "trade", world.accounts[actor], world.addr.market, enc(ctx, "market", "trade", [t.id, amount, limitPremium, deadline]));
    const s = ctx.state;
    const m = s.series[j];
    const qp = model.quoteParams;
    const premium = m.markOk ? premiumOf(amount, m.mark, m.spot, qp) : 0n;
    let expected: string | null = null;
    const posT = [...model.positions[actor]];
    const posV = [...model.positions[VAULT]];
    posT[j] += amount;
    posV[j] -= amount;
    let collT = model.collateral[actor];
    let collV = model.collateral[VAULT];
    if (amount > 0n) {
      collT -= premium;
      collV += premium;
    } else {
      collT += premium;
      collV -= premium;
    }
    const oldT = model.positions[actor][j];
    let capError: string | null = null;
    if (amount === 0n) expected = "MarketZeroAmount";
    else if (ts > deadline) expected = "MarketDeadlinePassed";
    else if (!m.markOk) expected = "MarginOracleFailed";
    else if (ts >= t.expiry - qp.tradingCutoff) expected = "MarketTradingClosed";
    else if (amount > 0n && premium > limitPremium) expected = "MarketPremiumAboveLimit";
    else if (amount < 0n && premium < limitPremium) expected = "MarketPremiumBelowLimit";
    else if (collT < 0n || collV < 0n) expected = "MarginInsufficientCollateral";
    else {
      const shrinksShort = oldT < 0n && amount > 0n && posT[j] <= 0n;
      if (!shrinksShort && posT.some((p) => p < 0n)) {
        const r = model.margin(collT, posT, s);
        if (r.equity < r.initial) expected = "MarginInitialRequirementNotMet";
      }
      if (expected === null && abs(posV[j]) > abs(model.positions[VAULT][j])) {
        const r = model.margin(collV, posV, s);
        if (r.equity < r.initial) expected = "MarginInitialRequirementNotMet";
        else if (abs(posV[j]) > 1000n * WAD) capError = "MarketOpenInterestCapExceeded";
      }
    }
    // After the engine accepted the trade, the breaker evaluates the market's reading (oracle status, price move) and
    // gates the trade by its effect on the trader's position; the exposure caps come last.
    const breaker = model.breaker.clone();
    let refusal: Refusal | null = null;
    if (expected === null) {
      const before = oldT;
      const after = posT[j];
      const reduces = before > 0n ? amount < 0n && after >= 0n : before < 0n && amount > 0n && after <= 0n;
      refusal = breaker.checkAction(reduces ? Cls.RISK_REDUCING : Cls.RISK_INCREASING, m.spot, model.oracle.status as number as Status, ts);
      if (!refusal) expected = capError;
    }
    if (refusal) judge(res, refusal.error, this.describe, refusalArgs(refusal));
    else judge(res, expected, this.describe, (args) => {
      if (expected === "MarketPremiumAboveLimit" || expected === "MarketPremiumBelowLimit") {
        if (args[0] !== premium) return `premium ${args[0]} != model ${premium}`;
      }
      return null;
    });
    if (res.ok) {
      model.breaker = breaker;
      // the fill equals the model exactly, rounded in the vault's favour.
      const a = s.accounts[actor];
      assertEq("Q-06", a.collateral, collT, `${name(actor)} collateral after a fill of ${premium}`);
      model.positions[actor] = posT;
      model.positions[VAULT] = posV;
      model.collateral[actor] = collT;
      model.collateral[VAULT] = collV;
      const shrinksShort = oldT < 0n && amount > 0n && posT[j] <= 0n;
      if (!shrinksShort && posT.some((p) => p < 0n)) {
        assert("M-01", a.equity >= a.initialReq, `${name(actor)} below initial margin after a trade (${a.equity} < ${a.initialReq})`);
      }
      const v = s.accounts[VAULT];
      if (abs(posV[j]) > abs(ctx.prev.accounts[VAULT].positions[j])) {
        assert("M-02", v.equity >= v.initialReq, `vault below initial margin after a trade (${v.equity} < ${v.initialReq})`);
      }
    }
  },
});

/* ---------------------------------------------------------------- */
/*                          VAULT (ERC-4626)                        */
/* ---------------------------------------------------------------- */

function vaultGate(ctx: Ctx): string | null {
  const err = ctx.model.vaultOracleError(ctx.model.time);
  if (err) return err;
  return null;
}

export const vaultDeposit = (actor: number, assets: bigint): Action => ({
  describe: `vault.deposit(${name(actor)}, ${assets})`,
  async run(ctx) {
    const { world, model } = ctx;
    const gate = model.breaker.gate("global", Cls.RISK_INCREASING);
    const supply = model.supply;
    const res = await exec(ctx, "vaultDeposit", world.accounts[actor], world.addr.vault, enc(ctx, "vault", "deposit", [assets, world.accounts[actor]]));
    const s = ctx.state;
    const nav = res.ok ? s.totalAssets - assets : s.totalAssets;
    const shares = toShares(assets, nav, supply, false);
    let expected = vaultGate(ctx);
    if (!expected && shares === 0n) expected = "VaultZeroShares";
    if (!expected && model.wallet[actor] < assets) expected = "ERC20InsufficientBalance";
    judgeGated(res, gate, expected, this.describe);
    if (res.ok) {
      assertEq("V-10", s.accounts[actor].shares - model.shares[actor], shares, "shares minted by deposit");
      ctx.last.vaultOp = { navBefore: nav, supplyBefore: supply };
      model.shares[actor] += shares;
      model.supply += shares;
      model.wallet[actor] -= assets;
      model.collateral[VAULT] += assets;
    }
  },
});

export const vaultMint = (actor: number, shares: bigint): Action => ({
  describe: `vault.mint(${name(actor)}, ${shares})`,
  async run(ctx) {
    const { world, model } = ctx;
    const gate = model.breaker.gate("global", Cls.RISK_INCREASING);
    const supply = model.supply;
    const res = await exec(ctx, "vaultMint", world.accounts[actor], world.addr.vault, enc(ctx, "vault", "mint", [shares, world.accounts[actor]]));
    const s = ctx.state;
    let expected: string | null = shares === 0n ? "VaultZeroAmount" : vaultGate(ctx);
    if (res.ok) {
      judgeGated(res, gate, expected, this.describe);
      const assets = model.wallet[actor] - s.accounts[actor].wallet;
      assertEq("V-10", assets, toAssets(shares, s.totalAssets - assets, supply, true), "assets pulled by mint (rounded up)");
      ctx.last.vaultOp = { navBefore: s.totalAssets - assets, supplyBefore: supply };
      assertEq("V-10", s.accounts[actor].shares - model.shares[actor], shares, "shares minted by mint");
      model.shares[actor] += shares;
      model.supply += shares;
      model.wallet[actor] -= assets;
      model.collateral[VAULT] += assets;
      return;
    }
    if (!expected && model.wallet[actor] < toAssets(shares, s.totalAssets, supply, true)) expected = "ERC20InsufficientBalance";
    judgeGated(res, gate, expected, this.describe);
  },
});

export const vaultRedeem = (actor: number, fraction: bigint): Action => ({
  describe: `vault.redeem(${name(actor)}, ${fraction}/1000 of shares)`,
  async run(ctx) {
    const { world, model } = ctx;
    const gate = model.breaker.gate("global", Cls.EXIT);
    const shares = (model.shares[actor] * fraction) / 1000n;
    const supply = model.supply;
    const res = await exec(ctx, "vaultRedeem", world.accounts[actor], world.addr.vault, enc(ctx, "vault", "redeem", [shares, world.accounts[actor], world.accounts[actor]]));
    const s = ctx.state;
    let expected = vaultGate(ctx);
    if (res.ok) {
      const assets = s.accounts[actor].wallet - model.wallet[actor];
      const nav = s.totalAssets + assets;
      judgeGated(res, gate, expected, this.describe);
      assertEq("V-10", assets, toAssets(shares, nav, supply, false), "assets paid by redeem (rounded down)");
      ctx.last.vaultOp = { navBefore: nav, supplyBefore: supply };
      model.shares[actor] -= shares;
      model.supply -= shares;
      model.wallet[actor] += assets;
      model.collateral[VAULT] -= assets;
      return;
    }
    const nav = s.totalAssets;
    if (!expected && s.totalAssets >= 0n && toAssets(shares, nav, supply, false) === 0n) expected = "VaultZeroAssets";
    if (!expected) expected = "ERC4626ExceededMaxRedeem";
    judgeGated(res, gate, expected, this.describe, (args) => {
      if (expected !== "ERC4626ExceededMaxRedeem") return null;
      const [, requested, maxShares] = args as [string, bigint, bigint];
      const cap = min(model.shares[actor], toShares(s.available, nav, supply, false));
      if (maxShares !== cap) return `max ${maxShares} != model ${cap}`;
      return requested > maxShares ? null : "request within max";
    });
  },
});

export const vaultWithdraw = (actor: number, assets: bigint): Action => ({
  describe: `vault.withdraw(${name(actor)}, ${assets})`,
  async run(ctx) {
    const { world, model } = ctx;
    const gate = model.breaker.gate("global", Cls.EXIT);
    const supply = model.supply;
    const res = await exec(ctx, "vaultWithdraw", world.accounts[actor], world.addr.vault, enc(ctx, "vault", "withdraw", [assets, world.accounts[actor], world.accounts[actor]]));
    const s = ctx.state;
    let expected: string | null = assets === 0n ? "VaultZeroAmount" : vaultGate(ctx);
    if (res.ok) {
      judgeGated(res, gate, expected, this.describe);
      const nav = s.totalAssets + assets;
      const burned = model.shares[actor] - s.accounts[actor].shares;
      assertEq("V-10", burned, toShares(assets, nav, supply, true), "shares burned by withdraw (rounded up)");
      ctx.last.vaultOp = { navBefore: nav, supplyBefore: supply };
      model.shares[actor] -= burned;
      model.supply -= burned;
      model.wallet[actor] += assets;
      model.collateral[VAULT] -= assets;
      return;
    }
    if (!expected) expected = "ERC4626ExceededMaxWithdraw";
    judgeGated(res, gate, expected, this.describe, (args) => {
      if (expected !== "ERC4626ExceededMaxWithdraw") return null;
      const [, requested, maxAssets] = args as [string, bigint, bigint];
      const cap = min(toAssets(model.shares[actor], s.totalAssets, supply, false), s.available);
      if (maxAssets !== cap) return `max ${maxAssets} != model ${cap}`;
      return requested > maxAssets ? null : "request within max";
    });
  },
});

/* ---------------------------------------------------------------- */
/*                            REDEEM QUEUE                          */
/* ---------------------------------------------------------------- */

export const requestRedeem = (actor: number, fraction: bigint): Action => ({
  describe: `vault.requestRedeem(${name(actor)}, ${fraction}/1000 of shares)`,
  async run(ctx) {
    const { world, model } = ctx;
    const gate = model.breaker.gate("global", Cls.EXIT);
    const shares = (model.shares[actor] * fraction) / 1000n + (fraction > 1000n ? 1n : 0n);
    const a = world.accounts[actor];
    const res = await exec(ctx, "requestRedeem", a, world.addr.vault, enc(ctx, "vault", "requestRedeem", [shares, a, a]));
    const expected = shares === 0n ? "VaultZeroAmount" : shares > model.shares[actor] ? "ERC20InsufficientBalance" : null;
    judgeGated(res, gate, expected, this.describe);
    if (res.ok) {
      model.requests.push({ owner: actor, receiver: actor, shares, assets: 0n, status: ReqStatus.PENDING });
      model.shares[actor] -= shares;
      model.shares[VAULT] += shares;
    }
  },
});

export const cancelRedeem = (actor: number, pick: number): Action => ({
  describe: `vault.cancelRedeemRequest(by ${name(actor)}, request pick ${pick})`,
  async run(ctx) {
    const { world, model } = ctx;
    const gate = model.breaker.gate("global", Cls.EXIT);
    const id = model.requests.length === 0 ? 0 : pick % (model.requests.length + 1);
    const r = model.requests[id];
    const res = await exec(ctx, "cancelRedeem", world.accounts[actor], world.addr.vault, enc(ctx, "vault", "cancelRedeemRequest", [id]));
    const expected = !r || r.status !== ReqStatus.PENDING ? "VaultRequestStatus" : r.owner !== actor ? "VaultNotRequestOwner" : null;
    judgeGated(res, gate, expected, this.describe);
    if (res.ok) {
      r.status = ReqStatus.CANCELLED;
      model.shares[VAULT] -= r.shares;
      model.shares[r.owner] += r.shares;
    }
  },
});

export const processQueue = (actor: number, n: bigint): Action => ({
  describe: `vault.processRedeemQueue(by ${name(actor)}, ${n})`,
  async run(ctx) {
    const { world, model } = ctx;
    const before = ctx.state;
    const res = await exec(ctx, "processQueue", world.accounts[actor], world.addr.vault, enc(ctx, "vault", "processRedeemQueue", [n]));
    const s = ctx.state;
    let expected: string | null = n === 0n || n > 50n ? "VaultBatchOutOfRange" : vaultGate(ctx);
    if (!expected && !res.ok && s.totalAssets === 0n && model.collateral[VAULT] === 0n) expected = null;
    // The batch's outflow is recorded last: EXIT is gated (refused only while paused) after the snapshot's checks.
    const gate = expected ? null : model.breaker.gate("global", Cls.EXIT);
    judgeGated(res, gate, expected, this.describe);
    if (!res.ok) return;
    const paidTotal = s.vaultClaimable - before.vaultClaimable;
    let nav = s.totalAssets + paidTotal;
    let supply = model.supply;
    const supplyStart = model.supply;
    let head = Number(before.queueHead);
    const stop = Number(s.queueHead);
    let sum = 0n;
    assert("S-05", stop - head <= Number(n), `processed ${stop - head} > batch ${n}`);
    for (; head < stop; head++) {
      const r = model.requests[head];
      if (r.status !== ReqStatus.PENDING) continue;
      const paid = toAssets(r.shares, nav, supply, false);
      r.assets = paid;
      r.status = ReqStatus.CLAIMABLE;
      nav -= paid;
      supply -= r.shares;
      sum += paid;
      model.shares[VAULT] -= r.shares;
      model.supply -= r.shares;
    }
    assertEq("V-11", paidTotal, sum, "assets set aside by processing, at the NAV of the moment, rounded down");
    ctx.last.vaultOp = { navBefore: s.totalAssets + paidTotal, supplyBefore: supplyStart };
    model.claimable += sum;
    model.collateral[VAULT] -= sum;
    model.wallet[VAULT] += sum;
  },
});

export const claimRedeem = (actor: number, pick: number): Action => ({
  describe: `vault.claimRedeem(by ${name(actor)}, request pick ${pick})`,
  async run(ctx) {
    const { world, model } = ctx;
    const gate = model.breaker.gate("global", Cls.EXIT);
    const id = model.requests.length === 0 ? 0 : pick % (model.requests.length + 1);
    const r = model.requests[id];
    const res = await exec(ctx, "claimRedeem", world.accounts[actor], world.addr.vault, enc(ctx, "vault", "claimRedeem", [id]));
    judgeGated(res, gate, !r || r.status !== ReqStatus.CLAIMABLE ? "VaultRequestStatus" : null, this.describe);
    if (res.ok) {
      r.status = ReqStatus.CLAIMED;
      model.claimable -= r.assets;
      model.wallet[VAULT] -= r.assets;
      model.wallet[r.receiver] += r.assets;
    }
  },
});

/* ---------------------------------------------------------------- */
/*                             SETTLEMENT                           */
/* ---------------------------------------------------------------- */

export const settle = (caller: number, account: number, j: number): Action => ({
  describe: `engine.settle(by ${name(caller)}, ${name(account)}, series#${j})`,
  async run(ctx) {
    const { world, model } = ctx;
    const t = world.series[j];
    const res = await exec(ctx, "settle", world.accounts[caller], world.addr.engine, enc(ctx, "engine", "settle", [world.accounts[account], t.id]));
    const ts = model.time;
    const set = model.settlement.get(t.expiry);
    const final = model.isFinal(t.expiry, ts);
    const amount = model.positions[account][j];
    let expected: string | null = null;
    let owed = 0n;
    let gate: Refusal | null = null;
    if (ts < t.expiry) expected = "MarginSeriesNotExpired";
    else if (account === VAULT) expected = "MarginVaultSettlesWithCounterparties";
    else if ((gate = model.breaker.gate("market", Cls.EXIT))) expected = gate.error;
    else if (!set || !final) expected = "MarginSettlementNotFinal";
    else if (amount === 0n) expected = "MarginNoPosition";
    else {
      const per = payoff(t.strike, t.isCall, set.price);
      owed = amount > 0n ? (per * amount) / (WAD * SCALE) : ceilDiv(per * -amount, WAD * SCALE);
      if (amount > 0n && model.collateral[VAULT] < owed) expected = "MarginInsufficientCollateral";
    }
    if (gate && expected === gate.error) judge(res, gate.error, this.describe, refusalArgs(gate));
    else judge(res, expected, this.describe);
    if (!res.ok) return;
    const paid = amount > 0n ? owed : min(owed, model.collateral[account]);
    if (amount > 0n) {
      model.collateral[VAULT] -= paid;
      model.collateral[account] += paid;
    } else {
      model.collateral[account] -= paid;
      model.collateral[VAULT] += paid;
      model.badDebt += owed - paid;
    }
    // T-02: payouts within bounds: a long gets at most amount x payoff, a short pays at most its collateral.
    assert("T-02", paid <= (abs(amount) * (t.isCall ? set!.price : t.strike)) / (WAD * SCALE) + 1n, `payout ${paid} above the option's bound`);
    model.positions[VAULT][j] += amount;
    model.positions[account][j] = 0n;
    model.settledCount++;
  },
});

/**
 * Anyone copies the final settlement price of series #`j`'s expiry into the engine. The copy must equal the router's
 * final price the model recorded; `settle` then reads it instead of the router's, so the settle action's unchanged
 * prediction checks that both paths pay the same.
 */
export const recordExpiryPrice = (caller: number, j: number): Action => ({
  describe: `engine.recordExpiryPrice(by ${name(caller)}, series#${j})`,
  async run(ctx) {
    const { world, model } = ctx;
    const t = world.series[j];
    const res = await exec(ctx, "recordExpiryPrice", world.accounts[caller], world.addr.engine, enc(ctx, "engine", "recordExpiryPrice", [t.id]));
    const set = model.settlement.get(t.expiry);
    const copied = model.expiryCopies.get(t.expiry);
    let expected: string | null = null;
    if (model.time < t.expiry) expected = "MarginSeriesNotExpired";
    else if (copied !== undefined) expected = "MarginExpiryPriceAlreadyRecorded";
    else if (!set || !model.isFinal(t.expiry, model.time)) expected = "MarginSettlementNotFinal";
    judge(res, expected, this.describe, (args) =>
      expected === "MarginExpiryPriceAlreadyRecorded" && args[2] !== copied ? `recorded ${String(args[2])} != model ${String(copied)}` : null,
    );
    if (!res.ok) return;
    model.expiryCopies.set(t.expiry, set!.price);
    const held = BigInt(await world.chain.call(world.addr.engine, enc(ctx, "engine", "expiryPriceOf", [t.id])));
    assert("T-05", held === set!.price, `engine copy ${held} != the router's final price ${set!.price}`);
  },
});

/* ---------------------------------------------------------------- */
/*                             LIQUIDATION                          */
/* ---------------------------------------------------------------- */

const MAX_UINT = (1n << 256n) - 1n;
const ALICE_IDX = 1;
/** MarginValuation._health: equity / maintenance (WAD), max without a requirement, zero when not positive. */
const healthOf = (equity: bigint, maintenance: bigint): bigint =>
  maintenance === 0n ? MAX_UINT : equity <= 0n ? 0n : (equity * WAD) / maintenance;

/**
 * `liquidation.liquidate(account, series, amount)` by `caller`, through the real LiquidationEngine. The model computes
 * the whole outcome from the margin reference at the block's marks: health before, the close amount (close factor,
 * dust, insolvency), mark value and shortfall, the room that keeps health strictly rising, fee (Dutch auction from
 * the stamp), penalty and its insurance share, the insurance cover, and every collateral it moves (L-01..L-03).
 */
export const liquidate = (caller: number, account: number, pick: number, amount: bigint): Action => ({
  describe: `liquidation.liquidate(by ${name(caller)}, ${name(account)}, short pick ${pick}, ${amount})`,
  async run(ctx) {
    const { world, model } = ctx;
    const shorts = model.positions[account].map((p, j) => (p < 0n ? j : -1)).filter((j) => j >= 0);
    const j = shorts.length > 0 && pick % 4 !== 3 ? shorts[pick % shorts.length] : pick % world.series.length;
    const t = world.series[j];
    const res = await exec(ctx, "liquidate", world.accounts[caller], world.addr.liquidation, enc(ctx, "liquidation", "liquidate", [world.accounts[account], t.id, amount]));
    const s = ctx.state; // the block the call ran in (unchanged on revert)
    const ts = model.time;
    const p = model.liqParams;
    const status = model.oracle.status as number as Status;
    const breaker = model.breaker.clone();
    const size = model.positions[account][j];
    let expected: string | null = null;
    let gate: Refusal | null = null;
    let out: { closed: bigint; paidMark: bigint; fee: bigint; penalty: bigint; toInsurance: bigint; cover: bigint; badDebt: bigint; hb: bigint; ha: bigint } | undefined;
    if (amount === 0n) expected = "LiquidationZeroAmount";
    else if (model.oracle.status === OracleStatus.FAILED) expected = "LiquidationOracleFailed";
    else if (ts > model.oracle.updatedAt + p.maxSpotAge) expected = "LiquidationOracleStale";
    else if ((gate = breaker.checkAction(Cls.RISK_REDUCING, model.spot, status, ts))) expected = gate.error;
    else if (account === VAULT) expected = "MarginInvalidAccount";
    else if (ts >= t.expiry) expected = "MarginSeriesExpired";
    else if (size >= 0n) expected = "MarginNoPosition";
    else {
      const coll = model.collateral[account];
      const before = model.margin(coll, model.positions[account], s);
      const hb = healthOf(before.equity, before.maintenance);
      if (hb >= WAD) expected = "MarginNotLiquidatable";
      else {
        const short = -size;
        let closed = short;
        if (hb !== 0n) {
          const cap = (short * p.closeFactor) / WAD;
          closed = amount < cap ? amount : cap;
          if (short - closed < p.dustAmount) closed = short;
        }
        const denom = WAD * SCALE;
        const markValue = ceilDiv(s.series[j].mark * closed, denom);
        const paidMark = min(markValue, coll);
        const pos = [...model.positions[account]];
        pos[j] += closed;
        const after = model.margin(coll - paidMark, pos, s);
        const needed = ceilDiv((hb + 1n) * after.maintenance, WAD);
        const room = after.equity > needed ? min(after.equity - needed, coll - paidMark) : 0n;
        const notional = t.isCall || model.spot < t.strike ? model.spot : t.strike;
        const since = model.unhealthySince[account] === 0n ? ts : model.unhealthySince[account];
        const rate = min(p.baseFeeRate + p.feeSlopePerSecond * (ts - since), p.maxFeeRate);
        const feePer = (notional * rate) / WAD;
        const penaltyPer = ceilDiv(notional * p.penaltyRate, WAD);
        const fee = min((closed * feePer) / denom, room);
        const penalty = min(ceilDiv(closed * penaltyPer, denom), room - fee);
        const ha = healthOf(after.equity - fee - penalty, after.maintenance);
        if (ha <= hb && hb !== 0n) expected = "MarginLiquidationNotHealthier";
        else {
          const toInsurance = min((penalty * p.insuranceShare) / WAD, penalty);
          const shortfall = markValue - paidMark;
          const cover = min(shortfall, model.collateral[INSURANCE] + toInsurance);
          out = { closed, paidMark, fee, penalty, toInsurance, cover, badDebt: shortfall - cover, hb, ha };
        }
      }
    }
    if (gate && expected === gate.error) judge(res, gate.error, this.describe, refusalArgs(gate));
    else judge(res, expected, this.describe);
    if (!res.ok || !out) return;
    model.breaker = breaker;
    const o = out;
    model.positions[account][j] += o.closed;
    model.positions[VAULT][j] -= o.closed;
    model.collateral[account] -= o.paidMark + o.penalty + o.fee;
    model.collateral[VAULT] += o.paidMark + o.penalty - o.toInsurance + o.cover;
    model.collateral[INSURANCE] += o.toInsurance - o.cover;
    model.collateral[caller] += o.fee;
    model.badDebt += o.badDebt;
    model.unhealthySince[account] = o.ha >= WAD ? 0n : model.unhealthySince[account] === 0n ? ts : model.unhealthySince[account];
    checkStamp(ctx, account);
    // L-01: a liquidation never lowers health (it strictly raises it unless the account was insolvent).
    const a = s.accounts[account];
    assert("L-01", o.hb === 0n || a.health > o.hb || (a.maintReq === 0n && a.health > 10n ** 70n), `health ${o.hb} -> ${a.health}`);
    if (o.ha !== MAX_UINT) assertEq("L-01", a.health, o.ha, `${name(account)} health after the liquidation`);
    // L-02: at most the close factor of the short unless it was insolvent or the rest would be dust.
    assert("L-02", o.closed <= -size, `closed ${o.closed} beyond the short ${-size}`);
  },
});

/** L-03: the engine's unhealthy stamp of `account` equals the model's (the lens reads every stamp in the action's block). */
function checkStamp(ctx: Ctx, account: number): void {
  assertEq("L-03", ctx.state.accounts[account].unhealthySince, ctx.model.unhealthySince[account], `${name(account)} unhealthy stamp`);
}

/** Permissionless `liquidation.flag(account)`: stamps an unhealthy account once, clears a healed one's stamp. */
export const flag = (caller: number, account: number): Action => ({
  describe: `liquidation.flag(by ${name(caller)}, ${name(account)})`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "flag", world.accounts[caller], world.addr.liquidation, enc(ctx, "liquidation", "flag", [world.accounts[account]]));
    const a = ctx.state.accounts[account]; // flag changes no balance: the block's lens is the state it read
    const since = model.unhealthySince[account];
    let expected: string | null = null;
    if (!a.priced) expected = "LiquidationOracleFailed";
    else if (a.health >= WAD && since === 0n) expected = "LiquidationAccountHealthy";
    judge(res, expected, this.describe, (args) =>
      expected === "LiquidationAccountHealthy" && args[1] !== a.health && a.health < 10n ** 70n ? `health ${String(args[1])} != lens ${a.health}` : null,
    );
    if (res.ok) model.unhealthySince[account] = a.health < WAD ? (since === 0n ? model.time : since) : 0n;
    checkStamp(ctx, account);
  },
});

/* ---------------------------------------------------------------- */
/*                        SIMULATORS (oracle, time)                 */
/* ---------------------------------------------------------------- */

/** One write to a mock feed: the call and its effect on the oracle model at the block's time. */
type FeedWrite = [to: string, data: string, apply: (ts: bigint) => void];

/**
 * Sends the writes in consecutive blocks (one second apart), each applied to the oracle model at its block time; the
 * state is observed once, after the last. Mock feeds accept any caller: none of these may revert.
 */
async function publish(ctx: Ctx, action: string, describe: string, writes: FeedWrite[]): Promise<void> {
  const { world, model } = ctx;
  for (const [k, [to, data, apply]] of writes.entries()) {
    if (k < writes.length - 1) {
      const ts = model.time + 1n;
      const res = await world.chain.send(world.admin, to, data, ts);
      model.time = ts;
      judge(res, null, describe);
    } else judge(await exec(ctx, action, world.admin, to, data), null, describe);
    apply(model.time);
  }
}

const feedCall = (ctx: Ctx, f: string, a: unknown[]) => ctx.world.ifaces.feed.encodeFunctionData(f, a);

/** Source `i` publishes a fresh round at `price` (WAD, in its feed's units rounded down). */
const pushRound = (ctx: Ctx, i: number, price: bigint): FeedWrite => {
  const answer = ctx.model.oracleModel.toAnswer(i, price);
  return [ctx.world.addr.feeds[i], feedCall(ctx, "pushRound", [answer]), (ts) => ctx.model.oracleModel.push(i, answer, ts)];
};

/** The sequencer feed reports `down` (1) or up (0) since the block's time. */
const sequencerWrite = (ctx: Ctx, down: boolean, ts: bigint): FeedWrite => [
  ctx.world.addr.sequencer,
  ctx.world.ifaces.sequencer.encodeFunctionData("setStatus", [down ? 1n : 0n, ts]),
  (at) => (ctx.model.oracleModel.sequencer = { answer: down ? 1n : 0n, startedAt: at }),
];

/**
 * The market moves: every source publishes a fresh round at the reference price x bps/10000 (bounded to 200..20000).
 * A sequencer that is down comes back up first (its grace period then starts: the router stays FAILED through it).
 */
export const moveSpot = (bps: bigint): Action => ({
  describe: `feeds publish spot x ${bps}/10000`,
  async run(ctx) {
    const { model } = ctx;
    let spot = (model.refSpot * bps) / 10_000n;
    if (spot < 200n * WAD) spot = 200n * WAD;
    if (spot > 20_000n * WAD) spot = 20_000n * WAD;
    const writes: FeedWrite[] = [];
    if (model.oracleModel.sequencer.answer !== 0n) writes.push(sequencerWrite(ctx, false, model.time + 1n));
    model.oracleModel.sources.forEach((_, i) => writes.push(pushRound(ctx, i, spot)));
    await publish(ctx, "setSpot", this.describe, writes);
    model.refSpot = spot;
  },
});

export type Fault = "stale" | "failed" | "degraded" | "sequencerDown" | "outlier";

/**
 * Oracle faults, all on the feeds: `stale` re-dates every source's latest round to just past the vault's spot age
 * (the router still prices; consumers refuse an old price), `failed` makes every source older than its heartbeat
 * (below quorum: FAILED), `degraded` makes source 2 older than its heartbeat (two sources left: DEGRADED at their
 * mean), `outlier` has source 0 publish 1.5x the reference (dropped by the band: DEGRADED at the others' median),
 * `sequencerDown` takes the sequencer down (FAILED until it is back up and its grace period has passed).
 */
export const oracleFault = (fault: Fault): Action => ({
  describe: `oracle fault: ${fault}`,
  async run(ctx) {
    const { world, model } = ctx;
    const o = model.oracleModel;
    const writes: FeedWrite[] = [];
    const rewrite = (i: number, age: (ts: bigint) => bigint) => {
      const rounds = o.sources[i].rounds;
      const answer = rounds[rounds.length - 1].answer;
      // Block time of this write: one second per write before it (publish).
      const ts = model.time + BigInt(writes.length) + 1n;
      const at = age(ts);
      writes.push([world.addr.feeds[i], feedCall(ctx, "setLatest", [answer, at, at]), () => o.rewriteLatest(i, answer, at)]);
    };
    if (fault === "stale") o.sources.forEach((_, i) => rewrite(i, (ts) => ts - model.maxSpotAge - 60n));
    else if (fault === "failed") o.sources.forEach((s, i) => rewrite(i, (ts) => ts - s.heartbeat - 1n));
    else if (fault === "degraded") rewrite(2, (ts) => ts - o.sources[2].heartbeat - 1n);
    else if (fault === "outlier") writes.push(pushRound(ctx, 0, (model.refSpot * 3n) / 2n));
    else writes.push(sequencerWrite(ctx, true, model.time + 1n));
    await publish(ctx, "oracleFault", this.describe, writes);
  },
});

export type Warp = "small" | "hours" | "days" | "toCutoff" | "pastExpiry" | "pastLongExpiry" | "pastSettlementDelay";

export const warp = (kind: Warp, seconds: bigint): Action => ({
  describe: `warp ${kind} ${seconds}s`,
  async run(ctx) {
    const { world, model } = ctx;
    const near = world.series[0].expiry;
    const far = world.series[6].expiry;
    let target = model.time + 1n;
    if (kind === "small") target = model.time + 1n + (seconds % 900n);
    if (kind === "hours") target = model.time + 3600n + (seconds % 20_000n);
    if (kind === "days") target = model.time + 86_400n + (seconds % 400_000n);
    if (kind === "toCutoff") target = near - model.quoteParams.tradingCutoff - 2n + (seconds % 4n);
    if (kind === "pastExpiry") target = near + (seconds % 7200n);
    if (kind === "pastLongExpiry") target = far + (seconds % 7200n);
    // Into the hour after the near expiry's settlement delay (the router records settlements from then on).
    if (kind === "pastSettlementDelay") target = near + world.settlementParams.settlementDelay + (seconds % 3600n);
    if (target <= model.time) target = model.time + 1n;
    await world.chain.mine(target);
    model.time = target;
    ctx.prev = ctx.state;
    ctx.state = await observe(world, ctx.full);
    ctx.last = { action: "warp", ok: true, changesNothing: true };
  },
});

export const donate = (toVault: boolean, amount: bigint): Action => ({
  describe: `attacker donates ${amount} to the ${toVault ? "vault" : "engine"}`,
  async run(ctx) {
    const { world, model } = ctx;
    const to = toVault ? world.addr.vault : world.addr.engine;
    const res = await exec(ctx, "donate", world.accounts[ATTACKER], world.addr.token, enc(ctx, "token", "transfer", [to, amount]));
    judge(res, model.wallet[ATTACKER] < amount ? "ERC20InsufficientBalance" : null, this.describe);
    if (!res.ok) return;
    model.wallet[ATTACKER] -= amount;
    if (toVault) {
      model.vaultDonated += amount;
      model.wallet[VAULT] += amount;
    } else model.engineDonated += amount;
    // the donation credits nobody; C-01/C-02 check it shows only as surplus over what is owed.
  },
});

/**
 * The settlement keeper records the settlement of expiry #`expiryIdx` (permissionless `recordSettlement`): before
 * `expiry + settlementDelay` the router refuses, once recorded it refuses again. Otherwise every source silent since
 * expiry first publishes the reference price x bps/10000 (the market's price at expiry), and the keeper passes each
 * source's first round at or after expiry as its hint (oracle.ts picks them and predicts the median and quorum); when
 * the rounds cannot make a quorum and the fallback delay has passed it proposes the fallback (spot) settlement
 * instead. With `final` the dispute window then passes (one more block), so the price is final.
 */
export const setSettlement = (expiryIdx: number, bps: bigint, final: boolean): Action => ({
  describe: `keeper records settlement of expiry#${expiryIdx} (silent feeds publish spot x ${bps}/10000${final ? ", then the dispute window passes" : ""})`,
  async run(ctx) {
    const { world, model } = ctx;
    const expiry = world.series[expiryIdx === 0 ? 0 : 6].expiry;
    const o = model.oracleModel;
    const sp = world.settlementParams;
    const keeper = world.accounts[KEEPER];
    const record = (hints: bigint[]) => enc(ctx, "router", "recordSettlement", [world.underlying, expiry, hints]);
    const noHints = o.sources.map(() => 0n);
    const cur = model.settlement.get(expiry);
    if (cur) {
      const res = await exec(ctx, "recordSettlement", keeper, world.addr.router, record(noHints));
      return judge(res, "OracleSettlementAlreadyProposed", this.describe, (args) =>
        args[2] === cur.price && args[3] === model.time >= cur.finalAt ? null : `args ${args.join(", ")}`,
      );
    }
    if (model.time + 1n < expiry + sp.settlementDelay) {
      const res = await exec(ctx, "recordSettlement", keeper, world.addr.router, record(noHints));
      return judge(res, "OracleSettlementTooEarly", this.describe, (args) =>
        args[2] === expiry + sp.settlementDelay ? null : `available at ${String(args[2])}`,
      );
    }
    let price = (model.refSpot * bps) / 10_000n;
    if (price < 200n * WAD) price = 200n * WAD;
    if (price > 20_000n * WAD) price = 20_000n * WAD;
    const silent = o.sources.map((src, i) => (src.rounds[src.rounds.length - 1].updatedAt < expiry ? i : -1)).filter((i) => i >= 0);
    for (const i of silent) {
      const [to, data, apply] = pushRound(ctx, i, price);
      const ts = model.time + 1n;
      judge(await world.chain.send(world.admin, to, data, ts), null, this.describe);
      model.time = ts;
      apply(ts);
    }
    if (silent.length === o.sources.length) model.refSpot = price;
    const ts = model.time + 1n;
    const pred = o.settlement(expiry, ts);
    let recorded: bigint | null = null;
    if (pred.failed && ts >= expiry + sp.fallbackDelay) {
      // No recorded spot exists (the campaign never calls recordSpot): a FAILED router leaves no fallback.
      const r = model.reading(ts);
      const res = await exec(ctx, "proposeFallback", keeper, world.addr.router, enc(ctx, "router", "proposeFallbackSettlement", [world.underlying, expiry]));
      judge(res, r.status === OracleStatus.FAILED ? "OracleFallbackUnavailable" : null, this.describe, (args) =>
        Number(args[2]) === r.reasons ? null : `reasons ${String(args[2])} != ${r.reasons}`,
      );
      if (res.ok) recorded = r.price;
    } else {
      const res = await exec(ctx, "recordSettlement", keeper, world.addr.router, record(pred.hints));
      judge(res, pred.failed ? "OracleSettlementQuorumNotMet" : null, this.describe, (args) =>
        Number(args[2]) === pred.agg.reasons ? null : `reasons ${String(args[2])} != ${pred.agg.reasons}`,
      );
      if (res.ok) recorded = pred.agg.price;
    }
    if (recorded === null) return;
    const finalAt = model.time + sp.disputeWindow;
    model.settlement.set(expiry, { price: recorded, finalAt });
    if (final) {
      await world.chain.mine(finalAt);
      model.time = finalAt;
      ctx.prev = ctx.state;
      ctx.state = await observe(world, ctx.full);
      ctx.last = { action: "warp", ok: true, changesNothing: true };
    }
  },
});

/* ---------------------------------------------------------------- */
/*                          ROLES AND PARAMETERS                    */
/* ---------------------------------------------------------------- */

export const riskSetVol = (j: number, vol: bigint): Action => ({
  describe: `RISK market.setImpliedVol(series#${j}, ${vol})`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "setVol", world.risk, world.addr.market, enc(ctx, "market", "setImpliedVol", [world.series[j].id, vol]));
    let expected: string | null = null;
    if (vol < WAD / 20n || vol > 5n * WAD) expected = "MarketVolOutOfRange";
    if (!res.ok && !expected && res.revert.name === "MarginSeriesExpired" && model.time >= world.series[j].expiry) return;
    judge(res, expected, this.describe);
    if (res.ok) model.vols[j] = vol;
  },
});

export const riskSetQuoteParams = (spread: bigint, feeRate: bigint, feeCap: bigint, cutoff: bigint): Action => ({
  describe: `RISK market.setQuoteParams(${spread}, ${feeRate}, ${feeCap}, ${cutoff})`,
  async run(ctx) {
    const { world, model } = ctx;
    const p = { spread, feeRate, feeCap, tradingCutoff: cutoff };
    const res = await exec(ctx, "setQuoteParams", world.risk, world.addr.market, enc(ctx, "market", "setQuoteParams", [p]));
    const bad = spread > WAD / 4n || feeRate > WAD / 100n || feeCap > WAD / 2n || cutoff < 300n || cutoff > 86_400n;
    judge(res, bad ? "MarketParameterOutOfRange" : null, this.describe);
    if (res.ok) model.quoteParams = p;
  },
});

export const riskSetMarginParams = (initialShock: bigint, maintenanceShock: bigint, initialMinCharge: bigint, maintenanceMinCharge: bigint): Action => ({
  describe: `RISK engine.setMarginParams(${initialShock}, ${maintenanceShock}, ${initialMinCharge}, ${maintenanceMinCharge})`,
  async run(ctx) {
    const { world, model } = ctx;
    const p = { initialShock, maintenanceShock, initialMinCharge, maintenanceMinCharge };
    const res = await exec(ctx, "setMarginParams", world.risk, world.addr.engine, enc(ctx, "engine", "setMarginParams", [p]));
    // The first parameter outside its bounds is the one reported (bounds of MarginValuation._setMarginParams).
    const checks: [string, bigint, bigint, bigint][] = [
      ["initialShock", initialShock, WAD / 100n, (WAD * 9n) / 10n],
      ["maintenanceShock", maintenanceShock, WAD / 100n, initialShock],
      ["initialMinCharge", initialMinCharge, 0n, WAD / 2n],
      ["maintenanceMinCharge", maintenanceMinCharge, 0n, initialMinCharge],
    ];
    const bad = checks.find(([, v, lo, hi]) => v < lo || v > hi);
    judge(res, bad ? "MarginParameterOutOfRange" : null, this.describe, (args) => {
      const [, value, lo, hi] = args as [string, bigint, bigint, bigint];
      return value === bad![1] && lo === bad![2] && hi === bad![3] ? null : `reported (${value}, ${lo}, ${hi}), model ${bad![0]}`;
    });
    if (res.ok) model.marginParams = p;
  },
});

export const riskSetMaxSpotAge = (age: bigint): Action => ({
  describe: `RISK vault.setMaxSpotAge(${age})`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "setMaxSpotAge", world.risk, world.addr.vault, enc(ctx, "vault", "setMaxSpotAge", [age]));
    judge(res, age < 30n || age > 86_400n ? "VaultParameterOutOfRange" : null, this.describe);
    if (res.ok) model.maxSpotAge = age;
  },
});

/* ---------------------------------------------------------------- */
/*                 CIRCUIT BREAKER (keeper, guardian, admin)        */
/* ---------------------------------------------------------------- */

export type BreakerScope = "market" | "global" | "unknown";
const scopeId = (ctx: Ctx, scope: BreakerScope): string =>
  scope === "market" ? ctx.world.underlying : scope === "global" ? "0x" + "00".repeat(32) : "0x" + "42".repeat(32);

/**
 * Permissionless `poke(scope)` (the watchdog's call): the market's oracle status and price move from the router's
 * reading, then the global causes. Utilisation is above the 100% cap exactly when the vault cannot be valued (a FAILED
 * oracle under one of its positions) or its equity is not positive.
 */
export const poke = (caller: number, scope: BreakerScope): Action => ({
  describe: `breaker.poke(by ${name(caller)}, ${scope})`,
  async run(ctx) {
    const { world, model } = ctx;
    const pre = ctx.state;
    const res = await exec(ctx, "poke", world.accounts[caller], world.addr.breaker, enc(ctx, "breaker", "poke", [scopeId(ctx, scope)]));
    if (scope === "unknown") return judge(res, "BreakerUnknownMarket", this.describe);
    judge(res, null, this.describe);
    const ts = model.time;
    const status = model.oracle.status as number as Status;
    if (scope === "market") model.breaker.evaluateMarket(status === Status.FAILED ? 0n : model.spot, status, ts);
    const unpriced = model.hasPosition(VAULT) && model.oracle.status === OracleStatus.FAILED;
    // Equity of the block before (marks move by one second of decay): a vault within a unit of zero never occurs here.
    model.breaker.pokeGlobal(unpriced || pre.accounts[VAULT].equity <= 0n, ts);
  },
});

export const guardianTrip = (scope: BreakerScope, mode: number): Action => ({
  describe: `GUARDIAN breaker.trip(${scope}, ${Mode[mode]})`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "trip", world.guardian, world.addr.breaker, enc(ctx, "breaker", "trip", [scopeId(ctx, scope), mode]));
    if (scope === "unknown") return judge(res, "BreakerUnknownMarket", this.describe);
    const s = scope === "market" ? model.breaker.market : model.breaker.global;
    judge(res, mode <= s.manualMode ? "BreakerTripNotEscalating" : null, this.describe);
    if (res.ok) s.manualMode = mode as Mode;
  },
});

export const adminLift = (scope: BreakerScope, mode: number): Action => ({
  describe: `ADMIN breaker.lift(${scope}, ${Mode[mode]})`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "lift", world.admin, world.addr.breaker, enc(ctx, "breaker", "lift", [scopeId(ctx, scope), mode]));
    if (scope === "unknown") return judge(res, "BreakerUnknownMarket", this.describe);
    const s = scope === "market" ? model.breaker.market : model.breaker.global;
    judge(res, mode >= s.manualMode ? "BreakerLiftNotLowering" : null, this.describe);
    if (res.ok) s.manualMode = mode as Mode;
  },
});

export const guardianPause = (): Action => ({
  describe: "GUARDIAN breaker.pause()",
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "pause", world.guardian, world.addr.breaker, enc(ctx, "breaker", "pause", []));
    judge(res, model.breaker.paused ? "EnforcedPause" : null, this.describe);
    if (res.ok) model.breaker.paused = true;
  },
});

export const adminUnpause = (): Action => ({
  describe: "ADMIN breaker.unpause()",
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "unpause", world.admin, world.addr.breaker, enc(ctx, "breaker", "unpause", []));
    judge(res, model.breaker.paused ? null : "ExpectedPause", this.describe);
    if (res.ok) model.breaker.paused = false;
  },
});

/** Breaker.Parameter indexes named in BreakerParameterOutOfBounds. */
const PRICE_MOVE_LIMIT = 0n;
const PRICE_MOVE_WINDOW = 1n;
const COOLDOWN = 5n;

export const riskSetCooldown = (cooldown: bigint): Action => ({
  describe: `RISK breaker.setCooldown(${cooldown})`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "setCooldown", world.risk, world.addr.breaker, enc(ctx, "breaker", "setCooldown", [cooldown]));
    const bad = cooldown < 300n || cooldown > 86_400n;
    judge(res, bad ? "BreakerParameterOutOfBounds" : null, this.describe, (args) =>
      args[0] === COOLDOWN && args[1] === cooldown && args[2] === 300n && args[3] === 86_400n ? null : `args ${args.join(", ")}`,
    );
    if (res.ok) model.breaker.cooldown = cooldown;
  },
});

export const riskSetPriceMoveParams = (limitBps: bigint, window: bigint): Action => ({
  describe: `RISK breaker.setPriceMoveParams(ETH, ${limitBps} bps, ${window} s)`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "setPriceMove", world.risk, world.addr.breaker, enc(ctx, "breaker", "setPriceMoveParams", [world.underlying, limitBps, window]));
    const badLimit = limitBps < 100n || limitBps > 5_000n;
    const badWindow = window < 60n || window > 86_400n;
    judge(res, badLimit || badWindow ? "BreakerParameterOutOfBounds" : null, this.describe, (args) =>
      args[0] === (badLimit ? PRICE_MOVE_LIMIT : PRICE_MOVE_WINDOW) ? null : `parameter ${String(args[0])}`,
    );
    if (res.ok) {
      // The next reading starts a fresh window under the new parameters.
      Object.assign(model.breaker.market, { moveLimitBps: limitBps, window, refPrice: 0n });
    }
  },
});

/** RISK `liquidation.setParams`: each field bounded; the first one outside its bounds is reported with them. */
export const riskSetLiquidationParams = (p: LiquidationParams): Action => ({
  describe: `RISK liquidation.setParams(${Object.values(p).join(", ")})`,
  async run(ctx) {
    const { world, model } = ctx;
    const res = await exec(ctx, "setLiquidationParams", world.risk, world.addr.liquidation, enc(ctx, "liquidation", "setParams", [p]));
    const checks: [string, bigint, bigint, bigint][] = [
      ["closeFactor", p.closeFactor, WAD / 10n, WAD],
      ["dustAmount", p.dustAmount, 0n, 10n * WAD],
      ["penaltyRate", p.penaltyRate, 0n, WAD / 10n],
      ["maxFeeRate", p.maxFeeRate, 0n, WAD / 10n],
      ["baseFeeRate", p.baseFeeRate, 0n, p.maxFeeRate],
      ["feeSlopePerSecond", p.feeSlopePerSecond, 0n, 10n ** 14n],
      ["insuranceShare", p.insuranceShare, 0n, WAD],
      ["maxSpotAge", p.maxSpotAge, 60n, 86_400n],
    ];
    const bad = checks.find(([, v, lo, hi]) => v < lo || v > hi);
    judge(res, bad ? "LiquidationParameterOutOfRange" : null, this.describe, (args) => {
      const [param, value, lo, hi] = args as [string, bigint, bigint, bigint];
      const ok = decodeBytes32String(param) === bad![0] && value === bad![1] && lo === bad![2] && hi === bad![3];
      return ok ? null : `reported ${decodeBytes32String(param)} (${value}, ${lo}, ${hi}), model ${bad![0]}`;
    });
    if (res.ok) model.liqParams = { ...p };
  },
});

/** Every restricted entry point, called by an actor that holds no role for it. */
export const unauthorized = (caller: number, which: number): Action => ({
  describe: `${name(caller)} calls restricted function #${which}`,
  async run(ctx) {
    const { world } = ctx;
    const calls: [string, string][] = [
      [world.addr.market, enc(ctx, "market", "setImpliedVol", [world.series[0].id, WAD])],
      [world.addr.market, enc(ctx, "market", "setQuoteParams", [{ spread: 0n, feeRate: 0n, feeCap: 0n, tradingCutoff: 300n }])],
      [world.addr.market, enc(ctx, "market", "setExposureCaps", [world.underlying, { maxNetDelta: 0n, maxNetVega: 0n, maxOpenInterest: 0n }])],
      [world.addr.market, enc(ctx, "market", "listSeries", [world.underlying, 2100n * WAD, world.series[6].expiry, true, WAD])],
      [world.addr.engine, enc(ctx, "engine", "setMarginParams", [{ initialShock: WAD / 2n, maintenanceShock: WAD / 4n, initialMinCharge: WAD / 4n, maintenanceMinCharge: WAD / 8n }])],
      [world.addr.engine, enc(ctx, "engine", "setRiskFreeRate", [WAD / 5n])],
      [world.addr.engine, enc(ctx, "engine", "wire", [world.accounts[caller], world.accounts[caller]])],
      [world.addr.engine, enc(ctx, "engine", "addUnderlying", ["0x" + "42".repeat(32)])],
      [world.addr.vault, enc(ctx, "vault", "setMaxSpotAge", [86_400n])],
      [world.addr.breaker, enc(ctx, "breaker", "trip", ["0x" + "00".repeat(32), 2])],
      [world.addr.breaker, enc(ctx, "breaker", "pause", [])],
      [world.addr.breaker, enc(ctx, "breaker", "lift", [world.underlying, 0])],
      [world.addr.breaker, enc(ctx, "breaker", "unpause", [])],
      [world.addr.breaker, enc(ctx, "breaker", "setCooldown", [600n])],
      [world.addr.breaker, enc(ctx, "breaker", "recordOutflow", [1n])],
      [world.addr.breaker, enc(ctx, "breaker", "recordInflow", [1n])],
      [world.addr.liquidation, enc(ctx, "liquidation", "setParams", [{ ...world.liqParams, closeFactor: WAD }])],
      [world.addr.engine, enc(ctx, "engine", "registerSeries", [world.underlying, 2100n * WAD, world.series[6].expiry, true, WAD])],
      [world.addr.engine, enc(ctx, "engine", "creditVault", [1n])],
      [world.addr.engine, enc(ctx, "engine", "withdrawVault", [world.accounts[caller], 1n])],
      [world.addr.engine, enc(ctx, "engine", "applyTrade", [world.accounts[caller], world.series[0].id, WAD, 0n])],
      [world.addr.engine, enc(ctx, "engine", "liquidatePosition", [{ account: world.accounts[ALICE_IDX], seriesId: world.series[0].id, amount: WAD, feeRecipient: world.accounts[caller], closeFactor: WAD, insuranceShare: 0n, feePerOption: 0n, penaltyPerOption: 0n, dustAmount: 0n }])],
    ];
    const [to, data] = calls[which % calls.length];
    const res = await exec(ctx, "unauthorized", world.accounts[caller], to, data);
    const index = which % calls.length;
    const moduleOnly = index >= 17;
    // The breaker's flow hooks (14, 15) answer the wired vault only, not a role.
    const flowHook = index === 14 || index === 15;
    const expected = moduleOnly ? "MarginUnauthorizedCaller" : flowHook ? "BreakerNotFlowReporter" : "AccessManagedUnauthorized";
    judge(res, expected, this.describe, (args) =>
      String(args[0]).toLowerCase() === world.accounts[caller].toLowerCase() ? null : `caller arg ${String(args[0])}`,
    );
  },
});

export { Violation };
