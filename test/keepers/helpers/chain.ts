/**
 * Chain-side helpers for keeper tests: an ethers provider on the test node (no caching), the
 * KeeperTargetMock deployed through its typechain factory, funded keeper keys, and reads of what
 * actually happened on chain (liquidation events, transactions from an address).
 */
import { JsonRpcProvider, Network, Wallet, type Signer } from "ethers";
import { KeeperTargetMock__factory, type KeeperTargetMock } from "../../../typechain-types";
import type { HardhatNode } from "../../helpers/node";

export const WAD = 10n ** 18n;
export const GWEI = 10n ** 9n;

export function providerFor(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
}

export async function deployer(provider: JsonRpcProvider): Promise<Signer> {
  return provider.getSigner(0);
}

export async function deployMock(provider: JsonRpcProvider): Promise<KeeperTargetMock> {
  const mock = await new KeeperTargetMock__factory(await deployer(provider)).deploy();
  await mock.waitForDeployment();
  return mock;
}

/** A fresh random key holding 100 ETH on the test node. */
export async function fundedKey(node: HardhatNode): Promise<Wallet> {
  const w = Wallet.createRandom();
  await node.setBalance(w.address, 100n * WAD);
  return new Wallet(w.privateKey);
}

export function randomAccount(): string {
  return Wallet.createRandom().address;
}

export interface Liquidation {
  account: string;
  series: bigint;
  liquidator: string;
  block: number;
  txHash: string;
}

export async function liquidations(mock: KeeperTargetMock): Promise<Liquidation[]> {
  const events = await mock.queryFilter(mock.filters.KeeperMockLiquidated(), 0, "latest");
  return events.map((e) => ({
    account: e.args.account,
    series: e.args.seriesId,
    liquidator: e.args.liquidator,
    block: e.blockNumber,
    txHash: e.transactionHash,
  }));
}

/** Every transaction mined from `address` (scans blocks; test chains are short). */
export async function minedTxsFrom(provider: JsonRpcProvider, address: string): Promise<{ hash: string; nonce: number; to: string | null; status: number; gasUsed: bigint }[]> {
  const head = await provider.getBlockNumber();
  const out: { hash: string; nonce: number; to: string | null; status: number; gasUsed: bigint }[] = [];
  for (let b = 0; b <= head; b++) {
    const block = await provider.getBlock(b, true);
    for (const tx of block?.prefetchedTransactions ?? []) {
      if (tx.from.toLowerCase() !== address.toLowerCase()) continue;
      const r = await provider.getTransactionReceipt(tx.hash);
      out.push({ hash: tx.hash, nonce: tx.nonce, to: tx.to, status: r?.status ?? -1, gasUsed: r?.gasUsed ?? 0n });
    }
  }
  return out;
}
