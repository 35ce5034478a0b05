import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import * as A from "../invariants/harness/actions";
import { runSequence, world } from "../invariants/harness/campaign";
import { BOB, LP, VAULT, observe } from "../invariants/harness/world";
import { deployCoreFixture, ETH, ETH_SPOT, now, options, usdc } from "../helpers/coreFixture";

/**
 * Campaign counterexample V-08 (seed 20261122, path 2): after `RISK vault.setMaxSpotAge(31)` the chain reported
 * maxDeposit closed while the model expected it open. The vault was right: the spot the router held had been
 * written during deployment, 50 s before the campaign's base block, so with the vault holding a position a 31 s
 * bound made it stale, and `deposit` itself reverts `MarginOracleStale` there. The model assumed the spot was one
 * second old at the base state; it now reads the router's own timestamp. These tests pin the ERC-4626 contract the
 * model relies on: maxDeposit/maxMint are zero exactly when deposit/mint would revert for pricing.
 */
describe("Regression: vault maxDeposit follows the spot-age bound (V-08)", function () {
  this.timeout(10 * 60_000);

  async function vaultWithPositionFixture() {
    const f = await deployCoreFixture();
    // A trade makes the vault a counterparty: its NAV now needs a spot.
    await f.market.connect(f.alice).trade(f.series.call2000, options(1), usdc(10_000), (await now()) + 600n);
    await f.router.setSpot(ETH, ETH_SPOT);
    return f;
  }

  it("test_maxDeposit_spotOlderThanMaxSpotAge_isZeroAndDepositRevertsStale", async function () {
    const f = await loadFixture(vaultWithPositionFixture);
    await f.vault.connect(f.risk).setMaxSpotAge(31);
    await time.increase(40);
    expect(await f.vault.maxDeposit(f.lp.address)).to.equal(0n);
    expect(await f.vault.maxMint(f.lp.address)).to.equal(0n);
    await expect(f.vault.connect(f.lp).deposit(usdc(1_000), f.lp.address)).to.be.revertedWithCustomError(
      f.engine,
      "MarginOracleStale",
    );
    await expect(f.vault.connect(f.lp).mint(10n ** 15n, f.lp.address)).to.be.revertedWithCustomError(
      f.engine,
      "MarginOracleStale",
    );
  });

  it("test_maxDeposit_spotWithinMaxSpotAge_isOpenAndDepositSucceeds", async function () {
    const f = await loadFixture(vaultWithPositionFixture);
    await f.vault.connect(f.risk).setMaxSpotAge(31);
    // The bound is inclusive: a spot exactly 31 s old is still fresh (block.timestamp > updatedAt + age is stale).
    const updatedAt = (await f.router.getSpot(ETH)).updatedAt;
    await time.setNextBlockTimestamp(updatedAt + 30n);
    await hre.network.provider.send("evm_mine");
    expect(await f.vault.maxDeposit(f.lp.address)).to.equal(hre.ethers.MaxUint256);
    await time.setNextBlockTimestamp(updatedAt + 31n);
    await expect(f.vault.connect(f.lp).deposit(usdc(1_000), f.lp.address)).to.emit(f.vault, "Deposit");
  });

  it("test_maxDeposit_vaultWithoutPositions_ignoresSpotAge", async function () {
    const f = await loadFixture(deployCoreFixture);
    await f.vault.connect(f.risk).setMaxSpotAge(30);
    await time.increase(3_600);
    expect(await f.vault.maxDeposit(f.lp.address)).to.equal(hre.ethers.MaxUint256);
    await expect(f.vault.connect(f.lp).deposit(usdc(1_000), f.lp.address)).to.emit(f.vault, "Deposit");
  });

  it("test_campaign_seed20261122_tradeThenMaxSpotAge31_modelMatchesChain", async function () {
    const w = await world();
    await runSequence(w, [
      A.trade(BOB, 1, 10_000_000_000_000_013n, "exact", false),
      A.riskSetMaxSpotAge(31n),
      A.vaultDeposit(LP, 1_000_000n),
      A.moveSpot(10_000n),
      A.vaultDeposit(LP, 1_000_000n),
    ]);
    const s = await observe(w, true);
    expect(s.accounts[VAULT].positions[1]).to.equal(-10_000_000_000_000_013n);
    expect(s.depositOpen).to.equal(true);
  });
});
