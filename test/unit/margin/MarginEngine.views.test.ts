import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  DEFAULT_MARGIN_PARAMS,
  deployCoreFixture,
  ETH,
  now,
  options,
  ROLE,
  setSpot,
  usdc,
  wad,
  type CoreFixture,
} from "../../helpers/coreFixture";
import { equityQuote, requirementQuote, type RefLine } from "../../helpers/marginReference";

const DEADLINE = 2n ** 64n;
const MAX = 2n ** 128n;

/** Reference lines of `account` (marks read from the engine at `blockTag`). */
async function refLines(f: CoreFixture, account: string, blockTag?: number): Promise<RefLine[]> {
  const opts = { blockTag: blockTag ?? "latest" };
  const [ids, amounts] = await f.engine.positionsOf(account, opts);
  const lines: RefLine[] = [];
  for (let i = 0; i < ids.length; i++) {
    const s = await f.engine.getSeries(ids[i], opts);
    const m = await f.engine.markOf(ids[i], opts);
    lines.push({ amount: amounts[i], strike: s.strike, isCall: s.isCall, price: m.price });
  }
  return lines;
}

async function expectMatchesReference(f: CoreFixture, account: string): Promise<void> {
  const block = await hre.ethers.provider.getBlockNumber();
  const opts = { blockTag: block };
  const lines = await refLines(f, account, block);
  const spot = (await f.router.getSpot(ETH, opts)).price;
  const p = DEFAULT_MARGIN_PARAMS;
  const h = await f.engine.accountHealth(account, opts);
  expect(h.priced).to.equal(true);
  expect(h.equity).to.equal(equityQuote(h.collateral, lines));
  expect(h.initialRequirement).to.equal(requirementQuote(lines, spot, p.initialShock, p.initialMinCharge));
  expect(h.maintenanceRequirement).to.equal(requirementQuote(lines, spot, p.maintenanceShock, p.maintenanceMinCharge));
  const expectedHealth = h.maintenanceRequirement === 0n ? 2n ** 256n - 1n : h.equity <= 0n ? 0n : (h.equity * 10n ** 18n) / h.maintenanceRequirement;
  expect(h.health).to.equal(expectedHealth);
}

