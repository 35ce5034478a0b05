/**
 * One deployment path for the demo, the tests and real networks: validate the parameter file, refuse unsafe
 * setups, deploy local mocks where the file asks for them, run the Ignition modules, write a record.
 */
import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { Interface, getAddress, parseUnits } from "ethers";
import { DeployConfig, LOCAL_CHAIN_IDS, loadDeployConfig, mockReferences, parseDeployConfig } from "./config";
import { QUOTE_DECIMALS, resolveConfig, ResolvedConfig } from "./resolved";
import { buildProtocolModule } from "../modules/ProtocolModule";

/** Addresses of a deployment, by name. */
export type DeploymentAddresses = Record<string, string>;

/** What `deploy/deployments/<network>-<chainId>.json` holds. */
export interface DeploymentRecord {
  network: string;
  chainId: number;
  deployer: string;
  block: number;
  gitCommit: string;
  deployedAt: string;
  parametersFile: string;
  parameters: DeployConfig;
  resolved: ResolvedConfig;
  addresses: DeploymentAddresses;
}

/** A refusal to deploy: the setup is unsafe or incomplete. Nothing was sent. */
export class DeployRefusedError extends Error {
  constructor(readonly problems: string[]) {
    super(`deployment refused:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "DeployRefusedError";
  }
}

export interface DeployOptions {
  /** Path of the parameter file, or an already-parsed document (tests, demo). */
  parameters: string | unknown;
  /** Write the record under deploy/deployments/ (default: true except on the in-process network). */
  writeRecord?: boolean;
  /** Let the deployer hold ADMIN or GUARDIAN even if the file does not allow it. */
  allowDeployerRoles?: boolean;
  log?: (line: string) => void;
}

/** Marker every contract in contracts/mocks answers `true` to; real contracts do not have it. */
const DECIMALS_IFACE = new Interface(["function decimals() view returns (uint8)"]);
const TEST_DOUBLE_IFACE = new Interface(["function isTestDouble() view returns (bool)"]);

async function isTestDouble(hre: HardhatRuntimeEnvironment, address: string): Promise<boolean> {
  try {
    const data = TEST_DOUBLE_IFACE.encodeFunctionData("isTestDouble");
    const out = await hre.ethers.provider.call({ to: address, data });
    return TEST_DOUBLE_IFACE.decodeFunctionResult("isTestDouble", out)[0] === true;
  } catch {
    return false;
  }
}

function gitCommit(root: string): string {
  try {
    return execSync("git rev-parse HEAD", { cwd: root, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  } catch {
    return "unknown";
  }
}

/** Checks that need the chain: role holders, bytecode at every address, no test doubles on real networks. */
async function preflight(hre: HardhatRuntimeEnvironment, config: DeployConfig, deployer: string, allowDeployerRoles: boolean) {
  const problems: string[] = [];
  const chainId = config.chainId;
  const local = LOCAL_CHAIN_IDS.has(chainId);
  const isDeployer = (v: string) => v === "deployer" || v.toLowerCase() === deployer.toLowerCase();
  const allow = allowDeployerRoles || config.roles.allowDeployerRoles;
  if (!allow) {
    if (isDeployer(config.roles.admin)) problems.push("roles.admin is the deployer (pass --allow-deployer-roles to accept)");
    if (isDeployer(config.roles.guardian)) problems.push("roles.guardian is the deployer (pass --allow-deployer-roles to accept)");
  }
  const refs = new Set(mockReferences(config));
  const external: Array<[string, string]> = [];
  config.oracle.underlyings.forEach((u, i) =>
    u.sources.forEach((s, j) => {
      if (!refs.has(s.feed)) external.push([`oracle.underlyings[${i}].sources[${j}].feed`, s.feed]);
    }),
  );
  if (config.oracle.sequencer && !refs.has(config.oracle.sequencer.feed)) external.push(["oracle.sequencer.feed", config.oracle.sequencer.feed]);
  if (!refs.has(config.quoteToken)) {
    external.push(["quoteToken", config.quoteToken]);
    const decimals = await hre.ethers.provider
      .call({ to: config.quoteToken, data: DECIMALS_IFACE.encodeFunctionData("decimals") })
      .then((out) => Number(DECIMALS_IFACE.decodeFunctionResult("decimals", out)[0]))
      .catch(() => undefined);
    if (decimals !== QUOTE_DECIMALS) problems.push(`quoteToken: ${config.quoteToken} must be a ${QUOTE_DECIMALS}-decimal ERC-20 (decimals() gave ${decimals ?? "no answer"})`);
  }
  for (const [where, address] of external) {
    const code = await hre.ethers.provider.getCode(address);
    if (code === "0x") problems.push(`${where}: no contract at ${address}`);
    else if (!local && (await isTestDouble(hre, address))) problems.push(`${where}: ${address} is a test double (mock)`);
  }
  if (problems.length) throw new DeployRefusedError(problems);
}

/** Deploys the mock contracts a local parameter file names; returns `mock:<name>` → address. */
async function deployLocalMocks(hre: HardhatRuntimeEnvironment, config: DeployConfig): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const mocks = config.mocks;
  if (!mocks) return out;
  for (const [name, feed] of Object.entries(mocks.feeds)) {
    const agg = await hre.ethers.deployContract("MockAggregator", [feed.decimals, parseUnits(feed.price, feed.decimals)]);
    await agg.waitForDeployment();
    out[`mock:${name}`] = await agg.getAddress();
  }
  if (mocks.quoteToken && config.quoteToken.startsWith("mock:")) {
    const token = await hre.ethers.deployContract("MockQuoteToken", []);
    await token.waitForDeployment();
    out[config.quoteToken] = await token.getAddress();
  }
  if (mocks.sequencer && config.oracle.sequencer) {
    const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
    // Up since well before now, so the grace period has passed.
    const seq = await hre.ethers.deployContract("MockSequencerUptimeFeed", [now - 86_400]);
    await seq.waitForDeployment();
    out[config.oracle.sequencer.feed] = await seq.getAddress();
  }
  return out;
}

/** Runs the whole deployment and returns its record. */
export async function deployProtocol(hre: HardhatRuntimeEnvironment, options: DeployOptions): Promise<DeploymentRecord> {
  const log = options.log ?? (() => undefined);
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const file = typeof options.parameters === "string" ? options.parameters : "(inline)";
  const config =
    typeof options.parameters === "string"
      ? loadDeployConfig(options.parameters, chainId)
      : parseDeployConfig(options.parameters, file, chainId);
  const [signer] = await hre.ethers.getSigners();
  const deployer = getAddress(await signer.getAddress());
  await preflight(hre, config, deployer, options.allowDeployerRoles ?? false);

  const mockAddresses = await deployLocalMocks(hre, config);
  const resolved = resolveConfig(config, deployer, mockAddresses);
  const local = LOCAL_CHAIN_IDS.has(chainId);
  const deploymentId = local ? `${hre.network.name}-${chainId}-${Date.now()}` : `chain-${chainId}`;
  log(`deploying Bulwark to ${hre.network.name} (chain ${chainId}) from ${deployer}`);
  const result = await hre.ignition.deploy(buildProtocolModule(resolved), { deploymentId, displayUi: false });

  const addresses: DeploymentAddresses = {};
  for (const [name, contract] of Object.entries(result)) addresses[name] = getAddress(await (contract as { getAddress(): Promise<string> }).getAddress());
  for (const [ref, address] of Object.entries(mockAddresses)) addresses[ref] = address;

  const record: DeploymentRecord = {
    network: hre.network.name,
    chainId,
    deployer,
    block: await hre.ethers.provider.getBlockNumber(),
    gitCommit: gitCommit(hre.config.paths.root),
    deployedAt: new Date().toISOString(),
    parametersFile: file,
    parameters: config,
    resolved,
    addresses,
  };
  const write = options.writeRecord ?? hre.network.name !== "hardhat";
  if (write) {
    const out = recordPath(hre.config.paths.root, hre.network.name, chainId);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(record, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
    log(`record written to ${path.relative(process.cwd(), out)}`);
  }
  return record;
}

/** Where the record of a deployment on `network` lives. */
export function recordPath(root: string, network: string, chainId: number): string {
  return path.join(root, "deploy", "deployments", `${network}-${chainId}.json`);
}
