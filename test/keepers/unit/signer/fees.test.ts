import { expect } from "chai";
import { bumpFees, quoteFees, type FeeSettings } from "../../../../keepers/src/signer/fees";

const GWEI = 10n ** 9n;
const s: FeeSettings = {
  priorityFee: 1n * GWEI,
  maxPriorityFeePerGas: 3n * GWEI,
  maxFeePerGas: 50n * GWEI,
  baseFeeMultiplier: 2,
  bumpPercent: 20,
};

describe("keepers signer/fees", () => {
  it("quotes base fee × multiplier + tip under the caps", () => {
    const q = quoteFees(10n * GWEI, s);
    expect(q).to.deep.equal({ ok: true, maxFeePerGas: 21n * GWEI, maxPriorityFeePerGas: 1n * GWEI });
    const capped = quoteFees(40n * GWEI, s);
    expect(capped).to.deep.equal({ ok: true, maxFeePerGas: 50n * GWEI, maxPriorityFeePerGas: 1n * GWEI });
  });

  it("defers when the base fee plus tip is above the max-fee cap", () => {
    const q = quoteFees(50n * GWEI, s);
    expect(q.ok).to.equal(false);
    if (!q.ok) expect(q.reason).to.contain("above the cap 50.0 gwei");
  });

  it("bumps both fields by at least bumpPercent, rounding up, never above the caps", () => {
    const prev = { maxFeePerGas: 21n * GWEI + 1n, maxPriorityFeePerGas: 1n * GWEI + 1n };
    const b = bumpFees(prev, 1n * GWEI, s);
    expect(b.ok).to.equal(true);
    if (!b.ok) return;
    expect(b.maxFeePerGas * 100n).to.be.gte(prev.maxFeePerGas * 120n);
    expect(b.maxPriorityFeePerGas * 100n).to.be.gte(prev.maxPriorityFeePerGas * 120n);
    expect(b.maxFeePerGas <= s.maxFeePerGas && b.maxPriorityFeePerGas <= s.maxPriorityFeePerGas).to.equal(true);
  });

  it("follows a rising base fee when that is more than the bump", () => {
    const b = bumpFees({ maxFeePerGas: 5n * GWEI, maxPriorityFeePerGas: 1n * GWEI }, 20n * GWEI, s);
    expect(b).to.deep.equal({ ok: true, maxFeePerGas: 41n * GWEI, maxPriorityFeePerGas: 1_200_000_000n });
  });

  it("refuses a bump the caps cannot hold (the caller re-sends the same bytes)", () => {
    expect(bumpFees({ maxFeePerGas: 45n * GWEI, maxPriorityFeePerGas: 1n * GWEI }, 1n * GWEI, s).ok).to.equal(false);
    expect(bumpFees({ maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 3n * GWEI }, 1n * GWEI, s).ok).to.equal(false);
  });
});
