// The consensus Hardhat tasks of scripts/tasks/consensus.ts (and validator:sync-rank), run in-process with --at
// against the real Committees, MeterReadings and TradeBlocks of the agent fixture.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import {
  blocksDomain,
  evidenceToJson,
  signProposal,
  type EquivocationEvidence,
} from "../../scripts/lib/blocks";
import type { CommitteeView, ScheduleView } from "../../scripts/tasks/consensus";
import { runTaskQuietly } from "../shared/tasks";
import {
  EPOCH_SLOTS,
  SLOT_LENGTH,
  deployAgentSuite,
  proposerAt,
  type AgentSuite,
} from "../validator/fixtures";

async function suite() {
  const f = await deployAgentSuite();
  return { ...f, at: await f.blocks.getAddress() };
}

/** The fixture with round 0 of (1, slot) proposed by its proposer, excluding p2. */
async function proposedSuite() {
  const f = await suite();
  const proposer = proposerAt(f.order, 1n, f.slot, 0n);
  await runTaskQuietly("validator:propose", {
    microgrid: "1",
    slot: String(f.slot),
    exclude: f.p2.address,
    from: proposer.address,
    at: f.at,
  });
  return { ...f, proposer, attesters: f.order.filter((v) => v !== proposer) };
}

/** Writes `evidence` to a fresh temporary file and returns its path. */
function evidenceFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridtrust-evidence-"));
  const file = path.join(dir, "evidence.json");
  fs.writeFileSync(file, content);
  return file;
}

/** Two proposals of round 0 of (1, slot) signed by `signer`, with the given exclusions. */
async function twoProposals(f: AgentSuite, signer: AgentSuite["p1"], a: string[], b: string[]) {
  const [digest, count] = await f.meter.readingDigest(1, f.slot);
  const ref = { microgrid: 1n, slot: f.slot, round: 0n };
  const domain = await blocksDomain(f.blocks);
  const sign = async (exclusions: string[]) => {
    const body = { digest, count, exclusions };
    return { body, signature: await signProposal(signer, domain, ref, body) };
  };
  const evidence: EquivocationEvidence = {
    ...ref,
    proposer: signer.address,
    a: await sign(a),
    b: await sign(b),
  };
  return evidence;
}

