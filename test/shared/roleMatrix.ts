import { expect } from "chai";
import type { BaseContract, Signer } from "ethers";

/** One privileged function of a contract, called as some signer. */
export interface PrivilegedCall<Ctx> {
  /** Function name, used in test titles. */
  name: string;
  /** Name of the role it needs, a key of the role table. */
  role: string;
  /** Performs the call as `signer` with valid arguments. */
  call: (ctx: Ctx, signer: Signer) => Promise<unknown>;
}

/** What a role-matrix fixture provides. */
export interface RoleMatrixContext {
  /** The contract whose custom errors are checked. */
  contract: BaseContract;
  /** For every role name of the table, a signer holding exactly that role. */
  holders: Record<string, Signer>;
  /** A signer holding no role at all. */
  stranger: Signer;
}

/**
 * Shared behaviour: every privileged function refuses every signer that lacks its role (each other
 * role's holder, and a stranger) with OpenZeppelin's `AccessControlUnauthorizedAccount(account, role)`.
 *
 * @param roleIds role name -> role id (bytes32 hex), covering every role the calls use
 * @param calls the privileged functions of the contract
 * @param fixture a `loadFixture`-wrapped function returning the context
 */
export function describeRoleMatrix<Ctx extends RoleMatrixContext>(
  roleIds: Record<string, string>,
  calls: PrivilegedCall<Ctx>[],
  fixture: () => Promise<Ctx>,
): void {
  describe("role matrix", function () {
    for (const privileged of calls) {
      const requiredId = roleIds[privileged.role];
      if (requiredId === undefined) throw new Error(`role table lacks ${privileged.role}`);
      const outsiders = [...Object.keys(roleIds).filter((name) => name !== privileged.role), "stranger"];
      for (const outsider of outsiders) {
        it(`${privileged.name} refuses ${outsider === "stranger" ? "an account without roles" : `a holder of only ${outsider}`}`, async function () {
          const ctx = await fixture();
          const signer = outsider === "stranger" ? ctx.stranger : ctx.holders[outsider];
          await expect(privileged.call(ctx, signer))
            .to.be.revertedWithCustomError(ctx.contract, "AccessControlUnauthorizedAccount")
            .withArgs(await signer.getAddress(), requiredId);
        });
      }
    }
  });
}
