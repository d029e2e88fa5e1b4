/** Shared by the export tests: a CA file on disk and `regtrust export` run in-process. */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { createPrivatePki } from "../../src/pki/generate.ts";
import { runCli } from "../integration/cli.ts";
import type { TempDirs } from "../support/tmp.ts";

export type TestPki = Awaited<ReturnType<typeof createPrivatePki>>;

export async function writeCaFile(dirs: TempDirs, pki: TestPki): Promise<string> {
  const dir = await dirs.make("export-ca");
  const file = join(dir, "ca.pem");
  await writeFile(file, pki.root.certPem);
  return file;
}

/** Runs `regtrust export … -o FILE` and returns the file's path; fails the test on a non-zero exit. */
export async function exportTo(dirs: TempDirs, name: string, args: string[]): Promise<string> {
  const dir = await dirs.make("export-out");
  const out = join(dir, name);
  const run = await runCli(["export", ...args, "-o", out]);
  if (run.code !== 0) throw new Error(`export exited ${run.code}: ${run.stderr}`);
  return out;
}

/** Runs `regtrust export …` in-process and returns what it printed; fails the test on a non-zero exit. */
export async function exportText(args: string[]): Promise<string> {
  const run = await runCli(["export", ...args]);
  if (run.code !== 0) throw new Error(`export exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}
