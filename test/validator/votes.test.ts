// Vote batching through the VotePool (scripts/validator/votes.ts) and the agents' keeper duty, against the real
// Committees, MeterReadings and TradeBlocks: one attestBatch per round when every member expected online voted,
// or at the batch deadline; the by-transaction mode as before; a silent meter accounted by the round-0 proposer.
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";

import type { AgentActions, Behaviour } from "../../scripts/validator/agent";
import { ValidatorAgent } from "../../scripts/validator/agent";
import { VotePool, voteRoundKey, type PooledVote } from "../../scripts/validator/votes";
import { ATTESTATION_TYPES, blocksDomain, signAttestation } from "../../scripts/lib/blocks";
import {
  agentsFor,
  deployAgentSuite,
  deploySilentMeterSuite,
  proposerAt,
  runAgents,
  type AgentSuite,
} from "./fixtures";

const FINAL = 2n;
const MICROGRIDS = [1n, 2n];
const PENALTY = 10n ** 17n; // attesterPenalty 0.1
const MISSING = 3n; // IMeterReadings.Status.Missing

function allFinal(f: AgentSuite) {
  return async () => {
    for (const m of MICROGRIDS) if ((await f.blocks.blockState(m, f.slot)).status !== FINAL) return false;
    return true;
  };
}

function all<K extends keyof AgentActions>(log: AgentActions[][], kind: K): AgentActions[K][number][] {
  return log.flat().flatMap((a) => a[kind] as AgentActions[K][number][]);
}

/** The validators a microgrid-slot's finality named as changed: the proposer first, then the penalised. */
async function finalityChanges(f: AgentSuite, microgrid: bigint): Promise<string[]> {
  const [finalized] = await f.blocks.queryFilter(f.blocks.filters.BlockFinalized(microgrid, f.slot));
  const changes = await f.blocks.queryFilter(f.blocks.filters.ValidatorScoresChanged(microgrid, f.slot));
  const atFinality = changes.find((e) => e.transactionHash === finalized.transactionHash)!;
  return [...atFinality.args.validators];
}

function vote(overrides: Partial<PooledVote> = {}): PooledVote {
  return {
    microgrid: 1n,
    slot: 4n,
    round: 0n,
    proposalHash: ethers.id("proposal"),
    attester: "0x00000000000000000000000000000000000000aA",
    accept: true,
    signature: "0x",
    ...overrides,
  };
}

describe("VotePool", function () {
  describe("publish", function () {
    it("keeps an attester's first vote on a proposal and ignores a second one", function () {
      const pool = new VotePool();
      pool.publish(vote({ accept: true }));
      pool.publish(vote({ accept: false, attester: "0x00000000000000000000000000000000000000AA" }));
      const votes = pool.votesFor({ microgrid: 1n, slot: 4n, round: 0n }, ethers.id("proposal"));
      expect(votes.map((v) => v.accept)).to.deep.equal([true]);
    });

    it("keeps votes on different proposals and rounds apart", function () {
      const pool = new VotePool();
      pool.publish(vote());
      pool.publish(vote({ proposalHash: ethers.id("other") }));
      pool.publish(vote({ round: 1n }));
      expect(pool.roundCount).to.equal(3);
      expect(pool.hasVoted({ microgrid: 1n, slot: 4n, round: 1n }, ethers.id("proposal"), vote().attester)).to
        .be.true;
      expect(pool.hasVoted({ microgrid: 1n, slot: 4n, round: 2n }, ethers.id("proposal"), vote().attester)).to
        .be.false;
      expect(voteRoundKey(vote(), ethers.id("proposal").toUpperCase().replace("0X", "0x"))).to.equal(
        voteRoundKey(vote(), ethers.id("proposal")),
      );
    });
  });

  describe("forgetSlot", function () {
    it("drops every round of the microgrid-slot and nothing else", function () {
      const pool = new VotePool();
      pool.publish(vote());
      pool.publish(vote({ round: 1n }));
      pool.publish(vote({ slot: 40n }));
      pool.forgetSlot(1n, 4n);
      expect(pool.roundCount).to.equal(1);
      expect(pool.votesFor({ microgrid: 1n, slot: 40n, round: 0n }, ethers.id("proposal"))).to.have.length(1);
    });
  });

  describe("announce", function () {
    it("makes an address present, whatever its case", function () {
      const pool = new VotePool();
      expect(pool.isPresent(vote().attester)).to.be.false;
      pool.announce(vote().attester.toLowerCase());
      expect(pool.isPresent(vote().attester)).to.be.true;
    });
  });
});

describe("signAttestation", function () {
  it("signs what TradeBlocks' attestationDigest recovers to the signer", async function () {
    const f = await loadFixture(deployAgentSuite);
    const domain = await blocksDomain(f.blocks);
    const ref = { microgrid: 1n, slot: f.slot, round: 0n };
    const hash = ethers.id("a proposal");
    const signature = await signAttestation(f.validators[0], domain, ref, hash, false);
    const digest = await f.blocks.attestationDigest(1, f.slot, 0, hash, false);
    expect(ethers.recoverAddress(digest, signature)).to.equal(f.validators[0].address);
    const value = { ...ref, proposalHash: hash, accept: false };
    expect(ethers.verifyTypedData(domain, ATTESTATION_TYPES, value, signature)).to.equal(
      f.validators[0].address,
    );
  });
});

