import { expect } from "chai";
import { findRoundHint, roundIdOf, type RoundReader } from "../../../../keepers/src/protocol/hints";

/** A feed history: per phase, the updatedAt of rounds 1..n. */
function reader(phases: Record<number, number[]>): { read: RoundReader; reads: () => number } {
  let count = 0;
  return {
    read: async (roundId) => {
      count += 1;
      const phase = Number(roundId >> 64n);
      const agg = Number(roundId & ((1n << 64n) - 1n));
      const at = phases[phase]?.[agg - 1];
      return at === undefined ? null : BigInt(at);
    },
    reads: () => count,
  };
}

const hintOf = (round: bigint, previous = 0n) => round | (previous << 80n);

describe("keepers protocol/hints: findRoundHint", () => {
  it("finds the first round at or after the timestamp inside one phase, without a previous round id", async () => {
    const times = Array.from({ length: 1000 }, (_, i) => 1_000 + i * 10);
    const { read, reads } = reader({ 1: times });
    expect(await findRoundHint(read, roundIdOf(1n, 1000n), 5_005n)).to.equal(hintOf(roundIdOf(1n, 402n)));
    expect(await findRoundHint(read, roundIdOf(1n, 1000n), 5_000n)).to.equal(hintOf(roundIdOf(1n, 401n)));
    expect(reads()).to.be.below(30);
  });

  it("returns the very first round of phase 1 when it is already after the timestamp", async () => {
    const { read } = reader({ 1: [500, 600] });
    expect(await findRoundHint(read, roundIdOf(1n, 2n), 100n)).to.equal(hintOf(roundIdOf(1n, 1n)));
  });

  it("returns null while no round at or after the timestamp exists", async () => {
    const { read } = reader({ 1: [100, 200, 300] });
    expect(await findRoundHint(read, roundIdOf(1n, 3n), 301n)).to.equal(null);
  });

  it("proves the first round of a new phase with the last round of the phase before", async () => {
    const { read } = reader({ 1: [100, 200, 300, 400, 500], 2: [650, 700] });
    expect(await findRoundHint(read, roundIdOf(2n, 2n), 600n)).to.equal(hintOf(roundIdOf(2n, 1n), roundIdOf(1n, 5n)));
  });

  it("searches back into the previous phase when its last round is after the timestamp", async () => {
    const { read } = reader({ 1: [100, 200, 300, 400, 500], 2: [650, 700] });
    expect(await findRoundHint(read, roundIdOf(2n, 2n), 250n)).to.equal(hintOf(roundIdOf(1n, 3n)));
    expect(await findRoundHint(read, roundIdOf(2n, 2n), 501n)).to.equal(hintOf(roundIdOf(2n, 1n), roundIdOf(1n, 5n)));
  });

  it("gives no proof when the phase before a phase's first round had no round at all", async () => {
    const { read } = reader({ 1: [], 2: [650, 700] });
    expect(await findRoundHint(read, roundIdOf(2n, 2n), 600n)).to.equal(null);
  });
});
