// Hardhat tasks of the agreement layer (SPEC §6.2, §6.3): show an epoch's committee and a validator's
// schedule, propose and attest trade blocks, submit equivocation evidence, finalize by default. --at is the
// TradeBlocks address (default: the recorded deployment); the committees, meter readings, registry and
// validator registry are TradeBlocks' own. --from picks an unlocked account of the node (default: the first
// signer). Every check a transaction would fail is made first, with a message naming the argument.
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Signer } from "ethers";

/** `ITradeBlocks.BlockStatus`. */
const Status = { Unopened: 0n, Open: 1n, Final: 2n, FinalByDefault: 3n } as const;

/** The TradeBlocks of `--at` and the contracts it uses, connected to `--from` (or the first signer). */
async function consensusOf(hre: HardhatRuntimeEnvironment, at: string | undefined, from?: string) {
  const { parseAddressArg } = await import("../lib/cli");
  const { suiteContract } = await import("../lib/contracts");
  const { agentContractsAt } = await import("../validator/agent");
  const located = await suiteContract(hre, "TradeBlocks", at);
  let signer: Signer;
  if (from !== undefined) {
    signer = await hre.ethers.getSigner(parseAddressArg("from", from));
  } else {
    const [first] = await hre.ethers.getSigners();
    if (!first) throw new Error(`network "${hre.network.name}" has no account to send from`);
    signer = first;
  }
  const contracts = await agentContractsAt(await located.getAddress(), signer);
  return { ...contracts, signer, account: await signer.getAddress() };
}

type Consensus = Awaited<ReturnType<typeof consensusOf>>;

/** `--microgrid` and `--slot`, checked: a registered microgrid and a slot number. */
async function parseMicrogridSlot(c: Consensus, microgridArg: string, slotArg: string) {
  const { parseUintArg, TaskArgumentError, UINT32_MAX, UINT64_MAX } = await import("../lib/cli");
  const microgrid = parseUintArg("microgrid", microgridArg, UINT32_MAX);
  const slot = parseUintArg("slot", slotArg, UINT64_MAX);
  if (!(await c.registry.isMicrogrid(microgrid)))
    throw new TaskArgumentError("microgrid", `microgrid ${microgrid} is not registered`);
  return { microgrid, slot };
}

/** A comma-separated list of addresses (empty or absent: none), checked one by one. */
async function parseAddressList(argument: string, value: string | undefined): Promise<string[]> {
  const { parseAddressArg } = await import("../lib/cli");
  if (value === undefined || value.trim() === "") return [];
  return value.split(",").map((part) => parseAddressArg(argument, part.trim()));
}

/**
 * Refuses a microgrid-slot that is final or not proposable, and returns its stored state and current round
 * (as the contract would advance it now).
 */
async function requireOpenSlot(c: Consensus, microgrid: bigint, slot: bigint) {
  const state = await c.blocks.blockState(microgrid, slot);
  if (state.status === Status.Final || state.status === Status.FinalByDefault)
    throw new Error(`(${microgrid}, ${slot}) is final already`);
  if (!(await c.meter.isProposable(microgrid, slot))) {
    const [, closesAt] = await c.meter.readingWindowOf(slot);
    throw new Error(
      `(${microgrid}, ${slot}) is not proposable yet: its reading window closes at ${closesAt}, and its book ` +
        `must be cleared and every account with orders read or accounted missing`,
    );
  }
  const [round, openedAt, open] = await c.blocks.currentRound(microgrid, slot);
  return { state, round, openedAt, open };
}

/**
 * The drawn committee order of `slot`'s epoch; shuffles it first (a transaction) when it is selected and its
 * seed block has come. Refuses an epoch without committee or not drawable yet.
 */
async function requireOrder(c: Consensus, slot: bigint): Promise<string[]> {
  const { printTransaction } = await import("../lib/cli");
  const epoch = await c.committees.epochOf(slot);
  let order = [...(await c.committees.committeeOf(epoch))];
  if (order.length > 0) return order;
  const info = await c.committees.committeeInfo(epoch);
  if (!info.selected)
    throw new Error(`epoch ${epoch} has no committee selected yet: run validator:committee --epoch ${epoch}`);
  if (info.memberCount === 0n)
    throw new Error(`epoch ${epoch} has no committee (too few eligible validators): finality is by default`);
  const next = BigInt(await c.signer.provider!.getBlockNumber()) + 1n;
  if (next < info.seedBlock)
    throw new Error(
      `epoch ${epoch}'s committee can be drawn from block ${info.seedBlock} on (next is ${next})`,
    );
  await printTransaction(`shuffle(${epoch})`, await c.committees.shuffle(epoch));
  order = [...(await c.committees.committeeOf(epoch))];
  return order;
}

