/**
 * Typed errors of the keeper service.
 *
 * Every error the service raises on purpose extends {@link KeeperError}: a short message saying what
 * went wrong, optional details (the values involved) and a hint saying what the operator can do.
 * `code` is stable and machine-readable; logs and the health endpoint carry it.
 *
 * @example
 * ```ts
 * throw new ConfigError("CONFIG_INVALID", "Invalid keeper config", {
 *   details: "signer.fees.maxFeePerGasGwei: expected a decimal string",
 *   hint: 'Write gas prices as gwei strings, e.g. "30".',
 * });
 * ```
 */

/** Options shared by every keeper error. */
export interface KeeperErrorOptions {
  /** The values involved, one line each. */
  readonly details?: string;
  /** What the operator (or the calling code) can do about it. */
  readonly hint?: string;
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

/** Base error: a short message, details and a hint. */
export class KeeperError<C extends string = string> extends Error {
  override name = "KeeperError";
  /** Stable machine-readable code, e.g. `CONFIG_INVALID`. */
  readonly code: C;
  /** One line, no values interpolated beyond what identifies the failure. */
  readonly shortMessage: string;
  readonly details?: string;
  readonly hint?: string;

  constructor(code: C, shortMessage: string, options: KeeperErrorOptions = {}) {
    super(KeeperError.compose(shortMessage, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.hint = options.hint;
  }

  /** The JSON shape logs and IPC replies carry. */
  toJSON(): { name: string; code: C; message: string; details?: string; hint?: string } {
    return { name: this.name, code: this.code, message: this.shortMessage, details: this.details, hint: this.hint };
  }

  private static compose(shortMessage: string, options: KeeperErrorOptions): string {
    const lines = [shortMessage];
    if (options.details) lines.push("", `Details: ${options.details}`);
    if (options.hint) lines.push(`Hint: ${options.hint}`);
    return lines.join("\n");
  }
}

/** The config file is missing, unreadable or invalid. */
export class ConfigError extends KeeperError<"CONFIG_UNREADABLE" | "CONFIG_INVALID"> {
  override name = "ConfigError";
}

/** A start-up check against the chain failed: the service refuses to start. */
export class PreflightError extends KeeperError<"PREFLIGHT_RPC" | "PREFLIGHT_CHAIN_ID" | "PREFLIGHT_NO_CODE" | "PREFLIGHT_SECRET_EXPOSED"> {
  override name = "PreflightError";
}

/** Codes of {@link RpcError}. */
export type RpcErrorCode = "RPC_UNREACHABLE" | "RPC_TIMEOUT" | "RPC_RATE_LIMITED" | "RPC_HTTP" | "RPC_BAD_RESPONSE" | "RPC_ERROR";

/** A JSON-RPC request failed; `rpcCode`/`rpcData` are set when the node answered with an error object. */
export class RpcError extends KeeperError<RpcErrorCode> {
  override name = "RpcError";
  readonly method: string;
  readonly endpoint: string;
  readonly rpcCode?: number;
  readonly rpcData?: unknown;
  /** Milliseconds the endpoint asked us to wait (HTTP 429 Retry-After), if any. */
  readonly retryAfterMs?: number;

  constructor(
    code: RpcErrorCode,
    shortMessage: string,
    fields: { method: string; endpoint: string; rpcCode?: number; rpcData?: unknown; retryAfterMs?: number },
    options: KeeperErrorOptions = {},
  ) {
    super(code, shortMessage, options);
    this.method = fields.method;
    this.endpoint = fields.endpoint;
    this.rpcCode = fields.rpcCode;
    this.rpcData = fields.rpcData;
    this.retryAfterMs = fields.retryAfterMs;
  }

  /** True when the failure says nothing about the request itself (transport, timeout, rate limit). */
  get transient(): boolean {
    return this.code !== "RPC_ERROR";
  }
}

/** A message on an IPC channel was too large, not JSON, or did not match its schema. */
export class IpcError extends KeeperError<"IPC_FRAME_TOO_LARGE" | "IPC_BAD_JSON" | "IPC_SCHEMA" | "IPC_CLOSED"> {
  override name = "IpcError";
}

/** Codes of {@link PolicyError}: why the signer refused an intent. */
export type PolicyErrorCode =
  | "POLICY_UNKNOWN_STRATEGY"
  | "POLICY_CONTRACT_NOT_ALLOWED"
  | "POLICY_SELECTOR_NOT_ALLOWED"
  | "POLICY_GAS_CAP"
  | "POLICY_RATE_LIMIT"
  | "POLICY_SPEND_CAP"
  | "POLICY_DUPLICATE";

/** The signer refused an intent. Nothing was signed. */
export class PolicyError extends KeeperError<PolicyErrorCode> {
  override name = "PolicyError";
}

/** The durable journal is unreadable, corrupt or locked by another live process. */
export class JournalError extends KeeperError<"JOURNAL_CORRUPT" | "JOURNAL_IO" | "JOURNAL_LOCKED"> {
  override name = "JournalError";
}

/** The signer could not load its key. */
export class SignerKeyError extends KeeperError<"SIGNER_KEY_MISSING" | "SIGNER_KEY_INVALID" | "SIGNER_KEYSTORE"> {
  override name = "SignerKeyError";
}

/** Renders any thrown value as a short string for logs. */
export function errorMessage(err: unknown): string {
  if (err instanceof KeeperError) return err.shortMessage + (err.details ? ` (${err.details})` : "");
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Renders any thrown value as log fields. */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof KeeperError) return { error: err.toJSON() };
  if (err instanceof Error) return { error: { name: err.name, message: err.message } };
  return { error: { message: String(err) } };
}
