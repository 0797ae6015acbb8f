/**
 * Starting and stopping a `npx hardhat node` child process for tests and benches: in its own process
 * group (so that stopping it by its PID also stops what npx started), resolved once it answers JSON-RPC.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

export interface HardhatNode {
  process: ChildProcess;
  url: string;
}

/** Starts `npx hardhat node` on 127.0.0.1:`port` and waits (up to a minute) until it answers. */
export async function startHardhatNode(port: number): Promise<HardhatNode> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const node = { process: child, url };
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return node;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`hardhat node exited early:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  stopHardhatNode(node);
  throw new Error(`hardhat node did not answer on ${url}:\n${output}`);
}

/** Stops the node's process group by its PID. */
export function stopHardhatNode(node: HardhatNode | undefined): void {
  const pid = node?.process.pid;
  if (pid !== undefined && node!.process.exitCode === null) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}
