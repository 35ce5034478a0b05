import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  DEADLINE,
  deployProtocolFixture,
  ETH,
  finaliseSettlement,
  MAX_PREMIUM as MAX,
  options,
  setSpot,
  usdc,
  wad,
  warp,
  type ProtocolFixture,
} from "../helpers/protocolFixture";
import { expectConservation } from "../helpers/coreState";
const OFFSET = 10n ** 6n;

/**
 * LP flows of the issue over the shipped deployment: deposits, redemptions and the redeem queue while traders
 * hold positions against the vault, through to expiry.
 */
describe("Integration: LP flows with open positions (shipped deployment)", () => {
  async function withOpenPositions(): Promise<ProtocolFixture> {
    const f = await deployProtocolFixture();
    await f.market
      .connect(f.risk)
      .setExposureCaps(ETH, { maxNetDelta: wad(1e9), maxNetVega: wad(1e12), maxOpenInterest: options(1e9) });
    await f.token.mint(f.alice.address, usdc(1_000_000));
    await f.engine.connect(f.alice).deposit(f.alice.address, usdc(1_000_000));
    await f.market.connect(f.alice).trade(f.series.call2000, options(1500), MAX, DEADLINE);
    await f.market.connect(f.bob).trade(f.series.put1800, -options(20), 0n, DEADLINE);
    // A second LP.
    await f.token.mint(f.keeper.address, usdc(500_000));
    await f.token.connect(f.keeper).approve(await f.vault.getAddress(), MAX);
    return f;
  }

  it("lp_depositWhilePositionsOpen_mintsAtNav", async () => {
    const f = await loadFixture(withOpenPositions);
    const tx = await f.vault.connect(f.keeper).deposit(usdc(100_000), f.keeper.address);
    const block = (await tx.wait())!.blockNumber;
    const shares = await f.vault.balanceOf(f.keeper.address);
    // NAV and supply just before the deposit, at the deposit's own timestamp (marks decay with time).
    const nav = (await f.vault.totalAssets({ blockTag: block })) - usdc(100_000);
    const supply = (await f.vault.totalSupply({ blockTag: block })) - shares;
    // NAV includes the mark of the vault's positions, not just its collateral.
    const collateral = await f.engine.collateralOf(await f.vault.getAddress(), { blockTag: block });
    expect(nav).to.be.lessThan(collateral - usdc(100_000));
    expect(shares).to.equal((usdc(100_000) * (supply + OFFSET)) / (nav + 1n));
    await expectConservation(f);
  });

  it("lp_sharePriceFollowsTheVaultsPnl", async () => {
    const f = await loadFixture(withOpenPositions);
    await f.vault.connect(f.keeper).deposit(usdc(100_000), f.keeper.address);
    const before = await f.vault.convertToAssets(await f.vault.balanceOf(f.keeper.address));
    // The vault is short 1,500 calls: a rally costs LPs.
    await setSpot(f, wad(2100));
    const after = await f.vault.convertToAssets(await f.vault.balanceOf(f.keeper.address));
    expect(after).to.be.lessThan(before);
  });

  it("lp_redeemWithinFreeMargin_thenQueueTheRest", async () => {
    const f = await loadFixture(withOpenPositions);
    const lpShares = await f.vault.balanceOf(f.lp.address);
    const maxRedeem = await f.vault.maxRedeem(f.lp.address);
    expect(maxRedeem).to.be.greaterThan(0n);
    expect(maxRedeem).to.be.lessThan(lpShares);

    // Synchronous part, within free margin (a hair under the limit: marks move between blocks).
    await f.vault.connect(f.lp).redeem((maxRedeem * 999n) / 1000n, f.lp.address, f.lp.address);
    expect(await f.vault.maxRedeem(f.lp.address)).to.be.lessThan(maxRedeem / 500n);
    // The rest is queued.
    const rest = await f.vault.balanceOf(f.lp.address);
    await f.vault.connect(f.lp).requestRedeem(rest, f.lp.address, f.lp.address);
    await f.vault.processRedeemQueue(5n);
    expect((await f.vault.redeemRequest(0n)).status).to.equal(1n); // still pending: no liquidity yet

    // Traders close: the vault's margin frees up and the queue can be served.
    await f.market.connect(f.alice).trade(f.series.call2000, -options(1500), 0n, DEADLINE);
    await f.market.connect(f.bob).trade(f.series.put1800, options(20), MAX, DEADLINE);
    await expect(f.vault.connect(f.keeper).processRedeemQueue(5n)).to.emit(f.vault, "RedeemProcessed");
    const r = await f.vault.redeemRequest(0n);
    expect(r.status).to.equal(2n);
    const before = await f.token.balanceOf(f.lp.address);
    await f.vault.claimRedeem(0n);
    expect(await f.token.balanceOf(f.lp.address)).to.equal(before + r.assets);
    await expectConservation(f);
  });

  it("lp_queueIsServedAfterExpiry", async () => {
    const f = await loadFixture(withOpenPositions);
    await f.vault.connect(f.keeper).deposit(usdc(100_000), f.keeper.address);
    await f.vault
      .connect(f.keeper)
      .requestRedeem(await f.vault.balanceOf(f.keeper.address), f.keeper.address, f.keeper.address);
    await f.vault.connect(f.lp).requestRedeem(await f.vault.balanceOf(f.lp.address), f.lp.address, f.lp.address);

    await finaliseSettlement(f, f.expiry, wad(2050));
    await f.engine.settle(f.alice.address, f.series.call2000);
    await f.engine.settle(f.bob.address, f.series.put1800);
    const [ids] = await f.engine.positionsOf(await f.vault.getAddress());
    expect(ids.length).to.equal(0);

    // With no position left, all of the vault is free: both requests are paid in order.
    await f.vault.processRedeemQueue(2n);
    expect((await f.vault.redeemRequest(0n)).status).to.equal(2n);
    expect((await f.vault.redeemRequest(1n)).status).to.equal(2n);
    await f.vault.claimRedeem(0n);
    await f.vault.claimRedeem(1n);
    // Only the virtual shares' dust is left behind.
    expect(await f.vault.totalSupply()).to.equal(0n);
    expect(await f.engine.collateralOf(await f.vault.getAddress())).to.be.lessThan(usdc(1));
    await expectConservation(f);
  });

  it("lp_withdrawals_refusedWhileOracleIsStale", async () => {
    const f = await loadFixture(withOpenPositions);
    await warp(3 * 3600);
    expect(await f.vault.maxWithdraw(f.lp.address)).to.equal(0n);
    await expect(f.vault.connect(f.lp).withdraw(usdc(1), f.lp.address, f.lp.address)).to.be.revertedWithCustomError(
      f.engine,
      "MarginOracleFailed",
    );
  });
});
