/**
 * Meter readings as `contracts/metering/MeterReadings.sol` accepts them (SPEC §8.1): the EIP-712 type a
 * meter signs, signing with the domain read from the contract itself (ERC-5267 `eip712Domain()`), the
 * typed-data hash (`readingHash` of the contract) and one step of the per-(microgrid, slot) digest.
 */
import { AbiCoder, TypedDataEncoder, keccak256, type Signer, type TypedDataField } from "ethers";

/** A reading as signed by a meter: Wh imported and exported by `participant` during `slot`. */
export interface Reading {
  participant: string;
  slot: bigint;
  importWh: bigint;
  exportWh: bigint;
}

/** The EIP-712 domain of a MeterReadings deployment. */
export interface ReadingDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** EIP-712 type of a reading: `Reading(address participant,uint64 slot,uint64 importWh,uint64 exportWh)`. */
export const READING_TYPES: Record<string, TypedDataField[]> = {
  Reading: [
    { name: "participant", type: "address" },
    { name: "slot", type: "uint64" },
    { name: "importWh", type: "uint64" },
    { name: "exportWh", type: "uint64" },
  ],
};

/** ERC-5267 field bits: name, version, chainId and verifyingContract, no salt, no extensions. */
const EXPECTED_DOMAIN_FIELDS = 0x0f;

/** Anything with ERC-5267 `eip712Domain()`: a typechain `MeterReadings` or an ethers `Contract`. */
export interface DomainSource {
  eip712Domain(): Promise<{
    fields: string;
    name: string;
    version: string;
    chainId: bigint;
    verifyingContract: string;
  }>;
}

/** The signing domain, read from the contract (so a reading can only be valid for that deployment and chain). */
export async function readingDomain(meterReadings: DomainSource): Promise<ReadingDomain> {
  const domain = await meterReadings.eip712Domain();
  if (Number(domain.fields) !== EXPECTED_DOMAIN_FIELDS)
    throw new Error(`unexpected EIP-712 domain fields ${domain.fields} (expected 0x0f)`);
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
}

/** The meter's 65-byte signature of `reading` under `domain` (from `readingDomain`). */
export async function signReading(wallet: Signer, domain: ReadingDomain, reading: Reading): Promise<string> {
  return wallet.signTypedData(domain, READING_TYPES, reading);
}

/** The EIP-712 hash a meter signs, equal to the contract's `readingHash(reading)`. */
export function readingHash(domain: ReadingDomain, reading: Reading): string {
  return TypedDataEncoder.hash(domain, READING_TYPES, reading);
}

/**
 * One step of the reading digest of a (microgrid, slot):
 * `keccak256(abi.encode(digest, participant, importWh, exportWh, isSubstitute))`, starting from zero.
 */
export function nextDigest(digest: string, reading: Reading, isSubstitute: boolean): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ["bytes32", "address", "uint64", "uint64", "bool"],
      [digest, reading.participant, reading.importWh, reading.exportWh, isSubstitute],
    ),
  );
}
