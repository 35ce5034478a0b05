/**
 * Defends against a 40% crash in one block with many short puts open: liquidations must restore every account to
 * health or close it flat, the shortfall must be paid by the insurance fund then recorded as bad debt, and LPs must
 * not be able to withdraw more than the vault's free margin afterwards.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  DEADLINE,
  ETH,
  Mode,
  options,
  setSpot,
  usdc,
  wad,
  WAD,
} from "../../helpers/protocolFixture";
import { deployLiquidationScenario } from "./liquidationSetup";

const DEPOSITS = [
  9_000, 10_000, 12_000, 14_000, 16_000, 18_000, 20_000, 24_000, 28_000, 32_000,
];

async function crashFixture() {
  const f = await deployLiquidationScenario();
  const writers = (await hre.ethers.getSigners()).slice(
    10,
    10 + DEPOSITS.length
  );
  const engineAddress = await f.engine.getAddress();
  for (const [i, who] of writers.entries()) {
    await f.token.mint(who.address, usdc(100_000));
    await f.token.connect(who).approve(engineAddress, hre.ethers.MaxUint256);
    await f.engine.connect(who).deposit(who.address, usdc(DEPOSITS[i]));
    await f.market
      .connect(who)
      .trade(f.series.put2000, -options(40), 0n, DEADLINE);
  }
  return { ...f, writers };
}

describe("Scenario: a 40% crash in one block with many short puts open", () => {
  it("liquidations restore health or close flat, the fund then bad debt absorb the shortfall, LPs keep to free margin", async () => {
    const f = await loadFixture(crashFixture);
    const accounts = [f.dave, f.erin, ...f.writers].map((s) => s.address);
    const fundBefore = await f.insurance.balance();
    // The breaker watchdog has recorded the pre-crash reference price.
    await f.breaker.poke(ETH);
    await setSpot(f, wad(1200));

    let badDebt = 0n;
    let covered = 0n;
    for (let round = 0; round < 10; round++) {
      const items = [];
      for (const account of accounts) {
        const h = await f.engine.accountHealth(account);
        const position = await f.engine.positionOf(account, f.series.put2000);
        if (h.health < WAD && position < 0n)
          items.push({
            account,
            seriesId: f.series.put2000,
            amount: -position,
          });
      }
      if (items.length === 0) break;
      const receipt = await (
        await f.liquidation.connect(f.keeper).liquidateMany(items)
      ).wait();
      for (const log of receipt!.logs) {
        const parsed = f.liquidation.interface.parseLog(log);
        if (parsed?.name === "Liquidated") {
          badDebt += parsed.args.badDebt;
          covered += parsed.args.insuranceCover;
        }
        // Every liquidation strictly raised health or closed the series of an insolvent account.
        if (parsed?.name === "Liquidated") {
          const ok =
            parsed.args.healthAfter > parsed.args.healthBefore ||
            (parsed.args.healthBefore === 0n &&
              parsed.args.healthAfter === hre.ethers.MaxUint256);
          expect(ok).to.equal(true);
        }
        expect(parsed?.name).not.to.equal("LiquidationSkipped");
      }
    }

    // Every account is healthy again or holds no short.
    for (const account of accounts) {
      const h = await f.engine.accountHealth(account);
      const position = await f.engine.positionOf(account, f.series.put2000);
      expect(h.health >= WAD || position === 0n, account).to.equal(true);
    }
    // The crash left a shortfall: the fund paid all it had first, the rest is recorded as bad debt.
    expect(covered).to.equal(fundBefore);
    expect(badDebt).to.be.gt(0n);
    const recorded = await f.engine.queryFilter(
      f.engine.filters.BadDebtRecorded()
    );
    expect(recorded.reduce((sum, e) => sum + e.args.shortfall, 0n)).to.equal(
      badDebt
    );
    // A 10% move limit was exceeded: the market is REDUCE_ONLY, and liquidations stayed open through it.
    expect((await f.breaker.modeOf(ETH))[0]).to.equal(Mode.REDUCE_ONLY);

    // Quote tokens are conserved, and the LP can withdraw no more than the vault's free margin.
    const [balance, owed] = await f.engine.conservation();
    expect(balance).to.equal(owed);
    const vault = await f.vault.getAddress();
    const free = await f.engine.freeMarginOf(vault);
    const max = await f.vault.maxWithdraw(f.lp.address);
    expect(max).to.be.lte(free);
    await expect(
      f.vault.connect(f.lp).withdraw(max + 1n, f.lp.address, f.lp.address)
    ).to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxWithdraw");
  });
});