describe("ValidatorAgent votes and keeper duty", function () {
  describe("constructor", function () {
    it("refuses a batch deadline outside [0, 10000] basis points and a keeper chunk below one", async function () {
      const f = await loadFixture(deployAgentSuite);
      const contracts = {
        blocks: f.blocks,
        committees: f.committees,
        meter: f.meter,
        registry: f.registry,
        validators: f.vr,
        oracle: f.oracle,
      };
      const signer = f.validators[0];
      expect(() => new ValidatorAgent({ signer, contracts, batchDeadlineBps: 10_001 })).to.throw(
        RangeError,
        /batchDeadlineBps/,
      );
      expect(() => new ValidatorAgent({ signer, contracts, batchDeadlineBps: 0.5 })).to.throw(RangeError);
      expect(() => new ValidatorAgent({ signer, contracts, keeperChunk: 0 })).to.throw(
        RangeError,
        /keeperChunk/,
      );
      expect(new ValidatorAgent({ signer, contracts }).voteMode).to.equal("batch");
    });
  });

  describe("step in batch mode", function () {
    it("finalizes both microgrid-slots with one attestBatch each and penalises no attester when all vote", async function () {
      const f = await loadFixture(deployAgentSuite);
      const agents = agentsFor(f);
      const before = await Promise.all(f.validators.map((v) => f.oracle.validatorScore(v.address)));
      const log = await runAgents(agents, allFinal(f));

      const batches = all(log, "batchesSubmitted");
      expect(batches).to.have.deep.members(
        MICROGRIDS.map((microgrid) => ({ microgrid, slot: f.slot, round: 0n, votes: 4 })),
      );
      expect(all(log, "attested")).to.have.length(8);
      expect(all(log, "failed")).to.deep.equal([]);
      for (const m of MICROGRIDS) {
        const proposer = proposerAt(f.order, m, f.slot, 0n);
        expect(await finalityChanges(f, m)).to.deep.equal([proposer.address]);
        const attested = await f.blocks.queryFilter(f.blocks.filters.Attested(m, f.slot));
        expect(attested).to.have.length(4);
        expect(new Set(attested.map((e) => e.transactionHash)).size).to.equal(1);
        const [finalized] = await f.blocks.queryFilter(f.blocks.filters.BlockFinalized(m, f.slot));
        expect(finalized.transactionHash).to.equal(attested[0].transactionHash);
      }
      // Only the two proposers' scores moved (Algorithm 4); nobody lost attesterPenalty.
      const proposers = new Set(MICROGRIDS.map((m) => proposerAt(f.order, m, f.slot, 0n).address));
      for (const [i, v] of f.validators.entries()) {
        if (proposers.has(v.address)) continue;
        expect(await f.oracle.validatorScore(v.address), `validator ${i}`).to.equal(before[i]);
      }
    });

    it("submits without an offline member, which is penalised for its missing vote", async function () {
      const f = await loadFixture(deployAgentSuite);
      const proposers = MICROGRIDS.map((m) => proposerAt(f.order, m, f.slot, 0n));
      const offline = f.order.find((v) => !proposers.includes(v))!;
      const agents = agentsFor(f, new Map<string, Behaviour>([[offline.address, "offline"]]));
      const before = await f.oracle.validatorScore(offline.address);
      const log = await runAgents(agents, allFinal(f));

      expect(all(log, "batchesSubmitted").map((b) => b.votes)).to.deep.equal([3, 3]);
      for (const m of MICROGRIDS) {
        const proposer = proposerAt(f.order, m, f.slot, 0n);
        expect(await finalityChanges(f, m)).to.deep.equal([proposer.address, offline.address]);
      }
      expect(await f.oracle.validatorScore(offline.address)).to.equal(before - 2n * PENALTY);
    });

    it("waits for a member present on the pool until the batch deadline, then submits and penalises it", async function () {
      const f = await loadFixture(deployAgentSuite);
      const proposers = MICROGRIDS.map((m) => proposerAt(f.order, m, f.slot, 0n));
      const lost = f.order.find((v) => !proposers.includes(v))!;
      const votePool = new VotePool();
      const agents = agentsFor(f, new Map<string, Behaviour>([[lost.address, "offline"]]), undefined, {
        votePool,
      });
      votePool.announce(lost.address); // seen on the channel, but its votes never arrive

      for (const agent of agents) await agent.step();
      for (const agent of agents) await agent.step();
      const votes = await f.blocks.queryFilter(f.blocks.filters.Attested());
      expect(votes).to.deep.equal([]); // all present members but one voted: no batch before the deadline

      const log = await runAgents(agents, allFinal(f));
      const window = await f.blocks.attestWindow();
      for (const m of MICROGRIDS) {
        const state = await f.blocks.blockState(m, f.slot);
        const [finalized] = await f.blocks.queryFilter(f.blocks.filters.BlockFinalized(m, f.slot));
        const minedAt = BigInt((await finalized.getBlock()).timestamp);
        expect(minedAt).to.be.at.least(state.proposedAt + window / 2n);
        expect(minedAt).to.be.below(state.proposedAt + window);
        expect(await finalityChanges(f, m)).to.deep.equal([
          proposerAt(f.order, m, f.slot, 0n).address,
          lost.address,
        ]);
      }
      expect(all(log, "batchesSubmitted").map((b) => b.votes)).to.deep.equal([3, 3]);
    });

    it("counts a dissenting vote in the batch and penalises only the dissenter", async function () {
      const f = await loadFixture(deployAgentSuite);
      const proposer = proposerAt(f.order, 1n, f.slot, 0n);
      const dissenter = f.order.find((v) => v !== proposer && v !== proposerAt(f.order, 2n, f.slot, 0n))!;
      const votePool = new VotePool();
      const agents = agentsFor(f, undefined, undefined, { votePool }).map((agent, i) =>
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
              votePool,
              plausibility: async () => [], // finds p2's night export plausible
            })
          : agent,
      );
      await runAgents(agents, allFinal(f));

      const [rejected] = await f.blocks.queryFilter(
        f.blocks.filters.Attested(1, f.slot, undefined, dissenter.address),
      );
      expect(rejected.args.accept).to.equal(false);
      expect(await finalityChanges(f, 1n)).to.deep.equal([proposer.address, dissenter.address]);
    });
  });

  describe("step in tx mode", function () {
    it("sends one attest per member as before, so finality penalises the member that had not voted yet", async function () {
      const f = await loadFixture(deployAgentSuite);
      const agents = agentsFor(f, undefined, undefined, { voteMode: "tx" });
      const log = await runAgents(agents, allFinal(f));

      expect(all(log, "batchesSubmitted")).to.deep.equal([]);
      for (const m of MICROGRIDS) {
        const attested = await f.blocks.queryFilter(f.blocks.filters.Attested(m, f.slot));
        expect(attested).to.have.length(3); // the third vote reaches ⌈10/3⌉ = 4 accepts with the proposer's
        expect(new Set(attested.map((e) => e.transactionHash)).size).to.equal(3);
        const changes = await finalityChanges(f, m);
        expect(changes).to.have.length(2); // the proposer and the member whose vote came too late
        const late = f.order.find(
          (v) =>
            v !== proposerAt(f.order, m, f.slot, 0n) && !attested.some((e) => e.args.attester === v.address),
        )!;
        expect(changes[1]).to.equal(late.address);
      }
      expect(all(log, "failed")).to.deep.equal([]);
    });
  });

  describe("keeper duty", function () {
    it("the round-0 proposer accounts the silent meter as missing, and the microgrid-slot goes final", async function () {
      const f = await loadFixture(deploySilentMeterSuite);
      expect((await f.meter.slotMeter(1, f.slot)).proposableAt).to.equal(0n);
      const keeper = proposerAt(f.order, 1n, f.slot, 0n);
      const agents = agentsFor(f);
      const log = await runAgents(agents, allFinal(f));

      const accounted = all(log, "accountedMissing");
      expect(accounted).to.deep.equal([{ microgrid: 1n, slot: f.slot, accounts: [f.c1.address] }]);
      expect(all([log[f.validators.indexOf(keeper)]], "accountedMissing")).to.have.length(1);
      const [event] = await f.meter.queryFilter(f.meter.filters.AccountedMissing(f.c1.address, 1, f.slot));
      const tx = await event.getTransaction();
      expect(tx.from).to.equal(keeper.address);
      expect((await f.meter.meterRecord(f.c1.address, f.slot)).status).to.equal(MISSING);
      expect(all(log, "failed")).to.deep.equal([]);
    });

    it("leaves a silent meter to the keeper: other agents send nothing for it", async function () {
      const f = await loadFixture(deploySilentMeterSuite);
      const keeper = proposerAt(f.order, 1n, f.slot, 0n);
      const others = agentsFor(f).filter((_, i) => f.validators[i] !== keeper);
      for (const agent of others) expect((await agent.step()).accountedMissing).to.deep.equal([]);
      expect((await f.meter.meterRecord(f.c1.address, f.slot)).status).to.equal(0n);
      expect((await f.meter.slotMeter(1, f.slot)).proposableAt).to.equal(0n);
    });

    it("skips accounts someone else accounted already, and the microgrid-slot still goes final", async function () {
      const f = await loadFixture(deploySilentMeterSuite);
      await f.meter.connect(f.stranger).accountMissing(1, f.slot, [f.c1.address]);
      const log = await runAgents(agentsFor(f), allFinal(f));
      expect(all(log, "accountedMissing")).to.deep.equal([]);
      expect(all(log, "failed")).to.deep.equal([]);
    });
  });
});
