/**
 * Demo section: the keeper service runs the protocol through a crash.
 *
 * Put writers open shorts; the real keeper service starts (supervisor, signer and four strategy processes, see
 * ./keeper.ts) against the demo network served on 127.0.0.1, which now mines a block every second. ETH crashes 40%
 * in one block: the breaker watchdog pokes the breaker (REDUCE_ONLY, new risk refused), the liquidator closes the
 * unhealthy shorts through the LiquidationEngine round after round; the market steadies and the watchdog lifts the
 * breaker after its cooldown; an LP's redeem request is processed by the redeem-queue strategy; at expiry the
 * settler proves the settlement price from the feeds' rounds, copies the final price into the engine when the expiry
 * has enough positions for the copy to pay for itself, and settles every position. Nothing in this section is sent by the script on the protocol's behalf: the script only moves prices and
 * time and acts as users.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { connectDeployment, mockFeed, mockQuoteToken } from "../../deploy/lib/connect";
import type { DeploymentRecord } from "../../deploy/lib/deployProtocol";
import { heading, quote as fmtQuote, wad as fmtWad } from "../lib/format";
import { BTC, ETH, WAD, usdc } from "../lib/units";
import { startDemoKeeper, type DemoKeeper } from "./keeper";
import { serveNetwork } from "./rpc";

const MODES = ["ACTIVE", "REDUCE_ONLY", "HALTED"];
const REASONS = ["NONE", "GUARDIAN", "ORACLE_DEGRADED", "ORACLE_FAILED", "PRICE_MOVE", "OUTFLOW", "UTILISATION", "GLOBAL"];
const BLOCK_MS = 1_000;

/** Every mock feed of deploy/parameters/local.json: [record name, decimals, underlying]. */
const FEEDS = [
  ["mock:ETH-A", 8n, "ETH"],
  ["mock:ETH-B", 8n, "ETH"],
  ["mock:ETH-C", 18n, "ETH"],
  ["mock:BTC-A", 8n, "BTC"],
  ["mock:BTC-B", 8n, "BTC"],
  ["mock:BTC-C", 18n, "BTC"],
] as const;
const BTC_PRICE = 60_000n;

const fmtHealth = (h: bigint) => (h >= 10n ** 30n ? "  no req." : fmtWad(h).padStart(9));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 250 ms until it returns true; false after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(250);
  }
  return check();
}

