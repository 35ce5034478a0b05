/** Moves the demo's mock ETH feeds. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { connectDeployment, mockFeed } from "../../deploy/lib/connect";
import type { DeploymentRecord } from "../../deploy/lib/deployProtocol";

/** The ETH mock feeds of deploy/parameters/local.json with their decimals. */
const ETH_FEEDS = [
  ["mock:ETH-A", 8n],
  ["mock:ETH-B", 8n],
  ["mock:ETH-C", 18n],
] as const;

/** Pushes a fresh round on every ETH feed at `price` (whole units). */
export async function setEthPrice(hre: HardhatRuntimeEnvironment, record: DeploymentRecord, price: bigint): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  const contracts = connectDeployment(record, deployer);
  for (const [ref, decimals] of ETH_FEEDS) {
    await (await mockFeed(contracts, ref).pushRound(price * 10n ** decimals)).wait();
  }
}
