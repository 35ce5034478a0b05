import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { REASON } from "../../../helpers/oracleFixture";

const WAD = 10n ** 18n;
const MASK64 = (1n << 64n) - 1n;

const pack = (price: bigint, ts: bigint) => (price << 64n) | ts;
const priceOf = (e: bigint) => e >> 64n;

/** Reference model of OracleMedian.aggregate, written from its NatSpec. */
function referenceAggregate(entries: bigint[], quorum: bigint, bps: bigint): [bigint, bigint, bigint, bigint] {
  const n = entries.length;
  if (BigInt(n) < quorum || n === 0) return [0n, 0n, 0n, REASON.BELOW_QUORUM];
  const s = [...entries].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const median = (lo: number, hi: number) =>
    (priceOf(s[(lo + hi) >> 1]) + priceOf(s[(lo + hi + 1) >> 1])) / 2n;
  const m = median(0, n - 1);
  const within = (p: bigint) => (p > m ? p - m : m - p) * 10_000n <= m * bps;
  const kept = s.map((e, i) => [e, i] as const).filter(([e]) => within(priceOf(e)));
  if (kept.length === 0) return [0n, 0n, 0n, REASON.OUTLIER | REASON.DEVIATION];
  const lo = kept[0][1];
  const hi = kept[kept.length - 1][1];
  const used = BigInt(hi - lo + 1);
  const reasons = used < BigInt(n) ? REASON.OUTLIER : 0n;
  if (used < quorum) return [0n, 0n, 0n, reasons | REASON.DEVIATION];
  const price = used === BigInt(n) ? m : median(lo, hi);
  let oldest = MASK64;
  for (let i = lo; i <= hi; i++) if ((s[i] & MASK64) < oldest) oldest = s[i] & MASK64;
  return [price, oldest, used, reasons];
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

type Five = [bigint, bigint, bigint, bigint, bigint];
const pad = (xs: bigint[]): Five => [...xs, ...Array(5 - xs.length).fill(0n)] as Five;

async function harnessFixture() {
  return { harness: await hre.ethers.deployContract("OracleMedianHarness") };
}

describe("OracleMedian", function () {
  it("test_sortAscending_sortsEveryPermutationOfTwoToFiveEntries", async function () {
    const { harness } = await loadFixture(harnessFixture);
    for (let n = 2; n <= 5; n++) {
      const values = Array.from({ length: n }, (_, i) => BigInt(10 * (i + 1)));
      for (const p of permutations(values)) {
        const sorted = await harness.sortAscending(pad(p), n);
        expect(sorted.slice(0, n), `n=${n} input ${p}`).to.deep.equal(values);
        expect(sorted.slice(n), "entries past n are untouched").to.deep.equal(Array(5 - n).fill(0n));
      }
    }
  });

  it("test_sortAscending_sortsEveryZeroOneInputOfFive", async function () {
    // 0-1 principle: a comparator network sorting all 0/1 inputs sorts every input.
    const { harness } = await loadFixture(harnessFixture);
    for (let mask = 0; mask < 32; mask++) {
      const input = pad(Array.from({ length: 5 }, (_, i) => BigInt((mask >> i) & 1)));
      const expected = [...input].sort((a, b) => Number(a - b));
      expect(await harness.sortAscending(input, 5), `mask ${mask}`).to.deep.equal(expected);
    }
  });

  it("test_aggregate_reportsBelowQuorumForTooFewEntries", async function () {
    const { harness } = await loadFixture(harnessFixture);
    expect(await harness.aggregate(pad([]), 0, 2, 200)).to.deep.equal([0n, 0n, 0n, REASON.BELOW_QUORUM]);
    expect(await harness.aggregate(pad([pack(2000n * WAD, 1n)]), 1, 2, 200)).to.deep.equal([
      0n,
      0n,
      0n,
      REASON.BELOW_QUORUM,
    ]);
  });

  it("test_aggregate_threeAgreeingEntriesTakeFastPathWithSameResult", async function () {
    const { harness } = await loadFixture(harnessFixture);
    const entries = [pack(2001n * WAD, 30n), pack(1999n * WAD, 10n), pack(2000n * WAD, 20n)];
    for (const p of permutations(entries)) {
      expect(await harness.aggregate(pad(p), 3, 2, 200)).to.deep.equal([2000n * WAD, 10n, 3n, 0n]);
    }
  });

  it("test_aggregate_matchesReferenceModel", async function () {
    const { harness } = await loadFixture(harnessFixture);
    // Prices cluster around 2000 with occasional far outliers, so every branch is exercised.
    const price = fc.oneof(
      fc.bigInt(1960n, 2040n).map((p) => p * WAD),
      fc.bigInt(1n, 1_000_000n).map((p) => p * WAD),
      fc.bigInt(1n, 10n ** 36n),
    );
    const entry = fc.tuple(price, fc.bigInt(0n, MASK64)).map(([p, t]) => pack(p, t));
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { minLength: 0, maxLength: 5 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 10, max: 2000 }),
        async (entries, quorum, bps) => {
          const got = await harness.aggregate(pad(entries), entries.length, quorum, bps);
          expect([...got]).to.deep.equal(referenceAggregate(entries, BigInt(quorum), BigInt(bps)));
        },
      ),
      { numRuns: 400 },
    );
  });
});
