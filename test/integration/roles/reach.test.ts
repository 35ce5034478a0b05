import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ETH, wad } from "../../helpers/protocolFixture";
import {
  ADMIN_DELAY,
  deployRolesFixture,
  PERMISSIONLESS,
  RESTRICTED,
  ROLES,
  type ContractName,
  type RestrictedRow,
  type RoleName,
  type RolesFixture,
} from "./roleMap";

type Actor = "ADMIN" | "RISK" | "GUARDIAN" | "OUTSIDER";
const ACTORS: readonly Actor[] = ["ADMIN", "RISK", "GUARDIAN", "OUTSIDER"];
/** The role an actor's key holds: the admin holds ADMIN and ADMIN_OPS (timelocked). */
const HOLDS: Record<Actor, RoleName | null> = { ADMIN: "ADMIN_OPS", RISK: "RISK", GUARDIAN: "GUARDIAN", OUTSIDER: null };

function signerOf(f: RolesFixture, actor: Actor): HardhatEthersSigner {
  return { ADMIN: f.timelockAdmin, RISK: f.risk, GUARDIAN: f.guardian, OUTSIDER: f.outsider }[actor];
}

async function calldata(f: RolesFixture, row: RestrictedRow): Promise<{ to: string; data: string }> {
  const target = f.contracts[row.contract];
  return { to: await target.getAddress(), data: target.interface.encodeFunctionData(row.fn, await row.args(f)) };
}

