import { expect } from "chai";
import hre from "hardhat";
import { ZeroAddress } from "ethers";
import type { ContractTransactionReceipt } from "ethers";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { BulwarkAutomation__factory } from "../../../typechain-types";
import {
  ETH,
  Skip,
  Task,
  WAD,
  checkData,
  decodePerform,
  deployAutomationFixture,
  deployCrashedFixture,
  increaseTime,
  performData,
  usdc,
  type AutomationFixture,
  type PerformItem,
} from "./automationFixture";

/** Largest gas of a perform whose single item was already done by someone else (measured: see the gas suite). */
const NO_OP_GAS_BOUND = 90_000n;
const Mode = { ACTIVE: 0n, REDUCE_ONLY: 1n, HALTED: 2n } as const;

async function receiptOf(tx: Promise<{ wait(): Promise<ContractTransactionReceipt | null> }>): Promise<ContractTransactionReceipt> {
  return (await (await tx).wait())!;
}

/** The adapter's events of a receipt, by name. */
function eventsOf(f: AutomationFixture, receipt: ContractTransactionReceipt, name: string) {
  const address = receipt.logs.length ? f.record.addresses.automation.toLowerCase() : "";
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === address)
    .map((l) => f.automation.interface.parseLog(l)!)
    .filter((e) => e.name === name);
}

/** Every piece of state a perform could change. */
async function protocolState(f: AutomationFixture) {
  const adapter = f.record.addresses.automation;
  const writers = [];
  for (const w of f.writers) writers.push([await f.engine.positionOf(w.address, f.seriesId), await f.engine.collateralOf(w.address)]);
  return {
    writers,
    adapter: await f.engine.collateralOf(adapter),
    adapterTokens: await f.token.balanceOf(adapter),
    conservation: await f.engine.conservation(),
    // Shares and the vault's collateral: its NAV also moves with the clock (marks decay), shares do not.
    vaultShares: await f.vault.totalSupply(),
    vaultCollateral: await f.engine.collateralOf(f.record.addresses.vault),
    queue: await f.vault.redeemQueue(),
    eth: await f.breaker.scopeState(ETH),
    global: await f.breaker.scopeState(hre.ethers.ZeroHash),
    status: await f.router.getStatusRecord(ETH),
    flags: await Promise.all(f.writers.map((w) => f.liquidation.unhealthySince(w.address))),
  };
}

async function check(f: AutomationFixture, task: number, window = 100, maxItems = 20, cursor = 0) {
  const [needed, data] = await f.automation.checkUpkeep(checkData(task, cursor, window, maxItems));
  return { needed, data, items: needed ? decodePerform(data).items : [] };
}

