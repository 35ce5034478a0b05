import { expect } from "chai";
import { AbiCoder, keccak256, Wallet } from "ethers";
import { LIQUIDATE_MANY_SIGNATURE, validateConfig } from "../../../../keepers/src/core/config";
import { Journal } from "../../../../keepers/src/core/journal";
import { RECENTLY_CONFIRMED } from "../../../../keepers/src/core/messages";
import { Logger } from "../../../../keepers/src/core/logger";
import { intentSchema, type Intent } from "../../../../keepers/src/core/messages";
import type { RpcClient } from "../../../../keepers/src/core/rpc";
import { Executor, type ExecutorResult } from "../../../../keepers/src/signer/executor";
import { Policy, SpendBudget } from "../../../../keepers/src/signer/policy";
import { batchLiquidations, LIQUIDATION_ENGINE } from "../../../../keepers/src/strategies/liquidator/liquidation-engine";
import { ENGINE } from "../../../../keepers/src/protocol/abi";
import { merge, removeTempDirs, tempDir, testConfig } from "../../helpers/keeper";

const LIQ = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const ENGINE_ADDR = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const GWEI = 10n ** 9n;
const coder = AbiCoder.defaultAbiCoder();
const A = ["0x00000000000000000000000000000000000000a1", "0x00000000000000000000000000000000000000a2", "0x00000000000000000000000000000000000000a3"];
const key = (a: string, series = "2") => `liquidate:${a}:${series}`;

/**
 * A fake node: positions answer the re-checks, sent transactions get a receipt (in the current head's block) when
 * `mine()` is called; `chain.head` moves the head, `chain.headDown` makes head reads fail.
 */
function fakeNode() {
  const position = new Map<string, bigint>(A.map((a) => [a, -4n]));
  const sent: string[] = [];
  const mined = new Map<string, bigint>();
  const chain = { head: 10n, headDown: false };
  let nonce = 0;
  const rpc = {
    getBlock: async () => ({ number: chain.head, hash: "0x01", timestamp: 1_000n, baseFeePerGas: GWEI }),
    blockNumber: async () => {
      if (chain.headDown) throw new Error("node unreachable");
      return chain.head;
    },
    getTransactionCount: async () => BigInt(nonce),
    getBalance: async () => 10n ** 20n,
    estimateGas: async () => 600_000n,
    call: async (req: { to: string; data: string }) => {
      const [account] = ENGINE.decodeFunctionData("positionOf", req.data) as unknown as [string];
      return coder.encode(["int256"], [position.get(account.toLowerCase()) ?? 0n]);
    },
    sendRawTransaction: async (raw: string) => {
      sent.push(raw);
      return keccak256(raw);
    },
    getTransactionReceipt: async (hash: string) =>
      mined.has(hash) ? { transactionHash: hash, blockNumber: mined.get(hash)!, status: 1 as const, gasUsed: 500_000n, effectiveGasPrice: GWEI } : null,
  } as unknown as RpcClient;
  const mine = () => {
    for (const raw of sent) if (!mined.has(keccak256(raw))) mined.set(keccak256(raw), chain.head);
    nonce = sent.length;
  };
  return { rpc, position, sent, mine, chain };
}

interface ExecutorSetup {
  functions?: string[];
  /** `signer.confirmedHoldBlocks` (the config default when absent). */
  holdBlocks?: number;
  journal?: Journal;
  node?: ReturnType<typeof fakeNode>;
}

