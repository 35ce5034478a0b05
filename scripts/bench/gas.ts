/**
 * Gas benchmark: runs every suite in scripts/bench/gas/ on the in-process Hardhat network, prints a table and
 * writes reports/gas.json as {"operations": {"<name>": <gas>}} and the same table, with each target and verdict, as
 * audits/gas-report.txt (the auditors' copy, so it is always this run's).
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
  const over = rows.filter((r) => r.verdict === "OVER");
  const auditReport = path.join(hre.config.paths.root, "audits", "gas-report.txt");
  fs.writeFileSync(auditReport, gasReportText(rows, over.map((r) => r.operation)));
  console.log(`wrote ${path.relative(process.cwd(), path.join(outDir, "gas.json"))} and ${path.relative(process.cwd(), auditReport)}`);
  if (over.length > 0) {
    console.error(`over budget: ${over.map((r) => r.operation).join(", ")}`);
    process.exitCode = 1;
  }
}

type Row = { operation: string; gas: number; target: number | string; verdict: string };

/** The audits/ copy of the run: what was measured and how, then one aligned row per operation. */
function gasReportText(rows: Row[], over: string[]): string {
  const header = [
    "Gas per operation, written by `npm run bench:gas` (scripts/bench/gas.ts) on the in-process Hardhat network: receipt",
    "gasUsed for transactions, execution gas for view reads. Targets come from the issues; OVER = the target is not met.",
    "Trading operations: a warm account with 3 other open series (scripts/bench/gas/trading.ts); unsuffixed = the shipped",
    "deployment with its real three-source OracleRouter, `.core` = the mock router. `breaker.<op>` = gas spent inside the",
    "circuit breaker during <op>. Liquidation: scripts/bench/gas/liquidation.ts. Per-frame traces of the same scenario:",
    "`npx hardhat run scripts/bench/gasBreakdown.ts`.",
    "",
  ];
  const width = Math.max(...rows.map((r) => r.operation.length));
  const lines = rows.map(
    (r) => `${r.operation.padEnd(width)}  ${r.gas.toLocaleString("en-US").padStart(10)}  ${String(typeof r.target === "number" ? r.target.toLocaleString("en-US") : r.target).padStart(9)}  ${r.verdict}`,
  );
  const title = `${"operation".padEnd(width)}  ${"gas".padStart(10)}  ${"target".padStart(9)}  verdict`;
  const footer = over.length ? ["", `over the target: ${over.join(", ")}`] : ["", "every target met"];
  return [...header, title, "-".repeat(title.length), ...lines, ...footer, ""].join("\n");
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
