/** Serves the demo's in-process network over JSON-RPC on 127.0.0.1 (a free port), so separate processes can use it. */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";

export interface RpcServer {
  url: string;
  close(): Promise<void>;
}

export async function serveNetwork(hre: HardhatRuntimeEnvironment): Promise<RpcServer> {
  const server = await hre.run(TASK_NODE_CREATE_SERVER, { hostname: "127.0.0.1", port: 0, provider: hre.network.provider });
  const { address, port } = await server.listen();
  if (address !== "127.0.0.1") {
    await server.close();
    throw new Error(`the demo's JSON-RPC server bound to ${address}, not 127.0.0.1`);
  }
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
