/**
 * The main job: a full local demo on the in-process Hardhat network.
 *
 *   npm run demo
 *
 * Deploys the protocol through the same Ignition modules as a real network (deploy/parameters/local.json, with
 * mock feeds), prints spot prices and option quotes, exercises the oracle's defences, then runs a whole trading
 * lifecycle: LP deposits, trades, expiry, settlement proven from feed rounds, P&L and the vault's share price;
 * finally the real keeper service (keepers/, its own processes) runs against this network served on 127.0.0.1
 * through a 40% crash: it trips and later lifts the breaker, liquidates the unhealthy shorts, processes the redeem
 * queue and settles at expiry, and the demo prints what each strategy did.
 */
import hre from "hardhat";
import { connectDeployment } from "../deploy/lib/connect";
import { deployProtocol } from "../deploy/lib/deployProtocol";
import { heading } from "./lib/format";
import { WAD } from "./lib/units";
import { oracleFaults, printSpots } from "./demo/oracles";
import { quoteGrid } from "./demo/quotes";
import { actors, tradingLifecycle } from "./demo/trading";
import { crashWithKeepers } from "./demo/crash";


async function main(): Promise<void> {
  heading("Deploying Bulwark (Ignition, deploy/parameters/local.json)");
  const record = await deployProtocol(hre, { parameters: "deploy/parameters/local.json", log: (l) => console.log(`  ${l}`) });
  for (const [name, address] of Object.entries(record.addresses)) console.log(`  ${name.padEnd(14)} ${address}`);

  const [deployer] = await hre.ethers.getSigners();
  const { router } = connectDeployment(record, deployer);

  heading("Spot prices (median of 3 sources per underlying)");
  await printSpots(router, ["ETH", "BTC"], "healthy feeds:");

  const harness = await hre.ethers.deployContract("BlackScholesHarness");
  const pricer = async (spot: bigint, strike: bigint, seconds: bigint, vol: bigint): Promise<[bigint, bigint]> => {
    const [call, put] = await harness.callPutPrices(spot, strike, seconds, vol, (3n * WAD) / 100n);
    return [call, put];
  };
  await quoteGrid(router, "ETH", pricer, (60n * WAD) / 100n);
  await quoteGrid(router, "BTC", pricer, (50n * WAD) / 100n);

  await oracleFaults(hre, record, router);
  await tradingLifecycle(hre, record, await actors(hre));
  await crashWithKeepers(hre, record);
  console.log("\ndemo complete");
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
