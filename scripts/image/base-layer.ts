/**
 * The image's base layer: a Debian root file system made by mmdebstrap from
 * this machine's Debian archive (apt-sources.ts), as an uncompressed tar.
 * Cached between runs, keyed by everything that decides its content: the
 * recipe's Debian part, the architecture, the mirrors, apt's validity
 * settings, mmdebstrap's version and the archive's current InRelease files
 * (a new package version in any suite, e.g. a security update, is a new key).
 *
 * This machine's own architecture is built in mmdebstrap's root mode (the
 * maintainer scripts run chrooted in the new root). A foreign architecture
 * (arm64 on an amd64 machine) cannot run its maintainer scripts chrooted
 * without binfmt_misc emulation, so it is built in chrootless mode
 * (foreign-base.ts): the build host's dpkg installs the packages and their
 * scripts run on the host with DPKG_ROOT; the result is brought to the same
 * shape as a root-mode base (dpkg path filters, leftovers).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { archiveFingerprint, debianSources, mirrorLines } from "./apt-sources.ts";
import { applyDpkgPathFilters, runChrootless } from "./foreign-base.ts";
import { publish } from "./publish.ts";
import { archNames, hostOciArch, type Recipe } from "./recipe.ts";
import { runTool } from "./run-tool.ts";

export interface BaseLayer {
  tar: string;
  /**
   * The packages installed in the root file system, one line each:
   * `Package<TAB>Version<TAB>Architecture` (dpkg-query -W with
   * `${Package}\t${Version}\t${Architecture}`, sorted by package name as
   * dpkg-query lists them; Architecture is `all` for architecture-independent
   * packages). The lead's per-image SBOM reads it through BuiltImage.basePackages.
   */
  packagesFile: string;
  /** mmdebstrap's mode: "root" for this machine's architecture, "chrootless" for a foreign one. */
  mode: BaseMode;
  key: string;
  reused: boolean;
}

/** Bump when the way the base is made changes in a way the inputs below do not show. */
const BASE_FORMAT = 3;
/** Bases kept in the cache (most recently used first); an archive update makes older ones useless. */
const KEEP_BASES = 3;

