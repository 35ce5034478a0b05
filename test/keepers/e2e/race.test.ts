import { expect } from "chai";
import { liquidations, minedTxsFrom, randomAccount, WAD } from "../helpers/chain";
import { readJournal } from "../helpers/keeper";
import { waitFor } from "../../helpers/processes";
import { keeperSuite, newMock, startKeeper } from "../helpers/suite";

/** One reverted liquidate on the mock costs ~24.4k gas (measured); a loser pays at most this per position. */
const REVERT_GAS_BOUND = 40_000n;

describe("keepers e2e: two keepers racing", function () {
  this.timeout(150_000);
  const ctx = keeperSuite();

  it("each position is liquidated exactly once; the loser's cost is bounded by one reverted call per position", async () => {
    const mock = await newMock(ctx);
    const target = await mock.getAddress();
    // Both keepers up first, then positions degrade in one block: a fair race.
    const k1 = await startKeeper(ctx, { target });
    const k2 = await startKeeper(ctx, { target });
    await ctx.node.setAutomine(false);
    const accounts = [randomAccount(), randomAccount(), randomAccount(), randomAccount()];
    for (const a of accounts) await mock.setHealth(a, 1, WAD / 2n);
    await ctx.node.mine();

    await waitFor("all liquidated", async () => (await liquidations(mock)).length === accounts.length, 40_000);
    // Let both keepers settle what they had in flight.
    await waitFor("journals settled", () =>
      [k1, k2].every((k) => [...readJournal(k.dataDir).values()].every((e) => e.state === "confirmed" || e.state === "failed")),
      30_000,
    );

    const done = await liquidations(mock);
    for (const a of accounts) expect(done.filter((l) => l.account === a)).to.have.length(1);

    let wasted = 0n;
    let reverted = 0;
    for (const k of [k1, k2]) {
      const mined = await minedTxsFrom(ctx.provider, k.key.address);
      for (const m of mined.filter((x) => x.status === 0)) {
        reverted += 1;
        wasted += m.gasUsed;
        expect(m.gasUsed).to.be.lte(REVERT_GAS_BOUND);
      }
      // Nothing a keeper journaled is left pending, and every mined tx is one it journaled.
      const hashes = new Set([...readJournal(k.dataDir).values()].flatMap((e) => e.attempts.map((x) => x.hash)));
      expect(mined.every((m) => hashes.has(m.hash))).to.equal(true);
    }
    expect(reverted).to.be.lte(accounts.length);
    expect(wasted).to.be.lte(REVERT_GAS_BOUND * BigInt(accounts.length));
    for (const k of [k1, k2]) expect((await k.run.health()).signals.signer.ok).to.equal(true);
  });
});
