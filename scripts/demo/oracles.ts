/** Demo section: spot prices with status, then a stale feed and an outlier against the median. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { encodeBytes32String } from "ethers";
import type { OracleRouter } from "../../typechain-types";
import { connectDeployment, mockFeed } from "../../deploy/lib/connect";
import type { DeploymentRecord } from "../../deploy/lib/deployProtocol";
import { describeReasons, statusName } from "../lib/oracle";
import { heading, wad } from "../lib/format";

export async function printSpots(router: OracleRouter, names: string[], label: string): Promise<void> {
  for (const name of names) {
    const r = await router.getSpot(encodeBytes32String(name));
    const price = r.price === 0n ? "no price" : wad(r.price);
    console.log(
      `  ${label.padEnd(26)} ${name.padEnd(4)} ${price.padStart(12)}  ${statusName(r.status).padEnd(8)} ` +
        `sources ${r.validSources}  reasons: ${describeReasons(r.reasons)}`,
    );
  }
}

/** Shows the router's status change and the median holding as feeds misbehave, then restores them. */
export async function oracleFaults(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, router: OracleRouter): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  const contracts = connectDeployment(record, deployer);
  const feed = (ref: string) => mockFeed(contracts, ref);
  const decimals = 8n;

  heading("Oracle faults: one stale feed, one outlier");
  // ETH-A has a 1-hour heartbeat: two hours pass while every other feed keeps updating.
  await hre.network.provider.send("evm_increaseTime", [7200]);
  await hre.network.provider.send("evm_mine", []);
  await (await feed("mock:ETH-B").pushRound(3001n * 10n ** decimals)).wait();
  await (await feed("mock:ETH-C").pushRound(3002n * 10n ** 18n)).wait();
  await (await feed("mock:BTC-A").pushRound(60_010n * 10n ** decimals)).wait();
  await (await feed("mock:BTC-B").pushRound(60_020n * 10n ** decimals)).wait();
  await (await feed("mock:BTC-C").pushRound(60_000n * 10n ** 18n)).wait();
  await printSpots(router, ["ETH"], "ETH-A stale (2h > 1h):");
  await (await router.pokeStatus(encodeBytes32String("ETH"))).wait();

  await (await feed("mock:ETH-A").pushRound(3000n * 10n ** decimals)).wait();
  await printSpots(router, ["ETH"], "ETH-A fresh again:");

  await (await feed("mock:BTC-C").pushRound(6_000n * 10n ** 18n)).wait();
  await printSpots(router, ["BTC"], "BTC-C outlier (6,000):");

  await hre.network.provider.send("evm_increaseTime", [7200]);
  await hre.network.provider.send("evm_mine", []);
  await (await feed("mock:BTC-B").pushRound(60_020n * 10n ** decimals)).wait();
  await printSpots(router, ["BTC"], "+ BTC-A stale too:");

  // Restore every feed so the rest of the demo runs on healthy prices.
  for (const [ref, price, dec] of [
    ["mock:ETH-A", 3000n, decimals],
    ["mock:ETH-B", 3001n, decimals],
    ["mock:ETH-C", 2999n, 18n],
    ["mock:BTC-A", 60_000n, decimals],
    ["mock:BTC-B", 60_030n, decimals],
    ["mock:BTC-C", 59_980n, 18n],
  ] as const) {
    await (await feed(ref).pushRound(price * 10n ** dec)).wait();
  }
  for (const name of ["ETH", "BTC"]) await (await router.pokeStatus(encodeBytes32String(name))).wait();
  await printSpots(router, ["ETH", "BTC"], "all feeds restored:");
}
