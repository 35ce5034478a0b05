/** Chain helpers shared by the gas suites in scripts/bench/gas/ (kept outside that folder: every file there is a suite). */
import hre from "hardhat";
import type { ContractTransactionResponse } from "ethers";

/** Receipt gasUsed of a sent transaction. */
export async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  return receipt!.gasUsed;
}

export async function snapshot(): Promise<string> {
  return hre.network.provider.send("evm_snapshot", []);
}

export async function revert(id: string): Promise<void> {
  await hre.network.provider.send("evm_revert", [id]);
}
