/**
 * Gas benchmark: runs every suite in scripts/bench/gas/ on the in-process Hardhat network, prints a table and
 * writes reports/gas.json as {"operations": {"<name>": <gas>}}.
 *
 * Usage: npm run bench:gas
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { GAS_TARGETS } from "./gasTargets";

type Suite = { measure: () => Promise<Record<string, bigint>> };

async function main(): Promise<void> {
  const suiteDir = path.join(__dirname, "gas");
  const files = fs
    .readdirSync(suiteDir)
    .filter((f) => f.endsWith(".ts"))
    .sort();
  if (files.length === 0) throw new Error(`no gas suites found in ${suiteDir}`);

  const operations: Record<string, number> = {};
  for (const file of files) {
    const suite: Suite = await import(path.join(suiteDir, file));
    if (typeof suite.measure !== "function") throw new Error(`${file} does not export measure()`);
    // Each suite starts from the same clean chain so results do not depend on suite order.
    const snapshot = await hre.network.provider.send("evm_snapshot", []);
    const measured = await suite.measure();
    await hre.network.provider.send("evm_revert", [snapshot]);
    for (const [name, gas] of Object.entries(measured)) operations[name] = Number(gas);
  }

  const sorted = Object.fromEntries(Object.entries(operations).sort(([a], [b]) => a.localeCompare(b)));
  const outDir = path.join(hre.config.paths.root, "reports");
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "gas.json"), JSON.stringify({ operations: sorted }, null, 2) + "\n");

  const rows = Object.entries(sorted).map(([name, gas]) => {
    const target = GAS_TARGETS[name];
    const verdict = target === undefined ? "" : gas <= target ? "ok" : "OVER";
    return { operation: name, gas, target: target ?? "-", verdict };
  });
  console.table(rows);
  console.log(`wrote ${path.relative(process.cwd(), path.join(outDir, "gas.json"))}`);
  const over = rows.filter((r) => r.verdict === "OVER");
  if (over.length > 0) {
    console.error(`over budget: ${over.map((r) => r.operation).join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
