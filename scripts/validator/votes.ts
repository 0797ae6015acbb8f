/**
 * A pool of signed attestations shared by the validator agents (SPEC §6.3: members vote "by transaction or as
 * a batch of EIP-712 signatures in one call"). Instead of sending one `attest` transaction each, the members of
 * a round publish their signed vote for (m, s, r, proposalHash) here, and ONE `attestBatch` carries them all,
 * so TradeBlocks counts every vote before it judges the round and nobody who voted in time is penalised as
 * "did not vote" because finality was reached one transaction earlier.
 *
 * In a real deployment the pool is an off-chain gossip channel between the validators (a pub-sub topic per
 * microgrid-slot, say): a member broadcasts its signed vote and its presence, and any member can relay the
 * batch — the signatures make the relayer irrelevant, and TradeBlocks skips a vote it has recorded already
 * (with `AttestationSkipped`), so a second submission is harmless. In-process (the simulation and the tests)
 * it is shared memory: every agent of one run gets the same `VotePool`.
 *
 * Presence: an agent announces itself on every step (`announce`); a member is *expected online* once it has
 * been seen on the channel. The batch of a round goes out when every expected member other than the proposer
 * has voted, or when the batch deadline has passed (see the agent).
 */
import type { RoundRef } from "../lib/blocks";

/** One member's signed vote on a round's proposal, as `ITradeBlocks.Vote` wants it plus where it belongs. */
export interface PooledVote extends RoundRef {
  /** The EIP-712 struct hash of the proposal voted on. */
  proposalHash: string;
  attester: string;
  accept: boolean;
  /** 65-byte EIP-712 signature of `Attestation(microgrid, slot, round, proposalHash, accept)`. */
  signature: string;
}

/** The key of a round's proposal: votes on different proposals (or rounds) never mix. */
export function voteRoundKey(ref: RoundRef, proposalHash: string): string {
  return `${ref.microgrid}:${ref.slot}:${ref.round}:${proposalHash.toLowerCase()}`;
}

/** Signed votes published by the agents, by round and proposal, and the agents seen on the channel. */
export class VotePool {
  private readonly rounds = new Map<string, Map<string, PooledVote>>();
  private readonly present = new Set<string>();

  /** Records that `address` takes part in the channel (it is expected to vote when on a committee). */
  announce(address: string): void {
    this.present.add(address.toLowerCase());
  }

  /** Whether `address` has been seen on the channel. */
  isPresent(address: string): boolean {
    return this.present.has(address.toLowerCase());
  }

  /** Adds `vote`; a second vote by the same attester on the same proposal is ignored (the first stands). */
  publish(vote: PooledVote): void {
    const key = voteRoundKey(vote, vote.proposalHash);
    let votes = this.rounds.get(key);
    if (!votes) {
      votes = new Map();
      this.rounds.set(key, votes);
    }
    const attester = vote.attester.toLowerCase();
    if (!votes.has(attester)) votes.set(attester, vote);
  }

  /** Whether `attester` has published a vote on the proposal `proposalHash` of `ref`. */
  hasVoted(ref: RoundRef, proposalHash: string, attester: string): boolean {
    return this.rounds.get(voteRoundKey(ref, proposalHash))?.has(attester.toLowerCase()) ?? false;
  }

  /** The votes published on the proposal `proposalHash` of `ref`, in publication order. */
  votesFor(ref: RoundRef, proposalHash: string): PooledVote[] {
    return [...(this.rounds.get(voteRoundKey(ref, proposalHash))?.values() ?? [])];
  }

  /** Forgets the votes of every round of (`microgrid`, `slot`) (once it is final: they can no longer count). */
  forgetSlot(microgrid: bigint, slot: bigint): void {
    const prefix = `${microgrid}:${slot}:`;
    for (const key of [...this.rounds.keys()]) if (key.startsWith(prefix)) this.rounds.delete(key);
  }

  /** How many rounds have votes held. */
  get roundCount(): number {
    return this.rounds.size;
  }
}
