import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  deployCoreFixture,
  deployCoreStack,
  ETH,
  now,
  options,
  setSpot,
  usdc,
  wad,
  type CoreFixture,
  type CoreStack,
} from "../../helpers/coreFixture";

const DEADLINE = 2n ** 64n;
const MAX = 2n ** 128n;
const UNLIMITED = 2n ** 256n - 1n;
const OFFSET = 10n ** 6n;
const GLOBAL = hre.ethers.ZeroHash;
const REDUCE_ONLY = 1;

/** Asset amounts probed: zero, one unit, odd and large amounts (rounding shows on the odd ones). */
const ASSET_PROBES = [0n, 1n, usdc("1000"), usdc("12345.678901"), usdc(1e12)];
/** Share amounts probed (shares carry 12 decimals). */
const SHARE_PROBES = [0n, 1n, 10n ** 12n, 987_654_321_987_654_321n, 10n ** 30n];

/** The snapshot's fields, as plain bigints. */
interface Figures {
  totalAssets: bigint;
  totalSupply: bigint;
  maxDeposit: bigint;
  maxMint: bigint;
  availableLiquidity: bigint;
  maxWithdraw: bigint[];
  maxRedeem: bigint[];
  previewDeposit: bigint[];
  previewWithdraw: bigint[];
  convertToShares: bigint[];
  previewMint: bigint[];
  previewRedeem: bigint[];
  convertToAssets: bigint[];
}

/** Owners whose limits are compared: the actors, the vault itself (escrow holder) and an empty address. */
async function owners(f: CoreStack): Promise<string[]> {
  return [f.lp.address, f.alice.address, f.bob.address, f.carol.address, await f.vault.getAddress(), hre.ethers.ZeroAddress];
}

/** `erc4626Snapshot` and every view it stands for, called alone, at the same block. */
async function snapshotAndViews(f: CoreStack): Promise<{ snap: Figures; alone: Figures }> {
  const who = await owners(f);
  const blockTag = await hre.ethers.provider.getBlockNumber();
  const v = f.vault;
  const s = await v.erc4626Snapshot(who, ASSET_PROBES, SHARE_PROBES, { blockTag });
  const snap: Figures = {
    totalAssets: s.totalAssets,
    totalSupply: s.totalSupply,
    maxDeposit: s.maxDeposit,
    maxMint: s.maxMint,
    availableLiquidity: s.availableLiquidity,
    maxWithdraw: [...s.maxWithdraw],
    maxRedeem: [...s.maxRedeem],
    previewDeposit: [...s.previewDeposit],
    previewWithdraw: [...s.previewWithdraw],
    convertToShares: [...s.convertToShares],
    previewMint: [...s.previewMint],
    previewRedeem: [...s.previewRedeem],
    convertToAssets: [...s.convertToAssets],
  };
  const each = <T,>(xs: T[], f: (x: T) => Promise<bigint>) => Promise.all(xs.map(f));
  const alone: Figures = {
    totalAssets: await v.totalAssets({ blockTag }),
    totalSupply: await v.totalSupply({ blockTag }),
    maxDeposit: await v.maxDeposit(f.bob.address, { blockTag }),
    maxMint: await v.maxMint(f.bob.address, { blockTag }),
    availableLiquidity: await v.availableLiquidity({ blockTag }),
    maxWithdraw: await each(who, (o) => v.maxWithdraw(o, { blockTag })),
    maxRedeem: await each(who, (o) => v.maxRedeem(o, { blockTag })),
    previewDeposit: await each(ASSET_PROBES, (a) => v.previewDeposit(a, { blockTag })),
    previewWithdraw: await each(ASSET_PROBES, (a) => v.previewWithdraw(a, { blockTag })),
    convertToShares: await each(ASSET_PROBES, (a) => v.convertToShares(a, { blockTag })),
    previewMint: await each(SHARE_PROBES, (x) => v.previewMint(x, { blockTag })),
    previewRedeem: await each(SHARE_PROBES, (x) => v.previewRedeem(x, { blockTag })),
    convertToAssets: await each(SHARE_PROBES, (x) => v.convertToAssets(x, { blockTag })),
  };
  return { snap, alone };
}

