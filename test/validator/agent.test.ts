// The validator agent of scripts/validator/agent.ts driving the real Committees, MeterReadings and TradeBlocks:
// honest agents to finality, a withholding proposer, an equivocating one, and an offline third.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import type { AgentActions, Behaviour } from "../../scripts/validator/agent";
import { ValidatorAgent } from "../../scripts/validator/agent";
import { defaultPlausibility } from "../../scripts/validator/plausibility";
import { agentsFor, deployAgentSuite, proposerAt, runAgents, type AgentSuite } from "./fixtures";

const FINAL = 2n;
const FINAL_BY_DEFAULT = 3n;
const MICROGRIDS = [1n, 2n];

/** Whether every microgrid of the fixture's slot has status `status`. */
function allAt(f: AgentSuite, status: bigint) {
  return async () => {
    for (const m of MICROGRIDS) if ((await f.blocks.blockState(m, f.slot)).status !== status) return false;
    return true;
  };
}

/** Every action of one kind, over all steps of all agents. */
function all<K extends keyof AgentActions>(log: AgentActions[][], kind: K): AgentActions[K][number][] {
  return log.flat().flatMap((a) => a[kind] as AgentActions[K][number][]);
}

describe("ValidatorAgent", function () {
  describe("step", function () {
    it("five honest agents select the next committee and finalize both microgrid-slots in round 0, excluding the night-time export", async function () {
      const f = await loadFixture(deployAgentSuite);
      const agents = agentsFor(f);
      const log = await runAgents(agents, allAt(f, FINAL));

      expect(all(log, "committees")).to.deep.include({ epoch: 1n, call: "selectNextCommittee" });
      expect((await f.committees.committeeInfo(1)).selected).to.equal(true);
      for (const m of MICROGRIDS) {
        const [finalized] = await f.blocks.queryFilter(f.blocks.filters.BlockFinalized(m, f.slot));
        expect(finalized.args.round).to.equal(0n);
        expect(finalized.args.proposer).to.equal(proposerAt(f.order, m, f.slot, 0n).address);
        const attested = await f.blocks.queryFilter(f.blocks.filters.Attested(m, f.slot));
        expect(attested.every((e) => e.args.accept)).to.equal(true);
        expect(attested.length).to.be.at.least(3); // ⌈2·5/3⌉ = 4 accepts with the proposer's
      }
      expect(await f.blocks.exclusionsOf(1, f.slot, 0)).to.deep.equal([f.p2.address]);
      expect(await f.blocks.exclusionsOf(2, f.slot, 0)).to.deep.equal([]);
      const record = await f.meter.meterRecord(f.p2.address, f.slot);
      expect(record.excluded).to.equal(true);
      expect(all(log, "failed")).to.deep.equal([]);
    });

    it("an agent whose check disagrees rejects, is penalised with the dissenters and re-syncs its rank", async function () {
      const f = await loadFixture(deployAgentSuite);
      const proposers = MICROGRIDS.map((m) => proposerAt(f.order, m, f.slot, 0n));
      const dissenter = f.order.find((v) => !proposers.includes(v))!;
      const shared = agentsFor(f);
      const agents = shared.map((agent, i) =>
        f.validators[i] === dissenter
          ? new ValidatorAgent({
              signer: dissenter,
              contracts: {
                blocks: f.blocks,
                committees: f.committees,
                meter: f.meter,
                registry: f.registry,
                validators: f.vr,
                oracle: f.oracle,
              },
              plausibility: defaultPlausibility(), // no night hint: finds p2's export plausible
              votePool: shared[0].votePool,
            })
          : agent,
      );
      const before = await f.oracle.validatorScore(dissenter.address);
      const log = await runAgents(agents, allAt(f, FINAL));
      // One more pass: the agents see the score changes of the last finality.
      for (const [i, agent] of agents.entries()) log[i].push(await agent.step());

      const dissenterLog = log[f.validators.indexOf(dissenter)];
      expect(all([dissenterLog], "attested")).to.deep.include({
        microgrid: 1n,
        slot: f.slot,
        round: 0n,
        accept: false,
      });
      // Penalised once per round end that names it: for rejecting (1, s), and for any block final before its
      // vote (agents step one after another, and finality at 4 of 5 does not wait for the fifth).
      const changes = await f.blocks.queryFilter(f.blocks.filters.ValidatorScoresChanged());
      const penalties = changes.filter((e) => e.args.validators.includes(dissenter.address)).length;
      expect(penalties).to.be.at.least(1);
      const after = await f.oracle.validatorScore(dissenter.address);
      expect(after).to.equal(before - BigInt(penalties) * 10n ** 17n);
      const synced = all([dissenterLog], "rankSynced");
      expect(synced[0].oldRankScore).to.equal(before);
      expect(synced[synced.length - 1].newRankScore).to.equal(after);
      expect(await f.vr.rankScore(dissenter.address)).to.equal(after);
      // The proposers' scores changed too (Algorithm 4), and they re-synced.
      for (const proposer of proposers) {
        expect(await f.vr.rankScore(proposer.address)).to.equal(
          await f.oracle.validatorScore(proposer.address),
        );
      }
    });

    it("a withholding round-0 proposer is skipped and the round-1 proposer finalizes", async function () {
      const f = await loadFixture(deployAgentSuite);
      const withholder = proposerAt(f.order, 1n, f.slot, 0n);
      const agents = agentsFor(f, new Map<string, Behaviour>([[withholder.address, "withhold"]]));
      const log = await runAgents(agents, allAt(f, FINAL));

      const [skipped] = await f.blocks.queryFilter(f.blocks.filters.RoundEnded(1, f.slot));
      expect(skipped.args.round).to.equal(0n);
      expect(skipped.args.proposer).to.equal(withholder.address);
      expect(skipped.args.outcome).to.equal(0n); // Skipped
      const [finalized] = await f.blocks.queryFilter(f.blocks.filters.BlockFinalized(1, f.slot));
      expect(finalized.args.round).to.equal(1n);
      expect(finalized.args.proposer).to.equal(proposerAt(f.order, 1n, f.slot, 1n).address);
      expect(all([log[f.validators.indexOf(withholder)]], "proposed")).to.deep.equal([]);
      expect(await f.blocks.exclusionsOf(1, f.slot, 1)).to.deep.equal([f.p2.address]);
    });

    it("an equivocating proposer is ejected through the evidence pool while its block is final", async function () {
      const f = await loadFixture(deployAgentSuite);
      const cheat = proposerAt(f.order, 1n, f.slot, 0n);
      const agents = agentsFor(f, new Map<string, Behaviour>([[cheat.address, "equivocate"]]));
      const ejected = async () => (await f.vr.validator(cheat.address)).ejected;
      const log = await runAgents(agents, async () => (await allAt(f, FINAL)()) && (await ejected()));

      expect(all(log, "evidencePublished")).to.deep.include({ microgrid: 1n, slot: f.slot, round: 0n });
      const submitted = all(log, "evidenceSubmitted");
      expect(submitted).to.deep.equal([{ microgrid: 1n, slot: f.slot, round: 0n, proposer: cheat.address }]);
      const submitter = log.findIndex((steps) => all([steps], "evidenceSubmitted").length > 0);
      expect(agents[submitter].behaviour).to.equal("honest");
      const [punished] = await f.blocks.queryFilter(f.blocks.filters.EquivocationPunished(1, f.slot));
      expect(punished.args.proposer).to.equal(cheat.address);
      expect((await f.vr.validator(cheat.address)).weight).to.equal(0n);
      expect(await f.vr.isEligible(cheat.address)).to.equal(false);
      expect(await f.vr.isRanked(cheat.address)).to.equal(false);
      const [finalized] = await f.blocks.queryFilter(f.blocks.filters.BlockFinalized(1, f.slot));
      expect(finalized.args.proposer).to.equal(cheat.address);
    });

    it("with more than a third offline, rounds lapse and an agent finalizes by default at the deadline", async function () {
      const f = await loadFixture(deployAgentSuite);
      const offline = f.order.slice(0, 2); // 2 > 5/3: at most 3 accepts, short of ⌈10/3⌉ = 4
      const agents = agentsFor(f, new Map(offline.map((v) => [v.address, "offline" as Behaviour])));
      const log = await runAgents(agents, allAt(f, FINAL_BY_DEFAULT), { tickSec: 300, maxTicks: 20 });

      const finalizedByDefault = all(log, "finalizedByDefault");
      expect(finalizedByDefault).to.have.deep.members(
        MICROGRIDS.map((microgrid) => ({ microgrid, slot: f.slot })),
      );
      const deadlineAt = (await f.blocks.blockState(1, f.slot)).deadlineAt;
      expect(deadlineAt).to.equal(f.proposableAt + 4n * 900n);
      for (const m of MICROGRIDS) {
        const [event] = await f.blocks.queryFilter(f.blocks.filters.BlockFinalizedByDefault(m, f.slot));
        const block = await event.getBlock();
        expect(BigInt(block.timestamp)).to.be.at.least(deadlineAt);
        expect(await f.blocks.queryFilter(f.blocks.filters.BlockFinalized(m, f.slot))).to.deep.equal([]);
        const ended = await f.blocks.queryFilter(f.blocks.filters.RoundEnded(m, f.slot));
        expect(ended.length).to.be.at.least(2);
      }
      for (const v of offline) expect(all([log[f.validators.indexOf(v)]], "attested")).to.deep.equal([]);
    });

    it("an offline agent sends nothing and reports no actions", async function () {
      const f = await loadFixture(deployAgentSuite);
      const [agent] = agentsFor(f, new Map([[f.validators[0].address, "offline" as Behaviour]]));
      const nonce = await f.validators[0].getNonce();
      const actions = await agent.step();
      expect(Object.values(actions).every((list) => list.length === 0)).to.equal(true);
      expect(await f.validators[0].getNonce()).to.equal(nonce);
    });
  });
});
