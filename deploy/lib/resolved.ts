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

export interface ResolvedCaps {
  maxNetDelta: bigint;
  maxNetVega: bigint;
  maxOpenInterest: bigint;
}

export interface ResolvedConfig {
  chainId: number;
  deployer: string;
  quoteToken: string;
  margin: {
    params: { initialShock: bigint; maintenanceShock: bigint; initialMinCharge: bigint; maintenanceMinCharge: bigint };
    riskFreeRate: bigint;
  };
  market: {
    params: { spread: bigint; feeRate: bigint; feeCap: bigint; tradingCutoff: number };
    /** By underlying name. */
    caps: Record<string, ResolvedCaps>;
  };
  vault: { name: string; symbol: string; maxSpotAge: number };
  liquidation: {
    closeFactor: bigint;
    dustAmount: bigint;
    penaltyRate: bigint;
    baseFeeRate: bigint;
    feeSlopePerSecond: bigint;
    maxFeeRate: bigint;
    insuranceShare: bigint;
    maxSpotAge: number;
  };
  breaker: {
    /** Quote-token units (6 decimals). */
    outflowLimit: bigint;
    refillPeriod: number;
    utilisationCap: bigint;
    cooldown: number;
    markets: Record<string, { moveLimitBps: number; window: number }>;
  };
  roles: { admin: string; risk: string; guardian: string; adminDelay: number };
  /** The automation adapter's fee receiver. */
  automation: { beneficiary: string };
  oracle: {
    settlement: DeployConfig["oracle"]["settlement"];
    sequencer: { feed: string; gracePeriod: number } | null;
    underlyings: ResolvedUnderlying[];
  };
}

/** Decimals of the quote token every amount is paid in. */
export const QUOTE_DECIMALS = 6;

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
  const w = (v: string) => parseUnits(v, 18);
  return {
    chainId: config.chainId,
    deployer: getAddress(deployer),
    quoteToken: addr(config.quoteToken),
    margin: {
      params: {
        initialShock: w(config.margin.initialShock),
        maintenanceShock: w(config.margin.maintenanceShock),
        initialMinCharge: w(config.margin.initialMinCharge),
        maintenanceMinCharge: w(config.margin.maintenanceMinCharge),
      },
      riskFreeRate: w(config.margin.riskFreeRate),
    },
    market: {
      params: {
        spread: w(config.market.spread),
        feeRate: w(config.market.feeRate),
        feeCap: w(config.market.feeCap),
        tradingCutoff: config.market.tradingCutoff,
      },
      caps: Object.fromEntries(
        Object.entries(config.market.caps).map(([id, c]) => [
          id,
          { maxNetDelta: w(c.maxNetDelta), maxNetVega: w(c.maxNetVega), maxOpenInterest: w(c.maxOpenInterest) },
        ]),
      ),
    },
    vault: config.vault,
    liquidation: {
      closeFactor: w(config.liquidation.closeFactor),
      dustAmount: w(config.liquidation.dustAmount),
      penaltyRate: w(config.liquidation.penaltyRate),
      baseFeeRate: w(config.liquidation.baseFeeRate),
      feeSlopePerSecond: w(config.liquidation.feeSlopePerSecond),
      maxFeeRate: w(config.liquidation.maxFeeRate),
      insuranceShare: w(config.liquidation.insuranceShare),
      maxSpotAge: config.liquidation.maxSpotAge,
    },
    breaker: {
      outflowLimit: parseUnits(config.breaker.outflowLimit, QUOTE_DECIMALS),
      refillPeriod: config.breaker.refillPeriod,
      utilisationCap: w(config.breaker.utilisationCap),
      cooldown: config.breaker.cooldown,
      markets: config.breaker.markets,
    },
    roles: {
      admin: holder(config.roles.admin),
      risk: holder(config.roles.risk),
      guardian: holder(config.roles.guardian),
      adminDelay: config.roles.adminDelay,
    },
    automation: { beneficiary: holder(config.automation.beneficiary) },
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
