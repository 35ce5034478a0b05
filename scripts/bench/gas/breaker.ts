import hre from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { deployCoreFixture, finaliseSettlement } from "../../../test/helpers/coreFixture";
import { runScenario } from "./trading";
import { gateSlot, tradeCheckCost } from "../../../test/integration/gating/breakerTrace";

/** One step of Hardhat's default struct-log tracer. */
interface StructLog {
  op: string;
  gas: number;
  depth: number;
  stack?: string[];
}

/** What one transaction spent on the breaker (see `breakerCost`). */
interface BreakerCost {
  /** Sum over every CALL or STATICCALL to the breaker of its full cost. */
  calls: bigint;
  /** Steps of the caller's frame between its previous call's return (or its start) and the first breaker call. */
  callerSpan: bigint;
}

/**
 * Gas the transaction `hash` spent calling `target`: for every CALL or STATICCALL to it, the gas left at the opcode
 * minus the gas left at the caller's next step (the cold or warm account access, argument memory and everything the
 * callee ran); and, for the first such call, the gas its caller spent since its previous call returned.
 */
async function breakerCost(hash: string, target: string): Promise<BreakerCost> {
  const trace = (await hre.network.provider.send("debug_traceTransaction", [
    hash,
    { disableMemory: true, disableStorage: true },
  ])) as { structLogs: StructLog[] };
  const logs = trace.structLogs;
  const wanted = BigInt(target);
  let calls = 0;
  let callerSpan = -1;
  for (let i = 0; i < logs.length; i++) {
    const step = logs[i];
    if (step.op !== "CALL" && step.op !== "STATICCALL") continue;
    const stack = step.stack!;
    if (BigInt("0x" + stack[stack.length - 2].replace(/^0x/, "")) !== wanted) continue;
    let j = i + 1;
    while (j < logs.length && logs[j].depth !== step.depth) j++;
    calls += step.gas - logs[j].gas;
    if (callerSpan < 0) {
      let k = i - 1;
      while (k > 0 && !(logs[k].depth === step.depth && logs[k - 1].depth > step.depth)) k--;
      callerSpan = logs[k].gas - step.gas;
    }
  }
  return { calls: BigInt(calls), callerSpan: BigInt(Math.max(callerSpan, 0)) };
}

/**
 * What the circuit breaker costs each operation of the trading scenario (`trading.ts`, mock router, real breaker):
 *  - `breaker.trade.*`: the whole breaker check inside the trade (test/integration/gating/breakerTrace.ts): the
 *    market's steps from the engine's `applyTrade` returning to the end of the check, i.e. its read of the gate copy,
 *    the decision and any breaker call. An upper bound of what the check adds (it includes decoding `applyTrade`'s
 *    result and classifying the trade);
 *  - `breaker.trade.*.caller_span`: of which, the steps before the gate read (decoding, classification);
 *  - other operations: gas spent inside the calls to the breaker (cold account access, arguments, its logic and,
 *    for the vault's flow hooks, their AccessManager check), a lower bound (the caller's share is not in it).
 * Operations: trade.buy, trade.sell_short, trade.close_long, trade.close_short, vault.deposit, vault.redeem,
 * settle.position_router_price, settle.expiry_price, settle.position (0: the engine holds the breaker's pause copy,
 * and EXIT is refused only while paused, so an unpaused settlement makes no breaker call). The issue bounds the trades' figure by 5,000; a cross-contract check that reads one cold slot
 * costs at least 2,600 (cold account) + 2,100 (cold slot) before any logic or argument handling.
 */
export async function measure(): Promise<Record<string, bigint>> {
  const f = await deployCoreFixture();
  const breaker = await f.breaker.getAddress();
  const [market, engine] = [await f.market.getAddress(), await f.engine.getAddress()];
  const eth = hre.ethers.encodeBytes32String("ETH");
  let slot: bigint | undefined;
  const out: Record<string, bigint> = {};
  const finalise = (expiry: bigint, price: bigint) => finaliseSettlement(f, expiry, price);
  await runScenario(f, finalise, async (name: string, txp: Promise<ContractTransactionResponse>) => {
    const tx = await txp;
    const receipt = await tx.wait();
    const cost = await breakerCost(tx.hash, breaker);
    out[`breaker.${name}`] = cost.calls;
    if (name.startsWith("trade.")) {
      // The gate copy's slot is found once, by its value; the trade reads it whether or not the copy is zero.
      const gate = await f.market.breakerGate(eth);
      if (slot === undefined && gate !== 0n) slot = await gateSlot(market, eth, gate);
      if (slot === undefined) throw new Error("the market holds no gate copy: is the gate cache wired?");
      const check = await tradeCheckCost(tx.hash, market, engine, breaker, slot);
      out[`breaker.${name}`] = check.span;
      out[`breaker.${name}.caller_span`] = check.prep;
    }
    return receipt!.gasUsed;
  });
  return out;
}