export async function baseLayer(
  recipe: Recipe,
  ociArch: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<BaseLayer> {
  const sources = debianSources(recipe.debian.suite, recipe.debian.components);
  const mode = baseMode(ociArch);
  const args = await mmdebstrapArgs(recipe, ociArch, mode);
  const mirrors = mirrorLines(sources);
  const dir = join(cacheDir, "base");
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(dir, "tmp-"));
  try {
    const version = (await runTool(["mmdebstrap", "--version"], { timeoutMs: 30_000 })).stdout.trim();
    const fingerprint = await archiveFingerprint(sources, work);
    const key = createHash("sha256")
      .update(JSON.stringify({ BASE_FORMAT, version, args, mirrors, fingerprint }))
      .digest("hex")
      .slice(0, 32);
    const tar = join(dir, `${key}.tar`);
    const packagesFile = join(dir, `${key}.packages`);
    if (existsSync(tar) && existsSync(packagesFile)) {
      const now = new Date();
      await utimes(tar, now, now);
      return { tar, packagesFile, key, mode, reused: true };
    }
    log(`image: building the Debian base with ${version} (${recipe.debian.suite}, ${ociArch}, ${mode} mode)`);
    const tmpTar = join(work, "base.tar");
    const tmpPackages = join(work, "packages");
    const argv = (out: string, packages: string) => [
      "mmdebstrap",
      ...args,
      `--customize-hook=${packagesHook(packages)}`,
      recipe.debian.suite,
      out,
      ...mirrors,
    ];
    if (mode === "root") {
      await runTool(argv(tmpTar, tmpPackages), { timeoutMs: 20 * 60_000 });
    } else {
      await runChrootless(argv, { tar: tmpTar, packages: tmpPackages }, 20 * 60_000);
      await applyDpkgPathFilters(tmpTar, recipe.debian.dpkgExcludes);
    }
    await dropBuildLeftovers(tmpTar);
    await publish(tmpPackages, packagesFile);
    await publish(tmpTar, tar);
    await pruneBases(dir, KEEP_BASES);
    return { tar, packagesFile, key, mode, reused: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export type BaseMode = "root" | "chrootless";

/** Root mode for this machine's architecture (unchanged), chrootless for a foreign one (no binfmt_misc needed). */
export function baseMode(ociArch: string): BaseMode {
  return ociArch === hostOciArch() ? "root" : "chrootless";
}

/**
 * The customize hook writing the packages file (BaseLayer.packagesFile). The
 * host's dpkg-query reads the target's database (--admindir), so it works in
 * both modes and for a foreign architecture, where nothing in the target can run.
 */
function packagesHook(file: string): string {
  const format = ["Package", "Version", "Architecture"].map((field) => `\${${field}}`).join("\\t");
  return `dpkg-query --admindir="$1/var/lib/dpkg" -W -f '${format}\\n' > ${shellQuote(file)}`;
}

async function mmdebstrapArgs(recipe: Recipe, ociArch: string, mode: BaseMode): Promise<string[]> {
  const d = recipe.debian;
  return [
    `--mode=${mode}`,
    `--variant=${d.variant}`,
    `--architectures=${archNames(ociArch).debian}`,
    `--components=${d.components.join(",")}`,
    ...(d.packages.length > 0 ? [`--include=${d.packages.join(",")}`] : []),
    // Bookworm's merged /usr the way debootstrap makes it, without the usrmerge package (and the Perl it pulls in).
    "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
    // Written to the target's /etc/dpkg/dpkg.cfg.d/99mmdebstrap in both modes; only root mode's dpkg
    // applies them while unpacking (chrootless: #808203), so foreign-base.ts applies them to the tar.
    ...d.dpkgExcludes.map((opt) => `--dpkgopt=${opt}`),
    ...(await hostAptValidity()).map((opt) => `--aptopt=${opt}`),
    // Container runtimes make /dev; device nodes in a layer only get in the way (rootless unpacking).
    "--skip=output/dev",
  ];
}

async function pruneBases(dir: string, keep: number): Promise<void> {
  const tars = (await readdir(dir)).filter((name) => name.endsWith(".tar"));
  const dated = await Promise.all(
    tars.map(async (name) => ({ name, mtime: (await stat(join(dir, name))).mtimeMs })),
  );
  for (const { name } of dated.sort((a, b) => b.mtime - a.mtime).slice(keep)) {
    const key = name.slice(0, -".tar".length);
    await rm(join(dir, `${key}.tar`), { force: true });
    await rm(join(dir, `${key}.packages`), { force: true });
  }
}

/**
 * What mmdebstrap leaves from the machine that built it, removed from the tar
 * after its own clean-up (it needs them until then): the apt configuration
 * (this machine's mirrors and options; the essential variant has no apt) and
 * the build host's /etc/resolv.conf and /etc/hostname. Container runtimes
 * provide those two files for each container. A chrootless build also
 * leaves dpkg's diversions-old (dpkg-divert's backup, which root mode's
 * clean-up removes with the chroot's apt state).
 */
async function dropBuildLeftovers(tar: string): Promise<void> {
  const { stdout } = await runTool(["tar", "-tf", tar], { timeoutMs: 5 * 60_000 });
  const members = new Set(stdout.split("\n"));
  const leftovers = BUILD_LEFTOVERS.filter((path) => members.has(path) || members.has(`${path}/`));
  if (leftovers.length > 0)
    await runTool(["tar", "--delete", "-f", tar, ...leftovers], { timeoutMs: 5 * 60_000 });
}

const BUILD_LEFTOVERS = [
  "./etc/apt",
  "./var/lib/apt",
  "./var/cache/apt",
  "./var/log/apt",
  "./etc/resolv.conf",
  "./etc/hostname",
  "./var/lib/dpkg/diversions-old",
];

/**
 * apt's validity checks as this machine's apt has them: a machine whose
 * mirror is a frozen snapshot turns Check-Valid-Until off in its own apt
 * configuration, and the base is built from that same mirror.
 */
async function hostAptValidity(): Promise<string[]> {
  const { stdout } = await runTool(["apt-config", "dump"], { timeoutMs: 30_000 });
  const out: string[] = [];
  for (const name of ["Acquire::Check-Valid-Until", "Acquire::Check-Date"]) {
    const m = new RegExp(`^${name} "(\\w+)";$`, "mi").exec(stdout);
    if (m && /^(false|no|0)$/i.test(m[1]!)) out.push(`${name} "false"`);
  }
  return out;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
