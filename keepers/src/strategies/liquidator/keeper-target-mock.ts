/**
 * {@link HealthSource} and {@link LiquidationVenue} over `KeeperTargetMock` (contracts/mocks): the
 * test double used to exercise the keeper end to end before the protocol contracts exist.
 */
import { AbiCoder, Interface } from "ethers";
import type { RpcClient } from "../../core/rpc";
import type { IntentDraft } from "../types";
import type { PositionKey } from "./book";
import type { DiscoveryBatch, HealthSource, LiquidationVenue } from "./source";

export const KEEPER_TARGET_MOCK_ABI = [
  "event KeeperMockPositionOpened(address indexed account, uint256 indexed seriesId, uint256 health)",
  "event KeeperMockHealthUpdated(address indexed account, uint256 indexed seriesId, uint256 health)",
  "event KeeperMockLiquidated(address indexed account, uint256 indexed seriesId, address indexed liquidator, uint256 health)",
  "function liquidate(address account, uint256 seriesId)",
  "function isLiquidatable(address account, uint256 seriesId) view returns (bool)",
  "function healthOf(address[] accounts, uint256[] seriesIds) view returns (uint256[] healths)",
] as const;

const iface = new Interface(KEEPER_TARGET_MOCK_ABI);
const TRUE_WORD = AbiCoder.defaultAbiCoder().encode(["bool"], [true]);

export class KeeperTargetMockVenue implements HealthSource, LiquidationVenue {
  private readonly topics: { opened: string; updated: string; liquidated: string };

  constructor(
    private readonly rpc: RpcClient,
    readonly target: string,
  ) {
    this.topics = {
      opened: iface.getEvent("KeeperMockPositionOpened")!.topicHash,
      updated: iface.getEvent("KeeperMockHealthUpdated")!.topicHash,
      liquidated: iface.getEvent("KeeperMockLiquidated")!.topicHash,
    };
  }

  async scan(fromBlock: bigint, toBlock: bigint): Promise<DiscoveryBatch> {
    const logs = await this.rpc.getLogs({
      address: this.target,
      topics: [[this.topics.opened, this.topics.updated, this.topics.liquidated]],
      fromBlock,
      toBlock,
    });
    const batch: DiscoveryBatch = { opened: [], updated: [], closed: [] };
    for (const log of logs) {
      const parsed = iface.parseLog({ topics: log.topics, data: log.data });
      if (!parsed) continue;
      const key: PositionKey = { account: parsed.args.account as string, series: parsed.args.seriesId as bigint };
      if (log.topics[0] === this.topics.opened) batch.opened.push({ key, health: parsed.args.health as bigint });
      else if (log.topics[0] === this.topics.updated) batch.updated.push({ key, health: parsed.args.health as bigint });
      else batch.closed.push(key);
    }
    return batch;
  }

  async healthOf(keys: PositionKey[], block: bigint): Promise<bigint[]> {
    if (keys.length === 0) return [];
    const data = iface.encodeFunctionData("healthOf", [keys.map((k) => k.account), keys.map((k) => k.series)]);
    const out = await this.rpc.call({ to: this.target, data }, block);
    const [healths] = iface.decodeFunctionResult("healthOf", out);
    return (healths as bigint[]).map((h) => BigInt(h));
  }

  async liquidations(key: PositionKey, _block: bigint, gasLimit?: number): Promise<IntentDraft[]> {
    return [this.liquidation(key, gasLimit)];
  }

  /** The intent that liquidates `key` (re-checked with `isLiquidatable`). */
  liquidation(key: PositionKey, gasLimit?: number): IntentDraft {
    return {
      action: "liquidate",
      account: key.account,
      series: key.series.toString(),
      to: this.target,
      data: iface.encodeFunctionData("liquidate", [key.account, key.series]),
      gasLimit: gasLimit === undefined ? undefined : String(gasLimit),
      recheck: { to: this.target, data: iface.encodeFunctionData("isLiquidatable", [key.account, key.series]), expect: TRUE_WORD },
    };
  }
}
