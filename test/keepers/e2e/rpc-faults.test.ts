import { expect } from "chai";
import { liquidations, randomAccount, WAD } from "../helpers/chain";
import { sleep, waitFor } from "../../helpers/processes";
import { keeperSuite, newMock, newProxy, startKeeper, type StartedKeeper } from "../helpers/suite";

describe("keepers e2e: RPC faults", function () {
  this.timeout(120_000);
  const ctx = keeperSuite();

  function noRestarts(k: StartedKeeper): void {
    expect(k.run.filter((l) => l.msg === "child exited; restarting after back-off")).to.have.length(0);
  }

  it("RPC down: the keeper reports down, survives, and liquidates once the endpoint is back", async () => {
    const mock = await newMock(ctx);
    const proxy = await newProxy(ctx);
    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    proxy.setDown(true);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await waitFor("health down", async () => (await k.run.health()).status === "down", 10_000);
    const h = await k.run.health();
    expect(h.signals.rpc.ok).to.equal(false);
    expect(await mock.liquidationCount(a, 1)).to.equal(0n);

    proxy.setDown(false);
    await waitFor("liquidation after recovery", async () => (await mock.liquidationCount(a, 1)) === 1n, 20_000);
    await waitFor("health ok", async () => (await k.run.health()).status === "ok", 10_000);
    noRestarts(k);
    expect(await k.run.metric("keeper_rpc_errors_total", { component: "supervisor", code: "RPC_UNREACHABLE" })).to.be.gte(1);
  });

  it("RPC slower than the timeout: requests time out without harm; once merely slow, the keeper works", async () => {
    const mock = await newMock(ctx);
    const proxy = await newProxy(ctx);
    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    proxy.faults.delayMs = 1_500; // above rpc.timeoutMs (1000)
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await sleep(3_000);
    expect(await mock.liquidationCount(a, 1)).to.equal(0n);
    expect(await k.run.metric("keeper_rpc_errors_total", { component: "supervisor", code: "RPC_TIMEOUT" })).to.be.gte(1);

    proxy.faults.delayMs = 150; // slow but inside the timeout
    await waitFor("liquidation on a slow endpoint", async () => (await mock.liquidationCount(a, 1)) === 1n, 30_000);
    noRestarts(k);
    expect((await liquidations(mock)).length).to.equal(1);
  });

  it("stale head: the keeper rotates to the next endpoint and carries on; without one it reports degraded", async () => {
    const mock = await newMock(ctx);
    const stale = await newProxy(ctx);
    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [stale.url, ctx.node.url] });
    await stale.setStaleHead(true);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await waitFor("liquidation through the fallback", async () => (await mock.liquidationCount(a, 1)) === 1n, 30_000);
    expect(k.run.find((l) => l.msg === "rpc endpoint rotated" && String(l.reason).includes("stale head"))).to.not.equal(undefined);

    const lone = await newProxy(ctx);
    const single = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [lone.url] });
    await lone.setStaleHead(true);
    await waitFor("degraded on a stale head", async () => {
      const h = await single.run.health();
      return h.status === "degraded" && h.signals.head.ok === false;
    }, 15_000);
  });

  it("HTTP 429: the keeper backs off (honours Retry-After), survives, and resumes", async () => {
    const mock = await newMock(ctx);
    const proxy = await newProxy(ctx);
    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    proxy.faults.rateLimitRetryAfterSec = 2;
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    const before = proxy.arrivals.length;
    await sleep(4_000);
    const during = proxy.arrivals.length - before;
    // Three clients (supervisor, signer, strategy) each polling every 200 ms would make ~60 requests in
    // 4 s; honouring Retry-After: 2 leaves each at most ~3.
    expect(during).to.be.lte(15);
    expect(await mock.liquidationCount(a, 1)).to.equal(0n);

    proxy.faults.rateLimitRetryAfterSec = 0;
    await waitFor("liquidation after the rate limit", async () => (await mock.liquidationCount(a, 1)) === 1n, 20_000);
    noRestarts(k);
    expect(await k.run.metric("keeper_rpc_errors_total", { component: "supervisor", code: "RPC_RATE_LIMITED" })).to.be.gte(1);
  });
  it("a failed event scan on a chain that produces no new block is retried on the next poll, not the next block", async () => {
    const mock = await newMock(ctx);
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    const proxy = await newProxy(ctx);
    proxy.faults.errorNext = { method: "eth_getLogs", count: 3 };
    await ctx.node.setIntervalMining(0);
    await ctx.node.setAutomine(false);

    const k = await startKeeper(ctx, { target: await mock.getAddress(), rpcUrls: [proxy.url] });
    await waitFor("the liquidation broadcast", () => proxy.sent.some((t) => t.forwarded), 20_000);
    expect(proxy.faults.errorNext?.count).to.equal(0);
    expect(k.run.filter((l) => l.msg === "event scan failed; will retry")).to.have.length.gte(1);
    await ctx.node.mine();
    expect(await mock.liquidationCount(a, 1)).to.equal(1n);
    noRestarts(k);
  });
});
