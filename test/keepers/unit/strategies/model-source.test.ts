import { expect } from "chai";
import { Wallet } from "ethers";
import type { LogEntry, RpcClient } from "../../../../keepers/src/core/rpc";
import { RpcError } from "../../../../keepers/src/core/errors";
import { ENGINE } from "../../../../keepers/src/protocol/abi";
import { LIQUIDATION_ENGINE } from "../../../../keepers/src/strategies/liquidator/liquidation-engine";
import { UNPRICED_HEALTH } from "../../../../keepers/src/strategies/liquidator/margin-engine";
import { accountHealthOf, WAD } from "../../../../keepers/src/strategies/liquidator/margin-model";
import { inBand, ModelHealthSource, provisionalHealth, safetyBand } from "../../../../keepers/src/strategies/liquidator/model-source";

const ENGINE_ADDR = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
const LIQ_ADDR = "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707";
const VAULT = Wallet.createRandom().address;
const ETH = "0x" + Buffer.from("ETH").toString("hex").padEnd(64, "0");
const PARAMS = { initialShock: (2n * WAD) / 10n, maintenanceShock: (12n * WAD) / 100n, initialMinCharge: WAD / 10n, maintenanceMinCharge: (6n * WAD) / 100n };
const usdc = (x: bigint) => x * 10n ** 6n;

/** A fake chain: logs by contract, one series' mark, `accountHealth` rows; records every accountHealth read. */
function fakeChain() {
  const logs: { engine: LogEntry[]; liquidation: LogEntry[] } = { engine: [], liquidation: [] };
  const state = { spot: 3000n * WAD, price: 100n * WAD, failed: false, rows: new Map<string, { collateral: bigint; health: bigint }>() };
  const reads: string[] = [];
  let index = 0;
  const push = (where: "engine" | "liquidation", iface: typeof ENGINE, name: string, args: unknown[], block: bigint) => {
    const { topics, data } = iface.encodeEventLog(iface.getEvent(name)!, args);
    logs[where].push({ address: where === "engine" ? ENGINE_ADDR : LIQ_ADDR, topics, data, blockNumber: block, logIndex: index++, transactionHash: "0x" });
  };
  const rpc = {
    getLogs: async (f: { address: string; fromBlock: bigint; toBlock: bigint }) =>
      (f.address === ENGINE_ADDR ? logs.engine : logs.liquidation).filter((l) => l.blockNumber >= f.fromBlock && l.blockNumber <= f.toBlock),
    getBlock: async () => ({ number: 0n, hash: "0x", timestamp: 1_000n, baseFeePerGas: null }),
    call: async (req: { data: string }) => {
      const tx = ENGINE.parseTransaction({ data: req.data })!;
      switch (tx.name) {
        case "marginParams":
          return ENGINE.encodeFunctionResult("marginParams", [[PARAMS.initialShock, PARAMS.maintenanceShock, PARAMS.initialMinCharge, PARAMS.maintenanceMinCharge]]);
        case "vault":
          return ENGINE.encodeFunctionResult("vault", [VAULT]);
        case "markOf":
          if (state.failed) throw new RpcError("RPC_ERROR", "execution reverted", { method: "eth_call", endpoint: "fake", rpcCode: 3 });
          return ENGINE.encodeFunctionResult("markOf", [[ETH, 5_000n, state.spot, state.price, 0n, 0n, 0]]);
        case "accountHealth": {
          const a = String(tx.args[0]);
          reads.push(a);
          const r = state.rows.get(a)!;
          return ENGINE.encodeFunctionResult("accountHealth", [[a, r.collateral, 0n, 0n, 0n, r.health, true]]);
        }
      }
      throw new Error(`unexpected call ${tx.name}`);
    },
  } as unknown as RpcClient;
  return { rpc, push, state, reads };
}

const maint = { maintenanceShock: PARAMS.maintenanceShock, maintenanceMinCharge: PARAMS.maintenanceMinCharge, scale: 10n ** 12n };

