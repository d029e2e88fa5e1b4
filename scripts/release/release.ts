/**
 * `npm run release`: every artifact of a release, for linux/amd64 and
 * linux/arm64, into release/ (emptied first):
 *   regtrust-<v>-linux-<arch>            single executables (executables.ts)
 *   regtrust-<v>-linux-<arch>.tar.gz     the same with LICENSE + README (binary download, krew)
 *   regtrust-<v>.tgz                     the npm package (`npm pack`)
 *   regtrust-<v>-linux-<arch>.oci.tar    the image per architecture (scripts/image)
 *   regtrust-<v>.oci.tar                 both images under one multi-arch OCI index
 *   regtrust-<v>.cdx.json                CycloneDX SBOM of the bundle; *.oci.cdx.json one per image
 *   regtrust.yaml                        krew Plugin manifest (its uris: --base-url)
 *   SHA256SUMS                           sha256sum --check format, over all of the above
 * Options: --out DIR (default release), --base-url URL where the files will be
 * downloaded from (default $REGTRUST_RELEASE_BASE_URL, else the output
 * directory as a file:// URL). Offline but for the npm registry and Debian's
 * archive, like `npm run image`; caches are shared with it.
 */
import { chmod, copyFile, cp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type BuiltImage, buildImage, createdTime, defaultCacheDir } from "../image/build.ts";
import { buildImageIndex } from "../image/index.ts";
import { loadRecipe, nodePackageSpec, packageVersion, type Recipe } from "../image/recipe.ts";
import { runTool } from "../image/run-tool.ts";
import { writeExecutableArchive } from "./archives.ts";
import { sha256File, writeChecksums } from "./checksums.ts";
import { type BuiltExecutable, buildExecutable } from "./executables.ts";
import { krewManifest, krewManifestProblems, krewManifestYaml } from "./krew.ts";
import { bundledPackages, bundleSbom, type CdxBom, imageSbom } from "./sbom.ts";
import { cyclonedxViolations } from "./sbom-schema.ts";

export const RELEASE_ARCHES = ["amd64", "arm64"] as const;
const ESM_METAFILE = "build/regtrust.mjs.meta.json";

export interface ReleaseOptions {
  out?: string;
  baseUrl?: string;
  log?: (line: string) => void;
}

export interface ReleaseSummary {
  dir: string;
  /** Every file of the release with its size and sha256 (as SHA256SUMS has them). */
  files: Record<string, { bytes: number; sha256: string }>;
}

/** What every step of one release shares. */
interface ReleaseContext {
  recipe: Recipe;
  version: string;
  /** The release's time (SOURCE_DATE_EPOCH, else the last commit's): mtimes, SBOM timestamps. */
  created: string;
  dir: string;
  work: string;
  log: (line: string) => void;
}

const fileName = (ctx: ReleaseContext, suffix: string) => `regtrust-${ctx.version}${suffix}`;

