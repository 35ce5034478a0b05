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

  /** What a run's signer sent for `key` (sent, replaced, cancel-sent), as [message, hash] pairs. */
  function sendsFor(run: KeeperRun, key: string): [string, unknown][] {
    return run.lines
      .filter((l) => String(l.msg).startsWith("transaction ") && l.msg !== "transaction confirmed" && l.key === key)
      .map((l) => [String(l.msg), l.hash]);
  }

  /**
   * The journal's snapshot of `key` is the confirmed transaction `hash`, its only attempt. Once confirmed, the key may
   * be proposed again by the restarted strategy (its health read may predate the liquidation): the signer refuses it
   * for `signer.confirmedHoldBlocks` blocks (POLICY_RECENTLY_CONFIRMED) and writes nothing, so the snapshot stays the
   * confirmation (K-22).
   */
  function expectConfirmedSnapshot(k: StartedKeeper, key: string, hash: string): void {
    const entry = readJournal(k.dataDir).get(key);
    expect(entry?.state, `journal snapshot of ${key}: ${JSON.stringify(entry)}`).to.equal("confirmed");
    expect(entry!.receipt?.hash).to.equal(hash);
    expect(entry!.attempts.map((a) => a.hash)).to.deep.equal([hash]);
    expect(BigInt(entry!.confirmedAtBlock!)).to.be.gte(BigInt(entry!.receipt!.blockNumber));
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
    // The signer's own record of the outcome, in its log and in the journal's snapshot of the key (the journal is
    // written before the log line).
    const confirmed = await run.waitForLog("confirmation of the signed transaction", (l) => l.msg === "transaction confirmed" && l.key === key, 20_000);
    expect(confirmed.hash).to.equal(signedHash);
    expectConfirmedSnapshot(k, key, signedHash);
    expect(sendsFor(run, key)).to.deep.equal([["transaction sent", signedHash]]);
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
    const signedHash = readJournal(k.dataDir).get(key)!.attempts[0].hash;
    await crash(k);
    proxy.reset();

    const run = await restart(k);
    // The signer's log and the journal's snapshot of the key (see the first test).
    const confirmed = await run.waitForLog("confirmation of the mined transaction", (l) => l.msg === "transaction confirmed" && l.key === key, 20_000);
    expect(confirmed.hash).to.equal(signedHash);
    expectConfirmedSnapshot(k, key, signedHash);
    expect(sendsFor(run, key)).to.deep.equal([]);
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
    const broadcastHash = readJournal(k.dataDir).get(key)!.attempts[0].hash;
    await crash(k);
    await ctx.node.mine();
    expect(await mock.liquidationCount(a, 1)).to.equal(1n);

    const run = await restart(k);
    // The signer's log and the journal's snapshot of the key (see the first test).
    const confirmed = await run.waitForLog("confirmation of the pending transaction", (l) => l.msg === "transaction confirmed" && l.key === key, 20_000);
    expect(confirmed.hash).to.equal(broadcastHash);
    expectConfirmedSnapshot(k, key, broadcastHash);
    await ctx.node.mine(2);
    expect(await minedTxsFrom(ctx.provider, k.key.address)).to.have.length(1);
    expect(sendsFor(run, key)).to.deep.equal([]);
    expectConfirmedSnapshot(k, key, broadcastHash);
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
