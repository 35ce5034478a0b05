/**
 * The deployment parameter file: one JSON document per network in deploy/parameters/, validated here before
 * anything is sent. Human units everywhere (prices as decimal strings, durations in seconds, bps as integers);
 * the schema converts them to on-chain units.
 */
import fs from "node:fs";
import { z } from "zod";
import { getAddress, parseUnits } from "ethers";

/** Chain ids on which `mock:<name>` references are allowed (the in-process network and a local node). */
export const LOCAL_CHAIN_IDS = new Set([31337]);

const REQUIRED_MARKER = /^<REQUIRED/;

/** An address, or `mock:<name>` naming an entry of the `mocks` section (local chains only). One message per field. */
const addressOrMock = z.string().superRefine((v, ctx) => {
  if (REQUIRED_MARKER.test(v)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is a required value: fill it in (${v})` });
  else if (v.startsWith("mock:")) return;
  else if (!/^0x[0-9a-fA-F]{40}$/.test(v)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be a 0x-prefixed 20-byte address or mock:<name>" });
  else if (v !== v.toLowerCase() && !isChecksummed(v)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "has a bad EIP-55 checksum" });
});

/** A role holder: an address, or the word `deployer`. One message per field. */
const roleHolder = z.string().superRefine((v, ctx) => {
  if (REQUIRED_MARKER.test(v)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is a required value: fill it in (${v})` });
  else if (v === "deployer") return;
  else if (!/^0x[0-9a-fA-F]{40}$/.test(v)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must be an address or 'deployer'" });
  else if (v !== v.toLowerCase() && !isChecksummed(v)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "has a bad EIP-55 checksum" });
});

/** A positive decimal amount in human units, e.g. "3000.5". */
const decimalString = z
  .string()
  .regex(/^\d+(\.\d{1,18})?$/, { message: "must be a decimal string in human units, e.g. \"3000.5\"" })
  .refine((v) => parseUnits(v, 18) > 0n, { message: "must be greater than zero" });

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);
const bps = (min: number, max: number) => z.number().int().min(min).max(max);

const sourceSchema = z
  .object({
    feed: addressOrMock,
    heartbeat: seconds(60, 7 * 24 * 3600),
    minPrice: decimalString,
    maxPrice: decimalString,
    gasLimit: z.number().int().min(20_000).max(500_000).default(100_000),
  })
  .strict()
  .refine((s) => parseUnits(s.minPrice, 18) < parseUnits(s.maxPrice, 18), { message: "minPrice must be below maxPrice" });

const underlyingSchema = z
  .object({
    id: z.string().regex(/^[A-Z0-9]{1,31}$/, { message: "must be 1-31 upper-case letters or digits, e.g. ETH" }),
    maxDeviationBps: bps(10, 2_000),
    quorum: z.number().int().min(2).max(5).default(2),
    sources: z.array(sourceSchema).min(2).max(5),
  })
  .strict()
  .refine((u) => u.quorum <= u.sources.length, { message: "quorum cannot exceed the number of sources" });

const mockFeedSchema = z
  .object({ decimals: z.number().int().min(0).max(18), price: decimalString, description: z.string().optional() })
  .strict();

/** A fraction in WAD terms written as a decimal string, e.g. "0.2" for 20%. */
const fraction = (max: string) =>
  z
    .string()
    .regex(/^\d+(\.\d{1,18})?$/, { message: "must be a decimal fraction string, e.g. \"0.2\" for 20%" })
    .refine((v) => parseUnits(v, 18) <= parseUnits(max, 18), { message: `must be at most ${max}` });

/** A non-negative amount in human units (may be zero). */
const amountString = z.string().regex(/^\d+(\.\d{1,18})?$/, { message: "must be a decimal string in human units, e.g. \"1000\"" });

const capsSchema = z.object({ maxNetDelta: amountString, maxNetVega: amountString, maxOpenInterest: amountString }).strict();
const moveSchema = z.object({ moveLimitBps: bps(100, 5_000), window: seconds(60, 7 * 24 * 3600) }).strict();

