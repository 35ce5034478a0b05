import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  DeploymentRecordError,
  PROTOCOL_CONTRACT_NAMES,
  connectDeployment,
  mockFeed,
  mockQuoteToken,
} from "../../../deploy/lib/connect";
import { type DeploymentRecord, deployProtocol } from "../../../deploy/lib/deployProtocol";

const LOCAL = "deploy/parameters/local.json";

/** The record with `name` taken out of its addresses (the original is left as it was). */
function without(record: DeploymentRecord, name: string): DeploymentRecord {
  const addresses = { ...record.addresses };
  delete addresses[name];
  return { ...record, addresses };
}

describe("connectDeployment (typed contracts on a deployment record's addresses)", function () {
  async function deployLocal() {
    return deployProtocol(hre, { parameters: LOCAL, writeRecord: false });
  }

  it("connects every protocol contract at its recorded address, wired as the chain says", async function () {
    const record = await loadFixture(deployLocal);
    const [deployer] = await hre.ethers.getSigners();
    const c = connectDeployment(record, deployer);
    for (const name of PROTOCOL_CONTRACT_NAMES) {
      expect(await c[name].getAddress(), name).to.equal(record.addresses[name]);
    }
    // What the contracts say about each other agrees with the record.
    expect(await c.market.engine()).to.equal(record.addresses.engine);
    expect(await c.market.breaker()).to.equal(record.addresses.breaker);
    expect(await c.vault.asset()).to.equal(await c.quoteToken.getAddress());
    expect(await c.engineCore.getAddress()).to.equal(await c.engine.getAddress());
  });

  it("connects the local mocks the parameters name, and the helpers refuse mocks the deployment lacks", async function () {
    const record = await loadFixture(deployLocal);
    const c = connectDeployment(record, hre.ethers.provider);
    const feedRefs = Object.keys(record.parameters.mocks?.feeds ?? {}).map((n) => `mock:${n}`);
    expect(feedRefs.length).to.be.greaterThan(0);
    expect(Object.keys(c.mocks.feeds).sort()).to.deep.equal([...feedRefs].sort());
    for (const ref of feedRefs) expect(await mockFeed(c, ref).getAddress()).to.equal(record.addresses[ref]);
    expect(await mockQuoteToken(c).getAddress()).to.equal(await c.quoteToken.getAddress());
    expect(() => mockFeed(c, "mock:NOPE")).to.throw(/no mock feed mock:NOPE/);
  });

  it("refuses a record missing a protocol contract or a named mock, naming what is missing", async function () {
    const record = await loadFixture(deployLocal);
    expect(() => connectDeployment(without(record, "liquidation"), null))
      .to.throw(DeploymentRecordError, /no address for liquidation/);
    const feedRef = `mock:${Object.keys(record.parameters.mocks?.feeds ?? {})[0]}`;
    try {
      connectDeployment(without(without(record, "automation"), feedRef), null);
      expect.fail("connected a record without automation and a feed");
    } catch (err) {
      expect(err).to.be.instanceOf(DeploymentRecordError);
      expect((err as DeploymentRecordError).missing).to.deep.equal(["automation", feedRef]);
    }
    // The record passed in is untouched.
    expect(record.addresses.liquidation).to.match(/^0x[0-9a-fA-F]{40}$/);
  });

  it("treats a real quote token as a plain ERC-20 with no mock to mint from", async function () {
    const record = await loadFixture(deployLocal);
    const real = record.parameters.quoteToken.startsWith("mock:")
      ? record.addresses[record.parameters.quoteToken]
      : record.parameters.quoteToken;
    const asReal: DeploymentRecord = { ...record, parameters: { ...record.parameters, quoteToken: real } };
    const c = connectDeployment(asReal, hre.ethers.provider);
    expect(await c.quoteToken.getAddress()).to.equal(real);
    expect(c.mocks.quoteToken).to.equal(null);
    expect(() => mockQuoteToken(c)).to.throw(/not a mock/);
  });
});
