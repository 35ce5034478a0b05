/**
 * Deploys the whole protocol through the Ignition modules in deploy/modules.
 *
 *   npm run deploy -- --network <name> --parameters <file> [--allow-deployer-roles] [--no-record]
 *
 * Refuses (non-zero exit, nothing sent) on a missing or malformed parameter, a chain-id mismatch, mock
 * contracts on a real network, an address without bytecode, or the admin/guardian being the deployer unless
 * allowed. Prints every address and writes deploy/deployments/<network>-<chainId>.json.
 */
import path from "node:path";
import { parseFlags, runCli } from "./lib/cli";

const USAGE = "npm run deploy -- --network <name> --parameters <file> [--allow-deployer-roles] [--no-record]";

runCli(async () => {
  const { values, switches } = parseFlags(
    process.argv.slice(2),
    { values: ["network", "parameters"], switches: ["allow-deployer-roles", "no-record"], required: ["network", "parameters"] },
    USAGE,
  );
  // The network must be chosen before Hardhat is loaded.
  process.env.HARDHAT_NETWORK = values.network;
  const hre = (await import("hardhat")).default;
  if (!(values.network in hre.config.networks)) {
    throw new Error(`unknown network '${values.network}' (configured: ${Object.keys(hre.config.networks).join(", ")})`);
  }
  await hre.run("compile", { quiet: true });
  const { deployProtocol } = await import("../deploy/lib/deployProtocol");
  const record = await deployProtocol(hre, {
    parameters: path.resolve(values.parameters),
    allowDeployerRoles: switches.has("allow-deployer-roles"),
    writeRecord: !switches.has("no-record"),
    log: (line) => console.log(line),
  });
  console.log(`deployed at block ${record.block} (commit ${record.gitCommit.slice(0, 12)})`);
  for (const [name, address] of Object.entries(record.addresses)) console.log(`  ${name.padEnd(28)} ${address}`);
});
