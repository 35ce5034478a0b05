/**
 * Many real MarginEngine accounts on a test node, fast: deterministic addresses, impersonated and funded
 * through Hardhat's RPC, every transaction sent as JSON-RPC batches with automine off and mined in big
 * blocks. Each account is credited by a funder (`deposit(account, amount)`) and trades itself through the
 * OptionMarket, so the engine's lens list, positions and margin are exactly what real users produce.
 */
import { getAddress, type Interface } from "ethers";

export interface RpcBatchClient {
  url: string;
}

let nextId = 1;

/** Sends `calls` as JSON-RPC batches of `size`; throws on the first error. */
export async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[], size = 500): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < calls.length; i += size) {
    const body = calls.slice(i, i + size).map((c) => ({ jsonrpc: "2.0", id: nextId++, method: c.method, params: c.params }));
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(600_000) });
    const json = (await res.json()) as { id: number; result?: unknown; error?: { message: string } }[];
    const byId = new Map(json.map((r) => [r.id, r]));
    for (const req of body) {
      const r = byId.get(req.id);
      if (!r || r.error) throw new Error(`${req.method}: ${r?.error?.message ?? "no response"}`);
      out.push(r.result);
    }
  }
  return out;
}

/** The i-th benchmark account: a plain address well above the precompiles. */
export function populationAccount(i: number): string {
  return getAddress("0x" + (0xb0_0000_0000n + BigInt(i)).toString(16).padStart(40, "0"));
}

const hex = (n: bigint) => `0x${n.toString(16)}`;

/** Impersonates and funds `accounts` with 1 ETH each. */
export async function impersonate(url: string, accounts: string[]): Promise<void> {
  await rpcBatch(url, accounts.flatMap((a) => [
    { method: "hardhat_impersonateAccount", params: [a] },
    { method: "hardhat_setBalance", params: [a, hex(10n ** 18n)] },
  ]));
}

export interface PendingTx {
  from: string;
  to: string;
  data: string;
  gas?: bigint;
}

/** Sends `txs` with automine off, then mines until the pool is empty; returns the receipts' statuses. */
export async function sendAndMine(url: string, txs: PendingTx[], blockGasLimit: bigint): Promise<{ ok: number; failed: number }> {
  await rpcBatch(url, [{ method: "evm_setAutomine", params: [false] }, { method: "evm_setIntervalMining", params: [0] }, { method: "evm_setBlockGasLimit", params: [hex(blockGasLimit)] }]);
  if (process.env.BENCH_DEBUG) console.error(new Date().toISOString(), "send", txs.length);
  const hashes = (await rpcBatch(
    url,
    txs.map((t) => ({ method: "eth_sendTransaction", params: [{ from: t.from, to: t.to, data: t.data, gas: hex(t.gas ?? 1_500_000n) }] })),
    250,
  )) as string[];
  for (;;) {
    if (process.env.BENCH_DEBUG) console.error(new Date().toISOString(), "mine");
    await rpcBatch(url, [{ method: "evm_mine", params: [] }]);
    const pending = (await rpcBatch(url, [{ method: "eth_getBlockByNumber", params: ["pending", false] }]))[0] as { transactions: string[] };
    if (pending.transactions.length === 0) break;
  }
  await rpcBatch(url, [{ method: "evm_setAutomine", params: [true] }]);
  const receipts = (await rpcBatch(url, hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })), 500)) as { status: string }[];
  const ok = receipts.filter((r) => r?.status === "0x1").length;
  return { ok, failed: receipts.length - ok };
}

export function call(iface: Interface, name: string, args: unknown[]): string {
  return iface.encodeFunctionData(name, args);
}
