import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ETH, ETH_SPOT, makeAllStale, makeStale, options, setSpot, usdc } from "../../helpers/protocolFixture";
import { coreDigest } from "../../helpers/coreState";
import {
  ALLOWED,
  Cls,
  deployGatingFixture,
  enterMode,
  GLOBAL,
  Mode,
  MODES,
  ROWS,
  type EntryRow,
  type GatingFixture,
  type ModeName,
} from "./entryPoints";

/** Runs `row` and asserts success, or a breaker refusal that changed nothing. */
async function expectGate(f: GatingFixture, row: EntryRow, allowed: boolean, mode: ModeName): Promise<void> {
  if (allowed) {
    const result = await row.run(f);
    if (result && typeof result === "object" && "wait" in result) {
      const receipt = await (result as { wait(): Promise<{ status: number | null } | null> }).wait();
      expect(receipt?.status).to.equal(1);
    }
    return;
  }
  const before = await coreDigest(f);
  const error = mode === "PAUSED" ? "BreakerPaused" : "BreakerActionNotAllowed";
  await expect(row.run(f)).to.be.revertedWithCustomError(f.breaker, error);
  expect(await coreDigest(f)).to.deep.equal(before, "a refused action must change nothing");
}

describe("Gating: every entry point in every mode (README: entry points and circuit-breaker modes)", () => {
  describe("global scope (guardian trips GLOBAL, or pauses)", () => {
    for (const mode of MODES) {
      describe(mode, () => {
        for (const row of ROWS) {
          const allowed = ALLOWED[row.cls].includes(mode);
          it(`${row.contract}.${row.entry} (${row.effect}, ${row.cls}) is ${allowed ? "allowed" : "refused"}`, async () => {
            const f = await loadFixture(deployGatingFixture);
            await enterMode(f, mode, GLOBAL);
            await expectGate(f, row, allowed, mode);
          });
        }
      });
    }
  });

  describe("market scope (guardian trips ETH only): global-scope entries are unaffected", () => {
    for (const mode of ["REDUCE_ONLY", "HALTED"] as const) {
      describe(mode, () => {
        for (const row of ROWS) {
          const allowed = row.scope !== "market" || ALLOWED[row.cls].includes(mode);
          it(`${row.contract}.${row.entry} (${row.effect}) is ${allowed ? "allowed" : "refused"}`, async () => {
            const f = await loadFixture(deployGatingFixture);
            await enterMode(f, mode, ETH);
            await expectGate(f, row, allowed, mode);
          });
        }
      });
    }
  });

  describe("what the gated contracts pass to the breaker", () => {
    it("test_trade_passesDegradedStatus_opensRefusedAndReductionRecordsTheTrip", async () => {
      const f = await loadFixture(deployGatingFixture);
      // One of the three sources stops updating: the router's reading is DEGRADED (two fresh sources at the spot).
      await makeStale(f, 0);
      // An open is refused on the engine's DEGRADED reading (the trip it evaluated is undone with it).
      await expect(
        f.market.connect(f.carol).trade(f.series.call2200, options(1), usdc(1_000_000), 2n ** 64n),
      ).to.be.revertedWithCustomError(f.breaker, "BreakerActionNotAllowed");
      // A reduction is allowed and records the automatic trip from the same reading.
      await f.market.connect(f.alice).trade(f.series.call2000, -options("0.5"), 0n, 2n ** 64n);
      const [mode, reason] = await f.breaker.modeOf(ETH);
      expect(mode).to.equal(Mode.REDUCE_ONLY);
      expect(reason).to.equal(2n); // ORACLE_DEGRADED
    });

    it("test_trade_degradedThenOk_okReadingDoesNotClearBeforeCooldown", async () => {
      const f = await loadFixture(deployGatingFixture);
      await makeStale(f, 0);
      await f.market.connect(f.alice).trade(f.series.call2000, -options("0.1"), 0n, 2n ** 64n);
      await setSpot(f, ETH_SPOT);
      await f.market.connect(f.alice).trade(f.series.call2000, -options("0.1"), 0n, 2n ** 64n);
      const [mode] = await f.breaker.modeOf(ETH);
      expect(mode).to.equal(Mode.REDUCE_ONLY, "an OK reading only starts the cooldown");
    });

    it("test_trade_priceMoveBeyondLimit_tripsMarketOnTheTradersReading", async () => {
      const f = await loadFixture(deployGatingFixture);
      // The first trade after the fixture's clock jump takes a new reference at the spot; the fixture's limit is
      // 50% within an hour, so a reduction at +60% inside the window trips the market to REDUCE_ONLY.
      await f.market.connect(f.alice).trade(f.series.call2000, -options("0.1"), 0n, 2n ** 64n);
      expect((await f.breaker.scopeState(ETH)).refPrice).to.equal(ETH_SPOT);
      await setSpot(f, (ETH_SPOT * 16n) / 10n);
      await f.market.connect(f.alice).trade(f.series.call2000, -options("0.1"), 0n, 2n ** 64n);
      const [mode, reason] = await f.breaker.modeOf(ETH);
      expect(mode).to.equal(Mode.REDUCE_ONLY);
      expect(reason).to.equal(4n); // PRICE_MOVE
    });

    it("test_vault_deposit_recordsInflow_withdrawRecordsOutflow", async () => {
      const f = await loadFixture(deployGatingFixture);
      const start = await f.breaker.netOutflow();
      await f.vault.connect(f.lp).deposit(usdc(10_000), f.lp.address);
      const afterIn = await f.breaker.netOutflow();
      expect(afterIn).to.be.lessThan(start);
      await f.vault.connect(f.lp).withdraw(usdc(4_000), f.lp.address, f.lp.address);
      expect(await f.breaker.netOutflow()).to.be.greaterThan(afterIn);
    });

    it("test_vault_maxViews_followTheGate", async () => {
      const f = await loadFixture(deployGatingFixture);
      expect(await f.vault.maxDeposit(f.lp.address)).to.be.greaterThan(0n);
      expect(await f.vault.maxWithdraw(f.lp.address)).to.be.greaterThan(0n);
      await f.breaker.connect(f.guardian).trip(GLOBAL, Mode.REDUCE_ONLY);
      expect(await f.vault.maxDeposit(f.lp.address)).to.equal(0n);
      expect(await f.vault.maxMint(f.lp.address)).to.equal(0n);
      expect(await f.vault.maxWithdraw(f.lp.address)).to.be.greaterThan(0n);
      await f.breaker.connect(f.guardian).pause();
      expect(await f.vault.maxWithdraw(f.lp.address)).to.equal(0n);
      expect(await f.vault.maxRedeem(f.lp.address)).to.equal(0n);
    });

    it("test_vault_utilisation_isReservedOverNav_andPokeTripsAboveCap", async () => {
      const f = await loadFixture(deployGatingFixture);
      const nav = await f.vault.totalAssets();
      const [, free] = await f.engine.vaultState(3600);
      const expected = ((nav - free) * 10n ** 18n + nav - 1n) / nav;
      const utilisation = await f.vault.utilisation();
      expect(utilisation).to.equal(expected);
      expect(utilisation).to.be.greaterThan(0n, "the vault backs open shorts in the fixture");
      // The LP cancels its queued request and takes out all it can: the reserved margin stays, NAV shrinks to
      // about it, utilisation rises past 0.5.
      await f.vault.connect(f.lp).cancelRedeemRequest(f.pending);
      await f.vault.connect(f.lp).withdraw(await f.vault.maxWithdraw(f.lp.address), f.lp.address, f.lp.address);
      expect(await f.vault.utilisation()).to.be.greaterThan(5n * 10n ** 17n);
      await f.breaker.poke(GLOBAL);
      expect((await f.breaker.modeOf(GLOBAL))[0]).to.equal(Mode.ACTIVE, "the fixture's cap is 1.0");
      await f.breaker.connect(f.risk).setUtilisationCap(5n * 10n ** 17n);
      await f.breaker.poke(GLOBAL);
      const [mode, reason] = await f.breaker.modeOf(GLOBAL);
      expect([mode, reason]).to.deep.equal([Mode.REDUCE_ONLY, 6n]); // UTILISATION
    });

    it("test_vault_utilisation_unpriceableVault_reportsMax", async () => {
      const f = await loadFixture(deployGatingFixture);
      // Every source stops updating: the router has no price for ETH.
      await makeAllStale(f);
      expect(await f.vault.utilisation()).to.equal(2n ** 256n - 1n);
    });

    it("test_classes_areTheBreakerEnum", async () => {
      // Guards the table against a reordering of ICircuitBreaker.ActionClass.
      const f = await loadFixture(deployGatingFixture);
      expect(await f.breaker.isAllowed(GLOBAL, Cls.VIEW)).to.equal(true);
      await f.breaker.connect(f.guardian).trip(GLOBAL, Mode.HALTED);
      expect(await f.breaker.isAllowed(GLOBAL, Cls.EXIT)).to.equal(true);
      expect(await f.breaker.isAllowed(GLOBAL, Cls.RISK_REDUCING)).to.equal(false);
      expect(await f.breaker.isAllowed(GLOBAL, Cls.RISK_INCREASING)).to.equal(false);
    });
  });
});
