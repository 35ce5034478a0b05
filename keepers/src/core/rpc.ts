/**
 * A small JSON-RPC client over `fetch`: per-request timeout, typed errors, HTTP 429 back-off and
 * rotation across several endpoints. It is the only way the keeper talks to a node, so every failure
 * mode (down, slow, rate-limited, garbage) surfaces as an {@link RpcError} that callers catch; nothing
 * here throws anything else and nothing retries forever.
 *
 * @example
 * ```ts
 * const rpc = new RpcClient({ urls: ["http://127.0.0.1:8545"], timeoutMs: 5_000 });
 * const head = await rpc.blockNumber();
 * ```
 */
import { RpcError } from "./errors";

export type BlockTag = "latest" | "pending" | "earliest" | bigint;

export interface RpcClientOptions {
  /** Endpoints in order of preference; the client moves to the next one when the current one fails. */
  readonly urls: readonly string[];
  /** Per-request timeout. */
  readonly timeoutMs: number;
  /** Longest Retry-After honoured after an HTTP 429 (longer values are clamped). */
  readonly maxRetryAfterMs?: number;
  /** Called when the client switches endpoint. */
  readonly onRotate?: (from: string, to: string, reason: string) => void;
  /** Called on every failed request (for metrics). */
  readonly onError?: (err: RpcError) => void;
}

/** The fields of a block the keeper uses. */
export interface BlockHeader {
  number: bigint;
  hash: string;
  timestamp: bigint;
  baseFeePerGas: bigint | null;
}

/** The fields of a receipt the keeper uses. */
export interface TxReceipt {
  transactionHash: string;
  blockNumber: bigint;
  status: 0 | 1;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
}

export interface LogEntry {
  address: string;
  topics: string[];
  data: string;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: string;
}

export interface CallRequest {
  from?: string;
  to: string;
  data: string;
  value?: bigint;
  gas?: bigint;
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;
const tag = (t: BlockTag): string => (typeof t === "bigint" ? hex(t) : t);

export class RpcClient {
  private readonly urls: readonly string[];
  private readonly timeoutMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly onRotate?: RpcClientOptions["onRotate"];
  private readonly onError?: RpcClientOptions["onError"];
  private index = 0;
  private nextId = 1;
  /** Per endpoint: do not call before this time (set by HTTP 429). */
  private readonly coolUntil = new Map<string, number>();

  constructor(options: RpcClientOptions) {
    if (options.urls.length === 0) throw new Error("RpcClient needs at least one URL");
    this.urls = options.urls;
    this.timeoutMs = options.timeoutMs;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
    this.onRotate = options.onRotate;
    this.onError = options.onError;
  }

  /** The endpoint requests go to now. */
  get endpoint(): string {
    return this.urls[this.index];
  }

  /** Moves to the next endpoint (no-op with a single endpoint). */
  rotate(reason: string): void {
    if (this.urls.length < 2) return;
    const from = this.endpoint;
    this.index = (this.index + 1) % this.urls.length;
    this.onRotate?.(from, this.endpoint, reason);
  }

  /**
   * Sends one request. A transient failure (transport, timeout, 429, bad response) moves to the next
   * endpoint and tries again, at most once per endpoint; a JSON-RPC error from the node is returned as is.
   * @throws RpcError
   */
  async request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    let last: RpcError | undefined;
    for (let attempt = 0; attempt < this.urls.length; attempt++) {
      try {
        return (await this.requestOnce(this.endpoint, method, params)) as T;
      } catch (err) {
        const e = err as RpcError;
        this.onError?.(e);
        if (!e.transient) throw e;
        last = e;
        this.rotate(`${e.code} on ${method}`);
      }
    }
    throw last as RpcError;
  }

