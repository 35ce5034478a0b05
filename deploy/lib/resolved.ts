/** The deployment config with every mock reference replaced by an address and human units converted. */
import { encodeBytes32String, getAddress, parseUnits } from "ethers";
import type { DeployConfig } from "./config";

export interface ResolvedSource {
  feed: string;
  heartbeat: number;
  minPriceWad: bigint;
  maxPriceWad: bigint;
  gasLimit: number;
}

export interface ResolvedUnderlying {
  /** The human id, e.g. "ETH". */
  name: string;
  /** The on-chain bytes32 id. */
  id: string;
  maxDeviationBps: number;
  quorum: number;
  sources: ResolvedSource[];
}

export interface ResolvedConfig {
  chainId: number;
  deployer: string;
  roles: { admin: string; risk: string; guardian: string; adminDelay: number };
  oracle: {
    settlement: DeployConfig["oracle"]["settlement"];
    sequencer: { feed: string; gracePeriod: number } | null;
    underlyings: ResolvedUnderlying[];
  };
}

/** Replaces `mock:` references with deployed addresses and `deployer` with the deployer's address. */
export function resolveConfig(
  config: DeployConfig,
  deployer: string,
  mockAddresses: Record<string, string>,
): ResolvedConfig {
  const addr = (v: string): string => {
    if (!v.startsWith("mock:")) return getAddress(v);
    const a = mockAddresses[v];
    if (!a) throw new Error(`${v} was not deployed`);
    return getAddress(a);
  };
  const holder = (v: string): string => (v === "deployer" ? getAddress(deployer) : getAddress(v));
  return {
    chainId: config.chainId,
    deployer: getAddress(deployer),
    roles: {
      admin: holder(config.roles.admin),
      risk: holder(config.roles.risk),
      guardian: holder(config.roles.guardian),
      adminDelay: config.roles.adminDelay,
    },
    oracle: {
      settlement: config.oracle.settlement,
      sequencer: config.oracle.sequencer ? { feed: addr(config.oracle.sequencer.feed), gracePeriod: config.oracle.sequencer.gracePeriod } : null,
      underlyings: config.oracle.underlyings.map((u) => ({
        name: u.id,
        id: encodeBytes32String(u.id),
        maxDeviationBps: u.maxDeviationBps,
        quorum: u.quorum,
        sources: u.sources.map((s) => ({
          feed: addr(s.feed),
          heartbeat: s.heartbeat,
          minPriceWad: parseUnits(s.minPrice, 18),
          maxPriceWad: parseUnits(s.maxPrice, 18),
          gasLimit: s.gasLimit,
        })),
      })),
    },
  };
}
