/** `poke` against the real OracleRouter (three Chainlink-style sources behind mock aggregators). */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MODE, deployOracleFixture } from "../../helpers/oracleFixture";
import { ETH, Mode, PARAMS, Reason, WAD } from "./breakerFixture";
import type { CircuitBreaker } from "../../../typechain-types";

const UNIT = 10n ** 8n; // feed decimals

async function deployWithRouter() {
  const oracle = await deployOracleFixture();
  const breaker = (await ethers.deployContract("CircuitBreaker", [
    await oracle.manager.getAddress(),
    await oracle.router.getAddress(),
    PARAMS.quoteDecimals,
    PARAMS.outflowLimit,
    PARAMS.refillPeriod,
    PARAMS.utilisationCap,
    PARAMS.cooldown,
  ])) as unknown as CircuitBreaker;
  // The oracle fixture's admin (signer 0) has no execution delay: it wires the market directly.
  await breaker.connect(oracle.admin).addMarket(ETH, PARAMS.moveLimitBps, PARAMS.window);
  return { ...oracle, breaker };
}

/** Pushes a fresh round with `answer` (feed decimals) on every feed. */
async function pushAll(feeds: Awaited<ReturnType<typeof deployWithRouter>>["feeds"], answers: bigint[]) {
  for (let i = 0; i < feeds.length; i++) await feeds[i].pushRound(answers[i]);
}

describe("CircuitBreaker with the OracleRouter", () => {
  it("test_poke_okReading_setsReferenceFromTheMedian", async () => {
    const { breaker } = await loadFixture(deployWithRouter);
    await expect(breaker.poke(ETH))
      .to.emit(breaker, "BreakerReferencePriceSet")
      .withArgs(ETH, 2000n * WAD, (await time.latest()) + 1);
    expect(await breaker.modeOf(ETH)).to.deep.equal([Mode.ACTIVE, Reason.NONE]);
  });

  it("test_poke_oneSourceFailing_degradedTripsReduceOnly", async () => {
    const { breaker, feeds } = await loadFixture(deployWithRouter);
    await breaker.poke(ETH);
    await feeds[0].setMode(MODE.REVERT);
    await expect(breaker.poke(ETH))
      .to.emit(breaker, "BreakerTripped")
      .withArgs(ETH, Mode.REDUCE_ONLY, Reason.ORACLE_DEGRADED);
  });

  it("test_poke_quorumLost_failedTripsHalted_thenLiftsOnceRecovered", async () => {
    const { breaker, feeds } = await loadFixture(deployWithRouter);
    await breaker.poke(ETH);
    await feeds[0].setMode(MODE.REVERT);
    await feeds[1].setMode(MODE.REVERT);
    await expect(breaker.poke(ETH)).to.emit(breaker, "BreakerTripped").withArgs(ETH, Mode.HALTED, Reason.ORACLE_FAILED);

    await feeds[0].setMode(MODE.NORMAL);
    await feeds[1].setMode(MODE.NORMAL);
    await expect(breaker.poke(ETH)).to.emit(breaker, "BreakerCooldownStarted");
    await time.increase(PARAMS.cooldown);
    await pushAll(feeds, [2000n * UNIT, 2001n * UNIT, 1999n * UNIT]); // keep the feeds inside their heartbeat
    await expect(breaker.poke(ETH)).to.emit(breaker, "BreakerLifted").withArgs(ETH, Mode.ACTIVE, Reason.ORACLE_FAILED);
  });

  it("test_poke_medianMovesBeyondLimit_tripsPriceMove", async () => {
    const { breaker, feeds } = await loadFixture(deployWithRouter);
    await breaker.poke(ETH);
    await pushAll(feeds, [2300n * UNIT, 2301n * UNIT, 2299n * UNIT]);
    await expect(breaker.poke(ETH))
      .to.emit(breaker, "BreakerTripped")
      .withArgs(ETH, Mode.REDUCE_ONLY, Reason.PRICE_MOVE);
    expect((await breaker.scopeState(ETH)).refPrice).to.equal(2300n * WAD);
  });
});
