/**
 * The release's single executables, one per architecture: the bundle as a
 * SEA blob injected into Node's official binary for that architecture (the
 * npm registry's node-linux-<arch>, the recipe's pinned version and sha512,
 * the same Node the image carries). The blob is written by the build
 * machine's Node of that same version; V8's code cache goes in only for the
 * build machine's own architecture (it is machine code; Node's SEA docs:
 * cross-platform blobs need useCodeCache false). Node's symbol table is
 * stripped first: nothing at run time reads it (.dynsym, which native addons
 * link against, stays), and it is a sixth of the binary.
 */
import { copyFile, mkdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { nodeRuntime } from "../image/node-runtime.ts";
import { archNames, hostOciArch, type Recipe } from "../image/recipe.ts";
import { runTool } from "../image/run-tool.ts";

export interface BuiltExecutable {
  arch: string;
  path: string;
  sizeBytes: number;
  /** Node's own binary, as shipped and after strip. */
  nodeBytes: number;
  strippedNodeBytes: number;
  /** The minified CommonJS bundle and the SEA blob made from it. */
  bundleBytes: number;
  blobBytes: number;
  codeCache: boolean;
  nodeSpec: string;
  /** esbuild's metafile of the bundle: which package files went in. */
  metafile: string;
}

/** GNU binutils' strip for an architecture, and the Debian package that has it here. */
function stripTool(ociArch: string): { command: string; debianPackage: string } {
  if (ociArch === hostOciArch()) return { command: "strip", debianPackage: "binutils" };
  const triplet = { amd64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu" }[ociArch];
  if (!triplet) throw new Error(`no strip for ${ociArch}`);
  return { command: `${triplet}-strip`, debianPackage: `binutils-${triplet.replaceAll("_", "-")}` };
}

async function stripNode(ociArch: string, from: string, to: string): Promise<void> {
  const strip = stripTool(ociArch);
  try {
    await runTool([strip.command, "--strip-all", "-o", to, from], { timeoutMs: 5 * 60_000 });
  } catch (error) {
    if (!/ENOENT/.test((error as Error).message)) throw error;
    throw new Error(`${strip.command} is not installed: apt-get install ${strip.debianPackage}`);
  }
}

export async function buildExecutable(
  recipe: Recipe,
  ociArch: string,
  outFile: string,
  work: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<BuiltExecutable> {
  archNames(ociArch);
  const builder = await nodeRuntime(recipe, hostOciArch(), cacheDir, log);
  const target = ociArch === hostOciArch() ? builder : await nodeRuntime(recipe, ociArch, cacheDir, log);
  const dir = join(work, `sea-${ociArch}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const stripped = join(dir, "node");
  await stripNode(ociArch, join(target.dir, "bin", "node"), stripped);
  const codeCache = ociArch === hostOciArch();
  const seaOut = join(dir, "regtrust");
  log(`release: single executable for linux/${ociArch} (${target.spec}${codeCache ? ", code cache" : ""})`);
  await runTool([join(builder.dir, "bin", "node"), "scripts/build-sea.mjs"], {
    timeoutMs: 10 * 60_000,
    env: {
      ...process.env,
      REGTRUST_SEA_OUT: seaOut,
      REGTRUST_SEA_BASE: stripped,
      REGTRUST_SEA_CODE_CACHE: codeCache ? "1" : "0",
    },
  });
  await copyFile(seaOut, outFile);
  const size = async (path: string) => (await stat(path)).size;
  return {
    arch: ociArch,
    path: resolve(outFile),
    sizeBytes: await size(outFile),
    nodeBytes: await size(join(target.dir, "bin", "node")),
    strippedNodeBytes: await size(stripped),
    bundleBytes: await size(join(dir, "sea", "regtrust.cjs")),
    blobBytes: await size(join(dir, "sea", "regtrust.blob")),
    codeCache,
    nodeSpec: target.spec,
    metafile: join(dir, "sea", "regtrust.meta.json"),
  };
}
