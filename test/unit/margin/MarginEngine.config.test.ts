import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BTC,
  DEFAULT_MARGIN_PARAMS,
  deployCoreFixture,
  ETH,
  now,
  options,
  usdc,
  wad,
} from "../../helpers/coreFixture";

/** An engine with its extension, not yet wired, on a mock router and token. */
async function deployUnwired() {
  const [admin, risk, other] = await hre.ethers.getSigners();
  const manager = await hre.ethers.deployContract("AccessManager", [admin.address]);
  const token = await hre.ethers.deployContract("MockQuoteToken");
  const router = await hre.ethers.deployContract("MockOracleRouter");
  const args = [await token.getAddress(), await router.getAddress(), await manager.getAddress()] as const;
  const extension = await hre.ethers.deployContract("MarginEngineExtension", [...args]);
  const core = await hre.ethers.deployContract("MarginEngine", [
    args[0],
    args[1],
    await extension.getAddress(),
    args[2],
    DEFAULT_MARGIN_PARAMS,
    0n,
  ]);
  const engine = await hre.ethers.getContractAt("IMarginEngine", await core.getAddress());
  const selector = engine.interface.getFunction("wire")!.selector;
  await manager.setTargetFunctionRole(await engine.getAddress(), [selector], 0n);
  return { admin, risk, other, manager, token, router, extension, core, engine };
}

