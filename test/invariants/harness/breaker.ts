/**
 * A bigint restatement of the CircuitBreaker's state machine (contracts/breaker/CircuitBreaker.sol and
 * BreakerModeLib): per-scope manual and automatic modes, the price-move window, the cooldown of automatic trips and
 * the emergency pause. The campaign runs the real breaker; this model predicts every trip, lift and refusal, and the
 * B-01 invariant compares it word for word with `scopeState` after every action.
 */
export enum Mode {
  ACTIVE,
  REDUCE_ONLY,
  HALTED,
}

export enum Cls {
  RISK_INCREASING,
  RISK_REDUCING,
  EXIT,
  VIEW,
}

export enum Reason {
  NONE,
  GUARDIAN,
  ORACLE_DEGRADED,
  ORACLE_FAILED,
  PRICE_MOVE,
  OUTFLOW,
  UTILISATION,
  GLOBAL,
}

/** Oracle statuses as the router reports them. */
export enum Status {
  OK,
  DEGRADED,
  FAILED,
}

export interface Scope {
  manualMode: Mode;
  autoMode: Mode;
  autoReason: Reason;
  clearing: boolean;
  moveLimitBps: bigint;
  window: bigint;
  windowStart: bigint;
  coolUntil: bigint;
  refPrice: bigint;
}

/** Gate level "paused" (above HALTED). */
export const PAUSED_LEVEL = 3;
/** What each level allows, by class (BreakerModeLib.ALLOWED). */
const ALLOWED = 0x8cef;

export const allowed = (level: number, cls: Cls): boolean => ((ALLOWED >> (level * 4 + cls)) & 1) === 1;

const own = (s: Scope): Mode => (s.manualMode >= s.autoMode ? s.manualMode : s.autoMode);
const ownReason = (s: Scope): Reason => {
  if (s.manualMode === Mode.ACTIVE && s.autoMode === Mode.ACTIVE) return Reason.NONE;
  return s.manualMode >= s.autoMode ? Reason.GUARDIAN : s.autoReason;
};

/** A predicted refusal: the custom error and, for BreakerActionNotAllowed, the effective mode it reports. */
export interface Refusal {
  error: "BreakerPaused" | "BreakerActionNotAllowed";
  scope: "market" | "global";
  cls: Cls;
  mode?: Mode;
  reason?: Reason;
}

export class BreakerModel {
  constructor(
    public market: Scope,
    public global: Scope,
    public paused: boolean,
    public cooldown: bigint,
  ) {}

  clone(): BreakerModel {
    return new BreakerModel({ ...this.market }, { ...this.global }, this.paused, this.cooldown);
  }

  /** The global gate copied into every scope: the global scope's own mode, or PAUSED_LEVEL. */
  globalLevel(): number {
    return this.paused ? PAUSED_LEVEL : own(this.global);
  }

  level(scope: "market" | "global"): number {
    const g = this.globalLevel();
    if (scope === "global") return Math.max(own(this.global), g);
    return Math.max(own(this.market), g);
  }

  /** The refusal of `cls` on `scope` from stored state (no evaluation), or null when allowed. */
  gate(scope: "market" | "global", cls: Cls): Refusal | null {
    const level = this.level(scope);
    if (allowed(level, cls)) return null;
    if (level === PAUSED_LEVEL) return { error: "BreakerPaused", scope, cls };
    const s = scope === "market" ? this.market : this.global;
    const o = own(s);
    const g = this.globalLevel();
    const [mode, reason] = g > o ? [g as Mode, Reason.GLOBAL] : [o, ownReason(s)];
    return { error: "BreakerActionNotAllowed", scope, cls, mode, reason };
  }

  /** `checkAction` on the market: evaluates the reading (unless VIEW), then gates. Mutates this model. */
  checkAction(cls: Cls, spot: bigint, status: Status, now: bigint): Refusal | null {
    if (cls !== Cls.VIEW) this.evaluateMarket(spot, status, now);
    return this.gate("market", cls);
  }

  /** `_evaluateMarket`: oracle status and price move from one reading. */
  evaluateMarket(spot: bigint, status: Status, now: bigint): void {
    if (status === Status.OK && spot === 0n) return;
    const s = this.market;
    let cause = Reason.NONE;
    let causeMode = Mode.ACTIVE;
    if (status === Status.FAILED) {
      cause = Reason.ORACLE_FAILED;
      causeMode = Mode.HALTED;
    } else {
      if (status === Status.DEGRADED) {
        cause = Reason.ORACLE_DEGRADED;
        causeMode = Mode.REDUCE_ONLY;
      }
      if (spot !== 0n) {
        const roll = s.refPrice === 0n || now >= s.windowStart + s.window;
        const diff = spot > s.refPrice ? spot - s.refPrice : s.refPrice - spot;
        const moved = !roll && diff * 10_000n > s.refPrice * s.moveLimitBps;
        if (roll || moved) {
          s.refPrice = spot;
          s.windowStart = now;
        }
        if (moved && causeMode === Mode.ACTIVE) {
          cause = Reason.PRICE_MOVE;
          causeMode = Mode.REDUCE_ONLY;
        }
      }
    }
    this.step(s, cause, causeMode, now);
  }

  /** `_pokeGlobal` with the utilisation verdict the caller computed (the outflow limit is never reached here). */
  pokeGlobal(utilisationAboveCap: boolean, now: bigint): void {
    const cause = utilisationAboveCap ? Reason.UTILISATION : Reason.NONE;
    this.step(this.global, cause, cause === Reason.NONE ? Mode.ACTIVE : Mode.REDUCE_ONLY, now);
  }

  /** `_stepAutomatic`: escalate, interrupt a cooldown, start one, or lift after it. */
  private step(s: Scope, cause: Reason, causeMode: Mode, now: bigint): void {
    if (causeMode !== Mode.ACTIVE) {
      if (causeMode > s.autoMode) {
        s.autoMode = causeMode;
        s.autoReason = cause;
        s.clearing = false;
      } else if (s.clearing) s.clearing = false;
      return;
    }
    if (s.autoMode === Mode.ACTIVE) return;
    if (!s.clearing) {
      s.clearing = true;
      s.coolUntil = now + this.cooldown;
      return;
    }
    if (now < s.coolUntil) return;
    s.autoMode = Mode.ACTIVE;
    s.autoReason = Reason.NONE;
    s.clearing = false;
  }
}

/** Decodes `scopeState(scope)` from the lens's breaker section: ten words from `at` (the struct's fields in order, globalLevel fifth). */
export function decodeScopeWords(words: bigint[], at: number): { scope: Scope; globalLevel: number } {
  const w = words.slice(at, at + 10);
  return {
    scope: {
      manualMode: Number(w[0]) as Mode,
      autoMode: Number(w[1]) as Mode,
      autoReason: Number(w[2]) as Reason,
      clearing: w[3] === 1n,
      moveLimitBps: w[5],
      window: w[6],
      windowStart: w[7],
      coolUntil: w[8],
      refPrice: w[9],
    },
    globalLevel: Number(w[4]),
  };
}
