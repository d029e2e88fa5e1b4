/**
 * Golden-file assertion: compares text with test/golden/<name>; run with
 * UPDATE_GOLDEN=1 to rewrite the files after an intended output change.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const DIR = new URL(".", import.meta.url).pathname;

export function assertGolden(name: string, actual: string): void {
  const path = join(DIR, name);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(path)) {
    if (process.env.CI && !existsSync(path)) assert.fail(`golden file ${name} is missing (run with UPDATE_GOLDEN=1)`);
    writeFileSync(path, actual);
    return;
  }
  assert.equal(actual, readFileSync(path, "utf8"), `output differs from golden ${name} (UPDATE_GOLDEN=1 to accept)`);
}
