/**
 * Node for the image: the official binary as the npm registry ships it in
 * `node-linux-<arch>` (the same bytes as Node's release tarball), fetched
 * with npm's own client and checked against the integrity pinned in the
 * recipe, so a different or tampered package fails the build.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { publish } from "./publish.ts";
import { nodePackageSpec, type Recipe } from "./recipe.ts";
import { runTool } from "./run-tool.ts";

export interface NodeRuntime {
  /** Directory holding bin/node and LICENSE. */
  dir: string;
  spec: string;
  integrity: string;
}

export async function nodeRuntime(
  recipe: Recipe,
  ociArch: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<NodeRuntime> {
  const { spec, integrity } = nodePackageSpec(recipe, ociArch);
  const dir = join(cacheDir, "node", integrityId(integrity));
  if (existsSync(join(dir, "bin", "node"))) return { dir, spec, integrity };
  await mkdir(join(cacheDir, "node"), { recursive: true });
  const work = await mkdtemp(join(cacheDir, "node", "tmp-"));
  try {
    log(`image: fetching ${spec} from the npm registry`);
    const { stdout } = await runTool(["npm", "pack", spec, "--json", "--pack-destination", work], {
      timeoutMs: 10 * 60_000,
      cwd: work,
    });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    const tarball = join(work, packed!.filename);
    const actual = `sha512-${createHash("sha512")
      .update(await readFile(tarball))
      .digest("base64")}`;
    if (actual !== integrity) {
      throw new Error(`${spec}: integrity ${actual} differs from the recipe's ${integrity}`);
    }
    const out = join(work, "out");
    await mkdir(out);
    await runTool(
      ["tar", "-xzf", tarball, "-C", out, "--strip-components=1", "package/bin/node", "package/LICENSE"],
      { timeoutMs: 5 * 60_000 },
    );
    await publish(out, dir);
    return { dir, spec, integrity };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function integrityId(integrity: string): string {
  return createHash("sha256").update(integrity).digest("hex").slice(0, 32);
}
