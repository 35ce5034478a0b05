import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployCoreFixture, options, TRADER_DEPOSIT, usdc } from "../../helpers/coreFixture";
import { expectConservation, expectUnchanged } from "../../helpers/coreState";

const DEADLINE = 2n ** 64n;

describe("MarginEngine: collateral", () => {
  describe("deposit", () => {
    it("test_deposit_creditsAccountAndPullsTokens", async () => {
      const f = await loadFixture(deployCoreFixture);
      const before = await f.token.balanceOf(f.alice.address);
      await expect(f.engine.connect(f.alice).deposit(f.alice.address, usdc(500)))
        .to.emit(f.engine, "CollateralDeposited")
        .withArgs(f.alice.address, f.alice.address, usdc(500));
      expect(await f.engine.collateralOf(f.alice.address)).to.equal(TRADER_DEPOSIT + usdc(500));
      expect(await f.token.balanceOf(f.alice.address)).to.equal(before - usdc(500));
      await expectConservation(f);
    });

    it("test_deposit_forAnotherAccountCreditsThatAccount", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.engine.connect(f.alice).deposit(f.keeper.address, usdc(7));
      expect(await f.engine.collateralOf(f.keeper.address)).to.equal(usdc(7));
      expect(await f.engine.collateralOf(f.alice.address)).to.equal(TRADER_DEPOSIT);
    });

    it("test_deposit_registersNewAccountInLensOnce", async () => {
      const f = await loadFixture(deployCoreFixture);
      const count = await f.engine.accountCount();
      await f.engine.connect(f.alice).deposit(f.keeper.address, usdc(1));
      await f.engine.connect(f.alice).deposit(f.keeper.address, usdc(1));
      expect(await f.engine.accountCount()).to.equal(count + 1n);
    });

    it("test_deposit_zeroAmount_revertsAndChangesNothing", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expectUnchanged(f, () =>
        expect(f.engine.connect(f.alice).deposit(f.alice.address, 0n)).to.be.revertedWithCustomError(
          f.engine,
          "MarginZeroAmount",
        ),
      );
    });

    it("test_deposit_toVaultAccount_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      const vault = await f.vault.getAddress();
      await expectUnchanged(f, () =>
        expect(f.engine.connect(f.alice).deposit(vault, usdc(1)))
          .to.be.revertedWithCustomError(f.engine, "MarginInvalidAccount")
          .withArgs(vault),
      );
    });

    it("test_deposit_toZeroAddress_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.alice).deposit(hre.ethers.ZeroAddress, usdc(1)))
        .to.be.revertedWithCustomError(f.engine, "MarginInvalidAccount")
        .withArgs(hre.ethers.ZeroAddress);
    });
  });

  describe("withdraw", () => {
    it("test_withdraw_longOnlyAccountCanTakeEverything", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(1), usdc(1000), DEADLINE);
      const collateral = await f.engine.collateralOf(f.alice.address);
      await expect(f.engine.connect(f.alice).withdraw(collateral, f.alice.address))
        .to.emit(f.engine, "CollateralWithdrawn")
        .withArgs(f.alice.address, f.alice.address, collateral);
      expect(await f.engine.collateralOf(f.alice.address)).to.equal(0n);
      expect(await f.engine.positionOf(f.alice.address, f.series.call2000)).to.equal(options(1));
      await expectConservation(f);
    });

    it("test_withdraw_sendsTokensToRecipient", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.engine.connect(f.alice).withdraw(usdc(10), f.keeper.address);
      expect(await f.token.balanceOf(f.keeper.address)).to.equal(usdc(10));
      expect(await f.engine.collateralOf(f.alice.address)).to.equal(TRADER_DEPOSIT - usdc(10));
    });

    it("test_withdraw_moreThanBalance_revertsAndChangesNothing", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expectUnchanged(f, () =>
        expect(f.engine.connect(f.alice).withdraw(TRADER_DEPOSIT + 1n, f.alice.address))
          .to.be.revertedWithCustomError(f.engine, "MarginInsufficientCollateral")
          .withArgs(f.alice.address, TRADER_DEPOSIT, TRADER_DEPOSIT + 1n),
      );
    });

    it("test_withdraw_withShort_keepsInitialMargin", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.put2000, -options(10), 0n, DEADLINE);
      const free = await f.engine.freeMarginOf(f.alice.address);
      expect(free).to.be.greaterThan(0n);
      expect(free).to.be.lessThan(await f.engine.collateralOf(f.alice.address));
      await expectUnchanged(f, () =>
        expect(f.engine.connect(f.alice).withdraw(free + 1n, f.alice.address)).to.be.revertedWithCustomError(
          f.engine,
          "MarginInitialRequirementNotMet",
        ),
      );
      await f.engine.connect(f.alice).withdraw(free, f.alice.address);
      const [initial] = await f.engine.requirementsOf(f.alice.address);
      expect(await f.engine.equityOf(f.alice.address)).to.be.greaterThanOrEqual(initial);
      await expectConservation(f);
    });

    it("test_withdraw_zeroAmount_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.alice).withdraw(0n, f.alice.address)).to.be.revertedWithCustomError(
        f.engine,
        "MarginZeroAmount",
      );
    });

    it("test_withdraw_toZeroAddress_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.alice).withdraw(1n, hre.ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.engine, "MarginInvalidAddress")
        .withArgs(hre.ethers.ZeroAddress);
    });
  });

  describe("conservation", () => {
    it("test_conservation_holdsAcrossDepositsTradesAndWithdrawals", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(2), usdc(10_000), DEADLINE);
      await f.market.connect(f.bob).trade(f.series.put1800, -options(3), 0n, DEADLINE);
      await f.engine.connect(f.carol).withdraw(usdc(5_000), f.carol.address);
      await f.market.connect(f.alice).trade(f.series.call2000, -options(1), 0n, DEADLINE);
      await expectConservation(f);
    });

    it("test_conservation_reportsDirectTransfersAsSurplusOnly", async () => {
      const f = await loadFixture(deployCoreFixture);
      const [, owedBefore] = await f.engine.conservation();
      await f.token.mint(await f.engine.getAddress(), usdc(3));
      const [balance, owed] = await f.engine.conservation();
      expect(owed).to.equal(owedBefore);
      expect(balance).to.equal(owed + usdc(3));
    });
  });
});
