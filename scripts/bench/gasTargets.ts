/** Gas budgets per operation (the bars the project holds itself to). Tests assert them; the bench prints them. */
export const GAS_TARGETS: Record<string, number> = {
  "blackscholes.price_delta": 15_000,
  "oracle.spot_3_sources": 35_000,
  "trade.buy": 180_000,
  "trade.sell_short": 250_000,
  "trade.close": 180_000,
  "settle.position": 70_000,
  "vault.deposit": 120_000,
  "vault.redeem": 120_000,
  liquidate: 150_000,
  // "The breaker check adds at most 5,000 to a trade" (scripts/bench/gas/breaker.ts: with minus without it).
  "breaker.trade.buy": 5_000,
  "breaker.trade.sell_short": 5_000,
  "breaker.trade.close_long": 5_000,
  "breaker.trade.close_short": 5_000,
};