/** `order[(slot + microgrid + round) mod k]`. */
function proposerIn(order: string[], microgrid: bigint, slot: bigint, round: bigint): string {
  return order[Number((slot + microgrid + round) % BigInt(order.length))];
}

/** One line of validator:committee. */
export interface CommitteeView {
  epoch: bigint;
  selected: boolean;
  shuffled: boolean;
  seedBlock: bigint;
  /** In drawn order once shuffled, in rank order before. */
  members: string[];
}

task("validator:committee", "Shows an epoch's committee: members in order, selected and shuffled state")
  .addParam("epoch", "Epoch number (slot / epochSlots)")
  .addOptionalParam("at", "TradeBlocks address (default: the recorded deployment)")
  .setAction(async (args: { epoch: string; at?: string }, hre): Promise<CommitteeView> => {
    const { parseUintArg, UINT64_MAX } = await import("../lib/cli");
    const epoch = parseUintArg("epoch", args.epoch, UINT64_MAX);
    const c = await consensusOf(hre, args.at);
    const info = await c.committees.committeeInfo(epoch);
    const members = [...(await c.committees.membersOf(epoch))];
    const epochSlots = await c.committees.epochSlots();
    const first = epoch * epochSlots;
    console.log(`epoch ${epoch}: slots ${first}..${first + epochSlots - 1n}`);
    if (!info.selected) {
      console.log(
        `not selected yet: selectable from slot ${await c.committees.selectionSlot(epoch)} on ` +
          `(current slot ${await c.registry.currentSlot()})`,
      );
    } else if (info.memberCount === 0n) {
      console.log("no committee: too few eligible validators; its microgrid-slots are final by default");
    } else if (!info.shuffled) {
      console.log(`selected (${members.length} members, rank order); drawn from block ${info.seedBlock} on`);
    } else {
      console.log(`selected and shuffled: ${members.length} members in proposer order`);
    }
    for (const [i, member] of members.entries()) {
      const score = await c.oracle.validatorScore(member);
      console.log(`${String(i).padStart(4)}  ${member}  score ${hre.ethers.formatUnits(score, 18)}`);
    }
    return { epoch, selected: info.selected, shuffled: info.shuffled, seedBlock: info.seedBlock, members };
  });

/** What validator:schedule finds. */
export interface ScheduleView {
  /** The microgrid-slots whose round 0 the validator proposes. */
  proposals: { microgrid: bigint; slot: bigint; round: bigint }[];
  /** Epochs (of the range) whose committee it is on: it attests their microgrid-slots. */
  attestEpochs: bigint[];
  /** Epochs whose committee it is on but whose order is not drawn yet (its proposals there are unknown). */
  undrawnEpochs: bigint[];
  /** Epochs of the range not selected yet. */
  unselectedEpochs: bigint[];
}

