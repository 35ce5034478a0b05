import { assert, assertEq, type Ctx } from "./context";
import { ReqStatus, OracleStatus } from "./model";
import { VAULT, ACTOR_NAMES } from "./world";
import { Cls, type Scope } from "./breaker";
import { askPerOptionUp, bidPerOptionDown, premiumOf, toShares, toAssets, payoff, WAD } from "./math";

/** One invariant: an id (as in audits/INVARIANTS.md) and a check over the context after an action. */
export interface Invariant {
  id: string;
  text: string;
  check(ctx: Ctx): void;
}

const n = (i: number) => ACTOR_NAMES[i];

export const INVARIANTS: Invariant[] = [
  /* ---------------------------- conservation ---------------------------- */
  { id: "C-01", text: "engine token balance == internal balances owed + donations", check: ({ state: s, model: m }) =>
      assertEq("C-01", s.engineBalance, s.engineOwed + m.engineDonated, "engine balance") },
  { id: "C-02", text: "vault token balance == total claimable + donations", check: ({ state: s, model: m }) =>
      assertEq("C-02", s.vaultBalance, s.vaultClaimable + m.vaultDonated, "vault balance") },
  { id: "C-03", text: "quote tokens are conserved across wallets, engine and vault", check: ({ state: s, world: w }) => {
      const total = s.accounts.reduce((a, x) => a + x.wallet, 0n) + s.engineBalance;
      assertEq("C-03", total, w.minted, "total quote tokens");
    } },
  { id: "C-04", text: "engine owed == sum of every account's collateral (vault included)", check: ({ state: s }) =>
      assertEq("C-04", s.engineOwed, s.accounts.reduce((a, x) => a + x.collateral, 0n), "sum of collateral") },
  { id: "C-05", text: "every wallet balance equals the model", check: ({ state: s, model: m }) =>
      s.accounts.forEach((a, i) => assertEq("C-05", a.wallet, m.wallet[i], `${n(i)} wallet`)) },
  { id: "C-06", text: "every collateral balance equals the model", check: ({ state: s, model: m }) =>
      s.accounts.forEach((a, i) => assertEq("C-06", a.collateral, m.collateral[i], `${n(i)} collateral`)) },
  /* ------------------------------ positions ----------------------------- */
  { id: "P-01", text: "net open interest of every series is zero (vault is the counterparty)", check: ({ state: s }) =>
      s.series.forEach((_, j) => assertEq("P-01", s.accounts.reduce((a, x) => a + x.positions[j], 0n), 0n, `net position series#${j}`)) },
  { id: "P-02", text: "every position equals the model", check: ({ state: s, model: m }) =>
      s.accounts.forEach((a, i) => a.positions.forEach((p, j) => assertEq("P-02", p, m.positions[i][j], `${n(i)} series#${j}`))) },
  /* -------------------------------- shares ------------------------------ */
  { id: "S-01", text: "share supply == sum of holders' shares + escrow", check: ({ state: s }) =>
      assertEq("S-01", s.totalSupply, s.accounts.reduce((a, x) => a + x.shares, 0n), "total supply") },
  { id: "S-02", text: "every share balance equals the model", check: ({ state: s, model: m }) =>
      s.accounts.forEach((a, i) => assertEq("S-02", a.shares, m.shares[i], `${n(i)} shares`)) },
  { id: "S-03", text: "escrowed shares == shares of pending requests", check: ({ state: s, model: m }) =>
      assertEq("S-03", s.accounts[VAULT].shares, m.pendingShares(), "escrow") },
  { id: "S-04", text: "total claimable == assets of CLAIMABLE requests", check: ({ state: s, model: m }) =>
      assertEq("S-04", s.vaultClaimable, m.requests.reduce((a, r) => a + (r.status === ReqStatus.CLAIMABLE ? r.assets : 0n), 0n), "claimable") },
  { id: "S-05", text: "queue head <= tail == number of requests", check: ({ state: s, model: m }) => {
      assert("S-05", s.queueHead <= s.queueTail, "head beyond tail");
      assertEq("S-05", s.queueTail, BigInt(m.requests.length), "queue tail");
    } },
  /* ------------------------------- ERC-4626 ----------------------------- */
  { id: "V-01", text: "previewDeposit == convertToShares, rounded down", check: ({ state: s }) => {
      if (!s.full || !s.previewsOk) return;
      const exp = toShares(1_000_000_000n, s.totalAssets, s.totalSupply, false);
      assertEq("V-01", s.previewDeposit, exp, "previewDeposit");
      assertEq("V-01", s.convertToShares, exp, "convertToShares");
    } },
  { id: "V-02", text: "previewMint rounds up (caller pays at least convertToAssets)", check: ({ state: s }) => {
      if (!s.full || !s.previewsOk) return;
      assertEq("V-02", s.previewMint, toAssets(10n ** 15n, s.totalAssets, s.totalSupply, true), "previewMint");
      assert("V-02", s.previewMint >= s.convertToAssets, "previewMint below convertToAssets");
    } },
  { id: "V-03", text: "previewWithdraw rounds up (caller burns at least convertToShares)", check: ({ state: s }) => {
      if (!s.full || !s.previewsOk) return;
      assertEq("V-03", s.previewWithdraw, toShares(1_000_000_000n, s.totalAssets, s.totalSupply, true), "previewWithdraw");
      assert("V-03", s.previewWithdraw >= s.convertToShares, "previewWithdraw below convertToShares");
    } },
  { id: "V-04", text: "previewRedeem == convertToAssets, rounded down", check: ({ state: s }) => {
      if (!s.full || !s.previewsOk) return;
      assertEq("V-04", s.previewRedeem, toAssets(10n ** 15n, s.totalAssets, s.totalSupply, false), "previewRedeem");
    } },
  { id: "V-05", text: "round trips never profit: redeem(deposit(a)) <= a and mint(withdraw) >= ...", check: ({ state: s }) => {
      if (!s.full || !s.previewsOk) return;
      const back = toAssets(s.previewDeposit, s.totalAssets, s.totalSupply, false);
      assert("V-05", back <= 1_000_000_000n, `deposit->redeem returns ${back} > deposited`);
      const again = toShares(s.previewRedeem, s.totalAssets, s.totalSupply, true);
      assert("V-05", again <= 10n ** 15n || s.previewRedeem === 0n, `redeem->withdraw burns fewer shares (${again})`);
    } },
  { id: "V-06", text: "maxWithdraw <= own assets and <= available liquidity", check: ({ state: s }) => {
      if (!s.full) return;
      s.accounts.slice(0, VAULT).forEach((a, i) => {
        assert("V-06", a.maxWithdraw <= toAssets(a.shares, s.totalAssets, s.totalSupply, false), `${n(i)} maxWithdraw above own assets`);
        assert("V-06", a.maxWithdraw <= s.available, `${n(i)} maxWithdraw above available`);
      });
    } },
  { id: "V-07", text: "maxRedeem <= own shares", check: ({ state: s }) => {
      if (!s.full) return;
      s.accounts.slice(0, VAULT).forEach((a, i) => assert("V-07", a.maxRedeem <= a.shares, `${n(i)} maxRedeem above shares`));
    } },
  { id: "V-08", text: "deposits are closed (maxDeposit 0) exactly when the vault's oracle is failed or stale, it is insolvent or the breaker's global gate refuses RISK_INCREASING", check: ({ state: s, model: m }) => {
      if (!s.full) return;
      const gated = m.breaker.gate("global", Cls.RISK_INCREASING) !== null;
      const blocked = gated || m.vaultOracleError(s.timestamp) !== null || s.accounts[VAULT].equity < 0n;
      assert("V-08", s.depositOpen === !blocked, `maxDeposit open=${s.depositOpen}, model blocked=${blocked} (breaker ${gated})`);
    } },
  { id: "V-09", text: "NAV == vault equity floored at zero", check: ({ state: s }) => {
      const e = s.accounts[VAULT].equity;
      if (s.accounts[VAULT].priced) assertEq("V-09", s.totalAssets, e > 0n ? e : 0n, "totalAssets");
    } },
  { id: "V-12", text: "a vault operation never lowers the value of a share (same-block NAV and supply, before vs after)", check: ({ state: s, last }) => {
      if (!last.ok || !last.vaultOp) return;
      const { navBefore, supplyBefore } = last.vaultOp;
      // (navAfter + 1) / (supplyAfter + offset) >= (navBefore + 1) / (supplyBefore + offset), cross-multiplied.
      const after = (s.totalAssets + 1n) * (supplyBefore + 1_000_000n);
      const before = (navBefore + 1n) * (s.totalSupply + 1_000_000n);
      assert("V-12", after >= before, `share value fell: nav ${navBefore}->${s.totalAssets}, supply ${supplyBefore}->${s.totalSupply}`);
    } },
  /* -------------------------------- margin ------------------------------ */
  { id: "M-04", text: "maintenance requirement <= initial requirement", check: ({ state: s }) =>
      s.accounts.forEach((a, i) => assert("M-04", a.maintReq <= a.initialReq, `${n(i)} MR ${a.maintReq} > IR ${a.initialReq}`)) },
  { id: "M-05", text: "health == equity / maintenance (WAD), max when nothing is required", check: ({ state: s }) =>
      s.accounts.forEach((a, i) => {
        if (!a.priced) return;
        if (a.maintReq === 0n) assert("M-05", a.health > 10n ** 70n, `${n(i)} health not max`);
        else assertEq("M-05", a.health, a.equity <= 0n ? 0n : (a.equity * WAD) / a.maintReq, `${n(i)} health`);
      }) },
  { id: "M-07", text: "an account without positions has equity == collateral and no requirement", check: ({ state: s }) =>
      s.accounts.forEach((a, i) => {
        if (a.positions.some((p) => p !== 0n)) return;
        assertEq("M-07", a.equity, a.collateral, `${n(i)} equity`);
        assertEq("M-07", a.initialReq, 0n, `${n(i)} IR`);
      }) },
  { id: "M-08", text: "equity == collateral + marks (exact reference)", check: ({ state: s, model: m }) =>
      s.accounts.forEach((a, i) => {
        if (!a.priced || !s.series.every((x) => x.markOk)) return;
        assertEq("M-08", a.equity, m.margin(a.collateral, a.positions, s).equity, `${n(i)} equity`);
      }) },
  { id: "M-09", text: "initial and maintenance requirements equal the exact reference", check: ({ state: s, model: m }) =>
      s.accounts.forEach((a, i) => {
        if (!a.priced || !s.series.every((x) => x.markOk)) return;
        const r = m.margin(a.collateral, a.positions, s);
        assertEq("M-09", a.initialReq, r.initial, `${n(i)} IR`);
        assertEq("M-09", a.maintReq, r.maintenance, `${n(i)} MR`);
      }) },
  { id: "M-10", text: "a priced account reports priced; no account is priced under a FAILED oracle with positions", check: ({ state: s, model: m }) =>
      s.accounts.forEach((a, i) => {
        const needs = a.positions.some((p) => p !== 0n);
        if (needs) assert("M-10", a.priced === (m.oracle.status !== OracleStatus.FAILED), `${n(i)} priced=${a.priced}`);
      }) },
  /* -------------------------------- quotes ------------------------------ */
  { id: "Q-01", text: "ask >= bid for every series", check: ({ state: s }) =>
      s.series.forEach((x, j) => { if (x.quoteOk) assert("Q-01", x.ask >= x.bid, `series#${j} ask ${x.ask} < bid ${x.bid}`); }) },
  { id: "Q-02", text: "market quotes equal the model's QuoteMath exactly", check: ({ state: s, model: m }) =>
      s.series.forEach((x, j) => {
        if (!x.quoteOk) return;
        assertEq("Q-02", x.ask, premiumOf(WAD, x.mark, x.spot, m.quoteParams), `series#${j} ask`);
        assertEq("Q-02", x.bid, premiumOf(-WAD, x.mark, x.spot, m.quoteParams), `series#${j} bid`);
        assert("Q-02", askPerOptionUp(x.mark, x.spot, m.quoteParams) >= bidPerOptionDown(x.mark, x.spot, m.quoteParams), "per-option ask < bid");
      }) },
  { id: "Q-03", text: "same-expiry marks are monotone in strike (calls down, puts up)", check: ({ state: s, model: m }) => {
      const ser = s.series;
      if (!ser.every((x) => x.markOk)) return;
      for (const [a, b] of [[0, 1], [1, 2], [3, 4], [4, 5]]) {
        if (m.vols[a] !== m.vols[b]) continue;
        const calls = a < 3;
        assert("Q-03", calls ? ser[a].mark + 1n >= ser[b].mark : ser[a].mark <= ser[b].mark + 1n, `series#${a} vs #${b}: ${ser[a].mark} / ${ser[b].mark}`);
      }
    } },
  { id: "Q-04", text: "live marks within no-arbitrage bounds: intrinsic <= mark <= spot (call) / strike (put)", check: ({ state: s, world: w }) =>
      s.series.forEach((x, j) => {
        const t = w.series[j];
        if (!x.markOk || s.timestamp >= t.expiry) return;
        const intrinsic = payoff(t.strike, t.isCall, x.spot);
        // Tolerance: the Black-Scholes library's documented absolute error (1e-12 of spot) plus one wei.
        assert("Q-04", x.mark + x.spot / 10n ** 12n + 1n >= intrinsic, `series#${j} mark ${x.mark} below intrinsic ${intrinsic}`);
        assert("Q-04", x.mark <= (t.isCall ? x.spot : t.strike), `series#${j} mark above its bound`);
      }) },
  { id: "Q-05", text: "marks are monotone in expiry (longer >= shorter, same strike and vol)", check: ({ state: s, model: m }) => {
      const ser = s.series;
      if (!ser.every((x) => x.markOk) || s.timestamp >= ser[1].expiry) return;
      if (m.vols[1] === m.vols[6]) assert("Q-05", ser[6].mark + 1n >= ser[1].mark, `call: long ${ser[6].mark} < short ${ser[1].mark}`);
      if (m.vols[4] === m.vols[7]) assert("Q-05", ser[7].mark + 1n >= ser[4].mark, `put: long ${ser[7].mark} < short ${ser[4].mark}`);
    } },
  { id: "O-00", text: "the router's spot reading (price, status, reasons, sources, timestamp) is the model's prediction from the feeds and the sequencer", check: ({ state: s, model: m }) => {
      const p = m.reading(s.timestamp);
      const o = s.oracle;
      const show = (r: typeof p) => `${r.price}/${OracleStatus[r.status]}/0x${r.reasons.toString(16)}/${r.validSources}/${r.updatedAt}`;
      assert("O-00", o.price === p.price && o.status === p.status && o.reasons === p.reasons && o.validSources === p.validSources && o.updatedAt === p.updatedAt,
        `router ${show(o)} != model ${show(p)}`);
    } },
  { id: "O-01", text: "a mark exists exactly when the oracle is not FAILED", check: ({ state: s, model: m }) =>
      s.series.forEach((x, j) => assert("O-01", x.markOk === (m.oracle.status !== OracleStatus.FAILED), `series#${j} markOk=${x.markOk}`)) },
  { id: "O-02", text: "marks use the router's spot (DEGRADED still prices at the median)", check: ({ state: s, model: m }) =>
      s.series.forEach((x, j) => { if (x.markOk) assertEq("O-02", x.spot, m.spot, `series#${j} spot`); }) },
  /* ------------------------------ settlement ---------------------------- */
  { id: "T-04", text: "after expiry a mark is the payoff at the final settlement price, or at spot until it is final", check: ({ state: s, world: w, model: m }) =>
      s.series.forEach((x, j) => {
        const t = w.series[j];
        if (!x.markOk || s.timestamp < t.expiry) return;
        const at = m.isFinal(t.expiry, s.timestamp) ? m.settlement.get(t.expiry)!.price : x.spot;
        assertEq("T-04", x.mark, payoff(t.strike, t.isCall, at), `series#${j} expired mark`);
      }) },
  /* ---------------------------- circuit breaker ------------------------- */
  { id: "B-01", text: "the breaker's market and global scopes, gate copies, pause and the engine's pause copy equal the model (every trip, cooldown and lift predicted)", check: ({ state: s, model: m }) => {
      const b = m.breaker;
      const same = (id: string, chain: Scope, model: Scope) => {
        for (const k of Object.keys(model) as (keyof Scope)[]) {
          assert("B-01", chain[k] === model[k], `${id}.${k}: chain ${String(chain[k])} != model ${String(model[k])}`);
        }
      };
      same("market", s.breaker.market, b.market);
      same("global", s.breaker.global, b.global);
      assert("B-01", s.breaker.paused === b.paused, `paused: chain ${s.breaker.paused} != model ${b.paused}`);
      // The engine's pause copy (settlement skips its breaker call while it says "unpaused") follows the pause.
      assert("B-01", s.breaker.engineReportsUnpaused === !b.paused, `engine pause copy says unpaused=${s.breaker.engineReportsUnpaused}, model paused=${b.paused}`);
      for (const level of s.breaker.levels) assert("B-01", level === b.globalLevel(), `gate copy ${level} != model ${b.globalLevel()}`);
    } },
  /* ------------------------------- general ------------------------------ */
  { id: "G-03", text: "a reverted action changes no balance, collateral, position, share or queue entry", check: ({ state: s, prev: p, last }) => {
      if (!last.changesNothing) return;
      assertEq("G-03", s.engineOwed, p.engineOwed, "owed");
      assertEq("G-03", s.totalSupply, p.totalSupply, "supply");
      assertEq("G-03", s.queueTail, p.queueTail, "queue tail");
      s.accounts.forEach((a, i) => {
        assertEq("G-03", a.collateral, p.accounts[i].collateral, `${n(i)} collateral`);
        assertEq("G-03", a.wallet, p.accounts[i].wallet, `${n(i)} wallet`);
        assertEq("G-03", a.shares, p.accounts[i].shares, `${n(i)} shares`);
      });
    } },
];

export function checkAll(ctx: Ctx): void {
  for (const inv of INVARIANTS) inv.check(ctx);
}
