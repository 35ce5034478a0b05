/**
 * Start-up checks against the chain and the host. Any failure refuses to start, with a clear error:
 * - every RPC endpoint answers and reports the configured chain id;
 * - every configured contract address holds bytecode;
 * - the signer's secret is present (keystore file plus password variable, or key variable);
 * - the keystore is not inside a directory the strategies are allowed to read.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configuredContracts, type KeeperConfig } from "./config";
import { PreflightError, RpcError, SignerKeyError } from "./errors";
import type { Logger } from "./logger";
import { redact, RpcClient } from "./rpc";

export interface PreflightResult {
  head: bigint;
  contracts: number;
}

/**
 * @throws PreflightError (PREFLIGHT_RPC, PREFLIGHT_CHAIN_ID, PREFLIGHT_NO_CODE)
 */
export async function preflightChain(config: KeeperConfig, logger: Logger): Promise<PreflightResult> {
  let head = 0n;
  for (const url of config.rpc.urls) {
    const rpc = new RpcClient({ urls: [url], timeoutMs: config.rpc.timeoutMs });
    let chainId: bigint;
    try {
      chainId = await rpc.chainId();
      head = await rpc.blockNumber();
    } catch (err) {
      throw new PreflightError("PREFLIGHT_RPC", `RPC endpoint ${redact(url)} does not answer`, {
        details: err instanceof RpcError ? `${err.code}: ${err.shortMessage}` : String(err),
        hint: "Check rpc.urls and that the node is reachable from this host.",
        cause: err,
      });
    }
    if (chainId !== BigInt(config.chainId)) {
      throw new PreflightError("PREFLIGHT_CHAIN_ID", `Chain id mismatch on ${redact(url)}`, {
        details: `config chainId ${config.chainId}, endpoint reports ${chainId}`,
        hint: "Point rpc.urls at the network this config was written for, or fix chainId.",
      });
    }
  }
  const rpc = new RpcClient({ urls: config.rpc.urls, timeoutMs: config.rpc.timeoutMs });
  const contracts = configuredContracts(config);
  for (const c of contracts) {
    let code: string;
    try {
      code = await rpc.getCode(c.address);
    } catch (err) {
      throw new PreflightError("PREFLIGHT_RPC", `Cannot read bytecode of ${c.address}`, { details: String(err), cause: err });
    }
    if (code === "0x" || code === "0x0" || code === "") {
      throw new PreflightError("PREFLIGHT_NO_CODE", `No contract at ${c.path}`, {
        details: `${c.address} has no bytecode on chain ${config.chainId}`,
        hint: "Check the address (and the network): an address without code would make every call a silent no-op.",
      });
    }
  }
  logger.info("preflight passed", { chainId: config.chainId, head, endpoints: config.rpc.urls.map(redact), contracts: contracts.length });
  return { head, contracts: contracts.length };
}

/**
 * Checks the signer secret is present without reading it into this process beyond a presence test.
 * @throws SignerKeyError SIGNER_KEY_MISSING
 * @throws PreflightError PREFLIGHT_SECRET_EXPOSED when the keystore sits where strategies may read it.
 */
export function preflightSecrets(config: KeeperConfig, env: NodeJS.ProcessEnv, strategyReadable: readonly string[]): void {
  const key = config.signer.key;
  if (key.source === "env") {
    if (!env[key.env]) {
      throw new SignerKeyError("SIGNER_KEY_MISSING", `Environment variable ${key.env} is not set`, {
        hint: `Export the signer's private key as ${key.env} in the keeper's environment (or use a keystore).`,
      });
    }
    return;
  }
  if (!fs.existsSync(key.path)) {
    throw new SignerKeyError("SIGNER_KEY_MISSING", `Keystore file ${key.path} does not exist`, {
      hint: "Create one (ethers/geth encrypted JSON) or fix signer.key.path.",
    });
  }
  if (!env[key.passwordEnv]) {
    throw new SignerKeyError("SIGNER_KEY_MISSING", `Environment variable ${key.passwordEnv} (keystore password) is not set`, {
      hint: `Export the keystore password as ${key.passwordEnv}.`,
    });
  }
  const real = fs.realpathSync(key.path);
  for (const dir of strategyReadable) {
    const rel = path.relative(dir, real);
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) {
      throw new PreflightError("PREFLIGHT_SECRET_EXPOSED", `Keystore ${key.path} is inside ${dir}, which strategy processes may read`, {
        hint: "Move the keystore outside the keeper's code and node_modules directories.",
      });
    }
  }
}
