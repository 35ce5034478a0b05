import { expect } from "chai";
import { AbiCoder, Wallet } from "ethers";
import type { RpcClient } from "../../../../keepers/src/core/rpc";
import { selectorOf } from "../../../../keepers/src/core/config";
import { ENGINE } from "../../../../keepers/src/protocol/abi";
import { intentKeys, intentSchema } from "../../../../keepers/src/core/messages";
import { LIQUIDATE_MANY_SIGNATURE } from "../../../../keepers/src/core/config";
import {
  batchLiquidations,
  decodeLiquidate,
  encodeLiquidate,
  encodeLiquidateMany,
  encodePositionOf,
  int256Word,
  LIQUIDATION_ENGINE,
  LIQUIDATION_ENGINE_FUNCTIONS,
  LiquidationEngineVenue,
  sizeClose,
} from "../../../../keepers/src/strategies/liquidator/liquidation-engine";

const WAD = 10n ** 18n;
const ENGINE_ADDR = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const LIQ_ADDR = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const coder = AbiCoder.defaultAbiCoder();
const NOW = 1_000_000n;

interface FakeSeries {
  strike: bigint;
  expiry: bigint;
}

/** A fake chain: one account's positions, series terms, the liquidation policy; counts `params` reads. */
function fakeRpc(positions: [bigint, bigint][], series: Record<string, FakeSeries>, policy = { closeFactor: WAD / 2n, dustAmount: WAD / 2n }) {
  const reads = { params: 0, getSeries: 0 };
  const rpc = {
    getBlock: async () => ({ number: 10n, hash: "0x", timestamp: NOW, baseFeePerGas: null }),
    call: async (req: { to: string; data: string }) => {
      if (req.to === LIQ_ADDR) {
        reads.params += 1;
        return LIQUIDATION_ENGINE.encodeFunctionResult("params", [[policy.closeFactor, policy.dustAmount, 0n, 0n, 0n, 0n, 0n, 3600n]]);
      }
      const parsed = ENGINE.parseTransaction({ data: req.data })!;
      if (parsed.name === "positionsOf") return ENGINE.encodeFunctionResult("positionsOf", [positions.map((p) => p[0]), positions.map((p) => p[1])]);
      if (parsed.name === "getSeries") {
        reads.getSeries += 1;
        const s = series[String(parsed.args[0])];
        return ENGINE.encodeFunctionResult("getSeries", [[`0x${"00".repeat(32)}`, s.strike, s.expiry, true, WAD, false]]);
      }
      throw new Error(`unexpected call ${parsed.name}`);
    },
  } as unknown as RpcClient;
  return { rpc, reads };
}

