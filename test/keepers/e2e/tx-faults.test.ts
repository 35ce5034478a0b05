import { expect } from "chai";
import { GWEI, liquidations, minedTxsFrom, randomAccount, WAD } from "../helpers/chain";
import { liquidationKey, MAX_FEE_GWEI, readJournal } from "../helpers/keeper";
import { sleep, waitFor } from "../../helpers/processes";
import { keeperSuite, newMock, newProxy, startKeeper } from "../helpers/suite";

describe("keepers e2e: transaction faults", function () {
  this.timeout(120_000);
  const ctx = keeperSuite();

  it("a dropped transaction is replaced on the same nonce with bumped fees: one liquidation, one mined tx", async () => {
    const mock = await newMock(ctx);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    const proxy = await newProxy(ctx);
    proxy.faults.dropNextSendRaw = 1;

    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    await waitFor("liquidation", async () => (await mock.liquidationCount(a, 1)) === 1n, 20_000);
    await waitFor("journal confirmed", () => readJournal(k.dataDir).get(liquidationKey(a, 1))?.state === "confirmed", 10_000);

    const entry = readJournal(k.dataDir).get(liquidationKey(a, 1))!;
    expect(entry.attempts.length).to.be.gte(2);
    const sent = proxy.sent.filter((s) => s.tx.from === k.key.address);
    expect(sent[0].forwarded).to.equal(false);
    expect(new Set(sent.map((s) => s.tx.nonce))).to.deep.equal(new Set([0]));
    expect(sent[1].tx.maxFeePerGas! * 100n).to.be.gte(sent[0].tx.maxFeePerGas! * 120n);
    expect(entry.receipt?.hash).to.equal(entry.attempts[entry.attempts.length - 1].hash);
    const mined = await minedTxsFrom(ctx.provider, k.key.address);
    expect(mined).to.have.length(1);
    expect((await liquidations(mock)).length).to.equal(1);
  });

  it("a nonce gap (first tx dropped, second queued behind it) heals: both mine on their original nonces", async () => {
    const mock = await newMock(ctx);
    const [a, b] = [randomAccount(), randomAccount()];
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await (await mock.setHealth(b, 1, WAD / 3n)).wait();
    await ctx.node.setAutomine(false);
    const proxy = await newProxy(ctx);
    proxy.faults.dropNextSendRaw = 1;

    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    await waitFor("two liquidations", async () => (await liquidations(mock)).length === 2, 30_000);
    await waitFor("journal confirmed", () => [...readJournal(k.dataDir).values()].every((e) => e.state === "confirmed"), 10_000);

    const entries = [...readJournal(k.dataDir).values()].sort((x, y) => (x.nonce ?? 0) - (y.nonce ?? 0));
    expect(entries.map((e) => e.nonce)).to.deep.equal([0, 1]);
    // The gap (nonce 0) was replaced; nonce 1 was only ever re-sent as the same bytes.
    expect(entries[0].attempts.length).to.be.gte(2);
    expect(new Set(entries[1].attempts.map((x) => x.hash)).size).to.equal(1);
    const byNonce = new Map<number, Set<string>>();
    for (const s of proxy.sent) byNonce.set(s.tx.nonce, (byNonce.get(s.tx.nonce) ?? new Set()).add(s.hash));
    expect([...byNonce.keys()].sort()).to.deep.equal([0, 1]);
    const mined = await minedTxsFrom(ctx.provider, k.key.address);
    expect(mined.map((m) => m.nonce).sort()).to.deep.equal([0, 1]);
    expect(mined.every((m) => m.status === 1)).to.equal(true);
  });

  it("a gas spike defers sending: nothing is signed above the fee caps, and the intent goes out once fees fall", async () => {
    const mock = await newMock(ctx);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await ctx.node.setIntervalMining(0);
    await ctx.node.setNextBaseFee(200n * GWEI);
    await ctx.node.mine();
    const proxy = await newProxy(ctx);

    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    await k.run.waitForLog("deferral", (l) => l.msg === "sending deferred");
    await sleep(2_000);
    expect(proxy.sent).to.have.length(0);
    expect((await k.run.health()).signals.fees.ok).to.equal(false);
    expect(await k.run.metric("keeper_fee_deferred")).to.equal(1);
    expect(await mock.liquidationCount(a, 1)).to.equal(0n);

    await ctx.node.setNextBaseFee(1n * GWEI);
    await ctx.node.mine();
    await waitFor("liquidation after the spike", async () => (await mock.liquidationCount(a, 1)) === 1n, 20_000);
    expect(proxy.sent.length).to.be.gte(1);
    for (const s of proxy.sent) {
      expect(s.tx.maxFeePerGas! <= BigInt(MAX_FEE_GWEI) * GWEI).to.equal(true);
      expect(s.tx.maxPriorityFeePerGas! <= 3n * GWEI).to.equal(true);
      expect(s.tx.value).to.equal(0n);
    }
  });

  it("a halted target (tripped breaker or failed oracle) costs nothing: the re-check skips every intent until it resumes", async () => {
    const mock = await newMock(ctx);
    const a = randomAccount();
    await (await mock.setHalted(true)).wait();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();

    const k = await startKeeper(ctx, { target: await mock.getAddress() });
    await k.run.waitForLog("re-check skip", (l) => l.msg === "intent dropped before signing" && l.code === "RECHECK_FAILED");
    await sleep(3_000);
    expect(await ctx.node.nonceOf(k.key.address)).to.equal(0);
    expect(await k.run.metric("keeper_intents_total", { strategy: "liquidator", status: "skipped" })).to.be.gte(1);

    await (await mock.setHalted(false)).wait();
    await waitFor("liquidation after resume", async () => (await mock.liquidationCount(a, 1)) === 1n, 20_000);
    expect(await ctx.node.nonceOf(k.key.address)).to.equal(1);
  });
});
