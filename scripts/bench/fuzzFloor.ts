import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import hre from "hardhat";
import fc from "fast-check";
import { Interface } from "ethers";
import { WAD } from "../lib/units";

/**
 * The floor under `bench:fuzz`: what the in-process Hardhat network of this machine costs before any protocol logic.
 *
 * 1. Single requests, timed in a loop: a trivial `eth_call` (an ERC-20 `balanceOf`), `evm_setNextBlockTimestamp`,
 *    and the simplest state-changing transaction (an ERC-20 `transfer`, automined, with explicit gas, fees and nonce,
 *    the way the campaign sends).
 * 2. A toy fast-check model campaign over one ERC-20 token (MockQuoteToken): three actors, actions mint, transfer
 *    and an over-balance transfer that must revert, each one transaction in its own block at an explicit timestamp;
 *    after every action every balance and the total supply are read and compared with a bigint model. This is the
 *    kind of toy the invariant issue quotes for Hardhat, run on this machine. Each run starts its model from the
 *    chain's balances, so runs follow one another on one chain.
 *
 * 3. The node's execution rate on the protocol's own math: an `eth_call` of 40 Black-Scholes evaluations
 *    (BlackScholesHarness.evaluateBatch), its gas from `eth_estimateGas`, timed over repeated calls, in gas per second.
 *    Arithmetic-heavy code: storage-heavy code runs more gas per second (its gas prices I/O more than CPU).
 *
 * It writes reports/fuzz-floor.json and prints it. FLOOR_ACTIONS (default 2,000) sets the toy's action count.
 * Every action's check is real: a mismatch or an unexpected revert exits 1.
 */
const ACTORS = 3;
const GAS = "0x100000";
const MAX_FEE = "0x2540be400";