describe("keepers strategies/liquidator: safety band", () => {
  it("spans threshold x (1 - band) to threshold x (1 + band), low end included, high end excluded", () => {
    const band = safetyBand(WAD, (2n * WAD) / 100n);
    expect(band).to.deep.equal({ low: (98n * WAD) / 100n, high: (102n * WAD) / 100n });
    expect(inBand(band.low - 1n, band)).to.equal(false); // clearly below: proposed on the estimate
    expect(inBand(band.low, band)).to.equal(true);
    expect(inBand(WAD, band)).to.equal(true);
    expect(inBand(band.high - 1n, band)).to.equal(true);
    expect(inBand(band.high, band)).to.equal(false);
    // Relative to the threshold, not to 1.
    expect(safetyBand(2n * WAD, WAD / 10n)).to.deep.equal({ low: (18n * WAD) / 10n, high: (22n * WAD) / 10n });
  });

  it("refuses a band outside 0.1% to 50% and a threshold that is not positive", () => {
    expect(() => safetyBand(WAD, 10n ** 15n - 1n)).to.throw(RangeError, "outside");
    expect(() => safetyBand(WAD, WAD / 2n + 1n)).to.throw(RangeError, "outside");
    expect(() => safetyBand(0n, WAD / 50n)).to.throw(RangeError, "threshold must be positive");
    expect(() => new ModelHealthSource({} as RpcClient, ENGINE_ADDR, LIQ_ADDR, { thresholdWad: WAD, bandWad: 0n })).to.throw(RangeError);
    expect(safetyBand(WAD, 10n ** 15n).low).to.equal(WAD - 10n ** 15n);
  });

  it("keeps a deferred account at the threshold until confirmed, an unpriceable one unpriced, a healthy one as is", () => {
    expect(provisionalHealth((99n * WAD) / 100n, WAD)).to.equal(WAD);
    expect(provisionalHealth((101n * WAD) / 100n, WAD)).to.equal((101n * WAD) / 100n);
    expect(provisionalHealth(null, WAD)).to.equal(UNPRICED_HEALTH);
    expect(provisionalHealth(0n, WAD)).to.equal(WAD);
  });
});

