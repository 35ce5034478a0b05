/**
 * The keeper config: one JSON file, one schema (this file), validated before anything starts.
 *
 * Rules the schema enforces:
 * - unknown keys fail (every object is `.strict()`), with a "did you mean" hint;
 * - units are explicit: gas prices are gwei decimal strings in fields ending in `Gwei`, ether amounts
 *   in `…Eth`, durations integers in `…Ms`, memory in `…Mb`; a bare number where a gwei string is
 *   expected fails;
 * - addresses must be EIP-55 checksummed (the error shows the checksummed form);
 * - cross-field rules (fee caps ordered, heartbeat timeout longer than two intervals, …).
 * Chain-dependent checks (chain id, bytecode at each address) run at start in `preflight.ts`.
 * Secrets are never in the file: the signer key comes from a keystore file plus a password held in an
 * environment variable, or from an environment variable, both named here.
 *
 * @example
 * ```ts
 * const config = loadConfig("keeper.json"); // throws ConfigError with every problem listed
 * ```
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { getAddress, id as keccakUtf8 } from "ethers";
import { z } from "zod";
import { ConfigError } from "./errors";
import { LOG_LEVELS } from "./logger";
import { gweiToWei } from "./units";

/* ------------------------------------------------------------------ PRIMITIVES */

const GWEI_RE = /^(0|[1-9]\d{0,11})(\.\d{1,9})?$/;
const ETH_RE = /^(0|[1-9]\d{0,11})(\.\d{1,18})?$/;

/** A gas price in gwei, as a decimal string ("30", "1.5"). */
export const gweiString = z
  .string({ invalid_type_error: 'expected gwei as a decimal string, e.g. "30" or "1.5" (not a number, not wei)' })
  .regex(GWEI_RE, 'expected gwei as a decimal string with at most 9 decimals, e.g. "30" or "1.5", without a unit');

/** An amount of ether, as a decimal string ("0.5"). */
export const ethString = z
  .string({ invalid_type_error: 'expected ether as a decimal string, e.g. "0.5" (not a number, not wei)' })
  .regex(ETH_RE, 'expected ether as a decimal string with at most 18 decimals, e.g. "0.5", without a unit');

