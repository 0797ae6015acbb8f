// The feeder against a real `npx hardhat node` behind a proxy that drops requests, answers 503 and drops
// responses after forwarding them (sends included): every reading lands exactly once, no batch is sent
// twice. And against an endpoint that never answers: a clear error after the retries.
import { expect } from "chai";
import { FetchRequest, JsonRpcProvider, Network, NonceManager, Wallet, id, parseEther } from "ethers";
import { parseReadingsCsv } from "../../scripts/feeder/csv";
import { feedReadings, readingSignerFor } from "../../scripts/feeder/relay";
import { RpcUnavailableError } from "../../scripts/feeder/retry";
import { startHardhatNode, stopHardhatNode, type HardhatNode } from "../../scripts/lib/hardhat-node";
import { IRegistry__factory } from "../../typechain-types";
import { startFlakyProxy } from "./flakyProxy";
import {
  chainDigests,
  deployMetering,
  expectedDigests,
  feederView,
  populate,
  type FeederWorld,
} from "./fixtures";

const PORT = 19545 + (process.pid % 1000);
// Account 0 of `npx hardhat node` (its well-known test mnemonic); the relayer is funded by it.
const ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const RELAYER_KEY = id("gridtrust-feeder-test:relayer");
const FAST_RETRY = { retries: 12, baseDelayMs: 10, maxDelayMs: 200 };

function providerFor(url: string): JsonRpcProvider {
  const request = new FetchRequest(url);
  request.timeout = 5_000;
  return new JsonRpcProvider(request, Network.from(31337), {
    staticNetwork: Network.from(31337),
    batchMaxCount: 1,
    polling: false,
  });
}

describe("feeder against `npx hardhat node` through a flaky proxy", function () {
  this.timeout(300_000);
  let node: HardhatNode | undefined;
  let direct: JsonRpcProvider;
  let world: FeederWorld;

  before(async function () {
    node = await startHardhatNode(PORT);
    direct = providerFor(node.url);
    // Sends without waiting for receipts: the nonce manager counts instead of asking the node each time.
    const admin = new NonceManager(new Wallet(ADMIN_KEY, direct));
    world = await populate(
      admin,
      await deployMetering(admin),
      async (unix) => {
        await direct.send("evm_setNextBlockTimestamp", [Number(unix)]);
        await direct.send("evm_mine", []);
      },
      24,
      4,
    );
    const funding = await admin.sendTransaction({
      to: new Wallet(RELAYER_KEY).address,
      value: parseEther("100"),
    });
    await funding.wait();
  });

  after(function () {
    direct?.destroy();
    stopHardhatNode(node);
  });

  it("relays every reading exactly once while requests and responses are lost", async function () {
    const proxy = await startFlakyProxy(
      node!.url,
      { dropRequest: 0.08, serverError: 0.08, dropResponse: 0.08 },
      5,
    );
    proxy.dropFirstSendResponses = 2;
    const flaky = providerFor(proxy.url);
    try {
      const rows = parseReadingsCsv(world.csv, world.clock).readings;
      const relayer = new Wallet(RELAYER_KEY, flaky);
      const nonceBefore = await direct.getTransactionCount(relayer.address);
      const logs: string[] = [];

      const summary = await feedReadings(
        {
          meterReadings: feederView(world, flaky),
          registry: IRegistry__factory.connect(await world.registry.getAddress(), flaky),
          relayer,
          signReading: await readingSignerFor(world.meter),
        },
        rows,
        world.keys,
        { gasBudget: 2_000_000n, retry: FAST_RETRY, pollIntervalMs: 20, log: (line) => logs.push(line) },
      );

      expect(summary).to.include({ accepted: rows.length, stopped: false });
      expect(summary.problems).to.deep.equal([]);
      expect(summary.skipped).to.deep.equal([]);
      // Nothing doubled: one transaction per batch, none of them repeating a reading (no ReadingSkipped).
      expect(await direct.getTransactionCount(relayer.address)).to.equal(nonceBefore + summary.transactions);
      expect(await world.meter.queryFilter(world.meter.filters.ReadingSkipped())).to.have.length(0);
      // Nothing lost: every (microgrid, slot) holds the readings of the CSV, in its order.
      const byAccount = new Map(world.participants.map((p) => [p.account, p.microgrid]));
      const expected = expectedDigests(
        rows.map((r) => ({
          participant: r.address,
          slot: r.slot,
          importWh: r.importWh,
          exportWh: r.exportWh,
        })),
        (participant) => byAccount.get(participant)!,
      );
      expect(await chainDigests(world)).to.deep.equal(expected);
      // The proxy did lose traffic, sends included, and the feeder retried.
      const totals = [...proxy.counts.values()].reduce(
        (t, c) => ({
          droppedRequests: t.droppedRequests + c.droppedRequests,
          serverErrors: t.serverErrors + c.serverErrors,
          droppedResponses: t.droppedResponses + c.droppedResponses,
        }),
        { droppedRequests: 0, serverErrors: 0, droppedResponses: 0 },
      );
      expect(totals.droppedRequests).to.be.greaterThan(0);
      expect(totals.serverErrors).to.be.greaterThan(0);
      expect(totals.droppedResponses).to.be.greaterThan(0);
      expect(proxy.counts.get("eth_sendRawTransaction")!.droppedResponses).to.be.at.least(2);
      expect(summary.retries).to.be.greaterThan(0);
      expect(logs.some((line) => /asking the chain whether it arrived/.test(line))).to.equal(true);
    } finally {
      flaky.destroy();
      await proxy.close();
    }
  });

  it("ends with a clear error when the endpoint keeps failing", async function () {
    const proxy = await startFlakyProxy(undefined, { dropRequest: 0, serverError: 1, dropResponse: 0 });
    const dead = providerFor(proxy.url);
    try {
      const rows = parseReadingsCsv(world.csv, world.clock).readings;
      const attempt = feedReadings(
        {
          meterReadings: feederView(world, dead),
          registry: IRegistry__factory.connect(await world.registry.getAddress(), dead),
          relayer: new Wallet(RELAYER_KEY, dead),
          signReading: await readingSignerFor(world.meter),
        },
        rows.slice(0, 3),
        world.keys,
        { retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 } },
      );
      await expect(attempt).to.be.rejectedWith(
        RpcUnavailableError,
        /RPC endpoint unavailable: .* failed 4 times in a row/,
      );
    } finally {
      dead.destroy();
      await proxy.close();
    }
  });
});
