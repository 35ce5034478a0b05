/**
 * The health and metrics HTTP server. It binds 127.0.0.1 only (never a wildcard address): put a reverse proxy or
 * an agent in front of it to export further. Port 0 picks a free port; the chosen port is returned.
 *
 * - `GET /health`  JSON report, 200 when every signal is ok, 503 otherwise.
 * - `GET /metrics` Prometheus text format.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "./logger";

export const HEALTH_HOST = "127.0.0.1";

export type HealthStatus = "ok" | "degraded" | "down";

/** One signal of the health report. */
export interface HealthSignal {
  ok: boolean;
  [field: string]: unknown;
}

export interface HealthReport {
  status: HealthStatus;
  chainId: number;
  uptimeSeconds: number;
  signals: Record<string, HealthSignal | Record<string, HealthSignal>>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: {
  port: number;
  report: () => HealthReport;
  registry: Registry;
  logger: Logger;
}): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (url === "/health") {
      let body: HealthReport;
      try {
        body = options.report();
      } catch (err) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ status: "down", error: String(err) }));
        return;
      }
      res.writeHead(body.status === "ok" ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
      return;
    }
    if (url === "/metrics") {
      options.registry
        .metrics()
        .then((text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text))
        .catch((err) => res.writeHead(500).end(String(err)));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found", routes: ["/health", "/metrics"] }));
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, HEALTH_HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info("health server listening", { url: `http://${HEALTH_HOST}:${port}`, routes: ["/health", "/metrics"] });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
