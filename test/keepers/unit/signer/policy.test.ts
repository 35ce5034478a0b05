import { expect } from "chai";
import { LIQUIDATE_MANY_SIGNATURE, selectorOf, validateConfig } from "../../../../keepers/src/core/config";
import { PolicyError } from "../../../../keepers/src/core/errors";
import type { Intent } from "../../../../keepers/src/core/messages";
import { Policy, SpendBudget } from "../../../../keepers/src/signer/policy";
import { merge, testConfig } from "../../helpers/keeper";

const TARGET = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const LIQUIDATE = "0xbcbaf487";

function policy(patch: Record<string, unknown> = {}): Policy {
  const raw = merge(testConfig({ rpcUrls: ["http://127.0.0.1:8545"], dataDir: "/tmp/d", target: TARGET }), patch);
  return new Policy(validateConfig(raw, "/tmp/keeper.json"));
}

const intent = (o: Partial<Intent> = {}): Intent => ({
  id: "i",
  action: "liquidate",
  account: "0x0000000000000000000000000000000000000001",
  series: "1",
  to: TARGET,
  data: `${LIQUIDATE}${"00".repeat(64)}`,
  ...o,
});

function code(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(PolicyError);
    return (err as PolicyError).code;
  }
  return "accepted";
}

describe("keepers signer/policy", () => {
  it("accepts an allowed (contract, selector) pair for the strategy it was granted to", () => {
    expect(code(() => policy().check("liquidator", intent()))).to.equal("accepted");
  });

  it("refuses another contract, another selector, an unknown strategy and a gas request above the cap", () => {
    const p = policy();
    expect(code(() => p.check("liquidator", intent({ to: OTHER })))).to.equal("POLICY_CONTRACT_NOT_ALLOWED");
    expect(code(() => p.check("liquidator", intent({ data: "0x12345678" })))).to.equal("POLICY_SELECTOR_NOT_ALLOWED");
    expect(code(() => p.check("intruder", intent()))).to.equal("POLICY_UNKNOWN_STRATEGY");
    expect(code(() => p.check("liquidator", intent({ gasLimit: "300001" })))).to.equal("POLICY_GAS_CAP");
  });

  it("keeps allowlists per strategy: one strategy's grant does not extend to another", () => {
    const p = policy({
      strategies: {
        other: {
          type: "custom",
          module: "./x.js",
          enabled: true,
          policy: { allow: [{ contract: OTHER, functions: ["poke()"] }], maxIntentsPerMinute: 5 },
        },
      },
    });
    expect(code(() => p.check("other", intent()))).to.equal("POLICY_CONTRACT_NOT_ALLOWED");
    expect(code(() => p.check("liquidator", intent({ to: OTHER, data: "0x18178358" })))).to.equal("POLICY_CONTRACT_NOT_ALLOWED");
    expect(code(() => p.check("other", intent({ to: OTHER, data: "0x18178358" })))).to.equal("accepted");
  });

  it("signs liquidateMany only where the allowlist names it, a batch counting once against the rate limit", () => {
    const many = `${selectorOf(LIQUIDATE_MANY_SIGNATURE)}${"00".repeat(64)}`;
    expect(code(() => policy().check("liquidator", intent({ data: many })))).to.equal("POLICY_SELECTOR_NOT_ALLOWED");
    const p = policy({
      strategies: { liquidator: { policy: { allow: [{ contract: TARGET, functions: ["liquidate(address,uint256)", LIQUIDATE_MANY_SIGNATURE] }], maxIntentsPerMinute: 1 } } },
    });
    const items = [
      { account: "0x0000000000000000000000000000000000000001", series: "1" },
      { account: "0x0000000000000000000000000000000000000002", series: "1" },
    ];
    expect(code(() => p.check("liquidator", intent({ data: many, items }), 0))).to.equal("accepted");
    expect(code(() => p.check("liquidator", intent({ data: many, items }), 1))).to.equal("POLICY_RATE_LIMIT");
  });

  it("rate-limits each strategy over a sliding minute", () => {
    const p = policy({ strategies: { liquidator: { policy: { maxIntentsPerMinute: 3 } } } });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect(code(() => p.check("liquidator", intent(), t0 + i))).to.equal("accepted");
    expect(code(() => p.check("liquidator", intent(), t0 + 10))).to.equal("POLICY_RATE_LIMIT");
    expect(code(() => p.check("liquidator", intent(), t0 + 60_001))).to.equal("accepted");
  });

  it("the spend budget refuses what would exceed the hourly cap and frees it after the window", () => {
    const b = new SpendBudget(100n, 1_000);
    b.reserve(60n, 0);
    expect(code(() => b.reserve(50n, 10))).to.equal("POLICY_SPEND_CAP");
    expect(b.used(10)).to.equal(60n);
    b.reserve(40n, 20);
    expect(b.used(1_001)).to.equal(40n);
  });
});
