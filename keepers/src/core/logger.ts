/**
 * Structured JSON logs: one object per line, every line tagged with its chain and component.
 *
 * @example
 * ```ts
 * const log = new Logger({ chain: 1, component: "supervisor", level: "info" });
 * log.child("signer").warn("fee above cap", { baseFeeGwei: "212.4" });
 * // {"ts":"…","level":"warn","chain":1,"component":"signer","msg":"fee above cap","baseFeeGwei":"212.4"}
 * ```
 */
import { KeeperError } from "./errors";

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One log line before serialisation. */
export interface LogRecord {
  ts: string;
  level: LogLevel;
  chain: number | null;
  component: string;
  msg: string;
  [field: string]: unknown;
}

/** Where records go. The default writes JSON lines to stdout. */
export type LogSink = (record: LogRecord) => void;

/** Longest string value kept in a log field; longer ones are cut (a strategy could log megabytes). */
const MAX_STRING = 2_000;

const RESERVED = new Set(["ts", "level", "chain", "component", "msg"]);

/** Converts a value into something JSON can carry: bigint to decimal string, errors to objects, long strings cut. */
export function toLogValue(value: unknown, depth = 0): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length} chars)` : value;
  if (value instanceof KeeperError) return value.toJSON();
  if (value instanceof Error) return { name: value.name, message: toLogValue(value.message, depth + 1) };
  if (value === null || typeof value !== "object") return value;
  if (depth >= 4) return "[depth]";
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => toLogValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 50)) out[k] = toLogValue(v, depth + 1);
  return out;
}

/** Serialises a record as one JSON line (no trailing newline). */
export function formatRecord(record: LogRecord): string {
  return JSON.stringify(toLogValue(record, -1));
}

export const stdoutSink: LogSink = (record) => {
  process.stdout.write(`${formatRecord(record)}\n`);
};

export interface LoggerOptions {
  chain: number | null;
  component: string;
  level?: LogLevel;
  sink?: LogSink;
  /** Fields added to every record of this logger. */
  fields?: Record<string, unknown>;
}

export class Logger {
  readonly chain: number | null;
  readonly component: string;
  readonly level: LogLevel;
  private readonly sink: LogSink;
  private readonly fields: Record<string, unknown>;

  constructor(options: LoggerOptions) {
    this.chain = options.chain;
    this.component = options.component;
    this.level = options.level ?? "info";
    this.sink = options.sink ?? stdoutSink;
    this.fields = options.fields ?? {};
  }

  /** A logger for a sub-component, same chain, sink and level. */
  child(component: string, fields: Record<string, unknown> = {}): Logger {
    return new Logger({
      chain: this.chain,
      component,
      level: this.level,
      sink: this.sink,
      fields: { ...this.fields, ...fields },
    });
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.level);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log("debug", msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log("info", msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log("warn", msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log("error", msg, fields);
  }

  log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    if (!this.enabled(level)) return;
    const record: LogRecord = {
      ts: new Date().toISOString(),
      level,
      chain: this.chain,
      component: this.component,
      msg,
    };
    // Caller fields never overwrite the tags: a line always says which chain and component wrote it.
    for (const [k, v] of Object.entries({ ...this.fields, ...fields })) {
      if (!RESERVED.has(k)) record[k] = v;
    }
    try {
      this.sink(record);
    } catch {
      // A broken sink (closed pipe) must not take the process down with it.
    }
  }
}
