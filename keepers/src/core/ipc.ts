/**
 * A framed message channel between the supervisor and a child process: newline-delimited JSON over a
 * pipe (the child's fd 3), every frame size-capped and schema-validated.
 *
 * Why not `child_process.fork` and its built-in IPC: on Node 20 the parent parses the built-in
 * channel with `JSON.parse` inside a libuv callback, so a child that writes raw bytes to the channel's
 * file descriptor throws an uncaught SyntaxError *in the parent* and takes the supervisor down. Here
 * the parent owns the parser: a frame that is too large, not JSON, or off-schema becomes a
 * `violation` event (the supervisor kills that child) and nothing else happens.
 *
 * @example
 * ```ts
 * const ch = new FramedChannel(child.stdio[3] as Duplex, { name: "liquidator", maxFrameBytes: 65_536, schema });
 * ch.on("message", (m) => …);
 * ch.on("violation", (err) => child.kill("SIGKILL"));
 * ```
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import type { z } from "zod";
import { IpcError } from "./errors";
import { toLogValue } from "./logger";

export interface FramedChannelOptions<T> {
  /** Used in error messages. */
  readonly name: string;
  /** Largest accepted frame, newline excluded. */
  readonly maxFrameBytes: number;
  /** Schema every incoming frame must satisfy. */
  readonly schema: z.ZodType<T, z.ZodTypeDef, unknown>;
}

export interface FramedChannelEvents<T> {
  message: [T];
  violation: [IpcError];
  close: [];
}

export class FramedChannel<T> extends EventEmitter<FramedChannelEvents<T>> {
  private readonly stream: Duplex;
  private readonly opts: FramedChannelOptions<T>;
  private chunks: Buffer[] = [];
  private pending = 0;
  /** After an oversized frame, bytes are dropped until the next newline. */
  private discarding = false;
  private closed = false;

  constructor(stream: Duplex, opts: FramedChannelOptions<T>) {
    super();
    this.stream = stream;
    this.opts = opts;
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.on("error", () => this.onClose());
    stream.on("close", () => this.onClose());
    stream.on("end", () => this.onClose());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends one message; returns false if the channel is closed. bigint values travel as decimal strings. */
  send(message: object): boolean {
    if (this.closed || this.stream.destroyed || !this.stream.writable) return false;
    try {
      this.stream.write(`${JSON.stringify(message, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`);
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the channel; the other side sees end-of-stream. */
  close(): void {
    if (this.closed) return;
    this.stream.end();
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks = [];
    this.emit("close");
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.append(chunk.subarray(start));
        return;
      }
      this.append(chunk.subarray(start, nl));
      this.flushFrame();
      start = nl + 1;
    }
  }

  private append(part: Buffer): void {
    if (part.length === 0 || this.discarding) return;
    this.pending += part.length;
    if (this.pending > this.opts.maxFrameBytes) {
      this.chunks = [];
      this.pending = 0;
      this.discarding = true;
      this.violate(new IpcError("IPC_FRAME_TOO_LARGE", `Frame from ${this.opts.name} exceeds ${this.opts.maxFrameBytes} bytes`));
      return;
    }
    this.chunks.push(part);
  }

  private flushFrame(): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    const line = Buffer.concat(this.chunks).toString("utf8");
    this.chunks = [];
    this.pending = 0;
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.violate(new IpcError("IPC_BAD_JSON", `Frame from ${this.opts.name} is not JSON`, { details: JSON.stringify(toLogValue(line.slice(0, 120))) }));
      return;
    }
    const parsed = this.opts.schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.violate(
        new IpcError("IPC_SCHEMA", `Frame from ${this.opts.name} does not match the protocol`, {
          details: `${issue.path.join(".") || "(root)"}: ${issue.message}`,
        }),
      );
      return;
    }
    this.emit("message", parsed.data);
  }

  private violate(err: IpcError): void {
    this.emit("violation", err);
  }
}
