import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ChainlinkPriceSource, IOracleRouter, IPriceSource, MockAggregator } from "../../../typechain-types";
import { DEFAULT_SOURCE_CONFIG, MODE, STATUS, deployFeedAndSource, deployOracleFixture } from "../../helpers/oracleFixture";
import { WAD } from "../../helpers/units";

const { ethers } = hre;
const MAX_PRICE_WAD = 10n ** 36n;

/**
 * Three sources over feeds of 8, 18 and 20 decimals (both scaling directions and none), swapped in for the default
 * ones, plus the OracleMedian harness to aggregate what the adapters themselves report.
 */
async function mixedDecimals() {
  const f = await deployOracleFixture();
  const feeds: MockAggregator[] = [];
  const sources: ChainlinkPriceSource[] = [];
  for (const [decimals, answer] of [
    [8, 2000n * 10n ** 8n],
    [18, 2001n * WAD],
    [20, 1999n * 10n ** 20n],
  ] as const) {
    const { feed, source } = await deployFeedAndSource(decimals, answer);
    feeds.push(feed);
    sources.push(source);
  }
  await f.router.connect(f.admin).setSources(f.underlying, await Promise.all(sources.map((s) => s.getAddress())));
  const median = await ethers.deployContract("OracleMedianHarness");
  const mock = await ethers.deployContract("MockPriceSource");
  return { ...f, feeds, sources, median, mock, decimals: [8n, 18n, 20n] };
}

type Fixture = Awaited<ReturnType<typeof mixedDecimals>>;

/** A spot-feed snapshot as a plain object (typechain's struct outputs are arrays with named fields). */
function spotOf(s: IPriceSource.SpotFeedStructOutput) {
  return {
    feed: s.feed,
    heartbeat: s.heartbeat,
    gasLimit: s.gasLimit,
    minPriceWad: s.minPriceWad,
    maxAnswer: s.maxAnswer,
    scaleUp: s.scaleUp,
    scaleDown: s.scaleDown,
  };
}

/** A spot reading as a plain object. */
function readingOf(r: IOracleRouter.SpotReadingStructOutput) {
  return { price: r.price, status: r.status, reasons: r.reasons, validSources: r.validSources, updatedAt: r.updatedAt };
}

/** What getSpot must return, computed from each adapter's own `latestPrice` and the OracleMedian harness. */
async function expectedFromAdapters(f: Fixture) {
  const [, quorum, maxDeviationBps] = await f.router.getUnderlyingConfig(f.underlying);
  const entries: [bigint, bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n, 0n];
  let n = 0;
  let reasons = 0n;
  for (const source of f.sources) {
    const [price, updatedAt, r] = await source.latestPrice();
    if (r === 0n) entries[n++] = (price << 64n) | updatedAt;
    else reasons |= r;
  }
  const [price, oldest, used, aggregateReasons] = await f.median.aggregate(entries, n, quorum, maxDeviationBps);
  reasons |= aggregateReasons;
  const FAILED_MASK = (1n << 7n) | (1n << 8n) | (7n << 9n);
  const status = (reasons & FAILED_MASK) !== 0n ? STATUS.FAILED : reasons === 0n ? STATUS.OK : STATUS.DEGRADED;
  return { price, status, reasons, validSources: used, updatedAt: oldest };
}

