/** Chain time on the in-process Hardhat network. */
import hre from "hardhat";

/** Latest block timestamp. */
export async function now(): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  return BigInt(block!.timestamp);
}

/** Mines the next block at `timestamp`. */
export async function warpTo(timestamp: bigint): Promise<void> {
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
  await hre.network.provider.send("evm_mine", []);
}
