import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  deployCoreFixture,
  deployCoreStack,
  ETH,
  LP_DEPOSIT,
  now,
  options,
  setSpot,
  usdc,
  wad,
  type CoreFixture,
} from "../../helpers/coreFixture";
import { expectConservation, expectUnchanged, travelTo } from "../../helpers/coreState";

const DEADLINE = 2n ** 64n;
const MAX = 2n ** 128n;
const OFFSET = 10n ** 6n;

/** Status values of ILiquidityVault.RequestStatus. */
const STATUS = { NONE: 0n, PENDING: 1n, CLAIMABLE: 2n, CLAIMED: 3n, CANCELLED: 4n };

/** The vault commits most of its free margin: alice buys many calls (caps raised for the purpose). */
async function commitVault(f: CoreFixture, calls = 2000): Promise<void> {
  await f.market
    .connect(f.risk)
    .setExposureCaps(ETH, { maxNetDelta: wad(1e9), maxNetVega: wad(1e12), maxOpenInterest: options(1e9) });
  await f.token.mint(f.alice.address, usdc(1_000_000));
  await f.engine.connect(f.alice).deposit(f.alice.address, usdc(1_000_000));
  await f.market.connect(f.alice).trade(f.series.call2000, options(calls), MAX, DEADLINE);
}