task("validator:schedule", "Shows which microgrid-slots a validator proposes (round 0) and where it attests")
  .addParam("validator", "Validator address")
  .addParam("fromSlot", "First slot")
  .addParam("slots", "How many slots (at most 10 000)")
  .addOptionalParam("microgrids", "Comma-separated microgrids (default: every registered microgrid)")
  .addOptionalParam("at", "TradeBlocks address (default: the recorded deployment)")
  .setAction(
    async (
      args: { validator: string; fromSlot: string; slots: string; microgrids?: string; at?: string },
      hre,
    ): Promise<ScheduleView> => {
      const { parseAddressArg, parseUintArg, TaskArgumentError, UINT32_MAX, UINT64_MAX } =
        await import("../lib/cli");
      const validator = parseAddressArg("validator", args.validator);
      const fromSlot = parseUintArg("from-slot", args.fromSlot, UINT64_MAX);
      const slots = parseUintArg("slots", args.slots, 10_000n);
      if (slots === 0n) throw new TaskArgumentError("slots", "must be positive");
      if (fromSlot + slots - 1n > UINT64_MAX) throw new TaskArgumentError("slots", "runs past the last slot");
      const c = await consensusOf(hre, args.at);
      let microgrids: bigint[];
      if (args.microgrids !== undefined) {
        microgrids = args.microgrids.split(",").map((m) => parseUintArg("microgrids", m.trim(), UINT32_MAX));
        for (const m of microgrids)
          if (!(await c.registry.isMicrogrid(m)))
            throw new TaskArgumentError("microgrids", `microgrid ${m} is not registered`);
      } else {
        const count = await c.registry.microgridCount();
        microgrids = [];
        for (let i = 0n; i < count; ++i) microgrids.push(await c.registry.microgridAt(i));
      }

      const view: ScheduleView = { proposals: [], attestEpochs: [], undrawnEpochs: [], unselectedEpochs: [] };
      const epochSlots = await c.committees.epochSlots();
      const last = fromSlot + slots - 1n;
      for (let epoch = fromSlot / epochSlots; epoch <= last / epochSlots; ++epoch) {
        const info = await c.committees.committeeInfo(epoch);
        if (!info.selected) {
          view.unselectedEpochs.push(epoch);
          continue;
        }
        if (!(await c.committees.isMember(epoch, validator))) continue;
        view.attestEpochs.push(epoch);
        if (!info.shuffled) {
          view.undrawnEpochs.push(epoch);
          continue;
        }
        const order = [...(await c.committees.committeeOf(epoch))];
        const start = epoch * epochSlots > fromSlot ? epoch * epochSlots : fromSlot;
        const end = (epoch + 1n) * epochSlots - 1n < last ? (epoch + 1n) * epochSlots - 1n : last;
        for (let slot = start; slot <= end; ++slot) {
          for (const microgrid of microgrids) {
            if (proposerIn(order, microgrid, slot, 0n) === validator)
              view.proposals.push({ microgrid, slot, round: 0n });
          }
        }
      }

      console.log(`${validator}, slots ${fromSlot}..${last}, microgrids ${microgrids.join(", ") || "none"}:`);
      console.log(`attests in epochs: ${view.attestEpochs.join(", ") || "none"}`);
      for (const p of view.proposals) console.log(`proposes round 0 of (${p.microgrid}, ${p.slot})`);
      if (view.undrawnEpochs.length > 0)
        console.log(
          `order not drawn yet in epochs ${view.undrawnEpochs.join(", ")}: proposals there unknown`,
        );
      if (view.unselectedEpochs.length > 0)
        console.log(`committee not selected yet in epochs ${view.unselectedEpochs.join(", ")}`);
      return view;
    },
  );

task("validator:propose", "Signs and submits the current round's trade block of a microgrid-slot (SPEC §6.3)")
  .addParam("microgrid", "Microgrid id")
  .addParam("slot", "Slot number")
  .addOptionalParam("exclude", "Comma-separated participants whose readings the block excludes")
  .addOptionalParam("from", "Proposing account: the round's proposer (default: the first signer)")
  .addOptionalParam("at", "TradeBlocks address (default: the recorded deployment)")
  .setAction(
    async (args: { microgrid: string; slot: string; exclude?: string; from?: string; at?: string }, hre) => {
      const { printTransaction, TaskArgumentError } = await import("../lib/cli");
      const { blocksDomain, proposalStructHash, signProposal, sortAddresses } = await import("../lib/blocks");
      const exclusions = await parseAddressList("exclude", args.exclude);
      const sorted = sortAddresses(exclusions);
      if (sorted.length !== exclusions.length)
        throw new TaskArgumentError("exclude", "names a participant twice");
      const c = await consensusOf(hre, args.at, args.from);
      const { microgrid, slot } = await parseMicrogridSlot(c, args.microgrid, args.slot);
      const [blocksMax, meterMax] = await Promise.all([c.blocks.maxExclusions(), c.meter.maxExclusions()]);
      const max = blocksMax < meterMax ? blocksMax : meterMax;
      if (BigInt(sorted.length) > max)
        throw new TaskArgumentError("exclude", `${sorted.length} exclusions exceed maxExclusions ${max}`);
      const { state, round, open } = await requireOpenSlot(c, microgrid, slot);
      if (!open)
        throw new Error(
          `no round of (${microgrid}, ${slot}) is open: its finality deadline has passed; run validator:finalize-default`,
        );
      const order = await requireOrder(c, slot);
      const proposer = proposerIn(order, microgrid, slot, round);
      if (proposer !== c.account)
        throw new Error(
          `${c.account} is not the proposer of round ${round} of (${microgrid}, ${slot}): ${proposer} is`,
        );
      if (state.round === round && state.proposedAt !== 0n)
        throw new Error(`round ${round} of (${microgrid}, ${slot}) has a proposal already`);
      for (const account of sorted) {
        const record = await c.meter.meterRecord(account, slot);
        const inMicrogrid = (await c.registry.participant(account)).microgrid === microgrid;
        if (!inMicrogrid || (record.status !== 1n && record.status !== 2n))
          throw new TaskArgumentError(
            "exclude",
            `${account} has no accepted reading in (${microgrid}, ${slot})`,
          );
      }

      const [digest, count] = await c.meter.readingDigest(microgrid, slot);
      const ref = { microgrid, slot, round };
      const body = { digest, count, exclusions: sorted };
      const signature = await signProposal(c.signer, await blocksDomain(c.blocks), ref, body);
      await printTransaction("propose", await c.blocks.propose(microgrid, slot, round, body, signature));
      const after = await c.blocks.blockState(microgrid, slot);
      console.log(
        `round ${round} of (${microgrid}, ${slot}): proposal ${proposalStructHash(ref, body)} with ` +
          `${count} readings, ${sorted.length} excluded; ${after.status === Status.Final ? "final" : "open to attestations"}`,
      );
      return { round, proposalHash: proposalStructHash(ref, body), exclusions: sorted };
    },
  );

