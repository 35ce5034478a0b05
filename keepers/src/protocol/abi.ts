/**
 * The slices of the Bulwark contract interfaces the keeper strategies read and call, as ethers
 * `Interface`s built from human-readable fragments (the strategies run from keepers/dist without the
 * Hardhat artifacts). Each fragment mirrors contracts/interfaces/*.sol; the e2e tests run them against
 * the compiled contracts, so a drift fails there.
 */
import { AbiCoder, Interface, encodeBytes32String, keccak256 } from "ethers";

const ACCOUNT_HEALTH = "tuple(address account, uint256 collateral, int256 equity, uint256 initialRequirement, uint256 maintenanceRequirement, uint256 health, bool priced)";
const SPOT_READING = "tuple(uint256 price, uint8 status, uint16 reasons, uint8 validSources, uint64 updatedAt)";

const SERIES_MARK = "tuple(bytes32 underlying, uint64 expiry, uint256 spot, uint256 price, int256 delta, uint256 vega, uint8 status)";
const MARGIN_PARAMS = "tuple(uint64 initialShock, uint64 maintenanceShock, uint64 initialMinCharge, uint64 maintenanceMinCharge)";

export const ENGINE = new Interface([
  "event CollateralDeposited(address indexed account, address indexed from, uint256 amount)",
  "event CollateralWithdrawn(address indexed account, address indexed to, uint256 amount)",
  `event MarginParamsSet(${MARGIN_PARAMS} oldParams, ${MARGIN_PARAMS} newParams)`,
  `function marginParams() view returns (${MARGIN_PARAMS})`,
  `function markOf(uint256 seriesId) view returns (${SERIES_MARK})`,
  "event SeriesRegistered(uint256 indexed seriesId, bytes32 indexed underlying, uint256 strike, uint64 expiry, bool isCall, uint256 vol)",
  "event TradeApplied(address indexed trader, uint256 indexed seriesId, int256 amount, uint256 premium, int256 traderPosition, int256 vaultPosition)",
  "event PositionSettled(address indexed account, uint256 indexed seriesId, int256 amount, uint256 settlementPrice, int256 payout)",
  "function settle(address account, uint256 seriesId) returns (int256 payout)",
  "function recordExpiryPrice(uint256 seriesId) returns (uint256 price)",
  "function expiryPriceOf(uint256 seriesId) view returns (uint256)",
  "function vault() view returns (address)",
  "function positionOf(address account, uint256 seriesId) view returns (int256)",
  "function positionsOf(address account) view returns (uint256[] seriesIds, int256[] amounts)",
  "function getSeries(uint256 seriesId) view returns (tuple(bytes32 underlying, uint256 strike, uint64 expiry, bool isCall, uint256 vol, bool retired))",
  "function seriesCount() view returns (uint256)",
  "function accountCount() view returns (uint256)",
  `function accountHealth(address account) view returns (${ACCOUNT_HEALTH})`,
  `function healthOfRange(uint256 start, uint256 count) view returns (${ACCOUNT_HEALTH}[] healths)`,
]);

export const ROUTER = new Interface([
  "function getUnderlyingConfig(bytes32 underlying) view returns (address[] sources, uint8 quorum, uint16 maxDeviationBps)",
  "function getSettlementParams() view returns (tuple(uint32 settlementDelay, uint32 disputeWindow, uint16 disputeBandBps, uint32 fallbackDelay))",
  "function getSettlement(bytes32 underlying, uint64 expiry) view returns (tuple(uint128 price, uint64 finalAt, uint8 sourceMask, uint8 kind, bool disputed))",
  "function getSettlementPrice(bytes32 underlying, uint64 expiry) view returns (uint256 price, bool isFinal)",
  "function recordSettlement(bytes32 underlying, uint64 expiry, uint256[] hints) returns (uint256 price)",
  "function proposeFallbackSettlement(bytes32 underlying, uint64 expiry) returns (uint256 price)",
  `function getSpot(bytes32 underlying) view returns (${SPOT_READING} reading)`,
  `function pokeStatus(bytes32 underlying) returns (${SPOT_READING} reading)`,
  "function getStatusRecord(bytes32 underlying) view returns (tuple(uint8 status, uint16 reasons, uint64 changedAt))",
]);

/** A settlement price source (IPriceSource) that is a Chainlink adapter (IChainlinkPriceSource). */
export const PRICE_SOURCE = new Interface([
  "function feed() view returns (address)",
  "function priceAt(uint64 timestamp, uint256 hint) view returns (uint256 priceWad, uint256 observedAt)",
]);

export const AGGREGATOR = new Interface([
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
  "function getRoundData(uint80 roundId) view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
]);

export const BREAKER = new Interface([
  "function poke(bytes32 scope) returns (uint8 mode, uint8 reason)",
  "function modeOf(bytes32 scope) view returns (uint8 mode, uint8 reason)",
  "function scopeState(bytes32 scope) view returns (tuple(uint8 manualMode, uint8 autoMode, uint8 autoReason, bool clearing, uint8 globalLevel, uint16 moveLimitBps, uint24 window, uint40 windowStart, uint40 coolUntil, uint96 refPrice))",
]);

export const VAULT = new Interface([
  "function processRedeemQueue(uint256 maxRequests) returns (uint256 processed, uint256 assets)",
  "function redeemQueue() view returns (uint256 head, uint256 tail)",
  "function availableLiquidity() view returns (uint256)",
]);

/** Oracle status, as `IOracleRouter.Status`. */
export const ORACLE_STATUS = ["OK", "DEGRADED", "FAILED"] as const;
/** Breaker mode, as `ICircuitBreaker.Mode`. */
export const BREAKER_MODE = ["ACTIVE", "REDUCE_ONLY", "HALTED"] as const;

/** The breaker's global scope (`bytes32(0)`). */
export const GLOBAL_SCOPE = "0x" + "00".repeat(32);

/** `bytes32` id of an underlying or breaker scope from its name ("ETH"); "GLOBAL" is the global scope. */
export function scopeId(name: string): string {
  return name === "GLOBAL" ? GLOBAL_SCOPE : encodeBytes32String(name);
}

/** A stable decimal id for (underlying, expiry), used as the `series` field of settlement-price intents. */
export function settlementKeyId(underlying: string, expiry: bigint): string {
  return BigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32", "uint64"], [underlying, expiry]))).toString();
}
