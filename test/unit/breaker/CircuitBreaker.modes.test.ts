/** Every mode × every action class, on a market and on the global scope: allowed, or refused with the exact error. */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { BTC, Cls, ETH, GLOBAL, Mode, Reason, Status, UNKNOWN, deployBreakerWithReferences } from "./breakerFixture";

type Fixture = Awaited<ReturnType<typeof deployBreakerWithReferences>>;

/** The mode table of docs/circuit-breaker.md: for each effective state, whether each class is allowed. */
const TABLE: Record<string, Record<keyof typeof Cls, boolean>> = {
  ACTIVE: { RISK_INCREASING: true, RISK_REDUCING: true, EXIT: true, VIEW: true },
  REDUCE_ONLY: { RISK_INCREASING: false, RISK_REDUCING: true, EXIT: true, VIEW: true },
  HALTED: { RISK_INCREASING: false, RISK_REDUCING: false, EXIT: true, VIEW: true },
  PAUSED: { RISK_INCREASING: false, RISK_REDUCING: false, EXIT: false, VIEW: true },
};

/** One way of putting ETH (the market under test) into an effective state, with the mode and reason it reports. */
type Scenario = {
  name: string;
  state: keyof typeof TABLE;
  mode: bigint;
  reason: bigint;
  setup: (f: Fixture) => Promise<unknown>;
};

const MARKET_SCENARIOS: Scenario[] = [
  { name: "ACTIVE", state: "ACTIVE", mode: Mode.ACTIVE, reason: Reason.NONE, setup: async () => undefined },
  {
    name: "REDUCE_ONLY by the guardian on the market",
    state: "REDUCE_ONLY",
    mode: Mode.REDUCE_ONLY,
    reason: Reason.GUARDIAN,
    setup: (f) => f.breaker.connect(f.guardian).trip(ETH, Mode.REDUCE_ONLY),
  },
  {
    name: "HALTED by the guardian on the market",
    state: "HALTED",
    mode: Mode.HALTED,
    reason: Reason.GUARDIAN,
    setup: (f) => f.breaker.connect(f.guardian).trip(ETH, Mode.HALTED),
  },
  {
    name: "REDUCE_ONLY from the global scope",
    state: "REDUCE_ONLY",
    mode: Mode.REDUCE_ONLY,
    reason: Reason.GLOBAL,
    setup: (f) => f.breaker.connect(f.guardian).trip(GLOBAL, Mode.REDUCE_ONLY),
  },
  {
    name: "HALTED from the global scope",
    state: "HALTED",
    mode: Mode.HALTED,
    reason: Reason.GLOBAL,
    setup: (f) => f.breaker.connect(f.guardian).trip(GLOBAL, Mode.HALTED),
  },
  {
    name: "HALTED on the market while the global scope is REDUCE_ONLY (the stricter wins)",
    state: "HALTED",
    mode: Mode.HALTED,
    reason: Reason.GUARDIAN,
    setup: async (f) => {
      await f.breaker.connect(f.guardian).trip(GLOBAL, Mode.REDUCE_ONLY);
      await f.breaker.connect(f.guardian).trip(ETH, Mode.HALTED);
    },
  },
  {
    name: "HALTED automatically (oracle FAILED)",
    state: "HALTED",
    mode: Mode.HALTED,
    reason: Reason.ORACLE_FAILED,
    setup: (f) => f.gated.act(ETH, Cls.EXIT, 0n, Status.FAILED),
  },
  {
    name: "paused",
    state: "PAUSED",
    mode: Mode.ACTIVE,
    reason: Reason.NONE,
    setup: (f) => f.breaker.connect(f.guardian).pause(),
  },
];

