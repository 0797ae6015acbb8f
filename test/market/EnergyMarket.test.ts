// Unit tests of EnergyMarket: one describe per external function, every revert path, the role matrix,
// and the named scenarios of the brief (gate in the same block, front-run permit, reserved funds,
// microgrids never mixing, SPEC §7.2 worked example through the market).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import { describeRoleMatrix, type PrivilegedCall } from "../shared/roleMatrix";
import {
  BUY_TICK,
  DEPOSIT,
  EXPORT_WH,
  FEE_BPS,
  IMPORT_WH,
  MARKET_ROLE_IDS,
  MAX_CLEAR_GAS,
  MIN_ORDER_WH,
  PENALTY_BPS,
  Phase,
  SELL_TICK,
  SETTLE_DEADLINE,
  SETTLE_GRACE,
  Side,
  TICK_SIZE,
  TRC,
  clearAll,
  deployMarketFixture,
  deployScenarioFixture,
  escrowOf,
  expectMoneyConserved,
  marketFactory,
  passGate,
  reserveOf,
  signPermit,
  type MarketFixture,
} from "./marketFixtures";

/** The fixture with one offer by p1 (1 000 Wh at tick 100) and one bid by c1 (800 Wh up to tick 150). */
async function withOrdersFixture() {
  const f = await deployMarketFixture();
  await f.market.connect(f.p1).placeOffer(f.slot, 1_000n, 100);
  await f.market.connect(f.c1).placeBid(f.slot, 800n, 150);
  return f;
}

/** Every account of the market fixture that holds a prepaid balance. */
function traders(f: MarketFixture): string[] {
  return [f.p1, f.p2, f.p3, f.p4, f.c1, f.c2, f.c3].map((signer) => signer.address);
}

/** `withOrdersFixture` cleared. */
async function clearedFixture() {
  const f = await withOrdersFixture();
  await passGate(f.registry, f.slot);
  await clearAll(f.market, 1, f.slot);
  return f;
}

