/**
 * What the circuit-breaker check costs inside a real trade, read from the transaction's struct-log trace.
 *
 * A trade checks the breaker right after the engine's `applyTrade` returns: the market decodes the outcome, classifies
 * the trade, reads its gate copy of the underlying (one SLOAD) and, only when the copy does not let the trade through,
 * calls the breaker. The check's span is the market frame's gas from `applyTrade`'s return to the first step after
 * the gate read that belongs to something else (the exposure caps' SLOAD, the reentrancy lock's TSTORE on exit,
 * the return, or a call to any contract but the breaker); breaker calls inside it are included whole. It is an upper
 * bound of what the check adds: the outcome decoding and classification would exist without a breaker.
 */
import hre from "hardhat";

/** One step of Hardhat's default struct-log tracer. */
interface StructLog {
  op: string;
  gas: number;
  depth: number;
  stack?: string[];
}

/** The breaker check of one trade (see the module note). */
export interface TradeCheckCost {
  /** Market-frame gas from `applyTrade`'s return to the end of the check, breaker calls included. */
  span: bigint;
  /** Of which: from `applyTrade`'s return to the gate SLOAD (outcome decoding, classification, slot hashing). */
  prep: bigint;
  /** Gas spent inside calls to the breaker (zero when the gate copy decided). */
  breakerCalls: bigint;
  /** Number of calls to the breaker. */
  callCount: number;
}

function top(step: StructLog, n = 1): bigint {
  const stack = step.stack!;
  return BigInt("0x" + stack[stack.length - n].replace(/^0x/, ""));
}

/** Storage key of the market's gate copy of `underlying`: found by matching `breakerGate(underlying)` in storage. */
export async function gateSlot(market: string, underlying: string, gate: bigint): Promise<bigint> {
  if (gate === 0n) throw new Error("no gate copy to locate");
  const coder = hre.ethers.AbiCoder.defaultAbiCoder();
  for (let i = 0n; i < 64n; i++) {
    const key = hre.ethers.keccak256(coder.encode(["bytes32", "uint256"], [underlying, i]));
    if (BigInt(await hre.ethers.provider.getStorage(market, key)) === gate) return BigInt(key);
  }
  throw new Error("gate copy slot not found");
}

/** The breaker check's cost in trade `hash` (see the module note). */
export async function tradeCheckCost(
  hash: string,
  market: string,
  engine: string,
  breaker: string,
  slot: bigint,
): Promise<TradeCheckCost> {
  const trace = (await hre.network.provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ])) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  const [wantedEngine, wantedBreaker] = [BigInt(engine), BigInt(breaker)];
  const sload = logs.findIndex((s) => s.op === "SLOAD" && top(s) === slot);
  if (sload < 0) throw new Error("the trade never read its gate copy");
  const depth = logs[sload].depth;
  const isCall = (s: StructLog) => s.depth === depth && (s.op === "CALL" || s.op === "STATICCALL");
  // The step after the last engine call (applyTrade) before the gate read.
  let start = -1;
  for (let i = sload - 1; i >= 0 && start < 0; i--) {
    if (isCall(logs[i]) && top(logs[i], 2) === wantedEngine) {
      start = i + 1;
      while (logs[start].depth !== depth) start++;
    }
  }
  if (start < 0) throw new Error("no applyTrade call before the gate read");
  let breakerCalls = 0;
  let callCount = 0;
  let end = sload + 1;
  for (; end < logs.length; end++) {
    const step = logs[end];
    if (step.depth !== depth) continue;
    if (["SLOAD", "TSTORE", "RETURN", "STOP", "REVERT"].includes(step.op)) break;
    if (step.op === "CALL" || step.op === "STATICCALL") {
      if (top(step, 2) !== wantedBreaker) break;
      let next = end + 1;
      while (logs[next].depth !== depth) next++;
      breakerCalls += step.gas - logs[next].gas;
      callCount++;
      end = next - 1;
    }
  }
  return {
    span: BigInt(logs[start].gas - logs[end].gas),
    prep: BigInt(logs[start].gas - logs[sload].gas),
    breakerCalls: BigInt(breakerCalls),
    callCount,
  };
}
