import { expect } from "chai";
import { PassThrough } from "node:stream";
import { z } from "zod";
import type { IpcError } from "../../../../keepers/src/core/errors";
import { FramedChannel } from "../../../../keepers/src/core/ipc";
import { intentKey, intentSchema, strategyMessageSchema } from "../../../../keepers/src/core/messages";

function channel<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, maxFrameBytes = 64) {
  const stream = new PassThrough();
  const ch = new FramedChannel<T>(stream, { name: "test", maxFrameBytes, schema });
  const messages: T[] = [];
  const violations: IpcError[] = [];
  ch.on("message", (m) => messages.push(m));
  ch.on("violation", (e) => violations.push(e));
  return { stream, ch, messages, violations };
}

const validIntent = {
  id: "liq-1",
  action: "liquidate",
  account: "0x0000000000000000000000000000000000000001",
  series: "7",
  to: "0x0000000000000000000000000000000000000002",
  data: "0xbcbaf48700",
};

describe("keepers core/ipc", () => {
  it("reassembles frames split across chunks and several frames in one chunk", () => {
    const { stream, messages, violations } = channel(z.object({ n: z.number() }).strict());
    stream.write('{"n":');
    stream.write('1}\n{"n":2}\n{"n"');
    stream.write(":3}\n");
    expect(messages).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(violations).to.have.length(0);
  });

  it("reports oversized, non-JSON and off-schema frames as violations without throwing", () => {
    const { stream, messages, violations } = channel(z.object({ n: z.number() }).strict(), 32);
    stream.write(`${"x".repeat(100)}\n`);
    stream.write("not json\n");
    stream.write('{"n":"1"}\n');
    stream.write('{"n":1,"extra":true}\n');
    stream.write('{"n":4}\n');
    expect(violations.map((v) => v.code)).to.deep.equal(["IPC_FRAME_TOO_LARGE", "IPC_BAD_JSON", "IPC_SCHEMA", "IPC_SCHEMA"]);
    expect(messages).to.deep.equal([{ n: 4 }]);
  });

  it("the intent schema refuses a value field, bad hex, calldata without a selector and bad addresses", () => {
    expect(intentSchema.safeParse(validIntent).success).to.equal(true);
    expect(intentSchema.safeParse({ ...validIntent, value: "1" }).success).to.equal(false);
    expect(intentSchema.safeParse({ ...validIntent, data: "0xzz" }).success).to.equal(false);
    expect(intentSchema.safeParse({ ...validIntent, data: "0x1234" }).success).to.equal(false);
    expect(intentSchema.safeParse({ ...validIntent, to: "0x12" }).success).to.equal(false);
    expect(intentSchema.safeParse({ ...validIntent, series: "-1" }).success).to.equal(false);
    expect(intentSchema.safeParse({ ...validIntent, data: `0x${"00".repeat(5000)}` }).success).to.equal(false);
  });

  it("a strategy cannot send signer-only messages", () => {
    expect(strategyMessageSchema.safeParse({ t: "intent", intent: validIntent }).success).to.equal(true);
    expect(strategyMessageSchema.safeParse({ t: "result", id: "x", key: "k", status: "confirmed" }).success).to.equal(false);
    expect(strategyMessageSchema.safeParse({ t: "intent", strategy: "other", intent: validIntent }).success).to.equal(false);
  });

  it("the idempotency key is action:account:series with a lower-case account", () => {
    expect(intentKey({ action: "liquidate", account: "0xABCDEF0000000000000000000000000000000001", series: "7" })).to.equal(
      "liquidate:0xabcdef0000000000000000000000000000000001:7",
    );
  });
});
