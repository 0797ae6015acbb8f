// Reentrancy through the suite's external calls (SPEC §10 "Once"), against the deployed suite.
//
// The argument. A re-entry needs a call that hands control to code the attacker chose. Every external call
// the suite makes goes to one of its own deployed contracts, fixed at construction (immutables), or to the
// coin:
//   EnergyMarket      → TrustCoin   safeTransfer (withdraw, withdrawUnfilled, disburse), safeTransferFrom
//                                    (deposit, placeBid), permit (…WithPermit), burnToBudget (disburse);
//                       Registry    participant, capacityAt, tariffAt, gate, isOrderWindowOpen, currentSlot,
//                                    isMicrogrid, gridAccount, paused (views);
//                       Oracle      traderScore, trpLevelOf, accessFraction (views);
//                       LinkedOrderBook (a linked library: DELEGATECALL into the market's own code).
//   Settlement        → EnergyMarket settleAccount, disburse (SETTLEMENT_ROLE), positionOf, bookTerms,
//                                    slotAggregates, isCleared, participantCount, settlementPool,
//                                    withdrawableOf, settleDeadline (views);
//                       MeterReadings slotMeter, meterRecord (views); Oracle recordTrade (TRADE_SCORER_ROLE);
//                       Registry    setIndebted (DEBT_ROLE), participant, capacityAt, tariffAt, slotEnd,
//                                    microgridCount, microgridAt, gridAccount (views).
//   TradeBlocks       → TrustCoin   mintReward (REWARD_MINTER_ROLE, to the proposer);
//                       MeterReadings finalizeMeterData (CONSENSUS_ROLE), readingDigest, isProposable,
//                                    slotMeter; Committees ensureCommittee, epochOf, committeeInfo;
//                       Settlement  payBlockFees (CONSENSUS_ROLE); Oracle scoreBlock, scoreMissedRound,
//                                    penalise, blockRewardParts, validatorScore; ValidatorRegistry eject,
//                                    validator; EnergyMarket slotAggregates.
//   ValidatorRegistry → TrustCoin   safeTransferFrom, permit, allowance, burnToBudget;
//                       Oracle      initValidator, zeroValidator, traderScore, validatorScore;
//                       Registry    isRegistered, isInGoodStanding, paused (views).
//   Committees        → ValidatorRegistry topEligible (view).
//   MeterReadings     → Registry, EnergyMarket (views only).
//   TrustScoreOracle  → Registry participant (view); its trade ledger (Settlement, set by the admin) hasSettledTrade.
//   TrustCoin, Registry → none.
// (a) The coin is OpenZeppelin's ERC-20 + EIP-2612 with no receive hooks (no ERC-777 tokensReceived, no
//     ERC-1363 onTransferReceived, no ether), so a transfer, mint or burn never calls the recipient: the first
//     test shows a hostile contract receiving coins is never called back.
// (b) Every external function of the money-holding contracts (market, settlement, validator registry, trade
//     blocks) that is not a role-gated setter is `nonReentrant` (ReentrancyGuardTransient), and the
//     market's `settleAccount`/`disburse` are callable only by Settlement (SETTLEMENT_ROLE), whose entry
//     points are `nonReentrant`: the second test checks this in the sources, function by function of the ABI.
// (c) A hostile contract as participant and as grid account, trying to re-enter the market from every
//     callback while coins are paid to it, is never given control (third test). A proposer receiving
//     `disburse` (λ_b) and `mintReward` must sign its proposal with an ECDSA key (TradeBlocks recovers the
//     signer), so it is an EOA key; even a contract address would only receive hook-less ERC-20 transfers.
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Wallet, type Interface } from "ethers";

import { SUITE_GRANTS } from "../../deploy/modules/GridTrust";
import {
  Kind,
  TRC,
  deployedSuiteFixture,
  expectMoneyIdentities,
  fiatRef,
  passGateAndClear,
} from "../integration/suiteFixture";

async function hostileAccountFixture() {
  const f = await deployedSuiteFixture();
  const hostile = await (await ethers.getContractFactory("ReentrantAccount")).deploy();
  const slot = (await f.registry.currentSlot()) + 3n;
  return { ...f, hostile, slot };
}

/** The declaration of `name` in `source` up to its body: visibility and modifiers. */
function declarationOf(source: string, name: string): string | undefined {
  const start = source.search(new RegExp(`function ${name}\\s*\\(`));
  if (start < 0) return undefined;
  return source.slice(start, source.indexOf("{", start));
}

