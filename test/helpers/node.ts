/**
 * A local `hardhat node` on 127.0.0.1 and a free port, started and stopped by the test (a separate
 * process, not the in-process network: the keeper under test talks to it over HTTP like to any node).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { killGroup, track, waitFor } from "./processes";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function rpcCall<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await res.json()) as { result?: T; error?: { message: string } };
  if (json.error) throw new Error(`${method}: ${json.error.message}`);
  return json.result as T;
}

export class HardhatNode {
  readonly url: string;
  private readonly child: ChildProcess;
  output = "";

  private constructor(url: string, child: ChildProcess) {
    this.url = url;
    this.child = child;
    child.stdout?.on("data", (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    child.stderr?.on("data", (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
  }

  /**
   * Starts `hardhat node --hostname 127.0.0.1 --port <free>` and waits until it answers (≤ 60 s).
   * `chainId` other than 31337 makes the node look like a real network to the deployment's safety checks.
   */
  static async start(options: { chainId?: number } = {}): Promise<HardhatNode> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("HARDHAT_") && !k.startsWith("BULWARK_")) env[k] = v;
    if (options.chainId !== undefined) env.BULWARK_CHAIN_ID = String(options.chainId);
    const cli = require.resolve("hardhat/internal/cli/cli", { paths: [REPO_ROOT] });
    const child = track(
      spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
        cwd: REPO_ROOT,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      }),
    );
    const node = new HardhatNode(`http://127.0.0.1:${port}`, child);
    try {
      await waitFor("hardhat node to answer", () => rpcCall(node.url, "eth_chainId").then(() => true), 60_000, 200);
    } catch (err) {
      node.stop();
      throw new Error(`${String(err)}\n${node.output}`);
    }
    return node;
  }

  rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return rpcCall<T>(this.url, method, params);
  }

  async setAutomine(on: boolean): Promise<void> {
    await this.rpc("evm_setAutomine", [on]);
  }

  /** 0 turns interval mining off. */
  async setIntervalMining(ms: number): Promise<void> {
    await this.rpc("evm_setIntervalMining", [ms]);
  }

  async mine(blocks = 1): Promise<void> {
    for (let i = 0; i < blocks; i++) await this.rpc("evm_mine");
  }

  async setNextBaseFee(wei: bigint): Promise<void> {
    await this.rpc("hardhat_setNextBlockBaseFeePerGas", [`0x${wei.toString(16)}`]);
  }

  async setBalance(address: string, wei: bigint): Promise<void> {
    await this.rpc("hardhat_setBalance", [address, `0x${wei.toString(16)}`]);
  }

  async nonceOf(address: string): Promise<number> {
    return Number(BigInt(await this.rpc<string>("eth_getTransactionCount", [address, "latest"])));
  }

  stop(): void {
    killGroup(this.child);
  }
}
