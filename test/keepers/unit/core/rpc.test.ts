import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { RpcError } from "../../../../keepers/src/core/errors";
import { RpcClient } from "../../../../keepers/src/core/rpc";

type Handler = (body: { method: string; id: number }, res: http.ServerResponse) => void;

async function server(handler: Handler): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const srv = http.createServer(async (req, res) => {
    hits += 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    handler(JSON.parse(Buffer.concat(chunks).toString()), res);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

const ok = (result: unknown): Handler => (b, res) => res.end(JSON.stringify({ jsonrpc: "2.0", id: b.id, result }));

async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(RpcError);
    return err as RpcError;
  }
  throw new Error("no error");
}

describe("keepers core/rpc", () => {
  it("returns results and surfaces node errors with their code, without retrying them", async () => {
    const s = await server((b, res) =>
      b.method === "eth_call"
        ? res.end(JSON.stringify({ jsonrpc: "2.0", id: b.id, error: { code: 3, message: "execution reverted", data: "0x1234" } }))
        : ok("0x2a")(b, res),
    );
    const rpc = new RpcClient({ urls: [s.url], timeoutMs: 1_000 });
    expect(await rpc.blockNumber()).to.equal(42n);
    const e = await rpcError(rpc.call({ to: "0x0000000000000000000000000000000000000001", data: "0x" }));
    expect(e.code).to.equal("RPC_ERROR");
    expect(e.rpcCode).to.equal(3);
    expect(e.transient).to.equal(false);
    await s.close();
  });

  it("times out a slow endpoint", async () => {
    const s = await server((b, res) => setTimeout(() => ok("0x1")(b, res), 500));
    const e = await rpcError(new RpcClient({ urls: [s.url], timeoutMs: 100 }).blockNumber());
    expect(e.code).to.equal("RPC_TIMEOUT");
    await s.close();
  });

  it("after HTTP 429 it stops calling that endpoint until Retry-After has passed", async () => {
    const s = await server((_b, res) => res.writeHead(429, { "retry-after": "1" }).end());
    const rpc = new RpcClient({ urls: [s.url], timeoutMs: 1_000 });
    const first = await rpcError(rpc.blockNumber());
    expect(first.code).to.equal("RPC_RATE_LIMITED");
    for (let i = 0; i < 5; i++) expect((await rpcError(rpc.blockNumber())).code).to.equal("RPC_RATE_LIMITED");
    expect(s.hits()).to.equal(1);
    await s.close();
  });

  it("rotates to the next endpoint on a transport failure and answers from it", async () => {
    const good = await server(ok("0x7"));
    const rotations: string[] = [];
    const rpc = new RpcClient({ urls: ["http://127.0.0.1:1", good.url], timeoutMs: 1_000, onRotate: (_f, _t, r) => rotations.push(r) });
    expect(await rpc.blockNumber()).to.equal(7n);
    expect(rotations).to.have.length(1);
    expect(rpc.endpoint).to.equal(good.url);
    await good.close();
  });

  it("reports a non-JSON body as a bad response", async () => {
    const s = await server((_b, res) => res.end("<html>gateway</html>"));
    expect((await rpcError(new RpcClient({ urls: [s.url], timeoutMs: 1_000 }).blockNumber())).code).to.equal("RPC_BAD_RESPONSE");
    await s.close();
  });
  it("sends a read again once when the connection is reset before an answer; never a raw transaction", async () => {
    let resets = 0;
    const s = await server((b, res) => {
      if (resets < 1 || b.method === "eth_sendRawTransaction") {
        resets += 1;
        res.socket?.destroy();
        return;
      }
      ok("0x9")(b, res);
    });
    const rpc = new RpcClient({ urls: [s.url], timeoutMs: 1_000 });
    expect(await rpc.blockNumber()).to.equal(9n);
    expect(s.hits()).to.equal(2);

    const e = await rpcError(rpc.request("eth_sendRawTransaction", ["0x00"]));
    expect(e.code).to.equal("RPC_UNREACHABLE");
    expect(s.hits()).to.equal(3);
    await s.close();
  });
});
