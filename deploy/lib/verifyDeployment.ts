/**
 * On-chain verification of a deployment against its record: role holders and delays, function-to-role
 * mappings, parameters inside their bounds and equal to the record, every oracle source live and fresh, the
 * router's spot-feed snapshot of each source equal to the source's own.
 * Returns the list of mismatches (empty when the deployment matches).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { getAddress } from "ethers";
import {
  ChainlinkPriceSource__factory,
  CircuitBreaker__factory,
  IMarginEngine__factory,
  InsuranceFund__factory,
  LiquidationEngine__factory,
  LiquidityVault__factory,
  OptionMarket__factory,
  OracleRouter__factory,
} from "../../typechain-types";
import { connectDeployment, DeploymentRecordError, type DeploymentContracts } from "./connect";
import { ENGINE_RISK_FUNCTIONS, MARKET_RISK_FUNCTIONS } from "../modules/CoreModule";
import { ENGINE_ADMIN_FUNCTIONS, VAULT_RISK_FUNCTIONS } from "../modules/VaultModule";
import {
  BREAKER_ADMIN_FUNCTIONS,
  BREAKER_GATED_FUNCTIONS,
  BREAKER_GUARDIAN_FUNCTIONS,
  BREAKER_RISK_FUNCTIONS,
} from "../modules/BreakerModule";
import {
  ENGINE_LIQUIDATION_ADMIN_FUNCTIONS,
  INSURANCE_ADMIN_FUNCTIONS,
  LIQUIDATION_RISK_FUNCTIONS,
} from "../modules/LiquidationModule";
import type { DeploymentRecord } from "./deployProtocol";
import { ORACLE_ADMIN_FUNCTIONS, ORACLE_GUARDIAN_FUNCTIONS, ORACLE_RISK_FUNCTIONS } from "../modules/OraclesModule";
import { ROLE, selectorsOf } from "../modules/roles";

/** Every restricted function of every contract, with the role the deployment maps it to. */
export const ROLE_TABLE: ReadonlyArray<
  ["router" | "engine" | "market" | "vault" | "breaker" | "liquidation" | "insuranceFund", readonly string[], bigint]
> = [
  ["router", ORACLE_ADMIN_FUNCTIONS, ROLE.ADMIN_OPS],
  ["router", ORACLE_RISK_FUNCTIONS, ROLE.RISK],
  ["router", ORACLE_GUARDIAN_FUNCTIONS, ROLE.GUARDIAN],
  ["engine", ENGINE_ADMIN_FUNCTIONS, ROLE.ADMIN_OPS],
  ["engine", ENGINE_RISK_FUNCTIONS, ROLE.RISK],
  ["market", MARKET_RISK_FUNCTIONS, ROLE.RISK],
  ["vault", VAULT_RISK_FUNCTIONS, ROLE.RISK],
  ["breaker", BREAKER_ADMIN_FUNCTIONS, ROLE.ADMIN_OPS],
  ["breaker", BREAKER_RISK_FUNCTIONS, ROLE.RISK],
  ["breaker", BREAKER_GUARDIAN_FUNCTIONS, ROLE.GUARDIAN],
  ["breaker", BREAKER_GATED_FUNCTIONS, ROLE.GATED],
  ["engine", ENGINE_LIQUIDATION_ADMIN_FUNCTIONS, ROLE.ADMIN_OPS],
  ["liquidation", LIQUIDATION_RISK_FUNCTIONS, ROLE.RISK],
  ["insuranceFund", INSURANCE_ADMIN_FUNCTIONS, ROLE.ADMIN_OPS],
];

export interface VerificationResult {
  checks: number;
  mismatches: string[];
}