describe("CircuitBreaker modes", () => {
  for (const scenario of MARKET_SCENARIOS) {
    describe(`market ${scenario.name}`, () => {
      async function fixture() {
        const f = await loadFixture(deployBreakerWithReferences);
        await scenario.setup(f);
        return f;
      }

      it(`test_modeOf_reportsModeAndReason`, async () => {
        const { breaker } = await fixture();
        const [mode, reason] = await breaker.modeOf(ETH);
        expect([mode, reason]).to.deep.equal([scenario.mode, scenario.reason]);
        expect(await breaker.paused()).to.equal(scenario.state === "PAUSED");
      });

      for (const [clsName, cls] of Object.entries(Cls) as [keyof typeof Cls, bigint][]) {
        const allowed = TABLE[scenario.state][clsName];
        it(`test_checkAction_${clsName}_${allowed ? "allowed" : "refused"}`, async () => {
          const f = await fixture();
          const { breaker, gated } = f;
          expect(await breaker.isAllowed(ETH, cls)).to.equal(allowed);
          const before = await gated.actions();
          const action = gated.act(ETH, cls, 0n, Status.OK);
          if (allowed) {
            await expect(action).not.to.be.reverted;
            expect(await gated.actions()).to.equal(before + 1n);
          } else if (scenario.state === "PAUSED") {
            await expect(action).to.be.revertedWithCustomError(breaker, "BreakerPaused").withArgs(ETH, cls);
          } else {
            await expect(action)
              .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
              .withArgs(ETH, cls, scenario.mode, scenario.reason);
          }
        });
      }
    });
  }

  describe("global scope (account-level entries through checkGlobal)", () => {
    const GLOBAL_SCENARIOS: Scenario[] = [
      { name: "ACTIVE", state: "ACTIVE", mode: Mode.ACTIVE, reason: Reason.NONE, setup: async () => undefined },
      {
        name: "ACTIVE while a market is HALTED (a market trip stays in its market)",
        state: "ACTIVE",
        mode: Mode.ACTIVE,
        reason: Reason.NONE,
        setup: (f) => f.breaker.connect(f.guardian).trip(ETH, Mode.HALTED),
      },
      {
        name: "REDUCE_ONLY",
        state: "REDUCE_ONLY",
        mode: Mode.REDUCE_ONLY,
        reason: Reason.GUARDIAN,
        setup: (f) => f.breaker.connect(f.guardian).trip(GLOBAL, Mode.REDUCE_ONLY),
      },
      {
        name: "HALTED",
        state: "HALTED",
        mode: Mode.HALTED,
        reason: Reason.GUARDIAN,
        setup: (f) => f.breaker.connect(f.guardian).trip(GLOBAL, Mode.HALTED),
      },
      {
        name: "paused",
        state: "PAUSED",
        mode: Mode.ACTIVE,
        reason: Reason.NONE,
        setup: (f) => f.breaker.connect(f.guardian).pause(),
      },
    ];
    for (const scenario of GLOBAL_SCENARIOS) {
      describe(scenario.name, () => {
        for (const [clsName, cls] of Object.entries(Cls) as [keyof typeof Cls, bigint][]) {
          const allowed = TABLE[scenario.state][clsName];
          it(`test_checkGlobal_${clsName}_${allowed ? "allowed" : "refused"}`, async () => {
            const f = await loadFixture(deployBreakerWithReferences);
            await scenario.setup(f);
            const { breaker, gated } = f;
            expect(await breaker.isAllowed(GLOBAL, cls)).to.equal(allowed);
            const action = gated.actGlobal(cls);
            if (allowed) {
              await expect(action).not.to.be.reverted;
            } else if (scenario.state === "PAUSED") {
              await expect(action).to.be.revertedWithCustomError(breaker, "BreakerPaused").withArgs(GLOBAL, cls);
            } else {
              await expect(action)
                .to.be.revertedWithCustomError(breaker, "BreakerActionNotAllowed")
                .withArgs(GLOBAL, cls, scenario.mode, scenario.reason);
            }
          });
        }
      });
    }
  });

  describe("scoping", () => {
    it("test_checkAction_marketTripDoesNotTouchOtherMarkets", async () => {
      const { breaker, guardian, gated } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(ETH, Mode.HALTED);
      await expect(gated.act(BTC, Cls.RISK_INCREASING, 0n, Status.OK)).not.to.be.reverted;
      expect(await breaker.modeOf(BTC)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
    });

    it("test_checkAction_unknownMarket_reverts", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      for (const cls of Object.values(Cls)) {
        await expect(gated.act(UNKNOWN, cls, 0n, Status.OK))
          .to.be.revertedWithCustomError(breaker, "BreakerUnknownMarket")
          .withArgs(UNKNOWN);
      }
    });

    it("test_checkAction_globalIdIsNotAMarket", async () => {
      const { breaker, gated } = await loadFixture(deployBreakerWithReferences);
      await expect(gated.act(GLOBAL, Cls.EXIT, 0n, Status.OK))
        .to.be.revertedWithCustomError(breaker, "BreakerUnknownMarket")
        .withArgs(GLOBAL);
    });

    it("test_views_unknownMarket", async () => {
      const { breaker } = await loadFixture(deployBreakerWithReferences);
      expect(await breaker.isAllowed(UNKNOWN, Cls.VIEW)).to.equal(false);
      await expect(breaker.modeOf(UNKNOWN)).to.be.revertedWithCustomError(breaker, "BreakerUnknownMarket");
      const raw = await breaker.scopeState(UNKNOWN);
      expect(raw.moveLimitBps).to.equal(0n);
    });

    it("test_checkAction_returnsEffectiveMode", async () => {
      const { breaker, guardian } = await loadFixture(deployBreakerWithReferences);
      await breaker.connect(guardian).trip(GLOBAL, Mode.REDUCE_ONLY);
      // A check that writes nothing needs no GATED role, so its return value can be read with a static call.
      const mode = await breaker.checkAction.staticCall(ETH, Cls.EXIT, 0n, Status.OK);
      expect(mode).to.equal(Mode.REDUCE_ONLY);
      await breaker.connect(guardian).pause();
      expect(await breaker.checkAction.staticCall(ETH, Cls.VIEW, 0n, Status.OK)).to.equal(Mode.HALTED);
    });
  });
});