describe("consensus tasks", function () {
  describe("validator:committee", function () {
    it("lists a drawn committee in proposer order, and says when one is not selected yet", async function () {
      const f = await loadFixture(suite);
      const { result, printed } = await runTaskQuietly("validator:committee", { epoch: "0", at: f.at });
      const view = result as CommitteeView;
      expect(view.members).to.deep.equal(f.order.map((v) => v.address));
      expect(view).to.deep.include({ epoch: 0n, selected: true, shuffled: true });
      expect(printed).to.contain("selected and shuffled: 5 members").and.contain("score 3.0");
      const { printed: next } = await runTaskQuietly("validator:committee", { epoch: "1", at: f.at });
      expect(next).to.contain(`not selected yet: selectable from slot ${EPOCH_SLOTS / 2n} on`);
    });

    it("refuses an epoch that is not a number", async function () {
      const f = await loadFixture(suite);
      await expect(runTaskQuietly("validator:committee", { epoch: "first", at: f.at })).to.be.rejectedWith(
        /--epoch: "first" is not a whole non-negative number/,
      );
    });
  });

  describe("validator:schedule", function () {
    it("lists the round-0 proposals of a member by the proposer formula and its attesting epochs", async function () {
      const f = await loadFixture(suite);
      const validator = f.order[2];
      const { result, printed } = await runTaskQuietly("validator:schedule", {
        validator: validator.address,
        fromSlot: "0",
        slots: "15",
        at: f.at,
      });
      const view = result as ScheduleView;
      const expected = [];
      for (let slot = 0n; slot < EPOCH_SLOTS; ++slot)
        for (const microgrid of [1n, 2n])
          if (proposerAt(f.order, microgrid, slot, 0n) === validator)
            expected.push({ microgrid, slot, round: 0n });
      expect(view.proposals).to.deep.equal(expected);
      expect(view.proposals).to.have.length(4); // 10 slots × 2 microgrids over 5 members
      expect(view.attestEpochs).to.deep.equal([0n]);
      expect(view.unselectedEpochs).to.deep.equal([1n]);
      expect(printed)
        .to.contain("attests in epochs: 0")
        .and.contain("committee not selected yet in epochs 1");
      const { result: one } = await runTaskQuietly("validator:schedule", {
        validator: validator.address,
        fromSlot: "0",
        slots: "10",
        microgrids: "2",
        at: f.at,
      });
      expect((one as ScheduleView).proposals).to.deep.equal(expected.filter((p) => p.microgrid === 2n));
    });

    it("refuses no slots, a bad address and an unknown microgrid", async function () {
      const f = await loadFixture(suite);
      const base = { validator: f.order[0].address, fromSlot: "0", slots: "10", at: f.at };
      await expect(runTaskQuietly("validator:schedule", { ...base, slots: "0" })).to.be.rejectedWith(
        /--slots: must be positive/,
      );
      await expect(runTaskQuietly("validator:schedule", { ...base, slots: "10001" })).to.be.rejectedWith(
        /--slots: 10001 exceeds the maximum 10000/,
      );
      await expect(runTaskQuietly("validator:schedule", { ...base, validator: "0x12" })).to.be.rejectedWith(
        /--validator: "0x12" is not an address/,
      );
      await expect(runTaskQuietly("validator:schedule", { ...base, microgrids: "1,9" })).to.be.rejectedWith(
        /--microgrids: microgrid 9 is not registered/,
      );
    });
  });

  describe("validator:propose", function () {
    it("signs the meter's digest and count with the exclusions sorted and submits the proposal", async function () {
      const f = await loadFixture(suite);
      const proposer = proposerAt(f.order, 1n, f.slot, 0n);
      const excluded = [f.p2.address, f.p1.address];
      const { printed } = await runTaskQuietly("validator:propose", {
        microgrid: "1",
        slot: String(f.slot),
        exclude: excluded.join(","),
        from: proposer.address,
        at: f.at,
      });
      expect(printed).to.contain("propose: tx").and.contain("3 readings, 2 excluded; open to attestations");
      const sorted = [...excluded].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      expect(await f.blocks.exclusionsOf(1, f.slot, 0)).to.deep.equal(sorted);
      const state = await f.blocks.blockState(1, f.slot);
      expect(state.proposedAt).to.not.equal(0n);
      expect(state.accepts).to.equal(1n);
    });

    it("refuses a non-proposer, a bad exclusion, a second proposal and a slot that is not proposable", async function () {
      const f = await loadFixture(suite);
      const proposer = proposerAt(f.order, 1n, f.slot, 0n);
      const other = f.order.find((v) => v !== proposer)!;
      const base = { microgrid: "1", slot: String(f.slot), from: proposer.address, at: f.at };
      await expect(runTaskQuietly("validator:propose", { ...base, from: other.address })).to.be.rejectedWith(
        new RegExp(
          `${other.address} is not the proposer of round 0 of \\(1, ${f.slot}\\): ${proposer.address} is`,
        ),
      );
      await expect(
        runTaskQuietly("validator:propose", { ...base, exclude: f.validators[0].address }),
      ).to.be.rejectedWith(/--exclude: .* has no accepted reading in \(1, /);
      await expect(
        runTaskQuietly("validator:propose", { ...base, exclude: f.p3.address }),
      ).to.be.rejectedWith(/--exclude: .* has no accepted reading in \(1, /);
      await expect(
        runTaskQuietly("validator:propose", {
          ...base,
          exclude: `${f.p2.address},${f.p2.address.toLowerCase()}`,
        }),
      ).to.be.rejectedWith(/--exclude: names a participant twice/);
      await expect(runTaskQuietly("validator:propose", { ...base, exclude: "0xdead" })).to.be.rejectedWith(
        /--exclude: "0xdead" is not an address/,
      );
      await expect(runTaskQuietly("validator:propose", { ...base, microgrid: "9" })).to.be.rejectedWith(
        /--microgrid: microgrid 9 is not registered/,
      );
      await expect(
        runTaskQuietly("validator:propose", { ...base, slot: String(f.slot + 1n) }),
      ).to.be.rejectedWith(/is not proposable yet/);
      await runTaskQuietly("validator:propose", base);
      await expect(runTaskQuietly("validator:propose", base)).to.be.rejectedWith(/has a proposal already/);
      expect(await f.blocks.exclusionsOf(1, f.slot, 0)).to.deep.equal([]);
    });

    it("refuses once the finality deadline has passed", async function () {
      const f = await loadFixture(suite);
      const proposer = proposerAt(f.order, 1n, f.slot, 0n);
      await time.increaseTo(f.proposableAt + 4n * SLOT_LENGTH);
      await expect(
        runTaskQuietly("validator:propose", {
          microgrid: "1",
          slot: String(f.slot),
          from: proposer.address,
          at: f.at,
        }),
      ).to.be.rejectedWith(/no round of .* is open: its finality deadline has passed/);
    });
  });

  describe("validator:attest", function () {
    it("records accepts until the block is final at four of five", async function () {
      const f = await loadFixture(proposedSuite);
      const base = { microgrid: "1", slot: String(f.slot), round: "0", accept: true, at: f.at };
      const outcomes = [];
      for (const attester of f.attesters.slice(0, 3)) {
        const { printed } = await runTaskQuietly("validator:attest", { ...base, from: attester.address });
        outcomes.push(printed.split("; ").pop());
      }
      expect(outcomes).to.deep.equal([
        "open: 2 of 5 accept, 0 reject",
        "open: 3 of 5 accept, 0 reject",
        "final",
      ]);
      expect((await f.blocks.blockState(1, f.slot)).status).to.equal(2n);
      expect((await f.meter.meterRecord(f.p2.address, f.slot)).excluded).to.equal(true);
      await expect(
        runTaskQuietly("validator:attest", { ...base, from: f.attesters[3].address }),
      ).to.be.rejectedWith(/is final already/);
    });

    it("rejects, and two rejects of five open the next round", async function () {
      const f = await loadFixture(proposedSuite);
      const base = { microgrid: "1", slot: String(f.slot), round: "0", reject: true, at: f.at };
      await runTaskQuietly("validator:attest", { ...base, from: f.attesters[0].address });
      const { printed } = await runTaskQuietly("validator:attest", { ...base, from: f.attesters[1].address });
      expect(printed).to.contain("rejected round 0").and.contain("rejected: the next round is open");
      expect((await f.blocks.blockState(1, f.slot)).round).to.equal(1n);
    });

    it("refuses no or both flags, a wrong round, a non-member, the proposer and a second vote", async function () {
      const f = await loadFixture(proposedSuite);
      const base = {
        microgrid: "1",
        slot: String(f.slot),
        round: "0",
        from: f.attesters[0].address,
        at: f.at,
      };
      await expect(runTaskQuietly("validator:attest", base)).to.be.rejectedWith(
        /--accept: give exactly one of --accept and --reject/,
      );
      await expect(
        runTaskQuietly("validator:attest", { ...base, accept: true, reject: true }),
      ).to.be.rejectedWith(/--accept: give exactly one/);
      const accept = { ...base, accept: true };
      await expect(runTaskQuietly("validator:attest", { ...accept, round: "1" })).to.be.rejectedWith(
        /--round: 1 is not the current round 0/,
      );
      await expect(
        runTaskQuietly("validator:attest", { ...accept, from: f.stranger.address }),
      ).to.be.rejectedWith(/is not a member of the committee of slot/);
      await expect(
        runTaskQuietly("validator:attest", { ...accept, from: f.proposer.address }),
      ).to.be.rejectedWith(/proposed round 0: its proposal is its accept/);
      await runTaskQuietly("validator:attest", accept);
      await expect(runTaskQuietly("validator:attest", accept)).to.be.rejectedWith(/voted in round 0 already/);
    });

    it("refuses a round without a proposal", async function () {
      const f = await loadFixture(suite);
      await expect(
        runTaskQuietly("validator:attest", {
          microgrid: "2",
          slot: String(f.slot),
          round: "0",
          accept: true,
          from: f.order[0].address,
          at: f.at,
        }),
      ).to.be.rejectedWith(/round 0 of \(2, .*\) has no proposal to attest yet/);
    });
  });

  describe("validator:evidence", function () {
    it("ejects a proposer that signed two different proposals for one round", async function () {
      const f = await loadFixture(suite);
      const cheat = proposerAt(f.order, 1n, f.slot, 0n);
      const evidence = await twoProposals(f, cheat, [], [f.p2.address]);
      const file = evidenceFile(evidenceToJson(evidence));
      const { printed } = await runTaskQuietly("validator:evidence", { file, at: f.at });
      expect(printed).to.contain("submitEquivocation: tx").and.contain(`${cheat.address} ejected; weight`);
      expect((await f.vr.validator(cheat.address)).ejected).to.equal(true);
      await expect(runTaskQuietly("validator:evidence", { file, at: f.at })).to.be.rejectedWith(
        /was ejected already/,
      );
    });

    it("refuses a missing or malformed file, identical proposals and another signer's proposals", async function () {
      const f = await loadFixture(suite);
      const cheat = proposerAt(f.order, 1n, f.slot, 0n);
      const other = f.order.find((v) => v !== cheat)!;
      await expect(
        runTaskQuietly("validator:evidence", { file: "/nonexistent/evidence.json", at: f.at }),
      ).to.be.rejectedWith(/--file: no such file/);
      await expect(
        runTaskQuietly("validator:evidence", { file: evidenceFile("{not json"), at: f.at }),
      ).to.be.rejectedWith(/--file: evidence file: is not JSON/);
      const same = evidenceToJson(await twoProposals(f, cheat, [], []));
      await expect(
        runTaskQuietly("validator:evidence", { file: evidenceFile(same), at: f.at }),
      ).to.be.rejectedWith(/--file: the two proposals are the same .*: no equivocation/);
      const framed = evidenceToJson(await twoProposals(f, other, [], [f.p2.address]));
      await expect(
        runTaskQuietly("validator:evidence", { file: evidenceFile(framed), at: f.at }),
      ).to.be.rejectedWith(
        new RegExp(`--file: proposal a is signed by ${other.address}, not by ${cheat.address}`),
      );
      const broken = JSON.parse(same) as { a: { signature: string } };
      broken.a.signature = "0x1234";
      await expect(
        runTaskQuietly("validator:evidence", { file: evidenceFile(JSON.stringify(broken)), at: f.at }),
      ).to.be.rejectedWith(/--file: evidence a.signature: must be 0x \+ 130 hex digits/);
      expect((await f.vr.validator(cheat.address)).ejected).to.equal(false);
    });
  });

  describe("validator:finalize-default", function () {
    it("refuses before the deadline and finalizes by default after it", async function () {
      const f = await loadFixture(suite);
      const args = { microgrid: "2", slot: String(f.slot), at: f.at };
      const deadlineAt = f.proposableAt + 4n * SLOT_LENGTH;
      await expect(runTaskQuietly("validator:finalize-default", args)).to.be.rejectedWith(
        new RegExp(`default finality of \\(2, ${f.slot}\\) is due at ${deadlineAt}`),
      );
      await time.increaseTo(deadlineAt - 1n);
      const { printed } = await runTaskQuietly("validator:finalize-default", args);
      expect(printed).to.contain("finalizeByDefault: tx").and.contain("final by default");
      expect((await f.blocks.blockState(2, f.slot)).status).to.equal(3n);
      await expect(runTaskQuietly("validator:finalize-default", args)).to.be.rejectedWith(/is final already/);
    });

    it("refuses a slot that is not proposable", async function () {
      const f = await loadFixture(suite);
      await expect(
        runTaskQuietly("validator:finalize-default", { microgrid: "1", slot: String(f.slot + 1n), at: f.at }),
      ).to.be.rejectedWith(/is not proposable yet/);
    });
  });

  describe("validator:sync-rank", function () {
    it("re-positions a validator at its lowered score with hints, and sends nothing when in sync", async function () {
      const f = await loadFixture(suite);
      const at = await f.vr.getAddress();
      const validator = f.validators[4]; // the heaviest: head of the ranking
      await f.oracle.grantRole(ethers.id("VALIDATOR_SCORER_ROLE"), f.admin.address);
      await f.oracle.penalise(validator.address, 5n * 10n ** 17n);
      const { printed } = await runTaskQuietly("validator:sync-rank", { validator: validator.address, at });
      expect(printed).to.contain("syncRankScore: tx").and.contain("rank score 3.0 -> 2.5");
      expect(await f.vr.rankScore(validator.address)).to.equal(25n * 10n ** 17n);
      expect(await f.vr.head()).to.equal(validator.address);
      const { printed: again } = await runTaskQuietly("validator:sync-rank", {
        validator: validator.address,
        at,
      });
      expect(again).to.contain("nothing to send");
      await expect(
        runTaskQuietly("validator:sync-rank", { validator: f.stranger.address, at }),
      ).to.be.rejectedWith(/is not ranked/);
    });
  });
});
