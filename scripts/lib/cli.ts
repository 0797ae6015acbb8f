/**
 * Argument parsing and printing shared by the Hardhat tasks: every parser names the argument it
 * refuses and says what it expected, so a bad argument never sends a transaction.
 */
import {
  getAddress,
  isAddress,
  isHexString,
  formatUnits,
  parseUnits,
  id,
  type ContractTransactionResponse,
} from "ethers";

/** A user-facing error of a task: printed without a stack trace by Hardhat. */
export class TaskArgumentError extends Error {
  constructor(argument: string, problem: string) {
    super(`--${argument}: ${problem}`);
    this.name = "TaskArgumentError";
  }
}

export function parseAddressArg(argument: string, value: string | undefined): string {
  if (value === undefined || value === "")
    throw new TaskArgumentError(argument, "is required (an 0x address)");
  if (!isAddress(value)) throw new TaskArgumentError(argument, `"${value}" is not an address`);
  return getAddress(value);
}

/** A decimal TRC amount ("12.5") into base units; must be positive unless `allowZero`. */
export function parseTrcArg(argument: string, value: string | undefined, allowZero = false): bigint {
  if (value === undefined || value === "")
    throw new TaskArgumentError(argument, "is required (a TRC amount such as 12.5)");
  let amount: bigint;
  try {
    amount = parseUnits(value, 18);
  } catch {
    throw new TaskArgumentError(argument, `"${value}" is not a decimal TRC amount with at most 18 decimals`);
  }
  if (amount < 0n || (!allowZero && amount === 0n))
    throw new TaskArgumentError(argument, `must be positive, got ${value}`);
  return amount;
}

/** A non-negative integer no larger than `max`. */
export function parseUintArg(argument: string, value: string | undefined, max: bigint): bigint {
  if (value === undefined || value === "")
    throw new TaskArgumentError(argument, "is required (a whole number)");
  if (!/^\d+$/.test(value))
    throw new TaskArgumentError(argument, `"${value}" is not a whole non-negative number`);
  const n = BigInt(value);
  if (n > max) throw new TaskArgumentError(argument, `${value} exceeds the maximum ${max}`);
  return n;
}

/** A bytes32 reference: 0x + 64 hex digits, or any other text hashed with keccak256. */
export function parseRefArg(argument: string, value: string | undefined): string {
  if (value === undefined || value === "")
    throw new TaskArgumentError(argument, "is required (a payment reference)");
  if (isHexString(value, 32)) return value;
  if (value.startsWith("0x")) throw new TaskArgumentError(argument, `"${value}" is hex but not 32 bytes`);
  return id(value);
}

export function formatTrc(amount: bigint): string {
  return `${formatUnits(amount, 18)} TRC`;
}

/** Waits for a transaction and prints its hash, block and gas. */
export async function printTransaction(label: string, tx: ContractTransactionResponse): Promise<void> {
  const receipt = await tx.wait();
  if (!receipt) throw new Error(`${label}: transaction ${tx.hash} was dropped`);
  console.log(`${label}: tx ${receipt.hash} in block ${receipt.blockNumber}, gas used ${receipt.gasUsed}`);
}

export const UINT32_MAX = 2n ** 32n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;
