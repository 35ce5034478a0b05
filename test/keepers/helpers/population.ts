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
    const res = await postWithRetry(url, JSON.stringify(body));
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

/**
 * POST with one retry when the node closed an idle keep-alive socket as the request went out ("other
 * side closed": the request never reached it).
 */
async function postWithRetry(url: string, body: string): Promise<Response> {
  try {
    return await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(600_000) });
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw err;
    return fetch(url, { method: "POST", headers: { "content-type": "application/json", connection: "close" }, body, signal: AbortSignal.timeout(600_000) });
  }
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

/**
 * Sends `txs` with automine off in chunks of `chunk`, mining each chunk until every one of its receipts
 * exists (a small mempool keeps the node's memory flat); returns how many succeeded and reverted.
 */
export async function sendAndMine(url: string, txs: PendingTx[], blockGasLimit: bigint, chunk = 200): Promise<{ ok: number; failed: number }> {
  await rpcBatch(url, [{ method: "evm_setAutomine", params: [false] }, { method: "evm_setIntervalMining", params: [0] }, { method: "evm_setBlockGasLimit", params: [hex(blockGasLimit)] }]);
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < txs.length; i += chunk) {
    const part = txs.slice(i, i + chunk);
    const hashes = (await rpcBatch(url, part.map((t) => ({ method: "eth_sendTransaction", params: [{ from: t.from, to: t.to, data: t.data, gas: hex(t.gas ?? 1_500_000n) }] })), chunk)) as string[];
    for (let guard = 0; ; guard++) {
      await rpcBatch(url, [{ method: "evm_mine", params: [] }]);
      const receipts = (await rpcBatch(url, hashes.map((h) => ({ method: "eth_getTransactionReceipt", params: [h] })), chunk)) as ({ status: string } | null)[];
      if (receipts.every((r) => r !== null)) {
        ok += receipts.filter((r) => r!.status === "0x1").length;
        failed += receipts.filter((r) => r!.status !== "0x1").length;
        break;
      }
      if (guard > 100) throw new Error("transactions not mined after 100 blocks");
    }
  }
  await rpcBatch(url, [{ method: "evm_setAutomine", params: [true] }]);
  return { ok, failed };
}

export function call(iface: Interface, name: string, args: unknown[]): string {
  return iface.encodeFunctionData(name, args);
}
