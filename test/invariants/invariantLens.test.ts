import { expect } from "chai";
import { Interface } from "ethers";
import hre from "hardhat";
import * as A from "./harness/actions";
import { runSequence, world } from "./harness/campaign";
import { WAD } from "./harness/math";
import { ALICE, BOB, INSURANCE, LP, USERS, VAULT, observe } from "./harness/world";

/**
 * The campaign's one state read, `InvariantLens.snapshot`, against the contracts' own views called one by one in the
 * same block: every word the invariants use is the view's answer (the vault's ERC-4626 words, which the lens takes
 * from one `erc4626Snapshot` valuation, included), and the probes skipped for the vault and the insurance fund (whose
 * ERC-4626 limits no invariant checks) are the only words left at zero.
 */
describe("InvariantLens: one eth_call equals the views it gathers", function () {
  this.timeout(10 * 60_000);

  it("test_snapshot_afterTradesFlagAndVaultOps_equalsEachViewInTheSameBlock", async function () {
    const w = await world();
    await runSequence(w, [
      A.trade(ALICE, 1, -150n * WAD, "generous", false),
      A.trade(BOB, 3, 5n * WAD, "generous", false),
      A.vaultDeposit(BOB, 50_000n * 10n ** 6n),
      A.moveSpot(13_000n),
      A.flag(LP, ALICE),
      A.oracleFault("degraded"),
      A.guardianTrip("global", 1),
    ]);
    const s = await observe(w, true);
    const c = w.chain;
    const call = async (iface: Interface, to: string, f: string, args: unknown[]) =>
      iface.decodeFunctionResult(f, await c.call(to, iface.encodeFunctionData(f, args)));
    const liquidation = w.ifaces.liquidation;
    const vault = w.ifaces.vault;
    for (const [i, a] of w.accounts.entries()) {
      const [since] = await call(liquidation, w.addr.liquidation, "unhealthySince", [a]);
      expect(s.accounts[i].unhealthySince, `stamp of #${i}`).to.equal(since);
      const [shares] = await call(vault, w.addr.vault, "balanceOf", [a]);
      expect(s.accounts[i].shares, `shares of #${i}`).to.equal(shares);
      if (USERS.includes(i)) {
        const [mw] = await call(vault, w.addr.vault, "maxWithdraw", [a]);
        const [mr] = await call(vault, w.addr.vault, "maxRedeem", [a]);
        expect([s.accounts[i].maxWithdraw, s.accounts[i].maxRedeem], `limits of #${i}`).to.deep.equal([mw, mr]);
      }
    }
    // The vault's ERC-4626 words come from one `erc4626Snapshot` valuation: each equals its view called alone.
    const one = async (f: string, args: unknown[] = []) => (await call(vault, w.addr.vault, f, args))[0] as bigint;
    const probeAssets = 1_000n * 10n ** 6n;
    const probeShares = 1_000n * 10n ** 12n;
    expect({
      totalSupply: s.totalSupply,
      totalAssets: s.totalAssets,
      available: s.available,
      previewsOk: s.previewsOk,
      previewDeposit: s.previewDeposit,
      previewMint: s.previewMint,
      previewWithdraw: s.previewWithdraw,
      previewRedeem: s.previewRedeem,
      convertToShares: s.convertToShares,
      convertToAssets: s.convertToAssets,
      depositOpen: s.depositOpen,
    }).to.deep.equal({
      totalSupply: await one("totalSupply"),
      totalAssets: await one("totalAssets"),
      available: await one("availableLiquidity"),
      previewsOk: true,
      previewDeposit: await one("previewDeposit", [probeAssets]),
      previewMint: await one("previewMint", [probeShares]),
      previewWithdraw: await one("previewWithdraw", [probeAssets]),
      previewRedeem: await one("previewRedeem", [probeShares]),
      convertToShares: await one("convertToShares", [probeAssets]),
      convertToAssets: await one("convertToAssets", [probeShares]),
      depositOpen: (await one("maxDeposit", [hre.ethers.ZeroAddress])) !== 0n,
    });
    expect(s.totalAssets).to.be.greaterThan(0n);
    expect(s.available).to.be.greaterThan(0n);
    expect(s.previewWithdraw).to.be.greaterThan(s.convertToShares); // the probes round both ways
    expect(s.accounts[ALICE].unhealthySince).to.be.greaterThan(0n);
    expect(s.accounts[BOB].maxRedeem).to.be.greaterThan(0n);
    expect([s.accounts[VAULT].maxWithdraw, s.accounts[VAULT].maxRedeem, s.accounts[INSURANCE].maxWithdraw]).to.deep.equal([0n, 0n, 0n]);
    const breaker = w.ifaces.breaker;
    const [market] = await call(breaker, w.addr.breaker, "scopeState", [w.underlying]);
    const [global] = await call(breaker, w.addr.breaker, "scopeState", [hre.ethers.ZeroHash]);
    const [paused] = await call(breaker, w.addr.breaker, "paused", []);
    const scope = (x: { manualMode: bigint; autoMode: bigint; autoReason: bigint; clearing: boolean; moveLimitBps: bigint; window: bigint; windowStart: bigint; coolUntil: bigint; refPrice: bigint }) => ({
      manualMode: Number(x.manualMode),
      autoMode: Number(x.autoMode),
      autoReason: Number(x.autoReason),
      clearing: x.clearing,
      moveLimitBps: x.moveLimitBps,
      window: x.window,
      windowStart: x.windowStart,
      coolUntil: x.coolUntil,
      refPrice: x.refPrice,
    });
    expect(s.breaker.market).to.deep.equal(scope(market));
    expect(s.breaker.global).to.deep.equal(scope(global));
    expect(s.breaker.levels).to.deep.equal([Number(market.globalLevel), Number(global.globalLevel)]);
    expect(s.breaker.global.manualMode).to.equal(1);
    expect(s.breaker.paused).to.equal(paused);
    const [reported] = await call(w.ifaces.engine, w.addr.engine, "breakerReportedUnpaused", []);
    expect(s.breaker.engineReportsUnpaused).to.equal(reported);
    expect(s.breaker.engineReportsUnpaused).to.equal(!paused);
    const [spot] = await call(w.ifaces.router, w.addr.router, "getSpot", [w.underlying]);
    expect(s.oracle).to.deep.equal({
      price: spot.price,
      status: Number(spot.status),
      reasons: Number(spot.reasons),
      validSources: Number(spot.validSources),
      updatedAt: spot.updatedAt,
    });
    expect(s.oracle.status).to.equal(1); // DEGRADED: one source older than its heartbeat
  });
});
