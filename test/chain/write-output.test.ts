/**
 * src/plan/write-output.ts (kept here: the assignment allows one file in
 * src/plan/): atomic, never through a symlink, clear errors naming the path.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InputError } from "../../src/core/errors.ts";
import { writeOutputFile } from "../../src/plan/write-output.ts";
import { TempDirs } from "../support/tmp.ts";

const dirs = new TempDirs();
let dir: string;
before(async () => {
  dir = await dirs.make("write-output");
});
after(() => dirs.cleanup());

const inputError = (pattern: RegExp) => (e: unknown) => e instanceof InputError && pattern.test(e.message);

describe("writeOutputFile", () => {
  it("creates the file with exactly the requested mode, whatever the umask", () => {
    const path = join(dir, "new.pem");
    writeOutputFile(path, "PEM\n");
    assert.equal(readFileSync(path, "utf8"), "PEM\n");
    assert.equal(statSync(path).mode & 0o777, 0o644);
    writeOutputFile(join(dir, "secret.pem"), new Uint8Array([1, 2, 3]), 0o600);
    assert.equal(statSync(join(dir, "secret.pem")).mode & 0o777, 0o600);
  });

  it("replaces an existing file and leaves no temp file behind", () => {
    const sub = join(dir, "replace");
    mkdirSync(sub);
    const path = join(sub, "full.pem");
    writeFileSync(path, "old");
    writeOutputFile(path, "new");
    assert.equal(readFileSync(path, "utf8"), "new");
    assert.deepEqual(readdirSync(sub), ["full.pem"]);
  });

  it("refuses to write through a symlink and leaves its target alone", () => {
    const target = join(dir, "shadow");
    writeFileSync(target, "root:x:0:0\n");
    const link = join(dir, "link.pem");
    symlinkSync(target, link);
    assert.throws(
      () => writeOutputFile(link, "evil"),
      inputError(/link\.pem: refusing to write through a symbolic link/),
    );
    assert.equal(readFileSync(target, "utf8"), "root:x:0:0\n");
  });

  it("names the path when it cannot write", () => {
    assert.throws(() => writeOutputFile(dir, "x"), inputError(/is a directory/));
    const missing = join(dir, "no-such-dir", "out.pem");
    assert.throws(
      () => writeOutputFile(missing, "x"),
      inputError(/cannot write .*no-such-dir\/out\.pem: the directory does not exist/),
    );
  });
});
