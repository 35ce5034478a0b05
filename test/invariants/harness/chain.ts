import hre from "hardhat";
import { Interface, type ErrorFragment } from "ethers";

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
 * A thin, allocation-light driver of the in-process Hardhat network: raw `eth_sendTransaction` and `eth_call`
 * through `hre.network.provider.request`, explicit block timestamps and snapshot/revert. No ethers Contract on the
 * hot path; calldata is encoded by the caller with a shared `Interface`.
 */
/** Wall time and count of each kind of provider request (for the fuzz bench's profile). */
export interface ChainProfile {
  txs: number;
  txMs: number;
  calls: number;
  callMs: number;
  other: number;
  otherMs: number;
}

const since = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

export class Chain {
  private readonly provider = hre.network.provider;
  readonly profile: ChainProfile = { txs: 0, txMs: 0, calls: 0, callMs: 0, other: 0, otherMs: 0 };
  /**
   * Transactions submitted so far. Measured on this node: every `eth_sendTransaction` (mined or reverted) consumes one
   * snapshot id, so the campaign counts them to tell its own ids from another suite's (campaign.ts `world`).
   */
  sent = 0;
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

  /** Sends a transaction mined in its own block at `timestamp`. */
  async send(from: string, to: string, data: string, timestamp: bigint): Promise<TxResult> {
    const t0 = process.hrtime.bigint();
    await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [Number(timestamp)] });
    this.sent++;
    try {
      await this.provider.request({ method: "eth_sendTransaction", params: [{ from, to, data, gas: GAS }] });
      return { ok: true };
    } catch (e) {
      const data = (e as { data?: unknown }).data;
      if (typeof data !== "string") throw e;
      return { ok: false, revert: this.decode(data) };
    } finally {
      this.profile.txs++;
      this.profile.txMs += since(t0);
    }
  }

  /** Mines an empty block at `timestamp`. */
  async mine(timestamp: bigint): Promise<void> {
    const t0 = process.hrtime.bigint();
    await this.provider.request({ method: "evm_mine", params: [Number(timestamp)] });
    this.profile.other++;
    this.profile.otherMs += since(t0);
  }

  async call(to: string, data: string): Promise<string> {
    const t0 = process.hrtime.bigint();
    const out = (await this.provider.request({ method: "eth_call", params: [{ to, data }, "latest"] })) as string;
    this.profile.calls++;
    this.profile.callMs += since(t0);
    return out;
  }

  async snapshot(): Promise<string> {
    return (await this.provider.request({ method: "evm_snapshot", params: [] })) as string;
  }

  async revert(id: string): Promise<void> {
    const ok = await this.provider.request({ method: "evm_revert", params: [id] });
    if (ok !== true) throw new Error(`evm_revert(${id}) failed`);
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
