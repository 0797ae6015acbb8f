// Model of the agreement layer (SPEC §6): validators (weight, join, leave) and per microgrid-slot trade
// blocks: status, the lazy round clock (`RoundClock` of test/reference/blocks.ts), the votes of the current
// round, thresholds (`acceptsToFinalize`, `rejectsToReject`) and who is penalised (`penalisedPositions`).
//
// READ FROM THE CHAIN, not re-derived: the committee of an epoch (selection from the sorted validator list
// and the shuffle seeded by a later block's prevrandao). The harness's keeper selects and shuffles it, and the
// model takes the order as given; everything that follows from the order (proposer of a round, members,
// thresholds, penalties, scores, rewards) is predicted.
import { RoundClock, acceptsToFinalize, proposerIndex, rejectsToReject } from "../../reference/blocks";

export const BlockStatus = { Unopened: 0, Open: 1, Final: 2, FinalByDefault: 3 } as const;

export interface ValidatorModel {
  weight: bigint;
  joinedAt: bigint;
  left: boolean;
}

export interface BlockModel {
  status: number;
  clock?: RoundClock;
  accepted: Set<number>;
  rejected: Set<number>;
  /** Exclusions of the current round's proposal. */
  exclusions: string[];
}

export interface ConsensusParams {
  proposalTimeout: bigint;
  attestWindow: bigint;
  finalityDeadlineSlots: bigint;
  attesterPenalty: bigint;
  maxExclusions: bigint;
  slotLength: bigint;
  epochSlots: bigint;
  minDeposit: bigint;
  minTraderScoreToValidate: bigint;
}

export class ConsensusModel {
  readonly validators = new Map<string, ValidatorModel>();
  readonly blocks = new Map<string, BlockModel>();

  constructor(readonly params: ConsensusParams) {}

  block(microgrid: number, slot: bigint): BlockModel {
    const key = `${microgrid}:${slot}`;
    let b = this.blocks.get(key);
    if (!b) {
      b = { status: BlockStatus.Unopened, accepted: new Set(), rejected: new Set(), exclusions: [] };
      this.blocks.set(key, b);
    }
    return b;
  }

  newClock(proposableAt: bigint): RoundClock {
    const p = this.params;
    return new RoundClock(
      proposableAt,
      p.proposalTimeout,
      p.attestWindow,
      proposableAt + p.finalityDeadlineSlots * p.slotLength,
    );
  }

  epochOf(slot: bigint): bigint {
    return slot / this.params.epochSlots;
  }

  proposerIndex(microgrid: number, slot: bigint, round: number, k: number): number {
    return proposerIndex(microgrid, slot, round, k);
  }

  finalAt(k: number): number {
    return acceptsToFinalize(k);
  }

  rejectedAt(k: number): number {
    return rejectsToReject(k);
  }
}

/** A copy of a round clock, to advance it tentatively (a reverted call leaves the chain's clock alone). */
export function cloneClock(clock: RoundClock): RoundClock {
  const copy = new RoundClock(clock.openedAt, clock.timeout, clock.window, clock.deadlineAt);
  copy.round = clock.round;
  copy.openedAt = clock.openedAt;
  copy.proposedAt = clock.proposedAt;
  copy.ended.push(...clock.ended);
  return copy;
}
