import { expect } from "chai";
import { encodeBytes32String, getAddress } from "ethers";
import { RpcError } from "../../../../keepers/src/core/errors";
import { Logger } from "../../../../keepers/src/core/logger";
import { intentKey } from "../../../../keepers/src/core/messages";
import type { LogEntry, RpcClient } from "../../../../keepers/src/core/rpc";
import { ENGINE, ROUTER, settlementKeyId } from "../../../../keepers/src/protocol/abi";
import { RECORD_EXPIRY_PRICE_ACTION, Settler } from "../../../../keepers/src/strategies/settler";
import type { IntentDraft, IntentResult } from "../../../../keepers/src/strategies/types";

const WAD = 10n ** 18n;
const ETH = encodeBytes32String("ETH");
const ENGINE_ADDR = getAddress("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
const ROUTER_ADDR = getAddress("0x5fc8d32690cc91d4c39d9d3abcbd16989f875707");
const VAULT_ADDR = getAddress("0x0165878a594ca255338adfa4d48449f69242eb8f");
const [ALICE, BOB, CAROL] = [1, 2, 3].map((i) => `0x00000000000000000000000000000000000000a${i}`);
/** Two expiries, both final at NOW: series 1 and 2 share the first, series 3 is alone in the second. */
const EXPIRY_A = 1_000_000n;
const EXPIRY_B = 1_086_400n;
const SERIES: Record<string, bigint> = { "1": EXPIRY_A, "2": EXPIRY_A, "3": EXPIRY_B };
const NOW = 2_000_000n;
const FINAL_PRICE = 3_100n * WAD;
const SETTLEMENT_PARAMS = [600n, 3_600n, 100n, 86_400n];

const revert = (what: string) => new RpcError("RPC_ERROR", `execution reverted: ${what}`, { method: "eth_call", endpoint: "fake", rpcCode: 3 });

interface FakeEngine {
  /** `${account}:${seriesId}` → position. */
  positions: Map<string, bigint>;
  /** Expiry → the engine's copy of its final price (absent: zero). */
  copied: Map<bigint, bigint>;
  /** When set, `recordExpiryPrice` reverts in simulation. */
  recordReverts: boolean;
  /** Every engine function the strategy called, in order, with its first argument. */
  calls: string[];
}

/**
 * A fake chain: the router's settlement parameters and a final price for every expiry, the engine's series,
 * trades, positions and price copies. Events are served once from block 1.
 */
function fakeChain(holdings: [string, bigint][]) {
  const engine: FakeEngine = { positions: new Map(holdings.map(([a, s]) => [`${a}:${s}`, WAD])), copied: new Map(), recordReverts: false, calls: [] };
  const logs: LogEntry[] = [];
  const log = (name: string, values: unknown[]) => {
    const ev = ENGINE.encodeEventLog(ENGINE.getEvent(name)!, values);
    logs.push({ address: ENGINE_ADDR, topics: ev.topics, data: ev.data, blockNumber: 1n, logIndex: logs.length, transactionHash: "0x" });
  };
  for (const [id, expiry] of Object.entries(SERIES)) log("SeriesRegistered", [BigInt(id), ETH, 3_000n * WAD, expiry, true, WAD / 2n]);
  for (const [account, seriesId] of holdings) log("TradeApplied", [account, seriesId, WAD, 0n, WAD, -WAD]);

  const rpc = {
    getBlock: async (tag: bigint) => ({ number: tag, hash: "0x", timestamp: NOW, baseFeePerGas: null }),
    getLogs: async (f: { fromBlock: bigint; toBlock: bigint }) => logs.filter((l) => l.blockNumber >= f.fromBlock && l.blockNumber <= f.toBlock),
    call: async (req: { to: string; data: string }) => {
      if (req.to === ROUTER_ADDR) {
        const parsed = ROUTER.parseTransaction({ data: req.data })!;
        if (parsed.name === "getSettlementParams") return ROUTER.encodeFunctionResult("getSettlementParams", [SETTLEMENT_PARAMS]);
        if (parsed.name === "getSettlement") {
          const finalAt = (parsed.args[1] as bigint) + SETTLEMENT_PARAMS[0] + SETTLEMENT_PARAMS[1];
          return ROUTER.encodeFunctionResult("getSettlement", [[FINAL_PRICE, finalAt, 7n, 1n, false]]);
        }
        throw new Error(`unexpected router call ${parsed.name}`);
      }
      const parsed = ENGINE.parseTransaction({ data: req.data })!;
      engine.calls.push(`${parsed.name}:${parsed.args.length > 0 ? String(parsed.args[0]) : ""}`);
      const expiryOf = (id: unknown) => SERIES[String(id)];
      switch (parsed.name) {
        case "vault":
          return ENGINE.encodeFunctionResult("vault", [VAULT_ADDR]);
        case "positionOf":
          return ENGINE.encodeFunctionResult("positionOf", [engine.positions.get(`${String(parsed.args[0]).toLowerCase()}:${parsed.args[1]}`) ?? 0n]);
        case "settle":
          if (!engine.positions.get(`${String(parsed.args[0]).toLowerCase()}:${parsed.args[1]}`)) throw revert("MarginNoPosition");
          return ENGINE.encodeFunctionResult("settle", [100n]);
        case "expiryPriceOf":
          return ENGINE.encodeFunctionResult("expiryPriceOf", [engine.copied.get(expiryOf(parsed.args[0])) ?? 0n]);
        case "recordExpiryPrice":
          if (engine.recordReverts || engine.copied.has(expiryOf(parsed.args[0]))) throw revert("MarginExpiryPriceAlreadyRecorded");
          return ENGINE.encodeFunctionResult("recordExpiryPrice", [FINAL_PRICE]);
        default:
          throw new Error(`unexpected engine call ${parsed.name}`);
      }
    },
  } as unknown as RpcClient;
  return { rpc, engine };
}

/** A settler over `rpc`; the copy threshold is 1 (every expiry with a position gets its copy) unless `params` says. */
async function startSettler(rpc: RpcClient, params: Record<string, unknown> = {}): Promise<Settler> {
  const settler = new Settler();
  const log = new Logger({ chain: 31337, component: "test", level: "error", sink: () => undefined });
  await settler.init({ name: "settler", chainId: 31337n, rpc, log, params: { router: ROUTER_ADDR, engine: ENGINE_ADDR, fromBlock: 0, minSettlementsForPriceCopy: 1, ...params }, dryRun: false });
  return settler;
}

const copyKey = (expiry: bigint) => intentKey({ action: RECORD_EXPIRY_PRICE_ACTION, account: ENGINE_ADDR, series: settlementKeyId(ETH, expiry) });
const settleKey = (account: string, seriesId: bigint) => `settle:${account}:${seriesId}`;
const keysOf = (intents: IntentDraft[]) => intents.map((i) => intentKey(i));
const result = (key: string, status: IntentResult["status"], code?: string): IntentResult => ({ id: "x", key, status, code });

/** The settle intents of `keys` fail (lost race), so the strategy proposes them again. */
function failSettles(s: Settler, intents: IntentDraft[]): void {
  for (const k of keysOf(intents).filter((key) => key.startsWith("settle:"))) s.onResult(result(k, "failed", "REVERTED"));
}

describe("keepers strategies/settler: copy of the expiry price into the engine", () => {
  const holdings: [string, bigint][] = [
    [ALICE, 1n],
    [BOB, 2n],
    [CAROL, 3n],
  ];

  it("proposes one recordExpiryPrice per expiry, right before that expiry's first settle, keyed by the expiry", async () => {
    const { rpc, engine } = fakeChain(holdings);
    const s = await startSettler(rpc);
    const intents = await s.onBlock(10n);
    expect(keysOf(intents)).to.deep.equal([copyKey(EXPIRY_A), settleKey(ALICE, 1n), settleKey(BOB, 2n), copyKey(EXPIRY_B), settleKey(CAROL, 3n)]);
    const copy = intents[0];
    expect(copy.to).to.equal(ENGINE_ADDR);
    expect(ENGINE.decodeFunctionData("recordExpiryPrice", copy.data)[0]).to.equal(1n); // the first series settled
    // Re-checked by the same call: a copy made by someone else in between is skipped by the signer.
    expect(copy.recheck).to.deep.equal({ to: ENGINE_ADDR, data: copy.data, expect: ENGINE.encodeFunctionResult("recordExpiryPrice", [FINAL_PRICE]) });
    expect(engine.calls.filter((c) => c.startsWith("recordExpiryPrice"))).to.have.length(2);
  });

  it("copies only an expiry with at least minSettlementsForPriceCopy positions left (default 8: the copy's break-even)", async () => {
    // Expiry A has two positions (alice, bob), expiry B one (carol).
    const atTwo = await startSettler(fakeChain(holdings).rpc, { minSettlementsForPriceCopy: 2 });
    expect(keysOf(await atTwo.onBlock(10n))).to.deep.equal([copyKey(EXPIRY_A), settleKey(ALICE, 1n), settleKey(BOB, 2n), settleKey(CAROL, 3n)]);
    const { rpc, engine } = fakeChain(holdings);
    const byDefault = await startSettler(rpc, { minSettlementsForPriceCopy: undefined });
    expect(keysOf(await byDefault.onBlock(10n))).to.deep.equal([settleKey(ALICE, 1n), settleKey(BOB, 2n), settleKey(CAROL, 3n)]);
    expect(engine.calls.filter((c) => c.startsWith("recordExpiryPrice") || c.startsWith("expiryPriceOf"))).to.deep.equal([]);
    // Decided once: the next blocks propose no copy either.
    const again = await byDefault.onBlock(11n);
    expect(keysOf(again).filter((k) => k.startsWith(RECORD_EXPIRY_PRICE_ACTION))).to.deep.equal([]);
  });

  it("refuses a threshold below one in the config", async () => {
    const error = await startSettler(fakeChain(holdings).rpc, { minSettlementsForPriceCopy: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).to.match(/invalid settler params: minSettlementsForPriceCopy/);
  });

  it("does not wait for a pending copy: settlements that failed go again, the copy is not proposed twice", async () => {
    const { rpc } = fakeChain(holdings);
    const s = await startSettler(rpc);
    const first = await s.onBlock(10n);
    s.onResult(result(copyKey(EXPIRY_A), "accepted"));
    s.onResult(result(copyKey(EXPIRY_A), "sent"));
    failSettles(s, first);
    const second = await s.onBlock(11n);
    expect(keysOf(second)).to.deep.equal([settleKey(ALICE, 1n), settleKey(BOB, 2n), settleKey(CAROL, 3n)]);
    // Confirmed later: still never proposed again.
    s.onResult(result(copyKey(EXPIRY_A), "confirmed"));
    failSettles(s, second);
    expect(keysOf(await s.onBlock(12n))).to.deep.equal([settleKey(ALICE, 1n), settleKey(BOB, 2n), settleKey(CAROL, 3n)]);
  });

  it("skips the copy when the engine already holds the expiry's price, without simulating it", async () => {
    const { rpc, engine } = fakeChain(holdings);
    engine.copied.set(EXPIRY_A, FINAL_PRICE);
    const s = await startSettler(rpc);
    expect(keysOf(await s.onBlock(10n))).to.deep.equal([settleKey(ALICE, 1n), settleKey(BOB, 2n), copyKey(EXPIRY_B), settleKey(CAROL, 3n)]);
    expect(engine.calls.filter((c) => c.startsWith("recordExpiryPrice"))).to.deep.equal(["recordExpiryPrice:3"]);
  });

  for (const [status, code] of [
    ["failed", "REVERTED"],
    ["skipped", "RECHECK_FAILED"],
    ["refused", "POLICY_SELECTOR_NOT_ALLOWED"],
    ["refused", "POLICY_DUPLICATE"],
    ["refused", "POLICY_RECENTLY_CONFIRMED"], // copied a few blocks ago: recorded, nothing to propose
  ] as const) {
    it(`does not propose the copy again after it was ${status} (${code}), and keeps settling`, async () => {
      const { rpc } = fakeChain(holdings);
      const s = await startSettler(rpc);
      const first = await s.onBlock(10n);
      s.onResult(result(copyKey(EXPIRY_A), status, code));
      s.onResult(result(copyKey(EXPIRY_B), status, code));
      failSettles(s, first);
      for (const block of [11n, 40n]) {
        // 40: past the in-flight TTL of every key
        const again = await s.onBlock(block);
        expect(keysOf(again)).to.deep.equal([settleKey(ALICE, 1n), settleKey(BOB, 2n), settleKey(CAROL, 3n)]);
        failSettles(s, again);
      }
    });
  }

  it("settles without the copy when recordExpiryPrice does not simulate, and does not simulate it again", async () => {
    const { rpc, engine } = fakeChain(holdings);
    engine.recordReverts = true;
    const s = await startSettler(rpc);
    const first = await s.onBlock(10n);
    expect(keysOf(first)).to.deep.equal([settleKey(ALICE, 1n), settleKey(BOB, 2n), settleKey(CAROL, 3n)]);
    failSettles(s, first);
    expect(keysOf(await s.onBlock(11n))).to.have.length(3);
    expect(engine.calls.filter((c) => c.startsWith("recordExpiryPrice"))).to.have.length(2); // once per expiry, block 10 only
  });

  it("counts the copy in maxIntentsPerBlock: with a budget of one, the copy goes first and the settlement next block", async () => {
    const { rpc } = fakeChain([[ALICE, 1n]]);
    const s = await startSettler(rpc, { maxIntentsPerBlock: 1 });
    expect(keysOf(await s.onBlock(10n))).to.deep.equal([copyKey(EXPIRY_A)]);
    expect(keysOf(await s.onBlock(11n))).to.deep.equal([settleKey(ALICE, 1n)]);
    expect(await s.onBlock(12n)).to.deep.equal([]);
  });

  it("proposes no copy for an expiry with nothing left to settle", async () => {
    const { rpc, engine } = fakeChain(holdings);
    engine.positions.clear(); // every holder closed before expiry
    const s = await startSettler(rpc);
    expect(await s.onBlock(10n)).to.deep.equal([]);
    expect(engine.calls.filter((c) => c.startsWith("expiryPriceOf") || c.startsWith("recordExpiryPrice"))).to.deep.equal([]);
  });
});
