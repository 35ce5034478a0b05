import { expect } from "chai";
import hre from "hardhat";
import type { CoreStack } from "./coreFixture";

/** What these helpers read: the token, the engine, the vault and the accounts whose funds they cover. */
export type CoreAccounts = Pick<CoreStack, "engine" | "vault" | "token" | "alice" | "bob" | "carol" | "lp" | "keeper">;

/**
 * Everything a failed core operation must leave untouched: token balances, every account's collateral and
 * positions, the vault's share supply, queue and claimables, the engine's totals, and the series registry.
 */
export async function coreDigest(stack: CoreAccounts): Promise<Record<string, string>> {
  const { engine, vault, token } = stack;
  const out: Record<string, string> = {};
  const vaultAddress = await vault.getAddress();
  const engineAddress = await engine.getAddress();
  const accounts = [stack.alice, stack.bob, stack.carol, stack.lp, stack.keeper].map((s) => s.address);
  accounts.push(vaultAddress);
  for (const account of [...accounts, engineAddress]) {
    out[`token:${account}`] = (await token.balanceOf(account)).toString();
  }
  for (const account of accounts) {
    out[`collateral:${account}`] = (await engine.collateralOf(account)).toString();
    const [ids, amounts] = await engine.positionsOf(account);
    const book = ids.map((id, i) => `${id}:${amounts[i]}`).sort();
    out[`positions:${account}`] = book.join(",");
    out[`shares:${account}`] = (await vault.balanceOf(account)).toString();
  }
  const [balance, owed] = await engine.conservation();
  out.engineConservation = `${balance}/${owed}`;
  const [vaultBalance, claimable] = await vault.conservation();
  out.vaultConservation = `${vaultBalance}/${claimable}`;
  out.totalSupply = (await vault.totalSupply()).toString();
  const [head, tail] = await vault.redeemQueue();
  out.queue = `${head}/${tail}`;
  out.seriesCount = (await engine.seriesCount()).toString();
  out.accountCount = (await engine.accountCount()).toString();
  return out;
}

/** Asserts that `action` reverts (with any reason the caller checks separately) and changes nothing. */
export async function expectUnchanged(stack: CoreAccounts, action: () => Promise<unknown>): Promise<void> {
  const before = await coreDigest(stack);
  await action();
  expect(await coreDigest(stack)).to.deep.equal(before);
}

/** Asserts token conservation in the engine (balance == owed) and the vault (balance == claimable). */
export async function expectConservation(stack: CoreAccounts): Promise<void> {
  const [balance, owed] = await stack.engine.conservation();
  expect(balance).to.equal(owed, "engine token balance must equal the internal balances it owes");
  const [vaultBalance, claimable] = await stack.vault.conservation();
  expect(vaultBalance).to.equal(claimable, "vault token balance must equal what it owes to claimants");
}

/** Sum of all positions in `seriesId` across the fixture's accounts and the vault (must be zero). */
export async function netPosition(stack: CoreAccounts, seriesId: bigint): Promise<bigint> {
  let sum = 0n;
  const accounts = [stack.alice, stack.bob, stack.carol, stack.lp, stack.keeper].map((s) => s.address);
  accounts.push(await stack.vault.getAddress());
  for (const account of accounts) sum += await stack.engine.positionOf(account, seriesId);
  return sum;
}

/** Moves the chain to `timestamp` (next block). */
export async function travelTo(timestamp: bigint): Promise<void> {
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
  await hre.network.provider.send("evm_mine", []);
}
