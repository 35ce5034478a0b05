/**
 * Gas breakdown of the trading benchmark: runs the same scenario as `npm run bench:gas` (scripts/bench/gas/trading.ts,
 * the shipped deployment, a warm account with three other open series), then the liquidation batch of issue #5
 * (`liquidate.batch_20`, scripts/bench/gas/liquidation.ts: `liquidateMany` of twenty one-series short-call accounts,
 * its per-item figure printed beside it), traces every measured transaction with
 * `debug_traceTransaction` and prints where its gas goes:
 *  - the transaction base (21,000 plus calldata) and the execution total;
 *  - every external call frame as a tree: callee (contract name) and function (selector name), the gas the frame
 *    used including its children ("incl", the call opcode's own cost included) and without them ("self"), and the
 *    storage work done in the frame itself (cold/warm SLOADs, SSTORE gas, transient TLOAD/TSTORE);
 *  - a per-phase summary: the gas of the top-level frames of the entry contract grouped by callee and function
 *    (for a trade: pricing `markSeries`, `applyTrade`, the breaker), every oracle spot read, every AccessManager
 *    check, and the entry contract's own code.
 *
 *  - with GAS_FUNCTIONS=1, the gas spent inside each internal function of the protocol's contracts (from the
 *    compiler's source maps: jumps into and out of functions), "self" without the functions it calls, summed over
 *    the transaction; library code inlined into a function counts as that function's (internal library
 *    functions appear under their own names).
 *
 *  - with GAS_SLOTS=1, every storage slot the transaction touches first (cold), by the contract whose storage it is
 *    (a delegatecall's slots are its caller's), in order: the slot (small slots as numbers, mapping slots by the
 *    first 10 and last 2 hex digits of their key), whether it is read or written first, and how many writes follow.
 *
 * Usage: npx hardhat run scripts/bench/gasBreakdown.ts
 * Optional: GAS_OPS=trade.buy,vault.deposit restricts the printed operations; GAS_DEPTH=2 limits the tree depth;
 * GAS_FUNCTIONS=1 adds the per-function table (GAS_TOP=25 rows); GAS_SLOTS=1 the first-touch slot list.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import type { ContractTransactionResponse, Interface } from "ethers";
import { deployProtocolFixture, finaliseSettlement } from "../../test/helpers/protocolFixture";
import { runBatchScenario } from "./gas/liquidation";
import { runScenario } from "./gas/trading";

interface StructLog {
  pc: number;
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

interface Trace {
  gas: number;
  failed: boolean;
  structLogs: StructLog[];
}

/** One external call frame of a trace. */
interface Frame {
  callee: string;
  fn: string;
  kind: string;
  depth: number;
  /** Gas the frame cost its caller: from the call opcode to the caller's next step. */
  inclusive: number;
  children: Frame[];
  coldSloads: number;
  warmSloads: number;
  sstoreGas: number;
  tloads: number;
  tstores: number;
}

/** A frame with no children and no storage work counted yet. */
function newFrame(callee: string, fn: string, kind: string, depth: number, inclusive = 0): Frame {
  return { callee, fn, kind, depth, inclusive, children: [], coldSloads: 0, warmSloads: 0, sstoreGas: 0, tloads: 0, tstores: 0 };
}

const CALL_OPS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);

/** Names every selector of every compiled artifact (first name wins; collisions are rare and printed as such). */
async function selectorNames(): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const fqn of await hre.artifacts.getAllFullyQualifiedNames()) {
    const artifact = await hre.artifacts.readArtifact(fqn);
    let iface: Interface;
    try {
      iface = new hre.ethers.Interface(artifact.abi);
    } catch {
      continue;
    }
    iface.forEachFunction((fn) => {
      if (!names.has(fn.selector)) names.set(fn.selector, fn.name);
    });
  }
  return names;
}

/** Names the deployment's contracts by address. */
async function addressNames(f: Awaited<ReturnType<typeof deployProtocolFixture>>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const add = async (name: string, c: { getAddress(): Promise<string> } | string) => {
    const a = typeof c === "string" ? c : await c.getAddress();
    names.set(a.toLowerCase(), name);
  };
  await add("AccessManager", f.manager);
  await add("OracleRouter", f.router);
  await add("MarginEngine", f.engineCore);
  await add("MarginEngineExtension", f.extension);
  await add("OptionMarket", f.market);
  await add("LiquidityVault", f.vault);
  await add("CircuitBreaker", f.breaker);
  await add("LiquidationEngine", f.liquidation);
  await add("InsuranceFund", f.insurance);
  await add("QuoteToken", f.token);
  if (f.sequencer) await add("SequencerFeed", f.sequencer);
  for (const [u, o] of Object.entries(f.oracle)) {
    for (const [i, s] of o.sources.entries()) await add(`${u}.source${i}`, s);
    for (const [i, s] of o.feeds.entries()) await add(`${u}.feed${i}`, s);
  }
  return names;
}