describe("MarginEngine: configuration and access", () => {
  describe("construction", () => {
    it("test_constructor_extensionForAnotherToken_reverts", async () => {
      const [admin] = await hre.ethers.getSigners();
      const token = await hre.ethers.deployContract("MockQuoteToken");
      const other = await hre.ethers.deployContract("MockQuoteToken");
      const router = await hre.ethers.deployContract("MockOracleRouter");
      const extension = await hre.ethers.deployContract("MarginEngineExtension", [
        await other.getAddress(),
        await router.getAddress(),
        admin.address,
      ]);
      const factory = await hre.ethers.getContractFactory("MarginEngine");
      await expect(
        factory.deploy(await token.getAddress(), await router.getAddress(), await extension.getAddress(), admin.address, DEFAULT_MARGIN_PARAMS, 0n),
      )
        .to.be.revertedWithCustomError(factory, "MarginExtensionMismatch")
        .withArgs(await extension.getAddress());
    });

    it("test_constructor_paramsOutOfBounds_reverts", async () => {
      const [admin] = await hre.ethers.getSigners();
      const token = await hre.ethers.deployContract("MockQuoteToken");
      const router = await hre.ethers.deployContract("MockOracleRouter");
      const extension = await hre.ethers.deployContract("MarginEngineExtension", [
        await token.getAddress(),
        await router.getAddress(),
        admin.address,
      ]);
      const factory = await hre.ethers.getContractFactory("MarginEngine");
      await expect(
        factory.deploy(await token.getAddress(), await router.getAddress(), await extension.getAddress(), admin.address, DEFAULT_MARGIN_PARAMS, wad(1)),
      ).to.be.revertedWithCustomError(factory, "MarginParameterOutOfRange");
    });

    it("test_extension_calledDirectly_revertsNotDelegateCall", async () => {
      const f = await loadFixture(deployCoreFixture);
      const direct = await hre.ethers.getContractAt("IMarginEngine", await f.extension.getAddress());
      await expect(direct.collateralOf(f.alice.address)).to.be.revertedWithCustomError(f.extension, "MarginNotDelegateCall");
      await expect(direct.connect(f.risk).addUnderlying(BTC)).to.be.revertedWithCustomError(
        f.extension,
        "MarginNotDelegateCall",
      );
    });

    it("test_extension_isReportedByTheEngine", async () => {
      const f = await loadFixture(deployCoreFixture);
      expect(await f.engine.extension()).to.equal(await f.extension.getAddress());
    });
  });

  describe("wire", () => {
    it("test_wire_onceByAdmin_setsModulesAndEmits", async () => {
      const d = await deployUnwired();
      await expect(d.engine.connect(d.admin).wire(d.risk.address, d.other.address))
        .to.emit(d.engine, "MarginWired")
        .withArgs(d.risk.address, d.other.address);
      expect(await d.engine.market()).to.equal(d.risk.address);
      expect(await d.engine.vault()).to.equal(d.other.address);
    });

    it("test_wire_secondTime_revertsAlreadyWired", async () => {
      const d = await deployUnwired();
      await d.engine.connect(d.admin).wire(d.risk.address, d.other.address);
      await expect(d.engine.connect(d.admin).wire(d.other.address, d.risk.address))
        .to.be.revertedWithCustomError(d.engine, "MarginAlreadyWired")
        .withArgs(d.risk.address, d.other.address);
    });

    it("test_wire_zeroOrSameAddresses_revert", async () => {
      const d = await deployUnwired();
      await expect(d.engine.connect(d.admin).wire(hre.ethers.ZeroAddress, d.other.address)).to.be.revertedWithCustomError(
        d.engine,
        "MarginInvalidAddress",
      );
      await expect(d.engine.connect(d.admin).wire(d.other.address, hre.ethers.ZeroAddress)).to.be.revertedWithCustomError(
        d.engine,
        "MarginInvalidAddress",
      );
      await expect(d.engine.connect(d.admin).wire(d.other.address, d.other.address)).to.be.revertedWithCustomError(
        d.engine,
        "MarginInvalidAddress",
      );
    });

    it("test_wire_notAdmin_revertsUnauthorized", async () => {
      const d = await deployUnwired();
      await expect(d.engine.connect(d.other).wire(d.risk.address, d.other.address))
        .to.be.revertedWithCustomError(d.core, "AccessManagedUnauthorized")
        .withArgs(d.other.address);
    });

    it("test_settle_unknownSeriesOnUnwiredEngine_reverts", async () => {
      const d = await deployUnwired();
      await expect(d.engine.settle(d.other.address, 1n)).to.be.revertedWithCustomError(d.engine, "MarginUnknownSeries");
    });
  });

  describe("module hooks", () => {
    it("test_marketHooks_fromAnyoneElse_revertUnauthorizedCaller", async () => {
      const f = await loadFixture(deployCoreFixture);
      const expiry = (await now()) + 86_400n * 7n;
      for (const signer of [f.alice, f.admin, f.risk]) {
        await expect(f.engine.connect(signer).applyTrade(signer.address, f.series.call2000, options(1), 0n))
          .to.be.revertedWithCustomError(f.engine, "MarginUnauthorizedCaller")
          .withArgs(signer.address);
        await expect(f.engine.connect(signer).markSeries(f.series.call2000)).to.be.revertedWithCustomError(
          f.engine,
          "MarginUnauthorizedCaller",
        );
        await expect(
          f.engine.connect(signer).registerSeries(ETH, wad(2000), expiry, true, wad("0.5")),
        ).to.be.revertedWithCustomError(f.engine, "MarginUnauthorizedCaller");
        await expect(f.engine.connect(signer).setSeriesVol(f.series.call2000, wad("0.5"))).to.be.revertedWithCustomError(
          f.engine,
          "MarginUnauthorizedCaller",
        );
      }
    });

    it("test_vaultHooks_fromAnyoneElse_revertUnauthorizedCaller", async () => {
      const f = await loadFixture(deployCoreFixture);
      for (const signer of [f.alice, f.admin, f.risk]) {
        await expect(f.engine.connect(signer).withdrawVault(signer.address, usdc(1)))
          .to.be.revertedWithCustomError(f.engine, "MarginUnauthorizedCaller")
          .withArgs(signer.address);
        await expect(f.engine.connect(signer).creditVault(usdc(1))).to.be.revertedWithCustomError(
          f.engine,
          "MarginUnauthorizedCaller",
        );
        await expect(f.engine.connect(signer).vaultSnapshot(3600n, true)).to.be.revertedWithCustomError(
          f.engine,
          "MarginUnauthorizedCaller",
        );
      }
    });

    it("test_restrictedSelectors_areParameterSettersOnly", async () => {
      // No restricted function of the engine moves collateral or positions: the role map is exactly these.
      const f = await loadFixture(deployCoreFixture);
      const engine = await f.engine.getAddress();
      const fundMovers = ["deposit", "withdraw", "settle", "applyTrade", "withdrawVault", "creditVault"];
      for (const name of fundMovers) {
        const selector = f.engine.interface.getFunction(name)!.selector;
        // Unmapped selectors belong to the ADMIN role by default, and none of these is `restricted` anyway.
        expect(await f.manager.getTargetFunctionRole(engine, selector)).to.equal(0n);
      }
      // Even the AccessManager admin cannot move a user's collateral.
      await expect(f.engine.connect(f.admin).withdrawVault(f.admin.address, 1n)).to.be.revertedWithCustomError(
        f.engine,
        "MarginUnauthorizedCaller",
      );
      await expect(f.engine.connect(f.admin).withdraw(1n, f.admin.address)).to.be.revertedWithCustomError(
        f.engine,
        "MarginInsufficientCollateral",
      );
    });
  });

  describe("underlyings", () => {
    it("test_addUnderlying_registersAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.risk).addUnderlying(BTC)).to.emit(f.engine, "UnderlyingAdded").withArgs(BTC, 1);
      expect(await f.engine.underlyings()).to.deep.equal([ETH, BTC]);
      expect(await f.engine.liveSeriesCount(BTC)).to.equal(0n);
    });

    it("test_addUnderlying_duplicate_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.risk).addUnderlying(ETH))
        .to.be.revertedWithCustomError(f.engine, "MarginUnderlyingExists")
        .withArgs(ETH);
    });

    it("test_addUnderlying_zeroId_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.risk).addUnderlying(hre.ethers.ZeroHash)).to.be.revertedWithCustomError(
        f.engine,
        "MarginUnknownUnderlying",
      );
    });

    it("test_addUnderlying_beyondMax_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      for (const id of ["A", "B", "C"]) await f.engine.connect(f.risk).addUnderlying(hre.ethers.encodeBytes32String(id));
      await expect(f.engine.connect(f.risk).addUnderlying(hre.ethers.encodeBytes32String("D")))
        .to.be.revertedWithCustomError(f.engine, "MarginTooManyUnderlyings")
        .withArgs(4n);
    });

    it("test_addUnderlying_notRisk_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.alice).addUnderlying(BTC))
        .to.be.revertedWithCustomError(f.engineCore, "AccessManagedUnauthorized")
        .withArgs(f.alice.address);
    });

    it("test_liveSeriesCount_unknownUnderlying_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.liveSeriesCount(BTC)).to.be.revertedWithCustomError(f.engine, "MarginUnknownUnderlying");
    });
  });

  describe("margin parameters", () => {
    it("test_setMarginParams_storesAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      const next = {
        initialShock: wad("0.3"),
        maintenanceShock: wad("0.15"),
        initialMinCharge: wad("0.12"),
        maintenanceMinCharge: wad("0.08"),
      };
      await expect(f.engine.connect(f.risk).setMarginParams(next)).to.emit(f.engine, "MarginParamsSet");
      const p = await f.engine.marginParams();
      expect([p.initialShock, p.maintenanceShock, p.initialMinCharge, p.maintenanceMinCharge]).to.deep.equal([
        next.initialShock,
        next.maintenanceShock,
        next.initialMinCharge,
        next.maintenanceMinCharge,
      ]);
    });

    const cases: [string, Partial<typeof DEFAULT_MARGIN_PARAMS>][] = [
      ["initialShock", { initialShock: wad("0.95") }],
      ["initialShock", { initialShock: wad("0.005"), maintenanceShock: wad("0.005") }],
      ["maintenanceShock", { maintenanceShock: wad("0.25") }],
      ["initialMinCharge", { initialMinCharge: wad("0.6") }],
      ["maintenanceMinCharge", { maintenanceMinCharge: wad("0.11") }],
    ];
    for (const [name, override] of cases) {
      it(`test_setMarginParams_${name}OutOfBounds_reverts (${JSON.stringify(override, (_, v) => (typeof v === "bigint" ? v.toString() : v))})`, async () => {
        const f = await loadFixture(deployCoreFixture);
        await expect(f.engine.connect(f.risk).setMarginParams({ ...DEFAULT_MARGIN_PARAMS, ...override }))
          .to.be.revertedWithCustomError(f.engine, "MarginParameterOutOfRange")
          .withArgs(hre.ethers.encodeBytes32String(name), (v: bigint) => v >= 0n, (v: bigint) => v >= 0n, (v: bigint) => v >= 0n);
      });
    }

    it("test_setMarginParams_notRisk_reverts", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.guardian).setMarginParams(DEFAULT_MARGIN_PARAMS)).to.be.revertedWithCustomError(
        f.engineCore,
        "AccessManagedUnauthorized",
      );
    });

    it("test_setMarginParams_widerShockRaisesRequirement", async () => {
      const f = await loadFixture(deployCoreFixture);
      await f.market.connect(f.bob).trade(f.series.call2200, -options(5), 0n, 2n ** 64n);
      const [before] = await f.engine.requirementsOf(f.bob.address);
      await f.engine.connect(f.risk).setMarginParams({ ...DEFAULT_MARGIN_PARAMS, initialShock: wad("0.4") });
      const [after] = await f.engine.requirementsOf(f.bob.address);
      expect(after).to.be.greaterThan(before);
    });

    it("test_setRiskFreeRate_boundedAndEmits", async () => {
      const f = await loadFixture(deployCoreFixture);
      await expect(f.engine.connect(f.risk).setRiskFreeRate(wad("0.04")))
        .to.emit(f.engine, "RiskFreeRateSet")
        .withArgs(0n, wad("0.04"));
      expect(await f.engine.riskFreeRate()).to.equal(wad("0.04"));
      await expect(f.engine.connect(f.risk).setRiskFreeRate(wad("0.26")))
        .to.be.revertedWithCustomError(f.engine, "MarginParameterOutOfRange")
        .withArgs(hre.ethers.encodeBytes32String("riskFreeRate"), wad("0.26"), 0n, wad("0.25"));
      await expect(f.engine.connect(f.alice).setRiskFreeRate(0n)).to.be.revertedWithCustomError(
        f.engineCore,
        "AccessManagedUnauthorized",
      );
    });
  });
});
