import { task } from "hardhat/config";
import type { Contract } from "ethers";

const KINDS = { prosumer: 1, consumer: 2 } as const;
const KIND_NAMES = ["none", "prosumer", "consumer"];

/** Prints a participant's record and its values in the current slot. */
async function printParticipant(registry: Contract, account: string): Promise<void> {
  const p = await registry.participant(account);
  if (Number(p.kind) === 0) {
    console.log(`${account} is not registered`);
    return;
  }
  const slot = (await registry.currentSlot()) as bigint;
  const [maxImportWh, maxExportWh] = (await registry.capacityAt(account, slot)) as [bigint, bigint];
  console.log(
    `${account}: ${KIND_NAMES[Number(p.kind)]} in microgrid ${p.microgrid}, registered at ${p.registeredAt}, ` +
      `suspended ${p.suspended}, indebted ${p.indebted}; slot ${slot}: meter ${await registry.meterKeyAt(account, slot)}, ` +
      `maxImportWh ${maxImportWh}, maxExportWh ${maxExportWh}`,
  );
}

task("registry:add-microgrid", "Registers a microgrid (REGISTRAR_ROLE)")
  .addParam("id", "Microgrid id (uint32)")
  .addOptionalParam("at", "Registry address (default: the recorded deployment)")
  .setAction(async (args: { id: string; at?: string }, hre) => {
    const { parseUintArg, printTransaction, UINT32_MAX } = await import("../lib/cli");
    const { suiteContract } = await import("../lib/contracts");
    const id = parseUintArg("id", args.id, UINT32_MAX);
    const registry = await suiteContract(hre, "Registry", args.at);
    if (await registry.isMicrogrid(id)) throw new Error(`--id: microgrid ${id} is registered already`);
    await printTransaction("registerMicrogrid", await registry.registerMicrogrid(id));
    console.log(
      `microgrids: ${await registry.microgridCount()} of at most ${await registry.maxMicrogrids()}`,
    );
  });

task("registry:register", "Registers a participant (REGISTRAR_ROLE)")
  .addParam("account", "Participant address")
  .addParam("kind", "prosumer or consumer")
  .addParam("microgrid", "Microgrid id")
  .addParam("meter", "Meter key address (signs the readings)")
  .addParam("maxImportWh", "Import capacity per slot, Wh")
  .addOptionalParam("maxExportWh", "Export capacity per slot, Wh (prosumers only)", "0")
  .addOptionalParam("at", "Registry address (default: the recorded deployment)")
  .setAction(
    async (
      args: {
        account: string;
        kind: string;
        microgrid: string;
        meter: string;
        maxImportWh: string;
        maxExportWh: string;
        at?: string;
      },
      hre,
    ) => {
      const { parseAddressArg, parseUintArg, printTransaction, TaskArgumentError, UINT32_MAX, UINT64_MAX } =
        await import("../lib/cli");
      const { suiteContract } = await import("../lib/contracts");
      const account = parseAddressArg("account", args.account);
      const kind = KINDS[args.kind as keyof typeof KINDS];
      if (kind === undefined)
        throw new TaskArgumentError("kind", `"${args.kind}" is neither prosumer nor consumer`);
      const microgrid = parseUintArg("microgrid", args.microgrid, UINT32_MAX);
      const meter = parseAddressArg("meter", args.meter);
      const maxImportWh = parseUintArg("max-import-wh", args.maxImportWh, UINT64_MAX);
      const maxExportWh = parseUintArg("max-export-wh", args.maxExportWh, UINT64_MAX);
      if (maxImportWh === 0n) throw new TaskArgumentError("max-import-wh", "must be positive");
      if (kind === KINDS.consumer && maxExportWh !== 0n)
        throw new TaskArgumentError("max-export-wh", "a consumer has no export capacity");
      if (kind === KINDS.prosumer && maxExportWh === 0n)
        throw new TaskArgumentError("max-export-wh", "a prosumer needs export capacity");
      const registry = await suiteContract(hre, "Registry", args.at);
      if (!(await registry.isMicrogrid(microgrid)))
        throw new TaskArgumentError("microgrid", `microgrid ${microgrid} is not registered`);
      if (await registry.isRegistered(account))
        throw new TaskArgumentError("account", `${account} is registered already`);
      await printTransaction(
        "registerParticipant",
        await registry.registerParticipant(account, kind, microgrid, meter, maxImportWh, maxExportWh),
      );
      await printParticipant(registry, account);
    },
  );

