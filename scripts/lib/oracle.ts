/** Human-readable oracle statuses and reason flags (mirrors contracts/oracle/libraries/OracleReasons.sol). */
export const ORACLE_STATUS = ["OK", "DEGRADED", "FAILED"] as const;

export const ORACLE_REASONS: ReadonlyArray<[number, string]> = [
  [1 << 0, "source call failed"],
  [1 << 1, "invalid answer"],
  [1 << 2, "zero timestamp"],
  [1 << 3, "future timestamp"],
  [1 << 4, "stale source"],
  [1 << 5, "out of bounds"],
  [1 << 6, "outlier"],
  [1 << 7, "below quorum"],
  [1 << 8, "deviation above limit"],
  [1 << 9, "sequencer down"],
  [1 << 10, "sequencer grace period"],
  [1 << 11, "sequencer feed failed"],
];

/** `reasons` bit set → comma-separated words ("-" when none). */
export function describeReasons(reasons: bigint | number): string {
  const bits = Number(reasons);
  const words = ORACLE_REASONS.filter(([bit]) => (bits & bit) !== 0).map(([, word]) => word);
  return words.length ? words.join(", ") : "-";
}

export function statusName(status: bigint | number): string {
  return ORACLE_STATUS[Number(status)] ?? `unknown(${status})`;
}
