/**
 * The protocol strategies end to end: the real keeper CLI (supervisor, signer, strategy processes) against
 * the Bulwark contracts on a local `hardhat node`.
 */
import { expect } from "chai";
import { RpcClient } from "../../../keepers/src/core/rpc";
import { PositionBook } from "../../../keepers/src/strategies/liquidator/book";
import { MarginEngineHealthSource, UNPRICED_HEALTH } from "../../../keepers/src/strategies/liquidator/margin-engine";
import { waitFor } from "../../helpers/processes";
import { minedTxsFrom } from "../helpers/chain";
import { LIQUIDATION_ENGINE_FUNCTIONS } from "../../../keepers/src/strategies/liquidator/liquidation-engine";
import { liquidationKey, readJournal, tempDir } from "../helpers/keeper";
import { settlementKeyId } from "../../../keepers/src/protocol/abi";
import { RECORD_EXPIRY_PRICE_ACTION } from "../../../keepers/src/strategies/settler";
import { BLOCK_MS, keeperSuite, startKeeper, type SuiteContext } from "../helpers/suite";
import { answer, chainTime, movePriceInOneBlock, deployProtocolViaCli, ETH, listSeries, pushPrice, trade, usdc, wad, WAD, type NodeProtocol } from "../helpers/protocol";

const policy = (contract: string, functions: string[]) => ({ allow: [{ contract, functions }], maxIntentsPerMinute: 300 });
const BASE_PATCH = { signer: { gas: { maxGasPerTx: 3_000_000 } } };

/** The settler; `copy: false` leaves `recordExpiryPrice` out of its policy (a config from before the engine kept a copy). */
function settlerPatch(p: NodeProtocol, copy = true) {
  return {
    ...BASE_PATCH,
    strategies: {
      liquidator: undefined,
      settler: {
        type: "settler",
        enabled: true,
        policy: {
          allow: [
            { contract: p.addresses.router, functions: ["recordSettlement(bytes32,uint64,uint256[])", "proposeFallbackSettlement(bytes32,uint64)"] },
            { contract: p.addresses.engine, functions: copy ? ["settle(address,uint256)", "recordExpiryPrice(uint256)"] : ["settle(address,uint256)"] },
          ],
          maxIntentsPerMinute: 300,
        },
        params: { router: p.addresses.router, engine: p.addresses.engine, fromBlock: p.fromBlock, maxIntentsPerBlock: 2, minSettlementsForPriceCopy: 1 },
      },
    },
  };
}

async function increaseTime(ctx: SuiteContext, seconds: bigint): Promise<void> {
  await ctx.node.rpc("evm_increaseTime", [Number(seconds)]);
  await ctx.node.mine();
}

/** The protocol as `npm run deploy` deploys it (deploy/parameters/local.json: ETH at ~3000). */
const deploy = (ctx: SuiteContext) => deployProtocolViaCli(ctx.provider, ctx.node.url, tempDir("record"));

/** The liquidator over the MarginEngine lens and the LiquidationEngine, every address from the deployment record. */
function liquidatorPatch(p: NodeProtocol) {
  return {
    ...BASE_PATCH,
    deployment: p.recordPath,
    strategies: {
      liquidator: {
        policy: { allow: [{ contract: "deployment:liquidation", functions: [LIQUIDATION_ENGINE_FUNCTIONS.liquidate] }], maxIntentsPerMinute: 120 },
        params: { source: "margin-engine", target: "deployment:engine", liquidation: "deployment:liquidation", fromBlock: "deployment:block" },
      },
    },
  };
}

/** A reverted liquidation (lost race, health already restored) costs at most this (bounded by the revert path). */
const REVERTED_LIQUIDATION_GAS_BOUND = 400_000n;

