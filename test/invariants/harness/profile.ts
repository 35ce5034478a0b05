/**
 * Opt-in per-phase wall-time profile of the campaign (FUZZ_PROFILE=1 prints it after a campaign; the fuzz bench
 * always reports it). Every provider request the harness makes is timed by `Chain` under its phase; the campaign
 * times each action and each invariant pass; what an action spends outside the chain is its model and judging time.
 */
export interface PhaseTotal {
  n: number;
  ms: number;
}

/** Phases timed by `Chain` (provider requests): they are subtracted from the action's wall time to get the model's. */
export const CHAIN_PHASES = ["tx:ok", "tx:reverted", "blockTime", "mine", "read", "call", "nonce", "snapshot"] as const;
export type ChainPhase = (typeof CHAIN_PHASES)[number];
export type Phase = ChainPhase | "decode" | "action" | "invariants";

export const now = (): bigint => process.hrtime.bigint();
export const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

export class Profile {
  readonly totals = new Map<Phase, PhaseTotal>();

  add(phase: Phase, ms: number): void {
    const t = this.totals.get(phase);
    if (t) {
      t.n++;
      t.ms += ms;
    } else this.totals.set(phase, { n: 1, ms });
  }

  get(phase: Phase): PhaseTotal {
    return this.totals.get(phase) ?? { n: 0, ms: 0 };
  }

  /** A copy, to difference against later (`since`). */
  copy(): Profile {
    const p = new Profile();
    for (const [k, v] of this.totals) p.totals.set(k, { ...v });
    return p;
  }

  /** What was added after `base` was copied. */
  since(base: Profile): Profile {
    const p = new Profile();
    for (const [k, v] of this.totals) {
      const b = base.get(k);
      p.totals.set(k, { n: v.n - b.n, ms: v.ms - b.ms });
    }
    return p;
  }

  /** Milliseconds of every chain phase together. */
  chainMs(): number {
    return CHAIN_PHASES.reduce((a, k) => a + this.get(k).ms, 0);
  }

  /**
   * Rows per phase: requests (or passes) per action and milliseconds per action, over `actions` actions and a
   * campaign of `seconds`. "model" is the actions' wall time outside the chain and the decoder; "other" is what is
   * left of the campaign (fast-check generation, run set-up).
   */
  rows(actions: number, seconds: number): { phase: string; per_action: number; ms_per_action: number; share: number }[] {
    const per = (x: number) => x / Math.max(1, actions);
    const wall = seconds * 1000;
    const action = this.get("action").ms;
    const insideChain = CHAIN_PHASES.filter((k) => k !== "snapshot").reduce((a, k) => a + this.get(k).ms, 0);
    const model = action - insideChain - this.get("decode").ms;
    const listed: [string, number, number][] = [
      ...CHAIN_PHASES.map((k): [string, number, number] => [k, this.get(k).n, this.get(k).ms]),
      ["decode", this.get("decode").n, this.get("decode").ms],
      ["model", this.get("action").n, model],
      ["invariants", this.get("invariants").n, this.get("invariants").ms],
    ];
    const accounted = listed.reduce((a, [, , ms]) => a + ms, 0);
    listed.push(["other", 0, wall - accounted]);
    return listed.map(([phase, n, ms]) => ({
      phase,
      per_action: Number(per(n).toFixed(2)),
      ms_per_action: Number(per(ms).toFixed(3)),
      share: Number((ms / Math.max(1e-9, wall)).toFixed(3)),
    }));
  }

  /** The rows as a printable table. */
  table(actions: number, seconds: number): string {
    const lines = [`${"phase".padEnd(12)}${"per action".padStart(12)}${"ms/action".padStart(12)}${"share".padStart(8)}`];
    for (const r of this.rows(actions, seconds)) {
      lines.push(`${r.phase.padEnd(12)}${r.per_action.toFixed(2).padStart(12)}${r.ms_per_action.toFixed(3).padStart(12)}${(100 * r.share).toFixed(1).padStart(7)}%`);
    }
    return lines.join("\n");
  }
}