describe("EnergyMarket", function () {
  describe("constructor", function () {
    it("sets the SPEC defaults and the admin", async function () {
      const { market, admin, coin, registry, oracle } = await loadFixture(deployMarketFixture);
      expect(await market.tickSize()).to.equal(TICK_SIZE);
      expect(await market.feeBps()).to.equal(FEE_BPS);
      expect(await market.minOrderWh()).to.equal(MIN_ORDER_WH);
      expect(await market.maxClearGas()).to.equal(MAX_CLEAR_GAS);
      expect(await market.penaltyBps()).to.equal(PENALTY_BPS);
      expect(await market.settleGrace()).to.equal(SETTLE_GRACE);
      expect(await market.settleDeadline()).to.equal(SETTLE_DEADLINE);
      expect(await market.hasRole(MARKET_ROLE_IDS.DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await market.COIN()).to.equal(await coin.getAddress());
      expect(await market.REGISTRY()).to.equal(await registry.getAddress());
      expect(await market.ORACLE()).to.equal(await oracle.getAddress());
      expect(await market.SETTLEMENT_ROLE()).to.equal(MARKET_ROLE_IDS.SETTLEMENT_ROLE);
    });

    it("refuses a zero address for each argument", async function () {
      const { market, admin, coin, registry, oracle } = await loadFixture(deployMarketFixture);
      const factory = await marketFactory();
      const args = [
        admin.address,
        await coin.getAddress(),
        await registry.getAddress(),
        await oracle.getAddress(),
      ];
      for (let i = 0; i < args.length; i++) {
        const bad = [...args];
        bad[i] = ethers.ZeroAddress;
        await expect(factory.deploy(bad[0], bad[1], bad[2], bad[3])).to.be.revertedWithCustomError(
          market,
          "ZeroAddress",
        );
      }
    });
  });

  describe("constructor with a long order horizon", function () {
    it("refuses a registry whose horizon leaves no room for the settle window", async function () {
      const { market, admin, coin, registry, oracle, genesis } = await loadFixture(deployMarketFixture);
      const factory = await marketFactory();
      const longHorizon = await ethers.deployContract("Registry", [
        admin.address,
        genesis,
        900n,
        900n,
        244n,
        64,
        10n ** 17n,
        10n ** 16n,
        admin.address,
      ]);
      await expect(
        factory.deploy(
          admin.address,
          await coin.getAddress(),
          await longHorizon.getAddress(),
          await oracle.getAddress(),
        ),
      )
        .to.be.revertedWithCustomError(market, "InvalidParameter")
        .withArgs(ethers.encodeBytes32String("settleGrace"), 4n);
      expect(await registry.maxLeadSlots()).to.equal(96n);
    });
  });

  describe("parameter setters", function () {
    const cases: [string, bigint, bigint[]][] = [
      ["TickSize", 2n * TICK_SIZE, [0n, 10n ** 21n + 1n]],
      ["FeeBps", 250n, [10_001n]],
      ["MinOrderWh", 50n, [0n, 2n ** 64n]],
      ["MaxClearGas", 2_000_000n, [499_999n, 30_000_001n]],
      ["PenaltyBps", 3_000n, [10_001n]],
      ["SettleGrace", 10n, [256n - 96n - SETTLE_DEADLINE]],
      ["SettleDeadline", 12n, [256n - 96n - SETTLE_GRACE]],
      ["MaxOrdersPerSlot", 512n, [0n, 513n]],
      ["GridFloat", 50n * TRC, [2n ** 128n]],
    ];
    for (const [name, good, bads] of cases) {
      const getter = name.charAt(0).toLowerCase() + name.slice(1);
      describe(`set${name}`, function () {
        it(`sets ${getter} and emits ParameterSet with the old and new values`, async function () {
          const { market, paramsSetter } = await loadFixture(deployMarketFixture);
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const m = market.connect(paramsSetter) as any;
          const old = await m[getter]();
          await expect(m[`set${name}`](good))
            .to.emit(market, "ParameterSet")
            .withArgs(ethers.encodeBytes32String(getter), old, good);
          expect(await m[getter]()).to.equal(good);
        });

        it(`refuses invalid values of ${getter} with InvalidParameter`, async function () {
          const { market, paramsSetter } = await loadFixture(deployMarketFixture);
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          const m = market.connect(paramsSetter) as any;
          for (const bad of bads) {
            await expect(m[`set${name}`](bad))
              .to.be.revertedWithCustomError(market, "InvalidParameter")
              .withArgs(ethers.encodeBytes32String(getter), bad);
          }
        });
      });
    }

    it("never changes the terms of a book that has its first order", async function () {
      const { market, p1, paramsSetter, slot } = await loadFixture(withOrdersFixture);
      await market.connect(paramsSetter).setTickSize(2n * TICK_SIZE);
      await market.connect(paramsSetter).setFeeBps(500n);
      await market.connect(paramsSetter).setPenaltyBps(5_000n);
      const terms = await market.bookTerms(1, slot);
      expect([terms.tickSize, terms.feeBps, terms.penaltyBps, terms.opened]).to.deep.equal([
        TICK_SIZE,
        FEE_BPS,
        PENALTY_BPS,
        true,
      ]);
      // A further offer in that book still reserves with the book's penalty.
      await market.connect(p1).placeOffer(slot, 500n, 100);
      expect((await market.positionOf(p1.address, slot)).reserve).to.equal(reserveOf(IMPORT_WH, 1_500n));
    });
  });

  const privileged: PrivilegedCall<MarketFixture>[] = [
    { name: "setTickSize", role: "PARAMS_ROLE", call: (f, s) => f.market.connect(s).setTickSize(TICK_SIZE) },
    { name: "setFeeBps", role: "PARAMS_ROLE", call: (f, s) => f.market.connect(s).setFeeBps(1n) },
    { name: "setMinOrderWh", role: "PARAMS_ROLE", call: (f, s) => f.market.connect(s).setMinOrderWh(1n) },
    {
      name: "setMaxClearGas",
      role: "PARAMS_ROLE",
      call: (f, s) => f.market.connect(s).setMaxClearGas(1_000_000n),
    },
    { name: "setPenaltyBps", role: "PARAMS_ROLE", call: (f, s) => f.market.connect(s).setPenaltyBps(1n) },
    { name: "setSettleGrace", role: "PARAMS_ROLE", call: (f, s) => f.market.connect(s).setSettleGrace(1n) },
    {
      name: "setSettleDeadline",
      role: "PARAMS_ROLE",
      call: (f, s) => f.market.connect(s).setSettleDeadline(1n),
    },
    {
      name: "setMaxOrdersPerSlot",
      role: "PARAMS_ROLE",
      call: (f, s) => f.market.connect(s).setMaxOrdersPerSlot(1n),
    },
    {
      name: "setGridFloat",
      role: "PARAMS_ROLE",
      call: (f, s) => f.market.connect(s).setGridFloat(1n),
    },
    {
      name: "settleAccount",
      role: "SETTLEMENT_ROLE",
      call: (f, s) => f.market.connect(s).settleAccount(f.p1.address, f.slot, 0n, 0n),
    },
    {
      name: "disburse",
      role: "SETTLEMENT_ROLE",
      call: (f, s) => f.market.connect(s).disburse(f.p1.address, 0n, 0n),
    },
  ];
  describeRoleMatrix(MARKET_ROLE_IDS, privileged, () => loadFixture(deployMarketFixture));

  describe("deposit", function () {
    it("moves TRC into the prepaid balance and emits Deposited", async function () {
      const { market, coin, p1 } = await loadFixture(deployMarketFixture);
      await expect(market.connect(p1).deposit(5n * TRC))
        .to.emit(market, "Deposited")
        .withArgs(p1.address, 5n * TRC, DEPOSIT + 5n * TRC);
      await expect(market.connect(p1).deposit(TRC)).to.changeTokenBalances(coin, [p1, market], [-TRC, TRC]);
      expect(await market.balanceOf(p1.address)).to.equal(DEPOSIT + 6n * TRC);
    });

    it("refuses zero", async function () {
      const { market, p1 } = await loadFixture(deployMarketFixture);
      await expect(market.connect(p1).deposit(0n)).to.be.revertedWithCustomError(market, "ZeroAmount");
    });

    it("refuses without allowance", async function () {
      const { market, coin, p1 } = await loadFixture(deployMarketFixture);
      await coin.connect(p1).approve(await market.getAddress(), 0n);
      await expect(market.connect(p1).deposit(TRC)).to.be.revertedWithCustomError(
        coin,
        "ERC20InsufficientAllowance",
      );
    });
  });

  describe("depositWithPermit", function () {
    it("deposits with a permit instead of an allowance", async function () {
      const { market, coin, p1 } = await loadFixture(deployMarketFixture);
      const spender = await market.getAddress();
      await coin.connect(p1).approve(spender, 0n);
      const p = await signPermit(coin, p1, spender, 7n * TRC);
      await expect(market.connect(p1).depositWithPermit(7n * TRC, p.deadline, p.v, p.r, p.s))
        .to.emit(market, "Deposited")
        .withArgs(p1.address, 7n * TRC, DEPOSIT + 7n * TRC);
    });

    it("still deposits when the permit was front-run, since the allowance suffices", async function () {
      const { market, coin, p1, stranger } = await loadFixture(deployMarketFixture);
      const spender = await market.getAddress();
      await coin.connect(p1).approve(spender, 0n);
      const p = await signPermit(coin, p1, spender, 7n * TRC);
      await coin.connect(stranger).permit(p1.address, spender, 7n * TRC, p.deadline, p.v, p.r, p.s);
      await expect(market.connect(p1).depositWithPermit(7n * TRC, p.deadline, p.v, p.r, p.s)).to.emit(
        market,
        "Deposited",
      );
    });

    it("fails when the permit is invalid and there is no allowance", async function () {
      const { market, coin, p1, p2 } = await loadFixture(deployMarketFixture);
      const spender = await market.getAddress();
      await coin.connect(p1).approve(spender, 0n);
      const p = await signPermit(coin, p2, spender, 7n * TRC);
      await expect(
        market.connect(p1).depositWithPermit(7n * TRC, p.deadline, p.v, p.r, p.s),
      ).to.be.revertedWithCustomError(coin, "ERC20InsufficientAllowance");
    });

    it("refuses zero", async function () {
      const { market, coin, p1 } = await loadFixture(deployMarketFixture);
      const p = await signPermit(coin, p1, await market.getAddress(), 0n);
      await expect(
        market.connect(p1).depositWithPermit(0n, p.deadline, p.v, p.r, p.s),
      ).to.be.revertedWithCustomError(market, "ZeroAmount");
    });
  });

  describe("withdraw", function () {
    it("pays out the free balance and emits Withdrawn", async function () {
      const { market, coin, p1 } = await loadFixture(deployMarketFixture);
      await expect(market.connect(p1).withdraw(TRC))
        .to.emit(market, "Withdrawn")
        .withArgs(p1.address, TRC, DEPOSIT - TRC);
      await expect(market.connect(p1).withdraw(TRC)).to.changeTokenBalances(coin, [p1, market], [TRC, -TRC]);
    });

    it("keeps the grid account's gridFloat: it withdraws only above it, and others are not affected", async function () {
      const { market, coin, issuer, paramsSetter, grid, p1 } = await loadFixture(deployMarketFixture);
      await coin.connect(issuer).issue(grid.address, 100n * TRC, ethers.id("grid-float"));
      await coin.connect(grid).approve(await market.getAddress(), 100n * TRC);
      await market.connect(grid).deposit(100n * TRC);
      await market.connect(paramsSetter).setGridFloat(60n * TRC);
      expect(await market.withdrawableOf(grid.address)).to.equal(40n * TRC);
      await expect(market.connect(grid).withdraw(40n * TRC + 1n))
        .to.be.revertedWithCustomError(market, "InsufficientFreeBalance")
        .withArgs(40n * TRC + 1n, 40n * TRC);
      await expect(market.connect(grid).withdraw(40n * TRC)).to.emit(market, "Withdrawn");
      expect(await market.withdrawableOf(p1.address)).to.equal(DEPOSIT);
    });

    it("refuses a withdrawal of reserved funds, naming the request and what is free", async function () {
      const { market, p1, slot } = await loadFixture(withOrdersFixture);
      const reserve = reserveOf(IMPORT_WH, 1_000n);
      expect(await market.reservedOf(p1.address)).to.equal(reserve);
      expect(await market.withdrawableOf(p1.address)).to.equal(DEPOSIT - reserve);
      await expect(market.connect(p1).withdraw(DEPOSIT))
        .to.be.revertedWithCustomError(market, "InsufficientFreeBalance")
        .withArgs(DEPOSIT, DEPOSIT - reserve);
      await expect(market.connect(p1).withdraw(DEPOSIT - reserve)).to.emit(market, "Withdrawn");
      expect((await market.positionOf(p1.address, slot)).reserve).to.equal(reserve);
    });

    it("refuses zero", async function () {
      const { market, p1 } = await loadFixture(deployMarketFixture);
      await expect(market.connect(p1).withdraw(0n)).to.be.revertedWithCustomError(market, "ZeroAmount");
    });

    it("refuses a frozen account", async function () {
      const { market, registry, p1, slot } = await loadFixture(withOrdersFixture);
      await time.increaseTo(await registry.slotStart(slot + SETTLE_GRACE + SETTLE_DEADLINE + 1n));
      await expect(market.connect(p1).withdraw(1n))
        .to.be.revertedWithCustomError(market, "AccountFrozen")
        .withArgs(p1.address, slot);
    });
  });

  describe("settleAccount", function () {
    it("releases a settled participant-slot's reserve, unfreezes and frees the funds", async function () {
      const { market, registry, settlement, p1, slot } = await loadFixture(clearedFixture);
      await time.increaseTo(await registry.slotStart(slot + SETTLE_GRACE + SETTLE_DEADLINE + 1n));
      expect(await market.isFrozen(p1.address)).to.equal(true);
      await expect(market.connect(settlement).settleAccount(p1.address, slot, 0n, 0n))
        .to.emit(market, "AccountSettled")
        .withArgs(p1.address, slot, 0n, 0n, 0n, DEPOSIT);
      expect(await market.reservedOf(p1.address)).to.equal(0n);
      expect(await market.isFrozen(p1.address)).to.equal(false);
      expect(await market.oldestUnsettledSlot(p1.address)).to.deep.equal([false, 0n]);
      await expect(market.connect(p1).withdraw(DEPOSIT)).to.emit(market, "Withdrawn");
    });

    it("moves a buyer's whole remaining escrow to the pool and keeps the money identity", async function () {
      const f = await loadFixture(clearedFixture);
      const { coin, market, settlement, p1, c1, slot } = f;
      const escrow = (await market.positionOf(c1.address, slot)).escrow;
      expect(escrow).to.equal(escrowOf(800n, 150));
      await expect(market.connect(settlement).settleAccount(c1.address, slot, 0n, 0n))
        .to.emit(market, "AccountSettled")
        .withArgs(c1.address, slot, escrow, 0n, 0n, DEPOSIT);
      expect(await market.totalEscrow()).to.equal(0n);
      expect(await market.settlementPool()).to.equal(escrow);
      expect((await market.positionOf(c1.address, slot)).escrow).to.equal(0n);
      await expectMoneyConserved(coin, market, traders(f), [slot]);
    });

    it("credits before it charges, and charges at most the balance", async function () {
      const f = await loadFixture(clearedFixture);
      const { coin, market, settlement, p1, c1, slot } = f;
      await market.connect(settlement).settleAccount(c1.address, slot, 0n, 0n);
      const pool = await market.settlementPool();
      const credit = 5n * TRC;
      await expect(market.connect(settlement).settleAccount(p1.address, slot, credit, 0n))
        .to.emit(market, "AccountSettled")
        .withArgs(p1.address, slot, 0n, credit, 0n, DEPOSIT + credit);
      expect(await market.settlementPool()).to.equal(pool - credit);
      // An account without orders in the slot: only its balance moves; a charge above it takes it all.
      const charge = DEPOSIT + credit + 1n;
      const before = await market.totalPrepaid();
      await expect(market.connect(settlement).settleAccount(p1.address, slot + 1n, 0n, charge))
        .to.emit(market, "AccountSettled")
        .withArgs(p1.address, slot + 1n, 0n, 0n, DEPOSIT + credit, 0n);
      expect(await market.totalPrepaid()).to.equal(before - DEPOSIT - credit);
      expect(await market.settlementPool()).to.equal(pool + DEPOSIT);
      await expectMoneyConserved(coin, market, traders(f), [slot]);
    });

    it("refuses a participant-slot settled already", async function () {
      const { market, settlement, p1, slot } = await loadFixture(clearedFixture);
      await market.connect(settlement).settleAccount(p1.address, slot, 0n, 0n);
      await expect(market.connect(settlement).settleAccount(p1.address, slot, 0n, 0n))
        .to.be.revertedWithCustomError(market, "AccountSlotSettled")
        .withArgs(p1.address, slot);
    });

    it("refuses before the book is cleared", async function () {
      const { market, settlement, p1, slot } = await loadFixture(withOrdersFixture);
      await expect(market.connect(settlement).settleAccount(p1.address, slot, 0n, 0n))
        .to.be.revertedWithCustomError(market, "BookNotCleared")
        .withArgs(1, slot);
    });
  });

  describe("disburse", function () {
    it("pays and burns out of the pool into the coin's reward budget", async function () {
      const f = await loadFixture(clearedFixture);
      const { coin, market, settlement, p1, c1, slot } = f;
      await market.connect(settlement).settleAccount(c1.address, slot, 0n, 0n);
      const pool = await market.settlementPool();
      const budget = await coin.rewardBudget();
      const tx = market.connect(settlement).disburse(p1.address, 3n, 4n);
      await expect(tx).to.emit(market, "PoolDisbursed").withArgs(p1.address, 3n, 4n);
      await expect(tx).to.changeTokenBalances(coin, [p1, market], [3n, -7n]);
      expect(await market.settlementPool()).to.equal(pool - 7n);
      expect(await coin.rewardBudget()).to.equal(budget + 4n);
      await expectMoneyConserved(coin, market, traders(f), [slot]);
    });

    it("may take the pool below zero while the market holds the coins (fees paid before buyers settle)", async function () {
      const f = await loadFixture(clearedFixture);
      const { coin, market, settlement, p1, c1, slot } = f;
      await market.connect(settlement).disburse(p1.address, 2n, 0n);
      expect(await market.settlementPool()).to.equal(-2n);
      await market.connect(settlement).settleAccount(c1.address, slot, 0n, 0n);
      await expectMoneyConserved(coin, market, traders(f), [slot]);
    });

    it("reverts when the market does not hold the coins", async function () {
      const { market, settlement, p1 } = await loadFixture(deployMarketFixture);
      const held = await (
        await ethers.getContractAt("TrustCoin", await market.COIN())
      ).balanceOf(await market.getAddress());
      await expect(market.connect(settlement).disburse(p1.address, held + 1n, 0n)).to.be.reverted;
    });
  });

  describe("participantCount", function () {
    it("counts participant-slots with live orders, and drops one whose last order is cancelled", async function () {
      const { market, p1, c1, slot } = await loadFixture(withOrdersFixture);
      expect(await market.participantCount(1, slot)).to.equal(2n);
      await market.connect(p1).placeOffer(slot, 100n, 100);
      expect(await market.participantCount(1, slot)).to.equal(2n);
      await market.connect(c1).cancel(slot, 2n);
      expect(await market.participantCount(1, slot)).to.equal(1n);
      expect(await market.participantCount(2, slot)).to.equal(0n);
    });
  });

  describe("placeOffer", function () {
    it("books the offer at the seller's TRP level, reserves and emits OfferPlaced", async function () {
      const { market, p1, slot } = await loadFixture(deployMarketFixture);
      const reserve = reserveOf(IMPORT_WH, 1_000n);
      const tx = market.connect(p1).placeOffer(slot, 1_000n, 100);
      await expect(tx).to.emit(market, "OfferPlaced").withArgs(p1.address, 1, slot, 1n, 1_000n, 100n, 2);
      await expect(tx).to.emit(market, "ReserveChanged").withArgs(p1.address, slot, reserve, reserve);
      await expect(tx).to.emit(market, "BookOpened").withArgs(1, slot, TICK_SIZE, FEE_BPS, PENALTY_BPS);
      const [order, owner] = await market.orderOf(1, slot, 1n);
      expect(owner).to.equal(p1.address);
      expect([order.side, order.qtyWh, order.tick, order.level]).to.deep.equal([
        Side.Offer,
        1_000n,
        100n,
        2n,
      ]);
      expect(await market.offerDepth(1, slot, 100)).to.deep.equal([0n, 1_000n, 0n, 0n]);
      const position = await market.positionOf(p1.address, slot);
      expect([position.side, position.orderedWh, position.liveOrders]).to.deep.equal([
        Side.Offer,
        1_000n,
        1n,
      ]);
      expect(await market.oldestUnsettledSlot(p1.address)).to.deep.equal([true, slot]);
    });

    it("accepts prices at both ends of the tariff band", async function () {
      const { market, p1, slot } = await loadFixture(deployMarketFixture);
      await expect(market.connect(p1).placeOffer(slot, 10n, SELL_TICK)).to.emit(market, "OfferPlaced");
      await expect(market.connect(p1).placeOffer(slot, 10n, BUY_TICK)).to.emit(market, "OfferPlaced");
    });

    it("refuses while the suite is paused", async function () {
      const { market, registry, pauser, p1, slot } = await loadFixture(deployMarketFixture);
      await registry.connect(pauser).pause();
      await expect(market.connect(p1).placeOffer(slot, 100n, 100)).to.be.revertedWithCustomError(
        market,
        "MarketPaused",
      );
    });

    it("refuses an unregistered account", async function () {
      const { market, stranger, slot } = await loadFixture(deployMarketFixture);
      await expect(market.connect(stranger).placeOffer(slot, 100n, 100))
        .to.be.revertedWithCustomError(market, "NotRegistered")
        .withArgs(stranger.address);
    });

    it("refuses a suspended or an indebted participant", async function () {
      const { market, registry, registrar, debtSetter, p1, p2, slot } =
        await loadFixture(deployMarketFixture);
      await registry.connect(registrar).suspend(p1.address);
      await expect(market.connect(p1).placeOffer(slot, 100n, 100))
        .to.be.revertedWithCustomError(market, "NotInGoodStanding")
        .withArgs(p1.address);
      await registry.connect(debtSetter).setIndebted(p2.address, true);
      await expect(market.connect(p2).placeOffer(slot, 100n, 100))
        .to.be.revertedWithCustomError(market, "NotInGoodStanding")
        .withArgs(p2.address);
    });

    it("refuses a participant frozen for an overdue unsettled slot", async function () {
      const { market, registry, p1, slot } = await loadFixture(withOrdersFixture);
      // Frozen once the slot is more than settleGrace + settleDeadline slots old.
      await time.increaseTo(await registry.slotStart(slot + SETTLE_GRACE + SETTLE_DEADLINE));
      expect(await market.isFrozen(p1.address)).to.equal(false);
      await time.increaseTo(await registry.slotStart(slot + SETTLE_GRACE + SETTLE_DEADLINE + 1n));
      expect(await market.isFrozen(p1.address)).to.equal(true);
      const later = (await registry.currentSlot()) + 4n;
      await expect(market.connect(p1).placeOffer(later, 100n, 100))
        .to.be.revertedWithCustomError(market, "AccountFrozen")
        .withArgs(p1.address, slot);
    });

    it("refuses an order in the same block as the gate, and accepts one a second before", async function () {
      const { market, registry, p1, p2, slot } = await loadFixture(deployMarketFixture);
      const gate = await registry.gate(slot);
      await time.setNextBlockTimestamp(gate - 1n);
      await expect(market.connect(p2).placeOffer(slot, 100n, 100)).to.emit(market, "OfferPlaced");
      await time.setNextBlockTimestamp(gate);
      await expect(market.connect(p1).placeOffer(slot, 100n, 100))
        .to.be.revertedWithCustomError(market, "OrderWindowClosed")
        .withArgs(slot);
    });

    it("refuses a slot beyond the order horizon", async function () {
      const { market, registry, p1 } = await loadFixture(deployMarketFixture);
      const beyond = (await registry.currentSlot()) + 97n;
      await expect(market.connect(p1).placeOffer(beyond, 100n, 100))
        .to.be.revertedWithCustomError(market, "OrderWindowClosed")
        .withArgs(beyond);
      // The market's own clock agrees with the registry's at the edge of the horizon.
      expect(await registry.isOrderWindowOpen(beyond - 1n)).to.equal(true);
      await expect(market.connect(p1).placeOffer(beyond - 1n, 100n, 100)).to.emit(market, "OfferPlaced");
    });

    it("refuses prices outside [λ_sell, λ_buy] and ticks outside 1..65535", async function () {
      const { market, p1, slot } = await loadFixture(deployMarketFixture);
      const sell = BigInt(SELL_TICK) * TICK_SIZE;
      const buy = BigInt(BUY_TICK) * TICK_SIZE;
      await expect(market.connect(p1).placeOffer(slot, 100n, SELL_TICK - 1))
        .to.be.revertedWithCustomError(market, "PriceOutsideBand")
        .withArgs(sell - TICK_SIZE, sell, buy);
      await expect(market.connect(p1).placeOffer(slot, 100n, BUY_TICK + 1))
        .to.be.revertedWithCustomError(market, "PriceOutsideBand")
        .withArgs(buy + TICK_SIZE, sell, buy);
      const book = await ethers.getContractAt("IOrderBook", await market.getAddress());
      await expect(market.connect(p1).placeOffer(slot, 100n, 0))
        .to.be.revertedWithCustomError(book, "OrderBookTickOutOfRange")
        .withArgs(0n);
      await expect(market.connect(p1).placeOffer(slot, 100n, 65_536))
        .to.be.revertedWithCustomError(book, "OrderBookTickOutOfRange")
        .withArgs(65_536n);
    });

    it("refuses an order below minOrderWh", async function () {
      const { market, p1, slot } = await loadFixture(deployMarketFixture);
      await expect(market.connect(p1).placeOffer(slot, MIN_ORDER_WH - 1n, 100))
        .to.be.revertedWithCustomError(market, "OrderBelowMinimum")
        .withArgs(MIN_ORDER_WH - 1n, MIN_ORDER_WH);
    });

    it("refuses a consumer's offer", async function () {
      const { market, c1, slot } = await loadFixture(deployMarketFixture);
      await expect(market.connect(c1).placeOffer(slot, 100n, 100))
        .to.be.revertedWithCustomError(market, "ConsumerCannotOffer")
        .withArgs(c1.address);
    });

    it("refuses an offer by a participant holding bids in the slot", async function () {
      const { market, p1, slot } = await loadFixture(deployMarketFixture);
      await market.connect(p1).placeBid(slot, 100n, 100);
      await expect(market.connect(p1).placeOffer(slot, 100n, 100))
        .to.be.revertedWithCustomError(market, "OppositeSideInSlot")
        .withArgs(p1.address, slot);
    });

    it("refuses offers totalling more than maxExportWh", async function () {
      const { market, p1, slot } = await loadFixture(deployMarketFixture);
      await market.connect(p1).placeOffer(slot, EXPORT_WH - 100n, 100);
      await expect(market.connect(p1).placeOffer(slot, 101n, 100))
        .to.be.revertedWithCustomError(market, "CapacityExceeded")
        .withArgs(EXPORT_WH + 1n, EXPORT_WH);
      await expect(market.connect(p1).placeOffer(slot, 100n, 100)).to.emit(market, "OfferPlaced");
    });

    it("refuses an offer whose reserve the balance cannot cover", async function () {
      const { market, p1, slot } = await loadFixture(deployMarketFixture);
      const reserve = reserveOf(IMPORT_WH, 1_000n);
      await market.connect(p1).withdraw(DEPOSIT - reserve + 1n);
      await expect(market.connect(p1).placeOffer(slot, 1_000n, 100))
        .to.be.revertedWithCustomError(market, "ReserveNotCovered")
        .withArgs(reserve - 1n, reserve);
    });

    it("counts the reserves of all slots against the balance", async function () {
      const { market, p1, slot } = await loadFixture(deployMarketFixture);
      const one = reserveOf(IMPORT_WH, 1_000n);
      await market.connect(p1).withdraw(DEPOSIT - 2n * one);
      await market.connect(p1).placeOffer(slot, 1_000n, 100);
      await market.connect(p1).placeOffer(slot + 1n, 1_000n, 100);
      expect(await market.reservedOf(p1.address)).to.equal(2n * one);
      await expect(market.connect(p1).placeOffer(slot + 2n, 1_000n, 100))
        .to.be.revertedWithCustomError(market, "ReserveNotCovered")
        .withArgs(2n * one, 3n * one);
    });
  });

  describe("placeBid", function () {
    it("refuses an order beyond maxOrdersPerSlot, cancelled orders counting, with OrderLimitReached", async function () {
      const { market, c1, p1, paramsSetter, slot } = await loadFixture(deployMarketFixture);
      expect(await market.maxOrdersPerSlot()).to.equal(64n);
      await market.connect(paramsSetter).setMaxOrdersPerSlot(2n);
      await market.connect(c1).placeBid(slot, 100n, 150);
      await market.connect(c1).cancel(slot, 1n);
      await market.connect(c1).placeBid(slot, 100n, 150);
      await expect(market.connect(c1).placeBid(slot, 100n, 150))
        .to.be.revertedWithCustomError(market, "OrderLimitReached")
        .withArgs(c1.address, slot, 2n);
      // The limit is per participant and per slot.
      await market.connect(c1).placeBid(slot + 1n, 100n, 150);
      await market.connect(p1).placeOffer(slot, 100n, 100);
      await market.connect(p1).placeOffer(slot, 100n, 100);
      await expect(market.connect(p1).placeOffer(slot, 100n, 100))
        .to.be.revertedWithCustomError(market, "OrderLimitReached")
        .withArgs(p1.address, slot, 2n);
    });

    it("keeps the reserve of a repeat bid, set by the first bid of the slot", async function () {
      const { market, c1, slot } = await loadFixture(deployMarketFixture);
      await market.connect(c1).placeBid(slot, 100n, 150);
      const reserved = await market.reservedOf(c1.address);
      await expect(market.connect(c1).placeBid(slot, 200n, 160)).not.to.emit(market, "ReserveChanged");
      expect(await market.reservedOf(c1.address)).to.equal(reserved);
      expect((await market.positionOf(c1.address, slot)).reserve).to.equal(reserveOf(IMPORT_WH, 0n));
    });

    it("escrows cost and fee at the limit, reserves and emits BidPlaced", async function () {
      const { market, coin, c1, slot } = await loadFixture(deployMarketFixture);
      const escrow = escrowOf(800n, 150);
      const tx = market.connect(c1).placeBid(slot, 800n, 150);
      await expect(tx)
        .to.emit(market, "BidPlaced")
        .withArgs(c1.address, 1, slot, 1n, 800n, 150n, 2, 12n * TRC, escrow);
      await expect(tx).to.changeTokenBalances(coin, [c1, market], [-escrow, escrow]);
      expect(await market.bidDepth(1, slot, 2, 150)).to.equal(800n);
      const position = await market.positionOf(c1.address, slot);
      expect([position.side, position.escrow, position.reserve]).to.deep.equal([
        Side.Bid,
        escrow,
        reserveOf(IMPORT_WH, 0n),
      ]);
      expect(await market.bidEscrow(1, slot, 800n, 150)).to.equal(escrow);
    });

    it("adds its reserve without checking the balance (the escrow is separate)", async function () {
      const { market, c1, slot } = await loadFixture(deployMarketFixture);
      await market.connect(c1).withdraw(DEPOSIT);
      await expect(market.connect(c1).placeBid(slot, 800n, 150)).to.emit(market, "BidPlaced");
      expect(await market.reservedOf(c1.address)).to.equal(reserveOf(IMPORT_WH, 0n));
      expect(await market.withdrawableOf(c1.address)).to.equal(0n);
    });

    it("refuses bids totalling more than maxImportWh", async function () {
      const { market, c1, slot } = await loadFixture(deployMarketFixture);
      await market.connect(c1).placeBid(slot, IMPORT_WH, 100);
      await expect(market.connect(c1).placeBid(slot, 10n, 100))
        .to.be.revertedWithCustomError(market, "CapacityExceeded")
        .withArgs(IMPORT_WH + 10n, IMPORT_WH);
    });

    it("refuses a bid by a participant holding offers in the slot", async function () {
      const { market, p1, slot } = await loadFixture(withOrdersFixture);
      await expect(market.connect(p1).placeBid(slot, 100n, 100))
        .to.be.revertedWithCustomError(market, "OppositeSideInSlot")
        .withArgs(p1.address, slot);
    });

    it("refuses the common checks: paused, unregistered, gate, band, minimum", async function () {
      const { market, registry, pauser, c1, stranger, slot } = await loadFixture(deployMarketFixture);
      await expect(market.connect(stranger).placeBid(slot, 100n, 100)).to.be.revertedWithCustomError(
        market,
        "NotRegistered",
      );
      await expect(market.connect(c1).placeBid(slot, 100n, BUY_TICK + 1)).to.be.revertedWithCustomError(
        market,
        "PriceOutsideBand",
      );
      await expect(market.connect(c1).placeBid(slot, 9n, 100)).to.be.revertedWithCustomError(
        market,
        "OrderBelowMinimum",
      );
      await expect(market.connect(c1).placeBid(1n, 100n, 100)).to.be.revertedWithCustomError(
        market,
        "OrderWindowClosed",
      );
      await registry.connect(pauser).pause();
      await expect(market.connect(c1).placeBid(slot, 100n, 100)).to.be.revertedWithCustomError(
        market,
        "MarketPaused",
      );
    });

    it("fails without allowance for the escrow", async function () {
      const { market, coin, c1, slot } = await loadFixture(deployMarketFixture);
      await coin.connect(c1).approve(await market.getAddress(), 0n);
      await expect(market.connect(c1).placeBid(slot, 100n, 100)).to.be.revertedWithCustomError(
        coin,
        "ERC20InsufficientAllowance",
      );
    });
  });

  describe("placeBidWithPermit", function () {
    it("places a bid with a permit for exactly the escrow", async function () {
      const { market, coin, c1, slot } = await loadFixture(deployMarketFixture);
      const spender = await market.getAddress();
      await coin.connect(c1).approve(spender, 0n);
      const escrow = await market.bidEscrow(1, slot, 800n, 150);
      const p = await signPermit(coin, c1, spender, escrow);
      const tx = market.connect(c1).placeBidWithPermit(slot, 800n, 150, p.deadline, p.v, p.r, p.s);
      await expect(tx).to.emit(market, "BidPlaced");
      await expect(tx).to.changeTokenBalances(coin, [c1, market], [-escrow, escrow]);
      expect(await coin.allowance(c1.address, spender)).to.equal(0n);
    });

    it("is not griefed by a front-run permit: the bid still goes through", async function () {
      const { market, coin, c1, stranger, slot } = await loadFixture(deployMarketFixture);
      const spender = await market.getAddress();
      await coin.connect(c1).approve(spender, 0n);
      const escrow = await market.bidEscrow(1, slot, 800n, 150);
      const p = await signPermit(coin, c1, spender, escrow);
      // An observer relays the permit first; the nonce moves on and the market's own permit call fails.
      await coin.connect(stranger).permit(c1.address, spender, escrow, p.deadline, p.v, p.r, p.s);
      await expect(market.connect(c1).placeBidWithPermit(slot, 800n, 150, p.deadline, p.v, p.r, p.s)).to.emit(
        market,
        "BidPlaced",
      );
    });

    it("fails when the permit is bad and there is no allowance", async function () {
      const { market, coin, c1, c2, slot } = await loadFixture(deployMarketFixture);
      const spender = await market.getAddress();
      await coin.connect(c1).approve(spender, 0n);
      const p = await signPermit(coin, c2, spender, await market.bidEscrow(1, slot, 800n, 150));
      await expect(
        market.connect(c1).placeBidWithPermit(slot, 800n, 150, p.deadline, p.v, p.r, p.s),
      ).to.be.revertedWithCustomError(coin, "ERC20InsufficientAllowance");
    });
  });

  describe("cancel", function () {
    it("refunds a bid's escrow, frees its reserve and emits OrderCancelled", async function () {
      const { market, coin, c1, slot } = await loadFixture(withOrdersFixture);
      const escrow = escrowOf(800n, 150);
      const tx = market.connect(c1).cancel(slot, 2n);
      await expect(tx).to.emit(market, "OrderCancelled").withArgs(c1.address, 1, slot, 2n, escrow);
      await expect(tx).to.changeTokenBalances(coin, [c1, market], [escrow, -escrow]);
      const position = await market.positionOf(c1.address, slot);
      expect([position.side, position.escrow, position.reserve, position.liveOrders]).to.deep.equal([
        Side.None,
        0n,
        0n,
        0n,
      ]);
      expect(await market.reservedOf(c1.address)).to.equal(0n);
      expect(await market.oldestUnsettledSlot(c1.address)).to.deep.equal([false, 0n]);
      expect(await market.bidDepth(1, slot, 2, 150)).to.equal(0n);
    });

    it("lowers an offer's reserve to that of the offers left", async function () {
      const { market, p1, slot } = await loadFixture(withOrdersFixture);
      await market.connect(p1).placeOffer(slot, 500n, 120);
      expect(await market.reservedOf(p1.address)).to.equal(reserveOf(IMPORT_WH, 1_500n));
      await expect(market.connect(p1).cancel(slot, 1n))
        .to.emit(market, "ReserveChanged")
        .withArgs(p1.address, slot, reserveOf(IMPORT_WH, 500n), reserveOf(IMPORT_WH, 500n));
      expect(await market.offerDepth(1, slot, 100)).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("refuses an unknown order, someone else's order and an order cancelled already", async function () {
      const { market, p1, p2, c1, slot } = await loadFixture(withOrdersFixture);
      await expect(market.connect(p1).cancel(slot, 9n))
        .to.be.revertedWithCustomError(market, "UnknownOrder")
        .withArgs(9n);
      await expect(market.connect(p2).cancel(slot, 1n))
        .to.be.revertedWithCustomError(market, "NotOrderOwner")
        .withArgs(1n, p1.address);
      await expect(market.connect(c1).cancel(slot, 1n))
        .to.be.revertedWithCustomError(market, "NotOrderOwner")
        .withArgs(1n, p1.address);
      await market.connect(p1).placeOffer(slot, 100n, 100);
      await market.connect(p1).cancel(slot, 1n);
      const book = await ethers.getContractAt("IOrderBook", await market.getAddress());
      await expect(market.connect(p1).cancel(slot, 1n))
        .to.be.revertedWithCustomError(book, "OrderBookOrderCancelled")
        .withArgs(1n);
    });

    it("still cancels while the suite is paused (pausing never blocks refunds)", async function () {
      const { market, registry, pauser, c1, slot } = await loadFixture(withOrdersFixture);
      await registry.connect(pauser).pause();
      await expect(market.connect(c1).cancel(slot, 2n)).to.emit(market, "OrderCancelled");
    });

    it("refuses a cancel at or after the gate", async function () {
      const { market, registry, p1, slot } = await loadFixture(withOrdersFixture);
      await time.setNextBlockTimestamp(await registry.gate(slot));
      await expect(market.connect(p1).cancel(slot, 1n))
        .to.be.revertedWithCustomError(market, "OrderWindowClosed")
        .withArgs(slot);
    });

    it("keeps a buyer counted at its next highest limit after cancelling its highest bid", async function () {
      const { market, registry, c1, p1, slot } = await loadFixture(withOrdersFixture);
      await market.connect(c1).placeBid(slot, 100n, 200);
      await market.connect(c1).cancel(slot, 3n);
      await passGate(registry, slot);
      await clearAll(market, 1, slot);
      const totals = await market.slotAggregates(1, slot);
      expect(totals.buyers).to.equal(1n);
      // Level 2 (every trader's level at the oracle's initial score) reaches 75 % of the 1 000 Wh offered.
      expect(totals.tradedWh).to.equal(750n);
      expect((await market.positionOf(p1.address, slot)).filledWh).to.equal(750n);
    });
  });

  describe("clear", function () {
    it("closes the book with the oracle's access fractions and clears it, emitting events", async function () {
      const { market, registry, stranger, slot } = await loadFixture(withOrdersFixture);
      await passGate(registry, slot);
      const tx = market.connect(stranger).clear(1, slot);
      await expect(tx)
        .to.emit(market, "BookClosed")
        .withArgs(1, slot, [5n * 10n ** 17n, 75n * 10n ** 16n, 9n * 10n ** 17n, 10n ** 18n]);
      await expect(tx).to.emit(market, "ClearingAdvanced").withArgs(1, slot, stranger.address, true);
      expect(await market.isCleared(1, slot)).to.equal(true);
      expect(await market.bookPhase(1, slot)).to.equal(Phase.Cleared);
    });

    it("refuses before the gate", async function () {
      const { market, registry, slot } = await loadFixture(withOrdersFixture);
      const gate = await registry.gate(slot);
      await expect(market.clear(1, slot))
        .to.be.revertedWithCustomError(market, "GateNotPassed")
        .withArgs(slot, gate);
    });

    it("refuses an unknown microgrid", async function () {
      const { market, slot } = await loadFixture(withOrdersFixture);
      await expect(market.clear(9, slot))
        .to.be.revertedWithCustomError(market, "UnknownMicrogrid")
        .withArgs(9);
    });

    it("refuses a book cleared already", async function () {
      const { market, slot } = await loadFixture(clearedFixture);
      const book = await ethers.getContractAt("IOrderBook", await market.getAddress());
      await expect(market.clear(1, slot)).to.be.revertedWithCustomError(book, "OrderBookAlreadyCleared");
    });

    it("clears an empty book in one call", async function () {
      const { market, registry, slot } = await loadFixture(deployMarketFixture);
      await passGate(registry, slot);
      await expect(market.clear(2, slot)).to.emit(market, "ClearingAdvanced");
      expect(await market.isCleared(2, slot)).to.equal(true);
      expect((await market.slotAggregates(2, slot)).tradedWh).to.equal(0n);
    });

    it("makes progress in every call under a small gas budget", async function () {
      const { market, registry, traders, admin, slot } = await loadFixture(deployScenarioFixture);
      for (let i = 0; i < 6; i++)
        await market.connect(traders[i]).placeOffer(slot, 100n + BigInt(i), 80 + 10 * i);
      for (let i = 6; i < 18; i++) await market.connect(traders[i]).placeBid(slot, 50n, 80 + 10 * i);
      await market.connect(admin).setMaxClearGas(500_000n);
      await passGate(registry, slot);
      let calls = 0;
      let last = -1n;
      while (!(await market.isCleared(1, slot))) {
        await market.clear(1, slot);
        const p = await market.clearingProgress(1, slot);
        // Stages run 1, then (2, 3) for levels 4, 3, 2, 1, then 4; the cursor grows within a stage.
        const phase = p.stage === 1n ? 0n : p.stage === 4n ? 1_000n : (5n - p.level) * 10n + p.stage;
        const at = phase * 1_000_000n + p.cursorTick;
        expect(at).to.be.greaterThan(last);
        last = at;
        calls++;
      }
      expect(calls).to.be.greaterThan(1);
    });
  });

  describe("withdrawUnfilled", function () {
    it("returns escrow minus cost and fee once, and keeps cost and fee in the market", async function () {
      const { market, coin, c1, slot } = await loadFixture(clearedFixture);
      const fill = await market.fillOf(1, slot, 2n);
      const escrow = escrowOf(800n, 150);
      // A level-2 buyer reaches 75 % of the 1 000 Wh offered: 750 Wh at tick 100, 0.075 TRC, fee 1 %.
      expect(fill.filledWh).to.equal(750n);
      expect(fill.money).to.equal((750n * 100n * TICK_SIZE) / 1000n);
      expect(fill.fee).to.equal((750n * 100n * TICK_SIZE) / 1000n / 100n);
      const refund = escrow - fill.money - fill.fee;
      const tx = market.connect(c1).withdrawUnfilled(slot);
      await expect(tx).to.emit(market, "UnfilledWithdrawn").withArgs(c1.address, slot, refund);
      await expect(tx).to.changeTokenBalances(coin, [c1, market], [refund, -refund]);
      expect(await market.totalEscrow()).to.equal(fill.money + fill.fee);
      await expect(market.connect(c1).withdrawUnfilled(slot))
        .to.be.revertedWithCustomError(market, "UnfilledAlreadyWithdrawn")
        .withArgs(c1.address, slot);
    });

    it("refuses before clearing is complete", async function () {
      const { market, c1, slot } = await loadFixture(withOrdersFixture);
      await expect(market.connect(c1).withdrawUnfilled(slot))
        .to.be.revertedWithCustomError(market, "BookNotCleared")
        .withArgs(1, slot);
    });

    it("refuses an account without bids in the slot", async function () {
      const { market, p1, slot } = await loadFixture(clearedFixture);
      await expect(market.connect(p1).withdrawUnfilled(slot))
        .to.be.revertedWithCustomError(market, "NoBids")
        .withArgs(p1.address, slot);
    });

    // Found by the external-function review (docs/review.md, M1) and by the random-operation harness (test/harness,
    // seed 20251125): after settlement released the escrow, the refund `escrow − cost − fee` underflowed (panic
    // 0x11) for a filled buyer and "succeeded" with nothing for an unfilled one.
    it("refuses with AccountSlotSettled once settlement has taken the escrow (not an arithmetic panic)", async function () {
      const { market, settlement, c1, slot } = await loadFixture(clearedFixture);
      // Settlement moves all the escrow left, the unfilled part included, to the pool (and refunds it).
      await market.connect(settlement).settleAccount(c1.address, slot, 0n, 0n);
      await expect(market.connect(c1).withdrawUnfilled(slot))
        .to.be.revertedWithCustomError(market, "AccountSlotSettled")
        .withArgs(c1.address, slot);
      expect((await market.positionOf(c1.address, slot)).unfilledWithdrawn).to.equal(false);
    });
  });

  describe("views", function () {
    it("positionOf sums a participant's fills, and slotAggregates counts its buyers", async function () {
      const { market, p1, c1, slot } = await loadFixture(clearedFixture);
      const seller = await market.positionOf(p1.address, slot);
      const cost = 75n * 10n ** 15n;
      expect([seller.filledWh, seller.money, seller.fee]).to.deep.equal([750n, cost, 0n]);
      const buyer = await market.positionOf(c1.address, slot);
      expect([buyer.filledWh, buyer.money, buyer.fee]).to.deep.equal([750n, cost, cost / 100n]);
      const totals = await market.slotAggregates(1, slot);
      expect(totals.buyers).to.equal(1n);
      expect(totals.tradedWh).to.equal(750n);
      expect(totals.buyerCost).to.equal(cost);
      // Σ fee · score: 7.5e14 · 12e18 (the oracle's initial score).
      expect(totals.feeScoreWad).to.equal((cost / 100n) * 12n * 10n ** 18n);
      expect(await market.orderIdsOf(c1.address, slot)).to.deep.equal([2n]);
      expect(await market.orderCount(1, slot)).to.equal(2n);
    });

    it("oldestUnsettledSlot follows the oldest slot across a 256-slot word boundary", async function () {
      const { market, registry, settlement, p1 } = await loadFixture(deployMarketFixture);
      await time.increaseTo((await registry.slotStart(250n)) + 100n);
      for (const slot of [258n, 255n, 257n]) await market.connect(p1).placeOffer(slot, 100n, 100);
      expect(await market.oldestUnsettledSlot(p1.address)).to.deep.equal([true, 255n]);
      // Cancelling the only order of slot 255 empties the lower word: the oldest moves to the next word.
      await market.connect(p1).cancel(255n, 1n);
      expect(await market.oldestUnsettledSlot(p1.address)).to.deep.equal([true, 257n]);
      await passGate(registry, 258n);
      await clearAll(market, 1, 257n);
      await clearAll(market, 1, 258n);
      await market.connect(settlement).settleAccount(p1.address, 257n, 0n, 0n);
      expect(await market.oldestUnsettledSlot(p1.address)).to.deep.equal([true, 258n]);
      await market.connect(settlement).settleAccount(p1.address, 258n, 0n, 0n);
      expect(await market.oldestUnsettledSlot(p1.address)).to.deep.equal([false, 0n]);
      expect(await market.reservedOf(p1.address)).to.equal(0n);
    });

    it("slotAggregates refuses before clearing", async function () {
      const { market, slot } = await loadFixture(withOrdersFixture);
      await expect(market.slotAggregates(1, slot))
        .to.be.revertedWithCustomError(market, "BookNotCleared")
        .withArgs(1, slot);
    });
  });

  describe("shards", function () {
    it("keeps the books of two microgrids apart: orders never meet across them", async function () {
      const { market, registry, p1, c2, p3, c1, slot } = await loadFixture(deployMarketFixture);
      // A cheap offer in microgrid 1 and a high bid in microgrid 2 would trade if books mixed.
      await market.connect(p1).placeOffer(slot, 1_000n, 90);
      await market.connect(c2).placeBid(slot, 1_000n, 250);
      await market.connect(p3).placeOffer(slot, 300n, 200);
      await market.connect(c1).placeBid(slot, 100n, 85);
      expect(await market.orderCount(1, slot)).to.equal(2n);
      expect(await market.orderCount(2, slot)).to.equal(2n);
      await passGate(registry, slot);
      await clearAll(market, 1, slot);
      expect(await market.isCleared(2, slot)).to.equal(false);
      await clearAll(market, 2, slot);
      expect((await market.positionOf(p1.address, slot)).filledWh).to.equal(0n);
      expect((await market.positionOf(c1.address, slot)).filledWh).to.equal(0n);
      // Microgrid 2 trades on its own: a level-2 buyer reaches 75 % of the 300 Wh offered there.
      expect((await market.positionOf(c2.address, slot)).filledWh).to.equal(225n);
      expect((await market.positionOf(p3.address, slot)).filledWh).to.equal(225n);
      expect((await market.slotAggregates(1, slot)).tradedWh).to.equal(0n);
      expect((await market.slotAggregates(2, slot)).tradedWh).to.equal(225n);
    });
  });

  describe("SPEC §7.2 worked example through the market (mock oracle)", function () {
    it("fills B1 28, B2 8, B3 0 and the sellers 16, 12, 8, leaving 4 Wh reserved for level 4 unsold", async function () {
      const { market, oracle, registry, traders, slot } = await loadFixture(deployScenarioFixture);
      const [s4, s1, s3, b1, b2, b3] = traders;
      const levels: [typeof s4, number][] = [
        [s4, 4],
        [s1, 1],
        [s3, 3],
        [b1, 3],
        [b2, 2],
        [b3, 2],
      ];
      for (const [t, level] of levels) await oracle.setTrader(t.address, level, 12n * TRC);
      // Tick size 0.08 TRC/kWh so that ticks 1 and 2 lie in the tariff band [0.08, 0.30].
      await market.setTickSize(8n * 10n ** 16n);
      await market.setMinOrderWh(1n);
      await market.connect(s4).placeOffer(slot, 16n, 1);
      await market.connect(s1).placeOffer(slot, 16n, 1);
      await market.connect(s3).placeOffer(slot, 8n, 2);
      await market.connect(b1).placeBid(slot, 28n, 1);
      await market.connect(b2).placeBid(slot, 12n, 2);
      await market.connect(b3).placeBid(slot, 12n, 1);
      await passGate(registry, slot);
      await clearAll(market, 1, slot);
      const filled = async (t: typeof s4) => (await market.positionOf(t.address, slot)).filledWh;
      expect(await filled(b1)).to.equal(28n);
      expect(await filled(b2)).to.equal(8n);
      expect(await filled(b3)).to.equal(0n);
      expect(await filled(s4)).to.equal(16n);
      expect(await filled(s1)).to.equal(12n);
      expect(await filled(s3)).to.equal(8n);
      const totals = await market.slotAggregates(1, slot);
      expect(totals.tradedWh).to.equal(36n);
      expect(totals.buyers).to.equal(2n);
      // B2 pays 8 Wh at tick 2 = 16 Wh·tick · 0.08 TRC/kWh.
      expect((await market.positionOf(b2.address, slot)).money).to.equal((16n * 8n * 10n ** 16n) / 1000n);
    });
  });
});
