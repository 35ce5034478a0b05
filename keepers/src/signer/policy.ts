/**
 * The signer's policy: the only intents it will sign.
 *
 * Per strategy (a strategy cannot choose its name: the supervisor tags each intent with the process
 * it came from): an allowlist of (contract, function selector) pairs and a rate limit. Globally: value
 * is always 0 (intents have no value field; the executor builds every transaction with value 0), a
 * gas cap per transaction, fee caps (in `fees.ts`) and a rolling spend budget.
 *
 * @example
 * ```ts
 * const policy = new Policy(config);
 * policy.check("liquidator", intent); // throws PolicyError if not allowed
 * ```
 */
import type { KeeperConfig } from "../core/config";
import { selectorOf } from "../core/config";
import { RateLimiter } from "../core/backoff";
import { PolicyError } from "../core/errors";
import type { Intent } from "../core/messages";
import { weiToGwei } from "../core/units";

interface StrategyPolicy {
  /** lower-case contract → allowed lower-case selectors */
  readonly allow: Map<string, Set<string>>;
  readonly rate: RateLimiter;
}

export class Policy {
  private readonly strategies = new Map<string, StrategyPolicy>();
  readonly maxGasPerTx: bigint;

  constructor(config: KeeperConfig) {
    this.maxGasPerTx = BigInt(config.signer.gas.maxGasPerTx);
    for (const [name, st] of Object.entries(config.strategies)) {
      if (!st.enabled) continue;
      const allow = new Map<string, Set<string>>();
      for (const entry of st.policy.allow) {
        const set = allow.get(entry.contract.toLowerCase()) ?? new Set<string>();
        entry.functions.forEach((f) => set.add(selectorOf(f)));
        allow.set(entry.contract.toLowerCase(), set);
      }
      this.strategies.set(name, { allow, rate: new RateLimiter(st.policy.maxIntentsPerMinute, 60_000) });
    }
  }

  /**
   * Full check of a new intent, counting it against the strategy's rate limit.
   * @throws PolicyError
   */
  check(strategy: string, intent: Intent, now = Date.now()): void {
    const p = this.strategyPolicy(strategy);
    if (!p.rate.tryTake(now)) {
      throw new PolicyError("POLICY_RATE_LIMIT", `Strategy ${strategy} exceeded ${p.rate.limit} intents per minute`);
    }
    this.checkStatic(strategy, intent);
  }

  /**
   * Allowlist and gas checks only (used again for journal entries replayed after a restart, so a
   * permission removed from the config also stops work already queued).
   * @throws PolicyError
   */
  checkStatic(strategy: string, intent: Pick<Intent, "to" | "data" | "gasLimit">): void {
    const p = this.strategyPolicy(strategy);
    const selectors = p.allow.get(intent.to.toLowerCase());
    if (!selectors) {
      throw new PolicyError("POLICY_CONTRACT_NOT_ALLOWED", `Contract ${intent.to} is not allowed for strategy ${strategy}`);
    }
    const selector = intent.data.slice(0, 10).toLowerCase();
    if (!selectors.has(selector)) {
      throw new PolicyError("POLICY_SELECTOR_NOT_ALLOWED", `Function ${selector} on ${intent.to} is not allowed for strategy ${strategy}`);
    }
    if (intent.gasLimit !== undefined && BigInt(intent.gasLimit) > this.maxGasPerTx) {
      throw new PolicyError("POLICY_GAS_CAP", `Requested gas ${intent.gasLimit} exceeds the cap ${this.maxGasPerTx}`);
    }
  }

  private strategyPolicy(strategy: string): StrategyPolicy {
    const p = this.strategies.get(strategy);
    if (!p) throw new PolicyError("POLICY_UNKNOWN_STRATEGY", `No policy for strategy ${strategy}`);
    return p;
  }
}

/**
 * Rolling one-hour budget of worst-case fees (gas limit × max fee per gas) the signer may commit.
 * A replacement only reserves what it adds over the attempt it replaces: at most one transaction per
 * nonce can be mined.
 */
export class SpendBudget {
  private readonly spends: { at: number; wei: bigint }[] = [];

  constructor(
    readonly maxWeiPerHour: bigint,
    private readonly windowMs = 3_600_000,
  ) {}

  /** Committed wei in the current window. */
  used(now = Date.now()): bigint {
    this.expire(now);
    return this.spends.reduce((s, x) => s + x.wei, 0n);
  }

  /**
   * Reserves `wei` if it fits.
   * @throws PolicyError POLICY_SPEND_CAP when it does not (nothing reserved).
   */
  reserve(wei: bigint, now = Date.now()): void {
    const used = this.used(now);
    if (used + wei > this.maxWeiPerHour) {
      throw new PolicyError("POLICY_SPEND_CAP", "Hourly fee budget exhausted", {
        details: `used ${weiToGwei(used)} gwei, this needs ${weiToGwei(wei)} gwei, cap ${weiToGwei(this.maxWeiPerHour)} gwei`,
        hint: "Raise signer.budget.maxSpendPerHourEth if this is expected load.",
      });
    }
    if (wei > 0n) this.spends.push({ at: now, wei });
  }

  private expire(now: number): void {
    while (this.spends.length > 0 && this.spends[0].at <= now - this.windowMs) this.spends.shift();
  }
}
