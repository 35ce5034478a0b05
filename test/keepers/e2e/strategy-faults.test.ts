import { expect } from "chai";
import { encryptKeystoreJson, Interface, Wallet } from "ethers";
import * as fs from "node:fs";
import * as path from "node:path";
import { fundedKey, minedTxsFrom, randomAccount, WAD } from "../helpers/chain";
import { buildFixtures, tempDir, type LogLine } from "../helpers/keeper";
import { sleep, waitFor } from "../../helpers/processes";
import { keeperSuite, newMock, startKeeper, type StartedKeeper } from "../helpers/suite";
import type { KeeperTargetMock } from "../../../typechain-types";

describe("keepers e2e: misbehaving strategies are contained", function () {
  this.timeout(150_000);
  const ctx = keeperSuite();
  let fixtures: string;
  before(() => {
    fixtures = buildFixtures();
  });

  function custom(name: string, file: string, target: string, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    return {
      [name]: {
        type: "custom",
        module: path.join(fixtures, file),
        enabled: true,
        heapMb: 64,
        memoryLimitMb: 256,
        policy: { allow: [{ contract: target, functions: ["isLiquidatable(address,uint256)"] }], maxIntentsPerMinute: 30 },
        params,
        ...extra,
      },
    };
  }

  const exits = (k: StartedKeeper, child: string): LogLine[] =>
    k.run.filter((l) => l.msg === "child exited; restarting after back-off" && l.child === child);

  /** The liquidator keeps working and neither it nor the signer was ever restarted. */
  async function othersUnaffected(k: StartedKeeper, mock: KeeperTargetMock): Promise<void> {
    const a = randomAccount();
    await (await mock.setHealth(a, 1, WAD / 2n)).wait();
    await waitFor("liquidator still liquidates", async () => (await mock.liquidationCount(a, 1)) === 1n, 20_000);
    expect(exits(k, "signer")).to.have.length(0);
    expect(exits(k, "liquidator")).to.have.length(0);
    const h = await k.run.health();
    expect(h.signals.signer.ok).to.equal(true);
    expect(h.signals.strategies.liquidator.ok).to.equal(true);
  }

  it("a crashing strategy is restarted with exponential back-off while the others keep working", async () => {
    const mock = await newMock(ctx);
    const target = await mock.getAddress();
    const k = await startKeeper(ctx, { target, patch: { strategies: custom("crasher", "crasher.js", target) } });
    await waitFor("three crashes", () => exits(k, "crasher").length >= 3, 30_000);
    const delays = exits(k, "crasher").map((l) => l.restartInMs as number);
    expect(delays.slice(0, 3)).to.deep.equal([200, 400, 800]);
    expect(exits(k, "crasher")[0].reason).to.equal("crash");
    expect(exits(k, "crasher")[0].detail).to.equal("exited with code 7");
    await othersUnaffected(k, mock);
    expect(await k.run.metric("keeper_child_restarts_total", { child: "crasher", reason: "crash" })).to.be.gte(1);
  });

  it("a hung strategy (busy loop, no heartbeats) is killed and restarted", async () => {
    const mock = await newMock(ctx);
    const target = await mock.getAddress();
    const k = await startKeeper(ctx, { target, patch: { strategies: custom("hanger", "hanger.js", target) } });
    await waitFor("hang detected", () => exits(k, "hanger")[0], 20_000);
    expect(exits(k, "hanger")[0].reason).to.equal("hang");
    await waitFor("hanger restarted", () => k.run.filter((l) => l.msg === "child started" && l.child === "hanger").length >= 2, 10_000);
    await othersUnaffected(k, mock);
  });

  it("a strategy that exhausts its heap, or its resident-set limit with buffers, is killed for memory", async () => {
    const mock = await newMock(ctx);
    const target = await mock.getAddress();
    const k = await startKeeper(ctx, {
      target,
      patch: {
        strategies: {
          ...custom("heap-hog", "hog.js", target, { mode: "heap" }),
          ...custom("buffer-hog", "hog.js", target, { mode: "buffers" }, { memoryLimitMb: 128 }),
        },
      },
    });
    await waitFor("heap hog killed", () => exits(k, "heap-hog")[0], 30_000);
    await waitFor("buffer hog killed", () => exits(k, "buffer-hog")[0], 30_000);
    expect(exits(k, "heap-hog")[0].reason).to.equal("memory");
    expect(exits(k, "buffer-hog")[0].reason).to.equal("memory");
    expect(String(exits(k, "buffer-hog")[0].detail)).to.contain("resident set");
    await othersUnaffected(k, mock);
  });

  it("a strategy writing garbage to its channel (raw bytes, oversized frame, off-protocol JSON) is killed; the supervisor stays up", async () => {
    const mock = await newMock(ctx);
    const target = await mock.getAddress();
    const k = await startKeeper(ctx, {
      target,
      patch: {
        strategies: {
          ...custom("garbage-bytes", "garbage.js", target, { mode: "bytes" }),
          ...custom("garbage-oversize", "garbage.js", target, { mode: "oversize" }),
          ...custom("garbage-schema", "garbage.js", target, { mode: "schema" }),
        },
      },
    });
    for (const name of ["garbage-bytes", "garbage-oversize", "garbage-schema"]) {
      await waitFor(`${name} killed`, () => exits(k, name)[0], 30_000);
      expect(exits(k, name)[0].reason).to.equal("protocol");
    }
    expect(String(exits(k, "garbage-bytes")[0].detail)).to.contain("IPC_BAD_JSON");
    expect(String(exits(k, "garbage-oversize")[0].detail)).to.contain("IPC_FRAME_TOO_LARGE");
    expect(String(exits(k, "garbage-schema")[0].detail)).to.contain("IPC_SCHEMA");
    expect(k.run.find((l) => l.msg === "intent accepted" && l.strategy !== "liquidator")).to.equal(undefined);
    await othersUnaffected(k, mock);
    expect(await k.run.metric("keeper_ipc_violations_total", { child: "garbage-bytes" })).to.be.gte(1);
  });

  it("a malicious strategy can read neither key nor journal nor environment, cannot signal the supervisor, and gets nothing outside its policy signed", async () => {
    const mock = await newMock(ctx);
    const other = await newMock(ctx);
    const target = await mock.getAddress();
    // The signer key comes from an encrypted keystore this time.
    const key = await fundedKey(ctx.node);
    const secrets = tempDir("secrets");
    const keystorePath = path.join(secrets, "keystore.json");
    fs.writeFileSync(keystorePath, await encryptKeystoreJson({ address: key.address, privateKey: key.privateKey }, "pw", { scrypt: { N: 1 << 10 } }));
    const dataDir = tempDir("data");
    const iface = new Interface(["function liquidate(address,uint256)", "function setHealth(address,uint256,uint256)", "function setHalted(bool)"]);
    const dead = "0x000000000000000000000000000000000000dEaD";
    const k = await startKeeper(ctx, {
      target,
      key,
      dataDir,
      extraEnv: { KEYSTORE_PASSWORD: "pw" },
      patch: {
        signer: { key: { source: "keystore", path: keystorePath, passwordEnv: "KEYSTORE_PASSWORD", env: undefined } },
        strategies: custom("malicious", "malicious.js", target, {
          keystorePath,
          journalPath: path.join(dataDir, "journal.jsonl"),
          configPath: path.join(secrets, "..", "x.json"),
          writePath: path.join(secrets, "pwned.txt"),
          target,
          otherContract: await other.getAddress(),
          calldata: {
            liquidate: iface.encodeFunctionData("liquidate", [dead, 1]),
            setHealth: iface.encodeFunctionData("setHealth", [dead, 1, 0]),
            setHalted: iface.encodeFunctionData("setHalted", [true]),
          },
        }),
      },
      waitFor: ["liquidator", "malicious"],
    });
    await waitFor("probe reports", () => k.run.filter((l) => l.msg === "probe").length >= 12, 15_000);
    const probes = k.run.filter((l) => l.msg === "probe" && l.component === "strategy:malicious");
    expect(probes).to.have.length(12);
    const outcomes = Object.fromEntries(probes.map((p) => [p.probe, p.outcome]));
    expect(outcomes).to.deep.equal({
      "read-keystore": "denied:ERR_ACCESS_DENIED",
      "read-journal": "denied:ERR_ACCESS_DENIED",
      "read-config": "denied:ERR_ACCESS_DENIED",
      "read-parent-environ": "denied:ERR_ACCESS_DENIED",
      "write-file": "denied:ERR_ACCESS_DENIED",
      "spawn-process": "denied:ERR_ACCESS_DENIED",
      "start-worker": "denied:ERR_ACCESS_DENIED",
      "signal-supervisor": "denied:ERR_ACCESS_DENIED",
      "signal-supervisor-internal": "denied:ERR_ACCESS_DENIED",
      "renice-supervisor": "denied:ERR_ACCESS_DENIED",
      "restore-kill": "denied:Cannot redefine property: kill",
      environment: "denied:EMPTY",
    });
    expect(fs.existsSync(path.join(secrets, "pwned.txt"))).to.equal(false);

    await waitFor("policy refusals", () => {
      const codes = new Set(k.run.filter((l) => l.msg === "intent refused by policy" && l.strategy === "malicious").map((l) => l.code));
      return codes.has("POLICY_CONTRACT_NOT_ALLOWED") && codes.has("POLICY_SELECTOR_NOT_ALLOWED");
    }, 20_000);
    await othersUnaffected(k, mock);
    expect(await mock.halted()).to.equal(false);
    expect(await mock.liquidationCount(dead, 1)).to.equal(0n);
    const mined = await minedTxsFrom(ctx.provider, key.address);
    expect(mined.every((m) => m.to === target && m.status === 1)).to.equal(true);
    expect(k.run.find((l) => l.msg === "intent accepted" && l.strategy === "malicious")).to.equal(undefined);
  });

  it("a strategy flooding intents is rate-limited, then killed as a runaway", async () => {
    const mock = await newMock(ctx);
    const target = await mock.getAddress();
    const calldata = new Interface(["function liquidate(address,uint256)"]).encodeFunctionData("liquidate", [Wallet.createRandom().address, 1]);
    const k = await startKeeper(ctx, {
      target,
      patch: {
        strategies: custom("flooder", "malicious.js", target, { flood: true, target, otherContract: target, calldata: { liquidate: calldata }, keystorePath: "/", journalPath: "/", configPath: "/", writePath: "/tmp/x" }, {
          policy: { allow: [{ contract: target, functions: ["liquidate(address,uint256)"] }], maxIntentsPerMinute: 10 },
        }),
      },
    });
    await waitFor("runaway kill", () => exits(k, "flooder")[0], 20_000);
    expect(exits(k, "flooder")[0].reason).to.equal("runaway");
    expect(await k.run.metric("keeper_intents_total", { strategy: "flooder", status: "dropped" })).to.be.gte(1);
    // At most its budget reached the signer.
    expect(k.run.filter((l) => l.strategy === "flooder" && (l.msg === "intent accepted" || l.msg === "intent refused by policy")).length).to.be.lte(10);
    await sleep(500);
    await othersUnaffected(k, mock);
  });
});