function executor({ functions = ["liquidate(address,uint256,uint256)", LIQUIDATE_MANY_SIGNATURE], holdBlocks, journal = Journal.inMemory(), node = fakeNode() }: ExecutorSetup = {}) {
  const raw = merge(testConfig({ rpcUrls: ["http://127.0.0.1:8545"], dataDir: "/tmp/d", target: LIQ }), {
    signer: { gas: { maxGasPerTx: 3_000_000 } },
    strategies: { liquidator: { policy: { allow: [{ contract: LIQ, functions }], maxIntentsPerMinute: 120 } } },
  });
  const config = validateConfig(raw, "/tmp/keeper.json");
  const results: ExecutorResult[] = [];
  const ex = new Executor({
    rpc: node.rpc,
    wallet: Wallet.createRandom() as unknown as Wallet,
    journal,
    policy: new Policy(config),
    budget: new SpendBudget(10n ** 18n),
    chainId: 31337n,
    fees: { priorityFee: GWEI, maxPriorityFeePerGas: 3n * GWEI, maxFeePerGas: 50n * GWEI, baseFeeMultiplier: 2, bumpPercent: 20 },
    maxGasPerTx: 3_000_000n,
    estimateMarginPercent: 20,
    maxPendingTxs: 4,
    confirmations: 1,
    confirmedHoldBlocks: holdBlocks ?? config.signer.confirmedHoldBlocks,
    recheckBlockTag: "latest",
    replaceAfterMs: 60_000,
    maxReplacements: 3,
    dryRun: false,
    logger: new Logger({ chain: 31337, component: "signer", level: "error", sink: () => undefined }),
    onResult: (_strategy, r) => results.push(r),
    onTx: () => undefined,
  });
  return { ex, node, results, journal };
}

/** The liquidator's single intent for `account` (series 2, amount 4), re-checked by its position. */
function single(account: string, id = `s-${account}`, position = -4n): Intent {
  return intentSchema.parse({
    id,
    action: "liquidate",
    account,
    series: "2",
    to: LIQ,
    data: LIQUIDATION_ENGINE.encodeFunctionData("liquidate", [account, 2n, 4n]),
    recheck: { to: ENGINE_ADDR, data: ENGINE.encodeFunctionData("positionOf", [account, 2n]), expect: coder.encode(["int256"], [position]) },
  });
}

function batch(accounts: string[], id = "b"): Intent {
  return intentSchema.parse({ ...batchLiquidations(LIQ, accounts.map((a) => single(a)), 1_000_000), id });
}

const byKey = (rs: ExecutorResult[]) => Object.fromEntries(rs.map((r) => [r.key, r.code ? `${r.status}:${r.code}` : r.status]));

describe("keepers signer/executor: batches", () => {
  it("accepts a batch once, reports each item, and refuses any intent naming one of its items until it is confirmed", async () => {
    const { ex, node, results } = executor();
    ex.submit("liquidator", batch([A[0], A[1]]));
    expect(byKey(results)).to.deep.equal({ [key(A[0])]: "accepted", [key(A[1])]: "accepted" });
    await ex.tick();
    expect(node.sent).to.have.length(1);
    expect(byKey(results.slice(2))).to.deep.equal({ [key(A[0])]: "sent", [key(A[1])]: "sent" });

    // A2 alone and a batch naming A2 again: the item in the way is a duplicate, the rest only overlap.
    results.length = 0;
    ex.submit("liquidator", single(A[1]));
    ex.submit("liquidator", batch([A[2], A[1]], "b2"));
    expect(results.map((r) => `${r.key}=${r.status}:${r.code}`)).to.deep.equal([
      `${key(A[1])}=refused:POLICY_DUPLICATE`,
      `${key(A[1])}=refused:POLICY_DUPLICATE`,
      `${key(A[2])}=refused:POLICY_BATCH_OVERLAP`,
    ]);

    results.length = 0;
    node.mine();
    await ex.tick();
    expect(byKey(results)).to.deep.equal({ [key(A[0])]: "confirmed", [key(A[1])]: "confirmed" });
    // Confirmed: the key is free again once the confirmation hold has passed (see the hold tests below).
    results.length = 0;
    node.chain.head += 3n;
    await ex.submit("liquidator", single(A[1]));
    expect(byKey(results)).to.deep.equal({ [key(A[1])]: "accepted" });
  });

  it("sends a batch while one item still re-checks (the engine skips the others), and skips it when none does", async () => {
    const { ex, node, results } = executor();
    node.position.set(A[0], -1n); // partly liquidated by someone else since
    ex.submit("liquidator", batch([A[0], A[1]]));
    await ex.tick();
    expect(node.sent).to.have.length(1);
    expect(byKey(results.slice(2))).to.deep.equal({ [key(A[0])]: "sent", [key(A[1])]: "sent" });

    node.mine();
    await ex.tick();
    results.length = 0;
    node.position.set(A[2], 0n);
    node.position.set(A[1], 0n);
    node.chain.head += 3n; // past the confirmation hold of A2's key
    await ex.submit("liquidator", batch([A[2], A[1]], "b2"));
    await ex.tick();
    expect(node.sent).to.have.length(1); // nothing more
    expect(byKey(results.slice(2))).to.deep.equal({ [key(A[2])]: "skipped:RECHECK_FAILED", [key(A[1])]: "skipped:RECHECK_FAILED" });
  });

  it("refuses every item of a batch whose entry point the policy does not allow", () => {
    const { ex, results } = executor({ functions: ["liquidate(address,uint256,uint256)"] });
    ex.submit("liquidator", batch([A[0], A[1]]));
    expect(byKey(results)).to.deep.equal({ [key(A[0])]: "refused:POLICY_SELECTOR_NOT_ALLOWED", [key(A[1])]: "refused:POLICY_SELECTOR_NOT_ALLOWED" });
  });
});

