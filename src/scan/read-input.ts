import { readFile } from "node:fs/promises";
import { UsageError } from "../core/errors.ts";

/** The scan input: a file, or stdin for `-`. Unreadable → a usage error naming the file (exit 2). */
export async function readScanInput(
  file: string,
  readStdin: () => Promise<Buffer>,
): Promise<{ text: string; name: string }> {
  if (file === "-") return { text: (await readStdin()).toString("utf8"), name: "stdin" };
  try {
    return { text: await readFile(file, "utf8"), name: file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`cannot read scan input "${file}": ${code}`);
  }
}
