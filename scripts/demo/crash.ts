/**
 * Demo section: put writers open shorts, ETH crashes 40% in one block, the breaker trips to REDUCE_ONLY, new risk
 * is refused, a liquidation script closes the unhealthy shorts (health before and after, fees, insurance cover and
 * bad debt), then the cause clears and the breaker lifts itself after its cooldown.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { encodeBytes32String, parseUnits, type Log } from "ethers";
import {
  CircuitBreaker__factory,
  IMarginEngine__factory,
  InsuranceFund__factory,
  LiquidationEngine__factory,
  MockQuoteToken__factory,
  OptionMarket__factory,
} from "../../typechain-types";
import type { DeploymentRecord } from "../../deploy/lib/deployProtocol";
import { setEthPrice } from "./feeds";
import { heading, quote as fmtQuote, wad as fmtWad } from "../lib/format";

const WAD = 10n ** 18n;
const ETH = encodeBytes32String("ETH");
const usdc = (v: string | number) => parseUnits(String(v), 6);
const MODES = ["ACTIVE", "REDUCE_ONLY", "HALTED"];
const REASONS = ["NONE", "GUARDIAN", "ORACLE_DEGRADED", "ORACLE_FAILED", "PRICE_MOVE", "OUTFLOW", "UTILISATION", "GLOBAL"];



const fmtHealth = (h: bigint) => (h >= 10n ** 30n ? "  no req." : fmtWad(h).padStart(9));

export async function crashAndLiquidate(hre: HardhatRuntimeEnvironment, record: DeploymentRecord): Promise<void> {
  const signers = await hre.ethers.getSigners();
  const [deployer, risk] = signers;
  const keeper = signers[8];
  const writers: Array<{ name: string; signer: HardhatEthersSigner; collateral: bigint }> = [
    { name: "Writer 1", signer: signers[10], collateral: usdc(15_000) },
    { name: "Writer 2", signer: signers[11], collateral: usdc(18_000) },
    { name: "Writer 3", signer: signers[12], collateral: usdc(24_000) },
    { name: "Writer 4", signer: signers[13], collateral: usdc(45_000) },
  ];
  const token = MockQuoteToken__factory.connect(record.addresses["mock:USDC"], deployer);
  const engine = IMarginEngine__factory.connect(record.addresses.engine, deployer);
  const market = OptionMarket__factory.connect(record.addresses.market, deployer);
  const breaker = CircuitBreaker__factory.connect(record.addresses.breaker, deployer);
  const liquidation = LiquidationEngine__factory.connect(record.addresses.liquidation, keeper);
  const insurance = InsuranceFund__factory.connect(record.addresses.insuranceFund, deployer);
  const now = async () => BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);

  const transitions: string[] = [];
  const collect = (logs: readonly Log[]) => {
    for (const log of logs) {
      if (log.address.toLowerCase() !== record.addresses.breaker.toLowerCase()) continue;
      const parsed = breaker.interface.parseLog(log);
      if (parsed?.name === "BreakerModeChanged") {
        const scope = parsed.args.scope === ETH ? "ETH" : "global";
        transitions.push(`${scope}: ${MODES[Number(parsed.args.oldMode)]} -> ${MODES[Number(parsed.args.newMode)]} (${REASONS[Number(parsed.args.reason)]})`);
      }
    }
  };

  heading("Put writers sell 7-day ETH 3000 puts; the insurance fund holds 20,000 USDC");
  const spot = 3450n;
  await setEthPrice(hre, record, spot);
  collect((await (await breaker.poke(ETH)).wait())!.logs);
  const expiry = (await now()) + 7n * 86_400n;
  await (await market.connect(risk).listSeries(ETH, 3000n * WAD, expiry, false, (70n * WAD) / 100n)).wait();
  const seriesId = await market.seriesIdOf(ETH, 3000n * WAD, expiry, false);
  await (await token.mint(deployer.address, usdc(20_000))).wait();
  await (await token.approve(record.addresses.insuranceFund, usdc(20_000))).wait();
  await (await insurance.fund(usdc(20_000))).wait();
  for (const w of writers) {
    await (await token.mint(w.signer.address, w.collateral)).wait();
    await (await token.connect(w.signer).approve(record.addresses.engine, w.collateral)).wait();
    await (await engine.connect(w.signer).deposit(w.signer.address, w.collateral)).wait();
    await (await market.connect(w.signer).trade(seriesId, -40n * WAD, 0n, (await now()) + 600n)).wait();
  }
  const show = async (label: string) => {
    console.log(`  ${label}`);
    for (const w of writers) {
      const h = await engine.accountHealth(w.signer.address);
      const position = await engine.positionOf(w.signer.address, seriesId);
      console.log(
        `    ${w.name}  short ${fmtWad(-position, 1).padStart(5)} puts  collateral ${fmtQuote(await engine.collateralOf(w.signer.address)).padStart(10)}` +
          `  equity ${fmtQuote(BigInt(h.equity) > 0n ? BigInt(h.equity) : 0n).padStart(10)}  health ${fmtHealth(h.health)}`,
      );
    }
  };
  await show("before the crash (spot 3,450):");

  heading("ETH falls 40% in one block (3,450 -> 2,070)");
  await hre.network.provider.send("evm_increaseTime", [60]);
  await setEthPrice(hre, record, 2070n);
  collect((await (await breaker.poke(ETH)).wait())!.logs);
  const [mode, reason] = await breaker.modeOf(ETH);
  console.log(`  breaker ETH: ${MODES[Number(mode)]} (${REASONS[Number(reason)]})`);
  try {
    // Alice (well collateralised, from the trading section) tries to open a new short.
    await market.connect(signers[5]).trade.staticCall(seriesId, -WAD, 0n, (await now()) + 600n);
    console.log("  a new short was accepted (unexpected)");
  } catch (err) {
    const data = (err as { data?: string }).data;
    const decoded = data ? breaker.interface.parseError(data) : null;
    console.log(`  a new short is refused: ${decoded ? `${decoded.name}(${decoded.args.join(", ")})` : (err as Error).message.split("\n")[0]}`);
  }
  await show("after the crash:");

  heading("Liquidation script: closes unhealthy shorts against the vault (allowed in REDUCE_ONLY)");
  let fees = 0n;
  let cover = 0n;
  let badDebt = 0n;
  for (let round = 1; round <= 8; round++) {
    const items = [];
    for (const w of writers) {
      const h = await engine.accountHealth(w.signer.address);
      const position = await engine.positionOf(w.signer.address, seriesId);
      if (h.health < WAD && position < 0n) items.push({ account: w.signer.address, seriesId, amount: -position });
    }
    if (items.length === 0) break;
    const receipt = (await (await liquidation.liquidateMany(items)).wait())!;
    collect(receipt.logs);
    let done = 0;
    for (const log of receipt.logs) {
      const parsed = log.address.toLowerCase() === record.addresses.liquidation.toLowerCase() ? liquidation.interface.parseLog(log) : null;
      if (parsed?.name !== "Liquidated") continue;
      done++;
      const o = parsed.args;
      fees += BigInt(o.fee);
      cover += BigInt(o.insuranceCover);
      badDebt += BigInt(o.badDebt);
    }
    console.log(`  round ${round}: ${items.length} unhealthy, ${done} liquidated (gas ${receipt.gasUsed})`);
  }
  await show("after liquidation:");
  console.log(`  keeper fees ${fmtQuote(fees)} USDC, insurance cover ${fmtQuote(cover)} USDC, bad debt left to the vault ${fmtQuote(badDebt)} USDC`);
  console.log(`  insurance fund balance ${fmtQuote(await insurance.balance())} USDC`);

  heading("The market steadies; the breaker lifts itself after its cooldown");
  await setEthPrice(hre, record, 2100n);
  collect((await (await breaker.poke(ETH)).wait())!.logs);
  const cooldown = await breaker.cooldown();
  await hre.network.provider.send("evm_increaseTime", [Number(cooldown) + 1]);
  await setEthPrice(hre, record, 2105n);
  collect((await (await breaker.poke(ETH)).wait())!.logs);
  const [after, afterReason] = await breaker.modeOf(ETH);
  console.log(`  breaker ETH: ${MODES[Number(after)]} (${REASONS[Number(afterReason)]})`);
  console.log("  every breaker transition:");
  for (const t of transitions) console.log(`    ${t}`);
}
