/**
 * An in-process pool of equivocation evidence shared by the validator agents of one simulation: an
 * equivocating agent publishes the two proposals it signed, and an honest agent submits them to TradeBlocks
 * (`submitEquivocation`), which ejects the proposer (SPEC §6.3).
 */
import type { EquivocationEvidence } from "../lib/blocks";

/** The key of a piece of evidence: who equivocated where. */
export function evidenceKey(
  e: Pick<EquivocationEvidence, "microgrid" | "slot" | "round" | "proposer">,
): string {
  return `${e.microgrid}:${e.slot}:${e.round}:${e.proposer.toLowerCase()}`;
}

/** Evidence published and not yet resolved (submitted, or moot because the proposer is ejected already). */
export class EvidencePool {
  private readonly open = new Map<string, EquivocationEvidence>();
  private readonly resolved = new Set<string>();

  /** Adds `evidence` unless the same proposer's equivocation in that round is known already. */
  publish(evidence: EquivocationEvidence): void {
    const key = evidenceKey(evidence);
    if (!this.resolved.has(key) && !this.open.has(key)) this.open.set(key, evidence);
  }

  /** The evidence still to submit, in publication order. */
  pending(): EquivocationEvidence[] {
    return [...this.open.values()];
  }

  /** Marks `evidence` as dealt with: it is never handed out again. */
  resolve(evidence: EquivocationEvidence): void {
    const key = evidenceKey(evidence);
    this.open.delete(key);
    this.resolved.add(key);
  }

  /** How many pieces of evidence were published in all (pending or resolved). */
  get size(): number {
    return this.open.size + this.resolved.size;
  }
}