export const deployConfigSchema = z
  .object({
    chainId: z.number().int().positive(),
    roles: z
      .object({
        admin: roleHolder,
        risk: roleHolder,
        guardian: roleHolder,
        /** Execution delay of every admin action (the timelock), seconds. */
        adminDelay: seconds(0, 30 * 24 * 3600),
        /** Allow `deployer` (or the deployer's address) to hold ADMIN or GUARDIAN. Local networks only. */
        allowDeployerRoles: z.boolean().default(false),
      })
      .strict(),
    oracle: z
      .object({
        settlement: z
          .object({
            settlementDelay: seconds(60, 24 * 3600),
            disputeWindow: seconds(600, 3 * 24 * 3600),
            disputeBandBps: bps(10, 2_000),
            fallbackDelay: seconds(2 * 24 * 3600, 30 * 24 * 3600),
          })
          .strict(),
        sequencer: z.object({ feed: addressOrMock, gracePeriod: seconds(300, 24 * 3600) }).strict().nullable(),
        underlyings: z.array(underlyingSchema).min(1).max(16),
      })
      .strict(),
    /** The quote (collateral and settlement) token: a 6-decimal stablecoin, or `mock:<name>` locally. */
    quoteToken: addressOrMock,
    margin: z
      .object({
        initialShock: fraction("0.9"),
        maintenanceShock: fraction("0.9"),
        initialMinCharge: fraction("0.5"),
        maintenanceMinCharge: fraction("0.5"),
        riskFreeRate: fraction("0.25"),
      })
      .strict(),
    market: z
      .object({
        spread: fraction("0.25"),
        feeRate: fraction("0.01"),
        feeCap: fraction("0.5"),
        tradingCutoff: seconds(300, 24 * 3600),
        /** Exposure caps per underlying id (net delta and open interest in options, vega in quote). */
        caps: z.record(z.string(), capsSchema),
      })
      .strict(),
    vault: z.object({ name: z.string().min(1), symbol: z.string().min(1), maxSpotAge: seconds(30, 24 * 3600) }).strict(),
    breaker: z
      .object({
        /** Net vault outflow allowed per refill period, in quote units. */
        outflowLimit: decimalString,
        refillPeriod: seconds(60, 30 * 24 * 3600),
        utilisationCap: fraction("1"),
        cooldown: seconds(60, 7 * 24 * 3600),
        /** Price-move trip per underlying id. */
        markets: z.record(z.string(), moveSchema),
      })
      .strict(),
    liquidation: z
      .object({
        /** Largest fraction of a short one call may close (unless the rest would be dust). */
        closeFactor: fraction("1"),
        /** Position size (options) below which the whole rest is closed. */
        dustAmount: amountString,
        penaltyRate: fraction("0.2"),
        baseFeeRate: fraction("0.1"),
        /** Fee-rate increase per second since the account became liquidatable (the Dutch auction). */
        feeSlopePerSecond: fraction("0.001"),
        maxFeeRate: fraction("0.1"),
        /** Share of the penalty paid to the insurance fund. */
        insuranceShare: fraction("1"),
        maxSpotAge: seconds(30, 24 * 3600),
      })
      .strict(),
    automation: z
      .object({
        /** Receives every fee the Chainlink Automation adapter earns (its permissionless `sweep` sends them here). */
        beneficiary: roleHolder,
      })
      .strict(),
    mocks: z
      .object({
        feeds: z.record(z.string(), mockFeedSchema).default({}),
        sequencer: z.boolean().default(false),
        quoteToken: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict();

export type DeployConfig = z.infer<typeof deployConfigSchema>;

function isChecksummed(address: string): boolean {
  try {
    return getAddress(address) === address;
  } catch {
    return false;
  }
}

/** A configuration problem, with the path of every offending field. */
export class DeployConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid deployment parameters in ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "DeployConfigError";
  }
}

/** Every `mock:<name>` reference in the config. */
export function mockReferences(config: DeployConfig): string[] {
  const refs: string[] = [];
  for (const u of config.oracle.underlyings) for (const s of u.sources) if (s.feed.startsWith("mock:")) refs.push(s.feed);
  if (config.oracle.sequencer?.feed.startsWith("mock:")) refs.push(config.oracle.sequencer.feed);
  if (config.quoteToken.startsWith("mock:")) refs.push(config.quoteToken);
  return refs;
}

/**
 * Parses and validates a parameter document. `chainId` is the chain actually connected to: a mismatch, mock
 * references or a mocks section on a non-local chain, and references to undefined mocks are refused.
 */
export function parseDeployConfig(raw: unknown, file: string, chainId: number): DeployConfig {
  const parsed = deployConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DeployConfigError(
      file,
      parsed.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`),
    );
  }
  const config = parsed.data;
  const problems: string[] = [];
  if (config.chainId !== chainId) problems.push(`chainId: file says ${config.chainId}, the network is ${chainId}`);
  const local = LOCAL_CHAIN_IDS.has(chainId);
  const refs = mockReferences(config);
  if (!local) {
    if (config.mocks) problems.push("mocks: mock contracts are only allowed on a local chain");
    for (const r of refs) problems.push(`${r}: mock feeds are only allowed on a local chain`);
    if (config.roles.allowDeployerRoles) problems.push("roles.allowDeployerRoles: only allowed on a local chain");
    if (config.automation.beneficiary === "deployer") {
      problems.push("automation.beneficiary: 'deployer' is only allowed on a local chain (name the fee receiver)");
    }
  }
  for (const r of refs) {
    const name = r.slice("mock:".length);
    if (r === config.oracle.sequencer?.feed) {
      if (!config.mocks?.sequencer) problems.push(`${r}: mocks.sequencer is not enabled`);
    } else if (r === config.quoteToken) {
      if (!config.mocks?.quoteToken) problems.push(`${r}: mocks.quoteToken is not enabled`);
    } else if (!config.mocks?.feeds[name]) problems.push(`${r}: no mocks.feeds.${name} entry`);
  }
  const ids = config.oracle.underlyings.map((u) => u.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) problems.push(`oracle.underlyings: ${dup} is listed twice`);
  if (ids.length > 4) problems.push(`oracle.underlyings: the margin engine takes at most 4 underlyings, got ${ids.length}`);
  for (const [section, record] of [
    ["market.caps", config.market.caps],
    ["breaker.markets", config.breaker.markets],
  ] as const) {
    for (const id of ids) if (!record[id]) problems.push(`${section}: no entry for ${id}`);
    for (const key of Object.keys(record)) if (!ids.includes(key)) problems.push(`${section}.${key}: not an oracle underlying`);
  }
  if (problems.length) throw new DeployConfigError(file, problems);
  return config;
}

/** Reads, parses and validates a parameter file. */
export function loadDeployConfig(file: string, chainId: number): DeployConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new DeployConfigError(file, [`cannot read JSON: ${(err as Error).message}`]);
  }
  return parseDeployConfig(raw, file, chainId);
}
