import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ContractFactory, JsonRpcProvider, Wallet } from "ethers";
import hre from "hardhat";
import { HardhatNode, REPO_ROOT } from "../../helpers/node";
import { killAll } from "../../helpers/processes";
import { runScript } from "../../helpers/cli";
import { AccessManager__factory } from "../../../typechain-types";
import { ROLE } from "../../../deploy/modules/roles";

/** Hardhat's first default account: the deployer of every local deployment. */
const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const GUARDIAN_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

describe("deploy CLI end to end against a local node", function () {
  this.timeout(600_000);
  let node: HardhatNode | undefined;
  let tmp: string;

  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bulwark-deploy-"));
  });
  afterEach(function () {
    node?.stop();
    node = undefined;
  });
  after(function () {
    killAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("deploys from the command line, verifies, and the verifier exits non-zero naming a tampered role", async function () {
    node = await HardhatNode.start();
    const env = { BULWARK_RPC_URL: node.url };
    const deployed = await runScript("deploy.ts", ["--network", "localhost", "--parameters", "deploy/parameters/local.json"], env);
    expect(deployed.code, deployed.stderr).to.equal(0);
    expect(deployed.stdout).to.match(/router\s+0x[0-9a-fA-F]{40}/);
    const recordFile = path.join(REPO_ROOT, "deploy", "deployments", "localhost-31337.json");
    const record = JSON.parse(fs.readFileSync(recordFile, "utf8"));
    expect(record.chainId).to.equal(31337);
    expect(record.gitCommit).to.match(/^([0-9a-f]{40}|unknown)$/);
    expect(record.block).to.be.greaterThan(0);

    const verified = await runScript("verify-deployment.ts", ["--network", "localhost"], env);
    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout).to.match(/deployment matches its record: \d+ checks passed/);

    // The guardian gives its role up: the deployment no longer matches its record.
    const provider = new JsonRpcProvider(node.url);
    const guardian = new Wallet(GUARDIAN_KEY, provider);
    await (await AccessManager__factory.connect(record.addresses.accessManager, guardian).renounceRole(ROLE.GUARDIAN, guardian.address)).wait();
    const tampered = await runScript("verify-deployment.ts", ["--network", "localhost"], env);
    expect(tampered.code).to.equal(1);
    expect(tampered.stderr).to.include(`MISMATCH GUARDIAN is not held by ${guardian.address}`);
    provider.destroy();
  });

  it("refuses a test double on a real network, sending nothing", async function () {
    node = await HardhatNode.start({ chainId: 7777 });
    const provider = new JsonRpcProvider(node.url);
    const deployer = new Wallet(DEPLOYER_KEY, provider);
    const artifact = await hre.artifacts.readArtifact("MockAggregator");
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, deployer);
    const mocks = [];
    const first = await provider.getTransactionCount(deployer.address);
    for (let i = 0; i < 2; i++) {
      const mock = await factory.deploy(8, 3000n * 10n ** 8n, { nonce: first + i });
      await mock.waitForDeployment();
      mocks.push(await mock.getAddress());
    }
    const raw = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "deploy/parameters/local.json"), "utf8"));
    raw.chainId = 7777;
    delete raw.mocks;
    raw.roles = { ...raw.roles, admin: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", allowDeployerRoles: false };
    raw.oracle.underlyings = [{ ...raw.oracle.underlyings[0], sources: raw.oracle.underlyings[0].sources.slice(0, 2) }];
    raw.oracle.underlyings[0].sources[0].feed = mocks[0];
    raw.oracle.underlyings[0].sources[1].feed = mocks[1];
    const file = path.join(tmp, "real.json");
    fs.writeFileSync(file, JSON.stringify(raw));
    const nonce = await provider.getTransactionCount(deployer.address);

    const refused = await runScript("deploy.ts", ["--network", "localhost", "--parameters", file, "--no-record"], { BULWARK_RPC_URL: node.url });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include("deployment refused");
    expect(refused.stderr).to.include(`oracle.underlyings[0].sources[0].feed: ${mocks[0]} is a test double (mock)`);
    expect(await provider.getTransactionCount(deployer.address)).to.equal(nonce);
    provider.destroy();
  });

  it("exits non-zero with the usage on bad flags", async function () {
    const missing = await runScript("deploy.ts", ["--network", "localhost"], {});
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include("--parameters is required");
    expect(missing.stderr).to.include("usage: npm run deploy");
    const unknown = await runScript("deploy.ts", ["--network", "nowhere", "--parameters", "deploy/parameters/local.json"], {});
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/[Nn]etwork '?nowhere'? does(n't| not) exist|unknown network 'nowhere'/);
  });
});
