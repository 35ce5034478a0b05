/**
 * Checks on-chain that a deployment matches its record; exits non-zero naming every mismatch.
 *
 *   npm run verify:deployment -- --network <name> [--record <file>]
 */
import fs from "node:fs";
import path from "node:path";
import { parseFlags, runCli } from "./lib/cli";

const USAGE = "npm run verify:deployment -- --network <name> [--record deploy/deployments/<network>-<chainId>.json]";

runCli(async () => {
  const { values } = parseFlags(process.argv.slice(2), { values: ["network", "record"], switches: [], required: ["network"] }, USAGE);
  process.env.HARDHAT_NETWORK = values.network;
  const hre = (await import("hardhat")).default;
  const { recordPath } = await import("../deploy/lib/deployProtocol");
  const { verifyDeployment } = await import("../deploy/lib/verifyDeployment");
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const file = values.record ? path.resolve(values.record) : recordPath(hre.config.paths.root, values.network, chainId);
  if (!fs.existsSync(file)) throw new Error(`no deployment record at ${file}`);
  const record = JSON.parse(fs.readFileSync(file, "utf8"));
  const { checks, mismatches } = await verifyDeployment(hre, record);
  if (mismatches.length) {
    for (const m of mismatches) console.error(`MISMATCH ${m}`);
    throw new Error(`${mismatches.length} of ${checks} checks failed`);
  }
  console.log(`deployment matches its record: ${checks} checks passed`);
});