/** The callee address of a call opcode from its stack (second item from the top for every call kind). */
function calleeOf(log: StructLog): string {
  const stack = log.stack ?? [];
  const word = stack[stack.length - 2] ?? "0x0";
  return "0x" + BigInt(word.startsWith("0x") ? word : "0x" + word).toString(16).padStart(40, "0").slice(-40);
}

/**
 * The selector a frame dispatched on: Solidity's dispatcher shifts the first calldata word right by 224 bits,
 * so the stack top after the frame's first `SHR` that follows `CALLDATALOAD` is the selector.
 */
function selectorIn(logs: StructLog[], start: number, depth: number): string | undefined {
  let sawCalldataLoad = false;
  for (let i = start; i < logs.length && i < start + 64; ++i) {
    const l = logs[i];
    if (l.depth < depth) return undefined;
    if (l.depth !== depth) continue;
    if (l.op === "CALLDATALOAD") sawCalldataLoad = true;
    if (l.op === "SHR" && sawCalldataLoad) {
      const next = logs[i + 1];
      const top = next?.stack?.[next.stack.length - 1];
      if (top === undefined) return undefined;
      return "0x" + BigInt(top.startsWith("0x") ? top : "0x" + top).toString(16).padStart(8, "0");
    }
  }
  return undefined;
}

/** Builds the call tree of a trace. */
function buildFrames(logs: StructLog[], addr: Map<string, string>, sel: Map<string, string>, root: Frame): void {
  const stack: Frame[] = [root];
  // Storage work is attributed to the innermost open frame.
  const callStarts: { frame: Frame; index: number }[] = [];
  for (let i = 0; i < logs.length; ++i) {
    const l = logs[i];
    // Close frames whose depth we left.
    while (stack.length > 1 && l.depth < stack[stack.length - 1].depth) {
      const open = callStarts.pop()!;
      open.frame.inclusive = logs[open.index].gas - l.gas;
      stack.pop();
    }
    const cur = stack[stack.length - 1];
    if (l.op === "SLOAD") {
      if (l.gasCost >= 2100) cur.coldSloads++;
      else cur.warmSloads++;
    } else if (l.op === "SSTORE") cur.sstoreGas += l.gasCost;
    else if (l.op === "TLOAD") cur.tloads++;
    else if (l.op === "TSTORE") cur.tstores++;
    if (CALL_OPS.has(l.op)) {
      const next = logs[i + 1];
      const calleeAddress = calleeOf(l);
      const callee = addr.get(calleeAddress) ?? calleeAddress;
      if (next && next.depth === l.depth + 1) {
        const s = selectorIn(logs, i + 1, l.depth + 1);
        const frame = newFrame(callee, s === undefined ? "?" : (sel.get(s) ?? s), l.op, l.depth + 1);
        cur.children.push(frame);
        stack.push(frame);
        callStarts.push({ frame, index: i });
      } else {
        // A call that ran no code (precompile, empty account, or failed before entering).
        cur.children.push(newFrame(callee, "(no code)", l.op, l.depth + 1, next ? l.gas - next.gas : l.gasCost));
      }
    }
  }
}


/* ------------------------------------------------------------------------------------------------------------ */
/*                                       INTERNAL FUNCTIONS (SOURCE MAPS)                                        */
/* ------------------------------------------------------------------------------------------------------------ */

/** A deployed contract's code as the compiler mapped it: instruction index per pc, source map entries, sources. */
interface CodeMap {
  pcToIndex: Map<number, number>;
  entries: { s: number; l: number; f: number; j: string }[];
  sources: Map<number, string>;
}

/**
 * Reads the source map of `contract` (a contract name of contracts/) from the build info its artifact was compiled
 * in (older build-info files of earlier compilations may still sit beside it and must not be read).
 */
