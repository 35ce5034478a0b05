/**
 * The two small interfaces the liquidator needs from the protocol. Each on-chain venue implements
 * both in its own file: `keeper-target-mock.ts` now (the test double); a MarginEngine lens plus
 * Liquidation contract implementation once those contracts exist.
 */
import type { IntentDraft } from "../types";
import type { PositionKey } from "./book";

/** Events found in a block range. */
export interface DiscoveryBatch {
  opened: { key: PositionKey; health: bigint }[];
  updated: { key: PositionKey; health: bigint }[];
  closed: PositionKey[];
}

export interface HealthSource {
  /** Position events in [fromBlock, toBlock]. */
  scan(fromBlock: bigint, toBlock: bigint): Promise<DiscoveryBatch>;
  /** Health of each key at `block` (one call per batch); `CLOSED_HEALTH` for positions that are gone. */
  healthOf(keys: PositionKey[], block: bigint): Promise<bigint[]>;
}

export interface LiquidationVenue {
  /** The intent that liquidates `key`, with the re-check the signer runs right before sending. */
  liquidation(key: PositionKey, gasLimit?: number): IntentDraft;
}
