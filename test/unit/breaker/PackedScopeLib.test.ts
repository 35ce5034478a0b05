/** PackedScopeLib: the one-word layout round-trips every field, and the hot-path getters agree with the fields. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { Result } from "ethers";
import type { PackedScopeLibHarness } from "../../../typechain-types";

async function deployHarness() {
  return (await ethers.deployContract("PackedScopeLibHarness")) as unknown as PackedScopeLibHarness;
}

const scopeArb = fc.record({
  manualMode: fc.bigInt({ min: 0n, max: 2n }),
  autoMode: fc.bigInt({ min: 0n, max: 2n }),
  autoReason: fc.bigInt({ min: 0n, max: 7n }),
  clearing: fc.boolean(),
  globalLevel: fc.bigInt({ min: 0n, max: 3n }),
  moveLimitBps: fc.bigInt({ min: 0n, max: 2n ** 16n - 1n }),
  window: fc.bigInt({ min: 0n, max: 2n ** 24n - 1n }),
  windowStart: fc.bigInt({ min: 0n, max: 2n ** 40n - 1n }),
  coolUntil: fc.bigInt({ min: 0n, max: 2n ** 40n - 1n }),
  refPrice: fc.bigInt({ min: 0n, max: 2n ** 96n - 1n }),
});

/** A struct returned by the harness, as a plain object keyed by field name. */
const fields = (r: unknown) => (r as Result).toObject();

const max = (...xs: bigint[]) => xs.reduce((a, b) => (a > b ? a : b));

describe("PackedScopeLib", () => {
  it("prop_packUnpack_roundTripsEveryField", async () => {
    const lib = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(scopeArb, async (s) => {
        const word = await lib.pack(s);
        const back = await lib.unpack(word);
        expect(fields(back)).to.deep.equal(s);
        expect(await lib.level(word)).to.equal(max(s.manualMode, s.autoMode, s.globalLevel));
        expect(await lib.moveLimitBps(word)).to.equal(s.moveLimitBps);
        expect(await lib.globalLevel(word)).to.equal(s.globalLevel);
        const relevelled = await lib.unpack(await lib.withGlobalLevel(word, 3n - s.globalLevel));
        expect(fields(relevelled)).to.deep.equal({ ...s, globalLevel: 3n - s.globalLevel });
      }),
      { numRuns: 60 }
    );
  });

  it("test_pack_fullWidthFieldsDoNotBleed", async () => {
    const lib = await loadFixture(deployHarness);
    const s = {
      manualMode: 2n,
      autoMode: 2n,
      autoReason: 7n,
      clearing: true,
      globalLevel: 3n,
      moveLimitBps: 2n ** 16n - 1n,
      window: 2n ** 24n - 1n,
      windowStart: 2n ** 40n - 1n,
      coolUntil: 2n ** 40n - 1n,
      refPrice: 2n ** 96n - 1n,
    };
    expect(fields(await lib.unpack(await lib.pack(s)))).to.deep.equal(s);
  });

  it("test_isQuiet_onlyForAnUntrippedMarketInsideItsWindowAndLimit", async () => {
    const lib = await loadFixture(deployHarness);
    const base = {
      manualMode: 0n,
      autoMode: 0n,
      autoReason: 0n,
      clearing: false,
      globalLevel: 0n,
      moveLimitBps: 1_000n,
      window: 3_600n,
      windowStart: 1_000n,
      coolUntil: 0n,
      refPrice: 100n * 10n ** 18n,
    };
    const quiet = async (over: Partial<typeof base>, spot: bigint, now: bigint) =>
      lib.isQuiet(await lib.pack({ ...base, ...over }), spot, now);
    expect(await quiet({}, 110n * 10n ** 18n, 4_599n)).to.equal(true);
    expect(await quiet({}, 110n * 10n ** 18n + 1n, 4_599n)).to.equal(false); // beyond the limit
    expect(await quiet({}, 90n * 10n ** 18n - 1n, 4_599n)).to.equal(false);
    expect(await quiet({}, 100n * 10n ** 18n, 4_600n)).to.equal(false); // window over
    expect(await quiet({ refPrice: 0n }, 100n * 10n ** 18n, 2_000n)).to.equal(false); // no reference
    expect(await quiet({ autoMode: 1n }, 100n * 10n ** 18n, 2_000n)).to.equal(false); // tripped
    expect(await quiet({ manualMode: 2n, globalLevel: 3n }, 100n * 10n ** 18n, 2_000n)).to.equal(true);
    expect(await quiet({}, 2n ** 96n, 2_000n)).to.equal(false); // not storable
  });

  it("test_movedBeyond_exactInIntegers", async () => {
    const lib = await loadFixture(deployHarness);
    expect(await lib.movedBeyond(10_000n, 11_000n, 1_000n)).to.equal(false);
    expect(await lib.movedBeyond(10_000n, 11_001n, 1_000n)).to.equal(true);
    expect(await lib.movedBeyond(10_000n, 9_000n, 1_000n)).to.equal(false);
    expect(await lib.movedBeyond(10_000n, 8_999n, 1_000n)).to.equal(true);
    expect(await lib.movedBeyond(2n ** 96n - 1n, 1n, 5_000n)).to.equal(true);
    expect(await lib.movedBeyond(1n, 2n ** 96n - 1n, 5_000n)).to.equal(true);
  });
});