async function loadCodeMap(contract: string): Promise<CodeMap | undefined> {
  const fqn = (await hre.artifacts.getAllFullyQualifiedNames()).find(
    (n) => n.startsWith("contracts/") && n.endsWith(`:${contract}`),
  );
  if (!fqn) return undefined;
  const b = await hre.artifacts.getBuildInfo(fqn);
  if (!b) return undefined;
  const [src] = fqn.split(":");
  type Compiled = {
    evm: {
      deployedBytecode: { object: string; sourceMap: string; generatedSources?: { id: number; contents: string }[] };
    };
  };
  const c = (b.output.contracts[src] as unknown as Record<string, Compiled>)[contract];
  const code = Buffer.from(c.evm.deployedBytecode.object, "hex");
  const pcToIndex = new Map<number, number>();
  for (let pc = 0, i = 0; pc < code.length; ++i) {
    pcToIndex.set(pc, i);
    const op = code[pc];
    pc += op >= 0x60 && op <= 0x7f ? op - 0x5e : 1;
  }
  const entries: CodeMap["entries"] = [];
  let last = { s: 0, l: 0, f: 0, j: "-" };
  for (const part of c.evm.deployedBytecode.sourceMap.split(";")) {
    const [s, l, f, j] = part.split(":");
    last = {
      s: s ? Number(s) : last.s,
      l: l ? Number(l) : last.l,
      f: f ? Number(f) : last.f,
      j: j ? j : last.j,
    };
    entries.push(last);
  }
  const sources = new Map<number, string>();
  for (const [p, o] of Object.entries<{ id: number }>(b.output.sources)) sources.set(o.id, b.input.sources[p]?.content ?? "");
  // The compiler's own helpers (ABI coders, checked arithmetic, memory allocation) live in generated sources.
  for (const g of c.evm.deployedBytecode.generatedSources ?? []) sources.set(g.id, g.contents);
  return { pcToIndex, entries, sources };
}

/** The name of the function whose code starts at source range (s, l) of file f. */
function functionName(map: CodeMap, s: number, l: number, f: number): string {
  const text = (map.sources.get(f) ?? "").slice(s, s + Math.min(l, 400));
  const m = /^\s*(?:function|modifier)\s+(\w+)/.exec(text);
  if (!m && !map.sources.has(f)) return "(compiler helpers)";
  return m ? m[1] : text.slice(0, 30).replace(/\s+/g, " ");
}

/**
 * Gas by internal function: walks the steps of every frame running one of `maps`' contracts, keeps a stack of
 * functions from the jump-in and jump-out markers and charges each step to the function on top.
 */
function internalProfile(
  logs: StructLog[],
  rootCode: string,
  codeOfCall: (log: StructLog) => string,
  maps: Map<string, CodeMap>,
): Map<string, number> {
  const out = new Map<string, number>();
  type Ctx = { code: string; fns: string[] };
  const frames: Ctx[] = [{ code: rootCode, fns: ["(dispatch)"] }];
  for (let i = 0; i < logs.length; ++i) {
    const l = logs[i];
    while (frames.length > l.depth) frames.pop();
    const cur = frames[frames.length - 1];
    const map = maps.get(cur.code);
    if (!CALL_OPS.has(l.op)) {
      const key = `${cur.code}.${cur.fns[cur.fns.length - 1]}`;
      out.set(key, (out.get(key) ?? 0) + l.gasCost);
    }
    if (CALL_OPS.has(l.op) && logs[i + 1]?.depth === l.depth + 1) {
      frames.push({ code: codeOfCall(l), fns: ["(dispatch)"] });
      continue;
    }
    if (!map || l.op !== "JUMP") continue;
    const idx = map.pcToIndex.get(l.pc);
    const e = idx === undefined ? undefined : map.entries[idx];
    const next = logs[i + 1];
    if (!e || !next || next.depth !== l.depth) continue;
    if (e.j === "i") {
      const t = map.pcToIndex.get(next.pc);
      const te = t === undefined ? undefined : map.entries[t];
      cur.fns.push(te ? functionName(map, te.s, te.l, te.f) : "?");
    } else if (e.j === "o" && cur.fns.length > 1) {
      cur.fns.pop();
    }
  }
  return out;
}

const selfOf = (f: Frame): number => f.inclusive - f.children.reduce((s, c) => s + c.inclusive, 0);
const fmt = (n: number): string => n.toLocaleString("en-US").padStart(8);

