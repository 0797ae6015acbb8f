/**
 * Reference model of committee selection and shuffling (SPEC §6.2, ICommittees). Plain TypeScript over
 * the ranking in rank order, no contract calls; the ranking itself is modelled in ./ranking.ts.
 *
 * Selection of epoch e walks the eligible validators in rank order. Those not on a neighbouring committee
 * (e − 1, and e + 1 if it was selected first) are taken until there are `committeeSize` of them; the
 * neighbours' members met on the way are kept aside. If fewer than `minCommittee` were taken, the ones
 * kept aside are added in rank order until `minCommittee`; if still fewer, the epoch has no committee.
 *
 * The walk is bounded as the contract's is: `topEligible` pages stop after `maxIneligibleSkipped`
 * ineligible entries and the contract reads at most `maxPages` pages, so the walk ends at the
 * (`maxPages · maxIneligibleSkipped + 1`)-th ineligible entry it meets.
 */
import { AbiCoder, keccak256 } from "ethers";

/** A ranked validator as selection sees it. */
export interface RankedCandidate {
  address: string;
  /** Whether its live score is at least `minValidatorScore` (it is ranked, so joined, not left, not ejected). */
  eligible: boolean;
}

export interface SelectionParams {
  committeeSize: number;
  minCommittee: number;
  /** The validator registry's `maxIneligibleSkipped` (default 32). */
  maxIneligibleSkipped: number;
  /** Pages one selection reads at most (the contract's MAX_SELECTION_PAGES, 4). */
  maxPages: number;
}

export const DEFAULT_SELECTION: SelectionParams = {
  committeeSize: 10,
  minCommittee: 4,
  maxIneligibleSkipped: 32,
  maxPages: 4,
};

/**
 * The members of an epoch in the order the contract stores them at selection (taken ones in rank order,
 * then the added neighbours in rank order), or an empty list when the epoch has no committee.
 *
 * @param ranked every ranked validator, best first
 * @param neighbours the members of the neighbouring committees (any case)
 */
export function selectMembers(
  ranked: RankedCandidate[],
  neighbours: Iterable<string>,
  params: SelectionParams = DEFAULT_SELECTION,
): string[] {
  const excluded = new Set([...neighbours].map((a) => a.toLowerCase()));
  const taken: string[] = [];
  const aside: string[] = [];
  const skipBudget = params.maxPages * params.maxIneligibleSkipped;
  let skipped = 0;
  for (const candidate of ranked) {
    if (taken.length === params.committeeSize) break;
    if (!candidate.eligible) {
      if (skipped === skipBudget) break;
      skipped += 1;
      continue;
    }
    if (excluded.has(candidate.address.toLowerCase())) aside.push(candidate.address);
    else taken.push(candidate.address);
  }
  const members = [...taken];
  for (const spare of aside) {
    if (members.length >= params.minCommittee) break;
    members.push(spare);
  }
  return members.length < params.minCommittee ? [] : members;
}

/**
 * Committees of consecutive epochs selected in order, each skipping the one before (ranking and
 * eligibility unchanged over the epochs).
 *
 * @param previous the committee of the epoch before the first (empty if none)
 */
export function selectChain(
  ranked: RankedCandidate[],
  epochs: number,
  params: SelectionParams = DEFAULT_SELECTION,
  previous: string[] = [],
): string[][] {
  const chain: string[][] = [];
  let before = previous;
  for (let e = 0; e < epochs; e += 1) {
    before = selectMembers(ranked, before, params);
    chain.push(before);
  }
  return chain;
}

/** `keccak256(abi.encode(prevrandao, epoch, members))`, the shuffle's seed. */
export function shuffleSeed(prevrandao: bigint, epoch: bigint, members: string[]): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["uint256", "uint64", "address[]"], [prevrandao, epoch, members]),
  );
}

/**
 * Fisher–Yates as the contract draws it: for i from k − 1 down to 1,
 * `j = uint256(keccak256(abi.encode(seed, i))) mod (i + 1)`, swap i and j.
 */
export function shuffleOrder(prevrandao: bigint, epoch: bigint, members: string[]): string[] {
  const seed = shuffleSeed(prevrandao, epoch, members);
  const order = [...members];
  const coder = AbiCoder.defaultAbiCoder();
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Number(BigInt(keccak256(coder.encode(["bytes32", "uint256"], [seed, i]))) % BigInt(i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The index into the shuffled order of the proposer of round `round` of (`microgrid`, `slot`). */
export function proposerIndex(microgrid: bigint, slot: bigint, round: bigint, k: number): number {
  return Number((microgrid + slot + round) % BigInt(k));
}

/** The first slot from which epoch `epoch` may be selected: the middle slot of the epoch before. */
export function selectionSlotOf(epoch: bigint, epochSlots: bigint): bigint {
  return epoch === 0n ? 0n : (epoch - 1n) * epochSlots + epochSlots / 2n;
}

/**
 * Whether the rule keeps epoch e's committee disjoint from e − 1's: at least `minCommittee` eligible
 * validators are not on e − 1's committee (and the walk reaches them). With every validator eligible
 * this holds for every epoch once `eligible ≥ committeeSize + minCommittee`, as a committee has at most
 * `committeeSize` members.
 */
export function disjointGuaranteed(
  eligibleCount: number,
  previousSize: number,
  params: SelectionParams,
): boolean {
  return eligibleCount - previousSize >= params.minCommittee;
}
