import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  DEFAULT_SETTLEMENT_PARAMS,
  ROLE,
  STATUS,
  deployFeedAndSource,
  deployOracleFixture,
} from "../../helpers/oracleFixture";

const { ethers } = hre;
const E8 = 10n ** 8n;
const BTC = ethers.encodeBytes32String("BTC");

/** The default fixture plus three spare adapters (not yet used by any underlying). */
async function configFixture() {
  const f = await deployOracleFixture();
  const spare = [];
  for (let i = 0; i < 3; i++) {
    spare.push((await deployFeedAndSource(8, (60_000n + BigInt(i)) * E8)).source);
  }
  const spareAddresses = await Promise.all(spare.map((s) => s.getAddress()));
  const sourceAddresses = await Promise.all(f.sources.map((s) => s.getAddress()));
  return { ...f, spareAddresses, sourceAddresses };
}

describe("OracleRouter: configuration", function () {
  describe("constructor", function () {
    it("test_constructor_emitsInitialParameters", async function () {
      const { router } = await loadFixture(configFixture);
      const deployment = router.deploymentTransaction()!;
      await expect(deployment).to.emit(router, "SequencerGracePeriodSet").withArgs(3600);
      await expect(deployment).to.emit(router, "SettlementParamsSet");
      const p = await router.getSettlementParams();
      expect(p.settlementDelay).to.equal(DEFAULT_SETTLEMENT_PARAMS.settlementDelay);
      expect(p.disputeWindow).to.equal(DEFAULT_SETTLEMENT_PARAMS.disputeWindow);
      expect(p.disputeBandBps).to.equal(DEFAULT_SETTLEMENT_PARAMS.disputeBandBps);
      expect(p.fallbackDelay).to.equal(DEFAULT_SETTLEMENT_PARAMS.fallbackDelay);
    });

    it("test_constructor_rejectsOutOfRangeParameters", async function () {
      const { manager } = await loadFixture(configFixture);
      const factory = await ethers.getContractFactory("OracleRouter");
      const authority = await manager.getAddress();
      await expect(factory.deploy(authority, ethers.ZeroAddress, 60, DEFAULT_SETTLEMENT_PARAMS))
        .to.be.revertedWithCustomError(factory, "OracleGracePeriodOutOfRange")
        .withArgs(60, 300, 86_400);
      await expect(
        factory.deploy(authority, ethers.ZeroAddress, 3600, { ...DEFAULT_SETTLEMENT_PARAMS, disputeWindow: 0 }),
      ).to.be.revertedWithCustomError(factory, "OracleDisputeWindowOutOfRange");
    });
  });

  describe("addUnderlying", function () {
    it("test_addUnderlying_storesSourcesWithDefaultQuorumAndEmits", async function () {
      const { router, admin, spareAddresses } = await loadFixture(configFixture);
      await expect(router.connect(admin).addUnderlying(BTC, spareAddresses, 150))
        .to.emit(router, "UnderlyingAdded")
        .withArgs(BTC, spareAddresses, 2, 150);
      const [sources, quorum, deviation] = await router.getUnderlyingConfig(BTC);
      expect(sources).to.deep.equal(spareAddresses);
      expect(quorum).to.equal(2n);
      expect(deviation).to.equal(150n);
      expect((await router.getStatusRecord(BTC)).status).to.equal(STATUS.FAILED);
      const spot = await router.getSpot(BTC);
      expect(spot.status).to.equal(STATUS.OK);
      expect(spot.price).to.equal(60_001n * 10n ** 18n);
    });

    it("test_addUnderlying_rejectsExistingUnderlying", async function () {
      const { router, underlying, spareAddresses } = await loadFixture(configFixture);
      await expect(router.addUnderlying(underlying, spareAddresses, 150))
        .to.be.revertedWithCustomError(router, "OracleUnderlyingExists")
        .withArgs(underlying);
    });

    it("test_addUnderlying_rejectsSourceCountOutsideTwoToFive", async function () {
      const { router, spareAddresses, sourceAddresses } = await loadFixture(configFixture);
      await expect(router.addUnderlying(BTC, spareAddresses.slice(0, 1), 150))
        .to.be.revertedWithCustomError(router, "OracleSourceCountOutOfRange")
        .withArgs(1, 2, 5);
      await expect(router.addUnderlying(BTC, [...spareAddresses, ...sourceAddresses], 150))
        .to.be.revertedWithCustomError(router, "OracleSourceCountOutOfRange")
        .withArgs(6, 2, 5);
      await expect(router.addUnderlying(BTC, [...spareAddresses, ...sourceAddresses.slice(0, 2)], 150)).to.emit(
        router,
        "UnderlyingAdded",
      );
    });

    it("test_addUnderlying_rejectsZeroSource", async function () {
      const { router, spareAddresses } = await loadFixture(configFixture);
      await expect(router.addUnderlying(BTC, [spareAddresses[0], ethers.ZeroAddress], 150))
        .to.be.revertedWithCustomError(router, "OracleZeroSource")
        .withArgs(1);
    });

    it("test_addUnderlying_rejectsDuplicateSource", async function () {
      const { router, spareAddresses } = await loadFixture(configFixture);
      await expect(router.addUnderlying(BTC, [spareAddresses[0], spareAddresses[1], spareAddresses[0]], 150))
        .to.be.revertedWithCustomError(router, "OracleDuplicateSource")
        .withArgs(2, spareAddresses[0]);
    });

    it("test_addUnderlying_rejectsDeviationOutsideBounds", async function () {
      const { router, spareAddresses } = await loadFixture(configFixture);
      await expect(router.addUnderlying(BTC, spareAddresses, 9))
        .to.be.revertedWithCustomError(router, "OracleDeviationOutOfRange")
        .withArgs(9, 10, 2000);
      await expect(router.addUnderlying(BTC, spareAddresses, 2001)).to.be.revertedWithCustomError(
        router,
        "OracleDeviationOutOfRange",
      );
    });
  });

  describe("setSources", function () {
    it("test_setSources_replacesSourcesAndEmits", async function () {
      const { router, underlying, spareAddresses } = await loadFixture(configFixture);
      const next = spareAddresses.slice(0, 2);
      await expect(router.setSources(underlying, next)).to.emit(router, "SourcesSet").withArgs(underlying, next);
      const [sources, quorum] = await router.getUnderlyingConfig(underlying);
      expect(sources).to.deep.equal(next);
      expect(quorum).to.equal(2n);
      expect((await router.getSpot(underlying)).price).to.equal(600_005n * 10n ** 17n);
    });

    it("test_setSources_rejectsListShorterThanQuorum", async function () {
      const { router, underlying, risk, spareAddresses } = await loadFixture(configFixture);
      await router.connect(risk).setQuorum(underlying, 3);
      await expect(router.setSources(underlying, spareAddresses.slice(0, 2)))
        .to.be.revertedWithCustomError(router, "OracleQuorumOutOfRange")
        .withArgs(3, 2, 2);
    });

    it("test_setSources_rejectsUnknownUnderlying", async function () {
      const { router, spareAddresses } = await loadFixture(configFixture);
      await expect(router.setSources(BTC, spareAddresses))
        .to.be.revertedWithCustomError(router, "OracleUnknownUnderlying")
        .withArgs(BTC);
    });
  });

  describe("risk parameters", function () {
    it("test_setQuorum_setsWithinTwoToSourceCountAndEmits", async function () {
      const { router, underlying, risk } = await loadFixture(configFixture);
      await expect(router.connect(risk).setQuorum(underlying, 3)).to.emit(router, "QuorumSet").withArgs(underlying, 3);
      expect((await router.getUnderlyingConfig(underlying))[1]).to.equal(3n);
      await expect(router.connect(risk).setQuorum(underlying, 1))
        .to.be.revertedWithCustomError(router, "OracleQuorumOutOfRange")
        .withArgs(1, 2, 3);
      await expect(router.connect(risk).setQuorum(underlying, 4))
        .to.be.revertedWithCustomError(router, "OracleQuorumOutOfRange")
        .withArgs(4, 2, 3);
      await expect(router.connect(risk).setQuorum(BTC, 2)).to.be.revertedWithCustomError(
        router,
        "OracleUnknownUnderlying",
      );
    });

    it("test_setMaxDeviation_setsWithinBoundsAndEmits", async function () {
      const { router, underlying, risk } = await loadFixture(configFixture);
      await expect(router.connect(risk).setMaxDeviation(underlying, 2000))
        .to.emit(router, "MaxDeviationSet")
        .withArgs(underlying, 2000);
      expect((await router.getUnderlyingConfig(underlying))[2]).to.equal(2000n);
      await expect(router.connect(risk).setMaxDeviation(underlying, 2001)).to.be.revertedWithCustomError(
        router,
        "OracleDeviationOutOfRange",
      );
      await expect(router.connect(risk).setMaxDeviation(underlying, 9)).to.be.revertedWithCustomError(
        router,
        "OracleDeviationOutOfRange",
      );
    });

    it("test_setSequencerGracePeriod_setsWithinBoundsAndEmits", async function () {
      const { router, risk } = await loadFixture(configFixture);
      await expect(router.connect(risk).setSequencerGracePeriod(86_400))
        .to.emit(router, "SequencerGracePeriodSet")
        .withArgs(86_400);
      expect((await router.getSequencer())[1]).to.equal(86_400n);
      await expect(router.connect(risk).setSequencerGracePeriod(299))
        .to.be.revertedWithCustomError(router, "OracleGracePeriodOutOfRange")
        .withArgs(299, 300, 86_400);
      await expect(router.connect(risk).setSequencerGracePeriod(86_401)).to.be.revertedWithCustomError(
        router,
        "OracleGracePeriodOutOfRange",
      );
    });

    it("test_setSettlementParams_setsWithinBoundsAndEmits", async function () {
      const { router, risk } = await loadFixture(configFixture);
      const next = { settlementDelay: 60, disputeWindow: 3 * 86_400, disputeBandBps: 2000, fallbackDelay: 30 * 86_400 };
      await expect(router.connect(risk).setSettlementParams(next)).to.emit(router, "SettlementParamsSet");
      const p = await router.getSettlementParams();
      expect([p.settlementDelay, p.disputeWindow, p.disputeBandBps, p.fallbackDelay]).to.deep.equal([
        60n,
        3n * 86_400n,
        2000n,
        30n * 86_400n,
      ]);
    });

    it("test_setSettlementParams_rejectsEachParameterOutsideBounds", async function () {
      const { router, risk } = await loadFixture(configFixture);
      const base = DEFAULT_SETTLEMENT_PARAMS;
      const cases: [Partial<typeof base>, string, bigint[]][] = [
        [{ settlementDelay: 59 }, "OracleSettlementDelayOutOfRange", [59n, 60n, 86_400n]],
        [{ settlementDelay: 86_401 }, "OracleSettlementDelayOutOfRange", [86_401n, 60n, 86_400n]],
        [{ disputeWindow: 599 }, "OracleDisputeWindowOutOfRange", [599n, 600n, 259_200n]],
        [{ disputeWindow: 259_201 }, "OracleDisputeWindowOutOfRange", [259_201n, 600n, 259_200n]],
        [{ disputeBandBps: 9 }, "OracleDisputeBandOutOfRange", [9n, 10n, 2000n]],
        [{ disputeBandBps: 2001 }, "OracleDisputeBandOutOfRange", [2001n, 10n, 2000n]],
        [{ fallbackDelay: 172_799 }, "OracleFallbackDelayOutOfRange", [172_799n, 172_800n, 2_592_000n]],
        [{ fallbackDelay: 2_592_001 }, "OracleFallbackDelayOutOfRange", [2_592_001n, 172_800n, 2_592_000n]],
      ];
      for (const [change, error, args] of cases) {
        await expect(router.connect(risk).setSettlementParams({ ...base, ...change }), error)
          .to.be.revertedWithCustomError(router, error)
          .withArgs(...args);
      }
    });
  });

  describe("access control", function () {
    it("test_restrictedFunctions_refuseCallersWithoutTheirRole", async function () {
      const { router, underlying, risk, guardian, anyone, spareAddresses } = await loadFixture(configFixture);
      const expiry = 1_000_000n;
      const adminCalls = [
        (s: typeof anyone) => router.connect(s).addUnderlying(BTC, spareAddresses, 150),
        (s: typeof anyone) => router.connect(s).setSources(underlying, spareAddresses),
      ];
      const riskCalls = [
        (s: typeof anyone) => router.connect(s).setQuorum(underlying, 3),
        (s: typeof anyone) => router.connect(s).setMaxDeviation(underlying, 100),
        (s: typeof anyone) => router.connect(s).setSequencerGracePeriod(600),
        (s: typeof anyone) => router.connect(s).setSettlementParams(DEFAULT_SETTLEMENT_PARAMS),
      ];
      const guardianCalls = [(s: typeof anyone) => router.connect(s).disputeSettlement(underlying, expiry, 1n)];
      for (const call of adminCalls) {
        for (const s of [risk, guardian, anyone]) {
          await expect(call(s)).to.be.revertedWithCustomError(router, "AccessManagedUnauthorized").withArgs(s.address);
        }
      }
      for (const call of riskCalls) {
        for (const s of [guardian, anyone]) {
          await expect(call(s)).to.be.revertedWithCustomError(router, "AccessManagedUnauthorized").withArgs(s.address);
        }
      }
      for (const call of guardianCalls) {
        for (const s of [risk, anyone]) {
          await expect(call(s)).to.be.revertedWithCustomError(router, "AccessManagedUnauthorized").withArgs(s.address);
        }
      }
    });

    it("test_restrictedFunctions_acceptTheirRole", async function () {
      const { router, manager, underlying, admin, risk, spareAddresses } = await loadFixture(configFixture);
      await expect(router.connect(admin).addUnderlying(BTC, spareAddresses, 150)).to.emit(router, "UnderlyingAdded");
      await expect(router.connect(risk).setQuorum(underlying, 3)).to.emit(router, "QuorumSet");
      // The guardian's dispute is exercised by the settlement tests; here the role mapping itself.
      const selector = router.interface.getFunction("disputeSettlement").selector;
      expect(await manager.getTargetFunctionRole(await router.getAddress(), selector)).to.equal(ROLE.GUARDIAN);
    });

    it("test_permissionlessFunctions_openToAnyone", async function () {
      const { router, underlying, anyone } = await loadFixture(configFixture);
      await expect(router.connect(anyone).pokeStatus(underlying)).to.emit(router, "OracleStatusChanged");
      await expect(router.connect(anyone).recordSpot(underlying)).to.emit(router, "SpotRecorded");
    });
  });
});