describe("OracleRouter: spot feeds read directly", function () {
  it("test_getSpotFeeds_equalsEachAdapterSpotFeed", async function () {
    const f = await loadFixture(mixedDecimals);
    const spots = await f.router.getSpotFeeds(f.underlying);
    expect(spots.length).to.equal(3);
    for (let i = 0; i < 3; i++) {
      const want = await f.sources[i].spotFeed();
      expect(spotOf(spots[i])).to.deep.equal(spotOf(want));
      expect(spots[i].feed).to.equal(await f.feeds[i].getAddress());
    }
    // 8 decimals scale up by 1e10, 18 not at all, 20 down by 100.
    expect(spots.map((s) => [s.scaleUp, s.scaleDown])).to.deep.equal([
      [10n ** 10n, 1n],
      [1n, 1n],
      [1n, 100n],
    ]);
  });

  it("test_getSpotFeeds_unknownUnderlying_reverts", async function () {
    const f = await loadFixture(mixedDecimals);
    const BTC = ethers.encodeBytes32String("BTC");
    await expect(f.router.getSpotFeeds(BTC)).to.be.revertedWithCustomError(f.router, "OracleUnknownUnderlying").withArgs(BTC);
  });

  it("test_getSpot_neverCallsAdaptersForSpot", async function () {
    // A source whose latestPrice reverts but whose spot feed is a healthy feed: the spot read only sees the feed.
    const f = await loadFixture(mixedDecimals);
    await f.mock.setSpotFeed(spotOf(await f.sources[0].spotFeed()));
    const others = await Promise.all(f.sources.slice(1).map((s) => s.getAddress()));
    await f.router.connect(f.admin).setSources(f.underlying, [await f.mock.getAddress(), ...others]);
    const reading = await f.router.getSpot(f.underlying);
    expect(reading.status).to.equal(STATUS.OK);
    expect(reading.price).to.equal(2000n * WAD);
  });

  it("test_getSpot_matchesAdaptersLatestPriceAndMedianOnEveryBranch", async function () {
    const f = await loadFixture(mixedDecimals);
    const heartbeat = BigInt(DEFAULT_SOURCE_CONFIG.heartbeat);
    // WAD prices around the bounds and the 2,000 centre; every one is turned into each feed's units.
    const wads = [
      0n,
      DEFAULT_SOURCE_CONFIG.minPriceWad - 1n,
      DEFAULT_SOURCE_CONFIG.minPriceWad,
      1990n * WAD,
      2000n * WAD,
      2000n * WAD + 1n,
      2010n * WAD,
      2100n * WAD,
      DEFAULT_SOURCE_CONFIG.maxPriceWad,
      DEFAULT_SOURCE_CONFIG.maxPriceWad + 1n,
    ];
    const answer = fc.oneof(
      fc.constantFrom(...wads).map((w) => ({ wad: w, negative: false, raw: undefined as bigint | undefined })),
      fc.constantFrom(-1n, 1n, 2n ** 127n - 1n).map((r) => ({ wad: 0n, negative: r < 0n, raw: r })),
    );
    // Ages relative to the last block: negative is in the future; `null` is updatedAt = 0.
    const age = fc.constantFrom<bigint | null>(null, -1000n, 0n, 30n, heartbeat - 2n, heartbeat - 1n, heartbeat, heartbeat + 1n, heartbeat + 100n);
    const mode = fc.constantFrom(MODE.NORMAL, MODE.NORMAL, MODE.NORMAL, MODE.REVERT, MODE.SHORT_RETURN);
    // One source in three is plainly healthy, so that OK readings (all three usable) come up too.
    const healthy = fc.constantFrom(2000n * WAD, 2001n * WAD, 1999n * WAD).map((wad) => ({
      answer: { wad, negative: false, raw: undefined as bigint | undefined },
      age: 30n as bigint | null,
      mode: MODE.NORMAL,
    }));
    const source = fc.oneof({ weight: 1, arbitrary: healthy }, { weight: 2, arbitrary: fc.record({ answer, age, mode }) });
    const statuses = new Set<bigint>();
    let reasonsSeen = 0n;
    await fc.assert(
      fc.asyncProperty(fc.tuple(source, source, source), async (scenario) => {
        const now = BigInt(await time.latest());
        for (let i = 0; i < 3; i++) {
          const s = scenario[i];
          const unit = 10n ** f.decimals[i];
          const raw = s.answer.raw ?? (s.answer.wad * unit) / WAD;
          const updatedAt = s.age === null ? 0n : now - s.age;
          await f.feeds[i].setLatest(raw, updatedAt === 0n ? now : updatedAt, updatedAt);
          await f.feeds[i].setMode(s.mode);
        }
        const want = await expectedFromAdapters(f);
        const got = await f.router.getSpot(f.underlying);
        expect(readingOf(got)).to.deep.equal(want);
        statuses.add(want.status);
        reasonsSeen |= want.reasons;
      }),
      { numRuns: 150, seed: 20261122 },
    );
    // The scenarios reached every status and every per-source reason (bits 0-5), so every branch was compared.
    expect([...statuses].sort()).to.deep.equal([STATUS.OK, STATUS.DEGRADED, STATUS.FAILED]);
    expect(reasonsSeen & 0x3fn).to.equal(0x3fn);
  });

  describe("snapshot checks", function () {
    /** A valid snapshot to start from (the first adapter's). */
    async function base(f: Fixture) {
      return spotOf(await f.sources[0].spotFeed());
    }

    const invalid: [string, (s: Awaited<ReturnType<typeof base>>) => void][] = [
      ["zero feed", (s) => void (s.feed = ethers.ZeroAddress)],
      ["zero scaleUp", (s) => void (s.scaleUp = 0n)],
      ["scaleUp of 2^64", (s) => void ((s.scaleUp = 2n ** 64n), (s.maxAnswer = 1n))],
      ["zero scaleDown", (s) => void (s.scaleDown = 0n)],
      ["scaleDown of 2^64", (s) => void ((s.scaleUp = 1n), (s.scaleDown = 2n ** 64n))],
      ["zero min price", (s) => void (s.minPriceWad = 0n)],
      ["min price of 2^128", (s) => void (s.minPriceWad = 2n ** 128n)],
      ["max answer above 1e36 in WAD", (s) => void ((s.scaleUp = 1n), (s.scaleDown = 1n), (s.maxAnswer = MAX_PRICE_WAD + 1n))],
      ["max answer overflowing the scaling", (s) => void ((s.scaleUp = 10n ** 18n), (s.maxAnswer = 2n ** 256n - 1n))],
    ];

    for (const [name, mutate] of invalid) {
      it(`test_setSources_refusesSpotFeedWith_${name.replace(/[^a-zA-Z0-9]+/g, "_")}`, async function () {
        const f = await loadFixture(mixedDecimals);
        const spot = await base(f);
        mutate(spot);
        await f.mock.setSpotFeed(spot);
        const mock = await f.mock.getAddress();
        const others = await Promise.all(f.sources.slice(0, 2).map((s) => s.getAddress()));
        const before = await f.router.getSpotFeeds(f.underlying);
        await expect(f.router.connect(f.admin).setSources(f.underlying, [...others, mock]))
          .to.be.revertedWithCustomError(f.router, "OracleSpotFeedInvalid")
          .withArgs(2, mock);
        await expect(f.router.connect(f.admin).addUnderlying(ethers.encodeBytes32String("BTC"), [mock, ...others], 200))
          .to.be.revertedWithCustomError(f.router, "OracleSpotFeedInvalid")
          .withArgs(0, mock);
        expect((await f.router.getSpotFeeds(f.underlying)).map(spotOf)).to.deep.equal(before.map(spotOf));
      });
    }

    it("test_setSources_acceptsSpotFeedAtEveryLimit", async function () {
      const f = await loadFixture(mixedDecimals);
      const spot = await base(f);
      spot.scaleUp = 2n ** 64n - 1n;
      spot.scaleDown = 2n ** 64n - 1n;
      spot.minPriceWad = 2n ** 128n - 1n;
      spot.maxAnswer = MAX_PRICE_WAD;
      await f.mock.setSpotFeed(spot);
      const others = await Promise.all(f.sources.slice(0, 2).map((s) => s.getAddress()));
      await f.router.connect(f.admin).setSources(f.underlying, [...others, await f.mock.getAddress()]);
      const stored = await f.router.getSpotFeeds(f.underlying);
      expect(spotOf(stored[2])).to.deep.equal(spot);
    });
  });
});
