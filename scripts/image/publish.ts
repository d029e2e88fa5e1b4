/** Moves a finished temporary file or directory to its cache path; a concurrent build that got there first wins. */
import { existsSync } from "node:fs";
import { rename } from "node:fs/promises";

export async function publish(tmp: string, final: string): Promise<void> {
  try {
    await rename(tmp, final);
  } catch (error) {
    if (!existsSync(final)) throw error;
  }
}
