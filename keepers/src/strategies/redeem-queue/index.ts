/**
 * The redeem-queue processor: calls `LiquidityVault.processRedeemQueue(maxRequests)` when requests are
 * pending (`redeemQueue()` head below tail) and the call would process at least one (free liquidity
 * pays the head request, or the head was cancelled). The simulation is the decision: the vault itself
 * stops at the first request free liquidity cannot pay, so a queue waiting for liquidity costs one
 * `eth_call` per block and no gas. The re-check repeats the same call and expects the same result.
 */
import { redeemQueueParamsSchema, type RedeemQueueParams } from "../../core/config";
import { VAULT } from "../../protocol/abi";
import type { IntentDraft, IntentResult, Strategy, StrategyContext } from "../types";
import { InFlight, sameCallIntent, simulate } from "../shared/intents";

const IN_FLIGHT_TTL_BLOCKS = 10n;

export class RedeemQueueProcessor implements Strategy {
  private ctx!: StrategyContext;
  private p!: RedeemQueueParams;
  private readonly inFlight = new InFlight(IN_FLIGHT_TTL_BLOCKS);

  async init(ctx: StrategyContext): Promise<void> {
    this.ctx = ctx;
    const parsed = redeemQueueParamsSchema.safeParse(ctx.params);
    if (!parsed.success) throw new Error(`invalid redeem-queue params: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    this.p = parsed.data;
  }

  async onBlock(block: bigint): Promise<IntentDraft[]> {
    const q = VAULT.decodeFunctionResult("redeemQueue", await this.ctx.rpc.call({ to: this.p.vault, data: VAULT.encodeFunctionData("redeemQueue") }, block));
    const head = q.head as bigint;
    const tail = q.tail as bigint;
    if (head >= tail) return [];
    const key = `process-redeem:${this.p.vault.toLowerCase()}:${head}`;
    if (this.inFlight.has(key, block)) return [];
    const data = VAULT.encodeFunctionData("processRedeemQueue", [this.p.maxRequests]);
    const returned = await simulate(this.ctx.rpc, this.p.vault, data, block);
    if (returned === null) {
      this.ctx.log.warn("processRedeemQueue does not simulate", { head, tail });
      return [];
    }
    const r = VAULT.decodeFunctionResult("processRedeemQueue", returned);
    if ((r.processed as bigint) === 0n) return [];
    this.ctx.log.info("redeem requests payable", { head, tail, processed: r.processed, assets: r.assets });
    const intent = sameCallIntent({ action: "process-redeem", account: this.p.vault, series: head, to: this.p.vault, data, returned, gasLimit: this.p.gasLimit });
    this.inFlight.add(intent, block);
    return [intent];
  }

  onResult(result: IntentResult): void {
    this.inFlight.onResult(result);
  }
}

export function createStrategy(): Strategy {
  return new RedeemQueueProcessor();
}
