/** Runs one of the project's operator scripts as a separate process, as an operator would, with a time limit. */
import { spawn } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./node";
import { killGroup, track } from "./processes";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `ts-node --transpile-only scripts/<script> ...args` with `env` added; killed after `timeoutMs`. */
export function runScript(script: string, args: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<CliResult> {
  const tsNode = require.resolve("ts-node/dist/bin.js", { paths: [REPO_ROOT] });
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("HARDHAT_") && !k.startsWith("BULWARK_")) childEnv[k] = v;
  Object.assign(childEnv, env);
  const child = track(
    spawn(process.execPath, [tsNode, "--transpile-only", path.join("scripts", script), ...args], {
      cwd: REPO_ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    }),
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
