// Property test of MeterReadings: on a random population of one microgrid (random offers and bids, cleared;
// random signed readings, substitutes, refused readings, missing accounts and exclusions), the digest,
// counts and TES/TEP totals equal a TS recomputation after the readings, after the missing accounts and
// after finality. Reproduce a failure with FC_SEED=<seed printed by fast-check>; FC_RUNS sets the runs.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import type { Signer } from "ethers";

import {
  BUY_TICK,
  EXPORT_WH,
  IMPORT_WH,
  Kind,
  SELL_TICK,
  TRC,
  clearAll,
  passGate,
} from "../market/marketFixtures";
import { MeterSlotReference } from "../reference/meter";
import type { Reading } from "../../scripts/lib/readings";
import { deployMeterSetupFixture, meterWallet, positionWhOf, type MeterFixture } from "./fixtures";

const FC_SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const FC_RUNS = Number(process.env.FC_RUNS ?? 5);
const EXTRA_PROSUMERS = 9;

interface Trader {
  signer: Signer;
  address: string;
  maxExportWh: bigint;
}

/** The meter fixture with 9 more prosumers in microgrid 1 (funded, deposited, meters `extra:i`). */
async function populationFixture() {
  const f = await deployMeterSetupFixture();
  const traders: Trader[] = [
    { signer: f.p1, address: f.p1.address, maxExportWh: EXPORT_WH },
    { signer: f.p2, address: f.p2.address, maxExportWh: EXPORT_WH },
    { signer: f.c1, address: f.c1.address, maxExportWh: 0n },
  ];
  for (let i = 0; i < EXTRA_PROSUMERS; i++) {
    const wallet = new ethers.Wallet(ethers.id(`meter-property-trader:${i}`), ethers.provider);
    const meter = meterWallet(`extra:${i}`);
    await network.provider.send("hardhat_setBalance", [wallet.address, ethers.toQuantity(10n ** 20n)]);
    await f.registry
      .connect(f.registrar)
      .registerParticipant(wallet.address, Kind.Prosumer, 1, meter.address, IMPORT_WH, EXPORT_WH);
    await f.coin.connect(f.issuer).issue(wallet.address, 1_000n * TRC, ethers.id(`meter-property:${i}`));
    await f.coin.connect(wallet).approve(await f.market.getAddress(), ethers.MaxUint256);
    await f.market.connect(wallet).deposit(100n * TRC);
    f.meters.set(wallet.address, meter);
    traders.push({ signer: wallet, address: wallet.address, maxExportWh: EXPORT_WH });
  }
  return { ...f, traders };
}

type Plan = {
  order: { kind: "none" } | { kind: "offer" | "bid"; qtyWh: bigint; tick: number };
  reading: { kind: "none" | "read" | "substitute" | "overCapacity"; importWh: bigint; exportWh: bigint };
  exclude: boolean;
};

const planArb: fc.Arbitrary<Plan> = fc.record({
  order: fc.oneof(
    fc.constant({ kind: "none" as const }),
    fc.record({
      kind: fc.constantFrom("offer" as const, "bid" as const),
      qtyWh: fc.bigInt(10n, 3_000n),
      tick: fc.integer({ min: SELL_TICK, max: BUY_TICK }),
    }),
  ),
  reading: fc.record({
    kind: fc.constantFrom("none" as const, "read" as const, "substitute" as const, "overCapacity" as const),
    importWh: fc.bigInt(0n, IMPORT_WH),
    exportWh: fc.bigInt(0n, EXPORT_WH),
  }),
  exclude: fc.boolean(),
});

async function expectSlot(f: MeterFixture, reference: MeterSlotReference): Promise<void> {
  const meter = await f.meter.slotMeter(1, f.slot);
  const { surplusWh, deficitWh } = reference.totals();
  expect(meter.digest).to.equal(reference.digest);
  expect([meter.readings, meter.readingsWithOrders, meter.missing]).to.deep.equal([
    BigInt(reference.readings),
    BigInt(reference.readingsWithOrders),
    BigInt(reference.missing),
  ]);
  expect([meter.surplusWh, meter.deficitWh]).to.deep.equal([surplusWh, deficitWh]);
}

