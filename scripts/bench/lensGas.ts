import hre from "hardhat";
import * as A from "../../test/invariants/harness/actions";
import { runSequence, world } from "../../test/invariants/harness/campaign";
import { WAD } from "../../test/invariants/harness/math";
import { ALICE, BOB } from "../../test/invariants/harness/world";

/**
 * EVM work of the invariant campaign's one state read: builds the campaign's world, plays a fixed sequence (three
 * trades, a vault deposit, a spot move) and prints the gas of the full and light `InvariantLens.snapshot` calls
 * (`eth_estimateGas`), with the wall time of one eth_call averaged over ten. Gas is the load-independent figure
 * (audits/KNOWN_ISSUES.md, K-18); the milliseconds depend on the machine's load.
 * Run: `npx hardhat run scripts/bench/lensGas.ts`.
 */
async function main(): Promise<void> {
  const w = await world();
  await runSequence(w, [
    A.trade(ALICE, 1, -150n * WAD, "generous", false),
    A.trade(BOB, 3, 5n * WAD, "generous", false),
    A.trade(ALICE, 2, 7n * WAD, "generous", false),
    A.vaultDeposit(BOB, 50_000n * 10n ** 6n),
    A.moveSpot(13_000n),
  ]);
  const GAS = "0xf42400";
  for (const mode of ["full", "light"] as const) {
    const tx = { to: w.addr.lens, data: w.lensCall[mode], gas: GAS };
    const gas = BigInt((await hre.network.provider.request({ method: "eth_estimateGas", params: [tx] })) as string);
    const runs = 10;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await hre.network.provider.request({ method: "eth_call", params: [tx, "latest"] });
    const ms = (performance.now() - t0) / runs;
    console.log(`${mode} read: ${gas} gas, ${ms.toFixed(1)} ms per eth_call`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
