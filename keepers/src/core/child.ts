/**
 * The child side of the supervisor channel, shared by the signer and the strategy runner.
 * The channel is fd 3 (a pipe the supervisor created); when the supervisor goes away the pipe closes
 * and the child exits at once: an orphaned signer must never keep sending.
 */
import * as net from "node:net";
import type { z } from "zod";
import { FramedChannel } from "./ipc";
import type { LogSink } from "./logger";
import { PARENT_MAX_FRAME_BYTES } from "./messages";

/** Opens fd 3 as the channel to the supervisor. The process exits when it closes. */
export function openParentChannel<T>(name: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, onClose: () => void): FramedChannel<T> {
  const socket = new net.Socket({ fd: 3, readable: true, writable: true });
  const channel = new FramedChannel<T>(socket, { name, maxFrameBytes: PARENT_MAX_FRAME_BYTES, schema });
  channel.on("close", onClose);
  channel.on("violation", onClose);
  // Second line of defence: if we were re-parented (the supervisor died without the pipe closing), exit.
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) onClose();
  }, 1_000);
  timer.unref();
  return channel;
}

/** Waits for the first message, which must be the init message. */
export function waitForInit<T extends { t: string }>(channel: FramedChannel<T>, timeoutMs: number): Promise<Extract<T, { t: "init" }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no init message within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: T) => {
      if (m.t !== "init") return;
      clearTimeout(timer);
      channel.off("message", onMessage);
      resolve(m as Extract<T, { t: "init" }>);
    };
    channel.on("message", onMessage);
  });
}

/** A log sink that forwards records to the supervisor, which adds the chain and component tags. */
export function channelLogSink(channel: FramedChannel<unknown>): LogSink {
  return (record) => {
    const { ts: _ts, level, chain: _chain, component: _component, msg, ...fields } = record;
    channel.send({ t: "log", level, msg: msg.slice(0, 1_000), fields });
  };
}