/** An integer number of milliseconds within bounds. */
export const millis = (min: number, max: number) =>
  z
    .number({ invalid_type_error: "expected an integer number of milliseconds" })
    .int("expected an integer number of milliseconds")
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`);

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** An EIP-55 checksummed address. */
export const checksumAddress = z.string().superRefine((value, ctx) => {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `malformed address "${value}": expected 0x and 40 hex digits` });
    return;
  }
  const checksummed = getAddress(value.toLowerCase());
  if (value !== checksummed) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `address "${value}" is not EIP-55 checksummed; its checksummed form is ${checksummed}`,
    });
  }
});

const FUNCTION_NAME_RE = /^[A-Za-z_$][A-Za-z0-9_$]*\(/;
const ELEMENTARY_RE = /^[a-z][a-z0-9]*/;
const ARRAY_SUFFIX_RE = /^(?:\[\d*\])*/;

/**
 * Whether `s` is a canonical signature: a name, then a parenthesised list of canonical types without names or
 * spaces, where a type is elementary (`uint256`) or a tuple (`(address,uint256)`), each with array suffixes.
 */
function isCanonicalSignature(s: string): boolean {
  const name = FUNCTION_NAME_RE.exec(s);
  if (!name) return false;
  let i = name[0].length - 1;
  // Parses a parenthesised list at s[i] === "(", returning the index after its ")" or -1.
  const list = (at: number, depth: number): number => {
    if (depth > 8) return -1;
    let j = at + 1;
    if (s[j] === ")") return j + 1;
    for (;;) {
      if (s[j] === "(") j = list(j, depth + 1);
      else {
        const m = ELEMENTARY_RE.exec(s.slice(j));
        j = m ? j + m[0].length : -1;
      }
      if (j < 0) return -1;
      j += ARRAY_SUFFIX_RE.exec(s.slice(j))![0].length;
      if (s[j] === ")") return j + 1;
      if (s[j] !== ",") return -1;
      j += 1;
    }
  };
  i = list(i, 0);
  return i === s.length;
}

/** A function, as a canonical signature ("liquidate(address,uint256)") or a 4-byte selector ("0x8f283970"). */
export const functionRef = z.string().superRefine((value, ctx) => {
  if (/^0x[0-9a-fA-F]{8}$/.test(value) || isCanonicalSignature(value)) return;
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: `"${value}" is neither a canonical function signature like "liquidate(address,uint256)" (no spaces, no names) nor a 0x selector`,
  });
});

/** The 4-byte selector (lower-case 0x hex) of a {@link functionRef}. */
export function selectorOf(ref: string): string {
  return ref.startsWith("0x") ? ref.toLowerCase() : keccakUtf8(ref).slice(0, 10);
}

/* ------------------------------------------------------------------ STRATEGIES */

/** Which (contract, function) pairs the signer will sign for one strategy, and how often. */
export const policySchema = z
  .object({
    allow: z
      .array(z.object({ contract: checksumAddress, functions: z.array(functionRef).min(1).max(16) }).strict())
      .min(1)
      .max(16),
    maxIntentsPerMinute: int(1, 600),
  })
  .strict();

const strategyCommon = {
  enabled: z.boolean(),
  /** V8 old-space limit of the strategy process (`--max-old-space-size`). */
  heapMb: int(32, 4096).default(128),
  /** Resident-set limit the supervisor enforces from outside (covers buffers outside the V8 heap). */
  memoryLimitMb: int(64, 8192).default(384),
  policy: policySchema,
};

const blockNumber = int(0, Number.MAX_SAFE_INTEGER);
const gasLimitField = int(21_000, 30_000_000).optional();

/** Most items the LiquidationEngine takes in one `liquidateMany` (its `MAX_BATCH`). */
export const LIQUIDATE_MANY_MAX_ITEMS = 20;
/** Gas of a `liquidateMany` transaction beyond its items: intrinsic gas, calldata, the first touch of the engine. */
export const LIQUIDATE_MANY_BASE_GAS = 100_000;
/** The batch entry point, as a policy names it. */
export const LIQUIDATE_MANY_SIGNATURE = "liquidateMany((address,uint256,uint256)[])";

/**
 * Batching of the liquidator (`source: "margin-engine"` only): positions go out through the LiquidationEngine's
 * `liquidateMany`, worst health first, as many per transaction as `maxGasPerTx` fits at `gasPerItem` each (at most
 * `maxItems`, at most the engine's 20).
 */
export const liquidatorBatchSchema = z
  .object({
    /** Gas budget of one batch transaction; also its gas limit. At most `signer.gas.maxGasPerTx`. */
    maxGasPerTx: int(LIQUIDATE_MANY_BASE_GAS + 30_000, 30_000_000),
    /**
     * Gas one item may take (an account's first liquidation also flags it: `npm run bench:keepers` measured 94k at
     * the median, 97k at most, for one-series accounts: `measured.gasPerItem`). Items per transaction =
     * (maxGasPerTx - 100,000) / gasPerItem, rounded down; a batch's gas limit is 100,000 + items x gasPerItem.
     */
    gasPerItem: int(30_000, 5_000_000).default(150_000),
    /** Upper bound on items per transaction. */
    maxItems: int(1, LIQUIDATE_MANY_MAX_ITEMS).default(LIQUIDATE_MANY_MAX_ITEMS),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.maxGasPerTx < LIQUIDATE_MANY_BASE_GAS + b.gasPerItem) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["maxGasPerTx"],
        message: `fits no item: a batch needs ${LIQUIDATE_MANY_BASE_GAS} gas plus gasPerItem (${b.gasPerItem}), so at least ${LIQUIDATE_MANY_BASE_GAS + b.gasPerItem}`,
      });
    }
  });
export type LiquidatorBatch = z.infer<typeof liquidatorBatchSchema>;

/** Items one batch transaction carries under `b` (at least 1 once the schema has accepted `b`). */
export function itemsPerBatch(b: LiquidatorBatch): number {
  return Math.max(1, Math.min(b.maxItems, LIQUIDATE_MANY_MAX_ITEMS, Math.floor((b.maxGasPerTx - LIQUIDATE_MANY_BASE_GAS) / b.gasPerItem)));
}

/** Narrowest model safety band (0.1%): the model's rounding matches the engine's, but its replica may lag a block. */
export const MIN_SAFETY_BAND_WAD = 10n ** 15n;
/** Widest model safety band (50%): wider would send almost every account through the lens, the cost the model saves. */
export const MAX_SAFETY_BAND_WAD = 5n * 10n ** 17n;
/** The band a margin-engine liquidator uses when `safetyBandWad` is absent (2%). */
export const DEFAULT_SAFETY_BAND_WAD = 2n * 10n ** 16n;

/** A relative band around the health threshold, as a WAD decimal string within the bounds above. */
const safetyBandWad = z
  .string({ invalid_type_error: 'expected a WAD decimal string, e.g. "20000000000000000" for 2% (not a number)' })
  .regex(/^[1-9]\d{0,30}$/, 'expected a positive integer WAD as a decimal string, e.g. "20000000000000000" for 2%')
  // Not a decimal integer: the regex has reported it already.
  .refine((v) => !/^\d+$/.test(v) || (BigInt(v) >= MIN_SAFETY_BAND_WAD && BigInt(v) <= MAX_SAFETY_BAND_WAD), {
    message: `must be between ${MIN_SAFETY_BAND_WAD} (0.1%) and ${MAX_SAFETY_BAND_WAD} (50%)`,
  });

/** Parameters of the liquidator strategy. */
export const liquidatorParamsSchema = z
  .object({
    /**
     * Where health comes from and where liquidations go: `keeper-target-mock` (the test double), or
     * `margin-engine` (health from the MarginEngine lens, liquidations through the LiquidationEngine named by
     * `liquidation`).
     */
    source: z.enum(["keeper-target-mock", "margin-engine"]),
    /** Contract holding the health registry (the mock) or the MarginEngine. */
    target: checksumAddress,
    /** The LiquidationEngine; required with `margin-engine`, refused with the mock. */
    liquidation: checksumAddress.optional(),
    /** First block scanned for position events. */
    fromBlock: blockNumber,
    /** Blocks per eth_getLogs request. */
    logChunkBlocks: int(1, 100_000).default(2_000),
    /** Positions per health-lens call. */
    batchSize: int(1, 1_000).default(100),
    /** Positions whose health is read per block, lowest known health first. */
    maxReadsPerBlock: int(1, 100_000).default(2_000),
    /** Intents (transactions) proposed per block, most under-collateralised first; a batch counts once. */
    maxIntentsPerBlock: int(1, 100).default(5),
    /** Health (WAD, decimal string) below which a position is liquidatable. */
    healthThresholdWad: z.string().regex(/^[1-9]\d{0,30}$/, "expected a positive integer WAD as a decimal string").default("1000000000000000000"),
    /** Gas limit the strategy asks for; the signer still caps it with `signer.gas.maxGasPerTx`. */
    gasLimit: gasLimitField,
    /** Batched liquidations (see {@link liquidatorBatchSchema}); absent: one `liquidate` per transaction. */
    batch: liquidatorBatchSchema.optional(),
    /**
     * `margin-engine` only: relative band (WAD) around `healthThresholdWad` inside which the margin model's health
     * is confirmed through the lens (`accountHealth`) before an intent. An account the model puts below
     * threshold x (1 - band) is proposed at once, in the first pass after the block, without a lens read: the
     * signer's re-check and simulation, and `liquidateMany`'s per-item skip on chain, are its checks. Default 2%
     * ({@link DEFAULT_SAFETY_BAND_WAD}), bounds 0.1% to 50%.
     */
    safetyBandWad: safetyBandWad.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.source === "keeper-target-mock" && p.batch !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["batch"], message: 'only used with "source": "margin-engine" (the mock has no batch entry point)' });
    }
    if (p.source === "margin-engine" && p.liquidation === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["liquidation"],
        message: 'required with "source": "margin-engine": the LiquidationEngine address (or "deployment:liquidation")',
      });
    }
    if (p.source === "keeper-target-mock" && p.safetyBandWad !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["safetyBandWad"], message: 'only used with "source": "margin-engine" (the mock has no margin model)' });
    }
    if (p.source === "keeper-target-mock" && p.liquidation !== undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["liquidation"], message: 'only used with "source": "margin-engine" (the mock liquidates itself)' });
    }
  });
export type LiquidatorParams = z.infer<typeof liquidatorParamsSchema>;

/** Parameters of the settler strategy. */
export const settlerParamsSchema = z
  .object({
    /** The OracleRouter (settlement prices). */
    router: checksumAddress,
    /** The MarginEngine (series, positions, `settle`). */
    engine: checksumAddress,
    /** First block scanned for engine events (the engine's deployment block). */
    fromBlock: blockNumber,
    logChunkBlocks: int(1, 100_000).default(2_000),
    /** Expiries (underlying, expiry groups) worked on per block, earliest first. */
    maxGroupsPerBlock: int(1, 100).default(5),
    /** `positionOf` reads per block while settling. */
    maxReadsPerBlock: int(1, 10_000).default(200),
    /** Intents proposed per block (price records and settlements together). */
    maxIntentsPerBlock: int(1, 100).default(20),
    /**
     * Fewest positions an expiry must have left to settle for the settler to copy its final price into the
     * engine first (`recordExpiryPrice`). The copy costs about 60k gas once and saves about 8.5k on each
     * settlement of the expiry (`npm run bench:gas`: settle.expiry_price, settle.position_router_price minus
     * settle.position), so it pays for itself from 8 settlements on.
     */
    minSettlementsForPriceCopy: int(1, 1_000_000).default(8),
    gasLimit: gasLimitField,
  })
  .strict();
export type SettlerParams = z.infer<typeof settlerParamsSchema>;

/** Parameters of the breaker watchdog. */
export const watchdogParamsSchema = z
  .object({
    breaker: checksumAddress,
    router: checksumAddress,
    /** Scopes to watch: underlying names as registered ("ETH") and/or "GLOBAL". */
    scopes: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,31}$/, 'expected an underlying name like "ETH" or "GLOBAL"'))
      .min(1)
      .max(32),
    /** Blocks between pokes of a scope tripped automatically whose cooldown has not started. */
    idlePokeIntervalBlocks: int(1, 100_000).default(10),
    gasLimit: gasLimitField,
  })
  .strict();
export type WatchdogParams = z.infer<typeof watchdogParamsSchema>;

/** Parameters of the redeem-queue processor. */
export const redeemQueueParamsSchema = z
  .object({
    vault: checksumAddress,
    /** `maxRequests` passed to `processRedeemQueue`. */
    maxRequests: int(1, 500).default(20),
    gasLimit: gasLimitField,
  })
  .strict();
export type RedeemQueueParams = z.infer<typeof redeemQueueParamsSchema>;

const liquidatorStrategy = z.object({ type: z.literal("liquidator"), ...strategyCommon, params: liquidatorParamsSchema }).strict();
const settlerStrategy = z.object({ type: z.literal("settler"), ...strategyCommon, params: settlerParamsSchema }).strict();
const watchdogStrategy = z.object({ type: z.literal("breaker-watchdog"), ...strategyCommon, params: watchdogParamsSchema }).strict();
const redeemQueueStrategy = z.object({ type: z.literal("redeem-queue"), ...strategyCommon, params: redeemQueueParamsSchema }).strict();

const customStrategy = z
  .object({
    type: z.literal("custom"),
    /** A compiled CommonJS module exporting `createStrategy()`; relative to the config file. */
    module: z.string().regex(/\.c?js$/, "expected the path of a compiled .js module"),
    ...strategyCommon,
    params: z.record(z.unknown()).default({}),
  })
  .strict();

export const strategySchema = z.discriminatedUnion("type", [liquidatorStrategy, settlerStrategy, watchdogStrategy, redeemQueueStrategy, customStrategy]);
export type StrategyConfig =
  | z.infer<typeof liquidatorStrategy>
  | z.infer<typeof settlerStrategy>
  | z.infer<typeof watchdogStrategy>
  | z.infer<typeof redeemQueueStrategy>
  | z.infer<typeof customStrategy>;

const STRATEGY_NAME_RE = /^[a-z][a-z0-9-]{0,31}$/;

/* ------------------------------------------------------------------ SIGNER */

const keySchema = z.discriminatedUnion("source", [
  z
    .object({
      source: z.literal("keystore"),
      /** Encrypted JSON keystore (ethers / geth format); relative to the config file. */
      path: z.string().min(1),
      /** Name of the environment variable holding the keystore password. */
      passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "expected an environment variable name"),
    })
    .strict(),
  z
    .object({
      source: z.literal("env"),
      /** Name of the environment variable holding the 0x private key. */
      env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "expected an environment variable name"),
    })
    .strict(),
]);

const signerSchema = z
  .object({
    key: keySchema,
    heapMb: int(64, 4096).default(256),
    memoryLimitMb: int(96, 8192).default(512),
    /** Transactions in flight at once (consecutive nonces). */
    maxPendingTxs: int(1, 16).default(4),
    /** Blocks after inclusion before a transaction counts as confirmed. */
    confirmations: int(1, 64).default(1),
    /**
     * Blocks after the signer records a key's confirmation during which a new intent for that key is refused
     * (POLICY_RECENTLY_CONFIRMED), so the confirmed journal snapshot stays the key's latest while strategies may
     * still act on older state (K-22). 0 turns the hold off; a legitimately new action waits at most this long.
     */
    confirmedHoldBlocks: z
      .number({ invalid_type_error: "expected an integer number of blocks" })
      .int("expected an integer number of blocks")
      .min(0, "must be at least 0 blocks (0 turns the hold off)")
      .max(64, "must be at most 64 blocks: a longer hold delays legitimate new actions for a key too long")
      .default(3),

    recheckBlockTag: z.enum(["latest", "pending"]).default("latest"),
    fees: z
      .object({
        priorityFeeGwei: gweiString,
        maxPriorityFeePerGasGwei: gweiString,
        maxFeePerGasGwei: gweiString,
        baseFeeMultiplier: int(1, 10).default(2),
        replaceAfterMs: millis(500, 3_600_000).default(30_000),
        bumpPercent: int(10, 100).default(15),
        maxReplacements: int(0, 20).default(5),
      })
      .strict(),
    gas: z
      .object({
        maxGasPerTx: int(21_000, 30_000_000),
        estimateMarginPercent: int(0, 100).default(20),
      })
      .strict(),
    budget: z
      .object({
        /** Worst-case fees (gas limit × max fee) the signer may commit per rolling hour. */
        maxSpendPerHourEth: ethString,
        /** Below this balance the health endpoint reports the signer degraded. */
        minBalanceEth: ethString,
      })
      .strict(),
  })
  .strict();

/* ------------------------------------------------------------------ TOP LEVEL */

const supervisorSchema = z
  .object({
    heartbeatIntervalMs: millis(100, 60_000).default(1_000),
    heartbeatTimeoutMs: millis(300, 600_000).default(10_000),
    startTimeoutMs: millis(500, 600_000).default(20_000),
    restartInitialMs: millis(50, 600_000).default(500),
    restartMaxMs: millis(100, 3_600_000).default(60_000),
    restartFactor: z.number().min(1).max(10).default(2),
    /** A child that ran this long without failing resets its back-off. */
    stableAfterMs: millis(1_000, 3_600_000).default(60_000),
    shutdownGraceMs: millis(100, 60_000).default(5_000),
  })
  .strict();

export const configSchema = z
  .object({
    chainId: z.number().int().positive(),
    /**
     * A deployment record (deploy/deployments/<network>-<chainId>.json, relative to the config file). When set,
     * any string `"deployment:<name>"` in the file is replaced by the record's address of that name (e.g.
     * `"deployment:engine"`), and `"deployment:block"` by its deployment block; the record's chain id must equal
     * `chainId`. Resolved once at load: the validated config holds plain addresses.
     */
    deployment: z.string().min(1).optional(),
    /** Journal, lock and state files; relative to the config file. */
    dataDir: z.string().min(1),
    rpc: z
      .object({
        urls: z
          .array(z.string().url().regex(/^https?:\/\//, "expected an http(s) URL"))
          .min(1)
          .max(5),
        timeoutMs: millis(100, 120_000).default(5_000),
        pollIntervalMs: millis(50, 60_000).default(1_000),
        staleHeadMs: millis(500, 3_600_000).default(30_000),
      })
      .strict(),
    log: z.object({ level: z.enum(LOG_LEVELS).default("info") }).strict().default({}),
    /** Health and metrics server; always bound to 127.0.0.1. Port 0 picks a free port. */
    health: z.object({ port: int(0, 65_535) }).strict(),
    signer: signerSchema,
    supervisor: supervisorSchema.default({}),
    strategies: z
      .record(z.string().regex(STRATEGY_NAME_RE, "strategy names are lower-case words joined by -"), strategySchema)
      .superRefine((strategies, ctx) => {
        if (!Object.values(strategies).some((st) => "enabled" in st && st.enabled === true)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: "enable at least one strategy" });
        }
      }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const issue = (p: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: p, message });
    const s = c.supervisor;
    if (s.heartbeatTimeoutMs < 2 * s.heartbeatIntervalMs) {
      issue(["supervisor", "heartbeatTimeoutMs"], "must be at least twice supervisor.heartbeatIntervalMs");
    }
    if (s.restartMaxMs < s.restartInitialMs) issue(["supervisor", "restartMaxMs"], "must be at least supervisor.restartInitialMs");
    if (c.rpc.staleHeadMs < 2 * c.rpc.pollIntervalMs) issue(["rpc", "staleHeadMs"], "must be at least twice rpc.pollIntervalMs");
    for (const [name, st] of Object.entries(c.strategies)) {
      if (st.type !== "liquidator" || st.params.batch === undefined) continue;
      const at = ["strategies", name, "params", "batch", "maxGasPerTx"];
      if (st.params.batch.maxGasPerTx > c.signer.gas.maxGasPerTx) {
        issue(at, `${st.params.batch.maxGasPerTx} exceeds signer.gas.maxGasPerTx (${c.signer.gas.maxGasPerTx}): the signer would refuse every batch`);
      }
      const selector = selectorOf(LIQUIDATE_MANY_SIGNATURE);
      const liquidation = st.params.liquidation?.toLowerCase();
      const allowed = st.policy.allow.some((a) => a.contract.toLowerCase() === liquidation && a.functions.some((f) => functionRef.safeParse(f).success && selectorOf(f) === selector));
      if (!allowed) {
        issue(["strategies", name, "policy", "allow"], `batching sends ${LIQUIDATE_MANY_SIGNATURE} to the LiquidationEngine (params.liquidation): allow it there, or remove params.batch`);
      }
    }
    const f = c.signer.fees;
    if (GWEI_RE.test(f.priorityFeeGwei) && GWEI_RE.test(f.maxPriorityFeePerGasGwei) && GWEI_RE.test(f.maxFeePerGasGwei)) {
      if (gweiToWei(f.priorityFeeGwei) > gweiToWei(f.maxPriorityFeePerGasGwei)) {
        issue(["signer", "fees", "priorityFeeGwei"], "must not exceed signer.fees.maxPriorityFeePerGasGwei");
      }
      if (gweiToWei(f.maxPriorityFeePerGasGwei) > gweiToWei(f.maxFeePerGasGwei)) {
        issue(["signer", "fees", "maxPriorityFeePerGasGwei"], "must not exceed signer.fees.maxFeePerGasGwei");
      }
    }
  });

/** The config as parsed (amounts still as strings; paths as written). */
export type ParsedConfig = z.infer<typeof configSchema>;

/** The config ready to run: paths absolute, strategies narrowed to the runnable types. */
export interface KeeperConfig extends Omit<ParsedConfig, "strategies"> {
  /** Absolute path of the file it came from. */
  readonly configPath: string;
  readonly strategies: Record<string, StrategyConfig>;
}

/* ------------------------------------------------------------------ LOADING */

/**
 * Reads, parses and validates a config file; resolves relative paths against the file's directory.
 * @throws ConfigError listing every problem with its path.
 */
export function loadConfig(file: string): KeeperConfig {
  const configPath = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(configPath, "utf8");
  } catch (err) {
    throw new ConfigError("CONFIG_UNREADABLE", `Cannot read config file ${configPath}`, {
      details: (err as Error).message,
      hint: "Pass an existing JSON file with --config; keepers/config.example.json is a starting point.",
      cause: err,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError("CONFIG_INVALID", `Config file ${configPath} is not valid JSON`, {
      details: (err as Error).message,
      hint: "The config is plain JSON: no comments, no trailing commas.",
    });
  }
  return validateConfig(raw, configPath);
}

/**
 * Validates an already-parsed config object.
 * @throws ConfigError listing every problem with its path.
 */
export function validateConfig(input: unknown, configPath: string): KeeperConfig {
  const raw = resolveDeploymentRefs(input, path.dirname(configPath), configPath);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describeIssue(issue, raw));
    throw new ConfigError("CONFIG_INVALID", `Invalid keeper config ${configPath}: ${lines.length} problem(s)`, {
      details: `\n  - ${lines.join("\n  - ")}`,
      hint: "Fix the fields listed above. Units are part of the field names (…Gwei strings, …Eth strings, …Ms integers).",
    });
  }
  const parsed = result.data;
  const dir = path.dirname(configPath);
  const strategies: Record<string, StrategyConfig> = {};
  for (const [name, st] of Object.entries(parsed.strategies)) {
    const s = st as StrategyConfig;
    strategies[name] = s.type === "custom" ? { ...s, module: path.resolve(dir, s.module) } : s;
  }
  const key = parsed.signer.key.source === "keystore" ? { ...parsed.signer.key, path: path.resolve(dir, parsed.signer.key.path) } : parsed.signer.key;
  const { deployment: _resolved, ...rest } = parsed;
  return {
    ...rest,
    configPath,
    dataDir: path.resolve(dir, parsed.dataDir),
    signer: { ...parsed.signer, key },
    strategies,
  };
}

/* ------------------------------------------------------------------ DEPLOYMENT RECORD */

/** The prefix of a reference to the deployment record. */
export const DEPLOYMENT_REF = "deployment:";

/** The fields of a deployment record the keeper reads (deploy/lib/deployProtocol.ts writes it). */
const deploymentRecordSchema = z
  .object({
    network: z.string(),
    chainId: z.number().int().positive(),
    block: z.number().int().nonnegative(),
    addresses: z.record(z.string().regex(/^0x[0-9a-fA-F]{40}$/)),
  })
  .passthrough();

/**
 * Replaces every `"deployment:<name>"` string of `raw` by the record's address (checksummed) or, for
 * `deployment:block`, its block number. Returns `raw` untouched when it names no record.
 * @throws ConfigError when the record is unreadable, malformed, of another chain, or lacks a referenced name.
 */
function resolveDeploymentRefs(raw: unknown, dir: string, configPath: string): unknown {
  if (raw === null || typeof raw !== "object" || typeof (raw as Record<string, unknown>).deployment !== "string") return raw;
  const file = path.resolve(dir, (raw as Record<string, string>).deployment);
  const fail = (msg: string, details: string, hint: string): never => {
    throw new ConfigError("CONFIG_INVALID", `Invalid keeper config ${configPath}: ${msg}`, { details, hint });
  };
  let record: z.infer<typeof deploymentRecordSchema>;
  try {
    const parsed = deploymentRecordSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
    if (!parsed.success) return fail("deployment record is malformed", `${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, "Point `deployment` at a file written by `npm run deploy`.");
    record = parsed.data;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return fail("deployment record unreadable", `${file}: ${(err as Error).message}`, "Point `deployment` at deploy/deployments/<network>-<chainId>.json (relative to the config file).");
  }
  const chainId = (raw as Record<string, unknown>).chainId;
  if (record.chainId !== chainId) {
    fail("deployment record is for another chain", `${file} is chain ${record.chainId} (${record.network}); the config says chainId ${String(chainId)}`, "Use the record of the chain the keeper runs on.");
  }
  const missing: string[] = [];
  const walk = (v: unknown, where: string): unknown => {
    if (typeof v === "string" && v.startsWith(DEPLOYMENT_REF)) {
      const name = v.slice(DEPLOYMENT_REF.length);
      if (name === "block") return record.block;
      const address = record.addresses[name];
      if (address === undefined) {
        missing.push(`${where}: "${v}"`);
        return v;
      }
      return getAddress(address.toLowerCase());
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${where}[${i}]`));
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, where ? `${where}.${k}` : k)]));
    return v;
  };
  const out = walk(raw, "");
  if (missing.length > 0) {
    fail(`${missing.length} name(s) not in the deployment record`, `\n  - ${missing.join("\n  - ")}`, `The record ${file} has: ${Object.keys(record.addresses).join(", ")}.`);
  }
  return out;
}

/** Every contract address the config names: each must hold bytecode on the chain. */
export function configuredContracts(config: KeeperConfig): { path: string; address: string }[] {
  const out: { path: string; address: string }[] = [];
  for (const [name, st] of Object.entries(config.strategies)) {
    if (!st.enabled) continue;
    st.policy.allow.forEach((a, i) => out.push({ path: `strategies.${name}.policy.allow[${i}].contract`, address: a.contract }));
    const p = `strategies.${name}.params`;
    if (st.type === "liquidator") out.push({ path: `${p}.target`, address: st.params.target });
    if (st.type === "liquidator" && st.params.liquidation) out.push({ path: `${p}.liquidation`, address: st.params.liquidation });
    if (st.type === "settler") out.push({ path: `${p}.router`, address: st.params.router }, { path: `${p}.engine`, address: st.params.engine });
    if (st.type === "breaker-watchdog") out.push({ path: `${p}.breaker`, address: st.params.breaker }, { path: `${p}.router`, address: st.params.router });
    if (st.type === "redeem-queue") out.push({ path: `${p}.vault`, address: st.params.vault });
  }
  return out;
}

/* ------------------------------------------------------------------ ERROR RENDERING */

const UNIT_SUFFIXES = ["Gwei", "Eth", "Ms", "Mb"];

function describeIssue(issue: z.ZodIssue, raw: unknown): string {
  const where = issue.path.length === 0 ? "(root)" : issue.path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "[");
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    const known = knownKeysAt(issue.path, raw);
    return issue.keys.map((k) => `${where === "(root)" ? "" : `${where}.`}${k}: unknown key${suggest(k, known)}`).join("\n  - ");
  }
  if (issue.code === z.ZodIssueCode.invalid_type && issue.received === "undefined") return `${where}: required`;
  return `${where}: ${issue.message}`;
}

function valueAt(p: (string | number)[], raw: unknown): unknown {
  let v: unknown = raw;
  for (const k of p) v = v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** Keys the schema accepts at `p` (walking the schema alongside the data to pick union options). */
function knownKeysAt(p: (string | number)[], raw: unknown): string[] {
  let schema: z.ZodTypeAny = configSchema;
  for (let i = 0; ; i++) {
    schema = pickOption(unwrap(schema), valueAt(p.slice(0, i), raw));
    if (i === p.length) break;
    const k = p[i];
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodTypeAny>)[String(k)] ?? z.never();
    else if (schema instanceof z.ZodRecord) schema = schema.valueSchema as z.ZodTypeAny;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodTypeAny;
    else return [];
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function pickOption(schema: z.ZodTypeAny, value: unknown): z.ZodTypeAny {
  if (!(schema instanceof z.ZodDiscriminatedUnion)) return schema;
  const tag = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[schema.discriminator] : undefined;
  const options = schema.options as z.ZodObject<z.ZodRawShape>[];
  return options.find((o) => (o.shape[schema.discriminator] as z.ZodTypeAny).safeParse(tag).success) ?? schema;
}

function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodDefault) s = s._def.innerType;
    else if (s instanceof z.ZodOptional) s = s.unwrap();
    else if (s instanceof z.ZodEffects) s = s.innerType();
    else return s;
  }
}

function suggest(key: string, known: string[]): string {
  const withUnit = known.find((k) => UNIT_SUFFIXES.some((u) => k === key + u));
  if (withUnit) {
    const unit = withUnit.slice(key.length);
    const what = unit === "Gwei" ? 'gwei as a decimal string, e.g. "30"' : unit === "Eth" ? 'ether as a decimal string, e.g. "0.5"' : unit === "Ms" ? "integer milliseconds" : "integer megabytes";
    return ` (did you mean "${withUnit}"? its value is ${what})`;
  }
  let best: string | undefined;
  let bestDist = 4;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = k;
    }
  }
  if (best) return ` (did you mean "${best}"?)`;
  return known.length > 0 ? ` (allowed here: ${known.join(", ")})` : "";
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}
