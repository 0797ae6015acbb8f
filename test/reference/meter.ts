/**
 * Independent reference of the metering of SPEC §8.1–8.2, written from SPEC.md: a microgrid-slot's
 * participant records, their imbalances `I = (export − import) − (sold − bought)`, the totals
 * `TES = Σ_{I>0} I`, `TEP = Σ_{I<0} −I`, the reading digest (hash chain in arrival order), missing
 * accounts (`export 0, import maxImportWh`) and exclusions by the final trade block.
 */
import { ethers } from "hardhat";

import { nextDigest, type Reading } from "../../scripts/lib/readings";

export type RefStatus = "Read" | "Substitute" | "Missing";

/** A participant-slot as the reference keeps it. */
export interface RefRecord {
  status: RefStatus;
  excluded: boolean;
  importWh: bigint;
  exportWh: bigint;
  maxImportWh: bigint;
  /** `P = sold − bought` in Wh, 0 without live orders. */
  positionWh: bigint;
  hasOrders: boolean;
}

/** `I = (export − import) − P`. */
export function imbalanceOf(record: Pick<RefRecord, "importWh" | "exportWh" | "positionWh">): bigint {
  return record.exportWh - record.importWh - record.positionWh;
}

/** The reference state of one microgrid-slot. */
export class MeterSlotReference {
  digest: string = ethers.ZeroHash;
  readings = 0;
  readingsWithOrders = 0;
  missing = 0;
  readonly records = new Map<string, RefRecord>();

  /** An accepted reading or substitute, in arrival order. */
  accept(
    reading: Reading,
    isSubstitute: boolean,
    maxImportWh: bigint,
    positionWh: bigint,
    hasOrders: boolean,
  ): void {
    if (this.records.has(reading.participant)) throw new Error("reference: reading exists");
    this.digest = nextDigest(this.digest, reading, isSubstitute);
    this.readings += 1;
    if (hasOrders) this.readingsWithOrders += 1;
    this.records.set(reading.participant, {
      status: isSubstitute ? "Substitute" : "Read",
      excluded: false,
      importWh: reading.importWh,
      exportWh: reading.exportWh,
      maxImportWh,
      positionWh,
      hasOrders,
    });
  }

  /** An account with orders and no reading, accounted missing. */
  accountMissing(account: string, maxImportWh: bigint, positionWh: bigint): void {
    if (this.records.has(account)) throw new Error("reference: account has a record");
    this.missing += 1;
    this.records.set(account, {
      status: "Missing",
      excluded: false,
      importWh: maxImportWh,
      exportWh: 0n,
      maxImportWh,
      positionWh,
      hasOrders: true,
    });
  }

  /** An accepted reading excluded by the final trade block: it counts as missing. */
  exclude(account: string): void {
    const record = this.records.get(account);
    if (record === undefined || record.status === "Missing") throw new Error("reference: not excludable");
    this.records.set(account, {
      ...record,
      status: "Missing",
      excluded: true,
      importWh: record.maxImportWh,
      exportWh: 0n,
    });
  }

  /** `TES` and `TEP`. */
  totals(): { surplusWh: bigint; deficitWh: bigint } {
    let surplusWh = 0n;
    let deficitWh = 0n;
    for (const record of this.records.values()) {
      const imbalance = imbalanceOf(record);
      if (imbalance > 0n) surplusWh += imbalance;
      else deficitWh -= imbalance;
    }
    return { surplusWh, deficitWh };
  }
}
