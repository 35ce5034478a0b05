/**
 * The MarginEngine's maintenance model, off chain: equity, maintenance requirement and health of an account from
 * its collateral, its positions and one mark per series (`MarginEngine.markOf`: the Black-Scholes mark and the spot
 * the engine itself uses at that block). Pure bigint arithmetic with the engine's rounding, step for step
 * (contracts/libraries/MarginMath.sol, contracts/margin/MarginValuation.sol):
 *
 * - equity (quote units) = floor((collateral x scale + floor(sum(amount x price) / WAD)) / scale);
 * - requirement per underlying (WAD quote) = ceil(max(mark - lowest grid value, short minimum charge, 0) / WAD),
 *   the grid being the seven expiry-payoff spots S - 3 step .. S + 3 step, step = floor(S x shock / 3e18), the
 *   charge `ceil(S x chargeRate / WAD)` per short option (capped at the strike for a put); summed over underlyings
 *   and converted to quote units rounding up;
 * - health = floor(equity x WAD / requirement); 0 when equity <= 0; "no requirement" when it is 0.
 *
 * With the engine's own marks the result equals the lens (`accountHealth`) at that block: the liquidator uses it to
 * rank every account each block and re-reads on chain only the few near the threshold.
 *
 * @example
 * ```ts
 * const h = accountHealthOf(25_000_000_000n, [{ amount: -10n * WAD, strike: 3000n * WAD, isCall: true, price: 120n * WAD, underlying: ETH }],
 *   new Map([[ETH, 3000n * WAD]]), { maintenanceShock: WAD * 12n / 100n, maintenanceMinCharge: WAD * 6n / 100n, scale: 10n ** 12n });
 * ```
 */

export const WAD = 10n ** 18n;
const GRID_HALF = 3n;
const GRID_POINTS = 7;
/** `type(uint256).max`: the engine's health when no requirement is left. */
export const NO_REQUIREMENT = (1n << 256n) - 1n;

/** One position prepared for valuation. */
export interface ModelLine {
  /** Signed option amount (18 decimals). */
  amount: bigint;
  strike: bigint;
  isCall: boolean;
  /** Mark per option (WAD quote), as `markOf` returns it at the block. */
  price: bigint;
  /** Underlying id (bytes32 hex). */
  underlying: string;
  /** Payoff per option at a final settlement price, once there is one (the line no longer depends on the spot). */
  settledPayoff?: bigint;
}

export interface MaintenanceParams {
  maintenanceShock: bigint;
  maintenanceMinCharge: bigint;
  /** 10^(18 - quote decimals). */
  scale: bigint;
}

export interface ModelHealth {
  equity: bigint;
  maintenance: bigint;
  health: bigint;
}

/** Expiry payoff of one option at `spot`. Exact. */
export function payoff(strike: bigint, isCall: boolean, spot: bigint): bigint {
  if (isCall) return spot > strike ? spot - strike : 0n;
  return strike > spot ? strike - spot : 0n;
}

/** floor(a / b) for b > 0 (towards minus infinity). */
export function divFloor(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** ceil(a / b) for a >= 0, b > 0. */
export function divCeil(a: bigint, b: bigint): bigint {
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}

/** Short-option minimum charge per option (WAD): `chargeRate` of spot, rounded up, capped at a put's strike. */
export function minChargePerOption(spot: bigint, strike: bigint, isCall: boolean, chargeRate: bigint): bigint {
  const charge = divCeil(spot * chargeRate, WAD);
  return !isCall && charge > strike ? strike : charge;
}

/** Requirement (WAD quote, rounded up) of the lines of one underlying at `spot`. */
export function underlyingRequirementWad(lines: readonly ModelLine[], spot: bigint, shock: bigint, chargeRate: bigint): bigint {
  const step = (spot * shock) / (GRID_HALF * WAD);
  const low = spot - GRID_HALF * step;
  const values: bigint[] = new Array(GRID_POINTS).fill(0n);
  let mark = 0n;
  let charge = 0n;
  for (const l of lines) {
    mark += l.amount * l.price;
    if (l.settledPayoff !== undefined) {
      for (let k = 0; k < GRID_POINTS; k++) values[k] += l.amount * l.settledPayoff;
      continue;
    }
    for (let k = 0; k < GRID_POINTS; k++) values[k] += l.amount * payoff(l.strike, l.isCall, low + BigInt(k) * step);
    if (l.amount < 0n) charge += -l.amount * minChargePerOption(spot, l.strike, l.isCall, chargeRate);
  }
  let lowest = values[0];
  for (const v of values) if (v < lowest) lowest = v;
  const loss = mark - lowest;
  let need = loss > 0n ? loss : 0n;
  if (charge > need) need = charge;
  return divCeil(need, WAD);
}

/**
 * Equity, maintenance requirement (quote units) and health of an account.
 * @param spots Spot (WAD) per underlying id of the lines.
 * @throws Error when a line's underlying has no spot.
 */
export function accountHealthOf(collateral: bigint, lines: readonly ModelLine[], spots: ReadonlyMap<string, bigint>, p: MaintenanceParams): ModelHealth {
  const byUnderlying = new Map<string, ModelLine[]>();
  let markSum = 0n;
  for (const l of lines) {
    markSum += l.amount * l.price;
    const group = byUnderlying.get(l.underlying);
    if (group) group.push(l);
    else byUnderlying.set(l.underlying, [l]);
  }
  const equity = divFloor(collateral * p.scale + divFloor(markSum, WAD), p.scale);
  let requirementWad = 0n;
  for (const [u, group] of byUnderlying) {
    const spot = spots.get(u);
    if (spot === undefined) throw new Error(`no spot for underlying ${u}`);
    requirementWad += underlyingRequirementWad(group, spot, p.maintenanceShock, p.maintenanceMinCharge);
  }
  const maintenance = divCeil(requirementWad, p.scale);
  const health = maintenance === 0n ? NO_REQUIREMENT : equity <= 0n ? 0n : (equity * WAD) / maintenance;
  return { equity, maintenance, health };
}
