// The 30 malicious traders of thesis Table 4.3 (100 traders: 50 prosumers, 50 consumers), against the deployed
// suite. The 30 malicious ones are prosumers that sell forward every slot and deliver a tenth of what they sold
// (fulfilment 0.1, so α = 1); the other 20 prosumers deliver what they sold and the 50 consumers consume what
// they bought. Every slot runs its whole life: orders, clearing, signed readings, finality (no validators here:
// finality by default), level 2 and settlement of all 100.
//
// Scale: a day of 96 slots × 100 traders is too slow for the test budget (about 250 transactions per slot), so
// the day is 12 slots; each slot's orders are placed after the previous slot settled, so that the TRP levels
// the scores give are the ones the next book sees (the slots are therefore not adjacent in time).
//
// Checked: every malicious trader's score and TRP level fall (level 2 → 1), its access fraction shrinks
// (75 % → 50 %), and its money after the day is below every honest seller's, who offered the same forward sale
// (and below what it started with): nobody profits from non-delivery. The money identities hold after every slot.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet } from "ethers";

import { deploySuite } from "../../deploy/suite";
import { readingDomain, signReading, type Reading } from "../../scripts/lib/readings";
import { Kind, TRC, attachSuite, expectMoneyIdentities, fiatRef } from "../integration/suiteFixture";

const PROSUMERS = 50;
const CONSUMERS = 50;
const MALICIOUS = 30;
const SLOTS = 12;
const OFFER_WH = 1_000n;
const OFFER_TICK = 100; // 0.100 TRC/kWh
const BID_WH = 1_200n;
const BID_TICK = 200;
const DEPOSIT = 50n * TRC;
const ISSUED = 100n * TRC;
const TX = { gasLimit: 2_000_000 };

async function hundredTradersFixture() {
  const { record } = await deploySuite(hre);
  const suite = await attachSuite(record.contracts);
  const { coin, registry, market } = suite;
  const [dso] = await ethers.getSigners();
  await registry.registerMicrogrid(1);
  const marketAddress = await market.getAddress();
  const wallet = (i: number) => new Wallet(ethers.id(`gridtrust trader ${i}`), ethers.provider);
  const prosumers = Array.from({ length: PROSUMERS }, (_, i) => wallet(i));
  const consumers = Array.from({ length: CONSUMERS }, (_, i) => wallet(PROSUMERS + i));
  const meters = new Map<string, Wallet>();
  for (const [i, trader] of [...prosumers, ...consumers].entries()) {
    const prosumer = i < PROSUMERS;
    const meterKey = new Wallet(ethers.id(`gridtrust meter ${i}`));
    meters.set(trader.address, meterKey);
    await setBalance(trader.address, 10n ** 20n);
    await registry.registerParticipant(
      trader.address,
      prosumer ? Kind.Prosumer : Kind.Consumer,
      1,
      meterKey.address,
      prosumer ? 100n : 2_000n,
      prosumer ? 2_000n : 0n,
    );
    await coin.issue(trader.address, ISSUED, fiatRef());
    await coin.connect(trader).approve(marketAddress, ethers.MaxUint256, TX);
    await market.connect(trader).deposit(DEPOSIT, TX);
  }
  await coin.issue(dso.address, 5_000n * TRC, fiatRef());
  await coin.approve(marketAddress, ethers.MaxUint256);
  await market.deposit(2_000n * TRC);
  // Two days later: the traders' S(β) has saturated (SPEC §5.4), as for established participants.
  await time.increase(2 * 24 * 3600);
  return { ...suite, dso, prosumers, consumers, meters };
}

type Day = Awaited<ReturnType<typeof hundredTradersFixture>>;

