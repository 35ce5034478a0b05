import hre from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { OracleRouter } from "../../../typechain-types";
import { chainlinkHint, deployOracleFixture, roundId } from "../../../test/helpers/oracleFixture";

const E8 = 10n ** 8n;

/** Calldata gas of a transaction's data (EIP-2028: 16 per non-zero byte, 4 per zero byte). */
export function calldataGas(data: string): bigint {
  let gas = 0n;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4n : 16n;
  return gas;
}

/** Receipt gasUsed of a mined transaction. */
async function gasUsed(tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  if (!receipt) throw new Error(`transaction ${tx.hash} was not mined`);
  return receipt.gasUsed;
}

/**
 * Execution gas of one `getSpot(underlying)` read: the view function is sent as a transaction and the measure is
 * receipt gasUsed - 21,000 (intrinsic) - calldata gas. That is the gas the read costs inside any caller, apart from
 * the caller's own cold access to the router (2,600) and its ABI work.
 */
export async function measureSpotGas(router: OracleRouter, underlying: string): Promise<bigint> {
  const tx = await router.getSpot.send(underlying);
  return (await gasUsed(tx)) - 21_000n - calldataGas(tx.data);
}

/** `getSpot` over `answers.length` healthy mock Chainlink sources (8 decimals), each through its adapter. */
export async function measureSpot(answers: bigint[]): Promise<bigint> {
  const f = await deployOracleFixture({ answers });
  const reading = await f.router.getSpot(f.underlying);
  if (reading.status !== 0n) throw new Error(`spot not OK (reasons ${reading.reasons}): nothing meaningful to measure`);
  return measureSpotGas(f.router, f.underlying);
}

/**
 * Settlement of one series over three healthy sources: the first rounds after expiry are posted, the locking
 * period passes, and one `recordSettlement` transaction verifies the three round hints on-chain (each adapter
 * reads the round and the one before it) and writes the proposal. Finality then follows from the clock (the
 * dispute window), with no further transaction.
 * @returns finalize: receipt gasUsed of that `recordSettlement` transaction (intrinsic and calldata included);
 *          dispute: receipt gasUsed of one guardian `disputeSettlement` transaction on such a proposal.
 */
export async function measureSettlement(): Promise<{ finalize: bigint; dispute: bigint }> {
  const f = await deployOracleFixture();
  const params = await f.router.getSettlementParams();
  const expiry = BigInt(await time.latest()) + 3600n;
  await time.increaseTo(expiry + params.settlementDelay);
  for (let i = 0; i < f.feeds.length; i++) {
    await f.feeds[i].pushRoundAt((2000n + BigInt(i)) * E8, expiry - 60n, expiry - 60n);
    await f.feeds[i].pushRoundAt((2010n + BigInt(i)) * E8, expiry + 30n, expiry + 30n);
  }
  const hints = f.feeds.map(() => chainlinkHint(roundId(1, 3)));
  const finalize = await gasUsed(await f.router.connect(f.anyone).recordSettlement(f.underlying, expiry, hints));
  const [, isFinal] = await f.router.getSettlementPrice(f.underlying, expiry);
  if (isFinal) throw new Error("a proposal must not be final before its dispute window");
  const dispute = await gasUsed(await f.router.connect(f.guardian).disputeSettlement(f.underlying, expiry, 2012n * 10n ** 18n));
  return { finalize, dispute };
}

/**
 * The oracle gas suite.
 * - oracle.spot_3_sources: execution gas of getSpot over 3 healthy sources (see measureSpotGas; bar 35,000).
 * - oracle.spot_5_sources: the same over 5 sources.
 * - oracle.settlement_finalize: receipt gasUsed of the recordSettlement transaction that records a 3-source
 *   settlement price; it is the only transaction needed, the price being final once the dispute window has passed.
 * - oracle.settlement_dispute: receipt gasUsed of one guardian dispute.
 */
export async function measure(): Promise<Record<string, bigint>> {
  const spot3 = await measureSpot([2000n * E8, 2001n * E8, 1999n * E8]);
  const spot5 = await measureSpot([2000n * E8, 2001n * E8, 1999n * E8, 2002n * E8, 1998n * E8]);
  const { finalize, dispute } = await measureSettlement();
  return {
    "oracle.spot_3_sources": spot3,
    "oracle.spot_5_sources": spot5,
    "oracle.settlement_finalize": finalize,
    "oracle.settlement_dispute": dispute,
  };
}

// Runnable on its own: `npx hardhat run scripts/bench/gas/oracle.ts`.
if (require.main === module) {
  measure()
    .then((ops) => {
      for (const [name, gas] of Object.entries(ops)) console.log(`${name.padEnd(28)} ${gas}`);
      console.log(`network: ${hre.network.name}`);
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
