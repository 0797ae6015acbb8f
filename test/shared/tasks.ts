import hre from "hardhat";

/** Runs a Hardhat task in-process with console.log captured; returns its result and the printed text. */
export async function runTaskQuietly(
  taskName: string,
  args: Record<string, string | boolean | undefined>,
): Promise<{ result: unknown; printed: string }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.join(" "));
  try {
    const result = await hre.run(taskName, args);
    return { result, printed: lines.join("\n") };
  } finally {
    console.log = original;
  }
}
