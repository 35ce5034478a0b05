/**
 * The breaker watchdog: keeps the CircuitBreaker's and the OracleRouter's recorded state in step with
 * the facts, with reads only until a write is due.
 *
 * Each block, for every configured scope (market ids by name, and `GLOBAL`):
 * - `CircuitBreaker.poke(scope)` is simulated; when the mode or reason it would leave differs from
 *   `modeOf(scope)` a trip or a lift is due (oracle status changed, price moved, outflow, cooldown
 *   expired) and the poke is proposed;
 * - a scope tripped automatically whose cooldown has not started (`autoMode` set, `clearing` false) is
 *   also poked every `idlePokeIntervalBlocks` blocks: a poke is what observes the causes clear and starts
 *   the cooldown, and the simulation cannot see that storage write;
 * and for every market scope, `OracleRouter.pokeStatus(underlying)` is proposed when the status
 * `getSpot` reports differs from the recorded `getStatusRecord` status.
 * Every intent is re-checked by the signer with the same call, expecting the same return data.
 */
import { watchdogParamsSchema, type WatchdogParams } from "../../core/config";
import { BREAKER, BREAKER_MODE, GLOBAL_SCOPE, ORACLE_STATUS, ROUTER, scopeId } from "../../protocol/abi";
import type { IntentDraft, IntentResult, Strategy, StrategyContext } from "../types";
import { InFlight, sameCallIntent, simulate } from "../shared/intents";

const IN_FLIGHT_TTL_BLOCKS = 10n;

export class BreakerWatchdog implements Strategy {
  private ctx!: StrategyContext;
  private p!: WatchdogParams;
  private scopes: { name: string; id: string }[] = [];
  private readonly lastIdlePoke = new Map<string, bigint>();
  private readonly inFlight = new InFlight(IN_FLIGHT_TTL_BLOCKS);

  async init(ctx: StrategyContext): Promise<void> {
    this.ctx = ctx;
    const parsed = watchdogParamsSchema.safeParse(ctx.params);
    if (!parsed.success) throw new Error(`invalid breaker-watchdog params: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    this.p = parsed.data;
    this.scopes = this.p.scopes.map((name) => ({ name, id: scopeId(name) }));
  }

  async onBlock(block: bigint): Promise<IntentDraft[]> {
    const intents: IntentDraft[] = [];
    for (const scope of this.scopes) {
      if (scope.id !== GLOBAL_SCOPE) {
        const status = await this.statusIntent(scope, block);
        if (status) intents.push(status);
      }
      const poke = await this.pokeIntent(scope, block);
      if (poke) intents.push(poke);
    }
    for (const i of intents) this.inFlight.add(i, block);
    return intents;
  }

  onResult(result: IntentResult): void {
    this.inFlight.onResult(result);
  }

  private async statusIntent(scope: { name: string; id: string }, block: bigint): Promise<IntentDraft | null> {
    const key = `poke-status:${this.p.router.toLowerCase()}:${BigInt(scope.id)}`;
    if (this.inFlight.has(key, block)) return null;
    const spot = ROUTER.decodeFunctionResult("getSpot", await this.ctx.rpc.call({ to: this.p.router, data: ROUTER.encodeFunctionData("getSpot", [scope.id]) }, block))[0];
    const rec = ROUTER.decodeFunctionResult("getStatusRecord", await this.ctx.rpc.call({ to: this.p.router, data: ROUTER.encodeFunctionData("getStatusRecord", [scope.id]) }, block))[0];
    if (Number(spot.status) === Number(rec.status)) return null;
    const data = ROUTER.encodeFunctionData("pokeStatus", [scope.id]);
    const returned = await simulate(this.ctx.rpc, this.p.router, data, block);
    if (returned === null) return null;
    this.ctx.log.info("oracle status changed", { scope: scope.name, recorded: ORACLE_STATUS[Number(rec.status)], now: ORACLE_STATUS[Number(spot.status)] });
    return sameCallIntent({ action: "poke-status", account: this.p.router, series: BigInt(scope.id), to: this.p.router, data, returned, gasLimit: this.p.gasLimit });
  }

  private async pokeIntent(scope: { name: string; id: string }, block: bigint): Promise<IntentDraft | null> {
    const key = `poke:${this.p.breaker.toLowerCase()}:${BigInt(scope.id)}`;
    if (this.inFlight.has(key, block)) return null;
    const data = BREAKER.encodeFunctionData("poke", [scope.id]);
    const returned = await simulate(this.ctx.rpc, this.p.breaker, data, block);
    if (returned === null) {
      this.ctx.log.warn("poke does not simulate", { scope: scope.name });
      return null;
    }
    const after = BREAKER.decodeFunctionResult("poke", returned);
    const before = BREAKER.decodeFunctionResult("modeOf", await this.ctx.rpc.call({ to: this.p.breaker, data: BREAKER.encodeFunctionData("modeOf", [scope.id]) }, block));
    let why: string | null = null;
    if (Number(after.mode) !== Number(before.mode) || Number(after.reason) !== Number(before.reason)) {
      why = Number(after.mode) > Number(before.mode) ? "trip due" : Number(after.mode) < Number(before.mode) ? "lift due" : "reason changed";
    } else {
      const st = BREAKER.decodeFunctionResult("scopeState", await this.ctx.rpc.call({ to: this.p.breaker, data: BREAKER.encodeFunctionData("scopeState", [scope.id]) }, block))[0];
      const last = this.lastIdlePoke.get(scope.id);
      if (Number(st.autoMode) !== 0 && !st.clearing && (last === undefined || block - last >= BigInt(this.p.idlePokeIntervalBlocks))) {
        why = "automatic trip without a running cooldown";
        this.lastIdlePoke.set(scope.id, block);
      }
    }
    if (why === null) return null;
    this.ctx.log.info("breaker poke", { scope: scope.name, why, mode: BREAKER_MODE[Number(before.mode)], next: BREAKER_MODE[Number(after.mode)] });
    return sameCallIntent({ action: "poke", account: this.p.breaker, series: BigInt(scope.id), to: this.p.breaker, data, returned, gasLimit: this.p.gasLimit });
  }
}

export function createStrategy(): Strategy {
  return new BreakerWatchdog();
}
