import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ETH, options, usdc, wad } from "../../helpers/protocolFixture";
import { deployRolesFixture, RESTRICTED, ROLES, type RolesFixture } from "../roles/roleMap";

/** Every balance a user owns: tokens, collateral, positions, shares, and the guardian's own. */
async function holdings(f: RolesFixture): Promise<string[]> {
  const out: string[] = [];
  for (const u of [f.alice, f.bob, f.carol, f.lp, f.guardian]) {
    out.push(
      `${u.address}:${await f.token.balanceOf(u.address)}:${await f.engine.collateralOf(u.address)}:` +
        `${(await f.engine.positionsOf(u.address)).toString()}:${await f.vault.balanceOf(u.address)}`,
    );
  }
  const [balance, owed] = await f.engine.conservation();
  out.push(`engine:${balance}/${owed}`, `supply:${await f.vault.totalSupply()}`);
  return out;
}

/** The production role layout, with positions, collateral, shares and a pending redemption of the LP. */
async function deployWithUserFunds() {
  const f = await deployRolesFixture();
  await f.market.connect(f.alice).trade(f.series.call2000, options(2), usdc(1_000_000), 2n ** 64n);
  await f.market.connect(f.bob).trade(f.series.put2000, -options(2), 0n, 2n ** 64n);
  await f.vault.connect(f.lp).requestRedeem(10n ** 12n * 1_000n, f.lp.address, f.lp.address);
  return f;
}

describe("Scenario: a guardian key tries to take funds", () => {
  it("test_guardianKey_everyReachableCall_movesNoUserFunds", async () => {
    const f = await loadFixture(deployWithUserFunds);
    const g = f.guardian;
    const before = await holdings(f);
    const attempts: [string, () => Promise<unknown>][] = [
      // Its own powers: trip, halt, pause, dispute a settlement price.
      ["trip ETH HALTED", () => f.breaker.connect(g).trip(ETH, 2)],
      ["trip GLOBAL HALTED", () => f.breaker.connect(g).trip(`0x${"0".repeat(64)}`, 2)],
      ["pause", () => f.breaker.connect(g).pause()],
      ["dispute a settlement", () => f.router.connect(g).disputeSettlement(ETH, f.expiry, wad(1))],
      // Users' funds through the permissionless paths: none lets it act for another account.
      ["withdraw alice's collateral", () => f.engine.connect(g).withdraw(usdc(1), g.address)],
      ["redeem the LP's shares", () => f.vault.connect(g).redeem(1n, g.address, f.lp.address)],
      ["withdraw the LP's assets", () => f.vault.connect(g).withdraw(1n, g.address, f.lp.address)],
      ["move the LP's shares", () => f.vault.connect(g).transferFrom(f.lp.address, g.address, 1n)],
      ["queue the LP's shares to itself", () => f.vault.connect(g).requestRedeem(1n, g.address, f.lp.address)],
      ["cancel the LP's request", () => f.vault.connect(g).cancelRedeemRequest(0)],
      ["claim the LP's request", () => f.vault.connect(g).claimRedeem(0)],
      ["trade from the vault", () => f.engine.connect(g).applyTrade(f.alice.address, f.series.call2000, -1n, 0n)],
      ["withdraw the vault's collateral", () => f.engine.connect(g).withdrawVault(g.address, 1n)],
      ["record an outflow", () => f.breaker.connect(g).recordOutflow(1n)],
      // Governance it does not hold: roles, wiring, authority, the admin's queue.
      ["grant itself ADMIN", () => f.manager.connect(g).grantRole(ROLES.ADMIN, g.address, 0)],
      ["grant itself GATED", () => f.manager.connect(g).grantRole(ROLES.GATED, g.address, 0)],
      ["re-point the vault's authority", () => f.vault.connect(g).setAuthority(g.address)],
      ["schedule a rewire", () => f.manager.connect(g).schedule(
        f.engine.target as string,
        f.engine.interface.encodeFunctionData("wire", [g.address, g.address]),
        0,
      )],
    ];
    for (const row of RESTRICTED.filter((r) => r.role !== "GUARDIAN")) {
      const target = f.contracts[row.contract];
      const data = target.interface.encodeFunctionData(row.fn, await row.args(f));
      attempts.push([`${row.contract}.${row.fn}`, () => g.sendTransaction({ to: target.target as string, data })]);
    }
    const succeeded: string[] = [];
    for (const [label, attempt] of attempts) {
      try {
        await attempt();
        succeeded.push(label);
      } catch {
        // refused: expected for everything outside the guardian's own powers
      }
    }
    expect(succeeded).to.deep.equal(["trip ETH HALTED", "trip GLOBAL HALTED", "pause"]);
    expect(await holdings(f)).to.deep.equal(before);
  });

  it("test_guardianHalt_leavesUsersTheirExits", async () => {
    const f = await loadFixture(deployWithUserFunds);
    await f.breaker.connect(f.guardian).trip(`0x${"0".repeat(64)}`, 2);
    // The halt only stops new risk: users still take their free funds out.
    const before = await f.token.balanceOf(f.carol.address);
    await f.engine.connect(f.carol).withdraw(usdc(1_000), f.carol.address);
    expect(await f.token.balanceOf(f.carol.address)).to.equal(before + usdc(1_000));
    const lpBefore = await f.token.balanceOf(f.lp.address);
    await f.vault.connect(f.lp).withdraw(usdc(1_000), f.lp.address, f.lp.address);
    expect(await f.token.balanceOf(f.lp.address)).to.equal(lpBefore + usdc(1_000));
    // And the guardian cannot lift its own halt.
    await expect(f.breaker.connect(f.guardian).lift(`0x${"0".repeat(64)}`, 0)).to.be.revertedWithCustomError(
      f.breaker,
      "AccessManagedUnauthorized",
    );
  });
});