describe("keepers signer/executor: hold after a confirmation (K-22)", () => {
  after(removeTempDirs);
  const HELD = `refused:${RECENTLY_CONFIRMED}`;

  /**
   * Submits `single(A[0])`, sends it and confirms it at the node's current head; the liquidation closed half the
   * short (-4 -> -2), so an intent built on the position before it (re-check expecting -4) is a stale repeat.
   */
  async function confirmOne(s: ReturnType<typeof executor>): Promise<void> {
    await s.ex.submit("liquidator", single(A[0]));
    await s.ex.tick();
    s.node.mine();
    s.node.position.set(A[0], -2n);
    await s.ex.tick();
    expect(s.journal.get(key(A[0]))?.state).to.equal("confirmed");
    s.results.length = 0;
  }

  it("refuses a confirmed key for confirmedHoldBlocks blocks, writing nothing, then accepts it again", async () => {
    const s = executor();
    expect(validateConfig(merge(testConfig({ rpcUrls: ["http://127.0.0.1:8545"], dataDir: "/tmp/d", target: LIQ }), {}), "/tmp/k.json").signer.confirmedHoldBlocks).to.equal(3);
    await confirmOne(s); // recorded at head 10: held for heads 10, 11, 12
    const confirmed = s.journal.get(key(A[0]))!;
    expect(confirmed.confirmedAtBlock).to.equal("10");

    for (const head of [10n, 11n, 12n]) {
      s.node.chain.head = head;
      await s.ex.submit("liquidator", single(A[0], `again-${head}`));
      expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: HELD });
      expect(s.results[0].reason).to.contain("accepted from block 13");
      s.results.length = 0;
    }
    // Nothing written: the journal's snapshot of the key is still the confirmed liquidation.
    expect(s.journal.get(key(A[0]))).to.deep.equal(confirmed);
    expect(s.journal.pending()).to.have.length(0);

    s.node.chain.head = 13n; // the hold has passed: a new action for the same key (a further close) is accepted
    await s.ex.submit("liquidator", single(A[0], "later"));
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: "accepted" });
    expect(s.journal.get(key(A[0]))?.state).to.equal("proposed");
    expect(s.node.sent).to.have.length(1);
  });

  it("accepts at once, inside the hold, a new action whose re-check holds on the chain now (a further partial close)", async () => {
    const s = executor();
    await confirmOne(s);
    await s.ex.submit("liquidator", single(A[0], "stale")); // built on the position before the liquidation
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: HELD });
    s.results.length = 0;
    await s.ex.submit("liquidator", single(A[0], "further", -2n)); // built on the position after it
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: "accepted" });
    expect(s.journal.get(key(A[0]))?.state).to.equal("proposed");
    // An intent without a re-check cannot be told from a stale repeat: refused inside the hold.
    await s.ex.tick();
    s.node.mine();
    await s.ex.tick();
    s.results.length = 0;
    const { recheck: _dropped, ...bare } = single(A[0], "bare", -2n);
    void _dropped;
    await s.ex.submit("liquidator", intentSchema.parse(bare));
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: HELD });
  });

  it("reads the head before refusing: a hold that ended since the last tick accepts at once", async () => {
    const s = executor();
    await confirmOne(s);
    s.node.chain.head = 20n; // no tick since: the executor's cached head is still 10
    await s.ex.submit("liquidator", single(A[0], "after"));
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: "accepted" });
  });

  it("refuses while the head cannot be read (an unknown head is held), other keys unaffected", async () => {
    const s = executor();
    await confirmOne(s);
    s.node.chain.head = 20n;
    s.node.chain.headDown = true; // the cached head (10) is all the executor knows
    await s.ex.submit("liquidator", single(A[0], "blind"));
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: HELD });
    s.results.length = 0;
    await s.ex.submit("liquidator", single(A[1]));
    expect(byKey(s.results)).to.deep.equal({ [key(A[1])]: "accepted" });
  });

  it("counts the hold from the head at which the confirmation was recorded, not from the receipt's block", async () => {
    const s = executor();
    await s.ex.submit("liquidator", single(A[0]));
    await s.ex.tick();
    s.node.mine(); // included at block 10
    s.node.position.set(A[0], -2n); // the liquidation closed half the short
    s.node.chain.head = 50n; // but seen only at head 50 (a signer down in between)
    await s.ex.tick();
    expect(s.journal.get(key(A[0]))?.receipt?.blockNumber).to.equal("10");
    expect(s.journal.get(key(A[0]))?.confirmedAtBlock).to.equal("50");
    s.results.length = 0;
    await s.ex.submit("liquidator", single(A[0], "stale"));
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: HELD });
  });

  it("holds every item of a confirmed batch: a single on an item is refused, a batch naming one overlaps", async () => {
    const s = executor();
    await s.ex.submit("liquidator", batch([A[0], A[1]]));
    await s.ex.tick();
    s.node.mine();
    for (const a of [A[0], A[1]]) s.node.position.set(a, 0n); // both closed by the batch
    await s.ex.tick();
    s.results.length = 0;
    await s.ex.submit("liquidator", single(A[1]));
    expect(byKey(s.results)).to.deep.equal({ [key(A[1])]: HELD });
    s.results.length = 0;
    await s.ex.submit("liquidator", batch([A[2], A[1]], "b2"));
    expect(byKey(s.results)).to.deep.equal({ [key(A[1])]: HELD, [key(A[2])]: "refused:POLICY_BATCH_OVERLAP" });
    expect(s.journal.pending()).to.have.length(0);
  });

  it("keeps the hold across a journal replay: a restarted signer (head not read yet) refuses, then accepts after it", async () => {
    const dir = tempDir("hold");
    const node = fakeNode();
    const first = executor({ journal: Journal.open(dir), node });
    await confirmOne(first);
    await first.ex.stop(1_000);
    first.journal.close();

    const reopened = Journal.open(dir);
    expect(reopened.lastConfirmation(key(A[0]))).to.deep.equal({ block: 10n, by: key(A[0]) });
    const second = executor({ journal: reopened, node }); // no tick yet: its head is unknown until it reads it
    node.chain.head = 12n;
    await second.ex.submit("liquidator", single(A[0], "after-restart"));
    expect(byKey(second.results)).to.deep.equal({ [key(A[0])]: HELD });
    expect(reopened.get(key(A[0]))?.state).to.equal("confirmed");
    second.results.length = 0;
    node.chain.head = 13n;
    await second.ex.submit("liquidator", single(A[0], "after-hold"));
    expect(byKey(second.results)).to.deep.equal({ [key(A[0])]: "accepted" });
    await second.ex.stop(1_000);
    reopened.close();
  });

  it("with confirmedHoldBlocks 0 a confirmed key is accepted again at once", async () => {
    const s = executor({ holdBlocks: 0 });
    await confirmOne(s);
    await s.ex.submit("liquidator", single(A[0], "again"));
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: "accepted" });
  });

  it("does not hold a key whose transaction reverted", async () => {
    const s = executor();
    await s.ex.submit("liquidator", single(A[0]));
    await s.ex.tick();
    // A reverted receipt for the sent transaction.
    const rpc = s.node.rpc as unknown as { getTransactionReceipt: (h: string) => Promise<unknown> };
    rpc.getTransactionReceipt = async (hash: string) => ({ transactionHash: hash, blockNumber: 10n, status: 0, gasUsed: 500_000n, effectiveGasPrice: GWEI });
    await s.ex.tick();
    expect(s.journal.get(key(A[0]))?.state).to.equal("failed");
    s.results.length = 0;
    await s.ex.submit("liquidator", single(A[0], "retry"));
    expect(byKey(s.results)).to.deep.equal({ [key(A[0])]: "accepted" });
  });
});
