/**
 * `npm run image`: the regtrust image as an OCI archive, built offline from
 * Debian's packages (mmdebstrap, via this machine's apt mirror), Node from
 * the npm registry and the bundle in dist/ (`npm run build` first). Options:
 *   --arch amd64|arm64|all   default: this machine's; `all` builds every
 *                            architecture and the multi-arch index (index.ts)
 *   --out FILE               default: build/image/regtrust-<version>-linux-<arch>.oci.tar
 *                            (with `all`: the index archive, build/image/regtrust-<version>-linux-multiarch.oci.tar)
 * A foreign architecture's Debian base is built in mmdebstrap's chrootless
 * mode (base-layer.ts, foreign-base.ts): no emulation needed.
 * Cache (base root file systems, Node packages): $REGTRUST_IMAGE_CACHE, else
 * $XDG_CACHE_HOME/regtrust-image, else ~/.cache/regtrust-image. The archive
 * is rebuilt only when one of its inputs changed (build-info JSON beside it).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { baseLayer } from "./base-layer.ts";
import { buildImageIndex, defaultIndexArchive } from "./index.ts";
import { nodeRuntime } from "./node-runtime.ts";
import { assembleImage } from "./oci-image.ts";
import { publish } from "./publish.ts";
import { hostOciArch, loadRecipe, packageVersion, RECIPE_FILE, supportedArches } from "./recipe.ts";

export interface BuildOptions {
  arch?: string;
  out?: string;
  cacheDir?: string;
  log?: (line: string) => void;
}

export interface BuiltImage {
  archive: string;
  /** The archive's tag inside the layout (oci-archive:<archive>:<tag>). */
  tag: string;
  manifestDigest: string;
  arch: string;
  version: string;
  sizeBytes: number;
  key: string;
  reused: boolean;
  seconds: number;
  /** The base's packages file, one `Package<TAB>Version<TAB>Architecture` line each (BaseLayer.packagesFile). */
  basePackages: string[];
}

export function defaultCacheDir(): string {
  if (process.env.REGTRUST_IMAGE_CACHE) return process.env.REGTRUST_IMAGE_CACHE;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "regtrust-image");
}

export function defaultArchive(version: string, arch: string): string {
  return resolve("build", "image", `regtrust-${version}-linux-${arch}.oci.tar`);
}

export async function buildImage(opts: BuildOptions = {}): Promise<BuiltImage> {
  const started = Date.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const recipe = loadRecipe();
  const version = packageVersion();
  const arch = opts.arch ?? hostOciArch();
  const archive = resolve(opts.out ?? defaultArchive(version, arch));
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  if (!existsSync("dist/regtrust.mjs")) {
    throw new Error("dist/regtrust.mjs is missing: run `npm run build` first");
  }
  const base = await baseLayer(recipe, arch, cacheDir, log);
  const node = await nodeRuntime(recipe, arch, cacheDir, log);
  const created = createdTime();
  const key = createHash("sha256")
    .update(readFileSync(RECIPE_FILE))
    .update(JSON.stringify({ version, arch, base: base.key, node: node.integrity, created }))
    .update(treeHash(recipe.app.files, recipe.app.excludeSuffixes))
    .digest("hex");
  const infoFile = `${archive}.json`;
  const basePackages = (await readFile(base.packagesFile, "utf8")).trim().split("\n");
  const previous = existsSync(infoFile) && existsSync(archive) ? readInfo(infoFile) : undefined;
  if (previous?.key === key) {
    return { ...previous, reused: true, seconds: (Date.now() - started) / 1000, basePackages };
  }
  log(`image: assembling ${archive}${base.reused ? " (cached Debian base)" : ""}`);
  await mkdir(dirname(archive), { recursive: true });
  const work = await mkdtemp(join(dirname(archive), ".work-"));
  try {
    const tmpArchive = join(work, "image.oci.tar");
    const manifestDigest = await assembleImage(
      {
        recipe,
        version,
        ociArch: arch,
        baseTar: base.tar,
        baseCreatedBy: `mmdebstrap --mode=${base.mode} --variant=${recipe.debian.variant} --include=${recipe.debian.packages.join(",")} ${recipe.debian.suite}`,
        nodeDir: node.dir,
        nodeSpec: node.spec,
        created,
      },
      work,
      tmpArchive,
    );
    const sizeBytes = (await stat(tmpArchive)).size;
    const info = { archive, tag: version, manifestDigest, arch, version, sizeBytes, key };
    await publish(tmpArchive, archive);
    await writeFile(infoFile, `${JSON.stringify(info, null, 2)}\n`);
    return { ...info, reused: false, seconds: (Date.now() - started) / 1000, basePackages };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

type Info = Omit<BuiltImage, "reused" | "seconds" | "basePackages">;

function readInfo(file: string): Info | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Info;
  } catch {
    return undefined;
  }
}

