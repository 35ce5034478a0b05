/**
 * Gas of `performUpkeep` per task: one item performed, and a perform whose item is no longer needed (done by
 * someone else, or nothing to do). Measured on the Ignition deployment of deploy/parameters/local.json; the figures
 * are printed and bounded, so a regression fails here.
 */
import { expect } from "chai";
import { ZeroAddress } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  ETH,
  Task,
  checkData,
  decodePerform,
  deployAutomationFixture,
  deployCrashedFixture,
  increaseTime,
  performData,
  usdc,
  type AutomationFixture,
} from "./automationFixture";

const figures: Array<[string, bigint]> = [];

async function gasOf(f: AutomationFixture, data: string): Promise<bigint> {
  return (await (await f.automation.performUpkeep(data)).wait())!.gasUsed;
}

async function firstItem(f: AutomationFixture, task: number, maxItems = 1): Promise<string> {
  const [needed, data] = await f.automation.checkUpkeep(checkData(task, 0, 100, maxItems));
  expect(needed).to.equal(true);
  return data;
}

describe("BulwarkAutomation gas", function () {
  after(function () {
    console.log("\n    gas (performUpkeep: one item):");
    for (const [name, gas] of figures) console.log(`      ${name.padEnd(44)} ${gas}`);
  });

  it("LIQUIDATE: one liquidation, and a lost race (position moved) or a healed account", async function () {
    const f = await loadFixture(deployCrashedFixture);
    const data = await firstItem(f, Task.LIQUIDATE);
    const done = await gasOf(f, data);
    const lostRace = await gasOf(f, data);
    const target = decodePerform(data).items[0];
    await f.setEthPrice(3000n);
    const healed = await gasOf(f, performData(Task.LIQUIDATE, [{ ...target, seen: await f.engine.positionOf(target.account, target.key) }]));
    figures.push(["LIQUIDATE performed", done], ["LIQUIDATE lost race (CHANGED)", lostRace], ["LIQUIDATE healed since the check (HEALTHY)", healed]);
    expect(done).to.be.lessThan(380_000n);
    expect(lostRace).to.be.lessThan(50_000n);
    expect(healed).to.be.lessThan(160_000n);
  });

  it("checkUpkeep LIQUIDATE over every account (a view: simulated by the automation network)", async function () {
    const f = await loadFixture(deployCrashedFixture);
    const n = await f.engine.accountCount();
    const gas = await f.automation.checkUpkeep.estimateGas(checkData(Task.LIQUIDATE, 0, 100, 20));
    figures.push([`checkUpkeep LIQUIDATE, ${n} accounts (5 liquidatable)`, gas]);
    expect(gas).to.be.lessThan(n * 400_000n);
  });

  it("SETTLE: one settlement, and a position already settled", async function () {
    const f = await loadFixture(deployAutomationFixture);
    const params = await f.router.getSettlementParams();
    await increaseTime(f.expiry + params.fallbackDelay - (await f.now()) + 1n);
    await f.setEthPrice(2900n);
    await f.router.proposeFallbackSettlement(ETH, f.expiry);
    await increaseTime(params.disputeWindow + 1n);
    const data = await firstItem(f, Task.SETTLE);
    const done = await gasOf(f, data);
    const again = await gasOf(f, data);
    figures.push(["SETTLE performed", done], ["SETTLE already settled (NO_POSITION)", again]);
    expect(done).to.be.lessThan(250_000n);
    expect(again).to.be.lessThan(50_000n);
  });

  it("BREAKER_POKE: one market trip, and a scope with nothing to do", async function () {
    const f = await loadFixture(deployAutomationFixture);
    await f.automation.performUpkeep(await firstItem(f, Task.BREAKER_POKE, 20));
    await increaseTime(60);
    await f.setEthPrice(2000n);
    const item = performData(Task.BREAKER_POKE, [{ account: ZeroAddress, key: BigInt(ETH), seen: 0n }]);
    const done = await gasOf(f, item);
    await increaseTime(60);
    await f.setEthPrice(2000n);
    await f.automation.performUpkeep(item); // starts the cooldown
    const idle = await gasOf(f, item);
    figures.push(["BREAKER_POKE trip", done], ["BREAKER_POKE nothing to do (NOT_NEEDED)", idle]);
    expect(done).to.be.lessThan(200_000n);
    expect(idle).to.be.lessThan(90_000n);
  });

  it("REDEEM_QUEUE: one request processed, and an empty queue", async function () {
    const f = await loadFixture(deployAutomationFixture);
    const shares = await f.vault.convertToShares(usdc(1_000));
    await f.vault.connect(f.lp).requestRedeem(shares, f.lp.address, f.lp.address);
    const data = await firstItem(f, Task.REDEEM_QUEUE);
    const done = await gasOf(f, data);
    const again = await gasOf(f, data);
    figures.push(["REDEEM_QUEUE one request", done], ["REDEEM_QUEUE already processed (NOT_NEEDED)", again]);
    expect(done).to.be.lessThan(360_000n);
    expect(again).to.be.lessThan(40_000n);
    expect(await f.vault.redeemQueue()).to.deep.equal([1n, 1n]);
    expect((await f.vault.redeemRequest(0)).shares).to.equal(shares);
  });
});
