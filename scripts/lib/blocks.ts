/**
 * Trade-block proposals and attestations as `contracts/consensus/TradeBlocks.sol` verifies them (SPEC §6.3):
 * the EIP-712 types, signing with the domain read from the contract itself (ERC-5267), struct hashes, the
 * ordering of exclusions the contract requires, and the JSON form of equivocation evidence.
 */
import {
  TypedDataEncoder,
  getAddress,
  isAddress,
  isHexString,
  type Signer,
  type TypedDataField,
} from "ethers";
import { readingDomain, type DomainSource, type ReadingDomain } from "./readings";

/** The EIP-712 domain of a TradeBlocks deployment ("GridTrust TradeBlocks", "1", chain id, contract). */
export type BlocksDomain = ReadingDomain;

/** The signing domain of a TradeBlocks deployment, read from its `eip712Domain()`. */
export async function blocksDomain(tradeBlocks: DomainSource): Promise<BlocksDomain> {
  return readingDomain(tradeBlocks);
}

/** `Proposal(uint32 microgrid,uint64 slot,uint32 round,bytes32 digest,uint32 count,address[] exclusions)`. */
export const PROPOSAL_TYPES: Record<string, TypedDataField[]> = {
  Proposal: [
    { name: "microgrid", type: "uint32" },
    { name: "slot", type: "uint64" },
    { name: "round", type: "uint32" },
    { name: "digest", type: "bytes32" },
    { name: "count", type: "uint32" },
    { name: "exclusions", type: "address[]" },
  ],
};

/** `Attestation(uint32 microgrid,uint64 slot,uint32 round,bytes32 proposalHash,bool accept)`. */
export const ATTESTATION_TYPES: Record<string, TypedDataField[]> = {
  Attestation: [
    { name: "microgrid", type: "uint32" },
    { name: "slot", type: "uint64" },
    { name: "round", type: "uint32" },
    { name: "proposalHash", type: "bytes32" },
    { name: "accept", type: "bool" },
  ],
};

/** `ITradeBlocks.ProposalBody`: the meter's reading digest and count, and the excluded participants. */
export interface ProposalBody {
  digest: string;
  count: bigint;
  exclusions: string[];
}

/** Where a proposal belongs: microgrid, slot and round. */
export interface RoundRef {
  microgrid: bigint;
  slot: bigint;
  round: bigint;
}

/** A proposal with its proposer's 65-byte signature. */
export interface SignedProposal {
  body: ProposalBody;
  signature: string;
}

function proposalValue(ref: RoundRef, body: ProposalBody) {
  return {
    microgrid: ref.microgrid,
    slot: ref.slot,
    round: ref.round,
    digest: body.digest,
    count: body.count,
    exclusions: body.exclusions,
  };
}

/** `signer`'s EIP-712 signature of the proposal `body` for `ref`. */
export async function signProposal(
  signer: Signer,
  domain: BlocksDomain,
  ref: RoundRef,
  body: ProposalBody,
): Promise<string> {
  return signer.signTypedData(domain, PROPOSAL_TYPES, proposalValue(ref, body));
}

/** `signer`'s EIP-712 signature of its vote `accept` on the proposal with struct hash `proposalHash` of `ref`. */
export async function signAttestation(
  signer: Signer,
  domain: BlocksDomain,
  ref: RoundRef,
  proposalHash: string,
  accept: boolean,
): Promise<string> {
  return signer.signTypedData(domain, ATTESTATION_TYPES, {
    microgrid: ref.microgrid,
    slot: ref.slot,
    round: ref.round,
    proposalHash,
    accept,
  });
}

/** The EIP-712 struct hash of a proposal (TradeBlocks' `proposalHash`, what attestations sign). */
export function proposalStructHash(ref: RoundRef, body: ProposalBody): string {
  return TypedDataEncoder.hashStruct("Proposal", PROPOSAL_TYPES, proposalValue(ref, body));
}

/** The EIP-712 digest a proposer signs (TradeBlocks' `proposalDigest`). */
export function proposalDigest(domain: BlocksDomain, ref: RoundRef, body: ProposalBody): string {
  return TypedDataEncoder.hash(domain, PROPOSAL_TYPES, proposalValue(ref, body));
}