describe("keepers strategies/liquidator: ModelHealthSource", () => {
  const alice = Wallet.createRandom().address;
  const bob = Wallet.createRandom().address;
  const keeper = Wallet.createRandom().address;

  function setup() {
    const chain = fakeChain();
    chain.push("engine", ENGINE, "SeriesRegistered", [1n, ETH, 3000n * WAD, 5_000n, true, WAD], 1n);
    chain.push("engine", ENGINE, "CollateralDeposited", [alice, alice, usdc(5_000n)], 2n);
    chain.push("engine", ENGINE, "TradeApplied", [alice, 1n, -10n * WAD, usdc(1_000n), -10n * WAD, 10n * WAD], 3n);
    chain.push("engine", ENGINE, "CollateralDeposited", [bob, bob, usdc(100_000n)], 3n);
    chain.push("engine", ENGINE, "TradeApplied", [bob, 1n, -10n * WAD, usdc(1_000n), -10n * WAD, 20n * WAD], 4n);
    chain.push("engine", ENGINE, "CollateralWithdrawn", [bob, bob, usdc(10_000n)], 4n);
    const src = new ModelHealthSource(chain.rpc, ENGINE_ADDR, LIQ_ADDR, { thresholdWad: WAD });
    return { chain, src };
  }
  const line = (amount: bigint, price: bigint) => ({ amount, strike: 3000n * WAD, isCall: true, price, underlying: ETH.toLowerCase() });

  it("replays deposits, trades (premium in or out) and withdrawals into exact collateral and positions, the vault left out", async () => {
    const { src } = setup();
    const found = await src.scan(0n, 10n);
    expect(found.opened.map((o) => o.key.account)).to.deep.equal([alice, bob]);
    expect(src.positionsOf(alice)).to.deep.equal([{ series: 1n, amount: -10n * WAD }]);
    expect(src.positionsOf(VAULT)).to.equal(undefined);
    expect(src.termsOf(1n)).to.deep.include({ strike: 3000n * WAD, expiry: 5_000n, isCall: true });
    const [ha, hb] = await src.healthOf([{ account: alice, series: 0n }, { account: bob, series: 0n }], 10n);
    const spots = new Map([[ETH.toLowerCase(), 3000n * WAD]]);
    expect(ha).to.equal(accountHealthOf(usdc(6_000n), [line(-10n * WAD, 100n * WAD)], spots, maint).health);
    expect(hb).to.equal(accountHealthOf(usdc(91_000n), [line(-10n * WAD, 100n * WAD)], spots, maint).health);
  });

  it("reads on chain only accounts near the threshold, and re-syncs a liquidated account's collateral once", async () => {
    const { chain, src } = setup();
    await src.scan(0n, 10n);
    const spots = new Map([[ETH.toLowerCase(), 3000n * WAD]]);
    // Alice's collateral such that her health is ~1.005: inside the 2% band.
    const need = accountHealthOf(0n, [line(-10n * WAD, 100n * WAD)], spots, maint).maintenance;
    const equityAtZero = accountHealthOf(0n, [line(-10n * WAD, 100n * WAD)], spots, maint).equity;
    const target = (need * 1005n) / 1000n - equityAtZero;
    chain.push("engine", ENGINE, "CollateralWithdrawn", [alice, alice, usdc(6_000n) - target], 11n);
    await src.scan(11n, 11n);
    chain.state.rows.set(alice, { collateral: target, health: 777n });
    const [ha, hb] = await src.healthOf([{ account: alice, series: 0n }, { account: bob, series: 0n }], 12n);
    // The model pass reads nothing: alice is deferred (reported at the threshold, never below), bob gets the estimate.
    expect(chain.reads).to.deep.equal([]);
    expect(ha >= WAD && ha < src.band.high).to.equal(true); // its estimate (~1.005), pending the lens
    expect(hb > WAD).to.equal(true);
    expect(src.pendingConfirmations).to.equal(1);
    const rows = await src.confirm(12n);
    expect(chain.reads).to.deep.equal([alice]);
    expect(rows).to.deep.equal([{ key: { account: alice, series: 0n }, health: 777n }]); // the lens's answer, not the estimate
    expect(src.pendingConfirmations).to.equal(0);

    // A liquidation: position shrinks by `closed`, the liquidator's collateral gains the fee, and the account's
    // collateral is read back from the lens at the next evaluation even though it is far from the band.
    chain.push("liquidation", LIQUIDATION_ENGINE, "Liquidated", [bob, 1n, keeper, 4n * WAD, 0n, 0n, usdc(7n), 0n, 0n, 0n, 0n], 13n);
    const found = await src.scan(12n, 13n);
    expect(found.opened.map((o) => o.key.account)).to.deep.equal([keeper]);
    expect(src.positionsOf(bob)).to.deep.equal([{ series: 1n, amount: -6n * WAD }]);
    chain.state.rows.set(bob, { collateral: usdc(80_000n), health: 5n * WAD });
    chain.reads.length = 0;
    await src.healthOf([{ account: bob, series: 0n }, { account: keeper, series: 0n }], 14n);
    expect((await src.confirm(14n)).map((r) => r.key.account)).to.deep.equal([bob]);
    expect(chain.reads).to.deep.equal([bob]);
    chain.reads.length = 0;
    await src.healthOf([{ account: bob, series: 0n }], 15n);
    expect(src.pendingConfirmations).to.equal(0); // re-synced: the model again
    expect(await src.confirm(15n)).to.deep.equal([]);
    expect(chain.reads).to.deep.equal([]);
  });

  it("reports an account clearly below the band at its estimate with no read, one inside it only after the lens", async () => {
    const { chain, src } = setup();
    await src.scan(0n, 10n);
    const spots = new Map([[ETH.toLowerCase(), 3000n * WAD]]);
    const { maintenance: need, equity: equityAtZero } = accountHealthOf(0n, [line(-10n * WAD, 100n * WAD)], spots, maint);
    // Alice at ~0.90: below 1 - 2%. Bob at ~0.99: inside the band.
    const collateralFor = (permille: bigint) => (need * permille) / 1000n - equityAtZero;
    chain.push("engine", ENGINE, "CollateralWithdrawn", [alice, alice, usdc(6_000n) - collateralFor(900n)], 11n);
    chain.push("engine", ENGINE, "CollateralWithdrawn", [bob, bob, usdc(91_000n) - collateralFor(990n)], 11n);
    await src.scan(11n, 11n);
    const expected = accountHealthOf(collateralFor(900n), [line(-10n * WAD, 100n * WAD)], spots, maint).health;
    expect(expected < src.band.low).to.equal(true);
    chain.state.rows.set(bob, { collateral: collateralFor(990n), health: (WAD * 99n) / 100n });
    const [ha, hb] = await src.healthOf([{ account: alice, series: 0n }, { account: bob, series: 0n }], 12n);
    expect(ha).to.equal(expected);
    expect(hb).to.equal(WAD); // deferred: at the threshold until confirmed
    expect(chain.reads).to.deep.equal([]);
    expect(await src.confirm(12n)).to.deep.equal([{ key: { account: bob, series: 0n }, health: (WAD * 99n) / 100n }]);
  });

  it("confirms at most maxRechecksPerBlock per block, lowest estimate first; the estimate stands in beyond it", async () => {
    const chain = fakeChain();
    chain.push("engine", ENGINE, "SeriesRegistered", [1n, ETH, 3000n * WAD, 5_000n, true, WAD], 1n);
    const spots = new Map([[ETH.toLowerCase(), 3000n * WAD]]);
    const { maintenance: need, equity: equityAtZero } = accountHealthOf(0n, [line(-10n * WAD, 100n * WAD)], spots, maint);
    const traders = [995n, 985n, 1005n].map(() => Wallet.createRandom().address);
    [995n, 985n, 1005n].forEach((permille, i) => {
      const collateral = (need * permille) / 1000n - equityAtZero - usdc(1_000n); // the premium received adds 1,000
      chain.push("engine", ENGINE, "CollateralDeposited", [traders[i], traders[i], collateral], 2n);
      chain.push("engine", ENGINE, "TradeApplied", [traders[i], 1n, -10n * WAD, usdc(1_000n), -10n * WAD, 10n * WAD], 2n);
      chain.state.rows.set(traders[i], { collateral: collateral + usdc(1_000n), health: 1n });
    });
    const src = new ModelHealthSource(chain.rpc, ENGINE_ADDR, LIQ_ADDR, { thresholdWad: WAD, maxRechecksPerBlock: 2 });
    await src.scan(0n, 10n);
    const keys = traders.map((account) => ({ account, series: 0n }));
    const estimates = await src.healthOf(keys, 12n);
    // All three inside the band: none reported below the threshold before the lens.
    expect(estimates.slice(0, 2)).to.deep.equal([WAD, WAD]);
    expect(estimates[2] > WAD && estimates[2] < src.band.high).to.equal(true);
    const rows = await src.confirm(12n);
    // The two lowest (98.5%, 99.5%) read on chain; the third (100.5%) keeps its estimate.
    expect(chain.reads).to.deep.equal([traders[1], traders[0]]);
    expect(rows.map((r) => [r.key.account, r.health])).to.deep.equal([
      [traders[2], estimates[2]],
      [traders[1], 1n],
      [traders[0], 1n],
    ]);
  });

  it("forgets a queue of an older block, and keeps it whole when a read fails", async () => {
    const { chain, src } = setup();
    await src.scan(0n, 10n);
    chain.push("liquidation", LIQUIDATION_ENGINE, "Liquidated", [bob, 1n, keeper, 4n * WAD, 0n, 0n, usdc(7n), 0n, 0n, 0n, 0n], 11n);
    await src.scan(11n, 11n);
    await src.healthOf([{ account: bob, series: 0n }], 12n);
    expect(src.pendingConfirmations).to.equal(1);
    const call = chain.rpc.call;
    (chain.rpc as { call: unknown }).call = async () => {
      throw new RpcError("RPC_TIMEOUT", "timeout", { method: "eth_call", endpoint: "fake" });
    };
    let failed = false;
    await src.confirm(12n).catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(src.pendingConfirmations).to.equal(1);
    (chain.rpc as { call: unknown }).call = call;
    expect(await src.confirm(13n)).to.deep.equal([]); // of block 12: stale at 13
    expect(src.pendingConfirmations).to.equal(0);
    expect(chain.reads).to.deep.equal([]);
  });

  it("reports accounts of an underlying whose mark reverts (oracle FAILED) as unpriced, never liquidatable", async () => {
    const { chain, src } = setup();
    await src.scan(0n, 10n);
    chain.state.failed = true;
    expect(await src.healthOf([{ account: alice, series: 0n }], 11n)).to.deep.equal([UNPRICED_HEALTH]);
  });
});