export async function crashWithKeepers(hre: HardhatRuntimeEnvironment, record: DeploymentRecord): Promise<void> {
  const signers = await hre.ethers.getSigners();
  const [deployer, risk] = signers;
  const omar = signers[4];
  const writers: Array<{ name: string; signer: HardhatEthersSigner; collateral: bigint }> = [
    { name: "Writer 1", signer: signers[10], collateral: usdc(15_000) },
    { name: "Writer 2", signer: signers[11], collateral: usdc(18_000) },
    { name: "Writer 3", signer: signers[12], collateral: usdc(24_000) },
    { name: "Writer 4", signer: signers[13], collateral: usdc(45_000) },
  ];
  const a = record.addresses;
  const contracts = connectDeployment(record, deployer);
  const { engine, market, breaker, liquidation, vault, router } = contracts;
  const token = mockQuoteToken(contracts);
  const insurance = contracts.insuranceFund;
  const provider = hre.network.provider;
  const now = async () => BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);

  /**
   * Fresh rounds on every feed (ETH at `eth`, BTC unchanged) in ONE block, optionally `advance` seconds later:
   * the keepers never see a block with half the feeds moved, or with time moved and prices stale.
   */
  let eth = 3450n;
  const setPrices = async (price: bigint, advance = 0n) => {
    eth = price;
    await provider.send("evm_setIntervalMining", [0]);
    await provider.send("evm_setAutomine", [false]);
    try {
      if (advance > 0n) await provider.send("evm_increaseTime", [Number(advance)]);
      for (const [ref, decimals, underlying] of FEEDS) {
        await mockFeed(contracts, ref).pushRound((underlying === "ETH" ? price : BTC_PRICE) * 10n ** decimals);
      }
      await provider.send("evm_mine", []);
    } finally {
      await provider.send("evm_setAutomine", [true]);
      await provider.send("evm_setIntervalMining", [BLOCK_MS]);
    }
  };

  heading("Put writers sell 7-day ETH 3000 puts; the insurance fund holds 20,000 USDC");
  await setPrices(eth);
  const expiry = (await now()) + 7n * 86_400n;
  await (await market.connect(risk).listSeries(ETH, 3000n * WAD, expiry, false, (70n * WAD) / 100n)).wait();
  const seriesId = await market.seriesIdOf(ETH, 3000n * WAD, expiry, false);
  await (await token.mint(deployer.address, usdc(20_000))).wait();
  await (await token.approve(a.insuranceFund, usdc(20_000))).wait();
  await (await insurance.fund(usdc(20_000))).wait();
  for (const w of writers) {
    await (await token.mint(w.signer.address, w.collateral)).wait();
    await (await token.connect(w.signer).approve(a.engine, w.collateral)).wait();
    await (await engine.connect(w.signer).deposit(w.signer.address, w.collateral)).wait();
    await (await market.connect(w.signer).trade(seriesId, -40n * WAD, 0n, (await now()) + 600n)).wait();
  }
  const show = async (label: string) => {
    console.log(`  ${label}`);
    for (const w of writers) {
      const h = await engine.accountHealth(w.signer.address);
      const position = await engine.positionOf(w.signer.address, seriesId);
      console.log(
        `    ${w.name}  short ${fmtWad(-position, 2).padStart(6)} puts  collateral ${fmtQuote(await engine.collateralOf(w.signer.address)).padStart(10)}` +
          `  equity ${fmtQuote(BigInt(h.equity) > 0n ? BigInt(h.equity) : 0n).padStart(10)}  health ${fmtHealth(h.health)}`,
      );
    }
  };
  await show("before the crash (spot 3,450):");

  heading("The keeper service starts (supervisor, signer, 4 strategy processes) on the demo network's JSON-RPC");
  const fromBlock = await hre.ethers.provider.getBlockNumber();
  const server = await serveNetwork(hre);
  let keeper: DemoKeeper | null = null;
  await provider.send("evm_setIntervalMining", [BLOCK_MS]);
  try {
    keeper = await startDemoKeeper(hre, record, server.url);
    console.log(`  JSON-RPC ${server.url} (a block every ${BLOCK_MS / 1000} s); keeper ${keeper.address}; contract addresses from the deployment record`);
    const pids = keeper.lines.filter((l) => l.msg === "child started").map((l) => `${String(l.child)} ${String(l.pid)}`);
    console.log(`  processes: ${pids.join(", ")}`);
    await sleep(3_000); // the keepers settle into the current state

    heading("ETH falls 40% in one block (3,450 -> 2,070); the keepers react");
    await setPrices(2070n, 60n);
    const crashBlock = await hre.ethers.provider.getBlockNumber();
    const tripped = await until(async () => (await breaker.modeOf(ETH)).mode !== 0n, 30_000);
    const [mode, reason] = await breaker.modeOf(ETH);
    console.log(`  breaker ETH: ${MODES[Number(mode)]} (${REASONS[Number(reason)]})${tripped ? " — poked by the watchdog" : " — not tripped within 30 s"}`);
    try {
      await market.connect(signers[5]).trade.staticCall(seriesId, -WAD, 0n, (await now()) + 600n);
      console.log("  a new short was accepted (unexpected)");
    } catch (err) {
      const data = (err as { data?: string }).data;
      const decoded = data ? breaker.interface.parseError(data) : null;
      console.log(`  a new short is refused: ${decoded ? `${decoded.name}(${decoded.args.join(", ")})` : (err as Error).message.split("\n")[0]}`);
    }
    /** Writers still short and below maintenance, at `blockTag` (the latest block by default). */
    const unhealthy = async (blockTag: number | "latest" = "latest") => {
      let n = 0;
      for (const w of writers) {
        const h = await engine.accountHealth(w.signer.address, { blockTag });
        if (h.priced && h.health < WAD && (await engine.positionOf(w.signer.address, seriesId, { blockTag })) < 0n) n++;
      }
      return n;
    };
    // Counted at the crash block: the liquidator may already have acted by the time this line is printed.
    console.log(`  ${await unhealthy(crashBlock)} of ${writers.length} writers fail maintenance at the crash block; the liquidator works them down`);
    const cleared = await until(async () => (await unhealthy()) === 0, 120_000);
    const events = await liquidation.queryFilter(liquidation.filters.Liquidated(), crashBlock, "latest");
    let fees = 0n;
    let cover = 0n;
    let badDebt = 0n;
    for (const e of events) {
      const w = writers.find((x) => x.signer.address === e.args.account)?.name ?? e.args.account;
      const by = e.args.liquidator === keeper.address ? "keeper" : e.args.liquidator;
      console.log(
        `    block ${e.blockNumber}  ${w}  closed ${fmtWad(e.args.closed, 3).padStart(7)}  health ${fmtHealth(e.args.healthBefore)} -> ${fmtHealth(e.args.healthAfter)}` +
          `  fee ${fmtQuote(e.args.fee).padStart(8)}  bad debt ${fmtQuote(e.args.badDebt).padStart(9)}  (${by})`,
      );
      fees += e.args.fee;
      cover += e.args.insuranceCover;
      badDebt += e.args.badDebt;
    }
    if (!cleared) console.log("  (some writer is still unhealthy after 120 s)");
    await show("after the liquidations:");
    console.log(`  keeper fees ${fmtQuote(fees)} USDC, insurance cover ${fmtQuote(cover)} USDC, bad debt left to the vault ${fmtQuote(badDebt)} USDC`);
    console.log(`  insurance fund balance ${fmtQuote(await insurance.balance())} USDC`);

    heading("The market steadies; after the cooldown the watchdog lifts the breaker");
    await setPrices(2100n, 60n);
    await sleep(3_000);
    await setPrices(2105n, (await breaker.cooldown()) + 1n);
    const lifted = await until(async () => (await breaker.modeOf(ETH)).mode === 0n, 30_000);
    const [after, afterReason] = await breaker.modeOf(ETH);
    console.log(`  breaker ETH: ${MODES[Number(after)]} (${REASONS[Number(afterReason)]})${lifted ? "" : " — not lifted within 30 s"}`);

    heading("LP Omar asks to redeem a quarter of his shares; the redeem-queue strategy processes the request");
    const shares = (await vault.balanceOf(omar.address)) / 4n;
    await (await vault.connect(omar).requestRedeem(shares, omar.address, omar.address)).wait();
    const [head, tail] = await vault.redeemQueue();
    console.log(`  queue: requests ${head}..${tail - 1n} pending`);
    const processed = await until(async () => {
      const [h, t] = await vault.redeemQueue();
      return h === t;
    }, 30_000);
    for (const e of await vault.queryFilter(vault.filters.RedeemProcessed(), fromBlock, "latest")) {
      console.log(`  request ${e.args.requestId} processed: ${fmtQuote(e.args.assets)} USDC claimable for ${fmtWad(e.args.shares * 10n ** 6n, 2)} shares`);
    }
    if (!processed) console.log("  (the queue was not processed within 30 s)");

    heading("Expiry: the settler proves the settlement price from the feeds and settles every position");
    await setPrices(2150n, expiry - (await now()) + 60n);
    const { settlementDelay, disputeWindow } = await router.getSettlementParams();
    await setPrices(2150n, BigInt(settlementDelay) + 1n);
    const recorded = await until(async () => (await router.getSettlement(ETH, expiry)).kind !== 0n, 30_000);
    const proposed = await router.getSettlement(ETH, expiry);
    console.log(`  settlement price ${recorded ? `proposed by the settler: ${fmtWad(proposed.price)}` : "not proposed within 30 s"}`);
    await setPrices(2150n, BigInt(disputeWindow) + 2n);
    const holders = [...writers.map((w) => w.signer.address), a.vault];
    const settled = await until(async () => {
      for (const h of holders) if ((await engine.positionOf(h, seriesId)) !== 0n) return false;
      return true;
    }, 60_000);
    console.log(`  every position in the put series settled: ${settled ? "yes" : "not within 60 s"}`);
    const copied = await engine.expiryPriceOf(seriesId);
    console.log(
      `  final price copied into the engine by the settler (recordExpiryPrice): ${copied === 0n ? "no (the settler copies it only for an expiry with at least minSettlementsForPriceCopy positions to settle, where the copy saves more gas than it costs)" : fmtWad(copied)}`,
    );
    await sleep(2 * BLOCK_MS); // let the last receipts reach the journal

    heading("What each keeper strategy did (from the keeper's journal and logs)");
    await keeper.stop();
    report(keeper);
    const [balance, owed] = await engine.conservation();
    console.log(`  engine holds ${fmtQuote(balance)} USDC and owes ${fmtQuote(owed)}: conservation ${balance >= owed ? "holds" : "BROKEN"}`);
    console.log("  every breaker transition since the keepers started:");
    for (const e of await breaker.queryFilter(breaker.filters.BreakerModeChanged(), fromBlock, "latest")) {
      const scope = e.args.scope === ETH ? "ETH" : e.args.scope === BTC ? "BTC" : "global";
      console.log(`    block ${e.blockNumber}  ${scope}: ${MODES[Number(e.args.oldMode)]} -> ${MODES[Number(e.args.newMode)]} (${REASONS[Number(e.args.reason)]})`);
    }
  } finally {
    await keeper?.stop();
    await provider.send("evm_setIntervalMining", [0]);
    await server.close();
  }
}

