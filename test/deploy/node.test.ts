import { expect } from "chai";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ethers } from "ethers";
import { ROLE_IDS } from "../../deploy/roles";
import type { DeploymentRecord } from "../../deploy/suite";

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");
const PORT = 18545 + (process.pid % 1000);
const RPC_URL = `http://127.0.0.1:${PORT}`;

/** Starts `npx hardhat node` in its own process group and resolves once it answers. */
async function startNode(): Promise<ChildProcess> {
  const node = spawn("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(PORT)], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
  });
  let output = "";
  node.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  node.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const response = await fetch(RPC_URL, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return node;
    } catch {
      // not listening yet
    }
    if (node.exitCode !== null) throw new Error(`hardhat node exited early:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  stopNode(node);
  throw new Error(`hardhat node did not answer on ${RPC_URL}:\n${output}`);
}

/** Stops the node's whole process group by its PID. */
function stopNode(node: ChildProcess): void {
  if (node.pid !== undefined && node.exitCode === null) {
    try {
      process.kill(-node.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

describe("deploySuite against a real `npx hardhat node`", function () {
  this.timeout(300_000);
  let node: ChildProcess;
  let recordsDir: string;
  const deploymentId = `ci-node-test-${process.pid}`;

  async function runDeploy(): Promise<DeploymentRecord> {
    await execFileAsync(
      "npx",
      ["hardhat", "gridtrust:deploy", "--network", "localhost", "--deployment-id", deploymentId],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          LOCALHOST_RPC_URL: RPC_URL,
          GRIDTRUST_RECORDS_DIR: recordsDir,
          HARDHAT_DISABLE_TELEMETRY_PROMPT: "true",
        },
      },
    );
    return JSON.parse(fs.readFileSync(path.join(recordsDir, "localhost.json"), "utf8")) as DeploymentRecord;
  }

  before(async function () {
    recordsDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridtrust-records-"));
    node = await startNode();
  });

  after(function () {
    stopNode(node);
    fs.rmSync(recordsDir, { recursive: true, force: true });
    fs.rmSync(path.join(ROOT, "ignition", "deployments", deploymentId), { recursive: true, force: true });
  });

  it("deploys once, records the addresses, and a second run changes nothing", async function () {
    const provider = new ethers.JsonRpcProvider(RPC_URL, undefined, { staticNetwork: true });
    try {
      const first = await runDeploy();
      expect(first.chainId).to.equal(31337);
      for (const address of Object.values(first.contracts))
        expect(await provider.getCode(address)).to.not.equal("0x");
      const deployer = first.config.deployer;
      const blockAfterFirst = await provider.getBlockNumber();
      const nonceAfterFirst = await provider.getTransactionCount(deployer);

      const second = await runDeploy();
      expect(second).to.deep.equal(first);
      expect(await provider.getBlockNumber()).to.equal(blockAfterFirst);
      expect(await provider.getTransactionCount(deployer)).to.equal(nonceAfterFirst);

      const accessControl = new ethers.Interface(["function hasRole(bytes32,address) view returns (bool)"]);
      const coin = new ethers.Contract(first.contracts.TrustCoin, accessControl, provider);
      const registry = new ethers.Contract(first.contracts.Registry, accessControl, provider);
      expect(await coin.hasRole(ROLE_IDS.ISSUER_ROLE, first.config.issuer)).to.equal(true);
      expect(await registry.hasRole(ROLE_IDS.REGISTRAR_ROLE, first.config.registrar)).to.equal(true);
    } finally {
      provider.destroy();
    }
  });
});