task("validator:attest", "Accepts or rejects the current round's proposal of a microgrid-slot")
  .addParam("microgrid", "Microgrid id")
  .addParam("slot", "Slot number")
  .addParam("round", "The current round (as validator:propose printed it)")
  .addFlag("accept", "Accept the proposal")
  .addFlag("reject", "Reject the proposal")
  .addOptionalParam("from", "Attesting member (default: the first signer)")
  .addOptionalParam("at", "TradeBlocks address (default: the recorded deployment)")
  .setAction(
    async (
      args: {
        microgrid: string;
        slot: string;
        round: string;
        accept: boolean;
        reject: boolean;
        from?: string;
        at?: string;
      },
      hre,
    ) => {
      const { parseUintArg, printTransaction, TaskArgumentError, UINT32_MAX } = await import("../lib/cli");
      if (args.accept === args.reject)
        throw new TaskArgumentError("accept", "give exactly one of --accept and --reject");
      const given = parseUintArg("round", args.round, UINT32_MAX);
      const c = await consensusOf(hre, args.at, args.from);
      const { microgrid, slot } = await parseMicrogridSlot(c, args.microgrid, args.slot);
      const { state, round, open } = await requireOpenSlot(c, microgrid, slot);
      if (!open)
        throw new Error(`no round of (${microgrid}, ${slot}) is open: its finality deadline has passed`);
      if (given !== round) throw new TaskArgumentError("round", `${given} is not the current round ${round}`);
      if (!(state.round === round && state.proposedAt !== 0n))
        throw new Error(`round ${round} of (${microgrid}, ${slot}) has no proposal to attest yet`);
      const order = await requireOrder(c, slot);
      const position = order.indexOf(c.account);
      if (position < 0) throw new Error(`${c.account} is not a member of the committee of slot ${slot}`);
      if (c.account === proposerIn(order, microgrid, slot, round))
        throw new Error(`${c.account} proposed round ${round}: its proposal is its accept`);
      if (((state.acceptMask | state.rejectMask) >> BigInt(position)) & 1n)
        throw new Error(`${c.account} voted in round ${round} already`);

      await printTransaction("attest", await c.blocks.attest(microgrid, slot, round, args.accept));
      const after = await c.blocks.blockState(microgrid, slot);
      const k = order.length;
      let outcome: string;
      if (after.status === Status.Final) outcome = "final";
      else if (after.round !== round) outcome = "rejected: the next round is open";
      else outcome = `open: ${after.accepts} of ${k} accept, ${after.rejects} reject`;
      console.log(
        `${args.accept ? "accepted" : "rejected"} round ${round} of (${microgrid}, ${slot}); ${outcome}`,
      );
      return { accept: args.accept, outcome };
    },
  );