  private async requestOnce(url: string, method: string, params: unknown[]): Promise<unknown> {
    const fields = { method, endpoint: redact(url) };
    const cool = this.coolUntil.get(url) ?? 0;
    if (Date.now() < cool) {
      throw new RpcError("RPC_RATE_LIMITED", `Endpoint is cooling down after HTTP 429`, { ...fields, retryAfterMs: cool - Date.now() });
    }
    const body = JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params });
    const send = () =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    let res: Response;
    try {
      try {
        res = await send();
      } catch (err) {
        // A pooled keep-alive connection the node had already closed fails before any answer: a read is sent
        // again once on a fresh connection. A raw transaction is not (the executor owns resending it).
        if (!socketClosed(err) || method === "eth_sendRawTransaction") throw err;
        res = await send();
      }
    } catch (err) {
      const name = (err as Error).name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new RpcError("RPC_TIMEOUT", `${method} timed out after ${this.timeoutMs} ms`, fields, { cause: err });
      }
      throw new RpcError("RPC_UNREACHABLE", `${method}: endpoint unreachable`, fields, {
        details: causeMessage(err),
        cause: err,
      });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      const name = (err as Error).name;
      const code = name === "TimeoutError" || name === "AbortError" ? "RPC_TIMEOUT" : "RPC_UNREACHABLE";
      throw new RpcError(code, `${method}: response body failed`, fields, { details: causeMessage(err), cause: err });
    }
    if (res.status === 429) {
      const retryAfterMs = Math.min(this.maxRetryAfterMs, parseRetryAfter(res.headers.get("retry-after")));
      this.coolUntil.set(url, Date.now() + retryAfterMs);
      throw new RpcError("RPC_RATE_LIMITED", `${method}: rate limited (HTTP 429)`, { ...fields, retryAfterMs }, {
        hint: "Lower the request rate (rpc.pollIntervalMs) or add another endpoint to rpc.urls.",
      });
    }
    if (!res.ok) {
      throw new RpcError("RPC_HTTP", `${method}: HTTP ${res.status}`, fields, { details: text.slice(0, 200) });
    }
    let json: { result?: unknown; error?: { code?: number; message?: string; data?: unknown } };
    try {
      json = JSON.parse(text);
    } catch {
      throw new RpcError("RPC_BAD_RESPONSE", `${method}: response is not JSON`, fields, { details: text.slice(0, 200) });
    }
    if (json === null || typeof json !== "object") {
      throw new RpcError("RPC_BAD_RESPONSE", `${method}: response is not a JSON-RPC object`, fields);
    }
    if (json.error) {
      throw new RpcError(
        "RPC_ERROR",
        `${method}: ${String(json.error.message ?? "error").slice(0, 300)}`,
        { ...fields, rpcCode: json.error.code, rpcData: json.error.data },
      );
    }
    if (!("result" in json)) throw new RpcError("RPC_BAD_RESPONSE", `${method}: response has no result`, fields);
    return json.result;
  }

  /* ------------------------------------------------------------------ TYPED HELPERS */

  async chainId(): Promise<bigint> {
    return BigInt(await this.request<string>("eth_chainId"));
  }

  async blockNumber(): Promise<bigint> {
    return BigInt(await this.request<string>("eth_blockNumber"));
  }

  /** @throws RpcError (RPC_BAD_RESPONSE when the node has no such block) */
  async getBlock(blockTag: BlockTag = "latest"): Promise<BlockHeader> {
    const b = await this.request<Record<string, string> | null>("eth_getBlockByNumber", [tag(blockTag), false]);
    if (!b || typeof b.number !== "string") {
      throw new RpcError("RPC_BAD_RESPONSE", `eth_getBlockByNumber(${tag(blockTag)}) returned no block`, {
        method: "eth_getBlockByNumber",
        endpoint: redact(this.endpoint),
      });
    }
    return {
      number: BigInt(b.number),
      hash: b.hash,
      timestamp: BigInt(b.timestamp),
      baseFeePerGas: b.baseFeePerGas ? BigInt(b.baseFeePerGas) : null,
    };
  }

  async call(req: CallRequest, blockTag: BlockTag = "latest"): Promise<string> {
    return this.request<string>("eth_call", [callObject(req), tag(blockTag)]);
  }

  async estimateGas(req: CallRequest): Promise<bigint> {
    return BigInt(await this.request<string>("eth_estimateGas", [callObject(req)]));
  }

  async getCode(address: string, blockTag: BlockTag = "latest"): Promise<string> {
    return this.request<string>("eth_getCode", [address, tag(blockTag)]);
  }

  async getTransactionCount(address: string, blockTag: BlockTag = "latest"): Promise<bigint> {
    return BigInt(await this.request<string>("eth_getTransactionCount", [address, tag(blockTag)]));
  }

  async getBalance(address: string, blockTag: BlockTag = "latest"): Promise<bigint> {
    return BigInt(await this.request<string>("eth_getBalance", [address, tag(blockTag)]));
  }

  async sendRawTransaction(raw: string): Promise<string> {
    return this.request<string>("eth_sendRawTransaction", [raw]);
  }

  async getTransactionReceipt(hash: string): Promise<TxReceipt | null> {
    const r = await this.request<Record<string, string> | null>("eth_getTransactionReceipt", [hash]);
    if (!r || !r.blockNumber) return null;
    return {
      transactionHash: r.transactionHash,
      blockNumber: BigInt(r.blockNumber),
      status: BigInt(r.status) === 1n ? 1 : 0,
      gasUsed: BigInt(r.gasUsed),
      effectiveGasPrice: BigInt(r.effectiveGasPrice ?? "0x0"),
    };
  }

  async getLogs(filter: { address: string; topics?: (string | string[] | null)[]; fromBlock: bigint; toBlock: bigint }): Promise<LogEntry[]> {
    const logs = await this.request<Record<string, unknown>[]>("eth_getLogs", [
      { address: filter.address, topics: filter.topics, fromBlock: hex(filter.fromBlock), toBlock: hex(filter.toBlock) },
    ]);
    return logs.map((l) => ({
      address: String(l.address),
      topics: l.topics as string[],
      data: String(l.data),
      blockNumber: BigInt(String(l.blockNumber)),
      logIndex: Number(BigInt(String(l.logIndex))),
      transactionHash: String(l.transactionHash),
    }));
  }
}

