import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";

const MAX_INT96 = 2n ** 95n - 1n;

describe("PositionBook", () => {
  it("test_book_matchesAMapModel_overRandomEdits", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            seriesId: fc.integer({ min: 1, max: 9 }),
            delta: fc.oneof(
              fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
              fc.constantFrom(-MAX_INT96, MAX_INT96, -1n, 1n),
            ),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        async (edits) => {
          const h = await hre.ethers.deployContract("CoreMathHarness");
          const model = new Map<bigint, bigint>();
          for (const { seriesId, delta } of edits) {
            const id = BigInt(seriesId);
            const before = model.get(id) ?? 0n;
            const after = before + delta;
            // Stay inside the int96 range the engine enforces.
            if (after > MAX_INT96 || after < -MAX_INT96) continue;
            const [oldAmount, newAmount] = await h.bookAdd.staticCall(id, delta);
            expect([oldAmount, newAmount]).to.deep.equal([before, after]);
            await h.bookAdd(id, delta);
            if (after === 0n) model.delete(id);
            else model.set(id, after);
          }
          const [ids, amounts] = await h.bookEntries();
          const stored = new Map(ids.map((id, i) => [id, amounts[i]] as [bigint, bigint]));
          expect(stored).to.deep.equal(model);
          // Entries are dense: nothing is left in the word after the last entry.
          const count = ids.length;
          const lastWord = await h.bookWord(BigInt(count >> 1));
          if (count % 2 === 0) expect(lastWord).to.equal(0n);
          expect(await h.bookWord(BigInt((count >> 1) + 1))).to.equal(0n);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("test_book_removingTheOnlyEntryClearsItsWord", async () => {
    const h = await hre.ethers.deployContract("CoreMathHarness");
    await h.bookAdd(7n, -5n);
    expect(await h.bookWord(0n)).to.not.equal(0n);
    await h.bookAdd(7n, 5n);
    expect(await h.bookWord(0n)).to.equal(0n);
    const [ids] = await h.bookEntries();
    expect(ids.length).to.equal(0);
  });

  it("test_book_addingZeroToAnAbsentSeriesStoresNothing", async () => {
    const h = await hre.ethers.deployContract("CoreMathHarness");
    await h.bookAdd(3n, 0n);
    const [ids] = await h.bookEntries();
    expect(ids.length).to.equal(0);
  });
});