async function main(): Promise<void> {
  const provider = hre.network.provider;
  const request = (method: string, params: unknown[] = []) => provider.request({ method, params });
  const accounts = ((await request("eth_accounts")) as string[]).slice(0, ACTORS + 1);
  const [deployer, ...actors] = accounts;
  const token = await (await hre.ethers.getContractFactory("MockQuoteToken")).deploy();
  await token.waitForDeployment();
  const to = await token.getAddress();
  const abi = new Interface([
    "function mint(address,uint256)",
    "function transfer(address,uint256) returns (bool)",
    "function balanceOf(address) view returns (uint256)",
    "function totalSupply() view returns (uint256)",
  ]);
  const nonces = new Map<string, number>();
  for (const a of accounts) nonces.set(a, Number(BigInt((await request("eth_getTransactionCount", [a, "latest"])) as string)));
  const head = (await request("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
  let timestamp = Number(BigInt(head.timestamp));

  async function send(from: string, data: string): Promise<boolean> {
    const nonce = nonces.get(from)!;
    nonces.set(from, nonce + 1);
    try {
      await request("eth_sendTransaction", [{ from, to, data, gas: GAS, maxFeePerGas: MAX_FEE, maxPriorityFeePerGas: "0x0", nonce: "0x" + nonce.toString(16) }]);
      return true;
    } catch (e) {
      if (typeof (e as { data?: unknown }).data !== "string") throw e;
      return false;
    }
  }
  const call = async (data: string) => BigInt((await request("eth_call", [{ to, data }, "latest"])) as string);

  async function perRequest(n: number, fn: () => Promise<unknown>): Promise<number> {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    return Number(process.hrtime.bigint() - t0) / 1e6 / n;
  }
  const balanceData = abi.encodeFunctionData("balanceOf", [deployer]);
  await request("evm_setNextBlockTimestamp", [++timestamp]);
  if (!(await send(deployer, abi.encodeFunctionData("mint", [deployer, 10n ** 30n])))) throw new Error("mint reverted");
  const transferData = abi.encodeFunctionData("transfer", [actors[0], 1n]);
  const ethCallMs = await perRequest(2000, () => call(balanceData));
  const setTimestampMs = await perRequest(500, () => request("evm_setNextBlockTimestamp", [++timestamp]).then(() => request("evm_mine")));
  const mineMs = await perRequest(500, () => request("evm_mine", [++timestamp]));
  const transferTxMs = await perRequest(500, async () => {
    await request("evm_setNextBlockTimestamp", [++timestamp]);
    if (!(await send(deployer, transferData))) throw new Error("transfer reverted");
  });
  const overdrawData = abi.encodeFunctionData("transfer", [deployer, 1n]);
  const revertedTxMs = await perRequest(300, async () => {
    await request("evm_setNextBlockTimestamp", [++timestamp]);
    if (await send(actors[1], overdrawData)) throw new Error("an overdraw did not revert");
  });
  const revertedCallMs = await perRequest(300, async () => {
    try {
      await request("eth_call", [{ from: actors[1], to, data: overdrawData }, "latest"]);
    } catch (e) {
      if (typeof (e as { data?: unknown }).data === "string") return;
      throw e;
    }
    throw new Error("an overdraw call did not revert");
  });

  // --- the node's execution rate on Black-Scholes math ---
  const harness = await (await hre.ethers.getContractFactory("BlackScholesHarness")).deploy();
  await harness.waitForDeployment();
  const points = Array.from({ length: 40 }, (_, i) => ({
    spot: (2_000n + BigInt(i) * 50n) * WAD,
    strike: 3_000n * WAD,
    secondsToExpiry: 86_400n * BigInt(7 + i),
    vol: (WAD * BigInt(40 + i)) / 100n,
    rate: WAD / 20n,
  }));
  const batchData = harness.interface.encodeFunctionData("evaluateBatch", [points]);
  const harnessAddress = await harness.getAddress();
  const batchGas = Number(BigInt((await request("eth_estimateGas", [{ to: harnessAddress, data: batchData }])) as string));
  const batchMs = await perRequest(50, () => request("eth_call", [{ to: harnessAddress, data: batchData }, "latest"]));
  const gasPerSecond = (batchGas / batchMs) * 1000;
  // The deployment above was mined at the node's own clock: continue the explicit timestamps after it.
  const afterDeploy = (await request("eth_getBlockByNumber", ["latest", false])) as { timestamp: string };
  timestamp = Math.max(timestamp, Number(BigInt(afterDeploy.timestamp)));

  // --- the toy model campaign ---
  const total = Number(process.env.FLOOR_ACTIONS ?? 2000);
  if (!Number.isInteger(total) || total < 100) throw new Error(`FLOOR_ACTIONS must be an integer >= 100, got ${process.env.FLOOR_ACTIONS}`);
  type Action = { kind: "mint" | "transfer" | "overdraw"; from: number; to: number; amount: bigint };
  const actionArb: fc.Arbitrary<Action> = fc.record({
    kind: fc.constantFrom<Action["kind"]>("mint", "transfer", "transfer", "overdraw"),
    from: fc.integer({ min: 0, max: ACTORS - 1 }),
    to: fc.integer({ min: 0, max: ACTORS - 1 }),
    amount: fc.bigInt(0n, 10n ** 12n),
  });
  const depth = 50;
  const runs = Math.ceil(total / depth);
  let actions = 0;
  const t0 = process.hrtime.bigint();
  await fc.assert(
    fc.asyncProperty(fc.array(actionArb, { minLength: depth, maxLength: depth }), async (seq) => {
      const model = { balances: await Promise.all(actors.map((a) => call(abi.encodeFunctionData("balanceOf", [a])))), supply: await call(abi.encodeFunctionData("totalSupply")) };
      for (const action of seq) {
        const from = actors[action.from];
        const balance = model.balances[action.from];
        let data: string;
        let expectOk = true;
        if (action.kind === "mint") data = abi.encodeFunctionData("mint", [from, action.amount]);
        else if (action.kind === "transfer") data = abi.encodeFunctionData("transfer", [actors[action.to], action.amount > balance ? balance : action.amount]);
        else {
          data = abi.encodeFunctionData("transfer", [actors[action.to], balance + 1n + action.amount]);
          expectOk = false;
        }
        await request("evm_setNextBlockTimestamp", [++timestamp]);
        const ok = await send(from, data);
        if (ok !== expectOk) throw new Error(`${action.kind}: expected ${expectOk ? "success" : "a revert"}`);
        if (ok && action.kind === "mint") {
          model.balances[action.from] += action.amount;
          model.supply += action.amount;
        } else if (ok) {
          const amount = action.amount > balance ? balance : action.amount;
          model.balances[action.from] -= amount;
          model.balances[action.to] += amount;
        }
        // Invariants after every action: each balance equals the model, and the balances sum to the supply.
        const seen = await Promise.all(actors.map((a) => call(abi.encodeFunctionData("balanceOf", [a]))));
        const supply = await call(abi.encodeFunctionData("totalSupply"));
        for (let i = 0; i < ACTORS; i++) if (seen[i] !== model.balances[i]) throw new Error(`balance ${i}: chain ${seen[i]} model ${model.balances[i]}`);
        if (supply !== model.supply) throw new Error(`supply: chain ${supply} model ${model.supply}`);
        actions++;
      }
    }),
    { numRuns: runs, seed: 20261122, endOnFailure: true },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

  const r = (x: number) => Number(x.toFixed(3));
  const report = {
    eth_call_ms: r(ethCallMs),
    set_timestamp_and_mine_ms: r(setTimestampMs),
    empty_block_mine_ms: r(mineMs),
    transfer_tx_ms: r(transferTxMs),
    transfer_tx_per_s: Math.round(1000 / transferTxMs),
    reverted_tx_ms: r(revertedTxMs),
    reverted_eth_call_ms: r(revertedCallMs),
    toy_actions: actions,
    toy_actions_per_s: Number((actions / seconds).toFixed(1)),
    toy_reads_per_action: ACTORS + 1,
    evm_batch_gas: batchGas,
    evm_batch_ms: r(batchMs),
    evm_gas_per_s: Math.round(gasPerSecond),
    load_average: Number(loadavg()[0].toFixed(1)),
    what: "in-process Hardhat network (EDR), one transaction per action at an explicit timestamp, explicit gas/fees/nonce; toy = one ERC-20, 3 actors, every balance and the supply read and checked after every action",
  };
  const out = path.join(__dirname, "..", "..", "reports");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "fuzz-floor.json"), JSON.stringify(report, null, 2) + "\n");
  console.log(JSON.stringify(report, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