describe("Roles: every restricted function from every role", () => {
  describe("the table is complete", () => {
    for (const contract of Object.keys(PERMISSIONLESS) as ContractName[]) {
      it(`test_${contract}_everyStateChangingFunction_isRestrictedOrListedPermissionless`, async () => {
        const f = await loadFixture(deployRolesFixture);
        const restricted = RESTRICTED.filter((r) => r.contract === contract).map((r) => r.fn);
        const mutating: string[] = [];
        f.contracts[contract].interface.forEachFunction((fn) => {
          if (fn.stateMutability !== "view" && fn.stateMutability !== "pure") mutating.push(fn.name);
        });
        const unclassified = mutating.filter((n) => !restricted.includes(n) && !PERMISSIONLESS[contract].includes(n));
        expect(unclassified, `classify these in roleMap.ts and the README roles table`).to.deep.equal([]);
      });
    }
  });

  for (const row of RESTRICTED) {
    describe(`${row.contract}.${row.fn} (${row.role})`, () => {
      for (const actor of ACTORS) {
        const mapped = HOLDS[actor] === row.role;
        if (row.role === "GATED") {
          it(`test_${actor}_cannotUseTheGatedHook`, async () => {
            const f = await loadFixture(deployRolesFixture);
            const { to, data } = await calldata(f, row);
            // checkAction authenticates only when it writes: a DEGRADED reading makes it write.
            await expect(signerOf(f, actor).sendTransaction({ to, data })).to.be.revertedWithCustomError(
              f.breaker,
              "AccessManagedUnauthorized",
            );
            if (actor === "ADMIN") {
              // Not even through the timelock: the admin holds no GATED role.
              await expect(f.manager.connect(f.timelockAdmin).schedule(to, data, 0)).to.be.revertedWithCustomError(
                f.manager,
                "AccessManagerUnauthorizedCall",
              );
            }
          });
          continue;
        }
        if (actor === "ADMIN" && mapped) {
          it("test_ADMIN_onlyThroughScheduleWaitExecute", async () => {
            const f = await loadFixture(deployRolesFixture);
            const { to, data } = await calldata(f, row);
            const admin = f.timelockAdmin;
            await expect(admin.sendTransaction({ to, data })).to.be.revertedWithCustomError(
              f.manager,
              "AccessManagerNotScheduled",
            );
            await f.manager.connect(admin).schedule(to, data, 0);
            await expect(f.manager.connect(admin).execute(to, data)).to.be.revertedWithCustomError(
              f.manager,
              "AccessManagerNotReady",
            );
            await time.increase(ADMIN_DELAY);
            // Past the delay the call reaches the function body (it may still refuse its arguments, never the caller).
            await expect(f.manager.connect(admin).execute(to, data)).not.to.be.revertedWithCustomError(
              f.breaker, // any AccessManaged ABI decodes the error (the engine's interface does not carry it)
              "AccessManagedUnauthorized",
            );
          });
          continue;
        }
        if (mapped) {
          it(`test_${actor}_reachesTheFunction`, async () => {
            const f = await loadFixture(deployRolesFixture);
            const { to, data } = await calldata(f, row);
            await expect(signerOf(f, actor).sendTransaction({ to, data })).not.to.be.revertedWithCustomError(
              f.breaker, // any AccessManaged ABI decodes the error (the engine's interface does not carry it)
              "AccessManagedUnauthorized",
            );
          });
          continue;
        }
        it(`test_${actor}_isRefused`, async () => {
          const f = await loadFixture(deployRolesFixture);
          const { to, data } = await calldata(f, row);
          await expect(signerOf(f, actor).sendTransaction({ to, data }))
            .to.be.revertedWithCustomError(f.breaker, "AccessManagedUnauthorized")
            .withArgs(signerOf(f, actor).address);
          // Nor can it be scheduled by a key that lacks the role.
          await expect(f.manager.connect(signerOf(f, actor)).schedule(to, data, 0)).to.be.revertedWithCustomError(
            f.manager,
            "AccessManagerUnauthorizedCall",
          );
        });
      }
    });
  }

  describe("the flow hooks answer the wired vault only", () => {
    /** Runs `body` as the contract at `address` (impersonated, funded for gas). */
    async function asContract(address: string, body: (signer: HardhatEthersSigner) => Promise<void>): Promise<void> {
      await hre.network.provider.send("hardhat_impersonateAccount", [address]);
      await hre.network.provider.send("hardhat_setBalance", [address, "0x56BC75E2D63100000"]);
      try {
        await body(await hre.ethers.getSigner(address));
      } finally {
        await hre.network.provider.send("hardhat_stopImpersonatingAccount", [address]);
      }
    }

    it("test_flowReporter_isTheVault_andRecordsInflow", async () => {
      const f = await loadFixture(deployRolesFixture);
      const vault = await f.vault.getAddress();
      expect(await f.breaker.flowReporter()).to.equal(vault);
      await asContract(vault, async (asVault) => {
        await expect(f.breaker.connect(asVault).recordInflow(0)).not.to.be.reverted;
      });
    });

    it("test_flowHooks_refuseEveryRoleAndGatedContract_butTheVault", async () => {
      const f = await loadFixture(deployRolesFixture);
      const vault = await f.vault.getAddress();
      const callers = [f.timelockAdmin, f.risk, f.guardian, f.outsider];
      for (const signer of callers) {
        for (const hook of [
          () => f.breaker.connect(signer).recordOutflow(1n),
          () => f.breaker.connect(signer).tryRecordOutflow(1n),
          () => f.breaker.connect(signer).recordInflow(1n),
        ]) {
          await expect(hook()).to.be.revertedWithCustomError(f.breaker, "BreakerNotFlowReporter").withArgs(signer.address, vault);
        }
      }
      // The market holds GATED, which no longer reaches the flow hooks.
      const market = await f.market.getAddress();
      await asContract(market, async (asMarket) => {
        await expect(f.breaker.connect(asMarket).recordOutflow(1n))
          .to.be.revertedWithCustomError(f.breaker, "BreakerNotFlowReporter")
          .withArgs(market, vault);
      });
      // Nor can the admin re-point the reporter through the timelock: the wiring is one-shot.
      const data = f.breaker.interface.encodeFunctionData("setFlowReporter", [f.outsider.address]);
      const to = await f.breaker.getAddress();
      await f.manager.connect(f.timelockAdmin).schedule(to, data, 0);
      await time.increase(ADMIN_DELAY);
      await expect(f.manager.connect(f.timelockAdmin).execute(to, data))
        .to.be.revertedWithCustomError(f.breaker, "BreakerFlowReporterAlreadySet")
        .withArgs(vault);
    });
  });

  describe("the guardian cancels scheduled admin operations", () => {
    it("test_GUARDIAN_cancelsAScheduledLift_andItCanNoLongerExecute", async () => {
      const f = await loadFixture(deployRolesFixture);
      await f.breaker.connect(f.guardian).trip(ETH, 2);
      const to = await f.breaker.getAddress();
      const data = f.breaker.interface.encodeFunctionData("lift", [ETH, 0]);
      await f.manager.connect(f.timelockAdmin).schedule(to, data, 0);
      await expect(f.manager.connect(f.guardian).cancel(f.timelockAdmin.address, to, data)).to.emit(
        f.manager,
        "OperationCanceled",
      );
      await time.increase(ADMIN_DELAY);
      await expect(f.manager.connect(f.timelockAdmin).execute(to, data)).to.be.revertedWithCustomError(
        f.manager,
        "AccessManagerNotScheduled",
      );
      expect((await f.breaker.modeOf(ETH))[0]).to.equal(2n, "the HALT stays");
    });

    it("test_GUARDIAN_cancelsEveryScheduledAdminOpsFunction", async () => {
      const f = await loadFixture(deployRolesFixture);
      for (const row of RESTRICTED.filter((r) => r.role === "ADMIN_OPS")) {
        const { to, data } = await calldata(f, row);
        await f.manager.connect(f.timelockAdmin).schedule(to, data, 0);
        await expect(f.manager.connect(f.guardian).cancel(f.timelockAdmin.address, to, data)).to.emit(
          f.manager,
          "OperationCanceled",
        );
      }
    });

    it("test_RISK_andOutsider_cannotCancel", async () => {
      const f = await loadFixture(deployRolesFixture);
      const to = await f.breaker.getAddress();
      const data = f.breaker.interface.encodeFunctionData("unpause");
      await f.manager.connect(f.timelockAdmin).schedule(to, data, 0);
      for (const key of [f.risk, f.outsider]) {
        await expect(f.manager.connect(key).cancel(f.timelockAdmin.address, to, data)).to.be.revertedWithCustomError(
          f.manager,
          "AccessManagerUnauthorizedCancel",
        );
      }
    });
  });

  describe("no role moves user funds", () => {
    it("test_everyRestrictedCall_byEveryRole_leavesUserBalancesUnchanged", async () => {
      const f = await loadFixture(deployRolesFixture);
      // Users hold positions, collateral and shares; the vault backs them.
      await f.market.connect(f.alice).trade(f.series.call2000, wad(1), 2n ** 128n, 2n ** 64n);
      await f.market.connect(f.bob).trade(f.series.put2000, -wad(1), 0n, 2n ** 64n);
      const users = [f.alice, f.bob, f.carol, f.lp];
      const snapshot = async () =>
        Promise.all(
          users.map(async (u) => [
            await f.token.balanceOf(u.address),
            await f.engine.collateralOf(u.address),
            (await f.engine.positionsOf(u.address)).toString(),
            await f.vault.balanceOf(u.address),
          ]),
        );
      const before = await snapshot();
      for (const row of RESTRICTED) {
        const { to, data } = await calldata(f, row);
        for (const actor of ACTORS) {
          await signerOf(f, actor).sendTransaction({ to, data }).catch(() => undefined);
        }
        await f.manager.connect(f.timelockAdmin).schedule(to, data, 0).catch(() => undefined);
      }
      await time.increase(ADMIN_DELAY);
      for (const row of RESTRICTED) {
        const { to, data } = await calldata(f, row);
        await f.manager.connect(f.timelockAdmin).execute(to, data).catch(() => undefined);
      }
      expect(await snapshot()).to.deep.equal(before);
      const [balance, owed] = await f.engine.conservation();
      expect(balance).to.equal(owed);
      expect(await f.manager.hasRole(ROLES.ADMIN, f.deployer.address)).to.deep.equal([false, 0n]);
    });
  });
});
