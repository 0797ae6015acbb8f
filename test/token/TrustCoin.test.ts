import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { PANIC_CODES } from "@nomicfoundation/hardhat-chai-matchers/panic";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

import { describeRoleMatrix, type RoleMatrixContext } from "../shared/roleMatrix";
import { deployCoinFixture, fiatRef, ROLE_IDS, TRC, type CoinFixture } from "./fixtures";
import type { TrustCoin } from "../../typechain-types";

const UINT128_MAX = 2n ** 128n - 1n;

/** Alice 100 TRC, Bob 50 TRC and the burner 40 TRC, issued by the issuer. */
async function fundedFixture(): Promise<CoinFixture> {
  const f = await deployCoinFixture();
  await f.coin.connect(f.issuer).issue(f.alice.address, 100n * TRC, fiatRef("alice"));
  await f.coin.connect(f.issuer).issue(f.bob.address, 50n * TRC, fiatRef("bob"));
  await f.coin.connect(f.issuer).issue(f.burner.address, 40n * TRC, fiatRef("burner"));
  return f;
}

/** The funded fixture after the burner has burned 30 TRC into the reward budget. */
async function budgetFixture(): Promise<CoinFixture> {
  const f = await fundedFixture();
  await f.coin.connect(f.burner).burnToBudget(30n * TRC);
  return f;
}

/** Asserts the supply identity of SPEC §3 and returns the totals. */
async function expectSupplyIdentity(coin: TrustCoin) {
  const [supply, issued, redeemed, burned, rewards, budget] = await Promise.all([
    coin.totalSupply(),
    coin.totalIssued(),
    coin.totalRedeemed(),
    coin.totalBurned(),
    coin.totalRewardsMinted(),
    coin.rewardBudget(),
  ]);
  expect(supply).to.equal(issued - redeemed - burned + rewards);
  expect(rewards).to.be.lte(burned);
  expect(budget).to.equal(burned - rewards);
  return { supply, issued, redeemed, burned, rewards, budget };
}

/** ERC-165 id of an interface given by its own function signatures (inherited ones excluded). */
function interfaceId(signatures: string[]): string {
  let id = 0n;
  for (const signature of signatures) id ^= BigInt(ethers.id(signature).slice(0, 10));
  return ethers.toBeHex(id, 4);
}

