// Off-chain pieces of the validator agent without a chain: the default plausibility check and its night hint,
// the exclusion order TradeBlocks requires, the evidence JSON and pool, and run-agent's settings.
import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";

import {
  EvidenceFormatError,
  evidenceFromJson,
  evidenceToJson,
  sameExclusions,
  sortAddresses,
  type EquivocationEvidence,
} from "../../scripts/lib/blocks";
import { noActions } from "../../scripts/validator/agent";
import { EvidencePool } from "../../scripts/validator/evidence";
import { defaultPlausibility, nightByClock, type SlotReading } from "../../scripts/validator/plausibility";
import { describeActions, parseAgentEnv } from "../../scripts/validator/run-agent";

const A = ethers.getAddress("0x00000000000000000000000000000000000000aa");
const B = ethers.getAddress("0x0000000000000000000000000000000000000bb0");
const C = ethers.getAddress("0xc000000000000000000000000000000000000000");

function reading(participant: string, importWh: bigint, exportWh: bigint, substitute = false): SlotReading {
  return { participant, importWh, exportWh, substitute, maxImportWh: 5_000n, maxExportWh: 3_000n };
}

const SEED = 20_250_601;

describe("validator agent, off-chain parts", function () {
  describe("defaultPlausibility", function () {
    it("excludes a night-time export above 0.98 of the export capacity and nothing by day", async function () {
      const check = defaultPlausibility({ isNight: (slot) => slot === 7n });
      const readings = [reading(A, 0n, 2_941n), reading(B, 0n, 2_940n), reading(C, 100n, 0n)];
      expect(await check({ microgrid: 1n, slot: 7n, readings })).to.deep.equal([A]);
      expect(await check({ microgrid: 1n, slot: 8n, readings })).to.deep.equal([]);
    });

    it("takes its share and judges substitutes only when told", async function () {
      const readings = [reading(A, 0n, 1_600n, true), reading(B, 0n, 1_400n)];
      const night = () => true;
      expect(
        await defaultPlausibility({ isNight: night, nightExportShare: 0.5 })({
          microgrid: 1n,
          slot: 1n,
          readings,
        }),
      ).to.deep.equal([]);
      expect(
        await defaultPlausibility({ isNight: night, nightExportShare: 0.5, judgeSubstitutes: true })({
          microgrid: 1n,
          slot: 1n,
          readings,
        }),
      ).to.deep.equal([A]);
    });

    it("excludes a net export further than the tolerance from the traded position, when that rule is on", async function () {
      const readings = [reading(A, 0n, 900n), reading(B, 800n, 0n), reading(C, 0n, 0n)];
      const positions = new Map([
        [A, 800n],
        [B, -200n],
        [C, 0n],
      ]);
      const ctx = { microgrid: 1n, slot: 1n, readings, positions };
      expect(await defaultPlausibility({ positionToleranceWh: 100n })(ctx)).to.deep.equal([B]);
      expect(await defaultPlausibility({ positionToleranceWh: 99n })(ctx)).to.deep.equal([A, B]);
      expect(await defaultPlausibility()(ctx)).to.deep.equal([]);
    });

    it("refuses a share outside [0, 1] and a negative tolerance", function () {
      expect(() => defaultPlausibility({ nightExportShare: 1.5 })).to.throw(RangeError, /nightExportShare/);
      expect(() => defaultPlausibility({ positionToleranceWh: -1n })).to.throw(
        RangeError,
        /positionToleranceWh/,
      );
    });
  });

  describe("nightByClock", function () {
    it("calls slots starting 21:00–05:00 local time night", function () {
      // genesis at midnight UTC, hourly slots: slot h starts at h:00 UTC.
      const isNight = nightByClock({ genesis: 86_400n * 20_000n, slotLength: 3_600n });
      const nights = Array.from({ length: 24 }, (_, h) => isNight(BigInt(h)));
      expect(nights.map((n, h) => (n ? h : -1)).filter((h) => h >= 0)).to.deep.equal([
        0, 1, 2, 3, 4, 21, 22, 23,
      ]);
      const berlinSummer = nightByClock({
        genesis: 86_400n * 20_000n,
        slotLength: 3_600n,
        utcOffsetSec: 7_200,
      });
      expect(berlinSummer(19n)).to.equal(true); // 21:00 local
      expect(berlinSummer(3n)).to.equal(false); // 05:00 local
    });
  });

  describe("sortAddresses", function () {
    it("orders addresses strictly increasing as numbers, dropping duplicates whatever their case", function () {
      fc.assert(
        fc.property(
          fc.array(fc.bigInt({ min: 0n, max: 2n ** 160n - 1n }), { maxLength: 20 }),
          fc.boolean(),
          (values, lower) => {
            const addresses = values.map((v) => ethers.getAddress(ethers.toBeHex(v, 20)));
            const given = lower ? addresses.map((a) => a.toLowerCase()) : addresses;
            const sorted = sortAddresses([...given, ...given.slice(0, 3)]);
            for (let i = 1; i < sorted.length; ++i)
              expect(BigInt(sorted[i])).to.be.greaterThan(BigInt(sorted[i - 1]));
            expect(new Set(sorted)).to.deep.equal(new Set(addresses));
            expect(sameExclusions(sorted, sortAddresses([...given].reverse()))).to.equal(true);
          },
        ),
        { seed: SEED, numRuns: 200 },
      );
    });

    it("tells different exclusion lists apart", function () {
      expect(sameExclusions([A, B], [A.toLowerCase(), B])).to.equal(true);
      expect(sameExclusions([A, B], [B, A])).to.equal(false);
      expect(sameExclusions([A], [A, B])).to.equal(false);
    });
  });

  describe("equivocation evidence", function () {
    const signature = `0x${"11".repeat(65)}`;
    const evidence: EquivocationEvidence = {
      microgrid: 3n,
      slot: 2n ** 40n,
      round: 1n,
      proposer: C,
      a: { body: { digest: ethers.id("a"), count: 4n, exclusions: [] }, signature },
      b: { body: { digest: ethers.id("a"), count: 4n, exclusions: [A] }, signature },
    };

    it("round-trips through its JSON form", function () {
      expect(evidenceFromJson(evidenceToJson(evidence))).to.deep.equal({
        ...evidence,
        a: { ...evidence.a, body: { ...evidence.a.body } },
        b: { ...evidence.b, body: { ...evidence.b.body } },
      });
    });

    it("names the field at fault in malformed evidence", function () {
      const json = JSON.parse(evidenceToJson(evidence)) as Record<string, unknown>;
      const broken = (patch: Record<string, unknown>) => () =>
        evidenceFromJson(JSON.stringify({ ...json, ...patch }));
      expect(() => evidenceFromJson("[]")).to.throw(
        EvidenceFormatError,
        /evidence file: must hold one JSON object/,
      );
      expect(broken({ slot: "-1" })).to.throw(EvidenceFormatError, /evidence slot: must be a whole/);
      expect(broken({ round: String(2n ** 32n) })).to.throw(
        EvidenceFormatError,
        /evidence round: .* exceeds/,
      );
      expect(broken({ proposer: "0x1" })).to.throw(
        EvidenceFormatError,
        /evidence proposer: is not an address/,
      );
      expect(broken({ b: { ...(json.b as object), exclusions: ["x"] } })).to.throw(
        EvidenceFormatError,
        /evidence b.exclusions\[0\]: is not an address/,
      );
      expect(broken({ a: { ...(json.a as object), digest: "0x12" } })).to.throw(
        EvidenceFormatError,
        /evidence a.digest: must be 0x \+ 64 hex digits/,
      );
      expect(broken({ a: null })).to.throw(EvidenceFormatError, /evidence a: must be an object/);
    });
  });

  describe("EvidencePool", function () {
    it("hands out each proposer's equivocation per round once until resolved, and never again after", function () {
      const pool = new EvidencePool();
      const e = (round: bigint, proposer = A) =>
        ({ microgrid: 1n, slot: 5n, round, proposer }) as unknown as EquivocationEvidence;
      pool.publish(e(0n));
      pool.publish(e(0n, A.toLowerCase()));
      pool.publish(e(1n));
      expect(pool.pending().map((x) => x.round)).to.deep.equal([0n, 1n]);
      pool.resolve(e(0n));
      pool.publish(e(0n));
      expect(pool.pending().map((x) => x.round)).to.deep.equal([1n]);
      expect(pool.size).to.equal(2);
    });
  });

  describe("run-agent settings", function () {
    const key = `0x${"ab".repeat(32)}`;

    it("reads the defaults and every variable", function () {
      expect(parseAgentEnv({ VALIDATOR_KEY: key })).to.deep.equal({
        key,
        pollMs: 5_000,
        tradeBlocks: undefined,
        lookbackSlots: 8n,
        behaviour: "honest",
        positionToleranceWh: undefined,
        utcOffsetSec: 0,
        voteMode: "tx",
      });
      expect(
        parseAgentEnv({
          VALIDATOR_KEY: key,
          POLL_MS: "250",
          TRADE_BLOCKS: C,
          LOOKBACK_SLOTS: "12",
          BEHAVIOUR: "withhold",
          POSITION_TOLERANCE_WH: "500",
          UTC_OFFSET_SEC: "-3600",
          VOTE_MODE: "batch",
        }),
      ).to.deep.include({
        pollMs: 250,
        tradeBlocks: C,
        lookbackSlots: 12n,
        behaviour: "withhold",
        positionToleranceWh: 500n,
        utcOffsetSec: -3_600,
        voteMode: "batch",
      });
    });

    it("refuses a missing or malformed key and out-of-range values, naming the variable", function () {
      expect(() => parseAgentEnv({})).to.throw(/VALIDATOR_KEY: required/);
      expect(() => parseAgentEnv({ VALIDATOR_KEY: "0x12" })).to.throw(/VALIDATOR_KEY: must be 0x \+ 64 hex/);
      expect(() => parseAgentEnv({ VALIDATOR_KEY: key, POLL_MS: "10" })).to.throw(
        /POLL_MS: 10 is not within/,
      );
      expect(() => parseAgentEnv({ VALIDATOR_KEY: key, POLL_MS: "1s" })).to.throw(
        /POLL_MS: "1s" is not a whole/,
      );
      expect(() => parseAgentEnv({ VALIDATOR_KEY: key, LOOKBACK_SLOTS: "0" })).to.throw(/LOOKBACK_SLOTS/);
      expect(() => parseAgentEnv({ VALIDATOR_KEY: key, BEHAVIOUR: "evil" })).to.throw(
        /BEHAVIOUR: "evil" is not one of/,
      );
      expect(() => parseAgentEnv({ VALIDATOR_KEY: key, VOTE_MODE: "gossip" })).to.throw(
        /VOTE_MODE: "gossip" is not one of/,
      );
    });

    it("logs a pass that did something and stays quiet otherwise", function () {
      expect(describeActions(noActions())).to.equal(undefined);
      const actions = noActions();
      actions.attested.push({ microgrid: 1n, slot: 4n, round: 0n, accept: false });
      actions.batchesSubmitted.push({ microgrid: 1n, slot: 4n, round: 0n, votes: 3 });
      actions.accountedMissing.push({ microgrid: 2n, slot: 4n, accounts: [C] });
      actions.failed.push({ action: "propose", reason: "AlreadyProposed(0)" });
      expect(describeActions(actions)).to.equal(
        "rejected (1, 4) round 0; relayed 3 votes on (1, 4) round 0; accounted 1 missing in (2, 4); " +
          "FAILED propose: AlreadyProposed(0)",
      );
    });
  });
});