export async function verifyDeployment(hre: HardhatRuntimeEnvironment, record: DeploymentRecord): Promise<VerificationResult> {
  const mismatches: string[] = [];
  let checks = 0;
  const expect = (ok: boolean, what: string) => {
    checks++;
    if (!ok) mismatches.push(what);
  };
  const provider = hre.ethers.provider;
  const chainId = Number((await provider.getNetwork()).chainId);
  expect(chainId === record.chainId, `chain id is ${chainId}, the record says ${record.chainId}`);

  for (const [name, address] of Object.entries(record.addresses)) {
    expect((await provider.getCode(address)) !== "0x", `${name}: no bytecode at ${address}`);
  }
  if (mismatches.length) return { checks, mismatches };

  const { resolved } = record;
  let contracts: DeploymentContracts;
  try {
    contracts = connectDeployment(record, provider);
  } catch (e) {
    // A record without an address for a protocol contract (one written before a layer existed, say) is a mismatch
    // per missing name, not a crash.
    if (!(e instanceof DeploymentRecordError)) throw e;
    for (const name of e.missing) expect(false, `${name}: the record has no address`);
    return { checks, mismatches };
  }
  const { accessManager: manager, router, engine, breaker, automation } = contracts;

  // --- Roles: holders and execution delays ---
  const [adminIsMember, adminDelay] = await manager.hasRole(ROLE.ADMIN, resolved.roles.admin);
  expect(adminIsMember, `ADMIN is not held by ${resolved.roles.admin}`);
  expect(Number(adminDelay) === resolved.roles.adminDelay, `ADMIN execution delay is ${adminDelay}s, the record says ${resolved.roles.adminDelay}s`);
  if (getAddress(resolved.roles.admin) !== getAddress(record.deployer)) {
    const [deployerIsAdmin] = await manager.hasRole(ROLE.ADMIN, record.deployer);
    expect(!deployerIsAdmin, `the deployer ${record.deployer} still holds ADMIN`);
  }
  const [opsIsMember, opsDelay] = await manager.hasRole(ROLE.ADMIN_OPS, resolved.roles.admin);
  expect(opsIsMember && Number(opsDelay) === resolved.roles.adminDelay, `ADMIN_OPS is not held by ${resolved.roles.admin} with the admin delay`);
  expect((await manager.getRoleGuardian(ROLE.ADMIN_OPS)) === ROLE.GUARDIAN, "GUARDIAN is not the role guardian of ADMIN_OPS");
  const [riskIsMember] = await manager.hasRole(ROLE.RISK, resolved.roles.risk);
  expect(riskIsMember, `RISK is not held by ${resolved.roles.risk}`);
  const [guardianIsMember] = await manager.hasRole(ROLE.GUARDIAN, resolved.roles.guardian);
  expect(guardianIsMember, `GUARDIAN is not held by ${resolved.roles.guardian}`);

  // --- Function-to-role mappings ---
  const ifaces = {
    router: OracleRouter__factory.createInterface(),
    engine: IMarginEngine__factory.createInterface(),
    market: OptionMarket__factory.createInterface(),
    vault: LiquidityVault__factory.createInterface(),
    breaker: CircuitBreaker__factory.createInterface(),
    liquidation: LiquidationEngine__factory.createInterface(),
    insuranceFund: InsuranceFund__factory.createInterface(),
  };
  for (const [target, names, role] of ROLE_TABLE) {
    const selectors = selectorsOf(ifaces[target], names);
    for (let i = 0; i < names.length; i++) {
      const actual = await manager.getTargetFunctionRole(record.addresses[target], selectors[i]);
      expect(actual === role, `${target}.${names[i]} is mapped to role ${actual}, expected ${role}`);
    }
  }

  // --- Oracle parameters and sources ---
  const settlement = await router.getSettlementParams();
  const want = resolved.oracle.settlement;
  expect(
    Number(settlement.settlementDelay) === want.settlementDelay &&
      Number(settlement.disputeWindow) === want.disputeWindow &&
      Number(settlement.disputeBandBps) === want.disputeBandBps &&
      Number(settlement.fallbackDelay) === want.fallbackDelay,
    `router settlement parameters differ from the record`,
  );
  for (const u of resolved.oracle.underlyings) {
    const [sources, quorum, maxDeviationBps] = await router.getUnderlyingConfig(u.id);
    expect(sources.length === u.sources.length, `${u.name}: ${sources.length} sources on-chain, ${u.sources.length} in the record`);
    expect(Number(quorum) === u.quorum, `${u.name}: quorum ${quorum}, the record says ${u.quorum}`);
    expect(Number(maxDeviationBps) === u.maxDeviationBps, `${u.name}: max deviation ${maxDeviationBps} bps, the record says ${u.maxDeviationBps}`);
    // Spot reads call the feeds straight from the router's snapshot of each source's spot feed: it must be the
    // source's own, so that the router and the adapter apply the same rule to the same feed.
    const spots = await router.getSpotFeeds(u.id);
    for (let i = 0; i < sources.length; i++) {
      const source = ChainlinkPriceSource__factory.connect(sources[i], provider);
      const own = await source.spotFeed();
      const snap = spots[i];
      expect(
        snap !== undefined &&
          getAddress(snap.feed) === getAddress(own.feed) &&
          snap.heartbeat === own.heartbeat &&
          snap.gasLimit === own.gasLimit &&
          snap.minPriceWad === own.minPriceWad &&
          snap.maxAnswer === own.maxAnswer &&
          snap.scaleUp === own.scaleUp &&
          snap.scaleDown === own.scaleDown,
        `${u.name} source ${i}: the router's spot-feed snapshot differs from the source's spotFeed()`,
      );
      const want = u.sources[i];
      if (!want) continue;
      expect(getAddress(await source.feed()) === getAddress(want.feed), `${u.name} source ${i}: feed differs from the record`);
      const [price, , reasons] = await source.latestPrice();
      expect(price > 0n && reasons === 0n, `${u.name} source ${i}: not live and fresh (reasons ${reasons})`);
    }
    expect((await engine.underlyings()).includes(u.id), `${u.name}: not registered in the margin engine`);
    const reading = await router.getSpot(u.id);
    expect(reading.status === 0n, `${u.name}: spot status is ${["OK", "DEGRADED", "FAILED"][Number(reading.status)]} (reasons ${reading.reasons})`);
  }
  // --- Core wiring and parameters ---
  expect(getAddress(await engine.market()) === getAddress(record.addresses.market), "engine is not wired to the market");
  expect(getAddress(await engine.vault()) === getAddress(record.addresses.vault), "engine is not wired to the vault");
  expect(getAddress(await engine.quoteToken()) === getAddress(resolved.quoteToken), "engine quote token differs from the record");
  expect(getAddress(await engine.oracle()) === getAddress(record.addresses.router), "engine oracle differs from the router");
  const params = await engine.marginParams();
  const wantMargin = resolved.margin.params;
  expect(
    params.initialShock === BigInt(wantMargin.initialShock) &&
      params.maintenanceShock === BigInt(wantMargin.maintenanceShock) &&
      params.initialMinCharge === BigInt(wantMargin.initialMinCharge) &&
      params.maintenanceMinCharge === BigInt(wantMargin.maintenanceMinCharge),
    "margin parameters differ from the record",
  );
  expect(getAddress(await breaker.router()) === getAddress(record.addresses.router), "breaker reads another router");
  // The breaker's one-shot wirings: the market holds the gate copies, the vault reports flows, the engine holds the
  // pause copy (and that copy matches the breaker's pause).
  expect(getAddress(await breaker.gateCache()) === getAddress(record.addresses.market), "breaker gate cache is not the market");
  expect(getAddress(await breaker.flowReporter()) === getAddress(record.addresses.vault), "breaker flow reporter is not the vault");
  expect(getAddress(await breaker.pauseListener()) === getAddress(record.addresses.engine), "breaker pause listener is not the engine");
  expect(
    (await engine.breakerReportedUnpaused()) === !(await breaker.paused()),
    "the engine's pause copy differs from the breaker's pause",
  );
  const [wiredLiquidation, wiredFund] = await engine.liquidationWiring();
  expect(
    getAddress(wiredLiquidation) === getAddress(record.addresses.liquidation) && getAddress(wiredFund) === getAddress(record.addresses.insuranceFund),
    "engine is not wired to the liquidation engine and insurance fund",
  );
  const [gated] = await manager.hasRole(ROLE.GATED, record.addresses.liquidation);
  expect(gated, "the liquidation engine does not hold GATED");
  // --- Automation adapter: wired to this deployment's contracts, fees to the recorded beneficiary ---
  const read = () =>
    Promise.all([
      automation.engine(),
      automation.liquidation(),
      automation.vault(),
      automation.router(),
      automation.breaker(),
      automation.quoteToken(),
      automation.beneficiary(),
    ]);
  const wired = await read().catch(() => undefined);
  expect(wired !== undefined, `automation: ${record.addresses.automation} does not answer as an automation adapter`);
  if (wired) {
    const [engineOf, liquidationOf, vaultOf, routerOf, breakerOf, quoteOf, beneficiaryOf] = wired;
    const wiring: Array<[string, string, string]> = [
      ["engine", engineOf, record.addresses.engine],
      ["liquidation", liquidationOf, record.addresses.liquidation],
      ["vault", vaultOf, record.addresses.vault],
      ["router", routerOf, record.addresses.router],
      ["breaker", breakerOf, record.addresses.breaker],
      ["quoteToken", quoteOf, resolved.quoteToken],
    ];
    for (const [name, actual, want] of wiring) {
      expect(getAddress(actual) === getAddress(want), `automation: ${name} is ${actual}, the record says ${want}`);
    }
    const beneficiary = resolved.automation?.beneficiary;
    expect(
      beneficiary !== undefined && getAddress(beneficiaryOf) === getAddress(beneficiary),
      `automation: beneficiary is ${beneficiaryOf}, the record says ${beneficiary}`,
    );
  }
  const [tokenBalance, totalOwed] = await engine.conservation();
  expect(tokenBalance >= totalOwed, `engine holds ${tokenBalance} but owes ${totalOwed}`);
  return { checks, mismatches };
}
