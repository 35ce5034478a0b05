import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { randomAccount } from "../helpers/chain";
import { KEEPER_CLI, KeeperRun, merge, tempDir, testConfig, TEST_KEY_ENV, writeConfig } from "../helpers/keeper";
import { keeperSuite, newMock } from "../helpers/suite";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

describe("keepers e2e: CLI refuses bad input before starting anything", function () {
  this.timeout(120_000);
  const ctx = keeperSuite();

  async function run(config: Record<string, unknown> | string, env: Record<string, string> = { [TEST_KEY_ENV]: KEY }, command: "start" | "dry-run" = "start") {
    const file = typeof config === "string" ? config : writeConfig(tempDir("cfg"), config);
    const r = KeeperRun.start(file, env, command);
    ctx.runs.push(r);
    const exit = await r.exited;
    return { code: exit.code, stderr: r.stderr, started: r.find((l) => l.msg === "keeper started") !== undefined };
  }

  it("bad usage prints the usage and exits 2", () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [KEEPER_CLI, ...args], { encoding: "utf8", timeout: 30_000 });
    const unknown = cli("launch");
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.contain('Unknown command "launch"');
    expect(unknown.stderr).to.contain("Usage: keeper <start|dry-run|status> --config FILE");
    const missing = cli("start");
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.contain("Missing --config FILE");
    const help = cli("--help");
    expect(help.status).to.equal(0);
    expect(help.stdout).to.contain("Usage: keeper");
  });

  it("a malformed config (unknown key, wrong unit, bad address) lists every problem and exits 2", async () => {
    const target = await (await newMock(ctx)).getAddress();
    const cfg = merge(testConfig({ rpcUrls: [ctx.node.url], dataDir: tempDir("data"), target }), {
      rpc: { pollInterval: 200 },
      signer: { fees: { maxFeePerGasGwei: 50 } },
      strategies: { liquidator: { params: { target: target.toLowerCase() } } },
    });
    const r = await run(cfg);
    expect(r.code).to.equal(2);
    expect(r.started).to.equal(false);
    expect(r.stderr).to.contain("3 problem(s)");
    expect(r.stderr).to.contain('rpc.pollInterval: unknown key (did you mean "pollIntervalMs"? its value is integer milliseconds)');
    expect(r.stderr).to.contain("signer.fees.maxFeePerGasGwei: expected gwei as a decimal string");
    expect(r.stderr).to.contain(`its checksummed form is ${target}`);
  });

  it("a config that is not JSON exits 2 with the parser's message", async () => {
    const file = path.join(tempDir("cfg"), "broken.json");
    fs.writeFileSync(file, "{ chainId: 31337 }");
    const r = await run(file);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("is not valid JSON");
  });

  it("a chain-id mismatch refuses to start", async () => {
    const target = await (await newMock(ctx)).getAddress();
    const r = await run(merge(testConfig({ rpcUrls: [ctx.node.url], dataDir: tempDir("data"), target }), { chainId: 1 }));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("Chain id mismatch");
    expect(r.stderr).to.contain("config chainId 1, endpoint reports 31337");
  });

  it("an address without bytecode refuses to start", async () => {
    const eoa = randomAccount();
    const r = await run(testConfig({ rpcUrls: [ctx.node.url], dataDir: tempDir("data"), target: eoa }));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("No contract at strategies.liquidator.policy.allow[0].contract");
  });

  it("a missing signer secret refuses to start", async () => {
    const target = await (await newMock(ctx)).getAddress();
    const r = await run(testConfig({ rpcUrls: [ctx.node.url], dataDir: tempDir("data"), target }), {});
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(`Environment variable ${TEST_KEY_ENV} is not set`);
  });

  it("an unreachable endpoint refuses to start", async () => {
    const target = await (await newMock(ctx)).getAddress();
    const r = await run(testConfig({ rpcUrls: ["http://127.0.0.1:9"], dataDir: tempDir("data"), target }));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("does not answer");
  });
});