/** Per strategy: transactions confirmed by action (gas), and what was skipped or failed, from the journal. */
function report(keeper: DemoKeeper): void {
  const journal = keeper.journal();
  for (const strategy of ["liquidator", "watchdog", "redeem", "settler"]) {
    const entries = journal.filter((e) => e.strategy === strategy);
    const byAction = new Map<string, { confirmed: number; failed: number; pending: number; gas: bigint }>();
    for (const e of entries) {
      const s = byAction.get(e.action) ?? { confirmed: 0, failed: 0, pending: 0, gas: 0n };
      if (e.state === "confirmed") {
        s.confirmed++;
        s.gas += BigInt(e.receipt?.gasUsed ?? 0);
      } else if (e.state === "failed") s.failed++;
      else s.pending++;
      byAction.set(e.action, s);
    }
    const parts = [...byAction].map(([action, s]) => `${action}: ${s.confirmed} confirmed (${s.gas} gas)${s.failed ? `, ${s.failed} not sent or reverted` : ""}${s.pending ? `, ${s.pending} pending` : ""}`);
    const logs = keeper.lines.filter((l) => l.component === `strategy:${strategy}` && (l.level === "info" || l.level === "warn")).length;
    console.log(`  ${strategy.padEnd(10)} ${parts.length ? parts.join("; ") : "no transaction"}  (${logs} log lines)`);
  }
  const reasons = journal.filter((e) => e.state === "failed").map((e) => e.code ?? e.reason ?? "?");
  if (reasons.length) {
    const counts = new Map<string, number>();
    for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    console.log(`  not sent or reverted, by reason: ${[...counts].map(([r, n]) => `${r} x${n}`).join(", ")}`);
  }
  const restarts = keeper.lines.filter((l) => l.msg === "child started").length - 5;
  console.log(`  process restarts: ${restarts}`);
}
