import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  ETH,
  ETH_SPOT,
  LP_DEPOSIT,
  TRADER_DEPOSIT,
  finaliseSettlement,
  makeAllStale,
  makeStale,
  protocolFixture,
  setOutlier,
  setSequencerDown,
  setSpot,
  Status,
  wad,
} from "../helpers/protocolFixture";

const ADMIN = 0n;
const ADMIN_DELAY = 172_800n;

/** The fixture every integration suite builds on: what it deploys, and that its helpers move the real router. */
describe("Integration fixture: the shipped deployment and its price helpers", () => {
  const withSequencer = protocolFixture({ oracle: { sequencer: { feed: "mock:SEQ", gracePeriod: 3600 } }, mocks: { sequencer: true } });

  it("test_fixture_deploysThroughIgnition_withTheProductionRoleLayout", async () => {
    const f = await loadFixture(protocolFixture());
    expect(f.record.parametersFile).to.equal("(inline)");
    expect(await f.engine.getAddress()).to.equal(f.record.addresses.engine);
    expect(await f.manager.hasRole(ADMIN, f.admin.address)).to.deep.equal([true, ADMIN_DELAY]);
    expect((await f.manager.hasRole(ADMIN, f.deployer.address))[0]).to.equal(false, "the deployer renounced ADMIN");
    expect(await f.vault.totalAssets()).to.be.closeTo(LP_DEPOSIT, 10n);
    expect(await f.engine.collateralOf(f.alice.address)).to.equal(TRADER_DEPOSIT);
    expect((await f.router.getSpot(ETH)).price).to.equal(ETH_SPOT);
  });

  it("test_setSpot_movesTheMedianOfEverySource", async () => {
    const f = await loadFixture(protocolFixture());
    await setSpot(f, wad(2345));
    const reading = await f.router.getSpot(ETH);
    expect([reading.price, reading.status]).to.deep.equal([wad(2345), Status.OK]);
  });

  it("test_setOutlier_isLeftOut_readingDegraded", async () => {
    const f = await loadFixture(protocolFixture());
    await setOutlier(f, 2, wad(1000), wad(2100));
    const reading = await f.router.getSpot(ETH);
    expect([reading.price, reading.status]).to.deep.equal([wad(2100), Status.DEGRADED]);
  });

  it("test_makeStale_oneSourceDegrades_allSourcesFail", async () => {
    const f = await loadFixture(protocolFixture());
    await setSpot(f, wad(2100));
    await makeStale(f, 0);
    const degraded = await f.router.getSpot(ETH);
    expect([degraded.price, degraded.status]).to.deep.equal([wad(2100), Status.DEGRADED]);
    await makeAllStale(f);
    expect((await f.router.getSpot(ETH)).status).to.equal(Status.FAILED);
  });

  it("test_setSequencerDown_failsTheReading_untilUpPastGrace", async () => {
    const f = await loadFixture(withSequencer);
    expect((await f.router.getSpot(ETH)).status).to.equal(Status.OK);
    await setSequencerDown(f, true);
    expect((await f.router.getSpot(ETH)).status).to.equal(Status.FAILED);
    await setSequencerDown(f, false);
    expect((await f.router.getSpot(ETH)).status).to.equal(Status.FAILED, "inside the grace period");
  });

  it("test_finaliseSettlement_recordsTheRoundsAndWaitsOutTheDispute", async () => {
    const f = await loadFixture(protocolFixture());
    await finaliseSettlement(f, f.expiry, wad(2150));
    expect(await f.router.getSettlementPrice(ETH, f.expiry)).to.deep.equal([wad(2150), true]);
    expect((await f.router.getSpot(ETH)).price).to.equal(wad(2150));
  });
});
