import hre from "hardhat";
import { Interface, type ErrorFragment } from "ethers";
import { Profile, now, msSince, type ChainPhase } from "./profile";

/** A decoded revert: a custom error with its arguments, a panic code, a string reason, or raw bytes. */
export interface Revert {
  kind: "custom" | "panic" | "string" | "raw";
  name: string;
  args: readonly unknown[];
  data: string;
}

export type TxResult = { ok: true } | { ok: false; revert: Revert };

const GAS = "0xf42400"; // 16M (the transaction gas cap): never estimate gas on the hot path
/**
 * Explicit EIP-1559 fees (10 gwei cap, no tip): without them Hardhat's gas-price wrapper asks the node for a fee
 * suggestion on every send. The cap stays above the base fee (1 gwei at genesis, falling while blocks stay below
 * their gas target), and 16M gas x 10 gwei is far below every sender's ether balance.
 */
const MAX_FEE = "0x2540be400";
const TIP = "0x0";

/**
 * A thin, allocation-light driver of the in-process Hardhat network: raw `eth_sendTransaction` and `eth_call`
 * through `hre.network.provider.request`, explicit gas, fees and nonces (no estimateGas, fee or nonce lookups per
 * send), explicit block timestamps and snapshot/revert. No ethers Contract on the hot path; calldata is encoded by
 * the caller with a shared `Interface`. Every request is timed into `profile` under its phase.
 */
export class Chain {
  private readonly provider = hre.network.provider;
  readonly profile = new Profile();
  /**
   * Transactions submitted so far. Measured on this node: every `eth_sendTransaction` (mined or reverted) consumes one
   * snapshot id, so the campaign counts them to tell its own ids from another suite's (campaign.ts `world`).
   */
  sent = 0;
  /**
   * Next nonce per sender, kept here: every send is mined at once (automine), reverted or not, so each one uses its
   * sender's nonce. Cleared by `revert` (the chain's nonces go back with it) and re-read once per sender after that.
   * A wrong nonce would make the node refuse the send with an error, never pass silently.
   */
  private readonly nonces = new Map<string, number>();
  private readonly errors = new Map<string, ErrorFragment>();
  private readonly coder: Interface;

  constructor(abis: Interface[]) {
    const fragments: ErrorFragment[] = [];
    for (const abi of abis) {
      abi.forEachError((e) => {
        if (!this.errors.has(e.selector)) {
          this.errors.set(e.selector, e);
          fragments.push(e);
        }
      });
    }
    this.coder = new Interface(fragments);
  }

  private async request(phase: ChainPhase, method: string, params: unknown[]): Promise<unknown> {
    const t0 = now();
    try {
      return await this.provider.request({ method, params });
    } finally {
      this.profile.add(phase, msSince(t0));
    }
  }

  private async nonce(from: string): Promise<number> {
    let n = this.nonces.get(from);
    if (n === undefined) {
      n = Number(BigInt((await this.request("nonce", "eth_getTransactionCount", [from, "latest"])) as string));
    }
    this.nonces.set(from, n + 1);
    return n;
  }

  /** Sends a transaction mined in its own block at `timestamp`. */
  async send(from: string, to: string, data: string, timestamp: bigint): Promise<TxResult> {
    await this.request("blockTime", "evm_setNextBlockTimestamp", [Number(timestamp)]);
    const nonce = "0x" + (await this.nonce(from)).toString(16);
    this.sent++;
    const t0 = now();
    try {
      await this.provider.request({
        method: "eth_sendTransaction",
        params: [{ from, to, data, gas: GAS, maxFeePerGas: MAX_FEE, maxPriorityFeePerGas: TIP, nonce }],
      });
      this.profile.add("tx:ok", msSince(t0));
      return { ok: true };
    } catch (e) {
      const data = (e as { data?: unknown }).data;
      if (typeof data !== "string") {
        // Not a revert (the node refused the request): the nonce was not used.
        this.nonces.delete(from);
        throw e;
      }
      const revert = this.decode(data);
      this.profile.add("tx:reverted", msSince(t0));
      return { ok: false, revert };
    }
  }

  /** Mines an empty block at `timestamp`. */
  async mine(timestamp: bigint): Promise<void> {
    await this.request("mine", "evm_mine", [Number(timestamp)]);
  }

  /** `eth_call` of the state lens at the latest block. */
  async read(to: string, data: string): Promise<string> {
    return (await this.request("read", "eth_call", [{ to, data }, "latest"])) as string;
  }

  /** Any other `eth_call` at the latest block. */
  async call(to: string, data: string): Promise<string> {
    return (await this.request("call", "eth_call", [{ to, data }, "latest"])) as string;
  }

  async snapshot(): Promise<string> {
    return (await this.request("snapshot", "evm_snapshot", [])) as string;
  }

  async revert(id: string): Promise<void> {
    const ok = await this.request("snapshot", "evm_revert", [id]);
    if (ok !== true) throw new Error(`evm_revert(${id}) failed`);
    this.nonces.clear();
  }

  async latestTimestamp(): Promise<bigint> {
    const block = (await this.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
      timestamp: string;
    };
    return BigInt(block.timestamp);
  }

  decode(data: string): Revert {
    const selector = data.slice(0, 10);
    if (selector === "0x4e487b71") {
      return { kind: "panic", name: "Panic", args: [BigInt("0x" + data.slice(10))], data };
    }
    if (selector === "0x08c379a0") {
      const [reason] = this.coder.getAbiCoder().decode(["string"], "0x" + data.slice(10));
      return { kind: "string", name: "Error", args: [reason], data };
    }
    const fragment = this.errors.get(selector);
    if (!fragment) return { kind: "raw", name: data === "0x" ? "EmptyRevert" : `Unknown(${selector})`, args: [], data };
    const args = this.coder.decodeErrorResult(fragment, data);
    return { kind: "custom", name: fragment.name, args: [...args], data };
  }
}
