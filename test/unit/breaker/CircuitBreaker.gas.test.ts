import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Cls, ETH, ETH_SPOT, Status, deployBreakerWithReferences, executionGas } from "./breakerFixture";

describe("CircuitBreaker gas", () => {
  it("probe", async () => {
    const { gated } = await loadFixture(deployBreakerWithReferences);
    const base = await executionGas(await gated.actUnchecked(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK));
    const checked = await executionGas(await gated.act(ETH, Cls.RISK_INCREASING, ETH_SPOT, Status.OK));
    console.log({ base, checked, delta: checked - base });
    expect(checked).to.be.greaterThan(base);
  });
});
