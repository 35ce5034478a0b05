import { expect } from "chai";
import fs from "node:fs";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { DeployConfigError, parseDeployConfig } from "../../../deploy/lib/config";
import { DeployRefusedError, deployProtocol } from "../../../deploy/lib/deployProtocol";
import { verifyDeployment } from "../../../deploy/lib/verifyDeployment";
import { AccessManager__factory, BulwarkAutomation__factory } from "../../../typechain-types";
import { ROLE } from "../../../deploy/modules/roles";

const LOCAL = "deploy/parameters/local.json";
const TEMPLATE = "deploy/parameters/mainnet.template.json";
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

/** Problems a config error lists, or [] when the config parses. */
function problemsOf(raw: unknown, chainId: number): string[] {
  try {
    parseDeployConfig(raw, "(test)", chainId);
    return [];
  } catch (err) {
    expect(err).to.be.instanceOf(DeployConfigError);
    return (err as DeployConfigError).problems;
  }
}

describe("deployProtocol (Ignition, one path for demo, tests and networks)", function () {
  async function deployLocal() {
    return deployProtocol(hre, { parameters: LOCAL, writeRecord: false });
  }

  it("deploys every layer and the verifier finds no mismatch", async function () {
    const record = await loadFixture(deployLocal);
    const { checks, mismatches } = await verifyDeployment(hre, record);
    expect(mismatches).to.deep.equal([]);
    expect(checks).to.be.greaterThan(30);
  });

  it("deploys the automation adapter in its own layer, records it and wires it to the deployment's contracts", async function () {
    const record = await loadFixture(deployLocal);
    expect(record.addresses.automation).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(await hre.ethers.provider.getCode(record.addresses.automation)).to.not.equal("0x");
    const automation = BulwarkAutomation__factory.connect(record.addresses.automation, hre.ethers.provider);
    expect(await automation.engine()).to.equal(record.addresses.engine);
    expect(await automation.liquidation()).to.equal(record.addresses.liquidation);
    expect(await automation.vault()).to.equal(record.addresses.vault);
    expect(await automation.breaker()).to.equal(record.addresses.breaker);
    // local.json names the deployer as the beneficiary.
    expect(await automation.beneficiary()).to.equal(record.deployer);
    expect(record.resolved.automation.beneficiary).to.equal(record.deployer);
    // The adapter holds no role: it needs none.
    const manager = AccessManager__factory.connect(record.addresses.accessManager, hre.ethers.provider);
    for (const role of Object.values(ROLE)) expect((await manager.hasRole(role, record.addresses.automation))[0]).to.equal(false);
  });

  it("the verifier names an automation beneficiary or adapter that differs from the record", async function () {
    const record = await loadFixture(deployLocal);
    const other = hre.ethers.Wallet.createRandom().address;
    const wrongBeneficiary = { ...record, resolved: { ...record.resolved, automation: { beneficiary: other } } };
    expect((await verifyDeployment(hre, wrongBeneficiary)).mismatches).to.deep.equal([
      `automation: beneficiary is ${record.deployer}, the record says ${other}`,
    ]);
    // A record pointing "automation" at another contract is named, not a crash.
    const wrongAdapter = { ...record, addresses: { ...record.addresses, automation: record.addresses.insuranceFund } };
    expect((await verifyDeployment(hre, wrongAdapter)).mismatches).to.deep.equal([
      `automation: ${record.addresses.insuranceFund} does not answer as an automation adapter`,
    ]);
    // A record without the adapter (written before the automation layer existed) is one mismatch, not a crash.
    const { automation: _dropped, ...withoutAutomation } = record.addresses;
    expect(_dropped).to.equal(record.addresses.automation);
    expect((await verifyDeployment(hre, { ...record, addresses: withoutAutomation })).mismatches).to.deep.equal([
      "automation: the record has no address",
    ]);
  });

  it("hands ADMIN to the configured admin with its execution delay and grants RISK and GUARDIAN", async function () {
    const record = await loadFixture(deployLocal);
    const manager = AccessManager__factory.connect(record.addresses.accessManager, hre.ethers.provider);
    const [isAdmin, delay] = await manager.hasRole(ROLE.ADMIN, record.resolved.roles.admin);
    expect(isAdmin).to.equal(true);
    expect(delay).to.equal(BigInt(readJson(LOCAL).roles.adminDelay));
    expect((await manager.hasRole(ROLE.RISK, record.resolved.roles.risk))[0]).to.equal(true);
    expect((await manager.hasRole(ROLE.GUARDIAN, record.resolved.roles.guardian))[0]).to.equal(true);
  });

  it("the verifier names a role holder that no longer holds its role", async function () {
    const record = await loadFixture(deployLocal);
    const guardian = await hre.ethers.getSigner(record.resolved.roles.guardian);
    const manager = AccessManager__factory.connect(record.addresses.accessManager, guardian);
    await manager.renounceRole(ROLE.GUARDIAN, guardian.address);
    const { mismatches } = await verifyDeployment(hre, record);
    expect(mismatches).to.deep.equal([`GUARDIAN is not held by ${record.resolved.roles.guardian}`]);
  });

  it("the verifier names every source that is no longer fresh", async function () {
    const record = await loadFixture(deployLocal);
    await hre.network.provider.send("evm_increaseTime", [2 * 3600]);
    await hre.network.provider.send("evm_mine", []);
    const { mismatches } = await verifyDeployment(hre, record);
    // Sources 0 and 1 of each underlying have a 1-hour heartbeat; source 2 a 1-day heartbeat.
    expect(mismatches.filter((m) => m.includes("not live and fresh"))).to.have.length(4);
    expect(mismatches.some((m) => m.startsWith("ETH source 0"))).to.equal(true);
    expect(mismatches.some((m) => m.startsWith("ETH source 2"))).to.equal(false);
  });

  it("refuses the deployer as admin or guardian unless explicitly allowed, sending nothing", async function () {
    await loadFixture(deployLocal);
    const [deployer] = await hre.ethers.getSigners();
    const raw = readJson(LOCAL);
    raw.roles.allowDeployerRoles = false;
    raw.roles.guardian = deployer.address;
    const nonce = await hre.ethers.provider.getTransactionCount(deployer.address);
    const err = await deployProtocol(hre, { parameters: raw, writeRecord: false }).catch((e) => e);
    expect(err).to.be.instanceOf(DeployRefusedError);
    expect((err as DeployRefusedError).problems).to.deep.equal([
      "roles.admin is the deployer (pass --allow-deployer-roles to accept)",
      "roles.guardian is the deployer (pass --allow-deployer-roles to accept)",
    ]);
    expect(await hre.ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);
    // Explicitly allowed: it deploys.
    const record = await deployProtocol(hre, { parameters: raw, writeRecord: false, allowDeployerRoles: true });
    expect((await verifyDeployment(hre, record)).mismatches).to.deep.equal([]);
  });

  it("refuses a feed address without bytecode", async function () {
    const raw = readJson(LOCAL);
    const empty = hre.ethers.Wallet.createRandom().address;
    raw.oracle.underlyings[0].sources[0].feed = empty;
    const err = await deployProtocol(hre, { parameters: raw, writeRecord: false }).catch((e) => e);
    expect(err).to.be.instanceOf(DeployRefusedError);
    expect((err as DeployRefusedError).problems).to.deep.equal([`oracle.underlyings[0].sources[0].feed: no contract at ${empty}`]);
  });

  describe("parameter validation", function () {
    it("the real-network template lists every required value still to fill", function () {
      const problems = problemsOf(readJson(TEMPLATE), 1);
      expect(problems).to.include.members([
        "roles.admin: is a required value: fill it in (<REQUIRED: the admin multisig (holds ADMIN with the delay below)>)",
        "roles.risk: is a required value: fill it in (<REQUIRED: the risk multisig>)",
      ]);
      expect(problems.filter((p) => p.includes(".feed: is a required value"))).to.have.length(3);
      expect(problems).to.include(
        "automation.beneficiary: is a required value: fill it in (<REQUIRED: receiver of the automation adapter's liquidation fees>)",
      );
    });

    it("refuses a chain-id mismatch", function () {
      expect(problemsOf(readJson(LOCAL), 1)).to.include("chainId: file says 31337, the network is 1");
    });

    it("refuses mock feeds and a mocks section on a real network", function () {
      const raw = readJson(LOCAL);
      raw.chainId = 1;
      raw.roles.allowDeployerRoles = false;
      const problems = problemsOf(raw, 1);
      expect(problems).to.include("mocks: mock contracts are only allowed on a local chain");
      expect(problems).to.include("mock:ETH-A: mock feeds are only allowed on a local chain");
      expect(problems).to.include("automation.beneficiary: 'deployer' is only allowed on a local chain (name the fee receiver)");
    });

    it("refuses unknown keys, wrong units, malformed addresses and bad checksums", function () {
      const raw = readJson(LOCAL);
      raw.roles.timelock = 5;
      raw.oracle.underlyings[0].sources[0].minPrice = 1;
      raw.oracle.underlyings[0].sources[1].heartbeat = "1h";
      raw.oracle.underlyings[1].sources[0].feed = "0x1234";
      raw.roles.risk = "0x70997970c51812dc3a010c7d01b50e0d17dc79C8";
      const problems = problemsOf(raw, 31337);
      expect(problems.some((p) => p.startsWith("roles: Unrecognized key(s) in object: 'timelock'"))).to.equal(true);
      expect(problems.some((p) => p.startsWith("oracle.underlyings.0.sources.0.minPrice: Expected string"))).to.equal(true);
      expect(problems.some((p) => p.startsWith("oracle.underlyings.0.sources.1.heartbeat: Expected number"))).to.equal(true);
      expect(problems).to.include("oracle.underlyings.1.sources.0.feed: must be a 0x-prefixed 20-byte address or mock:<name>");
      expect(problems).to.include("roles.risk: has a bad EIP-55 checksum");
    });

    it("refuses a quorum above the number of sources, duplicate underlyings and undefined mocks", function () {
      const raw = readJson(LOCAL);
      raw.oracle.underlyings[0].quorum = 4;
      expect(problemsOf(raw, 31337)).to.include("oracle.underlyings.0: quorum cannot exceed the number of sources");
      const dup = readJson(LOCAL);
      dup.oracle.underlyings[1].id = "ETH";
      expect(problemsOf(dup, 31337)).to.include("oracle.underlyings: ETH is listed twice");
      const missing = readJson(LOCAL);
      delete missing.mocks.feeds["BTC-C"];
      expect(problemsOf(missing, 31337)).to.include("mock:BTC-C: no mocks.feeds.BTC-C entry");
    });

    it("the local parameter file is valid", function () {
      expect(problemsOf(readJson(LOCAL), 31337)).to.deep.equal([]);
    });
  });
});