describe("MarginEngine: margin views", () => {
  describe("requirements", () => {
    it("test_requirements_nakedShortPut_matchReference", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.bob).trade(f.series.put2000, -options(4), 0n, DEADLINE);
      await expectMatchesReference(f, f.bob.address);
    });

    it("test_requirements_mixedBook_matchReference", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2200, options(3), MAX, DEADLINE);
      await f.market.connect(f.alice).trade(f.series.put1800, -options(2), 0n, DEADLINE);
      await f.market.connect(f.alice).trade(f.series.call1800, -options("1.5"), 0n, DEADLINE);
      await f.market.connect(f.alice).trade(f.series.put2200, options("0.25"), MAX, DEADLINE);
      await expectMatchesReference(f, f.alice.address);
      await expectMatchesReference(f, await f.vault.getAddress());
    });

    it("test_requirements_afterSpotMove_matchReference", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, -options(2), 0n, DEADLINE);
      await setSpot(f, wad(2333));
      await expectMatchesReference(f, f.alice.address);
    });

    it("test_requirements_putSpreadNeedsLessThanItsShortLeg", async () => {
      const f = await loadFixture(deployCoreFixture);
      // Short the in-the-money 2200 put, then buy the 2000 put: the grid values both legs together.
      await f.market.connect(f.alice).trade(f.series.put2200, -options(5), 0n, DEADLINE);
      const [nakedInitial, nakedMaintenance] = await f.engine.requirementsOf(f.alice.address);
      await f.market.connect(f.alice).trade(f.series.put2000, options(5), MAX, DEADLINE);
      const [spreadInitial, spreadMaintenance] = await f.engine.requirementsOf(f.alice.address);
      expect(spreadInitial).to.be.lessThan(nakedInitial);
      expect(spreadMaintenance).to.be.lessThan(nakedMaintenance);
      await expectMatchesReference(f, f.alice.address);
    });

    it("test_requirements_initialAtLeastMaintenance", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call1800, -options(3), 0n, DEADLINE);
      const [initial, maintenance] = await f.engine.requirementsOf(f.alice.address);
      expect(initial).to.be.greaterThan(maintenance);
    });

    it("test_requirements_roundUpAndEquityRoundsDown", async () => {
      const f = await loadFixture(deployCoreFixture);
      // A dust short: its requirement is positive but far below one quote unit, so it rounds up to 1.
      await f.market.connect(f.bob).trade(f.series.put2000, -1000n, 0n, DEADLINE);
      const [initial, maintenance] = await f.engine.requirementsOf(f.bob.address);
      expect(initial).to.equal(1n);
      expect(maintenance).to.equal(1n);
      // Its liability (far below a unit) still costs one unit of equity.
      expect(await f.engine.equityOf(f.bob.address)).to.equal((await f.engine.collateralOf(f.bob.address)) - 1n);
    });

    it("test_health_emptyAccountIsMax", async () => {
      const f = await loadFixture(deployCoreFixture);
      expect(await f.engine.healthOf(f.carol.address)).to.equal(2n ** 256n - 1n);
    });

    it("test_freeMargin_isCollateralAboveInitialRequirement", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.bob).trade(f.series.put2000, -options(10), 0n, DEADLINE);
      const h = await f.engine.accountHealth(f.bob.address);
      const free = await f.engine.freeMarginOf(f.bob.address);
      const surplus = BigInt(h.equity) - h.initialRequirement;
      expect(free).to.equal(surplus < h.collateral ? surplus : h.collateral);
    });
  });

  describe("marks", () => {
    it("test_markOf_equalsBlackScholesGreeks", async () => {
      const f = await loadFixture(deployCoreFixture);
      const harness = await hre.ethers.deployContract("BlackScholesHarness");
      const block = await hre.ethers.provider.getBlock("latest");
      const m = await f.engine.markOf(f.series.put1800, { blockTag: block!.number });
      const [price, delta, vega] = await harness.greeks(
        wad(2000),
        wad(1800),
        f.expiry - BigInt(block!.timestamp),
        wad("0.8"),
        0n,
        false,
      );
      expect([m.price, m.delta, m.vega, m.spot, m.expiry]).to.deep.equal([price, delta, vega, wad(2000), f.expiry]);
    });

    it("test_markOf_usesRiskFreeRate", async () => {
      const f = await loadFixture(deployCoreFixture);
      const before = await f.engine.markOf(f.series.call2000);
      await f.engine.connect(f.risk).setRiskFreeRate(wad("0.05"));
      expect((await f.engine.markOf(f.series.call2000)).price).to.be.greaterThan(before.price);
    });
  });

  describe("oracle failures", () => {
    it("test_equityOf_failedOracle_revertsWithReasons", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE);
      await f.router.setReading(ETH, 0n, 2, 0x80, 0);
      await expect(f.engine.equityOf(f.alice.address))
        .to.be.revertedWithCustomError(f.engine, "MarginOracleFailed")
        .withArgs(ETH, 0x80);
    });

    it("test_trade_failedOracle_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.router.setReading(ETH, 0n, 2, 0x80, 0);
      await expect(f.market.connect(f.alice).trade(f.series.call2000, options(1), MAX, DEADLINE))
        .to.be.revertedWithCustomError(f.engine, "MarginOracleFailed")
        .withArgs(ETH, 0x80);
    });

    it("test_spotAbovePricingDomain_isTreatedAsFailed", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.router.setSpot(ETH, 10n ** 30n + 1n);
      await expect(f.engine.markOf(f.series.call2000)).to.be.revertedWithCustomError(f.engine, "MarginOracleFailed");
    });

    it("test_degradedOracle_stillPrices", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.router.setReading(ETH, wad(2010), 1, 0x40, await now());
      expect((await f.engine.markOf(f.series.call2000)).spot).to.equal(wad(2010));
    });
  });

  describe("lens", () => {
    it("test_healthOfRange_returnsAccountsInOrderAndClips", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.bob).trade(f.series.put2000, -options(2), 0n, DEADLINE);
      const total = await f.engine.accountCount();
      const all = await f.engine.healthOfRange(0n, total + 10n);
      expect(all.length).to.equal(Number(total));
      const page = await f.engine.healthOfRange(1n, 2n);
      expect(page.map((h) => h.account)).to.deep.equal([all[1].account, all[2].account]);
      const bob = all.find((h) => h.account === f.bob.address)!;
      const single = await f.engine.accountHealth(f.bob.address);
      expect([bob.equity, bob.initialRequirement, bob.maintenanceRequirement, bob.health]).to.deep.equal([
        single.equity,
        single.initialRequirement,
        single.maintenanceRequirement,
        single.health,
      ]);
      expect(await f.engine.healthOfRange(total, 5n)).to.deep.equal([]);
    });

    it("test_healthOfRange_failedOracle_unpricesOnlyAccountsThatNeedIt", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.bob).trade(f.series.put2000, -options(2), 0n, DEADLINE);
      await f.router.setReading(ETH, 0n, 2, 1, 0);
      const all = await f.engine.healthOfRange(0n, 100n);
      const bob = all.find((h) => h.account === f.bob.address)!;
      const carol = all.find((h) => h.account === f.carol.address)!;
      expect(bob.priced).to.equal(false);
      expect(bob.collateral).to.equal(await f.engine.collateralOf(f.bob.address));
      expect(carol.priced).to.equal(true);
      expect(carol.equity).to.equal(usdc(100_000));
    });
  });

  describe("transaction caches", () => {
    async function probeWithCollateral(f: CoreFixture) {
      const probe = await hre.ethers.deployContract("CoreTxProbe");
      const address = await probe.getAddress();
      await f.engine.connect(f.alice).deposit(address, usdc(50_000));
      return { probe, address };
    }

    it("test_twoTradesInOneTransaction_matchTwoSeparateTrades", async () => {
      const f = await loadFixture(deployCoreFixture);
      const { probe, address } = await probeWithCollateral(f);
      const market = await f.market.getAddress();
      const data = (id: bigint, amount: bigint) => f.market.interface.encodeFunctionData("trade", [id, amount, MAX, DEADLINE]);
      const snapshot = await hre.network.provider.send("evm_snapshot", []);
      const ts = (await now()) + 10n;
      await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(ts)]);
      await probe.run([
        { target: market, data: data(f.series.call2000, options(1)) },
        { target: market, data: data(f.series.put2000, options(1)) },
      ]);
      const together = await f.engine.collateralOf(address);
      await hre.network.provider.send("evm_revert", [snapshot]);
      await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(ts)]);
      await probe.run([{ target: market, data: data(f.series.call2000, options(1)) }]);
      const first = await f.engine.collateralOf(address);
      const q = await f.market.quote(f.series.put2000, options(1), { blockTag: await hre.ethers.provider.getBlockNumber() });
      expect(together).to.equal(first - q.premium);
    });

    it("test_volChangeInsideTransaction_repricesLaterTrades", async () => {
      const f = await loadFixture(deployCoreFixture);
      const { probe, address } = await probeWithCollateral(f);
      await f.manager.connect(f.admin).grantRole(ROLE.RISK, address, 0);
      const market = await f.market.getAddress();
      const trade = f.market.interface.encodeFunctionData("trade", [f.series.call2000, options(1), MAX, DEADLINE]);
      const setVol = f.market.interface.encodeFunctionData("setImpliedVol", [f.series.call2000, wad("1.5")]);
      const ts = (await now()) + 10n;
      const snapshot = await hre.network.provider.send("evm_snapshot", []);
      await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(ts)]);
      const start = await f.engine.collateralOf(address);
      await probe.run([{ target: market, data: trade }]);
      const firstLeg = start - (await f.engine.collateralOf(address));
      await hre.network.provider.send("evm_revert", [snapshot]);
      await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(ts)]);
      const tx = await probe.run([
        { target: market, data: trade },
        { target: market, data: setVol },
        { target: market, data: trade },
      ]);
      const block = (await tx.wait())!.blockNumber;
      const spent = start - (await f.engine.collateralOf(address));
      // The second trade pays the 150%-vol ask of that block, not the cached 80%-vol one.
      const secondLeg = (await f.market.quote(f.series.call2000, options(1), { blockTag: block })).premium;
      expect(secondLeg).to.be.greaterThan(firstLeg);
      expect(spent).to.equal(firstLeg + secondLeg);
      expect(await f.engine.positionOf(address, f.series.call2000)).to.equal(options(2));
    });
  });
});