function printTree(f: Frame, indent: string, maxDepth: number): void {
  const storage = [
    f.coldSloads ? `${f.coldSloads} cold SLOAD` : "",
    f.warmSloads ? `${f.warmSloads} warm SLOAD` : "",
    f.sstoreGas ? `SSTORE ${f.sstoreGas}` : "",
    f.tloads || f.tstores ? `T ${f.tloads}/${f.tstores}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const kind = f.kind === "CALL" ? "" : ` [${f.kind.toLowerCase()}]`;
  console.log(
    `${fmt(f.inclusive)} incl ${fmt(selfOf(f))} self  ${indent}${f.callee}.${f.fn}${kind}${storage ? `  (${storage})` : ""}`,
  );
  if (f.depth >= maxDepth) return;
  for (const c of f.children) printTree(c, indent + "  ", maxDepth);
}

/** A storage slot a transaction touched first (cold): whose storage, which slot, how it was first used. */
interface FirstTouch {
  owner: string;
  slot: string;
  first: "SLOAD" | "SSTORE";
  writes: number;
}

/**
 * Every storage slot the trace touches, in order of first touch, by storage owner: the callee of a CALL or STATICCALL,
 * the caller's own storage for a DELEGATECALL.
 */
function firstTouches(logs: StructLog[], entry: string, addr: Map<string, string>): FirstTouch[] {
  const owners: string[] = [];
  owners[1] = entry;
  const seen = new Map<string, FirstTouch>();
  for (const l of logs) {
    if (CALL_OPS.has(l.op)) {
      owners[l.depth + 1] = l.op === "DELEGATECALL" || l.op === "CALLCODE" ? owners[l.depth] : (addr.get(calleeOf(l)) ?? calleeOf(l));
      continue;
    }
    if (l.op !== "SLOAD" && l.op !== "SSTORE") continue;
    const stack = l.stack ?? [];
    const word = stack[stack.length - 1] ?? "0x0";
    const key = BigInt(word.startsWith("0x") ? word : "0x" + word);
    const hex = key.toString(16).padStart(64, "0");
    // Small slots as numbers; a mapping slot by its first 10 hex digits and last 2 (a struct's next word differs there).
    const slot = key < 1_000_000n ? key.toString() : `0x${hex.slice(0, 10)}…${hex.slice(-2)}`;
    const owner = owners[l.depth] ?? "?";
    const id = `${owner}:${hex}`;
    const known = seen.get(id);
    if (known === undefined) seen.set(id, { owner, slot, first: l.op, writes: l.op === "SSTORE" ? 1 : 0 });
    else if (l.op === "SSTORE") known.writes++;
  }
  return [...seen.values()];
}

/** Sums inclusive gas over every frame matching `pred`, not counting frames nested in a matching one. */
function sumOutermost(f: Frame, pred: (x: Frame) => boolean): { gas: number; count: number } {
  let gas = 0;
  let count = 0;
  for (const c of f.children) {
    if (pred(c)) {
      gas += c.inclusive;
      count++;
    } else {
      const r = sumOutermost(c, pred);
      gas += r.gas;
      count += r.count;
    }
  }
  return { gas, count };
}

async function main(): Promise<void> {
  const only = process.env.GAS_OPS?.split(",").map((s) => s.trim());
  const maxDepth = Number(process.env.GAS_DEPTH ?? "99");
  const f = await deployProtocolFixture();
  const [addr, sel] = await Promise.all([addressNames(f), selectorNames()]);
  const codeMaps = new Map<string, CodeMap>();
  if (process.env.GAS_FUNCTIONS) {
    for (const name of [
      "OptionMarket",
      "MarginEngine",
      "MarginEngineExtension",
      "LiquidityVault",
      "OracleRouter",
      "CircuitBreaker",
      "LiquidationEngine",
    ]) {
      const m = await loadCodeMap(name);
      if (m) codeMaps.set(name, m);
    }
  }

  const traced = new Set<string>();
  const record = async (name: string, txp: Promise<ContractTransactionResponse>): Promise<bigint> => {
    traced.add(name);
    const tx = await txp;
    const receipt = (await tx.wait())!;
    if (only && !only.includes(name)) return receipt.gasUsed;
    const trace: Trace = await hre.network.provider.send("debug_traceTransaction", [
      tx.hash,
      { disableMemory: true, disableStorage: true },
    ]);
    const logs = trace.structLogs;
    const entry = addr.get(tx.to!.toLowerCase()) ?? tx.to!;
    const entrySel = tx.data.slice(0, 10);
    const root = newFrame(entry, sel.get(entrySel) ?? entrySel, "CALL", 1);
    buildFrames(logs, addr, sel, root);
    const execStart = logs[0].gas;
    const intrinsic = Number(tx.gasLimit) - execStart;
    const executed = execStart - logs[logs.length - 1].gas + logs[logs.length - 1].gasCost;
    root.inclusive = executed;
    const refund = intrinsic + executed - Number(receipt.gasUsed);

    console.log(`\n=== ${name}: gasUsed ${receipt.gasUsed.toLocaleString("en-US")} ===`);
    console.log(
      `base (21,000 + calldata) ${intrinsic.toLocaleString("en-US")}, execution ${executed.toLocaleString("en-US")}, refund ${refund.toLocaleString("en-US")}`,
    );
    printTree(root, "", maxDepth);

    console.log("  phases:");
    const phases = new Map<string, number>();
    for (const c of root.children) {
      const key = `${c.callee}.${c.fn}`;
      phases.set(key, (phases.get(key) ?? 0) + c.inclusive);
    }
    phases.set(`${entry} own code`, selfOf(root));
    phases.set("transaction base", intrinsic);
    if (refund !== 0) phases.set("refund", -refund);
    // A batch operation (`<name>.batch_<n>`) also shows each phase per item.
    const items = Number(/batch_(\d+)$/.exec(name)?.[1] ?? "1");
    for (const [k, v] of phases) console.log(`    ${fmt(v)}${items > 1 ? `  ${fmt(Math.round(v / items))}/item` : ""}  ${k}`);
    if (process.env.GAS_FUNCTIONS) {
      const codeOfCall = (l: StructLog): string => addr.get(calleeOf(l)) ?? "?";
      const prof = internalProfile(logs, entry, codeOfCall, codeMaps);
      const top = Number(process.env.GAS_TOP ?? "25");
      console.log("  internal functions (self gas, summed over the transaction):");
      for (const [k, v] of [...prof.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${fmt(v)}  ${k}`);
    }
    if (process.env.GAS_SLOTS) {
      const touches = firstTouches(logs, entry, addr);
      console.log(`  first-touch storage slots (${touches.length}, each 2,100 gas cold):`);
      const byOwner = new Map<string, FirstTouch[]>();
      for (const t of touches) byOwner.set(t.owner, [...(byOwner.get(t.owner) ?? []), t]);
      for (const [owner, list] of byOwner) {
        const shown = list.map((t) => `${t.slot}${t.first === "SSTORE" ? " (written first)" : ""}${t.writes > 0 ? ` w${t.writes}` : ""}`);
        console.log(`    ${owner} (${list.length}): ${shown.join(", ")}`);
      }
    }
    const spot = sumOutermost(root, (x) => x.callee === "OracleRouter" && x.fn === "getSpot");
    const settle = sumOutermost(root, (x) => x.callee === "OracleRouter" && x.fn === "getSettlementPrice");
    const access = sumOutermost(root, (x) => x.callee === "AccessManager");
    const breaker = sumOutermost(root, (x) => x.callee === "CircuitBreaker");
    const token = sumOutermost(root, (x) => x.callee === "QuoteToken");
    const liquidations = sumOutermost(root, (x) => x.callee === "MarginEngine" && x.fn === "liquidatePosition");
    console.log("  across frames:");
    console.log(`    ${fmt(spot.gas)}  oracle getSpot (${spot.count} reads)`);
    if (settle.count) console.log(`    ${fmt(settle.gas)}  oracle getSettlementPrice (${settle.count} reads)`);
    console.log(`    ${fmt(breaker.gas)}  circuit breaker (${breaker.count} calls)`);
    console.log(`    ${fmt(access.gas)}  AccessManager (${access.count} calls)`);
    console.log(`    ${fmt(token.gas)}  quote token (${token.count} calls)`);
    if (liquidations.count) console.log(`    ${fmt(liquidations.gas)}  engine liquidatePosition (${liquidations.count} calls)`);
    return receipt.gasUsed;
  };

  const start: string = await hre.network.provider.send("evm_snapshot", []);
  // The trading scenario is skipped when the selection names the liquidation batch alone.
  const tradingWanted = !only || only.some((name) => name !== "liquidate.batch_20");
  const results = tradingWanted ? await runScenario(f, (expiry, price) => finaliseSettlement(f, expiry, price), record) : {};
  // The liquidation batch starts from the deployment's own state (the trading scenario settles its expiry).
  await hre.network.provider.send("evm_revert", [start]);
  if (!only || only.includes("liquidate.batch_20")) Object.assign(results, await runBatchScenario(f, record));
  console.log("\nfigures:");
  for (const [k, v] of Object.entries(results)) console.log(`  ${k}: ${v}`);
  const unknown = (only ?? []).filter((name) => !traced.has(name));
  if (unknown.length) {
    throw new Error(`GAS_OPS names no traced operation: ${unknown.join(", ")} (the operations are: ${[...traced].join(", ")})`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