describe("TrustCoin", function () {
  describe("constructor and metadata", function () {
    it("is named Trust Coin with symbol TRC and 18 decimals", async function () {
      const { coin } = await loadFixture(deployCoinFixture);
      expect(await coin.name()).to.equal("Trust Coin");
      expect(await coin.symbol()).to.equal("TRC");
      expect(await coin.decimals()).to.equal(18n);
    });

    it("exposes the role ids of Roles.sol", async function () {
      const { coin } = await loadFixture(deployCoinFixture);
      expect(await coin.ISSUER_ROLE()).to.equal(ROLE_IDS.ISSUER_ROLE);
      expect(await coin.BURNER_ROLE()).to.equal(ROLE_IDS.BURNER_ROLE);
      expect(await coin.REWARD_MINTER_ROLE()).to.equal(ROLE_IDS.REWARD_MINTER_ROLE);
      expect(await coin.DEFAULT_ADMIN_ROLE()).to.equal(ROLE_IDS.DEFAULT_ADMIN_ROLE);
    });

    it("gives DEFAULT_ADMIN_ROLE to the admin and no role to the deployer", async function () {
      const { coin, admin, deployer } = await loadFixture(deployCoinFixture);
      expect(await coin.hasRole(ROLE_IDS.DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      for (const role of Object.values(ROLE_IDS)) {
        expect(await coin.hasRole(role, deployer.address)).to.equal(false);
        expect(await coin.getRoleAdmin(role)).to.equal(ROLE_IDS.DEFAULT_ADMIN_ROLE);
      }
    });

    it("starts with zero supply, zero totals and an empty reward budget", async function () {
      const { coin } = await loadFixture(deployCoinFixture);
      const totals = await expectSupplyIdentity(coin);
      expect(totals).to.deep.equal({
        supply: 0n,
        issued: 0n,
        redeemed: 0n,
        burned: 0n,
        rewards: 0n,
        budget: 0n,
      });
    });

    it("uses the EIP-712 domain Trust Coin, version 1, of this chain and contract", async function () {
      const { coin } = await loadFixture(deployCoinFixture);
      const domain = await coin.eip712Domain();
      const { chainId } = await ethers.provider.getNetwork();
      expect(domain.name).to.equal("Trust Coin");
      expect(domain.version).to.equal("1");
      expect(domain.chainId).to.equal(chainId);
      expect(domain.verifyingContract).to.equal(await coin.getAddress());
      expect(await coin.DOMAIN_SEPARATOR()).to.equal(
        ethers.TypedDataEncoder.hashDomain({
          name: "Trust Coin",
          version: "1",
          chainId,
          verifyingContract: await coin.getAddress(),
        }),
      );
    });

    it("reports ITrustCoin, IERC20, IERC20Permit, IAccessControl and IERC165 through ERC-165", async function () {
      const { coin } = await loadFixture(deployCoinFixture);
      const ids = {
        ITrustCoin: interfaceId([
          "issue(address,uint256,bytes32)",
          "redeem(uint256,bytes32)",
          "burnToBudget(uint256)",
          "mintReward(address,uint256)",
          "fiatRefUsed(bytes32)",
          "totalIssued()",
          "totalRedeemed()",
          "totalBurned()",
          "totalRewardsMinted()",
          "rewardBudget()",
        ]),
        IERC20: interfaceId([
          "totalSupply()",
          "balanceOf(address)",
          "transfer(address,uint256)",
          "allowance(address,address)",
          "approve(address,uint256)",
          "transferFrom(address,address,uint256)",
        ]),
        IERC20Permit: interfaceId([
          "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
          "nonces(address)",
          "DOMAIN_SEPARATOR()",
        ]),
        IAccessControl: interfaceId([
          "hasRole(bytes32,address)",
          "getRoleAdmin(bytes32)",
          "grantRole(bytes32,address)",
          "revokeRole(bytes32,address)",
          "renounceRole(bytes32,address)",
        ]),
        IERC165: interfaceId(["supportsInterface(bytes4)"]),
      };
      expect(ids.IERC20).to.equal("0x36372b07");
      for (const [name, id] of Object.entries(ids)) {
        expect(await coin.supportsInterface(id), name).to.equal(true);
      }
      expect(await coin.supportsInterface("0xffffffff")).to.equal(false);
      expect(await coin.supportsInterface("0x12345678")).to.equal(false);
    });

    it("lets the admin grant a role, after which the grantee may use it", async function () {
      const { coin, admin, alice, bob } = await loadFixture(deployCoinFixture);
      await expect(coin.connect(admin).grantRole(ROLE_IDS.ISSUER_ROLE, alice.address))
        .to.emit(coin, "RoleGranted")
        .withArgs(ROLE_IDS.ISSUER_ROLE, alice.address, admin.address);
      await coin.connect(alice).issue(bob.address, TRC, fiatRef("granted"));
      expect(await coin.balanceOf(bob.address)).to.equal(TRC);
    });

    it("reverts with ZeroAddress for a zero admin", async function () {
      const { coin } = await loadFixture(deployCoinFixture);
      await expect(ethers.deployContract("TrustCoin", [ethers.ZeroAddress])).to.be.revertedWithCustomError(
        coin,
        "ZeroAddress",
      );
    });
  });

  describe("issue", function () {
    it("mints to the receiver, records the fiat reference and emits Issued", async function () {
      const { coin, issuer, alice } = await loadFixture(deployCoinFixture);
      const ref = fiatRef("payment-1");
      expect(await coin.fiatRefUsed(ref)).to.equal(false);
      const tx = await coin.connect(issuer).issue(alice.address, 25n * TRC, ref);
      await expect(tx)
        .to.emit(coin, "Issued")
        .withArgs(alice.address, 25n * TRC, ref);
      await expect(tx)
        .to.emit(coin, "Transfer")
        .withArgs(ethers.ZeroAddress, alice.address, 25n * TRC);
      await expect(tx).to.changeTokenBalances(coin, [alice, issuer], [25n * TRC, 0n]);
      expect(await coin.fiatRefUsed(ref)).to.equal(true);
      const totals = await expectSupplyIdentity(coin);
      expect(totals.issued).to.equal(25n * TRC);
      expect(totals.supply).to.equal(25n * TRC);
    });

    it("adds issues under distinct references to the total issued", async function () {
      const { coin, issuer, alice, bob } = await loadFixture(deployCoinFixture);
      await coin.connect(issuer).issue(alice.address, 3n, fiatRef("a"));
      await coin.connect(issuer).issue(bob.address, 4n, fiatRef("b"));
      await coin.connect(issuer).issue(alice.address, 5n, fiatRef("c"));
      expect(await coin.balanceOf(alice.address)).to.equal(8n);
      expect(await coin.balanceOf(bob.address)).to.equal(4n);
      expect((await expectSupplyIdentity(coin)).issued).to.equal(12n);
    });

    it("accepts an amount of exactly 2^128 - 1", async function () {
      const { coin, issuer, alice } = await loadFixture(deployCoinFixture);
      await coin.connect(issuer).issue(alice.address, UINT128_MAX, fiatRef("max"));
      expect(await coin.totalIssued()).to.equal(UINT128_MAX);
      expect(await coin.balanceOf(alice.address)).to.equal(UINT128_MAX);
    });

    it("reverts with FiatRefAlreadyUsed when a reference is retried, whatever the receiver or amount", async function () {
      const { coin, issuer, alice, bob } = await loadFixture(fundedFixture);
      const ref = fiatRef("alice");
      await expect(coin.connect(issuer).issue(alice.address, 100n * TRC, ref))
        .to.be.revertedWithCustomError(coin, "FiatRefAlreadyUsed")
        .withArgs(ref);
      await expect(coin.connect(issuer).issue(bob.address, 1n, ref))
        .to.be.revertedWithCustomError(coin, "FiatRefAlreadyUsed")
        .withArgs(ref);
    });

    it("reverts with ZeroFiatRef for a zero reference", async function () {
      const { coin, issuer, alice } = await loadFixture(deployCoinFixture);
      await expect(
        coin.connect(issuer).issue(alice.address, TRC, ethers.ZeroHash),
      ).to.be.revertedWithCustomError(coin, "ZeroFiatRef");
    });

    it("reverts with ZeroAmount for a zero amount", async function () {
      const { coin, issuer, alice } = await loadFixture(deployCoinFixture);
      await expect(
        coin.connect(issuer).issue(alice.address, 0n, fiatRef("zero")),
      ).to.be.revertedWithCustomError(coin, "ZeroAmount");
    });

    it("reverts with ERC20InvalidReceiver for the zero address, leaving the reference unused", async function () {
      const { coin, issuer, alice } = await loadFixture(deployCoinFixture);
      const ref = fiatRef("to-zero");
      await expect(coin.connect(issuer).issue(ethers.ZeroAddress, TRC, ref))
        .to.be.revertedWithCustomError(coin, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await coin.fiatRefUsed(ref)).to.equal(false);
      await coin.connect(issuer).issue(alice.address, TRC, ref);
      expect(await coin.balanceOf(alice.address)).to.equal(TRC);
    });

    it("reverts with SafeCastOverflowedUintDowncast for an amount above 2^128 - 1", async function () {
      const { coin, issuer, alice } = await loadFixture(deployCoinFixture);
      await expect(coin.connect(issuer).issue(alice.address, UINT128_MAX + 1n, fiatRef("huge")))
        .to.be.revertedWithCustomError(coin, "SafeCastOverflowedUintDowncast")
        .withArgs(128, UINT128_MAX + 1n);
    });

    it("reverts with an overflow panic once the total issued would pass 2^128 - 1", async function () {
      const { coin, issuer, alice } = await loadFixture(deployCoinFixture);
      await coin.connect(issuer).issue(alice.address, UINT128_MAX, fiatRef("max"));
      await coin.connect(alice).redeem(UINT128_MAX, fiatRef("payout"));
      expect(await coin.totalSupply()).to.equal(0n);
      await expect(
        coin.connect(issuer).issue(alice.address, 1n, fiatRef("one-more")),
      ).to.be.revertedWithPanic(PANIC_CODES.ARITHMETIC_OVERFLOW);
    });
  });

  describe("redeem", function () {
    it("burns the caller's coins, counts them as redeemed and emits Redeemed", async function () {
      const { coin, alice } = await loadFixture(fundedFixture);
      const payout = fiatRef("payout-1");
      const before = await expectSupplyIdentity(coin);
      const tx = await coin.connect(alice).redeem(40n * TRC, payout);
      await expect(tx)
        .to.emit(coin, "Redeemed")
        .withArgs(alice.address, 40n * TRC, payout);
      await expect(tx)
        .to.emit(coin, "Transfer")
        .withArgs(alice.address, ethers.ZeroAddress, 40n * TRC);
      await expect(tx).to.changeTokenBalance(coin, alice, -40n * TRC);
      const after = await expectSupplyIdentity(coin);
      expect(after.redeemed).to.equal(before.redeemed + 40n * TRC);
      expect(after.supply).to.equal(before.supply - 40n * TRC);
      expect(after.issued).to.equal(before.issued);
    });

    it("lets a holder redeem its whole balance", async function () {
      const { coin, bob } = await loadFixture(fundedFixture);
      await coin.connect(bob).redeem(50n * TRC, fiatRef("all"));
      expect(await coin.balanceOf(bob.address)).to.equal(0n);
    });

    it("lets two holders redeem under the same payout reference, which stays out of the issue registry", async function () {
      const { coin, alice, bob } = await loadFixture(fundedFixture);
      const payout = fiatRef("shared-payout");
      await expect(coin.connect(alice).redeem(1n, payout))
        .to.emit(coin, "Redeemed")
        .withArgs(alice.address, 1n, payout);
      await expect(coin.connect(bob).redeem(2n, payout))
        .to.emit(coin, "Redeemed")
        .withArgs(bob.address, 2n, payout);
      await expect(coin.connect(alice).redeem(3n, payout))
        .to.emit(coin, "Redeemed")
        .withArgs(alice.address, 3n, payout);
      expect(await coin.fiatRefUsed(payout)).to.equal(false);
      expect(await coin.totalRedeemed()).to.equal(6n);
    });

    it("accepts a payout reference equal to a used issue reference", async function () {
      const { coin, alice } = await loadFixture(fundedFixture);
      await expect(coin.connect(alice).redeem(TRC, fiatRef("alice"))).to.emit(coin, "Redeemed");
    });

    it("reverts with ZeroAmount for a zero amount", async function () {
      const { coin, alice } = await loadFixture(fundedFixture);
      await expect(coin.connect(alice).redeem(0n, fiatRef("p"))).to.be.revertedWithCustomError(
        coin,
        "ZeroAmount",
      );
    });

    it("reverts with ZeroFiatRef for a zero reference", async function () {
      const { coin, alice } = await loadFixture(fundedFixture);
      await expect(coin.connect(alice).redeem(TRC, ethers.ZeroHash)).to.be.revertedWithCustomError(
        coin,
        "ZeroFiatRef",
      );
    });

    it("reverts with ERC20InsufficientBalance when the caller holds too little", async function () {
      const { coin, bob, stranger } = await loadFixture(fundedFixture);
      await expect(coin.connect(bob).redeem(50n * TRC + 1n, fiatRef("p")))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientBalance")
        .withArgs(bob.address, 50n * TRC, 50n * TRC + 1n);
      await expect(coin.connect(stranger).redeem(1n, fiatRef("p")))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientBalance")
        .withArgs(stranger.address, 0n, 1n);
    });
  });

  describe("burnToBudget", function () {
    it("burns the burner's own coins into the reward budget and emits BurnedToBudget", async function () {
      const { coin, burner } = await loadFixture(fundedFixture);
      const before = await expectSupplyIdentity(coin);
      const tx = await coin.connect(burner).burnToBudget(15n * TRC);
      await expect(tx)
        .to.emit(coin, "BurnedToBudget")
        .withArgs(burner.address, 15n * TRC, 15n * TRC);
      await expect(tx)
        .to.emit(coin, "Transfer")
        .withArgs(burner.address, ethers.ZeroAddress, 15n * TRC);
      await expect(tx).to.changeTokenBalance(coin, burner, -15n * TRC);
      const after = await expectSupplyIdentity(coin);
      expect(after.burned).to.equal(15n * TRC);
      expect(after.budget).to.equal(15n * TRC);
      expect(after.supply).to.equal(before.supply - 15n * TRC);
      expect(after.issued).to.equal(before.issued);
      expect(after.redeemed).to.equal(before.redeemed);
    });

    it("reports the budget net of rewards already minted", async function () {
      const { coin, burner, rewardMinter, alice } = await loadFixture(budgetFixture);
      await coin.connect(rewardMinter).mintReward(alice.address, 12n * TRC);
      await expect(coin.connect(burner).burnToBudget(10n * TRC))
        .to.emit(coin, "BurnedToBudget")
        .withArgs(burner.address, 10n * TRC, 28n * TRC);
      const totals = await expectSupplyIdentity(coin);
      expect(totals.burned).to.equal(40n * TRC);
      expect(totals.rewards).to.equal(12n * TRC);
    });

    it("lets the burner burn its whole balance", async function () {
      const { coin, burner } = await loadFixture(budgetFixture);
      await coin.connect(burner).burnToBudget(10n * TRC);
      expect(await coin.balanceOf(burner.address)).to.equal(0n);
      expect(await coin.rewardBudget()).to.equal(40n * TRC);
    });

    it("reverts with ZeroAmount for a zero amount", async function () {
      const { coin, burner } = await loadFixture(fundedFixture);
      await expect(coin.connect(burner).burnToBudget(0n)).to.be.revertedWithCustomError(coin, "ZeroAmount");
    });

    it("reverts with ERC20InsufficientBalance when the burner holds too little", async function () {
      const { coin, burner } = await loadFixture(fundedFixture);
      await expect(coin.connect(burner).burnToBudget(40n * TRC + 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientBalance")
        .withArgs(burner.address, 40n * TRC, 40n * TRC + 1n);
    });
  });

  describe("mintReward", function () {
    it("mints the full amount when the budget covers it and emits RewardMinted only", async function () {
      const { coin, rewardMinter, bob } = await loadFixture(budgetFixture);
      expect(await coin.connect(rewardMinter).mintReward.staticCall(bob.address, 5n * TRC)).to.equal(
        5n * TRC,
      );
      const tx = await coin.connect(rewardMinter).mintReward(bob.address, 5n * TRC);
      await expect(tx)
        .to.emit(coin, "RewardMinted")
        .withArgs(bob.address, 5n * TRC, 25n * TRC);
      await expect(tx)
        .to.emit(coin, "Transfer")
        .withArgs(ethers.ZeroAddress, bob.address, 5n * TRC);
      await expect(tx).not.to.emit(coin, "RewardBudgetShort");
      await expect(tx).to.changeTokenBalance(coin, bob, 5n * TRC);
      const totals = await expectSupplyIdentity(coin);
      expect(totals.rewards).to.equal(5n * TRC);
      expect(totals.budget).to.equal(25n * TRC);
    });

    it("mints exactly the whole budget without a shortfall event", async function () {
      const { coin, rewardMinter, bob } = await loadFixture(budgetFixture);
      const tx = await coin.connect(rewardMinter).mintReward(bob.address, 30n * TRC);
      await expect(tx)
        .to.emit(coin, "RewardMinted")
        .withArgs(bob.address, 30n * TRC, 0n);
      await expect(tx).not.to.emit(coin, "RewardBudgetShort");
      expect(await coin.rewardBudget()).to.equal(0n);
    });

    it("mints what is left of a short budget and emits RewardBudgetShort and RewardMinted", async function () {
      const { coin, rewardMinter, bob } = await loadFixture(budgetFixture);
      expect(await coin.connect(rewardMinter).mintReward.staticCall(bob.address, 45n * TRC)).to.equal(
        30n * TRC,
      );
      const tx = await coin.connect(rewardMinter).mintReward(bob.address, 45n * TRC);
      await expect(tx)
        .to.emit(coin, "RewardBudgetShort")
        .withArgs(bob.address, 45n * TRC, 30n * TRC);
      await expect(tx)
        .to.emit(coin, "RewardMinted")
        .withArgs(bob.address, 30n * TRC, 0n);
      await expect(tx).to.changeTokenBalance(coin, bob, 30n * TRC);
      const totals = await expectSupplyIdentity(coin);
      expect(totals.rewards).to.equal(totals.burned);
      expect(totals.budget).to.equal(0n);
    });

    it("reports a shortfall of a single base unit", async function () {
      const { coin, rewardMinter, bob } = await loadFixture(budgetFixture);
      const tx = await coin.connect(rewardMinter).mintReward(bob.address, 30n * TRC + 1n);
      await expect(tx)
        .to.emit(coin, "RewardBudgetShort")
        .withArgs(bob.address, 30n * TRC + 1n, 30n * TRC);
      await expect(tx)
        .to.emit(coin, "RewardMinted")
        .withArgs(bob.address, 30n * TRC, 0n);
    });

    it("does not revert on an empty budget: it mints nothing, returns 0 and emits RewardBudgetShort", async function () {
      const { coin, rewardMinter, bob } = await loadFixture(fundedFixture);
      expect(await coin.connect(rewardMinter).mintReward.staticCall(bob.address, 5n * TRC)).to.equal(0n);
      const tx = await coin.connect(rewardMinter).mintReward(bob.address, 5n * TRC);
      await expect(tx)
        .to.emit(coin, "RewardBudgetShort")
        .withArgs(bob.address, 5n * TRC, 0n);
      await expect(tx).not.to.emit(coin, "RewardMinted");
      await expect(tx).not.to.emit(coin, "Transfer");
      await expect(tx).to.changeTokenBalance(coin, bob, 0n);
      expect((await expectSupplyIdentity(coin)).rewards).to.equal(0n);
    });

    it("never mints more in total than was burned", async function () {
      const { coin, rewardMinter, alice } = await loadFixture(budgetFixture);
      for (let i = 0; i < 4; i++) await coin.connect(rewardMinter).mintReward(alice.address, 9n * TRC);
      const totals = await expectSupplyIdentity(coin);
      expect(totals.rewards).to.equal(30n * TRC);
      expect(await coin.balanceOf(alice.address)).to.equal(130n * TRC);
    });

    it("reverts with ZeroAmount for a zero amount", async function () {
      const { coin, rewardMinter, bob } = await loadFixture(budgetFixture);
      await expect(coin.connect(rewardMinter).mintReward(bob.address, 0n)).to.be.revertedWithCustomError(
        coin,
        "ZeroAmount",
      );
    });

    it("reverts with ERC20InvalidReceiver for the zero address, even on an empty budget", async function () {
      const { coin, rewardMinter } = await loadFixture(fundedFixture);
      await expect(coin.connect(rewardMinter).mintReward(ethers.ZeroAddress, TRC))
        .to.be.revertedWithCustomError(coin, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("permit", function () {
    const PERMIT_TYPES = {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    };

    async function domainOf(coin: TrustCoin) {
      const { chainId } = await ethers.provider.getNetwork();
      return { name: "Trust Coin", version: "1", chainId, verifyingContract: await coin.getAddress() };
    }

    async function signPermit(
      coin: TrustCoin,
      signer: HardhatEthersSigner,
      message: { owner: string; spender: string; value: bigint; nonce: bigint; deadline: bigint },
    ) {
      return ethers.Signature.from(await signer.signTypedData(await domainOf(coin), PERMIT_TYPES, message));
    }

    it("sets the allowance from a valid signature, bumps the nonce, and lets the spender transferFrom", async function () {
      const { coin, alice, bob, stranger } = await loadFixture(fundedFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const value = 30n * TRC;
      const message = { owner: alice.address, spender: bob.address, value, nonce: 0n, deadline };
      const sig = await signPermit(coin, alice, message);
      // Anyone may relay the signed permit.
      await expect(
        coin.connect(stranger).permit(alice.address, bob.address, value, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(coin, "Approval")
        .withArgs(alice.address, bob.address, value);
      expect(await coin.allowance(alice.address, bob.address)).to.equal(value);
      expect(await coin.nonces(alice.address)).to.equal(1n);

      const tx = await coin.connect(bob).transferFrom(alice.address, stranger.address, 20n * TRC);
      await expect(tx).to.changeTokenBalances(coin, [alice, stranger], [-20n * TRC, 20n * TRC]);
      expect(await coin.allowance(alice.address, bob.address)).to.equal(10n * TRC);
      await expect(coin.connect(bob).transferFrom(alice.address, bob.address, 10n * TRC + 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 10n * TRC, 10n * TRC + 1n);
    });

    it("reverts with ERC2612ExpiredSignature after the deadline", async function () {
      const { coin, alice, bob } = await loadFixture(fundedFixture);
      const deadline = BigInt(await time.latest()) + 60n;
      const sig = await signPermit(coin, alice, {
        owner: alice.address,
        spender: bob.address,
        value: TRC,
        nonce: 0n,
        deadline,
      });
      await time.increaseTo(deadline + 1n);
      await expect(coin.permit(alice.address, bob.address, TRC, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(coin, "ERC2612ExpiredSignature")
        .withArgs(deadline);
    });

    it("reverts with ERC2612InvalidSigner when someone other than the owner signed", async function () {
      const { coin, alice, bob, stranger } = await loadFixture(fundedFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signPermit(coin, stranger, {
        owner: alice.address,
        spender: bob.address,
        value: TRC,
        nonce: 0n,
        deadline,
      });
      await expect(coin.permit(alice.address, bob.address, TRC, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(coin, "ERC2612InvalidSigner")
        .withArgs(stranger.address, alice.address);
    });

    it("refuses a replayed permit because the nonce has moved on", async function () {
      const { coin, alice, bob } = await loadFixture(fundedFixture);
      const deadline = BigInt(await time.latest()) + 3600n;
      const message = { owner: alice.address, spender: bob.address, value: TRC, nonce: 0n, deadline };
      const sig = await signPermit(coin, alice, message);
      await coin.permit(alice.address, bob.address, TRC, deadline, sig.v, sig.r, sig.s);
      // The replay is checked against nonce 1, so the signature recovers to some unrelated address.
      const replayDigest = ethers.TypedDataEncoder.hash(await domainOf(coin), PERMIT_TYPES, {
        ...message,
        nonce: 1n,
      });
      const recovered = ethers.recoverAddress(replayDigest, sig);
      expect(recovered).to.not.equal(alice.address);
      await expect(coin.permit(alice.address, bob.address, TRC, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(coin, "ERC2612InvalidSigner")
        .withArgs(recovered, alice.address);
      expect(await coin.nonces(alice.address)).to.equal(1n);
    });
  });

  type MatrixContext = CoinFixture & RoleMatrixContext;

  async function roleMatrixFixture(): Promise<MatrixContext> {
    const f = await fundedFixture();
    return {
      ...f,
      contract: f.coin,
      holders: {
        DEFAULT_ADMIN_ROLE: f.admin,
        ISSUER_ROLE: f.issuer,
        BURNER_ROLE: f.burner,
        REWARD_MINTER_ROLE: f.rewardMinter,
      },
      stranger: f.stranger,
    };
  }

  describeRoleMatrix<MatrixContext>(
    ROLE_IDS,
    [
      {
        name: "issue",
        role: "ISSUER_ROLE",
        call: (ctx, signer) => ctx.coin.connect(signer).issue(ctx.alice.address, TRC, fiatRef("matrix")),
      },
      {
        name: "burnToBudget",
        role: "BURNER_ROLE",
        call: (ctx, signer) => ctx.coin.connect(signer).burnToBudget(1n),
      },
      {
        name: "mintReward",
        role: "REWARD_MINTER_ROLE",
        call: (ctx, signer) => ctx.coin.connect(signer).mintReward(ctx.alice.address, TRC),
      },
      {
        name: "grantRole",
        role: "DEFAULT_ADMIN_ROLE",
        call: (ctx, signer) => ctx.coin.connect(signer).grantRole(ROLE_IDS.ISSUER_ROLE, ctx.bob.address),
      },
      {
        name: "revokeRole",
        role: "DEFAULT_ADMIN_ROLE",
        call: (ctx, signer) => ctx.coin.connect(signer).revokeRole(ROLE_IDS.ISSUER_ROLE, ctx.issuer.address),
      },
    ],
    () => loadFixture(roleMatrixFixture),
  );
});