/** Asserts the snapshot equals the views called alone, and returns it for the state's own expectations. */
async function expectSnapshotEqualsViews(f: CoreStack): Promise<Figures> {
  const { snap, alone } = await snapshotAndViews(f);
  for (const key of Object.keys(alone) as (keyof Figures)[]) {
    expect(snap[key], key).to.deep.equal(alone[key]);
  }
  return snap;
}

/**
 * Open positions both ways, most of the vault's free margin committed, a second LP, and a pending redeem request
 * (escrowed shares reserve part of the free margin).
 */
async function openBook(f: CoreFixture): Promise<void> {
  await f.market
    .connect(f.risk)
    .setExposureCaps(ETH, { maxNetDelta: wad(1e9), maxNetVega: wad(1e12), maxOpenInterest: options(1e9) });
  await f.token.mint(f.alice.address, usdc(1_000_000));
  await f.engine.connect(f.alice).deposit(f.alice.address, usdc(1_000_000));
  await f.market.connect(f.alice).trade(f.series.call2000, options(1500), MAX, DEADLINE);
  await f.market.connect(f.bob).trade(f.series.put1800, options(-3), 0n, DEADLINE);
  await f.token.connect(f.bob).approve(await f.vault.getAddress(), MAX);
  await f.vault.connect(f.bob).deposit(usdc("4321.123457"), f.bob.address);
  const lpShares = await f.vault.balanceOf(f.lp.address);
  await f.vault.connect(f.lp).requestRedeem(lpShares / 7n, f.carol.address, f.lp.address);
}

async function openBookFixture(): Promise<CoreFixture> {
  const f = await deployCoreFixture();
  await openBook(f);
  return f;
}

