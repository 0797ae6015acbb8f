/**
 * Reference model of the validator ranking (IValidatorRegistry): validators sorted by weight
 * (descending), then rank score (descending), then the lower address; hints are the neighbours of a
 * position in the order without the validator itself. Plain bigint arithmetic, no contract calls.
 */

/** What the model knows of a validator. */
export interface ModelValidator {
  address: string;
  weight: bigint;
  /** The rank score snapshot (wad). */
  rankScore: bigint;
  joinedAt: bigint;
  leftAt: bigint;
  ejected: boolean;
}

/** Whether `(weightA, scoreA, a)` ranks before `(weightB, scoreB, b)`. */
export function ranksBefore(
  weightA: bigint,
  scoreA: bigint,
  a: string,
  weightB: bigint,
  scoreB: bigint,
  b: string,
): boolean {
  if (weightA !== weightB) return weightA > weightB;
  if (scoreA !== scoreB) return scoreA > scoreB;
  return BigInt(a) < BigInt(b);
}

/** The hints of a position in `order` (best first) for `account` at `(weight, score)`, skipping `account`. */
export function hintsIn(
  order: { address: string; weight: bigint; rankScore: bigint }[],
  account: string,
  weight: bigint,
  score: bigint,
): { prevHint: string; nextHint: string } {
  const zero = "0x0000000000000000000000000000000000000000";
  let prevHint = zero;
  for (const entry of order) {
    if (entry.address.toLowerCase() === account.toLowerCase()) continue;
    if (ranksBefore(weight, score, account, entry.weight, entry.rankScore, entry.address)) {
      return { prevHint, nextHint: entry.address };
    }
    prevHint = entry.address;
  }
  return { prevHint, nextHint: zero };
}

/** The ranking as the registry should hold it. */
export class RankingModel {
  readonly validators = new Map<string, ModelValidator>();

  /** Ranked validators (joined, not left, not ejected), best first. */
  order(): ModelValidator[] {
    return [...this.validators.values()]
      .filter((v) => v.leftAt === 0n && !v.ejected)
      .sort((x, y) =>
        ranksBefore(x.weight, x.rankScore, x.address, y.weight, y.rankScore, y.address) ? -1 : 1,
      );
  }

  hints(account: string, weight: bigint, score: bigint): { prevHint: string; nextHint: string } {
    return hintsIn(this.order(), account, weight, score);
  }

  get(account: string): ModelValidator | undefined {
    return this.validators.get(account.toLowerCase());
  }

  join(account: string, deposit: bigint, score: bigint, now: bigint): void {
    this.validators.set(account.toLowerCase(), {
      address: account,
      weight: deposit,
      rankScore: score,
      joinedAt: now,
      leftAt: 0n,
      ejected: false,
    });
  }

  topUp(account: string, amount: bigint, score: bigint): void {
    const v = this.mustGet(account);
    v.weight += amount;
    v.rankScore = score;
  }

  leave(account: string, now: bigint): void {
    this.mustGet(account).leftAt = now;
  }

  eject(account: string): void {
    const v = this.mustGet(account);
    v.weight = 0n;
    v.ejected = true;
  }

  sync(account: string, score: bigint): void {
    this.mustGet(account).rankScore = score;
  }

  private mustGet(account: string): ModelValidator {
    const v = this.get(account);
    if (!v) throw new Error(`model: ${account} never joined`);
    return v;
  }
}
