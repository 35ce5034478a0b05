import { HardhatUserConfig, subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import "@nomicfoundation/hardhat-toolbox";
import "@nomicfoundation/hardhat-ignition-ethers";

/** The compiler version every contract is built with; pinned exactly in package.json as `solc`. */
const SOLC_VERSION = "0.8.30";

// Offline compiler: use the wasm build shipped in the `solc` npm package instead of downloading one.
subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion === SOLC_VERSION) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const solc = require("solc");
    return {
      compilerPath: require.resolve("solc/soljson.js"),
      isSolcJs: true,
      version: SOLC_VERSION,
      longVersion: solc.version(),
    };
  }
  return runSuper();
});

const config: HardhatUserConfig = {
  solidity: {
    compilers: [
      {
        version: SOLC_VERSION,
        settings: {
          optimizer: { enabled: true, runs: 10_000 },
          evmVersion: "cancun",
        },
      },
    ],
    overrides: {
      // The engine's hot paths sit close to the 24,576-byte code limit: fewer optimizer runs keep it under with
      // about 1,000 bytes to spare (750 runs cost at most ~150 gas per operation against 1,000; measured by bench:gas).
      "contracts/margin/MarginEngine.sol": {
        version: SOLC_VERSION,
        settings: { optimizer: { enabled: true, runs: 750 }, evmVersion: "cancun" },
      },
    },
  },
  paths: {
    sources: "./contracts",
    tests: "./test",
    ignition: "./deploy",
  },
  networks: {
    hardhat: {
      // A node started with another chain id looks like a real network to the deployment's safety checks.
      chainId: Number(process.env.BULWARK_CHAIN_ID ?? 31337),
    },
    localhost: {
      url: process.env.BULWARK_RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
  typechain: {
    outDir: "typechain-types",
    target: "ethers-v6",
  },
  mocha: {
    timeout: 120_000,
  },
  gasReporter: {
    enabled: process.env.REPORT_GAS === "true",
    offline: true,
  },
};

export default config;
