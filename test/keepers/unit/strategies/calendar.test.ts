import { expect } from "chai";
import { ExpiryCalendar } from "../../../../keepers/src/strategies/settler/calendar";

describe("keepers strategies/settler/calendar", () => {
  it("a series is due only once its expiry plus the dispute window has passed in chain time", () => {
    const cal = new ExpiryCalendar(3_600n);
    cal.add({ seriesId: 1n, expiry: 10_000n });
    expect(cal.hasWork(10_000n)).to.equal(false);
    expect(cal.hasWork(13_599n)).to.equal(false);
    expect(cal.due(13_599n, 10)).to.deep.equal([]);
    expect(cal.hasWork(13_600n)).to.equal(true);
    expect(cal.due(13_600n, 10)).to.deep.equal([{ seriesId: 1n, expiry: 10_000n }]);
  });

  it("works through due series earliest first, bounded per block, and forgets settled ones", () => {
    const cal = new ExpiryCalendar(0n);
    cal.add({ seriesId: 3n, expiry: 300n });
    cal.add({ seriesId: 1n, expiry: 100n });
    cal.add({ seriesId: 2n, expiry: 200n });
    cal.add({ seriesId: 1n, expiry: 999n });
    expect(cal.size).to.equal(3);
    expect(cal.due(1_000n, 2).map((s) => s.seriesId)).to.deep.equal([1n, 2n]);
    cal.markSettled(1n);
    expect(cal.nextFinalAt()).to.equal(200n);
    expect(cal.due(250n, 10).map((s) => s.seriesId)).to.deep.equal([2n]);
  });

  it("refuses a negative dispute window", () => {
    expect(() => new ExpiryCalendar(-1n)).to.throw(RangeError);
  });
});
