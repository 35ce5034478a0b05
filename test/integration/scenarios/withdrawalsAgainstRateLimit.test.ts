import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployProtocolFixture, ETH_SPOT, setSpot, usdc } from "../../helpers/protocolFixture";

const LIMIT = usdc(100_000);
/** ILiquidityVault.RequestStatus */
const PENDING = 1n;
const CLAIMABLE = 2n;
const DAY = 86_400;
const SPLIT_ACCOUNTS = 10;
const EACH = usdc(50_000);
/** The bucket refills LIMIT / DAY per second (about 1.16 USDC) and every block advances the clock: allow a minute. */
const REFILL_SLACK = (LIMIT * 60n) / BigInt(DAY);

/** The shipped deployment with a 100,000 USDC/day outflow limit (set by RISK) and ten LPs holding 50,000 each. */
async function deployManyLps() {
  const f = await deployProtocolFixture();
  await f.breaker.connect(f.risk).setOutflowParams(LIMIT, DAY);
  const signers = (await hre.ethers.getSigners()).slice(10, 10 + SPLIT_ACCOUNTS);
  for (const lp of signers) {
    await f.token.mint(lp.address, EACH);
    await f.token.connect(lp).approve(await f.vault.getAddress(), EACH);
    await f.vault.connect(lp).deposit(EACH, lp.address);
  }
  // Let the deposits' inflow credit drain so the bucket starts level with a full limit available.
  await time.increase(2 * DAY);
  await setSpot(f, ETH_SPOT);
  return { ...f, lps: signers };
}

describe("Scenario: withdrawals split across many accounts against the outflow rate limit", () => {
  it("test_splitWithdrawals_meetOneLimit_whoeverTheAccount", async () => {
    const f = await loadFixture(deployManyLps);
    const available = await f.breaker.outflowAvailable();
    expect(available).to.be.closeTo(LIMIT, REFILL_SLACK, "a level bucket allows one full limit");
    let withdrawn = 0n;
    for (const lp of f.lps) {
      const max = await f.vault.maxWithdraw(lp.address);
      expect(max).to.be.at.most(await f.breaker.outflowAvailable(), "maxWithdraw is capped by the rate limit");
      if (max === 0n) break;
      const amount = max < usdc(30_000) ? max : usdc(30_000);
      await f.vault.connect(lp).withdraw(amount, lp.address, lp.address);
      withdrawn += amount;
    }
    // Ten accounts with 500,000 USDC between them got exactly one limit out, no more.
    expect(withdrawn).to.be.closeTo(LIMIT, REFILL_SLACK);
    expect(await f.breaker.outflowAvailable()).to.be.lessThan(REFILL_SLACK);
    const next = f.lps[SPLIT_ACCOUNTS - 1];
    expect(await f.vault.maxWithdraw(next.address)).to.be.lessThan(REFILL_SLACK);
    await expect(f.vault.connect(next).withdraw(usdc(1_000), next.address, next.address)).to.be.revertedWithCustomError(
      f.vault,
      "ERC4626ExceededMaxWithdraw",
    );
    // The limit binds the vault as a whole, not the entry point: the breaker itself refuses any further outflow.
    const [mode, reason] = await f.breaker.modeOf(hre.ethers.ZeroHash);
    expect([mode, reason]).to.deep.equal([1n, 5n], "the global scope tripped REDUCE_ONLY on OUTFLOW at 99%");
    await expect(f.vault.connect(next).deposit(usdc(1), next.address)).to.be.revertedWithCustomError(
      f.breaker,
      "BreakerActionNotAllowed",
    );
  });

  it("test_redeemQueue_absorbsTheRest_andPaysAsTheLimitRefills", async () => {
    const f = await loadFixture(deployManyLps);
    // Drain the limit.
    await f.vault.connect(f.lps[0]).withdraw(usdc(50_000), f.lps[0].address, f.lps[0].address);
    await f.vault.connect(f.lps[1]).withdraw(usdc(50_000), f.lps[1].address, f.lps[1].address);
    expect(await f.breaker.outflowAvailable()).to.be.lessThan(REFILL_SLACK);
    // Two more LPs queue all their shares: requests are EXIT and stay open in REDUCE_ONLY.
    const queued = f.lps.slice(2, 4);
    for (const lp of queued) {
      await f.vault.connect(lp).requestRedeem(await f.vault.balanceOf(lp.address), lp.address, lp.address);
    }
    // Nothing can be processed while the bucket is full.
    await f.vault.connect(f.keeper).processRedeemQueue(10);
    expect((await f.vault.redeemRequest(0)).status).to.equal(PENDING, "still pending");
    // Half a day refills half the limit: one 50,000 request fits, the next waits.
    await time.increase(DAY / 2);
    await setSpot(f, ETH_SPOT);
    await f.vault.connect(f.keeper).processRedeemQueue(10);
    expect((await f.vault.redeemRequest(0)).status).to.equal(CLAIMABLE, "claimable");
    expect((await f.vault.redeemRequest(1)).status).to.equal(PENDING, "still pending");
    const before = await f.token.balanceOf(queued[0].address);
    await f.vault.connect(f.keeper).claimRedeem(0);
    const paid = (await f.token.balanceOf(queued[0].address)) - before;
    expect(paid).to.be.closeTo(EACH, usdc(1));
    // Claiming does not charge the limit twice.
    expect(await f.breaker.outflowAvailable()).to.be.lessThan(REFILL_SLACK);
    await time.increase(DAY / 2);
    await setSpot(f, ETH_SPOT);
    await f.vault.connect(f.keeper).processRedeemQueue(10);
    expect((await f.vault.redeemRequest(1)).status).to.equal(CLAIMABLE);
  });
});