describe("MeterReadings (property)", function () {
  it("keeps digest, counts and TES/TEP equal to a TS recomputation on a random population", async function () {
    await fc.assert(
      fc.asyncProperty(fc.array(planArb, { minLength: 12, maxLength: 12 }), async (plans) => {
        const f = await loadFixture(populationFixture);
        for (const [i, plan] of plans.entries()) {
          const trader = f.traders[i];
          const order = plan.order;
          if (order.kind === "none") continue;
          const market = f.market.connect(trader.signer);
          if (order.kind === "offer" && trader.maxExportWh > 0n)
            await market.placeOffer(f.slot, order.qtyWh, order.tick);
          else await market.placeBid(f.slot, order.qtyWh, order.tick);
        }
        await passGate(f.registry, f.slot);
        await clearAll(f.market, 1, f.slot);
        await time.increaseTo(await f.registry.slotEnd(f.slot));

        const reference = new MeterSlotReference();
        const hasOrders = new Map<string, boolean>();
        const positions = new Map<string, bigint>();
        for (const trader of f.traders) {
          hasOrders.set(trader.address, (await f.market.positionOf(trader.address, f.slot)).liveOrders > 0n);
          positions.set(trader.address, await positionWhOf(f, trader.address, f.slot));
        }
        const batch: { reading: Reading; signature: string }[] = [];
        const substitutes: Reading[] = [];
        for (const [i, plan] of plans.entries()) {
          const trader = f.traders[i];
          const exportWh = plan.reading.exportWh > trader.maxExportWh ? 0n : plan.reading.exportWh;
          const reading = f.reading(trader.address, plan.reading.importWh, exportWh);
          if (plan.reading.kind === "read") batch.push({ reading, signature: await f.sign(reading) });
          if (plan.reading.kind === "substitute") substitutes.push(reading);
          if (plan.reading.kind === "overCapacity") {
            const over = { ...reading, importWh: IMPORT_WH + 1n };
            batch.push({ reading: over, signature: await f.sign(over) });
          }
        }
        const readings = batch.map((b) => b.reading);
        const signatures = batch.map((b) => b.signature);
        const good = readings.filter((r) => r.importWh <= IMPORT_WH);
        expect(await f.meter.submitReadings.staticCall(readings, signatures)).to.equal(BigInt(good.length));
        await f.meter.submitReadings(readings, signatures);
        for (const r of good)
          reference.accept(r, false, IMPORT_WH, positions.get(r.participant)!, hasOrders.get(r.participant)!);
        for (const r of substitutes) {
          await f.meter.connect(f.registrar).submitSubstitute(r);
          reference.accept(r, true, IMPORT_WH, positions.get(r.participant)!, hasOrders.get(r.participant)!);
        }
        await expectSlot(f, reference);

        await time.increaseTo((await f.meter.readingWindowOf(f.slot))[1]);
        const missing = f.traders
          .map((t) => t.address)
          .filter((a) => hasOrders.get(a) && !reference.records.has(a));
        if (missing.length > 0) await f.meter.accountMissing(1, f.slot, missing);
        for (const a of missing) reference.accountMissing(a, IMPORT_WH, positions.get(a)!);
        await expectSlot(f, reference);
        expect(await f.meter.isProposable(1, f.slot)).to.equal(true);

        const excluded = plans
          .map((plan, i) => ({ plan, address: f.traders[i].address }))
          .filter(({ plan, address }) => plan.exclude && reference.records.get(address)?.status !== "Missing")
          .filter(({ address }) => reference.records.has(address))
          .map(({ address }) => address);
        await f.meter.connect(f.consensus).finalizeMeterData(1, f.slot, excluded);
        for (const a of excluded) reference.exclude(a);
        await expectSlot(f, reference);
        for (const [address, record] of reference.records) {
          const stored = await f.meter.meterRecord(address, f.slot);
          expect(stored.imbalanceWh).to.equal(record.exportWh - record.importWh - record.positionWh);
          expect(stored.excluded).to.equal(record.excluded);
        }
      }),
      { numRuns: FC_RUNS, seed: FC_SEED },
    );
  });
});
