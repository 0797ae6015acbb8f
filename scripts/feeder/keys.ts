/**
 * The feeder's key file: the private keys of the meters whose readings it signs.
 *
 * Format (JSON), either
 * - an object `{ "<participant or meter address>": "<0x private key>", … }` — the address names the meter
 *   the key belongs to, or the participant whose meter it is; or
 * - a list of private keys `["<0x private key>", …]`, or of objects `[{ "address": "0x…", "privateKey":
 *   "0x…" }, …]` (`address` optional, meaning as above).
 *
 * A key is found by the meter key the registry holds valid for the reading's slot
 * (`registry.meterKeyAt(participant, slot)`): a participant with a rotated meter needs the key of each
 * meter whose slots it feeds. An entry keyed by a participant serves only as a hint in error messages.
 */
import fs from "node:fs";
import { Wallet, getAddress, isAddress, isHexString } from "ethers";

/** The key file is unreadable or has a bad entry; the message names the file and the entry. */
export class KeyFileError extends Error {
  constructor(source: string, problem: string) {
    super(`key file ${source}: ${problem}`);
    this.name = "KeyFileError";
  }
}

export class MeterKeyRing {
  private readonly byMeter = new Map<string, Wallet>();
  /** Participant address → the meter address its entry's key derives. */
  private readonly claimed = new Map<string, string>();

  /** Adds one private key; `address` is the meter's or its participant's address, or undefined. */
  add(privateKey: string, address: string | undefined, source: string, entry: string): void {
    if (!isHexString(privateKey, 32)) {
      throw new KeyFileError(source, `${entry}: the private key is not 0x + 64 hex digits`);
    }
    let wallet: Wallet;
    try {
      wallet = new Wallet(privateKey);
    } catch {
      throw new KeyFileError(source, `${entry}: not a valid secp256k1 private key`);
    }
    if (address !== undefined) {
      if (!isAddress(address)) throw new KeyFileError(source, `${entry}: "${address}" is not an address`);
      const named = getAddress(address);
      if (named !== wallet.address) this.claimed.set(named, wallet.address);
    }
    this.byMeter.set(wallet.address, wallet);
  }

  /** The wallet of meter `meterKey`, if the file has its key. */
  walletOf(meterKey: string): Wallet | undefined {
    return this.byMeter.get(getAddress(meterKey));
  }

  /** The meter address whose key the file lists under `participant`'s address, if any. */
  meterClaimedBy(participant: string): string | undefined {
    return this.claimed.get(getAddress(participant));
  }

  /** Why no key signs for `participant` in `slot` whose valid meter key is `meterKey`. */
  missingKeyReason(participant: string, slot: bigint, meterKey: string): string {
    const claimed = this.meterClaimedBy(participant);
    const hint =
      claimed === undefined
        ? ""
        : `; the key file's key for ${participant} belongs to meter ${claimed}, not valid in that slot`;
    return `no private key for meter ${meterKey}, the meter key of ${participant} in slot ${slot}${hint}`;
  }

  get size(): number {
    return this.byMeter.size;
  }

  /** Parses key file JSON `text` (`source` names it in errors). */
  static fromJson(text: string, source = "(inline)"): MeterKeyRing {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new KeyFileError(source, `not JSON: ${(error as Error).message}`);
    }
    const ring = new MeterKeyRing();
    if (Array.isArray(parsed)) {
      parsed.forEach((item: unknown, index) => {
        const entry = `entry ${index}`;
        if (typeof item === "string") return ring.add(item, undefined, source, entry);
        if (item !== null && typeof item === "object") {
          const { address, privateKey } = item as { address?: unknown; privateKey?: unknown };
          if (typeof privateKey !== "string")
            throw new KeyFileError(source, `${entry}: needs a privateKey string`);
          if (address !== undefined && typeof address !== "string")
            throw new KeyFileError(source, `${entry}: address must be a string`);
          return ring.add(privateKey, address, source, entry);
        }
        throw new KeyFileError(source, `${entry}: expected a private key or { address, privateKey }`);
      });
    } else if (parsed !== null && typeof parsed === "object") {
      for (const [address, privateKey] of Object.entries(parsed)) {
        if (typeof privateKey !== "string")
          throw new KeyFileError(source, `entry ${address}: the value must be a private key string`);
        ring.add(privateKey, address, source, `entry ${address}`);
      }
    } else {
      throw new KeyFileError(source, "expected an object { address: privateKey } or a list");
    }
    if (ring.size === 0) throw new KeyFileError(source, "holds no key");
    return ring;
  }

  /** Reads and parses the key file at `file`. */
  static fromFile(file: string): MeterKeyRing {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new KeyFileError(file, `cannot be read: ${(error as Error).message}`);
    }
    return MeterKeyRing.fromJson(text, file);
  }
}
