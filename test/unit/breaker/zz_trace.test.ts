import { network } from "hardhat";
import fs from "node:fs";
import { Cls, ETH, ETH_SPOT, Status, deployBreakerWithReferences } from "./breakerFixture";
describe("trace", () => {
  it("t", async () => {
    const { gated } = await deployBreakerWithReferences();
    const tx = await gated.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK);
    const trace: any = await network.provider.send("debug_traceTransaction", [
      tx.hash,
      { disableMemory: true, disableStorage: true },
    ]);
    const out = trace.structLogs
      .filter((l: any) => l.depth >= 1)
      .map((l: any) => `${l.depth} ${l.pc} ${l.op} ${l.gasCost} ${l.gas}`);
    fs.writeFileSync("/tmp/trace.txt", out.join("\n"));
  });
});