/** SOURCE_DATE_EPOCH, else the last commit's time (a rebuild of one commit says the same), else now. */
export function createdTime(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();
  try {
    const seconds = execFileSync("git", ["log", "-1", "--format=%ct"], { encoding: "utf8", stdio: "pipe" });
    return new Date(Number(seconds.trim()) * 1000).toISOString();
  } catch {
    return new Date().toISOString();
  }
}

/** sha256 over the relative paths and contents of every file under `paths`. */
function treeHash(paths: string[], excludeSuffixes: string[]): string {
  const hash = createHash("sha256");
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else if (!excludeSuffixes.some((suffix) => path.endsWith(suffix))) {
      hash.update(`${path}\n`).update(readFileSync(path));
    }
  };
  for (const path of paths) walk(path);
  return hash.digest("hex");
}

class UsageError extends Error {}

function parseArgs(argv: string[]): BuildOptions {
  const opts: BuildOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === "--arch" || flag === "--out") && value && !value.startsWith("--")) {
      opts[flag === "--arch" ? "arch" : "out"] = value;
      i++;
    } else {
      throw new UsageError(`usage: npm run image -- [--arch amd64|arm64|all] [--out FILE] (got ${flag})`);
    }
  }
  if (opts.arch && opts.arch !== ALL && !supportedArches().includes(opts.arch)) {
    throw new UsageError(
      `unsupported architecture ${opts.arch} (supported: ${[...supportedArches(), ALL].join(", ")})`,
    );
  }
  return opts;
}

const ALL = "all";

/** `--arch all`: every architecture's archive (beside the index, default names), then the index archive. */
async function buildAll(opts: BuildOptions): Promise<void> {
  const images: BuiltImage[] = [];
  for (const arch of supportedArches()) {
    const built = await buildImage({ ...opts, arch, out: undefined });
    report(built);
    images.push(built);
  }
  const index = await buildImageIndex(images, opts.out ?? defaultIndexArchive(packageVersion()));
  const mib = (index.sizeBytes / 2 ** 20).toFixed(1);
  console.log(`${index.archive} (${mib} MiB, index ${index.indexDigest})`);
  for (const m of index.manifests) console.log(`  ${m.arch}: ${m.digest}`);
  console.log(
    `load: skopeo copy --all oci-archive:${index.archive}:${index.tag} docker://REGISTRY/regtrust:${index.tag}`,
  );
}

function report(built: BuiltImage): void {
  const mib = (built.sizeBytes / 2 ** 20).toFixed(1);
  const how = built.reused ? "up to date" : `built in ${built.seconds.toFixed(1)} s`;
  console.log(`${built.archive} (${mib} MiB, ${built.manifestDigest}) ${how}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    if (opts.arch === ALL) {
      await buildAll(opts);
    } else {
      const built = await buildImage(opts);
      report(built);
      console.log(
        `load: skopeo copy oci-archive:${built.archive}:${built.tag} docker://REGISTRY/regtrust:${built.tag}`,
      );
    }
  } catch (error) {
    console.error(`image: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