/**
 * Addresses in the order TradeBlocks requires of exclusions: strictly increasing as 160-bit numbers,
 * duplicates dropped, checksummed.
 */
export function sortAddresses(addresses: readonly string[]): string[] {
  const unique = new Map<bigint, string>();
  for (const address of addresses) unique.set(BigInt(getAddress(address)), getAddress(address));
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, address]) => address);
}

/** Whether two exclusion lists name the same addresses in the same order (case-insensitive). */
export function sameExclusions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((address, i) => address.toLowerCase() === b[i].toLowerCase());
}

/**
 * Equivocation evidence: two different proposals the proposer of (`microgrid`, `slot`, `round`) signed. Its
 * JSON form (the `validator:evidence --file`) writes integers as decimal strings:
 * `{ "microgrid": "1", "slot": "42", "round": "0", "proposer": "0x…",
 *    "a": { "digest": "0x…", "count": "3", "exclusions": ["0x…"], "signature": "0x…" }, "b": { … } }`.
 */
export interface EquivocationEvidence extends RoundRef {
  /** The signer both proposals are by (informative: the contract recovers it). */
  proposer: string;
  a: SignedProposal;
  b: SignedProposal;
}

/** The JSON text of `evidence`. */
export function evidenceToJson(evidence: EquivocationEvidence): string {
  const side = (p: SignedProposal) => ({
    digest: p.body.digest,
    count: p.body.count.toString(),
    exclusions: p.body.exclusions,
    signature: p.signature,
  });
  return JSON.stringify(
    {
      microgrid: evidence.microgrid.toString(),
      slot: evidence.slot.toString(),
      round: evidence.round.toString(),
      proposer: evidence.proposer,
      a: side(evidence.a),
      b: side(evidence.b),
    },
    null,
    2,
  );
}

/** Thrown for malformed evidence; `field` names the offending JSON field. */
export class EvidenceFormatError extends Error {
  constructor(field: string, problem: string) {
    super(`evidence ${field}: ${problem}`);
    this.name = "EvidenceFormatError";
  }
}

function uintField(value: unknown, field: string, max: bigint): bigint {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !/^\d+$/.test(text))
    throw new EvidenceFormatError(field, "must be a whole non-negative number (a decimal string)");
  const n = BigInt(text);
  if (n > max) throw new EvidenceFormatError(field, `${text} exceeds the maximum ${max}`);
  return n;
}

function addressField(value: unknown, field: string): string {
  if (typeof value !== "string" || !isAddress(value))
    throw new EvidenceFormatError(field, "is not an address");
  return getAddress(value);
}

function proposalField(value: unknown, field: string): SignedProposal {
  if (typeof value !== "object" || value === null) throw new EvidenceFormatError(field, "must be an object");
  const side = value as Record<string, unknown>;
  if (typeof side.digest !== "string" || !isHexString(side.digest, 32))
    throw new EvidenceFormatError(`${field}.digest`, "must be 0x + 64 hex digits");
  if (!Array.isArray(side.exclusions))
    throw new EvidenceFormatError(`${field}.exclusions`, "must be an array of addresses");
  if (typeof side.signature !== "string" || !isHexString(side.signature, 65))
    throw new EvidenceFormatError(`${field}.signature`, "must be 0x + 130 hex digits (65 bytes)");
  return {
    body: {
      digest: side.digest,
      count: uintField(side.count, `${field}.count`, 2n ** 32n - 1n),
      exclusions: side.exclusions.map((x, i) => addressField(x, `${field}.exclusions[${i}]`)),
    },
    signature: side.signature,
  };
}

/** Parses and checks the JSON form of equivocation evidence (see {@link EquivocationEvidence}). */
export function evidenceFromJson(text: string): EquivocationEvidence {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EvidenceFormatError("file", `is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new EvidenceFormatError("file", "must hold one JSON object");
  const o = parsed as Record<string, unknown>;
  return {
    microgrid: uintField(o.microgrid, "microgrid", 2n ** 32n - 1n),
    slot: uintField(o.slot, "slot", 2n ** 64n - 1n),
    round: uintField(o.round, "round", 2n ** 32n - 1n),
    proposer: addressField(o.proposer, "proposer"),
    a: proposalField(o.a, "a"),
    b: proposalField(o.b, "b"),
  };
}
