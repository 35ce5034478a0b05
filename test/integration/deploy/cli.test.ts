import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ContractFactory, JsonRpcProvider, NonceManager, Wallet } from "ethers";
import hre from "hardhat";
import { HardhatNode, REPO_ROOT } from "../../helpers/node";
import { killAll } from "../../helpers/processes";
import { runScript } from "../../helpers/cli";
import {
  AccessManager__factory,
  IMarginEngine__factory,
  LiquidityVault__factory,
  MockQuoteToken__factory,
  OptionMarket__factory,
} from "../../../typechain-types";
import { encodeBytes32String, parseUnits } from "ethers";
import { ROLE } from "../../../deploy/modules/roles";

/** Hardhat's first default account: the deployer of every local deployment. */
const DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const GUARDIAN_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
/** Hardhat's default accounts 1 (the RISK role in local.json), 4 (an LP) and 5 (a trader). */
const RISK_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const LP_KEY = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
const TRADER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";

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

  it("deploys from the command line, verifies, trades once, and the verifier exits non-zero naming a tampered role", async function () {
    node = await HardhatNode.start();
    const env = { BULWARK_RPC_URL: node.url };
    const deployed = await runScript("deploy.ts", ["--network", "localhost", "--parameters", "deploy/parameters/local.json"], env);
    expect(deployed.code, deployed.stderr).to.equal(0);
    expect(deployed.stdout).to.match(/router\s+0x[0-9a-fA-F]{40}/);
    expect(deployed.stdout).to.match(/automation\s+0x[0-9a-fA-F]{40}/);
    const recordFile = path.join(REPO_ROOT, "deploy", "deployments", "localhost-31337.json");
    const record = JSON.parse(fs.readFileSync(recordFile, "utf8"));
    expect(record.chainId).to.equal(31337);
    expect(record.gitCommit).to.match(/^([0-9a-f]{40}|unknown)$/);
    expect(record.block).to.be.greaterThan(0);
    expect(record.addresses.automation).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(record.resolved.automation.beneficiary).to.equal(record.deployer);

    const verified = await runScript("verify-deployment.ts", ["--network", "localhost"], env);
    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout).to.match(/deployment matches its record: \d+ checks passed/);

    // One trade against that deployment: list a series, an LP funds the vault, a trader buys a call.
    const provider = new JsonRpcProvider(node.url);
    const [risk, lp, trader, minter] = [RISK_KEY, LP_KEY, TRADER_KEY, DEPLOYER_KEY].map((k) => new NonceManager(new Wallet(k, provider)));
    const usdc = MockQuoteToken__factory.connect(record.addresses["mock:USDC"], minter);
    const market = OptionMarket__factory.connect(record.addresses.market, risk);
    const engine = IMarginEngine__factory.connect(record.addresses.engine, trader);
    const vault = LiquidityVault__factory.connect(record.addresses.vault, lp);
    const ETH = encodeBytes32String("ETH");
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const expiry = now + 7n * 86_400n;
    await (await market.listSeries(ETH, parseUnits("3000", 18), expiry, true, parseUnits("0.6", 18))).wait();
    const seriesId = await market.seriesIdOf(ETH, parseUnits("3000", 18), expiry, true);
    const [lpAddress, traderAddress] = [await lp.getAddress(), await trader.getAddress()];
    await (await usdc.mint(lpAddress, parseUnits("100000", 6))).wait();
    await (await usdc.mint(traderAddress, parseUnits("10000", 6))).wait();
    await (await usdc.connect(lp).approve(record.addresses.vault, parseUnits("100000", 6))).wait();
    await (await vault.deposit(parseUnits("100000", 6), lpAddress)).wait();
    await (await usdc.connect(trader).approve(record.addresses.engine, parseUnits("10000", 6))).wait();
    await (await engine.deposit(traderAddress, parseUnits("10000", 6))).wait();
    const q = await market.quote(seriesId, parseUnits("1", 18));
    await (await market.connect(trader).trade(seriesId, parseUnits("1", 18), q.premium + q.premium / 100n, now + 600n)).wait();
    expect(await engine.positionOf(traderAddress, seriesId)).to.equal(parseUnits("1", 18));
    // The premium was paid from collateral, within the 1% slippage limit of the quote.
    const paid = parseUnits("10000", 6) - (await engine.collateralOf(traderAddress));
    expect(paid).to.be.greaterThan((q.premium * 99n) / 100n);
    expect(paid).to.be.lessThanOrEqual(q.premium + q.premium / 100n);
    const [balance, owed] = await engine.conservation();
    expect(balance).to.equal(owed);

    // The guardian gives its role up: the deployment no longer matches its record.
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
    const tokenArtifact = await hre.artifacts.readArtifact("MockQuoteToken");
    const token = await new ContractFactory(tokenArtifact.abi, tokenArtifact.bytecode, deployer).deploy({ nonce: first + 2 });
    await token.waitForDeployment();
    const raw = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "deploy/parameters/local.json"), "utf8"));
    raw.chainId = 7777;
    delete raw.mocks;
    raw.roles = { ...raw.roles, admin: "0x90F79bf6EB2c4f870365E785982E1f101E93b906", allowDeployerRoles: false };
    raw.automation = { beneficiary: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" };
    raw.oracle.underlyings = [{ ...raw.oracle.underlyings[0], sources: raw.oracle.underlyings[0].sources.slice(0, 2) }];
    raw.oracle.underlyings[0].sources[0].feed = mocks[0];
    raw.oracle.underlyings[0].sources[1].feed = mocks[1];
    raw.quoteToken = await token.getAddress();
    delete raw.market.caps.BTC;
    delete raw.breaker.markets.BTC;
    const file = path.join(tmp, "real.json");
    fs.writeFileSync(file, JSON.stringify(raw));
    const nonce = await provider.getTransactionCount(deployer.address);

    const refused = await runScript("deploy.ts", ["--network", "localhost", "--parameters", file, "--no-record"], { BULWARK_RPC_URL: node.url });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include("deployment refused");
    expect(refused.stderr).to.include(`oracle.underlyings[0].sources[0].feed: ${mocks[0]} is a test double (mock)`);
    expect(refused.stderr).to.include(`quoteToken: ${await token.getAddress()} is a test double (mock)`);
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
