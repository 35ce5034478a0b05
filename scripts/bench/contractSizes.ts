import hre from "hardhat";

/**
 * Deployed bytecode size of every protocol contract (mocks, test harnesses and inlined libraries left out), largest first, with the
 * room left under the EIP-170 limit of 24,576 bytes. Run with `npx hardhat run scripts/bench/contractSizes.ts`
 * (it compiles first if needed). Exits 1 if any protocol contract is over the limit.
 */
const LIMIT = 24_576;

async function main(): Promise<void> {
  await hre.run("compile", { quiet: true });
  const rows: { name: string; bytes: number }[] = [];
  for (const fqn of await hre.artifacts.getAllFullyQualifiedNames()) {
    if (!fqn.startsWith("contracts/") || fqn.startsWith("contracts/mocks/")) continue;
    const artifact = await hre.artifacts.readArtifact(fqn);
    const bytes = (artifact.deployedBytecode.length - 2) / 2;
    // A library of internal functions is inlined into its users: its own artifact is an 85-byte stub.
    const inlinedLibrary = artifact.deployedBytecode.startsWith("0x73") && bytes <= 100;
    if (bytes > 0 && !inlinedLibrary) rows.push({ name: artifact.contractName, bytes });
  }
  rows.sort((a, b) => b.bytes - a.bytes);
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    console.log(`${r.name.padEnd(width)}  ${r.bytes.toLocaleString("en-US").padStart(6)} bytes  ${(LIMIT - r.bytes).toLocaleString("en-US").padStart(6)} left`);
  }
  const over = rows.filter((r) => r.bytes > LIMIT);
  if (over.length > 0) {
    console.error(`over the ${LIMIT}-byte limit: ${over.map((r) => r.name).join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
