import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  configuredContracts,
  itemsPerBatch,
  LIQUIDATE_MANY_SIGNATURE,
  loadConfig,
  MAX_SAFETY_BAND_WAD,
  MIN_SAFETY_BAND_WAD,
  selectorOf,
  validateConfig,
} from "../../../../keepers/src/core/config";
import { ConfigError } from "../../../../keepers/src/core/errors";
import { merge, removeTempDirs, tempDir, testConfig } from "../../helpers/keeper";

const TARGET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const LIQUIDATION = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const base = () => testConfig({ rpcUrls: ["http://127.0.0.1:8545"], dataDir: "./data", target: TARGET });

function problems(raw: unknown): string {
  try {
    validateConfig(raw, "/etc/keeper/keeper.json");
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).code).to.equal("CONFIG_INVALID");
    return (err as ConfigError).details ?? "";
  }
  throw new Error("config was accepted");
}

describe("keepers core/config", () => {
  after(removeTempDirs);
  it("accepts the test config and resolves paths against the config file's directory", () => {
    const c = validateConfig(base(), "/etc/keeper/keeper.json");
    expect(c.dataDir).to.equal("/etc/keeper/data");
    expect(c.signer.fees.baseFeeMultiplier).to.equal(2);
    expect(c.supervisor.heartbeatIntervalMs).to.equal(200);
    expect(configuredContracts(c).map((x) => x.address)).to.deep.equal([TARGET, TARGET]);
  });

  it("the example config shipped for operators is valid", () => {
    const example = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", "keepers", "config.example.json"), "utf8"));
    expect(validateConfig(example, "/etc/bulwark-keeper/keeper.json").strategies.liquidator.enabled).to.equal(true);
  });

  describe("deployment record", () => {
    const ENGINE = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
    /** Writes `<root>/deploy/deployments/localhost-31337.json` and returns the path of `<root>/keepers/keeper.json`. */
    function layout(record: Record<string, unknown>): string {
      const root = tempDir("record");
      fs.mkdirSync(path.join(root, "deploy", "deployments"), { recursive: true });
      fs.mkdirSync(path.join(root, "keepers"));
      fs.writeFileSync(path.join(root, "deploy", "deployments", "localhost-31337.json"), JSON.stringify(record));
      return path.join(root, "keepers", "keeper.json");
    }
    const record = (o: Record<string, unknown> = {}) => ({
      network: "localhost",
      chainId: 31337,
      block: 42,
      addresses: { engine: ENGINE.toLowerCase(), liquidation: LIQUIDATION, router: TARGET, breaker: TARGET, vault: TARGET },
      ...o,
    });

    it("the deployment-record example resolves every reference: addresses checksummed, fromBlock the record's block", () => {
      const configPath = layout(record());
      const example = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", "keepers", "config.deployment.example.json"), "utf8"));
      const c = validateConfig(example, configPath);
      const liq = c.strategies.liquidator;
      expect(liq.type === "liquidator" && liq.params).to.include({ target: ENGINE, liquidation: LIQUIDATION, fromBlock: 42 });
      expect(liq.policy.allow[0].contract).to.equal(LIQUIDATION);
      expect(c.strategies.settler.type === "settler" && c.strategies.settler.params.engine).to.equal(ENGINE);
      expect("deployment" in c).to.equal(false); // resolved once: the signer gets plain addresses
    });

    it("refuses a record of another chain, a name the record lacks, and a missing record", () => {
      const cfg = (configPath: string, patch: Record<string, unknown> = {}) =>
        merge(base(), { deployment: "../deploy/deployments/localhost-31337.json", strategies: { liquidator: { params: { target: "deployment:engine", ...patch } } } });
      const other = layout(record({ chainId: 1, network: "mainnet" }));
      expect(() => validateConfig(cfg(other), other)).to.throw(ConfigError, /deployment record is for another chain/);
      try {
        validateConfig(cfg(other), other);
      } catch (err) {
        expect((err as ConfigError).details).to.contain("chain 1 (mainnet); the config says chainId 31337");
      }
      const ok = layout(record());
      let details = "";
      try {
        validateConfig(cfg(ok, { target: "deployment:enigne" }), ok);
      } catch (err) {
        details = `${(err as ConfigError).message}`;
      }
      expect(details).to.contain('strategies.liquidator.params.target: "deployment:enigne"').and.to.contain("has: engine, liquidation");
      expect(() => validateConfig(cfg(ok), "/nowhere/keeper.json")).to.throw(ConfigError, /deployment record unreadable/);
      expect(validateConfig(cfg(ok), ok).strategies.liquidator.type === "liquidator" && validateConfig(cfg(ok), ok).strategies.liquidator.params).to.include({ target: ENGINE });
    });
  });

  it("refuses an unknown key and suggests the field with its unit", () => {
    const raw = merge(base(), { signer: { fees: { maxFeePerGas: 100 } } });
    const msg = problems(raw);
    expect(msg).to.contain("signer.fees.maxFeePerGas: unknown key");
    expect(msg).to.contain('did you mean "maxFeePerGasGwei"');
  });

  it("refuses a misspelt key with the closest known key as hint", () => {
    expect(problems(merge(base(), { rpc: { pollIntervalMS: 100 } }))).to.contain('did you mean "pollIntervalMs"');
    expect(problems(merge(base(), { chainID: 1 }))).to.contain('did you mean "chainId"');
  });

  it("refuses gas prices given as numbers or with a unit, and non-integer durations", () => {
    expect(problems(merge(base(), { signer: { fees: { maxFeePerGasGwei: 50 } } }))).to.contain("signer.fees.maxFeePerGasGwei: expected gwei as a decimal string");
    expect(problems(merge(base(), { signer: { fees: { maxFeePerGasGwei: "50 gwei" } } }))).to.contain("without a unit");
    expect(problems(merge(base(), { rpc: { timeoutMs: 1.5 } }))).to.contain("rpc.timeoutMs: expected an integer number of milliseconds");
    expect(problems(merge(base(), { signer: { budget: { maxSpendPerHourEth: 1 } } }))).to.contain("expected ether as a decimal string");
  });

  it("refuses malformed and non-checksummed addresses, showing the checksummed form", () => {
    const lower = TARGET.toLowerCase();
    const raw = merge(base(), { strategies: { liquidator: { params: { target: lower } } } });
    expect(problems(raw)).to.contain(`its checksummed form is ${TARGET}`);
    const bad = merge(base(), { strategies: { liquidator: { params: { target: "0x1234" } } } });
    expect(problems(bad)).to.contain('malformed address "0x1234"');
  });

  it("accepts the protocol strategies with their params and lists every contract they name", () => {
    const ROUTER = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    const ENGINE = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
    const allow = (contract: string, fn: string) => ({ allow: [{ contract, functions: [fn] }], maxIntentsPerMinute: 60 });
    const c = validateConfig(
      merge(base(), {
        strategies: {
          settler: { type: "settler", enabled: true, policy: allow(ENGINE, "settle(address,uint256)"), params: { router: ROUTER, engine: ENGINE, fromBlock: 0 } },
          watchdog: { type: "breaker-watchdog", enabled: true, policy: allow(TARGET, "poke(bytes32)"), params: { breaker: TARGET, router: ROUTER, scopes: ["ETH", "GLOBAL"] } },
          redeem: { type: "redeem-queue", enabled: true, policy: allow(TARGET, "processRedeemQueue(uint256)"), params: { vault: TARGET } },
        },
      }),
      "/etc/keeper/keeper.json",
    );
    const settler = c.strategies.settler;
    expect(settler.type === "settler" && settler.params.maxIntentsPerBlock).to.equal(20);
    const redeem = c.strategies.redeem;
    expect(redeem.type === "redeem-queue" && redeem.params.maxRequests).to.equal(20);
    const paths = configuredContracts(c).map((x) => x.path);
    expect(paths).to.include.members(["strategies.settler.params.router", "strategies.settler.params.engine", "strategies.watchdog.params.breaker", "strategies.redeem.params.vault"]);
  });

  it("refuses protocol strategies without their params, unknown types, and the engine liquidator without a venue", () => {
    const noParams = merge(base(), { strategies: { settler: { type: "settler", enabled: true, policy: { allow: [{ contract: TARGET, functions: ["settle(address,uint256)"] }], maxIntentsPerMinute: 60 } } } });
    expect(problems(noParams)).to.contain("strategies.settler.params: required");
    const badScope = merge(base(), {
      strategies: { w: { type: "breaker-watchdog", enabled: true, policy: { allow: [{ contract: TARGET, functions: ["poke(bytes32)"] }], maxIntentsPerMinute: 60 }, params: { breaker: TARGET, router: TARGET, scopes: ["E T H"] } } },
    });
    expect(problems(badScope)).to.contain("strategies.w.params.scopes[0]");
    const unknown = merge(base(), { strategies: { x: { type: "teleporter", enabled: true } } });
    expect(problems(unknown)).to.contain("strategies.x.type");
    const engine = merge(base(), { strategies: { liquidator: { params: { source: "margin-engine" } } } });
    expect(problems(engine)).to.contain('strategies.liquidator.params.liquidation: required with "source": "margin-engine"');
    const mockWithVenue = merge(base(), { strategies: { liquidator: { params: { liquidation: LIQUIDATION } } } });
    expect(problems(mockWithVenue)).to.contain('strategies.liquidator.params.liquidation: only used with "source": "margin-engine"');
  });

  it("accepts the margin-engine liquidator with its LiquidationEngine, whose address preflight checks too", () => {
    const c = validateConfig(merge(base(), { strategies: { liquidator: { params: { source: "margin-engine", liquidation: LIQUIDATION } } } }), "/etc/keeper/keeper.json");
    expect(c.strategies.liquidator.type === "liquidator" && c.strategies.liquidator.params.liquidation).to.equal(LIQUIDATION);
    expect(configuredContracts(c).map((x) => x.path)).to.include("strategies.liquidator.params.liquidation");
  });

  describe("model safety band", () => {
    const engine = (params: Record<string, unknown>) => merge(base(), { strategies: { liquidator: { params: { source: "margin-engine", liquidation: LIQUIDATION, ...params } } } });
    const bandOf = (raw: unknown) => {
      const c = validateConfig(raw, "/etc/keeper/keeper.json").strategies.liquidator;
      return c.type === "liquidator" ? c.params.safetyBandWad : "not a liquidator";
    };

    it("accepts a band inside 0.1% to 50% as a WAD decimal string, bounds included, and leaves it absent by default", () => {
      expect(bandOf(engine({ safetyBandWad: "50000000000000000" }))).to.equal("50000000000000000");
      expect(bandOf(engine({ safetyBandWad: MIN_SAFETY_BAND_WAD.toString() }))).to.equal("1000000000000000");
      expect(bandOf(engine({ safetyBandWad: MAX_SAFETY_BAND_WAD.toString() }))).to.equal("500000000000000000");
      expect(bandOf(engine({}))).to.equal(undefined);
    });

    it("refuses a band below 0.1%, above 50%, zero, fractional, negative or given as a number", () => {
      const at = "strategies.liquidator.params.safetyBandWad";
      expect(problems(engine({ safetyBandWad: "999999999999999" }))).to.contain(`${at}: must be between 1000000000000000 (0.1%) and 500000000000000000 (50%)`);
      expect(problems(engine({ safetyBandWad: "500000000000000001" }))).to.contain(`${at}: must be between`);
      expect(problems(engine({ safetyBandWad: "0" }))).to.contain(`${at}: expected a positive integer WAD as a decimal string`);
      expect(problems(engine({ safetyBandWad: "0.02" }))).to.contain(`${at}: expected a positive integer WAD`);
      expect(problems(engine({ safetyBandWad: "-20000000000000000" }))).to.contain(`${at}: expected a positive integer WAD`);
      expect(problems(engine({ safetyBandWad: 2e16 }))).to.contain(`${at}: expected a WAD decimal string`);
    });

    it("refuses the band with the mock source, and a misspelt band key as unknown with the right one as hint", () => {
      const mock = merge(base(), { strategies: { liquidator: { params: { safetyBandWad: "20000000000000000" } } } });
      expect(problems(mock)).to.contain('strategies.liquidator.params.safetyBandWad: only used with "source": "margin-engine"');
      const typo = problems(engine({ safetyBandWAD: "20000000000000000" }));
      expect(typo).to.contain("strategies.liquidator.params.safetyBandWAD: unknown key").and.to.contain('did you mean "safetyBandWad"');
    });
  });

  describe("batched liquidations", () => {
    /** A margin-engine liquidator whose policy allows `functions` on the LiquidationEngine, batching with `batch`. */
    const batching = (batch: Record<string, unknown>, functions = ["liquidate(address,uint256,uint256)", LIQUIDATE_MANY_SIGNATURE], maxGasPerTx = 5_000_000) =>
      merge(base(), {
        signer: { gas: { maxGasPerTx } },
        strategies: {
          liquidator: {
            policy: { allow: [{ contract: LIQUIDATION, functions }], maxIntentsPerMinute: 120 },
            params: { source: "margin-engine", liquidation: LIQUIDATION, batch },
          },
        },
      });

    it("accepts a batch budget inside the signer's gas cap with liquidateMany allowed, and sizes batches by it", () => {
      const c = validateConfig(batching({ maxGasPerTx: 3_000_000, gasPerItem: 140_000 }), "/etc/keeper/keeper.json");
      const p = c.strategies.liquidator.type === "liquidator" ? c.strategies.liquidator.params : undefined;
      expect(p?.batch).to.deep.equal({ maxGasPerTx: 3_000_000, gasPerItem: 140_000, maxItems: 20 });
      expect(itemsPerBatch(p!.batch!)).to.equal(20); // (3,000,000 - 100,000) / 140,000 = 20.7, and the engine takes 20
      expect(itemsPerBatch({ maxGasPerTx: 1_000_000, gasPerItem: 140_000, maxItems: 20 })).to.equal(6);
      expect(itemsPerBatch({ maxGasPerTx: 3_000_000, gasPerItem: 100_000, maxItems: 8 })).to.equal(8);
      expect(itemsPerBatch({ maxGasPerTx: 250_000, gasPerItem: 150_000, maxItems: 20 })).to.equal(1);
    });

    it("refuses a budget that fits no item, one above the signer's cap, and more items than the engine takes", () => {
      expect(problems(batching({ maxGasPerTx: 200_000, gasPerItem: 150_000 }))).to.contain("strategies.liquidator.params.batch.maxGasPerTx: fits no item");
      expect(problems(batching({ maxGasPerTx: 3_000_000 }, undefined, 2_000_000))).to.contain(
        "strategies.liquidator.params.batch.maxGasPerTx: 3000000 exceeds signer.gas.maxGasPerTx (2000000)",
      );
      expect(problems(batching({ maxGasPerTx: 3_000_000, maxItems: 21 }))).to.contain("strategies.liquidator.params.batch.maxItems");
    });

    it("refuses batching when the policy does not allow liquidateMany on the LiquidationEngine, and with the mock", () => {
      expect(problems(batching({ maxGasPerTx: 3_000_000 }, ["liquidate(address,uint256,uint256)"]))).to.contain(
        `strategies.liquidator.policy.allow: batching sends ${LIQUIDATE_MANY_SIGNATURE} to the LiquidationEngine`,
      );
      // Allowed by selector is as good as by signature.
      expect(() => validateConfig(batching({ maxGasPerTx: 3_000_000 }, [selectorOf(LIQUIDATE_MANY_SIGNATURE)]), "/k.json")).not.to.throw();
      const mock = merge(base(), { strategies: { liquidator: { params: { batch: { maxGasPerTx: 3_000_000 } } } } });
      expect(problems(mock)).to.contain('strategies.liquidator.params.batch: only used with "source": "margin-engine"');
    });
  });

  it("signer.confirmedHoldBlocks defaults to 3 blocks, takes 0 (off) to 64, and refuses anything else with a clear message", () => {
    const hold = (v: unknown) => merge(base(), { signer: { confirmedHoldBlocks: v } });
    expect(validateConfig(base(), "/etc/keeper/keeper.json").signer.confirmedHoldBlocks).to.equal(3);
    for (const v of [0, 1, 64]) expect(validateConfig(hold(v), "/etc/keeper/keeper.json").signer.confirmedHoldBlocks).to.equal(v);
    expect(problems(hold(-1))).to.contain("signer.confirmedHoldBlocks: must be at least 0 blocks (0 turns the hold off)");
    expect(problems(hold(65))).to.contain("signer.confirmedHoldBlocks: must be at most 64 blocks");
    expect(problems(hold(2.5))).to.contain("signer.confirmedHoldBlocks: expected an integer number of blocks");
    expect(problems(hold("3"))).to.contain("signer.confirmedHoldBlocks: expected an integer number of blocks");
  });

  it("enforces cross-field rules", () => {
    expect(problems(merge(base(), { supervisor: { heartbeatTimeoutMs: 300 } }))).to.contain("at least twice supervisor.heartbeatIntervalMs");
    expect(problems(merge(base(), { signer: { fees: { maxPriorityFeePerGasGwei: "60" } } }))).to.contain("must not exceed signer.fees.maxFeePerGasGwei");
    expect(problems(merge(base(), { strategies: { liquidator: { enabled: false } } }))).to.contain("enable at least one strategy");
  });

  it("refuses function allowlist entries that are neither canonical signatures nor selectors", () => {
    const raw = merge(base(), {
      strategies: { liquidator: { policy: { allow: [{ contract: TARGET, functions: ["liquidate(address account, uint256)"] }] } } },
    });
    expect(problems(raw)).to.contain("neither a canonical function signature");
    for (const bad of ["f(uint256,)", "f((uint256)", "f(uint256))", "f(,)"]) {
      expect(problems(merge(base(), { strategies: { liquidator: { policy: { allow: [{ contract: TARGET, functions: [bad] }] } } } }))).to.contain(`"${bad}" is neither`);
    }
    // Tuples and arrays of tuples are canonical too: the batch entry point takes an array of structs.
    const tuples = merge(base(), { strategies: { liquidator: { policy: { allow: [{ contract: TARGET, functions: [LIQUIDATE_MANY_SIGNATURE, "g((uint256,(address,bool)[])[2],bytes32)"] }] } } } });
    expect(() => validateConfig(tuples, "/k.json")).not.to.throw();
    expect(selectorOf("liquidate(address,uint256)")).to.equal("0xbcbaf487");
    expect(selectorOf("0xBCBAF487")).to.equal("0xbcbaf487");
  });

  it("reports unreadable files and invalid JSON with their own messages", () => {
    expect(() => loadConfig("/nonexistent/keeper.json")).to.throw(ConfigError, "Cannot read config file");
    const dir = tempDir("cfg");
    const file = path.join(dir, "k.json");
    fs.writeFileSync(file, '{ "chainId": 1, }');
    expect(() => loadConfig(file)).to.throw(ConfigError, "is not valid JSON");
  });
});
