/**
 * Batched liquidations end to end: the real keeper (supervisor, signer, liquidator process) with `params.batch`
 * against the Bulwark contracts on a local `hardhat node`.
 */
import { expect } from "chai";
import { LIQUIDATE_MANY_SIGNATURE, selectorOf } from "../../../keepers/src/core/config";
import { LIQUIDATION_ENGINE_FUNCTIONS } from "../../../keepers/src/strategies/liquidator/liquidation-engine";
import { waitFor } from "../../helpers/processes";
import { minedTxsFrom } from "../helpers/chain";
import { liquidationKey, readJournal, tempDir } from "../helpers/keeper";
import { chainTime, movePriceInOneBlock, deployProtocolViaCli, listSeries, pushPrice, trade, usdc, wad, WAD } from "../helpers/protocol";
import { BLOCK_MS, keeperSuite, startKeeper } from "../helpers/suite";

describe("keepers e2e: batched liquidations", function () {
  this.timeout(420_000);
  const ctx = keeperSuite();

  it("accounts one price move makes unhealthy go out in one liquidateMany, each liquidated once and confirmed item by item", async () => {
    const p = await deployProtocolViaCli(ctx.provider, ctx.node.url, tempDir("record"));
    const expiry = (await chainTime(ctx.provider)) + 7n * 86_400n;
    const call = await listSeries(p, 3000, expiry, true);
    // Three writers of 10 calls each, down to initial margin: healthy, but a move up breaks them.
    const victims = await Promise.all([7, 8, 9].map((i) => ctx.provider.getSigner(i)));
    for (const v of victims) {
      await (await p.token.mint(v.address, usdc(50_000))).wait();
      await (await p.token.connect(v).approve(p.addresses.engine, usdc(50_000))).wait();
      await (await p.engine.connect(v).deposit(v.address, usdc(50_000))).wait();
      await trade(p, v, call, -wad(10));
      const free = await p.engine.freeMarginOf(v.address);
      await (await p.engine.connect(v).withdraw(free - usdc(1), v.address)).wait();
    }
    // A price that leaves them near a health of 0.8 (found on a snapshot, then reverted).
    let target = 0n;
    for (let price = 3030n; price <= 3750n && target === 0n; price += 30n) {
      const snap = await ctx.node.rpc("evm_snapshot", []);
      await pushPrice(p, price);
      if ((await p.engine.accountHealth(victims[0].address)).health < (WAD * 85n) / 100n) target = price;
      await ctx.node.rpc("evm_revert", [snap]);
    }
    expect(target).to.be.greaterThan(0n);

    const k = await startKeeper(ctx, {
      target: p.addresses.engine,
      patch: {
        signer: { gas: { maxGasPerTx: 3_000_000 } },
        deployment: p.recordPath,
        strategies: {
          liquidator: {
            policy: { allow: [{ contract: "deployment:liquidation", functions: [LIQUIDATION_ENGINE_FUNCTIONS.liquidate, LIQUIDATE_MANY_SIGNATURE] }], maxIntentsPerMinute: 120 },
            params: {
              source: "margin-engine",
              target: "deployment:engine",
              liquidation: "deployment:liquidation",
              fromBlock: "deployment:block",
              batch: { maxGasPerTx: 3_000_000, gasPerItem: 400_000 },
            },
          },
        },
      },
    });
    await new Promise((r) => setTimeout(r, 2_000));

    const moveBlock = await movePriceInOneBlock(ctx.node, ctx.provider, p, target, BLOCK_MS);
    for (const v of victims) expect((await p.engine.accountHealth(v.address, { blockTag: moveBlock })).health).to.be.lessThan(WAD);

    const events = async () => p.liquidation.queryFilter(p.liquidation.filters.Liquidated(), moveBlock, "latest");
    await waitFor("all liquidated", async () => (await events()).length >= victims.length, 40_000);
    await waitFor("journal settled", () => [...readJournal(k.dataDir).values()].every((e) => e.state === "confirmed" || e.state === "failed"), 30_000);
    await new Promise((r) => setTimeout(r, 3_000)); // a duplicate would land in these blocks

    // One transaction, the batch entry point, carrying all three liquidations.
    const mined = await minedTxsFrom(ctx.provider, k.key.address);
    expect(mined).to.have.length(1);
    expect(mined[0].status).to.equal(1);
    const tx = await ctx.provider.getTransaction(mined[0].hash);
    expect(tx!.data.slice(0, 10)).to.equal(selectorOf(LIQUIDATE_MANY_SIGNATURE));
    const all = await events();
    expect(all.map((e) => e.args.account).sort()).to.deep.equal(victims.map((v) => v.address).sort());
    expect(all.every((e) => e.transactionHash === mined[0].hash)).to.equal(true);
    for (const e of all) expect(e.args.healthAfter).to.be.greaterThan(e.args.healthBefore);

    // The journal holds one entry for the batch, naming every item, confirmed.
    const entries = [...readJournal(k.dataDir).values()];
    expect(entries).to.have.length(1);
    expect(entries[0].state).to.equal("confirmed");
    const keys = (entries[0].items ?? []).map((it) => liquidationKey(it.account, BigInt(it.series)));
    expect(keys.sort()).to.deep.equal(victims.map((v) => liquidationKey(v.address, call)).sort());
  });
});
