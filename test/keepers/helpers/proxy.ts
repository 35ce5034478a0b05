/**
 * A fault-injecting JSON-RPC proxy on 127.0.0.1: forwards to a node, and on demand goes down, slows
 * down, freezes the head, answers HTTP 429, or mishandles eth_sendRawTransaction (drop it while
 * answering with its hash, hold the request forever, forward it and never answer, or forward it and
 * go down at once so the sender never learns anything more). It records every
 * raw transaction it sees, so tests can assert on what the keeper tried to send.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { keccak256, Transaction } from "ethers";

export type SendRawMode = "forward" | "drop" | "hang" | "forward-then-hang" | "forward-then-down";

export interface Faults {
  /** Every connection is reset (RPC down). */
  down: boolean;
  /** Delay before forwarding (slow RPC). */
  delayMs: number;
  /** eth_blockNumber and eth_getBlockByNumber("latest") stuck at the block seen when set. */
  staleHead: boolean;
  /** Answer HTTP 429 with this Retry-After (seconds); 0 = off. */
  rateLimitRetryAfterSec: number;
  sendRaw: SendRawMode;
  /** Drop this many eth_sendRawTransaction calls (answering with the hash), then apply `sendRaw`. */
  dropNextSendRaw: number;
  /** Answer the next calls of `method` with a JSON-RPC error (`count` of them), then forward again. */
  errorNext: { method: string; count: number } | null;
}

export interface SeenTx {
  raw: string;
  hash: string;
  tx: Transaction;
  forwarded: boolean;
  at: number;
}

const DEFAULTS: Faults = { down: false, delayMs: 0, staleHead: false, rateLimitRetryAfterSec: 0, sendRaw: "forward", dropNextSendRaw: 0, errorNext: null };

interface RpcReq {
  jsonrpc: string;
  id: unknown;
  method: string;
  params?: unknown[];
}

export class FaultProxy {
  readonly faults: Faults = { ...DEFAULTS };
  readonly sent: SeenTx[] = [];
  /** Requests received, by method (including refused ones). */
  readonly counts = new Map<string, number>();
  /** Timestamps of every request received. */
  readonly arrivals: number[] = [];
  private frozenHead: string | null = null;
  private readonly held = new Set<http.ServerResponse>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly upstream: string,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<FaultProxy> {
    let proxy!: FaultProxy;
    const server = http.createServer((req, res) => void proxy.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    proxy = new FaultProxy(server, upstream, `http://127.0.0.1:${port}`);
    server.on("connection", (s) => {
      proxy.sockets.add(s);
      s.on("close", () => proxy.sockets.delete(s));
      if (proxy.faults.down) s.destroy();
    });
    return proxy;
  }

  /** Back to a healthy proxy; held requests are dropped. */
  reset(): void {
    Object.assign(this.faults, DEFAULTS);
    this.frozenHead = null;
    this.releaseHeld();
  }

  async setStaleHead(on: boolean): Promise<void> {
    if (on) {
      const head = await this.forward({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] });
      this.frozenHead = (JSON.parse(head) as { result: string }).result;
    } else {
      this.frozenHead = null;
    }
    this.faults.staleHead = on;
  }

  setDown(on: boolean): void {
    this.faults.down = on;
    if (on) for (const s of this.sockets) s.destroy();
  }

  /** Destroys requests held by the "hang" modes. */
  releaseHeld(): void {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  count(method: string): number {
    return this.counts.get(method) ?? 0;
  }

  async close(): Promise<void> {
    this.releaseHeld();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.faults.down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let rpc: RpcReq;
    try {
      rpc = JSON.parse(body) as RpcReq;
    } catch {
      res.writeHead(400).end();
      return;
    }
    this.arrivals.push(Date.now());
    this.counts.set(rpc.method, (this.counts.get(rpc.method) ?? 0) + 1);
    if (this.faults.rateLimitRetryAfterSec > 0) {
      res.writeHead(429, { "retry-after": String(this.faults.rateLimitRetryAfterSec), "content-type": "text/plain" }).end("Too Many Requests");
      return;
    }
    const failing = this.faults.errorNext;
    if (failing && failing.method === rpc.method && failing.count > 0) {
      failing.count -= 1;
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ jsonrpc: "2.0", id: rpc.id, error: { code: -32603, message: "injected internal error" } }),
      );
      return;
    }
    if (this.faults.delayMs > 0) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    if (this.faults.down) {
      req.socket.destroy();
      return;
    }

    if (this.faults.staleHead && this.frozenHead !== null) {
      if (rpc.method === "eth_blockNumber") {
        this.reply(res, rpc.id, this.frozenHead);
        return;
      }
      if (rpc.method === "eth_getBlockByNumber" && rpc.params?.[0] === "latest") rpc.params[0] = this.frozenHead;
    }

    if (rpc.method === "eth_sendRawTransaction") {
      const raw = String(rpc.params?.[0]);
      const hash = keccak256(raw);
      const seen: SeenTx = { raw, hash, tx: Transaction.from(raw), forwarded: false, at: Date.now() };
      this.sent.push(seen);
      if (this.faults.dropNextSendRaw > 0) {
        this.faults.dropNextSendRaw -= 1;
        this.reply(res, rpc.id, hash);
        return;
      }
      if (this.faults.sendRaw === "drop") {
        this.reply(res, rpc.id, hash);
        return;
      }
      if (this.faults.sendRaw === "hang") {
        this.held.add(res);
        return;
      }
      seen.forwarded = true;
      if (this.faults.sendRaw === "forward-then-hang") {
        await this.forward(rpc).catch(() => undefined);
        this.held.add(res);
        return;
      }
      if (this.faults.sendRaw === "forward-then-down") {
        await this.forward(rpc).catch(() => undefined);
        this.setDown(true);
        req.socket.destroy();
        return;
      }
    }

    try {
      const text = await this.forward(rpc);
      res.writeHead(200, { "content-type": "application/json" }).end(text);
    } catch {
      req.socket.destroy();
    }
  }

  private reply(res: http.ServerResponse, id: unknown, result: unknown): void {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result }));
  }

  private async forward(rpc: RpcReq): Promise<string> {
    const r = await fetch(this.upstream, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(rpc),
      signal: AbortSignal.timeout(30_000),
    });
    return r.text();
  }
}