task("validator:evidence", "Submits two different signed proposals of one round: ejects their proposer")
  .addParam("file", "JSON file with the evidence (format: scripts/lib/blocks.ts, EquivocationEvidence)")
  .addOptionalParam("from", "Submitting account (default: the first signer)")
  .addOptionalParam("at", "TradeBlocks address (default: the recorded deployment)")
  .setAction(async (args: { file: string; from?: string; at?: string }, hre) => {
    const fs = await import("node:fs");
    const { printTransaction, formatTrc, TaskArgumentError } = await import("../lib/cli");
    const { PROPOSAL_TYPES, blocksDomain, evidenceFromJson, proposalStructHash } =
      await import("../lib/blocks");
    const { verifyTypedData } = await import("ethers");
    if (!fs.existsSync(args.file)) throw new TaskArgumentError("file", `no such file: ${args.file}`);
    let evidence;
    try {
      evidence = evidenceFromJson(fs.readFileSync(args.file, "utf8"));
    } catch (error) {
      throw new TaskArgumentError("file", (error as Error).message);
    }
    const c = await consensusOf(hre, args.at, args.from);
    const { microgrid, slot, round } = evidence;
    const order = await requireOrder(c, slot);
    const proposer = proposerIn(order, microgrid, slot, round);
    const domain = await blocksDomain(c.blocks);
    for (const [name, side] of [
      ["a", evidence.a],
      ["b", evidence.b],
    ] as const) {
      let signer: string;
      try {
        signer = verifyTypedData(
          domain,
          PROPOSAL_TYPES,
          { microgrid, slot, round, ...side.body },
          side.signature,
        );
      } catch {
        throw new TaskArgumentError("file", `proposal ${name} has a malformed signature`);
      }
      if (signer !== proposer)
        throw new TaskArgumentError(
          "file",
          `proposal ${name} is signed by ${signer}, not by ${proposer}, the proposer of round ${round} of (${microgrid}, ${slot})`,
        );
    }
    const hashA = proposalStructHash(evidence, evidence.a.body);
    if (hashA === proposalStructHash(evidence, evidence.b.body))
      throw new TaskArgumentError("file", `the two proposals are the same (${hashA}): no equivocation`);
    const record = await c.validators.validator(proposer);
    if (record.ejected) throw new Error(`${proposer} was ejected already`);

    const { a, b } = evidence;
    await printTransaction(
      "submitEquivocation",
      await c.blocks.submitEquivocation(microgrid, slot, round, a.body, a.signature, b.body, b.signature),
    );
    console.log(`${proposer} ejected; weight ${formatTrc(record.weight)} forfeited`);
    return { proposer };
  });

task("validator:finalize-default", "Finalizes a microgrid-slot by default once its deadline has passed")
  .addParam("microgrid", "Microgrid id")
  .addParam("slot", "Slot number")
  .addOptionalParam("from", "Sending account (default: the first signer)")
  .addOptionalParam("at", "TradeBlocks address (default: the recorded deployment)")
  .setAction(async (args: { microgrid: string; slot: string; from?: string; at?: string }, hre) => {
    const { printTransaction } = await import("../lib/cli");
    const c = await consensusOf(hre, args.at, args.from);
    const { microgrid, slot } = await parseMicrogridSlot(c, args.microgrid, args.slot);
    const { state } = await requireOpenSlot(c, microgrid, slot);
    let deadlineAt = state.deadlineAt;
    if (state.status === Status.Unopened) {
      const proposableAt = (await c.meter.slotMeter(microgrid, slot)).proposableAt;
      deadlineAt = proposableAt + (await c.blocks.finalityDeadline()) * (await c.registry.slotLength());
    }
    const latest = await c.signer.provider!.getBlock("latest");
    const next = BigInt(latest!.timestamp) + 1n;
    // Before its deadline, default finality needs an epoch selected without a committee (too few eligible).
    const info = await c.committees.committeeInfo(await c.committees.epochOf(slot));
    const hasCommittee = !(info.selected && info.memberCount === 0n);
    if (hasCommittee && next < deadlineAt)
      throw new Error(
        `default finality of (${microgrid}, ${slot}) is due at ${deadlineAt} (in ${deadlineAt - next + 1n} s)`,
      );
    await printTransaction("finalizeByDefault", await c.blocks.finalizeByDefault(microgrid, slot));
    console.log(`(${microgrid}, ${slot}) final by default: no exclusions, fees burned, no reward`);
  });
