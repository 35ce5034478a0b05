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

  it("test_bookLoadFor_leavesStorageAsLoadAndAddDo_overRandomEdits", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            seriesId: fc.integer({ min: 1, max: 9 }),
            delta: fc.oneof(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.constantFrom(-1n, 1n)),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        async (edits) => {
          const full = await hre.ethers.deployContract("CoreMathHarness");
          const partial = await hre.ethers.deployContract("CoreMathHarness");
          for (const { seriesId, delta } of edits) {
            const id = BigInt(seriesId);
            const expected = await full.bookAdd.staticCall(id, delta);
            const [oldAmount, newAmount] = await partial.bookAddFor.staticCall(id, delta);
            expect([oldAmount, newAmount]).to.deep.equal([expected[0], expected[1]]);
            await full.bookAdd(id, delta);
            await partial.bookAddFor(id, delta);
          }
          for (let w = 0n; w < 6n; w++) expect(await partial.bookWord(w)).to.equal(await full.bookWord(w));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("test_bookLoadFor_readsOnlyTheWordsFromTheLastDownToTheEntry", async () => {
    const h = await hre.ethers.deployContract("CoreMathHarness");
    // Five entries in three words: series 1..5 at indexes 0..4.
    for (let id = 1n; id <= 5n; id++) await h.bookAdd(id, id * 10n);
    const [, , indexOfFour, wordsForFour] = await h.bookAddFor.staticCall(4n, 1n);
    expect(indexOfFour).to.equal(3n);
    // Entry 3 is the high half of word 1: words 1 and 2 read, word 0 left zero.
    expect(wordsForFour[0]).to.equal(0n);
    expect(wordsForFour[1]).to.equal(await h.bookWord(1n));
    expect(wordsForFour[2]).to.equal(await h.bookWord(2n));
    const [, , indexOfAbsent, wordsForAbsent] = await h.bookAddFor.staticCall(9n, 1n);
    expect(indexOfAbsent).to.equal(5n);
    for (let w = 0n; w < 3n; w++) expect(wordsForAbsent[Number(w)]).to.equal(await h.bookWord(w));
  });
});
