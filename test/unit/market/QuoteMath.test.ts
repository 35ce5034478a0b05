import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

const WAD = 10n ** 18n;
const SCALE = 10n ** 12n;

async function deployHarness() {
  return hre.ethers.deployContract("CoreMathHarness");
}

describe("QuoteMath", () => {
  it("test_askAndBid_bracketTheMarkWithRoundingForTheVault", async () => {
    const h = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.bigInt({ min: 10n ** 12n, max: 10n ** 30n }),
        fc.bigInt({ min: 0n, max: WAD / 4n }),
        fc.bigInt({ min: 0n, max: WAD / 100n }),
        fc.bigInt({ min: 0n, max: WAD / 2n }),
        async (mark, spot, spread, feeRate, feeCap) => {
          const fee = await h.feePerOptionUp(mark, spot, feeRate, feeCap);
          const ask = await h.askPerOptionUp(mark, spot, spread, feeRate, feeCap);
          const bid = await h.bidPerOptionDown(mark, spot, spread, feeRate, feeCap);
          // Exact (rational) values scaled by WAD: the ask is at least, the bid at most, the exact quote.
          const exactFee = spot * feeRate < mark * feeCap ? spot * feeRate : mark * feeCap;
          expect(fee * WAD).to.be.greaterThanOrEqual(exactFee);
          expect(ask * WAD).to.be.greaterThanOrEqual(mark * WAD + mark * spread + exactFee);
          const exactBid = mark * WAD - mark * spread - exactFee;
          expect(bid * WAD).to.be.lessThanOrEqual(exactBid > 0n ? exactBid : 0n);
          expect(bid).to.be.lessThanOrEqual(mark);
          expect(ask).to.be.greaterThanOrEqual(mark);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("test_feeIsCappedByMark", async () => {
    const h = await loadFixture(deployHarness);
    // 0.03% of a 2000 spot is 0.6, but a 1.0 option pays at most 12.5% of its mark.
    expect(await h.feePerOptionUp(WAD, 2000n * WAD, 3n * 10n ** 14n, WAD / 8n)).to.equal(WAD / 8n);
    expect(await h.feePerOptionUp(100n * WAD, 2000n * WAD, 3n * 10n ** 14n, WAD / 8n)).to.equal((6n * WAD) / 10n);
  });

  it("test_bidFlooredAtZero", async () => {
    const h = await loadFixture(deployHarness);
    // A 1-wei mark: its spread and its capped fee each round up to 1 wei, more than the mark itself.
    expect(await h.bidPerOptionDown(1n, 2000n * WAD, WAD / 50n, 3n * 10n ** 14n, WAD / 2n)).to.equal(0n);
    expect(await h.bidPerOptionDown(10n, 2000n * WAD, WAD / 50n, 3n * 10n ** 14n, WAD / 2n)).to.equal(4n);
  });

  it("test_premiums_upAndDownBracketTheExactValue", async () => {
    const h = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 0n, max: 10n ** 31n }), fc.bigInt({ min: 1n, max: 10n ** 28n }), async (perOption, amount) => {
        const up = await h.premiumUp(perOption, amount, SCALE);
        const down = await h.premiumDown(perOption, amount, SCALE);
        const exactNumerator = perOption * amount;
        expect(up * WAD * SCALE).to.be.greaterThanOrEqual(exactNumerator);
        expect((up - (up > 0n ? 1n : 0n)) * WAD * SCALE).to.be.lessThan(exactNumerator + 1n);
        expect(down * WAD * SCALE).to.be.lessThanOrEqual(exactNumerator);
        expect((down + 1n) * WAD * SCALE).to.be.greaterThan(exactNumerator);
      }),
      { numRuns: 80 },
    );
  });
});
