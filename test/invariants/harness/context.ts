import type { TxResult, Revert } from "./chain";
import type { Model } from "./model";
import type { ChainState } from "./state";
import { observe, type World } from "./world";

/** A broken invariant or an unjustified outcome; the message names the invariant id. */
export class Violation extends Error {
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(`[${id}] ${message}`);
  }
}

export interface Ctx {
  world: World;
  model: Model;
  /** State after the previous action. */
  prev: ChainState;
  /** State after the current action. */
  state: ChainState;
  /** Take the full lens (previews, quotes, max views) after this action. */
  full: boolean;
  /** Outcome of the last transaction, for the invariants that depend on it. */
  last: {
    action: string;
    ok: boolean;
    revert?: Revert;
    changesNothing: boolean;
    /** Set by vault operations: NAV and supply just before the operation, in the same block. */
    vaultOp?: { navBefore: bigint; supplyBefore: bigint };
  };
}

export const fmt = (r: Revert): string =>
  `${r.name}(${r.args.map((a) => (typeof a === "bigint" ? a.toString() : String(a))).join(", ")})`;

/** Sends one transaction `dt` seconds after the model's clock and observes the state after it. */
export async function exec(ctx: Ctx, action: string, from: string, to: string, data: string, dt = 1n): Promise<TxResult> {
  const ts = ctx.model.time + dt;
  const res = await ctx.world.chain.send(from, to, data, ts);
  ctx.model.time = ts;
  ctx.prev = ctx.state;
  ctx.state = await observe(ctx.world, ctx.full);
  ctx.last = { action, ok: res.ok, revert: res.ok ? undefined : res.revert, changesNothing: !res.ok };
  if (ctx.state.timestamp !== ts) throw new Violation("H-01", `block time ${ctx.state.timestamp} != scheduled ${ts}`);
  return res;
}

/**
 * The model's verdict on an outcome: `null` expects success, a name expects that custom error. `check` may verify
 * the error's arguments against the model. Anything else (another error, a panic, a string) is a violation.
 */
export function judge(
  res: TxResult,
  expected: string | null,
  context: string,
  check?: (args: readonly unknown[]) => string | null,
): void {
  if (expected === null) {
    if (!res.ok) throw new Violation("G-01", `${context}: model expects success, got ${fmt(res.revert)}`);
    return;
  }
  if (res.ok) throw new Violation("G-01", `${context}: model expects ${expected}, but the call succeeded`);
  if (res.revert.kind === "panic") throw new Violation("G-02", `${context}: panic ${fmt(res.revert)}`);
  if (res.revert.name !== expected) {
    throw new Violation("G-01", `${context}: model expects ${expected}, got ${fmt(res.revert)}`);
  }
  const problem = check?.(res.revert.args);
  if (problem) throw new Violation("G-01", `${context}: ${fmt(res.revert)} not justified: ${problem}`);
}

export function assertEq(id: string, actual: bigint, expected: bigint, what: string): void {
  if (actual !== expected) throw new Violation(id, `${what}: chain ${actual} != model ${expected}`);
}

export function assert(id: string, cond: boolean, what: string): void {
  if (!cond) throw new Violation(id, what);
}