/** One slot's whole life for the 100 traders; returns the slot. */
async function runSlot(f: Day): Promise<bigint> {
  const { market, registry, meter, blocks, committees, settlement } = f;
  const slot = (await registry.currentSlot()) + 2n;
  for (const seller of f.prosumers) await market.connect(seller).placeOffer(slot, OFFER_WH, OFFER_TICK, TX);
  for (const buyer of f.consumers) await market.connect(buyer).placeBid(slot, BID_WH, BID_TICK, TX);
  await time.increaseTo(await registry.gate(slot));
  while (!(await market.isCleared(1, slot))) await market.clear(1, slot);

  await time.increaseTo(await registry.slotEnd(slot));
  const readings: Reading[] = [];
  for (const [i, seller] of f.prosumers.entries()) {
    const sold = (await market.positionOf(seller.address, slot)).filledWh;
    readings.push({
      participant: seller.address,
      slot,
      importWh: 0n,
      exportWh: i < MALICIOUS ? sold / 10n : sold,
    });
  }
  for (const buyer of f.consumers) {
    const bought = (await market.positionOf(buyer.address, slot)).filledWh;
    readings.push({ participant: buyer.address, slot, importWh: bought, exportWh: 0n });
  }
  const domain = await readingDomain(meter);
  for (let from = 0; from < readings.length; from += 50) {
    const batch = readings.slice(from, from + 50);
    const signatures = [];
    for (const r of batch) signatures.push(await signReading(f.meters.get(r.participant)!, domain, r));
    await meter.submitReadings(batch, signatures);
  }
  const [, closesAt] = await meter.readingWindowOf(slot);
  await time.increaseTo(closesAt);
  expect(await meter.isProposable(1, slot)).to.equal(true);

  // No validators joined: the epoch's committee is selected empty and the slot is final by default.
  const epoch = await committees.epochOf(slot);
  if (!(await committees.committeeInfo(epoch)).selected) await committees.ensureCommittee(epoch);
  await blocks.finalizeByDefault(1, slot);
  await settlement.runLevel2(slot);
  for (const trader of [...f.prosumers, ...f.consumers]) await settlement.settle(trader.address, slot);
  expect((await settlement.slotMoney(slot)).closed).to.equal(true);
  await expectMoneyIdentities(f);
  return slot;
}

/** A trader's money: prepaid balance in the market and coins in hand. */
async function moneyOf(f: Day, account: string): Promise<bigint> {
  return (await f.market.balanceOf(account)) + (await f.coin.balanceOf(account));
}

describe("The 30 malicious traders of thesis Table 4.3 (deployed suite)", function () {
  it(`lowers the TRP and access of 30 of 100 traders under-delivering for a day (${SLOTS} slots), none of whom profits from non-delivery`, async function () {
    const f = await loadFixture(hundredTradersFixture);
    const { oracle } = f;
    const malicious = f.prosumers.slice(0, MALICIOUS);
    const honestSellers = f.prosumers.slice(MALICIOUS);
    const levelBefore = new Map<string, bigint>();
    const scoreBefore = new Map<string, bigint>();
    for (const trader of f.prosumers) {
      levelBefore.set(trader.address, await oracle.trpLevelOf(trader.address));
      scoreBefore.set(trader.address, await oracle.traderScore(trader.address));
    }
    const firstSlot = await runSlot(f);
    // In the first slot every prosumer sold the same (all at the initial level, all at one price).
    const firstSale = (await f.market.positionOf(malicious[0].address, firstSlot)).filledWh;
    expect(firstSale).to.be.gt(0n);
    for (const seller of f.prosumers) {
      expect((await f.market.positionOf(seller.address, firstSlot)).filledWh).to.equal(firstSale);
    }
    for (let i = 1; i < SLOTS; ++i) await runSlot(f);

    const honestMoney: bigint[] = [];
    for (const seller of honestSellers) {
      honestMoney.push(await moneyOf(f, seller.address));
      expect(await oracle.trpLevelOf(seller.address)).to.be.gte(levelBefore.get(seller.address)!);
    }
    const poorestHonest = honestMoney.reduce((a, b) => (a < b ? a : b));
    for (const cheat of malicious) {
      const before = levelBefore.get(cheat.address)!;
      const after = await oracle.trpLevelOf(cheat.address);
      expect(await oracle.traderScore(cheat.address)).to.be.lt(scoreBefore.get(cheat.address)!);
      expect(after).to.be.lt(before);
      expect(await oracle.accessFraction(Number(after))).to.be.lt(
        await oracle.accessFraction(Number(before)),
      );
      const money = await moneyOf(f, cheat.address);
      expect(money).to.be.lt(poorestHonest);
      expect(money).to.be.lt(ISSUED);
    }
    await expectMoneyIdentities(f);
  });
});
