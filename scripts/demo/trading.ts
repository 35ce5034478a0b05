/**
 * Demo section: LPs deposit, traders buy and sell against the vault, time passes to expiry, the settlement price
 * is proven from the feeds' rounds and finalised after the dispute window, and every position settles.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { connectDeployment, mockFeed, mockQuoteToken } from "../../deploy/lib/connect";
import type { DeploymentRecord } from "../../deploy/lib/deployProtocol";
import { setEthPrice } from "./feeds";
import { heading, quote as fmtQuote, wad as fmtWad } from "../lib/format";
import { ETH, WAD, usdc } from "../lib/units";


export interface Actors {
  risk: HardhatEthersSigner;
  lps: Array<{ name: string; signer: HardhatEthersSigner; deposit: bigint }>;
  traders: Array<{ name: string; signer: HardhatEthersSigner; collateral: bigint }>;
  keeper: HardhatEthersSigner;
}

export async function actors(hre: HardhatRuntimeEnvironment): Promise<Actors> {
  const s = await hre.ethers.getSigners();
  return {
    risk: s[1],
    lps: [
      { name: "LP Lena", signer: s[3], deposit: usdc(600_000) },
      { name: "LP Omar", signer: s[4], deposit: usdc(400_000) },
    ],
    traders: [
      { name: "Alice", signer: s[5], collateral: usdc(50_000) },
      { name: "Bob", signer: s[6], collateral: usdc(50_000) },
      { name: "Carol", signer: s[7], collateral: usdc(60_000) },
    ],
    keeper: s[8],
  };
}


async function warpTo(hre: HardhatRuntimeEnvironment, timestamp: bigint): Promise<void> {
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
  await hre.network.provider.send("evm_mine", []);
}

export async function tradingLifecycle(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, who: Actors): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  const contracts = connectDeployment(record, deployer);
  const { engine, market, vault, router } = contracts;
  const token = mockQuoteToken(contracts);
  const now = async () => BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
  const sharePrice = async () => fmtQuote(await vault.convertToAssets(10n ** 12n), 6);

  heading("LPs deposit into the vault (ERC-4626, 1 share = 1e-12 of the first unit)");
  for (const lp of who.lps) {
    await (await token.mint(lp.signer.address, lp.deposit)).wait();
    await (await token.connect(lp.signer).approve(record.addresses.vault, lp.deposit)).wait();
    await (await vault.connect(lp.signer).deposit(lp.deposit, lp.signer.address)).wait();
    console.log(`  ${lp.name.padEnd(8)} deposited ${fmtQuote(lp.deposit).padStart(12)} USDC  shares ${fmtWad((await vault.balanceOf(lp.signer.address)) * 10n ** 6n, 2)}`);
  }
  console.log(`  vault total assets ${fmtQuote(await vault.totalAssets())} USDC, share price ${await sharePrice()}`);

  heading("The risk role lists ETH series expiring in 14 days");
  const expiry = ((await now()) / 86_400n + 14n) * 86_400n + 8n * 3600n; // 08:00 UTC, 14 days out
  const listed: Record<string, bigint> = {};
  for (const [name, strike, isCall] of [
    ["ETH 3300 call", 3300n, true],
    ["ETH 3000 call", 3000n, true],
    ["ETH 2700 put", 2700n, false],
    ["ETH 3000 put", 3000n, false],
  ] as const) {
    await (await market.connect(who.risk).listSeries(ETH, strike * WAD, expiry, isCall, (60n * WAD) / 100n)).wait();
    listed[name] = await market.seriesIdOf(ETH, strike * WAD, expiry, isCall);
  }
  console.log(`  ${"series".padEnd(14)} ${"id".padStart(3)} ${"bid (1 option)".padStart(15)} ${"ask (1 option)".padStart(15)} ${"mark".padStart(10)}`);
  for (const [name, id] of Object.entries(listed)) {
    const ask = await market.quote(id, WAD);
    const bid = await market.quote(id, -WAD);
    console.log(`  ${name.padEnd(14)} ${String(id).padStart(3)} ${fmtQuote(bid.premium).padStart(15)} ${fmtQuote(ask.premium).padStart(15)} ${fmtWad(ask.mark).padStart(10)}`);
  }

  heading("Traders deposit collateral and trade against the vault");
  const start: Record<string, bigint> = {};
  for (const t of who.traders) {
    await (await token.mint(t.signer.address, t.collateral)).wait();
    await (await token.connect(t.signer).approve(record.addresses.engine, t.collateral)).wait();
    await (await engine.connect(t.signer).deposit(t.signer.address, t.collateral)).wait();
    start[t.name] = t.collateral;
  }
  const deadline = async () => (await now()) + 600n;
  const trades: Array<[string, string, bigint]> = [
    ["Alice", "ETH 3300 call", 10n * WAD],
    ["Bob", "ETH 2700 put", 8n * WAD],
    ["Carol", "ETH 3000 put", -12n * WAD],
    ["Carol", "ETH 2700 put", 12n * WAD],
  ];
  for (const [name, series, amount] of trades) {
    const t = who.traders.find((x) => x.name === name)!;
    const q = await market.quote(listed[series], amount);
    // Slippage limit: 1% worse than the quote.
    const limit = amount > 0n ? (q.premium * 101n) / 100n : (q.premium * 99n) / 100n;
    await (await market.connect(t.signer).trade(listed[series], amount, limit, await deadline())).wait();
    const verb = amount > 0n ? "buys " : "sells";
    console.log(`  ${name.padEnd(6)} ${verb} ${fmtWad((amount < 0n ? -amount : amount), 0).padStart(3)} × ${series.padEnd(14)} premium ${fmtQuote(q.premium).padStart(10)} (fee ${fmtQuote(q.fee)})`);
  }
  console.log("  Carol's short 3000 put is hedged by the long 2700 put: a spread, margined on its worst case.");
  for (const t of who.traders) {
    const h = await engine.accountHealth(t.signer.address);
    const [initial, maintenance] = await engine.requirementsOf(t.signer.address);
    const health = maintenance === 0n ? "no requirement" : `health ${fmtWad(h.health)}`;
    console.log(`  ${t.name.padEnd(6)} equity ${fmtQuote(BigInt(h.equity) < 0n ? 0n : BigInt(h.equity)).padStart(10)}  initial ${fmtQuote(initial).padStart(9)}  maintenance ${fmtQuote(maintenance).padStart(9)}  ${health}`);
  }
  console.log(`  vault share price ${await sharePrice()}`);

  heading("Time passes to expiry: ETH closes at 3,450");
  await setEthPrice(hre, record, 3200n);
  await warpTo(hre, expiry - 3600n);
  await setEthPrice(hre, record, 3400n);
  await warpTo(hre, expiry + 60n);
  await setEthPrice(hre, record, 3450n);
  const { settlementDelay, disputeWindow } = await router.getSettlementParams();
  await warpTo(hre, expiry + settlementDelay + 1n);

  // The first round at or after expiry on each feed (within one aggregator phase the hint is the round id alone;
  // the adapter proves the round before it is earlier than expiry).
  const hints: bigint[] = [];
  const [sources] = await router.getUnderlyingConfig(ETH);
  for (const ref of ["mock:ETH-A", "mock:ETH-B", "mock:ETH-C"]) {
    const feed = mockFeed(contracts, ref);
    const latest = await feed.latestRoundId();
    hints.push(latest);
  }
  if (hints.length !== sources.length) throw new Error("one hint per source");
  await (await router.connect(who.keeper).recordSettlement(ETH, expiry, hints)).wait();
  const [proposed] = await router.getSettlementPrice(ETH, expiry);
  console.log(`  settlement proposed from the feeds' first rounds after expiry: ${fmtWad(proposed)}`);
  await warpTo(hre, expiry + settlementDelay + disputeWindow + 2n);
  const [finalPrice, isFinal] = await router.getSettlementPrice(ETH, expiry);
  console.log(`  dispute window over: ${fmtWad(finalPrice)} final=${isFinal}`);

  heading("Every position settles (anyone may settle anyone)");
  // One copy of the final price into the engine first: every settlement of the expiry then reads it there.
  const anySeries = Object.values(listed)[0];
  const copy = await (await engine.connect(who.keeper).recordExpiryPrice(anySeries)).wait();
  console.log(
    `  final price copied into the engine once (recordExpiryPrice, ${copy!.gasUsed.toLocaleString("en-US")} gas): ${fmtWad(await engine.expiryPriceOf(anySeries))}`,
  );
  for (const t of who.traders) {
    const [ids] = await engine.positionsOf(t.signer.address);
    for (const id of ids) {
      const before = await engine.collateralOf(t.signer.address);
      const settled = await (await engine.connect(who.keeper).settle(t.signer.address, id)).wait();
      const after = await engine.collateralOf(t.signer.address);
      const name = Object.entries(listed).find(([, v]) => v === id)?.[0] ?? `series ${id}`;
      const delta = after - before;
      console.log(
        `  ${t.name.padEnd(6)} ${name.padEnd(14)} payout ${(delta < 0n ? "-" : "+") + fmtQuote(delta < 0n ? -delta : delta)}  (${settled!.gasUsed.toLocaleString("en-US")} gas)`,
      );
    }
  }

  heading("P&L");
  for (const t of who.traders) {
    const end = await engine.collateralOf(t.signer.address);
    const pnl = end - start[t.name];
    console.log(`  ${t.name.padEnd(8)} ${(pnl < 0n ? "-" : "+") + fmtQuote(pnl < 0n ? -pnl : pnl).padStart(10)} USDC`);
  }
  for (const lp of who.lps) {
    const shares = await vault.balanceOf(lp.signer.address);
    const value = await vault.convertToAssets(shares);
    const pnl = value - lp.deposit;
    console.log(`  ${lp.name.padEnd(8)} ${(pnl < 0n ? "-" : "+") + fmtQuote(pnl < 0n ? -pnl : pnl).padStart(10)} USDC (shares worth ${fmtQuote(value)})`);
  }
  console.log(`  vault share price ${await sharePrice()} (started at 1.000000)`);
  const [balance, owed] = await engine.conservation();
  console.log(`  engine holds ${fmtQuote(balance)} USDC and owes ${fmtQuote(owed)}: conservation ${balance >= owed ? "holds" : "BROKEN"}`);
}