describe("LiquidityVault.erc4626Snapshot", () => {
  describe("every figure equals the view it stands for, called alone", () => {
    it("test_erc4626Snapshot_emptyVault_equalsViews", async () => {
      const s = await loadFixture(deployCoreStack);
      const snap = await expectSnapshotEqualsViews(s);
      expect([snap.totalSupply, snap.totalAssets, snap.maxDeposit]).to.deep.equal([0n, 0n, UNLIMITED]);
      // An empty vault converts at the virtual offset.
      expect(snap.previewDeposit[2]).to.equal(usdc(1000) * OFFSET);
    });

    it("test_erc4626Snapshot_openPositionsAndQueuedRequest_equalsViews", async () => {
      const f = await loadFixture(openBookFixture);
      const snap = await expectSnapshotEqualsViews(f);
      const [, free] = await f.engine.vaultState(3600n);
      // The state is not trivial: liquidity binds the LP's limit, the escrow reserves part of the free margin,
      // and rounding separates the up and down figures.
      expect(snap.maxWithdraw[0]).to.be.greaterThan(0n);
      expect(snap.maxWithdraw[0]).to.be.lessThan(await f.vault.convertToAssets(await f.vault.balanceOf(f.lp.address)));
      expect(snap.availableLiquidity).to.be.greaterThan(0n);
      expect(snap.availableLiquidity).to.be.lessThan(free);
      expect(snap.previewWithdraw[3]).to.equal(snap.convertToShares[3] + 1n);
      expect(snap.maxDeposit).to.equal(UNLIMITED);
    });

    it("test_erc4626Snapshot_afterPriceMove_equalsViews", async () => {
      const f = await loadFixture(openBookFixture);
      const before = await f.vault.totalAssets();
      await setSpot(f, wad(2150));
      const snap = await expectSnapshotEqualsViews(f);
      expect(snap.totalAssets).to.be.lessThan(before);
      expect(snap.totalAssets).to.be.greaterThan(0n);
    });

    it("test_erc4626Snapshot_paused_equalsViewsWithZeroLimits", async () => {
      const f = await loadFixture(openBookFixture);
      await f.breaker.connect(f.guardian).pause();
      const snap = await expectSnapshotEqualsViews(f);
      expect([snap.maxDeposit, snap.maxMint, ...snap.maxWithdraw, ...snap.maxRedeem].every((x) => x === 0n)).to.equal(true);
      // Pausing stops exits, not pricing: the liquidity figure and the conversions stay.
      expect(snap.availableLiquidity).to.be.greaterThan(0n);
    });

    it("test_erc4626Snapshot_reduceOnly_equalsViewsDepositsClosedExitsOpen", async () => {
      const f = await loadFixture(openBookFixture);
      await f.breaker.connect(f.guardian).trip(GLOBAL, REDUCE_ONLY);
      const snap = await expectSnapshotEqualsViews(f);
      expect([snap.maxDeposit, snap.maxMint]).to.deep.equal([0n, 0n]);
      expect(snap.maxRedeem[2]).to.be.greaterThan(0n);
    });

    it("test_erc4626Snapshot_staleOracle_equalsViewsWithZeroLimits", async () => {
      const f = await loadFixture(openBookFixture);
      await f.router.setReading(ETH, wad(2000), 0, 0, (await now()) - 3601n);
      const snap = await expectSnapshotEqualsViews(f);
      expect([snap.maxDeposit, snap.availableLiquidity, ...snap.maxWithdraw, ...snap.maxRedeem].every((x) => x === 0n)).to.equal(
        true,
      );
      expect(snap.totalAssets).to.be.greaterThan(0n);
    });

    it("test_erc4626Snapshot_failedOracle_equalsViewsAtCollateral", async () => {
      const f = await loadFixture(openBookFixture);
      await f.router.setReading(ETH, 0n, 2, 0x80, 0);
      const snap = await expectSnapshotEqualsViews(f);
      // Unpriced: NAV falls back to the vault's collateral, limits are zero.
      expect(snap.totalAssets).to.equal(await f.engine.collateralOf(await f.vault.getAddress()));
      expect([snap.maxDeposit, snap.availableLiquidity, snap.maxWithdraw[0]]).to.deep.equal([0n, 0n, 0n]);
    });

    it("test_erc4626Snapshot_negativeEquity_equalsViewsAtZeroNav", async () => {
      const f = await loadFixture(openBookFixture);
      await setSpot(f, wad(5000));
      expect(await f.engine.equityOf(await f.vault.getAddress())).to.be.lessThan(0n);
      const snap = await expectSnapshotEqualsViews(f);
      expect([snap.totalAssets, snap.maxDeposit, snap.availableLiquidity, snap.maxRedeem[0]]).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("test_erc4626Snapshot_emptyLists_returnsTotalsAndEmptyArrays", async () => {
      const f = await loadFixture(openBookFixture);
      const s = await f.vault.erc4626Snapshot([], [], []);
      expect([s.totalAssets, s.totalSupply, s.availableLiquidity]).to.deep.equal([
        await f.vault.totalAssets(),
        await f.vault.totalSupply(),
        await f.vault.availableLiquidity(),
      ]);
      expect([s.maxWithdraw.length, s.maxRedeem.length, s.previewDeposit.length, s.previewMint.length]).to.deep.equal([0, 0, 0, 0]);
    });
  });

  describe("input bounds", () => {
    it("test_erc4626Snapshot_listLongerThanMax_revertsNamingTheList", async () => {
      const f = await loadFixture(deployCoreFixture);
      const max = await f.vault.MAX_SNAPSHOT_ITEMS();
      expect(max).to.equal(32n);
      const tooMany = Array.from({ length: Number(max) + 1 }, () => f.lp.address);
      const tooManyAmounts = Array.from({ length: Number(max) + 1 }, () => 1n);
      const name = hre.ethers.encodeBytes32String;
      await expect(f.vault.erc4626Snapshot(tooMany, [], []))
        .to.be.revertedWithCustomError(f.vault, "VaultSnapshotInputTooLong")
        .withArgs(name("owners"), max + 1n, max);
      await expect(f.vault.erc4626Snapshot([], tooManyAmounts, []))
        .to.be.revertedWithCustomError(f.vault, "VaultSnapshotInputTooLong")
        .withArgs(name("assetProbes"), max + 1n, max);
      await expect(f.vault.erc4626Snapshot([], [], tooManyAmounts))
        .to.be.revertedWithCustomError(f.vault, "VaultSnapshotInputTooLong")
        .withArgs(name("shareProbes"), max + 1n, max);
      const full = await f.vault.erc4626Snapshot(tooMany.slice(1), tooManyAmounts.slice(1), tooManyAmounts.slice(1));
      expect(full.maxWithdraw.length).to.equal(Number(max));
    });
  });
});
