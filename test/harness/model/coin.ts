// Model of the trust coin (SPEC §3): every holder's balance, the supply counters and the reward budget.
// Suite contracts are holders like any other: the market's balance is predicted here and compared.

export class CoinModel {
  readonly wallet = new Map<string, bigint>();
  issued = 0n;
  redeemed = 0n;
  /** Suite burns (validator deposits, unpaid fees, penalties, dust): they raise the reward budget. */
  burned = 0n;
  minted = 0n;

  balanceOf(account: string): bigint {
    return this.wallet.get(account) ?? 0n;
  }

  get supply(): bigint {
    return this.issued - this.redeemed - this.burned + this.minted;
  }

  get rewardBudget(): bigint {
    return this.burned - this.minted;
  }

  private add(account: string, amount: bigint): void {
    const balance = this.balanceOf(account) + amount;
    if (balance < 0n) throw new Error(`model: negative coin balance of ${account}`);
    this.wallet.set(account, balance);
  }

  transfer(from: string, to: string, amount: bigint): void {
    this.add(from, -amount);
    this.add(to, amount);
  }

  issue(to: string, amount: bigint): void {
    this.issued += amount;
    this.add(to, amount);
  }

  redeem(from: string, amount: bigint): void {
    this.redeemed += amount;
    this.add(from, -amount);
  }

  /** A suite burn into the reward budget, out of `from`'s balance. */
  burnToBudget(from: string, amount: bigint): void {
    this.burned += amount;
    this.add(from, -amount);
  }

  /** A budget-bounded reward mint: what is available of `amount`. */
  mintReward(to: string, amount: bigint): bigint {
    const minted = amount < this.rewardBudget ? amount : this.rewardBudget;
    this.minted += minted;
    this.add(to, minted);
    return minted;
  }

  clone(): CoinModel {
    const copy = new CoinModel();
    for (const [k, v] of this.wallet) copy.wallet.set(k, v);
    copy.issued = this.issued;
    copy.redeemed = this.redeemed;
    copy.burned = this.burned;
    copy.minted = this.minted;
    return copy;
  }
}