describe("keepers e2e: protocol strategies against the Bulwark contracts", function () {
  this.timeout(420_000);
  const ctx = keeperSuite();

  it("liquidator: an account a price move makes unhealthy is liquidated once through the LiquidationEngine, health rises, and a racing keeper adds no duplicate", async () => {
    const p = await deploy(ctx);
    const victim = await ctx.provider.getSigner(7);
    await (await p.token.mint(victim.address, usdc(50_000))).wait();
    await (await p.token.connect(victim).approve(p.addresses.engine, usdc(50_000))).wait();
    await (await p.engine.connect(victim).deposit(victim.address, usdc(50_000))).wait();
    const expiry = (await chainTime(ctx.provider)) + 7n * 86_400n;
    const call = await listSeries(p, 3000, expiry, true);
    await trade(p, victim, call, -wad(10));
    // Down to initial margin: healthy (maintenance is looser), but a move up breaks it.
    const free = await p.engine.freeMarginOf(victim.address);
    await (await p.engine.connect(victim).withdraw(free - usdc(1), victim.address)).wait();
    expect((await p.engine.accountHealth(victim.address)).health).to.be.greaterThan(WAD);

    // The price that leaves the account at a health of about 0.8 (so one close-factor liquidation restores it),
    // found on a snapshot that is then reverted.
    let target = 0n;
    for (let price = 3030n; price <= 3750n && target === 0n; price += 30n) {
      const snap = await ctx.node.rpc("evm_snapshot", []);
      await pushPrice(p, price);
      if ((await p.engine.accountHealth(victim.address)).health < (WAD * 85n) / 100n) target = price;
      await ctx.node.rpc("evm_revert", [snap]);
    }
    expect(target).to.be.greaterThan(0n);

    // Two keepers with their own keys and journals, both up before the move: a fair race.
    const k1 = await startKeeper(ctx, { target: p.addresses.engine, patch: liquidatorPatch(p) });
    const k2 = await startKeeper(ctx, { target: p.addresses.engine, patch: liquidatorPatch(p) });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await ctx.node.nonceOf(k1.key.address)).to.equal(0);
    expect(await ctx.node.nonceOf(k2.key.address)).to.equal(0);

    // ETH jumps there in one block, every feed together.
    const moveBlock = await movePriceInOneBlock(ctx.node, ctx.provider, p, target, BLOCK_MS);
    const atMove = await p.engine.accountHealth(victim.address, { blockTag: moveBlock });
    expect(atMove.priced).to.equal(true);
    expect(atMove.health).to.be.lessThan(WAD);

    const liquidated = async () => p.liquidation.queryFilter(p.liquidation.filters.Liquidated(victim.address), moveBlock, "latest");
    await waitFor("liquidated", async () => (await liquidated()).length >= 1, 40_000);
    await waitFor("journals settled", () =>
      [k1, k2].every((k) => [...readJournal(k.dataDir).values()].every((e) => e.state === "confirmed" || e.state === "failed")),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3_000)); // a duplicate would land in these blocks

    const events = await liquidated();
    expect(events).to.have.length(1);
    const e = events[0].args;
    expect(e.seriesId).to.equal(call);
    expect(e.closed).to.equal(wad(5)); // close factor 0.5 of the 10 short
    expect(e.healthAfter).to.be.greaterThan(e.healthBefore);
    expect(e.healthAfter).to.be.at.least(WAD);
    expect(await p.engine.positionOf(victim.address, call)).to.equal(-wad(5));
    expect((await p.engine.accountHealth(victim.address)).health).to.be.at.least(WAD);
    const winner = [k1, k2].find((k) => k.key.address.toLowerCase() === e.liquidator.toLowerCase());
    expect(winner, "the liquidator is one of the keepers").to.not.equal(undefined);
    expect(readJournal(winner!.dataDir).get(liquidationKey(victim.address, call))?.state).to.equal("confirmed");

    // The loser either skipped at the re-check (no gas) or, sent in the same block, reverted once.
    let reverted = 0;
    for (const k of [k1, k2]) {
      const mined = await minedTxsFrom(ctx.provider, k.key.address);
      expect(mined.every((m) => m.to?.toLowerCase() === p.addresses.liquidation.toLowerCase())).to.equal(true);
      for (const m of mined.filter((x) => x.status === 0)) {
        reverted += 1;
        expect(m.gasUsed).to.be.lte(REVERTED_LIQUIDATION_GAS_BOUND);
      }
      expect(mined.filter((x) => x.status === 1).length).to.equal(k === winner ? 1 : 0);
    }
    expect(reverted).to.be.at.most(1);
  });

  it("settler: records the settlement price across a feed phase change, copies it into the engine once, then settles every position once", async () => {
    const p = await deploy(ctx);
    const [alice, bob, carol] = p.traders;
    const expiry = (await chainTime(ctx.provider)) + 2n * 86_400n;
    const call = await listSeries(p, 3000, expiry, true);
    const put = await listSeries(p, 3000, expiry, false);
    await trade(p, alice, call, wad(2));
    await trade(p, bob, put, -wad(1));
    await trade(p, carol, put, wad(1));
    await trade(p, carol, call, wad("0.5"));
    const holdings = [
      [alice.address, call],
      [bob.address, put],
      [carol.address, put],
      [carol.address, call],
    ] as const;

    // Past expiry: two feeds post an ordinary round, the third is upgraded to a new phase whose first round
    // comes after expiry (the hint must carry the last round of the previous phase).
    await increaseTime(ctx, expiry - (await chainTime(ctx.provider)) + 5n);
    await (await p.feeds[0].connect(p.admin).pushRound(answer(p, 0, 3100n))).wait();
    await (await p.feeds[1].connect(p.admin).pushRound(answer(p, 1, 3101n))).wait();
    await (await p.feeds[2].connect(p.admin).startPhase(answer(p, 2, 3099n), await chainTime(ctx.provider))).wait();

    const k = await startKeeper(ctx, { target: p.addresses.engine, patch: settlerPatch(p), waitFor: ["settler"] });
    // Nothing before expiry + settlementDelay.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await p.router.getSettlement(ETH, expiry)).kind).to.equal(0n);
    await increaseTime(ctx, BigInt(p.settlement.settlementDelay));
    await waitFor("settlement proposed", async () => (await p.router.getSettlement(ETH, expiry)).kind === 1n, 30_000);
    const rec = await p.router.getSettlement(ETH, expiry);
    expect(rec.sourceMask).to.equal(7n); // all three sources verified, the upgraded feed included

    // Nothing is settled during the dispute window.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await p.engine.positionOf(alice.address, call)).to.equal(wad(2));
    await increaseTime(ctx, BigInt(p.settlement.disputeWindow));

    const settledEvents = async () => p.engine.queryFilter(p.engine.filters.PositionSettled(), p.fromBlock, "latest");
    await waitFor("four settlements", async () => (await settledEvents()).length >= 4, 60_000);
    await new Promise((r) => setTimeout(r, 3_000)); // a duplicate would land in these blocks
    const events = await settledEvents();
    const seen = events.map((e) => `${e.args.account.toLowerCase()}:${e.args.seriesId}`).sort();
    expect(seen).to.deep.equal(holdings.map(([a, s]) => `${a.toLowerCase()}:${s}`).sort());
    for (const [a, s] of holdings) expect(await p.engine.positionOf(a, s)).to.equal(0n);
    expect(await p.engine.positionOf(p.addresses.vault, call)).to.equal(0n);
    expect(await p.engine.positionOf(p.addresses.vault, put)).to.equal(0n);

    const txs = await minedTxsFrom(ctx.provider, k.key.address);
    expect(txs.length).to.equal(6); // one price record + one copy into the engine + four settlements
    expect(txs.every((t) => t.status === 1)).to.equal(true);
    const journal = readJournal(k.dataDir);
    for (const [a, s] of holdings) expect(journal.get(`settle:${a.toLowerCase()}:${s}`)?.state).to.be.oneOf(["broadcast", "confirmed"]);

    // The expiry's final price was copied into the engine once, by the keeper, before the first settlement: every
    // series of the expiry reads it, and every settlement paid at that price.
    const [finalPrice, isFinal] = await p.router.getSettlementPrice(ETH, expiry);
    expect(isFinal).to.equal(true);
    expect(await p.engine.expiryPriceOf(call)).to.equal(finalPrice);
    expect(await p.engine.expiryPriceOf(put)).to.equal(finalPrice);
    const copies = await p.engine.queryFilter(p.engine.filters.ExpiryPriceRecorded(), p.fromBlock, "latest");
    expect(copies).to.have.length(1);
    expect(copies[0].args.price).to.equal(finalPrice);
    const copyTx = await ctx.provider.getTransaction(copies[0].transactionHash);
    expect(copyTx?.from).to.equal(k.key.address);
    const order = (e: { blockNumber: number; index: number }) => e.blockNumber * 1_000_000 + e.index;
    expect(order(copies[0])).to.be.lessThan(Math.min(...events.map(order)));
    for (const e of events) expect(e.args.settlementPrice).to.equal(finalPrice);
    const copyKey = `${RECORD_EXPIRY_PRICE_ACTION}:${p.addresses.engine.toLowerCase()}:${settlementKeyId(ETH, expiry)}`;
    expect(journal.get(copyKey)?.state).to.equal("confirmed");
  });

  it("settler: when its policy does not allow recordExpiryPrice, the copy is refused once, not proposed again, and every position still settles", async () => {
    const p = await deploy(ctx);
    const [alice, bob] = p.traders;
    const expiry = (await chainTime(ctx.provider)) + 2n * 86_400n;
    const call = await listSeries(p, 3000, expiry, true);
    await trade(p, alice, call, wad(1));
    await trade(p, bob, call, wad(2));
    await increaseTime(ctx, expiry - (await chainTime(ctx.provider)) + 5n);
    for (const [i, feed] of p.feeds.entries()) await (await feed.connect(p.admin).pushRound(answer(p, i, 3100n))).wait();

    const k = await startKeeper(ctx, { target: p.addresses.engine, patch: settlerPatch(p, false), waitFor: ["settler"] });
    await increaseTime(ctx, BigInt(p.settlement.settlementDelay));
    await waitFor("settlement proposed", async () => (await p.router.getSettlement(ETH, expiry)).kind === 1n, 30_000);
    await increaseTime(ctx, BigInt(p.settlement.disputeWindow));
    const settledEvents = async () => p.engine.queryFilter(p.engine.filters.PositionSettled(), p.fromBlock, "latest");
    await waitFor("two settlements", async () => (await settledEvents()).length >= 2, 60_000);
    await new Promise((r) => setTimeout(r, 3_000)); // a retried copy or a duplicate would show in these blocks

    for (const t of [alice, bob]) expect(await p.engine.positionOf(t.address, call)).to.equal(0n);
    expect(await settledEvents()).to.have.length(2);
    expect(await p.engine.expiryPriceOf(call)).to.equal(0n); // settled from the router's price
    const txs = await minedTxsFrom(ctx.provider, k.key.address);
    expect(txs.length).to.equal(3); // one price record + two settlements
    expect(txs.every((t) => t.status === 1)).to.equal(true);
    expect(txs.filter((t) => t.to?.toLowerCase() === p.addresses.router.toLowerCase())).to.have.length(1);
    const refused = k.run.lines.filter((l) => l.component === "strategy:settler" && String(l.msg).startsWith("expiry price copy not made"));
    expect(refused, k.run.tail()).to.have.length(1);
    expect(refused[0].code).to.equal("POLICY_SELECTOR_NOT_ALLOWED");
  });

  it("breaker watchdog: a stale oracle trips the market and records the status, nothing is liquidatable meanwhile, and recovery lifts it after the cooldown", async () => {
    const p = await deploy(ctx);
    const [alice] = p.traders;
    const expiry = (await chainTime(ctx.provider)) + 7n * 86_400n;
    const call = await listSeries(p, 3000, expiry, true);
    await trade(p, alice, call, -wad(10)); // alice is short calls

    const k = await startKeeper(ctx, {
      target: p.addresses.breaker,
      waitFor: ["watchdog"],
      patch: {
        ...BASE_PATCH,
        strategies: {
          liquidator: undefined,
          watchdog: {
            type: "breaker-watchdog",
            enabled: true,
            policy: { allow: [{ contract: p.addresses.breaker, functions: ["poke(bytes32)"] }, { contract: p.addresses.router, functions: ["pokeStatus(bytes32)"] }], maxIntentsPerMinute: 300 },
            params: { breaker: p.addresses.breaker, router: p.addresses.router, scopes: ["ETH", "GLOBAL"], idlePokeIntervalBlocks: 2 },
          },
        },
      },
    });
    // The router's status record starts out FAILED until someone pokes it: the watchdog records OK once,
    // then, with a healthy market and fresh prices, only reads.
    await waitFor("status recorded OK", async () => (await p.router.getStatusRecord(ETH)).status === 0n, 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const initialTxs = await ctx.node.nonceOf(k.key.address);
    expect(initialTxs).to.be.at.most(1);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await ctx.node.nonceOf(k.key.address), k.run.tail()).to.equal(initialTxs);

    // Every feed goes stale: the oracle FAILS, the breaker must halt ETH and the router record it.
    const faultBlock = await ctx.provider.getBlockNumber();
    await increaseTime(ctx, BigInt(p.staleAfter) + 10n);
    await waitFor("ETH halted", async () => (await p.breaker.modeOf(ETH)).mode === 2n, 30_000);
    await waitFor("status recorded FAILED", async () => (await p.router.getStatusRecord(ETH)).status === 2n, 30_000);

    // Meanwhile the engine lens cannot price alice: the liquidator's source never reports her liquidatable.
    const rpc = new RpcClient({ urls: [ctx.node.url], timeoutMs: 5_000 });
    const source = new MarginEngineHealthSource(rpc, p.addresses.engine);
    const head = BigInt(await ctx.provider.getBlockNumber());
    const found = await source.scan(0n, head);
    const aliceRow = found.opened.find((o) => o.key.account.toLowerCase() === alice.address.toLowerCase());
    expect(aliceRow?.health).to.equal(UNPRICED_HEALTH);
    const book = new PositionBook();
    for (const o of found.opened) book.upsert(o.key, o.health);
    expect(book.liquidatable(WAD * 1000n, new Set(), 10)).to.have.length(0);

    // Prices recover: status back to OK, the cooldown starts, and after it the market is lifted.
    await pushPrice(p, 3000n);
    await waitFor("status recorded OK", async () => (await p.router.getStatusRecord(ETH)).status === 0n, 30_000);
    await waitFor("cooldown started", async () => (await p.breaker.scopeState(ETH)).clearing, 30_000);
    expect((await p.breaker.modeOf(ETH)).mode).to.equal(2n);
    await increaseTime(ctx, BigInt(p.cooldown) + 5n);
    await pushPrice(p, 3000n);
    await waitFor("ETH lifted", async () => (await p.breaker.scopeState(ETH)).autoMode === 0n, 30_000);
    expect((await p.breaker.modeOf(ETH)).mode).to.equal(0n);

    const txs = await minedTxsFrom(ctx.provider, k.key.address);
    expect(txs.every((t) => t.status === 1)).to.equal(true);
    const pokes = txs.filter((t) => t.to?.toLowerCase() === p.addresses.breaker.toLowerCase()).length;
    const statusPokes = txs.filter((t) => t.to?.toLowerCase() === p.addresses.router.toLowerCase()).length;
    expect(statusPokes).to.equal(initialTxs + 2); // (OK at start if unrecorded), FAILED, then OK
    // Trip, cooldown start and lift, plus idle pokes while a tripped scope waits for its cooldown to start: at most
    // one per idlePokeIntervalBlocks (2) blocks, so bounded by the blocks the fault lasted, not by wall time.
    const blocks = (await ctx.provider.getBlockNumber()) - faultBlock;
    expect(pokes).to.be.at.least(3);
    expect(pokes).to.be.at.most(3 + Math.ceil(blocks / 2));
  });

  it("redeem-queue processor: processes pending requests once free liquidity pays them", async () => {
    const p = await deploy(ctx);
    const shares = await p.vault.balanceOf(p.lp.address);
    await (await p.vault.connect(p.lp).requestRedeem(shares / 4n, p.lp.address, p.lp.address)).wait();
    await (await p.vault.connect(p.lp).requestRedeem(shares / 4n, p.lp.address, p.lp.address)).wait();
    const [head0, tail0] = await p.vault.redeemQueue();
    expect(tail0 - head0).to.equal(2n);

    const k = await startKeeper(ctx, {
      target: p.addresses.vault,
      waitFor: ["redeem"],
      patch: {
        ...BASE_PATCH,
        strategies: {
          liquidator: undefined,
          redeem: {
            type: "redeem-queue",
            enabled: true,
            policy: policy(p.addresses.vault, ["processRedeemQueue(uint256)"]),
            params: { vault: p.addresses.vault, maxRequests: 10 },
          },
        },
      },
    });
    await waitFor("queue processed", async () => {
      const [h, t] = await p.vault.redeemQueue();
      return h === t;
    }, 30_000);
    const processed = await p.vault.queryFilter(p.vault.filters.RedeemProcessed(), p.fromBlock, "latest");
    expect(processed.map((e) => e.args.requestId)).to.deep.equal([head0, head0 + 1n]);
    expect(await p.vault.totalClaimable()).to.be.greaterThan(usdc(0));
    await new Promise((r) => setTimeout(r, 2_000));
    // The vault sizes each batch to the breaker's remaining outflow allowance, so the two requests may take one or
    // two transactions; every one succeeds and none is wasted.
    const txs = await minedTxsFrom(ctx.provider, k.key.address);
    expect(txs.length).to.be.within(1, 2);
    expect(txs.every((t) => t.status === 1)).to.equal(true);
    expect(txs.length).to.be.at.most(processed.length);
  });
});
