/**
 * Prometheus metrics of the keeper, on a registry of its own (never the global one).
 * Served at `GET /metrics` by the health server on 127.0.0.1.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";

export class KeeperMetrics {
  readonly registry = new Registry();

  /** 1 while the supervisor runs. */
  readonly up = new Gauge({ name: "keeper_up", help: "1 while the keeper supervisor runs", registers: [this.registry] });
  readonly headBlock = new Gauge({ name: "keeper_head_block", help: "Latest block number seen by the supervisor", registers: [this.registry] });
  readonly headAgeSeconds = new Gauge({
    name: "keeper_head_age_seconds",
    help: "Seconds since the head last advanced",
    registers: [this.registry],
  });
  readonly rpcErrors = new Counter({
    name: "keeper_rpc_errors_total",
    help: "Failed JSON-RPC requests by component and error code",
    labelNames: ["component", "code"],
    registers: [this.registry],
  });
  readonly rpcRotations = new Counter({
    name: "keeper_rpc_rotations_total",
    help: "Switches to another RPC endpoint",
    labelNames: ["component"],
    registers: [this.registry],
  });
  readonly childUp = new Gauge({
    name: "keeper_child_up",
    help: "1 while a child process (signer or strategy) is running and ready",
    labelNames: ["child"],
    registers: [this.registry],
  });
  readonly childRestarts = new Counter({
    name: "keeper_child_restarts_total",
    help: "Child process restarts by reason (exit, crash, hang, memory, protocol, runaway, start-timeout)",
    labelNames: ["child", "reason"],
    registers: [this.registry],
  });
  readonly ipcViolations = new Counter({
    name: "keeper_ipc_violations_total",
    help: "Malformed or oversized IPC frames by child and code",
    labelNames: ["child", "code"],
    registers: [this.registry],
  });
  readonly intents = new Counter({
    name: "keeper_intents_total",
    help: "Intent decisions by strategy and status (accepted, refused, skipped, sent, confirmed, failed, dropped)",
    labelNames: ["strategy", "status"],
    registers: [this.registry],
  });
  readonly txEvents = new Counter({
    name: "keeper_tx_events_total",
    help: "Transaction events by strategy (sent, replaced, cancel-sent, rebroadcast, confirmed, reverted, cancelled, foreign)",
    labelNames: ["strategy", "event"],
    registers: [this.registry],
  });
  readonly gasUsed = new Counter({
    name: "keeper_gas_used_total",
    help: "Gas used by mined keeper transactions (including reverted ones and cancels)",
    labelNames: ["strategy"],
    registers: [this.registry],
  });
  readonly feesPaidGwei = new Counter({
    name: "keeper_fees_paid_gwei_total",
    help: "Fees paid by mined keeper transactions, in gwei",
    labelNames: ["strategy"],
    registers: [this.registry],
  });
  readonly pendingTxs = new Gauge({ name: "keeper_pending_txs", help: "Transactions signed and not yet final", registers: [this.registry] });
  readonly queuedIntents = new Gauge({ name: "keeper_queued_intents", help: "Intents accepted and not yet signed", registers: [this.registry] });
  readonly signerBalanceEth = new Gauge({ name: "keeper_signer_balance_eth", help: "Signer balance in ether", registers: [this.registry] });
  readonly feeDeferred = new Gauge({
    name: "keeper_fee_deferred",
    help: "1 while sending is deferred because the base fee is above the configured cap",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "keeper_supervisor_" });
  }
}
