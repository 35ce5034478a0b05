import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { liquidations, randomAccount, WAD } from "../helpers/chain";
import { KeeperRun, liquidationKey, readJournal } from "../helpers/keeper";
import { waitFor } from "../../helpers/processes";
import { keeperSuite, newMock, startKeeper } from "../helpers/suite";

describe("keepers e2e: liquidator against KeeperTargetMock", function () {
  this.timeout(120_000);
  const ctx = keeperSuite();

  it("liquidates every unhealthy position once, leaves healthy ones, and reports ok health and metrics", async () => {
    const mock = await newMock(ctx);
    const [a, b, c] = [randomAccount(), randomAccount(), randomAccount()];
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await (await mock.setHealth(b, 2, 2n * WAD)).wait();
    await (await mock.setHealth(c, 3, (WAD * 9n) / 10n)).wait();

    const k = await startKeeper(ctx, { target: await mock.getAddress() });
    await waitFor("two liquidations", async () => (await liquidations(mock)).length === 2, 20_000);
    const done = await liquidations(mock);
    expect(done.map((l) => l.account).sort()).to.deep.equal([a, c].sort());
    expect(done.every((l) => l.liquidator === k.key.address)).to.equal(true);
    expect(await mock.liquidationCount(b, 2)).to.equal(0n);

    await waitFor("journal confirmed", () => readJournal(k.dataDir).get(liquidationKey(c, 3))?.state === "confirmed", 10_000);
    const journal = readJournal(k.dataDir);
    expect(journal.get(liquidationKey(a, 1))?.state).to.equal("confirmed");

    // Health is a live signal (heartbeats, head age): on a loaded machine one sample may lag, so wait for ok.
    const health = await waitFor("health ok", async () => {
      const h = await k.run.health();
      return h.status === "ok" ? h : undefined;
    }, 10_000);
    expect(health.status).to.equal("ok");
    expect(health.signals.signer.address).to.equal(k.key.address);
    expect(await k.run.metric("keeper_tx_events_total", { strategy: "liquidator", event: "confirmed" })).to.equal(2);
    expect(await k.run.metric("keeper_child_up", { child: "liquidator" })).to.equal(1);

    // Re-checked every block: a healthy position that degrades is liquidated later.
    await (await mock.setHealth(b, 2, (WAD * 8n) / 10n)).wait();
    await waitFor("third liquidation", async () => (await mock.liquidationCount(b, 2)) === 1n, 15_000);
    expect((await liquidations(mock)).length).to.equal(3);
    expect(await ctx.node.nonceOf(k.key.address)).to.equal(3);
  });

  it("proposes the most under-collateralised position first", async () => {
    const mock = await newMock(ctx);
    await ctx.node.setIntervalMining(0);
    await ctx.node.setAutomine(false);
    const accounts = [randomAccount(), randomAccount(), randomAccount()];
    const healths = [(WAD * 9n) / 10n, (WAD * 3n) / 10n, (WAD * 6n) / 10n];
    for (let i = 0; i < 3; i++) await mock.setHealth(accounts[i], 1, healths[i]);
    await ctx.node.mine();

    const k = await startKeeper(ctx, {
      target: await mock.getAddress(),
      patch: { strategies: { liquidator: { params: { maxIntentsPerBlock: 1 } } } },
    });
    await ctx.node.setIntervalMining(1_000);
    await waitFor("three liquidations", async () => (await liquidations(mock)).length === 3, 30_000);
    const accepted = k.run.filter((l) => l.msg === "intent accepted").map((l) => l.key);
    expect(accepted.slice(0, 3)).to.deep.equal([liquidationKey(accounts[1], 1), liquidationKey(accounts[2], 1), liquidationKey(accounts[0], 1)]);
  });

  it("dry-run checks and simulates but signs and sends nothing and writes no journal", async () => {
    const mock = await newMock(ctx);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 4n)).wait();
    const k = await startKeeper(ctx, { target: await mock.getAddress(), command: "dry-run" });
    await k.run.waitForLog("dry-run decision", (l) => l.msg === "dry-run: would sign and send" && l.key === liquidationKey(a, 1));
    expect(await mock.liquidationCount(a, 1)).to.equal(0n);
    expect(await ctx.node.nonceOf(k.key.address)).to.equal(0);
    expect(fs.existsSync(path.join(k.dataDir, "journal.jsonl"))).to.equal(false);
  });

  it("status prints the live health while running and the journal once stopped", async () => {
    const mock = await newMock(ctx);
    const k = await startKeeper(ctx, { target: await mock.getAddress() });
    await waitFor("health ok", async () => (await k.run.health()).status === "ok", 10_000);
    const live = KeeperRun.start(k.configPath, {}, "status");
    const liveExit = await live.exited;
    expect(liveExit.code).to.equal(0);
    await k.run.stop();
    const after = KeeperRun.start(k.configPath, {}, "status");
    const afterExit = await after.exited;
    expect(afterExit.code).to.equal(3);
    const printed = JSON.parse(after.lines.map((l) => String(l.raw ?? "")).join("\n") || "{}") as { running?: boolean };
    expect(printed.running).to.equal(false);
  });
});
