import assert from "node:assert/strict";
import { access, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { TempDirs, withTempDir } from "./tmp.ts";

describe("tmp", () => {
  it("withTempDir removes the directory even when the body throws", async () => {
    let seen = "";
    await assert.rejects(
      withTempDir("tmp-test", async (dir) => {
        seen = dir;
        await writeFile(join(dir, "f"), "x");
        throw new Error("body failed");
      }),
      /body failed/,
    );
    assert.match(seen, /regtrust-tmp-test-/);
    await assert.rejects(access(seen));
  });

  it("TempDirs.cleanup removes every directory it made", async () => {
    const temps = new TempDirs();
    const dirs = [await temps.make("a"), await temps.make("b")];
    await temps.cleanup();
    for (const dir of dirs) await assert.rejects(access(dir));
  });
});
