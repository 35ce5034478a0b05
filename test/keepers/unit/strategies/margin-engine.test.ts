import { expect } from "chai";
import { AbiCoder, Wallet } from "ethers";
import type { RpcClient } from "../../../../keepers/src/core/rpc";
import { ENGINE } from "../../../../keepers/src/protocol/abi";
import { CLOSED_HEALTH } from "../../../../keepers/src/strategies/liquidator/book";
import { MarginEngineHealthSource, NO_REQUIREMENT_HEALTH, UNPRICED_HEALTH } from "../../../../keepers/src/strategies/liquidator/margin-engine";

const ENGINE_ADDR = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const WAD = 10n ** 18n;

/** A fake engine lens: `accounts[i]` has `healths[i]`; records every healthOfRange call. */
function fakeRpc(accounts: string[], healths: (bigint | "unpriced")[]) {
  const calls: [number, number][] = [];
  const rpc = {
    call: async (req: { data: string }) => {
      const parsed = ENGINE.parseTransaction({ data: req.data })!;
      if (parsed.name === "accountCount") return AbiCoder.defaultAbiCoder().encode(["uint256"], [accounts.length]);
      const start = Number(parsed.args[0]);
      const count = Math.min(Number(parsed.args[1]), accounts.length - start);
      calls.push([start, count]);
      const rows = Array.from({ length: count }, (_, j) => {
        const h = healths[start + j];
        return [accounts[start + j], 0n, 0n, 0n, 0n, h === "unpriced" ? 0n : h, h !== "unpriced"];
      });
      return ENGINE.encodeFunctionResult("healthOfRange", [rows]);
    },
  } as unknown as RpcClient;
  return { rpc, calls };
}

describe("keepers strategies/liquidator: MarginEngineHealthSource", () => {
  const accounts = Array.from({ length: 50 }, () => Wallet.createRandom().address);
  const healths: (bigint | "unpriced")[] = accounts.map((_, i) => (i === 3 ? "unpriced" : i === 4 ? CLOSED_HEALTH : BigInt(i + 1) * WAD));

  it("discovers the lens list in batches and maps unpriced and requirement-free accounts to non-liquidatable healths", async () => {
    const { rpc, calls } = fakeRpc(accounts, healths);
    const src = new MarginEngineHealthSource(rpc, ENGINE_ADDR, 20);
    const found = await src.scan(0n, 10n);
    expect(calls).to.deep.equal([[0, 20], [20, 20], [40, 10]]);
    expect(found.opened.map((o) => o.key.account)).to.deep.equal(accounts);
    expect(found.opened[3].health).to.equal(UNPRICED_HEALTH);
    expect(found.opened[4].health).to.equal(NO_REQUIREMENT_HEALTH);
    expect(found.closed).to.have.length(0);
    // A second scan with no new account reads nothing more than the count.
    await src.scan(11n, 12n);
    expect(calls).to.have.length(3);
  });

  it("reads scattered keys in merged index runs and returns them in the order asked", async () => {
    const { rpc, calls } = fakeRpc(accounts, healths);
    const src = new MarginEngineHealthSource(rpc, ENGINE_ADDR, 20, 2);
    await src.scan(0n, 1n);
    calls.length = 0;
    const keys = [30, 10, 11, 14, 45, 31].map((i) => ({ account: accounts[i], series: 0n }));
    const got = await src.healthOf(keys, 2n);
    expect(got).to.deep.equal([31n * WAD, 11n * WAD, 12n * WAD, 15n * WAD, 46n * WAD, 32n * WAD]);
    // 10,11,14 merge (gap of 2 read through); 30,31 merge; 45 alone.
    expect(calls).to.deep.equal([[10, 5], [30, 2], [45, 1]]);
  });

  it("never merges a run beyond the batch size", async () => {
    const { rpc, calls } = fakeRpc(accounts, healths);
    const src = new MarginEngineHealthSource(rpc, ENGINE_ADDR, 4, 8);
    await src.scan(0n, 1n);
    calls.length = 0;
    await src.healthOf([0, 1, 2, 3, 4, 5].map((i) => ({ account: accounts[i], series: 0n })), 2n);
    expect(calls).to.deep.equal([[0, 4], [4, 2]]);
  });
});