describe("Reentrancy through the suite's external calls (deployed suite)", function () {
  it("pays coins to a contract without calling it: the coin has no receive hooks", async function () {
    const { coin, hostile, market } = await loadFixture(hostileAccountFixture);
    // The hostile contract would re-enter the market's withdraw from any callback.
    await hostile.setReentry(
      await market.getAddress(),
      market.interface.encodeFunctionData("withdraw", [1n]),
    );
    await coin.issue(await hostile.getAddress(), 5n * TRC, fiatRef());
    await coin.transfer(await hostile.getAddress(), 1n * TRC);
    expect(await coin.balanceOf(await hostile.getAddress())).to.equal(6n * TRC);
    expect(await hostile.hookCalls()).to.equal(0n);
    // No ERC-1363 / ERC-777 surface on the coin.
    const coinInterface: Interface = coin.interface;
    for (const hookName of ["transferAndCall", "transferFromAndCall", "approveAndCall", "send"]) {
      expect(coinInterface.getFunction(hookName)).to.equal(null);
    }
    expect(await coin.supportsInterface("0xb0202a11")).to.equal(false); // IERC1363
  });

  it("guards every money-moving entry point: nonReentrant, or callable only by a guarded suite contract", async function () {
    const f = await loadFixture(hostileAccountFixture);
    const inherited = new Set(["grantRole", "revokeRole", "renounceRole"]);
    const contracts = [
      ["EnergyMarket", "contracts/market/EnergyMarket.sol", f.market],
      ["Settlement", "contracts/settlement/Settlement.sol", f.settlement],
      ["ValidatorRegistry", "contracts/consensus/ValidatorRegistry.sol", f.validators],
      ["TradeBlocks", "contracts/consensus/TradeBlocks.sol", f.blocks],
    ] as const;
    const roleGated: string[] = [];
    for (const [name, file, contract] of contracts) {
      const source = fs.readFileSync(path.join(__dirname, "..", "..", file), "utf8");
      contract.interface.forEachFunction((fn) => {
        if (fn.stateMutability === "view" || fn.stateMutability === "pure") return;
        const declaration = declarationOf(source, fn.name);
        if (declaration === undefined) {
          expect(inherited.has(fn.name), `${name}.${fn.name} is inherited and not known`).to.equal(true);
          return;
        }
        const guarded = declaration.includes("nonReentrant");
        const gated = declaration.includes("onlyRole(");
        expect(guarded || gated, `${name}.${fn.name} is neither nonReentrant nor role-gated`).to.equal(true);
        if (gated && !guarded) roleGated.push(`${name}.${fn.name}`);
      });
    }
    // Unguarded role-gated functions: parameter setters (no coin moves) and the market's two pool moves.
    for (const fn of roleGated) {
      expect(
        fn.match(/\.set[A-Z]/) !== null ||
          ["EnergyMarket.settleAccount", "EnergyMarket.disburse"].includes(fn),
        fn,
      ).to.equal(true);
    }
    // Those two are callable by Settlement only: the deploy step grants SETTLEMENT_ROLE to it and nothing else.
    const role = await f.market.SETTLEMENT_ROLE();
    expect(SUITE_GRANTS.filter((g) => g.contract === "EnergyMarket").map((g) => g.holder)).to.deep.equal([
      "Settlement",
    ]);
    expect(await f.market.hasRole(role, await f.settlement.getAddress())).to.equal(true);
    for (const account of [f.dso, f.s1, f.spare[0]])
      expect(await f.market.hasRole(role, account.address)).to.equal(false);
  });

  it("never gives a hostile participant or grid account control while paying it: its re-entries never run", async function () {
    const f = await loadFixture(hostileAccountFixture);
    const { market, coin, registry, hostile, slot } = f;
    const account = await hostile.getAddress();
    const marketAddress = await market.getAddress();
    await registry.registerParticipant(account, Kind.Consumer, 1, Wallet.createRandom().address, 5_000n, 0n);
    await coin.issue(account, 20n * TRC, fiatRef());
    await hostile.execute(
      await coin.getAddress(),
      coin.interface.encodeFunctionData("approve", [marketAddress, ethers.MaxUint256]),
    );
    await hostile.execute(marketAddress, market.interface.encodeFunctionData("deposit", [10n * TRC]));
    // Re-entry from any callback: withdraw everything again.
    await hostile.setReentry(marketAddress, market.interface.encodeFunctionData("withdraw", [1n * TRC]));
    // A bid with nothing to fill it, then the unfilled escrow paid back after clearing.
    await hostile.execute(
      marketAddress,
      market.interface.encodeFunctionData("placeBid", [slot, 1_000n, 200]),
    );
    await passGateAndClear(f, slot, [1]);
    const coinsBefore = await coin.balanceOf(account);
    await hostile.execute(marketAddress, market.interface.encodeFunctionData("withdrawUnfilled", [slot]));
    expect(await coin.balanceOf(account)).to.be.gt(coinsBefore);
    // A free-balance withdrawal.
    await hostile.execute(marketAddress, market.interface.encodeFunctionData("withdraw", [1n * TRC]));
    // As the grid account: its float is paid out above gridFloat.
    await registry.setGridAccount(account);
    await hostile.execute(marketAddress, market.interface.encodeFunctionData("withdraw", [1n * TRC]));
    expect(await hostile.hookCalls()).to.equal(0n);
    expect(await hostile.reentries()).to.equal(0n);
    await expectMoneyIdentities(f);
  });
});
