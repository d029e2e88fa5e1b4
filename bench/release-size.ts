/**
 * Benchmark (not a test): what the release's single executables are made
 * of, per architecture — Node's official binary as the npm registry ships
 * it, the same stripped of its symbol table, the minified bundle, the SEA
 * blob (bundle + V8 code cache for this machine's architecture) — and the
 * sizes of what users download: the executable, its .tar.gz, the image.
 * Builds the executables with scripts/release/executables.ts into a temp
 * directory (`npm run build` first); the images come from the image cache
 * (`npm run image`, built when absent).
 *   node --import tsx bench/release-size.ts [--json-out FILE]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildImage, createdTime, defaultCacheDir } from "../scripts/image/build.ts";
import { loadRecipe } from "../scripts/image/recipe.ts";
import { writeExecutableArchive } from "../scripts/release/archives.ts";
import { buildExecutable } from "../scripts/release/executables.ts";
import { emitResult, type ReleaseSizeRow } from "./results.ts";

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "regtrust-bench-release-"));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const rows: ReleaseSizeRow[] = [];
    for (const arch of ["amd64", "arm64"]) {
      const file = join(work, `regtrust-linux-${arch}`);
      const exe = await buildExecutable(loadRecipe(), arch, file, work, defaultCacheDir(), log);
      await writeExecutableArchive(file, `${file}.tar.gz`, work, createdTime());
      const image = await buildImage({ arch, log });
      rows.push({
        arch,
        nodeSpec: exe.nodeSpec,
        nodeBytes: exe.nodeBytes,
        strippedNodeBytes: exe.strippedNodeBytes,
        bundleBytes: exe.bundleBytes,
        blobBytes: exe.blobBytes,
        codeCache: exe.codeCache,
        executableBytes: exe.sizeBytes,
        archiveBytes: statSync(`${file}.tar.gz`).size,
        imageBytes: image.sizeBytes,
      });
    }
    await emitResult({ kind: "release-size", rows });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
