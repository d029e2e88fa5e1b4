/**
 * A base for a foreign architecture (arm64 on an amd64 machine) without
 * binfmt_misc emulation: mmdebstrap's chrootless mode, in which this
 * machine's dpkg unpacks the target's packages and runs their maintainer
 * scripts outside any chroot, with DPKG_ROOT set to the target (bookworm's
 * essential set supports that: https://wiki.debian.org/Teams/Dpkg/Spec/InstallBootstrap).
 *
 * mmdebstrap warns that "running chrootless mode as root might damage the
 * host system": a maintainer script that ignores DPKG_ROOT would write to the
 * build host (and debconf does open the host's /var/cache/debconf). So when
 * we are root the build runs as the unprivileged user `nobody` (setpriv, no
 * new privileges) under fakeroot, mmdebstrap's own way for a non-root
 * chrootless build: ownership and modes in the tar are the faked root ones
 * (setuid su, setgid unix_chkpwd), and a script that strays can write nothing
 * nobody may not. The warning still prints, for fakeroot's fake uid 0.
 */
import { chown, copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filteredMembers, parsePathFilters, parseTarListing } from "./dpkg-path-filter.ts";
import { runTool } from "./run-tool.ts";

/** The unprivileged user a chrootless build runs as when we are root (Debian's `nobody`). */
const BUILD_UID = 65534;
const BUILD_GID = 65534;

/**
 * Runs the mmdebstrap command `argv(tar, packages)` builds, in chrootless
 * mode, unprivileged, and leaves its outputs at `out.tar` and `out.packages`.
 * The build writes into its own temporary directory (the cache may sit under
 * a home directory `nobody` cannot enter) and the results are copied out.
 */
export async function runChrootless(
  argv: (tar: string, packages: string) => string[],
  out: { tar: string; packages: string },
  timeoutMs: number,
): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "regtrust-chrootless-"));
  try {
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await chown(work, BUILD_UID, BUILD_GID);
    const tar = join(work, "base.tar");
    const packages = join(work, "packages");
    const env: NodeJS.ProcessEnv = {
      PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: work,
      TMPDIR: work,
      LC_ALL: "C.UTF-8",
    };
    for (const name of ["http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]) {
      if (process.env[name]) env[name] = process.env[name];
    }
    const drop = asRoot
      ? ["setpriv", `--reuid=${BUILD_UID}`, `--regid=${BUILD_GID}`, "--clear-groups", "--no-new-privs"]
      : [];
    await runTool([...drop, "fakeroot", ...argv(tar, packages)], { timeoutMs, env, cwd: work });
    await copyFile(tar, out.tar);
    await copyFile(packages, out.packages);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Removes from `tar` what dpkg's path filters (the recipe's dpkgExcludes,
 * dpkg-path-filter.ts) would not have unpacked, so a chrootless base has the
 * shape of a root-mode one (no documentation but the copyright files, no
 * manual pages, info or locale files).
 */
export async function applyDpkgPathFilters(tar: string, options: readonly string[]): Promise<number> {
  const filters = parsePathFilters(options);
  const { stdout } = await runTool(
    ["tar", "--list", "--verbose", "--numeric-owner", "--quoting-style=literal", "-f", tar],
    { timeoutMs: 5 * 60_000, env: { ...process.env, LC_ALL: "C", TZ: "UTC" } },
  );
  const drop = filteredMembers(parseTarListing(stdout), filters);
  if (drop.length === 0) return 0;
  const listFile = `${tar}.filtered`;
  await writeFile(listFile, drop.map((m) => `${m.name}\0`).join(""));
  try {
    await runTool(["tar", "--delete", "--no-recursion", "--null", "-T", listFile, "-f", tar], {
      timeoutMs: 5 * 60_000,
    });
  } finally {
    await rm(listFile, { force: true });
  }
  return drop.length;
}
