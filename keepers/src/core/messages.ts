/**
 * The IPC protocol: zod schemas of every message between the supervisor, the strategies and the signer.
 *
 * Trust: strategies are untrusted (they may be buggy or hostile), so everything they send is strict and
 * bounded: no unknown keys, no `value` field (the signer always sends value 0), calldata capped, ids
 * and actions from small alphabets. The supervisor tags each intent with the strategy it came from;
 * a strategy cannot name itself.
 */
import { z } from "zod";
import { LOG_LEVELS } from "./logger";

/** Largest calldata a strategy may propose (bytes). */
export const MAX_CALLDATA_BYTES = 4_096;
/** Largest frame a strategy may send (bytes). */
export const STRATEGY_MAX_FRAME_BYTES = 64 * 1024;
/** Largest frame the signer may send (bytes). */
export const SIGNER_MAX_FRAME_BYTES = 256 * 1024;
/** Largest frame the supervisor sends to a child (bytes): the signer init carries the config. */
export const PARENT_MAX_FRAME_BYTES = 1024 * 1024;

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte 0x address");
const hexBytes = (maxBytes: number) =>
  z
    .string()
    .max(2 + 2 * maxBytes, `longer than ${maxBytes} bytes`)
    .regex(/^0x(?:[0-9a-fA-F]{2})*$/, "expected 0x-prefixed hex bytes");
const uintString = z.string().regex(/^(0|[1-9]\d{0,77})$/, "expected an unsigned integer as a decimal string");
const nonNegInt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** An action name: part of the idempotency key. */
export const actionName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "expected a lower-case action name");
/** A strategy-chosen id, echoed in results. */
export const intentId = z.string().regex(/^[A-Za-z0-9:_.-]{1,80}$/, "expected an id of 1-80 characters [A-Za-z0-9:_.-]");

/**
 * A read-only call the signer makes right before sending: the intent goes out only if the call
 * returns exactly `expect` (e.g. `isLiquidatable(account, series)` returning true).
 */
export const recheckSchema = z
  .object({ to: address, data: hexBytes(MAX_CALLDATA_BYTES), expect: hexBytes(1_024) })
  .strict();

/** Most items one batch intent may carry (the LiquidationEngine's `MAX_BATCH`). */
export const MAX_BATCH_ITEMS = 20;

/**
 * One (account, series) a batch intent acts on, with its own re-check. Each item holds its own idempotency key
 * (`action:account:series`) in the signer's journal for as long as the batch is pending.
 */
export const batchItemSchema = z.object({ account: address, series: uintString, recheck: recheckSchema.optional() }).strict();
export type BatchItem = z.infer<typeof batchItemSchema>;

/**
 * What a strategy proposes. The signer decides gas, fees, nonce; value is always 0.
 *
 * A batch intent (one transaction acting on several positions, e.g. `liquidateMany`) lists its `items`: the first
 * is the intent's own (account, series), keys are distinct, and re-checks go on the items (none on the intent).
 */
export const intentSchema = z
  .object({
    id: intentId,
    action: actionName,
    account: address,
    series: uintString,
    to: address,
    data: hexBytes(MAX_CALLDATA_BYTES).refine((d) => d.length >= 10, "calldata must start with a 4-byte selector"),
    gasLimit: uintString.optional(),
    recheck: recheckSchema.optional(),
    items: z.array(batchItemSchema).min(2).max(MAX_BATCH_ITEMS).optional(),
  })
  .strict()
  .superRefine((i, ctx) => {
    if (i.items === undefined) return;
    const issue = (message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["items"], message });
    if (i.items[0].account.toLowerCase() !== i.account.toLowerCase() || i.items[0].series !== i.series) issue("the first item must be the intent's own (account, series)");
    const keys = new Set(i.items.map((it) => `${it.account.toLowerCase()}:${it.series}`));
    if (keys.size !== i.items.length) issue("items must name distinct (account, series) pairs");
    if (i.recheck !== undefined) issue("a batch carries its re-checks on its items, not on the intent");
  });
export type Intent = z.infer<typeof intentSchema>;

/** The idempotency key: one pending action per (action, account, series). */
export function intentKey(i: Pick<Intent, "action" | "account" | "series">): string {
  return `${i.action}:${i.account.toLowerCase()}:${i.series}`;
}

