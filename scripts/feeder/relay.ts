/**
 * The feeder's engine: from validated CSV rows to accepted readings on `MeterReadings`, idempotently.
 *
 * 1. Resolve (reads in a promise pool, each retried): the participant of a `meter` row
 *    (`registry.participantOfMeter`), the meter key valid for the slot (`registry.meterKeyAt`), its private
 *    key in the key file, and whether the chain already has a record (`meterRecord(participant, slot).status`
 *    other than None). Rows that cannot be signed are reported with their line; repeats of a
 *    participant-slot in the CSV are dropped (identical) or reported (conflicting: the first stands).
 * 2. Relay what is missing, in CSV order, in batches whose `estimateGas` stays within the gas budget,
 *    one transaction at a time, each waited for; `ReadingSkipped` events are reported with their line.
 *
 * Resumable: whatever a killed run relayed is found in step 1 and not sent again. Transient RPC failures
 * are retried with backoff ({@link withRetry}); a send whose outcome is unknown (the request or its response
 * was lost, or the node says the nonce is used) is settled by asking the chain — the relayer's nonce and the
 * transaction that used it — before anything is sent again. Even a lost race only costs gas: the contract
 * skips a repeated reading with an event instead of counting it twice.
 */
import {
  SigningKey,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionResponse,
} from "ethers";
import type { IMeterReadings, IRegistry } from "../../typechain-types";
import { readingDomain, readingHash, type DomainSource, type Reading } from "../lib/readings";
import type { CsvReading, RowError } from "./csv";
import type { MeterKeyRing } from "./keys";
import { silentProgress, type ProgressSink } from "./progress";
import {
  DEFAULT_RETRY,
  describeError,
  isTransient,
  mapPool,
  sleep,
  withRetry,
  type RetryPolicy,
} from "./retry";

export type { Reading };

/** Signs `reading` with a meter's key (found in the key file); returns the 65-byte signature. */
export type ReadingSigner = (meterKey: SigningKey, reading: Reading) => string;

/**
 * The signer of readings for the MeterReadings at `meterReadings`: EIP-712 under the domain the contract
 * reports (ERC-5267), signed synchronously with the meter's key.
 */
export async function readingSignerFor(meterReadings: DomainSource): Promise<ReadingSigner> {
  const domain = await readingDomain(meterReadings);
  return (meterKey, reading) => meterKey.sign(readingHash(domain, reading)).serialized;
}

export interface RelayContext {
  meterReadings: IMeterReadings;
  registry: IRegistry;
  /** Sends the batches; pays their gas. */
  relayer: Signer;
  signReading: ReadingSigner;
}

export interface FeedOptions {
  /** Most gas one batch may take (its `estimateGas`); default 10 000 000. */
  gasBudget?: bigint;
  /** Most readings in one batch; default 500. */
  batchMax?: number;
  /** Reads in flight while resolving rows; default 16. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** How long to wait for a sent batch to be mined; default 10 minutes. */
  receiptTimeoutMs?: number;
  /** Pause between receipt polls; default 200 ms. */
  pollIntervalMs?: number;
  /** Stops (as if killed) after this many batches were mined; for tests of resuming. */
  stopAfterBatches?: number;
  /** Stops before the next batch once aborted. */
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Hears retries and other notices. */
  log?: (line: string) => void;
}

/** A reading the contract refused in a batch (`ReadingSkipped`), with its CSV line. */
export interface SkippedReading {
  line: number;
  participant: string;
  slot: bigint;
  /** The custom error's name (or its selector if unknown). */
  reason: string;
}

export interface FeedSummary {
  /** Well-formed rows given to the engine. */
  rows: number;
  /** Rows that could not be relayed (no key, unknown meter, conflicting repeat…), by line. */
  problems: RowError[];
  /** Identical repeats of an earlier row, dropped: `line` repeats `firstLine`. */
  duplicates: { line: number; firstLine: number }[];
  /** Readings the chain had already (a previous or concurrent run relayed them). */
  alreadyOnChain: number;
  /** Readings this run set out to relay. */
  toRelay: number;
  /** Readings accepted by the contract in this run. */
  accepted: number;
  skipped: SkippedReading[];
  /** Readings relayed before a stop (`stopAfterBatches` or the signal) left the rest for a later run. */
  stopped: boolean;
  transactions: number;
  gasUsed: bigint;
  /** RPC calls retried after a transient failure. */
  retries: number;
  /** Seconds spent relaying (after resolving), and readings sent per second of it. */
  relaySeconds: number;
  readingsPerSecond: number;
}