describe("keepers strategies/liquidator: LiquidationEngineVenue", () => {
  const account = Wallet.createRandom().address;

  it("sizes a close by the close factor (rounded up), the whole short when it or the rest is dust", () => {
    const policy = { closeFactor: WAD / 2n, dustAmount: WAD / 2n };
    expect(sizeClose(10n * WAD, policy)).to.equal(5n * WAD);
    expect(sizeClose(10n * WAD + 1n, policy)).to.equal(5n * WAD + 1n); // rounded up
    expect(sizeClose(WAD / 4n, policy)).to.equal(WAD / 4n); // the short itself is dust
    expect(sizeClose((9n * WAD) / 10n, policy)).to.equal((9n * WAD) / 10n); // the rest (0.45) would be dust
    expect(sizeClose(0n, policy)).to.equal(0n);
    expect(sizeClose(3n * WAD, { closeFactor: WAD, dustAmount: 0n })).to.equal(3n * WAD);
  });

  it("closes the largest live short by notional, re-checked by the position it saw", async () => {
    const { rpc } = fakeRpc(
      [
        [1n, 4n * WAD], // long: not liquidated
        [2n, -2n * WAD], // short, strike 3000: notional 6000
        [3n, -3n * WAD], // short, strike 1000: notional 3000
        [4n, -9n * WAD], // short but expired: settlement's job
      ],
      { "1": { strike: 3000n * WAD, expiry: NOW + 1n }, "2": { strike: 3000n * WAD, expiry: NOW + 100n }, "3": { strike: 1000n * WAD, expiry: NOW + 100n }, "4": { strike: 5000n * WAD, expiry: NOW } },
    );
    const venue = new LiquidationEngineVenue(rpc, LIQ_ADDR, ENGINE_ADDR);
    const [intent, ...rest] = await venue.liquidations({ account, series: 0n }, 10n, 900_000);
    expect(rest).to.have.length(0);
    expect(intent).to.include({ action: "liquidate", account, series: "2", to: LIQ_ADDR, gasLimit: "900000" });
    const call = LIQUIDATION_ENGINE.parseTransaction({ data: intent.data })!;
    expect(call.name).to.equal("liquidate");
    expect(call.args.map((a: unknown) => String(a))).to.deep.equal([account, "2", String(WAD)]); // half of 2
    expect(intent.data.slice(0, 10)).to.equal(selectorOf(LIQUIDATION_ENGINE_FUNCTIONS.liquidate));
    expect(intent.recheck).to.deep.equal({
      to: ENGINE_ADDR,
      data: ENGINE.encodeFunctionData("positionOf", [account, 2n]),
      expect: coder.encode(["int256"], [-2n * WAD]),
    });
  });

  it("proposes nothing for an account without a live short, and caches the policy and series terms", async () => {
    const { rpc, reads } = fakeRpc([[1n, WAD]], { "1": { strike: WAD, expiry: NOW + 1n } });
    const venue = new LiquidationEngineVenue(rpc, LIQ_ADDR, ENGINE_ADDR);
    expect(await venue.liquidations({ account, series: 0n }, 10n)).to.deep.equal([]);
    expect(await venue.liquidations({ account, series: 0n }, 11n)).to.deep.equal([]);
    expect(reads.params).to.equal(1);
    expect(reads.getSeries).to.equal(0); // longs need no terms
  });

  it("encodes a batch for liquidateMany with the selector operators allow", () => {
    const data = encodeLiquidateMany([{ account, seriesId: 7n, amount: WAD }]);
    expect(data.slice(0, 10)).to.equal(selectorOf(LIQUIDATION_ENGINE_FUNCTIONS.liquidateMany));
    const parsed = LIQUIDATION_ENGINE.parseTransaction({ data })!;
    expect(parsed.args[0][0].map((x: unknown) => String(x))).to.deep.equal([account, "7", String(WAD)]);
    expect(LIQUIDATION_ENGINE_FUNCTIONS.liquidateMany).to.equal(LIQUIDATE_MANY_SIGNATURE); // what the config requires
  });

  describe("hand-encoded calldata", () => {
    const accounts = [account, "0x000000000000000000000000000000000000dEaD", "0xffffffffffffffffffffffffffffffffffffffff"];
    const values = [0n, 1n, WAD, 2n ** 255n, 2n ** 256n - 1n];

    it("equals ethers' ABI encoding for liquidate, positionOf, liquidateMany and int256 words, edge values included", () => {
      for (const a of accounts) {
        for (const v of values) {
          expect(encodeLiquidate(a, v, values[values.length - 1 - values.indexOf(v)])).to.equal(
            LIQUIDATION_ENGINE.encodeFunctionData("liquidate", [a, v, values[values.length - 1 - values.indexOf(v)]]),
          );
          expect(encodePositionOf(a, v)).to.equal(ENGINE.encodeFunctionData("positionOf", [a, v]));
        }
      }
      for (const x of [0n, 1n, -1n, -WAD, 2n ** 255n - 1n, -(2n ** 255n)]) expect(`0x${int256Word(x)}`).to.equal(coder.encode(["int256"], [x]));
      for (const n of [0, 1, 20]) {
        const items = Array.from({ length: n }, (_, i) => ({ account: accounts[i % 3], seriesId: BigInt(i), amount: values[i % values.length] }));
        expect(encodeLiquidateMany(items)).to.equal(LIQUIDATION_ENGINE.encodeFunctionData("liquidateMany", [items.map((i) => [i.account, i.seriesId, i.amount])]));
      }
    });

    it("decodes liquidate calldata back to its arguments and refuses anything else", () => {
      const data = LIQUIDATION_ENGINE.encodeFunctionData("liquidate", [accounts[2], 7n, WAD]);
      expect(decodeLiquidate(data)).to.deep.equal({ account: accounts[2].toLowerCase(), seriesId: 7n, amount: WAD });
      expect(() => decodeLiquidate(data.slice(0, -2))).to.throw("not liquidate(address,uint256,uint256) calldata");
      expect(() => decodeLiquidate(`${data}00`)).to.throw("not liquidate(address,uint256,uint256) calldata");
      expect(() => decodeLiquidate(encodePositionOf(accounts[0], 1n) + "0".repeat(64))).to.throw("not liquidate(address,uint256,uint256) calldata");
      expect(() => decodeLiquidate(`${data.slice(0, 10)}${"f".repeat(24)}${data.slice(34)}`)).to.throw("high bits set");
      expect(() => decodeLiquidate(`${data.slice(0, 40)}zz${data.slice(42)}`)).to.throw("not liquidate(address,uint256,uint256) calldata");
    });

    it("refuses values that do not fit their ABI type and malformed addresses", () => {
      expect(() => encodeLiquidate(account, -1n, 1n)).to.throw(RangeError, "uint256");
      expect(() => encodeLiquidate(account, 1n, 2n ** 256n)).to.throw(RangeError, "uint256");
      expect(() => int256Word(2n ** 255n)).to.throw(RangeError, "int256");
      expect(() => int256Word(-(2n ** 255n) - 1n)).to.throw(RangeError, "int256");
      expect(() => encodePositionOf("0x1234", 1n)).to.throw("malformed address");
    });
  });

  describe("batches", () => {
    const others = [Wallet.createRandom().address, Wallet.createRandom().address];
    /** The venue's single intent for `who`, closing `amount` of series `series`, re-checked by its position. */
    const single = (who: string, series: bigint, amount: bigint) => ({
      action: "liquidate",
      account: who,
      series: series.toString(),
      to: LIQ_ADDR,
      data: LIQUIDATION_ENGINE.encodeFunctionData("liquidate", [who, series, amount]),
      gasLimit: "400000",
      recheck: { to: ENGINE_ADDR, data: ENGINE.encodeFunctionData("positionOf", [who, series]), expect: coder.encode(["int256"], [-amount]) },
    });

    it("turns single liquidations into one liquidateMany in their order, each item keeping its amount and re-check", () => {
      const drafts = [single(account, 2n, WAD), single(others[0], 3n, 2n * WAD), single(others[1], 2n, 5n)];
      const batch = batchLiquidations(LIQ_ADDR, drafts, 700_000);
      expect(batch).to.include({ action: "liquidate", account, series: "2", to: LIQ_ADDR, gasLimit: "700000" });
      expect(batch.recheck).to.equal(undefined);
      const call = LIQUIDATION_ENGINE.parseTransaction({ data: batch.data })!;
      expect(call.name).to.equal("liquidateMany");
      expect(call.args[0].map((it: unknown[]) => it.map(String))).to.deep.equal([
        [account, "2", String(WAD)],
        [others[0], "3", String(2n * WAD)],
        [others[1], "2", "5"],
      ]);
      expect(batch.items).to.deep.equal(drafts.map((d) => ({ account: d.account, series: d.series, recheck: d.recheck })));
      // It is a valid intent, holding one key per item.
      const parsed = intentSchema.parse({ ...batch, id: "b" });
      expect(intentKeys(parsed)).to.deep.equal(drafts.map((d) => `liquidate:${d.account.toLowerCase()}:${d.series}`));
    });

    it("returns a lone liquidation unchanged, and refuses foreign calls and more than the engine's 20 items", () => {
      const one = single(account, 2n, WAD);
      expect(batchLiquidations(LIQ_ADDR, [one], 700_000)).to.equal(one);
      expect(() => batchLiquidations(LIQ_ADDR, [one, { ...single(others[0], 2n, WAD), to: ENGINE_ADDR }], 700_000)).to.throw("not a liquidate() call");
      expect(() => batchLiquidations(LIQ_ADDR, [one, { ...single(others[0], 2n, WAD), data: "0x12345678" }], 700_000)).to.throw("not a liquidate() call");
      const many = Array.from({ length: 21 }, () => single(Wallet.createRandom().address, 2n, WAD));
      expect(() => batchLiquidations(LIQ_ADDR, many, 700_000)).to.throw("1 to 20");
      expect(() => batchLiquidations(LIQ_ADDR, [], 700_000)).to.throw("1 to 20");
    });

    it("the intent schema refuses a batch whose first item is not its own, with repeated items, or with an intent-level re-check", () => {
      const batch = { ...batchLiquidations(LIQ_ADDR, [single(account, 2n, WAD), single(others[0], 3n, WAD)], 700_000), id: "b" };
      expect(intentSchema.safeParse(batch).success).to.equal(true);
      const issue = (x: unknown) => {
        const r = intentSchema.safeParse(x);
        return r.success ? "accepted" : r.error.issues.map((i) => i.message).join("; ");
      };
      expect(issue({ ...batch, series: "3" })).to.contain("the first item must be the intent's own");
      expect(issue({ ...batch, items: [batch.items![0], { ...batch.items![0], account: account.toLowerCase() }] })).to.contain("distinct");
      expect(issue({ ...batch, recheck: batch.items![0].recheck })).to.contain("on its items");
      expect(issue({ ...batch, items: [batch.items![0]] })).to.contain("at least 2");
      expect(issue({ ...batch, items: Array.from({ length: 21 }, (_, i) => ({ account, series: String(i) })) })).to.contain("at most 20");
    });
  });
});