/** Every idempotency key an intent holds: its own, or one per item of a batch (the first is its own). */
export function intentKeys(i: Pick<Intent, "action" | "account" | "series" | "items">): string[] {
  return i.items === undefined ? [intentKey(i)] : i.items.map((it) => intentKey({ action: i.action, account: it.account, series: it.series }));
}

/**
 * Refusal code: the key was confirmed less than `signer.confirmedHoldBlocks` blocks ago (the intent most likely comes
 * from state older than that confirmation). Nothing was recorded; propose again from fresh state on a later block if
 * the action is still needed: the key is accepted again once the hold has passed.
 */
export const RECENTLY_CONFIRMED = "POLICY_RECENTLY_CONFIRMED";

const logFields = z.record(z.unknown());

/* ------------------------------------------------------------------ STRATEGY <-> SUPERVISOR */

export const strategyMessageSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("ready") }).strict(),
  z.object({ t: z.literal("heartbeat"), seq: nonNegInt, head: uintString.nullable() }).strict(),
  z.object({ t: z.literal("intent"), intent: intentSchema }).strict(),
  z.object({ t: z.literal("log"), level: z.enum(LOG_LEVELS), msg: z.string().max(1_000), fields: logFields.optional() }).strict(),
]);
export type StrategyMessage = z.infer<typeof strategyMessageSchema>;

/** Decision statuses the signer reports for an intent. */
export const DECISION_STATUSES = ["accepted", "refused", "skipped", "sent", "confirmed", "failed"] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

export const resultMessage = z
  .object({
    t: z.literal("result"),
    id: z.string(),
    key: z.string(),
    status: z.enum(DECISION_STATUSES),
    code: z.string().optional(),
    reason: z.string().optional(),
    txHash: z.string().optional(),
  })
  .strict();
export type ResultMessage = z.infer<typeof resultMessage>;

export const strategyInitSchema = z
  .object({
    t: z.literal("init"),
    name: z.string(),
    module: z.string(),
    chainId: nonNegInt,
    rpcUrls: z.array(z.string()).min(1),
    rpcTimeoutMs: nonNegInt,
    pollIntervalMs: nonNegInt,
    staleHeadMs: nonNegInt,
    heartbeatIntervalMs: nonNegInt,
    logLevel: z.enum(LOG_LEVELS),
    dryRun: z.boolean(),
    params: z.unknown(),
  })
  .strict();
export type StrategyInit = z.infer<typeof strategyInitSchema>;

export const toStrategySchema = z.discriminatedUnion("t", [strategyInitSchema, resultMessage, z.object({ t: z.literal("shutdown") }).strict()]);
export type ToStrategy = z.infer<typeof toStrategySchema>;

/* ------------------------------------------------------------------ SIGNER <-> SUPERVISOR */

export const signerInitSchema = z
  .object({
    t: z.literal("init"),
    /** The validated config (paths absolute, no secrets: only names of environment variables). */
    config: z.unknown(),
    configPath: z.string(),
    dryRun: z.boolean(),
  })
  .strict();

export const toSignerSchema = z.discriminatedUnion("t", [
  signerInitSchema,
  z.object({ t: z.literal("intent"), strategy: z.string(), intent: intentSchema }).strict(),
  z.object({ t: z.literal("shutdown") }).strict(),
]);
export type ToSigner = z.infer<typeof toSignerSchema>;

export const TX_EVENTS = ["sent", "replaced", "cancel-sent", "rebroadcast", "confirmed", "reverted", "cancelled", "foreign"] as const;

export const signerMessageSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("ready"), address }).strict(),
  z
    .object({
      t: z.literal("heartbeat"),
      seq: nonNegInt,
      pendingTxs: nonNegInt,
      queued: nonNegInt,
      nextNonce: uintString.nullable(),
      balanceWei: uintString.nullable(),
      deferred: z.string().nullable(),
    })
    .strict(),
  resultMessage.extend({ strategy: z.string() }).strict(),
  z
    .object({
      t: z.literal("tx"),
      event: z.enum(TX_EVENTS),
      strategy: z.string(),
      key: z.string(),
      hash: z.string(),
      nonce: nonNegInt,
      gasUsed: uintString.optional(),
      feeWei: uintString.optional(),
    })
    .strict(),
  z.object({ t: z.literal("log"), level: z.enum(LOG_LEVELS), msg: z.string().max(2_000), fields: logFields.optional() }).strict(),
]);
export type SignerMessage = z.infer<typeof signerMessageSchema>;
