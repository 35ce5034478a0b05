import { expect } from "chai";
import { liquidations, minedTxsFrom, randomAccount, WAD } from "../helpers/chain";
import { KeeperRun, liquidationKey, readJournal } from "../helpers/keeper";
import { isAlive, waitFor } from "../../helpers/processes";
import { keeperSuite, newMock, newProxy, startKeeper, type StartedKeeper } from "../helpers/suite";

describe("keepers e2e: keeper killed mid-transaction", function () {
  this.timeout(150_000);
  const ctx = keeperSuite();

  /** SIGKILLs the supervisor and checks its children exit on their own (none keeps signing). */
  async function crash(k: StartedKeeper): Promise<void> {
    const children = k.run.childPids();
    await k.run.crash();
    await waitFor("orphaned children to exit", () => children.every((pid) => !isAlive(pid)), 5_000);
  }

  /** Restarts a keeper on the same config, data directory and key. */
  async function restart(k: StartedKeeper): Promise<KeeperRun> {
    const run = KeeperRun.start(k.configPath, { BULWARK_TEST_KEEPER_KEY: k.key.privateKey });
    ctx.runs.push(run);
    await run.waitReady();
    return run;
  }

  it("killed after signing, before the broadcast: the restart sends the same bytes on the same nonce", async () => {
    const mock = await newMock(ctx);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    const proxy = await newProxy(ctx);
    proxy.faults.sendRaw = "hang"; // the signed transaction never reaches the node

    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    const key = liquidationKey(a, 1);
    await waitFor("signed entry", () => readJournal(k.dataDir).get(key)?.state === "signed", 20_000);
    const signedHash = readJournal(k.dataDir).get(key)!.attempts[0].hash;
    await crash(k);
    proxy.reset();
    expect(await mock.liquidationCount(a, 1)).to.equal(0n);

    const run = await restart(k);
    await waitFor("liquidation", async () => (await mock.liquidationCount(a, 1)) === 1n, 20_000);
    // 20 s like the other restart tests: on an idle machine the entry is confirmed in the same poll that sees the
    // liquidation, but one loaded CI run took longer than 10 s to record it (the keeper's reads time out after 1 s).
    try {
      await waitFor("confirmed", () => readJournal(k.dataDir).get(key)?.state === "confirmed", 20_000);
    } catch (err) {
      // What the journal and the restarted signer saw, for the failure report.
      const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
      console.log(`    journal entry: ${show(readJournal(k.dataDir).get(key))}`);
      const signer = run.lines.filter((l) => l.child === "signer" || l.component === "signer");
      for (const line of (signer.length ? signer : run.lines).slice(-60)) console.log(`    keeper: ${show(line)}`);
      throw err;
    }
    const entry = readJournal(k.dataDir).get(key)!;
    expect(entry.receipt?.hash).to.equal(signedHash);
    expect(entry.attempts).to.have.length(1);
    expect(await minedTxsFrom(ctx.provider, k.key.address)).to.have.length(1);
    expect(run.find((l) => l.msg === "nonce initialised")?.resumed).to.equal(1);
  });

  it("killed after broadcasting, before the node answered: the restart finds the receipt, sends nothing new", async () => {
    const mock = await newMock(ctx);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    const proxy = await newProxy(ctx);
    proxy.faults.sendRaw = "forward-then-down"; // reaches the node (and is mined); the keeper hears nothing more

    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    await waitFor("liquidation mined", async () => (await mock.liquidationCount(a, 1)) === 1n, 20_000);
    const key = liquidationKey(a, 1);
    expect(readJournal(k.dataDir).get(key)?.state).to.equal("signed");
    await crash(k);
    proxy.reset();

    await restart(k);
    await waitFor("confirmed", () => readJournal(k.dataDir).get(key)?.state === "confirmed", 20_000);
    const entry = readJournal(k.dataDir).get(key)!;
    expect(entry.receipt?.hash).to.equal(entry.attempts[0].hash);
    expect(await minedTxsFrom(ctx.provider, k.key.address)).to.have.length(1);
    expect((await liquidations(mock)).length).to.equal(1);
  });

  it("killed while waiting for the receipt: the restart resumes tracking and confirms, no second transaction", async () => {
    const mock = await newMock(ctx);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await ctx.node.setIntervalMining(0);
    await ctx.node.setAutomine(false);

    const k = await startKeeper(ctx, {
      target: await mock.getAddress(),
      patch: { signer: { fees: { replaceAfterMs: 60_000 } } },
    });
    const key = liquidationKey(a, 1);
    await waitFor("broadcast entry", () => readJournal(k.dataDir).get(key)?.state === "broadcast", 20_000);
    await crash(k);
    await ctx.node.mine();
    expect(await mock.liquidationCount(a, 1)).to.equal(1n);

    await restart(k);
    await waitFor("confirmed", () => readJournal(k.dataDir).get(key)?.state === "confirmed", 20_000);
    await ctx.node.mine(2);
    expect(await minedTxsFrom(ctx.provider, k.key.address)).to.have.length(1);
    expect(readJournal(k.dataDir).get(key)!.attempts).to.have.length(1);
  });

  it("a second keeper on the same data directory refuses to start; the first keeps running", async () => {
    const mock = await newMock(ctx);
    const k = await startKeeper(ctx, { target: await mock.getAddress() });
    const second = KeeperRun.start(k.configPath, { BULWARK_TEST_KEEPER_KEY: k.key.privateKey });
    ctx.runs.push(second);
    const exit = await second.exited;
    expect(exit.code).to.equal(1);
    expect(second.stderr).to.match(/Another keeper \(pid \d+\) holds/);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await waitFor("first keeper still liquidates", async () => (await mock.liquidationCount(a, 1)) === 1n, 15_000);
  });
});