describe("LiquidityVault", () => {
  describe("ERC-4626 basics", () => {
    it("test_firstDeposit_mintsWithVirtualOffsetAndCreditsEngine", async () => {
      const s = await loadFixture(deployCoreStack);
      await s.token.mint(s.lp.address, usdc(1000));
      await s.token.connect(s.lp).approve(await s.vault.getAddress(), MAX);
      await expect(s.vault.connect(s.lp).deposit(usdc(1000), s.lp.address))
        .to.emit(s.vault, "Deposit")
        .withArgs(s.lp.address, s.lp.address, usdc(1000), usdc(1000) * OFFSET);
      expect(await s.vault.decimals()).to.equal(12n);
      expect(await s.engine.collateralOf(await s.vault.getAddress())).to.equal(usdc(1000));
      expect(await s.token.balanceOf(await s.engine.getAddress())).to.equal(usdc(1000));
      expect(await s.vault.totalAssets()).to.equal(usdc(1000));
      await expectConservation(s);
    });

    it("test_deposit_zero_revertsZeroShares", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.vault.connect(f.lp).deposit(0n, f.lp.address))
        .to.be.revertedWithCustomError(f.vault, "VaultZeroShares")
        .withArgs(0n);
    });

    it("test_mint_pullsAssetsRoundedUp", async () => {
      const f = await loadFixture(deployCoreFixture);
      await commitVault(f, 10);
      const shares = 123_456_789n;
      const assets = await f.vault.previewMint(shares);
      const exact = (shares * ((await f.vault.totalAssets()) + 1n)) / ((await f.vault.totalSupply()) + OFFSET);
      expect(assets).to.be.greaterThanOrEqual(exact);
      const before = await f.token.balanceOf(f.lp.address);
      const tx = await f.vault.connect(f.lp).mint(shares, f.lp.address);
      const paid = before - (await f.token.balanceOf(f.lp.address));
      expect(paid).to.be.greaterThanOrEqual(exact);
      await expect(tx).to.emit(f.vault, "Deposit").withArgs(f.lp.address, f.lp.address, paid, shares);
      await expect(f.vault.connect(f.lp).mint(0n, f.lp.address)).to.be.revertedWithCustomError(f.vault, "VaultZeroAmount");
    });

    it("test_depositThenRedeemAll_neverReturnsMoreThanDeposited", async () => {
      const f = await loadFixture(deployCoreFixture);
      await commitVault(f, 10);
      const before = await f.token.balanceOf(f.bob.address);
      await f.token.connect(f.bob).approve(await f.vault.getAddress(), MAX);
      await f.vault.connect(f.bob).deposit(usdc("1234.567891"), f.bob.address);
      await f.vault.connect(f.bob).redeem(await f.vault.balanceOf(f.bob.address), f.bob.address, f.bob.address);
      expect(await f.token.balanceOf(f.bob.address)).to.be.lessThanOrEqual(before);
    });

    it("test_previewWithdraw_roundsSharesUp_previewRedeem_roundsAssetsDown", async () => {
      const f = await loadFixture(deployCoreFixture);
      await commitVault(f, 10);
      const assets = usdc("10.000001");
      const shares = await f.vault.previewWithdraw(assets);
      expect(await f.vault.previewRedeem(shares)).to.be.greaterThanOrEqual(assets);
      expect(await f.vault.previewRedeem(shares - 1n)).to.be.lessThanOrEqual(assets);
    });

    it("test_totalAssets_isVaultEquityInTheEngine", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(5), MAX, DEADLINE);
      expect(await f.vault.totalAssets()).to.equal(await f.engine.equityOf(await f.vault.getAddress()));
      // The spread and fee paid by the trader raise NAV above the LP capital.
      expect(await f.vault.totalAssets()).to.be.greaterThan(LP_DEPOSIT);
    });

    it("test_directTokenTransfers_doNotMoveSharePrice", async () => {
      const f = await loadFixture(deployCoreFixture);
      const price = await f.vault.convertToAssets(10n ** 18n);
      await f.token.mint(await f.vault.getAddress(), usdc(500_000));
      await f.token.mint(await f.engine.getAddress(), usdc(500_000));
      expect(await f.vault.convertToAssets(10n ** 18n)).to.equal(price);
    });

    it("test_inflationAttack_smallFirstDeposit_cannotStealLaterDeposit", async () => {
      const s = await loadFixture(deployCoreStack);
      const vault = await s.vault.getAddress();
      for (const who of [s.alice, s.bob]) {
        await s.token.mint(who.address, usdc(1_000_000));
        await s.token.connect(who).approve(vault, MAX);
      }
      // The attacker deposits one unit; donations are not counted, so the victim's deposit keeps its value.
      await s.vault.connect(s.alice).deposit(1n, s.alice.address);
      await s.token.connect(s.alice).transfer(await s.engine.getAddress(), usdc(100_000));
      await s.vault.connect(s.bob).deposit(usdc(10_000), s.bob.address);
      expect(await s.vault.maxWithdraw(s.bob.address)).to.equal(usdc(10_000));
      expect(await s.vault.maxWithdraw(s.alice.address)).to.equal(1n);
    });
  });

  describe("liquidity and prices", () => {
    it("test_maxWithdraw_isCappedByFreeMargin", async () => {
      const f = await loadFixture(deployCoreFixture);
      await commitVault(f);
      const [, free] = await f.engine.vaultState(3600n);
      const own = await f.vault.convertToAssets(await f.vault.balanceOf(f.lp.address));
      expect(free).to.be.lessThan(own);
      expect(await f.vault.maxWithdraw(f.lp.address)).to.equal(free);
      expect(await f.vault.availableLiquidity()).to.equal(free);
      await expectUnchanged(f, () =>
        expect(f.vault.connect(f.lp).withdraw(free + 1n, f.lp.address, f.lp.address))
          .to.be.revertedWithCustomError(f.vault, "ERC4626ExceededMaxWithdraw")
          .withArgs(f.lp.address, free + 1n, free),
      );
      await f.vault.connect(f.lp).withdraw(free, f.lp.address, f.lp.address);
      const [initial] = await f.engine.requirementsOf(await f.vault.getAddress());
      expect(await f.engine.equityOf(await f.vault.getAddress())).to.be.greaterThanOrEqual(initial);
      await expectConservation(f);
    });

    it("test_redeem_beyondMaxRedeem_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await commitVault(f);
      const max = await f.vault.maxRedeem(f.lp.address);
      await expect(f.vault.connect(f.lp).redeem(max + 1n, f.lp.address, f.lp.address)).to.be.revertedWithCustomError(
        f.vault,
        "ERC4626ExceededMaxRedeem",
      );
    });

    it("test_deposit_failedOracleWithOpenPositions_revertsAndMaxIsZero", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
      await f.router.setReading(ETH, 0n, 2, 0x80, 0);
      expect(await f.vault.maxDeposit(f.lp.address)).to.equal(0n);
      expect(await f.vault.maxMint(f.lp.address)).to.equal(0n);
      expect(await f.vault.maxWithdraw(f.lp.address)).to.equal(0n);
      expect(await f.vault.maxRedeem(f.lp.address)).to.equal(0n);
      await expectUnchanged(f, () =>
        expect(f.vault.connect(f.lp).deposit(usdc(1), f.lp.address))
          .to.be.revertedWithCustomError(f.engine, "MarginOracleFailed")
          .withArgs(ETH, 0x80),
      );
      await expect(f.vault.connect(f.lp).redeem(1n, f.lp.address, f.lp.address)).to.be.revertedWithCustomError(
        f.engine,
        "MarginOracleFailed",
      );
    });

    it("test_withdraw_staleSpot_revertsAndMaxIsZero", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
      const updatedAt = (await now()) - 3601n;
      await f.router.setReading(ETH, wad(2000), 0, 0, updatedAt);
      expect(await f.vault.maxWithdraw(f.lp.address)).to.equal(0n);
      expect(await f.vault.maxDeposit(f.lp.address)).to.equal(0n);
      await expectUnchanged(f, () =>
        expect(f.vault.connect(f.lp).withdraw(usdc(1), f.lp.address, f.lp.address))
          .to.be.revertedWithCustomError(f.engine, "MarginOracleStale")
          .withArgs(ETH, updatedAt, 3600n),
      );
      await expect(f.vault.connect(f.lp).deposit(usdc(1), f.lp.address)).to.be.revertedWithCustomError(
        f.engine,
        "MarginOracleStale",
      );
    });

    it("test_deposit_noOpenPositions_needsNoPrice", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.router.setReading(ETH, 0n, 2, 1, 0);
      await f.vault.connect(f.lp).deposit(usdc(1), f.lp.address);
      expect(await f.vault.maxDeposit(f.lp.address)).to.equal(2n ** 256n - 1n);
    });

    it("test_negativeEquity_refusesConversions", async () => {
      const f = await loadFixture(deployCoreFixture);
      await commitVault(f);
      await setSpot(f, wad(5000));
      const equity = await f.engine.equityOf(await f.vault.getAddress());
      expect(equity).to.be.lessThan(0n);
      expect(await f.vault.totalAssets()).to.equal(0n);
      expect(await f.vault.maxDeposit(f.bob.address)).to.equal(0n);
      await f.token.connect(f.bob).approve(await f.vault.getAddress(), MAX);
      await expectUnchanged(f, () =>
        expect(f.vault.connect(f.bob).deposit(usdc(1000), f.bob.address))
          .to.be.revertedWithCustomError(f.vault, "VaultInsolvent")
          .withArgs((e: bigint) => e < 0n),
      );
    });

    it("test_setMaxSpotAge_boundedRestrictedAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.vault.connect(f.risk).setMaxSpotAge(600n)).to.emit(f.vault, "MaxSpotAgeSet").withArgs(3600n, 600n);
      expect(await f.vault.maxSpotAge()).to.equal(600n);
      await expect(f.vault.connect(f.risk).setMaxSpotAge(29n))
        .to.be.revertedWithCustomError(f.vault, "VaultParameterOutOfRange")
        .withArgs(hre.ethers.encodeBytes32String("maxSpotAge"), 29n, 30n, 86_400n);
      await expect(f.vault.connect(f.risk).setMaxSpotAge(86_401n)).to.be.revertedWithCustomError(
        f.vault,
        "VaultParameterOutOfRange",
      );
      await expect(f.vault.connect(f.lp).setMaxSpotAge(600n))
        .to.be.revertedWithCustomError(f.vault, "AccessManagedUnauthorized")
        .withArgs(f.lp.address);
    });
  });

  describe("redeem queue", () => {
    it("test_requestRedeem_escrowsSharesAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      const shares = usdc(1000) * OFFSET;
      await expect(f.vault.connect(f.lp).requestRedeem(shares, f.carol.address, f.lp.address))
        .to.emit(f.vault, "RedeemRequested")
        .withArgs(0n, f.lp.address, f.carol.address, shares);
      expect(await f.vault.balanceOf(await f.vault.getAddress())).to.equal(shares);
      const r = await f.vault.redeemRequest(0n);
      expect([r.owner, r.receiver, r.shares, r.assets, r.status]).to.deep.equal([
        f.lp.address,
        f.carol.address,
        shares,
        0n,
        STATUS.PENDING,
      ]);
      expect(await f.vault.redeemQueue()).to.deep.equal([0n, 1n]);
    });

    it("test_requestRedeem_bySpender_usesShareAllowance", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.vault.connect(f.bob).requestRedeem(100n, f.bob.address, f.lp.address)).to.be.revertedWithCustomError(
        f.vault,
        "ERC20InsufficientAllowance",
      );
      await f.vault.connect(f.lp).approve(f.bob.address, 100n);
      await f.vault.connect(f.bob).requestRedeem(100n, f.bob.address, f.lp.address);
      expect(await f.vault.allowance(f.lp.address, f.bob.address)).to.equal(0n);
    });

    it("test_requestRedeem_zeroSharesOrReceiver_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.vault.connect(f.lp).requestRedeem(0n, f.lp.address, f.lp.address)).to.be.revertedWithCustomError(
        f.vault,
        "VaultZeroAmount",
      );
      await expect(f.vault.connect(f.lp).requestRedeem(1n, hre.ethers.ZeroAddress, f.lp.address))
        .to.be.revertedWithCustomError(f.vault, "VaultInvalidAddress")
        .withArgs(hre.ethers.ZeroAddress);
    });

    it("test_processRedeemQueue_paysInOrderAtNavAndStopsWhenLiquidityRunsOut", async () => {
      const f = await loadFixture(deployCoreFixture);
      await commitVault(f);
      const lpShares = await f.vault.balanceOf(f.lp.address);
      // Two requests: the first fits in free margin, the second (everything else) does not.
      const [, free] = await f.engine.vaultState(3600n);
      const firstShares = (await f.vault.convertToShares(free)) / 2n;
      await f.vault.connect(f.lp).requestRedeem(firstShares, f.lp.address, f.lp.address);
      await f.vault.connect(f.lp).requestRedeem(lpShares - firstShares, f.carol.address, f.lp.address);
      // Queued shares are reserved: synchronous withdrawals cannot jump the queue.
      expect(await f.vault.maxRedeem(f.lp.address)).to.equal(0n);
      const tx = f.vault.connect(f.keeper).processRedeemQueue(10n);
      await expect(tx).to.emit(f.vault, "RedeemProcessed").withArgs(0n, firstShares, anyValue);
      await expect(tx).to.not.emit(f.vault, "RedeemCancelled");
      expect(await f.vault.redeemQueue()).to.deep.equal([1n, 2n]);
      const first = await f.vault.redeemRequest(0n);
      expect(first.status).to.equal(STATUS.CLAIMABLE);
      expect((await f.vault.redeemRequest(1n)).status).to.equal(STATUS.PENDING);
      expect(await f.vault.totalClaimable()).to.equal(first.assets);
      expect(await f.token.balanceOf(await f.vault.getAddress())).to.equal(first.assets);
      await expectConservation(f);
    });

    it("test_processRedeemQueue_pricesAtNavRoundingDown", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(3), MAX, DEADLINE);
      const shares = 987_654_321_123n;
      await f.vault.connect(f.lp).requestRedeem(shares, f.lp.address, f.lp.address);
      const tx = await f.vault.processRedeemQueue(1n);
      const block = (await tx.wait())!.blockNumber - 1;
      const nav = await f.vault.totalAssets({ blockTag: block });
      const supply = await f.vault.totalSupply({ blockTag: block });
      const expected = (shares * (nav + 1n)) / (supply + OFFSET);
      expect((await f.vault.redeemRequest(0n)).assets).to.be.lessThanOrEqual(expected);
      expect((await f.vault.redeemRequest(0n)).assets).to.be.greaterThan(0n);
    });

    it("test_claimRedeem_paysReceiverOnce", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.vault.connect(f.lp).requestRedeem(usdc(100) * OFFSET, f.carol.address, f.lp.address);
      await expect(f.vault.claimRedeem(0n))
        .to.be.revertedWithCustomError(f.vault, "VaultRequestStatus")
        .withArgs(0n, STATUS.PENDING);
      await f.vault.processRedeemQueue(1n);
      const assets = (await f.vault.redeemRequest(0n)).assets;
      const before = await f.token.balanceOf(f.carol.address);
      await expect(f.vault.connect(f.keeper).claimRedeem(0n))
        .to.emit(f.vault, "RedeemClaimed")
        .withArgs(0n, f.carol.address, assets);
      expect(await f.token.balanceOf(f.carol.address)).to.equal(before + assets);
      await expect(f.vault.claimRedeem(0n))
        .to.be.revertedWithCustomError(f.vault, "VaultRequestStatus")
        .withArgs(0n, STATUS.CLAIMED);
      await expectConservation(f);
    });

    it("test_cancelRedeemRequest_returnsSharesOnlyToOwnerWhilePending", async () => {
      const f = await loadFixture(deployCoreFixture);
      const shares = usdc(10) * OFFSET;
      const before = await f.vault.balanceOf(f.lp.address);
      await f.vault.connect(f.lp).requestRedeem(shares, f.lp.address, f.lp.address);
      await expect(f.vault.connect(f.bob).cancelRedeemRequest(0n))
        .to.be.revertedWithCustomError(f.vault, "VaultNotRequestOwner")
        .withArgs(0n, f.bob.address, f.lp.address);
      await expect(f.vault.connect(f.lp).cancelRedeemRequest(0n))
        .to.emit(f.vault, "RedeemCancelled")
        .withArgs(0n, f.lp.address, shares);
      expect(await f.vault.balanceOf(f.lp.address)).to.equal(before);
      await expect(f.vault.connect(f.lp).cancelRedeemRequest(0n))
        .to.be.revertedWithCustomError(f.vault, "VaultRequestStatus")
        .withArgs(0n, STATUS.CANCELLED);
      // A cancelled request is consumed by processing without paying anything.
      await f.vault.processRedeemQueue(1n);
      expect(await f.vault.redeemQueue()).to.deep.equal([1n, 1n]);
      expect(await f.vault.totalClaimable()).to.equal(0n);
    });

    it("test_processRedeemQueue_batchOutOfRange_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.vault.processRedeemQueue(0n))
        .to.be.revertedWithCustomError(f.vault, "VaultBatchOutOfRange")
        .withArgs(0n, 50n);
      await expect(f.vault.processRedeemQueue(51n))
        .to.be.revertedWithCustomError(f.vault, "VaultBatchOutOfRange")
        .withArgs(51n, 50n);
    });

    it("test_processRedeemQueue_staleSpot_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
      await f.vault.connect(f.lp).requestRedeem(100n, f.lp.address, f.lp.address);
      await travelTo((await now()) + 3700n);
      await expect(f.vault.processRedeemQueue(1n)).to.be.revertedWithCustomError(f.engine, "MarginOracleStale");
    });
  });
});