export async function buildRelease(opts: ReleaseOptions = {}): Promise<ReleaseSummary> {
  const dir = resolve(opts.out ?? "release");
  const ctx: ReleaseContext = {
    recipe: loadRecipe(),
    version: packageVersion(),
    created: createdTime(),
    dir,
    work: resolve("build", "release-work"),
    log: opts.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
  for (const path of [ctx.dir, ctx.work]) {
    await rm(path, { recursive: true, force: true });
    await mkdir(path, { recursive: true });
  }
  ctx.log(`release: ${fileName(ctx, "")} into ${dir}`);
  await runTool([process.execPath, "scripts/build.mjs"], { timeoutMs: 10 * 60_000 });

  const executables = await releaseExecutables(ctx);
  const bundled = bundledPackages(ESM_METAFILE);
  sameBundledPackages(bundled, executables);
  const bundle = bundleSbom(bundled, ctx.created);
  await writeBom(join(dir, fileName(ctx, ".cdx.json")), bundle);
  await npmPack(dir, ctx.work);
  const images = await releaseImages(ctx, bundle);
  await buildImageIndex(images, join(dir, fileName(ctx, ".oci.tar")));
  await writeKrewManifest(ctx, opts.baseUrl ?? process.env.REGTRUST_RELEASE_BASE_URL);

  const sums = await writeChecksums(dir);
  const files: ReleaseSummary["files"] = {};
  for (const [file, sha256] of sums) files[file] = { bytes: (await stat(join(dir, file))).size, sha256 };
  return { dir, files };
}

async function releaseExecutables(ctx: ReleaseContext): Promise<BuiltExecutable[]> {
  const executables: BuiltExecutable[] = [];
  for (const arch of RELEASE_ARCHES) {
    const file = join(ctx.dir, fileName(ctx, `-linux-${arch}`));
    const exe = await buildExecutable(ctx.recipe, arch, file, ctx.work, defaultCacheDir(), ctx.log);
    await chmod(file, 0o755);
    await writeExecutableArchive(file, `${file}.tar.gz`, ctx.work, ctx.created);
    executables.push(exe);
  }
  return executables;
}

/** regtrust.yaml, its uris under `baseUrl` (default: the release directory as file://), checked as krew checks. */
async function writeKrewManifest(ctx: ReleaseContext, baseUrl: string | undefined): Promise<void> {
  const base = withSlash(baseUrl ?? pathToFileURL(ctx.dir).href);
  const archives = await Promise.all(
    RELEASE_ARCHES.map(async (arch) => {
      const file = fileName(ctx, `-linux-${arch}.tar.gz`);
      return { arch, uri: `${base}${file}`, sha256: await sha256File(join(ctx.dir, file)) };
    }),
  );
  const plugin = krewManifest(ctx.version, archives);
  const problems = krewManifestProblems("regtrust.yaml", plugin);
  if (problems.length > 0) throw new Error(`krew manifest: ${problems.join("; ")}`);
  await writeFile(join(ctx.dir, "regtrust.yaml"), krewManifestYaml(plugin));
  if (!baseUrl) ctx.log(`release: krew uris point at ${base}; pass --base-url for the place you publish to`);
}

async function releaseImages(ctx: ReleaseContext, bundle: CdxBom): Promise<BuiltImage[]> {
  const out: BuiltImage[] = [];
  for (const arch of RELEASE_ARCHES) {
    const built = await buildImage({ arch, log: ctx.log });
    const file = fileName(ctx, `-linux-${arch}.oci.tar`);
    await copyFile(built.archive, join(ctx.dir, file));
    const node = nodePackageSpec(ctx.recipe, arch);
    const bom = imageSbom(bundle, {
      arch,
      version: ctx.version,
      manifestDigest: built.manifestDigest,
      debianPackages: built.basePackages,
      debianSuite: ctx.recipe.debian.suite,
      nodeSpec: node.spec,
      nodeIntegrity: node.integrity,
      created: ctx.created,
    });
    await writeBom(join(ctx.dir, fileName(ctx, `-linux-${arch}.oci.cdx.json`)), bom);
    out.push(built);
  }
  return out;
}

/** The executables' bundle (CommonJS, for the SEA) must hold the same packages as the ESM bundle the SBOM lists. */
function sameBundledPackages(esm: Map<string, unknown>, executables: BuiltExecutable[]): void {
  for (const exe of executables) {
    const sea = bundledPackages(exe.metafile);
    const onlySea = [...sea.keys()].filter((ref) => !esm.has(ref));
    const onlyEsm = [...esm.keys()].filter((ref) => !sea.has(ref));
    if (onlySea.length > 0 || onlyEsm.length > 0) {
      throw new Error(
        `the linux/${exe.arch} executable's bundle and dist/ hold different packages (only in the executable: ${onlySea.join(", ") || "none"}; only in dist/: ${onlyEsm.join(", ") || "none"})`,
      );
    }
  }
}

async function writeBom(file: string, bom: CdxBom): Promise<void> {
  const violations = cyclonedxViolations(bom);
  if (violations.length > 0)
    throw new Error(`${basename(file)} is not valid CycloneDX 1.5: ${violations.join("; ")}`);
  await writeFile(file, `${JSON.stringify(bom, null, 2)}\n`);
}

/**
 * The npm package as users install it: dist/ already bundles every runtime
 * dependency, so the packed package.json declares none (an install fetches
 * nothing and works offline) and carries no scripts or dev tooling.
 */
async function npmPack(dir: string, work: string): Promise<void> {
  const stage = join(work, "npm-package");
  await mkdir(stage, { recursive: true });
  const pkg = JSON.parse(await readFile("package.json", "utf8")) as Record<string, unknown>;
  const { dependencies: _d, devDependencies: _dd, scripts: _s, ...published } = pkg;
  await writeFile(join(stage, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
  for (const file of ["LICENSE", "README.md"]) await copyFile(file, join(stage, file));
  await cp("dist", join(stage, "dist"), { recursive: true });
  await runTool(["npm", "pack", "--silent", "--pack-destination", dir], {
    timeoutMs: 5 * 60_000,
    cwd: stage,
  });
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): ReleaseOptions {
  const opts: ReleaseOptions = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--out" && value) opts.out = value;
    else if (flag === "--base-url" && value && /^(https?|file):\/\//.test(value)) opts.baseUrl = value;
    else
      throw new UsageError(
        `usage: npm run release -- [--out DIR] [--base-url https://…/] (got ${flag} ${value ?? ""})`,
      );
  }
  return opts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const summary = await buildRelease(parseArgs(process.argv.slice(2)));
    for (const [file, { bytes }] of Object.entries(summary.files)) {
      console.log(`${(bytes / 2 ** 20).toFixed(1).padStart(7)} MiB  ${file}`);
    }
    console.log(`verify: (cd ${summary.dir} && sha256sum --check SHA256SUMS)`);
  } catch (error) {
    console.error(`release: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  }
}
