// The feeder's small parts: the key file, retry with backoff and the progress bar.
import { expect } from "chai";
import { Wallet, id } from "ethers";
import { KeyFileError, MeterKeyRing } from "../../scripts/feeder/keys";
import { ProgressBar, formatDuration } from "../../scripts/feeder/progress";
import {
  RpcUnavailableError,
  backoffDelay,
  isTransient,
  mapPool,
  withRetry,
} from "../../scripts/feeder/retry";

const METER = new Wallet(id("units:meter"));
const OTHER = new Wallet(id("units:other"));
const PARTICIPANT = new Wallet(id("units:participant")).address;

describe("feeder parts", function () {
  describe("MeterKeyRing.fromJson", function () {
    it("reads a map keyed by participant or meter and finds keys by meter address", function () {
      const ring = MeterKeyRing.fromJson(
        JSON.stringify({ [PARTICIPANT]: METER.privateKey, [OTHER.address]: OTHER.privateKey }),
      );
      expect(ring.size).to.equal(2);
      expect(ring.walletOf(METER.address.toLowerCase())!.address).to.equal(METER.address);
      expect(ring.meterClaimedBy(PARTICIPANT)).to.equal(METER.address);
      expect(ring.meterClaimedBy(OTHER.address)).to.equal(undefined);
      expect(ring.missingKeyReason(PARTICIPANT, 9n, OTHER.address)).to.match(
        new RegExp(`no private key for meter ${OTHER.address}.*belongs to meter ${METER.address}`),
      );
    });

    it("reads a list of keys or of { address, privateKey }", function () {
      expect(MeterKeyRing.fromJson(JSON.stringify([METER.privateKey, OTHER.privateKey])).size).to.equal(2);
      const ring = MeterKeyRing.fromJson(
        JSON.stringify([{ address: PARTICIPANT, privateKey: METER.privateKey }]),
      );
      expect(ring.meterClaimedBy(PARTICIPANT)).to.equal(METER.address);
    });

    it("names the bad entry of a bad key file", function () {
      const cases: [string, RegExp][] = [
        ["{", /not JSON/],
        ["42", /expected an object/],
        ["[]", /holds no key/],
        [
          JSON.stringify({ [PARTICIPANT]: "0x12" }),
          new RegExp(`entry ${PARTICIPANT}: the private key is not`),
        ],
        [JSON.stringify({ nope: METER.privateKey }), /entry nope: "nope" is not an address/],
        [JSON.stringify([{ address: PARTICIPANT }]), /entry 0: needs a privateKey string/],
        [JSON.stringify([7]), /entry 0: expected a private key/],
        [JSON.stringify([`0x${"00".repeat(32)}`]), /entry 0: not a valid secp256k1 private key/],
      ];
      for (const [text, message] of cases) {
        expect(() => MeterKeyRing.fromJson(text, "k.json"), text).to.throw(KeyFileError, message);
      }
      expect(() => MeterKeyRing.fromFile("/nonexistent/keys.json")).to.throw(KeyFileError, /cannot be read/);
    });
  });

  describe("withRetry", function () {
    const policy = { retries: 3, baseDelayMs: 1, maxDelayMs: 4 };

    it("retries transient failures and returns the first success", async function () {
      let calls = 0;
      const heard: number[] = [];
      const result = await withRetry(
        "op",
        async () => {
          if (++calls < 3) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
          return "ok";
        },
        policy,
        (_label, attempt) => heard.push(attempt),
      );
      expect([result, calls, heard]).to.deep.equal(["ok", 3, [1, 2]]);
    });

    it("gives up after the retries with RpcUnavailableError naming the operation", async function () {
      let calls = 0;
      const failing = withRetry(
        "getBlockNumber",
        async () => {
          calls++;
          throw new Error("bad response (status=503)");
        },
        policy,
      );
      await expect(failing).to.be.rejectedWith(RpcUnavailableError, /getBlockNumber failed 4 times in a row/);
      expect(calls).to.equal(4);
    });

    it("does not retry a real answer such as a revert", async function () {
      let calls = 0;
      const reverting = withRetry(
        "call",
        async () => {
          calls++;
          throw Object.assign(new Error("execution reverted"), { code: "CALL_EXCEPTION" });
        },
        policy,
      );
      await expect(reverting).to.be.rejectedWith("execution reverted");
      expect(calls).to.equal(1);
    });
  });

  describe("isTransient and backoffDelay", function () {
    it("tells transient failures from answers, also when wrapped", function () {
      expect(isTransient({ code: "TIMEOUT" })).to.equal(true);
      expect(isTransient(new Error("Too Many Requests (429)"))).to.equal(true);
      expect(isTransient({ code: "UNKNOWN_ERROR", error: { message: "fetch failed" } })).to.equal(true);
      expect(isTransient(new Error("insufficient funds"))).to.equal(false);
      expect(isTransient({ code: "CALL_EXCEPTION", message: "timeout" })).to.equal(false);
    });

    it("doubles the delay up to its cap, within ±25 %", function () {
      const policy = { retries: 9, baseDelayMs: 100, maxDelayMs: 1_000 };
      for (const [retry, exact] of [
        [0, 100],
        [2, 400],
        [6, 1_000],
      ]) {
        const delay = backoffDelay(policy, retry);
        expect(delay).to.be.within(exact * 0.75, exact * 1.25);
      }
    });
  });

  describe("mapPool", function () {
    it("keeps the input order and never runs more than its concurrency", async function () {
      let running = 0;
      let most = 0;
      const out = await mapPool([5, 1, 4, 2, 3], 2, async (n) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, n));
        running--;
        return n * 10;
      });
      expect(out).to.deep.equal([50, 10, 40, 20, 30]);
      expect(most).to.equal(2);
    });
  });

  describe("ProgressBar", function () {
    function recorder(isTTY: boolean) {
      const written: string[] = [];
      let now = 0;
      const bar = new ProgressBar(
        "readings",
        { isTTY, columns: 100, write: (c) => written.push(c) > 0 },
        () => now,
      );
      return { bar, written, tick: (ms: number) => (now += ms) };
    }

    it("prints plain lines with rate and ETA when not a TTY", function () {
      const { bar, written, tick } = recorder(false);
      bar.start(100);
      tick(2_000);
      bar.advance(50);
      tick(2_000);
      bar.advance(50);
      bar.finish();
      expect(written).to.deep.equal([
        "readings: 0/100\n",
        "readings: 50/100 (50%) 25.0 readings/s ETA 0:02\n",
        "readings: 100/100 (100%) 25.0 readings/s ETA 0:00\n",
      ]);
    });

    it("redraws one line with a bar on a TTY and ends it with a newline", function () {
      const { bar, written, tick } = recorder(true);
      bar.start(4);
      tick(1_000);
      bar.advance(2);
      bar.finish();
      expect(written[1]).to.match(/^\r\[#+-+\] readings: 2\/4 \(50%\) 2\.0 readings\/s ETA 0:01/);
      expect(written[written.length - 1]).to.equal("\n");
    });

    it("formats durations", function () {
      expect([
        formatDuration(5),
        formatDuration(125),
        formatDuration(3_725),
        formatDuration(Infinity),
      ]).to.deep.equal(["0:05", "2:05", "1:02:05", "--:--"]);
    });
  });
});