function callObject(req: CallRequest): Record<string, string> {
  const o: Record<string, string> = { to: req.to, data: req.data };
  if (req.from) o.from = req.from;
  if (req.value !== undefined) o.value = hex(req.value);
  if (req.gas !== undefined) o.gas = hex(req.gas);
  return o;
}

function parseRetryAfter(value: string | null): number {
  if (!value) return 1_000;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.max(100, secs * 1_000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(100, date - Date.now()) : 1_000;
}

/** True when a fetch failed because the connection was reset or closed by the other side. */
function socketClosed(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (!cause) return false;
  if (cause.code === "ECONNRESET" || cause.code === "UND_ERR_SOCKET" || cause.code === "EPIPE") return true;
  return typeof cause.message === "string" && cause.message.includes("other side closed");
}

function causeMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e.message, e.cause?.code ?? e.cause?.message].filter(Boolean).join(": ");
}

/** Endpoint for logs: credentials and API keys in paths or queries are hidden. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    const pathHint = u.pathname.length > 1 ? "/…" : "";
    return `${u.protocol}//${u.host}${pathHint}`;
  } catch {
    return "(invalid url)";
  }
}

/** The revert data (0x…) carried by a JSON-RPC error, if any. Nodes put it in different places. */
export function revertData(err: unknown): string | undefined {
  if (!(err instanceof RpcError)) return undefined;
  const d = err.rpcData as unknown;
  if (typeof d === "string" && d.startsWith("0x")) return d;
  if (d && typeof d === "object") {
    const inner = (d as { data?: unknown }).data;
    if (typeof inner === "string" && inner.startsWith("0x")) return inner;
  }
  return undefined;
}
