import { expect } from "chai";
import { CLOSED_HEALTH, PositionBook, positionId, type PositionKey } from "../../../../keepers/src/strategies/liquidator/book";

const WAD = 10n ** 18n;
const key = (i: number): PositionKey => ({ account: `0x${i.toString(16).padStart(40, "0")}`, series: BigInt(i) });

describe("keepers strategies/liquidator/book", () => {
  it("reads never-read positions first, then the lowest health, within the per-block budget", () => {
    const book = new PositionBook();
    for (let i = 1; i <= 6; i++) book.upsert(key(i));
    for (let i = 1; i <= 5; i++) book.update(key(i), BigInt(i) * WAD, 1n);
    const picked = book.selectForRead(4).map((k) => Number(k.series));
    expect(picked.slice(0, 2)).to.deep.equal([6, 1]);
  });

  it("rotates through the rest so every position is refreshed within a bounded number of blocks", () => {
    const book = new PositionBook();
    for (let i = 1; i <= 20; i++) {
      book.upsert(key(i));
      book.update(key(i), BigInt(i) * WAD, 1n);
    }
    const seen = new Set<number>();
    for (let block = 0; block < 5; block++) book.selectForRead(8).forEach((k) => seen.add(Number(k.series)));
    expect(seen.size).to.equal(20);
  });

  it("lists liquidatable positions most under-collateralised first, skipping excluded ones", () => {
    const book = new PositionBook();
    const healths = [0.9, 0.2, 1.5, 0.5].map((h) => BigInt(Math.round(h * 100)) * (WAD / 100n));
    healths.forEach((h, i) => {
      book.upsert(key(i + 1));
      book.update(key(i + 1), h, 1n);
    });
    const all = book.liquidatable(WAD, new Set(), 10).map((p) => Number(p.key.series));
    expect(all).to.deep.equal([2, 4, 1]);
    const some = book.liquidatable(WAD, new Set([positionId(key(2))]), 1).map((p) => Number(p.key.series));
    expect(some).to.deep.equal([4]);
  });

  it("drops positions the lens reports closed", () => {
    const book = new PositionBook();
    book.upsert(key(1), WAD / 2n);
    book.update(key(1), CLOSED_HEALTH, 2n);
    expect(book.size).to.equal(0);
  });
});