interface Planned {
  line: number;
  reading: Reading;
  meterKey: SigningKey;
  signature?: string;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const STATUS_NONE = 0n;
/** Readings in the first `estimateGas` probe, which learns the gas of one reading. */
const PROBE_READINGS = 8;
/** How long a used nonce may stay without a visible transaction before the feeder gives up. */
const UNSEEN_TIMEOUT_MS = 60_000;

function isoTime(unix: bigint): string {
  return new Date(Number(unix) * 1000).toISOString().replace(".000Z", "Z");
}

function keyOf(participant: string, slot: bigint): string {
  return `${participant.toLowerCase()}:${slot}`;
}

/** Messages of a send that may have reached the node although it failed (or that says so). */
function isNonceOrKnown(error: unknown): boolean {
  const message = describeError(error) + " " + String((error as { message?: string })?.message ?? "");
  return /nonce too low|nonce has already been used|already known|known transaction|replacement transaction underpriced|NONCE_EXPIRED/i.test(
    message,
  );
}

/**
 * Feeds `rows` (well-formed CSV readings) to the chain: see the module comment. Returns what happened;
 * throws only when the chain cannot be reached past the retry policy or a batch reverts.
 */
export async function feedReadings(
  context: RelayContext,
  rows: readonly CsvReading[],
  keys: MeterKeyRing,
  options: FeedOptions = {},
): Promise<FeedSummary> {
  const gasBudget = options.gasBudget ?? 10_000_000n;
  const batchMax = options.batchMax ?? 500;
  const policy = options.retry ?? DEFAULT_RETRY;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const receiptTimeoutMs = options.receiptTimeoutMs ?? 600_000;
  const progress = options.progress ?? silentProgress;
  const log = options.log ?? (() => {});
  if (gasBudget <= 0n) throw new Error("gas budget must be positive");
  if (!Number.isSafeInteger(batchMax) || batchMax < 1) throw new Error("batchMax must be at least 1");

  const { meterReadings, registry, relayer } = context;
  const provider: Provider = relayer.provider ?? (meterReadings.runner as { provider: Provider }).provider;
  if (!provider) throw new Error("the relayer must be connected to a provider");
  let retries = 0;
  const retry = <T>(label: string, operation: () => Promise<T>) =>
    withRetry(label, operation, policy, (what, attempt, error) => {
      retries++;
      log(`retry ${attempt}/${policy.retries} of ${what} after: ${describeError(error)}`);
    });

  const summary: FeedSummary = {
    rows: rows.length,
    problems: [],
    duplicates: [],
    alreadyOnChain: 0,
    toRelay: 0,
    accepted: 0,
    skipped: [],
    stopped: false,
    transactions: 0,
    gasUsed: 0n,
    retries: 0,
    relaySeconds: 0,
    readingsPerSecond: 0,
  };

  // ------------------------------------------------------------------ 1. resolve
  type Resolved = { row: CsvReading; participant: string; meterKey: SigningKey; exists: boolean } | undefined;
  const resolved: Resolved[] = await mapPool(rows, options.concurrency ?? 16, async (row) => {
    const problem = (reason: string): Resolved => {
      summary.problems.push({ line: row.line, column: row.by, reason });
      return undefined;
    };
    let participant = row.address;
    if (row.by === "meter") {
      participant = await retry(`participantOfMeter(${row.address})`, () =>
        registry.participantOfMeter(row.address),
      );
      if (participant === ZERO_ADDRESS)
        return problem(`meter ${row.address} belongs to no registered participant`);
    }
    const meterKey = await retry(`meterKeyAt(${participant}, ${row.slot})`, () =>
      registry.meterKeyAt(participant, row.slot),
    );
    if (meterKey === ZERO_ADDRESS)
      return problem(`${participant} is not a registered participant in slot ${row.slot}`);
    if (row.by === "meter" && meterKey.toLowerCase() !== row.address.toLowerCase()) {
      return problem(
        `meter ${row.address} is not the meter key of ${participant} in slot ${row.slot} (that is ${meterKey})`,
      );
    }
    const wallet = keys.walletOf(meterKey);
    if (wallet === undefined) return problem(keys.missingKeyReason(participant, row.slot, meterKey));
    const record = await retry(`meterRecord(${participant}, ${row.slot})`, () =>
      meterReadings.meterRecord(participant, row.slot),
    );
    return { row, participant, meterKey: wallet.signingKey, exists: record.status !== STATUS_NONE };
  });

  // Reading windows of the slots to relay, against the chain's clock: a closed or future window is
  // reported here instead of spending gas on a skipped reading.
  const slots = [...new Set(resolved.filter((r) => r !== undefined && !r.exists).map((r) => r!.row.slot))];
  const windows = new Map(
    await mapPool(slots, options.concurrency ?? 16, async (slot) => {
      const [opensAt, closesAt] = await retry(`readingWindowOf(${slot})`, () =>
        meterReadings.readingWindowOf(slot),
      );
      return [slot, { opensAt, closesAt }] as const;
    }),
  );
  const latestBlock = await retry("getBlock(latest)", () => provider.getBlock("latest"));
  const chainTime = BigInt(latestBlock?.timestamp ?? 0);

  const firstOf = new Map<string, CsvReading>();
  const planned: Planned[] = [];
  for (const item of resolved) {
    if (item === undefined) continue;
    const { row, participant } = item;
    const key = keyOf(participant, row.slot);
    const first = firstOf.get(key);
    if (first !== undefined) {
      if (first.importWh === row.importWh && first.exportWh === row.exportWh) {
        summary.duplicates.push({ line: row.line, firstLine: first.line });
      } else {
        summary.problems.push({
          line: row.line,
          column: "",
          reason:
            `another reading of ${participant} in slot ${row.slot} than line ${first.line} ` +
            `(${row.importWh}/${row.exportWh} Wh against ${first.importWh}/${first.exportWh}): the first stands`,
        });
      }
      continue;
    }
    firstOf.set(key, row);
    if (item.exists) {
      summary.alreadyOnChain++;
      continue;
    }
    const window = windows.get(row.slot)!;
    if (chainTime >= window.closesAt || chainTime + 1n < window.opensAt) {
      const closed = chainTime >= window.closesAt;
      summary.problems.push({
        line: row.line,
        column: "slotStart",
        reason: closed
          ? `the reading window of slot ${row.slot} closed at ${isoTime(window.closesAt)}`
          : `the reading window of slot ${row.slot} opens at ${isoTime(window.opensAt)}: run the feeder again then`,
      });
      continue;
    }
    planned.push({
      line: row.line,
      meterKey: item.meterKey,
      reading: { participant, slot: row.slot, importWh: row.importWh, exportWh: row.exportWh },
    });
  }
  summary.problems.sort((a, b) => a.line - b.line);
  summary.toRelay = planned.length;

  // ------------------------------------------------------------------ 2. relay
  const relayStart = Date.now();
  progress.start(planned.length);
  const from = await relayer.getAddress();
  const to = await meterReadings.getAddress();
  const lineOf = new Map(planned.map((p) => [keyOf(p.reading.participant, p.reading.slot), p.line]));
  const sender = meterReadings.connect(relayer);
  let nonce = await retry("getTransactionCount", () => provider.getTransactionCount(from, "pending"));
  let gasPerReading: bigint | undefined;
  let batches = 0;
  let cursor = 0;

  const signed = (items: Planned[]) => {
    for (const p of items) p.signature ??= context.signReading(p.meterKey, p.reading);
    return { readings: items.map((p) => p.reading), signatures: items.map((p) => p.signature!) };
  };
  const estimate = (items: Planned[]) => {
    const { readings, signatures } = signed(items);
    return retry(`estimateGas(${items.length} readings)`, () =>
      sender.submitReadings.estimateGas(readings, signatures),
    );
  };

  try {
    while (cursor < planned.length) {
      if (
        options.signal?.aborted ||
        (options.stopAfterBatches !== undefined && batches >= options.stopAfterBatches)
      ) {
        summary.stopped = true;
        break;
      }
      // Size the batch: learn the gas of one reading once, then check the whole batch's estimate.
      const remaining = planned.length - cursor;
      if (gasPerReading === undefined) {
        const probe = planned.slice(cursor, cursor + Math.min(PROBE_READINGS, remaining));
        gasPerReading = (await estimate(probe)) / BigInt(probe.length) + 1n;
      }
      let size = Math.min(batchMax, remaining, Math.max(1, Number((gasBudget * 95n) / 100n / gasPerReading)));
      let gas: bigint;
      for (;;) {
        gas = await estimate(planned.slice(cursor, cursor + size));
        if (gas <= gasBudget) break;
        if (size === 1) throw new Error(`gas budget ${gasBudget} is too small for one reading (${gas} gas)`);
        size = Math.max(1, Math.min(size - 1, Number((BigInt(size) * gasBudget * 95n) / 100n / gas)));
      }
      gasPerReading = gas / BigInt(size) + 1n;
      const batch = planned.slice(cursor, cursor + size);
      const { readings, signatures } = signed(batch);
      const data = meterReadings.interface.encodeFunctionData("submitReadings", [readings, signatures]);
      const gasLimit = gas + gas / 5n < gasBudget ? gas + gas / 5n : gasBudget;

      const outcome = await sendAndWait({ from, to, data, gasLimit, nonce });
      batches++;
      if (outcome.kind === "foreign") {
        // Another sender used the relayer's nonce: nothing of this batch is known to be on chain; ask.
        log(
          `nonce ${nonce} was used by another transaction (${outcome.receipt.hash}); re-checking the batch`,
        );
        nonce = await retry("getTransactionCount", () => provider.getTransactionCount(from, "pending"));
        const statuses = await mapPool(batch, options.concurrency ?? 16, (p) =>
          retry(`meterRecord(${p.reading.participant}, ${p.reading.slot})`, () =>
            meterReadings.meterRecord(p.reading.participant, p.reading.slot),
          ),
        );
        const stillMissing = batch.filter((_, i) => statuses[i].status === STATUS_NONE);
        summary.alreadyOnChain += batch.length - stillMissing.length;
        summary.toRelay -= batch.length - stillMissing.length;
        progress.advance(batch.length - stillMissing.length);
        planned.splice(cursor, batch.length, ...stillMissing);
        continue;
      }
      const receipt = outcome.receipt;
      nonce++;
      summary.transactions++;
      summary.gasUsed += receipt.gasUsed;
      if (receipt.status !== 1) throw new Error(`batch transaction ${receipt.hash} reverted`);
      let skippedHere = 0;
      for (const entry of receipt.logs) {
        if (entry.address.toLowerCase() !== to.toLowerCase()) continue;
        const parsed = meterReadings.interface.parseLog(entry);
        if (parsed?.name !== "ReadingSkipped") continue;
        const participant = parsed.args[0] as string;
        const slot = parsed.args[1] as bigint;
        const selector = parsed.args[2] as string;
        const reason = meterReadings.interface.getError(selector)?.name ?? selector;
        skippedHere++;
        summary.skipped.push({ line: lineOf.get(keyOf(participant, slot)) ?? 0, participant, slot, reason });
      }
      summary.accepted += batch.length - skippedHere;
      cursor += batch.length;
      progress.advance(batch.length);
    }
  } finally {
    progress.finish();
    summary.retries = retries;
    summary.relaySeconds = (Date.now() - relayStart) / 1000;
    const sent = summary.accepted + summary.skipped.length;
    summary.readingsPerSecond = summary.relaySeconds > 0 ? sent / summary.relaySeconds : 0;
  }
  summary.skipped.sort((a, b) => a.line - b.line);
  return summary;

  // ------------------------------------------------------------------ sending
  type Outcome = { kind: "ours" | "foreign"; receipt: TransactionReceipt };

  /**
   * Sends one batch with nonce `tx.nonce` and waits for it. A failed send whose outcome is unknown is
   * settled by the chain: if the nonce got used, the transaction that used it is found and compared with
   * ours; if it is pending, it is waited for; only if neither is it sent again.
   */
  async function sendAndWait(tx: {
    from: string;
    to: string;
    data: string;
    gasLimit: bigint;
    nonce: number;
  }): Promise<Outcome> {
    const fromBlock = await retry("getBlockNumber", () => provider.getBlockNumber());
    for (let attempt = 0; ; attempt++) {
      let response: TransactionResponse | undefined;
      try {
        response = await relayer.sendTransaction({
          to: tx.to,
          data: tx.data,
          gasLimit: tx.gasLimit,
          nonce: tx.nonce,
        });
      } catch (error) {
        if (!isTransient(error) && !isNonceOrKnown(error)) throw error;
        if (attempt >= policy.retries) {
          throw new Error(
            `sending a batch of readings failed ${attempt + 1} times: ${describeError(error)}; ` +
              `${summary.accepted} readings were accepted in this run — run the feeder again to relay the rest`,
          );
        }
        retries++;
        log(
          `send of nonce ${tx.nonce} failed (${describeError(error)}); asking the chain whether it arrived`,
        );
        const landed = await findByNonce(tx, fromBlock);
        if (typeof landed === "object") return landed;
        // Used, but its block not visible yet (a lagging or caching node): wait for it.
        if (landed === "unseen") return waitMined(tx, fromBlock, undefined);
        await sleep(200 * 2 ** Math.min(attempt, 5));
        // Sent meanwhile? A pending transaction with our nonce is waited for, not replaced.
        const pending = await retry("getTransactionCount", () =>
          provider.getTransactionCount(tx.from, "pending"),
        );
        if (pending > tx.nonce) return waitMined(tx, fromBlock, undefined);
        continue;
      }
      return waitMined(tx, fromBlock, response.hash);
    }
  }

  /** Waits until the transaction with `tx.nonce` is mined and returns its receipt. */
  async function waitMined(
    tx: { from: string; data: string; nonce: number },
    fromBlock: number,
    hash: string | undefined,
  ): Promise<Outcome> {
    const deadline = Date.now() + receiptTimeoutMs;
    let unseenSince: number | undefined;
    for (;;) {
      if (hash !== undefined) {
        const receipt = await retry(`getTransactionReceipt(${hash})`, () =>
          provider.getTransactionReceipt(hash),
        );
        if (receipt !== null) return { kind: "ours", receipt };
      }
      const landed = await findByNonce(tx, fromBlock);
      if (typeof landed === "object") return landed;
      if (landed === "unseen") unseenSince ??= Date.now();
      if (unseenSince !== undefined && Date.now() - unseenSince > UNSEEN_TIMEOUT_MS) {
        throw new Error(
          `nonce ${tx.nonce} of ${tx.from} is used, but by no transaction since block ${fromBlock}; ` +
            `another sender shares the relayer account? Run the feeder again: it relays only what is missing`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `batch with nonce ${tx.nonce}${hash ? ` (${hash})` : ""} not mined after ${receiptTimeoutMs / 1000} s`,
        );
      }
      await sleep(pollIntervalMs);
    }
  }

  /**
   * Whether the relayer's nonce `tx.nonce` is used on chain and, if so, the receipt of the transaction that
   * used it (found among the blocks since `fromBlock`), marked ours when it carries our data; "unseen" when
   * the nonce is used but that transaction is not visible (yet).
   */
  async function findByNonce(
    tx: { from: string; data: string; nonce: number },
    fromBlock: number,
  ): Promise<Outcome | "unused" | "unseen"> {
    const used = await retry("getTransactionCount", () => provider.getTransactionCount(tx.from, "latest"));
    if (used <= tx.nonce) return "unused";
    const latest = await retry("getBlockNumber", () => provider.getBlockNumber());
    for (let number = latest; number >= fromBlock; number--) {
      const block = await retry(`getBlock(${number})`, () => provider.getBlock(number, true));
      const found = block?.prefetchedTransactions.find(
        (t) => t.from.toLowerCase() === tx.from.toLowerCase() && t.nonce === tx.nonce,
      );
      if (found === undefined) continue;
      const receipt = await retry(`getTransactionReceipt(${found.hash})`, () =>
        provider.getTransactionReceipt(found.hash),
      );
      if (receipt === null) continue;
      return { kind: found.data === tx.data ? "ours" : "foreign", receipt };
    }
    return "unseen";
  }
}
