/**
 * Loads the signer key. Runs only inside the signer process, the only process that ever receives the
 * secret (the supervisor passes the one environment variable named in the config to it and to no one
 * else). After loading, the variable is removed from this process's environment so no code that runs
 * later in the signer can read it by name.
 */
import * as fs from "node:fs";
import { Wallet } from "ethers";
import type { KeeperConfig } from "../core/config";
import { SignerKeyError } from "../core/errors";

/**
 * @throws SignerKeyError SIGNER_KEY_MISSING (variable or file absent), SIGNER_KEY_INVALID (not a key),
 *         SIGNER_KEYSTORE (cannot decrypt: wrong password or corrupt file).
 */
export async function loadSignerKey(key: KeeperConfig["signer"]["key"], env: NodeJS.ProcessEnv): Promise<Wallet> {
  if (key.source === "env") {
    const value = env[key.env];
    delete env[key.env];
    if (!value) throw new SignerKeyError("SIGNER_KEY_MISSING", `Environment variable ${key.env} is not set`);
    if (!/^0x[0-9a-fA-F]{64}$/.test(value.trim())) {
      throw new SignerKeyError("SIGNER_KEY_INVALID", `${key.env} does not hold a 0x-prefixed 32-byte private key`);
    }
    try {
      return new Wallet(value.trim());
    } catch (err) {
      throw new SignerKeyError("SIGNER_KEY_INVALID", `${key.env} is not a valid secp256k1 private key`, { cause: err });
    }
  }
  const password = env[key.passwordEnv];
  delete env[key.passwordEnv];
  if (password === undefined) throw new SignerKeyError("SIGNER_KEY_MISSING", `Environment variable ${key.passwordEnv} is not set`);
  let json: string;
  try {
    json = fs.readFileSync(key.path, "utf8");
  } catch (err) {
    throw new SignerKeyError("SIGNER_KEY_MISSING", `Cannot read keystore ${key.path}`, { details: (err as Error).message, cause: err });
  }
  try {
    const wallet = await Wallet.fromEncryptedJson(json, password);
    return new Wallet(wallet.privateKey);
  } catch (err) {
    throw new SignerKeyError("SIGNER_KEYSTORE", `Cannot decrypt keystore ${key.path}`, {
      details: (err as Error).message,
      hint: `Check the password in ${key.passwordEnv} and that the file is an encrypted JSON keystore.`,
      cause: err,
    });
  }
}