describe("BulwarkAutomation", function () {
  describe("construction", function () {
    it("refuses a zero beneficiary and an engine wired to another vault or liquidation engine", async function () {
      const f = await loadFixture(deployAutomationFixture);
      const a = f.record.addresses;
      const factory = new BulwarkAutomation__factory(f.deployer);
      await expect(factory.deploy(a.engine, a.liquidation, a.vault, ZeroAddress))
        .to.be.revertedWithCustomError(factory, "AutomationInvalidAddress")
        .withArgs(ZeroAddress);
      await expect(factory.deploy(a.engine, a.liquidation, a.market, f.deployer.address))
        .to.be.revertedWithCustomError(factory, "AutomationWiringMismatch")
        .withArgs(a.market, a.liquidation, a.vault, a.liquidation);
      await expect(factory.deploy(a.engine, a.insuranceFund, a.vault, f.deployer.address))
        .to.be.revertedWithCustomError(factory, "AutomationWiringMismatch")
        .withArgs(a.vault, a.insuranceFund, a.vault, a.liquidation);
    });

    it("takes the router, the breaker and the quote token from the engine", async function () {
      const f = await loadFixture(deployAutomationFixture);
      expect(await f.automation.router()).to.equal(f.record.addresses.router);
      expect(await f.automation.breaker()).to.equal(f.record.addresses.breaker);
      expect(await f.automation.quoteToken()).to.equal(f.record.addresses["mock:USDC"]);
    });
  });

  describe("checkData and performData validation", function () {
    it("checkUpkeep names malformed checkData, an unknown task, and a window or item cap out of range", async function () {
      const f = await loadFixture(deployAutomationFixture);
      const a = f.automation;
      await expect(a.checkUpkeep("0x1234")).to.be.revertedWithCustomError(a, "AutomationMalformedCheckData").withArgs(2);
      await expect(a.checkUpkeep(checkData(Task.LIQUIDATE, 0, 10, 5) + "00"))
        .to.be.revertedWithCustomError(a, "AutomationMalformedCheckData")
        .withArgs(129);
      await expect(a.checkUpkeep(checkData(4, 0, 10, 5))).to.be.revertedWithCustomError(a, "AutomationInvalidTask").withArgs(4);
      await expect(a.checkUpkeep(checkData(Task.SETTLE, 0, 0, 5))).to.be.revertedWithCustomError(a, "AutomationWindowOutOfRange").withArgs(0, 100);
      await expect(a.checkUpkeep(checkData(Task.SETTLE, 0, 101, 5))).to.be.revertedWithCustomError(a, "AutomationWindowOutOfRange").withArgs(101, 100);
      await expect(a.checkUpkeep(checkData(Task.LIQUIDATE, 0, 10, 0))).to.be.revertedWithCustomError(a, "AutomationMaxItemsOutOfRange").withArgs(0, 20);
      await expect(a.checkUpkeep(checkData(Task.REDEEM_QUEUE, 0, 10, 21))).to.be.revertedWithCustomError(a, "AutomationMaxItemsOutOfRange").withArgs(21, 20);
    });

    it("performUpkeep reverts only for malformed performData, naming it", async function () {
      const f = await loadFixture(deployAutomationFixture);
      const a = f.automation;
      const one = performData(Task.LIQUIDATE, [{ account: f.writers[0].address, key: f.seriesId, seen: -10n * WAD }]);
      await expect(a.performUpkeep("0x")).to.be.revertedWithCustomError(a, "AutomationMalformedPerformData").withArgs(0);
      await expect(a.performUpkeep(one + "00")).to.be.revertedWithCustomError(a, "AutomationMalformedPerformData").withArgs(193);
      // Wrong offset word.
      const badOffset = one.slice(0, 2 + 64) + (0x60).toString(16).padStart(64, "0") + one.slice(2 + 128);
      await expect(a.performUpkeep(badOffset)).to.be.revertedWithCustomError(a, "AutomationMalformedPerformData").withArgs(192);
      // An account word with dirty high bits.
      const dirty = one.slice(0, 2 + 192) + "ff" + one.slice(2 + 194);
      await expect(a.performUpkeep(dirty)).to.be.revertedWithCustomError(a, "AutomationMalformedPerformData").withArgs(192);
      await expect(a.performUpkeep(performData(9, [{ account: ZeroAddress, key: 1n, seen: 0n }]))).to.be.revertedWithCustomError(a, "AutomationInvalidTask").withArgs(9);
      await expect(a.performUpkeep(performData(Task.SETTLE, []))).to.be.revertedWithCustomError(a, "AutomationBatchOutOfRange").withArgs(0, 20);
      const many = Array.from({ length: 21 }, () => ({ account: ZeroAddress, key: 1n, seen: 0n }));
      await expect(a.performUpkeep(performData(Task.SETTLE, many))).to.be.revertedWithCustomError(a, "AutomationBatchOutOfRange").withArgs(21, 20);
      const two = [{ account: ZeroAddress, key: 1n, seen: 0n }, { account: ZeroAddress, key: 1n, seen: 0n }];
      await expect(a.performUpkeep(performData(Task.REDEEM_QUEUE, two))).to.be.revertedWithCustomError(a, "AutomationBatchOutOfRange").withArgs(2, 1);
      await expect(a.performUpkeep(performData(Task.REDEEM_QUEUE, [{ account: ZeroAddress, key: 21n, seen: 0n }])))
        .to.be.revertedWithCustomError(a, "AutomationMaxItemsOutOfRange")
        .withArgs(21, 20);
    });
  });

  describe("LIQUIDATE", function () {
    it("finds nothing while every account meets maintenance", async function () {
      const f = await loadFixture(deployAutomationFixture);
      const c = await check(f, Task.LIQUIDATE);
      expect(c.needed).to.equal(false);
      expect(c.data).to.equal("0x");
    });

    it("finds every failing (account, series), riskiest first, up to maxItems", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const healths = await Promise.all(f.writers.map(async (w) => ({ account: w.address, health: (await f.engine.accountHealth(w.address)).health })));
      for (const h of healths) expect(h.health).to.be.lessThan(WAD);
      const riskiestFirst = [...healths].sort((x, y) => (x.health < y.health ? -1 : x.health > y.health ? 1 : 0)).map((h) => h.account);
      const all = await check(f, Task.LIQUIDATE);
      expect(all.needed).to.equal(true);
      expect(all.items.map((i) => i.account)).to.deep.equal(riskiestFirst);
      for (const i of all.items) expect(i.key).to.equal(f.seriesId);
      const two = await check(f, Task.LIQUIDATE, 100, 2);
      expect(two.items.map((i) => i.account)).to.deep.equal(riskiestFirst.slice(0, 2));
    });

    it("performs the liquidations, its fees accrue to the adapter and sweep sends them to the beneficiary only", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const { data, items } = await check(f, Task.LIQUIDATE);
      const receipt = await receiptOf(f.automation.connect(f.keeper).performUpkeep(data));
      const done = eventsOf(f, receipt, "AutomationLiquidated");
      expect(done.map((e) => e.args.account)).to.deep.equal(items.map((i) => i.account));
      const performed = eventsOf(f, receipt, "AutomationPerformed")[0];
      expect([performed.args.task, performed.args.items, performed.args.done]).to.deep.equal([BigInt(Task.LIQUIDATE), 5n, 5n]);
      for (const w of f.writers) expect(await f.engine.positionOf(w.address, f.seriesId)).to.be.greaterThan(-10n * WAD);
      const fees = done.reduce((s, e) => s + e.args.fee, 0n);
      expect(fees).to.be.greaterThan(0n);
      const adapter = f.record.addresses.automation;
      expect(await f.engine.collateralOf(adapter)).to.equal(fees);
      // Anyone may sweep; the fees go to the immutable beneficiary (the deployer in local.json), never the caller.
      const beneficiary = await f.automation.beneficiary();
      const before = await f.token.balanceOf(beneficiary);
      const keeperBefore = await f.token.balanceOf(f.keeper.address);
      await expect(f.automation.connect(f.keeper).sweep()).to.emit(f.automation, "AutomationSwept").withArgs(beneficiary, fees, 0n);
      expect((await f.token.balanceOf(beneficiary)) - before).to.equal(fees);
      expect(await f.token.balanceOf(f.keeper.address)).to.equal(keeperBefore);
      expect(await f.engine.collateralOf(adapter)).to.equal(0n);
      // Nothing left: a no-op without an event.
      expect(await f.automation.sweep.staticCall()).to.deep.equal([0n, 0n]);
      await expect(f.automation.sweep()).to.not.emit(f.automation, "AutomationSwept");
    });

    it("sweep also sends quote tokens sent to the adapter directly", async function () {
      const f = await loadFixture(deployAutomationFixture);
      await f.token.mint(f.record.addresses.automation, usdc(7));
      const beneficiary = await f.automation.beneficiary();
      const before = await f.token.balanceOf(beneficiary);
      await expect(f.automation.connect(f.keeper).sweep()).to.emit(f.automation, "AutomationSwept").withArgs(beneficiary, 0n, usdc(7));
      expect((await f.token.balanceOf(beneficiary)) - before).to.equal(usdc(7));
    });

    it("a liquidation someone else already did is skipped: no state change and little gas", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const { data, items } = await check(f, Task.LIQUIDATE, 100, 1);
      const target = items[0].account;
      // Another liquidator closes the target until it is healthy or flat.
      for (let i = 0; i < 10; i++) {
        const h = await f.engine.accountHealth(target);
        if (h.health >= WAD || (await f.engine.positionOf(target, f.seriesId)) === 0n) break;
        await f.liquidation.connect(f.keeper).liquidate(target, f.seriesId, 10n * WAD);
      }
      const before = await protocolState(f);
      const receipt = await receiptOf(f.automation.performUpkeep(data));
      expect(await protocolState(f)).to.deep.equal(before);
      expect(eventsOf(f, receipt, "AutomationLiquidated")).to.have.length(0);
      const skipped = eventsOf(f, receipt, "AutomationItemSkipped");
      expect(skipped).to.have.length(1);
      // The position moved since the check: one read tells, the health is not re-evaluated.
      expect(skipped[0].args.reason).to.equal(Skip.CHANGED);
      expect(receipt.gasUsed).to.be.lessThan(NO_OP_GAS_BOUND);
    });

    it("re-validates stale performData: an account the price has healed is skipped as healthy", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const { data } = await check(f, Task.LIQUIDATE);
      await f.setEthPrice(3000n);
      const before = await protocolState(f);
      const receipt = await receiptOf(f.automation.performUpkeep(data));
      expect(await protocolState(f)).to.deep.equal(before);
      const reasons = eventsOf(f, receipt, "AutomationItemSkipped").map((e) => e.args.reason);
      expect(reasons).to.deep.equal(Array(5).fill(Skip.HEALTHY));
    });

    it("skips liquidations while the oracle has failed, and checkUpkeep finds none", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const { data } = await check(f, Task.LIQUIDATE);
      await f.breakEthFeeds();
      expect((await f.router.getSpot(ETH)).status).to.equal(2n);
      expect((await check(f, Task.LIQUIDATE)).needed).to.equal(false);
      const before = await protocolState(f);
      const receipt = await receiptOf(f.automation.performUpkeep(data));
      expect(await protocolState(f)).to.deep.equal(before);
      const reasons = eventsOf(f, receipt, "AutomationItemSkipped").map((e) => e.args.reason);
      expect(reasons).to.deep.equal(Array(5).fill(Skip.ORACLE_FAILED));
    });

    it("skips liquidations in a market the breaker halted, and a stale spot", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const { data } = await check(f, Task.LIQUIDATE, 100, 1);
      await f.breaker.connect(f.guardian).trip(ETH, Mode.HALTED);
      expect((await check(f, Task.LIQUIDATE)).needed).to.equal(false);
      await expect(f.automation.performUpkeep(data))
        .to.emit(f.automation, "AutomationItemSkipped")
        .withArgs(Task.LIQUIDATE, decodePerform(data).items[0].account, f.seriesId, Skip.BREAKER_REFUSED, "0x");
      // A spot older than the liquidation policy's maxSpotAge (lowered to 60 s by RISK) though its sources are
      // within their heartbeat: the liquidation engine would refuse it, the adapter skips it first.
      const g = await loadFixture(deployCrashedFixture);
      const p = await g.liquidation.params();
      await g.liquidation.connect(g.risk).setParams({
        closeFactor: p.closeFactor,
        dustAmount: p.dustAmount,
        penaltyRate: p.penaltyRate,
        baseFeeRate: p.baseFeeRate,
        feeSlopePerSecond: p.feeSlopePerSecond,
        maxFeeRate: p.maxFeeRate,
        insuranceShare: p.insuranceShare,
        maxSpotAge: 60n,
      });
      await increaseTime(120);
      expect((await g.router.getSpot(ETH)).status).to.equal(0n);
      expect((await check(g, Task.LIQUIDATE)).needed).to.equal(false);
      await expect(g.automation.performUpkeep(data))
        .to.emit(g.automation, "AutomationItemSkipped")
        .withArgs(Task.LIQUIDATE, decodePerform(data).items[0].account, g.seriesId, Skip.ORACLE_STALE, "0x");
    });

    it("a batch goes on past items that name no position, the vault, an unknown series or a position that moved", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const target = f.writers[0].address;
      const items: PerformItem[] = [
        { account: f.record.addresses.vault, key: f.seriesId, seen: -10n * WAD },
        { account: ZeroAddress, key: f.seriesId, seen: -10n * WAD },
        { account: target, key: 999n, seen: -10n * WAD },
        { account: f.lp.address, key: f.seriesId, seen: -10n * WAD },
        { account: target, key: f.seriesId, seen: -11n * WAD },
        { account: target, key: f.seriesId, seen: -10n * WAD },
      ];
      const receipt = await receiptOf(f.automation.performUpkeep(performData(Task.LIQUIDATE, items)));
      expect(eventsOf(f, receipt, "AutomationItemSkipped").map((e) => e.args.reason)).to.deep.equal([
        ...Array(4).fill(Skip.NO_POSITION),
        Skip.CHANGED,
      ]);
      expect(eventsOf(f, receipt, "AutomationLiquidated").map((e) => e.args.account)).to.deep.equal([target]);
    });
  });

  describe("SETTLE", function () {
    /** Past expiry, a fallback settlement price proposed and final. */
    async function settledFixture(): Promise<AutomationFixture> {
      const f = await deployAutomationFixture();
      const params = await f.router.getSettlementParams();
      const until = f.expiry + params.fallbackDelay - (await f.now()) + 1n;
      await increaseTime(until);
      await f.setEthPrice(2900n);
      await f.router.proposeFallbackSettlement(ETH, f.expiry);
      await increaseTime(params.disputeWindow + 1n);
      return f;
    }

    it("finds nothing before the settlement price is final, and skips such items as not final", async function () {
      const f = await loadFixture(deployAutomationFixture);
      expect((await check(f, Task.SETTLE)).needed).to.equal(false);
      await increaseTime(f.expiry - (await f.now()) + 1n);
      expect((await check(f, Task.SETTLE)).needed).to.equal(false);
      await expect(f.automation.performUpkeep(performData(Task.SETTLE, [{ account: f.writers[0].address, key: f.seriesId, seen: -10n * WAD }])))
        .to.emit(f.automation, "AutomationItemSkipped")
        .withArgs(Task.SETTLE, f.writers[0].address, f.seriesId, Skip.NOT_FINAL, "0x");
      expect(await f.engine.positionOf(f.writers[0].address, f.seriesId)).to.equal(-10n * WAD);
    });

    it("settles every position of a final series but the vault's; a second perform is a cheap no-op", async function () {
      const f = await loadFixture(settledFixture);
      const { data, items } = await check(f, Task.SETTLE);
      expect(items.map((i) => i.account)).to.have.members(f.writers.map((w) => w.address));
      expect(items.map((i) => i.account)).to.not.include(f.record.addresses.vault);
      const receipt = await receiptOf(f.automation.performUpkeep(data));
      expect(eventsOf(f, receipt, "AutomationSettled")).to.have.length(5);
      for (const w of f.writers) expect(await f.engine.positionOf(w.address, f.seriesId)).to.equal(0n);
      expect((await check(f, Task.SETTLE)).needed).to.equal(false);
      const before = await protocolState(f);
      const again = await receiptOf(f.automation.performUpkeep(performData(Task.SETTLE, items.slice(0, 1))));
      expect(await protocolState(f)).to.deep.equal(before);
      expect(eventsOf(f, again, "AutomationItemSkipped")[0].args.reason).to.equal(Skip.NO_POSITION);
      expect(again.gasUsed).to.be.lessThan(NO_OP_GAS_BOUND);
    });
  });

  describe("BREAKER_POKE", function () {
    it("records oracle statuses never recorded, then has nothing to do; a repeated perform is a cheap no-op", async function () {
      const f = await loadFixture(deployAutomationFixture);
      const first = await check(f, Task.BREAKER_POKE);
      expect(first.items.map((i) => i.key)).to.include(BigInt(ETH));
      const receipt = await receiptOf(f.automation.performUpkeep(first.data));
      expect(eventsOf(f, receipt, "AutomationStatusPoked").map((e) => e.args.underlying)).to.include(ETH);
      expect((await f.router.getStatusRecord(ETH)).status).to.equal(0n);
      expect(await f.automation.pokeNeeded(ETH)).to.deep.equal([false, false]);
      expect((await check(f, Task.BREAKER_POKE)).needed).to.equal(false);
      const before = await protocolState(f);
      const again = await receiptOf(f.automation.performUpkeep(performData(Task.BREAKER_POKE, [{ account: ZeroAddress, key: BigInt(ETH), seen: 0n }])));
      expect(await protocolState(f)).to.deep.equal(before);
      expect(eventsOf(f, again, "AutomationItemSkipped")[0].args.reason).to.equal(Skip.NOT_NEEDED);
      expect(again.gasUsed).to.be.lessThan(NO_OP_GAS_BOUND);
    });

    it("trips a market after a move beyond its limit, starts the cooldown once the price holds, and lifts it after", async function () {
      const f = await loadFixture(deployAutomationFixture);
      await f.automation.performUpkeep((await check(f, Task.BREAKER_POKE)).data);
      await increaseTime(60);
      await f.setEthPrice(2000n); // -33%, beyond the 25% limit
      expect((await f.automation.pokeNeeded(ETH))[0]).to.equal(true);
      const trip = await check(f, Task.BREAKER_POKE);
      expect(trip.items.map((i) => i.key)).to.include(BigInt(ETH));
      await expect(f.automation.performUpkeep(trip.data)).to.emit(f.automation, "AutomationBreakerPoked").withArgs(ETH, Mode.REDUCE_ONLY, 4n);
      expect((await f.breaker.modeOf(ETH))[0]).to.equal(Mode.REDUCE_ONLY);
      // The price holds: the next poke starts the cooldown; during it there is nothing to do.
      await increaseTime(60);
      await f.setEthPrice(2000n);
      await f.automation.performUpkeep((await check(f, Task.BREAKER_POKE)).data);
      expect((await f.breaker.scopeState(ETH)).clearing).to.equal(true);
      expect(await f.automation.pokeNeeded(ETH)).to.deep.equal([false, false]);
      const cooldown = await f.breaker.cooldown();
      await increaseTime(cooldown);
      await f.setEthPrice(2000n);
      const lift = await check(f, Task.BREAKER_POKE);
      await expect(f.automation.performUpkeep(lift.data)).to.emit(f.automation, "AutomationBreakerPoked").withArgs(ETH, Mode.ACTIVE, 0n);
      expect((await f.breaker.modeOf(ETH))[0]).to.equal(Mode.ACTIVE);
    });

    it("finds a failed oracle: the poke halts the market and records the status", async function () {
      const f = await loadFixture(deployAutomationFixture);
      await f.automation.performUpkeep((await check(f, Task.BREAKER_POKE)).data);
      await f.breakEthFeeds();
      expect(await f.automation.pokeNeeded(ETH)).to.deep.equal([true, true]);
      const receipt = await receiptOf(f.automation.performUpkeep((await check(f, Task.BREAKER_POKE)).data));
      // The window rotates with the block number, so other scopes (BTC, GLOBAL) may be poked in the same perform,
      // before or after ETH: pick ETH's events.
      const ethPokes = eventsOf(f, receipt, "AutomationBreakerPoked").filter((e) => e.args.scope === ETH);
      const ethStatus = eventsOf(f, receipt, "AutomationStatusPoked").filter((e) => e.args.underlying === ETH);
      expect(ethPokes).to.have.length(1);
      expect(ethPokes[0].args.mode).to.equal(Mode.HALTED);
      expect(ethStatus).to.have.length(1);
      expect(ethStatus[0].args.status).to.equal(2n);
    });
  });

  describe("REDEEM_QUEUE", function () {
    it("processes a payable head request; afterwards nothing is due and a repeated perform is a cheap no-op", async function () {
      const f = await loadFixture(deployAutomationFixture);
      expect((await check(f, Task.REDEEM_QUEUE)).needed).to.equal(false);
      const shares = await f.vault.convertToShares(usdc(1_000));
      await f.vault.connect(f.lp).requestRedeem(shares, f.lp.address, f.lp.address);
      const c = await check(f, Task.REDEEM_QUEUE, 1, 5);
      expect(c.items).to.deep.equal([{ account: ZeroAddress, key: 5n, seen: 0n }]);
      const receipt = await receiptOf(f.automation.performUpkeep(c.data));
      const processed = eventsOf(f, receipt, "AutomationRedeemQueueProcessed")[0];
      expect(processed.args.processed).to.equal(1n);
      expect(processed.args.assets).to.be.closeTo(usdc(1_000), usdc(1));
      expect((await f.vault.redeemRequest(0)).assets).to.equal(processed.args.assets);
      expect((await f.vault.redeemRequest(0)).status).to.equal(2n); // CLAIMABLE
      expect((await check(f, Task.REDEEM_QUEUE)).needed).to.equal(false);
      const before = await protocolState(f);
      const again = await receiptOf(f.automation.performUpkeep(c.data));
      expect(await protocolState(f)).to.deep.equal(before);
      expect(eventsOf(f, again, "AutomationItemSkipped")[0].args.reason).to.equal(Skip.NOT_NEEDED);
      expect(again.gasUsed).to.be.lessThan(NO_OP_GAS_BOUND);
    });

    it("skips a perform whose queue head was processed by someone else since the check, leaving the next request", async function () {
      const f = await loadFixture(deployAutomationFixture);
      const shares = await f.vault.convertToShares(usdc(1_000));
      await f.vault.connect(f.lp).requestRedeem(shares, f.lp.address, f.lp.address);
      const c = await check(f, Task.REDEEM_QUEUE, 1, 5);
      await f.vault.connect(f.keeper).processRedeemQueue(1);
      await f.vault.connect(f.lp).requestRedeem(shares, f.lp.address, f.lp.address);
      await expect(f.automation.performUpkeep(c.data))
        .to.emit(f.automation, "AutomationItemSkipped")
        .withArgs(Task.REDEEM_QUEUE, ZeroAddress, 5n, Skip.CHANGED, "0x");
      expect((await f.vault.redeemRequest(1)).status).to.equal(1n); // still PENDING
      expect((await check(f, Task.REDEEM_QUEUE, 1, 5)).items[0].seen).to.equal(1n);
    });

    it("waits while the head request exceeds free liquidity and consumes it once cancelled", async function () {
      const f = await loadFixture(deployAutomationFixture);
      const all = await f.vault.balanceOf(f.lp.address);
      await f.vault.connect(f.lp).requestRedeem(all, f.lp.address, f.lp.address);
      expect(await f.automation.redeemQueueDue()).to.equal(false);
      expect((await check(f, Task.REDEEM_QUEUE)).needed).to.equal(false);
      await f.vault.connect(f.lp).cancelRedeemRequest(0);
      const c = await check(f, Task.REDEEM_QUEUE);
      expect(c.needed).to.equal(true);
      await expect(f.automation.performUpkeep(c.data)).to.emit(f.automation, "AutomationRedeemQueueProcessed").withArgs(1n, 0n);
      expect(await f.vault.redeemQueue()).to.deep.equal([1n, 1n]);
    });
  });

  describe("windows", function () {
    it("successive blocks scan successive windows that wrap and together cover every account", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const n = await f.engine.accountCount();
      expect(n).to.be.greaterThan(5n);
      const window = 2n;
      const seen = new Set<bigint>();
      const found = new Set<string>();
      let wrapped = false;
      const blocks = Number((n + window - 1n) / window);
      for (let b = 0; b < blocks; b++) {
        const [start, size] = await f.automation.scanStart(Task.LIQUIDATE, 7, window);
        expect(size).to.equal(n);
        for (let k = 0n; k < window; k++) seen.add((start + k) % n);
        if (start + window > n) wrapped = true;
        for (const i of (await check(f, Task.LIQUIDATE, Number(window), 20, 7)).items) found.add(i.account);
        await mine(1);
      }
      expect(seen.size).to.equal(Number(n));
      expect(found).to.deep.equal(new Set(f.writers.map((w) => w.address)));
      // With an odd account count and a window of 2, one window of the lap crosses the end of the list.
      if (n % window !== 0n) expect(wrapped).to.equal(true);
    });

    it("a window that crosses the end of the list scans its last and first accounts", async function () {
      const f = await loadFixture(deployCrashedFixture);
      const n = await f.engine.accountCount();
      const list = (await f.engine.healthOfRange(0, n)).map((h) => h.account);
      const [start] = await f.automation.scanStart(Task.LIQUIDATE, 0, 3);
      // Choose the cursor so that this block's window starts at the last account.
      const cursor = (n - 1n - start + n) % n;
      const [wrapStart] = await f.automation.scanStart(Task.LIQUIDATE, cursor, 3);
      expect(wrapStart).to.equal(n - 1n);
      const scanned = [list[Number(n) - 1], list[0], list[1]];
      const writers = new Set(f.writers.map((w) => w.address));
      const expected = scanned.filter((a) => writers.has(a));
      const { items } = await check(f, Task.LIQUIDATE, 3, 20, Number(cursor));
      expect(new Set(items.map((i) => i.account))).to.deep.equal(new Set(expected));
    });
  });
});