task("registry:tariff", "Schedules a tariff from the first slot beyond the order horizon (TARIFF_ROLE)")
  .addParam("buy", "Grid buy (retail) price, TRC per kWh")
  .addParam("sell", "Grid sell (feed-in) price, TRC per kWh")
  .addOptionalParam("at", "Registry address (default: the recorded deployment)")
  .setAction(async (args: { buy: string; sell: string; at?: string }, hre) => {
    const { parseTrcArg, printTransaction, TaskArgumentError } = await import("../lib/cli");
    const { suiteContract } = await import("../lib/contracts");
    const buy = parseTrcArg("buy", args.buy);
    const sell = parseTrcArg("sell", args.sell);
    if (sell >= buy) throw new TaskArgumentError("sell", "the feed-in price must be below the buy price");
    const registry = await suiteContract(hre, "Registry", args.at);
    const fromSlot = (await registry.setTariff.staticCall(buy, sell)) as bigint;
    await printTransaction("setTariff", await registry.setTariff(buy, sell));
    const [b, s] = (await registry.tariffAt(fromSlot)) as [bigint, bigint];
    console.log(
      `from slot ${fromSlot}: buy ${hre.ethers.formatUnits(b, 18)} / sell ${hre.ethers.formatUnits(s, 18)} TRC per kWh`,
    );
  });

task("registry:rotate-meter", "Gives a participant a new meter key from a future slot on (REGISTRAR_ROLE)")
  .addParam("account", "Participant address")
  .addParam("meter", "New meter key address")
  .addOptionalParam("fromSlot", "First slot of the new key (default: the next slot)")
  .addOptionalParam("at", "Registry address (default: the recorded deployment)")
  .setAction(async (args: { account: string; meter: string; fromSlot?: string; at?: string }, hre) => {
    const { parseAddressArg, parseUintArg, printTransaction, UINT64_MAX } = await import("../lib/cli");
    const { suiteContract } = await import("../lib/contracts");
    const account = parseAddressArg("account", args.account);
    const meter = parseAddressArg("meter", args.meter);
    const registry = await suiteContract(hre, "Registry", args.at);
    const fromSlot =
      args.fromSlot === undefined
        ? ((await registry.currentSlot()) as bigint) + 1n
        : parseUintArg("from-slot", args.fromSlot, UINT64_MAX);
    await printTransaction("rotateMeter", await registry.rotateMeter(account, meter, fromSlot));
    console.log(`${account}: meter ${await registry.meterKeyAt(account, fromSlot)} from slot ${fromSlot}`);
  });

for (const [name, method, description] of [
  ["registry:suspend", "suspend", "Suspends a participant (REGISTRAR_ROLE)"],
  ["registry:reinstate", "reinstate", "Lifts a participant's suspension (REGISTRAR_ROLE)"],
] as const) {
  task(name, description)
    .addParam("account", "Participant address")
    .addOptionalParam("at", "Registry address (default: the recorded deployment)")
    .setAction(async (args: { account: string; at?: string }, hre) => {
      const { parseAddressArg, printTransaction } = await import("../lib/cli");
      const { suiteContract } = await import("../lib/contracts");
      const account = parseAddressArg("account", args.account);
      const registry = await suiteContract(hre, "Registry", args.at);
      await printTransaction(method, await registry.getFunction(method)(account));
      await printParticipant(registry, account);
    });
}

task("registry:participant", "Prints a participant's record")
  .addParam("account", "Participant address")
  .addOptionalParam("at", "Registry address (default: the recorded deployment)")
  .setAction(async (args: { account: string; at?: string }, hre) => {
    const { parseAddressArg } = await import("../lib/cli");
    const { suiteContract } = await import("../lib/contracts");
    await printParticipant(
      await suiteContract(hre, "Registry", args.at),
      parseAddressArg("account", args.account),
    );
  });
