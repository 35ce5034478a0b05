import { expect } from "chai";
import { AbiCoder, keccak256, Wallet } from "ethers";
import { LIQUIDATE_MANY_SIGNATURE, validateConfig } from "../../../../keepers/src/core/config";
import { Journal } from "../../../../keepers/src/core/journal";
import { Logger } from "../../../../keepers/src/core/logger";
import { intentSchema, type Intent } from "../../../../keepers/src/core/messages";
import type { RpcClient } from "../../../../keepers/src/core/rpc";
import { Executor, type ExecutorResult } from "../../../../keepers/src/signer/executor";
import { Policy, SpendBudget } from "../../../../keepers/src/signer/policy";
import { batchLiquidations, LIQUIDATION_ENGINE } from "../../../../keepers/src/strategies/liquidator/liquidation-engine";
import { ENGINE } from "../../../../keepers/src/protocol/abi";
import { merge, testConfig } from "../../helpers/keeper";

const LIQ = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const ENGINE_ADDR = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const GWEI = 10n ** 9n;
const coder = AbiCoder.defaultAbiCoder();
const A = ["0x00000000000000000000000000000000000000a1", "0x00000000000000000000000000000000000000a2", "0x00000000000000000000000000000000000000a3"];
const key = (a: string, series = "2") => `liquidate:${a}:${series}`;

/** A fake node: positions answer the re-checks, sent transactions get a receipt when `mine()` is called. */
function fakeNode() {
  const position = new Map<string, bigint>(A.map((a) => [a, -4n]));
  const sent: string[] = [];
  const mined = new Set<string>();
  let nonce = 0;
  const rpc = {
    getBlock: async () => ({ number: 10n, hash: "0x01", timestamp: 1_000n, baseFeePerGas: GWEI }),
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
      mined.has(hash) ? { transactionHash: hash, blockNumber: 10n, status: 1 as const, gasUsed: 500_000n, effectiveGasPrice: GWEI } : null,
  } as unknown as RpcClient;
  const mine = () => {
    for (const raw of sent) mined.add(keccak256(raw));
    nonce = sent.length;
  };
  return { rpc, position, sent, mine };
}

function executor(functions = ["liquidate(address,uint256,uint256)", LIQUIDATE_MANY_SIGNATURE]) {
  const node = fakeNode();
  const raw = merge(testConfig({ rpcUrls: ["http://127.0.0.1:8545"], dataDir: "/tmp/d", target: LIQ }), {
    signer: { gas: { maxGasPerTx: 3_000_000 } },
    strategies: { liquidator: { policy: { allow: [{ contract: LIQ, functions }], maxIntentsPerMinute: 120 } } },
  });
  const config = validateConfig(raw, "/tmp/keeper.json");
  const results: ExecutorResult[] = [];
  const ex = new Executor({
    rpc: node.rpc,
    wallet: Wallet.createRandom() as unknown as Wallet,
    journal: Journal.inMemory(),
    policy: new Policy(config),
    budget: new SpendBudget(10n ** 18n),
    chainId: 31337n,
    fees: { priorityFee: GWEI, maxPriorityFeePerGas: 3n * GWEI, maxFeePerGas: 50n * GWEI, baseFeeMultiplier: 2, bumpPercent: 20 },
    maxGasPerTx: 3_000_000n,
    estimateMarginPercent: 20,
    maxPendingTxs: 4,
    confirmations: 1,
    recheckBlockTag: "latest",
    replaceAfterMs: 60_000,
    maxReplacements: 3,
    dryRun: false,
    logger: new Logger({ chain: 31337, component: "signer", level: "error", sink: () => undefined }),
    onResult: (_strategy, r) => results.push(r),
    onTx: () => undefined,
  });
  return { ex, node, results };
}

/** The liquidator's single intent for `account` (series 2, amount 4), re-checked by its position. */
function single(account: string, id = `s-${account}`): Intent {
  return intentSchema.parse({
    id,
    action: "liquidate",
    account,
    series: "2",
    to: LIQ,
    data: LIQUIDATION_ENGINE.encodeFunctionData("liquidate", [account, 2n, 4n]),
    recheck: { to: ENGINE_ADDR, data: ENGINE.encodeFunctionData("positionOf", [account, 2n]), expect: coder.encode(["int256"], [-4n]) },
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
    results.length = 0;
    ex.submit("liquidator", single(A[1]));
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
    ex.submit("liquidator", batch([A[2], A[1]], "b2"));
    await ex.tick();
    expect(node.sent).to.have.length(1); // nothing more
    expect(byKey(results.slice(2))).to.deep.equal({ [key(A[2])]: "skipped:RECHECK_FAILED", [key(A[1])]: "skipped:RECHECK_FAILED" });
  });

  it("refuses every item of a batch whose entry point the policy does not allow", () => {
    const { ex, results } = executor(["liquidate(address,uint256,uint256)"]);
    ex.submit("liquidator", batch([A[0], A[1]]));
    expect(byKey(results)).to.deep.equal({ [key(A[0])]: "refused:POLICY_SELECTOR_NOT_ALLOWED", [key(A[1])]: "refused:POLICY_SELECTOR_NOT_ALLOWED" });
  });
});
